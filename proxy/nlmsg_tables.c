// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_tables.c - address labels, neighbour tables and link statistics: asked of the host kernel, through the view */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <linux/if_addrlabel.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "nlmsg_req.h"

/*
 * Three per-namespace tables the model does not hold, answered by the host
 * kernel as `ip rule` is (nlmsg_host.c): `ip addrlabel` (RTM_GETADDRLABEL),
 * `ip ntable` (RTM_GETNEIGHTBL) and `ip stats` (RTM_GETSTATS). Each
 * message naming an interface the view hides is left out of a dump, and a
 * request for one such interface fails as for a missing one (ENODEV).
 * Without a host (no host_query) they stay the empty dumps of before.
 */

static const struct nlmsg_host_want want_addrlabel = {
	RTM_NEWADDRLABEL, sizeof(struct ifaddrlblmsg), 0, nlmsg_host_hdr_visible,
};

static const struct nlmsg_host_want want_stats = {
	RTM_NEWSTATS, sizeof(struct if_stats_msg), 0, nlmsg_host_hdr_visible,
};

/*
 * A neighbour table's message is the table's own (no NDTA_PARMS, or
 * parameters without NDTPA_IFINDEX) or one interface's parameters
 * (NDTA_PARMS holding NDTPA_IFINDEX, its index into @ret_ifindex).
 */
static bool neightbl_parms_ifindex(const uint8_t *m, size_t len,
				   int *ret_ifindex)
{
	size_t plen = 0, alen = 0;
	const uint8_t *parms = nlmsg_attr_find(m, len, NLMSG_HDRLEN +
					       NLMSG_ALIGN(sizeof(struct ndtmsg)),
					       NDTA_PARMS, &plen);
	const uint8_t *p;
	uint32_t v;

	if (!parms)
		return false;
	/* nested: search the attributes inside as a message of their own */
	p = nlmsg_attr_find(parms - NLA_HDRLEN, plen + NLA_HDRLEN, NLA_HDRLEN,
			    NDTPA_IFINDEX, &alen);
	if (!p || alen < sizeof(v))
		return false;
	memcpy(&v, p, sizeof(v));
	*ret_ifindex = (int)v;
	return true;
}

static bool neightbl_visible(const struct netstate_snapshot *s,
			     const struct nlmsg_host_want *want,
			     const uint8_t *m, size_t len)
{
	int ifindex;

	(void)want;
	return !neightbl_parms_ifindex(m, len, &ifindex) ||
	       nlmsg_ifindex_visible(s, ifindex);
}

static const struct nlmsg_host_want want_neightbl = {
	RTM_NEWNEIGHTBL, sizeof(struct ndtmsg), 0, neightbl_visible,
};

/* Whether a neighbour table message is one interface's parameters. */
static bool neightbl_is_parms(GBytes *b)
{
	gsize len;
	const uint8_t *m = g_bytes_get_data(b, &len);
	int ifindex;

	return neightbl_parms_ifindex(m, len, &ifindex);
}

/* Whether two tables' own messages name the same table (family, NDTA_NAME). */
static bool neightbl_same_table(GBytes *a, GBytes *b)
{
	gsize alen, blen;
	const uint8_t *am = g_bytes_get_data(a, &alen);
	const uint8_t *bm = g_bytes_get_data(b, &blen);
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ndtmsg));
	size_t an = 0, bn = 0;
	const uint8_t *ap = nlmsg_attr_find(am, alen, off, NDTA_NAME, &an);
	const uint8_t *bp = nlmsg_attr_find(bm, blen, off, NDTA_NAME, &bn);

	return am[NLMSG_HDRLEN] == bm[NLMSG_HDRLEN] && ap && bp && an == bn &&
	       memcmp(ap, bp, an) == 0;
}

/*
 * The kernel's neightbl_dump_info() starts every part that resumes a
 * table with the table's own message again, so where a dump is cut
 * depends on the reader's buffer. The host's answer to our query was cut
 * for our socket: its repeats are dropped here, and neightbl_dump_one()
 * repeats a table's message where the sandbox's parts are cut.
 */
static void neightbl_drop_repeats(GPtrArray *msgs)
{
	GBytes *last = NULL; /* the last table's own message kept */
	guint i = 0;

	while (i < msgs->len) {
		GBytes *b = msgs->pdata[i];

		if (neightbl_is_parms(b)) {
			i++;
			continue;
		}
		/* its counters may have moved between the two: by name */
		if (last && neightbl_same_table(last, b)) {
			g_ptr_array_remove_index(msgs, i);
			continue;
		}
		last = b;
		i++;
	}
}

/* nlmsg_object.dump_one: message @i; a part that starts inside a table
 * starts with the table's message (neightbl_drop_repeats()). */
static int neightbl_dump_one(struct nlmsg_dump *d, size_t i, struct nlw *w,
			     const struct nlw_hdr *h)
{
	GBytes *b;
	int r;

	if (!d->msgs || i >= d->msgs->len)
		return -ENOENT;
	b = g_ptr_array_index(d->msgs, i);
	if (w->len == 0 && i > 0 && neightbl_is_parms(b)) {
		size_t j = i - 1;
		GBytes *t;

		while (j > 0 && neightbl_is_parms(d->msgs->pdata[j]))
			j--;
		t = d->msgs->pdata[j];
		r = nlmsg_put_copy(w, h, g_bytes_get_data(t, NULL),
				   g_bytes_get_size(t));
		if (r < 0)
			return r;
	}
	return nlmsg_put_copy(w, h, g_bytes_get_data(b, NULL),
			      g_bytes_get_size(b)) ?: 1;
}

static const struct nlmsg_object neightbl_object = {
	.dump_one = neightbl_dump_one,
};

/*
 * A request for one object: refused as for a missing interface when the
 * one its header names is hidden, else the host's answer, which must be
 * in view. A short header goes to the host as it is, for its error.
 */
static int tables_get(struct nlmsg_req *q, const struct nlmsg_host_want *want)
{
	int ifindex = q->plen >= want->hdrlen ?
		      nlmsg_hdr_ifindex(q->msg, q->h.nlmsg_len) : 0;

	if (!q->host_query)
		return -EOPNOTSUPP;
	if (!nlmsg_ifindex_visible(q->snap, ifindex))
		return -ENODEV;
	return nlr_host_get(q, want);
}

/* A dump: the host's, minus what the view hides; empty without a host. */
static struct nlmsg_dump *tables_dump(struct nlmsg_req *q,
				      const struct nlmsg_host_want *want)
{
	struct nlmsg_dump *d = nlr_req_dump(q, NULL, true);

	if (q->host_query)
		nlr_host_dump(q, d, want);
	return d;
}

/**
 * nlmsg_addrlabel_get() - RTM_GETADDRLABEL without NLM_F_DUMP
 * @q: the request (struct ifaddrlblmsg)
 *
 * Return: 0 (the answer emitted), -ENODEV for an interface out of view,
 * or the host's error.
 */
int nlmsg_addrlabel_get(struct nlmsg_req *q)
{
	return tables_get(q, &want_addrlabel);
}

struct nlmsg_dump *nlmsg_addrlabel_dump(struct nlmsg_req *q)
{
	return tables_dump(q, &want_addrlabel);
}

struct nlmsg_dump *nlmsg_neightbl_dump(struct nlmsg_req *q)
{
	struct nlmsg_dump *d = tables_dump(q, &want_neightbl);

	if (d->msgs) {
		neightbl_drop_repeats(d->msgs);
		d->obj = &neightbl_object;
	}
	return d;
}

/**
 * nlmsg_stats_get() - RTM_GETSTATS without NLM_F_DUMP
 * @q: the request (struct if_stats_msg)
 *
 * Return: 0 (the answer emitted), -ENODEV for an interface out of view,
 * or the host's error.
 */
int nlmsg_stats_get(struct nlmsg_req *q)
{
	return tables_get(q, &want_stats);
}

struct nlmsg_dump *nlmsg_stats_dump(struct nlmsg_req *q)
{
	return tables_dump(q, &want_stats);
}
