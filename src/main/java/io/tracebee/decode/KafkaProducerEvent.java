package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;

/**
 * One message of a kafka-go {@code (*Writer).WriteMessages} call, as the probe saw it when the call returned
 * ({@code struct tb_kafka_producer_event}), read in place ({@link RecordView}: valid while its batch is).
 */
public final class KafkaProducerEvent extends RecordView implements TracedEvent {

    KafkaProducerEvent(byte[] d, int off, RepeatedStrings repeated) {
        super(d, off, repeated);
    }

    /** The message's topic (its own, else the Writer's), at most {@link EventLayout#KAFKA_TOPIC_MAX} bytes. */
    public String topic() {
        return repeatedUtf8(KP_TOPIC, KP_TOPIC_LEN, KAFKA_TOPIC_MAX);
    }

    /** The first {@link EventLayout#KAFKA_KEY_MAX} bytes of the key; empty without one. */
    public byte[] key() {
        return bytes(KP_KEY, length(KP_KEY_LEN, KAFKA_KEY_MAX));
    }

    /** The key's real length. */
    public int keyLength() {
        return i32(KP_KEY_FULL_LEN);
    }

    /** The value's length in bytes. */
    public int valueLength() {
        return i32(KP_VALUE_LEN);
    }

    /** The partition, or -1 when not known when the call returned (e.g. an async writer). */
    public int partition() {
        return i32(KP_PARTITION);
    }

    /** The offset the broker assigned, or -1 when not known (acks=0, async writers). */
    public long offset() {
        return i64(KP_OFFSET);
    }

    /** Messages in the call. */
    public int batchCount() {
        return i32(KP_BATCH_COUNT);
    }

    /** The call returned an error. */
    public boolean error() {
        return (u16(KP_FLAGS) & KAFKA_FLAG_ERROR) != 0;
    }

    /** The message has no value. */
    public boolean tombstone() {
        return (u16(KP_FLAGS) & KAFKA_FLAG_TOMBSTONE) != 0;
    }
}
