// SPDX-License-Identifier: LGPL-2.1-or-later
/* exec.c - `lxnet exec NAME -- CMD`: run CMD in a running named sandbox */
/*
 * Theory of operation
 *
 * The sandbox is found in the registry (src/registry.c) and its first
 * process opened with pidfd_open(); its start time (/proc/PID/stat field
 * 22) is compared with the registered one after the pidfd exists, so the
 * pidfd is known to be that process and not a later one with its pid. We
 * connect to the entry's socket (owned by the sandbox's `lxnet run`) while
 * the registry is still visible, then join the namespaces in one step with
 * setns(pidfd, CLONE_NEWUSER|NEWNS|NEWNET|NEWUTS[|NEWPID]) (Linux 5.8; the
 * kernel does it atomically and without a path to race), falling back to
 * /proc/PID/ns/NS files opened after the pidfd and checked again. setns into a
 * user namespace needs a single-threaded caller: nothing before it starts
 * a thread (GLib's option parser does not). The namespaces we are in
 * afterwards are compared with the ones the sandbox registered, so a first
 * process that moved to namespaces of its own is noticed, not followed.
 *
 * Joining the mount namespace puts us at its root: the pivoted rootfs with
 * --root (we stay in "/"), the host's tree otherwise (we go back to the
 * directory we were started in, if it can be reached). We then fork — a
 * pid namespace is entered by children only — and the child installs the
 * sandbox's seccomp filter, sends its listener over the entry's socket
 * (`lxnet run` relays it to the sandbox's lxnet-proxy, src/run_named.c),
 * waits for the proxy's answer and executes CMD. From then on CMD's
 * socket() calls are served like the sandbox's own.
 *
 * The parent forwards signals sent by processes (not the kernel's: a
 * terminal's ^C reached CMD already), kills CMD when the sandbox's first
 * process ends (the sandbox is being torn down: its proxy and view go
 * away), and returns CMD's status with lxnet run's conventions.
 */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "fdpass.h"
#include "log.h"
#include "lxnet_int.h"
#include "registry.h"
#include "sandbox.h"
#include "seccomp_filter.h"
#include "util.h"

/* How long CMD waits for the proxy to take its listener. */
#define EXEC_ACK_TIMEOUT_MS 10000
/* The name usage lines and usage errors give. */
#define EXEC_PROG "lxnet exec"

static const int exec_forwarded[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

static const struct {
	enum registry_ns ns;
	int flag;
	const char *name;
} exec_ns[] = {
	{ REGISTRY_NS_USER, CLONE_NEWUSER, "user" },
	{ REGISTRY_NS_MNT, CLONE_NEWNS, "mnt" },
	{ REGISTRY_NS_NET, CLONE_NEWNET, "net" },
	{ REGISTRY_NS_UTS, CLONE_NEWUTS, "uts" },
	{ REGISTRY_NS_PID, CLONE_NEWPID, "pid" },
};

/*
 * struct exec_ctx - what `lxnet exec` owns
 * @name: NAME; @cmd: CMD and its arguments
 * @verbose: --verbose
 * @info: the sandbox's registry entry
 * @sock: connection to its lxnet run
 * @sandbox: pidfd of its first process
 * @cwd: where we were started
 * @netns: the sandbox's network namespace, once joined (sent with the
 *	listener: the proxy serves only callers in it, fdpass.h)
 */
struct exec_ctx {
	char *name;
	char **cmd;
	gboolean verbose;
	struct registry_info *info;
	int sock;
	int sandbox;
	char *cwd;
	int netns;
};

/**
 * exec_parse() - `lxnet exec [OPTION...] NAME [--] CMD [ARG...]`
 * @c: context
 * @argc: argument count (argv[0] is "exec")
 * @argv: arguments
 *
 * Return: 0, CLI_DONE when --help was printed, or -EINVAL (reported).
 */
static int exec_parse(struct exec_ctx *c, int argc, char **argv)
{
	g_auto(GStrv) rest = NULL;
	const GOptionEntry entries[] = {
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &c->verbose,
		  "Debug messages", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest,
		  NULL, NULL },
		{ NULL },
	};
	const struct cli_spec spec = {
		.prog = EXEC_PROG,
		.params = "NAME -- CMD [ARG...]",
		.summary =
		"Run CMD in the running sandbox NAME (lxnet run --name NAME): in its\n"
		"namespaces, its root, its view of the host's files, with its sockets\n"
		"served by the sandbox's lxnet-proxy.",
		.description =
		"Exit status: CMD's, or 128+N when CMD was killed by signal N;\n"
		"2 for a usage error, 125 when lxnet itself fails (no such\n"
		"sandbox, it has ended), 126 when CMD cannot be executed, 127\n"
		"when CMD is not found.",
		.entries = entries,
		.flags = CLI_STOP_AT_CMD,
	};
	char **r;
	int ret;

	ret = cli_parse(&spec, &argc, &argv);
	if (ret != 0)
		return ret;
	r = rest;
	if (r && r[0] && strcmp(r[0], "--") == 0)
		r++;
	if (!r || !r[0] || !r[1] || (strcmp(r[1], "--") == 0 && !r[2]))
		return cli_usage_error(EXEC_PROG, "no NAME or no command given (want NAME -- CMD [ARG...])");
	c->name = g_strdup(r[0]);
	c->cmd = g_strdupv(r + (strcmp(r[1], "--") == 0 ? 2 : 1));
	if (registry_name_check(c->name) < 0)
		return cli_usage_error(EXEC_PROG, "invalid sandbox name '%s'", c->name);
	if (c->verbose)
		log_set_level(LOG_LVL_DEBUG);
	return 0;
}

/**
 * exec_find() - find the sandbox and open its first process
 * @c: context; @c->info, @c->sock and @c->sandbox are set
 *
 * Return: 0 or -errno (reported).
 */
static int exec_find(struct exec_ctx *c)
{
	uint64_t start = 0, pidns = 0;
	int r;

	r = registry_lookup(c->name, &c->info, &c->sock);
	if (r == -ENOENT)
		log_err("no running sandbox is named '%s' (see lxnet ps)", c->name);
	else if (r == -ESRCH)
		log_err("sandbox '%s' has ended (its stale entry was removed)", c->name);
	else if (r == -EAGAIN)
		log_err("sandbox '%s' is still starting; try again", c->name);
	else if (r < 0)
		log_err("cannot look up sandbox '%s': %s", c->name, strerror(-r));
	if (r < 0)
		return r;
	if (registry_ns_inode(0, REGISTRY_NS_PID, &pidns) < 0 ||
	    pidns != c->info->pidns) {
		log_err("sandbox '%s' was started in another pid namespace", c->name);
		return -EXDEV;
	}
	c->sandbox = (int)syscall(SYS_pidfd_open, c->info->pid, 0);
	r = c->sandbox < 0 ? -errno : registry_proc_starttime(c->info->pid, &start);
	if (r == 0 && start != c->info->starttime)
		r = -ESRCH; /* its pid now belongs to another process */
	if (r == -ESRCH)
		log_err("sandbox '%s' has ended", c->name);
	else if (r < 0)
		log_err("cannot open sandbox '%s' (pid %d): %s", c->name,
			(int)c->info->pid, strerror(-r));
	return r;
}

/*
 * exec_test_no_pidfd_setns() - the test switch that forces the path
 * kernels before 5.8 take (LXNET_EXEC_TEST_NO_PIDFD_SETNS=1), so that it
 * stays tested on kernels with setns() on a pidfd.
 */
static bool exec_test_no_pidfd_setns(void)
{
	const char *e = getenv("LXNET_EXEC_TEST_NO_PIDFD_SETNS");

	return e && strcmp(e, "1") == 0;
}

/* Join by /proc/PID/ns/NS (kernels before 5.8): opened, then re-checked. */
static int exec_join_proc(struct exec_ctx *c, int flags)
{
	int fds[ELEMENTSOF(exec_ns)];
	uint64_t start = 0;
	size_t i, n = 0;
	int r = 0;

	for (; n < ELEMENTSOF(exec_ns) && r == 0; n++) {
		g_autofree char *p = g_strdup_printf("/proc/%d/ns/%s",
			(int)c->info->pid, exec_ns[n].name);

		fds[n] = (flags & exec_ns[n].flag)
			 ? open(p, O_RDONLY | O_CLOEXEC) : -2;
		if (fds[n] == -1)
			r = -errno;
	}
	if (r == 0)
		r = registry_proc_starttime(c->info->pid, &start);
	if (r == 0 && start != c->info->starttime)
		r = -ESRCH;
	for (i = 0; i < n; i++) {
		if (r == 0 && fds[i] >= 0 && setns(fds[i], exec_ns[i].flag) < 0)
			r = -errno;
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return r;
}

/* Are we in the namespaces the sandbox registered? (@nsdir: our ns/) */
static int exec_verify(struct exec_ctx *c, int nsdir)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(exec_ns); i++) {
		const char *n = exec_ns[i].ns == REGISTRY_NS_PID
				? "pid_for_children" : exec_ns[i].name;
		struct stat st;

		if (!c->info->ns[exec_ns[i].ns])
			continue;
		if (fstatat(nsdir, n, &st, 0) < 0)
			return -errno;
		if (st.st_ino != c->info->ns[exec_ns[i].ns])
			return -ESTALE;
	}
	return 0;
}

/**
 * exec_join() - enter the sandbox's namespaces, root and a directory
 * @c: context with the sandbox open
 *
 * Must run while the process has one thread.
 * Return: 0 or -errno (reported).
 */
static int exec_join(struct exec_ctx *c)
{
	_cleanup_close_ int nsdir = open("/proc/self/ns", O_PATH | O_DIRECTORY |
					 O_CLOEXEC);
	int flags = 0, r;
	size_t i;

	for (i = 0; i < ELEMENTSOF(exec_ns); i++)
		if (c->info->ns[exec_ns[i].ns])
			flags |= exec_ns[i].flag;
	if (nsdir < 0)
		return -errno;
	if (exec_test_no_pidfd_setns())
		r = -EINVAL;
	else
		r = setns(c->sandbox, flags) < 0 ? -errno : 0;
	if (r == -EINVAL) /* no setns on a pidfd before Linux 5.8 */
		r = exec_join_proc(c, flags);
	if (r == 0)
		r = exec_verify(c, nsdir);
	if (r == 0) {
		c->netns = openat(nsdir, "net", O_RDONLY | O_CLOEXEC);
		r = c->netns < 0 ? -errno : 0;
	}
	if (r == -ESTALE)
		log_err("sandbox '%s' is no longer in the namespaces it was started in",
			c->name);
	else if (r == -ESRCH)
		log_err("sandbox '%s' has ended", c->name);
	else if (r < 0)
		log_err("cannot enter sandbox '%s': %s", c->name, strerror(-r));
	if (r < 0)
		return r;
	/* setns(CLONE_NEWNS) left us at the namespace's root */
	if (c->info->has_root || !c->cwd || chdir(c->cwd) < 0)
		r = chdir("/") < 0 ? -errno : 0;
	return r;
}

/* Wait (bounded) for the relayed proxy's answer on @sock. */
static int exec_wait_ack(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	struct fdpass_msg m;
	int fds[FDPASS_MAX_FDS];
	size_t n_fds = 0, i;
	int r;

	r = poll(&p, 1, EXEC_ACK_TIMEOUT_MS);
	if (r <= 0)
		return r == 0 ? -ETIMEDOUT : -errno;
	r = fdpass_recv(sock, &m, fds, ELEMENTSOF(fds), &n_fds);
	for (i = 0; r == 0 && i < n_fds; i++)
		close(fds[i]);
	if (r < 0)
		return r == -ECONNRESET ? -ESRCH : r;
	return m.kind == FDPASS_ACK ? m.status : -EBADMSG;
}

/**
 * exec_child() - in the forked child: filter, hand over, execute CMD
 * @c: context
 *
 * Never returns: executes CMD, or exits 125 (lxnet), 126 or 127.
 */
static void exec_child(struct exec_ctx *c) __attribute__((noreturn));
static void exec_child(struct exec_ctx *c)
{
	_cleanup_close_ int lfd = -1;
	sigset_t none;
	int r, e;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(SANDBOX_EXIT_FAILURE);
	r = seccomp_filter_install_send(c->info->filter_flags, c->sock,
			&(struct fdpass_msg){ .kind = FDPASS_SECCOMP_LISTENER,
					      .pid = getpid() },
			c->netns, &lfd, &e);
	if (r == 0)
		r = e;
	if (r == 0)
		r = exec_wait_ack(c->sock);
	if (r == -ESRCH || r == -EPIPE) {
		log_err("sandbox '%s' has ended", c->name);
		_exit(SANDBOX_EXIT_FAILURE);
	}
	if (r < 0) {
		log_err("cannot have sandbox '%s' serve CMD's sockets: %s",
			c->name, strerror(-r));
		_exit(SANDBOX_EXIT_FAILURE);
	}
	close(c->sock);
	close(c->netns);
	closep(&lfd);
	lfd = -1;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(c->cmd[0], c->cmd);
	e = errno;
	if (e == ENOENT) {
		log_err("%s: command not found", c->cmd[0]);
		_exit(SANDBOX_EXIT_NOTFOUND);
	}
	log_err("%s: cannot execute: %s", c->cmd[0], strerror(e));
	_exit(SANDBOX_EXIT_NOEXEC);
}

/* Forward a signal unless the kernel sent it (it reached CMD already). */
static void exec_forward(int sfd, int child)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si) || si.ssi_code == SI_KERNEL)
		return;
	syscall(SYS_pidfd_send_signal, child, si.ssi_signo, NULL, 0);
}

/**
 * exec_wait() - wait for CMD, forwarding signals
 * @c: context
 * @child: pidfd of CMD
 * @sfd: signalfd of exec_forwarded
 *
 * Return: the exit status lxnet exec returns.
 */
static int exec_wait(struct exec_ctx *c, int child, int sfd)
{
	bool warned = false;

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = child, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = warned ? -1 : c->sandbox, .events = POLLIN },
		};
		siginfo_t si = { 0 };

		if (poll(p, ELEMENTSOF(p), -1) < 0) {
			if (errno == EINTR)
				continue;
			return SANDBOX_EXIT_FAILURE;
		}
		if (p[1].revents)
			exec_forward(sfd, child);
		if (p[2].revents) {
			log_warn("sandbox '%s' ended: stopping %s", c->name, c->cmd[0]);
			syscall(SYS_pidfd_send_signal, child, SIGKILL, NULL, 0);
			warned = true;
		}
		if (!p[0].revents)
			continue;
		if (waitid(P_PIDFD, child, &si, WEXITED) < 0)
			return SANDBOX_EXIT_FAILURE;
		if (si.si_code == CLD_EXITED)
			return si.si_status;
		return 128 + si.si_status;
	}
}

/* Fork CMD (inside the joined pid namespace, if any) and wait for it. */
static int exec_run(struct exec_ctx *c)
{
	_cleanup_close_ int sfd = -1, child = -1;
	sigset_t set;
	size_t i;
	pid_t pid;

	sigemptyset(&set);
	for (i = 0; i < ELEMENTSOF(exec_forwarded); i++)
		sigaddset(&set, exec_forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		log_err("cannot set up signals: %s", strerror(errno));
		return SANDBOX_EXIT_FAILURE;
	}
	pid = fork();
	if (pid < 0) {
		log_err("fork: %s", strerror(errno));
		return SANDBOX_EXIT_FAILURE;
	}
	if (pid == 0)
		exec_child(c);
	closep(&c->sock);
	c->sock = -1;
	child = (int)syscall(SYS_pidfd_open, pid, 0);
	if (child < 0) {
		int st;

		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		log_err("pidfd_open: %s", strerror(errno));
		return SANDBOX_EXIT_FAILURE;
	}
	return exec_wait(c, child, sfd);
}

/**
 * exec_main() - `lxnet exec`
 * @argc: argument count
 * @argv: arguments, argv[0] is "exec"
 *
 * Return: CMD's exit status, 128+N when it was killed by signal N, 125
 * when lxnet failed, 126/127 when CMD could not be executed/found, 2 on
 * usage errors.
 */
int exec_main(int argc, char **argv)
{
	struct exec_ctx c = { .sock = -1, .sandbox = -1, .netns = -1 };
	int status = SANDBOX_EXIT_FAILURE;
	bool joined_pid_ns = false;
	int r;

	r = exec_parse(&c, argc, argv);
	if (r != 0) {
		status = cli_exit_status(r);
		goto out;
	}
	c.cwd = g_get_current_dir();
	if (exec_find(&c) == 0 && exec_join(&c) == 0) {
		joined_pid_ns = c.info->ns[REGISTRY_NS_PID] != 0;
		status = exec_run(&c);
	}
out:
	closep(&c.sock);
	closep(&c.sandbox);
	closep(&c.netns);
	registry_info_free(c.info);
	g_free(c.name);
	g_strfreev(c.cmd);
	g_free(c.cwd);
	/*
	 * Our pid_for_children is the sandbox's pid namespace now: a child
	 * made at exit (LeakSanitizer's tracer, in sanitizer builds) would
	 * land there, unable to see us, and hang. Nothing is left to free.
	 */
	if (joined_pid_ns) {
		fflush(NULL);
		_exit(status);
	}
	return status;
}
