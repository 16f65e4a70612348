package io.tracebee.control;

import io.tracebee.correlate.ProcessDirectory;
import io.tracebee.inspect.TargetInspectionException;
import io.tracebee.span.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The registry of traced targets: validates attach requests, attaches through the
 * {@link Instrumenter}, detaches live, and tells the pipeline which process each event came from.
 */
public final class TargetService implements ProcessDirectory {
    private static final Logger LOG = Logger.getLogger(TargetService.class);

    private final Instrumenter instrumenter;
    private final ProcessResources resources;
    private final String defaultServiceName;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    /** Targets by the id the kernel stamps into events; read on the event path. */
    private final Map<Long, Target> targetsById = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final int selfPid = (int) ProcessHandle.current().pid();
    private static final int MAX_PIDS_PER_TARGET = 4096;

    public TargetService(Instrumenter instrumenter, ProcessResources resources, String defaultServiceName) {
        this.instrumenter = instrumenter;
        this.resources = resources;
        this.defaultServiceName = defaultServiceName;
    }

    /** Attaches a target; throws {@link ProblemException} with a specific reason when it cannot. */
    public TargetView attach(TargetRequest request, String caller) {
        if (request == null) {
            throw ProblemException.badRequest("missing-body",
                    "request body must be a JSON object like {\"pid\": 1234} or {\"exe\": \"/path/to/binary\"}");
        }
        if ((request.pid() == null) == (request.exe() == null)) {
            throw ProblemException.badRequest("pid-or-exe", "give exactly one of \"pid\" or \"exe\"");
        }
        String serviceName = request.serviceName();
        if (serviceName != null && serviceName.isBlank()) {
            throw ProblemException.badRequest("service-name", "\"serviceName\" must not be blank");
        }
        if (serviceName == null) {
            serviceName = defaultServiceName;
        }
        Target target = request.pid() != null ? attachPid(request.pid(), serviceName) : attachExe(request.exe(), serviceName);
        LOG.infof("attached target %s (%s) for %s: %s", target.id, target.describe(), caller, target.instrumentation.probes());
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
            if (t.pid != null && t.pid == pid) {
                throw ProblemException.conflict("duplicate-target", "pid " + pid + " is already attached as target " + t.id);
            }
        }
        String exe = ProcessResources.executablePath(pid);
        // /proc/<pid>/exe reaches the binary even from another mount namespace or after it was replaced on disk.
        return instrument(proc.resolve("exe"), pid, pid, exe, serviceName);
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
        for (Target t : targets.values()) {
            if (t.pid == null && sameFile(Path.of(t.exe), path)) {
                throw ProblemException.conflict("duplicate-target", exe + " is already attached as target " + t.id);
            }
        }
        return instrument(path, -1, null, exe, serviceName);
    }

    private Target instrument(Path binary, int attachPid, Integer pid, String exe, String serviceName) {
        long id = nextId.getAndIncrement();
        Instrumenter.Instrumentation inst;
        try {
            inst = instrumenter.instrument(binary, attachPid, id);
        } catch (TargetInspectionException e) {
            String what = exe != null ? exe : binary.toString();
            throw ProblemException.unprocessable(e.reason().name().toLowerCase().replace('_', '-'),
                    e.getMessage() != null ? e.getMessage() : what + ": " + e.reason());
        }
        if (inst.probes().stream().noneMatch(p -> p.state().equals("attached"))) {
            inst.close();
            StringBuilder why = new StringBuilder();
            inst.probes().forEach(p -> why.append(why.isEmpty() ? "" : "; ").append(p.library()).append(": ").append(p.reason()));
            throw ProblemException.unprocessable("no-supported-library",
                    (exe != null ? exe : binary) + " contains no library tracebee can instrument (" + why + ")");
        }
        Target t = new Target(id, pid, exe, serviceName, inst, Instant.now());
        targetsById.put(id, t);
        targets.put(t.id, t);
        return t;
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

    /** Detaches a target live; returns false if no such target exists. */
    public boolean detach(String id, String caller) {
        Target t = targets.remove(id);
        if (t == null) {
            return false;
        }
        targetsById.remove(t.numericId);
        t.instrumentation.close();
        LOG.infof("detached target %s (%s) for %s", t.id, t.describe(), caller);
        return true;
    }

    public void detachAll(String caller) {
        new ArrayList<>(targets.keySet()).forEach(id -> detach(id, caller));
    }

    public int attachedCount() {
        return targets.size();
    }

    /** How many attached targets have the library's probe in this state ("attached" or "skipped"). */
    public long probeCount(String library, String state) {
        return targets.values().stream()
                .filter(t -> t.instrumentation.probes().stream()
                        .anyMatch(p -> p.library().equals(library) && p.state().equals(state)))
                .count();
    }

    @Override
    public Resource resourceFor(long target, int pid) {
        Target t = targetsById.get(target);
        if (t == null) {
            return null;
        }
        Resource r = t.resourceByPid.get(pid);
        if (r == null && t.resourceByPid.size() >= MAX_PIDS_PER_TARGET) {
            t.resourceByPid.clear(); // an exe target with many short-lived processes: rebuild lazily
        }
        // Built from what the target knows, never from /proc: the process may already have exited.
        return r != null ? r : t.resourceByPid.computeIfAbsent(pid,
                p -> resources.forProcess(p, t.exe, t.serviceName, t.instrumentation.goVersion()));
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static final class Target {
        final String id;
        final long numericId;
        final Integer pid;
        final String exe;
        final String serviceName;
        final Instrumenter.Instrumentation instrumentation;
        final Instant attachedAt;
        final Map<Integer, Resource> resourceByPid = new ConcurrentHashMap<>();

        Target(long id, Integer pid, String exe, String serviceName, Instrumenter.Instrumentation inst, Instant at) {
            this.numericId = id;
            this.id = Long.toString(id);
            this.pid = pid;
            this.exe = exe;
            this.serviceName = serviceName;
            this.instrumentation = inst;
            this.attachedAt = at;
        }

        String describe() {
            return pid != null ? "pid " + pid + " " + exe : "exe " + exe;
        }

        TargetView view() {
            return new TargetView(id, pid, exe, serviceName, instrumentation.goVersion(), "attached", attachedAt,
                    instrumentation.probes(), resourceByPid.keySet().stream().sorted().toList());
        }
    }
}
