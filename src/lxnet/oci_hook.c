// SPDX-License-Identifier: LGPL-2.1-or-later
/* oci_hook.c - `lxnet oci-hook`: an OCI createContainer hook putting lxnetfs's proc/net at a container's /proc/net */
/*
 * /proc/net is a symlink to self/net, whose files live in a per-pid
 * directory: a mount in the container's config lands on one process's
 * /proc/PID/net. `lxnet run` mounts a symlink over the /proc/net symlink
 * itself (src/sandbox.c, sbx_procnet()); this hook does the same for an OCI
 * container. A createContainer hook runs in the container's namespaces
 * after the runtime's mounts and before pivot_root (crun), so the host's
 * paths are still reachable: the view's files are bound into a tmpfs at
 * ROOTFS/run/lxnet/net (entries the view lacks are symlinks to
 * /proc/self/net/NAME), and a symlink to /run/lxnet/net is mounted over
 * ROOTFS/proc/net (open_tree(OPEN_TREE_CLONE|AT_SYMLINK_NOFOLLOW) +
 * move_mount(), which mount on a symlink itself). The rootfs is the
 * config's root.path, read from the bundle the hook's state names.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <json-glib/json-glib.h>
#include <linux/mount.h>

#include "cli.h"
#include "lxnet_int.h"
#include "util.h"

/* Bound on the state read from stdin (the runtime's JSON, annotations included). */
#define HOOK_STATE_MAX (64 * 1024)

/* hook_read_state() - the hook's stdin, at most HOOK_STATE_MAX bytes (g_free). */
static int hook_read_state(char **ret, size_t *ret_len)
{
	g_autofree char *buf = g_malloc(HOOK_STATE_MAX);
	size_t len = 0;
	ssize_t n;

	while (len < HOOK_STATE_MAX) {
		n = read(STDIN_FILENO, buf + len, HOOK_STATE_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == HOOK_STATE_MAX)
		return -E2BIG;
	*ret_len = len;
	*ret = g_steal_pointer(&buf);
	return 0;
}

/* hook_json_string() - @member of the object at the root of @parser, or NULL */
static const char *hook_json_string(JsonParser *parser, const char *member)
{
	JsonNode *root = json_parser_get_root(parser);
	JsonObject *o;

	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	o = json_node_get_object(root);
	return json_object_get_string_member_with_default(o, member, NULL);
}

/**
 * hook_rootfs() - the container's rootfs, from the state on stdin
 * @ret: an absolute path (g_free)
 *
 * The state's "bundle" holds config.json, whose root.path is the rootfs
 * (relative to the bundle when not absolute).
 *
 * Return: 0, -EBADMSG (not an OCI state or config), or -errno.
 */
static int hook_rootfs(char **ret)
{
	g_autoptr(JsonParser) state = json_parser_new();
	g_autoptr(JsonParser) config = json_parser_new();
	g_autofree char *buf = NULL, *cfg = NULL;
	const char *bundle, *path;
	JsonObject *root;
	JsonNode *n;
	size_t len = 0;
	int r;

	r = hook_read_state(&buf, &len);
	if (r < 0)
		return r;
	if (!json_parser_load_from_data(state, buf, (gssize)len, NULL))
		return -EBADMSG;
	bundle = hook_json_string(state, "bundle");
	if (!bundle || bundle[0] != '/')
		return -EBADMSG;
	cfg = g_build_filename(bundle, "config.json", NULL);
	if (!json_parser_load_from_file(config, cfg, NULL))
		return -EBADMSG;
	n = json_parser_get_root(config);
	if (!n || !JSON_NODE_HOLDS_OBJECT(n) ||
	    !json_object_has_member(json_node_get_object(n), "root"))
		return -EBADMSG;
	n = json_object_get_member(json_node_get_object(n), "root");
	if (!JSON_NODE_HOLDS_OBJECT(n))
		return -EBADMSG;
	root = json_node_get_object(n);
	path = json_object_get_string_member_with_default(root, "path", NULL);
	if (!path || !*path)
		return -EBADMSG;
	*ret = path[0] == '/' ? g_strdup(path) : g_build_filename(bundle, path, NULL);
	return 0;
}

/* hook_mount_on_link() - mount @src (itself, a symlink) over the symlink @dst itself */
static int hook_mount_on_link(const char *src, const char *dst)
{
	_cleanup_close_ int tree = -1;

	tree = (int)syscall(SYS_open_tree, AT_FDCWD, src,
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
	if (tree < 0)
		return -errno;
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, dst,
		    MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/* hook_bind_file() - an empty file at @dst with @src bound on it */
static int hook_bind_file(const char *src, const char *dst)
{
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);

	if (fd < 0)
		return -errno;
	close(fd);
	return mount(src, dst, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
}

/**
 * hook_fill_net() - the view's proc/net files bound into @net, symlinks
 * to /proc/self/net for the rest
 * @viewnet: VIEW/proc/net
 * @net: the directory to fill (in the tmpfs)
 *
 * Return: 0 or -errno.
 */
static int hook_fill_net(const char *viewnet, const char *net)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal,
							   g_free, NULL);
	struct dirent *de;
	DIR *d;
	int r = 0;

	d = opendir(viewnet);
	if (!d)
		return -errno;
	while (r == 0 && (de = readdir(d))) {
		g_autofree char *src = NULL, *dst = NULL;

		if (de->d_name[0] == '.')
			continue;
		src = g_build_filename(viewnet, de->d_name, NULL);
		dst = g_build_filename(net, de->d_name, NULL);
		r = hook_bind_file(src, dst);
		g_hash_table_add(seen, g_strdup(de->d_name));
	}
	closedir(d);
	if (r < 0)
		return r;
	d = opendir("/proc/self/net");
	if (!d)
		return -errno;
	while (r == 0 && (de = readdir(d))) {
		g_autofree char *src = NULL, *dst = NULL;

		if (de->d_name[0] == '.' || g_hash_table_contains(seen, de->d_name))
			continue;
		src = g_strdup_printf("/proc/self/net/%s", de->d_name);
		dst = g_build_filename(net, de->d_name, NULL);
		if (symlink(src, dst) < 0)
			r = -errno;
	}
	closedir(d);
	return r;
}

/**
 * hook_procnet() - present @view's proc/net at @rootfs's /proc/net
 * @view: an lxnetfs mount point
 * @rootfs: the container's rootfs, its /proc mounted
 *
 * Runs in the container's mount namespace, before pivot_root.
 *
 * Return: 0 or -errno.
 */
static int hook_procnet(const char *view, const char *rootfs)
{
	g_autofree char *run = g_build_filename(rootfs, "run", NULL);
	g_autofree char *stage = g_build_filename(rootfs, "run", "lxnet", NULL);
	g_autofree char *net = g_build_filename(stage, "net", NULL);
	g_autofree char *lnk = g_build_filename(stage, "net.link", NULL);
	g_autofree char *viewnet = g_build_filename(view, "proc", "net", NULL);
	g_autofree char *procnet = g_build_filename(rootfs, "proc", "net", NULL);
	struct stat st;
	int r;

	if (lstat(procnet, &st) < 0)
		return -errno;
	if (!S_ISLNK(st.st_mode))
		return -ENOTSUP; /* not a proc mount as the kernel makes it */
	if (mkdir(run, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(stage, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount("lxnet", stage, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0755,size=1m") < 0)
		return -errno;
	if (mkdir(net, 0755) < 0)
		return -errno;
	r = hook_fill_net(viewnet, net);
	if (r < 0)
		return r;
	if (symlink("/run/lxnet/net", lnk) < 0)
		return -errno;
	r = hook_mount_on_link(lnk, procnet);
	if (r < 0)
		return r;
	/* nothing more is written there: a read-only tmpfs from now on */
	if (mount(NULL, stage, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID |
		  MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	return 0;
}

/**
 * oci_hook_main() - `lxnet oci-hook --view DIR` (an OCI createContainer hook)
 * @argc: argument count (argv[0] is "oci-hook")
 * @argv: arguments
 *
 * Return: exit status (0; 1 when it failed, with one line on stderr; 2 for
 * usage).
 */
int oci_hook_main(int argc, char **argv)
{
	g_autofree char *view = NULL, *rootfs = NULL;
	const GOptionEntry entries[] = {
		{ "view", 0, 0, G_OPTION_ARG_FILENAME, &view,
		  "the lxnetfs mount point whose proc/net to present", "DIR" },
		{ NULL },
	};
	const struct cli_spec spec = {
		.prog = "lxnet oci-hook",
		.summary =
		"An OCI createContainer hook (the container's state on stdin):\n"
		"present the view's proc/net at the container's /proc/net.\n"
		"See lxnet(1).",
		.entries = entries,
	};
	int r;

	r = cli_parse(&spec, &argc, &argv);
	if (r == 0 && argc > 1)
		r = cli_usage_error(spec.prog, "unexpected argument '%s'", argv[1]);
	else if (r == 0 && !view)
		r = cli_usage_error(spec.prog, "--view DIR is needed");
	if (r != 0)
		return cli_exit_status(r);
	r = hook_rootfs(&rootfs);
	if (r == -EBADMSG) {
		fprintf(stderr, "lxnet oci-hook: stdin is not an OCI state with a bundle holding config.json\n");
		return 1;
	}
	if (r == 0)
		r = hook_procnet(view, rootfs);
	if (r < 0) {
		fprintf(stderr, "lxnet oci-hook: cannot present %s/proc/net at %s/proc/net: %s\n",
			view, rootfs ? rootfs : "the container's", g_strerror(-r));
		return 1;
	}
	return 0;
}
