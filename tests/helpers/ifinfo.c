// SPDX-License-Identifier: LGPL-2.1-or-later
/* ifinfo.c - print getifaddrs(), if_nameindex()/if_nametoindex() and SIOCGIF* answers in a stable text form */
/*
 * A test helper for tests/integration/ifioctl.sh and netlink-compat.sh: the
 * same program runs on the test's "host" and inside the sandbox, and the
 * outputs are compared. Plain libc only, so it also builds -m32 -static.
 *
 *   ifinfo ioctl NAME...   SIOCGIF* for each NAME (one line per request)
 *   ifinfo conf            SIOCGIFCONF: sizing with a NULL buffer, then
 *                          the entries; also with a buffer one entry short
 *   ifinfo index NAME...   if_nametoindex() (SIOCGIFINDEX) and back with
 *                          if_indextoname() (SIOCGIFNAME)
 *   ifinfo nameindex       if_nameindex() (glibc: netlink)
 *   ifinfo getifaddrs      getifaddrs() (glibc: netlink), AF_INET/AF_INET6
 *                          with masks and flags, AF_PACKET names, sorted
 *   ifinfo efault          bad pointers give EFAULT, unknown names ENODEV,
 *                          SIOCSIF* EPERM; prints one line per check
 * Exit status 0, or 1 when a call failed unexpectedly (efault: a check
 * failed), 2 on usage errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static int sock_inet(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	return fd;
}

static const char *in4(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	if (sa->sa_family != AF_INET)
		snprintf(buf, len, "family=%d", sa->sa_family);
	else
		inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)len);
	return buf;
}

/* One SIOCGIF* request whose answer is an address. */
static void print_addr_req(int fd, const char *name, unsigned long req,
			   const char *what)
{
	struct ifreq ifr;
	char buf[64];

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, req, &ifr) < 0)
		printf("%s %s error %s\n", name, what, strerrorname_np(errno));
	else
		printf("%s %s %s\n", name, what, in4(&ifr.ifr_addr, buf, sizeof(buf)));
}

/* One SIOCGIF* request whose answer is an int (or the flags short). */
static void print_int_req(int fd, const char *name, unsigned long req,
			  const char *what)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, req, &ifr) < 0)
		printf("%s %s error %s\n", name, what, strerrorname_np(errno));
	else if (req == SIOCGIFFLAGS)
		printf("%s %s 0x%x\n", name, what, (unsigned)(unsigned short)ifr.ifr_flags);
	else
		printf("%s %s %d\n", name, what, ifr.ifr_ifindex);
}

static void print_hwaddr(int fd, const char *name)
{
	struct ifreq ifr;
	int i;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		printf("%s hwaddr error %s\n", name, strerrorname_np(errno));
		return;
	}
	printf("%s hwaddr type=%d", name, ifr.ifr_hwaddr.sa_family);
	for (i = 0; i < 14; i++)
		printf("%s%02x", i ? ":" : " ", (unsigned char)ifr.ifr_hwaddr.sa_data[i]);
	printf("\n");
}

static int cmd_ioctl(int argc, char **argv)
{
	int fd = sock_inet(), i;

	for (i = 0; i < argc; i++) {
		const char *n = argv[i];

		print_int_req(fd, n, SIOCGIFFLAGS, "flags");
		print_int_req(fd, n, SIOCGIFINDEX, "index");
		print_int_req(fd, n, SIOCGIFMTU, "mtu");
		print_int_req(fd, n, SIOCGIFTXQLEN, "txqlen");
		print_int_req(fd, n, SIOCGIFMETRIC, "metric");
		print_hwaddr(fd, n);
		print_addr_req(fd, n, SIOCGIFADDR, "addr");
		print_addr_req(fd, n, SIOCGIFNETMASK, "netmask");
		print_addr_req(fd, n, SIOCGIFBRDADDR, "brdaddr");
		print_addr_req(fd, n, SIOCGIFDSTADDR, "dstaddr");
	}
	close(fd);
	return 0;
}

static int cmd_conf(void)
{
	struct ifconf ifc;
	char buf[64];
	int fd = sock_inet(), n, i, full;

	memset(&ifc, 0, sizeof(ifc));
	if (ioctl(fd, SIOCGIFCONF, &ifc) < 0) {
		printf("conf error %s\n", strerrorname_np(errno));
		return 1;
	}
	full = ifc.ifc_len;
	printf("conf null-buffer len %d (%d entries)\n", full,
	       full / (int)sizeof(struct ifreq));
	ifc.ifc_len = full;
	ifc.ifc_req = calloc(1, (size_t)full + sizeof(struct ifreq));
	if (ioctl(fd, SIOCGIFCONF, &ifc) < 0) {
		printf("conf error %s\n", strerrorname_np(errno));
		return 1;
	}
	n = ifc.ifc_len / (int)sizeof(struct ifreq);
	for (i = 0; i < n; i++)
		printf("conf %s %s\n", ifc.ifc_req[i].ifr_name,
		       in4(&ifc.ifc_req[i].ifr_addr, buf, sizeof(buf)));
	/* one entry short, plus half an entry: only whole entries */
	if (full >= (int)sizeof(struct ifreq)) {
		ifc.ifc_len = full - (int)sizeof(struct ifreq) / 2;
		memset(ifc.ifc_req, 0, (size_t)full);
		if (ioctl(fd, SIOCGIFCONF, &ifc) < 0)
			printf("conf short error %s\n", strerrorname_np(errno));
		else
			printf("conf short-buffer len %d\n", ifc.ifc_len);
	}
	free(ifc.ifc_req);
	close(fd);
	return 0;
}

static int cmd_index(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		unsigned int idx = if_nametoindex(argv[i]);
		char name[IF_NAMESIZE] = "";

		if (!idx) {
			printf("%s nametoindex error %s\n", argv[i],
			       strerrorname_np(errno));
			continue;
		}
		if (!if_indextoname(idx, name))
			printf("%s nametoindex %u indextoname error %s\n",
			       argv[i], idx, strerrorname_np(errno));
		else
			printf("%s nametoindex %u indextoname %s\n", argv[i],
			       idx, name);
	}
	return 0;
}

static int cmd_nameindex(void)
{
	struct if_nameindex *ni = if_nameindex(), *p;

	if (!ni) {
		printf("nameindex error %s\n", strerrorname_np(errno));
		return 1;
	}
	for (p = ni; p->if_index; p++)
		printf("nameindex %u %s\n", p->if_index, p->if_name);
	if_freenameindex(ni);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_getifaddrs(void)
{
	struct ifaddrs *ifa, *p;
	char *lines[4096];
	size_t n = 0, i;

	if (getifaddrs(&ifa) < 0) {
		printf("getifaddrs error %s\n", strerrorname_np(errno));
		return 1;
	}
	for (p = ifa; p && n < sizeof(lines) / sizeof(lines[0]); p = p->ifa_next) {
		char a[INET6_ADDRSTRLEN] = "-", m[INET6_ADDRSTRLEN] = "-",
		     b[INET6_ADDRSTRLEN] = "-";
		int fam = p->ifa_addr ? p->ifa_addr->sa_family : -1;
		char *line = NULL;

		if (fam == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)p->ifa_addr)->sin_addr, a, sizeof(a));
			if (p->ifa_netmask)
				inet_ntop(AF_INET, &((struct sockaddr_in *)p->ifa_netmask)->sin_addr, m, sizeof(m));
			if (p->ifa_broadaddr)
				inet_ntop(AF_INET, &((struct sockaddr_in *)p->ifa_broadaddr)->sin_addr, b, sizeof(b));
		} else if (fam == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)p->ifa_addr)->sin6_addr, a, sizeof(a));
			if (p->ifa_netmask)
				inet_ntop(AF_INET6, &((struct sockaddr_in6 *)p->ifa_netmask)->sin6_addr, m, sizeof(m));
		} else if (fam == AF_PACKET) {
			struct sockaddr_ll *ll = (struct sockaddr_ll *)p->ifa_addr;
			int k, o = 0;

			for (k = 0; k < ll->sll_halen && o + 3 < (int)sizeof(a); k++)
				o += snprintf(a + o, sizeof(a) - (size_t)o, "%s%02x",
					      k ? ":" : "", ll->sll_addr[k]);
			if (!ll->sll_halen)
				strcpy(a, "-");
		}
		if (asprintf(&line, "getifaddrs %s family=%d addr=%s mask=%s brd=%s flags=0x%x",
			     p->ifa_name, fam, a, m, b, p->ifa_flags) < 0)
			return 1;
		lines[n++] = line;
	}
	qsort(lines, n, sizeof(lines[0]), cmp_str);
	for (i = 0; i < n; i++) {
		puts(lines[i]);
		free(lines[i]);
	}
	freeifaddrs(ifa);
	return 0;
}

/* One expectation of cmd_efault(). */
static int expect(const char *what, int r, int want_errno)
{
	int ok = r < 0 && errno == want_errno;

	printf("%s %s: %s (want %s)\n", ok ? "pass" : "FAIL", what,
	       r < 0 ? strerrorname_np(errno) : "success",
	       strerrorname_np(want_errno));
	return ok ? 0 : 1;
}

static int cmd_efault(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ifreq ifr, *tail;
	struct ifconf ifc;
	int fd = sock_inet(), bad = 0, pfd[2];

	if (map == MAP_FAILED || munmap(map + pg, (size_t)pg) < 0)
		return 1;
	/* an ifreq that runs 8 bytes into the unmapped page */
	tail = (struct ifreq *)(map + pg - sizeof(struct ifreq) + 8);
	memset(map, 0, (size_t)pg);
	strcpy(tail->ifr_name, "lo");
	bad |= expect("SIOCGIFFLAGS NULL", ioctl(fd, SIOCGIFFLAGS, NULL), EFAULT);
	bad |= expect("SIOCGIFFLAGS (void *)1", ioctl(fd, SIOCGIFFLAGS, (void *)1), EFAULT);
	bad |= expect("SIOCGIFMTU across a page end", ioctl(fd, SIOCGIFMTU, tail), EFAULT);
	bad |= expect("SIOCGIFCONF NULL", ioctl(fd, SIOCGIFCONF, NULL), EFAULT);
	memset(&ifc, 0, sizeof(ifc));
	ifc.ifc_len = 4096;
	ifc.ifc_buf = (char *)8;
	bad |= expect("SIOCGIFCONF bad buffer", ioctl(fd, SIOCGIFCONF, &ifc), EFAULT);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "no-such-if0");
	bad |= expect("SIOCGIFFLAGS unknown name", ioctl(fd, SIOCGIFFLAGS, &ifr), ENODEV);
	bad |= expect("SIOCGIFADDR unknown name", ioctl(fd, SIOCGIFADDR, &ifr), ENODEV);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = 1000000;
	bad |= expect("SIOCGIFNAME unknown index", ioctl(fd, SIOCGIFNAME, &ifr), ENODEV);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_flags = IFF_UP;
	bad |= expect("SIOCSIFFLAGS lo", ioctl(fd, SIOCSIFFLAGS, &ifr), EPERM);
	ifr.ifr_mtu = 1280;
	bad |= expect("SIOCSIFMTU lo", ioctl(fd, SIOCSIFMTU, &ifr), EPERM);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return 1;
	bad |= expect("SIOCGIFFLAGS on a pipe", ioctl(pfd[0], SIOCGIFFLAGS, &ifr),
		      ENOTTY);
	close(pfd[0]);
	close(pfd[1]);
	bad |= expect("SIOCGIFFLAGS on a closed fd", ioctl(1000, SIOCGIFFLAGS, &ifr), EBADF);
	close(fd);
	return bad;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: ifinfo ioctl|conf|index|nameindex|getifaddrs|efault [NAME...]\n");
		return 2;
	}
	if (!strcmp(argv[1], "ioctl"))
		return cmd_ioctl(argc - 2, argv + 2);
	if (!strcmp(argv[1], "conf"))
		return cmd_conf();
	if (!strcmp(argv[1], "index"))
		return cmd_index(argc - 2, argv + 2);
	if (!strcmp(argv[1], "nameindex"))
		return cmd_nameindex();
	if (!strcmp(argv[1], "getifaddrs"))
		return cmd_getifaddrs();
	if (!strcmp(argv[1], "efault"))
		return cmd_efault();
	fprintf(stderr, "ifinfo: unknown command %s\n", argv[1]);
	return 2;
}
