// SPDX-License-Identifier: LGPL-2.1-or-later
/* fuse-stall.c - a FUSE file whose READ is never answered (a hostile sandbox's tool) */
/*
 * fuse-stall MOUNTPOINT: serves one file, /f, 65536 bytes, in the
 * foreground, single-threaded; its first READ blocks the server for good,
 * so whoever faults on a mapping of /f waits until the server dies. Used
 * to check that such a wait stalls only the sandbox that made it.
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int stall_getattr(const char *path, struct stat *st,
			 struct fuse_file_info *fi)
{
	(void)fi;
	memset(st, 0, sizeof(*st));
	if (strcmp(path, "/") == 0) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (strcmp(path, "/f") != 0)
		return -ENOENT;
	st->st_mode = S_IFREG | 0666;
	st->st_nlink = 1;
	st->st_size = 65536;
	return 0;
}

static int stall_open(const char *path, struct fuse_file_info *fi)
{
	(void)fi;
	return strcmp(path, "/f") == 0 ? 0 : -ENOENT;
}

static int stall_read(const char *path, char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	(void)path;
	(void)buf;
	(void)size;
	(void)off;
	(void)fi;
	for (;;)
		pause();
	return 0;
}

static const struct fuse_operations stall_ops = {
	.getattr = stall_getattr,
	.open = stall_open,
	.read = stall_read,
};

int main(int argc, char **argv)
{
	char *args[] = { argv[0], "-f", "-s", argc > 1 ? argv[1] : NULL, NULL };

	if (argc != 2)
		return 2;
	return fuse_main(4, args, &stall_ops, NULL);
}
