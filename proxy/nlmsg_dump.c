// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_dump.c - the dump engine: dumps generated part by part, the objects written by their own files */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "nlmsg_req.h"

/**
 * nlmsg_dump_new() - a dump of @obj answering @req
 * @snap: snapshot to generate from (a reference is taken)
 * @obj: what to generate (NULL: nothing, NLMSG_DONE only)
 * @req: the request's header (its seq is echoed)
 * @portid: the endpoint's port id
 *
 * Return: the dump, with no filter and no error set.
 */
struct nlmsg_dump *nlmsg_dump_new(const struct netstate_snapshot *snap,
				  const struct nlmsg_object *obj,
				  const struct nlmsghdr *req, uint32_t portid)
{
	struct nlmsg_dump *d = g_new0(struct nlmsg_dump, 1);

	d->snap = netstate_snapshot_ref((struct netstate_snapshot *)snap);
	d->obj = obj;
	d->seq = req->nlmsg_seq;
	d->portid = portid;
	d->msg_flags = NLM_F_MULTI;
	d->done_flags = NLM_F_MULTI;
	d->f.routes = true;
	return d;
}

/**
 * nlr_req_dump() - the dump request @q starts
 * @q: the request
 * @obj: what it dumps (NULL: nothing)
 * @coalesce: NLMSG_DONE shares the last part's datagram
 *
 * Return: the dump, with no filter and no error set.
 */
struct nlmsg_dump *nlr_req_dump(struct nlmsg_req *q,
				const struct nlmsg_object *obj, bool coalesce)
{
	struct nlmsg_dump *d = nlmsg_dump_new(q->snap, obj, &q->h,
					      q->o->portid);

	d->coalesce_done = coalesce;
	d->ext_ack = q->o->ext_ack;
	return d;
}

/**
 * nlr_dump_fail() - the dump fails: no objects, NLMSG_DONE carries @err
 * and the request's extended ack text
 * @d: the dump
 * @q: its request
 * @err: -errno
 */
void nlr_dump_fail(struct nlmsg_dump *d, struct nlmsg_req *q, int err)
{
	d->obj = NULL;
	d->done_errno = err;
	d->done_msg = q->ext_msg;
}

/**
 * nlmsg_dump_free() - see nlmsg.h
 * @d: the dump, or NULL
 */
void nlmsg_dump_free(struct nlmsg_dump *d)
{
	if (!d)
		return;
	netstate_snapshot_unref(d->snap);
	if (d->msgs)
		g_ptr_array_unref(d->msgs);
	g_free(d->order);
	g_free(d);
}

/**
 * dump_put_done() - NLMSG_DONE with the dump's int and, when asked for,
 * its extended ack text
 * @d: the dump
 * @w: writer
 *
 * Return: 0 or -EMSGSIZE.
 */
static int dump_put_done(struct nlmsg_dump *d, struct nlw *w)
{
	struct nlw_hdr h = {
		.type = NLMSG_DONE,
		.flags = d->done_flags,
		.seq = d->seq,
		.pid = d->portid,
	};
	bool tlv = d->done_msg && d->ext_ack;
	size_t start;

	if (d->intr)
		h.flags |= NLM_F_DUMP_INTR;
	if (tlv)
		h.flags |= NLM_F_ACK_TLVS;
	start = nlw_begin(w, &h, &d->done_errno, sizeof(d->done_errno));
	if (tlv)
		nlw_str(w, NLMSGERR_ATTR_MSG, d->done_msg);
	return nlw_end(w, start);
}

/*
 * How the kernel sizes a dump's datagram: netlink_dump() allocates
 * max(cb->min_dump_alloc, NLMSG_GOODSIZE), or the receiver's largest
 * recvmsg() buffer so far when that is more, which netlink_recvmsg()
 * caps at SKB_WITH_OVERHEAD(32768). NLMSG_GOODSIZE is
 * SKB_WITH_OVERHEAD(PAGE_SIZE); with a 4 KiB page and the 320 bytes of
 * struct skb_shared_info of x86-64 that is 3776 bytes.
 */
#define NLMSG_SHINFO_OVERHEAD 320
#define NLMSG_GOODSIZE_4K (4096 - NLMSG_SHINFO_OVERHEAD)
#define NLMSG_DUMP_MAX (32768 - NLMSG_SHINFO_OVERHEAD)

/**
 * nlmsg_dump_size() - see nlmsg.h
 * @max_recvmsg_len: the largest recvmsg() buffer of the endpoint so far
 *
 * Return: the dump's datagram size.
 */
size_t nlmsg_dump_size(size_t max_recvmsg_len)
{
	size_t m = MIN(max_recvmsg_len, (size_t)NLMSG_DUMP_MAX);

	return MAX(m, (size_t)NLMSG_GOODSIZE_4K);
}

/**
 * nlmsg_dump_next() - see nlmsg.h
 * @d: the dump
 * @cur: the model's current generation
 * @out: where the datagram goes
 * @room: its size: the dump skb size (nlmsg_dump_size())
 *
 * Objects are packed whole until the next does not fit; NLMSG_DONE
 * follows in the same datagram only for the dump functions that do so in
 * the kernel (d->coalesce_done), else in a datagram of its own.
 *
 * Return: datagram length, 0 when finished, -EMSGSIZE when @room cannot
 * hold even one object, -EINVAL on bad arguments.
 */
ssize_t nlmsg_dump_next(struct nlmsg_dump *d, uint64_t cur, void *out,
			size_t room)
{
	struct nlw w = { .p = out, .room = room };
	size_t emitted = 0;

	if (!d || !out)
		return -EINVAL;
	if (d->finished)
		return 0;
	if (cur != d->snap->generation)
		d->intr = true;
	if (!d->objs_done) {
		struct nlw_hdr h = {
			.type = d->obj ? d->obj->new_type : 0,
			.flags = d->msg_flags |
				 (d->intr ? NLM_F_DUMP_INTR : 0),
			.seq = d->seq,
			.pid = d->portid,
		};

		for (;;) {
			int r = d->obj ? d->obj->dump_one(d, d->pos, &w, &h) :
					 -ENOENT;

			if (r == -ENOENT)
				break;
			if (r == -EMSGSIZE)
				return w.len ? (ssize_t)w.len : -EMSGSIZE;
			d->pos++;
			if (r > 0)
				emitted++;
		}
		d->objs_done = true;
		if (emitted && !d->coalesce_done)
			return (ssize_t)w.len;
	}
	if (dump_put_done(d, &w) < 0)
		return w.len ? (ssize_t)w.len : -EMSGSIZE;
	d->finished = true;
	return (ssize_t)w.len;
}
