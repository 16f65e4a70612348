package io.tracebee.probe.grpc;

import io.tracebee.bpf.BpfObject;
import io.tracebee.inspect.GoBinary;
import io.tracebee.inspect.GoBuildInfo;
import io.tracebee.probe.ModuleVersion;
import io.tracebee.probe.ProbeSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the gRPC probes need from a binary beyond struct offsets: the oldest grpc release they read (v1.60.0,
 * where operateHeaders took its current arguments), the itabs that tell a transport's connection and a
 * returned error apart (tb_grpc.h), io.EOF's address (a stream's normal end), and — for the server — how handleStream's stream argument holds the
 * transport.Stream in this release. Itab addresses are link-time addresses: they need a symbol table and a
 * non-PIE executable (Go's default); without them connections are not read and client errors carry no code.
 */
final class GrpcSetup implements ProbeSpec.Setup {
    static final ModuleVersion OLDEST = ModuleVersion.parse("v1.60.0");
    /** ServerStream appeared in v1.69.0, holding a *Stream; v1.77.0 embeds the Stream. */
    private static final ModuleVersion SERVER_STREAM = ModuleVersion.parse("v1.69.0");
    private static final ModuleVersion EMBEDDED_STREAM = ModuleVersion.parse("v1.77.0");

    static final int STREAM_PLAIN = 0;
    static final int STREAM_POINTER = 1;
    static final int STREAM_EMBEDDED = 2;

    /** Both sides (tb_grpc.h): rodata name to the itab symbol whose address it takes. */
    static final Map<String, String> ITABS = Map.of(
            "itab_tcp_conn", "go:itab.*net.TCPConn,net.Conn",
            "itab_syscall_conn", "go:itab.*" + GrpcProbes.MODULE + "/internal/credentials.syscallConn,net.Conn",
            "itab_status_error", "go:itab.*" + GrpcProbes.MODULE + "/internal/status.Error,error");

    private final boolean server;
    /** rodata name to symbol: the itabs, and for the client io.EOF (a stream's normal end) */
    private final Map<String, String> symbols;

    GrpcSetup(boolean server) {
        this.server = server;
        Map<String, String> s = new HashMap<>(ITABS);
        if (!server) {
            s.put("addr_io_eof", "io.EOF");
        }
        this.symbols = Map.copyOf(s);
    }

    Map<String, String> symbols() {
        return symbols;
    }

    @Override
    public Optional<String> skipReason(GoBinary binary) {
        Optional<ModuleVersion> v = version(binary);
        if (v.isEmpty()) {
            return Optional.of(GrpcProbes.MODULE + " has no version in the build info (a local replacement): "
                    + "its stream layout is unknown");
        }
        if (v.get().compareTo(OLDEST) < 0) {
            return Optional.of(GrpcProbes.MODULE + " " + v.get() + " is older than " + OLDEST
                    + ", the oldest release the probe reads");
        }
        return Optional.empty();
    }

    @Override
    public void beforeLoad(GoBinary binary, BpfObject object) {
        ProbeSpec.Setup.setSymbolAddresses(binary, object, symbols);
        if (server) {
            object.setRodata("grpc_stream_layout", streamLayout(version(binary).orElseThrow()));
        }
    }

    static int streamLayout(ModuleVersion grpc) {
        if (grpc.compareTo(SERVER_STREAM) < 0) {
            return STREAM_PLAIN;
        }
        return grpc.compareTo(EMBEDDED_STREAM) < 0 ? STREAM_POINTER : STREAM_EMBEDDED;
    }

    /** The grpc module's version in the build info (a replacement's, if replaced), when it has one. */
    static Optional<ModuleVersion> version(GoBinary binary) {
        return binary.buildInfo().dependency(GrpcProbes.MODULE)
                .map(GoBuildInfo.Module::effective)
                .flatMap(m -> ModuleVersion.tryParse(m.version()));
    }
}
