// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cli.c - command lines of lxnet's programs, read one way
 *
 * Every program describes its options as a GOptionEntry table (name, short
 * form, argument kind, target, help line) in a struct cli_spec; cli_parse()
 * reads argv with it. GLib's parser underneath gives every program the
 * same syntax (--opt=VAL, --opt VAL, -o VAL, -oVAL, repeatable arrays, "--"
 * ends the options) and the same messages for malformed values. This file
 * owns what the programs used to do each their own way:
 *  - --help (-h, and the -?, --help-all, --help-view GLib's own help took)
 *    ends the parse where it stands, as GLib's help did, and prints the
 *    whole generated help, the shared view options included, on stdout;
 *    the caller exits 0;
 *  - --version prints "PROG VERSION" where the program has it;
 *  - a usage error is one line on stderr in log.c's form,
 *    "PROG: error: WHAT (try 'PROG --help')", and exit status
 *    CLI_EXIT_USAGE; an error in a policy file (--policy FILE) or in a
 *    configuration file (lxnet.conf(5)) is "PROG: error: FILE:LINE: WHAT",
 *    same status, since --help does not describe that file's lines.
 * Checks of values that need the program (ranges, "no command given") stay
 * with the program and report through cli_usage_error().
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "conffile.h"
#include "util.h"

/**
 * cli_usage_error() - report a usage error
 * @prog: program as typed ("lxnet run")
 * @fmt: what is wrong, printf format, no newline
 *
 * Prints one line on stderr: "PROG: error: WHAT (try 'PROG --help')".
 * Return: -EINVAL, for the caller to return.
 */
int cli_usage_error(const char *prog, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: error: %s (try '%s --help')\n", prog, msg, prog);
	return -EINVAL;
}

/*
 * Report @err, an error of the command line or of a file it named: one
 * line in cli_usage_error()'s form, but an error in a policy file or a
 * configuration file (its FILE:LINE in the message) does not point at
 * --help, which says nothing of that file's contents. Return: -EINVAL (a
 * usage error, status 2).
 */
static int cli_report(const char *prog, const GError *err)
{
	if (err->domain != NETPOLICY_FILE_ERROR &&
	    err->domain != CONFFILE_ERROR)
		return cli_usage_error(prog, "%s", err->message);
	fprintf(stderr, "%s: error: %s\n", prog, err->message);
	return -EINVAL;
}

/**
 * cli_exit_status() - exit status for a cli_parse() result
 * @r: what cli_parse() returned, not 0
 *
 * Return: 0 after --help/--version, CLI_EXIT_USAGE after a usage error.
 */
int cli_exit_status(int r)
{
	return r < 0 ? CLI_EXIT_USAGE : 0;
}

/**
 * cli_print_version() - "PROG VERSION" on stdout
 * @prog: program name
 */
void cli_print_version(const char *prog)
{
	printf("%s %s\n", prog, PACKAGE_VERSION);
}

/* What the options every program has set. */
struct cli_state {
	gboolean help;
	gboolean version;
	char *config;
	gboolean no_config;
};

static void cli_state_clear(struct cli_state *st)
{
	g_free(st->config);
}

/* The main group's own error domain: "--help seen, stop reading". */
#define CLI_HELP_SEEN g_quark_from_static_string("lxnet-cli-help")

/*
 * --help stops the parse where it stands, as GLib's own help did: what
 * follows it (a typo, a CMD) is not judged.
 */
static gboolean cli_help_cb(const char *name, const char *value,
			    gpointer data, GError **error)
{
	struct cli_state *st = data;

	(void)name;
	(void)value;
	st->help = TRUE;
	g_set_error_literal(error, CLI_HELP_SEEN, 0, "help");
	return FALSE;
}

/* The main group: the program's options, then the ones every program has. */
static GOptionGroup *cli_main_group(const struct cli_spec *spec,
				    struct cli_state *st)
{
	const GOptionEntry std[] = {
		{ "help", 'h', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
		  (gpointer)cli_help_cb, "Show this help and exit", NULL },
		/* GLib's own help took these; kept, now the same as --help */
		{ "help-all", '?', G_OPTION_FLAG_HIDDEN | G_OPTION_FLAG_NO_ARG,
		  G_OPTION_ARG_CALLBACK, (gpointer)cli_help_cb, NULL, NULL },
		{ "help-view", 0, G_OPTION_FLAG_HIDDEN | G_OPTION_FLAG_NO_ARG,
		  G_OPTION_ARG_CALLBACK, (gpointer)cli_help_cb, NULL, NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &st->version,
		  "Show the version and exit", NULL },
		/* programs with view or policy options (conffile.c) */
		{ "config", 0, 0, G_OPTION_ARG_FILENAME, &st->config,
		  "Read the view and policy options' defaults from FILE "
		  "instead of $XDG_CONFIG_HOME/" CONFFILE_NAME " (else "
		  "~/.config/...) and " SYSCONFDIR "/" CONFFILE_NAME, "FILE" },
		{ "no-config", 0, 0, G_OPTION_ARG_NONE, &st->no_config,
		  "Read no configuration file", NULL },
		{ NULL },
	};
	GOptionGroup *g = g_option_group_new(NULL, NULL, NULL, st, NULL);
	GOptionEntry use[ELEMENTSOF(std)];
	size_t i, n = 0;

	if (spec->entries)
		g_option_group_add_entries(g, spec->entries);
	for (i = 0; i + 1 < ELEMENTSOF(std); i++) {
		if (std[i].arg_data == &st->version && !(spec->flags & CLI_VERSION))
			continue;
		if (strcmp(std[i].long_name, "help-view") == 0 && !spec->view)
			continue;
		if ((std[i].arg_data == &st->config ||
		     std[i].arg_data == &st->no_config) &&
		    !spec->view && !spec->policy)
			continue;
		use[n++] = std[i];
	}
	use[n] = std[ELEMENTSOF(std) - 1];
	g_option_group_add_entries(g, use);
	return g;
}

/**
 * cli_parse() - read a program's command line with its table
 * @spec: the program's options and texts
 * @argc: argument count; on return what is left (argv[0] included)
 * @argv: arguments; on return what is left
 *
 * Values land where @spec's entries point; the view options, when asked
 * for, are validated too. --help and --version print and ask the caller to
 * exit 0; a usage error is reported in one line.
 * Return: 0 to go on, CLI_DONE after --help or --version, -EINVAL after a
 * reported usage error; cli_exit_status() turns the last two into an exit
 * status.
 */
int cli_parse(const struct cli_spec *spec, int *argc, char ***argv)
{
	g_autoptr(GOptionContext) oc = g_option_context_new(spec->params);
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) warnings = g_string_new(NULL);
	_cleanup_(cli_state_clear) struct cli_state st = { 0 };

	/* The usage line says "lxnet run", not argv[0]. */
	if (!g_get_prgname())
		g_set_prgname(spec->prog);
	if (spec->summary)
		g_option_context_set_summary(oc, spec->summary);
	if (spec->description)
		g_option_context_set_description(oc, spec->description);
	g_option_context_set_help_enabled(oc, FALSE);
	g_option_context_set_strict_posix(oc, (spec->flags & CLI_STOP_AT_CMD) != 0);
	g_option_context_set_main_group(oc, cli_main_group(spec, &st));
	if (spec->view)
		g_option_context_add_group(oc, view_policy_option_group(spec->view));
	if (spec->policy)
		g_option_context_add_group(oc, netpolicy_option_group(spec->policy));
	if (!g_option_context_parse(oc, argc, argv, &err) &&
	    !g_error_matches(err, CLI_HELP_SEEN, 0))
		return cli_report(spec->prog, err);
	if (st.help) {
		g_autofree char *h = g_option_context_get_help(oc, FALSE, NULL);

		fputs(h, stdout);
		return CLI_DONE;
	}
	if (st.version) {
		cli_print_version(spec->prog);
		return CLI_DONE;
	}
	if (st.config && st.no_config)
		return cli_usage_error(spec->prog,
				       "--config and --no-config exclude each other");
	/* what the command line set, before the files add theirs */
	if (spec->view)
		spec->view->hide_if_cmdline = spec->view->hide_if &&
					      spec->view->hide_if[0];
	if (spec->policy)
		spec->policy->cmdline_active =
			netpolicy_active(spec->policy) ||
			netpolicy_publishing(spec->policy);
	if ((spec->view || spec->policy) && !st.no_config &&
	    conffile_apply(st.config, spec->view, spec->policy, warnings,
			   &err) < 0)
		return cli_report(spec->prog, err);
	if (warnings->len)
		fprintf(stderr, "%s: warning: %s\n", spec->prog, warnings->str);
	if (spec->view && view_policy_validate(spec->view, &err) < 0)
		return cli_usage_error(spec->prog, "%s", err->message);
	return 0;
}
