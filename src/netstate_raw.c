// SPDX-License-Identifier: LGPL-2.1-or-later
/* netstate_raw.c - the model's notifications seen as they come, before libnl's caches take them */
/*
 * libnl's cache manager reports the changes of objects its caches hold,
 * once they hold them. Some notifications name objects they do not hold,
 * or cannot hold apart: a route libnl merges with another (fe80::/64 on
 * two links), a tentative address's deletion, a NOARP neighbour, rules,
 * netconf, a bridge port's state and the bridges' FDB (AF_BRIDGE link and
 * neighbour messages). netstate_on_msg() sees every message on the manager's
 * socket first (NL_CB_MSG_IN) and records what the caches will not
 * report, in the kernel's order, into the same change list
 * (netstate_change_push()) the cache callbacks of netstate.c fill.
 */
#include "config.h"

#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
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

/* The u32 attribute @type of @m (after a family header of @hdrlen), an
 * interface index or IFLA_EVENT; 0 when there is none. */
static int netstate_msg_u32_attr(const struct nlmsghdr *m, size_t hdrlen,
				 int type)
{
	const struct nlattr *a = nlmsg_find_attr((struct nlmsghdr *)m,
						 (int)hdrlen, type);

	return a && nla_len(a) >= 4 ? (int)nla_get_u32((struct nlattr *)a) : 0;
}

/**
 * netstate_hostmsg_ifindexes() - the interfaces a host notification names
 * @m: a rule, netconf, AF_BRIDGE link or AF_BRIDGE neighbour message
 * @ret_idx: the indexes (0 or less: none), three at most
 *
 * A netconf message names its interface (NETCONFA_IFINDEX); a bridge
 * port's link message the port (ifi_index) and its bridge (IFLA_MASTER);
 * an FDB entry its device (ndm_ifindex), bridge (NDA_MASTER) and, for a
 * vxlan remote, the device it is reached through (NDA_IFINDEX). Rules
 * name interfaces by name only (netstate_rule_hides()).
 *
 * Return: false when @m is too short for its family header.
 */
static bool netstate_hostmsg_ifindexes(const struct nlmsghdr *m,
				       int ret_idx[3])
{
	ret_idx[0] = ret_idx[1] = ret_idx[2] = 0;
	switch (m->nlmsg_type) {
	case RTM_NEWNETCONF:
	case RTM_DELNETCONF:
		return netstate_netconf_ifindex(m, &ret_idx[0]);
	case RTM_NEWLINK:
	case RTM_DELLINK:
		if (m->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
			return false;
		ret_idx[0] = ((const struct ifinfomsg *)nlmsg_data(m))->ifi_index;
		ret_idx[1] = netstate_msg_u32_attr(m, sizeof(struct ifinfomsg),
						     IFLA_MASTER);
		return true;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		if (m->nlmsg_len < NLMSG_LENGTH(sizeof(struct ndmsg)))
			return false;
		ret_idx[0] = ((const struct ndmsg *)nlmsg_data(m))->ndm_ifindex;
		ret_idx[1] = netstate_msg_u32_attr(m, sizeof(struct ndmsg),
						     NDA_MASTER);
		ret_idx[2] = netstate_msg_u32_attr(m, sizeof(struct ndmsg),
						     NDA_IFINDEX);
		return true;
	default:
		return true;
	}
}

/* Whether the link cache holds interface @ifindex (as a device). */
static bool netstate_link_known(struct netstate *ns, int ifindex)
{
	struct rtnl_link *l = rtnl_link_get(ns->c_link, ifindex);

	if (!l)
		return false;
	rtnl_link_put(l);
	return true;
}

/**
 * netstate_ifindex_hides() - whether interface @ifindex is out of view
 * for a notification naming it
 * @ns: model
 * @ifindex: the index (0 or less: none, in view)
 * @created: the notification announces something new (RTM_NEW*)
 *
 * A link the cache holds is hidden as @hidden says (also one deleted: it
 * stays there). Some notifications come before the RTM_NEWLINK of the
 * link they name (a new link's netconf, a new bridge's own FDB entry):
 * such a link's name is asked of the kernel. One already gone again
 * (moved away, deleted) cannot be named: it may have been a hidden one,
 * so what it announces stays out; what it takes away (RTM_DEL*) is of a
 * link the view showed or never knew.
 *
 * Return: true when out of view.
 */
static bool netstate_ifindex_hides(struct netstate *ns, int ifindex,
				   bool created)
{
	char name[IFNAMSIZ];

	if (ifindex <= 0)
		return false;
	if (g_hash_table_contains(ns->hidden, GINT_TO_POINTER(ifindex)))
		return true;
	if (netstate_link_known(ns, ifindex))
		return false;
	if (!if_indextoname((unsigned int)ifindex, name))
		return created;
	return view_policy_hides(&ns->policy, name);
}

/* Whether a host notification is out of view: a rule naming a hidden
 * interface (iif, oif), as the rule dumps leave such rules out, or a
 * message naming a hidden interface's index. */
static bool netstate_hostmsg_hides(struct netstate *ns,
				   const struct nlmsghdr *m)
{
	bool created = m->nlmsg_type == RTM_NEWNETCONF ||
		       m->nlmsg_type == RTM_NEWLINK ||
		       m->nlmsg_type == RTM_NEWNEIGH;
	int idx[3];

	if (m->nlmsg_type == RTM_NEWRULE || m->nlmsg_type == RTM_DELRULE)
		return netstate_rule_hides(ns, m);
	if (!netstate_hostmsg_ifindexes(m, idx))
		return true;
	return netstate_ifindex_hides(ns, idx[0], created) ||
	       netstate_ifindex_hides(ns, idx[1], created) ||
	       netstate_ifindex_hides(ns, idx[2], created);
}

/*
 * A notification of what the model keeps no table of (rules, netconf, a
 * bridge port's state, the bridges' FDB: dumps ask the host,
 * proxy/nlmsg_host.c): the kernel's message is the event, as sent, unless
 * it names an interface out of view. A message
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
				 m->nlmsg_type == RTM_DELNETCONF ||
				 m->nlmsg_type == RTM_DELLINK ||
				 m->nlmsg_type == RTM_DELNEIGH);
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
 * netstate_raw_awaits_link() - whether a recorded host notification names
 * a link the model does not hold yet but the host has
 * @ns: model
 *
 * The kernel announces a new link's netconf, and a new bridge's own FDB
 * entry, before the link itself; the link's RTM_NEWLINK is then on its
 * way (netstate_await_link() waits for it: a reader asking about the
 * interface the event names must find it). A link gone again meanwhile
 * (deleted, moved to another namespace) is not waited for.
 *
 * Return: true when such a link's message is still to come.
 */
bool netstate_raw_awaits_link(struct netstate *ns)
{
	char name[IFNAMSIZ];
	guint i, j;

	if (!ns->raw_changes)
		return false;
	/* each change is looked at once per event, but the one awaited */
	for (i = MIN(ns->await_from, ns->changes->len); i < ns->changes->len;
	     i++) {
		const struct ns_change *c =
			&g_array_index(ns->changes, struct ns_change, i);
		int idx[3];

		/* what a deletion names was there before, or never known */
		if (c->kind != NS_CHANGE_HOSTMSG || c->deleted ||
		    !netstate_hostmsg_ifindexes(
			    (const struct nlmsghdr *)c->u.hostmsg.msg, idx))
			continue;
		for (j = 0; j < G_N_ELEMENTS(idx); j++)
			if (idx[j] > 0 && !netstate_link_known(ns, idx[j]) &&
			    if_indextoname((unsigned int)idx[j], name)) {
				ns->await_from = i;
				return true;
			}
	}
	ns->await_from = ns->changes->len;
	return false;
}

/* The address family of a message's family header (its first byte),
 * AF_UNSPEC when it has none. */
static int netstate_msg_family(const struct nlmsghdr *m)
{
	if (m->nlmsg_len < NLMSG_LENGTH(1))
		return AF_UNSPEC;
	return *(const uint8_t *)nlmsg_data(m);
}

/**
 * netstate_raw_link_claim() - the cache reports a device's change: was it
 * the RTM_NEWLINK just read?
 * @ns: model
 * @ifindex: the device libnl reports
 *
 * Return: that message's IFLA_EVENT (0 for none) when it was, the
 * message then reported; else 0.
 */
uint32_t netstate_raw_link_claim(struct netstate *ns, int ifindex)
{
	uint32_t event = ns->raw_link_event;

	if (!ns->raw_link || ns->raw_link != ifindex)
		return 0;
	ns->raw_link = 0;
	ns->raw_link_event = 0;
	return event;
}

/* The device @ifindex as the link cache holds it (AF_UNSPEC, or AF_BRIDGE
 * for a bridge: nsb_link_is_device()), not a port's AF_BRIDGE object;
 * NULL when it holds none. */
static struct rtnl_link *netstate_device_get(struct netstate *ns, int ifindex)
{
	static const int families[] = { AF_UNSPEC, AF_BRIDGE };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(families); i++) {
		struct rtnl_link *key = rtnl_link_alloc();
		struct nl_object *o;

		if (!key)
			return NULL;
		rtnl_link_set_ifindex(key, ifindex);
		rtnl_link_set_family(key, families[i]);
		o = nl_cache_search(ns->c_link, (struct nl_object *)key);
		rtnl_link_put(key);
		if (o && nsb_link_is_device((struct rtnl_link *)o))
			return (struct rtnl_link *)o;
		if (o)
			nl_object_put(o);
	}
	return NULL;
}

/**
 * netstate_raw_link_settle() - an RTM_NEWLINK the cache did not report
 * @ns: model
 *
 * libnl reports a link message only when the link differs from what its
 * cache holds; the kernel also sends one equal to the one before (a
 * second notification of the same change) or differing only in what
 * libnl does not parse (IFLA_EVENT: "event FEATURE CHANGE" when a
 * bridge's features follow a new port). Such a message is recorded as
 * the kernel sent it, at its place: this runs before the next message is
 * looked at and after the last one of a read, when the cache holds what
 * the message said (libnl replaces its object with the message's, equal
 * or not). A hidden device's stays out.
 */
void netstate_raw_link_settle(struct netstate *ns)
{
	int ifindex = ns->raw_link;
	struct rtnl_link *l;
	const char *name;
	struct ns_change *c;

	if (!ifindex)
		return;
	ns->raw_link = 0;
	l = g_hash_table_contains(ns->hidden, GINT_TO_POINTER(ifindex)) ?
	    NULL : netstate_device_get(ns, ifindex);
	name = l ? rtnl_link_get_name(l) : NULL;
	if (l && !(name && view_policy_hides(&ns->policy, name))) {
		c = netstate_change_push(ns, NS_CHANGE_LINK, false);
		if (c) {
			nsb_link_from_nl(l, &c->u.link);
			c->event = ns->raw_link_event;
			ns->raw_changes = true;
		}
	}
	ns->raw_link_event = 0;
	if (l)
		rtnl_link_put(l);
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

	netstate_raw_link_settle(ns); /* the message before: reported? */
	switch (type) {
	case RTM_NEWLINK:
		if (netstate_msg_family(nlmsg_hdr(msg)) == AF_UNSPEC &&
		    nlmsg_hdr(msg)->nlmsg_len >=
			    NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
			/* the device's: noted until the cache has taken it */
			ns->raw_link = ((const struct ifinfomsg *)nlmsg_data(
						nlmsg_hdr(msg)))->ifi_index;
			ns->raw_link_event = (uint32_t)netstate_msg_u32_attr(
				nlmsg_hdr(msg), sizeof(struct ifinfomsg),
				IFLA_EVENT);
			break;
		}
		/* fall through */
	case RTM_DELLINK:
		/* a bridge port's state: no table holds it */
		if (netstate_msg_family(nlmsg_hdr(msg)) == AF_BRIDGE)
			netstate_raw_hostmsg(ns, nlmsg_hdr(msg));
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		/* an FDB entry: no table holds it either */
		if (netstate_msg_family(nlmsg_hdr(msg)) == AF_BRIDGE) {
			netstate_raw_hostmsg(ns, nlmsg_hdr(msg));
			break;
		}
		ns->raw_type = type;
		(void)nl_msg_parse(msg, netstate_on_parsed, ns);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
	case RTM_DELADDR:
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
