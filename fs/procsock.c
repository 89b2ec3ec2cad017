// SPDX-License-Identifier: LGPL-2.1-or-later
/* procsock.c - lxnetfs's proc/net/{tcp,udp,raw}*: the sandbox's namespace and its sockets */
/*
 * Which processes are the sandbox's: those whose network namespace is the
 * sandbox's. lxnetfs learns that namespace once, when it is handed the
 * FUSE device (lxnet run's message carries the sandbox's init pid, which is
 * waiting for our answer, so alive: we open its /proc/PID/ns/net) or from
 * --netns PATH; the fd is kept, so the namespace's identity cannot be
 * recycled while we serve. Its uid_map is read then too: the uid column
 * shows owners as the sandbox sees them, as the kernel prints it for a
 * reader inside (with --netns, as the host sees them). Without a
 * namespace the socket files show the host's headers and no rows. Each open of a socket file collects the set
 * (src/sockset.c) and filters the host's file (src/render_sockets.c):
 * computed when read, never on the sandbox's connect path. lxnetfs runs in
 * the host's network namespace, so /proc/self/net is the host's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "fs_int.h"
#include "log.h"
#include "sockset.h"
#include "util.h"

/**
 * lxfs_sockets_set_netns() - the sandbox's network namespace, from a path
 * @fs: context; a namespace set before is replaced
 * @path: its nsfs file (/proc/PID/ns/net, a bind mount of one)
 *
 * Return: 0 or -errno (-EINVAL: not a network namespace's file).
 */
int lxfs_sockets_set_netns(struct lxfs *fs, const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -errno;
	/* ns/net's own st_dev and st_ino name the namespace. */
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	closep(&fs->netns_fd);
	fs->netns_fd = steal_fd(&fd);
	fs->netns_dev = st.st_dev;
	fs->netns_ino = st.st_ino;
	log_debug("sandbox network namespace: %s (inode %lu)", path,
		  (unsigned long)st.st_ino);
	return 0;
}

/**
 * lxfs_sockets_set_pid() - the sandbox's network namespace, from its pid
 * @fs: context
 * @pid: a live process of the sandbox (in our pid namespace)
 *
 * Return: 0 or -errno.
 */
int lxfs_sockets_set_pid(struct lxfs *fs, pid_t pid)
{
	char path[64];

	if (pid <= 0)
		return -EINVAL;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	r = lxfs_sockets_set_netns(fs, path);
	if (r < 0)
		return r;
	/* Written before the sandbox mounted us (it needed them to). */
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	r = sockset_idmap_read(AT_FDCWD, path, &fs->uidmap);
	if (r < 0)
		log_debug("%s: %s; uids shown as the host sees them", path,
			  g_strerror(-r));
	return 0;
}

/**
 * lxfs_render_sockets() - render a socket file for the sandbox, now
 * @fs: context
 * @f: a file render_file_is_sockets() accepts
 * @out: the bytes are appended here
 *
 * Return: 0 or -errno.
 */
int lxfs_render_sockets(struct lxfs *fs, enum render_file f, GString *out)
{
	_cleanup_(sockset_freep) struct sockset *set = NULL;
	int r;

	if (fs->netns_fd >= 0) {
		r = sockset_collect("/proc", fs->netns_dev, fs->netns_ino, &set);
		if (r < 0)
			return r;
		if (sockset_truncated(set))
			log_debug("%s: socket set truncated at %zu sockets",
				  render_file_path(f), sockset_size(set));
	}
	if (render_file_is_sockcount(f)) {
		char own[64];

		/* no process of the sandbox left: nothing to show */
		if (!sockset_pid(set))
			return 0;
		snprintf(own, sizeof(own), "/proc/%d/net", (int)sockset_pid(set));
		r = render_sockcounts(f, own, "/proc/self/net", set, out);
		return r == -EIO ? 0 : r;
	}
	return render_sockets(f, "/proc/self/net", set, &fs->uidmap, out);
}
