package io.tracebee.inspect;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.fail;

/** The Go programs {@code src/test/build-fixtures.sh} builds into {@code -Dtracebee.fixtures}. */
final class Fixtures {

    /** Go minor versions with an unstripped {@code httpserver-go<version>} fixture. */
    static final String[] GO_VERSIONS = {"1.23", "1.24", "1.25", "1.26"};

    private Fixtures() {
    }

    static Path dir() {
        String dir = System.getProperty("tracebee.fixtures");
        if (dir == null || dir.isBlank()) {
            dir = System.getProperty("user.home") + "/.cache/tracebee/fixtures";
        }
        return Path.of(dir);
    }

    /** A fixture file; fails the test, saying how to build it, when it is missing. */
    static Path fixture(String name) {
        Path p = dir().resolve(name);
        if (!Files.isRegularFile(p)) {
            fail("test fixture " + p + " is missing: run src/test/build-fixtures.sh first"
                    + " (it builds the Go test programs into -Dtracebee.fixtures, default ~/.cache/tracebee/fixtures)");
        }
        return p;
    }

    static Path httpServer(String goMinor) {
        return fixture("httpserver-go" + goMinor);
    }

    /** Built with {@code -ldflags='-s -w'}: no {@code .symtab}, no DWARF. */
    static Path strippedHttpServer(String goMinor) {
        return fixture("httpserver-go" + goMinor + "-stripped");
    }
}
