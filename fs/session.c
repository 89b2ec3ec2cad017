// SPDX-License-Identifier: LGPL-2.1-or-later
/* session.c - lxnetfs's libfuse low-level session, driven by the GLib main loop */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <glib-unix.h>

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
 * The FUSE fd is readable: handle a bounded batch of requests. The fd is
 * non-blocking, so a request taken by an interrupt or a spurious wake-up
 * ends the batch with -EAGAIN instead of stalling the loop.
 */
static gboolean lxfs_session_dispatch(gint fd, GIOCondition cond,
				      gpointer data)
{
	struct lxfs *fs = data;
	unsigned int i;

	for (i = 0; i < LXFS_REQUESTS_PER_DISPATCH; i++) {
		int r = fuse_session_receive_buf(fs->se, &fs->buf);

		if (fuse_session_exited(fs->se))
			break;
		if (r == -EINTR)
			continue;
		if (r == -EAGAIN)
			return G_SOURCE_CONTINUE;
		if (r < 0) {
			log_err("reading the FUSE device: %s", g_strerror(-r));
			fs->exit_status = 1;
			break;
		}
		if (r == 0)
			break;
		lxfs_state_save_init(fs, &fs->buf);
		fuse_session_process_buf(fs->se, &fs->buf);
	}
	if (i < LXFS_REQUESTS_PER_DISPATCH) {
		/* ENODEV (unmounted) or a fatal error: stop serving. */
		if (fuse_session_exited(fs->se))
			log_debug("FUSE session ended (unmounted)");
		fs->fuse_source = 0;
		g_main_loop_quit(fs->loop);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/**
 * lxfs_session_attach() - serve the session from fs->loop's context
 * @fs: context with a mounted session and a loop
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
	fs->fuse_source = g_unix_fd_add(fd, G_IO_IN | G_IO_ERR | G_IO_HUP,
					lxfs_session_dispatch, fs);
	return 0;
}

/**
 * lxfs_session_notify_attr() - drop the kernel's cached attributes of @ino
 * @fs: context
 * @ino: inode
 *
 * Attributes only (offset -1): page invalidation from the loop thread could
 * deadlock against a read the kernel holds a page lock for. Page-cached
 * files (kcache.c) have their pages dropped by the kernel itself, in the
 * reader, when the next GETATTR reports a new size or mtime. Errors (not
 * yet initialised, inode unknown to the kernel) mean there is nothing
 * cached.
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
	if (fs->fuse_source) {
		g_source_remove(fs->fuse_source);
		fs->fuse_source = 0;
	}
	if (!fs->se)
		return;
	if (fs->mounted)
		fuse_session_unmount(fs->se);
	fs->mounted = false;
	fuse_session_destroy(fs->se);
	fs->se = NULL;
	g_clear_pointer(&fs->buf.mem, free);
}
