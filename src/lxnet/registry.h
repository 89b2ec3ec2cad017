/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * registry.h - named sandboxes: the per-user directory where `lxnet run
 * --name` registers a running sandbox, and what `lxnet exec` and `lxnet
 * ps` read from it.
 *
 * Layout: REGDIR/NAME/ holds `info` (key=value lines, struct registry_info)
 * and `sock` (AF_UNIX SOCK_SEQPACKET, listened on by that `lxnet run`,
 * which relays seccomp listeners of `lxnet exec` to its lxnet-proxy).
 * REGDIR is RUNDIR/sandboxes, where RUNDIR (shared with lxnet-proxy's
 * default control socket) is $XDG_RUNTIME_DIR/lxnet, else /run/lxnet for
 * root, else /run/user/UID/lxnet when that directory is ours, else
 * $TMPDIR/lxnet-UID; both are directories of ours, mode 0700.
 *
 * Liveness is a lock, not a pid: `lxnet run` holds flock(LOCK_EX) on
 * REGDIR/NAME for its whole life (the sandbox dies with it). An entry
 * whose lock can be taken is stale and is removed by whoever sees it. The
 * info's pid is checked against its start time (/proc/PID/stat field 22)
 * and its namespaces before anyone joins it.
 */
#ifndef LXNET_REGISTRY_H
#define LXNET_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

/* Longest name; names are [A-Za-z0-9][A-Za-z0-9_.-]*. */
#define REGISTRY_NAME_MAX 64
/* Bound on entries read by `lxnet ps`. */
#define REGISTRY_MAX_ENTRIES 4096

/* The namespaces recorded, in the order exec joins them. */
enum registry_ns {
	REGISTRY_NS_USER,
	REGISTRY_NS_MNT,
	REGISTRY_NS_NET,
	REGISTRY_NS_UTS,
	REGISTRY_NS_PID,
	REGISTRY_NS_COUNT,
};

/*
 * struct registry_info - what a running sandbox publishes
 * @name: its name
 * @pid: the sandbox's first process (lxnet run's child), in @pidns
 * @starttime: field 22 of /proc/@pid/stat, against pid reuse
 * @run_pid: the lxnet run that owns it
 * @pidns: inode of the pid namespace @pid and @run_pid are numbered in
 * @ns: inodes of @pid's namespaces (enum registry_ns) when it was made;
 *      @ns[REGISTRY_NS_PID] is 0 without --pid
 * @has_root: made with --root (exec enters "/" of the rootfs)
 * @filter_flags: TRAP_FILTER_* its seccomp filter was built with (an
 *	exec'd process gets the same filter)
 * @started: CLOCK_REALTIME seconds
 * @command: CMD, arguments separated by spaces, non-printables as '?'
 */
struct registry_info {
	char *name;
	pid_t pid;
	uint64_t starttime;
	pid_t run_pid;
	uint64_t pidns;
	uint64_t ns[REGISTRY_NS_COUNT];
	bool has_root;
	unsigned int filter_flags;
	int64_t started;
	char *command;
};

/* An entry claimed by `lxnet run`; removed by registry_entry_free(). */
struct registry_entry;

int registry_name_check(const char *name);
int registry_dir(bool create, char **ret_path);
int registry_claim(const char *name, struct registry_entry **ret_entry);
int registry_publish(struct registry_entry *e, const struct registry_info *info);
int registry_entry_sock(const struct registry_entry *e);
void registry_entry_forget(struct registry_entry *e);
void registry_entry_free(struct registry_entry *e);

int registry_lookup(const char *name, struct registry_info **ret_info,
		    int *ret_sock);
int registry_list(GPtrArray **ret_infos);
void registry_info_free(struct registry_info *info);

int registry_proc_starttime(pid_t pid, uint64_t *ret_starttime);
int registry_ns_inode(pid_t pid, enum registry_ns which, uint64_t *ret_ino);
int registry_fill(struct registry_info *info, const char *name, pid_t pid,
		  bool pid_ns, bool has_root, char **argv);

#endif
