/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nlep_int.h - what the files of the emulated netlink endpoints share: bounds,
 * the hub, its sandboxes and endpoints, a receive's arguments, and each
 * layer's functions, top to bottom (nlep_call.c, nlep_hub.c, nlep_recv.c,
 * nlep_out.c, nlep_sandbox.c; each calls only the ones below it). Private
 * to them; see nlep_hub.c, "Theory of operation" and "Layers".
 */
#ifndef LXNET_PROXY_NLEP_INT_H
#define LXNET_PROXY_NLEP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/netlink.h>
#include <glib.h>

#include "nlep.h"
#include "proxy_int.h"
#include "sockset.h"

struct nlmsg_dump;
struct seccomp_notif;
struct stat;

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
#define NLEP_HOST_SOCKS 4             /* idle host NETLINK_ROUTE sockets kept */
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
#define NLEP_TRIM_BYTES (1u << 20)    /* queued bytes worth a malloc_trim() */
#define NLEP_SOCKMEM_RESYNC_MS 50     /* a sandbox's SIOCOUTQ walk, at most */
/*
 * What a datagram that may wait for its endpoint's reserve leaves of it:
 * a waiting P turns writable at SIOCOUTQ <= SOCK_MIN_SNDBUF / 4 (1151
 * bytes on x86-64), and the reserve must then take the datagram, or the
 * main loop would spin on G_IO_OUT (nlep_put()).
 */
#define NLEP_SOCKMEM_WAKE 2048

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
 * @event: model events multicast so far
 * @rmem_default, @rmem_max, @wmem_default, @wmem_max: net.core sysctls
 * @userns_dev, @userns_ino: the proxy's user namespace (SO_*BUFFORCE)
 * @host_lock: guards @host_fds, @n_host_fds and @host_seq (never held
 *	across a system call)
 * @host_fds: idle host NETLINK_ROUTE sockets, each with nothing queued
 *	and no dump running, for the next host query (nlep_out.c)
 * @n_host_fds: how many, at most NLEP_HOST_SOCKS
 * @host_seq: the sequence number of the last host query
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
	uint64_t event;
	int rmem_default, rmem_max, wmem_default, wmem_max;
	dev_t userns_dev;
	ino_t userns_ino;
	GMutex host_lock;
	int host_fds[NLEP_HOST_SOCKS];
	unsigned int n_host_fds;
	uint32_t host_seq;
};

/**
 * struct nlep_sandbox - the endpoints of one listener (one port id space)
 * @ref: references (atomic): the serving thread, each endpoint, each op
 * @hub: the hub
 * @listener: our own dup of the listener
 * @journal: its in-flight record, or NULL (a reference)
 * @ports: port id -> present (hub lock)
 * @n_eps: endpoints, at most NLEP_MAX_PER_SANDBOX (hub lock)
 * @n_parked: parked receives, at most NLEP_MAX_PARKED_PER_SANDBOX (hub lock)
 * @out_bytes: bytes in its endpoints' overflow queues, at most
 *	NLEP_SANDBOX_BYTES (hub lock)
 * @eps: its endpoints (struct nlep's @sb_link; hub lock)
 * @sockmem: the sum of its endpoints' @sockmem (hub lock): never less
 *	than what their P's hold, which only reads shrink
 * @sockmem_synced: when @sockmem was last re-read from every P
 *	(monotonic µs; hub lock)
 * @rover: next automatic negative port id, as an unsigned (hub lock)
 * @pidfd_leader_only: reach callers' fds as before Linux 6.9 (task.c)
 * @task_lock: guards @tasks and @task_clock (taken only by the sandbox's
 *	serving thread in practice, so never contended)
 * @tasks: the callers seen last (see struct nlep_task)
 * @task_clock: stamps for @tasks' least recently used
 * @defer_lock: guards @deferred, @n_deferred, @wake, @wake_data,
 *	@wake_timer and @closed
 * @deferred: completed receives the main loop handed over, written into
 *	their callers by the sandbox's own serving thread (nlep_run_deferred())
 * @n_deferred: @deferred's length (also read without the lock: a hint)
 * @wake: wakes the serving thread (set by notify.c), or NULL
 * @wake_data: for @wake
 * @wake_timer: a retry of @wake is armed on the main loop
 * @closed: the serving thread has ended: ops handed over are dropped
 */
struct nlep_sandbox {
	gint ref;
	struct nlep_hub *hub;
	int listener;
	struct notif_journal *journal;
	GHashTable *ports;
	unsigned int n_eps;
	unsigned int n_parked;
	size_t out_bytes;
	GQueue eps;
	size_t sockmem;
	gint64 sockmem_synced;
	uint32_t rover;
	bool pidfd_leader_only;
	GMutex task_lock;
	struct nlep_task {
		pid_t pid;
		int pidfd;
		bool pidfd_leader;
		int procdir;
		pid_t tgid;
		uint64_t used;
	} tasks[NLEP_TASKS];
	uint64_t task_clock;
	GMutex defer_lock;
	GQueue deferred;
	gint n_deferred;
	void (*wake)(void *data);
	void *wake_data;
	bool wake_timer;
	bool closed;
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
 * @p_sndbuf: P's send buffer, the kernel's value: @rcvbuf, at most
 *	NLEP_BACKLOG_MAX
 * @p_low: P's send buffer is at the least while a datagram waits for
 *	socket memory (nlep_put())
 * @sockmem: P's SIOCOUTQ when last read (the bytes its datagrams hold in
 *	S's receive queue, skb truesize)
 * @sb_link: in its sandbox's @eps
 * @has_read: P's SIOCOUTQ was once seen lower than before: the sandbox
 *	has read from S
 * @event: the hub's @event when it was last notified
 * @reader: at its first notification of @event, @has_read or P held
 *	nothing: the sandbox reads it (nlep_notify())
 * @err: pending error (ENOBUFS)
 * @congested: an overrun happened and the sandbox has not yet read
 *	everything queued: replies and notifications are dropped without a
 *	new ENOBUFS (the kernel's NETLINK_S_CONGESTED; nlep_uncongest())
 * @out: GBytes waiting for room in P
 * @out_bytes: bytes in @out
 * @dump: the dump being read, or NULL
 * @max_recvmsg_len: largest buffer a trapped receive offered
 * @want_out: P's G_IO_OUT is watched
 * @rd_eof: the sandbox shut S's sending side: P is no longer watched for
 *	input (nlep_read_empty())
 * @busy: a request is being answered with the lock released: no other
 *	request is taken meanwhile (order is kept)
 * @parked: its parked receives, in order (struct nlep_op's @ep_link)
 * @err_token: a zero-length datagram in S makes it readable for @err
 * @p_empty: the last request read from P found none (nlep_pump())
 * @protocol: NETLINK_ROUTE, or NETLINK_SOCK_DIAG (requests go to
 *	sockdiag.c; no multicast)
 * @has_netns, @netns_dev, @netns_ino: NETLINK_SOCK_DIAG: the creator's
 *	network namespace, whose processes' sockets are the sandbox's
 * @diag_fd: NETLINK_SOCK_DIAG: a socket in that namespace, or -1 (made
 *	at the first request for a non-inet family, from @diag_userns and
 *	@diag_netns, which are closed then)
 * @diag_userns, @diag_netns: NETLINK_SOCK_DIAG: the creator's user and
 *	network namespaces, or -1
 * @uidmap: NETLINK_SOCK_DIAG: the creator's uid_map (g_free), or NULL
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
	int p_sndbuf;
	bool p_low;
	size_t sockmem;
	GList sb_link;
	bool has_read;
	uint64_t event;
	bool reader;
	int err;
	bool congested;
	GQueue out;
	size_t out_bytes;
	struct nlmsg_dump *dump;
	size_t max_recvmsg_len;
	bool want_out;
	bool rd_eof;
	bool busy;
	GQueue parked;
	bool err_token;
	bool p_empty;
	int protocol;
	bool has_netns;
	dev_t netns_dev;
	ino_t netns_ino;
	int diag_fd;
	int diag_userns, diag_netns;
	struct sockset_idmap *uidmap;
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

/* nlep_call.c: the trapped calls (nlep.h: nlep_do_call(), nlep_do_socket()) */

/* nlep_hub.c: the hub, endpoints' lifetime and look-up, multicast */
struct nlep *nlep_lookup(struct nlep_hub *h, ino_t ino);
int nlep_new(struct nlep_sandbox *sb, int pfd, ino_t ino, int type,
	     pid_t tgid, struct nlep *diag);
void nlep_unref(struct nlep *ep);

/* nlep_recv.c: a datagram from S into a caller; parked receives */
void nlep_complete(GQueue *done);
void nlep_complete_later(GQueue *done);
void nlep_complete_own(struct nlep_sandbox *sb, GQueue *done);
ssize_t nlep_deliver(struct target *t, const struct nlep_recv *rv,
		     const struct nlep_got *g);
ssize_t nlep_dequeue(struct nlep *ep, int sfd, const struct nlep_recv *rv,
		     struct nlep_got *g);
int nlep_park(struct nlep_sandbox *sb, const struct seccomp_notif *req,
	      struct nlep *ep, int *sfd, struct target *t,
	      struct nlep_recv **rv);
void nlep_recv_free(struct nlep_recv *rv);
void nlep_recv_orphan(struct nlep *ep);
void nlep_wake(struct nlep *ep, GQueue *done);

/* nlep_out.c: the output queue */
void nlep_err_unwake(struct nlep *ep, int sfd);
void nlep_init_rcvbuf(struct nlep *ep);
void nlep_host_socks_close(struct nlep_hub *h);
void nlep_notify(struct nlep *ep, const void *buf, size_t len);
void nlep_overrun(struct nlep *ep);
void nlep_uncongest(struct nlep *ep);
bool nlep_pump(struct nlep *ep, bool take);
void nlep_set_rcvbuf(struct nlep *ep, int val, bool force);
void nlep_unqueue(struct nlep *ep);

/* nlep_sandbox.c: a sandbox's listener, port ids and callers */
#define NLEP_ATTACH_MEMORY (1u << 0) /* it reads or writes the caller: open maps too */
#define NLEP_ATTACH_FD (1u << 1)     /* take our own copy of the fd */
#define NLEP_ATTACH_TGID (1u << 2)   /* read the caller's inner tgid */
int nlep_attach(struct nlep_sandbox *sb, const struct seccomp_notif *req,
		unsigned int what, struct target *t, int *sfd, ino_t *ino,
		pid_t *tgid);
int nlep_bind_port(struct nlep *ep, uint32_t want);
int nlep_caller_fd_stat(struct nlep_sandbox *sb,
			const struct seccomp_notif *req, struct stat *st);
bool nlep_caller_net_admin(const struct nlep_hub *h, pid_t pid);
int nlep_caller_slot(struct nlep_sandbox *sb, pid_t pid, struct nlep *diag,
		     pid_t *ret_tgid);
void nlep_diag_clear(struct nlep *diag);
void nlep_port_release(struct nlep *ep);

#endif
