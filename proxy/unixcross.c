// SPDX-License-Identifier: LGPL-2.1-or-later
/* unixcross.c - AF_UNIX abstract names the policy lets cross into the host's network namespace */
/*
 * Theory of operation. An abstract AF_UNIX name belongs to the network
 * namespace of the socket that binds or looks it up, and a socket's
 * namespace is fixed when it is made. So under a unix:@GLOB rule
 * (src/netpolicy.h) govern.c hands every connect, bind and send with an
 * address on an AF_UNIX socket here, with the proxy's own copy of the
 * address (and of a send's data):
 *
 * - A name the policy does not let cross (no rule matches, or a deny rule
 *   matches first), a pathname, an unnamed or autobind address, on a
 *   socket of the sandbox's own namespace: CONTINUE. Whatever the kernel
 *   then reads in the caller's memory, a racing thread's rewrite included,
 *   is looked up in the sandbox's namespace, which holds nothing of the
 *   host's.
 * - An allowed name on a socket of the sandbox's that has neither a name
 *   nor a peer yet: the proxy makes a socket of the same type in its own
 *   (the host's) namespace, with the caller's O_NONBLOCK and the options
 *   that matter (unixcross_opts[], SO_RCVTIMEO, SO_SNDTIMEO), makes the
 *   call on it with its own copy
 *   of the address, and on success puts it at the caller's fd number
 *   (SECCOMP_ADDFD_FLAG_SETFD, the caller's FD_CLOEXEC kept) before
 *   answering: from then on listen(), accept(), reads and writes are the
 *   kernel's, on a socket of the host's. Copies of the old fd made before
 *   (dup(), fork(), SCM_RIGHTS) keep the old socket, and an epoll
 *   registration of the old fd goes with it (epoll watches the file).
 * - An allowed name on a socket of the sandbox's that is already bound or
 *   connected: it cannot move (its name or peer is the sandbox's):
 *   EISCONN when connected, else EADDRNOTAVAIL (EINVAL for a bind, the
 *   kernel's answer for a bound socket).
 * - A socket already moved (one of the host's namespace): the proxy makes
 *   every named call itself on its copy: allowed names as asked, an
 *   autobind or AF_UNSPEC address too; a private abstract name is not
 *   there (ECONNREFUSED, EADDRNOTAVAIL for a bind); a pathname cannot be
 *   resolved by the proxy in the caller's filesystem (EOPNOTSUPP). Letting
 *   the kernel read the caller's address there would let a racing thread
 *   name any host abstract name.
 *
 * Sends the proxy makes carry no control messages (EOPNOTSUPP): SCM_RIGHTS
 * would name the proxy's fds and SCM_CREDENTIALS would be checked against
 * the proxy's privileges. They are made with MSG_DONTWAIT, so a full
 * receiver answers EAGAIN instead of holding the sandbox's serving thread,
 * and the connect that moves a socket to a full listen queue likewise. A
 * moved socket's blocking connect to an allowed name waits as the kernel's
 * would, but on govern.c's connect pool (unixcross_connect_blocks()), not
 * on the serving thread. Once a stream or
 * seqpacket socket is connected its sends are the kernel's (govern.c).
 *
 * Credentials: the kernel records the connecting task at connect() (and
 * the listening task at listen()). A connect the proxy makes shows the
 * host's server the proxy's pid, uid and gid in SO_PEERCRED, and
 * SCM_CREDENTIALS of the datagrams the proxy sends are the proxy's; a
 * stream's later writes are the caller's own. The sandbox's client sees
 * the host server's credentials, mapped into its namespaces as the kernel
 * maps them; a host client of a name the sandbox bound and listens on sees
 * the sandbox's listening process. The proxy cannot forge the caller's
 * credentials: the kernel allows another pid in SCM_CREDENTIALS only with
 * CAP_SYS_ADMIN, and SO_PEERCRED has no setter. So nothing crosses for a
 * sandbox whose owner (struct listener's @owner_uid: the uid of the client
 * that sent its listener) is not the proxy's euid: root's proxy serving
 * another user's shim would show host servers uid 0. Every name of such a
 * sandbox is private (rule "proxy of another user").
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "connlog.h"
#include "log.h"
#include "netpolicy.h"
#include "proxy_int.h"
#include "util.h"

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76 /* Linux 6.5 */
#endif

/* Integer options carried over to the socket put in place of the caller's. */
static const int unixcross_opts[] = {
	SO_PASSCRED, SO_PASSSEC, SO_PASSPIDFD, SO_SNDBUF, SO_RCVBUF,
};

/* struct timeval options carried over likewise. */
static const int unixcross_timeouts[] = { SO_RCVTIMEO, SO_SNDTIMEO };

/* Where an address leads, for the policy. */
enum unixcross_dest {
	UNIXCROSS_OTHER,   /* pathname, unnamed, autobind, not AF_UNIX */
	UNIXCROSS_PRIVATE, /* an abstract name that stays the sandbox's */
	UNIXCROSS_HOST,    /* an abstract name the policy lets cross */
};

/**
 * unixcross_name() - the abstract name of an address, as the policy reads it
 * @sa: our copy of the address
 * @len: its length
 * @name: 108 bytes: the name without its leading NUL, up to the next NUL
 *
 * Trailing NULs (a name padded to sizeof(struct sockaddr_un)) are not
 * matched; a name with other bytes after a NUL matches no rule.
 *
 * Return: 1 for an abstract name, 0 for any other address, -1 for an
 * abstract name no rule can match.
 */
static int unixcross_name(const struct sockaddr_storage *sa, socklen_t len,
			  char name[108])
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
	size_t off = offsetof(struct sockaddr_un, sun_path), n, i;

	if (sa->ss_family != AF_UNIX || len <= off + 1 || un->sun_path[0])
		return 0;
	n = MIN(len - off - 1, sizeof(un->sun_path) - 1);
	memcpy(name, un->sun_path + 1, n);
	name[n] = '\0';
	for (i = strlen(name); i < n; i++)
		if (name[i])
			return -1;
	return 1;
}

/* Where @sa leads under the policy; @ret_rule the rule that said so. */
static enum unixcross_dest unixcross_decide(const struct unixcross_call *u,
					    const struct sockaddr_storage *sa,
					    socklen_t len, bool bind,
					    const char **ret_rule)
{
	struct netpolicy_query q = { .bind = bind, .family = AF_UNIX };
	char name[108];
	int r = unixcross_name(sa, len, name);

	*ret_rule = "default";
	if (r == 0)
		return UNIXCROSS_OTHER;
	if (r < 0)
		return UNIXCROSS_PRIVATE;
	if (u->owner_uid != geteuid()) {
		/* the host's server would see the proxy's uid, not the owner's */
		*ret_rule = "proxy of another user";
		return UNIXCROSS_PRIVATE;
	}
	q.name = name;
	return netpolicy_decide(u->conf->policy, &q, NULL, NULL, 0, ret_rule) ?
	       UNIXCROSS_HOST : UNIXCROSS_PRIVATE;
}

/* Before acting on what was read: it came from the caller (pid reuse). */
static int unixcross_proven(const struct unixcross_call *u)
{
	return notif_id_valid(u->listener, u->req->id) < 0 ? -ENOENT : 0;
}

/*
 * Report an abstract-name call to the connection log: "allow" for one that
 * crossed (with its result), "deny" for one left to the sandbox's own
 * namespace (the kernel's answer there is not seen: errno null).
 */
static void unixcross_log(const struct unixcross_call *u, int sock,
			  const char *call, const struct sockaddr_storage *sa,
			  socklen_t len, enum unixcross_dest d, const char *rule,
			  int64_t result)
{
	bool bind = strcmp(call, "bind") == 0;
	struct connlog_event e = {
		.call = call, .pid = (pid_t)u->req->pid, .proto = NETPOLICY_ANY,
		.sock = sock, .remote = bind ? NULL : sa,
		.bound = bind ? sa : NULL, .len = len,
		.allowed = d == UNIXCROSS_HOST, .rule = rule,
		.result = result < 0 ? (int)result : 0,
	};

	if (!u->conf->connlog || d == UNIXCROSS_OTHER || !sa)
		return;
	if (d == UNIXCROSS_PRIVATE && result == 0 && unixcross_proven(u) < 0)
		return; /* what was read may not be the caller's */
	if (strcmp(call, "send") == 0 && result >= 0 &&
	    !connlog_send_is_new(u->conf->connlog, sock, sa, len))
		return;
	connlog_event(u->conf->connlog, &e);
}

/*
 * Whether the caller's socket has neither a name nor a peer: 0, or the
 * errno a call that would move it gets (@bind: EINVAL for a bound one).
 */
static int unixcross_fresh(const struct unixcross_call *u, bool bind)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);

	if (getpeername(u->sock, (struct sockaddr *)&a, &len) == 0)
		return bind ? -EINVAL : -EISCONN;
	len = sizeof(a);
	if (getsockname(u->sock, (struct sockaddr *)&a, &len) < 0)
		return -errno;
	if (len > sizeof(sa_family_t))
		return bind ? -EINVAL : -EADDRNOTAVAIL;
	return 0;
}

/* Whether the caller's fd has FD_CLOEXEC (its /proc/TID/fdinfo). */
static bool unixcross_cloexec(const struct unixcross_call *u)
{
	g_autofree char *info = NULL;
	unsigned long flags = 0;
	const char *f;
	char path[64];
	size_t len;

	snprintf(path, sizeof(path), "/proc/%u/fdinfo/%d", u->req->pid,
		 (int)u->req->data.args[0]);
	if (util_read_file_bounded(path, 4096, &info, &len, NULL) < 0)
		return true;
	f = strstr(info, "flags:");
	if (!f || sscanf(f + 6, "%lo", &flags) != 1)
		return true;
	return (flags & O_CLOEXEC) != 0;
}

/*
 * A socket of the host's namespace to put in place of the caller's: same
 * type, the options of unixcross_opts[] and unixcross_timeouts[],
 * non-blocking while the proxy uses it. Return: the fd or -errno.
 */
static int unixcross_socket(const struct unixcross_call *u)
{
	int fd, v;
	socklen_t vlen;
	size_t i;

	fd = socket(AF_UNIX, u->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i < G_N_ELEMENTS(unixcross_opts); i++) {
		vlen = sizeof(v);
		if (getsockopt(u->sock, SOL_SOCKET, unixcross_opts[i], &v,
			       &vlen) < 0)
			continue;
		if (unixcross_opts[i] == SO_SNDBUF ||
		    unixcross_opts[i] == SO_RCVBUF)
			v /= 2; /* the kernel doubles what it is given */
		(void)setsockopt(fd, SOL_SOCKET, unixcross_opts[i], &v,
				 sizeof(v));
	}
	for (i = 0; i < G_N_ELEMENTS(unixcross_timeouts); i++) {
		struct timeval tv;

		vlen = sizeof(tv);
		if (getsockopt(u->sock, SOL_SOCKET, unixcross_timeouts[i], &tv,
			       &vlen) == 0 && (tv.tv_sec || tv.tv_usec))
			(void)setsockopt(fd, SOL_SOCKET, unixcross_timeouts[i],
					 &tv, sizeof(tv));
	}
	return fd;
}

/**
 * unixcross_install() - put the host's socket @fd at the caller's fd
 * @u: the call
 * @fd: our socket, the call made on it
 *
 * The caller's O_NONBLOCK is given back to it first (the proxy used it
 * non-blocking).
 *
 * Return: 0 (the call's answer), NOTIF_ANSWERED when the caller is gone,
 * or -errno.
 */
static int64_t unixcross_install(const struct unixcross_call *u, int fd)
{
	int fl = fcntl(u->sock, F_GETFL);
	int r;

	if (fl >= 0 && !(fl & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	r = notif_replacefd(u->listener, u->req->id, fd,
			    (int)u->req->data.args[0], unixcross_cloexec(u));
	if (r == -ENOENT)
		return NOTIF_ANSWERED;
	return r;
}

/* A moved socket's answer for an address that cannot be reached from it. */
static int unixcross_unreachable(enum unixcross_dest d, bool bind)
{
	if (d == UNIXCROSS_PRIVATE)
		return bind ? -EADDRNOTAVAIL : -ECONNREFUSED;
	return -EOPNOTSUPP;
}

/* Whether @sa is one the proxy may pass to the kernel on a moved socket. */
static bool unixcross_harmless(const struct sockaddr_storage *sa,
			       socklen_t len)
{
	return sa->ss_family != AF_UNIX || len <= sizeof(sa_family_t);
}

/**
 * unixcross_connect() - connect(fd, addr, len) on an AF_UNIX socket
 * @u: the call
 * @sa: our copy of the address
 * @len: its length
 *
 * Return: the call's result, NOTIF_CONTINUE or NOTIF_ANSWERED.
 */
int64_t unixcross_connect(const struct unixcross_call *u,
			  const struct sockaddr_storage *sa, socklen_t len)
{
	const char *rule;
	enum unixcross_dest d = unixcross_decide(u, sa, len, false, &rule);
	_cleanup_close_ int fd = -1;
	int64_t r;

	if (!u->moved && d != UNIXCROSS_HOST) {
		unixcross_log(u, u->sock, "connect", sa, len, d, rule, 0);
		return NOTIF_CONTINUE;
	}
	r = unixcross_proven(u);
	if (r == 0 && u->moved) {
		if (d == UNIXCROSS_HOST || unixcross_harmless(sa, len))
			r = connect(u->sock, (const struct sockaddr *)sa, len) < 0 ?
			    -errno : 0;
		else
			r = unixcross_unreachable(d, false);
	} else if (r == 0) {
		r = unixcross_fresh(u, false);
		if (r == 0)
			r = fd = unixcross_socket(u);
		if (r >= 0)
			r = connect(fd, (const struct sockaddr *)sa, len) < 0 ?
			    -errno : 0;
		if (r == 0)
			r = unixcross_install(u, fd);
	}
	unixcross_log(u, fd >= 0 ? fd : u->sock, "connect", sa, len, d, rule, r);
	return r == -ENOENT ? NOTIF_ANSWERED : r;
}

/**
 * unixcross_connect_blocks() - whether a connect is a moved socket's
 * blocking connect to an allowed name, for govern.c's pool
 * @u: the call
 * @sa: our copy of the address
 * @len: its length
 * @ret_rule: the rule that allowed it, when true
 *
 * Such a connect waits while the listener's backlog is full, which the
 * sandbox can arrange itself (listen(0) on another moved socket): made
 * on the serving thread, it would hold every other call of the sandbox.
 * govern.c makes it on a pool thread (govern_connect_async(), which also
 * answers the caller's signals); a non-blocking one, a name that does not
 * cross and a socket still the sandbox's are unixcross_connect()'s.
 *
 * Return: true to make it on the pool.
 */
bool unixcross_connect_blocks(const struct unixcross_call *u,
			      const struct sockaddr_storage *sa,
			      socklen_t len, const char **ret_rule)
{
	int fl;

	if (!u->moved ||
	    unixcross_decide(u, sa, len, false, ret_rule) != UNIXCROSS_HOST)
		return false;
	fl = fcntl(u->sock, F_GETFL);
	return fl >= 0 && !(fl & O_NONBLOCK);
}

/**
 * unixcross_bind() - bind(fd, addr, len) on an AF_UNIX socket
 * @u: the call
 * @sa: our copy of the address
 * @len: its length
 *
 * Return: the call's result, NOTIF_CONTINUE or NOTIF_ANSWERED.
 */
int64_t unixcross_bind(const struct unixcross_call *u,
		       const struct sockaddr_storage *sa, socklen_t len)
{
	const char *rule;
	enum unixcross_dest d = unixcross_decide(u, sa, len, true, &rule);
	_cleanup_close_ int fd = -1;
	int64_t r;

	if (!u->moved && d != UNIXCROSS_HOST) {
		unixcross_log(u, u->sock, "bind", sa, len, d, rule, 0);
		return NOTIF_CONTINUE;
	}
	r = unixcross_proven(u);
	if (r == 0 && u->moved) {
		if (d == UNIXCROSS_HOST || unixcross_harmless(sa, len))
			r = bind(u->sock, (const struct sockaddr *)sa, len) < 0 ?
			    -errno : 0;
		else
			r = unixcross_unreachable(d, true);
	} else if (r == 0) {
		r = unixcross_fresh(u, true);
		if (r == 0)
			r = fd = unixcross_socket(u);
		if (r >= 0)
			r = bind(fd, (const struct sockaddr *)sa, len) < 0 ?
			    -errno : 0;
		if (r == 0)
			r = unixcross_install(u, fd);
	}
	unixcross_log(u, fd >= 0 ? fd : u->sock, "bind", sa, len, d, rule, r);
	return r == -ENOENT ? NOTIF_ANSWERED : r;
}

/**
 * unixcross_send() - a send on an AF_UNIX socket, from our copy
 * @u: the call
 * @mh: our copy of the message: its name (or none), data, control
 * @flags: the caller's flags
 * @proven: the caller was proven after @mh was read (else it is here)
 *
 * Return: the bytes sent, -errno, NOTIF_CONTINUE or NOTIF_ANSWERED.
 */
int64_t unixcross_send(const struct unixcross_call *u, struct msghdr *mh,
		       int flags, bool proven)
{
	const struct sockaddr_storage *sa = mh->msg_name;
	socklen_t len = mh->msg_namelen;
	enum unixcross_dest d = UNIXCROSS_OTHER;
	_cleanup_close_ int fd = -1;
	const char *rule = "default";
	int64_t r;

	if (sa)
		d = unixcross_decide(u, sa, len, false, &rule);
	if (!u->moved && d != UNIXCROSS_HOST) {
		unixcross_log(u, u->sock, "send", sa, len, d, rule, 0);
		return NOTIF_CONTINUE;
	}
	r = proven ? 0 : unixcross_proven(u);
	if (r == 0 && mh->msg_controllen)
		r = -EOPNOTSUPP;
	if (r == 0 && u->moved && sa && d != UNIXCROSS_HOST &&
	    !unixcross_harmless(sa, len))
		r = unixcross_unreachable(d, false);
	if (r == 0 && !u->moved) {
		r = unixcross_fresh(u, false);
		if (r == 0)
			r = fd = unixcross_socket(u);
	}
	if (r >= 0) {
		ssize_t k = sendmsg(u->moved ? u->sock : fd, mh,
				    flags | MSG_DONTWAIT | MSG_NOSIGNAL);
		r = k < 0 ? -errno : k;
	}
	if (r >= 0 && !u->moved) {
		int64_t i = unixcross_install(u, fd);

		if (i == NOTIF_ANSWERED)
			r = -ENOENT;
		else if (i < 0)
			r = i;
	}
	unixcross_log(u, fd >= 0 ? fd : u->sock, "send", sa, len, d, rule, r);
	return r == -ENOENT ? NOTIF_ANSWERED : r;
}

/**
 * unixcross_stays() - whether a send to @sa is left to the kernel
 * @u: the call
 * @sa: our copy of the address, or NULL
 * @len: its length
 *
 * For govern.c, so that the data of a send that stays in the sandbox's
 * namespace are not copied.
 */
bool unixcross_stays(const struct unixcross_call *u,
		     const struct sockaddr_storage *sa, socklen_t len)
{
	const char *rule;

	return !u->moved &&
	       (!sa || unixcross_decide(u, sa, len, false, &rule) != UNIXCROSS_HOST);
}
