package io.tracebee.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BpfObjectTest {
    @BeforeEach
    void requireBpf() {
        BpfTestSupport.assumeBpf();
    }

    @Test
    void loadsAProgramAndFindsItsParts() {
        try (BpfObject obj = BpfTestSupport.openTestObject("basic")) {
            assertThat(obj.name()).isEqualTo("basic");
            assertThat(obj.programNames()).contains("copy_rodata", "count_calls");
            assertThat(obj.mapNames()).contains("rodata_seen", "calls", "scratch");
            obj.load();
            assertThat(obj.isLoaded()).isTrue();
            assertThat(obj.program("copy_rodata").fd()).isPositive();
            BpfMap calls = obj.map("calls");
            assertThat(calls.type()).isEqualTo(BpfMap.TYPE_ARRAY);
            assertThat(calls.keySize()).isEqualTo(4);
            assertThat(calls.valueSize()).isEqualTo(24);
            assertThat(calls.maxEntries()).isEqualTo(1);
        }
    }

    @Test
    void rodataSetBeforeLoadIsWhatTheProgramSees() {
        try (BpfObject obj = BpfTestSupport.openTestObject("basic")) {
            assertThat(obj.rodataSize("magic")).isEqualTo(8);
            assertThat(obj.rodataSize("small")).isEqualTo(4);
            assertThat(obj.rodataSize("flag")).isEqualTo(1);
            assertThat(obj.rodataSize("bytes")).isEqualTo(6);
            assertThat(obj.hasRodata("nope")).isFalse();

            obj.setRodata("magic", 0xfedcba9876543210L)
                    .setRodata("small", 0xdeadbeefL)
                    .setRodata("flag", true)
                    .setRodata("bytes", new byte[] {1, 2, 3, 4, 5, 6})
                    .load();
            assertThat(obj.program("copy_rodata").testRun(null, null, 0).returnValue()).isZero();

            BpfMap seen = obj.map("rodata_seen");
            assertThat(u64(seen.lookup(0))).isEqualTo(0xfedcba9876543210L);
            assertThat(u64(seen.lookup(1))).isEqualTo(0xdeadbeefL);
            assertThat(u64(seen.lookup(2))).isEqualTo(1);
            assertThat(u64(seen.lookup(3))).isEqualTo(0x060504030201L);
        }
    }

    @Test
    void rodataMistakesAreReportedBeforeTheKernelSeesThem() {
        try (BpfObject obj = BpfTestSupport.openTestObject("basic")) {
            assertThatThrownBy(() -> obj.setRodata("missing", 1))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("'missing'")
                    .satisfies(e -> assertThat(((BpfException) e).errno()).isEqualTo(Errno.ENOENT));
            assertThatThrownBy(() -> obj.setRodata("flag", 256)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> obj.setRodata("bytes", new byte[5]))
                    .isInstanceOf(BpfException.class)
                    .satisfies(e -> assertThat(((BpfException) e).errno()).isEqualTo(Errno.EINVAL));
            obj.setRodata("small", -1); // fits as signed
            obj.load();
            assertThatThrownBy(() -> obj.setRodata("magic", 1)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aVerifierRejectionCarriesTheVerifierLog() {
        try (BpfObject obj = BpfTestSupport.openTestObject("verifier_reject")) {
            assertThatThrownBy(obj::load)
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("load bpf object 'verifier_reject'")
                    .hasMessageContaining("deref_without_check")
                    .hasMessageContaining("invalid mem access")
                    .satisfies(e -> assertThat(((BpfException) e).errno()).isEqualTo(Errno.EACCES))
                    .satisfies(e -> assertThat(((BpfException) e).log()).contains("BEGIN PROG LOAD LOG"));
        }
    }

    @Test
    void unknownProgramsAndMapsAreNamedWithWhatExists() {
        try (BpfObject obj = BpfTestSupport.openTestObject("basic")) {
            assertThatThrownBy(() -> obj.program("nope"))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("copy_rodata");
            obj.load();
            assertThatThrownBy(() -> obj.mapFd("nope"))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("scratch");
        }
    }

    @Test
    void keyShapesComeFromTheObjectsBtf() {
        try (BpfObject obj = BpfTestSupport.openTestObject("basic")) {
            KeyShape perProcess = obj.keyShape("per_process");  // before load: the BTF is the object's
            assertThat(perProcess.kind()).isEqualTo(KeyShape.BTF_STRUCT);
            assertThat(perProcess.typeName()).isEqualTo("proc_key");
            assertThat(perProcess.firstMember()).isEqualTo("pid");
            assertThat(perProcess.firstMemberBytes()).isEqualTo(4);
            assertThat(perProcess.leadsWithPid()).isTrue();

            KeyShape pidSecond = obj.keyShape("pid_not_first");
            assertThat(pidSecond.firstMember()).isEqualTo("addr");
            assertThat(pidSecond.leadsWithPid()).as("a pid that is not the first member").isFalse();
            KeyShape scalar = obj.keyShape("scratch");
            assertThat(scalar.kind()).isEqualTo(KeyShape.BTF_INT);
            assertThat(scalar.firstMember()).isNull();
            assertThat(scalar.leadsWithPid()).isFalse();
            String rodata = obj.mapNames().stream().filter(n -> n.endsWith(".rodata")).findFirst().orElseThrow();
            assertThat(obj.keyShape(rodata)).as("an internal map has no BTF key").isEqualTo(KeyShape.NONE);
            assertThatThrownBy(() -> obj.keyShape("nope")).isInstanceOf(BpfException.class);

            obj.load();
            assertThat(obj.perProcessMaps()).extracting(BpfMap::name).containsExactly("per_process");
            assertThat(obj.map("per_process").keyShape()).isEqualTo(perProcess);
        }
    }

    @Test
    void aClosedObjectRefusesUse() {
        BpfObject obj = BpfTestSupport.openTestObject("basic");
        obj.close();
        obj.close();
        assertThatThrownBy(obj::load).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void garbageIsNotAnObject() {
        assertThatThrownBy(() -> BpfObject.open("junk", new byte[] {1, 2, 3, 4}))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("open bpf object 'junk'");
    }

    @Test
    void objectsShareAMapThroughReuse() {
        try (BpfObject first = BpfTestSupport.openTestObject("basic").load();
                BpfObject second = BpfTestSupport.openTestObject("basic")) {
            second.reuseMap("rodata_seen", first.mapFd("rodata_seen"))
                    .setRodata("magic", 42)
                    .load();
            second.program("copy_rodata").testRun(null, null, 0);
            assertThat(u64(first.map("rodata_seen").lookup(0))).isEqualTo(42);
            assertThat(first.map("rodata_seen").id()).isEqualTo(second.map("rodata_seen").id());
        }
    }

    @Test
    void runTimeStatsCountRuns() {
        try (BpfObject obj = BpfTestSupport.openTestObject("ringbuf_bench").load();
                RunTimeStats stats = RunTimeStats.enable()) {
            BpfProgram produce = obj.program("produce");
            long before = produce.stats().runCount();
            produce.testRun(new byte[64], null, 100); // first u32 = 0: emits nothing
            BpfProgram.ProgramStats after = produce.stats();
            assertThat(after.runCount() - before).isGreaterThanOrEqualTo(100);
            assertThat(after.runTimeNanos()).isPositive();
        }
    }

    static long u64(byte[] value) {
        assertThat(value).isNotNull();
        return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }
}
