// SPDX-License-Identifier: Apache-2.0
/*
 * Uprobe trap floor (docs/BENCHMARKS.md "Uprobe cost: floor vs net/http probe").
 *
 *   uprobe_floor OBJ [calls=200000] [rounds=5]
 *
 * OBJ is uprobe_floor.bpf.o (one SEC("uprobe") program that returns 0). Each round times `calls`
 * calls of a noinline function with CLOCK_MONOTONIC, first with no probe, then with the empty
 * program attached by libbpf as a uprobe on the function's entry in this very binary
 * (/proc/self/exe; libbpf 1.1 resolves func_name to the file offset from the ELF symbol table, the
 * offset from /proc/self/maps is printed for reference), then detaches. The program's run_cnt must
 * grow by exactly `calls` per round (checked: proves the probe is on the code being called), and
 * run_time_ns/run_cnt gives the time spent inside the BPF program per hit (BPF stats are switched
 * on with bpf_enable_stats for the life of the process).
 *
 * Prints one "round ..." line per round and a final line
 *   result calls=N rounds=R base_ns=.. probed_ns=.. trap_ns=.. trap_min_ns=.. trap_max_ns=.. bpf_ns=..
 * (medians over rounds; trap = probed - base per call).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_ROUNDS 101

/* noclone: the uprobe sits on this symbol, so gcc must not call a specialised copy instead. */
__attribute__((noinline, noclone, used)) long tb_floor_fn(long arg)
{
	__asm__ volatile("" : : "r"(arg) : "memory");
	return arg + 1;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile long sink;

static double time_calls(long calls)
{
	long acc = 0;
	double t0 = now_ns();

	for (long i = 0; i < calls; i++)
		acc += tb_floor_fn(i);
	double t1 = now_ns();
	sink = acc;
	return (t1 - t0) / calls;
}

/* File offset of addr in the mapping that holds it (the same figure libbpf derives from the ELF). */
static long maps_offset(void *addr)
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

static int prog_stats(int fd, uint64_t *cnt, uint64_t *ns)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	*cnt = info.run_cnt;
	*ns = info.run_time_ns;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double minv(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static double maxv(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

int main(int argc, char **argv)
{
	long calls = argc > 2 ? atol(argv[2]) : 200000;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	double base[MAX_ROUNDS], probed[MAX_ROUNDS], trap[MAX_ROUNDS], bpf[MAX_ROUNDS];
	char exe[PATH_MAX];
	struct bpf_object *obj;
	struct bpf_program *prog;
	ssize_t n;
	int stats_fd, prog_fd;

	if (argc < 2 || calls <= 0 || rounds <= 0 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: %s OBJ [calls=200000] [rounds=5 (1..%d)]\n", argv[0], MAX_ROUNDS);
		return 2;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		perror("readlink /proc/self/exe");
		return 1;
	}
	exe[n] = '\0';

	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "empty");
	if (!prog) {
		fprintf(stderr, "no program 'empty' in %s\n", argv[1]);
		return 1;
	}
	prog_fd = bpf_program__fd(prog);

	/* Keeps run_cnt/run_time_ns counting while this fd is open, whatever the sysctl says. */
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		fprintf(stderr, "bpf_enable_stats: %s (per-hit BPF time may read 0)\n", strerror(errno));

	printf("binary %s symbol tb_floor_fn maps_offset 0x%lx\n", exe, maps_offset((void *)tb_floor_fn));

	/* Warm-up: page in, settle the frequency. */
	time_calls(calls / 4 + 1);

	for (int r = 0; r < rounds; r++) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = "tb_floor_fn");
		struct bpf_link *link;
		uint64_t c0, t0, c1, t1;

		base[r] = time_calls(calls);

		link = bpf_program__attach_uprobe_opts(prog, 0 /* this process */, exe, 0, &uo);
		if (!link) {
			fprintf(stderr, "attach uprobe %s:tb_floor_fn: %s\n", exe, strerror(errno));
			return 1;
		}
		if (prog_stats(prog_fd, &c0, &t0)) {
			fprintf(stderr, "prog info: %s\n", strerror(errno));
			return 1;
		}
		probed[r] = time_calls(calls);
		if (prog_stats(prog_fd, &c1, &t1)) {
			fprintf(stderr, "prog info: %s\n", strerror(errno));
			return 1;
		}
		bpf_link__destroy(link);

		if (c1 - c0 != (uint64_t)calls) {
			fprintf(stderr, "round %d: program ran %llu times for %ld calls (probe not on the called code?)\n",
				r, (unsigned long long)(c1 - c0), calls);
			return 1;
		}
		trap[r] = probed[r] - base[r];
		bpf[r] = (double)(t1 - t0) / (double)(c1 - c0);
		printf("round %d base_ns=%.1f probed_ns=%.1f trap_ns=%.1f bpf_ns=%.1f\n", r, base[r], probed[r],
		       trap[r], bpf[r]);
		fflush(stdout);
	}

	printf("result calls=%ld rounds=%d base_ns=%.1f probed_ns=%.1f trap_ns=%.1f trap_min_ns=%.1f "
	       "trap_max_ns=%.1f bpf_ns=%.1f\n",
	       calls, rounds, median(base, rounds), median(probed, rounds), median(trap, rounds),
	       minv(trap, rounds), maxv(trap, rounds), median(bpf, rounds));

	if (stats_fd >= 0)
		close(stats_fd);
	bpf_object__close(obj);
	return 0;
}
