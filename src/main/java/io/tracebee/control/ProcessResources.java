package io.tracebee.control;

import io.tracebee.span.Attributes;
import io.tracebee.span.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the OpenTelemetry resource describing one traced process: the service, the process, the host, and — for a
 * process in a container — its {@code container.id} and, under Kubernetes, its pod's {@code k8s.pod.uid}, from the
 * process's cgroup path, so a collector's k8sattributes processor can add the pod's name, namespace and workload
 * (deploy/kubernetes/collector-gateway.yaml).
 */
public final class ProcessResources {
    public static final String DISTRO_NAME = "tracebee";
    public static final String DISTRO_VERSION = "0.1.0";

    private final String hostName;
    private final Map<String, String> extraAttributes;

    /**
     * @param resourceAttributes the parsed OTEL_RESOURCE_ATTRIBUTES, applied to every process
     */
    public ProcessResources(Map<String, String> resourceAttributes) {
        this.hostName = readHostName();
        this.extraAttributes = resourceAttributes;
    }

    /**
     * @param exe the executable's path as the target knows it (may be null)
     */
    public Resource forProcess(int pid, String exe, String serviceName, String goVersion) {
        String service = serviceName;
        if (service == null) {
            service = extraAttributes.get("service.name");
        }
        if (service == null) {
            service = exe == null ? "unknown_service" : Path.of(exe).getFileName().toString();
        }
        Attributes.Builder a = Attributes.builder();
        containerAttributes(readCgroup(pid)).forEach(a::put);
        extraAttributes.forEach(a::put);
        a.put("service.name", service)
                .put("process.pid", pid)
                .put("process.executable.path", exe)
                .put("process.executable.name", exe == null ? null : Path.of(exe).getFileName().toString())
                .put("process.runtime.name", "go")
                .put("process.runtime.version", goVersion)
                .put("host.name", hostName)
                .put("telemetry.sdk.language", "go")
                .put("telemetry.distro.name", DISTRO_NAME)
                .put("telemetry.distro.version", DISTRO_VERSION);
        return new Resource(a.build());
    }

    /** A container's id: a cgroup path segment, bare or as runtimes name their scopes (docker-, cri-containerd-, ...). */
    private static final Pattern CONTAINER =
            Pattern.compile("(?:(?:docker|cri-containerd|crio|libpod|containerd)-)?([0-9a-f]{64})(?:\\.scope)?");
    /** A pod's uid in its cgroup: pod<uid> (cgroupfs driver) or kubepods-<qos>-pod<uid_with_underscores>.slice (systemd). */
    private static final Pattern POD =
            Pattern.compile("pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\\.slice)?");

    /**
     * {@code container.id} and {@code k8s.pod.uid} from the text of a {@code /proc/<pid>/cgroup} file (cgroup v2's
     * {@code 0::} line, else any v1 line); empty for a process in no container. Paths may be relative to the
     * reader's cgroup namespace ({@code /../../kubepods.slice/...}): only the segments matter.
     */
    static Map<String, String> containerAttributes(String cgroup) {
        Map<String, String> out = new LinkedHashMap<>();
        if (cgroup == null) {
            return out;
        }
        String path = null;
        for (String line : cgroup.split("\n")) {
            int colon = line.indexOf(':', line.indexOf(':') + 1);
            if (colon < 0) {
                continue;
            }
            if (line.startsWith("0::") || path == null) {
                path = line.substring(colon + 1);
            }
        }
        if (path == null) {
            return out;
        }
        String[] segments = path.split("/");
        for (int i = segments.length - 1; i >= 0; i--) {
            Matcher m = CONTAINER.matcher(segments[i]);
            if (m.matches()) {
                out.put("container.id", m.group(1));
                break;
            }
        }
        for (String segment : segments) {
            Matcher m = POD.matcher(segment);
            if (m.find() && (segment.startsWith("pod") || segment.startsWith("kubepods"))) {
                out.put("k8s.pod.uid", m.group(1).replace('_', '-'));
            }
        }
        return out;
    }

    private static String readCgroup(int pid) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "cgroup"));
        } catch (IOException | RuntimeException e) {
            return null;  // gone, or not Linux
        }
    }

    /** The path of the process's executable, or null if the process is gone or unreadable. */
    public static String executablePath(int pid) {
        try {
            String p = Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "exe")).toString();
            return p.endsWith(" (deleted)") ? p.substring(0, p.length() - " (deleted)".length()) : p;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Parses OTEL_RESOURCE_ATTRIBUTES: comma-separated key=value, values percent-decoded. */
    public static Map<String, String> parseResourceAttributes(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = pair.substring(0, eq).trim();
            String value = java.net.URLDecoder.decode(pair.substring(eq + 1).trim(), java.nio.charset.StandardCharsets.UTF_8);
            if (!key.isEmpty()) {
                out.put(key, value);
            }
        }
        return out;
    }

    private static String readHostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e2) {
                return "localhost";
            }
        }
    }
}
