// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlep-check.c - exercise an emulated NETLINK_ROUTE endpoint through the socket API, printing TAP-ish lines */
/*
 * Usage: nlep-check api [LINKS] | enobufs-listen N | dump-read N | many N |
 *        flood N | park N | recv-timeo | hold N | listen-count
 * Each check prints "PASS name" or "FAIL name: why"; the exit status is the
 * number of failures (capped). Run inside `lxnet shim`; the shell test
 * turns the lines into TAP. Bad pointers are passed with syscall(2), past
 * libc and the sanitizers' interceptors, which would dereference them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define FD_LO 896
#define FD_HI 1024

static int failures;
static bool native; /* NLEP_CHECK_NATIVE=1: the kernel's own netlink */

/* A check that only means something under the proxy. */
static void check_proxy(bool ok, const char *name, const char *what)
{
	if (native)
		printf("PASS %s (not checked against the kernel)\n", name);
	else if (ok)
		printf("PASS %s\n", name);
	else {
		failures++;
		printf("FAIL %s: %s\n", name, what);
	}
	fflush(stdout);
}

static void check(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
	} else {
		failures++;
		printf("FAIL %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(" (errno %s)\n", strerror(errno));
	}
	fflush(stdout);
}

static int nl_open(int flags)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | flags, NETLINK_ROUTE);
}

/*
 * send_req() - send one request with the family header its type needs
 * (ifinfomsg, ifaddrmsg or rtmsg, zeroed): the kernel's strict checking
 * (NETLINK_GET_STRICT_CHK, set by iproute2) refuses a bare rtgenmsg.
 */
static int send_req(int fd, uint16_t type, uint16_t flags, uint32_t seq,
		    int ifindex)
{
	struct {
		struct nlmsghdr h;
		union {
			struct ifinfomsg ifi;
			struct ifaddrmsg ifa;
			struct rtmsg rtm;
		} u;
	} req;
	size_t body;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };

	switch (type) {
	case RTM_GETADDR: body = sizeof(req.u.ifa); break;
	case RTM_GETROUTE: body = sizeof(req.u.rtm); break;
	default: body = sizeof(req.u.ifi); break;
	}
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(body);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | flags;
	req.h.nlmsg_seq = seq;
	if (type == RTM_GETLINK)
		req.u.ifi.ifi_index = ifindex;
	return sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&k,
		      sizeof(k)) == (ssize_t)req.h.nlmsg_len ? 0 : -1;
}

static int send_dump(int fd, uint16_t type, uint32_t seq)
{
	return send_req(fd, type, NLM_F_DUMP, seq, 0);
}

/* Seq of the next datagram (peeked, waiting up to 2 s), or -1 for none. */
static int64_t peek_seq(int fd)
{
	struct nlmsghdr h;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 2000) != 1)
		return -1;
	if (recv(fd, &h, sizeof(h), MSG_PEEK | MSG_DONTWAIT) < (ssize_t)sizeof(h))
		return -1;
	return h.nlmsg_seq;
}

/* Read one datagram; return the error of its NLMSG_ERROR/DONE or 1. */
static int read_status(int fd, uint32_t seq, uint16_t *ret_type)
{
	char buf[8192];
	struct nlmsghdr *h = (void *)buf;
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	int e;

	*ret_type = 0;
	if (n < (ssize_t)(sizeof(*h) + sizeof(int)) || h->nlmsg_seq != seq)
		return 1;
	*ret_type = h->nlmsg_type;
	if (h->nlmsg_type != NLMSG_ERROR && h->nlmsg_type != NLMSG_DONE)
		return 1;
	memcpy(&e, NLMSG_DATA(h), sizeof(e));
	return e;
}

/* Read a whole dump with recvmsg; return the object count or -1. */
static int read_dump(int fd, uint32_t seq, bool *ret_addr_ok)
{
	static char buf[65536];
	int objs = 0, rounds;

	*ret_addr_ok = true;
	for (rounds = 0; rounds < 10000; rounds++) {
		struct sockaddr_nl sa;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_name = &sa, .msg_namelen = sizeof(sa),
				    .msg_iov = &iov, .msg_iovlen = 1 };
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *h;
		ssize_t n;

		memset(&sa, 0xff, sizeof(sa));
		if (poll(&p, 1, 5000) != 1)
			return -1; /* a dump that stalls fails, not hangs */
		n = recvmsg(fd, &m, 0);
		if (n <= 0)
			return -1;
		if (m.msg_namelen != sizeof(sa) || sa.nl_family != AF_NETLINK ||
		    sa.nl_pid != 0 || sa.nl_groups != 0)
			*ret_addr_ok = false;
		for (h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				return -1;
			if (h->nlmsg_type == NLMSG_DONE)
				return objs;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			objs++;
		}
	}
	return -1;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void api_names(int fd)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK }, got;
	socklen_t len = sizeof(got);
	int v = 0, bad;

	check_proxy(fd >= FD_LO && fd < FD_HI, "fd-in-range",
		    "not in the endpoint range");
	len = sizeof(v);
	check(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 &&
	      v == AF_NETLINK && len == sizeof(int), "so-domain", "%d", v);
	check(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 &&
	      v == NETLINK_ROUTE, "so-protocol", "%d", v);
	check(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == 0 &&
	      v == SOCK_RAW, "so-type", "%d", v);
	len = sizeof(got);
	check(getsockname(fd, (struct sockaddr *)&got, &len) == 0 &&
	      len == sizeof(got) && got.nl_pid == 0, "getsockname-unbound",
	      "pid %u len %u", got.nl_pid, len);
	/* a number of the range that is no fd: the kernel's EBADF */
	bad = FD_HI - 1;
	while (bad > FD_LO && fcntl(bad, F_GETFD) >= 0)
		bad--;
	len = sizeof(got);
	check(fcntl(bad, F_GETFD) < 0 &&
	      getsockname(bad, (struct sockaddr *)&got, &len) < 0 &&
	      errno == EBADF && recv(bad, &v, sizeof(v), MSG_DONTWAIT) < 0 &&
	      errno == EBADF, "closed-fd-in-range-ebadf", "fd %d", bad);
	check(bind(fd, (struct sockaddr *)&sa, 4) < 0 && errno == EINVAL,
	      "bind-short-len", "accepted");
	sa.nl_groups = RTMGRP_LINK;
	check(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "bind", "failed");
	len = sizeof(got);
	check(getsockname(fd, (struct sockaddr *)&got, &len) == 0 &&
	      len == sizeof(got) && got.nl_family == AF_NETLINK &&
	      got.nl_pid != 0 && got.nl_groups == RTMGRP_LINK,
	      "getsockname", "pid %u groups %x len %u", got.nl_pid,
	      got.nl_groups, len);
	len = 4;
	check(getsockname(fd, (struct sockaddr *)&got, &len) == 0 &&
	      len == sizeof(got), "getsockname-short-buffer", "len %u", len);
	check(syscall(SYS_getsockname, fd, 8L, 16L) < 0 &&
	      errno == EFAULT, "getsockname-efault", "no EFAULT");
	v = 1 << 20;
	check(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0,
	      "so-rcvbuf-set", "failed");
	len = sizeof(v);
	check(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 &&
	      v >= 2 * 4096, "so-rcvbuf-get", "%d", v);
	v = 1;
	check(setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, sizeof(v)) == 0 &&
	      setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &v, sizeof(v)) == 0,
	      "netlink-opts", "failed");
	v = RTNLGRP_IPV4_IFADDR;
	check(setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &v, sizeof(v)) == 0,
	      "add-membership", "failed");
	check(setsockopt(fd, SOL_NETLINK, 4242, &v, sizeof(v)) < 0 &&
	      errno == ENOPROTOOPT, "unknown-opt", "no ENOPROTOOPT");
	v = RTNLGRP_IPV4_IFADDR;
	check(setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &v, sizeof(v)) == 0,
	      "drop-membership", "failed");
	v = 0;
	check(setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, sizeof(v)) == 0,
	      "ext-ack-off", "failed");
	/* a flag option shorter than an int reads as 0 (netlink_setsockopt()) */
	v = 1;
	check(setsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, &v, sizeof(v)) == 0 &&
	      setsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, &v, 3) == 0 &&
	      (len = sizeof(v), getsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, &v, &len)) == 0 &&
	      v == 0 && setsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, NULL, 0) == 0,
	      "flag-opt-short", "v %d errno %d", v, errno);
}

static void api_recv(int fd, int expect_links)
{
	static char buf[65536];
	struct sockaddr_nl sa;
	socklen_t sl = sizeof(sa);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	bool addr_ok;
	ssize_t n, m;
	int links;

	check(poll(&p, 1, 0) == 0, "poll-empty", "readable with nothing sent");
	check(recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno == EAGAIN,
	      "dontwait-eagain", "no EAGAIN");
	{
		/* strict checking is on: a bare rtgenmsg is refused in NLMSG_DONE */
		struct {
			struct nlmsghdr h;
			struct rtgenmsg g;
		} bare = {
			.h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtgenmsg)),
			       .nlmsg_type = RTM_GETLINK,
			       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			       .nlmsg_seq = 6 },
		};
		uint16_t t;
		int e;

		(void)send(fd, &bare, bare.h.nlmsg_len, 0);
		e = read_status(fd, 6, &t);
		check(e == -EINVAL && t == NLMSG_DONE, "strict-rtgenmsg-einval",
		      "error %d type %u", e, t);
	}
	check(send_dump(fd, RTM_GETLINK, 7) == 0, "send", "failed");
	check(poll(&p, 1, 2000) == 1 && (p.revents & POLLIN), "poll-ready",
	      "revents %x", p.revents);
	n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	m = recvfrom(fd, buf, sizeof(buf), MSG_PEEK, (struct sockaddr *)&sa, &sl);
	check(n > 0 && n == m, "peek-trunc-size", "%zd vs %zd", n, m);
	check(sl == sizeof(sa) && sa.nl_pid == 0 && sa.nl_family == AF_NETLINK,
	      "recvfrom-addr", "len %u pid %u", sl, sa.nl_pid);
	m = recv(fd, buf, 16, MSG_PEEK);
	check(m == 16, "peek-short", "%zd", m);
	{
		struct iovec iov = { buf, 20 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

		m = recvmsg(fd, &msg, MSG_PEEK | MSG_TRUNC);
		check(m == n && (msg.msg_flags & MSG_TRUNC), "recvmsg-trunc-flag",
		      "%zd flags %x", m, msg.msg_flags);
	}
	links = read_dump(fd, 7, &addr_ok);
	check(addr_ok, "recvmsg-namelen-12-pid-0", "bad source address");
	check(links > 0 && (expect_links < 0 || links == expect_links),
	      "dump-links", "%d links, expected %d", links, expect_links);
	printf("INFO links %d\n", links);

	/* bad pointers */
	check(send_dump(fd, RTM_GETLINK, 8) == 0, "send2", "failed");
	check(syscall(SYS_recvmsg, fd, 8L, 0) < 0 && errno == EFAULT,
	      "recvmsg-bad-msghdr", "no EFAULT");
	{
		struct iovec iov = { (void *)8, 4096 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

		check(syscall(SYS_recvmsg, fd, &msg, MSG_PEEK) < 0 && errno == EFAULT,
		      "recvmsg-bad-iov", "no EFAULT");
	}
	sl = sizeof(sa);
	check(syscall(SYS_recvfrom, fd, buf, sizeof(buf), MSG_PEEK, &sa, 8L) < 0 &&
	      errno == EFAULT,
	      "recvfrom-bad-addrlen", "no EFAULT");
	/* drain the second dump */
	links = read_dump(fd, 8, &addr_ok);
	check(links > 0, "dump-after-efault", "%d", links);

}

/* Send a bare header (no family header) of @len bytes, @hlen claimed. */
static int send_hdr(int fd, uint16_t type, uint16_t flags, uint32_t seq,
		    uint32_t hlen)
{
	struct nlmsghdr h = { .nlmsg_len = hlen, .nlmsg_type = type,
			      .nlmsg_flags = flags, .nlmsg_seq = seq };

	return send(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) ? 0 : -1;
}

/* The next datagram is the answer to @seq, a dump with links in it. */
static bool next_is_dump(int fd, uint32_t seq, int64_t *ret_seq, int *ret_links)
{
	bool ok;

	*ret_seq = peek_seq(fd);
	*ret_links = read_dump(fd, seq, &ok);
	return *ret_seq == seq && *ret_links > 0;
}

/*
 * Bad requests, answered as the kernel's netlink_rcv_skb() answers them:
 * a datagram shorter than a header or a header whose length lies ends the
 * datagram without a reply, an unknown type gets EOPNOTSUPP, a control
 * message an ack, a send past the socket buffer EMSGSIZE; after each, the
 * next request is answered first.
 */
static void api_badinput(int fd)
{
	static char big[320 * 1024];
	struct nlmsghdr *bh = (void *)big;
	int64_t s;
	uint16_t t;
	int links, e;
	bool ok;

	check(send_hdr(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK,
		       9, 4096) == 0 &&
	      send_dump(fd, RTM_GETLINK, 10) == 0, "send-lying-len", "failed");
	ok = next_is_dump(fd, 10, &s, &links);
	check(ok, "dump-after-lying-len",
	      "first reply seq %lld, %d links", (long long)s, links);

	check(send(fd, "abcd", 4, 0) == 4 && send_dump(fd, RTM_GETLINK, 11) == 0,
	      "send-short", "failed");
	ok = next_is_dump(fd, 11, &s, &links);
	check(ok, "short-dgram-ignored",
	      "first reply seq %lld, %d links", (long long)s, links);

	check(send_hdr(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 12, 8) == 0 &&
	      send_dump(fd, RTM_GETLINK, 13) == 0, "send-len-below-header", "failed");
	ok = next_is_dump(fd, 13, &s, &links);
	check(ok, "len-below-header-ignored",
	      "first reply seq %lld, %d links", (long long)s, links);

	check(send_hdr(fd, 1000, NLM_F_REQUEST | NLM_F_ACK, 14,
		       sizeof(struct nlmsghdr)) == 0, "send-unknown-type", "failed");
	e = read_status(fd, 14, &t);
	check(e == -EOPNOTSUPP && t == NLMSG_ERROR, "unknown-type-eopnotsupp",
	      "error %d type %u", e, t);

	check(send_hdr(fd, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 15,
		       sizeof(struct nlmsghdr)) == 0, "send-noop", "failed");
	e = read_status(fd, 15, &t);
	check(e == 0 && t == NLMSG_ERROR, "noop-acked", "error %d type %u", e, t);

	/* two messages in one datagram: each answered, in order */
	memset(big, 0, 64);
	*bh = (struct nlmsghdr){ .nlmsg_len = sizeof(*bh), .nlmsg_type = NLMSG_NOOP,
				 .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
				 .nlmsg_seq = 16 };
	bh[1] = bh[0];
	bh[1].nlmsg_seq = 17;
	check(send(fd, big, 2 * sizeof(*bh), 0) == 2 * (ssize_t)sizeof(*bh),
	      "send-two-in-one", "failed");
	e = read_status(fd, 16, &t);
	ok = e == 0 && t == NLMSG_ERROR;
	e = read_status(fd, 17, &t);
	check(ok && e == 0 && t == NLMSG_ERROR, "two-in-one-both-acked",
	      "error %d type %u", e, t);

	/* larger than the socket's send buffer */
	memset(big, 0, sizeof(big));
	errno = 0;
	check(send(fd, big, sizeof(big), 0) < 0 && errno == EMSGSIZE,
	      "oversized-emsgsize", "accepted");
	/* large, within the buffer: a request then zero padding */
	*bh = (struct nlmsghdr){ .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
				 .nlmsg_type = RTM_GETLINK,
				 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
				 .nlmsg_seq = 18 };
	check(send(fd, big, 150000, 0) == 150000, "send-150k", "failed");
	ok = next_is_dump(fd, 18, &s, &links);
	check(ok, "150k-request-answered",
	      "first reply seq %lld, %d links", (long long)s, links);

	/* a receive that faults after dequeuing loses that datagram only */
	check(send_req(fd, RTM_GETLINK, 0, 19, 1) == 0 &&
	      send_req(fd, RTM_GETLINK, 0, 20, 1) == 0, "send-two-gets", "failed");
	{
		struct iovec iov = { (void *)8, 4096 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

		(void)peek_seq(fd);
		check(syscall(SYS_recvmsg, fd, &msg, 0) < 0 && errno == EFAULT,
		      "recvmsg-efault-dequeues", "no EFAULT");
	}
	s = peek_seq(fd);
	e = read_status(fd, 20, &t);
	check(s == 20 && e == 1 && t == RTM_NEWLINK,
	      "efault-lost-one-datagram", "next seq %lld type %u", (long long)s, t);
}

/* Read datagrams of @fd until NLMSG_DONE of @seq (2 s at most each). */
static bool wait_done(int fd, uint32_t seq)
{
	static char buf[65536];
	int rounds;

	for (rounds = 0; rounds < 1000; rounds++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *h;
		ssize_t n;

		if (poll(&p, 1, 2000) != 1)
			return false;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return false;
		for (h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
			if (h->nlmsg_seq == seq && h->nlmsg_type == NLMSG_DONE)
				return true;
	}
	return false;
}

/*
 * api_kernel_errnos() - errnos the kernel's netlink socket gives, checked
 * call by call (review item 10), the FORCE buffer options (item 4), a
 * read-only receive buffer (the proxy writes through /proc/PID/mem, which
 * could write there: item 2) and NLM_F_ROOT alone making a dump that is
 * answered at once (items 2/3: the host query waited a second per request)
 */
static void api_kernel_errnos(void)
{
	char addr[256] = { 0 }, b[64];
	int fd = nl_open(0), v = 1 << 16, i;
	socklen_t len = sizeof(v);
	void *ro;
	double t0;
	bool ok = true;

	check(getsockopt(fd, SOL_IP, 1, &v, &len) < 0 && errno == ENOPROTOOPT,
	      "getsockopt-other-level-enoprotoopt", "no ENOPROTOOPT");
	addr[0] = AF_NETLINK;
	check(bind(fd, (struct sockaddr *)addr, 200) < 0 && errno == EINVAL,
	      "bind-addrlen-200-einval", "no EINVAL");
	check(recv(fd, b, sizeof(b), MSG_OOB | MSG_DONTWAIT) < 0 &&
	      errno == EOPNOTSUPP, "recv-oob-eopnotsupp", "no EOPNOTSUPP");
	v = 1 << 16;
	check(setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0 &&
	      errno == EPERM, "rcvbufforce-eperm", "no EPERM");
	check(setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0 &&
	      errno == EPERM, "sndbufforce-eperm", "no EPERM");
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(ro != MAP_FAILED && send_req(fd, RTM_GETLINK, 0, 30, 1) == 0 &&
	      peek_seq(fd) == 30 &&
	      syscall(SYS_recvfrom, fd, ro, 4096L, 0L, 0L, 0L) < 0 &&
	      errno == EFAULT && ((volatile char *)ro)[0] == 0,
	      "recv-readonly-efault", "no EFAULT or the page changed");
	if (ro != MAP_FAILED)
		munmap(ro, 4096);
	t0 = now_s();
	for (i = 0; i < 10 && ok; i++)
		ok = send_req(fd, RTM_GETRULE, NLM_F_ROOT | NLM_F_ACK,
			      (uint32_t)(40 + i), 0) == 0 &&
		     wait_done(fd, (uint32_t)(40 + i));
	check(ok && now_s() - t0 < 2.0, "root-flag-dump-fast",
	      "%d of 10 answered, %.2f s", i, now_s() - t0);
	close(fd);
}

static void api_blocking(int fd)
{
	char buf[8192];
	struct sigaction sa = { .sa_handler = on_alarm };
	struct timeval tv = { .tv_usec = 300000 };
	double t0;
	ssize_t n;
	int ep, st = 0;
	pid_t pid;
	struct epoll_event ev = { .events = EPOLLIN }, out;

	/* SO_RCVTIMEO */
	check(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0,
	      "rcvtimeo-set", "failed");
	t0 = now_s();
	n = recv(fd, buf, sizeof(buf), 0);
	check(n < 0 && errno == EAGAIN && now_s() - t0 > 0.25 && now_s() - t0 < 3,
	      "rcvtimeo", "n %zd after %.2fs", n, now_s() - t0);
	tv.tv_usec = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	/* a caught signal interrupts a parked receive (no SA_RESTART) */
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	t0 = now_s();
	n = recv(fd, buf, sizeof(buf), 0);
	check(n < 0 && errno == EINTR && now_s() - t0 < 3, "signal-eintr",
	      "n %zd after %.2fs", n, now_s() - t0);

	/* epoll readiness, and a blocked child woken by the parent's request */
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.data.fd = fd;
	check(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0 &&
	      epoll_wait(ep, &out, 1, 0) == 0, "epoll-empty", "ready");
	pid = fork();
	if (pid == 0) {
		bool ok;
		int links = read_dump(fd, 21, &ok);

		_exit(links > 0 && ok ? 0 : 1);
	}
	usleep(300000);
	check(send_dump(fd, RTM_GETADDR, 21) == 0, "fork-send", "failed");
	check(epoll_wait(ep, &out, 1, 2000) >= 0, "epoll-wait", "failed");
	alarm(0);
	{
		pid_t w = waitpid(pid, &st, 0);

		check(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "fork-shared-blocking-recv", "waitpid %d status %x", (int)w, st);
	}
	/* autobind in a child: the child's tgid is the port id tried first */
	{
		int s2 = nl_open(0), w;

		pid = fork();
		if (pid == 0) {
			struct sockaddr_nl sa2 = { .nl_family = AF_NETLINK };
			socklen_t l2 = sizeof(sa2);

			_exit(bind(s2, (struct sockaddr *)&sa2, sizeof(sa2)) == 0 &&
			      getsockname(s2, (struct sockaddr *)&sa2, &l2) == 0 &&
			      sa2.nl_pid == (uint32_t)getpid() ? 0 : 1);
		}
		w = waitpid(pid, &st, 0);
		check(s2 >= 0 && w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "autobind-binder-tgid", "status %x", st);
		close(s2);
	}
	close(ep);
}

static int cmd_api(int expect_links)
{
	int fd = nl_open(0), nb;

	check(fd >= 0, "socket", "failed");
	if (fd < 0)
		return 1;
	api_names(fd);
	api_kernel_errnos();
	api_recv(fd, expect_links);
	api_badinput(fd);
	api_blocking(fd);
	nb = nl_open(SOCK_NONBLOCK);
	{
		char b[64];

		check(nb >= 0 && recv(nb, b, sizeof(b), 0) < 0 && errno == EAGAIN,
		      "nonblock-eagain", "no EAGAIN");
	}
	{
		int d = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_ROUTE), v = 0;
		socklen_t len = sizeof(v);

		check(d >= 0 && getsockopt(d, SOL_SOCKET, SO_TYPE, &v, &len) == 0 &&
		      v == SOCK_DGRAM, "sock-dgram-type", "%d", v);
		close(d);
	}
	{
		int g = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

		check_proxy(g >= 0 && g < FD_LO, "other-family-native",
			    "in the endpoint range");
		close(g);
	}
	close(nb);
	close(fd);
	return failures;
}

/* Count the RTM_NEWADDR messages queued on @fd (non-blocking); -errno. */
static int drain_count(int fd, int *ret_n)
{
	static char buf[65536];
	int rounds;

	*ret_n = 0;
	for (rounds = 0; rounds < 100000; rounds++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		for (h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == RTM_NEWADDR)
				(*ret_n)++;
	}
	return -E2BIG;
}

/*
 * A listener that never reads until told: subscribe to IPv4 addresses with
 * a small buffer, say READY, wait for a line on stdin, then read: the
 * first receive must fail ENOBUFS, the next ones return data, then the
 * endpoint serves a dump as before. A second listener with the default
 * buffer, subscribed to the same group, gets every one of the @expect
 * notifications and no error.
 */
static int cmd_enobufs(int expect)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_IPV4_IFADDR };
	char buf[65536], line[16];
	int fd = nl_open(0), other = nl_open(0), v = 2048, n_err = 0, n_msg = 0;
	int i, r, n_other = 0, links;
	ssize_t n;
	bool ok;

	check(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0 &&
	      other >= 0 && bind(other, (struct sockaddr *)&sa, sizeof(sa)) == 0,
	      "listener-setup", "failed");
	printf("READY\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	for (i = 0; i < 100000; i++) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			if (n_msg == 0)
				n_err++;
			else
				break;
			continue;
		}
		if (n < 0)
			break;
		n_msg++;
	}
	check(n_err == 1, "enobufs-once", "%d ENOBUFS before data", n_err);
	check(n_msg > 0 && n < 0 && errno == EAGAIN, "enobufs-then-data",
	      "%d messages, then %zd", n_msg, n);
	printf("INFO messages %d\n", n_msg);
	check(send_dump(fd, RTM_GETLINK, 50) == 0 &&
	      (links = read_dump(fd, 50, &ok)) > 0 && ok,
	      "enobufs-then-service", "dump failed");
	r = drain_count(other, &n_other);
	check(r == 0 && n_other >= expect, "enobufs-other-unaffected",
	      "error %d, %d of %d notifications", r, n_other, expect);
	return failures;
}

/*
 * A dump of @expect addresses read with read(2), which the proxy does not
 * trap: the parts must keep coming while the reader only polls and reads,
 * with the default receive buffer and with the smallest one (the proxy
 * then holds the rest and refills as the reader drains).
 */
static int cmd_dumpread(int expect)
{
	static char buf[32768];
	static const int rcvbufs[] = { 0, 1024 };
	static const char *const names[] = { "dumpread-all-parts",
					     "dumpread-small-rcvbuf" };
	size_t k;

	for (k = 0; k < 2; k++) {
		int fd = nl_open(0), addrs = 0, parts = 0, rounds;
		bool done = false;

		if (fd >= 0 && rcvbufs[k])
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbufs[k],
					 sizeof(rcvbufs[k]));
		if (fd < 0 || send_dump(fd, RTM_GETADDR, 60 + k) < 0) {
			check(false, names[k], "send failed");
			continue;
		}
		for (rounds = 0; rounds < 100000 && !done; rounds++) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			struct nlmsghdr *h;
			ssize_t n;

			if (poll(&p, 1, 5000) != 1)
				break;
			n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				break;
			parts++;
			for (h = (void *)buf; NLMSG_OK(h, (size_t)n);
			     h = NLMSG_NEXT(h, n)) {
				if (h->nlmsg_type == NLMSG_DONE)
					done = true;
				else if (h->nlmsg_type == RTM_NEWADDR &&
					 h->nlmsg_seq == 60 + k)
					addrs++;
			}
		}
		check(done && addrs == expect, names[k],
		      "%s, %d of %d addresses in %d parts",
		      done ? "done" : "stalled", addrs, expect, parts);
		printf("INFO parts %d\n", parts);
		close(fd);
	}
	return failures;
}

/*
 * One child of cmd_many(): @per endpoints, each used, their port ids
 * written to @out (zeros for those it could not open), held open until
 * @go reads end of file, then closed. Return: exit status.
 */
static int many_child(int per, int out, int go)
{
	int fds[128], i, n = MIN(per, 128), r = 0;
	uint32_t ports[128] = { 0 };
	char c;

	for (i = 0; i < n; i++) {
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
		socklen_t len = sizeof(sa);

		fds[i] = nl_open(0);
		if (fds[i] < 0 ||
		    bind(fds[i], (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    getsockname(fds[i], (struct sockaddr *)&sa, &len) < 0) {
			r = 2;
			break;
		}
		ports[i] = sa.nl_pid;
	}
	/* every one answers, while all are open */
	for (i = 0; r == 0 && i < n; i++) {
		bool a;

		if (send_dump(fds[i], RTM_GETLINK, 100 + i) < 0 ||
		    read_dump(fds[i], 100 + i, &a) <= 0 || !a)
			r = 4;
	}
	if (write(out, ports, per * sizeof(ports[0])) != (ssize_t)(per * sizeof(ports[0])))
		r = 6;
	if (read(go, &c, 1) < 0 && r == 0)
		r = 7;
	for (i = 0; i < n; i++)
		if (fds[i] >= 0 && ports[i])
			close(fds[i]);
	return r;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * @total endpoints open at once in one sandbox (processes of a hundred,
 * the fd range holds 128), each used, port ids unique across all, all
 * closed; then a new endpoint is still served.
 */
static int cmd_many(int total)
{
	int per = 100, kids = (total + per - 1) / per, k, bad = 0, pfd[2], go[2], fd;
	uint32_t *ports = calloc((size_t)kids * per, sizeof(*ports));
	size_t got = 0, i, dup = 0;
	ssize_t n;
	bool a;

	if (!ports || pipe(pfd) < 0 || pipe(go) < 0)
		return 1;
	for (k = 0; k < kids; k++) {
		pid_t pid = fork();

		if (pid == 0) {
			close(pfd[0]);
			close(go[1]);
			_exit(many_child(per, pfd[1], go[0]));
		}
	}
	close(pfd[1]);
	close(go[0]);
	while (got < (size_t)kids * per &&
	       (n = read(pfd[0], (char *)ports + got * 4,
			 ((size_t)kids * per - got) * 4)) > 0)
		got += (size_t)n / 4;
	close(pfd[0]);
	/* all of them open and used at this point: let them close */
	printf("INFO %zu endpoints open at once\n", got);
	fflush(stdout);
	close(go[1]);
	for (k = 0; k < kids; k++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	check(bad == 0 && got == (size_t)kids * per, "many-endpoints",
	      "%d of %d children failed, %zu ports", bad, kids, got);
	qsort(ports, got, sizeof(*ports), cmp_u32);
	for (i = 1; i < got; i++)
		if (ports[i] == ports[i - 1] || ports[i] == 0)
			dup++;
	check(got > 0 && dup == 0, "many-unique-ports", "%zu duplicates", dup);
	free(ports);
	fd = nl_open(0);
	check(fd >= 0 && send_dump(fd, RTM_GETLINK, 99) == 0 &&
	      read_dump(fd, 99, &a) > 0 && a, "many-then-service", "failed");
	close(fd);
	return failures;
}

/*
 * cmd_flood() - @n endpoints each sent one 200,000-byte datagram of
 * RTM_GETLINK+ACK requests and never read until "go" on stdin: every
 * first receive fails ENOBUFS, as the kernel's replies overrun SO_RCVBUF
 * (review item 4: the proxy held 3.5 MB per endpoint; the test reads the
 * proxy's VmRSS while this waits)
 */
static int cmd_flood(int n)
{
	static char big[200000];
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
	} one = { .h = { .nlmsg_len = sizeof(one), .nlmsg_type = RTM_GETLINK,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
		  .ifi = { .ifi_index = 1 } };
	int fds[128], i, opened = 0, enobufs = 0;
	char line[16];
	size_t off;

	for (off = 0; off + sizeof(one) <= sizeof(big); off += sizeof(one)) {
		one.h.nlmsg_seq = (uint32_t)off;
		memcpy(big + off, &one, sizeof(one));
	}
	for (i = 0; i < n && i < 128; i++) {
		fds[i] = nl_open(0);
		if (fds[i] < 0 || send(fds[i], big, sizeof(big), 0) != sizeof(big))
			break;
		opened++;
	}
	check(opened == n, "flood-sent", "%d of %d", opened, n);
	printf("READY\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return failures + 1;
	for (i = 0; i < opened; i++) {
		char b[64];

		if (recv(fds[i], b, sizeof(b), MSG_DONTWAIT) < 0 && errno == ENOBUFS)
			enobufs++;
		close(fds[i]);
	}
	check(enobufs == n, "flood-enobufs", "%d of %d", enobufs, n);
	return failures;
}

/*
 * cmd_park() - @n processes block in recv() on one endpoint: the proxy
 * parks at most NLEP_MAX_PARKED_PER_SANDBOX (256) of one sandbox, the rest
 * fail ENOBUFS at once (review item 5); prints how many, READY, then ends
 * them on "go"
 */
static int cmd_park(int n)
{
	int fd = nl_open(0), i, started = 0, enobufs = 0, st;
	pid_t *kids = calloc((size_t)n, sizeof(*kids));
	char line[16];
	pid_t k;

	if (fd < 0 || !kids)
		return 1;
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char b[64];

			_exit(recv(fd, b, sizeof(b), 0) < 0 && errno == ENOBUFS ? 3 : 0);
		}
		if (kids[i] > 0)
			started++;
	}
	sleep(2);
	while ((k = waitpid(-1, &st, WNOHANG)) > 0)
		if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
			enobufs++;
	check(started == n, "park-started", "%d of %d", started, n);
	check_proxy(n - enobufs == 256, "park-sandbox-quota", "parked other than 256");
	printf("INFO parked %d enobufs %d\nREADY\n", n - enobufs, enobufs);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = 0;
	for (i = 0; i < n; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	while (waitpid(-1, &st, 0) > 0)
		;
	free(kids);
	return failures;
}

/* cmd_recv_timeo() - a blocking receive with SO_RCVTIMEO 300 ms: EAGAIN. */
static int cmd_recv_timeo(void)
{
	struct timeval tv = { .tv_usec = 300000 };
	int fd = nl_open(0);
	char b[64];

	check(fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
	      recv(fd, b, sizeof(b), 0) < 0 && errno == EAGAIN,
	      "recv-timeo-eagain", "no EAGAIN");
	return failures;
}

/* Every legacy RTMGRP_* group: what bind() can subscribe an endpoint to. */
#define ALL_RTMGRP (RTMGRP_LINK | RTMGRP_NOTIFY | RTMGRP_NEIGH | RTMGRP_TC | \
		    RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_MROUTE | RTMGRP_IPV4_ROUTE | \
		    RTMGRP_IPV4_RULE | RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_MROUTE | \
		    RTMGRP_IPV6_ROUTE | RTMGRP_IPV6_IFINFO | RTMGRP_IPV6_PREFIX)

/* An endpoint bound to every RTMGRP group, or -1. */
static int nl_open_all_groups(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = ALL_RTMGRP };
	int fd = nl_open(0);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One child of cmd_hold(): @per endpoints bound to every group, their
 * count written to @out, then held, never read, until @go reads end of
 * file; then one receive on each, the count of those that failed ENOBUFS
 * written to @out. Return: exit status.
 */
static int hold_child(int per, int out, int go)
{
	int fds[FD_HI - FD_LO], n = 0, i, enobufs = 0;
	char c, b[64];

	while (n < MIN(per, FD_HI - FD_LO) && (fds[n] = nl_open_all_groups()) >= 0)
		n++;
	if (write(out, &n, sizeof(n)) != sizeof(n))
		return 6;
	if (read(go, &c, 1) < 0)
		return 7;
	for (i = 0; i < n; i++)
		if (recv(fds[i], b, sizeof(b), MSG_DONTWAIT) < 0 && errno == ENOBUFS)
			enobufs++;
	return write(out, &enobufs, sizeof(enobufs)) != sizeof(enobufs) ? 6 : 0;
}

/*
 * cmd_hold() - @n endpoints (in processes of 128, what the fd range
 * holds) bound to every RTMGRP group and never read: prints how many,
 * READY, and holds them until a line or end of file on stdin (issue 11
 * item 5: what they make the proxy's sockets hold is measured meanwhile);
 * then receives once on each and prints how many failed ENOBUFS.
 */
static int cmd_hold(int n)
{
	int per = FD_HI - FD_LO, kids = (n + per - 1) / per, k, held = 0, got;
	int pfd[2], go[2], st, bad = 0, enobufs = 0;
	char line[16];

	if (pipe(pfd) < 0 || pipe(go) < 0)
		return 1;
	for (k = 0; k < kids; k++) {
		pid_t pid = fork();

		if (pid == 0) {
			close(pfd[0]);
			close(go[1]);
			_exit(hold_child(MIN(per, n - k * per), pfd[1], go[0]));
		}
	}
	close(pfd[1]);
	close(go[0]);
	for (k = 0; k < kids && read(pfd[0], &got, sizeof(got)) == sizeof(got); k++)
		held += got;
	printf("INFO held %d\nREADY\n", held);
	fflush(stdout);
	check(held == n, "hold-endpoints", "%d of %d", held, n);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = 0;
	close(go[1]);
	for (k = 0; k < kids && read(pfd[0], &got, sizeof(got)) == sizeof(got); k++)
		enobufs += got;
	close(pfd[0]);
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	printf("INFO enobufs %d\n", enobufs);
	check(bad == 0, "hold-children", "%d failed", bad);
	return failures;
}

/* An RTM_NEWADDR/DELADDR's IPv4 address (IFA_LOCAL, else IFA_ADDRESS), or 0. */
static uint32_t addr_of(const struct nlmsghdr *h)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	const struct rtattr *a = IFA_RTA(ifa);
	int len = IFA_PAYLOAD(h);
	uint32_t local = 0, addr = 0;

	if (ifa->ifa_family != AF_INET)
		return 0;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (RTA_PAYLOAD(a) < 4)
			continue;
		if (a->rta_type == IFA_LOCAL)
			memcpy(&local, RTA_DATA(a), 4);
		else if (a->rta_type == IFA_ADDRESS)
			memcpy(&addr, RTA_DATA(a), 4);
	}
	return ntohl(local ? local : addr);
}

/* The IPv4 destination of an RTM_NEWROUTE/DELROUTE of the main table, or 0. */
static uint32_t route_of(const struct nlmsghdr *h)
{
	const struct rtmsg *rtm = NLMSG_DATA(h);
	const struct rtattr *a = RTM_RTA(rtm);
	int len = RTM_PAYLOAD(h);
	uint32_t dst = 0;

	if (rtm->rtm_family != AF_INET || rtm->rtm_table != RT_TABLE_MAIN)
		return 0;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) >= 4)
			memcpy(&dst, RTA_DATA(a), 4);
	return ntohl(dst);
}

/*
 * cmd_listen_count() - a listener that reads: bound to every RTMGRP
 * group, it prints READY and counts the address events of 10.77.0.0/16
 * and the main-table route events of 10.78.0.0/16 until the sentinel
 * address 10.77.255.254 is added (or 120 s pass), then prints the counts
 * and how many receives failed ENOBUFS, which must be none.
 */
static int cmd_listen_count(void)
{
	static char buf[65536];
	int fd = nl_open_all_groups(), counts[4] = { 0 }, enobufs = 0, msgs = 0;
	bool sentinel = false;
	double end = now_s() + 120;

	check(fd >= 0, "listen-setup", "socket or bind failed");
	if (fd < 0)
		return failures;
	printf("READY\n");
	fflush(stdout);
	while (!sentinel && now_s() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *h;
		ssize_t n;

		if (poll(&p, 1, 1000) != 1)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS)
			enobufs++;
		if (n <= 0)
			continue;
		for (h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			uint32_t a;

			msgs++;
			switch (h->nlmsg_type) {
			case RTM_NEWADDR:
			case RTM_DELADDR:
				a = addr_of(h);
				if (a == 0x0a4dfffe)
					sentinel = true;
				else if ((a >> 16) == 0x0a4d)
					counts[h->nlmsg_type == RTM_DELADDR]++;
				break;
			case RTM_NEWROUTE:
			case RTM_DELROUTE:
				a = route_of(h);
				if ((a >> 16) == 0x0a4e)
					counts[2 + (h->nlmsg_type == RTM_DELROUTE)]++;
				break;
			}
		}
	}
	printf("INFO addr-new %d addr-del %d route-new %d route-del %d "
	       "enobufs %d messages %d\n",
	       counts[0], counts[1], counts[2], counts[3], enobufs, msgs);
	check(sentinel, "listen-sentinel", "the sentinel address never came");
	check(enobufs == 0, "listen-no-enobufs", "%d receives failed ENOBUFS",
	      enobufs);
	return failures;
}

int main(int argc, char **argv)
{
	int r;

	native = getenv("NLEP_CHECK_NATIVE") != NULL;
	if (argc >= 2 && strcmp(argv[1], "api") == 0)
		r = cmd_api(argc >= 3 ? atoi(argv[2]) : -1);
	else if (argc >= 3 && strcmp(argv[1], "enobufs-listen") == 0)
		r = cmd_enobufs(atoi(argv[2]));
	else if (argc >= 3 && strcmp(argv[1], "dump-read") == 0)
		r = cmd_dumpread(atoi(argv[2]));
	else if (argc >= 3 && strcmp(argv[1], "many") == 0)
		r = cmd_many(atoi(argv[2]));
	else if (argc >= 3 && strcmp(argv[1], "flood") == 0)
		r = cmd_flood(atoi(argv[2]));
	else if (argc >= 3 && strcmp(argv[1], "park") == 0)
		r = cmd_park(atoi(argv[2]));
	else if (argc >= 2 && strcmp(argv[1], "recv-timeo") == 0)
		r = cmd_recv_timeo();
	else if (argc >= 3 && strcmp(argv[1], "hold") == 0)
		r = cmd_hold(atoi(argv[2]));
	else if (argc >= 2 && strcmp(argv[1], "listen-count") == 0)
		r = cmd_listen_count();
	else {
		fprintf(stderr, "usage: nlep-check api [LINKS] | enobufs-listen N | "
			"dump-read N | many N | flood N | park N | recv-timeo | "
			"hold N | listen-count\n");
		return 2;
	}
	return r > 100 ? 100 : r;
}
