// SPDX-License-Identifier: LGPL-2.1-or-later
/* nlep_call.c - emulated netlink endpoints, top layer: the trapped calls, one table row each */
/*
 * See nlep_hub.c, "Theory of operation" and "Layers". notify.c hands this
 * file every trapped call on an fd in an endpoint range (nlep_do_call(),
 * keyed by enum trap_id of trapped.h) and socket(AF_NETLINK, ...)
 * (nlep_do_socket()). A call runs in three steps, one function each in its
 * row of nlep_calls[]:
 *   read   without the hub lock: its arguments, copied from the caller's
 *          memory (the proxy's own copy: nothing is read twice);
 *   apply  under the hub lock: only the endpoint and private buffers move;
 *   write  without the lock: results into the caller's memory.
 * So a caller whose memory faults slowly (a FUSE-backed page) stalls only
 * its own sandbox's serving thread. The caller's memory is opened and
 * proven its own by nlep_attach() (nlep_sandbox.c) before the first step.
 *
 * A new call on an endpoint: its row in LXNET_TRAPPED_CALLS (trapped.h,
 * scope TRAP_ENDPOINT, handler do_endpoint), then a row here with what
 * nlep_attach() must open and its read/apply/write functions.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "nlep_int.h"
#include "util.h"

/* Everything a trapped call reads from the caller, read before the lock. */
struct nlep_args {
	struct sockaddr_nl sa;    /* bind/connect */
	size_t addrlen;
	pid_t tgid;               /* bind/connect: the caller's inner tgid */
	int level, name;          /* setsockopt/getsockopt */
	int val;                  /* setsockopt's value */
	uint32_t optlen;          /* setsockopt's length */
	int len;                  /* getsockopt/getsockname: *lenp */
	struct nlep_recv *rv;     /* receives */
};

/* What a call writes back after the lock: value bytes and their length. */
struct nlep_res {
	uint8_t val[16];
	int vlen;                 /* bytes of @val the kernel reports */
	int wlen;                 /* bytes of @val to write */
	bool lenp_first;          /* netlink_getsockopt() writes *optlen first */
	struct nlep_got got;      /* receives */
};

/**
 * struct nlep_call - a trapped call in flight, what its row's steps share
 * @sb: the caller's sandbox
 * @req: the notification
 * @id: which call
 * @sfd: receives: our own copy of S (nlep_attach()), else -1; a parked
 *	receive takes it over
 * @t: the caller's memory (nlep_attach()); a parked receive takes it over
 * @a: the arguments (read step)
 * @res: the results (apply step, for the write step)
 * @done: parked receives of other callers the apply step completed,
 *	written out after the lock (nlep_complete())
 */
struct nlep_call {
	struct nlep_sandbox *sb;
	const struct seccomp_notif *req;
	enum trap_id id;
	int sfd;
	struct target t;
	struct nlep_args a;
	struct nlep_res res;
	GQueue done;
};

/*
 * struct nlep_call_row - one trapped call on an endpoint
 * @attach: NLEP_ATTACH_* flags: what nlep_attach() opens for it
 * @read: its arguments (no lock); 0, 1 for CONTINUE, or -errno
 * @apply: the locked part; a result for @write, -errno, or NLEP_PARKED
 * @write: results into the caller, given @apply's result (>= 0); NULL when
 *	the call writes nothing (the result is the answer)
 */
struct nlep_call_row {
	unsigned int attach;
	int (*read)(struct nlep_call *c);
	int64_t (*apply)(struct nlep *ep, struct nlep_call *c);
	int64_t (*write)(struct nlep_call *c, int64_t r);
};

/**
 * nlep_write_res() - write a value and its length into the caller
 * @t: the caller
 * @ptr: where the value goes
 * @lenp: where its length goes
 * @res: the value (res->wlen bytes written, res->vlen reported)
 *
 * Return: 0 or -errno.
 */
static int nlep_write_res(struct target *t, uint64_t ptr, uint64_t lenp,
			  const struct nlep_res *res)
{
	int r;

	if (res->lenp_first) {
		r = target_write(t, lenp, &res->vlen, sizeof(res->vlen));
		if (r == 0)
			r = target_write(t, ptr, res->val, (size_t)MAX(res->wlen, 0));
		return r;
	}
	r = target_write(t, ptr, res->val, (size_t)MAX(res->wlen, 0));
	if (r == 0)
		r = target_write(t, lenp, &res->vlen, sizeof(res->vlen));
	return r;
}

/* ---- bind, connect, getsockname, getpeername ------------------------------ */

/**
 * nlep_read_addr() - bind/connect's address, as move_addr_to_kernel()
 * @c: the call; c->a.sa and c->a.addrlen are set (c->a.tgid was set by
 *	nlep_attach())
 *
 * Return: 0, -EINVAL for a length below 0 or above sockaddr_storage, or
 * -EFAULT.
 */
static int nlep_read_addr(struct nlep_call *c)
{
	const struct seccomp_notif *req = c->req;
	struct nlep_args *a = &c->a;
	int len = (int)(uint32_t)req->data.args[2];

	if (len < 0 || len > NLEP_ADDR_MAX)
		return -EINVAL;
	memset(&a->sa, 0, sizeof(a->sa));
	a->addrlen = (size_t)len;
	return target_read(&c->t, req->data.args[1], &a->sa,
			   MIN((size_t)len, sizeof(a->sa)));
}

/* The caller's tgid becomes the first port id an autobind tries. */
static void nlep_set_binder(struct nlep *ep, const struct nlep_args *a)
{
	if (!ep->bound && a->tgid > 0)
		ep->owner_tgid = a->tgid;
}

/**
 * nlep_apply_bind() - bind(2) on an endpoint, as netlink_bind()
 * @ep: the endpoint (hub lock held)
 * @c: the call (c->a: the address read from the caller)
 *
 * A bound endpoint keeps its port id (another nl_pid is EINVAL); the
 * first 32 groups are replaced by nl_groups.
 * Return: 0 or -errno.
 */
static int64_t nlep_apply_bind(struct nlep *ep, struct nlep_call *c)
{
	const struct nlep_args *a = &c->a;
	int r;

	if (a->addrlen < sizeof(a->sa) || a->sa.nl_family != AF_NETLINK)
		return -EINVAL;
	if (ep->bound) {
		if (a->sa.nl_pid != ep->portid)
			return -EINVAL;
	} else {
		nlep_set_binder(ep, a);
		r = nlep_bind_port(ep, a->sa.nl_pid);
		if (r < 0)
			return r;
	}
	ep->groups = (ep->groups & ~(uint64_t)0xffffffffu) | a->sa.nl_groups;
	return 0;
}

/**
 * nlep_apply_connect() - connect(2) on an endpoint, as netlink_connect()
 * @ep: the endpoint (hub lock held)
 * @c: the call (c->a: the address read from the caller)
 *
 * AF_UNSPEC disconnects; otherwise the endpoint is autobound and the
 * destination recorded (getpeername reports it).
 * Return: 0 or -errno.
 */
static int64_t nlep_apply_connect(struct nlep *ep, struct nlep_call *c)
{
	const struct nlep_args *a = &c->a;
	int r;

	if (a->addrlen < sizeof(a->sa.nl_family))
		return -EINVAL;
	if (a->sa.nl_family == AF_UNSPEC) {
		ep->dst_pid = ep->dst_group = 0;
		return 0;
	}
	if (a->sa.nl_family != AF_NETLINK || a->addrlen < sizeof(a->sa))
		return -EINVAL;
	nlep_set_binder(ep, a);
	if (!ep->bound && (r = nlep_bind_port(ep, 0)) < 0)
		return r;
	ep->dst_pid = a->sa.nl_pid;
	ep->dst_group = a->sa.nl_groups ?
			(uint32_t)__builtin_ffs((int)a->sa.nl_groups) : 0;
	return 0;
}

/* getsockname/getpeername: read *addrlen (c->a.len). */
static int nlep_read_namelen(struct nlep_call *c)
{
	int r = target_read(&c->t, c->req->data.args[2], &c->a.len,
			    sizeof(c->a.len));

	return r < 0 ? r : c->a.len < 0 ? -EINVAL : 0;
}

/**
 * nlep_apply_name() - getsockname/getpeername's address into c->res
 * @ep: the endpoint (hub lock held)
 * @c: the call (c->a.len: the caller's buffer length, checked >= 0)
 *
 * Return: 0.
 */
static int64_t nlep_apply_name(struct nlep *ep, struct nlep_call *c)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlep_res *res = &c->res;

	if (c->id == TRAP_getsockname) {
		sa.nl_pid = ep->portid;
		sa.nl_groups = (uint32_t)ep->groups;
	} else {
		sa.nl_pid = ep->dst_pid;
		sa.nl_groups = ep->dst_group && ep->dst_group <= 32 ?
			       1u << (ep->dst_group - 1) : 0;
	}
	memcpy(res->val, &sa, sizeof(sa));
	res->vlen = sizeof(sa);
	res->wlen = MIN(c->a.len, (int)sizeof(sa));
	return 0;
}

/* getsockname/getpeername: the address into *addr, its length into *addrlen. */
static int64_t nlep_write_name(struct nlep_call *c, int64_t r)
{
	(void)r;
	return nlep_write_res(&c->t, c->req->data.args[1], c->req->data.args[2],
			      &c->res);
}

/* ---- setsockopt, getsockopt --------------------------------------------- */

/**
 * nlep_read_setsockopt() - classify setsockopt and read its value
 * @c: the call; c->a's level, name, optlen and val are set
 *
 * SOL_SOCKET options other than the buffer sizes are the kernel's (on S).
 * Return: 0, 1 for CONTINUE, or -errno (-EPERM for a FORCE variant without
 * CAP_NET_ADMIN, as sock_setsockopt()).
 */
static int nlep_read_setsockopt(struct nlep_call *c)
{
	const struct seccomp_notif *req = c->req;
	struct nlep_args *a = &c->a;

	a->level = (int)req->data.args[1];
	a->name = (int)req->data.args[2];
	a->optlen = (uint32_t)req->data.args[4];
	if (a->level == SOL_SOCKET) {
		if (a->name != SO_RCVBUF && a->name != SO_RCVBUFFORCE &&
		    a->name != SO_SNDBUF && a->name != SO_SNDBUFFORCE)
			return 1;
		if (a->optlen < sizeof(int))
			return -EINVAL;
	} else if (a->level != SOL_NETLINK) {
		return -ENOPROTOOPT;
	}
	if (a->optlen >= sizeof(int)) {
		int r = target_read(&c->t, req->data.args[3], &a->val,
				    sizeof(a->val));

		if (r < 0)
			return r;
	}
	if (a->level == SOL_SOCKET &&
	    (a->name == SO_RCVBUFFORCE || a->name == SO_SNDBUFFORCE) &&
	    !nlep_caller_net_admin(c->sb->hub, (pid_t)req->pid))
		return -EPERM;
	return 0;
}

/* SOL_NETLINK's boolean options of @ep, NULL for another name. */
static bool *nlep_flag(struct nlep *ep, int name)
{
	switch (name) {
	case NETLINK_PKTINFO: return &ep->pktinfo;
	case NETLINK_BROADCAST_ERROR: return &ep->bcast_err;
	case NETLINK_NO_ENOBUFS: return &ep->no_enobufs;
	case NETLINK_LISTEN_ALL_NSID: return &ep->all_nsid;
	case NETLINK_CAP_ACK: return &ep->cap_ack;
	case NETLINK_EXT_ACK: return &ep->ext_ack;
	case NETLINK_GET_STRICT_CHK: return &ep->strict;
	default: return NULL;
	}
}

/**
 * nlep_apply_setsockopt() - setsockopt on an endpoint, the locked part
 * @ep: the endpoint (hub lock held)
 * @c: the call (c->a from nlep_read_setsockopt())
 *
 * Return: 0 or -errno, as netlink_setsockopt() and sock_setsockopt().
 */
static int64_t nlep_apply_setsockopt(struct nlep *ep, struct nlep_call *c)
{
	const struct nlep_args *a = &c->a;
	int val = a->val, r;
	bool *flag;

	if (a->level == SOL_SOCKET) {
		if (a->name == SO_RCVBUF || a->name == SO_RCVBUFFORCE)
			nlep_set_rcvbuf(ep, val, a->name == SO_RCVBUFFORCE);
		else
			ep->sndbuf = MAX(MIN(MAX(val, 0), a->name == SO_SNDBUFFORCE ?
					     INT32_MAX / 2 : ep->hub->wmem_max) * 2,
					 4608);
		return 0;
	}
	if (a->name == NETLINK_ADD_MEMBERSHIP || a->name == NETLINK_DROP_MEMBERSHIP) {
		if (a->optlen < sizeof(int))
			return -EINVAL;
		if (val < 1 || val > MIN(RTNLGRP_MAX, NLEP_NGROUPS))
			return -EINVAL;
		if (!ep->bound && (r = nlep_bind_port(ep, 0)) < 0)
			return r;
		if (a->name == NETLINK_ADD_MEMBERSHIP)
			ep->groups |= (uint64_t)1 << (val - 1);
		else
			ep->groups &= ~((uint64_t)1 << (val - 1));
		return 0;
	}
	flag = nlep_flag(ep, a->name);
	if (!flag)
		return -ENOPROTOOPT;
	/* netlink_setsockopt(): a value shorter than an int is not read: 0 */
	if (a->optlen < sizeof(int))
		val = 0;
	*flag = val != 0;
	if (a->name == NETLINK_NO_ENOBUFS && val)
		ep->err = 0;
	return 0;
}

/**
 * nlep_read_getsockopt() - classify getsockopt and read *optlen
 * @c: the call; c->a's level, name and len are set
 *
 * A level other than SOL_SOCKET and SOL_NETLINK is ENOPROTOOPT, as
 * netlink_getsockopt(); SOL_SOCKET options the proxy does not emulate are
 * the kernel's (on S).
 * Return: 0, 1 for CONTINUE, or -errno.
 */
static int nlep_read_getsockopt(struct nlep_call *c)
{
	const struct seccomp_notif *req = c->req;
	struct nlep_args *a = &c->a;
	int r;

	a->level = (int)req->data.args[1];
	a->name = (int)req->data.args[2];
	if (a->level == SOL_SOCKET) {
		switch (a->name) {
		case SO_DOMAIN: case SO_PROTOCOL: case SO_TYPE:
		case SO_RCVBUF: case SO_SNDBUF: case SO_ERROR:
			break;
		default:
			return 1;
		}
	} else if (a->level != SOL_NETLINK) {
		return -ENOPROTOOPT;
	}
	r = target_read(&c->t, req->data.args[4], &a->len, sizeof(a->len));
	if (r < 0)
		return r;
	return a->len < 0 ? -EINVAL : 0;
}

/**
 * nlep_apply_getsockopt() - getsockopt on an endpoint, the locked part
 * @ep: the endpoint (hub lock held)
 * @c: the call (c->a from nlep_read_getsockopt()); the value goes into
 *	c->res, written out by nlep_write_getsockopt()
 *
 * Return: 0 or -errno.
 */
static int64_t nlep_apply_getsockopt(struct nlep *ep, struct nlep_call *c)
{
	const struct nlep_args *a = &c->a;
	struct nlep_res *res = &c->res;
	uint32_t groups[(NLEP_NGROUPS + 31) / 32];
	bool *flag;
	int val;

	if (a->level == SOL_SOCKET) {
		switch (a->name) {
		case SO_DOMAIN: val = AF_NETLINK; break;
		case SO_PROTOCOL: val = ep->protocol; break;
		case SO_TYPE: val = ep->type; break;
		case SO_RCVBUF: val = ep->rcvbuf; break;
		case SO_SNDBUF: val = ep->sndbuf; break;
		default: val = ep->err; ep->err = 0; break; /* SO_ERROR */
		}
		/* sk_getsockopt(): min(len, sizeof(int)) bytes, then *optlen */
		memcpy(res->val, &val, sizeof(val));
		res->vlen = res->wlen = MIN(a->len, (int)sizeof(int));
		return 0;
	}
	if (a->name == NETLINK_LIST_MEMBERSHIPS) {
		groups[0] = (uint32_t)ep->groups;
		groups[1] = (uint32_t)(ep->groups >> 32);
		memcpy(res->val, groups, sizeof(groups));
		/* The kernel reports ALIGN(BITS_TO_BYTES(ngroups), 4). */
		res->vlen = MIN(((RTNLGRP_MAX + 7) / 8 + 3) & ~3, (int)sizeof(groups));
		res->wlen = MIN(a->len, res->vlen) & ~3;
		return 0;
	}
	flag = nlep_flag(ep, a->name);
	if (!flag)
		return -ENOPROTOOPT;
	if (a->len < (int)sizeof(int))
		return -EINVAL;
	val = *flag;
	memcpy(res->val, &val, sizeof(val));
	res->vlen = res->wlen = sizeof(int);
	res->lenp_first = true;
	return 0;
}

/* getsockopt: the value into *optval, its length into *optlen. */
static int64_t nlep_write_getsockopt(struct nlep_call *c, int64_t r)
{
	(void)r;
	return nlep_write_res(&c->t, c->req->data.args[3], c->req->data.args[4],
			      &c->res);
}

/* ---- recvfrom, recvmsg ------------------------------------------------- */

/**
 * nlep_read_msghdr() - recvmsg's struct msghdr and iovecs
 * @t: the caller
 * @rv: filled in (msg_addr and flags set by the caller)
 *
 * As the kernel's copy_msghdr_from_user(): a negative msg_namelen is
 * EINVAL, a larger one than sockaddr_storage is clamped, more than
 * UIO_MAXIOV iovecs is EMSGSIZE.
 * Return: 0 or -errno.
 */
static int nlep_read_msghdr(struct target *t, struct nlep_recv *rv)
{
	int r;

	r = target_read(t, rv->msg_addr, &rv->m, sizeof(rv->m));
	if (r == 0 && rv->m.msg_iovlen > NLEP_IOV_MAX)
		r = -EMSGSIZE;
	if (r == 0 && (int)rv->m.msg_namelen < 0)
		r = -EINVAL;
	if (r < 0)
		return r;
	rv->n_iov = rv->m.msg_iovlen;
	rv->iov = g_new0(struct iovec, MAX(rv->n_iov, (size_t)1));
	r = target_read(t, (uint64_t)(uintptr_t)rv->m.msg_iov,
			rv->iov, rv->n_iov * sizeof(struct iovec));
	rv->name = (uint64_t)(uintptr_t)rv->m.msg_name;
	rv->namelen = (int)MIN(rv->m.msg_namelen, (unsigned int)NLEP_ADDR_MAX);
	rv->namelen_addr = rv->msg_addr + offsetof(struct msghdr, msg_namelen);
	return r;
}

/**
 * nlep_read_recv() - copy a recvfrom/recvmsg call's arguments
 * @c: the call; c->a.rv is set (nlep_recv_free())
 *
 * The iovec total is clamped to MAX_RW_COUNT as the kernel's
 * import_iovec() does; MSG_OOB is refused as netlink_recvmsg() refuses it.
 * Return: 0 or -errno for the call (-EFAULT, -EINVAL, -EMSGSIZE,
 * -EOPNOTSUPP); -ENOENT when the caller's memory is gone.
 */
static int nlep_read_recv(struct nlep_call *c)
{
	const struct seccomp_notif *req = c->req;
	struct target *t = &c->t;
	struct nlep_recv *rv = g_new0(struct nlep_recv, 1);
	size_t i;
	int r = 0;

	if (c->id == TRAP_recvfrom) {
		rv->n_iov = 1;
		rv->iov = g_new0(struct iovec, 1);
		rv->iov[0].iov_base = (void *)(uintptr_t)req->data.args[1];
		rv->iov[0].iov_len = (size_t)req->data.args[2];
		rv->flags = (int)req->data.args[3];
		rv->name = req->data.args[4];
		rv->namelen_addr = req->data.args[5];
		if (rv->name) {
			r = target_read(t, rv->namelen_addr, &rv->namelen,
					sizeof(rv->namelen));
			if (r == 0 && rv->namelen < 0)
				r = -EINVAL;
		}
	} else {
		rv->is_msg = true;
		rv->msg_addr = req->data.args[1];
		rv->flags = (int)req->data.args[2];
		r = nlep_read_msghdr(t, rv);
	}
	for (i = 0; r == 0 && i < rv->n_iov; i++) {
		if ((ssize_t)rv->iov[i].iov_len < 0)
			r = -EINVAL;
		else
			rv->total += MIN(rv->iov[i].iov_len,
					 (size_t)NLEP_RW_MAX - rv->total);
	}
	if (r == 0 && (rv->flags & MSG_OOB))
		r = -EOPNOTSUPP;
	if (r < 0) {
		nlep_recv_free(rv);
		return r;
	}
	c->a.rv = rv;
	return 0;
}

/**
 * nlep_apply_recv() - recvfrom/recvmsg on an endpoint, the locked part
 * @ep: the endpoint (hub lock held, a reference held)
 * @c: the call: c->sfd, c->t and c->a.rv are taken over when parked; the
 *	dequeued datagram goes into c->res.got; receives of other callers
 *	this one completed go into c->done (see nlep_wake())
 *
 * Return: the datagram's length for nlep_write_recv(), -errno, or
 * NLEP_PARKED.
 */
static int64_t nlep_apply_recv(struct nlep *ep, struct nlep_call *c)
{
	struct nlep_recv *rv = c->a.rv;
	int *sfd = &c->sfd;
	bool p_empty;
	ssize_t n;
	int r, fl;

	ep->max_recvmsg_len = MAX(ep->max_recvmsg_len, rv->total);
	p_empty = nlep_pump(ep, true);
	n = nlep_dequeue(ep, *sfd, rv, &c->res.got);
	if (n == -EAGAIN) {
		fl = fcntl(*sfd, F_GETFL);
		if (!(rv->flags & MSG_DONTWAIT) && fl >= 0 && !(fl & O_NONBLOCK)) {
			r = nlep_park(c->sb, c->req, ep, sfd, &c->t, &c->a.rv);
			return r == 0 ? NLEP_PARKED : r;
		}
		return n;
	}
	/*
	 * A receive that dequeued (even one that then faults with EFAULT, as
	 * the kernel's does) makes room: refill, and hand what arrived to
	 * receives other threads or processes of the sandbox parked here.
	 * When P held no request a moment ago, one sent since then is the
	 * main loop's (P readable): P is not asked again here.
	 */
	if (!(rv->flags & MSG_PEEK)) {
		nlep_pump(ep, !p_empty);
		nlep_wake(ep, &c->done);
	}
	return n;
}

/* recvfrom/recvmsg: the datagram into the caller (nlep_deliver()). */
static int64_t nlep_write_recv(struct nlep_call *c, int64_t r)
{
	(void)r;
	return nlep_deliver(&c->t, c->a.rv, &c->res.got);
}

/* ---- calls netlink refuses ------------------------------------------------ */

/* sendto() of 0 bytes (the filter traps no other), shutdown(): nothing to read */
static int nlep_read_nothing(struct nlep_call *c)
{
	(void)c;
	return 0;
}

/*
 * netlink_sendmsg() takes no empty message: ENODATA, after what the
 * kernel checks first (__sys_sendto()'s address length, then MSG_OOB).
 * (write(2) of 0 bytes and sendmsg() with empty iovecs are not trapped:
 * the AF_UNIX socket behind the endpoint sends an empty datagram, which
 * the proxy discards.)
 */
static int64_t nlep_apply_send_empty(struct nlep *ep, struct nlep_call *c)
{
	const __u64 *args = c->req->data.args;

	(void)ep;
	if (args[4] && (uint32_t)args[5] > NLEP_ADDR_MAX)
		return -EINVAL;
	if ((int)args[3] & MSG_OOB)
		return -EOPNOTSUPP;
	return -ENODATA;
}

/* Netlink has no shutdown: sock_no_shutdown()'s EOPNOTSUPP. */
static int64_t nlep_apply_shutdown(struct nlep *ep, struct nlep_call *c)
{
	(void)ep;
	(void)c;
	return -EOPNOTSUPP;
}

/* ---- the table, and a trapped call's three steps ------------------------- */

/* The trapped calls on an endpoint fd, by enum trap_id (trapped.h). */
static const struct nlep_call_row nlep_calls[TRAP_N] = {
	[TRAP_bind] = {
		NLEP_ATTACH_MEMORY | NLEP_ATTACH_TGID,
		nlep_read_addr, nlep_apply_bind, NULL },
	[TRAP_connect] = {
		NLEP_ATTACH_MEMORY | NLEP_ATTACH_TGID,
		nlep_read_addr, nlep_apply_connect, NULL },
	[TRAP_getsockname] = {
		NLEP_ATTACH_MEMORY,
		nlep_read_namelen, nlep_apply_name, nlep_write_name },
	[TRAP_getpeername] = {
		NLEP_ATTACH_MEMORY,
		nlep_read_namelen, nlep_apply_name, nlep_write_name },
	[TRAP_recvfrom] = {
		NLEP_ATTACH_MEMORY | NLEP_ATTACH_FD,
		nlep_read_recv, nlep_apply_recv, nlep_write_recv },
	[TRAP_recvmsg] = {
		NLEP_ATTACH_MEMORY | NLEP_ATTACH_FD,
		nlep_read_recv, nlep_apply_recv, nlep_write_recv },
	[TRAP_setsockopt] = {
		NLEP_ATTACH_MEMORY,
		nlep_read_setsockopt, nlep_apply_setsockopt, NULL },
	[TRAP_getsockopt] = {
		NLEP_ATTACH_MEMORY,
		nlep_read_getsockopt, nlep_apply_getsockopt, nlep_write_getsockopt },
	[TRAP_sendto] = {
		0,
		nlep_read_nothing, nlep_apply_send_empty, NULL },
	[TRAP_shutdown] = {
		0,
		nlep_read_nothing, nlep_apply_shutdown, NULL },
};

/**
 * nlep_fd_foreign() - whether a low-range fd is surely not an endpoint
 * @sb: the caller's sandbox
 * @req: the notification (its fd in the low range)
 *
 * Ordinary fds of every process reach the low range (seccomp_filter.h):
 * their calls are let through after one stat of /proc/PID/fd/N in the
 * caller's cached directory and one table look-up, before any of the
 * caller's memory is opened. A stale or missing cache entry answers
 * "not sure" and the full path decides. CONTINUE on what this says needs
 * no proof: on a dead notification it does nothing, and a live one holds
 * its thread, which the cached directory then names.
 *
 * Return: true when the fd is no endpoint of this proxy.
 */
static bool nlep_fd_foreign(struct nlep_sandbox *sb,
			    const struct seccomp_notif *req)
{
	struct stat st;
	bool known;

	if (nlep_caller_fd_stat(sb, req, &st) < 0)
		return false;
	if (!S_ISSOCK(st.st_mode))
		return true;
	g_mutex_lock(&sb->hub->lock);
	known = nlep_lookup(sb->hub, st.st_ino) != NULL;
	g_mutex_unlock(&sb->hub->lock);
	return !known;
}

/* Whether @fd lies in the low endpoint range. */
static bool nlep_fd_low(uint64_t fd)
{
	return (fd & 0xffffffffu) >= LXNET_NLEP_FD_LOW_BASE &&
	       (fd & 0xffffffffu) < LXNET_NLEP_FD_LOW_BASE + LXNET_NLEP_FD_LOW_COUNT;
}

/**
 * nlep_do_call() - answer a trapped call on an fd in the endpoint range
 * @sb: the caller's sandbox
 * @id: which call (a TRAP_ENDPOINT row of trapped.h)
 * @req: the notification
 *
 * In three steps, so that no sandbox can stall another: (1) without the
 * hub lock, open the caller's memory (proven its own by NOTIF_ID_VALID
 * after the open) and read every argument; (2) under the lock, only move
 * data between the endpoint and private buffers; (3) without the lock,
 * write results into the caller through the same fd. An fd in the range
 * that is not an endpoint (an ordinary socket a program opened there, or
 * none) is let through with CONTINUE: nothing is decided on it.
 *
 * Return: the call's result or -errno, NOTIF_CONTINUE, or NOTIF_ANSWERED
 * (a parked receive, or the caller is gone).
 */
int64_t nlep_do_call(struct nlep_sandbox *sb, enum trap_id id,
		     const struct seccomp_notif *req)
{
	const struct nlep_call_row *row = (unsigned int)id < TRAP_N ?
					  &nlep_calls[id] : NULL;
	struct nlep_hub *h = sb->hub;
	struct nlep_call c = {
		.sb = sb, .req = req, .id = id, .sfd = -1,
		.t = { .memfd = -1 }, .done = G_QUEUE_INIT,
	};
	struct nlep *ep;
	ino_t ino = 0;
	int64_t r;

	if (!row || !row->apply)
		return -ENOSYS; /* a filter trapping more than this proxy serves */
	if (nlep_fd_low(req->data.args[0]) && nlep_fd_foreign(sb, req))
		return NOTIF_CONTINUE;
	r = nlep_attach(sb, req, row->attach, &c.t, &c.sfd, &ino, &c.a.tgid);
	if (r != 0) {
		target_close(&c.t);
		closep(&c.sfd);
		return r == -ENOENT ? NOTIF_ANSWERED : r == 1 ? NOTIF_CONTINUE : r;
	}
	g_mutex_lock(&h->lock);
	ep = nlep_lookup(h, ino);
	if (ep && ep->sb == sb)
		ep->ref++;
	else
		ep = NULL;
	g_mutex_unlock(&h->lock);
	if (!ep) {
		target_close(&c.t);
		closep(&c.sfd);
		return NOTIF_CONTINUE;
	}
	r = row->read(&c);
	if (r == 1) {
		r = NOTIF_CONTINUE;
		g_mutex_lock(&h->lock);
		nlep_unref(ep);
		g_mutex_unlock(&h->lock);
		goto out;
	}
	g_mutex_lock(&h->lock);
	if (r == 0)
		r = row->apply(ep, &c);
	nlep_unref(ep);
	g_mutex_unlock(&h->lock);
	nlep_complete_own(sb, &c.done);
	if (r == NLEP_PARKED)
		r = NOTIF_ANSWERED;
	else if (r >= 0 && row->write)
		r = row->write(&c, r);
	if (r == -ENOENT && notif_id_valid(sb->listener, req->id) < 0)
		r = NOTIF_ANSWERED;
out:
	target_close(&c.t);
	closep(&c.sfd);
	nlep_recv_free(c.a.rv);
	g_free(c.res.got.buf);
	return r;
}

/* ---- socket() ------------------------------------------------------------ */

/**
 * nlep_do_socket() - socket(AF_NETLINK, @type, NETLINK_ROUTE or
 * NETLINK_SOCK_DIAG)
 * @sb: the caller's sandbox
 * @req: the notification
 * @type: SOCK_RAW or SOCK_DGRAM with SOCK_NONBLOCK/SOCK_CLOEXEC
 * @protocol: NETLINK_ROUTE, or NETLINK_SOCK_DIAG (sockdiag.c: the
 *	endpoint remembers the caller's network namespace, whose processes'
 *	sockets its answers list, and gets a socket made in it)
 *
 * Return: NOTIF_ANSWERED (also when the caller is gone), NOTIF_CONTINUE
 * (types the kernel refuses get the kernel's errno), or -errno.
 */
int64_t nlep_do_socket(struct nlep_sandbox *sb, const struct seccomp_notif *req,
		       int type, int protocol)
{
	_cleanup_close_ int s = -1;
	int base = type & 0xf, sp[2], slot, r;
	struct nlep diag = { .diag_fd = -1, .diag_userns = -1, .diag_netns = -1 };
	pid_t tgid = 0;
	struct stat st;

	if ((protocol != NETLINK_ROUTE && protocol != NETLINK_SOCK_DIAG) ||
	    (base != SOCK_RAW && base != SOCK_DGRAM) ||
	    (type & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC)))
		return NOTIF_CONTINUE;
	if (req->pid == 0)
		return NOTIF_CONTINUE; /* outside our pid namespace: its own */
	slot = nlep_caller_slot(sb, (pid_t)req->pid,
				protocol == NETLINK_SOCK_DIAG ? &diag : NULL, &tgid);
	if (notif_id_valid(sb->listener, req->id) < 0) {
		nlep_diag_clear(&diag);
		return NOTIF_ANSWERED;
	}
	/*
	 * The caller lives (its id is valid) but its /proc entry could not be
	 * reached: it keeps the kernel's own netlink, as a caller outside our
	 * pid namespace does, rather than a call never answered.
	 */
	if (slot < 0)
		return slot == -ENOENT || slot == -ESRCH ? NOTIF_CONTINUE : slot;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		nlep_diag_clear(&diag);
		return -errno;
	}
	s = sp[1];
	/*
	 * S is a socket of our (the host's) namespace: unbound, the sandbox
	 * could bind it to an abstract name of the host's (a copy of the fd
	 * out of the endpoint range is not trapped, nor is any call once a
	 * restarted proxy no longer knows the endpoint). Autobound to a name
	 * of the kernel's choosing, it can take no other (EINVAL).
	 */
	if (fcntl(sp[0], F_SETFL, O_NONBLOCK) < 0 ||
	    ((type & SOCK_NONBLOCK) && fcntl(s, F_SETFL, O_NONBLOCK) < 0) ||
	    bind(s, &(struct sockaddr){ .sa_family = AF_UNIX },
		 sizeof(sa_family_t)) < 0 ||
	    fstat(s, &st) < 0) {
		r = -errno;
		close(sp[0]);
		nlep_diag_clear(&diag);
		return r;
	}
	r = nlep_new(sb, sp[0], st.st_ino, base, tgid,
		     protocol == NETLINK_SOCK_DIAG ? &diag : NULL);
	if (r < 0) {
		close(sp[0]);
		nlep_diag_clear(&diag);
		return r;
	}
	r = notif_addfd(sb->journal, sb->listener, req->id, s, slot,
			type & SOCK_CLOEXEC);
	/* On failure S is closed here and P's POLLHUP releases the endpoint. */
	if (r < 0)
		return r == -ENOENT ? NOTIF_ANSWERED : r;
	log_debug("endpoint %lu at fd %d of pid %u", (unsigned long)st.st_ino,
		  slot, req->pid);
	return NOTIF_ANSWERED;
}
