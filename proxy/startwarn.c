// SPDX-License-Identifier: LGPL-2.1-or-later
/* startwarn.c - what this host will not give the proxy's options, said once at start */
/*
 * A proxy started with options this host cannot honour still serves (the
 * host may change, other sandboxes need it), but says so at start, in
 * one line each, rather than leave the sandbox's program to meet an errno
 * it cannot explain.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/nsfs.h>

#include <glib.h>

#include "landlock.h"
#include "log.h"
#include "netpolicy.h"
#include "proxy_int.h"
#include "util.h"

/*
 * Under a policy the sandbox's own TCP connects are refused by Landlock
 * (src/landlock.h, entered by the shim or lxnet run with the filter); a
 * kernel without its TCP rules leaves a thread that swaps a host socket
 * under a call the proxy hands back to the kernel a way past the policy.
 * This kernel is the sandboxes' kernel too.
 */
static void startwarn_landlock(void)
{
	int abi = landlock_abi();

	if (abi >= LANDLOCK_ABI_NET)
		return;
	log_warn("this kernel has no Landlock TCP rules (%s%s): a sandboxed "
		 "program swapping file descriptors between threads can make a "
		 "TCP connect the policy did not decide (Linux 6.7 closes it)",
		 abi < 0 ? "Landlock: " : "Landlock ABI < 4",
		 abi < 0 ? g_strerror(-abi) : "");
}

/* The proxy's network namespace's net.ipv4.ip_unprivileged_port_start
 * (it applies to IPv6 too), or 1024, the kernel's default, unread. */
static unsigned int startwarn_unprivileged_start(void)
{
	g_autofree char *buf = NULL;
	size_t len;

	if (util_read_file_bounded("/proc/sys/net/ipv4/ip_unprivileged_port_start",
				   32, &buf, &len, NULL) < 0)
		return 1024;
	return (unsigned int)strtoul(buf, NULL, 10);
}

/* Whether the proxy may bind a privileged port in its own network
 * namespace: CAP_NET_BIND_SERVICE over the namespace's owner. */
static bool startwarn_may_bind_privileged(void)
{
	_cleanup_close_ int net = -1, user = -1;
	int r;

	net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (net < 0)
		return true; /* unknown: say nothing rather than wrong */
	user = ioctl(net, NS_GET_USERNS);
	if (user < 0)
		/* EPERM: owned by a user namespace above ours (unshare -r
		 * on the host's network), where we hold nothing */
		return errno != EPERM;
	r = task_capable(gettid(), user, CAP_NET_BIND_SERVICE);
	return r != 0;
}

/*
 * A --publish whose HOSTPORT the host lets only privileged users bind:
 * the server inside would get EACCES at its bind, and only there.
 */
static void startwarn_publish(const struct netpolicy *policy)
{
	unsigned int start;
	guint i;

	if (!policy || !policy->publish || policy->publish->len == 0)
		return;
	start = startwarn_unprivileged_start();
	for (i = 0; i < policy->publish->len; i++) {
		const struct netpolicy_publish *x =
			&g_array_index(policy->publish,
				       struct netpolicy_publish, i);

		if (x->host_port >= start || startwarn_may_bind_privileged())
			continue;
		log_warn("--publish=%s: this host lets only privileged users "
			 "bind port %u (net.ipv4.ip_unprivileged_port_start is "
			 "%u): a server inside binding %u will fail EACCES; "
			 "choose a host port from %u", x->text, x->host_port,
			 start, x->port, start);
	}
}

/**
 * startwarn_all() - say, once, what this host will not give the options
 * @policy: the connection policy, or NULL without one
 * @publish: the policy holding --publish, or NULL without any
 */
void startwarn_all(const struct netpolicy *policy,
		   const struct netpolicy *publish)
{
	if (policy)
		startwarn_landlock();
	startwarn_publish(publish);
}
