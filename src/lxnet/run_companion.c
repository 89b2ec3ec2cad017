// SPDX-License-Identifier: LGPL-2.1-or-later
/* run_companion.c - `lxnet run`'s companions: started, handed the sandbox's fds, answered for, restarted, stopped */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdpass.h"
#include "log.h"
#include "lxnet_int.h"
#include "run_int.h"
#include "util.h"

/*
 * See run.c's "Theory of operation": lxnetfs and lxnet-proxy are started
 * before the sandbox, each with one end of a socketpair as fd 3; the fds
 * the sandbox sends up are passed on to them (run_serve_ctl()) and their
 * answers relayed or acted on (run_companion_answer()); one that ends while
 * the sandbox still uses what it served is started again and handed our
 * copies (run_reap_companion(), run_restart()).
 */

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
int run_memfd(const char *name, size_t size)
{
	_cleanup_close_ int fd = memfd_create(name, MFD_CLOEXEC |
						     MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
				   F_SEAL_SEAL) < 0)
		return -errno;
	return steal_fd(&fd);
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
		struct sigaction ign = { .sa_handler = SIG_IGN }, old;
		sigset_t blocked, none;
		int sig;

		/*
		 * Out of lxnet's process group first, then drop what was sent
		 * to the group while we were still in it (a ^C during
		 * start-up; lxnet got it too and ends us itself), then
		 * unblock: such a signal killed a companion still starting
		 * and lxnet reported it as a failure (exit 125). Every signal
		 * lxnet blocks is dropped, not a list kept by hand: a
		 * SIGUSR1 to the group (kill -USR1 %1) did the same (6 of
		 * 20 runs). The parent-death signal is asked for only after
		 * the drop, which would discard it too: an lxnet that died
		 * before is seen by getppid(), one that dies after kills us
		 * when we unblock.
		 */
		(void)setsid();
		sigprocmask(SIG_SETMASK, NULL, &blocked);
		for (sig = 1; sig < _NSIG; sig++) {
			if (sigismember(&blocked, sig) != 1)
				continue;
			sigemptyset(&ign.sa_mask);
			if (sigaction(sig, &ign, &old) == 0)
				(void)sigaction(sig, &old, NULL);
		}
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(SANDBOX_EXIT_FAILURE);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
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
int run_start_fs(struct run_ctx *c)
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
int run_start_proxy(struct run_ctx *c)
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
	if (c->netlink)
		g_ptr_array_add(argv, g_strdup_printf("--netlink=%s", c->netlink));
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
		if (!comp->resuming) /* run_restart() says it */
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
int run_serve_ctl(struct run_ctx *c)
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
			/* both or neither: a restart needs both */
			if (c->listener[0] < 0 || c->listener[1] < 0) {
				closep(&c->listener[0]);
				closep(&c->listener[1]);
				c->listener[0] = c->listener[1] = -1;
			}
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
void run_companion_answer(struct run_ctx *c, struct run_companion *comp)
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

/*
 * Whether one more restart stays within RUN_RESTARTS_PER_MIN a minute: the
 * ring's oldest time (the slot the next restart takes) is a minute old.
 */
static bool run_restart_room(const struct run_ctx *c)
{
	int64_t oldest = c->restarted[c->n_restarts % RUN_RESTARTS_PER_MIN];

	return !oldest ||
	       g_get_monotonic_time() - oldest >= (int64_t)60 * 1000000;
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
bool run_reap_companion(struct run_ctx *c, struct run_companion *comp,
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
				 si.si_status,
				 restart && run_restart_room(c) ?
				 ": restarting it" : "");
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
 * most RUN_RESTARTS_PER_MIN restarts within any minute, both companions
 * together: past that, or when the start fails, the sandbox is stopped.
 * A named sandbox's execs still waiting for the dead proxy's answer get
 * -EIO now (their listeners went with it).
 */
void run_restart(struct run_ctx *c, struct run_companion *comp)
{
	int fds[3];
	size_t n;
	int r;

	if (!run_restart_room(c)) {
		log_err("companions ended %d times within a minute, the last %s: the sandbox is stopped",
			RUN_RESTARTS_PER_MIN + 1, comp->name);
		run_fail_sandbox(c);
		return;
	}
	c->restarted[c->n_restarts % RUN_RESTARTS_PER_MIN] =
		g_get_monotonic_time();
	c->n_restarts++;
	if (comp == &c->proxy)
		run_named_answer(c->named, -EIO);
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
	comp->resuming = true;
	if (r == 0)
		r = run_pass_on(c, comp, comp == &c->fs ? FDPASS_FUSE_DEVICE :
					 FDPASS_SECCOMP_LISTENER,
				comp == &c->fs ? FDPASS_FUSE_RESUME : 0, fds, n);
	if (r < 0) {
		comp->resuming = false;
		log_err("%s could not be restarted: the sandbox is stopped",
			comp->name);
		run_fail_sandbox(c);
	}
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
void run_stop_companions(struct run_ctx *c)
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


/*
 * A companion's answer is past its deadline: the proxy's for the listener,
 * or a restarted lxnetfs's: fail the run.
 */
void run_too_late(struct run_ctx *c, struct run_companion *comp)
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
int64_t run_deadline(const struct run_ctx *c)
{
	int64_t d = c->proxy.pending ? c->proxy.deadline : 0;

	if (c->fs.pending && c->fs.resuming && (!d || c->fs.deadline < d))
		d = c->fs.deadline;
	return d;
}
