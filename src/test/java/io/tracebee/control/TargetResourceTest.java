package io.tracebee.control;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tracebee.bpf.BpfTestSupport;
import io.tracebee.e2e.Fixtures;
import io.tracebee.e2e.GoServer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The control plane refuses bad requests with RFC 9457 problem+json naming exactly what is wrong. */
@QuarkusTest
class TargetResourceTest {
    @BeforeEach
    void needsBpf() {
        BpfTestSupport.assumeBpf();
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("{", 400, "malformed-json", "not valid JSON"),
                Arguments.of("[1]", 400, "wrong-type", "JSON object"),
                Arguments.of("{\"pid\": 1, \"color\": \"red\"}", 400, "unknown-field", "unknown field \"color\""),
                Arguments.of("{\"pid\": \"abc\"}", 400, "wrong-type", "\"pid\""),
                Arguments.of("{}", 400, "pid-or-exe", "exactly one of"),
                Arguments.of("{\"pid\": 1, \"exe\": \"/bin/ls\"}", 400, "pid-or-exe", "exactly one of"),
                Arguments.of("{\"pid\": -4}", 400, "bad-pid", "positive"),
                Arguments.of("{\"pid\": 999999999}", 404, "no-such-process", "no process with pid 999999999"),
                Arguments.of("{\"exe\": \"relative/server\"}", 400, "exe-not-absolute", "absolute path"),
                Arguments.of("{\"exe\": \"/no/such/binary\"}", 404, "no-such-file", "/no/such/binary"),
                Arguments.of("{\"exe\": \"/tmp\"}", 422, "not-a-file", "not a regular file"),
                Arguments.of("{\"exe\": \"/etc/hostname\"}", 422, "not-elf", "/etc/hostname"),
                Arguments.of("{\"exe\": \"/bin/ls\"}", 422, "not-go", "not a Go program"),
                Arguments.of("{\"exe\": \"/bin/ls\", \"serviceName\": \" \"}", 400, "service-name", "must not be blank"),
                Arguments.of("{\"exeGlob\": \"srv/*/server\"}", 400, "exe-glob-not-absolute", "absolute path pattern"),
                Arguments.of("{\"exeGlob\": \"/srv/[a/server\"}", 400, "bad-glob", "not a valid glob"),
                Arguments.of("{\"exeGlob\": \"/srv/*\", \"pid\": 1}", 400, "pid-or-exe", "exactly one of"),
                Arguments.of("{\"exeGlob\": 7}", 400, "wrong-type", "\"exeGlob\""),
                Arguments.of("{\"pid\": 1.5}", 400, "wrong-type", "\"pid\""),
                Arguments.of("{\"pid\": 1, \"serviceName\": [\"a\"]}", 400, "wrong-type", "\"serviceName\""),
                Arguments.of("", 400, "missing-body", "JSON object"),
                Arguments.of("null", 400, "missing-body", "JSON object"));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void refusesWithAProblem(String body, int status, String type, String detail) {
        given().contentType(ContentType.JSON).body(body)
                .when().post("/targets")
                .then().statusCode(status)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tracebee.io/problems/" + type))
                .body("status", equalTo(status))
                .body("detail", containsString(detail))
                .body("instance", equalTo("/targets"));
        given().when().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void refusesToTraceItself() {
        given().contentType(ContentType.JSON).body("{\"pid\": " + ProcessHandle.current().pid() + "}")
                .when().post("/targets")
                .then().statusCode(422).body("type", equalTo("https://tracebee.io/problems/self"));
    }

    @Test
    void unknownTargetsAreNotFound() {
        given().when().get("/targets/12345").then().statusCode(404)
                .contentType("application/problem+json").body("detail", equalTo("no target with id 12345"));
        given().when().delete("/targets/12345").then().statusCode(404);
    }

    @Test
    void attachListDetachAndRefuseADuplicate() {
        try (GoServer server = GoServer.start("httpserver-go1.25")) {
            String id = given().contentType(ContentType.JSON).body("{\"pid\": " + server.pid() + "}")
                    .when().post("/targets")
                    .then().statusCode(201)
                    .header("Location", containsString("/targets/"))
                    .body("goVersion", startsWith("go1.25"))
                    .body("exe", equalTo(Fixtures.file("httpserver-go1.25").toString()))
                    .body("serviceName", equalTo(null))
                    .body("probes[0].state", equalTo("attached"))
                    .extract().path("id");
            given().contentType(ContentType.JSON).body("{\"pid\": " + server.pid() + "}")
                    .when().post("/targets")
                    .then().statusCode(409).body("type", equalTo("https://tracebee.io/problems/duplicate-target"))
                    .body("detail", containsString("already attached as target " + id));
            given().when().get("/targets").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id));
            given().when().delete("/targets/" + id).then().statusCode(204);
            given().when().get("/targets/" + id).then().statusCode(404);
        }
    }
}
