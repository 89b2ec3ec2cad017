// SPDX-License-Identifier: LGPL-2.1-or-later
/* sockdiag.c - NETLINK_SOCK_DIAG on an emulated endpoint: the host's inet_diag answers for the sandbox's own sockets */
/*
 * Theory of operation
 *
 * The sandbox's AF_INET/AF_INET6 sockets live in the host's network
 * namespace, so its own NETLINK_SOCK_DIAG (an empty namespace) cannot list
 * them. socket(AF_NETLINK, *, NETLINK_SOCK_DIAG) is therefore answered
 * with an emulated endpoint (nlep_*.c: names, options and receives are the
 * NETLINK_ROUTE endpoints' own), and each request datagram comes here
 * instead of to nlmsg.c:
 *
 *  - SOCK_DIAG_BY_FAMILY for AF_INET/AF_INET6, and the older
 *    TCPDIAG_GETSOCK/DCCPDIAG_GETSOCK: the message is sent as is to a
 *    NETLINK_SOCK_DIAG socket of the proxy (the host's namespace), and of
 *    the answer only the messages whose idiag_inode is one of the
 *    sandbox's sockets are kept: the host sockets held by processes of the
 *    endpoint creator's network namespace (src/sockset.c), collected when
 *    the request is answered. The kept messages are packed into datagrams
 *    of the endpoint's dump size and end with the host's NLMSG_DONE, as
 *    the kernel's netlink_dump() packs them. A single-socket GET for a
 *    socket that is not the sandbox's is -ENOENT, as for a socket that
 *    does not exist. SOCK_DESTROY of an inet socket is -EPERM: the proxy
 *    never destroys host sockets on a sandbox's word.
 *  - every other family (AF_UNIX, AF_NETLINK, AF_PACKET, ...): those
 *    sockets are the sandbox's own namespace's, so the request goes as is
 *    to a NETLINK_SOCK_DIAG socket made in that namespace (a short-lived
 *    child of the proxy joins the creator's user and network namespaces
 *    and hands it back, at the first such request of the endpoint), and
 *    the answer comes back unfiltered. Where that
 *    socket cannot be made (a sandbox of another owner), such requests
 *    get -ENOENT, the kernel's answer for a family it does not know.
 *
 * Answers carry the endpoint's port id in nlmsg_pid. The netlink framing
 * (several messages per datagram, NLM_F_ACK, requests without
 * NLM_F_REQUEST) is netlink_rcv_skb()'s. Bounds: one request waits at most
 * SOCKDIAG_TIMEOUT_MS for the host's whole answer; what is kept is bounded
 * by the set (SOCKSET_MAX_INODES) and the caller's byte budget (@cap).
 * idiag_uid is mapped through the sandbox's uid_map (read when the
 * endpoint is made), as the kernel maps it for a sock_diag socket of the
 * sandbox's user namespace.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "fdpass.h"
#include "log.h"
#include "sockdiag.h"
#include "sockset.h"
#include "util.h"

#ifndef TCPDIAG_GETSOCK
#define TCPDIAG_GETSOCK 18
#endif
#ifndef DCCPDIAG_GETSOCK
#define DCCPDIAG_GETSOCK 19
#endif
#ifndef SOCK_DESTROY
#define SOCK_DESTROY 21
#endif

#define SOCKDIAG_TIMEOUT_MS 2000      /* one request's whole host answer */
#define SOCKDIAG_DGRAM_MAX (128 * 1024) /* one host datagram */

/* One request's answer being built. */
struct sd_out {
	struct sockdiag_ep *d;
	nlmsg_emit_fn emit;
	void *emit_data;
	GByteArray *part;         /* the datagram being filled */
	int err;                  /* first error of @emit */
};

/* Send the datagram being filled, if any. */
static void sd_flush(struct sd_out *o)
{
	int r;

	if (o->part->len == 0)
		return;
	r = o->emit(o->emit_data, o->part->data, o->part->len);
	if (r < 0 && !o->err)
		o->err = r;
	g_byte_array_set_size(o->part, 0);
}

/*
 * Append one message (its nlmsg_pid set to the endpoint's port id) to the
 * current datagram, starting a new one when it would not fit. @inet: it
 * is an answer of the host's inet_diag, whose idiag_uid is mapped as the
 * sandbox sees it.
 */
static void sd_put(struct sd_out *o, const struct nlmsghdr *h, bool inet)
{
	size_t len = NLMSG_ALIGN(h->nlmsg_len);
	struct nlmsghdr *c;

	if (o->part->len && o->part->len + len > o->d->room)
		sd_flush(o);
	g_byte_array_append(o->part, (const guint8 *)h, h->nlmsg_len);
	c = (struct nlmsghdr *)(void *)(o->part->data + o->part->len - h->nlmsg_len);
	c->nlmsg_pid = o->d->portid;
	if (inet && c->nlmsg_type != NLMSG_DONE && c->nlmsg_type != NLMSG_ERROR &&
	    c->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
		struct inet_diag_msg *r = NLMSG_DATA(c);

		r->idiag_uid = sockset_idmap_uid(o->d->uidmap, r->idiag_uid);
	}
	while (o->part->len % NLMSG_ALIGNTO)
		g_byte_array_append(o->part, (const guint8 *)"", 1);
}

/*
 * Answer @req with an NLMSG_ERROR carrying @err, as netlink_ack(): a
 * success or NETLINK_CAP_ACK echoes the request's header only (with
 * NLM_F_CAPPED), an error the whole request.
 */
static void sd_ack(struct sd_out *o, const struct nlmsghdr *req, int err)
{
	bool whole = err && !o->d->cap_ack;
	size_t echo = whole ? req->nlmsg_len : sizeof(*req);
	g_autoptr(GByteArray) b = g_byte_array_new();
	struct nlmsghdr h = {
		.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + sizeof(int32_t) + echo),
		.nlmsg_type = NLMSG_ERROR,
		.nlmsg_flags = whole ? 0 : NLM_F_CAPPED,
		.nlmsg_seq = req->nlmsg_seq,
	};
	int32_t e = err;

	g_byte_array_append(b, (const guint8 *)&h, NLMSG_HDRLEN);
	g_byte_array_append(b, (const guint8 *)&e, sizeof(e));
	g_byte_array_append(b, (const guint8 *)req, (guint)echo);
	sd_put(o, (const struct nlmsghdr *)(const void *)b->data, false);
	sd_flush(o);
}

/* The inet family a request asks about, or 0 when it is not inet_diag. */
static int sd_inet_family(const struct nlmsghdr *h)
{
	const uint8_t *p = NLMSG_DATA(h);

	if (h->nlmsg_len < NLMSG_LENGTH(2))
		return 0;
	if ((h->nlmsg_type == SOCK_DIAG_BY_FAMILY ||
	     h->nlmsg_type == SOCK_DESTROY ||
	     h->nlmsg_type == TCPDIAG_GETSOCK ||
	     h->nlmsg_type == DCCPDIAG_GETSOCK) &&
	    (p[0] == AF_INET || p[0] == AF_INET6))
		return p[0];
	return 0;
}

/**
 * sd_recv() - the next datagram of an answer, by @deadline
 * @fd: non-blocking netlink socket
 * @buf: SOCKDIAG_DGRAM_MAX bytes
 * @deadline: monotonic µs
 *
 * Return: its length, -ETIMEDOUT, -EMSGSIZE (larger than @buf) or -errno.
 */
static ssize_t sd_recv(int fd, uint8_t *buf, gint64 deadline)
{
	ssize_t n = util_recv_by(fd, buf, SOCKDIAG_DGRAM_MAX, deadline);

	return n > SOCKDIAG_DGRAM_MAX ? -EMSGSIZE : n;
}

/*
 * Whether the answer message @m is to be passed on: inet diag messages
 * only for the sandbox's sockets, everything else (errors, NLMSG_DONE,
 * other families' messages) as is.
 */
static bool sd_keep(const struct nlmsghdr *m, const struct sockset *set)
{
	const struct inet_diag_msg *r = NLMSG_DATA(m);

	if (!set || m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR)
		return true;
	if (m->nlmsg_len < NLMSG_LENGTH(sizeof(*r)))
		return false;
	return sockset_has(set, r->idiag_inode);
}

/**
 * sd_forward() - send one request message to @fd and pass its answer on
 * @o: the answer being built
 * @fd: a NETLINK_SOCK_DIAG socket (the host's or the sandbox's namespace)
 * @req: the request message
 * @set: keep only inet diag messages of these sockets; NULL: keep all
 *
 * A dump's answer ends at NLMSG_DONE (or an NLMSG_ERROR); a GET's at its
 * reply plus the ack asked for, or its NLMSG_ERROR. A GET's reply for a
 * socket outside @set becomes -ENOENT.
 * Return: 0, or -errno when the host did not answer (then answered as an
 * error of the request).
 */
static int sd_forward(struct sd_out *o, int fd, const struct nlmsghdr *req,
		      const struct sockset *set)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	gint64 deadline = g_get_monotonic_time() +
			  (gint64)SOCKDIAG_TIMEOUT_MS * 1000;
	g_autofree uint8_t *buf = g_malloc(SOCKDIAG_DGRAM_MAX);
	bool dump = req->nlmsg_flags & NLM_F_DUMP;
	bool hidden = false;

	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&k,
		   sizeof(k)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = sd_recv(fd, buf, deadline);
		const struct nlmsghdr *m = (const void *)buf;
		size_t left;
		bool end = false;

		if (n < 0)
			return (int)n;
		left = (size_t)n;
		for (; NLMSG_OK(m, left); m = NLMSG_NEXT(m, left)) {
			if (m->nlmsg_type == NLMSG_DONE ||
			    m->nlmsg_type == NLMSG_ERROR)
				end = true;
			if (!sd_keep(m, set)) {
				hidden = !dump;
				continue;
			}
			if (hidden && m->nlmsg_type == NLMSG_ERROR) {
				/* the ack of a GET whose reply was hidden */
				sd_ack(o, req, -ENOENT);
				return 0;
			}
			sd_put(o, m, set != NULL);
		}
		if (!dump && !end && !(req->nlmsg_flags & NLM_F_ACK))
			end = true; /* a GET without ack: its one reply */
		if (end)
			break;
	}
	if (hidden)
		sd_ack(o, req, -ENOENT);
	sd_flush(o);
	return 0;
}

/* Answer one request message; Return: its error for the ack, or 0. */
static int sd_one(struct sd_out *o, int *hostfd, const struct nlmsghdr *h)
{
	_cleanup_(sockset_freep) struct sockset *set = NULL;
	struct sockdiag_ep *d = o->d;
	int r;

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY &&
	    h->nlmsg_type != SOCK_DESTROY &&
	    h->nlmsg_type != TCPDIAG_GETSOCK &&
	    h->nlmsg_type != DCCPDIAG_GETSOCK)
		return -EINVAL;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct sock_diag_req)))
		return -EINVAL;
	if (!sd_inet_family(h)) {
		if (d->native_fd < 0 && d->made_fd == -1 && d->userns_fd >= 0) {
			r = sockdiag_native_socket(d->userns_fd, d->netns_fd,
						   &d->made_fd);
			if (r < 0) {
				log_debug("no sock_diag socket in the sandbox's namespace: %s",
					  g_strerror(-r));
				d->made_fd = -2;
			}
		}
		if (d->native_fd < 0 && d->made_fd >= 0)
			d->native_fd = d->made_fd;
		if (d->native_fd < 0)
			return -ENOENT;
		r = sd_forward(o, d->native_fd, h, NULL);
		return r < 0 ? r : 1;
	}
	if (h->nlmsg_type == SOCK_DESTROY)
		return -EPERM;
	if (*hostfd < 0) {
		*hostfd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC |
				 SOCK_NONBLOCK, NETLINK_SOCK_DIAG);
		if (*hostfd < 0)
			return -errno;
	}
	if (d->has_netns) {
		r = sockset_collect("/proc", d->netns_dev, d->netns_ino, &set);
		if (r < 0)
			return r;
	} else {
		set = sockset_new(NULL, 0);
	}
	r = sd_forward(o, *hostfd, h, set);
	return r < 0 ? r : 1;
}

/**
 * sockdiag_request() - answer one datagram sent to a NETLINK_SOCK_DIAG
 * endpoint
 * @d: the endpoint's side of it (copied under the hub lock)
 * @buf: the datagram
 * @len: its length
 * @emit: receives each reply datagram in order
 * @emit_data: for @emit
 *
 * Runs with the hub lock released (it waits for the host kernel).
 * Return: 0, or the first -errno of @emit.
 */
int sockdiag_request(struct sockdiag_ep *d, const void *buf, size_t len,
		     nlmsg_emit_fn emit, void *emit_data)
{
	g_autoptr(GByteArray) part = g_byte_array_new();
	struct sd_out o = { .d = d, .emit = emit, .emit_data = emit_data,
			    .part = part };
	_cleanup_close_ int hostfd = -1;
	const struct nlmsghdr *h = buf;

	while (len >= NLMSG_HDRLEN) {
		int r = 0;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
			break;
		if ((h->nlmsg_flags & NLM_F_REQUEST) &&
		    h->nlmsg_type >= NLMSG_MIN_TYPE)
			r = sd_one(&o, &hostfd, h);
		/* r == 1: answered; a dump or a GET has no further ack */
		if (r < 0 || (r == 0 && (h->nlmsg_flags & NLM_F_ACK)))
			sd_ack(&o, h, r);
		if (NLMSG_ALIGN(h->nlmsg_len) >= len)
			break;
		len -= NLMSG_ALIGN(h->nlmsg_len);
		h = (const void *)((const uint8_t *)h + NLMSG_ALIGN(h->nlmsg_len));
	}
	sd_flush(&o);
	return o.err;
}

/* The child of sockdiag_native_socket(): runs after fork(), async-signal-safe only. */
static void sd_native_child(int userns, int netns, int sock)
{
	struct fdpass_msg m = { .kind = FDPASS_ACK };
	int s;

	/* The same user namespace is EINVAL: nothing to join then. */
	if (setns(userns, CLONE_NEWUSER) < 0 && errno != EINVAL)
		_exit(1);
	if (setns(netns, CLONE_NEWNET) < 0)
		_exit(2);
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s < 0)
		_exit(3);
	_exit(fdpass_send(sock, &m, &s, 1) < 0 ? 4 : 0);
}

/**
 * sockdiag_native_socket() - a NETLINK_SOCK_DIAG socket in a sandbox's own
 * network namespace
 * @userns: the sandbox's user namespace (an nsfs fd)
 * @netns: its network namespace
 * @ret_fd: the socket (non-blocking, close-on-exec)
 *
 * A child of the proxy joins the user namespace (the proxy's owner owns
 * it, so holds CAP_SYS_ADMIN there) and the network namespace, makes the
 * socket and sends it back; the proxy itself never changes namespace.
 * Costs a fork, once per endpoint that asks about a non-inet family.
 * Return: 0 or -errno (-EPERM: the namespaces could not be joined).
 */
int sockdiag_native_socket(int userns, int netns, int *ret_fd)
{
	struct fdpass_msg m;
	int sp[2], fds[FDPASS_MAX_FDS], st = 0, r;
	size_t n_fds = 0, i;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	pid = fork();
	if (pid == 0)
		sd_native_child(userns, netns, sp[1]);
	close(sp[1]);
	if (pid < 0) {
		close(sp[0]);
		return -errno;
	}
	r = fdpass_recv(sp[0], &m, fds, ELEMENTSOF(fds), &n_fds);
	close(sp[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (r < 0 || n_fds != 1) {
		for (i = 0; r == 0 && i < n_fds; i++)
			close(fds[i]);
		return WIFEXITED(st) && WEXITSTATUS(st) <= 2 ? -EPERM : -EIO;
	}
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
		close(fds[0]);
		return r;
	}
	*ret_fd = fds[0];
	return 0;
}
