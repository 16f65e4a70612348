package io.tracebee.probe.dbsql;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import java.util.List;

/** The database/sql probe ({@code src/main/bpf/db_sql.bpf.c}): queries and execs through DB, Conn and Tx. */
public final class DbSqlProbes {
    private DbSqlProbes() {
    }

    public static final ProbeSpec SQL = new ProbeSpec(
            "database/sql",
            "db_sql",
            null,
            List.of(new UprobeSpec("database/sql.(*DB).queryDC", "uprobe_db_query_dc", "uprobe_db_query_dc_return"),
                    new UprobeSpec("database/sql.(*DB).execDC", "uprobe_db_exec_dc", "uprobe_db_exec_dc_return")),
            List.of(GoRuntimeProbes.GOID));
}
