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
 * render_file_is_sockets() - whether @f is rendered from the sandbox's
 * sockets when opened (render_sockets() or render_sockcounts())
 * @f: file
 */
bool render_file_is_sockets(enum render_file f)
{
	return rs_find(f) != NULL || render_file_is_sockcount(f);
}

/**
 * render_file_is_sockcount() - whether @f counts sockets
 * (render_sockcounts())
 * @f: file
 */
bool render_file_is_sockcount(enum render_file f)
{
	return f == RENDER_PROC_NET_SOCKSTAT || f == RENDER_PROC_NET_SOCKSTAT6 ||
	       f == RENDER_PROC_NET_SNMP;
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
	char *line = NULL; /* getline()'s: malloc memory, free()d */
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
	free(line);
	fclose(in);
	return (int)n;
}

/* Rows of the sandbox's sockets in one host file; *@estab: those in
 * TCP_ESTABLISHED or TCP_CLOSE_WAIT (what CurrEstab counts). */
static unsigned int rs_count(const char *netdir, const char *name,
			     const struct sockset *set, unsigned int *estab)
{
	g_autofree char *path = g_build_filename(netdir, name, NULL);
	char *line = NULL; /* getline()'s: malloc memory, free()d */
	unsigned int n = 0;
	size_t cap = 0;
	bool header = true;
	FILE *in = fopen(path, "re");

	if (!in)
		return 0;
	while (getline(&line, &cap, in) > 0) {
		const char *e2;

		if (header || !sockset_has(set, rs_row_inode(line))) {
			header = false;
			continue;
		}
		n++;
		e2 = rs_field_end(line, strlen(line), 2);
		if (estab && e2 && (strncmp(e2, " 01 ", 4) == 0 ||
				    strncmp(e2, " 08 ", 4) == 0))
			(*estab)++;
	}
	free(line);
	fclose(in);
	return n;
}

/*
 * Append @line with @add added to the number after the word @key (the
 * sockstat layout "NAME: key N key N"); as is when @key is not there.
 */
static void rs_add_after(GString *out, const char *line, const char *key,
			 unsigned int add)
{
	g_autofree char *k = g_strdup_printf(" %s ", key);
	const char *p = strstr(line, k);
	char *end;
	uint64_t v;

	if (!p) {
		g_string_append(out, line);
		return;
	}
	p += strlen(k);
	v = g_ascii_strtoull(p, &end, 10);
	g_string_append_len(out, line, p - line);
	g_string_append_printf(out, "%" G_GUINT64_FORMAT, v + add);
	g_string_append(out, end);
}

/* Append snmp's "Tcp:" values line with @add added to column @col. */
static void rs_add_column(GString *out, const char *line, int col,
			  unsigned int add)
{
	const char *e = rs_field_end(line, strlen(line), col - 1);
	char *end;
	int64_t v;

	if (col < 1 || !e) {
		g_string_append(out, line);
		return;
	}
	v = g_ascii_strtoll(e, &end, 10);
	g_string_append_len(out, line, e - line);
	g_string_append_printf(out, " %" G_GINT64_FORMAT, v + add);
	g_string_append(out, end);
}

/* The column of @word in snmp's "Tcp:" header line, or -1. */
static int rs_column(const char *line, const char *word)
{
	g_auto(GStrv) w = g_strsplit_set(line, " \n", -1);
	int i;

	for (i = 0; w[i]; i++)
		if (strcmp(w[i], word) == 0)
			return i;
	return -1;
}

/**
 * render_sockcounts() - proc/net/sockstat, sockstat6 or snmp for the
 * sandbox: its own namespace's file, with its host sockets counted in
 * @f: RENDER_PROC_NET_SOCKSTAT, RENDER_PROC_NET_SOCKSTAT6 or
 *	RENDER_PROC_NET_SNMP
 * @own_netdir: the sandbox's namespace's files (/proc/PID/net of one of
 *	its processes)
 * @netdir: the host's (/proc/self/net)
 * @set: the sandbox's sockets (NULL: none)
 * @out: the bytes are appended here
 *
 * The sandbox's AF_INET/AF_INET6 sockets live in the host's namespace, so
 * its own counts miss them. Added: the rows of its sockets in the host's
 * tcp/udp/raw files to "inuse" (hashed sockets, as the kernel counts them)
 * and to "sockets: used", and its established TCP sockets to snmp's Tcp
 * CurrEstab. Global figures (alloc, mem, orphan) and the traffic counters
 * stay the namespace's own.
 * Return: 0, -EINVAL for another file, -errno reading the sandbox's file.
 */
int render_sockcounts(enum render_file f, const char *own_netdir,
		      const char *netdir, const struct sockset *set,
		      GString *out)
{
	static const char *const names[] = {
		"tcp", "udp", "raw", "tcp6", "udp6", "raw6",
	};
	const char *file = f == RENDER_PROC_NET_SOCKSTAT ? "sockstat" :
			   f == RENDER_PROC_NET_SOCKSTAT6 ? "sockstat6" :
			   f == RENDER_PROC_NET_SNMP ? "snmp" : NULL;
	g_autofree char *path = NULL, *text = NULL;
	g_auto(GStrv) lines = NULL;
	unsigned int n[6], estab = 0, all = 0;
	int i, col = -1;

	if (!file || !own_netdir || !netdir || !out)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		n[i] = set ? rs_count(netdir, names[i], set, i % 3 ? NULL : &estab) : 0;
		all += n[i];
	}
	path = g_build_filename(own_netdir, file, NULL);
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -EIO;
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i]; i++) {
		g_autofree char *l = lines[i + 1] ? g_strconcat(lines[i], "\n", NULL)
						  : g_strdup(lines[i]);
		const char *tag = f == RENDER_PROC_NET_SOCKSTAT6 ? "6:" : ":";
		unsigned int add = 0;
		const char *key = "inuse";

		if (f == RENDER_PROC_NET_SNMP) {
			if (g_str_has_prefix(l, "Tcp:") && col < 0)
				col = rs_column(l, "CurrEstab");
			else if (g_str_has_prefix(l, "Tcp:")) {
				rs_add_column(out, l, col, estab);
				continue;
			}
			g_string_append(out, l);
			continue;
		}
		if (g_str_has_prefix(l, "sockets:")) {
			key = "used";
			add = all;
		} else if (!strncmp(l, "TCP", 3) && !strncmp(l + 3, tag, strlen(tag))) {
			add = n[f == RENDER_PROC_NET_SOCKSTAT6 ? 3 : 0];
		} else if (!strncmp(l, "UDP", 3) && !strncmp(l + 3, tag, strlen(tag))) {
			add = n[f == RENDER_PROC_NET_SOCKSTAT6 ? 4 : 1];
		} else if (!strncmp(l, "RAW", 3) && !strncmp(l + 3, tag, strlen(tag))) {
			add = n[f == RENDER_PROC_NET_SOCKSTAT6 ? 5 : 2];
		}
		if (add)
			rs_add_after(out, l, key, add);
		else
			g_string_append(out, l);
	}
	return 0;
}
