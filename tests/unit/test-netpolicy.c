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
		"[*]", "udp:[*]:443",
		"host", "tcp:example.com:443", "udp:Example.COM:53-54",
		"icmp:ipv6.example.", "10.0.0.x", "1a.2b", "xn--bcher-kva.example",
	};
	static const char *const bad[] = {
		"", "tcp:", "tcp:10.0.0.0/33", "[10.0.0.1]", "2001:db8::1",
		"tcp:10.0.0.1:70000", "tcp:10.0.0.1:90-80", "icmp:10.0.0.1:7",
		"sctp:10.0.0.1", "10.0.0.1:", "[::1", "[::1]x", "bind:",
		"tcp:10.0.0.1:8a", "10.0.0.1/", "[::1/129]", "[::]/0",
		/* host names: a letter, no IPv6 without brackets, no bind: */
		"fe80::1", "dead:beef", "tcp", "udp:icmp", "bind:tcp:host:80",
		"example.com/24", "-a.example", "a-.example", "a..example",
		".example", "exa_mple.com", "icmp:example.com:7", "[example.com]",
		"example.com:", "example.com:80:81", "10.0.0", "1",
		/* bits set past the prefix: the network is named instead */
		"127.0.0.1/8", "tcp:10.1.2.3/8:443", "[2001:db8::1/32]",
	};
	/* what the one line says is wrong */
	static const char *const why[][2] = {
		{ "tcp:10.0.0.0/33", "an IPv4 prefix length past 32" },
		{ "[::1/129]", "an IPv6 prefix length past 128" },
		{ "127.0.0.1/8", "bits set past /8 (the network is 127.0.0.0/8" },
		{ "[2001:db8::1/32]:80", "the network is [2001:db8::]/32" },
		{ "2001:db8::1", "an IPv6 address goes in brackets" },
		{ "tcp:10.0.0.1:70000", "a port past 65535" },
		{ "tcp:10.0.0.1:90-80", "ends before it begins" },
		{ "icmp:10.0.0.1:7", "icmp has no ports" },
		{ "[10.0.0.1]", "brackets hold an IPv6 address" },
		{ "tcp:", "no address" },
		{ "exa_mple.com", "not an IPv4 address" },
		{ "tpc:127.0.0.1:80", "unknown protocol" },
		{ "[2001:db8::]/32", "goes inside the brackets" },
		{ "[fe80::1%eth0]", "a scope (%eth0)" },
		{ "tcp:localhost:80", "localhost is not a name DNS answers" },
		{ "tcp:127.0.0.1:0", "port 0 is no destination" },
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
	for (i = 0; i < G_N_ELEMENTS(why); i++) {
		g_autoptr(GError) e = NULL;

		g_assert_cmpint(netpolicy_add(&p, false, why[i][0], &e), ==,
				-EINVAL);
		if (!strstr(e->message, why[i][1]))
			g_error("'%s': '%s' does not say '%s'", why[i][0],
				e->message, why[i][1]);
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
	/* the unspecified addresses reach the loopback */
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "0.0.0.0", 80, &rule));
	g_assert_cmpstr(rule, ==, "no-host-loopback");
	g_assert_false(decide(&p, false, NETPOLICY_UDP, "::", 80, NULL));
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "192.0.2.1", 80, NULL));
	/* an explicit allow comes first */
	g_assert_cmpint(netpolicy_add(&p, true, "tcp:127.0.0.1:8080", NULL), ==, 0);
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "127.0.0.1", 8080, NULL));
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "127.0.0.1", 8081, NULL));
	netpolicy_clear(&p);
}

/* A stub resolver on the loopback is the view's nameserver: it stays
 * reachable on 53 under --no-host-loopback, the rest of 127/8 not. */
static void test_loopback_nameserver(void)
{
	static const uint8_t ns[1][16] = { { 127, 0, 0, 53 } };
	static const int nsf[1] = { AF_INET };
	uint8_t a[4] = { 127, 0, 0, 53 };
	struct netpolicy_query q = { .proto = NETPOLICY_UDP, .family = AF_INET,
				     .addr = a, .port = 53 };
	struct netpolicy p;
	const char *rule;

	netpolicy_init(&p);
	p.no_host_loopback = true;
	g_assert_true(netpolicy_decide(&p, &q, ns, nsf, 1, &rule));
	g_assert_cmpstr(rule, ==, "nameserver");
	q.port = 80;
	g_assert_false(netpolicy_decide(&p, &q, ns, nsf, 1, &rule));
	g_assert_cmpstr(rule, ==, "no-host-loopback");
	/* a rule denying it still wins */
	q.port = 53;
	g_assert_cmpint(netpolicy_add(&p, false, "udp:127.0.0.53:53", NULL), ==, 0);
	g_assert_false(netpolicy_decide(&p, &q, ns, nsf, 1, &rule));
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
	dprintf(fd, "# a policy\n\nallow tcp:10.0.0.0/8:443\n  deny = udp:*:53 \n"
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
	dprintf(fd, "allow tcp:10.0.0.0/8:443\nallow non_sense\n");
	close(fd);
	g_assert_cmpint(netpolicy_load(&p, path, &e), ==, -EINVAL);
	g_assert_nonnull(strstr(e->message, ":2: invalid rule 'non_sense'"));
	/* the file's error, which cli.c reports without the --help hint */
	g_assert_true(g_error_matches(e, NETPOLICY_FILE_ERROR, EINVAL));
	g_assert_cmpuint(p.rules->len, ==, 3);
	netpolicy_clear(&p);
	unlink(path);
}

/* Give name @i the addresses @text ("192.0.2.1 2001:db8::1"), or none. */
static void set_addrs(const struct netpolicy *p, unsigned int i,
		      const char *text)
{
	g_auto(GStrv) v = g_strsplit(text, " ", -1);
	struct netpolicy_addrs *s = NULL;
	unsigned int n = g_strv_length(v), k;

	if (*text) {
		s = netpolicy_addrs_new(n);
		for (k = 0; k < n; k++) {
			s->v[k].family = strchr(v[k], ':') ? AF_INET6 : AF_INET;
			g_assert_cmpint(inet_pton(s->v[k].family, v[k],
						  s->v[k].addr), ==, 1);
		}
	}
	netpolicy_set_addrs(p, i, s);
}

/* Host-name rules: one entry per name, matched against its current set. */
static void test_names(void)
{
	struct netpolicy p, q;
	const char *rule;

	netpolicy_init(&p);
	g_assert_cmpuint(netpolicy_n_names(&p), ==, 0);
	g_assert_cmpint(netpolicy_add(&p, false, "deny.example", NULL), ==, 0);
	g_assert_cmpint(netpolicy_add(&p, true, "tcp:web.example:443", NULL), ==, 0);
	g_assert_cmpint(netpolicy_add(&p, true, "udp:WEB.example:53", NULL), ==, 0);
	g_assert_cmpuint(netpolicy_n_names(&p), ==, 2);
	g_assert_cmpstr(netpolicy_name(&p, 1), ==, "web.example");
	/* before the first resolution a name matches nothing */
	g_assert_cmpuint(netpolicy_n_addrs(&p, 1), ==, 0);
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "192.0.2.1", 443, &rule));
	g_assert_cmpstr(rule, ==, "default");
	set_addrs(&p, 1, "192.0.2.1 2001:db8::1");
	g_assert_cmpuint(netpolicy_n_addrs(&p, 1), ==, 2);
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "192.0.2.1", 443, &rule));
	g_assert_cmpstr(rule, ==, "tcp:web.example:443");
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "2001:db8::1", 443, NULL));
	g_assert_true(decide(&p, false, NETPOLICY_UDP, "2001:db8::1", 53, &rule));
	g_assert_cmpstr(rule, ==, "udp:WEB.example:53");
	/* proto, port, other addresses of the same network: no */
	g_assert_false(decide(&p, false, NETPOLICY_UDP, "192.0.2.1", 443, NULL));
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "192.0.2.1", 80, NULL));
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "192.0.2.2", 443, NULL));
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "2001:db8::2", 443, NULL));
	/* a deny name rule comes first once it resolves to the same address */
	set_addrs(&p, 0, "192.0.2.1");
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "192.0.2.1", 443, &rule));
	g_assert_cmpstr(rule, ==, "deny.example");
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "2001:db8::1", 443, NULL));
	/* a new answer replaces the set; none matches nothing again */
	set_addrs(&p, 0, "");
	set_addrs(&p, 1, "198.51.100.7");
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "192.0.2.1", 443, NULL));
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "198.51.100.7", 443, NULL));
	/* a name never matches bind() */
	g_assert_true(decide(&p, true, NETPOLICY_TCP, "198.51.100.7", 443, &rule));
	g_assert_cmpstr(rule, ==, "default");
	/* merged into another policy the names are its own, sets empty */
	netpolicy_init(&q);
	g_assert_cmpint(netpolicy_add(&q, true, "other.example", NULL), ==, 0);
	g_assert_cmpint(netpolicy_merge(&q, &p, true), ==, 0);
	g_assert_cmpuint(netpolicy_n_names(&q), ==, 3);
	g_assert_cmpstr(netpolicy_name(&q, 2), ==, "web.example");
	g_assert_false(decide(&q, false, NETPOLICY_TCP, "198.51.100.7", 443, NULL));
	set_addrs(&q, 2, "198.51.100.7");
	g_assert_true(decide(&q, false, NETPOLICY_TCP, "198.51.100.7", 443, &rule));
	g_assert_cmpstr(rule, ==, "tcp:web.example:443");
	netpolicy_clear(&q);
	netpolicy_clear(&p);
}

static void test_publish(void)
{
	static const char *const bad[] = {
		"", "80", "8080:", ":80", "0:80", "8080:0", "65536:80",
		"8080:65536", "8080:80/", "8080:80/sctp", "8080:80/udp/tcp",
		"x:80", "8080:80x", "-1:80", "8080:80:90", "8080-8081:80",
	};
	struct netpolicy p, q;
	g_auto(GStrv) args = NULL;
	GError *e = NULL;
	size_t i;

	netpolicy_init(&p);
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_cmpint(netpolicy_add_publish(&p, bad[i], &e), ==, -EINVAL);
		g_assert_nonnull(strstr(e->message, "invalid --publish"));
		g_clear_error(&e);
	}
	g_assert_false(netpolicy_publishing(&p));
	g_assert_cmpint(netpolicy_add_publish(&p, "8080:80", NULL), ==, 0);
	g_assert_cmpint(netpolicy_add_publish(&p, "8053:53/udp", NULL), ==, 0);
	g_assert_cmpint(netpolicy_add_publish(&p, "8080:80/udp", NULL), ==, 0);
	g_assert_cmpint(netpolicy_add_publish(&p, "443:443/tcp", NULL), ==, 0);
	g_assert_true(netpolicy_publishing(&p));
	/* publishing is not a policy: nothing to decide */
	g_assert_false(netpolicy_active(&p));
	g_assert_cmpint(netpolicy_add_publish(&p, "8081:80", &e), ==, -EEXIST);
	g_assert_nonnull(strstr(e->message, "port 80/tcp is already published"));
	g_clear_error(&e);
	g_assert_cmpint(netpolicy_add_publish(&p, "8053:54/udp", &e), ==, -EEXIST);
	g_assert_nonnull(strstr(e->message, "host port 8053/udp is already taken"));
	g_clear_error(&e);
	g_assert_cmpuint(netpolicy_published_port(&p, NETPOLICY_TCP, 80), ==, 8080);
	g_assert_cmpuint(netpolicy_published_port(&p, NETPOLICY_UDP, 53), ==, 8053);
	g_assert_cmpuint(netpolicy_published_port(&p, NETPOLICY_TCP, 53), ==, 0);
	g_assert_cmpuint(netpolicy_published_port(&p, NETPOLICY_TCP, 8080), ==, 0);
	g_assert_cmpuint(netpolicy_published_host_port(&p, NETPOLICY_TCP, 8080), ==, 80);
	g_assert_cmpuint(netpolicy_published_host_port(&p, NETPOLICY_UDP, 8053), ==, 53);
	g_assert_cmpuint(netpolicy_published_host_port(&p, NETPOLICY_UDP, 53), ==, 0);
	args = netpolicy_to_args(&p);
	g_assert_cmpuint(g_strv_length(args), ==, 4);
	g_assert_cmpstr(args[1], ==, "--publish=8053:53/udp");
	/* a later source (a configuration file): the earlier pair wins */
	netpolicy_init(&q);
	g_assert_cmpint(netpolicy_add_publish(&q, "9080:80", NULL), ==, 0);
	g_assert_cmpint(netpolicy_add_publish(&q, "8443:443/udp", NULL), ==, 0);
	g_assert_cmpint(netpolicy_merge(&p, &q, true), ==, 0);
	g_assert_cmpuint(netpolicy_published_port(&p, NETPOLICY_TCP, 80), ==, 8080);
	g_assert_cmpuint(netpolicy_published_port(&p, NETPOLICY_UDP, 443), ==, 8443);
	g_assert_cmpuint(p.publish->len, ==, 5);
	netpolicy_clear(&q);
	netpolicy_clear(&p);
}

/* Readers decide while a writer swaps sets: every verdict is whole. */
static gpointer swap_thread(gpointer data)
{
	const struct netpolicy *p = data;
	unsigned int i;

	for (i = 0; i < 20000; i++)
		set_addrs(p, 0, i % 2 ? "192.0.2.1 192.0.2.2" : "192.0.2.2");
	return NULL;
}

static void test_names_swap(void)
{
	struct netpolicy p;
	GThread *t;
	unsigned int i;

	netpolicy_init(&p);
	g_assert_cmpint(netpolicy_add(&p, true, "tcp:swap.example", NULL), ==, 0);
	set_addrs(&p, 0, "192.0.2.2");
	t = g_thread_new("swap", swap_thread, &p);
	for (i = 0; i < 20000; i++) {
		g_assert_true(decide(&p, false, NETPOLICY_TCP, "192.0.2.2", 1, NULL));
		g_assert_false(decide(&p, false, NETPOLICY_TCP, "192.0.2.3", 1, NULL));
	}
	g_thread_join(t);
	netpolicy_clear(&p);
}

/* Decide an abstract AF_UNIX name. */
static bool decide_unix(const struct netpolicy *p, bool bind, const char *name,
			const char **rule)
{
	struct netpolicy_query q = { .bind = bind, .family = AF_UNIX,
				     .name = name };
	const char *dummy;

	return netpolicy_decide(p, &q, NULL, NULL, 0, rule ? rule : &dummy);
}

/*
 * unix:@GLOB: globs over the name for connect and sends, bind:unix:@GLOB
 * for bind (a plain rule never lets a name be bound), first match,
 * private by default; they are neither IP allow rules nor matched by IP
 * rules, and bad globs are refused.
 */
static void test_unix(void)
{
	static const char *const bad[] = {
		"unix:@", "unix:", "unix:/tmp/x", "bind:unix:x", "bind:unix:@",
		"bind:tcp:unix:@x", "unix:@a\tb",
		"unix:@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	};
	struct netpolicy p, q;
	const char *rule;
	size_t i;

	netpolicy_init(&p);
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;

		if (netpolicy_add(&p, true, bad[i], &e) != -EINVAL)
			g_error("'%s' accepted", bad[i]);
	}
	g_assert_cmpint(netpolicy_add(&p, false, "unix:@/tmp/.X11-unix/X1", NULL), ==, 0);
	g_assert_cmpint(netpolicy_add(&p, true, "unix:@/tmp/.X11-unix/X*", NULL), ==, 0);
	g_assert_cmpint(netpolicy_add(&p, true, "tcp:*:443", NULL), ==, 0);
	g_assert_true(p.any_unix);
	g_assert_true(decide_unix(&p, false, "/tmp/.X11-unix/X0", &rule));
	g_assert_cmpstr(rule, ==, "unix:@/tmp/.X11-unix/X*");
	/* a plain rule does not let the sandbox serve a host name */
	g_assert_false(decide_unix(&p, true, "/tmp/.X11-unix/X0", &rule));
	g_assert_cmpstr(rule, ==, "default");
	g_assert_false(decide_unix(&p, false, "/tmp/.X11-unix/X1", &rule));
	g_assert_cmpstr(rule, ==, "unix:@/tmp/.X11-unix/X1");
	g_assert_false(decide_unix(&p, false, "/tmp/dbus-abc", &rule));
	g_assert_cmpstr(rule, ==, "default");
	/* the IP rules are not touched: tcp:*:443 alone allows */
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "10.0.0.1", 443, NULL));
	g_assert_false(decide(&p, false, NETPOLICY_TCP, "10.0.0.1", 80, NULL));
	netpolicy_clear(&p);

	/* a unix rule alone does not make IP destinations refused */
	netpolicy_init(&p);
	g_assert_cmpint(netpolicy_add(&p, true, "unix:@*", NULL), ==, 0);
	g_assert_true(netpolicy_active(&p));
	g_assert_true(decide(&p, false, NETPOLICY_TCP, "10.0.0.1", 80, NULL));
	g_assert_true(decide(&p, true, NETPOLICY_TCP, "10.0.0.1", 80, NULL));
	g_assert_true(decide_unix(&p, false, "anything", NULL));
	g_assert_false(decide_unix(&p, true, "anything", NULL));
	netpolicy_clear(&p);

	/* bind:unix:@GLOB is for bind only, and a deny of it first wins */
	netpolicy_init(&p);
	g_assert_cmpint(netpolicy_add(&p, false, "bind:unix:@srv-x", NULL), ==, 0);
	g_assert_cmpint(netpolicy_add(&p, true, "bind:unix:@srv-*", NULL), ==, 0);
	g_assert_true(p.any_unix);
	g_assert_false(p.any_allow_bind);
	g_assert_true(decide_unix(&p, true, "srv-a", &rule));
	g_assert_cmpstr(rule, ==, "bind:unix:@srv-*");
	g_assert_false(decide_unix(&p, true, "srv-x", &rule));
	g_assert_cmpstr(rule, ==, "bind:unix:@srv-x");
	g_assert_false(decide_unix(&p, false, "srv-a", &rule));
	g_assert_cmpstr(rule, ==, "default");
	g_assert_true(decide(&p, true, NETPOLICY_TCP, "10.0.0.1", 80, NULL));
	netpolicy_clear(&p);

	netpolicy_init(&p);
	g_assert_cmpint(netpolicy_add(&p, true, "unix:@*", NULL), ==, 0);
	/* merged into another policy, it stays a unix rule */
	netpolicy_init(&q);
	g_assert_cmpint(netpolicy_merge(&q, &p, false), ==, 0);
	g_assert_true(q.any_unix);
	g_assert_true(decide_unix(&q, false, "x", NULL));
	netpolicy_clear(&q);
	netpolicy_clear(&p);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/netpolicy/parse", test_parse);
	g_test_add_func("/netpolicy/decide", test_decide);
	g_test_add_func("/netpolicy/loopback", test_loopback);
	g_test_add_func("/netpolicy/loopback-nameserver", test_loopback_nameserver);
	g_test_add_func("/netpolicy/names", test_names);
	g_test_add_func("/netpolicy/names-swap", test_names_swap);
	g_test_add_func("/netpolicy/file", test_file);
	g_test_add_func("/netpolicy/publish", test_publish);
	g_test_add_func("/netpolicy/unix", test_unix);
	return g_test_run();
}
