/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* util.h - small helpers shared by every component: cleanup (cleanup.h), fds, addresses */
#ifndef LXNET_UTIL_H
#define LXNET_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <stddef.h>
#include <unistd.h>
#include <glib.h>

#include "cleanup.h"

int util_read_file_bounded(const char *path, size_t max, char **ret_buf,
			   size_t *ret_len, bool *ret_truncated);
int util_read_named_bounded(const char *path, size_t max, char **ret_buf,
			    size_t *ret_len, bool *ret_truncated);
int util_set_cloexec_nonblock(int fd, bool nonblock);
ssize_t util_recv_by(int fd, void *buf, size_t len, int64_t deadline);

/* FNV-1a (64-bit): fold @n bytes at @p into @h, which starts at
 * UTIL_FNV_INIT; for in-memory hash tables and keys, not for anything kept. */
#define UTIL_FNV_INIT 14695981039346656037ull
static inline uint64_t util_fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 1099511628211ull;
	return h;
}

/* Canonical text of an IPv4 or IPv6 address (g_free), or NULL when @s is
 * not one (inet_pton()'s strict forms). */
char *util_canon_addr(const char *s);

#endif
