package io.tracebee.control;

/**
 * A request the control plane refuses, carried to the client as RFC 9457 problem+json.
 *
 * @see ProblemMapper
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;

    public ProblemException(int status, String type, String title, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public int status() {
        return status;
    }

    /** A stable, short problem type, e.g. "not-go"; the URI is built from it. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public static ProblemException badRequest(String type, String detail) {
        return new ProblemException(400, type, "Invalid target request", detail);
    }

    public static ProblemException notFound(String type, String detail) {
        return new ProblemException(404, type, "Not found", detail);
    }

    public static ProblemException unprocessable(String type, String detail) {
        return new ProblemException(422, type, "Target cannot be instrumented", detail);
    }

    public static ProblemException conflict(String type, String detail) {
        return new ProblemException(409, type, "Conflict", detail);
    }
}
