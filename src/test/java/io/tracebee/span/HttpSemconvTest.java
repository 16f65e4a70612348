package io.tracebee.span;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.span.HttpSemconv.HostPort;
import org.junit.jupiter.api.Test;

class HttpSemconvTest {
    @Test
    void routeIsThePathPartOfAServeMuxPattern() {
        assertThat(HttpSemconv.routeOf("GET /hello/{id}")).isEqualTo("/hello/{id}");
        assertThat(HttpSemconv.routeOf("/any/{rest...}")).isEqualTo("/any/{rest...}");
        assertThat(HttpSemconv.routeOf("POST example.com/orders/")).isEqualTo("/orders/");
        assertThat(HttpSemconv.routeOf("example.com/")).isEqualTo("/");
        assertThat(HttpSemconv.routeOf("")).isEmpty();
    }

    @Test
    void aFrameworkRouteComesBeforeTheServeMuxPattern() {
        assertThat(HttpSemconv.route("/api/users/:id", "/api/")).isEqualTo("/api/users/:id");
        assertThat(HttpSemconv.route("", "GET /hello/{id}")).isEqualTo("/hello/{id}");
        assertThat(HttpSemconv.route("", "")).isEmpty();
    }

    @Test
    void unknownMethodsBecomeOther() {
        assertThat(HttpSemconv.normalizeMethod("GET")).isEqualTo("GET");
        assertThat(HttpSemconv.normalizeMethod("PATCH")).isEqualTo("PATCH");
        assertThat(HttpSemconv.normalizeMethod("get")).isEqualTo("_OTHER");
        assertThat(HttpSemconv.normalizeMethod("PROPFIND")).isEqualTo("_OTHER");
    }

    @Test
    void signaturesInQueriesAreRedacted() {
        assertThat(HttpSemconv.redactQuery("")).isEmpty();
        assertThat(HttpSemconv.redactQuery("q=books&page=2")).isEqualTo("q=books&page=2");
        assertThat(HttpSemconv.redactQuery("sig=abc")).isEqualTo("sig=REDACTED");
        assertThat(HttpSemconv.redactQuery("a=1&Signature=xyz&AWSAccessKeyId=K&b=2"))
                .isEqualTo("a=1&Signature=REDACTED&AWSAccessKeyId=REDACTED&b=2");
        assertThat(HttpSemconv.redactQuery("X-Goog-Signature=s&flag")).isEqualTo("X-Goog-Signature=REDACTED&flag");
        assertThat(HttpSemconv.redactQuery("signature=lowercase-is-not-listed")).isEqualTo("signature=lowercase-is-not-listed");
    }

    @Test
    void protocolVersions() {
        assertThat(HttpSemconv.protocolVersion(1, 1)).isEqualTo("1.1");
        assertThat(HttpSemconv.protocolVersion(1, 0)).isEqualTo("1.0");
        assertThat(HttpSemconv.protocolVersion(2, 0)).isEqualTo("2");
        assertThat(HttpSemconv.protocolVersion(0, 0)).isNull();
    }

    @Test
    void hostPorts() {
        assertThat(HostPort.parse("127.0.0.1:8080")).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(HostPort.parse("[::1]:443")).isEqualTo(new HostPort("::1", 443));
        assertThat(HostPort.parse("[::1]")).isEqualTo(new HostPort("::1", HostPort.NO_PORT));
        assertThat(HostPort.parse("::1")).isEqualTo(new HostPort("::1", HostPort.NO_PORT));
        assertThat(HostPort.parse("example.com")).isEqualTo(new HostPort("example.com", HostPort.NO_PORT));
        assertThat(HostPort.parse("example.com:99999")).isEqualTo(new HostPort("example.com", HostPort.NO_PORT));
        assertThat(HostPort.parse("")).isNull();
    }
}
