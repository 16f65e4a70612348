// SPDX-License-Identifier: Apache-2.0
/*
 * Uprobe trap floor (docs/BENCHMARKS.md "Uprobe cost: floor vs net/http probe").
 *
 *   uprobe_floor OBJ [calls=200000] [rounds=5]
 *                [progs=empty,read_user,rb_nowakeup,rb_wakeup,rb_adaptive+reader] [reader_cpu=-1]
 *
 * OBJ is uprobe_floor.bpf.o. Each round times `calls` calls of a noinline function with
 * CLOCK_MONOTONIC, first with no probe, then, for each listed program in turn, with that program
 * attached by libbpf as a uprobe on the function's entry in this very binary (/proc/self/exe;
 * libbpf 1.1 resolves func_name to the file offset from the ELF symbol table, the offset from
 * /proc/self/maps is printed for reference), detaching it afterwards. `empty` (returns 0) gives the
 * trap floor; the others add one ingredient of the net/http RET probe each (see the BPF source).
 * A program whose name ends in "_multi" is loaded for, and attached through, a uprobe_multi link (Linux 6.6+,
 * as the agent attaches) instead of a perf-event uprobe.
 * A "+reader" suffix runs a thread that polls the ring (ring_buffer__poll, epoll) during the timed
 * loop, as the agent's reader does, so that wake-ups have someone to wake; reader_cpu >= 0 pins
 * that thread to one CPU (the agent's, when the caller pins this program to the target's CPU).
 *
 * Each program's run_cnt must grow by exactly `calls` per round (checked: proves the probe is on
 * the code being called), and run_time_ns/run_cnt gives the time spent inside the BPF program per
 * hit (BPF stats are switched on with bpf_enable_stats for the life of the process). The ring
 * buffer is drained between timed loops, outside the timing.
 *
 *   uprobe_floor OBJ hold SITES PID
 *
 * holds `empty_multi` on every site listed in the file SITES ("path offset" per line, offset as a file offset,
 * 0x-prefixed hex or decimal), for process PID only, through one uprobe_multi link per binary, until killed: the
 * floor measured in place (bench/target-side.sh runs a server with these empty probes on exactly the sites the
 * agent probes). Prints "holding N uprobes in M binaries" once attached.
 *
 * Prints one "round ..." line per round and program, then per program
 *   result prog=P calls=N rounds=R base_ns=.. probed_ns=.. trap_ns=.. trap_min_ns=.. trap_max_ns=.. bpf_ns=..
 * (medians over rounds, per call; trap = probed - base, i.e. everything a hit adds).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../main/c/tb_uprobe_multi.h"

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

static int is_multi(const char *name)
{
	size_t n = strlen(name);

	return n > 6 && strcmp(name + n - 6, "_multi") == 0;
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

static int drain_cb(void *ctx, void *data, size_t len)
{
	(*(long *)ctx)++;
	return 0;
}

static atomic_int reader_stop;
static int reader_cpu = -1;

static void *reader_main(void *arg)
{
	struct ring_buffer *rb = arg;

	if (reader_cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(reader_cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
			fprintf(stderr, "reader: cannot pin to CPU %d\n", reader_cpu);
	}
	while (!atomic_load(&reader_stop))
		if (ring_buffer__poll(rb, 50) < 0 && errno != EINTR)
			break;
	return NULL;
}

#define MAX_PROGS 8

#define MAX_SITES 1024

/* `hold` mode: empty_multi on every site of SITES for PID, until killed. */
static int hold(const char *obj_path, const char *sites_path, int pid)
{
	static char paths[MAX_SITES][PATH_MAX];
	static __u64 offsets[MAX_SITES], cookies[MAX_SITES], group[MAX_SITES];
	char line[PATH_MAX + 64];
	struct bpf_object *obj;
	struct bpf_program *prog;
	int n = 0, binaries = 0;
	FILE *f = fopen(sites_path, "r");

	if (!f) {
		fprintf(stderr, "open %s: %s\n", sites_path, strerror(errno));
		return 1;
	}
	while (n < MAX_SITES && fgets(line, sizeof(line), f)) {
		char off[64];

		if (sscanf(line, "%4095s %63s", paths[n], off) != 2)
			continue;
		offsets[n++] = strtoull(off, NULL, 0);
	}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "%s lists no site\n", sites_path);
		return 1;
	}
	obj = bpf_object__open_file(obj_path, NULL);
	prog = obj ? bpf_object__find_program_by_name(obj, "empty_multi") : NULL;
	if (!prog || bpf_program__set_expected_attach_type(prog, (enum bpf_attach_type)TB_TRACE_UPROBE_MULTI)) {
		fprintf(stderr, "%s: no empty_multi program\n", obj_path);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, strcmp(bpf_program__name(prog), "empty_multi") == 0);
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load %s: %s\n", obj_path, strerror(errno));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "empty_multi");
	/* one link per binary: the sites of each path, in file order */
	for (int i = 0; i < n; i++) {
		int k = 0, fd;

		if (!paths[i][0])
			continue;
		for (int j = i; j < n; j++) {
			if (paths[j][0] && strcmp(paths[j], paths[i]) == 0) {
				group[k] = offsets[j];
				cookies[k++] = 0;
				if (j != i)
					paths[j][0] = '\0';
			}
		}
		fd = tb_uprobe_multi_link(bpf_program__fd(prog), paths[i], group, cookies, (__u32)k, pid);
		if (fd < 0) {
			fprintf(stderr, "uprobe_multi link on %s (%d sites): %s\n", paths[i], k, strerror(-fd));
			return 1;
		}
		binaries++;
	}
	printf("holding %d uprobes in %d binaries\n", n, binaries);
	fflush(stdout);
	for (;;)
		pause(); /* the links go with the process */
}

int main(int argc, char **argv)
{
	long calls = argc > 2 ? atol(argv[2]) : 200000;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	char progs_arg[256];
	const char *names[MAX_PROGS];
	int with_reader[MAX_PROGS];
	struct bpf_program *progs[MAX_PROGS];
	int nprogs = 0;
	static double base[MAX_ROUNDS], probed[MAX_PROGS][MAX_ROUNDS], trap[MAX_PROGS][MAX_ROUNDS],
		bpf[MAX_PROGS][MAX_ROUNDS];
	char exe[PATH_MAX];
	struct bpf_object *obj;
	struct ring_buffer *rb;
	long drained = 0;
	ssize_t n;
	int stats_fd;

	if (argc == 5 && strcmp(argv[2], "hold") == 0)
		return hold(argv[1], argv[3], atoi(argv[4]));
	if (argc < 2 || calls <= 0 || rounds <= 0 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: %s OBJ [calls=200000] [rounds=5 (1..%d)] [progs=a,b,...] [reader_cpu=-1]\n",
			argv[0], MAX_ROUNDS);
		return 2;
	}
	snprintf(progs_arg, sizeof(progs_arg), "%s",
		 argc > 4 ? argv[4] : "empty,read_user,rb_nowakeup,rb_wakeup,rb_adaptive+reader");
	for (char *save, *tok = strtok_r(progs_arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nprogs == MAX_PROGS) {
			fprintf(stderr, "at most %d programs\n", MAX_PROGS);
			return 2;
		}
		names[nprogs] = tok;
		with_reader[nprogs] = strstr(tok, "+reader") != NULL;
		nprogs++;
	}
	if (argc > 5)
		reader_cpu = atoi(argv[5]);
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
	for (int p = 0; p < nprogs; p++) {
		char name[64];
		struct bpf_program *prog;

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(names[p], "+"), names[p]);
		prog = bpf_object__find_program_by_name(obj, name);
		if (prog && is_multi(name) &&
		    bpf_program__set_expected_attach_type(prog, (enum bpf_attach_type)TB_TRACE_UPROBE_MULTI)) {
			fprintf(stderr, "%s: cannot set the uprobe_multi attach type\n", name);
			return 1;
		}
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (int p = 0; p < nprogs; p++) {
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(names[p], "+"), names[p]);
		progs[p] = bpf_object__find_program_by_name(obj, name);
		if (!progs[p]) {
			fprintf(stderr, "no program '%s' in %s\n", names[p], argv[1]);
			return 1;
		}
	}
	rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "floor_events"), drain_cb, &drained, NULL);
	if (!rb) {
		fprintf(stderr, "ring_buffer__new: %s\n", strerror(errno));
		return 1;
	}

	/* Keeps run_cnt/run_time_ns counting while this fd is open, whatever the sysctl says. */
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		fprintf(stderr, "bpf_enable_stats: %s (per-hit BPF time may read 0)\n", strerror(errno));

	printf("binary %s symbol tb_floor_fn maps_offset 0x%lx\n", exe, maps_offset((void *)tb_floor_fn));

	/* Warm-up: page in, settle the frequency. */
	time_calls(calls / 4 + 1);

	for (int r = 0; r < rounds; r++) {
		base[r] = time_calls(calls);
		for (int p = 0; p < nprogs; p++) {
			LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = "tb_floor_fn");
			int prog_fd = bpf_program__fd(progs[p]);
			struct bpf_link *link;
			int multi_fd;
			pthread_t reader;
			uint64_t c0, t0, c1, t1;

			if (is_multi(bpf_program__name(progs[p]))) {
				__u64 offset = (__u64)maps_offset((void *)tb_floor_fn), cookie = 0;

				multi_fd = tb_uprobe_multi_link(prog_fd, exe, &offset, &cookie, 1, getpid());
				if (multi_fd < 0) {
					fprintf(stderr, "uprobe_multi link %s: %s\n", names[p], strerror(-multi_fd));
					return 1;
				}
				link = NULL;
			} else {
				multi_fd = -1;
				link = bpf_program__attach_uprobe_opts(progs[p], 0 /* this process */, exe, 0, &uo);
			}
			if (!link && multi_fd < 0) {
				fprintf(stderr, "attach %s as uprobe %s:tb_floor_fn: %s\n", names[p], exe,
					strerror(errno));
				return 1;
			}
			drained = 0;
			if (with_reader[p]) {
				atomic_store(&reader_stop, 0);
				if (pthread_create(&reader, NULL, reader_main, rb)) {
					fprintf(stderr, "pthread_create failed\n");
					return 1;
				}
				usleep(20000); /* let it reach epoll_wait */
			}
			if (prog_stats(prog_fd, &c0, &t0)) {
				fprintf(stderr, "prog info: %s\n", strerror(errno));
				return 1;
			}
			probed[p][r] = time_calls(calls);
			if (prog_stats(prog_fd, &c1, &t1)) {
				fprintf(stderr, "prog info: %s\n", strerror(errno));
				return 1;
			}
			if (link)
				bpf_link__destroy(link);
			else
				close(multi_fd);
			if (with_reader[p]) {
				atomic_store(&reader_stop, 1);
				pthread_join(reader, NULL);
			}

			if (c1 - c0 != (uint64_t)calls) {
				fprintf(stderr,
					"%s round %d: program ran %llu times for %ld calls (probe not on the called code?)\n",
					names[p], r, (unsigned long long)(c1 - c0), calls);
				return 1;
			}
			if (ring_buffer__consume(rb) < 0) {
				fprintf(stderr, "ring_buffer__consume: %s\n", strerror(errno));
				return 1;
			}
			if (drained && drained != calls)
				fprintf(stderr, "%s round %d: %ld records for %ld calls (ring full: lower calls)\n",
					names[p], r, drained, calls);
			trap[p][r] = probed[p][r] - base[r];
			bpf[p][r] = (double)(t1 - t0) / (double)(c1 - c0);
			printf("round %d prog=%s base_ns=%.1f probed_ns=%.1f trap_ns=%.1f bpf_ns=%.1f\n", r, names[p],
			       base[r], probed[p][r], trap[p][r], bpf[p][r]);
			fflush(stdout);
		}
	}

	for (int p = 0; p < nprogs; p++)
		printf("result prog=%s calls=%ld rounds=%d base_ns=%.1f probed_ns=%.1f trap_ns=%.1f "
		       "trap_min_ns=%.1f trap_max_ns=%.1f bpf_ns=%.1f\n",
		       names[p], calls, rounds, median(base, rounds), median(probed[p], rounds),
		       median(trap[p], rounds), minv(trap[p], rounds), maxv(trap[p], rounds), median(bpf[p], rounds));

	if (stats_fd >= 0)
		close(stats_fd);
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
