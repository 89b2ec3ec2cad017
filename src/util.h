/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* util.h - small helpers shared by every component: cleanup, fds, errno */
#ifndef LXNET_UTIL_H
#define LXNET_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <stddef.h>
#include <unistd.h>
#include <glib.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define _cleanup_close_ _cleanup_(closep)


/* Hand an fd on and disarm its cleanup. */
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

int util_read_file_bounded(const char *path, size_t max, char **ret_buf,
			   size_t *ret_len, bool *ret_truncated);
int util_set_cloexec_nonblock(int fd, bool nonblock);
ssize_t util_recv_by(int fd, void *buf, size_t len, int64_t deadline);

/* Canonical text of an IPv4 or IPv6 address (g_free), or NULL when @s is
 * not one (inet_pton()'s strict forms). */
char *util_canon_addr(const char *s);

#endif
