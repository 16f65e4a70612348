// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test programs for the JNI layer: rodata written before load is visible to the program,
 * and a uprobe counts calls of a function in a real binary.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 magic = 0;
const volatile __u32 small = 0;
const volatile bool flag = false;
const volatile __u8 bytes[6] = {};

/* What copy_rodata saw: magic, small, flag, bytes (packed little-endian into one u64). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} rodata_seen SEC(".maps");

struct call_stats {
	__u64 count;
	__u64 last_arg;
	__u64 cookie;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct call_stats);
	__uint(max_entries, 1);
} calls SEC(".maps");

/* Written only from user space: exercises update/lookup/delete/get_next_key. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} scratch SEC(".maps");

/*
 * Written only from user space: keys the agent's per-process rule must tell apart by their BTF (a struct led by a
 * 32-bit pid is per process; one with the pid elsewhere, or a bare integer, is not) and batched key walks.
 */
struct proc_key {
	__u32 pid;
	__u32 _pad;
	__u64 id;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct proc_key);
	__type(value, __u64);
	__uint(max_entries, 1024);
} per_process SEC(".maps");

struct addr_key {
	__u64 addr;
	__u32 pid;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct addr_key);
	__type(value, __u64);
	__uint(max_entries, 8);
} pid_not_first SEC(".maps");

/* Counts copy_rodata runs on the CPU that ran it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} percpu_runs SEC(".maps");

static __always_inline void put(__u32 i, __u64 v)
{
	bpf_map_update_elem(&rodata_seen, &i, &v, BPF_ANY);
}

SEC("syscall")
int copy_rodata(void *ctx)
{
	__u32 zero = 0;
	__u64 packed = 0, *runs;

	runs = bpf_map_lookup_elem(&percpu_runs, &zero);
	if (runs)
		*runs += 1;
	for (int i = 0; i < 6; i++)
		packed |= (__u64)bytes[i] << (8 * i);
	put(0, magic);
	put(1, small);
	put(2, flag);
	put(3, packed);
	return 0;
}

SEC("uprobe")
int count_calls(struct pt_regs *ctx)
{
	__u32 zero = 0;
	struct call_stats *s = bpf_map_lookup_elem(&calls, &zero);

	if (!s)
		return 0;
	__sync_fetch_and_add(&s->count, 1);
	s->last_arg = PT_REGS_PARM1(ctx);
	s->cookie = bpf_get_attach_cookie(ctx);
	return 0;
}
