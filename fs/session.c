// SPDX-License-Identifier: LGPL-2.1-or-later
/* session.c - lxnetfs's libfuse low-level session, served by a thread of its own */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "fs_int.h"
#include "log.h"

/**
 * lxfs_session_new() - create the FUSE session
 * @fs: context; becomes the session's userdata
 * @args: libfuse arguments (argv[0], then -o options, -d); consumed options
 *        are removed by libfuse
 *
 * Return: 0, or -EINVAL when libfuse rejected an option (it said which on
 * stderr).
 */
int lxfs_session_new(struct lxfs *fs, struct fuse_args *args)
{
	fs->se = fuse_session_new(args, &lxfs_ops, sizeof(lxfs_ops), fs);
	return fs->se ? 0 : -EINVAL;
}

/**
 * lxfs_session_mount() - mount, or adopt an already-mounted /dev/fuse fd
 * @fs: context with a session
 * @mountpoint: a directory, or "/dev/fd/N" for an fd of /dev/fuse that
 *              someone (lxnet run) already mounted; libfuse >= 3.3 takes it
 *              as is and never unmounts it
 *
 * Return: 0 or -EIO (libfuse said why on stderr).
 */
int lxfs_session_mount(struct lxfs *fs, const char *mountpoint)
{
	if (fuse_session_mount(fs->se, mountpoint) != 0)
		return -EIO;
	fs->mounted = true;
	return 0;
}

/*
 * Time the serving thread keeps asking the (non-blocking) FUSE device for
 * the next request before it sleeps in poll(): a reader that opens, reads
 * and closes in a loop sends its next request a few microseconds after our
 * reply, and catching it without a sleep/wake-up cycle of both CPUs halves
 * the round trip. Bounded: at most this much CPU per burst of requests.
 */
#define LXFS_SPIN_NS 50000

static int64_t lxfs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Sleep until the FUSE fd is readable or we are told to stop.
 * Return: true to go on, false to stop.
 */
static bool lxfs_session_wait(struct lxfs *fs, int fd)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = fs->stop_fd, .events = POLLIN },
	};

	if (poll(p, 2, -1) < 0 && errno != EINTR) {
		log_err("waiting for FUSE requests: %s", g_strerror(errno));
		return false;
	}
	return !(p[1].revents & POLLIN);
}

/*
 * The serving thread: take requests off the non-blocking FUSE device and
 * handle each under fs->lock, spinning briefly between back-to-back
 * requests before sleeping. Ends on unmount (the device says ENODEV), a
 * fatal error (exit status 1) or lxfs_session_close(); tells the main loop
 * when it ends on its own.
 */
static gpointer lxfs_session_thread(gpointer data)
{
	struct lxfs *fs = data;
	int fd = fuse_session_fd(fs->se);
	int64_t idle_since = lxfs_now_ns();
	bool stopped = false;

	for (;;) {
		int r = fuse_session_receive_buf(fs->se, &fs->buf);

		if (fuse_session_exited(fs->se))
			break;
		if (r == -EINTR)
			continue;
		if (r == -EAGAIN) {
			if (lxfs_now_ns() - idle_since < LXFS_SPIN_NS)
				continue;
			if (!lxfs_session_wait(fs, fd)) {
				stopped = true;
				break;
			}
			idle_since = lxfs_now_ns();
			continue;
		}
		if (r < 0) {
			log_err("reading the FUSE device: %s", g_strerror(-r));
			g_atomic_int_set(&fs->exit_status, 1);
			break;
		}
		if (r == 0)
			break;
		g_mutex_lock(&fs->lock);
		fuse_session_process_buf(fs->se, &fs->buf);
		g_mutex_unlock(&fs->lock);
		idle_since = lxfs_now_ns();
	}
	if (!stopped) {
		/* ENODEV (unmounted) or a fatal error: stop serving. */
		if (fuse_session_exited(fs->se))
			log_debug("FUSE session ended (unmounted)");
		g_main_loop_quit(fs->loop);
	}
	return NULL;
}

/**
 * lxfs_session_attach() - start serving the session on a thread of its own
 * @fs: context with a mounted session and a loop
 *
 * The thread handles every FUSE request under fs->lock; the main loop's
 * thread (netstate's events) takes the same lock. Precondition: nothing
 * else reads the FUSE device.
 *
 * Return: 0 or -errno.
 */
int lxfs_session_attach(struct lxfs *fs)
{
	int fd = fuse_session_fd(fs->se);
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	fs->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fs->stop_fd < 0)
		return -errno;
	fs->thread = g_thread_new("lxnetfs-fuse", lxfs_session_thread, fs);
	return 0;
}

/**
 * lxfs_session_notify_attr() - drop the kernel's cached attributes of @ino
 * @fs: context
 * @ino: inode
 *
 * Attributes only (offset -1): page invalidation from the serving thread
 * could deadlock against a read the kernel holds a page lock for; files use
 * direct I/O, so there are no pages anyway. Called with fs->lock held, from
 * either thread. Errors (not yet initialised, inode unknown to the kernel)
 * mean there is nothing cached.
 */
void lxfs_session_notify_attr(struct lxfs *fs, fuse_ino_t ino)
{
	int r;

	if (!fs->se || !fs->mounted)
		return;
	r = fuse_lowlevel_notify_inval_inode(fs->se, ino, -1, 0);
	if (r < 0 && r != -ENOENT)
		log_debug("invalidating inode %lu: %s", (unsigned long)ino,
			  g_strerror(-r));
}

/**
 * lxfs_session_close() - stop serving, unmount (when we mounted) and free
 * @fs: context; safe to call when no session exists
 */
void lxfs_session_close(struct lxfs *fs)
{
	if (fs->thread) {
		uint64_t one = 1;

		if (write(fs->stop_fd, &one, sizeof(one)) != sizeof(one))
			log_err("stopping the FUSE thread: %s", g_strerror(errno));
		g_thread_join(fs->thread);
		fs->thread = NULL;
	}
	if (fs->stop_fd >= 0)
		close(fs->stop_fd);
	fs->stop_fd = -1;
	if (!fs->se)
		return;
	if (fs->mounted)
		fuse_session_unmount(fs->se);
	fs->mounted = false;
	fuse_session_destroy(fs->se);
	fs->se = NULL;
	g_clear_pointer(&fs->buf.mem, free);
}
