// SPDX-License-Identifier: LGPL-2.1-or-later
/* govern.c - connect and bind under a connection policy, decided and made by the proxy (the sends: govern_send.c) */
/*
 * Under a policy (src/netpolicy.h) the filter traps connect(), bind(),
 * sendto() with an address, sendmsg() and sendmmsg() on every fd
 * (TRAP_FILTER_GOVERN). For a socket of the host's (the ones the proxy
 * hands out: SO_NETNS_COOKIE equal to its own), the proxy reads the call's
 * arguments once into its own memory, decides on that copy and makes the
 * call itself, on a pidfd_getfd() copy of the socket: what the caller's
 * memory says afterwards, a racing thread's rewrite included, is never read
 * again. A socket of the sandbox's own namespace (AF_UNIX, or anything it
 * made with the kernel) gets CONTINUE: it reaches nothing of the host's.
 * But the kernel looks the fd up again when it runs a call handed back so,
 * and a racing thread may have put a host socket there by then: hence the
 * sandbox's tasks run in a Landlock domain refusing every TCP connect they
 * make themselves, and every TCP bind (src/landlock.h), and no native call
 * that could make one is handed back: the proxy makes the connects and
 * binds of TCP sockets of the sandbox's own namespaces itself (undecided:
 * they reach nothing of the host's; a privileged port asks the caller's
 * capability, govern_own_bind()), and never hands back a send flagged
 * MSG_FASTOPEN (an implicit connect Landlock does not see). UDP and ICMP
 * are not covered: Landlock has no rules for them.
 * With unix:@GLOB rules, AF_UNIX sockets of the sandbox's namespace and
 * those moved into the host's are handed, with the copies read here, to
 * unixcross.c, which lets allowed abstract names cross.
 *
 * A refused call gets EPERM, what a netfilter OUTPUT drop gives a local
 * program. A blocking connect() is made on a pool thread (bounded
 * per proxy), so the sandbox's other calls go on; the socket's own
 * O_NONBLOCK and SO_SNDTIMEO apply, since it is the same socket.
 *
 * Signals end a blocking connect as they end the kernel's: see connpool.c,
 * which makes it and stands in for the kernel's interruptible wait.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <linux/sockios.h>

#include "connlog.h"
#include "connpool.h"
#include "govern_int.h"
#include "log.h"
#include "netpolicy.h"
#include "netstate.h"
#include "ownserver.h"
#include "proxy_int.h"
#include "util.h"

#define GOVERN_MAX_NS 8

void govern_call_clear(struct govern_call *g)
{
	if (g->sock >= 0)
		close(g->sock);
	target_close(&g->t);
}

/* The socket's SO_DOMAIN (asked for an AF_UNSPEC address, and
 * under unix rules). */
static int govern_domain(const struct govern_call *g)
{
	socklen_t len = sizeof(int);
	int domain = AF_UNSPEC;

	(void)getsockopt(g->sock, SOL_SOCKET, SO_DOMAIN, &domain, &len);
	return domain;
}

/*
 * Whether our copy of a socket was made in the sandbox's own network
 * namespace (SIOCGSKNS: the proxy has CAP_NET_ADMIN over the sandbox's
 * user namespace). A nested namespace's sockets are not the sandbox's and
 * keep the kernel's answer, as everything else of theirs. Until a task
 * was seen to change namespaces, a socket that is not the host's is the
 * sandbox's: nothing is asked.
 */
static bool govern_sandbox_socket(const struct govern_call *g)
{
	_cleanup_close_ int ns = -1;
	struct stat st;

	if (g->netns_ino == 0 || !g->netns_moved)
		return true;
	ns = ioctl(g->sock, SIOCGSKNS);
	return ns >= 0 && fstat(ns, &st) == 0 && st.st_ino == g->netns_ino;
}

/* What unixcross.c is given of @g. */
struct unixcross_call govern_unix(const struct govern_call *g)
{
	return (struct unixcross_call){
		.conf = g->conf, .listener = g->listener,
		.owner_uid = g->owner_uid, .req = g->req, .sock = g->sock, .type = g->type, .moved = g->moved,
	};
}

/* Whether @g's socket is a TCP one (AF_INET/AF_INET6, IPPROTO_TCP). */
static bool govern_is_tcp(const struct govern_call *g)
{
	int domain = govern_domain(g), p = 0;
	socklen_t len = sizeof(p);

	return (domain == AF_INET || domain == AF_INET6) &&
	       g->type == SOCK_STREAM &&
	       getsockopt(g->sock, SOL_SOCKET, SO_PROTOCOL, &p, &len) == 0 &&
	       p == IPPROTO_TCP;
}

/**
 * govern_open() - take the caller's socket and memory for a governed call
 * @g: the call, @conf, @listener and @req filled in
 * @connects: the call may connect or bind a TCP socket (connect(), bind(),
 *	a MSG_FASTOPEN send): one of the sandbox's own namespaces is then
 *	made here too (@g->own_tcp), since Landlock refuses the caller's own
 *
 * An fd that is no socket gets ENOTSOCK here: handed back to the kernel, it
 * would be looked up again, and could be a host socket by then.
 *
 * Return: 0 to decide it here, NOTIF_CONTINUE for a socket of the
 * sandbox's own namespace, NOTIF_ANSWERED when the caller is gone, or
 * -errno to fail the call with (-EBADF: no such fd; -ENOTSOCK; -EPERM: the
 * socket cannot be inspected, so the policy could not be applied).
 */
int64_t govern_open(struct govern_call *g, bool connects)
{
	socklen_t len = sizeof(g->type);
	int r;

	g->sock = -1;
	g->t.memfd = -1;
	r = task_getfd((pid_t)g->req->pid, (int)g->req->data.args[0],
		       g->conf->pidfd_leader_only, &g->sock);
	if (notif_id_valid(g->listener, g->req->id) < 0)
		return NOTIF_ANSWERED;
	if (r == -EBADF)
		return -EBADF;
	if (r < 0) {
		log_warn("pid %u: cannot inspect fd %d under the policy: %s",
			 g->req->pid, (int)g->req->data.args[0], g_strerror(-r));
		return -EPERM;
	}
	if (getsockopt(g->sock, SOL_SOCKET, SO_TYPE, &g->type, &len) < 0)
		return -errno;
	if (g->conf->policy->any_unix && govern_domain(g) == AF_UNIX) {
		g->unix_sock = true;
		g->moved = sockets_host_socket(g->conf, g->sock);
		return g->moved || govern_sandbox_socket(g) ? 0 : NOTIF_CONTINUE;
	}
	if (!sockets_host_socket(g->conf, g->sock)) {
		if (!connects || !govern_is_tcp(g))
			return NOTIF_CONTINUE;
		g->own_tcp = true;
	} else if (g->type != SOCK_STREAM && govern_domain(g) == AF_NETLINK) {
		/*
		 * The host's NETLINK_ROUTE (sockets_do_netlink()): no
		 * destination of the policy's, and the kernel must run the
		 * call as the caller, whose capabilities it checks; made
		 * here, it would be checked against the proxy's. (Netlink
		 * has no stream sockets: a TCP connect asks nothing more.)
		 */
		return NOTIF_CONTINUE;
	}
	g->proto = sockets_policy_proto(g->sock, g->type);
	return 0;
}

/*
 * Copy @len bytes at @addr of the caller (target_read_vm()); what was read
 * is the caller's once govern_proven() says the notification is still
 * pending (then the pid was not reused).
 */
int govern_read(struct govern_call *g, uint64_t addr, void *buf,
		       size_t len)
{
	return target_read_vm((pid_t)g->req->pid, addr, buf, len);
}

/* Before acting on what was read: it came from the caller (pid reuse). */
int govern_proven(const struct govern_call *g)
{
	return notif_id_valid(g->listener, g->req->id) < 0 ? -ENOENT : 0;
}

/**
 * govern_addr() - what a socket address names, for the policy
 * @sa: our copy of it
 * @len: its length
 * @ret_addr: 4 or 16 bytes of address (an IPv4-mapped IPv6 address is
 *	turned into its IPv4 address: it reaches that)
 * @q: family and port filled in
 *
 * Return: true when it is an AF_INET/AF_INET6 address to decide on; false
 * for anything else (AF_UNSPEC, a short one: the kernel's errno then).
 */
/*
 * The shortest IPv6 address the kernel takes (SIN6_LEN_RFC2133: without
 * sin6_scope_id) in connect, bind and the sends: one the policy did not
 * read as IPv6 would go through undecided.
 */
#define GOVERN_SIN6_LEN_MIN offsetof(struct sockaddr_in6, sin6_scope_id)

static bool govern_addr(const struct sockaddr_storage *sa, socklen_t len,
			uint8_t ret_addr[16], struct netpolicy_query *q)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

	if (sa->ss_family == AF_INET && len >= sizeof(*in)) {
		q->family = AF_INET;
		memcpy(ret_addr, &in->sin_addr, 4);
		q->port = ntohs(in->sin_port);
	} else if (sa->ss_family == AF_INET6 && len >= GOVERN_SIN6_LEN_MIN) {
		q->port = ntohs(in6->sin6_port);
		if (memcmp(&in6->sin6_addr, mapped, 12) == 0) {
			q->family = AF_INET;
			memcpy(ret_addr, (const uint8_t *)&in6->sin6_addr + 12, 4);
		} else {
			q->family = AF_INET6;
			memcpy(ret_addr, &in6->sin6_addr, 16);
		}
	} else {
		return false;
	}
	q->addr = ret_addr;
	return true;
}

/* The view's nameservers, parsed (at most GOVERN_MAX_NS). */
static unsigned int govern_nameservers(const struct netstate_snapshot *snap,
				       uint8_t (*ns)[16], int *fam)
{
	unsigned int n = 0;
	char **s;

	if (!snap || !snap->resolv || !snap->resolv->r.servers)
		return 0;
	for (s = snap->resolv->r.servers; *s && n < GOVERN_MAX_NS; s++) {
		memset(ns[n], 0, 16);
		if (inet_pton(AF_INET, *s, ns[n]) == 1)
			fam[n++] = AF_INET;
		else if (inet_pton(AF_INET6, *s, ns[n]) == 1)
			fam[n++] = AF_INET6;
	}
	return n;
}

/**
 * govern_decide() - the policy's verdict on a destination or a bind
 * @g: the call
 * @sa: our copy of the address
 * @len: its length
 * @bind: a bind() (else a destination)
 * @unspec_inet: an AF_UNSPEC address is an IPv4 one here: the kernel reads
 *	it so for a send and a bind on an IPv4 socket (udp_sendmsg(),
 *	raw_sendmsg(), __inet_bind()); for a connect it means "disconnect"
 *
 * The verdict, its rule and the address as decided are kept in @g for the
 * connection log.
 * Return: 0 to go ahead (also for an address that is not IPv4/IPv6: the
 * kernel answers it on our copy), -EPERM when refused.
 */
int govern_decide(struct govern_call *g,
			 const struct sockaddr_storage *sa, socklen_t len,
			 bool bind, bool unspec_inet)
{
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *snap = NULL;
	uint8_t addr[16], ns[GOVERN_MAX_NS][16];
	int fam[GOVERN_MAX_NS];
	struct netpolicy_query q = { .bind = bind, .proto = g->proto };
	const char *rule = "";
	char text[INET6_ADDRSTRLEN];
	unsigned int n;
	bool ok;

	g->decided = false;
	if (g->own_tcp)
		return 0; /* of the sandbox's own namespace: reaches no host */
	g->where = *sa;
	g->where_len = len;
	if (unspec_inet && sa->ss_family == AF_UNSPEC &&
	    len >= sizeof(struct sockaddr_in) && govern_domain(g) == AF_INET)
		g->where.ss_family = AF_INET;
	if (!govern_addr(&g->where, len, addr, &q))
		return 0;
	snap = proxy_model_get(g->conf->model);
	n = govern_nameservers(snap, ns, fam);
	ok = netpolicy_decide(g->conf->policy, &q, (const uint8_t (*)[16])ns,
			      fam, n, &rule);
	g->decided = true;
	g->allowed = ok;
	g->rule = rule;
	if (!ok) {
		inet_ntop(q.family, addr, text, sizeof(text));
		log_debug("pid %u: %s %s port %u refused by '%s'", g->req->pid,
			  bind ? "bind" : "to", text, q.port, rule);
	}
	return ok ? 0 : -EPERM;
}

/* Copy a socket address of @len bytes at @ptr into @sa. */
int govern_read_addr(struct govern_call *g, uint64_t ptr,
			    socklen_t len, struct sockaddr_storage *sa)
{
	memset(sa, 0, sizeof(*sa));
	if ((int)len < 0 || len > sizeof(*sa))
		return -EINVAL;
	return len == 0 ? 0 : govern_read(g, ptr, sa, len);
}

/* What the connection log is told of a decided call @g. */
static struct connlog_event govern_event(const struct govern_call *g,
					 const char *call, int64_t result)
{
	bool bind = strcmp(call, "bind") == 0;

	return (struct connlog_event){
		.call = call, .pid = (pid_t)g->req->pid, .proto = g->proto,
		.sock = g->sock, .remote = bind ? NULL : &g->where,
		.bound = bind ? &g->where : NULL, .len = g->where_len,
		.allowed = g->allowed, .rule = g->rule,
		.result = result < 0 ? (int)result : 0,
	};
}

/**
 * govern_log() - report a decided call to the connection log, if any
 * @g: the call, decided (else nothing is reported)
 * @call: "connect", "bind" or "send"
 * @result: what the call gave (0, a count, or -errno)
 *
 * The address is the one decided on (@g->where). A refusal is reported
 * only once the caller is proven (what was read is its own); an allowed
 * call was proven before it was made. An allowed send is reported the
 * first time its socket reaches the destination (a failed one each time:
 * the pair counts once a send went through).
 */
void govern_log(const struct govern_call *g, const char *call,
		       int64_t result)
{
	struct connlog_event e = govern_event(g, call, result);

	if (!g->conf->connlog || !g->decided || result == -ENOENT)
		return;
	if (!g->allowed && govern_proven(g) < 0)
		return;
	if (g->allowed && result >= 0 && strcmp(call, "send") == 0 &&
	    !connlog_send_is_new(g->conf->connlog, g->sock, &g->where,
				 g->where_len))
		return;
	connlog_event(g->conf->connlog, &e);
}

/**
 * govern_connect_async() - make a blocking connect on a pool thread
 * @g: the call (its socket is handed to the pool on success)
 * @sa, @len: our copy of the address, as connected to
 * @hold: the sandbox's own listener it goes to (ownserver.c),
 *	or NULL; the pool's (*@hold set to -1) when it answers
 *
 * See connpool.c: answered by a pool thread, or by its watcher for a
 * signal; past the pool's bound the caller connects in place.
 *
 * Return: NOTIF_ANSWERED when the pool answers, or -errno (the caller then
 * connects in place).
 */
static int64_t govern_connect_async(struct govern_call *g,
				    const struct sockaddr_storage *sa,
				    socklen_t len, int *hold)
{
	struct connpool_req r = {
		.listener = g->listener, .journal = g->journal,
		.id = g->req->id, .tid = (pid_t)g->req->pid, .sock = g->sock,
		.sa = sa, .len = len, .where = g->decided ? &g->where : sa,
		.hold = hold ? *hold : -1, .own = hold ? g->own : NULL,
	};
	int64_t ret;

	if (g->conf->connlog && g->decided) {
		r.log = g->conf->connlog;
		r.event = govern_event(g, "connect", 0);
	}
	ret = connpool_submit(&r);
	if (ret == NOTIF_ANSWERED) {
		g->sock = -1; /* the pool's now */
		if (hold)
			*hold = -1;
	}
	return ret;
}

/* Whether @sa is on the host's loopback (127.0.0.0/8, ::1, mapped). */
static bool govern_loopback(const struct sockaddr_storage *sa, socklen_t len)
{
	struct netpolicy_query q = { 0 };
	uint8_t a[16];
	static const uint8_t one[16] = { [15] = 1 };

	if (!govern_addr(sa, len, a, &q))
		return false;
	return q.family == AF_INET ? a[0] == 127 : memcmp(a, one, 16) == 0;
}

/*
 * A connect or bind on an AF_UNIX socket: unixcross.c's, on our copies,
 * but a moved socket's blocking connect to an allowed name is made on the
 * pool (a full backlog would hold the serving thread), reported to the
 * connection log as unixcross.c reports its own.
 */
static int64_t govern_unix_addr(struct govern_call *g, bool bind,
				const struct sockaddr_storage *sa,
				socklen_t len)
{
	struct unixcross_call u = govern_unix(g);
	const char *rule;
	int64_t r;

	if (bind)
		return unixcross_bind(&u, sa, len);
	if (!unixcross_connect_blocks(&u, sa, len, &rule))
		return unixcross_connect(&u, sa, len);
	r = govern_proven(g);
	if (r < 0)
		return NOTIF_ANSWERED; /* the caller is gone */
	g->decided = true;
	g->allowed = true;
	g->rule = rule;
	g->proto = NETPOLICY_ANY;
	g->where = *sa;
	g->where_len = len;
	r = govern_connect_async(g, sa, len, NULL);
	if (r != NOTIF_ANSWERED) {
		r = connect(g->sock, (const struct sockaddr *)sa, len) < 0 ?
		    -errno : 0;
		govern_log(g, "connect", r);
	}
	return r;
}

/*
 * A TCP connect to the host's loopback that only the policy's defaults
 * refused ("default", "no-host-loopback"; an explicit --deny stands): let
 * through when it goes to a listening socket of the sandbox's own that
 * alone can take it (ownserver.c); a connect to "any" is then made to the
 * loopback address checked (@sa rewritten). Return: our copy of that
 * listener, to hold until the handshake ended; -ECONNREFUSED when nothing listens there (the
 * sandbox's server may not be up yet: clients retry on that); or -EPERM.
 */
static int govern_own_server(struct govern_call *g,
			     struct sockaddr_storage *sa, socklen_t len)
{
	struct sockaddr_storage at = *sa; /* a published PORT's HOSTPORT */
	int hold;

	if (!g->decided || g->allowed || g->own_tcp ||
	    g->proto != NETPOLICY_TCP ||
	    (strcmp(g->rule, "default") != 0 &&
	     strcmp(g->rule, "no-host-loopback") != 0))
		return -EPERM;
	(void)publish_connect_port(g->conf, g->proto, &at, len);
	hold = ownserver_hold(g->own, g->conf->pidfd_leader_only, &at, len);
	if (hold < 0)
		return hold;
	g->allowed = true;
	g->rule = "own server";
	ownserver_pin_any(sa, len);
	return hold;
}

/**
 * govern_connect() - connect(fd, addr, len) under the policy
 * @l: the caller's listener
 * @req: the notification
 *
 * Return: the call's result, NOTIF_CONTINUE or NOTIF_ANSWERED.
 */
int64_t govern_connect(const struct listener *l,
		       const struct seccomp_notif *req)
{
	struct govern_call g = GOVERN_CALL(l, req);
	struct sockaddr_storage sa;
	socklen_t len = (socklen_t)req->data.args[2];
	int64_t r;
	int fl, hold = -1;

	r = govern_open(&g, true);
	/* the kernel's connect() copies the address before it asks for a socket */
	if (r == 0 || r == -ENOTSOCK) {
		int64_t k = govern_read_addr(&g, req->data.args[1], len, &sa);

		r = k < 0 ? k : r;
	}
	if (r == 0 && g.unix_sock) {
		r = govern_unix_addr(&g, false, &sa, len);
		govern_call_clear(&g);
		return r;
	}
	if (r == 0)
		r = govern_decide(&g, &sa, len, false, false);
	if (r == -EPERM) {
		hold = govern_own_server(&g, &sa, len);
		r = hold >= 0 ? 0 : hold == -ECONNREFUSED ? hold : r;
	}
	if (r == 0)
		r = govern_proven(&g);
	if (r == 0) {
		/* a published PORT on a local address: its HOSTPORT */
		bool own = g.own_tcp ||
			   publish_connect_port(g.conf, g.proto, &sa, len);

		/*
		 * Blocking: on a pool thread, or here when that fails. To the
		 * host's loopback the handshake is done within connect() (a
		 * full listen queue aside), so it is made here: a hop to
		 * another thread would cost more than the call. Not to a
		 * published port, nor to the sandbox's own server, nor in a
		 * namespace of the sandbox's: the sandbox's own server, whose
		 * full accept queue the sandbox controls, would hold the
		 * serving thread for the SYN retries (about 127 s), and
		 * signals with it.
		 */
		fl = fcntl(g.sock, F_GETFL);
		if (fl >= 0 && !(fl & O_NONBLOCK) &&
		    (own || hold >= 0 || !govern_loopback(&sa, len)))
			r = govern_connect_async(&g, &sa, len,
						 hold >= 0 ? &hold : NULL);
		if (r != NOTIF_ANSWERED)
			r = connect(g.sock, (struct sockaddr *)&sa, len) < 0 ?
			    -errno : 0;
	}
	if (hold >= 0) { /* made here, or the caller is gone */
		int64_t made = r;

		r = ownserver_end(g.own, g.sock, hold, r);
		hold = -1;
		if (r == -EPERM && made != -EPERM) { /* it ended elsewhere */
			g.allowed = false;
			g.rule = OWNSERVER_ELSEWHERE;
		}
	}
	if (r != NOTIF_ANSWERED)
		govern_log(&g, "connect", r);
	govern_call_clear(&g);
	return r == -ENOENT ? NOTIF_ANSWERED : r;
}

/**
 * govern_publish_connect() - connect(fd, addr, len) with published ports
 * and no policy
 * @l: the caller's listener
 * @req: the notification
 *
 * publish.c decides whether the proxy makes it (a PORT on a local
 * address: its HOSTPORT); a blocking one is made on the pool, as a
 * governed one is, since a full accept queue of the published server
 * makes it wait the SYN retries (about 127 s).
 *
 * Return: the call's result, NOTIF_CONTINUE or NOTIF_ANSWERED.
 */
int64_t govern_publish_connect(const struct listener *l,
			       const struct seccomp_notif *req)
{
	struct govern_call g = GOVERN_CALL(l, req);
	struct publish_call c;
	int64_t r;
	int fl;

	r = publish_connect_open(l->conf, l->fd, req, &c);
	if (r != 0)
		return r;
	g.sock = c.sock;
	fl = fcntl(g.sock, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		r = govern_connect_async(&g, &c.sa, c.len, NULL);
	if (r != NOTIF_ANSWERED)
		r = connect(g.sock, (struct sockaddr *)&c.sa, c.len) < 0 ?
		    -errno : 0;
	if (g.sock >= 0)
		close(g.sock);
	return r;
}

/* Binding below this port needs CAP_NET_BIND_SERVICE (sysctl default). */
#define GOVERN_PRIVILEGED_PORTS 1024

/*
 * A bind the proxy makes for a TCP socket of the sandbox's own namespaces
 * (Landlock refuses the caller's own): to a port below 1024 the kernel
 * lets the caller bind only with CAP_NET_BIND_SERVICE over that
 * namespace's user namespace; the proxy, which holds it there as their
 * owner, asks the caller's (task_capable()). That namespace's
 * ip_unprivileged_port_start is not known here: its default is taken.
 * Return: 0, -EACCES as the kernel's refusal, or -ENOENT (caller gone).
 */
static int govern_own_bind(const struct govern_call *g,
			   const struct sockaddr_storage *sa, socklen_t len)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
	_cleanup_close_ int net = -1, user = -1;
	unsigned int port;
	int r;

	if (len < sizeof(*in) || (sa->ss_family != AF_INET &&
				  sa->ss_family != AF_INET6 &&
				  sa->ss_family != AF_UNSPEC))
		return 0; /* the kernel's errno, on our copy */
	/* sin_port and sin6_port lie at the same offset */
	port = ntohs(in->sin_port);
	if (port == 0 || port >= GOVERN_PRIVILEGED_PORTS)
		return 0;
	net = ioctl(g->sock, SIOCGSKNS);
	user = net >= 0 ? ioctl(net, NS_GET_USERNS) : -1;
	if (user < 0)
		return -EACCES;
	r = task_capable((pid_t)g->req->pid, user, CAP_NET_BIND_SERVICE);
	return r > 0 ? 0 : r == 0 ? -EACCES : -ENOENT;
}

/**
 * govern_bind() - bind(fd, addr, len) under the policy
 * @l: the caller's listener
 * @req: the notification
 *
 * Return: the call's result, NOTIF_CONTINUE or NOTIF_ANSWERED.
 */
int64_t govern_bind(const struct listener *l, const struct seccomp_notif *req)
{
	struct govern_call g = GOVERN_CALL(l, req);
	struct sockaddr_storage sa;
	socklen_t len = (socklen_t)req->data.args[2];
	int64_t r;

	r = govern_open(&g, true);
	if (r == 0)
		r = govern_read_addr(&g, req->data.args[1], len, &sa);
	if (r == 0 && g.own_tcp)
		r = govern_own_bind(&g, &sa, len);
	if (r == 0 && g.unix_sock) {
		r = govern_unix_addr(&g, true, &sa, len);
		govern_call_clear(&g);
		return r;
	}
	if (r == 0)
		r = govern_decide(&g, &sa, len, true, true);
	if (r == 0)
		r = govern_proven(&g);
	if (r == 0) {
		struct sockaddr_storage at = sa; /* PORT's HOSTPORT, if any */

		if (!g.own_tcp)
			r = publish_bind_port(g.conf, g.proto, &at, len);
		if (r == 0)
			r = bind(g.sock, (struct sockaddr *)&at, len) < 0 ?
			    -errno : 0;
		if (!g.own_tcp) /* a HOSTPORT the host refused: said once */
			publish_bind_result(g.conf, g.proto, &sa, &at, len,
					    (pid_t)req->pid, (int)r);
		if (r == 0 && !g.own_tcp && g.proto == NETPOLICY_TCP)
			ownserver_note_bind(g.own, g.conf->pidfd_leader_only,
					    (pid_t)req->pid,
					    (int)req->data.args[0], g.sock);
	}
	govern_log(&g, "bind", r);
	govern_call_clear(&g);
	return r == -ENOENT ? NOTIF_ANSWERED : r;
}
