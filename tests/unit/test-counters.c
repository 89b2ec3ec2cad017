// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-counters.c - netstate_counters_read(): fresh counters over a snapshot's links */
#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib.h>

#include "netstate.h"
#include "util.h"

/* Send @n one-byte UDP datagrams to 127.0.0.1:9 (loopback counts them). */
static void send_loopback(unsigned int n)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(9) };
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned int i;

	g_assert_cmpint(fd, >=, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n; i++)
		g_assert_cmpint(sendto(fd, "x", 1, 0, (struct sockaddr *)&sin,
				       sizeof(sin)), ==, 1);
}

/* A base table as a snapshot would hold it: lo, then a link the kernel does
 * not have (deleted since the snapshot), with marker counters. */
static struct ns_links *base_table(void)
{
	struct ns_links *t = ns_links_new(2);

	t->v[0].ifindex = (int)if_nametoindex("lo");
	g_assert_cmpint(t->v[0].ifindex, >, 0);
	g_strlcpy(t->v[0].name, "lo", sizeof(t->v[0].name));
	t->v[0].mtu = 12345; /* not a counter: must be kept */
	t->v[1].ifindex = 999999;
	g_strlcpy(t->v[1].name, "gone0", sizeof(t->v[1].name));
	t->v[1].stats.rx_packets = 4242;
	t->v[1].stats.tx_bytes = 777;
	return t;
}

/* Counters are read at the call: 20 datagrams sent between two reads all
 * show in the second, and the links, names and other fields stay the
 * base's. */
static void test_fresh(void)
{
	struct netstate_counters *c = NULL;
	struct ns_links *base = base_table(), *a = NULL, *b = NULL;

	g_assert_cmpint(netstate_counters_new(&c), ==, 0);
	g_assert_cmpint(netstate_counters_read(c, base, &a), ==, 0);
	send_loopback(20);
	g_assert_cmpint(netstate_counters_read(c, base, &b), ==, 0);

	g_assert_cmpuint(a->n, ==, 2);
	g_assert_cmpuint(b->n, ==, 2);
	g_assert_cmpstr(b->v[0].name, ==, "lo");
	g_assert_cmpuint(b->v[0].mtu, ==, 12345);
	/* >=: each datagram may also bring an ICMP port unreachable. */
	g_assert_cmpuint(b->v[0].stats.tx_packets, >=, a->v[0].stats.tx_packets + 20);
	g_assert_cmpuint(b->v[0].stats.rx_packets, >=, a->v[0].stats.rx_packets + 20);
	g_assert_cmpuint(b->v[0].stats.rx_bytes, >, a->v[0].stats.rx_bytes);
	/* A link missing from the dump keeps the base's counters. */
	g_assert_cmpstr(b->v[1].name, ==, "gone0");
	g_assert_cmpuint(b->v[1].stats.rx_packets, ==, 4242);
	g_assert_cmpuint(b->v[1].stats.tx_bytes, ==, 777);
	/* The base is not touched. */
	g_assert_cmpuint(base->v[0].stats.tx_packets, ==, 0);

	ns_links_unref(a);
	ns_links_unref(b);
	ns_links_unref(base);
	netstate_counters_free(c);
}

/* Many links, dumped in many messages: each base entry gets its own
 * link's counters (matched by ifindex, not position), in the base's order. */
static void test_many_links(void)
{
	struct netstate_counters *c = NULL;
	struct ns_links *base, *out = NULL;
	unsigned int i, n = 0, lo_i = 0;
	char cmd[128];

	for (i = 0; i < 60; i++) {
		g_snprintf(cmd, sizeof(cmd),
			   "ip link add ct%u type veth peer name cp%u", i, i);
		g_assert_cmpint(system(cmd), ==, 0);
	}
	/* Base: lo and every other "ct" link, in reverse order. */
	base = ns_links_new(31);
	for (i = 60; i-- > 0;) {
		if (i % 2)
			continue;
		g_snprintf(base->v[n].name, IFNAMSIZ, "ct%u", i);
		base->v[n].ifindex = (int)if_nametoindex(base->v[n].name);
		g_assert_cmpint(base->v[n].ifindex, >, 0);
		n++;
	}
	lo_i = n;
	g_strlcpy(base->v[n].name, "lo", IFNAMSIZ);
	base->v[n].ifindex = (int)if_nametoindex("lo");
	n++;
	g_assert_cmpuint(n, ==, base->n);
	send_loopback(5);

	g_assert_cmpint(netstate_counters_new(&c), ==, 0);
	g_assert_cmpint(netstate_counters_read(c, base, &out), ==, 0);
	g_assert_cmpuint(out->n, ==, base->n);
	for (i = 0; i < out->n; i++) {
		g_assert_cmpstr(out->v[i].name, ==, base->v[i].name);
		g_assert_cmpint(out->v[i].ifindex, ==, base->v[i].ifindex);
		if (i != lo_i)
			/* veth ends that never went up have sent nothing */
			g_assert_cmpuint(out->v[i].stats.tx_packets, ==, 0);
	}
	g_assert_cmpuint(out->v[lo_i].stats.tx_packets, >=, 5);

	ns_links_unref(out);
	ns_links_unref(base);
	netstate_counters_free(c);
}

/* An empty base gives an empty table. */
static void test_empty(void)
{
	struct netstate_counters *c = NULL;
	struct ns_links *base = ns_links_new(0), *out = NULL;

	g_assert_cmpint(netstate_counters_new(&c), ==, 0);
	g_assert_cmpint(netstate_counters_read(c, base, &out), ==, 0);
	g_assert_cmpuint(out->n, ==, 0);
	ns_links_unref(out);
	ns_links_unref(base);
	netstate_counters_free(c);
	netstate_counters_free(NULL);
}

int main(int argc, char **argv)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		printf("1..0 # SKIP needs root for a private network namespace\n");
		return 0;
	}
	if (system("ip link set lo up") != 0) {
		printf("1..0 # SKIP ip (iproute2) not usable\n");
		return 0;
	}
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/counters/fresh", test_fresh);
	g_test_add_func("/counters/many-links", test_many_links);
	g_test_add_func("/counters/empty", test_empty);
	return g_test_run();
}
