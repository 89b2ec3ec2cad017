// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_dump.c - dumps generated part by part, and multicast change messages */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "nlmsg_int.h"

/**
 * nlmsg_dump_new() - a dump of @kind answering @req
 * @snap: snapshot to generate from (a reference is taken)
 * @kind: what to generate
 * @req: the request's header (its seq is echoed)
 * @portid: the endpoint's port id
 *
 * Return: the dump, with no filter and no error set.
 */
struct nlmsg_dump *nlmsg_dump_new(const struct netstate_snapshot *snap,
				  enum nlmsg_dump_kind kind,
				  const struct nlmsghdr *req, uint32_t portid)
{
	struct nlmsg_dump *d = g_new0(struct nlmsg_dump, 1);

	d->snap = netstate_snapshot_ref((struct netstate_snapshot *)snap);
	d->kind = kind;
	d->seq = req->nlmsg_seq;
	d->portid = portid;
	d->msg_flags = NLM_F_MULTI;
	d->done_flags = NLM_F_MULTI;
	d->f.routes = true;
	return d;
}

void nlmsg_dump_free(struct nlmsg_dump *d)
{
	if (!d)
		return;
	netstate_snapshot_unref(d->snap);
	if (d->msgs)
		g_ptr_array_unref(d->msgs);
	g_free(d->order);
	g_free(d);
}

static bool link_selected(const struct nlmsg_dump *d, const struct ns_link *l)
{
	if (d->f.master && l->master != d->f.master)
		return false;
	if (d->f.kind[0] && strncmp(l->kind, d->f.kind, sizeof(l->kind)) != 0)
		return false;
	return true;
}

static bool neigh_selected(const struct nlmsg_dump *d,
			   const struct ns_neigh *n)
{
	const struct ns_link *l;

	if (d->f.family && n->family != d->f.family)
		return false;
	if (d->f.ifindex && n->ifindex != d->f.ifindex)
		return false;
	if (d->f.master) {
		l = ns_link_by_index(d->snap, n->ifindex);
		if (!l || l->master != d->f.master)
			return false;
	}
	return true;
}

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
 * @d: a NLMSG_DUMP_ROUTE dump
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
 * dump_one_route() - route @i of the dump, in the kernel's order
 * @d: a NLMSG_DUMP_ROUTE dump
 * @i: position in the dump's order
 * @w: writer
 * @h: header fields
 *
 * Return: 1 emitted, 0 skipped, -EMSGSIZE no room, -ENOENT past the end.
 */
static int dump_one_route(struct nlmsg_dump *d, size_t i, struct nlw *w,
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
	return nlmsg_put_route(w, h, r, &t->nh[r->nh_first], r->nh_count) ?: 1;
}

/*
 * Emit object @i of the dump if selected. Return: 1 emitted, 0 skipped,
 * -EMSGSIZE no room, -ENOENT past the end.
 */
static int dump_one(struct nlmsg_dump *d, size_t i, struct nlw *w,
		    const struct nlw_hdr *h)
{
	const struct netstate_snapshot *s = d->snap;
	const struct nlmsg_rule *rules;
	size_t n_rules;
	GBytes *b;

	switch (d->kind) {
	case NLMSG_DUMP_LINK:
		if (i >= s->links->n)
			return -ENOENT;
		if (!link_selected(d, &s->links->v[i]))
			return 0;
		return nlmsg_put_link(w, h, &s->links->v[i]) ?: 1;
	case NLMSG_DUMP_ADDR:
		if (i >= s->addrs->n)
			return -ENOENT;
		if ((d->f.family && s->addrs->v[i].family != d->f.family) ||
		    (d->f.ifindex && s->addrs->v[i].ifindex != d->f.ifindex))
			return 0;
		return nlmsg_put_addr(w, h, &s->addrs->v[i]) ?: 1;
	case NLMSG_DUMP_ROUTE:
		return dump_one_route(d, i, w, h);
	case NLMSG_DUMP_NEIGH:
		if (i >= s->neighs->n)
			return -ENOENT;
		if (!neigh_selected(d, &s->neighs->v[i]))
			return 0;
		return nlmsg_put_neigh(w, h, &s->neighs->v[i]) ?: 1;
	case NLMSG_DUMP_RULE:
		rules = nlmsg_default_rules(&n_rules);
		if (i >= n_rules)
			return -ENOENT;
		if (d->f.family && rules[i].family != d->f.family)
			return 0;
		return nlmsg_put_rule(w, h, &rules[i]) ?: 1;
	case NLMSG_DUMP_MSGS:
		if (!d->msgs || i >= d->msgs->len)
			return -ENOENT;
		b = g_ptr_array_index(d->msgs, i);
		return nlmsg_put_copy(w, h, g_bytes_get_data(b, NULL),
				      g_bytes_get_size(b)) ?: 1;
	case NLMSG_DUMP_NONE:
		return -ENOENT;
	}
	return -ENOENT;
}

/**
 * dump_put_done() - NLMSG_DONE with the dump's int and, when asked for,
 * its extended ack text
 * @d: the dump
 * @w: writer
 *
 * Return: 0 or -EMSGSIZE.
 */
static int dump_put_done(struct nlmsg_dump *d, struct nlw *w)
{
	struct nlw_hdr h = {
		.type = NLMSG_DONE,
		.flags = d->done_flags,
		.seq = d->seq,
		.pid = d->portid,
	};
	bool tlv = d->done_msg && d->ext_ack;
	size_t start;

	if (d->intr)
		h.flags |= NLM_F_DUMP_INTR;
	if (tlv)
		h.flags |= NLM_F_ACK_TLVS;
	start = nlw_begin(w, &h, &d->done_errno, sizeof(d->done_errno));
	if (tlv)
		nlw_str(w, NLMSGERR_ATTR_MSG, d->done_msg);
	return nlw_end(w, start);
}

/*
 * How the kernel sizes a dump's datagram: netlink_dump() allocates
 * max(cb->min_dump_alloc, NLMSG_GOODSIZE), or the receiver's largest
 * recvmsg() buffer so far when that is more, which netlink_recvmsg()
 * caps at SKB_WITH_OVERHEAD(32768). NLMSG_GOODSIZE is
 * SKB_WITH_OVERHEAD(PAGE_SIZE); with a 4 KiB page and the 320 bytes of
 * struct skb_shared_info of x86-64 that is 3776 bytes.
 */
#define NLMSG_SHINFO_OVERHEAD 320
#define NLMSG_GOODSIZE_4K (4096 - NLMSG_SHINFO_OVERHEAD)
#define NLMSG_DUMP_MAX (32768 - NLMSG_SHINFO_OVERHEAD)

size_t nlmsg_dump_size(size_t max_recvmsg_len)
{
	size_t m = MIN(max_recvmsg_len, (size_t)NLMSG_DUMP_MAX);

	return MAX(m, (size_t)NLMSG_GOODSIZE_4K);
}

/**
 * nlmsg_dump_next() - see nlmsg.h
 * @d: the dump
 * @cur: the model's current generation
 * @out: where the datagram goes
 * @room: its size: the dump skb size (nlmsg_dump_size())
 *
 * Objects are packed whole until the next does not fit; NLMSG_DONE
 * follows in the same datagram only for the dump functions that do so in
 * the kernel (d->coalesce_done), else in a datagram of its own.
 *
 * Return: datagram length, 0 when finished, -EMSGSIZE when @room cannot
 * hold even one object, -EINVAL on bad arguments.
 */
ssize_t nlmsg_dump_next(struct nlmsg_dump *d, uint64_t cur, void *out,
			size_t room)
{
	struct nlw w = { .p = out, .room = room };
	size_t emitted = 0;

	if (!d || !out)
		return -EINVAL;
	if (d->finished)
		return 0;
	if (cur != d->snap->generation)
		d->intr = true;
	if (!d->objs_done) {
		struct nlw_hdr h = {
			.type = 0, /* set per kind below */
			.flags = d->msg_flags |
				 (d->intr ? NLM_F_DUMP_INTR : 0),
			.seq = d->seq,
			.pid = d->portid,
		};
		static const uint16_t types[] = {
			[NLMSG_DUMP_LINK] = RTM_NEWLINK,
			[NLMSG_DUMP_ADDR] = RTM_NEWADDR,
			[NLMSG_DUMP_ROUTE] = RTM_NEWROUTE,
			[NLMSG_DUMP_NEIGH] = RTM_NEWNEIGH,
			[NLMSG_DUMP_RULE] = RTM_NEWRULE,
		};

		if ((size_t)d->kind < G_N_ELEMENTS(types))
			h.type = types[d->kind];
		for (;;) {
			int r = dump_one(d, d->pos, &w, &h);

			if (r == -ENOENT)
				break;
			if (r == -EMSGSIZE)
				return w.len ? (ssize_t)w.len : -EMSGSIZE;
			d->pos++;
			if (r > 0)
				emitted++;
		}
		d->objs_done = true;
		if (emitted && !d->coalesce_done)
			return (ssize_t)w.len;
	}
	if (dump_put_done(d, &w) < 0)
		return w.len ? (ssize_t)w.len : -EMSGSIZE;
	d->finished = true;
	return (ssize_t)w.len;
}

/**
 * nlmsg_change_groups() - see nlmsg.h
 * @c: the change
 *
 * Return: bit (1 << (RTNLGRP_x - 1)) of the group the kernel multicasts
 * such a message to, 0 when none.
 */
uint64_t nlmsg_change_groups(const struct ns_change *c)
{
	unsigned int g = 0;

	switch (c->kind) {
	case NS_CHANGE_LINK:
		g = RTNLGRP_LINK;
		break;
	case NS_CHANGE_ADDR:
		g = c->u.addr.family == AF_INET ? RTNLGRP_IPV4_IFADDR :
		    c->u.addr.family == AF_INET6 ? RTNLGRP_IPV6_IFADDR : 0;
		break;
	case NS_CHANGE_ROUTE:
		g = c->u.route.route.family == AF_INET ? RTNLGRP_IPV4_ROUTE :
		    c->u.route.route.family == AF_INET6 ? RTNLGRP_IPV6_ROUTE : 0;
		break;
	case NS_CHANGE_NEIGH:
		g = RTNLGRP_NEIGH;
		break;
	}
	return g ? UINT64_C(1) << (g - 1) : 0;
}

/**
 * nlmsg_change_encode() - see nlmsg.h
 * @snap: the snapshot the change led to (unused: a change carries its
 *        object; kept for a future IFLA_* that needs the link table)
 * @c: the change
 * @out: buffer
 * @room: its size
 *
 * A route change carries at most its first 8 next hops (struct
 * ns_change); a route with more is announced with those.
 *
 * Return: message length, -EMSGSIZE, or -EINVAL for an unknown kind.
 */
ssize_t nlmsg_change_encode(const struct netstate_snapshot *snap,
			    const struct ns_change *c, void *out, size_t room)
{
	struct nlw w = { .p = out, .room = room };
	struct nlw_hdr h = { 0 };
	int r = -EINVAL;

	switch (c->kind) {
	case NS_CHANGE_LINK:
		h.type = c->deleted ? RTM_DELLINK : RTM_NEWLINK;
		r = nlmsg_put_link(&w, &h, &c->u.link);
		break;
	case NS_CHANGE_ADDR:
		h.type = c->deleted ? RTM_DELADDR : RTM_NEWADDR;
		r = nlmsg_put_addr(&w, &h, &c->u.addr);
		break;
	case NS_CHANGE_ROUTE:
		h.type = c->deleted ? RTM_DELROUTE : RTM_NEWROUTE;
		r = nlmsg_put_route(&w, &h, &c->u.route.route, c->u.route.nh,
				    MIN(c->u.route.route.nh_count,
					(uint32_t)G_N_ELEMENTS(c->u.route.nh)));
		break;
	case NS_CHANGE_NEIGH:
		h.type = c->deleted ? RTM_DELNEIGH : RTM_NEWNEIGH;
		r = nlmsg_put_neigh(&w, &h, &c->u.neigh);
		break;
	}
	return r < 0 ? r : (ssize_t)w.len;
}
