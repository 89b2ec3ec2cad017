// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_neigh.c - neighbours: RTM_GETNEIGH dumps, their filter and RTM_NEWNEIGH/DELNEIGH messages */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "nlmsg_req.h"

static const struct nlpol nda_pol[NDA_MAX + 1] = {
	[NDA_DST] = { POL_BIN, 16 },
	[NDA_LLADDR] = { POL_BIN, NS_ADDR_MAX },
	[NDA_PROBES] = { POL_U32, 0 },
	[NDA_IFINDEX] = { POL_U32, 0 },
	[NDA_MASTER] = { POL_U32, 0 },
	[NDA_FLAGS_EXT] = { POL_U32, 0 },
};

/* ------------------------------------------------------------------ */
/* Encoder (neigh_fill_info(), checked against 6.18)                    */

/**
 * neigh_put() - RTM_NEWNEIGH / RTM_DELNEIGH for one neighbour
 * @w: writer
 * @h: header fields
 * @n: the neighbour
 *
 * Return: 0 or -EMSGSIZE.
 */
static int neigh_put(struct nlw *w, const struct nlw_hdr *h,
		     const struct ns_neigh *n)
{
	struct ndmsg ndm = {
		.ndm_family = n->family,
		.ndm_ifindex = n->ifindex,
		.ndm_state = n->state,
		.ndm_flags = n->flags,
		.ndm_type = n->type,
	};
	size_t start = nlw_begin(w, h, &ndm, sizeof(ndm));

	nlw_attr(w, NDA_DST, n->dst, nlmsg_family_len(n->family));
	if (n->lladdr_len)
		nlw_attr(w, NDA_LLADDR, n->lladdr,
			 MIN((size_t)n->lladdr_len, sizeof(n->lladdr)));
	return nlw_end(w, start);
}

/* ------------------------------------------------------------------ */
/* Dumps and changes                                                   */

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

/* nlmsg_object.dump_one of neighbours: entry @i of the snapshot */
static int neigh_dump_one(struct nlmsg_dump *d, size_t i, struct nlw *w,
			  const struct nlw_hdr *h)
{
	const struct netstate_snapshot *s = d->snap;

	if (i >= s->neighs->n)
		return -ENOENT;
	if (!neigh_selected(d, &s->neighs->v[i]))
		return 0;
	return neigh_put(w, h, &s->neighs->v[i]) ?: 1;
}

/* nlmsg_object.put_change of neighbours */
static int neigh_put_change(struct nlw *w, const struct nlw_hdr *h,
			    const struct ns_change *c)
{
	return neigh_put(w, h, &c->u.neigh);
}

/* nlmsg_object.change_groups of neighbours */
static uint64_t neigh_change_groups(const struct ns_change *c)
{
	(void)c;
	return UINT64_C(1) << (RTNLGRP_NEIGH - 1);
}

const struct nlmsg_object nlmsg_neigh_object = {
	.new_type = RTM_NEWNEIGH,
	.del_type = RTM_DELNEIGH,
	.dump_one = neigh_dump_one,
	.put_change = neigh_put_change,
	.change_groups = neigh_change_groups,
};

/* ------------------------------------------------------------------ */
/* Requests                                                            */

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
	r = nlr_attr_parse(q, q->hdrlen, nda_pol, NDA_MAX, tb, strict);
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

static const struct nlmsg_host_want want_neigh = {
	RTM_NEWNEIGH, sizeof(struct ndmsg), 0, nlmsg_host_hdr_visible,
};

/* ------------------------------------------------------------------ */
/* PF_BRIDGE: the bridges' forwarding databases (rtnl_fdb_dump())       */

/* valid_fdb_dump_strict() parses with no policy and checks lengths itself */
static const struct nlpol fdb_pol[NDA_MAX + 1];

/* valid_fdb_dump_legacy(): the one attribute it reads; the host's own
 * parse of the request (passed on as it is) checks the others */
static const struct nlpol fdb_legacy_pol[IFLA_MAX + 1] = {
	[IFLA_MASTER] = { POL_U32, 0 },
};

/**
 * fdb_dump_strict() - valid_fdb_dump_strict(): the bridge and the port a
 * strict socket's FDB dump request names
 * @q: the request
 * @br: receives its NDA_MASTER, if any
 * @brport: receives its ndm_ifindex, or NDA_IFINDEX
 *
 * Return: 0 or -EINVAL, with the extended ack set.
 */
static int fdb_dump_strict(struct nlmsg_req *q, int *br, int *brport)
{
	const struct nlattr *tb[NDA_MAX + 1];
	struct ndmsg ndm;
	int r, i;

	if (q->plen < sizeof(ndm)) {
		q->ext_msg = "Invalid header for fdb dump request";
		return -EINVAL;
	}
	memcpy(&ndm, q->msg + NLMSG_HDRLEN, sizeof(ndm));
	if (ndm.ndm_pad1 || ndm.ndm_pad2 || ndm.ndm_state || ndm.ndm_flags ||
	    ndm.ndm_type) {
		q->ext_msg = "Invalid values in header for fdb dump request";
		return -EINVAL;
	}
	r = nlr_attr_parse(q, sizeof(ndm), fdb_pol, NDA_MAX, tb, true);
	if (r < 0)
		return r;
	*brport = ndm.ndm_ifindex;
	for (i = 0; i <= NDA_MAX; i++) {
		if (!tb[i])
			continue;
		if (i != NDA_IFINDEX && i != NDA_MASTER) {
			q->ext_msg = "Unsupported attribute in fdb dump request";
			return -EINVAL;
		}
		if (tb[i]->nla_len != NLA_HDRLEN + sizeof(uint32_t)) {
			q->ext_msg = i == NDA_IFINDEX ?
				"Invalid IFINDEX attribute in fdb dump request" :
				"Invalid MASTER attribute in fdb dump request";
			return -EINVAL;
		}
		*(i == NDA_IFINDEX ? brport : br) = (int)nlr_attr_u32(tb[i]);
	}
	return 0;
}

/**
 * fdb_dump_legacy() - valid_fdb_dump_legacy(): what a socket without
 * strict checking asks for
 * @q: the request
 * @br: receives its IFLA_MASTER, if any
 * @brport: receives its ifi_index
 *
 * iproute2 sent a struct ndmsg before v4.12 and struct ifinfomsg since:
 * an ndmsg alone or with one u32 attribute asks for every entry, any
 * other length is read as an ifinfomsg with IFLA_* attributes.
 *
 * Return: 0 or -EINVAL.
 */
static int fdb_dump_legacy(struct nlmsg_req *q, int *br, int *brport)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg ifm;

	if (q->plen == sizeof(struct ndmsg) ||
	    q->plen == sizeof(struct ndmsg) + NLA_HDRLEN + sizeof(uint32_t))
		return 0;
	if (nlr_attr_parse(q, sizeof(ifm), fdb_legacy_pol, IFLA_MAX, tb,
			   false) < 0)
		return -EINVAL;
	if (tb[IFLA_MASTER])
		*br = (int)nlr_attr_u32(tb[IFLA_MASTER]);
	memcpy(&ifm, q->msg + NLMSG_HDRLEN, sizeof(ifm));
	*brport = ifm.ifi_index;
	return 0;
}

/*
 * nlmsg_host_want.visible for an FDB entry: out of view with its device,
 * its bridge (NDA_MASTER) or the device a vxlan entry's remote is reached
 * through (NDA_IFINDEX, "via DEV"), as its event is (src/netstate_raw.c).
 */
static bool fdb_visible(const struct netstate_snapshot *s,
			const struct nlmsg_host_want *want, const uint8_t *m,
			size_t len)
{
	static const struct nlmsg_host_want via = {
		RTM_NEWNEIGH, sizeof(struct ndmsg), NDA_IFINDEX, NULL,
	};

	return nlmsg_host_port_visible(s, want, m, len) &&
	       nlmsg_host_ifindex_visible(s, &via, m, len);
}

/* An FDB entry: out of view with its device or its bridge (NDA_MASTER). */
static const struct nlmsg_host_want want_fdb = {
	RTM_NEWNEIGH, sizeof(struct ndmsg), NDA_MASTER, fdb_visible,
};

/**
 * fdb_dump() - fill @d with PF_BRIDGE's RTM_GETNEIGH dump (`bridge fdb`)
 * @q: the request
 * @d: the dump
 *
 * The model holds no FDB: the host's dump through the view, entries of
 * a hidden device or bridge left out, as their events are. A hidden
 * bridge asked for is no bridge (ENODEV, the kernel's answer for an
 * index it lacks). The host's socket is not strict: a strict request is
 * asked in the form it reads the same way, an ifinfomsg naming the
 * port with IFLA_MASTER naming the bridge (a request without strict
 * checking goes as it is).
 */
static void fdb_dump(struct nlmsg_req *q, struct nlmsg_dump *d)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifm;
		struct nlattr a;
		uint32_t master;
	} req = { 0 };
	int br = 0, brport = 0;
	int r = q->o->strict_chk ? fdb_dump_strict(q, &br, &brport) :
				   fdb_dump_legacy(q, &br, &brport);

	if (r >= 0 && !nlmsg_ifindex_visible(q->snap, br))
		r = -ENODEV;
	if (r < 0) {
		nlr_dump_fail(d, q, r);
		return;
	}
	if (!q->host_query)
		return; /* no host: no FDB */
	if (!q->o->strict_chk) {
		nlr_host_dump(q, d, &want_fdb);
		return;
	}
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifm));
	req.h.nlmsg_type = RTM_GETNEIGH;
	req.h.nlmsg_flags = q->h.nlmsg_flags;
	req.h.nlmsg_seq = q->h.nlmsg_seq;
	req.ifm.ifi_family = AF_BRIDGE;
	req.ifm.ifi_index = brport;
	if (br) {
		req.h.nlmsg_len += NLA_HDRLEN + sizeof(req.master);
		req.a.nla_len = NLA_HDRLEN + sizeof(req.master);
		req.a.nla_type = IFLA_MASTER;
		req.master = (uint32_t)br;
	}
	nlr_host_dump_as(q, d, &want_fdb, &req, req.h.nlmsg_len);
}

/**
 * nlmsg_neigh_dump() - RTM_GETNEIGH dump (neigh_dump_info(), and
 * PF_BRIDGE's rtnl_fdb_dump())
 * @q: the request
 *
 * Return: the dump.
 */
struct nlmsg_dump *nlmsg_neigh_dump(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	struct nlmsg_dump *d = nlr_req_dump(q, &nlmsg_neigh_object, true);
	int r;

	if (family == AF_BRIDGE) {
		/* rtnl_fdb_dump() returns what it filled: NLMSG_DONE comes
		 * from the next call, in a datagram of its own */
		d->obj = NULL;
		d->coalesce_done = false;
		fdb_dump(q, d);
		return d;
	}
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
	/* Other non-IP families: nothing to show. */
	if (family && family != AF_INET && family != AF_INET6) {
		d->obj = NULL;
		return d;
	}
	/*
	 * The host's own dump, through the view, where there is a host: the
	 * entries the kernel makes without a notification (NOARP ones of
	 * multicast and broadcast destinations), proxy entries (NTF_PROXY)
	 * and each entry's NDA_CACHEINFO and NDA_PROBES are not in the
	 * model. The request was checked above as a strict socket's would
	 * be; the host's socket is not strict, so it reads a request the
	 * way a lenient socket's reader expects.
	 */
	if (q->host_query) {
		nlr_host_dump(q, d, &want_neigh);
		return d;
	}
	/* Proxy entries (NTF_PROXY) are not in the model. */
	if (q->plen >= sizeof(struct ndmsg) &&
	    ((const struct ndmsg *)(q->msg + NLMSG_HDRLEN))->ndm_flags ==
		    NTF_PROXY)
		d->obj = NULL;
	return d;
}
