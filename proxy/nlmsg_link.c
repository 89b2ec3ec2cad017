// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_link.c - links: RTM_GETLINK requests, the link dump filter and RTM_NEWLINK/DELLINK messages */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "nlmsg_req.h"

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

/* ------------------------------------------------------------------ */
/* Encoder (rtnl_fill_ifinfo(): its attribute order, checked against 6.18) */

static void link_stats32(const struct rtnl_link_stats64 *s,
			 struct rtnl_link_stats *o)
{
	o->rx_packets = (uint32_t)s->rx_packets;
	o->tx_packets = (uint32_t)s->tx_packets;
	o->rx_bytes = (uint32_t)s->rx_bytes;
	o->tx_bytes = (uint32_t)s->tx_bytes;
	o->rx_errors = (uint32_t)s->rx_errors;
	o->tx_errors = (uint32_t)s->tx_errors;
	o->rx_dropped = (uint32_t)s->rx_dropped;
	o->tx_dropped = (uint32_t)s->tx_dropped;
	o->multicast = (uint32_t)s->multicast;
	o->collisions = (uint32_t)s->collisions;
	o->rx_length_errors = (uint32_t)s->rx_length_errors;
	o->rx_over_errors = (uint32_t)s->rx_over_errors;
	o->rx_crc_errors = (uint32_t)s->rx_crc_errors;
	o->rx_frame_errors = (uint32_t)s->rx_frame_errors;
	o->rx_fifo_errors = (uint32_t)s->rx_fifo_errors;
	o->rx_missed_errors = (uint32_t)s->rx_missed_errors;
	o->tx_aborted_errors = (uint32_t)s->tx_aborted_errors;
	o->tx_carrier_errors = (uint32_t)s->tx_carrier_errors;
	o->tx_fifo_errors = (uint32_t)s->tx_fifo_errors;
	o->tx_heartbeat_errors = (uint32_t)s->tx_heartbeat_errors;
	o->tx_window_errors = (uint32_t)s->tx_window_errors;
	o->rx_compressed = (uint32_t)s->rx_compressed;
	o->tx_compressed = (uint32_t)s->tx_compressed;
	o->rx_nohandler = (uint32_t)s->rx_nohandler;
}

/* The attributes of rtnl_fill_ifinfo() up to IFLA_CARRIER_CHANGES. */
static void link_put_scalars(struct nlw *w, const struct ns_link *l)
{
	nlw_str(w, IFLA_IFNAME, l->name);
	nlw_u32(w, IFLA_TXQLEN, l->txqlen);
	nlw_u8(w, IFLA_OPERSTATE, l->operstate);
	nlw_u8(w, IFLA_LINKMODE, l->linkmode);
	nlw_u32(w, IFLA_MTU, l->mtu);
	if (l->min_mtu || l->max_mtu) {
		nlw_u32(w, IFLA_MIN_MTU, l->min_mtu);
		nlw_u32(w, IFLA_MAX_MTU, l->max_mtu);
	}
	nlw_u32(w, IFLA_GROUP, l->group);
	nlw_u32(w, IFLA_PROMISCUITY, l->promiscuity);
	nlw_u32(w, IFLA_NUM_TX_QUEUES, l->num_tx_queues);
	nlw_u32(w, IFLA_GSO_MAX_SEGS, l->gso_max_segs);
	nlw_u32(w, IFLA_GSO_MAX_SIZE, l->gso_max_size);
	nlw_u32(w, IFLA_NUM_RX_QUEUES, l->num_rx_queues);
	if (l->master)
		nlw_u32(w, IFLA_MASTER, (uint32_t)l->master);
	nlw_u8(w, IFLA_CARRIER, l->carrier);
	nlw_u32(w, IFLA_CARRIER_CHANGES, l->carrier_changes);
}

/*
 * Whether the kernel reports IFLA_LINK for every interface of this kind:
 * the kinds with an ndo_get_iflink, which may say 0 (a veth without its
 * peer, a tunnel bound to no device: `ip` prints "@NONE"). The model
 * keeps IFLA_LINK 0 as "none" (iflink == ifindex), which for these kinds
 * can only mean 0: their link is never themselves; unless the link is in
 * another namespace (IFLA_LINK_NETNSID), where the same number may be a
 * peer's, and the kernel then omits IFLA_LINK as the model did.
 */
static bool link_kind_has_iflink(const char *kind)
{
	static const char *const kinds[] = {
		"veth", "vlan", "macvlan", "macvtap", "ipvlan", "ipvtap",
		"gre", "gretap", "ip6gre", "ip6gretap", "erspan", "ip6erspan",
		"ipip", "sit", "ip6tnl", "vti", "vti6", "xfrm", "netkit",
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (strncmp(kind, kinds[i], sizeof(((struct ns_link *)0)->kind)) == 0)
			return true;
	return false;
}

/**
 * link_put() - RTM_NEWLINK / RTM_DELLINK for one interface
 * @w: writer
 * @h: header fields
 * @l: the interface
 * @event: IFLA_EVENT_* of a notification (0: none, as in dumps)
 *
 * Return: 0 or -EMSGSIZE (nothing written then).
 */
static int link_put(struct nlw *w, const struct nlw_hdr *h,
		    const struct ns_link *l, uint32_t event)
{
	struct ifinfomsg ifm = {
		.ifi_family = AF_UNSPEC,
		.ifi_type = l->type,
		.ifi_index = l->ifindex,
		.ifi_flags = l->flags,
	};
	struct rtnl_link_stats s32 = { 0 };
	size_t start = nlw_begin(w, h, &ifm, sizeof(ifm)), nest;
	size_t alen = MIN((size_t)l->addr_len, sizeof(l->addr));

	link_put_scalars(w, l);
	if (event)
		nlw_u32(w, IFLA_EVENT, event);
	if (alen) {
		nlw_attr(w, IFLA_ADDRESS, l->addr, alen);
		nlw_attr(w, IFLA_BROADCAST, l->broadcast, alen);
	}
	nlw_attr(w, IFLA_STATS64, &l->stats, sizeof(l->stats));
	link_stats32(&l->stats, &s32);
	nlw_attr(w, IFLA_STATS, &s32, sizeof(s32));
	if (l->kind[0]) {
		char kind[sizeof(l->kind) + 1] = { 0 };

		memcpy(kind, l->kind, sizeof(l->kind));
		nest = nlw_nest(w, IFLA_LINKINFO);
		nlw_str(w, IFLA_INFO_KIND, kind);
		nlw_nest_end(w, nest);
	}
	if (l->link_netnsid >= 0)
		nlw_u32(w, IFLA_LINK_NETNSID, (uint32_t)l->link_netnsid);
	if (l->iflink && l->iflink != l->ifindex)
		nlw_u32(w, IFLA_LINK, (uint32_t)l->iflink);
	else if (l->link_netnsid < 0 && link_kind_has_iflink(l->kind))
		nlw_u32(w, IFLA_LINK, 0);
	if (l->qdisc[0]) {
		char q[sizeof(l->qdisc) + 1] = { 0 };

		memcpy(q, l->qdisc, sizeof(l->qdisc));
		nlw_str(w, IFLA_QDISC, q);
	}
	return nlw_end(w, start);
}

/* ------------------------------------------------------------------ */
/* Dumps and changes                                                   */

static bool link_selected(const struct nlmsg_dump *d, const struct ns_link *l)
{
	if (d->f.master && l->master != d->f.master)
		return false;
	if (d->f.kind[0] && strncmp(l->kind, d->f.kind, sizeof(l->kind)) != 0)
		return false;
	return true;
}

/* nlmsg_object.dump_one of links: interface @i of the snapshot */
static int link_dump_one(struct nlmsg_dump *d, size_t i, struct nlw *w,
			 const struct nlw_hdr *h)
{
	const struct netstate_snapshot *s = d->snap;

	if (i >= s->links->n)
		return -ENOENT;
	if (!link_selected(d, &s->links->v[i]))
		return 0;
	return link_put(w, h, &s->links->v[i], 0) ?: 1;
}

/*
 * nlmsg_object.put_change of links. A new state carries the kernel's
 * IFLA_EVENT ("event FEATURE CHANGE"), if its message did. A deletion is
 * the interface's last
 * state as unregister_netdevice_many() reports it: the qdisc already
 * shut down (noop), upper devices already unlinked by NETDEV_UNREGISTER
 * (no master), and a veth's peer pointers already cleared by
 * veth_dellink() (IFLA_LINK 0, `ip` prints "@NONE"; no link netns).
 */
static int link_put_change(struct nlw *w, const struct nlw_hdr *h,
			   const struct ns_change *c)
{
	struct ns_link l;

	if (!c->deleted)
		return link_put(w, h, &c->u.link, c->event);
	l = c->u.link;
	memset(l.qdisc, 0, sizeof(l.qdisc));
	memcpy(l.qdisc, "noop", 4);
	l.master = 0;
	if (strncmp(l.kind, "veth", sizeof(l.kind)) == 0) {
		l.iflink = l.ifindex; /* IFLA_LINK 0 */
		l.link_netnsid = -1;
	}
	return link_put(w, h, &l, 0);
}

/* nlmsg_object.change_groups of links */
static uint64_t link_change_groups(const struct ns_change *c)
{
	(void)c;
	return UINT64_C(1) << (RTNLGRP_LINK - 1);
}

const struct nlmsg_object nlmsg_link_object = {
	.new_type = RTM_NEWLINK,
	.del_type = RTM_DELLINK,
	.dump_one = link_dump_one,
	.put_change = link_put_change,
	.change_groups = link_change_groups,
};

/* ------------------------------------------------------------------ */
/* Requests                                                            */

/* Emit the RTM_NEWLINK of @l into a buffer of its own. */
static int link_emit(struct nlmsg_req *q, const struct ns_link *l)
{
	uint8_t buf[4096];
	struct nlw w = { .p = buf, .room = sizeof(buf) };
	struct nlw_hdr h = {
		.type = RTM_NEWLINK,
		.seq = q->h.nlmsg_seq,
		.pid = q->o->portid,
	};
	int r = link_put(&w, &h, l, 0);

	return r < 0 ? r : q->emit(q->emit_data, buf, w.len);
}

/**
 * linkinfo_kind() - IFLA_LINKINFO's IFLA_INFO_KIND, if any, into @kind
 * @li: the IFLA_LINKINFO attribute (validated as a nest)
 * @kind: receives the kind, NUL-terminated; untouched when there is none
 * @size: its size
 */
static void linkinfo_kind(const struct nlattr *li, char *kind, size_t size)
{
	const uint8_t *p = (const uint8_t *)li + NLA_HDRLEN, *at;
	size_t len = li->nla_len - NLA_HDRLEN, off = 0;
	struct nlattr a;

	while ((at = nlmsg_attr_next(p, len, &off, &a))) {
		if ((a.nla_type & NLA_TYPE_MASK) == IFLA_INFO_KIND &&
		    a.nla_len > NLA_HDRLEN) {
			size_t n = MIN((size_t)a.nla_len - NLA_HDRLEN,
				       size - 1);

			memcpy(kind, at + NLA_HDRLEN, n);
			kind[n] = '\0';
			return;
		}
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
	size_t hdrlen = q->hdrlen;
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
			nlr_err_attr(q, tb[i], "Invalid target network namespace id");
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

static const struct nlmsg_host_want want_link = {
	RTM_NEWLINK, sizeof(struct ifinfomsg), 0, nlmsg_host_hdr_visible,
};

/* PF_BRIDGE's: a bridge port's state, out of view with its bridge too */
static const struct nlmsg_host_want want_brport = {
	RTM_NEWLINK, sizeof(struct ifinfomsg), IFLA_MASTER,
	nlmsg_host_port_visible,
};

/**
 * nlmsg_link_dump() - RTM_GETLINK dump (rtnl_dump_ifinfo())
 * @q: the request
 *
 * Where there is a host, its kernel's dump through the view (interfaces
 * it hides left out): what the model does not hold - IFLA_AF_SPEC (`ip
 * token`, addrgenmode), the details of `ip -d link` (allmulti, min/max
 * MTU, TSO/GRO limits, a bridge's and its ports' settings), PF_INET6's and
 * PF_BRIDGE's own dumps - is then the kernel's, as are the statistics of
 * the moment. The request is checked here first as a strict socket's is.
 * PF_BRIDGE's (`bridge link`) leaves out the ports of a hidden bridge
 * too, as their events are.
 *
 * Return: the dump (a failed check fails it, NLMSG_DONE carries the error).
 */
struct nlmsg_dump *nlmsg_link_dump(struct nlmsg_req *q)
{
	uint8_t family = nlr_req_family(q);
	struct nlmsg_dump *d;
	int r;

	/* PF_INET6 and PF_BRIDGE have dump functions of their own
	 * (inet6_dump_ifinfo, rtnl_bridge_getlink) describing state the
	 * model does not hold. */
	if (family == AF_INET6 || family == AF_BRIDGE) {
		/* rtnl_bridge_getlink() returns what it filled: NLMSG_DONE
		 * comes from the next call, in a datagram of its own */
		d = nlr_req_dump(q, NULL, family == AF_INET6);
		if (q->host_query)
			nlr_host_dump(q, d, family == AF_BRIDGE ? &want_brport :
							       &want_link);
		return d;
	}
	d = nlr_req_dump(q, &nlmsg_link_object, false);
	r = link_dump_check(q, d);
	if (r < 0)
		nlr_dump_fail(d, q, r);
	else if (q->host_query)
		nlr_host_dump(q, d, &want_link);
	return d;
}

/**
 * nlmsg_link_get() - rtnl_getlink(): one interface by index or name
 * @q: a RTM_GETLINK request without NLM_F_DUMP
 *
 * Return: 0 (the link emitted), -ENODEV, or -EINVAL with the extended ack.
 */
int nlmsg_link_get(struct nlmsg_req *q)
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
	r = nlr_attr_parse(q, q->hdrlen, ifla_pol, IFLA_MAX, tb,
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
		nlr_attr_str(tb[IFLA_ALT_IFNAME] ? tb[IFLA_ALT_IFNAME] :
						   tb[IFLA_IFNAME],
			     name, sizeof(name));
		l = ns_link_by_name(q->snap, name);
	} else {
		return -EINVAL;
	}
	if (!l)
		return -ENODEV;
	return q->host_query ? nlr_host_get(q, &want_link) : link_emit(q, l);
}
