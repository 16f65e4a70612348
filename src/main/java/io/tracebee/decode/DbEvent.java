package io.tracebee.decode;

/**
 * One database/sql call (a query or an exec, through DB, Conn, Tx or a prepared Stmt) as the probe saw
 * it when it returned.
 *
 * @param query the statement text, at most {@link EventLayout#DB_QUERY_MAX} bytes of it
 * @param queryFullLength the statement's real length in bytes (longer than {@code query} when cut)
 * @param exec an ExecContext-style call (no rows), else a query
 * @param prepared a prepared statement ran
 * @param error the call returned an error
 * @param system the driver's database system: an id into the probe's list, 0 when the driver is not known
 * @param errorType the error's dynamic type: an id into the probe's list, 0 when not known
 * @param errorCode the database's status code (e.g. a SQLSTATE) when the error type carries one, else ""
 * @param errorMessage the error's message when its type is known, else "" (at most {@link EventLayout#DB_ERROR_MAX} bytes)
 */
public record DbEvent(EventHeader header, String query, int queryFullLength, boolean exec, boolean prepared,
        boolean error, int system, int errorType, String errorCode, String errorMessage) implements TracedEvent {
}
