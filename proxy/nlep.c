// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlep.c - emulated NETLINK_ROUTE endpoints: objects, queues, multicast, port ids */
/*
 * Theory of operation
 *
 * socket(AF_NETLINK, SOCK_RAW|SOCK_DGRAM, NETLINK_ROUTE) in a sandbox is
 * answered with one end ("S") of an AF_UNIX SOCK_SEQPACKET pair, installed
 * with SECCOMP_ADDFD_FLAG_SETFD at the highest free number of the reserved
 * range (seccomp_filter.h) below the caller's soft RLIMIT_NOFILE; the proxy
 * keeps the other end ("P"). An endpoint is keyed by S's inode.
 *
 * Data path:
 *  - sends are NOT trapped: send/sendto/sendmsg/write/writev on S are the
 *    kernel's AF_UNIX calls (a seqpacket socket ignores a destination
 *    address), so iovecs, EFAULT, lying lengths, MSG_DONTWAIT and blocking
 *    on a full queue are native. Requests arrive on P; the main loop (P
 *    readable) or the next trapped receive (whichever comes first) hands
 *    each datagram to nlmsg_request() with the hub lock RELEASED (the
 *    endpoint is marked busy so its requests stay in order): a host query
 *    (`ip route get`, netconf, rules) waits for the host kernel there, on a
 *    non-blocking socket with one NLEP_HOST_TIMEOUT_MS deadline per query,
 *    and ends at the datagram holding NLMSG_DONE or NLMSG_ERROR. Any
 *    NLM_F_DUMP bit makes a dump, in nlmsg.c and here, as in the kernel's
 *    rtnetlink_rcv_msg().
 *  - replies, dump parts and multicast messages are written into P, so
 *    they sit in S's receive queue: poll/select/epoll readiness, FIONREAD
 *    and read(2) are native and true. What P cannot take (its SO_SNDBUF is
 *    the endpoint's SO_RCVBUF) waits in a per-endpoint overflow queue.
 *    Replies and notifications are bounded as netlink_unicast() bounds
 *    them: past the endpoint's SO_RCVBUF in the overflow queue (so at most
 *    about twice SO_RCVBUF in all, with P's buffer), or past its sandbox's
 *    NLEP_SANDBOX_BYTES or the proxy's NLEP_PROXY_BYTES, the datagram is
 *    dropped and the next receive fails ENOBUFS (unless NETLINK_NO_ENOBUFS).
 *    Dump parts are generated only when the overflow queue is empty
 *    (nlmsg_dump_next() on demand: the dump pauses until read, as the
 *    kernel's), so a 10,000-route dump never sits in memory; a part that
 *    cannot be generated ends the dump with an NLMSG_DONE carrying the
 *    error. A request is taken from P only when the overflow queue is
 *    empty and no dump runs: a sandbox that sends without reading blocks
 *    in its own sendmsg, exactly like a full socket.
 *  - recvfrom/recvmsg ARE trapped: the proxy takes its own copy of S with
 *    pidfd_getfd(), dequeues the datagram into a private buffer
 *    (MSG_PEEK, MSG_TRUNC as asked) and writes it into the caller's
 *    iovecs, filling in what AF_UNIX cannot: a struct sockaddr_nl (nl_pid
 *    0, nl_groups the multicast group's bit), msg_namelen 12,
 *    NETLINK_PKTINFO, and a pending ENOBUFS. Which group a datagram was
 *    sent to is read from the datagram itself (a kernel notification
 *    carries nlmsg_pid 0, a reply the endpoint's port id), so a native
 *    read(2) cannot desynchronise it.
 *  - the caller's memory is reached only through target.c: /proc/PID/mem
 *    opened per notification and proven the caller's by NOTIF_ID_VALID
 *    after the open (the fd holds the caller's mm, so a reused pid is
 *    never written), read and written with pread/pwrite; writes only to
 *    pages mapped writable, as copy_to_user() would fault. Every argument
 *    is read before the hub lock is taken and every result written after
 *    it is released: under the lock only private buffers and the
 *    endpoint's queues move, so a caller whose memory faults slowly (a
 *    FUSE-backed page) stalls only its own sandbox's serving thread.
 *  - a blocking receive with nothing queued parks the notification with
 *    its /proc/PID/mem fd (bounded: NLEP_MAX_PARKED_PER_SANDBOX per
 *    sandbox, NLEP_MAX_PARKED per proxy; past either the receive fails
 *    ENOBUFS): it is completed when a datagram arrives (dequeued under
 *    the lock, written out after it), answered EAGAIN when SO_RCVTIMEO
 *    (read from S) expires, and dropped when SECCOMP_IOCTL_NOTIF_ID_VALID
 *    says the caller is gone. The filter waits killably
 *    (WAIT_KILLABLE_RECV), so a caught signal would stay pending while
 *    parked: a sweep every NLEP_SWEEP_MS, run only while something is
 *    parked, answers -ERESTARTSYS (or -EINTR with a timeout, as the
 *    kernel's sock_intr_errno()) to a caller with a pending caught signal,
 *    so handlers run and SA_RESTART restarts the call.
 *  - close() is not trapped: when every sandbox copy of S is gone, P sees
 *    POLLHUP and the main loop releases the endpoint and its port id.
 *  - the pump runs after every event that can make room: P writable
 *    (G_IO_OUT, watched only while something waits), P readable (a new
 *    request), a trapped receive that dequeued (even one that then faulted
 *    with EFAULT: the datagram is gone, as in the kernel's
 *    netlink_recvmsg()), and each completed parked receive. A native
 *    read(2) that drains S is seen through P's G_IO_OUT, so a reader that
 *    never makes a trapped call still gets every part.
 *  - requests are read from P whole, sized first with MSG_PEEK|MSG_TRUNC.
 *    S's real SO_SNDBUF (the kernel's default: SO_SNDBUF on an endpoint is
 *    emulated) bounds them natively, a send past it failing EMSGSIZE as
 *    on a netlink socket. One limit, NLMSG_REQ_MAX (nlmsg.h), holds for
 *    nlep.c and nlmsg.c; it is above any buffer a sender without
 *    CAP_NET_ADMIN can set with the default net.core.wmem_max. A datagram
 *    past it (possible only through a copy of S outside the range, below)
 * *    is discarded and the next receive fails ENOBUFS, never silently (S
 *    is made readable for it). NLMSG_REQ_MAX is a constant: on a host
 *    whose net.core.wmem_max is raised (this one's is 4 MiB), a sender
 *    can natively send larger requests, which the kernel would answer and
 *    the proxy refuses with ENOBUFS.
 *
 * Copies of S: fork() and SCM_RIGHTS keep the fd number, and a dup2/dup3
 * or F_DUPFD onto a number inside the range keeps it trapped: such copies
 * are the same endpoint (one port id, one queue, one set of groups, as one
 * kernel socket); receives from several processes or threads are served
 * in the order they parked, each datagram to exactly one of them. A copy
 * OUTSIDE the range (dup() returns the lowest free number, e.g. 3) is not
 * trapped and behaves as the AF_UNIX socket it is:
 *  - works: send/write (requests are answered), read/recv without an
 *    address, poll readiness, close (the endpoint lives while any copy
 *    does);
 *  - differs: getsockname/getpeername give an empty AF_UNIX address;
 *    recvfrom/recvmsg give msg_namelen 0, no NETLINK_PKTINFO and no
 *    pending ENOBUFS; bind/connect/setsockopt/getsockopt get AF_UNIX
 *    answers (and SO_SNDBUF/SO_RCVBUF change S's real buffers);
 *    shutdown(SHUT_RDWR) makes P see POLLHUP, so the endpoint and its port
 *    id are released while S is still open (later receives see EOF).
 * Trapping dup/dup2/dup3/fcntl(F_DUPFD*) to place such copies in the range
 * would need filter rules on every process's dup calls (seccomp_filter.c,
 * notify.c) and an ADDFD per copy; it is not done: programs that hand a
 * netlink fd through dup() to code that needs netlink addresses are rare
 * (iproute2, glibc's getifaddrs and Python's socket module, as tested here,
 * use the fd they opened).
 *
 * Bounds (nlep.h): NLEP_MAX_ENDPOINTS per proxy and NLEP_MAX_PER_SANDBOX
 * per listener (socket() fails ENOBUFS past them); the fd range
 * (LXNET_NLEP_FD_COUNT numbers per process, EMFILE past it); parked
 * receives (above); overflow queue bytes (above); a host query holds at
 * most NLEP_HOST_PARTS datagrams and NLEP_BACKLOG_MAX bytes; a request at
 * most NLMSG_REQ_MAX. SO_RCVBUFFORCE/SO_SNDBUFFORCE need CAP_NET_ADMIN in
 * the proxy's user namespace (EPERM otherwise, as sock_setsockopt()'s
 * capable() check; a sandbox never has it).
 *
 * Architectures: only native (x86_64) callers reach this file. i386
 * (socketcall) and x32 programs are not trapped for netlink, since the
 * proxy reads struct msghdr and iovecs in its own layout: their
 * socket(AF_NETLINK, ..., NETLINK_ROUTE) is the kernel's own, in the
 * sandbox's network namespace (which shows only its lo). SIOCGIF* ioctls
 * are answered for them (ifioctl.c), so ifconfig-style tools still agree.
 *
 * Limits, documented: recvmmsg() and readv() are native (no source
 * address, no ENOBUFS); copies of S outside the range (above);
 * SO_ATTACH_FILTER and the other SOL_SOCKET options the proxy does not
 * emulate are applied natively to S (classic BPF runs on the same bytes);
 * NETLINK_LISTEN_ALL_NSID is accepted and has no effect (the model has one
 * namespace). A request sent while a dump is being read waits for its end
 * instead of getting EBUSY. poll() on S does not report a pending ENOBUFS
 * as POLLERR: an overrun leaves S readable anyway (the next receive
 * reports it), and a refused request makes S readable with a zero-length
 * datagram (nlep_err_wakeup()). The main loop answers requests too
 * (for readers that only read(2)), so a host query can hold it up to
 * NLEP_HOST_TIMEOUT_MS (the host kernel answers at once in practice).
 *
 * Locking: one hub mutex guards every endpoint, port id table, parked
 * operation and byte counter; it is never held while a caller's memory is
 * touched or the host kernel is asked. Endpoints are reference counted
 * (the hub's table, plus each thread working on one with the lock
 * released); the main loop drops the table's reference on POLLHUP and the
 * last reference frees. The hub itself is freed at exit only when no
 * serving thread is left (lxnet-proxy.c), else left to process exit.
 */
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
#include "nlmsg.h"
#include "nlmsg_int.h"
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
#define NLEP_HOST_PARTS 4096          /* datagrams of one host dump */
#define NLEP_HOST_TIMEOUT_MS 500      /* one host query, all its datagrams */
#define NLEP_IOV_MAX 1024             /* UIO_MAXIOV */
#define NLEP_RW_MAX (INT32_MAX & ~4095) /* MAX_RW_COUNT (4 KiB pages) */
#define NLEP_ADDR_MAX 128             /* sizeof(struct sockaddr_storage) */
#define NLEP_GOODSIZE 3776            /* SKB_WITH_OVERHEAD(4096) */
#define NLEP_DUMP_MAX 32448           /* SKB_WITH_OVERHEAD(32768) */
#define NLEP_SOCK_MIN_RCVBUF 2304
#define NLEP_NGROUPS 64               /* groups a mask holds */
#define NLEP_ROVER_START 0xfffff000u  /* -4096: netlink_autobind()'s rover */
#define NLEP_ROVER_LAST 0x80000000u   /* INT32_MIN, where it wraps back */
#define NLEP_CAP_NET_ADMIN 12
#define NLEP_PARKED ((int64_t)1 << 40) /* a receive was parked */
#define NLEP_TASKS 8                  /* callers cached per sandbox */
#define NLEP_STATUS_MAX 16384         /* bytes of /proc/PID/status read */
#define NLEP_TRIM_BYTES (1u << 20)    /* queued bytes worth a malloc_trim() */

const char *const nlep_call_names[NLEP_N_CALLS] = {
	"bind", "connect", "getsockname", "getpeername", "recvfrom",
	"recvmsg", "setsockopt", "getsockopt",
};

/**
 * struct nlep_hub - every endpoint of the proxy
 * @lock: guards everything below except @model, @ctx and the constants,
 *	and every field of every struct nlep and the counters of every
 *	struct nlep_sandbox; never held while the proxy touches a caller's
 *	memory or waits for the host kernel
 * @model: the proxy's model (fixed)
 * @ctx: the main context: endpoint sources and the sweep run there
 * @sub: subscription on the model (main loop only)
 * @eps: S's inode -> struct nlep (the table's reference)
 * @n_eps: endpoints, at most NLEP_MAX_ENDPOINTS
 * @parked: parked receives (struct nlep_op), at most NLEP_MAX_PARKED
 * @sweep: the sweep's timeout source while something is parked
 * @out_bytes: bytes in every overflow queue, at most NLEP_PROXY_BYTES
 * @out_peak: the most @out_bytes was since the last malloc_trim()
 * @rmem_default, @rmem_max, @wmem_default, @wmem_max: net.core sysctls
 * @userns_dev, @userns_ino: the proxy's user namespace (SO_*BUFFORCE)
 */
struct nlep_hub {
	GMutex lock;
	struct proxy_model *model;
	GMainContext *ctx;
	guint sub;
	GHashTable *eps;
	unsigned int n_eps;
	GQueue parked;
	GSource *sweep;
	size_t out_bytes;
	size_t out_peak;
	int rmem_default, rmem_max, wmem_default, wmem_max;
	dev_t userns_dev;
	ino_t userns_ino;
};

/**
 * struct nlep_sandbox - the endpoints of one listener (one port id space)
 * @ref: references (atomic): the serving thread, each endpoint, each op
 * @hub: the hub
 * @listener: our own dup of the listener
 * @ports: port id -> present (hub lock)
 * @n_eps: endpoints, at most NLEP_MAX_PER_SANDBOX (hub lock)
 * @n_parked: parked receives, at most NLEP_MAX_PARKED_PER_SANDBOX (hub lock)
 * @out_bytes: bytes in its endpoints' overflow queues, at most
 *	NLEP_SANDBOX_BYTES (hub lock)
 * @rover: next automatic negative port id, as an unsigned (hub lock)
 * @task_lock: guards @tasks and @task_clock (taken only by the sandbox's
 *	serving thread in practice, so never contended)
 * @tasks: the callers seen last (see struct nlep_task)
 * @task_clock: stamps for @tasks' least recently used
 */
struct nlep_sandbox {
	gint ref;
	struct nlep_hub *hub;
	int listener;
	GHashTable *ports;
	unsigned int n_eps;
	unsigned int n_parked;
	size_t out_bytes;
	uint32_t rover;
	GMutex task_lock;
	struct nlep_task {
		pid_t pid;
		int pidfd;
		int procdir;
		pid_t tgid;
		uint64_t used;
	} tasks[NLEP_TASKS];
	uint64_t task_clock;
};

/**
 * struct nlep - one endpoint (one open file in the sandbox); every field
 * is guarded by the hub lock
 * @hub: the hub
 * @sb: its sandbox (a reference)
 * @ref: references: the hub's table while P is open, and each serving
 *	thread working on it; freed at 0 (nlep_unref())
 * @src: P's source on the main loop (NULL once released)
 * @tag: P's fd tag in @src
 * @ino: S's inode
 * @pfd: P
 * @type: SOCK_RAW or SOCK_DGRAM
 * @owner_tgid: tgid of the creator, then of the binder, as it sees it:
 *	netlink_autobind() tries it first
 * @bound: has a port id
 * @portid: its port id
 * @groups: bit g-1 for group g
 * @dst_pid, @dst_group: connect()'s address
 * @pktinfo, @bcast_err, @no_enobufs, @all_nsid, @cap_ack, @ext_ack,
 * @strict: SOL_NETLINK flags
 * @rcvbuf, @sndbuf: as getsockopt reports them (doubled)
 * @err: pending error (ENOBUFS)
 * @out: GBytes waiting for room in P
 * @out_bytes: bytes in @out
 * @dump: the dump being read, or NULL
 * @max_recvmsg_len: largest buffer a trapped receive offered
 * @want_out: P's G_IO_OUT is watched
 * @busy: a request is being answered with the lock released: no other
 *	request is taken meanwhile (order is kept)
 * @parked: its parked receives, in order (struct nlep_op's @ep_link)
 * @err_token: a zero-length datagram in S makes it readable for @err
 * @p_empty: the last request read from P found none (nlep_pump())
 */
struct nlep {
	struct nlep_hub *hub;
	struct nlep_sandbox *sb;
	unsigned int ref;
	GSource *src;
	gpointer tag;
	ino_t ino;
	int pfd;
	int type;
	pid_t owner_tgid;
	bool bound;
	uint32_t portid;
	uint64_t groups;
	uint32_t dst_pid, dst_group;
	bool pktinfo, bcast_err, no_enobufs, all_nsid, cap_ack, ext_ack, strict;
	int rcvbuf, sndbuf;
	int err;
	GQueue out;
	size_t out_bytes;
	struct nlmsg_dump *dump;
	size_t max_recvmsg_len;
	bool want_out;
	bool busy;
	GQueue parked;
	bool err_token;
	bool p_empty;
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

/* A datagram taken from S under the lock, to be written out after it. */
struct nlep_got {
	uint8_t *buf;             /* its first bytes (g_free) */
	size_t copied;            /* bytes for the caller's iovecs */
	ssize_t n;                /* its real length */
	unsigned int group;       /* multicast group, 0 for a reply */
	bool pktinfo;             /* NETLINK_PKTINFO was set */
};

/* A parked blocking receive, then a completed one waiting to be written. */
struct nlep_op {
	struct nlep_sandbox *sb;  /* a reference */
	uint64_t id;
	pid_t pid;
	struct nlep *ep;          /* while parked on a live endpoint, or NULL */
	GList hub_link;           /* in the hub's parked queue */
	GList ep_link;            /* in @ep's */
	int sfd;                  /* our copy of S */
	struct target t;          /* the caller's memory (owned) */
	gint64 deadline;          /* monotonic µs, 0 = none */
	gint64 parked_at;         /* monotonic µs */
	bool timeo;
	bool signalled;           /* the sweep saw a caught signal pending */
	struct nlep_recv *rv;
	ssize_t res;              /* once completed: length or -errno */
	struct nlep_got got;
};

/* Everything a trapped call reads from the caller, read before the lock. */
struct nlep_args {
	struct sockaddr_nl sa;    /* bind/connect */
	size_t addrlen;
	pid_t tgid;               /* bind/connect: the caller's inner tgid */
	int level, name;          /* setsockopt/getsockopt */
	int val;                  /* setsockopt's value */
	uint32_t optlen;          /* setsockopt's length */
	int len;                  /* getsockopt/getsockname: *lenp */
	struct nlep_recv *rv;     /* receives */
};

/* What a call writes back after the lock: value bytes and their length. */
struct nlep_res {
	uint8_t val[16];
	int vlen;                 /* bytes of @val the kernel reports */
	int wlen;                 /* bytes of @val to write */
	bool lenp_first;          /* netlink_getsockopt() writes *optlen first */
	struct nlep_got got;      /* receives */
};

static void nlep_recv_free(struct nlep_recv *rv)
{
	if (!rv)
		return;
	g_free(rv->iov);
	g_free(rv);
}

static int nlep_id_valid(int listener, uint64_t id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0 ? -ENOENT : 0;
}

/*
 * Callers cached per sandbox: struct nlep_task holds a pidfd and an O_PATH
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
static void nlep_task_drop(struct nlep_task *e)
{
	if (e->pid == 0)
		return;
	close(e->pidfd);
	close(e->procdir);
	e->pid = 0;
}

/**
 * nlep_task_get() - the cache entry of thread @pid, opened now if absent
 * @sb: the sandbox (task_lock held)
 * @pid: the calling thread
 * @fresh: drop a cached entry first (it was found stale)
 * @ret_e: the entry (valid while task_lock is held)
 *
 * Return: 1 when it came from the cache, 0 when opened now, -ENOENT when
 * the task is gone, or -errno.
 */
static int nlep_task_get(struct nlep_sandbox *sb, pid_t pid, bool fresh,
			 struct nlep_task **ret_e)
{
	struct nlep_task *e, *victim = &sb->tasks[0];
	char path[32];
	int pidfd, dir;
	size_t i;

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
	pidfd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
	if (pidfd < 0 && errno == EINVAL)
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		int r = errno == ENOENT || errno == ESRCH ? -ENOENT : -errno;

		close(pidfd);
		return r;
	}
	nlep_task_drop(victim);
	*victim = (struct nlep_task){ .pid = pid, .pidfd = pidfd, .procdir = dir,
				      .used = ++sb->task_clock };
	*ret_e = victim;
	return 0;
}

static pid_t nlep_inner_tgid(int procdir);

/* The entry's inner tgid, read once (task_lock held). */
static pid_t nlep_task_tgid(struct nlep_task *e)
{
	if (e->tgid <= 0)
		e->tgid = nlep_inner_tgid(e->procdir);
	return e->tgid;
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
	if (nlep_id_valid(sb->listener, req->id) < 0)
		return -ENOENT;
	if (r == -EBADF)
		return 1;
	if (r < 0)
		return r == -ENOENT ? 1 : r;
	*ino = S_ISSOCK(st.st_mode) ? st.st_ino : 0;
	return 0;
}

/**
 * nlep_reply_val() - answer a notification with a value or an error
 * @listener: the listener
 * @id: the notification
 * @val: the syscall's result, or -errno
 *
 * Return: 0 (also when the caller is gone), or -errno.
 */
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

/* Whether port id @p is in use in @sb (hub lock held). */
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
 *	-4096 down to INT32_MIN and round again, as netlink_autobind())
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
			p = sb->rover;
			sb->rover = sb->rover == NLEP_ROVER_LAST ?
				    NLEP_ROVER_START : sb->rover - 1;
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

/* Watch P for G_IO_OUT while the overflow queue waits (hub lock held). */
static void nlep_set_want_out(struct nlep *ep, bool want)
{
	if (ep->want_out == want || !ep->src)
		return;
	ep->want_out = want;
	g_source_modify_unix_fd(ep->src, ep->tag,
				G_IO_IN | G_IO_HUP | G_IO_ERR |
				(want ? G_IO_OUT : 0));
}

/* What the overflow queue may hold: the receive buffer, as the kernel's. */
static size_t nlep_backlog_max(const struct nlep *ep)
{
	return MIN((size_t)ep->rcvbuf, (size_t)NLEP_BACKLOG_MAX);
}

/**
 * nlep_room() - bytes the overflow queue of @ep may still take
 * @ep: the endpoint (hub lock held)
 *
 * The least of its own bound (SO_RCVBUF) and what is left of its
 * sandbox's and the proxy's byte budgets.
 */
static size_t nlep_room(const struct nlep *ep)
{
	size_t own = nlep_backlog_max(ep), sb = NLEP_SANDBOX_BYTES,
	       hub = NLEP_PROXY_BYTES;

	own = ep->out_bytes < own ? own - ep->out_bytes : 0;
	sb = ep->sb->out_bytes < sb ? sb - ep->sb->out_bytes : 0;
	hub = ep->hub->out_bytes < hub ? hub - ep->hub->out_bytes : 0;
	return MIN(own, MIN(sb, hub));
}

/* The receiver overran: ENOBUFS at its next receive, as netlink_overrun(). */
static void nlep_overrun(struct nlep *ep)
{
	if (!ep->no_enobufs)
		ep->err = ENOBUFS;
}

/**
 * nlep_err_wakeup() - make S readable for a pending error
 * @ep: the endpoint, with @ep->err set (hub lock held)
 *
 * The kernel's poll() reports sk_err; S's is AF_UNIX's own. When nothing
 * is queued on S (P's SIOCOUTQ is 0), a zero-length datagram wakes
 * poll/select/epoll and blocking reads; the trapped receive that reports
 * the error consumes it (nlep_dequeue()). A native read(2) would see it as
 * a zero-length datagram.
 */
static void nlep_err_wakeup(struct nlep *ep)
{
	int q = 0;

	if (ep->err_token || !g_queue_is_empty(&ep->out) ||
	    ioctl(ep->pfd, SIOCOUTQ, &q) < 0 || q > 0)
		return;
	if (send(ep->pfd, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL) == 0)
		ep->err_token = true;
}

/* Consume the zero-length datagram of nlep_err_wakeup() from S's head. */
static void nlep_err_unwake(struct nlep *ep, int sfd)
{
	char c;

	if (!ep->err_token)
		return;
	ep->err_token = false;
	if (recv(sfd, &c, 1, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC) == 0)
		(void)recv(sfd, &c, 1, MSG_DONTWAIT);
}

/* Append a datagram to the overflow queue (bounds checked by the caller). */
static void nlep_queue_bytes(struct nlep *ep, GBytes *b)
{
	gsize len = g_bytes_get_size(b);

	g_queue_push_tail(&ep->out, b);
	ep->out_bytes += len;
	ep->sb->out_bytes += len;
	ep->hub->out_bytes += len;
	ep->hub->out_peak = MAX(ep->hub->out_peak, ep->hub->out_bytes);
}

static void nlep_queue(struct nlep *ep, const void *buf, size_t len)
{
	nlep_queue_bytes(ep, g_bytes_new(buf, len));
}

/* Drop the head of the overflow queue. */
static void nlep_unqueue(struct nlep *ep)
{
	GBytes *b = g_queue_pop_head(&ep->out);
	gsize len = g_bytes_get_size(b);

	ep->out_bytes -= len;
	ep->sb->out_bytes -= len;
	ep->hub->out_bytes -= len;
	g_bytes_unref(b);
}

/**
 * nlep_flush() - move the overflow queue into P as far as it takes it
 * @ep: the endpoint (hub lock held)
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
		nlep_unqueue(ep);
	}
	nlep_set_want_out(ep, false);
	return true;
}

/* The size of @ep's next dump part, as the kernel's netlink_dump(). */
static size_t nlep_dump_room(const struct nlep *ep)
{
	size_t r = MIN(ep->max_recvmsg_len, (size_t)NLEP_DUMP_MAX);

	return MAX(r, (size_t)NLEP_GOODSIZE);
}

/* ---- requests ---------------------------------------------------------- */

/* Replies of one request, collected with the hub lock released. */
struct nlep_replies {
	GPtrArray *dgrams;        /* GBytes */
	size_t bytes;
	size_t cap;               /* the endpoint's room when the request came */
	bool over;                /* a reply did not fit: dropped */
};

/**
 * nlep_emit() - collect one reply datagram (nlmsg_emit_fn)
 * @data: struct nlep_replies
 * @dgram: the datagram
 * @len: its length
 *
 * As netlink_attachskb(), a reply is taken while what is queued does not
 * exceed the room (so the first always, unless a byte budget is spent).
 * Return: 0, or -ENOBUFS past the endpoint's room (the kernel's
 * netlink_unicast() to a full receive buffer); the reply is dropped.
 */
static int nlep_emit(void *data, const void *dgram, size_t len)
{
	struct nlep_replies *e = data;

	if (e->cap == 0 || e->bytes > e->cap) {
		e->over = true;
		return -ENOBUFS;
	}
	g_ptr_array_add(e->dgrams, g_bytes_new(dgram, len));
	e->bytes += len;
	return 0;
}

static int nlep_host_query(void *data, const void *req, size_t len,
			   GPtrArray **ret);

/**
 * nlep_read_request() - take the next request datagram from P
 * @ep: the endpoint (hub lock held)
 * @ret_buf: the datagram (g_free)
 * @ret_len: its length
 *
 * Sized first with MSG_PEEK|MSG_TRUNC. A datagram over NLMSG_REQ_MAX is
 * discarded and the endpoint's next receive fails ENOBUFS (S's buffer
 * can only be raised past it by a copy of S outside the trapped range).
 * Return: 1 when a request was read, 0 when one was discarded, -EAGAIN
 * when P holds none.
 */
static int nlep_read_request(struct nlep *ep, uint8_t **ret_buf,
			     size_t *ret_len)
{
	_cleanup_free_ uint8_t *buf = NULL;
	ssize_t n;

	n = recv(ep->pfd, NULL, 0, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC);
	if (n < 0)
		return -EAGAIN;
	if (n > NLMSG_REQ_MAX) {
		(void)recv(ep->pfd, NULL, 0, MSG_DONTWAIT | MSG_TRUNC);
		log_debug("endpoint %lu: %zd-byte request dropped (ENOBUFS)",
			  (unsigned long)ep->ino, n);
		ep->err = ENOBUFS;
		nlep_err_wakeup(ep);
		return 0;
	}
	buf = g_malloc((size_t)MAX(n, 1));
	n = recv(ep->pfd, buf, (size_t)MAX(n, 1), MSG_DONTWAIT);
	if (n < 0)
		return -EAGAIN;
	*ret_buf = g_steal_pointer(&buf);
	*ret_len = (size_t)n;
	return 1;
}

/**
 * nlep_take_request() - read one request datagram from P and answer it
 * @ep: the endpoint, with an empty overflow queue, no dump running and not
 *	busy; hub lock held, and a reference held by the caller
 *
 * The request is answered with the hub lock RELEASED (@ep->busy set, so
 * no other request of @ep is taken meanwhile): host queries wait for the
 * host kernel there. Replies go to a private list bounded by the
 * endpoint's room, then into the overflow queue under the lock again.
 * Return: true when a datagram was taken; false when P held none (with
 * @ep->p_empty set) or the model was unavailable.
 */
static bool nlep_take_request(struct nlep *ep)
{
	struct nlep_hub *h = ep->hub;
	_cleanup_free_ uint8_t *buf = NULL;
	struct netstate_snapshot *snap;
	struct nlep_replies e = { 0 };
	struct nlmsg_opts o;
	struct nlmsg_dump *d = NULL;
	size_t len = 0, i;
	int r;

	r = nlep_read_request(ep, &buf, &len);
	ep->p_empty = r == -EAGAIN;
	if (r <= 0)
		return r == 0;
	if (!ep->bound && nlep_bind_port(ep, 0) < 0)
		return true;
	o = (struct nlmsg_opts){
		.portid = ep->portid, .strict_chk = ep->strict,
		.ext_ack = ep->ext_ack, .cap_ack = ep->cap_ack,
	};
	snap = proxy_model_get(h->model);
	if (!snap)
		return true;
	e.dgrams = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	e.cap = nlep_room(ep);
	ep->busy = true;
	g_mutex_unlock(&h->lock);
	r = nlmsg_request(snap, &o, buf, len, nlep_host_query, NULL,
			  nlep_emit, &e, &d);
	netstate_snapshot_unref(snap);
	g_mutex_lock(&h->lock);
	ep->busy = false;
	if (r < 0 && r != -ENOBUFS)
		log_debug("endpoint %lu: request: %s", (unsigned long)ep->ino,
			  g_strerror(-r));
	for (i = 0; i < e.dgrams->len; i++)
		nlep_queue_bytes(ep, g_bytes_ref(g_ptr_array_index(e.dgrams, i)));
	g_ptr_array_unref(e.dgrams);
	if (e.over)
		nlep_overrun(ep);
	ep->dump = d;
	return true;
}

/**
 * nlep_dump_step() - generate the next part of @ep's dump into the overflow
 * queue, or end it
 * @ep: the endpoint, with a dump and an empty overflow queue (hub lock)
 *
 * A part that cannot be generated (-EMSGSIZE, -EINVAL) ends the dump with
 * an NLMSG_DONE carrying the error, so the reader is not left waiting.
 */
static void nlep_dump_step(struct nlep *ep)
{
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
		return;
	}
	if (n < 0) {
		struct {
			struct nlmsghdr h;
			int32_t err;
		} done = {
			.h = { .nlmsg_len = NLMSG_LENGTH(sizeof(int32_t)),
			       .nlmsg_type = NLMSG_DONE,
			       .nlmsg_flags = ep->dump->done_flags,
			       .nlmsg_seq = ep->dump->seq,
			       .nlmsg_pid = ep->dump->portid },
			.err = (int32_t)n,
		};

		log_debug("endpoint %lu: dump: %s", (unsigned long)ep->ino,
			  g_strerror((int)-n));
		nlep_queue(ep, &done, sizeof(done));
	}
	nlmsg_dump_free(ep->dump);
	ep->dump = NULL;
}

/**
 * nlep_pump() - move everything that can move: overflow queue into P, the
 * next dump part, the next request
 * @ep: the endpoint (hub lock held)
 * @take: also take new requests (the lock is then released while each is
 *	answered: the caller must hold a reference on @ep and must not be
 *	walking a hub list)
 *
 * Return: true when it stopped because P held no request.
 */
static bool nlep_pump(struct nlep *ep, bool take)
{
	unsigned int rounds;

	ep->p_empty = false;
	for (rounds = 0; rounds < 4096; rounds++) {
		if (!nlep_flush(ep))
			return false;
		if (ep->dump) {
			nlep_dump_step(ep);
			continue;
		}
		if (!take || ep->busy || !nlep_take_request(ep))
			return ep->p_empty;
	}
	return false;
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
 * nlep_dequeue() - take one datagram from S into a private buffer
 * @ep: the endpoint (hub lock held)
 * @sfd: our copy of S
 * @rv: the call's arguments
 * @g: filled in on success (g->buf to g_free)
 *
 * A pending error is returned (and cleared) first, as netlink_recvmsg()
 * does through sock_error(). Never touches the caller's memory.
 * Return: the datagram's real length, -EAGAIN when nothing is queued, or
 * -errno.
 */
static ssize_t nlep_dequeue(struct nlep *ep, int sfd, const struct nlep_recv *rv,
			    struct nlep_got *g)
{
	size_t cap = MIN(rv->total, (size_t)NLEP_DGRAM_MAX);
	size_t got = MAX(cap, (size_t)64);
	ssize_t n;
	int e;

	if (!(rv->flags & MSG_PEEK))
		nlep_err_unwake(ep, sfd);
	if (ep->err) {
		e = ep->err;
		ep->err = 0;
		return -e;
	}
	g->buf = g_malloc(got);
	n = recv(sfd, g->buf, got, MSG_DONTWAIT | MSG_TRUNC |
		 (rv->flags & MSG_PEEK));
	if (n < 0) {
		e = errno;
		g_free(g->buf);
		g->buf = NULL;
		return e == EAGAIN ? -EAGAIN : -e;
	}
	g->n = n;
	g->copied = MIN((size_t)n, cap);
	g->group = nlep_group_of(g->buf, MIN((size_t)n, got));
	g->pktinfo = ep->pktinfo;
	return n;
}

/**
 * nlep_deliver_msg() - recvmsg's control data and msg_flags
 * @t: the caller
 * @rv: the call's arguments
 * @g: the datagram
 * @mflags: MSG_TRUNC when it was truncated
 *
 * Return: 0 or -errno.
 */
static int nlep_deliver_msg(struct target *t, const struct nlep_recv *rv,
			    const struct nlep_got *g, int mflags)
{
	size_t used = 0;
	int r = 0;

	if (g->pktinfo && rv->m.msg_control) {
		uint8_t cb[CMSG_SPACE(sizeof(struct nl_pktinfo))] = { 0 };
		struct cmsghdr *c = (struct cmsghdr *)cb;
		struct nl_pktinfo pi = { .group = g->group };

		c->cmsg_len = CMSG_LEN(sizeof(pi));
		c->cmsg_level = SOL_NETLINK;
		c->cmsg_type = NETLINK_PKTINFO;
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		used = MIN(rv->m.msg_controllen, sizeof(cb));
		if (rv->m.msg_controllen < CMSG_LEN(sizeof(pi)))
			mflags |= MSG_CTRUNC;
		if (used < sizeof(struct cmsghdr))
			used = 0;
		r = target_write(t, (uint64_t)(uintptr_t)rv->m.msg_control,
				 cb, used);
	}
	/*
	 * msg_controllen and msg_flags are adjacent (x86_64): one write of
	 * exactly those 12 bytes, or only the check that they are writable
	 * when they already hold these values (as read at the call's start).
	 */
	G_STATIC_ASSERT(offsetof(struct msghdr, msg_flags) ==
			offsetof(struct msghdr, msg_controllen) + sizeof(size_t));
	if (r == 0) {
		uint8_t tail[sizeof(size_t) + sizeof(int)];

		memcpy(tail, &used, sizeof(used));
		memcpy(tail + sizeof(used), &mflags, sizeof(mflags));
		r = target_write_unless(t, rv->msg_addr +
					offsetof(struct msghdr, msg_controllen),
					tail, sizeof(tail),
					rv->m.msg_controllen == used &&
					rv->m.msg_flags == mflags);
	}
	return r;
}

/**
 * nlep_deliver() - write a dequeued datagram into the caller
 * @t: the caller's memory
 * @rv: the call's arguments
 * @g: the datagram (nlep_dequeue())
 *
 * Fills in what AF_UNIX cannot: a struct sockaddr_nl (nl_pid 0, nl_groups
 * the group's bit), NETLINK_PKTINFO. Runs without the hub lock.
 * Return: the syscall's result (length, or the real length with MSG_TRUNC),
 * or -errno (-EFAULT; -ENOENT when the caller's memory is gone).
 */
static ssize_t nlep_deliver(struct target *t, const struct nlep_recv *rv,
			    const struct nlep_got *g)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int mflags = (size_t)g->n > g->copied ? MSG_TRUNC : 0, r;

	if (g->group && g->group <= 32)
		sa.nl_groups = 1u << (g->group - 1);
	r = target_write_iov(t, rv->iov, rv->n_iov, g->buf, g->copied);
	if (r == 0 && rv->name && rv->namelen > 0)
		r = target_write(t, rv->name, &sa,
				 MIN((size_t)rv->namelen, sizeof(sa)));
	if (r == 0 && rv->name && rv->namelen_addr) {
		int nl = sizeof(sa);

		/* recvmsg's msg_namelen was read with the msghdr. */
		r = target_write_unless(t, rv->namelen_addr, &nl, sizeof(nl),
					rv->is_msg && rv->m.msg_namelen == (socklen_t)nl);
	}
	if (r == 0 && rv->is_msg)
		r = nlep_deliver_msg(t, rv, g, mflags);
	if (r < 0)
		return r;
	return (rv->flags & MSG_TRUNC) ? g->n : (ssize_t)g->copied;
}

/**
 * nlep_read_msghdr() - recvmsg's struct msghdr and iovecs
 * @t: the caller
 * @rv: filled in (msg_addr and flags set by the caller)
 *
 * As the kernel's copy_msghdr_from_user(): a negative msg_namelen is
 * EINVAL, a larger one than sockaddr_storage is clamped, more than
 * UIO_MAXIOV iovecs is EMSGSIZE.
 * Return: 0 or -errno.
 */
static int nlep_read_msghdr(const struct target *t, struct nlep_recv *rv)
{
	int r;

	r = target_read(t, rv->msg_addr, &rv->m, sizeof(rv->m));
	if (r == 0 && rv->m.msg_iovlen > NLEP_IOV_MAX)
		r = -EMSGSIZE;
	if (r == 0 && (int)rv->m.msg_namelen < 0)
		r = -EINVAL;
	if (r < 0)
		return r;
	rv->n_iov = rv->m.msg_iovlen;
	rv->iov = g_new0(struct iovec, MAX(rv->n_iov, (size_t)1));
	r = target_read(t, (uint64_t)(uintptr_t)rv->m.msg_iov,
			rv->iov, rv->n_iov * sizeof(struct iovec));
	rv->name = (uint64_t)(uintptr_t)rv->m.msg_name;
	rv->namelen = (int)MIN(rv->m.msg_namelen, (unsigned int)NLEP_ADDR_MAX);
	rv->namelen_addr = rv->msg_addr + offsetof(struct msghdr, msg_namelen);
	return r;
}

/**
 * nlep_read_recv_args() - copy a recvfrom/recvmsg call's arguments
 * @call: NLEP_RECVFROM or NLEP_RECVMSG
 * @req: the notification
 * @t: the caller's memory
 * @ret_rv: the arguments (nlep_recv_free())
 *
 * The iovec total is clamped to MAX_RW_COUNT as the kernel's
 * import_iovec() does; MSG_OOB is refused as netlink_recvmsg() refuses it.
 * Return: 0 or -errno for the call (-EFAULT, -EINVAL, -EMSGSIZE,
 * -EOPNOTSUPP); -ENOENT when the caller's memory is gone.
 */
static int nlep_read_recv_args(enum nlep_call call,
			       const struct seccomp_notif *req,
			       const struct target *t, struct nlep_recv **ret_rv)
{
	struct nlep_recv *rv = g_new0(struct nlep_recv, 1);
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
			r = target_read(t, rv->namelen_addr, &rv->namelen,
					sizeof(rv->namelen));
			if (r == 0 && rv->namelen < 0)
				r = -EINVAL;
		}
	} else {
		rv->is_msg = true;
		rv->msg_addr = req->data.args[1];
		rv->flags = (int)req->data.args[2];
		r = nlep_read_msghdr(t, rv);
	}
	for (i = 0; r == 0 && i < rv->n_iov; i++) {
		if ((ssize_t)rv->iov[i].iov_len < 0)
			r = -EINVAL;
		else
			rv->total += MIN(rv->iov[i].iov_len,
					 (size_t)NLEP_RW_MAX - rv->total);
	}
	if (r == 0 && (rv->flags & MSG_OOB))
		r = -EOPNOTSUPP;
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
	target_close(&op->t);
	g_free(op->got.buf);
	nlep_recv_free(op->rv);
	nlep_sandbox_unref(op->sb);
	g_free(op);
}

/* Take @op off the parked queues; hub lock held. */
static struct nlep_op *nlep_unpark(struct nlep_hub *h, struct nlep_op *op)
{
	g_queue_unlink(&h->parked, &op->hub_link);
	if (op->ep)
		g_queue_unlink(&op->ep->parked, &op->ep_link);
	op->ep = NULL;
	op->sb->n_parked--;
	return op;
}

/**
 * nlep_wake() - complete parked receives of @ep while data is there
 * @ep: the endpoint (hub lock held)
 * @done: completed ops are appended here; the caller writes them out
 *	with nlep_complete() after releasing the lock
 *
 * In the order they parked; walks only @ep's own parked receives. A
 * receive whose caller is gone is dropped before it could take a datagram
 * (a killed reader loses nothing).
 */
static void nlep_wake(struct nlep *ep, GQueue *done)
{
	struct nlep_hub *h = ep->hub;
	GList *l, *next;

	for (l = ep->parked.head; l; l = next) {
		struct nlep_op *op = l->data;
		ssize_t r;

		next = l->next;
		if (nlep_id_valid(op->sb->listener, op->id) < 0) {
			nlep_op_free(nlep_unpark(h, op));
			continue;
		}
		r = nlep_dequeue(ep, op->sfd, op->rv, &op->got);
		if (r == -EAGAIN)
			return;
		op->res = r;
		g_queue_push_tail(done, nlep_unpark(h, op));
		if (!(op->rv->flags & MSG_PEEK))
			nlep_pump(ep, false); /* leaves the parked queues alone */
	}
}

/**
 * nlep_complete() - write completed receives into their callers and answer
 * @done: ops from nlep_wake() (emptied)
 *
 * Runs without the hub lock: each write goes through the op's own
 * /proc/PID/mem, which reaches its caller or nothing.
 */
static void nlep_complete(GQueue *done)
{
	struct nlep_op *op;

	while ((op = g_queue_pop_head(done))) {
		ssize_t r = op->res;

		if (r >= 0)
			r = nlep_deliver(&op->t, op->rv, &op->got);
		if (r != -ENOENT || nlep_id_valid(op->sb->listener, op->id) == 0)
			(void)nlep_reply_val(op->sb->listener, op->id, r);
		nlep_op_free(op);
	}
}

/**
 * nlep_signal_pending() - whether a caught, unblocked signal is pending
 * for thread @pid
 * @pid: the thread
 *
 * Reads SigPnd, ShdPnd, SigBlk and SigCgt of /proc/PID/status.
 * Return: true when one is.
 */
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

/* A parked receive the sweep checks for signals, identified by its id. */
struct nlep_sigcheck {
	struct nlep_sandbox *sb;  /* not a reference: compared only */
	uint64_t id;
	pid_t pid;
	bool pending;
};

/**
 * nlep_sweep_collect() - the parked receives old enough for a signal check
 * @h: the hub (lock held)
 * @now: monotonic µs
 *
 * Return: an array of struct nlep_sigcheck (never NULL).
 */
static GArray *nlep_sweep_collect(struct nlep_hub *h, gint64 now)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct nlep_sigcheck));
	GList *l;

	for (l = h->parked.head; l; l = l->next) {
		struct nlep_op *op = l->data;
		struct nlep_sigcheck c = { op->sb, op->id, op->pid, false };

		if (now - op->parked_at >= NLEP_SWEEP_MS * 1000)
			g_array_append_val(a, c);
	}
	return a;
}

/**
 * nlep_sweep_mark() - mark the parked receives whose caller had a caught
 * signal pending
 * @h: the hub (lock held)
 * @a: the checks (some may name receives no longer parked)
 *
 * Matched by notification id (and sandbox) through a table of the
 * pending ones, so the walk is linear in the parked receives.
 */
static void nlep_sweep_mark(struct nlep_hub *h, GArray *a)
{
	g_autoptr(GHashTable) pend = g_hash_table_new(g_int64_hash, g_int64_equal);
	GList *l;
	guint i;

	for (i = 0; i < a->len; i++) {
		struct nlep_sigcheck *c = &g_array_index(a, struct nlep_sigcheck, i);

		if (c->pending)
			g_hash_table_insert(pend, &c->id, c);
	}
	if (g_hash_table_size(pend) == 0)
		return;
	for (l = h->parked.head; l; l = l->next) {
		struct nlep_op *op = l->data;
		const struct nlep_sigcheck *c = g_hash_table_lookup(pend, &op->id);

		if (c && c->sb == op->sb)
			op->signalled = true;
	}
}

/**
 * nlep_sweep() - answer parked receives whose caller is gone, whose
 * SO_RCVTIMEO expired or which have a caught signal pending
 * @data: the hub
 *
 * Runs every NLEP_SWEEP_MS on the main loop while something is parked.
 * The callers' /proc/PID/status are read with the hub lock released, and
 * only for receives parked at least one tick.
 * Return: G_SOURCE_CONTINUE while something stays parked.
 */
static gboolean nlep_sweep(gpointer data)
{
	struct nlep_hub *h = data;
	gint64 now = g_get_monotonic_time();
	g_autoptr(GArray) checks = NULL;
	GList *l, *next;
	gboolean keep;
	guint i;

	g_mutex_lock(&h->lock);
	checks = nlep_sweep_collect(h, now);
	g_mutex_unlock(&h->lock);
	for (i = 0; i < checks->len; i++) {
		struct nlep_sigcheck *c = &g_array_index(checks, struct nlep_sigcheck, i);

		c->pending = nlep_signal_pending(c->pid);
	}
	g_mutex_lock(&h->lock);
	nlep_sweep_mark(h, checks);
	for (l = h->parked.head; l; l = next) {
		struct nlep_op *op = l->data;
		int64_t ans = 1;

		next = l->next;
		if (nlep_id_valid(op->sb->listener, op->id) < 0)
			ans = 0;
		else if (op->deadline && now >= op->deadline)
			ans = -EAGAIN;
		else if (op->signalled)
			ans = op->timeo ? -EINTR : -ERESTARTSYS;
		if (ans == 1)
			continue;
		if (ans < 0)
			(void)nlep_reply_val(op->sb->listener, op->id, ans);
		nlep_op_free(nlep_unpark(h, op));
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
 * @ep: the endpoint (hub lock held)
 * @sfd: our copy of S (taken over)
 * @t: the caller's memory (taken over)
 * @rv: the arguments (taken over)
 *
 * Bounded per sandbox (NLEP_MAX_PARKED_PER_SANDBOX) and per proxy
 * (NLEP_MAX_PARKED): past either the receive fails ENOBUFS.
 * Return: 0 when parked, -errno to fail the call with.
 */
static int nlep_park(struct nlep_sandbox *sb, const struct seccomp_notif *req,
		     struct nlep *ep, int *sfd, struct target *t,
		     struct nlep_recv **rv)
{
	struct nlep_hub *h = sb->hub;
	struct nlep_op *op;
	struct timeval tv = { 0 };
	socklen_t tl = sizeof(tv);

	if (h->parked.length >= NLEP_MAX_PARKED ||
	    sb->n_parked >= NLEP_MAX_PARKED_PER_SANDBOX)
		return -ENOBUFS;
	op = g_new0(struct nlep_op, 1);
	op->sb = sb;
	g_atomic_int_inc(&sb->ref);
	op->id = req->id;
	op->pid = (pid_t)req->pid;
	op->ep = ep;
	op->hub_link.data = op;
	op->ep_link.data = op;
	op->sfd = steal_fd(sfd);
	op->t = *t;
	t->memfd = -1;
	op->rv = g_steal_pointer(rv);
	if (getsockopt(op->sfd, SOL_SOCKET, SO_RCVTIMEO, &tv, &tl) == 0 &&
	    (tv.tv_sec || tv.tv_usec)) {
		op->timeo = true;
		op->deadline = g_get_monotonic_time() +
			       (gint64)tv.tv_sec * G_USEC_PER_SEC + tv.tv_usec;
	}
	op->parked_at = g_get_monotonic_time();
	g_queue_push_tail_link(&h->parked, &op->hub_link);
	g_queue_push_tail_link(&ep->parked, &op->ep_link);
	sb->n_parked++;
	if (!h->sweep) {
		h->sweep = g_timeout_source_new(NLEP_SWEEP_MS);
		g_source_set_callback(h->sweep, nlep_sweep, h, NULL);
		g_source_attach(h->sweep, h->ctx);
	}
	return 0;
}

/**
 * nlep_apply_recv() - recvfrom/recvmsg on an endpoint, the locked part
 * @sb: the sandbox
 * @ep: the endpoint (hub lock held, a reference held)
 * @sfd: our copy of S (taken over when parked)
 * @t: the caller's memory (taken over when parked)
 * @req: the notification
 * @a: the arguments (a->rv taken over when parked)
 * @g: the dequeued datagram
 * @done: other receives this one completed (see nlep_wake())
 *
 * Return: the datagram's length for nlep_deliver(), -errno, or
 * NLEP_PARKED.
 */
static int64_t nlep_apply_recv(struct nlep_sandbox *sb, struct nlep *ep,
			       int *sfd, struct target *t,
			       const struct seccomp_notif *req,
			       struct nlep_args *a, struct nlep_got *g,
			       GQueue *done)
{
	struct nlep_recv *rv = a->rv;
	bool p_empty;
	ssize_t n;
	int r, fl;

	ep->max_recvmsg_len = MAX(ep->max_recvmsg_len, rv->total);
	p_empty = nlep_pump(ep, true);
	n = nlep_dequeue(ep, *sfd, rv, g);
	if (n == -EAGAIN) {
		fl = fcntl(*sfd, F_GETFL);
		if (!(rv->flags & MSG_DONTWAIT) && fl >= 0 && !(fl & O_NONBLOCK)) {
			r = nlep_park(sb, req, ep, sfd, t, &a->rv);
			return r == 0 ? NLEP_PARKED : r;
		}
		return n;
	}
	/*
	 * A receive that dequeued (even one that then faults with EFAULT, as
	 * the kernel's does) makes room: refill, and hand what arrived to
	 * receives other threads or processes of the sandbox parked here.
	 * When P held no request a moment ago, one sent since then is the
	 * main loop's (P readable): P is not asked again here.
	 */
	if (!(rv->flags & MSG_PEEK)) {
		nlep_pump(ep, !p_empty);
		nlep_wake(ep, done);
	}
	return n;
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
static void nlep_set_rcvbuf(struct nlep *ep, int val, bool force)
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
	if (a->optlen < sizeof(int))
		return -EINVAL;
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
		case SO_PROTOCOL: val = NETLINK_ROUTE; break;
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

/* Drop a reference on @ep; frees it at the last (hub lock held). */
static void nlep_unref(struct nlep *ep);

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
int nlep_do_call(struct nlep_sandbox *sb, enum nlep_call call,
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

	r = nlep_attach(sb, call, req, &t, &sfd, &ino, &a.tgid);
	if (r != 0) {
		target_close(&t);
		return r == -ENOENT ? 0 : (int)r;
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
		return 1;
	}
	r = nlep_read_args(h, call, req, &t, &a);
	g_mutex_lock(&h->lock);
	if (r == 0)
		r = nlep_apply(sb, ep, call, req, &sfd, &t, &a, &res, &done);
	nlep_unref(ep);
	g_mutex_unlock(&h->lock);
	nlep_complete(&done);
	if (r == NLEP_PARKED)
		return 0;
	if (r != 1)
		r = nlep_write_out(call, req, &t, &a, &res, r);
	/* Answered first: the caller runs on while this thread cleans up. */
	if (r != 1 && !(r == -ENOENT && nlep_id_valid(sb->listener, req->id) < 0))
		(void)nlep_reply_val(sb->listener, req->id, r);
	target_close(&t);
	nlep_recv_free(a.rv);
	g_free(res.got.buf);
	return r == 1 ? 1 : 0;
}

/* ---- endpoints --------------------------------------------------------- */

/**
 * nlep_free() - free an endpoint no one references
 * @ep: the endpoint, out of the hub's table (hub lock held)
 *
 * Its parked receives stay parked (their callers still hold S) until their
 * timeout, signal or exit; the sweep answers them.
 */
static void nlep_free(struct nlep *ep)
{
	GList *l;

	for (l = ep->parked.head; l; l = l->next)
		((struct nlep_op *)l->data)->ep = NULL;
	while (!g_queue_is_empty(&ep->out))
		nlep_unqueue(ep);
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

static void nlep_unref(struct nlep *ep)
{
	if (--ep->ref == 0)
		nlep_free(ep);
}

/**
 * nlep_src_dispatch() - P's source: released on POLLHUP, else pumped
 * @s: the source
 * @cb: unused
 * @data: the endpoint
 *
 * POLLHUP (every sandbox copy of S closed) takes the endpoint out of the
 * table and drops the table's reference; a serving thread still working
 * on it frees it when done. Otherwise: refill, take requests, complete
 * parked receives (written out after the lock is released).
 * Return: G_SOURCE_REMOVE once released.
 */
static gboolean nlep_src_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
	struct nlep *ep = data;
	struct nlep_hub *h = ep->hub;
	GIOCondition c = g_source_query_unix_fd(s, ep->tag);
	GQueue done = G_QUEUE_INIT;
	bool trim = false;

	(void)cb;
	g_mutex_lock(&h->lock);
	if (c & (G_IO_HUP | G_IO_ERR)) {
		g_hash_table_remove(h->eps, &ep->ino);
		log_debug("endpoint %lu released", (unsigned long)ep->ino);
		g_source_destroy(ep->src);
		g_source_unref(ep->src);
		ep->src = NULL;
		nlep_unref(ep);
		/*
		 * Only after queues held much: a trim after every short-lived
		 * endpoint (getifaddrs() opens one per call) costs a brk() and
		 * a TLB flush of every CPU the proxy's threads run on.
		 */
		trim = h->n_eps == 0 && h->out_peak >= NLEP_TRIM_BYTES;
		if (trim)
			h->out_peak = 0;
		g_mutex_unlock(&h->lock);
		/* The queues' memory goes back to the system, not only to malloc. */
		if (trim)
			malloc_trim(0);
		return G_SOURCE_REMOVE;
	}
	nlep_pump(ep, true);
	nlep_wake(ep, &done);
	g_mutex_unlock(&h->lock);
	nlep_complete(&done);
	return G_SOURCE_CONTINUE;
}

/*
 * Read-only: GLib takes a non-const pointer but never writes through it
 * (the struct is not copied and must outlive its sources).
 */
static const GSourceFuncs nlep_src_funcs = {
	.dispatch = nlep_src_dispatch,
};

/**
 * nlep_inner_tgid() - the caller's tgid as it sees it (its innermost pid
 * namespace), from the last NStgid field of /proc/PID/status (its first
 * NLEP_STATUS_MAX bytes)
 * @procdir: the caller's /proc/PID directory
 *
 * Return: the tgid, or 0 when it cannot be read.
 */
static pid_t nlep_inner_tgid(int procdir)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *st = g_malloc(NLEP_STATUS_MAX);
	const char *p;
	size_t len = 0;
	long v = 0;

	fd = openat(procdir, "status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (len < NLEP_STATUS_MAX - 1) {
		ssize_t n = read(fd, st + len, NLEP_STATUS_MAX - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	st[len] = '\0';
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
 * @procdir: its /proc/PID directory (struct nlep_task)
 *
 * Reads /proc/PID/fd: SETFD replaces an fd that exists, so a number in use
 * is never chosen. A thread of the target opening that very number between
 * this check and ADDFD (only possible when every lower number is taken) is
 * a race this cannot close.
 *
 * Return: the number, -EMFILE when the range is full or above the target's
 * soft RLIMIT_NOFILE, or -ENOENT.
 */
static int nlep_pick_slot(pid_t pid, int procdir)
{
	struct rlimit rl;
	char path[64];
	int hi = LXNET_NLEP_FD_BASE + LXNET_NLEP_FD_COUNT, fd;

	if (prlimit(pid, RLIMIT_NOFILE, NULL, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)hi)
		hi = (int)rl.rlim_cur;
	for (fd = hi - 1; fd >= LXNET_NLEP_FD_BASE; fd--) {
		snprintf(path, sizeof(path), "fd/%d", fd);
		if (faccessat(procdir, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				return fd;
			return -ENOENT;
		}
	}
	return -EMFILE;
}

/**
 * nlep_new() - a new endpoint on P, in the hub's table and on the main loop
 * @sb: the sandbox
 * @pfd: P (taken over on success)
 * @ino: S's inode
 * @type: SOCK_RAW or SOCK_DGRAM
 * @tgid: the creator's inner tgid
 *
 * Return: 0, or -ENOBUFS past NLEP_MAX_ENDPOINTS or NLEP_MAX_PER_SANDBOX.
 */
static int nlep_new(struct nlep_sandbox *sb, int pfd, ino_t ino, int type,
		    pid_t tgid)
{
	struct nlep_hub *h = sb->hub;
	struct nlep *ep;

	g_mutex_lock(&h->lock);
	if (h->n_eps >= NLEP_MAX_ENDPOINTS || sb->n_eps >= NLEP_MAX_PER_SANDBOX) {
		g_mutex_unlock(&h->lock);
		return -ENOBUFS;
	}
	ep = g_new0(struct nlep, 1);
	ep->hub = h;
	ep->sb = sb;
	ep->ref = 1;
	g_atomic_int_inc(&sb->ref);
	ep->ino = ino;
	ep->pfd = pfd;
	ep->type = type;
	ep->owner_tgid = tgid;
	ep->sndbuf = h->wmem_default * 2;
	g_queue_init(&ep->out);
	nlep_set_rcvbuf(ep, h->rmem_default, false);
	ep->rcvbuf = h->rmem_default; /* the kernel's default is not doubled */
	sb->n_eps++;
	h->n_eps++;
	g_hash_table_insert(h->eps, &ep->ino, ep);
	ep->src = g_source_new((GSourceFuncs *)&nlep_src_funcs, sizeof(GSource));
	ep->tag = g_source_add_unix_fd(ep->src, ep->pfd,
				       G_IO_IN | G_IO_HUP | G_IO_ERR);
	g_source_set_callback(ep->src, NULL, ep, NULL);
	g_source_attach(ep->src, h->ctx);
	g_mutex_unlock(&h->lock);
	return 0;
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
	_cleanup_close_ int s = -1;
	int base = type & 0xf, sp[2], slot, r;
	struct seccomp_notif_addfd add = { .id = req->id };
	struct nlep_task *e = NULL;
	pid_t tgid = 0;
	struct stat st;

	if (protocol != NETLINK_ROUTE || (base != SOCK_RAW && base != SOCK_DGRAM) ||
	    (type & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC)))
		return 1;
	g_mutex_lock(&sb->task_lock);
	slot = nlep_task_get(sb, (pid_t)req->pid, false, &e);
	/*
	 * In the directory of a task that is gone every name is ENOENT, which
	 * nlep_pick_slot() would take for free numbers: a cached entry is
	 * checked alive first (its fd directory), else replaced.
	 */
	if (slot == 1 && faccessat(e->procdir, "fd", F_OK, 0) < 0)
		slot = nlep_task_get(sb, (pid_t)req->pid, true, &e);
	if (slot >= 0) {
		tgid = nlep_task_tgid(e);
		slot = nlep_pick_slot((pid_t)req->pid, e->procdir);
	}
	g_mutex_unlock(&sb->task_lock);
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
	r = nlep_new(sb, sp[0], st.st_ino, base, tgid);
	if (r < 0) {
		close(sp[0]);
		return r;
	}
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
 * nlep_host_recv() - the next datagram of a host answer, by @deadline
 * @fd: the host netlink socket (non-blocking)
 * @buf: NLEP_DGRAM_MAX bytes
 * @deadline: monotonic µs
 *
 * Return: its length (possibly more than NLEP_DGRAM_MAX: truncated), or
 * -ETIMEDOUT, or -errno.
 */
static ssize_t nlep_host_recv(int fd, uint8_t *buf, gint64 deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		gint64 left = deadline - g_get_monotonic_time();
		ssize_t n;

		n = recv(fd, buf, NLEP_DGRAM_MAX, MSG_DONTWAIT | MSG_TRUNC);
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

/**
 * nlep_host_query() - send a request to the host's NETLINK_ROUTE and collect
 * its answer (nlmsg_host_query_fn)
 * @data: unused
 * @req: the request
 * @len: its length
 * @ret: reply datagrams
 *
 * A dump when any NLM_F_DUMP bit is set, the test nlmsg.c and the kernel's
 * rtnetlink_rcv_msg() make. Without: one reply datagram, plus the ack when
 * the request asked for one. With: every part up to the one holding
 * NLMSG_DONE, at most NLEP_HOST_PARTS datagrams and NLEP_BACKLOG_MAX
 * bytes. Either ends at a datagram holding NLMSG_DONE or NLMSG_ERROR. The
 * whole query has one deadline, NLEP_HOST_TIMEOUT_MS (the kernel answers
 * at once). Runs with the hub lock released.
 * Return: 0 or -errno (-EMSGSIZE past the bounds, -ETIMEDOUT).
 */
static int nlep_host_query(void *data, const void *req, size_t len,
			   GPtrArray **ret)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(
		(GDestroyNotify)g_bytes_unref);
	const struct nlmsghdr *h = req;
	gint64 deadline = g_get_monotonic_time() + NLEP_HOST_TIMEOUT_MS * 1000;
	unsigned int want, i;
	size_t total = 0;
	bool dump;
	_cleanup_free_ uint8_t *buf = g_malloc(NLEP_DGRAM_MAX);

	(void)data;
	if (len < sizeof(*h))
		return -EINVAL;
	dump = (h->nlmsg_flags & NLM_F_DUMP) != 0;
	want = dump ? NLEP_HOST_PARTS : (h->nlmsg_flags & NLM_F_ACK) ? 2 : 1;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&k, sizeof(k)) < 0)
		return -errno;
	for (i = 0; i < want; i++) {
		ssize_t n = nlep_host_recv(fd, buf, deadline);

		if (n < 0)
			return (int)n;
		if (n > NLEP_DGRAM_MAX || total + (size_t)n > NLEP_BACKLOG_MAX)
			return -EMSGSIZE;
		total += (size_t)n;
		g_ptr_array_add(out, g_bytes_new(buf, (size_t)n));
		if (nlep_host_dgram_ends(buf, (size_t)n))
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
 * overflow queue up to the endpoint's room (nlep_room()); past it the
 * message is dropped and the next receive fails ENOBUFS (unless
 * NETLINK_NO_ENOBUFS).
 */
static void nlep_mcast(struct nlep *ep, const void *buf, size_t len)
{
	if (g_queue_is_empty(&ep->out) &&
	    send(ep->pfd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return;
	if (len <= nlep_room(ep)) {
		nlep_queue(ep, buf, len);
		nlep_set_want_out(ep, true);
		return;
	}
	nlep_overrun(ep);
}

/**
 * nlep_on_event() - the model changed: multicast to subscribed endpoints
 * @ev: the changes (and whether some were lost)
 * @data: the hub
 *
 * Runs on the main loop. Each change is encoded once, sent to every
 * endpoint of its groups; lost changes are ENOBUFS for every subscriber.
 * Parked receives completed here are written out after the lock.
 */
static void nlep_on_event(const struct netstate_event *ev, void *data)
{
	struct nlep_hub *h = data;
	_cleanup_free_ char *buf = g_malloc(NLEP_DUMP_MAX);
	GQueue done = G_QUEUE_INIT;
	GHashTableIter it;
	gpointer k, v;
	size_t i;

	g_mutex_lock(&h->lock);
	for (i = 0; i < ev->n_changes && g_hash_table_size(h->eps); i++) {
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

		if (ev->changes_lost && ep->groups)
			nlep_overrun(ep);
		if (ep->groups)
			nlep_wake(ep, &done);
	}
	g_mutex_unlock(&h->lock);
	nlep_complete(&done);
}
/* ---- hub and sandboxes ------------------------------------------------- */

/**
 * nlep_sysctl() - an integer of /proc/sys/net/core
 * @name: its name
 * @dflt: the value when it cannot be read
 *
 * Return: the value, at least 256.
 */
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
	struct stat ns;

	g_mutex_init(&h->lock);
	if (stat("/proc/self/ns/user", &ns) == 0) {
		h->userns_dev = ns.st_dev;
		h->userns_ino = ns.st_ino;
	}
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
 * nlep_hub_free() - at exit, once no serving thread is left (lxnet-proxy
 * does not call it while one runs: they cannot be woken to be joined)
 * @h: the hub (NULL is fine)
 *
 * Runs on the main loop. Endpoints still open are left to process exit
 * (their sources point at the hub; their fds close with the process).
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
	sb->rover = NLEP_ROVER_START;
	g_mutex_init(&sb->task_lock);
	return sb;
}

/**
 * nlep_sandbox_unref() - drop a reference; the last closes the listener dup
 * @sb: the sandbox (NULL is fine)
 *
 * Thread-safe (atomic); needs no hub lock.
 */
void nlep_sandbox_unref(struct nlep_sandbox *sb)
{
	size_t i;

	if (!sb || !g_atomic_int_dec_and_test(&sb->ref))
		return;
	close(sb->listener);
	g_hash_table_unref(sb->ports);
	for (i = 0; i < NLEP_TASKS; i++)
		nlep_task_drop(&sb->tasks[i]);
	g_mutex_clear(&sb->task_lock);
	g_free(sb);
}
