// SPDX-License-Identifier: LGPL-2.1-or-later
/* sockset.c - collect the inodes of the sockets a network namespace's processes hold */
/*
 * A sandbox's sockets live in the host's network namespace (the proxy makes
 * them there and injects them), so the host's /proc/net/tcp and sock_diag
 * list them among everyone else's. Which are the sandbox's is decided by who
 * holds them: a socket is the sandbox's when a process whose network
 * namespace is the sandbox's has an fd linking to `socket:[INO]`, however it
 * got it (injected, accepted, inherited, received over SCM_RIGHTS).
 *
 * The set is computed when asked (an open of /proc/net/tcp, a sock_diag
 * request), never on the connect path: every /proc/PID whose ns/net is the
 * sandbox's namespace (same st_dev and st_ino), then every link of its
 * /proc/PID/fd. Processes that made a network namespace of their own
 * (nested `unshare -n`) are not the sandbox's: their sockets are their
 * namespace's business. Only thread group leaders are listed in /proc, so
 * a thread with an fd table of its own (clone without CLONE_FILES) is not
 * seen. A process the reader may not inspect (ptrace read access) is
 * skipped; the sandbox's processes belong to its user namespace, over which
 * the sandbox's owner holds every capability, so they never are.
 *
 * Bounds: at most SOCKSET_MAX_FDS fd links are read and SOCKSET_MAX_INODES
 * inodes kept per collection; past either the set is marked truncated and
 * the rest is left out (a reader sees fewer rows, never a stall).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

#include "sockset.h"
#include "util.h"

/*
 * struct sockset - a sorted, duplicate-free array of socket inodes
 * @inos: the inodes (uint64_t)
 * @truncated: a bound was hit while collecting
 * @pid: one process of the namespace (the first found), or 0
 */
struct sockset {
	GArray *inos;
	bool truncated;
	pid_t pid;
};

static struct sockset *sockset_alloc(void)
{
	struct sockset *set = g_new0(struct sockset, 1);

	set->inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	return set;
}

static int sockset_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and drop duplicates. */
static void sockset_finish(struct sockset *set)
{
	uint64_t *v = (uint64_t *)(void *)set->inos->data;
	guint i, n = 0;

	if (set->inos->len == 0)
		return;
	qsort(v, set->inos->len, sizeof(*v), sockset_cmp);
	for (i = 0; i < set->inos->len; i++)
		if (n == 0 || v[n - 1] != v[i])
			v[n++] = v[i];
	g_array_set_size(set->inos, n);
}

/**
 * sockset_new() - a set of given inodes
 * @inos: inodes (any order, duplicates allowed)
 * @n: how many
 *
 * Return: the set (sockset_free()).
 */
struct sockset *sockset_new(const uint64_t *inos, size_t n)
{
	struct sockset *set = sockset_alloc();

	if (n)
		g_array_append_vals(set->inos, inos, (guint)n);
	sockset_finish(set);
	return set;
}

/*
 * The socket inode an fd link names ("socket:[INO]"), or 0 for anything
 * else.
 */
static uint64_t sockset_link_ino(int fddir, const char *name)
{
	char buf[64], *end;
	ssize_t n;
	uint64_t ino;

	n = readlinkat(fddir, name, buf, sizeof(buf) - 1);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	if (strncmp(buf, "socket:[", 8) != 0)
		return 0;
	errno = 0;
	ino = g_ascii_strtoull(buf + 8, &end, 10);
	if (errno || end == buf + 8 || strcmp(end, "]") != 0)
		return 0;
	return ino;
}

/*
 * Add the sockets of one process's fd directory, counting links read in
 * *@budget. Return: false when a bound was hit.
 */
static bool sockset_add_fds(struct sockset *set, int piddir, size_t *budget)
{
	int fd = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	bool ok = true;

	if (fd < 0)
		return true;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return true;
	}
	while ((de = readdir(d))) {
		uint64_t ino;

		if (de->d_name[0] == '.')
			continue;
		if (*budget == 0 || set->inos->len >= SOCKSET_MAX_INODES) {
			ok = false;
			break;
		}
		(*budget)--;
		ino = sockset_link_ino(dirfd(d), de->d_name);
		if (ino)
			g_array_append_val(set->inos, ino);
	}
	closedir(d);
	return ok;
}

/* Whether @name is all digits (a /proc/PID entry). */
static bool sockset_is_pid(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (*name < '0' || *name > '9')
			return false;
	return true;
}

/**
 * sockset_collect() - the sockets held by the processes of one namespace
 * @proc: the proc file system's root ("/proc"; tests pass a directory laid
 *	out the same way)
 * @ns_dev: st_dev of the network namespace (stat of its ns/net)
 * @ns_ino: st_ino of it
 * @ret_set: the set (sockset_free())
 *
 * Reads /proc when called (see "Theory" above for what counts and the
 * bounds). Dups of a socket are one entry.
 *
 * Return: 0 or -errno when @proc cannot be read.
 */
int sockset_collect(const char *proc, dev_t ns_dev, ino_t ns_ino,
		    struct sockset **ret_set)
{
	struct sockset *set;
	size_t budget = SOCKSET_MAX_FDS;
	DIR *d = opendir(proc);
	struct dirent *de;

	if (!d)
		return -errno;
	set = sockset_alloc();
	while ((de = readdir(d))) {
		_cleanup_close_ int piddir = -1;
		char path[64];
		struct stat st;

		if (!sockset_is_pid(de->d_name) || strlen(de->d_name) > 20)
			continue;
		/* one system call for each process that is not the sandbox's */
		snprintf(path, sizeof(path), "%s/ns/net", de->d_name);
		if (fstatat(dirfd(d), path, &st, 0) < 0 ||
		    st.st_dev != ns_dev || st.st_ino != ns_ino)
			continue;
		piddir = openat(dirfd(d), de->d_name,
				O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (piddir < 0)
			continue;
		/* the pid may have been reused in between: check again */
		if (fstatat(piddir, "ns/net", &st, 0) < 0 ||
		    st.st_dev != ns_dev || st.st_ino != ns_ino)
			continue;
		if (!set->pid)
			set->pid = (pid_t)g_ascii_strtoll(de->d_name, NULL, 10);
		if (!sockset_add_fds(set, piddir, &budget)) {
			set->truncated = true;
			break;
		}
	}
	closedir(d);
	sockset_finish(set);
	*ret_set = set;
	return 0;
}

/**
 * sockset_idmap_parse() - parse a uid_map's text
 * @text: "INSIDE OUTSIDE COUNT" lines, as /proc/PID/uid_map shows them
 * @ret_map: the map
 *
 * Return: 0, or -EINVAL for a malformed text or more than
 * SOCKSET_IDMAP_MAX lines.
 */
int sockset_idmap_parse(const char *text, struct sockset_idmap *ret_map)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	struct sockset_idmap m = { 0 };
	size_t i;

	for (i = 0; lines[i]; i++) {
		unsigned long a, b, c;
		char extra;

		if (!*g_strstrip(lines[i]))
			continue;
		if (m.n >= SOCKSET_IDMAP_MAX ||
		    sscanf(lines[i], "%lu %lu %lu %c", &a, &b, &c, &extra) != 3 ||
		    a > UINT32_MAX || b > UINT32_MAX || c > UINT32_MAX)
			return -EINVAL;
		m.e[m.n].inside = (uint32_t)a;
		m.e[m.n].outside = (uint32_t)b;
		m.e[m.n].count = (uint32_t)c;
		m.n++;
	}
	*ret_map = m;
	return 0;
}

/**
 * sockset_idmap_read() - read a uid_map file
 * @dirfd: directory @path is relative to (AT_FDCWD for an absolute path)
 * @path: e.g. "uid_map" in a /proc/PID directory
 * @ret_map: the map
 *
 * Return: 0 or -errno.
 */
int sockset_idmap_read(int dirfd, const char *path,
		       struct sockset_idmap *ret_map)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	char buf[SOCKSET_IDMAP_MAX * 36 + 1];
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return sockset_idmap_parse(buf, ret_map);
}

/**
 * sockset_idmap_uid() - a host uid as the namespace of @map sees it
 * @map: the map (NULL or empty: the identity)
 * @host: the uid as the host (the reader of the host's files) sees it
 *
 * Return: the mapped uid, or SOCKSET_OVERFLOW_ID when unmapped.
 */
uint32_t sockset_idmap_uid(const struct sockset_idmap *map, uint32_t host)
{
	unsigned int i;

	if (!map || map->n == 0)
		return host;
	for (i = 0; i < map->n; i++)
		if (host >= map->e[i].outside &&
		    host - map->e[i].outside < map->e[i].count)
			return map->e[i].inside + (host - map->e[i].outside);
	return SOCKSET_OVERFLOW_ID;
}

/**
 * sockset_has() - whether @ino is in @set
 * @set: a set (NULL: the empty set)
 * @ino: a socket inode
 */
bool sockset_has(const struct sockset *set, uint64_t ino)
{
	guint lo = 0, hi;
	const uint64_t *v;

	if (!set)
		return false;
	v = (const uint64_t *)(const void *)set->inos->data;
	hi = set->inos->len;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;

		if (v[mid] == ino)
			return true;
		if (v[mid] < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A process of the namespace the set was collected for (its files under
 * /proc/PID/net are the namespace's), or 0. */
pid_t sockset_pid(const struct sockset *set)
{
	return set ? set->pid : 0;
}

size_t sockset_size(const struct sockset *set)
{
	return set ? set->inos->len : 0;
}

/* Whether a bound left sockets out of @set. */
bool sockset_truncated(const struct sockset *set)
{
	return set && set->truncated;
}

void sockset_free(struct sockset *set)
{
	if (!set)
		return;
	g_array_unref(set->inos);
	g_free(set);
}
