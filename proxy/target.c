// SPDX-License-Identifier: LGPL-2.1-or-later
/* target.c - a trapped caller's memory, reached only through its own mm (/proc/PID/mem) */
/*
 * A seccomp notification names its caller by pid. A pid can be reused the
 * moment the caller dies, so reading or writing "pid N" after a check of
 * SECCOMP_IOCTL_NOTIF_ID_VALID can reach an unrelated process. An open
 * /proc/PID/mem holds the mm it was opened on: checking NOTIF_ID_VALID
 * after the open proves the fd belongs to the notifying process, and every
 * later pread/pwrite on it reaches that process's memory or nothing (a
 * dead mm reads and writes 0 bytes, reported -ENOENT).
 *
 * /proc/PID/mem writes with FOLL_FORCE (they reach read-only private
 * pages too, where the kernel's own copy_to_user() faults): target_write()
 * therefore checks that the range is mapped writable, asking the kernel
 * for the one mapping that holds an address with the PROCMAP_QUERY ioctl
 * of /proc/PID/maps (Linux 6.11; an open maps fd holds the mm as the mem
 * fd does), and remembering the last writable range found, so the
 * several fields of one struct msghdr cost one query. Where the ioctl is
 * missing, /proc/PID/maps is read once per target at its first write and
 * parsed (one trapped call: a mapping the caller changes during its own
 * call is its own race).
 *
 * target_attach() opens both files relative to a /proc/PID directory fd
 * (a cached one: a directory fd of a task that is gone opens nothing, and
 * one of a reused pid number names the old, gone task) WITHOUT the proof:
 * its caller checks NOTIF_ID_VALID afterwards, once for everything it
 * opened, which proves all of it the caller's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proxy_int.h"
#include "util.h"

/* User addresses end well below 2^63 (pread takes a signed offset). */
#define TARGET_ADDR_LIMIT (UINT64_C(1) << 62)

/* PROCMAP_QUERY (linux/fs.h, Linux 6.11), absent from older headers. */
struct target_procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
#define TARGET_PROCMAP_QUERY _IOWR('f', 17, struct target_procmap_query)
#define TARGET_VMA_READABLE 0x01
#define TARGET_VMA_WRITABLE 0x02

/*
 * target_test_no_query() - the test switch that forces the /proc/PID/maps
 * text path kernels before 6.11 take (LXNET_PROXY_TEST_NO_PROCMAP_QUERY=1),
 * so that path stays tested on kernels that have PROCMAP_QUERY.
 */
static bool target_test_no_query(void)
{
	const char *e = getenv("LXNET_PROXY_TEST_NO_PROCMAP_QUERY");

	return e && strcmp(e, "1") == 0;
}

/**
 * target_open() - open the notifying caller's memory, proven to be its own
 * @listener: the seccomp listener the notification came from
 * @id: the notification's id
 * @pid: the notification's pid
 * @ret_t: the target (target_close() it)
 *
 * Return: 0; -ENOENT when the caller is gone (the notification is dead:
 * do not answer), or -errno of the open.
 */
int target_open(int listener, uint64_t id, pid_t pid, struct target *ret_t)
{
	char path[64];
	int fd, mapsfd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -errno;
	/* maps too, before the proof: it must be the caller's as well */
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	mapsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (notif_id_valid(listener, id) < 0) {
		close(fd);
		if (mapsfd >= 0)
			close(mapsfd);
		return -ENOENT;
	}
	*ret_t = (struct target){ .memfd = fd, .pid = pid, .mapsfd = mapsfd,
				  .has_mapsfd = mapsfd >= 0,
				  .no_query = target_test_no_query() };
	return 0;
}

/**
 * target_attach() - open a caller's memory (and maps) without the proof
 * @procdir: its /proc/PID directory (O_PATH or O_DIRECTORY fd)
 * @pid: its pid
 * @want_maps: also open its maps now (for a call that reads or writes the
 *	caller's memory: then both are checked)
 * @ret_t: the target (target_close() it, also on failure)
 *
 * The caller MUST check SECCOMP_IOCTL_NOTIF_ID_VALID after this and before
 * using @ret_t: a valid id proves both fds the notifying caller's.
 * Return: 0, -ENOENT when the task is gone, or -errno.
 */
int target_attach(int procdir, pid_t pid, bool want_maps, struct target *ret_t)
{
	int fd;

	*ret_t = (struct target){ .memfd = -1, .pid = pid,
				  .no_query = target_test_no_query() };
	fd = openat(procdir, "mem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -errno;
	ret_t->memfd = fd;
	if (!want_maps)
		return 0;
	fd = openat(procdir, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -errno;
	ret_t->mapsfd = fd;
	ret_t->has_mapsfd = true;
	return 0;
}

/* target_close() - close @t's fd (a closed target, memfd -1, is fine). */
void target_close(struct target *t)
{
	if (t->memfd >= 0)
		close(t->memfd);
	t->memfd = -1;
	if (t->has_mapsfd)
		close(t->mapsfd);
	t->has_mapsfd = false;
	g_free(t->maps);
	t->maps = NULL;
}

static bool target_range_ok(uint64_t addr, size_t len)
{
	return addr < TARGET_ADDR_LIMIT && len < TARGET_ADDR_LIMIT &&
	       addr + len <= TARGET_ADDR_LIMIT;
}

/* pread/pwrite @len bytes at @addr, whole or -EFAULT; -ENOENT: mm gone. */
static int target_rw(const struct target *t, uint64_t addr, void *buf,
		     size_t len, bool write)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write
			? pwrite(t->memfd, (char *)buf + done, len - done,
				 (off_t)(addr + done))
			: pread(t->memfd, (char *)buf + done, len - done,
				(off_t)(addr + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -EFAULT;
		if (n == 0)
			return done == 0 ? -ENOENT : -EFAULT;
		done += (size_t)n;
	}
	return 0;
}

/* Parse one hex number of a maps line; @p is advanced past it. */
static uint64_t target_hex(const char **p)
{
	uint64_t v = 0;

	for (;; (*p)++) {
		char c = **p;

		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

/**
 * target_fuse_dev() - whether device @major:@minor is a FUSE mount of the
 * target's
 * @t: the target
 * @major, @minor: a mapping's device (anonymous devices only: major 0)
 *
 * A write into a page of a FUSE file waits, uninterruptibly once the
 * server has read the request, for that server's answer; the server may
 * be the sandbox's own and never answer. Such a wait cannot be ended even
 * by SIGKILL, so it would keep the proxy from exiting. The target's
 * mountinfo says which anonymous devices are FUSE's, without asking any
 * filesystem. Read by pid, after the proof: a pid reused since would only
 * make this answer wrong, never the write reach another process.
 *
 * Return: true for a FUSE mount, also when mountinfo cannot be read.
 */
static bool target_fuse_dev(const struct target *t, uint32_t major,
			    uint32_t minor)
{
	g_autofree char *info = NULL;
	char path[64], want[32];
	const char *p;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)t->pid);
	if (util_read_file_bounded(path, 4u << 20, &info, &len, NULL) < 0)
		return true;
	snprintf(want, sizeof(want), " %u:%u ", major, minor);
	for (p = info; p && *p;) {
		const char *nl = strchr(p, '\n'), *dev = strstr(p, want);
		const char *sep;

		if (dev && (!nl || dev < nl)) {
			sep = strstr(dev, " - ");
			return sep && (!nl || sep < nl) &&
			       strncmp(sep + 3, "fuse", 4) == 0;
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

/* The text path's device check: " rw-p OFFSET MAJ:MIN INODE ..." at @p. */
static bool target_maps_fuse(const struct target *t, const char *p)
{
	unsigned int maj, min;
	unsigned long long off, ino;
	char perms[8];

	if (sscanf(p, " %7s %llx %x:%x %llu", perms, &off, &maj, &min, &ino) != 5)
		return false;
	return ino != 0 && maj == 0 && target_fuse_dev(t, maj, min);
}

/**
 * target_maps_text() - the readable or writable mapping holding @addr,
 * from the text of /proc/PID/maps (read once per target; kernels without
 * PROCMAP_QUERY)
 * @t: the target
 * @addr: the address
 * @write: writable wanted, else readable
 * @ret_lo, @ret_hi: the mapping
 *
 * Return: 0, -EFAULT when @addr is not mapped so (or is a FUSE file's), or
 * -errno.
 */
static int target_maps_text(struct target *t, uint64_t addr, bool write,
			    uint64_t *ret_lo, uint64_t *ret_hi)
{
	char path[64];
	size_t mlen;
	const char *p;

	if (!t->maps && t->has_mapsfd) {
		/* the maps fd opened before the proof: never the pid again */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", t->mapsfd);
		if (util_read_file_bounded(path, 16u << 20, &t->maps, &mlen,
					   NULL) < 0) {
			t->maps = NULL;
			return -EFAULT;
		}
	}
	for (p = t->maps; p && *p;) {
		uint64_t lo, hi;

		lo = target_hex(&p);
		if (*p == '-') {
			p++;
			hi = target_hex(&p);
			if (*p == ' ' && p[1] && p[2] && addr >= lo && addr < hi) {
				if (p[write ? 2 : 1] != (write ? 'w' : 'r') ||
				    target_maps_fuse(t, p))
					return -EFAULT;
				*ret_lo = lo;
				*ret_hi = hi;
				return 0;
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -EFAULT;
}

/**
 * target_vma() - the readable or writable mapping holding @addr, unless it
 * maps a file of a FUSE mount of the target's (target_fuse_dev())
 * @t: the target; its maps fd must have been opened with the memory fd,
 *	before NOTIF_ID_VALID (target_open(), target_attach() with
 *	@want_maps): opened later, by pid, it could be another process's
 *	(the caller's thread may be gone and its tid reused while the mm the
 *	memory fd holds lives on)
 * @addr: the address
 * @write: writable wanted, else readable
 * @ret_lo, @ret_hi: the mapping
 *
 * Return: 0, or -EFAULT when @addr is not mapped so (or unknown).
 */
static int target_vma(struct target *t, uint64_t addr, bool write,
		      uint64_t *ret_lo, uint64_t *ret_hi)
{
	struct target_procmap_query q = { .size = sizeof(q), .query_addr = addr };

	if (!t->has_mapsfd)
		return -EFAULT; /* no maps opened before the proof: never by pid now */
	if (!t->no_query) {
		if (ioctl(t->mapsfd, TARGET_PROCMAP_QUERY, &q) == 0) {
			if (!(q.vma_flags & (write ? TARGET_VMA_WRITABLE :
						      TARGET_VMA_READABLE)) ||
			    addr < q.vma_start || addr >= q.vma_end)
				return -EFAULT;
			if (q.inode && q.dev_major == 0 &&
			    target_fuse_dev(t, 0, q.dev_minor))
				return -EFAULT;
			*ret_lo = q.vma_start;
			*ret_hi = q.vma_end;
			return 0;
		}
		if (errno != ENOTTY && errno != EINVAL)
			return -EFAULT;
		t->no_query = true;
	}
	return target_maps_text(t, addr, write, ret_lo, ret_hi);
}

/**
 * target_mapped() - whether [@addr, @addr + @len) is mapped readable or
 * writable in the target, in no FUSE file of its
 * @t: the target
 * @addr: start
 * @len: bytes (> 0)
 * @write: writable wanted, else readable
 *
 * The last mapping found either way is remembered, so the several fields
 * of one struct msghdr cost one query.
 *
 * Return: true when every byte lies in such a mapping.
 */
static bool target_mapped(struct target *t, uint64_t addr, size_t len,
			  bool write)
{
	uint64_t want = addr, end = addr + len;
	uint64_t *c_lo = write ? &t->w_lo : &t->r_lo;
	uint64_t *c_hi = write ? &t->w_hi : &t->r_hi;
	unsigned int n;

	/* Each step covers a whole mapping; a range spans few of them. */
	for (n = 0; want < end && n < 65536; n++) {
		uint64_t lo, hi;

		if (want >= *c_lo && want < *c_hi) {
			want = *c_hi;
			continue;
		}
		if (target_vma(t, want, write, &lo, &hi) < 0)
			return false;
		*c_lo = lo;
		*c_hi = hi;
		want = hi;
	}
	return want >= end;
}

/**
 * target_read() - copy @len bytes at @addr in the target into @buf
 * @t: the target
 * @addr: the target's address
 * @buf: destination
 * @len: bytes
 *
 * Only from readable mappings in no FUSE file of the target's, checked
 * as for writes (target_fuse_dev()): a read that faults in a page of the
 * sandbox's own never-answering FUSE file would wait for it as
 * uninterruptibly, and the sandbox's other processes with it (its server
 * taken by our READ, a FLUSH at their exit waits too). Without a maps fd
 * (target_attach() without it) the read is not checked.
 *
 * Return: 0, -EFAULT (not all mapped readable, or a FUSE file's) or
 * -ENOENT (mm gone).
 */
int target_read(struct target *t, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (!target_range_ok(addr, len) ||
	    (t->has_mapsfd && !target_mapped(t, addr, len, false)))
		return -EFAULT;
	return target_rw(t, addr, buf, len, false);
}

/**
 * target_check_read() - whether a caller's range may be read with
 * process_vm_readv() (target_read()'s check, for readers without a target)
 * @pid: the caller's pid
 * @addr: start
 * @len: bytes
 *
 * Its maps are opened by pid, unproven: a pid reused since makes only the
 * answer wrong, and what is then read is the other process's, which the
 * caller's proof (NOTIF_ID_VALID afterwards) throws away.
 *
 * Return: 0, -EFAULT (not readable, or a FUSE file's), or -ENOENT (gone).
 */
int target_check_read(pid_t pid, uint64_t addr, size_t len)
{
	struct target t = { .memfd = -1, .pid = pid,
			    .no_query = target_test_no_query() };
	char path[64];
	bool ok;

	if (len == 0)
		return 0;
	if (!target_range_ok(addr, len))
		return -EFAULT;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	t.mapsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (t.mapsfd < 0)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -EFAULT;
	t.has_mapsfd = true;
	ok = target_mapped(&t, addr, len, false);
	target_close(&t);
	return ok ? 0 : -EFAULT;
}

/**
 * target_read_vm() - copy @len bytes at @addr of a trapped caller
 * @pid: the caller
 * @addr: where, in its memory
 * @buf: our buffer
 * @len: bytes
 *
 * Cheaper than opening its /proc/PID/mem (process_vm_readv()); what was
 * read is the caller's once its notification is proven still pending
 * (then the pid was not reused). Never from a FUSE file of the caller's
 * (target_check_read()).
 *
 * Return: 0, -ENOENT when the caller is gone, -EFAULT, or
 * target_check_read()'s -errno.
 */
int target_read_vm(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t n;
	int r = target_check_read(pid, addr, len);

	if (r < 0 || len == 0)
		return r;
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return errno == ESRCH ? -ENOENT : -EFAULT;
	return (size_t)n == len ? 0 : -EFAULT;
}

/**
 * target_write() - copy @len bytes of @buf to @addr in the target
 * @t: the target
 * @addr: the target's address
 * @buf: data
 * @len: bytes
 *
 * Return: 0, -EFAULT (not all mapped writable) or -ENOENT (mm gone).
 */
int target_write(struct target *t, uint64_t addr, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (!target_range_ok(addr, len) || !target_mapped(t, addr, len, true))
		return -EFAULT;
	return target_rw(t, addr, (void *)buf, len, true);
}

/**
 * target_write_unless() - target_write(), or only its checks when the
 * target already holds these bytes
 * @t: the target
 * @addr: the target's address
 * @buf: data
 * @len: bytes
 * @same: the caller read these very bytes there during this call: the
 *	write would change nothing, so only writability is checked (EFAULT
 *	as the kernel's put_user() would give); a thread of the caller
 *	writing there meanwhile sees its own write last, an order the
 *	kernel allows too
 *
 * Return: 0, -EFAULT or -ENOENT.
 */
int target_write_unless(struct target *t, uint64_t addr, const void *buf,
			size_t len, bool same)
{
	if (!same || len == 0)
		return target_write(t, addr, buf, len);
	if (!target_range_ok(addr, len) || !target_mapped(t, addr, len, true))
		return -EFAULT;
	return 0;
}

/**
 * target_write_iov() - scatter @len bytes into the target's iovecs
 * @t: the target
 * @iov: its iovecs (target addresses)
 * @n_iov: how many
 * @buf: data
 * @len: bytes, at most the iovecs' total
 *
 * Return: 0, -EFAULT or -ENOENT. Bytes before a fault stay written, as
 * with the kernel's copy_to_iter().
 */
int target_write_iov(struct target *t, const struct iovec *iov, size_t n_iov,
		     const void *buf, size_t len)
{
	size_t i, off = 0;

	for (i = 0; i < n_iov && off < len; i++) {
		size_t k = MIN(len - off, iov[i].iov_len);
		int r = target_write(t, (uint64_t)(uintptr_t)iov[i].iov_base,
				     (const char *)buf + off, k);

		if (r < 0)
			return r;
		off += k;
	}
	return off == len ? 0 : -EFAULT;
}
