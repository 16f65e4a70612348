// SPDX-License-Identifier: Apache-2.0
/*
 * Debian's libbpf.a is not compiled with -fPIC: its default print function reads glibc's `stderr`
 * through a PC-relative relocation, which cannot be linked into a shared object. The Makefile
 * renames that reference in a private copy of the archive to this hidden variable.
 */
#include <stdio.h>

FILE *tb_libbpf_stderr;

__attribute__((constructor)) static void tb_libbpf_stderr_init(void)
{
	tb_libbpf_stderr = stderr;
}
