// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg.c - NETLINK_ROUTE requests answered from a snapshot, as the kernel would: the dispatcher */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_addrlabel.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include "nlmsg_req.h"

/*
 * Theory of operation
 *
 * nlmsg_request() walks a datagram the way netlink_rcv_skb() does and
 * hands each request to the rtnetlink dispatcher's rules
 * (rtnetlink_rcv_msg): types past RTM_MAX and GET types without a handler
 * get -EOPNOTSUPP, a payload shorter than one byte is ignored, and every
 * non-GET type gets -EPERM before anything else is looked at, as in a user
 * namespace without CAP_NET_ADMIN over the host's network.
 *
 * Which handler answers a type is one row of rtm_types[] below, as the
 * kernel's rtnl_register() table: the object, its family header, a doit
 * for requests without NLM_F_DUMP and a dumpit for dumps. Each object has
 * a file of its own, proxy/nlmsg_<object>.c, holding its attribute policy,
 * its request checks and dump filter, and its encoder; model changes are
 * encoded by the same files through rtm_changes[].
 *
 * A dump request makes a struct nlmsg_dump that references the snapshot
 * and knows its filter; it is validated on creation, but as in the kernel
 * a dump's validation error is reported in its NLMSG_DONE (with the
 * extended ack text), not as NLMSG_ERROR. nlmsg_dump.c then generates one
 * datagram per call, never more than an object ahead (bounded memory),
 * through the object's dump_one().
 *
 * What the view answers, and from where:
 *  - RTM_GETLINK/ADDR/ROUTE/NEIGH: the snapshot (main and local tables).
 *    Routes are dumped in the kernel's order, not the snapshot's
 *    (nlmsg_route.c: IPv4 trie key order, IPv6 fib6 post-order walk);
 *    neighbours in the snapshot's, since the kernel's is its random hash
 *    order.
 *  - RTM_GETRULE dumps, RTM_GETNETCONF and `ip route get` (RTM_GETROUTE
 *    without NLM_F_DUMP): the host kernel, through the host_query
 *    callback (nlmsg_host.c), its answer filtered through the view: a
 *    route or netconf naming a hidden interface is -ENETUNREACH /
 *    -ENODEV, a rule whose FRA_IIFNAME / FRA_OIFNAME is a hidden
 *    interface is left out (nlmsg_route.c, nlmsg_netconf.c,
 *    nlmsg_rule.c). A dump's messages are repacked into parts
 *    the way the kernel splits them (NLMSG_DONE shares the last part for
 *    rules, as on 6.18). The rules point at tables the view does not show
 *    (only main and local are in the model); `ip rule` must still agree
 *    with the host's. Without a host_query the rule dump answers the
 *    default rules of a new network namespace (nlmsg_rule.c).
 *  - RTM_GETADDRLABEL, RTM_GETNEIGHTBL and RTM_GETSTATS: the host kernel
 *    likewise, messages of a hidden interface left out (nlmsg_tables.c);
 *    empty dumps without a host_query.
 *  - GET dumps of things the view has none of (qdiscs, nexthop objects,
 *    nsids, ...): an empty dump. AF_INET6 RTM_GETLINK (per-device IPv6
 *    state, which the model does not hold) is empty as well.
 *
 * Not in the model, so left out of the messages (listed so nobody thinks
 * they were forgotten): IFLA_ALLMULTI, GRO/TSO/GSO_IPV4 sizes,
 * MAX_PACING_OFFLOAD_HORIZON, NETNS_IMMUTABLE, HEADROOM/TAILROOM,
 * CARRIER_UP/DOWN_COUNT, PROTO_DOWN, IFLA_MAP, IFLA_XDP, IFLA_AF_SPEC,
 * IFLA_PERM_ADDRESS, IFLA_INFO_DATA, altnames; IFA_PROTO; NDA_PROBES,
 * NDA_CACHEINFO; RTA_CACHEINFO's counters (zero for FIB routes anyway);
 * IFLA_MIN/MAX_MTU while libnl does not parse them (the model has 0).
 */

/* NLMSG_REQ_MAX (nlmsg.h): the request limit nlep.c applies too. */

/* ------------------------------------------------------------------ */
/* The table                                                           */

/*
 * struct rtm_type - how one RTM_GET* type is answered (rtnl_register())
 * @object: what it is about (the view answers six: each has its file,
 *          proxy/nlmsg_<object>.c)
 * @hdrlen: its family header (struct nlmsg_req.hdrlen), 0 when unparsed
 * @doit: answers a request without NLM_F_DUMP, or NULL (-EOPNOTSUPP)
 * @dumpit: starts a dump, or NULL (-EOPNOTSUPP)
 */
struct rtm_type {
	const char *object;
	size_t hdrlen;
	int (*doit)(struct nlmsg_req *q);
	struct nlmsg_dump *(*dumpit)(struct nlmsg_req *q);
};

/* GET types the kernel has a dump function for that show things the view
 * has none of: an empty dump. */
static struct nlmsg_dump *dump_empty(struct nlmsg_req *q)
{
	return nlr_req_dump(q, NULL, true);
}

#define RTM_EMPTY(obj) { .object = obj, .dumpit = dump_empty }

/* Indexed by nlmsg_type: RTM_GET* types only (the others are -EPERM). */
static const struct rtm_type rtm_types[RTM_MAX + 1] = {
	[RTM_GETLINK] = { "link", sizeof(struct ifinfomsg),
			  nlmsg_link_get, nlmsg_link_dump },
	[RTM_GETADDR] = { "addr", sizeof(struct ifaddrmsg),
			  NULL, nlmsg_addr_dump },
	[RTM_GETROUTE] = { "route", sizeof(struct rtmsg),
			   nlmsg_route_get, nlmsg_route_dump },
	[RTM_GETNEIGH] = { "neigh", sizeof(struct ndmsg),
			   NULL, nlmsg_neigh_dump },
	[RTM_GETRULE] = { "rule", sizeof(struct fib_rule_hdr),
			  NULL, nlmsg_rule_dump },
	[RTM_GETNETCONF] = { "netconf", sizeof(struct netconfmsg),
			     nlmsg_netconf_get, nlmsg_netconf_dump },
	[RTM_GETQDISC] = RTM_EMPTY("qdisc"),
	[RTM_GETTCLASS] = RTM_EMPTY("tclass"),
	[RTM_GETTFILTER] = RTM_EMPTY("tfilter"),
	[RTM_GETACTION] = RTM_EMPTY("action"),
	[RTM_GETMULTICAST] = RTM_EMPTY("multicast"),
	[RTM_GETANYCAST] = RTM_EMPTY("anycast"),
	[RTM_GETNEIGHTBL] = { "neightbl", sizeof(struct ndtmsg),
			      NULL, nlmsg_neightbl_dump },
	[RTM_GETADDRLABEL] = { "addrlabel", sizeof(struct ifaddrlblmsg),
			       nlmsg_addrlabel_get, nlmsg_addrlabel_dump },
	[RTM_GETMDB] = RTM_EMPTY("mdb"),
	[RTM_GETNSID] = RTM_EMPTY("nsid"),
	[RTM_GETSTATS] = { "stats", sizeof(struct if_stats_msg),
			   nlmsg_stats_get, nlmsg_stats_dump },
	[RTM_GETCHAIN] = RTM_EMPTY("chain"),
	[RTM_GETNEXTHOP] = RTM_EMPTY("nexthop"),
	[RTM_GETVLAN] = RTM_EMPTY("vlan"),
	[RTM_GETNEXTHOPBUCKET] = RTM_EMPTY("nexthopbucket"),
	[RTM_GETTUNNEL] = RTM_EMPTY("tunnel"),
};

/* The objects whose model changes are multicast, by enum ns_change_kind. */
static const struct nlmsg_object *const rtm_changes[] = {
	[NS_CHANGE_LINK] = &nlmsg_link_object,
	[NS_CHANGE_ADDR] = &nlmsg_addr_object,
	[NS_CHANGE_ROUTE] = &nlmsg_route_object,
	[NS_CHANGE_NEIGH] = &nlmsg_neigh_object,
	[NS_CHANGE_HOSTMSG] = &nlmsg_hostmsg_object,
};

/* ------------------------------------------------------------------ */
/* Replies                                                             */

/**
 * req_ack() - the NLMSG_ERROR netlink_ack() sends for @q
 * @q: the request
 * @err: 0 (an ack) or -errno
 *
 * The request is echoed whole unless NETLINK_CAP_ACK (acks never echo it:
 * NLM_F_CAPPED); with NETLINK_EXT_ACK an error carries NLMSGERR_ATTR_MSG,
 * NLMSGERR_ATTR_OFFS and NLMSGERR_ATTR_POLICY when known.
 *
 * Return: what @q->emit returned.
 */
static int req_ack(struct nlmsg_req *q, int err)
{
	struct nlmsgerr e = { .error = err, .msg = q->h };
	bool echo = err && !q->o->cap_ack;
	bool tlv = q->o->ext_ack && err &&
		   (q->ext_msg || q->bad_attr >= 0);
	size_t size = NLMSG_HDRLEN + sizeof(e) + NLMSG_ALIGN(q->plen) + 256 +
		      (q->ext_msg ? strlen(q->ext_msg) + 8 : 0);
	g_autofree uint8_t *buf = g_malloc(size);
	struct nlw w = { .p = buf, .room = size };
	struct nlw_hdr h = {
		.type = NLMSG_ERROR,
		.flags = (echo ? 0 : NLM_F_CAPPED) | (tlv ? NLM_F_ACK_TLVS : 0),
		.seq = q->h.nlmsg_seq,
		.pid = q->o->portid,
	};
	size_t start = nlw_begin(&w, &h, &e, sizeof(e));

	if (echo && q->plen) {
		uint8_t *p = nlw_reserve(&w, NLMSG_ALIGN(q->plen));

		if (p)
			memcpy(p, q->msg + NLMSG_HDRLEN, q->plen);
	}
	if (tlv && q->ext_msg)
		nlw_str(&w, NLMSGERR_ATTR_MSG, q->ext_msg);
	if (tlv && q->bad_attr >= 0)
		nlw_u32(&w, NLMSGERR_ATTR_OFFS, (uint32_t)q->bad_attr);
	if (tlv && q->bad_pol)
		nlw_policy(&w, q->bad_pol);
	if (nlw_end(&w, start) < 0)
		return -ENOMEM;
	return q->emit(q->emit_data, buf, w.len);
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

/**
 * req_dump_start() - start the dump @q asks for
 * @q: a GET request with NLM_F_DUMP
 * @t: its row of rtm_types[]
 *
 * Return: -EINTR (started: no ack), or an error for NLMSG_ERROR.
 */
static int req_dump_start(struct nlmsg_req *q, const struct rtm_type *t)
{
	if (!q->dump_slot)
		return -EOPNOTSUPP;
	if (*q->dump_slot)
		return -EBUSY; /* netlink_dump_start(): one dump at a time */
	if (!t->dumpit)
		return -EOPNOTSUPP;
	*q->dump_slot = t->dumpit(q);
	return -EINTR;
}

/**
 * req_one() - one request, as rtnetlink_rcv_msg() dispatches it
 * @q: the request
 *
 * Return: 0, -EINTR when a dump started (no ack then), or -errno.
 */
static int req_one(struct nlmsg_req *q)
{
	uint16_t type = q->h.nlmsg_type;
	const struct rtm_type *t;

	if (type > RTM_MAX)
		return -EOPNOTSUPP;
	if (q->plen < sizeof(struct rtgenmsg))
		return 0;
	if (((type - RTM_BASE) & 3) != 2)
		return -EPERM; /* RTM_NEW*, RTM_DEL*, RTM_SET*: no CAP_NET_ADMIN */
	t = &rtm_types[type];
	q->hdrlen = t->hdrlen;
	if (q->h.nlmsg_flags & NLM_F_DUMP)
		return req_dump_start(q, t);
	return t->doit ? t->doit(q) : -EOPNOTSUPP;
}

/**
 * nlmsg_request() - see nlmsg.h
 *
 * @ret_dump is in/out: non-NULL on entry means the endpoint's dump is
 * still running (dump requests then get -EBUSY and it is left alone); a
 * NULL is replaced by the dump a request starts. ret_dump == NULL: every
 * dump request gets -EOPNOTSUPP.
 */
int nlmsg_request(const struct netstate_snapshot *snap,
		  const struct nlmsg_opts *o, const void *buf, size_t len,
		  nlmsg_host_query_fn host_query, void *hq_data,
		  nlmsg_emit_fn emit, void *emit_data,
		  struct nlmsg_dump **ret_dump)
{
	g_autofree uint8_t *copy = NULL;
	size_t off = 0;

	if (!snap || !o || !emit || (!buf && len))
		return -EINVAL;
	if (len > NLMSG_REQ_MAX)
		return -EMSGSIZE;
	if (len < NLMSG_HDRLEN)
		return 0; /* netlink_rcv_skb(): no header, nothing to answer */
	copy = g_memdup2(buf, len);
	while (len - off >= NLMSG_HDRLEN) {
		struct nlmsg_req q = {
			.snap = snap, .o = o,
			.host_query = host_query, .hq_data = hq_data,
			.emit = emit, .emit_data = emit_data,
			.dump_slot = ret_dump,
			.msg = copy + off,
			.bad_attr = -1,
		};
		int err = 0, r;

		memcpy(&q.h, copy + off, sizeof(q.h));
		if (q.h.nlmsg_len < NLMSG_HDRLEN || q.h.nlmsg_len > len - off)
			break;
		q.plen = q.h.nlmsg_len - NLMSG_HDRLEN;
		if ((q.h.nlmsg_flags & NLM_F_REQUEST) &&
		    q.h.nlmsg_type >= NLMSG_MIN_TYPE)
			err = req_one(&q);
		if (err != -EINTR && ((q.h.nlmsg_flags & NLM_F_ACK) || err)) {
			r = req_ack(&q, err);
			if (r < 0)
				return r;
		}
		off += MIN((size_t)NLMSG_ALIGN(q.h.nlmsg_len), len - off);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Changes                                                             */

/**
 * nlmsg_change_groups() - see nlmsg.h
 * @c: the change
 *
 * Return: bit (1 << (RTNLGRP_x - 1)) of the group the kernel multicasts
 * such a message to, 0 when none.
 */
uint64_t nlmsg_change_groups(const struct ns_change *c)
{
	const struct nlmsg_object *obj;

	if ((size_t)c->kind >= G_N_ELEMENTS(rtm_changes))
		return 0;
	obj = rtm_changes[c->kind];
	return obj->change_groups(c);
}

/**
 * nlmsg_change_encode() - see nlmsg.h
 * @snap: the snapshot the change led to (unused: a change carries its
 *        object; kept for a future IFLA_* that needs the link table)
 * @c: the change
 * @out: buffer
 * @room: its size
 *
 * Return: message length, -EMSGSIZE, or -EINVAL for an unknown kind.
 */
ssize_t nlmsg_change_encode(const struct netstate_snapshot *snap,
			    const struct ns_change *c, void *out, size_t room)
{
	struct nlw w = { .p = out, .room = room };
	struct nlw_hdr h = { 0 };
	const struct nlmsg_object *obj;
	int r;

	if ((size_t)c->kind >= G_N_ELEMENTS(rtm_changes))
		return -EINVAL;
	obj = rtm_changes[c->kind];
	h.type = c->deleted ? obj->del_type : obj->new_type;
	r = obj->put_change(&w, &h, c);
	return r < 0 ? r : (ssize_t)w.len;
}
