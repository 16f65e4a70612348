package io.tracebee.control;

import io.tracebee.span.Attributes;
import io.tracebee.span.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the OpenTelemetry resource describing one traced process. */
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
