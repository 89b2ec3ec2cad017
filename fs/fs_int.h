/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fs_int.h - lxnetfs internals: the daemon's context, the fixed tree of
 * inodes with their per-file content cache, open handles, and the FUSE
 * session glue. Private to fs/.
 */
#ifndef LXNET_FS_INT_H
#define LXNET_FS_INT_H

#define FUSE_USE_VERSION 35

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <fuse_lowlevel.h>
#include <glib.h>

#include "netstate.h"
#include "render.h"
#include "sockset.h"
#include "view.h"

/* Directories plus files; the tree is built from render_file_path(). */
#define LXFS_MAX_NODES 32
/* Default bound on simultaneously open handles per file (--max-open). */
#define LXFS_DEFAULT_MAX_OPEN 4096
/* Requests handled per wake-up of the FUSE source before yielding. */
#define LXFS_REQUESTS_PER_DISPATCH 64
/* Bound on the bytes the sandbox may write into one file (write.c). */
#define LXFS_LOCAL_MAX (64 * 1024)
/* Bound on older versions of a file that open handles may pin (render_cache.c). */
#define LXFS_PINNED_VERSIONS_MAX 64
/* Default bound on the bytes of the renderings open handles pin (--max-pinned). */
#define LXFS_DEFAULT_MAX_PINNED (64 * 1024 * 1024)

/*
 * struct lxfs_node - one inode of the fixed tree
 * @ino: inode number; FUSE_ROOT_ID for the root, fixed for the process
 * @name: last path component ("" for the root)
 * @parent: containing directory (the root is its own parent)
 * @is_dir: directory (0555) or rendered file (0444)
 * @children: directories only: child nodes, in creation order
 * @n_children: number of @children
 * @file: files only: which view file this is
 * @cache: files only: the last rendering (NULL before the first); each open
 *         handle holds a reference to the rendering it was opened on
 * @pinned: files only: the renderings open handles hold, each once, with
 *          how many handles hold it (render_cache.c); NULL before the first
 * @stale: files only: a snapshot change touched a part the file depends on
 *         since @cache was rendered; the next stat/open renders again
 * @handles: files only: the open handles (struct lxfs_handle, by @link);
 *           the kernel may never release those open when the session ends
 * @mtime: modification time; for files bumped (strictly increasing) each
 *         time the rendered bytes change; ctime always equals it
 * @local: writable files only (write.c): the bytes written inside, NULL
 *         before the first write; after the rendering, or alone when @taken
 * @taken: the file was truncated: it is @local alone, the host's changes no
 *         longer show
 * @kbytes: page-cached files only (kcache.c): the version whose attributes
 *          the kernel was last given; what page-cache READs return
 * @kv: the version the cached handles read, @kv_mtime its mtime
 * @n_cached: cached handles of epoch @cache_epoch open on @kv
 * @lag_since: CLOCK_MONOTONIC ms since which a change waits for them (0:
 *             none waits)
 */
struct lxfs_node {
	fuse_ino_t ino;
	char *name;
	struct lxfs_node *parent;
	bool is_dir;
	struct lxfs_node *children[LXFS_MAX_NODES];
	unsigned int n_children;
	enum render_file file;
	GBytes *cache;
	GHashTable *pinned;
	bool stale;
	GQueue handles;
	struct timespec mtime;
	GByteArray *local;
	bool taken;
	GBytes *kbytes;
	GBytes *kv;
	struct timespec kv_mtime;
	unsigned int n_cached;
	unsigned int cache_epoch;
	int64_t lag_since;
};

/*
 * struct lxfs_tree - the whole inode table, indexed by ino - 1
 */
struct lxfs_tree {
	struct lxfs_node nodes[LXFS_MAX_NODES];
	unsigned int n;
	struct timespec last_stamp; /* last timestamp handed out */
	struct lxfs_node *sysnet; /* sys/class/net: its entries are sysnet.c's */
};

/*
 * struct lxfs_handle - one open file: the rendering it reads from
 * @fs: context (what the handle pins is counted there)
 * @node: the file
 * @bytes: one snapshot's rendering, never changed while open, except by a
 *         write through this handle (the writer reads what it wrote); held
 *         through render_cache.c, shared with the handles of that version
 * @end: where a sequential writer through this handle writes next: the
 *       length of @bytes at open, then the end of its last write
 * @link: in @node's handles
 * @cached: reads go through the kernel's page cache (kcache.c), opened
 *          in epoch @epoch of its node; else direct I/O from @bytes
 * @fh: the kernel's name for it: the generation of the lxnetfs that opened
 *      it (state.c) above bit 40, a count below
 */
struct lxfs_handle {
	struct lxfs *fs;
	struct lxfs_node *node;
	GBytes *bytes;
	uint64_t end;
	GList link;
	bool cached;
	unsigned int epoch;
	uint64_t fh;
};

#define LXFS_FH_GENERATION_SHIFT 40

struct lxfs_state_file;

/*
 * struct lxfs - the daemon's context; owned by main(), no globals
 */
struct lxfs {
	struct view_policy policy;
	unsigned int render_flags; /* render_file()'s: RENDER_STANDALONE
				    * unless lxnet run hands the device over */
	struct netstate *ns;
	guint ns_sub;
	struct netstate_snapshot *snap; /* latest snapshot seen */
	struct netstate_counters *counters; /* proc/net/dev's counter reader */
	int64_t stats_max_age_ns; /* reuse a counter read this young (0: never) */
	struct ns_links *stats_links; /* last counter read, for reuse */
	struct ns_links *stats_base; /* snapshot table it was read over (a ref) */
	int64_t stats_at; /* CLOCK_MONOTONIC ns of that read */
	struct lxfs_tree tree;
	int netns_fd; /* the sandbox's network namespace, or -1 (procsock.c) */
	dev_t netns_dev;
	ino_t netns_ino;
	struct sockset_idmap uidmap; /* its uid_map (n == 0: identity) */
	uid_t uid;
	gid_t gid;
	unsigned int max_open;
	size_t max_pinned; /* bound on pinned_bytes (--max-pinned) */
	size_t pinned_bytes; /* distinct renderings open handles hold */
	double attr_timeout;
	double entry_timeout;
	guint hold_timer; /* kcache.c: publishes changes cached readers hold back */
	GHashTable *handles; /* fh -> struct lxfs_handle, every open one */
	GHashTable *sysnet_handles; /* fh -> sysnet.c's open attribute files */
	uint64_t last_fh; /* the count of the last fh handed out */
	struct lxfs_state_file *state; /* state.c: mapped, or NULL */
	uint32_t generation; /* state.c: ours; 0 without a state file */
	bool inited; /* libfuse took the kernel's INIT (ops.c's init callback) */

	struct fuse_session *se;
	struct fuse_buf buf;
	bool mounted;
	guint fuse_source;
	GMainLoop *loop;
	int exit_status;
};

/* inode.c */
void lxfs_tree_init(struct lxfs_tree *t);
void lxfs_tree_clear(struct lxfs_tree *t);
struct lxfs_node *lxfs_tree_get(struct lxfs_tree *t, fuse_ino_t ino);
struct lxfs_node *lxfs_tree_lookup(struct lxfs_tree *t, fuse_ino_t parent,
				   const char *name);
struct lxfs_node *lxfs_tree_file(struct lxfs_tree *t, enum render_file f);
int lxfs_node_refresh(struct lxfs *fs, struct lxfs_node *n, bool fresh_stats,
		      bool *ret_changed);
void lxfs_node_stat(const struct lxfs *fs, const struct lxfs_node *n,
		    struct stat *st);
void lxfs_tree_snapshot_changed(struct lxfs *fs, unsigned int parts);
int lxfs_handle_open(struct lxfs *fs, struct lxfs_node *n,
		     struct lxfs_handle **ret_h);
void lxfs_handle_free(struct lxfs_handle *h);
int lxfs_handle_get(struct lxfs *fs, fuse_ino_t ino, uint64_t fh,
		    struct lxfs_handle **ret_h);

int lxfs_fresh_links(struct lxfs *fs, struct ns_links **ret);

/* sysnet.c */
void lxfs_sysnet_init(struct lxfs *fs);
void lxfs_sysnet_clear(struct lxfs *fs);
bool lxfs_sysnet_ino(fuse_ino_t ino);
bool lxfs_sysnet_dir(const struct lxfs *fs, fuse_ino_t ino);
int lxfs_sysnet_stat(const struct lxfs *fs, fuse_ino_t ino, struct stat *st);
int lxfs_sysnet_lookup(const struct lxfs *fs, fuse_ino_t parent,
		       const char *name, struct fuse_entry_param *e);
int lxfs_sysnet_readdir(const struct lxfs *fs, fuse_req_t req, fuse_ino_t ino,
			size_t size, off_t off, char **ret_buf, size_t *ret_len);
int lxfs_sysnet_open(struct lxfs *fs, fuse_ino_t ino, struct fuse_file_info *fi);
int lxfs_sysnet_read(struct lxfs *fs, fuse_ino_t ino, uint64_t fh,
		     GBytes **ret_bytes);
void lxfs_sysnet_release(struct lxfs *fs, uint64_t fh);

/* render_cache.c */
GBytes *lxfs_pins_find(const struct lxfs_node *n, GBytes *b);
int lxfs_pin(struct lxfs *fs, struct lxfs_node *n, GBytes *b, GBytes **ret);
void lxfs_unpin(struct lxfs *fs, struct lxfs_node *n, GBytes *b);
int lxfs_pin_may_replace(const struct lxfs *fs, const struct lxfs_node *n,
			 GBytes *old, size_t size);
void lxfs_pin_replace(struct lxfs *fs, struct lxfs_node *n, GBytes **slot,
		      GBytes *b);
void lxfs_pins_clear(struct lxfs_node *n);

/* kcache.c */
bool lxfs_node_cacheable(const struct lxfs_node *n);
void lxfs_kcache_drop_attr(struct lxfs *fs, struct lxfs_node *n);
void lxfs_kcache_changed(struct lxfs *fs, struct lxfs_node *n);
void lxfs_kcache_stat(struct lxfs *fs, struct lxfs_node *n, struct stat *st);
void lxfs_kcache_open(struct lxfs *fs, struct lxfs_handle *h, bool write,
		      struct fuse_file_info *fi);
GBytes *lxfs_kcache_read_bytes(const struct lxfs_handle *h);
void lxfs_kcache_release(struct lxfs *fs, struct lxfs_handle *h);
void lxfs_kcache_clear(struct lxfs_node *n);

/* write.c */
bool lxfs_node_writable(const struct lxfs_node *n);
void lxfs_node_compose(const struct lxfs_node *n, GString *out);
int lxfs_may_write(const struct lxfs *fs, const struct lxfs_node *n,
		   uid_t uid);
int lxfs_handle_write(struct lxfs *fs, struct lxfs_handle *h, const char *buf,
		      size_t size, off_t off, bool append);
int lxfs_node_truncate(struct lxfs *fs, struct lxfs_node *n, off_t size);

/* procsock.c */
int lxfs_sockets_set_netns(struct lxfs *fs, const char *path);
int lxfs_sockets_set_pid(struct lxfs *fs, pid_t pid);
int lxfs_render_sockets(struct lxfs *fs, enum render_file f, GString *out);

/* ops.c */
extern const struct fuse_lowlevel_ops lxfs_ops;

/* state.c */
int lxfs_state_clone(int *fd);
int lxfs_state_open(struct lxfs *fs, int memfd, bool resume);
void lxfs_state_save_init(struct lxfs *fs, const struct fuse_buf *buf);
int lxfs_state_resume(struct lxfs *fs);
void lxfs_state_save_local(struct lxfs *fs, const struct lxfs_node *n);
void lxfs_state_close(struct lxfs *fs);

/* session.c */
int lxfs_session_new(struct lxfs *fs, struct fuse_args *args);
int lxfs_session_mount(struct lxfs *fs, const char *mountpoint);
int lxfs_session_attach(struct lxfs *fs);
void lxfs_session_notify_attr(struct lxfs *fs, fuse_ino_t ino);
void lxfs_session_close(struct lxfs *fs);

#endif
