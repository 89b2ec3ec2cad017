// SPDX-License-Identifier: LGPL-2.1-or-later
/* proxy-sock32.c - test helper for i386: socket creation through socketcall(2), good and bad pointers */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/net.h>

/*
 * Built with gcc -m32 -static by the test. Calls socketcall directly so
 * the test does not depend on whether libc uses socket() or socketcall().
 * usage: proxy-sock32 connect PORT   - TCP connect to 127.0.0.1:PORT, send "hi32\n", print reply
 *        proxy-sock32 efault         - bogus/short args pointers: expect EFAULT
 *        proxy-sock32 unix           - socketcall(SYS_SOCKET, AF_UNIX) still native
 */
static long sc(int call, unsigned long *args)
{
	return syscall(SYS_socketcall, call, args);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "connect") == 0) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		unsigned long a[3] = { AF_INET, SOCK_STREAM, 0 };
		unsigned long c[3];
		char buf[64];
		long fd, n;

		sa.sin_port = htons((unsigned short)atoi(argv[2]));
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = sc(SYS_SOCKET, a);
		if (fd < 0) {
			printf("socket: %s\n", strerror(errno));
			return 1;
		}
		c[0] = (unsigned long)fd;
		c[1] = (unsigned long)&sa;
		c[2] = sizeof(sa);
		if (sc(SYS_CONNECT, c) < 0) {
			printf("connect: %s\n", strerror(errno));
			return 1;
		}
		if (write((int)fd, "hi32\n", 5) != 5)
			return 1;
		n = read((int)fd, buf, sizeof(buf) - 1);
		if (n <= 0)
			return 1;
		buf[n] = 0;
		printf("reply %s", buf);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "efault") == 0) {
		int fails = 0;
		unsigned long *end;
		long r;
		/* args at NULL, at a kernel address, and straddling the end of a mapping */
		r = sc(SYS_SOCKET, NULL);
		printf("null: %ld %s\n", r, strerror(errno));
		fails += !(r < 0 && errno == EFAULT);
		r = sc(SYS_SOCKET, (unsigned long *)0xfffff000ul);
		printf("high: %ld %s\n", r, strerror(errno));
		fails += !(r < 0 && errno == EFAULT);
		end = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (end == MAP_FAILED || munmap((char *)end + 4096, 4096))
			return 1;
		end = (unsigned long *)((char *)end + 4096 - sizeof(unsigned long));
		end[0] = AF_INET;
		r = sc(SYS_SOCKET, end);
		printf("short: %ld %s\n", r, strerror(errno));
		fails += !(r < 0 && errno == EFAULT);
		return fails ? 1 : 0;
	}
	if (argc == 2 && strcmp(argv[1], "unix") == 0) {
		unsigned long a[3] = { AF_UNIX, SOCK_STREAM, 0 };
		long fd = sc(SYS_SOCKET, a);

		printf("unix: %ld\n", fd);
		return fd < 0;
	}
	return 2;
}
