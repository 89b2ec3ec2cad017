// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlep_hub.c - emulated netlink endpoints: the hub, endpoints' lifetime and look-up, the main loop's events, multicast */
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
 *    (`ip route get`, netconf, rules, link dumps) waits for the host
 *    kernel there, on a non-blocking socket with one NLEP_HOST_TIMEOUT_MS
 *    deadline per query, and ends at the datagram holding NLMSG_DONE or
 *    NLMSG_ERROR; the hub keeps up to NLEP_HOST_SOCKS such sockets
 *    between queries (nlep_out.c, "Host sockets"). Any
 *    NLM_F_DUMP bit makes a dump, in nlmsg.c and here, as in the kernel's
 *    rtnetlink_rcv_msg().
 *  - replies, dump parts and multicast messages are written into P, so
 *    they sit in S's receive queue: poll/select/epoll readiness, FIONREAD
 *    and read(2) are native and true. What P cannot take (its SO_SNDBUF is
 *    the endpoint's SO_RCVBUF; and its sandbox's socket memory, below)
 *    waits in a per-endpoint overflow queue.
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
 *    never written), read and written with pread/pwrite; reads only from
 *    pages mapped readable and writes only to pages mapped writable, as
 *    copy_from_user()/copy_to_user() would fault, and neither in a file
 *    of the caller's FUSE mounts (one PROCMAP_QUERY per mapping). The files are opened in a /proc/PID
 *    directory fd cached per calling thread with a pidfd and its inner
 *    tgid (NLEP_TASKS per sandbox, nlep_sandbox.c): fds that name the task,
 *    not its number, so a stale entry fails instead of reaching a new
 *    holder of the pid, and one NOTIF_ID_VALID after everything a call
 *    opened proves all of it the caller's. Every argument
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
 *    nlep_out.c and nlmsg.c; it is above any buffer a sender without
 *    CAP_NET_ADMIN can set with the default net.core.wmem_max. A datagram
 *    past it (possible only through a copy of S outside the range, below)
 *    is discarded and the next receive fails ENOBUFS, never silently (S
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
 * Socket memory: what P's datagrams hold in S's receive queue is kernel
 * memory charged to the proxy's socket (P's sk_wmem_alloc, skb truesize:
 * 768 bytes for a small notification), bounded by P's send buffer, which
 * is the endpoint's receive buffer as a native socket's sk_rcvbuf (by
 * default net.core.rmem_default, 208 KiB; it was twice that). 4,096
 * endpoints that never read, the per-sandbox cap, would still make the
 * proxy hold 4,096 receive buffers (1.7 GiB measured), so a sandbox's
 * P's are bounded together: NLEP_SANDBOX_SOCKMEM (32 MiB) in all, past
 * which each endpoint may still hold NLEP_SOCKMEM_RESERVE (8 KiB) of its
 * own: at most 32 MiB + 4096 * 8 KiB = 64 MiB per sandbox
 * (tests/integration/netlink-sockmem.sh).
 *  - counted, not granted: each datagram is admitted before it is written
 *    (nlep_put(), nlep_sockmem_admit()) against the sum of the sandbox's
 *    P's SIOCOUTQ as last read. P's own is read after each write, and at
 *    an admission too unless the sandbox was seen reading it already and
 *    the count as last read admits (it is never below what P holds); the
 *    others' only shrink unseen (the sandbox reads),
 *    so before a refusal the sum is re-read from every P of the sandbox,
 *    at most every NLEP_SOCKMEM_RESYNC_MS. The alternative, granting each
 *    P's SO_SNDBUF from the budget as endpoints ask for receive buffers,
 *    lets the kernel enforce it with no counting, but a grant cannot
 *    follow a reader (lowering sk_sndbuf frees nothing queued: endpoints
 *    made first would keep the budget, a reader made later get the
 *    floor), and every P needs a floor that takes the largest datagram
 *    written (AF_UNIX refuses one over sk_sndbuf - 32: a 32 KiB dump part,
 *    an ack echoing a 400 KB request), 4,096 such floors being 128 MiB or
 *    more by themselves.
 *  - the reserve keeps a reader going whatever the others hold: it takes
 *    an NLMSG_GOODSIZE dump part (4,352 bytes of truesize) with
 *    NLEP_SOCKMEM_WAKE to spare, or ten small notifications.
 *  - past the budget an endpoint is a full receiver, as one under a
 *    memory cgroup at its limit: a notification waits in the overflow
 *    queue only if the sandbox reads the endpoint (it has read from it,
 *    or had read everything when the event came: nlep_notify()), else it
 *    is dropped with ENOBUFS, so endpoints never read cost nothing more
 *    at once and leave the overflow queues' budget to readers (one that
 *    read once and stopped keeps its place there, within that budget);
 *    replies wait; dump parts shrink to
 *    NLMSG_GOODSIZE, as netlink_dump() falls back when the larger skb
 *    cannot be had, and wait; a datagram the reserve could never take
 *    (over 3,776 bytes: a host dump's parts, sock_diag answers, the ack
 *    of a large request) is dropped with ENOBUFS. A waiting datagram sets
 *    P's send buffer to the least (SOCK_MIN_SNDBUF), so P turns writable
 *    (G_IO_OUT) only once the sandbox has read S nearly empty, when the
 *    reserve admits it: nothing polls. Within the budget nothing changes,
 *    and getsockopt(SO_RCVBUF) reports what was set.
 *  - the budget: 32 MiB is 150 endpoints with the default receive
 *    buffer, or 8 with an rmem_max of 4 MiB, far above what programs keep
 *    open (iproute2 one or two, glibc's getifaddrs() one per call, network
 *    daemons a few), and the overflow queues' NLEP_SANDBOX_BYTES: a
 *    sandbox pins at most that much in each. A multiple of rmem_max would
 *    follow the host's tuning, but swing from 1.6 MiB (eight of Debian's
 *    208 KiB) to gigabytes where it is raised for a routing daemon; a
 *    fixed number bounds the same on every host.
 *  - a datagram over P's send buffer gets it raised for that one send,
 *    as netlink_attachskb() takes one skb past a receive buffer not yet
 *    full; one that still does not fit is dropped with ENOBUFS, not
 *    silently.
 *
 * Bounds (nlep.h): NLEP_MAX_ENDPOINTS per proxy and NLEP_MAX_PER_SANDBOX
 * per listener (socket() fails ENOBUFS past them); the fd range
 * (LXNET_NLEP_FD_COUNT numbers per process, EMFILE past it); parked
 * receives (above); overflow queue bytes (above); socket memory (above:
 * per sandbox; a shared proxy holds its sandboxes' sum); a host query holds at
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
 *
 * Layers: five files, each calling only the ones below it (checked by
 * tools/proxy-calls.py: no two files call each other); nlep_int.h holds
 * what they share, grouped the same way.
 *   nlep_call.c     the trapped calls (entered from notify.c): socket(),
 *                   and one row per call of enum trap_id (trapped.h):
 *                   read its arguments (the proxy's own copy), apply
 *                   under the hub lock, write its results
 *   nlep_hub.c      (this) the hub and endpoints: lifetime, look-up, the
 *                   main loop's events on P, multicast fan-out
 *   nlep_recv.c     a datagram from S into a caller; parked receives,
 *                   their completion and sweep
 *   nlep_out.c      the output queue: requests in, replies, dump parts,
 *                   notifications out into P; host queries
 *   nlep_sandbox.c  one sandbox: its listener, its port ids, its callers
 *                   (task cache; their fds and memory through target.c)
 * Where a lower layer's work makes room for an upper one's (a datagram
 * lands in S while receives are parked), the upper layer asks after
 * calling down (nlep_pump(), then nlep_wake()); nothing calls up.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "log.h"
#include "netstate.h"
#include "nlep_int.h"
#include "nlmsg.h"
#include "util.h"

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
	nlep_recv_orphan(ep);
	while (!g_queue_is_empty(&ep->out))
		nlep_unqueue(ep);
	/* P's datagrams went with S's receive queue (the last S closed) */
	ep->sb->sockmem -= MIN(ep->sockmem, ep->sb->sockmem);
	g_queue_unlink(&ep->sb->eps, &ep->sb_link);
	if (ep->dump)
		nlmsg_dump_free(ep->dump);
	nlep_port_release(ep);
	ep->sb->n_eps--;
	ep->hub->n_eps--;
	close(ep->pfd);
	closep(&ep->diag_fd);
	closep(&ep->diag_userns);
	closep(&ep->diag_netns);
	g_free(ep->uidmap);
	nlep_sandbox_unref(ep->sb);
	g_free(ep);
}

/* The endpoint of S's inode @ino, or NULL (hub lock held). */
struct nlep *nlep_lookup(struct nlep_hub *h, ino_t ino)
{
	return ino ? g_hash_table_lookup(h->eps, &ino) : NULL;
}

/* Drop a reference on @ep; frees it at the last (hub lock held). */
void nlep_unref(struct nlep *ep)
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
	nlep_complete_later(&done);
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
 * nlep_new() - a new endpoint on P, in the hub's table and on the main loop
 * @sb: the sandbox
 * @pfd: P (taken over on success)
 * @ino: S's inode
 * @type: SOCK_RAW or SOCK_DGRAM
 * @tgid: the creator's inner tgid
 * @diag: NETLINK_SOCK_DIAG: its namespaces (@diag->diag_userns,
 *	@diag->diag_netns and @diag->uidmap are taken over on success), or NULL for NETLINK_ROUTE
 *
 * Return: 0, or -ENOBUFS past NLEP_MAX_ENDPOINTS or NLEP_MAX_PER_SANDBOX.
 */
int nlep_new(struct nlep_sandbox *sb, int pfd, ino_t ino, int type,
		    pid_t tgid, struct nlep *diag)
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
	ep->protocol = diag ? NETLINK_SOCK_DIAG : NETLINK_ROUTE;
	ep->diag_fd = -1;
	ep->diag_userns = diag ? steal_fd(&diag->diag_userns) : -1;
	ep->diag_netns = diag ? steal_fd(&diag->diag_netns) : -1;
	if (diag) {
		ep->has_netns = diag->has_netns;
		ep->netns_dev = diag->netns_dev;
		ep->netns_ino = diag->netns_ino;
		ep->uidmap = g_steal_pointer(&diag->uidmap);
	}
	ep->sndbuf = h->wmem_default * 2;
	g_queue_init(&ep->out);
	nlep_init_rcvbuf(ep);
	ep->sb_link.data = ep;
	g_queue_push_tail_link(&sb->eps, &ep->sb_link);
	sb->n_eps++;
	h->n_eps++;
	g_hash_table_insert(h->eps, &ep->ino, ep);
	ep->src = g_source_new((GSourceFuncs *)&nlep_src_funcs, sizeof(GSource));
	ep->tag = g_source_add_unix_fd(ep->src, ep->pfd,
				       G_IO_IN | G_IO_HUP | G_IO_ERR);
	g_source_set_callback(ep->src, NULL, ep, NULL);
	/*
	 * GLib blocks a source that cannot recurse while it is dispatched:
	 * its fd leaves the poll set and comes back, and each of the two
	 * changes writes the context's eventfd, which the next iteration
	 * reads and polls again for (four system calls per request taken
	 * on the main loop). nlep_src_dispatch() never iterates the
	 * context, so there is no recursion to guard against.
	 */
	g_source_set_can_recurse(ep->src, TRUE);
	g_source_attach(ep->src, h->ctx);
	g_mutex_unlock(&h->lock);
	return 0;
}

/* ---- multicast ----------------------------------------------------------- */

/* A host notification the model passes on fits one multicast datagram. */
G_STATIC_ASSERT(NS_HOSTMSG_MAX <= NLEP_DUMP_MAX);

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
	g_autofree char *buf = g_malloc(NLEP_DUMP_MAX);
	GQueue done = G_QUEUE_INIT;
	GHashTableIter it;
	gpointer k, v;
	size_t i;

	g_mutex_lock(&h->lock);
	h->event++;
	for (i = 0; i < ev->n_changes && g_hash_table_size(h->eps); i++) {
		const struct ns_change *c = &ev->changes[i];
		uint64_t g = nlmsg_change_groups(c);
		ssize_t n = -1;

		g_hash_table_iter_init(&it, h->eps);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			struct nlep *ep = v;

			if (!(ep->groups & g) || ep->protocol != NETLINK_ROUTE)
				continue;
			if (n < 0)
				n = nlmsg_change_encode(ev->snap, c, buf, NLEP_DUMP_MAX);
			if (n <= 0)
				break;
			nlep_notify(ep, buf, (size_t)n);
		}
	}
	g_hash_table_iter_init(&it, h->eps);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct nlep *ep = v;

		if (ep->protocol != NETLINK_ROUTE)
			continue;
		if (ev->changes_lost && ep->groups)
			nlep_overrun(ep);
		if (ep->groups)
			nlep_wake(ep, &done);
	}
	g_mutex_unlock(&h->lock);
	nlep_complete_later(&done);
}

/* ---- the hub ------------------------------------------------------------- */

/**
 * nlep_sysctl() - an integer of /proc/sys/net/core
 * @name: its name
 * @dflt: the value when it cannot be read
 *
 * Return: the value, at least 256.
 */
static int nlep_sysctl(const char *name, int dflt)
{
	g_autofree char *s = NULL;
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
	g_mutex_init(&h->host_lock);
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
	nlep_host_socks_close(h);
	g_mutex_clear(&h->host_lock);
	g_mutex_clear(&h->lock);
	g_free(h);
}
