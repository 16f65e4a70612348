package io.tracebee.probe;

import io.tracebee.bpf.BpfException;
import io.tracebee.bpf.BpfMap;
import io.tracebee.bpf.BpfObject;
import io.tracebee.bpf.BpfProgram;
import io.tracebee.bpf.Errno;
import io.tracebee.bpf.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Outgoing W3C traceparent headers without writing target memory ({@code src/main/bpf/http_inject.bpf.c}):
 * a sock_ops program on the cgroup-v2 root puts the TCP connections of traced client processes into a
 * sockhash, and an sk_msg program on that sockhash inserts the header line the client probe offered.
 * Needs cgroup v2 and kernel reads (lockdown=confidentiality refuses them); otherwise off, with a reason.
 */
public final class HeaderInjection implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HeaderInjection.class);
    static final String OBJECT = "bpf/http_inject.bpf.o";

    private final BpfObject object;
    private final AutoCloseable cgroupLink;

    private HeaderInjection(BpfObject object, AutoCloseable cgroupLink) {
        this.object = object;
        this.cgroupLink = cgroupLink;
    }

    /** What {@link #start} achieved: on, or off with the reason. */
    public record Status(Optional<HeaderInjection> injection, String description) {
        public boolean on() {
            return injection.isPresent();
        }
    }

    /**
     * Loads and attaches the programs, then tells {@code maps} so that probe objects loaded from now on
     * offer headers. Never throws: any failure leaves injection off and says why.
     */
    public static Status start(SharedMaps maps) {
        if (!maps.kernelReads()) {
            return new Status(Optional.empty(), "off: the kernel refuses bpf_probe_read_kernel (lockdown)");
        }
        Optional<Path> cgroup = cgroup2Mount(Path.of("/proc/self/mounts"));
        if (cgroup.isEmpty()) {
            return new Status(Optional.empty(), "off: no cgroup v2 hierarchy is mounted (needed for sock_ops)");
        }
        BpfObject object;
        try {
            object = BpfObject.openResource(OBJECT);
        } catch (RuntimeException e) {
            return new Status(Optional.empty(), "off: cannot open " + OBJECT + ": " + e.getMessage());
        }
        AutoCloseable link = null;
        try {
            maps.share(object);
            object.load();
            // the verdict program first: a socket joining the sockhash takes the programs attached at that moment
            object.program("tb_skmsg").attachToMap(object.map("tb_sockhash"), BpfProgram.ATTACH_SK_MSG_VERDICT);
            link = object.program("tb_sockops").attachCgroup(cgroup.get());
            HeaderInjection injection = new HeaderInjection(object, link);
            maps.injection(injection);
            return new Status(Optional.of(injection), "on: sock_ops on " + cgroup.get() + ", sk_msg on traced clients' connections");
        } catch (RuntimeException e) {
            Closing.quietly(link, "the sock_ops link");
            object.close();
            String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
            return new Status(Optional.empty(), "off: " + why);
        }
    }

    /** The first cgroup2 mount point in a mounts table ({@code /proc/self/mounts} format). */
    static Optional<Path> cgroup2Mount(Path mounts) {
        try {
            for (String line : Files.readAllLines(mounts)) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("cgroup2")) {
                    return Optional.of(Path.of(f[1].replace("\\040", " ")));
                }
            }
        } catch (IOException e) {
            LOG.debugf("cannot read %s: %s", mounts, e);
        }
        return Optional.empty();
    }

    /**
     * Adopts process pid: its future connections are tracked from now on (not only after its first
     * traced call), and the established client connections it already has — a running service's
     * keep-alive pool, which may never be re-dialed under steady traffic — join the sockhash now:
     * each is duplicated into the agent (pidfd_getfd) just long enough to insert it. Returns how many
     * were adopted; failures are logged, never thrown (injection then waits for new connections).
     */
    public int adopt(int pid) {
        try {
            object.map(SharedMaps.INJECT_TGIDS).update(BpfMap.u32(pid), new byte[] {1});
        } catch (RuntimeException e) {
            LOG.warnf("injection: cannot register pid %d: %s", pid, e.getMessage());
            return 0;
        }
        Map<Long, Integer> fdBySocket = socketFds(pid);
        int adopted = 0;
        for (long inode : ProcNetTcp.establishedClientSockets(pid, fdBySocket.keySet())) {
            int dup = -1;
            try {
                dup = Native.pidfdGetFd(pid, fdBySocket.get(inode));
                byte[] key = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Native.socketCookie(dup)).array();
                byte[] value = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(dup).array();
                object.map("tb_sockhash").update(key, value, BpfMap.NOEXIST);
                adopted++;
            } catch (BpfException e) {
                if (e.errno() != Errno.EEXIST) {
                    LOG.debugf("injection: socket %d of pid %d not adopted: %s", inode, pid, e.getMessage());
                }
            } finally {
                if (dup >= 0) {
                    Native.closeFd(dup);
                }
            }
        }
        LOG.debugf("injection: pid %d: %d established connection(s) adopted", pid, adopted);
        return adopted;
    }

    /** Socket inode -> fd number, from the links in /proc/pid/fd ("socket:[inode]"). */
    private static Map<Long, Integer> socketFds(int pid) {
        Map<Long, Integer> out = new HashMap<>();
        Path dir = Path.of("/proc", Integer.toString(pid), "fd");
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(dir)) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && target.endsWith("]")) {
                        out.put(Long.parseLong(target.substring(8, target.length() - 1)),
                                Integer.parseInt(fd.getFileName().toString()));
                    }
                } catch (IOException | NumberFormatException e) {
                    // closed meanwhile, or not a socket
                }
            }
        } catch (IOException e) {
            LOG.debugf("injection: cannot list %s: %s", dir, e);
        }
        return out;
    }

    /**
     * Detaches sock_ops and takes every socket out of the sockhash: their later writes go out
     * untouched. Connections stay up.
     */
    @Override
    public void close() {
        Closing.quietly(cgroupLink, "the sock_ops link");
        // Take the sockets out now: the kernel frees an unreferenced sockhash only asynchronously, and
        // until then its sockets keep running the sk_msg program.
        try {
            BpfMap sockets = object.map("tb_sockhash");
            byte[] key = new byte[8];
            while (sockets.nextKey(null, key)) {
                sockets.delete(key);
            }
        } catch (RuntimeException e) {
            LOG.warnf("injection: emptying the sockhash failed: %s", e.getMessage());
        }
        object.close();
    }
}
