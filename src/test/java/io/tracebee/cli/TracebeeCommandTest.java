package io.tracebee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.config.Knob;
import io.tracebee.config.Settings;
import io.tracebee.control.TargetRequest;
import io.tracebee.export.BatchConfig;
import io.tracebee.export.OtlpExporterConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line as picocli builds it from the catalog: --help, and what the flags set. */
class TracebeeCommandTest {
    private static CommandLine commandLine() {
        return new CommandLine(new TracebeeCommand());
    }

    private static Settings parse(Map<String, String> env, String... args) {
        return new Settings(KnobOptions.flags(commandLine().parseArgs(args)), env, null);
    }

    /** Whitespace collapsed: a description may wrap anywhere between words. */
    private static String flat(String s) {
        return s.replaceAll("\\s+", " ");
    }

    @Test
    void helpListsEveryKnobWithItsFlagVariableDefaultAndDescription() {
        String help = commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);
        String flat = flat(help);
        for (Knob k : Knob.values()) {
            if (k.flag() != null) {
                assertThat(help).as(k.env()).containsPattern("(?m)^ +(--[a-z-]+, )?" + k.flag().replace("-", "\\-")
                        + "(\\[?=)" + java.util.regex.Pattern.quote(k.type().label()));
                assertThat(flat).as(k.env()).contains(flat(k.description() + ". " + k.env() + "; default: "
                        + k.shownDefault()));
            } else {
                assertThat(flat).as(k.env()).contains(flat(k.env() + " " + k.description() + "; default: "
                        + k.shownDefault()));
            }
        }
        assertThat(help).contains("--exporter, --traces-exporter=NAME[,NAME...]", "-V, --version");
        assertThat(help.lines()).allMatch(line -> line.length() <= 110, "at most 110 columns");
    }

    @Test
    void onlyHelpAndVersionAreAnsweredBeforeQuarkusStarts() {
        assertThat(Main.asksOnlyForHelp(commandLine(), "--help")).isTrue();
        assertThat(Main.asksOnlyForHelp(commandLine(), "-V")).isTrue();
        assertThat(Main.asksOnlyForHelp(commandLine(), "--target-pid", "1", "-h")).isTrue();
        assertThat(Main.asksOnlyForHelp(commandLine(), "--target-pid", "1")).isFalse();
        assertThat(Main.asksOnlyForHelp(commandLine())).isFalse();
        // a mistake is reported by the full command, with its own message and exit code; with --help, help wins
        assertThat(Main.asksOnlyForHelp(commandLine(), "--no-such-flag")).isFalse();
        assertThat(Main.asksOnlyForHelp(commandLine(), "--no-such-flag", "--help")).isTrue();
    }

    @Test
    void versionIsKept() {
        StringWriter out = new StringWriter();
        CommandLine cl = commandLine();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--version")).isZero();
        assertThat(out.toString().trim()).isEqualTo("tracebee 0.1.0");
    }

    @Test
    void flagsBeatTheEnvironmentForOtlpKnobsToo() {
        Settings s = parse(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4317",
                        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://env-traces:4317",
                        "OTEL_EXPORTER_OTLP_COMPRESSION", "none", "OTEL_BSP_MAX_QUEUE_SIZE", "7",
                        "TRACEBEE_DB_QUERY_TEXT", "off"),
                "--otlp-endpoint", "http://flag:4317", "--otlp-compression=GZIP", "--db-query-text",
                "--exporter", "otlp,console");
        OtlpExporterConfig otlp = OtlpExporterConfig.fromEnv(s.environment());
        assertThat(otlp.endpoint()).hasToString("http://flag:4317");
        assertThat(otlp.compression()).isEqualTo("gzip");
        assertThat(BatchConfig.fromEnv(s.environment()).maxQueueSize()).as("no flag: the environment").isEqualTo(7);
        assertThat(s.getSwitch(Knob.DB_QUERY_TEXT)).as("a switch alone turns it on").isTrue();
        assertThat(s.value(Knob.TRACES_EXPORTER)).isEqualTo(
                new Settings.Value(Knob.TRACES_EXPORTER, "otlp,console", Settings.Source.FLAG));
    }

    @Test
    void targetFlagsAreRepeatableAndReplaceTheVariablesTargets() {
        Map<String, String> env = Map.of("OTEL_GO_AUTO_TARGET_PID", "5", "OTEL_GO_AUTO_TARGET_EXE", "/srv/a");
        assertThat(TracebeeCommand.targets(parse(env, "--target-pid", "1", "--target-pid=2,3")))
                .containsExactly(new TargetRequest(1, null, null), new TargetRequest(2, null, null),
                        new TargetRequest(3, null, null));
        assertThat(TracebeeCommand.targets(parse(env))).containsExactly(new TargetRequest(5, null, null),
                new TargetRequest(null, "/srv/a", null));
        assertThat(TracebeeCommand.targets(parse(Map.of("OTEL_GO_AUTO_TARGET_PID", "5,x"))))
                .as("an invalid list is reported and ignored").isEmpty();
    }

    @Test
    void exeGlobsComeFromTheirVariableOrFlagAndKeepTheCommasOfTheirBraces() {
        Map<String, String> env = Map.of("TRACEBEE_TARGET_EXE_GLOB", "/srv/{api,web}/server,/opt/**/bin/*");
        assertThat(TracebeeCommand.targets(parse(env))).containsExactly(
                new TargetRequest(null, null, "/srv/{api,web}/server", null),
                new TargetRequest(null, null, "/opt/**/bin/*", null));
        assertThat(TracebeeCommand.targets(parse(env, "--target-exe-glob", "/app/*")))
                .as("a target flag replaces the variables' targets")
                .containsExactly(new TargetRequest(null, null, "/app/*", null));
        assertThat(TracebeeCommand.targets(parse(Map.of("TRACEBEE_TARGET_EXE_GLOB", "relative/*"))))
                .as("a glob that is not absolute is reported and ignored").isEmpty();
        assertThat(TracebeeCommand.targets(parse(Map.of("TRACEBEE_TARGET_EXE_GLOB", "/srv/{a,b"))))
                .as("an invalid glob is reported and ignored").isEmpty();
    }
}
