// SPDX-License-Identifier: LGPL-2.1-or-later
/* benchtool.c - measurement helper for tests/bench/run.sh: rates, spawn times, change propagation, scale */
/*
 * Theory of operation
 *
 * One small program with one subcommand per measurement, so that the same
 * binary runs natively, inside `lxnet run`, under `lxnet shim`, under pasta
 * and under slirp4netns, and the setups differ only in the wrapper the
 * script puts in front of it. Every loop is bounded by a duration, a count
 * or a timeout. Results go to stdout as "key value" lines (or one sample per
 * line) for the script to collect; errors go to stderr with a non-zero
 * exit status, never a made-up number.
 *
 * Rates are counted over a fixed duration (the clock is read every few
 * operations), so a slow setup costs the same wall time as a fast one.
 * Times are CLOCK_MONOTONIC, which is shared by every namespace the bench
 * makes (no time namespace), so an observer in a sandbox and a driver on the
 * host can compare timestamps.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Bounds. */
#define BT_PROP_WAIT_S 2.0      /* one change must show within this */
#define BT_SCALE_MAX 4096       /* processes the scale controller starts */
#define BT_SPAWN_MAX 10000      /* runs of one command */
#define BT_READ_BUF 65536
#define BT_DNS_ADDR "10.99.0.7" /* what the bench DNS server answers for every A query */

/* fds a scale child ("hold") inherits */
#define BT_FD_GO 3
#define BT_FD_STATUS 4
#define BT_FD_END 5

static double bt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bt_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

#define bt_autoclose __attribute__((cleanup(bt_closep)))

/**
 * bt_parse_double() - parse a positive number argument
 * @s: text
 * @ret: result, written on success
 *
 * Return: 0 or -EINVAL.
 */
static int bt_parse_double(const char *s, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0))
		return -EINVAL;
	*ret = v;
	return 0;
}

/**
 * bt_parse_long() - parse a non-negative integer argument within a bound
 * @s: text
 * @max: largest accepted value
 * @ret: result, written on success
 *
 * Return: 0 or -EINVAL.
 */
static int bt_parse_long(const char *s, long max, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/**
 * bt_addr4() - build an IPv4 socket address
 * @host: dotted quad
 * @port: port text
 * @ret: result, written on success
 *
 * Return: 0 or -EINVAL.
 */
static int bt_addr4(const char *host, const char *port, struct sockaddr_in *ret)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	long p;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || bt_parse_long(port, 65535, &p) < 0 || p == 0)
		return -EINVAL;
	sa.sin_port = htons((uint16_t)p);
	*ret = sa;
	return 0;
}

/**
 * bt_serve() - TCP accept-and-close and UDP echo on 127.0.0.1:@port
 * @port: port text
 * @ready: file created once both sockets listen
 *
 * Forks: the child echoes UDP, the parent accepts and closes TCP
 * connections. Both run until killed (the script kills the process group).
 *
 * Return: 1 on a set-up error; does not return otherwise.
 */
static int bt_serve(const char *port, const char *ready)
{
	struct sockaddr_in sa;
	int one = 1, tfd, ufd, rfd;
	pid_t pid;

	if (bt_addr4("127.0.0.1", port, &sa) < 0)
		return 2;
	tfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ufd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (tfd < 0 || ufd < 0 || setsockopt(tfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(tfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(tfd, 4096) ||
	    bind(ufd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("benchtool serve");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("benchtool serve: fork");
		return 1;
	}
	if (pid == 0) {
		char buf[2048];

		close(tfd);
		for (;;) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(ufd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

			if (n >= 0)
				(void)sendto(ufd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
		}
	}
	close(ufd);
	rfd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (rfd < 0) {
		perror("benchtool serve: ready file");
		kill(pid, SIGKILL);
		return 1;
	}
	close(rfd);
	for (;;) {
		int c = accept4(tfd, NULL, NULL, SOCK_CLOEXEC);

		if (c >= 0)
			close(c);
	}
}

/**
 * bt_conn() - connect/close pairs per second to a TCP server
 * @sa: server
 * @secs: how long to run
 * @ret_rate: pairs per second, written on success
 *
 * Return: 0, or -errno of the first failing call.
 */
static int bt_conn(const struct sockaddr_in *sa, double secs, double *ret_rate)
{
	double t0 = bt_now(), t = t0;
	long n = 0;

	while (t - t0 < secs) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -errno;
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		close(fd);
		n++;
		if ((n & 15) == 0)
			t = bt_now();
	}
	*ret_rate = (double)n / (bt_now() - t0);
	return 0;
}

/**
 * bt_connown() - connect/close pairs per second to a server of our own
 * @secs: how long to run
 * @ret_rate: pairs per second, written on success
 *
 * Binds 127.0.0.1:0 and listens here, accepts in a child, connects here:
 * under a policy that refuses the host's loopback, the proxy's path for
 * the sandbox's own servers (proxy/ownserver.c).
 *
 * Return: 0, or -errno of the first failing call.
 */
static int bt_connown(double secs, double *ret_rate)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int lfd, r;
	pid_t pid;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 4096) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		for (;;) {
			int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0)
				close(c);
		}
	}
	r = bt_conn(&sa, secs, ret_rate);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(lfd);
	return r;
}

/**
 * bt_udprr() - UDP request/response transactions per second
 * @sa: echo server
 * @secs: how long to run
 * @ret_rate: answered requests per second, written on success
 * @ret_lost: requests that got no answer within 200 ms
 *
 * Each request carries a sequence number; late answers to earlier requests
 * are skipped, so a loss costs one timeout and is counted, not hidden.
 *
 * Return: 0 or -errno.
 */
static int bt_udprr(const struct sockaddr_in *sa, double secs, double *ret_rate, long *ret_lost)
{
	struct timeval tv = { .tv_usec = 200000 };
	bt_autoclose int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	double t0, t;
	long n = 0, lost = 0;
	uint32_t seq = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	t0 = t = bt_now();
	while (t - t0 < secs) {
		uint32_t got = 0;
		ssize_t r;

		seq++;
		if (send(fd, &seq, sizeof(seq), 0) < 0)
			return -errno;
		do {
			r = recv(fd, &got, sizeof(got), 0);
		} while (r == (ssize_t)sizeof(got) && got != seq);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			lost++;
		else if (r < 0)
			return -errno;
		else
			n++;
		if ((n & 15) == 0)
			t = bt_now();
	}
	*ret_rate = (double)n / (bt_now() - t0);
	*ret_lost = lost;
	return 0;
}

/**
 * bt_ifaddrs_rate() - getifaddrs()/freeifaddrs() calls per second
 * @secs: how long to run
 * @ret_rate: calls per second, written on success
 * @ret_count: entries the last call returned
 *
 * Return: 0 or -errno.
 */
static int bt_ifaddrs_rate(double secs, double *ret_rate, long *ret_count)
{
	double t0 = bt_now(), t = t0;
	long n = 0, count = 0;

	while (t - t0 < secs) {
		struct ifaddrs *ifa, *p;

		if (getifaddrs(&ifa) < 0)
			return -errno;
		count = 0;
		for (p = ifa; p; p = p->ifa_next)
			count++;
		freeifaddrs(ifa);
		n++;
		if ((n & 7) == 0)
			t = bt_now();
	}
	*ret_rate = (double)n / (bt_now() - t0);
	*ret_count = count;
	return 0;
}

/**
 * bt_gai_rate() - getaddrinfo()/freeaddrinfo() calls per second
 * @name: host name to resolve
 * @secs: how long to run
 * @ret_rate: calls per second, written on success
 *
 * Asks as most callers do: AF_UNSPEC, SOCK_STREAM, AI_ADDRCONFIG (glibc
 * then asks netlink which address families are configured, per call).
 *
 * Return: 0, -ENOENT when the name does not resolve (the resolver's own
 * message goes to stderr), or -errno.
 */
static int bt_gai_rate(const char *name, double secs, double *ret_rate)
{
	const struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_ADDRCONFIG,
	};
	double t0 = bt_now(), t = t0;
	long n = 0;

	while (t - t0 < secs) {
		struct addrinfo *res;
		int r = getaddrinfo(name, NULL, &hints, &res);

		if (r != 0) {
			fprintf(stderr, "benchtool gai %s: %s\n", name,
				r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
			return r == EAI_SYSTEM ? -errno : -ENOENT;
		}
		freeaddrinfo(res);
		n++;
		if ((n & 7) == 0)
			t = bt_now();
	}
	*ret_rate = (double)n / (bt_now() - t0);
	return 0;
}

/**
 * bt_dns_answer() - turn a DNS query into its answer, in place
 * @buf: the query; room for BT_DNS_MAX bytes
 * @len: its length
 *
 * Every A query (class IN, one question) gets one record, BT_DNS_ADDR, TTL
 * 60; any other type gets an empty NOERROR answer (NODATA), so AAAA
 * lookups end at once. Return: the answer's length, or 0 to drop a
 * malformed query.
 */
#define BT_DNS_MAX 512
static size_t bt_dns_answer(unsigned char *buf, size_t len)
{
	static const unsigned char rr_head[] = {
		0xc0, 0x0c,             /* name: the question's */
		0x00, 0x01, 0x00, 0x01, /* A, IN */
		0x00, 0x00, 0x00, 0x3c, /* TTL 60 */
		0x00, 0x04,             /* rdlength */
	};
	size_t q = 12, end;
	struct in_addr a;

	if (len < 12 || len > BT_DNS_MAX || (buf[2] & 0x80) || buf[4] != 0 || buf[5] != 1)
		return 0;
	while (q < len && buf[q] != 0) {
		if (buf[q] & 0xc0)
			return 0;
		q += (size_t)buf[q] + 1;
	}
	end = q + 5; /* the root label, QTYPE, QCLASS */
	if (end > len)
		return 0;
	buf[2] = 0x84 | (buf[2] & 0x01); /* QR, AA, RD copied */
	buf[3] = 0x80;                   /* RA, NOERROR */
	memset(buf + 6, 0, 6);           /* no answer, authority, additional yet */
	if (buf[q + 1] == 0 && buf[q + 2] == 1 && end + sizeof(rr_head) + 4 <= BT_DNS_MAX) {
		memcpy(buf + end, rr_head, sizeof(rr_head));
		inet_pton(AF_INET, BT_DNS_ADDR, &a);
		memcpy(buf + end + sizeof(rr_head), &a, 4);
		buf[7] = 1;
		end += sizeof(rr_head) + 4;
	}
	return end; /* EDNS0's OPT record, if any, is dropped: plain answer */
}

/**
 * bt_dns() - a DNS server on UDP 127.0.0.1:@port answering every A query
 * @port: port text (53 for resolv.conf's nameserver 127.0.0.1)
 * @ready: file created once the socket is bound
 *
 * Runs until killed (the script kills the process group).
 *
 * Return: 1 on a set-up error; does not return otherwise.
 */
static int bt_dns(const char *port, const char *ready)
{
	struct sockaddr_in sa;
	unsigned char buf[BT_DNS_MAX];
	int fd, rfd;

	if (bt_addr4("127.0.0.1", port, &sa) < 0)
		return 2;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("benchtool dns");
		return 1;
	}
	rfd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (rfd < 0) {
		perror("benchtool dns: ready file");
		return 1;
	}
	close(rfd);
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		size_t m = n > 0 ? bt_dns_answer(buf, (size_t)n) : 0;

		if (m)
			(void)sendto(fd, buf, m, 0, (struct sockaddr *)&from, fl);
	}
}

/**
 * bt_trapcall_us() - microseconds per getsockname() on a NETLINK_ROUTE socket
 * @secs: how long to run
 * @ret_us: wall time per call, written on success
 *
 * Natively the kernel answers it at once; inside `lxnet run` it is one
 * trapped call on an emulated endpoint, answered by lxnet-proxy: the
 * cheapest call the proxy serves (one argument read, two results
 * written), so its time is the proxy's fixed cost per notification.
 *
 * Return: 0 or -errno.
 */
static int bt_trapcall_us(double secs, double *ret_us)
{
	struct sockaddr_nl sa;
	double t0, t;
	long n = 0;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	t0 = t = bt_now();
	while (t - t0 < secs) {
		socklen_t len = sizeof(sa);

		if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		n++;
		if ((n & 7) == 0)
			t = bt_now();
	}
	*ret_us = (bt_now() - t0) * 1e6 / (double)n;
	fprintf(stderr, "benchtool trapcall: %ld calls\n", n);
	close(fd);
	return 0;
}

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1
#endif

/* The bare supervisor's listener, handed from the filtered thread. */
struct bt_unotif {
	int fd;
	int ready[2];
};

/*
 * bt_unotif_serve() - the bare supervisor: answer every notification
 * with 0 and nothing else (no memory read, no check), on a SCHED_BATCH
 * thread blocked in NOTIF_RECV, as lxnet-proxy's serving threads wait.
 * Ends with the process.
 */
static void *bt_unotif_serve(void *arg)
{
	struct bt_unotif *u = arg;
	struct sched_param sp = { .sched_priority = 0 };
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	char c;

	sched_setscheduler(0, SCHED_BATCH, &sp);
	if (read(u->ready[0], &c, 1) != 1)
		return NULL;
	for (;;) {
		memset(&req, 0, sizeof(req));
		if (ioctl(u->fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return NULL;
		}
		resp = (struct seccomp_notif_resp){ .id = req.id };
		ioctl(u->fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

/**
 * bt_unotif_us() - microseconds per trapped call with a supervisor that
 * does nothing but answer: the floor of seccomp user notification here
 * @secs: how long to run
 * @ret_us: wall time per getsockname(), written on success
 *
 * The calling thread (only it: no TSYNC) installs a filter that traps
 * getsockname() and asks for synchronous wake-ups where the kernel has
 * them (Linux 6.6), as lxnet-proxy does; a second thread answers.
 *
 * Return: 0 or -errno.
 */
static int bt_unotif_us(double secs, double *ret_us)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getsockname, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	struct bt_unotif u = { .fd = -1 };
	struct sockaddr_in sa;
	uint64_t flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
	pthread_t th;
	double t0, t;
	long n = 0;
	int s, e;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || pipe2(u.ready, O_CLOEXEC) < 0)
		return -errno;
	if ((e = pthread_create(&th, NULL, bt_unotif_serve, &u)) != 0)
		return -e;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	u.fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (u.fd < 0)
		return -errno;
	if (ioctl(u.fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) < 0)
		fprintf(stderr, "benchtool unotif: no synchronous wake-up: %s\n",
			strerror(errno));
	if (write(u.ready[1], "", 1) != 1)
		return -errno;
	t0 = t = bt_now();
	while (t - t0 < secs) {
		socklen_t len = sizeof(sa);

		if (getsockname(s, (struct sockaddr *)&sa, &len) < 0)
			return -errno;
		n++;
		if ((n & 7) == 0)
			t = bt_now();
	}
	*ret_us = (bt_now() - t0) * 1e6 / (double)n;
	return 0;
}

/**
 * bt_ifcheck() - does getifaddrs() list an interface of this name?
 * @name: interface name
 *
 * Return: 0 when listed, 1 when not, -errno when getifaddrs() fails.
 */
static int bt_ifcheck(const char *name)
{
	struct ifaddrs *ifa, *p;
	int found = 1;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (p = ifa; p; p = p->ifa_next)
		if (p->ifa_name && strcmp(p->ifa_name, name) == 0)
			found = 0;
	freeifaddrs(ifa);
	return found;
}

/**
 * bt_read_whole() - read a file from start to end through one open handle
 * @path: file
 * @buf: scratch buffer of BT_READ_BUF bytes
 * @ret_len: bytes read in total (the last BT_READ_BUF - 1 are in @buf)
 *
 * @buf is NUL-terminated after the last chunk read.
 *
 * Return: 0 or -errno.
 */
static int bt_read_whole(const char *path, char *buf, size_t *ret_len)
{
	bt_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t total = 0;
	ssize_t r;

	if (fd < 0)
		return -errno;
	buf[0] = '\0';
	while ((r = read(fd, buf, BT_READ_BUF - 1)) > 0) {
		buf[r] = '\0';
		total += (size_t)r;
	}
	if (r < 0)
		return -errno;
	*ret_len = total;
	return 0;
}

/**
 * bt_readrate() - open/read/close cycles of a file per second
 * @path: file
 * @secs: how long to run
 * @ret_rate: cycles per second, written on success
 * @ret_len: size read by the last cycle
 *
 * Return: 0 or -errno; a file that reads empty is -ENODATA.
 */
static int bt_readrate(const char *path, double secs, double *ret_rate, size_t *ret_len)
{
	char *buf = malloc(BT_READ_BUF);
	double t0 = bt_now(), t = t0;
	size_t len = 0;
	long n = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (t - t0 < secs) {
		r = bt_read_whole(path, buf, &len);
		if (r < 0)
			break;
		if (len == 0) {
			r = -ENODATA;
			break;
		}
		n++;
		if ((n & 15) == 0)
			t = bt_now();
	}
	free(buf);
	if (r < 0)
		return r;
	*ret_rate = (double)n / (bt_now() - t0);
	*ret_len = len;
	return 0;
}

/**
 * bt_spawn() - wall time of running a command, @n times in a row
 * @n: runs
 * @argv: command (NULL-terminated)
 *
 * Prints one line per run: the time from fork() to the end of waitpid(), in
 * milliseconds. The command's output goes to /dev/null.
 *
 * Return: 0, or 1 when the command cannot be run or exits non-zero.
 */
static int bt_spawn(long n, char **argv)
{
	long i;

	for (i = 0; i < n; i++) {
		double t0 = bt_now();
		int st;
		pid_t pid = fork();

		if (pid < 0) {
			perror("benchtool spawn: fork");
			return 1;
		}
		if (pid == 0) {
			int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);

			if (nul >= 0) {
				dup2(nul, STDOUT_FILENO);
				dup2(nul, STDERR_FILENO);
			}
			execvp(argv[0], argv);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0) {
			perror("benchtool spawn: waitpid");
			return 1;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "benchtool spawn: %s failed (status 0x%x)\n", argv[0], st);
			return 1;
		}
		printf("%.4f\n", (bt_now() - t0) * 1e3);
	}
	return 0;
}

/* fd00:6c78:6265::N, the Nth address of a propagation run (N from 1) */
static void bt_prop_addr(long i, struct in6_addr *ret)
{
	static const uint8_t prefix[6] = { 0xfd, 0x00, 0x6c, 0x78, 0x62, 0x65 };

	memset(ret, 0, sizeof(*ret));
	memcpy(ret->s6_addr, prefix, sizeof(prefix));
	ret->s6_addr[14] = (uint8_t)((i + 1) >> 8);
	ret->s6_addr[15] = (uint8_t)(i + 1);
}

/* the same address as /proc/net/if_inet6 prints it: 32 hex digits */
static void bt_prop_hex(long i, char ret[33])
{
	struct in6_addr a;
	int k;

	bt_prop_addr(i, &a);
	for (k = 0; k < 16; k++)
		snprintf(ret + 2 * k, 3, "%02x", a.s6_addr[k]);
}

/**
 * bt_watch_file() - wait until a file's content names address @i
 * @path: file (/proc/net/if_inet6, the kernel's or the view's)
 * @i: address number
 * @buf: scratch buffer of BT_READ_BUF bytes
 *
 * A tight reader loop (FUSE has no inotify), bounded by BT_PROP_WAIT_S.
 *
 * Return: 0 when seen, -ETIMEDOUT, or -errno of a failed read.
 */
static int bt_watch_file(const char *path, long i, char *buf)
{
	double t0 = bt_now();
	char hex[33];
	size_t len;
	int r;

	bt_prop_hex(i, hex);
	do {
		r = bt_read_whole(path, buf, &len);
		if (r < 0)
			return r;
		/* if_inet6 is far smaller than the buffer: one chunk holds it */
		if (strstr(buf, hex))
			return 0;
	} while (bt_now() - t0 < BT_PROP_WAIT_S);
	return -ETIMEDOUT;
}

/**
 * bt_watch_netlink() - wait for the RTM_NEWADDR event of address @i
 * @fd: NETLINK_ROUTE socket bound to RTMGRP_IPV6_IFADDR
 * @i: address number
 *
 * Return: 0 when seen, -ETIMEDOUT, -ENOBUFS when events were lost, or
 * -errno.
 */
static int bt_watch_netlink(int fd, long i)
{
	double t0 = bt_now(), left;
	struct in6_addr want;
	char buf[16384];

	bt_prop_addr(i, &want);
	while ((left = BT_PROP_WAIT_S - (bt_now() - t0)) > 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *h;
		ssize_t n;
		int pr = poll(&p, 1, (int)(left * 1e3) + 1);

		if (pr < 0)
			return -errno;
		if (pr == 0)
			break;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct ifaddrmsg *ifa = NLMSG_DATA(h);
			struct rtattr *a;
			int alen;

			if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET6)
				continue;
			alen = (int)IFA_PAYLOAD(h);
			for (a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
				if ((a->rta_type == IFA_ADDRESS || a->rta_type == IFA_LOCAL) &&
				    RTA_PAYLOAD(a) == sizeof(want) &&
				    memcmp(RTA_DATA(a), &want, sizeof(want)) == 0)
					return 0;
		}
	}
	return -ETIMEDOUT;
}

/**
 * bt_prop_watch() - observer of a propagation run
 * @mode: "file" or "netlink"
 * @path: file to read in file mode (ignored otherwise)
 * @n: number of changes
 *
 * Prints "ready", then for each address i in order "seen I T" (T
 * monotonic seconds) or "timeout I". Runs where the sandbox is: natively,
 * in `lxnet run`, ...
 *
 * Return: 0, or 1 on a set-up error.
 */
static int bt_prop_watch(const char *mode, const char *path, long n)
{
	struct sockaddr_nl sn = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_IPV6_IFADDR };
	bt_autoclose int fd = -1;
	char *buf = NULL;
	long i;
	int r;

	if (strcmp(mode, "netlink") == 0) {
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sn, sizeof(sn)) < 0) {
			perror("benchtool prop-watch: netlink");
			return 1;
		}
	} else {
		size_t len;

		buf = malloc(BT_READ_BUF);
		if (!buf || bt_read_whole(path, buf, &len) < 0) {
			fprintf(stderr, "benchtool prop-watch: cannot read %s\n", path);
			free(buf);
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < n; i++) {
		r = buf ? bt_watch_file(path, i, buf) : bt_watch_netlink(fd, i);
		if (r == 0)
			printf("seen %ld %.9f\n", i, bt_now());
		else
			printf("timeout %ld %s\n", i, strerror(-r));
		fflush(stdout);
	}
	free(buf);
	return 0;
}

/**
 * bt_nl_addr() - add or delete an IPv6 address, wait for the kernel's ack
 * @fd: NETLINK_ROUTE socket
 * @type: RTM_NEWADDR or RTM_DELADDR
 * @ifindex: interface
 * @addr: the address (/128, no DAD)
 * @seq: sequence number
 *
 * Return: 0 or the kernel's -errno.
 */
static int bt_nl_addr(int fd, int type, int ifindex, const struct in6_addr *addr, uint32_t seq)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
		struct rtattr a;
		struct in6_addr addr;
	} req;
	char buf[4096];
	ssize_t n;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = (uint16_t)type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			    (type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
	req.h.nlmsg_seq = seq;
	req.ifa.ifa_family = AF_INET6;
	req.ifa.ifa_prefixlen = 128;
	req.ifa.ifa_flags = IFA_F_NODAD;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.ifa.ifa_index = (unsigned int)ifindex;
	req.a.rta_type = IFA_LOCAL;
	req.a.rta_len = RTA_LENGTH(sizeof(*addr));
	req.addr = *addr;
	if (send(fd, &req, sizeof(req), 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *h;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq == seq)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
}

/*
 * struct bt_lines - a line reader on a pipe that never blocks unbounded
 * @fd: the pipe's read end
 * @len: bytes held in @buf
 * @buf: bytes read but not yet returned
 */
struct bt_lines {
	int fd;
	size_t len;
	char buf[4096];
};

/**
 * bt_read_line() - read one line from a pipe within a bound
 * @l: reader
 * @line: buffer, gets the line with its newline, NUL-terminated
 * @size: its size
 * @secs: bound
 *
 * Return: 0, -ETIMEDOUT, -EPIPE at end of file, -EMSGSIZE for a line
 * longer than @size or the reader's buffer.
 */
static int bt_read_line(struct bt_lines *l, char *line, size_t size, double secs)
{
	double t0 = bt_now();

	for (;;) {
		char *nl = memchr(l->buf, '\n', l->len);
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		double left = secs - (bt_now() - t0);
		ssize_t r;

		if (nl) {
			size_t n = (size_t)(nl - l->buf) + 1;

			if (n >= size)
				return -EMSGSIZE;
			memcpy(line, l->buf, n);
			line[n] = '\0';
			memmove(l->buf, l->buf + n, l->len - n);
			l->len -= n;
			return 0;
		}
		if (l->len == sizeof(l->buf))
			return -EMSGSIZE;
		if (left <= 0 || poll(&p, 1, (int)(left * 1e3) + 1) <= 0)
			return -ETIMEDOUT;
		r = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EPIPE;
		l->len += (size_t)r;
	}
}

/**
 * bt_prop_drive() - driver of a propagation run: add addresses, time them
 * @dev: host interface the addresses go on
 * @n: number of changes
 * @argv: observer command (ends in `benchtool prop-watch ...`)
 *
 * Starts the observer with its stdout on a pipe and waits for "ready".
 * For each change: take T0, add fd00:6c78:6265::i+1/128 and wait for the
 * kernel's ack, wait for the observer's "seen i T", print T - T0 in ms;
 * then delete the address and pause 1-3 ms so changes are spaced as host
 * changes are. A change not seen within BT_PROP_WAIT_S is printed as that
 * bound and counted on stderr.
 *
 * Return: 0, or 1 on failure (observer died, netlink error).
 */
static int bt_prop_drive(const char *dev, long n, char **argv)
{
	bt_autoclose int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int ifindex = (int)if_nametoindex(dev), pfd[2], st, rc = 1;
	long i, timeouts = 0;
	char line[256];
	struct bt_lines *lines = NULL;
	pid_t pid;

	if (nl < 0 || ifindex == 0 || pipe2(pfd, O_CLOEXEC) < 0) {
		fprintf(stderr, "benchtool prop-drive: set-up failed (%s)\n", dev);
		return 1;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	lines = calloc(1, sizeof(*lines));
	if (lines)
		lines->fd = pfd[0];
	if (!lines || bt_read_line(lines, line, sizeof(line), 30) < 0 || strcmp(line, "ready\n")) {
		fprintf(stderr, "benchtool prop-drive: observer not ready\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct in6_addr a;
		struct timespec gap = { .tv_nsec = (1 + i % 3) * 1000000L };
		double t0, seen;
		long got;
		int r;

		bt_prop_addr(i, &a);
		t0 = bt_now();
		r = bt_nl_addr(nl, RTM_NEWADDR, ifindex, &a, (uint32_t)(2 * i + 1));
		if (r < 0) {
			fprintf(stderr, "benchtool prop-drive: add: %s\n", strerror(-r));
			goto out;
		}
		if (bt_read_line(lines, line, sizeof(line), BT_PROP_WAIT_S + 3) < 0) {
			fprintf(stderr, "benchtool prop-drive: observer silent\n");
			goto out;
		}
		if (sscanf(line, "seen %ld %lf", &got, &seen) == 2 && got == i) {
			printf("%.4f\n", (seen - t0) * 1e3);
		} else if (sscanf(line, "timeout %ld", &got) == 1 && got == i) {
			printf("%.4f\n", BT_PROP_WAIT_S * 1e3);
			timeouts++;
		} else {
			fprintf(stderr, "benchtool prop-drive: unexpected '%s'\n", line);
			goto out;
		}
		r = bt_nl_addr(nl, RTM_DELADDR, ifindex, &a, (uint32_t)(2 * i + 2));
		if (r < 0) {
			fprintf(stderr, "benchtool prop-drive: delete: %s\n", strerror(-r));
			goto out;
		}
		nanosleep(&gap, NULL);
	}
	if (timeouts)
		fprintf(stderr, "benchtool prop-drive: %ld of %ld changes not seen within %.0f s\n",
			timeouts, n, BT_PROP_WAIT_S);
	rc = 0;
out:
	free(lines);
	close(pfd[0]);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	return rc;
}

/**
 * bt_rss_kib() - resident set size of a process
 * @pid: process
 * @ret_threads: its thread count, written on success
 *
 * Return: VmRSS in KiB, or -errno.
 */
static long bt_rss_kib(pid_t pid, long *ret_threads)
{
	char path[64], line[256];
	long rss = -ENOENT, threads = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			rss = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "Threads:", 8) == 0)
			threads = strtol(line + 8, NULL, 10);
	}
	fclose(fp);
	*ret_threads = threads;
	return rss;
}

/**
 * bt_hold() - scale child: make @k sockets when told, hold them until told
 * @k: AF_INET sockets to create
 * @netlink: also create one NETLINK_ROUTE socket
 *
 * Protocol on inherited fds: write "R" on BT_FD_STATUS, wait for end of file
 * on BT_FD_GO, create the sockets, write "D T0 T1 OK" on BT_FD_STATUS, wait
 * for end of file on BT_FD_END. Lines are shorter than PIPE_BUF: atomic.
 *
 * Return: 0, or 1 when a socket could not be made.
 */
static int bt_hold(long k, int netlink)
{
	char c;
	double t0, t1;
	long i, ok = 0;
	int *fds = calloc((size_t)k + 1, sizeof(int));

	if (!fds || dprintf(BT_FD_STATUS, "R\n") < 0)
		return 1;
	while (read(BT_FD_GO, &c, 1) > 0)
		;
	t0 = bt_now();
	for (i = 0; i < k; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ok += fds[i] >= 0;
	}
	if (netlink) {
		fds[k] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		ok += fds[k] >= 0;
	}
	t1 = bt_now();
	dprintf(BT_FD_STATUS, "D %.9f %.9f %ld\n", t0, t1, ok);
	while (read(BT_FD_END, &c, 1) > 0)
		;
	return ok == k + (netlink ? 1 : 0) ? 0 : 1;
}

/*
 * struct bt_scale - the scale controller's state
 * @n: children to start; @started: started so far
 * @go, @status, @end: pipes (read end [0], write end [1])
 * @pids: children
 */
struct bt_scale {
	long n, started;
	int go[2], status[2], end[2];
	pid_t *pids;
};

/**
 * bt_pipe_high() - pipe2(O_CLOEXEC) whose fds are above the protocol fds
 * @p: the pipe, written on success
 *
 * A child dup2()s pipe ends onto fds 3-5; a source that already had one of
 * those numbers would keep O_CLOEXEC, so the ends are moved to 10 and up.
 *
 * Return: 0 or -errno.
 */
static int bt_pipe_high(int p[2])
{
	int raw[2], k;

	if (pipe2(raw, O_CLOEXEC) < 0)
		return -errno;
	for (k = 0; k < 2; k++) {
		p[k] = fcntl(raw[k], F_DUPFD_CLOEXEC, 10);
		close(raw[k]);
	}
	if (p[0] < 0 || p[1] < 0) {
		bt_closep(&p[0]);
		bt_closep(&p[1]);
		return -EMFILE;
	}
	return 0;
}

/**
 * bt_scale_start() - fork the children with the protocol fds in place
 * @s: controller state
 * @argv: child command (ends in `benchtool hold K`)
 *
 * Return: 0 or -errno.
 */
static int bt_scale_start(struct bt_scale *s, char **argv)
{
	for (s->started = 0; s->started < s->n; s->started++) {
		pid_t pid = fork();

		if (pid < 0)
			return -errno;
		if (pid == 0) {
			/* pipe fds are >= 10 (bt_pipe_high) */
			if (dup2(s->go[0], BT_FD_GO) < 0 || dup2(s->status[1], BT_FD_STATUS) < 0 ||
			    dup2(s->end[0], BT_FD_END) < 0)
				_exit(126);
			execvp(argv[0], argv);
			_exit(127);
		}
		s->pids[s->started] = pid;
	}
	return 0;
}

/**
 * bt_scale_collect() - read @want lines starting with @tag from the children
 * @l: reader on the status pipe
 * @tag: 'R' or 'D'
 * @want: how many
 * @secs: overall bound
 * @ret_t0: smallest T0 of "D" lines; @ret_t1: largest T1; @ret_ok: sum of OK
 *
 * Return: 0, or -ETIMEDOUT / -EPIPE / -EPROTO.
 */
static int bt_scale_collect(struct bt_lines *l, char tag, long want, double secs,
			    double *ret_t0, double *ret_t1, long *ret_ok)
{
	double t0 = 1e300, t1 = 0, start = bt_now();
	long got = 0, ok = 0;
	char line[128];

	while (got < want) {
		double a, b;
		long k;
		int r = bt_read_line(l, line, sizeof(line), secs - (bt_now() - start));

		if (r < 0)
			return r;
		if (line[0] != tag)
			return -EPROTO;
		if (tag == 'D') {
			if (sscanf(line, "D %lf %lf %ld", &a, &b, &k) != 3)
				return -EPROTO;
			t0 = a < t0 ? a : t0;
			t1 = b > t1 ? b : t1;
			ok += k;
		}
		got++;
	}
	*ret_t0 = t0;
	*ret_t1 = t1;
	*ret_ok = ok;
	return 0;
}

/**
 * bt_scale() - start @n sandboxed holders, measure a daemon's memory and the socket rate
 * @n: children
 * @rss_pid: process whose memory is read (the proxy), 0 for none
 * @argv: child command
 *
 * Prints: ready_s (time until every child is in place), rss_base_kib,
 * rss_ready_kib, rss_done_kib, threads, sockets, sockets_per_s (all
 * sockets over the span from the first child's start to the last one's
 * end, children released at once).
 *
 * Return: 0, or 1 on failure (a child failed, a bound expired).
 */
static int bt_scale(long n, pid_t rss_pid, char **argv)
{
	struct bt_scale s = { .n = n };
	long base = 0, ready = 0, done = 0, threads = 0, ok = 0, i, failed = 0;
	double t_start = bt_now(), t_ready, a, b;
	struct bt_lines *lines = calloc(1, sizeof(*lines));
	int rc = 1, r;

	s.pids = calloc((size_t)n, sizeof(pid_t));
	if (!s.pids || !lines || bt_pipe_high(s.go) || bt_pipe_high(s.status) || bt_pipe_high(s.end))
		return 1;
	if (rss_pid > 0 && (base = bt_rss_kib(rss_pid, &threads)) < 0)
		return 1;
	r = bt_scale_start(&s, argv);
	close(s.go[0]);
	close(s.status[1]);
	close(s.end[0]);
	lines->fd = s.status[0];
	if (r < 0) {
		fprintf(stderr, "benchtool scale: started %ld of %ld\n", s.started, n);
		goto out;
	}
	r = bt_scale_collect(lines, 'R', n, 300, &a, &b, &ok);
	if (r < 0) {
		fprintf(stderr, "benchtool scale: children not ready: %s\n", strerror(-r));
		goto out;
	}
	t_ready = bt_now();
	if (rss_pid > 0)
		ready = bt_rss_kib(rss_pid, &threads);
	bt_closep(&s.go[1]);
	r = bt_scale_collect(lines, 'D', n, 120, &a, &b, &ok);
	if (r < 0) {
		fprintf(stderr, "benchtool scale: children did not finish: %s\n", strerror(-r));
		goto out;
	}
	if (rss_pid > 0)
		done = bt_rss_kib(rss_pid, &threads);
	printf("ready_s %.3f\nrss_base_kib %ld\nrss_ready_kib %ld\nrss_done_kib %ld\n"
	       "threads %ld\nsockets %ld\nsockets_per_s %.1f\n",
	       t_ready - t_start, base, ready, done, threads, ok, (double)ok / (b - a));
	rc = 0;
out:
	bt_closep(&s.go[1]);
	bt_closep(&s.end[1]);
	for (i = 0; i < s.started; i++) {
		int st;

		if (rc)
			kill(s.pids[i], SIGKILL);
		if (waitpid(s.pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	if (failed) {
		fprintf(stderr, "benchtool scale: %ld children failed\n", failed);
		rc = 1;
	}
	close(s.status[0]);
	free(lines);
	free(s.pids);
	return rc;
}

static int bt_usage(void)
{
	fprintf(stderr,
		"usage: benchtool serve PORT READYFILE\n"
		"       benchtool conn|udprr HOST PORT SECS | connown SECS\n"
		"       benchtool ifaddrs SECS | ifcheck NAME\n"
		"       benchtool trapcall SECS | unotif SECS\n"
		"       benchtool gai NAME SECS | dns PORT READYFILE\n"
		"       benchtool readrate PATH SECS\n"
		"       benchtool spawn N CMD...\n"
		"       benchtool prop-watch file PATH N | prop-watch netlink - N\n"
		"       benchtool prop-drive DEV N OBSERVER-CMD...\n"
		"       benchtool hold K [netlink]\n"
		"       benchtool scale N RSS-PID CMD...\n");
	return 2;
}

/**
 * bt_report() - print a rate or an error
 * @what: subcommand
 * @r: its status
 * @rate: value when @r is 0
 *
 * Return: exit status.
 */
static int bt_report(const char *what, int r, double rate)
{
	if (r < 0) {
		fprintf(stderr, "benchtool %s: %s\n", what, strerror(-r));
		return 1;
	}
	printf("%.1f\n", rate);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	double secs = 0, rate = 0;
	long n = 0, m = 0;
	size_t len = 0;
	int r;

	if (argc < 2)
		return bt_usage();
	if (strcmp(argv[1], "serve") == 0 && argc == 4)
		return bt_serve(argv[2], argv[3]);
	if ((strcmp(argv[1], "conn") == 0 || strcmp(argv[1], "udprr") == 0) && argc == 5) {
		if (bt_addr4(argv[2], argv[3], &sa) < 0 || bt_parse_double(argv[4], &secs) < 0)
			return bt_usage();
		if (argv[1][0] == 'c') {
			r = bt_conn(&sa, secs, &rate);
			return bt_report("conn", r, rate);
		}
		r = bt_udprr(&sa, secs, &rate, &m);
		if (r == 0 && m)
			fprintf(stderr, "benchtool udprr: %ld requests lost\n", m);
		return bt_report("udprr", r, rate);
	}
	if (strcmp(argv[1], "connown") == 0 && argc == 3) {
		if (bt_parse_double(argv[2], &secs) < 0)
			return bt_usage();
		r = bt_connown(secs, &rate);
		return bt_report("connown", r, rate);
	}
	if (strcmp(argv[1], "ifaddrs") == 0 && argc == 3) {
		if (bt_parse_double(argv[2], &secs) < 0)
			return bt_usage();
		r = bt_ifaddrs_rate(secs, &rate, &m);
		if (r == 0)
			fprintf(stderr, "benchtool ifaddrs: %ld entries\n", m);
		return bt_report("ifaddrs", r, rate);
	}
	if ((strcmp(argv[1], "trapcall") == 0 || strcmp(argv[1], "unotif") == 0) &&
	    argc == 3) {
		if (bt_parse_double(argv[2], &secs) < 0)
			return bt_usage();
		r = argv[1][0] == 't' ? bt_trapcall_us(secs, &rate)
				      : bt_unotif_us(secs, &rate);
		return bt_report(argv[1], r, rate);
	}
	if (strcmp(argv[1], "gai") == 0 && argc == 4) {
		if (bt_parse_double(argv[3], &secs) < 0)
			return bt_usage();
		r = bt_gai_rate(argv[2], secs, &rate);
		return bt_report("gai", r, rate);
	}
	if (strcmp(argv[1], "dns") == 0 && argc == 4)
		return bt_dns(argv[2], argv[3]);
	if (strcmp(argv[1], "ifcheck") == 0 && argc == 3) {
		r = bt_ifcheck(argv[2]);
		return r < 0 ? 2 : r;
	}
	if (strcmp(argv[1], "readrate") == 0 && argc == 4) {
		if (bt_parse_double(argv[3], &secs) < 0)
			return bt_usage();
		r = bt_readrate(argv[2], secs, &rate, &len);
		return bt_report("readrate", r, rate);
	}
	if (strcmp(argv[1], "spawn") == 0 && argc >= 4) {
		if (bt_parse_long(argv[2], BT_SPAWN_MAX, &n) < 0)
			return bt_usage();
		return bt_spawn(n, argv + 3);
	}
	if (strcmp(argv[1], "prop-watch") == 0 && argc == 5) {
		if (bt_parse_long(argv[4], 65535, &n) < 0)
			return bt_usage();
		return bt_prop_watch(argv[2], argv[3], n);
	}
	if (strcmp(argv[1], "prop-drive") == 0 && argc >= 5) {
		if (bt_parse_long(argv[3], 65535, &n) < 0)
			return bt_usage();
		return bt_prop_drive(argv[2], n, argv + 4);
	}
	if (strcmp(argv[1], "hold") == 0 && (argc == 3 || (argc == 4 && strcmp(argv[3], "netlink") == 0))) {
		if (bt_parse_long(argv[2], 1000, &n) < 0)
			return bt_usage();
		return bt_hold(n, argc == 4);
	}
	if (strcmp(argv[1], "scale") == 0 && argc >= 5) {
		if (bt_parse_long(argv[2], BT_SCALE_MAX, &n) < 0 || n == 0 ||
		    bt_parse_long(argv[3], 1L << 22, &m) < 0)
			return bt_usage();
		return bt_scale(n, (pid_t)m, argv + 4);
	}
	return bt_usage();
}
