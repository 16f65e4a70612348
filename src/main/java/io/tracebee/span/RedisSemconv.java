package io.tracebee.span;

import io.tracebee.decode.RedisEvent;
import io.tracebee.decode.RedisEvent.Arg;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Semantic conventions 1.37 for Redis client spans: operation names, query text, error codes. */
final class RedisSemconv {
    private RedisSemconv() {
    }

    /** Redis's "not found" reply as go-redis returns it: a cache miss, not a failure. */
    static final String NIL = "redis: nil";

    /** Commands whose second word names the operation: CONFIG GET, CLIENT SETINFO... */
    private static final Set<String> CONTAINERS = Set.of(
            "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "FUNCTION", "MEMORY", "MODULE", "OBJECT", "SCRIPT", "XINFO");
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Z][A-Z_]*");

    /**
     * {@code db.operation.name}: the command, or for a pipeline BATCH with the one command all share. args is
     * {@code e.args()}, read once by the caller (each call decodes them from the record again).
     */
    static String operation(RedisEvent e, List<Arg> args) {
        if (e.pipeline()) {
            String first = args.isEmpty() ? "" : word(args.get(0));
            boolean same = !first.isEmpty() && args.size() == e.argc() && args.stream().allMatch(a -> word(a).equals(first));
            return same ? "BATCH " + first : e.transaction() ? "MULTI" : "PIPELINE";
        }
        if (args.isEmpty()) {
            return "";
        }
        String name = word(args.get(0));
        if (CONTAINERS.contains(name) && args.size() > 1) {
            String sub = word(args.get(1));
            return sub.isEmpty() ? name : name + " " + sub;
        }
        return name;
    }

    /**
     * {@code db.query.text} of a single command ({@code operation} as {@link #operation} named it), redacted: the command and its key as sent, every other
     * argument as "?" — values never leave the process. Empty for a pipeline.
     */
    static String queryText(RedisEvent e, List<Arg> args, String operation) {
        if (e.pipeline() || args.isEmpty()) {
            return "";
        }
        int keyAt = e.keyPosition() > 0 ? e.keyPosition() : 1;
        int nameWords = operation.indexOf(' ') > 0 ? 2 : 1;
        StringBuilder sb = new StringBuilder(operation);
        for (int i = nameWords; i < e.argc(); i++) {
            Arg a = i < args.size() ? args.get(i) : null;
            sb.append(' ');
            if (i == keyAt && a != null && a.value() instanceof String key) {
                sb.append(key);
            } else {
                sb.append('?');
            }
        }
        return sb.toString();
    }

    /** A failure Redis reported ("WRONGTYPE Operation against..."): its leading error code, else "". */
    static String errorCode(String errorText) {
        int space = errorText.indexOf(' ');
        String first = space < 0 ? errorText : errorText.substring(0, space);
        return ERROR_CODE.matcher(first).matches() ? first : "";
    }

    private static String word(Arg a) {
        return a.value() instanceof String s ? s.toUpperCase(Locale.ROOT) : "";
    }
}
