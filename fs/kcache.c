// SPDX-License-Identifier: LGPL-2.1-or-later
/* kcache.c - lxnetfs's event-driven files served from the kernel's page cache, each handle still reading one version */
#include "config.h"

#include <errno.h>

#include "fs_int.h"
#include "log.h"

/*
 * Theory of operation: the etc files (resolv.conf, hosts, hostname), whose
 * bytes change only when the model or a write changes them and which every
 * name lookup reads, are read through the kernel's page cache
 * (FOPEN_KEEP_CACHE), so an open/read/close costs one round trip (OPEN)
 * instead of three (OPEN, READ, READ at the end). The proc/net files keep
 * direct I/O: proc/net/dev's counters move without events and the socket
 * files are collected per open; route, if_inet6, ipv6_route and arp could
 * be cached too, but a program holding many handles on them while polling
 * stat (tests/integration/lxnetfs-pinned.sh) would see each change late by
 * up to LXFS_CACHE_HOLD_MS (below), and no lookup path reads them.
 *
 * The kernel's pages and its i_size are shared by every handle of the
 * inode, so what the kernel holds must stay one version while a handle
 * reads it: a reader may read in pieces (musl reads resolv.conf 256 bytes
 * at a time) and must not mix two. Hence:
 *
 * - @kbytes is the version whose attributes the kernel was last given
 *   (GETATTR, LOOKUP, SETATTR replies); a page-cache READ always returns
 *   @kbytes, so pages always agree with i_size.
 * - @kv is the version the cached handles read; @n_cached counts them. A
 *   read-only open of the current version joins them (keep_cache). With
 *   none open, an open of a newer version makes it @kv: its attributes are
 *   dropped (attributes only: safe from the serving thread) and the open
 *   asks for the pages to be dropped (keep_cache off, done by the kernel in
 *   the opener), so the reader's first read fetches the new size, then the
 *   new pages.
 * - While cached handles read an older @kv, the attributes reported stay
 *   @kv's; an open of the newer version gets direct I/O and reads its own
 *   snapshot from us (direct reads do not use i_size). When the last cached
 *   handle goes, the attributes are dropped and the next stat reports the
 *   current version. stat may thus lag a change only while a reader holds
 *   the file open across it, and at most LXFS_CACHE_HOLD_MS: then the
 *   version is published anyway (the handles still open are forgotten, by
 *   epoch, and read later versions from then on). Those late handles are
 *   not protected from a torn read(): a GETATTR reply is applied by the
 *   kernel when its requester runs again, while a page READ completes in
 *   our own write(), so a READ answered with a newer @kbytes can land
 *   before the new size does. Holding the publication back until the last
 *   cached reader closes is what makes the guarantee; the bound trades it,
 *   for readers that hold on, against stat staying behind forever.
 *
 * Dropping the kernel's attributes (FUSE_NOTIFY_INVAL_INODE) has a second
 * effect: the kernel bumps the inode's attribute version, and a GETATTR
 * reply to a request sent before that is thrown away when it arrives. A
 * reader whose own GETATTR is thrown away reads on with the old i_size,
 * and its page READ returns @kbytes: a newer version cut at an older
 * length. So the attributes are dropped only while no cached reader can
 * have a GETATTR in flight (lxfs_kcache_drop_attr()): with @n_cached > 0
 * the size reported stays @kv's anyway, and the last reader's release (or
 * the bound) drops them.
 *
 * The kernel drops the pages itself when GETATTR reports a new size or
 * mtime (FUSE_CAP_AUTO_INVAL_DATA); we never invalidate pages from the
 * serving thread (that can deadlock against a READ waiting on a page lock).
 */

/* How long a change may wait for cached readers before it is published. */
#define LXFS_CACHE_HOLD_MS 500

/**
 * lxfs_node_cacheable() - whether a file is served from the page cache
 * @n: node
 *
 * Return: true for etc/resolv.conf, etc/hosts and etc/hostname.
 */
bool lxfs_node_cacheable(const struct lxfs_node *n)
{
	if (n->is_dir)
		return false;
	switch (n->file) {
	case RENDER_RESOLV_CONF:
	case RENDER_HOSTS:
	case RENDER_HOSTNAME:
		return true;
	case RENDER_PROC_NET_ROUTE:
	case RENDER_PROC_NET_IF_INET6:
	case RENDER_PROC_NET_IPV6_ROUTE:
	case RENDER_PROC_NET_ARP:
	case RENDER_PROC_NET_DEV:
	case RENDER_PROC_NET_TCP:
	case RENDER_PROC_NET_TCP6:
	case RENDER_PROC_NET_UDP:
	case RENDER_PROC_NET_UDP6:
	case RENDER_PROC_NET_RAW:
	case RENDER_PROC_NET_RAW6:
	case RENDER_PROC_NET_SOCKSTAT:
	case RENDER_PROC_NET_SOCKSTAT6:
	case RENDER_PROC_NET_SNMP:
	case RENDER_PROC_NET_IGMP:
	case RENDER_PROC_NET_IGMP6:
	case RENDER_PROC_NET_DEV_MCAST:
	case RENDER_N_FILES:
		break;
	}
	return false;
}

static bool lxfs_same(GBytes *a, GBytes *b)
{
	return a == b || (a && b && g_bytes_equal(a, b));
}

/* Cached handles read a version older than the file's (or a change waits). */
static bool lxfs_kcache_lagging(const struct lxfs_node *n)
{
	return n->n_cached > 0 && (n->stale || !lxfs_same(n->kv, n->cache));
}

static int64_t lxfs_mono_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

static gboolean lxfs_kcache_on_timer(gpointer data);

/* Arm the fs-wide timer for the earliest deadline of a lagging node. */
static void lxfs_kcache_arm(struct lxfs *fs)
{
	int64_t next = INT64_MAX, now = lxfs_mono_ms();
	unsigned int i;

	for (i = 0; i < fs->tree.n; i++) {
		const struct lxfs_node *n = &fs->tree.nodes[i];

		if (n->lag_since > 0)
			next = MIN(next, n->lag_since + LXFS_CACHE_HOLD_MS);
	}
	if (fs->hold_timer) {
		g_source_remove(fs->hold_timer);
		fs->hold_timer = 0;
	}
	if (next == INT64_MAX)
		return;
	fs->hold_timer = g_timeout_add((guint)CLAMP(next - now, 1, LXFS_CACHE_HOLD_MS),
				       lxfs_kcache_on_timer, fs);
}

/* Publish the current version: forget the cached handles, drop the attributes. */
static void lxfs_kcache_publish(struct lxfs *fs, struct lxfs_node *n)
{
	n->cache_epoch++;
	n->n_cached = 0;
	n->lag_since = 0;
	lxfs_session_notify_attr(fs, n->ino);
}

static gboolean lxfs_kcache_on_timer(gpointer data)
{
	struct lxfs *fs = data;
	int64_t now = lxfs_mono_ms();
	unsigned int i;

	fs->hold_timer = 0;
	for (i = 0; i < fs->tree.n; i++) {
		struct lxfs_node *n = &fs->tree.nodes[i];

		if (n->lag_since > 0 && now - n->lag_since >= LXFS_CACHE_HOLD_MS) {
			log_debug("%s: published while %u reader(s) still hold it",
				  n->name, n->n_cached);
			lxfs_kcache_publish(fs, n);
		}
	}
	lxfs_kcache_arm(fs);
	return G_SOURCE_REMOVE;
}

/* Cached readers hold back a change: start the bound on how long. */
static void lxfs_kcache_hold(struct lxfs *fs, struct lxfs_node *n)
{
	if (lxfs_node_cacheable(n) && lxfs_kcache_lagging(n) && n->lag_since == 0) {
		n->lag_since = lxfs_mono_ms();
		lxfs_kcache_arm(fs);
	}
}

/**
 * lxfs_kcache_drop_attr() - drop the kernel's attributes of a changed node
 * @fs: context
 * @n: node whose bytes changed
 *
 * Not while cached readers are open: the size reported to them stays
 * @kv's, and dropping the attributes would throw away a GETATTR reply one
 * of them may be waiting for (theory above). lxfs_kcache_release() and
 * lxfs_kcache_publish() drop them when the readers are gone or forgotten.
 */
void lxfs_kcache_drop_attr(struct lxfs *fs, struct lxfs_node *n)
{
	if (n->n_cached > 0)
		return;
	lxfs_session_notify_attr(fs, n->ino);
}

/**
 * lxfs_kcache_changed() - a cacheable file's bytes changed or may have
 * @fs: context
 * @n: node (stale, or its cache replaced by a write)
 *
 * Drops the kernel's attributes (the next stat asks again) unless cached
 * readers hold an older version; then starts the bound on how long the
 * change may wait for them.
 */
void lxfs_kcache_changed(struct lxfs *fs, struct lxfs_node *n)
{
	lxfs_kcache_drop_attr(fs, n);
	lxfs_kcache_hold(fs, n);
}

/**
 * lxfs_kcache_stat() - the attributes to report for a node, and note them
 * @fs: context
 * @n: node, refreshed
 * @st: filled in (lxfs_node_stat())
 *
 * A cacheable file reports its current version, unless cached handles
 * read an older one: then that one's, so the kernel's i_size stays theirs.
 * The version reported becomes what page-cache READs return.
 */
void lxfs_kcache_stat(struct lxfs *fs, struct lxfs_node *n, struct stat *st)
{
	lxfs_node_stat(fs, n, st);
	if (!lxfs_node_cacheable(n))
		return;
	if (n->n_cached > 0 && n->kv && !lxfs_same(n->kv, n->cache)) {
		st->st_size = (off_t)g_bytes_get_size(n->kv);
		st->st_blocks = (st->st_size + 511) / 512;
		st->st_atim = st->st_mtim = st->st_ctim = n->kv_mtime;
		if (n->kbytes != n->kv) {
			g_clear_pointer(&n->kbytes, g_bytes_unref);
			n->kbytes = g_bytes_ref(n->kv);
		}
		return;
	}
	if (n->kbytes != n->cache) {
		g_clear_pointer(&n->kbytes, g_bytes_unref);
		n->kbytes = n->cache ? g_bytes_ref(n->cache) : NULL;
	}
}

/**
 * lxfs_kcache_open() - choose how a new handle reads: page cache or direct
 * @fs: context
 * @h: the handle, holding the file's current version
 * @write: opened for writing (or truncating)
 * @fi: its open flags are set here
 */
void lxfs_kcache_open(struct lxfs *fs, struct lxfs_handle *h, bool write,
		      struct fuse_file_info *fi)
{
	struct lxfs_node *n = h->node;

	fi->direct_io = 1;
	fi->keep_cache = 0;
	if (write || !lxfs_node_cacheable(n))
		return;
	if (n->n_cached > 0 && !lxfs_same(n->kv, h->bytes)) {
		/*
		 * Readers hold an older version: this one reads its own. The
		 * kernel's attributes are theirs and stay valid: nothing to drop.
		 */
		lxfs_kcache_hold(fs, n);
		return;
	}
	if (n->n_cached == 0 && !lxfs_same(n->kv, h->bytes)) {
		g_clear_pointer(&n->kv, g_bytes_unref);
		n->kv = g_bytes_ref(h->bytes);
		n->kv_mtime = n->mtime;
	}
	fi->direct_io = 0;
	/*
	 * The kernel's pages and size are kv's only when it was told so. With
	 * readers open it was, or their first GETATTR is on its way: dropping
	 * the attributes again could throw that reply away.
	 */
	fi->keep_cache = lxfs_same(n->kbytes, n->kv);
	if (!fi->keep_cache)
		lxfs_kcache_drop_attr(fs, n);
	h->cached = true;
	h->epoch = n->cache_epoch;
	n->n_cached++;
}

/**
 * lxfs_kcache_read_bytes() - what a READ through @h returns
 * @h: handle
 *
 * Return: the handle's own version for direct I/O, the version the kernel
 * holds the size of for the page cache (borrowed).
 */
GBytes *lxfs_kcache_read_bytes(const struct lxfs_handle *h)
{
	const struct lxfs_node *n = h->node;

	if (!h->cached)
		return h->bytes;
	return n->kbytes ? n->kbytes : n->kv;
}

/**
 * lxfs_kcache_release() - a handle goes
 * @fs: context
 * @h: handle, about to be freed
 *
 * When the last cached reader of an older version goes, the change it held
 * back is published: the attributes are dropped so the next stat (and the
 * next reader's first read) sees the current version.
 */
void lxfs_kcache_release(struct lxfs *fs, struct lxfs_handle *h)
{
	struct lxfs_node *n = h->node;
	bool lagged;

	if (!h->cached || h->epoch != n->cache_epoch)
		return;
	lagged = n->stale || !lxfs_same(n->kv, n->cache);
	g_assert(n->n_cached > 0);
	if (--n->n_cached > 0)
		return;
	if (n->lag_since > 0) {
		n->lag_since = 0;
		lxfs_kcache_arm(fs);
	}
	if (lagged || !lxfs_same(n->kbytes, n->cache))
		lxfs_session_notify_attr(fs, n->ino);
}

/**
 * lxfs_kcache_clear() - forget a node's page-cache state
 * @n: node; its handles still open are forgotten too (the session is gone)
 */
void lxfs_kcache_clear(struct lxfs_node *n)
{
	n->cache_epoch++;
	g_clear_pointer(&n->kbytes, g_bytes_unref);
	g_clear_pointer(&n->kv, g_bytes_unref);
	n->n_cached = 0;
	n->lag_since = 0;
}
