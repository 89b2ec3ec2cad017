// SPDX-License-Identifier: LGPL-2.1-or-later
/* govern_send.c - sendto, sendmsg and sendmmsg under a connection policy, decided and made by the proxy */
/*
 * The send half of govern.c (whose theory comment says how a governed
 * call is read, decided and made): a send with an address is decided on
 * the proxy's copy of it and made from a copy of the data, at most
 * GOVERN_SEND_MAX bytes; a send that needs no decision (a connected
 * stream's) or stays in the sandbox's namespace (AF_UNIX, under unix
 * rules) is handed back to the kernel, never with MSG_FASTOPEN.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "govern_int.h"
#include "log.h"

/*
 * What a send handler answers for @r: NOTIF_ANSWERED for a caller that is
 * gone (-ENOENT). A send handed back to the kernel (NOTIF_CONTINUE) must
 * not carry MSG_FASTOPEN: on a host TCP socket put at its number
 * meanwhile, it would connect where nobody decided, unseen by Landlock.
 * Such a send on a socket that is no TCP one (where the kernel ignores the
 * flag) is refused instead, EPERM.
 */
static int64_t govern_send_answer(const struct seccomp_notif *req, int64_t r,
				  int flags)
{
	if (r == -ENOENT)
		return NOTIF_ANSWERED;
	if (r != NOTIF_CONTINUE || !(flags & MSG_FASTOPEN))
		return r;
	log_debug("pid %u: MSG_FASTOPEN on fd %d, not a TCP socket: refused",
		  req->pid, (int)req->data.args[0]);
	return -EPERM;
}

/*
 * Whether a send on this socket needs deciding at all: a connected stream
 * socket ignores the address it is given, except with MSG_FASTOPEN (which
 * connects), so the kernel may run it on the caller's memory; so does a
 * connected AF_UNIX seqpacket socket (unix_seqpacket_sendmsg()).
 */
static bool govern_send_free(const struct govern_call *g, int flags)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);

	bool ignores = g->type == SOCK_STREAM ||
		       (g->unix_sock && g->type == SOCK_SEQPACKET);

	return ignores && !(flags & MSG_FASTOPEN) &&
	       getpeername(g->sock, (struct sockaddr *)&peer, &len) == 0;
}

/* Read @len bytes at @ptr of the caller into a new buffer (g_free). */
static int govern_read_buf(struct govern_call *g, uint64_t ptr, size_t len,
			   void **ret)
{
	void *b = g_malloc(MAX(len, (size_t)1));
	int r = len ? govern_read(g, ptr, b, len) : 0;

	if (r < 0) {
		g_free(b);
		return r;
	}
	*ret = b;
	return 0;
}

/*
 * Whether a send to @sa (NULL: none) on an AF_UNIX socket of the sandbox's
 * own namespace stays there: decided before any data is copied or
 * bounded, since the kernel then sends it (up to its own sk_sndbuf).
 */
static bool govern_unix_stays(const struct govern_call *g,
			      const struct sockaddr_storage *sa,
			      socklen_t alen)
{
	struct unixcross_call u = govern_unix(g);

	return unixcross_stays(&u, sa, alen);
}

/* Such a send: reported to the connection log, then CONTINUE. */
static int64_t govern_unix_continue(const struct govern_call *g,
				    const struct sockaddr_storage *sa,
				    socklen_t alen, int flags)
{
	struct unixcross_call u = govern_unix(g);
	struct msghdr mh = { .msg_name = (void *)sa,
			     .msg_namelen = sa ? alen : 0 };

	return unixcross_send(&u, &mh, flags, false);
}

/*
 * sendto() on an AF_UNIX socket: unixcross.c's, with our copies of the
 * address and, when it may cross, of the data.
 */
static int64_t govern_unix_sendto(struct govern_call *g,
				  const struct sockaddr_storage *sa,
				  socklen_t alen, size_t n, int flags)
{
	struct unixcross_call u = govern_unix(g);
	g_autofree void *buf = NULL;
	struct iovec iov = { 0 };
	struct msghdr mh = {
		.msg_name = (void *)sa, .msg_namelen = alen,
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	int r = 0;

	if (!unixcross_stays(&u, sa, alen))
		r = govern_read_buf(g, g->req->data.args[1], n, &buf);
	if (r < 0)
		return r;
	iov = (struct iovec){ .iov_base = buf, .iov_len = buf ? n : 0 };
	return unixcross_send(&u, &mh, flags, false);
}

/**
 * govern_sendto() - sendto(fd, buf, len, flags, addr, alen) with an address
 * @l: the caller's listener
 * @req: the notification
 *
 * The data are copied (at most GOVERN_SEND_MAX bytes: a datagram past it
 * is EMSGSIZE, a stream send is short as the kernel's may be) and sent by
 * the proxy with the caller's flags.
 *
 * Return: the call's result, NOTIF_CONTINUE or NOTIF_ANSWERED.
 */
int64_t govern_sendto(const struct listener *l,
		      const struct seccomp_notif *req)
{
	struct govern_call g = GOVERN_CALL(l, req);
	g_autofree void *buf = NULL;
	struct sockaddr_storage sa;
	size_t n = (size_t)req->data.args[2];
	socklen_t alen = (socklen_t)req->data.args[5];
	int flags = (int)req->data.args[3];
	int64_t r;

	r = govern_open(&g, flags & MSG_FASTOPEN);
	if (r == 0 && govern_send_free(&g, flags))
		r = NOTIF_CONTINUE;
	if (r == 0)
		r = govern_read_addr(&g, req->data.args[4], alen, &sa);
	/* a send that stays in the sandbox's namespace is the kernel's, whole */
	if (r == 0 && g.unix_sock && govern_unix_stays(&g, &sa, alen)) {
		r = govern_unix_continue(&g, &sa, alen, flags);
		govern_call_clear(&g);
		return govern_send_answer(req, r, flags);
	}
	if (r == 0 && n > GOVERN_SEND_MAX)
		r = g.type == SOCK_STREAM ? (n = GOVERN_SEND_MAX, 0) : -EMSGSIZE;
	if (r == 0 && g.unix_sock) {
		r = govern_unix_sendto(&g, &sa, alen, n, flags);
		govern_call_clear(&g);
		return govern_send_answer(req, r, flags);
	}
	if (r == 0)
		r = govern_decide(&g, &sa, alen, false, true);
	if (r == 0)
		r = govern_read_buf(&g, req->data.args[1], n, &buf);
	if (r == 0)
		r = govern_proven(&g);
	if (r == 0) {
		ssize_t k;

		/* a published PORT on a local address: its HOSTPORT */
		if (!g.own_tcp)
			(void)publish_connect_port(g.conf, g.proto, &sa, alen);
		k = sendto(g.sock, buf, n, flags | MSG_NOSIGNAL,
			   (struct sockaddr *)&sa, alen);

		r = k < 0 ? -errno : k;
	}
	govern_log(&g, "send", r);
	govern_call_clear(&g);
	return govern_send_answer(req, r, flags);
}

/*
 * struct govern_msg - our copy of one struct msghdr and what it points to
 */
struct govern_msg {
	struct sockaddr_storage sa;
	struct msghdr mh;
	struct iovec iov;
	void *data;
	void *ctrl;
};

static void govern_msg_clear(struct govern_msg *m)
{
	g_free(m->data);
	g_free(m->ctrl);
}

/* Gather the caller's iovecs into one buffer of ours (bounded). */
static int govern_read_iov(struct govern_call *g, uint64_t iovp, size_t n_iov,
			   struct govern_msg *m)
{
	struct iovec v;
	size_t total = 0, i;
	char *out;
	int r;

	if (n_iov > UIO_MAXIOV)
		return -EMSGSIZE;
	out = m->data = g_malloc(GOVERN_SEND_MAX);
	for (i = 0; i < n_iov && total < GOVERN_SEND_MAX; i++) {
		size_t take;

		r = govern_read(g, iovp + i * sizeof(v), &v, sizeof(v));
		if (r < 0)
			return r;
		take = MIN(v.iov_len, GOVERN_SEND_MAX - total);
		if (v.iov_len > GOVERN_SEND_MAX - total && g->type != SOCK_STREAM)
			return -EMSGSIZE;
		r = take ? govern_read(g, (uint64_t)(uintptr_t)v.iov_base,
				       out + total, take) : 0;
		if (r < 0)
			return r;
		total += take;
	}
	m->iov = (struct iovec){ .iov_base = out, .iov_len = total };
	return 0;
}

/**
 * govern_read_msg() - copy the caller's struct msghdr at @ptr and its parts
 * @g: the call
 * @ptr: the caller's struct msghdr
 * @m: our copy: name, data gathered into one iovec, control
 *
 * Return: 0 or -errno.
 */
static int govern_read_msg(struct govern_call *g, uint64_t ptr,
			   struct govern_msg *m)
{
	struct msghdr h;
	int r;

	r = govern_read(g, ptr, &h, sizeof(h));
	if (r < 0)
		return r;
	memset(&m->sa, 0, sizeof(m->sa));
	if (h.msg_name && h.msg_namelen) {
		r = govern_read_addr(g, (uint64_t)(uintptr_t)h.msg_name,
				     h.msg_namelen, &m->sa);
		if (r < 0)
			return r;
	}
	r = govern_read_iov(g, (uint64_t)(uintptr_t)h.msg_iov, h.msg_iovlen, m);
	if (r == 0 && h.msg_controllen > GOVERN_CTRL_MAX)
		r = -ENOBUFS;
	if (r == 0 && h.msg_control && h.msg_controllen)
		r = govern_read_buf(g, (uint64_t)(uintptr_t)h.msg_control,
				    h.msg_controllen, &m->ctrl);
	if (r < 0)
		return r;
	m->mh = (struct msghdr){
		.msg_name = h.msg_name ? &m->sa : NULL,
		.msg_namelen = h.msg_name ? h.msg_namelen : 0,
		.msg_iov = &m->iov, .msg_iovlen = 1,
		.msg_control = m->ctrl,
		.msg_controllen = m->ctrl ? h.msg_controllen : 0,
	};
	return 0;
}

/*
 * sendmsg() on an AF_UNIX socket of the sandbox's namespace: only the
 * msghdr and its name are read first; a message that stays there is the
 * kernel's (NOTIF_CONTINUE) before its data and control are copied or
 * bounded. Return: 0 to go on (it may cross), NOTIF_CONTINUE or -errno.
 */
static int64_t govern_unix_msg_stays(struct govern_call *g, uint64_t ptr,
				     int flags)
{
	struct sockaddr_storage sa;
	struct msghdr h;
	bool named;
	int r;

	r = govern_read(g, ptr, &h, sizeof(h));
	if (r < 0)
		return r;
	named = h.msg_name && h.msg_namelen;
	if (named) {
		r = govern_read_addr(g, (uint64_t)(uintptr_t)h.msg_name,
				     h.msg_namelen, &sa);
		if (r < 0)
			return r;
	}
	if (!govern_unix_stays(g, named ? &sa : NULL, h.msg_namelen))
		return 0;
	return govern_unix_continue(g, named ? &sa : NULL, h.msg_namelen,
				    flags);
}

/* Decide and send one message of ours; the bytes sent or -errno. */
static int64_t govern_send_msg(struct govern_call *g, struct govern_msg *m,
			       int flags)
{
	ssize_t k;
	int r;

	if (g->unix_sock) {
		struct unixcross_call u = govern_unix(g);

		return unixcross_send(&u, &m->mh, flags, true);
	}
	if (m->mh.msg_name) {
		r = govern_decide(g, &m->sa, m->mh.msg_namelen, false, true);
		if (r < 0) {
			govern_log(g, "send", r);
			return r;
		}
		/* decided on PORT; a published one is sent to its HOSTPORT */
		if (!g->own_tcp)
			(void)publish_connect_port(g->conf, g->proto, &m->sa,
						   m->mh.msg_namelen);
	}
	k = sendmsg(g->sock, &m->mh, flags | MSG_NOSIGNAL);
	k = k < 0 ? -errno : k;
	if (m->mh.msg_name)
		govern_log(g, "send", k);
	return k;
}

/**
 * govern_sendmsg() - sendmsg(fd, msg, flags) under the policy
 * @l: the caller's listener
 * @req: the notification
 *
 * Without a name the message goes to the connected peer, decided at
 * connect(); it is still sent from our copy, since the caller's msghdr
 * could gain a name between a check and the kernel's own read.
 *
 * Return: the call's result, NOTIF_CONTINUE or NOTIF_ANSWERED.
 */
int64_t govern_sendmsg(const struct listener *l,
		       const struct seccomp_notif *req)
{
	struct govern_call g = GOVERN_CALL(l, req);
	struct govern_msg m = { 0 };
	int flags = (int)req->data.args[2];
	int64_t r;

	r = govern_open(&g, flags & MSG_FASTOPEN);
	if (r == 0 && govern_send_free(&g, flags))
		r = NOTIF_CONTINUE;
	if (r == 0 && g.unix_sock && !g.moved)
		r = govern_unix_msg_stays(&g, req->data.args[1], flags);
	if (r == 0)
		r = govern_read_msg(&g, req->data.args[1], &m);
	if (r == 0)
		r = govern_proven(&g);
	if (r == 0)
		r = govern_send_msg(&g, &m, flags);
	govern_msg_clear(&m);
	govern_call_clear(&g);
	return govern_send_answer(req, r, flags);
}

/**
 * govern_sendmmsg() - sendmmsg(fd, vec, vlen, flags) under the policy
 * @l: the caller's listener
 * @req: the notification
 *
 * Each message as govern_sendmsg(), in order; msg_len is written back for
 * each one sent. Stops at the first error: its errno when nothing was
 * sent, else the count, as the kernel. On an AF_UNIX socket of the
 * sandbox's namespace the kernel sends them there (nothing crosses).
 *
 * Return: the call's result, NOTIF_CONTINUE or NOTIF_ANSWERED.
 */
int64_t govern_sendmmsg(const struct listener *l,
			const struct seccomp_notif *req)
{
	struct govern_call g = GOVERN_CALL(l, req);
	unsigned int vlen = MIN((unsigned int)req->data.args[2], UIO_MAXIOV);
	int flags = (int)req->data.args[3];
	uint64_t vec = req->data.args[1];
	unsigned int i;
	int64_t r;

	r = govern_open(&g, flags & MSG_FASTOPEN);
	if (r == 0 && (govern_send_free(&g, flags) || (g.unix_sock && !g.moved)))
		r = NOTIF_CONTINUE;
	if (r == 0)
		r = target_open(g.listener, req->id, (pid_t)req->pid, &g.t);
	for (i = 0; r == 0 && i < vlen; i++) {
		struct govern_msg m = { 0 };
		uint64_t at = vec + i * sizeof(struct mmsghdr);
		int64_t k;
		unsigned int sent;

		k = govern_read_msg(&g, at, &m);
		if (k == 0)
			k = govern_proven(&g);
		if (k == 0)
			k = govern_send_msg(&g, &m, flags);
		govern_msg_clear(&m);
		if (k >= 0) {
			sent = (unsigned int)k;
			k = target_write(&g.t, at + offsetof(struct mmsghdr, msg_len),
					 &sent, sizeof(sent));
		}
		if (k < 0)
			r = i > 0 ? (int64_t)i : k;
	}
	if (r == 0)
		r = i;
	govern_call_clear(&g);
	return govern_send_answer(req, r, flags);
}
