package io.tracebee.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Addresses as text: IPv4 and IPv4-mapped as InetAddress prints them, IPv6 compressed. */
class TcpConnectionTest {

    private static byte[] mapped(int a, int b, int c, int d) {
        byte[] x = new byte[16];
        x[10] = (byte) 0xff;
        x[11] = (byte) 0xff;
        x[12] = (byte) a;
        x[13] = (byte) b;
        x[14] = (byte) c;
        x[15] = (byte) d;
        return x;
    }

    @Test
    void ipv4MappedAndPlainIpv4AsInetAddressPrintsThem() throws Exception {
        for (byte[] a : new byte[][] {mapped(127, 0, 0, 1), mapped(0, 0, 0, 0), mapped(255, 255, 255, 255),
                mapped(10, 200, 3, 40)}) {
            assertThat(TcpConnection.text(a)).isEqualTo(InetAddress.getByAddress(a).getHostAddress());
        }
        assertThat(TcpConnection.text(new byte[] {(byte) 192, (byte) 168, 0, 7})).isEqualTo("192.168.0.7");
    }

    @Test
    void ipv6StaysCompressed() {
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        assertThat(TcpConnection.text(loopback)).isEqualTo("::1");
        byte[] almostMapped = mapped(1, 2, 3, 4);
        almostMapped[9] = 1;
        assertThat(TcpConnection.text(almostMapped)).isEqualTo("::1:ffff:102:304");
    }
}
