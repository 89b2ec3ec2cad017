// SPDX-License-Identifier: LGPL-2.1-or-later
/* ownserver.c - under a policy, the sandbox's clients reach its own TCP servers on the host's loopback */
/*
 * Every IPv4/IPv6 socket of the sandbox is the host's, so a server the
 * sandbox starts listens on the host's loopback, and its clients reach it
 * there. A policy refusing the host's loopback (--no-host-loopback, or any
 * --allow) would refuse the sandbox its own servers, which every test
 * suite that starts one needs. A TCP connect to the loopback that only the
 * policy's defaults refuse ("default", "no-host-loopback"; an explicit
 * --deny still wins) is therefore let through when the proxy can show
 * that no socket but one of the sandbox's own listeners can take it:
 *
 *  - ownserver_note_bind(): every TCP bind the proxy makes for the sandbox
 *    to a loopback or wildcard address is remembered by the socket's
 *    SO_COOKIE (never reused while the host runs), with the thread (and
 *    its process, for when that thread ended) and fd number that bound
 *    it (at most OWNSERVER_MAX per sandbox; a full table forgets sockets
 *    that are gone, then the oldest).
 *  - ownserver_hold(): at the refused connect, the proxy takes the
 *    remembered socket of that port from the task (pidfd_getfd(), proven
 *    by its cookie) and keeps that copy while the handshake lasts. The
 *    copy must be listening, without SO_REUSEPORT (a host server of the
 *    same user could join the port) and without a bound device (a host
 *    socket bound to another device may share the port), and its address
 *    must take the destination (its own address or the wildcard of the
 *    family; a [::] socket takes IPv4 only without IPV6_V6ONLY; an
 *    IPv4-mapped address is IPv4; 0.0.0.0 and :: are connected to as
 *    127.0.0.1 and ::1, where the kernel would take the socket's own
 *    bound address), and the host's listening sockets (inet_diag) must
 *    show no other on the port that takes it (one may have joined the
 *    copy's SO_REUSEPORT group before the sandbox cleared the option).
 *    The kernel then lets no other socket listen on an address the
 *    destination matches: a listening socket conflicts with every bind of
 *    an overlapping address, SO_REUSEADDR or not, and the held copy keeps
 *    it listening even if the sandbox closes its own.
 *  - ownserver_verify(): what the kernel did is checked after the
 *    handshake: the copy still listens (a shutdown() would let a host
 *    server with SO_REUSEADDR take the port), takes the address connected
 *    to, and the accepting end exists in the host's namespace with the
 *    very 4-tuple connected to (NETLINK_SOCK_DIAG), which a NAT rule of
 *    the host's rewriting the destination would not give. A connection
 *    failing it is shut down and the connect fails EPERM.
 *
 * A blocking connect is made on the connect pool (govern.c; the sandbox's
 * own full accept queue would hold the serving thread for the SYN
 * retries; at most CONNPOOL_MAX_OWN at once, past which they are made in
 * place); its job holds the copy and verifies before it answers. A
 * handshake still under way when connect() returns (non-blocking, or
 * interrupted by a signal) is waited for up to OWNSERVER_SETTLE_MS, as a
 * listener with room answers the SYN at once, and verified before the
 * answer; past that the listener's queue is full and the attempt is
 * aborted (ECONNREFUSED for a non-blocking one, as with the kernel's
 * tcp_abort_on_overflow): let go on, it would only be verified after the
 * sandbox could have sent (a reviewer's host NAT rule to a host server
 * whose queue stayed full delivered 1 of 12 first sends that way). So a
 * sandbox holds at most one listener copy per such connect under way:
 * CONNPOOL_MAX_OWN on the pool per proxy, one on its serving thread.
 *
 * Not covered, and refused as before: UDP (a connected UDP socket would
 * keep sending to the port after the sandbox's server is gone); a server
 * that listens without a bind the proxy made (listen()'s autobind), or
 * that no process of the sandbox's network namespace holds any more (one
 * its binder gave away is looked for in /proc: ownserver_relocate()); a
 * SO_REUSEPORT server.
 * The host's own steering (sk_lookup programs, TPROXY) is not seen: the
 * 4-tuple is the one connected to.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <glib.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "cleanup.h"
#include "log.h"
#include "ownserver.h"
#include "proxy_int.h"

/* Listening sockets remembered per sandbox. */
#define OWNSERVER_MAX 256
/* What is read of /proc to find a socket its binder gave away. */
#define OWNSERVER_SCAN_TASKS 8192
#define OWNSERVER_SCAN_FDS 65536
/* How long a handshake still under way when connect() returned is waited
 * for; past that the listener's accept queue is full. */
#define OWNSERVER_SETTLE_MS 50
/* The host's inet_diag answer to one lookup; datagrams of one dump read. */
#define OWNSERVER_DIAG_TIMEOUT_MS 1000
#define OWNSERVER_DIAG_MAX 256
#define OWNSERVER_DIAG_BUF 32768
/* Room for the listener dump's filter: three S_COND ops, two JMPs. */
#define OWNSERVER_DIAG_BC 96

/* A socket the sandbox bound: found again through its binding thread,
 * or its process once that thread ended. */
struct ownserver_entry {
	uint64_t cookie;
	ino_t ino;
	pid_t pid;
	pid_t tgid;
	int fd;
	uint16_t port;
};

/*
 * struct ownserver_set - one sandbox's listening sockets
 * @netns_ino: the sandbox's network namespace (0: not known), whose
 *	processes a socket moved from its binder is looked for in
 * @closed: the sandbox's listener is gone (g_atomic): its handshakes
 *	still under way are aborted
 * @e, @n: the sockets (serving thread only)
 * @next: the slot a full table overwrites next
 *
 * Reference-counted (g_atomic_rc_box): the connect pool's jobs keep it.
 */
struct ownserver_set {
	gint closed;
	ino_t netns_ino;
	unsigned int n;
	unsigned int next;
	struct ownserver_entry e[OWNSERVER_MAX];
};

struct ownserver_set *ownserver_set_new(ino_t netns_ino)
{
	struct ownserver_set *s = g_atomic_rc_box_new0(struct ownserver_set);

	s->netns_ino = netns_ino;
	return s;
}

void ownserver_set_unref(struct ownserver_set *s)
{
	if (s)
		g_atomic_rc_box_release(s);
}

/**
 * ownserver_set_close() - the sandbox's listener is gone: its blocking
 * connects to its own servers still under way end (connpool.c), and
 * their listeners are let go (they would otherwise hold the ports for
 * the SYN retries)
 * @s: the set (NULL is fine)
 */
void ownserver_set_close(struct ownserver_set *s)
{
	if (s)
		g_atomic_int_set(&s->closed, 1);
}

bool ownserver_closed(const struct ownserver_set *s)
{
	return g_atomic_int_get(&s->closed) != 0;
}

/* A socket address's family, 16 address bytes (IPv4 in the first 4;
 * an IPv4-mapped IPv6 one as IPv4) and port; false for another family. */
static bool ownserver_addr(const struct sockaddr_storage *sa, socklen_t len,
			   int *family, uint8_t a[16], uint16_t *port)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct sockaddr_in *in = (const void *)sa;
	const struct sockaddr_in6 *in6 = (const void *)sa;

	memset(a, 0, 16);
	if (sa->ss_family == AF_INET && len >= sizeof(*in)) {
		*family = AF_INET;
		memcpy(a, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
	} else if (sa->ss_family == AF_INET6 &&
		   len >= offsetof(struct sockaddr_in6, sin6_scope_id)) {
		*port = ntohs(in6->sin6_port);
		if (memcmp(&in6->sin6_addr, mapped, 12) == 0) {
			*family = AF_INET;
			memcpy(a, (const uint8_t *)&in6->sin6_addr + 12, 4);
		} else {
			*family = AF_INET6;
			memcpy(a, &in6->sin6_addr, 16);
		}
	} else {
		return false;
	}
	return true;
}

static bool ownserver_any(int family, const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, family == AF_INET ? 4 : 16) == 0;
}

static bool ownserver_loopback(int family, const uint8_t a[16])
{
	static const uint8_t one[16] = { [15] = 1 };

	return family == AF_INET ? a[0] == 127 : memcmp(a, one, 16) == 0;
}

static int ownserver_int_opt(int sock, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(sock, level, name, &v, &len) < 0)
		return -1;
	return v;
}

static void ownserver_forget(struct ownserver_set *s, unsigned int i)
{
	s->e[i] = s->e[--s->n];
	if (s->next >= s->n)
		s->next = 0;
}

/*
 * Our copy of entry @e's socket, taken from the thread that bound it, or
 * from its process once that thread ended, and proven by its cookie; or
 * -1 when the socket is no longer there at that number.
 */
static int ownserver_take(const struct ownserver_entry *e, bool leader_only)
{
	int copy = -1;

	if (task_getfd(e->pid, e->fd, leader_only, &copy) < 0 &&
	    (e->tgid == e->pid ||
	     task_getfd(e->tgid, e->fd, leader_only, &copy) < 0))
		return -1;
	if (sockets_cookie(copy) != e->cookie) {
		close(copy);
		return -1;
	}
	return copy;
}

/* Whether fd directory @fds (of process @pid) holds socket @want
 * ("socket:[INODE]"), reading at most *@budget entries; its number. */
static int ownserver_scan_fds(DIR *fds, const char *want, unsigned int *budget)
{
	struct dirent *de;
	char link[64];

	while (*budget > 0 && (de = readdir(fds))) {
		ssize_t n;

		(*budget)--;
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		n = readlinkat(dirfd(fds), de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, want) == 0)
			return atoi(de->d_name);
	}
	return -1;
}

/*
 * Where entry @e's socket went once its binder no longer holds it at that
 * number: a process of the sandbox's network namespace holding it (at
 * another number after a dup() and close(), or a child it was passed to
 * or forked with). Looked for only then, through /proc, at most
 * OWNSERVER_SCAN_TASKS processes and OWNSERVER_SCAN_FDS fds; a socket not
 * found is forgotten, so a sandbox cannot make it look again for free.
 * Return: true when found (@e now names it).
 */
static bool ownserver_relocate(const struct ownserver_set *s,
			       struct ownserver_entry *e)
{
	unsigned int tasks = OWNSERVER_SCAN_TASKS, fds = OWNSERVER_SCAN_FDS;
	struct dirent *de;
	bool found = false;
	char want[48];
	DIR *proc;

	if (s->netns_ino == 0 || e->ino == 0)
		return false;
	snprintf(want, sizeof(want), "socket:[%llu]",
		 (unsigned long long)e->ino);
	proc = opendir("/proc");
	while (proc && !found && tasks > 0 && fds > 0 && (de = readdir(proc))) {
		char path[64];
		struct stat st;
		pid_t pid;
		DIR *dir;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		tasks--;
		pid = (pid_t)atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		if (stat(path, &st) < 0 || st.st_ino != s->netns_ino)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
		dir = opendir(path);
		if (!dir)
			continue;
		fd = ownserver_scan_fds(dir, want, &fds);
		closedir(dir);
		if (fd >= 0) {
			e->pid = e->tgid = pid;
			e->fd = fd;
			found = true;
		}
	}
	if (proc)
		closedir(proc);
	return found;
}

/* Whether entry @e still names its socket. */
static bool ownserver_alive(const struct ownserver_entry *e, bool leader_only)
{
	int copy = ownserver_take(e, leader_only);

	if (copy < 0)
		return false;
	close(copy);
	return true;
}

/*
 * A full table forgets the sockets that are gone first: a test suite's
 * short-lived processes each binding one would otherwise push out the
 * long-lived server still listening (its clients then refused).
 * Return: how many were forgotten.
 */
static unsigned int ownserver_sweep(struct ownserver_set *s, bool leader_only)
{
	unsigned int i = 0, gone = 0;

	while (i < s->n) {
		if (ownserver_alive(&s->e[i], leader_only)) {
			i++;
			continue;
		}
		ownserver_forget(s, i); /* i is the next one now */
		gone++;
	}
	return gone;
}

/**
 * ownserver_note_bind() - remember a TCP socket the proxy bound for the
 * sandbox, if a loopback connect could reach it
 * @s: the sandbox's set (NULL: nothing is remembered)
 * @leader_only: copy fds through thread-group leaders (conf)
 * @pid: the task that bound it
 * @fd: its fd number there
 * @sock: our copy, bound
 */
void ownserver_note_bind(struct ownserver_set *s, bool leader_only, pid_t pid,
			 int fd, int sock)
{
	struct stat st;
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	struct ownserver_entry e = { .pid = pid, .fd = fd };
	uint8_t a[16];
	int family;
	unsigned int i;

	if (!s || getsockname(sock, (struct sockaddr *)&sa, &len) < 0 ||
	    !ownserver_addr(&sa, len, &family, a, &e.port) ||
	    !(ownserver_any(family, a) || ownserver_loopback(family, a)))
		return;
	e.cookie = sockets_cookie(sock);
	if (e.cookie == 0 || fstat(sock, &st) < 0)
		return;
	e.ino = st.st_ino;
	if (task_status_pid(-1, pid, "Tgid", false, &e.tgid) < 0)
		e.tgid = pid;
	for (i = 0; i < s->n; i++)
		if (s->e[i].pid == pid && s->e[i].fd == fd) {
			s->e[i] = e; /* the number now names another socket */
			return;
		}
	if (s->n == OWNSERVER_MAX && ownserver_sweep(s, leader_only) == 0)
		log_debug("pid %d: %d listening sockets remembered: the "
			  "oldest forgotten", pid, OWNSERVER_MAX);
	if (s->n < OWNSERVER_MAX) {
		s->e[s->n++] = e;
		return;
	}
	s->e[s->next] = e;
	s->next = (s->next + 1) % OWNSERVER_MAX;
}

/* Whether a listening socket bound to @lfam/@la (@v6only: IPV6_V6ONLY)
 * takes a connection to @dfam/@d. */
static bool ownserver_covers(int lfam, const uint8_t la[16], bool v6only,
			     int dfam, const uint8_t d[16])
{
	if (lfam != dfam) /* an IPv6 wildcard takes IPv4 without V6ONLY */
		return lfam == AF_INET6 && dfam == AF_INET &&
		       ownserver_any(AF_INET6, la) && !v6only;
	return ownserver_any(lfam, la) ||
	       memcmp(la, d, lfam == AF_INET ? 4 : 16) == 0;
}

/* Whether our copy @l of a remembered socket may take a connection to
 * @dfam/@d port @port for the sandbox (see the top of the file). */
static bool ownserver_usable(int l, int dfam, const uint8_t d[16],
			     uint16_t port)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	uint8_t la[16];
	uint16_t lport;
	int lfam;

	return ownserver_int_opt(l, SOL_SOCKET, SO_ACCEPTCONN) == 1 &&
	       ownserver_int_opt(l, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP &&
	       ownserver_int_opt(l, SOL_SOCKET, SO_REUSEPORT) == 0 &&
	       ownserver_int_opt(l, SOL_SOCKET, SO_BINDTOIFINDEX) == 0 &&
	       getsockname(l, (struct sockaddr *)&sa, &len) == 0 &&
	       ownserver_addr(&sa, len, &lfam, la, &lport) && lport == port &&
	       ownserver_covers(lfam, la,
				ownserver_int_opt(l, IPPROTO_IPV6,
						  IPV6_V6ONLY) == 1,
				dfam, d);
}

/*
 * Ask the host's inet_diag about TCP sockets of @family: one with the
 * 4-tuple @id (exact), or a dump of those in @states that filter @bc
 * (INET_DIAG_REQ_BYTECODE, @bclen bytes; none when 0) passes. Return: a
 * NETLINK_SOCK_DIAG socket of the proxy's namespace to read the answer
 * from (receives time out), or -errno.
 */
static int ownserver_diag_ask(int family, bool dump, uint32_t states,
			      const struct inet_diag_sockid *id,
			      const void *bc, size_t bclen)
{
	struct timeval tv = { .tv_sec = OWNSERVER_DIAG_TIMEOUT_MS / 1000 };
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
		struct rtattr a;
		uint8_t bc[OWNSERVER_DIAG_BC];
	} req = {
		.h = { .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0) },
		.r = { .sdiag_family = (uint8_t)family,
		       .sdiag_protocol = IPPROTO_TCP,
		       .idiag_states = states },
		.a = { .rta_len = RTA_LENGTH(bclen),
		       .rta_type = INET_DIAG_REQ_BYTECODE },
	};
	int fd, r;

	if (bclen > sizeof(req.bc))
		return -EINVAL;
	if (bclen) /* memcpy() from NULL is undefined even for 0 bytes */
		memcpy(req.bc, bc, bclen);
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.r)) +
			  (bclen ? RTA_LENGTH(bclen) : 0);
	if (id)
		req.r.id = *id;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    send(fd, &req, req.h.nlmsg_len, 0) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* Append to filter @bc (*@len bytes so far) an S_COND op: local address
 * @a of @family (the full address; the kernel's AF_INET one matches
 * IPv4-mapped IPv6 sockets too) and port @port. Its jumps are set by
 * ownserver_diag_filter(). */
static void ownserver_diag_cond(uint8_t *bc, size_t *len, int family,
				const uint8_t a[16], uint16_t port)
{
	size_t alen = family == AF_INET ? 4 : 16;
	struct inet_diag_bc_op op = { .code = INET_DIAG_BC_S_COND };
	struct inet_diag_hostcond c = {
		.family = (uint8_t)family,
		.prefix_len = (uint8_t)(alen * 8),
		.port = port,
	};

	memcpy(bc + *len, &op, sizeof(op));
	memcpy(bc + *len + sizeof(op), &c, sizeof(c));
	memcpy(bc + *len + sizeof(op) + sizeof(c), a, alen);
	*len += sizeof(op) + sizeof(c) + alen;
}

/*
 * A filter passing only the listening sockets that may take a connection
 * to @dfam/@d port @port: bound to @d or to a wildcard that takes it
 * (0.0.0.0, ::ffff:0.0.0.0, or [::], whose IPV6_V6ONLY is read after).
 * The kernel then sends those alone: a host with many listeners
 * elsewhere, which any user or another sandbox (whose sockets are the
 * host's) can make, would otherwise fill the answer past what is read
 * and cost each connect a walk of them all. The kernel's audit follows
 * the ops' "yes" jumps one after the other, so an or is a match going on
 * to a JMP to the end (pass) and a miss jumping over it to the next
 * condition; a miss of the last jumps past the end (fail).
 * Return: its length in @bc (OWNSERVER_DIAG_BC bytes).
 */
static size_t ownserver_diag_filter(uint8_t *bc, int dfam,
				    const uint8_t d[16], uint16_t port)
{
	static const uint8_t any[16];
	const struct inet_diag_bc_op jmp = { .code = INET_DIAG_BC_JMP,
					     .yes = sizeof(jmp) };
	/* or-ed: the destination, the IPv4 wildcard (for IPv4), [::] */
	const int fams[3] = { dfam, AF_INET, AF_INET6 };
	const uint8_t *addrs[3] = { d, any, any };
	size_t at[3], jat[3], len = 0, i;

	for (i = 0; i < 3; i++) {
		if (i == 1 && dfam != AF_INET) {
			at[i] = jat[i] = SIZE_MAX; /* no IPv4 wildcard */
			continue;
		}
		at[i] = len;
		ownserver_diag_cond(bc, &len, fams[i], addrs[i], port);
		jat[i] = len;
		if (i < 2) { /* a JMP to the end after all but the last */
			memcpy(bc + len, &jmp, sizeof(jmp));
			len += sizeof(jmp);
		}
	}
	for (i = 0; i < 3; i++) {
		struct inet_diag_bc_op *op = (void *)(bc + at[i]);
		size_t size = jat[i] - at[i];

		if (at[i] == SIZE_MAX)
			continue;
		op->yes = (uint8_t)size; /* on: the JMP, or the end (pass) */
		/* over the JMP to the next condition; the last one's past
		 * the end (fail) */
		op->no = (uint16_t)(size + 4);
		if (i < 2)
			((struct inet_diag_bc_op *)(void *)(bc + jat[i]))->no =
				(uint16_t)(len - jat[i]);
	}
	return len;
}

/* Whether inet_diag answer @h says IPV6_V6ONLY (INET_DIAG_SKV6ONLY). */
static bool ownserver_diag_v6only(const struct nlmsghdr *h)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *a = (const void *)(m + 1);
	int left = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));

	for (; RTA_OK(a, left); a = RTA_NEXT(a, left))
		if (a->rta_type == INET_DIAG_SKV6ONLY &&
		    RTA_PAYLOAD(a) >= 1)
			return *(const uint8_t *)RTA_DATA(a) != 0;
	return false;
}

/*
 * Whether listening socket @h of the host's (an inet_diag answer) is
 * another than @cookie on @port that takes a connection to @dfam/@d.
 */
static bool ownserver_diag_rival(const struct nlmsghdr *h, uint64_t cookie,
				 int dfam, const uint8_t d[16], uint16_t port)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	struct sockaddr_storage sa = { .ss_family = m->idiag_family };
	uint64_t c = m->id.idiag_cookie[0] |
		     (uint64_t)m->id.idiag_cookie[1] << 32;
	uint8_t la[16];
	uint16_t lport;
	int lfam;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) ||
	    ntohs(m->id.idiag_sport) != port || c == cookie)
		return false;
	if (m->idiag_family == AF_INET)
		memcpy(&((struct sockaddr_in *)&sa)->sin_addr,
		       m->id.idiag_src, 4);
	else
		memcpy(&((struct sockaddr_in6 *)&sa)->sin6_addr,
		       m->id.idiag_src, 16);
	if (!ownserver_addr(&sa, sizeof(sa), &lfam, la, &lport))
		return false;
	return ownserver_covers(lfam, la, ownserver_diag_v6only(h), dfam, d);
}

/*
 * Whether no listening socket of the host's but @cookie takes a TCP
 * connection to @dfam/@d port @port. The kernel's bind rules keep a new
 * one off the port while ours listens, but not one that joined its
 * SO_REUSEPORT group before the sandbox cleared the option again: the
 * host's listeners that may take it are read (inet_diag, both families,
 * filtered by the kernel: ownserver_diag_filter(); at most
 * OWNSERVER_DIAG_MAX datagrams each). Return: true when shown alone.
 */
static bool ownserver_alone(uint64_t cookie, int dfam, const uint8_t d[16],
			    uint16_t port)
{
	static const int families[] = { AF_INET, AF_INET6 };
	g_autofree struct nlmsghdr *ans = g_malloc(OWNSERVER_DIAG_BUF);
	uint8_t bc[OWNSERVER_DIAG_BC];
	size_t bclen = ownserver_diag_filter(bc, dfam, d, port);
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(families); i++) {
		_cleanup_close_ int fd = ownserver_diag_ask(families[i], true,
							    1U << TCP_LISTEN,
							    NULL, bc, bclen);
		bool done = false;
		int k;

		if (fd < 0)
			return false;
		for (k = 0; !done && k < OWNSERVER_DIAG_MAX; k++) {
			ssize_t n = recv(fd, ans, OWNSERVER_DIAG_BUF, 0);
			const struct nlmsghdr *h = ans;
			size_t left = n > 0 ? (size_t)n : 0;

			if (n <= 0)
				return false;
			for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
				if (h->nlmsg_type == NLMSG_DONE) {
					done = true;
					break;
				}
				if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
				    ownserver_diag_rival(h, cookie, dfam, d,
							 port))
					return false;
			}
		}
		if (!done)
			return false;
	}
	return true;
}

/**
 * ownserver_pin_any() - make a connect to "any" go where ownserver_hold()
 * looked
 * @dst: the destination, rewritten in place: 0.0.0.0 (also IPv4-mapped)
 *	becomes 127.0.0.1, :: becomes ::1; any other is left
 * @len: its length
 *
 * The kernel sends a connect to 0.0.0.0 to the socket's own bound
 * address when it has one (127.0.0.5, where a host server may listen),
 * and the socket may be bound between the decision and the connect.
 */
void ownserver_pin_any(struct sockaddr_storage *dst, socklen_t len)
{
	struct sockaddr_in *in = (void *)dst;
	struct sockaddr_in6 *in6 = (void *)dst;
	uint8_t a[16];
	uint16_t port;
	int family;

	if (!ownserver_addr(dst, len, &family, a, &port) ||
	    !ownserver_any(family, a))
		return;
	if (dst->ss_family == AF_INET)
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (family == AF_INET) /* ::ffff:0.0.0.0 */
		in6->sin6_addr.s6_addr[15] = 1, in6->sin6_addr.s6_addr[12] = 127;
	else
		in6->sin6_addr = in6addr_loopback;
}

/**
 * ownserver_hold() - a listening socket of the sandbox's that alone can
 * take a TCP connection to @dst on the host's loopback
 * @s: the sandbox's set (NULL: none)
 * @leader_only: copy fds through thread-group leaders (conf)
 * @dst: the destination, as it will be connected to (127.0.0.0/8, ::1,
 *	or 0.0.0.0 and ::, which reach 127.0.0.1 and ::1)
 * @len: its length
 *
 * Serving thread only. Entries whose socket is gone are forgotten.
 * Return: our copy of it, to keep until the handshake ended; -ECONNREFUSED
 * when no listening socket of the host's takes the destination at all
 * (which ports a host server listens on is thus told, as a bind() tells
 * it where binds are allowed); or -EPERM.
 */
int ownserver_hold(struct ownserver_set *s, bool leader_only,
		   const struct sockaddr_storage *dst, socklen_t len)
{
	uint8_t d[16];
	uint16_t port;
	unsigned int i = 0;
	int dfam;

	if (!s || !ownserver_addr(dst, len, &dfam, d, &port))
		return -EPERM;
	if (ownserver_any(dfam, d)) { /* the kernel's choice for "any" */
		if (dfam == AF_INET)
			d[0] = 127, d[3] = 1;
		else
			d[15] = 1;
	}
	if (!ownserver_loopback(dfam, d))
		return -EPERM;
	while (i < s->n) {
		struct ownserver_entry *e = &s->e[i];
		int copy;

		if (e->port != port) {
			i++;
			continue;
		}
		copy = ownserver_take(e, leader_only);
		if (copy < 0 && ownserver_relocate(s, e))
			copy = ownserver_take(e, leader_only);
		if (copy < 0) {
			ownserver_forget(s, i); /* gone: i is the next one now */
			continue;
		}
		if (ownserver_usable(copy, dfam, d, port) &&
		    ownserver_alone(e->cookie, dfam, d, port))
			return copy;
		close(copy);
		i++;
	}
	/* no server of ours there: if nobody's is, say so as the kernel
	 * would (a client waiting for its own server to come up retries on
	 * ECONNREFUSED), else the policy's EPERM */
	return ownserver_alone(0, dfam, d, port) ? -ECONNREFUSED : -EPERM;
}

/*
 * Whether address @got of inet_diag answer @m is @want of @family: an
 * IPv4 lookup also finds the IPv4-mapped sockets of a dual-stack listener.
 */
static bool ownserver_diag_addr(const struct inet_diag_msg *m,
				const uint32_t got[4], int family,
				const uint8_t want[16])
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t *g = (const uint8_t *)got;

	if (m->idiag_family == family)
		return memcmp(g, want, family == AF_INET ? 4 : 16) == 0;
	return family == AF_INET && m->idiag_family == AF_INET6 &&
	       memcmp(g, mapped, 12) == 0 && memcmp(g + 12, want, 4) == 0;
}

/*
 * Whether the host has a TCP socket whose local end is @local and remote
 * end @remote (inet_diag's exact lookup, in the proxy's namespace).
 * Return: 1, 0 when it has none, or -errno when it could not be asked.
 */
static int ownserver_diag_find(int family, const uint8_t local[16],
			       uint16_t lport, const uint8_t remote[16],
			       uint16_t rport)
{
	struct inet_diag_sockid id = {
		.idiag_sport = htons(lport), .idiag_dport = htons(rport),
		.idiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE },
	};
	union {
		struct nlmsghdr h;
		uint8_t b[1024];
	} ans;
	const struct inet_diag_msg *m;
	_cleanup_close_ int fd = -1;
	size_t alen = family == AF_INET ? 4 : 16;
	ssize_t n;

	memcpy(id.idiag_src, local, alen);
	memcpy(id.idiag_dst, remote, alen);
	fd = ownserver_diag_ask(family, false, ~0U, &id, NULL, 0);
	if (fd < 0)
		return fd;
	n = recv(fd, &ans, sizeof(ans), 0);
	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(struct nlmsghdr) ||
	    !NLMSG_OK(&ans.h, (size_t)n))
		return -EPROTO;
	if (ans.h.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *err = NLMSG_DATA(&ans.h);

		if (ans.h.nlmsg_len < NLMSG_LENGTH(sizeof(*err)))
			return -EPROTO;
		return err->error == -ENOENT ? 0 : err->error ? err->error :
		       -EPROTO;
	}
	if (ans.h.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    ans.h.nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
		return -EPROTO;
	/*
	 * The lookup falls back to the listener that would take such a
	 * packet: only a connection with this very 4-tuple counts.
	 */
	m = NLMSG_DATA(&ans.h);
	return m->idiag_state != TCP_LISTEN &&
	       m->id.idiag_sport == htons(lport) &&
	       m->id.idiag_dport == htons(rport) &&
	       ownserver_diag_addr(m, m->id.idiag_src, family, local) &&
	       ownserver_diag_addr(m, m->id.idiag_dst, family, remote);
}

/**
 * ownserver_verify() - whether a connection made to the sandbox's own
 * listener ended there
 * @sock: our copy of the connecting socket, after its handshake
 * @hold: our copy of the listener, held since before the connect
 *
 * True when the listener still listens, takes the address @sock is
 * connected to, and the host has the accepting end of @sock's 4-tuple;
 * true as well when @sock is no longer connected
 * (nothing then reaches anyone). On false the caller shuts @sock down.
 */
bool ownserver_verify(int sock, int hold)
{
	struct sockaddr_storage local, peer;
	socklen_t llen = sizeof(local), plen = sizeof(peer);
	struct sockaddr_storage held;
	socklen_t hlen = sizeof(held);
	uint8_t la[16], pa[16], ha[16];
	uint16_t lport, pport, hport;
	int lfam, pfam, hfam, r;

	if (ownserver_int_opt(hold, SOL_SOCKET, SO_ACCEPTCONN) != 1)
		return false;
	if (getpeername(sock, (struct sockaddr *)&peer, &plen) < 0)
		return errno == ENOTCONN;
	if (getsockname(sock, (struct sockaddr *)&local, &llen) < 0 ||
	    !ownserver_addr(&local, llen, &lfam, la, &lport) ||
	    !ownserver_addr(&peer, plen, &pfam, pa, &pport) || lfam != pfam)
		return false;
	/* connected to an address the held listener takes (a NAT rule's
	 * rewrite is not seen here: the 4-tuple below is) */
	if (getsockname(hold, (struct sockaddr *)&held, &hlen) < 0 ||
	    !ownserver_addr(&held, hlen, &hfam, ha, &hport) ||
	    hport != pport ||
	    !ownserver_covers(hfam, ha,
			      ownserver_int_opt(hold, IPPROTO_IPV6,
						IPV6_V6ONLY) == 1, pfam, pa))
		return false;
	/* the accepting end: local is our peer, remote is us */
	r = ownserver_diag_find(lfam, pa, pport, la, lport);
	if (r < 0)
		log_debug("cannot ask the host for a connection's other end: %s",
			  g_strerror(-r));
	return r == 1;
}

/* Whether @sock's handshake is under way (SYN sent, no answer yet). */
static bool ownserver_connecting(int sock)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return getsockopt(sock, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	       ti.tcpi_state == TCP_SYN_SENT;
}

/**
 * ownserver_end() - after a connect to the sandbox's own listener returned
 * @s: the sandbox's set
 * @sock: our copy of the connecting socket (still the caller's)
 * @hold: our copy of the listener (owned)
 * @r: what connect() gave
 *
 * A handshake still under way when connect() returned (non-blocking,
 * interrupted) is waited for up to OWNSERVER_SETTLE_MS: a listener with
 * room answers the SYN at once. Past that its accept queue is full, and
 * the attempt is aborted as connect(AF_UNSPEC) aborts it, a non-blocking
 * one answered ECONNREFUSED, as the kernel's tcp_abort_on_overflow
 * answers it: let go on, it would be checked only after the sandbox
 * could have sent. An ended handshake is verified; one that reached
 * anything else is shut down.
 *
 * Return: the connect's answer: @r, -ECONNREFUSED for a full queue, or
 * -EPERM for a connection that was made and ended elsewhere.
 */
int64_t ownserver_end(struct ownserver_set *s, int sock, int hold, int64_t r)
{
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	struct pollfd p = { .fd = sock, .events = POLLOUT };

	if (r != 0 && ownserver_connecting(sock))
		(void)poll(&p, 1, ownserver_closed(s) ? 0 : OWNSERVER_SETTLE_MS);
	if (r != 0 && ownserver_connecting(sock)) {
		(void)connect(sock, &unspec, sizeof(unspec));
		if (r == -EINPROGRESS)
			r = -ECONNREFUSED;
	} else if (!ownserver_verify(sock, hold)) {
		log_debug("a connection to the sandbox's own server ended "
			  "elsewhere: shut down");
		(void)shutdown(sock, SHUT_RDWR);
		if (r == 0 || r == -EINPROGRESS)
			r = -EPERM;
	}
	close(hold);
	return r;
}
