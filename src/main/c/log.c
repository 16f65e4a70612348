// SPDX-License-Identifier: Apache-2.0
/*
 * libbpf's print callback, forwarded to the static Java method Native.libbpfLog(int, String).
 * libbpf prints synchronously on the thread that called it, which is always inside one of our
 * natives, so that thread is attached and GetEnv succeeds; the Java side captures the lines of
 * the current operation (the verifier log of a failed load ends up in the BpfException).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "tb_jni.h"

static jclass native_class;
static jmethodID log_method;
static volatile int max_level = LIBBPF_INFO;

/* NewStringUTF wants modified UTF-8; libbpf output is ASCII, but names from BTF are arbitrary bytes. */
static void ascii_only(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			*s = '?';
}

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char small[1024], *msg = small;
	JNIEnv *env = NULL;
	va_list ap2;
	jstring s;
	int n;

	if ((int)level > max_level)
		return 0;
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return 0;
	}
	if ((size_t)n >= sizeof(small)) {
		msg = malloc((size_t)n + 1);
		if (!msg) {
			va_end(ap2);
			return 0;
		}
		vsnprintf(msg, (size_t)n + 1, fmt, ap2);
	}
	va_end(ap2);

	if (!native_class || !tb_vm || (*tb_vm)->GetEnv(tb_vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK ||
	    (*env)->ExceptionCheck(env)) {
		fputs(msg, stderr);
		goto out;
	}
	ascii_only(msg);
	s = (*env)->NewStringUTF(env, msg);
	if (!s) {
		(*env)->ExceptionClear(env);
		goto out;
	}
	(*env)->CallStaticVoidMethod(env, native_class, log_method, (jint)level, s);
	if ((*env)->ExceptionCheck(env))
		(*env)->ExceptionClear(env);
	(*env)->DeleteLocalRef(env, s);
out:
	if (msg != small)
		free(msg);
	return n;
}

int tb_log_init(JNIEnv *env, jclass clazz)
{
	log_method = (*env)->GetStaticMethodID(env, clazz, "libbpfLog", "(ILjava/lang/String;)V");
	if (!log_method)
		return -1;
	native_class = (*env)->NewGlobalRef(env, clazz);
	if (!native_class)
		return -1;
	libbpf_set_print(print_fn);
	return 0;
}

void tb_log_destroy(JNIEnv *env)
{
	libbpf_set_print(NULL);
	if (native_class)
		(*env)->DeleteGlobalRef(env, native_class);
	native_class = NULL;
}

void JNICALL tb_setLogLevel0(JNIEnv *env, jclass clazz, jint level)
{
	max_level = level;
}

jstring JNICALL tb_strerror0(JNIEnv *env, jclass clazz, jint err)
{
	char buf[256];

	if (libbpf_strerror(err, buf, sizeof(buf)) != 0)
		snprintf(buf, sizeof(buf), "error %d", err);
	return (*env)->NewStringUTF(env, buf);
}

jstring JNICALL tb_libbpfVersion0(JNIEnv *env, jclass clazz)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	return (*env)->NewStringUTF(env, buf);
}
