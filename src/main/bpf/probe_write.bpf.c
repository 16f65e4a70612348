// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Capability probe: may this kernel let tracebee write process memory?
 *
 * Never attached or run, only loaded: the kernel decides at load time whether a
 * program may call bpf_probe_write_user (kernel lockdown refuses it). The helper
 * is GPL-only, hence a GPL-compatible license.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("uprobe")
int probe_write_user(struct pt_regs *ctx)
{
	char byte = 1;

	bpf_probe_write_user((void *)PT_REGS_PARM1(ctx), &byte, sizeof(byte));
	return 0;
}
