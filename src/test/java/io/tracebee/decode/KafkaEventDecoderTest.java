package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The kafka-go records, built by hand as the kernel lays them out. */
class KafkaEventDecoderTest {
    private final EventDecoder decoder = new EventDecoder();

    @Test
    void decodesAProducerRecord() {
        ByteBuffer b = record(KIND_KAFKA_PRODUCER, KAFKA_PRODUCER_SIZE);
        b.putLong(KP_OFFSET, 41).putInt(KP_PARTITION, 2).putInt(KP_BATCH_COUNT, 3).putInt(KP_KEY_FULL_LEN, 5)
                .putInt(KP_VALUE_LEN, 1000).putShort(KP_FLAGS, (short) (KAFKA_FLAG_ERROR | KAFKA_FLAG_TOMBSTONE));
        str(b, KP_TOPIC, KP_TOPIC_LEN, "orders");
        str(b, KP_KEY, KP_KEY_LEN, "k-123");

        KafkaProducerEvent e = (KafkaProducerEvent) decoder.decodeOne(b.array(), 0, KAFKA_PRODUCER_SIZE);
        assertThat(e.header().pid()).isEqualTo(42);
        assertThat(e.topic()).isEqualTo("orders");
        assertThat(new String(e.key(), StandardCharsets.UTF_8)).isEqualTo("k-123");
        assertThat(e.keyLength()).isEqualTo(5);
        assertThat(e.valueLength()).isEqualTo(1000);
        assertThat(e.partition()).isEqualTo(2);
        assertThat(e.offset()).isEqualTo(41);
        assertThat(e.batchCount()).isEqualTo(3);
        assertThat(e.error()).isTrue();
        assertThat(e.tombstone()).isTrue();
    }

    @Test
    void decodesAConsumerRecordWithHowItsParentWasFound() {
        ByteBuffer b = record(KIND_KAFKA_CONSUMER, KAFKA_CONSUMER_SIZE);
        b.putLong(KC_OFFSET, 7).putInt(KC_PARTITION, 0).putInt(KC_KEY_FULL_LEN, 0).putInt(KC_VALUE_LEN, 12)
                .put(KC_LINK, (byte) KAFKA_LINK_FINGERPRINT).put(H_PARENT + SC_ORIGIN, (byte) ORIGIN_MESSAGE);
        str(b, KC_TOPIC, KC_TOPIC_LEN, "audit");
        str(b, KC_GROUP, KC_GROUP_LEN, "billing");
        str(b, KC_TRACESTATE, KC_TRACESTATE_LEN, "vendor=1");

        KafkaConsumerEvent e = (KafkaConsumerEvent) decoder.decodeOne(b.array(), 0, KAFKA_CONSUMER_SIZE);
        assertThat(e.topic()).isEqualTo("audit");
        assertThat(e.key()).isEmpty();
        assertThat(e.offset()).isEqualTo(7);
        assertThat(e.group()).isEqualTo("billing");
        assertThat(e.link()).isEqualTo(KafkaConsumerEvent.Link.FINGERPRINT);
        assertThat(e.traceState()).isEqualTo("vendor=1");
        assertThat(e.tombstone()).isFalse();
        assertThat(e.header().parentRemote()).isTrue();
    }

    @Test
    void anUnknownLinkCodeAndCorruptLengthsStayInsideTheRecord() {
        ByteBuffer b = record(KIND_KAFKA_CONSUMER, KAFKA_CONSUMER_SIZE);
        b.put(KC_LINK, (byte) 99).putShort(KC_TOPIC_LEN, (short) 0xffff).putShort(KC_KEY_LEN, (short) 0xffff);
        KafkaConsumerEvent e = (KafkaConsumerEvent) decoder.decodeOne(b.array(), 0, KAFKA_CONSUMER_SIZE);
        assertThat(e.link()).isEqualTo(KafkaConsumerEvent.Link.NONE);
        assertThat(e.topic()).hasSize(KAFKA_TOPIC_MAX);
        assertThat(e.key()).hasSize(KAFKA_KEY_MAX);
        assertThat(decoder.decodeOne(b.array(), 0, KAFKA_CONSUMER_SIZE - 1)).as("short record").isNull();
        assertThat(decoder.decodeErrors()).isEqualTo(1);
    }

    private static ByteBuffer record(int kind, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(H_KIND, kind).putInt(H_SIZE, size).putInt(H_PID, 42);
        return b;
    }

    private static void str(ByteBuffer b, int at, int lenAt, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.put(at, bytes).putShort(lenAt, (short) bytes.length);
    }
}
