// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * shim.c - the shim: install the seccomp filter, hand its listener to
 * lxnet-proxy, exec. libc and libseccomp only (shim.h): linked into lxnet
 * (`lxnet shim`) and, statically, into lxnet-shim.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdpass.h"
#include "log.h"
#include "seccomp_filter.h"
#include "shim.h"
#include "trapped.h"

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
static int shim_check_peer(int sock, const char *path, int64_t trust_uid)
{
	uid_t uid;
	int r;

	r = fdpass_peer_uid(sock, &uid);
	if (r < 0)
		return r;
	if (uid == geteuid() || uid == 0 || (int64_t)uid == trust_uid)
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
 *	connection policy); also written for flags this shim does not know
 *
 * Return: 0, -ETIMEDOUT, -EPROTO for an answer that is not an FDPASS_ACK
 * or whose flags hold a bit outside TRAP_FILTER_KNOWN (a proxy newer than
 * this shim: @ret_flags says which), the proxy's -errno (-EPERM: it does not serve
 * this user), or -errno.
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
	return (*ret_flags & ~TRAP_FILTER_KNOWN) ? -EPROTO : 0;
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
		log_err("cannot install the seccomp filter: %s", strerror(-r));
		break;
	}
	return SHIM_EXIT_FAILURE;
}

/* One line for a failed connect to the proxy at @path. */
static int shim_fail_connect(const char *path, int r)
{
	if (r == -ENOENT || r == -ECONNREFUSED)
		log_err("no lxnet-proxy is listening at %s (%s); start one with "
			"'lxnet-proxy --socket %s'", path, strerror(-r), path);
	else
		log_err("cannot connect to lxnet-proxy at %s: %s", path,
			strerror(-r));
	return SHIM_EXIT_FAILURE;
}

/**
 * shim_parse_number() - --timeout's and --trust-uid's value, in decimal
 * @opt: the option as typed ("-t", "--timeout"), for the message
 * @val: its value
 * @min: least value taken
 * @max: greatest value taken
 * @ret: the value
 * @msg: where a usage error is written
 * @msg_len: its size
 *
 * Both front ends read numbers here, so that `lxnet shim` and lxnet-shim
 * take the same values (decimal only: "010" is ten, not eight) and say the
 * same about the others.
 * Return: 0, or -EINVAL with @msg set.
 */
int shim_parse_number(const char *opt, const char *val, int64_t min,
		      int64_t max, int64_t *ret, char *msg, size_t msg_len)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(val, &end, 10);
	if (val[0] == '\0' || *end != '\0' || (errno && errno != ERANGE)) {
		snprintf(msg, msg_len, "Cannot parse integer value '%s' for %s",
			 val, opt);
		return -EINVAL;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(msg, msg_len, "Integer value '%s' for %s out of range",
			 val, opt);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

/**
 * shim_conf_check() - what is wrong with a command line, if anything
 * @c: the options
 * @cmd: the command and its arguments (NULL-terminated), or NULL
 *
 * Return: NULL, or the usage error to report.
 */
const char *shim_conf_check(const struct shim_conf *c, char *const *cmd)
{
	if (!cmd || !cmd[0])
		return "no command given";
	if (c->timeout <= 0 || c->timeout > SHIM_ACK_TIMEOUT_MAX)
		return "--timeout must be 1..3600";
	if (c->trust_uid < -1 || c->trust_uid > (int64_t)UINT32_MAX - 1)
		return "--trust-uid must be a uid";
	return NULL;
}

/**
 * shim_print_filter() - --print-filter: the filter as pseudo code on stdout
 *
 * Return: exit status.
 */
int shim_print_filter(void)
{
	int r;

	fflush(stdout);
	r = seccomp_filter_export_pfc(0, STDOUT_FILENO);
	if (r < 0) {
		log_err("cannot print the filter: %s", strerror(-r));
		return SHIM_EXIT_FAILURE;
	}
	return 0;
}

/**
 * shim_exec() - connect, install the filter, hand its listener over, exec
 * @c: the options (shim_conf_check() passed)
 * @cmd: the command and its arguments
 *
 * Return: exit status; on success CMD has replaced this process.
 */
int shim_exec(const struct shim_conf *c, char *const *cmd)
{
	_cleanup_free_ char *dflt = NULL;
	const char *proxy = c->proxy;
	_cleanup_close_ int sock = -1;
	_cleanup_close_ int listener = -1;
	unsigned int flags = 0;
	int r;

	if (!proxy) {
		_cleanup_free_ char *dir = NULL;

		r = fdpass_default_path(&dflt);
		if (r == -ENOENT) {
			log_err("no default --proxy path here: nested user "
				"namespaces hide which user this is; give "
				"--proxy PATH");
			return SHIM_EXIT_FAILURE;
		}
		dir = r == 0 ? strdup(dflt) : NULL;
		if (!dir) {
			log_err("no memory for the default --proxy path");
			return SHIM_EXIT_FAILURE;
		}
		/* the listener goes to whoever listens there */
		*strrchr(dir, '/') = '\0';
		r = fdpass_private_dir(dir, false, 022);
		if (r == -EPERM || r == -ENOTDIR) {
			log_err("%s is not a directory only this user may change: "
				"a socket there could be anyone's (remove it, or "
				"give --proxy PATH)", dir);
			return SHIM_EXIT_FAILURE;
		}
		proxy = dflt;
	}
	r = shim_connect(proxy, &sock);
	if (r < 0)
		return shim_fail_connect(proxy, r);
	if (shim_check_peer(sock, proxy, c->trust_uid) < 0)
		return SHIM_EXIT_FAILURE;
	r = shim_hello(sock, c->timeout, &flags);
	if (r == -EPROTO && (flags & ~TRAP_FILTER_KNOWN)) {
		log_err("lxnet-proxy at %s asks for filter features this lxnet "
			"shim does not know (flags %#x): use a shim as new as "
			"the proxy", proxy, flags & ~TRAP_FILTER_KNOWN);
		return SHIM_EXIT_FAILURE;
	}
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
		r = shim_wait_ack(sock, sent, c->timeout);
	}
	if (r == -ETIMEDOUT) {
		log_err("lxnet-proxy at %s did not answer within %d s",
			proxy, c->timeout);
		return SHIM_EXIT_FAILURE;
	}
	if (r < 0) {
		log_err("lxnet-proxy at %s did not take the sandbox: %s",
			proxy, strerror(-r));
		return SHIM_EXIT_FAILURE;
	}
	/* Nothing of ours may reach CMD: both fds are O_CLOEXEC, close anyway. */
	closep(&listener);
	listener = -1;
	closep(&sock);
	sock = -1;
	execvp(cmd[0], cmd);
	r = errno;
	log_err("cannot run %s: %s", cmd[0], strerror(r));
	return r == ENOENT ? 127 : 126;
}
