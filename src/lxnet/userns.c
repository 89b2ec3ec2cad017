// SPDX-License-Identifier: LGPL-2.1-or-later
/* userns.c - which ids `lxnet run`'s sandbox maps, and writing its maps */
/*
 * Theory of operation
 *
 * Programs of a distribution change users: apt fetches as _apt, dpkg's
 * maintainer scripts run useradd and chown, daemons drop privileges. Each
 * of those ids must exist in the sandbox's user namespace, so, as rootless
 * container tools do:
 *
 *  - an ordinary user is root inside (0 -> its own uid) and inside ids
 *    1, 2, ... are the ranges /etc/subuid gives it, in file order
 *    ("0 UID 1", "1 FIRST COUNT", ...), likewise for gids with
 *    /etc/subgid. Only setuid helpers may write such maps: newuidmap and
 *    newgidmap (shadow, Debian package uidmap) check the ranges against the
 *    same files and write them for our child. newgidmap leaves setgroups(2)
 *    allowed, which apt's privilege drop needs;
 *  - root (euid 0 with CAP_SETUID) maps every id of its own namespace to
 *    itself, as /proc/self/uid_map lists them: "0 0 4294967295" on the host
 *    (2^32 - 1 ids: (uid_t)-1 is no id), fewer in a nested namespace. The
 *    sandbox's ids then mean on disk what they mean outside, so any rootfs
 *    works unchanged, and root keeps only the capabilities of the new
 *    namespace. Should the kernel refuse (no CAP_SETUID) we map 0 -> 0;
 *  - with no range configured, or no newuidmap installed, the single
 *    mapping of before ("0 UID 1", setgroups denied) and one line saying how
 *    to get more;
 *  - --uidmap/--gidmap INSIDE:OUTSIDE:COUNT replace the computed map.
 *
 * Everything that can be wrong is found here, before anything is started:
 * a malformed or overlapping range of ours in the subordinate id files, a
 * newuidmap that is neither setuid root nor has file capabilities (or sits
 * on a nosuid mount), a --uidmap the kernel or newuidmap would refuse, or
 * one that does not map root (the sandbox is set up as root inside).
 *
 * Writing: the helpers are started together with posix_spawn() (no page
 * table copy) right after the clone, lxnet writes what it may itself, and
 * the caller starts the companions before waiting for them: the child
 * waits for its maps, so the helpers' exec (two setuid programs, a few
 * milliseconds together) is on the start-up path, overlapped with what
 * can be.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "log.h"
#include "userns.h"
#include "util.h"

extern char **environ;

/* Bounds: a subordinate id file, a helper's message. */
#define USERNS_SUBID_MAX_BYTES (1024 * 1024)
#define USERNS_HELPER_MSG_MAX 512

/*
 * struct userns_kind - what differs between uids and gids
 * @name: "uid" or "gid"
 * @subid: the subordinate id file
 * @helper: the setuid helper that writes the map
 * @option: the option that overrides the map
 * @self_map: our own namespace's map
 * @own: the caller's id
 */
struct userns_kind {
	const char *name;
	const char *subid;
	const char *helper;
	const char *option;
	const char *self_map;
	uint32_t own;
};

/* Why an ordinary user got only its own id (for the hint). */
enum userns_single {
	USERNS_MAPPED = 0,
	USERNS_SINGLE_NO_RANGE,
	USERNS_SINGLE_NO_HELPER,
};

/**
 * userns_self_ids() - every id of our own namespace, mapped to itself
 * @k: uid or gid
 * @m: the map to fill
 *
 * Return: 0 or -errno.
 */
static int userns_self_ids(const struct userns_kind *k, struct idmap *m)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	char **l;
	int r;

	if (!g_file_get_contents(k->self_map, &text, NULL, NULL))
		return -EIO;
	lines = g_strsplit(text, "\n", -1);
	for (l = lines; *l; l++) {
		unsigned int in, out, count;

		if (sscanf(*l, "%u %u %u", &in, &out, &count) != 3)
			continue;
		r = idmap_add(m, in, in, count);
		if (r < 0)
			return r;
	}
	return m->n ? 0 : -EIO;
}

/**
 * userns_find_helper() - newuidmap or newgidmap, if usable
 * @k: which
 * @ret_path: its path (g_free), written only on success
 * @error: why it cannot work, when installed but broken
 *
 * Return: 0, -ENOENT when not installed, -EPERM (with @error) when it is
 * neither setuid root nor has file capabilities, or sits on a nosuid mount.
 */
static int userns_find_helper(const struct userns_kind *k, char **ret_path,
			      GError **error)
{
	g_autofree char *path = g_find_program_in_path(k->helper);
	struct statvfs vfs;
	struct stat st;
	bool caps;

	if (!path || stat(path, &st) < 0)
		return -ENOENT;
	caps = getxattr(path, "security.capability", NULL, 0) > 0;
	if (!caps && !(st.st_uid == 0 && (st.st_mode & S_ISUID))) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
			    "%s is neither setuid root nor has file capabilities (mode %04o, owner %u), so it cannot map subordinate ids: reinstall the uidmap package",
			    path, (unsigned int)(st.st_mode & 07777),
			    (unsigned int)st.st_uid);
		return -EPERM;
	}
	if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
			    "%s is on a filesystem mounted nosuid, so it cannot map subordinate ids",
			    path);
		return -EPERM;
	}
	*ret_path = g_steal_pointer(&path);
	return 0;
}

/**
 * userns_subids() - the caller's ranges in a subordinate id file
 * @k: uid or gid
 * @user: the caller's name, or NULL
 * @ret: where the ranges go
 * @max: size of @ret
 * @ret_n: number found; 0 when the file does not exist
 * @error: what is wrong with the file
 *
 * Return: 0 or -errno with @error set.
 */
static int userns_subids(const struct userns_kind *k, const char *user,
			 struct subid_range *ret, size_t max, size_t *ret_n,
			 GError **error)
{
	g_autofree char *text = NULL;
	size_t len = 0;
	bool trunc = false;
	int r;

	r = util_read_file_bounded(k->subid, USERNS_SUBID_MAX_BYTES, &text,
				   &len, &trunc);
	if (r == -ENOENT) {
		*ret_n = 0;
		return 0;
	}
	if (r < 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "cannot read %s: %s", k->subid, g_strerror(-r));
		return r;
	}
	if (trunc || strlen(text) != len) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s is not a subordinate id file (%s)", k->subid,
			    trunc ? "larger than 1 MiB" : "it holds NUL bytes");
		return -EINVAL;
	}
	r = subid_parse(text, k->subid, user, k->own, ret, max, ret_n, error);
	if (r < 0)
		return r;
	for (size_t i = 0; i < *ret_n; i++) {
		if (k->own < ret[i].start ||
		    (uint64_t)k->own >= (uint64_t)ret[i].start + ret[i].count)
			continue;
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s line %u: the range %u-%llu holds %s's own %s %u",
			    k->subid, ret[i].line, ret[i].start,
			    (unsigned long long)ret[i].start + ret[i].count - 1,
			    user ? user : "the caller", k->name, k->own);
		return -EINVAL;
	}
	return 0;
}

/**
 * userns_plan_specs() - the map given with --uidmap/--gidmap
 * @k: uid or gid
 * @specs: the option's values
 * @root: the caller is root (may map anything of its namespace)
 * @user: the caller's name, or NULL
 * @m: the map to fill
 * @ret_helper: the helper's path when one must write it (g_free)
 * @error: what is wrong
 *
 * Return: 0 or -errno with @error set.
 */
static int userns_plan_specs(const struct userns_kind *k, char **specs,
			     bool root, const char *user, struct idmap *m,
			     char **ret_helper, GError **error)
{
	struct subid_range ranges[IDMAP_MAX_RANGES];
	g_autoptr(GError) e = NULL;
	bool has_root = false;
	size_t n = 0, i;
	int r;

	for (; *specs; specs++) {
		struct idmap_range x;

		if (idmap_parse_spec(*specs, &x) < 0 ||
		    idmap_add(m, x.inside, x.outside, x.count) < 0) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "invalid %s '%s' (want INSIDE:OUTSIDE:COUNT, decimal, COUNT at least 1, at most %d of them)",
				    k->option, *specs, IDMAP_MAX_RANGES);
			return -EINVAL;
		}
		has_root |= x.inside == 0;
	}
	if (idmap_validate(m, &e) < 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: %s", k->option, e->message);
		return -EINVAL;
	}
	if (!has_root) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s maps no %s to 0 inside: the sandbox is set up as root",
			    k->option, k->name);
		return -EINVAL;
	}
	if (root || (m->n == 1 && m->r[0].outside == k->own &&
		     m->r[0].count == 1))
		return 0; /* lxnet writes it itself */
	r = userns_subids(k, user, ranges, ELEMENTSOF(ranges), &n, error);
	if (r < 0)
		return r;
	for (i = 0; i < m->n; i++) {
		if (idmap_within(m->r[i].outside, m->r[i].count, k->own,
				 ranges, n))
			continue;
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
			    "%s %u:%u:%u: %ss %u-%llu are neither yours nor given to %s in %s",
			    k->option, m->r[i].inside, m->r[i].outside,
			    m->r[i].count, k->name, m->r[i].outside,
			    (unsigned long long)m->r[i].outside + m->r[i].count - 1,
			    user ? user : "you", k->subid);
		return -EPERM;
	}
	r = userns_find_helper(k, ret_helper, error);
	if (r == -ENOENT)
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "%s maps more than your own %s, which needs %s: install the uidmap package",
			    k->option, k->name, k->helper);
	return r;
}

/**
 * userns_plan_kind() - the uid or the gid map
 * @k: which
 * @specs: --uidmap/--gidmap values, or NULL
 * @root: the caller is root
 * @user: the caller's name, or NULL
 * @m: the map to fill
 * @ret_helper: the helper's path when one writes it (g_free)
 * @ret_single: why only the caller's own id is mapped, or USERNS_MAPPED
 * @error: what is wrong
 *
 * Return: 0 or -errno with @error set.
 */
static int userns_plan_kind(const struct userns_kind *k, char **specs,
			    bool root, const char *user, struct idmap *m,
			    char **ret_helper, enum userns_single *ret_single,
			    GError **error)
{
	struct subid_range ranges[IDMAP_MAX_RANGES - 1];
	uint64_t next = 1;
	size_t n = 0, i;
	int r;

	*ret_single = USERNS_MAPPED;
	if (specs && *specs)
		return userns_plan_specs(k, specs, root, user, m, ret_helper,
					 error);
	if (root && userns_self_ids(k, m) == 0)
		return 0;
	m->n = 0;
	r = root ? 0 : userns_subids(k, user, ranges, ELEMENTSOF(ranges), &n,
				     error);
	if (r < 0)
		return r;
	if (n > 0) {
		r = userns_find_helper(k, ret_helper, error);
		if (r == -EPERM)
			return r;
		if (r < 0)
			*ret_single = USERNS_SINGLE_NO_HELPER;
	} else if (!root) {
		*ret_single = USERNS_SINGLE_NO_RANGE;
	}
	(void)idmap_add(m, 0, k->own, 1);
	for (i = 0; i < n && *ret_helper && next < IDMAP_ID_LIMIT; i++) {
		uint32_t count = (uint32_t)MIN((uint64_t)ranges[i].count,
					       IDMAP_ID_LIMIT - next);

		(void)idmap_add(m, (uint32_t)next, ranges[i].start, count);
		next += count;
	}
	return 0;
}

/* The one line telling an ordinary user how to get more ids. */
static char *userns_hint(const char *user, enum userns_single u,
			 enum userns_single g)
{
	g_autofree char *installed = g_find_program_in_path("newuidmap");
	const char *what = u && g ? "uid and gid are" : u ? "uid is" : "gid is";
	bool range = u == USERNS_SINGLE_NO_RANGE || g == USERNS_SINGLE_NO_RANGE;
	bool helper = u == USERNS_SINGLE_NO_HELPER ||
		      g == USERNS_SINGLE_NO_HELPER || !installed;
	g_autofree char *ask = NULL;

	if (!u && !g)
		return NULL;
	if (range)
		ask = g_strdup_printf("have root give you subordinate ids, a range no one else has (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s)%s",
				      user ? user : "USER",
				      helper ? ", and install the uidmap package" : "");
	return g_strdup_printf("only your own %s mapped in the sandbox, so programs that switch users there (apt, dpkg, su) fail; to map more, %s; see lxnet(1), USER NAMESPACE",
			       what, ask ? ask : "install the uidmap package (newuidmap, newgidmap)");
}

/**
 * userns_plan_make() - decide the sandbox's maps
 * @p: the plan to fill (zeroed by the caller or by userns_plan_clear())
 * @uid_specs: --uidmap values, or NULL
 * @gid_specs: --gidmap values, or NULL
 * @error: what is wrong (one line)
 *
 * See "Theory of operation".
 * Return: 0 or -errno with @error set.
 */
int userns_plan_make(struct userns_plan *p, char **uid_specs,
		     char **gid_specs, GError **error)
{
	const struct userns_kind ku = {
		"uid", USERNS_SUBUID, "newuidmap", "--uidmap",
		"/proc/self/uid_map", getuid(),
	};
	const struct userns_kind kg = {
		"gid", USERNS_SUBGID, "newgidmap", "--gidmap",
		"/proc/self/gid_map", getgid(),
	};
	struct passwd *pw = getpwuid(getuid());
	bool root = geteuid() == 0;
	enum userns_single su, sg;
	int r;

	p->own_uid = getuid();
	p->own_gid = getgid();
	r = userns_plan_kind(&ku, uid_specs, root, pw ? pw->pw_name : NULL,
			     &p->uid, &p->uid_helper, &su, error);
	if (r < 0)
		return r;
	r = userns_plan_kind(&kg, gid_specs, root, pw ? pw->pw_name : NULL,
			     &p->gid, &p->gid_helper, &sg, error);
	if (r < 0)
		return r;
	p->hint = userns_hint(pw ? pw->pw_name : NULL, su, sg);
	return 0;
}

/* Free what the plan holds; it can be made again. */
void userns_plan_clear(struct userns_plan *p)
{
	g_free(p->uid_helper);
	g_free(p->gid_helper);
	g_free(p->hint);
	memset(p, 0, sizeof(*p));
}

/**
 * userns_spawn_helper() - start `HELPER PID INSIDE OUTSIDE COUNT...`
 * @path: the helper
 * @pid: the child whose map it writes
 * @m: the map
 * @run: filled on success
 *
 * Its stderr goes to a pipe, so that its complaint becomes our one line.
 * Return: 0 or -errno.
 */
static int userns_spawn_helper(const char *path, pid_t pid,
			       const struct idmap *m,
			       struct userns_helper_run *run)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	posix_spawn_file_actions_t fa;
	_cleanup_close_ int rd = -1, wr = -1;
	int pfd[2], r;
	size_t i;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	rd = pfd[0];
	wr = pfd[1];
	g_ptr_array_add(argv, g_strdup(path));
	g_ptr_array_add(argv, g_strdup_printf("%d", (int)pid));
	for (i = 0; i < m->n; i++) {
		g_ptr_array_add(argv, g_strdup_printf("%u", m->r[i].inside));
		g_ptr_array_add(argv, g_strdup_printf("%u", m->r[i].outside));
		g_ptr_array_add(argv, g_strdup_printf("%u", m->r[i].count));
	}
	g_ptr_array_add(argv, NULL);
	r = posix_spawn_file_actions_init(&fa);
	if (r != 0)
		return -r;
	r = posix_spawn_file_actions_adddup2(&fa, wr, STDERR_FILENO);
	if (r == 0)
		r = posix_spawn(&run->pid, path, &fa, NULL,
				(char **)argv->pdata, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return -r;
	run->err = steal_fd(&rd);
	return 0;
}

/**
 * userns_wait_helper() - wait for a helper and say why it failed
 * @name: "newuidmap" or "newgidmap"
 * @run: the helper (its fd is closed)
 * @error: its complaint
 *
 * Return: 0 or -EPERM with @error set.
 */
static int userns_wait_helper(const char *name, struct userns_helper_run *run,
			      GError **error)
{
	char msg[USERNS_HELPER_MSG_MAX] = "";
	ssize_t n = 0, got;
	int status = 0;
	char *nl;

	while (waitpid(run->pid, &status, 0) < 0 && errno == EINTR)
		;
	while ((size_t)n < sizeof(msg) - 1 &&
	       (got = read(run->err, msg + n, sizeof(msg) - 1 - (size_t)n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		n += got;
	}
	closep(&run->err);
	run->err = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	msg[n] = '\0';
	nl = strchr(msg, '\n');
	if (nl)
		*nl = '\0';
	if (*msg)
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
			    "%s refused the map: %s", name, msg);
	else if (WIFSIGNALED(status))
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
			    "%s was killed by signal %d", name, WTERMSIG(status));
	else
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
			    "%s failed (status %d)", name, WEXITSTATUS(status));
	return -EPERM;
}

static int userns_write_file(pid_t pid, const char *name, const char *text)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/%s", (int)pid, name);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t n = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, n) != (ssize_t)n)
		return -errno;
	return 0;
}

/**
 * userns_write_self() - write a map lxnet may write itself
 * @pid: the child
 * @name: "uid_map" or "gid_map"
 * @m: the map
 * @own: the caller's id, mapped to 0 when the kernel refuses @m
 *
 * An unprivileged gid_map needs setgroups denied first; a privileged one
 * that the kernel refuses (root without CAP_SETUID) falls back to 0 -> @own.
 * Return: 0 or -errno.
 */
static int userns_write_self(pid_t pid, const char *name,
			     const struct idmap *m, uint32_t own)
{
	bool gid = strcmp(name, "gid_map") == 0;
	bool single = m->n == 1 && m->r[0].count == 1 && m->r[0].outside == own;
	g_autofree char *text = idmap_format(m);
	int r;

	if (gid && single && geteuid() != 0) {
		r = userns_write_file(pid, "setgroups", "deny");
		if (r < 0 && r != -ENOENT)
			return r;
	}
	r = userns_write_file(pid, name, text);
	if (r != -EPERM || single)
		return r;
	log_debug("the kernel refused %s %s; mapping 0 to %u only", name,
		  text, own);
	if (gid) {
		r = userns_write_file(pid, "setgroups", "deny");
		if (r < 0 && r != -ENOENT)
			return r;
	}
	g_free(text);
	text = g_strdup_printf("0 %u 1\n", own);
	return userns_write_file(pid, name, text);
}

/**
 * userns_write_start() - start writing the child's uid and gid maps
 * @p: the plan
 * @pid: the child, in its new user namespace, waiting for its maps
 * @w: what is under way, for userns_write_finish()
 * @error: what failed
 *
 * The helpers are started and left running (the caller may start other
 * things meanwhile); the maps lxnet writes itself are written. Call
 * userns_write_finish() in any case.
 * Return: 0 or -errno with @error set.
 */
int userns_write_start(const struct userns_plan *p, pid_t pid,
		       struct userns_writing *w, GError **error)
{
	int r = 0;

	*w = (struct userns_writing){ { 0, -1 }, { 0, -1 } };
	if (p->uid_helper)
		r = userns_spawn_helper(p->uid_helper, pid, &p->uid, &w->hu);
	if (r == 0 && p->gid_helper)
		r = userns_spawn_helper(p->gid_helper, pid, &p->gid, &w->hg);
	if (r < 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "cannot start %s: %s",
			    w->hu.pid ? p->gid_helper : p->uid_helper,
			    g_strerror(-r));
		return r;
	}
	if (!p->uid_helper)
		r = userns_write_self(pid, "uid_map", &p->uid, p->own_uid);
	if (r == 0 && !p->gid_helper)
		r = userns_write_self(pid, "gid_map", &p->gid, p->own_gid);
	if (r < 0)
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "cannot write the sandbox's uid/gid maps: %s",
			    g_strerror(-r));
	return r;
}

/**
 * userns_write_finish() - wait for the helpers userns_write_start() started
 * @w: what is under way
 * @error: why a helper failed, or NULL when a failure was reported already
 *
 * Return: 0 or -EPERM with @error set.
 */
int userns_write_finish(struct userns_writing *w, GError **error)
{
	int ru = 0, rg = 0;

	if (w->hu.pid)
		ru = userns_wait_helper("newuidmap", &w->hu, error);
	if (w->hg.pid)
		rg = userns_wait_helper("newgidmap", &w->hg,
					ru == 0 ? error : NULL);
	w->hu.pid = w->hg.pid = 0;
	return ru < 0 ? ru : rg;
}

/**
 * userns_root_owner_problem() - is a rootfs owned by ids the sandbox lacks?
 * @p: the plan
 * @root: the --root directory
 *
 * Root inside may change any file whose owner and group are mapped; a
 * rootfs whose top directory belongs to an unmapped id (another user's,
 * or root's used by an ordinary user) shows as nobody's inside and nothing
 * in it can be changed.
 * Return: a sentence saying so (g_free), or NULL when the owner is mapped
 * (or @root cannot be read: that is reported elsewhere).
 */
char *userns_root_owner_problem(const struct userns_plan *p, const char *root)
{
	g_autofree char *map = NULL;
	struct stat st;
	uint32_t in;

	if (stat(root, &st) < 0)
		return NULL;
	if (!idmap_to_inside(&p->uid, st.st_uid, &in)) {
		map = idmap_describe(&p->uid);
		return g_strdup_printf("--root %s belongs to uid %u, which the sandbox does not map (uid map %s): its files are nobody's inside and cannot be changed there; see lxnet(1), ROOTFS OWNERSHIP",
				       root, (unsigned int)st.st_uid, map);
	}
	if (!idmap_to_inside(&p->gid, st.st_gid, &in)) {
		map = idmap_describe(&p->gid);
		return g_strdup_printf("--root %s belongs to gid %u, which the sandbox does not map (gid map %s): its files are nogroup's inside; see lxnet(1), ROOTFS OWNERSHIP",
				       root, (unsigned int)st.st_gid, map);
	}
	return NULL;
}
