/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Parsing a W3C traceparent value that sits in the target's memory (an HTTP header, gRPC metadata).
 */
#ifndef TB_TRACEPARENT_H
#define TB_TRACEPARENT_H

#include "tb_common.h"

static __always_inline int tb_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes n bytes of lowercase hex at src into dst; false on a bad digit or an all-zero id. */
static __always_inline bool tb_unhex_id(__u8 *dst, const char *src, int n)
{
	__u8 any = 0;
	for (int i = 0; i < n; i++) {
		int hi = tb_hex(src[2 * i]), lo = tb_hex(src[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		dst[i] = (__u8)(hi << 4 | lo);
		any |= dst[i];
	}
	return any != 0;
}

#define TB_TRACEPARENT_LEN 55  /* "00-<32 hex>-<16 hex>-<2 hex>" */

/*
 * Parses a W3C traceparent (version 00, or a later version read as 00 per the spec's forward
 * compatibility rule) into out, with origin TB_ORIGIN_HEADER. False when it is malformed.
 */
static __always_inline bool tb_parse_traceparent(const struct go_string *v, struct tb_span_context *out)
{
	char b[TB_TRACEPARENT_LEN + 1] = {};
	if (!v->ptr || v->len < TB_TRACEPARENT_LEN)
		return false;
	__u32 n = v->len > TB_TRACEPARENT_LEN ? TB_TRACEPARENT_LEN + 1 : TB_TRACEPARENT_LEN;
	if (bpf_probe_read_user(b, n, v->ptr))
		return false;
	int v0 = tb_hex(b[0]), v1 = tb_hex(b[1]);
	if (v0 < 0 || v1 < 0 || (v0 == 15 && v1 == 15))
		return false;
	if (v0 == 0 && v1 == 0 && v->len != TB_TRACEPARENT_LEN)
		return false;
	if (v->len > TB_TRACEPARENT_LEN && b[TB_TRACEPARENT_LEN] != '-')
		return false;
	if (b[2] != '-' || b[35] != '-' || b[52] != '-')
		return false;
	if (!tb_unhex_id(out->trace_id, b + 3, TB_TRACE_ID_SIZE) || !tb_unhex_id(out->span_id, b + 36, TB_SPAN_ID_SIZE))
		return false;
	int f0 = tb_hex(b[53]), f1 = tb_hex(b[54]);
	if (f0 < 0 || f1 < 0)
		return false;
	out->flags = (__u8)(f0 << 4 | f1);
	out->origin = TB_ORIGIN_HEADER;
	return true;
}

#endif /* TB_TRACEPARENT_H */
