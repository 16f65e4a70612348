// SPDX-License-Identifier: Apache-2.0
/*
 * Uprobe test target. Prints "offset <hex>" (the file offset of tb_target_fn, computed from
 * /proc/self/maps so no ELF parsing is needed), then for each stdin line "call N ARG" calls
 * tb_target_fn(ARG) N times and prints "done <sum>". Exits on EOF.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline, used)) long tb_target_fn(long arg)
{
	/* Keeps the call from being folded away. */
	__asm__ volatile("" : : "r"(arg) : "memory");
	return arg + 1;
}

static long file_offset(void *addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	long result = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end, off;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s %lx", &start, &end, perms, &off) == 4 &&
		    (uintptr_t)addr >= start && (uintptr_t)addr < end) {
			result = (long)((uintptr_t)addr - start + off);
			break;
		}
	}
	fclose(f);
	return result;
}

int main(void)
{
	char line[128];
	long (*volatile fn)(long) = tb_target_fn;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("offset %lx\n", file_offset((void *)tb_target_fn));
	while (fgets(line, sizeof(line), stdin)) {
		long n = 0, arg = 0, sum = 0;

		if (sscanf(line, "call %ld %ld", &n, &arg) < 1)
			continue;
		for (long i = 0; i < n; i++)
			sum += fn(arg);
		printf("done %ld\n", sum);
	}
	return 0;
}
