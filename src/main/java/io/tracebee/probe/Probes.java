package io.tracebee.probe;

import io.tracebee.probe.dbsql.DbSqlProbes;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import io.tracebee.probe.httproute.HttpRouteProbes;
import io.tracebee.probe.nethttp.NetHttpProbes;
import java.util.List;

/** Every probe the agent places on a Go target, in attach order. */
public final class Probes {
    private Probes() {
    }

    public static final List<ProbeSpec> ALL =
            List.of(GoRuntimeProbes.GOROUTINES, NetHttpProbes.SERVER, NetHttpProbes.CLIENT, DbSqlProbes.SQL,
                    HttpRouteProbes.GIN, HttpRouteProbes.GORILLA, HttpRouteProbes.GORILLA_POINTER_RECEIVER);
}
