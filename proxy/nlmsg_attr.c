// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlmsg_attr.c - the one netlink attribute parser (against a policy table) and the one message writer */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "nlmsg_req.h"

/*
 * Every attribute list the message layer reads (a request's, a nest in
 * it, a message the host kernel sent) is walked by nlmsg_attr_next(), and
 * every message it sends is written through struct nlw: nothing else
 * touches struct nlattr.
 */

/* ------------------------------------------------------------------ */
/* Parser                                                              */

/**
 * nlmsg_attr_next() - the next attribute of a list, as nla_for_each_attr()
 * and nla_ok() walk one
 * @p: the bytes holding the list
 * @len: where the list ends in @p
 * @off: in/out: the attribute's offset in @p; moved past it (aligned)
 * @ret_a: receives its header (copied: @p needs no alignment)
 *
 * Return: the attribute (its header) in @p, or NULL at the end of the
 * list or at an attribute whose length is out of bounds (@off stays).
 */
const uint8_t *nlmsg_attr_next(const uint8_t *p, size_t len, size_t *off,
			       struct nlattr *ret_a)
{
	const uint8_t *at;

	if (*off >= len || len - *off < NLA_HDRLEN)
		return NULL;
	at = p + *off;
	memcpy(ret_a, at, sizeof(*ret_a));
	if (ret_a->nla_len < NLA_HDRLEN || ret_a->nla_len > len - *off)
		return NULL;
	*off += NLA_ALIGN(ret_a->nla_len);
	return at;
}

/**
 * nlmsg_attr_find() - the first attribute of @type in a list
 * @p: the bytes holding the list
 * @len: where the list ends in @p
 * @off: where it begins in @p
 * @type: the attribute type (flags masked off)
 * @ret_len: receives the payload length when found
 *
 * Return: the attribute's payload, or NULL.
 */
const uint8_t *nlmsg_attr_find(const uint8_t *p, size_t len, size_t off,
			       uint16_t type, size_t *ret_len)
{
	const uint8_t *at;
	struct nlattr a;

	while ((at = nlmsg_attr_next(p, len, &off, &a))) {
		if ((a.nla_type & NLA_TYPE_MASK) == type) {
			*ret_len = a.nla_len - NLA_HDRLEN;
			return at + NLA_HDRLEN;
		}
	}
	return NULL;
}

/**
 * nlr_err_attr() - point the extended ack at a bad attribute
 * @q: the request
 * @nla: the attribute, inside the request
 * @msg: the extended ack text
 */
void nlr_err_attr(struct nlmsg_req *q, const void *nla, const char *msg)
{
	q->ext_msg = msg;
	q->bad_attr = (long)((const uint8_t *)nla - q->msg);
}

/**
 * attr_check() - validate one attribute as validate_nla() does
 * @q: the request (its extended ack is set on failure)
 * @a: the attribute, its length within the message already checked
 * @pt: its policy entry
 *
 * Return: 0, or -ERANGE when the payload violates the policy.
 */
static int attr_check(struct nlmsg_req *q, const struct nlattr *a,
		      const struct nlpol *pt)
{
	size_t alen = a->nla_len - NLA_HDRLEN;
	const char *data = (const char *)a + NLA_HDRLEN;
	size_t min = 0;

	switch (pt->kind) {
	case POL_U8: min = 1; break;
	case POL_U32: min = 4; break;
	case POL_STR:
		if (alen < 1)
			goto fail;
		if (data[alen - 1] == '\0')
			alen--;
		if (pt->len && alen > pt->len)
			goto fail;
		return 0;
	case POL_BIN:
		if (pt->len && alen > pt->len)
			goto fail;
		return 0;
	case POL_NEST:
		if (alen && alen < NLA_HDRLEN)
			goto fail;
		return 0;
	default:
		return 0;
	}
	if (alen >= min)
		return 0;
fail:
	nlr_err_attr(q, a, "Attribute failed policy validation");
	q->bad_pol = pt;
	return -ERANGE;
}

/**
 * nlr_attr_parse() - nlmsg_parse_deprecated() and its _strict variant
 * @q: the request
 * @hdrlen: size of the family header
 * @pol: policy, indexed by type, @maxtype + 1 entries
 * @maxtype: highest type
 * @tb: receives the last attribute of each type (zeroed first)
 * @strict: unknown types and trailing bytes are errors
 *
 * Return: 0 or -EINVAL / -ERANGE, with the extended ack set.
 */
int nlr_attr_parse(struct nlmsg_req *q, size_t hdrlen, const struct nlpol *pol,
		   int maxtype, const struct nlattr **tb, bool strict)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
	size_t end = NLMSG_HDRLEN + q->plen;
	const uint8_t *at;
	struct nlattr h;

	memset(tb, 0, sizeof(*tb) * ((size_t)maxtype + 1));
	if (q->plen < hdrlen)
		return -EINVAL;
	while ((at = nlmsg_attr_next(q->msg, end, &off, &h))) {
		const struct nlattr *a = (const void *)at; /* q->msg: aligned */
		int type = h.nla_type & NLA_TYPE_MASK;
		int r;

		if (type == 0 || type > maxtype) {
			if (strict) {
				nlr_err_attr(q, a, "Unknown attribute type");
				return -EINVAL;
			}
		} else {
			r = attr_check(q, a, &pol[type]);
			if (r < 0)
				return r;
			tb[type] = a;
		}
	}
	if (off < end) {
		q->ext_msg = "bytes leftover after parsing attributes";
		if (strict)
			return -EINVAL;
	}
	return 0;
}

/**
 * nlr_attr_u32() - the payload of a POL_U32 attribute
 * @a: the attribute (validated by nlr_attr_parse())
 *
 * Return: its value.
 */
uint32_t nlr_attr_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

/**
 * nlr_attr_str() - copy a string attribute into @buf, NUL-terminated
 * @a: the attribute (validated by nlr_attr_parse())
 * @buf: where it goes; cut at @size - 1 bytes
 * @size: its size (at least 1)
 */
void nlr_attr_str(const struct nlattr *a, char *buf, size_t size)
{
	size_t n = MIN((size_t)(a->nla_len - NLA_HDRLEN), size - 1);

	memcpy(buf, (const uint8_t *)a + NLA_HDRLEN, n);
	buf[n] = '\0';
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

/**
 * nlw_reserve() - claim @n bytes (zeroed) at the end of the buffer
 * @w: writer
 * @n: bytes
 *
 * Return: the bytes, or NULL (and @w->over set) when they do not fit.
 */
void *nlw_reserve(struct nlw *w, size_t n)
{
	void *p;

	if (w->over || n > w->room - w->len) {
		w->over = true;
		return NULL;
	}
	p = w->p + w->len;
	memset(p, 0, n);
	w->len += n;
	return p;
}

/**
 * nlw_begin() - start a message: header and fixed family header
 * @w: writer
 * @h: header fields
 * @fixed: the family header (ifinfomsg, ...)
 * @fixed_len: its size
 *
 * Return: the offset of the message, for nlw_end().
 */
size_t nlw_begin(struct nlw *w, const struct nlw_hdr *h, const void *fixed,
		 size_t fixed_len)
{
	size_t start = w->len;
	struct nlmsghdr nh = {
		.nlmsg_type = h->type,
		.nlmsg_flags = h->flags,
		.nlmsg_seq = h->seq,
		.nlmsg_pid = h->pid,
	};
	uint8_t *p = nlw_reserve(w, NLMSG_HDRLEN + NLMSG_ALIGN(fixed_len));

	if (p) {
		memcpy(p, &nh, sizeof(nh));
		memcpy(p + NLMSG_HDRLEN, fixed, fixed_len);
	}
	return start;
}

/**
 * nlw_end() - finish the message begun at @start
 * @w: writer
 * @start: what nlw_begin() returned
 *
 * Return: 0, or -EMSGSIZE when it did not fit (then it is removed).
 */
int nlw_end(struct nlw *w, size_t start)
{
	uint32_t len;

	if (w->over) {
		w->len = start;
		w->over = false;
		return -EMSGSIZE;
	}
	len = (uint32_t)(w->len - start);
	memcpy(w->p + start, &len, sizeof(len));
	return 0;
}

/**
 * nlw_attr() - append an attribute (nla_put())
 * @w: writer; @w->over is set when it does not fit
 * @type: attribute type, flags included
 * @data: payload (may be NULL when @len is 0)
 * @len: payload length; padded to NLA_ALIGNTO with zeros
 */
void nlw_attr(struct nlw *w, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len),
			    .nla_type = type };
	uint8_t *p;

	if (len > UINT16_MAX - NLA_HDRLEN) {
		w->over = true;
		return;
	}
	p = nlw_reserve(w, NLA_HDRLEN + NLA_ALIGN(len));
	if (!p)
		return;
	memcpy(p, &a, sizeof(a));
	if (len)
		memcpy(p + NLA_HDRLEN, data, len);
}

/**
 * nlw_u8() - append a u8 attribute
 * @w: writer
 * @type: attribute type
 * @v: value
 */
void nlw_u8(struct nlw *w, uint16_t type, uint8_t v)
{
	nlw_attr(w, type, &v, sizeof(v));
}

/**
 * nlw_u32() - append a u32 attribute
 * @w: writer
 * @type: attribute type
 * @v: value
 */
void nlw_u32(struct nlw *w, uint16_t type, uint32_t v)
{
	nlw_attr(w, type, &v, sizeof(v));
}

/**
 * nlw_str() - append a string attribute, its NUL included
 * @w: writer
 * @type: attribute type
 * @s: the string
 */
void nlw_str(struct nlw *w, uint16_t type, const char *s)
{
	nlw_attr(w, type, s, strlen(s) + 1);
}

/**
 * nlw_nest() - open a nested attribute (nla_nest_start())
 * @w: writer
 * @type: attribute type
 *
 * Return: its offset, for nlw_nest_end().
 */
size_t nlw_nest(struct nlw *w, uint16_t type)
{
	size_t off = w->len;

	nlw_attr(w, type, NULL, 0);
	return off;
}

/**
 * nlw_nest_end() - close the nest nlw_nest() opened at @off: its length
 * becomes what was appended since
 * @w: writer
 * @off: what nlw_nest() returned
 */
void nlw_nest_end(struct nlw *w, size_t off)
{
	uint16_t len;

	if (w->over)
		return;
	len = (uint16_t)MIN(w->len - off, UINT16_MAX);
	memcpy(w->p + off, &len, sizeof(len));
}


/* How netlink_policy_dump_write_attr() describes each policy kind. */
static const struct {
	uint32_t type;
	uint64_t max; /* of an integer: its range is written, 0 otherwise */
} pol_desc[] = {
	[POL_ANY] = { NL_ATTR_TYPE_INVALID, 0 },
	[POL_U8] = { NL_ATTR_TYPE_U8, UINT8_MAX },
	[POL_U32] = { NL_ATTR_TYPE_U32, UINT32_MAX },
	[POL_STR] = { NL_ATTR_TYPE_STRING, 0 },
	[POL_BIN] = { NL_ATTR_TYPE_BINARY, 0 },
	[POL_NEST] = { NL_ATTR_TYPE_NESTED, 0 },
};

/**
 * nlw_policy() - NLMSGERR_ATTR_POLICY: the policy an attribute failed, as
 * netlink_policy_dump_write_attr() describes it (checked against 6.18: the
 * range or length first, NL_POLICY_TYPE_ATTR_TYPE last; no padding
 * attributes on x86_64)
 * @w: the error message being written
 * @pt: the policy entry
 */
void nlw_policy(struct nlw *w, const struct nlpol *pt)
{
	size_t nest = nlw_nest(w, NLMSGERR_ATTR_POLICY | NLA_F_NESTED);
	uint32_t type = NL_ATTR_TYPE_INVALID;
	uint64_t max = 0;

	if (pt->kind < G_N_ELEMENTS(pol_desc)) {
		type = pol_desc[pt->kind].type;
		max = pol_desc[pt->kind].max;
	}
	if (max) {
		uint64_t min = 0;

		nlw_attr(w, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, &min, sizeof(min));
		nlw_attr(w, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, &max, sizeof(max));
	} else if ((pt->kind == POL_STR || pt->kind == POL_BIN) && pt->len) {
		nlw_u32(w, NL_POLICY_TYPE_ATTR_MAX_LENGTH, pt->len);
	}
	nlw_u32(w, NL_POLICY_TYPE_ATTR_TYPE, type);
	nlw_nest_end(w, nest);
}

/**
 * nlmsg_put_copy() - a message the host kernel sent, re-addressed
 * @w: writer
 * @h: header fields; a zero @h->type keeps the message's own type
 * @msg: the message (header included, nlmsg_len == @len)
 * @len: its length
 *
 * Return: 0, -EMSGSIZE, or -EINVAL when @len cannot be a message.
 */
int nlmsg_put_copy(struct nlw *w, const struct nlw_hdr *h, const void *msg,
		   size_t len)
{
	struct nlmsghdr nh;
	uint8_t *p;

	if (len < NLMSG_HDRLEN || len > UINT32_MAX)
		return -EINVAL;
	p = nlw_reserve(w, NLMSG_ALIGN(len));
	if (!p) {
		w->over = false;
		return -EMSGSIZE;
	}
	memcpy(&nh, msg, sizeof(nh));
	if (h->type)
		nh.nlmsg_type = h->type;
	nh.nlmsg_len = (uint32_t)len;
	nh.nlmsg_flags = h->flags;
	nh.nlmsg_seq = h->seq;
	nh.nlmsg_pid = h->pid;
	memcpy(p, &nh, sizeof(nh));
	memcpy(p + sizeof(nh), (const uint8_t *)msg + sizeof(nh),
	       len - sizeof(nh));
	return 0;
}
