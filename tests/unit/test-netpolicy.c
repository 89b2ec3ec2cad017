// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-netpolicy.c - unit tests for connection-policy rules and decisions */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib.h>

#include "netpolicy.h"

/* Decide a destination (or a bind) given as text "ADDR" and a port. */
static bool decide(const struct netpolicy *p, bool bind,
		   enum netpolicy_proto proto, const char *addr, uint16_t port,
		   const char **rule)
{
	uint8_t a[16] = { 0 };
	struct netpolicy_query q = {
		.bind = bind, .proto = proto, .addr = a, .port = port,
	};
	static const uint8_t ns[1][16] = { { 10, 0, 0, 53 } };
	static const int nsf[1] = { AF_INET };
	const char *dummy;

	q.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	g_assert_cmpint(inet_pton(q.family, addr, a), ==, 1);
	return netpolicy_decide(p, &q, ns, nsf, 1, rule ? rule : &dummy);
}

static void test_parse(void)
{
	static const char *const good[] = {
		"tcp:10.0.0.0/8:443", "[2001:db8::/32]:80-89", "udp:*:53",
		"bind:tcp:*:8080", "10.1.2.3", "icmp:192.0.2.0/24", "*",
		"tcp:[::1]:22", "[::/0]", "tcp:*:0-65535", "0.0.0.0/0:1",
	};
	static const char *const bad[] = {
		"", "tcp:", "tcp:10.0.0.0/33", "[10.0.0.1]", "2001:db8::1",
		"tcp:10.0.0.1:70000", "tcp:10.0.0.1:90-80", "icmp:10.0.0.1:7",
		"sctp:10.0.0.1", "10.0.0.1:", "[::1", "[::1]x", "bind:",
		"tcp:10.0.0.1:8a", "10.0.0.1/", "host", "[::1/129]", "[::]/0",
	};
	struct netpolicy p;
	size_t i;

	netpolicy_init(&p);
	for (i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autoptr(GError) e = NULL;

		if (netpolicy_add(&p, true, good[i], &e) != 0)
			g_error("'%s' refused: %s", good[i], e->message);
	}
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;

		if (netpolicy_add(&p, false, bad[i], &e) != -EINVAL)
			g_error("'%s' accepted", bad[i]);
		g_assert_nonnull(strstr(e->message, "invalid rule"));
	}
	g_assert_cmpuint(p.rules->len, ==, G_N_ELEMENTS(good));
	netpolicy_clear(&p);
}

static void test_decide(void)
{
	struct netpolicy p;
	const char *rule;

	netpolicy_init(&p);
	g_assert_false(netpolicy_active(&p));
	/* no rules: everything allowed */
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "192.0.2.1", 80, NULL));
	g_assert_cmpint(netpolicy_add(&p, false, "tcp:10.9.0.0/16:443", NULL), ==, 0);
	g_assert_cmpint(netpolicy_add(&p, true, "tcp:10.0.0.0/8:443", NULL), ==, 0);
	g_assert_cmpint(netpolicy_add(&p, true, "udp:[2001:db8::/32]:80-89", NULL), ==, 0);
	g_assert_true(netpolicy_active(&p));
	/* first match: the deny before the allow */
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "10.9.1.1", 443, &rule));
	g_assert_cmpstr(rule, ==, "tcp:10.9.0.0/16:443");
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "10.8.1.1", 443, &rule));
	g_assert_cmpstr(rule, ==, "tcp:10.0.0.0/8:443");
	/* protocol, port and family all count */
	g_assert_false(decide(&p, false, NETPOLICY_UDP, "10.8.1.1", 443, &rule));
	g_assert_cmpstr(rule, ==, "default");
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "10.8.1.1", 444, NULL));
	g_assert_true(decide(&p, false, NETPOLICY_UDP, "2001:db8:1::5", 85, NULL));
	g_assert_false(decide(&p, false, NETPOLICY_UDP, "2001:db9::5", 85, NULL));
	g_assert_false(decide(&p, false, NETPOLICY_UDP, "2001:db8::5", 90, NULL));
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "11.0.0.1", 443, NULL));
	/* the view's nameservers on 53 stay reachable */
	g_assert_true(decide(&p, false, NETPOLICY_UDP, "10.0.0.53", 53, &rule));
	g_assert_cmpstr(rule, ==, "nameserver");
	g_assert_false(decide(&p, false, NETPOLICY_UDP, "10.0.0.54", 53, NULL));
	/* unless a rule denies them */
	g_assert_cmpint(netpolicy_add(&p, false, "udp:10.0.0.53:53", NULL), ==, 0);
	g_assert_false(decide(&p, false, NETPOLICY_UDP, "10.0.0.53", 53, NULL));
	/* binds: no bind allow rule yet, so allowed; port 0 always */
	g_assert_true(decide(&p, true, NETPOLICY_TCP, "0.0.0.0", 8080, NULL));
	g_assert_cmpint(netpolicy_add(&p, true, "bind:tcp:127.0.0.1:8080", NULL), ==, 0);
	g_assert_false(decide(&p, true, NETPOLICY_TCP, "0.0.0.0", 8080, NULL));
	g_assert_true(decide(&p, true, NETPOLICY_TCP, "127.0.0.1", 8080, NULL));
	g_assert_true(decide(&p, true, NETPOLICY_UDP, "0.0.0.0", 0, &rule));
	g_assert_cmpstr(rule, ==, "ephemeral port");
	/* bind rules are not destination rules */
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "127.0.0.1", 8080, NULL));
	netpolicy_clear(&p);
}

static void test_loopback(void)
{
	struct netpolicy p;
	const char *rule;

	netpolicy_init(&p);
	p.no_host_loopback = true;
	g_assert_true(netpolicy_active(&p));
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "127.0.0.1", 80, &rule));
	g_assert_cmpstr(rule, ==, "no-host-loopback");
	g_assert_false(decide(&p, false, NETPOLICY_UDP, "127.3.4.5", 80, NULL));
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "::1", 80, NULL));
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "192.0.2.1", 80, NULL));
	/* an explicit allow comes first */
	g_assert_cmpint(netpolicy_add(&p, true, "tcp:127.0.0.1:8080", NULL), ==, 0);
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "127.0.0.1", 8080, NULL));
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "127.0.0.1", 8081, NULL));
	netpolicy_clear(&p);
}

static void test_file(void)
{
	char path[] = "/tmp/test-netpolicy.XXXXXX";
	struct netpolicy p;
	g_autoptr(GError) e = NULL;
	g_auto(GStrv) args = NULL;
	int fd;


	fd = mkstemp(path);
	g_assert_cmpint(fd, >=, 0);
	dprintf(fd, "# a policy\n\nallow tcp:10.0.0.0/8:443\n  deny udp:*:53 \n"
		"no-host-loopback\n");
	close(fd);
	netpolicy_init(&p);
	g_assert_cmpint(netpolicy_add(&p, false, "tcp:10.1.0.0/16", NULL), ==, 0);
	g_assert_cmpint(netpolicy_load(&p, path, &e), ==, 0);
	g_assert_cmpuint(p.rules->len, ==, 3);
	g_assert_true(p.no_host_loopback);
	args = netpolicy_to_args(&p);
	g_assert_cmpuint(g_strv_length(args), ==, 4);
	g_assert_cmpstr(args[0], ==, "--deny=tcp:10.1.0.0/16");
	g_assert_cmpstr(args[1], ==, "--allow=tcp:10.0.0.0/8:443");
	g_assert_cmpstr(args[2], ==, "--deny=udp:*:53");
	g_assert_cmpstr(args[3], ==, "--no-host-loopback");
	/* a bad line: the file's rules are all refused, with its line */
	g_clear_error(&e);
	fd = open(path, O_WRONLY | O_TRUNC);
	dprintf(fd, "allow tcp:10.0.0.0/8:443\nallow nonsense\n");
	close(fd);
	g_assert_cmpint(netpolicy_load(&p, path, &e), ==, -EINVAL);
	g_assert_nonnull(strstr(e->message, ":2: invalid rule 'nonsense'"));
	g_assert_cmpuint(p.rules->len, ==, 3);
	netpolicy_clear(&p);
	unlink(path);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/netpolicy/parse", test_parse);
	g_test_add_func("/netpolicy/decide", test_decide);
	g_test_add_func("/netpolicy/loopback", test_loopback);
	g_test_add_func("/netpolicy/file", test_file);
	return g_test_run();
}
