// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlep.c - emulated NETLINK_ROUTE endpoints: objects, queues, multicast, port ids */
/*
 * Theory of operation
 *
 * socket(AF_NETLINK, SOCK_RAW|SOCK_DGRAM, NETLINK_ROUTE) in a sandbox is
 * answered with one end ("S") of an AF_UNIX SOCK_SEQPACKET pair, installed
 * with SECCOMP_ADDFD_FLAG_SETFD at the highest free number of the reserved
 * range (seccomp_filter.h) below the caller's soft RLIMIT_NOFILE; the proxy
 * keeps the other end ("P"). An endpoint is keyed by S's inode, so dup(),
 * fork() and SCM_RIGHTS copies all reach the same endpoint, as they reach
 * the same socket in the kernel.
 *
 * Data path:
 *  - sends are NOT trapped: send/sendto/sendmsg/write/writev on S are the
 *    kernel's AF_UNIX calls (a seqpacket socket ignores a destination
 *    address), so iovecs, EFAULT, lying lengths, MSG_DONTWAIT and blocking
 *    on a full queue are native. Requests arrive on P; the main loop (P
 *    readable) or the next trapped receive (whichever comes first, under
 *    the hub lock) hands each datagram to nlmsg_request().
 *  - replies, dump parts and multicast messages are written into P, so
 *    they sit in S's receive queue: poll/select/epoll readiness, FIONREAD
 *    and read(2) are native and true. What P cannot take (its SO_SNDBUF is
 *    the endpoint's SO_RCVBUF) waits in a per-endpoint overflow queue,
 *    bounded; dump parts are generated only when the previous one has left
 *    the overflow queue (nlmsg_dump_next() on demand), so a 10,000-route
 *    dump never sits in memory. A request is taken from P only when the
 *    overflow queue is empty and no dump runs: a sandbox that sends without
 *    reading blocks in its own sendmsg, exactly like a full socket.
 *  - recvfrom/recvmsg ARE trapped: the proxy takes its own copy of S with
 *    pidfd_getfd(), receives the datagram (MSG_PEEK, MSG_TRUNC as asked),
 *    writes it into the caller's iovecs with process_vm_writev() and fills
 *    in what AF_UNIX cannot: a struct sockaddr_nl (nl_pid 0, nl_groups the
 *    multicast group's bit), msg_namelen 12, NETLINK_PKTINFO, and a pending
 *    ENOBUFS. Which group a datagram was sent to is read from the datagram
 *    itself (a kernel notification carries nlmsg_pid 0, a reply the
 *    endpoint's port id), so a native read(2) cannot desynchronise it.
 *  - a blocking receive with nothing queued parks the notification (bounded
 *    by NLEP_MAX_PARKED): it is completed when a datagram arrives, answered
 *    EAGAIN when SO_RCVTIMEO (read from S) expires, and dropped when
 *    SECCOMP_IOCTL_NOTIF_ID_VALID says the caller is gone. The filter waits
 *    killably (WAIT_KILLABLE_RECV), so a caught signal would stay pending
 *    while parked: a sweep every NLEP_SWEEP_MS, run only while something is
 *    parked, answers -ERESTARTSYS (or -EINTR with a timeout, as the kernel's
 *    sock_intr_errno()) to a caller with a pending caught signal, so
 *    handlers run and SA_RESTART restarts the call. The serving thread never
 *    blocks.
 *  - close() is not trapped: when every sandbox copy of S is gone, P sees
 *    POLLHUP and the main loop releases the endpoint and its port id.
 *
 *  - dump parts are generated on demand (see above) and the pump runs
 *    after every event that can make room: P writable (G_IO_OUT, watched
 *    only while something waits), P readable (a new request), a trapped
 *    receive that dequeued (even one that then faulted with EFAULT: the
 *    datagram is gone, as in the kernel's netlink_recvmsg()), and each
 *    completed parked receive. A native read(2) that drains S is seen
 *    through P's G_IO_OUT, so a reader that never makes a trapped call
 *    still gets every part.
 *  - requests are read from P whole, sized first with MSG_PEEK|MSG_TRUNC:
 *    S's SO_SNDBUF (the kernel's default, never changed: SO_SNDBUF on an
 *    endpoint is emulated) bounds them as a netlink socket's bounds its
 *    own, and a send past it fails EMSGSIZE natively.
 *
 * fork, dup, SCM_RIGHTS: every copy of S is the same endpoint (keyed by
 * S's inode): one port id, one queue, one set of groups, as one kernel
 * socket. Receives from several processes or threads are served in the
 * order they parked; each datagram goes to exactly one of them.
 *
 * Bounds (nlep.h): NLEP_MAX_ENDPOINTS per proxy and NLEP_MAX_PER_SANDBOX
 * per listener (socket() fails ENOBUFS past them); the fd range
 * (LXNET_NLEP_FD_COUNT numbers per process, EMFILE past it); at most
 * NLEP_MAX_PARKED parked receives per proxy (the next blocking receive
 * fails ENOBUFS); the overflow queue holds at most min(SO_RCVBUF,
 * NLEP_BACKLOG_MAX) bytes of notifications (past it ENOBUFS, once) and
 * NLEP_BACKLOG_MAX of replies; a host query holds at most NLEP_HOST_PARTS
 * datagrams and NLEP_BACKLOG_MAX bytes; a request at most NLEP_REQ_MAX.
 *
 * Architectures: only native (x86_64) callers reach this file. i386
 * (socketcall) and x32 programs are not trapped for netlink, since the
 * proxy reads struct msghdr and iovecs in its own layout: their
 * socket(AF_NETLINK, ..., NETLINK_ROUTE) is the kernel's own, in the
 * sandbox's network namespace (which shows only its lo). SIOCGIF* ioctls
 * are answered for them (ifioctl.c), so ifconfig-style tools still agree.
 *
 * Limits, documented: recvmmsg() and readv() are native (no source
 * address, no ENOBUFS); SO_ATTACH_FILTER and the other SOL_SOCKET options
 * the proxy does not emulate are applied natively to S (classic BPF runs
 * on the same bytes); NETLINK_LISTEN_ALL_NSID is accepted and has no
 * effect (the model has one namespace). A request sent while a dump is
 * being read waits for its end instead of getting EBUSY. poll() on S does
 * not report a pending ENOBUFS as POLLERR (the next receive does).
 *
 * Locking: one hub mutex guards every endpoint, port id table and parked
 * operation; netlink traffic is small and the sections are short. Endpoints
 * are freed only on the main loop (P's source), so a GSource callback never
 * races a free.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#include <linux/rtnetlink.h>

#include "log.h"
#include "netstate.h"
#include "nlep.h"
#include "nlmsg.h"
#include "proxy_int.h"
#include "util.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#ifndef SECCOMP_ADDFD_FLAG_SETFD
#define SECCOMP_ADDFD_FLAG_SETFD (1UL << 0)
#endif
#ifndef ERESTARTSYS
#define ERESTARTSYS 512
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NLEP_SWEEP_MS 50
#define NLEP_DGRAM_MAX (128 * 1024)  /* largest host reply handled */
#define NLEP_REQ_MAX (4 << 20)        /* largest request (S's SO_SNDBUF is less) */
#define NLEP_HOST_PARTS 4096          /* datagrams of one host dump */
#define NLEP_IOV_MAX 1024             /* UIO_MAXIOV */
#define NLEP_GOODSIZE 3776            /* SKB_WITH_OVERHEAD(4096) */
#define NLEP_DUMP_MAX 32448           /* SKB_WITH_OVERHEAD(32768) */
#define NLEP_SOCK_MIN_RCVBUF 2304
#define NLEP_NGROUPS 64               /* groups a mask holds */

const char *const nlep_call_names[NLEP_N_CALLS] = {
	"bind", "connect", "getsockname", "getpeername", "recvfrom",
	"recvmsg", "setsockopt", "getsockopt",
};

struct nlep_hub {
	GMutex lock;
	struct proxy_model *model;
	GMainContext *ctx;
	guint sub;
	GHashTable *eps;        /* ino -> struct nlep */
	unsigned int n_eps;
	GQueue parked;          /* struct nlep_op */
	GSource *sweep;
	int rmem_default, rmem_max, wmem_default, wmem_max;
};

struct nlep_sandbox {
	gint ref;
	struct nlep_hub *hub;
	int listener;           /* our own dup of the listener */
	GHashTable *ports;      /* port id -> endpoint (pointer) */
	unsigned int n_eps;
	int32_t rover;          /* next negative port id to try */
};

/*
 * struct nlep - one endpoint (one open file in the sandbox)
 */
struct nlep {
	struct nlep_hub *hub;
	struct nlep_sandbox *sb;
	GSource *src;
	gpointer tag;
	ino_t ino;
	int pfd;
	int type;
	pid_t owner_tgid;       /* tgid of the creator, then of the binder, as it
				 * sees it: netlink_autobind() tries it first */
	bool bound;
	uint32_t portid;
	uint64_t groups;        /* bit g-1 for group g */
	uint32_t dst_pid, dst_group;
	bool pktinfo, bcast_err, no_enobufs, all_nsid, cap_ack, ext_ack, strict;
	int rcvbuf, sndbuf;     /* as getsockopt reports them (doubled) */
	int err;                /* pending error (ENOBUFS) */
	GQueue out;             /* GBytes waiting for room in P */
	size_t out_bytes;
	struct nlmsg_dump *dump;
	size_t max_recvmsg_len;
	bool want_out;
};

/* A parked blocking receive. */
struct nlep_op {
	struct nlep_sandbox *sb;  /* a reference */
	uint64_t id;
	pid_t pid;
	ino_t ino;
	int sfd;                  /* our copy of S */
	gint64 deadline;          /* monotonic µs, 0 = none */
	bool timeo;
	struct nlep_recv *rv;
};

/* A receive call's arguments, copied from the target. */
struct nlep_recv {
	bool is_msg;
	uint64_t msg_addr;
	struct msghdr m;          /* target pointers */
	struct iovec *iov;        /* target iovecs */
	size_t n_iov;
	size_t total;
	uint64_t name;            /* recvfrom's addr / msg_name */
	uint64_t namelen_addr;    /* recvfrom's addrlen pointer */
	int namelen;
	int flags;
};

static void nlep_recv_free(struct nlep_recv *rv)
{
	if (!rv)
		return;
	g_free(rv->iov);
	g_free(rv);
}

/* ---- the target's memory ---------------------------------------------- */

static int nlep_id_valid(int listener, uint64_t id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0 ? -ENOENT : 0;
}

/**
 * nlep_peek() - copy @len bytes at @addr in the target into @buf
 * @pid: the target
 * @addr: its address
 * @buf: destination
 * @len: bytes
 *
 * The caller checks NOTIF_ID_VALID afterwards (pid reuse).
 * Return: 0, -EFAULT or -ENOENT (process gone).
 */
static int nlep_peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { .iov_base = buf, .iov_len = len };
	struct iovec r = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n;

	if (len == 0)
		return 0;
	n = process_vm_readv(pid, &l, 1, &r, 1, 0);
	if (n < 0)
		return errno == ESRCH ? -ENOENT : -EFAULT;
	return (size_t)n == len ? 0 : -EFAULT;
}

static int nlep_poke(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec l = { .iov_base = (void *)buf, .iov_len = len };
	struct iovec r = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n;

	if (len == 0)
		return 0;
	n = process_vm_writev(pid, &l, 1, &r, 1, 0);
	if (n < 0)
		return errno == ESRCH ? -ENOENT : -EFAULT;
	return (size_t)n == len ? 0 : -EFAULT;
}

/**
 * nlep_poke_iov() - scatter @len bytes into the target's iovecs
 * @pid: the target
 * @iov: its iovecs (target addresses)
 * @n_iov: how many
 * @buf: data
 * @len: bytes, at most the iovecs' total
 *
 * Return: 0, -EFAULT or -ENOENT.
 */
static int nlep_poke_iov(pid_t pid, const struct iovec *iov, size_t n_iov,
			 const void *buf, size_t len)
{
	struct iovec l = { .iov_base = (void *)buf, .iov_len = len };
	size_t i, left = len, n_use = 0;
	ssize_t n;

	for (i = 0; i < n_iov && left > 0; i++) {
		left -= MIN(left, iov[i].iov_len);
		n_use = i + 1;
	}
	if (len == 0)
		return 0;
	n = process_vm_writev(pid, &l, 1, iov, n_use, 0);
	if (n < 0)
		return errno == ESRCH ? -ENOENT : -EFAULT;
	return (size_t)n == len ? 0 : -EFAULT;
}

/**
 * nlep_getfd() - our own copy of the target's fd @fd
 * @pid: the calling thread
 * @fd: its fd number
 * @ret_fd: the copy (O_CLOEXEC)
 * @ret_ino: the file's inode when it is a socket, 0 otherwise
 *
 * Return: 0, -EBADF (no such fd), -ENOENT (target gone) or -errno.
 */
static int nlep_getfd(pid_t pid, int fd, int *ret_fd, ino_t *ret_ino)
{
	_cleanup_close_ int pidfd = -1;
	int sfd;
	struct stat st;

	pidfd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
	if (pidfd < 0 && errno == EINVAL)
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	sfd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (sfd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	if (fstat(sfd, &st) < 0) {
		int r = -errno;

		close(sfd);
		return r;
	}
	*ret_ino = S_ISSOCK(st.st_mode) ? st.st_ino : 0;
	*ret_fd = sfd;
	return 0;
}

/* ---- replies ----------------------------------------------------------- */

static int nlep_reply_val(int listener, uint64_t id, int64_t val)
{
	struct seccomp_notif_resp resp = { .id = id };

	if (val < 0)
		resp.error = (int32_t)val;
	else
		resp.val = val;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

/* ---- port ids ---------------------------------------------------------- */

static bool nlep_port_taken(struct nlep_sandbox *sb, uint32_t p)
{
	return g_hash_table_contains(sb->ports, GUINT_TO_POINTER(p));
}

/**
 * nlep_bind_port() - give @ep a port id: @want, or an automatic one
 * @ep: an unbound endpoint
 * @want: nl_pid asked for, 0 for automatic (owner_tgid first: the tgid of
 *	the process that binds, or the creator's for an autobind on send,
 *	whose sender the proxy does not see; then negative numbers from
 *	-4096 down, as netlink_autobind())
 *
 * Return: 0 or -EADDRINUSE.
 */
static int nlep_bind_port(struct nlep *ep, uint32_t want)
{
	struct nlep_sandbox *sb = ep->sb;
	uint32_t p = want;
	unsigned int tries = 0;

	if (!p) {
		p = (uint32_t)ep->owner_tgid;
		while (p == 0 || nlep_port_taken(sb, p)) {
			if (++tries > 1u << 20)
				return -EADDRINUSE;
			p = (uint32_t)sb->rover--;
			if (sb->rover > -4096)
				sb->rover = -4096;
		}
	} else if (nlep_port_taken(sb, p)) {
		return -EADDRINUSE;
	}
	g_hash_table_add(sb->ports, GUINT_TO_POINTER(p));
	ep->portid = p;
	ep->bound = true;
	return 0;
}

/* ---- queues ------------------------------------------------------------ */

static void nlep_set_want_out(struct nlep *ep, bool want)
{
	if (ep->want_out == want || !ep->src)
		return;
	ep->want_out = want;
	g_source_modify_unix_fd(ep->src, ep->tag,
				G_IO_IN | G_IO_HUP | G_IO_ERR |
				(want ? G_IO_OUT : 0));
}

static size_t nlep_backlog_max(const struct nlep *ep)
{
	return MIN((size_t)ep->rcvbuf, (size_t)NLEP_BACKLOG_MAX);
}

/* Append a datagram to the overflow queue. */
static void nlep_queue(struct nlep *ep, const void *buf, size_t len)
{
	g_queue_push_tail(&ep->out, g_bytes_new(buf, len));
	ep->out_bytes += len;
}

static int nlep_emit(void *data, const void *dgram, size_t len)
{
	struct nlep *ep = data;

	if (ep->out_bytes + len > NLEP_BACKLOG_MAX)
		return -ENOBUFS;
	nlep_queue(ep, dgram, len);
	return 0;
}

/**
 * nlep_flush() - move the overflow queue into P as far as it takes it
 * @ep: the endpoint
 *
 * Return: true when the queue is empty.
 */
static bool nlep_flush(struct nlep *ep)
{
	GBytes *b;

	while ((b = g_queue_peek_head(&ep->out))) {
		gsize len;
		const void *d = g_bytes_get_data(b, &len);

		if (send(ep->pfd, d, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			if (errno == EAGAIN || errno == ENOBUFS) {
				nlep_set_want_out(ep, true);
				return false;
			}
			log_debug("endpoint %lu: send: %s", (unsigned long)ep->ino,
				  g_strerror(errno));
		}
		g_queue_pop_head(&ep->out);
		ep->out_bytes -= len;
		g_bytes_unref(b);
	}
	nlep_set_want_out(ep, false);
	return true;
}

static size_t nlep_dump_room(const struct nlep *ep)
{
	size_t r = MIN(ep->max_recvmsg_len, (size_t)NLEP_DUMP_MAX);

	return MAX(r, (size_t)NLEP_GOODSIZE);
}

static int nlep_host_query(void *data, const void *req, size_t len,
			   GPtrArray **ret);

/**
 * nlep_take_request() - read one request datagram from P and answer it
 * @ep: the endpoint, with an empty overflow queue and no dump running
 *
 * Return: true when a datagram was taken.
 */
static bool nlep_take_request(struct nlep *ep)
{
	_cleanup_free_ char *buf = NULL;
	struct netstate_snapshot *snap;
	struct nlmsg_opts o;
	struct nlmsg_dump *d = NULL;
	ssize_t n;
	int r;

	/* Sized first: S's send buffer bounds a datagram, as the kernel's does. */
	n = recv(ep->pfd, NULL, 0, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC);
	if (n < 0)
		return false;
	buf = g_malloc((size_t)MIN(MAX(n, 1), NLEP_REQ_MAX));
	n = recv(ep->pfd, buf, (size_t)MIN(MAX(n, 1), NLEP_REQ_MAX),
		 MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return false;
	if (n > NLEP_REQ_MAX) {
		log_debug("endpoint %lu: %zd-byte request dropped",
			  (unsigned long)ep->ino, n);
		return true;
	}
	if (!ep->bound && nlep_bind_port(ep, 0) < 0)
		return true;
	o = (struct nlmsg_opts){
		.portid = ep->portid, .strict_chk = ep->strict,
		.ext_ack = ep->ext_ack, .cap_ack = ep->cap_ack,
	};
	snap = proxy_model_get(ep->hub->model);
	if (!snap)
		return true;
	r = nlmsg_request(snap, &o, buf, (size_t)n, nlep_host_query, ep,
			  nlep_emit, ep, &d);
	netstate_snapshot_unref(snap);
	if (r < 0)
		log_debug("endpoint %lu: request: %s", (unsigned long)ep->ino,
			  g_strerror(-r));
	ep->dump = d;
	return true;
}

/**
 * nlep_pump() - move everything that can move: overflow queue into P, the
 * next dump part, the next request
 * @ep: the endpoint (hub lock held)
 */
static void nlep_pump(struct nlep *ep)
{
	unsigned int rounds;

	for (rounds = 0; rounds < 4096; rounds++) {
		if (!nlep_flush(ep))
			return;
		if (ep->dump) {
			_cleanup_free_ char *part = NULL;
			struct netstate_snapshot *snap;
			size_t room = nlep_dump_room(ep);
			uint64_t gen = 0;
			ssize_t n;

			snap = proxy_model_get(ep->hub->model);
			if (snap) {
				gen = snap->generation;
				netstate_snapshot_unref(snap);
			}
			part = g_malloc(room);
			n = nlmsg_dump_next(ep->dump, gen, part, room);
			if (n > 0) {
				nlep_queue(ep, part, (size_t)n);
				continue;
			}
			if (n < 0)
				log_debug("endpoint %lu: dump: %s",
					  (unsigned long)ep->ino, g_strerror((int)-n));
			nlmsg_dump_free(ep->dump);
			ep->dump = NULL;
			continue;
		}
		if (!nlep_take_request(ep))
			return;
	}
}

/* ---- receiving --------------------------------------------------------- */

/**
 * nlep_group_of() - the multicast group a datagram was sent to, 0 for a
 * unicast reply
 * @buf: its first bytes
 * @len: how many
 *
 * Kernel notifications are multicast with nlmsg_pid 0; replies carry the
 * endpoint's port id, which is never 0.
 */
static unsigned int nlep_group_of(const uint8_t *buf, size_t len)
{
	struct nlmsghdr h;
	uint8_t family;

	if (len < sizeof(h) + 1)
		return 0;
	memcpy(&h, buf, sizeof(h));
	if (h.nlmsg_pid != 0)
		return 0;
	family = buf[sizeof(h)];
	switch (h.nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return RTNLGRP_LINK;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return family == AF_INET6 ? RTNLGRP_IPV6_IFADDR : RTNLGRP_IPV4_IFADDR;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return family == AF_INET6 ? RTNLGRP_IPV6_ROUTE : RTNLGRP_IPV4_ROUTE;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		return RTNLGRP_NEIGH;
	default:
		return 0;
	}
}

/**
 * nlep_recv_finish() - receive one datagram from S into the caller
 * @ep: the endpoint (hub lock held)
 * @sfd: our copy of S
 * @pid: the caller
 * @rv: the call's arguments
 *
 * Return: the syscall's result (length, or the real length with MSG_TRUNC),
 * -EAGAIN when nothing is queued, or -errno.
 */
static ssize_t nlep_recv_finish(struct nlep *ep, int sfd, pid_t pid,
				const struct nlep_recv *rv)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t cap = MIN(rv->total, (size_t)NLEP_DGRAM_MAX), copied;
	size_t got = MAX(cap, (size_t)64);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	unsigned int group;
	int mflags = 0, r;
	ssize_t n;

	if (ep->err) {
		r = -ep->err;
		ep->err = 0;
		return r;
	}
	buf = g_malloc(got);
	n = recv(sfd, buf, got, MSG_DONTWAIT | MSG_TRUNC |
		 (rv->flags & MSG_PEEK));
	if (n < 0)
		return errno == EAGAIN ? -EAGAIN : -errno;
	copied = MIN((size_t)n, cap);
	if ((size_t)n > cap)
		mflags |= MSG_TRUNC;
	group = nlep_group_of(buf, MIN((size_t)n, got));
	if (group && group <= 32)
		sa.nl_groups = 1u << (group - 1);
	r = nlep_poke_iov(pid, rv->iov, rv->n_iov, buf, copied);
	if (r < 0)
		return r;
	if (rv->name && rv->namelen > 0)
		r = nlep_poke(pid, rv->name, &sa, MIN((size_t)rv->namelen, sizeof(sa)));
	if (r == 0 && rv->name && rv->namelen_addr) {
		int nl = sizeof(sa);

		r = nlep_poke(pid, rv->namelen_addr, &nl, sizeof(nl));
	}
	if (r == 0 && rv->is_msg) {
		size_t used = 0;

		if (ep->pktinfo && rv->m.msg_control) {
			uint8_t cb[CMSG_SPACE(sizeof(struct nl_pktinfo))] = { 0 };
			struct cmsghdr *c = (struct cmsghdr *)cb;
			struct nl_pktinfo pi = { .group = group };

			c->cmsg_len = CMSG_LEN(sizeof(pi));
			c->cmsg_level = SOL_NETLINK;
			c->cmsg_type = NETLINK_PKTINFO;
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
			used = MIN(rv->m.msg_controllen, sizeof(cb));
			if (rv->m.msg_controllen < CMSG_LEN(sizeof(pi)))
				mflags |= MSG_CTRUNC;
			if (used < sizeof(struct cmsghdr))
				used = 0;
			r = nlep_poke(pid, (uint64_t)(uintptr_t)rv->m.msg_control,
				      cb, used);
		}
		if (r == 0)
			r = nlep_poke(pid, rv->msg_addr +
				      offsetof(struct msghdr, msg_controllen),
				      &used, sizeof(used));
		if (r == 0)
			r = nlep_poke(pid, rv->msg_addr +
				      offsetof(struct msghdr, msg_flags),
				      &mflags, sizeof(mflags));
	}
	if (r < 0)
		return r;
	return (rv->flags & MSG_TRUNC) ? n : (ssize_t)copied;
}

/**
 * nlep_read_recv_args() - copy a recvfrom/recvmsg call's arguments
 * @call: NLEP_RECVFROM or NLEP_RECVMSG
 * @req: the notification
 * @ret_rv: the arguments (nlep_recv_free())
 *
 * Return: 0 or -errno for the call (-EFAULT, -EINVAL, -EMSGSIZE); -ENOENT
 * when the target is gone (checked by the caller with NOTIF_ID_VALID).
 */
static int nlep_read_recv_args(enum nlep_call call,
			       const struct seccomp_notif *req,
			       struct nlep_recv **ret_rv)
{
	struct nlep_recv *rv = g_new0(struct nlep_recv, 1);
	pid_t pid = (pid_t)req->pid;
	size_t i;
	int r = 0;

	if (call == NLEP_RECVFROM) {
		rv->n_iov = 1;
		rv->iov = g_new0(struct iovec, 1);
		rv->iov[0].iov_base = (void *)(uintptr_t)req->data.args[1];
		rv->iov[0].iov_len = (size_t)req->data.args[2];
		rv->flags = (int)req->data.args[3];
		rv->name = req->data.args[4];
		rv->namelen_addr = req->data.args[5];
		if (rv->name) {
			r = nlep_peek(pid, rv->namelen_addr, &rv->namelen,
				      sizeof(rv->namelen));
			if (r == 0 && rv->namelen < 0)
				r = -EINVAL;
		}
	} else {
		rv->is_msg = true;
		rv->msg_addr = req->data.args[1];
		rv->flags = (int)req->data.args[2];
		r = nlep_peek(pid, rv->msg_addr, &rv->m, sizeof(rv->m));
		if (r == 0 && rv->m.msg_iovlen > NLEP_IOV_MAX)
			r = -EMSGSIZE;
		if (r == 0 && (int)rv->m.msg_namelen < 0)
			r = -EINVAL;
		if (r == 0) {
			rv->n_iov = rv->m.msg_iovlen;
			rv->iov = g_new0(struct iovec, MAX(rv->n_iov, (size_t)1));
			r = nlep_peek(pid, (uint64_t)(uintptr_t)rv->m.msg_iov,
				      rv->iov, rv->n_iov * sizeof(struct iovec));
		}
		rv->name = (uint64_t)(uintptr_t)rv->m.msg_name;
		rv->namelen = (int)MIN(rv->m.msg_namelen, 128u);
		rv->namelen_addr = rv->msg_addr + offsetof(struct msghdr, msg_namelen);
	}
	for (i = 0; r == 0 && i < rv->n_iov; i++) {
		if ((ssize_t)rv->iov[i].iov_len < 0)
			r = -EINVAL;
		else
			rv->total += rv->iov[i].iov_len;
	}
	if (r == 0 && rv->total > (size_t)INT32_MAX)
		rv->total = INT32_MAX;
	if (r < 0) {
		nlep_recv_free(rv);
		return r;
	}
	*ret_rv = rv;
	return 0;
}

static struct nlep *nlep_lookup(struct nlep_hub *h, ino_t ino)
{
	return ino ? g_hash_table_lookup(h->eps, &ino) : NULL;
}

/* ---- parked receives --------------------------------------------------- */

static void nlep_op_free(struct nlep_op *op)
{
	if (op->sfd >= 0)
		close(op->sfd);
	nlep_recv_free(op->rv);
	nlep_sandbox_unref(op->sb);
	g_free(op);
}

/**
 * nlep_wake() - complete parked receives of @ep while data is there
 * @ep: the endpoint (hub lock held)
 *
 * In the order they parked. A receive whose caller is gone is dropped
 * before it could take a datagram (a killed reader loses nothing).
 */
static void nlep_wake(struct nlep *ep)
{
	struct nlep_hub *h = ep->hub;
	GList *l, *next;

	for (l = h->parked.head; l; l = next) {
		struct nlep_op *op = l->data;
		ssize_t r;
		bool peek;

		next = l->next;
		if (op->ino != ep->ino)
			continue;
		peek = op->rv->flags & MSG_PEEK;
		if (nlep_id_valid(op->sb->listener, op->id) < 0) {
			g_queue_delete_link(&h->parked, l);
			nlep_op_free(op);
			continue;
		}
		r = nlep_recv_finish(ep, op->sfd, op->pid, op->rv);
		if (r == -EAGAIN)
			return;
		if (nlep_id_valid(op->sb->listener, op->id) == 0)
			(void)nlep_reply_val(op->sb->listener, op->id, r);
		g_queue_delete_link(&h->parked, l);
		nlep_op_free(op);
		if (!peek)
			nlep_pump(ep);
	}
}

/* Whether a caught, unblocked signal is pending for thread @pid. */
static bool nlep_signal_pending(pid_t pid)
{
	_cleanup_free_ char *st = NULL;
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

static gboolean nlep_sweep(gpointer data)
{
	struct nlep_hub *h = data;
	gint64 now = g_get_monotonic_time();
	GList *l, *next;
	gboolean keep;

	g_mutex_lock(&h->lock);
	for (l = h->parked.head; l; l = next) {
		struct nlep_op *op = l->data;
		int64_t ans = 1;

		next = l->next;
		if (nlep_id_valid(op->sb->listener, op->id) < 0)
			ans = 0;
		else if (op->deadline && now >= op->deadline)
			ans = -EAGAIN;
		else if (nlep_signal_pending(op->pid))
			ans = op->timeo ? -EINTR : -ERESTARTSYS;
		if (ans == 1)
			continue;
		if (ans < 0)
			(void)nlep_reply_val(op->sb->listener, op->id, ans);
		g_queue_delete_link(&h->parked, l);
		nlep_op_free(op);
	}
	keep = h->parked.length > 0;
	if (!keep) {
		g_source_unref(h->sweep);
		h->sweep = NULL;
	}
	g_mutex_unlock(&h->lock);
	return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/**
 * nlep_park() - park a blocking receive until data, timeout or signal
 * @sb: the sandbox
 * @req: the notification
 * @ep: the endpoint
 * @sfd: our copy of S (taken over)
 * @rv: the arguments (taken over)
 *
 * Return: 0 when parked, -errno to fail the call with.
 */
static int nlep_park(struct nlep_sandbox *sb, const struct seccomp_notif *req,
		     struct nlep *ep, int *sfd, struct nlep_recv **rv)
{
	struct nlep_hub *h = sb->hub;
	struct nlep_op *op;
	struct timeval tv = { 0 };
	socklen_t tl = sizeof(tv);

	if (h->parked.length >= NLEP_MAX_PARKED)
		return -ENOBUFS;
	op = g_new0(struct nlep_op, 1);
	op->sb = sb;
	g_atomic_int_inc(&sb->ref);
	op->id = req->id;
	op->pid = (pid_t)req->pid;
	op->ino = ep->ino;
	op->sfd = steal_fd(sfd);
	op->rv = g_steal_pointer(rv);
	if (getsockopt(op->sfd, SOL_SOCKET, SO_RCVTIMEO, &tv, &tl) == 0 &&
	    (tv.tv_sec || tv.tv_usec)) {
		op->timeo = true;
		op->deadline = g_get_monotonic_time() +
			       (gint64)tv.tv_sec * G_USEC_PER_SEC + tv.tv_usec;
	}
	g_queue_push_tail(&h->parked, op);
	if (!h->sweep) {
		h->sweep = g_timeout_source_new(NLEP_SWEEP_MS);
		g_source_set_callback(h->sweep, nlep_sweep, h, NULL);
		g_source_attach(h->sweep, h->ctx);
	}
	return 0;
}

/**
 * nlep_do_recv() - recvfrom/recvmsg on an endpoint
 * @sb: the sandbox
 * @ep: the endpoint (hub lock held)
 * @sfd: our copy of S (may be taken over when parked)
 * @call: which call
 * @req: the notification
 *
 * Return: the result to answer with, or 1 when parked.
 */
static int64_t nlep_do_recv(struct nlep_sandbox *sb, struct nlep *ep, int *sfd,
			    enum nlep_call call, const struct seccomp_notif *req)
{
	struct nlep_recv *rv = NULL;
	ssize_t n;
	int r, fl;

	r = nlep_read_recv_args(call, req, &rv);
	if (nlep_id_valid(sb->listener, req->id) < 0) {
		nlep_recv_free(rv);
		return 0;
	}
	if (r < 0)
		return r;
	ep->max_recvmsg_len = MAX(ep->max_recvmsg_len, rv->total);
	nlep_pump(ep);
	n = nlep_recv_finish(ep, *sfd, (pid_t)req->pid, rv);
	if (n == -EAGAIN) {
		fl = fcntl(*sfd, F_GETFL);
		if (!(rv->flags & MSG_DONTWAIT) && fl >= 0 && !(fl & O_NONBLOCK)) {
			r = nlep_park(sb, req, ep, sfd, &rv);
			nlep_recv_free(rv);
			return r == 0 ? 1 : r;
		}
	}
	/*
	 * A receive that dequeued (even one that then faulted, as the kernel's
	 * does) makes room: refill, and hand what arrived to receives other
	 * threads or processes of the sandbox parked on the same endpoint.
	 */
	if (n != -EAGAIN && !(rv->flags & MSG_PEEK)) {
		nlep_pump(ep);
		nlep_wake(ep);
	}
	nlep_recv_free(rv);
	return n;
}

/* ---- addresses and options -------------------------------------------- */

/**
 * nlep_put_addr() - write a sockaddr_nl as the kernel's move_addr_to_user()
 * @pid: the target
 * @addr: its buffer
 * @lenp: its length pointer
 * @sa: the address
 *
 * Return: 0 or -errno.
 */
static int nlep_put_addr(pid_t pid, uint64_t addr, uint64_t lenp,
			 const struct sockaddr_nl *sa)
{
	int len, klen = sizeof(*sa), r;

	r = nlep_peek(pid, lenp, &len, sizeof(len));
	if (r < 0)
		return r;
	if (len < 0)
		return -EINVAL;
	r = nlep_poke(pid, addr, sa, MIN((size_t)len, sizeof(*sa)));
	if (r < 0)
		return r;
	return nlep_poke(pid, lenp, &klen, sizeof(klen));
}

static int nlep_read_addr(pid_t pid, const struct seccomp_notif *req,
			  struct sockaddr_nl *sa, size_t *ret_len)
{
	size_t len = (size_t)(uint32_t)req->data.args[2];

	if ((int)len < 0)
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	*ret_len = len;
	return nlep_peek(pid, req->data.args[1], sa, MIN(len, sizeof(*sa)));
}

static pid_t nlep_inner_tgid(pid_t pid);

/* The caller's tgid becomes the first port id an autobind tries. */
static void nlep_set_binder(struct nlep *ep, const struct seccomp_notif *req)
{
	pid_t t;

	if (!ep->bound && (t = nlep_inner_tgid((pid_t)req->pid)) > 0)
		ep->owner_tgid = t;
}

static int nlep_do_bind(struct nlep *ep, const struct seccomp_notif *req)
{
	struct sockaddr_nl sa;
	size_t len;
	int r;

	r = nlep_read_addr((pid_t)req->pid, req, &sa, &len);
	if (r < 0)
		return r;
	if (len < sizeof(sa) || sa.nl_family != AF_NETLINK)
		return -EINVAL;
	if (ep->bound) {
		if (sa.nl_pid != ep->portid)
			return -EINVAL;
	} else {
		nlep_set_binder(ep, req);
		r = nlep_bind_port(ep, sa.nl_pid);
		if (r < 0)
			return r;
	}
	ep->groups = (ep->groups & ~(uint64_t)0xffffffffu) | sa.nl_groups;
	return 0;
}

static int nlep_do_connect(struct nlep *ep, const struct seccomp_notif *req)
{
	struct sockaddr_nl sa;
	size_t len;
	int r;

	r = nlep_read_addr((pid_t)req->pid, req, &sa, &len);
	if (r < 0)
		return r;
	if (len < sizeof(sa.nl_family))
		return -EINVAL;
	if (sa.nl_family == AF_UNSPEC) {
		ep->dst_pid = ep->dst_group = 0;
		return 0;
	}
	if (sa.nl_family != AF_NETLINK || len < sizeof(sa))
		return -EINVAL;
	nlep_set_binder(ep, req);
	if (!ep->bound && (r = nlep_bind_port(ep, 0)) < 0)
		return r;
	ep->dst_pid = sa.nl_pid;
	ep->dst_group = sa.nl_groups ? (uint32_t)__builtin_ffs((int)sa.nl_groups) : 0;
	return 0;
}

static int nlep_do_name(struct nlep *ep, enum nlep_call call,
			const struct seccomp_notif *req)
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
	return nlep_put_addr((pid_t)req->pid, req->data.args[1],
			     req->data.args[2], &sa);
}

static void nlep_set_rcvbuf(struct nlep *ep, int val, bool force)
{
	int cap = force ? INT32_MAX / 2 : ep->hub->rmem_max;
	int v = MIN(MAX(val, 0), cap);
	int snd = MIN(v, (int)NLEP_BACKLOG_MAX);

	ep->rcvbuf = MAX(v * 2, NLEP_SOCK_MIN_RCVBUF);
	/* P's send buffer is what S's receive queue can hold. */
	if (setsockopt(ep->pfd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		(void)setsockopt(ep->pfd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
}

/* Return: 0, -errno, or NOTIFY_CONTINUE-like 1 (let the kernel do it on S). */
static int nlep_do_setsockopt(struct nlep *ep, const struct seccomp_notif *req)
{
	int level = (int)req->data.args[1], name = (int)req->data.args[2];
	uint32_t optlen = (uint32_t)req->data.args[4];
	int val = 0, r;
	bool *flag = NULL;

	if (level == SOL_SOCKET) {
		if (name != SO_RCVBUF && name != SO_RCVBUFFORCE &&
		    name != SO_SNDBUF && name != SO_SNDBUFFORCE)
			return 1;
		if (optlen < sizeof(int))
			return -EINVAL;
		r = nlep_peek((pid_t)req->pid, req->data.args[3], &val, sizeof(val));
		if (r < 0)
			return r;
		if (name == SO_RCVBUF || name == SO_RCVBUFFORCE)
			nlep_set_rcvbuf(ep, val, name == SO_RCVBUFFORCE);
		else
			ep->sndbuf = MAX(MIN(MAX(val, 0), name == SO_SNDBUFFORCE ?
					     INT32_MAX / 2 : ep->hub->wmem_max) * 2,
					 4608);
		return 0;
	}
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (optlen >= sizeof(int)) {
		r = nlep_peek((pid_t)req->pid, req->data.args[3], &val, sizeof(val));
		if (r < 0)
			return r;
	}
	switch (name) {
	case NETLINK_ADD_MEMBERSHIP:
	case NETLINK_DROP_MEMBERSHIP:
		if (optlen < sizeof(int))
			return -EINVAL;
		if (val < 1 || val > MIN(RTNLGRP_MAX, NLEP_NGROUPS))
			return -EINVAL;
		if (!ep->bound && (r = nlep_bind_port(ep, 0)) < 0)
			return r;
		if (name == NETLINK_ADD_MEMBERSHIP)
			ep->groups |= (uint64_t)1 << (val - 1);
		else
			ep->groups &= ~((uint64_t)1 << (val - 1));
		return 0;
	case NETLINK_PKTINFO: flag = &ep->pktinfo; break;
	case NETLINK_BROADCAST_ERROR: flag = &ep->bcast_err; break;
	case NETLINK_NO_ENOBUFS: flag = &ep->no_enobufs; break;
	case NETLINK_LISTEN_ALL_NSID: flag = &ep->all_nsid; break;
	case NETLINK_CAP_ACK: flag = &ep->cap_ack; break;
	case NETLINK_EXT_ACK: flag = &ep->ext_ack; break;
	case NETLINK_GET_STRICT_CHK: flag = &ep->strict; break;
	default:
		return -ENOPROTOOPT;
	}
	if (optlen < sizeof(int))
		return -EINVAL;
	*flag = val != 0;
	if (name == NETLINK_NO_ENOBUFS && val)
		ep->err = 0;
	return 0;
}

static int nlep_do_getsockopt(struct nlep *ep, const struct seccomp_notif *req)
{
	int level = (int)req->data.args[1], name = (int)req->data.args[2];
	pid_t pid = (pid_t)req->pid;
	uint64_t optval = req->data.args[3], lenp = req->data.args[4];
	uint32_t groups[(NLEP_NGROUPS + 31) / 32];
	int len, val, r;

	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_DOMAIN: val = AF_NETLINK; break;
		case SO_PROTOCOL: val = NETLINK_ROUTE; break;
		case SO_TYPE: val = ep->type; break;
		case SO_RCVBUF: val = ep->rcvbuf; break;
		case SO_SNDBUF: val = ep->sndbuf; break;
		case SO_ERROR: val = ep->err; ep->err = 0; break;
		default:
			return 1;
		}
	} else if (level != SOL_NETLINK) {
		return -EOPNOTSUPP;
	} else {
		switch (name) {
		case NETLINK_PKTINFO: val = ep->pktinfo; break;
		case NETLINK_BROADCAST_ERROR: val = ep->bcast_err; break;
		case NETLINK_NO_ENOBUFS: val = ep->no_enobufs; break;
		case NETLINK_LISTEN_ALL_NSID: val = ep->all_nsid; break;
		case NETLINK_CAP_ACK: val = ep->cap_ack; break;
		case NETLINK_EXT_ACK: val = ep->ext_ack; break;
		case NETLINK_GET_STRICT_CHK: val = ep->strict; break;
		case NETLINK_LIST_MEMBERSHIPS:
			r = nlep_peek(pid, lenp, &len, sizeof(len));
			if (r < 0)
				return r;
			if (len < 0)
				return -EINVAL;
			groups[0] = (uint32_t)ep->groups;
			groups[1] = (uint32_t)(ep->groups >> 32);
			/* The kernel reports ALIGN(BITS_TO_BYTES(ngroups), 4). */
			val = ((RTNLGRP_MAX + 7) / 8 + 3) & ~3;
			val = MIN(val, (int)sizeof(groups));
			r = nlep_poke(pid, optval, groups, MIN((size_t)len, (size_t)val));
			if (r < 0)
				return r;
			return nlep_poke(pid, lenp, &val, sizeof(val));
		default:
			return -ENOPROTOOPT;
		}
	}
	r = nlep_peek(pid, lenp, &len, sizeof(len));
	if (r < 0)
		return r;
	if (len < (int)sizeof(int))
		return -EINVAL;
	len = sizeof(int);
	r = nlep_poke(pid, optval, &val, sizeof(val));
	if (r < 0)
		return r;
	return nlep_poke(pid, lenp, &len, sizeof(len));
}

/**
 * nlep_do_call() - answer a trapped call on an fd in the endpoint range
 * @sb: the caller's sandbox
 * @call: which call
 * @req: the notification
 *
 * An fd in the range that is not an endpoint (an ordinary socket a program
 * opened there) is let through with CONTINUE: nothing is decided on it.
 *
 * Return: 0 when answered, 1 for CONTINUE, or -errno to fail the call with.
 */
int nlep_do_call(struct nlep_sandbox *sb, enum nlep_call call,
		 const struct seccomp_notif *req)
{
	struct nlep_hub *h = sb->hub;
	_cleanup_close_ int sfd = -1;
	struct nlep *ep;
	ino_t ino = 0;
	int64_t r;

	r = nlep_getfd((pid_t)req->pid, (int)req->data.args[0], &sfd, &ino);
	if (r == -ENOENT || nlep_id_valid(sb->listener, req->id) < 0)
		return 0;
	if (r < 0)
		return r == -EBADF ? 1 : (int)r;
	g_mutex_lock(&h->lock);
	ep = nlep_lookup(h, ino);
	if (!ep || ep->sb != sb) {
		g_mutex_unlock(&h->lock);
		return 1;
	}
	switch (call) {
	case NLEP_BIND: r = nlep_do_bind(ep, req); break;
	case NLEP_CONNECT: r = nlep_do_connect(ep, req); break;
	case NLEP_GETSOCKNAME:
	case NLEP_GETPEERNAME: r = nlep_do_name(ep, call, req); break;
	case NLEP_SETSOCKOPT: r = nlep_do_setsockopt(ep, req); break;
	case NLEP_GETSOCKOPT: r = nlep_do_getsockopt(ep, req); break;
	case NLEP_RECVFROM:
	case NLEP_RECVMSG:
		r = nlep_do_recv(sb, ep, &sfd, call, req);
		if (r == 1) {
			g_mutex_unlock(&h->lock);
			return 0; /* parked */
		}
		break;
	case NLEP_N_CALLS:
	default:
		r = -ENOSYS;
		break;
	}
	g_mutex_unlock(&h->lock);
	if (r == 1)
		return 1;
	if (r == -ENOENT && nlep_id_valid(sb->listener, req->id) < 0)
		return 0;
	(void)nlep_reply_val(sb->listener, req->id, r);
	return 0;
}

/* ---- endpoints --------------------------------------------------------- */

static void nlep_free(struct nlep *ep)
{
	GBytes *b;

	while ((b = g_queue_pop_head(&ep->out)))
		g_bytes_unref(b);
	if (ep->dump)
		nlmsg_dump_free(ep->dump);
	if (ep->bound)
		g_hash_table_remove(ep->sb->ports, GUINT_TO_POINTER(ep->portid));
	ep->sb->n_eps--;
	ep->hub->n_eps--;
	close(ep->pfd);
	nlep_sandbox_unref(ep->sb);
	g_free(ep);
}

static gboolean nlep_src_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
	struct nlep *ep = data;
	struct nlep_hub *h = ep->hub;
	GIOCondition c = g_source_query_unix_fd(s, ep->tag);

	(void)cb;
	g_mutex_lock(&h->lock);
	if (c & (G_IO_HUP | G_IO_ERR)) {
		g_hash_table_remove(h->eps, &ep->ino);
		log_debug("endpoint %lu released", (unsigned long)ep->ino);
		g_source_destroy(ep->src);
		g_source_unref(ep->src);
		ep->src = NULL;
		nlep_free(ep);
		g_mutex_unlock(&h->lock);
		return G_SOURCE_REMOVE;
	}
	nlep_pump(ep);
	nlep_wake(ep);
	g_mutex_unlock(&h->lock);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs nlep_src_funcs = {
	.dispatch = nlep_src_dispatch,
};

/* The caller's tgid as the caller sees it (innermost pid namespace). */
static pid_t nlep_inner_tgid(pid_t pid)
{
	_cleanup_free_ char *st = NULL;
	char path[64];
	const char *p;
	size_t len;
	long v = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (util_read_file_bounded(path, 16384, &st, &len, NULL) < 0)
		return 0;
	p = strstr(st, "\nNStgid:");
	if (!p)
		return 0;
	for (p += 8; *p && *p != '\n';) {
		char *end;
		long x = strtol(p, &end, 10);

		if (end == p)
			break;
		v = x;
		p = end;
	}
	return (pid_t)v;
}

/**
 * nlep_pick_slot() - the highest free fd number of the range the target
 * can hold
 * @pid: the calling thread
 *
 * Reads /proc/PID/fd: SETFD replaces an fd that exists, so a number in use
 * is never chosen. A thread of the target opening that very number between
 * this check and ADDFD (only possible when every lower number is taken) is
 * a race this cannot close.
 *
 * Return: the number, -EMFILE when the range is full or above the target's
 * soft RLIMIT_NOFILE, or -ENOENT.
 */
static int nlep_pick_slot(pid_t pid)
{
	struct rlimit rl;
	char path[64];
	int hi = LXNET_NLEP_FD_BASE + LXNET_NLEP_FD_COUNT, fd;

	if (prlimit(pid, RLIMIT_NOFILE, NULL, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)hi)
		hi = (int)rl.rlim_cur;
	for (fd = hi - 1; fd >= LXNET_NLEP_FD_BASE; fd--) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
		if (faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				return fd;
			return -ENOENT;
		}
	}
	return -EMFILE;
}

/**
 * nlep_do_socket() - socket(AF_NETLINK, @type, NETLINK_ROUTE)
 * @sb: the caller's sandbox
 * @req: the notification
 * @type: SOCK_RAW or SOCK_DGRAM with SOCK_NONBLOCK/SOCK_CLOEXEC
 * @protocol: NETLINK_ROUTE
 *
 * Return: 0 when answered, 1 for CONTINUE (types the kernel refuses get the
 * kernel's errno), or -errno.
 */
int nlep_do_socket(struct nlep_sandbox *sb, const struct seccomp_notif *req,
		   int type, int protocol)
{
	struct nlep_hub *h = sb->hub;
	_cleanup_close_ int s = -1;
	int base = type & 0xf, sp[2], slot, r;
	struct seccomp_notif_addfd add = { .id = req->id };
	struct stat st;
	struct nlep *ep;

	if (protocol != NETLINK_ROUTE || (base != SOCK_RAW && base != SOCK_DGRAM) ||
	    (type & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC)))
		return 1;
	slot = nlep_pick_slot((pid_t)req->pid);
	if (nlep_id_valid(sb->listener, req->id) < 0)
		return 0;
	if (slot < 0)
		return slot == -ENOENT ? 0 : slot;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	s = sp[1];
	if (fcntl(sp[0], F_SETFL, O_NONBLOCK) < 0 ||
	    ((type & SOCK_NONBLOCK) && fcntl(s, F_SETFL, O_NONBLOCK) < 0) ||
	    fstat(s, &st) < 0) {
		r = -errno;
		close(sp[0]);
		return r;
	}
	g_mutex_lock(&h->lock);
	if (h->n_eps >= NLEP_MAX_ENDPOINTS || sb->n_eps >= NLEP_MAX_PER_SANDBOX) {
		g_mutex_unlock(&h->lock);
		close(sp[0]);
		return -ENOBUFS;
	}
	ep = g_new0(struct nlep, 1);
	ep->hub = h;
	ep->sb = sb;
	g_atomic_int_inc(&sb->ref);
	ep->ino = st.st_ino;
	ep->pfd = sp[0];
	ep->type = base;
	ep->owner_tgid = nlep_inner_tgid((pid_t)req->pid);
	ep->sndbuf = h->wmem_default * 2;
	g_queue_init(&ep->out);
	nlep_set_rcvbuf(ep, h->rmem_default, false);
	ep->rcvbuf = h->rmem_default; /* the kernel's default is not doubled */
	sb->n_eps++;
	h->n_eps++;
	g_hash_table_insert(h->eps, &ep->ino, ep);
	ep->src = g_source_new(&nlep_src_funcs, sizeof(GSource));
	ep->tag = g_source_add_unix_fd(ep->src, ep->pfd,
				       G_IO_IN | G_IO_HUP | G_IO_ERR);
	g_source_set_callback(ep->src, NULL, ep, NULL);
	g_source_attach(ep->src, h->ctx);
	g_mutex_unlock(&h->lock);

	add.flags = SECCOMP_ADDFD_FLAG_SETFD | SECCOMP_ADDFD_FLAG_SEND;
	add.srcfd = (uint32_t)s;
	add.newfd = (uint32_t)slot;
	add.newfd_flags = (type & SOCK_CLOEXEC) ? O_CLOEXEC : 0;
	r = ioctl(sb->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	/* On failure S is closed here and P's POLLHUP releases the endpoint. */
	if (r < 0)
		return errno == ENOENT ? 0 : -errno;
	log_debug("endpoint %lu at fd %d of pid %u", (unsigned long)st.st_ino,
		  slot, req->pid);
	return 0;
}

/* ---- ip route get: ask the host kernel -------------------------------- */

/* Whether datagram @buf of @n bytes ends an answer: NLMSG_DONE or NLMSG_ERROR. */
static bool nlep_host_dgram_ends(const uint8_t *buf, size_t n)
{
	const struct nlmsghdr *h = (const void *)buf;
	size_t left = n;

	for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
			return true;
	return false;
}

/**
 * nlep_host_query() - send a request to the host's NETLINK_ROUTE and collect
 * its answer (nlmsg_host_query_fn)
 * @data: the endpoint (unused)
 * @req: the request
 * @len: its length
 * @ret: reply datagrams
 *
 * Without NLM_F_DUMP: one reply datagram, plus the ack when the request
 * asked for one. With NLM_F_DUMP: every part up to the one holding
 * NLMSG_DONE (or an NLMSG_ERROR), at most NLEP_HOST_PARTS datagrams and
 * NLEP_BACKLOG_MAX bytes. Each receive is bounded by a one-second timeout
 * (the kernel answers at once); runs under the hub lock.
 * Return: 0 or -errno (-EMSGSIZE past the bounds).
 */
static int nlep_host_query(void *data, const void *req, size_t len,
			   GPtrArray **ret)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 1 };
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(
		(GDestroyNotify)g_bytes_unref);
	const struct nlmsghdr *h = req;
	unsigned int want, i;
	size_t total = 0;
	bool dump;
	_cleanup_free_ uint8_t *buf = g_malloc(NLEP_DGRAM_MAX);

	(void)data;
	if (len < sizeof(*h))
		return -EINVAL;
	dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	want = dump ? NLEP_HOST_PARTS : (h->nlmsg_flags & NLM_F_ACK) ? 2 : 1;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, req, len, 0, (struct sockaddr *)&k, sizeof(k)) < 0)
		return -errno;
	for (i = 0; i < want; i++) {
		ssize_t n = recv(fd, buf, NLEP_DGRAM_MAX, MSG_TRUNC);
		const struct nlmsghdr *r = (const void *)buf;

		if (n < 0)
			return -errno;
		if (n > NLEP_DGRAM_MAX || total + (size_t)n > NLEP_BACKLOG_MAX)
			return -EMSGSIZE;
		total += (size_t)n;
		g_ptr_array_add(out, g_bytes_new(buf, (size_t)n));
		if (dump ? nlep_host_dgram_ends(buf, (size_t)n) :
		    (size_t)n >= sizeof(*r) && r->nlmsg_type == NLMSG_ERROR)
			break;
	}
	if (dump && i == want)
		return -EMSGSIZE;
	*ret = g_steal_pointer(&out);
	return 0;
}

/* ---- multicast ----------------------------------------------------------- */

/**
 * nlep_mcast() - queue one notification on a subscribed endpoint
 * @ep: the endpoint (hub lock held)
 * @buf: the message
 * @len: its length
 *
 * Into P when the overflow queue is empty and P takes it, else into the
 * overflow queue up to the endpoint's bound; past it the message is
 * dropped and the next receive fails ENOBUFS (unless NETLINK_NO_ENOBUFS).
 */
static void nlep_mcast(struct nlep *ep, const void *buf, size_t len)
{
	if (g_queue_is_empty(&ep->out) &&
	    send(ep->pfd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return;
	if (ep->out_bytes + len <= nlep_backlog_max(ep)) {
		nlep_queue(ep, buf, len);
		nlep_set_want_out(ep, true);
		return;
	}
	if (!ep->no_enobufs)
		ep->err = ENOBUFS;
}

static void nlep_on_event(const struct netstate_event *ev, void *data)
{
	struct nlep_hub *h = data;
	_cleanup_free_ char *buf = g_malloc(NLEP_DUMP_MAX);
	GHashTableIter it;
	gpointer k, v;
	size_t i;

	g_mutex_lock(&h->lock);
	if (g_hash_table_size(h->eps) == 0) {
		g_mutex_unlock(&h->lock);
		return;
	}
	for (i = 0; i < ev->n_changes; i++) {
		const struct ns_change *c = &ev->changes[i];
		uint64_t g = nlmsg_change_groups(c);
		ssize_t n = -1;

		g_hash_table_iter_init(&it, h->eps);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			struct nlep *ep = v;

			if (!(ep->groups & g))
				continue;
			if (n < 0)
				n = nlmsg_change_encode(ev->snap, c, buf, NLEP_DUMP_MAX);
			if (n <= 0)
				break;
			nlep_mcast(ep, buf, (size_t)n);
		}
	}
	g_hash_table_iter_init(&it, h->eps);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct nlep *ep = v;

		if (ev->changes_lost && ep->groups && !ep->no_enobufs)
			ep->err = ENOBUFS;
		if (ep->groups)
			nlep_wake(ep);
	}
	g_mutex_unlock(&h->lock);
}

/* ---- hub and sandboxes ------------------------------------------------- */

static int nlep_sysctl(const char *name, int dflt)
{
	_cleanup_free_ char *s = NULL;
	char path[96];
	size_t len;

	snprintf(path, sizeof(path), "/proc/sys/net/core/%s", name);
	if (util_read_file_bounded(path, 64, &s, &len, NULL) < 0)
		return dflt;
	return MAX(atoi(s), 256);
}

/**
 * nlep_hub_new() - the endpoints' shared state, subscribed to the model
 * @model: the proxy's model (started)
 * @ctx: the main context (where endpoint sources and the sweep run)
 * @ret_hub: the hub
 *
 * Runs on the main loop's thread at start-up.
 * Return: 0 or -errno.
 */
int nlep_hub_new(struct proxy_model *model, GMainContext *ctx,
		 struct nlep_hub **ret_hub)
{
	struct nlep_hub *h = g_new0(struct nlep_hub, 1);

	g_mutex_init(&h->lock);
	h->model = model;
	h->ctx = g_main_context_ref(ctx);
	h->eps = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_queue_init(&h->parked);
	h->rmem_default = nlep_sysctl("rmem_default", 212992);
	h->rmem_max = nlep_sysctl("rmem_max", 212992);
	h->wmem_default = nlep_sysctl("wmem_default", 212992);
	h->wmem_max = nlep_sysctl("wmem_max", 212992);
	if (model && model->ns)
		h->sub = netstate_subscribe(model->ns, nlep_on_event, h);
	*ret_hub = h;
	return 0;
}

/**
 * nlep_hub_free() - at exit, after the serving threads are gone or stopped
 * @h: the hub (NULL is fine)
 *
 * Endpoints still open are left to process exit (their fds close with it).
 */
void nlep_hub_free(struct nlep_hub *h)
{
	if (!h)
		return;
	if (h->sub && h->model && h->model->ns)
		netstate_unsubscribe(h->model->ns, h->sub);
	h->sub = 0;
	if (h->sweep) {
		g_source_destroy(h->sweep);
		g_source_unref(h->sweep);
		h->sweep = NULL;
	}
	/* Endpoint sources still point here while endpoints live. */
	if (h->n_eps || !g_queue_is_empty(&h->parked))
		return;
	g_hash_table_unref(h->eps);
	g_main_context_unref(h->ctx);
	g_mutex_clear(&h->lock);
	g_free(h);
}

/**
 * nlep_sandbox_new() - the endpoint state of one listener
 * @h: the hub
 * @listener: the listener fd (duplicated: parked receives outlive the
 *	serving thread's own fd by at most their sweep)
 *
 * Return: a reference, or NULL when the dup failed.
 */
struct nlep_sandbox *nlep_sandbox_new(struct nlep_hub *h, int listener)
{
	struct nlep_sandbox *sb;
	int fd = fcntl(listener, F_DUPFD_CLOEXEC, 3);

	if (fd < 0)
		return NULL;
	sb = g_new0(struct nlep_sandbox, 1);
	sb->ref = 1;
	sb->hub = h;
	sb->listener = fd;
	sb->ports = g_hash_table_new(g_direct_hash, g_direct_equal);
	sb->rover = -4096;
	return sb;
}

void nlep_sandbox_unref(struct nlep_sandbox *sb)
{
	if (!sb || !g_atomic_int_dec_and_test(&sb->ref))
		return;
	close(sb->listener);
	g_hash_table_unref(sb->ports);
	g_free(sb);
}
