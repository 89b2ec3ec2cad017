// SPDX-License-Identifier: LGPL-2.1-or-later
/* publish.c - --publish=HOSTPORT:PORT[/udp]: a sandbox's PORT served on the host's HOSTPORT */
/*
 * With published ports the filter traps bind(), connect() and getsockname()
 * on every fd (TRAP_FILTER_PUBLISH). Each handler first reads only what
 * the call names (the port of its address, or the fd's local port) and
 * lets the kernel run every call that does not involve a published port
 * (NOTIF_CONTINUE): the sandbox's sockets are the host's, publishing is no
 * security boundary, so what the caller's memory says after the look is of
 * no concern there. For a call that does, the proxy makes it itself on a
 * pidfd_getfd() copy of a socket of the host's:
 *
 *  bind(PORT)             binds HOSTPORT instead, same address; when the
 *                         host refuses it (EADDRINUSE: a host program has
 *                         it; EACCES: a privileged port), the caller gets
 *                         that errno, and stderr says once which
 *                         --publish and host port (publish_bind_result()):
 *                         the program inside only knows it asked for PORT;
 *  bind(HOSTPORT)         EADDRINUSE (unless HOSTPORT is also a PORT): the
 *                         host port is the published server's, and a
 *                         socket there would be told PORT;
 *  connect(local, PORT)   connects to HOSTPORT, where the destination is a
 *                         local address of the host (the loopback, the
 *                         unspecified address, an address of an interface:
 *                         the kernel's route lookup decides);
 *  getsockname()          a socket whose local port is a HOSTPORT (the
 *                         listener, the connections it accepted) is told
 *                         PORT. No table: the local port says it.
 *
 * Under a connection policy govern.c makes bind and connect and asks
 * publish_bind_port() and publish_connect_port() for the port; the policy
 * decides on the address the sandbox named (PORT).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "netpolicy.h"
#include "proxy_int.h"
#include "util.h"

/* The port of an AF_INET/AF_INET6 address of @len bytes, or NULL. */
static in_port_t *publish_port_of(struct sockaddr_storage *sa, socklen_t len)
{
	if (sa->ss_family == AF_INET && len >= sizeof(struct sockaddr_in))
		return &((struct sockaddr_in *)sa)->sin_port;
	if (sa->ss_family == AF_INET6 &&
	    len >= offsetof(struct sockaddr_in6, sin6_scope_id))
		return &((struct sockaddr_in6 *)sa)->sin6_port;
	return NULL;
}

/* Whether @port is a PORT (@host: a HOSTPORT) published for any protocol. */
static bool publish_any(const struct netpolicy *p, uint16_t port, bool host)
{
	if (host)
		return netpolicy_published_host_port(p, NETPOLICY_TCP, port) ||
		       netpolicy_published_host_port(p, NETPOLICY_UDP, port);
	return netpolicy_published_port(p, NETPOLICY_TCP, port) ||
	       netpolicy_published_port(p, NETPOLICY_UDP, port);
}

/**
 * publish_bind_port() - the port a bind() is made on
 * @conf: shared configuration (@conf->publish may be NULL)
 * @proto: the socket's protocol
 * @sa: our copy of the address; its port is rewritten to HOSTPORT when it
 *	names a published PORT
 * @len: its length
 *
 * Return: 0, or -EADDRINUSE for a bind to a published HOSTPORT that is not
 * also a PORT.
 */
int publish_bind_port(const struct proxy_conf *conf,
		      enum netpolicy_proto proto, struct sockaddr_storage *sa,
		      socklen_t len)
{
	in_port_t *pp = publish_port_of(sa, len);
	uint16_t port, host;

	if (!conf->publish || !pp || *pp == 0)
		return 0;
	port = ntohs(*pp);
	host = netpolicy_published_port(conf->publish, proto, port);
	if (host) {
		*pp = htons(host);
		return 0;
	}
	return netpolicy_published_host_port(conf->publish, proto, port) ?
	       -EADDRINUSE : 0;
}

/* The index of the --publish naming PORT @port for @proto, or -1. */
static int publish_index(const struct netpolicy *p, enum netpolicy_proto proto,
			 uint16_t port)
{
	guint i;

	for (i = 0; i < p->publish->len; i++) {
		const struct netpolicy_publish *x =
			&g_array_index(p->publish, struct netpolicy_publish, i);

		if (x->proto == proto && x->port == port)
			return (int)i;
	}
	return -1;
}

/* Why the host refuses a bind with @err, in words for the warning. */
static const char *publish_why(int err)
{
	return err == EADDRINUSE ?
	       "another socket, the host's or a sandbox's, has that port" :
	       "the host lets only privileged users bind that port";
}

/**
 * publish_bind_result() - say once why a published PORT's bind failed
 * @conf: shared configuration (@conf->publish may be NULL)
 * @proto: the socket's protocol
 * @asked: the address the sandbox named (our copy, before
 *	publish_bind_port() rewrote it)
 * @at: the address bound (HOSTPORT in it, for a published PORT)
 * @len: the length of both
 * @pid: the caller
 * @result: the bind's result, 0 or -errno (passed on to the caller as it is)
 *
 * The program inside asked for PORT and gets the host's errno for
 * HOSTPORT, which nothing inside explains: the proxy says it on stderr,
 * once per --publish for EADDRINUSE and EACCES (a server retrying its bind
 * in a loop makes one line), and again only after a bind of it succeeded.
 * Other errnos are the program's own doing (EINVAL: bound already;
 * EADDRNOTAVAIL: not a local address) and are not said.
 */
void publish_bind_result(const struct proxy_conf *conf,
			 enum netpolicy_proto proto,
			 const struct sockaddr_storage *asked,
			 const struct sockaddr_storage *at, socklen_t len,
			 pid_t pid, int result)
{
	/* publish_port_of() only points into them; nothing is written */
	in_port_t *ap = publish_port_of((struct sockaddr_storage *)asked, len);
	in_port_t *pp = publish_port_of((struct sockaddr_storage *)at, len);
	const struct netpolicy_publish *x;
	char text[INET6_ADDRSTRLEN] = "?";
	uint16_t port;
	int i;

	if (!conf->publish || !ap || !pp || *ap == 0)
		return;
	port = ntohs(*ap);
	i = publish_index(conf->publish, proto, port);
	if (i < 0 || i >= NETPOLICY_MAX_PUBLISH)
		return;
	x = &g_array_index(conf->publish->publish, struct netpolicy_publish,
			   (guint)i);
	if (ntohs(*pp) != x->host_port)
		return;
	if (result == 0) {
		g_atomic_int_set(&conf->publish_said[i], 0);
		return;
	}
	if ((result != -EADDRINUSE && result != -EACCES) ||
	    !g_atomic_int_compare_and_exchange(&conf->publish_said[i], 0, 1))
		return;
	inet_ntop(at->ss_family, at->ss_family == AF_INET ?
		  (const void *)&((const struct sockaddr_in *)at)->sin_addr :
		  (const void *)&((const struct sockaddr_in6 *)at)->sin6_addr,
		  text, sizeof(text));
	log_warn("--publish=%s: pid %d's bind of %s port %u cannot take host "
		 "port %u (%s): %s; it gets %s (said once until a bind of "
		 "it succeeds)", x->text, (int)pid, text, port, x->host_port,
		 publish_why(-result), g_strerror(-result),
		 strerrorname_np(-result));
}

/*
 * Whether @sa is a local address of the host. Asked of the kernel: a UDP
 * socket connected to it (no packet is sent) gets the address itself as
 * its source exactly when the route is a local one. The unspecified
 * address means the loopback to connect().
 */
static bool publish_local(const struct sockaddr_storage *sa, socklen_t len)
{
	static const uint8_t any6[16];
	struct sockaddr_storage src;
	socklen_t slen = sizeof(src);
	_cleanup_close_ int s = -1;

	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		if (in->sin_addr.s_addr == htonl(INADDR_ANY))
			return true;
	} else if (memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, any6,
			  16) == 0) {
		return true;
	}
	s = socket(sa->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (const struct sockaddr *)sa, len) < 0 ||
	    getsockname(s, (struct sockaddr *)&src, &slen) < 0)
		return false;
	if (sa->ss_family == AF_INET)
		return ((struct sockaddr_in *)&src)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
	return memcmp(&((struct sockaddr_in6 *)&src)->sin6_addr,
		      &((const struct sockaddr_in6 *)sa)->sin6_addr, 16) == 0;
}

/**
 * publish_connect_port() - the port a connect() is made to
 * @conf: shared configuration (@conf->publish may be NULL)
 * @proto: the socket's protocol
 * @sa: our copy of the address; its port is rewritten to HOSTPORT when it
 *	names a published PORT on a local address of the host
 * @len: its length
 *
 * Return: true when @sa was rewritten.
 */
bool publish_connect_port(const struct proxy_conf *conf,
			  enum netpolicy_proto proto,
			  struct sockaddr_storage *sa, socklen_t len)
{
	in_port_t *pp = publish_port_of(sa, len);
	uint16_t host;

	if (!conf->publish || !pp || *pp == 0)
		return false;
	host = netpolicy_published_port(conf->publish, proto, ntohs(*pp));
	if (!host || !publish_local(sa, len))
		return false;
	*pp = htons(host);
	return true;
}

/**
 * publish_open() - read a bind()/connect()'s address; take the socket when
 * the port is published
 * @conf: shared configuration
 * @listener: the listener fd
 * @req: the notification
 * @host: look for a HOSTPORT too (bind)
 * @c: filled in
 *
 * Return: 0 when the call is the proxy's to make, NOTIF_CONTINUE for the
 * kernel's, NOTIF_ANSWERED when the caller is gone.
 */
static int64_t publish_open(const struct proxy_conf *conf, int listener,
			    const struct seccomp_notif *req, bool host,
			    struct publish_call *c)
{
	socklen_t tlen = sizeof(int);
	in_port_t *pp;
	int type, r;

	c->sock = -1;
	c->len = (socklen_t)req->data.args[2];
	memset(&c->sa, 0, sizeof(c->sa));
	if (c->len < sizeof(struct sockaddr_in) || c->len > sizeof(c->sa) ||
	    target_read_vm((pid_t)req->pid, req->data.args[1], &c->sa,
			    c->len) < 0)
		return NOTIF_CONTINUE;
	pp = publish_port_of(&c->sa, c->len);
	if (!pp || *pp == 0 ||
	    !(publish_any(conf->publish, ntohs(*pp), false) ||
	      (host && publish_any(conf->publish, ntohs(*pp), true))))
		return NOTIF_CONTINUE;
	r = task_getfd((pid_t)req->pid, (int)req->data.args[0],
		       conf->pidfd_leader_only, &c->sock);
	if (notif_id_valid(listener, req->id) < 0)
		return NOTIF_ANSWERED;
	if (r < 0 || getsockopt(c->sock, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 ||
	    !sockets_host_socket(conf, c->sock))
		return NOTIF_CONTINUE;
	c->proto = sockets_policy_proto(c->sock, type);
	return 0;
}

/**
 * publish_bind() - bind(fd, addr, len) with published ports, no policy
 * @conf: shared configuration, @conf->publish set
 * @listener: the listener fd
 * @req: the notification
 *
 * Return: the call's result, NOTIF_CONTINUE or NOTIF_ANSWERED.
 */
int64_t publish_bind(const struct proxy_conf *conf, int listener,
		     const struct seccomp_notif *req)
{
	struct sockaddr_storage asked;
	struct publish_call c;
	int64_t r;

	r = publish_open(conf, listener, req, true, &c);
	if (r == 0) {
		asked = c.sa; /* for publish_bind_result() */
		r = publish_bind_port(conf, c.proto, &c.sa, c.len);
	}
	if (r == 0 && notif_id_valid(listener, req->id) < 0)
		r = NOTIF_ANSWERED;
	if (r == 0) {
		r = bind(c.sock, (struct sockaddr *)&c.sa, c.len) < 0 ? -errno : 0;
		publish_bind_result(conf, c.proto, &asked, &c.sa, c.len,
				    (pid_t)req->pid, (int)r);
	}
	if (c.sock >= 0)
		close(c.sock);
	return r;
}

/**
 * publish_connect_open() - a connect() with published ports, no policy:
 * whether the proxy makes it
 * @conf: shared configuration, @conf->publish set
 * @listener: the listener fd
 * @req: the notification
 * @c: filled in: the socket (ours to close) and the address, its PORT
 *	rewritten to HOSTPORT
 *
 * The connect itself is govern_publish_connect()'s, on the connect pool
 * for a blocking socket: a full accept queue of the published server
 * would hold the serving thread for the SYN retries (about 127 s).
 *
 * Return: 0 when the proxy connects @c->sock to @c->sa, else
 * NOTIF_CONTINUE or NOTIF_ANSWERED (then @c->sock is -1).
 */
int64_t publish_connect_open(const struct proxy_conf *conf, int listener,
			     const struct seccomp_notif *req,
			     struct publish_call *c)
{
	int64_t r;

	r = publish_open(conf, listener, req, false, c);
	if (r == 0 && !publish_connect_port(conf, c->proto, &c->sa, c->len))
		r = NOTIF_CONTINUE;
	if (r == 0 && notif_id_valid(listener, req->id) < 0)
		r = NOTIF_ANSWERED;
	if (r != 0 && c->sock >= 0) {
		close(c->sock);
		c->sock = -1;
	}
	return r;
}

/* Write @sa (@slen bytes) to the caller's getsockname() buffers. */
static int64_t publish_tell(int listener, const struct seccomp_notif *req,
			    const struct sockaddr_storage *sa, socklen_t slen)
{
	struct target t = { .memfd = -1 };
	socklen_t ulen;
	int64_t r;

	r = target_read_vm((pid_t)req->pid, req->data.args[2], &ulen,
			    sizeof(ulen));
	if (r < 0)
		return -EFAULT;
	if ((int)ulen < 0)
		return -EINVAL;
	r = target_open(listener, req->id, (pid_t)req->pid, &t);
	if (r == 0)
		r = target_write(&t, req->data.args[1], sa, MIN(ulen, slen));
	if (r == 0)
		r = target_write(&t, req->data.args[2], &slen, sizeof(slen));
	target_close(&t);
	return r == -ENOENT ? NOTIF_ANSWERED : r < 0 ? -EFAULT : 0;
}

/**
 * publish_getsockname() - getsockname(fd, addr, lenp) with published ports
 * @conf: shared configuration, @conf->publish set
 * @listener: the listener fd
 * @req: the notification
 *
 * A socket of the host's whose local port is a published HOSTPORT is told
 * PORT; any other call is the kernel's.
 *
 * Return: the call's result, NOTIF_CONTINUE or NOTIF_ANSWERED.
 */
int64_t publish_getsockname(const struct proxy_conf *conf, int listener,
			    const struct seccomp_notif *req)
{
	struct sockaddr_storage sa;
	socklen_t slen = sizeof(sa), tlen = sizeof(int);
	_cleanup_close_ int sock = -1;
	in_port_t *pp;
	uint16_t port;
	int type, r;

	r = task_getfd((pid_t)req->pid, (int)req->data.args[0],
		       conf->pidfd_leader_only, &sock);
	if (r < 0 || getsockname(sock, (struct sockaddr *)&sa, &slen) < 0)
		return NOTIF_CONTINUE;
	pp = publish_port_of(&sa, slen);
	if (!pp || !publish_any(conf->publish, ntohs(*pp), true) ||
	    getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 ||
	    !sockets_host_socket(conf, sock))
		return NOTIF_CONTINUE;
	port = netpolicy_published_host_port(conf->publish,
					     sockets_policy_proto(sock, type),
					     ntohs(*pp));
	if (!port)
		return NOTIF_CONTINUE;
	*pp = htons(port);
	return publish_tell(listener, req, &sa, slen);
}
