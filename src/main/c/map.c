// SPDX-License-Identifier: Apache-2.0
/*
 * Map element operations on raw bytes. Keys and values are copied through small stack buffers
 * (heap beyond that) rather than pinned, so a syscall never runs inside a JNI critical region.
 */
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "errors.h"
#include "tb_jni.h"

#define STACK_BYTES 256

struct bytes {
	jbyte *p;
	jsize len;
	jbyte small[STACK_BYTES];
};

/* Copies arr into b (when copy_in); returns 0, or -ENOMEM. A NULL array gives p == NULL. */
static int bytes_get(JNIEnv *env, jbyteArray arr, struct bytes *b, int copy_in)
{
	b->p = NULL;
	b->len = 0;
	if (!arr)
		return 0;
	b->len = (*env)->GetArrayLength(env, arr);
	b->p = b->len <= STACK_BYTES ? b->small : malloc((size_t)b->len ? (size_t)b->len : 1);
	if (!b->p)
		return -ENOMEM;
	if (copy_in)
		(*env)->GetByteArrayRegion(env, arr, 0, b->len, b->p);
	return 0;
}

static void bytes_put(JNIEnv *env, jbyteArray arr, struct bytes *b, int copy_out)
{
	if (!b->p)
		return;
	if (copy_out)
		(*env)->SetByteArrayRegion(env, arr, 0, b->len, b->p);
	if (b->p != b->small)
		free(b->p);
}

/* Gets a key (always copied in) and a second buffer; on failure nothing stays allocated. */
static int key_and_buffer(JNIEnv *env, jbyteArray key, struct bytes *k, jbyteArray other, struct bytes *o,
			  int copy_other_in)
{
	int err;

	if ((err = bytes_get(env, key, k, 1)))
		return err;
	if ((err = bytes_get(env, other, o, copy_other_in)))
		bytes_put(env, key, k, 0);
	return err;
}

jint JNICALL tb_mapInfo0(JNIEnv *env, jclass clazz, jint fd, jintArray out)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	jint vals[6];

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
		return tb_neg_errno();
	vals[0] = (jint)info.type;
	vals[1] = (jint)info.key_size;
	vals[2] = (jint)info.value_size;
	vals[3] = (jint)info.max_entries;
	vals[4] = (jint)info.map_flags;
	vals[5] = (jint)info.id;
	(*env)->SetIntArrayRegion(env, out, 0, 6, vals);
	return 0;
}

jint JNICALL tb_mapLookup0(JNIEnv *env, jclass clazz, jint fd, jbyteArray key, jbyteArray value)
{
	struct bytes k, v;
	int err;

	if (!key || !value)
		return -EINVAL;
	if ((err = key_and_buffer(env, key, &k, value, &v, 0)))
		return err;
	err = bpf_map_lookup_elem(fd, k.p, v.p) ? tb_neg_errno() : 0;
	bytes_put(env, key, &k, 0);
	bytes_put(env, value, &v, err == 0);
	return err;
}

jint JNICALL tb_mapUpdate0(JNIEnv *env, jclass clazz, jint fd, jbyteArray key, jbyteArray value, jlong flags)
{
	struct bytes k, v;
	int err;

	if (!key || !value)
		return -EINVAL;
	if ((err = key_and_buffer(env, key, &k, value, &v, 1)))
		return err;
	err = bpf_map_update_elem(fd, k.p, v.p, (__u64)flags) ? tb_neg_errno() : 0;
	bytes_put(env, key, &k, 0);
	bytes_put(env, value, &v, 0);
	return err;
}

jint JNICALL tb_mapDelete0(JNIEnv *env, jclass clazz, jint fd, jbyteArray key)
{
	struct bytes k;
	int err;

	if (!key)
		return -EINVAL;
	if ((err = bytes_get(env, key, &k, 1)))
		return err;
	err = bpf_map_delete_elem(fd, k.p) ? tb_neg_errno() : 0;
	bytes_put(env, key, &k, 0);
	return err;
}

/* key == NULL asks for the first key. */
jint JNICALL tb_mapNextKey0(JNIEnv *env, jclass clazz, jint fd, jbyteArray key, jbyteArray next)
{
	struct bytes k, n;
	int err;

	if (!next)
		return -EINVAL;
	if ((err = key_and_buffer(env, key, &k, next, &n, 0)))
		return err;
	err = bpf_map_get_next_key(fd, k.p, n.p) ? tb_neg_errno() : 0;
	bytes_put(env, key, &k, 0);
	bytes_put(env, next, &n, err == 0);
	return err;
}

/*
 * get_next_key repeated: the keys following key (from the first when key is NULL), written back to back into out,
 * as many as fit; returns how many (0 at the end). One crossing for a batch of keys instead of one per key.
 */
jint JNICALL tb_mapNextKeys0(JNIEnv *env, jclass clazz, jint fd, jint key_size, jbyteArray key, jbyteArray out)
{
	struct bytes k, o;
	const void *prev;
	int err, n = 0, cap;

	if (!out || key_size <= 0 || (key && (*env)->GetArrayLength(env, key) != key_size))
		return -EINVAL;
	if ((err = key_and_buffer(env, key, &k, out, &o, 0)))
		return err;
	cap = o.len / key_size;
	prev = k.p;
	for (; n < cap; n++) {
		jbyte *next = o.p + (size_t)n * key_size;

		if (bpf_map_get_next_key(fd, prev, next)) {
			err = errno == ENOENT ? 0 : tb_neg_errno();
			break;
		}
		prev = next;
	}
	bytes_put(env, key, &k, 0);
	bytes_put(env, out, &o, err == 0);
	return err ? err : n;
}
