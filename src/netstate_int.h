/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * netstate_int.h - private to src/netstate*.c: conversion of libnl objects
 * into the plain ns_* structs and building of snapshot tables from caches.
 */
#ifndef LXNET_NETSTATE_INT_H
#define LXNET_NETSTATE_INT_H

#include <stdbool.h>
#include <glib.h>
#include <netlink/cache.h>
#include <netlink/route/link.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/neighbour.h>

#include "netstate.h"
#include "view.h"

/* Hidden ifindexes remembered after their link is gone, before pruning. */
#define NSB_HIDDEN_PRUNE 1024

int netstate_nlerr(int nlerr);

/* For tests: the notification socket, and how often it overran. */
int netstate_int_notify_fd(struct netstate *ns);
guint netstate_int_overruns(const struct netstate *ns);

/* What libnl 3.7 does not parse from an RTM_NEWROUTE (see ns_route). */
struct nsb_route_extra {
	uint8_t pref;     /* RTA_PREF */
	uint32_t expires; /* CLOCK_MONOTONIC second of expiry, 0 when none */
};

bool nsb_is_hidden(GHashTable *hidden, int ifindex);
bool nsb_link_is_device(struct rtnl_link *l);
void nsb_link_from_nl(struct rtnl_link *l, struct ns_link *out);
bool nsb_addr_from_nl(struct rtnl_addr *a, GHashTable *hidden,
		      struct ns_addr *out);
bool nsb_neigh_from_nl(struct rtnl_neigh *n, GHashTable *hidden, bool noarp,
		       struct ns_neigh *out);
bool nsb_route_from_nl(struct rtnl_route *r, GHashTable *hidden,
		       struct ns_route *out, struct ns_nexthop *nh,
		       guint nh_max);

struct ns_links *nsb_build_links(struct nl_cache *c,
				 const struct view_policy *p,
				 GHashTable *hidden, bool *ret_hidden_changed);
struct ns_addrs *nsb_build_addrs(struct nl_cache *c, GHashTable *hidden);
struct ns_routes *nsb_build_routes(struct nl_cache *c, GHashTable *hidden);
int nsb_dump_routes(struct nl_sock *sk, GHashTable *hidden,
		    struct ns_routes **ret);
struct ns_neighs *nsb_build_neighs(struct nl_cache *c, GHashTable *hidden);

void nsb_flip_changes(const struct netstate_snapshot *old,
		      const struct netstate_snapshot *cur, int ifindex,
		      bool now_hidden, GArray *out);
void nsb_route_changes(const struct ns_routes *old, const struct ns_routes *cur,
		       GArray *out);

/*
 * A route notification's destination (for IPv6 with its first next hop's
 * device: a prefix is one route per device there), to order the events
 * by, and @pos: how many changes were recorded before it came.
 */
struct ns_route_key {
	uint8_t family;
	uint8_t dst_len;
	uint32_t table;
	uint8_t dst[16];
	int dev;
	guint pos;
	bool deleted;             /* RTM_DELROUTE */
	uint32_t flags;           /* its rtm_flags and first next hop's */
	uint32_t nh_flags;
};

bool nsb_route_key_from_nl(struct rtnl_route *r, struct ns_route_key *k);
guint *nsb_route_changes_order(GArray *changes, const GArray *order);
void nsb_route_changes_silent(GArray *changes, guint *ranks,
			      const GArray *downed);
void nsb_route_changes_flags(GArray *changes, const guint *ranks,
			     const GArray *order);

bool nsb_links_equal(const struct ns_links *a, const struct ns_links *b);
bool nsb_addrs_equal(const struct ns_addrs *a, const struct ns_addrs *b);
bool nsb_routes_equal(const struct ns_routes *a, const struct ns_routes *b);
bool nsb_neighs_equal(const struct ns_neighs *a, const struct ns_neighs *b);
bool nsb_resolv_equal(const struct ns_resolv_part *a,
		      const struct ns_resolv_part *b);
bool nsb_hosts_equal(const struct ns_hosts *a, const struct ns_hosts *b);

#endif
