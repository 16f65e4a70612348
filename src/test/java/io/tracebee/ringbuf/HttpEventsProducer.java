package io.tracebee.ringbuf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.tracebee.bpf.BpfMap;
import io.tracebee.bpf.BpfObject;
import io.tracebee.bpf.BpfProgram;
import io.tracebee.decode.EventLayout;

/**
 * Drives src/test/bpf/http_events_bench.bpf.c: an XDP program run through BPF_PROG_TEST_RUN that emits the record
 * one traced net/http server request produces (struct tb_http_server_event, distinct trace and span ids) into its
 * ring buffer "events". One producer at a time.
 */
public final class HttpEventsProducer implements AutoCloseable {
    /** Ring slot of one record: the event plus the 8-byte ring header, 8-aligned. */
    public static final int SLOT = (EventLayout.HTTP_SERVER_SIZE + 8 + 7) & ~7;

    private final BpfObject object;
    private final BpfProgram produce;
    private final BpfMap state;
    private final byte[] packet = new byte[64];
    private final ByteBuffer params = ByteBuffer.wrap(packet).order(ByteOrder.LITTLE_ENDIAN);

    /** A ring of ringBytes; wakeupBytes as the probes' tb_wakeup_bytes (0: the kernel's adaptive wake-up). */
    public HttpEventsProducer(int ringBytes, long wakeupBytes, int pid, long target) {
        this.object = BenchProducer.load("bpf/http_events_bench.bpf.o",
                obj -> obj.setMapMaxEntries("events", ringBytes).setRodata("wakeup_threshold", wakeupBytes));
        this.produce = object.program("produce");
        this.state = object.map("state");
        params.putInt(4, pid).putLong(8, target);
    }

    public int ringFd() {
        return object.mapFd("events");
    }

    /** Records that fit an empty ring of ringBytes (the kernel keeps one slot free). */
    public static int fill(int ringBytes) {
        return ringBytes / SLOT - 1;
    }

    /** Emits n records in one run. */
    public void produce(int n) {
        params.putInt(0, n);
        produce.testRun(packet, null, 1);
    }

    /** {next_seq, produced, dropped} as counted in the kernel. */
    public long[] state() {
        ByteBuffer b = ByteBuffer.wrap(state.lookup(0)).order(ByteOrder.LITTLE_ENDIAN);
        return new long[] {b.getLong(0), b.getLong(8), b.getLong(16)};
    }

    @Override
    public void close() {
        object.close();
    }
}
