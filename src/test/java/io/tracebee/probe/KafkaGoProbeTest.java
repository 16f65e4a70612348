package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.bpf.BpfTestSupport;
import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.control.ProbeState;
import io.tracebee.decode.EventHeader;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.HttpClientEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.decode.KafkaConsumerEvent;
import io.tracebee.decode.KafkaConsumerEvent.Link;
import io.tracebee.decode.KafkaProducerEvent;
import io.tracebee.decode.TracedEvent;
import io.tracebee.e2e.Fixtures;
import io.tracebee.e2e.GoServer;
import io.tracebee.peers.KafkaBroker;
import io.tracebee.probe.SharedMaps.Counter;
import io.tracebee.span.Hex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kafka-go probes on real Go services against a real broker (single-node Kafka 4.3.1), for the oldest
 * and newest supported kafka-go on Go 1.23 and 1.26: producer and consumer spans, the consumer's parent
 * decided in the kernel (header, offset, fingerprint, ambiguous), and the consumer span as the parent of
 * what the handler does. The probes attach to the binary (every process running it) before the services
 * start, so their readers' first fetch is seen too.
 */
class KafkaGoProbeTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static KafkaBroker kafka;
    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();

    @BeforeAll
    static void startBroker() {
        BpfTestSupport.assumeBpf();
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kafkaapp-go1.23-oldest", "kafkaapp-go1.23", "kafkaapp-go1.26-oldest", "kafkaapp-go1.26",
        "kafkaapp-go1.26-stripped"})
    void aMessageIsOneTraceFromTheRequestThatProducedItToWhatItsConsumerDid(String fixture) throws Exception {
        String orders = fixture + "-orders";
        String audit = fixture + "-audit";
        kafka.createTopic(orders, 1);
        kafka.createTopic(audit, 1);
        try (Instrumentation inst = attachToBinary(fixture);
                GoServer app = GoServer.start(fixture, "-brokers", kafka.bootstrap(), "-group", "g-" + fixture,
                        "-group-topics", orders, "-partition-topics", audit)) {
            // synchronous, acks=all, a key, read by a consumer group: offsets known on both sides
            produce(app, orders, "sync", "k-sync", "v-sync", 1, null);
            KafkaProducerEvent sync = producer(e -> key(e.key()).equals("k-sync"));
            HttpServerEvent request = server(e -> e.path().equals("/produce") && e.query().contains("k-sync"));
            assertChild(sync.header(), request.header());
            assertThat(sync.topic()).isEqualTo(orders);
            assertThat(sync.partition()).isZero();
            assertThat(sync.offset()).isGreaterThanOrEqualTo(0);
            assertThat(sync.batchCount()).isEqualTo(1);
            assertThat(sync.valueLength()).isEqualTo("v-sync".length());
            assertThat(sync.error()).isFalse();

            KafkaConsumerEvent received = consumer(e -> key(e.key()).equals("k-sync"));
            // the consumer may fetch the message before the producer learnt its offset: then by content
            assertThat(received.link()).isIn(Link.OFFSET, Link.FINGERPRINT);
            assertChild(received.header(), sync.header());
            assertThat(received.header().parentOrigin()).as("same process").isEqualTo(EventLayout.ORIGIN_LOCAL);
            assertThat(received.topic()).isEqualTo(orders);
            assertThat(received.offset()).isEqualTo(sync.offset());
            assertThat(received.group()).isEqualTo("g-" + fixture);
            assertHandledInside(received);

            // the README's writer (acks=0), three messages in one call, read without a group through ReadMessage
            produce(app, audit, "acks0", null, "v-acks0", 3, null);
            List<KafkaProducerEvent> batch = producers(e -> e.topic().equals(audit), 3);
            Set<String> spans = new HashSet<>();
            for (KafkaProducerEvent p : batch) {
                assertThat(p.batchCount()).isEqualTo(3);
                assertThat(p.partition()).as("known from the produce request").isZero();
                assertThat(p.offset()).as("acks=0: the broker never answers").isEqualTo(-1);
                assertThat(p.header().parentSpanId()).isEqualTo(batch.get(0).header().parentSpanId());
                spans.add(Hex.encode(p.header().spanId()));
            }
            assertThat(spans).as("one span per message").hasSize(3);
            List<KafkaConsumerEvent> read = consumers(e -> e.topic().equals(audit), 3);
            for (KafkaConsumerEvent c : read) {
                assertThat(c.link()).isEqualTo(Link.FINGERPRINT);
                assertThat(c.group()).isEmpty();
                assertThat(Hex.encode(c.header().parentSpanId())).isIn(spans);
                assertThat(c.header().traceId()).isEqualTo(batch.get(0).header().traceId());
            }
            assertThat(read).extracting(c -> Hex.encode(c.header().parentSpanId())).doesNotHaveDuplicates();

            // async: WriteMessages returns before the broker answered
            produce(app, orders, "async", "k-async", "v-async", 1, null);
            KafkaProducerEvent async = producer(e -> key(e.key()).equals("k-async"));
            KafkaConsumerEvent asyncReceived = consumer(e -> key(e.key()).equals("k-async"));
            assertThat(asyncReceived.link()).isIn(Link.OFFSET, Link.FINGERPRINT);
            assertChild(asyncReceived.header(), async.header());

            // a traceparent the application put in the message wins
            produce(app, orders, "sync", "k-header", "v-header", 1, TRACEPARENT);
            KafkaConsumerEvent fromHeader = consumer(e -> key(e.key()).equals("k-header"));
            assertThat(fromHeader.link()).isEqualTo(Link.HEADER);
            assertThat(Hex.encode(fromHeader.header().traceId())).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(Hex.encode(fromHeader.header().parentSpanId())).isEqualTo("00f067aa0ba902b7");
            assertThat(fromHeader.header().parentOrigin()).isEqualTo(EventLayout.ORIGIN_HEADER);
            assertHandledInside(fromHeader);

            assertThat(harness.maps.counter(Counter.MSG_LINK_HEADER)).isEqualTo(1);
            assertThat(harness.maps.counter(Counter.MSG_LINK_OFFSET) + harness.maps.counter(Counter.MSG_LINK_FINGERPRINT))
                    .isEqualTo(5);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kafkaapp-go1.23-oldest", "kafkaapp-go1.26"})
    void aConsumerInAnotherProcessFindsItsProducerByOffsetOrByUniqueContent(String fixture) throws Exception {
        String topic = fixture + "-handoff";
        kafka.createTopic(topic, 1);
        try (Instrumentation inst = attachToBinary(fixture)) {
            List<KafkaProducerEvent> sent;
            try (GoServer producer = GoServer.start(fixture, "-brokers", kafka.bootstrap())) {
                produce(producer, topic, "sync", "k-offset", "by offset", 1, null);
                produce(producer, topic, "acks0", "k-content", "by content", 1, null);
                // the same content twice: which send a consumed copy came from cannot be known
                produce(producer, topic, "acks0", "k-twice", "twice", 1, null);
                produce(producer, topic, "acks0", "k-twice", "twice", 1, null);
                sent = producers(e -> e.topic().equals(topic), 4);
            }
            // the producer has exited: only the kernel's maps remember its spans
            try (GoServer consumer = GoServer.start(fixture, "-brokers", kafka.bootstrap(), "-group", "handoff",
                    "-group-topics", topic)) {
                KafkaConsumerEvent byOffset = consumer(e -> key(e.key()).equals("k-offset"));
                assertThat(byOffset.link()).isEqualTo(Link.OFFSET);
                assertChild(byOffset.header(), sent(sent, "k-offset").header());
                assertThat(byOffset.header().parentOrigin()).isEqualTo(EventLayout.ORIGIN_MESSAGE);
                assertThat(byOffset.header().parentRemote()).isTrue();

                KafkaConsumerEvent byContent = consumer(e -> key(e.key()).equals("k-content"));
                assertThat(byContent.link()).isEqualTo(Link.FINGERPRINT);
                assertChild(byContent.header(), sent(sent, "k-content").header());

                List<KafkaConsumerEvent> twice = consumers(e -> key(e.key()).equals("k-twice"), 2);
                for (KafkaConsumerEvent c : twice) {
                    assertThat(c.link()).isEqualTo(Link.AMBIGUOUS);
                    assertThat(c.header().parentSpanId()).as("left unlinked: a new trace").isEqualTo(new byte[8]);
                    assertHandledInside(c);
                }
                assertThat(harness.maps.counter(Counter.MSG_LINK_AMBIGUOUS)).isEqualTo(2);
                assertThat(harness.maps.counter(Counter.MSG_LINK_OFFSET)).isEqualTo(1);
                assertThat(harness.maps.counter(Counter.MSG_LINK_FINGERPRINT)).isEqualTo(1);
            }
        }
    }

    /** Without symbols or DWARF, kafka-go's struct offsets come from the module offsets table. */
    @Test
    void withoutDwarfTheOffsetsComeFromTheModuleTable() {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
        try (Instrumentation inst = instrumenter.instrument(Fixtures.file("kafkaapp-go1.26-stripped"), -1, 5)) {
            for (String library : List.of("kafka-go producer", "kafka-go consumer")) {
                ProbeState p = inst.probes().stream().filter(s -> s.library().equals(library)).findFirst().orElseThrow();
                assertThat(p.state()).as(p.reason()).isEqualTo("attached");
                assertThat(p.offsetSource()).isEqualTo("table");
            }
        }
    }

    /** Every process that runs the fixture from now on is traced, from its first instruction. */
    private Instrumentation attachToBinary(String fixture) {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
        Instrumentation inst = instrumenter.instrument(Fixtures.file(fixture), -1, 9);
        assertThat(inst.probes()).allSatisfy(p -> assertThat(p.state()).as(p.library() + ": " + p.reason())
                .isEqualTo("attached"));
        assertThat(inst.probes()).extracting(ProbeState::library).contains("kafka-go producer", "kafka-go consumer");
        return inst;
    }

    private static void produce(GoServer app, String topic, String writer, String key, String value, int n,
            String traceparent) {
        String q = "/produce?topic=" + topic + "&writer=" + writer + "&value=" + value.replace(" ", "+") + "&n=" + n
                + (key == null ? "" : "&key=" + key) + (traceparent == null ? "" : "&traceparent=" + traceparent);
        assertThat(app.get(q).body()).isEqualTo("produced " + n);
    }

    /** The consumer span was the goroutine's span while the handler ran: its HTTP call, and the server's span under that. */
    private void assertHandledInside(KafkaConsumerEvent c) throws InterruptedException {
        String query = "topic=" + c.topic() + "&partition=" + c.partition() + "&offset=" + c.offset();
        HttpClientEvent ack = all(HttpClientEvent.class, h -> h.path().equals("/ack") && h.query().equals(query), 1).get(0);
        assertChild(ack.header(), c.header());
        HttpServerEvent served = server(e -> e.path().equals("/ack") && e.query().equals(ack.query()));
        assertChild(served.header(), ack.header());
    }

    private static void assertChild(EventHeader child, EventHeader parent) {
        assertThat(Hex.encode(child.traceId())).isEqualTo(Hex.encode(parent.traceId()));
        assertThat(Hex.encode(child.parentSpanId())).isEqualTo(Hex.encode(parent.spanId()));
    }

    private static KafkaProducerEvent sent(List<KafkaProducerEvent> sent, String key) {
        return sent.stream().filter(e -> key(e.key()).equals(key)).findFirst().orElseThrow();
    }

    private KafkaProducerEvent producer(Predicate<KafkaProducerEvent> match) throws InterruptedException {
        return all(KafkaProducerEvent.class, match, 1).get(0);
    }

    private KafkaConsumerEvent consumer(Predicate<KafkaConsumerEvent> match) throws InterruptedException {
        return all(KafkaConsumerEvent.class, match, 1).get(0);
    }

    private HttpServerEvent server(Predicate<HttpServerEvent> match) throws InterruptedException {
        return all(HttpServerEvent.class, match, 1).get(0);
    }

    private List<KafkaProducerEvent> producers(Predicate<KafkaProducerEvent> match, int count) throws InterruptedException {
        return all(KafkaProducerEvent.class, match, count);
    }

    private List<KafkaConsumerEvent> consumers(Predicate<KafkaConsumerEvent> match, int count) throws InterruptedException {
        return all(KafkaConsumerEvent.class, match, count);
    }

    /** Waits up to 30 s (a consumer group's first join included) for exactly count events of a type that match. */
    private <T extends TracedEvent> List<T> all(Class<T> type, Predicate<T> match, int count) throws InterruptedException {
        List<T> found = List.of();
        for (int i = 0; i < 600; i++) {
            found = harness.events.stream().filter(type::isInstance).map(type::cast).filter(match).toList();
            if (found.size() >= count) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(found).as("events so far: " + harness.events).hasSize(count);
        return found;
    }

    private static String key(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }
}
