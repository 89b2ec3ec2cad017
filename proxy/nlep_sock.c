// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlep_sock.c - emulated NETLINK_ROUTE endpoints: callers, bind/getsockname/options, a trapped call */
/* See nlep.c, "Theory of operation". */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "netstate.h"
#include "nlep.h"
#include "nlep_int.h"
#include "nlmsg.h"
#include "nlmsg_int.h"
#include "proxy_int.h"
#include "util.h"

/*
 * Callers cached per sandbox: struct nlep_task holds a pidfd (the thread's,
 * or before Linux 6.9 its leader's: task.c) and an O_PATH
 * /proc/PID directory of a thread that made a trapped call, and its inner
 * tgid, so that the next call from it costs no pidfd_open(), no path walk
 * of /proc/PID and no read of /proc/PID/status. Both fds name a struct pid,
 * not a number: once that task is gone, pidfd_getfd() fails ESRCH and
 * openat() in the directory fails ENOENT, even when the number is reused.
 * So an entry found by number either reaches the very task that notified
 * (both alive under one number at the same time are the same task, and
 * NOTIF_ID_VALID checked after the use proves the caller alive), or fails
 * and is replaced by fresh ones opened by number (then proven the same
 * way). The inner tgid of a live task never changes (exec keeps the tgid).
 */

/* Close an entry's fds and empty it (task_lock held). */
void nlep_task_drop(struct nlep_task *e)
{
	if (e->pid == 0)
		return;
	close(e->pidfd);
	close(e->procdir);
	e->pidfd = e->procdir = -1;
	e->pid = 0;
}

/**
 * nlep_task_get() - the cache entry of thread @pid, opened now if absent
 * @sb: the sandbox (task_lock held)
 * @pid: the calling thread
 * @fresh: drop a cached entry first (it was found stale)
 * @ret_e: the entry (valid while task_lock is held)
 *
 * A notification carries pid 0 when its caller is not visible in the
 * proxy's pid namespace: there is no task to reach, and an empty entry
 * (pid 0) must never be taken for it.
 *
 * Return: 1 when it came from the cache, 0 when opened now, -ENOENT when
 * the task is gone or not visible, or -errno.
 */
int nlep_task_get(struct nlep_sandbox *sb, pid_t pid, bool fresh,
		  struct nlep_task **ret_e)
{
	struct nlep_task *e, *victim = &sb->tasks[0];
	char path[32];
	int pidfd, dir;
	bool leader;
	size_t i;

	if (pid <= 0)
		return -ENOENT;

	for (i = 0; i < NLEP_TASKS; i++) {
		e = &sb->tasks[i];
		if (e->pid == pid) {
			if (fresh) {
				nlep_task_drop(e);
				victim = e;
				break;
			}
			e->used = ++sb->task_clock;
			*ret_e = e;
			return 1;
		}
		if (victim->pid != 0 && (e->pid == 0 || e->used < victim->used))
			victim = e;
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -errno;
	pidfd = task_pidfd_open(pid, dir, sb->pidfd_leader_only, &leader);
	if (pidfd < 0) {
		close(dir);
		return pidfd == -ESRCH ? -ENOENT : pidfd;
	}
	nlep_task_drop(victim);
	*victim = (struct nlep_task){ .pid = pid, .pidfd = pidfd,
				      .pidfd_leader = leader, .procdir = dir,
				      .used = ++sb->task_clock };
	*ret_e = victim;
	return 0;
}

/* The entry's inner tgid, read once (task_lock held). */
pid_t nlep_task_tgid(struct nlep_task *e)
{
	if (e->tgid <= 0)
		e->tgid = nlep_inner_tgid(e->procdir);
	return e->tgid;
}

/**
 * nlep_check_leader_copy() - whether a copy taken through the leader's
 * pidfd (before Linux 6.9) is the calling thread's fd
 * @e: the caller's entry (e->pidfd_leader set)
 * @pid: the caller
 * @fd: its fd
 * @got: the copy, or -1 (pidfd_getfd() failed EBADF); closed and set to
 *	-1 when it is not the thread's
 *
 * A thread with a file table of its own (made without CLONE_FILES, or after
 * unshare(CLONE_FILES)) cannot be reached before 6.9.
 *
 * Return: 0 (the thread's), -EBADF (the thread has no such fd either) or
 * -EOPNOTSUPP.
 */
static int nlep_check_leader_copy(struct nlep_task *e, pid_t pid, int fd,
				  int *got)
{
	struct stat st;
	char name[32];

	if (*got >= 0 && task_fd_same(e->procdir, pid, fd, *got))
		return 0;
	closep(got);
	*got = -1; /* closep() leaves the number */
	snprintf(name, sizeof(name), "fd/%d", fd);
	if (fstatat(e->procdir, name, &st, 0) < 0)
		return -EBADF;
	log_debug("pid %d: its fd %d is not reachable before Linux 6.9 "
		  "(a file table of its own)", (int)pid, fd);
	return -EOPNOTSUPP;
}

/* Whether @call writes into the caller (its maps are then opened too). */
static bool nlep_call_writes(enum nlep_call call)
{
	return call != NLEP_BIND && call != NLEP_CONNECT &&
	       call != NLEP_SETSOCKOPT;
}

/**
 * nlep_attach() - everything a trapped call needs of its caller, proven
 * @sb: the caller's sandbox
 * @call: which call
 * @req: the notification
 * @t: the caller's memory (target_close() it in every case)
 * @sfd: receives: our own copy of the fd (O_CLOEXEC), else left -1
 * @ino: the fd's inode when it is a socket, 0 otherwise
 * @tgid: bind/connect: the caller's inner tgid, else left 0
 *
 * Opens the memory (and maps for a call that writes) in the cached /proc
 * directory of the caller, takes S through its cached pidfd for a receive
 * or stats the fd through /proc for the others, then checks
 * NOTIF_ID_VALID once: a valid id proves all of it the caller's. A stale
 * entry (its task gone) is replaced once by fresh fds.
 * Return: 0; 1 when the fd does not exist (CONTINUE); -ENOENT when the
 * caller is gone (the notification is dead: do not answer); or -errno.
 */
static int nlep_attach(struct nlep_sandbox *sb, enum nlep_call call,
		       const struct seccomp_notif *req, struct target *t,
		       int *sfd, ino_t *ino, pid_t *tgid)
{
	pid_t pid = (pid_t)req->pid;
	int fd = (int)req->data.args[0];
	bool recv = call == NLEP_RECVFROM || call == NLEP_RECVMSG;
	struct nlep_task *e;
	struct stat st = { 0 };
	bool cached;
	int r = 0, tries, got = -1;

	g_mutex_lock(&sb->task_lock);
	for (tries = 0; tries < 2; tries++) {
		target_close(t);
		r = nlep_task_get(sb, pid, tries > 0, &e);
		if (r < 0)
			break;
		cached = r == 1;
		/* A cached entry fails here once its task is gone. */
		r = target_attach(e->procdir, pid, nlep_call_writes(call), t);
		if (r == -ENOENT && cached)
			continue;
		if (r < 0)
			break;
		if (recv) {
			got = (int)syscall(SYS_pidfd_getfd, e->pidfd, fd, 0);
			if (got < 0 && errno == ESRCH && cached)
				continue;
			r = got < 0 ? (errno == ESRCH ? -ENOENT : -errno) :
			    fstat(got, &st) < 0 ? -errno : 0;
			if (e->pidfd_leader && (r == 0 || r == -EBADF))
				r = nlep_check_leader_copy(e, pid, fd, &got);
		} else {
			char name[32];

			snprintf(name, sizeof(name), "fd/%d", fd);
			r = fstatat(e->procdir, name, &st, 0) < 0 ?
			    (errno == ENOENT ? -EBADF : -errno) : 0;
		}
		if (r == 0 && (call == NLEP_BIND || call == NLEP_CONNECT))
			*tgid = nlep_task_tgid(e);
		break;
	}
	g_mutex_unlock(&sb->task_lock);
	if (got >= 0)
		*sfd = got;
	if (notif_id_valid(sb->listener, req->id) < 0)
		return -ENOENT;
	if (r == -EBADF)
		return 1;
	if (r < 0)
		return r == -ENOENT ? 1 : r;
	*ino = S_ISSOCK(st.st_mode) ? st.st_ino : 0;
	return 0;
}

/* ---- addresses and options -------------------------------------------- */

/**
 * nlep_read_addr() - bind/connect's address, as move_addr_to_kernel()
 * @t: the caller
 * @req: the notification
 * @a: a->sa and a->addrlen are set
 *
 * Return: 0, -EINVAL for a length below 0 or above sockaddr_storage, or
 * -EFAULT.
 */
static int nlep_read_addr(const struct target *t, const struct seccomp_notif *req,
			  struct nlep_args *a)
{
	int len = (int)(uint32_t)req->data.args[2];

	if (len < 0 || len > NLEP_ADDR_MAX)
		return -EINVAL;
	memset(&a->sa, 0, sizeof(a->sa));
	a->addrlen = (size_t)len;
	return target_read(t, req->data.args[1], &a->sa,
			   MIN((size_t)len, sizeof(a->sa)));
}

/* The caller's tgid becomes the first port id an autobind tries. */
static void nlep_set_binder(struct nlep *ep, const struct nlep_args *a)
{
	if (!ep->bound && a->tgid > 0)
		ep->owner_tgid = a->tgid;
}

/**
 * nlep_do_bind() - bind(2) on an endpoint, as netlink_bind()
 * @ep: the endpoint (hub lock held)
 * @a: the address read from the caller
 *
 * A bound endpoint keeps its port id (another nl_pid is EINVAL); the
 * first 32 groups are replaced by nl_groups.
 * Return: 0 or -errno.
 */
static int nlep_do_bind(struct nlep *ep, const struct nlep_args *a)
{
	int r;

	if (a->addrlen < sizeof(a->sa) || a->sa.nl_family != AF_NETLINK)
		return -EINVAL;
	if (ep->bound) {
		if (a->sa.nl_pid != ep->portid)
			return -EINVAL;
	} else {
		nlep_set_binder(ep, a);
		r = nlep_bind_port(ep, a->sa.nl_pid);
		if (r < 0)
			return r;
	}
	ep->groups = (ep->groups & ~(uint64_t)0xffffffffu) | a->sa.nl_groups;
	return 0;
}

/**
 * nlep_do_connect() - connect(2) on an endpoint, as netlink_connect()
 * @ep: the endpoint (hub lock held)
 * @a: the address read from the caller
 *
 * AF_UNSPEC disconnects; otherwise the endpoint is autobound and the
 * destination recorded (getpeername reports it).
 * Return: 0 or -errno.
 */
static int nlep_do_connect(struct nlep *ep, const struct nlep_args *a)
{
	int r;

	if (a->addrlen < sizeof(a->sa.nl_family))
		return -EINVAL;
	if (a->sa.nl_family == AF_UNSPEC) {
		ep->dst_pid = ep->dst_group = 0;
		return 0;
	}
	if (a->sa.nl_family != AF_NETLINK || a->addrlen < sizeof(a->sa))
		return -EINVAL;
	nlep_set_binder(ep, a);
	if (!ep->bound && (r = nlep_bind_port(ep, 0)) < 0)
		return r;
	ep->dst_pid = a->sa.nl_pid;
	ep->dst_group = a->sa.nl_groups ?
			(uint32_t)__builtin_ffs((int)a->sa.nl_groups) : 0;
	return 0;
}

/**
 * nlep_do_name() - getsockname/getpeername's address into @res
 * @ep: the endpoint (hub lock held)
 * @call: which
 * @a: a->len, the caller's buffer length (checked >= 0)
 * @res: the address; written out by nlep_write_res()
 *
 * Return: 0.
 */
static int nlep_do_name(struct nlep *ep, enum nlep_call call,
			const struct nlep_args *a, struct nlep_res *res)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (call == NLEP_GETSOCKNAME) {
		sa.nl_pid = ep->portid;
		sa.nl_groups = (uint32_t)ep->groups;
	} else {
		sa.nl_pid = ep->dst_pid;
		sa.nl_groups = ep->dst_group && ep->dst_group <= 32 ?
			       1u << (ep->dst_group - 1) : 0;
	}
	memcpy(res->val, &sa, sizeof(sa));
	res->vlen = sizeof(sa);
	res->wlen = MIN(a->len, (int)sizeof(sa));
	return 0;
}

/**
 * nlep_set_rcvbuf() - SO_RCVBUF(FORCE) on an endpoint
 * @ep: the endpoint (hub lock held)
 * @val: the value asked for
 * @force: SO_RCVBUFFORCE (the caller's CAP_NET_ADMIN was checked)
 *
 * getsockopt reports twice the value, at least SOCK_MIN_RCVBUF; P's send
 * buffer (what S's receive queue can hold) follows it, at most
 * NLEP_BACKLOG_MAX.
 */
void nlep_set_rcvbuf(struct nlep *ep, int val, bool force)
{
	int cap = force ? INT32_MAX / 2 : ep->hub->rmem_max;
	int v = MIN(MAX(val, 0), cap);
	int snd = MIN(v, (int)NLEP_BACKLOG_MAX);

	ep->rcvbuf = MAX(v * 2, NLEP_SOCK_MIN_RCVBUF);
	if (setsockopt(ep->pfd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		(void)setsockopt(ep->pfd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
}

/**
 * nlep_caller_net_admin() - whether the caller may use SO_*BUFFORCE
 * @h: the hub
 * @pid: the caller
 *
 * The kernel asks capable(CAP_NET_ADMIN); the proxy's own FORCE needs the
 * same, so the caller must hold CAP_NET_ADMIN in the proxy's user
 * namespace (a sandbox in a user namespace of its own never does).
 * Return: true when it does.
 */
static bool nlep_caller_net_admin(const struct nlep_hub *h, pid_t pid)
{
	_cleanup_free_ char *st = NULL;
	char path[64];
	uint64_t eff = 0;
	struct stat ns;
	const char *p;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (stat(path, &ns) < 0 || ns.st_dev != h->userns_dev ||
	    ns.st_ino != h->userns_ino)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (util_read_file_bounded(path, 16384, &st, &len, NULL) < 0)
		return false;
	p = strstr(st, "\nCapEff:");
	if (!p || sscanf(p + 8, "%" SCNx64, &eff) != 1)
		return false;
	return (eff >> NLEP_CAP_NET_ADMIN) & 1;
}

/**
 * nlep_read_setsockopt() - classify setsockopt and read its value
 * @h: the hub
 * @req: the notification
 * @t: the caller
 * @a: level, name, optlen and val are set
 *
 * SOL_SOCKET options other than the buffer sizes are the kernel's (on S).
 * Return: 0, 1 for CONTINUE, or -errno (-EPERM for a FORCE variant without
 * CAP_NET_ADMIN, as sock_setsockopt()).
 */
static int nlep_read_setsockopt(const struct nlep_hub *h,
				const struct seccomp_notif *req,
				const struct target *t, struct nlep_args *a)
{
	a->level = (int)req->data.args[1];
	a->name = (int)req->data.args[2];
	a->optlen = (uint32_t)req->data.args[4];
	if (a->level == SOL_SOCKET) {
		if (a->name != SO_RCVBUF && a->name != SO_RCVBUFFORCE &&
		    a->name != SO_SNDBUF && a->name != SO_SNDBUFFORCE)
			return 1;
		if (a->optlen < sizeof(int))
			return -EINVAL;
	} else if (a->level != SOL_NETLINK) {
		return -ENOPROTOOPT;
	}
	if (a->optlen >= sizeof(int)) {
		int r = target_read(t, req->data.args[3], &a->val, sizeof(a->val));

		if (r < 0)
			return r;
	}
	if (a->level == SOL_SOCKET &&
	    (a->name == SO_RCVBUFFORCE || a->name == SO_SNDBUFFORCE) &&
	    !nlep_caller_net_admin(h, (pid_t)req->pid))
		return -EPERM;
	return 0;
}

/* SOL_NETLINK's boolean options of @ep, NULL for another name. */
static bool *nlep_flag(struct nlep *ep, int name)
{
	switch (name) {
	case NETLINK_PKTINFO: return &ep->pktinfo;
	case NETLINK_BROADCAST_ERROR: return &ep->bcast_err;
	case NETLINK_NO_ENOBUFS: return &ep->no_enobufs;
	case NETLINK_LISTEN_ALL_NSID: return &ep->all_nsid;
	case NETLINK_CAP_ACK: return &ep->cap_ack;
	case NETLINK_EXT_ACK: return &ep->ext_ack;
	case NETLINK_GET_STRICT_CHK: return &ep->strict;
	default: return NULL;
	}
}

/**
 * nlep_do_setsockopt() - setsockopt on an endpoint, the locked part
 * @ep: the endpoint (hub lock held)
 * @a: from nlep_read_setsockopt()
 *
 * Return: 0 or -errno, as netlink_setsockopt() and sock_setsockopt().
 */
static int nlep_do_setsockopt(struct nlep *ep, const struct nlep_args *a)
{
	int val = a->val, r;
	bool *flag;

	if (a->level == SOL_SOCKET) {
		if (a->name == SO_RCVBUF || a->name == SO_RCVBUFFORCE)
			nlep_set_rcvbuf(ep, val, a->name == SO_RCVBUFFORCE);
		else
			ep->sndbuf = MAX(MIN(MAX(val, 0), a->name == SO_SNDBUFFORCE ?
					     INT32_MAX / 2 : ep->hub->wmem_max) * 2,
					 4608);
		return 0;
	}
	if (a->name == NETLINK_ADD_MEMBERSHIP || a->name == NETLINK_DROP_MEMBERSHIP) {
		if (a->optlen < sizeof(int))
			return -EINVAL;
		if (val < 1 || val > MIN(RTNLGRP_MAX, NLEP_NGROUPS))
			return -EINVAL;
		if (!ep->bound && (r = nlep_bind_port(ep, 0)) < 0)
			return r;
		if (a->name == NETLINK_ADD_MEMBERSHIP)
			ep->groups |= (uint64_t)1 << (val - 1);
		else
			ep->groups &= ~((uint64_t)1 << (val - 1));
		return 0;
	}
	flag = nlep_flag(ep, a->name);
	if (!flag)
		return -ENOPROTOOPT;
	/* netlink_setsockopt(): a value shorter than an int is not read: 0 */
	if (a->optlen < sizeof(int))
		val = 0;
	*flag = val != 0;
	if (a->name == NETLINK_NO_ENOBUFS && val)
		ep->err = 0;
	return 0;
}

/**
 * nlep_read_getsockopt() - classify getsockopt and read *optlen
 * @req: the notification
 * @t: the caller
 * @a: level, name and len are set
 *
 * A level other than SOL_SOCKET and SOL_NETLINK is ENOPROTOOPT, as
 * netlink_getsockopt(); SOL_SOCKET options the proxy does not emulate are
 * the kernel's (on S).
 * Return: 0, 1 for CONTINUE, or -errno.
 */
static int nlep_read_getsockopt(const struct seccomp_notif *req,
				const struct target *t, struct nlep_args *a)
{
	int r;

	a->level = (int)req->data.args[1];
	a->name = (int)req->data.args[2];
	if (a->level == SOL_SOCKET) {
		switch (a->name) {
		case SO_DOMAIN: case SO_PROTOCOL: case SO_TYPE:
		case SO_RCVBUF: case SO_SNDBUF: case SO_ERROR:
			break;
		default:
			return 1;
		}
	} else if (a->level != SOL_NETLINK) {
		return -ENOPROTOOPT;
	}
	r = target_read(t, req->data.args[4], &a->len, sizeof(a->len));
	if (r < 0)
		return r;
	return a->len < 0 ? -EINVAL : 0;
}

/**
 * nlep_do_getsockopt() - getsockopt on an endpoint, the locked part
 * @ep: the endpoint (hub lock held)
 * @a: from nlep_read_getsockopt()
 * @res: the value; written out by nlep_write_res()
 *
 * Return: 0 or -errno.
 */
static int nlep_do_getsockopt(struct nlep *ep, const struct nlep_args *a,
			      struct nlep_res *res)
{
	uint32_t groups[(NLEP_NGROUPS + 31) / 32];
	bool *flag;
	int val;

	if (a->level == SOL_SOCKET) {
		switch (a->name) {
		case SO_DOMAIN: val = AF_NETLINK; break;
		case SO_PROTOCOL: val = ep->protocol; break;
		case SO_TYPE: val = ep->type; break;
		case SO_RCVBUF: val = ep->rcvbuf; break;
		case SO_SNDBUF: val = ep->sndbuf; break;
		default: val = ep->err; ep->err = 0; break; /* SO_ERROR */
		}
		/* sk_getsockopt(): min(len, sizeof(int)) bytes, then *optlen */
		memcpy(res->val, &val, sizeof(val));
		res->vlen = res->wlen = MIN(a->len, (int)sizeof(int));
		return 0;
	}
	if (a->name == NETLINK_LIST_MEMBERSHIPS) {
		groups[0] = (uint32_t)ep->groups;
		groups[1] = (uint32_t)(ep->groups >> 32);
		memcpy(res->val, groups, sizeof(groups));
		/* The kernel reports ALIGN(BITS_TO_BYTES(ngroups), 4). */
		res->vlen = MIN(((RTNLGRP_MAX + 7) / 8 + 3) & ~3, (int)sizeof(groups));
		res->wlen = MIN(a->len, res->vlen) & ~3;
		return 0;
	}
	flag = nlep_flag(ep, a->name);
	if (!flag)
		return -ENOPROTOOPT;
	if (a->len < (int)sizeof(int))
		return -EINVAL;
	val = *flag;
	memcpy(res->val, &val, sizeof(val));
	res->vlen = res->wlen = sizeof(int);
	res->lenp_first = true;
	return 0;
}

/**
 * nlep_write_res() - write a value and its length into the caller
 * @t: the caller
 * @ptr: where the value goes
 * @lenp: where its length goes
 * @res: the value (res->wlen bytes written, res->vlen reported)
 *
 * Return: 0 or -errno.
 */
static int nlep_write_res(struct target *t, uint64_t ptr, uint64_t lenp,
			  const struct nlep_res *res)
{
	int r;

	if (res->lenp_first) {
		r = target_write(t, lenp, &res->vlen, sizeof(res->vlen));
		if (r == 0)
			r = target_write(t, ptr, res->val, (size_t)MAX(res->wlen, 0));
		return r;
	}
	r = target_write(t, ptr, res->val, (size_t)MAX(res->wlen, 0));
	if (r == 0)
		r = target_write(t, lenp, &res->vlen, sizeof(res->vlen));
	return r;
}

/* ---- a trapped call ------------------------------------------------------ */

/**
 * nlep_read_args() - everything @call reads from the caller, before the lock
 * @h: the hub
 * @call: which call
 * @req: the notification
 * @t: the caller's memory
 * @a: filled in
 *
 * Return: 0, 1 for CONTINUE, or -errno to fail the call with.
 */
static int nlep_read_args(const struct nlep_hub *h, enum nlep_call call,
			  const struct seccomp_notif *req,
			  const struct target *t, struct nlep_args *a)
{
	int r;

	switch (call) {
	case NLEP_BIND:
	case NLEP_CONNECT:
		return nlep_read_addr(t, req, a); /* a->tgid set by nlep_attach() */
	case NLEP_GETSOCKNAME:
	case NLEP_GETPEERNAME:
		r = target_read(t, req->data.args[2], &a->len, sizeof(a->len));
		return r < 0 ? r : a->len < 0 ? -EINVAL : 0;
	case NLEP_SETSOCKOPT:
		return nlep_read_setsockopt(h, req, t, a);
	case NLEP_GETSOCKOPT:
		return nlep_read_getsockopt(req, t, a);
	case NLEP_RECVFROM:
	case NLEP_RECVMSG:
		return nlep_read_recv_args(call, req, t, &a->rv);
	case NLEP_N_CALLS:
	default:
		return -ENOSYS;
	}
}

/**
 * nlep_write_out() - what @call writes into the caller, after the lock
 * @call: which call
 * @req: the notification
 * @t: the caller's memory
 * @a: its arguments
 * @res: the locked part's results
 * @r: the locked part's return value
 *
 * Return: the value to answer the call with.
 */
static int64_t nlep_write_out(enum nlep_call call, const struct seccomp_notif *req,
			      struct target *t, const struct nlep_args *a,
			      const struct nlep_res *res, int64_t r)
{
	if (r < 0)
		return r;
	switch (call) {
	case NLEP_GETSOCKNAME:
	case NLEP_GETPEERNAME:
		return nlep_write_res(t, req->data.args[1], req->data.args[2], res);
	case NLEP_GETSOCKOPT:
		return nlep_write_res(t, req->data.args[3], req->data.args[4], res);
	case NLEP_RECVFROM:
	case NLEP_RECVMSG:
		return nlep_deliver(t, a->rv, &res->got);
	case NLEP_BIND:
	case NLEP_CONNECT:
	case NLEP_SETSOCKOPT:
	case NLEP_N_CALLS:
	default:
		return r;
	}
}

/**
 * nlep_apply() - the locked part of a trapped call
 * @sb: the sandbox
 * @ep: the endpoint (hub lock held, a reference held)
 * @call: which call
 * @req: the notification
 * @sfd: our copy of S (receives may take it over)
 * @t: the caller's memory (receives may take it over)
 * @a: the arguments
 * @res: results for nlep_write_out()
 * @done: receives this call completed (see nlep_wake())
 *
 * Only moves data between the endpoint and private buffers.
 * Return: as nlep_write_out()'s @r, or NLEP_PARKED.
 */
static int64_t nlep_apply(struct nlep_sandbox *sb, struct nlep *ep,
			  enum nlep_call call, const struct seccomp_notif *req,
			  int *sfd, struct target *t, struct nlep_args *a,
			  struct nlep_res *res, GQueue *done)
{
	switch (call) {
	case NLEP_BIND: return nlep_do_bind(ep, a);
	case NLEP_CONNECT: return nlep_do_connect(ep, a);
	case NLEP_GETSOCKNAME:
	case NLEP_GETPEERNAME: return nlep_do_name(ep, call, a, res);
	case NLEP_SETSOCKOPT: return nlep_do_setsockopt(ep, a);
	case NLEP_GETSOCKOPT: return nlep_do_getsockopt(ep, a, res);
	case NLEP_RECVFROM:
	case NLEP_RECVMSG:
		return nlep_apply_recv(sb, ep, sfd, t, req, a, &res->got, done);
	case NLEP_N_CALLS:
	default:
		return -ENOSYS;
	}
}

/**
 * nlep_fd_foreign() - whether a low-range fd is surely not an endpoint
 * @sb: the caller's sandbox
 * @req: the notification (its fd in the low range)
 *
 * Ordinary fds of every process reach the low range (seccomp_filter.h):
 * their calls are let through after one stat of /proc/PID/fd/N in the
 * caller's cached directory and one table look-up, before any of the
 * caller's memory is opened. A stale or missing cache entry answers
 * "not sure" and the full path decides. CONTINUE on what this says needs
 * no proof: on a dead notification it does nothing, and a live one holds
 * its thread, which the cached directory then names.
 *
 * Return: true when the fd is no endpoint of this proxy.
 */
static bool nlep_fd_foreign(struct nlep_sandbox *sb,
			    const struct seccomp_notif *req)
{
	struct nlep_task *e;
	struct stat st;
	char name[32];
	bool known;
	int r;

	snprintf(name, sizeof(name), "fd/%d", (int)req->data.args[0]);
	g_mutex_lock(&sb->task_lock);
	r = nlep_task_get(sb, (pid_t)req->pid, false, &e);
	r = r < 0 ? r : fstatat(e->procdir, name, &st, 0);
	g_mutex_unlock(&sb->task_lock);
	if (r < 0)
		return false;
	if (!S_ISSOCK(st.st_mode))
		return true;
	g_mutex_lock(&sb->hub->lock);
	known = nlep_lookup(sb->hub, st.st_ino) != NULL;
	g_mutex_unlock(&sb->hub->lock);
	return !known;
}

/* Whether @fd lies in the low endpoint range. */
static bool nlep_fd_low(uint64_t fd)
{
	return (fd & 0xffffffffu) >= LXNET_NLEP_FD_LOW_BASE &&
	       (fd & 0xffffffffu) < LXNET_NLEP_FD_LOW_BASE + LXNET_NLEP_FD_LOW_COUNT;
}

/**
 * nlep_do_call() - answer a trapped call on an fd in the endpoint range
 * @sb: the caller's sandbox
 * @call: which call
 * @req: the notification
 *
 * In three steps, so that no sandbox can stall another: (1) without the
 * hub lock, open the caller's memory (proven its own by NOTIF_ID_VALID
 * after the open) and read every argument; (2) under the lock, only move
 * data between the endpoint and private buffers; (3) without the lock,
 * write results into the caller through the same fd and answer. An fd in
 * the range that is not an endpoint (an ordinary socket a program opened
 * there) is let through with CONTINUE: nothing is decided on it.
 *
 * Return: 0 when answered, 1 for CONTINUE, or -errno to fail the call with.
 */
int64_t nlep_do_call(struct nlep_sandbox *sb, enum nlep_call call,
		     const struct seccomp_notif *req)
{
	struct nlep_hub *h = sb->hub;
	_cleanup_close_ int sfd = -1;
	struct target t = { .memfd = -1 };
	struct nlep_args a = { 0 };
	struct nlep_res res = { 0 };
	GQueue done = G_QUEUE_INIT;
	struct nlep *ep;
	ino_t ino = 0;
	int64_t r;

	if (nlep_fd_low(req->data.args[0]) && nlep_fd_foreign(sb, req))
		return NOTIF_CONTINUE;
	r = nlep_attach(sb, call, req, &t, &sfd, &ino, &a.tgid);
	if (r != 0) {
		target_close(&t);
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	}
	g_mutex_lock(&h->lock);
	ep = nlep_lookup(h, ino);
	if (ep && ep->sb == sb)
		ep->ref++;
	else
		ep = NULL;
	g_mutex_unlock(&h->lock);
	if (!ep) {
		target_close(&t);
		return NOTIF_CONTINUE;
	}
	r = nlep_read_args(h, call, req, &t, &a);
	g_mutex_lock(&h->lock);
	if (r == 0)
		r = nlep_apply(sb, ep, call, req, &sfd, &t, &a, &res, &done);
	nlep_unref(ep);
	g_mutex_unlock(&h->lock);
	nlep_complete(&done);
	if (r == NLEP_PARKED)
		r = NOTIF_ANSWERED;
	else if (r == 1)
		r = NOTIF_CONTINUE;
	else
		r = nlep_write_out(call, req, &t, &a, &res, r);
	if (r == -ENOENT && notif_id_valid(sb->listener, req->id) < 0)
		r = NOTIF_ANSWERED;
	target_close(&t);
	nlep_recv_free(a.rv);
	g_free(res.got.buf);
	return r;
}
