// SPDX-License-Identifier: LGPL-2.1-or-later
/* trapped.c - the trapped-call rows and interface ioctls as data (trapped.h) */
#include "config.h"

#include <linux/sockios.h>

#include "trapped.h"
#include "cleanup.h"

#define TRAP_ROW(id, name, sc, ar, rules, handler) \
	[TRAP_##id] = { .syscall = name, .scope = sc, .arches = ar },
const struct trap_row trap_rows[TRAP_N] = {
	LXNET_TRAPPED_CALLS(TRAP_ROW)
};
#undef TRAP_ROW

const struct trap_ioctl trap_ioctls[] = {
	{ SIOCGIFCONF, TRAP_IOCTL_CONF },
	{ SIOCGIFFLAGS, TRAP_IOCTL_DEV },
	{ SIOCGIFMETRIC, TRAP_IOCTL_DEV },
	{ SIOCGIFMTU, TRAP_IOCTL_DEV },
	{ SIOCGIFHWADDR, TRAP_IOCTL_DEV },
	{ SIOCGIFINDEX, TRAP_IOCTL_DEV },
	{ SIOCGIFNAME, TRAP_IOCTL_DEV },
	{ SIOCGIFTXQLEN, TRAP_IOCTL_DEV },
	{ SIOCGIFADDR, TRAP_IOCTL_INET },
	{ SIOCGIFNETMASK, TRAP_IOCTL_INET },
	{ SIOCGIFBRDADDR, TRAP_IOCTL_INET },
	{ SIOCGIFDSTADDR, TRAP_IOCTL_INET },
	{ SIOCSIFLINK, TRAP_IOCTL_SET },
	{ SIOCSIFFLAGS, TRAP_IOCTL_SET },
	{ SIOCSIFADDR, TRAP_IOCTL_SET },
	{ SIOCSIFDSTADDR, TRAP_IOCTL_SET },
	{ SIOCSIFBRDADDR, TRAP_IOCTL_SET },
	{ SIOCSIFNETMASK, TRAP_IOCTL_SET },
	{ SIOCSIFMETRIC, TRAP_IOCTL_SET },
	{ SIOCSIFMEM, TRAP_IOCTL_SET },
	{ SIOCSIFMTU, TRAP_IOCTL_SET },
	{ SIOCSIFNAME, TRAP_IOCTL_SET },
	{ SIOCSIFHWADDR, TRAP_IOCTL_SET },
	{ SIOCSIFENCAP, TRAP_IOCTL_SET },
	{ SIOCSIFSLAVE, TRAP_IOCTL_SET },
	{ SIOCSIFPFLAGS, TRAP_IOCTL_SET },
	{ SIOCSIFHWBROADCAST, TRAP_IOCTL_SET },
	{ SIOCSIFTXQLEN, TRAP_IOCTL_SET },
	{ SIOCSIFMAP, TRAP_IOCTL_SET },
	{ SIOCDIFADDR, TRAP_IOCTL_SET },
	{ SIOCADDRT, TRAP_IOCTL_SET },
	{ SIOCDELRT, TRAP_IOCTL_SET },
	{ SIOCADDMULTI, TRAP_IOCTL_SET },
	{ SIOCDELMULTI, TRAP_IOCTL_SET },
	{ SIOCGIFMAP, TRAP_IOCTL_HOST },
};

const unsigned int trap_n_ioctls = ELEMENTSOF(trap_ioctls);

/**
 * trap_ioctl_kind() - what an interface ioctl request is
 * @request: ioctl's second argument, its low 32 bits (the kernel takes an
 *	unsigned int, and the filter compares those)
 *
 * Return: its kind, TRAP_IOCTL_NONE for a request the filter does not trap.
 */
enum trap_ioctl_kind trap_ioctl_kind(uint32_t request)
{
	unsigned int i;

	for (i = 0; i < trap_n_ioctls; i++)
		if (trap_ioctls[i].request == request)
			return trap_ioctls[i].kind;
	return TRAP_IOCTL_NONE;
}
