// SPDX-License-Identifier: LGPL-2.1-or-later
/* state.c - lxnetfs's state file: what an lxnetfs started again after a crash takes over */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "fdpass.h"
#include "fs_int.h"
#include "log.h"
#include "util.h"

/*
 * Theory of operation: `lxnet run` keeps a copy of the sandbox's mounted
 * /dev/fuse fd and this file (a sealed memfd, fdpass.h), and starts lxnetfs
 * again when it dies while the sandbox runs (run.c). What the new one needs
 * and cannot ask the kernel for is here:
 *
 * - the kernel's FUSE_INIT request, as received. libfuse answers every
 *   request of a connection whose INIT it has not seen with EIO, so the
 *   new lxnetfs passes this one to its session first (lxfs_state_resume());
 *   its answer names a request the kernel no longer has and is dropped
 *   (ENOENT, which libfuse does not report). libfuse then agrees with the
 *   kernel on the protocol version and flags, since both came from the
 *   same INIT and our init callback decides the same way.
 * - a generation, counting the lxnetfs processes that served the device:
 *   file handles carry it (ops.c), so a handle the kernel opened with an
 *   earlier one is told from ours and read from the current version.
 * - the sandbox's writes into etc/hosts and etc/resolv.conf (write.c),
 *   saved after each change into the one of two buffers not in use, then
 *   published by one store: a crash in the middle leaves the last
 *   complete one.
 *
 * Requests the dead lxnetfs had read but not answered are not lost in the
 * kernel: each lxnetfs serves from its own clone of the device
 * (FUSE_DEV_IOC_CLONE, lxfs_state_clone()), and the kernel ends the
 * requests a clone holds when its last holder goes: the caller's call
 * fails ECONNABORTED. Requests not yet read wait for the next lxnetfs.
 */

#define LXFS_STATE_MAGIC 0x7366786cu /* "lxfs" */
#define LXFS_STATE_INIT_MAX 512

struct lxfs_state_buf {
	uint32_t taken;
	uint32_t len;
	uint8_t data[LXFS_LOCAL_MAX];
};

/*
 * struct lxfs_state_file - the layout of the state file
 * @magic: LXFS_STATE_MAGIC once an lxnetfs set it up
 * @generation: lxnetfs processes that served the device so far
 * @init_len: bytes of @init, 0 until the INIT was seen
 * @init: the kernel's FUSE_INIT request (header and body)
 * @local: etc/hosts, etc/resolv.conf: @active names the buffer of @buf
 *	that holds the bytes written inside and whether the file is taken
 */
struct lxfs_state_file {
	uint32_t magic;
	uint32_t generation;
	uint32_t init_len;
	uint32_t reserved;
	uint8_t init[LXFS_STATE_INIT_MAX];
	struct {
		uint32_t active;
		uint32_t reserved;
		struct lxfs_state_buf buf[2];
	} local[2];
};

G_STATIC_ASSERT(sizeof(struct lxfs_state_file) <= FDPASS_FS_STATE_SIZE);

/**
 * lxfs_state_clone() - serve a device fd through a clone of our own
 * @fd: a /dev/fuse fd someone else keeps a copy of; replaced by the clone
 *	(and closed) on success
 *
 * Return: 0, or -errno (the caller then serves @fd itself).
 */
int lxfs_state_clone(int *fd)
{
	uint32_t old = (uint32_t)*fd;
	int c = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (c < 0)
		return -errno;
	if (ioctl(c, FUSE_DEV_IOC_CLONE, &old) < 0) {
		int r = -errno;

		close(c);
		return r;
	}
	close(*fd);
	*fd = c;
	return 0;
}

/*
 * A saved INIT as the kernel sends it: one whole FUSE_INIT request, with
 * at least the major and minor version (libfuse reads the rest of struct
 * fuse_init_in only as the minor version says it is there).
 */
static bool lxfs_state_init_ok(const struct lxfs_state_file *s)
{
	struct fuse_in_header in;

	if (s->init_len < sizeof(in) + 2 * sizeof(uint32_t) ||
	    s->init_len > sizeof(s->init))
		return false;
	memcpy(&in, s->init, sizeof(in));
	return in.len == s->init_len && in.opcode == FUSE_INIT;
}

/**
 * lxfs_state_open() - map the state file lxnet run sent
 * @fs: context; @fs->state is set
 * @memfd: the file (FDPASS_FS_STATE_SIZE, sealed; closed here)
 * @resume: an earlier lxnetfs served the device
 *
 * A new file is set up; a resumed one gives its generation plus one, and
 * the written bytes of the tree's writable files (before any request).
 * A resumed file without an INIT is one whose lxnetfs died before it read
 * the kernel's: still queued, it comes to us.
 *
 * Return: 0, or -errno (-EBADMSG: not a usable state file; a resumed
 * device cannot be served without it).
 */
int lxfs_state_open(struct lxfs *fs, int memfd, bool resume)
{
	_cleanup_close_ int fd = memfd;
	struct lxfs_state_file *s;
	unsigned int i;
	int r = fdpass_check_memfd(fd, sizeof(*s));

	if (r < 0)
		return r;
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (s == MAP_FAILED)
		return -errno;
	if (resume != (s->magic == LXFS_STATE_MAGIC) ||
	    (resume && s->init_len && !lxfs_state_init_ok(s))) {
		munmap(s, sizeof(*s));
		return -EBADMSG;
	}
	s->magic = LXFS_STATE_MAGIC;
	s->generation++;
	fs->state = s;
	fs->generation = s->generation;
	for (i = 0; resume && i < fs->tree.n; i++) {
		struct lxfs_node *n = &fs->tree.nodes[i];
		int k = lxfs_node_writable(n) ?
			(n->file == RENDER_HOSTS ? 0 : 1) : -1;
		const struct lxfs_state_buf *b;

		if (k < 0)
			continue;
		b = &s->local[k].buf[__atomic_load_n(&s->local[k].active,
						     __ATOMIC_ACQUIRE) & 1];
		if (b->len > LXFS_LOCAL_MAX)
			continue;
		n->taken = b->taken != 0;
		if (b->len || n->taken) {
			n->local = g_byte_array_sized_new(b->len);
			g_byte_array_append(n->local, b->data, b->len);
			n->stale = true;
		}
	}
	return 0;
}

/**
 * lxfs_state_save_init() - keep the kernel's FUSE_INIT for a successor
 * @fs: context
 * @buf: a request just read from the device
 */
void lxfs_state_save_init(struct lxfs *fs, const struct fuse_buf *buf)
{
	const struct fuse_in_header *in = buf->mem;

	if (!fs->state || (buf->flags & FUSE_BUF_IS_FD) ||
	    buf->size < sizeof(*in) || in->opcode != FUSE_INIT ||
	    buf->size > sizeof(fs->state->init))
		return;
	memcpy(fs->state->init, buf->mem, buf->size);
	fs->state->init_len = (uint32_t)buf->size;
}

/**
 * lxfs_state_resume() - bring our libfuse session to where the kernel is
 * @fs: context with the session on the device and a resumed state file
 *
 * Also drops the kernel's attributes of the page-cached files, so that
 * what it holds is asked again (inode.c, lxfs_handle_get()).
 *
 * Return: 0, or -EPROTO when libfuse did not take the INIT (our init
 * callback did not run).
 */
int lxfs_state_resume(struct lxfs *fs)
{
	size_t len = fs->state->init_len;
	/* zero beyond what the kernel sent, as libfuse's own buffer is */
	g_autofree uint8_t *copy = g_malloc0(MAX(len, sizeof(struct fuse_in_header) +
						     sizeof(struct fuse_init_in)));
	struct fuse_in_header *in = (struct fuse_in_header *)copy;
	struct fuse_buf b = { .size = len, .mem = copy };
	unsigned int i;

	if (len == 0)
		return 0;
	memcpy(copy, fs->state->init, len);
	/* An id the kernel never hands out (it counts up from 2 by 2). */
	in->unique = UINT64_C(1) << 62;
	fuse_session_process_buf(fs->se, &b);
	if (!fs->inited)
		return -EPROTO;
	for (i = 0; i < fs->tree.n; i++)
		if (lxfs_node_cacheable(&fs->tree.nodes[i]))
			lxfs_session_notify_attr(fs, fs->tree.nodes[i].ino);
	return 0;
}

/**
 * lxfs_state_save_local() - keep a writable file's written bytes
 * @fs: context
 * @n: a writable node whose @local or @taken just changed
 */
void lxfs_state_save_local(struct lxfs *fs, const struct lxfs_node *n)
{
	unsigned int k, next;
	struct lxfs_state_buf *b;
	size_t len = n->local ? n->local->len : 0;

	if (!fs->state || !lxfs_node_writable(n) || len > LXFS_LOCAL_MAX)
		return;
	k = n->file == RENDER_HOSTS ? 0 : 1;
	next = (__atomic_load_n(&fs->state->local[k].active,
				__ATOMIC_RELAXED) & 1) ^ 1;
	b = &fs->state->local[k].buf[next];
	b->taken = n->taken;
	b->len = (uint32_t)len;
	if (len)
		memcpy(b->data, n->local->data, len);
	__atomic_store_n(&fs->state->local[k].active, next, __ATOMIC_RELEASE);
}

/* Unmap the state file (it stays with lxnet run). */
void lxfs_state_close(struct lxfs *fs)
{
	if (fs->state)
		munmap(fs->state, sizeof(*fs->state));
	fs->state = NULL;
}
