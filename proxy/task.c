// SPDX-License-Identifier: LGPL-2.1-or-later
/* task.c - a trapped caller's task: its status fields and a pidfd to its fds */
/*
 * Taking a copy of a caller's fd (pidfd_getfd()) needs a pidfd through
 * which the caller's file table is reached. The caller is a thread, and
 * only Linux 6.9 gives a pidfd to any thread (PIDFD_THREAD); before it,
 * pidfd_open() refuses a thread that does not lead its thread group
 * (EINVAL). task_pidfd_open() then takes the leader's pidfd: threads share
 * their leader's file table unless one was made without CLONE_FILES or
 * called unshare(CLONE_FILES), so a caller of it compares the fd it took
 * with the thread's own (/proc/PID/fd/N) before using it.
 *
 * LXNET_PROXY_TEST_PIDFD_LEADER=1 in the environment takes the pre-6.9
 * path on any kernel, so that the test suite covers it (read once at
 * start-up into struct proxy_conf: task_leader_only()).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proxy_int.h"
#include "util.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* The test switch, read at start-up (proxy_conf_init()). */
bool task_leader_only(void)
{
	const char *e = getenv("LXNET_PROXY_TEST_PIDFD_LEADER");

	return e && strcmp(e, "1") == 0;
}

/**
 * task_status_pid() - a pid field of a task's /proc/PID/status
 * @procdir: the task's /proc/PID directory, or -1 to use @pid
 * @pid: the task, when @procdir is -1
 * @key: the field, without its colon ("Tgid", "NStgid")
 * @innermost: the field's last number (the innermost pid namespace's)
 *	instead of its first (the proxy's)
 * @ret: the pid
 *
 * Return: 0; -ENOENT when the task is gone, -ENODATA when the field is
 * missing or malformed, or -errno (EMFILE...).
 */
int task_status_pid(int procdir, pid_t pid, const char *key, bool innermost,
		    pid_t *ret)
{
	_cleanup_close_ int fd = -1;
	g_autofree char *st = g_malloc(TASK_STATUS_MAX);
	char path[48], needle[24];
	const char *p;
	size_t len = 0;
	long v = 0;

	if (procdir >= 0) {
		fd = openat(procdir, "status", O_RDONLY | O_CLOEXEC);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	st[len++] = '\n'; /* so that the first line matches "\nKey:" too */
	while (len < TASK_STATUS_MAX - 1) {
		ssize_t n = read(fd, st + len, TASK_STATUS_MAX - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ESRCH ? -ENOENT : -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	st[len] = '\0';
	snprintf(needle, sizeof(needle), "\n%s:", key);
	p = strstr(st, needle);
	if (!p)
		return -ENODATA;
	for (p += strlen(needle); *p && *p != '\n';) {
		char *end;
		long x = strtol(p, &end, 10);

		if (end == p)
			break;
		v = x;
		if (!innermost)
			break;
		p = end;
	}
	if (v <= 0 || v > INT32_MAX)
		return -ENODATA;
	*ret = (pid_t)v;
	return 0;
}

/**
 * task_pidfd_open() - a pidfd reaching thread @pid's file table
 * @pid: the thread (in the proxy's pid namespace)
 * @procdir: its /proc/PID directory, or -1
 * @leader_only: take the pre-6.9 path (conf->pidfd_leader_only)
 * @ret_leader: set when the pidfd is its thread-group leader's (the file
 *	table is then the thread's only if it shares its leader's: check)
 *
 * Return: the pidfd (O_CLOEXEC), -ESRCH when the task is gone, or -errno.
 */
int task_pidfd_open(pid_t pid, int procdir, bool leader_only, bool *ret_leader)
{
	pid_t tgid = 0;
	int fd, r;

	*ret_leader = false;
	if (!leader_only) {
		fd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
		if (fd >= 0 || errno != EINVAL)
			return fd >= 0 ? fd : -errno;
	}
	/* Before 6.9: a leader's own pidfd, or the leader's for a thread. */
	r = task_status_pid(procdir, pid, "Tgid", false, &tgid);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	fd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (fd < 0)
		return -errno;
	*ret_leader = tgid != pid;
	return fd;
}

/**
 * task_fd_same() - whether @copy is the file behind fd @fd of a task
 * @procdir: the task's /proc/PID directory, or -1 to use @pid
 * @pid: the task, when @procdir is -1
 * @fd: the fd number in the task
 * @copy: our copy, taken through its leader's pidfd
 *
 * Return: true when both name one file.
 */
bool task_fd_same(int procdir, pid_t pid, int fd, int copy)
{
	struct stat a, b;
	char name[48];
	int r;

	if (procdir >= 0) {
		snprintf(name, sizeof(name), "fd/%d", fd);
		r = fstatat(procdir, name, &a, 0);
	} else {
		snprintf(name, sizeof(name), "/proc/%d/fd/%d", (int)pid, fd);
		r = stat(name, &a);
	}
	return r == 0 && fstat(copy, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/**
 * task_getfd() - a copy of fd @fd of thread @pid
 * @pid: the thread (in the proxy's pid namespace)
 * @fd: the fd number in its file table
 * @leader_only: take the pre-6.9 path (conf->pidfd_leader_only)
 * @ret_copy: the copy (O_CLOEXEC; close it)
 *
 * Through pidfd_getfd() on the thread's pidfd (task_pidfd_open()); before
 * Linux 6.9, through its leader's, and then only if the leader's fd @fd is
 * the thread's file (threads with file tables of their own).
 *
 * The caller checks that the notification is still pending afterwards, so
 * the copy came from the caller (pid reuse).
 *
 * Return: 0, -EBADF (no such fd), -ESRCH (gone), -EOPNOTSUPP (the copy
 * cannot be told to be the thread's), or -errno (-EPERM: ptrace access).
 */
int task_getfd(pid_t pid, int fd, bool leader_only, int *ret_copy)
{
	_cleanup_close_ int pidfd = -1;
	bool leader;
	int copy;

	pidfd = task_pidfd_open(pid, -1, leader_only, &leader);
	if (pidfd < 0)
		return pidfd;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (copy < 0)
		return -errno;
	if (leader && !task_fd_same(-1, pid, fd, copy)) {
		close(copy);
		return -EOPNOTSUPP;
	}
	*ret_copy = copy;
	return 0;
}

/**
 * task_signal_pending() - whether a caught, unblocked signal is pending
 * for thread @pid
 * @pid: the thread
 *
 * Reads SigPnd, ShdPnd, SigBlk and SigCgt of /proc/PID/status.
 * Return: true when one is.
 */
bool task_signal_pending(pid_t pid)
{
	g_autofree char *st = NULL;
	char path[64];
	uint64_t pnd = 0, shd = 0, blk = 0, cgt = 0;
	const char *p;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (util_read_file_bounded(path, 16384, &st, &len, NULL) < 0)
		return false;
	if ((p = strstr(st, "\nSigPnd:")))
		sscanf(p + 8, "%" SCNx64, &pnd);
	if ((p = strstr(st, "\nShdPnd:")))
		sscanf(p + 8, "%" SCNx64, &shd);
	if ((p = strstr(st, "\nSigBlk:")))
		sscanf(p + 8, "%" SCNx64, &blk);
	if ((p = strstr(st, "\nSigCgt:")))
		sscanf(p + 8, "%" SCNx64, &cgt);
	return ((pnd | shd) & ~blk & cgt) != 0;
}
