// SPDX-License-Identifier: LGPL-2.1-or-later
/* write.c - lxnetfs's writable files: what the sandbox writes into etc/hosts and etc/resolv.conf, kept on top of the host's */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "fs_int.h"

/*
 * Theory of operation: etc/hosts and etc/resolv.conf accept writes, as CI
 * jobs and container users expect (`echo "10.0.0.5 db" >> /etc/hosts`).
 * Such a file reads as its rendering from the latest snapshot followed by
 * the node's local bytes: appended lines stay after the host's, whatever
 * the host's part becomes, and go with the sandbox (an lxnetfs restarted
 * by lxnet run finds them in its state file, state.c). A
 * truncation (O_TRUNC, truncate(2)) takes the file over: it becomes its
 * first SIZE bytes, kept locally, and the host's changes stop showing; that
 * is what a program rewriting the whole file means (`cat new >/etc/hosts`,
 * the usual way round `sed -i`, whose rename fails with EBUSY on a bind
 * mount). A write goes at the end (O_APPEND, or a sequential writer at the
 * end of what its handle reads) or within the local bytes; never into the
 * host's part (EPERM). The local bytes are bounded (LXFS_LOCAL_MAX; ENOSPC,
 * all or nothing), and so is what writes can make us keep for readers: a
 * reader opened between two writes pins a version, and the writer's handle
 * moves to the version it wrote, held to render_cache.c's bounds (the
 * current version and LXFS_PINNED_VERSIONS_MAX older ones per file, the
 * mount's --max-pinned bytes): past them a write fails with ENOSPC. Only
 * the owner (-o uid=; root of the sandbox for lxnet run) and uid 0 may
 * write: the kernel checks the 0644 mode itself under
 * default_permissions, and we check again for mounts without it. Every
 * write is a real byte change, so stat's size and times follow it as they
 * follow the host.
 */

/**
 * lxfs_node_writable() - whether a node takes writes
 * @n: node
 *
 * Return: true for etc/hosts and etc/resolv.conf.
 */
bool lxfs_node_writable(const struct lxfs_node *n)
{
	return !n->is_dir &&
	       (n->file == RENDER_HOSTS || n->file == RENDER_RESOLV_CONF);
}

/**
 * lxfs_node_compose() - append a node's local bytes to its rendering
 * @n: node
 * @out: the rendering (empty when the file is taken over)
 */
void lxfs_node_compose(const struct lxfs_node *n, GString *out)
{
	if (n->local)
		g_string_append_len(out, (const char *)n->local->data,
				    (gssize)n->local->len);
}

/**
 * lxfs_may_write() - whether @uid may write @n
 * @fs: context (the owner)
 * @n: node
 * @uid: the caller, as the kernel reports it (in the mount's namespace)
 *
 * Return: 0, -EROFS for a file that takes no writes (or a directory),
 * -EACCES for a caller who is neither the owner nor uid 0.
 */
int lxfs_may_write(const struct lxfs *fs, const struct lxfs_node *n, uid_t uid)
{
	if (!lxfs_node_writable(n))
		return -EROFS;
	if (uid != 0 && uid != fs->uid)
		return -EACCES;
	return 0;
}

/* The current rendering's length and where the local bytes start in it. */
static int lxfs_node_layout(struct lxfs *fs, struct lxfs_node *n,
			    size_t *ret_len, size_t *ret_base)
{
	bool changed;
	size_t len;
	int r;

	r = lxfs_node_refresh(fs, n, false, &changed);
	if (r < 0)
		return r;
	len = n->cache ? g_bytes_get_size(n->cache) : 0;
	*ret_len = len;
	*ret_base = len - (n->local ? n->local->len : 0);
	return 0;
}

/* The local bytes changed: render again (bumps the times). */
static int lxfs_node_rerender(struct lxfs *fs, struct lxfs_node *n)
{
	bool changed;

	int r;

	n->stale = true;
	r = lxfs_node_refresh(fs, n, false, &changed);
	if (r == 0 && changed)
		lxfs_kcache_changed(fs, n);
	return r;
}

/**
 * lxfs_handle_write() - write through an open handle
 * @fs: context
 * @h: handle, opened for writing (the caller was checked at open)
 * @buf: bytes
 * @size: how many
 * @off: file offset the kernel asks for
 * @append: the file was opened with O_APPEND (then @off is the kernel's
 *          idea of the end, which may be stale: ignored)
 *
 * Appends when @append or when @off is where this handle's writer stands
 * (the end of what it reads, or of its last write); else overwrites or
 * extends the local bytes from @off. The handle then reads the new
 * rendering. Return: 0, -EPERM for an offset in the host's part or past
 * the end, -ENOSPC past LXFS_LOCAL_MAX or when this handle could not hold
 * the new version (LXFS_PINNED_VERSIONS_MAX older versions are open, or the
 * mount's pinned bytes are at their bound; nothing written), -EROFS.
 */
int lxfs_handle_write(struct lxfs *fs, struct lxfs_handle *h, const char *buf,
		      size_t size, off_t off, bool append)
{
	struct lxfs_node *n = h->node;
	size_t len, base, local_len, pos;
	int r;

	if (!lxfs_node_writable(n))
		return -EROFS;
	r = lxfs_node_layout(fs, n, &len, &base);
	if (r < 0)
		return r;
	local_len = len - base;
	if (append || (off >= 0 && (uint64_t)off == h->end))
		pos = local_len;
	else if (off >= 0 && (uint64_t)off >= base && (uint64_t)off <= len)
		pos = (size_t)off - base;
	else
		return -EPERM;
	/* The writer will hold a version of at most len + size bytes. */
	if (size > LXFS_LOCAL_MAX || pos > LXFS_LOCAL_MAX - size ||
	    lxfs_pin_may_replace(fs, n, h->bytes, len + size) < 0)
		return -ENOSPC;
	if (!n->local)
		n->local = g_byte_array_new();
	if (pos + size > n->local->len)
		g_byte_array_set_size(n->local, (guint)(pos + size));
	memcpy(n->local->data + pos, buf, size);
	lxfs_state_save_local(fs, n);
	r = lxfs_node_rerender(fs, n);
	if (r < 0)
		return r;
	lxfs_pin_replace(fs, n, &h->bytes, n->cache);
	h->end = (uint64_t)off + size;
	if (append)
		h->end = base + pos + size;
	return 0;
}

/**
 * lxfs_node_truncate() - truncate a writable file: it is taken over
 * @fs: context
 * @n: node
 * @size: new size, at most the current one
 *
 * The same size changes nothing. A smaller one makes the file its first
 * @size bytes, kept locally, no longer following the host. Handles already
 * open keep what they read. Return: 0, -EPERM to grow it (no holes here),
 * -ENOSPC past LXFS_LOCAL_MAX, -EROFS, -EINVAL.
 */
int lxfs_node_truncate(struct lxfs *fs, struct lxfs_node *n, off_t size)
{
	size_t len, base;
	GByteArray *local;
	int r;

	if (!lxfs_node_writable(n))
		return -EROFS;
	if (size < 0)
		return -EINVAL;
	r = lxfs_node_layout(fs, n, &len, &base);
	if (r < 0)
		return r;
	if ((uint64_t)size == len)
		return 0;
	if ((uint64_t)size > len)
		return -EPERM;
	if (size > LXFS_LOCAL_MAX)
		return -ENOSPC;
	local = g_byte_array_sized_new((guint)size);
	g_byte_array_append(local, g_bytes_get_data(n->cache, NULL),
			    (guint)size);
	if (n->local)
		g_byte_array_unref(n->local);
	n->local = local;
	n->taken = true;
	lxfs_state_save_local(fs, n);
	return lxfs_node_rerender(fs, n);
}
