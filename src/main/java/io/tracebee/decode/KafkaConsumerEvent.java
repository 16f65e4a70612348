package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;

/**
 * One message returned by kafka-go's {@code (*Reader).FetchMessage}, as the probe saw it when the call returned
 * ({@code struct tb_kafka_consumer_event}), read in place ({@link RecordView}: valid while its batch is).
 */
public final class KafkaConsumerEvent extends RecordView implements TracedEvent {

    KafkaConsumerEvent(byte[] d, int off, RepeatedStrings repeated) {
        super(d, off, repeated);
    }

    /** At most {@link EventLayout#KAFKA_TOPIC_MAX} bytes of it. */
    public String topic() {
        return repeatedUtf8(KC_TOPIC, KC_TOPIC_LEN, KAFKA_TOPIC_MAX);
    }

    /** The first {@link EventLayout#KAFKA_KEY_MAX} bytes of the key; empty without one. */
    public byte[] key() {
        return bytes(KC_KEY, length(KC_KEY_LEN, KAFKA_KEY_MAX));
    }

    /** The key's real length. */
    public int keyLength() {
        return i32(KC_KEY_FULL_LEN);
    }

    /** The value's length in bytes. */
    public int valueLength() {
        return i32(KC_VALUE_LEN);
    }

    public int partition() {
        return i32(KC_PARTITION);
    }

    public long offset() {
        return i64(KC_OFFSET);
    }

    /** The reader's consumer group; empty for a reader of one partition. */
    public String group() {
        return repeatedUtf8(KC_GROUP, KC_GROUP_LEN, KAFKA_GROUP_MAX);
    }

    /** How the kernel found the message's producer span (the span's parent). */
    public Link link() {
        return Link.of(u8(KC_LINK));
    }

    /** The tracestate header that came with the message's traceparent, or empty. */
    public String traceState() {
        return ascii(KC_TRACESTATE, KC_TRACESTATE_LEN, TRACESTATE_MAX);
    }

    /** The message has no value. */
    public boolean tombstone() {
        return (u16(KC_FLAGS) & KAFKA_FLAG_TOMBSTONE) != 0;
    }

    /** enum tb_kafka_link_kind, in its order. */
    public enum Link {
        /** No traced producer known: the parent is the goroutine's span, or none. */
        NONE,
        /** A W3C traceparent header in the message. */
        HEADER,
        /** A traced producer on this host, by topic, partition and offset. */
        OFFSET,
        /** A traced producer on this host, by content: the only traced send of it in the window. */
        FINGERPRINT,
        /** The content matched several traced sends: left unlinked. */
        AMBIGUOUS;

        static Link of(int code) {
            Link[] all = values();
            return code >= 0 && code < all.length ? all[code] : NONE;
        }
    }
}
