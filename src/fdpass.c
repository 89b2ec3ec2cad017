// SPDX-License-Identifier: LGPL-2.1-or-later
/* fdpass.c - SCM_RIGHTS helpers with a fixed header (see fdpass.h) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <unistd.h>

#include "fdpass.h"
#include "cleanup.h"

/*
 * The uid the parent user namespace knows us by (/proc/self/uid_map), so
 * that a program in `unshare -r` (uid 0 there) finds its user's directory,
 * not root's; getuid() when unmapped or unreadable.
 */
static unsigned int fdpass_outer_uid(void)
{
	unsigned int uid = (unsigned int)getuid(), in, out, count;
	FILE *f = fopen("/proc/self/uid_map", "re");

	if (!f)
		return uid;
	while (fscanf(f, "%u %u %u", &in, &out, &count) == 3) {
		if (uid >= in && uid - in < count) {
			uid = out + (uid - in);
			break;
		}
	}
	fclose(f);
	return uid;
}

/* Whether our uid is one this user namespace maps (a line of
 * /proc/self/uid_map holds it); an unreadable map counts as mapped (no
 * /proc: the initial namespace, most likely). */
static bool fdpass_uid_mapped(void)
{
	unsigned int uid = (unsigned int)getuid(), in, out, count;
	FILE *f = fopen("/proc/self/uid_map", "re");
	bool mapped = false;

	if (!f)
		return true;
	while (!mapped && fscanf(f, "%u %u %u", &in, &out, &count) == 3)
		mapped = uid >= in && uid - in < count;
	fclose(f);
	return mapped;
}

/**
 * fdpass_runtime_dir() - the user's lxnet runtime directory
 * @ret_dir: its path (free())
 *
 * $XDG_RUNTIME_DIR/lxnet when $XDG_RUNTIME_DIR is an absolute directory of
 * the user's; else /run/lxnet for root; else /run/user/UID/lxnet when that
 * directory is the user's (su and sudo leave $XDG_RUNTIME_DIR unset or
 * another user's); else $TMPDIR/lxnet-UID. UID is the user as the parent
 * user namespace knows it: in `unshare -r` uid 0 is the user who ran it.
 * Root is whoever owns /run: in a namespace nested deeper (rootless
 * bwrap, `unshare -r` twice) uid 0 may be neither, and the parent's uid 0
 * says nothing of the user: no default then. lxnet-proxy's default
 * control socket and lxnet run's registry of named sandboxes live there,
 * so every program of the user finds the same one. Neither checked nor
 * made here (fdpass_private_dir()).
 *
 * Return: 0, -ENOENT when the user cannot be told (nested user
 * namespaces, or our uid unmapped), or -ENOMEM.
 */
int fdpass_runtime_dir(char **ret_dir)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	const char *tmp = getenv("TMPDIR");
	unsigned int uid = fdpass_outer_uid();
	char user[64];
	struct stat st;
	int r;

	*ret_dir = NULL;
	/* owners as this user namespace maps them: ours is getuid() */
	if (!fdpass_uid_mapped())
		return -ENOENT; /* every owner reads as ours: none is */
	if (x && x[0] == '/' && stat(x, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == getuid())
		r = asprintf(ret_dir, "%s/" FDPASS_SOCKET_DIR, x);
	else if (uid == 0 && stat("/run", &st) == 0 && st.st_uid == getuid())
		r = asprintf(ret_dir, "/run/" FDPASS_SOCKET_DIR);
	else if (uid == 0)
		return -ENOENT;
	else if (snprintf(user, sizeof(user), "/run/user/%u", uid) > 0 &&
		 stat(user, &st) == 0 && S_ISDIR(st.st_mode) &&
		 st.st_uid == getuid())
		r = asprintf(ret_dir, "%s/" FDPASS_SOCKET_DIR, user);
	else
		r = asprintf(ret_dir, "%s/" FDPASS_SOCKET_DIR "-%u",
			     tmp && tmp[0] == '/' ? tmp : "/tmp", uid);
	if (r < 0) {
		*ret_dir = NULL;
		return -ENOMEM;
	}
	return 0;
}

/**
 * fdpass_private_dir() - check (and make) a directory only its user may
 * change
 * @path: the directory
 * @create: make it, mode 0700, when missing
 * @deny: mode bits others must not have (022: write; 077: any access)
 *
 * A control socket in a directory another user can write (or made in
 * /tmp by another user first) could be replaced by theirs, which would
 * then be handed the sandbox's seccomp listener. In a user namespace
 * that does not map our uid every unmapped owner reads as the overflow
 * uid, ours too: no owner can be told there.
 *
 * Return: 0, -ENOTDIR, -EPERM when it is not the user's or others have
 * @deny, or -errno (-ENOENT when missing and not @create).
 */
int fdpass_private_dir(const char *path, bool create, mode_t deny)
{
	struct stat st;

	if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != getuid() || (st.st_mode & deny))
		return -EPERM;
	/* our uid unmapped: we and every unmapped owner are the overflow
	 * uid, no owner can be told apart */
	if (!fdpass_uid_mapped())
		return -EPERM;
	return 0;
}

/**
 * fdpass_default_path() - the control socket's path when none is given
 * @ret_path: fdpass_runtime_dir()'s FDPASS_SOCKET_NAME (free() it)
 *
 * The directory is not created here (lxnet-proxy does, mode 0700).
 *
 * Return: 0, -ENOENT when there is no default here (fdpass_runtime_dir()),
 * or -ENOMEM.
 */
int fdpass_default_path(char **ret_path)
{
	char *dir;
	int r = fdpass_runtime_dir(&dir);

	if (r < 0)
		return r;
	r = asprintf(ret_path, "%s/" FDPASS_SOCKET_NAME, dir);
	free(dir);
	return r < 0 ? -ENOMEM : 0;
}

/**
 * fdpass_peer_uid() - the uid of the process at the other end of @sock
 * @sock: a connected AF_UNIX socket
 * @ret_uid: the peer's uid when it connected (or listened), as seen from
 *	this process's user namespace (unmapped ids read as the overflow uid)
 *
 * Return: 0 or -errno.
 */
int fdpass_peer_uid(int sock, uid_t *ret_uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	*ret_uid = cred.uid;
	return 0;
}

/**
 * fdpass_send() - send a header and up to FDPASS_MAX_FDS fds
 * @sock: connected AF_UNIX socket (stream or seqpacket)
 * @msg: header; @msg->magic is filled in
 * @fds: fds to pass, or NULL
 * @n_fds: how many
 *
 * Return: 0 or -errno.
 */
int fdpass_send(int sock, const struct fdpass_msg *msg, const int *fds,
		size_t n_fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FDPASS_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct fdpass_msg m = *msg;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (n_fds > FDPASS_MAX_FDS)
		return -EINVAL;
	m.magic = FDPASS_MAGIC;
	if (n_fds) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(m) ? 0 : -EPIPE;
}

/**
 * fdpass_recv() - receive one header and the fds that came with it
 * @sock: AF_UNIX socket
 * @ret_msg: the header
 * @ret_fds: where received fds go (each O_CLOEXEC)
 * @max_fds: room in @ret_fds; extra fds are closed and -EBADMSG returned
 * @ret_n_fds: how many fds were received
 *
 * A short or foreign message is -EBADMSG with every received fd closed.
 * Return: 0, -ECONNRESET at end of stream, or -errno.
 */
int fdpass_recv(int sock, struct fdpass_msg *ret_msg, int *ret_fds,
		size_t max_fds, size_t *ret_n_fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FDPASS_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct fdpass_msg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	int got[FDPASS_MAX_FDS];
	size_t n_got = 0, i;
	struct cmsghdr *c;
	ssize_t n;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (n_got < FDPASS_MAX_FDS)
				got[n_got++] = fd;
			else
				close(fd);
		}
	}
	if (n == 0 && n_got == 0)
		return -ECONNRESET;
	if (n != sizeof(m) || m.magic != FDPASS_MAGIC || n_got > max_fds ||
	    (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
		for (i = 0; i < n_got; i++)
			close(got[i]);
		return -EBADMSG;
	}
	for (i = 0; i < n_got; i++)
		ret_fds[i] = got[i];
	*ret_msg = m;
	*ret_n_fds = n_got;
	return 0;
}

/**
 * fdpass_listen() - a listening AF_UNIX socket at @path, mode 0600
 * @path: filesystem path
 * @type: SOCK_SEQPACKET (the control socket) or SOCK_STREAM (the OCI
 *	runtimes' receiver protocol)
 * @ret_fd: the listening socket (non-blocking, close-on-exec)
 *
 * A stale socket (nobody accepting) is replaced; a live one, of any type,
 * or a file that is not a socket is an error, so two servers never share
 * a path and no user file is removed. Runs at start-up.
 *
 * Return: 0 or -errno (-EADDRINUSE: something answers there; -EEXIST: not
 * a socket).
 */
int fdpass_listen(const char *path, int type, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	struct stat st;
	mode_t old;
	int r;

	if (len == 0 || len >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, len + 1);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (lstat(path, &st) == 0) {
		_cleanup_close_ int probe = -1;

		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		probe = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
		if (probe < 0)
			return -errno;
		if (connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
		    errno == EPROTOTYPE) /* a live socket of another type */
			return -EADDRINUSE;
		if (errno != ECONNREFUSED)
			return -errno;
		if (unlink(path) < 0)
			return -errno;
	}
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return -errno;
	if (chmod(path, 0600) < 0 || listen(fd, 128) < 0) {
		r = -errno;
		unlink(path);
		return r;
	}
	*ret_fd = steal_fd(&fd);
	return 0;
}

/**
 * fdpass_check_memfd() - whether a received file is safe to map
 * @fd: the file
 * @size: the bytes the receiver maps
 *
 * A file on a FUSE mount could stall the receiver in a page fault, one
 * that shrinks under its mapping (or a hugetlbfs one whose pages run out)
 * would be SIGBUS: only a tmpfs file (a memfd) sealed against shrinking,
 * at least @size bytes long, is.
 *
 * Return: 0, or -EBADMSG when @fd is not such a file.
 */
int fdpass_check_memfd(int fd, size_t size)
{
	struct statfs sfs;
	struct stat st;
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals < 0 || !(seals & F_SEAL_SHRINK) || fstatfs(fd, &sfs) < 0 ||
	    sfs.f_type != TMPFS_MAGIC || fstat(fd, &st) < 0 ||
	    !S_ISREG(st.st_mode) || (uint64_t)st.st_size < size)
		return -EBADMSG;
	return 0;
}
