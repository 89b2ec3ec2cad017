/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nlmsg_int.h - private to proxy/nlmsg*.c: the bounded message writer
 * (nlmsg_attr.c), what the dump engine needs of an object, and the dump
 * state shared by the object files and nlmsg_dump.c.
 */
#ifndef LXNET_PROXY_NLMSG_INT_H
#define LXNET_PROXY_NLMSG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "netstate.h"
#include "nlmsg.h"

/*
 * struct nlw - writes netlink messages into a caller's buffer, never past
 * @room; once something did not fit, @over stays set and the caller rewinds
 * @len to where the message began.
 */
struct nlw {
	uint8_t *p;
	size_t room;
	size_t len;
	bool over;
};

/* Header fields every message the encoders write shares. */
struct nlw_hdr {
	uint16_t type;
	uint16_t flags;
	uint32_t seq;
	uint32_t pid;
};

void *nlw_reserve(struct nlw *w, size_t n);
size_t nlw_begin(struct nlw *w, const struct nlw_hdr *h, const void *fixed,
		 size_t fixed_len);
int nlw_end(struct nlw *w, size_t start);
void nlw_attr(struct nlw *w, uint16_t type, const void *data, size_t len);
void nlw_u8(struct nlw *w, uint16_t type, uint8_t v);
void nlw_u32(struct nlw *w, uint16_t type, uint32_t v);
void nlw_str(struct nlw *w, uint16_t type, const char *s);
size_t nlw_nest(struct nlw *w, uint16_t type);
void nlw_nest_end(struct nlw *w, size_t off);

int nlmsg_put_copy(struct nlw *w, const struct nlw_hdr *h, const void *msg,
		   size_t len);

struct nlmsg_dump;

/*
 * struct nlmsg_object - what the dump engine and the change encoder need of
 * one kind of object (link, addr, route, neigh, rule, host messages); each
 * proxy/nlmsg_<object>.c defines its own
 * @new_type: RTM_NEW* of its messages (0: a copied message keeps its type)
 * @del_type: RTM_DEL* of a deleted one (0: no change messages)
 * @dump_one: write object @i of dump @d if its filter selects it.
 *            Return: 1 written, 0 skipped, -EMSGSIZE no room, -ENOENT past
 *            the end
 * @put_change: write the RTM_NEW* or RTM_DEL* message of a model change,
 *              or NULL
 * @change_groups: the multicast groups of that change, or NULL
 */
struct nlmsg_object {
	uint16_t new_type;
	uint16_t del_type;
	int (*dump_one)(struct nlmsg_dump *d, size_t i, struct nlw *w,
			const struct nlw_hdr *h);
	int (*put_change)(struct nlw *w, const struct nlw_hdr *h,
			  const struct ns_change *c);
	uint64_t (*change_groups)(const struct ns_change *c);
};

/*
 * struct nlmsg_filter - which objects a dump request selects, as the
 * kernel's dump functions filter them
 * @family: AF_INET, AF_INET6, or 0 for both (RTNL_FAMILY_IPMR/IP6MR for
 *          rules too)
 * @ifindex: addresses / neighbours of this interface only (0: all)
 * @master: links / neighbours whose interface has this master (0: all)
 * @kind: links of this IFLA_INFO_KIND only ("" : all)
 * @table, @protocol, @type, @oif: route filters (0: all)
 * @routes: false when RTM_F_CLONED asked for route exceptions only
 */
struct nlmsg_filter {
	uint8_t family;
	int ifindex;
	int master;
	char kind[32];
	uint32_t table;
	uint8_t protocol;
	uint8_t type;
	int oif;
	bool routes;
};

/*
 * struct nlmsg_dump - a dump in progress
 * @snap: the snapshot every part is generated from (a reference)
 * @obj: what it generates; NULL: nothing, NLMSG_DONE only (errors too)
 * @msg_flags: flags of every object message (NLM_F_MULTI, DUMP_FILTERED)
 * @done_flags: flags of NLMSG_DONE (NLM_F_MULTI, the answer flags)
 * @coalesce_done: NLMSG_DONE shares the last part's datagram when it fits
 *                 (the kernel's dump functions differ; measured on 6.18)
 * @done_errno: the int NLMSG_DONE carries (0, or the request's error)
 * @done_msg: extended ack message for NLMSG_DONE, or NULL
 * @pos: next object index
 * @objs_done: every object was emitted; NLMSG_DONE is next
 * @finished: NLMSG_DONE was emitted
 * @intr: the model changed since the dump began (NLM_F_DUMP_INTR)
 * @msgs: a dump of host messages (nlmsg_host.c): GBytes, one message each
 * @order: a route dump (nlmsg_route.c): indexes of the snapshot's routes in the order
 *         the kernel dumps them (made at the first part, then owned here)
 * @n_order: their number
 */
struct nlmsg_dump {
	struct netstate_snapshot *snap;
	const struct nlmsg_object *obj;
	uint32_t seq;
	uint32_t portid;
	uint16_t msg_flags;
	uint16_t done_flags;
	bool coalesce_done;
	bool ext_ack;
	int done_errno;
	const char *done_msg;
	struct nlmsg_filter f;
	size_t pos;
	bool objs_done;
	bool finished;
	bool intr;
	GPtrArray *msgs;
	guint *order;
	guint n_order;
};

struct nlmsg_dump *nlmsg_dump_new(const struct netstate_snapshot *snap,
				  const struct nlmsg_object *obj,
				  const struct nlmsghdr *req, uint32_t portid);

#endif
