// SPDX-License-Identifier: LGPL-2.1-or-later
/* shim.c - `lxnet shim`: install the seccomp filter, hand its listener to lxnet-proxy, exec */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "fdpass.h"
#include "log.h"
#include "lxnet_int.h"
#include "seccomp_filter.h"
#include "util.h"

#define SHIM_ACK_TIMEOUT_DEFAULT 10 /* seconds */
#define SHIM_ACK_TIMEOUT_MAX 3600
#define SHIM_EXIT_FAILURE 125 /* lxnet itself failed, as lxnet run */
#define SHIM_PROG "lxnet shim" /* in usage lines and usage errors */

/*
 * struct shim_opts - what the command line asked for
 * @proxy: path of lxnet-proxy's control socket (NULL: fdpass_default_path())
 * @timeout: seconds to wait for the proxy's answer
 * @trust_uid: a peer uid trusted besides this user's and root's, or -1
 * @print_filter: print the filter (pseudo code) and exit
 * @verbose: debug logging
 * @cmd: the command and its arguments
 */
struct shim_opts {
	char *proxy;
	int timeout;
	gint64 trust_uid;
	gboolean print_filter;
	gboolean verbose;
	char **cmd;
};

static void shim_opts_clear(struct shim_opts *o)
{
	g_free(o->proxy);
	g_strfreev(o->cmd);
}

/**
 * shim_connect() - connect to lxnet-proxy's control socket
 * @path: its path
 * @ret_fd: connected SOCK_SEQPACKET socket
 *
 * Runs before the filter exists (an AF_UNIX socket is never trapped, but
 * connecting first means a missing proxy is reported before anything
 * changes in this process).
 *
 * Return: 0 or -errno (-ENAMETOOLONG for a path sun_path cannot hold).
 */
static int shim_connect(const char *path, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	*ret_fd = steal_fd(&fd);
	return 0;
}

/**
 * shim_check_peer() - refuse a proxy run by another user
 * @sock: the connected control socket
 * @path: its path, for the message
 * @trust_uid: a uid trusted besides, or -1 (--trust-uid)
 *
 * The listener hands the proxy every socket() of the sandbox: a socket
 * path in a directory others can write (a shared sticky /tmp) may have been
 * taken by another user's listener first. Only a peer of this user, or
 * root, is trusted. The ids are seen through this process's user
 * namespace: under `unshare -r` the user is 0, and real root, like every
 * other unmapped user, reads as the overflow uid (65534), so a root-run
 * proxy is trusted there only through @trust_uid.
 *
 * Return: 0 when trusted, -EPERM (after one line on stderr) or -errno.
 */
static int shim_check_peer(int sock, const char *path, gint64 trust_uid)
{
	uid_t uid;
	int r;

	r = fdpass_peer_uid(sock, &uid);
	if (r < 0)
		return r;
	if (uid == geteuid() || uid == 0 || (gint64)uid == trust_uid)
		return 0;
	log_err("the socket at %s is served by uid %u, neither you (uid %u) "
		"nor root: not handing it this sandbox (use a path only you can "
		"write, such as the default $XDG_RUNTIME_DIR/" FDPASS_SOCKET_DIR
		"/" FDPASS_SOCKET_NAME ")", path, (unsigned int)uid,
		(unsigned int)geteuid());
	return -EPERM;
}

/**
 * shim_hello() - ask the proxy what the filter must trap
 * @sock: connected control socket
 * @timeout_s: bound on the wait for the answer
 * @ret_flags: TRAP_FILTER_* (TRAP_FILTER_GOVERN when the proxy enforces a
 *	connection policy)
 *
 * Return: 0, -ETIMEDOUT, -EPROTO for an answer that is not an FDPASS_ACK,
 * the proxy's -errno (-EPERM: it does not serve this user), or -errno.
 */
static int shim_hello(int sock, int timeout_s, unsigned int *ret_flags)
{
	struct fdpass_msg msg = { .kind = FDPASS_HELLO, .pid = (int32_t)getpid() };
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	size_t n_fds = 0;
	int fds[FDPASS_MAX_FDS];
	int r;

	r = fdpass_send(sock, &msg, NULL, 0);
	/* a proxy that refused us at once answered and closed: read why */
	if (r < 0 && r != -EPIPE && r != -ECONNRESET)
		return r;
	do
		r = poll(&pfd, 1, timeout_s * 1000);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	r = fdpass_recv(sock, &msg, fds, ELEMENTSOF(fds), &n_fds);
	if (r < 0)
		return r;
	while (n_fds > 0)
		close(fds[--n_fds]);
	if (msg.kind != FDPASS_ACK)
		return -EPROTO;
	if (msg.status < 0)
		return msg.status;
	*ret_flags = (unsigned int)msg.status;
	return 0;
}

/**
 * shim_wait_ack() - wait for the proxy's answer to the listener
 * @sock: connected control socket
 * @sent: the send's result (seccomp_filter_install_send())
 * @timeout_s: bound on the wait for the answer
 *
 * Return: 0 when the proxy serves the listener, -ETIMEDOUT, -EPROTO for an
 * answer that is not an FDPASS_ACK, the proxy's -errno, or -errno.
 */
static int shim_wait_ack(int sock, int sent, int timeout_s)
{
	struct fdpass_msg msg;
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	size_t n_fds = 0;
	int fds[FDPASS_MAX_FDS];
	int r;

	/* a proxy that refused us at once answered and closed: read why */
	if (sent == -EPIPE || sent == -ECONNRESET)
		timeout_s = 0;
	else if (sent < 0)
		return sent;
	do
		r = poll(&pfd, 1, timeout_s * 1000);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return timeout_s ? -ETIMEDOUT : -EPIPE;
	r = fdpass_recv(sock, &msg, fds, ELEMENTSOF(fds), &n_fds);
	if (r < 0)
		return r;
	while (n_fds > 0)
		close(fds[--n_fds]);
	if (msg.kind != FDPASS_ACK)
		return -EPROTO;
	return msg.status > 0 ? -EPROTO : msg.status;
}

static int shim_fail_install(int r)
{
	switch (r) {
	case -EOPNOTSUPP:
		log_err("this kernel has no seccomp user notification "
			"(lxnet needs Linux 5.14 or later with CONFIG_SECCOMP_FILTER)");
		break;
	case -EBUSY:
		log_err("this process already has a seccomp filter with a "
			"listener (nested lxnet shim?); the kernel allows one");
		break;
	default:
		log_err("cannot install the seccomp filter: %s", g_strerror(-r));
		break;
	}
	return SHIM_EXIT_FAILURE;
}

/* One line for a failed connect to the proxy at @path. */
static int shim_fail_connect(const char *path, int r)
{
	if (r == -ENOENT || r == -ECONNREFUSED)
		log_err("no lxnet-proxy is listening at %s (%s); start one with "
			"'lxnet-proxy --socket %s'", path, g_strerror(-r), path);
	else
		log_err("cannot connect to lxnet-proxy at %s: %s", path,
			g_strerror(-r));
	return SHIM_EXIT_FAILURE;
}

static int shim_run(const struct shim_opts *o)
{
	_cleanup_close_ int sock = -1;
	_cleanup_close_ int listener = -1;
	unsigned int flags = 0;
	int r;

	r = shim_connect(o->proxy, &sock);
	if (r < 0)
		return shim_fail_connect(o->proxy, r);
	if (shim_check_peer(sock, o->proxy, o->trust_uid) < 0)
		return SHIM_EXIT_FAILURE;
	r = shim_hello(sock, o->timeout, &flags);
	if (r == 0) {
		const struct fdpass_msg m = { .kind = FDPASS_SECCOMP_LISTENER,
					      .pid = (int32_t)getpid() };
		_cleanup_close_ int netns = -1;
		int sent = 0;

		/* the proxy serves callers in this namespace only (fdpass.h) */
		netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (netns < 0)
			return shim_fail_install(-errno);
		r = seccomp_filter_install_send(flags, sock, &m, netns,
						&listener, &sent);
		if (r < 0)
			return shim_fail_install(r);
		r = shim_wait_ack(sock, sent, o->timeout);
	}
	if (r == -ETIMEDOUT) {
		log_err("lxnet-proxy at %s did not answer within %d s",
			o->proxy, o->timeout);
		return SHIM_EXIT_FAILURE;
	}
	if (r < 0) {
		log_err("lxnet-proxy at %s did not take the sandbox: %s",
			o->proxy, g_strerror(-r));
		return SHIM_EXIT_FAILURE;
	}
	/* Nothing of ours may reach CMD: both fds are O_CLOEXEC, close anyway. */
	closep(&listener);
	listener = -1;
	closep(&sock);
	sock = -1;
	execvp(o->cmd[0], o->cmd);
	r = errno;
	log_err("cannot run %s: %s", o->cmd[0], g_strerror(r));
	return r == ENOENT ? 127 : 126;
}

/**
 * shim_main() - `lxnet shim --proxy PATH -- CMD [ARG...]`
 * @argc: argument count, argv[0] is "shim"
 * @argv: arguments
 *
 * Return: exit status (CMD replaces this process on success).
 */
int shim_main(int argc, char **argv)
{
	struct shim_opts o = { .timeout = SHIM_ACK_TIMEOUT_DEFAULT,
			       .trust_uid = -1 };
	const GOptionEntry entries[] = {
		{ "proxy", 'p', 0, G_OPTION_ARG_FILENAME, &o.proxy,
		  "lxnet-proxy's control socket (default "
		  "$XDG_RUNTIME_DIR/" FDPASS_SOCKET_DIR "/" FDPASS_SOCKET_NAME ")",
		  "PATH" },
		{ "trust-uid", 0, 0, G_OPTION_ARG_INT64, &o.trust_uid,
		  "also hand the sandbox to a proxy of UID, as seen here (in a "
		  "user namespace, root and other unmapped users are 65534)",
		  "UID" },
		{ "timeout", 't', 0, G_OPTION_ARG_INT, &o.timeout,
		  "seconds to wait for the proxy's answer (default 10)", "SECS" },
		{ "print-filter", 0, 0, G_OPTION_ARG_NONE, &o.print_filter,
		  "print the seccomp filter as pseudo code and exit", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose,
		  "debug messages", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.cmd,
		  NULL, NULL },
		{ NULL },
	};
	const struct cli_spec spec = {
		.prog = SHIM_PROG,
		.params = "[--proxy PATH] -- CMD [ARG...]",
		.summary =
		"Run CMD with its AF_INET/AF_INET6 sockets created in the host's\n"
		"network namespace by a running lxnet-proxy. For sandboxes made\n"
		"by something else (unshare -rn, bubblewrap, a container runtime):\n"
		"connects to the proxy, installs a seccomp filter that traps\n"
		"socket(AF_INET|AF_INET6) (and i386 socketcall), hands the filter's\n"
		"listener to the proxy and execs CMD. Everything else (AF_UNIX,\n"
		"socketpair, other families, /etc files) stays the sandbox's own.\n"
		"The filter is inherited by CMD's children and cannot be removed;\n"
		"if the proxy stops, trapped calls fail with ENOSYS. The proxy\n"
		"must be run by the same user or by root (checked before the\n"
		"listener is sent). Failures of lxnet itself exit 125.",
		.entries = entries,
		.flags = CLI_STOP_AT_CMD,
	};
	int ret;

	ret = cli_parse(&spec, &argc, &argv);
	if (ret != 0) {
		shim_opts_clear(&o);
		return cli_exit_status(ret);
	}
	log_init("lxnet shim", o.verbose ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	if (o.print_filter) {
		fflush(stdout);
		ret = seccomp_filter_export_pfc(0, STDOUT_FILENO);
		if (ret < 0)
			log_err("cannot print the filter: %s", g_strerror(-ret));
		shim_opts_clear(&o);
		return ret < 0 ? SHIM_EXIT_FAILURE : 0;
	}
	if (!o.cmd || !o.cmd[0] || o.trust_uid < -1 ||
	    o.trust_uid > G_MAXUINT32 - 1 ||
	    o.timeout <= 0 || o.timeout > SHIM_ACK_TIMEOUT_MAX) {
		cli_usage_error(SHIM_PROG, "%s",
			(!o.cmd || !o.cmd[0]) ? "no command given" :
			(o.timeout <= 0 || o.timeout > SHIM_ACK_TIMEOUT_MAX) ?
			"--timeout must be 1..3600" :
			"--trust-uid must be a uid");
		shim_opts_clear(&o);
		return CLI_EXIT_USAGE;
	}
	if (!o.proxy && fdpass_default_path(&o.proxy) < 0) {
		log_err("no --proxy PATH and no $XDG_RUNTIME_DIR for the default");
		shim_opts_clear(&o);
		return SHIM_EXIT_FAILURE;
	}
	ret = shim_run(&o);
	shim_opts_clear(&o);
	return ret;
}
