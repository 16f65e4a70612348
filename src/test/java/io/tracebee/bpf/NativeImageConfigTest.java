package io.tracebee.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What a native executable needs registered, checked against what the code does: every native method of
 * {@link Native} in the JNI table the C library registers (onload.c) with the same signature, and in the GraalVM
 * JNI configuration; every Java method and class the C code looks up (log.c's callback, onload.c's String); the
 * classes that load the library initialised at run time; the JNI library, the BPF objects and the offset tables
 * included as resources. Once for the registrations as the jar ships them, once for the Quarkus native sources
 * ({@code ./mvnw package -Pnative -Dquarkus.native.sources-only=true}, which scripts/test.sh builds first): the
 * configuration native-image would read there, and the arguments Quarkus generated for it.
 */
class NativeImageConfigTest {
    private static final String DIR = "META-INF/native-image/io.tracebee/tracebee/";
    private static final Path C_SOURCES = Path.of("src/main/c");
    private static final Path NATIVE_SOURCES = Path.of(System.getProperty("tracebee.native.sources", "target/native-sources"));
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Opens a resource by name, or returns null. */
    private interface Resources {
        InputStream open(String name) throws IOException;
    }

    @Test
    void theCTableRegistersExactlyTheJavaNatives() throws IOException {
        Set<String> c = new TreeSet<>();
        Matcher m = Pattern.compile("\\bM\\((\\w+),\\s*\"([^\"]+)\"\\)").matcher(Files.readString(C_SOURCES.resolve("onload.c")));
        while (m.find()) {
            c.add(m.group(1) + m.group(2));
        }
        Set<String> java = new TreeSet<>();
        for (Method method : natives()) {
            java.add(method.getName() + descriptor(method));
        }
        assertThat(c).as("onload.c's RegisterNatives table against Native's native methods").isEqualTo(java);
    }

    @Test
    void theJarsRegistrationsCoverTheJniSurface() throws IOException {
        ClassLoader cl = getClass().getClassLoader();
        List<String> entries;
        try (Stream<Path> files = Files.walk(Path.of("target/classes"))) {
            entries = files.filter(Files::isRegularFile).map(p -> Path.of("target/classes").relativize(p).toString()).toList();
        }
        check(cl::getResourceAsStream, entries);
    }

    @Test
    void theGeneratedNativeSourcesCarryTheRegistrations() throws IOException {
        Path args = NATIVE_SOURCES.resolve("native-image.args");
        String build = "./mvnw package -Pnative -Dquarkus.native.sources-only=true -DskipTests";
        if (!Files.exists(args)) {
            assumeTrue(System.getenv("CI") != null, "no " + NATIVE_SOURCES + ": build them with " + build);
            fail("no native sources at " + NATIVE_SOURCES + " (scripts/test.sh builds them with " + build + ")");
        }
        Path runner;
        try (Stream<Path> files = Files.list(NATIVE_SOURCES)) {
            runner = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst().orElseThrow();
        }
        try (ZipFile jar = new ZipFile(runner.toFile())) {
            byte[] built = Files.readAllBytes(Path.of("target/classes/io/tracebee/bpf/Native.class"));
            byte[] packed = jar.getInputStream(jar.getEntry("io/tracebee/bpf/Native.class")).readAllBytes();
            if (!Arrays.equals(built, packed)) {
                assumeTrue(System.getenv("CI") != null, NATIVE_SOURCES + " is older than target/classes: rebuild with " + build);
                fail(NATIVE_SOURCES + " was built from other classes than target/classes");
            }
            check(name -> jar.getEntry(name) == null ? null : jar.getInputStream(jar.getEntry(name)),
                    jar.stream().map(e -> e.getName()).toList());
        }
        List<String> argv = List.of(Files.readString(args).trim().split("\\s+"));
        assertThat(argv).as("native-image.args").contains("--no-fallback", "-jar", runner.getFileName().toString());
        assertThat(argv).noneMatch(a -> a.startsWith("--initialize-at-build-time") && a.contains("io.tracebee"));
        try (Stream<Path> lib = Files.walk(NATIVE_SOURCES.resolve("lib"))) {
            assertThat(lib.filter(p -> p.toString().endsWith(".jar")).count()).as("the dependencies beside it").isPositive();
        }
    }

    /** The registrations one classpath (resources by name, and the names of all its entries) holds. */
    private static void check(Resources resources, List<String> entries) throws IOException {
        JsonNode jni = json(resources, DIR + "jni-config.json");
        Set<String> listed = new TreeSet<>();
        for (JsonNode cls : jni) {
            listed.add(cls.get("name").asText());
            for (JsonNode m : cls.path("methods")) {
                List<String> params = new ArrayList<>();
                m.get("parameterTypes").forEach(p -> params.add(p.asText()));
                listed.add(cls.get("name").asText() + "." + m.get("name").asText() + params);
            }
        }
        Set<String> needed = new TreeSet<>();
        for (Method m : natives()) {
            needed.add(Native.class.getName() + "." + m.getName() + parameters(m));
        }
        needed.addAll(callbacks());
        assertThat(listed).as("jni-config.json").containsAll(needed);

        Properties props = new Properties();
        try (InputStream in = resources.open(DIR + "native-image.properties")) {
            assertThat(in).as(DIR + "native-image.properties").isNotNull();
            props.load(in);
        }
        Set<String> runTime = new LinkedHashSet<>();
        for (String arg : props.getProperty("Args", "").trim().split("\\s+")) {
            if (arg.startsWith("--initialize-at-run-time=")) {
                runTime.addAll(List.of(arg.substring(arg.indexOf('=') + 1).split(",")));
            }
        }
        assertThat(runTime).as("initialised at run time: the classes that load the JNI library")
                .contains(Native.class.getName(), NativeLibrary.class.getName(), BpfSupport.class.getName());
        for (String name : runTime) {
            assertThat(entries).as("a class named for run-time initialisation exists").contains(name.replace('.', '/') + ".class");
        }

        List<Pattern> included = new ArrayList<>();
        for (JsonNode inc : json(resources, DIR + "resource-config.json").path("resources").path("includes")) {
            included.add(Pattern.compile(inc.get("pattern").asText()));
        }
        List<String> wanted = entries.stream()
                .filter(e -> e.matches("bpf/[^/]+\\.bpf\\.o|META-INF/native/[^/]+\\.so|offsets/[^/]+\\.json")).toList();
        assertThat(wanted).as("resources native code needs").anyMatch(e -> e.endsWith(".so")).anyMatch(e -> e.endsWith(".bpf.o"));
        for (String e : wanted) {
            assertThat(included).as(e + " is included by resource-config.json").anyMatch(p -> p.matcher(e).matches());
        }
    }

    /** Classes (by name) and methods (class.name[param types]) the C code looks up through JNI. */
    private static Set<String> callbacks() {
        Set<String> out = new TreeSet<>();
        Pattern findClass = Pattern.compile("FindClass\\(env,\\s*\"([^\"]+)\"\\)");
        Pattern method = Pattern.compile("Get(?:Static)?MethodID\\(env,\\s*\\w+,\\s*\"(\\w+)\",\\s*\"([^\"]+)\"\\)");
        try (Stream<Path> files = Files.list(C_SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".c")).toList()) {
                String src = Files.readString(f);
                Matcher c = findClass.matcher(src);
                while (c.find()) {
                    out.add(c.group(1).replace('/', '.'));
                }
                Matcher m = method.matcher(src);
                while (m.find()) {
                    // every callback is Native's (log.c looks libbpfLog up on the class JNI_OnLoad registered)
                    Method target = Arrays.stream(Native.class.getDeclaredMethods())
                            .filter(j -> j.getName().equals(m.group(1)) && descriptor(j).equals(m.group(2)))
                            .findFirst().orElseThrow(() -> new AssertionError(f + " looks up " + m.group(1) + m.group(2)
                                    + ", which Native does not declare"));
                    out.add(Native.class.getName() + "." + target.getName() + parameters(target));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(out).as("the C code's lookups were found").anyMatch(s -> s.contains("libbpfLog"));
        return out;
    }

    private static List<Method> natives() {
        return Arrays.stream(Native.class.getDeclaredMethods()).filter(m -> Modifier.isNative(m.getModifiers())).toList();
    }

    private static String parameters(Method m) {
        return Arrays.stream(m.getParameterTypes()).map(Class::getTypeName).collect(Collectors.toList()).toString();
    }

    private static String descriptor(Method m) {
        StringBuilder sb = new StringBuilder("(");
        for (Class<?> p : m.getParameterTypes()) {
            sb.append(descriptor(p));
        }
        return sb.append(')').append(descriptor(m.getReturnType())).toString();
    }

    private static String descriptor(Class<?> c) {
        if (c.isArray()) {
            return "[" + descriptor(c.getComponentType());
        }
        if (c.isPrimitive()) {
            return switch (c.getName()) {
                case "int" -> "I";
                case "long" -> "J";
                case "boolean" -> "Z";
                case "byte" -> "B";
                case "short" -> "S";
                case "char" -> "C";
                case "float" -> "F";
                case "double" -> "D";
                case "void" -> "V";
                default -> throw new IllegalArgumentException(c.getName());
            };
        }
        return "L" + c.getName().replace('.', '/') + ";";
    }

    private static JsonNode json(Resources resources, String name) throws IOException {
        try (InputStream in = resources.open(name)) {
            assertThat(in).as(name).isNotNull();
            return JSON.readTree(in);
        }
    }
}
