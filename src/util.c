// SPDX-License-Identifier: LGPL-2.1-or-later
/* util.c - bounded file reads and fd flag helpers */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "util.h"

/*
 * Read at most @max bytes of @path into @ret_buf (NUL-terminated), as
 * util_read_file_bounded(); @streams: a FIFO or character device is read
 * too, blocking, to its end or @max.
 */
static int util_read_bounded(const char *path, size_t max, bool streams,
			     char **ret_buf, size_t *ret_len,
			     bool *ret_truncated)
{
	_cleanup_close_ int fd = -1;
	g_autofree char *buf = NULL;
	size_t len = 0, cap = 4096;
	struct stat st;
	bool trunc = false;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (streams && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
		/* opened without waiting for a writer; now read as cat does */
		if (fcntl(fd, F_SETFL, O_RDONLY) < 0)
			return -errno;
	} else if (!S_ISREG(st.st_mode)) {
		return -EINVAL; /* a FIFO or device would block or never end */
	}
	buf = g_malloc(cap + 1);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap >= max)
				break;
			cap = MIN(cap * 2, max);
			buf = g_realloc(buf, cap + 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == max) {
		char c;
		ssize_t n = read(fd, &c, 1);

		trunc = n > 0;
	}
	buf[len] = '\0';
	*ret_buf = g_steal_pointer(&buf);
	*ret_len = len;
	if (ret_truncated)
		*ret_truncated = trunc;
	return 0;
}

/**
 * util_read_file_bounded() - read at most @max bytes of a regular file
 * @path: file to read (symlinks followed)
 * @max: most bytes kept; the rest is not read
 * @ret_buf: NUL-terminated contents (g_free)
 * @ret_len: bytes in @ret_buf, without the NUL
 * @ret_truncated: set when the file had more than @max bytes
 *
 * Return: 0 or -errno (-ENOENT for a missing file, -EISDIR for a
 * directory, -EINVAL for a FIFO, device or socket).
 */
int util_read_file_bounded(const char *path, size_t max, char **ret_buf,
			   size_t *ret_len, bool *ret_truncated)
{
	return util_read_bounded(path, max, false, ret_buf, ret_len,
				 ret_truncated);
}

/**
 * util_read_named_bounded() - util_read_file_bounded() for a file the user
 * named on the command line: a pipe (bash's <(...), /dev/stdin) or a
 * character device (/dev/null) is read too, to its end or @max bytes,
 * waiting for its writer as cat(1) does
 * @path, @max, @ret_buf, @ret_len, @ret_truncated: as there
 *
 * Return: 0 or -errno.
 */
int util_read_named_bounded(const char *path, size_t max, char **ret_buf,
			    size_t *ret_len, bool *ret_truncated)
{
	return util_read_bounded(path, max, true, ret_buf, ret_len,
				 ret_truncated);
}

/**
 * util_set_cloexec_nonblock() - set FD_CLOEXEC and optionally O_NONBLOCK
 * @fd: the fd
 * @nonblock: also set O_NONBLOCK
 *
 * Return: 0 or -errno.
 */
int util_set_cloexec_nonblock(int fd, bool nonblock)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -errno;
	if (!nonblock)
		return 0;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

char *util_canon_addr(const char *s)
{
	unsigned char b[16];
	char buf[INET6_ADDRSTRLEN];
	int af = strchr(s, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(af, s, b) != 1 || !inet_ntop(af, b, buf, sizeof(buf)))
		return NULL;
	return g_strdup(buf);
}

/**
 * util_recv_by() - the next datagram of a non-blocking socket, waiting for
 * it until a deadline
 * @fd: the socket (O_NONBLOCK or not: MSG_DONTWAIT is used)
 * @buf: where it goes
 * @len: room at @buf
 * @deadline: g_get_monotonic_time() by which it must have come
 *
 * Return: the datagram's length, which may exceed @len (MSG_TRUNC: it was
 * truncated), -ETIMEDOUT, or -errno.
 */
ssize_t util_recv_by(int fd, void *buf, size_t len, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		gint64 left = deadline - g_get_monotonic_time();
		ssize_t n = recv(fd, buf, len, MSG_DONTWAIT | MSG_TRUNC);

		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)MAX(left / 1000, 1)) < 0 && errno != EINTR)
			return -errno;
	}
}
