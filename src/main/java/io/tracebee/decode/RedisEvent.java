package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;

import java.util.ArrayList;
import java.util.List;

/**
 * One go-redis command or pipeline as the probe saw it when it returned ({@code struct tb_redis_event}), read in
 * place ({@link RecordView}: valid while its batch is).
 */
public final class RedisEvent extends RecordView implements TracedEvent {

    RedisEvent(byte[] d, int off, RepeatedStrings repeated) {
        super(d, off, repeated);
    }

    /** A pipeline: each argument is one command's name, {@link #argc()} the command count. */
    public boolean pipeline() {
        return (u16(REDIS_FLAGS) & REDIS_FLAG_PIPELINE) != 0;
    }

    /** A MULTI/EXEC pipeline. */
    public boolean transaction() {
        return (u16(REDIS_FLAGS) & REDIS_FLAG_TX) != 0;
    }

    /** The call returned an error. */
    public boolean error() {
        return (u16(REDIS_FLAGS) & REDIS_FLAG_ERROR) != 0;
    }

    /** The command's key position when not the first argument after the name (0 = default). */
    public int keyPosition() {
        return d[off + REDIS_KEY_POS];
    }

    /** The command's real argument count (name included), or the pipeline's command count. */
    public int argc() {
        return i32(REDIS_ARGC);
    }

    /** The client's database number, -1 unknown. */
    public long db() {
        return i64(REDIS_DB);
    }

    /** The client's configured address ("host:port" or a unix socket path), "" unknown. */
    public String address() {
        return repeatedUtf8(REDIS_ADDR, REDIS_ADDR_LEN, REDIS_ADDR_MAX);
    }

    /** The error's text when it is Redis's own reply, else "". */
    public String errorText() {
        return utf8(REDIS_ERROR, REDIS_ERROR_LEN, REDIS_ERROR_MAX);
    }

    /** The first {@link EventLayout#REDIS_ARGS_MAX} arguments. */
    public List<Arg> args() {
        int n = Math.min(u8(REDIS_NARGS), REDIS_ARGS_MAX);
        List<Arg> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            args.add(arg(REDIS_ARGS + i * REDIS_ARG_SIZE));
        }
        return args;
    }

    /** An argument by its Go kind: text, or a number from as many little-endian bytes as its size. */
    private Arg arg(int at) {
        int kind = u8(at + REDIS_ARG_KIND);
        int len = Math.min(u8(at + REDIS_ARG_LEN), REDIS_ARG_MAX);
        int full = i32(at + REDIS_ARG_FULL_LEN);
        int v = at + REDIS_ARG_VALUE;
        Object value = switch (kind) {
            case GO_KIND_STRING, REDIS_KIND_BYTES -> utf8(v, len);
            case GO_KIND_BOOL -> len == 1 ? d[off + v] != 0 : null;
            case GO_KIND_FLOAT32 -> len == 4 ? (double) Float.intBitsToFloat(i32(v)) : null;
            case GO_KIND_FLOAT64 -> len == 8 ? Double.longBitsToDouble(i64(v)) : null;
            default -> kind >= GO_KIND_INT && kind <= GO_KIND_UINTPTR && len > 0 && len <= 8
                    ? integer(off + v, len, kind < GO_KIND_UINT) : null;
        };
        return new Arg(value, value instanceof String ? full : 0);
    }

    private long integer(int at, int len, boolean signed) {
        long x = 0;
        for (int i = len - 1; i >= 0; i--) {
            x = (x << 8) | (d[at + i] & 0xff);
        }
        int shift = 64 - 8 * len;
        return signed && shift > 0 ? (x << shift) >> shift : x;
    }

    /**
     * One argument.
     *
     * @param value a String (string or []byte, possibly cut), Long, Double or Boolean; null when the
     *        dynamic type was not read (rendered as "?")
     * @param fullLength a text's real length in bytes
     */
    public record Arg(Object value, int fullLength) {
        public boolean truncated() {
            return value instanceof String s && fullLength > s.length();
        }
    }
}
