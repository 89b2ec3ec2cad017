// SPDX-License-Identifier: LGPL-2.1-or-later
/* registry.c - the per-user directory of named, running sandboxes */
/*
 * Theory of operation (layout and rules: registry.h)
 *
 * Claiming a name is one atomic step: the entry is built complete in a
 * hidden directory (".new-XXXXXX": locked, its socket bound and listening)
 * and renamed to NAME with RENAME_NOREPLACE, so nobody ever sees a half
 * made entry or an unlocked one. A NAME already there whose lock can be
 * taken belongs to an lxnet that died without cleaning up: it is removed
 * first. `info` is written (to info.tmp, then renamed) once the sandbox is
 * fully set up, so an entry without `info` is a sandbox still starting.
 * Sockets are reached through /proc/self/fd/DIRFD/sock, which keeps the
 * path short whatever REGDIR is (sun_path holds 108 bytes).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fdpass.h"
#include "log.h"
#include "registry.h"
#include "util.h"

#define REGISTRY_INFO_MAX 65536 /* bytes of an info file */
#define REGISTRY_GROUP "sandbox"

struct registry_entry {
	int dirfd;  /* REGDIR */
	int lock;   /* REGDIR/NAME, flock()ed */
	int sock;   /* listening */
	char *name;
};

static const char *const registry_ns_names[REGISTRY_NS_COUNT] = {
	[REGISTRY_NS_USER] = "user", [REGISTRY_NS_MNT] = "mnt",
	[REGISTRY_NS_NET] = "net",   [REGISTRY_NS_UTS] = "uts",
	[REGISTRY_NS_PID] = "pid",
};

/**
 * registry_name_check() - is @name a valid sandbox name?
 * @name: candidate
 *
 * Return: 0 or -EINVAL: names are 1..REGISTRY_NAME_MAX characters of
 * [A-Za-z0-9_.-], starting with a letter or digit (no '/', nothing hidden).
 */
int registry_name_check(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > REGISTRY_NAME_MAX || !g_ascii_isalnum(name[0]))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!g_ascii_isalnum(name[i]) && !strchr("_.-", name[i]))
			return -EINVAL;
	return 0;
}

/**
 * registry_dir() - the user's registry directory
 * @create: make it (and its parent, mode 0700) when missing
 * @ret_path: its path (g_free)
 *
 * REGDIR is the "sandboxes" folder of the user's lxnet runtime directory,
 * which lxnet-proxy's default control socket shares.
 * Return: 0, -ENOENT when missing and not @create, -EPERM when it or its
 * parent is not ours or others may write it, or -errno.
 */
int registry_dir(bool create, char **ret_path)
{
	g_autofree char *base = NULL; /* free() is g_free() */
	g_autofree char *p = NULL;
	int r;

	r = fdpass_runtime_dir(&base);
	if (r == -ENOENT)
		log_err("no registry directory here: nested user namespaces "
			"hide which user this is (set XDG_RUNTIME_DIR)");
	if (r < 0)
		return r;
	p = g_build_filename(base, "sandboxes", NULL);
	/* the base is the proxy's socket directory too: others must not
	 * write it; the entries' directory is ours alone */
	r = fdpass_private_dir(base, create, 022);
	if (r == 0)
		r = fdpass_private_dir(p, create, 077);
	if (r == -EPERM || r == -ENOTDIR)
		log_err("%s: %s: the registry needs a directory of this user's "
			"that no one else may write (remove it or chmod 700 "
			"your own; or set XDG_RUNTIME_DIR)",
			r == -EPERM && access(p, F_OK) == 0 ? p : base,
			g_strerror(-r));
	if (r < 0)
		return r;
	*ret_path = g_steal_pointer(&p);
	return 0;
}

/* Remove the entry REGDIR/@name whose directory is open as @efd. */
static void registry_remove(int dirfd, const char *name, int efd)
{
	(void)unlinkat(efd, "info", 0);
	(void)unlinkat(efd, "info.tmp", 0);
	(void)unlinkat(efd, "sock", 0);
	(void)unlinkat(dirfd, name, AT_REMOVEDIR);
}

/**
 * registry_open_entry() - open REGDIR/@name, telling live from stale
 * @dirfd: REGDIR
 * @name: entry
 * @ret_efd: the entry's directory fd, when live
 *
 * A stale entry (nobody holds its lock) is removed.
 * Return: 0 when live, -ESRCH when it was stale, -ENOENT, or -errno.
 */
static int registry_open_entry(int dirfd, const char *name, int *ret_efd)
{
	_cleanup_close_ int efd = -1;

	efd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (efd < 0)
		return -errno;
	if (flock(efd, LOCK_EX | LOCK_NB) == 0) {
		registry_remove(dirfd, name, efd);
		return -ESRCH;
	}
	if (errno != EWOULDBLOCK)
		return -errno;
	*ret_efd = steal_fd(&efd);
	return 0;
}

/* "/proc/self/fd/@fd/@name" */
static void registry_fd_path(struct sockaddr_un *sa, int fd, const char *name)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", fd,
		 name);
}

/* Bind and listen on @efd/sock (non-blocking). */
static int registry_listen(int efd, int *ret_sock)
{
	_cleanup_close_ int s = -1;
	struct sockaddr_un sa;

	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	registry_fd_path(&sa, efd, "sock");
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s, 16) < 0)
		return -errno;
	*ret_sock = steal_fd(&s);
	return 0;
}

void registry_entry_free(struct registry_entry *e)
{
	if (!e)
		return;
	if (e->lock >= 0 && e->dirfd >= 0)
		registry_remove(e->dirfd, e->name, e->lock);
	closep(&e->sock);
	closep(&e->lock);
	closep(&e->dirfd);
	g_free(e->name);
	g_free(e);
}

/* Build the entry in a fresh hidden directory of @e->dirfd. */
static int registry_build(struct registry_entry *e, char **ret_tmp)
{
	g_autofree char *tmp = g_strdup(".new-XXXXXX");
	g_autofree char *path = NULL;
	int r;

	path = g_strdup_printf("/proc/self/fd/%d/%s", e->dirfd, tmp);
	if (!g_mkdtemp_full(path, 0700))
		return -errno;
	memcpy(tmp, path + strlen(path) - strlen(tmp), strlen(tmp));
	e->lock = openat(e->dirfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			 O_CLOEXEC);
	r = e->lock < 0 ? -errno : 0;
	if (r == 0 && flock(e->lock, LOCK_EX | LOCK_NB) < 0)
		r = -errno;
	if (r == 0)
		r = registry_listen(e->lock, &e->sock);
	if (r < 0) {
		if (e->lock >= 0)
			(void)unlinkat(e->lock, "sock", 0);
		(void)unlinkat(e->dirfd, tmp, AT_REMOVEDIR);
		closep(&e->lock);
		e->lock = -1;
		return r;
	}
	*ret_tmp = g_steal_pointer(&tmp);
	return 0;
}

/**
 * registry_claim() - take @name for a sandbox about to start
 * @name: a valid name (registry_name_check())
 * @ret_entry: the claimed entry: locked, its socket listening
 *
 * Return: 0, -EADDRINUSE when a live sandbox has the name, or -errno
 * (nothing is left behind on failure).
 */
int registry_claim(const char *name, struct registry_entry **ret_entry)
{
	struct registry_entry *e = g_new0(struct registry_entry, 1);
	g_autofree char *dir = NULL, *tmp = NULL;
	_cleanup_close_ int old = -1;
	int r;

	e->dirfd = e->lock = e->sock = -1;
	e->name = g_strdup(name);
	r = registry_dir(true, &dir);
	if (r == 0) {
		e->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		r = e->dirfd < 0 ? -errno : 0;
	}
	if (r == 0) {
		r = registry_open_entry(e->dirfd, name, &old);
		r = r == 0 ? -EADDRINUSE : r == -ESRCH || r == -ENOENT ? 0 : r;
	}
	if (r == 0)
		r = registry_build(e, &tmp);
	if (r == 0 && renameat2(e->dirfd, tmp, e->dirfd, name,
				RENAME_NOREPLACE) < 0) {
		r = errno == EEXIST ? -EADDRINUSE : -errno;
		(void)unlinkat(e->lock, "sock", 0);
		(void)unlinkat(e->dirfd, tmp, AT_REMOVEDIR);
		closep(&e->lock);
		e->lock = -1;
	}
	if (r < 0) {
		registry_entry_free(e);
		return r;
	}
	*ret_entry = e;
	return 0;
}

/**
 * registry_entry_forget() - close a copy's fds, leaving the entry alone
 * @e: claimed entry, in a forked process that does not own it
 *
 * The lock stays held by the owner's open file description.
 */
void registry_entry_forget(struct registry_entry *e)
{
	if (!e)
		return;
	closep(&e->sock);
	closep(&e->lock);
	closep(&e->dirfd);
	e->sock = e->lock = e->dirfd = -1;
}

/* The listening socket of a claimed entry (owned by the entry). */
int registry_entry_sock(const struct registry_entry *e)
{
	return e ? e->sock : -1;
}

/**
 * registry_publish() - write the entry's info: the sandbox is ready
 * @e: claimed entry
 * @info: what to publish
 *
 * Return: 0 or -errno.
 */
int registry_publish(struct registry_entry *e, const struct registry_info *info)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *data = NULL;
	_cleanup_close_ int fd = -1;
	gsize len = 0;
	size_t i;

	g_key_file_set_string(kf, REGISTRY_GROUP, "name", info->name);
	g_key_file_set_int64(kf, REGISTRY_GROUP, "pid", info->pid);
	g_key_file_set_uint64(kf, REGISTRY_GROUP, "starttime", info->starttime);
	g_key_file_set_int64(kf, REGISTRY_GROUP, "run-pid", info->run_pid);
	g_key_file_set_uint64(kf, REGISTRY_GROUP, "pidns", info->pidns);
	for (i = 0; i < REGISTRY_NS_COUNT; i++) {
		g_autofree char *k = g_strdup_printf("ns-%s", registry_ns_names[i]);

		g_key_file_set_uint64(kf, REGISTRY_GROUP, k, info->ns[i]);
	}
	g_key_file_set_boolean(kf, REGISTRY_GROUP, "root", info->has_root);
	g_key_file_set_uint64(kf, REGISTRY_GROUP, "filter", info->filter_flags);
	g_key_file_set_int64(kf, REGISTRY_GROUP, "started", info->started);
	g_key_file_set_string(kf, REGISTRY_GROUP, "command", info->command);
	data = g_key_file_to_data(kf, &len, NULL);
	fd = openat(e->lock, "info.tmp", O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	if (renameat(e->lock, "info.tmp", e->lock, "info") < 0)
		return -errno;
	return 0;
}

void registry_info_free(struct registry_info *info)
{
	if (!info)
		return;
	g_free(info->name);
	g_free(info->command);
	g_free(info);
}

/* Read @efd/info; -EAGAIN when the sandbox has not published it yet. */
static int registry_read_info(int efd, struct registry_info **ret_info)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *buf = g_malloc(REGISTRY_INFO_MAX + 1);
	_cleanup_close_ int fd = openat(efd, "info", O_RDONLY | O_CLOEXEC |
					O_NOFOLLOW);
	struct registry_info *i;
	ssize_t n;
	size_t k;

	if (fd < 0)
		return errno == ENOENT ? -EAGAIN : -errno;
	n = read(fd, buf, REGISTRY_INFO_MAX);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (!g_key_file_load_from_data(kf, buf, (gsize)n, 0, NULL))
		return -EBADMSG;
	i = g_new0(struct registry_info, 1);
	i->name = g_key_file_get_string(kf, REGISTRY_GROUP, "name", NULL);
	i->pid = (pid_t)g_key_file_get_int64(kf, REGISTRY_GROUP, "pid", NULL);
	i->starttime = g_key_file_get_uint64(kf, REGISTRY_GROUP, "starttime", NULL);
	i->run_pid = (pid_t)g_key_file_get_int64(kf, REGISTRY_GROUP, "run-pid", NULL);
	i->pidns = g_key_file_get_uint64(kf, REGISTRY_GROUP, "pidns", NULL);
	for (k = 0; k < REGISTRY_NS_COUNT; k++) {
		g_autofree char *key = g_strdup_printf("ns-%s", registry_ns_names[k]);

		i->ns[k] = g_key_file_get_uint64(kf, REGISTRY_GROUP, key, NULL);
	}
	i->has_root = g_key_file_get_boolean(kf, REGISTRY_GROUP, "root", NULL);
	i->filter_flags = (unsigned int)g_key_file_get_uint64(kf, REGISTRY_GROUP,
							      "filter", NULL);
	i->started = g_key_file_get_int64(kf, REGISTRY_GROUP, "started", NULL);
	i->command = g_key_file_get_string(kf, REGISTRY_GROUP, "command", NULL);
	if (!i->name || !i->command || i->pid <= 0 || !i->starttime) {
		registry_info_free(i);
		return -EBADMSG;
	}
	*ret_info = i;
	return 0;
}

/**
 * registry_lookup() - find a running sandbox by name
 * @name: a valid name
 * @ret_info: its info (registry_info_free())
 * @ret_sock: a connection to its `lxnet run` (SOCK_SEQPACKET)
 *
 * Return: 0; -ENOENT when there is no such sandbox; -ESRCH when its entry
 * was stale (it has been removed); -EAGAIN when it is still starting;
 * -errno otherwise.
 */
int registry_lookup(const char *name, struct registry_info **ret_info,
		    int *ret_sock)
{
	g_autofree char *dir = NULL;
	_cleanup_close_ int dirfd = -1, efd = -1, s = -1;
	struct registry_info *info = NULL;
	struct sockaddr_un sa;
	int r;

	r = registry_dir(false, &dir);
	if (r < 0)
		return r;
	dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	r = registry_open_entry(dirfd, name, &efd);
	if (r == 0)
		r = registry_read_info(efd, &info);
	if (r < 0)
		return r;
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	registry_fd_path(&sa, efd, "sock");
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		registry_info_free(info);
		return r == -ECONNREFUSED ? -ESRCH : r;
	}
	*ret_info = info;
	*ret_sock = steal_fd(&s);
	return 0;
}

/*
 * registry_sweep_new() - remove an entry whose lxnet run died while
 * building it (registry_build()): a hidden directory nobody holds the lock
 * of. One younger than a minute is left alone, as its builder may not have
 * taken the lock yet.
 */
static void registry_sweep_new(int dirfd, const char *name)
{
	_cleanup_close_ int efd = -1;
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode) || time(NULL) - st.st_mtime < 60)
		return;
	(void)registry_open_entry(dirfd, name, &efd);
}

/**
 * registry_list() - every running sandbox of the user
 * @ret_infos: struct registry_info pointers (free function set), sorted by
 *             name; sandboxes still starting are left out
 *
 * Stale entries met on the way are removed. At most REGISTRY_MAX_ENTRIES
 * directory entries are looked at.
 * Return: 0 (an empty array when there is no registry) or -errno.
 */
int registry_list(GPtrArray **ret_infos)
{
	g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(
		(GDestroyNotify)registry_info_free);
	g_autofree char *dir = NULL;
	g_autoptr(GDir) d = NULL;
	_cleanup_close_ int dirfd = -1;
	const char *n;
	unsigned int seen = 0;
	int r;

	r = registry_dir(false, &dir);
	if (r == -ENOENT)
		goto out;
	if (r < 0)
		return r;
	dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	d = g_dir_open(dir, 0, NULL);
	if (dirfd < 0 || !d)
		return -EIO;
	while ((n = g_dir_read_name(d)) && seen++ < REGISTRY_MAX_ENTRIES) {
		_cleanup_close_ int efd = -1;
		struct registry_info *info = NULL;

		if (g_str_has_prefix(n, ".new-")) {
			registry_sweep_new(dirfd, n);
			continue;
		}
		if (registry_name_check(n) < 0 ||
		    registry_open_entry(dirfd, n, &efd) < 0 ||
		    registry_read_info(efd, &info) < 0)
			continue;
		g_ptr_array_add(a, info);
	}
out:
	*ret_infos = g_steal_pointer(&a);
	return 0;
}

/**
 * registry_proc_starttime() - field 22 of /proc/@pid/stat
 * @pid: process
 * @ret_starttime: clock ticks after boot when it started
 *
 * Return: 0, -ESRCH when there is no such process, or -errno.
 */
int registry_proc_starttime(pid_t pid, uint64_t *ret_starttime)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
	g_autofree char *buf = NULL;
	char *p, *end;
	size_t len;
	int r, field;

	r = util_read_file_bounded(path, 4096, &buf, &len, NULL);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	p = strrchr(buf, ')'); /* the name may hold anything, ')' too */
	if (!p)
		return -EBADMSG;
	/* after ") " comes field 3 (state); starttime is field 22 */
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -EBADMSG;
	*ret_starttime = g_ascii_strtoull(p + 1, &end, 10);
	return end == p + 1 ? -EBADMSG : 0;
}

/**
 * registry_ns_inode() - inode of a namespace of @pid
 * @pid: process (0: the caller itself, via /proc/self)
 * @which: namespace
 * @ret_ino: inode number
 *
 * Return: 0 or -errno.
 */
int registry_ns_inode(pid_t pid, enum registry_ns which, uint64_t *ret_ino)
{
	g_autofree char *path = pid ? g_strdup_printf("/proc/%d/ns/%s", (int)pid,
						      registry_ns_names[which])
				    : g_strdup_printf("/proc/self/ns/%s",
						      registry_ns_names[which]);
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	*ret_ino = st.st_ino;
	return 0;
}

/**
 * registry_fill() - describe a sandbox that has just been set up
 * @info: filled in (free its strings with registry_info_free()'s rules)
 * @name: its name
 * @pid: its first process, our child
 * @pid_ns: it has a pid namespace of its own
 * @has_root: it runs in a --root
 * @argv: its CMD
 *
 * Runs in `lxnet run`.
 * Return: 0 or -errno.
 */
int registry_fill(struct registry_info *info, const char *name, pid_t pid,
		  bool pid_ns, bool has_root, char **argv)
{
	g_autofree char *cmd = g_strjoinv(" ", argv);
	size_t i;
	int r;

	memset(info, 0, sizeof(*info));
	for (i = 0; cmd[i]; i++)
		if (!g_ascii_isprint(cmd[i]))
			cmd[i] = '?';
	r = registry_proc_starttime(pid, &info->starttime);
	for (i = 0; r == 0 && i < REGISTRY_NS_COUNT; i++)
		if (i != REGISTRY_NS_PID || pid_ns)
			r = registry_ns_inode(pid, i, &info->ns[i]);
	if (r == 0)
		r = registry_ns_inode(0, REGISTRY_NS_PID, &info->pidns);
	if (r < 0)
		return r;
	info->name = g_strdup(name);
	info->pid = pid;
	info->run_pid = getpid();
	info->has_root = has_root;
	info->started = (int64_t)time(NULL);
	info->command = g_steal_pointer(&cmd);
	return 0;
}
