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
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "cleanup.h"
#include "proxy_int.h"
#include "seccomp_filter.h"
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

/* One "Name:\tHEX" mask line of a /proc/PID/status text, or 0. */
static uint64_t task_status_mask(const char *st, const char *name)
{
	const char *p = strstr(st, name);

	return p ? g_ascii_strtoull(p + strlen(name), NULL, 16) : 0;
}

/**
 * task_sigstate() - thread @tid's signals, from its /proc/TID/status
 * @tid: the thread
 * @ret: filled in on success
 *
 * Read whole, up to TASK_SIGSTATE_MAX, growing as it reads (a long Groups:
 * line comes before the signal masks).
 *
 * Return: 0, or -errno (the thread is gone, the file is too long).
 */
int task_sigstate(pid_t tid, struct task_sigstate *ret)
{
	g_autofree char *st = NULL;
	char path[64];
	const char *p;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	r = util_read_file_bounded(path, TASK_SIGSTATE_MAX, &st, &len, NULL);
	if (r < 0)
		return r;
	ret->own = task_status_mask(st, "\nSigPnd:");
	ret->shared = task_status_mask(st, "\nShdPnd:");
	ret->blocked = task_status_mask(st, "\nSigBlk:");
	ret->ignored = task_status_mask(st, "\nSigIgn:");
	ret->caught = task_status_mask(st, "\nSigCgt:");
	p = strstr(st, "\nTgid:");
	ret->first = p && g_ascii_strtoull(p + 6, NULL, 10) == (guint64)tid;
	p = strstr(st, "\nThreads:");
	ret->threads = p ? (unsigned int)g_ascii_strtoull(p + 9, NULL, 10) : 0;
	return 0;
}

/* Whether two fds or paths name the same namespace. */
static bool task_same_ns(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The effective uid on a /proc/PID/status text's "Uid:" line, or -1. */
static uid_t task_status_euid(const char *st)
{
	const char *p = strstr(st, "\nUid:");
	char *end = NULL;

	if (!p)
		return (uid_t)-1;
	(void)g_ascii_strtoull(p + 5, &end, 10); /* the real uid */
	return end && end != p + 5 ? (uid_t)g_ascii_strtoull(end, NULL, 10) :
				     (uid_t)-1;
}

/**
 * task_capable() - whether thread @tid holds capability @cap over user
 * namespace @ns, as the kernel's ns_capable() would answer it
 * @tid: the thread
 * @ns: an fd of the user namespace
 * @cap: CAP_*
 *
 * The kernel's rule (cap_capable()): walking from @ns up its ancestors,
 * the thread holds @cap if it meets the thread's own user namespace and
 * @cap is in the thread's effective set, or meets one whose parent is the
 * thread's own and whose owner is the thread's effective uid (the owner
 * holds every capability in it). Uids are compared as this process sees
 * them: /proc/TID/status and NS_GET_OWNER_UID both map into its user
 * namespace, where NS_GET_PARENT also ends the walk (EPERM). What was read
 * is the caller's only once its notification is proven still pending.
 *
 * Return: 1, 0, or -errno (the thread is gone).
 */
int task_capable(pid_t tid, int ns, int cap)
{
	_cleanup_close_ int cur = -1;
	g_autofree char *st = NULL;
	struct stat own, at;
	char path[64];
	uint64_t eff;
	size_t len;
	unsigned int depth;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)tid);
	if (stat(path, &own) < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	r = util_read_file_bounded(path, TASK_SIGSTATE_MAX, &st, &len, NULL);
	if (r < 0)
		return r;
	eff = task_status_mask(st, "\nCapEff:");
	cur = fcntl(ns, F_DUPFD_CLOEXEC, 3);
	/* user namespaces nest at most 32 deep */
	for (depth = 0; cur >= 0 && depth <= 33; depth++) {
		int parent;
		struct stat up;
		uid_t owner;

		if (fstat(cur, &at) < 0)
			return -errno;
		if (task_same_ns(&at, &own))
			return cap < 64 && ((eff >> cap) & 1);
		parent = ioctl(cur, NS_GET_PARENT);
		if (parent < 0)
			return 0; /* not below the thread's namespace */
		if (fstat(parent, &up) == 0 && task_same_ns(&up, &own) &&
		    ioctl(cur, NS_GET_OWNER_UID, &owner) == 0 &&
		    owner == task_status_euid(st)) {
			close(parent);
			return 1;
		}
		close(cur);
		cur = parent;
	}
	return cur < 0 ? -errno : 0;
}

/**
 * task_signal_pending() - whether a caught, unblocked signal is pending
 * for thread @pid (its own or its process's)
 * @pid: the thread
 *
 * Return: true when one is.
 */
bool task_signal_pending(pid_t pid)
{
	struct task_sigstate s;

	if (task_sigstate(pid, &s) < 0)
		return false;
	return ((s.own | s.shared) & ~s.blocked & s.caught) != 0;
}

/**
 * task_pick_fd() - a free fd number of a range the target can hold: the
 * range, or the low one (LXNET_NLEP_FD_LOW_*) when the target's soft
 * RLIMIT_NOFILE leaves no number of it (seccomp_filter.h)
 * @pid: the calling thread
 * @procdir: its /proc/PID directory, or -1 (/proc/@pid is opened by path)
 * @base, @count: the range
 * @highest: the highest free number (else the lowest)
 *
 * Reads /proc/PID/fd: SETFD replaces an fd that exists, so a number in use
 * is never chosen. A thread of the target opening that very number between
 * this check and ADDFD is a race this cannot close.
 *
 * Return: the number, -EMFILE when the range is full or above the target's
 * soft RLIMIT_NOFILE (a full range does not spill into the low one, whose
 * numbers cost ordinary fds a trapped call), or -errno of the look-up (a
 * gone task's directory answers ENOENT for every name, taken for free: the
 * caller is checked alive first).
 */
int task_pick_fd(pid_t pid, int procdir, int base, int count, bool highest)
{
	const int ranges[][2] = {
		{ base, count },
		{ LXNET_NLEP_FD_LOW_BASE, LXNET_NLEP_FD_LOW_COUNT },
	};
	struct rlimit rl;
	char path[64];
	rlim_t lim = RLIM_INFINITY;
	size_t i;
	int k;

	if (prlimit(pid, RLIMIT_NOFILE, NULL, &rl) == 0)
		lim = rl.rlim_cur;
	for (i = 0; i < ELEMENTSOF(ranges); i++) {
		int lo = ranges[i][0], hi = lo + ranges[i][1];

		if (lim < (rlim_t)hi)
			hi = (int)lim;
		for (k = 0; k < hi - lo; k++) {
			int fd = highest ? hi - 1 - k : lo + k;

			if (procdir >= 0)
				snprintf(path, sizeof(path), "fd/%d", fd);
			else
				snprintf(path, sizeof(path), "/proc/%d/fd/%d",
					 (int)pid, fd);
			if (faccessat(procdir >= 0 ? procdir : AT_FDCWD, path,
				      F_OK, AT_SYMLINK_NOFOLLOW) < 0)
				return errno == ENOENT ? fd : -errno;
		}
		/* the low range only when the limit leaves none above */
		if (hi > lo)
			break;
	}
	return -EMFILE;
}
