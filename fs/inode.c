// SPDX-License-Identifier: LGPL-2.1-or-later
/* inode.c - lxnetfs's fixed tree, its attributes and the per-file content cache */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "fs_int.h"
#include "log.h"

static struct lxfs_node *lxfs_tree_add(struct lxfs_tree *t,
				       struct lxfs_node *parent,
				       const char *name, bool is_dir)
{
	struct lxfs_node *n;

	g_assert(t->n < LXFS_MAX_NODES);
	n = &t->nodes[t->n];
	memset(n, 0, sizeof(*n));
	n->ino = t->n + FUSE_ROOT_ID;
	t->n++;
	n->name = g_strdup(name);
	n->parent = parent ? parent : n;
	n->is_dir = is_dir;
	n->mtime = t->last_stamp;
	if (parent) {
		g_assert(parent->n_children < LXFS_MAX_NODES);
		parent->children[parent->n_children++] = n;
	}
	return n;
}

static struct lxfs_node *lxfs_dir_child(struct lxfs_node *dir, const char *name)
{
	unsigned int i;

	for (i = 0; i < dir->n_children; i++)
		if (strcmp(dir->children[i]->name, name) == 0)
			return dir->children[i];
	return NULL;
}

/**
 * lxfs_tree_init() - build the fixed tree from render_file_path()
 * @t: tree to fill
 *
 * Inode numbers follow creation order (the root first, then each file's
 * directories and the file in enum render_file order, then sys/class/net,
 * whose entries are not nodes: sysnet.c), so they are the same
 * for the whole life of the process. Every file starts stale: nothing is
 * rendered until someone looks.
 */
void lxfs_tree_init(struct lxfs_tree *t)
{
	struct lxfs_node *root;
	int f;

	memset(t, 0, sizeof(*t));
	clock_gettime(CLOCK_REALTIME, &t->last_stamp);
	root = lxfs_tree_add(t, NULL, "", true);
	for (f = 0; f < RENDER_N_FILES; f++) {
		g_auto(GStrv) parts = g_strsplit(render_file_path(f), "/", -1);
		struct lxfs_node *dir = root, *n;
		guint i, np = g_strv_length(parts);

		for (i = 0; i + 1 < np; i++) {
			struct lxfs_node *sub = lxfs_dir_child(dir, parts[i]);

			if (!sub)
				sub = lxfs_tree_add(t, dir, parts[i], true);
			dir = sub;
		}
		n = lxfs_tree_add(t, dir, parts[np - 1], false);
		n->file = f;
		n->stale = true;
	}
	/* sys/class/net: a fixed directory whose entries sysnet.c serves */
	t->sysnet = lxfs_tree_add(t, root, "sys", true);
	t->sysnet = lxfs_tree_add(t, t->sysnet, "class", true);
	t->sysnet = lxfs_tree_add(t, t->sysnet, "net", true);
}

/**
 * lxfs_tree_clear() - drop every cached rendering, name and open handle
 * @t: tree; the session is gone (handles it never released are freed)
 */
void lxfs_tree_clear(struct lxfs_tree *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		lxfs_kcache_clear(&t->nodes[i]);
		while (t->nodes[i].handles.head)
			lxfs_handle_free(t->nodes[i].handles.head->data);
		g_free(t->nodes[i].name);
		lxfs_pins_clear(&t->nodes[i]);
		g_clear_pointer(&t->nodes[i].cache, g_bytes_unref);
		g_clear_pointer(&t->nodes[i].local, g_byte_array_unref);
	}
	t->n = 0;
}

struct lxfs_node *lxfs_tree_get(struct lxfs_tree *t, fuse_ino_t ino)
{
	if (ino < FUSE_ROOT_ID || ino - FUSE_ROOT_ID >= t->n)
		return NULL;
	return &t->nodes[ino - FUSE_ROOT_ID];
}

struct lxfs_node *lxfs_tree_lookup(struct lxfs_tree *t, fuse_ino_t parent,
				   const char *name)
{
	struct lxfs_node *dir = lxfs_tree_get(t, parent);

	if (!dir || !dir->is_dir)
		return NULL;
	return lxfs_dir_child(dir, name);
}

struct lxfs_node *lxfs_tree_file(struct lxfs_tree *t, enum render_file f)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!t->nodes[i].is_dir && t->nodes[i].file == f)
			return &t->nodes[i];
	return NULL;
}

/*
 * Next change timestamp: now, or 1 ns past the previous one when the clock
 * did not move (or went back), so mtime/ctime strictly increase.
 */
static struct timespec lxfs_tree_stamp(struct lxfs_tree *t)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec < t->last_stamp.tv_sec ||
	    (now.tv_sec == t->last_stamp.tv_sec &&
	     now.tv_nsec <= t->last_stamp.tv_nsec)) {
		now = t->last_stamp;
		if (++now.tv_nsec >= 1000000000L) {
			now.tv_nsec = 0;
			now.tv_sec++;
		}
	}
	t->last_stamp = now;
	return now;
}

/**
 * lxfs_fresh_links() - the snapshot's links with counters read now
 * @fs: context, with a snapshot
 * @ret: a new reference
 *
 * Or with those of a read made over the same links table less than
 * fs->stats_max_age_ns ago (--stats-max-age; 0, the default, reads on every
 * call as the kernel's proc/net/dev and sysfs statistics are fresh per read).
 *
 * Return: 0 or -errno.
 */
int lxfs_fresh_links(struct lxfs *fs, struct ns_links **ret)
{
	struct timespec ts;
	int64_t now;
	int r;

	if (!fs->counters)
		return -ENOTCONN;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (fs->stats_max_age_ns > 0 && fs->stats_links &&
	    fs->stats_base == fs->snap->links &&
	    now - fs->stats_at < fs->stats_max_age_ns) {
		*ret = ns_links_ref(fs->stats_links);
		return 0;
	}
	r = netstate_counters_read(fs->counters, fs->snap->links, ret);
	if (r < 0 || fs->stats_max_age_ns <= 0)
		return r;
	g_clear_pointer(&fs->stats_links, ns_links_unref);
	g_clear_pointer(&fs->stats_base, ns_links_unref);
	fs->stats_links = ns_links_ref(*ret);
	/* A reference, so the address cannot be reused by a newer table. */
	fs->stats_base = ns_links_ref(fs->snap->links);
	fs->stats_at = now;
	return 0;
}

/*
 * Render @n's file from the latest snapshot; for proc/net/dev with
 * @fresh_stats, from the latest snapshot with its links' counters read now.
 * What the sandbox wrote follows (write.c); a file it took over is only that.
 */
static int lxfs_render(struct lxfs *fs, const struct lxfs_node *n,
		       bool fresh_stats, GBytes **ret)
{
	g_autoptr(GString) out = g_string_sized_new(4096);
	enum render_file f = n->file;
	gsize len;
	char *s;
	int r = 0;

	if (n->taken) {
		/* nothing of the host's */
	} else if (render_file_is_sockets(f)) {
		r = lxfs_render_sockets(fs, f, out);
	} else if (f == RENDER_PROC_NET_DEV && fresh_stats) {
		struct ns_links *links = NULL;

		r = lxfs_fresh_links(fs, &links);
		if (r == 0) {
			struct netstate_snapshot tmp = *fs->snap;

			tmp.links = links;
			r = render_file(f, &tmp, fs->render_flags, out);
			ns_links_unref(links);
		} else {
			log_debug("fresh counters unavailable (%s), using the snapshot's",
				  g_strerror(-r));
			r = render_file(f, fs->snap, fs->render_flags,
					out);
		}
	} else {
		r = render_file(f, fs->snap, fs->render_flags, out);
	}
	if (r < 0)
		return r;
	lxfs_node_compose(n, out);
	/* Open handles may keep it long: give back GString's spare room. */
	len = out->len;
	s = g_string_free(g_steal_pointer(&out), FALSE);
	*ret = g_bytes_new_take(g_realloc(s, len + 1), len);
	return 0;
}

/*
 * Files read from the host when opened (the socket files, the multicast
 * files), whatever the snapshot says: procfs reports size 0 for them.
 */
static bool lxfs_per_open(enum render_file f)
{
	return render_file_is_sockets(f) || render_file_is_mcast(f);
}

/**
 * lxfs_node_refresh() - make a file's cached rendering current
 * @fs: context
 * @n: a file node
 * @fresh_stats: proc/net/dev: render with counters read now; the socket
 *	files: render with the sockets held now
 * @ret_changed: set to whether the bytes differ from the previous rendering
 *
 * Renders only when the file is stale (or @fresh_stats asks for new
 * counters). A new rendering equal to the cached one is dropped and changes
 * nothing; a different one replaces the cache and bumps mtime and ctime
 * (when open handles still hold a version with the same bytes, the cache
 * becomes that buffer, shared). Handles opened earlier keep the rendering
 * they hold.
 *
 * Return: 0 or -errno from the renderer (the cache is then unchanged).
 */
int lxfs_node_refresh(struct lxfs *fs, struct lxfs_node *n, bool fresh_stats,
		      bool *ret_changed)
{
	g_autoptr(GBytes) b = NULL;
	bool changed;
	int r;

	g_assert(!n->is_dir);
	if (!fresh_stats && lxfs_per_open(n->file)) {
		/*
		 * Rendered at open only (reads go to the handle's bytes: direct
		 * I/O): a stat or lookup, such as lxnet run's bind mounts, does
		 * not collect the sandbox's sockets; before the first open the
		 * size is 0, as procfs reports for these files.
		 */
		if (!n->cache)
			n->cache = g_bytes_new(NULL, 0);
		n->stale = false;
		*ret_changed = false;
		return 0;
	}
	if (!n->stale && !(fresh_stats && (n->file == RENDER_PROC_NET_DEV ||
					   lxfs_per_open(n->file)))) {
		*ret_changed = false;
		return 0;
	}
	r = lxfs_render(fs, n, fresh_stats, &b);
	if (r < 0)
		return r;
	changed = !n->cache || !g_bytes_equal(n->cache, b);
	if (changed) {
		GBytes *held = lxfs_pins_find(n, b);

		g_clear_pointer(&n->cache, g_bytes_unref);
		n->cache = held ? g_bytes_ref(held) : g_steal_pointer(&b);
		n->mtime = lxfs_tree_stamp(&fs->tree);
	}
	n->stale = false;
	*ret_changed = changed;
	return 0;
}

/**
 * lxfs_node_stat() - attributes of a node
 * @fs: context
 * @n: node; a file must have been refreshed so its size is current
 * @st: filled in
 *
 * Files: 0644 when they take writes (write.c), else 0444, size of the
 * current rendering; directories: 0555. Owner is
 * the configured uid/gid. atime, mtime and ctime are all the node's change
 * time, with nanoseconds.
 */
void lxfs_node_stat(const struct lxfs *fs, const struct lxfs_node *n,
		    struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = n->ino;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_blksize = 4096;
	if (n->is_dir) {
		unsigned int i, subdirs = 0;

		for (i = 0; i < n->n_children; i++)
			subdirs += n->children[i]->is_dir;
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2 + subdirs;
		st->st_size = 0;
	} else {
		st->st_mode = S_IFREG | (lxfs_node_writable(n) ? 0644 : 0444);
		st->st_nlink = 1;
		st->st_size = n->cache ? (off_t)g_bytes_get_size(n->cache) : 0;
		st->st_blocks = (st->st_size + 511) / 512;
	}
	st->st_atim = n->mtime;
	st->st_mtim = n->mtime;
	st->st_ctim = n->mtime;
}

/**
 * lxfs_tree_snapshot_changed() - note a new snapshot
 * @fs: context; fs->snap already points at the new snapshot
 * @parts: NETSTATE_* bits that differ from the previous snapshot
 *
 * Files that depend on a changed part become stale. Nothing is rendered
 * here; the kernel's cached attributes of a file that turns stale are
 * dropped (attributes only, never pages), so the next stat comes to us and
 * renders. A file already stale was not asked about since, so the kernel
 * holds nothing to drop.
 */
void lxfs_tree_snapshot_changed(struct lxfs *fs, unsigned int parts)
{
	unsigned int i;

	for (i = 0; i < fs->tree.n; i++) {
		struct lxfs_node *n = &fs->tree.nodes[i];

		if (n->is_dir || n->stale || n->taken ||
		    !(render_file_parts(n->file) & parts))
			continue;
		n->stale = true;
		lxfs_kcache_changed(fs, n);
	}
}

/**
 * lxfs_handle_open() - open a file: pin its current rendering
 * @fs: context
 * @n: a file node
 * @ret_h: the new handle
 *
 * proc/net/dev is rendered with counters read now (they move without
 * notifications), the socket files with the sockets held now; other files
 * only when stale. When the rendering changed,
 * the kernel's cached attributes are dropped so stat agrees with what the
 * handle reads. The handle shares the buffer of every handle opened on the
 * same version (render_cache.c bounds what handles hold).
 *
 * Return: 0, -EMFILE past the per-file bound on handles or on the versions
 * they hold, -ENFILE past the mount's bound on held bytes, or -errno from
 * rendering.
 */
int lxfs_handle_open(struct lxfs *fs, struct lxfs_node *n,
		     struct lxfs_handle **ret_h)
{
	struct lxfs_handle *h;
	GBytes *bytes;
	bool changed;
	int r;

	if (n->handles.length >= fs->max_open)
		return -EMFILE;
	r = lxfs_node_refresh(fs, n, true, &changed);
	if (r < 0)
		return r;
	if (changed)
		lxfs_kcache_drop_attr(fs, n);
	r = lxfs_pin(fs, n, n->cache, &bytes);
	if (r < 0)
		return r;
	h = g_new0(struct lxfs_handle, 1);
	h->fs = fs;
	h->node = n;
	h->bytes = bytes;
	h->end = g_bytes_get_size(h->bytes);
	h->link.data = h;
	g_queue_push_tail_link(&n->handles, &h->link);
	h->fh = ((uint64_t)fs->generation << LXFS_FH_GENERATION_SHIFT) |
		++fs->last_fh;
	g_hash_table_insert(fs->handles, &h->fh, h);
	*ret_h = h;
	return 0;
}

/**
 * lxfs_handle_get() - the handle the kernel names @fh
 * @fs: context
 * @ino: the file the request is for
 * @fh: the kernel's file handle
 * @ret_h: the handle
 *
 * A handle an earlier lxnetfs opened (another generation, state.c) is
 * opened again here on the current version, under the same @fh, so its
 * reader reads on and its release frees it: a reader reading across the
 * restart may thus see two versions, the only place that can happen. A
 * page-cached file's reopened handle reads what the kernel holds the size
 * of, as any cached handle (kcache.c): lxfs_state_resume() dropped the
 * kernel's attributes, so its next read asks for them and drops stale
 * pages.
 *
 * Return: 0, -EBADF for an @fh of ours that is not open, or -errno.
 */
int lxfs_handle_get(struct lxfs *fs, fuse_ino_t ino, uint64_t fh,
		    struct lxfs_handle **ret_h)
{
	struct lxfs_handle *h = g_hash_table_lookup(fs->handles, &fh);
	struct lxfs_node *n;
	int r;

	if (h) {
		*ret_h = h;
		return 0;
	}
	n = lxfs_tree_get(&fs->tree, ino);
	if ((fh >> LXFS_FH_GENERATION_SHIFT) == fs->generation || !n ||
	    n->is_dir)
		return -EBADF;
	r = lxfs_handle_open(fs, n, &h);
	if (r < 0)
		return r;
	/* the kernel may read it through its page cache: as a new open */
	lxfs_kcache_open(fs, h, false, &(struct fuse_file_info){ 0 });
	g_hash_table_remove(fs->handles, &h->fh);
	h->fh = fh;
	g_hash_table_insert(fs->handles, &h->fh, h);
	*ret_h = h;
	return 0;
}

void lxfs_handle_free(struct lxfs_handle *h)
{
	if (!h)
		return;
	g_hash_table_remove(h->fs->handles, &h->fh);
	lxfs_kcache_release(h->fs, h);
	g_queue_unlink(&h->node->handles, &h->link);
	lxfs_unpin(h->fs, h->node, h->bytes);
	g_free(h);
}
