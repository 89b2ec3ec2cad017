// SPDX-License-Identifier: LGPL-2.1-or-later
/* target.c - a trapped caller's memory, reached only through its own mm (/proc/PID/mem) */
/*
 * A seccomp notification names its caller by pid. A pid can be reused the
 * moment the caller dies, so reading or writing "pid N" after a check of
 * SECCOMP_IOCTL_NOTIF_ID_VALID can reach an unrelated process. An open
 * /proc/PID/mem holds the mm it was opened on: checking NOTIF_ID_VALID
 * after the open proves the fd belongs to the notifying process, and every
 * later pread/pwrite on it reaches that process's memory or nothing (a
 * dead mm reads and writes 0 bytes, reported -ENOENT).
 *
 * /proc/PID/mem writes with FOLL_FORCE (they reach read-only private
 * pages too, where the kernel's own copy_to_user() faults): target_write()
 * therefore checks that the range is mapped writable in /proc/PID/maps,
 * read once per target at its first write (one trapped call: a mapping
 * the caller changes during its own call is its own race).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy_int.h"
#include "util.h"

/* User addresses end well below 2^63 (pread takes a signed offset). */
#define TARGET_ADDR_LIMIT (UINT64_C(1) << 62)

/**
 * target_open() - open the notifying caller's memory, proven to be its own
 * @listener: the seccomp listener the notification came from
 * @id: the notification's id
 * @pid: the notification's pid
 * @ret_t: the target (target_close() it)
 *
 * Return: 0; -ENOENT when the caller is gone (the notification is dead:
 * do not answer), or -errno of the open.
 */
int target_open(int listener, uint64_t id, pid_t pid, struct target *ret_t)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -errno;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0) {
		close(fd);
		return -ENOENT;
	}
	ret_t->memfd = fd;
	ret_t->pid = pid;
	ret_t->maps = NULL;
	return 0;
}

/* target_close() - close @t's fd (a closed target, memfd -1, is fine). */
void target_close(struct target *t)
{
	if (t->memfd >= 0)
		close(t->memfd);
	t->memfd = -1;
	g_free(t->maps);
	t->maps = NULL;
}

static bool target_range_ok(uint64_t addr, size_t len)
{
	return addr < TARGET_ADDR_LIMIT && len < TARGET_ADDR_LIMIT &&
	       addr + len <= TARGET_ADDR_LIMIT;
}

/**
 * target_read() - copy @len bytes at @addr in the target into @buf
 * @t: the target
 * @addr: the target's address
 * @buf: destination
 * @len: bytes
 *
 * Return: 0, -EFAULT (not all mapped/readable) or -ENOENT (mm gone).
 */
int target_read(const struct target *t, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	if (len == 0)
		return 0;
	if (!target_range_ok(addr, len))
		return -EFAULT;
	while (done < len) {
		ssize_t n = pread(t->memfd, (char *)buf + done, len - done,
				  (off_t)(addr + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -EFAULT;
		if (n == 0)
			return done == 0 ? -ENOENT : -EFAULT;
		done += (size_t)n;
	}
	return 0;
}

/**
 * target_writable() - whether [@addr, @addr + @len) is mapped writable in
 * the target
 * @t: the target; its /proc/PID/maps is read at the first call (through
 *	the pid: a reused pid can only make a write that goes nowhere fail,
 *	since the memory fd still holds the caller's mm)
 * @addr: start
 * @len: bytes (> 0)
 *
 * Return: true when every byte lies in a mapping with 'w'.
 */
static bool target_writable(struct target *t, uint64_t addr, size_t len)
{
	char path[64];
	size_t mlen;
	uint64_t want = addr, end = addr + len;
	const char *p;

	if (!t->maps) {
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)t->pid);
		if (util_read_file_bounded(path, 16u << 20, &t->maps, &mlen,
					   NULL) < 0) {
			t->maps = NULL;
			return false;
		}
	}
	for (p = t->maps; p && *p && want < end;) {
		uint64_t lo, hi;
		char perm[5];

		if (sscanf(p, "%" SCNx64 "-%" SCNx64 " %4s", &lo, &hi, perm) == 3 &&
		    want >= lo && want < hi) {
			if (perm[1] != 'w')
				return false;
			want = hi;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return want >= end;
}

/**
 * target_write() - copy @len bytes of @buf to @addr in the target
 * @t: the target
 * @addr: the target's address
 * @buf: data
 * @len: bytes
 *
 * Return: 0, -EFAULT (not all mapped writable) or -ENOENT (mm gone).
 */
int target_write(struct target *t, uint64_t addr, const void *buf, size_t len)
{
	size_t done = 0;

	if (len == 0)
		return 0;
	if (!target_range_ok(addr, len) || !target_writable(t, addr, len))
		return -EFAULT;
	while (done < len) {
		ssize_t n = pwrite(t->memfd, (const char *)buf + done,
				   len - done, (off_t)(addr + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -EFAULT;
		if (n == 0)
			return done == 0 ? -ENOENT : -EFAULT;
		done += (size_t)n;
	}
	return 0;
}

/**
 * target_write_iov() - scatter @len bytes into the target's iovecs
 * @t: the target
 * @iov: its iovecs (target addresses)
 * @n_iov: how many
 * @buf: data
 * @len: bytes, at most the iovecs' total
 *
 * Return: 0, -EFAULT or -ENOENT. Bytes before a fault stay written, as
 * with the kernel's copy_to_iter().
 */
int target_write_iov(struct target *t, const struct iovec *iov, size_t n_iov,
		     const void *buf, size_t len)
{
	size_t i, off = 0;

	for (i = 0; i < n_iov && off < len; i++) {
		size_t k = MIN(len - off, iov[i].iov_len);
		int r = target_write(t, (uint64_t)(uintptr_t)iov[i].iov_base,
				     (const char *)buf + off, k);

		if (r < 0)
			return r;
		off += k;
	}
	return off == len ? 0 : -EFAULT;
}
