// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-util.c - unit tests for the view policy, fd passing and bounded reads */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "fdpass.h"
#include "util.h"
#include "view.h"

static int parse_policy(struct view_policy *p, const char *const *argv_in,
			GError **error)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_auto(GStrv) argv = g_strdupv((char **)argv_in);

	g_option_context_set_main_group(ctx, view_policy_option_group(p));
	/* _strv frees what it removes from argv (plain _parse would leak it) */
	if (!g_option_context_parse_strv(ctx, &argv, error))
		return -EINVAL;
	return view_policy_validate(p, error);
}

static void test_policy_defaults(void)
{
	const char *argv[] = { "t", NULL };
	struct view_policy p;
	g_autoptr(GError) err = NULL;

	view_policy_init(&p);
	g_assert_cmpint(parse_policy(&p, argv, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpstr(p.resolv_path, ==, "/etc/resolv.conf");
	g_assert_cmpstr(p.hosts_path, ==, "/etc/hosts");
	g_assert_nonnull(p.upstream_paths);
	g_assert_cmpstr(p.upstream_paths[0], ==, "/run/systemd/resolve/resolv.conf");
	g_assert_false(p.dns_upstream);
	g_assert_false(view_policy_hides(&p, "eth0"));
	view_policy_clear(&p);
}

static void test_policy_options(void)
{
	const char *argv[] = { "t", "--hide-if", "veth*", "--hide-if=docker0",
			       "--add-host", "db:10.0.0.5", "--add-host",
			       "v6:fd00::1", "--hostname", "box.example",
			       "--dns", "192.0.2.53", "--dns-search", "example.org",
			       "--dns-upstream", NULL };
	struct view_policy p;
	g_autoptr(GError) err = NULL;

	view_policy_init(&p);
	g_assert_cmpint(parse_policy(&p, argv, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_true(view_policy_hides(&p, "veth0"));
	g_assert_true(view_policy_hides(&p, "docker0"));
	g_assert_false(view_policy_hides(&p, "docker1"));
	g_assert_false(view_policy_hides(&p, "eth0"));
	g_assert_cmpuint(g_strv_length(p.extra_hosts), ==, 2);
	g_assert_cmpstr(p.extra_hosts[1], ==, "v6:fd00::1");
	g_assert_cmpstr(p.hostname, ==, "box.example");
	g_assert_cmpstr(p.dns[0], ==, "192.0.2.53");
	g_assert_cmpstr(p.dns_search[0], ==, "example.org");
	g_assert_true(p.dns_upstream);
	view_policy_clear(&p);
	g_assert_null(p.hide_if);
}

static void test_policy_rejects(void)
{
	static const char *const bad[][3] = {
		{ "--add-host", "nocolon" }, { "--add-host", "db:not-an-ip" },
		{ "--add-host", ":10.0.0.1" }, { "--dns", "example.org" },
		{ "--hostname", "-bad" }, { "--hostname", "has space" },
		{ "--dns-search", "a b" }, { "--hide-if", "" },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		const char *argv[] = { "t", bad[i][0], bad[i][1], NULL };
		struct view_policy p;
		g_autoptr(GError) err = NULL;

		view_policy_init(&p);
		g_assert_cmpint(parse_policy(&p, argv, &err), ==, -EINVAL);
		g_assert_nonnull(err);
		g_assert_nonnull(strstr(err->message, bad[i][0]) ?
				 err->message : strstr(err->message, "invalid"));
		view_policy_clear(&p);
	}
}

static void test_fdpass_roundtrip(void)
{
	int sv[2], fds[2], got[FDPASS_MAX_FDS];
	struct fdpass_msg m = { .kind = FDPASS_SECCOMP_LISTENER, .pid = 42 };
	struct fdpass_msg r;
	size_t n = 0;
	char c = 0;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), ==, 0);
	g_assert_cmpint(pipe2(fds, O_CLOEXEC), ==, 0);
	g_assert_cmpint(fdpass_send(sv[0], &m, &fds[1], 1), ==, 0);
	g_assert_cmpint(fdpass_recv(sv[1], &r, got, FDPASS_MAX_FDS, &n), ==, 0);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpuint(r.kind, ==, FDPASS_SECCOMP_LISTENER);
	g_assert_cmpint(r.pid, ==, 42);
	g_assert_cmpint(fcntl(got[0], F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
	/* the received fd is the pipe's write end */
	g_assert_cmpint(write(got[0], "x", 1), ==, 1);
	g_assert_cmpint(read(fds[0], &c, 1), ==, 1);
	g_assert_cmpint(c, ==, 'x');
	close(got[0]);
	close(fds[0]);
	close(fds[1]);

	/* end of stream */
	close(sv[0]);
	g_assert_cmpint(fdpass_recv(sv[1], &r, got, FDPASS_MAX_FDS, &n), ==, -ECONNRESET);
	close(sv[1]);
}

static void test_fdpass_garbage(void)
{
	int sv[2], fds[2], got[1];
	struct fdpass_msg r, m = { .kind = FDPASS_ACK };
	const char junk[] = "hello, not a header";
	size_t n = 99;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), ==, 0);
	/* wrong size */
	g_assert_cmpint(send(sv[0], junk, sizeof(junk), 0), ==, (ssize_t)sizeof(junk));
	g_assert_cmpint(fdpass_recv(sv[1], &r, got, 1, &n), ==, -EBADMSG);
	g_assert_cmpuint(n, ==, 99); /* untouched on failure */
	/* right size, wrong magic */
	memset(&m, 0xab, sizeof(m));
	g_assert_cmpint(send(sv[0], &m, sizeof(m), 0), ==, (ssize_t)sizeof(m));
	g_assert_cmpint(fdpass_recv(sv[1], &r, got, 1, &n), ==, -EBADMSG);
	/* more fds than the receiver has room for: all closed, error */
	g_assert_cmpint(pipe2(fds, O_CLOEXEC), ==, 0);
	m = (struct fdpass_msg){ .kind = FDPASS_ACK };
	g_assert_cmpint(fdpass_send(sv[0], &m, fds, 2), ==, 0);
	g_assert_cmpint(fdpass_recv(sv[1], &r, got, 1, &n), ==, -EBADMSG);
	close(fds[0]);
	close(fds[1]);
	/* too many fds to send */
	g_assert_cmpint(fdpass_send(sv[0], &m, fds, FDPASS_MAX_FDS + 1), ==, -EINVAL);
	close(sv[0]);
	close(sv[1]);
}

static void test_read_bounded(void)
{
	g_autofree char *dir = g_dir_make_tmp("lxnet-util-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "f", NULL);
	g_autofree char *big = g_malloc(10000);
	char *buf = NULL;
	size_t len = 0;
	bool trunc = true;

	g_assert_nonnull(dir);
	g_assert_cmpint(util_read_file_bounded(path, 100, &buf, &len, &trunc), ==, -ENOENT);
	g_assert_true(g_file_set_contents(path, "", 0, NULL));
	g_assert_cmpint(util_read_file_bounded(path, 100, &buf, &len, &trunc), ==, 0);
	g_assert_cmpuint(len, ==, 0);
	g_assert_false(trunc);
	g_assert_cmpstr(buf, ==, "");
	g_free(buf);

	memset(big, 'a', 10000);
	g_assert_true(g_file_set_contents(path, big, 10000, NULL));
	g_assert_cmpint(util_read_file_bounded(path, 10000, &buf, &len, &trunc), ==, 0);
	g_assert_cmpuint(len, ==, 10000);
	g_assert_false(trunc);
	g_free(buf);
	g_assert_cmpint(util_read_file_bounded(path, 4096, &buf, &len, &trunc), ==, 0);
	g_assert_cmpuint(len, ==, 4096);
	g_assert_true(trunc);
	g_assert_cmpint(buf[4096], ==, '\0');
	g_free(buf);
	g_assert_cmpint(util_read_file_bounded(dir, 100, &buf, &len, &trunc), ==, -EISDIR);
	g_assert_cmpint(util_read_file_bounded("/dev/null", 100, &buf, &len, &trunc), ==, -EINVAL);
	g_unlink(path);
	g_rmdir(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/view/defaults", test_policy_defaults);
	g_test_add_func("/view/options", test_policy_options);
	g_test_add_func("/view/rejects", test_policy_rejects);
	g_test_add_func("/fdpass/roundtrip", test_fdpass_roundtrip);
	g_test_add_func("/fdpass/garbage", test_fdpass_garbage);
	g_test_add_func("/util/read-bounded", test_read_bounded);
	return g_test_run();
}
