package io.tracebee.config;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * One place to read a knob by its OpenTelemetry environment name (e.g. {@code OTEL_SERVICE_NAME}).
 *
 * <p>Precedence: a CLI flag, then the environment variable, then the same key in
 * {@code application.properties} written the MicroProfile way ({@code otel.service.name}).
 * Everything the agent reads goes through here so the three sources agree.
 */
public final class Settings {
    private final Map<String, String> cliOverrides = new ConcurrentHashMap<>();
    private final Map<String, String> env;
    private final Config config;

    public Settings(Map<String, String> env, Config config) {
        this.env = env;
        this.config = config;
    }

    public static Settings fromEnvironment() {
        return new Settings(System.getenv(), ConfigProvider.getConfig());
    }

    /** A value given on the command line wins over the environment and properties. */
    public void override(String envName, String value) {
        if (value != null) {
            cliOverrides.put(envName, value);
        }
    }

    public Optional<String> get(String envName) {
        String v = cliOverrides.get(envName);
        if (v == null) {
            v = env.get(envName);
        }
        if (v == null && config != null) {
            v = config.getOptionalValue(propertyName(envName), String.class).orElse(null);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String get(String envName, String defaultValue) {
        return get(envName).orElse(defaultValue);
    }

    /** An integer setting; a value that is not one fails with a message naming the setting. */
    public int getInt(String envName, int defaultValue) {
        Optional<String> v = get(envName);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(envName + " must be an integer, got \"" + v.get() + "\"");
        }
    }

    /**
     * Every OTEL_* and TRACEBEE_* setting as an environment-style map, for components that read the
     * OpenTelemetry variables themselves: properties first, then the environment, then CLI flags on top.
     */
    public Map<String, String> environment() {
        Map<String, String> out = new java.util.HashMap<>();
        if (config != null) {
            for (String property : config.getPropertyNames()) {
                if (property.startsWith("otel.") || property.startsWith("tracebee.")) {
                    config.getOptionalValue(property, String.class)
                            .ifPresent(v -> out.put(property.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), v));
                }
            }
        }
        env.forEach((k, v) -> {
            if (k.startsWith("OTEL_") || k.startsWith("TRACEBEE_")) {
                out.put(k, v);
            }
        });
        out.putAll(cliOverrides);
        return out;
    }

    /** OTEL_SERVICE_NAME -> otel.service.name */
    static String propertyName(String envName) {
        return envName.toLowerCase(java.util.Locale.ROOT).replace('_', '.');
    }
}
