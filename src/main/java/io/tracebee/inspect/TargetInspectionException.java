package io.tracebee.inspect;

import java.nio.file.Path;
import java.util.Objects;

/** Why a target binary cannot be instrumented, with a message that names the file and what was found in it. */
public final class TargetInspectionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The kind of problem, so callers can decide between "skip this probe" and "refuse this target". */
    public enum Reason {
        /** The file does not exist. */
        NOT_FOUND,
        /** The file exists but cannot be read (permissions, a directory, an I/O error). */
        NOT_READABLE,
        /** The file is not an ELF executable or shared object. */
        NOT_ELF,
        /** An ELF file for a machine, class or byte order tracebee does not trace. */
        UNSUPPORTED_ARCH,
        /** An ELF file that was not built by the Go toolchain. */
        NOT_GO,
        /** A Go program built by a Go release older than the minimum supported one. */
        UNSUPPORTED_GO_VERSION,
        /** A function the caller asked for is not in the binary. */
        SYMBOL_MISSING,
        /** The file claims to be ELF or Go but a structure in it is truncated or inconsistent. */
        MALFORMED
    }

    private final Reason reason;
    private final Path path;

    public TargetInspectionException(Reason reason, Path path, String message) {
        this(reason, path, message, null);
    }

    public TargetInspectionException(Reason reason, Path path, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.path = path;
    }

    public Reason reason() {
        return reason;
    }

    /** The inspected file, or null when the problem was found in bytes that did not come from a file. */
    public Path path() {
        return path;
    }
}
