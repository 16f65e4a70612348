package io.tracebee.probe;

import io.tracebee.inspect.GoBuildInfo.Module;
import java.util.List;
import java.util.Optional;

/**
 * The Go package a struct is declared in, and which of a binary's modules provides it: a standard-library
 * struct's layout follows the Go release, a third-party one's follows its module's version.
 *
 * @param path the import path, e.g. {@code github.com/jackc/pgx/v5/pgconn}
 */
public record GoPackage(String path) {

    /**
     * The package of a struct as DWARF names it: everything before the last '.' that follows the last '/'
     * ({@code gopkg.in/yaml.v3.node} is in {@code gopkg.in/yaml.v3}). Type arguments of a generic
     * instantiation ({@code sync/atomic.Pointer[net/http.conn]}) are not part of the name's package.
     *
     * @throws IllegalArgumentException if the name has no package part
     */
    public static GoPackage ofStruct(String structName) {
        int bracket = structName.indexOf('[');
        String base = bracket < 0 ? structName : structName.substring(0, bracket);
        int dot = base.lastIndexOf('.');
        if (dot <= 0 || dot < base.lastIndexOf('/')) {
            throw new IllegalArgumentException("struct name \"" + structName + "\" has no package path");
        }
        return new GoPackage(base.substring(0, dot));
    }

    /** True when the first path element has no dot: {@code net/http}, {@code runtime}, but also {@code main}. */
    public boolean isStandardLibrary() {
        int slash = path.indexOf('/');
        return (slash < 0 ? path : path.substring(0, slash)).indexOf('.') < 0;
    }

    /**
     * The dependency that provides this package: the one with the longest module path that is this package's
     * path or a parent of it. Matching is by the path the binary imports, which a {@code replace} keeps; the
     * code actually built is the returned module's {@link Module#effective()}.
     */
    public Optional<Module> owner(List<Module> dependencies) {
        Module best = null;
        for (Module m : dependencies) {
            String p = m.path();
            boolean contains = path.equals(p) || path.startsWith(p) && path.charAt(p.length()) == '/';
            if (contains && (best == null || p.length() > best.path().length())) {
                best = m;
            }
        }
        return Optional.ofNullable(best);
    }
}
