/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * landlock.h - the kernel's own refusal of TCP connects and binds a
 * governed sandbox makes without the proxy (Landlock, Linux >= 6.7).
 *
 * Under a connection policy the proxy makes every connect() and bind() of
 * a TCP socket itself, on its own copy of the arguments; the calls it
 * hands back to the kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE: on an
 * AF_UNIX socket, say) are looked up again by the kernel, so a thread that
 * dup2()s a host TCP socket onto that number in between would get a
 * connect or bind nobody decided. A Landlock domain that handles
 * LANDLOCK_ACCESS_NET_CONNECT_TCP and LANDLOCK_ACCESS_NET_BIND_TCP and
 * allows no port makes the kernel refuse (EACCES) every TCP connect and
 * bind the sandbox's own tasks make; the proxy, outside the domain, still
 * makes the ones it decided, and those of the sandbox's own namespaces.
 */
#ifndef LXNET_LANDLOCK_H
#define LXNET_LANDLOCK_H

int landlock_abi(void);
int landlock_deny_tcp(void);

/* The first ABI with TCP rules (Linux 6.7). */
#define LANDLOCK_ABI_NET 4

#endif
