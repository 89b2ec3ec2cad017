/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sockdiag.h - NETLINK_SOCK_DIAG requests on an emulated netlink endpoint
 * (sockdiag.c): inet_diag answered by the host, filtered to the sandbox's
 * own sockets; other families by the sandbox's own namespace. Private to
 * proxy/.
 */
#ifndef LXNET_PROXY_SOCKDIAG_H
#define LXNET_PROXY_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nlmsg.h"
#include "sockset.h"

/*
 * struct sockdiag_ep - what answering a request needs of its endpoint
 * @portid: the endpoint's port id (nlmsg_pid of every answer)
 * @room: the size of a dump datagram (the endpoint's dump size)
 * @cap_ack: NETLINK_CAP_ACK: errors echo the request's header only
 * @has_netns: @netns_dev/@netns_ino are known
 * @netns_dev, @netns_ino: the sandbox's network namespace (the endpoint
 *	creator's): its processes' sockets are the sandbox's
 * @native_fd: a NETLINK_SOCK_DIAG socket in that namespace, or -1
 * @userns_fd, @netns_fd: the sandbox's user and network namespaces, to
 *	make @native_fd from at the first request that needs it, or -1
 * @made_fd: out: the socket made so (the caller keeps it), or -1;
 *	-2 when making it failed (the caller stops trying)
 * @uidmap: the sandbox's uid_map, or NULL (uids as the host sees them)
 */
struct sockdiag_ep {
	uint32_t portid;
	size_t room;
	bool cap_ack;
	bool has_netns;
	dev_t netns_dev;
	ino_t netns_ino;
	int native_fd;
	int userns_fd, netns_fd;
	int made_fd;
	const struct sockset_idmap *uidmap;
};

int sockdiag_request(struct sockdiag_ep *d, const void *buf, size_t len,
		     nlmsg_emit_fn emit, void *emit_data);
int sockdiag_native_socket(int userns, int netns, int *ret_fd);

#endif
