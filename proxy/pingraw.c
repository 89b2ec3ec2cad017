// SPDX-License-Identifier: LGPL-2.1-or-later
/* pingraw.c - raw ICMP(v6) sockets for root inside, made of the host's ping sockets */
/*
 * Theory of operation. ping (iputils, busybox) and Go's "ip4:icmp" open
 * socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) when their euid is 0, which it
 * is inside a sandbox; the host refuses the proxy such a socket for them
 * (sockets.c: no CAP_NET_RAW over the host's namespace). Where the host's
 * net.ipv4.ping_group_range admits the proxy's group, the caller gets a
 * host ping socket (SOCK_DGRAM, IPPROTO_ICMP) dressed as the raw socket it
 * asked for; elsewhere EPERM, as before.
 *
 * The socket is the sandbox's fd as the kernel made it, so poll, epoll,
 * SO_RCVBUF and the rest stay native. It is placed in the ping fd range
 * (seccomp_filter.h), where the filter traps the endpoint calls and also
 * sendto()/sendmsg(); the sockets this file made are known by SO_COOKIE
 * in a table per listener (only its serving thread touches it):
 * - send: the echo request the program built goes out as it is (CONTINUE;
 *   the kernel checks it is an echo request and writes the checksum).
 *   First the proxy binds the socket's ident to the request's id, so the
 *   replies carry the id the program expects; where the ident is taken (or
 *   the program bound the socket first), replies are rewritten to that id.
 * - receive (recvfrom, recvmsg; pingraw_recv.c): the proxy receives on
 *   its own copy of the socket and writes the datagram into the caller prefixed with an IPv4
 *   header built from the reply (addresses from the source and
 *   IP_PKTINFO, TTL and TOS from IP_RECVTTL/IP_RECVTOS, which the proxy
 *   turns on; their control messages reach the caller only when it asked
 *   for them), MSG_TRUNC/MSG_PEEK as the kernel's, ICMP_FILTER applied. A
 *   blocking receive with nothing queued waits on a pool thread, answered
 *   EINTR when a caught signal arrives and EAGAIN at SO_RCVTIMEO.
 * - getsockname (port = the protocol, as a raw socket's), bind (remembered
 *   until the first send binds the ident), getsockopt SO_TYPE (SOCK_RAW),
 *   ICMP_FILTER, IP_HDRINCL (0), setsockopt ICMP_FILTER, IP_HDRINCL
 *   (ENOPROTOOPT for 1: no header is taken from the program).
 * - IPv6 (SOCK_RAW, IPPROTO_ICMPV6) the same way on an ICMPv6 ping socket,
 *   without a header (a raw ICMPv6 socket shows none): the id,
 *   ICMP6_FILTER and SOL_RAW IPV6_CHECKSUM (the kernel's, offset 2).
 * busybox moves its socket to fd 0 (dup2), so its sends, receives and
 * setsockopt are trapped there too (seccomp_filter.h).
 * What differs from a raw socket: only echo requests can be sent (EINVAL
 * otherwise), only replies to this socket's requests are received (no
 * other ICMP traffic, no errors as datagrams: those are in the error
 * queue with IP_RECVERR, in the ping socket's format), the header's id and
 * fragment fields are 0, read() and recvmmsg() (not trapped) see ICMP
 * without the header, and a copy dup'ed out of the range is a ping socket.
 * OCI containers get EPERM: their profile does not trap the sends.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "pingraw_int.h"
#include "util.h"

/* Bound: sockets known per listener. */
#define PINGRAW_MAX_SOCKETS 1024
/* the least IPv6 address length bind() takes (no sin6_scope_id) */
#define PINGRAW_SIN6_LEN_MIN 24

struct pingraw_set {
	struct pingraw_sock s[PINGRAW_MAX_SOCKETS];
	unsigned int n;
	uint64_t clock;
};

/* pingraw_set_free() - free a listener's table (NULL is fine) */
void pingraw_set_free(struct pingraw_set *set)
{
	g_free(set);
}

static struct pingraw_sock *pingraw_find(struct pingraw_set *set,
					 uint64_t cookie)
{
	unsigned int i;

	for (i = 0; set && i < set->n; i++)
		if (set->s[i].cookie == cookie) {
			set->s[i].used = ++set->clock;
			return &set->s[i];
		}
	return NULL;
}

/*
 * A new entry; at the bound the least recently used is dropped (its
 * socket then behaves as the ping socket it is).
 */
static struct pingraw_sock *pingraw_add(struct pingraw_set *set,
					uint64_t cookie)
{
	struct pingraw_sock *e;
	unsigned int i, old = 0;

	if (set->n < PINGRAW_MAX_SOCKETS) {
		e = &set->s[set->n++];
	} else {
		for (i = 1; i < set->n; i++)
			if (set->s[i].used < set->s[old].used)
				old = i;
		e = &set->s[old];
	}
	memset(e, 0, sizeof(*e));
	e->cookie = cookie;
	e->used = ++set->clock;
	return e;
}

static void pingraw_remove(struct pingraw_set *set, struct pingraw_sock *e)
{
	*e = set->s[--set->n];
}

/**
 * pingraw_wanted() - whether socket(@domain, @type, @protocol) is one this
 * file can make
 * @domain: the caller's domain
 * @type: its type, with flags
 * @protocol: its protocol
 */
bool pingraw_wanted(int domain, int type, int protocol)
{
	return (type & 0xf) == SOCK_RAW &&
	       ((domain == AF_INET && protocol == IPPROTO_ICMP) ||
		(domain == AF_INET6 && protocol == IPPROTO_ICMPV6));
}

/**
 * pingraw_do_socket() - socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) or
 * socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) made of a host ping socket
 * @l: the listener (its table is made at the first)
 * @req: the notification (native architecture)
 * @domain: AF_INET or AF_INET6 (pingraw_wanted())
 * @type: the caller's type with its SOCK_NONBLOCK/SOCK_CLOEXEC
 *
 * Return: NOTIF_ANSWERED, or -errno: -EPERM where the host's
 * ping_group_range leaves the proxy's group out (what a raw socket without
 * CAP_NET_RAW gets).
 */
int64_t pingraw_do_socket(struct listener *l, const struct seccomp_notif *req,
			  int domain, int type)
{
	static const int on_opts[] = { IP_RECVTTL, IP_PKTINFO, IP_RECVTOS };
	_cleanup_close_ int fd = -1;
	struct pingraw_sock *e;
	uint64_t cookie;
	size_t i;
	int one = 1, slot, r;

	fd = socket(domain, SOCK_DGRAM | SOCK_CLOEXEC | (type & SOCK_NONBLOCK),
		    domain == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return errno == EACCES ? -EPERM : -errno;
	/* IPv6: a raw ICMPv6 socket shows no IP header, nothing to build */
	for (i = 0; domain == AF_INET && i < ELEMENTSOF(on_opts); i++)
		if (setsockopt(fd, SOL_IP, on_opts[i], &one, sizeof(one)) < 0)
			return -errno;
	cookie = sockets_cookie(fd);
	if (!cookie)
		return -EPERM; /* cannot be known again (before Linux 4.x) */
	slot = task_pick_fd((pid_t)req->pid, -1, LXNET_PING_FD_BASE,
			    LXNET_PING_FD_COUNT, false);
	if (notif_id_valid(l->fd, req->id) < 0)
		return NOTIF_ANSWERED;
	if (slot < 0)
		return slot;
	if (!l->ping)
		l->ping = g_new0(struct pingraw_set, 1);
	e = pingraw_add(l->ping, cookie);
	e->family = domain;
	r = notif_addfd(l->journal, l->fd, req->id, fd, slot,
			type & SOCK_CLOEXEC);
	if (r < 0)
		pingraw_remove(l->ping, e);
	if (r == -ENOENT)
		return NOTIF_ANSWERED;
	return r < 0 ? r : NOTIF_ANSWERED;
}

/*
 * Our copy of the caller's fd @req->data.args[0] and its entry, when it is
 * a socket this file made. Return: 0, 1 when it is not one (CONTINUE),
 * -ENOENT when the caller is gone, or -errno.
 */
static int pingraw_open(struct listener *l, const struct seccomp_notif *req,
			int *ret_copy, struct pingraw_sock **ret_e)
{
	_cleanup_close_ int copy = -1;
	struct pingraw_sock *e;
	int r;

	if (!l->ping || !l->ping->n)
		return 1;
	r = task_getfd((pid_t)req->pid, (int)req->data.args[0],
		       l->conf->pidfd_leader_only, &copy);
	if (notif_id_valid(l->fd, req->id) < 0)
		return -ENOENT;
	if (r < 0)
		return 1; /* not ours to judge: the kernel's answer */
	e = pingraw_find(l->ping, sockets_cookie(copy));
	if (!e)
		return 1;
	*ret_copy = copy;
	copy = -1;
	*ret_e = e;
	return 0;
}

/* ---- sends -------------------------------------------------------------- */

/* The first 8 bytes the caller sends (the ICMP header): sendto or sendmsg. */
static int pingraw_read_icmp(struct target *t, const struct seccomp_notif *req,
			     enum trap_id call, uint8_t hdr[8])
{
	struct msghdr m;
	struct iovec iov[8];
	size_t got = 0, i, n;
	int r;

	if (call == TRAP_sendto) {
		if (req->data.args[2] < 8)
			return -EINVAL;
		return target_read(t, req->data.args[1], hdr, 8);
	}
	r = target_read(t, req->data.args[1], &m, sizeof(m));
	if (r < 0)
		return r;
	n = MIN(m.msg_iovlen, ELEMENTSOF(iov));
	if (n && (r = target_read(t, (uint64_t)(uintptr_t)m.msg_iov, iov,
				  n * sizeof(iov[0]))) < 0)
		return r;
	for (i = 0; i < n && got < 8; i++) {
		size_t k = MIN(iov[i].iov_len, 8 - got);

		if (k && (r = target_read(t, (uint64_t)(uintptr_t)iov[i].iov_base,
					  hdr + got, k)) < 0)
			return r;
		got += k;
	}
	return got == 8 ? 0 : -EINVAL;
}

/*
 * Bind the ident to the echo id @id (network order) where the socket is
 * not bound yet, at the address bind() gave; where that ident is taken,
 * at any ident (replies are rewritten).
 */
static void pingraw_bind_ident(int sock, struct pingraw_sock *e, uint16_t id)
{
	struct sockaddr_in6 sa = { 0 };
	socklen_t len = sizeof(sa);

	/* sin_port and sin6_port lie at the same offset */
	if (getsockname(sock, (struct sockaddr *)&sa, &len) < 0 ||
	    sa.sin6_port != 0)
		return;
	memset(&sa, 0, sizeof(sa));
	if (e->has_bound)
		sa = e->bound;
	sa.sin6_family = (sa_family_t)e->family;
	len = e->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(sa);
	sa.sin6_port = id;
	if (bind(sock, (struct sockaddr *)&sa, len) == 0 || !e->has_bound)
		return;
	sa.sin6_port = 0;
	(void)bind(sock, (struct sockaddr *)&sa, len);
}

/**
 * pingraw_do_send() - sendto()/sendmsg() on a raw ICMP socket
 * @l: the listener
 * @req: the notification
 * @call: TRAP_sendto or TRAP_sendmsg
 *
 * Learns the echo id and binds the ident to it, then lets the kernel send
 * (the ping socket checks the type and writes the checksum); under a
 * connection policy the caller passes the call on to govern.c.
 *
 * Return: NOTIF_CONTINUE, NOTIF_ANSWERED (the caller is gone) or -errno.
 */
int64_t pingraw_do_send(struct listener *l, const struct seccomp_notif *req,
			enum trap_id call)
{
	_cleanup_close_ int copy = -1;
	struct pingraw_sock *e;
	struct target t;
	uint8_t hdr[8];
	int r;

	r = pingraw_open(l, req, &copy, &e);
	if (r == 1)
		return NOTIF_CONTINUE;
	if (r < 0)
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	r = target_open(l->fd, req->id, (pid_t)req->pid, &t);
	if (r < 0)
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	r = pingraw_read_icmp(&t, req, call, hdr);
	target_close(&t);
	if (r < 0 || hdr[0] != (e->family == AF_INET ? ICMP_ECHO : PINGRAW_ECHO6))
		return NOTIF_CONTINUE; /* the kernel's error */
	memcpy(&e->id, hdr + 4, sizeof(e->id));
	e->has_id = true;
	pingraw_bind_ident(copy, e, e->id);
	return NOTIF_CONTINUE;
}

/* ---- names and options -------------------------------------------------- */

static int64_t pingraw_do_getsockname(struct listener *l,
				      const struct seccomp_notif *req, int copy,
				      const struct pingraw_sock *e)
{
	struct sockaddr_in6 sa = { 0 };
	socklen_t len = sizeof(sa), room;
	struct target t;
	int r;

	if (getsockname(copy, (struct sockaddr *)&sa, &len) < 0)
		return -errno;
	if (sa.sin6_port == 0 && e->has_bound) {
		sa = e->bound;
		sa.sin6_family = (sa_family_t)e->family;
	}
	/* a raw socket's "port" is its protocol (sin_port: the same offset) */
	sa.sin6_port = htons(e->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	r = target_open(l->fd, req->id, (pid_t)req->pid, &t);
	if (r < 0)
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	r = target_read(&t, req->data.args[2], &room, sizeof(room));
	if (r == 0 && (int)room < 0)
		r = -EINVAL;
	if (r == 0)
		r = target_write(&t, req->data.args[1], &sa, MIN(room, len));
	if (r == 0)
		r = target_write(&t, req->data.args[2], &len, sizeof(len));
	target_close(&t);
	return r == -ENOENT ? NOTIF_ANSWERED : r;
}

/*
 * bind(): checked on a scratch ping socket (the kernel's errno for the
 * address) and remembered, again and again as raw_bind() allows; the
 * first send binds it with the ident.
 */
static int64_t pingraw_do_bind(struct listener *l,
			       const struct seccomp_notif *req,
			       struct pingraw_sock *e)
{
	_cleanup_close_ int scratch = -1;
	struct sockaddr_in6 sa = { 0 };
	socklen_t len = (socklen_t)req->data.args[2];
	socklen_t want = e->family == AF_INET ? sizeof(struct sockaddr_in)
					      : PINGRAW_SIN6_LEN_MIN;
	struct target t;
	int r;

	if (len < want)
		return -EINVAL;
	len = MIN(len, (socklen_t)sizeof(sa));
	r = target_open(l->fd, req->id, (pid_t)req->pid, &t);
	if (r < 0)
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	r = target_read(&t, req->data.args[1], &sa, len);
	target_close(&t);
	if (r < 0)
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	sa.sin6_port = 0;
	scratch = socket(e->family, SOCK_DGRAM | SOCK_CLOEXEC,
			 e->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (scratch < 0)
		return -errno;
	if (bind(scratch, (struct sockaddr *)&sa, len) < 0)
		return -errno;
	e->bound = sa;
	e->has_bound = true;
	return 0;
}

/* The option a raw socket has that the ping socket has not, or turned on. */
static int pingraw_opt_want(int level, int name)
{
	if (level != SOL_IP)
		return 0;
	switch (name) {
	case IP_RECVTTL:
		return PINGRAW_WANT_TTL;
	case IP_PKTINFO:
		return PINGRAW_WANT_PKTINFO;
	case IP_RECVTOS:
		return PINGRAW_WANT_TOS;
	default:
		return 0;
	}
}

/* Whether (@level, @name) is the socket's ICMP_FILTER or ICMP6_FILTER. */
static bool pingraw_opt_filter(const struct pingraw_sock *e, int level,
			       int name)
{
	return e->family == AF_INET ? level == SOL_RAW && name == ICMP_FILTER
				    : level == SOL_ICMPV6 && name == ICMP6_FILTER;
}

/*
 * setsockopt(): ICMP_FILTER (at least 4 bytes) and ICMP6_FILTER (up to 32,
 * a prefix replaced) kept, IP_HDRINCL 1 refused, the control messages the
 * proxy turned on remembered; the rest is the ping socket's.
 */
static int64_t pingraw_do_setsockopt(struct listener *l,
				     const struct seccomp_notif *req,
				     struct pingraw_sock *e)
{
	int level = (int)req->data.args[1], name = (int)req->data.args[2];
	socklen_t len = (socklen_t)req->data.args[4];
	int want = e->family == AF_INET ? pingraw_opt_want(level, name) : 0;
	bool filter = pingraw_opt_filter(e, level, name);
	bool hdrincl = e->family == AF_INET && level == SOL_IP &&
		       name == IP_HDRINCL;
	bool csum = e->family == AF_INET6 && level == SOL_RAW &&
		    name == IPV6_CHECKSUM;
	uint32_t val[8];
	size_t n;
	struct target t;
	int r;

	if (!filter && !want && !hdrincl && !csum)
		return NOTIF_CONTINUE;
	if ((int)len < 0 || len == 0 ||
	    (e->family == AF_INET && filter && len < sizeof(uint32_t)))
		return -EINVAL;
	n = filter && e->family == AF_INET6 ? MIN(len, sizeof(val))
					    : MIN(len, sizeof(val[0]));
	memcpy(val, e->filter, sizeof(val));
	if (!filter)
		val[0] = 0;
	r = target_open(l->fd, req->id, (pid_t)req->pid, &t);
	if (r < 0)
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	r = target_read(&t, req->data.args[3], val, n);
	target_close(&t);
	if (r < 0)
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	if (filter) {
		memcpy(e->filter, val, sizeof(val));
		return 0;
	}
	if (n < sizeof(val[0])) /* ip_setsockopt() takes a single byte too */
		val[0] &= 0xff;
	if (hdrincl)
		return val[0] ? -ENOPROTOOPT : 0;
	if (csum) /* ICMPv6's checksum is always the kernel's, at offset 2 */
		return (int)val[0] > 0 && (val[0] & 1) ? -EINVAL : 0;
	e->wants = val[0] ? e->wants | (unsigned int)want
			  : e->wants & ~(unsigned int)want;
	return 0;
}

/* getsockopt(): SO_TYPE, the filters, IP_HDRINCL and the remembered options. */
static int64_t pingraw_do_getsockopt(struct listener *l,
				     const struct seccomp_notif *req,
				     const struct pingraw_sock *e)
{
	int level = (int)req->data.args[1], name = (int)req->data.args[2];
	int want = e->family == AF_INET ? pingraw_opt_want(level, name) : 0;
	uint32_t val[8] = { 0 };
	size_t size = sizeof(val[0]);
	socklen_t len;
	struct target t;
	int r;

	if (level == SOL_SOCKET && name == SO_TYPE)
		val[0] = SOCK_RAW;
	else if (pingraw_opt_filter(e, level, name)) {
		memcpy(val, e->filter, sizeof(val));
		size = e->family == AF_INET ? sizeof(val[0]) : sizeof(val);
	} else if (e->family == AF_INET && level == SOL_IP && name == IP_HDRINCL)
		val[0] = 0;
	else if (e->family == AF_INET6 && level == SOL_RAW &&
		 name == IPV6_CHECKSUM)
		val[0] = 2;
	else if (want)
		val[0] = (e->wants & (unsigned int)want) != 0;
	else
		return NOTIF_CONTINUE;
	r = target_open(l->fd, req->id, (pid_t)req->pid, &t);
	if (r < 0)
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	r = target_read(&t, req->data.args[4], &len, sizeof(len));
	if (r == 0 && (int)len < 0)
		r = -EINVAL;
	len = MIN(len, (socklen_t)size);
	if (r == 0)
		r = target_write(&t, req->data.args[3], val, len);
	if (r == 0)
		r = target_write(&t, req->data.args[4], &len, sizeof(len));
	target_close(&t);
	return r == -ENOENT ? NOTIF_ANSWERED : r;
}

/**
 * pingraw_do_call() - a call trapped on an fd of the ping ranges
 * @l: the listener
 * @req: the notification
 * @call: which row
 *
 * Return: NOTIF_CONTINUE when the fd is not a raw ICMP socket of ours or
 * the ping socket answers the call as a raw socket would; else the call's
 * result, NOTIF_ANSWERED or -errno.
 */
int64_t pingraw_do_call(struct listener *l, const struct seccomp_notif *req,
			enum trap_id call)
{
	_cleanup_close_ int copy = -1;
	struct pingraw_sock *e;
	int r;

	if (call == TRAP_sendto || call == TRAP_sendmsg)
		return pingraw_do_send(l, req, call);
	if (call != TRAP_recvfrom && call != TRAP_recvmsg &&
	    call != TRAP_getsockname && call != TRAP_bind &&
	    call != TRAP_setsockopt && call != TRAP_getsockopt)
		return NOTIF_CONTINUE;
	r = pingraw_open(l, req, &copy, &e);
	if (r == 1)
		return NOTIF_CONTINUE;
	if (r < 0)
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	if (call == TRAP_recvfrom || call == TRAP_recvmsg)
		return pingraw_do_recv(l, req, call, &copy, e);
	if (call == TRAP_getsockname)
		return pingraw_do_getsockname(l, req, copy, e);
	if (call == TRAP_bind)
		return pingraw_do_bind(l, req, e);
	if (call == TRAP_setsockopt)
		return pingraw_do_setsockopt(l, req, e);
	return pingraw_do_getsockopt(l, req, e);
}
