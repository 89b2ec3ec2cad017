// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_rule.c - policy rules: RTM_GETRULE dumps from the host kernel through the view, or a new namespace's defaults */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "nlmsg_req.h"

/* One synthesized policy rule. */
struct rule {
	uint8_t family;
	uint8_t table;
	uint32_t pref;
};

/* ------------------------------------------------------------------ */
/* Encoder (fib_nl_fill_rule(), checked against 6.18)                   */

/*
 * The rules a new network namespace has (fib4_rules_init,
 * ipmr_rules_init, fib6_rules_net_init, ip6mr_rules_init), in the order
 * an AF_UNSPEC dump of kernel 6.18 lists them. lxnet shows the main and
 * local tables only, so the host's own rules are not passed through.
 */
static const struct rule default_rules[] = {
	{ AF_INET, RT_TABLE_LOCAL, 0 },
	{ AF_INET, RT_TABLE_MAIN, 32766 },
	{ AF_INET, RT_TABLE_DEFAULT, 32767 },
	{ RTNL_FAMILY_IPMR, RT_TABLE_DEFAULT, 32767 },
	{ RTNL_FAMILY_IP6MR, RT_TABLE_MAIN, 32767 },
	{ AF_INET6, RT_TABLE_LOCAL, 0 },
	{ AF_INET6, RT_TABLE_MAIN, 32766 },
};

/**
 * rule_put() - RTM_NEWRULE for one of the default rules
 * @w: writer
 * @h: header fields
 * @r: the rule
 *
 * Return: 0 or -EMSGSIZE.
 */
static int rule_put(struct nlw *w, const struct nlw_hdr *h,
		    const struct rule *r)
{
	struct fib_rule_hdr frh = {
		.family = r->family,
		.table = r->table,
		.action = FR_ACT_TO_TBL,
	};
	size_t start = nlw_begin(w, h, &frh, sizeof(frh));

	nlw_u32(w, FRA_TABLE, r->table);
	nlw_u32(w, FRA_SUPPRESS_PREFIXLEN, UINT32_MAX);
	nlw_u8(w, FRA_PROTOCOL, RTPROT_KERNEL);
	if (r->pref)
		nlw_u32(w, FRA_PRIORITY, r->pref);
	return nlw_end(w, start);
}

/* nlmsg_object.dump_one of the default rules: rule @i, by family */
static int rule_dump_one(struct nlmsg_dump *d, size_t i, struct nlw *w,
			 const struct nlw_hdr *h)
{
	if (i >= G_N_ELEMENTS(default_rules))
		return -ENOENT;
	if (d->f.family && default_rules[i].family != d->f.family)
		return 0;
	return rule_put(w, h, &default_rules[i]) ?: 1;
}

/* The default rules; no change messages (the model holds no rules). */
static const struct nlmsg_object rule_object = {
	.new_type = RTM_NEWRULE,
	.dump_one = rule_dump_one,
};

/* ------------------------------------------------------------------ */
/* The host's rules, through the view                                  */

/* Interface name attribute @type of a rule names an interface in view, or
 * none the host has (@detached: the kernel flags such a rule). */
static bool rule_ifname_visible(const struct netstate_snapshot *s,
				const uint8_t *m, size_t len, uint16_t type,
				bool detached)
{
	char name[IFNAMSIZ];
	size_t alen = 0;
	const uint8_t *p = nlmsg_attr_find(m, len, NLMSG_HDRLEN +
					    NLMSG_ALIGN(sizeof(struct fib_rule_hdr)),
					    type, &alen);

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
			 const struct nlmsg_host_want *want, const uint8_t *m,
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

static const struct nlmsg_host_want want_rule = {
	RTM_NEWRULE, sizeof(struct fib_rule_hdr), 0, rule_visible,
};

/* ------------------------------------------------------------------ */
/* Requests                                                            */

/**
 * rule_dump_check() - fib_valid_dumprule_req()
 * @q: the request (strict checking on)
 *
 * Return: 0 or -EINVAL, with the extended ack set.
 */
static int rule_dump_check(struct nlmsg_req *q)
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

/**
 * nlmsg_rule_dump() - RTM_GETRULE dump (fib_nl_dumprule())
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
struct nlmsg_dump *nlmsg_rule_dump(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	struct nlmsg_dump *d = nlr_req_dump(q, &rule_object, true);
	int r = q->o->strict_chk ? rule_dump_check(q) : 0;

	d->f.family = family;
	if (r < 0) {
		nlr_dump_fail(d, q, r);
	} else if (q->host_query) {
		nlr_host_dump(q, d, &want_rule);
	} else if (family && family != AF_INET && family != AF_INET6 &&
		   family != RTNL_FAMILY_IPMR && family != RTNL_FAMILY_IP6MR) {
		d->obj = NULL;
	}
	return d;
}
