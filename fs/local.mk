# SPDX-License-Identifier: LGPL-2.1-or-later
# fs/: lxnetfs, the FUSE view of the host's network files.
bin_PROGRAMS += fs/lxnetfs
fs_lxnetfs_SOURCES = \
	fs/fs_int.h \
	fs/inode.c \
	fs/kcache.c \
	fs/lxnetfs.c \
	fs/ops.c \
	fs/procsock.c \
	fs/render_cache.c \
	fs/session.c \
	fs/state.c \
	fs/sysnet.c \
	fs/write.c
fs_lxnetfs_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(FUSE_CFLAGS) $(NL_CFLAGS)
fs_lxnetfs_LDADD = $(LIBLXNET) $(FUSE_LIBS)
dist_man_MANS += man/lxnetfs.8
