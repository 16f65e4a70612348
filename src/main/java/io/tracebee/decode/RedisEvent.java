package io.tracebee.decode;

import java.util.List;

/**
 * One go-redis command or pipeline as the probe saw it when it returned.
 *
 * @param pipeline a pipeline: each argument is one command's name, {@code argc} the command count
 * @param transaction a MULTI/EXEC pipeline
 * @param error the call returned an error
 * @param keyPosition the command's key position when not the first argument after the name (0 = default)
 * @param argc the command's real argument count (name included), or the pipeline's command count
 * @param db the client's database number, -1 unknown
 * @param address the client's configured address ("host:port" or a unix socket path), "" unknown
 * @param errorText the error's text when it is Redis's own reply, else ""
 * @param args the first {@link EventLayout#REDIS_ARGS_MAX} arguments
 */
public record RedisEvent(EventHeader header, boolean pipeline, boolean transaction, boolean error, int keyPosition,
        int argc, long db, String address, String errorText, List<Arg> args) implements TracedEvent {

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
