// SPDX-License-Identifier: LGPL-2.1-or-later
/* shim_cli.c - `lxnet shim`: its command line (the work is in shim.c) */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "lxnet_int.h"
#include "shim.h"

#define SHIM_PROG "lxnet shim" /* in usage lines and usage errors */

/*
 * Where --timeout and --trust-uid land: the main group's callbacks get
 * cli.c's own state as their data, so the target is set here before the
 * (single-threaded) parse.
 */
static struct shim_conf *shim_cli_target;

/* --timeout, --trust-uid: decimal, through shim_parse_number() */
static gboolean shim_cli_number(const char *name, const char *value,
				gpointer data, GError **error)
{
	struct shim_conf *c = shim_cli_target;
	bool timeout = strcmp(name, "-t") == 0 || strcmp(name, "--timeout") == 0;
	char msg[256];
	int64_t v;

	if (shim_parse_number(name, value, timeout ? INT32_MIN : INT64_MIN,
			      timeout ? INT32_MAX : INT64_MAX, &v, msg,
			      sizeof(msg)) < 0) {
		g_set_error_literal(error, G_OPTION_ERROR,
				    G_OPTION_ERROR_BAD_VALUE, msg);
		return FALSE;
	}
	(void)data;
	if (timeout)
		c->timeout = (int)v;
	else
		c->trust_uid = v;
	return TRUE;
}

/**
 * shim_main() - `lxnet shim --proxy PATH -- CMD [ARG...]`
 * @argc: argument count, argv[0] is "shim"
 * @argv: arguments
 *
 * Return: exit status (CMD replaces this process on success).
 */
int shim_main(int argc, char **argv)
{
	g_autofree char *proxy = NULL;
	g_auto(GStrv) cmd = NULL;
	struct shim_conf c = { .timeout = SHIM_ACK_TIMEOUT_DEFAULT,
			       .trust_uid = -1 };
	gboolean print_filter = FALSE, verbose = FALSE;
	const GOptionEntry entries[] = {
		{ "proxy", 'p', 0, G_OPTION_ARG_FILENAME, &proxy,
		  SHIM_HELP_PROXY, "PATH" },
		{ "trust-uid", 0, 0, G_OPTION_ARG_CALLBACK, shim_cli_number,
		  SHIM_HELP_TRUST_UID, "UID" },
		{ "timeout", 't', 0, G_OPTION_ARG_CALLBACK, shim_cli_number,
		  SHIM_HELP_TIMEOUT, "SECS" },
		{ "print-filter", 0, 0, G_OPTION_ARG_NONE, &print_filter,
		  SHIM_HELP_PRINT_FILTER, NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
		  "debug messages", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cmd,
		  NULL, NULL },
		{ NULL },
	};
	const struct cli_spec spec = {
		.prog = SHIM_PROG,
		.params = "[--proxy PATH] -- CMD [ARG...]",
		.summary = SHIM_SUMMARY "\nThe same as lxnet-shim(1), a program "
			   "of its own for rootfs trees without the host's\n"
			   "libraries.",
		.entries = entries,
		.flags = CLI_STOP_AT_CMD | CLI_VERSION,
	};
	const char *bad;
	int ret;

	shim_cli_target = &c;
	ret = cli_parse(&spec, &argc, &argv);
	if (ret != 0)
		return cli_exit_status(ret);
	log_init(SHIM_PROG, verbose ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	if (print_filter)
		return shim_print_filter();
	c.proxy = proxy;
	bad = shim_conf_check(&c, cmd);
	if (bad) {
		cli_usage_error(SHIM_PROG, "%s", bad);
		return CLI_EXIT_USAGE;
	}
	return shim_exec(&c, cmd);
}
