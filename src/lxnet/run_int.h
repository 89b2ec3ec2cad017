/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * run_int.h - `lxnet run`'s context, shared by run.c (options, checks,
 * the sandbox's first process, the loop) and run_companion.c (lxnetfs
 * and lxnet-proxy: started, handed the sandbox's fds, answered for,
 * restarted, stopped).
 */
#ifndef LXNET_RUN_INT_H
#define LXNET_RUN_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

#include "netpolicy.h"
#include "run_named.h"
#include "sandbox.h"
#include "userns.h"
#include "view.h"

/* Bounds: the proxy's answer to a listener, stopping a companion. */
#define RUN_PROXY_ACK_TIMEOUT_MS 10000
#define RUN_COMPANION_STOP_MS 2000
/* A companion that keeps ending is not restarted past this, per minute. */
#define RUN_RESTARTS_PER_MIN 5

/*
 * struct run_companion - a helper daemon lxnet started
 * @name: for messages
 * @pid: its pid, 0 when none or reaped
 * @pidfd: pidfd, -1 when none
 * @sock: our end of its fd 3 socketpair, -1 when closed
 * @pending: an fd from the child was passed on and the companion's
 *           FDPASS_ACK has not come yet
 * @deadline: CLOCK_MONOTONIC microseconds by which that ACK is due
 * @served: the companion acknowledged its fd
 * @resuming: it was started again after the one before ended, and was
 *	handed what that one served (nobody waits for its answer but us)
 * @end_code: CLD_* of its end when it ended before serving, else 0
 * @end_status: exit status or signal number with @end_code
 */
struct run_companion {
	const char *name;
	pid_t pid;
	int pidfd;
	int sock;
	bool pending;
	int64_t deadline;
	bool served;
	bool resuming;
	int end_code;
	int end_status;
};

/*
 * struct run_ctx - everything `lxnet run` owns
 * @policy: view options (passed on to lxnetfs)
 * @netpolicy: the connection policy (passed on to lxnet-proxy)
 * @filter_flags: TRAP_FILTER_* of the sandbox's filter
 * @root: --root
 * @pid_ns: --pid
 * @no_generate: --no-generate lists
 * @uidmap: --uidmap values; @gidmap: --gidmap values
 * @ids: the sandbox's id maps and who writes them
 * @verbose: --verbose
 * @name: --name; @named its registration (src/run_named.c), or NULL
 * @netlink: --netlink (auto, emulated), or NULL: lxnet-proxy's default
 * @early: signals read before the child was cloned, sent to it once it
 *	is (run_read_early_signals()); @n_early: how many
 * @bind_specs: --bind values; @binds, @n_binds: parsed
 * @cmd: CMD and its arguments
 * @generate: enum sandbox_gen bits left after --no-generate
 * @staging: host directory the child's staging tmpfs goes on (no --root)
 * @staging_lock: open on @staging, flock()ed while we live
 * @fs_path: the lxnetfs to start; @proxy_path: the lxnet-proxy
 * @child: the sandbox's first process; @child_pidfd its pidfd
 * @ctl: parent's end of the control socket, -1 once the child closed it
 * @sfd: signalfd of run_forwarded
 * @fs: lxnetfs
 * @proxy: lxnet-proxy
 * @failed: a companion failed after the child went on: the sandbox was
 *          killed and lxnet exits SANDBOX_EXIT_FAILURE
 * @signalled: lxnet was sent a signal that ends a process by default
 *          (a terminal's ^C, a kill): CMD's status stands without the
 *          proxy's answer (run_await_answer())
 * @listener: our copies of the listener and the sandbox's network
 *	namespace the child sent, for a restarted proxy; -1 before
 * @journal: the proxy's in-flight record (seccomp_notif.c), a memfd
 * @fuse: our copy of the mounted /dev/fuse fd, for a restarted lxnetfs;
 *	-1 before, or when lxnetfs serves that very fd (FDPASS_ACK_SHARED)
 * @fs_state: lxnetfs's state file (fs/state.c), a memfd
 * @restarted: CLOCK_MONOTONIC microseconds of the last
 *	RUN_RESTARTS_PER_MIN restarts, a ring (0: none)
 * @n_restarts: restarts so far (the ring's next slot, modulo its size)
 */
struct run_ctx {
	struct view_policy policy;
	struct netpolicy netpolicy;
	unsigned int filter_flags;
	char *root;
	gboolean pid_ns;
	char **no_generate;
	char **uidmap;
	char **gidmap;
	struct userns_plan ids;
	gboolean verbose;
	char *name;
	char *netlink;
	int early[8];
	size_t n_early;
	struct run_named *named;
	char **bind_specs;
	struct sandbox_bind *binds;
	size_t n_binds;
	char **cmd;
	unsigned int generate;
	char *staging;
	int staging_lock;
	char *fs_path;
	char *proxy_path;
	pid_t child;
	int child_pidfd;
	int ctl;
	int sfd;
	struct run_companion fs;
	struct run_companion proxy;
	bool failed;
	bool signalled;
	int listener[2];
	int journal;
	int fuse;
	int fs_state;
	int64_t restarted[RUN_RESTARTS_PER_MIN];
	unsigned int n_restarts;
};

/* run_companion.c */
int run_memfd(const char *name, size_t size);
int run_start_fs(struct run_ctx *c);
int run_start_proxy(struct run_ctx *c);
int run_serve_ctl(struct run_ctx *c);
void run_companion_answer(struct run_ctx *c, struct run_companion *comp);
bool run_reap_companion(struct run_ctx *c, struct run_companion *comp,
			bool expected);
void run_restart(struct run_ctx *c, struct run_companion *comp);
void run_stop_companions(struct run_ctx *c);
void run_too_late(struct run_ctx *c, struct run_companion *comp);
int64_t run_deadline(const struct run_ctx *c);

#endif
