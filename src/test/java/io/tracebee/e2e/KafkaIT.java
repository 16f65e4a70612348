package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.e2e.Collector.ReceivedSpan;
import io.tracebee.peers.KafkaBroker;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * kafka-go end to end on this lockdown kernel (no writes to either process, so no header is added to
 * messages): a request to service "shop" produces messages to a real Kafka broker; service "billing", a
 * separate process built with another Go release and the oldest supported kafka-go, consumes them and
 * acknowledges each with an HTTP call. At a real OpenTelemetry Collector, each request is one trace:
 * shop's SERVER -> PRODUCER -> billing's CONSUMER -> CLIENT -> SERVER, linked on this host by the
 * kernel (offset or content), or by a traceparent header the application put in the message.
 */
class KafkaIT {
    private static final int PRODUCER = 4;
    private static final int CONSUMER = 5;
    private static final String LINKS = "tracebee_context_message_links_total{result=\"%s\",}";

    @Test
    void aRequestThatProducesMessagesIsOneTraceThroughTheirConsumerInAnotherProcess() {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("orders", 1);
            kafka.createTopic("audit", 1);
            try (Collector collector = Collector.start();
                    AgentProcess agent = AgentProcess.start(Map.of(
                            "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                            "OTEL_BSP_SCHEDULE_DELAY", "200"));
                    GoServer shop = GoServer.start("kafkaapp-go1.26", "-brokers", kafka.bootstrap());
                    GoServer billing = GoServer.start("kafkaapp-go1.23-oldest", "-brokers", kafka.bootstrap(),
                            "-group", "billing", "-group-topics", "orders", "-partition-topics", "audit")) {
                agent.attach(shop.pid(), "shop");
                agent.attach(billing.pid(), "billing");
                warmUp(collector, shop);
                String before = agent.metrics();

                // synchronous writer, acks=all, a key; read by billing's consumer group
                get(shop, "/produce?topic=orders&writer=sync&key=order-1&value=paid");
                Chain order = chain(collector, s -> s.kind() == PRODUCER && "order-1".equals(s.attributes().get("messaging.kafka.message.key")));
                assertThat(order.producer.name()).isEqualTo("orders publish");
                assertThat(order.producer.attributes()).containsEntry("messaging.system", "kafka")
                        .containsEntry("messaging.operation.type", "send")
                        .containsEntry("messaging.destination.name", "orders")
                        .containsEntry("messaging.destination.partition.id", "0")
                        .containsKey("messaging.kafka.offset")
                        .containsEntry("messaging.message.body.size", 4L);
                assertThat(order.consumer.name()).isEqualTo("orders receive");
                assertThat(order.consumer.attributes()).containsEntry("messaging.operation.type", "receive")
                        .containsEntry("messaging.consumer.group.name", "billing")
                        .containsEntry("messaging.kafka.message.key", "order-1")
                        .containsEntry("messaging.kafka.offset", order.producer.attributes().get("messaging.kafka.offset"));
                assertThat(order.consumer.parentRemote()).as("the producer is in another process").isTrue();

                // the README's writer (acks=0): two messages in one call, read by a partition reader
                get(shop, "/produce?topic=audit&writer=acks0&value=entry&n=2");
                List<ReceivedSpan> audit = collector.awaitSpans(s -> s.kind() == CONSUMER
                        && "audit".equals(s.attributes().get("messaging.destination.name")), 2, Duration.ofSeconds(60));
                Set<String> producers = new HashSet<>();
                for (ReceivedSpan c : audit) {
                    Chain chain = chain(collector, s -> s.spanId().equals(c.parentSpanId()));
                    assertThat(chain.producer.attributes()).containsEntry("messaging.batch.message_count", 2L)
                            .doesNotContainKey("messaging.kafka.offset");
                    assertThat(chain.consumer.attributes()).doesNotContainKey("messaging.consumer.group.name");
                    producers.add(chain.producer.spanId());
                }
                assertThat(producers).as("each message has its own producer span").hasSize(2);
                assertThat(producers).extracting(id -> span(collector, s -> s.spanId().equals(id)).traceId())
                        .as("one request, one trace").containsOnly(audit.get(0).traceId());
                assertThat(audit.get(0).traceId()).isNotEqualTo(order.server.traceId());

                // a traceparent the application wrote into the message is the parent
                get(shop, "/produce?topic=orders&writer=sync&key=order-2&value=x&traceparent="
                        + "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
                ReceivedSpan continued = span(collector, s -> s.kind() == CONSUMER
                        && "order-2".equals(s.attributes().get("messaging.kafka.message.key")));
                assertThat(continued.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
                assertThat(continued.parentSpanId()).isEqualTo("00f067aa0ba902b7");
                assertThat(continued.parentRemote()).isTrue();
                ReceivedSpan ack = span(collector, s -> s.kind() == 3 && s.parentSpanId().equals(continued.spanId()));
                assertThat(ack.traceId()).isEqualTo(continued.traceId());

                String after = agent.metrics();
                assertThat(delta(before, after, "header")).isEqualTo(1);
                assertThat(delta(before, after, "offset") + delta(before, after, "fingerprint")).isEqualTo(3);
                assertThat(delta(before, after, "ambiguous") + delta(before, after, "none")).isZero();
            }
        }
    }

    /**
     * The agent attached while billing's readers were already waiting inside FetchMessage: the message
     * that ends that wait has no consumer span (its entry was never seen). One per reader, then every
     * fetch is traced.
     */
    private static void warmUp(Collector collector, GoServer shop) {
        get(shop, "/produce?topic=orders&writer=sync&value=warm-up");
        get(shop, "/produce?topic=audit&writer=sync&value=warm-up");
        for (String topic : List.of("orders", "audit")) {
            collector.awaitSpans(s -> s.kind() == 2 && "/ack".equals(s.attributes().get("url.path"))
                    && String.valueOf(s.attributes().get("url.query")).contains("topic=" + topic), 1, Duration.ofSeconds(60));
        }
    }

    /** shop's SERVER, its PRODUCER span, billing's CONSUMER, its CLIENT call and the SERVER span that answered it. */
    record Chain(ReceivedSpan server, ReceivedSpan producer, ReceivedSpan consumer, ReceivedSpan client,
            ReceivedSpan ack) {
    }

    /** The chain through the producer span that matches; every hop is the child of the one before, in one trace. */
    private static Chain chain(Collector collector, Predicate<ReceivedSpan> producerMatch) {
        ReceivedSpan producer = span(collector, s -> s.kind() == PRODUCER && producerMatch.test(s));
        ReceivedSpan server = span(collector, s -> s.spanId().equals(producer.parentSpanId()));
        ReceivedSpan consumer = span(collector, s -> s.kind() == CONSUMER && s.parentSpanId().equals(producer.spanId()));
        ReceivedSpan client = span(collector, s -> s.kind() == 3 && s.parentSpanId().equals(consumer.spanId()));
        ReceivedSpan ack = span(collector, s -> s.kind() == 2 && s.parentSpanId().equals(client.spanId()));
        assertThat(server.kind()).isEqualTo(2);
        assertThat(server.name()).isEqualTo("GET /produce");
        assertThat(List.of(producer, consumer, client, ack)).extracting(ReceivedSpan::traceId).containsOnly(server.traceId());
        assertThat(List.of(server, producer)).extracting(s -> s.resource().get("service.name")).containsOnly("shop");
        assertThat(List.of(consumer, client, ack)).extracting(s -> s.resource().get("service.name")).containsOnly("billing");
        assertThat(producer.scope()).isEqualTo("io.tracebee/github.com/segmentio/kafka-go");
        assertThat(ack.attributes()).containsEntry("url.path", "/ack");
        return new Chain(server, producer, consumer, client, ack);
    }

    private static ReceivedSpan span(Collector collector, Predicate<ReceivedSpan> match) {
        List<ReceivedSpan> found = collector.awaitSpans(match, 1, Duration.ofSeconds(60));
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static void get(GoServer app, String path) {
        assertThat(app.get(path).statusCode()).as(path).isEqualTo(200);
    }

    private static long delta(String before, String after, String result) {
        String name = String.format(LINKS, result);
        return Math.round(NoCollectorIT.metric(after, name) - NoCollectorIT.metric(before, name));
    }
}
