// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_neigh.c - neighbours: RTM_GETNEIGH dumps, their filter and RTM_NEWNEIGH/DELNEIGH messages */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
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

/**
 * nlmsg_neigh_dump() - RTM_GETNEIGH dump (neigh_dump_info())
 * @q: the request
 *
 * Return: the dump.
 */
struct nlmsg_dump *nlmsg_neigh_dump(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	struct nlmsg_dump *d = nlr_req_dump(q, &nlmsg_neigh_object, true);
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
	/* Non-IP tables: PF_BRIDGE has rtnl_fdb_dump, with nothing to show. */
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
