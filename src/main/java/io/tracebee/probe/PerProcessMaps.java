package io.tracebee.probe;

import io.tracebee.bpf.BpfMap;
import io.tracebee.bpf.BpfObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The BPF maps that hold state of individual processes — in-flight calls, goroutines' current spans, contexts,
 * routes, offers — across the shared maps and every loaded probe object, and the removal of a process's entries
 * once it is gone. Which maps those are is read from each map's BTF key type ({@link BpfObject#perProcessMaps()}),
 * never listed by hand. A call that never returns because its process died would otherwise stay until its LRU
 * map evicts it.
 *
 * <p>Objects are registered when loaded and forgotten before they are closed; both wait for a purge in progress,
 * so a purge never touches the descriptor of a map already closed (the number may have been reused).
 */
public final class PerProcessMaps {
    /** The maps of each registered object; a map shared by several objects is walked once, by its kernel id. */
    private final Map<BpfObject, List<BpfMap>> objects = new LinkedHashMap<>();

    /** Adds a loaded object's per-process maps. */
    public void register(BpfObject object) {
        List<BpfMap> maps = object.perProcessMaps();
        synchronized (this) {
            objects.put(object, maps);
        }
    }

    /** Before the object is closed. */
    public synchronized void forget(BpfObject object) {
        objects.remove(object);
    }

    /** Deletes every entry whose key leads with pid; returns how many. */
    public synchronized int purge(int pid) {
        int deleted = 0;
        for (BpfMap map : maps()) {
            deleted += map.deleteKeysLeadingWith(pid);
        }
        return deleted;
    }

    /** The processes that have entries. */
    public synchronized Set<Integer> pids() {
        Set<Integer> pids = new TreeSet<>();
        for (BpfMap map : maps()) {
            pids.addAll(map.leadingInts());
        }
        return pids;
    }

    /** Entries of process pid, by map name (maps without any left out). */
    public synchronized Map<String, Integer> entriesOf(int pid) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (BpfMap map : maps()) {
            int n = map.countKeysLeadingWith(pid);
            if (n > 0) {
                out.merge(map.name(), n, Integer::sum);
            }
        }
        return out;
    }

    /** The name of every registered map (a name repeats when several objects have a map of it). */
    public synchronized List<String> mapNames() {
        return maps().stream().map(BpfMap::name).sorted().toList();
    }

    private List<BpfMap> maps() {
        Map<Integer, BpfMap> byId = new LinkedHashMap<>();
        objects.values().forEach(list -> list.forEach(m -> byId.putIfAbsent(m.id(), m)));
        return new ArrayList<>(byId.values());
    }
}
