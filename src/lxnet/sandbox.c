// SPDX-License-Identifier: LGPL-2.1-or-later
/* sandbox.c - namespace set-up in the forked child of `lxnet run` */
/*
 * Theory of operation
 *
 * The parent clones us into new user, mount, net and uts (and optionally
 * pid) namespaces and writes our uid/gid maps (src/userns.c). Meanwhile,
 * with every capability of the new namespace but no mapped id yet, we do
 * what needs none:
 *
 *  1. all mounts become private, the hostname is set, lo comes up,
 *     /dev/fuse is opened;
 *
 * then wait for its GO (the maps are written) and go on as root of our own
 * user namespace (a --uidmap may map the caller's own id elsewhere or not
 * at all: we switch to 0 first):
 *
 *  2. with --root, the rootfs is bound onto itself and given /proc, a
 *     minimal /dev, a read-only /sys, a fresh /run and the --bind mounts
 *     (src/sandbox_bind.c), then pivot_root;
 *  3. a private staging tmpfs is mounted (the host directory the parent made,
 *     or /run/lxnet in a rootfs); /dev/fuse is mounted there as a
 *     `fuse.lxnetfs` filesystem: a FUSE mount inside our own user namespace
 *     needs no setuid helper. The /dev/fuse fd goes to the parent, which
 *     starts lxnetfs on it in the host's network namespace;
 *  4. the view's etc/resolv.conf, etc/hosts and etc/hostname are bound over
 *     /etc. /proc/net is a symlink to self/net, whose files live in a
 *     per-pid directory, so a bind mount there would be seen by one pid
 *     only. Instead a directory is built in the staging tmpfs (the view's
 *     proc/net files bound onto placeholders, every other entry a symlink
 *     to /proc/self/net/NAME) and a symlink to it is mounted over the
 *     /proc/net symlink itself (open_tree(OPEN_TREE_CLONE|
 *     AT_SYMLINK_NOFOLLOW) + move_mount): one mount every process sees.
 *     The view's sys/class/net directory is bound over /sys/class/net, of
 *     the host's sysfs (which lists the host's interfaces, hidden ones
 *     too) or of the rootfs's fresh one (which lists only our lo);
 *  5. the seccomp filter is installed and its listener goes to the parent,
 *     which hands it to lxnet-proxy. We do not wait for an answer: a
 *     trapped call made before the proxy serves the listener just waits in
 *     the kernel's notification queue (the listener stays open while it is
 *     in flight on the sockets), and should the proxy refuse it the parent
 *     reports that and kills the sandbox (exit status 125);
 *  6. CMD is executed; with a pid namespace we stay as its init, forward
 *     signals and reap orphans, and exit with CMD's status.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <unistd.h>

#include "fdpass.h"
#include "log.h"
#include "sandbox.h"
#include "seccomp_filter.h"
#include "util.h"

/* How long the child waits for the parent's answers. */
#define SANDBOX_CTL_TIMEOUT_MS 15000

/**
 * sandbox_clone_flags() - namespaces the child is cloned into
 * @c: configuration
 *
 * Return: CLONE_NEW* flags.
 */
unsigned long sandbox_clone_flags(const struct sandbox_config *c)
{
	unsigned long f = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS;

	if (!c->share_net)
		f |= CLONE_NEWNET;
	if (c->pid_ns)
		f |= CLONE_NEWPID;
	return f;
}

/**
 * sandbox_check_root() - does @root look like a root filesystem?
 * @root: directory given with --root
 *
 * /bin/sh is resolved inside @root (absolute symlinks included), so a
 * busybox or merged-/usr tree passes.
 * Return: 0, -ENOTDIR when @root is not a directory, -ENOENT when it has no
 * /bin/sh, -EACCES when /bin/sh is not an executable file, or -errno.
 */
int sandbox_check_root(const char *root)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT,
	};
	_cleanup_close_ int dfd = -1, sh = -1;
	struct stat st;

	dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	sh = syscall(SYS_openat2, dfd, "bin/sh", &how, sizeof(how));
	if (sh < 0)
		return errno == ENOSYS ? 0 : -errno;
	if (fstat(sh, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return -EACCES;
	return 0;
}

/**
 * sandbox_parse_no_generate() - apply one --no-generate list
 * @list: comma-separated names: resolv.conf, hosts, hostname, proc-net,
 *        sys-class-net (or the file's path: /etc/hosts, /sys/class/net)
 * @generate: enum sandbox_gen bits; named files are cleared
 *
 * Return: 0, or -EINVAL for an unknown name (@generate then unchanged).
 */
int sandbox_parse_no_generate(const char *list, unsigned int *generate)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} names[] = {
		{ "resolv.conf", SANDBOX_GEN_RESOLV },
		{ "/etc/resolv.conf", SANDBOX_GEN_RESOLV },
		{ "hosts", SANDBOX_GEN_HOSTS },
		{ "/etc/hosts", SANDBOX_GEN_HOSTS },
		{ "hostname", SANDBOX_GEN_HOSTNAME },
		{ "/etc/hostname", SANDBOX_GEN_HOSTNAME },
		{ "proc-net", SANDBOX_GEN_PROCNET },
		{ "/proc/net", SANDBOX_GEN_PROCNET },
		{ "sys-class-net", SANDBOX_GEN_SYSNET },
		{ "/sys/class/net", SANDBOX_GEN_SYSNET },
	};
	g_auto(GStrv) v = g_strsplit(list, ",", -1);
	unsigned int g = *generate;
	char **s;
	size_t i;

	for (s = v; *s; s++) {
		for (i = 0; i < ELEMENTSOF(names); i++)
			if (strcmp(*s, names[i].name) == 0)
				break;
		if (i == ELEMENTSOF(names))
			return -EINVAL;
		g &= ~names[i].bit;
	}
	*generate = g;
	return 0;
}

/* ---- everything below runs in the forked child ---- */

static int sbx_mount(const char *src, const char *dst, const char *type,
		     unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) < 0) {
		int r = -errno;

		log_debug("mount %s on %s (%s): %s", src ? src : "-", dst,
			  type ? type : "bind", strerror(-r));
		return r;
	}
	return 0;
}

static int sbx_fail(const char *what, int r)
{
	log_err("sandbox set-up: %s: %s", what, strerror(-r));
	return r;
}

/* Wait for one message of @kind from the parent, bounded. */
static int sbx_ctl_wait(int ctl, uint32_t kind, int32_t *ret_status)
{
	struct pollfd p = { .fd = ctl, .events = POLLIN };
	struct fdpass_msg m;
	int fds[FDPASS_MAX_FDS];
	size_t n_fds = 0, i;
	int r;

	r = poll(&p, 1, SANDBOX_CTL_TIMEOUT_MS);
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0)
		return -errno;
	r = fdpass_recv(ctl, &m, fds, ELEMENTSOF(fds), &n_fds);
	if (r < 0)
		return r;
	for (i = 0; i < n_fds; i++)
		close(fds[i]);
	if (m.kind != kind)
		return -EBADMSG;
	if (ret_status)
		*ret_status = m.status;
	return 0;
}

/* Send @fd as @kind and wait for the parent's ACK. */
static int sbx_ctl_hand_over(int ctl, uint32_t kind, int fd)
{
	struct fdpass_msg m = { .kind = kind, .pid = getpid() };
	int32_t status = 0;
	int r;

	r = fdpass_send(ctl, &m, &fd, 1);
	if (r < 0)
		return r;
	r = sbx_ctl_wait(ctl, FDPASS_ACK, &status);
	if (r < 0)
		return r;
	return status;
}

static int sbx_lo_up(void)
{
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };

	if (s < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return -errno;
	return 0;
}

/**
 * sbx_open_fuse() - open /dev/fuse, explaining the usual failures
 *
 * Must run inside the new user namespace: the kernel refuses a FUSE mount
 * whose device was opened in another one.
 * Return: the fd or -errno (already reported).
 */
static int sbx_open_fuse(void)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	fd = -errno;
	if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO)
		log_err("/dev/fuse is missing: load the fuse module (modprobe fuse) or install the fuse3 package");
	else if (fd == -EACCES || fd == -EPERM)
		log_err("cannot open /dev/fuse: permission denied; make it accessible (chmod 0666 /dev/fuse, as the fuse3 package's udev rule does, or setfacl -m u:$USER:rw /dev/fuse)");
	else
		log_err("cannot open /dev/fuse: %s", strerror(-fd));
	return fd;
}

static int sbx_touch(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int sbx_mkdir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Bind host device @name into the rootfs's new /dev (cwd is the rootfs). */
static int sbx_bind_dev(const char *name)
{
	char src[64], dst[64];
	int r;

	snprintf(src, sizeof(src), "/dev/%s", name);
	snprintf(dst, sizeof(dst), "dev/%s", name);
	if (access(src, F_OK) < 0)
		return 0;
	r = sbx_touch(dst, 0666);
	if (r < 0)
		return r;
	return sbx_mount(src, dst, NULL, MS_BIND, NULL);
}

/**
 * sbx_root_dev() - a minimal /dev in the rootfs (cwd is the rootfs)
 *
 * Return: 0 or -errno.
 */
static int sbx_root_dev(void)
{
	static const char *const nodes[] = {
		"null", "zero", "full", "random", "urandom", "tty",
	};
	static const char *const links[][2] = {
		{ "/proc/self/fd", "dev/fd" },
		{ "/proc/self/fd/0", "dev/stdin" },
		{ "/proc/self/fd/1", "dev/stdout" },
		{ "/proc/self/fd/2", "dev/stderr" },
		{ "pts/ptmx", "dev/ptmx" },
	};
	size_t i;
	int r;

	r = sbx_mkdir("dev", 0755);
	if (r < 0)
		return r;
	r = sbx_mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
		      "mode=0755,size=64k");
	if (r < 0)
		return r;
	for (i = 0; i < ELEMENTSOF(nodes); i++) {
		r = sbx_bind_dev(nodes[i]);
		if (r < 0)
			return r;
	}
	for (i = 0; i < ELEMENTSOF(links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			return -errno;
	r = sbx_mkdir("dev/pts", 0755);
	if (r == 0)
		r = sbx_mount("/dev/pts", "dev/pts", NULL, MS_BIND | MS_REC, NULL);
	if (r < 0)
		return r;
	r = sbx_mkdir("dev/shm", 01777);
	if (r == 0)
		r = sbx_mount("tmpfs", "dev/shm", "tmpfs",
			      MS_NOSUID | MS_NODEV, "mode=1777");
	return r;
}

/* The --bind mounts, in order (cwd is the rootfs). */
static int sbx_binds(const struct sandbox_config *c)
{
	size_t i;
	int r;

	for (i = 0; i < c->n_binds; i++) {
		r = sandbox_bind_apply(&c->binds[i]);
		if (r < 0) {
			g_autofree char *what = g_strdup_printf("--bind %s:%s%s",
				c->binds[i].src, c->binds[i].dst,
				r == -EOPNOTSUPP ? ":ro (mounts beneath it can be "
				"made read-only only with mount_setattr, Linux 5.12)" : "");

			return sbx_fail(what, r);
		}
	}
	return 0;
}

/**
 * sbx_enter_root() - make @root the sandbox's / (pivot_root)
 * @c: configuration (@c->root set)
 *
 * Return: 0 or -errno (already reported).
 */
static int sbx_enter_root(const struct sandbox_config *c)
{
	const unsigned long ro = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY;
	int r;

	r = sbx_mount(c->root, c->root, NULL, MS_BIND | MS_REC, NULL);
	if (r < 0)
		return sbx_fail("bind the rootfs", r);
	if (chdir(c->root) < 0)
		return sbx_fail("enter the rootfs", -errno);
	r = sbx_mkdir("proc", 0555);
	if (r == 0)
		r = c->pid_ns ? sbx_mount("proc", "proc", "proc",
					  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)
			      : sbx_mount("/proc", "proc", NULL,
					  MS_BIND | MS_REC, NULL);
	if (r < 0)
		return sbx_fail("mount /proc in the rootfs", r);
	r = sbx_root_dev();
	if (r < 0)
		return sbx_fail("populate /dev in the rootfs", r);
	r = sbx_mkdir("sys", 0555);
	if (r == 0 && sbx_mount("sysfs", "sys", "sysfs", ro, NULL) < 0) {
		/* Not allowed everywhere: fall back to the host's, read-only. */
		r = sbx_mount("/sys", "sys", NULL, MS_BIND | MS_REC, NULL);
		if (r == 0)
			(void)sbx_mount(NULL, "sys", NULL,
					MS_BIND | MS_REMOUNT | ro, NULL);
	}
	if (r < 0)
		return sbx_fail("mount /sys in the rootfs", r);
	r = sbx_mkdir("run", 0755);
	if (r == 0)
		r = sbx_mount("tmpfs", "run", "tmpfs", MS_NOSUID | MS_NODEV,
			      "mode=0755");
	if (r == 0)
		r = sbx_mkdir("run/lxnet", 0755);
	if (r < 0)
		return sbx_fail("mount /run in the rootfs", r);
	r = sbx_binds(c);
	if (r < 0)
		return r;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return sbx_fail("pivot_root", -errno);
	if (umount2(".", MNT_DETACH) < 0)
		return sbx_fail("detach the old root", -errno);
	if (chdir("/") < 0)
		return sbx_fail("chdir /", -errno);
	return 0;
}

/**
 * sbx_mount_on_link() - mount @src over the symlink @dst itself
 * @src: what to mount (a file, or with @src_nofollow a symlink)
 * @dst: a symlink; it is not followed
 * @src_nofollow: take @src itself when it is a symlink
 *
 * mount(2) follows a symlink target; open_tree(OPEN_TREE_CLONE) +
 * move_mount() without MOVE_MOUNT_T_SYMLINKS mounts on the link itself
 * (both must be non-directories).
 * Return: 0 or -errno.
 */
static int sbx_mount_on_link(const char *src, const char *dst,
			     bool src_nofollow)
{
	_cleanup_close_ int tree = -1;

	tree = syscall(SYS_open_tree, AT_FDCWD, src,
		       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
		       (src_nofollow ? AT_SYMLINK_NOFOLLOW : 0));
	if (tree < 0)
		return -errno;
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, dst,
		    MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/**
 * sbx_bind_etc() - bind one view file over its /etc path
 * @fsroot: the FUSE mount
 * @name: file name under etc/
 * @create: create a missing target (a rootfs we may write to)
 *
 * A dangling symlink (say to a resolver stub that does not run) is covered
 * itself. A missing target on the host cannot be created (the host's /etc
 * is not ours): the file is then left out, with a warning.
 * Return: 0 or -errno.
 */
static int sbx_bind_etc(const char *fsroot, const char *name, bool create)
{
	g_autofree char *src = g_strdup_printf("%s/etc/%s", fsroot, name);
	g_autofree char *dst = g_strdup_printf("/etc/%s", name);
	struct stat st;

	if (stat(dst, &st) < 0 && lstat(dst, &st) == 0 && S_ISLNK(st.st_mode))
		return sbx_mount_on_link(src, dst, false);
	if (stat(dst, &st) < 0) {
		if (!create || sbx_touch(dst, 0644) < 0) {
			log_warn("%s does not exist here; not presenting the view's", dst);
			return 0;
		}
	}
	return sbx_mount(src, dst, NULL, MS_BIND, NULL);
}

/**
 * sbx_procnet() - present the view's proc/net files at /proc/net
 * @staging: the staging tmpfs
 * @fsroot: the FUSE mount
 *
 * See "Theory of operation": a directory of bound view files plus
 * symlinks to /proc/self/net for the rest, and a symlink to it mounted over
 * the /proc/net symlink.
 * Return: 0 or -errno.
 */
static int sbx_procnet(const char *staging, const char *fsroot)
{
	g_autofree char *net = g_strdup_printf("%s/net", staging);
	g_autofree char *lnk = g_strdup_printf("%s/net.link", staging);
	g_autofree char *viewdir = g_strdup_printf("%s/proc/net", fsroot);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
							   g_str_equal,
							   g_free, NULL);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (sbx_mkdir(net, 0755) < 0)
		return -errno;
	d = opendir(viewdir);
	if (!d)
		return -errno;
	while (r == 0 && (de = readdir(d))) {
		g_autofree char *src = NULL, *dst = NULL;

		if (de->d_name[0] == '.')
			continue;
		src = g_strdup_printf("%s/%s", viewdir, de->d_name);
		dst = g_strdup_printf("%s/%s", net, de->d_name);
		r = sbx_touch(dst, 0444);
		if (r == 0)
			r = sbx_mount(src, dst, NULL, MS_BIND, NULL);
		g_hash_table_add(seen, g_strdup(de->d_name));
	}
	closedir(d);
	if (r < 0)
		return r;
	d = opendir("/proc/self/net");
	if (!d)
		return -errno;
	while (r == 0 && (de = readdir(d))) {
		g_autofree char *src = NULL, *dst = NULL;

		if (de->d_name[0] == '.' ||
		    g_hash_table_contains(seen, de->d_name))
			continue;
		src = g_strdup_printf("/proc/self/net/%s", de->d_name);
		dst = g_strdup_printf("%s/%s", net, de->d_name);
		if (symlink(src, dst) < 0)
			r = -errno;
	}
	closedir(d);
	if (r < 0)
		return r;
	if (symlink(net, lnk) < 0)
		return -errno;
	return sbx_mount_on_link(lnk, "/proc/net", true);
}

/**
 * sbx_sysnet() - bind the view's sys/class/net over /sys/class/net
 * @fsroot: the FUSE mount
 *
 * The rest of /sys stays as it is. Without a /sys/class/net (no sysfs
 * mounted on the host's /sys) there is nothing to cover: a warning.
 * Return: 0 or -errno.
 */
static int sbx_sysnet(const char *fsroot)
{
	g_autofree char *src = g_strdup_printf("%s/sys/class/net", fsroot);
	struct stat st;

	if (stat("/sys/class/net", &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_warn("/sys/class/net does not exist here; not presenting the view's");
		return 0;
	}
	return sbx_mount(src, "/sys/class/net", NULL, MS_BIND, NULL);
}

/**
 * sbx_mount_view() - mount the FUSE view and bind its files into place
 * @c: configuration
 * @staging: directory the staging tmpfs goes on
 * @fuse_fd: open /dev/fuse (consumed)
 *
 * Return: 0 or -errno (already reported).
 */
static int sbx_mount_view(const struct sandbox_config *c, const char *staging,
			  int fuse_fd)
{
	_cleanup_close_ int fd = fuse_fd;
	g_autofree char *fsroot = g_strdup_printf("%s/fs", staging);
	g_autofree char *opts = NULL;
	static const struct {
		const char *name;
		unsigned int bit;
	} etc[] = {
		{ "resolv.conf", SANDBOX_GEN_RESOLV },
		{ "hosts", SANDBOX_GEN_HOSTS },
		{ "hostname", SANDBOX_GEN_HOSTNAME },
	};
	size_t i;
	int r;

	r = sbx_mount("tmpfs", staging, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		      "mode=0755,size=1m");
	if (r == 0)
		r = sbx_mkdir(fsroot, 0755);
	if (r < 0)
		return sbx_fail("mount the staging tmpfs", r);
	/* Not MS_RDONLY: etc/hosts and etc/resolv.conf take the sandbox's
	 * writes (lxnetfs(8)); the other files refuse them with EROFS. */
	opts = g_strdup_printf("fd=%d,rootmode=40000,user_id=0,group_id=0,"
			       "allow_other,default_permissions", fd);
	r = sbx_mount("lxnetfs", fsroot, "fuse.lxnetfs",
		      MS_NOSUID | MS_NODEV | MS_NOEXEC, opts);
	if (r < 0)
		return sbx_fail("mount the FUSE view", r);
	r = sbx_ctl_hand_over(c->ctl_fd, FDPASS_FUSE_DEVICE, fd);
	if (r < 0)
		return r == -EBADMSG || r == -ECONNRESET || r == -ETIMEDOUT
		       ? sbx_fail("hand /dev/fuse to lxnetfs", r) : r;
	closep(&fd);
	fd = -1;
	for (i = 0; i < ELEMENTSOF(etc); i++) {
		if (!(c->generate & etc[i].bit))
			continue;
		r = sbx_bind_etc(fsroot, etc[i].name, c->root != NULL);
		if (r < 0) {
			g_autofree char *what = g_strdup_printf("bind /etc/%s",
								etc[i].name);
			return sbx_fail(what, r);
		}
	}
	if (c->generate & SANDBOX_GEN_PROCNET) {
		r = sbx_procnet(staging, fsroot);
		if (r < 0)
			return sbx_fail("present /proc/net", r);
	}
	if (c->generate & SANDBOX_GEN_SYSNET) {
		r = sbx_sysnet(fsroot);
		if (r < 0)
			return sbx_fail("present /sys/class/net", r);
	}
	return 0;
}

static int sbx_seccomp(const struct sandbox_config *c)
{
	_cleanup_close_ int lfd = -1;
	_cleanup_close_ int netns = -1;
	const struct fdpass_msg m = { .kind = FDPASS_SECCOMP_LISTENER,
				      .pid = getpid() };
	int r, sent = 0;

	/* the proxy serves callers in this namespace only (fdpass.h) */
	netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return sbx_fail("open /proc/self/ns/net", -errno);
	/* No answer to wait for: see "Theory of operation", step 5. */
	r = seccomp_filter_install_send(c->filter_flags, c->ctl_fd, &m, netns,
					&lfd, &sent);
	if (r == -ENOSYS || r == -EINVAL || r == -EOPNOTSUPP) {
		log_err("seccomp user notification is not supported by this kernel (needs Linux >= 5.0 with CONFIG_SECCOMP_FILTER): %s",
			strerror(-r));
		return r;
	}
	if (r < 0)
		return sbx_fail("install the seccomp filter", r);
	if (sent < 0)
		return sbx_fail("hand the seccomp listener to lxnet-proxy", sent);
	return 0;
}

static void sbx_unblock_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* exec CMD; on failure report it and exit 126/127. */
static void sbx_exec(char **argv) __attribute__((noreturn));
static void sbx_exec(char **argv)
{
	int e;

	sbx_unblock_signals();
	execvp(argv[0], argv);
	e = errno;
	if (e == ENOENT) {
		log_err("%s: command not found", argv[0]);
		_exit(SANDBOX_EXIT_NOTFOUND);
	}
	log_err("%s: cannot execute: %s", argv[0], strerror(e));
	_exit(SANDBOX_EXIT_NOEXEC);
}

/**
 * sbx_init() - be init of the pid namespace: run CMD, forward, reap
 * @c: configuration
 *
 * Signals (blocked since the parent cloned us) are read from a signalfd and
 * forwarded to CMD unless the kernel sent them (a terminal's ^C reaches
 * CMD's process group directly); those that came before CMD existed are
 * all forwarded. Orphans are reaped. When CMD ends, so
 * does the namespace: the kernel kills every remaining process.
 */
static void sbx_init(const struct sandbox_config *c) __attribute__((noreturn));
static void sbx_init(const struct sandbox_config *c)
{
	sigset_t set;
	_cleanup_close_ int sfd = -1;
	int early[_NSIG];
	size_t n_early, i;
	pid_t cmd;

	sigprocmask(SIG_SETMASK, NULL, &set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		sbx_fail("signalfd", -errno);
		_exit(SANDBOX_EXIT_FAILURE);
	}
	/*
	 * What came before CMD exists (a ^C during the set-up, which the
	 * terminal sent to us alone; or lxnet's forwarding) is CMD's: a
	 * fork()ed child starts with nothing pending, so it is read now and
	 * sent on once CMD is there.
	 */
	n_early = 0;
	while (n_early < ELEMENTSOF(early) &&
	       poll(&(struct pollfd){ .fd = sfd, .events = POLLIN }, 1, 0) == 1) {
		struct signalfd_siginfo si;

		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			break;
		if (si.ssi_signo != SIGCHLD)
			early[n_early++] = (int)si.ssi_signo;
	}
	cmd = fork();
	if (cmd < 0) {
		sbx_fail("fork", -errno);
		_exit(SANDBOX_EXIT_FAILURE);
	}
	if (cmd == 0)
		sbx_exec(c->argv);
	for (i = 0; i < n_early; i++)
		kill(cmd, early[i]);
	close(c->ctl_fd);
	for (;;) {
		struct signalfd_siginfo si;
		int status;
		pid_t p;

		if (read(sfd, &si, sizeof(si)) != sizeof(si)) {
			if (errno == EINTR)
				continue;
			_exit(SANDBOX_EXIT_FAILURE);
		}
		if (si.ssi_signo != SIGCHLD) {
			if (si.ssi_code != SI_KERNEL)
				kill(cmd, si.ssi_signo);
			continue;
		}
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (p != cmd)
				continue;
			if (WIFSIGNALED(status))
				_exit(128 + WTERMSIG(status));
			_exit(WEXITSTATUS(status));
		}
	}
}

/**
 * sbx_become_root() - be uid and gid 0 of the namespace
 *
 * With the usual maps we are already (the caller's ids are 0 inside). A
 * --uidmap that maps 0 to another id leaves us unmapped until we switch;
 * a change of credentials clears the parent-death signal, so it is set
 * again.
 * Return: 0 or -errno (reported).
 */
static int sbx_become_root(void)
{
	if (getuid() == 0 && getgid() == 0)
		return 0;
	if (setresgid(0, 0, 0) < 0)
		return sbx_fail("become gid 0 inside", -errno);
	if (setresuid(0, 0, 0) < 0)
		return sbx_fail("become uid 0 inside", -errno);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return sbx_fail("PR_SET_PDEATHSIG", -errno);
	return 0;
}

/**
 * sandbox_child_main() - the child's whole life: set up, then exec CMD
 * @c: configuration
 *
 * Runs in the child cloned with sandbox_clone_flags(), with the parent's
 * forwarded signals blocked. Never returns: execs CMD or exits 125.
 */
void sandbox_child_main(const struct sandbox_config *c)
{
	const char *staging = c->root ? SANDBOX_ROOT_STAGING : c->staging;
	int fuse_fd, r;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(SANDBOX_EXIT_FAILURE);
	/*
	 * With --pid we become init, which the kernel spares a ^Z (SIGTSTP
	 * at its default action): one typed during the set-up stopped lxnet
	 * but reached no process of ours, and CMD, forked after, ran on in
	 * a job the shell showed as stopped (3 of 12 pty runs). Blocked, it
	 * waits for sbx_init(), which hands it to CMD.
	 */
	if (c->pid_ns) {
		sigset_t tstp;

		sigemptyset(&tstp);
		sigaddset(&tstp, SIGTSTP);
		sigprocmask(SIG_BLOCK, &tstp, NULL);
	}
	/* Needs no mapped id: done while newuidmap/newgidmap run. */
	r = sbx_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (r < 0)
		goto fail_r;
	if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0) {
		sbx_fail("sethostname", -errno);
		goto fail;
	}
	r = c->share_net ? 0 : sbx_lo_up();
	if (r < 0) {
		sbx_fail("bring lo up", r);
		goto fail;
	}
	fuse_fd = sbx_open_fuse();
	if (fuse_fd < 0)
		goto fail;
	/* End of stream here means the parent is gone or gave up. */
	if (sbx_ctl_wait(c->ctl_fd, SANDBOX_MSG_GO, NULL) < 0)
		_exit(SANDBOX_EXIT_FAILURE);
	if (sbx_become_root() < 0) {
		close(fuse_fd);
		goto fail;
	}
	if (c->root) {
		if (sbx_enter_root(c) < 0) {
			close(fuse_fd);
			goto fail;
		}
	} else if (c->pid_ns) {
		r = sbx_mount("proc", "/proc", "proc",
			      MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
		if (r < 0) {
			close(fuse_fd);
			sbx_fail("mount /proc for the pid namespace", r);
			goto fail;
		}
	}
	if (sbx_mount_view(c, staging, fuse_fd) < 0)
		goto fail;
	if (!c->share_net && sbx_seccomp(c) < 0)
		goto fail;
	if (c->pid_ns)
		sbx_init(c);
	sbx_exec(c->argv);
fail_r:
	sbx_fail("make mounts private", r);
fail:
	_exit(SANDBOX_EXIT_FAILURE);
}
