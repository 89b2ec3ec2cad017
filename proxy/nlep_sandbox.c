// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlep_sandbox.c - emulated netlink endpoints, bottom layer: a sandbox's listener, port ids and callers */
/*
 * See nlep_hub.c, "Theory of operation" and "Layers". This is the layer
 * every other nlep file stands on; it calls none of them. It holds what
 * belongs to one sandbox (one listener) rather than to one endpoint:
 *  - its lifetime (a reference count: the serving thread, each endpoint
 *    and each parked receive hold one, so the listener outlives them);
 *  - its port id space (netlink_insert()/netlink_autobind());
 *  - its callers, in one place: the per-sandbox task cache, and every
 *    look at a calling task (its /proc/PID directory, its fds, its memory
 *    opened through target.c, its capabilities, its pending signals).
 *    The layers above read and write a caller's memory only through a
 *    struct target this file opened and proved the caller's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "nlep_int.h"
#include "util.h"

/* ---- the sandbox ------------------------------------------------------- */

static void nlep_task_drop(struct nlep_task *e);

/**
 * nlep_sandbox_new() - the endpoint state of one listener
 * @h: the hub
 * @listener: the listener fd (duplicated: parked receives outlive the
 *	serving thread's own fd by at most their sweep)
 * @journal: its in-flight record, or NULL (a reference is taken)
 * @pidfd_leader_only: reach callers' fds as before Linux 6.9 (task.c)
 *
 * Return: a reference, or NULL when the dup failed.
 */
struct nlep_sandbox *nlep_sandbox_new(struct nlep_hub *h, int listener,
				      struct notif_journal *journal,
				      bool pidfd_leader_only)
{
	struct nlep_sandbox *sb;
	int fd = fcntl(listener, F_DUPFD_CLOEXEC, 3);

	if (fd < 0)
		return NULL;
	sb = g_new0(struct nlep_sandbox, 1);
	sb->ref = 1;
	sb->hub = h;
	sb->listener = fd;
	sb->journal = notif_journal_ref(journal);
	sb->ports = g_hash_table_new(g_direct_hash, g_direct_equal);
	sb->rover = NLEP_ROVER_START;
	sb->pidfd_leader_only = pidfd_leader_only;
	g_mutex_init(&sb->task_lock);
	g_mutex_init(&sb->defer_lock);
	g_queue_init(&sb->deferred);
	return sb;
}

/**
 * nlep_sandbox_unref() - drop a reference; the last closes the listener dup
 * @sb: the sandbox (NULL is fine)
 *
 * Thread-safe (atomic); needs no hub lock.
 */
void nlep_sandbox_unref(struct nlep_sandbox *sb)
{
	size_t i;

	if (!sb || !g_atomic_int_dec_and_test(&sb->ref))
		return;
	close(sb->listener);
	notif_journal_unref(sb->journal);
	g_hash_table_unref(sb->ports);
	for (i = 0; i < NLEP_TASKS; i++)
		nlep_task_drop(&sb->tasks[i]);
	g_mutex_clear(&sb->task_lock);
	g_mutex_clear(&sb->defer_lock);
	g_free(sb);
}

/**
 * nlep_sandbox_set_waker() - how the main loop wakes the serving thread
 * @sb: the sandbox
 * @wake: called (from the main loop) when completed receives wait for the
 *	thread (nlep_run_deferred()); NULL once the thread has ended
 * @data: for @wake
 */
void nlep_sandbox_set_waker(struct nlep_sandbox *sb, void (*wake)(void *),
			    void *data)
{
	g_mutex_lock(&sb->defer_lock);
	sb->wake = wake;
	sb->wake_data = data;
	g_mutex_unlock(&sb->defer_lock);
}

/* ---- port ids ---------------------------------------------------------- */

/* Whether port id @p is in use in @sb (hub lock held). */
static bool nlep_port_taken(struct nlep_sandbox *sb, uint32_t p)
{
	return g_hash_table_contains(sb->ports, GUINT_TO_POINTER(p));
}

/**
 * nlep_bind_port() - give @ep a port id: @want, or an automatic one
 * @ep: an unbound endpoint (hub lock held)
 * @want: nl_pid asked for, 0 for automatic (owner_tgid first: the tgid of
 *	the process that binds, or the creator's for an autobind on send,
 *	whose sender the proxy does not see; then negative numbers from
 *	-4096 down to INT32_MIN and round again, as netlink_autobind())
 *
 * Return: 0 or -EADDRINUSE.
 */
int nlep_bind_port(struct nlep *ep, uint32_t want)
{
	struct nlep_sandbox *sb = ep->sb;
	uint32_t p = want;
	unsigned int tries = 0;

	if (!p) {
		p = (uint32_t)ep->owner_tgid;
		while (p == 0 || nlep_port_taken(sb, p)) {
			if (++tries > 1u << 20)
				return -EADDRINUSE;
			p = sb->rover;
			sb->rover = sb->rover == NLEP_ROVER_LAST ?
				    NLEP_ROVER_START : sb->rover - 1;
		}
	} else if (nlep_port_taken(sb, p)) {
		return -EADDRINUSE;
	}
	g_hash_table_add(sb->ports, GUINT_TO_POINTER(p));
	ep->portid = p;
	ep->bound = true;
	return 0;
}

/* Give @ep's port id back, if it has one (hub lock held). */
void nlep_port_release(struct nlep *ep)
{
	if (ep->bound)
		g_hash_table_remove(ep->sb->ports, GUINT_TO_POINTER(ep->portid));
	ep->bound = false;
}

/* ---- callers: the task cache -------------------------------------------- */

/*
 * Callers cached per sandbox: struct nlep_task holds a pidfd (the thread's,
 * or before Linux 6.9 its leader's: task.c) and an O_PATH
 * /proc/PID directory of a thread that made a trapped call, and its inner
 * tgid, so that the next call from it costs no pidfd_open(), no path walk
 * of /proc/PID and no read of /proc/PID/status. Both fds name a struct pid,
 * not a number: once that task is gone, pidfd_getfd() fails ESRCH and
 * openat() in the directory fails ENOENT, even when the number is reused.
 * So an entry found by number either reaches the very task that notified
 * (both alive under one number at the same time are the same task, and
 * NOTIF_ID_VALID checked after the use proves the caller alive), or fails
 * and is replaced by fresh ones opened by number (then proven the same
 * way). The inner tgid of a live task never changes (exec keeps the tgid).
 */

/* Close an entry's fds and empty it (task_lock held). */
static void nlep_task_drop(struct nlep_task *e)
{
	if (e->pid == 0)
		return;
	close(e->pidfd);
	close(e->procdir);
	e->pidfd = e->procdir = -1;
	e->pid = 0;
}

/**
 * nlep_task_get() - the cache entry of thread @pid, opened now if absent
 * @sb: the sandbox (task_lock held)
 * @pid: the calling thread
 * @fresh: drop a cached entry first (it was found stale)
 * @ret_e: the entry (valid while task_lock is held)
 *
 * A notification carries pid 0 when its caller is not visible in the
 * proxy's pid namespace: there is no task to reach, and an empty entry
 * (pid 0) must never be taken for it.
 *
 * Return: 1 when it came from the cache, 0 when opened now, -ENOENT when
 * the task is gone or not visible, or -errno.
 */
static int nlep_task_get(struct nlep_sandbox *sb, pid_t pid, bool fresh,
			 struct nlep_task **ret_e)
{
	struct nlep_task *e, *victim = &sb->tasks[0];
	char path[32];
	int pidfd, dir;
	bool leader;
	size_t i;

	if (pid <= 0)
		return -ENOENT;

	for (i = 0; i < NLEP_TASKS; i++) {
		e = &sb->tasks[i];
		if (e->pid == pid) {
			if (fresh) {
				nlep_task_drop(e);
				victim = e;
				break;
			}
			e->used = ++sb->task_clock;
			*ret_e = e;
			return 1;
		}
		if (victim->pid != 0 && (e->pid == 0 || e->used < victim->used))
			victim = e;
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -errno;
	pidfd = task_pidfd_open(pid, dir, sb->pidfd_leader_only, &leader);
	if (pidfd < 0) {
		close(dir);
		return pidfd == -ESRCH ? -ENOENT : pidfd;
	}
	nlep_task_drop(victim);
	*victim = (struct nlep_task){ .pid = pid, .pidfd = pidfd,
				      .pidfd_leader = leader, .procdir = dir,
				      .used = ++sb->task_clock };
	*ret_e = victim;
	return 0;
}

/**
 * nlep_inner_tgid() - the caller's tgid as it sees it (its innermost pid
 * namespace), from the last NStgid field of /proc/PID/status (its first
 * TASK_STATUS_MAX bytes)
 * @procdir: the caller's /proc/PID directory
 *
 * Return: the tgid, or 0 when it cannot be read.
 */
static pid_t nlep_inner_tgid(int procdir)
{
	pid_t tgid = 0;

	return task_status_pid(procdir, 0, "NStgid", true, &tgid) == 0 ? tgid : 0;
}

/* The entry's inner tgid, read once (task_lock held). */
static pid_t nlep_task_tgid(struct nlep_task *e)
{
	if (e->tgid <= 0)
		e->tgid = nlep_inner_tgid(e->procdir);
	return e->tgid;
}

/* ---- callers: a trapped call's fd and memory ------------------------------ */

/**
 * nlep_check_leader_copy() - whether a copy taken through the leader's
 * pidfd (before Linux 6.9) is the calling thread's fd
 * @e: the caller's entry (e->pidfd_leader set)
 * @pid: the caller
 * @fd: its fd
 * @got: the copy, or -1 (pidfd_getfd() failed EBADF); closed and set to
 *	-1 when it is not the thread's
 *
 * A thread with a file table of its own (made without CLONE_FILES, or after
 * unshare(CLONE_FILES)) cannot be reached before 6.9.
 *
 * Return: 0 (the thread's), -EBADF (the thread has no such fd either) or
 * -EOPNOTSUPP.
 */
static int nlep_check_leader_copy(struct nlep_task *e, pid_t pid, int fd,
				  int *got)
{
	struct stat st;
	char name[32];

	if (*got >= 0 && task_fd_same(e->procdir, pid, fd, *got))
		return 0;
	closep(got);
	*got = -1; /* closep() leaves the number */
	snprintf(name, sizeof(name), "fd/%d", fd);
	if (fstatat(e->procdir, name, &st, 0) < 0)
		return -EBADF;
	log_debug("pid %d: its fd %d is not reachable before Linux 6.9 "
		  "(a file table of its own)", (int)pid, fd);
	return -EOPNOTSUPP;
}

/**
 * nlep_attach() - everything a trapped call needs of its caller, proven
 * @sb: the caller's sandbox
 * @req: the notification (its fd in args[0])
 * @what: NLEP_ATTACH_* flags: the call writes into the caller (its maps
 *	are opened too), it needs our own copy of the fd, it needs the
 *	caller's inner tgid
 * @t: the caller's memory (target_close() it in every case)
 * @sfd: with NLEP_ATTACH_FD: our own copy of the fd (O_CLOEXEC), else
 *	left -1
 * @ino: the fd's inode when it is a socket, 0 otherwise
 * @tgid: with NLEP_ATTACH_TGID: the caller's inner tgid, else left 0
 *
 * Opens the memory (and maps for a call that writes) in the cached /proc
 * directory of the caller, takes the fd through its cached pidfd or stats
 * it through /proc, then checks NOTIF_ID_VALID once: a valid id proves all
 * of it the caller's. A stale entry (its task gone) is replaced once by
 * fresh fds.
 * Return: 0; 1 when the fd does not exist (CONTINUE); -ENOENT when the
 * caller is gone (the notification is dead: do not answer); or -errno.
 */
int nlep_attach(struct nlep_sandbox *sb, const struct seccomp_notif *req,
		unsigned int what, struct target *t, int *sfd, ino_t *ino,
		pid_t *tgid)
{
	pid_t pid = (pid_t)req->pid;
	int fd = (int)req->data.args[0];
	struct nlep_task *e;
	struct stat st = { 0 };
	bool cached;
	int r = 0, tries, got = -1;

	g_mutex_lock(&sb->task_lock);
	for (tries = 0; tries < 2; tries++) {
		target_close(t);
		r = nlep_task_get(sb, pid, tries > 0, &e);
		if (r < 0)
			break;
		cached = r == 1;
		/* A cached entry fails here once its task is gone. */
		r = target_attach(e->procdir, pid,
				  (what & NLEP_ATTACH_MEMORY) != 0, t);
		if (r == -ENOENT && cached)
			continue;
		if (r < 0)
			break;
		if (what & NLEP_ATTACH_FD) {
			got = (int)syscall(SYS_pidfd_getfd, e->pidfd, fd, 0);
			if (got < 0 && errno == ESRCH && cached)
				continue;
			r = got < 0 ? (errno == ESRCH ? -ENOENT : -errno) :
			    fstat(got, &st) < 0 ? -errno : 0;
			if (e->pidfd_leader && (r == 0 || r == -EBADF))
				r = nlep_check_leader_copy(e, pid, fd, &got);
		} else {
			char name[32];

			snprintf(name, sizeof(name), "fd/%d", fd);
			r = fstatat(e->procdir, name, &st, 0) < 0 ?
			    (errno == ENOENT ? -EBADF : -errno) : 0;
		}
		if (r == 0 && (what & NLEP_ATTACH_TGID))
			*tgid = nlep_task_tgid(e);
		break;
	}
	g_mutex_unlock(&sb->task_lock);
	if (got >= 0)
		*sfd = got;
	if (notif_id_valid(sb->listener, req->id) < 0)
		return -ENOENT;
	if (r == -EBADF)
		return 1;
	if (r < 0)
		return r == -ENOENT ? 1 : r;
	*ino = S_ISSOCK(st.st_mode) ? st.st_ino : 0;
	return 0;
}

/**
 * nlep_caller_fd_stat() - stat the caller's fd through its cached /proc
 * directory, opening nothing else
 * @sb: the caller's sandbox
 * @req: the notification (its fd in args[0])
 * @st: filled in
 *
 * Not proven by NOTIF_ID_VALID: good only for letting the call through
 * (see nlep_call.c, nlep_fd_foreign()).
 * Return: 0 or -errno.
 */
int nlep_caller_fd_stat(struct nlep_sandbox *sb,
			const struct seccomp_notif *req, struct stat *st)
{
	struct nlep_task *e;
	char name[32];
	int r;

	snprintf(name, sizeof(name), "fd/%d", (int)req->data.args[0]);
	g_mutex_lock(&sb->task_lock);
	r = nlep_task_get(sb, (pid_t)req->pid, false, &e);
	if (r >= 0)
		r = fstatat(e->procdir, name, st, 0) < 0 ? -errno : 0;
	g_mutex_unlock(&sb->task_lock);
	return r;
}

/* ---- callers: socket() ------------------------------------------------- */

/**
 * nlep_diag_init() - a NETLINK_SOCK_DIAG endpoint's namespace and socket
 * @diag: filled in: the caller's network namespace's identity, its
 *	uid_map, and fds of its user and network namespaces (for
 *	sockdiag_native_socket() later); nlep_diag_clear() when not taken
 * @procdir: the caller's /proc/PID (proved the caller's by the
 *	NOTIF_ID_VALID that follows)
 */
static void nlep_diag_init(struct nlep *diag, int procdir)
{
	struct stat st;

	if (fstatat(procdir, "ns/net", &st, 0) == 0) {
		diag->has_netns = true;
		diag->netns_dev = st.st_dev;
		diag->netns_ino = st.st_ino;
	}
	diag->uidmap = g_new0(struct sockset_idmap, 1);
	if (sockset_idmap_read(procdir, "uid_map", diag->uidmap) < 0)
		g_clear_pointer(&diag->uidmap, g_free);
	diag->diag_userns = openat(procdir, "ns/user", O_RDONLY | O_CLOEXEC);
	diag->diag_netns = openat(procdir, "ns/net", O_RDONLY | O_CLOEXEC);
	if (diag->diag_userns < 0 || diag->diag_netns < 0) {
		closep(&diag->diag_userns);
		closep(&diag->diag_netns);
		diag->diag_userns = diag->diag_netns = -1;
	}
}

/* Drop what nlep_caller_slot() read for @diag and no endpoint took. */
void nlep_diag_clear(struct nlep *diag)
{
	closep(&diag->diag_userns);
	closep(&diag->diag_netns);
	diag->diag_userns = diag->diag_netns = -1;
	g_clear_pointer(&diag->uidmap, g_free);
}

/**
 * nlep_caller_slot() - what socket() needs of its caller: a free fd
 * number of the endpoint range, its inner tgid, and for NETLINK_SOCK_DIAG
 * its namespaces
 * @sb: the caller's sandbox
 * @pid: the calling thread
 * @diag: NETLINK_SOCK_DIAG: filled in (see nlep_diag_init()), else NULL
 * @ret_tgid: the caller's inner tgid (0 when it cannot be read)
 *
 * Not proven yet: the caller checks NOTIF_ID_VALID after it.
 * Return: the fd number, or -errno (-ENOENT/-ESRCH: the task cannot be
 * reached; -EMFILE: the range is full).
 */
int nlep_caller_slot(struct nlep_sandbox *sb, pid_t pid, struct nlep *diag,
		     pid_t *ret_tgid)
{
	struct nlep_task *e = NULL;
	int slot;

	g_mutex_lock(&sb->task_lock);
	slot = nlep_task_get(sb, pid, false, &e);
	/*
	 * In the directory of a task that is gone every name is ENOENT, which
	 * task_pick_fd() would take for free numbers: a cached entry is
	 * checked alive first (its fd directory), else replaced.
	 */
	if (slot == 1 && faccessat(e->procdir, "fd", F_OK, 0) < 0)
		slot = nlep_task_get(sb, pid, true, &e);
	if (slot >= 0) {
		*ret_tgid = nlep_task_tgid(e);
		slot = task_pick_fd(pid, e->procdir, LXNET_NLEP_FD_BASE,
				    LXNET_NLEP_FD_COUNT, true);
	}
	if (slot >= 0 && diag)
		nlep_diag_init(diag, e->procdir);
	g_mutex_unlock(&sb->task_lock);
	return slot;
}

/* ---- callers: what /proc/PID/status says ---------------------------------- */

/**
 * nlep_caller_net_admin() - whether the caller may use SO_*BUFFORCE
 * @h: the hub
 * @pid: the caller
 *
 * The kernel asks capable(CAP_NET_ADMIN); the proxy's own FORCE needs the
 * same, so the caller must hold CAP_NET_ADMIN in the proxy's user
 * namespace (a sandbox in a user namespace of its own never does).
 * Return: true when it does.
 */
bool nlep_caller_net_admin(const struct nlep_hub *h, pid_t pid)
{
	g_autofree char *st = NULL;
	char path[64];
	uint64_t eff = 0;
	struct stat ns;
	const char *p;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (stat(path, &ns) < 0 || ns.st_dev != h->userns_dev ||
	    ns.st_ino != h->userns_ino)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (util_read_file_bounded(path, 16384, &st, &len, NULL) < 0)
		return false;
	p = strstr(st, "\nCapEff:");
	if (!p || sscanf(p + 8, "%" SCNx64, &eff) != 1)
		return false;
	return (eff >> NLEP_CAP_NET_ADMIN) & 1;
}

