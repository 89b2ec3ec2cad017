/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cleanup.h - scope-bound clean-up of fds and memory, with libc only: what
 * the static lxnet-shim shares with the programs that link GLib (util.h
 * adds the rest)
 */
#ifndef LXNET_CLEANUP_H
#define LXNET_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

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

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

/* Hand an fd on and disarm its cleanup. */
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#endif
