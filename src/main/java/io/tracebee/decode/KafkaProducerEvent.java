package io.tracebee.decode;

/**
 * One message of a kafka-go {@code (*Writer).WriteMessages} call, as the probe saw it when the call returned.
 *
 * @param topic the message's topic (its own, else the Writer's), at most {@link EventLayout#KAFKA_TOPIC_MAX} bytes
 * @param key the first {@link EventLayout#KAFKA_KEY_MAX} bytes of the key; empty without one
 * @param keyLength the key's real length
 * @param valueLength the value's length in bytes
 * @param partition the partition, or -1 when not known when the call returned (e.g. an async writer)
 * @param offset the offset the broker assigned, or -1 when not known (acks=0, async writers)
 * @param batchCount messages in the call
 * @param error the call returned an error
 * @param tombstone the message has no value
 */
public record KafkaProducerEvent(EventHeader header, String topic, byte[] key, int keyLength, int valueLength,
        int partition, long offset, int batchCount, boolean error, boolean tombstone) implements TracedEvent {
}
