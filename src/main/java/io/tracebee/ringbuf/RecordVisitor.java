package io.tracebee.ringbuf;

import java.nio.ByteBuffer;

/** Receives records straight from ring-buffer memory; data is only valid during the call. */
@FunctionalInterface
public interface RecordVisitor {
    /** data is read-only and in native byte order; the record occupies [offset, offset + length). */
    void record(ByteBuffer data, int offset, int length);
}
