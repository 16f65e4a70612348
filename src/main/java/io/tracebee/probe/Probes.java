package io.tracebee.probe;

import io.tracebee.probe.ProbeSpec.OffsetSpec;
import io.tracebee.probe.dbsql.DbSqlProbes;
import io.tracebee.probe.goredis.GoRedisProbes;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import io.tracebee.probe.grpc.GrpcProbes;
import io.tracebee.probe.httproute.HttpRouteProbes;
import io.tracebee.probe.kafkago.KafkaGoProbes;
import io.tracebee.probe.manual.ManualSpanProbes;
import io.tracebee.probe.nethttp.NetHttpProbes;
import java.util.List;
import java.util.stream.Stream;

/** Every probe the agent places on a Go target, in attach order. */
public final class Probes {
    private Probes() {
    }

    public static final List<ProbeSpec> ALL =
            List.of(GoRuntimeProbes.GOROUTINES, NetHttpProbes.SERVER, NetHttpProbes.CLIENT, DbSqlProbes.SQL,
                    GoRedisProbes.CLIENT, HttpRouteProbes.GIN, HttpRouteProbes.GORILLA,
                    HttpRouteProbes.GORILLA_POINTER_RECEIVER, KafkaGoProbes.PRODUCER, KafkaGoProbes.CONSUMER,
                    GrpcProbes.SERVER, GrpcProbes.CLIENT, ManualSpanProbes.AUTO_SDK_SPANS,
                    ManualSpanProbes.OTEL_SDK_SPANS, ManualSpanProbes.GLOBAL_API_SPANS,
                    ManualSpanProbes.GLOBAL_API_SPANS_BEFORE_1_33);

    /**
     * Every struct member any probe may need: the probes' own offsets plus members read through a
     * dynamic type found at run time (e.g. the message field of a driver's error type). The offsets
     * tables are generated for exactly these.
     */
    public static List<OffsetSpec> allOffsets() {
        return Stream.of(ALL.stream().flatMap(p -> p.offsets().stream()), DbSqlProbes.ERROR_MESSAGES.stream(),
                GoRuntimeProbes.ANCESTRY.stream()).flatMap(s -> s).distinct().toList();
    }
}
