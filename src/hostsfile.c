// SPDX-License-Identifier: LGPL-2.1-or-later
/* hostsfile.c - the host's hosts file, line for line, plus --add-host and the names it does not map */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/utsname.h>

#include "hostconf.h"
#include "log.h"
#include "util.h"

/*
 * What the view's hosts file holds, after its header, in this order:
 *
 *  1. the --add-host entries ("ADDR<TAB>NAME"), in the order given;
 *  2. every line of the host's file, byte for byte (comments, blank and
 *     invalid lines included, so every parser reads what it reads on the
 *     host), except that a valid entry naming a name an --add-host entry
 *     claims loses that name (it is written "ADDR<TAB>NAMES...", or dropped
 *     when no name is left): --add-host wins for lookups and reverse lookups;
 *  3. for the names the file and --add-host do not map, Debian's lines:
 *     "127.0.0.1 localhost" and "::1 localhost ip6-localhost ip6-loopback"
 *     when localhost is unmapped, and "127.0.1.1 HOSTNAME [SHORT]" when the
 *     presented hostname is.
 *
 * So getaddrinfo() and gethostbyname() answer, for every name the host maps,
 * what they answer on the host, in the same order; the sandbox only gains
 * names. Names compare case-insensitively, as glibc compares them.
 */

/* Longest name kept (a DNS name is at most 253 characters). */
#define HOSTS_NAME_MAX 253
/* glibc's separators between the fields of a line. */
#define HOSTS_SEP " \t\r\f\v"

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

/* Add a name to a set (case-insensitively, as glibc compares hosts names). */
static void hosts_set_add(GHashTable *set, const char *name, size_t n)
{
	g_hash_table_add(set, g_ascii_strdown(name, (gssize)n));
}

static bool hosts_set_has(GHashTable *set, const char *name, size_t n)
{
	char low[HOSTS_NAME_MAX + 1];
	size_t i;

	if (n > HOSTS_NAME_MAX || g_hash_table_size(set) == 0)
		return false;
	for (i = 0; i < n; i++)
		low[i] = g_ascii_tolower(name[i]);
	low[n] = '\0';
	return g_hash_table_contains(set, low);
}

/*
 * struct hosts_need - the names the view maps when nothing else does
 * @name: localhost, the hostname, its short form (NULL when none)
 * @len: their lengths
 * @mapped: a valid entry of the host's file or --add-host maps it
 */
struct hosts_need {
	const char *name[3];
	size_t len[3];
	bool mapped[3];
};

static void hosts_need_see(struct hosts_need *need, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(need->name); i++)
		if (need->name[i] && need->len[i] == n &&
		    g_ascii_strncasecmp(need->name[i], name, n) == 0)
			need->mapped[i] = true;
}

/**
 * hosts_add_extra() - the --add-host entries, in order
 * @extra: NULL-terminated "NAME:ADDR" (split at the first colon, so ADDR
 *         may be IPv6); malformed ones are skipped
 * @out: a comment and their lines are appended here
 * @claimed: the names they claim are added
 */
static void hosts_add_extra(char **extra, GString *out, GHashTable *claimed)
{
	bool any = false;
	char **e;

	for (e = extra; e && *e; e++) {
		const char *colon = strchr(*e, ':');
		size_t n = colon ? (size_t)(colon - *e) : 0;
		g_autofree char *addr = NULL;

		if (!colon || !hosts_valid_name(*e, n))
			continue;
		addr = util_canon_addr(colon + 1);
		if (!addr)
			continue;
		if (!any)
			g_string_append(out, "# Added by lxnet: --add-host\n");
		any = true;
		hosts_set_add(claimed, *e, n);
		g_string_append_printf(out, "%s\t%.*s\n", addr, (int)n, *e);
	}
}

/* The next field of [*@p, @end): its start; *@p moves past it, *@ret_n is
 * its length (0 at the end). */
static const char *hosts_field(const char **p, const char *end, size_t *ret_n)
{
	const char *q = *p, *tok;

	while (q < end && strchr(HOSTS_SEP, *q))
		q++;
	tok = q;
	while (q < end && !strchr(HOSTS_SEP, *q))
		q++;
	*p = q;
	*ret_n = (size_t)(q - tok);
	return tok;
}

/* glibc's rule for the address of an entry: inet_pton, IPv4 or IPv6. */
static bool hosts_valid_addr(const char *tok, size_t n)
{
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned char b[16];

	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, tok, n);
	addr[n] = '\0';
	return inet_pton(AF_INET, addr, b) == 1 || inet_pton(AF_INET6, addr, b) == 1;
}

/**
 * hosts_copy_line() - one line of the host's file into the view
 * @line: the line, without its newline; not NUL-terminated
 * @len: its length
 * @out: where it goes
 * @claimed: names --add-host claims; a valid entry loses them
 * @need: the names of @need a valid entry maps are marked
 *
 * A line is a valid entry when its first field is an IPv4 or IPv6 address
 * (glibc's inet_pton rule) followed by names, up to a '#'. Anything else is
 * copied and never counts as mapping a name.
 */
static void hosts_copy_line(const char *line, size_t len, GString *out,
			    GHashTable *claimed, struct hosts_need *need)
{
	const char *hash = memchr(line, '#', len);
	const char *end = hash ? hash : line + len, *p = line, *tok, *names;
	g_autoptr(GString) kept = NULL;
	g_autofree char *addr = NULL;
	bool lost = false;
	size_t n;

	tok = hosts_field(&p, end, &n);
	if (!hosts_valid_addr(tok, n))
		goto verbatim;
	names = p;
	while ((tok = hosts_field(&p, end, &n)), n > 0) {
		if (hosts_set_has(claimed, tok, n))
			lost = true;
		else if (hosts_valid_name(tok, n))
			hosts_need_see(need, tok, n);
	}
	if (!lost)
		goto verbatim;
	/* Rewritten without the claimed names, or dropped without names. */
	kept = g_string_new(NULL);
	for (p = names; (tok = hosts_field(&p, end, &n)), n > 0;) {
		if (hosts_set_has(claimed, tok, n))
			continue;
		g_string_append_c(kept, ' ');
		g_string_append_len(kept, tok, (gssize)n);
	}
	if (kept->len == 0)
		return;
	p = line;
	tok = hosts_field(&p, end, &n);
	addr = g_strndup(tok, n);
	g_string_append_printf(out, "%s\t%s\n", addr, kept->str + 1);
	return;
verbatim:
	g_string_append_len(out, line, (gssize)len);
	g_string_append_c(out, '\n');
}

/**
 * hosts_need_init() - the names to look for: localhost, @hostname and its
 * short form (when @hostname is a valid name other than localhost)
 * @need: filled in
 * @hostname: the presented hostname
 * @claimed: names --add-host maps: marked mapped already
 */
static void hosts_need_init(struct hosts_need *need, const char *hostname,
			    GHashTable *claimed)
{
	size_t n = strlen(hostname), dot = strcspn(hostname, "."), i;

	memset(need, 0, sizeof(*need));
	need->name[0] = "localhost";
	need->len[0] = strlen("localhost");
	if (hosts_valid_name(hostname, n) &&
	    g_ascii_strcasecmp(hostname, "localhost") != 0) {
		need->name[1] = hostname;
		need->len[1] = n;
		if (dot > 0 && dot < n) {
			need->name[2] = hostname;
			need->len[2] = dot;
		}
	}
	for (i = 0; i < G_N_ELEMENTS(need->name); i++)
		need->mapped[i] = !need->name[i] ||
				  hosts_set_has(claimed, need->name[i],
						need->len[i]);
}

/**
 * hosts_add_missing() - Debian's lines for the names nothing maps
 * @out: appended to
 * @need: what the host's file and --add-host map
 *
 * The hostname's short form goes with it only when nothing maps the short
 * form either; when the hostname is mapped, its short form is left alone.
 */
static void hosts_add_missing(GString *out, const struct hosts_need *need)
{
	if (need->mapped[0] && need->mapped[1])
		return;
	g_string_append(out, "# Added by lxnet: names the host's file does not map\n");
	if (!need->mapped[0])
		g_string_append(out, "127.0.0.1\tlocalhost\n"
				     "::1\tlocalhost ip6-localhost ip6-loopback\n");
	if (need->mapped[1])
		return;
	g_string_append_printf(out, "127.0.1.1\t%s", need->name[1]);
	if (!need->mapped[2])
		g_string_append_printf(out, " %.*s", (int)need->len[2],
				       need->name[2]);
	g_string_append_c(out, '\n');
}

/**
 * hostsfile_load() - the hosts lines the view presents after its header
 * @p: view policy (hosts_path, extra_hosts)
 * @hostname: the presented hostname (hostname_load())
 * @ret: new part, refcount 1
 *
 * See the comment at the top of this file. Only the text before a NUL byte,
 * and within VIEW_HOSTS_MAX only whole lines, is taken from the host's file;
 * a missing or unreadable file gives no host lines. The result always ends
 * with a newline (or is empty), so lines appended to the view start a line.
 *
 * Return: 0 or -errno (resources only).
 */
int hostsfile_load(const struct view_policy *p, const char *hostname,
		   struct ns_hosts **ret)
{
	const char *path = p->hosts_path ? p->hosts_path : "/etc/hosts";
	g_autoptr(GHashTable) claimed =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *buf = NULL;
	struct hosts_need need;
	struct ns_hosts *t;
	bool truncated = false;
	size_t len = 0, off;
	int r;

	hosts_add_extra(p->extra_hosts, out, claimed);
	hosts_need_init(&need, hostname ? hostname : "localhost", claimed);

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
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - buf) : len;

		hosts_copy_line(buf + off, end - off, out, claimed, &need);
		off = end + 1;
	}
	hosts_add_missing(out, &need);

	t = ns_hosts_new();
	g_free(t->lines);
	t->len = out->len;
	t->lines = g_string_free(g_steal_pointer(&out), FALSE);
	t->source = g_strdup(path);
	*ret = t;
	return 0;
}
