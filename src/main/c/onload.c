// SPDX-License-Identifier: Apache-2.0
/* Registers every native of io.tracebee.bpf.Native from one table. */
#include <stdlib.h>

#include "tb_jni.h"

#define NATIVE_CLASS "io/tracebee/bpf/Native"

JavaVM *tb_vm;

#define M(name, sig) { #name, sig, (void *)tb_##name }

static const JNINativeMethod methods[] = {
	M(setLogLevel0, "(I)V"),
	M(strerror0, "(I)Ljava/lang/String;"),
	M(libbpfVersion0, "()Ljava/lang/String;"),

	M(objectOpen0, "(Ljava/lang/String;[B)J"),
	M(objectRodataSize0, "(JLjava/lang/String;)I"),
	M(objectSetRodata0, "(JLjava/lang/String;[B)I"),
	M(objectSetMaxEntries0, "(JLjava/lang/String;I)I"),
	M(objectReuseMapFd0, "(JLjava/lang/String;I)I"),
	M(objectMapKey0, "(JLjava/lang/String;[Ljava/lang/String;[I)I"),
	M(objectLoad0, "(J)I"),
	M(objectProgram0, "(JLjava/lang/String;)J"),
	M(objectMap0, "(JLjava/lang/String;)J"),
	M(objectProgramNames0, "(J)[Ljava/lang/String;"),
	M(objectMapNames0, "(J)[Ljava/lang/String;"),
	M(programFd0, "(J)I"),
	M(mapFd0, "(J)I"),
	M(objectClose0, "(J)V"),

	M(attachUprobe0, "(JLjava/lang/String;JIJZ)J"),
	M(attachUprobeMulti0, "(ILjava/lang/String;[JIJ)I"),
	M(objectUseUprobeMulti0, "(J)I"),
	M(linkFd0, "(J)I"),
	M(linkDestroy0, "(J)I"),
	M(attachCgroup0, "(JLjava/lang/String;)J"),
	M(attach0, "(J)J"),
	M(progAttach0, "(III)I"),

	M(mapInfo0, "(I[I)I"),
	M(mapLookup0, "(I[B[B)I"),
	M(mapUpdate0, "(I[B[BJ)I"),
	M(mapDelete0, "(I[B)I"),
	M(mapNextKey0, "(I[B[B)I"),
	M(mapNextKeys0, "(II[B[B)I"),

	M(progTestRun0, "(I[B[BI[J)I"),
	M(progInfo0, "(I[J)I"),
	M(enableStats0, "()I"),

	M(ringbufOpen0, "(I)J"),
	M(ringbufConsumer0, "(J)Ljava/nio/ByteBuffer;"),
	M(ringbufProducer0, "(J)Ljava/nio/ByteBuffer;"),
	M(ringbufAwait0, "(JI)I"),
	M(ringbufWake0, "(J)I"),
	M(ringbufClose0, "(J)V"),

	M(probe0, "(I)I"),
	M(clocks0, "([J)V"),
	M(possibleCpus0, "()I"),
	M(closeFd0, "(I)I"),
	M(pidfdGetFd0, "(II)I"),
	M(socketCookie0, "(I)J"),

	M(layoutKeys0, "()[Ljava/lang/String;"),
	M(layoutValues0, "()[I"),
};

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
	JNIEnv *env;
	jclass clazz;

	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
		return JNI_ERR;
	tb_vm = vm;
	clazz = (*env)->FindClass(env, NATIVE_CLASS);
	if (!clazz)
		return JNI_ERR;
	if ((*env)->RegisterNatives(env, clazz, methods, sizeof(methods) / sizeof(methods[0])) != 0)
		return JNI_ERR;
	if (tb_log_init(env, clazz) != 0)
		return JNI_ERR;
	(*env)->DeleteLocalRef(env, clazz);
	return JNI_VERSION_1_8;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved)
{
	JNIEnv *env;

	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) == JNI_OK)
		tb_log_destroy(env);
}

const char *tb_utf(JNIEnv *env, jstring s)
{
	return s ? (*env)->GetStringUTFChars(env, s, NULL) : NULL;
}

void tb_release_utf(JNIEnv *env, jstring s, const char *utf)
{
	if (s && utf)
		(*env)->ReleaseStringUTFChars(env, s, utf);
}

jobjectArray tb_string_array(JNIEnv *env, const char *const *strings, int n)
{
	jclass string_class = (*env)->FindClass(env, "java/lang/String");
	jobjectArray arr;

	if (!string_class)
		return NULL;
	arr = (*env)->NewObjectArray(env, n, string_class, NULL);
	(*env)->DeleteLocalRef(env, string_class);
	if (!arr)
		return NULL;
	for (int i = 0; i < n; i++) {
		jstring s = (*env)->NewStringUTF(env, strings[i]);

		if (!s)
			return NULL;
		(*env)->SetObjectArrayElement(env, arr, i, s);
		(*env)->DeleteLocalRef(env, s);
	}
	return arr;
}
