// SPDX-License-Identifier: LGPL-2.1-or-later
/* snapshot.c - lifetime of snapshots and of the refcounted tables in them */
#include "config.h"

#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "netstate.h"

#define TABLE_NEW(type, field_n, n)                                     \
	({                                                              \
		type *t_ = g_new0(type, 1);                             \
		t_->ref = 1;                                            \
		t_->field_n = (n);                                      \
		t_;                                                     \
	})

struct ns_links *ns_links_new(guint n)
{
	struct ns_links *t = TABLE_NEW(struct ns_links, n, n);

	t->v = g_new0(struct ns_link, MAX(n, 1));
	return t;
}

struct ns_links *ns_links_ref(struct ns_links *t)
{
	g_atomic_int_inc(&t->ref);
	return t;
}

void ns_links_unref(struct ns_links *t)
{
	if (t && g_atomic_int_dec_and_test(&t->ref)) {
		g_free(t->v);
		g_free(t);
	}
}

struct ns_addrs *ns_addrs_new(guint n)
{
	struct ns_addrs *t = TABLE_NEW(struct ns_addrs, n, n);

	t->v = g_new0(struct ns_addr, MAX(n, 1));
	return t;
}

void ns_addrs_unref(struct ns_addrs *t)
{
	if (t && g_atomic_int_dec_and_test(&t->ref)) {
		g_free(t->v);
		g_free(t);
	}
}

struct ns_routes *ns_routes_new(guint n, guint n_nh)
{
	struct ns_routes *t = TABLE_NEW(struct ns_routes, n, n);

	t->v = g_new0(struct ns_route, MAX(n, 1));
	t->n_nh = n_nh;
	t->nh = g_new0(struct ns_nexthop, MAX(n_nh, 1));
	return t;
}

void ns_routes_unref(struct ns_routes *t)
{
	if (t && g_atomic_int_dec_and_test(&t->ref)) {
		g_free(t->v);
		g_free(t->nh);
		g_free(t);
	}
}

struct ns_neighs *ns_neighs_new(guint n)
{
	struct ns_neighs *t = TABLE_NEW(struct ns_neighs, n, n);

	t->v = g_new0(struct ns_neigh, MAX(n, 1));
	return t;
}

void ns_neighs_unref(struct ns_neighs *t)
{
	if (t && g_atomic_int_dec_and_test(&t->ref)) {
		g_free(t->v);
		g_free(t);
	}
}

struct ns_resolv_part *ns_resolv_part_new(void)
{
	struct ns_resolv_part *t = g_new0(struct ns_resolv_part, 1);

	t->ref = 1;
	return t;
}

void ns_resolv_part_unref(struct ns_resolv_part *t)
{
	if (t && g_atomic_int_dec_and_test(&t->ref)) {
		g_strfreev(t->r.servers);
		g_strfreev(t->r.search);
		g_strfreev(t->r.options);
		g_strfreev(t->r.sortlist);
		g_free(t->r.source);
		g_free(t);
	}
}

struct ns_hosts *ns_hosts_new(void)
{
	struct ns_hosts *t = g_new0(struct ns_hosts, 1);

	t->ref = 1;
	t->lines = g_strdup("");
	return t;
}

void ns_hosts_unref(struct ns_hosts *t)
{
	if (t && g_atomic_int_dec_and_test(&t->ref)) {
		g_free(t->lines);
		g_free(t->source);
		g_free(t);
	}
}

struct netstate_snapshot *netstate_snapshot_ref(struct netstate_snapshot *s)
{
	g_atomic_int_inc(&s->ref);
	return s;
}

/**
 * netstate_snapshot_unref() - drop a reference; frees the snapshot and the
 * tables no other snapshot shares
 * @s: snapshot, or NULL
 */
void netstate_snapshot_unref(struct netstate_snapshot *s)
{
	if (!s || !g_atomic_int_dec_and_test(&s->ref))
		return;
	ns_links_unref(s->links);
	ns_addrs_unref(s->addrs);
	ns_routes_unref(s->routes);
	ns_neighs_unref(s->neighs);
	ns_resolv_part_unref(s->resolv);
	ns_hosts_unref(s->hosts);
	g_free(s->hostname);
	g_free(s);
}

/**
 * ns_link_by_index() - find a link of a snapshot by ifindex
 * @s: snapshot
 * @ifindex: interface index
 *
 * Return: the link, or NULL (hidden links are not in the snapshot).
 */
const struct ns_link *ns_link_by_index(const struct netstate_snapshot *s,
				       int ifindex)
{
	guint lo = 0, hi = s->links ? s->links->n : 0;

	while (lo < hi) { /* links are sorted by ifindex */
		guint mid = lo + (hi - lo) / 2;
		const struct ns_link *l = &s->links->v[mid];

		if (l->ifindex == ifindex)
			return l;
		if (l->ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct ns_link *ns_link_by_name(const struct netstate_snapshot *s,
				      const char *name)
{
	guint i;

	for (i = 0; s->links && i < s->links->n; i++)
		if (strcmp(s->links->v[i].name, name) == 0)
			return &s->links->v[i];
	return NULL;
}

static int route_bit(const uint8_t a[16], unsigned int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/* Inside one IPv4 table: trie key, then the leaf's alias order. */
static int route_cmp4(const struct ns_route *x, const struct ns_route *y)
{
	uint32_t kx, ky;

	memcpy(&kx, x->dst, 4);
	memcpy(&ky, y->dst, 4);
	kx = ntohl(kx);
	ky = ntohl(ky);
	if (kx != ky)
		return kx < ky ? -1 : 1;
	if (x->dst_len != y->dst_len)
		return x->dst_len > y->dst_len ? -1 : 1;
	if (x->tos != y->tos)
		return x->tos > y->tos ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return 0;
}

/* Inside one IPv6 table: post-order position in the radix tree. */
static int route_cmp6(const struct ns_route *x, const struct ns_route *y)
{
	unsigned int i, n = MIN(MIN(x->dst_len, y->dst_len), 128u);

	for (i = 0; i < n; i++) {
		int bx = route_bit(x->dst, i), by = route_bit(y->dst, i);

		if (bx != by)
			return bx < by ? -1 : 1;
	}
	if (x->dst_len != y->dst_len)
		return x->dst_len > y->dst_len ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return 0;
}

/**
 * ns_route_cmp_kernel() - the order in which the kernel dumps routes
 * (RTM_GETROUTE, /proc/net/ipv6_route). The snapshot keeps routes sorted
 * for its own purposes (family, table, destination bytes, prefix length,
 * ...); the kernel walks its tables, verified against 6.18 with nested
 * prefixes in a scratch namespace:
 *  - families in number order (rtnl_dump_all(): AF_INET before AF_INET6);
 *  - tables in hash-bucket order, id & 255 (inet_dump_fib(),
 *    inet6_dump_fib() over FIB_TABLE_HASHSZ / FIB6_TABLE_HASHSZ buckets of
 *    256): main (254) before local (255);
 *  - IPv4 (fib_table_dump() walking the trie's leaves): ascending key;
 *    inside a leaf, the aliases as fib_insert_alias() keeps them: longer
 *    prefix first, then higher TOS first, then lower metric first;
 *  - IPv6 (fib6_walk(), post-order over the radix tree: the 0-bit child,
 *    the 1-bit child, then the node): of two prefixes that differ in a bit
 *    both cover, the one with 0 there first; a prefix before any prefix
 *    that contains it (so ::/0 last); one node's routes by metric.
 * Routes equal in all of that keep the snapshot's order (the kernel's is
 * insertion order, which the model does not know).
 *
 * Return: <0, 0 or >0 as @x comes before, ties with or comes after @y.
 */
int ns_route_cmp_kernel(const struct ns_route *x, const struct ns_route *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if ((x->table & 0xff) != (y->table & 0xff))
		return (x->table & 0xff) < (y->table & 0xff) ? -1 : 1;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	return x->family == AF_INET6 ? route_cmp6(x, y) : route_cmp4(x, y);
}
