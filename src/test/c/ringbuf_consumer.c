// SPDX-License-Identifier: Apache-2.0
/*
 * Reference C consumer for the ring-buffer read benchmark (docs/BENCHMARKS.md). Loads
 * ringbuf_bench.bpf.o (64-byte records) or http_events_bench.bpf.o (real struct tb_http_server_event records;
 * the slot size is sizeof that struct) and counts records with libbpf's ring_buffer__consume/poll.
 *
 *   ringbuf_consumer OBJ drain  [ring_mib=16] [iterations=21]
 *       fill the ring with the in-kernel producer, then time one ring_buffer__consume of it
 *   ringbuf_consumer OBJ drain-copy [ring_mib=16] [iterations=21]
 *       the same, the callback copying each record into a 256 KiB buffer (what the Java batch path does)
 *   ringbuf_consumer OBJ stream [ring_mib=16] [seconds=5] [wakeup_threshold=0]
 *       a producer thread runs BPF_PROG_TEST_RUN back to back while this thread polls and counts;
 *       wakeup_threshold > 0: the producer only wakes the reader when that many bytes are pending
 *
 * Prints one "result ..." line: records per second (median over iterations for drain).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "../../main/bpf/include/tracebee.h"

/* 64-byte record + 8-byte ring header, unless the object emits struct tb_http_server_event (record_slot()) */
static uint32_t record_slot_bytes = 72;

struct bench_state {
	uint64_t next_seq;
	uint64_t produced;
	uint64_t dropped;
};

static uint64_t consumed;
static atomic_int stop;
static int prog_fd, state_fd;

static int count_cb(void *ctx, void *data, size_t len)
{
	consumed++;
	return 0;
}

#define COPY_BUF (256 * 1024)
static char copy_buf[COPY_BUF];
static size_t copy_off;

static int copy_cb(void *ctx, void *data, size_t len)
{
	if (copy_off + len > COPY_BUF)
		copy_off = 0;
	memcpy(copy_buf + copy_off, data, len);
	copy_off += len;
	consumed++;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int produce(uint32_t n, int repeat)
{
	uint8_t pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = repeat);

	memcpy(pkt, &n, sizeof(n));
	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		fprintf(stderr, "test_run: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static struct bench_state state(void)
{
	struct bench_state s = { 0 };
	uint32_t zero = 0;

	bpf_map_lookup_elem(state_fd, &zero, &s);
	return s;
}

/* Sets a u64 const volatile global before load (found through the .rodata DATASEC of the BTF). */
static int set_rodata_u64(struct bpf_object *obj, const char *var, uint64_t value)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	size_t size;
	char *copy;
	int id;

	if (!map || !btf || (id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC)) < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *t = btf__type_by_id(btf, vs->type);

		if (strcmp(btf__name_by_offset(btf, t->name_off), var) || vs->size != sizeof(value))
			continue;
		copy = malloc(bpf_map__value_size(map));
		memcpy(copy, bpf_map__initial_value(map, &size), size);
		memcpy(copy + vs->offset, &value, sizeof(value));
		id = bpf_map__set_initial_value(map, copy, size);
		free(copy);
		return id;
	}
	return -ENOENT;
}

/* The ring slot of the object's records: http_events_bench.bpf.o (it has the "drops" map) emits tb_http_server_event. */
static uint32_t record_slot(struct bpf_object *obj)
{
	if (!bpf_object__find_map_by_name(obj, "drops"))
		return 72;
	return (uint32_t)((sizeof(struct tb_http_server_event) + 8 + 7) & ~7U);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void *producer_thread(void *arg)
{
	while (!atomic_load(&stop))
		if (produce(4096, 1))
			break;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "ringbuf_bench.bpf.o";
	const char *mode = argc > 2 ? argv[2] : "drain";
	long ring_mib = argc > 3 ? atol(argv[3]) : 16;
	long param = argc > 4 ? atol(argv[4]) : -1;
	long wakeup_threshold = argc > 5 ? atol(argv[5]) : 0;
	struct bpf_object *obj;
	struct bpf_map *events;
	struct ring_buffer *rb;
	int err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		return 1;
	}
	events = bpf_object__find_map_by_name(obj, "events");
	bpf_map__set_max_entries(events, (uint32_t)(ring_mib << 20));
	if (set_rodata_u64(obj, "wakeup_threshold", (uint64_t)wakeup_threshold)) {
		fprintf(stderr, "no wakeup_threshold in %s\n", path);
		return 1;
	}
	if ((err = bpf_object__load(obj))) {
		fprintf(stderr, "load: %s\n", strerror(-err));
		return 1;
	}
	record_slot_bytes = record_slot(obj);
	prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "produce"));
	state_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "state"));
	rb = ring_buffer__new(bpf_map__fd(events), strcmp(mode, "drain-copy") == 0 ? copy_cb : count_cb, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "ring_buffer__new: %s\n", strerror(errno));
		return 1;
	}

	if (strcmp(mode, "drain") == 0 || strcmp(mode, "drain-copy") == 0) {
		int iterations = param > 0 ? (int)param : 21;
		uint32_t fill = (uint32_t)((ring_mib << 20) / record_slot_bytes - 1);
		double *rates = calloc((size_t)iterations, sizeof(double));

		for (int i = 0; i < iterations; i++) {
			struct bench_state before = state(), after;
			double t0, t1;

			if (produce(fill, 1))
				return 1;
			after = state();
			consumed = 0;
			t0 = now();
			ring_buffer__consume(rb);
			t1 = now();
			if (consumed != after.produced - before.produced || after.dropped != before.dropped) {
				fprintf(stderr, "count mismatch: consumed %llu produced %llu dropped %llu\n",
					(unsigned long long)consumed,
					(unsigned long long)(after.produced - before.produced),
					(unsigned long long)(after.dropped - before.dropped));
				return 1;
			}
			rates[i] = consumed / (t1 - t0);
		}
		qsort(rates, (size_t)iterations, sizeof(double), cmp_double);
		printf("result impl=c mode=%s ring_mib=%ld record_slot=%u records_per_drain=%u iterations=%d median_records_per_s=%.0f min=%.0f max=%.0f\n",
		       mode, ring_mib, record_slot_bytes, fill, iterations, rates[iterations / 2], rates[0], rates[iterations - 1]);
	} else if (strcmp(mode, "stream") == 0) {
		double seconds = param > 0 ? (double)param : 5;
		struct bench_state before = state(), after;
		pthread_t producer;
		double t0, t1;

		consumed = 0;
		t0 = now();
		pthread_create(&producer, NULL, producer_thread, NULL);
		while (now() - t0 < seconds)
			ring_buffer__poll(rb, 100);
		atomic_store(&stop, 1);
		pthread_join(producer, NULL);
		while (ring_buffer__consume(rb) > 0)
			;
		t1 = now();
		after = state();
		printf("result impl=c mode=stream ring_mib=%ld wakeup_threshold=%ld seconds=%.2f consumed=%llu produced=%llu dropped=%llu records_per_s=%.0f\n",
		       ring_mib, wakeup_threshold, t1 - t0, (unsigned long long)consumed,
		       (unsigned long long)(after.produced - before.produced),
		       (unsigned long long)(after.dropped - before.dropped), consumed / (t1 - t0));
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
