// SPDX-License-Identifier: LGPL-2.1-or-later
/* render_procnet.c - /proc/net/{dev,route,if_inet6,ipv6_route,arp} in the kernel's formats */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if_arp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "netstate.h"
#include "render.h"
#include "util.h"

/*
 * The formats below were checked byte for byte against a 6.18 kernel (see
 * tests/integration/golden-procnet.sh); the source files they mirror are
 * net/core/net-procfs.c, net/ipv4/fib_trie.c, net/ipv6/addrconf.c,
 * net/ipv6/ip6_fib.c and net/ipv4/arp.c.
 *
 * Route flags are ABI values of <linux/route.h> and <linux/ipv6_route.h>;
 * they are spelled out here because those headers clash with glibc's.
 */
#define PN_RTF_UP 0x0001u
#define PN_RTF_GATEWAY 0x0002u
#define PN_RTF_HOST 0x0004u
#define PN_RTF_REJECT 0x0200u
#define PN_RTF_DEFAULT 0x00010000u
#define PN_RTF_ADDRCONF 0x00040000u
#define PN_RTF_ANYCAST 0x00100000u
#define PN_RTF_NONEXTHOP 0x00200000u
#define PN_RTF_EXPIRES 0x00400000u
#define PN_RTF_ROUTEINFO 0x00800000u
#define PN_RTF_LOCAL 0x80000000u
#define PN_RTF_PREF(p) ((uint32_t)((p) & 3u) << 27)

/* IPV6_ADDR_* scope bits of the kernel (include/net/ipv6.h) */
#define PN_IPV6_ADDR_LOOPBACK 0x0010u
#define PN_IPV6_ADDR_LINKLOCAL 0x0020u
#define PN_IPV6_ADDR_SITELOCAL 0x0040u
#define PN_IPV6_ADDR_COMPATV4 0x0080u

/* NUD_VALID of the kernel (include/net/neighbour.h) */
#define PN_NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | \
		      NUD_STALE | NUD_DELAY)

/* /proc/net/route rows are padded to this width (seq_setwidth + seq_pad). */
#define ROUTE_ROW_WIDTH 127

/* The kernel's loopback device is always ifindex 1 in a network namespace. */
#define LOOPBACK_IFINDEX 1

static const char *pn_link_name(const struct netstate_snapshot *s, int ifindex)
{
	const struct ns_link *l = ns_link_by_index(s, ifindex);

	return l ? l->name : NULL;
}

static uint32_t pn_route_metric(const struct ns_route *r, unsigned int rtax)
{
	if (rtax >= ELEMENTSOF(r->metrics) || !(r->metrics_mask & (1u << rtax)))
		return 0;
	return r->metrics[rtax];
}

static const struct ns_nexthop *pn_route_nh(const struct netstate_snapshot *s,
					    const struct ns_route *r,
					    guint i)
{
	if (i >= r->nh_count || r->nh_first + i >= s->routes->n_nh)
		return NULL;
	return &s->routes->nh[r->nh_first + i];
}

static void pn_hex16(GString *out, const uint8_t a[16])
{
	int i;

	for (i = 0; i < 16; i++)
		g_string_append_printf(out, "%02x", a[i]);
}

/* ------------------------------------------------------------------ dev */

/**
 * render_proc_net_dev() - /proc/net/dev: two header lines, then one line per
 * interface in ifindex order (the kernel walks its ifindex xarray)
 * @s: snapshot; link counters are taken from @s->links
 * @out: appended to
 */
void render_proc_net_dev(const struct netstate_snapshot *s, GString *out)
{
	guint i;

	g_string_append(out,
		"Inter-|   Receive                                                |  Transmit\n"
		" face |bytes    packets errs drop fifo frame compressed multicast|"
		"bytes    packets errs drop fifo colls carrier compressed\n");
	for (i = 0; s->links && i < s->links->n; i++) {
		const struct ns_link *l = &s->links->v[i];
		const struct rtnl_link_stats64 *st = &l->stats;

		g_string_append_printf(out,
			"%6s: %7llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu "
			"%8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu\n",
			l->name,
			(unsigned long long)st->rx_bytes,
			(unsigned long long)st->rx_packets,
			(unsigned long long)st->rx_errors,
			(unsigned long long)(st->rx_dropped + st->rx_missed_errors),
			(unsigned long long)st->rx_fifo_errors,
			(unsigned long long)(st->rx_length_errors +
					     st->rx_over_errors +
					     st->rx_crc_errors +
					     st->rx_frame_errors),
			(unsigned long long)st->rx_compressed,
			(unsigned long long)st->multicast,
			(unsigned long long)st->tx_bytes,
			(unsigned long long)st->tx_packets,
			(unsigned long long)st->tx_errors,
			(unsigned long long)st->tx_dropped,
			(unsigned long long)st->tx_fifo_errors,
			(unsigned long long)st->collisions,
			(unsigned long long)(st->tx_carrier_errors +
					     st->tx_aborted_errors +
					     st->tx_window_errors +
					     st->tx_heartbeat_errors),
			(unsigned long long)st->tx_compressed);
	}
}

/* ---------------------------------------------------------------- route */

struct pn_sort_ctx {
	const struct ns_route *v;
};

/*
 * Order of /proc/net/route and /proc/net/ipv6_route: the kernel's dump
 * order (ns_route_cmp_kernel(): the IPv4 trie's leaves in key order, a
 * post-order walk of each fib6 tree), ties in the snapshot's order, which
 * is insertion order as far as the model knows it.
 */
static int pn_cmp_route(const void *a, const void *b, void *data)
{
	const struct pn_sort_ctx *c = data;
	int r = ns_route_cmp_kernel(&c->v[*(const guint *)a],
				    &c->v[*(const guint *)b]);

	if (r)
		return r;
	return *(const guint *)a < *(const guint *)b ? -1 : 1;
}

/**
 * pn_route4_flags() - the RTF_* flags fib_trie.c shows for an IPv4 route
 * @r: route
 * @nh: its first next hop, or NULL
 *
 * RTF_UP always; RTF_REJECT for unreachable and prohibit (not blackhole);
 * RTF_GATEWAY when the first next hop's gateway word is non-zero (the kernel
 * tests the IPv4 member of the gateway union, so an IPv6 gateway counts when
 * its first 32 bits are non-zero); RTF_HOST for a /32.
 *
 * Return: the flags.
 */
static unsigned int pn_route4_flags(const struct ns_route *r,
				    const struct ns_nexthop *nh)
{
	unsigned int flags = PN_RTF_UP;
	static const uint8_t zero[4];

	if (r->type == RTN_UNREACHABLE || r->type == RTN_PROHIBIT)
		flags |= PN_RTF_REJECT;
	if (nh && (nh->gw_family == AF_INET || nh->gw_family == AF_INET6) &&
	    memcmp(nh->gw, zero, 4) != 0)
		flags |= PN_RTF_GATEWAY;
	if (r->dst_len == 32)
		flags |= PN_RTF_HOST;
	return flags;
}

static void pn_route4_row(const struct ns_route *r, const struct ns_nexthop *nh,
			  const char *dev, GString *out)
{
	uint32_t dst, gw = 0, mask, advmss;
	gsize start = out->len;

	memcpy(&dst, r->dst, 4);
	if (nh && nh->gw_family == AF_INET)
		memcpy(&gw, nh->gw, 4);
	mask = htonl(r->dst_len ? 0xffffffffu << (32 - r->dst_len) : 0);
	advmss = pn_route_metric(r, RTAX_ADVMSS);
	/* __be32 values printed as host integers, as the kernel does */
	g_string_append_printf(out, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u",
			       dev, dst, gw, pn_route4_flags(r, nh), 0, 0u,
			       (int)r->priority, mask,
			       (int)(advmss ? advmss + 40 : 0),
			       pn_route_metric(r, RTAX_WINDOW),
			       pn_route_metric(r, RTAX_RTT) >> 3);
	while (out->len - start < ROUTE_ROW_WIDTH)
		g_string_append_c(out, ' ');
	g_string_append_c(out, '\n');
}

/**
 * render_proc_net_route() - /proc/net/route: the IPv4 main table
 * @s: snapshot
 * @out: appended to
 *
 * Broadcast and multicast routes are skipped, as the kernel skips them; so
 * is a route whose first next hop's interface the view hides. For a
 * multipath route the first next hop is shown.
 */
void render_proc_net_route(const struct netstate_snapshot *s, GString *out)
{
	g_autofree guint *idx = NULL;
	struct pn_sort_ctx ctx;
	guint i, n = 0;
	gsize start = out->len;

	g_string_append(out, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\t"
			     "Metric\tMask\t\tMTU\tWindow\tIRTT");
	while (out->len - start < ROUTE_ROW_WIDTH)
		g_string_append_c(out, ' ');
	g_string_append_c(out, '\n');
	if (!s->routes || s->routes->n == 0)
		return;

	idx = g_new(guint, s->routes->n);
	for (i = 0; i < s->routes->n; i++) {
		const struct ns_route *r = &s->routes->v[i];

		if (r->family != AF_INET || r->table != RT_TABLE_MAIN ||
		    r->type == RTN_BROADCAST || r->type == RTN_MULTICAST)
			continue;
		idx[n++] = i;
	}
	ctx.v = s->routes->v;
	g_qsort_with_data(idx, (gint)n, sizeof(*idx), pn_cmp_route, &ctx);

	for (i = 0; i < n; i++) {
		const struct ns_route *r = &s->routes->v[idx[i]];
		const struct ns_nexthop *nh = pn_route_nh(s, r, 0);
		const char *dev = "*";

		if (nh && nh->ifindex) {
			dev = pn_link_name(s, nh->ifindex);
			if (!dev)
				continue; /* hidden interface */
		}
		pn_route4_row(r, nh, dev, out);
	}
}

/* ------------------------------------------------------------ if_inet6 */

/**
 * pn_ipv6_scope_bits() - the IPV6_ADDR_* scope bits addrconf.c prints for an
 * address: computed from the address itself as __ipv6_addr_type() does
 * (::1 loopback, fe80::/10 link, fec0::/10 site, ::a.b.c.d IPv4-compatible,
 * everything else global), which is finer than the rtnetlink scope
 * @a: address
 *
 * Return: the scope bits (0x00, 0x10, 0x20, 0x40 or 0x80).
 */
static unsigned int pn_ipv6_scope_bits(const uint8_t a[16])
{
	static const uint8_t zero[12];

	if ((a[0] & 0xe0) != 0 && (a[0] & 0xe0) != 0xe0)
		return 0;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return PN_IPV6_ADDR_LINKLOCAL;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return PN_IPV6_ADDR_SITELOCAL;
	if (memcmp(a, zero, 12) == 0) {
		if (a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] <= 1)
			return a[15] == 1 ? PN_IPV6_ADDR_LOOPBACK : 0;
		return PN_IPV6_ADDR_COMPATV4;
	}
	return 0;
}

/**
 * render_proc_net_if_inet6() - /proc/net/if_inet6: one line per IPv6
 * address of a visible interface
 * @s: snapshot
 * @out: appended to
 *
 * The kernel's order follows a per-namespace hash; this one follows the
 * snapshot's (deterministic), so compare as sets of lines.
 */
void render_proc_net_if_inet6(const struct netstate_snapshot *s, GString *out)
{
	guint i;

	for (i = 0; s->addrs && i < s->addrs->n; i++) {
		const struct ns_addr *a = &s->addrs->v[i];
		const char *dev;

		if (a->family != AF_INET6)
			continue;
		dev = pn_link_name(s, a->ifindex);
		if (!dev)
			continue;
		pn_hex16(out, a->local);
		g_string_append_printf(out, " %02x %02x %02x %02x %8s\n",
				       (unsigned int)a->ifindex,
				       (unsigned int)a->prefixlen,
				       pn_ipv6_scope_bits(a->local),
				       (unsigned int)(a->flags & 0xff), dev);
	}
}

/* ---------------------------------------------------------- ipv6_route */


/**
 * pn_route6_flags() - reconstruct the fib6_flags the kernel prints
 * @r: route
 * @nh: the next hop of this line, or NULL
 *
 * The kernel keeps RTF_* flags per route; rtnetlink does not carry them, so
 * they are rebuilt from what it does carry:
 *  - unreachable, prohibit, blackhole, throw: RTF_REJECT|RTF_NONEXTHOP and
 *    nothing else (ip6_route_info_create() replaces the flags of reject
 *    routes, RTF_UP included);
 *  - otherwise RTF_UP, RTF_GATEWAY when this next hop has a gateway;
 *  - local: RTF_LOCAL, plus RTF_NONEXTHOP when the kernel made it for an
 *    address (protocol kernel); anycast made for an address (protocol
 *    kernel): RTF_ANYCAST|RTF_NONEXTHOP (a user's anycast route has neither);
 *  - RTF_EXPIRES when the route expires;
 *  - protocol ra: RTF_ADDRCONF plus RTF_DEFAULT for a default router or
 *    RTF_ROUTEINFO for a route information option;
 *  - the router preference (RTA_PREF) in bits 27-28.
 * Not reconstructible: RTF_PREFIX_RT|RTF_ADDRCONF on prefix routes learned
 * from router advertisements (rtnetlink shows them as protocol kernel, like
 * the prefix route of a configured address).
 *
 * Return: the flags.
 */
static uint32_t pn_route6_flags(const struct ns_route *r,
				const struct ns_nexthop *nh)
{
	uint32_t flags = PN_RTF_UP;

	switch (r->type) {
	case RTN_UNREACHABLE:
	case RTN_PROHIBIT:
	case RTN_BLACKHOLE:
	case RTN_THROW:
		return PN_RTF_REJECT | PN_RTF_NONEXTHOP;
	case RTN_LOCAL:
		flags |= PN_RTF_LOCAL;
		if (r->protocol == RTPROT_KERNEL)
			flags |= PN_RTF_NONEXTHOP;
		break;
	case RTN_ANYCAST:
		if (r->protocol == RTPROT_KERNEL)
			flags |= PN_RTF_ANYCAST | PN_RTF_NONEXTHOP;
		break;
	default:
		break;
	}
	if (nh && nh->gw_family)
		flags |= PN_RTF_GATEWAY;
	if (r->expires)
		flags |= PN_RTF_EXPIRES;
	if (r->protocol == RTPROT_RA)
		flags |= PN_RTF_ADDRCONF |
			 (r->dst_len == 0 ? PN_RTF_DEFAULT : PN_RTF_ROUTEINFO);
	return flags | PN_RTF_PREF(r->pref);
}

static void pn_route6_line(GString *out, const uint8_t dst[16], unsigned int plen,
			   const uint8_t *gw, uint32_t metric, uint32_t flags,
			   const char *dev)
{
	static const uint8_t zero[16];

	pn_hex16(out, dst);
	g_string_append_printf(out, " %02x ", plen);
	g_string_append(out, "00000000000000000000000000000000 00 ");
	pn_hex16(out, gw ? gw : zero);
	/*
	 * The reference count is kernel-internal (it counts dst cache entries
	 * and walkers); 1 is what an idle route shows.
	 */
	g_string_append_printf(out, " %08x %08x %08x %08x %8s\n",
			       metric, 1u, 0u, flags, dev);
}

/* The fib6 null entry at the root of a table without a default route. */
static void pn_route6_null(const struct netstate_snapshot *s, GString *out)
{
	static const uint8_t zero[16];
	const char *lo = pn_link_name(s, LOOPBACK_IFINDEX);

	if (lo)
		pn_route6_line(out, zero, 0, NULL, 0xffffffffu,
			       PN_RTF_REJECT | PN_RTF_NONEXTHOP, lo);
}

static void pn_route6_rows(const struct netstate_snapshot *s,
			   const struct ns_route *r, GString *out)
{
	guint j, n = MAX(r->nh_count, 1);

	/* each next hop of a multipath route is a sibling route of its own */
	for (j = 0; j < n; j++) {
		const struct ns_nexthop *nh = pn_route_nh(s, r, j);
		const char *dev = "";

		if (nh && nh->ifindex) {
			dev = pn_link_name(s, nh->ifindex);
			if (!dev)
				continue; /* hidden interface */
		}
		pn_route6_line(out, r->dst, r->dst_len,
			       nh && nh->gw_family == AF_INET6 ? nh->gw : NULL,
			       r->priority, pn_route6_flags(r, nh), dev);
	}
}

/*
 * Emit one IPv6 table's rows (those of @idx[*i..] in table @table), then
 * its root's null entry when it has no default route.
 */
static void pn_route6_table(const struct netstate_snapshot *s,
			    const guint *idx, guint n, guint *i,
			    uint32_t table, GString *out)
{
	bool has_default = false;

	for (; *i < n && s->routes->v[idx[*i]].table == table; (*i)++) {
		const struct ns_route *r = &s->routes->v[idx[*i]];

		if (r->dst_len == 0)
			has_default = true;
		pn_route6_rows(s, r, out);
	}
	if (!has_default)
		pn_route6_null(s, out);
}

/**
 * render_proc_net_ipv6_route() - /proc/net/ipv6_route: every IPv6 table,
 * one line per next hop
 * @s: snapshot
 * @out: appended to
 *
 * Tables in the kernel's hash order (ns_route_cmp_kernel()); main and
 * local always (the kernel always has them), others when they have a
 * route (an empty table is not in the model). Each table ends with its
 * root: the default route, or when there is none the kernel's null entry
 * (::/0, metric 0xffffffff, reject, on loopback). The reference count
 * column is always 1 (see pn_route6_line()).
 */
void render_proc_net_ipv6_route(const struct netstate_snapshot *s,
				GString *out)
{
	/* main and local in hash order: 254 & 0xff before 255 & 0xff */
	static const uint32_t always[] = { RT_TABLE_MAIN, RT_TABLE_LOCAL };
	g_autofree guint *idx = NULL;
	struct pn_sort_ctx ctx;
	guint i = 0, k = 0, n = 0, nr = s->routes ? s->routes->n : 0;

	idx = g_new(guint, MAX(nr, 1));
	for (i = 0; i < nr; i++)
		if (s->routes->v[i].family == AF_INET6)
			idx[n++] = i;
	if (n) {
		ctx.v = s->routes->v;
		g_qsort_with_data(idx, (gint)n, sizeof(*idx), pn_cmp_route,
				  &ctx);
	}
	i = 0;
	while (i < n || k < ELEMENTSOF(always)) {
		struct ns_route here = { .family = AF_INET6 };
		uint32_t t;

		/* the next table in order: a routed one or main/local */
		if (i < n && k < ELEMENTSOF(always)) {
			here.table = always[k];
			t = ns_route_cmp_kernel(&s->routes->v[idx[i]], &here) < 0 &&
			    s->routes->v[idx[i]].table != always[k] ?
				    s->routes->v[idx[i]].table : always[k];
		} else {
			t = i < n ? s->routes->v[idx[i]].table : always[k];
		}
		if (k < ELEMENTSOF(always) && t == always[k])
			k++;
		pn_route6_table(s, idx, n, &i, t, out);
	}
}

/* ------------------------------------------------------------------ arp */

static void pn_arp_line(GString *out, const uint8_t ip[4], unsigned int hatype,
			unsigned int flags, const char *hw, const char *dev)
{
	char addr[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, ip, addr, sizeof(addr));
	g_string_append_printf(out, "%-16s 0x%-10x0x%-10x%-17s     %-8s %s\n",
			       addr, hatype, flags, hw, "*", dev);
}

/* lladdr as the kernel prints it: link address length bytes, at most 9 */
static void pn_arp_hw(const struct ns_link *l, const struct ns_neigh *n,
		      char *buf, size_t size)
{
	size_t k = 0;
	unsigned int j;

	buf[0] = '\0';
	for (j = 0; j < l->addr_len && j < 9 && k + 3 < size; j++) {
		uint8_t b = j < n->lladdr_len ? n->lladdr[j] : 0;

		k += (size_t)g_snprintf(buf + k, size - k, "%02x:", b);
	}
	if (k)
		buf[k - 1] = '\0';
}

/**
 * render_proc_net_arp() - /proc/net/arp: the IPv4 neighbour table
 * @s: snapshot
 * @out: appended to
 *
 * Entries whose state has no bit besides NUD_NOARP are skipped, as the
 * kernel skips them; the hardware address is shown for the link's address
 * length, zeros when rtnetlink gave none (entries not in a valid state).
 * Proxy entries (NTF_PROXY), when the snapshot has them, follow the others.
 * The kernel's order is its hash's: compare as sets of lines.
 */
void render_proc_net_arp(const struct netstate_snapshot *s, GString *out)
{
	char hw[32];
	guint i;
	int pass;

	g_string_append(out, "IP address       HW type     Flags       "
			     "HW address            Mask     Device\n");
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; s->neighs && i < s->neighs->n; i++) {
			const struct ns_neigh *n = &s->neighs->v[i];
			const struct ns_link *l;
			bool proxy = (n->flags & NTF_PROXY) != 0;
			unsigned int flags = 0;

			if (n->family != AF_INET || proxy != (pass == 1))
				continue;
			l = ns_link_by_index(s, n->ifindex);
			if (!l)
				continue;
			if (proxy) {
				pn_arp_line(out, n->dst, l->type,
					    ATF_PUBL | ATF_PERM,
					    "00:00:00:00:00:00", l->name);
				continue;
			}
			if (!(n->state & ~NUD_NOARP))
				continue;
			if (n->state & NUD_PERMANENT)
				flags = ATF_PERM | ATF_COM;
			else if (n->state & PN_NUD_VALID)
				flags = ATF_COM;
			pn_arp_hw(l, n, hw, sizeof(hw));
			pn_arp_line(out, n->dst, l->type, flags, hw, l->name);
		}
	}
}
