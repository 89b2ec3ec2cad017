// SPDX-License-Identifier: LGPL-2.1-or-later
/* render_sysnet.c - sys/class/net/IFACE/ATTR: one interface's sysfs attributes, as net-sysfs.c prints them */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "render.h"

/* include/uapi/linux/if.h's, which cannot be included with <net/if.h> */
#define SYSNET_IFF_LOWER_UP 0x10000
#define SYSNET_IFF_DORMANT 0x20000
#define SYSNET_IF_OPER_DOWN 2

/*
 * The attributes programs read of /sys/class/net/IFACE, each printed from
 * one link of a snapshot in the format of the kernel's net/core/net-sysfs.c
 * (fmt_dec "%d\n", fmt_hex "%#x\n", fmt_u64 "%llu\n", "%*phC\n" for
 * link-layer addresses) and refused where the kernel refuses the read:
 * carrier, speed and duplex of an interface that is not up, speed and
 * duplex of one whose driver has no link settings, give EINVAL.
 *
 * The model has no link speed: speed and duplex are asked of the host's
 * kernel when rendered (SIOCETHTOOL, which needs no privilege for reading;
 * the renderer runs in the host's namespace), by the interface's name in
 * the snapshot, so a hidden interface is never asked about.
 */

enum sysnet_kind {
	SYSNET_ADDRESS,
	SYSNET_BROADCAST,
	SYSNET_ADDR_LEN,
	SYSNET_CARRIER,
	SYSNET_DUPLEX,
	SYSNET_FLAGS,
	SYSNET_IFINDEX,
	SYSNET_IFLINK,
	SYSNET_MTU,
	SYSNET_OPERSTATE,
	SYSNET_SPEED,
	SYSNET_TX_QUEUE_LEN,
	SYSNET_TYPE,
	SYSNET_STAT,
};

struct sysnet_attr {
	const char *name;
	enum sysnet_kind kind;
	size_t stat_off; /* SYSNET_STAT: offset in struct rtnl_link_stats64 */
};

#define SYSNET_STAT_ATTR(f) \
	{ #f, SYSNET_STAT, offsetof(struct rtnl_link_stats64, f) }

/* Top-level attributes first, then statistics/; each part sorted by name. */
static const struct sysnet_attr sysnet_attrs[] = {
	{ "addr_len", SYSNET_ADDR_LEN, 0 },
	{ "address", SYSNET_ADDRESS, 0 },
	{ "broadcast", SYSNET_BROADCAST, 0 },
	{ "carrier", SYSNET_CARRIER, 0 },
	{ "duplex", SYSNET_DUPLEX, 0 },
	{ "flags", SYSNET_FLAGS, 0 },
	{ "ifindex", SYSNET_IFINDEX, 0 },
	{ "iflink", SYSNET_IFLINK, 0 },
	{ "mtu", SYSNET_MTU, 0 },
	{ "operstate", SYSNET_OPERSTATE, 0 },
	{ "speed", SYSNET_SPEED, 0 },
	{ "tx_queue_len", SYSNET_TX_QUEUE_LEN, 0 },
	{ "type", SYSNET_TYPE, 0 },
	SYSNET_STAT_ATTR(collisions),
	SYSNET_STAT_ATTR(multicast),
	SYSNET_STAT_ATTR(rx_bytes),
	SYSNET_STAT_ATTR(rx_compressed),
	SYSNET_STAT_ATTR(rx_crc_errors),
	SYSNET_STAT_ATTR(rx_dropped),
	SYSNET_STAT_ATTR(rx_errors),
	SYSNET_STAT_ATTR(rx_fifo_errors),
	SYSNET_STAT_ATTR(rx_frame_errors),
	SYSNET_STAT_ATTR(rx_length_errors),
	SYSNET_STAT_ATTR(rx_missed_errors),
	SYSNET_STAT_ATTR(rx_nohandler),
	SYSNET_STAT_ATTR(rx_over_errors),
	SYSNET_STAT_ATTR(rx_packets),
	SYSNET_STAT_ATTR(tx_aborted_errors),
	SYSNET_STAT_ATTR(tx_bytes),
	SYSNET_STAT_ATTR(tx_carrier_errors),
	SYSNET_STAT_ATTR(tx_compressed),
	SYSNET_STAT_ATTR(tx_dropped),
	SYSNET_STAT_ATTR(tx_errors),
	SYSNET_STAT_ATTR(tx_fifo_errors),
	SYSNET_STAT_ATTR(tx_heartbeat_errors),
	SYSNET_STAT_ATTR(tx_packets),
	SYSNET_STAT_ATTR(tx_window_errors),
};

G_STATIC_ASSERT(ELEMENTSOF(sysnet_attrs) == RENDER_SYSNET_N_ATTRS);

/* include/uapi/linux/if.h's IF_OPER_* order, as net-sysfs.c names them. */
static const char *const sysnet_operstates[] = {
	"unknown", "notpresent", "down", "lowerlayerdown",
	"testing", "dormant", "up",
};

const char *render_sysnet_attr_name(unsigned int attr)
{
	return attr < RENDER_SYSNET_N_ATTRS ? sysnet_attrs[attr].name : NULL;
}

bool render_sysnet_attr_is_stat(unsigned int attr)
{
	return attr < RENDER_SYSNET_N_ATTRS &&
	       sysnet_attrs[attr].kind == SYSNET_STAT;
}

/**
 * render_sysnet_attr_find() - an attribute by name
 * @name: file name
 * @stat: look among statistics/ (true) or the top level (false)
 *
 * Return: its number, or -ENOENT.
 */
int render_sysnet_attr_find(const char *name, bool stat)
{
	unsigned int i;

	for (i = 0; i < RENDER_SYSNET_N_ATTRS; i++)
		if (render_sysnet_attr_is_stat(i) == stat &&
		    strcmp(sysnet_attrs[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

/* netif_running(): the kernel's IFF_UP in dev->flags. */
static bool sysnet_running(const struct ns_link *l)
{
	return l->flags & IFF_UP;
}

/*
 * The host's link settings of @l (legacy ETHTOOL_GSET, which the kernel
 * answers from the same get_link_ksettings as speed_show()). Return: 0 or
 * -EINVAL where net-sysfs.c would refuse the read.
 */
static int sysnet_ethtool(const struct ns_link *l, struct ethtool_cmd *ret)
{
	_cleanup_close_ int fd = -1;
	struct ethtool_cmd cmd = { .cmd = ETHTOOL_GSET };
	struct ifreq ifr = { 0 };

	if (!sysnet_running(l))
		return -EINVAL;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	g_strlcpy(ifr.ifr_name, l->name, sizeof(ifr.ifr_name));
	ifr.ifr_data = (void *)&cmd;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return -EINVAL;
	*ret = cmd;
	return 0;
}

static void sysnet_lladdr(const uint8_t *a, unsigned int len, GString *out)
{
	unsigned int i;

	for (i = 0; i < len && i < NS_ADDR_MAX; i++)
		g_string_append_printf(out, i ? ":%02x" : "%02x", a[i]);
	g_string_append_c(out, '\n');
}

/*
 * dev->flags as sysfs prints it: without the operational bits that
 * dev_get_flags() adds for netlink (RUNNING, LOWER_UP, DORMANT), with
 * PROMISC whenever the promiscuity count is held (bridge ports too).
 */
static unsigned int sysnet_dev_flags(const struct ns_link *l)
{
	unsigned int f = l->flags & ~(IFF_RUNNING | SYSNET_IFF_LOWER_UP |
				      SYSNET_IFF_DORMANT |
				      IFF_PROMISC);

	return f | (l->promiscuity ? IFF_PROMISC : 0);
}

static int sysnet_ethtool_attr(const struct ns_link *l, enum sysnet_kind k,
			       GString *out)
{
	struct ethtool_cmd cmd = { 0 };
	int r = sysnet_ethtool(l, &cmd);

	if (r < 0)
		return r;
	if (k == SYSNET_SPEED) {
		g_string_append_printf(out, "%d\n",
				       (int)ethtool_cmd_speed(&cmd));
		return 0;
	}
	g_string_append(out, cmd.duplex == DUPLEX_HALF ? "half\n" :
			     cmd.duplex == DUPLEX_FULL ? "full\n" :
							 "unknown\n");
	return 0;
}

/**
 * render_sysnet_attr() - print one attribute of one link
 * @l: the link, from a snapshot (its counters read as fresh as wanted)
 * @attr: attribute number (< RENDER_SYSNET_N_ATTRS)
 * @out: appended to
 *
 * Return: 0, or -EINVAL where the kernel refuses the read (see above).
 */
int render_sysnet_attr(const struct ns_link *l, unsigned int attr,
		       GString *out)
{
	const struct sysnet_attr *a;
	unsigned int op;

	if (attr >= RENDER_SYSNET_N_ATTRS)
		return -EINVAL;
	a = &sysnet_attrs[attr];
	switch (a->kind) {
	case SYSNET_ADDRESS:
		sysnet_lladdr(l->addr, l->addr_len, out);
		return 0;
	case SYSNET_BROADCAST:
		sysnet_lladdr(l->broadcast, l->addr_len, out);
		return 0;
	case SYSNET_ADDR_LEN:
		g_string_append_printf(out, "%d\n", l->addr_len);
		return 0;
	case SYSNET_CARRIER:
		if (!sysnet_running(l))
			return -EINVAL;
		g_string_append_printf(out, "%d\n", l->carrier ? 1 : 0);
		return 0;
	case SYSNET_DUPLEX:
	case SYSNET_SPEED:
		return sysnet_ethtool_attr(l, a->kind, out);
	case SYSNET_FLAGS:
		g_string_append_printf(out, "%#x\n", sysnet_dev_flags(l));
		return 0;
	case SYSNET_IFINDEX:
		g_string_append_printf(out, "%d\n", l->ifindex);
		return 0;
	case SYSNET_IFLINK:
		g_string_append_printf(out, "%d\n", l->iflink);
		return 0;
	case SYSNET_MTU:
		g_string_append_printf(out, "%d\n", (int)l->mtu);
		return 0;
	case SYSNET_OPERSTATE:
		op = sysnet_running(l) ? l->operstate : SYSNET_IF_OPER_DOWN;
		if (op >= ELEMENTSOF(sysnet_operstates))
			return -EINVAL;
		g_string_append_printf(out, "%s\n", sysnet_operstates[op]);
		return 0;
	case SYSNET_TX_QUEUE_LEN:
		g_string_append_printf(out, "%d\n", (int)l->txqlen);
		return 0;
	case SYSNET_TYPE:
		g_string_append_printf(out, "%d\n", l->type);
		return 0;
	case SYSNET_STAT:
		g_string_append_printf(out, "%llu\n", (unsigned long long)
				       *(const __u64 *)((const char *)&l->stats +
							a->stat_off));
		return 0;
	}
	return -EINVAL;
}
