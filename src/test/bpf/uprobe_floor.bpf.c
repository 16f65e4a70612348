// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Empty uprobe program for the uprobe trap-floor benchmark (src/test/c/uprobe_floor.c,
 * docs/BENCHMARKS.md "Uprobe cost: floor vs net/http probe"): whatever a hit costs with this
 * program attached is the kernel's trap, uprobe dispatch and BPF entry, nothing of our own.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("uprobe")
int empty(void *ctx)
{
	return 0;
}
