// SPDX-License-Identifier: LGPL-2.1-or-later
/* render_sockets.c - /proc/net/{tcp,tcp6,udp,udp6,raw,raw6}: the host's rows of the sandbox's own sockets */
/*
 * The sandbox's sockets are host sockets (lxnet-proxy makes them in the
 * host's namespace), so their rows are the host kernel's own: the host's
 * file, read when the view's file is opened, keeps its header and the rows
 * whose `inode` column is in the sandbox's socket set (src/sockset.c), byte
 * for byte, with one exception: the TCP files number their rows with a
 * running count (`sl`, st->num in net/ipv4/tcp_ipv4.c), which is renumbered
 * from 0 as the kernel numbers a namespace holding only these sockets, and
 * the uid column, which the kernel prints as the reader's user namespace
 * sees the owner, is mapped through the sandbox's uid_map (a row the
 * kernel padded, tcp's 149 columns, is padded again to the width the
 * header shows). UDP and raw print the hash bucket as `sl`: kept, it is
 * what the kernel prints for that socket.
 *
 * Rows with inode 0 (TIME_WAIT, SYN_RECV request sockets) belong to no
 * file descriptor and cannot be attributed: they are left out.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "sockset.h"
#include "util.h"

/* Longest line of a host socket file we handle (rows are < 200 bytes). */
#define RS_LINE_MAX 1024
/* The `inode` column, counted from 0 (the same in all six files). */
#define RS_INODE_FIELD 9

/*
 * struct rs_file - one socket file
 * @f: the view's file
 * @name: its name under /proc/net
 * @renumber: `sl` is a running count (TCP), renumbered from 0
 */
static const struct rs_file {
	enum render_file f;
	const char *name;
	bool renumber;
} rs_files[] = {
	{ RENDER_PROC_NET_TCP, "tcp", true },
	{ RENDER_PROC_NET_TCP6, "tcp6", true },
	{ RENDER_PROC_NET_UDP, "udp", false },
	{ RENDER_PROC_NET_UDP6, "udp6", false },
	{ RENDER_PROC_NET_RAW, "raw", false },
	{ RENDER_PROC_NET_RAW6, "raw6", false },
};

static const struct rs_file *rs_find(enum render_file f)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(rs_files); i++)
		if (rs_files[i].f == f)
			return &rs_files[i];
	return NULL;
}

/**
 * render_file_is_sockets() - whether @f lists sockets (render_sockets())
 * @f: file
 */
bool render_file_is_sockets(enum render_file f)
{
	return rs_find(f) != NULL;
}

/* Length of @line (without its '\n') once trailing spaces are dropped. */
static size_t rs_trimmed_len(const char *line, size_t len)
{
	if (len && line[len - 1] == '\n')
		len--;
	while (len && line[len - 1] == ' ')
		len--;
	return len;
}

/* The inode column of a row, or 0 when the row has none. */
static uint64_t rs_row_inode(const char *line)
{
	const char *p = line;
	char *end;
	uint64_t ino;
	int i;

	for (i = 0; i <= RS_INODE_FIELD; i++) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			return 0;
		if (i == RS_INODE_FIELD)
			break;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	errno = 0;
	ino = g_ascii_strtoull(p, &end, 10);
	if (errno || end == p || (*end != ' ' && *end != '\n' && *end))
		return 0;
	return ino;
}

/*
 * Where field @idx of @line (its first @len bytes) ends, or NULL. Fields
 * are separated by spaces; the first is "sl:".
 */
static const char *rs_field_end(const char *line, size_t len, int idx)
{
	const char *p = line, *end = line + len;
	int i;

	for (i = 0; i <= idx; i++) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			return NULL;
		while (p < end && *p != ' ')
			p++;
	}
	return p;
}

/*
 * Append a kept row as the kernel prints it for the sandbox: `sl`
 * renumbered to @sl when @renumber ("%4d:" as tcp4/tcp6 print it), the uid
 * column ("%5u") as @map sees it, padded to @width columns when the file
 * pads its rows. A row without those fields is kept as is.
 */
static void rs_put_row(GString *out, const char *line, size_t len,
		       bool renumber, unsigned int sl, size_t width,
		       const struct sockset_idmap *map)
{
	size_t start = out->len, trimmed = rs_trimmed_len(line, len);
	const char *colon = memchr(line, ':', trimmed);
	const char *e6 = rs_field_end(line, trimmed, 6);
	const char *e7 = rs_field_end(line, trimmed, 7);
	uint64_t uid;
	char *endp;

	errno = 0;
	uid = e6 && e7 ? g_ascii_strtoull(e6, &endp, 10) : 0;
	if (!colon || !e6 || !e7 || errno || endp != e7 || uid > UINT32_MAX) {
		g_string_append_len(out, line, (gssize)len);
		if (!len || line[len - 1] != '\n')
			g_string_append_c(out, '\n');
		return;
	}
	if (renumber)
		g_string_append_printf(out, "%4u", sl);
	else
		g_string_append_len(out, line, colon - line);
	g_string_append_len(out, colon, e6 + 1 - colon);
	g_string_append_printf(out, "%5u",
			       sockset_idmap_uid(map, (uint32_t)uid));
	g_string_append_len(out, e7, line + trimmed - e7);
	while (out->len - start < width)
		g_string_append_c(out, ' ');
	g_string_append_c(out, '\n');
}

/**
 * render_sockets() - a socket file of the view: the host's header and the
 * rows of @set's sockets
 * @f: RENDER_PROC_NET_TCP ... RENDER_PROC_NET_RAW6
 * @netdir: where the host's files are ("/proc/self/net"; the reader must
 *	be in the host's network namespace)
 * @set: the sandbox's sockets (NULL: none, the header only)
 * @map: the sandbox's uid_map: the uid column as the sandbox sees it
 *	(NULL: as the host does)
 * @out: the bytes are appended here
 *
 * Reads the host's file now, a line at a time (memory does not grow with
 * the host's socket count; the output with @set's size). A file the kernel
 * lacks (no IPv6) renders empty, as reading it would fail in the sandbox.
 *
 * Return: 0, -EINVAL for a file that lists no sockets, -errno on a read
 * error.
 */
int render_sockets(enum render_file f, const char *netdir,
		   const struct sockset *set, const struct sockset_idmap *map,
		   GString *out)
{
	const struct rs_file *rf = rs_find(f);
	g_autofree char *path = NULL;
	g_autofree char *line = NULL;
	size_t cap = 0, width = 0;
	unsigned int sl = 0;
	bool header = true;
	ssize_t n;
	FILE *in;

	if (!rf || !netdir || !out)
		return -EINVAL;
	path = g_build_filename(netdir, rf->name, NULL);
	in = fopen(path, "re");
	if (!in)
		return errno == ENOENT ? 0 : -errno;
	while ((n = getline(&line, &cap, in)) > 0) {
		if (n > RS_LINE_MAX)
			continue;
		if (header) {
			/* A padded header shows the width rows are padded to. */
			size_t len = (size_t)n - (line[n - 1] == '\n');

			if (len && line[len - 1] == ' ')
				width = len;
			g_string_append_len(out, line, n);
			header = false;
			continue;
		}
		if (!sockset_has(set, rs_row_inode(line)))
			continue;
		rs_put_row(out, line, (size_t)n, rf->renumber, sl++, width, map);
	}
	n = ferror(in) ? -EIO : 0;
	fclose(in);
	return (int)n;
}
