/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * render.h - render the view's files from a snapshot, in the kernel's and
 * glibc's own formats, to the byte.
 */
#ifndef LXNET_RENDER_H
#define LXNET_RENDER_H

#include <glib.h>
#include "netstate.h"

enum render_file {
	RENDER_RESOLV_CONF,
	RENDER_HOSTS,
	RENDER_HOSTNAME,
	RENDER_PROC_NET_DEV,
	RENDER_PROC_NET_ROUTE,
	RENDER_PROC_NET_IF_INET6,
	RENDER_PROC_NET_IPV6_ROUTE,
	RENDER_PROC_NET_ARP,
	RENDER_PROC_NET_TCP,
	RENDER_PROC_NET_TCP6,
	RENDER_PROC_NET_UDP,
	RENDER_PROC_NET_UDP6,
	RENDER_PROC_NET_RAW,
	RENDER_PROC_NET_RAW6,
	RENDER_PROC_NET_SOCKSTAT,
	RENDER_PROC_NET_SOCKSTAT6,
	RENDER_PROC_NET_SNMP,
	RENDER_PROC_NET_IGMP,
	RENDER_PROC_NET_IGMP6,
	RENDER_PROC_NET_DEV_MCAST,
	RENDER_N_FILES,
};

/* "etc/resolv.conf", "proc/net/dev", ... relative to the view's root. */
const char *render_file_path(enum render_file f);
/* NETSTATE_* parts a file depends on: it changes only when one of them does. */
unsigned int render_file_parts(enum render_file f);
/*
 * render_file()'s @flags. RENDER_STANDALONE: lxnetfs serves a mount of its
 * own (a chroot's, bind-mounted by hand), not an lxnet run sandbox: the
 * header of etc/resolv.conf and etc/hosts names lxnetfs and how to keep
 * one's own file there, not lxnet run's --no-generate.
 */
#define RENDER_STANDALONE (1u << 0)

/* Render @f from @s, appending to @out. Return: 0 or -errno. */
int render_file(enum render_file f, const struct netstate_snapshot *s,
		unsigned int flags, GString *out);

void render_resolv_conf(const struct netstate_snapshot *s, unsigned int flags,
			GString *out);
void render_hosts(const struct netstate_snapshot *s, unsigned int flags,
		  GString *out);
void render_hostname(const struct netstate_snapshot *s, GString *out);
void render_proc_net_dev(const struct netstate_snapshot *s, GString *out);
void render_proc_net_route(const struct netstate_snapshot *s, GString *out);
void render_proc_net_if_inet6(const struct netstate_snapshot *s, GString *out);
void render_proc_net_ipv6_route(const struct netstate_snapshot *s,
				GString *out);
void render_proc_net_arp(const struct netstate_snapshot *s, GString *out);

/*
 * proc/net/{tcp,tcp6,udp,udp6,raw,raw6} list the sandbox's own sockets:
 * not from a snapshot but from the host's file and a socket set, when read
 * (render_sockets.c). render_file() gives their header only.
 */
struct sockset;
bool render_file_is_sockets(enum render_file f);
struct sockset_idmap;
int render_sockets(enum render_file f, const char *netdir,
		   const struct sockset *set, const struct sockset_idmap *map,
		   GString *out);
/*
 * proc/net/{sockstat,sockstat6,snmp}: the sandbox's own namespace's file
 * with the counts of its sockets added (render_sockets.c).
 */
bool render_file_is_sockcount(enum render_file f);
int render_sockcounts(enum render_file f, const char *own_netdir,
		      const char *netdir, const struct sockset *set,
		      GString *out);
/*
 * proc/net/{igmp,igmp6,dev_mcast}: the host's file, read when opened,
 * interfaces out of view left out (render_mcast.c).
 */
bool render_file_is_mcast(enum render_file f);
int render_mcast(enum render_file f, const char *netdir,
		 const struct netstate_snapshot *s, GString *out);

/*
 * sys/class/net/IFACE/{address,...,statistics/NAME}: one attribute of one
 * link, as the kernel's sysfs prints it (render_sysnet.c). Attributes are
 * numbered 0 .. RENDER_SYSNET_N_ATTRS - 1, the top-level ones first.
 */
#define RENDER_SYSNET_N_ATTRS 37
const char *render_sysnet_attr_name(unsigned int attr);
bool render_sysnet_attr_is_stat(unsigned int attr);
int render_sysnet_attr_find(const char *name, bool stat);
int render_sysnet_attr(const struct ns_link *l, unsigned int attr,
		       GString *out);

#endif
