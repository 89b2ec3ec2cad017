// SPDX-License-Identifier: LGPL-2.1-or-later
/* oci-probe.c - inside an OCI container: which socket calls the kernel answers and which lxnet-proxy does (built static by tests/integration/oci-crun.sh) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static void report(const char *what, int r)
{
	printf("%s %s\n", what, r >= 0 ? "ok" : strerror(errno));
}

/* Prints one line per call: "NAME ok" or "NAME <strerror>". */
int main(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/tmp/oci-probe.sock" };
	struct termios t;
	int sv[2], u, s6, fd;

	u = socket(AF_UNIX, SOCK_STREAM, 0);
	report("unix", u);
	report("unix-bind", bind(u, (struct sockaddr *)&sa, sizeof(sa)));
	report("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	report("inet6", s6);
	fd = open("/dev/null", O_RDONLY);
	report("tcgets", ioctl(fd, TCGETS, &t));
	return 0;
}
