package io.tracebee.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads the JNI library. In a native executable (GraalVM/Mandrel) first from the executable's own directory
 * ({@code libtracebee_<arch>.so} beside {@code tracebee}, as the native image ships it). Then, as netty does, from
 * {@code java.library.path}, else by extracting {@code META-INF/native/libtracebee_<arch>.so} from the classpath
 * (the jar, or the resources a native image embeds) into a work directory.
 */
public final class NativeLibrary {
    /** Directory to extract the library into; defaults to {@code java.io.tmpdir}. */
    public static final String WORKDIR_PROPERTY = "tracebee.native.workdir";

    private static final Object LOCK = new Object();
    private static volatile Throwable failure;
    private static volatile boolean loaded;

    private NativeLibrary() {
    }

    /** {@code tracebee_x86_64}, {@code tracebee_aarch64}. */
    public static String libraryName() {
        return "tracebee_" + arch();
    }

    /** Loads the library once; throws {@link UnsatisfiedLinkError} (the same one on every call) when it cannot. */
    public static void load() {
        if (loaded) {
            return;
        }
        // Native's static initializer is what loads the library (it calls back here). Started from anywhere else,
        // the library's JNI_OnLoad would be the first to touch Native (log.c looks up its log callback) and run
        // that initializer in the middle of the load: it then called natives not yet usable and, on the classpath
        // path, loaded a second extracted copy to get out of it. So Native is initialised first, always.
        try {
            Class.forName(Native.class.getName(), true, NativeLibrary.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // its initializer failed: failure below holds why, or the first of these says it
            if (failure == null) {
                failure = e;
            }
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            if (failure != null) {
                throw rethrow(failure);
            }
            try {
                loadOnce();
                loaded = true;
            } catch (Throwable t) {
                failure = t;
                throw rethrow(t);
            }
        }
    }

    /** Whether the library is (or can be) loaded, without throwing. */
    public static boolean isAvailable() {
        try {
            load();
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /** Why loading failed, or null. */
    public static Throwable failure() {
        return failure;
    }

    private static void loadOnce() {
        String name = libraryName();
        if (inNativeImage()) {
            Path beside = besideExecutable(Path.of("/proc/self/exe"), name);
            if (beside != null && Files.isRegularFile(beside)) {
                System.load(beside.toString());
                return;
            }
        }
        try {
            System.loadLibrary(name);
            return;
        } catch (UnsatisfiedLinkError systemPathFailure) {
            try {
                loadFromClasspath(name);
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                e.addSuppressed(systemPathFailure);
                throw e;
            }
        }
    }

    /** Whether this runs as a native executable rather than on a JVM. */
    static boolean inNativeImage() {
        return "runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"));
    }

    /** The library file in the directory of the executable {@code exe} names (a link such as /proc/self/exe). */
    static Path besideExecutable(Path exe, String name) {
        try {
            Path dir = exe.toRealPath().getParent();
            return dir == null ? null : dir.resolve(System.mapLibraryName(name));
        } catch (IOException e) {
            return null;
        }
    }

    private static void loadFromClasspath(String name) {
        String resource = "META-INF/native/" + System.mapLibraryName(name);
        ClassLoader cl = NativeLibrary.class.getClassLoader();
        try (InputStream in = cl == null ? ClassLoader.getSystemResourceAsStream(resource) : cl.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("no " + resource + " on the classpath");
            }
            Path dir = Path.of(System.getProperty(WORKDIR_PROPERTY, System.getProperty("java.io.tmpdir")));
            Files.createDirectories(dir);
            Path file = Files.createTempFile(dir, name + "-", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                System.load(file.toAbsolutePath().toString());
            } finally {
                // Once mapped, the file is no longer needed; do not leave one copy per run behind.
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("cannot extract " + resource + ": " + e);
            error.initCause(e);
            throw error;
        }
    }

    private static String arch() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        switch (arch) {
            case "amd64":
            case "x86_64":
                return "x86_64";
            case "aarch64":
            case "arm64":
                return "aarch64";
            default:
                return arch;
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof Error) {
            throw (Error) t;
        }
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        UnsatisfiedLinkError e = new UnsatisfiedLinkError(t.toString());
        e.initCause(t);
        throw e;
    }
}
