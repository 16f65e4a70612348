package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;

/**
 * One database/sql call (a query or an exec, through DB, Conn, Tx or a prepared Stmt) as the probe saw it when it
 * returned ({@code struct tb_db_event}), read in place ({@link RecordView}: valid while its batch is).
 */
public final class DbEvent extends RecordView implements TracedEvent {

    DbEvent(byte[] d, int off, RepeatedStrings repeated) {
        super(d, off, repeated);
    }

    /** The statement text, at most {@link EventLayout#DB_QUERY_MAX} bytes of it. */
    public String query() {
        return utf8(DB_QUERY, DB_QUERY_LEN, DB_QUERY_MAX);
    }

    /** The statement's real length in bytes (longer than {@link #query()} when cut). */
    public int queryFullLength() {
        return i32(DB_QUERY_FULL_LEN);
    }

    /** An ExecContext-style call (no rows), else a query. */
    public boolean exec() {
        return (u16(DB_FLAGS) & DB_FLAG_EXEC) != 0;
    }

    /** A prepared statement ran. */
    public boolean prepared() {
        return (u16(DB_FLAGS) & DB_FLAG_PREPARED) != 0;
    }

    /** The call returned an error. */
    public boolean error() {
        return (u16(DB_FLAGS) & DB_FLAG_ERROR) != 0;
    }

    /** The driver's database system: an id into the probe's list, 0 when the driver is not known. */
    public int system() {
        return u8(DB_SYSTEM);
    }

    /** The error's dynamic type: an id into the probe's list, 0 when not known. */
    public int errorType() {
        return u8(DB_ERROR_TYPE);
    }

    /** The database's status code (e.g. a SQLSTATE) when the error type carries one, else "". */
    public String errorCode() {
        int len = Math.min(u8(DB_CODE_LEN), DB_CODE_MAX);
        return len == 0 ? "" : new String(d, off + DB_CODE, len, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The error's message when its type is known, else "" (at most {@link EventLayout#DB_ERROR_MAX} bytes). */
    public String errorMessage() {
        return utf8(DB_ERROR, DB_ERROR_LEN, DB_ERROR_MAX);
    }
}
