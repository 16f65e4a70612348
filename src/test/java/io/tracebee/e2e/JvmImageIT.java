package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/Dockerfile.jvm's runtime stage without an engine: the aot-jar build laid out as the image has it
 * (/opt/tracebee with the JNI library in native/), its AOT cache written by the Dockerfile's own `RUN java
 * -XX:AOTCacheOutput...` line there, then started with its ENTRYPOINT on JDK 25 and the environment the compose file
 * gives the sidecar. The cache must be usable (-XX:AOTMode=on makes a cache the JVM cannot map an error, rather than
 * a silent fallback), the library must load from java.library.path (no temporary directory to extract to), compose's
 * healthcheck command must pass, and the API must want the token. scripts/test.sh builds target/quarkus-app-aot
 * (-Dquarkus.package.jar.type=aot-jar); the JDK 25 is -Dtracebee.jdk25, by default the Temurin package's path.
 */
class JvmImageIT {
    private static final Path AOT_APP = Path.of("target/quarkus-app-aot");
    private static final Path JDK25 = Path.of(System.getProperty("tracebee.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));

    @TempDir
    Path image;

    @Test
    void theImagesEntrypointStartsFromItsAotCacheAndTracesThePidItIsGiven() throws Exception {
        Path java = JDK25.resolve("bin/java");
        if (!Files.isExecutable(java) || !Files.isRegularFile(AOT_APP.resolve("quarkus-run.jar"))) {
            String why = "needs a JDK 25 at " + JDK25 + " and " + AOT_APP + " (./mvnw package -Dquarkus.package.jar.type="
                    + "aot-jar -Dquarkus.package.output-directory=quarkus-app-aot, which scripts/test.sh runs)";
            assumeTrue(System.getenv("CI") != null, why);
            throw new AssertionError(why);
        }
        Path opt = image.resolve("opt/tracebee");
        Fixtures.copyTree(AOT_APP, opt);
        Files.deleteIfExists(opt.resolve("app.aot"));  // the image writes its own, below
        Fixtures.copyTree(Path.of("target/classes/META-INF/native"), opt.resolve("native"));
        List<String> training = new ArrayList<>(List.of(runtimeStageRun().split("\\s+")));
        assertThat(training.get(0)).isEqualTo("java");
        training.set(0, java.toString());
        Process train = new ProcessBuilder(training).directory(opt.toFile()).redirectErrorStream(true).start();
        String trainingOutput = new String(train.getInputStream().readAllBytes());
        assertThat(train.waitFor()).as("the Dockerfile's training run: " + trainingOutput).isZero();
        assertThat(opt.resolve("app.aot")).as(trainingOutput).isRegularFile();

        List<String> command = new ArrayList<>();
        for (String arg : entrypoint()) {
            command.add(arg.equals("java") ? java.toString() : arg.replace("/opt/tracebee", opt.toString()));
        }
        command.add(1, "-XX:AOTMode=on");  // fail, not fall back, when the cache does not fit this JVM and layout
        command.add(2, "-Djava.io.tmpdir=" + image.resolve("no-tmp"));  // nothing to extract the library into
        JsonNode sidecar = DeploymentFiles.composeService("tracebee");
        int port = Fixtures.freePort();
        try (GoServer server = GoServer.start("httpserver-go1.26")) {
            Map<String, String> env = new java.util.HashMap<>();
            env.put("QUARKUS_HTTP_HOST", dockerfileEnv("QUARKUS_HTTP_HOST"));
            env.put("TRACEBEE_API_TOKEN", "image-test-token");
            env.put("OTEL_SERVICE_NAME", sidecar.path("environment").path("OTEL_SERVICE_NAME").asText());
            env.put("OTEL_GO_AUTO_TARGET_PID", Long.toString(server.pid()));  // compose: 1, the shared namespace's
            env.put("OTEL_TRACES_EXPORTER", "none");
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            try (ManagedProcess agent = ManagedProcess.start("tracebee-image", command, env, opt)) {
                List<String> health = new ArrayList<>();
                sidecar.path("healthcheck").path("test").forEach(t -> health.add(t.asText().replace("8686", Integer.toString(port))));
                assertThat(health.remove(0)).isEqualTo("CMD");
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                int healthy = -1;
                while (healthy != 0 && System.nanoTime() < deadline && agent.isAlive()) {
                    Process p = new ProcessBuilder(health).redirectErrorStream(true).start();
                    healthy = p.waitFor();
                    Thread.sleep(200);
                }
                assertThat(healthy).as("compose's healthcheck: " + agent.output()).isZero();

                HttpClient client = HttpClient.newHttpClient();
                URI targets = URI.create("http://127.0.0.1:" + port + "/targets");
                assertThat(client.send(HttpRequest.newBuilder(targets).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).as("listening beyond loopback: the token is required").isEqualTo(401);
                String body = "";
                while (!body.contains("\"attached\"") && System.nanoTime() < deadline) {
                    body = client.send(HttpRequest.newBuilder(targets).header("Authorization", "Bearer image-test-token")
                            .build(), HttpResponse.BodyHandlers.ofString()).body();
                    Thread.sleep(100);
                }
                assertThat(body).as(agent.output()).contains("\"pid\":" + server.pid()).contains("\"attached\"");
                assertThat(server.get("/hello/image").statusCode()).isEqualTo(200);
                assertThat(agent.output()).contains("tracebee started").doesNotContain("cannot extract");
            }
        }
    }

    /** The command of the runtime stage's one RUN that starts java (the training run). */
    private static String runtimeStageRun() throws Exception {
        String dockerfile = Files.readString(Path.of("docker/Dockerfile.jvm")).replace("\\\n", " ");
        String runtime = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));
        Matcher m = Pattern.compile("(?m)^RUN\\s+(java\\s.*)$").matcher(runtime);
        assertThat(m.find()).as("Dockerfile.jvm's runtime stage runs java once to write the cache").isTrue();
        return m.group(1).trim();
    }

    /** The JSON-array ENTRYPOINT of docker/Dockerfile.jvm (continuation lines joined). */
    private static List<String> entrypoint() throws Exception {
        String dockerfile = Files.readString(Path.of("docker/Dockerfile.jvm")).replace("\\\n", " ");
        Matcher m = Pattern.compile("(?m)^ENTRYPOINT\\s+(\\[.*])\\s*$").matcher(dockerfile);
        assertThat(m.find()).as("Dockerfile.jvm's ENTRYPOINT").isTrue();
        List<String> out = new ArrayList<>();
        new ObjectMapper().readTree(m.group(1)).forEach(a -> out.add(a.asText()));
        return out;
    }

    private static String dockerfileEnv(String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^ENV\\s+" + name + "=(\\S+)").matcher(Files.readString(Path.of("docker/Dockerfile.jvm")));
        assertThat(m.find()).as("Dockerfile.jvm sets " + name).isTrue();
        return m.group(1);
    }
}
