package io.tracebee.probe;

import io.tracebee.bpf.BpfMap;
import io.tracebee.bpf.BpfObject;

/**
 * The scheduler's word on process lifecycle ({@code src/main/bpf/process_watch.bpf.c}): an exec of any process
 * while exe-glob targets exist, and the exit of processes the control plane waits for, as
 * {@code ProcessEvent}s in the shared ring buffer — driven by the tracepoints, never by polling {@code /proc}.
 */
public final class ProcessWatch implements AutoCloseable {
    static final String OBJECT = "bpf/process_watch.bpf.o";

    private final BpfObject object;
    private final AutoCloseable execLink;
    private final AutoCloseable exitLink;

    private ProcessWatch(BpfObject object, AutoCloseable execLink, AutoCloseable exitLink) {
        this.object = object;
        this.execLink = execLink;
        this.exitLink = exitLink;
    }

    /** Loads and attaches both tracepoints, sharing {@code maps}' ring buffer; throws when the kernel refuses. */
    public static ProcessWatch start(SharedMaps maps) {
        BpfObject object = BpfObject.openResource(OBJECT);
        AutoCloseable exec = null;
        try {
            maps.share(object);
            object.load();
            exec = object.program("tb_process_exec").attach();
            AutoCloseable exit = object.program("tb_process_exit").attach();
            return new ProcessWatch(object, exec, exit);
        } catch (RuntimeException e) {
            Closing.quietly(exec, "the exec tracepoint");
            object.close();
            throw e;
        }
    }

    /** Whether execs are reported (while exe-glob targets exist). */
    public void watchExecs(boolean on) {
        object.map("tb_watch_exec").update(BpfMap.u32(0), BpfMap.u32(on ? 1 : 0));
    }

    /** Reports when process {@code pid} exits. */
    public void watchExit(int pid) {
        object.map("tb_watch_tgids").update(BpfMap.u32(pid), new byte[] {1});
    }

    public void unwatchExit(int pid) {
        object.map("tb_watch_tgids").delete(BpfMap.u32(pid));
    }

    @Override
    public void close() {
        Closing.quietly(execLink, "the exec tracepoint");
        Closing.quietly(exitLink, "the exit tracepoint");
        object.close();
    }
}
