package io.tracebee.peers;

import io.tracebee.e2e.Fixtures;
import io.tracebee.e2e.ManagedProcess;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A throwaway single-node Apache Kafka for end-to-end tests: one KRaft process that is both broker and
 * controller, PLAINTEXT on 127.0.0.1 on a free port, storage in a private temporary directory, run from
 * the jars {@code src/test/peers/fetch-kafka.sh} puts in the fixtures dir ({@code kafka/}). Topics are
 * created on first use with one partition; internal topics have replication factor 1.
 */
public final class KafkaBroker extends PeerProcess {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final String STARTED = "Kafka Server started";
    /** Short-lived tools start faster with C1 only and one GC thread; so does the broker, which tests barely load. */
    private static final List<String> QUICK_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Djava.awt.headless=true");

    private final Path jars;
    private final int port;

    private KafkaBroker(Path jars, PeerDir dir, int port, ManagedProcess server) {
        super(dir, server);
        this.jars = jars;
        this.port = port;
    }

    /** Formats fresh storage and starts the broker; returns once it serves clients. */
    public static KafkaBroker start() {
        Path jars = jars();
        // Kafka does not mind root, and the jars may sit in root's private home: run as the tests' user
        PeerUser user = PeerUser.current();
        PeerDir dir = PeerDir.create("tracebee-kafka-", user);
        ManagedProcess server = null;
        try {
            int port = Fixtures.freePort();
            int controllerPort = Fixtures.freePort();
            while (controllerPort == port) {
                controllerPort = Fixtures.freePort();
            }
            Path config = dir.write("server.properties", serverProperties(dir.resolve("data"), port, controllerPort), user);
            dir.write("broker-log4j2.properties", log4j("info"), user);
            dir.write("tools-log4j2.properties", log4j("warn"), user);
            Command.run("kafka storage format", java(jars, dir, "tools", "kafka.tools.StorageTool",
                    List.of("format", "--cluster-id", clusterId(), "--config", config.toString())), null, TOOL_TIMEOUT);

            List<String> broker = new ArrayList<>(List.of(javaExecutable(), "-Xmx512m"));
            broker.addAll(QUICK_JVM);
            broker.addAll(List.of("-Dlog4j2.configurationFile=" + dir.resolve("broker-log4j2.properties"),
                    "-cp", jars + "/*", "kafka.Kafka", config.toString()));
            server = ManagedProcess.start("kafka-" + port, broker, Map.of());
            try {
                server.awaitLine(l -> l.contains(STARTED), READY_TIMEOUT);
            } catch (AssertionError e) {
                throw new IllegalStateException("Kafka (" + jars + ") did not start on 127.0.0.1:" + port
                        + " (controller " + controllerPort + "); its log:\n" + e.getMessage());
            }
            return new KafkaBroker(jars, dir, port, server);
        } catch (RuntimeException | Error e) {
            dir.abandon(server, e);
            throw e;
        }
    }

    /** "127.0.0.1:PORT", what Kafka clients take as bootstrap servers. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Creates a topic (replication factor 1); fails if it exists. */
    public void createTopic(String name, int partitions) {
        tool("create topic " + name, "org.apache.kafka.tools.TopicCommand", null, "--bootstrap-server", bootstrap(),
                "--create", "--topic", name, "--partitions", Integer.toString(partitions), "--replication-factor", "1");
    }

    /** The topics that exist, without Kafka's internal ones. */
    public List<String> topics() {
        return lines(tool("list topics", "org.apache.kafka.tools.TopicCommand", null, "--bootstrap-server", bootstrap(),
                "--list", "--exclude-internal"));
    }

    /** Sends each value as one record (no key) and waits until all are acknowledged. */
    public void produce(String topic, List<String> values) {
        tool("produce to " + topic, "org.apache.kafka.tools.ConsoleProducer",
                values.stream().map(v -> v + "\n").collect(Collectors.joining()),
                "--bootstrap-server", bootstrap(), "--topic", topic);
    }

    /** The values of the first {@code count} records of a topic, read from the beginning; fails if there are fewer. */
    public List<String> consume(String topic, int count) {
        List<String> values = lines(tool("consume from " + topic, "org.apache.kafka.tools.consumer.ConsoleConsumer", null,
                "--bootstrap-server", bootstrap(), "--topic", topic, "--from-beginning",
                "--max-messages", Integer.toString(count), "--timeout-ms", Long.toString(TOOL_TIMEOUT.toMillis() / 2)));
        if (values.size() < count) {
            throw new IllegalStateException("topic " + topic + " on " + bootstrap() + " had only " + values.size()
                    + " of the " + count + " records expected: " + values);
        }
        return values;
    }


    private String tool(String what, String mainClass, String stdin, String... args) {
        return Command.run(what, java(jars, dir, "tools", mainClass, Arrays.asList(args)), stdin, TOOL_TIMEOUT);
    }

    /** A Kafka tool: a short-lived JVM on the broker's classpath, logging warnings only. */
    private static List<String> java(Path jars, PeerDir dir, String log, String mainClass, List<String> args) {
        List<String> c = new ArrayList<>(List.of(javaExecutable(), "-Xmx256m"));
        c.addAll(QUICK_JVM);
        c.addAll(List.of("-Dlog4j2.configurationFile=" + dir.resolve(log + "-log4j2.properties"),
                "-cp", jars + "/*", mainClass));
        c.addAll(args);
        return c;
    }

    private static List<String> lines(String out) {
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.toList());
    }

    private static String serverProperties(Path data, int port, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + data,
                "num.partitions=1",
                "default.replication.factor=1",
                "auto.create.topics.enable=true",
                // one replica and one partition for internal topics: a group coordinator is ready at once
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "share.coordinator.state.topic.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                // a 2-core test machine: fewer threads than the defaults
                "num.network.threads=2",
                "num.io.threads=2",
                "");
    }

    private static String log4j(String level) {
        return String.join("\n",
                "appender.out.type = Console",
                "appender.out.name = out",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = " + level,
                "rootLogger.appenderRef.out.ref = out",
                "");
    }

    /** A random cluster id in Kafka's form: 16 bytes, URL-safe base64 without padding, not starting with '-'. */
    private static String clusterId() {
        SecureRandom random = new SecureRandom();
        byte[] b = new byte[16];
        String id;
        do {
            random.nextBytes(b);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        } while (id.startsWith("-"));
        return id;
    }

    /** The JVM running the tests (Kafka 4 needs 17+, as the tests do), else java on PATH. */
    private static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The broker's jars in the fixtures dir; fails with the command that fetches them. */
    static Path jars() {
        Path d = Fixtures.dir().resolve("kafka");
        if (Files.isDirectory(d)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "kafka_2.13-*.jar")) {
                if (s.iterator().hasNext()) {
                    return d.toAbsolutePath();
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + d, e);
            }
        }
        throw new IllegalStateException("Kafka's jars are missing from " + d + ": run src/test/build-fixtures.sh"
                + " (or src/test/peers/fetch-kafka.sh " + d + ")");
    }
}
