/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pingraw_int.h - what pingraw.c (sockets, sends, options) and
 * pingraw_recv.c (receives, below it) share: the state of one raw ICMP
 * socket. pingraw_recv.c never calls pingraw.c.
 */
#ifndef LXNET_PINGRAW_INT_H
#define LXNET_PINGRAW_INT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "proxy_int.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif
#ifndef SOL_RAW
#define SOL_RAW 255
#endif
#ifndef SOL_ICMPV6
#define SOL_ICMPV6 58
#endif
#ifndef ICMP6_FILTER
#define ICMP6_FILTER 1
#endif
#define PINGRAW_ECHO6 128
#define PINGRAW_ECHOREPLY6 129

/* The control messages the proxy turns on, in struct pingraw_sock.wants. */
enum {
	PINGRAW_WANT_TTL = 1 << 0,
	PINGRAW_WANT_PKTINFO = 1 << 1,
	PINGRAW_WANT_TOS = 1 << 2,
};

/*
 * struct pingraw_sock - a raw ICMP socket this proxy made
 * @cookie: its SO_COOKIE
 * @used: when it was last used (the set's clock), for eviction
 * @family: AF_INET or AF_INET6
 * @filter: ICMP_FILTER's mask (a set bit drops that type; IPv4: word 0),
 *	ICMP6_FILTER's (struct icmp6_filter: a set bit blocks)
 * @id: the echo id last sent (network order), when @has_id
 * @bound: the address bind() gave, bound with the ident at the first send
 * @has_bound: bind() was called
 * @wants: PINGRAW_WANT_*: what the program itself turned on
 */
struct pingraw_sock {
	uint64_t cookie;
	uint64_t used;
	int family;
	uint32_t filter[8];
	uint16_t id;
	bool has_id;
	struct sockaddr_in6 bound;
	bool has_bound;
	unsigned int wants;
};

/* pingraw_recv.c */
int64_t pingraw_do_recv(struct listener *l, const struct seccomp_notif *req,
			enum trap_id call, int *copy,
			const struct pingraw_sock *e);

#endif
