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
#include "registry.h"
#include "run_int.h"
#include "run_named.h"
#include "sandbox.h"
#include "seccomp_filter.h"
#include "seccomp_notif.h"
#include "userns.h"
#include "util.h"
#include "view.h"

/* The name usage lines and usage errors give. */
#define RUN_PROG "lxnet run"

static const int run_forwarded[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
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
	g_free(c->netlink);
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
		  "Keep these files as they are (resolv.conf, hosts, hostname, proc-net, sys-class-net)",
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
		{ "netlink", 0, 0, G_OPTION_ARG_STRING, &c->netlink,
		  "auto (default): NETLINK_ROUTE sockets are the host's own while no interface is hidden; emulated: always lxnet-proxy's",
		  "MODE" },
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
		"2 for a usage error, 125 when lxnet itself fails, 126 when CMD\n"
		"cannot be executed, 127 when CMD is not found. See lxnet(1).",
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
			return cli_usage_error(RUN_PROG, "invalid --no-generate '%s' (want resolv.conf, hosts, hostname, proc-net or sys-class-net)",
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
	if (c->netlink && strcmp(c->netlink, "auto") != 0 &&
	    strcmp(c->netlink, "emulated") != 0)
		return cli_usage_error(RUN_PROG, "invalid --netlink '%s' (want auto or emulated)",
				       c->netlink);
	if (!c->cmd || !c->cmd[0])
		return cli_usage_error(RUN_PROG, "no command given");
	if (c->name && registry_name_check(c->name) < 0)
		return cli_usage_error(RUN_PROG, "invalid --name '%s' (use 1 to %d letters, digits, '_', '.' or '-', starting with a letter or digit)",
				       c->name, REGISTRY_NAME_MAX);
	if (run_parse_binds(c) < 0)
		return -EINVAL;
	if (netpolicy_active(&c->netpolicy))
		c->filter_flags |= TRAP_FILTER_GOVERN;
	if (netpolicy_publishing(&c->netpolicy))
		c->filter_flags |= TRAP_FILTER_PUBLISH;
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

/*
 * Forward a signal unless the kernel sent it (it reached CMD already).
 * Either way one that ends a process by default is noted: CMD may end of
 * it, and its status then stands (run_await_answer()); the signal is read
 * here, so it is no longer pending when CMD's end is seen.
 */
static void run_forward_signal(struct run_ctx *c)
{
	struct signalfd_siginfo si;

	if (read(c->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo != SIGWINCH)
		c->signalled = true;
	if (si.ssi_code == SI_KERNEL)
		return;
	log_debug("forwarding signal %u", si.ssi_signo);
	syscall(SYS_pidfd_send_signal, c->child_pidfd, si.ssi_signo, NULL, 0);
}

/*
 * A signal read before the child exists reached no process of the
 * sandbox, even one the kernel sent to the whole process group (a ^C
 * while the companions start): the child gets it once cloned (with --pid
 * its init hands it to CMD once CMD is forked).
 */
static void run_read_early_signals(struct run_ctx *c)
{
	struct signalfd_siginfo si;

	while (c->n_early < ELEMENTSOF(c->early) &&
	       read(c->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGWINCH)
			c->signalled = true;
		c->early[c->n_early++] = (int)si.ssi_signo;
	}
}

static void run_forward_early_signals(struct run_ctx *c)
{
	size_t i;

	for (i = 0; i < c->n_early; i++) {
		log_debug("forwarding signal %d (sent before the sandbox existed)",
			  c->early[i]);
		syscall(SYS_pidfd_send_signal, c->child_pidfd, c->early[i],
			NULL, 0);
	}
	c->n_early = 0;
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
 * A signal read before CMD's end was seen counts too (@c->signalled): a
 * terminal's ^C reaches lxnet and CMD at once, and CMD's 130 must not
 * wait for, or turn into 125 with, a proxy still starting on a loaded
 * machine. An answer already queued is read before the deadline is
 * judged: lxnet itself may have been held up past it.
 */
static void run_await_answer(struct run_ctx *c)
{
	while (c->proxy.pending && c->proxy.sock >= 0 && !c->signalled) {
		struct pollfd p[2] = {
			{ .fd = c->proxy.sock, .events = POLLIN },
			{ .fd = c->sfd, .events = POLLIN },
		};
		int64_t left = c->proxy.deadline - g_get_monotonic_time();
		int r;

		r = poll(p, ELEMENTSOF(p), left > 0 ? (int)(left / 1000) + 1 : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || p[1].revents)
			return;
		if (p[0].revents)
			run_companion_answer(c, &c->proxy);
		else if (left <= 0)
			run_too_late(c, &c->proxy);
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
 * run_nested_usage() - refuse the options a nested `lxnet run` cannot honour
 * @c: parsed context
 *
 * Inside another sandbox's seccomp listener (run_nested()), --hide-if,
 * --netlink and a connection policy given on the command line cannot be
 * honoured: the outer proxy answers netlink and ioctls and makes the
 * connections. That is bad usage of this invocation, known before anything
 * is set up and mended by changing the command line, not a failure of
 * lxnet: reported as a usage error (status 2), as "--bind needs --root" is.
 *
 * Return: 0, or -EINVAL (reported).
 */
static int run_nested_usage(const struct run_ctx *c)
{
	if (seccomp_listener_present() <= 0)
		return 0; /* none, or no seccomp: run_precheck() says so */
	if (c->policy.hide_if_cmdline || c->netlink)
		return cli_usage_error(RUN_PROG, "%s cannot apply inside another "
				       "sandbox's seccomp listener: its proxy "
				       "answers netlink and ioctls",
				       c->netlink ? "--netlink" : "--hide-if");
	if (c->netpolicy.cmdline_active)
		return cli_usage_error(RUN_PROG, "--allow, --deny, "
				       "--no-host-loopback, --policy, "
				       "--log-connections and --publish cannot "
				       "apply inside another sandbox's seccomp "
				       "listener: its proxy makes the connections, "
				       "under its own policy");
	return 0;
}

/**
 * run_nested() - inside another sandbox's seccomp listener, share its network
 * @c: context, through run_nested_usage()
 * @cfg: the child's configuration; share_net is set when nested
 *
 * The kernel allows one seccomp listener per filter chain (seccomp(2),
 * EBUSY), so `lxnet run` inside `lxnet run` or `lxnet shim` cannot install
 * its own. Its sandbox then keeps the network namespace it was started in,
 * whose calls the outer lxnet-proxy already serves with the host's
 * network, and starts no proxy of its own; the view files are its own.
 * --hide-if, --netlink and a connection policy cannot be honoured there
 * (the outer proxy answers netlink and ioctls and makes the connections),
 * so on the command line they were refused (run_nested_usage()) rather
 * than half applied; from a configuration file (the user's defaults) they
 * are left out, with a debug line, so that a nested `lxnet run` works with
 * the same file.
 *
 * Return: 0 or -errno (reported).
 */
static int run_nested(struct run_ctx *c, struct sandbox_config *cfg)
{
	int r = seccomp_listener_present();

	if (r <= 0)
		return 0; /* none, or no seccomp: run_precheck() said so */
	if (c->policy.hide_if && c->policy.hide_if[0]) {
		log_debug("nested: the configuration's hide-if left out "
			  "(the outer proxy answers netlink and ioctls)");
		g_strfreev(c->policy.hide_if);
		c->policy.hide_if = NULL;
	}
	if (netpolicy_active(&c->netpolicy) ||
	    netpolicy_publishing(&c->netpolicy)) {
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

	/*
	 * Before the staging directory exists: a ^C between its mkdir and
	 * here killed lxnet and left it behind (removed only by a later
	 * sweep, and never when our pid is alive in the sweeper's pid
	 * namespace). From here on a signal is read, and passed to CMD.
	 */
	sigemptyset(&set);
	for (i = 0; i < ELEMENTSOF(run_forwarded); i++)
		sigaddset(&set, run_forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	c->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (c->sfd < 0)
		return -errno;
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
	if (r == 0)
		r = run_start_fs(c);
	if (r == 0 && !cfg.share_net)
		r = run_start_proxy(c);
	if (r == 0) {
		run_read_early_signals(c);
		r = run_clone(c, &cfg);
	}
	if (r < 0)
		return r;
	run_forward_early_signals(c);
	/*
	 * After the clone, so the sandbox never holds them (with --pid its
	 * init does not exec); without them a companion that ends is not
	 * restarted (run_restart()).
	 */
	r = c->fs_state = run_memfd("lxnetfs-state", FDPASS_FS_STATE_SIZE);
	if (r >= 0 && !cfg.share_net)
		r = c->journal = run_memfd("lxnet-proxy-inflight",
					   NOTIF_JOURNAL_SIZE);
	if (r < 0) {
		log_warn("cannot make a memfd (%s): a companion that ends will "
			 "not be restarted", strerror(-r));
		closep(&c->fs_state);
		c->fs_state = c->journal = -1;
	}
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
	if (r == 0)
		r = run_nested_usage(&c);
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
