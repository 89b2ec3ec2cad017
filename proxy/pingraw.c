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
 * - receive (recvfrom, recvmsg): the proxy receives on its own copy of the
 *   socket and writes the datagram into the caller prefixed with an IPv4
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
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proxy_int.h"
#include "util.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif
#ifndef SOL_RAW
#define SOL_RAW 255
#endif
#ifndef SOL_ICMPV6
#define SOL_ICMPV6 58
#endif
#ifndef ICMP6_FILTER
#define ICMP6_FILTER 1
#endif
#define PINGRAW_ECHO6 128
/* the least IPv6 address length bind() takes (no sin6_scope_id) */
#define PINGRAW_SIN6_LEN_MIN 24
#define PINGRAW_ECHOREPLY6 129

/* Bounds: sockets known per listener; blocking receives waiting per proxy. */
#define PINGRAW_MAX_SOCKETS 1024
#define PINGRAW_MAX_WAITING 64
/* A waiting receive looks for signals and a gone caller this often. */
#define PINGRAW_WAIT_SLICE_MS 20
/* The largest ICMP datagram, the IPv4 header, iovecs and control read. */
#define PINGRAW_DATA_MAX 65535
#define PINGRAW_HDR 20
#define PINGRAW_IOV_MAX 1024
#define PINGRAW_CONTROL_MAX 4096

/* The control messages the proxy turns on, in struct pingraw_sock.wants. */
enum {
	PINGRAW_WANT_TTL = 1 << 0,
	PINGRAW_WANT_PKTINFO = 1 << 1,
	PINGRAW_WANT_TOS = 1 << 2,
};

/*
 * struct pingraw_sock - a raw ICMP socket this proxy made
 * @cookie: its SO_COOKIE
 * @used: when it was last used (the set's clock), for eviction
 * @family: AF_INET or AF_INET6
 * @filter: ICMP_FILTER's mask (a set bit drops that type; IPv4: word 0),
 *	ICMP6_FILTER's (struct icmp6_filter: a set bit blocks)
 * @id: the echo id last sent (network order), when @has_id
 * @bound: the address bind() gave, bound with the ident at the first send
 * @has_bound: bind() was called
 * @wants: PINGRAW_WANT_*: what the program itself turned on
 */
struct pingraw_sock {
	uint64_t cookie;
	uint64_t used;
	int family;
	uint32_t filter[8];
	uint16_t id;
	bool has_id;
	struct sockaddr_in6 bound;
	bool has_bound;
	unsigned int wants;
};

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

static uint64_t pingraw_cookie(int sock)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (getsockopt(sock, SOL_SOCKET, SO_COOKIE, &cookie, &len) < 0)
		return 0;
	return cookie;
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

/*
 * The lowest free number of the ping range the caller can hold, or of the
 * low range when its soft RLIMIT_NOFILE leaves none (seccomp_filter.h).
 */
static int pingraw_pick_slot(pid_t pid)
{
	static const int ranges[][2] = {
		{ LXNET_PING_FD_BASE, LXNET_PING_FD_COUNT },
		{ LXNET_NLEP_FD_LOW_BASE, LXNET_NLEP_FD_LOW_COUNT },
	};
	struct rlimit rl;
	char path[64];
	rlim_t lim = RLIM_INFINITY;
	size_t i;
	int fd;

	if (prlimit(pid, RLIMIT_NOFILE, NULL, &rl) == 0)
		lim = rl.rlim_cur;
	for (i = 0; i < ELEMENTSOF(ranges); i++) {
		int lo = ranges[i][0], hi = lo + ranges[i][1];

		if (lim < (rlim_t)hi)
			hi = (int)lim;
		for (fd = lo; fd < hi; fd++) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid,
				 fd);
			if (faccessat(AT_FDCWD, path, F_OK,
				      AT_SYMLINK_NOFOLLOW) < 0)
				return errno == ENOENT ? fd : -errno;
		}
		if (hi > lo)
			break;
	}
	return -EMFILE;
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
	cookie = pingraw_cookie(fd);
	if (!cookie)
		return -EPERM; /* cannot be known again (before Linux 4.x) */
	slot = pingraw_pick_slot((pid_t)req->pid);
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
	e = pingraw_find(l->ping, pingraw_cookie(copy));
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

/* ---- receives ----------------------------------------------------------- */

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

/* recvfrom()/recvmsg() on a raw ICMP socket. */
static int64_t pingraw_do_recv(struct listener *l,
			       const struct seccomp_notif *req,
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
