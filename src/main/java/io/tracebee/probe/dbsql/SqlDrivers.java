package io.tracebee.probe.dbsql;

import io.tracebee.probe.ProbeSpec.OffsetSpec;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the database/sql probe knows about drivers and their errors, by Go type. The BPF program
 * reports a database system and an error type as small ids; these lists give them meaning, so the
 * same id means the same thing in every target.
 */
public final class SqlDrivers {
    private SqlDrivers() {
    }

    /** {@code db.system.name} values (semantic conventions 1.37); the index is the id, 0 = driver not known. */
    public static final List<String> SYSTEMS = List.of(
            "other_sql", "postgresql", "sqlite", "mysql", "microsoft.sql_server", "oracle.db", "clickhouse", "trino");

    /**
     * A driver.
     *
     * @param path the module path, also the package path prefix of its {@code driver.Conn} implementation
     * @param system its {@code db.system.name}
     */
    public record Driver(String path, String system) {
        public boolean owns(String packagePath) {
            return packagePath.equals(path) || packagePath.startsWith(path + "/");
        }

        public int systemId() {
            return SYSTEMS.indexOf(system);
        }
    }

    public static final List<Driver> DRIVERS = List.of(
            new Driver("github.com/lib/pq", "postgresql"),
            new Driver("github.com/jackc/pgx", "postgresql"), // v4 and v5 (…/stdlib)
            new Driver("modernc.org/sqlite", "sqlite"),
            new Driver("github.com/mattn/go-sqlite3", "sqlite"),
            new Driver("github.com/go-sql-driver/mysql", "mysql"),
            new Driver("github.com/microsoft/go-mssqldb", "microsoft.sql_server"),
            new Driver("github.com/denisenkom/go-mssqldb", "microsoft.sql_server"),
            new Driver("github.com/sijms/go-ora", "oracle.db"),
            new Driver("github.com/ClickHouse/clickhouse-go", "clickhouse"),
            new Driver("github.com/trinodb/trino-go-client", "trino"));

    public static Optional<Driver> driverOwning(String packagePath) {
        return DRIVERS.stream().filter(d -> d.owns(packagePath)).findFirst();
    }

    /**
     * An error type whose text a failed call reports.
     *
     * @param goType the dynamic type as the runtime names it, e.g. {@code *github.com/lib/pq.Error}
     * @param message the string member holding its message, or null
     * @param code the string member holding the database's status code (a SQLSTATE), or null
     * @param cause the {@code error} member it wraps, or null
     * @param fixedMessage the message of a type that carries none, or null
     */
    public record ErrorType(String goType, OffsetSpec message, OffsetSpec code, OffsetSpec cause, String fixedMessage) {
        /** The span's {@code error.type} without a status code: the type's short name, e.g. {@code *pq.Error}. */
        public String shortName() {
            String star = goType.startsWith("*") ? "*" : "";
            String name = goType.substring(star.length());
            return star + name.substring(name.lastIndexOf('/') + 1);
        }
    }

    /** Known error types; the id the BPF program reports is the index + 1 (0: type not known). */
    public static final List<ErrorType> ERROR_TYPES = List.of(
            message("*errors.errorString", "errors.errorString", "s"),
            // its text includes the cause's; the cause may hold a status code
            new ErrorType("*fmt.wrapError", member("fmt.wrapError", "msg"), null, member("fmt.wrapError", "err"), null),
            message("*fmt.wrapErrors", "fmt.wrapErrors", "msg"),
            new ErrorType("context.deadlineExceededError", null, null, null, "context deadline exceeded"),
            withCode("*github.com/lib/pq.Error", "github.com/lib/pq.Error", "Message", "Code"),
            withCode("*github.com/jackc/pgx/v5/pgconn.PgError", "github.com/jackc/pgx/v5/pgconn.PgError", "Message", "Code"),
            // pgx wraps a failed statement's PgError; its text is the cause's
            new ErrorType("*github.com/jackc/pgx/v5/pgconn.PrepareError", null, null,
                    member("github.com/jackc/pgx/v5/pgconn.PrepareError", "err"), null),
            withCode("*github.com/jackc/pgconn.PgError", "github.com/jackc/pgconn.PgError", "Message", "Code"),
            message("*modernc.org/sqlite.Error", "modernc.org/sqlite.Error", "msg"),
            message("github.com/mattn/go-sqlite3.Error", "github.com/mattn/go-sqlite3.Error", "err"),
            message("*github.com/go-sql-driver/mysql.MySQLError", "github.com/go-sql-driver/mysql.MySQLError", "Message"));

    public static Optional<ErrorType> errorType(int id) {
        return id > 0 && id <= ERROR_TYPES.size() ? Optional.of(ERROR_TYPES.get(id - 1)) : Optional.empty();
    }

    /** The struct members the error types are read through (for the offsets tables). */
    public static List<OffsetSpec> errorMembers() {
        return ERROR_TYPES.stream().flatMap(t -> Stream.of(t.message(), t.code(), t.cause())).filter(o -> o != null).toList();
    }

    private static ErrorType message(String goType, String struct, String member) {
        return new ErrorType(goType, member(struct, member), null, null, null);
    }

    private static ErrorType withCode(String goType, String struct, String message, String code) {
        return new ErrorType(goType, member(struct, message), member(struct, code), null, null);
    }

    private static OffsetSpec member(String struct, String member) {
        // read through the type found at run time, never as a global: the variable name only labels it
        return new OffsetSpec("err_" + struct + "." + member, struct, member, "err_" + struct);
    }
}
