package io.tracebee.probe;

import io.tracebee.bpf.BpfException;
import io.tracebee.bpf.BpfObject;
import io.tracebee.bpf.BpfSupport;
import io.tracebee.bpf.Errno;
import io.tracebee.bpf.UprobeLink;
import io.tracebee.control.Instrumenter;
import io.tracebee.control.ProbeState;
import io.tracebee.inspect.GoBinary;
import io.tracebee.inspect.GoFunction;
import io.tracebee.inspect.TargetInspectionException;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Attaches declared probes to a Go binary: inspects it, resolves struct offsets, loads one BPF object
 * per probe with those offsets (sharing the ring buffer), and places a uprobe at each function entry
 * and at every RET. A probe that cannot be placed is skipped with a reason; it never fails the others.
 */
public final class BpfInstrumenter implements Instrumenter {
    private static final Logger LOG = Logger.getLogger(BpfInstrumenter.class);

    private final List<ProbeSpec> probes;
    private final SharedMaps maps;
    private final OffsetResolver offsets;
    private final Map<String, byte[]> objectBytes = new ConcurrentHashMap<>();
    private final ProgramRunStats runStats = new ProgramRunStats();
    private volatile AttachTimes attachTimes = (library, load, attach) -> { };

    public BpfInstrumenter(List<ProbeSpec> probes, SharedMaps maps, OffsetResolver offsets) {
        this.probes = probes;
        this.maps = maps;
        this.offsets = offsets;
    }

    /** Run counts and times of the programs this instrumenter loaded, live and detached. */
    /** Told, for every probe attached, how long loading (verification included) and attaching took. */
    @FunctionalInterface
    public interface AttachTimes {
        void attached(String library, long loadNanos, long attachNanos);
    }

    /** Where attach times go (the agent's metrics); none by default. */
    public void onAttach(AttachTimes times) {
        this.attachTimes = times;
    }

    public ProgramRunStats runStats() {
        return runStats;
    }

    /**
     * What a refused uprobe usually means: since Linux 6.16 (and the stable kernels it was backported to, 2025),
     * creating a uprobe needs CAP_SYS_ADMIN; CAP_PERFMON no longer suffices.
     */
    static String privilegeHint(Exception e) {
        if (e instanceof BpfException b && (b.errno() == Errno.EACCES || b.errno() == Errno.EPERM)
                && b.operation().startsWith("attach uprobe")) {
            return " — creating uprobes needs CAP_SYS_ADMIN (Linux 6.16+ and its stable backports no longer accept "
                    + "CAP_PERFMON for them)";
        }
        return "";
    }

    @Override
    public Instrumentation instrument(Path binaryPath, int pid, long targetId) {
        GoBinary binary = GoBinary.open(binaryPath);
        if (!binary.goVersion().isSupported()) {
            throw new TargetInspectionException(TargetInspectionException.Reason.UNSUPPORTED_GO_VERSION, binaryPath,
                    binaryPath + " was built with " + binary.goVersion().raw()
                            + "; tracebee supports Go 1.23 and newer");
        }
        List<ProbeState> states = new ArrayList<>();
        List<AutoCloseable> resources = new ArrayList<>();
        for (ProbeSpec spec : probes) {
            if (spec.uprobes().stream().noneMatch(u -> binary.function(u.symbol()).isPresent())
                    || !spec.setup().appliesTo(binary)) {
                continue; // the library is not linked into this program: nothing to trace, nothing to report
            }
            states.add(attach(spec, binary, binaryPath, pid, targetId, resources));
        }
        if (pid > 0) {
            // a running process's pooled connections predate attach: put them under injection too
            maps.adoptConnections(pid);
        }
        return new Attached(binary.goVersion().raw(), List.copyOf(states), resources);
    }

    private ProbeState attach(ProbeSpec spec, GoBinary binary, Path path, int pid, long targetId,
            List<AutoCloseable> resources) {
        if (spec.module() != null && binary.buildInfo().dependency(spec.module()).isEmpty()) {
            return ProbeState.skipped(spec.library(), "module " + spec.module() + " is not in the binary");
        }
        Optional<String> unsupported = spec.setup().skipReason(binary);
        if (unsupported.isPresent()) {
            return ProbeState.skipped(spec.library(), unsupported.get());
        }
        List<UprobeSpec> placed = new ArrayList<>();
        List<GoFunction> functions = new ArrayList<>();
        for (UprobeSpec u : spec.uprobes()) {
            Optional<GoFunction> f = binary.function(u.symbol());
            if (f.isEmpty() && !u.optional()) {
                return ProbeState.skipped(spec.library(), "function " + u.symbol() + " is not in the binary");
            }
            if (f.isPresent()) {
                placed.add(u);
                functions.add(f.get());
            }
        }
        // every object reads goroutine ancestry in tb_current (tb_common.h)
        List<ProbeSpec.OffsetSpec> wanted = Stream.concat(spec.offsets().stream(), GoRuntimeProbes.ANCESTRY.stream())
                .distinct().toList();
        OffsetResolver.Resolution resolution = offsets.resolve(binary, wanted);
        if (!resolution.complete()) {
            return ProbeState.skipped(spec.library(), "struct offsets unknown for " + binary.goVersion().raw()
                    + (binary.dwarf().isPresent() ? "" : " (binary has no DWARF)")
                    + ": " + String.join(", ", resolution.missingRequired()));
        }

        BpfObject object = BpfObject.open(spec.object(), objectBytes(spec.object()));
        List<AutoCloseable> mine = new ArrayList<>();
        long loadStart = 0;
        long loaded = 0;
        int uprobes = 0;
        try {
            Map<String, Boolean> features = new LinkedHashMap<>();
            for (ProbeSpec.OffsetSpec o : wanted) {
                Long value = resolution.offsets().get(o.variable());
                if (value != null) {
                    object.setRodata(o.variable(), value);
                }
                if (o.presenceFlag() != null) {
                    features.merge(o.presenceFlag(), value != null, Boolean::logicalAnd);
                }
            }
            features.forEach(object::setRodata);
            spec.setup().beforeLoad(binary, object);
            maps.share(object);
            if (BpfSupport.uprobeMulti()) {
                object.useUprobeMulti();
            }
            loadStart = System.nanoTime();
            object.load();
            loaded = System.nanoTime();
            mine.add(object);
            spec.setup().afterLoad(binary, object, offsets);
            // every offset of each program, then one attach per program: a uprobe_multi link where the kernel has them
            Map<String, long[]> sites = new LinkedHashMap<>();
            for (int i = 0; i < functions.size(); i++) {
                GoFunction fn = functions.get(i);
                UprobeSpec u = placed.get(i);
                if (u.entryProgram() != null) {
                    sites.merge(u.entryProgram(), new long[] {fn.entryOffset()}, BpfInstrumenter::concat);
                }
                if (u.returnProgram() != null) {
                    long[] returns = fn.returnOffsets();
                    if (returns.length == 0) {
                        throw new TargetInspectionException(TargetInspectionException.Reason.MALFORMED, path,
                                "no return instruction found in " + fn.name());
                    }
                    sites.merge(u.returnProgram(), returns, BpfInstrumenter::concat);
                }
                if (u.goStatementProgram() != null) {
                    sites.merge(u.goStatementProgram(), binary.goStatements(fn), BpfInstrumenter::concat);
                }
            }
            for (Map.Entry<String, long[]> e : sites.entrySet()) {
                for (UprobeLink link : object.program(e.getKey()).attachUprobes(path, e.getValue(), pid, targetId)) {
                    mine.add(0, link);
                }
                uprobes += e.getValue().length;
            }
        } catch (BpfException | TargetInspectionException e) {
            closeAll(mine);
            if (!mine.contains(object)) {
                object.close();
            }
            String why = "attach failed: " + e.getMessage() + privilegeHint(e);
            LOG.warnf("probe %s skipped on %s: %s", spec.library(), path, why);
            return ProbeState.skipped(spec.library(), why);
        }
        long attached = System.nanoTime();
        attachTimes.attached(spec.library(), loaded - loadStart, attached - loaded);
        LOG.debugf("probe %s on %s: loaded in %d ms, %d uprobes attached in %d ms", spec.library(), path,
                (loaded - loadStart) / 1_000_000, uprobes, (attached - loaded) / 1_000_000);
        // links first, object last: closing in list order detaches before unloading
        runStats.loaded(object);
        maps.perProcess().register(object);
        mine.set(mine.indexOf(object), () -> {
            runStats.retiring(object);
            maps.perProcess().forget(object);
            object.close();
        });
        resources.addAll(mine);
        return ProbeState.attached(spec.library(), uprobes, resolution.source());
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private byte[] objectBytes(String name) {
        return objectBytes.computeIfAbsent(name, n -> {
            String resource = "bpf/" + n + ".bpf.o";
            try (InputStream in = BpfInstrumenter.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("BPF object " + resource + " is missing from the classpath");
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Closes uprobe links first, side by side, then the rest in order. Removing a uprobe waits for kernel grace
     * periods: closed one after another a target's 21 probes took 4.2 s here, side by side 1.8 s (the kernel still
     * serialises part of each removal; one uprobe_multi link per object would make it one removal, see #7).
     */
    static void closeAll(List<AutoCloseable> resources) {
        List<AutoCloseable> links = resources.stream().filter(r -> r instanceof UprobeLink).toList();
        if (links.size() > 1) {
            List<Thread> closers = new ArrayList<>(links.size());
            for (AutoCloseable link : links) {
                Thread t = new Thread(() -> Closing.quietly(link, link.toString()), "tracebee-detach");
                t.setDaemon(true);
                t.start();
                closers.add(t);
            }
            for (Thread t : closers) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (AutoCloseable r : resources) {
            Closing.quietly(r, r.toString());  // links already closed are no-ops
        }
    }

    private static final class Attached implements Instrumentation {
        private final String goVersion;
        private final List<ProbeState> probes;
        private final List<AutoCloseable> resources;
        private boolean closed;

        Attached(String goVersion, List<ProbeState> probes, List<AutoCloseable> resources) {
            this.goVersion = goVersion;
            this.probes = probes;
            this.resources = resources;
        }

        @Override
        public String goVersion() {
            return goVersion;
        }

        @Override
        public List<ProbeState> probes() {
            return probes;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                closeAll(resources);
            }
        }
    }
}
