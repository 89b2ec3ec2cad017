// SPDX-License-Identifier: LGPL-2.1-or-later
/* ps.c - `lxnet ps`: list the user's running named sandboxes */
/*
 * Theory of operation
 *
 * The registry (src/registry.c) gives the running sandboxes (stale entries
 * are removed on the way; sandboxes still starting are not listed). The
 * SOCKETS column counts the host sockets the sandbox's processes hold: the
 * inodes of the AF_INET/AF_INET6 sockets of our own (the host's) network
 * namespace are read from /proc/net/{tcp,udp,raw}{,6}, and those among the
 * sockets the sandbox's processes hold (sockset_collect(), as for its own
 * /proc/net files and ss) are counted, each once. Everything is bounded
 * (sockset's bounds, bytes of each /proc/net file); processes we may not
 * look into are skipped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "lxnet_int.h"
#include "registry.h"
#include "sockset.h"
#include "util.h"

/* Bound on the host's /proc/net files read for the socket count. */
#define PS_PROCNET_MAX (64u << 20)
#define PS_CMD_WIDTH 40

/* Add the inode column of one /proc/net file to @set. */
static void ps_read_inodes(const char *path, GHashTable *set)
{
	g_autofree char *buf = NULL;
	g_auto(GStrv) lines = NULL;
	size_t len, i;

	if (util_read_file_bounded(path, PS_PROCNET_MAX, &buf, &len, NULL) < 0)
		return;
	lines = g_strsplit(buf, "\n", -1);
	for (i = 1; lines[i]; i++) { /* line 0 is the header */
		g_auto(GStrv) f = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
		guint n = 0, k;

		for (k = 0; f[k]; k++) {
			if (!f[k][0])
				continue;
			if (n++ == 9) { /* sl local rem st tx:rx tr:tm retr uid timeout inode */
				guint64 ino = g_ascii_strtoull(f[k], NULL, 10);

				if (ino)
					g_hash_table_add(set, g_memdup2(&ino, sizeof(ino)));
				break;
			}
		}
	}
}

static GHashTable *ps_host_inet_inodes(void)
{
	static const char *const files[] = {
		"/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp",
		"/proc/net/udp6", "/proc/net/raw", "/proc/net/raw6",
	};
	GHashTable *set = g_hash_table_new_full(g_int64_hash, g_int64_equal,
						g_free, NULL);
	size_t i;

	for (i = 0; i < ELEMENTSOF(files); i++)
		ps_read_inodes(files[i], set);
	return set;
}

/**
 * ps_count_sockets() - host sockets held by each sandbox's processes
 * @infos: the sandboxes
 * @ret_counts: one count per sandbox (g_free)
 *
 * The sockets a sandbox's processes hold are sockset_collect()'s, as for
 * its /proc/net files and ss; of those, the host's inet sockets count.
 */
static void ps_count_sockets(GPtrArray *infos, guint **ret_counts)
{
	g_autoptr(GHashTable) inet = ps_host_inet_inodes();
	guint *counts = g_new0(guint, infos->len + 1);
	struct stat self;
	guint i;

	if (stat("/proc/self/ns/net", &self) < 0) {
		*ret_counts = counts;
		return;
	}
	for (i = 0; i < infos->len; i++) {
		struct registry_info *info = infos->pdata[i];
		_cleanup_(sockset_freep) struct sockset *set = NULL;
		GHashTableIter it;
		gpointer ino;

		if (sockset_collect("/proc", self.st_dev,
				    (ino_t)info->ns[REGISTRY_NS_NET], &set) < 0)
			continue;
		g_hash_table_iter_init(&it, inet);
		while (g_hash_table_iter_next(&it, &ino, NULL))
			counts[i] += sockset_has(set, *(guint64 *)ino);
	}
	*ret_counts = counts;
}

static gint ps_by_name(gconstpointer a, gconstpointer b)
{
	const struct registry_info *x = *(struct registry_info *const *)a;
	const struct registry_info *y = *(struct registry_info *const *)b;

	return strcmp(x->name, y->name);
}

/* The COMMAND column: at most PS_CMD_WIDTH characters. */
static char *ps_command(const char *cmd)
{
	if (strlen(cmd) <= PS_CMD_WIDTH)
		return g_strdup(cmd);
	return g_strdup_printf("%.*s...", PS_CMD_WIDTH - 3, cmd);
}

/* Print the table: a header and aligned columns. */
static void ps_print(GPtrArray *infos, const guint *counts)
{
	int wn = 4, wc = 7;
	guint i;

	for (i = 0; i < infos->len; i++) {
		struct registry_info *info = infos->pdata[i];
		g_autofree char *cmd = ps_command(info->command);

		wn = MAX(wn, (int)strlen(info->name));
		wc = MAX(wc, (int)strlen(cmd));
	}
	printf("%-*s  %-8s  %-*s  %-19s  %s\n", wn, "NAME", "PID", wc,
	       "COMMAND", "STARTED", "SOCKETS");
	for (i = 0; i < infos->len; i++) {
		struct registry_info *info = infos->pdata[i];
		g_autofree char *cmd = ps_command(info->command);
		time_t t = (time_t)info->started;
		char when[32] = "?";
		struct tm tm;

		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf("%-*s  %-8d  %-*s  %-19s  %u\n", wn, info->name,
		       (int)info->pid, wc, cmd, when, counts[i]);
	}
}

/**
 * ps_main() - `lxnet ps`
 * @argc: argument count
 * @argv: arguments, argv[0] is "ps"
 *
 * Return: 0, 125 when the registry cannot be read, 2 on usage errors.
 */
int ps_main(int argc, char **argv)
{
	const struct cli_spec spec = {
		.prog = "lxnet ps",
		.summary =
		"List the user's running sandboxes started with lxnet run --name:\n"
		"name, pid of the sandbox's first process, command, start time and\n"
		"the number of host sockets its processes hold.",
	};
	g_autoptr(GPtrArray) infos = NULL;
	g_autofree guint *counts = NULL;
	int r;

	r = cli_parse(&spec, &argc, &argv);
	if (r == 0 && argc > 1)
		r = cli_usage_error(spec.prog, "unexpected argument '%s'", argv[1]);
	if (r != 0)
		return cli_exit_status(r);
	r = registry_list(&infos);
	if (r < 0) {
		log_err("cannot read the sandbox registry: %s", strerror(-r));
		return 125;
	}
	g_ptr_array_sort(infos, ps_by_name);
	ps_count_sockets(infos, &counts);
	ps_print(infos, counts);
	return 0;
}
