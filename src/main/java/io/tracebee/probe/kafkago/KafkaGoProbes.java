package io.tracebee.probe.kafkago;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import java.util.ArrayList;
import java.util.List;

/**
 * The github.com/segmentio/kafka-go probes ({@code src/main/bpf/kafka_producer.bpf.c},
 * {@code kafka_consumer.bpf.c}): one span per message written by a Writer and per message fetched by a
 * Reader, consumers linked to producers on this host in the kernel ({@code tb_kafka.h}). Two probes,
 * because a program that only writes has no Reader code linked in, and the other way round.
 */
public final class KafkaGoProbes {
    private KafkaGoProbes() {
    }

    public static final String MODULE = "github.com/segmentio/kafka-go";
    private static final String PKG = MODULE + ".";

    /** WriteMessages makes the spans; produce learns the offsets the broker gave them. */
    public static final ProbeSpec PRODUCER = new ProbeSpec(
            "kafka-go producer",
            "kafka_producer",
            MODULE,
            List.of(new UprobeSpec(PKG + "(*Writer).WriteMessages",
                            "uprobe_writer_write_messages", "uprobe_writer_write_messages_return"),
                    new UprobeSpec(PKG + "(*Writer).produce", "uprobe_writer_produce", "uprobe_writer_produce_return")),
            with(message(),
                    new OffsetSpec("off_writer_topic", PKG + "Writer", "Topic", null),
                    new OffsetSpec("off_batch_msgs", PKG + "writeBatch", "msgs", null),
                    new OffsetSpec("off_produce_error", PKG + "ProduceResponse", "Error", null),
                    new OffsetSpec("off_produce_base_offset", PKG + "ProduceResponse", "BaseOffset", null)));

    /** FetchMessage (ReadMessage calls it): the span, its parent, and the handler's scope. */
    public static final ProbeSpec CONSUMER = new ProbeSpec(
            "kafka-go consumer",
            "kafka_consumer",
            MODULE,
            List.of(new UprobeSpec(PKG + "(*Reader).FetchMessage",
                    "uprobe_reader_fetch_message", "uprobe_reader_fetch_message_return")),
            with(message(),
                    new OffsetSpec("off_reader_config", PKG + "Reader", "config", null),
                    new OffsetSpec("off_config_group_id", PKG + "ReaderConfig", "GroupID", null),
                    // Header is an alias of the protocol package's type
                    new OffsetSpec("off_header_key", MODULE + "/protocol.Header", "Key", null),
                    new OffsetSpec("off_header_value", MODULE + "/protocol.Header", "Value", null)));

    /** Message, shared by both probes; Time is its last field and gives its size. */
    private static List<OffsetSpec> message() {
        String m = PKG + "Message";
        return List.of(
                GoRuntimeProbes.GOID,
                new OffsetSpec("off_msg_topic", m, "Topic", null),
                new OffsetSpec("off_msg_partition", m, "Partition", null),
                new OffsetSpec("off_msg_offset", m, "Offset", null),
                new OffsetSpec("off_msg_key", m, "Key", null),
                new OffsetSpec("off_msg_value", m, "Value", null),
                new OffsetSpec("off_msg_headers", m, "Headers", null),
                new OffsetSpec("off_msg_time", m, "Time", null));
    }

    private static List<OffsetSpec> with(List<OffsetSpec> base, OffsetSpec... more) {
        List<OffsetSpec> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return List.copyOf(all);
    }
}
