// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_netconf.c - per-device IP configuration: RTM_GETNETCONF asked of the host kernel, through the view */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include "nlmsg_req.h"

/*
 * The model holds no forwarding or rp_filter settings: every answer is the
 * host kernel's (nlmsg_host.c), minus interfaces out of view.
 */

static const struct nlpol netconf_pol[NETCONFA_MAX + 1] = {
	[NETCONFA_IFINDEX] = { POL_U32, 0 },
};

static const struct nlmsg_host_want want_netconf = {
	RTM_NEWNETCONF, sizeof(struct netconfmsg), NETCONFA_IFINDEX,
	nlmsg_host_ifindex_visible,
};

/**
 * nlmsg_netconf_get() - RTM_GETNETCONF without NLM_F_DUMP, from the host
 * @q: the request
 *
 * Return: 0 (the answer emitted), -ENODEV for an interface out of view,
 * or the host's error.
 */
int nlmsg_netconf_get(struct nlmsg_req *q)
{
	const struct nlattr *tb[NETCONFA_MAX + 1];
	g_autoptr(GPtrArray) msgs = NULL;
	unsigned int fl = 0;
	int r;

	if (!q->host_query)
		return -EOPNOTSUPP;
	r = nlr_attr_parse(q, q->hdrlen, netconf_pol, NETCONFA_MAX, tb,
			   q->o->strict_chk);
	if (r < 0)
		return r;
	if (tb[NETCONFA_IFINDEX] &&
	    !nlmsg_ifindex_visible(q->snap,
				   (int)nlr_attr_u32(tb[NETCONFA_IFINDEX])))
		return -ENODEV;
	r = nlr_host_collect(q, &want_netconf, &msgs, &fl);
	if (r < 0)
		return r;
	if ((fl & NLMSG_HOST_HIDDEN) || !msgs->len)
		return -ENODEV;
	return nlr_host_emit(q, msgs->pdata[0]);
}

/**
 * nlmsg_netconf_dump() - RTM_GETNETCONF dump: the host's, interfaces out of
 * view removed; nothing without a host (no host_query)
 * @q: the request
 *
 * Return: the dump.
 */
struct nlmsg_dump *nlmsg_netconf_dump(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	struct nlmsg_dump *d = nlr_req_dump(q, NULL, family == AF_INET ||
						      family == AF_INET6);

	if (q->host_query)
		nlr_host_dump(q, d, &want_netconf);
	return d;
}
