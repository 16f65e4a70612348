/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Per-goroutine stacks of calls in flight, for probes whose calls nest on one goroutine (a go-redis
 * command running a new connection's set-up commands; a gRPC interceptor making an RPC) and whose RET
 * cannot tell which call it ends. Keyed by goid, which the runtime never reuses, so frames a panic left
 * behind cannot leak into another goroutine running on the same g.
 *
 * TB_CALL_STACK(name, frame_type, max_depth) defines struct name##_stack, its LRU map name##_calls and
 * a zeroed per-CPU template name##_empty (a stack is too large for the BPF stack), and
 *   name##_stack_of(key, create): the goroutine's stack, created empty if asked;
 *   name##_pop(st): the frame a RET ends, or NULL — calls deeper than max_depth were counted in
 *   overflow instead of pushed, and their RETs pop nothing;
 *   name##_pop_current(ctx, key): the frame a RET ends on the current goroutine (key set to it), or NULL;
 *   name##_top(st): the innermost call in flight (the one a function it calls runs for), or NULL.
 * Pushing stays with each probe: what makes an entry hit a restart of the call on top differs.
 */
#ifndef TB_CALL_STACK_H
#define TB_CALL_STACK_H

#include "tb_common.h"

#define TB_CALL_STACK(name, frame_type, max_depth)                                                   \
	struct name##_stack {                                                                        \
		__u32 depth;     /* frames in use */                                                 \
		__u32 overflow;  /* calls not pushed above them */                                   \
		frame_type frames[max_depth];                                                        \
	};                                                                                           \
                                                                                                     \
	struct {                                                                                     \
		__uint(type, BPF_MAP_TYPE_LRU_HASH);                                                 \
		__type(key, struct tb_goid_key);                                                     \
		__type(value, struct name##_stack);                                                  \
		__uint(max_entries, 8192);                                                           \
	} name##_calls SEC(".maps");                                                                 \
                                                                                                     \
	struct {                                                                                     \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                                             \
		__type(key, __u32);                                                                  \
		__type(value, struct name##_stack);                                                  \
		__uint(max_entries, 1);                                                              \
	} name##_empty SEC(".maps");                                                                 \
                                                                                                     \
	static __always_inline struct name##_stack *name##_stack_of(const struct tb_goid_key *key, bool create) \
	{                                                                                            \
		struct name##_stack *st = bpf_map_lookup_elem(&name##_calls, key);                   \
		if (st || !create)                                                                   \
			return st;                                                                   \
		__u32 zero = 0;                                                                      \
		struct name##_stack *empty = bpf_map_lookup_elem(&name##_empty, &zero);              \
		if (!empty || bpf_map_update_elem(&name##_calls, key, empty, BPF_NOEXIST))           \
			return NULL;                                                                 \
		return bpf_map_lookup_elem(&name##_calls, key);                                      \
	}                                                                                            \
                                                                                                     \
	static __always_inline frame_type *name##_pop(struct name##_stack *st)                       \
	{                                                                                            \
		if (st->overflow) {                                                                  \
			st->overflow--;                                                              \
			return NULL;                                                                 \
		}                                                                                    \
		__u32 depth = st->depth;                                                             \
		if (depth == 0 || depth > (max_depth))                                               \
			return NULL;                                                                 \
		st->depth = depth - 1;                                                               \
		return &st->frames[depth - 1];                                                       \
	}                                                                                            \
                                                                                                     \
	static __always_inline __attribute__((unused)) frame_type *                                  \
	name##_pop_current(struct pt_regs *ctx, struct tb_goid_key *key)                             \
	{                                                                                            \
		*key = tb_current_goid(ctx);                                                         \
		struct name##_stack *st = name##_stack_of(key, false);                               \
		return st ? name##_pop(st) : NULL;                                                   \
	}                                                                                            \
                                                                                                     \
	static __always_inline __attribute__((unused)) frame_type *name##_top(struct name##_stack *st) \
	{                                                                                            \
		__u32 depth = st->depth;                                                             \
		if (st->overflow || depth == 0 || depth > (max_depth))                               \
			return NULL;                                                                 \
		return &st->frames[depth - 1];                                                       \
	}

#endif /* TB_CALL_STACK_H */
