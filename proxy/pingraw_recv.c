// SPDX-License-Identifier: LGPL-2.1-or-later
/* pingraw_recv.c - receives on raw ICMP sockets: the reply into the caller behind an IPv4 header */
/*
 * The proxy receives on its own copy of the socket (pingraw.c made it and
 * keeps its state, struct pingraw_sock) and writes the datagram into the
 * caller's buffers, name, control and flags as a raw socket's receive
 * would; a blocking receive with nothing queued waits on a pool thread.
 * See pingraw.c, "Theory of operation".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "pingraw_int.h"
#include "util.h"

/* Blocking receives waiting per proxy. */
#define PINGRAW_MAX_WAITING 64
/* A waiting receive looks for signals and a gone caller this often. */
#define PINGRAW_WAIT_SLICE_MS 20
/* The largest ICMP datagram, the IPv4 header, iovecs and control read. */
#define PINGRAW_DATA_MAX 65535
#define PINGRAW_HDR 20
#define PINGRAW_IOV_MAX 1024
#define PINGRAW_CONTROL_MAX 4096

/*
 * struct pingraw_rx - a recvfrom() or recvmsg() as the caller made it
 * @call: TRAP_recvfrom or TRAP_recvmsg
 * @flags: its flags
 * @msg: recvmsg's msghdr address (the caller's)
 * @m: recvmsg's msghdr (our copy; addresses are the caller's)
 * @iov, @n_iov: the caller's iovecs (our copy)
 * @name, @namelen_at: recvfrom's address buffer and its length's address
 * @sock: the entry's state at the call
 */
struct pingraw_rx {
	enum trap_id call;
	int flags;
	uint64_t msg;
	struct msghdr m;
	struct iovec *iov;
	size_t n_iov;
	uint64_t name, namelen_at;
	struct pingraw_sock sock;
};

static void pingraw_rx_clear(struct pingraw_rx *rx)
{
	g_clear_pointer(&rx->iov, g_free);
}

/* Read the call's arguments and the caller's msghdr and iovecs. */
static int pingraw_rx_read(struct target *t, const struct seccomp_notif *req,
			   enum trap_id call, struct pingraw_rx *rx)
{
	int r;

	rx->call = call;
	if (call == TRAP_recvfrom) {
		rx->iov = g_new(struct iovec, 1);
		rx->iov->iov_base = (void *)(uintptr_t)req->data.args[1];
		rx->iov->iov_len = (size_t)req->data.args[2];
		rx->n_iov = 1;
		rx->flags = (int)req->data.args[3];
		rx->name = req->data.args[4];
		rx->namelen_at = req->data.args[5];
		return 0;
	}
	rx->flags = (int)req->data.args[2];
	rx->msg = req->data.args[1];
	r = target_read(t, rx->msg, &rx->m, sizeof(rx->m));
	if (r < 0)
		return r;
	if (rx->m.msg_iovlen > PINGRAW_IOV_MAX)
		return -EMSGSIZE;
	rx->n_iov = rx->m.msg_iovlen;
	rx->iov = g_new0(struct iovec, rx->n_iov + 1);
	if (rx->n_iov)
		return target_read(t, (uint64_t)(uintptr_t)rx->m.msg_iov,
				   rx->iov, rx->n_iov * sizeof(*rx->iov));
	return 0;
}

static uint16_t pingraw_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/*
 * What the received datagram's control messages say, and the control
 * messages passed on (those the caller turned on itself) in @out.
 */
struct pingraw_meta {
	int ttl, tos;
	struct in_addr dst;
	uint8_t out[PINGRAW_CONTROL_MAX];
	size_t out_len;
	bool out_trunc;
};

static void pingraw_meta_read(struct msghdr *mh, unsigned int wants,
			      size_t room, struct pingraw_meta *meta)
{
	struct cmsghdr *c;

	meta->ttl = 64;
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		unsigned int want = 0;

		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_TTL) {
			memcpy(&meta->ttl, CMSG_DATA(c), sizeof(int));
			want = PINGRAW_WANT_TTL;
		} else if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_TOS) {
			meta->tos = *(uint8_t *)CMSG_DATA(c);
			want = PINGRAW_WANT_TOS;
		} else if (c->cmsg_level == SOL_IP &&
			   c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			meta->dst = pi.ipi_addr;
			want = PINGRAW_WANT_PKTINFO;
		}
		if (want && !(wants & want))
			continue;
		if (meta->out_len + CMSG_SPACE(c->cmsg_len - CMSG_LEN(0)) >
		    MIN(room, sizeof(meta->out))) {
			meta->out_trunc = true;
			continue;
		}
		memcpy(meta->out + meta->out_len, c, c->cmsg_len);
		meta->out_len += CMSG_SPACE(c->cmsg_len - CMSG_LEN(0));
	}
}

/* The IPv4 header a raw socket would show before @icmp (@len bytes). */
static void pingraw_header(uint8_t *h, size_t len,
			   const struct sockaddr_in *from,
			   const struct pingraw_meta *meta)
{
	uint16_t tot = htons((uint16_t)(PINGRAW_HDR + len));
	uint16_t sum;

	memset(h, 0, PINGRAW_HDR);
	h[0] = 0x45;
	h[1] = (uint8_t)meta->tos;
	memcpy(h + 2, &tot, 2);
	h[8] = (uint8_t)meta->ttl;
	h[9] = IPPROTO_ICMP;
	memcpy(h + 12, &from->sin_addr, 4);
	memcpy(h + 16, &meta->dst, 4);
	sum = pingraw_csum(h, PINGRAW_HDR);
	memcpy(h + 10, &sum, 2);
}

/*
 * An echo reply carries the ident; the program sent e->id. The checksum
 * is updated for the change (RFC 1624), as ICMPv6's covers a pseudo-header.
 */
static void pingraw_rewrite_id(uint8_t *icmp, size_t len,
			       const struct pingraw_sock *e)
{
	uint8_t reply = e->family == AF_INET ? ICMP_ECHOREPLY : PINGRAW_ECHOREPLY6;
	uint16_t old, new, sum;
	uint32_t c;

	if (!e->has_id || len < 8 || icmp[0] != reply ||
	    memcmp(icmp + 4, &e->id, 2) == 0)
		return;
	memcpy(&old, icmp + 4, 2);
	memcpy(&sum, icmp + 2, 2);
	new = e->id;
	c = (uint16_t)~ntohs(sum) + (uint32_t)(uint16_t)~ntohs(old) + ntohs(new);
	while (c >> 16)
		c = (c & 0xffff) + (c >> 16);
	sum = htons((uint16_t)~c);
	memcpy(icmp + 2, &sum, 2);
	memcpy(icmp + 4, &e->id, 2);
}

/* Write the name, its length, control and flags of the call into the caller. */
static int pingraw_rx_write_meta(struct target *t, const struct pingraw_rx *rx,
				 const struct sockaddr_in6 *from,
				 socklen_t fromlen,
				 const struct pingraw_meta *meta, int mflags)
{
	struct sockaddr_in6 sa = *from;
	socklen_t namelen;
	int r;

	sa.sin6_port = 0; /* a raw socket's source has no port (nor sin_port) */
	if (rx->call == TRAP_recvfrom) {
		if (!rx->name || !rx->namelen_at)
			return 0;
		r = target_read(t, rx->namelen_at, &namelen, sizeof(namelen));
		if (r < 0)
			return r;
		if ((int)namelen < 0)
			return -EINVAL;
		r = target_write(t, rx->name, &sa, MIN(namelen, fromlen));
		namelen = fromlen;
		return r < 0 ? r : target_write(t, rx->namelen_at, &namelen,
						 sizeof(namelen));
	}
	if (rx->m.msg_name) {
		r = target_write(t, (uint64_t)(uintptr_t)rx->m.msg_name, &sa,
				 MIN(rx->m.msg_namelen, fromlen));
		if (r < 0)
			return r;
		namelen = fromlen;
		r = target_write(t, rx->msg + offsetof(struct msghdr, msg_namelen),
				 &namelen, sizeof(namelen));
		if (r < 0)
			return r;
	}
	if (rx->m.msg_control && meta->out_len) {
		r = target_write(t, (uint64_t)(uintptr_t)rx->m.msg_control,
				 meta->out, meta->out_len);
		if (r < 0)
			return r;
	}
	if (meta->out_trunc)
		mflags |= MSG_CTRUNC;
	{
		size_t clen = rx->m.msg_control ? meta->out_len : 0;

		r = target_write(t, rx->msg + offsetof(struct msghdr, msg_controllen),
				 &clen, sizeof(clen));
	}
	if (r < 0)
		return r;
	return target_write(t, rx->msg + offsetof(struct msghdr, msg_flags),
			    &mflags, sizeof(mflags));
}

/* Whether the socket's ICMP_FILTER or ICMP6_FILTER drops ICMP type @type. */
static bool pingraw_filtered(const struct pingraw_sock *e, uint8_t type)
{
	if (e->family == AF_INET)
		return type < 32 && ((e->filter[0] >> type) & 1);
	return (e->filter[type >> 5] >> (type & 31)) & 1;
}

/**
 * pingraw_rx_once() - one non-blocking receive into the caller
 * @sock: our copy of the socket
 * @t: the caller's memory
 * @rx: the call
 *
 * A datagram ICMP_FILTER drops is consumed (also under MSG_PEEK) and the
 * next one taken.
 *
 * Return: the call's result, -EAGAIN when nothing (more) is queued.
 */
static int64_t pingraw_rx_once(int sock, struct target *t,
			       const struct pingraw_rx *rx)
{
	g_autofree uint8_t *buf = g_malloc(PINGRAW_HDR + PINGRAW_DATA_MAX);
	uint8_t control[PINGRAW_CONTROL_MAX];
	struct pingraw_meta meta = { 0 };
	struct sockaddr_in6 from;
	size_t hdr = rx->sock.family == AF_INET ? PINGRAW_HDR : 0;
	size_t room = 0, i;
	ssize_t n;
	int tries, r, mflags;

	for (i = 0; i < rx->n_iov; i++)
		room += rx->iov[i].iov_len;
	for (tries = 0; tries < 64; tries++) {
		struct iovec v = { buf + hdr, PINGRAW_DATA_MAX };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &v, .msg_iovlen = 1,
			.msg_control = control, .msg_controllen = sizeof(control),
		};

		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_TRUNC |
				       (rx->flags & MSG_PEEK));
		if (n < 0)
			return -errno;
		if (n >= 1 && pingraw_filtered(&rx->sock, buf[hdr])) {
			if (rx->flags & MSG_PEEK)
				(void)recv(sock, buf, 1, MSG_DONTWAIT);
			continue;
		}
		n = MIN(n, PINGRAW_DATA_MAX);
		pingraw_meta_read(&mh, rx->sock.wants,
				  rx->call == TRAP_recvmsg ? rx->m.msg_controllen : 0,
				  &meta);
		pingraw_rewrite_id(buf + hdr, (size_t)n, &rx->sock);
		if (hdr)
			pingraw_header(buf, (size_t)n, (struct sockaddr_in *)&from,
				       &meta);
		n += (ssize_t)hdr;
		r = target_write_iov(t, rx->iov, rx->n_iov, buf,
				     MIN((size_t)n, room));
		if (r < 0)
			return r;
		mflags = (size_t)n > room ? MSG_TRUNC : 0;
		r = pingraw_rx_write_meta(t, rx, &from, mh.msg_namelen, &meta,
					  mflags);
		if (r < 0)
			return r;
		return (rx->flags & MSG_TRUNC) ? n : (int64_t)MIN((size_t)n, room);
	}
	return -EAGAIN;
}

/*
 * struct pingraw_wait - a blocking receive waiting on a pool thread
 * @listener: a dup of the listener
 * @journal: a reference to its in-flight record, or NULL
 * @id, @pid: the notification
 * @sock: our copy of the socket
 * @rx: the call
 * @deadline: SO_RCVTIMEO's end (monotonic µs), or 0
 */
struct pingraw_wait {
	int listener;
	struct notif_journal *journal;
	uint64_t id;
	pid_t pid;
	int sock;
	struct pingraw_rx rx;
	int64_t deadline;
};

static void pingraw_wait_free(struct pingraw_wait *w)
{
	close(w->listener);
	close(w->sock);
	notif_journal_unref(w->journal);
	pingraw_rx_clear(&w->rx);
	g_free(w);
}

static void pingraw_wait_run(gpointer data, gpointer user_data)
{
	struct pingraw_wait *w = data;
	struct pollfd p = { .fd = w->sock, .events = POLLIN };
	struct target t;
	int64_t r = -EAGAIN;

	(void)user_data;
	for (;;) {
		if (notif_id_valid(w->listener, w->id) < 0)
			break; /* the caller is gone */
		if (task_signal_pending(w->pid)) {
			r = -EINTR;
			break;
		}
		if (w->deadline && g_get_monotonic_time() >= w->deadline) {
			r = -EAGAIN;
			break;
		}
		if (poll(&p, 1, PINGRAW_WAIT_SLICE_MS) <= 0)
			continue;
		if (target_open(w->listener, w->id, w->pid, &t) < 0)
			break;
		r = pingraw_rx_once(w->sock, &t, &w->rx);
		target_close(&t);
		if (r != -EAGAIN)
			break;
	}
	if (notif_id_valid(w->listener, w->id) == 0)
		(void)notif_reply(w->journal, w->listener, w->id, r);
	pingraw_wait_free(w);
}

/* The pool blocking receives wait on, made at the first (never freed). */
static GThreadPool *pingraw_pool(void)
{
	static gsize once;
	static GThreadPool *pool;

	if (g_once_init_enter(&once)) {
		pool = g_thread_pool_new(pingraw_wait_run, NULL,
					 PINGRAW_MAX_WAITING, FALSE, NULL);
		g_once_init_leave(&once, 1);
	}
	return pool;
}

/* Hand a blocking receive to the pool; takes @sock and @rx's memory. */
static int64_t pingraw_wait_async(struct listener *l,
				  const struct seccomp_notif *req, int *sock,
				  struct pingraw_rx *rx)
{
	GThreadPool *pool = pingraw_pool();
	struct pingraw_wait *w;
	struct timeval tv = { 0 };
	socklen_t len = sizeof(tv);

	if (!pool)
		return -EAGAIN;
	w = g_new0(struct pingraw_wait, 1);
	w->listener = fcntl(l->fd, F_DUPFD_CLOEXEC, 0);
	if (w->listener < 0) {
		g_free(w);
		return -errno;
	}
	if (getsockopt(*sock, SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0 &&
	    (tv.tv_sec || tv.tv_usec))
		w->deadline = g_get_monotonic_time() +
			      (int64_t)tv.tv_sec * G_USEC_PER_SEC + tv.tv_usec;
	w->journal = notif_journal_ref(l->journal);
	w->id = req->id;
	w->pid = (pid_t)req->pid;
	w->sock = *sock;
	w->rx = *rx;
	if (!g_thread_pool_push(pool, w, NULL)) {
		w->sock = -1;
		w->rx.iov = NULL;
		pingraw_wait_free(w);
		return -EAGAIN;
	}
	*sock = -1;
	rx->iov = NULL;
	return NOTIF_ANSWERED;
}

/**
 * pingraw_do_recv() - recvfrom()/recvmsg() on a raw ICMP socket
 * @l: the listener
 * @req: the notification
 * @call: TRAP_recvfrom or TRAP_recvmsg
 * @copy: our copy of the socket (taken when a pool thread waits)
 * @e: its state (copied: a waiting receive keeps the filter it began with)
 *
 * Return: the call's result, NOTIF_CONTINUE (MSG_ERRQUEUE: the ping
 * socket's queue), NOTIF_ANSWERED or -errno.
 */
int64_t pingraw_do_recv(struct listener *l, const struct seccomp_notif *req,
			enum trap_id call, int *copy,
			const struct pingraw_sock *e)
{
	struct pingraw_rx rx = { .sock = *e };
	struct target t;
	int64_t r;
	int fl;

	if (call == TRAP_recvfrom ? (int)req->data.args[3] & MSG_ERRQUEUE
				  : (int)req->data.args[2] & MSG_ERRQUEUE)
		return NOTIF_CONTINUE; /* the ping socket's error queue */
	r = target_open(l->fd, req->id, (pid_t)req->pid, &t);
	if (r < 0)
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	r = pingraw_rx_read(&t, req, call, &rx);
	if (r == 0)
		r = pingraw_rx_once(*copy, &t, &rx);
	target_close(&t);
	fl = fcntl(*copy, F_GETFL);
	if (r == -EAGAIN && !(rx.flags & MSG_DONTWAIT) && fl >= 0 &&
	    !(fl & O_NONBLOCK))
		r = pingraw_wait_async(l, req, copy, &rx);
	pingraw_rx_clear(&rx);
	return r == -ENOENT ? NOTIF_ANSWERED : r;
}
