/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Go's internal register ABI as seen from a uprobe, and reading Go values
 * (strings, pointers) out of the target's memory.
 */
#ifndef TB_GO_ABI_H
#define TB_GO_ABI_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#if defined(__TARGET_ARCH_x86)
/* Integer arguments: RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11; the current g is in R14. */
#define GO_ARG1(ctx) ((void *)(ctx)->ax)
#define GO_ARG2(ctx) ((void *)(ctx)->bx)
#define GO_ARG3(ctx) ((void *)(ctx)->cx)
#define GO_ARG4(ctx) ((void *)(ctx)->di)
#define GO_ARG5(ctx) ((void *)(ctx)->si)
#define GO_ARG6(ctx) ((void *)(ctx)->r8)
#define GO_ARG7(ctx) ((void *)(ctx)->r9)
#define GO_ARG8(ctx) ((void *)(ctx)->r10)
#define GO_ARG9(ctx) ((void *)(ctx)->r11)
#define GO_GOROUTINE(ctx) ((__u64)(ctx)->r14)
#elif defined(__TARGET_ARCH_arm64)
/* Integer arguments: R0-R15; the current g is in R28. */
#define GO_ARG1(ctx) ((void *)(ctx)->regs[0])
#define GO_ARG2(ctx) ((void *)(ctx)->regs[1])
#define GO_ARG3(ctx) ((void *)(ctx)->regs[2])
#define GO_ARG4(ctx) ((void *)(ctx)->regs[3])
#define GO_ARG5(ctx) ((void *)(ctx)->regs[4])
#define GO_ARG6(ctx) ((void *)(ctx)->regs[5])
#define GO_ARG7(ctx) ((void *)(ctx)->regs[6])
#define GO_ARG8(ctx) ((void *)(ctx)->regs[7])
#define GO_ARG9(ctx) ((void *)(ctx)->regs[8])
#define GO_GOROUTINE(ctx) ((__u64)(ctx)->regs[28])
#else
#error "tracebee BPF programs support x86 and arm64"
#endif

/* A Go string header: pointer and length. */
struct go_string {
	const char *ptr;
	__s64 len;
};

/* Reads a pointer-sized field at base+off; 0 when unreadable. */
static __always_inline __u64 go_read_ptr(const void *base, __u64 off)
{
	__u64 v = 0;
	if (!base)
		return 0;
	bpf_probe_read_user(&v, sizeof(v), (const char *)base + off);
	return v;
}

/* The data word of the Go interface value (itab, data) at base+off: the dynamic value's pointer. */
static __always_inline void *go_read_iface_data(const void *base, __u64 off)
{
	return (void *)go_read_ptr(base, off + 8);
}

/*
 * Copies at most max bytes (a power of two, at most 4096) of the Go string
 * s into dst. Returns the number of bytes copied.
 * The copy is truncated, never overrun: dst must hold max bytes.
 */
static __always_inline __u16 go_read_string_at(char *dst, __u32 max, const struct go_string *s)
{
	if (!s->ptr || s->len <= 0)
		return 0;
	__u64 n = (__u64)s->len;
	if (n > max)
		n = max;
	/* bound for the verifier: max is a power of two */
	n &= (2 * max - 1);
	if (n == 0 || n > max)
		return 0;
	if (bpf_probe_read_user(dst, n, s->ptr))
		return 0;
	return (__u16)n;
}

/* As go_read_string_at, for the string header at base+off. */
static __always_inline __u16 go_read_string(char *dst, __u32 max, const void *base, __u64 off)
{
	struct go_string s = {};
	if (!base || bpf_probe_read_user(&s, sizeof(s), (const char *)base + off))
		return 0;
	return go_read_string_at(dst, max, &s);
}

/*
 * A window on a Go struct in the target: the bytes [lo, hi) of the struct at base, fetched with one
 * bpf_probe_read_user. A read costs about the same up to a few hundred bytes (~76 ns for 8 bytes, ~100 ns
 * for 256 here), so a probe that wants several fields of one struct reads them all at once. lo and hi span
 * fields of the struct only (offsets are const volatile, set before load: the verifier sees them as
 * constants), so the read never leaves the object. When the span exceeds the buffer the fields are read
 * one by one instead (go_win_ptr and go_win_string fall back to single reads).
 */
struct go_win {
	const char *base;
	__u64 lo;
	__u64 hi;
	bool ok;  /* buf holds [lo, hi) */
};

static __always_inline __u64 go_min(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

static __always_inline __u64 go_max(__u64 a, __u64 b)
{
	return a > b ? a : b;
}

static __always_inline void go_win_read(struct go_win *w, __u8 *buf, __u32 cap, const void *base, __u64 lo, __u64 hi)
{
	w->base = base;
	w->lo = lo;
	w->hi = hi;
	w->ok = false;
	if (!base || hi <= lo || hi - lo > cap)
		return;
	w->ok = bpf_probe_read_user(buf, hi - lo, (const char *)base + lo) == 0;
}

/* The pointer-sized field at off, from the window when it holds it, else read on its own; 0 when unreadable. */
static __always_inline __u64 go_win_ptr(const struct go_win *w, const __u8 *buf, __u64 off)
{
	if (w->ok && off >= w->lo && off + 8 <= w->hi)
		return *(const __u64 *)(buf + (off - w->lo));
	return go_read_ptr(w->base, off);
}

/* The string header at off, from the window when it holds it, else read on its own. */
static __always_inline void go_win_string(const struct go_win *w, const __u8 *buf, __u64 off, struct go_string *s)
{
	if (w->ok && off >= w->lo && off + 16 <= w->hi) {
		s->ptr = *(const char *const *)(buf + (off - w->lo));
		s->len = *(const __s64 *)(buf + (off - w->lo) + 8);
		return;
	}
	s->ptr = NULL;
	s->len = 0;
	if (w->base)
		bpf_probe_read_user(s, sizeof(*s), w->base + off);
}

/*
 * Results that do not fit in registers (e.g. a struct of more than 9 words on amd64, 16 on arm64) are
 * written to the caller's frame, right above the return address. At a RET probe SP points at that
 * address (amd64) or at the slot Go reserves for it (arm64), so the first stack result is at SP+8.
 */
#define GO_STACK_RESULT(ctx) ((void *)(PT_REGS_SP(ctx) + 8))
/* Whether the len bytes (at most 15) at ptr in the target are exactly name. */
/*
 * Whether the len (<= 16) bytes at ptr in the target are name. Compared as two words, not byte by
 * byte: a loop of early exits gives the verifier a branch per byte, and callers check several keys
 * in unrolled loops, so the states multiplied (the net/http server entry took seconds to verify).
 */
static __always_inline bool go_string_equals(const char *ptr, const char *name, __u32 len)
{
	__u64 got[2] = {}, want[2] = {};
	if (len > sizeof(got) || bpf_probe_read_user(got, len, ptr))
		return false;
	__builtin_memcpy(want, name, len);  /* callers pass a literal and its length: folded to constants */
	return ((got[0] ^ want[0]) | (got[1] ^ want[1])) == 0;
}

#endif /* TB_GO_ABI_H */
