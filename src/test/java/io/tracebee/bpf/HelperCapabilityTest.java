package io.tracebee.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class HelperCapabilityTest {

    /** This machine's kernel runs lockdown=integrity: the helper must be refused, by the verifier, by name. */
    @Test
    void kernelRefusesProbeWriteUser() {
        BpfTestSupport.assumeBpf();

        HelperCapability.Result r = HelperCapability.WRITE_USER.detect();

        assertThat(r.allowed()).as(r.reason()).isFalse();
        assertThat(r.reason())
                .startsWith("bpf_probe_write_user refused by the kernel (EINVAL, verifier: ")
                .contains("cannot use helper bpf_probe_write_user")
                .contains("lockdown")
                .doesNotContain("BPF unusable");
        assertThat(HelperCapability.WRITE_USER.detect()).isSameAs(r);
    }

    /** lockdown=integrity still lets programs read kernel memory (sockets of traced connections). */
    @Test
    void kernelAllowsProbeReadKernel() {
        BpfTestSupport.assumeBpf();

        HelperCapability.Result r = HelperCapability.READ_KERNEL.detect();

        assertThat(r.allowed()).as(r.reason()).isTrue();
        assertThat(r.reason()).startsWith("bpf_probe_read_kernel accepted by the kernel");
    }

    @Test
    void aRefusedKernelReadNamesConfidentialityLockdown() {
        BpfException e = new BpfException("load bpf object 'probe_read_kernel'", Errno.EINVAL, "Invalid argument",
                "6: (85) call bpf_probe_read_kernel#113\nprogram of this type cannot use helper bpf_probe_read_kernel#113\n");

        HelperCapability.Result r = HelperCapability.READ_KERNEL.classify(e, Optional.of("confidentiality"), false);

        assertThat(r.allowed()).isFalse();
        assertThat(r.reason()).contains("kernel lockdown (confidentiality) or Secure Boot forbids reading kernel memory")
                .endsWith("; kernel lockdown is 'confidentiality'");
    }

    /** Control: uprobe programs of the same license reading user memory (a GPL-only helper too) load fine here. */
    @Test
    void sameKindOfProgramWithoutTheWriteHelperLoads() {
        BpfTestSupport.assumeBpf();

        try (BpfObject obj = BpfTestSupport.openTestObject("uprobe_floor")) {
            assertThatCode(obj::load).doesNotThrowAnyException();
            assertThat(obj.programNames()).contains("read_user");
        }
    }

    @Test
    void loadWithoutVerdictIsReportedAsUnusable() {
        BpfException e = new BpfException("load bpf object 'probe_write'", Errno.EINVAL, "Invalid argument",
                "libbpf: prog 'probe_write_user': BPF program load failed: Invalid argument\n"
                        + "-- BEGIN PROG LOAD LOG --\n"
                        + "0: R1=ctx() R10=fp0\n"
                        + "6: (85) call bpf_probe_write_user#36\n"
                        + "cannot call GPL-restricted function from non-GPL compatible program\n"
                        + "processed 7 insns (limit 1000000) max_states_per_insn 0\n"
                        + "-- END PROG LOAD LOG --\n");

        HelperCapability.Result r = HelperCapability.WRITE_USER.classify(e, Optional.empty(), true);

        assertThat(r.allowed()).isFalse();
        assertThat(r.reason()).startsWith("BPF unusable: load bpf object 'probe_write' failed: Invalid argument")
                .endsWith("(verifier: \"cannot call GPL-restricted function from non-GPL compatible program\")");
    }

    @Test
    void refusalWithoutCapSysAdminNamesTheCapability() {
        BpfException e = new BpfException("load bpf object 'probe_write'", Errno.EINVAL, "Invalid argument",
                "6: (85) call bpf_probe_write_user#36\nprogram of this type cannot use helper bpf_probe_write_user#36\n");

        HelperCapability.Result r = HelperCapability.WRITE_USER.classify(e, Optional.of("none"), false);

        assertThat(r.allowed()).isFalse();
        assertThat(r.lockdown()).contains("none");
        assertThat(r.reason()).contains("(EINVAL, verifier: \"program of this type cannot use helper bpf_probe_write_user#36\")")
                .contains("lacks CAP_SYS_ADMIN")
                .endsWith("; kernel lockdown is 'none'");
    }

    @Test
    void permissionDeniedWithoutLogIsAPermissionRefusal() {
        BpfException e = new BpfException("load bpf object 'probe_write'", Errno.EPERM, "Operation not permitted");

        HelperCapability.Result r = HelperCapability.WRITE_USER.classify(e, Optional.empty(), true);

        assertThat(r.allowed()).isFalse();
        assertThat(r.reason()).startsWith("bpf_probe_write_user refused by the kernel (EPERM): not permitted");
    }
}
