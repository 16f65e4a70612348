package io.tracebee.decode;

/**
 * One database/sql call (a query or an exec, through DB, Conn or Tx) as the probe saw it when it returned.
 *
 * @param query the statement text, at most {@link EventLayout#DB_QUERY_MAX} bytes of it
 * @param queryFullLength the statement's real length in bytes (longer than {@code query} when cut)
 * @param exec an ExecContext-style call (no rows), else a query
 * @param error the call returned an error
 */
public record DbEvent(EventHeader header, String query, int queryFullLength, boolean exec, boolean error)
        implements TracedEvent {
}
