// SPDX-License-Identifier: LGPL-2.1-or-later
/* netstate_build.c - libnl objects to plain ns_* tables, view policy applied */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/nexthop.h>
#include <netlink/socket.h>

#include "netstate_int.h"
#include "util.h"

/**
 * netstate_nlerr() - the one adapter from libnl's error codes to errno
 * @nlerr: a libnl return value (0, positive, or -NLE_*)
 *
 * Return: @nlerr unchanged when >= 0, else the matching -errno.
 */
int netstate_nlerr(int nlerr)
{
	if (nlerr >= 0)
		return nlerr;
	switch (-nlerr) {
	case NLE_INTR: return -EINTR;
	case NLE_BAD_SOCK: return -EBADF;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_NOMEM: return -ENOMEM;   /* also what libnl makes of ENOBUFS */
	case NLE_EXIST: return -EEXIST;
	case NLE_INVAL: return -EINVAL;
	case NLE_RANGE: return -ERANGE;
	case NLE_MSGSIZE: return -EMSGSIZE;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_NOATTR: return -ENODATA;
	case NLE_MISSING_ATTR: return -EINVAL;
	case NLE_AF_MISMATCH: return -EAFNOSUPPORT;
	case NLE_SEQ_MISMATCH: return -EPROTO;
	case NLE_MSG_OVERFLOW: return -EOVERFLOW;
	case NLE_MSG_TRUNC: return -EMSGSIZE;
	case NLE_NOADDR: return -EADDRNOTAVAIL;
	case NLE_SRCRT_NOSUPPORT: return -EOPNOTSUPP;
	case NLE_MSG_TOOSHORT: return -EBADMSG;
	case NLE_MSGTYPE_NOSUPPORT: return -EOPNOTSUPP;
	case NLE_OBJ_MISMATCH: return -EINVAL;
	case NLE_NOCACHE: return -ENOENT;
	case NLE_BUSY: return -EBUSY;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_NOACCESS: return -EACCES;
	case NLE_PERM: return -EPERM;
	case NLE_PKTLOC_FILE: return -ENOENT;
	case NLE_PARSE_ERR: return -EBADMSG;
	case NLE_NODEV: return -ENODEV;
	case NLE_IMMUTABLE: return -EROFS;
	case NLE_DUMP_INTR: return -EAGAIN;
	case NLE_ATTRSIZE: return -EBADMSG;
	default: return -EIO;
	}
}

bool nsb_is_hidden(GHashTable *hidden, int ifindex)
{
	return hidden && ifindex > 0 &&
	       g_hash_table_contains(hidden, GINT_TO_POINTER(ifindex));
}

/* Copy an nl_addr's bytes into @dst (at most @max); return the length. */
static uint8_t nsb_copy_addr(struct nl_addr *a, uint8_t *dst, size_t max)
{
	size_t len;

	if (!a)
		return 0;
	len = MIN((size_t)nl_addr_get_len(a), max);
	if (len)
		memcpy(dst, nl_addr_get_binary_addr(a), len);
	return (uint8_t)len;
}

static void nsb_copy_str(char *dst, size_t size, const char *src)
{
	if (src)
		g_strlcpy(dst, src, size);
}

static void nsb_link_stats(struct rtnl_link *l, struct rtnl_link_stats64 *s)
{
	s->rx_packets = rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS);
	s->tx_packets = rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS);
	s->rx_bytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
	s->tx_bytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
	s->rx_errors = rtnl_link_get_stat(l, RTNL_LINK_RX_ERRORS);
	s->tx_errors = rtnl_link_get_stat(l, RTNL_LINK_TX_ERRORS);
	s->rx_dropped = rtnl_link_get_stat(l, RTNL_LINK_RX_DROPPED);
	s->tx_dropped = rtnl_link_get_stat(l, RTNL_LINK_TX_DROPPED);
	s->multicast = rtnl_link_get_stat(l, RTNL_LINK_MULTICAST);
	s->collisions = rtnl_link_get_stat(l, RTNL_LINK_COLLISIONS);
	s->rx_length_errors = rtnl_link_get_stat(l, RTNL_LINK_RX_LEN_ERR);
	s->rx_over_errors = rtnl_link_get_stat(l, RTNL_LINK_RX_OVER_ERR);
	s->rx_crc_errors = rtnl_link_get_stat(l, RTNL_LINK_RX_CRC_ERR);
	s->rx_frame_errors = rtnl_link_get_stat(l, RTNL_LINK_RX_FRAME_ERR);
	s->rx_fifo_errors = rtnl_link_get_stat(l, RTNL_LINK_RX_FIFO_ERR);
	s->rx_missed_errors = rtnl_link_get_stat(l, RTNL_LINK_RX_MISSED_ERR);
	s->tx_aborted_errors = rtnl_link_get_stat(l, RTNL_LINK_TX_ABORT_ERR);
	s->tx_carrier_errors = rtnl_link_get_stat(l, RTNL_LINK_TX_CARRIER_ERR);
	s->tx_fifo_errors = rtnl_link_get_stat(l, RTNL_LINK_TX_FIFO_ERR);
	s->tx_heartbeat_errors = rtnl_link_get_stat(l, RTNL_LINK_TX_HBEAT_ERR);
	s->tx_window_errors = rtnl_link_get_stat(l, RTNL_LINK_TX_WIN_ERR);
	s->rx_compressed = rtnl_link_get_stat(l, RTNL_LINK_RX_COMPRESSED);
	s->tx_compressed = rtnl_link_get_stat(l, RTNL_LINK_TX_COMPRESSED);
	s->rx_nohandler = rtnl_link_get_stat(l, RTNL_LINK_RX_NOHANDLER);
}

/**
 * nsb_link_from_nl() - convert a libnl link
 * @l: link object
 * @out: zeroed struct to fill (padding must stay zero: tables are compared
 *       with memcmp)
 *
 * libnl 3.7 does not parse IFLA_MIN_MTU/IFLA_MAX_MTU: they stay 0.
 */
void nsb_link_from_nl(struct rtnl_link *l, struct ns_link *out)
{
	uint32_t v;
	int32_t nsid;

	out->ifindex = rtnl_link_get_ifindex(l);
	nsb_copy_str(out->name, sizeof(out->name), rtnl_link_get_name(l));
	out->flags = rtnl_link_get_flags(l);
	out->type = (uint16_t)rtnl_link_get_arptype(l);
	out->mtu = rtnl_link_get_mtu(l);
	out->txqlen = rtnl_link_get_txqlen(l);
	out->group = rtnl_link_get_group(l);
	out->promiscuity = rtnl_link_get_promiscuity(l);
	out->num_tx_queues = rtnl_link_get_num_tx_queues(l);
	out->num_rx_queues = rtnl_link_get_num_rx_queues(l);
	if (rtnl_link_get_gso_max_size(l, &v) == 0)
		out->gso_max_size = v;
	if (rtnl_link_get_gso_max_segs(l, &v) == 0)
		out->gso_max_segs = v;
	if (rtnl_link_get_carrier_changes(l, &v) == 0)
		out->carrier_changes = v;
	out->carrier = rtnl_link_get_carrier(l);
	out->operstate = rtnl_link_get_operstate(l);
	out->linkmode = rtnl_link_get_linkmode(l);
	out->iflink = rtnl_link_get_link(l);
	if (out->iflink == 0)
		out->iflink = out->ifindex;
	out->master = rtnl_link_get_master(l);
	out->link_netnsid =
		rtnl_link_get_link_netnsid(l, &nsid) == 0 ? nsid : -1;
	out->addr_len = nsb_copy_addr(rtnl_link_get_addr(l), out->addr,
				      sizeof(out->addr));
	nsb_copy_addr(rtnl_link_get_broadcast(l), out->broadcast,
		      sizeof(out->broadcast));
	nsb_copy_str(out->qdisc, sizeof(out->qdisc), rtnl_link_get_qdisc(l));
	nsb_copy_str(out->kind, sizeof(out->kind), rtnl_link_get_type(l));
	nsb_link_stats(l, &out->stats);
}

/**
 * nsb_addr_from_nl() - convert a libnl address, applying the view policy
 * @a: address object
 * @hidden: ifindexes of hidden links
 * @out: zeroed struct to fill
 *
 * libnl sets the peer only when IFA_ADDRESS differs from IFA_LOCAL (IPv4),
 * and uses IFA_ADDRESS as the local address when there is no IFA_LOCAL
 * (IPv6), which is what struct ns_addr wants. IFA_RT_PRIORITY is not
 * parsed by libnl 3.7: priority stays 0.
 *
 * Return: false when the address is not shown (hidden link, other family).
 */
bool nsb_addr_from_nl(struct rtnl_addr *a, GHashTable *hidden,
		      struct ns_addr *out)
{
	int family = rtnl_addr_get_family(a);
	struct nl_addr *bcast;

	if (family != AF_INET && family != AF_INET6)
		return false;
	out->ifindex = rtnl_addr_get_ifindex(a);
	if (nsb_is_hidden(hidden, out->ifindex))
		return false;
	out->family = (uint8_t)family;
	out->prefixlen = (uint8_t)rtnl_addr_get_prefixlen(a);
	out->scope = (uint8_t)rtnl_addr_get_scope(a);
	out->flags = rtnl_addr_get_flags(a);
	nsb_copy_addr(rtnl_addr_get_local(a), out->local, sizeof(out->local));
	if (rtnl_addr_get_peer(a)) {
		out->has_peer = true;
		nsb_copy_addr(rtnl_addr_get_peer(a), out->peer,
			      sizeof(out->peer));
	}
	bcast = rtnl_addr_get_broadcast(a);
	if (family == AF_INET && bcast && nl_addr_get_len(bcast) == 4) {
		out->has_broadcast = true;
		nsb_copy_addr(bcast, out->broadcast, sizeof(out->broadcast));
	}
	nsb_copy_str(out->label, sizeof(out->label), rtnl_addr_get_label(a));
	out->valid_lft = rtnl_addr_get_valid_lifetime(a);
	out->preferred_lft = rtnl_addr_get_preferred_lifetime(a);
	out->cstamp = rtnl_addr_get_create_time(a);
	out->tstamp = rtnl_addr_get_last_update_time(a);
	return true;
}

/**
 * nsb_neigh_from_nl() - convert a libnl neighbour, applying the view policy
 * @n: neighbour object
 * @hidden: ifindexes of hidden links
 * @noarp: keep an entry whose only state is NUD_NOARP (for its event)
 * @out: zeroed struct to fill
 *
 * Entries whose only state is NUD_NOARP are left out of the table: the
 * kernel makes them on demand (multicast and broadcast destinations,
 * NOARP devices) without any RTM_NEWNEIGH, so the model could not follow
 * them; they are also what /proc/net/arp and a plain `ip neigh` leave
 * out. Their notifications are still events (@noarp).
 *
 * Return: false when not shown (hidden link, not ARP/NDISC, NOARP only
 * without @noarp).
 */
bool nsb_neigh_from_nl(struct rtnl_neigh *n, GHashTable *hidden, bool noarp,
		       struct ns_neigh *out)
{
	int family = rtnl_neigh_get_family(n);
	int state = rtnl_neigh_get_state(n);
	int type = rtnl_neigh_get_type(n);

	if (family != AF_INET && family != AF_INET6)
		return false;
	if (state == NUD_NOARP && !noarp)
		return false;
	out->ifindex = rtnl_neigh_get_ifindex(n);
	if (nsb_is_hidden(hidden, out->ifindex))
		return false;
	out->family = (uint8_t)family;
	out->state = state > 0 ? (uint16_t)state : 0;
	out->flags = (uint8_t)rtnl_neigh_get_flags(n);
	out->type = type > 0 ? (uint8_t)type : 0;
	nsb_copy_addr(rtnl_neigh_get_dst(n), out->dst, sizeof(out->dst));
	out->lladdr_len = nsb_copy_addr(rtnl_neigh_get_lladdr(n), out->lladdr,
					sizeof(out->lladdr));
	return true;
}

/**
 * nsb_route_from_nl() - convert a libnl route, applying the view policy
 * @r: route object
 * @hidden: ifindexes of hidden links
 * @out: zeroed struct to fill; nh_first is left 0, nh_count is the number
 *       of visible next hops (may exceed @nh_max)
 * @nh: where the first @nh_max visible next hops are written (zeroed)
 * @nh_max: room in @nh
 *
 * Kept: IPv4/IPv6 routes of every table that are not cloned (policy
 * routing's tables too: VPN clients put their routes there).
 * Hidden next hops are removed; a route whose next hops are all hidden is
 * dropped. libnl 3.7 parses neither RTA_PREF nor the expiry in
 * RTA_CACHEINFO: they stay 0 here (nsb_dump_routes() fills them in).
 *
 * Return: false when the route is not shown; nothing was written then.
 */
bool nsb_route_from_nl(struct rtnl_route *r, GHashTable *hidden,
		       struct ns_route *out, struct ns_nexthop *nh,
		       guint nh_max)
{
	int family = rtnl_route_get_family(r);
	uint32_t table = rtnl_route_get_table(r);
	int i, total = rtnl_route_get_nnexthops(r);
	struct nl_addr *dst = rtnl_route_get_dst(r);
	struct nl_addr *src = rtnl_route_get_src(r);
	struct nl_addr *prefsrc = rtnl_route_get_pref_src(r);
	guint kept = 0;

	if (family != AF_INET && family != AF_INET6)
		return false;
	if (rtnl_route_get_flags(r) & RTM_F_CLONED)
		return false;
	for (i = 0; i < total; i++) {
		struct rtnl_nexthop *h = rtnl_route_nexthop_n(r, i);
		int ifindex = rtnl_route_nh_get_ifindex(h);
		struct nl_addr *gw = rtnl_route_nh_get_gateway(h);

		if (!gw) /* RTA_VIA: an IPv4 route via an IPv6 gateway */
			gw = rtnl_route_nh_get_via(h);

		if (nsb_is_hidden(hidden, ifindex))
			continue;
		if (kept < nh_max) {
			struct ns_nexthop *o = &nh[kept];

			o->ifindex = ifindex;
			if (gw && nsb_copy_addr(gw, o->gw, sizeof(o->gw)))
				o->gw_family = (uint8_t)nl_addr_get_family(gw);
			o->weight = rtnl_route_nh_get_weight(h);
			o->flags = rtnl_route_nh_get_flags(h);
		}
		kept++;
	}
	if (total > 0 && kept == 0)
		return false;
	out->family = (uint8_t)family;
	out->dst_len = dst ? (uint8_t)nl_addr_get_prefixlen(dst) : 0;
	if (out->dst_len)
		nsb_copy_addr(dst, out->dst, sizeof(out->dst));
	out->src_len = src ? (uint8_t)nl_addr_get_prefixlen(src) : 0;
	if (out->src_len)
		nsb_copy_addr(src, out->src, sizeof(out->src));
	out->tos = rtnl_route_get_tos(r);
	out->protocol = rtnl_route_get_protocol(r);
	out->scope = rtnl_route_get_scope(r);
	out->type = rtnl_route_get_type(r);
	out->table = table;
	out->priority = rtnl_route_get_priority(r);
	out->flags = rtnl_route_get_flags(r);
	if (prefsrc) {
		out->has_prefsrc = true;
		nsb_copy_addr(prefsrc, out->prefsrc, sizeof(out->prefsrc));
	}
	for (i = 1; i <= 16; i++) {
		uint32_t v;

		if (rtnl_route_get_metric(r, i, &v) == 0) {
			out->metrics[i] = v;
			out->metrics_mask |= 1u << i;
		}
	}
	out->nh_count = kept;
	return true;
}

/**
 * nsb_link_is_device() - whether a link object describes the device itself
 * @l: link object
 *
 * The kernel also sends RTM_NEWLINK with ifi_family AF_INET6 (IPv6 device
 * state) and AF_BRIDGE (bridge ports); libnl keys them as separate objects
 * of the same ifindex. Only the AF_UNSPEC one is the interface.
 */
bool nsb_link_is_device(struct rtnl_link *l)
{
	/* libnl files a bridge device under AF_BRIDGE (its kind says so);
	 * only the AF_UNSPEC message carries IFLA_QDISC. */
	return rtnl_link_get_family(l) == AF_UNSPEC ||
	       rtnl_link_get_qdisc(l) != NULL;
}

static int nsb_cmp_link(const void *a, const void *b)
{
	const struct ns_link *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

/* Record in @hidden whether link @l is hidden; return true if that changed. */
static bool nsb_hidden_update(GHashTable *hidden, const struct view_policy *p,
			      struct rtnl_link *l)
{
	const char *name = rtnl_link_get_name(l);
	gpointer key = GINT_TO_POINTER(rtnl_link_get_ifindex(l));
	bool hides = name && view_policy_hides(p, name);

	if (hides == g_hash_table_contains(hidden, key))
		return false;
	if (hides)
		g_hash_table_add(hidden, key);
	else
		g_hash_table_remove(hidden, key);
	return true;
}

/* Forget hidden ifindexes whose link is gone once there are too many. */
static void nsb_hidden_prune(GHashTable *hidden, struct nl_cache *c)
{
	GHashTableIter it;
	gpointer key;

	if (g_hash_table_size(hidden) <= NSB_HIDDEN_PRUNE)
		return;
	g_hash_table_iter_init(&it, hidden);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		struct rtnl_link *l = rtnl_link_get(c, GPOINTER_TO_INT(key));

		if (l)
			rtnl_link_put(l);
		else
			g_hash_table_iter_remove(&it);
	}
}

/**
 * nsb_build_links() - the links table from a link cache
 * @c: route/link cache
 * @p: view policy (hides by name)
 * @hidden: hidden-ifindex set to bring up to date, or NULL
 * @ret_hidden_changed: set to whether @hidden changed, or NULL
 *
 * Return: a new table sorted by ifindex.
 */
struct ns_links *nsb_build_links(struct nl_cache *c,
				 const struct view_policy *p,
				 GHashTable *hidden, bool *ret_hidden_changed)
{
	struct ns_links *t = ns_links_new((guint)nl_cache_nitems(c));
	struct nl_object *o;
	bool changed = false;
	guint n = 0;

	for (o = nl_cache_get_first(c); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		const char *name = rtnl_link_get_name(l);

		if (!nsb_link_is_device(l))
			continue;
		if (hidden && nsb_hidden_update(hidden, p, l))
			changed = true;
		if (n >= t->n || (name && view_policy_hides(p, name)))
			continue;
		nsb_link_from_nl(l, &t->v[n++]);
	}
	t->n = n;
	qsort(t->v, n, sizeof(*t->v), nsb_cmp_link);
	if (hidden)
		nsb_hidden_prune(hidden, c);
	if (ret_hidden_changed)
		*ret_hidden_changed = changed;
	return t;
}

static gint nsb_cmp_addr(gconstpointer a, gconstpointer b, gpointer unused)
{
	const struct ns_addr *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1; /* AF_INET < AF_INET6 */
	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

/**
 * nsb_build_addrs() - the address table from an address cache
 * @c: route/addr cache
 * @hidden: ifindexes of hidden links
 *
 * Return: a new table: IPv4 first, then by ifindex, cache order otherwise
 * (the sort is stable).
 */
struct ns_addrs *nsb_build_addrs(struct nl_cache *c, GHashTable *hidden)
{
	struct ns_addrs *t = ns_addrs_new((guint)nl_cache_nitems(c));
	struct nl_object *o;
	guint n = 0;

	for (o = nl_cache_get_first(c); o && n < t->n; o = nl_cache_get_next(o))
		if (nsb_addr_from_nl((struct rtnl_addr *)o, hidden, &t->v[n]))
			n++;
		else
			memset(&t->v[n], 0, sizeof(t->v[n]));
	t->n = n;
	g_qsort_with_data(t->v, (gint)n, sizeof(*t->v), nsb_cmp_addr, NULL);
	return t;
}

static int nsb_cmp_neigh(const void *a, const void *b)
{
	const struct ns_neigh *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return memcmp(x->dst, y->dst, sizeof(x->dst));
}

/**
 * nsb_build_neighs() - the neighbour table from a neighbour cache
 * @c: route/neigh cache
 * @hidden: ifindexes of hidden links
 *
 * Return: a new table sorted by family, ifindex, destination.
 */
struct ns_neighs *nsb_build_neighs(struct nl_cache *c, GHashTable *hidden)
{
	struct ns_neighs *t = ns_neighs_new((guint)nl_cache_nitems(c));
	struct nl_object *o;
	guint n = 0;

	for (o = nl_cache_get_first(c); o && n < t->n; o = nl_cache_get_next(o))
		if (nsb_neigh_from_nl((struct rtnl_neigh *)o, hidden, false,
				      &t->v[n]))
			n++;
		else
			memset(&t->v[n], 0, sizeof(t->v[n]));
	t->n = n;
	qsort(t->v, n, sizeof(*t->v), nsb_cmp_neigh);
	return t;
}

static int nsb_cmp_route(const void *a, const void *b)
{
	const struct ns_route *x = a, *y = b;
	int r;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	r = memcmp(x->dst, y->dst, sizeof(x->dst));
	if (r)
		return r;
	if (x->dst_len != y->dst_len)
		return x->dst_len < y->dst_len ? -1 : 1;
	if (x->tos != y->tos)
		return x->tos < y->tos ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return memcmp(x->src, y->src, sizeof(x->src));
}

/**
 * nsb_build_routes_v() - the route table from route objects
 * @objs: route objects
 * @n_objs: their number
 * @hidden: ifindexes of hidden links
 *
 * @extra: what libnl does not parse, one per object, or NULL
 *
 * Sorted by family, table, destination, prefix length, tos, metric, so the
 * same routes always give the same bytes; the next hops are laid out in
 * route order.
 *
 * Return: a new table.
 */
static struct ns_routes *nsb_build_routes_v(struct rtnl_route *const *objs,
					    guint n_objs, GHashTable *hidden,
					    const struct nsb_route_extra *extra)
{
	guint max_nh = 0, n = 0, n_nh = 0, i;
	g_autofree struct ns_route *v = NULL;
	g_autofree struct ns_nexthop *nh = NULL;
	struct ns_routes *t;

	for (i = 0; i < n_objs; i++)
		max_nh += (guint)rtnl_route_get_nnexthops(objs[i]);
	v = g_new0(struct ns_route, MAX(n_objs, 1));
	nh = g_new0(struct ns_nexthop, MAX(max_nh, 1));
	for (i = 0; i < n_objs; i++) {
		struct ns_route *r = &v[n];

		if (!nsb_route_from_nl(objs[i], hidden, r, &nh[n_nh],
				       max_nh - n_nh))
			continue; /* a rejected route wrote nothing */
		if (extra) {
			r->pref = extra[i].pref;
			r->expires = extra[i].expires;
		}
		r->nh_first = n_nh;
		n_nh += r->nh_count;
		n++;
	}
	qsort(v, n, sizeof(*v), nsb_cmp_route);
	t = ns_routes_new(n, n_nh);
	for (i = 0, n_nh = 0; i < n; i++) {
		t->v[i] = v[i];
		memcpy(&t->nh[n_nh], &nh[v[i].nh_first],
		       sizeof(*nh) * v[i].nh_count);
		t->v[i].nh_first = n_nh;
		n_nh += v[i].nh_count;
	}
	return t;
}

/**
 * nsb_build_routes() - the route table from a route cache
 * @c: route/route cache
 * @hidden: ifindexes of hidden links
 *
 * libnl 3.7 identifies a route by family, tos, table, destination and
 * metric only, so a cache holds one of several routes that differ by their
 * next hops (fe80::/64 on every interface); nsb_dump_routes() does not lose
 * them.
 *
 * Return: a new table.
 */
struct ns_routes *nsb_build_routes(struct nl_cache *c, GHashTable *hidden)
{
	g_autoptr(GPtrArray) objs = g_ptr_array_new();
	struct nl_object *o;

	for (o = nl_cache_get_first(c); o; o = nl_cache_get_next(o))
		g_ptr_array_add(objs, o);
	return nsb_build_routes_v((struct rtnl_route *const *)objs->pdata,
				  objs->len, hidden, NULL);
}

/* Route objects of a dump and what libnl leaves out of them, in step. */
struct nsb_route_dump {
	GPtrArray *objs;
	GArray *extra; /* struct nsb_route_extra */
};

/**
 * nsb_route_extra_parse() - RTA_PREF and the expiry of an RTM_NEWROUTE
 * @h: the message (a complete rtmsg, as libnl has already parsed it)
 * @now_s: CLOCK_MONOTONIC now, in seconds
 *
 * The kernel reports an IPv6 route's remaining lifetime in RTA_CACHEINFO's
 * rta_expires (clock_t, USER_HZ = 100); it becomes a deadline so that later
 * readers can report what is left, as the kernel does.
 *
 * Return: the values, zero where absent.
 */
static struct nsb_route_extra nsb_route_extra_parse(const struct nlmsghdr *h,
						    int64_t now_s)
{
	struct nsb_route_extra e = { 0 };
	struct nlattr *a;
	int rem;

	nlmsg_for_each_attr(a, h, sizeof(struct rtmsg), rem) {
		if (nla_type(a) == RTA_PREF && nla_len(a) >= 1) {
			e.pref = nla_get_u8(a);
		} else if (nla_type(a) == RTA_CACHEINFO &&
			   (size_t)nla_len(a) >= sizeof(struct rta_cacheinfo)) {
			const struct rta_cacheinfo *ci = nla_data(a);

			if (ci->rta_expires)
				e.expires = (uint32_t)(now_s +
						       (ci->rta_expires + 99) / 100);
		}
	}
	return e;
}

static int nsb_dump_route_msg(struct nl_msg *msg, void *arg)
{
	struct nsb_route_dump *d = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct rtnl_route *r = NULL;

	if (h->nlmsg_type == RTM_NEWROUTE && rtnl_route_parse(h, &r) == 0) {
		struct nsb_route_extra e =
			nsb_route_extra_parse(h, g_get_monotonic_time() / G_USEC_PER_SEC);

		g_ptr_array_add(d->objs, r);
		g_array_append_val(d->extra, e);
	}
	return NL_OK;
}

/**
 * nsb_dump_routes() - the route table from a fresh RTM_GETROUTE dump, every
 * route kept (no libnl cache, whose identity would merge some)
 * @sk: connected, blocking NETLINK_ROUTE socket not used for anything else
 *      meanwhile
 * @hidden: ifindexes of hidden links
 * @ret: the new table
 *
 * Return: 0 or -errno (-EAGAIN when the kernel kept interrupting the dump).
 */
int nsb_dump_routes(struct nl_sock *sk, GHashTable *hidden,
		    struct ns_routes **ret)
{
	struct rtmsg rtm = { .rtm_family = AF_UNSPEC };
	int r = -NLE_DUMP_INTR, tries;

	for (tries = 0; tries < 5 && r == -NLE_DUMP_INTR; tries++) {
		g_autoptr(GPtrArray) objs = g_ptr_array_new_with_free_func(
			(GDestroyNotify)rtnl_route_put);
		g_autoptr(GArray) extra = g_array_new(FALSE, TRUE,
						      sizeof(struct nsb_route_extra));
		struct nsb_route_dump d = { .objs = objs, .extra = extra };
		struct nl_cb *cb, *sk_cb;

		r = nl_send_simple(sk, RTM_GETROUTE, NLM_F_DUMP, &rtm,
				   sizeof(rtm));
		if (r < 0)
			break;
		sk_cb = nl_socket_get_cb(sk); /* a new reference */
		cb = nl_cb_clone(sk_cb);
		nl_cb_put(sk_cb);
		if (!cb)
			return -ENOMEM;
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, nsb_dump_route_msg,
			  &d);
		r = nl_recvmsgs(sk, cb);
		nl_cb_put(cb);
		if (r >= 0)
			*ret = nsb_build_routes_v(
				(struct rtnl_route *const *)objs->pdata,
				objs->len, hidden,
				(const struct nsb_route_extra *)(void *)extra->data);
	}
	return netstate_nlerr(r);
}

bool nsb_links_equal(const struct ns_links *a, const struct ns_links *b)
{
	return a->n == b->n && memcmp(a->v, b->v, sizeof(*a->v) * a->n) == 0;
}

bool nsb_addrs_equal(const struct ns_addrs *a, const struct ns_addrs *b)
{
	return a->n == b->n && memcmp(a->v, b->v, sizeof(*a->v) * a->n) == 0;
}

bool nsb_routes_equal(const struct ns_routes *a, const struct ns_routes *b)
{
	return a->n == b->n && a->n_nh == b->n_nh &&
	       memcmp(a->v, b->v, sizeof(*a->v) * a->n) == 0 &&
	       memcmp(a->nh, b->nh, sizeof(*a->nh) * a->n_nh) == 0;
}

bool nsb_neighs_equal(const struct ns_neighs *a, const struct ns_neighs *b)
{
	return a->n == b->n && memcmp(a->v, b->v, sizeof(*a->v) * a->n) == 0;
}

/* NULL and an empty vector are the same list. */
static bool nsb_strv_equal(char **a, char **b)
{
	if (!a || !*a || !b || !*b)
		return (!a || !*a) && (!b || !*b);
	return g_strv_equal((const char *const *)a, (const char *const *)b);
}

bool nsb_resolv_equal(const struct ns_resolv_part *a,
		      const struct ns_resolv_part *b)
{
	return a->r.present == b->r.present &&
	       g_strcmp0(a->r.source, b->r.source) == 0 &&
	       nsb_strv_equal(a->r.servers, b->r.servers) &&
	       nsb_strv_equal(a->r.search, b->r.search) &&
	       nsb_strv_equal(a->r.options, b->r.options) &&
	       nsb_strv_equal(a->r.sortlist, b->r.sortlist);
}

bool nsb_hosts_equal(const struct ns_hosts *a, const struct ns_hosts *b)
{
	return a->len == b->len && g_strcmp0(a->source, b->source) == 0 &&
	       memcmp(a->lines, b->lines, a->len) == 0;
}

static struct ns_change *nsb_push(GArray *out, enum ns_change_kind kind,
				  bool deleted)
{
	struct ns_change *c;

	g_array_set_size(out, out->len + 1); /* zeroed */
	c = &g_array_index(out, struct ns_change, out->len - 1);
	c->kind = kind;
	c->deleted = deleted;
	return c;
}

static void nsb_push_route(GArray *out, const struct ns_routes *t,
			   const struct ns_route *r, bool deleted)
{
	struct ns_change *c = nsb_push(out, NS_CHANGE_ROUTE, deleted);
	guint n = MIN(r->nh_count, G_N_ELEMENTS(c->u.route.nh));

	c->u.route.route = *r;
	c->u.route.route.nh_first = 0;
	memcpy(c->u.route.nh, &t->nh[r->nh_first], sizeof(*t->nh) * n);
}

/**
 * nsb_flip_changes() - the object changes a link's change of visibility
 * implies (the kernel reported none: the link was only renamed)
 * @old: snapshot before
 * @cur: snapshot after (tables rebuilt with the new hidden set)
 * @ifindex: the link
 * @now_hidden: the link went out of view (else it came into view)
 * @out: GArray of struct ns_change to append to
 *
 * Going out of view: its addresses and neighbours are deleted. Coming
 * into view: they are announced as new. Its routes (deleted, re-announced
 * with the remaining next hops, or new) are found by nsb_route_changes(),
 * as every route change.
 */
void nsb_flip_changes(const struct netstate_snapshot *old,
		      const struct netstate_snapshot *cur, int ifindex,
		      bool now_hidden, GArray *out)
{
	const struct netstate_snapshot *from = now_hidden ? old : cur;
	guint i;

	for (i = 0; i < from->addrs->n; i++)
		if (from->addrs->v[i].ifindex == ifindex)
			nsb_push(out, NS_CHANGE_ADDR, now_hidden)->u.addr =
				from->addrs->v[i];
	for (i = 0; i < from->neighs->n; i++)
		if (from->neighs->v[i].ifindex == ifindex)
			nsb_push(out, NS_CHANGE_NEIGH, now_hidden)->u.neigh =
				from->neighs->v[i];
	/* its routes: nsb_route_changes() finds them in the tables */
}

/* A route of a table, for the hash tables of nsb_route_changes(). */
struct nsb_rref {
	const struct ns_routes *t;
	const struct ns_route *r;
};

/*
 * Next-hop states the kernel changes without a notification: a link losing
 * or gaining carrier flips RTNH_F_LINKDOWN (and RTNH_F_DEAD with
 * ignore_routes_with_linkdown) on its routes silently.
 */
#define NSB_SILENT_FLAGS (RTNH_F_LINKDOWN | RTNH_F_DEAD)

/*
 * The route without what differs between two tables holding it, or
 * changes without a notification: the deadline (a router advertisement
 * refreshes it silently) and the silent next-hop flags. Copied bytewise:
 * hashes and comparisons run over the padding, which the tables zero.
 */
static struct ns_route nsb_route_norm(const struct ns_route *r)
{
	struct ns_route x;

	memcpy(&x, r, sizeof(x));
	x.nh_first = 0;
	x.expires = 0;
	x.flags &= ~(uint32_t)NSB_SILENT_FLAGS;
	return x;
}

/* Next hops equal but for the flags the kernel changes silently. */
static bool nsb_nh_equal(const struct ns_nexthop *a, const struct ns_nexthop *b,
			 guint n)
{
	guint i;

	for (i = 0; i < n; i++) {
		struct ns_nexthop x, y;

		memcpy(&x, &a[i], sizeof(x));
		memcpy(&y, &b[i], sizeof(y));
		x.flags &= ~(uint32_t)NSB_SILENT_FLAGS;
		y.flags &= ~(uint32_t)NSB_SILENT_FLAGS;
		if (memcmp(&x, &y, sizeof(x)) != 0)
			return false;
	}
	return true;
}

static uint64_t nsb_nh_hash(uint64_t h, const struct ns_nexthop *a, guint n)
{
	guint i;

	for (i = 0; i < n; i++) {
		struct ns_nexthop x;

		memcpy(&x, &a[i], sizeof(x));
		x.flags &= ~(uint32_t)NSB_SILENT_FLAGS;
		h = util_fnv(h, &x, sizeof(x));
	}
	return h;
}

/* Every field and next hop but those nsb_route_norm() leaves out. */
static guint nsb_rref_hash_full(gconstpointer p)
{
	const struct nsb_rref *a = p;
	struct ns_route x = nsb_route_norm(a->r);
	uint64_t h = util_fnv(UTIL_FNV_INIT, &x, sizeof(x));

	return nsb_nh_hash(h, &a->t->nh[a->r->nh_first], a->r->nh_count);
}

static gboolean nsb_rref_equal_full(gconstpointer pa, gconstpointer pb)
{
	const struct nsb_rref *a = pa, *b = pb;
	struct ns_route x = nsb_route_norm(a->r), y = nsb_route_norm(b->r);

	return memcmp(&x, &y, sizeof(x)) == 0 &&
	       nsb_nh_equal(&a->t->nh[a->r->nh_first],
			    &b->t->nh[b->r->nh_first], a->r->nh_count);
}

/* The first next hop's interface: IPv6 keeps a route per device. */
static int nsb_rref_dev(const struct nsb_rref *a)
{
	return a->r->family == AF_INET6 && a->r->nh_count ?
	       a->t->nh[a->r->nh_first].ifindex : 0;
}

/*
 * What the kernel takes as one route: a change of it is announced as
 * RTM_NEWROUTE with the same key (family, table, destination, source, tos,
 * metric; for IPv6 the device too).
 */
static guint nsb_rref_hash_key(gconstpointer p)
{
	const struct nsb_rref *a = p;
	const struct ns_route *r = a->r;
	int dev = nsb_rref_dev(a);
	uint64_t h = UTIL_FNV_INIT;

	h = util_fnv(h, &r->family, sizeof(r->family));
	h = util_fnv(h, &r->table, sizeof(r->table));
	h = util_fnv(h, &r->dst_len, sizeof(r->dst_len));
	h = util_fnv(h, r->dst, sizeof(r->dst));
	h = util_fnv(h, &r->src_len, sizeof(r->src_len));
	h = util_fnv(h, r->src, sizeof(r->src));
	h = util_fnv(h, &r->tos, sizeof(r->tos));
	h = util_fnv(h, &r->priority, sizeof(r->priority));
	return util_fnv(h, &dev, sizeof(dev));
}

static gboolean nsb_rref_equal_key(gconstpointer pa, gconstpointer pb)
{
	const struct nsb_rref *a = pa, *b = pb;
	const struct ns_route *x = a->r, *y = b->r;

	return x->family == y->family && x->table == y->table &&
	       x->dst_len == y->dst_len && !memcmp(x->dst, y->dst, 16) &&
	       x->src_len == y->src_len && !memcmp(x->src, y->src, 16) &&
	       x->tos == y->tos && x->priority == y->priority &&
	       nsb_rref_dev(a) == nsb_rref_dev(b);
}

/**
 * nsb_route_changes() - the route events between two tables
 * @old: the table before (may be NULL: empty)
 * @cur: the table after
 * @out: GArray of struct ns_change to append to
 *
 * Events come from the tables the view shows, not from libnl's route
 * cache, which merges routes that differ only by device or next hop (so it
 * reported a deletion on one device as on another) and re-announces
 * unchanged routes when a link gains carrier (the kernel announces
 * nothing). A route gone is RTM_DELROUTE; one new, or changed under the
 * same key (nsb_rref_equal_key()), RTM_NEWROUTE; deletions first, each
 * list in table order.
 */
void nsb_route_changes(const struct ns_routes *old, const struct ns_routes *cur,
		       GArray *out)
{
	guint n_old = old ? old->n : 0, i;
	g_autofree struct nsb_rref *ro = g_new(struct nsb_rref, MAX(n_old, 1));
	g_autofree struct nsb_rref *rc = g_new(struct nsb_rref, MAX(cur->n, 1));
	g_autofree bool *kept = g_new0(bool, MAX(n_old, 1));
	g_autofree bool *same = g_new0(bool, MAX(cur->n, 1));
	g_autoptr(GHashTable) full = g_hash_table_new(nsb_rref_hash_full,
						      nsb_rref_equal_full);
	g_autoptr(GHashTable) gone = g_hash_table_new(nsb_rref_hash_key,
						      nsb_rref_equal_key);

	for (i = 0; i < n_old; i++) {
		ro[i] = (struct nsb_rref){ old, &old->v[i] };
		g_hash_table_insert(full, &ro[i], &ro[i]);
	}
	for (i = 0; i < cur->n; i++) {
		struct nsb_rref *o;

		rc[i] = (struct nsb_rref){ cur, &cur->v[i] };
		o = g_hash_table_lookup(full, &rc[i]);
		if (o) {
			same[i] = true;
			kept[o - ro] = true;
			g_hash_table_remove(full, o);
		}
	}
	for (i = 0; i < n_old; i++)
		if (!kept[i])
			g_hash_table_insert(gone, &ro[i], &ro[i]);
	/* changed in place: the new version only, as the kernel's replace */
	for (i = 0; i < cur->n; i++) {
		struct nsb_rref *o;

		if (same[i])
			continue;
		o = g_hash_table_lookup(gone, &rc[i]);
		if (o) {
			kept[o - ro] = true;
			g_hash_table_remove(gone, o);
		}
	}
	for (i = 0; i < n_old; i++)
		if (!kept[i])
			nsb_push_route(out, old, &old->v[i], true);
	for (i = 0; i < cur->n; i++)
		if (!same[i])
			nsb_push_route(out, cur, &cur->v[i], false);
}

/**
 * nsb_route_key_from_nl() - the destination of a route notification
 * @r: the route libnl reported
 * @k: filled in
 *
 * Return: false for a route the model does not keep (not IPv4/IPv6).
 */
bool nsb_route_key_from_nl(struct rtnl_route *r, struct ns_route_key *k)
{
	struct nl_addr *dst = rtnl_route_get_dst(r);
	int family = rtnl_route_get_family(r);

	memset(k, 0, sizeof(*k));
	if (family != AF_INET && family != AF_INET6)
		return false;
	k->family = (uint8_t)family;
	k->table = rtnl_route_get_table(r);
	k->dst_len = dst ? (uint8_t)nl_addr_get_prefixlen(dst) : 0;
	if (k->dst_len)
		nsb_copy_addr(dst, k->dst, sizeof(k->dst));
	if (family == AF_INET6 && rtnl_route_get_nnexthops(r) > 0)
		k->dev = rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(r, 0));
	return true;
}

static guint nsb_key_hash(gconstpointer p)
{
	const struct ns_route_key *k = p;
	uint64_t h = util_fnv(UTIL_FNV_INIT, &k->family, sizeof(k->family));

	h = util_fnv(h, &k->dst_len, sizeof(k->dst_len));
	h = util_fnv(h, &k->table, sizeof(k->table));
	h = util_fnv(h, &k->dev, sizeof(k->dev));
	return util_fnv(h, k->dst, sizeof(k->dst));
}

static gboolean nsb_key_equal(gconstpointer pa, gconstpointer pb)
{
	const struct ns_route_key *a = pa, *b = pb;

	return a->family == b->family && a->dst_len == b->dst_len &&
	       a->table == b->table && a->dev == b->dev &&
	       !memcmp(a->dst, b->dst, 16);
}

struct nsb_ranked {
	guint rank, seq;
	struct ns_change c;
};

static gint nsb_cmp_ranked(gconstpointer pa, gconstpointer pb)
{
	const struct nsb_ranked *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/**
 * nsb_route_changes_order() - put route events in the kernel's order
 * @changes: struct ns_change from nsb_route_changes(), reordered in place
 * @order: struct ns_route_key of the notifications, in arrival order
 *
 * An event goes where the first notification for its destination came;
 * events no notification named (a resynchronisation's) keep their table
 * order, after the others.
 *
 * Return: each event's rank, in the new order: the index in @order of its
 * first notification, or G_MAXUINT (g_free()).
 */
guint *nsb_route_changes_order(GArray *changes, const GArray *order)
{
	g_autofree struct nsb_ranked *v = NULL;
	g_autoptr(GHashTable) first = NULL;
	guint i, n = changes->len;
	guint *ranks = g_new(guint, MAX(n, 1));

	for (i = 0; i < n; i++)
		ranks[i] = G_MAXUINT;
	if (!order->len || !n)
		return ranks;
	/* each destination's first notification (stored +1: 0 is absent) */
	first = g_hash_table_new(nsb_key_hash, nsb_key_equal);
	for (i = order->len; i-- > 0;)
		g_hash_table_insert(first,
				    &g_array_index(order, struct ns_route_key, i),
				    GUINT_TO_POINTER(i + 1));
	v = g_new(struct nsb_ranked, n);
	for (i = 0; i < n; i++) {
		const struct ns_route *r;
		struct ns_route_key k = { 0 };
		guint at;

		v[i].c = g_array_index(changes, struct ns_change, i);
		r = &v[i].c.u.route.route;
		k.family = r->family;
		k.dst_len = r->dst_len;
		k.table = r->table;
		memcpy(k.dst, r->dst, sizeof(k.dst));
		if (r->family == AF_INET6 && r->nh_count)
			k.dev = v[i].c.u.route.nh[0].ifindex;
		at = GPOINTER_TO_UINT(g_hash_table_lookup(first, &k));
		v[i].rank = at ? at - 1 : G_MAXUINT;
		v[i].seq = i;
	}
	qsort(v, n, sizeof(*v), nsb_cmp_ranked);
	for (i = 0; i < n; i++) {
		g_array_index(changes, struct ns_change, i) = v[i].c;
		ranks[i] = v[i].rank;
	}
	return ranks;
}

/**
 * nsb_route_changes_flags() - a deletion's silent flags as the kernel's
 * notification of it says
 * @changes: struct ns_change, ordered by nsb_route_changes_order()
 * @ranks: their ranks (after nsb_route_changes_silent())
 * @order: struct ns_route_key of the notifications, in arrival order
 *
 * A deleted route comes from the old table, whose RTNH_F_LINKDOWN and
 * RTNH_F_DEAD are those of its last dump: a link that lost carrier in
 * the same batch as the deletion (a bridge's last port deleted, then the
 * bridge) has flipped them since, and the kernel's RTM_DELROUTE carries
 * them ("linkdown"). Taken from the first RTM_DELROUTE for the route's
 * key at or after its rank; the next hop's only for a single next hop.
 */
void nsb_route_changes_flags(GArray *changes, const guint *ranks,
			     const GArray *order)
{
	guint i, j;

	for (i = 0; i < changes->len; i++) {
		struct ns_change *c = &g_array_index(changes, struct ns_change, i);
		struct ns_route *r = &c->u.route.route;

		if (!c->deleted || ranks[i] == G_MAXUINT)
			continue;
		for (j = ranks[i]; j < order->len; j++) {
			const struct ns_route_key *k =
				&g_array_index(order, struct ns_route_key, j);

			if (!k->deleted ||
			    !nsb_key_equal(k, &g_array_index(order,
					struct ns_route_key, ranks[i])))
				continue;
			r->flags = (r->flags & ~(uint32_t)NSB_SILENT_FLAGS) |
				   (k->flags & NSB_SILENT_FLAGS);
			if (r->nh_count == 1)
				c->u.route.nh[0].flags =
					(c->u.route.nh[0].flags &
					 ~(uint32_t)NSB_SILENT_FLAGS) |
					(k->nh_flags & NSB_SILENT_FLAGS);
			break;
		}
	}
}

/**
 * nsb_route_changes_silent() - drop the deletions the kernel does not announce
 * @changes: struct ns_change, ordered by nsb_route_changes_order(); filtered
 *	in place
 * @ranks: its result, filtered in step
 * @downed: ifindexes (int) of links deleted or set down in the same batch
 *
 * When a link goes down or away the kernel removes the IPv4 routes through
 * it (fib_sync_down_dev()) without a notification: a route deletion that
 * no notification named (rank G_MAXUINT), of an IPv4 route all of whose
 * next hops went through such a link, is not an event. Others without a
 * notification (after lost notifications, or a link renamed into or out
 * of hiding) are.
 */
void nsb_route_changes_silent(GArray *changes, guint *ranks,
			      const GArray *downed)
{
	guint i, j, k, kept = 0;

	for (i = 0; i < changes->len; i++) {
		const struct ns_change *c =
			&g_array_index(changes, struct ns_change, i);
		const struct ns_route *r = &c->u.route.route;
		bool silent = ranks[i] == G_MAXUINT && c->deleted &&
			      r->family == AF_INET && r->nh_count > 0 &&
			      downed->len > 0;

		for (j = 0; silent &&
			    j < MIN(r->nh_count, G_N_ELEMENTS(c->u.route.nh)); j++) {
			bool down = false;

			for (k = 0; k < downed->len && !down; k++)
				down = c->u.route.nh[j].ifindex ==
				       g_array_index(downed, int, k);
			silent = down;
		}
		if (silent)
			continue;
		if (kept != i) {
			g_array_index(changes, struct ns_change, kept) = *c;
			ranks[kept] = ranks[i];
		}
		kept++;
	}
	g_array_set_size(changes, kept);
}
