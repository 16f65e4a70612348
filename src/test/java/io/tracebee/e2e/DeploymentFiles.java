package io.tracebee.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The deployment files the tests hold the agent to (docker/, deploy/kubernetes/), read as YAML trees. */
final class DeploymentFiles {
    static final Path COMPOSE = Path.of("docker/compose.yaml");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private DeploymentFiles() {
    }

    /** A service of docker/compose.yaml (tracebee: the sidecar). */
    static JsonNode composeService(String name) {
        try {
            return YAML.readTree(COMPOSE.toFile()).path("services").path(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
