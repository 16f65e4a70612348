package io.tracebee.bpf;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/** Shared by tests that need the kernel: skip (or fail under CI=true) without BPF, find native test programs. */
public final class BpfTestSupport {
    private BpfTestSupport() {
    }

    /** Skips the test when BPF is unavailable, with the reason; under CI a missing capability fails instead. */
    public static void assumeBpf() {
        BpfSupport.Status s = BpfSupport.check();
        if (s.available()) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("BPF is required under CI: " + s.reason());
        }
        Assumptions.abort("BPF unavailable: " + s.reason());
    }

    /** Skips (or fails under CI) when the JNI library itself cannot be loaded. */
    public static void assumeNativeLibrary() {
        if (NativeLibrary.isAvailable()) {
            return;
        }
        String reason = "JNI library unavailable: " + NativeLibrary.failure();
        if ("true".equals(System.getenv("CI"))) {
            fail(reason);
        }
        Assumptions.abort(reason);
    }

    /** {@code target/native-test}: helper programs built by src/main/c/Makefile from src/test/c. */
    public static Path nativeTestDir() {
        try {
            Path testClasses = Path.of(BpfTestSupport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return testClasses.getParent().resolve("native-test");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path nativeTestProgram(String name) {
        Path p = nativeTestDir().resolve(name);
        if (!Files.isExecutable(p)) {
            fail(p + " missing: the Maven build (make -C src/main/c) builds it from src/test/c/" + name + ".c");
        }
        return p;
    }

    /** A test BPF object from src/test/bpf, e.g. "basic" for bpf/basic.bpf.o. */
    public static BpfObject openTestObject(String name) {
        return BpfObject.openResource("bpf/" + name + ".bpf.o");
    }
}
