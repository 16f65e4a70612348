// SPDX-License-Identifier: Apache-2.0
/*
 * Ring-buffer map memory and waiting. The memory is mapped once, the way libbpf's ring_buffer
 * does it, and handed to Java as direct ByteBuffers; Java reads records without crossing JNI.
 *   consumer page: offset 0, one page, read-write (Java stores consumer_pos)
 *   producer page + data: offset page_size, page_size + 2 * max_entries, read-only. The kernel maps
 *   the data pages twice back to back, so a record that wraps around the end is contiguous.
 * Waiting is epoll on the map fd (readable when data is pending) plus an eventfd to wake the waiter.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "errors.h"
#include "tb_jni.h"

#define EV_DATA 1
#define EV_WAKE 2

/* Java's ByteBuffer capacity is an int: 2 * max_entries must fit. */
#define MAX_RINGBUF_BYTES (1u << 29)

struct tb_ringbuf {
	void *consumer;
	void *producer;
	size_t page_size;
	size_t producer_len;
	int epfd;
	int evfd;
};

static void ringbuf_free(struct tb_ringbuf *rb)
{
	if (rb->consumer && rb->consumer != MAP_FAILED)
		munmap(rb->consumer, rb->page_size);
	if (rb->producer && rb->producer != MAP_FAILED)
		munmap(rb->producer, rb->producer_len);
	if (rb->epfd >= 0)
		close(rb->epfd);
	if (rb->evfd >= 0)
		close(rb->evfd);
	free(rb);
}

static int epoll_add(int epfd, int fd, __u32 tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? tb_neg_errno() : 0;
}

jlong JNICALL tb_ringbufOpen0(JNIEnv *env, jclass clazz, jint map_fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct tb_ringbuf *rb;
	int err;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len) != 0)
		return tb_neg_errno();
	if (info.type != BPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	if (info.max_entries > MAX_RINGBUF_BYTES)
		return -E2BIG;
	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return -ENOMEM;
	rb->epfd = rb->evfd = -1;
	rb->page_size = (size_t)sysconf(_SC_PAGESIZE);
	rb->producer_len = rb->page_size + 2 * (size_t)info.max_entries;

	rb->consumer = mmap(NULL, rb->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (rb->consumer == MAP_FAILED)
		goto fail;
	rb->producer = mmap(NULL, rb->producer_len, PROT_READ, MAP_SHARED, map_fd, (off_t)rb->page_size);
	if (rb->producer == MAP_FAILED)
		goto fail;
	rb->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (rb->epfd < 0)
		goto fail;
	rb->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rb->evfd < 0)
		goto fail;
	if ((err = epoll_add(rb->epfd, map_fd, EV_DATA)) || (err = epoll_add(rb->epfd, rb->evfd, EV_WAKE))) {
		ringbuf_free(rb);
		return err;
	}
	return TB_HANDLE(rb);
fail:
	err = tb_neg_errno();
	ringbuf_free(rb);
	return err;
}

jobject JNICALL tb_ringbufConsumer0(JNIEnv *env, jclass clazz, jlong h)
{
	struct tb_ringbuf *rb = TB_PTR(h);

	return (*env)->NewDirectByteBuffer(env, rb->consumer, (jlong)rb->page_size);
}

jobject JNICALL tb_ringbufProducer0(JNIEnv *env, jclass clazz, jlong h)
{
	struct tb_ringbuf *rb = TB_PTR(h);

	return (*env)->NewDirectByteBuffer(env, rb->producer, (jlong)rb->producer_len);
}

/* Waits up to timeout_ms (-1 = forever); returns EV_DATA | EV_WAKE bits that fired, 0 on timeout. */
jint JNICALL tb_ringbufAwait0(JNIEnv *env, jclass clazz, jlong h, jint timeout_ms)
{
	struct tb_ringbuf *rb = TB_PTR(h);
	struct epoll_event evs[2];
	int n, res = 0;

	n = epoll_wait(rb->epfd, evs, 2, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : tb_neg_errno();
	for (int i = 0; i < n; i++) {
		if (evs[i].data.u32 == EV_WAKE) {
			eventfd_t v;

			eventfd_read(rb->evfd, &v);
		}
		res |= (int)evs[i].data.u32;
	}
	return res;
}

jint JNICALL tb_ringbufWake0(JNIEnv *env, jclass clazz, jlong h)
{
	struct tb_ringbuf *rb = TB_PTR(h);

	return eventfd_write(rb->evfd, 1) ? tb_neg_errno() : 0;
}

/* The caller guarantees no thread still reads the buffers or waits: they become invalid here. */
void JNICALL tb_ringbufClose0(JNIEnv *env, jclass clazz, jlong h)
{
	if (h)
		ringbuf_free(TB_PTR(h));
}
