// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_addr.c - addresses: RTM_GETADDR dumps, their filter and RTM_NEWADDR/DELADDR messages */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "nlmsg_req.h"

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

/* ------------------------------------------------------------------ */
/* Encoder (inet_fill_ifaddr(), inet6_fill_ifaddr(), checked against 6.18) */

static bool is_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/**
 * addr_put() - RTM_NEWADDR / RTM_DELADDR for one address
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
static int addr_put(struct nlw *w, const struct nlw_hdr *h,
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
	size_t alen = nlmsg_family_len(a->family);

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

/* ------------------------------------------------------------------ */
/* Dumps and changes                                                   */

/* nlmsg_object.dump_one of addresses: address @i of the snapshot */
static int addr_dump_one(struct nlmsg_dump *d, size_t i, struct nlw *w,
			 const struct nlw_hdr *h)
{
	const struct netstate_snapshot *s = d->snap;

	if (i >= s->addrs->n)
		return -ENOENT;
	if ((d->f.family && s->addrs->v[i].family != d->f.family) ||
	    (d->f.ifindex && s->addrs->v[i].ifindex != d->f.ifindex))
		return 0;
	return addr_put(w, h, &s->addrs->v[i]) ?: 1;
}

/* nlmsg_object.put_change of addresses */
static int addr_put_change(struct nlw *w, const struct nlw_hdr *h,
			   const struct ns_change *c)
{
	return addr_put(w, h, &c->u.addr);
}

/* nlmsg_object.change_groups of addresses: by family */
static uint64_t addr_change_groups(const struct ns_change *c)
{
	unsigned int g = c->u.addr.family == AF_INET ? RTNLGRP_IPV4_IFADDR :
			 c->u.addr.family == AF_INET6 ? RTNLGRP_IPV6_IFADDR : 0;

	return g ? UINT64_C(1) << (g - 1) : 0;
}

const struct nlmsg_object nlmsg_addr_object = {
	.new_type = RTM_NEWADDR,
	.del_type = RTM_DELADDR,
	.dump_one = addr_dump_one,
	.put_change = addr_put_change,
	.change_groups = addr_change_groups,
};

/* ------------------------------------------------------------------ */
/* Requests                                                            */

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
	r = nlr_attr_parse(q, q->hdrlen, ifa_pol, IFA_MAX, tb, true);
	if (r < 0)
		return r;
	for (i = 0; i <= IFA_MAX; i++) {
		if (!tb[i])
			continue;
		if (i == IFA_TARGET_NETNSID) {
			nlr_err_attr(q, tb[i], "Invalid target network namespace id");
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
 * nlmsg_addr_dump() - RTM_GETADDR dump, AF_INET, AF_INET6 or both
 * @q: the request
 *
 * Return: the dump.
 */
struct nlmsg_dump *nlmsg_addr_dump(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	bool v4 = family != AF_INET6, v6 = family != AF_INET;
	/* inet6_dump_addr() coalesces NLMSG_DONE, inet_dump_ifaddr() and
	 * rtnl_dump_all() (AF_UNSPEC) do not. */
	struct nlmsg_dump *d = nlr_req_dump(q, &nlmsg_addr_object, !v4);
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
