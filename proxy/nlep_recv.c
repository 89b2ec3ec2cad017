// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlep_recv.c - emulated netlink endpoints: a datagram from S into a caller, parked receives */
/*
 * See nlep_hub.c, "Theory of operation" and "Layers". Below the hub and the
 * trapped-call layer, above the output queue (nlep_out.c) and the sandbox
 * (nlep_sandbox.c): take one datagram from S under the hub lock
 * (nlep_dequeue()), write it into the caller after it (nlep_deliver()),
 * and keep blocking receives parked until data, timeout, signal or the
 * caller's exit (nlep_park(), nlep_wake(), nlep_complete(), the sweep).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nlep_int.h"
#include "util.h"

/* Free a receive's copied arguments (NULL is fine). */
void nlep_recv_free(struct nlep_recv *rv)
{
	if (!rv)
		return;
	g_free(rv->iov);
	g_free(rv);
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
	case RTM_NEWRULE:
	case RTM_DELRULE:
		return family == AF_INET6 ? RTNLGRP_IPV6_RULE : RTNLGRP_IPV4_RULE;
	case RTM_NEWNETCONF:
	case RTM_DELNETCONF:
		return family == AF_INET6 ? RTNLGRP_IPV6_NETCONF :
					    RTNLGRP_IPV4_NETCONF;
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
ssize_t nlep_dequeue(struct nlep *ep, int sfd, const struct nlep_recv *rv,
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
	if (!(rv->flags & MSG_PEEK))
		nlep_uncongest(ep); /* netlink_rcv_wake() */
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

	/*
	 * As put_cmsg(): no room for a header at all is MSG_CTRUNC and
	 * nothing written; a short buffer gets the message cut (its
	 * cmsg_len saying so) and MSG_CTRUNC; a buffer that cannot be
	 * written is left alone and the receive still succeeds (netlink
	 * ignores put_cmsg()'s EFAULT).
	 */
	if (g->pktinfo && (!rv->m.msg_control ||
			   rv->m.msg_controllen < sizeof(struct cmsghdr))) {
		mflags |= MSG_CTRUNC;
	} else if (g->pktinfo) {
		uint8_t cb[CMSG_SPACE(sizeof(struct nl_pktinfo))] = { 0 };
		struct cmsghdr *c = (struct cmsghdr *)cb;
		struct nl_pktinfo pi = { .group = g->group };

		c->cmsg_len = CMSG_LEN(sizeof(pi));
		c->cmsg_level = SOL_NETLINK;
		c->cmsg_type = NETLINK_PKTINFO;
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		used = MIN(rv->m.msg_controllen, sizeof(cb));
		if (rv->m.msg_controllen < CMSG_LEN(sizeof(pi))) {
			mflags |= MSG_CTRUNC;
			c->cmsg_len = used;
		}
		if (target_write(t, (uint64_t)(uintptr_t)rv->m.msg_control,
				 cb, used) < 0)
			used = 0;
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
ssize_t nlep_deliver(struct target *t, const struct nlep_recv *rv,
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

/**
 * nlep_recv_orphan() - @ep is being freed: its parked receives stay parked
 * @ep: the endpoint (hub lock held)
 *
 * Their callers still hold S: they wait until their timeout, signal or
 * exit, which the sweep answers.
 */
void nlep_recv_orphan(struct nlep *ep)
{
	GList *l;

	for (l = ep->parked.head; l; l = l->next)
		((struct nlep_op *)l->data)->ep = NULL;
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
void nlep_wake(struct nlep *ep, GQueue *done)
{
	struct nlep_hub *h = ep->hub;
	GList *l, *next;

	for (l = ep->parked.head; l; l = next) {
		struct nlep_op *op = l->data;
		ssize_t r;

		next = l->next;
		if (notif_id_valid(op->sb->listener, op->id) < 0) {
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
 * /proc/PID/mem, which reaches its caller or nothing. Only on a sandbox's
 * own serving thread (nlep_call.c, a receive that made room; and
 * nlep_run_deferred()): a write may wait as long as the caller's memory
 * makes it (a mapping of a FUSE file its own server never answers), and
 * that must stall nobody else. The main loop hands its completions over
 * with nlep_complete_later().
 */
void nlep_complete(GQueue *done)
{
	struct nlep_op *op;

	while ((op = g_queue_pop_head(done))) {
		ssize_t r = op->res;

		if (r >= 0)
			r = nlep_deliver(&op->t, op->rv, &op->got);
		if (r != -ENOENT || notif_id_valid(op->sb->listener, op->id) == 0)
			(void)notif_reply(op->sb->journal, op->sb->listener,
					  op->id, r);
		nlep_op_free(op);
	}
}

#define NLEP_WAKE_RETRY_MS 20

/*
 * The retry of a wake-up: the serving thread lets its wake-up signal in
 * only while it waits for a notification, so one sent just before it
 * waits again is taken without interrupting the wait. Re-sent until the
 * thread has taken the queue (or ended).
 */
static gboolean nlep_wake_retry(gpointer data)
{
	struct nlep_sandbox *sb = data;
	bool again;

	g_mutex_lock(&sb->defer_lock);
	again = !sb->closed && sb->wake && !g_queue_is_empty(&sb->deferred);
	if (again)
		sb->wake(sb->wake_data);
	else
		sb->wake_timer = false;
	g_mutex_unlock(&sb->defer_lock);
	if (!again)
		nlep_sandbox_unref(sb);
	return again ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Queue @op for its sandbox's thread (defer_lock held); whether to wake. */
static bool nlep_defer(struct nlep_sandbox *sb, struct nlep_op *op)
{
	bool first = g_queue_is_empty(&sb->deferred);

	g_queue_push_tail(&sb->deferred, op);
	g_atomic_int_inc(&sb->n_deferred);
	return first;
}

/**
 * nlep_complete_later() - hand completed receives to their sandboxes'
 * serving threads
 * @done: ops from nlep_wake() (emptied)
 *
 * The main loop's way to complete receives: it never writes into a
 * caller's memory itself. Each sandbox's thread is woken (and woken again
 * every NLEP_WAKE_RETRY_MS until it has taken them); a sandbox whose thread
 * has ended drops them.
 */
void nlep_complete_later(GQueue *done)
{
	struct nlep_op *op;

	while ((op = g_queue_pop_head(done))) {
		struct nlep_sandbox *sb = op->sb;
		bool wake;

		g_mutex_lock(&sb->defer_lock);
		if (sb->closed) {
			g_mutex_unlock(&sb->defer_lock);
			nlep_op_free(op);
			continue;
		}
		wake = nlep_defer(sb, op) && sb->wake;
		if (wake) {
			sb->wake(sb->wake_data);
			if (!sb->wake_timer) {
				GSource *t = g_timeout_source_new(NLEP_WAKE_RETRY_MS);

				sb->wake_timer = true;
				g_atomic_int_inc(&sb->ref);
				g_source_set_callback(t, nlep_wake_retry, sb, NULL);
				g_source_attach(t, sb->hub->ctx);
				g_source_unref(t);
			}
		}
		g_mutex_unlock(&sb->defer_lock);
	}
}

/**
 * nlep_complete_own() - complete on this thread the receives of its own
 * sandbox; hand the others to theirs
 * @sb: the sandbox whose serving thread this is
 * @done: ops from nlep_wake() (emptied); an endpoint passed to another
 *	sandbox may have that sandbox's callers parked on it
 */
void nlep_complete_own(struct nlep_sandbox *sb, GQueue *done)
{
	GQueue own = G_QUEUE_INIT, other = G_QUEUE_INIT;
	struct nlep_op *op;

	while ((op = g_queue_pop_head(done)))
		g_queue_push_tail(op->sb == sb ? &own : &other, op);
	nlep_complete(&own);
	nlep_complete_later(&other);
}

/**
 * nlep_run_deferred() - write the receives the main loop completed
 * @sb: the sandbox; on its serving thread
 *
 * Cheap when there are none (one atomic read).
 */
void nlep_run_deferred(struct nlep_sandbox *sb)
{
	GQueue q = G_QUEUE_INIT;

	if (!sb || g_atomic_int_get(&sb->n_deferred) == 0)
		return;
	g_mutex_lock(&sb->defer_lock);
	q = sb->deferred;
	g_queue_init(&sb->deferred);
	g_atomic_int_set(&sb->n_deferred, 0);
	g_mutex_unlock(&sb->defer_lock);
	nlep_complete(&q);
}

/**
 * nlep_sandbox_close() - the serving thread ends: write what is queued,
 * drop what comes later
 * @sb: the sandbox (NULL is fine)
 */
void nlep_sandbox_close(struct nlep_sandbox *sb)
{
	if (!sb)
		return;
	g_mutex_lock(&sb->defer_lock);
	sb->closed = true;
	sb->wake = NULL;
	g_mutex_unlock(&sb->defer_lock);
	g_atomic_int_set(&sb->n_deferred, 1); /* take whatever is there */
	nlep_run_deferred(sb);
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

		c->pending = task_signal_pending(c->pid);
	}
	g_mutex_lock(&h->lock);
	nlep_sweep_mark(h, checks);
	for (l = h->parked.head; l; l = next) {
		struct nlep_op *op = l->data;
		int64_t ans = 1;

		next = l->next;
		if (notif_id_valid(op->sb->listener, op->id) < 0)
			ans = 0;
		else if (op->deadline && now >= op->deadline)
			ans = -EAGAIN;
		else if (op->signalled)
			ans = op->timeo ? -EINTR : -ERESTARTSYS;
		if (ans == 1)
			continue;
		if (ans < 0)
			(void)notif_reply(op->sb->journal, op->sb->listener,
					  op->id, ans);
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
int nlep_park(struct nlep_sandbox *sb, const struct seccomp_notif *req,
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
	*t = (struct target){ .memfd = -1 }; /* every fd of it is the op's now */
	/*
	 * What the checks found of the caller's mappings holds for this call
	 * only: while it is parked another thread may map a file of its own
	 * FUSE mount there, or take the write permission away, so the write
	 * at delivery asks again.
	 */
	op->t.r_lo = op->t.r_hi = op->t.w_lo = op->t.w_hi = 0;
	g_clear_pointer(&op->t.maps, g_free);
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
