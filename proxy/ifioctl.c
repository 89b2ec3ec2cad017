// SPDX-License-Identifier: LGPL-2.1-or-later
/* ifioctl.c - answer the sandbox's SIOCGIF* ioctls from the view, refuse SIOCSIF* */
/*
 * Inside a sandbox the kernel's interface ioctls describe the wrong network:
 * on a socket of the sandbox's own namespace they see its lone `lo`, and on
 * an AF_INET socket the proxy injected they see the whole host, hidden
 * interfaces included. The seccomp filter traps ioctl() by request number
 * (src/seccomp_filter.c) and this file answers from the same snapshot
 * lxnetfs renders from, with the kernel's semantics:
 *
 *  - only sockets answer (any other fd: CONTINUE, so ENOTTY/EBADF are the
 *    kernel's); SIOCGIFADDR/NETMASK/BRDADDR/DSTADDR only on AF_INET
 *    sockets (devinet_ioctl), other families are let through natively;
 *  - the struct ifreq / struct ifconf is copied from the target with
 *    process_vm_readv() (EFAULT on a bad pointer, partial reads included),
 *    SECCOMP_IOCTL_NOTIF_ID_VALID is checked after reading; answers are
 *    written through the caller's own /proc/PID/mem (target.c), and the
 *    whole struct goes back as the kernel's copy_to_user() does (bytes the
 *    kernel leaves alone keep the caller's);
 *  - i386 and x32 are compat callers: struct ifreq is 32 bytes there and
 *    struct ifconf 8;
 *  - dev_ioctl(): the name is cut at IFNAMSIZ-1 and at a ':' (alias), the
 *    ':' is restored in the answer; unknown or hidden names give ENODEV;
 *    flags are the low 16 bits of ifi_flags (IFF_LOWER_UP and IFF_DORMANT
 *    do not fit); the metric is 0;
 *  - devinet_ioctl(): the address is the first IPv4 address whose label
 *    equals the full name (eth0:1 picks its labelled address), preferring
 *    one whose local address equals the caller's sin_addr when the caller
 *    passed AF_INET; none gives EADDRNOTAVAIL;
 *  - SIOCGIFCONF: one entry per IPv4 address in device then kernel order,
 *    named by its label; with a NULL buffer only the size needed; entries
 *    stop at the first that does not fit whole;
 *  - SIOCSIF*, SIOCDIFADDR, SIOCADDRT/SIOCDELRT, SIOC{ADD,DEL}MULTI: EPERM,
 *    as in an unprivileged container (the sandbox never changes the host).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/audit.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>

#include "log.h"
#include "netstate.h"
#include "proxy_int.h"
#include "util.h"

/* The kernel's struct ifreq: IFNAMSIZ name, then a 24- (16 compat) byte union. */
#define IFREQ_SIZE_NATIVE 40
#define IFREQ_SIZE_COMPAT 32
#define IFREQ_UNION_OFF IFNAMSIZ
/* struct ifconf: int ifc_len; then a pointer (8 bytes aligned, 4 compat). */
#define IFCONF_SIZE_NATIVE 16
#define IFCONF_SIZE_COMPAT 8

_Static_assert(sizeof(struct ifreq) == IFREQ_SIZE_NATIVE || sizeof(void *) == 4,
	       "struct ifreq layout");

/*
 * struct ifioctl_call - one trapped ioctl
 * @listener: the listener fd
 * @pidfd_leader_only: conf->pidfd_leader_only (task.c)
 * @req: the notification
 * @compat: i386 or x32 caller (compat struct sizes)
 * @cmd: the request
 * @arg: the caller's pointer
 */
struct ifioctl_call {
	int listener;
	bool pidfd_leader_only;
	const struct seccomp_notif *req;
	bool compat;
	uint32_t cmd;
	uint64_t arg;
};

static int ifioctl_id_valid(const struct ifioctl_call *c)
{
	return notif_id_valid(c->listener, c->req->id) < 0 ? -ENOENT : 0;
}

/**
 * ifioctl_peek() - copy @len bytes at @addr out of the target
 * @c: the call
 * @addr: the target's address
 * @buf: where to
 * @len: how many
 *
 * Then checks the notification is still valid (pid reuse).
 * Return: 0, -EFAULT (also for a short read), -ENOENT when the target is
 * gone.
 */
static int ifioctl_peek(const struct ifioctl_call *c, uint64_t addr,
			void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t n;
	int err = -target_check_read((pid_t)c->req->pid, addr, len);

	if (err)
		return ifioctl_id_valid(c) < 0 || err == ENOENT ? -ENOENT : -err;
	n = process_vm_readv((pid_t)c->req->pid, &local, 1, &remote, 1, 0);
	err = n < 0 ? errno : 0;
	if (ifioctl_id_valid(c) < 0 || err == ESRCH)
		return -ENOENT;
	if (n < 0 && err != EFAULT)
		return -err;
	return (size_t)n == len ? 0 : -EFAULT;
}

/**
 * ifioctl_poke() - copy @len bytes to @addr in the target
 * @c: the call
 * @addr: the target's address
 * @buf: what
 * @len: how many
 *
 * Writes through the caller's own /proc/PID/mem, opened before the
 * notification is checked (target.c): a pid reused after that check
 * cannot be written to, the fd still holds the caller's memory.
 * Return: 0, -EFAULT (also a short or read-only write), -ENOENT when the
 * target is gone.
 */
static int ifioctl_poke(const struct ifioctl_call *c, uint64_t addr,
			const void *buf, size_t len)
{
	struct target t;
	int r;

	if (len == 0)
		return 0;
	r = target_open(c->listener, c->req->id, (pid_t)c->req->pid, &t);
	if (r < 0)
		return r == -ENOENT ? -ENOENT : -EFAULT;
	r = target_write(&t, addr, buf, len);
	target_close(&t);
	return r;
}

/**
 * ifioctl_fd_domain() - what the caller's fd is
 * @c: the call
 * @fd: the fd argument
 * @ret_domain: AF_* of the socket, or -1 when @fd is not a socket
 *
 * Takes a copy of the fd (task_getfd()). When the fd cannot be obtained
 * (permissions, a thread with a file table of its own before 6.9) the call
 * is treated as on an AF_INET socket, the sockets the proxy itself hands
 * out.
 *
 * Return: 0, -ENOENT when the target is gone.
 */
static int ifioctl_fd_domain(const struct ifioctl_call *c, int fd,
			     int *ret_domain)
{
	_cleanup_close_ int copy = -1;
	int domain = AF_INET, r;
	socklen_t len = sizeof(domain);
	struct stat st;

	r = task_getfd((pid_t)c->req->pid, fd, c->pidfd_leader_only, &copy);
	if (ifioctl_id_valid(c) < 0)
		return -ENOENT;
	if (r < 0 && r != -EBADF) {
		log_debug("ioctl on fd %d of pid %u: cannot inspect it (%s)", fd,
			  c->req->pid, g_strerror(-r));
		*ret_domain = AF_INET;
		return 0;
	}
	if (r < 0 || fstat(copy, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		*ret_domain = -1;
		return 0;
	}
	if (getsockopt(copy, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		domain = AF_INET;
	*ret_domain = domain;
	return 0;
}

/**
 * ifioctl_link_of() - the link an ifreq names, dev_ioctl()'s way
 * @snap: the view
 * @name: ifr_name, NUL-terminated at IFNAMSIZ-1 by the caller
 *
 * The name is looked up up to a ':' (an alias such as eth0:1 names eth0).
 * Return: the link, or NULL (ENODEV).
 */
static const struct ns_link *ifioctl_link_of(const struct netstate_snapshot *snap,
					     const char *name)
{
	char base[IFNAMSIZ];
	char *colon;

	memcpy(base, name, IFNAMSIZ);
	colon = strchr(base, ':');
	if (colon)
		*colon = '\0';
	return ns_link_by_name(snap, base);
}

/**
 * ifioctl_dev() - a dev_ioctl() request on a copy of the caller's ifreq
 * @snap: the view
 * @cmd: SIOCGIFFLAGS, ...METRIC, ...MTU, ...HWADDR, ...INDEX, ...NAME,
 *	...TXQLEN
 * @ifr: the caller's ifreq (IFREQ_SIZE_NATIVE bytes), answered in place
 *
 * Return: 0 or -errno (-ENODEV for a name or index the view lacks).
 */
static int ifioctl_dev(const struct netstate_snapshot *snap, uint32_t cmd,
		       unsigned char *ifr)
{
	unsigned char *u = ifr + IFREQ_UNION_OFF;
	const struct ns_link *l;
	int32_t v;
	int16_t flags;

	if (cmd == SIOCGIFNAME) {
		memcpy(&v, u, sizeof(v));
		l = ns_link_by_index(snap, v);
		if (!l)
			return -ENODEV;
		memcpy(ifr, l->name, strnlen(l->name, IFNAMSIZ - 1) + 1);
		return 0;
	}
	ifr[IFNAMSIZ - 1] = '\0';
	l = ifioctl_link_of(snap, (const char *)ifr);
	if (!l)
		return -ENODEV;
	switch (cmd) {
	case SIOCGIFFLAGS:
		flags = (int16_t)(uint16_t)(l->flags & 0xffff);
		memcpy(u, &flags, sizeof(flags));
		return 0;
	case SIOCGIFMETRIC:
		v = 0;
		break;
	case SIOCGIFMTU:
		v = (int32_t)l->mtu;
		break;
	case SIOCGIFINDEX:
		v = l->ifindex;
		break;
	case SIOCGIFTXQLEN:
		v = (int32_t)l->txqlen;
		break;
	case SIOCGIFHWADDR: {
		/* struct sockaddr: sa_family, then 14 bytes of sa_data */
		uint16_t fam = l->type;

		if (l->addr_len == 0)
			memset(u + 2, 0, 14);
		else
			memcpy(u + 2, l->addr, MIN((size_t)l->addr_len, 14));
		memcpy(u, &fam, sizeof(fam));
		return 0;
	}
	default:
		return -ENOTTY;
	}
	memcpy(u, &v, sizeof(v));
	return 0;
}

/* Netmask of an IPv4 prefix length, network order. */
static uint32_t ifioctl_mask(uint8_t prefixlen)
{
	return prefixlen == 0 ? 0 :
	       htonl(~(uint32_t)0 << (32 - MIN(prefixlen, (uint8_t)32)));
}

/* An IPv4 address's label, the link's name when the kernel gave none. */
static const char *ifioctl_label(const struct netstate_snapshot *snap,
				 const struct ns_addr *a)
{
	const struct ns_link *l;

	if (a->label[0])
		return a->label;
	l = ns_link_by_index(snap, a->ifindex);
	return l ? l->name : "";
}

/**
 * ifioctl_inet() - a devinet_ioctl() request on a copy of the caller's ifreq
 * @snap: the view
 * @cmd: SIOCGIFADDR, ...NETMASK, ...BRDADDR, ...DSTADDR
 * @ifr: the caller's ifreq, answered in place
 *
 * Return: 0, -ENODEV (no such link) or -EADDRNOTAVAIL (no IPv4 address
 * labelled so).
 */
static int ifioctl_inet(const struct netstate_snapshot *snap, uint32_t cmd,
			unsigned char *ifr)
{
	unsigned char *u = ifr + IFREQ_UNION_OFF;
	struct sockaddr_in orig, out = { .sin_family = AF_INET };
	const struct ns_addr *found = NULL;
	const struct ns_link *l;
	guint i, pass;

	ifr[IFNAMSIZ - 1] = '\0';
	memcpy(&orig, u, sizeof(orig));
	l = ifioctl_link_of(snap, (const char *)ifr);
	if (!l)
		return -ENODEV;
	/* pass 0: label and address (4.4BSD style), pass 1: label only */
	for (pass = orig.sin_family == AF_INET ? 0 : 1; pass < 2 && !found;
	     pass++) {
		for (i = 0; i < snap->addrs->n; i++) {
			const struct ns_addr *a = &snap->addrs->v[i];

			if (a->family != AF_INET || a->ifindex != l->ifindex ||
			    strncmp(ifioctl_label(snap, a), (const char *)ifr,
				    IFNAMSIZ) != 0)
				continue;
			if (pass == 0 &&
			    memcmp(a->local, &orig.sin_addr, 4) != 0)
				continue;
			found = a;
			break;
		}
	}
	if (!found)
		return -EADDRNOTAVAIL;
	switch (cmd) {
	case SIOCGIFADDR:
		memcpy(&out.sin_addr, found->local, 4);
		break;
	case SIOCGIFBRDADDR:
		if (found->has_broadcast)
			memcpy(&out.sin_addr, found->broadcast, 4);
		break;
	case SIOCGIFDSTADDR:
		memcpy(&out.sin_addr,
		       found->has_peer ? found->peer : found->local, 4);
		break;
	case SIOCGIFNETMASK:
		out.sin_addr.s_addr = ifioctl_mask(found->prefixlen);
		break;
	default:
		return -ENOTTY;
	}
	memcpy(u, &out, sizeof(out));
	return 0;
}

/*
 * struct ifmap as an i386 or x32 caller lays it out (the kernel's
 * struct compat_ifmap): 32-bit addresses.
 */
struct ifioctl_compat_ifmap {
	uint32_t mem_start;
	uint32_t mem_end;
	uint16_t base_addr;
	uint8_t irq;
	uint8_t dma;
	uint8_t port;
} __attribute__((packed, aligned(4)));

_Static_assert(sizeof(struct ifioctl_compat_ifmap) == 16, "struct compat_ifmap");

/**
 * ifioctl_host() - a dev_ioctl() request the view does not model, asked of
 * the host's kernel
 * @snap: the view
 * @cmd: SIOCGIFMAP
 * @ifr: the caller's ifreq (our copy), answered in place
 * @compat: the caller's layout is i386/x32's
 *
 * The name is checked against the view first (a hidden device is missing:
 * ENODEV), then the request is made on a socket of the proxy's, with the
 * view's own name of the device, so what the caller's memory says by then
 * does not matter.
 *
 * Return: 0 or -errno.
 */
static int ifioctl_host(const struct netstate_snapshot *snap, uint32_t cmd,
			unsigned char *ifr, bool compat)
{
	_cleanup_close_ int s = -1;
	struct ifreq q = { 0 };
	const struct ns_link *l;
	struct ifioctl_compat_ifmap m;

	ifr[IFNAMSIZ - 1] = '\0';
	l = ifioctl_link_of(snap, (const char *)ifr);
	if (!l)
		return -ENODEV;
	if (cmd != SIOCGIFMAP)
		return -ENOTTY;
	memcpy(q.ifr_name, l->name, strnlen(l->name, IFNAMSIZ - 1));
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (ioctl(s, SIOCGIFMAP, &q) < 0)
		return -errno;
	if (!compat) {
		memcpy(ifr + IFREQ_UNION_OFF, &q.ifr_map, sizeof(q.ifr_map));
		return 0;
	}
	m = (struct ifioctl_compat_ifmap){
		.mem_start = (uint32_t)q.ifr_map.mem_start,
		.mem_end = (uint32_t)q.ifr_map.mem_end,
		.base_addr = q.ifr_map.base_addr,
		.irq = q.ifr_map.irq,
		.dma = q.ifr_map.dma,
		.port = q.ifr_map.port,
	};
	memcpy(ifr + IFREQ_UNION_OFF, &m, sizeof(m));
	return 0;
}

/**
 * ifioctl_do_ifreq() - read the ifreq, answer, write it back
 * @c: the call
 * @snap: the view
 * @cls: TRAP_IOCTL_DEV, TRAP_IOCTL_INET or TRAP_IOCTL_HOST
 *
 * Return: 0 answered (the caller replies 0), or -errno.
 */
static int ifioctl_do_ifreq(const struct ifioctl_call *c,
			    const struct netstate_snapshot *snap,
			    enum trap_ioctl_kind cls)
{
	unsigned char ifr[IFREQ_SIZE_NATIVE] = { 0 };
	size_t size = c->compat ? IFREQ_SIZE_COMPAT : IFREQ_SIZE_NATIVE;
	int r;

	r = ifioctl_peek(c, c->arg, ifr, size);
	if (r < 0)
		return r;
	if (cls == TRAP_IOCTL_INET)
		r = ifioctl_inet(snap, c->cmd, ifr);
	else if (cls == TRAP_IOCTL_HOST)
		r = ifioctl_host(snap, c->cmd, ifr, c->compat);
	else
		r = ifioctl_dev(snap, c->cmd, ifr);
	if (r < 0)
		return r;
	return ifioctl_poke(c, c->arg, ifr, size);
}

/**
 * ifioctl_do_ifconf() - SIOCGIFCONF from the view
 * @c: the call
 * @snap: the view
 *
 * The entries are built in memory (bounded by the view's IPv4 addresses
 * and by the caller's ifc_len) and written in one go; a buffer the target
 * cannot write gives EFAULT, as the kernel's copy_to_user() would.
 *
 * Return: 0 or -errno.
 */
static int ifioctl_do_ifconf(const struct ifioctl_call *c,
			     const struct netstate_snapshot *snap)
{
	size_t hdr = c->compat ? IFCONF_SIZE_COMPAT : IFCONF_SIZE_NATIVE;
	int size = c->compat ? IFREQ_SIZE_COMPAT : IFREQ_SIZE_NATIVE;
	unsigned char raw[IFCONF_SIZE_NATIVE];
	g_autofree unsigned char *out = NULL;
	int32_t len, total = 0;
	uint64_t buf;
	guint i, n4 = 0;
	int r;

	r = ifioctl_peek(c, c->arg, raw, hdr);
	if (r < 0)
		return r;
	memcpy(&len, raw, sizeof(len));
	if (c->compat) {
		uint32_t p32;

		memcpy(&p32, raw + 4, sizeof(p32));
		buf = p32;
	} else {
		memcpy(&buf, raw + 8, sizeof(buf));
	}
	for (i = 0; i < snap->addrs->n; i++)
		if (snap->addrs->v[i].family == AF_INET &&
		    ns_link_by_index(snap, snap->addrs->v[i].ifindex))
			n4++;
	if (buf && len >= size)
		out = g_malloc0((size_t)MIN((guint)(len / size), n4) *
				(size_t)size + 1);
	for (i = 0; i < snap->addrs->n; i++) {
		const struct ns_addr *a = &snap->addrs->v[i];
		struct sockaddr_in sin = { .sin_family = AF_INET };

		if (a->family != AF_INET || !ns_link_by_index(snap, a->ifindex))
			continue;
		if (buf) {
			if (len - total < size)
				break;
			g_strlcpy((char *)out + total, ifioctl_label(snap, a),
				  IFNAMSIZ);
			memcpy(&sin.sin_addr, a->local, 4);
			memcpy(out + total + IFREQ_UNION_OFF, &sin, sizeof(sin));
		}
		total += size;
	}
	if (buf) {
		r = ifioctl_poke(c, buf, out, (size_t)total);
		if (r < 0)
			return r;
	}
	return ifioctl_poke(c, c->arg, &total, sizeof(total));
}

/**
 * ifioctl_do() - serve one trapped interface ioctl
 * @conf: shared configuration (the model)
 * @listener: the listener fd
 * @req: the notification: ioctl(args[0], args[1], args[2])
 * @s: the caller's architecture
 *
 * Runs on the listener's thread.
 * Return: 0 (the answer: the caller's memory holds it), NOTIF_ANSWERED when
 * the target is gone, NOTIF_CONTINUE to let the kernel run the call (not a
 * socket; the sandbox's own packet socket; an address request on a
 * non-AF_INET socket), or -errno to fail it with.
 */
int64_t ifioctl_do(const struct proxy_conf *conf, int listener,
		   const struct seccomp_notif *req, const struct proxy_sysnr *s)
{
	struct ifioctl_call c = {
		.listener = listener,
		.pidfd_leader_only = conf->pidfd_leader_only,
		.req = req,
		.compat = s->x32 || s->arch == AUDIT_ARCH_I386,
		.cmd = (uint32_t)req->data.args[1],
		.arg = req->data.args[2],
	};
	enum trap_ioctl_kind cls = trap_ioctl_kind(c.cmd);
	_cleanup_(netstate_snapshot_unrefp) struct netstate_snapshot *snap = NULL;
	int domain, r;

	if (c.compat)
		c.arg = (uint32_t)c.arg;
	r = ifioctl_fd_domain(&c, (int)req->data.args[0], &domain);
	if (r < 0)
		return NOTIF_ANSWERED; /* target gone */
	/*
	 * Not a socket; or a packet socket, which the sandbox made in its own
	 * namespace and binds by that namespace's ifindexes: the host's must
	 * not reach it.
	 */
	if (domain < 0 || domain == AF_PACKET || cls == TRAP_IOCTL_NONE)
		return NOTIF_CONTINUE;
	if (cls == TRAP_IOCTL_SET)
		return -EPERM;
	if (cls == TRAP_IOCTL_INET && domain != AF_INET)
		return NOTIF_CONTINUE;
	snap = proxy_model_get(conf->model);
	if (!snap)
		return -ENOSYS; /* the proxy is shutting down */
	if (cls == TRAP_IOCTL_CONF)
		r = ifioctl_do_ifconf(&c, snap);
	else
		r = ifioctl_do_ifreq(&c, snap, cls);
	if (r == -ENOENT)
		return NOTIF_ANSWERED;
	return r < 0 ? r : 0;
}
