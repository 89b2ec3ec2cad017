// SPDX-License-Identifier: LGPL-2.1-or-later
/* lxnet.c - the lxnet front end: dispatch to a subcommand from a table */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "cli.h"
#include "log.h"
#include "lxnet_int.h"
#include "util.h"

/*
 * The OCI commands are lxnet-oci's (src/lxnet/lxnet-oci.c, which says
 * why): exec it with the same arguments, the command's name first.
 */
static int lxnet_exec_oci(int argc, char **argv)
{
	g_autofree char *path = lxnet_find_helper("lxnet-oci", "src/lxnet",
						  "LXNET_OCI");
	g_autoptr(GPtrArray) a = g_ptr_array_new();
	int i;

	if (!path) {
		log_err("lxnet-oci not found next to lxnet, in %s nor in PATH",
			PKGLIBEXECDIR);
		return 1;
	}
	g_ptr_array_add(a, (char *)"lxnet-oci");
	for (i = 0; i < argc; i++)
		g_ptr_array_add(a, argv[i]);
	g_ptr_array_add(a, NULL);
	execv(path, (char **)a->pdata);
	log_err("cannot execute %s: %s", path, strerror(errno));
	return 1; /* as the OCI commands fail */
}

/*
 * struct lxnet_cmd - one subcommand
 * @name: what the user types after `lxnet`
 * @fn: entry point; gets argv starting at @name
 * @summary: one line for `lxnet --help`
 */
struct lxnet_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct lxnet_cmd lxnet_cmds[] = {
	{ "run", run_main,
	  "run a command in a sandbox that sees the host's network" },
	{ "exec", exec_main,
	  "run a command in a running named sandbox (lxnet run --name)" },
	{ "ps", ps_main,
	  "list the running named sandboxes" },
	{ "shim", shim_main,
	  "run a command with its sockets served by a running lxnet-proxy" },
	{ "oci-profile", lxnet_exec_oci,
	  "print a seccomp profile handing an OCI container to lxnet-proxy" },
	{ "oci-hook", lxnet_exec_oci,
	  "OCI createContainer hook: the view's proc/net at /proc/net" },
};

static void lxnet_usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: lxnet COMMAND [OPTIONS] [-- CMD [ARG...]]\n"
		"\n"
		"Give an isolated Linux userland the host's network.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ELEMENTSOF(lxnet_cmds); i++)
		fprintf(out, "  %-11s %s\n", lxnet_cmds[i].name,
			lxnet_cmds[i].summary);
	fprintf(out, "  %-11s %s\n", "help", "show this help");
	fprintf(out, "  %-11s %s\n", "--version", "print the version");
	fprintf(out,
		"\n"
		"`lxnet COMMAND --help` describes a command's options.\n");
}

static const struct lxnet_cmd *lxnet_find(const char *name)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(lxnet_cmds); i++)
		if (strcmp(lxnet_cmds[i].name, name) == 0)
			return &lxnet_cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct lxnet_cmd *cmd;

	log_init("lxnet", LOG_LVL_WARN);
	if (argc < 2) {
		lxnet_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		lxnet_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		cli_print_version("lxnet");
		return 0;
	}
	cmd = lxnet_find(argv[1]);
	if (!cmd) {
		cli_usage_error("lxnet", "unknown command '%s'", argv[1]);
		return CLI_EXIT_USAGE;
	}
	return cmd->fn(argc - 1, argv + 1);
}
