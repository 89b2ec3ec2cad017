// SPDX-License-Identifier: LGPL-2.1-or-later
/* landlock.c - a Landlock domain refusing the sandbox's own TCP connects and binds */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"

/*
 * The uapi of Linux 6.7 (linux/landlock.h), spelt out here: Debian 12's
 * headers (6.1) know neither the network access rights nor the
 * handled_access_net field.
 */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LL_ACCESS_NET_CONNECT_TCP (1ULL << 1)

/* struct landlock_ruleset_attr up to handled_access_net (ABI 4). */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
};

/**
 * landlock_abi() - the Landlock ABI version the running kernel offers
 *
 * Return: the version (>= 1), or -errno: -ENOSYS without Landlock in the
 * kernel, -EOPNOTSUPP when it is built in but not enabled (lsm=).
 */
int landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
			 LL_CREATE_RULESET_VERSION);

	return v < 0 ? -errno : (int)v;
}

/**
 * landlock_deny_tcp() - refuse every TCP connect and bind that the calling
 * thread and what it later forks or execs make themselves
 *
 * A ruleset handling LANDLOCK_ACCESS_NET_CONNECT_TCP and
 * LANDLOCK_ACCESS_NET_BIND_TCP with no rule: connect() and bind() on a TCP
 * socket, of any network namespace, fail EACCES for the domain's tasks.
 * Nothing else is restricted (no file system access is handled).
 * Needs PR_SET_NO_NEW_PRIVS (or CAP_SYS_ADMIN) first. Only connect() and
 * bind() are checked by Landlock: an implicit connect by
 * sendto(MSG_FASTOPEN) is not (listen()'s implicit bind takes port 0),
 * and MPTCP sockets are not TCP ones to it (lxnet-proxy keeps both away:
 * proxy/govern.c, proxy/sockets.c).
 *
 * Return: 0, -EOPNOTSUPP when the kernel has no Landlock TCP rules (ABI < 4,
 * or Landlock off), or -errno.
 */
int landlock_deny_tcp(void)
{
	struct ll_ruleset_attr attr = {
		.handled_access_net = LL_ACCESS_NET_CONNECT_TCP |
				      LL_ACCESS_NET_BIND_TCP,
	};
	long fd;
	int r;

	r = landlock_abi();
	if (r < LANDLOCK_ABI_NET)
		return r < 0 && r != -ENOSYS && r != -EOPNOTSUPP ? r : -EOPNOTSUPP;
	fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -errno;
	r = syscall(SYS_landlock_restrict_self, (int)fd, 0) < 0 ? -errno : 0;
	close((int)fd);
	return r;
}
