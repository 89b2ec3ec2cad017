// SPDX-License-Identifier: LGPL-2.1-or-later
/* run.c - `lxnet run`: start a sandbox with the host's network view */
/*
 * Theory of operation
 *
 * The parent (this file) parses options, checks what a user typically
 * trips over (user namespaces disabled, /dev/fuse not accessible, a --root
 * without /bin/sh, missing companions) and clones the child
 * (src/sandbox.c) into new namespaces with a pidfd. It writes the child's
 * uid/gid maps (decided before anything is started, src/userns.c: the
 * caller's ids, its subordinate ranges through newuidmap/newgidmap, or all
 * of root's) and sends GO, then serves the control socket.
 *
 * Start-up time. The companions are started first, each with one end of a
 * socketpair as fd 3: `lxnetfs -f -o uid=0,gid=0 [view options] /dev/fd/3`
 * and `lxnet-proxy --fd 3 [view options]`; then the child is cloned and
 * waits for GO, while newuidmap and newgidmap, when the maps need them,
 * write its maps. Exec, library loading and each companion's model build
 * (netlink dumps) then overlap the child's namespace set-up instead of
 * following it: lxnetfs builds its
 * model and then waits on fd 3 for the /dev/fuse fd; the proxy builds its
 * model and serves fd 3. When the child sends its mounted /dev/fuse fd or
 * its seccomp listener, we pass it on to the companion's socket and go back
 * to the loop. lxnetfs's FDPASS_ACK is relayed to the child as its answer,
 * so the child binds the view only once lxnetfs serves it. The listener is
 * not answered: the child execs CMD right after sending it (a trapped call
 * waits in the kernel's queue until the proxy serves it), and if the proxy
 * refuses it or ends before its ACK we report that, kill the sandbox and
 * exit 125. A companion that ends before it answered is reported here and
 * the child gets -EIO, which it does not report again (one line). Both companions run in the host's
 * namespaces, in their own session (a terminal's ^C is not theirs), with
 * PR_SET_PDEATHSIG so a killed lxnet takes them along; the child has
 * PR_SET_PDEATHSIG(SIGKILL). The staging directory is held with flock(2),
 * which the sweep of stale directories respects: a pid that looks gone may
 * be a live lxnet in another pid namespace.
 *
 * Signals that lxnet forwards are blocked and read from a signalfd; one sent
 * by the kernel (a terminal's ^C, ^\, SIGWINCH) already reached CMD, which
 * shares our process group, so only signals sent by a process are
 * forwarded. When the child ends, the companions are told to stop (they
 * would on their own: the FUSE mount and the seccomp filter die with the
 * sandbox), reaped within a bound, and CMD's status is returned: its exit
 * code, or 128 + the signal that killed it.
 *
 * A companion that ends while the sandbox still uses what it served is
 * started again (run_reap_companion(), run_restart()): we keep a copy of
 * each fd we relayed, and two memfds the companions keep their state in
 * (lxnetfs's INIT and the sandbox's writes, fs/state.c; the proxy's
 * in-flight record, src/seccomp_notif.c), and hand them to the new one.
 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fdpass.h"
#include "log.h"
#include "netpolicy.h"
#include "trapped.h"
#include "lxnet_int.h"
#include "run_named.h"
#include "sandbox.h"
#include "seccomp_filter.h"
#include "seccomp_notif.h"
#include "userns.h"
#include "util.h"
#include "view.h"

/* The name usage lines and usage errors give. */
#define RUN_PROG "lxnet run"
/* Bounds: the proxy's answer to a listener, stopping a companion. */
#define RUN_PROXY_ACK_TIMEOUT_MS 10000
#define RUN_COMPANION_STOP_MS 2000
/* A companion that keeps ending is not restarted past this, per minute. */
#define RUN_RESTARTS_PER_MIN 5

static const int run_forwarded[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

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
 * @listener: our copies of the listener and the sandbox's network
 *	namespace the child sent, for a restarted proxy; -1 before
 * @journal: the proxy's in-flight record (seccomp_notif.c), a memfd
 * @fuse: our copy of the mounted /dev/fuse fd, for a restarted lxnetfs;
 *	-1 before, or when lxnetfs serves that very fd (FDPASS_ACK_SHARED)
 * @fs_state: lxnetfs's state file (fs/state.c), a memfd
 * @restarts: companions restarted since @restart_window began
 * @restart_window: CLOCK_MONOTONIC microseconds, start of the minute
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
	int listener[2];
	int journal;
	int fuse;
	int fs_state;
	unsigned int restarts;
	int64_t restart_window;
};

static void run_ctx_init(struct run_ctx *c)
{
	memset(c, 0, sizeof(*c));
	view_policy_init(&c->policy);
	netpolicy_init(&c->netpolicy);
	c->generate = SANDBOX_GEN_ALL;
	c->child_pidfd = c->ctl = c->sfd = c->staging_lock = -1;
	c->listener[0] = c->listener[1] = c->journal = c->fuse = -1;
	c->fs_state = -1;
	c->fs = (struct run_companion){ .name = "lxnetfs", .pidfd = -1,
					.sock = -1 };
	c->proxy = (struct run_companion){ .name = "lxnet-proxy", .pidfd = -1,
					   .sock = -1 };
}

static void run_ctx_clear(struct run_ctx *c)
{
	size_t i;

	run_named_free(c->named);
	g_free(c->name);
	g_strfreev(c->bind_specs);
	for (i = 0; i < c->n_binds; i++)
		sandbox_bind_clear(&c->binds[i]);
	g_free(c->binds);
	view_policy_clear(&c->policy);
	netpolicy_clear(&c->netpolicy);
	g_free(c->root);
	g_strfreev(c->no_generate);
	g_strfreev(c->uidmap);
	g_strfreev(c->gidmap);
	userns_plan_clear(&c->ids);
	g_strfreev(c->cmd);
	g_free(c->fs_path);
	g_free(c->proxy_path);
	if (c->staging) {
		(void)rmdir(c->staging);
		g_free(c->staging);
	}
	closep(&c->staging_lock);
	closep(&c->child_pidfd);
	closep(&c->ctl);
	closep(&c->sfd);
	closep(&c->fs.pidfd);
	closep(&c->proxy.pidfd);
	closep(&c->fs.sock);
	closep(&c->proxy.sock);
	closep(&c->listener[0]);
	closep(&c->listener[1]);
	closep(&c->journal);
	closep(&c->fuse);
	closep(&c->fs_state);
}

/**
 * run_memfd() - a sealed shared memory file for a companion's state
 * @name: for /proc/PID/fd
 * @size: its size, fixed by the seals
 *
 * The companions map it; sealed against resizing, it can never SIGBUS
 * them, and we keep it so that a companion started after one ended finds
 * what that one left.
 * Return: the fd or -errno.
 */
static int run_memfd(const char *name, size_t size)
{
	_cleanup_close_ int fd = memfd_create(name, MFD_CLOEXEC |
						     MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
				   F_SEAL_SEAL) < 0)
		return -errno;
	return steal_fd(&fd);
}

/* Parse the --bind values (they need --root); reported. */
static int run_parse_binds(struct run_ctx *c)
{
	size_t n = c->bind_specs ? g_strv_length(c->bind_specs) : 0, i;

	if (n && !c->root)
		return cli_usage_error(RUN_PROG, "--bind needs --root (without it the sandbox sees the host's filesystem already)");
	c->binds = g_new0(struct sandbox_bind, n ? n : 1);
	for (i = 0; i < n; i++, c->n_binds++) {
		if (sandbox_bind_parse(c->bind_specs[i], &c->binds[i]) < 0)
			return cli_usage_error(RUN_PROG, "invalid --bind '%s' (want SRC:DST[:ro], DST absolute)",
					       c->bind_specs[i]);
	}
	return 0;
}

/**
 * run_parse() - parse `lxnet run` options (table-driven, src/cli.c)
 * @c: context the options land in
 * @argc: argument count (argv[0] is "run")
 * @argv: arguments
 *
 * Return: 0, CLI_DONE when --help was printed, or -EINVAL (reported).
 */
static int run_parse(struct run_ctx *c, int argc, char **argv)
{
	const GOptionEntry entries[] = {
		{ "root", 0, 0, G_OPTION_ARG_FILENAME, &c->root,
		  "Run in this root filesystem (pivot_root; needs DIR/bin/sh)", "DIR" },
		{ "pid", 0, 0, G_OPTION_ARG_NONE, &c->pid_ns,
		  "New pid namespace: every process of the sandbox ends with CMD", NULL },
		{ "no-generate", 0, 0, G_OPTION_ARG_STRING_ARRAY, &c->no_generate,
		  "Keep these files as they are (resolv.conf, hosts, hostname, proc-net)",
		  "FILE,..." },
		{ "name", 0, 0, G_OPTION_ARG_STRING, &c->name,
		  "Register the sandbox under NAME for `lxnet exec` and `lxnet ps`", "NAME" },
		{ "bind", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &c->bind_specs,
		  "Bind-mount host SRC onto DST in the --root (repeatable)", "SRC:DST[:ro]" },
		{ "uidmap", 0, 0, G_OPTION_ARG_STRING_ARRAY, &c->uidmap,
		  "Map uids INSIDE..INSIDE+COUNT-1 to OUTSIDE.. instead of the default (repeatable)",
		  "INSIDE:OUTSIDE:COUNT" },
		{ "gidmap", 0, 0, G_OPTION_ARG_STRING_ARRAY, &c->gidmap,
		  "Map gids likewise (repeatable)", "INSIDE:OUTSIDE:COUNT" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &c->verbose,
		  "Debug messages", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &c->cmd,
		  NULL, NULL },
		{ NULL },
	};
	const struct cli_spec spec = {
		.prog = RUN_PROG,
		.params = "-- CMD [ARG...]",
		.summary =
		"Run CMD in new user, mount, network and uts namespaces that see the\n"
		"host's network: /etc/resolv.conf, /etc/hosts, /etc/hostname and\n"
		"/proc/net/* are served live by lxnetfs, and AF_INET/AF_INET6 sockets\n"
		"are created in the host's network namespace by lxnet-proxy. The caller\n"
		"is root inside; an ordinary user's /etc/subuid and /etc/subgid ranges\n"
		"are uids and gids 1... (through newuidmap/newgidmap), root maps all of\n"
		"its ids. Without --root the host's filesystem is used.",
		.description =
		"Exit status: CMD's, or 128+N when CMD was killed by signal N;\n"
		"125 when lxnet itself fails, 126 when CMD cannot be executed,\n"
		"127 when CMD is not found. See lxnet(1).",
		.entries = entries,
		.view = &c->policy,
		.policy = &c->netpolicy,
		.flags = CLI_STOP_AT_CMD,
	};
	const struct {
		const char *option;
		char ***specs;
	} maps[] = { { "--uidmap", &c->uidmap }, { "--gidmap", &c->gidmap } };
	size_t i;
	char **s;
	int r;

	r = cli_parse(&spec, &argc, &argv);
	if (r != 0)
		return r;
	for (s = c->no_generate; s && *s; s++) {
		if (sandbox_parse_no_generate(*s, &c->generate) < 0)
			return cli_usage_error(RUN_PROG, "invalid --no-generate '%s' (want resolv.conf, hosts, hostname or proc-net)",
					       *s);
	}
	for (i = 0; i < ELEMENTSOF(maps); i++) {
		for (s = *maps[i].specs; s && *s; s++) {
			struct idmap_range x;

			if (idmap_parse_spec(*s, &x) == 0)
				continue;
			return cli_usage_error(RUN_PROG, "invalid %s '%s' (want INSIDE:OUTSIDE:COUNT, decimal, COUNT at least 1)",
					       maps[i].option, *s);
		}
	}
	if (!c->cmd || !c->cmd[0])
		return cli_usage_error(RUN_PROG, "no command given");
	if (run_parse_binds(c) < 0)
		return -EINVAL;
	if (netpolicy_active(&c->netpolicy))
		c->filter_flags = TRAP_FILTER_GOVERN;
	if (c->verbose)
		log_set_level(LOG_LVL_DEBUG);
	return 0;
}

static int run_read_int(const char *path, long *ret)
{
	g_autofree char *s = NULL;

	if (!g_file_get_contents(path, &s, NULL, NULL))
		return -ENOENT;
	*ret = strtol(s, NULL, 10);
	return 0;
}

/**
 * run_explain_userns() - say why a user namespace could not be made
 * @err: errno of clone3
 */
static void run_explain_userns(int err)
{
	long v;

	if (run_read_int("/proc/sys/user/max_user_namespaces", &v) == 0 && v == 0) {
		log_err("user namespaces are disabled (sysctl user.max_user_namespaces = 0)");
		return;
	}
	if (getuid() != 0 &&
	    run_read_int("/proc/sys/kernel/unprivileged_userns_clone", &v) == 0 &&
	    v == 0) {
		log_err("unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone = 0)");
		return;
	}
	if (getuid() != 0 &&
	    run_read_int("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &v) == 0 &&
	    v == 1) {
		log_err("unprivileged user namespaces are restricted by AppArmor (kernel.apparmor_restrict_unprivileged_userns = 1)");
		return;
	}
	if (err == ENOSPC || err == EUSERS)
		log_err("cannot create namespaces: the per-user namespace limit is reached (%s)",
			strerror(err));
	else
		log_err("cannot create the sandbox's namespaces: %s", strerror(err));
}

/**
 * run_plan_ids() - decide the sandbox's uid and gid maps
 * @c: parsed options; @c->ids is filled
 *
 * A bad subordinate id file, a broken newuidmap or a bad --uidmap is an
 * error here, before anything is started. An ordinary user who gets only
 * its own ids is told once how to get more.
 * Return: 0 or -errno (reported).
 */
static int run_plan_ids(struct run_ctx *c)
{
	g_autoptr(GError) err = NULL;
	int r;

	r = userns_plan_make(&c->ids, c->uidmap, c->gidmap, &err);
	if (r < 0) {
		log_err("%s", err->message);
		return r;
	}
	if (c->ids.hint)
		log_warn("%s", c->ids.hint);
	if (log_enabled(LOG_LVL_DEBUG)) {
		g_autofree char *u = idmap_describe(&c->ids.uid);
		g_autofree char *g = idmap_describe(&c->ids.gid);

		log_debug("uid map %s (%s), gid map %s (%s)", u,
			  c->ids.uid_helper ? c->ids.uid_helper : "lxnet", g,
			  c->ids.gid_helper ? c->ids.gid_helper : "lxnet");
	}
	return 0;
}

/**
 * run_precheck() - report the usual obstacles before anything is started
 * @c: parsed options
 *
 * Return: 0 or -errno (reported).
 */
static int run_precheck(struct run_ctx *c)
{
	size_t i;
	long v;
	int r;

	if (run_read_int("/proc/sys/user/max_user_namespaces", &v) == 0 && v == 0) {
		run_explain_userns(EPERM);
		return -EPERM;
	}
	if (access("/dev/fuse", F_OK) < 0) {
		log_err("/dev/fuse is missing: load the fuse module (modprobe fuse) or install the fuse3 package");
		return -ENOENT;
	}
	if (access("/dev/fuse", R_OK | W_OK) < 0) {
		log_err("cannot open /dev/fuse: permission denied; make it accessible (chmod 0666 /dev/fuse, as the fuse3 package's udev rule does, or setfacl -m u:%s:rw /dev/fuse)",
			g_get_user_name());
		return -EACCES;
	}
	c->fs_path = lxnet_find_helper("lxnetfs", "fs", "LXNET_LXNETFS");
	c->proxy_path = lxnet_find_helper("lxnet-proxy", "proxy", "LXNET_PROXY");
	if (!c->fs_path || !c->proxy_path) {
		log_err("%s not found next to lxnet nor in PATH",
			c->fs_path ? "lxnet-proxy" : "lxnetfs");
		return -ENOENT;
	}
	if (access(c->fs_path, X_OK) < 0 || access(c->proxy_path, X_OK) < 0) {
		const char *bad = access(c->fs_path, X_OK) < 0 ? c->fs_path
							      : c->proxy_path;

		log_err("cannot execute %s: %s", bad, strerror(errno));
		return -errno;
	}
	r = run_plan_ids(c);
	if (r < 0)
		return r;
	if (c->root) {
		g_autofree char *canon = g_canonicalize_filename(c->root, NULL);
		g_autofree char *owner = NULL;

		if (strcmp(canon, "/") == 0) {
			log_err("--root /: the host's filesystem is what lxnet run uses without --root");
			return -EINVAL;
		}
		r = sandbox_check_root(c->root);
		if (r == -ENOENT && access(c->root, F_OK) == 0)
			log_err("--root %s: no /bin/sh in it (is it a root filesystem?)", c->root);
		else if (r == -EACCES)
			log_err("--root %s: /bin/sh is not an executable file", c->root);
		else if (r < 0)
			log_err("--root %s: %s", c->root, strerror(-r));
		if (r < 0)
			return r;
		owner = userns_root_owner_problem(&c->ids, c->root);
		if (owner)
			log_warn("%s", owner);
	}
	if (c->netpolicy.log_path && strcmp(c->netpolicy.log_path, "-") != 0) {
		/* lxnet-proxy opens it again, as the same user: say it here */
		int fd = open(c->netpolicy.log_path, O_WRONLY | O_APPEND |
			      O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

		if (fd < 0) {
			r = -errno;
			log_err("--log-connections %s: %s",
				c->netpolicy.log_path, strerror(-r));
			return r;
		}
		close(fd);
	}
	for (i = 0; i < c->n_binds; i++) {
		r = sandbox_bind_check(&c->binds[i]);
		if (r < 0) {
			log_err("--bind %s: %s", c->binds[i].src, strerror(-r));
			return r;
		}
	}
	/* Last: nothing else can fail before the entry is in use. */
	if (c->name)
		return run_named_claim(c->name, &c->named);
	return 0;
}

/**
 * run_spawn() - start a companion in the host's namespaces
 * @comp: which one; @comp->pid, @comp->pidfd and @comp->sock are set on
 *        success
 * @argv: program and arguments
 *
 * The companion gets one end of a new SOCK_SEQPACKET socketpair as fd 3
 * (@comp->sock is the other), its own session (no terminal signals), an
 * empty signal mask and PR_SET_PDEATHSIG(SIGTERM).
 * Return: 0 or -errno.
 */
static int run_spawn(struct run_companion *comp, char **argv)
{
	_cleanup_close_ int ours = -1, theirs = -1;
	pid_t parent = getpid(), pid;
	int sp[2], pidfd;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	ours = sp[0];
	theirs = sp[1];
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(SANDBOX_EXIT_FAILURE);
		(void)setsid();
		/* dup2() clears FD_CLOEXEC on the copy, but is a no-op
		 * when theirs already is 3 */
		if ((theirs == 3 ? fcntl(3, F_SETFD, 0) : dup2(theirs, 3)) < 0)
			_exit(SANDBOX_EXIT_FAILURE);
		execv(argv[0], argv);
		log_err("cannot execute %s: %s", argv[0], strerror(errno));
		_exit(SANDBOX_EXIT_FAILURE);
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		int r = -errno;

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return r;
	}
	comp->pid = pid;
	comp->pidfd = pidfd;
	comp->sock = steal_fd(&ours);
	log_debug("started %s (pid %d)", argv[0], (int)pid);
	return 0;
}

static void run_push_strv(GPtrArray *a, const char *opt, char **v)
{
	for (; v && *v; v++) {
		g_ptr_array_add(a, g_strdup(opt));
		g_ptr_array_add(a, g_strdup(*v));
	}
}

/*
 * The view as lxnet run resolved it (command line and configuration
 * files), for a companion, which then reads no file of its own: lxnetfs
 * renders it, lxnet-proxy answers netlink from it and its policy allows
 * the view's nameservers.
 */
static void run_push_view(GPtrArray *a, const struct view_policy *p)
{
	g_ptr_array_add(a, g_strdup("--no-config"));
	run_push_strv(a, "--hide-if", p->hide_if);
	run_push_strv(a, "--add-host", p->extra_hosts);
	if (p->hostname) {
		g_ptr_array_add(a, g_strdup("--hostname"));
		g_ptr_array_add(a, g_strdup(p->hostname));
	}
	run_push_strv(a, "--dns", p->dns);
	run_push_strv(a, "--dns-search", p->dns_search);
	if (p->dns_upstream)
		g_ptr_array_add(a, g_strdup("--dns-upstream"));
	g_ptr_array_add(a, g_strdup("--resolv-conf"));
	g_ptr_array_add(a, g_strdup(p->resolv_path));
	g_ptr_array_add(a, g_strdup("--hosts-file"));
	g_ptr_array_add(a, g_strdup(p->hosts_path));
	run_push_strv(a, "--upstream-conf", p->upstream_paths);
}

/**
 * run_start_fs() - start lxnetfs, to be handed the child's /dev/fuse later
 * @c: context
 *
 * lxnetfs reads the model, then waits on its fd 3 for the device.
 * Return: 0 or -errno (reported).
 */
static int run_start_fs(struct run_ctx *c)
{
	const char *path = c->fs_path;
	g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);
	int r;

	g_ptr_array_add(a, g_strdup(path));
	g_ptr_array_add(a, g_strdup("-f"));
	g_ptr_array_add(a, g_strdup("-o"));
	g_ptr_array_add(a, g_strdup("uid=0,gid=0"));
	run_push_view(a, &c->policy);
	if (c->verbose)
		g_ptr_array_add(a, g_strdup("-d"));
	/* a socket at fd 3: the device comes over it (see fs/lxnetfs.c) */
	g_ptr_array_add(a, g_strdup("/dev/fd/3"));
	g_ptr_array_add(a, NULL);
	r = run_spawn(&c->fs, (char **)a->pdata);
	if (r < 0)
		log_err("cannot start %s: %s", path, strerror(-r));
	return r;
}

/**
 * run_start_proxy() - start lxnet-proxy, to be handed the listener later
 * @c: context
 *
 * Return: 0 or -errno (reported).
 */
static int run_start_proxy(struct run_ctx *c)
{
	char *path = c->proxy_path;
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) rules = NULL;
	size_t i;
	int r;

	g_ptr_array_add(argv, g_strdup(path));
	g_ptr_array_add(argv, g_strdup("--fd"));
	g_ptr_array_add(argv, g_strdup("3"));
	if (c->verbose)
		g_ptr_array_add(argv, g_strdup("--verbose"));
	/*
	 * The proxy answers SIOCGIF* and NETLINK_ROUTE from the same view,
	 * and its policy allows that view's nameservers (--dns included).
	 */
	run_push_view(argv, &c->policy);
	rules = netpolicy_to_args(&c->netpolicy);
	for (i = 0; rules[i]; i++)
		g_ptr_array_add(argv, g_strdup(rules[i]));
	g_ptr_array_add(argv, NULL);
	r = run_spawn(&c->proxy, (char **)argv->pdata);
	if (r < 0)
		log_err("cannot start %s: %s", path, strerror(-r));
	return r;
}

static int run_ack(int ctl, int status)
{
	struct fdpass_msg m = { .kind = FDPASS_ACK, .status = status };

	return fdpass_send(ctl, &m, NULL, 0);
}

/**
 * run_companion_ended() - report that a companion ended before it served
 * @comp: the companion
 *
 * Its end of stream can come just before it is a zombie: its exit status
 * is waited for (without reaping it) for a moment.
 */
static void run_companion_ended(struct run_companion *comp)
{
	siginfo_t si = { 0 };

	if (comp->end_code == 0 && comp->pidfd >= 0 &&
	    poll(&(struct pollfd){ .fd = comp->pidfd, .events = POLLIN }, 1,
		 100) > 0 &&
	    waitid(P_PIDFD, comp->pidfd, &si,
		   WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0) {
		comp->end_code = si.si_code;
		comp->end_status = si.si_status;
	}
	if (comp->end_code == CLD_EXITED)
		log_err("%s ended during start-up (status %d)", comp->name,
			comp->end_status);
	else if (comp->end_code != 0)
		log_err("%s ended during start-up (signal %d)", comp->name,
			comp->end_status);
	else
		log_err("%s ended during start-up", comp->name);
}

/**
 * run_pass_on() - hand an fd from the child to a companion
 * @c: context
 * @comp: the companion that serves it
 * @kind: FDPASS_FUSE_DEVICE or FDPASS_SECCOMP_LISTENER
 * @status: the message's status (FDPASS_FUSE_RESUME or 0)
 * @fds: the fds (ours; the caller closes them), as fdpass.h says
 * @n_fds: how many
 *
 * The companion's answer arrives later on @comp->sock (run_companion_answer()).
 * Return: 0, or -EIO when the companion is gone or already served (reported).
 */
static int run_pass_on(struct run_ctx *c, struct run_companion *comp,
		       uint32_t kind, int32_t status, const int *fds,
		       size_t n_fds)
{
	struct fdpass_msg m = { .kind = kind, .status = status,
				.pid = c->child };
	int r;

	if (comp->pending || comp->served) {
		log_err("%s was handed an fd already", comp->name);
		return -EIO;
	}
	r = comp->sock < 0 ? -EPIPE : fdpass_send(comp->sock, &m, fds, n_fds);
	if (r < 0) {
		run_companion_ended(comp);
		return -EIO;
	}
	comp->pending = true;
	comp->deadline = g_get_monotonic_time() +
			 (int64_t)RUN_PROXY_ACK_TIMEOUT_MS * 1000;
	return 0;
}

/* A companion failed while CMD may already run: kill the sandbox. */
static void run_fail_sandbox(struct run_ctx *c)
{
	c->failed = true;
	syscall(SYS_pidfd_send_signal, c->child_pidfd, SIGKILL, NULL, 0);
}

/**
 * run_serve_ctl() - handle one message from the child
 * @c: context
 *
 * An fd is passed on to its companion, whose answer is relayed later; a
 * failure to pass it on is answered at once. We keep a copy of each, with
 * the state file its companion gets (run_restart()).
 * Return: 0 to go on, -ECONNRESET when the child closed its end (CMD was
 * executed, or the child died), other -errno on a protocol error.
 */
static int run_serve_ctl(struct run_ctx *c)
{
	struct fdpass_msg m;
	int fds[FDPASS_MAX_FDS];
	size_t n_fds = 0, i;
	int r;

	r = fdpass_recv(c->ctl, &m, fds, ELEMENTSOF(fds), &n_fds);
	if (r < 0)
		return r;
	if (m.kind == FDPASS_FUSE_DEVICE && n_fds == 1 && c->fuse < 0) {
		int out[2] = { fds[0], c->fs_state };

		r = run_pass_on(c, &c->fs, m.kind, 0, out, out[1] >= 0 ? 2 : 1);
		if (r == 0 && c->fs_state >= 0)
			c->fuse = fcntl(fds[0], F_DUPFD_CLOEXEC, 3);
	} else if (m.kind == FDPASS_SECCOMP_LISTENER && n_fds == 2 &&
		   c->listener[0] < 0) {
		int out[3] = { fds[0], fds[1], c->journal };

		r = run_pass_on(c, &c->proxy, m.kind, 0, out, out[2] >= 0 ? 3 : 2);
		if (r == 0 && c->journal >= 0) {
			c->listener[0] = fcntl(fds[0], F_DUPFD_CLOEXEC, 3);
			c->listener[1] = fcntl(fds[1], F_DUPFD_CLOEXEC, 3);
		}
	} else {
		r = -EBADMSG;
	}
	for (i = 0; i < n_fds; i++)
		close(fds[i]);
	if (r == -EBADMSG)
		log_err("unexpected message from the sandbox (kind %u)", m.kind);
	if (r < 0 && m.kind == FDPASS_SECCOMP_LISTENER) {
		/* the child did not wait: it is executing CMD already */
		run_fail_sandbox(c);
		return 0;
	}
	return r < 0 ? run_ack(c->ctl, r) : 0;
}

/**
 * run_companion_answer() - relay a companion's answer to the child
 * @c: context
 * @comp: the companion whose socket is readable
 *
 * lxnetfs's FDPASS_ACK is passed to the child as is; the companion's end of
 * stream (it ended, having said why on stderr) or anything else becomes
 * -EIO, reported here once. The proxy's answer has nobody waiting for it: a
 * refusal kills the sandbox (run_fail_sandbox()), as does a restarted
 * companion's (run_restart()), which nobody else waits for either. Each
 * companion serves one fd: its socket is
 * closed after the answer (lxnetfs closes its end too; the proxy, in --fd
 * mode, then leaves on its own as soon as the last task of the sandbox
 * ended, without waiting for our SIGTERM).
 */
static void run_companion_answer(struct run_ctx *c, struct run_companion *comp)
{
	struct fdpass_msg m;
	int fds[FDPASS_MAX_FDS];
	size_t n_fds = 0, i;
	int r;

	r = fdpass_recv(comp->sock, &m, fds, ELEMENTSOF(fds), &n_fds);
	if (r == -EAGAIN || r == -EINTR)
		return;
	for (i = 0; r == 0 && i < n_fds; i++)
		close(fds[i]);
	if (r == 0 && (m.kind != FDPASS_ACK || n_fds != 0))
		r = -EBADMSG;
	if (r == 0 && !comp->pending) {
		/* not asked by the child: an exec's answer, if named */
		if (comp == &c->proxy)
			run_named_answer(c->named, m.status);
		return;
	}
	if (r == 0) {
		r = m.status;
		if (r < 0)
			log_err("%s could not serve the sandbox: %s", comp->name,
				strerror(-r));
		comp->served = r >= 0;
		/* it serves our very fd: a copy kept would outlive its
		 * requests (fdpass.h) */
		if (comp == &c->fs && r == FDPASS_ACK_SHARED) {
			closep(&c->fuse);
			c->fuse = -1;
		}
		r = MIN(r, 0);
	} else {
		if (comp->pending && !comp->resuming)
			run_companion_ended(comp);
		r = -EIO;
	}
	if (comp->pending && comp->resuming) {
		comp->pending = comp->resuming = false;
		if (r < 0) {
			log_err("%s could not be restarted: the sandbox is "
				"stopped", comp->name);
			run_fail_sandbox(c);
		} else {
			log_debug("%s serves the sandbox again (pid %d)",
				  comp->name, (int)comp->pid);
		}
		/* a named sandbox's proxy relays exec's listeners */
		if (r < 0 || comp != &c->proxy || !c->named) {
			closep(&comp->sock);
			comp->sock = -1;
		}
		return;
	}
	if (comp->pending && comp == &c->proxy && r < 0)
		run_fail_sandbox(c);
	else if (comp->pending && comp == &c->fs && c->ctl >= 0)
		(void)run_ack(c->ctl, r < 0 ? -EIO : 0);
	comp->pending = false;
	if (r == 0 && comp == &c->proxy && c->named) {
		/* set-up is complete: publish; keep the socket for exec */
		run_named_publish(c->named, c->child, c->pid_ns, c->root != NULL,
				  c->filter_flags, c->cmd);
		return;
	}
	if (comp == &c->proxy)
		run_named_answer(c->named, -EIO);
	closep(&comp->sock);
	comp->sock = -1;
}

/* Whether the sandbox still needs what @fd serves (no POLLHUP/POLLERR). */
static bool run_still_used(int fd)
{
	struct pollfd p = { .fd = fd };

	return fd >= 0 && poll(&p, 1, 0) == 0;
}

/**
 * run_reap_companion() - reap a companion that ended
 * @c: context
 * @comp: the companion
 * @expected: the sandbox ended too
 *
 * One that ended before it served is reported when its fd is due. One
 * that ended while the sandbox still uses what it served (the listener
 * has users; the FUSE connection was not torn down by the sandbox's
 * unmount, after which lxnetfs exits 0) is reported in one line and to be
 * restarted.
 *
 * Return: true when @comp is to be restarted (run_restart()).
 */
static bool run_reap_companion(struct run_ctx *c, struct run_companion *comp,
			       bool expected)
{
	siginfo_t si = { 0 };
	bool restart = false;

	if (comp->pidfd < 0)
		return false;
	if (waitid(P_PIDFD, comp->pidfd, &si, WEXITED | WNOHANG) < 0 ||
	    si.si_pid == 0)
		return false;
	if (!comp->served) {
		comp->end_code = si.si_code;
		comp->end_status = si.si_status;
	} else if (!expected) {
		restart = run_still_used(comp == &c->fs ? c->fuse :
						       c->listener[0]);
		if (restart || !(si.si_code == CLD_EXITED && si.si_status == 0))
			log_warn("%s ended while the sandbox runs (%s %d)%s",
				 comp->name,
				 si.si_code == CLD_EXITED ? "status" : "signal",
				 si.si_status, restart ? ": restarting it" : "");
	}
	closep(&comp->pidfd);
	comp->pidfd = -1;
	comp->pid = 0;
	return restart;
}

/**
 * run_restart() - start a companion again and hand it what the last served
 * @c: context
 * @comp: the companion that ended
 *
 * lxnetfs gets our copy of the mounted /dev/fuse fd with
 * FDPASS_FUSE_RESUME and its state file (its INIT, the sandbox's writes);
 * the proxy gets our copies of the listener and the network namespace and
 * its in-flight record. Its answer comes to run_companion_answer(). At
 * most RUN_RESTARTS_PER_MIN restarts a minute, both companions together:
 * past that, or when the start fails, the sandbox is stopped.
 */
static void run_restart(struct run_ctx *c, struct run_companion *comp)
{
	int64_t now = g_get_monotonic_time();
	int fds[3];
	size_t n;
	int r;

	if (now - c->restart_window > (int64_t)60 * 1000000) {
		c->restart_window = now;
		c->restarts = 0;
	}
	if (++c->restarts > RUN_RESTARTS_PER_MIN) {
		log_err("companions ended %u times within a minute: the sandbox is stopped",
			c->restarts);
		run_fail_sandbox(c);
		return;
	}
	comp->served = false;
	comp->end_code = comp->end_status = 0;
	closep(&comp->sock);
	comp->sock = -1;
	if (comp == &c->fs) {
		fds[0] = c->fuse;
		fds[1] = c->fs_state;
		n = 2;
		r = run_start_fs(c);
	} else {
		fds[0] = c->listener[0];
		fds[1] = c->listener[1];
		fds[2] = c->journal;
		n = 3;
		r = run_start_proxy(c);
	}
	if (r == 0)
		r = run_pass_on(c, comp, comp == &c->fs ? FDPASS_FUSE_DEVICE :
					 FDPASS_SECCOMP_LISTENER,
				comp == &c->fs ? FDPASS_FUSE_RESUME : 0, fds, n);
	if (r < 0) {
		log_err("%s could not be restarted: the sandbox is stopped",
			comp->name);
		run_fail_sandbox(c);
		return;
	}
	comp->resuming = true;
}

/**
 * run_stop_companions() - stop both companions within RUN_COMPANION_STOP_MS
 * @c: context
 *
 * Both get SIGTERM at once and are waited for together, so that their
 * exits overlap (closing an inotify fd waits for an SRCU grace period, some
 * milliseconds; the proxy usually left on its own already, when the last
 * task of its sandbox ended), then SIGKILL for one still there.
 */
static void run_stop_companions(struct run_ctx *c)
{
	struct run_companion *comps[] = { &c->fs, &c->proxy };
	int64_t deadline = g_get_monotonic_time() +
			   (int64_t)RUN_COMPANION_STOP_MS * 1000;
	size_t i;

	for (i = 0; i < ELEMENTSOF(comps); i++)
		if (comps[i]->pidfd >= 0)
			syscall(SYS_pidfd_send_signal, comps[i]->pidfd, SIGTERM,
				NULL, 0);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = c->fs.pidfd, .events = POLLIN },
			{ .fd = c->proxy.pidfd, .events = POLLIN },
		};
		int64_t left = (deadline - g_get_monotonic_time()) / 1000;
		bool running = false;

		for (i = 0; i < ELEMENTSOF(p); i++)
			running |= p[i].fd >= 0;
		if (!running || left <= 0 ||
		    poll(p, ELEMENTSOF(p), (int)left) == 0)
			break;
		for (i = 0; i < ELEMENTSOF(comps); i++) {
			siginfo_t si;

			if (!p[i].revents)
				continue;
			(void)waitid(P_PIDFD, comps[i]->pidfd, &si, WEXITED);
			closep(&comps[i]->pidfd);
			comps[i]->pidfd = -1;
			comps[i]->pid = 0;
		}
	}
	for (i = 0; i < ELEMENTSOF(comps); i++) {
		siginfo_t si;

		if (comps[i]->pidfd < 0)
			continue;
		syscall(SYS_pidfd_send_signal, comps[i]->pidfd, SIGKILL, NULL, 0);
		/* After SIGKILL the wait is short; WNOHANG would race it. */
		(void)waitid(P_PIDFD, comps[i]->pidfd, &si, WEXITED);
		closep(&comps[i]->pidfd);
		comps[i]->pidfd = -1;
		comps[i]->pid = 0;
	}
}

/* Forward a signal unless the kernel sent it (it reached CMD already). */
static void run_forward_signal(struct run_ctx *c)
{
	struct signalfd_siginfo si;

	if (read(c->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_code == SI_KERNEL)
		return;
	log_debug("forwarding signal %u", si.ssi_signo);
	syscall(SYS_pidfd_send_signal, c->child_pidfd, si.ssi_signo, NULL, 0);
}

/*
 * A companion's answer is past its deadline: the proxy's for the listener,
 * or a restarted lxnetfs's: fail the run.
 */
static void run_too_late(struct run_ctx *c, struct run_companion *comp)
{
	if (comp == &c->proxy)
		log_err("lxnet-proxy did not take the seccomp listener within %d s",
			RUN_PROXY_ACK_TIMEOUT_MS / 1000);
	else
		log_err("%s did not serve again within %d s", comp->name,
			RUN_PROXY_ACK_TIMEOUT_MS / 1000);
	comp->pending = comp->resuming = false;
	closep(&comp->sock);
	comp->sock = -1;
	run_fail_sandbox(c);
}

/* The earliest deadline of an answer nobody else waits for, or 0. */
static int64_t run_deadline(const struct run_ctx *c)
{
	int64_t d = c->proxy.pending ? c->proxy.deadline : 0;

	if (c->fs.pending && c->fs.resuming && (!d || c->fs.deadline < d))
		d = c->fs.deadline;
	return d;
}

/*
 * run_await_answer() - CMD ended before lxnet-proxy answered for its
 * listener: wait for that answer
 * @c: context
 *
 * CMD does not wait for the answer, lxnet does, so that a proxy that could
 * not serve or died is reported even when CMD ended first. The wait ends
 * with the answer (or the proxy's end), at its deadline (reported; the run
 * fails as it would have with CMD still running) or when lxnet is sent a
 * signal (CMD's status then stands). A working proxy has long answered.
 */
static void run_await_answer(struct run_ctx *c)
{
	while (c->proxy.pending && c->proxy.sock >= 0) {
		struct pollfd p[2] = {
			{ .fd = c->proxy.sock, .events = POLLIN },
			{ .fd = c->sfd, .events = POLLIN },
		};
		int64_t left = c->proxy.deadline - g_get_monotonic_time();
		int r;

		if (left <= 0) {
			run_too_late(c, &c->proxy);
			return;
		}
		r = poll(p, ELEMENTSOF(p), (int)(left / 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || p[1].revents)
			return;
		if (p[0].revents)
			run_companion_answer(c, &c->proxy);
	}
}

/**
 * run_loop() - serve the child until it ends
 * @c: context with the child started
 *
 * Return: the exit status lxnet returns.
 */
static int run_loop(struct run_ctx *c)
{
	for (;;) {
		struct pollfd p[8] = {
			{ .fd = c->child_pidfd, .events = POLLIN },
			{ .fd = c->sfd, .events = POLLIN },
			{ .fd = c->ctl, .events = POLLIN },
			{ .fd = c->fs.sock, .events = POLLIN },
			{ .fd = c->proxy.sock, .events = POLLIN },
			{ .fd = c->fs.pidfd, .events = POLLIN },
			{ .fd = c->proxy.pidfd, .events = POLLIN },
			{ .fd = run_named_fd(c->named), .events = POLLIN },
		};
		int64_t deadline = run_deadline(c);
		int timeout = -1, r;

		if (deadline) {
			int64_t left = deadline - g_get_monotonic_time();

			timeout = left > 0 ? (int)(left / 1000) + 1 : 0;
		}
		if (run_named_timeout(c->named) >= 0 &&
		    (timeout < 0 || run_named_timeout(c->named) < timeout))
			timeout = run_named_timeout(c->named);
		r = poll(p, ELEMENTSOF(p), timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return SANDBOX_EXIT_FAILURE;
		if (r == 0 && c->proxy.pending &&
		    g_get_monotonic_time() >= c->proxy.deadline)
			run_too_late(c, &c->proxy);
		if (r == 0 && c->fs.pending && c->fs.resuming &&
		    g_get_monotonic_time() >= c->fs.deadline)
			run_too_late(c, &c->fs);
		if (p[1].revents)
			run_forward_signal(c);
		if (p[2].revents) {
			r = run_serve_ctl(c);
			if (r < 0) {
				/* Done (CMD runs) or broken: the child's status tells. */
				closep(&c->ctl);
				c->ctl = -1;
			}
		}
		/* Answers before deaths: an answer sent just before the end
		 * still reaches the child. */
		if (p[3].revents)
			run_companion_answer(c, &c->fs);
		if (p[4].revents)
			run_companion_answer(c, &c->proxy);
		if (p[7].revents)
			run_named_ready(c->named, c->proxy.sock, c->child);
		run_named_tick(c->named);
		if (p[0].revents) {
			siginfo_t si = { 0 };

			if (waitid(P_PIDFD, c->child_pidfd, &si, WEXITED) < 0)
				return SANDBOX_EXIT_FAILURE;
			run_await_answer(c);
			if (c->failed)
				return SANDBOX_EXIT_FAILURE;
			if (si.si_code == CLD_EXITED)
				return si.si_status;
			return 128 + si.si_status;
		}
		/* lxnetfs leaves on its own once the sandbox is gone: only
		 * an exit while the child lives is news. */
		if (p[5].revents || p[6].revents) {
			siginfo_t si = { 0 };
			bool ended = waitid(P_PIDFD, c->child_pidfd, &si,
					    WEXITED | WNOHANG | WNOWAIT) == 0 &&
				     si.si_pid != 0;

			/* its answer, if any, was read above */
			if (p[5].revents && run_reap_companion(c, &c->fs, ended))
				run_restart(c, &c->fs);
			if (p[6].revents &&
			    run_reap_companion(c, &c->proxy, ended))
				run_restart(c, &c->proxy);
		}
	}
}

/**
 * run_clone() - clone the sandbox's first process
 * @c: context; @c->child and @c->child_pidfd are set
 * @cfg: what the child does
 *
 * Return: 0 or -errno (reported). Does not return in the child.
 */
static int run_clone(struct run_ctx *c, const struct sandbox_config *cfg)
{
	struct clone_args args = {
		.flags = sandbox_clone_flags(cfg) | CLONE_PIDFD,
		.pidfd = (uintptr_t)&c->child_pidfd,
		.exit_signal = SIGCHLD,
	};
	long pid;

	pid = syscall(SYS_clone3, &args, sizeof(args));
	/*
	 * Inside an lxnet sandbox clone3() fails ENOSYS (seccomp_filter.c):
	 * clone() takes the same flags, its pidfd through parent_tid, the
	 * third argument on x86_64, i386, arm64 and riscv alike.
	 */
	if (pid < 0 && errno == ENOSYS) {
		int pidfd = -1;

		pid = syscall(SYS_clone, (unsigned long)args.flags | SIGCHLD,
			      NULL, &pidfd, NULL, 0);
		if (pid > 0)
			c->child_pidfd = pidfd;
	}
	if (pid < 0) {
		int e = errno;

		run_explain_userns(e);
		return -e;
	}
	if (pid == 0) {
		closep(&c->ctl);
		closep(&c->sfd);
		closep(&c->fs.sock);
		closep(&c->proxy.sock);
		closep(&c->fs.pidfd);
		closep(&c->proxy.pidfd);
		run_named_child_close(c->named);
		sandbox_child_main(cfg);
	}
	c->child = pid;
	return 0;
}

/**
 * run_sweep_staging() - remove staging directories of killed lxnets
 * @tmpdir: where staging directories are made
 *
 * A SIGKILLed lxnet cannot remove its empty "lxnet-PID-XXXXXX" directory.
 * Ours (same owner) whose PID is gone are removed, unless someone holds a
 * lock on it: a live lxnet in another pid namespace has a PID we cannot
 * see, and removing the directory it mounted its staging tmpfs on would
 * detach that mount from its sandbox. A directory made (its mtime: nothing
 * is ever put in it on this side) in the last RUN_SWEEP_MIN_AGE seconds is
 * left alone too: its lxnet may be between making it and locking it. rmdir() only removes an empty directory.
 */
#define RUN_SWEEP_MIN_AGE 60 /* seconds */

static void run_sweep_staging(const char *tmpdir)
{
	g_autoptr(GDir) d = g_dir_open(tmpdir, 0, NULL);
	const char *name;
	unsigned int n = 0;

	while (d && (name = g_dir_read_name(d)) && n++ < 4096) {
		g_autofree char *path = NULL;
		_cleanup_close_ int lock = -1;
		struct stat st;
		char *end;
		long pid;

		if (!g_str_has_prefix(name, "lxnet-"))
			continue;
		pid = strtol(name + 6, &end, 10);
		if (pid <= 0 || pid > INT_MAX || *end != '-' || strlen(end) != 7)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		path = g_build_filename(tmpdir, name, NULL);
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != getuid() ||
		    st.st_mtime > time(NULL) - RUN_SWEEP_MIN_AGE)
			continue;
		lock = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
			continue;
		if (rmdir(path) == 0)
			log_debug("removed stale %s", path);
	}
}

/**
 * run_lock_staging() - hold the new staging directory against sweeps
 * @c: context with @c->staging just made
 *
 * A sweeping lxnet in another pid namespace may have taken the directory
 * between its creation and our lock: then it is gone (or another one), and
 * that is an error rather than a race to lose later.
 * Return: 0 or -errno.
 */
static int run_lock_staging(struct run_ctx *c)
{
	struct stat a, b;

	c->staging_lock = open(c->staging, O_RDONLY | O_DIRECTORY |
			       O_NOFOLLOW | O_CLOEXEC);
	if (c->staging_lock < 0)
		return -errno;
	if (flock(c->staging_lock, LOCK_EX | LOCK_NB) < 0)
		return -errno;
	if (fstat(c->staging_lock, &a) < 0 || lstat(c->staging, &b) < 0)
		return -errno;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return -ESTALE;
	return 0;
}

/* Has the child ended (not reaped)? It reports its own set-up failures. */
static bool run_child_ended(struct run_ctx *c)
{
	siginfo_t si = { 0 };

	/* its end can come a moment after the failure it caused here */
	(void)poll(&(struct pollfd){ .fd = c->child_pidfd, .events = POLLIN },
		   1, 100);
	return waitid(P_PIDFD, c->child_pidfd, &si,
		      WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0;
}

/**
 * run_nested() - inside another sandbox's seccomp listener, share its network
 * @c: context
 * @cfg: the child's configuration; share_net is set when nested
 *
 * The kernel allows one seccomp listener per filter chain (seccomp(2),
 * EBUSY), so `lxnet run` inside `lxnet run` or `lxnet shim` cannot install
 * its own. Its sandbox then keeps the network namespace it was started in,
 * whose calls the outer lxnet-proxy already serves with the host's
 * network, and starts no proxy of its own; the view files are its own.
 * --hide-if and a connection policy cannot be honoured there (the outer
 * proxy answers netlink and ioctls and makes the connections), so on the
 * command line they are refused rather than half applied; from a
 * configuration file (the user's defaults) they are left out, with a
 * debug line, so that a nested `lxnet run` works with the same file.
 *
 * Return: 0 or -errno (reported).
 */
static int run_nested(struct run_ctx *c, struct sandbox_config *cfg)
{
	int r = seccomp_listener_present();

	if (r <= 0)
		return 0; /* none, or no seccomp: run_precheck() said so */
	if (c->policy.hide_if_cmdline) {
		log_err("--hide-if cannot apply inside another sandbox's seccomp "
			"listener (its proxy answers netlink and ioctls)");
		return -EINVAL;
	}
	if (c->netpolicy.cmdline_active) {
		log_err("--allow, --deny, --no-host-loopback, --policy and "
			"--log-connections cannot apply inside another "
			"sandbox's seccomp listener (its proxy makes the "
			"connections, under its own policy)");
		return -EINVAL;
	}
	if (c->policy.hide_if && c->policy.hide_if[0]) {
		log_debug("nested: the configuration's hide-if left out "
			  "(the outer proxy answers netlink and ioctls)");
		g_strfreev(c->policy.hide_if);
		c->policy.hide_if = NULL;
	}
	if (netpolicy_active(&c->netpolicy)) {
		log_debug("nested: the configuration's connection policy left "
			  "out (the outer proxy makes the connections)");
		netpolicy_clear(&c->netpolicy);
		netpolicy_init(&c->netpolicy);
	}
	log_debug("a seccomp listener is present (inside another sandbox?): "
		  "sharing its network namespace, no lxnet-proxy");
	cfg->share_net = true;
	return 0;
}

/**
 * run_start() - set up the signal fd, the control socket and the child
 * @c: parsed, checked context
 *
 * Return: 0 or -errno (reported).
 */
static int run_start(struct run_ctx *c)
{
	struct sandbox_config cfg = {
		.root = c->root,
		.hostname = c->policy.hostname,
		.generate = c->generate,
		.pid_ns = c->pid_ns,
		.argv = c->cmd,
		.binds = c->binds,
		.n_binds = c->n_binds,
		.filter_flags = c->filter_flags,
	};
	struct fdpass_msg go = { .kind = SANDBOX_MSG_GO };
	g_autoptr(GError) map_err = NULL;
	struct userns_writing maps;
	_cleanup_close_ int theirs = -1;
	sigset_t set;
	size_t i;
	int sp[2], r;

	if (!c->root) {
		g_autoptr(GError) err = NULL;

		g_autofree char *tmpl = g_strdup_printf("lxnet-%d-XXXXXX",
							(int)getpid());

		run_sweep_staging(g_get_tmp_dir());
		c->staging = g_dir_make_tmp(tmpl, &err);
		if (!c->staging) {
			log_err("cannot make a staging directory: %s", err->message);
			return -EIO;
		}
		r = run_lock_staging(c);
		if (r < 0) {
			log_err("cannot lock the staging directory %s: %s",
				c->staging, strerror(-r));
			return r;
		}
		cfg.staging = c->staging;
	}
	sigemptyset(&set);
	for (i = 0; i < ELEMENTSOF(run_forwarded); i++)
		sigaddset(&set, run_forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	c->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (c->sfd < 0)
		return -errno;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	c->ctl = sp[0];
	theirs = sp[1];
	cfg.ctl_fd = theirs;
	/*
	 * The companions first: lxnetfs reading the model is the longest
	 * step before the child can mount the view, and the proxy's start
	 * would otherwise compete with the child's set-up and CMD for the
	 * CPUs. Then the child (it waits for GO), while newuidmap/newgidmap
	 * (if any) write its maps.
	 */
	r = run_nested(c, &cfg);
	/* Without them a companion that ends is not restarted (run_restart()). */
	c->fs_state = run_memfd("lxnetfs-state", FDPASS_FS_STATE_SIZE);
	if (!cfg.share_net)
		c->journal = run_memfd("lxnet-proxy-inflight",
				       NOTIF_JOURNAL_SIZE);
	if (c->fs_state < 0 || (!cfg.share_net && c->journal < 0))
		log_debug("no memfd: a companion that ends is not restarted");
	if (r == 0)
		r = run_start_fs(c);
	if (r == 0 && !cfg.share_net)
		r = run_start_proxy(c);
	if (r == 0)
		r = run_clone(c, &cfg);
	if (r < 0)
		return r;
	r = userns_write_start(&c->ids, c->child, &maps, &map_err);
	if (userns_write_finish(&maps, r == 0 ? &map_err : NULL) < 0 && r == 0)
		r = -EPERM;
	/* A child that failed before its maps said why itself. */
	if (map_err && !run_child_ended(c))
		log_err("%s", map_err->message);
	if (r < 0)
		return r;
	r = fdpass_send(c->ctl, &go, NULL, 0);
	if (r < 0 && !run_child_ended(c))
		log_err("the sandbox ended during set-up");
	return r;
}

/**
 * run_main() - `lxnet run`
 * @argc: argument count
 * @argv: arguments, argv[0] is "run"
 *
 * Return: CMD's exit status, 128+N when CMD was killed by signal N, 125 when
 * lxnet failed, 126/127 when CMD could not be executed/found, 2 on usage.
 */
int run_main(int argc, char **argv)
{
	struct run_ctx c;
	int r, status = SANDBOX_EXIT_FAILURE;

	run_ctx_init(&c);
	r = run_parse(&c, argc, argv);
	if (r != 0) {
		run_ctx_clear(&c);
		return cli_exit_status(r);
	}
	if (run_precheck(&c) == 0 && run_start(&c) == 0)
		status = run_loop(&c);
	else if (c.child_pidfd >= 0) {
		siginfo_t si;

		syscall(SYS_pidfd_send_signal, c.child_pidfd, SIGKILL, NULL, 0);
		(void)waitid(P_PIDFD, c.child_pidfd, &si, WEXITED);
	}
	closep(&c.ctl);
	c.ctl = -1;
	closep(&c.fs.sock);
	c.fs.sock = -1;
	closep(&c.proxy.sock);
	c.proxy.sock = -1;
	run_stop_companions(&c);
	run_ctx_clear(&c);
	return status;
}
