// SPDX-License-Identifier: LGPL-2.1-or-later
/* hostsfile.c - the host's hosts file and hostname, with --add-host and --hostname applied */
#include "config.h"

#include <string.h>
#include <sys/utsname.h>

#include "hostconf.h"
#include "log.h"
#include "util.h"

/* Longest name kept (a DNS name is at most 253 characters). */
#define HOSTS_NAME_MAX 253

/* Names the localhost block of render_hosts() always holds. */
static const char *const hosts_block_names[] = {
	"localhost", "ip6-localhost", "ip6-loopback", "ip6-allnodes",
	"ip6-allrouters",
};

/**
 * hostname_load() - the hostname the view presents
 * @p: view policy (hostname)
 * @ret: the name (g_free)
 *
 * Return: 0 or -errno.
 */
int hostname_load(const struct view_policy *p, char **ret)
{
	struct utsname u;

	if (p->hostname) {
		*ret = g_strdup(p->hostname);
		return 0;
	}
	if (uname(&u) < 0)
		return -errno;
	*ret = g_strdup(u.nodename);
	return 0;
}


static bool hosts_valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > HOSTS_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!g_ascii_isgraph(s[i]))
			return false;
	return true;
}

/* Claim a name (case-insensitively, as glibc compares hosts names). */
static void hosts_claim(GHashTable *claimed, const char *name)
{
	g_hash_table_add(claimed, g_ascii_strdown(name, -1));
}

static bool hosts_claimed(GHashTable *claimed, const char *name, size_t n)
{
	char low[HOSTS_NAME_MAX + 1];
	size_t i;

	for (i = 0; i < n; i++)
		low[i] = g_ascii_tolower(name[i]);
	low[n] = '\0';
	return g_hash_table_contains(claimed, low);
}

static void hosts_claim_block(GHashTable *claimed, const char *hostname)
{
	size_t i, dot = strcspn(hostname, ".");

	for (i = 0; i < ELEMENTSOF(hosts_block_names); i++)
		hosts_claim(claimed, hosts_block_names[i]);
	hosts_claim(claimed, hostname);
	if (dot > 0 && hostname[dot]) {
		g_autofree char *shortname = g_strndup(hostname, dot);

		hosts_claim(claimed, shortname);
	}
}

/* Append one entry; @names is a GPtrArray of g_strdup'd names, taken. */
static void hosts_add(GArray *entries, char *addr, GPtrArray *names)
{
	struct ns_host h;

	g_ptr_array_add(names, NULL);
	h.addr = addr;
	h.names = (char **)g_ptr_array_free(names, FALSE);
	g_array_append_val(entries, h);
}

/**
 * hosts_add_extra() - the --add-host entries, in order
 * @extra: NULL-terminated "NAME:ADDR" (split at the first colon, so ADDR
 *         may be IPv6); malformed ones are skipped
 * @entries: where entries are appended
 * @claimed: names they claim are added
 */
static void hosts_add_extra(char **extra, GArray *entries, GHashTable *claimed)
{
	char **e;

	for (e = extra; e && *e; e++) {
		const char *colon = strchr(*e, ':');
		char *addr;
		GPtrArray *names;

		if (!colon || !hosts_valid_name(*e, (size_t)(colon - *e)))
			continue;
		addr = util_canon_addr(colon + 1);
		if (!addr)
			continue;
		names = g_ptr_array_new();
		g_ptr_array_add(names, g_strndup(*e, (gsize)(colon - *e)));
		hosts_claim(claimed, names->pdata[0]);
		hosts_add(entries, addr, names);
	}
}

/**
 * hosts_parse_line() - one line of the host's file
 * @line: the line, without its newline; modified (comment cut)
 * @entries: a valid line with unclaimed names is appended here
 * @claimed: names that are not the host's to give
 */
static void hosts_parse_line(char *line, GArray *entries, GHashTable *claimed)
{
	const char *sep = " \t\r\f\v";
	char *p, *addr, *tok;
	GPtrArray *names;
	size_t n;

	line[strcspn(line, "#")] = '\0';
	p = line + strspn(line, sep);
	n = strcspn(p, sep);
	if (n == 0)
		return;
	tok = g_strndup(p, n);
	addr = util_canon_addr(tok);
	g_free(tok);
	if (!addr)
		return;
	names = g_ptr_array_new();
	for (p += n;; p += n) {
		p += strspn(p, sep);
		n = strcspn(p, sep);
		if (n == 0)
			break;
		if (hosts_valid_name(p, n) && !hosts_claimed(claimed, p, n))
			g_ptr_array_add(names, g_strndup(p, n));
	}
	if (names->len == 0) {
		g_ptr_array_free(names, TRUE);
		g_free(addr);
		return;
	}
	hosts_add(entries, addr, names);
}

/**
 * hostsfile_load() - the hosts entries the view presents after its
 * localhost block
 * @p: view policy (hosts_path, extra_hosts, hostname)
 * @ret: new table, refcount 1
 *
 * --add-host entries come first. Then the host's valid lines, each minus
 * the names that an --add-host entry or the localhost block (localhost,
 * the ip6-* names, the presented hostname and its short form) claims; a
 * line left without names is dropped. Addresses are written canonically
 * (inet_ntop). A missing or unreadable file gives no host entries.
 *
 * Return: 0 or -errno (resources only).
 */
int hostsfile_load(const struct view_policy *p, struct ns_hosts **ret)
{
	const char *path = p->hosts_path ? p->hosts_path : "/etc/hosts";
	g_autoptr(GHashTable) claimed =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GArray) entries = g_array_new(FALSE, FALSE,
						sizeof(struct ns_host));
	g_autofree char *hostname = NULL;
	g_autofree char *buf = NULL;
	struct ns_hosts *t;
	bool truncated = false;
	size_t len = 0, off;
	int r;

	r = hostname_load(p, &hostname);
	if (r < 0)
		return r;
	hosts_claim_block(claimed, hostname);
	hosts_add_extra(p->extra_hosts, entries, claimed);

	r = util_read_file_bounded(path, VIEW_HOSTS_MAX, &buf, &len, &truncated);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		log_debug("hosts %s not read: %s", path, g_strerror(-r));
		len = 0;
	} else if (truncated) {
		log_debug("hosts %s: past %d bytes ignored", path, VIEW_HOSTS_MAX);
	}
	if (buf)
		len = hostconf_text_len(buf, len, truncated);
	for (off = 0; off < len;) {
		char *nl = memchr(buf + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - buf) : len;

		buf[end] = '\0';
		hosts_parse_line(buf + off, entries, claimed);
		off = end + 1;
	}

	t = ns_hosts_new(0);
	g_free(t->v);
	t->n = entries->len;
	t->v = (struct ns_host *)(void *)g_array_free(g_steal_pointer(&entries),
						      FALSE);
	t->source = g_strdup(path);
	*ret = t;
	return 0;
}
