// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_encode.c - RTM_NEWLINK/ADDR/ROUTE/NEIGH/RULE messages from the model */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "nlmsg_int.h"

/*
 * The attribute order below is the kernel's (rtnl_fill_ifinfo,
 * inet_fill_ifaddr, inet6_fill_ifaddr, fib_dump_info, rt6_fill_node,
 * neigh_fill_info, fib_nl_fill_rule), checked against 6.18 by
 * tests/unit/test-nlmsg.c. Attributes the model does not carry are left
 * out rather than invented; nlmsg.c lists them.
 */

/**
 * nlw_reserve() - claim @n bytes (zeroed) at the end of the buffer
 * @w: writer
 * @n: bytes
 *
 * Return: the bytes, or NULL (and @w->over set) when they do not fit.
 */
void *nlw_reserve(struct nlw *w, size_t n)
{
	void *p;

	if (w->over || n > w->room - w->len) {
		w->over = true;
		return NULL;
	}
	p = w->p + w->len;
	memset(p, 0, n);
	w->len += n;
	return p;
}

/**
 * nlw_begin() - start a message: header and fixed family header
 * @w: writer
 * @h: header fields
 * @fixed: the family header (ifinfomsg, ...)
 * @fixed_len: its size
 *
 * Return: the offset of the message, for nlw_end().
 */
size_t nlw_begin(struct nlw *w, const struct nlw_hdr *h, const void *fixed,
		 size_t fixed_len)
{
	size_t start = w->len;
	struct nlmsghdr nh = {
		.nlmsg_type = h->type,
		.nlmsg_flags = h->flags,
		.nlmsg_seq = h->seq,
		.nlmsg_pid = h->pid,
	};
	uint8_t *p = nlw_reserve(w, NLMSG_HDRLEN + NLMSG_ALIGN(fixed_len));

	if (p) {
		memcpy(p, &nh, sizeof(nh));
		memcpy(p + NLMSG_HDRLEN, fixed, fixed_len);
	}
	return start;
}

/**
 * nlw_end() - finish the message begun at @start
 * @w: writer
 * @start: what nlw_begin() returned
 *
 * Return: 0, or -EMSGSIZE when it did not fit (then it is removed).
 */
int nlw_end(struct nlw *w, size_t start)
{
	uint32_t len;

	if (w->over) {
		w->len = start;
		w->over = false;
		return -EMSGSIZE;
	}
	len = (uint32_t)(w->len - start);
	memcpy(w->p + start, &len, sizeof(len));
	return 0;
}

void nlw_attr(struct nlw *w, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len),
			    .nla_type = type };
	uint8_t *p;

	if (len > UINT16_MAX - NLA_HDRLEN) {
		w->over = true;
		return;
	}
	p = nlw_reserve(w, NLA_HDRLEN + NLA_ALIGN(len));
	if (!p)
		return;
	memcpy(p, &a, sizeof(a));
	if (len)
		memcpy(p + NLA_HDRLEN, data, len);
}

void nlw_u8(struct nlw *w, uint16_t type, uint8_t v)
{
	nlw_attr(w, type, &v, sizeof(v));
}

void nlw_u32(struct nlw *w, uint16_t type, uint32_t v)
{
	nlw_attr(w, type, &v, sizeof(v));
}

void nlw_str(struct nlw *w, uint16_t type, const char *s)
{
	nlw_attr(w, type, s, strlen(s) + 1);
}

size_t nlw_nest(struct nlw *w, uint16_t type)
{
	size_t off = w->len;

	nlw_attr(w, type, NULL, 0);
	return off;
}

void nlw_nest_end(struct nlw *w, size_t off)
{
	uint16_t len;

	if (w->over)
		return;
	len = (uint16_t)MIN(w->len - off, UINT16_MAX);
	memcpy(w->p + off, &len, sizeof(len));
}

static void link_stats32(const struct rtnl_link_stats64 *s,
			 struct rtnl_link_stats *o)
{
	o->rx_packets = (uint32_t)s->rx_packets;
	o->tx_packets = (uint32_t)s->tx_packets;
	o->rx_bytes = (uint32_t)s->rx_bytes;
	o->tx_bytes = (uint32_t)s->tx_bytes;
	o->rx_errors = (uint32_t)s->rx_errors;
	o->tx_errors = (uint32_t)s->tx_errors;
	o->rx_dropped = (uint32_t)s->rx_dropped;
	o->tx_dropped = (uint32_t)s->tx_dropped;
	o->multicast = (uint32_t)s->multicast;
	o->collisions = (uint32_t)s->collisions;
	o->rx_length_errors = (uint32_t)s->rx_length_errors;
	o->rx_over_errors = (uint32_t)s->rx_over_errors;
	o->rx_crc_errors = (uint32_t)s->rx_crc_errors;
	o->rx_frame_errors = (uint32_t)s->rx_frame_errors;
	o->rx_fifo_errors = (uint32_t)s->rx_fifo_errors;
	o->rx_missed_errors = (uint32_t)s->rx_missed_errors;
	o->tx_aborted_errors = (uint32_t)s->tx_aborted_errors;
	o->tx_carrier_errors = (uint32_t)s->tx_carrier_errors;
	o->tx_fifo_errors = (uint32_t)s->tx_fifo_errors;
	o->tx_heartbeat_errors = (uint32_t)s->tx_heartbeat_errors;
	o->tx_window_errors = (uint32_t)s->tx_window_errors;
	o->rx_compressed = (uint32_t)s->rx_compressed;
	o->tx_compressed = (uint32_t)s->tx_compressed;
	o->rx_nohandler = (uint32_t)s->rx_nohandler;
}

/* The attributes of rtnl_fill_ifinfo() up to IFLA_CARRIER_CHANGES. */
static void link_put_scalars(struct nlw *w, const struct ns_link *l)
{
	nlw_str(w, IFLA_IFNAME, l->name);
	nlw_u32(w, IFLA_TXQLEN, l->txqlen);
	nlw_u8(w, IFLA_OPERSTATE, l->operstate);
	nlw_u8(w, IFLA_LINKMODE, l->linkmode);
	nlw_u32(w, IFLA_MTU, l->mtu);
	if (l->min_mtu || l->max_mtu) {
		nlw_u32(w, IFLA_MIN_MTU, l->min_mtu);
		nlw_u32(w, IFLA_MAX_MTU, l->max_mtu);
	}
	nlw_u32(w, IFLA_GROUP, l->group);
	nlw_u32(w, IFLA_PROMISCUITY, l->promiscuity);
	nlw_u32(w, IFLA_NUM_TX_QUEUES, l->num_tx_queues);
	nlw_u32(w, IFLA_GSO_MAX_SEGS, l->gso_max_segs);
	nlw_u32(w, IFLA_GSO_MAX_SIZE, l->gso_max_size);
	nlw_u32(w, IFLA_NUM_RX_QUEUES, l->num_rx_queues);
	if (l->master)
		nlw_u32(w, IFLA_MASTER, (uint32_t)l->master);
	nlw_u8(w, IFLA_CARRIER, l->carrier);
	nlw_u32(w, IFLA_CARRIER_CHANGES, l->carrier_changes);
}

/**
 * nlmsg_put_link() - RTM_NEWLINK / RTM_DELLINK for one interface
 * @w: writer
 * @h: header fields
 * @l: the interface
 *
 * Return: 0 or -EMSGSIZE (nothing written then).
 */
int nlmsg_put_link(struct nlw *w, const struct nlw_hdr *h,
		   const struct ns_link *l)
{
	struct ifinfomsg ifm = {
		.ifi_family = AF_UNSPEC,
		.ifi_type = l->type,
		.ifi_index = l->ifindex,
		.ifi_flags = l->flags,
	};
	struct rtnl_link_stats s32 = { 0 };
	size_t start = nlw_begin(w, h, &ifm, sizeof(ifm)), nest;
	size_t alen = MIN((size_t)l->addr_len, sizeof(l->addr));

	link_put_scalars(w, l);
	if (alen) {
		nlw_attr(w, IFLA_ADDRESS, l->addr, alen);
		nlw_attr(w, IFLA_BROADCAST, l->broadcast, alen);
	}
	nlw_attr(w, IFLA_STATS64, &l->stats, sizeof(l->stats));
	link_stats32(&l->stats, &s32);
	nlw_attr(w, IFLA_STATS, &s32, sizeof(s32));
	if (l->kind[0]) {
		char kind[sizeof(l->kind) + 1] = { 0 };

		memcpy(kind, l->kind, sizeof(l->kind));
		nest = nlw_nest(w, IFLA_LINKINFO);
		nlw_str(w, IFLA_INFO_KIND, kind);
		nlw_nest_end(w, nest);
	}
	if (l->link_netnsid >= 0)
		nlw_u32(w, IFLA_LINK_NETNSID, (uint32_t)l->link_netnsid);
	if (l->iflink && l->iflink != l->ifindex)
		nlw_u32(w, IFLA_LINK, (uint32_t)l->iflink);
	if (l->qdisc[0]) {
		char q[sizeof(l->qdisc) + 1] = { 0 };

		memcpy(q, l->qdisc, sizeof(l->qdisc));
		nlw_str(w, IFLA_QDISC, q);
	}
	return nlw_end(w, start);
}

static size_t family_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static bool is_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/**
 * nlmsg_put_addr() - RTM_NEWADDR / RTM_DELADDR for one address
 * @w: writer
 * @h: header fields
 * @a: the address
 *
 * IPv4: IFA_ADDRESS is the peer on point-to-point links, else the local
 * address; IFA_LOCAL the local one (inet_fill_ifaddr). IPv6: IFA_ADDRESS
 * alone, or IFA_LOCAL plus the peer as IFA_ADDRESS (inet6_fill_ifaddr).
 *
 * Return: 0 or -EMSGSIZE.
 */
int nlmsg_put_addr(struct nlw *w, const struct nlw_hdr *h,
		   const struct ns_addr *a)
{
	struct ifaddrmsg ifa = {
		.ifa_family = a->family,
		.ifa_prefixlen = a->prefixlen,
		.ifa_flags = (uint8_t)a->flags,
		.ifa_scope = a->scope,
		.ifa_index = (uint32_t)a->ifindex,
	};
	struct ifa_cacheinfo ci = {
		.ifa_prefered = a->preferred_lft,
		.ifa_valid = a->valid_lft,
		.cstamp = a->cstamp,
		.tstamp = a->tstamp,
	};
	size_t start = nlw_begin(w, h, &ifa, sizeof(ifa));
	size_t alen = family_len(a->family);

	if (a->family == AF_INET) {
		const uint8_t *addr = a->has_peer ? a->peer : a->local;

		if (!is_zero(addr, 4))
			nlw_attr(w, IFA_ADDRESS, addr, 4);
		if (!is_zero(a->local, 4))
			nlw_attr(w, IFA_LOCAL, a->local, 4);
		if (a->has_broadcast && !is_zero(a->broadcast, 4))
			nlw_attr(w, IFA_BROADCAST, a->broadcast, 4);
		if (a->label[0])
			nlw_str(w, IFA_LABEL, a->label);
		nlw_u32(w, IFA_FLAGS, a->flags);
		if (a->priority)
			nlw_u32(w, IFA_RT_PRIORITY, a->priority);
		nlw_attr(w, IFA_CACHEINFO, &ci, sizeof(ci));
	} else {
		if (a->has_peer && !is_zero(a->peer, alen)) {
			nlw_attr(w, IFA_LOCAL, a->local, alen);
			nlw_attr(w, IFA_ADDRESS, a->peer, alen);
		} else {
			nlw_attr(w, IFA_ADDRESS, a->local, alen);
		}
		if (a->priority)
			nlw_u32(w, IFA_RT_PRIORITY, a->priority);
		nlw_attr(w, IFA_CACHEINFO, &ci, sizeof(ci));
		nlw_u32(w, IFA_FLAGS, a->flags);
	}
	return nlw_end(w, start);
}

/* RTA_METRICS: every metric the model holds, RTAX_CC_ALGO excepted (the
 * kernel sends its name, the model only a key). */
static void route_put_metrics(struct nlw *w, const struct ns_route *r)
{
	size_t nest;
	int i;

	if (!(r->metrics_mask & ~(1u << RTAX_CC_ALGO)))
		return;
	nest = nlw_nest(w, RTA_METRICS);
	for (i = 1; i <= 16; i++)
		if (i != RTAX_CC_ALGO && (r->metrics_mask & (1u << i)) &&
		    r->metrics[i])
			nlw_u32(w, (uint16_t)i, r->metrics[i]);
	nlw_nest_end(w, nest);
}

/* RTA_GATEWAY (same family) or RTA_VIA (IPv6 gateway of an IPv4 route). */
static void route_put_gw(struct nlw *w, uint8_t family,
			 const struct ns_nexthop *nh)
{
	if (!nh->gw_family)
		return;
	if (nh->gw_family == family) {
		nlw_attr(w, RTA_GATEWAY, nh->gw, family_len(family));
	} else {
		uint8_t via[2 + 16];
		uint16_t f = nh->gw_family;
		size_t glen = family_len(nh->gw_family);

		memcpy(via, &f, 2);
		memcpy(via + 2, nh->gw, glen);
		nlw_attr(w, RTA_VIA, via, 2 + glen);
	}
}

static void route_put_multipath(struct nlw *w, uint8_t family,
				const struct ns_nexthop *nh, uint32_t n_nh)
{
	size_t nest = nlw_nest(w, RTA_MULTIPATH);
	uint32_t i;

	for (i = 0; i < n_nh; i++) {
		size_t off = w->len;
		struct rtnexthop rtnh = {
			.rtnh_flags = (uint8_t)nh[i].flags,
			.rtnh_hops = nh[i].weight,
			.rtnh_ifindex = nh[i].ifindex,
		};
		uint8_t *p = nlw_reserve(w, RTNH_ALIGN(sizeof(rtnh)));

		route_put_gw(w, family, &nh[i]);
		if (!p || w->over)
			break;
		rtnh.rtnh_len = (uint16_t)(w->len - off);
		memcpy(p, &rtnh, sizeof(rtnh));
	}
	nlw_nest_end(w, nest);
}

static void route_put_nexthops(struct nlw *w, const struct ns_route *r,
			       const struct ns_nexthop *nh, uint32_t n_nh)
{
	if (n_nh > 1) {
		route_put_multipath(w, r->family, nh, n_nh);
	} else if (n_nh == 1) {
		route_put_gw(w, r->family, nh);
		if (nh->ifindex)
			nlw_u32(w, RTA_OIF, (uint32_t)nh->ifindex);
	}
}

/**
 * nlmsg_put_route() - RTM_NEWROUTE / RTM_DELROUTE for one route
 * @w: writer
 * @h: header fields
 * @r: the route
 * @nh: its next hops
 * @n_nh: how many of them
 *
 * Return: 0 or -EMSGSIZE.
 */
int nlmsg_put_route(struct nlw *w, const struct nlw_hdr *h,
		    const struct ns_route *r, const struct ns_nexthop *nh,
		    uint32_t n_nh)
{
	struct rtmsg rtm = {
		.rtm_family = r->family,
		.rtm_dst_len = r->dst_len,
		.rtm_src_len = r->src_len,
		.rtm_tos = r->tos,
		.rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_COMPAT,
		.rtm_protocol = r->protocol,
		.rtm_scope = r->scope,
		.rtm_type = r->type,
		.rtm_flags = r->flags,
	};
	size_t start = nlw_begin(w, h, &rtm, sizeof(rtm));
	size_t alen = family_len(r->family);

	nlw_u32(w, RTA_TABLE, r->table);
	if (r->dst_len)
		nlw_attr(w, RTA_DST, r->dst, alen);
	if (r->family == AF_INET) {
		if (r->priority)
			nlw_u32(w, RTA_PRIORITY, r->priority);
		route_put_metrics(w, r);
		if (r->has_prefsrc)
			nlw_attr(w, RTA_PREFSRC, r->prefsrc, alen);
		route_put_nexthops(w, r, nh, n_nh);
	} else {
		struct rta_cacheinfo ci = { 0 };

		if (r->expires) { /* a deadline (netstate.h); the kernel sends what is left */
			int64_t now = g_get_monotonic_time() / G_USEC_PER_SEC;

			ci.rta_expires = r->expires > now
				? (uint32_t)(r->expires - now) * 100 : 0;
		}

		if (r->src_len)
			nlw_attr(w, RTA_SRC, r->src, alen);
		if (r->has_prefsrc)
			nlw_attr(w, RTA_PREFSRC, r->prefsrc, alen);
		route_put_metrics(w, r);
		nlw_u32(w, RTA_PRIORITY, r->priority);
		route_put_nexthops(w, r, nh, n_nh);
		nlw_attr(w, RTA_CACHEINFO, &ci, sizeof(ci));
		nlw_u8(w, RTA_PREF, r->pref);
	}
	return nlw_end(w, start);
}

/**
 * nlmsg_put_neigh() - RTM_NEWNEIGH / RTM_DELNEIGH for one neighbour
 * @w: writer
 * @h: header fields
 * @n: the neighbour
 *
 * Return: 0 or -EMSGSIZE.
 */
int nlmsg_put_neigh(struct nlw *w, const struct nlw_hdr *h,
		    const struct ns_neigh *n)
{
	struct ndmsg ndm = {
		.ndm_family = n->family,
		.ndm_ifindex = n->ifindex,
		.ndm_state = n->state,
		.ndm_flags = n->flags,
		.ndm_type = n->type,
	};
	size_t start = nlw_begin(w, h, &ndm, sizeof(ndm));

	nlw_attr(w, NDA_DST, n->dst, family_len(n->family));
	if (n->lladdr_len)
		nlw_attr(w, NDA_LLADDR, n->lladdr,
			 MIN((size_t)n->lladdr_len, sizeof(n->lladdr)));
	return nlw_end(w, start);
}

/*
 * The rules a new network namespace has (fib4_rules_init,
 * ipmr_rules_init, fib6_rules_net_init, ip6mr_rules_init), in the order
 * an AF_UNSPEC dump of kernel 6.18 lists them. lxnet shows the main and
 * local tables only, so the host's own rules are not passed through.
 */
static const struct nlmsg_rule default_rules[] = {
	{ AF_INET, RT_TABLE_LOCAL, 0 },
	{ AF_INET, RT_TABLE_MAIN, 32766 },
	{ AF_INET, RT_TABLE_DEFAULT, 32767 },
	{ RTNL_FAMILY_IPMR, RT_TABLE_DEFAULT, 32767 },
	{ RTNL_FAMILY_IP6MR, RT_TABLE_MAIN, 32767 },
	{ AF_INET6, RT_TABLE_LOCAL, 0 },
	{ AF_INET6, RT_TABLE_MAIN, 32766 },
};

const struct nlmsg_rule *nlmsg_default_rules(size_t *ret_n)
{
	*ret_n = G_N_ELEMENTS(default_rules);
	return default_rules;
}

/**
 * nlmsg_put_rule() - RTM_NEWRULE for one of the default rules
 * @w: writer
 * @h: header fields
 * @r: the rule
 *
 * Return: 0 or -EMSGSIZE.
 */
int nlmsg_put_rule(struct nlw *w, const struct nlw_hdr *h,
		   const struct nlmsg_rule *r)
{
	struct fib_rule_hdr frh = {
		.family = r->family,
		.table = r->table,
		.action = FR_ACT_TO_TBL,
	};
	size_t start = nlw_begin(w, h, &frh, sizeof(frh));

	nlw_u32(w, FRA_TABLE, r->table);
	nlw_u32(w, FRA_SUPPRESS_PREFIXLEN, UINT32_MAX);
	nlw_u8(w, FRA_PROTOCOL, RTPROT_KERNEL);
	if (r->pref)
		nlw_u32(w, FRA_PRIORITY, r->pref);
	return nlw_end(w, start);
}

/**
 * nlmsg_put_copy() - a message the host kernel sent, re-addressed
 * @w: writer
 * @h: header fields; a zero @h->type keeps the message's own type
 * @msg: the message (header included, nlmsg_len == @len)
 * @len: its length
 *
 * Return: 0, -EMSGSIZE, or -EINVAL when @len cannot be a message.
 */
int nlmsg_put_copy(struct nlw *w, const struct nlw_hdr *h, const void *msg,
		   size_t len)
{
	struct nlmsghdr nh;
	uint8_t *p;

	if (len < NLMSG_HDRLEN || len > UINT32_MAX)
		return -EINVAL;
	p = nlw_reserve(w, NLMSG_ALIGN(len));
	if (!p) {
		w->over = false;
		return -EMSGSIZE;
	}
	memcpy(&nh, msg, sizeof(nh));
	if (h->type)
		nh.nlmsg_type = h->type;
	nh.nlmsg_len = (uint32_t)len;
	nh.nlmsg_flags = h->flags;
	nh.nlmsg_seq = h->seq;
	nh.nlmsg_pid = h->pid;
	memcpy(p, &nh, sizeof(nh));
	memcpy(p + sizeof(nh), (const uint8_t *)msg + sizeof(nh),
	       len - sizeof(nh));
	return 0;
}
