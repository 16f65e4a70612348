package io.tracebee.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracebee.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A non-loopback API needs a token; the token comes from the environment or a file. */
class ApiAccessTest {
    @Test
    void onlyLoopbackMayGoWithoutAToken() {
        assertThat(ApiAccess.refusal("127.0.0.1", false)).isNull();
        assertThat(ApiAccess.refusal("::1", false)).isNull();
        assertThat(ApiAccess.refusal("localhost", false)).isNull();
        assertThat(ApiAccess.refusal("0.0.0.0", false)).contains("refusing to listen on 0.0.0.0 without a token")
                .contains("TRACEBEE_API_TOKEN");
        assertThat(ApiAccess.refusal("10.1.2.3", false)).isNotNull();
        assertThat(ApiAccess.refusal("0.0.0.0", true)).isNull();
    }

    @Test
    void theTokenComesFromTheEnvironmentOrTheFirstLineOfAFile(@TempDir Path dir) throws IOException {
        assertThat(ApiAccess.configuredToken(settings(Map.of("TRACEBEE_API_TOKEN", " s3cret ")))).contains("s3cret");
        Path file = Files.writeString(dir.resolve("token"), "from-file\nignored\n");
        assertThat(ApiAccess.configuredToken(settings(Map.of("TRACEBEE_API_TOKEN_FILE", file.toString())))).contains("from-file");
        assertThat(ApiAccess.configuredToken(settings(Map.of()))).isEmpty();
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> ApiAccess.configuredToken(settings(Map.of("TRACEBEE_API_TOKEN_FILE", empty.toString()))))
                .hasMessageContaining("first line is empty");
        assertThatThrownBy(() -> ApiAccess.configuredToken(settings(Map.of("TRACEBEE_API_TOKEN_FILE", "/no/such/token"))))
                .hasMessageContaining("cannot be read");
    }

    private static Settings settings(Map<String, String> env) {
        return new Settings(env, null);
    }
}
