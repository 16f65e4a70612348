package io.tracebee.decode;

/**
 * One message returned by kafka-go's {@code (*Reader).FetchMessage}, as the probe saw it when the call returned.
 *
 * @param topic at most {@link EventLayout#KAFKA_TOPIC_MAX} bytes of it
 * @param key the first {@link EventLayout#KAFKA_KEY_MAX} bytes of the key; empty without one
 * @param keyLength the key's real length
 * @param valueLength the value's length in bytes
 * @param group the reader's consumer group; empty for a reader of one partition
 * @param link how the kernel found the message's producer span (the span's parent)
 * @param traceState the tracestate header that came with the message's traceparent, or empty
 * @param tombstone the message has no value
 */
public record KafkaConsumerEvent(EventHeader header, String topic, byte[] key, int keyLength, int valueLength,
        int partition, long offset, String group, Link link, String traceState, boolean tombstone)
        implements TracedEvent {

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
