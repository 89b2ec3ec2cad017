// SPDX-License-Identifier: LGPL-2.1-or-later
/* sockets.c - create sockets in the host's network namespace and inject them into the sandbox */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>

#include "log.h"
#include "netstate.h"
#include "proxy_int.h"
#include "util.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14 */
#endif

#ifndef SOCK_TYPE_MASK
#define SOCK_TYPE_MASK 0xf
#endif

/**
 * sockets_cap_net_raw() - whether the caller holds CAP_NET_RAW over the
 * proxy's network namespace
 * @listener: the listener fd
 * @req: the notification
 *
 * The proxy creates sockets with its own credentials, so a proxy running as
 * root must not hand a raw socket to a sandbox that could not make one on
 * the host: the caller must hold CAP_NET_RAW over the user namespace that
 * owns the proxy's network namespace, as the kernel would ask of it there
 * (task_capable()); a sandbox in a child user namespace (unshare -r, lxnet
 * run) never does. Read from /proc, then checked with
 * SECCOMP_IOCTL_NOTIF_ID_VALID (pid reuse).
 *
 * Return: 1 allowed, 0 not, -ENOENT target gone.
 */
static int sockets_cap_net_raw(int listener, const struct seccomp_notif *req)
{
	_cleanup_close_ int net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int user = net >= 0 ? ioctl(net, NS_GET_USERNS) : -1;
	int r = user >= 0 ? task_capable((pid_t)req->pid, user, CAP_NET_RAW) : 0;

	if (notif_id_valid(listener, req->id) < 0)
		return -ENOENT;
	return r > 0;
}

/*
 * Under a connection policy, whether a host socket of @type and @protocol
 * may be made: TCP, UDP (and UDP-Lite), ICMP echo, raw. Landlock, which
 * refuses the sandbox's own TCP connects and binds (govern.c), sees TCP
 * only, and a socket put at the number of a call handed back to the
 * kernel is connected or bound by it: an MPTCP one is refused as by a host
 * with net.mptcp.enabled=0 (ENOPROTOOPT; programs fall back to TCP), any
 * other (SCTP, SMC) as by a host without its module (EPROTONOSUPPORT),
 * which also keeps SCTP's connect and bind by setsockopt() out.
 * Return: 0, or the -errno to fail socket() with.
 */
static int sockets_policy_protocol(int type, int protocol)
{
	switch (type & SOCK_TYPE_MASK) {
	case SOCK_STREAM:
		if (protocol == IPPROTO_MPTCP)
			return -ENOPROTOOPT;
		return protocol == 0 || protocol == IPPROTO_TCP ?
		       0 : -EPROTONOSUPPORT;
	case SOCK_DGRAM:
		return protocol == 0 || protocol == IPPROTO_UDP ||
		       protocol == IPPROTO_UDPLITE || protocol == IPPROTO_ICMP ||
		       protocol == IPPROTO_ICMPV6 ? 0 : -EPROTONOSUPPORT;
	case SOCK_RAW:
		return 0;
	default:
		return -EPROTONOSUPPORT;
	}
}

/*
 * sockets_socket_uncapable() - socket() made with no effective capability
 * on this thread, so that the file's credentials hold none
 *
 * The kernel takes a netlink request sent without an explicit destination
 * only when the socket's opener (file->f_cred, __netlink_ns_capable())
 * and its sender both hold CAP_NET_ADMIN over the namespace: the opener
 * check keeps a set-uid program from being made to write() a request to
 * an unprivileged user's netlink socket (CVE-2014-0181). Made by a proxy
 * running as root, the sandbox's NETLINK_ROUTE socket would pass it for
 * anyone it is handed to. capset() changes the calling thread only; the
 * effective set is restored from the permitted one, which stays.
 *
 * Return: the socket, -errno of socket(), or -ECANCELED when the
 * capabilities could not be cleared (the emulated endpoint is then made).
 */
static int sockets_socket_uncapable(int domain, int type, int protocol)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct saved[2], none[2];
	bool drop;
	int fd, e;

	if (syscall(SYS_capget, &h, saved) < 0)
		return -ECANCELED;
	drop = saved[0].effective || saved[1].effective;
	memcpy(none, saved, sizeof(none));
	none[0].effective = none[1].effective = 0;
	if (drop && syscall(SYS_capset, &h, none) < 0)
		return -ECANCELED;
	fd = socket(domain, type | SOCK_CLOEXEC, protocol);
	e = errno; /* socket() never fails ECANCELED */
	if (drop && syscall(SYS_capset, &h, saved) < 0)
		log_err("cannot take this thread's capabilities back: %s",
			g_strerror(errno));
	return fd < 0 ? -e : fd;
}

/*
 * sockets_inject() - make a socket in the proxy's network namespace and
 * complete the caller's socket() with it, at its lowest free number
 * Return: NOTIF_ANSWERED (also when the caller is gone), -errno, or for
 * AF_NETLINK NOTIF_CONTINUE (sockets_socket_uncapable() could not run).
 */
static int64_t sockets_inject(int listener, struct notif_journal *journal,
			      const struct seccomp_notif *req, int domain,
			      int type, int protocol)
{
	_cleanup_close_ int fd = domain == AF_NETLINK ?
		sockets_socket_uncapable(domain, type, protocol) :
		socket(domain, type | SOCK_CLOEXEC, protocol);
	int r;

	if (fd == -ECANCELED && domain == AF_NETLINK)
		return NOTIF_CONTINUE;
	if (fd < 0)
		return domain == AF_NETLINK ? fd : -errno;
	r = notif_addfd(journal, listener, req->id, fd, -1,
			type & SOCK_CLOEXEC);
	if (r == -ENOENT)
		return NOTIF_ANSWERED;
	return r < 0 ? r : NOTIF_ANSWERED;
}

/**
 * sockets_do_socket() - serve socket(@domain, @type, @protocol)
 * @conf: shared configuration
 * @listener: the listener fd
 * @journal: its in-flight record, or NULL
 * @req: the notification
 * @domain: AF_INET or AF_INET6 (the proxy's own copy of the argument)
 * @type: SOCK_* with the caller's SOCK_NONBLOCK/SOCK_CLOEXEC
 * @protocol: protocol number
 *
 * Creates the socket in the proxy's network namespace (the host's) with the
 * caller's SOCK_NONBLOCK, injects it with O_CLOEXEC when the caller asked
 * for SOCK_CLOEXEC, and closes the proxy's copy: nothing per socket stays
 * here. The kernel's errno for the creation is the caller's errno.
 *
 * Only SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET and (for a caller with
 * CAP_NET_RAW over the proxy) SOCK_RAW are made here. Any other type goes
 * back to the kernel in the sandbox's own namespace: the proxy's
 * credentials must never decide it (the kernel turns AF_INET SOCK_PACKET
 * into a packet socket, checked against the creator's CAP_NET_RAW).
 *
 * Under a connection policy only the protocols it governs are made
 * (sockets_policy_protocol()).
 *
 * Return: NOTIF_ANSWERED (also when the target is gone), NOTIF_CONTINUE,
 * or -errno to fail the call with.
 */
int64_t sockets_do_socket(const struct proxy_conf *conf, int listener,
			  struct notif_journal *journal,
			  const struct seccomp_notif *req, int domain, int type,
			  int protocol)
{
	int r;

	switch (type & SOCK_TYPE_MASK) {
	case SOCK_STREAM:
	case SOCK_DGRAM:
	case SOCK_SEQPACKET:
		break;
	case SOCK_RAW:
		r = sockets_cap_net_raw(listener, req);
		if (r < 0)
			return NOTIF_ANSWERED;
		if (r == 0)
			return -EPERM;
		break;
	default:
		/* the sandbox's own namespace, its own credentials */
		return NOTIF_CONTINUE;
	}
	r = conf->policy ? sockets_policy_protocol(type, protocol) : 0;
	if (r < 0)
		return r;
	return sockets_inject(listener, journal, req, domain, type, protocol);
}

/**
 * sockets_netlink_host_init() - learn who could administer the proxy's
 * network namespace
 * @conf: the configuration; @admin_ns is filled in, and @netlink_host
 *	turned off when the namespaces cannot be read
 *
 * The kernel lets a task change a network namespace's configuration over
 * netlink when it holds CAP_NET_ADMIN over the user namespace that owns it
 * (rtnetlink_rcv_msg(): netlink_net_capable(), which for a message sent
 * with an explicit destination asks only the sender, otherwise the socket's
 * opener too: sockets_socket_uncapable()). A task holds capabilities over
 * a user namespace only from within it or one of its ancestors: those are
 * recorded here, from the owner of the proxy's namespace up as far as this
 * process can see.
 *
 * Return: 0 or -errno.
 */
int sockets_netlink_host_init(struct proxy_conf *conf)
{
	_cleanup_close_ int net = -1;
	char self[32];
	ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
	int cur, r = 0;

	conf->n_admin_ns = 0;
	/*
	 * Callers are read in /proc/TID: a /proc of another pid namespace
	 * (the proxy started by unshare -p without a new /proc) would name
	 * other tasks.
	 */
	if (n <= 0 || (self[n] = '\0', atoi(self) != (int)getpid())) {
		conf->netlink_host = false;
		return -ESRCH;
	}
	net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	cur = net >= 0 ? ioctl(net, NS_GET_USERNS) : -1;
	if (cur < 0)
		r = -errno;
	while (cur >= 0) {
		struct stat st;
		int parent;

		if (conf->n_admin_ns == PROXY_ADMIN_NS_MAX ||
		    fstat(cur, &st) < 0) {
			r = conf->n_admin_ns == PROXY_ADMIN_NS_MAX ? -ELOOP : -errno;
			close(cur);
			break;
		}
		conf->admin_ns[conf->n_admin_ns++] =
			(struct proxy_nsid){ .dev = st.st_dev, .ino = st.st_ino };
		parent = ioctl(cur, NS_GET_PARENT);
		/* EPERM: the initial namespace, or above the one we are in */
		if (parent < 0 && errno != EPERM)
			r = -errno;
		close(cur);
		cur = parent;
	}
	if (r < 0)
		conf->netlink_host = false;
	return r;
}

/*
 * sockets_may_admin() - whether thread @tid is in a user namespace from
 * which it could (now or after an execve() of a set-uid program) hold
 * CAP_NET_ADMIN over the proxy's network namespace. Unknown counts as yes.
 * A thread cannot enter an ancestor of its user namespace, so "no" stays
 * true for the life of the sockets it is given.
 */
static bool sockets_may_admin(const struct proxy_conf *conf, pid_t tid)
{
	char path[64];
	struct stat st;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)tid);
	if (stat(path, &st) < 0)
		return true;
	for (i = 0; i < conf->n_admin_ns; i++)
		if (conf->admin_ns[i].dev == st.st_dev &&
		    conf->admin_ns[i].ino == st.st_ino)
			return true;
	return conf->n_admin_ns == 0;
}

/**
 * sockets_do_netlink() - socket(AF_NETLINK, @type, NETLINK_ROUTE) as a
 * socket of the host's network namespace, where that shows the sandbox
 * exactly what the emulated endpoint would
 * @conf: configuration
 * @listener: the listener fd
 * @journal: lxnet run's in-flight record, or NULL
 * @req: the notification
 * @type: the socket type with its flags
 * @protocol: the netlink protocol
 *
 * With a view that hides nothing, the emulation's answers are the host
 * kernel's (tests/integration/netlink-compat.sh holds it to them), so the
 * kernel may as well answer: every later call on the socket is then native
 * (no trapped bind, getsockname or receive; getifaddrs() is one trapped
 * call instead of seven). It is refused to a caller that could administer
 * the host's network (sockets_may_admin()): the kernel would take its
 * RTM_NEW* requests on such a socket, where the emulation answers EPERM.
 * The socket's number is the lowest free one, as the kernel's would be.
 *
 * Return: NOTIF_ANSWERED, -errno, or NOTIF_CONTINUE when the emulated
 * endpoint is to serve the call (the caller's choice to make).
 */
int64_t sockets_do_netlink(const struct proxy_conf *conf, int listener,
			   struct notif_journal *journal,
			   const struct seccomp_notif *req, int type,
			   int protocol)
{
	int base = type & SOCK_TYPE_MASK;

	if (!conf->netlink_host || protocol != NETLINK_ROUTE ||
	    (base != SOCK_RAW && base != SOCK_DGRAM) ||
	    (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)) ||
	    req->pid == 0 || sockets_may_admin(conf, (pid_t)req->pid))
		return NOTIF_CONTINUE;
	/*
	 * What was read of /proc is the caller's: the ADDFD below fails
	 * unless its notification is still pending, and a pending
	 * notification holds its thread, so the tid was not reused.
	 */
	return sockets_inject(listener, journal, req, AF_NETLINK, type,
			      protocol);
}

/**
 * sockets_read_socketcall_args() - copy socketcall(SYS_SOCKET)'s arguments
 * @listener: the listener fd
 * @req: the notification; args[1] points to three 32-bit words
 * @ret_args: domain, type, protocol
 *
 * Reads the target's memory with process_vm_readv() and then checks that
 * the notification is still valid, so the words came from the process that
 * made the call and not from a reused pid.
 *
 * Return: 0, -EFAULT for a pointer the target cannot read, -ENOENT when the
 * target is gone, or -errno.
 */
int sockets_read_socketcall_args(int listener, const struct seccomp_notif *req,
				 uint32_t ret_args[3])
{
	uint32_t a[3];
	struct iovec local = { .iov_base = a, .iov_len = sizeof(a) };
	struct iovec remote = {
		.iov_base = (void *)(uintptr_t)(uint32_t)req->data.args[1],
		.iov_len = sizeof(a),
	};
	ssize_t n;
	int err = -target_check_read((pid_t)req->pid,
				     (uint32_t)req->data.args[1], sizeof(a));

	if (err)
		return notif_id_valid(listener, req->id) < 0 || err == ENOENT ?
		       -ENOENT : -err;
	n = process_vm_readv((pid_t)req->pid, &local, 1, &remote, 1, 0);
	err = n < 0 ? errno : 0;
	if (notif_id_valid(listener, req->id) < 0)
		return -ENOENT;
	if (n < 0)
		return err == ESRCH ? -ENOENT : (err == EFAULT ? -EFAULT : -err);
	if ((size_t)n != sizeof(a))
		return -EFAULT;
	memcpy(ret_args, a, sizeof(a));
	return 0;
}

/**
 * sockets_netns_cookie() - the network namespace a socket was made in
 * @sock: a socket, or -1 for the proxy's own namespace
 *
 * Return: its SO_NETNS_COOKIE, or 0 when the kernel has none (before 5.14).
 */
uint64_t sockets_netns_cookie(int sock)
{
	_cleanup_close_ int own = -1;
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (sock < 0) {
		own = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		sock = own;
	}
	if (sock < 0 ||
	    getsockopt(sock, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
		return 0;
	return cookie;
}

/* The connection policy's name of a socket's protocol (govern.c, publish.c). */
enum netpolicy_proto sockets_policy_proto(int sock, int type)
{
	int p = 0;
	socklen_t len = sizeof(p);

	(void)getsockopt(sock, SOL_SOCKET, SO_PROTOCOL, &p, &len);
	if (p == IPPROTO_TCP || p == IPPROTO_MPTCP ||
	    (p == 0 && type == SOCK_STREAM))
		return NETPOLICY_TCP;
	if (p == IPPROTO_UDP || p == IPPROTO_UDPLITE ||
	    (p == 0 && type == SOCK_DGRAM))
		return NETPOLICY_UDP;
	if (p == IPPROTO_ICMP || p == IPPROTO_ICMPV6)
		return NETPOLICY_ICMP;
	return NETPOLICY_ANY;
}

/* A socket's SO_COOKIE (unique while the host runs), or 0. */
uint64_t sockets_cookie(int sock)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (getsockopt(sock, SOL_SOCKET, SO_COOKIE, &cookie, &len) < 0)
		return 0;
	return cookie;
}

/**
 * sockets_host_socket() - whether @sock is one of the host's sockets
 * @conf: shared configuration (the proxy's namespace)
 * @sock: a copy of a caller's socket
 *
 * The sockets the proxy hands out live in its own network namespace; a
 * socket the sandbox made itself lives in its own. Without namespace
 * cookies (before Linux 5.14) every socket is taken for the host's, so the
 * view's rules apply to all.
 */
bool sockets_host_socket(const struct proxy_conf *conf, int sock)
{
	return conf->netns_cookie == 0 ||
	       sockets_netns_cookie(sock) == conf->netns_cookie;
}

/* Read the device a SO_BINDTODEVICE/SO_BINDTOIFINDEX call names: our copy. */
static int sockets_read_device(int listener, const struct seccomp_notif *req,
			       char *name, size_t size, int32_t *ret_index,
			       socklen_t *ret_len)
{
	struct target t;
	socklen_t len = (socklen_t)req->data.args[4];
	bool by_index = (int)req->data.args[2] == SO_BINDTOIFINDEX;
	int r;

	if ((int)len < 0 || (by_index && len < sizeof(*ret_index)))
		return -EINVAL;
	if (!by_index) /* the kernel reads at most IFNAMSIZ - 1 bytes */
		len = MIN(len, (socklen_t)(size - 1));
	else
		len = sizeof(*ret_index);
	memset(name, 0, size);
	r = target_open(listener, req->id, (pid_t)req->pid, &t);
	if (r < 0)
		return r;
	if (len > 0)
		r = target_read(&t, req->data.args[3],
				by_index ? (void *)ret_index : (void *)name, len);
	target_close(&t);
	*ret_len = len;
	return r;
}

/**
 * sockets_do_bindtodevice() - setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE
 * or SO_BINDTOIFINDEX, ...) decided against the view
 * @conf: shared configuration
 * @listener: the listener fd
 * @req: the notification: setsockopt(args[0], SOL_SOCKET, args[2],
 *	args[3], args[4])
 *
 * On a socket of the sandbox's own namespace the kernel decides, among
 * that namespace's devices (CONTINUE). On one of the host's, a device the
 * view hides is missing (ENODEV, as the kernel answers for a name it does
 * not know), and a device it shows is bound by the proxy on its copy of
 * the socket with its copy of the name, so a thread that rewrites the
 * name after the check binds nothing else. Re-binding a bound socket needs
 * CAP_NET_RAW over the host's namespace, which the kernel would check
 * against the proxy's credentials: the caller's are checked instead.
 *
 * Return: 0, -errno, NOTIF_CONTINUE, or NOTIF_ANSWERED (the caller is gone).
 */
int64_t sockets_do_bindtodevice(const struct proxy_conf *conf, int listener,
				const struct seccomp_notif *req)
{
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *snap = NULL;
	_cleanup_close_ int copy = -1;
	char name[IFNAMSIZ];
	int32_t index = 0, bound = 0;
	socklen_t len = 0, blen = sizeof(bound);
	bool by_index = (int)req->data.args[2] == SO_BINDTOIFINDEX;
	int r;

	r = task_getfd((pid_t)req->pid, (int)req->data.args[0],
		       conf->pidfd_leader_only, &copy);
	if (notif_id_valid(listener, req->id) < 0)
		return NOTIF_ANSWERED;
	if (r == -EBADF)
		return -EBADF;
	if (r < 0) /* cannot inspect it: the view's rules are not enforced */
		return -EPERM;
	if (!sockets_host_socket(conf, copy))
		return NOTIF_CONTINUE;
	r = sockets_read_device(listener, req, name, sizeof(name), &index,
				&len);
	if (r == -ENOENT)
		return NOTIF_ANSWERED;
	if (r < 0)
		return r;
	snap = proxy_model_get(conf->model);
	if (!snap)
		return -ENOSYS; /* the proxy is shutting down */
	if (by_index ? index != 0 && !ns_link_by_index(snap, index)
		     : name[0] != '\0' && !ns_link_by_name(snap, name))
		return -ENODEV;
	if (getsockopt(copy, SOL_SOCKET, SO_BINDTOIFINDEX, &bound, &blen) == 0 &&
	    bound != 0) {
		r = sockets_cap_net_raw(listener, req);
		if (r < 0)
			return NOTIF_ANSWERED;
		if (r == 0)
			return -EPERM;
	}
	if (setsockopt(copy, SOL_SOCKET, (int)req->data.args[2],
		       by_index ? (void *)&index : (void *)name, len) < 0)
		return -errno;
	return 0;
}
