// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_route.c - routes: RTM_GETROUTE dumps in the kernel's order, `ip route get` from the host, RTM_NEWROUTE/DELROUTE messages */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "nlmsg_req.h"

static const struct nlpol rta_pol[RTA_MAX + 1] = {
	[RTA_DST] = { POL_BIN, 16 },
	[RTA_SRC] = { POL_BIN, 16 },
	[RTA_IIF] = { POL_U32, 0 },
	[RTA_OIF] = { POL_U32, 0 },
	[RTA_GATEWAY] = { POL_BIN, 16 },
	[RTA_PRIORITY] = { POL_U32, 0 },
	[RTA_PREFSRC] = { POL_BIN, 16 },
	[RTA_METRICS] = { POL_NEST, 0 },
	[RTA_MULTIPATH] = { POL_BIN, 0 },
	[RTA_FLOW] = { POL_U32, 0 },
	[RTA_TABLE] = { POL_U32, 0 },
	[RTA_MARK] = { POL_U32, 0 },
	[RTA_UID] = { POL_U32, 0 },
	[RTA_IP_PROTO] = { POL_U8, 0 },
};

/* ------------------------------------------------------------------ */
/* Encoder (fib_dump_info(), rt6_fill_node(), checked against 6.18)     */

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
		nlw_attr(w, RTA_GATEWAY, nh->gw, nlmsg_family_len(family));
	} else {
		uint8_t via[2 + 16];
		uint16_t f = nh->gw_family;
		size_t glen = nlmsg_family_len(nh->gw_family);

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
 * route_put() - RTM_NEWROUTE / RTM_DELROUTE for one route
 * @w: writer
 * @h: header fields
 * @r: the route
 * @nh: its next hops
 * @n_nh: how many of them
 *
 * Return: 0 or -EMSGSIZE.
 */
static int route_put(struct nlw *w, const struct nlw_hdr *h,
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
	size_t alen = nlmsg_family_len(r->family);

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

/* ------------------------------------------------------------------ */
/* Dumps and changes                                                   */

/**
 * route_selected() - whether route @r passes the dump's filter
 * @d: the dump (inet_dump_fib()'s filter: family, table, protocol, type,
 *     an output interface among the next hops)
 * @r: the route
 *
 * Return: true when it is dumped.
 */
static bool route_selected(const struct nlmsg_dump *d,
			   const struct ns_route *r)
{
	const struct ns_routes *t = d->snap->routes;
	uint32_t i;

	if (!d->f.routes)
		return false;
	if (d->f.family && r->family != d->f.family)
		return false;
	if (d->f.table && r->table != d->f.table)
		return false;
	if (d->f.protocol && r->protocol != d->f.protocol)
		return false;
	if (d->f.type && r->type != d->f.type)
		return false;
	if (d->f.oif) {
		for (i = 0; i < r->nh_count; i++)
			if (r->nh_first + i < t->n_nh &&
			    t->nh[r->nh_first + i].ifindex == d->f.oif)
				return true;
		return false;
	}
	return true;
}

struct route_order_ctx {
	const struct ns_route *v;
};

/* g_qsort_with_data() comparator over snapshot indexes. */
static gint route_cmp_kernel(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct route_order_ctx *c = data;
	guint ia = *(const guint *)a, ib = *(const guint *)b;
	int r = ns_route_cmp_kernel(&c->v[ia], &c->v[ib]);

	if (r)
		return r;
	/* equal for the kernel too: its order is insertion order, which the
	 * model does not know; keep the snapshot's */
	return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/**
 * route_order() - the kernel's dump order of the snapshot's routes
 * @d: a route dump
 *
 * Made once per dump, at its first object: one index per route (bounded
 * by the snapshot's route table, which the dump holds anyway).
 */
static void route_order(struct nlmsg_dump *d)
{
	const struct ns_routes *t = d->snap->routes;
	struct route_order_ctx c = { .v = t->v };
	guint i;

	d->order = g_new(guint, MAX(t->n, 1u));
	for (i = 0; i < t->n; i++)
		d->order[i] = i;
	d->n_order = t->n;
	if (t->n > 1)
		g_qsort_with_data(d->order, (gint)t->n, sizeof(*d->order),
				  route_cmp_kernel, &c);
}

/**
 * route_dump_one() - nlmsg_object.dump_one of routes: route @i of the
 * dump, in the kernel's order
 * @d: a route dump
 * @i: position in the dump's order
 * @w: writer
 * @h: header fields
 *
 * Return: 1 emitted, 0 skipped, -EMSGSIZE no room, -ENOENT past the end.
 */
static int route_dump_one(struct nlmsg_dump *d, size_t i, struct nlw *w,
			  const struct nlw_hdr *h)
{
	const struct ns_routes *t = d->snap->routes;
	const struct ns_route *r;

	if (!d->order)
		route_order(d);
	if (i >= d->n_order)
		return -ENOENT;
	r = &t->v[d->order[i]];
	if (!route_selected(d, r))
		return 0;
	if (r->nh_first > t->n_nh || r->nh_count > t->n_nh - r->nh_first)
		return 0; /* a malformed table: skip, never read past */
	return route_put(w, h, r, &t->nh[r->nh_first], r->nh_count) ?: 1;
}

/* nlmsg_object.put_change of routes: with the first next hops the
 * change carries (struct ns_change: a route with more is announced with
 * those) */
static int route_put_change(struct nlw *w, const struct nlw_hdr *h,
			    const struct ns_change *c)
{
	return route_put(w, h, &c->u.route.route, c->u.route.nh,
			 MIN(c->u.route.route.nh_count,
			     (uint32_t)G_N_ELEMENTS(c->u.route.nh)));
}

/* nlmsg_object.change_groups of routes: by family */
static uint64_t route_change_groups(const struct ns_change *c)
{
	uint8_t family = c->u.route.route.family;
	unsigned int g = family == AF_INET ? RTNLGRP_IPV4_ROUTE :
			 family == AF_INET6 ? RTNLGRP_IPV6_ROUTE : 0;

	return g ? UINT64_C(1) << (g - 1) : 0;
}

const struct nlmsg_object nlmsg_route_object = {
	.new_type = RTM_NEWROUTE,
	.del_type = RTM_DELROUTE,
	.dump_one = route_dump_one,
	.put_change = route_put_change,
	.change_groups = route_change_groups,
};

/* ------------------------------------------------------------------ */
/* Requests                                                            */

/**
 * route_dump_check() - ip_valid_fib_dump_req(): strict checks and filters
 * @q: the request (strict checking on)
 * @d: the dump, whose route filter is set
 *
 * Return: 0 or -errno, with the extended ack set.
 */
static int route_dump_check(struct nlmsg_req *q, struct nlmsg_dump *d)
{
	const struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg rtm;
	int r, i;

	if (q->plen < sizeof(rtm)) {
		q->ext_msg = "Invalid header for FIB dump request";
		return -EINVAL;
	}
	memcpy(&rtm, q->msg + NLMSG_HDRLEN, sizeof(rtm));
	if (rtm.rtm_dst_len || rtm.rtm_src_len || rtm.rtm_tos ||
	    rtm.rtm_scope) {
		q->ext_msg = "Invalid values in header for FIB dump request";
		return -EINVAL;
	}
	if (rtm.rtm_flags & ~(RTM_F_CLONED | RTM_F_PREFIX)) {
		q->ext_msg = "Invalid flags for FIB dump request";
		return -EINVAL;
	}
	/* Exceptions (RTM_F_CLONED) are not in the model: none to show. */
	if (rtm.rtm_flags & (RTM_F_CLONED | RTM_F_PREFIX))
		d->f.routes = false;
	d->f.protocol = rtm.rtm_protocol;
	d->f.type = rtm.rtm_type;
	d->f.table = rtm.rtm_table;
	r = nlr_attr_parse(q, q->hdrlen, rta_pol, RTA_MAX, tb, true);
	if (r < 0)
		return r;
	for (i = 0; i <= RTA_MAX; i++) {
		if (!tb[i])
			continue;
		switch (i) {
		case RTA_TABLE:
			d->f.table = nlr_attr_u32(tb[i]);
			break;
		case RTA_OIF:
			d->f.oif = (int)nlr_attr_u32(tb[i]);
			if (!ns_link_by_index(q->snap, d->f.oif))
				return -ENODEV;
			break;
		default:
			q->ext_msg = "Unsupported attribute in dump request";
			return -EINVAL;
		}
	}
	d->msg_flags |= NLM_F_DUMP_FILTERED; /* routes or exceptions only */
	if (rtm.rtm_flags || d->f.protocol || d->f.type || d->f.table ||
	    d->f.oif)
		d->done_flags |= NLM_F_DUMP_FILTERED;
	return 0;
}

/* Whether the snapshot has a route of @family (0: any) in @table. */
static bool route_table_known(const struct netstate_snapshot *snap,
			      uint8_t family, uint32_t table)
{
	uint32_t i;

	for (i = 0; snap && snap->routes && i < snap->routes->n; i++) {
		const struct ns_route *r = &snap->routes->v[i];

		if (r->table == table && (!family || r->family == family))
			return true;
	}
	return false;
}

/**
 * nlmsg_route_dump() - RTM_GETROUTE dump (inet_dump_fib(), inet6_dump_fib())
 * @q: the request
 *
 * A table is known to exist when it is main or local or has a route of
 * the family in the model (an empty table of the host's is not in it):
 * asking for another one by family is -ENOENT, as the kernel answers for
 * a table that does not exist.
 *
 * Return: the dump.
 */
struct nlmsg_dump *nlmsg_route_dump(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	struct nlmsg_dump *d;
	int r = 0;

	if (family == RTNL_FAMILY_IPMR || family == RTNL_FAMILY_IP6MR)
		return nlr_req_dump(q, NULL, false); /* no mroutes */
	d = nlr_req_dump(q, &nlmsg_route_object, false);
	if (family == AF_INET || family == AF_INET6)
		d->f.family = family;
	if (q->o->strict_chk) {
		r = route_dump_check(q, d);
	} else if (q->plen >= sizeof(struct rtmsg)) {
		struct rtmsg rtm;

		memcpy(&rtm, q->msg + NLMSG_HDRLEN, sizeof(rtm));
		if (rtm.rtm_flags & RTM_F_PREFIX)
			d->f.routes = false; /* RA prefix routes: not known */
	}
	if (r == 0 && d->f.table && d->f.table != RT_TABLE_MAIN &&
	    d->f.table != RT_TABLE_LOCAL &&
	    !route_table_known(d->snap, d->f.family, d->f.table)) {
		if (d->f.family == AF_INET) {
			q->ext_msg = "ipv4: FIB table does not exist";
			r = -ENOENT;
		} else if (d->f.family == AF_INET6) {
			q->ext_msg = "ipv6: FIB table does not exist";
			r = -ENOENT;
		}
		d->f.routes = false;
	}
	if (r < 0)
		nlr_dump_fail(d, q, r);
	return d;
}

static const struct nlmsg_host_want want_route = {
	RTM_NEWROUTE, sizeof(struct rtmsg), RTA_OIF, nlmsg_host_ifindex_visible,
};

/**
 * nlmsg_route_get() - `ip route get`: the host's answer, unless it leaves
 * through a hidden interface
 * @q: a RTM_GETROUTE request without NLM_F_DUMP
 *
 * Return: 0 (the answer emitted), -ENODEV for a hidden RTA_OIF/RTA_IIF,
 * -ENETUNREACH for a route through a hidden interface, or the host's error.
 */
int nlmsg_route_get(struct nlmsg_req *q)
{
	const struct nlattr *tb[RTA_MAX + 1];
	g_autoptr(GPtrArray) msgs = NULL;
	unsigned int fl = 0;
	int r;
	guint i;

	if (!q->host_query)
		return -EOPNOTSUPP;
	r = nlr_attr_parse(q, q->hdrlen, rta_pol, RTA_MAX, tb,
			   q->o->strict_chk);
	if (r < 0)
		return r;
	if ((tb[RTA_OIF] &&
	     !nlmsg_ifindex_visible(q->snap, (int)nlr_attr_u32(tb[RTA_OIF]))) ||
	    (tb[RTA_IIF] &&
	     !nlmsg_ifindex_visible(q->snap, (int)nlr_attr_u32(tb[RTA_IIF]))))
		return -ENODEV;
	r = nlr_host_collect(q, &want_route, &msgs, &fl);
	if (r < 0)
		return r;
	if (fl & NLMSG_HOST_HIDDEN)
		return -ENETUNREACH;
	for (i = 0; i < msgs->len; i++) {
		r = nlr_host_emit(q, msgs->pdata[i]);
		if (r < 0)
			return r;
	}
	return msgs->len ? 0 : -ENETUNREACH;
}
