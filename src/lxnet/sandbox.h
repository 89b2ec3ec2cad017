/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sandbox.h - the sandbox side of `lxnet run`: what the forked child does in
 * its new user, mount, net, uts (and optionally pid) namespaces before it
 * execs the command, and the parent-side helpers that must match it (id
 * clone flags, rootfs checks; the id maps are src/userns.c).
 *
 * Control protocol over the SOCK_SEQPACKET pair (struct fdpass_msg):
 *   parent -> child  SANDBOX_MSG_GO            uid/gid maps are written
 *   child  -> parent FDPASS_FUSE_DEVICE [fd]   /dev/fuse, already mounted
 *   parent -> child  FDPASS_ACK (status)       lxnetfs serves it (or -errno)
 *   child  -> parent FDPASS_SECCOMP_LISTENER [fd, netns]   not answered: the child
 *                    execs CMD at once; the parent passes the listener to
 *                    lxnet-proxy and, should the proxy refuse it or end
 *                    first, reports that and kills the sandbox (status 125)
 * The child's end is O_CLOEXEC: end of stream after the listener means CMD
 * was executed (or the child died; its exit status tells which). The child
 * reports its own set-up and exec errors on stderr.
 */
#ifndef LXNET_SANDBOX_H
#define LXNET_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Exit statuses, as podman and docker use them. */
#define SANDBOX_EXIT_FAILURE 125 /* lxnet itself failed */
#define SANDBOX_EXIT_NOEXEC 126  /* CMD found but not executable */
#define SANDBOX_EXIT_NOTFOUND 127 /* CMD not found */

/* Control messages of our own; fdpass kinds stay below 100. */
enum sandbox_msg_kind {
	SANDBOX_MSG_GO = 100,
};

/* Files the view may generate; --no-generate clears bits. */
enum sandbox_gen {
	SANDBOX_GEN_RESOLV = 1u << 0,
	SANDBOX_GEN_HOSTS = 1u << 1,
	SANDBOX_GEN_HOSTNAME = 1u << 2,
	SANDBOX_GEN_PROCNET = 1u << 3,
	SANDBOX_GEN_SYSNET = 1u << 4,
	SANDBOX_GEN_ALL = (1u << 5) - 1,
};

/*
 * struct sandbox_bind - one --bind SRC:DST[:ro] (src/sandbox_bind.c)
 * @src: absolute host path, as given (made absolute against the cwd)
 * @dst: absolute path inside the rootfs
 * @ro: read-only (recursively)
 */
struct sandbox_bind {
	char *src;
	char *dst;
	bool ro;
};

/*
 * struct sandbox_config - what the child sets up
 * @root: rootfs to pivot into, or NULL to keep the host's filesystem
 * @staging: without @root, an empty host directory the child mounts its
 *           private staging tmpfs on (the view lives below it)
 * @hostname: UTS hostname to set, or NULL to keep the host's
 * @generate: enum sandbox_gen bits: which files are bound over
 * @pid_ns: a new pid namespace; the child is its init and forks CMD
 * @filter_flags: TRAP_FILTER_* the filter is built with (trapped.h)
 * @share_net: keep the parent's network namespace and install no filter
 *	(lxnet runs inside a sandbox whose proxy serves this namespace: the
 *	kernel allows one seccomp listener per process; see run.c)
 * @argv: CMD and its arguments, NULL-terminated
 * @binds: --bind mounts made in the rootfs before pivot_root (@root only)
 * @n_binds: their number
 * @ctl_fd: the child's end of the control socket (O_CLOEXEC)
 */
struct sandbox_config {
	const char *root;
	const char *staging;
	const char *hostname;
	unsigned int generate;
	bool pid_ns;
	bool share_net;
	unsigned int filter_flags;
	char **argv;
	const struct sandbox_bind *binds;
	size_t n_binds;
	int ctl_fd;
};

/* The staging directory inside the sandbox when a rootfs is used. */
#define SANDBOX_ROOT_STAGING "/run/lxnet"

unsigned long sandbox_clone_flags(const struct sandbox_config *c);
int sandbox_check_root(const char *root);
int sandbox_parse_no_generate(const char *list, unsigned int *generate);
int sandbox_bind_parse(const char *spec, struct sandbox_bind *ret);
int sandbox_bind_check(const struct sandbox_bind *b);
int sandbox_bind_apply(const struct sandbox_bind *b);
void sandbox_bind_clear(struct sandbox_bind *b);
void sandbox_child_main(const struct sandbox_config *c)
	__attribute__((noreturn));

#endif
