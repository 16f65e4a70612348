package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracebee.e2e.Fixtures;
import io.tracebee.inspect.GoVersion;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped offsets table must say exactly what each Go release's own DWARF says. */
class OffsetTableTest {
    @ParameterizedTest
    @ValueSource(strings = {"httpserver-go1.23", "httpserver-go1.24", "httpserver-go1.25", "httpserver-go1.26"})
    void tableMatchesDwarf(String fixture) {
        Map<String, Map<String, Long>> fromDwarf = OffsetTableTool.read(Fixtures.file(fixture));
        OffsetTable table = OffsetTable.load();
        fromDwarf.forEach((release, fields) -> {
            assertThat(fields).as("DWARF of " + release).isNotEmpty();
            fields.forEach((key, offset) ->
                    assertThat(table.offset(GoVersion.parse(release), key)).as(release + " " + key).hasValue(offset));
        });
    }

    @Test
    void releasesBetweenVerifiedOnesAreAnsweredOnlyWhereTheyAgree() throws Exception {
        OffsetTable table = OffsetTable.parse(new ObjectMapper().readTree("""
                {"releases": {
                  "go1.26.0":  {"a": 120, "b": 8},
                  "go1.26.10": {"a": 120, "b": 8},
                  "go1.26.11": {"a": 128, "b": 8},
                  "go1.27.0":  {"a": 128, "b": 8}
                }}"""));
        assertThat(table.offset(GoVersion.parse("go1.26.5"), "a")).hasValue(120);
        assertThat(table.offset(GoVersion.parse("go1.26.11"), "a")).hasValue(128);
        assertThat(table.offset(GoVersion.parse("go1.26.12"), "a")).as("past the newest verified 1.26").isEmpty();
        assertThat(table.offset(GoVersion.parse("go1.27.1"), "a")).as("newer than anything verified").isEmpty();
        assertThat(table.offset(GoVersion.parse("go1.25.3"), "b")).as("older minor not listed").isEmpty();
        assertThat(table.offset(GoVersion.parse("go1.26.5"), "missing")).isEmpty();
    }
}
