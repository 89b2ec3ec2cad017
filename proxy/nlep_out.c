// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlep_out.c - emulated netlink endpoints: the output queue: requests in, replies, dumps and notifications out */
/*
 * See nlep_hub.c, "Theory of operation" and "Layers". Below the hub, the
 * trapped-call layer and the receive layer; above the sandbox
 * (nlep_sandbox.c: an autobind on a request). Everything here runs under
 * the hub lock, except a request being answered (the lock is released,
 * the endpoint marked busy) and never touches a caller's memory: what
 * moves is between P, the endpoint's overflow queue, the model (nlmsg.c),
 * NETLINK_SOCK_DIAG (sockdiag.c) and the host kernel (host queries).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/sockios.h>

#include "log.h"
#include "netstate.h"
#include "nlep_int.h"
#include "nlmsg.h"
#include "nlmsg_int.h"
#include "sockdiag.h"
#include "util.h"

/* Watch P for what is wanted now (hub lock held, @ep->src set). */
static void nlep_watch(struct nlep *ep)
{
	g_source_modify_unix_fd(ep->src, ep->tag,
				(ep->rd_eof ? 0 : G_IO_IN) | G_IO_HUP | G_IO_ERR |
				(ep->want_out ? G_IO_OUT : 0));
}

/* Watch P for G_IO_OUT while the overflow queue waits (hub lock held). */
static void nlep_set_want_out(struct nlep *ep, bool want)
{
	if (ep->want_out == want || !ep->src)
		return;
	ep->want_out = want;
	nlep_watch(ep);
}

/* ---- P's send buffer and the sandbox's socket memory ------------------ */

/*
 * See nlep_hub.c, "Socket memory". unix_dgram_sendmsg() puts up to
 * SKB_MAX_ALLOC bytes of a datagram in the skb's head, a kmalloc'd power
 * of two with struct skb_shared_info at its end, and the rest in pages;
 * truesize adds struct sk_buff. x86-64 values, 4 KiB pages.
 */
#define NLEP_SKB_SHINFO 320      /* aligned sizeof(struct skb_shared_info) */
#define NLEP_SKB_STRUCT 256      /* aligned sizeof(struct sk_buff) */
#define NLEP_SKB_MAX_ALLOC 16064 /* SKB_MAX_ALLOC: 16 KiB less the two */

/**
 * nlep_truesize() - what a datagram of @len bytes written into P charges
 * P's send buffer (an estimate for admitting it; what is counted after is
 * SIOCOUTQ)
 * @len: the datagram's length
 *
 * Measured on Linux 6.18: 0-128 bytes 768, 3776 bytes 4352, 16064 bytes
 * 16640, 32448 bytes 33024; this gives the same.
 * Return: the skb's truesize.
 */
static size_t nlep_truesize(size_t len)
{
	size_t head = MIN(len, (size_t)NLEP_SKB_MAX_ALLOC), slab = 512;

	head = ((head + 63) & ~(size_t)63) + NLEP_SKB_SHINFO;
	while (slab < head)
		slab <<= 1;
	return slab + NLEP_SKB_STRUCT +
	       ((len - MIN(len, (size_t)NLEP_SKB_MAX_ALLOC) + 4095) & ~(size_t)4095);
}

/* Set P's sk_sndbuf to about @val bytes (the kernel doubles what it gets). */
static void nlep_p_sndbuf(struct nlep *ep, int val)
{
	int arg = val / 2;

	if (setsockopt(ep->pfd, SOL_SOCKET, SO_SNDBUFFORCE, &arg, sizeof(arg)) < 0)
		(void)setsockopt(ep->pfd, SOL_SOCKET, SO_SNDBUF, &arg, sizeof(arg));
}

/*
 * P's send buffer at the least (@low), so that P turns writable only once
 * the sandbox has read S (nearly) empty, or back at @ep->p_sndbuf.
 */
static void nlep_p_low(struct nlep *ep, bool low)
{
	if (ep->p_low == low)
		return;
	ep->p_low = low;
	nlep_p_sndbuf(ep, low ? 0 : ep->p_sndbuf);
}

/*
 * @ep's receive buffer is @rcvbuf (what getsockopt reports, the native
 * socket's sk_rcvbuf): P's send buffer, what S's receive queue can hold,
 * is the same, at most NLEP_BACKLOG_MAX.
 */
static void nlep_rcvbuf_is(struct nlep *ep, int rcvbuf)
{
	ep->rcvbuf = rcvbuf;
	ep->p_sndbuf = MIN(rcvbuf, (int)NLEP_BACKLOG_MAX);
	if (!ep->p_low)
		nlep_p_sndbuf(ep, ep->p_sndbuf);
}

/* A new endpoint's receive buffer: net.core.rmem_default, not doubled. */
void nlep_init_rcvbuf(struct nlep *ep)
{
	nlep_rcvbuf_is(ep, ep->hub->rmem_default);
}

/**
 * nlep_set_rcvbuf() - SO_RCVBUF(FORCE) on an endpoint
 * @ep: the endpoint (hub lock held)
 * @val: the value asked for
 * @force: SO_RCVBUFFORCE (the caller's CAP_NET_ADMIN was checked)
 *
 * getsockopt reports twice the value, at least SOCK_MIN_RCVBUF.
 */
void nlep_set_rcvbuf(struct nlep *ep, int val, bool force)
{
	int cap = force ? INT32_MAX / 2 : ep->hub->rmem_max;
	int v = MIN(MAX(val, 0), cap);

	nlep_rcvbuf_is(ep, MAX(v * 2, NLEP_SOCK_MIN_RCVBUF));
}

/*
 * Read P's SIOCOUTQ into @ep->sockmem and its sandbox's sum (hub lock);
 * less than before means the sandbox has read from S.
 */
static void nlep_sockmem_read(struct nlep *ep)
{
	int q = 0;

	if (ioctl(ep->pfd, SIOCOUTQ, &q) < 0 || q < 0)
		return;
	if ((size_t)q < ep->sockmem)
		ep->has_read = true;
	ep->sb->sockmem = ep->sb->sockmem - ep->sockmem + (size_t)q;
	ep->sockmem = (size_t)q;
}

/*
 * Re-read every P of @sb, at most every NLEP_SOCKMEM_RESYNC_MS (readers
 * shrink the sum unseen). Return: true when it was re-read now.
 */
static bool nlep_sockmem_resync(struct nlep_sandbox *sb)
{
	gint64 now = g_get_monotonic_time();
	GList *l;

	if (now - sb->sockmem_synced < NLEP_SOCKMEM_RESYNC_MS * 1000)
		return false;
	sb->sockmem_synced = now;
	for (l = sb->eps.head; l; l = l->next)
		nlep_sockmem_read(l->data);
	return true;
}

/* Whether @t more bytes of truesize fit, by the counts as last read. */
static bool nlep_sockmem_fits(const struct nlep *ep, size_t t)
{
	return ep->sockmem + t <= NLEP_SOCKMEM_RESERVE ||
	       ep->sb->sockmem + t <= NLEP_SANDBOX_SOCKMEM;
}

/**
 * nlep_sockmem_admit() - may a datagram of @len bytes go into P now?
 * @ep: the endpoint (hub lock held)
 * @len: the datagram's length
 *
 * When what P holds stays within NLEP_SOCKMEM_RESERVE with it, or what
 * the sandbox's P's hold within NLEP_SANDBOX_SOCKMEM; the sum is re-read
 * (rate-limited) before a refusal. P's own count is read first, unless
 * the sandbox was already seen reading @ep and the count as last read
 * admits the datagram: every write into P is read back (nlep_put(),
 * nlep_err_wakeup()), so that count is never below what P holds (only
 * the sandbox's reads shrink it), and a fresh read would admit it too.
 * That saves one SIOCOUTQ per reply and dump part (a glibc getifaddrs()
 * takes five); the read stays where it is how @ep->has_read is learnt.
 * Return: true when it may.
 */
static bool nlep_sockmem_admit(struct nlep *ep, size_t len)
{
	size_t t = nlep_truesize(len);
	struct nlep_sandbox *sb = ep->sb;

	if (ep->has_read && nlep_sockmem_fits(ep, t))
		return true;
	nlep_sockmem_read(ep);
	if (nlep_sockmem_fits(ep, t))
		return true;
	return nlep_sockmem_resync(sb) && sb->sockmem + t <= NLEP_SANDBOX_SOCKMEM;
}

/*
 * A datagram waits for socket memory: P's send buffer goes to the least,
 * so G_IO_OUT comes once the sandbox has read S down to under
 * NLEP_SOCKMEM_WAKE, when the reserve admits it (nlep_put()).
 */
static void nlep_wait_sockmem(struct nlep *ep)
{
	nlep_p_low(ep, true);
	nlep_set_want_out(ep, true);
}

/**
 * nlep_put() - write one datagram into P, within the socket memory its
 * endpoint and sandbox may hold
 * @ep: the endpoint (hub lock held)
 * @buf: the datagram
 * @len: its length
 *
 * Past the budget, a datagram the reserve can take may wait
 * (nlep_wait_sockmem()); one the reserve could never take is refused. A
 * datagram over P's send buffer gets it raised for itself, as
 * netlink_attachskb() takes one skb past a receive buffer not yet full
 * (AF_UNIX refuses one over sk_sndbuf - 32).
 * Return: 0 when written; -EAGAIN when P is full (G_IO_OUT watched);
 * -EDQUOT past the budget (the caller keeps it and waits, or drops it);
 * -ENOBUFS when refused (the receiver overran: the caller drops it);
 * other -errno from send(), dropped.
 */
static int nlep_put(struct nlep *ep, const void *buf, size_t len)
{
	bool big = len + 32 > (size_t)ep->p_sndbuf;
	ssize_t n;

	if (!nlep_sockmem_admit(ep, len))
		return nlep_truesize(len) + NLEP_SOCKMEM_WAKE >
		       NLEP_SOCKMEM_RESERVE ? -ENOBUFS : -EDQUOT;
	nlep_p_low(ep, false);
	if (big)
		nlep_p_sndbuf(ep, (int)MIN(len + 64, (size_t)INT_MAX));
	n = send(ep->pfd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
		nlep_set_want_out(ep, true);
		n = -EAGAIN;
	} else if (n < 0) {
		n = errno == EMSGSIZE ? -ENOBUFS : -errno;
	}
	if (big)
		nlep_p_sndbuf(ep, ep->p_sndbuf);
	if (n < 0)
		return (int)n;
	nlep_sockmem_read(ep);
	return 0;
}

/* ---- queues ------------------------------------------------------------ */

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

/*
 * The receiver overran, as netlink_overrun(): ENOBUFS at its next receive
 * when it was not congested already, and congested from then on.
 */
void nlep_overrun(struct nlep *ep)
{
	if (ep->no_enobufs || ep->congested)
		return;
	ep->congested = true;
	ep->err = ENOBUFS;
}

/*
 * End the congestion once the sandbox has read everything queued (the
 * overflow queue and S empty), as netlink_rcv_wake() after a receive.
 * Also checked before requests are taken: a reader of S with read(2),
 * which is not trapped, shows up only as its next request.
 */
void nlep_uncongest(struct nlep *ep)
{
	int q = 0;

	if (ep->congested && g_queue_is_empty(&ep->out) &&
	    ioctl(ep->pfd, SIOCOUTQ, &q) == 0 && q == 0)
		ep->congested = false;
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
	if (ep->err_token || !g_queue_is_empty(&ep->out))
		return;
	nlep_sockmem_read(ep);
	if (ep->sockmem > 0)
		return;
	if (send(ep->pfd, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL) == 0) {
		ep->err_token = true;
		nlep_sockmem_read(ep); /* its truesize: see nlep_sockmem_admit() */
	}
}

/* Consume the zero-length datagram of nlep_err_wakeup() from S's head. */
void nlep_err_unwake(struct nlep *ep, int sfd)
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

/* Append a copy of @buf to the overflow queue (bounds checked by the caller). */
static void nlep_queue(struct nlep *ep, const void *buf, size_t len)
{
	nlep_queue_bytes(ep, g_bytes_new(buf, len));
}

/* Drop the head of the overflow queue. */
void nlep_unqueue(struct nlep *ep)
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
 * A datagram refused for socket memory is dropped as one the receive
 * buffer could not take: the next receive fails ENOBUFS.
 * Return: true when the queue is empty.
 */
static bool nlep_flush(struct nlep *ep)
{
	bool dropped = false;
	GBytes *b;

	while ((b = g_queue_peek_head(&ep->out))) {
		gsize len;
		const void *d = g_bytes_get_data(b, &len);
		int r = nlep_put(ep, d, len);

		if (r == -EDQUOT)
			nlep_wait_sockmem(ep);
		if (r == -EAGAIN || r == -EDQUOT)
			return false;
		if (r == -ENOBUFS) {
			nlep_overrun(ep);
			dropped = true;
		} else if (r < 0) {
			log_debug("endpoint %lu: send: %s", (unsigned long)ep->ino,
				  g_strerror(-r));
		}
		nlep_unqueue(ep);
	}
	nlep_set_want_out(ep, false);
	nlep_p_low(ep, false);
	if (dropped && ep->err)
		nlep_err_wakeup(ep);
	return true;
}

/**
 * nlep_notify() - queue one multicast notification on a subscribed endpoint
 * @ep: the endpoint (hub lock held)
 * @buf: the message
 * @len: its length
 *
 * Into P when the overflow queue is empty and P takes it (nlep_put()),
 * else into the overflow queue up to the endpoint's room (nlep_room()).
 * Past the socket memory budget it waits there only if the sandbox reads
 * the endpoint (@ep->reader: it has read from it, or had read everything
 * when this event came); one never read is a full receiver. Past the
 * room, or refused, the message is dropped and the next receive fails
 * ENOBUFS (unless NETLINK_NO_ENOBUFS), and so is every message while the
 * endpoint is congested.
 */
void nlep_notify(struct nlep *ep, const void *buf, size_t len)
{
	int r = -EAGAIN;

	/* netlink_broadcast_deliver(): nothing to a congested receiver */
	if (ep->congested) {
		nlep_overrun(ep);
		return;
	}
	if (ep->event != ep->hub->event) {
		ep->event = ep->hub->event;
		nlep_sockmem_read(ep);
		ep->reader = ep->has_read || ep->sockmem == 0;
	}
	if (g_queue_is_empty(&ep->out))
		r = nlep_put(ep, buf, len);
	if (r == 0)
		return;
	if ((r == -EAGAIN || (r == -EDQUOT && ep->reader)) &&
	    len <= nlep_room(ep)) {
		nlep_queue(ep, buf, len);
		if (r == -EDQUOT)
			nlep_wait_sockmem(ep);
		else
			nlep_set_want_out(ep, true);
		return;
	}
	nlep_overrun(ep);
	if (r == -ENOBUFS && ep->err)
		nlep_err_wakeup(ep);
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
 * nlep_read_empty() - P reads zero bytes: an empty datagram, or the end of
 * S's sending side
 * @ep: the endpoint (hub lock held)
 *
 * A sandbox's shutdown(S, SHUT_WR) (a netlink socket would refuse it)
 * leaves P readable at end of file for good: P stops being watched for
 * input, so the main loop does not spin on it; replies and events still
 * reach S. An empty datagram carries no request and is discarded.
 * Return: 0 (discarded) or -EAGAIN (end of file: nothing more to take).
 */
static int nlep_read_empty(struct nlep *ep)
{
	struct pollfd pfd = { .fd = ep->pfd, .events = POLLRDHUP };

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLRDHUP)) {
		if (!ep->rd_eof) {
			log_debug("endpoint %lu: the sandbox shut its sending "
				  "side", (unsigned long)ep->ino);
			ep->rd_eof = true;
			if (ep->src)
				nlep_watch(ep);
		}
		return -EAGAIN;
	}
	(void)recv(ep->pfd, NULL, 0, MSG_DONTWAIT | MSG_TRUNC);
	return 0;
}

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
	g_autofree uint8_t *buf = NULL;
	ssize_t n;

	n = recv(ep->pfd, NULL, 0, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC);
	if (n < 0)
		return -EAGAIN;
	if (n == 0)
		return nlep_read_empty(ep);
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
 * nlep_take_diag() - answer a NETLINK_SOCK_DIAG request (sockdiag.c)
 * @ep: as for nlep_take_request(), the request read
 * @buf: the request datagram
 * @len: its length
 *
 * As nlep_take_request(), with the lock released while the host answers.
 * The answer is a dump the proxy holds whole (it is filtered from the
 * host's), so it may take the sandbox's and the proxy's byte budgets
 * rather than the endpoint's SO_RCVBUF; it is bounded by the sandbox's
 * socket count (SOCKSET_MAX_INODES).
 * Return: true.
 */
static bool nlep_take_diag(struct nlep *ep, const uint8_t *buf, size_t len)
{
	struct nlep_hub *h = ep->hub;
	struct nlep_replies e = { 0 };
	struct sockdiag_ep d = {
		.portid = ep->portid, .room = nlep_dump_room(ep),
		.cap_ack = ep->cap_ack, .has_netns = ep->has_netns,
		.netns_dev = ep->netns_dev, .netns_ino = ep->netns_ino,
		.native_fd = ep->diag_fd, .userns_fd = ep->diag_userns,
		.netns_fd = ep->diag_netns, .made_fd = -1, .uidmap = ep->uidmap,
	};
	size_t sb = NLEP_SANDBOX_BYTES, hub = NLEP_PROXY_BYTES, i;
	int r;

	sb = ep->sb->out_bytes < sb ? sb - ep->sb->out_bytes : 0;
	hub = h->out_bytes < hub ? hub - h->out_bytes : 0;
	e.dgrams = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	e.cap = ep->congested ? 0 : MIN(sb, hub);
	ep->busy = true;
	g_mutex_unlock(&h->lock);
	r = sockdiag_request(&d, buf, len, nlep_emit, &e);
	g_mutex_lock(&h->lock);
	ep->busy = false;
	if (d.made_fd != -1) {
		/* made (or failed) once: the namespaces are not needed again */
		ep->diag_fd = d.made_fd >= 0 ? d.made_fd : -1;
		closep(&ep->diag_userns);
		closep(&ep->diag_netns);
		ep->diag_userns = ep->diag_netns = -1;
	}
	if (r < 0 && r != -ENOBUFS)
		log_debug("endpoint %lu: sock_diag request: %s",
			  (unsigned long)ep->ino, g_strerror(-r));
	for (i = 0; i < e.dgrams->len; i++)
		nlep_queue_bytes(ep, g_bytes_ref(g_ptr_array_index(e.dgrams, i)));
	g_ptr_array_unref(e.dgrams);
	if (e.over)
		nlep_overrun(ep);
	return true;
}

/**
 * nlep_take_request() - read one request datagram from P and answer it
 * @ep: the endpoint, not busy; hub lock held, and a reference held by the
 *	caller
 *
 * The request is answered with the hub lock RELEASED (@ep->busy set, so
 * no other request of @ep is taken meanwhile): host queries wait for the
 * host kernel there. Replies go to a private list bounded by the
 * endpoint's room, then into the overflow queue under the lock again.
 * As the kernel answers at send(), a request is taken whether or not the
 * sandbox has read what came before: past the room its replies are
 * dropped and the next receive fails ENOBUFS (and while the endpoint is
 * congested, until the sandbox read everything, every reply is dropped
 * without a new error, as netlink_attachskb()), and while a dump runs a
 * dump request is answered EBUSY (netlink_dump_start()). A dump runs here
 * until its last part went into P: parts are made as P takes them, where
 * the kernel makes one per receive, so a sandbox that never reads sees
 * EBUSY from the request after the one whose parts filled S.
 * Return: true when a datagram was taken; false when P held none (with
 * @ep->p_empty set) or the model was unavailable.
 */
static bool nlep_take_request(struct nlep *ep)
{
	struct nlep_hub *h = ep->hub;
	g_autofree uint8_t *buf = NULL;
	struct netstate_snapshot *snap;
	struct nlep_replies e = { 0 };
	struct nlmsg_opts o;
	struct nlmsg_dump *running = ep->dump, *d = running;
	size_t len = 0, i;
	int r;

	r = nlep_read_request(ep, &buf, &len);
	ep->p_empty = r == -EAGAIN;
	if (r <= 0)
		return r == 0;
	if (!ep->bound && nlep_bind_port(ep, 0) < 0)
		return true;
	if (ep->protocol == NETLINK_SOCK_DIAG)
		return nlep_take_diag(ep, buf, len);
	o = (struct nlmsg_opts){
		.portid = ep->portid, .strict_chk = ep->strict,
		.ext_ack = ep->ext_ack, .cap_ack = ep->cap_ack,
	};
	snap = proxy_model_get(h->model);
	if (!snap)
		return true;
	e.dgrams = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	e.cap = ep->congested ? 0 : nlep_room(ep);
	ep->busy = true;
	g_mutex_unlock(&h->lock);
	r = nlmsg_request(snap, &o, buf, len, nlep_host_query, h,
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
	/*
	 * A dump this request started; the running one (non-NULL on entry)
	 * was only looked at, and another thread's nlep_pump() may have ended
	 * it while the lock was released.
	 */
	if (d != running)
		ep->dump = d;
	if (e.over && ep->err)
		nlep_err_wakeup(ep);
	return true;
}

/**
 * nlep_dump_step() - generate the next part of @ep's dump into the overflow
 * queue, or end it
 * @ep: the endpoint, with a dump and an empty overflow queue (hub lock)
 *
 * A part that cannot be generated (-EMSGSIZE, -EINVAL) ends the dump with
 * an NLMSG_DONE carrying the error, so the reader is not left waiting.
 * Parts are NLEP_GOODSIZE while socket memory could not take a larger one.
 */
static void nlep_dump_step(struct nlep *ep)
{
	g_autofree char *part = NULL;
	struct netstate_snapshot *snap;
	size_t full = nlep_dump_room(ep), room = full;
	uint64_t gen = 0;
	ssize_t n;

	snap = proxy_model_get(ep->hub->model);
	if (snap) {
		gen = snap->generation;
		netstate_snapshot_unref(snap);
	}
	/*
	 * netlink_dump() falls back to NLMSG_GOODSIZE when the larger skb
	 * cannot be had: so here when socket memory could not take it (a
	 * part the reserve takes always comes, once S is read); an object
	 * larger than that gets the full size, as min_dump_alloc ensures.
	 */
	if (room > NLEP_GOODSIZE && !nlep_sockmem_admit(ep, room))
		room = NLEP_GOODSIZE;
	part = g_malloc(full);
	n = nlmsg_dump_next(ep->dump, gen, part, room);
	if (n == -EMSGSIZE && room < full)
		n = nlmsg_dump_next(ep->dump, gen, part, full);
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
bool nlep_pump(struct nlep *ep, bool take)
{
	unsigned int rounds;

	ep->p_empty = false;
	nlep_uncongest(ep);
	for (rounds = 0; rounds < 4096; rounds++) {
		/* the next dump part only when the last one went into P */
		if (nlep_flush(ep) && ep->dump) {
			nlep_dump_step(ep);
			continue;
		}
		/*
		 * Requests are taken even when P is full: the kernel answers
		 * at send(), so a sender never waits for its reader; replies
		 * past the room are dropped (ENOBUFS).
		 */
		if (!take || ep->busy || !nlep_take_request(ep))
			return ep->p_empty;
	}
	return false;
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


/*
 * Host sockets. A NETLINK_ROUTE socket costs a socket() and a close() per
 * query, and the kernel's netlink_create()/netlink_release() behind them;
 * glibc's getifaddrs() asks one link dump per call. So the hub keeps up to
 * NLEP_HOST_SOCKS idle sockets: a query takes one (or makes one when none
 * is idle, as when several threads ask at once), and gives it back only
 * when its answer was read to its end, so that nothing is queued on it and
 * no dump runs (the kernel refuses a dump on a socket whose dump runs,
 * EBUSY). Any other outcome (an error, the deadline, a bound) closes it.
 * Each query carries a sequence number of the hub's own, and a datagram
 * of another is read and dropped: what a socket given back could still
 * hold never becomes an answer.
 */

/* An idle host socket of @h, or a new one; its query's number in @ret_seq. */
static int nlep_host_sock_take(struct nlep_hub *h, uint32_t *ret_seq)
{
	int fd = -1;

	g_mutex_lock(&h->host_lock);
	if (h->n_host_fds)
		fd = h->host_fds[--h->n_host_fds];
	*ret_seq = ++h->host_seq;
	g_mutex_unlock(&h->host_lock);
	if (fd >= 0)
		return fd;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_ROUTE);
	return fd < 0 ? -errno : fd;
}

/* Give @fd back when @clean (its answer read to the end), else close it. */
static void nlep_host_sock_give(struct nlep_hub *h, int fd, bool clean)
{
	if (clean) {
		g_mutex_lock(&h->host_lock);
		if (h->n_host_fds < NLEP_HOST_SOCKS) {
			h->host_fds[h->n_host_fds++] = fd;
			fd = -1;
		}
		g_mutex_unlock(&h->host_lock);
	}
	if (fd >= 0)
		close(fd);
}

/**
 * nlep_host_socks_close() - close the idle host sockets
 * @h: the hub, no query running (at exit)
 */
void nlep_host_socks_close(struct nlep_hub *h)
{
	while (h->n_host_fds)
		close(h->host_fds[--h->n_host_fds]);
}

/* Whether datagram @buf of @n bytes answers query @seq (its first message's). */
static bool nlep_host_dgram_ours(const uint8_t *buf, size_t n, uint32_t seq)
{
	struct nlmsghdr m;

	if (n < sizeof(m))
		return false;
	memcpy(&m, buf, sizeof(m));
	return m.nlmsg_seq == seq;
}

/**
 * nlep_host_collect() - read the answer to query @seq from @fd
 * @fd: the host socket
 * @seq: the query's number
 * @want: the datagrams wanted at most (a dump: every part)
 * @dump: whether the query is a dump
 * @out: the answer's datagrams (GBytes), appended
 *
 * At most NLEP_HOST_PARTS datagrams are read (another query's, dropped,
 * included) and NLEP_BACKLOG_MAX bytes kept, within one deadline. It ends
 * at a datagram holding NLMSG_DONE or NLMSG_ERROR, or after @want.
 * Return: 0 when the answer was read to its end, or -errno (-EMSGSIZE past
 * the bounds, -ETIMEDOUT).
 */
static int nlep_host_collect(int fd, uint32_t seq, unsigned int want,
			     bool dump, GPtrArray *out)
{
	gint64 deadline = g_get_monotonic_time() + NLEP_HOST_TIMEOUT_MS * 1000;
	g_autofree uint8_t *buf = g_malloc(NLEP_DGRAM_MAX);
	unsigned int got = 0, i;
	size_t total = 0;

	for (i = 0; i < NLEP_HOST_PARTS && got < want; i++) {
		ssize_t n = util_recv_by(fd, buf, NLEP_DGRAM_MAX, deadline);

		if (n < 0)
			return (int)n;
		if (n > NLEP_DGRAM_MAX || total + (size_t)n > NLEP_BACKLOG_MAX)
			return -EMSGSIZE;
		if (!nlep_host_dgram_ours(buf, (size_t)n, seq))
			continue;
		total += (size_t)n;
		got++;
		g_ptr_array_add(out, g_bytes_new(buf, (size_t)n));
		if (nlep_host_dgram_ends(buf, (size_t)n))
			return 0;
	}
	return dump || got < want ? -EMSGSIZE : 0;
}

/**
 * nlep_host_query() - send a request to the host's NETLINK_ROUTE and collect
 * its answer (nlmsg_host_query_fn)
 * @data: the hub (its host sockets)
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
 * at once). The request goes out with the hub's next sequence number in
 * place of the sandbox's (replies are re-addressed to the sandbox's when
 * emitted, nlmsg_put_copy()). Runs with the hub lock released.
 * Return: 0 or -errno (-EMSGSIZE past the bounds, -ETIMEDOUT).
 */
static int nlep_host_query(void *data, const void *req, size_t len,
			   GPtrArray **ret)
{
	struct nlep_hub *h = data;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(
		(GDestroyNotify)g_bytes_unref);
	g_autofree uint8_t *q = NULL;
	struct nlmsghdr hd;
	unsigned int want;
	uint32_t seq;
	int fd, r;

	if (len < sizeof(hd))
		return -EINVAL;
	memcpy(&hd, req, sizeof(hd));
	want = (hd.nlmsg_flags & NLM_F_DUMP) ? NLEP_HOST_PARTS :
	       (hd.nlmsg_flags & NLM_F_ACK) ? 2 : 1;
	fd = nlep_host_sock_take(h, &seq);
	if (fd < 0)
		return fd;
	q = g_memdup2(req, len);
	hd.nlmsg_seq = seq;
	memcpy(q, &hd, sizeof(hd));
	if (sendto(fd, q, len, 0, (struct sockaddr *)&k, sizeof(k)) < 0)
		r = -errno;
	else
		r = nlep_host_collect(fd, seq, want,
				      (hd.nlmsg_flags & NLM_F_DUMP) != 0, out);
	nlep_host_sock_give(h, fd, r == 0);
	if (r < 0)
		return r;
	*ret = g_steal_pointer(&out);
	return 0;
}
