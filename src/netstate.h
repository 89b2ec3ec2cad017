/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * netstate.h - the network model: immutable, refcounted snapshots of the
 * host's network state (links, addresses, routes, neighbours, resolver
 * configuration, hosts, hostname) with the view policy already applied.
 *
 * Every view lxnet offers (the lxnetfs files, the emulated NETLINK_ROUTE
 * answers, the SIOCGIF* answers) is rendered from one snapshot, so they
 * never disagree. A snapshot is never modified once published; readers keep
 * a reference for as long as they need a consistent picture.
 *
 * Tables are refcounted separately so that a new snapshot shares every table
 * that did not change with its predecessor (a route change does not copy
 * 1,000 links).
 */
#ifndef LXNET_NETSTATE_H
#define LXNET_NETSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <glib.h>

#include "view.h"

#define NS_ADDR_MAX 32 /* MAX_ADDR_LEN of the kernel */

/* Parts of a snapshot; a change event says which ones differ. */
enum netstate_part {
	NETSTATE_LINKS = 1u << 0,
	NETSTATE_ADDRS = 1u << 1,
	NETSTATE_ROUTES = 1u << 2,
	NETSTATE_NEIGHS = 1u << 3,
	NETSTATE_RESOLV = 1u << 4,
	NETSTATE_HOSTS = 1u << 5,
	NETSTATE_HOSTNAME = 1u << 6,
	NETSTATE_ALL = (1u << 7) - 1,
};

/* One network interface, as RTM_NEWLINK describes it. */
struct ns_link {
	int ifindex;
	char name[IFNAMSIZ];
	unsigned int flags;       /* IFF_* (ifi_flags) */
	uint16_t type;            /* ARPHRD_* */
	uint32_t mtu;
	uint32_t min_mtu;         /* 0 when the kernel did not say */
	uint32_t max_mtu;
	uint32_t txqlen;
	uint32_t group;
	uint32_t promiscuity;
	uint32_t num_tx_queues;
	uint32_t num_rx_queues;
	uint32_t gso_max_size;
	uint32_t gso_max_segs;
	uint32_t carrier_changes;
	uint8_t carrier;
	uint8_t operstate;        /* IF_OPER_* */
	uint8_t linkmode;         /* IF_LINK_MODE_* */
	int iflink;               /* IFLA_LINK; == ifindex when none */
	int master;               /* IFLA_MASTER; 0 when none */
	int32_t link_netnsid;     /* -1 when none */
	uint8_t addr_len;
	uint8_t addr[NS_ADDR_MAX];
	uint8_t broadcast[NS_ADDR_MAX];
	char qdisc[32];           /* "" when none */
	char kind[32];            /* IFLA_INFO_KIND, "" when none */
	struct rtnl_link_stats64 stats;
};

/* One interface address, as RTM_NEWADDR describes it. */
struct ns_addr {
	int ifindex;
	uint8_t family;           /* AF_INET or AF_INET6 */
	uint8_t prefixlen;
	uint8_t scope;            /* RT_SCOPE_* */
	uint32_t flags;           /* IFA_F_* (IFA_FLAGS, all 32 bits) */
	uint8_t local[16];        /* the interface's own address */
	bool has_peer;            /* point-to-point: peer differs from local */
	uint8_t peer[16];
	bool has_broadcast;       /* IPv4 only */
	uint8_t broadcast[4];
	char label[IFNAMSIZ];     /* IFA_LABEL (IPv4), "" when none */
	uint32_t valid_lft;       /* seconds, 0xffffffff = forever */
	uint32_t preferred_lft;
	uint32_t cstamp;          /* hundredths of seconds since boot */
	uint32_t tstamp;
	uint32_t priority;        /* IFA_RT_PRIORITY, 0 when none */
};

/* One next hop of a route. */
struct ns_nexthop {
	int ifindex;              /* 0 when none */
	uint8_t gw_family;        /* 0 when no gateway */
	uint8_t gw[16];
	uint8_t weight;           /* rtnh_hops: weight - 1, as on the wire */
	uint32_t flags;           /* RTNH_F_* */
};

/* One route of the main or local table, as RTM_NEWROUTE describes it. */
struct ns_route {
	uint8_t family;
	uint8_t dst_len;
	uint8_t src_len;
	uint8_t tos;
	uint8_t protocol;         /* RTPROT_* */
	uint8_t scope;            /* RT_SCOPE_* */
	uint8_t type;             /* RTN_* */
	uint8_t pref;             /* RTA_PREF (IPv6), 0 when none */
	uint32_t table;
	uint32_t priority;        /* metric */
	uint32_t flags;           /* rtm_flags (RTM_F_*, RTNH_F_*) */
	uint8_t dst[16];          /* zero when dst_len == 0 */
	uint8_t src[16];
	bool has_prefsrc;
	uint8_t prefsrc[16];
	uint32_t expires;         /* CLOCK_MONOTONIC second (g_get_monotonic_time()
				     / G_USEC_PER_SEC) the route expires at, 0 when
				     it does not */
	uint32_t metrics[17];     /* RTAX_*, index 1..16; valid where bit set */
	uint32_t metrics_mask;
	uint32_t nh_first;        /* index into ns_routes.nh */
	uint32_t nh_count;        /* >= 1 for unicast routes */
};

/* One neighbour (ARP or NDISC) entry. */
struct ns_neigh {
	int ifindex;
	uint8_t family;
	uint16_t state;           /* NUD_* */
	uint8_t flags;            /* NTF_* */
	uint8_t type;             /* RTN_* */
	uint8_t dst[16];
	uint8_t lladdr_len;       /* 0 when none */
	uint8_t lladdr[NS_ADDR_MAX];
};

/* The resolver configuration the view presents. */
struct ns_resolv {
	bool present;             /* host file existed and was readable */
	char **servers;           /* NULL-terminated, textual ("192.0.2.1") */
	char **search;            /* NULL-terminated */
	char **options;           /* NULL-terminated "options" tokens */
	char **sortlist;          /* NULL-terminated */
	char *source;             /* host file it was read from, for the
	                           * rendered header; NULL when unknown */
};

struct ns_links {
	gint ref;
	guint n;
	struct ns_link *v;        /* sorted by ifindex */
};

struct ns_addrs {
	gint ref;
	guint n;
	struct ns_addr *v;        /* IPv4 first, then by ifindex, kernel order */
};

struct ns_routes {
	gint ref;
	guint n;
	struct ns_route *v;
	guint n_nh;
	struct ns_nexthop *nh;
};

struct ns_neighs {
	gint ref;
	guint n;
	struct ns_neigh *v;
};

struct ns_resolv_part {
	gint ref;
	struct ns_resolv r;
};

/* The hosts file the view presents, after its header (hostsfile.c). */
struct ns_hosts {
	gint ref;
	char *lines;              /* text, "" or ending in '\n', no NUL inside */
	size_t len;               /* strlen(lines) */
	char *source;             /* host file read, NULL when unknown */
};

/*
 * struct netstate_snapshot - one immutable picture of the host's network
 * @generation: strictly increasing per netstate; 1 is the first snapshot
 * @hostname: the hostname the view presents
 */
struct netstate_snapshot {
	gint ref;
	uint64_t generation;
	struct ns_links *links;
	struct ns_addrs *addrs;
	struct ns_routes *routes;
	struct ns_neighs *neighs;
	struct ns_resolv_part *resolv;
	struct ns_hosts *hosts;
	char *hostname;
};

/* Object-level change, for netlink multicast (RTM_NEW* and RTM_DEL*). */
enum ns_change_kind {
	NS_CHANGE_LINK,
	NS_CHANGE_ADDR,
	NS_CHANGE_ROUTE,
	NS_CHANGE_NEIGH,
	NS_CHANGE_HOSTMSG,
};

/*
 * Longest host notification an NS_CHANGE_HOSTMSG carries: what one
 * datagram of the proxy's multicast holds (SKB_WITH_OVERHEAD(32768), the
 * kernel's own limit for a notification it sends in one datagram). On
 * 6.18 a rule is about 200 bytes, a netconf message under 100, a bridge
 * port's RTM_NEWLINK (AF_BRIDGE, IFLA_PROTINFO) 420, an FDB entry 76.
 */
#define NS_HOSTMSG_MAX 32448

struct ns_change {
	enum ns_change_kind kind;
	bool deleted;             /* RTM_DEL*, else RTM_NEW* */
	uint32_t event;           /* NS_CHANGE_LINK: the IFLA_EVENT_* of the
				   * kernel's RTM_NEWLINK, 0 for none */
	union {
		struct ns_link link;
		struct ns_addr addr;
		struct {
			struct ns_route route;
			struct ns_nexthop nh[8]; /* first next hops */
		} route;
		struct ns_neigh neigh;
		struct {          /* a host notification the model holds no
				   * table for (rules, netconf), as sent,
				   * header included; @msg is the model's,
				   * valid while the event is dispatched
				   * (copy it to keep it) */
			uint32_t len;
			const uint8_t *msg;
		} hostmsg;
	} u;
};

/*
 * struct netstate_event - what a subscriber is told on each new snapshot
 * @old: the previous snapshot (never NULL after the first)
 * @snap: the new snapshot
 * @parts: NETSTATE_* bits of the tables that differ
 * @changes: object changes in the order the kernel reported them, with the
 *           view policy applied (hidden interfaces never appear)
 * @changes_lost: more object changes happened than the model holds for one
 *                event (65,536); @changes is incomplete, compare the tables
 */
struct netstate_event {
	struct netstate_snapshot *old;
	struct netstate_snapshot *snap;
	unsigned int parts;
	const struct ns_change *changes;
	size_t n_changes;
	bool changes_lost;
};

typedef void (*netstate_cb)(const struct netstate_event *ev, void *data);

struct netstate;

int netstate_new(const struct view_policy *policy, GMainContext *ctx,
		 struct netstate **ret_ns);
void netstate_free(struct netstate *ns);
struct netstate_snapshot *netstate_get(struct netstate *ns);
guint netstate_subscribe(struct netstate *ns, netstate_cb cb, void *data);
void netstate_unsubscribe(struct netstate *ns, guint id);
int netstate_read_stats(struct netstate *ns, struct ns_links **ret_links);

/* Fresh counters for a snapshot's links over one long-lived socket
 * (src/netstate_stats.c); a reader is used by one thread at a time. */
struct netstate_counters;
int netstate_counters_new(struct netstate_counters **ret_c);
void netstate_counters_free(struct netstate_counters *c);
int netstate_counters_read(struct netstate_counters *c,
			   const struct ns_links *base,
			   struct ns_links **ret_links);

struct netstate_snapshot *netstate_snapshot_ref(struct netstate_snapshot *s);
void netstate_snapshot_unref(struct netstate_snapshot *s);

struct ns_links *ns_links_new(guint n);
struct ns_links *ns_links_ref(struct ns_links *t);
void ns_links_unref(struct ns_links *t);
struct ns_addrs *ns_addrs_new(guint n);
void ns_addrs_unref(struct ns_addrs *t);
struct ns_routes *ns_routes_new(guint n, guint n_nh);
void ns_routes_unref(struct ns_routes *t);
struct ns_neighs *ns_neighs_new(guint n);
void ns_neighs_unref(struct ns_neighs *t);
struct ns_resolv_part *ns_resolv_part_new(void);
void ns_resolv_part_unref(struct ns_resolv_part *t);
struct ns_hosts *ns_hosts_new(void);
void ns_hosts_unref(struct ns_hosts *t);

const struct ns_link *ns_link_by_index(const struct netstate_snapshot *s,
				       int ifindex);
const struct ns_link *ns_link_by_name(const struct netstate_snapshot *s,
				      const char *name);

/* <0, 0, >0: @x before, tied with, after @y in the kernel's route dumps
 * (see snapshot.c); ties are in the kernel's insertion order. */
int ns_route_cmp_kernel(const struct ns_route *x, const struct ns_route *y);

static inline void netstate_snapshot_unrefp(struct netstate_snapshot **p)
{
	if (*p)
		netstate_snapshot_unref(*p);
}

#endif
