/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * landlock.h - the kernel's own refusal of TCP connects a governed sandbox
 * makes without the proxy (Landlock, Linux >= 6.7).
 *
 * Under a connection policy the proxy makes every connect() to the host's
 * network itself, on its own copy of the arguments; the calls it hands
 * back to the kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE: an AF_UNIX socket,
 * an fd that is no socket) are looked up again by the kernel, so a thread
 * that dup2()s a host TCP socket onto that number in between would get a
 * connect nobody decided. A Landlock domain that handles
 * LANDLOCK_ACCESS_NET_CONNECT_TCP and allows no port makes the kernel
 * refuse (EACCES) every TCP connect the sandbox's own tasks make; the
 * proxy, outside the domain, still makes the ones it decided.
 */
#ifndef LXNET_LANDLOCK_H
#define LXNET_LANDLOCK_H

int landlock_abi(void);
int landlock_deny_tcp_connect(void);

/* The first ABI with TCP rules (Linux 6.7). */
#define LANDLOCK_ABI_NET 4

#endif
