package io.tracebee.span;

/**
 * Semantic conventions 1.37 for gRPC spans: the span name and {@code rpc.service}/{@code rpc.method} out of the
 * full method, and which status codes are errors.
 */
final class GrpcSemconv {
    private GrpcSemconv() {
    }

    /** A full method {@code /package.Service/Method} (gRPC's {@code :path}) split as semconv wants it. */
    record Method(String service, String method) {
        /** The parts, or null when the full method is not {@code /service/method}. */
        static Method parse(String fullMethod) {
            String m = fullMethod.startsWith("/") ? fullMethod.substring(1) : fullMethod;
            int slash = m.lastIndexOf('/');
            if (slash <= 0 || slash == m.length() - 1) {
                return null;
            }
            return new Method(m.substring(0, slash), m.substring(slash + 1));
        }
    }

    /**
     * {@code {rpc.service}/{rpc.method}} without the leading slash the wire form has, e.g.
     * {@code grpc.health.v1.Health/Check}; the raw method when it does not split, "grpc" without one.
     */
    static String spanName(String fullMethod) {
        Method m = Method.parse(fullMethod);
        if (m != null) {
            return m.service() + "/" + m.method();
        }
        return fullMethod.isEmpty() ? "grpc" : fullMethod;
    }

    /**
     * Whether a status code makes the span an error: every non-OK code, on both sides. (Semconv asks servers
     * to mark only UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE and DATA_LOSS; tracebee's
     * issue #4 asks for every non-OK code, so a NOT_FOUND a handler returns shows too.)
     */
    static boolean isError(int code) {
        return code > 0;
    }
}
