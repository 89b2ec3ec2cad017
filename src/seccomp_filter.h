/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp_filter.h - the sandbox's seccomp filter: which system calls are
 * handed to lxnet-proxy (SECCOMP_RET_USER_NOTIF) and how the filter is
 * loaded. Used by `lxnet shim` and `lxnet run`, in the sandboxed process,
 * before exec.
 */
#ifndef LXNET_SECCOMP_FILTER_H
#define LXNET_SECCOMP_FILTER_H

#include <stdbool.h>

/*
 * What the filter traps today (the proxy must answer each of these):
 *  - socket(domain, ...) with domain AF_INET or AF_INET6 (low 32 bits of
 *    arg0), on x86_64, x32 and i386 (and the native architecture elsewhere);
 *  - i386 socketcall(SYS_SOCKET, args): the domain is behind a pointer, so
 *    every SYS_SOCKET socketcall is trapped and the proxy answers CONTINUE
 *    for families it does not serve;
 *  - ioctl() by interface request number; the endpoint calls below;
 *  - unshare()/clone() with CLONE_NEWNET and setns() (nstype 0 or
 *    CLONE_NEWNET): the proxy notes that callers may be in namespaces of
 *    their own and answers CONTINUE; clone3() fails ENOSYS (its flags are
 *    behind a pointer; C libraries fall back to clone()).
 * Everything else is allowed, so its errno is the kernel's.
 */

/*
 * Emulated NETLINK_ROUTE endpoints (lxnet-proxy, proxy/nlep_*.c): socket(
 * AF_NETLINK, *, NETLINK_ROUTE) is trapped on the native architecture and
 * the endpoint is installed at a number in [LXNET_NLEP_FD_BASE,
 * LXNET_NLEP_FD_BASE + LXNET_NLEP_FD_COUNT); bind, connect, getsockname,
 * getpeername, recvfrom, recvmsg, setsockopt, getsockopt, shutdown and a
 * 0-byte sendto are trapped only when their fd lies in that range (one masked comparison: the range is
 * aligned to its power-of-two size). Below 1024, so select() works and the
 * usual soft RLIMIT_NOFILE admits it; high, so ordinary fds rarely get there.
 */
#define LXNET_NLEP_FD_BASE 896
#define LXNET_NLEP_FD_COUNT 128

/*
 * The low range, for a caller whose soft RLIMIT_NOFILE leaves no number of
 * the range above free (`ulimit -n 256`): [56, 64), below the least limit
 * a program may set (64), trapped the same way. Ordinary fds there pay a
 * trapped call each that the proxy lets through (CONTINUE) after one
 * look-up; eight numbers keep that rare (a process reaches fd 56 only with
 * 56 files open). See docs/ARCHITECTURE.md, "Low fd limits".
 */
#define LXNET_NLEP_FD_LOW_BASE 56
#define LXNET_NLEP_FD_LOW_COUNT 8

/*
 * Raw ICMP sockets emulated on host ping sockets (lxnet-proxy,
 * proxy/pingraw.c): installed at the lowest free number of
 * [LXNET_PING_FD_BASE, LXNET_PING_FD_BASE + LXNET_PING_FD_COUNT), the
 * bottom of the endpoint range (netlink endpoints take its top first), or
 * of the low range when the caller's limit leaves none. Besides the
 * endpoint calls, sendto() and sendmsg() are trapped on these numbers, so
 * the proxy learns the echo id a program sends; sendto(), sendmsg(),
 * recvfrom(), recvmsg() and setsockopt() also on fd 0, where busybox ping moves its
 * socket (dup2): a program whose stdin is a socket (inetd) pays a trapped
 * call there, answered CONTINUE.
 */
#define LXNET_PING_FD_BASE 896
#define LXNET_PING_FD_COUNT 16

/* Kernel-side flags this code may lack headers for (uapi values). */
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5) /* Linux 5.19 */
#endif

/*
 * struct seccomp_filter_info - what seccomp_filter_install() managed to get
 * @wait_killable: the filter was loaded with
 *	SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (false on kernels < 5.19)
 * @n_insns: BPF instructions loaded
 */
struct seccomp_filter_info {
	bool wait_killable;
	unsigned int n_insns;
};

int seccomp_filter_install(int *ret_listener_fd);
int seccomp_filter_install_flags(unsigned int flags,
				 struct seccomp_filter_info *ret_info,
				 int *ret_listener_fd);
int seccomp_filter_export_pfc(unsigned int flags, int out_fd);
struct fdpass_msg;
int seccomp_filter_install_send(unsigned int flags, int sock,
				const struct fdpass_msg *msg, int extra_fd,
				int *ret_listener_fd, int *ret_send);
int seccomp_listener_present(void);

#endif
