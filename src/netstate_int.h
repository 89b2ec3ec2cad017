/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * netstate_int.h - private to src/netstate*.c: the model's context (shared
 * by netstate.c and netstate_raw.c), conversion of libnl objects into the
 * plain ns_* structs and building of snapshot tables from caches.
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

/* Object changes held for one event; past it changes_lost is set. */
#define NETSTATE_CHANGES_MAX 65536
/* Bytes of host notifications (NS_CHANGE_HOSTMSG) held for one event, the
 * notification socket's receive buffer; past it changes_lost is set. */
#define NETSTATE_HOSTMSG_BYTES_MAX (8 * 1024 * 1024)

struct filewatch;

/* A link went out of view or came into view since the last commit. */
struct netstate_flip {
	int ifindex;
	bool hidden;
};

struct netstate_sub {
	guint id;
	netstate_cb cb;           /* NULL once unsubscribed during dispatch */
	void *data;
};

/*
 * struct netstate - the model's context
 * @policy: private copy of the view policy
 * @ctx: the GMainContext everything runs in (a reference)
 * @mngr: libnl cache manager; owns the four caches
 * @mngr_sk: its notification socket (ours: netstate_on_msg() sees every
 *	message on it)
 * @raw_type: the type of the message netstate_on_msg() is parsing
 * @raw_link: the ifindex of the device an RTM_NEWLINK just read
 *	describes, until libnl's cache has taken the message: 0 once the
 *	cache reported it (netstate_raw_link_claim()), else reported by
 *	netstate_raw_link_settle()
 * @raw_link_event: that message's IFLA_EVENT, 0 for none
 * @raw_changes: an event recorded since the last commit is of an object
 *	no table holds (a NOARP neighbour, a rule, netconf): publish even if
 *	no table changed
 * @sync_sk: blocking socket for resynchronising dumps
 * @hostname_fd: /proc/sys/kernel/hostname, polled for changes, or -1
 * @hostname_source: its GSource, or NULL
 * @hidden: ifindexes of links the policy hides (kept after their deletion
 *          so late RTM_DEL* on them stay hidden; pruned when large)
 * @cur: the latest snapshot
 * @dirty: NETSTATE_* of tables to rebuild at the next commit
 * @resync_full: notifications were lost: refill every cache
 * @resync_routes: a link change requires refilling route and neigh caches
 * @later_source: a catch-up due at @later_due (monotonic us): the retry
 *	of a failed resynchronisation, a put-off commit's next look
 *	(netstate_catch_up_later()), or NULL
 * @later_due: see @later_source
 * @await_since: when this event's put-off began (monotonic us), 0 when no
 *	commit is put off
 * @await_expired: this event's put-off window is used up
 * @await_from: changes before this index name no awaited link
 * @flips: struct netstate_flip, links whose visibility changed (renames)
 * @changes: struct ns_change recorded since the last commit
 * @hostmsgs: the messages their NS_CHANGE_HOSTMSG point to (g_free),
 *	freed with them (netstate_changes_clear())
 * @hostmsg_bytes: the bytes @hostmsgs hold
 * @route_order: struct ns_route_key of the route notifications since the
 *	last commit, in the kernel's order (the events come from the tables,
 *	in this order: netstate_route_changes()); a resynchronisation's
 *	reports are not notifications and are not recorded
 * @downed: ifindexes of links deleted or set down since the last commit:
 *	the kernel flushes their IPv4 routes without notifications (a link
 *	renamed into or out of hiding in the same batch is not among them)
 * @resyncing: a resynchronising dump is reporting its differences
 * @changes_lost: more than NETSTATE_CHANGES_MAX changes were recorded
 * @subs: struct netstate_sub
 * @dispatching: subscribers are being called
 * @overruns: times the notification socket lost messages (resyncs)
 */
struct netstate {
	struct view_policy policy;
	GMainContext *ctx;
	struct nl_cache_mngr *mngr;
	struct nl_sock *mngr_sk;
	int raw_type;
	int raw_link;
	uint32_t raw_link_event;
	bool raw_changes;
	struct nl_sock *sync_sk;
	struct nl_cache *c_link, *c_addr, *c_route, *c_neigh;
	GSource *nl_source;
	struct filewatch *watch;
	int hostname_fd;
	GSource *hostname_source;
	GHashTable *hidden;
	struct netstate_snapshot *cur;
	unsigned int dirty;
	bool resync_full;
	bool resync_routes;
	GSource *later_source;
	gint64 later_due;
	gint64 await_since;
	bool await_expired;
	guint await_from;
	GArray *flips;
	GArray *changes;
	GPtrArray *hostmsgs;
	size_t hostmsg_bytes;
	GArray *route_order;
	GArray *downed;
	bool resyncing;
	bool changes_lost;
	GArray *subs;
	guint next_sub_id;
	bool dispatching;
	guint overruns;
};

struct ns_change *netstate_change_push(struct netstate *ns,
				       enum ns_change_kind kind, bool deleted);
void netstate_change_pop(struct netstate *ns);
void netstate_changes_clear(struct netstate *ns);
int netstate_on_msg(struct nl_msg *msg, void *data);
bool netstate_raw_awaits_link(struct netstate *ns);
uint32_t netstate_raw_link_claim(struct netstate *ns, int ifindex);
void netstate_raw_link_settle(struct netstate *ns);

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
