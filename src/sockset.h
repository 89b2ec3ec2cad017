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

/*
 * struct sockset_idmap - a user namespace's uid_map, as read from outside
 * it: how the sandbox sees a host uid (the kernel prints uids as the
 * reader's namespace sees them)
 * @n: lines used; 0 is the identity (no map known)
 * @e: inside, outside, count per line (at most 340, the kernel's limit)
 */
#define SOCKSET_IDMAP_MAX 340
#define SOCKSET_OVERFLOW_ID 65534u /* what an unmapped id reads as */
struct sockset_idmap {
	unsigned int n;
	struct {
		uint32_t inside, outside, count;
	} e[SOCKSET_IDMAP_MAX];
};

int sockset_idmap_parse(const char *text, struct sockset_idmap *ret_map);
int sockset_idmap_read(int dirfd, const char *path,
		       struct sockset_idmap *ret_map);
uint32_t sockset_idmap_uid(const struct sockset_idmap *map, uint32_t host);

int sockset_collect(const char *proc, dev_t ns_dev, ino_t ns_ino,
		    struct sockset **ret_set);
struct sockset *sockset_new(const uint64_t *inos, size_t n);
bool sockset_has(const struct sockset *set, uint64_t ino);
size_t sockset_size(const struct sockset *set);
pid_t sockset_pid(const struct sockset *set);
bool sockset_truncated(const struct sockset *set);
void sockset_free(struct sockset *set);

static inline void sockset_freep(struct sockset **p)
{
	sockset_free(*p);
}

#endif
