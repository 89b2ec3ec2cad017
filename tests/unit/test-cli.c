// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-cli.c - unit tests for the command-line path every program shares */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "cli.h"
#include "view.h"

/* What a test program's options land in. */
struct opts {
	char *name;
	int count;
	gboolean verbose;
	char **rest;
	struct view_policy policy;
	struct netpolicy netpolicy;
};

/*
 * Parse @in with a spec like the programs' own; @out gets the options.
 * g_option_context_parse() drops what it consumed from argv without
 * freeing it, so the strings are freed through a copy of the pointers.
 */
static int parse(const char *const *in, unsigned int flags, bool view,
		 struct opts *out)
{
	const GOptionEntry entries[] = {
		{ "name", 'n', 0, G_OPTION_ARG_STRING, &out->name,
		  "Name the thing", "NAME" },
		{ "count", 0, 0, G_OPTION_ARG_INT, &out->count,
		  "How many", "N" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &out->verbose,
		  "Debug messages", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &out->rest,
		  NULL, NULL },
		{ NULL },
	};
	const struct cli_spec spec = {
		.prog = "prog sub",
		.params = "-- CMD",
		.summary = "Do a thing.",
		.description = "Exit status: 0, or 7 when it fails.",
		.entries = entries,
		.view = view ? &out->policy : NULL,
		.policy = view ? &out->netpolicy : NULL,
		.flags = flags,
	};
	g_auto(GStrv) keep = g_strdupv((char **)in);
	g_autofree char **argv = g_memdup2(keep, sizeof(char *) *
					   (g_strv_length(keep) + 1));
	int argc = (int)g_strv_length(keep);

	memset(out, 0, sizeof(*out));
	view_policy_init(&out->policy);
	netpolicy_init(&out->netpolicy);
	return cli_parse(&spec, &argc, &argv);
}

static void opts_clear(struct opts *o)
{
	g_free(o->name);
	g_strfreev(o->rest);
	view_policy_clear(&o->policy);
	netpolicy_clear(&o->netpolicy);
}

/* In a g_test_trap_subprocess() child: ARGV must be a usage error (2). */
static void child_usage_error(const char *const *argv)
{
	struct opts o;
	int r = parse(argv, 0, true, &o);

	opts_clear(&o);
	g_assert_cmpint(r, ==, -EINVAL);
	g_assert_cmpint(cli_exit_status(r), ==, CLI_EXIT_USAGE);
}

/*
 * Run this test in a child with CLI_TEST_ARG set to @arg (kept as it is
 * when NULL) and check what child_usage_error() said: nothing on stdout,
 * @want on stderr.
 */
static void trap_usage_error(const char *arg, const char *want)
{
	if (arg)
		g_setenv("CLI_TEST_ARG", arg, TRUE);
	g_test_trap_subprocess(NULL, 0, 0);
	g_test_trap_assert_passed();
	g_test_trap_assert_stdout("");
	g_test_trap_assert_stderr(want);
}

static void test_values(void)
{
	const char *argv[] = { "t", "--name=x", "-v", "--count", "3",
			       "--hide-if", "eth*", "--", "cmd", "-v", NULL };
	struct opts o;

	g_assert_cmpint(parse(argv, CLI_STOP_AT_CMD, true, &o), ==, 0);
	g_assert_cmpstr(o.name, ==, "x");
	g_assert_cmpint(o.count, ==, 3);
	g_assert_true(o.verbose);
	g_assert_cmpstr(o.policy.hide_if[0], ==, "eth*");
	/* options end at CMD: its own -v is left to it */
	g_assert_cmpuint(g_strv_length(o.rest), ==, 2);
	g_assert_cmpstr(o.rest[0], ==, "cmd");
	g_assert_cmpstr(o.rest[1], ==, "-v");
	opts_clear(&o);
}

static void test_stop_at_cmd(void)
{
	const char *argv[] = { "t", "MNT", "-n", "y", NULL };
	struct opts o;

	/* without CLI_STOP_AT_CMD options may follow an argument (lxnetfs) */
	g_assert_cmpint(parse(argv, 0, false, &o), ==, 0);
	g_assert_cmpstr(o.name, ==, "y");
	g_assert_cmpuint(g_strv_length(o.rest), ==, 1);
	opts_clear(&o);
	/* with it, the first argument ends them (lxnet run, shim, exec) */
	g_assert_cmpint(parse(argv, CLI_STOP_AT_CMD, false, &o), ==, 0);
	g_assert_null(o.name);
	g_assert_cmpuint(g_strv_length(o.rest), ==, 3);
	opts_clear(&o);
}

static void test_help(void)
{
	static const char *const helps[] = { "--help", "-h", "-?",
					     "--help-all", "--help-view" };
	size_t i;

	if (g_test_subprocess()) {
		const char *which = g_getenv("CLI_TEST_ARG");
		const char *argv[] = { "t", which, "--bogus", NULL };
		struct opts o;
		int r = parse(argv, 0, true, &o);

		opts_clear(&o);
		g_assert_cmpint(r, ==, CLI_DONE);
		g_assert_cmpint(cli_exit_status(r), ==, 0);
		return;
	}
	for (i = 0; i < G_N_ELEMENTS(helps); i++) {
		g_setenv("CLI_TEST_ARG", helps[i], TRUE);
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
		g_test_trap_assert_passed();
		/* every option with its help line, the view group's too, and
		 * the texts around them */
		g_test_trap_assert_stdout("*-- CMD*Do a thing.*"
					  "--hide-if=GLOB*Hide interfaces*"
					  "-n, --name=NAME*Name the thing*"
					  "--count=N*How many*"
					  "-v, --verbose*Debug messages*"
					  "-h, --help*"
					  "Exit status: 0, or 7 when it fails.*");
		g_test_trap_assert_stdout_unmatched("*--help-all*");
	}
	g_unsetenv("CLI_TEST_ARG");
}

static void test_version(void)
{
	if (g_test_subprocess()) {
		const char *argv[] = { "t", "--version", NULL };
		struct opts o;
		int r = parse(argv, CLI_VERSION, false, &o);

		opts_clear(&o);
		g_assert_cmpint(r, ==, CLI_DONE);
		return;
	}
	g_test_trap_subprocess(NULL, 0, 0);
	g_test_trap_assert_passed();
	g_test_trap_assert_stdout("prog sub " PACKAGE_VERSION "\n");
}

static void test_usage_errors(void)
{
	static const struct {
		const char *arg;
		unsigned int flags;
		const char *want;
	} cases[] = {
		{ "--bogus", 0, "prog sub: error: Unknown option --bogus (try 'prog sub --help')\n" },
		{ "--count=x", 0, "prog sub: error: Cannot parse integer value*--count (try 'prog sub --help')\n" },
		/* no --version where the program has none */
		{ "--version", 0, "prog sub: error: Unknown option --version*" },
		/* the view options are validated with the rest */
		{ "--hostname=-x", 0, "prog sub: error: invalid --hostname*(try 'prog sub --help')\n" },
	};
	size_t i;

	if (g_test_subprocess()) {
		const char *argv[] = { "t", g_getenv("CLI_TEST_ARG"), NULL };

		child_usage_error(argv);
		return;
	}
	for (i = 0; i < G_N_ELEMENTS(cases); i++)
		trap_usage_error(cases[i].arg, cases[i].want);
	g_unsetenv("CLI_TEST_ARG");
	g_assert_cmpint(CLI_EXIT_USAGE, ==, 2);
}

/*
 * A bad rule on the command line is a usage error with the --help hint;
 * one in a policy file names the file and line, and --help, which says
 * nothing of that file's contents, is not pointed at. Status 2 for both.
 */
static void test_policy_file_errors(void)
{
	g_autofree char *path = NULL;
	g_autofree char *file = NULL;
	g_autofree char *want = NULL;
	struct {
		const char *arg;
		const char *want;
		bool hint;
	} cases[] = {
		{ "--allow=non_sense", "prog sub: error: invalid rule 'non_sense'*", true },
		{ NULL, NULL, false }, /* the file: filled in below */
		{ "--policy=/nonexistent/p", "prog sub: error: cannot read policy "
		  "file /nonexistent/p: No such file or directory\n", false },
	};
	size_t i;
	int fd;

	if (g_test_subprocess()) {
		const char *argv[] = { "t", "--no-config", g_getenv("CLI_TEST_ARG"),
				       NULL };

		child_usage_error(argv);
		return;
	}
	fd = g_file_open_tmp("test-cli-policy.XXXXXX", &path, NULL);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(dprintf(fd, "allow tcp:10.0.0.0/8:443\nallow non_sense\n"),
			>, 0);
	close(fd);
	file = g_strdup_printf("--policy=%s", path);
	want = g_strdup_printf("prog sub: error: %s:2: invalid rule 'non_sense': *)\n",
			       path);
	cases[1].arg = file;
	cases[1].want = want;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		trap_usage_error(cases[i].arg, cases[i].want);
		if (cases[i].hint)
			g_test_trap_assert_stderr("*(try 'prog sub --help')\n");
		else
			g_test_trap_assert_stderr_unmatched("*--help*");
	}
	g_unsetenv("CLI_TEST_ARG");
	unlink(path);
}

/*
 * A fault in a configuration file (--config FILE) is said in the file's
 * words, as FILE:LINE: WHAT, without GLib's "Unknown option --x" and
 * without the --help hint (--help does not describe the file's lines);
 * status 2.
 */
static void test_conffile_errors(void)
{
	static const struct {
		const char *content;
		const char *fault; /* after "PATH:" */
	} cases[] = {
		{ "# ok\nhostname ok\n\nbogus 1\n", "4: unknown key 'bogus'" },
		{ "hide-if\n", "1: 'hide-if' needs a value" },
		{ "hide-if =\n", "1: 'hide-if' needs a value" },
		{ "dns 10.0.0\n", "1: invalid dns '10.0.0' (want an IP address)" },
		{ "no-host-loopback yes\n", "1: 'no-host-loopback' takes no value" },
		{ "--dns 10.0.0.1\n", "1: expected an option name*" },
		/* a key of the command line that is no key of the file */
		{ "config /x\n", "1: unknown key 'config'" },
	};
	g_autofree char *path = NULL;
	size_t i;
	int fd;

	if (g_test_subprocess()) {
		g_autofree char *arg = g_strdup_printf("--config=%s",
						       g_getenv("CLI_TEST_ARG"));
		const char *argv[] = { "t", arg, NULL };

		child_usage_error(argv);
		return;
	}
	fd = g_file_open_tmp("test-cli-conf.XXXXXX", &path, NULL);
	g_assert_cmpint(fd, >=, 0);
	close(fd);
	g_setenv("CLI_TEST_ARG", path, TRUE);
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *want = g_strdup_printf("prog sub: error: %s:%s\n",
							path, cases[i].fault);

		g_assert_true(g_file_set_contents(path, cases[i].content, -1,
						  NULL));
		trap_usage_error(NULL, want);
		g_test_trap_assert_stderr_unmatched("*--help*");
	}
	/* a file that is not there: the same form, no line */
	unlink(path);
	g_test_trap_subprocess(NULL, 0, 0);
	g_test_trap_assert_passed();
	g_test_trap_assert_stderr("prog sub: error: cannot read the configuration "
				  "file *: No such file or directory\n");
	g_test_trap_assert_stderr_unmatched("*--help*");
	g_unsetenv("CLI_TEST_ARG");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cli/values", test_values);
	g_test_add_func("/cli/stop-at-cmd", test_stop_at_cmd);
	g_test_add_func("/cli/help", test_help);
	g_test_add_func("/cli/version", test_version);
	g_test_add_func("/cli/usage-errors", test_usage_errors);
	g_test_add_func("/cli/policy-file-errors", test_policy_file_errors);
	g_test_add_func("/cli/conffile-errors", test_conffile_errors);
	return g_test_run();
}
