// SPDX-License-Identifier: LGPL-2.1-or-later
/* filewatch.c - see host files change (edit, rename over, re-create, symlink retarget) with inotify */
#include "config.h"

#include <limits.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <glib-unix.h>

#include "hostconf.h"
#include "log.h"
#include "util.h"

/*
 * Theory of operation: a file is found by resolving its path, possibly
 * through symlinks, so it changes when its final directory entry changes or
 * when any symlink on the way is retargeted. The watcher resolves each path
 * component by component and watches, with inotify, the directory holding
 * each symlink met and the directory holding the final file (or, when a
 * component is missing, the deepest directory that exists), for events
 * naming exactly those entries. Directories are watched, not files: a
 * rename over or a delete + re-create makes a new inode that a file watch
 * would never see. Since targets move, every batch re-resolves the paths
 * and re-arms the watches before the callback runs, so a change made while
 * the callback reads the files is still seen. Events are coalesced over a
 * short settle time into one callback.
 *
 * The final file itself is watched too. A file can be a bind mount target
 * (a container engine binds its resolv.conf and hosts over /etc's and edits
 * them in place; a rename over a mount point fails with EBUSY): a write to
 * it, through any path, is reported to the file's own watch and to the
 * directory its dentry really lives in, which is not the one we watch. On
 * the file, IN_CLOSE_WRITE says a writer is done; IN_MODIFY alone would
 * have us read a half-written file, so it only arms a longer quiet timer,
 * for writers that never close (or truncate(2) without opening).
 */

/* Bound on watched directories, whatever the paths and links are. */
#define FILEWATCH_MAX_DIRS 64
/* Bound on symlinks followed per path, as the kernel's ELOOP limit. */
#define FILEWATCH_MAX_HOPS 40
/* Events closer together than this give one callback. */
#define FILEWATCH_SETTLE_MS 10
/* A write not followed by a close is taken as done after this long. */
#define FILEWATCH_QUIET_MS 100

#define FILEWATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
			IN_CREATE | IN_DELETE | IN_DELETE_SELF |       \
			IN_MOVE_SELF | IN_ATTRIB | IN_ONLYDIR)
/* On a watched file itself. */
#define FILEWATCH_FILE_MASK (IN_CLOSE_WRITE | IN_MODIFY)

/* What a batch of events says. */
enum fw_seen {
	FW_NOTHING,
	FW_WRITING, /* a watched file was written to, not yet closed */
	FW_CHANGED,
};

/*
 * struct fw_dir - one watched directory, or one watched file
 * @wd: inotify watch descriptor
 * @names: directories: entries whose change matters (a set); files: NULL
 */
struct fw_dir {
	int wd;
	GHashTable *names;
};

/*
 * struct filewatch - a set of watched paths
 * @ctx: main context the sources are attached to
 * @paths: absolute paths as given (not resolved)
 * @fd: the inotify fd (non-blocking, close-on-exec)
 * @io: source reading @fd
 * @settle: pending coalescing timer, NULL when none
 * @quiet: pending timer after a write without close, NULL when none
 * @quiet_first: when @quiet was armed (monotonic µs)
 * @dirs: wd -> struct fw_dir, the watches currently armed
 */
struct filewatch {
	GMainContext *ctx;
	char **paths;
	filewatch_cb cb;
	void *data;
	int fd;
	GSource *io;
	GSource *settle;
	GSource *quiet;
	gint64 quiet_first;
	GHashTable *dirs;
};

static void fw_dir_free(void *p)
{
	struct fw_dir *d = p;

	if (d->names)
		g_hash_table_unref(d->names);
	g_free(d);
}

/* Note that @name in directory @dir matters (dir "" is the root). */
static void fw_want(GHashTable *want, const char *dir, const char *name)
{
	const char *key = *dir ? dir : "/";
	GHashTable *names = g_hash_table_lookup(want, key);

	if (!names) {
		if (g_hash_table_size(want) >= FILEWATCH_MAX_DIRS) {
			log_debug("filewatch: more than %d directories, %s not watched",
				  FILEWATCH_MAX_DIRS, key);
			return;
		}
		names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      NULL);
		g_hash_table_insert(want, g_strdup(key), names);
	}
	g_hash_table_add(names, g_strdup(name));
}

/**
 * fw_resolve() - resolve @path as the kernel would, noting what to watch
 * @path: absolute path
 * @want: dir -> set of names, added to
 * @files: set of resolved paths of existing final files, added to
 *
 * Notes the directory of every symlink met and of the final entry, and the
 * final entry itself when it exists; stops at the first missing component,
 * noting it in its parent so that its creation is seen.
 */
static void fw_resolve(const char *path, GHashTable *want, GHashTable *files)
{
	g_autoptr(GString) done = g_string_new(""); /* resolved, no symlinks */
	g_autofree char *rest = g_strdup(path);
	const char *p = rest;
	int hops = 0;

	for (;;) {
		g_autofree char *comp = NULL;
		g_autofree char *cand = NULL;
		char target[PATH_MAX];
		struct stat st;
		ssize_t n;
		size_t len;

		p += strspn(p, "/");
		if (*p == '\0')
			return; /* the path named a directory: nothing to add */
		len = strcspn(p, "/");
		comp = g_strndup(p, len);
		p += len;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *slash = strrchr(done->str, '/');

			g_string_truncate(done, slash ? (gsize)(slash - done->str) : 0);
			continue;
		}
		cand = g_strconcat(done->str, "/", comp, NULL);
		if (lstat(cand, &st) < 0) {
			fw_want(want, done->str, comp);
			return;
		}
		if (S_ISLNK(st.st_mode)) {
			g_autofree char *next = NULL;

			fw_want(want, done->str, comp);
			if (++hops > FILEWATCH_MAX_HOPS)
				return;
			n = readlink(cand, target, sizeof(target) - 1);
			if (n <= 0)
				return;
			target[n] = '\0';
			next = g_strconcat(target, "/", p, NULL);
			if (target[0] == '/')
				g_string_truncate(done, 0);
			g_free(rest);
			rest = g_steal_pointer(&next);
			p = rest;
			continue;
		}
		if (p[strspn(p, "/")] == '\0') {
			fw_want(want, done->str, comp);
			if (!S_ISDIR(st.st_mode) &&
			    g_hash_table_size(files) < FILEWATCH_MAX_DIRS)
				g_hash_table_add(files, g_steal_pointer(&cand));
			return;
		}
		g_string_assign(done, cand);
	}
}

/* Watch the file @path itself; added to @dirs. */
static void fw_arm_file(struct filewatch *w, GHashTable *dirs, const char *path)
{
	int wd = inotify_add_watch(w->fd, path, FILEWATCH_FILE_MASK);
	struct fw_dir *d;

	if (wd < 0) {
		log_debug("filewatch: cannot watch %s: %m", path);
		return;
	}
	if (g_hash_table_contains(dirs, GINT_TO_POINTER(wd)))
		return; /* two paths can name one file */
	d = g_new0(struct fw_dir, 1);
	d->wd = wd;
	g_hash_table_insert(dirs, GINT_TO_POINTER(wd), d);
}

/**
 * fw_arm() - resolve every path again and make the watches match
 * @w: watcher
 *
 * New watches are added before old ones are removed, so a directory or file
 * that stays watched never loses events (inotify returns the same wd).
 */
static void fw_arm(struct filewatch *w)
{
	g_autoptr(GHashTable) want = g_hash_table_new_full(
		g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
	g_autoptr(GHashTable) files = g_hash_table_new_full(g_str_hash,
							     g_str_equal,
							     g_free, NULL);
	GHashTable *dirs = g_hash_table_new_full(NULL, NULL, NULL, fw_dir_free);
	GHashTableIter it;
	gpointer key, value;
	char **path;

	for (path = w->paths; *path; path++)
		fw_resolve(*path, want, files);
	g_hash_table_iter_init(&it, files);
	while (g_hash_table_iter_next(&it, &key, NULL))
		fw_arm_file(w, dirs, key);
	g_hash_table_iter_init(&it, want);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		int wd = inotify_add_watch(w->fd, key, FILEWATCH_MASK);
		struct fw_dir *d;
		GHashTableIter nit;
		gpointer name;

		if (wd < 0) {
			log_debug("filewatch: cannot watch %s: %m", (char *)key);
			continue;
		}
		d = g_hash_table_lookup(dirs, GINT_TO_POINTER(wd));
		if (d && !d->names)
			continue; /* cannot be: a file is no directory */
		if (!d) { /* two paths can name one directory */
			d = g_new0(struct fw_dir, 1);
			d->wd = wd;
			d->names = g_hash_table_new_full(g_str_hash, g_str_equal,
							 g_free, NULL);
			g_hash_table_insert(dirs, GINT_TO_POINTER(wd), d);
		}
		g_hash_table_iter_init(&nit, value);
		while (g_hash_table_iter_next(&nit, &name, NULL))
			g_hash_table_add(d->names, g_strdup(name));
	}
	g_hash_table_iter_init(&it, w->dirs);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (!g_hash_table_contains(dirs, key))
			inotify_rm_watch(w->fd, GPOINTER_TO_INT(key));
	g_hash_table_unref(w->dirs);
	w->dirs = dirs;
}

static enum fw_seen fw_relevant(struct filewatch *w,
				const struct inotify_event *ev)
{
	const struct fw_dir *d;

	if (ev->mask & IN_Q_OVERFLOW)
		return FW_CHANGED; /* events were lost: anything may have changed */
	if (ev->mask & IN_IGNORED)
		return FW_NOTHING; /* a watch went away; its cause was reported */
	d = g_hash_table_lookup(w->dirs, GINT_TO_POINTER(ev->wd));
	if (!d)
		return FW_NOTHING;
	if (!d->names) /* the file itself */
		return ev->mask & IN_CLOSE_WRITE ? FW_CHANGED :
		       ev->mask & IN_MODIFY ? FW_WRITING : FW_NOTHING;
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))
		return FW_CHANGED;
	return ev->len > 0 && g_hash_table_contains(d->names, ev->name) ?
	       FW_CHANGED : FW_NOTHING;
}

/**
 * fw_drain() - read every queued event
 * @w: watcher; its fd is non-blocking
 *
 * Return: the most a queued event says (FW_CHANGED when one of them may
 * change a watched path).
 */
static enum fw_seen fw_drain(struct filewatch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	enum fw_seen seen = FW_NOTHING;

	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));
		ssize_t off;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			log_debug("filewatch: read: %m");
			return FW_CHANGED; /* cannot tell: assume a change */
		}
		if (n <= 0)
			return seen;
		for (off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
			const struct inotify_event *ev = (const void *)(buf + off);

			seen = MAX(seen, fw_relevant(w, ev));
			off += (ssize_t)(sizeof(*ev) + ev->len);
		}
	}
}

static void fw_drop_timer(GSource **t)
{
	if (!*t)
		return;
	g_source_destroy(*t);
	g_source_unref(*t);
	*t = NULL;
}

/* The settle or the quiet timer fired: one callback for the batch. */
static gboolean fw_on_settle(gpointer data)
{
	struct filewatch *w = data;

	fw_drain(w); /* whatever came meanwhile is part of this batch */
	fw_drop_timer(&w->settle);
	fw_drop_timer(&w->quiet);
	fw_arm(w);
	w->cb(w->data); /* last: the callback may free @w */
	return G_SOURCE_REMOVE;
}

static GSource *fw_timer(struct filewatch *w, guint ms)
{
	GSource *t = g_timeout_source_new(ms);

	g_source_set_callback(t, fw_on_settle, w, NULL);
	g_source_attach(t, w->ctx);
	return t;
}

/*
 * A write without a close: read the file once it has been quiet for
 * FILEWATCH_QUIET_MS (each further write pushes the timer on), but no
 * later than ten times that after the first write of the batch, so a
 * writer that never stops still gets followed.
 */
static void fw_quiet(struct filewatch *w)
{
	gint64 now = g_get_monotonic_time();
	gint64 step = (gint64)FILEWATCH_QUIET_MS * G_TIME_SPAN_MILLISECOND;

	if (!w->quiet) {
		w->quiet = fw_timer(w, FILEWATCH_QUIET_MS);
		w->quiet_first = now;
		return;
	}
	g_source_set_ready_time(w->quiet, MIN(now + step,
					      w->quiet_first + 10 * step));
}

static gboolean fw_on_io(gint fd, GIOCondition cond, gpointer data)
{
	struct filewatch *w = data;
	enum fw_seen seen = fw_drain(w);

	if (seen == FW_CHANGED && !w->settle)
		w->settle = fw_timer(w, FILEWATCH_SETTLE_MS);
	else if (seen == FW_WRITING && !w->settle)
		fw_quiet(w);
	return G_SOURCE_CONTINUE;
}

/**
 * filewatch_new() - watch paths for change
 * @ctx: main context to run in (NULL: the default one)
 * @paths: NULL-terminated paths; relative ones are taken from the cwd
 * @cb: called, from @ctx, once per batch of changes
 * @data: for @cb
 * @ret: the watcher (filewatch_free)
 *
 * Return: 0 or -errno.
 */
int filewatch_new(GMainContext *ctx, const char *const *paths, filewatch_cb cb,
		  void *data, struct filewatch **ret)
{
	struct filewatch *w;
	_cleanup_close_ int fd = -1;
	GPtrArray *abs;
	const char *const *p;

	if (!paths || !cb)
		return -EINVAL;
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0)
		return -errno;
	abs = g_ptr_array_new();
	for (p = paths; *p; p++) {
		if (g_path_is_absolute(*p)) {
			g_ptr_array_add(abs, g_strdup(*p));
		} else {
			g_autofree char *cwd = g_get_current_dir();

			g_ptr_array_add(abs, g_build_filename(cwd, *p, NULL));
		}
	}
	g_ptr_array_add(abs, NULL);

	w = g_new0(struct filewatch, 1);
	w->ctx = ctx ? g_main_context_ref(ctx) : NULL;
	w->paths = (char **)g_ptr_array_free(abs, FALSE);
	w->cb = cb;
	w->data = data;
	w->fd = steal_fd(&fd);
	w->dirs = g_hash_table_new_full(NULL, NULL, NULL, fw_dir_free);
	fw_arm(w);
	w->io = g_unix_fd_source_new(w->fd, G_IO_IN);
	g_source_set_callback(w->io, G_SOURCE_FUNC(fw_on_io), w, NULL);
	g_source_attach(w->io, ctx);
	*ret = w;
	return 0;
}

/**
 * filewatch_free() - stop watching; no callback happens afterwards
 * @w: watcher, or NULL
 */
void filewatch_free(struct filewatch *w)
{
	if (!w)
		return;
	fw_drop_timer(&w->settle);
	fw_drop_timer(&w->quiet);
	g_source_destroy(w->io);
	g_source_unref(w->io);
	g_hash_table_unref(w->dirs);
	close(w->fd);
	g_strfreev(w->paths);
	if (w->ctx)
		g_main_context_unref(w->ctx);
	g_free(w);
}
