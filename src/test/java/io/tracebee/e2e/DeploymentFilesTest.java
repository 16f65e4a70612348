package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.tracebee.config.Knob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The deployment files say what the code and README say: the capabilities README lists (and LeastPrivilegeIT and
 * SidecarNamespaceIT run with) are exactly those the compose sidecar and the DaemonSet grant; every tracebee
 * variable they set is one tracebee reads, with a value it accepts; the collector configurations load in a real
 * OpenTelemetry Collector (the test fixture, built with the same components). The files' syntax against Docker's
 * and Kubernetes' own parsers is src/test/deploy's (scripts/test.sh runs it).
 */
class DeploymentFilesTest {
    private static final Path DAEMONSET = Path.of("deploy/kubernetes/tracebee-daemonset.yaml");
    private static final Path GATEWAY = Path.of("deploy/kubernetes/collector-gateway.yaml");

    @Test
    void theSidecarAndTheDaemonSetGrantExactlyTheCapabilitiesReadmeLists() throws IOException {
        Matcher m = Pattern.compile("--ambient-caps=-all,([+a-z_,]+)").matcher(Files.readString(Path.of("README.md")));
        assertThat(m.find()).as("README's setpriv example").isTrue();
        Set<String> readme = new TreeSet<>(Arrays.asList(m.group(1).replace("+", "").split(",")));
        assertThat(readme).contains("sys_admin", "bpf", "perfmon");

        JsonNode sidecar = DeploymentFiles.composeService("tracebee");
        assertThat(names(sidecar.path("cap_add"))).as("compose cap_add").isEqualTo(readme);
        assertThat(names(sidecar.path("cap_drop"))).containsExactly("all");

        JsonNode container = container(document(DAEMONSET, "DaemonSet"));
        JsonNode caps = container.path("securityContext").path("capabilities");
        assertThat(names(caps.path("add"))).as("DaemonSet capabilities").isEqualTo(readme);
        assertThat(names(caps.path("drop"))).containsExactly("all");
        assertThat(container.path("securityContext").path("privileged").asBoolean(true)).isFalse();

        assertThat(new TreeSet<>(Arrays.asList(LeastPrivilegeIT.CAPS.replace("+", "").split(","))))
                .as("LeastPrivilegeIT's").isEqualTo(readme);
    }

    @Test
    void everyTracebeeVariableTheyComeWithIsOneTracebeeReadsWithAValueItTakes() throws IOException {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        DeploymentFiles.composeService("tracebee").path("environment").fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        document(DAEMONSET, "ConfigMap").path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        for (JsonNode e : container(document(DAEMONSET, "DaemonSet")).path("env")) {
            env.put(e.path("name").asText(), e.path("value").asText(""));
        }
        Map<String, Knob> knobs = Arrays.stream(Knob.values()).collect(Collectors.toMap(Knob::env, k -> k));
        int checked = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("OTEL_") && !name.startsWith("TRACEBEE_")) {
                continue;
            }
            Knob knob = knobs.get(name);
            assertThat(knob).as(name + " is a variable tracebee reads (Knob)").isNotNull();
            // compose's ${VAR:-default} and ${VAR:?message} (a value the user must give), the DaemonSet's $(VAR)
            String value = e.getValue().replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1")
                    .replaceAll("\\$\\{[A-Z_]+:\\?[^}]*}", "given-by-the-user").replace("$(NODE_NAME)", "node-1");
            assertThat(knob.type().normalize(value)).as(name + "=" + value).isPresent();
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(6);
        assertThat(env).containsKey(Knob.TARGET_EXE_GLOB.env()).containsKey(Knob.TARGET_PID.env());
    }

    @Test
    void theCollectorConfigurationsLoadInARealCollector() throws Exception {
        Path collector = Fixtures.dir().resolve("otelcol-tracebee");
        if (!Files.isExecutable(collector)) {
            assumeTrue(System.getenv("CI") != null, "no collector fixture: run src/test/build-fixtures.sh");
            throw new AssertionError("the collector fixture " + collector + " is missing (src/test/build-fixtures.sh)");
        }
        Path gateway = Files.createTempFile("gateway-", ".yaml");
        try {
            Files.writeString(gateway, document(GATEWAY, "ConfigMap").path("data").path("config.yaml").asText());
            for (Path config : List.of(Path.of("docker/otelcol.yaml"), gateway)) {
                ProcessBuilder pb = new ProcessBuilder(collector.toString(), "validate", "--config=" + config)
                        .redirectErrorStream(true);
                pb.environment().put("BACKEND_OTLP_ENDPOINT", "backend:4317");
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes());
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(config + ": " + out).isZero();
            }
        } finally {
            Files.deleteIfExists(gateway);
        }
    }

    private static Set<String> names(JsonNode list) {
        Set<String> out = new TreeSet<>();
        list.forEach(n -> out.add(n.asText().toLowerCase(Locale.ROOT)));
        return out;
    }

    private static JsonNode container(JsonNode workload) {
        JsonNode containers = workload.path("spec").path("template").path("spec").path("containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    /** The one document of that kind in a multi-document YAML file. */
    private static JsonNode document(Path file, String kind) throws IOException {
        List<JsonNode> found = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            ObjectReader reader = DeploymentFiles.YAML.readerFor(JsonNode.class);
            for (var it = reader.<JsonNode>readValues(parser); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (kind.equals(doc.path("kind").asText())) {
                    found.add(doc);
                }
            }
        }
        assertThat(found).as(file + ": one " + kind).hasSize(1);
        return found.get(0);
    }
}
