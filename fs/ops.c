// SPDX-License-Identifier: LGPL-2.1-or-later
/* ops.c - lxnetfs's FUSE low-level operations: the fixed tree, read-only but for two files */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statvfs.h>

#include "fs_int.h"
#include "log.h"

static struct lxfs *lxfs_req(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* Reply 0 or -errno as libfuse wants it: a positive errno, 0 for success. */
static void lxfs_reply_status(fuse_req_t req, int r)
{
	fuse_reply_err(req, r < 0 ? -r : 0);
}

/*
 * Bring a node's attributes up to date (render a stale file) and fill @st.
 */
static int do_stat(struct lxfs *fs, struct lxfs_node *n, struct stat *st)
{
	if (!n->is_dir) {
		bool changed;
		int r = lxfs_node_refresh(fs, n, false, &changed);

		if (r < 0)
			return r;
	}
	lxfs_kcache_stat(fs, n, st);
	return 0;
}

static int do_lookup(struct lxfs *fs, fuse_ino_t parent, const char *name,
		     struct fuse_entry_param *e)
{
	struct lxfs_node *n;

	if (lxfs_sysnet_dir(fs, parent))
		return lxfs_sysnet_lookup(fs, parent, name, e);
	if (lxfs_sysnet_ino(parent))
		return lxfs_sysnet_stat(fs, parent, &e->attr) < 0 ? -ENOENT :
								    -ENOTDIR;
	if (!lxfs_tree_get(&fs->tree, parent))
		return -ENOENT;
	if (!lxfs_tree_get(&fs->tree, parent)->is_dir)
		return -ENOTDIR;
	n = lxfs_tree_lookup(&fs->tree, parent, name);
	if (!n)
		return -ENOENT;
	memset(e, 0, sizeof(*e));
	e->ino = n->ino;
	e->generation = 1;
	e->attr_timeout = fs->attr_timeout;
	e->entry_timeout = fs->entry_timeout;
	return do_stat(fs, n, &e->attr);
}

static void lxfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	int r = do_lookup(lxfs_req(req), parent, name, &e);

	if (r < 0)
		lxfs_reply_status(req, r);
	else
		fuse_reply_entry(req, &e);
}

static void lxfs_getattr(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi)
{
	struct lxfs *fs = lxfs_req(req);
	struct lxfs_node *n = lxfs_tree_get(&fs->tree, ino);
	struct stat st;
	int r;

	if (lxfs_sysnet_ino(ino))
		r = lxfs_sysnet_stat(fs, ino, &st);
	else if (!n)
		r = -ENOENT;
	else
		r = do_stat(fs, n, &st);
	if (r < 0)
		lxfs_reply_status(req, r);
	else
		fuse_reply_attr(req, &st, fs->attr_timeout);
}

static int do_open(struct lxfs *fs, fuse_ino_t ino, uid_t uid,
		   struct fuse_file_info *fi)
{
	struct lxfs_node *n = lxfs_tree_get(&fs->tree, ino);
	struct lxfs_handle *h;
	int r;

	if (lxfs_sysnet_ino(ino))
		return lxfs_sysnet_open(fs, ino, fi);
	if (!n)
		return -ENOENT;
	if (n->is_dir)
		return -EISDIR;
	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		r = lxfs_may_write(fs, n, uid);
		if (r < 0)
			return r;
	}
	if (fi->flags & O_TRUNC) {
		r = lxfs_node_truncate(fs, n, 0);
		if (r < 0)
			return r;
	}
	r = lxfs_handle_open(fs, n, &h);
	if (r < 0)
		return r;
	fi->fh = h->fh;
	/*
	 * Read-only opens of the event-driven files read the kernel's page
	 * cache when that holds one version for all of them (kcache.c); the
	 * rest read from the handle's bytes with direct I/O, and writes are
	 * direct too, synchronous, so close() needs no FLUSH round trip.
	 */
	lxfs_kcache_open(fs, h, (fi->flags & O_ACCMODE) != O_RDONLY ||
				(fi->flags & O_TRUNC), fi);
	fi->noflush = 1;
	return 0;
}

static void lxfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct lxfs *fs = lxfs_req(req);
	int r = do_open(fs, ino, fuse_req_ctx(req)->uid, fi);

	if (r < 0) {
		lxfs_reply_status(req, r);
		return;
	}
	if (fuse_reply_open(req, fi) == -ENOENT)
		/* Interrupted open: the kernel will not release it. */
		lxfs_handle_free(g_hash_table_lookup(fs->handles, &fi->fh));
}

static void lxfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct lxfs_handle *h;
	GBytes *bytes;
	const char *data;
	gsize len;
	int r;

	if (lxfs_sysnet_ino(ino)) {
		r = lxfs_sysnet_read(lxfs_req(req), ino, fi->fh, &bytes);
	} else {
		r = lxfs_handle_get(lxfs_req(req), ino, fi->fh, &h);
		if (r == 0)
			bytes = lxfs_kcache_read_bytes(h);
	}
	if (r < 0) {
		lxfs_reply_status(req, r);
		return;
	}
	data = g_bytes_get_data(bytes, &len);
	if (off < 0) {
		lxfs_reply_status(req, -EINVAL);
		return;
	}
	if ((uint64_t)off >= len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	fuse_reply_buf(req, data + off, MIN(size, len - (size_t)off));
}

static void lxfs_release(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi)
{
	struct lxfs *fs = lxfs_req(req);

	if (lxfs_sysnet_ino(ino)) {
		lxfs_sysnet_release(fs, fi->fh);
		fuse_reply_err(req, 0);
		return;
	}
	/* one an earlier lxnetfs opened and nobody read since: nothing here */
	lxfs_handle_free(g_hash_table_lookup(fs->handles, &fi->fh));
	fuse_reply_err(req, 0);
}

static int do_opendir(struct lxfs *fs, fuse_ino_t ino,
		      const struct fuse_file_info *fi)
{
	struct lxfs_node *n = lxfs_tree_get(&fs->tree, ino);
	struct stat st;
	int r;

	if (lxfs_sysnet_ino(ino)) {
		r = lxfs_sysnet_stat(fs, ino, &st);
		if (r < 0)
			return r;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
	} else if (!n) {
		return -ENOENT;
	} else if (!n->is_dir) {
		return -ENOTDIR;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	return 0;
}

static void lxfs_opendir(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi)
{
	int r = do_opendir(lxfs_req(req), ino, fi);

	if (r < 0)
		lxfs_reply_status(req, r);
	else
		fuse_reply_open(req, fi);
}

/*
 * Fill up to @size bytes of entries starting at entry @off: "." and ".."
 * are entries 0 and 1, children follow. Each entry's offset is the index of
 * the next one.
 */
static int do_readdir(struct lxfs *fs, fuse_req_t req, fuse_ino_t ino,
		      size_t size, off_t off, char **ret_buf, size_t *ret_len)
{
	struct lxfs_node *n = lxfs_tree_get(&fs->tree, ino);
	g_autofree char *buf = NULL;
	size_t used = 0;
	off_t i;

	if (lxfs_sysnet_dir(fs, ino))
		return lxfs_sysnet_readdir(fs, req, ino, size, off, ret_buf,
					   ret_len);
	if (!n)
		return -ENOENT;
	if (!n->is_dir)
		return -ENOTDIR;
	size = MIN(size, 64 * 1024);
	buf = g_malloc(size);
	for (i = MAX(off, 0); i < (off_t)n->n_children + 2; i++) {
		const struct lxfs_node *c = i == 0 ? n :
					    i == 1 ? n->parent :
						     n->children[i - 2];
		struct stat st = {
			.st_ino = c->ino,
			.st_mode = c->is_dir ? S_IFDIR : S_IFREG,
		};
		const char *name = i == 0 ? "." : i == 1 ? ".." : c->name;
		size_t need = fuse_add_direntry(req, buf + used, size - used,
						name, &st, i + 1);

		if (need > size - used)
			break;
		used += need;
	}
	*ret_buf = g_steal_pointer(&buf);
	*ret_len = used;
	return 0;
}

static void lxfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
			 off_t off, struct fuse_file_info *fi)
{
	g_autofree char *buf = NULL;
	size_t len = 0;
	int r = do_readdir(lxfs_req(req), req, ino, size, off, &buf, &len);

	if (r < 0)
		lxfs_reply_status(req, r);
	else
		fuse_reply_buf(req, buf, len);
}

static void lxfs_releasedir(fuse_req_t req, fuse_ino_t ino,
			    struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static void lxfs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct lxfs *fs = lxfs_req(req);
	struct statvfs sv = {
		.f_bsize = 4096,
		.f_frsize = 4096,
		.f_files = fs->tree.n,
		.f_namemax = 255,
	};

	fuse_reply_statfs(req, &sv);
}

static int do_access(struct lxfs *fs, fuse_ino_t ino, uid_t uid, int mask)
{
	struct lxfs_node *n = lxfs_tree_get(&fs->tree, ino);
	struct stat st;
	int r;

	if (lxfs_sysnet_ino(ino)) {
		r = lxfs_sysnet_stat(fs, ino, &st);
		if (r < 0)
			return r;
		if (mask & W_OK)
			return -EROFS;
		return (mask & X_OK) && !S_ISDIR(st.st_mode) ? -EACCES : 0;
	}
	if (!n)
		return -ENOENT;
	if (mask & W_OK) {
		r = lxfs_may_write(fs, n, uid);
		if (r < 0)
			return r;
	}
	if ((mask & X_OK) && !n->is_dir)
		return -EACCES;
	return 0;
}

static void lxfs_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	lxfs_reply_status(req, do_access(lxfs_req(req), ino,
					 fuse_req_ctx(req)->uid, mask));
}

static void lxfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			  size_t size)
{
	lxfs_reply_status(req, -ENODATA);
}

static void lxfs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	if (size == 0)
		fuse_reply_xattr(req, 0);
	else
		fuse_reply_buf(req, NULL, 0);
}

/* Every operation on names, and writes to the read-only files. */
static void lxfs_erofs(fuse_req_t req)
{
	lxfs_reply_status(req, -EROFS);
}

/*
 * Only a writable file's size changes (write.c: truncation takes it over);
 * times are the view's and a request to set them is accepted and ignored
 * (they come with every truncate); mode and owner stay (EPERM).
 */
static int do_setattr(struct lxfs *fs, fuse_ino_t ino, uid_t uid,
		      const struct stat *attr, int to_set, struct stat *st)
{
	struct lxfs_node *n = lxfs_tree_get(&fs->tree, ino);
	int r;

	if (lxfs_sysnet_ino(ino))
		return lxfs_sysnet_stat(fs, ino, st) < 0 ? -ENOENT : -EROFS;
	if (!n)
		return -ENOENT;
	r = lxfs_may_write(fs, n, uid);
	if (r < 0)
		return r;
	if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))
		return -EPERM;
	if (to_set & FUSE_SET_ATTR_SIZE) {
		r = lxfs_node_truncate(fs, n, attr->st_size);
		if (r < 0)
			return r;
	}
	return do_stat(fs, n, st);
}

static void lxfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
			 int to_set, struct fuse_file_info *fi)
{
	struct lxfs *fs = lxfs_req(req);
	struct stat st;
	int r = do_setattr(fs, ino, fuse_req_ctx(req)->uid, attr, to_set, &st);

	if (r < 0)
		lxfs_reply_status(req, r);
	else
		fuse_reply_attr(req, &st, fs->attr_timeout);
}

static void lxfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		       mode_t mode, dev_t rdev)
{
	lxfs_erofs(req);
}

static void lxfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		       mode_t mode)
{
	lxfs_erofs(req);
}

static void lxfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	lxfs_erofs(req);
}

static void lxfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
			 const char *name)
{
	lxfs_erofs(req);
}

static void lxfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			fuse_ino_t newparent, const char *newname,
			unsigned int flags)
{
	lxfs_erofs(req);
}

static void lxfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		      const char *newname)
{
	lxfs_erofs(req);
}

static void lxfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		       size_t size, off_t off, struct fuse_file_info *fi)
{
	struct lxfs_handle *h;
	int r = lxfs_handle_get(lxfs_req(req), ino, fi->fh, &h);

	if (r == 0)
		r = lxfs_handle_write(lxfs_req(req), h, buf, size, off,
				      (fi->flags & O_APPEND) != 0);
	if (r < 0)
		lxfs_reply_status(req, r);
	else
		fuse_reply_write(req, size);
}

static void lxfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			  const char *value, size_t size, int flags)
{
	lxfs_erofs(req);
}

static void lxfs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	lxfs_erofs(req);
}

static void lxfs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
			mode_t mode, struct fuse_file_info *fi)
{
	lxfs_erofs(req);
}

/* Writable files: not supported, so callers fall back to write(2). */
static void lxfs_not_here(fuse_req_t req, fuse_ino_t ino)
{
	struct lxfs_node *n = lxfs_tree_get(&lxfs_req(req)->tree, ino);

	lxfs_reply_status(req, n && lxfs_node_writable(n) ? -EOPNOTSUPP : -EROFS);
}

static void lxfs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode,
			   off_t offset, off_t length,
			   struct fuse_file_info *fi)
{
	lxfs_not_here(req, ino);
}

static void lxfs_copy_file_range(fuse_req_t req, fuse_ino_t ino_in,
				 off_t off_in, struct fuse_file_info *fi_in,
				 fuse_ino_t ino_out, off_t off_out,
				 struct fuse_file_info *fi_out, size_t len,
				 int flags)
{
	lxfs_not_here(req, ino_out);
}

static void lxfs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct lxfs *fs = userdata;

	/* Replies are small in-memory buffers: no splice either way. */
	conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
			FUSE_CAP_SPLICE_MOVE);
	/* No READDIRPLUS: attributes only come from lookup and getattr. */
	conn->want &= ~(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
	/* O_TRUNC comes with OPEN, not as a separate SETATTR (both work). */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/*
	 * Page-cached files (kcache.c): the kernel drops a file's pages when
	 * GETATTR reports a new mtime, not only a new size, and never only
	 * because we said so (pages are never invalidated from here).
	 */
	if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA)
		conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
	conn->want &= ~FUSE_CAP_EXPLICIT_INVAL_DATA;
	log_debug("FUSE connection: protocol %u.%u", conn->proto_major,
		  conn->proto_minor);
	fs->inited = true;
}

const struct fuse_lowlevel_ops lxfs_ops = {
	.init = lxfs_init,
	.lookup = lxfs_lookup,
	.getattr = lxfs_getattr,
	.setattr = lxfs_setattr,
	.mknod = lxfs_mknod,
	.mkdir = lxfs_mkdir,
	.unlink = lxfs_unlink,
	.rmdir = lxfs_unlink,
	.symlink = lxfs_symlink,
	.rename = lxfs_rename,
	.link = lxfs_link,
	.open = lxfs_open,
	.read = lxfs_read,
	.write = lxfs_write,
	.release = lxfs_release,
	.opendir = lxfs_opendir,
	.readdir = lxfs_readdir,
	.releasedir = lxfs_releasedir,
	.statfs = lxfs_statfs,
	.setxattr = lxfs_setxattr,
	.getxattr = lxfs_getxattr,
	.listxattr = lxfs_listxattr,
	.removexattr = lxfs_removexattr,
	.access = lxfs_access,
	.create = lxfs_create,
	.fallocate = lxfs_fallocate,
	.copy_file_range = lxfs_copy_file_range,
};
