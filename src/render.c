// SPDX-License-Identifier: LGPL-2.1-or-later
/* render.c - the table of rendered files: path, the parts each depends on, renderer */
#include "config.h"

#include <errno.h>

#include "render.h"
#include "util.h"

struct render_entry {
	const char *path;
	unsigned int parts;
	void (*render)(const struct netstate_snapshot *s, GString *out);
	/* a file with a header that depends on render_file()'s flags */
	void (*render_flags)(const struct netstate_snapshot *s,
			     unsigned int flags, GString *out);
};

/*
 * Parts: a file depends on the tables its renderer reads. Every file that
 * prints interface names or hides lines of hidden interfaces reads LINKS.
 */
static const struct render_entry render_table[RENDER_N_FILES] = {
	[RENDER_RESOLV_CONF] = { "etc/resolv.conf", NETSTATE_RESOLV,
				 NULL, render_resolv_conf },
	[RENDER_HOSTS] = { "etc/hosts", NETSTATE_HOSTS,
			   NULL, render_hosts },
	[RENDER_HOSTNAME] = { "etc/hostname", NETSTATE_HOSTNAME,
			      render_hostname },
	[RENDER_PROC_NET_DEV] = { "proc/net/dev", NETSTATE_LINKS,
				  render_proc_net_dev },
	[RENDER_PROC_NET_ROUTE] = { "proc/net/route",
				    NETSTATE_ROUTES | NETSTATE_LINKS,
				    render_proc_net_route },
	[RENDER_PROC_NET_IF_INET6] = { "proc/net/if_inet6",
				       NETSTATE_ADDRS | NETSTATE_LINKS,
				       render_proc_net_if_inet6 },
	[RENDER_PROC_NET_IPV6_ROUTE] = { "proc/net/ipv6_route",
					 NETSTATE_ROUTES | NETSTATE_LINKS,
					 render_proc_net_ipv6_route },
	[RENDER_PROC_NET_ARP] = { "proc/net/arp",
				  NETSTATE_NEIGHS | NETSTATE_LINKS,
				  render_proc_net_arp },
	/* Read from the host when opened (render_sockets()): no parts. */
	[RENDER_PROC_NET_TCP] = { "proc/net/tcp", 0, NULL },
	[RENDER_PROC_NET_TCP6] = { "proc/net/tcp6", 0, NULL },
	[RENDER_PROC_NET_UDP] = { "proc/net/udp", 0, NULL },
	[RENDER_PROC_NET_UDP6] = { "proc/net/udp6", 0, NULL },
	[RENDER_PROC_NET_RAW] = { "proc/net/raw", 0, NULL },
	[RENDER_PROC_NET_RAW6] = { "proc/net/raw6", 0, NULL },
	[RENDER_PROC_NET_SOCKSTAT] = { "proc/net/sockstat", 0, NULL },
	[RENDER_PROC_NET_SOCKSTAT6] = { "proc/net/sockstat6", 0, NULL },
	[RENDER_PROC_NET_SNMP] = { "proc/net/snmp", 0, NULL },
	/* The host's, read when opened (render_mcast()): no parts. */
	[RENDER_PROC_NET_IGMP] = { "proc/net/igmp", 0, NULL },
	[RENDER_PROC_NET_IGMP6] = { "proc/net/igmp6", 0, NULL },
	[RENDER_PROC_NET_DEV_MCAST] = { "proc/net/dev_mcast", 0, NULL },
};

static bool render_valid(enum render_file f)
{
	return (unsigned int)f < RENDER_N_FILES;
}

/**
 * render_file_path() - where a rendered file sits, relative to the view's root
 * @f: file
 *
 * Return: "etc/resolv.conf", "proc/net/dev", ...; NULL for an unknown @f.
 */
const char *render_file_path(enum render_file f)
{
	return render_valid(f) ? render_table[f].path : NULL;
}

/**
 * render_file_parts() - the NETSTATE_* parts @f is rendered from
 * @f: file
 *
 * Return: the parts; the file's bytes change only when one of them does.
 * 0 for an unknown @f.
 */
unsigned int render_file_parts(enum render_file f)
{
	return render_valid(f) ? render_table[f].parts : 0;
}

/**
 * render_file() - render @f from @s
 * @f: file
 * @s: snapshot
 * @flags: RENDER_STANDALONE or 0 (render.h)
 * @out: the bytes are appended here
 *
 * A file listing sockets is not rendered from a snapshot: it gets the
 * host's header and no rows (render_sockets() with no set).
 *
 * Return: 0, or -EINVAL for an unknown @f, -errno reading a host file.
 */
int render_file(enum render_file f, const struct netstate_snapshot *s,
		unsigned int flags, GString *out)
{
	if (!render_valid(f) || !s || !out)
		return -EINVAL;
	if (render_file_is_mcast(f))
		return render_mcast(f, "/proc/self/net", s, out);
	if (render_file_is_sockcount(f))
		return render_sockcounts(f, "/proc/self/net", "/proc/self/net",
					 NULL, out);
	if (render_table[f].render_flags) {
		render_table[f].render_flags(s, flags, out);
		return 0;
	}
	if (!render_table[f].render)
		return render_sockets(f, "/proc/self/net", NULL, NULL, out);
	render_table[f].render(s, out);
	return 0;
}
