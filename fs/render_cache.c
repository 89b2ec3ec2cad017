// SPDX-License-Identifier: LGPL-2.1-or-later
/* render_cache.c - lxnetfs's renderings held by open handles: one shared buffer per version, bounded per file and per mount */
#include "config.h"

#include <errno.h>

#include "fs_int.h"

/*
 * Theory of operation: an open handle reads the rendering its file had at
 * open (a reader never mixes two snapshots), so each handle holds a
 * reference to one immutable buffer. Handles opened on the same version
 * share that buffer: a file's table of held versions maps each buffer to
 * how many handles hold it, and a new rendering equal to a version still
 * held (a route added, then removed) becomes that buffer again instead of
 * a copy. The current rendering costs nothing more when held (the node
 * caches it anyway); what grows is the older versions handles keep while
 * the host changes. Two bounds keep that within what one sandbox (one
 * lxnetfs instance) may cost:
 *
 * - per file, handles hold at most LXFS_PINNED_VERSIONS_MAX older versions
 *   and the current one: an open that would hold yet another version fails
 *   with EMFILE ("too many open files": closing old handles frees them).
 *   proc/net/dev is exempt: it is rendered fresh per open (its counters
 *   move without notifications), so under traffic every handle is its own
 *   version; it is small (a line per interface) and bounded by the next
 *   bound and --max-open;
 * - per mount, the distinct versions held total at most fs->max_pinned
 *   bytes (--max-pinned): past it an open fails with ENFILE, the mount-wide
 *   counterpart, as ENFILE is to EMFILE for a process.
 *
 * Writes (write.c) move the writer's handle to the version it wrote, so
 * they are held to the same bounds, reported as ENOSPC.
 */

/* Handles of one file hold at most this many distinct versions. */
#define LXFS_VERSIONS_HELD_MAX (LXFS_PINNED_VERSIONS_MAX + 1)

static bool lxfs_pin_counted(const struct lxfs_node *n)
{
	return n->file != RENDER_PROC_NET_DEV;
}

/**
 * lxfs_pins_find() - a held version with the same bytes as @b
 * @n: file node
 * @b: a rendering
 *
 * Return: the held buffer (borrowed), @b itself when held, or NULL. Files
 * rendered per open (proc/net/dev) are not searched: their versions may be
 * as many as their handles.
 */
GBytes *lxfs_pins_find(const struct lxfs_node *n, GBytes *b)
{
	GHashTableIter it;
	gpointer key;
	gsize len = g_bytes_get_size(b);

	if (!n->pinned)
		return NULL;
	if (g_hash_table_contains(n->pinned, b))
		return b;
	if (!lxfs_pin_counted(n))
		return NULL;
	g_hash_table_iter_init(&it, n->pinned);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (g_bytes_get_size(key) == len && g_bytes_equal(key, b))
			return key;
	return NULL;
}

/*
 * Whether @n may hold a version of @size bytes it does not hold yet, once
 * the version @drop (NULL: none) has lost one holder. Return: 0, -EMFILE,
 * -ENFILE.
 */
static int lxfs_pins_room(const struct lxfs *fs, const struct lxfs_node *n,
			  GBytes *drop, size_t size)
{
	guint held = n->pinned ? g_hash_table_size(n->pinned) : 0;
	size_t bytes = fs->pinned_bytes;

	if (drop && GPOINTER_TO_UINT(g_hash_table_lookup(n->pinned, drop)) == 1) {
		held--;
		bytes -= g_bytes_get_size(drop);
	}
	if (lxfs_pin_counted(n) && held >= LXFS_VERSIONS_HELD_MAX)
		return -EMFILE;
	if (size > fs->max_pinned || bytes > fs->max_pinned - size)
		return -ENFILE;
	return 0;
}

/*
 * Add a holder to @b, which the bounds allow. The table holds one reference
 * to each version (keys by address, counts as values). Return: a new
 * reference for the handle.
 */
static GBytes *lxfs_pin_add(struct lxfs *fs, struct lxfs_node *n, GBytes *b)
{
	guint c;

	if (!n->pinned)
		n->pinned = g_hash_table_new(NULL, NULL);
	c = GPOINTER_TO_UINT(g_hash_table_lookup(n->pinned, b));
	if (c == 0) {
		g_hash_table_insert(n->pinned, g_bytes_ref(b), GUINT_TO_POINTER(1));
		fs->pinned_bytes += g_bytes_get_size(b);
	} else {
		g_hash_table_insert(n->pinned, b, GUINT_TO_POINTER(c + 1));
	}
	return g_bytes_ref(b);
}

/**
 * lxfs_pin() - hold a rendering of @n for a new handle
 * @fs: context (the mount-wide bound and count)
 * @n: file node
 * @b: the rendering (normally n->cache)
 * @ret: the buffer the handle reads: the held one with @b's bytes when
 *       there is one, else @b (a new reference either way)
 *
 * Return: 0, -EMFILE when @n's handles already hold as many versions as
 * allowed, -ENFILE past the mount's pinned bytes.
 */
int lxfs_pin(struct lxfs *fs, struct lxfs_node *n, GBytes *b, GBytes **ret)
{
	GBytes *same = lxfs_pins_find(n, b);
	int r;

	if (!same) {
		r = lxfs_pins_room(fs, n, NULL, g_bytes_get_size(b));
		if (r < 0)
			return r;
		same = b;
	}
	*ret = lxfs_pin_add(fs, n, same);
	return 0;
}

/**
 * lxfs_unpin() - a handle lets go of its rendering
 * @fs: context
 * @n: file node
 * @b: what lxfs_pin() or lxfs_pin_replace() gave the handle; the
 *     reference is consumed
 */
void lxfs_unpin(struct lxfs *fs, struct lxfs_node *n, GBytes *b)
{
	guint c = GPOINTER_TO_UINT(g_hash_table_lookup(n->pinned, b));

	g_assert(c > 0);
	if (c == 1) {
		fs->pinned_bytes -= g_bytes_get_size(b);
		g_hash_table_remove(n->pinned, b);
		g_bytes_unref(b); /* the table's */
	} else {
		g_hash_table_insert(n->pinned, b, GUINT_TO_POINTER(c - 1));
	}
	g_bytes_unref(b);
}

/**
 * lxfs_pin_may_replace() - whether a handle may move to a new version
 * @fs: context
 * @n: file node
 * @old: the version the handle holds now
 * @size: an upper bound on the new version's size
 *
 * Checked before a write changes anything, so a refused write writes
 * nothing. Return: 0, -EMFILE or -ENFILE as lxfs_pin() would.
 */
int lxfs_pin_may_replace(const struct lxfs *fs, const struct lxfs_node *n,
			 GBytes *old, size_t size)
{
	return lxfs_pins_room(fs, n, old, size);
}

/**
 * lxfs_pin_replace() - move a handle to another version of its file
 * @fs: context
 * @n: file node
 * @slot: the handle's buffer, replaced by the held buffer with @b's bytes
 * @b: the new version, allowed by lxfs_pin_may_replace()
 */
void lxfs_pin_replace(struct lxfs *fs, struct lxfs_node *n, GBytes **slot,
		      GBytes *b)
{
	GBytes *same = lxfs_pins_find(n, b);
	GBytes *old = *slot;

	*slot = lxfs_pin_add(fs, n, same ? same : b);
	lxfs_unpin(fs, n, old);
}

/**
 * lxfs_pins_clear() - forget a node's table (every handle is gone)
 * @n: file node
 */
void lxfs_pins_clear(struct lxfs_node *n)
{
	if (n->pinned)
		g_assert(g_hash_table_size(n->pinned) == 0);
	g_clear_pointer(&n->pinned, g_hash_table_unref);
}
