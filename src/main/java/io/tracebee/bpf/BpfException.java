package io.tracebee.bpf;

/** A failed BPF or libbpf operation: which operation, the errno, and what libbpf logged (the verifier log of a failed load). */
public final class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The message carries the tail of the log; the verifier's verdict is at the end. */
    private static final int MESSAGE_LOG_CHARS = 16 * 1024;

    private final String operation;
    private final int errno;
    private final String log;

    public BpfException(String operation, int errno, String message) {
        this(operation, errno, message, "");
    }

    public BpfException(String operation, int errno, String message, String log) {
        super(format(operation, errno, message, log));
        this.operation = operation;
        this.errno = errno;
        this.log = log == null ? "" : log;
    }

    /** What was attempted, e.g. {@code load bpf object 'http'}. */
    public String operation() {
        return operation;
    }

    /** The positive errno (0 when the failure was detected in Java). */
    public int errno() {
        return errno;
    }

    /** Everything libbpf printed during the operation, possibly with its head cut off when very long. */
    public String log() {
        return log;
    }

    private static String format(String operation, int errno, String message, String log) {
        StringBuilder sb = new StringBuilder(operation).append(" failed: ").append(message);
        if (errno > 0) {
            sb.append(" (errno ").append(errno).append(')');
        }
        if (log != null && !log.isBlank()) {
            String tail = log.length() > MESSAGE_LOG_CHARS
                    ? "[...]" + log.substring(log.length() - MESSAGE_LOG_CHARS)
                    : log;
            sb.append("\nlibbpf log:\n").append(tail.stripTrailing());
        }
        return sb.toString();
    }
}
