package io.tracebee.span;

import java.util.Set;

/** HTTP helpers from OpenTelemetry semantic conventions 1.37: method normalisation, routes, addresses. */
public final class HttpSemconv {
    private static final Set<String> KNOWN_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY");

    private HttpSemconv() {
    }

    /** The method as semconv wants it in {@code http.request.method}: known methods, else "_OTHER". */
    public static String normalizeMethod(String method) {
        return KNOWN_METHODS.contains(method) ? method : "_OTHER";
    }

    /**
     * {@code http.route} of a server request: the template of the framework router that matched (gin,
     * gorilla/mux: semconv accepts the framework's own syntax), else the route part of the ServeMux
     * pattern. The framework wins because it routes inside whatever the ServeMux matched: a gin engine
     * mounted under "/api/" knows the request as "/api/users/:id". Empty when neither matched.
     */
    public static String route(String frameworkRoute, String muxPattern) {
        return frameworkRoute.isEmpty() ? routeOf(muxPattern) : frameworkRoute;
    }

    /**
     * The route part of a Go 1.22+ ServeMux pattern ("[METHOD ][HOST]/PATH"), e.g.
     * "GET /hello/{id}" -> "/hello/{id}", "example.com/x" -> "/x". Empty if the pattern is empty.
     */
    public static String routeOf(String pattern) {
        if (pattern.isEmpty()) {
            return "";
        }
        String p = pattern.strip();
        int space = p.indexOf(' ');
        if (space >= 0) {
            p = p.substring(space + 1).stripLeading();
        }
        int slash = p.indexOf('/');
        return slash < 0 ? "" : p.substring(slash);
    }

    /**
     * {@code url.full} with credentials redacted per semantic conventions ("REDACTED:REDACTED@"): the
     * probe never copies them, it only says whether the URL had any.
     */
    public static String fullUrl(String scheme, boolean hadUserInfo, String host, String path, String query) {
        StringBuilder sb = new StringBuilder(scheme.length() + host.length() + path.length() + query.length() + 24);
        sb.append(scheme).append("://");
        if (hadUserInfo) {
            sb.append("REDACTED:REDACTED@");
        }
        sb.append(host).append(path.isEmpty() ? "/" : path);
        if (!query.isEmpty()) {
            sb.append('?').append(query);
        }
        return sb.toString();
    }

    /** Query parameters whose values semantic conventions 1.37 redact by default: signatures and keys. */
    private static final Set<String> SENSITIVE_QUERY_KEYS = Set.of("AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature");

    /** The raw query with the values of {@link #SENSITIVE_QUERY_KEYS} replaced by "REDACTED". */
    public static String redactQuery(String rawQuery) {
        if (rawQuery.isEmpty()) {
            return rawQuery;
        }
        StringBuilder sb = null;
        int start = 0;
        while (start <= rawQuery.length()) {
            int amp = rawQuery.indexOf('&', start);
            int end = amp < 0 ? rawQuery.length() : amp;
            int eq = rawQuery.indexOf('=', start);
            if (eq > start && eq < end && SENSITIVE_QUERY_KEYS.contains(rawQuery.substring(start, eq))) {
                if (sb == null) {
                    sb = new StringBuilder(rawQuery.length()).append(rawQuery, 0, start);
                }
                sb.append(rawQuery, start, eq + 1).append("REDACTED");
            } else if (sb != null) {
                sb.append(rawQuery, start, end);
            }
            if (amp < 0) {
                break;
            }
            if (sb != null) {
                sb.append('&');
            }
            start = amp + 1;
        }
        return sb == null ? rawQuery : sb.toString();
    }

    /** "1.1", "1.0" or "2" from Go's ProtoMajor/ProtoMinor; null when unknown. */
    public static String protocolVersion(int major, int minor) {
        if (major == 0) {
            return null;
        }
        if (major < VERSIONS.length && minor < VERSIONS[major].length) {
            return VERSIONS[major][minor];
        }
        return versionText(major, minor);
    }

    /** The versions met in practice (0.9 to 3.x), made once: every span carries one. */
    private static final String[][] VERSIONS = new String[4][10];

    static {
        for (int major = 0; major < VERSIONS.length; major++) {
            for (int minor = 0; minor < VERSIONS[major].length; minor++) {
                VERSIONS[major][minor] = versionText(major, minor);
            }
        }
    }

    private static String versionText(int major, int minor) {
        return minor == 0 && major >= 2 ? Integer.toString(major) : major + "." + minor;
    }

    /** A host and port parsed from "host:port", "[v6]:port", "v6" or "host". */
    public record HostPort(String host, int port) {
        public static final int NO_PORT = -1;

        public static HostPort parse(String s) {
            if (s == null || s.isEmpty()) {
                return null;
            }
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    return new HostPort(s, NO_PORT);
                }
                String host = s.substring(1, close);
                return new HostPort(host, portAfter(s, close + 1));
            }
            int colon = s.lastIndexOf(':');
            if (colon < 0 || s.indexOf(':') != colon) {
                // no port, or a bare IPv6 address
                return new HostPort(s, NO_PORT);
            }
            return new HostPort(s.substring(0, colon), portAfter(s, colon));
        }

        /** The explicit port, else the scheme's default (443 for https, 80 otherwise). */
        public int portOrDefault(boolean https) {
            return port != NO_PORT ? port : https ? 443 : 80;
        }

        private static int portAfter(String s, int colonAt) {
            if (colonAt >= s.length() || s.charAt(colonAt) != ':') {
                return NO_PORT;
            }
            try {
                int port = Integer.parseInt(s.substring(colonAt + 1));
                return port >= 0 && port <= 65535 ? port : NO_PORT;
            } catch (NumberFormatException e) {
                return NO_PORT;
            }
        }
    }
}
