// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Capability probe: may this kernel let tracebee read kernel memory?
 *
 * Never attached or run, only loaded: lockdown=confidentiality withdraws bpf_probe_read_kernel,
 * which the probes use to read the socket behind a traced connection (tb_conn.h). Where it is
 * refused the agent loads them with tb_kernel_reads = false instead.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("uprobe")
int probe_read_kernel(struct pt_regs *ctx)
{
	long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)PT_REGS_PARM1(ctx));
	return (int)v;
}
