// SPDX-License-Identifier: Apache-2.0
/*
 * Injects synthetic net/http server events into a running agent's ring buffer at a fixed rate
 * (bench/agent-at-rate.sh). The agent is not modified: this finds its ring-buffer map (tb_events) and its
 * kernel drop counters (tb_drops) among the BPF maps the agent process holds (/proc/<pid>/fdinfo map_id),
 * points http_events_bench.bpf.o at them (bpf_map__reuse_fd) and runs its producer through
 * BPF_PROG_TEST_RUN, so the records enter the ring exactly as the net/http probe's do, and a full ring is
 * counted where the probe's losses are.
 *
 *   inject_http_events OBJ AGENT_PID TARGET_PID TARGET_ID SPANS_PER_S SECONDS
 *
 * TARGET_PID/TARGET_ID: an attached target's process and the agent's id for it (the uprobes' cookie), so the
 * agent places the spans in that process. Paced every millisecond: each tick emits what is due so far.
 * Prints one "result ..." line.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct run_params {
	uint32_t count;
	uint32_t tgid;
	uint64_t target;
};

struct bench_state {
	uint64_t next_seq;
	uint64_t produced;
	uint64_t dropped;
};

#define MAX_PER_RUN 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An fd for the BPF map called name that process pid holds, or -1. */
static int agent_map_fd(int pid, const char *name)
{
	char dir[64], path[320], line[256];
	struct dirent *d;
	DIR *fds;
	int found = -1;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
	fds = opendir(dir);
	if (!fds)
		return -1;
	while (found < 0 && (d = readdir(fds))) {
		unsigned int id = 0;
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "map_id: %u", &id) == 1)
				break;
		fclose(f);
		if (id) {
			struct bpf_map_info info = { 0 };
			uint32_t len = sizeof(info);
			int fd = bpf_map_get_fd_by_id(id);

			if (fd < 0)
				continue;
			if (!bpf_obj_get_info_by_fd(fd, &info, &len) && strcmp(info.name, name) == 0)
				found = fd;
			else
				close(fd);
		}
	}
	closedir(fds);
	return found;
}

int main(int argc, char **argv)
{
	if (argc < 7) {
		fprintf(stderr, "usage: %s OBJ AGENT_PID TARGET_PID TARGET_ID SPANS_PER_S SECONDS\n", argv[0]);
		return 2;
	}
	const char *path = argv[1];
	int agent = atoi(argv[2]);
	struct run_params params = { .tgid = (uint32_t)atoi(argv[3]), .target = strtoull(argv[4], NULL, 10) };
	double rate = atof(argv[5]), seconds = atof(argv[6]);
	int ring_fd = agent_map_fd(agent, "tb_events"), drops_fd = agent_map_fd(agent, "tb_drops");
	struct bench_state st = { 0 };
	struct bpf_object *obj;
	uint64_t sent = 0;
	uint32_t zero = 0;
	int prog_fd, state_fd, err;
	double t0, t1, late = 0;

	if (ring_fd < 0) {
		fprintf(stderr, "no ring buffer tb_events held by pid %d\n", agent);
		return 1;
	}
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		return 1;
	}
	if ((err = bpf_map__reuse_fd(bpf_object__find_map_by_name(obj, "events"), ring_fd)) ||
	    (drops_fd >= 0 && (err = bpf_map__reuse_fd(bpf_object__find_map_by_name(obj, "drops"), drops_fd))) ||
	    (err = bpf_object__load(obj))) {
		fprintf(stderr, "load: %s\n", strerror(-err));
		return 1;
	}
	prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "produce"));
	state_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "state"));

	t0 = now();
	for (;;) {
		double t = now() - t0;
		uint64_t due = (uint64_t)(rate * (t < seconds ? t : seconds));

		while (sent < due) {
			LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &params, .data_size_in = sizeof(params), .repeat = 1);

			params.count = due - sent > MAX_PER_RUN ? MAX_PER_RUN : (uint32_t)(due - sent);
			if (bpf_prog_test_run_opts(prog_fd, &opts)) {
				fprintf(stderr, "test_run: %s\n", strerror(errno));
				return 1;
			}
			sent += params.count;
		}
		if (t >= seconds)
			break;
		/* behind by more than 10 ms of events: the producer itself cannot keep the rate */
		if (rate * (now() - t0) - sent > rate / 100)
			late = now() - t0;
		struct timespec tick = { 0, 1000000 };
		nanosleep(&tick, NULL);
	}
	t1 = now();
	bpf_map_lookup_elem(state_fd, &zero, &st);
	printf("result injected=%llu produced=%llu ring_full=%llu seconds=%.3f rate=%.0f last_late_s=%.3f agent_drops_map=%s\n",
	       (unsigned long long)sent, (unsigned long long)st.produced, (unsigned long long)st.dropped, t1 - t0,
	       st.produced / (t1 - t0), late, drops_fd >= 0 ? "shared" : "own");
	bpf_object__close(obj);
	return 0;
}
