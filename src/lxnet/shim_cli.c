// SPDX-License-Identifier: LGPL-2.1-or-later
/* shim_cli.c - `lxnet shim`: its command line (the work is in shim.c) */
#include "config.h"

#include "cli.h"
#include "log.h"
#include "lxnet_int.h"
#include "shim.h"

#define SHIM_PROG "lxnet shim" /* in usage lines and usage errors */

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
	gint64 trust_uid = -1;
	int timeout = SHIM_ACK_TIMEOUT_DEFAULT;
	gboolean print_filter = FALSE, verbose = FALSE;
	const GOptionEntry entries[] = {
		{ "proxy", 'p', 0, G_OPTION_ARG_FILENAME, &proxy,
		  SHIM_HELP_PROXY, "PATH" },
		{ "trust-uid", 0, 0, G_OPTION_ARG_INT64, &trust_uid,
		  SHIM_HELP_TRUST_UID, "UID" },
		{ "timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
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
		.flags = CLI_STOP_AT_CMD,
	};
	struct shim_conf c;
	const char *bad;
	int ret;

	ret = cli_parse(&spec, &argc, &argv);
	if (ret != 0)
		return cli_exit_status(ret);
	log_init(SHIM_PROG, verbose ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	if (print_filter)
		return shim_print_filter();
	c = (struct shim_conf){ .proxy = proxy, .timeout = timeout,
				.trust_uid = trust_uid };
	bad = shim_conf_check(&c, cmd);
	if (bad) {
		cli_usage_error(SHIM_PROG, "%s", bad);
		return CLI_EXIT_USAGE;
	}
	return shim_exec(&c, cmd);
}
