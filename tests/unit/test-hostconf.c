// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-hostconf.c - unit tests for resolv.conf and hosts parsing, the DNS policy and file watching */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "hostconf.h"
#include "netstate.h"
#include "view.h"

/* A private directory per test, removed with everything in it. */
struct fixture {
	char *dir;
	struct view_policy p;
};

static void fx_setup(struct fixture *fx, gconstpointer unused)
{
	g_autoptr(GError) err = NULL;

	fx->dir = g_dir_make_tmp("lxnet-hostconf-XXXXXX", &err);
	g_assert_no_error(err);
	view_policy_init(&fx->p);
	fx->p.resolv_path = g_build_filename(fx->dir, "resolv.conf", NULL);
	fx->p.hosts_path = g_build_filename(fx->dir, "hosts", NULL);
	fx->p.hostname = g_strdup("box.example.org");
}

static void rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *n;

	if (!d) {
		g_unlink(path);
		return;
	}
	while ((n = g_dir_read_name(d))) {
		g_autofree char *c = g_build_filename(path, n, NULL);

		if (g_file_test(c, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(c, G_FILE_TEST_IS_SYMLINK))
			rm_rf(c);
		else
			g_unlink(c);
	}
	g_dir_close(d);
	g_rmdir(path);
}

static void fx_teardown(struct fixture *fx, gconstpointer unused)
{
	rm_rf(fx->dir);
	g_free(fx->dir);
	view_policy_clear(&fx->p);
}

static void write_file(const char *path, const char *text, gssize len)
{
	g_autoptr(GError) err = NULL;

	g_file_set_contents(path, text, len, &err);
	g_assert_no_error(err);
}

static char *fx_path(struct fixture *fx, const char *name)
{
	return g_build_filename(fx->dir, name, NULL);
}

/* Compare a NULL-terminated vector with a space-separated expectation. */
static void assert_strv(char **v, const char *expect)
{
	g_autofree char *got = NULL;

	g_assert_nonnull(v);
	got = g_strjoinv(" ", v);
	g_assert_cmpstr(got, ==, expect);
}

static struct ns_resolv_part *load_resolv(struct fixture *fx, const char *text)
{
	struct ns_resolv_part *part = NULL;

	if (text)
		write_file(fx->p.resolv_path, text, -1);
	g_assert_cmpint(resolvconf_load(&fx->p, &part), ==, 0);
	g_assert_nonnull(part);
	return part;
}

/* ---- resolv.conf ---- */

static void test_resolv_normal(struct fixture *fx, gconstpointer u)
{
	struct ns_resolv_part *t = load_resolv(fx,
		"# managed by someone\n"
		"; old-style comment\n"
		"nameserver 192.0.2.1\n"
		"nameserver\t2001:DB8::53\n"
		"nameserver 198.51.100.7 # trailing comment\n"
		"search corp.example lab.example\n"
		"options ndots:2 edns0\n"
		"options timeout:3\n");

	g_assert_true(t->r.present);
	assert_strv(t->r.servers, "192.0.2.1 2001:db8::53 198.51.100.7");
	assert_strv(t->r.search, "corp.example lab.example");
	assert_strv(t->r.options, "ndots:2 edns0 timeout:3");
	assert_strv(t->r.sortlist, "");
	g_assert_cmpstr(t->r.source, ==, fx->p.resolv_path);
	ns_resolv_part_unref(t);
}

static void test_resolv_empty(struct fixture *fx, gconstpointer u)
{
	struct ns_resolv_part *t = load_resolv(fx, "");

	g_assert_true(t->r.present);
	assert_strv(t->r.servers, "");
	assert_strv(t->r.search, "");
	assert_strv(t->r.options, "");
	ns_resolv_part_unref(t);
}

static void test_resolv_missing(struct fixture *fx, gconstpointer u)
{
	struct ns_resolv_part *t = load_resolv(fx, NULL);

	g_assert_false(t->r.present);
	assert_strv(t->r.servers, "");
	assert_strv(t->r.search, "");
	assert_strv(t->r.options, "");
	assert_strv(t->r.sortlist, "");
	ns_resolv_part_unref(t);

	/* A directory or FIFO in its place is "not readable", not an error. */
	g_assert_cmpint(g_mkdir(fx->p.resolv_path, 0700), ==, 0);
	t = load_resolv(fx, NULL);
	g_assert_false(t->r.present);
	ns_resolv_part_unref(t);
}

/* No nameserver line: c-ares's invented 127.0.0.1 must not show. */
static void test_resolv_no_nameserver(struct fixture *fx, gconstpointer u)
{
	struct ns_resolv_part *t = load_resolv(fx,
		"nameserver not-an-address\noptions rotate\n");

	assert_strv(t->r.servers, "");
	/* ... and no search list derived from the machine's hostname. */
	assert_strv(t->r.search, "");
	assert_strv(t->r.options, "rotate");
	ns_resolv_part_unref(t);
}

static void test_resolv_huge(struct fixture *fx, gconstpointer u)
{
	g_autoptr(GString) s = g_string_new("nameserver 192.0.2.1\n");
	struct ns_resolv_part *t;
	const char *cut = "nameserver 10.1.2.30\n";

	while (s->len < VIEW_RESOLV_MAX - 15)
		g_string_append(s, "# padding padding padding padding\n");
	/* A line the bound cuts after "nameserver 10.1.2.3", a valid address. */
	g_string_truncate(s, VIEW_RESOLV_MAX - 19);
	g_string_append_c(s, '\n');
	g_assert_cmpuint(s->len + 19, ==, VIEW_RESOLV_MAX + 1);
	g_string_append(s, cut);
	g_string_append(s, "nameserver 192.0.2.99\nsearch late.example\n");
	g_assert_cmpuint(s->len, >, VIEW_RESOLV_MAX);
	t = load_resolv(fx, s->str);
	g_assert_true(t->r.present);
	assert_strv(t->r.servers, "192.0.2.1");
	assert_strv(t->r.search, "");
	ns_resolv_part_unref(t);
}

static void test_resolv_binary(struct fixture *fx, gconstpointer u)
{
	static const char bin[] =
		"nameserver 192.0.2.1\n"
		"search before.example\n"
		"nameserver 192.0.2.2\0garbage\xff\xfe\n"
		"nameserver 192.0.2.3\n";
	struct ns_resolv_part *t;

	write_file(fx->p.resolv_path, bin, sizeof(bin) - 1);
	t = load_resolv(fx, NULL);
	g_assert_true(t->r.present);
	/* Up to the first NUL, without the line the NUL cuts. */
	assert_strv(t->r.servers, "192.0.2.1");
	assert_strv(t->r.search, "before.example");
	ns_resolv_part_unref(t);

	/* Pure binary: present, nothing in it. */
	write_file(fx->p.resolv_path, "\x7f" "ELF\x02\x01\x01\0\0\0", 10);
	t = load_resolv(fx, NULL);
	g_assert_true(t->r.present);
	assert_strv(t->r.servers, "");
	ns_resolv_part_unref(t);
}

/* A file a writer has not finished: a complete last line is kept. */
static void test_resolv_truncated_line(struct fixture *fx, gconstpointer u)
{
	struct ns_resolv_part *t = load_resolv(fx,
		"nameserver 192.0.2.1\nsearch a.example\nnameserver 192.0.2");

	assert_strv(t->r.servers, "192.0.2.1");
	assert_strv(t->r.search, "a.example");
	ns_resolv_part_unref(t);

	t = load_resolv(fx, "nameserver 192.0.2.1\nnameserver 192.0.2.7");
	assert_strv(t->r.servers, "192.0.2.1 192.0.2.7");
	ns_resolv_part_unref(t);

	t = load_resolv(fx, "nameserver 192.0.2.1\nopti");
	assert_strv(t->r.servers, "192.0.2.1");
	assert_strv(t->r.options, "");
	ns_resolv_part_unref(t);
}

static void test_resolv_domain_search(struct fixture *fx, gconstpointer u)
{
	struct ns_resolv_part *t;

	t = load_resolv(fx, "search a.example b.example\ndomain c.example\n");
	assert_strv(t->r.search, "c.example");
	ns_resolv_part_unref(t);
	t = load_resolv(fx, "domain c.example\nsearch a.example b.example\n");
	assert_strv(t->r.search, "a.example b.example");
	ns_resolv_part_unref(t);
	t = load_resolv(fx, "search a.example\nsearch d.example e.example f.example\n");
	assert_strv(t->r.search, "d.example e.example f.example");
	ns_resolv_part_unref(t);
	/* "domain" keeps only its first word, as glibc does. */
	t = load_resolv(fx, "domain g.example h.example\n");
	assert_strv(t->r.search, "g.example");
	ns_resolv_part_unref(t);
}

static void test_resolv_options(struct fixture *fx, gconstpointer u)
{
	struct ns_resolv_part *t;

	t = load_resolv(fx,
		"options ndots:1 rotate timeout:2\n"
		"nameserver 192.0.2.1\n"
		"options ndots:3 trust-ad\n"
		"options timeout:5 rotate unknown-future-option\n");
	/* Later wins per key; the list is in order of last occurrence. */
	assert_strv(t->r.options,
		    "ndots:3 trust-ad timeout:5 rotate unknown-future-option");
	ns_resolv_part_unref(t);

	/* Not an "options" line: the keyword needs a blank after it. */
	t = load_resolv(fx, "optionsndots:4\n options ndots:5\n");
	assert_strv(t->r.options, "");
	ns_resolv_part_unref(t);
}

static void test_resolv_sortlist(struct fixture *fx, gconstpointer u)
{
	struct ns_resolv_part *t = load_resolv(fx,
		"sortlist 130.155.160.0/255.255.240.0 130.155.0.0 bad 10.0.0.0/x\n"
		"sortlist 192.0.2.0&255.255.255.0\n");

	assert_strv(t->r.sortlist,
		    "130.155.160.0/255.255.240.0 130.155.0.0 192.0.2.0&255.255.255.0");
	ns_resolv_part_unref(t);
}

/*
 * Where c-ares 1.18.1 is laxer than glibc ("10" as 10.0.0.0, every word of
 * a line, comma lists), the view follows glibc: one strict address per line.
 */
static void test_resolv_glibc_rules(struct fixture *fx, gconstpointer u)
{
	struct ns_resolv_part *t = load_resolv(fx,
		"nameserver 10\n"
		"nameserver 192.0.2\n"
		"nameserver 192.0.2.1,192.0.2.2\n"
		"nameserver 192.0.2.3 192.0.2.4\n"
		"nameserver 192.0.2.5\n"
		"nameserver 192.0.2.5\n"
		" nameserver 192.0.2.6\n"
		"nameserver=192.0.2.7\n");

	assert_strv(t->r.servers, "192.0.2.3 192.0.2.5 192.0.2.5");
	ns_resolv_part_unref(t);
}

static void test_resolv_ipv6(struct fixture *fx, gconstpointer u)
{
	struct ns_resolv_part *t = load_resolv(fx,
		"nameserver ::1\nnameserver 2001:0db8:0000::0035\n"
		"nameserver fd00::1\n");

	assert_strv(t->r.servers, "::1 2001:db8::35 fd00::1");
	ns_resolv_part_unref(t);
}

/* LOCALDOMAIN and RES_OPTIONS of whoever runs lxnet must not leak in. */
static void test_resolv_environment(struct fixture *fx, gconstpointer u)
{
	struct ns_resolv_part *t;

	g_setenv("LOCALDOMAIN", "leak.example", TRUE);
	g_setenv("RES_OPTIONS", "ndots:9 rotate", TRUE);
	t = load_resolv(fx, "nameserver 192.0.2.1\nsearch file.example\n");
	assert_strv(t->r.search, "file.example");
	assert_strv(t->r.options, "");
	ns_resolv_part_unref(t);
	t = load_resolv(fx, "nameserver 192.0.2.1\n");
	assert_strv(t->r.search, "");
	ns_resolv_part_unref(t);
	t = load_resolv(fx, "domain a.example\nsearch b.example c.example\n");
	assert_strv(t->r.search, "b.example c.example");
	ns_resolv_part_unref(t);
	g_unsetenv("LOCALDOMAIN");
	g_unsetenv("RES_OPTIONS");
}

static void test_resolv_dns_override(struct fixture *fx, gconstpointer u)
{
	char *dns[] = { "203.0.113.5", "2001:DB8::5", "bogus", NULL };
	char *search[] = { "mine.example", NULL };
	struct ns_resolv_part *t;

	fx->p.dns = g_strdupv(dns);
	fx->p.dns_search = g_strdupv(search);
	t = load_resolv(fx, "nameserver 192.0.2.1\nsearch host.example\n"
			    "options edns0\n");
	assert_strv(t->r.servers, "203.0.113.5 2001:db8::5");
	assert_strv(t->r.search, "mine.example");
	assert_strv(t->r.options, "edns0");
	ns_resolv_part_unref(t);

	/* The policy applies even when the host has no file. */
	g_unlink(fx->p.resolv_path);
	t = load_resolv(fx, NULL);
	g_assert_false(t->r.present);
	assert_strv(t->r.servers, "203.0.113.5 2001:db8::5");
	assert_strv(t->r.search, "mine.example");
	ns_resolv_part_unref(t);
}

static void test_resolv_dns_upstream(struct fixture *fx, gconstpointer u)
{
	g_autofree char *up1 = fx_path(fx, "missing-upstream.conf");
	g_autofree char *up2 = fx_path(fx, "upstream.conf");
	g_autofree char *up3 = fx_path(fx, "later-upstream.conf");
	char *ups[] = { up1, up2, up3, NULL };
	const char *stub = "nameserver 127.0.0.53\noptions edns0 trust-ad\n"
			   "search corp.example\n";
	struct ns_resolv_part *t;

	write_file(up2, "nameserver 192.0.2.10\nnameserver 2001:db8::10\n"
			"search other.example\n", -1);
	write_file(up3, "nameserver 198.51.100.1\n", -1);
	fx->p.upstream_paths = g_strdupv(ups);

	/* Default: the stub stays. */
	t = load_resolv(fx, stub);
	assert_strv(t->r.servers, "127.0.0.53");
	ns_resolv_part_unref(t);

	fx->p.dns_upstream = true;
	t = load_resolv(fx, stub);
	/* First readable upstream file; search and options stay the host's. */
	assert_strv(t->r.servers, "192.0.2.10 2001:db8::10");
	assert_strv(t->r.search, "corp.example");
	assert_strv(t->r.options, "edns0 trust-ad");
	ns_resolv_part_unref(t);

	t = load_resolv(fx, "nameserver 127.0.0.1\nnameserver ::1\n");
	assert_strv(t->r.servers, "192.0.2.10 2001:db8::10");
	ns_resolv_part_unref(t);

	/* Not only stubs: nothing to replace. */
	t = load_resolv(fx, "nameserver 127.0.0.53\nnameserver 192.0.2.99\n");
	assert_strv(t->r.servers, "127.0.0.53 192.0.2.99");
	ns_resolv_part_unref(t);

	/* First readable upstream file has no server: keep the stub. */
	write_file(up2, "# empty\n", -1);
	t = load_resolv(fx, stub);
	assert_strv(t->r.servers, "127.0.0.53");
	ns_resolv_part_unref(t);

	/* No upstream file readable: keep the stub. */
	g_unlink(up2);
	g_unlink(up3);
	t = load_resolv(fx, stub);
	assert_strv(t->r.servers, "127.0.0.53");
	ns_resolv_part_unref(t);
}

static void test_text_len(void)
{
	g_assert_cmpuint(hostconf_text_len("ab\ncd", 5, false), ==, 5);
	g_assert_cmpuint(hostconf_text_len("ab\ncd", 5, true), ==, 3);
	g_assert_cmpuint(hostconf_text_len("ab\ncd\n", 6, true), ==, 6);
	g_assert_cmpuint(hostconf_text_len("ab\nc\0d\n", 7, false), ==, 3);
	g_assert_cmpuint(hostconf_text_len("\0ab\n", 4, false), ==, 0);
	g_assert_cmpuint(hostconf_text_len("abc", 3, true), ==, 0);
	g_assert_cmpuint(hostconf_text_len("", 0, false), ==, 0);
}

/* ---- hosts ---- */

static struct ns_hosts *load_hosts(struct fixture *fx, const char *text)
{
	struct ns_hosts *h = NULL;

	if (text)
		write_file(fx->p.hosts_path, text, -1);
	g_assert_cmpint(hostsfile_load(&fx->p, fx->p.hostname, &h), ==, 0);
	g_assert_nonnull(h);
	g_assert_cmpuint(h->len, ==, strlen(h->lines));
	return h;
}

#define MISSING_LOCALHOST                                         \
	"# Added by lxnet: names the host's file does not map\n" \
	"127.0.0.1\tlocalhost\n"                                  \
	"::1\tlocalhost ip6-localhost ip6-loopback\n"
#define MISSING_HOSTNAME "127.0.1.1\tbox.example.org box\n"

/* Golden: every line of the host's file, in order, byte for byte. */
static void test_hosts_verbatim(struct fixture *fx, gconstpointer u)
{
	static const char text[] =
		"# comment line\n"
		"\n"
		"   \t \n"
		"127.0.0.1\tlocalhost\n"
		"127.0.0.1 vm box.example.org\n"
		"192.0.2.1\tweb.example web # the web server\n"
		"  198.51.100.2   db.example   db\n"
		"2001:DB8:0::1 v6.example\n"
		"192.0.2.1 again.example\r\n"
		"300.1.2.3 bad.octet\n"
		"fe80::1%eth0 scoped\n"
		"::1 localhost ip6-localhost\n";
	struct ns_hosts *h = load_hosts(fx, text);

	/* localhost and the hostname are mapped (the short name is not, and
	 * stays so: the host does not map it either). */
	g_assert_cmpstr(h->lines, ==, text);
	g_assert_cmpstr(h->source, ==, fx->p.hosts_path);
	ns_hosts_unref(h);
}

/* The case: the host maps its name to 127.0.0.1; so does the view. */
static void test_hosts_hostname_mapped(struct fixture *fx, gconstpointer u)
{
	struct ns_hosts *h;

	g_free(fx->p.hostname);
	fx->p.hostname = g_strdup("vm");
	h = load_hosts(fx, "127.0.0.1 localhost vm\n");
	g_assert_cmpstr(h->lines, ==, "127.0.0.1 localhost vm\n");
	g_assert_null(strstr(h->lines, "127.0.1.1"));
	g_assert_null(strstr(h->lines, "::1"));
	ns_hosts_unref(h);
	/* Case-insensitively, as glibc compares. */
	h = load_hosts(fx, "127.0.0.1 LocalHost\n10.1.2.3 VM\n");
	g_assert_cmpstr(h->lines, ==, "127.0.0.1 LocalHost\n10.1.2.3 VM\n");
	ns_hosts_unref(h);
}

/* Names nothing maps get Debian's lines, after the host's. */
static void test_hosts_unmapped(struct fixture *fx, gconstpointer u)
{
	struct ns_hosts *h;

	h = load_hosts(fx, "192.0.2.1 web\n# 127.0.0.1 localhost box.example.org\n");
	g_assert_cmpstr(h->lines, ==,
			"192.0.2.1 web\n# 127.0.0.1 localhost box.example.org\n"
			MISSING_LOCALHOST MISSING_HOSTNAME);
	ns_hosts_unref(h);
	/* The short name is left out when the host maps it. */
	h = load_hosts(fx, "127.0.0.1 localhost\n10.0.0.1 box\n");
	g_assert_cmpstr(h->lines, ==,
			"127.0.0.1 localhost\n10.0.0.1 box\n"
			"# Added by lxnet: names the host's file does not map\n"
			"127.0.1.1\tbox.example.org\n");
	ns_hosts_unref(h);
	/* A hostname of "localhost" gets no line of its own. */
	g_free(fx->p.hostname);
	fx->p.hostname = g_strdup("localhost");
	h = load_hosts(fx, "192.0.2.1 web");
	g_assert_cmpstr(h->lines, ==, "192.0.2.1 web\n" MISSING_LOCALHOST);
	ns_hosts_unref(h);
	/* A line without an address or without names maps nothing. */
	g_free(fx->p.hostname);
	fx->p.hostname = g_strdup("box.example.org");
	h = load_hosts(fx, "127.0.0.1\nlocalhost 127.0.0.1\n127.0.0.1 # localhost\n");
	g_assert_true(g_str_has_suffix(h->lines, MISSING_LOCALHOST MISSING_HOSTNAME));
	ns_hosts_unref(h);
}

static void test_hosts_add_host(struct fixture *fx, gconstpointer u)
{
	char *extra[] = { "db:10.0.0.5", "Web:10.0.0.6", "v6:2001:db8::1",
			  "broken", "bad:not-an-address", NULL };
	struct ns_hosts *h;

	fx->p.extra_hosts = g_strdupv(extra);
	h = load_hosts(fx,
		"127.0.0.1 localhost box.example.org\n"
		"192.0.2.5 db web.example # comment\n"
		"192.0.2.6 WEB\n"
		"192.0.2.7\tv6  other\n"
		"192.0.2.8 untouched # db\n");
	g_assert_cmpstr(h->lines, ==,
		/* --add-host entries first, IPv6 split at the first colon. */
		"# Added by lxnet: --add-host\n"
		"10.0.0.5\tdb\n"
		"10.0.0.6\tWeb\n"
		"2001:db8::1\tv6\n"
		"127.0.0.1 localhost box.example.org\n"
		/* Host lines lose the names claimed (case-insensitively). */
		"192.0.2.5\tweb.example\n"
		"192.0.2.7\tother\n"
		"192.0.2.8 untouched # db\n");
	ns_hosts_unref(h);

	/* Without a host file the --add-host entries are still there. */
	g_unlink(fx->p.hosts_path);
	h = load_hosts(fx, NULL);
	g_assert_true(g_str_has_prefix(h->lines,
		"# Added by lxnet: --add-host\n10.0.0.5\tdb\n"));
	g_assert_true(g_str_has_suffix(h->lines, "2001:db8::1\tv6\n"
				       MISSING_LOCALHOST MISSING_HOSTNAME));
	ns_hosts_unref(h);
}

static void test_hosts_missing(struct fixture *fx, gconstpointer u)
{
	struct ns_hosts *h = load_hosts(fx, NULL);

	g_assert_cmpstr(h->lines, ==, MISSING_LOCALHOST MISSING_HOSTNAME);
	ns_hosts_unref(h);
	/* A last line without a newline gets one: appends start a line. */
	h = load_hosts(fx, "127.0.0.1 localhost box.example.org");
	g_assert_cmpstr(h->lines, ==, "127.0.0.1 localhost box.example.org\n");
	ns_hosts_unref(h);
}

static void test_hosts_large(struct fixture *fx, gconstpointer u)
{
	g_autoptr(GString) s = g_string_new(NULL);
	struct ns_hosts *h;
	gint64 t0, t1;
	guint i;

	for (i = 0; i < 100000; i++)
		g_string_append_printf(s, "10.%u.%u.%u\thost%u.example host%u\n",
				       i >> 16, (i >> 8) & 255, i & 255, i, i);
	write_file(fx->p.hosts_path, s->str, (gssize)s->len);
	t0 = g_get_monotonic_time();
	h = load_hosts(fx, NULL);
	t1 = g_get_monotonic_time();
	g_test_message("100,000-line hosts file (%zu bytes) read in %.1f ms",
		       s->len, (double)(t1 - t0) / 1000.0);
	g_assert_true(g_str_has_prefix(h->lines, s->str));
	g_assert_cmpuint(h->len, ==, s->len + strlen(MISSING_LOCALHOST MISSING_HOSTNAME));
	ns_hosts_unref(h);
}

static void test_hosts_bound(struct fixture *fx, gconstpointer u)
{
	g_autoptr(GString) s = g_string_new("192.0.2.1 first\n");
	struct ns_hosts *h;
	gsize keep;

	/* Fill to 14 bytes short of the bound; then a line the bound cuts
	 * after "192.0.2.2 cut" (valid, but not what the file says). */
	while (s->len < VIEW_HOSTS_MAX - 1000)
		g_string_append(s, "# ...................................................\n");
	while (s->len < VIEW_HOSTS_MAX - 14)
		g_string_append_c(s, s->len == VIEW_HOSTS_MAX - 15 ? '\n' : '#');
	g_assert_cmpuint(s->len, ==, VIEW_HOSTS_MAX - 14);
	keep = s->len;
	g_string_append(s, "192.0.2.2 cutname\n");
	g_string_append(s, "192.0.2.3 after\n");
	g_assert_cmpuint(s->len, >, VIEW_HOSTS_MAX);
	write_file(fx->p.hosts_path, s->str, (gssize)s->len);
	h = load_hosts(fx, NULL);
	g_assert_cmpuint(h->len, ==, keep + strlen(MISSING_LOCALHOST MISSING_HOSTNAME));
	g_assert_cmpint(memcmp(h->lines, s->str, keep), ==, 0);
	g_assert_null(strstr(h->lines, "cutname"));
	ns_hosts_unref(h);
	/* Binary content: nothing from the line holding a NUL on. */
	write_file(fx->p.hosts_path, "192.0.2.1 a\n192.0.2.2 b\0c\n192.0.2.3 d\n", 38);
	h = load_hosts(fx, NULL);
	g_assert_cmpstr(h->lines, ==, "192.0.2.1 a\n" MISSING_LOCALHOST MISSING_HOSTNAME);
	ns_hosts_unref(h);
}

static void test_hostname(struct fixture *fx, gconstpointer u)
{
	g_autofree char *name = NULL;
	g_autofree char *host = NULL;
	struct utsname un;

	g_assert_cmpint(hostname_load(&fx->p, &name), ==, 0);
	g_assert_cmpstr(name, ==, "box.example.org");
	g_clear_pointer(&fx->p.hostname, g_free);
	g_assert_cmpint(uname(&un), ==, 0);
	g_assert_cmpint(hostname_load(&fx->p, &host), ==, 0);
	g_assert_cmpstr(host, ==, un.nodename);
}

/* ---- filewatch ---- */

struct watch_counter {
	GMainLoop *loop;
	guint calls;
	guint quit_at;
};

static void on_change(void *data)
{
	struct watch_counter *c = data;

	c->calls++;
	if (c->loop && c->calls >= c->quit_at)
		g_main_loop_quit(c->loop);
}

static gboolean on_timeout(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

/*
 * Run @ctx until one more callback arrives (true) or @ms pass (false).
 */
static bool wait_change(GMainContext *ctx, struct watch_counter *c, guint ms)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(ctx, FALSE);
	GSource *t = g_timeout_source_new(ms);
	guint before = c->calls;

	g_source_set_callback(t, on_timeout, loop, NULL);
	g_source_attach(t, ctx);
	c->loop = loop;
	c->quit_at = before + 1;
	g_main_loop_run(loop);
	c->loop = NULL;
	g_source_destroy(t);
	g_source_unref(t);
	return c->calls > before;
}

/* Let pending events settle, then forget them. */
static void drain_changes(GMainContext *ctx, struct watch_counter *c)
{
	int i;

	for (i = 0; i < 50 && wait_change(ctx, c, 150); i++)
		;
	g_assert_cmpint(i, <, 50);
}

struct watch_fx {
	GMainContext *ctx;
	struct filewatch *w;
	struct watch_counter c;
};

static void watch_start(struct watch_fx *wf, const char *path)
{
	const char *paths[] = { path, NULL };

	memset(wf, 0, sizeof(*wf));
	wf->ctx = g_main_context_new();
	g_assert_cmpint(filewatch_new(wf->ctx, paths, on_change, &wf->c, &wf->w),
			==, 0);
}

static void watch_stop(struct watch_fx *wf)
{
	filewatch_free(wf->w);
	g_main_context_unref(wf->ctx);
}

/*
 * A writer that keeps the file open (no IN_CLOSE_WRITE; the directory never
 * hears of it either when the file is bind-mounted elsewhere): the write
 * counts after the quiet time, and once only for a burst of writes.
 */
static void test_watch_write_held_open(struct fixture *fx, gconstpointer u)
{
	g_autofree char *f = fx_path(fx, "hosts");
	struct watch_fx wf;
	gint64 t0, t1;
	int fd, i;

	write_file(f, "192.0.2.1 a\n", -1);
	watch_start(&wf, f);
	fd = open(f, O_WRONLY | O_APPEND | O_CLOEXEC);
	g_assert_cmpint(fd, >=, 0);
	t0 = g_get_monotonic_time();
	for (i = 0; i < 20; i++)
		g_assert_cmpint(write(fd, "192.0.2.2 b\n", 12), ==, 12);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	t1 = g_get_monotonic_time();
	g_test_message("write left open: callback after %.1f ms",
		       (double)(t1 - t0) / 1000.0);
	g_assert_cmpuint(wf.c.calls, ==, 1);
	g_assert_false(wait_change(wf.ctx, &wf.c, 300));
	/* The close is one more batch. */
	close(fd);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	watch_stop(&wf);
}

static void test_watch_write(struct fixture *fx, gconstpointer u)
{
	g_autofree char *f = fx_path(fx, "resolv.conf");
	g_autofree char *other = fx_path(fx, "unrelated");
	struct watch_fx wf;
	FILE *fp;

	write_file(f, "nameserver 192.0.2.1\n", -1);
	watch_start(&wf, f);
	/* In place: open, write, close (IN_CLOSE_WRITE). */
	fp = fopen(f, "w");
	g_assert_nonnull(fp);
	fputs("nameserver 192.0.2.2\n", fp);
	fclose(fp);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	drain_changes(wf.ctx, &wf.c);
	/* Another file in the same directory does not fire. */
	write_file(other, "x", -1);
	g_assert_false(wait_change(wf.ctx, &wf.c, 300));
	watch_stop(&wf);
}

static void test_watch_rename(struct fixture *fx, gconstpointer u)
{
	g_autofree char *f = fx_path(fx, "resolv.conf");
	g_autofree char *tmp = fx_path(fx, ".resolv.conf.new");
	struct watch_fx wf;

	write_file(f, "nameserver 192.0.2.1\n", -1);
	watch_start(&wf, f);
	g_assert_cmpint(g_file_set_contents(tmp, "nameserver 192.0.2.3\n", -1,
					    NULL), ==, TRUE);
	drain_changes(wf.ctx, &wf.c); /* the temp file's name is not watched */
	g_assert_cmpint(rename(tmp, f), ==, 0);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	watch_stop(&wf);
}

static void test_watch_recreate(struct fixture *fx, gconstpointer u)
{
	g_autofree char *f = fx_path(fx, "hosts");
	struct watch_fx wf;

	write_file(f, "192.0.2.1 a\n", -1);
	watch_start(&wf, f);
	g_assert_cmpint(g_unlink(f), ==, 0);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	drain_changes(wf.ctx, &wf.c);
	write_file(f, "192.0.2.2 b\n", -1);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	watch_stop(&wf);
}

/* The watched path's directory appears only later. */
static void test_watch_missing_dir(struct fixture *fx, gconstpointer u)
{
	g_autofree char *d = fx_path(fx, "run");
	g_autofree char *f = g_build_filename(d, "resolv.conf", NULL);
	struct watch_fx wf;

	watch_start(&wf, f);
	g_assert_cmpint(g_mkdir(d, 0755), ==, 0);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	drain_changes(wf.ctx, &wf.c);
	write_file(f, "nameserver 192.0.2.1\n", -1);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	watch_stop(&wf);
}

/*
 * /etc/resolv.conf -> B/stub-resolv.conf, retargeted by "ln -sf" (a new
 * link renamed over the old) to C/resolv.conf; then edits of each target.
 */
static void test_watch_symlink(struct fixture *fx, gconstpointer u)
{
	g_autofree char *a = fx_path(fx, "A");
	g_autofree char *b = fx_path(fx, "B");
	g_autofree char *c = fx_path(fx, "C");
	g_autofree char *link = g_build_filename(a, "resolv.conf", NULL);
	g_autofree char *newlink = g_build_filename(a, ".resolv.conf.tmp", NULL);
	g_autofree char *tb = g_build_filename(b, "stub-resolv.conf", NULL);
	g_autofree char *tc = g_build_filename(c, "resolv.conf", NULL);
	struct watch_fx wf;

	g_assert_cmpint(g_mkdir(a, 0755), ==, 0);
	g_assert_cmpint(g_mkdir(b, 0755), ==, 0);
	g_assert_cmpint(g_mkdir(c, 0755), ==, 0);
	write_file(tb, "nameserver 127.0.0.53\n", -1);
	write_file(tc, "nameserver 192.0.2.1\n", -1);
	/* A relative link, as systemd-resolved's is ("../run/..."). */
	g_assert_cmpint(symlink("../B/stub-resolv.conf", link), ==, 0);
	watch_start(&wf, link);

	/* An edit in the link's target directory. */
	write_file(tb, "nameserver 127.0.0.54\n", -1);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	drain_changes(wf.ctx, &wf.c);

	/* Retarget, as ln -sf does. */
	g_assert_cmpint(symlink(tc, newlink), ==, 0);
	drain_changes(wf.ctx, &wf.c);
	g_assert_cmpint(rename(newlink, link), ==, 0);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	drain_changes(wf.ctx, &wf.c);

	/* The new target is watched now, the old one no longer. */
	write_file(tc, "nameserver 192.0.2.2\n", -1);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	drain_changes(wf.ctx, &wf.c);
	write_file(tb, "nameserver 127.0.0.55\n", -1);
	g_assert_false(wait_change(wf.ctx, &wf.c, 300));
	watch_stop(&wf);
}

/* A symlinked directory along the path, retargeted. */
static void test_watch_dir_symlink(struct fixture *fx, gconstpointer u)
{
	g_autofree char *b = fx_path(fx, "B");
	g_autofree char *c = fx_path(fx, "C");
	g_autofree char *dl = fx_path(fx, "etc");
	g_autofree char *f = g_build_filename(dl, "hosts", NULL);
	g_autofree char *fc = g_build_filename(c, "hosts", NULL);
	struct watch_fx wf;

	g_assert_cmpint(g_mkdir(b, 0755), ==, 0);
	g_assert_cmpint(g_mkdir(c, 0755), ==, 0);
	g_assert_cmpint(symlink("B", dl), ==, 0);
	watch_start(&wf, f);
	g_assert_cmpint(g_unlink(dl), ==, 0);
	g_assert_cmpint(symlink("C", dl), ==, 0);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	drain_changes(wf.ctx, &wf.c);
	write_file(fc, "192.0.2.1 c\n", -1);
	g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	watch_stop(&wf);
}

static void test_watch_burst(struct fixture *fx, gconstpointer u)
{
	g_autofree char *f = fx_path(fx, "resolv.conf");
	struct watch_fx wf;
	guint i;

	write_file(f, "nameserver 192.0.2.1\n", -1);
	watch_start(&wf, f);
	for (i = 0; i < 100; i++) {
		FILE *fp = fopen(f, "w");

		g_assert_nonnull(fp);
		fprintf(fp, "nameserver 192.0.2.%u\n", i);
		fclose(fp);
		/* Let the loop see some of them as they come. */
		if (i % 25 == 0)
			g_main_context_iteration(wf.ctx, FALSE);
	}
	if (wf.c.calls == 0)
		g_assert_true(wait_change(wf.ctx, &wf.c, 3000));
	drain_changes(wf.ctx, &wf.c);
	g_test_message("100 writes gave %u callbacks", wf.c.calls);
	g_assert_cmpuint(wf.c.calls, >=, 1);
	g_assert_cmpuint(wf.c.calls, <=, 10);
	watch_stop(&wf);
}

struct burst {
	const char *path;
	gint done;
	gint failed;
};

static gpointer burst_writer(gpointer data)
{
	struct burst *b = data;
	guint i;

	for (i = 0; i < 100; i++) {
		FILE *fp = fopen(b->path, "w");

		if (!fp) {
			g_atomic_int_set(&b->failed, 1);
			break;
		}
		fprintf(fp, "nameserver 192.0.2.%u\n", i);
		fclose(fp);
		g_usleep(500);
	}
	g_atomic_int_set(&b->done, 1);
	return NULL;
}

/* Writes arriving while the loop runs: the settle time merges them. */
static void test_watch_burst_live(struct fixture *fx, gconstpointer u)
{
	g_autofree char *f = fx_path(fx, "resolv.conf");
	struct burst b = { .path = f };
	struct watch_fx wf;
	GThread *th;
	gint64 t0, t1, end;

	write_file(f, "nameserver 192.0.2.1\n", -1);
	watch_start(&wf, f);
	t0 = g_get_monotonic_time();
	end = t0 + 3 * G_USEC_PER_SEC;
	th = g_thread_new("writer", burst_writer, &b);
	while (!g_atomic_int_get(&b.done) && g_get_monotonic_time() < end)
		g_main_context_iteration(wf.ctx, FALSE);
	t1 = g_get_monotonic_time();
	g_thread_join(th);
	g_assert_false(g_atomic_int_get(&b.failed));
	g_assert_true(g_atomic_int_get(&b.done));
	drain_changes(wf.ctx, &wf.c);
	g_test_message("100 writes over %.1f ms gave %u callbacks",
		       (double)(t1 - t0) / 1000.0, wf.c.calls);
	g_assert_cmpuint(wf.c.calls, >=, 1);
	g_assert_cmpuint(wf.c.calls, <, 50);
	watch_stop(&wf);
}

struct free_fx {
	struct filewatch *w;
	GMainLoop *loop;
	guint calls;
};

static void on_change_free(void *data)
{
	struct free_fx *ff = data;

	ff->calls++;
	filewatch_free(ff->w);
	ff->w = NULL;
	g_main_loop_quit(ff->loop);
}

/* The callback may free its watcher; nothing runs after that. */
static void test_watch_free_in_callback(struct fixture *fx, gconstpointer u)
{
	g_autofree char *f = fx_path(fx, "hosts");
	const char *paths[] = { f, NULL };
	GMainContext *ctx = g_main_context_new();
	struct free_fx ff = { 0 };
	GSource *t;
	gint64 end;

	write_file(f, "", -1);
	g_assert_cmpint(filewatch_new(ctx, paths, on_change_free, &ff, &ff.w),
			==, 0);
	ff.loop = g_main_loop_new(ctx, FALSE);
	t = g_timeout_source_new(3000);
	g_source_set_callback(t, on_timeout, ff.loop, NULL);
	g_source_attach(t, ctx);
	write_file(f, "192.0.2.1 a\n", -1);
	g_main_loop_run(ff.loop);
	g_source_destroy(t);
	g_source_unref(t);
	g_assert_cmpuint(ff.calls, ==, 1);
	g_assert_null(ff.w);
	write_file(f, "192.0.2.2 b\n", -1);
	end = g_get_monotonic_time() + 200 * 1000;
	while (g_get_monotonic_time() < end)
		g_main_context_iteration(ctx, FALSE);
	g_assert_cmpuint(ff.calls, ==, 1);
	g_main_loop_unref(ff.loop);
	g_main_context_unref(ctx);
}

static void test_watch_bad_args(void)
{
	const char *paths[] = { "/nonexistent-lxnet/x", NULL };
	struct filewatch *w = NULL;

	g_assert_cmpint(filewatch_new(NULL, NULL, on_change, NULL, &w), ==, -EINVAL);
	g_assert_cmpint(filewatch_new(NULL, paths, NULL, NULL, &w), ==, -EINVAL);
	g_assert_null(w);
	filewatch_free(NULL);
}

static void fx_test(const char *name,
		    void (*fn)(struct fixture *, gconstpointer))
{
	g_test_add(name, struct fixture, NULL, fx_setup, fn, fx_teardown);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hostconf/text-len", test_text_len);
	fx_test("/resolv/normal", test_resolv_normal);
	fx_test("/resolv/empty", test_resolv_empty);
	fx_test("/resolv/missing", test_resolv_missing);
	fx_test("/resolv/no-nameserver", test_resolv_no_nameserver);
	fx_test("/resolv/huge", test_resolv_huge);
	fx_test("/resolv/binary", test_resolv_binary);
	fx_test("/resolv/truncated-line", test_resolv_truncated_line);
	fx_test("/resolv/domain-vs-search", test_resolv_domain_search);
	fx_test("/resolv/options", test_resolv_options);
	fx_test("/resolv/sortlist", test_resolv_sortlist);
	fx_test("/resolv/ipv6", test_resolv_ipv6);
	fx_test("/resolv/glibc-rules", test_resolv_glibc_rules);
	fx_test("/resolv/environment", test_resolv_environment);
	fx_test("/resolv/dns-override", test_resolv_dns_override);
	fx_test("/resolv/dns-upstream", test_resolv_dns_upstream);
	fx_test("/hosts/verbatim", test_hosts_verbatim);
	fx_test("/hosts/hostname-mapped", test_hosts_hostname_mapped);
	fx_test("/hosts/unmapped", test_hosts_unmapped);
	fx_test("/hosts/add-host", test_hosts_add_host);
	fx_test("/hosts/missing", test_hosts_missing);
	fx_test("/hosts/large", test_hosts_large);
	fx_test("/hosts/bound", test_hosts_bound);
	fx_test("/hosts/hostname", test_hostname);
	fx_test("/filewatch/write", test_watch_write);
	fx_test("/filewatch/write-held-open", test_watch_write_held_open);
	fx_test("/filewatch/rename", test_watch_rename);
	fx_test("/filewatch/recreate", test_watch_recreate);
	fx_test("/filewatch/missing-dir", test_watch_missing_dir);
	fx_test("/filewatch/symlink", test_watch_symlink);
	fx_test("/filewatch/dir-symlink", test_watch_dir_symlink);
	fx_test("/filewatch/burst", test_watch_burst);
	fx_test("/filewatch/burst-live", test_watch_burst_live);
	fx_test("/filewatch/free-in-callback", test_watch_free_in_callback);
	g_test_add_func("/filewatch/bad-args", test_watch_bad_args);
	return g_test_run();
}
