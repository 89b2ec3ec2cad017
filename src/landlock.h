/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * landlock.h - the kernel's own refusal of TCP connects and binds a
 * governed sandbox makes without the proxy (Landlock, Linux >= 6.7).
 *
 * Under a connection policy the proxy makes every connect() to the host's
 * network itself, on its own copy of the arguments; the calls it hands
 * back to the kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE: an AF_UNIX socket,
 * an fd that is no socket) are looked up again by the kernel, so a thread
 * that dup2()s a host TCP socket onto that number in between would get a
 * connect nobody decided. A Landlock domain that handles
 * LANDLOCK_ACCESS_NET_CONNECT_TCP and allows no port makes the kernel
 * refuse (EACCES) every TCP connect the sandbox's own tasks make; the
 * proxy, outside the domain, still makes the ones it decided. Likewise
 * for bind() (LANDLOCK_ACCESS_NET_BIND_TCP), but for port 0 and the ports
 * below LANDLOCK_BIND_PORT_MIN: whether the caller may bind those in a
 * namespace of its own is its CAP_NET_BIND_SERVICE there, which only the
 * kernel's own bind checks, so the proxy hands such binds back.
 */
#ifndef LXNET_LANDLOCK_H
#define LXNET_LANDLOCK_H

int landlock_abi(void);
int landlock_deny_tcp(void);

/* The first ABI with TCP rules (Linux 6.7). */
#define LANDLOCK_ABI_NET 4
/* Binds below this port (and of port 0) stay the sandbox's own to make. */
#define LANDLOCK_BIND_PORT_MIN 1024

#endif
