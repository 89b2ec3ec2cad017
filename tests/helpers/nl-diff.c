// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * nl-diff.c - the netlink socket API, call by call, printed as results
 * only: one line per case, "NAME: RESULT", where RESULT is the return value
 * or the errno name and the flags a case looks at, never content that
 * depends on the namespace (port ids, interface lists). Run once against
 * the kernel's own NETLINK_ROUTE and once under lxnet's emulated
 * endpoint; tests/integration/netlink-diff.sh says the two outputs must
 * be equal, line by line.
 *
 * Usage: nl-diff
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* "EAGAIN" for errno values the cases meet, else the number */
static const char *ename(int e)
{
	static char buf[16];

	switch (e) {
	case 0: return "0";
	case EAGAIN: return "EAGAIN";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case ENOBUFS: return "ENOBUFS";
	case EBUSY: return "EBUSY";
	case ENODATA: return "ENODATA";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOTTY: return "ENOTTY";
	case EMFILE: return "EMFILE";
	case ENODEV: return "ENODEV";
	case EPERM: return "EPERM";
	case ECONNREFUSED: return "ECONNREFUSED";
	default:
		snprintf(buf, sizeof(buf), "%d", e);
		return buf;
	}
}

/* "ok" or "-1 ERRNO" for a call's result (its value when @show) */
static void res(const char *name, long r, bool show)
{
	if (r < 0)
		printf("%s: -1 %s\n", name, ename(errno));
	else if (show)
		printf("%s: %ld\n", name, r);
	else
		printf("%s: ok\n", name);
}

static int nl_open(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

/* An RTM_GETLINK request: a dump, or interface @ifindex */
static ssize_t send_getlink(int fd, bool dump, uint32_t seq, int ifindex)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0),
		       .nlmsg_seq = seq },
		.ifi = { .ifi_index = dump ? 0 : ifindex },
	};

	return send(fd, &req, sizeof(req), 0);
}

/* Wait up to 2 s for @fd to be readable. */
static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 2000) == 1;
}

/* setsockopt and getsockopt of every SOL_NETLINK flag, odd lengths too */
static void case_sockopts(void)
{
	static const struct { int opt; const char *name; } opts[] = {
		{ NETLINK_PKTINFO, "PKTINFO" },
		{ NETLINK_BROADCAST_ERROR, "BROADCAST_ERROR" },
		{ NETLINK_NO_ENOBUFS, "NO_ENOBUFS" },
		{ NETLINK_LISTEN_ALL_NSID, "LISTEN_ALL_NSID" },
		{ NETLINK_CAP_ACK, "CAP_ACK" },
		{ NETLINK_EXT_ACK, "EXT_ACK" },
		{ NETLINK_GET_STRICT_CHK, "GET_STRICT_CHK" },
	};
	static const socklen_t lens[] = { 0, 3, 4, 8 };
	size_t i, j;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			int fd = nl_open();
			uint64_t v = 1;
			char name[64];
			socklen_t l = lens[j];
			int r;

			snprintf(name, sizeof(name), "setsockopt %s len %u",
				 opts[i].name, (unsigned int)lens[j]);
			res(name, setsockopt(fd, SOL_NETLINK, opts[i].opt, &v,
					     lens[j]), false);
			v = 0xffffffffffffffffull;
			r = getsockopt(fd, SOL_NETLINK, opts[i].opt, &v, &l);
			snprintf(name, sizeof(name), "getsockopt %s len %u",
				 opts[i].name, (unsigned int)lens[j]);
			if (r < 0)
				res(name, r, false);
			else
				printf("%s: ok len %u\n", name, (unsigned int)l);
			close(fd);
		}
	}
}

/* send and sendto of 0 bytes, shutdown, the socket's identity */
static void case_calls(void)
{
	int fd = nl_open(), v = 0;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	socklen_t l = sizeof(v);
	char c = 0;

	res("send 0 bytes", send(fd, &c, 0, 0), true);
	res("sendto 0 bytes to the kernel",
	    sendto(fd, &c, 0, 0, (struct sockaddr *)&k, sizeof(k)), true);
	res("recv, nothing queued, MSG_DONTWAIT", recv(fd, &c, 1, MSG_DONTWAIT), true);
	res("recv MSG_ERRQUEUE", recv(fd, &c, 1, MSG_ERRQUEUE | MSG_DONTWAIT), true);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &l) == 0)
		printf("SO_TYPE: %d\n", v);
	l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &l) == 0)
		printf("SO_PROTOCOL: %d\n", v);
	l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &l) == 0)
		printf("SO_DOMAIN: %d\n", v);
	res("shutdown SHUT_RDWR", shutdown(fd, SHUT_RDWR), false);
	close(fd);
}

/*
 * NETLINK_PKTINFO's control message: no control buffer, one too small,
 * one the process has not mapped (the kernel's put_cmsg() then fails
 * quietly and the receive succeeds)
 */
static void case_pktinfo(void)
{
	static const struct { const char *name; int kind; } cs[] = {
		{ "pktinfo, msg_control NULL", 0 },
		{ "pktinfo, 4-byte control", 1 },
		{ "pktinfo, unmapped control", 2 },
		{ "pktinfo, room for it", 3 },
	};
	void *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		int fd = nl_open(), on = 1;
		char buf[16384], cbuf[CMSG_SPACE(sizeof(struct nl_pktinfo))];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		setsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, &on, sizeof(on));
		switch (cs[i].kind) {
		case 1: m.msg_control = cbuf; m.msg_controllen = 4; break;
		case 2: m.msg_control = hole; m.msg_controllen = sizeof(cbuf); break;
		case 3: m.msg_control = cbuf; m.msg_controllen = sizeof(cbuf); break;
		default: break;
		}
		if (send_getlink(fd, false, 1, 1) < 0 || !readable(fd)) {
			printf("%s: no answer\n", cs[i].name);
			close(fd);
			continue;
		}
		n = recvmsg(fd, &m, 0);
		if (n < 0)
			res(cs[i].name, n, false);
		else
			printf("%s: ok%s controllen %zu\n", cs[i].name,
			       (m.msg_flags & MSG_CTRUNC) ? " MSG_CTRUNC" : "",
			       (size_t)m.msg_controllen);
		close(fd);
	}
	munmap(hole, 4096);
}

/*
 * 5,000 dump requests sent without reading: every send succeeds (the
 * kernel answers at send(): the first starts a dump, the others get EBUSY
 * while it runs, and what does not fit the receive buffer is dropped);
 * the first receive reports ENOBUFS, then the queue drains, then a new
 * dump works
 */
static void on_alarm(int sig)
{
	(void)sig;
}

static void case_unread(void)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	int fd = nl_open(), i, sent = 0, ebusy = 0, dgrams = 0, first_err = 0;
	static char buf[65536];
	ssize_t n;

	/* a send that blocks for good is cut after 20 s (EINTR) */
	sigaction(SIGALRM, &sa, NULL);
	alarm(20);
	for (i = 0; i < 5000; i++) {
		if (send_getlink(fd, true, (uint32_t)i + 1, 0) < 0)
			break;
		sent++;
	}
	alarm(0);
	printf("5000 unread dumps: %d sends succeed\n", sent);
	if (!readable(fd)) {
		printf("5000 unread dumps: nothing to read\n");
		close(fd);
		return;
	}
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	first_err = n < 0 ? errno : 0;
	printf("5000 unread dumps: first receive %s\n", ename(first_err));
	for (i = 0; i < 100000; i++) {
		struct nlmsghdr *h = (void *)buf;
		int left;

		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			break;
		dgrams++;
		left = (int)n;
		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_ERROR && e->error == -EBUSY)
				ebusy++;
		}
	}
	printf("5000 unread dumps: drained until %s, EBUSY answers %s\n",
	       ename(errno), ebusy > 0 ? "some" : "none");
	/* the first dump ended while draining: a new one works */
	sent = send_getlink(fd, true, 9999, 0) >= 0;
	for (i = 0; sent && i < 1000 && readable(fd); i++) {
		struct nlmsghdr *h = (void *)buf;
		int left;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		left = (int)n;
		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
			if (h->nlmsg_seq == 9999 && h->nlmsg_type == NLMSG_DONE)
				goto done;
	}
	printf("5000 unread dumps: a new dump after draining: no NLMSG_DONE\n");
	close(fd);
	return;
done:
	printf("5000 unread dumps: a new dump after draining: ok\n");
	close(fd);
}

/*
 * SIOCGIFINDEX with every fd of the process's limit in use: the socket
 * exists already, so nothing needs a new descriptor
 */
static void case_no_fds(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), fds[64], n = 0;
	struct rlimit old, lim;
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || getrlimit(RLIMIT_NOFILE, &old) < 0) {
		printf("SIOCGIFINDEX out of fds: no socket\n");
		return;
	}
	lim = old;
	lim.rlim_cur = (rlim_t)s + 8;
	if (setrlimit(RLIMIT_NOFILE, &lim) < 0) {
		printf("SIOCGIFINDEX out of fds: cannot lower the limit\n");
		return;
	}
	while (n < 64 && (fds[n] = dup(s)) >= 0)
		n++;
	printf("SIOCGIFINDEX out of fds: dup %s\n", n < 64 ? ename(errno) : "never failed");
	res("SIOCGIFINDEX out of fds", ioctl(s, SIOCGIFINDEX, &ifr), false);
	while (n > 0)
		close(fds[--n]);
	setrlimit(RLIMIT_NOFILE, &old);
	res("SIOCGIFINDEX with fds again", ioctl(s, SIOCGIFINDEX, &ifr), false);
	close(s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	case_sockopts();
	case_calls();
	case_pktinfo();
	case_unread();
	case_no_fds();
	return 0;
}
