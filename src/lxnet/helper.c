// SPDX-License-Identifier: LGPL-2.1-or-later
/* helper.c - where the lxnet front end finds the programs it starts */
#include "config.h"

#include <glib.h>

#include "lxnet_int.h"
#include "util.h"

/**
 * lxnet_find_helper() - path of a program lxnet starts
 * @name: program name (lxnetfs, lxnet-proxy, lxnet-oci)
 * @subdir: its folder in the build tree (fs, proxy, src/lxnet)
 * @env: environment variable that overrides the search
 *
 * Looks next to the running lxnet first (an installed tree, or the build
 * tree, where lxnet and @subdir/ are siblings or lxnet is src/lxnet/lxnet
 * beside the top-level @subdir/), then in lxnet's libexec folder (where
 * lxnet-oci is installed), then in PATH.
 * Return: a newly allocated path, or NULL.
 */
char *lxnet_find_helper(const char *name, const char *subdir, const char *env)
{
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = self ? g_path_get_dirname(self) : NULL;
	const char *e = g_getenv(env);
	char *cands[4] = { NULL };
	char *found = NULL;
	size_t i;

	if (e && *e)
		return g_strdup(e);
	if (dir) {
		cands[0] = g_build_filename(dir, name, NULL);
		cands[1] = g_build_filename(dir, subdir, name, NULL);
		cands[2] = g_build_filename(dir, "..", "..", subdir, name, NULL);
	}
	cands[3] = g_build_filename(PKGLIBEXECDIR, name, NULL);
	for (i = 0; i < ELEMENTSOF(cands); i++) {
		if (!found && cands[i] &&
		    g_file_test(cands[i], G_FILE_TEST_IS_EXECUTABLE) &&
		    !g_file_test(cands[i], G_FILE_TEST_IS_DIR))
			found = g_steal_pointer(&cands[i]);
		g_free(cands[i]);
	}
	return found ? found : g_find_program_in_path(name);
}
