package io.tracebee.probe.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.e2e.Fixtures;
import io.tracebee.inspect.GoBinary;
import io.tracebee.probe.ModuleVersion;
import org.junit.jupiter.api.Test;

/** The release boundaries GrpcSetup decides by, checked against the fixtures' symbols and versions. */
class GrpcSetupTest {

    @Test
    void handleStreamsStreamLayoutFollowsTheRelease() {
        assertThat(GrpcSetup.streamLayout(ModuleVersion.parse("v1.60.0"))).isEqualTo(GrpcSetup.STREAM_PLAIN);
        assertThat(GrpcSetup.streamLayout(ModuleVersion.parse("v1.68.1"))).isEqualTo(GrpcSetup.STREAM_PLAIN);
        assertThat(GrpcSetup.streamLayout(ModuleVersion.parse("v1.69.0"))).isEqualTo(GrpcSetup.STREAM_POINTER);
        assertThat(GrpcSetup.streamLayout(ModuleVersion.parse("v1.76.0"))).isEqualTo(GrpcSetup.STREAM_POINTER);
        assertThat(GrpcSetup.streamLayout(ModuleVersion.parse("v1.77.0"))).isEqualTo(GrpcSetup.STREAM_EMBEDDED);
        assertThat(GrpcSetup.streamLayout(ModuleVersion.parse("v1.85.0"))).isEqualTo(GrpcSetup.STREAM_EMBEDDED);
    }

    @Test
    void supportedReleasesAreNotSkippedAndTheirItabsAndIoEofAreInTheSymbolTable() {
        for (String fixture : new String[] {"grpcserver-go1.26", "grpcserver-go1.25-mid", "grpcserver-go1.23-oldest"}) {
            GoBinary binary = GoBinary.open(Fixtures.file(fixture));
            assertThat(new GrpcSetup(true).skipReason(binary)).as(fixture).isEmpty();
            new GrpcSetup(false).symbols().values().forEach(symbol ->
                    assertThat(binary.elf().symbol(symbol)).as(symbol + " in " + fixture).isPresent());
        }
    }
}
