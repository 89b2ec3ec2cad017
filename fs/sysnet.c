// SPDX-License-Identifier: LGPL-2.1-or-later
/* sysnet.c - lxnetfs's sys/class/net: one directory per interface of the view, read from the latest snapshot */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "fs_int.h"
#include "log.h"

/*
 * Unlike the fixed tree, sys/class/net's entries come and go with the
 * host's interfaces, so they have no nodes: an inode number names an
 * interface by its ifindex (which the kernel does not reuse within a
 * namespace, and which a rename keeps) and a slot in it:
 *
 *   LXFS_SYSNET_INO_BASE + (ifindex << LXFS_SYSNET_SLOT_BITS) + slot
 *
 * slot 0 is the interface's directory, 1 its statistics/ directory, 2 +
 * N attribute N of render_sysnet.c. Every request looks the interface up
 * in the latest snapshot (hidden interfaces are not in it): a removed
 * interface's inodes answer ENOENT, a new one is there at once. Names in
 * sys/class/net are given to the kernel with no entry timeout, so a path
 * is looked up again each time and follows renames and removals.
 *
 * Each directory is a real directory, not the kernel's symlink into
 * /sys/devices (there is no device tree to point into). Files are read
 * like the kernel's attributes: rendered at open (statistics with counters
 * read then, as proc/net/dev), size 4096 as sysfs reports, direct I/O, and
 * a read the kernel refuses (carrier of a link that is down, say) gives the
 * same error at read(), not at open(). Open handles are bounded by
 * --max-open as a whole (EMFILE past it); one holds a few bytes.
 */

#define LXFS_SYSNET_INO_BASE (UINT64_C(1) << 40)
#define LXFS_SYSNET_SLOT_BITS 7
#define LXFS_SYSNET_SLOT_DIR 0
#define LXFS_SYSNET_SLOT_STATS 1
#define LXFS_SYSNET_SLOT_ATTR 2

G_STATIC_ASSERT(LXFS_SYSNET_SLOT_ATTR + RENDER_SYSNET_N_ATTRS <=
		(1 << LXFS_SYSNET_SLOT_BITS));

/*
 * struct lxfs_sysnet_handle - one open attribute file
 * @fh: the kernel's name for it (as struct lxfs_handle's)
 * @bytes: what it reads, rendered at open
 * @err: the error reads give instead (-EINVAL), or 0
 */
struct lxfs_sysnet_handle {
	uint64_t fh;
	GBytes *bytes;
	int err;
};

static fuse_ino_t sysnet_ino(int ifindex, unsigned int slot)
{
	return LXFS_SYSNET_INO_BASE +
	       ((uint64_t)ifindex << LXFS_SYSNET_SLOT_BITS) + slot;
}

bool lxfs_sysnet_ino(fuse_ino_t ino)
{
	return ino >= LXFS_SYSNET_INO_BASE;
}

/*
 * The link and slot @ino names, from the latest snapshot.
 * Return: 0, or -ENOENT for an interface gone or out of view.
 */
static int sysnet_decode(const struct lxfs *fs, fuse_ino_t ino,
			 const struct ns_link **ret_l, unsigned int *ret_slot)
{
	uint64_t v = ino - LXFS_SYSNET_INO_BASE;
	uint64_t ifindex = v >> LXFS_SYSNET_SLOT_BITS;
	unsigned int slot = v & ((1u << LXFS_SYSNET_SLOT_BITS) - 1);
	const struct ns_link *l;

	if (!lxfs_sysnet_ino(ino) || ifindex == 0 || ifindex > G_MAXINT ||
	    slot >= LXFS_SYSNET_SLOT_ATTR + RENDER_SYSNET_N_ATTRS || !fs->snap)
		return -ENOENT;
	l = ns_link_by_index(fs->snap, (int)ifindex);
	if (!l)
		return -ENOENT;
	*ret_l = l;
	*ret_slot = slot;
	return 0;
}

/* Whether @ino is a directory sysnet.c lists: sys/class/net or under it. */
bool lxfs_sysnet_dir(const struct lxfs *fs, fuse_ino_t ino)
{
	return ino == fs->tree.sysnet->ino ||
	       (lxfs_sysnet_ino(ino) &&
		((ino - LXFS_SYSNET_INO_BASE) &
		 ((1u << LXFS_SYSNET_SLOT_BITS) - 1)) <= LXFS_SYSNET_SLOT_STATS);
}

/**
 * lxfs_sysnet_stat() - attributes of an inode of sys/class/net/IFACE
 * @fs: context
 * @ino: the inode (lxfs_sysnet_ino())
 * @st: filled in
 *
 * Return: 0 or -ENOENT.
 */
int lxfs_sysnet_stat(const struct lxfs *fs, fuse_ino_t ino, struct stat *st)
{
	const struct ns_link *l;
	unsigned int slot;
	int r = sysnet_decode(fs, ino, &l, &slot);

	if (r < 0)
		return r;
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_blksize = 4096;
	if (slot <= LXFS_SYSNET_SLOT_STATS) {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = slot == LXFS_SYSNET_SLOT_DIR ? 3 : 2;
	} else {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = 4096; /* what sysfs reports for every attribute */
	}
	st->st_atim = fs->tree.nodes[0].mtime;
	st->st_mtim = st->st_atim;
	st->st_ctim = st->st_atim;
	return 0;
}

/*
 * The inode of @name in directory @parent: an interface of sys/class/net,
 * an attribute or statistics/ of an interface, an attribute of statistics/.
 */
static int sysnet_find(const struct lxfs *fs, fuse_ino_t parent,
		       const char *name, fuse_ino_t *ret)
{
	const struct ns_link *l;
	unsigned int slot;
	int r, a;

	if (parent == fs->tree.sysnet->ino) {
		l = fs->snap ? ns_link_by_name(fs->snap, name) : NULL;
		if (!l)
			return -ENOENT;
		*ret = sysnet_ino(l->ifindex, LXFS_SYSNET_SLOT_DIR);
		return 0;
	}
	r = sysnet_decode(fs, parent, &l, &slot);
	if (r < 0)
		return r;
	if (slot > LXFS_SYSNET_SLOT_STATS)
		return -ENOTDIR;
	if (slot == LXFS_SYSNET_SLOT_DIR && strcmp(name, "statistics") == 0) {
		*ret = sysnet_ino(l->ifindex, LXFS_SYSNET_SLOT_STATS);
		return 0;
	}
	a = render_sysnet_attr_find(name, slot == LXFS_SYSNET_SLOT_STATS);
	if (a < 0)
		return a;
	*ret = sysnet_ino(l->ifindex, LXFS_SYSNET_SLOT_ATTR + (unsigned int)a);
	return 0;
}

/**
 * lxfs_sysnet_lookup() - look @name up in a directory of sys/class/net
 * @fs: context
 * @parent: lxfs_sysnet_dir()
 * @name: the name
 * @e: filled in
 *
 * Interfaces get no entry timeout (renames and removals show at once);
 * their attributes the usual attribute timeout.
 * Return: 0, -ENOENT or -ENOTDIR.
 */
int lxfs_sysnet_lookup(const struct lxfs *fs, fuse_ino_t parent,
		       const char *name, struct fuse_entry_param *e)
{
	fuse_ino_t ino;
	int r = sysnet_find(fs, parent, name, &ino);

	if (r < 0)
		return r;
	memset(e, 0, sizeof(*e));
	e->ino = ino;
	e->generation = 1;
	e->attr_timeout = fs->attr_timeout;
	e->entry_timeout = parent == fs->tree.sysnet->ino ? 0 :
			   fs->attr_timeout;
	return lxfs_sysnet_stat(fs, ino, &e->attr);
}

/* Add one entry; false when @buf is full. */
static bool sysnet_add(fuse_req_t req, char *buf, size_t size, size_t *used,
		       const char *name, fuse_ino_t ino, bool dir, off_t next)
{
	struct stat st = { .st_ino = ino, .st_mode = dir ? S_IFDIR : S_IFREG };
	size_t need = fuse_add_direntry(req, buf + *used, size - *used, name,
					&st, next);

	if (need > size - *used)
		return false;
	*used += need;
	return true;
}

/*
 * sys/class/net itself: ".", "..", then the interfaces by ifindex; an
 * interface's offset is 2 + its ifindex, so a listing read in several
 * requests neither repeats nor skips one that stays while others change.
 */
static size_t sysnet_list_links(const struct lxfs *fs, fuse_req_t req,
				char *buf, size_t size, off_t off)
{
	const struct lxfs_node *dir = fs->tree.sysnet;
	size_t used = 0;
	guint i;

	if (off < 1 && !sysnet_add(req, buf, size, &used, ".", dir->ino, true, 1))
		return used;
	if (off < 2 && !sysnet_add(req, buf, size, &used, "..",
				   dir->parent->ino, true, 2))
		return used;
	for (i = 0; fs->snap && fs->snap->links && i < fs->snap->links->n; i++) {
		const struct ns_link *l = &fs->snap->links->v[i];

		if ((off_t)l->ifindex + 2 <= off)
			continue;
		if (!sysnet_add(req, buf, size, &used, l->name,
				sysnet_ino(l->ifindex, LXFS_SYSNET_SLOT_DIR),
				true, (off_t)l->ifindex + 2))
			break;
	}
	return used;
}

/* An interface's directory or its statistics/: entry i's offset is i + 1. */
static int sysnet_list_attrs(const struct lxfs *fs, fuse_req_t req,
			     fuse_ino_t ino, char *buf, size_t size, off_t off,
			     size_t *ret_used)
{
	const struct ns_link *l;
	unsigned int slot, a;
	size_t used = 0;
	off_t i = 0;
	int r = sysnet_decode(fs, ino, &l, &slot);

	if (r < 0)
		return r;
	if (slot > LXFS_SYSNET_SLOT_STATS)
		return -ENOTDIR;
	if (i++ >= off && !sysnet_add(req, buf, size, &used, ".", ino, true, i))
		goto out;
	if (i++ >= off &&
	    !sysnet_add(req, buf, size, &used, "..",
			slot == LXFS_SYSNET_SLOT_DIR ?
				fs->tree.sysnet->ino :
				sysnet_ino(l->ifindex, LXFS_SYSNET_SLOT_DIR),
			true, i))
		goto out;
	for (a = 0; a < RENDER_SYSNET_N_ATTRS; a++) {
		if (render_sysnet_attr_is_stat(a) != (slot == LXFS_SYSNET_SLOT_STATS))
			continue;
		if (i++ >= off &&
		    !sysnet_add(req, buf, size, &used, render_sysnet_attr_name(a),
				sysnet_ino(l->ifindex, LXFS_SYSNET_SLOT_ATTR + a),
				false, i))
			goto out;
	}
	if (slot == LXFS_SYSNET_SLOT_DIR && i++ >= off)
		sysnet_add(req, buf, size, &used, "statistics",
			   sysnet_ino(l->ifindex, LXFS_SYSNET_SLOT_STATS), true, i);
out:
	*ret_used = used;
	return 0;
}

/**
 * lxfs_sysnet_readdir() - list a directory of sys/class/net
 * @fs: context
 * @req: the request (for fuse_add_direntry())
 * @ino: lxfs_sysnet_dir()
 * @size: room the kernel gave (at most 64 KiB are used)
 * @off: where to start
 * @ret_buf: the entries (g_free())
 * @ret_len: their length
 *
 * Return: 0, -ENOENT for an interface gone, -ENOTDIR.
 */
int lxfs_sysnet_readdir(const struct lxfs *fs, fuse_req_t req, fuse_ino_t ino,
			size_t size, off_t off, char **ret_buf, size_t *ret_len)
{
	g_autofree char *buf = NULL;
	size_t used = 0;
	int r = 0;

	size = MIN(size, 64 * 1024);
	buf = g_malloc(size);
	if (ino == fs->tree.sysnet->ino)
		used = sysnet_list_links(fs, req, buf, size, MAX(off, 0));
	else
		r = sysnet_list_attrs(fs, req, ino, buf, size, MAX(off, 0), &used);
	if (r < 0)
		return r;
	*ret_buf = g_steal_pointer(&buf);
	*ret_len = used;
	return 0;
}

/* Render attribute @slot of @l into a new handle; statistics read now. */
static void sysnet_render(struct lxfs *fs, const struct ns_link *l,
			  unsigned int slot, struct lxfs_sysnet_handle *h)
{
	g_autoptr(GString) out = g_string_sized_new(64);
	unsigned int a = slot - LXFS_SYSNET_SLOT_ATTR;
	struct ns_links *fresh = NULL;
	const struct ns_link *fl = l;
	int r;

	if (render_sysnet_attr_is_stat(a)) {
		r = lxfs_fresh_links(fs, &fresh);
		if (r == 0) {
			struct netstate_snapshot tmp = *fs->snap;

			tmp.links = fresh;
			fl = ns_link_by_index(&tmp, l->ifindex);
		} else {
			log_debug("fresh counters unavailable (%s), using the snapshot's",
				  g_strerror(-r));
		}
		if (!fl)
			fl = l;
	}
	h->err = render_sysnet_attr(fl, a, out);
	g_clear_pointer(&fresh, ns_links_unref);
	h->bytes = g_string_free_to_bytes(g_steal_pointer(&out));
}

static void sysnet_handle_free(gpointer p)
{
	struct lxfs_sysnet_handle *h = p;

	g_bytes_unref(h->bytes);
	g_free(h);
}

/* Open attribute @ino under @fh: a new handle in fs->sysnet_handles. */
static int sysnet_open_fh(struct lxfs *fs, fuse_ino_t ino, uint64_t fh)
{
	struct lxfs_sysnet_handle *h;
	const struct ns_link *l;
	unsigned int slot;
	int r = sysnet_decode(fs, ino, &l, &slot);

	if (r < 0)
		return r;
	if (slot <= LXFS_SYSNET_SLOT_STATS)
		return -EISDIR;
	if (g_hash_table_size(fs->sysnet_handles) >= fs->max_open)
		return -EMFILE;
	h = g_new0(struct lxfs_sysnet_handle, 1);
	h->fh = fh;
	sysnet_render(fs, l, slot, h);
	g_hash_table_insert(fs->sysnet_handles, &h->fh, h);
	return 0;
}

/**
 * lxfs_sysnet_open() - open an attribute file
 * @fs: context
 * @ino: lxfs_sysnet_ino()
 * @fi: the request's; read-only opens only (EROFS else); fh and direct_io set
 *
 * Return: 0, -ENOENT, -EISDIR, -EROFS, -EMFILE past --max-open handles.
 */
int lxfs_sysnet_open(struct lxfs *fs, fuse_ino_t ino, struct fuse_file_info *fi)
{
	uint64_t fh = ((uint64_t)fs->generation << LXFS_FH_GENERATION_SHIFT) |
		      (fs->last_fh + 1);
	int r;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
		return -EROFS;
	r = sysnet_open_fh(fs, ino, fh);
	if (r < 0)
		return r;
	fs->last_fh++;
	fi->fh = fh;
	fi->direct_io = 1;
	fi->noflush = 1;
	return 0;
}

/**
 * lxfs_sysnet_read() - what a read of an open attribute gets
 * @fs: context
 * @ino: the file
 * @fh: its handle; one an earlier lxnetfs opened is opened again here
 * @ret_bytes: the file's bytes (owned by the handle)
 *
 * Return: 0, the error the kernel gives reading it (-EINVAL), -EBADF.
 */
int lxfs_sysnet_read(struct lxfs *fs, fuse_ino_t ino, uint64_t fh,
		     GBytes **ret_bytes)
{
	struct lxfs_sysnet_handle *h = g_hash_table_lookup(fs->sysnet_handles,
							   &fh);
	int r;

	if (!h) {
		if ((fh >> LXFS_FH_GENERATION_SHIFT) == fs->generation)
			return -EBADF;
		r = sysnet_open_fh(fs, ino, fh);
		if (r < 0)
			return r;
		h = g_hash_table_lookup(fs->sysnet_handles, &fh);
	}
	if (h->err < 0)
		return h->err;
	*ret_bytes = h->bytes;
	return 0;
}

void lxfs_sysnet_release(struct lxfs *fs, uint64_t fh)
{
	g_hash_table_remove(fs->sysnet_handles, &fh);
}

void lxfs_sysnet_init(struct lxfs *fs)
{
	fs->sysnet_handles = g_hash_table_new_full(g_int64_hash, g_int64_equal,
						   NULL, sysnet_handle_free);
}

void lxfs_sysnet_clear(struct lxfs *fs)
{
	g_clear_pointer(&fs->sysnet_handles, g_hash_table_destroy);
}
