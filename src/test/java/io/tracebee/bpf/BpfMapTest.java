package io.tracebee.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BpfMapTest {
    @BeforeEach
    void requireBpf() {
        BpfTestSupport.assumeBpf();
    }

    @Test
    void updateLookupIterateDelete() {
        try (BpfObject obj = BpfTestSupport.openTestObject("basic").load()) {
            BpfMap scratch = obj.map("scratch");
            assertThat(scratch.type()).isEqualTo(BpfMap.TYPE_HASH);
            assertThat(scratch.lookup(BpfMap.u32(1))).isNull();
            for (int k = 1; k <= 3; k++) {
                scratch.update(BpfMap.u32(k), u64(k * 100L));
            }
            assertThat(BpfObjectTest.u64(scratch.lookup(BpfMap.u32(2)))).isEqualTo(200);

            Set<Integer> keys = new HashSet<>();
            byte[] key = null;
            byte[] next = new byte[4];
            while (scratch.nextKey(key, next)) {
                keys.add(ByteBuffer.wrap(next).order(ByteOrder.LITTLE_ENDIAN).getInt());
                key = next.clone();
            }
            assertThat(keys).containsExactlyInAnyOrder(1, 2, 3);

            assertThat(scratch.delete(BpfMap.u32(2))).isTrue();
            assertThat(scratch.delete(BpfMap.u32(2))).isFalse();
            assertThatThrownBy(() -> scratch.update(BpfMap.u32(1), u64(5), BpfMap.NOEXIST))
                    .isInstanceOf(BpfException.class)
                    .satisfies(e -> assertThat(((BpfException) e).errno()).isEqualTo(Errno.EEXIST));
            assertThatThrownBy(() -> scratch.update(new byte[3], u64(5))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void keysAreWalkedInBatchesAndDeletedByTheirLeadingPid() {
        try (BpfObject obj = BpfTestSupport.openTestObject("basic").load()) {
            BpfMap map = obj.map("per_process");
            for (int i = 0; i < 600; i++) {  // more than one batch of keys
                map.update(procKey(i % 2 == 0 ? 7 : 9, i), u64(i));
            }
            assertThat(map.countKeys()).isEqualTo(600);
            assertThat(map.leadingInts()).containsExactlyInAnyOrder(7, 9);
            assertThat(map.countKeysLeadingWith(7)).isEqualTo(300);

            assertThat(map.deleteKeysLeadingWith(7)).isEqualTo(300);
            assertThat(map.deleteKeysLeadingWith(7)).isZero();
            assertThat(map.leadingInts()).containsExactly(9);
            assertThat(map.countKeysLeadingWith(9)).isEqualTo(300);
            assertThat(map.lookup(procKey(9, 1))).isNotNull();
            assertThat(map.deleteKeysLeadingWith(9)).isEqualTo(300);
            assertThat(map.countKeys()).isZero();
        }
    }

    @Test
    void perCpuValuesAreSummedOverCpus() {
        try (BpfObject obj = BpfTestSupport.openTestObject("basic").load()) {
            BpfMap runs = obj.map("percpu_runs");
            assertThat(runs.isPerCpu()).isTrue();
            assertThat(runs.valueBufferSize()).isEqualTo(8 * Native.possibleCpus());
            for (int i = 0; i < 3; i++) {
                obj.program("copy_rodata").testRun(null, null, 0);
            }
            assertThat(runs.sumPerCpuLong(0, 0)).isEqualTo(3);
        }
    }

    /** struct proc_key of basic.bpf.c. */
    private static byte[] procKey(int pid, long id) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(pid).putInt(0).putLong(id).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
