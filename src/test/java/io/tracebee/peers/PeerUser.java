package io.tracebee.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The unprivileged Unix user a peer server runs as. Tests run as root (BPF needs it) and PostgreSQL
 * refuses to run as root, so under root a peer runs as its Debian system user (created by its package)
 * or {@code nobody}; as any other user, a peer simply runs as that user.
 */
final class PeerUser {
    private static final String FALLBACK = "nobody";

    private final String name;
    private final int uid;
    private final int gid;

    private PeerUser(String name, int uid, int gid) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
    }

    /** The user running the tests, whoever it is: for a peer that does not mind root. */
    static PeerUser current() {
        return new PeerUser(null, -1, -1);
    }

    /** The user for a peer whose package creates {@code systemUser} ("postgres", "redis"). */
    static PeerUser forService(String systemUser) {
        if (!isRoot()) {
            return current();
        }
        PeerUser u = lookup(systemUser);
        if (u == null) {
            u = lookup(FALLBACK);
        }
        if (u == null) {
            throw new IllegalStateException("running as root and neither user " + systemUser + " nor " + FALLBACK
                    + " exists in /etc/passwd: a peer server must run unprivileged; create one of them (useradd -r "
                    + systemUser + ")");
        }
        return u;
    }

    /** The command to run {@code command} as this user: setpriv execs it, so the pid is the server's own. */
    List<String> command(List<String> command) {
        if (name == null) {
            return command;
        }
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--"));
        c.addAll(command);
        return c;
    }

    /** Makes this user the owner of a file or directory the peer writes. */
    void own(Path path) {
        if (name == null) {
            return;
        }
        try {
            Files.setAttribute(path, "unix:uid", uid);
            Files.setAttribute(path, "unix:gid", gid);
        } catch (IOException e) {
            throw new IllegalStateException("cannot give " + path + " to user " + name, e);
        }
    }

    @Override
    public String toString() {
        return name == null ? System.getProperty("user.name") : name;
    }

    private static boolean isRoot() {
        try {
            // /proc/self belongs to the process's effective user
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static PeerUser lookup(String user) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && f[0].equals(user)) {
                    return new PeerUser(user, Integer.parseInt(f[2]), Integer.parseInt(f[3]));
                }
            }
            return null;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read /etc/passwd to find user " + user, e);
        }
    }
}
