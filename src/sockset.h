/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sockset.h - the sandbox's own sockets: the inodes of the sockets the
 * processes of one network namespace hold (/proc/PID/fd), computed when
 * asked, for /proc/net/{tcp,udp,raw}* (lxnetfs) and NETLINK_SOCK_DIAG
 * (lxnet-proxy).
 */
#ifndef LXNET_SOCKSET_H
#define LXNET_SOCKSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bounds on one collection (see sockset.c). */
#define SOCKSET_MAX_INODES 65536   /* sockets in a set */
#define SOCKSET_MAX_FDS (1u << 20) /* fd links read in one collection */

struct sockset;

int sockset_collect(const char *proc, dev_t ns_dev, ino_t ns_ino,
		    struct sockset **ret_set);
struct sockset *sockset_new(const uint64_t *inos, size_t n);
bool sockset_has(const struct sockset *set, uint64_t ino);
size_t sockset_size(const struct sockset *set);
bool sockset_truncated(const struct sockset *set);
void sockset_free(struct sockset *set);

static inline void sockset_freep(struct sockset **p)
{
	sockset_free(*p);
}

#endif
