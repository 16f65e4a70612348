/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Natives of io.tracebee.bpf.Native. Each .c file implements one concern; onload.c
 * registers all of them from a single JNINativeMethod table. Pointers cross into Java
 * as jlong handles; a negative handle is -errno.
 */
#ifndef TB_JNI_H
#define TB_JNI_H

#include <jni.h>
#include <stdint.h>
#include "tb_uprobe_multi.h" /* uprobe_multi links, TB_TRACE_UPROBE_MULTI */

#define TB_PTR(h) ((void *)(uintptr_t)(h))
#define TB_HANDLE(p) ((jlong)(uintptr_t)(p))

/* onload.c: the VM, for callbacks from libbpf. */
extern JavaVM *tb_vm;

/* log.c */
int tb_log_init(JNIEnv *env, jclass native_class);
void tb_log_destroy(JNIEnv *env);
void JNICALL tb_setLogLevel0(JNIEnv *env, jclass clazz, jint level);
jstring JNICALL tb_strerror0(JNIEnv *env, jclass clazz, jint err);
jstring JNICALL tb_libbpfVersion0(JNIEnv *env, jclass clazz);

/* object.c */
jlong JNICALL tb_objectOpen0(JNIEnv *env, jclass clazz, jstring name, jbyteArray elf);
jint JNICALL tb_objectRodataSize0(JNIEnv *env, jclass clazz, jlong obj, jstring var);
jint JNICALL tb_objectSetRodata0(JNIEnv *env, jclass clazz, jlong obj, jstring var, jbyteArray value);
jint JNICALL tb_objectSetMaxEntries0(JNIEnv *env, jclass clazz, jlong obj, jstring map, jint max_entries);
jint JNICALL tb_objectReuseMapFd0(JNIEnv *env, jclass clazz, jlong obj, jstring map, jint fd);
jint JNICALL tb_objectMapKey0(JNIEnv *env, jclass clazz, jlong obj, jstring map, jobjectArray names, jintArray out);
jint JNICALL tb_objectLoad0(JNIEnv *env, jclass clazz, jlong obj);
jlong JNICALL tb_objectProgram0(JNIEnv *env, jclass clazz, jlong obj, jstring name);
jlong JNICALL tb_objectMap0(JNIEnv *env, jclass clazz, jlong obj, jstring name);
jobjectArray JNICALL tb_objectProgramNames0(JNIEnv *env, jclass clazz, jlong obj);
jobjectArray JNICALL tb_objectMapNames0(JNIEnv *env, jclass clazz, jlong obj);
jint JNICALL tb_programFd0(JNIEnv *env, jclass clazz, jlong prog);
jint JNICALL tb_mapFd0(JNIEnv *env, jclass clazz, jlong map);
void JNICALL tb_objectClose0(JNIEnv *env, jclass clazz, jlong obj);

/* link.c */
jlong JNICALL tb_attachUprobe0(JNIEnv *env, jclass clazz, jlong prog, jstring path, jlong offset,
			       jint pid, jlong cookie, jboolean retprobe);
jint JNICALL tb_attachUprobeMulti0(JNIEnv *env, jclass clazz, jint prog_fd, jstring path, jlongArray offsets,
				   jint pid, jlong cookie);
jint JNICALL tb_objectUseUprobeMulti0(JNIEnv *env, jclass clazz, jlong obj);
int tb_uprobe_multi_probe(void);

jint JNICALL tb_linkFd0(JNIEnv *env, jclass clazz, jlong link);
jint JNICALL tb_linkDestroy0(JNIEnv *env, jclass clazz, jlong link);
jlong JNICALL tb_attachCgroup0(JNIEnv *env, jclass clazz, jlong prog, jstring path);
jlong JNICALL tb_attach0(JNIEnv *env, jclass clazz, jlong prog);
jint JNICALL tb_progAttach0(JNIEnv *env, jclass clazz, jint progFd, jint targetFd, jint type);

/* map.c */
jint JNICALL tb_mapInfo0(JNIEnv *env, jclass clazz, jint fd, jintArray out);
jint JNICALL tb_mapLookup0(JNIEnv *env, jclass clazz, jint fd, jbyteArray key, jbyteArray value);
jint JNICALL tb_mapUpdate0(JNIEnv *env, jclass clazz, jint fd, jbyteArray key, jbyteArray value, jlong flags);
jint JNICALL tb_mapDelete0(JNIEnv *env, jclass clazz, jint fd, jbyteArray key);
jint JNICALL tb_mapNextKey0(JNIEnv *env, jclass clazz, jint fd, jbyteArray key, jbyteArray next);
jint JNICALL tb_mapNextKeys0(JNIEnv *env, jclass clazz, jint fd, jint key_size, jbyteArray key, jbyteArray out);

/* prog.c */
jint JNICALL tb_progTestRun0(JNIEnv *env, jclass clazz, jint fd, jbyteArray data_in, jbyteArray ctx_in,
			     jint repeat, jlongArray out);
jint JNICALL tb_progInfo0(JNIEnv *env, jclass clazz, jint fd, jlongArray out);
jint JNICALL tb_enableStats0(JNIEnv *env, jclass clazz);

/* ringbuf.c */
jlong JNICALL tb_ringbufOpen0(JNIEnv *env, jclass clazz, jint map_fd);
jobject JNICALL tb_ringbufConsumer0(JNIEnv *env, jclass clazz, jlong rb);
jobject JNICALL tb_ringbufProducer0(JNIEnv *env, jclass clazz, jlong rb);
jint JNICALL tb_ringbufAwait0(JNIEnv *env, jclass clazz, jlong rb, jint timeout_ms);
jint JNICALL tb_ringbufWake0(JNIEnv *env, jclass clazz, jlong rb);
void JNICALL tb_ringbufClose0(JNIEnv *env, jclass clazz, jlong rb);

/* sys.c */
jint JNICALL tb_probe0(JNIEnv *env, jclass clazz, jint what);
void JNICALL tb_clocks0(JNIEnv *env, jclass clazz, jlongArray out);
jint JNICALL tb_possibleCpus0(JNIEnv *env, jclass clazz);
jint JNICALL tb_closeFd0(JNIEnv *env, jclass clazz, jint fd);
jint JNICALL tb_pidfdGetFd0(JNIEnv *env, jclass clazz, jint pid, jint fd);
jlong JNICALL tb_socketCookie0(JNIEnv *env, jclass clazz, jint fd);

/* layout.c */
jobjectArray JNICALL tb_layoutKeys0(JNIEnv *env, jclass clazz);
jintArray JNICALL tb_layoutValues0(JNIEnv *env, jclass clazz);

/* Helpers shared by the files above (onload.c). */
/* A C string of a Java string, or NULL (pending OutOfMemoryError); free with tb_release_utf. */
const char *tb_utf(JNIEnv *env, jstring s);
void tb_release_utf(JNIEnv *env, jstring s, const char *utf);
/* A String[] of n C strings. */
jobjectArray tb_string_array(JNIEnv *env, const char *const *strings, int n);

#endif /* TB_JNI_H */
