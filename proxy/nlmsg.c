// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg.c - NETLINK_ROUTE requests answered from a snapshot, as the kernel would */
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
 * A dump request makes a struct nlmsg_dump that references the snapshot
 * and knows its filter; it is validated on creation, but as in the kernel
 * a dump's validation error is reported in its NLMSG_DONE (with the
 * extended ack text), not as NLMSG_ERROR. nlmsg_dump.c then generates one
 * datagram per call, never more than an object ahead (bounded memory).
 *
 * What the view answers, and from where:
 *  - RTM_GETLINK/ADDR/ROUTE/NEIGH: the snapshot (main and local tables).
 *    Routes are dumped in the kernel's order, not the snapshot's
 *    (nlmsg_dump.c: IPv4 trie key order, IPv6 fib6 post-order walk);
 *    neighbours in the snapshot's, since the kernel's is its random hash
 *    order.
 *  - RTM_GETRULE dumps, RTM_GETNETCONF and `ip route get` (RTM_GETROUTE
 *    without NLM_F_DUMP): the host kernel, through the host_query
 *    callback, its answer filtered through the view (nlmsg_host.c: a
 *    route or netconf naming a hidden interface is -ENETUNREACH /
 *    -ENODEV, a rule whose FRA_IIFNAME / FRA_OIFNAME is a hidden
 *    interface is left out). A dump's messages are repacked into parts
 *    the way the kernel splits them (NLMSG_DONE shares the last part for
 *    rules, as on 6.18). The rules point at tables the view does not show
 *    (only main and local are in the model); `ip rule` must still agree
 *    with the host's. Without a host_query the rule dump answers the
 *    default rules of a new network namespace (nlmsg_encode.c).
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
/* Attributes                                                          */

static void req_err_attr(struct nlmsg_req *q, const void *nla, const char *msg)
{
	q->ext_msg = msg;
	q->bad_attr = (long)((const uint8_t *)nla - q->msg);
}

/**
 * attr_check() - validate one attribute as validate_nla() does
 * @q: the request (its extended ack is set on failure)
 * @a: the attribute, its length within the message already checked
 * @pt: its policy entry
 *
 * Return: 0, or -ERANGE when the payload violates the policy.
 */
static int attr_check(struct nlmsg_req *q, const struct nlattr *a,
		      const struct nlpol *pt)
{
	size_t alen = a->nla_len - NLA_HDRLEN;
	const char *data = (const char *)a + NLA_HDRLEN;
	size_t min = 0;

	switch (pt->kind) {
	case POL_U8: min = 1; break;
	case POL_U32: min = 4; break;
	case POL_STR:
		if (alen < 1)
			goto fail;
		if (data[alen - 1] == '\0')
			alen--;
		if (pt->len && alen > pt->len)
			goto fail;
		return 0;
	case POL_BIN:
		if (pt->len && alen > pt->len)
			goto fail;
		return 0;
	case POL_NEST:
		if (alen && alen < NLA_HDRLEN)
			goto fail;
		return 0;
	default:
		return 0;
	}
	if (alen >= min)
		return 0;
fail:
	req_err_attr(q, a, "Attribute failed policy validation");
	q->bad_pol = pt;
	return -ERANGE;
}

/**
 * nlr_attr_parse() - nlmsg_parse_deprecated() and its _strict variant
 * @q: the request
 * @hdrlen: size of the family header
 * @pol: policy, indexed by type, @maxtype + 1 entries
 * @maxtype: highest type
 * @tb: receives the last attribute of each type (zeroed first)
 * @strict: unknown types and trailing bytes are errors
 *
 * Return: 0 or -EINVAL / -ERANGE, with the extended ack set.
 */
int nlr_attr_parse(struct nlmsg_req *q, size_t hdrlen, const struct nlpol *pol,
		      int maxtype, const struct nlattr **tb, bool strict)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
	size_t end = NLMSG_HDRLEN + q->plen;

	memset(tb, 0, sizeof(*tb) * ((size_t)maxtype + 1));
	if (q->plen < hdrlen)
		return -EINVAL;
	while (off < end && end - off >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)(q->msg + off);
		int type = a->nla_type & NLA_TYPE_MASK;
		int r;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - off)
			break;
		if (type == 0 || type > maxtype) {
			if (strict) {
				req_err_attr(q, a, "Unknown attribute type");
				return -EINVAL;
			}
		} else {
			r = attr_check(q, a, &pol[type]);
			if (r < 0)
				return r;
			tb[type] = a;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	if (off < end) {
		q->ext_msg = "bytes leftover after parsing attributes";
		if (strict)
			return -EINVAL;
	}
	return 0;
}

uint32_t nlr_attr_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

/* Copy a string attribute (validated by nlr_attr_parse) into @buf. */
static void attr_str(const struct nlattr *a, char *buf, size_t size)
{
	size_t n = MIN((size_t)(a->nla_len - NLA_HDRLEN), size - 1);

	memcpy(buf, (const uint8_t *)a + NLA_HDRLEN, n);
	buf[n] = '\0';
}

static const struct nlpol ifla_pol[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { POL_STR, IFNAMSIZ - 1 },
	[IFLA_ADDRESS] = { POL_BIN, NS_ADDR_MAX },
	[IFLA_BROADCAST] = { POL_BIN, NS_ADDR_MAX },
	[IFLA_MTU] = { POL_U32, 0 },
	[IFLA_LINK] = { POL_U32, 0 },
	[IFLA_MASTER] = { POL_U32, 0 },
	[IFLA_TXQLEN] = { POL_U32, 0 },
	[IFLA_WEIGHT] = { POL_U32, 0 },
	[IFLA_OPERSTATE] = { POL_U8, 0 },
	[IFLA_LINKMODE] = { POL_U8, 0 },
	[IFLA_LINKINFO] = { POL_NEST, 0 },
	[IFLA_NET_NS_PID] = { POL_U32, 0 },
	[IFLA_NET_NS_FD] = { POL_U32, 0 },
	[IFLA_IFALIAS] = { POL_STR, 255 },
	[IFLA_EXT_MASK] = { POL_U32, 0 },
	[IFLA_PROMISCUITY] = { POL_U32, 0 },
	[IFLA_NUM_TX_QUEUES] = { POL_U32, 0 },
	[IFLA_NUM_RX_QUEUES] = { POL_U32, 0 },
	[IFLA_GROUP] = { POL_U32, 0 },
	[IFLA_CARRIER] = { POL_U8, 0 },
	[IFLA_TARGET_NETNSID] = { POL_U32, 0 },
	[IFLA_ALT_IFNAME] = { POL_STR, 127 },
	[IFLA_GSO_MAX_SEGS] = { POL_U32, 0 },
	[IFLA_GSO_MAX_SIZE] = { POL_U32, 0 },
};

static const struct nlpol ifa_pol[IFA_MAX + 1] = {
	[IFA_ADDRESS] = { POL_BIN, 16 },
	[IFA_LOCAL] = { POL_BIN, 16 },
	[IFA_LABEL] = { POL_STR, IFNAMSIZ - 1 },
	[IFA_BROADCAST] = { POL_BIN, 4 },
	[IFA_CACHEINFO] = { POL_BIN, 0 },
	[IFA_FLAGS] = { POL_U32, 0 },
	[IFA_RT_PRIORITY] = { POL_U32, 0 },
	[IFA_TARGET_NETNSID] = { POL_U32, 0 },
	[IFA_PROTO] = { POL_U8, 0 },
};

const struct nlpol nlr_rta_pol[RTA_MAX + 1] = {
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

static const struct nlpol nda_pol[NDA_MAX + 1] = {
	[NDA_DST] = { POL_BIN, 16 },
	[NDA_LLADDR] = { POL_BIN, NS_ADDR_MAX },
	[NDA_PROBES] = { POL_U32, 0 },
	[NDA_IFINDEX] = { POL_U32, 0 },
	[NDA_MASTER] = { POL_U32, 0 },
	[NDA_FLAGS_EXT] = { POL_U32, 0 },
};

const struct nlpol nlr_netconf_pol[NETCONFA_MAX + 1] = {
	[NETCONFA_IFINDEX] = { POL_U32, 0 },
};

/* ------------------------------------------------------------------ */
/* Replies                                                             */

/**
 * req_put_policy() - NLMSGERR_ATTR_POLICY: the policy an attribute failed,
 * as netlink_policy_dump_write_attr() describes it (checked against 6.18:
 * the range or length first, NL_POLICY_TYPE_ATTR_TYPE last; no padding
 * attributes on x86_64)
 * @w: the error message being written
 * @pt: the policy entry
 */
static void req_put_policy(struct nlw *w, const struct nlpol *pt)
{
	size_t nest = nlw_nest(w, NLMSGERR_ATTR_POLICY | NLA_F_NESTED);
	uint32_t type = NL_ATTR_TYPE_INVALID;
	uint64_t max = 0;

	switch (pt->kind) {
	case POL_U8:
		type = NL_ATTR_TYPE_U8;
		max = UINT8_MAX;
		break;
	case POL_U32:
		type = NL_ATTR_TYPE_U32;
		max = UINT32_MAX;
		break;
	case POL_STR:
		type = NL_ATTR_TYPE_STRING;
		break;
	case POL_BIN:
		type = NL_ATTR_TYPE_BINARY;
		break;
	case POL_NEST:
		type = NL_ATTR_TYPE_NESTED;
		break;
	default:
		break;
	}
	if (max) {
		uint64_t min = 0;

		nlw_attr(w, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, &min, sizeof(min));
		nlw_attr(w, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, &max, sizeof(max));
	} else if ((pt->kind == POL_STR || pt->kind == POL_BIN) && pt->len) {
		nlw_u32(w, NL_POLICY_TYPE_ATTR_MAX_LENGTH, pt->len);
	}
	nlw_u32(w, NL_POLICY_TYPE_ATTR_TYPE, type);
	nlw_nest_end(w, nest);
}

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
		req_put_policy(&w, q->bad_pol);
	if (nlw_end(&w, start) < 0)
		return -ENOMEM;
	return q->emit(q->emit_data, buf, w.len);
}

/* Emit one message built by @put into a buffer of its own. */
static int req_emit_link(struct nlmsg_req *q, const struct ns_link *l)
{
	uint8_t buf[4096];
	struct nlw w = { .p = buf, .room = sizeof(buf) };
	struct nlw_hdr h = {
		.type = RTM_NEWLINK,
		.seq = q->h.nlmsg_seq,
		.pid = q->o->portid,
	};
	int r = nlmsg_put_link(&w, &h, l);

	return r < 0 ? r : q->emit(q->emit_data, buf, w.len);
}

/* ------------------------------------------------------------------ */
/* Dumps                                                               */

struct nlmsg_dump *nlr_req_dump(struct nlmsg_req *q, enum nlmsg_dump_kind kind,
				   bool coalesce)
{
	struct nlmsg_dump *d = nlmsg_dump_new(q->snap, kind, &q->h,
					      q->o->portid);

	d->coalesce_done = coalesce;
	d->ext_ack = q->o->ext_ack;
	return d;
}

/* The dump fails: no objects, NLMSG_DONE carries @err and the ack text. */
void nlr_dump_fail(struct nlmsg_dump *d, struct nlmsg_req *q, int err)
{
	d->kind = NLMSG_DUMP_NONE;
	d->done_errno = err;
	d->done_msg = q->ext_msg;
}

uint8_t nlr_req_family(const struct nlmsg_req *q)
{
	return q->msg[NLMSG_HDRLEN];
}

/**
 * linkinfo_kind() - IFLA_LINKINFO's IFLA_INFO_KIND, if any, into @kind
 * @li: the IFLA_LINKINFO attribute (validated as a nest)
 * @kind: receives the kind, NUL-terminated; untouched when there is none
 * @size: its size
 */
static void linkinfo_kind(const struct nlattr *li, char *kind, size_t size)
{
	const uint8_t *p = (const uint8_t *)li + NLA_HDRLEN;
	size_t len = li->nla_len - NLA_HDRLEN, off = 0;

	while (len - off >= NLA_HDRLEN) {
		struct nlattr a;

		memcpy(&a, p + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len - off)
			return;
		if ((a.nla_type & NLA_TYPE_MASK) == IFLA_INFO_KIND &&
		    a.nla_len > NLA_HDRLEN) {
			size_t n = MIN((size_t)a.nla_len - NLA_HDRLEN,
				       size - 1);

			memcpy(kind, p + off + NLA_HDRLEN, n);
			kind[n] = '\0';
			return;
		}
		off += NLA_ALIGN(a.nla_len);
		if (off > len)
			return;
	}
}

/**
 * link_dump_check() - rtnl_valid_dump_ifinfo_req() and the link filters
 * @q: the request
 * @d: the dump, whose filter (master, kind) is set
 *
 * Without strict checking a bad request is not an error: the kernel then
 * dumps every link.
 *
 * Return: 0 or -errno, with the extended ack set.
 */
static int link_dump_check(struct nlmsg_req *q, struct nlmsg_dump *d)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg ifm;
	bool strict = q->o->strict_chk;
	size_t hdrlen = sizeof(ifm);
	int r, i;

	if (strict) {
		if (q->plen < sizeof(ifm)) {
			q->ext_msg = "Invalid header for link dump";
			return -EINVAL;
		}
		memcpy(&ifm, q->msg + NLMSG_HDRLEN, sizeof(ifm));
		if (ifm.__ifi_pad || ifm.ifi_type || ifm.ifi_flags ||
		    ifm.ifi_change) {
			q->ext_msg = "Invalid values in header for link dump request";
			return -EINVAL;
		}
		if (ifm.ifi_index) {
			q->ext_msg = "Filter by device index not supported for link dumps";
			return -EINVAL;
		}
	} else if (q->plen < sizeof(ifm)) {
		hdrlen = sizeof(struct rtgenmsg); /* iproute2 before v3.9 */
	}
	r = nlr_attr_parse(q, hdrlen, ifla_pol, IFLA_MAX, tb, strict);
	if (r < 0)
		return strict ? r : 0; /* the kernel then dumps everything */
	for (i = 0; i <= IFLA_MAX; i++) {
		if (!tb[i])
			continue;
		switch (i) {
		case IFLA_EXT_MASK:
			break;
		case IFLA_MASTER:
			d->f.master = (int)nlr_attr_u32(tb[i]);
			break;
		case IFLA_LINKINFO:
			linkinfo_kind(tb[i], d->f.kind, sizeof(d->f.kind));
			break;
		case IFLA_TARGET_NETNSID:
			req_err_attr(q, tb[i], "Invalid target network namespace id");
			return -EINVAL;
		default:
			if (strict) {
				q->ext_msg = "Unsupported attribute in link dump request";
				return -EINVAL;
			}
		}
	}
	if (d->f.master || d->f.kind[0])
		d->msg_flags |= NLM_F_DUMP_FILTERED;
	return 0;
}

/**
 * dump_link() - RTM_GETLINK dump (rtnl_dump_ifinfo())
 * @q: the request
 *
 * Return: the dump (a failed check fails it, NLMSG_DONE carries the error).
 */
static struct nlmsg_dump *dump_link(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	struct nlmsg_dump *d;
	int r;

	/* PF_INET6 and PF_BRIDGE have dump functions of their own
	 * (inet6_dump_ifinfo, rtnl_bridge_getlink) describing state the
	 * model does not hold. */
	if (family == AF_INET6 || family == AF_BRIDGE)
		return nlr_req_dump(q, NLMSG_DUMP_NONE, true);
	d = nlr_req_dump(q, NLMSG_DUMP_LINK, false);
	r = link_dump_check(q, d);
	if (r < 0)
		nlr_dump_fail(d, q, r);
	return d;
}

/**
 * addr_dump_check() - inet_valid_dump_ifaddr_req() or its IPv6 twin
 * @q: the request (strict checking on)
 * @d: the dump, whose interface filter is set
 * @v6: check as inet6_valid_dump_ifaddr_req() (its messages differ)
 *
 * Return: 0 or -errno, with the extended ack set.
 */
static int addr_dump_check(struct nlmsg_req *q, struct nlmsg_dump *d, bool v6)
{
	const struct nlattr *tb[IFA_MAX + 1];
	struct ifaddrmsg ifa;
	int r, i;

	if (q->plen < sizeof(ifa)) {
		q->ext_msg = v6 ? "ipv6: Invalid header for address dump request" :
				  "ipv4: Invalid header for address dump request";
		return -EINVAL;
	}
	memcpy(&ifa, q->msg + NLMSG_HDRLEN, sizeof(ifa));
	if (ifa.ifa_prefixlen || ifa.ifa_flags || ifa.ifa_scope) {
		q->ext_msg = v6 ? "ipv6: Invalid values in header for address dump request" :
				  "ipv4: Invalid values in header for address dump request";
		return -EINVAL;
	}
	d->f.ifindex = (int)ifa.ifa_index;
	r = nlr_attr_parse(q, sizeof(ifa), ifa_pol, IFA_MAX, tb, true);
	if (r < 0)
		return r;
	for (i = 0; i <= IFA_MAX; i++) {
		if (!tb[i])
			continue;
		if (i == IFA_TARGET_NETNSID) {
			req_err_attr(q, tb[i], "Invalid target network namespace id");
			return -EINVAL;
		}
		q->ext_msg = v6 ? "ipv6: Unsupported attribute in dump request" :
				  "ipv4: Unsupported attribute in dump request";
		return -EINVAL;
	}
	if (d->f.ifindex) {
		d->msg_flags |= NLM_F_DUMP_FILTERED;
		d->done_flags |= NLM_F_DUMP_FILTERED;
		if (!ns_link_by_index(q->snap, d->f.ifindex))
			return -ENODEV;
	}
	return 0;
}

/**
 * dump_addr() - RTM_GETADDR dump, AF_INET, AF_INET6 or both
 * @q: the request
 *
 * Return: the dump.
 */
static struct nlmsg_dump *dump_addr(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	bool v4 = family != AF_INET6, v6 = family != AF_INET;
	/* inet6_dump_addr() coalesces NLMSG_DONE, inet_dump_ifaddr() and
	 * rtnl_dump_all() (AF_UNSPEC) do not. */
	struct nlmsg_dump *d = nlr_req_dump(q, NLMSG_DUMP_ADDR, !v4);
	int r = 0;

	d->f.family = v4 && v6 ? 0 : family;
	if (q->o->strict_chk) {
		if (v4)
			r = addr_dump_check(q, d, false);
		if (r == 0 && v6)
			r = addr_dump_check(q, d, true);
	}
	if (r < 0)
		nlr_dump_fail(d, q, r);
	return d;
}

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
	r = nlr_attr_parse(q, sizeof(rtm), nlr_rta_pol, RTA_MAX, tb, true);
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

/**
 * dump_route() - RTM_GETROUTE dump (inet_dump_fib(), inet6_dump_fib())
 * @q: the request
 *
 * Tables other than main and local are not in the model: asking for one
 * by family is -ENOENT as in the kernel when the table does not exist.
 *
 * Return: the dump.
 */
static struct nlmsg_dump *dump_route(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	struct nlmsg_dump *d;
	int r = 0;

	if (family == RTNL_FAMILY_IPMR || family == RTNL_FAMILY_IP6MR)
		return nlr_req_dump(q, NLMSG_DUMP_NONE, false); /* no mroutes */
	d = nlr_req_dump(q, NLMSG_DUMP_ROUTE, false);
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
	    d->f.table != RT_TABLE_LOCAL) {
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

/**
 * neigh_dump_check() - neigh_valid_dump_req() and the neighbour filters
 * @q: the request
 * @d: the dump, whose filter (ifindex, master) is set
 *
 * Return: 0 or -errno, with the extended ack set.
 */
static int neigh_dump_check(struct nlmsg_req *q, struct nlmsg_dump *d)
{
	const struct nlattr *tb[NDA_MAX + 1];
	bool strict = q->o->strict_chk;
	struct ndmsg ndm;
	int r, i;

	if (strict) {
		if (q->plen < sizeof(ndm)) {
			q->ext_msg = "Invalid header for neighbor dump request";
			return -EINVAL;
		}
		memcpy(&ndm, q->msg + NLMSG_HDRLEN, sizeof(ndm));
		if (ndm.ndm_pad1 || ndm.ndm_pad2 || ndm.ndm_state ||
		    ndm.ndm_type) {
			q->ext_msg = "Invalid values in header for neighbor dump request";
			return -EINVAL;
		}
		if (ndm.ndm_flags & ~NTF_PROXY) {
			q->ext_msg = "Invalid flags in header for neighbor dump request";
			return -EINVAL;
		}
	}
	r = nlr_attr_parse(q, sizeof(ndm), nda_pol, NDA_MAX, tb, strict);
	if (r < 0)
		return r;
	for (i = 0; i <= NDA_MAX; i++) {
		if (!tb[i])
			continue;
		switch (i) {
		case NDA_IFINDEX:
			d->f.ifindex = (int)nlr_attr_u32(tb[i]);
			break;
		case NDA_MASTER:
			d->f.master = (int)nlr_attr_u32(tb[i]);
			break;
		default:
			if (strict) {
				q->ext_msg = "Unsupported attribute in neighbor dump request";
				return -EINVAL;
			}
		}
	}
	if (d->f.ifindex || d->f.master)
		d->msg_flags |= NLM_F_DUMP_FILTERED;
	return 0;
}

/**
 * dump_neigh() - RTM_GETNEIGH dump (neigh_dump_info())
 * @q: the request
 *
 * Return: the dump.
 */
static struct nlmsg_dump *dump_neigh(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	struct nlmsg_dump *d = nlr_req_dump(q, NLMSG_DUMP_NEIGH, true);
	int r;

	d->f.family = family;
	r = neigh_dump_check(q, d);
	if (r < 0 && q->o->strict_chk) {
		nlr_dump_fail(d, q, r);
		return d;
	}
	if (r < 0) { /* the kernel ignores a bad request then: no filter */
		d->f.ifindex = d->f.master = 0;
		d->msg_flags = NLM_F_MULTI;
	}
	/* Proxy entries (NTF_PROXY) and non-IP tables are not in the
	 * model; PF_BRIDGE has rtnl_fdb_dump, which has nothing to show. */
	if ((family && family != AF_INET && family != AF_INET6) ||
	    (q->plen >= sizeof(struct ndmsg) &&
	     ((const struct ndmsg *)(q->msg + NLMSG_HDRLEN))->ndm_flags ==
		     NTF_PROXY))
		d->kind = NLMSG_DUMP_NONE;
	return d;
}

/**
 * nlr_rule_dump_check() - fib_valid_dumprule_req()
 * @q: the request (strict checking on)
 *
 * Return: 0 or -EINVAL, with the extended ack set.
 */
int nlr_rule_dump_check(struct nlmsg_req *q)
{
	struct fib_rule_hdr frh;

	if (q->plen < sizeof(frh)) {
		q->ext_msg = "Invalid header for fib rule dump request";
		return -EINVAL;
	}
	memcpy(&frh, q->msg + NLMSG_HDRLEN, sizeof(frh));
	if (frh.dst_len || frh.src_len || frh.tos || frh.table || frh.res1 ||
	    frh.res2 || frh.action || frh.flags) {
		q->ext_msg = "Invalid values in header for fib rule dump request";
		return -EINVAL;
	}
	if (q->plen > NLMSG_ALIGN(sizeof(frh))) {
		q->ext_msg = "Invalid data after header in fib rule dump request";
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

/* GET types the kernel has a dump function for that show things the view
 * has none of: answered with an empty dump. */
static bool get_type_empty(uint16_t type)
{
	switch (type) {
	case RTM_GETQDISC: case RTM_GETTCLASS: case RTM_GETTFILTER:
	case RTM_GETACTION: case RTM_GETMULTICAST: case RTM_GETANYCAST:
	case RTM_GETNEIGHTBL: case RTM_GETADDRLABEL: case RTM_GETMDB:
	case RTM_GETNSID: case RTM_GETSTATS: case RTM_GETCHAIN:
	case RTM_GETNEXTHOP: case RTM_GETVLAN: case RTM_GETNEXTHOPBUCKET:
	case RTM_GETTUNNEL:
		return true;
	default:
		return false;
	}
}

/**
 * req_dump_start() - start the dump @q asks for
 * @q: a GET request with NLM_F_DUMP
 *
 * Return: -EINTR (started: no ack), or an error for NLMSG_ERROR.
 */
static int req_dump_start(struct nlmsg_req *q)
{
	struct nlmsg_dump *d = NULL;

	if (!q->dump_slot)
		return -EOPNOTSUPP;
	if (*q->dump_slot)
		return -EBUSY; /* netlink_dump_start(): one dump at a time */
	switch (q->h.nlmsg_type) {
	case RTM_GETLINK: d = dump_link(q); break;
	case RTM_GETADDR: d = dump_addr(q); break;
	case RTM_GETROUTE: d = dump_route(q); break;
	case RTM_GETNEIGH: d = dump_neigh(q); break;
	case RTM_GETRULE: d = nlr_dump_rule(q); break;
	case RTM_GETNETCONF: d = nlr_dump_netconf(q); break;
	default:
		if (!get_type_empty(q->h.nlmsg_type))
			return -EOPNOTSUPP;
		d = nlr_req_dump(q, NLMSG_DUMP_NONE, true);
	}
	*q->dump_slot = d;
	return -EINTR;
}

/**
 * get_link() - rtnl_getlink(): one interface by index or name
 * @q: a RTM_GETLINK request without NLM_F_DUMP
 *
 * Return: 0 (the link emitted), -ENODEV, or -EINVAL with the extended ack.
 */
static int get_link(struct nlmsg_req *q)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ns_link *l = NULL;
	struct ifinfomsg ifm;
	char name[128];
	int r, i;

	if (q->plen < sizeof(ifm)) {
		q->ext_msg = "Invalid header for get link";
		return -EINVAL;
	}
	memcpy(&ifm, q->msg + NLMSG_HDRLEN, sizeof(ifm));
	if (q->o->strict_chk && (ifm.__ifi_pad || ifm.ifi_type ||
				 ifm.ifi_flags || ifm.ifi_change)) {
		q->ext_msg = "Invalid values in header for get link request";
		return -EINVAL;
	}
	r = nlr_attr_parse(q, sizeof(ifm), ifla_pol, IFLA_MAX, tb,
		       q->o->strict_chk);
	if (r < 0)
		return r;
	for (i = 0; q->o->strict_chk && i <= IFLA_MAX; i++) {
		if (!tb[i] || i == IFLA_IFNAME || i == IFLA_ALT_IFNAME ||
		    i == IFLA_EXT_MASK || i == IFLA_TARGET_NETNSID)
			continue;
		q->ext_msg = "Unsupported attribute in get link request";
		return -EINVAL;
	}
	if (tb[IFLA_TARGET_NETNSID])
		return -EINVAL; /* rtnl_getlink(): no extended ack for this */
	if (ifm.ifi_index > 0) {
		l = ns_link_by_index(q->snap, ifm.ifi_index);
	} else if (tb[IFLA_IFNAME] || tb[IFLA_ALT_IFNAME]) {
		/* The model has no altnames: an IFLA_ALT_IFNAME finds the
		 * interface of that primary name, as the kernel's name
		 * lookup (primary names and altnames alike) would. */
		attr_str(tb[IFLA_ALT_IFNAME] ? tb[IFLA_ALT_IFNAME] :
					       tb[IFLA_IFNAME],
			 name, sizeof(name));
		l = ns_link_by_name(q->snap, name);
	} else {
		return -EINVAL;
	}
	if (!l)
		return -ENODEV;
	return req_emit_link(q, l);
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

	if (type > RTM_MAX)
		return -EOPNOTSUPP;
	if (q->plen < sizeof(struct rtgenmsg))
		return 0;
	if (((type - RTM_BASE) & 3) != 2)
		return -EPERM; /* RTM_NEW*, RTM_DEL*, RTM_SET*: no CAP_NET_ADMIN */
	if (q->h.nlmsg_flags & NLM_F_DUMP)
		return req_dump_start(q);
	switch (type) {
	case RTM_GETLINK: return get_link(q);
	case RTM_GETROUTE: return nlr_get_route(q);
	case RTM_GETNETCONF: return nlr_get_netconf(q);
	default: return -EOPNOTSUPP;
	}
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
