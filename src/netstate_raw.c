// SPDX-License-Identifier: LGPL-2.1-or-later
/* netstate_raw.c - the model's notifications seen as they come, before libnl's caches take them */
/*
 * libnl's cache manager reports the changes of objects its caches hold,
 * once they hold them. Some notifications name objects they do not hold,
 * or cannot hold apart: a route libnl merges with another (fe80::/64 on
 * two links), a tentative address's deletion, a NOARP neighbour, rules
 * and netconf. netstate_on_msg() sees every message on the manager's
 * socket first (NL_CB_MSG_IN) and records what the caches will not
 * report, in the kernel's order, into the same change list
 * (netstate_change_push()) the cache callbacks of netstate.c fill.
 */
#include "config.h"

#include <string.h>
#include <net/if.h>
#include <linux/fib_rules.h>
#include <linux/netconf.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

#include "netstate_int.h"

/*
 * A route notification, parsed: where the kernel's notification for its
 * destination came among the changes (netstate_route_changes()). Every
 * notification counts, also those libnl's cache merges with another
 * route (fe80::/64 on two links) and so reports to no callback.
 */
static void netstate_raw_route(struct netstate *ns, struct rtnl_route *r)
{
	struct ns_route_key k;

	ns->dirty |= NETSTATE_ROUTES;
	if (ns->route_order->len >= NETSTATE_CHANGES_MAX ||
	    !nsb_route_key_from_nl(r, &k))
		return;
	k.pos = ns->changes->len;
	k.deleted = ns->raw_type == RTM_DELROUTE;
	k.flags = rtnl_route_get_flags(r);
	if (rtnl_route_get_nnexthops(r) > 0)
		k.nh_flags = (uint32_t)rtnl_route_nh_get_flags(
			rtnl_route_nexthop_n(r, 0));
	g_array_append_val(ns->route_order, k);
}

/*
 * An address deletion the cache cannot report: the kernel announces the
 * deletion of a tentative link-local address it never announced (its
 * RTM_NEWADDR comes only after DAD), so libnl finds nothing to delete.
 */
static void netstate_raw_deladdr(struct netstate *ns, struct rtnl_addr *a)
{
	struct nl_object *known = nl_cache_search(ns->c_addr,
						  (struct nl_object *)a);
	struct ns_change *c;

	if (known) {
		nl_object_put(known); /* libnl reports it */
		return;
	}
	ns->dirty |= NETSTATE_ADDRS;
	c = netstate_change_push(ns, NS_CHANGE_ADDR, true);
	if (c && !nsb_addr_from_nl(a, ns->hidden, &c->u.addr))
		netstate_change_pop(ns);
}

/*
 * A NOARP neighbour's notification: the kernel makes such entries for
 * multicast and broadcast destinations without a word, but announces one
 * added by hand and every one deleted with its link. The model's table
 * leaves them out (nsb_neigh_from_nl()), libnl's cache has them only
 * after a dump: the event is recorded here, never by the cache.
 */
static void netstate_raw_neigh(struct netstate *ns, struct rtnl_neigh *n,
			       bool deleted)
{
	struct nl_object *known;
	struct ns_change *c;

	if (rtnl_neigh_get_state(n) != NUD_NOARP)
		return;
	/* an entry the cache holds in another state (a valid one the kernel
	 * marks NOARP as it flushes a link) is the cache's to report */
	known = nl_cache_search(ns->c_neigh, (struct nl_object *)n);
	if (known) {
		bool other = rtnl_neigh_get_state((struct rtnl_neigh *)known) !=
			     NUD_NOARP;

		nl_object_put(known);
		if (other)
			return;
	}
	ns->dirty |= NETSTATE_NEIGHS;
	c = netstate_change_push(ns, NS_CHANGE_NEIGH, deleted);
	if (c && !nsb_neigh_from_nl(n, ns->hidden, true, &c->u.neigh))
		netstate_change_pop(ns);
	else if (c)
		ns->raw_changes = true;
}

/* The interface name in @m's attribute @type (an rtattr after @hdrlen),
 * copied into @name (IFNAMSIZ); false when there is none. */
static bool netstate_msg_ifname(const struct nlmsghdr *m, size_t hdrlen,
				uint16_t type, char *name)
{
	const struct nlattr *a;
	int rem;

	nla_for_each_attr(a, (struct nlattr *)((char *)nlmsg_data(m) +
					       NLMSG_ALIGN(hdrlen)),
			  (int)m->nlmsg_len - (int)NLMSG_HDRLEN -
				  (int)NLMSG_ALIGN(hdrlen), rem) {
		if (nla_type(a) != type)
			continue;
		nla_strlcpy(name, a, IFNAMSIZ);
		return true;
	}
	return false;
}

/* Whether a rule notification is out of view: it names a hidden
 * interface (iif, oif), as the rule dumps leave such rules out. */
static bool netstate_rule_hides(struct netstate *ns, const struct nlmsghdr *m)
{
	char name[IFNAMSIZ];

	if (m->nlmsg_len < NLMSG_LENGTH(sizeof(struct fib_rule_hdr)))
		return true;
	return (netstate_msg_ifname(m, sizeof(struct fib_rule_hdr),
				    FRA_IIFNAME, name) &&
		view_policy_hides(&ns->policy, name)) ||
	       (netstate_msg_ifname(m, sizeof(struct fib_rule_hdr),
				    FRA_OIFNAME, name) &&
		view_policy_hides(&ns->policy, name));
}

/* The interface a netconf message is about, into @ifindex: 0 for none,
 * NETCONFA_IFINDEX_ALL or _DEFAULT (negative). False when malformed. */
static bool netstate_netconf_ifindex(const struct nlmsghdr *m, int *ifindex)
{
	struct nlattr *tb[NETCONFA_MAX + 1];

	*ifindex = 0;
	if (nlmsg_parse((struct nlmsghdr *)m, sizeof(struct netconfmsg), tb,
			NETCONFA_MAX, NULL) < 0)
		return false;
	if (tb[NETCONFA_IFINDEX] && nla_len(tb[NETCONFA_IFINDEX]) >= 4)
		*ifindex = (int)nla_get_u32(tb[NETCONFA_IFINDEX]);
	return true;
}

/* Whether a netconf notification is out of view: it is a hidden
 * interface's (NETCONFA_IFINDEX_ALL and _DEFAULT are not). */
static bool netstate_netconf_hides(struct netstate *ns,
				   const struct nlmsghdr *m)
{
	char name[IFNAMSIZ];
	int ifindex;

	if (!netstate_netconf_ifindex(m, &ifindex))
		return true;
	if (ifindex <= 0)
		return false;
	/* a new link's netconf comes before its RTM_NEWLINK: not in @hidden
	 * yet, so its name is asked (a deleted one's is not there any more,
	 * but stays in @hidden) */
	if (g_hash_table_contains(ns->hidden, GINT_TO_POINTER(ifindex)))
		return true;
	/* a new link already gone again (moved away, deleted) cannot be
	 * named: it may have been a hidden one, so its netconf stays out */
	if (!if_indextoname((unsigned int)ifindex, name))
		return m->nlmsg_type == RTM_NEWNETCONF;
	return view_policy_hides(&ns->policy, name);
}

/* Whether a rule or netconf notification is out of view. */
static bool netstate_hostmsg_hides(struct netstate *ns,
				   const struct nlmsghdr *m)
{
	if (m->nlmsg_type == RTM_NEWRULE || m->nlmsg_type == RTM_DELRULE)
		return netstate_rule_hides(ns, m);
	return netstate_netconf_hides(ns, m);
}

/*
 * A rule or netconf notification: the model keeps no table of either
 * (dumps ask the host, proxy/nlmsg_host.c), so the kernel's message is the
 * event, as sent, unless it names an interface out of view. A message
 * longer than NS_HOSTMSG_MAX, or one past NETSTATE_HOSTMSG_BYTES_MAX held
 * for the event, is dropped and readers told (changes_lost: ENOBUFS).
 */
static void netstate_raw_hostmsg(struct netstate *ns, const struct nlmsghdr *m)
{
	struct ns_change *c;
	uint8_t *copy;

	if (netstate_hostmsg_hides(ns, m))
		return;
	if (m->nlmsg_len > NS_HOSTMSG_MAX ||
	    m->nlmsg_len > NETSTATE_HOSTMSG_BYTES_MAX - ns->hostmsg_bytes) {
		ns->changes_lost = true; /* readers are told (ENOBUFS) */
		return;
	}
	c = netstate_change_push(ns, NS_CHANGE_HOSTMSG,
				 m->nlmsg_type == RTM_DELRULE ||
				 m->nlmsg_type == RTM_DELNETCONF);
	if (!c)
		return;
	copy = g_memdup2(m, m->nlmsg_len);
	g_ptr_array_add(ns->hostmsgs, copy);
	ns->hostmsg_bytes += m->nlmsg_len;
	c->u.hostmsg.len = m->nlmsg_len;
	c->u.hostmsg.msg = copy;
	ns->raw_changes = true;
}

/**
 * netstate_raw_awaits_link() - whether a recorded netconf notification
 * names a link the model does not hold yet but the host has
 * @ns: model
 *
 * The kernel announces a new link's netconf before the link itself; the
 * link's RTM_NEWLINK is then on its way (netstate_commit() waits for it).
 * A link gone again meanwhile (deleted, moved to another namespace) is
 * not waited for.
 *
 * Return: true when such a link's message is still to come.
 */
bool netstate_raw_awaits_link(struct netstate *ns)
{
	char name[IFNAMSIZ];
	guint i;

	if (!ns->raw_changes)
		return false;
	for (i = 0; i < ns->changes->len; i++) {
		const struct ns_change *c =
			&g_array_index(ns->changes, struct ns_change, i);
		/* the stored copy is not aligned for struct nlmsghdr */
		uint32_t m[NS_HOSTMSG_MAX / sizeof(uint32_t)];
		struct rtnl_link *l;
		int ifindex;

		if (c->kind != NS_CHANGE_HOSTMSG || c->u.hostmsg.len > sizeof(m))
			continue;
		memcpy(m, c->u.hostmsg.msg, c->u.hostmsg.len);
		if (((struct nlmsghdr *)m)->nlmsg_type != RTM_NEWNETCONF ||
		    !netstate_netconf_ifindex((struct nlmsghdr *)m, &ifindex) ||
		    ifindex <= 0)
			continue;
		l = rtnl_link_get(ns->c_link, ifindex);
		if (l) {
			rtnl_link_put(l);
			continue;
		}
		if (if_indextoname((unsigned int)ifindex, name))
			return true;
	}
	return false;
}

/* nl_msg_parse()'s callback for netstate_on_msg(): @data is the model */
static void netstate_on_parsed(struct nl_object *obj, void *data)
{
	struct netstate *ns = data;

	switch (ns->raw_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		netstate_raw_route(ns, (struct rtnl_route *)obj);
		break;
	case RTM_DELADDR:
		netstate_raw_deladdr(ns, (struct rtnl_addr *)obj);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		netstate_raw_neigh(ns, (struct rtnl_neigh *)obj,
				   ns->raw_type == RTM_DELNEIGH);
		break;
	default:
		break;
	}
}

/**
 * netstate_on_msg() - every notification, before libnl applies it
 * @msg: one message the manager's socket received
 * @data: the struct netstate
 *
 * libnl's caches report changes of objects they hold; some notifications
 * name objects they do not or cannot hold apart (see the netstate_raw_*()
 * above). Runs inside nl_cache_mngr_data_ready(), for each message
 * before the cache takes it (NL_CB_MSG_IN), so the caches show the state
 * before it.
 *
 * Return: NL_OK (the cache takes every message).
 */
int netstate_on_msg(struct nl_msg *msg, void *data)
{
	struct netstate *ns = data;
	int type = nlmsg_hdr(msg)->nlmsg_type;

	switch (type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
	case RTM_DELADDR:
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		ns->raw_type = type;
		(void)nl_msg_parse(msg, netstate_on_parsed, ns);
		break;
	case RTM_NEWRULE:
	case RTM_DELRULE:
	case RTM_NEWNETCONF:
	case RTM_DELNETCONF:
		netstate_raw_hostmsg(ns, nlmsg_hdr(msg));
		break;
	default:
		break;
	}
	return NL_OK;
}
