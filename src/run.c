// SPDX-License-Identifier: LGPL-2.1-or-later
/* run.c - `lxnet run`: start a sandbox with the host's network view */
/*
 * Theory of operation
 *
 * The parent (this file) parses options, checks what a user typically
 * trips over (user namespaces disabled, /dev/fuse not accessible, a --root
 * without /bin/sh, missing companions) and clones the child
 * (src/sandbox.c) into new namespaces with a pidfd. It writes the child's
 * uid/gid maps and sends GO, then serves the control socket: the child's
 * /dev/fuse fd goes to a new lxnetfs (`lxnetfs -f -o uid=0,gid=0 [view
 * options] /dev/fd/3`), its seccomp listener to a new `lxnet-proxy --fd 3`
 * over a socketpair. Both companions run in the host's namespaces, in their
 * own session (a terminal's ^C is not theirs), with PR_SET_PDEATHSIG so a
 * killed lxnet takes them along; the child has PR_SET_PDEATHSIG(SIGKILL).
 *
 * Signals that lxnet forwards are blocked and read from a signalfd; one sent
 * by the kernel (a terminal's ^C, ^\, SIGWINCH) already reached CMD, which
 * shares our process group, so only signals sent by a process are
 * forwarded. When the child ends, the companions are told to stop (they
 * would on their own: the FUSE mount and the seccomp filter die with the
 * sandbox), reaped within a bound, and CMD's status is returned: its exit
 * code, or 128 + the signal that killed it.
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
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>
#include <unistd.h>

#include "fdpass.h"
#include "log.h"
#include "lxnet_int.h"
#include "sandbox.h"
#include "util.h"
#include "view.h"

/* Bounds on waiting for companions. */
#define RUN_PROXY_ACK_TIMEOUT_MS 10000
#define RUN_COMPANION_STOP_MS 2000

static const int run_forwarded[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

/*
 * struct run_companion - a helper daemon lxnet started
 * @name: for messages
 * @pid: its pid, 0 when none or reaped
 * @pidfd: pidfd, -1 when none
 */
struct run_companion {
	const char *name;
	pid_t pid;
	int pidfd;
};

/*
 * struct run_ctx - everything `lxnet run` owns
 * @policy: view options (passed on to lxnetfs)
 * @root: --root
 * @pid_ns: --pid
 * @no_generate: --no-generate lists
 * @verbose: --verbose
 * @cmd: CMD and its arguments
 * @generate: enum sandbox_gen bits left after --no-generate
 * @staging: host directory the child's staging tmpfs goes on (no --root)
 * @fs_path: the lxnetfs to start; @proxy_path: the lxnet-proxy
 * @child: the sandbox's first process; @child_pidfd its pidfd
 * @ctl: parent's end of the control socket, -1 once the child closed it
 * @sfd: signalfd of run_forwarded
 * @fs: lxnetfs
 * @proxy: lxnet-proxy; @proxy_sock our end of its --fd socket
 */
struct run_ctx {
	struct view_policy policy;
	char *root;
	gboolean pid_ns;
	char **no_generate;
	gboolean verbose;
	char **cmd;
	unsigned int generate;
	char *staging;
	char *fs_path;
	char *proxy_path;
	pid_t child;
	int child_pidfd;
	int ctl;
	int sfd;
	struct run_companion fs;
	struct run_companion proxy;
	int proxy_sock;
};

static void run_ctx_init(struct run_ctx *c)
{
	memset(c, 0, sizeof(*c));
	view_policy_init(&c->policy);
	c->generate = SANDBOX_GEN_ALL;
	c->child_pidfd = c->ctl = c->sfd = c->proxy_sock = -1;
	c->fs = (struct run_companion){ .name = "lxnetfs", .pidfd = -1 };
	c->proxy = (struct run_companion){ .name = "lxnet-proxy", .pidfd = -1 };
}

static void run_ctx_clear(struct run_ctx *c)
{
	view_policy_clear(&c->policy);
	g_free(c->root);
	g_strfreev(c->no_generate);
	g_strfreev(c->cmd);
	g_free(c->fs_path);
	g_free(c->proxy_path);
	if (c->staging) {
		(void)rmdir(c->staging);
		g_free(c->staging);
	}
	closep(&c->child_pidfd);
	closep(&c->ctl);
	closep(&c->sfd);
	closep(&c->fs.pidfd);
	closep(&c->proxy.pidfd);
	closep(&c->proxy_sock);
}

/**
 * run_parse() - parse `lxnet run` options (table-driven)
 * @c: context the options land in
 * @argc: argument count (argv[0] is "run")
 * @argv: arguments
 *
 * Return: 0, 1 when --help was printed, or -EINVAL (reported).
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
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &c->verbose,
		  "Debug messages", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &c->cmd,
		  NULL, NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) oc = NULL;
	g_autoptr(GError) err = NULL;
	char **s;

	/* Usage lines say "lxnet run", not "run". */
	g_set_prgname("lxnet run");
	oc = g_option_context_new("-- CMD [ARG...]");
	g_option_context_set_summary(oc,
		"Run CMD in new user, mount, network and uts namespaces that see the\n"
		"host's network: /etc/resolv.conf, /etc/hosts, /etc/hostname and\n"
		"/proc/net/* are served live by lxnetfs, and AF_INET/AF_INET6 sockets\n"
		"are created in the host's network namespace by lxnet-proxy. The caller\n"
		"is root inside. Without --root the host's filesystem is used.");
	g_option_context_set_description(oc,
		"Exit status: CMD's, or 128+N when CMD was killed by signal N;\n"
		"125 when lxnet itself fails, 126 when CMD cannot be executed,\n"
		"127 when CMD is not found. See lxnet(1).");
	/* The view options are what `run` is about: show them in --help. */
	g_option_context_set_main_group(oc, view_policy_option_group(&c->policy));
	g_option_context_add_main_entries(oc, entries, NULL);
	g_option_context_set_strict_posix(oc, TRUE);
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		log_err("%s (try 'lxnet run --help')", err->message);
		return -EINVAL;
	}
	if (view_policy_validate(&c->policy, &err) < 0) {
		log_err("%s", err->message);
		return -EINVAL;
	}
	for (s = c->no_generate; s && *s; s++) {
		if (sandbox_parse_no_generate(*s, &c->generate) < 0) {
			log_err("invalid --no-generate '%s' (want resolv.conf, hosts, hostname or proc-net)",
				*s);
			return -EINVAL;
		}
	}
	if (!c->cmd || !c->cmd[0]) {
		log_err("no command given (usage: lxnet run [OPTION...] -- CMD [ARG...])");
		return -EINVAL;
	}
	if (c->verbose)
		log_set_level(LOG_LVL_DEBUG);
	return 0;
}

/**
 * run_find_helper() - path of a companion program
 * @name: program name (lxnetfs, lxnet-proxy)
 * @subdir: its folder in the build tree (fs, proxy)
 * @env: environment variable that overrides the search
 *
 * Looks next to the running lxnet first (an installed tree, or the build
 * tree, where lxnet and @subdir/ are siblings or src/ and @subdir/ are),
 * then in PATH.
 * Return: a newly allocated path, or NULL.
 */
static char *run_find_helper(const char *name, const char *subdir,
			     const char *env)
{
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = self ? g_path_get_dirname(self) : NULL;
	const char *e = g_getenv(env);

	if (e && *e)
		return g_strdup(e);
	if (dir) {
		char *cands[] = {
			g_build_filename(dir, name, NULL),
			g_build_filename(dir, subdir, name, NULL),
			g_build_filename(dir, "..", subdir, name, NULL),
		};
		char *found = NULL;
		size_t i;

		for (i = 0; i < ELEMENTSOF(cands); i++) {
			if (!found && g_file_test(cands[i], G_FILE_TEST_IS_EXECUTABLE) &&
			    !g_file_test(cands[i], G_FILE_TEST_IS_DIR))
				found = g_steal_pointer(&cands[i]);
			g_free(cands[i]);
		}
		if (found)
			return found;
	}
	return g_find_program_in_path(name);
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
 * run_precheck() - report the usual obstacles before anything is started
 * @c: parsed options
 *
 * Return: 0 or -errno (reported).
 */
static int run_precheck(struct run_ctx *c)
{
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
	c->fs_path = run_find_helper("lxnetfs", "fs", "LXNET_LXNETFS");
	c->proxy_path = run_find_helper("lxnet-proxy", "proxy", "LXNET_PROXY");
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
	if (c->root) {
		g_autofree char *canon = g_canonicalize_filename(c->root, NULL);

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
	}
	return 0;
}

/**
 * run_spawn() - start a companion in the host's namespaces
 * @comp: which one; @comp->pid and @comp->pidfd are set on success
 * @argv: program and arguments
 * @fd: fd the companion gets as fd 3
 *
 * The companion gets its own session (no terminal signals), an empty signal
 * mask and PR_SET_PDEATHSIG(SIGTERM).
 * Return: 0 or -errno.
 */
static int run_spawn(struct run_companion *comp, char **argv, int fd)
{
	pid_t parent = getpid(), pid;
	int pidfd;

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
		if ((fd == 3 ? fcntl(3, F_SETFD, 0) : dup2(fd, 3)) < 0)
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

/**
 * run_start_fs() - start lxnetfs on the child's mounted /dev/fuse fd
 * @c: context
 * @fuse_fd: the fd (ours; closed by the caller)
 *
 * Return: 0 or -errno (reported).
 */
static int run_start_fs(struct run_ctx *c, int fuse_fd)
{
	const char *path = c->fs_path;
	g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);
	const struct view_policy *p = &c->policy;
	int r;

	g_ptr_array_add(a, g_strdup(path));
	g_ptr_array_add(a, g_strdup("-f"));
	g_ptr_array_add(a, g_strdup("-o"));
	g_ptr_array_add(a, g_strdup("uid=0,gid=0"));
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
	if (c->verbose)
		g_ptr_array_add(a, g_strdup("-d"));
	g_ptr_array_add(a, g_strdup("/dev/fd/3"));
	g_ptr_array_add(a, NULL);
	r = run_spawn(&c->fs, (char **)a->pdata, fuse_fd);
	if (r < 0)
		log_err("cannot start %s: %s", path, strerror(-r));
	return r;
}

/**
 * run_start_proxy() - start lxnet-proxy and hand it the seccomp listener
 * @c: context
 * @listener: the listener fd (ours; closed by the caller)
 *
 * Waits, bounded, for the proxy's FDPASS_ACK.
 * Return: 0 or -errno (reported).
 */
static int run_start_proxy(struct run_ctx *c, int listener)
{
	char *path = c->proxy_path;
	_cleanup_close_ int theirs = -1;
	struct fdpass_msg m = { .kind = FDPASS_SECCOMP_LISTENER, .pid = c->child };
	struct pollfd pfd;
	int sp[2], fds[FDPASS_MAX_FDS], r;
	size_t n_fds = 0, i;
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	c->proxy_sock = sp[0];
	theirs = sp[1];
	g_ptr_array_add(argv, g_strdup(path));
	g_ptr_array_add(argv, g_strdup("--fd"));
	g_ptr_array_add(argv, g_strdup("3"));
	if (c->verbose)
		g_ptr_array_add(argv, g_strdup("--verbose"));
	/* the proxy answers SIOCGIF* and NETLINK_ROUTE from the same view */
	run_push_strv(argv, "--hide-if", c->policy.hide_if);
	g_ptr_array_add(argv, g_strdup("--resolv-conf"));
	g_ptr_array_add(argv, g_strdup(c->policy.resolv_path));
	g_ptr_array_add(argv, g_strdup("--hosts-file"));
	g_ptr_array_add(argv, g_strdup(c->policy.hosts_path));
	g_ptr_array_add(argv, NULL);
	r = run_spawn(&c->proxy, (char **)argv->pdata, theirs);
	if (r < 0) {
		log_err("cannot start %s: %s", path, strerror(-r));
		return r;
	}
	closep(&theirs);
	theirs = -1;
	r = fdpass_send(c->proxy_sock, &m, &listener, 1);
	if (r < 0)
		goto fail;
	pfd = (struct pollfd){ .fd = c->proxy_sock, .events = POLLIN };
	r = poll(&pfd, 1, RUN_PROXY_ACK_TIMEOUT_MS);
	if (r <= 0) {
		r = r == 0 ? -ETIMEDOUT : -errno;
		goto fail;
	}
	r = fdpass_recv(c->proxy_sock, &m, fds, ELEMENTSOF(fds), &n_fds);
	for (i = 0; r == 0 && i < n_fds; i++)
		close(fds[i]);
	if (r == 0 && m.kind != FDPASS_ACK)
		r = -EBADMSG;
	if (r == 0)
		r = m.status;
	if (r == 0)
		return 0;
fail:
	log_err("lxnet-proxy did not take the seccomp listener: %s", strerror(-r));
	return r;
}

static int run_ack(int ctl, int status)
{
	struct fdpass_msg m = { .kind = FDPASS_ACK, .status = status };

	return fdpass_send(ctl, &m, NULL, 0);
}

/**
 * run_serve_ctl() - handle one message from the child
 * @c: context
 *
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
	if (n_fds != 1) {
		r = -EBADMSG;
	} else if (m.kind == FDPASS_FUSE_DEVICE) {
		r = run_start_fs(c, fds[0]);
	} else if (m.kind == FDPASS_SECCOMP_LISTENER) {
		r = run_start_proxy(c, fds[0]);
	} else {
		r = -EBADMSG;
	}
	for (i = 0; i < n_fds; i++)
		close(fds[i]);
	if (r == -EBADMSG)
		log_err("unexpected message from the sandbox (kind %u)", m.kind);
	return run_ack(c->ctl, r);
}

/* Reap a companion that ended; warn when it ended before the sandbox. */
static void run_reap_companion(struct run_companion *comp, bool expected)
{
	siginfo_t si = { 0 };

	if (comp->pidfd < 0)
		return;
	if (waitid(P_PIDFD, comp->pidfd, &si, WEXITED | WNOHANG) < 0 ||
	    si.si_pid == 0)
		return;
	/* Status 0 is lxnetfs seeing its mount go: the sandbox is ending. */
	if (!expected && !(si.si_code == CLD_EXITED && si.si_status == 0))
		log_warn("%s ended while the sandbox runs (%s %d)", comp->name,
			 si.si_code == CLD_EXITED ? "status" : "signal",
			 si.si_status);
	closep(&comp->pidfd);
	comp->pidfd = -1;
	comp->pid = 0;
}

/**
 * run_stop_companion() - stop a companion within RUN_COMPANION_STOP_MS
 * @comp: which one
 *
 * SIGTERM, a bounded wait on its pidfd, then SIGKILL.
 */
static void run_stop_companion(struct run_companion *comp)
{
	struct pollfd p;

	if (comp->pidfd < 0)
		return;
	syscall(SYS_pidfd_send_signal, comp->pidfd, SIGTERM, NULL, 0);
	p = (struct pollfd){ .fd = comp->pidfd, .events = POLLIN };
	if (poll(&p, 1, RUN_COMPANION_STOP_MS) <= 0)
		syscall(SYS_pidfd_send_signal, comp->pidfd, SIGKILL, NULL, 0);
	/* After SIGKILL the wait is short; WNOHANG would race it. */
	{
		siginfo_t si;

		(void)waitid(P_PIDFD, comp->pidfd, &si, WEXITED);
	}
	closep(&comp->pidfd);
	comp->pidfd = -1;
	comp->pid = 0;
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

/**
 * run_loop() - serve the child until it ends
 * @c: context with the child started
 *
 * Return: the exit status lxnet returns.
 */
static int run_loop(struct run_ctx *c)
{
	for (;;) {
		struct pollfd p[4] = {
			{ .fd = c->child_pidfd, .events = POLLIN },
			{ .fd = c->sfd, .events = POLLIN },
			{ .fd = c->ctl, .events = POLLIN },
			{ .fd = c->fs.pidfd, .events = POLLIN },
		};
		int r;

		r = poll(p, ELEMENTSOF(p), -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return SANDBOX_EXIT_FAILURE;
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
		if (p[0].revents) {
			siginfo_t si = { 0 };

			if (waitid(P_PIDFD, c->child_pidfd, &si, WEXITED) < 0)
				return SANDBOX_EXIT_FAILURE;
			if (si.si_code == CLD_EXITED)
				return si.si_status;
			return 128 + si.si_status;
		}
		/* lxnetfs leaves on its own once the sandbox is gone: only
		 * an exit while the child lives is news. */
		if (p[3].revents) {
			siginfo_t si = { 0 };
			bool ended = waitid(P_PIDFD, c->child_pidfd, &si,
					    WEXITED | WNOHANG | WNOWAIT) == 0 &&
				     si.si_pid != 0;

			run_reap_companion(&c->fs, ended);
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
	if (pid < 0) {
		int e = errno;

		run_explain_userns(e);
		return -e;
	}
	if (pid == 0) {
		closep(&c->ctl);
		closep(&c->sfd);
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
 * Ours (same owner) whose PID is gone are removed; rmdir() only removes an
 * empty directory, and a live sandbox's lxnet still exists.
 */
static void run_sweep_staging(const char *tmpdir)
{
	g_autoptr(GDir) d = g_dir_open(tmpdir, 0, NULL);
	const char *name;
	unsigned int n = 0;

	while (d && (name = g_dir_read_name(d)) && n++ < 4096) {
		g_autofree char *path = NULL;
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
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
		    st.st_uid == getuid() && rmdir(path) == 0)
			log_debug("removed stale %s", path);
	}
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
	};
	struct fdpass_msg go = { .kind = SANDBOX_MSG_GO };
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
	r = run_clone(c, &cfg);
	if (r < 0)
		return r;
	r = sandbox_write_id_maps(c->child, getuid(), getgid());
	if (r < 0) {
		log_err("cannot write the sandbox's uid/gid maps: %s", strerror(-r));
		return r;
	}
	r = fdpass_send(c->ctl, &go, NULL, 0);
	if (r < 0)
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
	if (r < 0) {
		run_ctx_clear(&c);
		return LXNET_EXIT_USAGE;
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
	closep(&c.proxy_sock);
	c.proxy_sock = -1;
	run_stop_companion(&c.fs);
	run_stop_companion(&c.proxy);
	run_ctx_clear(&c);
	return status;
}
