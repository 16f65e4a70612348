// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The maps every probe object shares: the event ring buffer and the kernel-side drop
 * counters. The agent loads this object once and makes every probe object reuse its maps,
 * so one ring-buffer reader serves all targets and libraries.
 */
#include "tb_common.h"
#include "tb_kafka.h"  /* producer -> consumer links, shared by the kafka-go probes of all targets */

char LICENSE[] SEC("license") = "Dual BSD/GPL";
