package io.tracebee.span;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.EventBytes;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.KafkaConsumerEvent.Link;
import io.tracebee.decode.TracedEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Kafka messages as PRODUCER and CONSUMER spans (messaging semantic conventions 1.37). */
class KafkaSpanAssemblyTest {
    private static final Resource RESOURCE = new Resource(Attributes.builder().put("service.name", "svc").build());
    private final SpanAssembler assembler = new SpanAssembler(WallClock.javaClocks());

    @Test
    void aProducedMessageIsAProducerSpanNamedForItsTopic() {
        Span s = assemble(header(EventBytes.kafkaProducer("orders", bytes("order-7"), 7, 120, 3, 41, 1, 0),
                EventLayout.ORIGIN_LOCAL));
        assertThat(s.name()).isEqualTo("orders publish");
        assertThat(s.kind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(s.scope()).isEqualTo(SpanAssembler.SCOPE_KAFKA_GO);
        assertThat(s.statusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(s.attributes().asMap()).containsEntry("messaging.system", "kafka")
                .containsEntry("messaging.operation.type", "send")
                .containsEntry("messaging.operation.name", "publish")
                .containsEntry("messaging.destination.name", "orders")
                .containsEntry("messaging.kafka.message.key", "order-7")
                .containsEntry("messaging.destination.partition.id", "3")
                .containsEntry("messaging.kafka.offset", 41L)
                .containsEntry("messaging.message.body.size", 120L)
                .doesNotContainKey("messaging.batch.message_count")
                .doesNotContainKey("messaging.kafka.message.tombstone");
    }

    @Test
    void whatIsNotKnownIsLeftOutAndAFailedWriteIsAnError() {
        // acks=0 or async: no offset; no key; one of a batch of 5; WriteMessages failed
        Span s = assemble(header(EventBytes.kafkaProducer("audit", new byte[0], 0, 0, -1, -1, 5,
                EventLayout.KAFKA_FLAG_ERROR | EventLayout.KAFKA_FLAG_TOMBSTONE), EventLayout.ORIGIN_LOCAL));
        assertThat(s.attributes().asMap()).containsEntry("messaging.batch.message_count", 5L)
                .containsEntry("messaging.kafka.message.tombstone", true)
                .containsEntry("error.type", "_OTHER")
                .doesNotContainKeys("messaging.kafka.message.key", "messaging.destination.partition.id",
                        "messaging.kafka.offset");
        assertThat(s.statusCode()).isEqualTo(StatusCode.ERROR);
    }

    @Test
    void aFetchedMessageIsAConsumerSpanWithItsGroupAndTheProducersTraceState() {
        Span s = assemble(header(EventBytes.kafkaConsumer("orders", bytes("order-7"), 7, 120, 0, 12, "billing",
                Link.HEADER.ordinal(), "vendor=1", 0), EventLayout.ORIGIN_HEADER));
        assertThat(s.name()).isEqualTo("orders receive");
        assertThat(s.kind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(s.attributes().asMap()).containsEntry("messaging.operation.type", "receive")
                .containsEntry("messaging.destination.partition.id", "0")
                .containsEntry("messaging.kafka.offset", 12L)
                .containsEntry("messaging.consumer.group.name", "billing")
                .containsEntry("messaging.kafka.message.key", "order-7");
        assertThat(s.traceState()).isEqualTo("vendor=1");
        assertThat(s.parentRemote()).isTrue();

        Span noGroup = assemble(header(EventBytes.kafkaConsumer("orders", new byte[0], 0, 1, 0, 13, "",
                Link.OFFSET.ordinal(), "", 0), EventLayout.ORIGIN_LOCAL));
        assertThat(noGroup.attributes().asMap()).doesNotContainKey("messaging.consumer.group.name");
        assertThat(noGroup.parentRemote()).as("producer in the same process").isFalse();
    }

    @Test
    void onlyAWholeUtf8KeyIsShown() {
        assertThat(MessagingSemconv.messageKey(bytes("k"), 1)).isEqualTo("k");
        assertThat(MessagingSemconv.messageKey(bytes("cut"), 100)).as("longer than the probe copied").isNull();
        assertThat(MessagingSemconv.messageKey(new byte[] {(byte) 0xff, 0x00}, 2)).as("binary").isNull();
        assertThat(MessagingSemconv.messageKey(new byte[0], 0)).isNull();
    }

    private Span assemble(TracedEvent e) {
        return assembler.assemble(new CorrelatedEvent(e, e.header().traceId(), e.header().parentSpanId(),
                e.header().traceFlags(), RESOURCE));
    }

    private static TracedEvent header(EventBytes record, int parentOrigin) {
        byte[] trace = new byte[16];
        trace[0] = 9;
        return record.pid(1, 1).times(1_000_000, 2_000_000).target(1)
                .ids(trace, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, new byte[] {8, 7, 6, 5, 4, 3, 2, 1})
                .parentOrigin(parentOrigin).decode();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
