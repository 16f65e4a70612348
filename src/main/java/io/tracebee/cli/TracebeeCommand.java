package io.tracebee.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import io.quarkus.runtime.Quarkus;
import io.tracebee.control.ProblemException;
import io.tracebee.control.TargetRequest;
import io.tracebee.control.TargetView;
import io.tracebee.pipeline.Agent;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code tracebee} command: start the agent, attach the targets named on the command line, serve. */
@TopCommand
@Command(name = "tracebee", mixinStandardHelpOptions = true, version = "tracebee 0.1.0",
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Traces unmodified Go services with eBPF uprobes and exports OpenTelemetry spans.",
            "",
            "Attach targets here, with the OTEL_GO_AUTO_TARGET_* environment variables, or at runtime:",
            "  curl -X POST localhost:8686/targets -H 'content-type: application/json' -d '{\"pid\": 1234}'",
            "",
            "With no exporter configured, spans print to the console and the last traces are shown at",
            "http://127.0.0.1:8686/ . Set OTEL_EXPORTER_OTLP_ENDPOINT (or --otlp-endpoint) to send them",
            "to an OpenTelemetry Collector over OTLP gRPC.",
            "",
            "Needs root (or CAP_BPF + CAP_PERFMON + CAP_SYS_PTRACE) and Linux 5.15+ with BTF.",
            ""},
        footer = {"",
            "Environment (flags win over the environment; both win over application.properties):",
            "  OTEL_GO_AUTO_TARGET_EXE      binary to trace (every process running it, now and later)",
            "  OTEL_GO_AUTO_TARGET_PID      process to trace",
            "  OTEL_SERVICE_NAME            service.name of the traced process (default: its executable name)",
            "  OTEL_RESOURCE_ATTRIBUTES     extra resource attributes, key=value,...",
            "  OTEL_TRACES_EXPORTER         otlp, console, file or none, comma-separated for several",
            "                               (default: otlp if an endpoint is set, else console;",
            "                               the built-in view at / always keeps the last 200 traces)",
            "  OTEL_EXPORTER_OTLP_ENDPOINT  collector address, e.g. http://localhost:4317",
            "  OTEL_EXPORTER_OTLP_HEADERS   key=value,... sent with every export",
            "  OTEL_EXPORTER_OTLP_TIMEOUT   export timeout in milliseconds (default 10000)",
            "  OTEL_EXPORTER_FILE_PATH      file for the file exporter (OTLP JSON lines)",
            "  OTEL_BSP_SCHEDULE_DELAY      export batching delay in milliseconds (default 1000)",
            "  OTEL_BSP_MAX_QUEUE_SIZE      spans queued per exporter before dropping (default 2048)",
            "  TRACEBEE_RING_BUFFER_BYTES   kernel ring-buffer size, a power of two (default 8388608)",
            "  TRACEBEE_HTTP_INJECT         on (default) or off: write traceparent into outgoing HTTP/1.x",
            "                               requests of traced clients (sk_msg; their memory is not written)",
            "  TRACEBEE_DB_QUERY_TEXT       on (default) or off: db.query.text on database spans (literals",
            "                               are always replaced by ?; at most 512 bytes of a statement)",
            "  QUARKUS_HTTP_PORT            control-plane port (default 8686)",
            "  QUARKUS_HTTP_HOST            control-plane address (default 127.0.0.1)",
            "",
            "REST: POST/GET /targets, GET/DELETE /targets/{id}, GET /api/traces, /q/metrics, /q/health"})
public class TracebeeCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(TracebeeCommand.class);

    @Option(names = "--target-exe", paramLabel = "PATH",
            description = "Binary to trace: every process running it, now and later. Repeatable. "
                    + "Also OTEL_GO_AUTO_TARGET_EXE.")
    List<String> targetExes = new ArrayList<>();

    @Option(names = "--target-pid", paramLabel = "PID",
            description = "Process to trace. Repeatable. Also OTEL_GO_AUTO_TARGET_PID.")
    List<Integer> targetPids = new ArrayList<>();

    @Option(names = "--service-name", paramLabel = "NAME",
            description = "service.name for targets attached here. Also OTEL_SERVICE_NAME.")
    String serviceName;

    @Option(names = "--exporter", paramLabel = "LIST",
            description = "otlp, console, file or none (comma-separated). Also OTEL_TRACES_EXPORTER.")
    String exporter;

    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = "OTLP gRPC endpoint, e.g. http://localhost:4317. Also OTEL_EXPORTER_OTLP_ENDPOINT.")
    String otlpEndpoint;

    @Option(names = "--file-path", paramLabel = "PATH",
            description = "Output of the file exporter (OTLP JSON lines). Also OTEL_EXPORTER_FILE_PATH.")
    String filePath;

    @Inject
    Agent agent;

    @Override
    public Integer call() {
        agent.settings().override("OTEL_SERVICE_NAME", serviceName);
        agent.settings().override("OTEL_TRACES_EXPORTER", exporter);
        agent.settings().override("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint);
        agent.settings().override("OTEL_EXPORTER_FILE_PATH", filePath);

        List<TargetRequest> requests = new ArrayList<>();
        targetPids.forEach(pid -> requests.add(new TargetRequest(pid, null, null)));
        targetExes.forEach(exe -> requests.add(new TargetRequest(null, exe, null)));
        if (targetPids.isEmpty() && targetExes.isEmpty()) {
            // Go Auto's variables, comma-separated for several targets
            list("OTEL_GO_AUTO_TARGET_PID").forEach(p -> requests.add(new TargetRequest(parsePid(p), null, null)));
            list("OTEL_GO_AUTO_TARGET_EXE").forEach(e -> requests.add(new TargetRequest(null, e, null)));
        }
        agent.beginStartup();
        try {
            agent.start();
        } catch (RuntimeException e) {
            LOG.errorf("tracebee cannot start: %s", e.getMessage());
            return 2;
        }
        for (TargetRequest r : requests) {
            try {
                TargetView v = agent.targets().attach(r, "command line");
                LOG.infof("tracing %s (%s), target id %s", v.exe(), v.goVersion(), v.id());
            } catch (ProblemException e) {
                LOG.errorf("cannot attach %s: %s", r.pid() != null ? "pid " + r.pid() : r.exe(), e.getMessage());
                return 2;
            }
        }
        agent.endStartup();
        Quarkus.waitForExit();
        return 0;
    }

    private List<String> list(String envName) {
        return agent.settings().get(envName).stream()
                .flatMap(v -> java.util.Arrays.stream(v.split(",")))
                .map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    private static int parsePid(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("OTEL_GO_AUTO_TARGET_PID must be a process id, got \"" + s + "\"");
        }
    }
}
