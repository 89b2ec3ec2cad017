// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-sockets.c - the sandbox's socket set (sockset.c) and the socket files rendered from it (render_sockets.c) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "render.h"
#include "sockset.h"
#include "util.h"

/* Rows as tcp4 prints them: header and rows padded to 149 columns. */
static const char tcp_host[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     \n"
	"   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1089 1 0000000000000000 100 0 0 10 0                      \n"
	"   1: 0100007F:97D7 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 944529 1 0000000000000000 100 0 0 10 0                    \n"
	"   2: 0100007F:97D7 0100007F:D612 06 00000000:00000000 03:00001000 00000000     0        0 0 3 0000000000000000                                      \n"
	"   3: 0100007F:D612 0100007F:97D7 01 00000000:00000000 00:00000000 00000000     0        0 943889 2 0000000000000000 20 0 0 10 -1                    \n";
static const char udp_host[] =
	"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            \n"
	"  100: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 555 2 0000000000000000 0           \n"
	" 4242: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 777 2 0000000000000000 0           \n";

static char *make_netdir(void)
{
	g_autoptr(GError) err = NULL;
	char *dir = g_dir_make_tmp("lxnet-sockets-XXXXXX", &err);
	g_autofree char *tcp = NULL, *udp = NULL;

	g_assert_no_error(err);
	tcp = g_build_filename(dir, "tcp", NULL);
	udp = g_build_filename(dir, "udp", NULL);
	g_assert_true(g_file_set_contents(tcp, tcp_host, -1, NULL));
	g_assert_true(g_file_set_contents(udp, udp_host, -1, NULL));
	return dir;
}

static void rm_rf(const char *dir)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);

	g_assert_cmpint(system(cmd), ==, 0);
}

/* tcp: the header as is, kept rows renumbered from 0 and padded again;
 * inode-0 rows (TIME_WAIT) and foreign rows left out. */
static void test_tcp_filter(void)
{
	g_autofree char *dir = make_netdir();
	static const uint64_t inos[] = { 943889, 944529, 12345 };
	_cleanup_(sockset_freep) struct sockset *set = sockset_new(inos, 3);
	g_autoptr(GString) out = g_string_new("");
	g_auto(GStrv) lines = NULL;

	g_assert_cmpint(render_sockets(RENDER_PROC_NET_TCP, dir, set, NULL, out), ==, 0);
	lines = g_strsplit(out->str, "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 4);
	g_assert_true(g_str_has_prefix(tcp_host, lines[0]));
	g_assert_true(g_str_has_prefix(lines[1], "   0: 0100007F:97D7 00000000:0000 0A"));
	g_assert_true(g_str_has_prefix(lines[2], "   1: 0100007F:D612"));
	g_assert_cmpuint(strlen(lines[1]), ==, 149);
	g_assert_cmpuint(strlen(lines[2]), ==, 149);
	g_assert_cmpstr(lines[3], ==, "");
	rm_rf(dir);
}

/* udp: sl is the hash bucket, kept as is; no set: the header only; a file
 * the kernel lacks: empty. */
static void test_udp_and_empty(void)
{
	g_autofree char *dir = make_netdir();
	static const uint64_t inos[] = { 777 };
	_cleanup_(sockset_freep) struct sockset *set = sockset_new(inos, 1);
	g_autoptr(GString) out = g_string_new("");
	const char *row = strstr(udp_host, " 4242:");

	g_assert_cmpint(render_sockets(RENDER_PROC_NET_UDP, dir, set, NULL, out), ==, 0);
	g_autofree char *want = g_strdup_printf("%.*s%s", (int)(strchr(udp_host, '\n') - udp_host + 1),
			       udp_host, row);
	g_assert_cmpstr(out->str, ==, want);
	g_string_truncate(out, 0);
	g_assert_cmpint(render_sockets(RENDER_PROC_NET_UDP, dir, NULL, NULL, out), ==, 0);
	g_assert_cmpuint(out->len, ==, (size_t)(strchr(udp_host, '\n') - udp_host) + 1);
	g_string_truncate(out, 0);
	g_assert_cmpint(render_sockets(RENDER_PROC_NET_RAW6, dir, set, NULL, out), ==, 0);
	g_assert_cmpuint(out->len, ==, 0);
	g_assert_cmpint(render_sockets(RENDER_PROC_NET_DEV, dir, set, NULL, out), ==, -EINVAL);
	g_assert_true(render_file_is_sockets(RENDER_PROC_NET_TCP6));
	g_assert_false(render_file_is_sockets(RENDER_PROC_NET_ARP));
	rm_rf(dir);
}

/* sockset_collect() over a directory laid out as /proc: only the pids whose
 * ns/net is the namespace, only socket links, duplicates once. */
static void test_collect(void)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *proc = g_dir_make_tmp("lxnet-proc-XXXXXX", &err);
	g_autofree char *ns = g_build_filename(proc, "netns", NULL);
	_cleanup_(sockset_freep) struct sockset *set = NULL;
	static const struct {
		const char *pid;
		bool ours;
		const char *links[3];
	} procs[] = {
		{ "10", true, { "socket:[100]", "pipe:[5]", "socket:[101]" } },
		{ "11", true, { "socket:[100]", "/dev/null", "socket:[bad" } },
		{ "12", false, { "socket:[200]", NULL, NULL } },
		{ "self", true, { "socket:[300]", NULL, NULL } },
	};
	struct stat st;
	size_t i, j;

	g_assert_no_error(err);
	g_assert_true(g_file_set_contents(ns, "", 0, NULL));
	g_assert_cmpint(stat(ns, &st), ==, 0);
	for (i = 0; i < G_N_ELEMENTS(procs); i++) {
		g_autofree char *fd = g_build_filename(proc, procs[i].pid, "fd", NULL);
		g_autofree char *nsdir = g_build_filename(proc, procs[i].pid, "ns", NULL);
		g_autofree char *net = g_build_filename(nsdir, "net", NULL);

		g_assert_cmpint(g_mkdir_with_parents(fd, 0755), ==, 0);
		g_assert_cmpint(g_mkdir_with_parents(nsdir, 0755), ==, 0);
		if (procs[i].ours)
			g_assert_cmpint(link(ns, net), ==, 0);
		else
			g_assert_true(g_file_set_contents(net, "", 0, NULL));
		for (j = 0; j < 3 && procs[i].links[j]; j++) {
			g_autofree char *l = g_strdup_printf("%s/%zu", fd, j);

			g_assert_cmpint(symlink(procs[i].links[j], l), ==, 0);
		}
	}
	g_assert_cmpint(sockset_collect(proc, st.st_dev, st.st_ino, &set), ==, 0);
	g_assert_cmpuint(sockset_size(set), ==, 2);
	g_assert_true(sockset_has(set, 100));
	g_assert_true(sockset_has(set, 101));
	g_assert_false(sockset_has(set, 200)); /* another namespace */
	g_assert_false(sockset_has(set, 300)); /* not a pid directory */
	g_assert_false(sockset_truncated(set));
	g_assert_false(sockset_has(NULL, 100));
	g_assert_cmpint(sockset_collect("/nonexistent", 0, 0, &set), ==, -ENOENT);
	rm_rf(proc);
}

/* The uid column as the sandbox's uid_map sees it; the row keeps its width. */
static void test_uidmap(void)
{
	g_autofree char *dir = make_netdir();
	static const uint64_t inos[] = { 944529 };
	_cleanup_(sockset_freep) struct sockset *set = sockset_new(inos, 1);
	g_autoptr(GString) out = g_string_new("");
	struct sockset_idmap m;
	const char *row;

	g_assert_cmpint(sockset_idmap_parse("0 1000 1\n1 100000 65536\n", &m), ==, 0);
	g_assert_cmpuint(m.n, ==, 2);
	g_assert_cmpuint(sockset_idmap_uid(&m, 1000), ==, 0);
	g_assert_cmpuint(sockset_idmap_uid(&m, 100033), ==, 34);
	g_assert_cmpuint(sockset_idmap_uid(&m, 0), ==, SOCKSET_OVERFLOW_ID);
	g_assert_cmpuint(sockset_idmap_uid(NULL, 7), ==, 7);
	g_assert_cmpint(sockset_idmap_parse("0 1000\n", &m), ==, -EINVAL);
	g_assert_cmpint(sockset_idmap_parse("0 0 4294967295\n", &m), ==, 0);
	g_assert_cmpuint(sockset_idmap_uid(&m, 0), ==, 0);
	/* host uid 0 is unmapped in "0 1000 1": 65534, as the kernel munges it */
	g_assert_cmpint(sockset_idmap_parse("0 1000 1\n", &m), ==, 0);
	g_assert_cmpint(render_sockets(RENDER_PROC_NET_TCP, dir, set, &m, out), ==, 0);
	row = strchr(out->str, '\n') + 1;
	g_assert_true(g_str_has_prefix(row, "   0: 0100007F:97D7 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65534        0 944529 1 "));
	g_assert_cmpuint(strlen(row), ==, 150);
	rm_rf(dir);
}

/* sockstat and snmp: the sandbox's own file, its host sockets counted in. */
static void test_sockcounts(void)
{
	g_autofree char *host = make_netdir();
	g_autofree char *own = make_netdir();
	static const uint64_t inos[] = { 943889, 944529, 777 };
	_cleanup_(sockset_freep) struct sockset *set = sockset_new(inos, 3);
	g_autoptr(GString) out = g_string_new("");
	g_autofree char *ss = g_build_filename(own, "sockstat", NULL);
	g_autofree char *snmp = g_build_filename(own, "snmp", NULL);

	g_assert_true(g_file_set_contents(ss,
		"sockets: used 2\nTCP: inuse 0 orphan 0 tw 0 alloc 9 mem 1\n"
		"UDP: inuse 0 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\n"
		"FRAG: inuse 0 memory 0\n", -1, NULL));
	g_assert_true(g_file_set_contents(snmp,
		"Ip: Forwarding DefaultTTL\nIp: 1 64\n"
		"Tcp: RtoAlgorithm MaxConn CurrEstab InSegs\nTcp: 1 -1 0 5\n", -1, NULL));
	g_assert_cmpint(render_sockcounts(RENDER_PROC_NET_SOCKSTAT, own, host, set, out), ==, 0);
	g_assert_cmpstr(out->str, ==,
		"sockets: used 5\nTCP: inuse 2 orphan 0 tw 0 alloc 9 mem 1\n"
		"UDP: inuse 1 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\n"
		"FRAG: inuse 0 memory 0\n");
	g_string_truncate(out, 0);
	/* one of the two kept tcp rows is ESTABLISHED (01), one LISTEN */
	g_assert_cmpint(render_sockcounts(RENDER_PROC_NET_SNMP, own, host, set, out), ==, 0);
	g_assert_cmpstr(out->str, ==,
		"Ip: Forwarding DefaultTTL\nIp: 1 64\n"
		"Tcp: RtoAlgorithm MaxConn CurrEstab InSegs\nTcp: 1 -1 1 5\n");
	g_assert_true(render_file_is_sockcount(RENDER_PROC_NET_SOCKSTAT6));
	g_assert_true(render_file_is_sockets(RENDER_PROC_NET_SNMP));
	g_assert_cmpint(render_sockcounts(RENDER_PROC_NET_TCP, own, host, set, out), ==, -EINVAL);
	rm_rf(host);
	rm_rf(own);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sockets/tcp-filter", test_tcp_filter);
	g_test_add_func("/sockets/udp-and-empty", test_udp_and_empty);
	g_test_add_func("/sockets/collect", test_collect);
	g_test_add_func("/sockets/uidmap", test_uidmap);
	g_test_add_func("/sockets/sockcounts", test_sockcounts);
	return g_test_run();
}
