/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli.h - the one command-line path of lxnet's programs (lxnet and its
 * subcommands, lxnetfs, lxnet-proxy): a table of options per program,
 * --help generated from it, --version, and one form for usage errors.
 */
#ifndef LXNET_CLI_H
#define LXNET_CLI_H

#include <glib.h>

#include "netpolicy.h"
#include "view.h"

/* Exit status of a usage error, the same for every program (see the man
 * pages); each program's own failures keep their status (lxnet 125,
 * lxnetfs and lxnet-proxy 1). */
#define CLI_EXIT_USAGE 2

/* cli_parse() printed --help or --version: exit 0. */
#define CLI_DONE 1

/**
 * enum cli_flags - how a program's command line is read
 * @CLI_STOP_AT_CMD: options end at the first non-option (strict POSIX):
 *	what follows is a command with options of its own
 * @CLI_VERSION: -V, --version print "PROG VERSION"
 */
enum cli_flags {
	CLI_STOP_AT_CMD = 1 << 0,
	CLI_VERSION = 1 << 1,
};

/**
 * struct cli_spec - one program's command line
 * @prog: the name the user typed ("lxnet run", "lxnetfs"): usage line,
 *	error prefix
 * @params: what follows "[OPTION…]" in the usage line ("-- CMD [ARG...]")
 * @summary: text above the options, or NULL
 * @description: text below the options (exit statuses), or NULL
 * @entries: the program's own options, a GOptionEntry table ending in
 *	{ NULL }; each row names the option, its short form, its argument
 *	kind, where the value lands, its help line and argument name
 * @view: non-NULL to add the view policy options every daemon shares
 *	(src/view.c) and validate them
 * @policy: non-NULL to add the connection policy options (src/netpolicy.c)
 * @flags: enum cli_flags
 */
struct cli_spec {
	const char *prog;
	const char *params;
	const char *summary;
	const char *description;
	const GOptionEntry *entries;
	struct view_policy *view;
	struct netpolicy *policy;
	unsigned int flags;
};

int cli_parse(const struct cli_spec *spec, int *argc, char ***argv);
int cli_usage_error(const char *prog, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
int cli_exit_status(int r);
void cli_print_version(const char *prog);

#endif
