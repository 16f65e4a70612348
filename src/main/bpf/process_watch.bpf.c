// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Process lifecycle for the control plane, from the scheduler's tracepoints (BTF-typed raw tracepoints: no
 * tracefs needed, nothing read from kernel memory):
 *
 *  - sched_process_exec: a process started a new program. Sent while tb_watch_exec says exe-glob targets exist;
 *    the agent reads the program's path from /proc and attaches when it matches a glob;
 *  - sched_process_exit: a thread exited; when it is the thread-group leader of a pid target (tb_watch_tgids),
 *    the process is gone and the agent detaches its probes.
 */
#include "tb_common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* [0]: non-zero while exe-glob targets exist. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} tb_watch_exec SEC(".maps");

/* Processes (tgids) whose exit the agent waits for. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u8);
	__uint(max_entries, 4096);
} tb_watch_tgids SEC(".maps");

static __always_inline void tb_process_send(__u32 op)
{
	__u64 id = tb_pid_tgid();
	if (!id)
		return;  /* a process outside the agent's pid namespace: it cannot be a target */
	struct tb_process_event *e = bpf_ringbuf_reserve(&tb_events, sizeof(*e), 0);
	if (!e) {
		tb_count_drop(TB_DROP_RINGBUF_FULL);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->h.kind = TB_EV_PROCESS;
	e->h.size = sizeof(*e);
	e->h.pid = id >> 32;
	e->h.tid = (__u32)id;
	e->h.start_ns = bpf_ktime_get_ns();
	e->h.end_ns = e->h.start_ns;
	e->op = op;
	/* lifecycle events are rare and the control plane waits on them: wake the reader now */
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tb_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 zero = 0;
	__u32 *on = bpf_map_lookup_elem(&tb_watch_exec, &zero);
	if (on && *on)
		tb_process_send(TB_PROCESS_EXEC);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tb_process_exit, struct task_struct *p)
{
	__u64 id = tb_pid_tgid();
	__u32 tgid = id >> 32;
	if ((__u32)id != tgid || !bpf_map_lookup_elem(&tb_watch_tgids, &tgid))
		return 0;  /* another thread, or a process nobody waits for */
	tb_process_send(TB_PROCESS_EXIT);
	return 0;
}
