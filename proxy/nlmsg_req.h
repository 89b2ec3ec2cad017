/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nlmsg_req.h - one request being answered, shared by nlmsg.c (parsing,
 * replies, dumps from the snapshot, dispatch) and nlmsg_host.c (answers
 * asked of the host kernel). Private to nlmsg*.c.
 */
#ifndef LXNET_PROXY_NLMSG_REQ_H
#define LXNET_PROXY_NLMSG_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include "nlmsg_int.h"

/* Bounds on what a host answer may add to a dump. */
#define NLMSG_HOST_MSGS_MAX 65536
#define NLMSG_HOST_BYTES_MAX (4u << 20)

/* Attribute policy, the subset of the kernel's that requests use. */
enum nlpol_kind {
	POL_ANY = 0, /* any length */
	POL_U8,
	POL_U32,
	POL_STR,     /* @len: longest string, trailing NUL excluded */
	POL_BIN,     /* @len: longest payload */
	POL_NEST,
};

struct nlpol {
	uint8_t kind;
	uint16_t len;
};

/* One request being answered. */
struct nlmsg_req {
	const struct netstate_snapshot *snap;
	const struct nlmsg_opts *o;
	nlmsg_host_query_fn host_query;
	void *hq_data;
	nlmsg_emit_fn emit;
	void *emit_data;
	struct nlmsg_dump **dump_slot;
	const uint8_t *msg;        /* the request, 4-byte aligned */
	struct nlmsghdr h;
	size_t plen;               /* payload bytes (nlmsg_len - header) */
	const char *ext_msg;       /* extended ack text */
	long bad_attr;             /* offset of the bad attribute, or -1 */
	const struct nlpol *bad_pol; /* the policy it failed, or NULL */
};

/* nlmsg.c: attribute parsing and dump helpers */
int nlr_attr_parse(struct nlmsg_req *q, size_t hdrlen, const struct nlpol *pol,
		   int maxtype, const struct nlattr **tb, bool strict);
uint32_t nlr_attr_u32(const struct nlattr *a);
extern const struct nlpol nlr_rta_pol[RTA_MAX + 1];
extern const struct nlpol nlr_netconf_pol[NETCONFA_MAX + 1];
struct nlmsg_dump *nlr_req_dump(struct nlmsg_req *q, enum nlmsg_dump_kind kind,
				bool coalesce);
void nlr_dump_fail(struct nlmsg_dump *d, struct nlmsg_req *q, int err);
uint8_t nlr_req_family(const struct nlmsg_req *q);
int nlr_rule_dump_check(struct nlmsg_req *q);

/* nlmsg_host.c: answers from the host kernel, filtered through the view */
int nlr_get_route(struct nlmsg_req *q);
int nlr_get_netconf(struct nlmsg_req *q);
struct nlmsg_dump *nlr_dump_netconf(struct nlmsg_req *q);
struct nlmsg_dump *nlr_dump_rule(struct nlmsg_req *q);

#endif
