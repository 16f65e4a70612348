package io.tracebee.probe.dbsql;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import java.util.List;

/** The database/sql probe ({@code src/main/bpf/db_sql.bpf.c}): queries and execs through DB, Conn, Tx and Stmt. */
public final class DbSqlProbes {
    private DbSqlProbes() {
    }

    public static final ProbeSpec SQL = new ProbeSpec(
            "database/sql",
            "db_sql",
            null,
            // each optional: the linker leaves out the paths a program never uses
            List.of(new UprobeSpec("database/sql.(*DB).queryDC", "uprobe_db_query_dc", "uprobe_db_query_dc_return", true),
                    new UprobeSpec("database/sql.(*DB).execDC", "uprobe_db_exec_dc", "uprobe_db_exec_dc_return", true),
                    new UprobeSpec("database/sql.(*DB).prepareDC", "uprobe_db_prepare_dc", null, true),
                    new UprobeSpec("database/sql.(*Stmt).QueryContext", "uprobe_stmt_query", "uprobe_stmt_query_return", true),
                    new UprobeSpec("database/sql.(*Stmt).ExecContext", "uprobe_stmt_exec", "uprobe_stmt_exec_return", true)),
            List.of(GoRuntimeProbes.GOID,
                    new OffsetSpec("off_driver_conn_ci", "database/sql.driverConn", "ci", "has_driver_conn_ci"),
                    new OffsetSpec("off_stmt_db", "database/sql.Stmt", "db", "has_stmt"),
                    new OffsetSpec("off_stmt_query", "database/sql.Stmt", "query", "has_stmt")),
            new DbSqlSetup());

    /** The members of driver error types read through the error's dynamic type at run time. */
    public static final List<OffsetSpec> ERROR_MESSAGES = SqlDrivers.errorMembers();
}
