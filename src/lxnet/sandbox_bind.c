// SPDX-License-Identifier: LGPL-2.1-or-later
/* sandbox_bind.c - `lxnet run --root DIR --bind SRC:DST[:ro]` bind mounts */
/*
 * Theory of operation
 *
 * The parent parses and checks each --bind (SRC must exist: one line and
 * status 125 otherwise, before anything starts). The child, after the
 * rootfs got /proc, /dev, /sys and /run and just before pivot_root (its
 * cwd is the rootfs), resolves DST inside the rootfs (openat2
 * RESOLVE_IN_ROOT: a symlink in the rootfs cannot point the mount at a
 * host path), creates it when missing (parents as directories, DST itself
 * a directory or an empty file to match SRC), and attaches a recursive
 * clone of SRC there (open_tree + move_mount). With :ro the clone is made
 * read-only before it is attached: mount_setattr(MOUNT_ATTR_RDONLY,
 * AT_RECURSIVE) (Linux 5.12), else a bind remount of the top mount that
 * keeps the flags the kernel locks in a user namespace (nosuid, nodev,
 * noexec, atime), which it would otherwise refuse with EPERM.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <unistd.h>

#include "sandbox.h"
#include "util.h"

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

/**
 * sandbox_bind_parse() - parse one --bind SRC:DST[:ro|:rw]
 * @spec: the option's value
 * @ret: filled on success (sandbox_bind_clear())
 *
 * Paths cannot hold ':' (as with docker and podman). SRC is made absolute
 * against the current directory; DST must be absolute.
 * Return: 0 or -EINVAL.
 */
int sandbox_bind_parse(const char *spec, struct sandbox_bind *ret)
{
	g_auto(GStrv) v = g_strsplit(spec, ":", 4);
	guint n = g_strv_length(v);
	bool ro = false;

	if (n == 3 && strcmp(v[2], "ro") == 0)
		ro = true;
	else if (n != 2 && !(n == 3 && strcmp(v[2], "rw") == 0))
		return -EINVAL;
	if (!v[0][0] || v[1][0] != '/')
		return -EINVAL;
	ret->src = g_canonicalize_filename(v[0], NULL);
	ret->dst = g_canonicalize_filename(v[1], "/");
	ret->ro = ro;
	return 0;
}

void sandbox_bind_clear(struct sandbox_bind *b)
{
	g_free(b->src);
	g_free(b->dst);
	b->src = b->dst = NULL;
}

/**
 * sandbox_bind_check() - does the source exist? (parent, before start-up)
 * @b: the bind
 *
 * Return: 0 or -errno of stat(2).
 */
int sandbox_bind_check(const struct sandbox_bind *b)
{
	struct stat st;

	return stat(b->src, &st) < 0 ? -errno : 0;
}

/*
 * bind_test_no_setattr() - the test switch that forces the remount path
 * kernels before 5.12 take (LXNET_TEST_NO_MOUNT_SETATTR=1), so that it
 * stays tested on kernels with mount_setattr().
 */
static bool bind_test_no_setattr(void)
{
	const char *e = getenv("LXNET_TEST_NO_MOUNT_SETATTR");

	return e && strcmp(e, "1") == 0;
}

static int bind_openat(int dfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_PATH | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT,
	};
	int fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/**
 * bind_make_target() - open DST in the rootfs, creating it when missing
 * @root: the rootfs (O_PATH)
 * @dst: absolute path inside it
 * @dir: create a directory (else an empty file)
 *
 * Return: an O_PATH fd on DST or -errno.
 */
static int bind_make_target(int root, const char *dst, bool dir)
{
	g_auto(GStrv) parts = g_strsplit(dst + 1, "/", -1);
	g_autoptr(GString) rel = g_string_new(".");
	size_t i;

	for (i = 0; parts[i]; i++) {
		bool last = parts[i + 1] == NULL;
		_cleanup_close_ int parent = bind_openat(root, rel->str, O_DIRECTORY);
		int fd;

		if (parent < 0)
			return parent;
		g_string_append_printf(rel, "/%s", parts[i]);
		fd = bind_openat(root, rel->str, last ? 0 : O_DIRECTORY);
		if (fd != -ENOENT)
			goto next;
		if (!last || dir) {
			if (mkdirat(parent, parts[i], 0755) < 0 && errno != EEXIST)
				return -errno;
		} else {
			int f = openat(parent, parts[i], O_WRONLY | O_CREAT |
				       O_CLOEXEC | O_NOFOLLOW, 0644);
			if (f < 0)
				return -errno;
			close(f);
		}
		fd = bind_openat(root, rel->str, last ? 0 : O_DIRECTORY);
next:
		if (fd < 0 || last)
			return fd;
		close(fd);
	}
	return bind_openat(root, ".", O_DIRECTORY); /* DST is "/" */
}

/* Read-only without mount_setattr: remount the attached top mount. */
static int bind_remount_ro(int dstfd)
{
	static const struct {
		unsigned long st, ms;
	} locked[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC }, { ST_NOATIME, MS_NOATIME },
		{ ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
	};
	char path[64];
	struct statvfs sv;
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
	size_t i;

	if (fstatvfs(dstfd, &sv) < 0)
		return -errno;
	for (i = 0; i < ELEMENTSOF(locked); i++)
		if (sv.f_flag & locked[i].st)
			flags |= locked[i].ms;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dstfd);
	return mount(NULL, path, NULL, flags, NULL) < 0 ? -errno : 0;
}

/**
 * sandbox_bind_apply() - make one bind mount in the rootfs
 * @b: the bind
 *
 * Runs in the child, cwd the rootfs, before pivot_root.
 * Return: 0 or -errno.
 */
int sandbox_bind_apply(const struct sandbox_bind *b)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	_cleanup_close_ int root = -1, dst = -1, tree = -1, top = -1;
	struct stat st;
	bool setattr_done = false;

	tree = (int)syscall(SYS_open_tree, AT_FDCWD, b->src,
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0 || fstat(tree, &st) < 0)
		return -errno;
	if (b->ro && !bind_test_no_setattr()) {
		if (syscall(SYS_mount_setattr, tree, "",
			    AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) == 0)
			setattr_done = true;
		else if (errno != ENOSYS)
			return -errno;
	}
	if (b->ro && !setattr_done) {
		/*
		 * A remount makes only one mount read-only: clone SRC's own
		 * mount alone, so nothing beneath it is shown writable.
		 */
		closep(&tree);
		tree = (int)syscall(SYS_open_tree, AT_FDCWD, b->src,
				    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		/*
		 * EINVAL: SRC has mounts beneath it that this user namespace
		 * may not uncover; only mount_setattr (5.12) can make them
		 * read-only, so refuse rather than leave them writable.
		 */
		if (tree < 0)
			return errno == EINVAL ? -EOPNOTSUPP : -errno;
	}
	root = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	dst = bind_make_target(root, b->dst, S_ISDIR(st.st_mode));
	if (dst < 0)
		return dst;
	if (syscall(SYS_move_mount, tree, "", dst, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	if (!b->ro || setattr_done)
		return 0;
	top = bind_openat(root, b->dst[1] ? b->dst + 1 : ".", 0); /* now the new mount's root */
	return top < 0 ? top : bind_remount_ro(top);
}
