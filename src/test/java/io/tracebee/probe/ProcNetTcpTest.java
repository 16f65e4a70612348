package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcNetTcpTest {
    private static final List<String> TABLE = List.of(
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0",
            "   1: 0100007F:1F90 0100007F:D3A2 01 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 20 4 30 10 -1",
            "   2: 0100007F:D3A4 0100007F:1F91 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 20 4 30 10 -1",
            "   3: 0100007F:D3A6 0100007F:1F91 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000000000000",
            "   4: 0100007F:D3A8 0100007F:1F91 01 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000000000000 20 4 30 10 -1",
            "garbage");

    @Test
    void keepsOnlyEstablishedConnectionsTheProcessOpened() {
        List<ProcNetTcp.Row> rows = ProcNetTcp.parse(TABLE);
        assertThat(rows).hasSize(5);
        assertThat(rows.get(0)).isEqualTo(new ProcNetTcp.Row(8080, "0A", 1001));
        // 1002 was accepted on the listening port 8080; 2002 belongs to another process; 0 is TIME_WAIT
        assertThat(ProcNetTcp.clientSockets(rows, Set.of(1001L, 1002L, 1003L))).containsExactly(1003L);
    }
}
