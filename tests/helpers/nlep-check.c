// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlep-check.c - exercise an emulated NETLINK_ROUTE endpoint through the socket API, printing TAP-ish lines */
/*
 * Usage: nlep-check api | enobufs-listen | many N
 * Each check prints "PASS name" or "FAIL name: why"; the exit status is the
 * number of failures (capped). Run inside `lxnet shim`; the shell test
 * turns the lines into TAP.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define FD_LO 896
#define FD_HI 1024

static int failures;

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

static int send_dump(int fd, uint16_t type, uint32_t seq)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = type,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = seq },
		.g = { .rtgen_family = AF_UNSPEC },
	};
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };

	return sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&k,
		      sizeof(k)) == (ssize_t)sizeof(req) ? 0 : -1;
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
		struct nlmsghdr *h;
		ssize_t n;

		memset(&sa, 0xff, sizeof(sa));
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
	int v = 0;

	check(fd >= FD_LO && fd < FD_HI, "fd-in-range", "fd %d", fd);
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
	check(getsockname(fd, (struct sockaddr *)8, (socklen_t *)16) < 0 &&
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
	check(recvmsg(fd, (struct msghdr *)8, 0) < 0 && errno == EFAULT,
	      "recvmsg-bad-msghdr", "no EFAULT");
	{
		struct iovec iov = { (void *)8, 4096 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

		check(recvmsg(fd, &msg, MSG_PEEK) < 0 && errno == EFAULT,
		      "recvmsg-bad-iov", "no EFAULT");
	}
	sl = sizeof(sa);
	check(recvfrom(fd, buf, sizeof(buf), MSG_PEEK, (struct sockaddr *)&sa,
		       (socklen_t *)8) < 0 && errno == EFAULT,
	      "recvfrom-bad-addrlen", "no EFAULT");
	/* drain the second dump */
	links = read_dump(fd, 8, &addr_ok);
	check(links > 0, "dump-after-efault", "%d", links);

	/* lying lengths: nlmsg_len past the datagram, then a good request */
	{
		struct nlmsghdr h = { .nlmsg_len = 4096, .nlmsg_type = RTM_GETLINK,
				      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
				      .nlmsg_seq = 9 };

		check(send(fd, &h, sizeof(h), 0) == sizeof(h), "send-lying-len",
		      "failed");
		check(send_dump(fd, RTM_GETLINK, 10) == 0, "send3", "failed");
		/* whatever the lie produced, the good dump must follow intact */
		for (int i = 0; i < 100; i++) {
			struct nlmsghdr *r = (void *)buf;

			n = recv(fd, buf, sizeof(buf), MSG_PEEK);
			if (n < (ssize_t)sizeof(*r) || r->nlmsg_seq == 10)
				break;
			(void)recv(fd, buf, sizeof(buf), 0);
		}
		links = read_dump(fd, 10, &addr_ok);
		check(links > 0, "dump-after-lying-len", "%d", links);
	}
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
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "fork-shared-blocking-recv", "status %x", st);
	close(ep);
}

static int cmd_api(int expect_links)
{
	int fd = nl_open(0), nb;

	check(fd >= 0, "socket", "failed");
	if (fd < 0)
		return 1;
	api_names(fd);
	api_recv(fd, expect_links);
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

		check(g >= 0 && g < FD_LO, "other-family-native", "fd %d", g);
		close(g);
	}
	close(nb);
	close(fd);
	return failures;
}

/*
 * A listener that never reads until told: subscribe to IPv4 addresses with
 * a small buffer, say READY, wait for a line on stdin, then read: the
 * first receive must fail ENOBUFS, the next ones return data.
 */
static int cmd_enobufs(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_IPV4_IFADDR };
	char buf[65536], line[16];
	int fd = nl_open(0), v = 2048, n_err = 0, n_msg = 0, i;
	ssize_t n;

	check(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0,
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
	check(n_msg > 0, "enobufs-then-data", "%d messages", n_msg);
	printf("INFO messages %d\n", n_msg);
	return failures;
}

/* N endpoints: CHILDREN processes holding N / CHILDREN each at once. */
static int cmd_many(int total)
{
	int per = 100, kids = (total + per - 1) / per, k, bad = 0;

	for (k = 0; k < kids; k++) {
		pid_t pid = fork();

		if (pid == 0) {
			int fds[128], i, n = per, ok = 0;
			uint32_t ports[128];

			for (i = 0; i < n; i++) {
				struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
				socklen_t len = sizeof(sa);

				fds[i] = nl_open(0);
				if (fds[i] < 0 ||
				    bind(fds[i], (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
				    getsockname(fds[i], (struct sockaddr *)&sa, &len) < 0)
					_exit(2);
				ports[i] = sa.nl_pid;
				for (int j = 0; j < i; j++)
					if (ports[j] == ports[i])
						_exit(3);
			}
			/* every one answers */
			for (i = 0; i < n; i += 10) {
				bool a;

				if (send_dump(fds[i], RTM_GETLINK, 100 + i) == 0 &&
				    read_dump(fds[i], 100 + i, &a) > 0 && a)
					ok++;
			}
			_exit(ok == (n + 9) / 10 ? 0 : 4);
		}
	}
	for (k = 0; k < kids; k++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	check(bad == 0, "many-endpoints", "%d of %d children failed", bad, kids);
	return failures;
}

int main(int argc, char **argv)
{
	int r;

	if (argc >= 2 && strcmp(argv[1], "api") == 0)
		r = cmd_api(argc >= 3 ? atoi(argv[2]) : -1);
	else if (argc >= 2 && strcmp(argv[1], "enobufs-listen") == 0)
		r = cmd_enobufs();
	else if (argc >= 3 && strcmp(argv[1], "many") == 0)
		r = cmd_many(atoi(argv[2]));
	else {
		fprintf(stderr, "usage: nlep-check api [LINKS] | enobufs-listen | many N\n");
		return 2;
	}
	return r > 100 ? 100 : r;
}
