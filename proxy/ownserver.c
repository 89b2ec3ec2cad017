// SPDX-License-Identifier: LGPL-2.1-or-later
/* ownserver.c - whether a loopback destination the policy refuses is a server of the sandbox's own */
/*
 * Under lxnet run every IPv4/IPv6 socket of the sandbox is the host's, so
 * a server the sandbox starts listens on the host's loopback, and a client
 * inside reaches it there: a policy refusing the host's loopback
 * (--no-host-loopback, or any --allow) refused the sandbox its own
 * servers, which every test suite that starts one needs.
 *
 * ownserver_serves() says whether every socket that could take a
 * connection or datagram to ADDR:PORT on the host's loopback, TCP
 * listeners or bound UDP sockets of the host's namespace bound to ADDR or
 * to the wildcard (IPv4 or IPv6: a dual-stack one takes IPv4 too), is
 * held by a process of the sandbox's network namespace. Every one: with
 * SO_REUSEPORT a host server of the same user may share the port, and
 * the kernel may hand the connection to it. The sockets come from
 * NETLINK_SOCK_DIAG (inet_diag, in the proxy's own namespace), their
 * holders from /proc (sockset_collect()); both are read when asked, on
 * the refusal path only, so an allowed call costs nothing more.
 *
 * A sandbox whose network namespace is the proxy's (a shim in the host's
 * namespace) has no servers of its own apart from the host's: never.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "cleanup.h"
#include "proxy_int.h"
#include "sockset.h"

/* Sockets on one port looked at, and bytes of one dump read, at most. */
#define OWNSERVER_MAX_SOCKS 64
#define OWNSERVER_MAX_BYTES (4 * 1024 * 1024)
#define OWNSERVER_TCP_LISTEN 10 /* TCP_LISTEN of the kernel's tcp_states.h */

/*
 * Whether a socket bound to @src (of family @family) takes what is sent to
 * @dst (4 or 16 bytes, of @dst_family): the same address, or a wildcard
 * of a family that takes it (::ffff:ADDR too).
 */
static bool ownserver_covers(int family, const uint32_t src[4],
			     int dst_family, const uint8_t *dst)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t any[16];
	const uint8_t *s = (const uint8_t *)src;

	if (family == AF_INET)
		return dst_family == AF_INET &&
		       (memcmp(s, any, 4) == 0 || memcmp(s, dst, 4) == 0);
	if (memcmp(s, any, 16) == 0)
		return true;
	if (dst_family == AF_INET)
		return memcmp(s, mapped, 12) == 0 && memcmp(s + 12, dst, 4) == 0;
	return memcmp(s, dst, 16) == 0;
}

/*
 * The inodes of @family's sockets of @protocol bound to @port that take
 * @dst, appended to @inos (*@n of them, at most OWNSERVER_MAX_SOCKS).
 * Return: 0 or -errno (-E2BIG past the bound).
 */
static int ownserver_dump(int family, int protocol, uint16_t port,
			  int dst_family, const uint8_t *dst, uint64_t *inos,
			  size_t *n)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.r = { .sdiag_family = (uint8_t)family,
		       .sdiag_protocol = (uint8_t)protocol,
		       .idiag_states = protocol == IPPROTO_TCP ?
				       1u << OWNSERVER_TCP_LISTEN : ~0u,
		       .id = { .idiag_sport = htons(port) } },
	};
	_cleanup_close_ int fd = -1;
	g_autofree uint8_t *buf = g_malloc(65536);
	size_t total = 0;

	struct timeval tv = { .tv_sec = 1 };

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	/* the kernel answers at once; a bound on the wait all the same */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, &req, sizeof(req), 0) < 0)
		return -errno;
	for (;;) {
		ssize_t k = recv(fd, buf, 65536, 0);
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		size_t left;

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		total += (size_t)k;
		if (total > OWNSERVER_MAX_BYTES)
			return -E2BIG;
		for (left = (size_t)k; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct inet_diag_msg *m = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EIO;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) ||
			    m->id.idiag_sport != htons(port) ||
			    !ownserver_covers(family, m->id.idiag_src,
					      dst_family, dst))
				continue;
			if (*n >= OWNSERVER_MAX_SOCKS)
				return -E2BIG;
			inos[(*n)++] = m->idiag_inode;
		}
		if (k == 0)
			return -EIO;
	}
}

/**
 * ownserver_serves() - whether the sandbox's own sockets alone take a
 * connection or datagram to a loopback address
 * @netns_fd: the sandbox's network namespace
 * @tcp: TCP (listeners), else UDP (bound sockets)
 * @family: AF_INET or AF_INET6 (an IPv4-mapped address as AF_INET)
 * @addr: the destination, 4 or 16 bytes
 * @port: its port
 *
 * Return: true when at least one such socket exists and every one is held
 * by a process of the sandbox's namespace; false otherwise, and on any
 * error (the policy's refusal then stands).
 */
bool ownserver_serves(int netns_fd, bool tcp, int family, const uint8_t *addr,
		      uint16_t port)
{
	_cleanup_(sockset_freep) struct sockset *set = NULL;
	uint64_t inos[OWNSERVER_MAX_SOCKS];
	struct stat sb, own;
	size_t n = 0, i;
	int proto = tcp ? IPPROTO_TCP : IPPROTO_UDP;

	if (netns_fd < 0 || fstat(netns_fd, &sb) < 0 ||
	    stat("/proc/self/ns/net", &own) < 0 ||
	    (sb.st_dev == own.st_dev && sb.st_ino == own.st_ino))
		return false;
	if ((family == AF_INET &&
	     ownserver_dump(AF_INET, proto, port, family, addr, inos, &n) < 0) ||
	    ownserver_dump(AF_INET6, proto, port, family, addr, inos, &n) < 0 ||
	    n == 0)
		return false;
	if (sockset_collect("/proc", sb.st_dev, sb.st_ino, &set) < 0 ||
	    sockset_truncated(set))
		return false;
	for (i = 0; i < n; i++)
		if (!sockset_has(set, inos[i]))
			return false;
	return true;
}
