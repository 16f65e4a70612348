package io.tracebee.control;

/**
 * Body of {@code POST /targets}: exactly one of pid, exe or exeGlob, and an optional service name.
 *
 * @param exeGlob an absolute path pattern ({@code *}, {@code **}, {@code ?}, {@code [...]}, {@code {a,b}}): every
 *        binary matching it that runs now or starts later
 */
public record TargetRequest(Integer pid, String exe, String exeGlob, String serviceName) {
    public TargetRequest(Integer pid, String exe, String serviceName) {
        this(pid, exe, null, serviceName);
    }

    /** What it asks to trace, for messages: {@code pid 42}, the exe, or the glob. */
    public String describe() {
        return pid != null ? "pid " + pid : exe != null ? exe : exeGlob;
    }
}
