// SPDX-License-Identifier: LGPL-2.1-or-later
/* render_mcast.c - proc/net/igmp, igmp6 and dev_mcast: the host's multicast memberships, through the view */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "render.h"

/*
 * The model holds no multicast memberships, so these files are the host's
 * own (read where the renderer runs: lxnetfs is in the host's namespace),
 * read when opened, with the lines of interfaces the view does not show
 * left out. `ip maddr` and `netstat -g` read them.
 */

/* Bound on one host file: a host with that many groups is not served. */
#define RENDER_MCAST_MAX (16 * 1024 * 1024)

bool render_file_is_mcast(enum render_file f)
{
	return f == RENDER_PROC_NET_IGMP || f == RENDER_PROC_NET_IGMP6 ||
	       f == RENDER_PROC_NET_DEV_MCAST;
}

/* Whether interface @name (@len bytes) is in the view of @s. */
static bool mcast_visible(const struct netstate_snapshot *s, const char *name,
			  size_t len)
{
	char n[64];

	if (len == 0 || len >= sizeof(n))
		return false;
	memcpy(n, name, len);
	n[len] = '\0';
	return ns_link_by_name(s, n) != NULL;
}

/*
 * The interface a line names, or none: igmp's interface lines
 * ("IDX\tNAME      :  COUNT QUERIER") and the lines of igmp6 and
 * dev_mcast ("IDX NAME ..."). @ret_len 0: a line of no interface.
 */
static const char *mcast_line_name(enum render_file f, const char *line,
				   const char *end, size_t *ret_len)
{
	const char *p = line, *q;

	*ret_len = 0;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p == line || p == end || (*p != '\t' && *p != ' '))
		return NULL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (q = p; q < end && *q != ' ' && *q != '\t' &&
		    !(f == RENDER_PROC_NET_IGMP && *q == ':');
	     q++)
		;
	*ret_len = (size_t)(q - p);
	return p;
}

/**
 * render_mcast() - one of the multicast files, the view's interfaces only
 * @f: RENDER_PROC_NET_IGMP, RENDER_PROC_NET_IGMP6 or
 *	RENDER_PROC_NET_DEV_MCAST
 * @netdir: the directory the host's file is read from ("/proc/self/net")
 * @s: the snapshot (which interfaces the view shows)
 * @out: the bytes are appended here
 *
 * igmp's group lines (starting with a tab) go with the interface line
 * before them.
 *
 * Return: 0, -EINVAL, -EFBIG past RENDER_MCAST_MAX, or -errno reading.
 */
int render_mcast(enum render_file f, const char *netdir,
		 const struct netstate_snapshot *s, GString *out)
{
	g_autofree char *path = NULL, *text = NULL;
	const char *p, *end;
	gsize len = 0;
	bool keep = true;

	if (!render_file_is_mcast(f) || !s)
		return -EINVAL;
	path = g_build_filename(netdir, strrchr(render_file_path(f), '/') + 1,
				NULL);
	if (!g_file_get_contents(path, &text, &len, NULL))
		return -errno ? -errno : -EIO;
	if (len > RENDER_MCAST_MAX)
		return -EFBIG;
	for (p = text, end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl + 1 : end;
		size_t nlen;
		const char *name = mcast_line_name(f, p, e, &nlen);

		if (name)
			keep = mcast_visible(s, name, nlen);
		else if (f != RENDER_PROC_NET_IGMP || *p != '\t')
			keep = true; /* a header */
		if (keep)
			g_string_append_len(out, p, e - p);
		p = e;
	}
	return 0;
}
