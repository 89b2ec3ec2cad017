// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_host.c - NETLINK_ROUTE answers asked of the host kernel (ip route get, netconf, rules), filtered through the view */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include "nlmsg_req.h"

/* ------------------------------------------------------------------ */
/* Host answers                                                        */

static bool ifindex_visible(const struct netstate_snapshot *s, int ifindex)
{
	return ifindex <= 0 || ns_link_by_index(s, ifindex) != NULL;
}

/**
 * msg_attr() - find an attribute of a message the host sent
 * @m: the message, header included
 * @len: its length (nlmsg_len, checked by the caller)
 * @hdrlen: its family header's size
 * @type: the attribute type
 * @ret_len: receives the payload length when found
 *
 * Return: the first such attribute's payload, or NULL.
 */
static const uint8_t *msg_attr(const uint8_t *m, size_t len, size_t hdrlen,
			       uint16_t type, size_t *ret_len)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

	while (off < len && len - off >= NLA_HDRLEN) {
		struct nlattr a;

		memcpy(&a, m + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len - off)
			break;
		if ((a.nla_type & NLA_TYPE_MASK) == type) {
			*ret_len = a.nla_len - NLA_HDRLEN;
			return m + off + NLA_HDRLEN;
		}
		off += NLA_ALIGN(a.nla_len);
	}
	return NULL;
}

struct host_want;

/* Whether message @m (whole, @len bytes, header checked) of a host answer
 * shows only what is in the view of @s. */
typedef bool (*host_visible_fn)(const struct netstate_snapshot *s,
				const struct host_want *want, const uint8_t *m,
				size_t len);

/*
 * struct host_want - what host_collect() keeps of the host's answer
 * @type: the message type kept (RTM_NEWROUTE, RTM_NEWNETCONF, RTM_NEWRULE)
 * @hdrlen: its family header's size
 * @attr: the attribute holding an interface index (msg_ifindex_visible)
 * @visible: the view's filter
 */
struct host_want {
	uint16_t type;
	size_t hdrlen;
	uint16_t attr;
	host_visible_fn visible;
};

/* @want->attr (RTA_OIF, NETCONFA_IFINDEX) names no hidden interface. */
static bool msg_ifindex_visible(const struct netstate_snapshot *s,
				const struct host_want *want, const uint8_t *m,
				size_t len)
{
	size_t alen = 0;
	const uint8_t *p = msg_attr(m, len, want->hdrlen, want->attr, &alen);
	uint32_t v;

	if (!p || alen < sizeof(v))
		return true;
	memcpy(&v, p, sizeof(v));
	return ifindex_visible(s, (int)v);
}

/* Interface name attribute @type of a rule names an interface in view, or
 * none the host has (@detached: the kernel flags such a rule). */
static bool rule_ifname_visible(const struct netstate_snapshot *s,
				const uint8_t *m, size_t len, uint16_t type,
				bool detached)
{
	char name[IFNAMSIZ];
	size_t alen = 0;
	const uint8_t *p = msg_attr(m, len, sizeof(struct fib_rule_hdr), type,
				    &alen);

	if (!p || detached)
		return true;
	alen = MIN(alen, sizeof(name) - 1);
	memcpy(name, p, alen);
	name[alen] = '\0';
	return ns_link_by_name(s, name) != NULL;
}

/* A rule whose FRA_IIFNAME or FRA_OIFNAME is a hidden interface is out of
 * view (an interface the host lacks is shown, as the host shows it). */
static bool rule_visible(const struct netstate_snapshot *s,
			 const struct host_want *want, const uint8_t *m,
			 size_t len)
{
	struct fib_rule_hdr frh;

	(void)want;
	memcpy(&frh, m + NLMSG_HDRLEN, sizeof(frh));
	return rule_ifname_visible(s, m, len, FRA_IIFNAME,
				   frh.flags & FIB_RULE_IIF_DETACHED) &&
	       rule_ifname_visible(s, m, len, FRA_OIFNAME,
				   frh.flags & FIB_RULE_OIF_DETACHED);
}

/* host_collect() results besides the messages. */
enum {
	HOST_HIDDEN = 1 << 0, /* a message was out of view and dropped */
	HOST_WHOLE = 1 << 1,  /* NLMSG_DONE or NLMSG_ERROR ended the answer */
};

/*
 * struct host_scan - host_collect()'s state
 * @msgs: GBytes of the messages kept
 * @total: their bytes
 * @flags: HOST_*
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
			    const struct host_want *want, struct host_scan *st,
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
			st->flags |= HOST_WHOLE;
		} else if (h.nlmsg_type == want->type &&
			   h.nlmsg_len >= NLMSG_HDRLEN + want->hdrlen) {
			if (!want->visible(s, want, dg + off, h.nlmsg_len))
				st->flags |= HOST_HIDDEN;
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
 * host_collect() - ask the host kernel @q and keep what the view shows
 * @q: the request (sent as it is)
 * @want: the messages to keep and the view's filter for them
 * @ret_msgs: GBytes of each kept message
 * @ret_flags: HOST_HIDDEN, HOST_WHOLE
 *
 * Return: 0, or the host's -errno (NLMSG_ERROR, or NLMSG_DONE's int).
 */
static int host_collect(struct nlmsg_req *q, const struct host_want *want,
			GPtrArray **ret_msgs, unsigned int *ret_flags)
{
	g_autoptr(GPtrArray) dgrams = NULL;
	g_autoptr(GPtrArray) msgs =
		g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	struct host_scan st = { .msgs = msgs };
	int r;
	guint i;

	r = q->host_query(q->hq_data, q->msg, q->h.nlmsg_len, &dgrams);
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

/* Emit a message the host sent, addressed to the endpoint. */
static int req_emit_copy(struct nlmsg_req *q, GBytes *msg)
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

static const struct host_want want_route = {
	RTM_NEWROUTE, sizeof(struct rtmsg), RTA_OIF, msg_ifindex_visible,
};
static const struct host_want want_netconf = {
	RTM_NEWNETCONF, sizeof(struct netconfmsg), NETCONFA_IFINDEX,
	msg_ifindex_visible,
};
static const struct host_want want_rule = {
	RTM_NEWRULE, sizeof(struct fib_rule_hdr), 0, rule_visible,
};

/**
 * nlr_get_route() - `ip route get`: the host's answer, unless it leaves
 * through a hidden interface
 * @q: a RTM_GETROUTE request without NLM_F_DUMP
 *
 * Return: 0 (the answer emitted), -ENODEV for a hidden RTA_OIF/RTA_IIF,
 * -ENETUNREACH for a route through a hidden interface, or the host's error.
 */
int nlr_get_route(struct nlmsg_req *q)
{
	const struct nlattr *tb[RTA_MAX + 1];
	g_autoptr(GPtrArray) msgs = NULL;
	unsigned int fl = 0;
	int r;
	guint i;

	if (!q->host_query)
		return -EOPNOTSUPP;
	r = nlr_attr_parse(q, sizeof(struct rtmsg), nlr_rta_pol, RTA_MAX, tb,
		       q->o->strict_chk);
	if (r < 0)
		return r;
	if ((tb[RTA_OIF] && !ifindex_visible(q->snap, (int)nlr_attr_u32(tb[RTA_OIF]))) ||
	    (tb[RTA_IIF] && !ifindex_visible(q->snap, (int)nlr_attr_u32(tb[RTA_IIF]))))
		return -ENODEV;
	r = host_collect(q, &want_route, &msgs, &fl);
	if (r < 0)
		return r;
	if (fl & HOST_HIDDEN)
		return -ENETUNREACH;
	for (i = 0; i < msgs->len; i++) {
		r = req_emit_copy(q, msgs->pdata[i]);
		if (r < 0)
			return r;
	}
	return msgs->len ? 0 : -ENETUNREACH;
}

/**
 * host_dump() - fill dump @d with the host's answer to @q, filtered
 * @q: the dump request (sent to the host as it is)
 * @d: a NLMSG_DUMP_MSGS dump
 * @want: what is kept
 *
 * The host's error becomes the dump's (NLMSG_DONE's int). An answer that
 * did not end in NLMSG_DONE was cut short by the endpoint layer: its parts
 * carry NLM_F_DUMP_INTR, so the sandbox is told it may be incomplete
 * rather than silently given part of it.
 */
static void host_dump(struct nlmsg_req *q, struct nlmsg_dump *d,
		      const struct host_want *want)
{
	g_autoptr(GPtrArray) msgs = NULL;
	unsigned int fl = 0;
	int r = host_collect(q, want, &msgs, &fl);

	if (r < 0) {
		nlr_dump_fail(d, q, r);
		return;
	}
	d->msgs = g_steal_pointer(&msgs);
	if (!(fl & HOST_WHOLE))
		d->intr = true;
}

/**
 * nlr_get_netconf() - RTM_GETNETCONF without NLM_F_DUMP, from the host
 * @q: the request
 *
 * Return: 0 (the answer emitted), -ENODEV for an interface out of view,
 * or the host's error.
 */
int nlr_get_netconf(struct nlmsg_req *q)
{
	const struct nlattr *tb[NETCONFA_MAX + 1];
	g_autoptr(GPtrArray) msgs = NULL;
	unsigned int fl = 0;
	int r;

	if (!q->host_query)
		return -EOPNOTSUPP;
	r = nlr_attr_parse(q, sizeof(struct netconfmsg), nlr_netconf_pol,
		       NETCONFA_MAX, tb, q->o->strict_chk);
	if (r < 0)
		return r;
	if (tb[NETCONFA_IFINDEX] &&
	    !ifindex_visible(q->snap, (int)nlr_attr_u32(tb[NETCONFA_IFINDEX])))
		return -ENODEV;
	r = host_collect(q, &want_netconf, &msgs, &fl);
	if (r < 0)
		return r;
	if ((fl & HOST_HIDDEN) || !msgs->len)
		return -ENODEV;
	return req_emit_copy(q, msgs->pdata[0]);
}

/* RTM_GETNETCONF dump: the host's, interfaces out of view removed. */
struct nlmsg_dump *nlr_dump_netconf(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	struct nlmsg_dump *d = nlr_req_dump(q, NLMSG_DUMP_MSGS,
					family == AF_INET ||
					family == AF_INET6);

	if (!q->host_query)
		d->kind = NLMSG_DUMP_NONE;
	else
		host_dump(q, d, &want_netconf);
	return d;
}

/**
 * nlr_dump_rule() - RTM_GETRULE dump (fib_nl_dumprule())
 * @q: the request
 *
 * The host's rules, as its kernel dumps them for the request's family
 * (AF_UNSPEC: every family, in the kernel's order; an unknown family: the
 * kernel's error), minus rules naming a hidden interface. Without a host
 * (no host_query) the rules a new network namespace starts with. Either
 * way NLMSG_DONE shares the last part's datagram, as 6.18 sends it.
 *
 * Return: the dump.
 */
struct nlmsg_dump *nlr_dump_rule(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	struct nlmsg_dump *d = nlr_req_dump(q, NLMSG_DUMP_RULE, true);
	int r = q->o->strict_chk ? nlr_rule_dump_check(q) : 0;

	d->f.family = family;
	if (r < 0) {
		nlr_dump_fail(d, q, r);
	} else if (q->host_query) {
		d->kind = NLMSG_DUMP_MSGS;
		host_dump(q, d, &want_rule);
	} else if (family && family != AF_INET && family != AF_INET6 &&
		   family != RTNL_FAMILY_IPMR && family != RTNL_FAMILY_IP6MR) {
		d->kind = NLMSG_DUMP_NONE;
	}
	return d;
}
