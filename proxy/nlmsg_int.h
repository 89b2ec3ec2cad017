/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nlmsg_int.h - private to proxy/nlmsg*.c: a bounded message writer,
 * object encoders and the dump state shared by the request and dump code.
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

/* One synthesized policy rule (see nlmsg_encode.c). */
struct nlmsg_rule {
	uint8_t family;
	uint8_t table;
	uint32_t pref;
};

int nlmsg_put_link(struct nlw *w, const struct nlw_hdr *h,
		   const struct ns_link *l);
int nlmsg_put_addr(struct nlw *w, const struct nlw_hdr *h,
		   const struct ns_addr *a);
int nlmsg_put_route(struct nlw *w, const struct nlw_hdr *h,
		    const struct ns_route *r, const struct ns_nexthop *nh,
		    uint32_t n_nh);
int nlmsg_put_neigh(struct nlw *w, const struct nlw_hdr *h,
		    const struct ns_neigh *n);
int nlmsg_put_rule(struct nlw *w, const struct nlw_hdr *h,
		   const struct nlmsg_rule *r);
int nlmsg_put_copy(struct nlw *w, const struct nlw_hdr *h, const void *msg,
		   size_t len);
const struct nlmsg_rule *nlmsg_default_rules(size_t *ret_n);

/* What a dump generates. */
enum nlmsg_dump_kind {
	NLMSG_DUMP_NONE,   /* nothing: NLMSG_DONE only (errors too) */
	NLMSG_DUMP_LINK,
	NLMSG_DUMP_ADDR,
	NLMSG_DUMP_ROUTE,
	NLMSG_DUMP_NEIGH,
	NLMSG_DUMP_RULE,
	NLMSG_DUMP_MSGS,   /* messages the host answered, already filtered */
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
 * @msgs: NLMSG_DUMP_MSGS: GBytes, one message each
 * @order: NLMSG_DUMP_ROUTE: indexes of the snapshot's routes in the order
 *         the kernel dumps them (made at the first part, then owned here)
 * @n_order: their number
 */
struct nlmsg_dump {
	struct netstate_snapshot *snap;
	enum nlmsg_dump_kind kind;
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
				  enum nlmsg_dump_kind kind,
				  const struct nlmsghdr *req, uint32_t portid);

#endif
