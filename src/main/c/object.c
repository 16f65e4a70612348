// SPDX-License-Identifier: Apache-2.0
/* bpf_object lifecycle: open from bytes, configure before load (rodata, map sizes, shared maps), load. */
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "errors.h"
#include "tb_jni.h"

/* The object and the ELF bytes it was opened from, which we keep for the object's lifetime. */
struct tb_object {
	struct bpf_object *obj;
	void *elf;
};

jlong JNICALL tb_objectOpen0(JNIEnv *env, jclass clazz, jstring name, jbyteArray elf)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct tb_object *o;
	const char *cname;
	jsize len;
	int err;

	if (!name || !elf)
		return -EINVAL;
	len = (*env)->GetArrayLength(env, elf);
	if (len <= 0)
		return -EINVAL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->elf = malloc((size_t)len);
	if (!o->elf) {
		free(o);
		return -ENOMEM;
	}
	(*env)->GetByteArrayRegion(env, elf, 0, len, o->elf);
	cname = tb_utf(env, name);
	if (!cname) {
		free(o->elf);
		free(o);
		return -ENOMEM;
	}
	opts.object_name = cname;
	o->obj = bpf_object__open_mem(o->elf, (size_t)len, &opts);
	err = o->obj ? 0 : tb_neg_errno();
	tb_release_utf(env, name, cname);
	if (err) {
		free(o->elf);
		free(o);
		return err;
	}
	return TB_HANDLE(o);
}

static struct bpf_object *object(jlong h)
{
	return ((struct tb_object *)TB_PTR(h))->obj;
}

/* The object's ".rodata" map; libbpf finds internal maps by their ELF section name. */
static struct bpf_map *rodata_map(struct bpf_object *obj)
{
	return bpf_object__find_map_by_name(obj, ".rodata");
}

/*
 * Offset and size of a variable of the .rodata DATASEC. libbpf 1.1 has no bpf_object__find_var,
 * so walk the section's btf_var_secinfos and compare the VAR names.
 */
static int rodata_var(struct bpf_object *obj, const char *var, __u32 *offset, __u32 *size)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct btf *btf = bpf_object__btf(obj);
	int id;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *t = btf__type_by_id(btf, vs->type);

		if (t && btf_is_var(t) && strcmp(btf__name_by_offset(btf, t->name_off), var) == 0) {
			*offset = vs->offset;
			*size = vs->size;
			return 0;
		}
	}
	return -ENOENT;
}

jint JNICALL tb_objectRodataSize0(JNIEnv *env, jclass clazz, jlong h, jstring var)
{
	const char *cvar = tb_utf(env, var);
	__u32 off, size;
	int err;

	if (!cvar)
		return -EINVAL;
	err = rodata_var(object(h), cvar, &off, &size);
	tb_release_utf(env, var, cvar);
	return err ? err : (jint)size;
}

jint JNICALL tb_objectSetRodata0(JNIEnv *env, jclass clazz, jlong h, jstring var, jbyteArray value)
{
	struct bpf_object *obj = object(h);
	struct bpf_map *map;
	const void *init;
	const char *cvar;
	size_t map_size;
	__u32 off, size;
	void *copy;
	int err;

	if (!var || !value)
		return -EINVAL;
	cvar = tb_utf(env, var);
	if (!cvar)
		return -ENOMEM;
	err = rodata_var(obj, cvar, &off, &size);
	tb_release_utf(env, var, cvar);
	if (err)
		return err;
	if ((*env)->GetArrayLength(env, value) != (jsize)size)
		return -EINVAL;
	map = rodata_map(obj);
	if (!map)
		return -ENOENT;
	init = bpf_map__initial_value(map, &map_size);
	if (!init || (size_t)off + size > map_size)
		return -EINVAL;
	/* bpf_map__initial_value is const in 1.1: patch a copy and hand it back. Fails after load (-EBUSY). */
	copy = malloc(map_size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, init, map_size);
	(*env)->GetByteArrayRegion(env, value, 0, (jsize)size, (jbyte *)copy + off);
	err = tb_libbpf_err(bpf_map__set_initial_value(map, copy, map_size));
	free(copy);
	return err;
}

static struct bpf_map *find_map(JNIEnv *env, jlong h, jstring name)
{
	const char *cname = tb_utf(env, name);
	struct bpf_map *map;

	if (!cname)
		return NULL;
	map = bpf_object__find_map_by_name(object(h), cname);
	tb_release_utf(env, name, cname);
	return map;
}

/* Sets names[i] to a Java string of s (NULL for none); returns 0, or -ENOMEM. */
static int set_name(JNIEnv *env, jobjectArray names, int i, const char *s)
{
	jstring js = NULL;

	if (s) {
		js = (*env)->NewStringUTF(env, s);
		if (!js)
			return -ENOMEM;
	}
	(*env)->SetObjectArrayElement(env, names, i, js);
	if (js)
		(*env)->DeleteLocalRef(env, js);
	return 0;
}

/*
 * The shape of a map's key from the object's BTF (typedefs and modifiers resolved): out = {key kind, first
 * member's kind, its bit offset, its size, its bitfield size}, names = {key type name, first member name}.
 * A key that is no struct or union has no first member (kind 0, name NULL). -ENODATA when the map's key has no
 * BTF type (internal maps, ring buffers), -ENOENT when there is no such map.
 */
jint JNICALL tb_objectMapKey0(JNIEnv *env, jclass clazz, jlong h, jstring name, jobjectArray names, jintArray out)
{
	struct bpf_map *map;
	struct btf *btf = bpf_object__btf(object(h));
	const struct btf_type *key, *member_type;
	const struct btf_member *m;
	const char *member = NULL;
	jint vals[5] = {0};
	int key_id, member_id, err;

	if (!name || !names || !out || (*env)->GetArrayLength(env, names) < 2 || (*env)->GetArrayLength(env, out) < 5)
		return -EINVAL;
	map = find_map(env, h, name);
	if (!map)
		return -ENOENT;
	if (!btf || bpf_map__btf_key_type_id(map) == 0)
		return -ENODATA;
	key_id = btf__resolve_type(btf, bpf_map__btf_key_type_id(map));
	key = key_id < 0 ? NULL : btf__type_by_id(btf, key_id);
	if (!key)
		return -ENODATA;
	vals[0] = btf_kind(key);
	if (btf_is_composite(key) && btf_vlen(key) > 0) {
		m = btf_members(key);
		member = btf__name_by_offset(btf, m->name_off);
		member_id = btf__resolve_type(btf, m->type);
		member_type = member_id < 0 ? NULL : btf__type_by_id(btf, member_id);
		vals[1] = member_type ? btf_kind(member_type) : 0;
		vals[2] = (jint)btf_member_bit_offset(key, 0);
		vals[3] = member_id < 0 ? 0 : (jint)btf__resolve_size(btf, member_id);
		vals[4] = (jint)btf_member_bitfield_size(key, 0);
	}
	if ((err = set_name(env, names, 0, btf__name_by_offset(btf, key->name_off))) ||
	    (err = set_name(env, names, 1, member)))
		return err;
	(*env)->SetIntArrayRegion(env, out, 0, 5, vals);
	return 0;
}

jint JNICALL tb_objectSetMaxEntries0(JNIEnv *env, jclass clazz, jlong h, jstring name, jint max_entries)
{
	struct bpf_map *map = find_map(env, h, name);

	if (!map)
		return -ENOENT;
	return tb_libbpf_err(bpf_map__set_max_entries(map, (__u32)max_entries));
}

jint JNICALL tb_objectReuseMapFd0(JNIEnv *env, jclass clazz, jlong h, jstring name, jint fd)
{
	struct bpf_map *map = find_map(env, h, name);

	if (!map)
		return -ENOENT;
	return tb_libbpf_err(bpf_map__reuse_fd(map, fd));
}

/* Sets, before load, the attach type uprobe_multi links need on every uprobe program of the object. */
jint JNICALL tb_objectUseUprobeMulti0(JNIEnv *env, jclass clazz, jlong h)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, object(h)) {
		if (bpf_program__type(p) == BPF_PROG_TYPE_KPROBE && strncmp(bpf_program__section_name(p), "uprobe", 6) == 0) {
			int err = bpf_program__set_expected_attach_type(p, (enum bpf_attach_type)TB_TRACE_UPROBE_MULTI);
			if (err)
				return tb_libbpf_err(err);
			n++;
		}
	}
	return n;
}

jint JNICALL tb_objectLoad0(JNIEnv *env, jclass clazz, jlong h)
{
	return tb_libbpf_err(bpf_object__load(object(h)));
}

jlong JNICALL tb_objectProgram0(JNIEnv *env, jclass clazz, jlong h, jstring name)
{
	const char *cname = tb_utf(env, name);
	struct bpf_program *prog;

	if (!cname)
		return -EINVAL;
	prog = bpf_object__find_program_by_name(object(h), cname);
	tb_release_utf(env, name, cname);
	return prog ? TB_HANDLE(prog) : -ENOENT;
}

jlong JNICALL tb_objectMap0(JNIEnv *env, jclass clazz, jlong h, jstring name)
{
	struct bpf_map *map = name ? find_map(env, h, name) : NULL;

	return map ? TB_HANDLE(map) : -ENOENT;
}

jobjectArray JNICALL tb_objectProgramNames0(JNIEnv *env, jclass clazz, jlong h)
{
	const char *names[256];
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, object(h)) {
		if (n < (int)(sizeof(names) / sizeof(names[0])))
			names[n++] = bpf_program__name(prog);
	}
	return tb_string_array(env, names, n);
}

jobjectArray JNICALL tb_objectMapNames0(JNIEnv *env, jclass clazz, jlong h)
{
	const char *names[256];
	struct bpf_map *map;
	int n = 0;

	bpf_object__for_each_map(map, object(h)) {
		if (n < (int)(sizeof(names) / sizeof(names[0])))
			names[n++] = bpf_map__name(map);
	}
	return tb_string_array(env, names, n);
}

jint JNICALL tb_programFd0(JNIEnv *env, jclass clazz, jlong prog)
{
	int fd = bpf_program__fd(TB_PTR(prog));

	return fd >= 0 ? fd : -EBADF;
}

jint JNICALL tb_mapFd0(JNIEnv *env, jclass clazz, jlong map)
{
	int fd = bpf_map__fd(TB_PTR(map));

	return fd >= 0 ? fd : -EBADF;
}

void JNICALL tb_objectClose0(JNIEnv *env, jclass clazz, jlong h)
{
	struct tb_object *o = TB_PTR(h);

	if (!o)
		return;
	bpf_object__close(o->obj);
	free(o->elf);
	free(o);
}
