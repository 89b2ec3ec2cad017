// SPDX-License-Identifier: LGPL-2.1-or-later
/* seccomp_filter.c - build the sandbox's seccomp filter and load it with a listener */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>
#include <seccomp.h>

#include "fdpass.h"
#include "landlock.h"
#include "seccomp_filter.h"
#include "trapped.h"
#include "cleanup.h"

/* Bound on the exported program: the kernel's own limit (BPF_MAXINSNS). */
#define FILTER_MAX_INSNS 4096

static void seccomp_ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/*
 * The argument conditions of the rows of LXNET_TRAPPED_CALLS (trapped.h):
 * rules_<row>(ctx, arch, nr) adds the rules trapping the call numbered @nr
 * in a filter for exactly one architecture @arch. Arguments are compared
 * on their low 32 bits where the kernel takes an int, so garbage in the
 * upper half of a register cannot dodge the trap. Each leaves every call
 * it does not name ALLOWed. Return: 0 or -errno.
 */

/* Trap a call when argument @arg, masked with @mask, equals @val. */
static int rule_arg(scmp_filter_ctx ctx, int nr, unsigned int arg,
		    uint64_t mask, uint64_t val)
{
	struct scmp_arg_cmp c = {
		.arg = arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = mask,
		.datum_b = val,
	};

	return seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr, 1, &c);
}

/*
 * socket(AF_INET or AF_INET6, ...) everywhere; on the native architecture
 * also socket(AF_NETLINK, *, NETLINK_ROUTE or NETLINK_SOCK_DIAG): the
 * proxy reads callers' struct msghdr and iovecs in its own layout, so i386
 * and x32 programs keep the kernel's netlink of their own namespace.
 */
static int rules_socket(scmp_filter_ctx ctx, uint32_t arch, int nr,
                        unsigned int flags)
{
	(void)flags;
	static const int domains[] = { AF_INET, AF_INET6 };
	static const int nl_protocols[] = { NETLINK_ROUTE, NETLINK_SOCK_DIAG };
	size_t i;
	int r;

	for (i = 0; i < ELEMENTSOF(domains); i++) {
		r = rule_arg(ctx, nr, 0, 0xffffffffu, (uint64_t)domains[i]);
		if (r < 0)
			return r;
	}
	if (arch != seccomp_arch_native())
		return 0;
	for (i = 0; i < ELEMENTSOF(nl_protocols); i++) {
		struct scmp_arg_cmp c[2] = {
			{ .arg = 0, .op = SCMP_CMP_MASKED_EQ,
			  .datum_a = 0xffffffffu, .datum_b = AF_NETLINK },
			{ .arg = 2, .op = SCMP_CMP_MASKED_EQ,
			  .datum_a = 0xffffffffu,
			  .datum_b = (uint64_t)nl_protocols[i] },
		};

		r = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr, 2, c);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * socketcall(SYS_SOCKET, args): the domain is behind a pointer, so every
 * SYS_SOCKET socketcall is trapped and the proxy answers CONTINUE for
 * families it does not serve. Under a connection policy also the calls a
 * policy governs (bind, connect, the sends), so that an i386 program is
 * kept off the host's sockets (proxy/notify.c, foreign_call()).
 */
static int rules_socketcall(scmp_filter_ctx ctx, uint32_t arch, int nr,
                            unsigned int flags)
{
	static const uint32_t governed[] = {
		SYS_BIND, SYS_CONNECT, SYS_SENDTO, SYS_SENDMSG, SYS_SENDMMSG,
	};
	size_t i;
	int r;

	(void)arch;
	r = rule_arg(ctx, nr, 0, 0xffffffffu, (uint64_t)SYS_SOCKET);
	for (i = 0; r == 0 && (flags & TRAP_FILTER_GOVERN) &&
		    i < ELEMENTSOF(governed); i++)
		r = rule_arg(ctx, nr, 0, 0xffffffffu, (uint64_t)governed[i]);
	return r;
}

/*
 * ioctl(fd, request, ...) for the interface requests of trap_ioctls[], by
 * request number on any fd (its low 32 bits: the kernel's ioctl takes an
 * unsigned int); every other ioctl stays native. ioctl has its own number
 * everywhere, also on i386.
 */
static int rules_ioctl(scmp_filter_ctx ctx, uint32_t arch, int nr,
                       unsigned int flags)
{
	(void)flags;
	unsigned int i;
	int r;

	(void)arch;
	for (i = 0; i < trap_n_ioctls; i++) {
		r = rule_arg(ctx, nr, 1, 0xffffffffu,
			     (uint64_t)trap_ioctls[i].request);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * unshare() and clone() with CLONE_NEWNET: the proxy records that the
 * sandbox may have namespaces of its own and lets the call run. clone()'s
 * flags are its first argument everywhere lxnet builds for (x86_64, i386,
 * x32; s390 differs).
 */
static int rules_newnet(scmp_filter_ctx ctx, uint32_t arch, int nr,
                        unsigned int flags)
{
	(void)flags;
	(void)arch;
	return rule_arg(ctx, nr, 0, CLONE_NEWNET, CLONE_NEWNET);
}

/* setns() that may enter a network namespace: nstype 0 (also a pidfd's) or with CLONE_NEWNET. */
static int rules_setns(scmp_filter_ctx ctx, uint32_t arch, int nr,
                       unsigned int flags)
{
	(void)flags;
	int r;

	(void)arch;
	r = rule_arg(ctx, nr, 1, 0xffffffffu, 0);
	if (r == 0)
		r = rule_arg(ctx, nr, 1, CLONE_NEWNET, CLONE_NEWNET);
	return r;
}

/*
 * clone3() keeps its flags behind a pointer: it fails ENOSYS, and the C
 * libraries (glibc, musl) and Go fall back to clone(), as they do under
 * Docker's default profile for the same reason.
 */
static int rules_enosys(scmp_filter_ctx ctx, uint32_t arch, int nr,
                        unsigned int flags)
{
	(void)flags;
	(void)arch;
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
}

/*
 * io_uring_setup() under a connection policy (TRAP_FILTER_GOVERN): a ring's
 * IORING_OP_CONNECT, BIND and SENDMSG are never seen by seccomp, so a
 * socket of the host's would reach past every rule through one. It fails
 * ENOSYS, as under Docker's default profile; programs fall back to
 * system calls.
 */
static int rules_enosys_govern(scmp_filter_ctx ctx, uint32_t arch, int nr,
			       unsigned int flags)
{
	(void)arch;
	if (!(flags & TRAP_FILTER_GOVERN))
		return 0;
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
}

/*
 * A TRAP_ENDPOINT row: the call when its fd (arg0) lies in an endpoint
 * range (see seccomp_filter.h): one masked comparison each, the ranges
 * being aligned to their power-of-two sizes.
 */
static const struct {
	uint32_t base, count; /* count a power of two, base aligned */
} endpoint_ranges[] = {
	{ LXNET_NLEP_FD_BASE, LXNET_NLEP_FD_COUNT },
	{ LXNET_NLEP_FD_LOW_BASE, LXNET_NLEP_FD_LOW_COUNT },
};

/* The mask that compares an fd with endpoint_ranges[@j]'s base. */
static uint64_t endpoint_mask(size_t j)
{
	return 0xffffffffu & ~(uint64_t)(endpoint_ranges[j].count - 1);
}

/*
 * The call when its fd (arg0) lies in an endpoint range, and @also holds
 * when not NULL (one more comparison on another argument).
 */
static int rules_endpoint_if(scmp_filter_ctx ctx, int nr,
			     const struct scmp_arg_cmp *also)
{
	size_t j;
	int r;

	for (j = 0; j < ELEMENTSOF(endpoint_ranges); j++) {
		struct scmp_arg_cmp c[2] = {
			{ .arg = 0, .op = SCMP_CMP_MASKED_EQ,
			  .datum_a = endpoint_mask(j),
			  .datum_b = endpoint_ranges[j].base },
		};

		if (also)
			c[1] = *also;
		r = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr,
					   also ? 2 : 1, c);
		if (r < 0)
			return r;
	}
	return 0;
}

static int rules_endpoint(scmp_filter_ctx ctx, int nr)
{
	return rules_endpoint_if(ctx, nr, NULL);
}

/*
 * bind(), connect(): under a connection policy (TRAP_FILTER_GOVERN) or
 * with published ports (TRAP_FILTER_PUBLISH), the call on every fd.
 */
static int rules_bind_connect(scmp_filter_ctx ctx, uint32_t arch, int nr,
			      unsigned int flags)
{
	(void)arch;
	if (!(flags & (TRAP_FILTER_GOVERN | TRAP_FILTER_PUBLISH)))
		return 0;
	return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
}

/*
 * getsockname(): with published ports (TRAP_FILTER_PUBLISH) on every fd,
 * so that a socket bound to HOSTPORT is told PORT (proxy/publish.c).
 */
static int rules_publish(scmp_filter_ctx ctx, uint32_t arch, int nr,
			 unsigned int flags)
{
	(void)arch;
	if (!(flags & TRAP_FILTER_PUBLISH))
		return 0;
	return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
}

/*
 * The ranges raw ICMP sockets are placed in (seccomp_filter.h), and fd 0,
 * where busybox ping moves its socket.
 */
static const struct {
	uint32_t base, count; /* count a power of two, base aligned */
} ping_ranges[] = {
	{ 0, 1 },
	{ LXNET_PING_FD_BASE, LXNET_PING_FD_COUNT },
	{ LXNET_NLEP_FD_LOW_BASE, LXNET_NLEP_FD_LOW_COUNT },
};

/* The call when its fd (arg0) lies in ping_ranges[@first, @end). */
static int rules_ping_in(scmp_filter_ctx ctx, int nr, size_t first, size_t end)
{
	size_t j;
	int r;

	for (j = first; j < end; j++) {
		struct scmp_arg_cmp c = {
			.arg = 0, .op = SCMP_CMP_MASKED_EQ,
			.datum_a = 0xffffffffu &
				   ~(uint64_t)(ping_ranges[j].count - 1),
			.datum_b = ping_ranges[j].base,
		};

		r = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr, 1, &c);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE or SO_BINDTOIFINDEX, ...) on
 * any fd: the proxy refuses a device the view hides (as a missing one) and
 * binds a socket of the host's itself, on its own copy of the name. Any
 * setsockopt() on fd 0, where busybox ping moves a raw ICMP socket
 * (ICMP6_FILTER).
 */
static int rules_setsockopt(scmp_filter_ctx ctx, uint32_t arch, int nr,
                            unsigned int flags)
{
	(void)flags;
	static const int optnames[] = { SO_BINDTODEVICE, SO_BINDTOIFINDEX };
	size_t i;
	int r;

	(void)arch;
	r = rules_ping_in(ctx, nr, 0, 1); /* fd 0: a raw ICMP socket moved there */
	if (r < 0)
		return r;
	for (i = 0; i < ELEMENTSOF(optnames); i++) {
		struct scmp_arg_cmp c[2] = {
			{ .arg = 1, .op = SCMP_CMP_MASKED_EQ,
			  .datum_a = 0xffffffffu, .datum_b = SOL_SOCKET },
			{ .arg = 2, .op = SCMP_CMP_MASKED_EQ,
			  .datum_a = 0xffffffffu,
			  .datum_b = (uint64_t)optnames[i] },
		};

		r = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr, 2, c);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Under a connection policy (TRAP_FILTER_GOVERN) the call on every fd:
 * its address is behind a pointer, so the proxy reads it and makes the
 * call itself (proxy/govern.c).
 */
static int rules_govern(scmp_filter_ctx ctx, uint32_t arch, int nr,
			unsigned int flags)
{
	(void)arch;
	if (!(flags & TRAP_FILTER_GOVERN))
		return 0;
	return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
}

static int rules_ping(scmp_filter_ctx ctx, int nr)
{
	return rules_ping_in(ctx, nr, 0, ELEMENTSOF(ping_ranges));
}

/*
 * recvfrom(), recvmsg() on fd 0 too (endpoint rows: the ranges are
 * trapped already): a raw ICMP socket busybox moved there.
 */
static int rules_recv(scmp_filter_ctx ctx, uint32_t arch, int nr,
		      unsigned int flags)
{
	(void)arch;
	(void)flags;
	return rules_ping_in(ctx, nr, 0, 1);
}

/*
 * sendto() of 0 bytes (arg2) on an fd in an endpoint range: netlink
 * answers ENODATA, the AF_UNIX socket behind an endpoint would send an
 * empty datagram. Any sendto() on an fd of the ping ranges: the proxy
 * binds a raw ICMP socket's ident to the echo id sent (proxy/pingraw.c).
 * Under a policy also sendto() with a destination (arg4, the address, not
 * NULL) on every fd.
 */
static int rules_sendto(scmp_filter_ctx ctx, uint32_t arch, int nr,
			unsigned int flags)
{
	struct scmp_arg_cmp c = { .arg = 4, .op = SCMP_CMP_NE, .datum_a = 0 };
	const struct scmp_arg_cmp empty = {
		.arg = 2, .op = SCMP_CMP_MASKED_EQ, .datum_a = UINT64_MAX,
		.datum_b = 0,
	};
	int r;

	(void)arch;
	r = rules_endpoint_if(ctx, nr, &empty);
	if (r == 0)
		r = rules_ping(ctx, nr);
	if (r < 0 || !(flags & TRAP_FILTER_GOVERN))
		return r;
	return seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr, 1, &c);
}

/*
 * sendmsg() on an fd of the ping ranges (as sendto() above); under a
 * policy on every fd.
 */
static int rules_sendmsg(scmp_filter_ctx ctx, uint32_t arch, int nr,
			 unsigned int flags)
{
	if (flags & TRAP_FILTER_GOVERN)
		return rules_govern(ctx, arch, nr, flags);
	return rules_ping(ctx, nr);
}

typedef int (*filter_rules_fn)(scmp_filter_ctx ctx, uint32_t arch, int nr,
			       unsigned int flags);

#define FILTER_RULES_ROW(id, name, scope, arches, rules, handler) [TRAP_##id] = rules,
static const filter_rules_fn filter_rules[TRAP_N] = {
	LXNET_TRAPPED_CALLS(FILTER_RULES_ROW)
};
#undef FILTER_RULES_ROW

/*
 * Whether architecture @arch has the call @name. libseccomp numbers the
 * socket calls i386 multiplexes through socketcall() from __PNR_socket
 * (-101) down to -199, and those exist there (socketcall(), and since
 * Linux 4.3 their own numbers, both of which libseccomp's rules cover);
 * calls an architecture lacks get pseudo numbers from -10000 down.
 */
static bool filter_arch_has(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	return nr >= 0 || (nr <= __PNR_socket && nr > __PNR_socket - 99);
}

/**
 * filter_add_rows() - the rules of every row of LXNET_TRAPPED_CALLS
 * @ctx: filter under construction for exactly one architecture
 * @arch: that architecture
 * @flags: TRAP_FILTER_* (trapped.h)
 *
 * A row is skipped on an architecture it is not trapped on, and where the
 * architecture lacks its call (libseccomp's pseudo numbers are negative):
 * no rule is ever added for a pseudo-syscall (see filter_build_arch()).
 *
 * Return: 0 or -errno.
 */
static int filter_add_rows(scmp_filter_ctx ctx, uint32_t arch,
			   unsigned int flags)
{
	size_t i;
	int nr, r;

	for (i = 0; i < TRAP_N; i++) {
		const struct trap_row *row = &trap_rows[i];

		if ((row->arches == TRAP_ARCH_NATIVE) !=
		    (arch == seccomp_arch_native()) &&
		    row->arches != TRAP_ARCH_ALL)
			continue;
		if (!filter_arch_has(arch, row->syscall))
			continue;
		/*
		 * Rules take the native number, or libseccomp's pseudo number
		 * for a call the native architecture lacks (socketcall on
		 * x86_64); it translates either into @arch's.
		 */
		nr = seccomp_syscall_resolve_name(row->syscall);
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = row->scope == TRAP_ENDPOINT ? rules_endpoint(ctx, nr) : 0;
		if (r == 0 && filter_rules[i])
			r = filter_rules[i](ctx, arch, nr, flags);
		if (r < 0)
			return r;
	}
	return 0;
}

/**
 * filter_build_arch() - the filter for one architecture
 * @arch: SCMP_ARCH_*
 * @flags: TRAP_FILTER_* (trapped.h)
 * @ret_ctx: the filter (seccomp_release())
 *
 * One context per architecture, merged afterwards: libseccomp 2.5.4 emits a
 * wrong x86_64 block (the syscall number is never loaded) when x86_64, x32
 * and a rule on the i386-only socketcall share one context, so no rule is
 * ever added for a pseudo-syscall an architecture lacks.
 *
 * Return: 0 or -errno.
 */
static int filter_build_arch(uint32_t arch, unsigned int flags,
			     scmp_filter_ctx *ret_ctx)
{
	_cleanup_(seccomp_ctx_releasep) scmp_filter_ctx ctx = NULL;
	int r;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	if (r < 0)
		return r;
	if (arch != seccomp_arch_native()) {
		r = seccomp_arch_add(ctx, arch);
		if (r < 0)
			return r;
		r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
		if (r < 0)
			return r;
	}
	r = filter_add_rows(ctx, arch, flags);
	if (r < 0)
		return r;
	*ret_ctx = ctx;
	ctx = NULL;
	return 0;
}

/**
 * filter_build() - build the filter in libseccomp's representation
 * @flags: TRAP_FILTER_* (trapped.h)
 * @ret_ctx: the filter (seccomp_release())
 *
 * The native architecture, plus i386 and x32 on x86_64. Default action
 * ALLOW, also for architectures the filter does not name.
 *
 * Return: 0 or -errno.
 */
static int filter_build(unsigned int flags, scmp_filter_ctx *ret_ctx)
{
	_cleanup_(seccomp_ctx_releasep) scmp_filter_ctx ctx = NULL;
	uint32_t native = seccomp_arch_native();
	uint32_t extra[2];
	size_t n_extra = 0, i;
	int r;

	if (native == SCMP_ARCH_X86_64) {
		extra[n_extra++] = SCMP_ARCH_X86;
		extra[n_extra++] = SCMP_ARCH_X32;
	}
	r = filter_build_arch(native, flags, &ctx);
	if (r < 0)
		return r;
	for (i = 0; i < n_extra; i++) {
		scmp_filter_ctx other = NULL;

		r = filter_build_arch(extra[i], flags, &other);
		if (r < 0)
			return r;
		r = seccomp_merge(ctx, other); /* consumes other on success */
		if (r < 0) {
			seccomp_release(other);
			return r;
		}
	}
	*ret_ctx = ctx;
	ctx = NULL;
	return 0;
}

/**
 * filter_export() - export the filter as classic BPF into memory
 * @ctx: the filter
 * @ret_insns: instructions (free)
 * @ret_n: how many
 *
 * libseccomp writes to an fd; a memfd keeps it in memory and bounded.
 *
 * Return: 0 or -errno.
 */
static int filter_export(scmp_filter_ctx ctx, struct sock_filter **ret_insns,
			 unsigned int *ret_n)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ struct sock_filter *insns = NULL;
	struct stat st;
	size_t len, off = 0;
	int r;

	fd = memfd_create("lxnet-seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return r;
	if (fstat(fd, &st) < 0)
		return -errno;
	len = (size_t)st.st_size;
	if (len == 0 || len % sizeof(struct sock_filter) ||
	    len / sizeof(struct sock_filter) > FILTER_MAX_INSNS)
		return -E2BIG;
	insns = malloc(len);
	if (!insns)
		return -ENOMEM;
	while (off < len) {
		ssize_t n = pread(fd, (char *)insns + off, len - off, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		off += (size_t)n;
	}
	*ret_n = (unsigned int)(len / sizeof(struct sock_filter));
	*ret_insns = insns;
	insns = NULL;
	return 0;
}

/* The probe thread: a do-nothing filter with a listener on itself only. */
static void *filter_probe_thread(void *arg)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };
	int *ret = arg;
	long fd;

	/* Both are per thread: the process and its other threads keep theirs. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		*ret = -errno;
		return NULL;
	}
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd >= 0) {
		close((int)fd);
		*ret = 0;
	} else {
		*ret = errno == EBUSY ? 1 : -errno;
	}
	return NULL;
}

/**
 * seccomp_listener_present() - whether the calling process already runs
 * under a seccomp filter with a user-notification listener
 *
 * The kernel allows one listener per filter chain: a process inside a
 * sandbox served by lxnet-proxy (`lxnet run`, `lxnet shim`), or under
 * another supervisor, cannot install the sandbox filter (EBUSY). Found by
 * trying, on a short-lived thread: a filter installed without TSYNC and
 * PR_SET_NO_NEW_PRIVS bind only the calling thread, and both go with it.
 *
 * A thread without any seccomp filter (PR_GET_SECCOMP 0, the common case)
 * has no listener either: that is asked, not tried.
 *
 * Return: 1 when a listener is present, 0 when not, or -errno
 * (-EOPNOTSUPP without seccomp user notification, when it was tried).
 */
int seccomp_listener_present(void)
{
	pthread_t t;
	int ret = -EIO, r;

	if (prctl(PR_GET_SECCOMP) == 0)
		return 0;
	r = pthread_create(&t, NULL, filter_probe_thread, &ret);
	if (r)
		return -r;
	pthread_join(t, NULL);
	return ret == -EINVAL || ret == -ENOSYS ? -EOPNOTSUPP : ret;
}

/**
 * seccomp_filter_install_flags() - install the sandbox filter on the calling
 * thread and return its user-notification listener
 * @flags: TRAP_FILTER_* (trapped.h): TRAP_FILTER_GOVERN under a connection
 *	policy
 * @ret_info: what was loaded (may be NULL)
 * @ret_listener_fd: the listener fd (O_CLOEXEC), to be passed to lxnet-proxy
 *
 * Runs in the sandboxed process, before exec, single-threaded (the filter
 * applies to the calling thread and what it later forks or execs). Sets
 * PR_SET_NO_NEW_PRIVS first. libseccomp 2.5.4 cannot ask for
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, so the filter is exported as BPF
 * and loaded here with seccomp(2); kernels before 5.19 reject the flag with
 * EINVAL and the load is retried without it.
 *
 * Under TRAP_FILTER_GOVERN the thread also enters a Landlock domain that
 * refuses TCP connects and binds it makes itself (landlock.h): the proxy
 * makes the decided ones, and a call it hands back to the kernel cannot
 * become one.
 * A kernel without Landlock TCP rules (< 6.7) goes on without (the proxy
 * warns); any other failure to enter the domain fails the installation.
 *
 * After this returns, socket(AF_INET*) in this process blocks until a
 * supervisor answers on the listener: hand it over before making one.
 *
 * Return: 0 or -errno; -EOPNOTSUPP when the kernel has no seccomp user
 * notification (Linux < 5.0 or seccomp disabled).
 */
int seccomp_filter_install_flags(unsigned int flags,
				 struct seccomp_filter_info *ret_info,
				 int *ret_listener_fd)
{
	_cleanup_(seccomp_ctx_releasep) scmp_filter_ctx ctx = NULL;
	_cleanup_free_ struct sock_filter *insns = NULL;
	struct sock_fprog prog;
	unsigned int n = 0;
	bool killable = true;
	long fd;
	int r;

	r = filter_build(flags, &ctx);
	if (r < 0)
		return r;
	r = filter_export(ctx, &insns, &n);
	if (r < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (flags & TRAP_FILTER_GOVERN) {
		r = landlock_deny_tcp();
		if (r < 0 && r != -EOPNOTSUPP)
			return r;
	}
	prog.len = (unsigned short)n;
	prog.filter = insns;
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		     SECCOMP_FILTER_FLAG_NEW_LISTENER |
		     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
	if (fd < 0 && errno == EINVAL) {
		killable = false;
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	}
	if (fd < 0)
		return (errno == EINVAL || errno == ENOSYS) ? -EOPNOTSUPP : -errno;
	if (ret_info) {
		ret_info->wait_killable = killable;
		ret_info->n_insns = n;
	}
	*ret_listener_fd = (int)fd;
	return 0;
}

/**
 * seccomp_filter_install() - seccomp_filter_install_ex() without the info
 * @ret_listener_fd: the listener fd (O_CLOEXEC)
 *
 * Runs in the sandboxed process, before exec.
 *
 * Return: 0 or -errno (see seccomp_filter_install_ex()).
 */
int seccomp_filter_install(int *ret_listener_fd)
{
	return seccomp_filter_install_flags(0, NULL, ret_listener_fd);
}

/**
 * seccomp_filter_export_pfc() - write the filter as libseccomp pseudo code
 * @flags: TRAP_FILTER_* (trapped.h)
 * @out_fd: where to write (for `lxnet shim --print-filter` and debugging)
 *
 * Return: 0 or -errno.
 */
int seccomp_filter_export_pfc(unsigned int flags, int out_fd)
{
	_cleanup_(seccomp_ctx_releasep) scmp_filter_ctx ctx = NULL;
	int r;

	r = filter_build(flags, &ctx);
	if (r < 0)
		return r;
	return seccomp_export_pfc(ctx, out_fd);
}

/*
 * struct filter_sender - the thread of seccomp_filter_install_send()
 * @pipe: the listener's number (or -errno) goes from the installer here
 * @sock, @msg, @extra_fd: what to send
 * @result: fdpass_send()'s result
 */
struct filter_sender {
	int pipe[2];
	int sock;
	const struct fdpass_msg *msg;
	int extra_fd;
	int result;
};

static void *filter_sender_thread(void *arg)
{
	struct filter_sender *s = arg;
	int fds[2] = { -1, s->extra_fd };
	ssize_t n;

	do
		n = read(s->pipe[0], &fds[0], sizeof(fds[0]));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(fds[0]) || fds[0] < 0) {
		s->result = n == sizeof(fds[0]) ? fds[0] : -EIO;
		return NULL;
	}
	s->result = fdpass_send(s->sock, s->msg, fds, s->extra_fd >= 0 ? 2 : 1);
	return NULL;
}

/**
 * seccomp_filter_install_send() - install the sandbox filter and send its
 * listener to the supervisor
 * @flags: TRAP_FILTER_* (trapped.h)
 * @sock: the control socket to the supervisor
 * @msg: the message the listener goes with (fdpass.h)
 * @extra_fd: an fd sent after the listener (the network namespace), or -1
 * @ret_listener_fd: the listener (O_CLOEXEC; the caller closes its copy)
 * @ret_send: fdpass_send()'s result, when the filter was installed
 *
 * The listener is sent by a thread made before the filter is installed, so
 * the send is not subject to it: under TRAP_FILTER_GOVERN the installer's
 * own sendmsg() would be trapped and wait for the very supervisor it is
 * handing the listener to.
 *
 * Return: 0 or -errno of the installation (see
 * seccomp_filter_install_flags()); the send's result is in @ret_send.
 */
int seccomp_filter_install_send(unsigned int flags, int sock,
				const struct fdpass_msg *msg, int extra_fd,
				int *ret_listener_fd, int *ret_send)
{
	struct filter_sender s = { .sock = sock, .msg = msg,
				   .extra_fd = extra_fd, .result = -EIO };
	pthread_t t;
	int fd = -1, r, k;

	if (pipe2(s.pipe, O_CLOEXEC) < 0)
		return -errno;
	k = pthread_create(&t, NULL, filter_sender_thread, &s);
	if (k != 0) {
		close(s.pipe[0]);
		close(s.pipe[1]);
		return -k;
	}
	r = seccomp_filter_install_flags(flags, NULL, &fd);
	k = r < 0 ? r : fd;
	if (write(s.pipe[1], &k, sizeof(k)) != sizeof(k))
		pthread_cancel(t);
	pthread_join(t, NULL);
	close(s.pipe[0]);
	close(s.pipe[1]);
	if (r < 0)
		return r;
	*ret_listener_fd = fd;
	*ret_send = s.result;
	return 0;
}
