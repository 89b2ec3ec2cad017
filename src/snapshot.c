// SPDX-License-Identifier: LGPL-2.1-or-later
/* snapshot.c - lifetime of snapshots and of the refcounted tables in them */
#include "config.h"

#include <string.h>

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

struct ns_hosts *ns_hosts_new(guint n)
{
	struct ns_hosts *t = TABLE_NEW(struct ns_hosts, n, n);

	t->v = g_new0(struct ns_host, MAX(n, 1));
	return t;
}

void ns_hosts_unref(struct ns_hosts *t)
{
	guint i;

	if (t && g_atomic_int_dec_and_test(&t->ref)) {
		for (i = 0; i < t->n; i++) {
			g_free(t->v[i].addr);
			g_strfreev(t->v[i].names);
		}
		g_free(t->v);
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
