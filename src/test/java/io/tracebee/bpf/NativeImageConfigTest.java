package io.tracebee.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The GraalVM jni-config.json must list exactly the JNI surface of {@link Native}. */
class NativeImageConfigTest {
    private static final String CONFIG = "META-INF/native-image/io.tracebee/tracebee/jni-config.json";

    @Test
    void jniConfigListsEveryNativeAndTheLogCallback() throws Exception {
        JsonNode config;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(CONFIG)) {
            assertThat(in).as(CONFIG).isNotNull();
            config = new ObjectMapper().readTree(in);
        }
        List<String> listed = new ArrayList<>();
        for (JsonNode cls : config) {
            if (cls.get("name").asText().equals(Native.class.getName())) {
                for (JsonNode m : cls.get("methods")) {
                    List<String> params = new ArrayList<>();
                    m.get("parameterTypes").forEach(p -> params.add(p.asText()));
                    listed.add(m.get("name").asText() + params);
                }
            }
        }
        List<String> expected = new ArrayList<>();
        for (Method m : Native.class.getDeclaredMethods()) {
            if (Modifier.isNative(m.getModifiers()) || m.getName().equals("libbpfLog")) {
                expected.add(m.getName() + Arrays.stream(m.getParameterTypes())
                        .map(Class::getTypeName)
                        .collect(Collectors.toList()));
            }
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(expected);
    }
}
