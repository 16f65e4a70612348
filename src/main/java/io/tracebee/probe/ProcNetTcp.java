package io.tracebee.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads {@code /proc/<pid>/net/tcp} and {@code tcp6}: which of a process's sockets are established client connections. */
final class ProcNetTcp {
    private static final String ESTABLISHED = "01";
    private static final String LISTEN = "0A";

    private ProcNetTcp() {
    }

    /** One row: local port, state (hex, as the kernel prints it), socket inode. */
    record Row(int localPort, String state, long inode) {
    }

    /**
     * Inodes among {@code owned} of established TCP sockets whose local port is not one the process
     * listens on — connections it opened, not ones it accepted.
     */
    static List<Long> establishedClientSockets(int pid, Set<Long> owned) {
        List<Row> rows = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path p = Path.of("/proc", Integer.toString(pid), "net", table);
            try {
                rows.addAll(parse(Files.readAllLines(p)));
            } catch (IOException e) {
                // no IPv6, or the process is gone
            }
        }
        return clientSockets(rows, owned);
    }

    static List<Long> clientSockets(List<Row> rows, Set<Long> owned) {
        Set<Integer> listening = new HashSet<>();
        for (Row r : rows) {
            if (r.state().equals(LISTEN) && owned.contains(r.inode())) {
                listening.add(r.localPort());
            }
        }
        List<Long> out = new ArrayList<>();
        for (Row r : rows) {
            if (r.state().equals(ESTABLISHED) && owned.contains(r.inode()) && !listening.contains(r.localPort())) {
                out.add(r.inode());
            }
        }
        return out;
    }

    /** Parses the table; the header line and malformed lines are skipped. */
    static List<Row> parse(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
            if (f.length < 10 || !f[0].endsWith(":")) {
                continue;
            }
            int colon = f[1].lastIndexOf(':');
            try {
                rows.add(new Row(Integer.parseInt(f[1].substring(colon + 1), 16), f[3], Long.parseLong(f[9])));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                // skip
            }
        }
        return rows;
    }
}
