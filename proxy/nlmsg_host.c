// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_host.c - NETLINK_ROUTE answers asked of the host kernel, filtered through the view */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/if_addrlabel.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "nlmsg_req.h"

/*
 * The object files ask the host kernel what the model does not hold
 * (`ip route get`, netconf, rules): they name the messages they keep and
 * the view's filter for them in a struct nlmsg_host_want; this file sends
 * the request through the endpoint layer's host_query callback, keeps what
 * the view shows, and emits it or hands it to a dump. It calls no object
 * file.
 */

/**
 * nlmsg_ifindex_visible() - whether an interface index is in the view
 * @s: the snapshot
 * @ifindex: the index (0 or less: none, which is visible)
 *
 * Return: true when @ifindex names no interface or one the view shows.
 */
bool nlmsg_ifindex_visible(const struct netstate_snapshot *s, int ifindex)
{
	return ifindex <= 0 || ns_link_by_index(s, ifindex) != NULL;
}

/*
 * Links, neighbours, address labels and link statistics name their
 * interface in the family header, at the same place.
 */
#define NLMSG_HDR_IFINDEX offsetof(struct ifinfomsg, ifi_index)
G_STATIC_ASSERT(NLMSG_HDR_IFINDEX == offsetof(struct ndmsg, ndm_ifindex));
G_STATIC_ASSERT(NLMSG_HDR_IFINDEX ==
		offsetof(struct ifaddrlblmsg, ifal_index));
G_STATIC_ASSERT(NLMSG_HDR_IFINDEX == offsetof(struct if_stats_msg, ifindex));

/**
 * nlmsg_hdr_ifindex() - the interface a message's or request's family
 * header names (struct ifinfomsg, ndmsg, ifaddrlblmsg, if_stats_msg)
 * @m: the message, its nlmsghdr first
 * @len: its length
 *
 * Return: the index, or 0 (none, or a header too short to say).
 */
int nlmsg_hdr_ifindex(const uint8_t *m, size_t len)
{
	uint32_t v = 0;

	if (len >= NLMSG_HDRLEN + NLMSG_HDR_IFINDEX + sizeof(v))
		memcpy(&v, m + NLMSG_HDRLEN + NLMSG_HDR_IFINDEX, sizeof(v));
	return (int)v;
}

/* nlmsg_host_want.visible: the interface its family header names is. */
bool nlmsg_host_hdr_visible(const struct netstate_snapshot *s,
			    const struct nlmsg_host_want *want,
			    const uint8_t *m, size_t len)
{
	(void)want;
	return nlmsg_ifindex_visible(s, nlmsg_hdr_ifindex(m, len));
}

/**
 * nlmsg_host_ifindex_visible() - nlmsg_host_want.visible for messages whose
 * @want->attr (RTA_OIF, NETCONFA_IFINDEX) holds an interface index
 * @s: the snapshot
 * @want: what is kept
 * @m: the message, header included
 * @len: its length
 *
 * Return: true unless the attribute names a hidden interface.
 */
bool nlmsg_host_ifindex_visible(const struct netstate_snapshot *s,
				const struct nlmsg_host_want *want,
				const uint8_t *m, size_t len)
{
	size_t alen = 0;
	const uint8_t *p = nlmsg_attr_find(m, len,
					   NLMSG_HDRLEN + NLMSG_ALIGN(want->hdrlen),
					   want->attr, &alen);
	uint32_t v;

	if (!p || alen < sizeof(v))
		return true;
	memcpy(&v, p, sizeof(v));
	return nlmsg_ifindex_visible(s, (int)v);
}

/**
 * nlmsg_host_port_visible() - nlmsg_host_want.visible for a bridge port's
 * state and an FDB entry (AF_BRIDGE RTM_NEWLINK, RTM_NEWNEIGH)
 * @s: the snapshot
 * @want: what is kept; @want->attr is the bridge's attribute
 *        (IFLA_MASTER, NDA_MASTER)
 * @m: the message, header included
 * @len: its length
 *
 * Such a message is the bridge's about one of its ports: it is out of
 * view when the port (the family header's index) or the bridge is, as
 * the model's events of the same messages are (src/netstate_raw.c).
 *
 * Return: true when both are in view.
 */
bool nlmsg_host_port_visible(const struct netstate_snapshot *s,
			     const struct nlmsg_host_want *want,
			     const uint8_t *m, size_t len)
{
	return nlmsg_host_hdr_visible(s, want, m, len) &&
	       nlmsg_host_ifindex_visible(s, want, m, len);
}

/*
 * struct host_scan - nlr_host_collect()'s state
 * @msgs: GBytes of the messages kept
 * @total: their bytes
 * @flags: NLMSG_HOST_*
 * @err: the host's error (NLMSG_ERROR, or NLMSG_DONE's int), or 0
 */
struct host_scan {
	GPtrArray *msgs;
	size_t total;
	unsigned int flags;
	int err;
};

/**
 * host_scan_dgram() - one datagram of a host answer
 * @s: the snapshot (the view)
 * @want: what is kept
 * @st: collected so far; updated
 * @dg: the datagram
 * @dlen: its length
 *
 * Messages past NLMSG_HOST_MSGS_MAX / NLMSG_HOST_BYTES_MAX are dropped.
 */
static void host_scan_dgram(const struct netstate_snapshot *s,
			    const struct nlmsg_host_want *want,
			    struct host_scan *st,
			    const uint8_t *dg, size_t dlen)
{
	size_t off = 0;

	while (dg && dlen - off >= NLMSG_HDRLEN) {
		struct nlmsghdr h;

		memcpy(&h, dg + off, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > dlen - off)
			break;
		if ((h.nlmsg_type == NLMSG_ERROR ||
		     h.nlmsg_type == NLMSG_DONE) &&
		    h.nlmsg_len >= NLMSG_HDRLEN + 4) {
			memcpy(&st->err, dg + off + NLMSG_HDRLEN, 4);
			if (st->err > 0 || st->err < -4095)
				st->err = -EPROTO;
			st->flags |= NLMSG_HOST_WHOLE;
		} else if (h.nlmsg_type == want->type &&
			   h.nlmsg_len >= NLMSG_HDRLEN + want->hdrlen) {
			if (!want->visible(s, want, dg + off, h.nlmsg_len))
				st->flags |= NLMSG_HOST_HIDDEN;
			else if (st->msgs->len < NLMSG_HOST_MSGS_MAX &&
				 st->total < NLMSG_HOST_BYTES_MAX) {
				g_ptr_array_add(st->msgs,
						g_bytes_new(dg + off, h.nlmsg_len));
				st->total += h.nlmsg_len;
			}
		}
		off += MIN((size_t)NLMSG_ALIGN(h.nlmsg_len), dlen - off);
	}
}

/**
 * host_collect() - ask the host kernel @req for @q and keep what the view
 * shows
 * @q: the request answered
 * @req: what is sent to the host (@q's own message, or one the host
 *       reads as the sandbox's socket would read @q)
 * @len: its length
 * @want: the messages to keep and the view's filter for them
 * @ret_msgs: GBytes of each kept message
 * @ret_flags: NLMSG_HOST_HIDDEN, NLMSG_HOST_WHOLE
 *
 * Return: 0, or the host's -errno (NLMSG_ERROR, or NLMSG_DONE's int).
 */
static int host_collect(struct nlmsg_req *q, const void *req, size_t len,
			const struct nlmsg_host_want *want,
			GPtrArray **ret_msgs, unsigned int *ret_flags)
{
	g_autoptr(GPtrArray) dgrams = NULL;
	g_autoptr(GPtrArray) msgs =
		g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	struct host_scan st = { .msgs = msgs };
	int r;
	guint i;

	r = q->host_query(q->hq_data, req, len, &dgrams);
	if (r < 0)
		return r;
	for (i = 0; dgrams && i < dgrams->len; i++) {
		gsize dlen = 0;
		const uint8_t *dg = g_bytes_get_data(dgrams->pdata[i], &dlen);

		host_scan_dgram(q->snap, want, &st, dg, dlen);
	}
	if (st.err < 0)
		return st.err;
	*ret_msgs = g_steal_pointer(&msgs);
	*ret_flags = st.flags;
	return 0;
}

/**
 * nlr_host_collect() - ask the host kernel @q and keep what the view shows
 * @q: the request (sent as it is)
 * @want: the messages to keep and the view's filter for them
 * @ret_msgs: GBytes of each kept message
 * @ret_flags: NLMSG_HOST_HIDDEN, NLMSG_HOST_WHOLE
 *
 * Return: 0, or the host's -errno (NLMSG_ERROR, or NLMSG_DONE's int).
 */
int nlr_host_collect(struct nlmsg_req *q, const struct nlmsg_host_want *want,
		     GPtrArray **ret_msgs, unsigned int *ret_flags)
{
	return host_collect(q, q->msg, q->h.nlmsg_len, want, ret_msgs,
			    ret_flags);
}

/**
 * nlr_host_emit() - emit a message the host sent, addressed to the endpoint
 * @q: the request it answers
 * @msg: the message (GBytes, header included)
 *
 * Return: what @q->emit returned, or -errno.
 */
int nlr_host_emit(struct nlmsg_req *q, GBytes *msg)
{
	gsize len;
	const uint8_t *m = g_bytes_get_data(msg, &len);
	struct nlmsghdr orig;
	g_autofree uint8_t *buf = g_malloc(NLMSG_ALIGN(len));
	struct nlw w = { .p = buf, .room = NLMSG_ALIGN(len) };
	struct nlw_hdr h = { .seq = q->h.nlmsg_seq, .pid = q->o->portid };
	int r;

	memcpy(&orig, m, sizeof(orig));
	h.flags = orig.nlmsg_flags & ~NLM_F_MULTI;
	r = nlmsg_put_copy(&w, &h, m, len);
	return r < 0 ? r : q->emit(q->emit_data, buf, w.len);
}

/* nlmsg_object.dump_one of host messages: message @i, re-addressed */
static int host_dump_one(struct nlmsg_dump *d, size_t i, struct nlw *w,
			 const struct nlw_hdr *h)
{
	GBytes *b;

	if (!d->msgs || i >= d->msgs->len)
		return -ENOENT;
	b = g_ptr_array_index(d->msgs, i);
	return nlmsg_put_copy(w, h, g_bytes_get_data(b, NULL),
			      g_bytes_get_size(b)) ?: 1;
}

/* Messages the host answered, already filtered: each keeps its type. */
static const struct nlmsg_object host_object = {
	.dump_one = host_dump_one,
};

/**
 * nlr_host_get() - the host's answer to a request for one object, in view
 * @q: the request (the view's checks on what it names already made)
 * @want: what is kept
 *
 * Return: what nlr_host_emit() returned, -ENODEV when the answer is out
 * of view (or there is none), or the host's error.
 */
int nlr_host_get(struct nlmsg_req *q, const struct nlmsg_host_want *want)
{
	g_autoptr(GPtrArray) msgs = NULL;
	unsigned int fl = 0;
	int r = nlr_host_collect(q, want, &msgs, &fl);

	if (r < 0)
		return r;
	if ((fl & NLMSG_HOST_HIDDEN) || !msgs->len)
		return -ENODEV;
	return nlr_host_emit(q, msgs->pdata[0]);
}

/**
 * nlr_host_dump_as() - fill dump @d with the host's answer to @req, filtered
 * @q: the dump request answered
 * @d: the dump (it becomes a dump of the host's messages)
 * @want: what is kept
 * @req: what the host is asked: @q's message, or one the host's socket
 *       (not strict) reads as the sandbox's socket reads @q
 * @len: its length
 *
 * The host's error becomes the dump's (NLMSG_DONE's int). An answer that
 * did not end in NLMSG_DONE was cut short by the endpoint layer: its parts
 * carry NLM_F_DUMP_INTR, so the sandbox is told it may be incomplete
 * rather than silently given part of it.
 */
void nlr_host_dump_as(struct nlmsg_req *q, struct nlmsg_dump *d,
		      const struct nlmsg_host_want *want, const void *req,
		      size_t len)
{
	g_autoptr(GPtrArray) msgs = NULL;
	unsigned int fl = 0;
	int r = host_collect(q, req, len, want, &msgs, &fl);

	d->obj = &host_object;
	if (r < 0) {
		nlr_dump_fail(d, q, r);
		return;
	}
	d->msgs = g_steal_pointer(&msgs);
	if (!(fl & NLMSG_HOST_WHOLE))
		d->intr = true;
}

/**
 * nlr_host_dump() - fill dump @d with the host's answer to @q, filtered
 * @q: the dump request (sent to the host as it is)
 * @d: the dump
 * @want: what is kept
 *
 * See nlr_host_dump_as().
 */
void nlr_host_dump(struct nlmsg_req *q, struct nlmsg_dump *d,
		   const struct nlmsg_host_want *want)
{
	nlr_host_dump_as(q, d, want, q->msg, q->h.nlmsg_len);
}

/* ------------------------------------------------------------------ */
/* The host's own notifications (rules, netconf, bridge ports, FDB)    */

/**
 * hostmsg_put_change() - nlmsg_object.put_change of NS_CHANGE_HOSTMSG: the
 * kernel's notification as the model recorded it (view applied there)
 * @w: writer
 * @h: header fields (unused: the message has its own)
 * @c: the change
 *
 * nlmsg_pid becomes 0: the kernel sends a rule's notification with the
 * port id of the socket that asked for the change, a socket of the host's
 * the sandbox cannot name, and the endpoints tell a notification from a
 * reply by nlmsg_pid 0 (nlep_recv.c).
 *
 * Return: 0, or -EMSGSIZE.
 */
static int hostmsg_put_change(struct nlw *w, const struct nlw_hdr *h,
			      const struct ns_change *c)
{
	struct nlmsghdr m;
	uint8_t *p;

	(void)h;
	if (!c->u.hostmsg.msg || c->u.hostmsg.len < sizeof(m) ||
	    c->u.hostmsg.len > NS_HOSTMSG_MAX)
		return -EINVAL;
	p = nlw_reserve(w, NLMSG_ALIGN(c->u.hostmsg.len));
	if (!p)
		return -EMSGSIZE;
	memcpy(p, c->u.hostmsg.msg, c->u.hostmsg.len);
	memcpy(&m, p, sizeof(m));
	m.nlmsg_pid = 0;
	memcpy(p, &m, sizeof(m));
	return 0;
}

/* nlmsg_object.change_groups of host notifications: by type and family */
static uint64_t hostmsg_change_groups(const struct ns_change *c)
{
	struct nlmsghdr m;
	unsigned int g = 0;
	uint8_t family;

	if (!c->u.hostmsg.msg || c->u.hostmsg.len < sizeof(m) + 1)
		return 0;
	memcpy(&m, c->u.hostmsg.msg, sizeof(m));
	family = c->u.hostmsg.msg[sizeof(m)];
	switch (m.nlmsg_type) {
	case RTM_NEWRULE:
	case RTM_DELRULE:
		g = family == AF_INET ? RTNLGRP_IPV4_RULE :
		    family == AF_INET6 ? RTNLGRP_IPV6_RULE : 0;
		break;
	case RTM_NEWNETCONF:
	case RTM_DELNETCONF:
		g = family == AF_INET ? RTNLGRP_IPV4_NETCONF :
		    family == AF_INET6 ? RTNLGRP_IPV6_NETCONF : 0;
		break;
	case RTM_NEWLINK: /* a bridge port's state (br_ifinfo_notify()) */
	case RTM_DELLINK:
		g = family == AF_BRIDGE ? RTNLGRP_LINK : 0;
		break;
	case RTM_NEWNEIGH: /* an FDB entry (br_fdb_notify()) */
	case RTM_DELNEIGH:
		g = family == AF_BRIDGE ? RTNLGRP_NEIGH : 0;
		break;
	default:
		break;
	}
	return g ? UINT64_C(1) << (g - 1) : 0;
}

const struct nlmsg_object nlmsg_hostmsg_object = {
	.put_change = hostmsg_put_change,
	.change_groups = hostmsg_change_groups,
};
