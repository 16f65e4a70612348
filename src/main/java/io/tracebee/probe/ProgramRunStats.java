package io.tracebee.probe;

import io.tracebee.bpf.BpfObject;
import io.tracebee.bpf.BpfProgram;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The kernel's run count and run time of every probe program, by program name, summed over all targets: live
 * objects are read when asked, and a detached object's totals are kept, so the sums never go down (they are
 * Prometheus counters). The kernel counts only while statistics are on ({@code RunTimeStats}).
 */
public final class ProgramRunStats {
    /** Totals of one program name: runs and nanoseconds. */
    public record Totals(long runs, long nanos) {
    }

    private final Set<BpfObject> live = new LinkedHashSet<>();
    private final Map<String, long[]> retired = new HashMap<>();
    private final Set<String> names = new LinkedHashSet<>();
    private volatile Consumer<String> onNewProgram = name -> {
    };

    /** Called once per program name, when an object with it is first loaded (e.g. to register its metrics). */
    public void onNewProgram(Consumer<String> listener) {
        List<String> known;
        synchronized (this) {
            onNewProgram = listener;
            known = List.copyOf(names);
        }
        known.forEach(listener);
    }

    synchronized void loaded(BpfObject object) {
        live.add(object);
        for (String p : object.programNames()) {
            if (names.add(p)) {
                onNewProgram.accept(p);
            }
        }
    }

    /** Keeps the totals of an object about to be closed. */
    synchronized void retiring(BpfObject object) {
        if (live.remove(object)) {
            add(object, retired);
        }
    }

    public synchronized Totals totals(String program) {
        long[] r = retired.get(program);
        long runs = r == null ? 0 : r[0];
        long nanos = r == null ? 0 : r[1];
        for (BpfObject o : live) {
            if (o.programNames().contains(program)) {
                BpfProgram.ProgramStats s = o.program(program).stats();
                runs += s.runCount();
                nanos += s.runTimeNanos();
            }
        }
        return new Totals(runs, nanos);
    }

    private static void add(BpfObject object, Map<String, long[]> into) {
        for (String p : object.programNames()) {
            BpfProgram.ProgramStats s = object.program(p).stats();
            long[] t = into.computeIfAbsent(p, k -> new long[2]);
            t[0] += s.runCount();
            t[1] += s.runTimeNanos();
        }
    }
}
