package io.tracebee.ringbuf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.tracebee.bpf.BpfMap;
import io.tracebee.bpf.BpfObject;
import io.tracebee.bpf.BpfProgram;

/**
 * Drives src/test/bpf/ringbuf_bench.bpf.c: an XDP program run through BPF_PROG_TEST_RUN that emits 64-byte records
 * into its ring buffer "events". One producer at a time (its counters are plain increments).
 */
final class BenchProducer implements AutoCloseable {
    static final int RECORD_SIZE = 64;
    static final int SLOT = 72;
    static final int MAGIC = 0x7462656e;
    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final BpfObject object;
    private final BpfProgram produce;
    private final BpfMap state;

    BenchProducer(int ringBytes, int discardEvery) {
        this(ringBytes, discardEvery, 0);
    }

    /** wakeupThreshold > 0: wake the reader only when that many bytes are pending (else the kernel's adaptive wake-up). */
    BenchProducer(int ringBytes, int discardEvery, long wakeupThreshold) {
        this.object = load("bpf/ringbuf_bench.bpf.o", obj -> obj.setMapMaxEntries("events", ringBytes)
                .setRodata("discard_every", discardEvery)
                .setRodata("wakeup_threshold", wakeupThreshold));
        this.produce = object.program("produce");
        this.state = object.map("state");
    }

    /** Opens a test BPF object, configures it and loads it; closed again if either fails. */
    static BpfObject load(String resource, java.util.function.Consumer<BpfObject> configure) {
        BpfObject obj = BpfObject.openResource(resource);
        try {
            configure.accept(obj);
            return obj.load();
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    int ringFd() {
        return object.mapFd("events");
    }

    /** Runs the program repeat times, each emitting n records. */
    void produce(int n, int repeat) {
        byte[] packet = new byte[64];
        ByteBuffer.wrap(packet).order(ByteOrder.LITTLE_ENDIAN).putInt(0, n);
        produce.testRun(packet, null, repeat);
    }

    /** {next_seq, produced, dropped} as counted in the kernel. */
    long[] state() {
        ByteBuffer b = ByteBuffer.wrap(state.lookup(0)).order(ByteOrder.LITTLE_ENDIAN);
        return new long[] {b.getLong(0), b.getLong(8), b.getLong(16)};
    }

    /** Throws unless the record at offset is the intact record number seq. */
    static void check(ByteBuffer data, int offset, int length, long seq) {
        if (length != RECORD_SIZE) {
            throw new AssertionError("record " + seq + ": length " + length);
        }
        long got = data.getLong(offset);
        if (got != seq) {
            throw new AssertionError("expected record " + seq + ", got " + got);
        }
        if (data.getInt(offset + 8) != RECORD_SIZE || data.getInt(offset + 12) != MAGIC) {
            throw new AssertionError("record " + seq + ": bad size/magic");
        }
        for (int i = 0; i < 6; i++) {
            if (data.getLong(offset + 16 + 8 * i) != (seq ^ ((i + 1) * GOLDEN))) {
                throw new AssertionError("record " + seq + ": word " + i + " corrupt");
            }
        }
    }

    static long seqOf(ByteBuffer data, int offset) {
        return data.getLong(offset);
    }

    @Override
    public void close() {
        object.close();
    }
}
