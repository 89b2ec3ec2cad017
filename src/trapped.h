/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trapped.h - the one list of system calls the sandbox's filter hands to
 * lxnet-proxy: the filter builder (src/seccomp_filter.c) and the proxy's
 * dispatcher (proxy/notify.c) both expand it, so what is trapped and what
 * is served cannot drift apart. Adding a trapped call is one row here, its
 * argument conditions (a rules_*() in seccomp_filter.c, or the endpoint fd
 * ranges) and its handler (a do_*() in proxy/).
 */
#ifndef LXNET_TRAPPED_H
#define LXNET_TRAPPED_H

#include <stdbool.h>
#include <stdint.h>

#include "seccomp_filter.h"

/*
 * Where a trapped call is served (the column "scope"):
 * TRAP_NETNS: it makes or asks about network objects; served only for a
 *	caller in the sandbox's own network namespace, any other caller gets
 *	the kernel (proxy/notify.c, notify_gate())
 * TRAP_ENDPOINT: trapped only when arg0 is an fd in an endpoint range
 *	(LXNET_NLEP_FD_*); judged by the fd, as the kernel judges a socket by
 *	the namespace it was made in
 * TRAP_ALWAYS: seen for every caller (the calls that move a task to
 *	another network namespace)
 * TRAP_GOVERN: trapped only when a connection policy is enforced
 *	(TRAP_FILTER_GOVERN), for every caller
 * TRAP_FAIL: never reaches the proxy: the filter fails it (ENOSYS)
 */
enum trap_scope {
	TRAP_NETNS,
	TRAP_ENDPOINT,
	TRAP_ALWAYS,
	TRAP_GOVERN,
	TRAP_FAIL,
};

/*
 * What the filter is built for (seccomp_filter_install_flags()):
 * TRAP_FILTER_GOVERN: a connection policy is enforced (src/netpolicy.h):
 *	connect, bind, sendto with an address, sendmsg and sendmmsg are
 *	trapped on every fd, so the proxy decides and makes them itself
 */
#define TRAP_FILTER_GOVERN (1u << 0)
/*
 * TRAP_FILTER_PUBLISH: ports are published (--publish): bind, connect and
 *	getsockname are trapped on every fd, so the proxy binds HOSTPORT for
 *	PORT, reaches it for a local PORT, and says PORT (proxy/publish.c)
 */
#define TRAP_FILTER_PUBLISH (1u << 1)
/*
 * Every TRAP_FILTER_* this build knows: a shim told of another bit by its
 * proxy (a newer proxy than the shim) refuses, since the filter it would
 * build would leave unanswered what the proxy means to enforce
 */
#define TRAP_FILTER_KNOWN (TRAP_FILTER_GOVERN | TRAP_FILTER_PUBLISH)

/*
 * Which architectures a row is trapped on (the column "arches"): every
 * one; the native one only (the proxy reads the caller's structures in
 * its own layout); or the others only (i386 and x32 on x86_64: the rows
 * that keep their programs off the host's sockets under a policy).
 */
enum trap_arches {
	TRAP_ARCH_ALL,
	TRAP_ARCH_NATIVE,
	TRAP_ARCH_FOREIGN,
};

/*
 * LXNET_TRAPPED_CALLS(X) - X(id, syscall, scope, arches, rules, handler)
 * @id: the row's name: TRAP_<id> in enum trap_id
 * @syscall: the system call's name, as libseccomp resolves it per
 *	architecture (a row whose call an architecture lacks is skipped there)
 * @scope: enum trap_scope
 * @arches: enum trap_arches
 * @rules: the filter's argument conditions, a function of
 *	seccomp_filter.c given the TRAP_FILTER_* flags, or 0; a TRAP_ENDPOINT
 *	row is trapped on the endpoint fd ranges, and also where its rules
 *	say
 * @handler: the proxy's do_*() answering it (proxy/notify.c's table), or
 *	0 for a call the proxy never sees (TRAP_FAIL)
 */
#define LXNET_TRAPPED_CALLS(X)                                                 \
	X(socket,      "socket",      TRAP_NETNS,    TRAP_ARCH_ALL,    rules_socket,     do_socket)     \
	X(socketcall,  "socketcall",  TRAP_NETNS,    TRAP_ARCH_ALL,    rules_socketcall, do_socketcall) \
	X(ioctl,       "ioctl",       TRAP_NETNS,    TRAP_ARCH_ALL,    rules_ioctl,      do_ioctl)      \
	X(bind,        "bind",        TRAP_ENDPOINT, TRAP_ARCH_NATIVE, rules_bind_connect, do_bind)     \
	X(connect,     "connect",     TRAP_ENDPOINT, TRAP_ARCH_NATIVE, rules_bind_connect, do_connect)  \
	X(getsockname, "getsockname", TRAP_ENDPOINT, TRAP_ARCH_NATIVE, rules_publish,    do_getsockname) \
	X(getpeername, "getpeername", TRAP_ENDPOINT, TRAP_ARCH_NATIVE, 0,                do_endpoint)   \
	X(recvfrom,    "recvfrom",    TRAP_ENDPOINT, TRAP_ARCH_NATIVE, rules_recv,       do_endpoint)   \
	X(recvmsg,     "recvmsg",     TRAP_ENDPOINT, TRAP_ARCH_NATIVE, rules_recv,       do_endpoint)   \
	X(setsockopt,  "setsockopt",  TRAP_ENDPOINT, TRAP_ARCH_NATIVE, rules_setsockopt, do_setsockopt) \
	X(getsockopt,  "getsockopt",  TRAP_ENDPOINT, TRAP_ARCH_NATIVE, 0,                do_endpoint)   \
	X(shutdown,    "shutdown",    TRAP_ENDPOINT, TRAP_ARCH_NATIVE, 0,                do_endpoint)   \
	X(unshare,     "unshare",     TRAP_ALWAYS,   TRAP_ARCH_ALL,    rules_newnet,     do_netns_move) \
	X(clone,       "clone",       TRAP_ALWAYS,   TRAP_ARCH_ALL,    rules_newnet,     do_netns_move) \
	X(setns,       "setns",       TRAP_ALWAYS,   TRAP_ARCH_ALL,    rules_setns,      do_netns_move) \
	X(sendto,      "sendto",      TRAP_GOVERN,   TRAP_ARCH_NATIVE, rules_sendto,     do_sendto)     \
	X(sendmsg,     "sendmsg",     TRAP_GOVERN,   TRAP_ARCH_NATIVE, rules_sendmsg,    do_sendmsg)    \
	X(sendmmsg,    "sendmmsg",    TRAP_GOVERN,   TRAP_ARCH_NATIVE, rules_govern,     do_sendmmsg)   \
	X(bind32,      "bind",        TRAP_GOVERN,   TRAP_ARCH_FOREIGN, rules_govern,    do_foreign)    \
	X(connect32,   "connect",     TRAP_GOVERN,   TRAP_ARCH_FOREIGN, rules_govern,    do_foreign)    \
	X(sendto32,    "sendto",      TRAP_GOVERN,   TRAP_ARCH_FOREIGN, rules_govern,    do_foreign)    \
	X(sendmsg32,   "sendmsg",     TRAP_GOVERN,   TRAP_ARCH_FOREIGN, rules_govern,    do_foreign)    \
	X(sendmmsg32,  "sendmmsg",    TRAP_GOVERN,   TRAP_ARCH_FOREIGN, rules_govern,    do_foreign)    \
	X(clone3,      "clone3",      TRAP_FAIL,     TRAP_ARCH_ALL,    rules_enosys,     0) \
	X(io_uring_setup, "io_uring_setup", TRAP_FAIL, TRAP_ARCH_ALL, rules_enosys_govern, 0)

#define TRAP_ENUM_ROW(id, name, scope, arches, rules, handler) TRAP_##id,
enum trap_id {
	LXNET_TRAPPED_CALLS(TRAP_ENUM_ROW)
	TRAP_N
};
#undef TRAP_ENUM_ROW

/*
 * struct trap_row - a row of LXNET_TRAPPED_CALLS without its functions
 * (what both sides read at run time; trap_rows[] is indexed by enum trap_id)
 */
struct trap_row {
	const char *syscall;
	enum trap_scope scope;
	enum trap_arches arches;
};

extern const struct trap_row trap_rows[TRAP_N];

/*
 * The interface ioctls the filter traps by request number (rules_ioctl())
 * and lxnet-proxy serves (proxy/ifioctl.c), with what each needs:
 * TRAP_IOCTL_DEV: dev_ioctl(), on any socket
 * TRAP_IOCTL_INET: devinet_ioctl(), on AF_INET sockets only
 * TRAP_IOCTL_CONF: SIOCGIFCONF, on any socket
 * TRAP_IOCTL_SET: a change of the network, refused (EPERM)
 * TRAP_IOCTL_HOST: dev_ioctl(), on any socket, asked of the host's kernel
 *	by the proxy on its own copy of the request (what the view does not
 *	model: SIOCGIFMAP)
 */
enum trap_ioctl_kind {
	TRAP_IOCTL_NONE,
	TRAP_IOCTL_DEV,
	TRAP_IOCTL_INET,
	TRAP_IOCTL_CONF,
	TRAP_IOCTL_SET,
	TRAP_IOCTL_HOST,
};

struct trap_ioctl {
	uint32_t request;
	enum trap_ioctl_kind kind;
};

extern const struct trap_ioctl trap_ioctls[];
extern const unsigned int trap_n_ioctls;

enum trap_ioctl_kind trap_ioctl_kind(uint32_t request);

/* Whether fd @fd lies in an endpoint range (the filter's masked test). */
static inline bool trap_fd_endpoint(uint64_t fd)
{
	uint32_t f = (uint32_t)fd;

	return (f & ~(uint32_t)(LXNET_NLEP_FD_COUNT - 1)) == LXNET_NLEP_FD_BASE ||
	       (f & ~(uint32_t)(LXNET_NLEP_FD_LOW_COUNT - 1)) ==
		       LXNET_NLEP_FD_LOW_BASE;
}

/*
 * Whether fd @fd lies in a range where raw ICMP sockets are placed (the
 * ping range or the low endpoint range), or is 0 (busybox ping moves its
 * socket there): sends, receives (and on fd 0 setsockopt) are trapped
 * there too.
 */
static inline bool trap_fd_ping(uint64_t fd)
{
	uint32_t f = (uint32_t)fd;

	return f == 0 || (f & ~(uint32_t)(LXNET_PING_FD_COUNT - 1)) == LXNET_PING_FD_BASE ||
	       (f & ~(uint32_t)(LXNET_NLEP_FD_LOW_COUNT - 1)) ==
		       LXNET_NLEP_FD_LOW_BASE;
}

#endif
