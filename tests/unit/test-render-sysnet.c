// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-render-sysnet.c - sys/class/net attributes of hand-built links, as net-sysfs.c prints them */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <glib.h>

#include "netstate.h"
#include "render.h"

/*
 * Expected bytes are the kernel's (6.18) for the same state: a veth up
 * with carrier reads flags 0x1003 in sysfs while netlink says 0x11043.
 */

static struct ns_link veth_up(void)
{
	struct ns_link l = {
		.ifindex = 3, .name = "lxsysnet-none0", .type = ARPHRD_ETHER,
		.flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST |
			 0x10000 /* IFF_LOWER_UP */,
		.mtu = 1400, .txqlen = 77, .carrier = 1, .operstate = 6,
		.iflink = 2, .addr_len = 6,
		.addr = { 0x02, 0, 0, 0, 0x5e, 0x01 },
		.broadcast = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};

	l.stats.rx_bytes = 18446744073709551615ULL;
	l.stats.tx_packets = 6;
	return l;
}

/* The attribute @name (statistics/ when @stat) of @l, or NULL with *@err. */
static gchar *show(const struct ns_link *l, const char *name, bool stat,
		   int *err)
{
	g_autoptr(GString) out = g_string_new("");
	int a = render_sysnet_attr_find(name, stat);

	g_assert_cmpint(a, >=, 0);
	*err = render_sysnet_attr(l, (unsigned int)a, out);
	if (*err < 0) {
		g_assert_cmpuint(out->len, ==, 0);
		return NULL;
	}
	return g_strdup(out->str);
}

#define assert_attr(l, name, stat, want) do { \
	int err_; \
	g_autofree gchar *got_ = show(l, name, stat, &err_); \
	g_assert_cmpint(err_, ==, 0); \
	g_assert_cmpstr(got_, ==, want); \
} while (0)

#define assert_refused(l, name) do { \
	int err_; \
	g_autofree gchar *got_ = show(l, name, false, &err_); \
	g_assert_null(got_); \
	g_assert_cmpint(err_, ==, -EINVAL); \
} while (0)

static void test_up(void)
{
	struct ns_link l = veth_up();

	assert_attr(&l, "address", false, "02:00:00:00:5e:01\n");
	assert_attr(&l, "broadcast", false, "ff:ff:ff:ff:ff:ff\n");
	assert_attr(&l, "addr_len", false, "6\n");
	assert_attr(&l, "flags", false, "0x1003\n");
	assert_attr(&l, "mtu", false, "1400\n");
	assert_attr(&l, "tx_queue_len", false, "77\n");
	assert_attr(&l, "carrier", false, "1\n");
	assert_attr(&l, "operstate", false, "up\n");
	assert_attr(&l, "ifindex", false, "3\n");
	assert_attr(&l, "iflink", false, "2\n");
	assert_attr(&l, "type", false, "1\n");
	assert_attr(&l, "rx_bytes", true, "18446744073709551615\n");
	assert_attr(&l, "tx_packets", true, "6\n");
	assert_attr(&l, "rx_nohandler", true, "0\n");
	/* no such interface on this host: no link settings, as lo's */
	assert_refused(&l, "speed");
	assert_refused(&l, "duplex");
	/* a bridge port: PROMISC in dev->flags, not in netlink's flags */
	l.promiscuity = 1;
	assert_attr(&l, "flags", false, "0x1103\n");
}

static void test_down(void)
{
	struct ns_link l = veth_up();

	l.flags = IFF_BROADCAST | IFF_MULTICAST;
	l.carrier = 0;
	assert_refused(&l, "carrier");
	assert_refused(&l, "speed");
	assert_refused(&l, "duplex");
	/* not running: down whatever the operstate says */
	assert_attr(&l, "operstate", false, "down\n");
	assert_attr(&l, "flags", false, "0x1002\n");
	l.flags = 0;
	assert_attr(&l, "flags", false, "0\n");
	l.flags = IFF_UP;
	l.operstate = 7; /* past IF_OPER_UP: the kernel refuses */
	assert_refused(&l, "operstate");
}

static void test_no_lladdr(void)
{
	struct ns_link l = { .ifindex = 9, .name = "tun0", .type = ARPHRD_NONE,
			     .iflink = 9 };

	assert_attr(&l, "address", false, "\n");
	assert_attr(&l, "broadcast", false, "\n");
	assert_attr(&l, "addr_len", false, "0\n");
	assert_attr(&l, "type", false, "65534\n");
}

static void test_names(void)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	unsigned int i, stats = 0;

	for (i = 0; i < RENDER_SYSNET_N_ATTRS; i++) {
		const char *n = render_sysnet_attr_name(i);

		g_assert_nonnull(n);
		g_assert_false(g_hash_table_contains(seen, n));
		g_hash_table_add(seen, (gpointer)n);
		g_assert_cmpint(render_sysnet_attr_find(n, render_sysnet_attr_is_stat(i)),
				==, (int)i);
		stats += render_sysnet_attr_is_stat(i);
	}
	g_assert_cmpuint(stats, ==, 24);
	g_assert_null(render_sysnet_attr_name(RENDER_SYSNET_N_ATTRS));
	g_assert_cmpint(render_sysnet_attr_find("mtu", true), ==, -ENOENT);
	g_assert_cmpint(render_sysnet_attr_find("rx_bytes", false), ==, -ENOENT);
	g_assert_cmpint(render_sysnet_attr_find("uevent", false), ==, -ENOENT);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/render/sysnet/up", test_up);
	g_test_add_func("/render/sysnet/down", test_down);
	g_test_add_func("/render/sysnet/no-lladdr", test_no_lladdr);
	g_test_add_func("/render/sysnet/names", test_names);
	return g_test_run();
}
