package io.tracebee.export;

/**
 * Outcome of one {@link SpanExporter#export} call.
 *
 * @param success whether the batch was delivered (possibly with some spans rejected)
 * @param rejectedSpans spans the receiver refused although the call succeeded (OTLP partial success)
 * @param message why the export failed, or the receiver's partial-success message; empty if none
 * @param retryable the failure is transient (receiver unreachable, overloaded or too slow): the same batch may
 *        succeed later, so the processor keeps it rather than dropping it
 */
public record ExportResult(boolean success, long rejectedSpans, String message, boolean retryable) {
    private static final ExportResult SUCCESS = new ExportResult(true, 0, "", false);

    public ExportResult {
        message = message == null ? "" : message;
    }

    public static ExportResult ok() {
        return SUCCESS;
    }

    public static ExportResult partial(long rejectedSpans, String message) {
        return rejectedSpans <= 0 && (message == null || message.isEmpty())
                ? SUCCESS
                : new ExportResult(true, rejectedSpans, message, false);
    }

    public static ExportResult failure(String message) {
        return new ExportResult(false, 0, message, false);
    }

    /** A transient failure: the receiver may take the same batch later. */
    public static ExportResult retryableFailure(String message) {
        return new ExportResult(false, 0, message, true);
    }

    public static ExportResult failure(Throwable error) {
        String message = error.getMessage();
        return failure(message == null ? error.getClass().getName() : error.getClass().getSimpleName() + ": " + message);
    }
}
