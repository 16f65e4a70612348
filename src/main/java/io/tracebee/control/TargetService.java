package io.tracebee.control;

import io.tracebee.correlate.ProcessDirectory;
import io.tracebee.decode.BoundedMap;
import io.tracebee.decode.ProcessEvent;
import io.tracebee.inspect.TargetInspectionException;
import io.tracebee.probe.ProcessWatch;
import io.tracebee.span.Resource;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The registry of traced targets: validates attach requests, attaches through the {@link Instrumenter}, detaches
 * live, follows process lifecycle, and tells the pipeline which process each event came from.
 *
 * <p>Three kinds of target: a pid (that process only), an exe (every process of that binary, now and later:
 * uprobes live on the file), and an exe glob ({@code "/srv/*}{@code /server"}): every binary matching it that a
 * running process has, and every one a process starts later — learnt from the scheduler's exec tracepoint
 * ({@link ProcessWatch}), never by polling. A glob attaches to each matching binary once, by file identity, so a
 * restarted service is traced from its first instruction and a rebuilt one (a new file) is attached anew. A pid
 * target whose process exits is detached and shows {@code exited} until it is deleted.
 */
public final class TargetService implements ProcessDirectory, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TargetService.class);
    private static final int MAX_PIDS_PER_TARGET = 4096;
    private static final int LIFECYCLE_QUEUE = 4096;
    private static final int REMEMBERED_DELETES = 1024;

    public static final String ATTACHED = "attached";
    public static final String EXITED = "exited";
    public static final String WATCHING = "watching";

    private final Instrumenter instrumenter;
    private final ProcessResources resources;
    private final String defaultServiceName;
    private final ProcessWatch watch;
    private final String watchUnavailable;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    /** Attachments by the id the kernel stamps into events (the uprobes' cookie); read on the event path. */
    private final Map<Long, Attachment> attachments = new ConcurrentHashMap<>();
    private final Set<String> deleted = Collections.newSetFromMap(new BoundedMap<>(REMEMBERED_DELETES, new LongAdder()));
    private final AtomicLong nextId = new AtomicLong(1);
    private final int selfPid = (int) ProcessHandle.current().pid();
    private final ThreadPoolExecutor lifecycle;
    private final LongAdder lifecycleDropped = new LongAdder();
    private final Map<String, LongAdder> attachFailures = new ConcurrentHashMap<>();
    private volatile java.util.function.Consumer<String> onAttachFailure = reason -> {
    };
    private volatile java.util.function.IntConsumer onProcessGone = pid -> {
    };

    public TargetService(Instrumenter instrumenter, ProcessResources resources, String defaultServiceName) {
        this(instrumenter, resources, defaultServiceName, null, "process lifecycle is not watched");
    }

    /**
     * @param watch the scheduler's exec and exit events, or null when they could not be had: then exe globs are
     *        refused (saying {@code watchUnavailable}) and exited pid targets are not noticed
     */
    public TargetService(Instrumenter instrumenter, ProcessResources resources, String defaultServiceName,
            ProcessWatch watch, String watchUnavailable) {
        this.instrumenter = instrumenter;
        this.resources = resources;
        this.defaultServiceName = defaultServiceName;
        this.watch = watch;
        this.watchUnavailable = watchUnavailable;
        this.lifecycle = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(LIFECYCLE_QUEUE), r -> {
            Thread t = new Thread(r, "tracebee-targets");
            t.setDaemon(true);
            return t;
        }, (r, pool) -> lifecycleDropped.increment());
    }

    /** Attaches a target; throws {@link ProblemException} with a specific reason when it cannot (counted by reason). */
    public synchronized TargetView attach(TargetRequest request, String caller) {
        try {
            return attachOrRefuse(request, caller);
        } catch (ProblemException e) {
            attachFailures.computeIfAbsent(e.type(), k -> new LongAdder()).increment();
            onAttachFailure.accept(e.type());
            LOG.infof("refused an attach for %s: %s", caller, e.getMessage());
            throw e;
        }
    }

    private TargetView attachOrRefuse(TargetRequest request, String caller) {
        if (request == null) {
            throw ProblemException.badRequest("missing-body", "request body must be a JSON object like {\"pid\": 1234}, "
                    + "{\"exe\": \"/path/to/binary\"} or {\"exeGlob\": \"/srv/*/server\"}");
        }
        int given = (request.pid() != null ? 1 : 0) + (request.exe() != null ? 1 : 0) + (request.exeGlob() != null ? 1 : 0);
        if (given != 1) {
            throw ProblemException.badRequest("pid-or-exe", "give exactly one of \"pid\", \"exe\" or \"exeGlob\"");
        }
        String serviceName = request.serviceName();
        if (serviceName != null && serviceName.isBlank()) {
            throw ProblemException.badRequest("service-name", "\"serviceName\" must not be blank");
        }
        if (serviceName == null) {
            serviceName = defaultServiceName;
        }
        Target target;
        if (request.pid() != null) {
            target = attachPid(request.pid(), serviceName);
        } else if (request.exe() != null) {
            target = attachExe(request.exe(), serviceName);
        } else {
            target = attachGlob(request.exeGlob(), serviceName);
        }
        LOG.infof("attached target %s (%s) for %s: %s", target.id, target.describe(), caller, target.probes());
        return target.view();
    }

    private Target attachPid(int pid, String serviceName) {
        if (pid <= 0) {
            throw ProblemException.badRequest("bad-pid", "\"pid\" must be a positive process id, got " + pid);
        }
        if (pid == selfPid) {
            throw ProblemException.unprocessable("self", "pid " + pid + " is tracebee itself; it does not trace itself");
        }
        Path proc = Path.of("/proc", Integer.toString(pid));
        if (!Files.isDirectory(proc)) {
            throw ProblemException.notFound("no-such-process", "no process with pid " + pid + " is running");
        }
        for (Target t : targets.values()) {
            if (t.pid != null && t.pid == pid && t.state.equals(ATTACHED)) {
                throw ProblemException.conflict("duplicate-target", "pid " + pid + " is already attached as target " + t.id);
            }
        }
        String exe = ProcessResources.executablePath(pid);
        Object file = fileKey(proc.resolve("exe"));
        Target covering = coveringTarget(file, false);
        if (covering != null) {
            throw ProblemException.conflict("duplicate-target", "pid " + pid + " runs " + exe + ", which target "
                    + covering.id + " (" + covering.describe() + ") already traces: one binary is traced by one target");
        }
        Target t = new Target(Long.toString(nextId.getAndIncrement()), pid, exe, null, null, serviceName);
        t.fileKey = file;
        // /proc/<pid>/exe reaches the binary even from another mount namespace or after it was replaced on disk.
        t.add(instrument(t, proc.resolve("exe"), pid, exe));
        targets.put(t.id, t);
        if (watch != null) {
            watch.watchExit(pid);
            if (!Files.isDirectory(proc)) {
                exited(t);  // it exited before the kernel was told to say so
            }
        }
        return t;
    }

    private Target attachExe(String exe, String serviceName) {
        Path path = Path.of(exe);
        if (!path.isAbsolute()) {
            throw ProblemException.badRequest("exe-not-absolute", "\"exe\" must be an absolute path, got \"" + exe + "\"");
        }
        if (!Files.exists(path)) {
            throw ProblemException.notFound("no-such-file", "no file at " + exe);
        }
        if (!Files.isRegularFile(path)) {
            throw ProblemException.unprocessable("not-a-file", exe + " is not a regular file");
        }
        Object file = fileKey(path);
        Target covering = coveringTarget(file, true);
        if (covering != null) {
            throw ProblemException.conflict("duplicate-target", exe + " is already traced by target " + covering.id
                    + " (" + covering.describe() + "): one binary is traced by one target");
        }
        Target t = new Target(Long.toString(nextId.getAndIncrement()), null, exe, null, null, serviceName);
        t.fileKey = file;
        t.add(instrument(t, path, -1, exe));
        targets.put(t.id, t);
        return t;
    }

    private Target attachGlob(String glob, String serviceName) {
        if (watch == null) {
            throw ProblemException.unprocessable("exe-glob-unavailable",
                    "exe globs follow new processes through the scheduler's exec tracepoint, which is unavailable: "
                            + watchUnavailable);
        }
        if (glob.isBlank() || !glob.startsWith("/")) {
            throw ProblemException.badRequest("exe-glob-not-absolute", "\"exeGlob\" must be an absolute path pattern, got \""
                    + glob + "\"");
        }
        PathMatcher matcher;
        try {
            matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (PatternSyntaxException e) {
            throw ProblemException.badRequest("bad-glob", "\"exeGlob\" is not a valid glob: " + e.getDescription()
                    + " at index " + e.getIndex() + " of \"" + glob + "\"");
        }
        for (Target t : targets.values()) {
            if (glob.equals(t.glob)) {
                throw ProblemException.conflict("duplicate-target", glob + " is already attached as target " + t.id);
            }
        }
        Target t = new Target(Long.toString(nextId.getAndIncrement()), null, null, glob, matcher, serviceName);
        targets.put(t.id, t);
        watch.watchExecs(true);  // first: a process starting during the scan below is seen by one or the other
        for (int pid : runningPids()) {
            adopt(t, pid);
        }
        return t;
    }

    /** A glob target takes process pid's binary if it matches and is new to it (by file identity). */
    private void adopt(Target t, int pid) {
        if (pid == selfPid) {
            return;
        }
        Path link = Path.of("/proc", Integer.toString(pid), "exe");
        Path exe;
        try {
            exe = Files.readSymbolicLink(link);
        } catch (IOException | SecurityException e) {
            return;  // gone already, or a kernel thread
        }
        Object fileKey = t.matcher.matches(exe) ? fileKey(link) : null;
        if (fileKey == null || t.refused.containsKey(fileKey)) {
            return;
        }
        if (!t.binaries.containsKey(fileKey)) {
            Target covering = coveringTarget(fileKey, true);
            if (covering != null) {
                // its probes are already in this binary (a pid or exe target, another glob): attaching again would
                // double every span; a later process of it is looked at again once that target is gone
                LOG.infof("target %s (%s): %s (pid %d) is traced by target %s (%s), left to it", t.id, t.describe(),
                        exe, pid, covering.id, covering.describe());
                return;
            }
            // the file by its own path while it is the same file: /proc/<pid>/exe vanishes with the process, which
            // may exit before the probes are in (they attach for seconds here)
            Path binary = fileKey.equals(fileKey(exe)) ? exe : link;
            try {
                Attachment a = instrument(t, binary, -1, exe.toString());
                t.binaries.put(fileKey, a);
                t.add(a);
                LOG.infof("target %s (%s): attached to %s (pid %d): %s", t.id, t.describe(), exe, pid, a.instrumentation.probes());
            } catch (ProblemException e) {
                t.refused.put(fileKey, exe + ": " + e.getMessage());
                LOG.infof("target %s (%s): not attached to %s (pid %d): %s", t.id, t.describe(), exe, pid, e.getMessage());
                return;
            }
        }
        t.pids.add(pid);
    }

    private Attachment instrument(Target owner, Path binary, int attachPid, String exe) {
        long id = nextId.getAndIncrement();
        Instrumenter.Instrumentation inst;
        try {
            inst = instrumenter.instrument(binary, attachPid, id);
        } catch (TargetInspectionException e) {
            throw ProblemException.unprocessable(e.reason().name().toLowerCase().replace('_', '-'),
                    e.getMessage() != null ? e.getMessage() : exe + ": " + e.reason());
        }
        if (inst.probes().stream().noneMatch(p -> p.state().equals(ProbeState.ATTACHED))) {
            inst.close();
            StringBuilder why = new StringBuilder();
            inst.probes().forEach(p -> why.append(why.isEmpty() ? "" : "; ").append(p.library()).append(": ").append(p.reason()));
            throw ProblemException.unprocessable("no-supported-library",
                    exe + " contains no library tracebee can instrument (" + why + ")");
        }
        Attachment a = new Attachment(id, owner, exe, inst);
        attachments.put(id, a);
        return a;
    }

    @Override
    public void processEvent(ProcessEvent event) {
        lifecycle.execute(() -> {
            try {
                onProcess(event);
            } catch (RuntimeException e) {
                LOG.warnf(e, "process %d: handling its %s failed", event.pid(), event.exec() ? "exec" : "exit");
            }
        });
    }

    private synchronized void onProcess(ProcessEvent event) {
        for (Target t : targets.values()) {
            if (event.exec() && t.glob != null) {
                adopt(t, event.pid());
            } else if (!event.exec() && t.pid != null && t.pid == event.pid() && t.state.equals(ATTACHED)) {
                exited(t);
                LOG.infof("target %s (%s): the process exited; its probes are detached", t.id, t.describe());
            }
        }
    }

    private void exited(Target t) {
        t.closeAttachments();
        t.state = EXITED;
        if (watch != null && t.pid != null) {
            watch.unwatchExit(t.pid);
        }
        if (t.pid != null) {
            try {
                onProcessGone.accept(t.pid);
            } catch (RuntimeException e) {
                LOG.warnf(e, "target %s: forgetting the state of exited pid %d failed", t.id, t.pid);
            }
        }
    }

    public List<TargetView> list() {
        List<TargetView> out = new ArrayList<>();
        targets.values().stream().sorted(Comparator.comparingLong(t -> Long.parseLong(t.id))).forEach(t -> out.add(t.view()));
        return out;
    }

    public Optional<TargetView> get(String id) {
        Target t = targets.get(id);
        return t == null ? Optional.empty() : Optional.of(t.view());
    }

    /**
     * Detaches a target live. Idempotent: a target deleted before is deleted still (true); false only for an id
     * that never was a target.
     */
    public synchronized boolean detach(String id, String caller) {
        Target t = targets.remove(id);
        if (t == null) {
            return deleted.contains(id);
        }
        deleted.add(id);
        t.closeAttachments();
        if (watch != null) {
            if (t.pid != null) {
                watch.unwatchExit(t.pid);
            }
            if (t.glob != null && targets.values().stream().noneMatch(o -> o.glob != null)) {
                watch.watchExecs(false);
            }
        }
        LOG.infof("detached target %s (%s) for %s", t.id, t.describe(), caller);
        return true;
    }

    /** Detaches every target; returns how many there were. */
    public int detachAll(String caller) {
        List<String> ids = new ArrayList<>(targets.keySet());
        ids.forEach(id -> detach(id, caller));
        return ids.size();
    }

    /** Targets in a state ({@link #ATTACHED}, {@link #EXITED}, {@link #WATCHING}). */
    public long countInState(String state) {
        return targets.values().stream().filter(t -> t.state.equals(state)).count();
    }

    /** Told the problem type of every refused attach (e.g. to register a metric for a reason first seen). */
    public void onAttachFailure(java.util.function.Consumer<String> listener) {
        onAttachFailure = listener;
    }

    /**
     * Told the pid of every traced process the control plane learns has exited (a pid target's), once its probes
     * are detached: to forget what the kernel maps and the pipeline still hold for it. Runs on the control plane's
     * lifecycle thread.
     */
    public void onProcessGone(java.util.function.IntConsumer listener) {
        onProcessGone = listener;
    }

    /** Refused attach requests so far, by problem type (e.g. "not-go", "no-such-process"). */
    public Map<String, Long> attachFailures() {
        Map<String, Long> out = new java.util.TreeMap<>();
        attachFailures.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Process events the control plane could not keep up with (its queue was full). */
    public long lifecycleDropped() {
        return lifecycleDropped.sum();
    }

    /** How many attached targets have the library's probe in this state ("attached" or "skipped"). */
    public long probeCount(String library, String state) {
        return targets.values().stream()
                .filter(t -> t.probes().stream().anyMatch(p -> p.library().equals(library) && p.state().equals(state)))
                .count();
    }

    @Override
    public Resource resourceFor(long target, int pid) {
        Attachment a = attachments.get(target);
        if (a == null) {
            return null;
        }
        Map<Integer, Resource> byPid = a.owner.resourceByPid;
        Resource r = byPid.get(pid);
        if (r == null && byPid.size() >= MAX_PIDS_PER_TARGET) {
            byPid.clear(); // an exe target with many short-lived processes: rebuild lazily
        }
        // Built from what the target knows, never from /proc: the process may already have exited.
        return r != null ? r : byPid.computeIfAbsent(pid,
                p -> resources.forProcess(p, a.exe, a.owner.serviceName, a.instrumentation.goVersion()));
    }

    @Override
    public void close() {
        lifecycle.shutdownNow();
    }

    /**
     * The live target whose probes are in this binary file, or null: an exe or glob target's fire for all its
     * processes; a pid target's (counted when {@code pidTargets}) for its own only, so they clash with a new
     * attachment to the whole file but not with another process's pid target.
     */
    private Target coveringTarget(Object fileKey, boolean pidTargets) {
        if (fileKey == null) {
            return null;
        }
        for (Target t : targets.values()) {
            if (t.state.equals(EXITED) || (t.pid != null && !pidTargets)) {
                continue;
            }
            if (fileKey.equals(t.fileKey) || t.binaries.containsKey(fileKey)) {
                return t;
            }
        }
        return null;
    }

    /** A file's identity (device and inode), or null when it cannot be read. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private static List<Integer> runningPids() {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            proc.forEach(p -> pids.add(Integer.parseInt(p.getFileName().toString())));
        } catch (IOException e) {
            LOG.warnf("cannot list /proc: %s", e);
        }
        return pids;
    }

    /** Probes placed on one binary for one target; events carry its id. */
    private record Attachment(long id, Target owner, String exe, Instrumenter.Instrumentation instrumentation) {
    }

    private final class Target {
        final String id;
        final Integer pid;
        final String exe;
        final String glob;
        final PathMatcher matcher;
        final String serviceName;
        final Instant attachedAt = Instant.now();
        final List<Attachment> attached = new ArrayList<>();
        /** A glob's binaries, by file identity; and those it could not attach to, with why. */
        final Map<Object, Attachment> binaries = new ConcurrentHashMap<>();
        final Map<Object, String> refused = new ConcurrentHashMap<>();
        final Set<Integer> pids = ConcurrentHashMap.newKeySet();
        /** The file a pid or exe target attached to (device and inode). */
        volatile Object fileKey;
        final Map<Integer, Resource> resourceByPid = new ConcurrentHashMap<>();
        volatile String state;

        Target(String id, Integer pid, String exe, String glob, PathMatcher matcher, String serviceName) {
            this.id = id;
            this.pid = pid;
            this.exe = exe;
            this.glob = glob;
            this.matcher = matcher;
            this.serviceName = serviceName;
            this.state = glob != null ? WATCHING : ATTACHED;
            if (pid != null) {
                pids.add(pid);
            }
        }

        synchronized void add(Attachment a) {
            attached.add(a);
            state = ATTACHED;
        }

        /** The latest binary's probes; detached ones once the process exited. */
        synchronized List<ProbeState> probes() {
            if (attached.isEmpty()) {
                return List.of();
            }
            List<ProbeState> probes = attached.get(attached.size() - 1).instrumentation.probes();
            return state.equals(EXITED) ? probes.stream().map(ProbeState::detached).toList() : probes;
        }

        /** Detaches every binary's probes; the view keeps what they were. */
        synchronized void closeAttachments() {
            for (Attachment a : attached) {
                if (attachments.remove(a.id) != null) {
                    a.instrumentation.close();
                }
            }
        }

        String describe() {
            if (glob != null) {
                return "exe glob " + glob;
            }
            return pid != null ? "pid " + pid + " " + exe : "exe " + exe;
        }

        synchronized TargetView view() {
            Attachment last = attached.isEmpty() ? null : attached.get(attached.size() - 1);
            return new TargetView(id, pid, exe, glob, serviceName, last == null ? null : last.instrumentation.goVersion(),
                    state, attachedAt, probes(),
                    Stream.concat(pids.stream(), resourceByPid.keySet().stream()).distinct().sorted().toList(),
                    attached.stream().map(Attachment::exe).toList(), List.copyOf(refused.values()));
        }
    }
}
