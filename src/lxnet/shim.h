/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shim.h - the shim's work, shared by `lxnet shim` (src/lxnet/shim_cli.c,
 * GLib's option parser) and the static lxnet-shim (src/lxnet/lxnet-shim.c,
 * getopt): libc and libseccomp only, so that lxnet-shim runs in a rootfs
 * with nothing of the host's
 */
#ifndef LXNET_SHIM_H
#define LXNET_SHIM_H

#include <stddef.h>
#include <stdint.h>

#define SHIM_ACK_TIMEOUT_DEFAULT 10 /* seconds */
#define SHIM_ACK_TIMEOUT_MAX 3600
#define SHIM_EXIT_FAILURE 125 /* lxnet itself failed, as lxnet run */

/* The text above the options in both programs' --help. */
#define SHIM_SUMMARY \
	"Run CMD with its AF_INET/AF_INET6 sockets created in the host's\n" \
	"network namespace by a running lxnet-proxy. For sandboxes made\n" \
	"by something else (unshare -rn, bubblewrap, a container runtime):\n" \
	"connects to the proxy, installs a seccomp filter that traps the\n" \
	"calls the proxy serves (socket() for AF_INET, AF_INET6 and\n" \
	"NETLINK_ROUTE, the interface ioctls, the emulated netlink\n" \
	"endpoints' calls), hands the filter's listener to the proxy and\n" \
	"execs CMD. Everything else (AF_UNIX, socketpair, other families,\n" \
	"/etc files) stays the sandbox's own. The filter is inherited by\n" \
	"CMD's children and cannot be removed; if the proxy stops, trapped\n" \
	"calls fail with ENOSYS. The proxy must be run by the same user or\n" \
	"by root (checked before the listener is sent). Failures of the\n" \
	"shim itself exit 125, usage errors 2.\n"

/* Help lines of the options both programs share. */
#define SHIM_HELP_PROXY \
	"lxnet-proxy's control socket (default: where lxnet-proxy listens " \
	"without --socket, proxy.sock in $XDG_RUNTIME_DIR/lxnet, else " \
	"/run/user/UID/lxnet or $TMPDIR/lxnet-UID)"
#define SHIM_HELP_TRUST_UID \
	"also hand the sandbox to a proxy of UID, as seen here (in a user " \
	"namespace, root and other unmapped users are 65534)"
#define SHIM_HELP_TIMEOUT \
	"seconds to wait for the proxy's answer (default 10)"
#define SHIM_HELP_PRINT_FILTER \
	"print the seccomp filter as pseudo code and exit"

/**
 * struct shim_conf - what the command line asked for
 * @proxy: path of lxnet-proxy's control socket (NULL: fdpass_default_path())
 * @timeout: seconds to wait for the proxy's answer
 * @trust_uid: a peer uid trusted besides this user's and root's, or -1
 */
struct shim_conf {
	const char *proxy;
	int timeout;
	int64_t trust_uid;
};

int shim_parse_number(const char *opt, const char *val, int64_t min,
		      int64_t max, int64_t *ret, char *msg, size_t msg_len);
const char *shim_conf_check(const struct shim_conf *c, char *const *cmd);
int shim_print_filter(void);
int shim_exec(const struct shim_conf *c, char *const *cmd);

#endif
