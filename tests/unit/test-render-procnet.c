// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-render-procnet.c - exact bytes of the /proc/net renderers and the render table on hand-built snapshots */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "netstate.h"
#include "render.h"
#include "util.h"

/*
 * The expected lines below are the kernel's own output (6.18) for the same
 * state, taken from a namespace set up like tests/integration/
 * golden-procnet.sh, except ipv6_route's reference count column, which the
 * renderer always prints as 1.
 */

static struct netstate_snapshot *snap_new(void)
{
	struct netstate_snapshot *s = g_new0(struct netstate_snapshot, 1);

	s->ref = 1;
	s->generation = 1;
	return s;
}

struct tlink {
	int ifindex;
	const char *name;
	uint16_t type;
};

/* lo 1, vb0 2, va0 3, vb1 4, br0 6, renamed0 7, averyverylongnm 8 */
static const struct tlink std_links[] = {
	{ 1, "lo", ARPHRD_LOOPBACK },
	{ 2, "vb0", ARPHRD_ETHER },
	{ 3, "va0", ARPHRD_ETHER },
	{ 4, "vb1", ARPHRD_ETHER },
	{ 6, "br0", ARPHRD_ETHER },
	{ 7, "renamed0", ARPHRD_ETHER },
	{ 8, "averyverylongnm", ARPHRD_ETHER },
};

static void snap_set_links(struct netstate_snapshot *s, const struct tlink *t,
			   guint n)
{
	guint i;

	s->links = ns_links_new(n);
	for (i = 0; i < n; i++) {
		struct ns_link *l = &s->links->v[i];

		l->ifindex = t[i].ifindex;
		g_strlcpy(l->name, t[i].name, sizeof(l->name));
		l->type = t[i].type;
		l->addr_len = 6; /* loopback's is 6 zero bytes too */
	}
}

static void addr_parse(const char *text, uint8_t *out)
{
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;

	g_assert_cmpint(inet_pton(family, text, out), ==, 1);
}

static gchar *render(enum render_file f, const struct netstate_snapshot *s)
{
	GString *out = g_string_new(NULL);

	g_assert_cmpint(render_file(f, s, 0, out), ==, 0);
	return g_string_free(out, FALSE);
}

/* ------------------------------------------------------------------ dev */

static void test_dev(void)
{
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *s = snap_new();
	g_autofree gchar *got = NULL;
	struct rtnl_link_stats64 *st;

	snap_set_links(s, std_links, G_N_ELEMENTS(std_links));
	/* va0 (index 2 in the table): every column distinct */
	st = &s->links->v[2].stats;
	st->rx_bytes = 90;
	st->rx_packets = 1;
	st->rx_errors = 2;
	st->rx_dropped = 3;
	st->rx_missed_errors = 4;      /* drop = 3 + 4 */
	st->rx_fifo_errors = 5;
	st->rx_length_errors = 1;      /* frame = 1 + 2 + 3 + 4 */
	st->rx_over_errors = 2;
	st->rx_crc_errors = 3;
	st->rx_frame_errors = 4;
	st->rx_compressed = 11;
	st->multicast = 12;
	st->tx_bytes = 200;
	st->tx_packets = 2;
	st->tx_errors = 13;
	st->tx_dropped = 14;
	st->tx_fifo_errors = 15;
	st->collisions = 16;
	st->tx_carrier_errors = 1;     /* carrier = 1 + 2 + 3 + 4 */
	st->tx_aborted_errors = 2;
	st->tx_window_errors = 3;
	st->tx_heartbeat_errors = 4;
	st->tx_compressed = 17;
	st->rx_nohandler = 99;         /* not shown by the kernel */
	/* averyverylongnm: wider than every column */
	st = &s->links->v[6].stats;
	st->rx_bytes = 18446744073709551615ull;
	st->tx_bytes = 12345678901234ull;
	st->rx_packets = 90;
	st->tx_packets = 1;

	got = render(RENDER_PROC_NET_DEV, s);
	g_assert_cmpstr(got, ==,
		"Inter-|   Receive                                                |  Transmit\n"
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
		"    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n"
		"   vb0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n"
		"   va0:      90       1    2    7    5    10         11        12      200       2   13   14   15    16      10         17\n"
		"   vb1:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n"
		"   br0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n"
		"renamed0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n"
		"averyverylongnm: 18446744073709551615      90    0    0    0     0          0         0 12345678901234       1    0    0    0     0       0          0\n");
}

/* ---------------------------------------------------------------- route */

struct troute {
	uint8_t family;
	const char *dst;
	uint8_t dst_len;
	uint8_t type;
	uint32_t table;
	uint8_t protocol;
	uint32_t priority;
	uint8_t tos;
	uint8_t pref;
	uint32_t expires;
	struct {
		int ifindex;
		const char *gw;
	} nh[3];
	uint32_t advmss, window, rtt, mtu;
};

static void snap_set_routes(struct netstate_snapshot *s, const struct troute *t,
			    guint n)
{
	guint i, j, n_nh = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < 3 && t[i].nh[j].ifindex; j++)
			n_nh++;
	s->routes = ns_routes_new(n, n_nh);
	n_nh = 0;
	for (i = 0; i < n; i++) {
		struct ns_route *r = &s->routes->v[i];

		r->family = t[i].family;
		r->dst_len = t[i].dst_len;
		if (t[i].dst)
			addr_parse(t[i].dst, r->dst);
		r->type = t[i].type ? t[i].type : RTN_UNICAST;
		r->table = t[i].table ? t[i].table : RT_TABLE_MAIN;
		r->protocol = t[i].protocol ? t[i].protocol : RTPROT_BOOT;
		r->priority = t[i].priority;
		r->tos = t[i].tos;
		r->pref = t[i].pref;
		r->expires = t[i].expires;
		if (t[i].advmss) {
			r->metrics[RTAX_ADVMSS] = t[i].advmss;
			r->metrics_mask |= 1u << RTAX_ADVMSS;
		}
		if (t[i].window) {
			r->metrics[RTAX_WINDOW] = t[i].window;
			r->metrics_mask |= 1u << RTAX_WINDOW;
		}
		if (t[i].rtt) {
			r->metrics[RTAX_RTT] = t[i].rtt;
			r->metrics_mask |= 1u << RTAX_RTT;
		}
		if (t[i].mtu) {
			r->metrics[RTAX_MTU] = t[i].mtu;
			r->metrics_mask |= 1u << RTAX_MTU;
		}
		r->nh_first = n_nh;
		for (j = 0; j < 3 && t[i].nh[j].ifindex; j++) {
			struct ns_nexthop *h = &s->routes->nh[n_nh++];

			h->ifindex = t[i].nh[j].ifindex;
			if (t[i].nh[j].gw) {
				h->gw_family = strchr(t[i].nh[j].gw, ':') ?
					       AF_INET6 : AF_INET;
				addr_parse(t[i].nh[j].gw, h->gw);
			}
		}
		r->nh_count = j;
	}
}

/* The golden test's IPv4 routes, in an order unlike the kernel's. */
static const struct troute routes4[] = {
	{ AF_INET, "10.40.0.0", 16, .nh = { { 3, "10.1.0.254" }, { 6, "10.2.0.254" } } },
	{ AF_INET, "10.20.0.0", 16, .priority = 60, .nh = { { 3, "10.1.0.254" } } },
	{ AF_INET, "10.20.0.0", 16, .priority = 50, .nh = { { 6, "10.2.0.254" } },
	  .advmss = 1300, .window = 8000, .rtt = 800, .mtu = 1400 },
	{ AF_INET, "10.1.0.0", 24, .protocol = RTPROT_KERNEL, .nh = { { 3 } } },
	{ AF_INET, "10.1.0.0", 24, .protocol = RTPROT_KERNEL, .nh = { { 2 } } },
	{ AF_INET, "10.32.0.0", 16, .type = RTN_BLACKHOLE },
	{ AF_INET, "10.31.0.0", 16, .type = RTN_PROHIBIT },
	{ AF_INET, "10.30.0.0", 16, .type = RTN_UNREACHABLE },
	{ AF_INET, "10.9.9.9", 32, .nh = { { 3 } } },
	{ AF_INET, "10.21.0.0", 24, .priority = 5, .nh = { { 6 } } },
	{ AF_INET, "10.2.0.0", 16, .protocol = RTPROT_KERNEL, .nh = { { 6 } } },
	{ AF_INET, NULL, 0, .nh = { { 3, "10.1.0.254" } } },
	/* not shown: local table, broadcast, IPv6, a hidden interface */
	{ AF_INET, "10.1.0.1", 32, .type = RTN_LOCAL, .table = RT_TABLE_LOCAL, .nh = { { 3 } } },
	{ AF_INET, "10.1.0.255", 32, .type = RTN_BROADCAST, .nh = { { 3 } } },
	{ AF_INET6, "2001:db8::", 32, .nh = { { 3 } } },
	{ AF_INET, "10.77.0.0", 16, .nh = { { 42 } } },
};

static gchar *pad127(const char *row)
{
	g_assert_cmpuint(strlen(row), <=, 127);
	return g_strdup_printf("%-127s\n", row);
}

static void test_route(void)
{
	static const char *const want[] = {
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
		"va0\t00000000\tFE00010A\t0003\t0\t0\t0\t00000000\t0\t0\t0",
		"va0\t0000010A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
		"vb0\t0000010A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
		"br0\t0000020A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
		"va0\t0909090A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0",
		"br0\t0000140A\tFE00020A\t0003\t0\t0\t50\t0000FFFF\t1340\t8000\t100",
		"va0\t0000140A\tFE00010A\t0003\t0\t0\t60\t0000FFFF\t0\t0\t0",
		"br0\t0000150A\t00000000\t0001\t0\t0\t5\t00FFFFFF\t0\t0\t0",
		"*\t00001E0A\t00000000\t0201\t0\t0\t0\t0000FFFF\t0\t0\t0",
		"*\t00001F0A\t00000000\t0201\t0\t0\t0\t0000FFFF\t0\t0\t0",
		"*\t0000200A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
		"va0\t0000280A\tFE00010A\t0003\t0\t0\t0\t0000FFFF\t0\t0\t0",
	};
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *s = snap_new();
	g_autoptr(GString) exp = g_string_new(NULL);
	g_autofree gchar *got = NULL;
	guint i;

	snap_set_links(s, std_links, G_N_ELEMENTS(std_links));
	snap_set_routes(s, routes4, G_N_ELEMENTS(routes4));
	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		g_autofree gchar *row = pad127(want[i]);

		g_string_append(exp, row);
	}
	got = render(RENDER_PROC_NET_ROUTE, s);
	g_assert_cmpstr(got, ==, exp->str);
}

/* Same key: longer prefix first, then higher TOS, then lower metric. */
static void test_route_leaf_order(void)
{
	static const struct troute t[] = {
		{ AF_INET, "10.60.0.0", 16, .priority = 3, .nh = { { 3 } } },
		{ AF_INET, "10.60.0.0", 16, .tos = 0x10, .nh = { { 3 } } },
		{ AF_INET, "10.0.0.0", 8, .nh = { { 3 } } },
		{ AF_INET, "10.60.0.0", 24, .nh = { { 3 } } },
		{ AF_INET, "10.50.0.0", 16, .nh = { { 3, "fe80::99" } } },
		{ AF_INET, "10.70.0.0", 16, .type = RTN_THROW },
		{ AF_INET, "192.168.200.1", 32, .nh = { { 8, "192.168.200.254" } } },
	};
	static const char *const want[] = {
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
		"va0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0",
		/* an IPv6 gateway: flagged, printed as 0 (as the kernel does) */
		"va0\t0000320A\t00000000\t0003\t0\t0\t0\t0000FFFF\t0\t0\t0",
		"va0\t00003C0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
		"va0\t00003C0A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
		"va0\t00003C0A\t00000000\t0001\t0\t0\t3\t0000FFFF\t0\t0\t0",
		"*\t0000460A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
		"averyverylongnm\t01C8A8C0\tFEC8A8C0\t0007\t0\t0\t0\tFFFFFFFF\t0\t0\t0",
	};
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *s = snap_new();
	g_autoptr(GString) exp = g_string_new(NULL);
	g_autofree gchar *got = NULL;
	guint i;

	snap_set_links(s, std_links, G_N_ELEMENTS(std_links));
	snap_set_routes(s, t, G_N_ELEMENTS(t));
	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		g_autofree gchar *row = pad127(want[i]);

		g_string_append(exp, row);
	}
	got = render(RENDER_PROC_NET_ROUTE, s);
	g_assert_cmpstr(got, ==, exp->str);
}

/* ------------------------------------------------------------ if_inet6 */

struct taddr {
	int ifindex;
	const char *local;
	uint8_t prefixlen;
	uint32_t flags;
	uint8_t scope;
};

static void snap_set_addrs(struct netstate_snapshot *s, const struct taddr *t,
			   guint n)
{
	guint i;

	s->addrs = ns_addrs_new(n);
	for (i = 0; i < n; i++) {
		struct ns_addr *a = &s->addrs->v[i];

		a->ifindex = t[i].ifindex;
		a->family = strchr(t[i].local, ':') ? AF_INET6 : AF_INET;
		addr_parse(t[i].local, a->local);
		a->prefixlen = t[i].prefixlen;
		a->flags = t[i].flags;
		a->scope = t[i].scope;
	}
}

static void test_if_inet6(void)
{
	static const struct taddr t[] = {
		{ 3, "10.1.0.1", 24, 0x80, RT_SCOPE_UNIVERSE },
		{ 6, "fe80::98f3:61ff:fe35:5313", 64, 0xc0, RT_SCOPE_LINK },
		{ 3, "::10.0.0.1", 96, 0x82, RT_SCOPE_UNIVERSE },
		{ 3, "fec0::1", 64, 0x82, RT_SCOPE_SITE },
		{ 1, "::1", 128, 0x80, RT_SCOPE_HOST },
		{ 8, "fe80::9882:6fff:fe8a:8dc9", 64, 0xc0, RT_SCOPE_LINK },
		{ 3, "2001:db8:1::1", 64, 0x182, RT_SCOPE_UNIVERSE },
		{ 42, "2001:db8:42::1", 64, 0x80, RT_SCOPE_UNIVERSE },
	};
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *s = snap_new();
	g_autofree gchar *got = NULL;

	snap_set_links(s, std_links, G_N_ELEMENTS(std_links));
	snap_set_addrs(s, t, G_N_ELEMENTS(t));
	got = render(RENDER_PROC_NET_IF_INET6, s);
	g_assert_cmpstr(got, ==,
		"fe8000000000000098f361fffe355313 06 40 20 c0      br0\n"
		"0000000000000000000000000a000001 03 60 80 82      va0\n"
		"fec00000000000000000000000000001 03 40 40 82      va0\n"
		"00000000000000000000000000000001 01 80 10 80       lo\n"
		"fe8000000000000098826ffffe8a8dc9 08 40 20 c0 averyverylongnm\n"
		"20010db8000100000000000000000001 03 40 00 82      va0\n");
}

/* ---------------------------------------------------------- ipv6_route */

static const struct troute routes6[] = {
	{ AF_INET6, "ff00::", 8, .type = RTN_MULTICAST, .table = RT_TABLE_LOCAL,
	  .protocol = RTPROT_KERNEL, .priority = 256, .nh = { { 3 } } },
	{ AF_INET6, "::1", 128, .type = RTN_LOCAL, .table = RT_TABLE_LOCAL,
	  .protocol = RTPROT_KERNEL, .nh = { { 1 } } },
	{ AF_INET6, "2001:db8:56::1", 128, .type = RTN_LOCAL, .table = RT_TABLE_LOCAL,
	  .priority = 1024, .nh = { { 3 } } },
	{ AF_INET6, "2001:db8:58::1", 128, .type = RTN_ANYCAST, .table = RT_TABLE_LOCAL,
	  .priority = 1024, .nh = { { 3 } } },
	{ AF_INET6, "2001:db8:1::1", 128, .type = RTN_LOCAL, .table = RT_TABLE_LOCAL,
	  .protocol = RTPROT_KERNEL, .nh = { { 3 } } },
	{ AF_INET6, "::10.0.0.1", 128, .type = RTN_LOCAL, .table = RT_TABLE_LOCAL,
	  .protocol = RTPROT_KERNEL, .nh = { { 3 } } },
	{ AF_INET6, NULL, 0, .priority = 1024, .nh = { { 3, "2001:db8:1::fe" } } },
	{ AF_INET6, "fe80::", 64, .protocol = RTPROT_KERNEL, .priority = 256, .nh = { { 3 } } },
	{ AF_INET6, "2001:db8::", 32, .priority = 7, .nh = { { 3 } } },
	{ AF_INET6, "2001:db8::", 32, .priority = 3, .nh = { { 3 } } },
	{ AF_INET6, "2001:db8::", 32, .priority = 5, .nh = { { 2 } } },
	{ AF_INET6, "2001:db8:57::", 48, .priority = 1024, .mtu = 1300, .nh = { { 3 } } },
	{ AF_INET6, "2001:db8:55::", 48, .priority = 1024,
	  .nh = { { 3, "2001:db8:1::fe" }, { 3, "2001:db8:1::fd" } } },
	{ AF_INET6, "2001:db8:54::", 48, .priority = 1024, .pref = 1 /* high */,
	  .nh = { { 3, "2001:db8:1::fe" } } },
	{ AF_INET6, "2001:db8:53::", 48, .priority = 1024, .expires = 299,
	  .nh = { { 3, "2001:db8:1::fe" } } },
	{ AF_INET6, "2001:db8:52::", 48, .type = RTN_THROW, .priority = 1024, .nh = { { 1 } } },
	{ AF_INET6, "2001:db8:51::", 48, .type = RTN_PROHIBIT, .priority = 1024, .nh = { { 1 } } },
	{ AF_INET6, "2001:db8:50::", 48, .type = RTN_BLACKHOLE, .priority = 1024, .nh = { { 1 } } },
	{ AF_INET6, "2001:db8:1::", 64, .protocol = RTPROT_KERNEL, .priority = 256, .nh = { { 3 } } },
	{ AF_INET6, "::", 96, .protocol = RTPROT_KERNEL, .priority = 256, .nh = { { 3 } } },
	{ AF_INET6, "fec0::", 64, .protocol = RTPROT_KERNEL, .priority = 256, .nh = { { 3 } } },
	/* not shown: IPv4, a hidden interface */
	{ AF_INET, "10.0.0.0", 8, .nh = { { 3 } } },
	{ AF_INET6, "2001:db8:42::", 48, .priority = 1024, .nh = { { 42 } } },
};

#define Z32 "00000000000000000000000000000000"

static void test_ipv6_route(void)
{
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *s = snap_new();
	g_autofree gchar *got = NULL;

	snap_set_links(s, std_links, G_N_ELEMENTS(std_links));
	snap_set_routes(s, routes6, G_N_ELEMENTS(routes6));
	got = render(RENDER_PROC_NET_IPV6_ROUTE, s);
	g_assert_cmpstr(got, ==,
		/* main */
		Z32 " 60 " Z32 " 00 " Z32 " 00000100 00000001 00000000 00000001      va0\n"
		"20010db8000100000000000000000000 40 " Z32 " 00 " Z32 " 00000100 00000001 00000000 00000001      va0\n"
		"20010db8005000000000000000000000 30 " Z32 " 00 " Z32 " 00000400 00000001 00000000 00200200       lo\n"
		"20010db8005100000000000000000000 30 " Z32 " 00 " Z32 " 00000400 00000001 00000000 00200200       lo\n"
		"20010db8005200000000000000000000 30 " Z32 " 00 " Z32 " 00000400 00000001 00000000 00200200       lo\n"
		"20010db8005300000000000000000000 30 " Z32 " 00 20010db80001000000000000000000fe 00000400 00000001 00000000 00400003      va0\n"
		"20010db8005400000000000000000000 30 " Z32 " 00 20010db80001000000000000000000fe 00000400 00000001 00000000 08000003      va0\n"
		"20010db8005500000000000000000000 30 " Z32 " 00 20010db80001000000000000000000fe 00000400 00000001 00000000 00000003      va0\n"
		"20010db8005500000000000000000000 30 " Z32 " 00 20010db80001000000000000000000fd 00000400 00000001 00000000 00000003      va0\n"
		"20010db8005700000000000000000000 30 " Z32 " 00 " Z32 " 00000400 00000001 00000000 00000001      va0\n"
		"20010db8000000000000000000000000 20 " Z32 " 00 " Z32 " 00000003 00000001 00000000 00000001      va0\n"
		"20010db8000000000000000000000000 20 " Z32 " 00 " Z32 " 00000005 00000001 00000000 00000001      vb0\n"
		"20010db8000000000000000000000000 20 " Z32 " 00 " Z32 " 00000007 00000001 00000000 00000001      va0\n"
		"fe800000000000000000000000000000 40 " Z32 " 00 " Z32 " 00000100 00000001 00000000 00000001      va0\n"
		"fec00000000000000000000000000000 40 " Z32 " 00 " Z32 " 00000100 00000001 00000000 00000001      va0\n"
		Z32 " 00 " Z32 " 00 20010db80001000000000000000000fe 00000400 00000001 00000000 00000003      va0\n"
		/* local */
		"00000000000000000000000000000001 80 " Z32 " 00 " Z32 " 00000000 00000001 00000000 80200001       lo\n"
		"0000000000000000000000000a000001 80 " Z32 " 00 " Z32 " 00000000 00000001 00000000 80200001      va0\n"
		"20010db8000100000000000000000001 80 " Z32 " 00 " Z32 " 00000000 00000001 00000000 80200001      va0\n"
		"20010db8005600000000000000000001 80 " Z32 " 00 " Z32 " 00000400 00000001 00000000 80000001      va0\n"
		"20010db8005800000000000000000001 80 " Z32 " 00 " Z32 " 00000400 00000001 00000000 00000001      va0\n"
		"ff000000000000000000000000000000 08 " Z32 " 00 " Z32 " 00000100 00000001 00000000 00000001      va0\n"
		Z32 " 00 " Z32 " 00 " Z32 " ffffffff 00000001 00000000 00200200       lo\n");
}

/* No routes at all: each table's root shows the null entry. */
static void test_ipv6_route_empty(void)
{
	static const struct tlink lo_only[] = { { 1, "lo", ARPHRD_LOOPBACK } };
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *s = snap_new();
	g_autofree gchar *got = NULL, *none = NULL;
	const char *null_line =
		Z32 " 00 " Z32 " 00 " Z32 " ffffffff 00000001 00000000 00200200       lo\n";
	g_autofree gchar *two = g_strconcat(null_line, null_line, NULL);

	none = render(RENDER_PROC_NET_IPV6_ROUTE, s); /* no links table */
	g_assert_cmpstr(none, ==, "");
	snap_set_links(s, lo_only, 1);
	got = render(RENDER_PROC_NET_IPV6_ROUTE, s);
	g_assert_cmpstr(got, ==, two);
}

/* RA-learned routes: flags rebuilt from the protocol (from ip6_route.c). */
static void test_ipv6_route_ra(void)
{
	static const struct troute t[] = {
		{ AF_INET6, NULL, 0, .protocol = RTPROT_RA, .priority = 1024,
		  .expires = 1800, .pref = 3 /* low */,
		  .nh = { { 3, "fe80::1" } } },
		{ AF_INET6, "2001:db8:90::", 48, .protocol = RTPROT_RA,
		  .priority = 1024, .nh = { { 3, "fe80::1" } } },
	};
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *s = snap_new();
	g_autofree gchar *got = NULL;

	snap_set_links(s, std_links, G_N_ELEMENTS(std_links));
	snap_set_routes(s, t, G_N_ELEMENTS(t));
	got = render(RENDER_PROC_NET_IPV6_ROUTE, s);
	g_assert_cmpstr(got, ==,
		"20010db8009000000000000000000000 30 " Z32 " 00 fe800000000000000000000000000001 00000400 00000001 00000000 00840003      va0\n"
		Z32 " 00 " Z32 " 00 fe800000000000000000000000000001 00000400 00000001 00000000 18450003      va0\n"
		Z32 " 00 " Z32 " 00 " Z32 " ffffffff 00000001 00000000 00200200       lo\n");
}

/* ------------------------------------------------------------------ arp */

struct tneigh {
	int ifindex;
	uint8_t family;
	const char *dst;
	uint16_t state;
	uint8_t flags;
	const char *lladdr;
};

static void snap_set_neighs(struct netstate_snapshot *s, const struct tneigh *t,
			    guint n)
{
	guint i;

	s->neighs = ns_neighs_new(n);
	for (i = 0; i < n; i++) {
		struct ns_neigh *e = &s->neighs->v[i];

		e->ifindex = t[i].ifindex;
		e->family = t[i].family;
		addr_parse(t[i].dst, e->dst);
		e->state = t[i].state;
		e->flags = t[i].flags;
		if (t[i].lladdr) {
			unsigned int b[6];

			g_assert_cmpint(sscanf(t[i].lladdr, "%x:%x:%x:%x:%x:%x",
					       &b[0], &b[1], &b[2], &b[3],
					       &b[4], &b[5]), ==, 6);
			for (e->lladdr_len = 0; e->lladdr_len < 6; e->lladdr_len++)
				e->lladdr[e->lladdr_len] = (uint8_t)b[e->lladdr_len];
		}
	}
}

static void test_arp(void)
{
	static const struct tneigh t[] = {
		{ 6, AF_INET, "10.2.0.9", NUD_STALE, 0, "02:00:00:00:00:09" },
		{ 3, AF_INET, "10.1.0.30", NUD_NONE, NTF_PROXY, NULL },
		{ 3, AF_INET, "10.1.0.7", NUD_PERMANENT, 0, "02:00:00:00:00:07" },
		{ 3, AF_INET, "10.1.0.8", NUD_REACHABLE, 0, "02:00:00:00:00:08" },
		{ 3, AF_INET, "10.1.0.21", NUD_FAILED, 0, NULL },
		{ 3, AF_INET, "10.1.0.22", NUD_INCOMPLETE, 0, NULL },
		{ 3, AF_INET, "10.1.0.24", NUD_PROBE, 0, "02:00:00:00:00:24" },
		{ 8, AF_INET, "192.168.77.200", NUD_DELAY, 0, "0a:bb:cc:dd:ee:ff" },
		/* not shown: NOARP, NONE, IPv6, a hidden interface */
		{ 3, AF_INET, "10.1.0.20", NUD_NOARP, 0, NULL },
		{ 3, AF_INET, "10.1.0.25", NUD_NONE, 0, NULL },
		{ 3, AF_INET6, "2001:db8:1::7", NUD_PERMANENT, 0, "02:00:00:00:00:07" },
		{ 42, AF_INET, "10.42.0.1", NUD_PERMANENT, 0, "02:00:00:00:00:42" },
	};
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *s = snap_new();
	g_autofree gchar *got = NULL;

	snap_set_links(s, std_links, G_N_ELEMENTS(std_links));
	snap_set_neighs(s, t, G_N_ELEMENTS(t));
	got = render(RENDER_PROC_NET_ARP, s);
	g_assert_cmpstr(got, ==,
		"IP address       HW type     Flags       HW address            Mask     Device\n"
		"10.2.0.9         0x1         0x2         02:00:00:00:00:09     *        br0\n"
		"10.1.0.7         0x1         0x6         02:00:00:00:00:07     *        va0\n"
		"10.1.0.8         0x1         0x2         02:00:00:00:00:08     *        va0\n"
		"10.1.0.21        0x1         0x0         00:00:00:00:00:00     *        va0\n"
		"10.1.0.22        0x1         0x0         00:00:00:00:00:00     *        va0\n"
		"10.1.0.24        0x1         0x2         02:00:00:00:00:24     *        va0\n"
		"192.168.77.200   0x1         0x2         0a:bb:cc:dd:ee:ff     *        averyverylongnm\n"
		"10.1.0.30        0x1         0xc         00:00:00:00:00:00     *        va0\n");
}

/* ---------------------------------------------------------------- table */

static void test_table(void)
{
	static const struct {
		enum render_file f;
		const char *path;
		unsigned int parts;
	} want[] = {
		{ RENDER_RESOLV_CONF, "etc/resolv.conf", NETSTATE_RESOLV },
		{ RENDER_HOSTS, "etc/hosts", NETSTATE_HOSTS },
		{ RENDER_HOSTNAME, "etc/hostname", NETSTATE_HOSTNAME },
		{ RENDER_PROC_NET_DEV, "proc/net/dev", NETSTATE_LINKS },
		{ RENDER_PROC_NET_ROUTE, "proc/net/route", NETSTATE_ROUTES | NETSTATE_LINKS },
		{ RENDER_PROC_NET_IF_INET6, "proc/net/if_inet6", NETSTATE_ADDRS | NETSTATE_LINKS },
		{ RENDER_PROC_NET_IPV6_ROUTE, "proc/net/ipv6_route", NETSTATE_ROUTES | NETSTATE_LINKS },
		{ RENDER_PROC_NET_ARP, "proc/net/arp", NETSTATE_NEIGHS | NETSTATE_LINKS },
		{ RENDER_PROC_NET_TCP, "proc/net/tcp", 0 },
		{ RENDER_PROC_NET_TCP6, "proc/net/tcp6", 0 },
		{ RENDER_PROC_NET_UDP, "proc/net/udp", 0 },
		{ RENDER_PROC_NET_UDP6, "proc/net/udp6", 0 },
		{ RENDER_PROC_NET_RAW, "proc/net/raw", 0 },
		{ RENDER_PROC_NET_RAW6, "proc/net/raw6", 0 },
		{ RENDER_PROC_NET_SOCKSTAT, "proc/net/sockstat", 0 },
		{ RENDER_PROC_NET_SOCKSTAT6, "proc/net/sockstat6", 0 },
		{ RENDER_PROC_NET_SNMP, "proc/net/snmp", 0 },
		{ RENDER_PROC_NET_IGMP, "proc/net/igmp", 0 },
		{ RENDER_PROC_NET_IGMP6, "proc/net/igmp6", 0 },
		{ RENDER_PROC_NET_DEV_MCAST, "proc/net/dev_mcast", 0 },
	};
	guint i;

	G_STATIC_ASSERT(G_N_ELEMENTS(want) == RENDER_N_FILES);
	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		g_assert_cmpstr(render_file_path(want[i].f), ==, want[i].path);
		g_assert_cmpuint(render_file_parts(want[i].f), ==, want[i].parts);
	}
	g_assert_null(render_file_path(RENDER_N_FILES));
	g_assert_cmpuint(render_file_parts(RENDER_N_FILES), ==, 0);
}

/*
 * The multicast files are the host's, lines of interfaces out of view left
 * out: igmp's group lines with their interface (kernel 6.18's formats,
 * vb0 and vb1 in view, hid0 not).
 */
static void test_mcast(void)
{
	static const struct {
		enum render_file f;
		const char *host, *want;
	} cases[] = {
		{ RENDER_PROC_NET_IGMP,
		  "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
		  "1\tlo        :     1      V3\n"
		  "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
		  "5\thid0      :     2      V3\n"
		  "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
		  "\t\t\t\t050000E0     1 0:00000000\t\t0\n"
		  "2\tvb0       :     1      V3\n"
		  "\t\t\t\t010000E0     1 0:00000000\t\t0\n",
		  "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
		  "1\tlo        :     1      V3\n"
		  "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
		  "2\tvb0       :     1      V3\n"
		  "\t\t\t\t010000E0     1 0:00000000\t\t0\n" },
		{ RENDER_PROC_NET_IGMP6,
		  "1    lo              ff020000000000000000000000000001     1 0000000C 0\n"
		  "5    hid0            ff020000000000000000000000000001     1 0000000C 0\n"
		  "4    vb1             ff0200000000000000000001ff000001     1 00000004 0\n",
		  "1    lo              ff020000000000000000000000000001     1 0000000C 0\n"
		  "4    vb1             ff0200000000000000000001ff000001     1 00000004 0\n" },
		{ RENDER_PROC_NET_DEV_MCAST,
		  "2    vb0             1     0     333300000001\n"
		  "5    hid0            1     0     01005e000001\n",
		  "2    vb0             1     0     333300000001\n" },
	};
	g_autofree char *dir = g_dir_make_tmp("lxnet-mcast-XXXXXX", NULL);
	struct netstate_snapshot *s = snap_new();
	guint i;

	g_assert_nonnull(dir);
	snap_set_links(s, std_links, G_N_ELEMENTS(std_links));
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *path = g_build_filename(dir,
			strrchr(render_file_path(cases[i].f), '/') + 1, NULL);
		g_autoptr(GString) out = g_string_new("x");

		g_assert_true(g_file_set_contents(path, cases[i].host, -1, NULL));
		g_assert_cmpint(render_mcast(cases[i].f, dir, s, out), ==, 0);
		g_assert_cmpstr(out->str + 1, ==, cases[i].want);
		g_assert_cmpint(g_unlink(path), ==, 0);
	}
	/* a file that cannot be read, a file that is not a multicast one */
	{
		g_autoptr(GString) out = g_string_new(NULL);

		g_assert_cmpint(render_mcast(RENDER_PROC_NET_IGMP, dir, s, out),
				==, -ENOENT);
		g_assert_cmpint(render_mcast(RENDER_PROC_NET_ARP, dir, s, out),
				==, -EINVAL);
	}
	g_assert_cmpint(g_rmdir(dir), ==, 0);
	netstate_snapshot_unref(s);
}

/* render_file() dispatches to the file's own renderer, appending. */
static void test_dispatch(void)
{
	static void (*const direct[])(const struct netstate_snapshot *,
				      GString *) = {
		[RENDER_PROC_NET_DEV] = render_proc_net_dev,
		[RENDER_PROC_NET_ROUTE] = render_proc_net_route,
		[RENDER_PROC_NET_IF_INET6] = render_proc_net_if_inet6,
		[RENDER_PROC_NET_IPV6_ROUTE] = render_proc_net_ipv6_route,
		[RENDER_PROC_NET_ARP] = render_proc_net_arp,
	};
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *s = snap_new();
	g_autoptr(GString) out = g_string_new("prefix:");
	guint f;

	snap_set_links(s, std_links, G_N_ELEMENTS(std_links));
	snap_set_routes(s, routes6, G_N_ELEMENTS(routes6));
	snap_set_addrs(s, (const struct taddr[]){ { 3, "2001:db8:1::1", 64, 0x80 } }, 1);
	for (f = RENDER_PROC_NET_DEV; f <= RENDER_PROC_NET_ARP; f++) {
		g_autoptr(GString) want = g_string_new("prefix:");

		g_string_assign(out, "prefix:");
		direct[f](s, want);
		g_assert_cmpuint(want->len, >, strlen("prefix:"));
		g_assert_cmpint(render_file(f, s, 0, out), ==, 0);
		g_assert_cmpstr(out->str, ==, want->str);
	}
	g_assert_cmpint(render_file(RENDER_N_FILES, s, 0, out), ==, -EINVAL);
	g_assert_cmpint(render_file((enum render_file)-1, s, 0, out), ==, -EINVAL);
}

/* An empty snapshot (no tables yet) gives the headers and nothing else. */
static void test_empty(void)
{
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *s = snap_new();
	g_autofree gchar *dev = render(RENDER_PROC_NET_DEV, s);
	g_autofree gchar *route = render(RENDER_PROC_NET_ROUTE, s);
	g_autofree gchar *inet6 = render(RENDER_PROC_NET_IF_INET6, s);
	g_autofree gchar *arp = render(RENDER_PROC_NET_ARP, s);

	g_assert_true(g_str_has_prefix(dev, "Inter-|"));
	g_assert_cmpuint(strlen(dev), ==, strlen(
		"Inter-|   Receive                                                |  Transmit\n"
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"));
	g_assert_cmpuint(strlen(route), ==, 128);
	g_assert_cmpstr(inet6, ==, "");
	g_assert_cmpstr(arp, ==, "IP address       HW type     Flags       HW address            Mask     Device\n");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/render/procnet/dev", test_dev);
	g_test_add_func("/render/procnet/route", test_route);
	g_test_add_func("/render/procnet/route-leaf-order", test_route_leaf_order);
	g_test_add_func("/render/procnet/if_inet6", test_if_inet6);
	g_test_add_func("/render/procnet/ipv6_route", test_ipv6_route);
	g_test_add_func("/render/procnet/ipv6_route-empty", test_ipv6_route_empty);
	g_test_add_func("/render/procnet/ipv6_route-ra", test_ipv6_route_ra);
	g_test_add_func("/render/procnet/arp", test_arp);
	g_test_add_func("/render/procnet/mcast", test_mcast);
	g_test_add_func("/render/table", test_table);
	g_test_add_func("/render/dispatch", test_dispatch);
	g_test_add_func("/render/procnet/empty", test_empty);
	return g_test_run();
}
