package io.tracebee.decode;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A TCP connection as the kernel knew it when the probe read the socket, from the probed process's
 * side ({@code struct tb_conn}).
 *
 * @param local local address, 16 bytes (IPv4 as IPv4-mapped IPv6)
 * @param peer peer address, 16 bytes
 * @param netns inode number of the socket's network namespace
 * @param inode the socket's inode number, as {@code socket:[inode]} in {@code /proc/<pid>/fd}
 */
public record TcpConnection(byte[] local, int localPort, byte[] peer, int peerPort, long netns, long inode) {

    /** The local address as text: dotted quad for IPv4, RFC 5952 form for IPv6. */
    public String localAddress() {
        return text(local);
    }

    public String peerAddress() {
        return text(peer);
    }

    /** An address of 16 bytes (IPv4 as IPv4-mapped IPv6) as text: dotted quad for IPv4, RFC 5952 form for IPv6. */
    public static String text(byte[] a) {
        try {
            // getByAddress returns an Inet4Address for IPv4-mapped addresses
            InetAddress addr = InetAddress.getByAddress(a);
            String s = addr.getHostAddress();
            return addr instanceof Inet6Address ? compress(s) : s;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + a.length + " bytes", e);
        }
    }

    /** Java prints IPv6 uncompressed ("0:0:0:0:0:0:0:1"): shorten the longest zero run to "::". */
    private static String compress(String full) {
        String[] groups = full.split(":", -1);
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < groups.length; ) {
            if (!groups[i].equals("0")) {
                i++;
                continue;
            }
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail;
    }
}
