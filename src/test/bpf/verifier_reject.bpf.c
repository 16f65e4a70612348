// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Compiles, but the verifier must reject it: a map value is dereferenced without a NULL check. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} values SEC(".maps");

SEC("syscall")
int deref_without_check(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&values, &key);

	return (int)*v;
}
