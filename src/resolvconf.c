// SPDX-License-Identifier: LGPL-2.1-or-later
/* resolvconf.c - the host's resolver configuration, parsed with c-ares, with the view's DNS policy applied */
#include "config.h"

#include <arpa/inet.h>
#include <ares.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hostconf.h"
#include "log.h"
#include "util.h"

/* glibc's MAXRESOLVSORT; more sortlist entries are ignored by glibc. */
#define RESOLV_SORTLIST_MAX 10
/* Bounds on what one file can make us keep (it is 64 KiB at most anyway). */
#define RESOLV_SERVERS_MAX 32
#define RESOLV_OPTIONS_MAX 32
#define RESOLV_TOKEN_MAX 255

/*
 * struct resolv_scan - what lxnet reads from the text itself, next to c-ares
 * @servers: canonical address -> count, of the first word of each
 *           "nameserver" line when it is a strict IPv4/IPv6 address (glibc's
 *           rule). c-ares 1.18.1 is laxer: it takes "10" as 10.0.0.0, takes
 *           every word of a line, and with no usable line invents
 *           127.0.0.1; its servers are kept only where this table agrees
 * @has_domain: a "domain" or "search" line was seen; without one c-ares
 *              derives a search list from gethostname(), which the file did
 *              not say either
 * @search: domains of the last "domain"/"search" line (glibc: last wins)
 * @options: "options" tokens, a later token replacing an earlier one with
 *           the same key (the text before ':'), as glibc applies them
 * @sortlist: valid "sortlist" entries, glibc's syntax, at most 10
 */
struct resolv_scan {
	GHashTable *servers;
	bool has_domain;
	GPtrArray *search;
	GPtrArray *options;
	GPtrArray *sortlist;
};

static void resolv_scan_clear(struct resolv_scan *sc)
{
	g_clear_pointer(&sc->servers, g_hash_table_unref);
	g_clear_pointer(&sc->search, g_ptr_array_unref);
	g_clear_pointer(&sc->options, g_ptr_array_unref);
	g_clear_pointer(&sc->sortlist, g_ptr_array_unref);
}

/**
 * hostconf_text_len() - the trusted text prefix of a host file
 * @buf: contents
 * @len: bytes in @buf
 * @truncated: the file was longer than what was read
 *
 * See hostconf.h. Return: bytes of @buf to parse.
 */
size_t hostconf_text_len(const char *buf, size_t len, bool truncated)
{
	const char *nul = memchr(buf, '\0', len);
	bool cut = truncated;

	if (nul) {
		len = (size_t)(nul - buf);
		cut = true;
	}
	if (cut) {
		while (len > 0 && buf[len - 1] != '\n')
			len--;
	}
	return len;
}

/**
 * resolv_ares_errno() - the c-ares adapter: every ARES_* status as -errno
 * @status: what a c-ares call or callback gave
 *
 * For queries: no such name or no record of the type is -ENOENT, no
 * answer -ETIMEDOUT, a cancelled or destroyed query -ECANCELED, a
 * nameserver's failure -EIO.
 *
 * Return: 0 or -errno.
 */
int resolv_ares_errno(int status)
{
	switch (status) {
	case ARES_SUCCESS:
		return 0;
	case ARES_ENOMEM:
		return -ENOMEM;
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		return -ENOENT;
	case ARES_ETIMEOUT:
		return -ETIMEDOUT;
	case ARES_ECONNREFUSED:
		return -ECONNREFUSED;
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		return -ECANCELED;
	case ARES_EFILE:
		return -EIO;
	case ARES_EBADSTR:
	case ARES_EFORMERR:
	case ARES_EBADNAME:
	case ARES_EBADFAMILY:
		return -EINVAL;
	case ARES_ENOTINITIALIZED:
		return -ENXIO;
	case ARES_ENOTIMP:
		return -ENOSYS;
	default:
		return -EIO;
	}
}


/* glibc's MATCH(): the keyword at the start of the line, then a blank. */
static const char *resolv_keyword(const char *line, const char *kw)
{
	size_t n = strlen(kw);

	if (strncmp(line, kw, n) != 0 || (line[n] != ' ' && line[n] != '\t'))
		return NULL;
	return line + n;
}

/*
 * Split the rest of a line into tokens at blanks (and commas when @commas),
 * ending at a comment. Tokens past RESOLV_TOKEN_MAX bytes are dropped.
 */
static GPtrArray *resolv_tokens(const char *rest, bool commas)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	const char *p = rest;

	for (;;) {
		const char *start;

		while (*p == ' ' || *p == '\t' || *p == '\r' ||
		       (commas && *p == ','))
			p++;
		if (*p == '\0' || *p == '#' || *p == ';')
			break;
		start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
		       !(commas && *p == ','))
			p++;
		if ((size_t)(p - start) <= RESOLV_TOKEN_MAX)
			g_ptr_array_add(a, g_strndup(start, (gsize)(p - start)));
	}
	return a;
}

static bool resolv_token_printable(const char *t)
{
	for (; *t; t++)
		if (!g_ascii_isgraph(*t))
			return false;
	return true;
}

/* Add an option, replacing an earlier one with the same key. */
static void resolv_add_option(GPtrArray *opts, const char *tok)
{
	size_t klen = strcspn(tok, ":");
	guint i;

	if (!resolv_token_printable(tok))
		return;
	for (i = 0; i < opts->len; i++) {
		const char *o = opts->pdata[i];

		if (strcspn(o, ":") == klen && strncmp(o, tok, klen) == 0) {
			g_ptr_array_remove_index(opts, i);
			break;
		}
	}
	if (opts->len < RESOLV_OPTIONS_MAX)
		g_ptr_array_add(opts, g_strdup(tok));
}

/* glibc's sortlist entry: IPv4 address, optionally '/' or '&' and a mask. */
static bool resolv_valid_sortlist(const char *tok)
{
	size_t alen = strcspn(tok, "/&");
	g_autofree char *addr = g_strndup(tok, alen);
	struct in_addr a;

	if (inet_pton(AF_INET, addr, &a) != 1)
		return false;
	if (tok[alen] == '\0')
		return true;
	return inet_pton(AF_INET, tok + alen + 1, &a) == 1;
}

/**
 * resolv_scan_line() - one line, by glibc's keyword rule
 * @line: the line without its newline
 * @sc: scan state, updated
 */
static void resolv_scan_line(const char *line, struct resolv_scan *sc)
{
	g_autoptr(GPtrArray) tok = NULL;
	const char *rest;
	guint i;

	if ((rest = resolv_keyword(line, "nameserver"))) {
		char *addr;

		tok = resolv_tokens(rest, false);
		addr = tok->len ? util_canon_addr(tok->pdata[0]) : NULL;
		if (addr) {
			guint n = GPOINTER_TO_UINT(
				g_hash_table_lookup(sc->servers, addr));

			g_hash_table_insert(sc->servers, addr,
					    GUINT_TO_POINTER(n + 1));
		}
	} else if ((rest = resolv_keyword(line, "domain")) ||
		   (rest = resolv_keyword(line, "search"))) {
		bool domain = line[0] == 'd';

		tok = resolv_tokens(rest, false);
		sc->has_domain = true;
		g_ptr_array_set_size(sc->search, 0);
		for (i = 0; i < tok->len && (!domain || i < 1); i++)
			if (resolv_token_printable(tok->pdata[i]))
				g_ptr_array_add(sc->search,
						g_strdup(tok->pdata[i]));
	} else if ((rest = resolv_keyword(line, "options"))) {
		tok = resolv_tokens(rest, false);
		for (i = 0; i < tok->len; i++)
			resolv_add_option(sc->options, tok->pdata[i]);
	} else if ((rest = resolv_keyword(line, "sortlist"))) {
		tok = resolv_tokens(rest, false);
		for (i = 0; i < tok->len; i++)
			if (sc->sortlist->len < RESOLV_SORTLIST_MAX &&
			    resolv_valid_sortlist(tok->pdata[i]))
				g_ptr_array_add(sc->sortlist,
						g_strdup(tok->pdata[i]));
	}
}

/**
 * resolv_scan_text() - read what c-ares does not keep from the text
 * @text: validated text (no NUL inside)
 * @len: its length
 * @sc: zeroed scan result, filled in
 */
static void resolv_scan_text(const char *text, size_t len,
			     struct resolv_scan *sc)
{
	g_autofree char *copy = g_strndup(text, len);
	char *line, *save = NULL;

	sc->servers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    NULL);
	sc->search = g_ptr_array_new_with_free_func(g_free);
	sc->options = g_ptr_array_new_with_free_func(g_free);
	sc->sortlist = g_ptr_array_new_with_free_func(g_free);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		resolv_scan_line(line, sc);
}

/**
 * resolv_parse_ares() - let c-ares parse exactly @text
 * @text: validated text
 * @len: its length
 * @ret_servers: canonical server addresses
 * @ret_search: c-ares's search list
 *
 * c-ares reads a path, so the bytes go to a memfd it opens as
 * /proc/self/fd/N: it never sees a newer version of the file than the one
 * validated. c-ares also reads LOCALDOMAIN and RES_OPTIONS from the
 * environment; the caller does not trust its search list when LOCALDOMAIN
 * is set (RES_OPTIONS only touches values lxnet takes from its own scan).
 *
 * Return: 0 or -errno.
 */
static int resolv_parse_ares(const char *text, size_t len,
			     GPtrArray **ret_servers, GPtrArray **ret_search)
{
	_cleanup_close_ int fd = -1;
	char path[64];
	struct ares_options opts = { 0 };
	struct ares_options saved = { 0 };
	struct ares_addr_port_node *servers = NULL, *n;
	g_autoptr(GPtrArray) srv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) dom = g_ptr_array_new_with_free_func(g_free);
	ares_channel ch = NULL;
	size_t off = 0;
	int r, mask = 0, i;

	fd = memfd_create("lxnet-resolv.conf", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		off += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* c-ares treats an unopenable file as "no file": catch that here. */
	if (access(path, R_OK) < 0)
		return -errno;

	r = resolv_ares_errno(ares_library_init(ARES_LIB_INIT_ALL));
	if (r < 0)
		return r;
	opts.resolvconf_path = path;
	r = resolv_ares_errno(ares_init_options(&ch, &opts, ARES_OPT_RESOLVCONF));
	if (r < 0)
		goto out;
	r = resolv_ares_errno(ares_get_servers_ports(ch, &servers));
	if (r < 0)
		goto out;
	for (n = servers; n && srv->len < RESOLV_SERVERS_MAX; n = n->next) {
		char buf[INET6_ADDRSTRLEN];

		if (inet_ntop(n->family, &n->addr, buf, sizeof(buf)))
			g_ptr_array_add(srv, g_strdup(buf));
	}
	r = resolv_ares_errno(ares_save_options(ch, &saved, &mask));
	if (r < 0)
		goto out;
	for (i = 0; (mask & ARES_OPT_DOMAINS) && i < saved.ndomains; i++)
		g_ptr_array_add(dom, g_strdup(saved.domains[i]));
	ares_destroy_options(&saved);
	*ret_servers = g_steal_pointer(&srv);
	*ret_search = g_steal_pointer(&dom);
out:
	ares_free_data(servers);
	if (ch)
		ares_destroy(ch);
	ares_library_cleanup();
	return r;
}

static char **resolv_strv(GPtrArray *a)
{
	char **v = g_new0(char *, a->len + 1);
	guint i;

	for (i = 0; i < a->len; i++)
		v[i] = g_strdup(a->pdata[i]);
	return v;
}

/* Keep the c-ares servers the scan agrees on, each as often as it saw it. */
static void resolv_agree_servers(GPtrArray *servers, GHashTable *seen)
{
	guint i = 0;

	while (i < servers->len) {
		gpointer key = servers->pdata[i];
		guint n = GPOINTER_TO_UINT(g_hash_table_lookup(seen, key));

		if (n == 0) {
			g_ptr_array_remove_index(servers, i);
			continue;
		}
		g_hash_table_insert(seen, g_strdup(key), GUINT_TO_POINTER(n - 1));
		i++;
	}
}

/**
 * resolv_parse_file() - read and parse one resolv.conf, no policy applied
 * @path: the file
 * @r: zeroed result; present stays false when the file cannot be read
 *
 * Return: 0 or -errno (resources only; bad content never fails).
 */
static int resolv_parse_file(const char *path, struct ns_resolv *r)
{
	g_autofree char *buf = NULL;
	g_autoptr(GPtrArray) servers = NULL;
	g_autoptr(GPtrArray) search = NULL;
	struct resolv_scan sc = { 0 };
	bool truncated = false;
	size_t len;
	int ret;

	ret = util_read_file_bounded(path, VIEW_RESOLV_MAX, &buf, &len,
				     &truncated);
	if (ret < 0) {
		log_debug("resolv.conf %s not read: %s", path, g_strerror(-ret));
		return ret == -ENOMEM ? ret : 0;
	}
	if (truncated)
		log_debug("resolv.conf %s: past %d bytes ignored", path,
			  VIEW_RESOLV_MAX);
	len = hostconf_text_len(buf, len, truncated);
	ret = resolv_parse_ares(buf, len, &servers, &search);
	if (ret < 0)
		return ret;
	resolv_scan_text(buf, len, &sc);
	r->present = true;
	resolv_agree_servers(servers, sc.servers);
	if (!sc.has_domain)
		g_ptr_array_set_size(search, 0);
	else if (g_getenv("LOCALDOMAIN"))
		/* c-ares gave the environment's list: use the file's. */
		r->search = resolv_strv(sc.search);
	r->servers = resolv_strv(servers);
	if (!r->search)
		r->search = resolv_strv(search);
	r->options = resolv_strv(sc.options);
	r->sortlist = resolv_strv(sc.sortlist);
	resolv_scan_clear(&sc);
	return 0;
}

static void resolv_clear(struct ns_resolv *r)
{
	g_strfreev(r->servers);
	g_strfreev(r->search);
	g_strfreev(r->options);
	g_strfreev(r->sortlist);
	g_free(r->source);
	memset(r, 0, sizeof(*r));
}

/* 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: a local stub resolver. */
static bool resolv_is_loopback(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, s, &a6) != 1)
		return false;
	if (IN6_IS_ADDR_LOOPBACK(&a6))
		return true;
	return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}

static bool resolv_only_stubs(char **servers)
{
	char **s;

	if (!servers || !servers[0])
		return false;
	for (s = servers; *s; s++)
		if (!resolv_is_loopback(*s))
			return false;
	return true;
}

/**
 * resolv_upstream() - the servers a loopback stub forwards to
 * @p: policy (its upstream_paths)
 * @ret: servers of the first readable upstream file, NULL when none
 *
 * Return: 0 or -errno.
 */
static int resolv_upstream(const struct view_policy *p, char ***ret)
{
	char **path;

	*ret = NULL;
	for (path = p->upstream_paths; path && *path; path++) {
		struct ns_resolv u = { 0 };
		int r = resolv_parse_file(*path, &u);

		if (r < 0)
			return r;
		if (!u.present)
			continue;
		if (u.servers && u.servers[0])
			*ret = g_steal_pointer(&u.servers);
		resolv_clear(&u);
		break;
	}
	return 0;
}

static char **resolv_valid_addrs(char **in)
{
	GPtrArray *a = g_ptr_array_new();
	char **s;

	for (s = in; s && *s && a->len < RESOLV_SERVERS_MAX; s++) {
		char *addr = util_canon_addr(*s);

		if (addr)
			g_ptr_array_add(a, addr);
	}
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

/**
 * resolvconf_load() - the resolver configuration the view presents
 * @p: view policy (resolv_path, dns, dns_search, dns_upstream,
 *     upstream_paths)
 * @ret: new part, refcount 1
 *
 * The host file is parsed by resolv_parse_file(); then --dns replaces the
 * servers, --dns-search the search list, and --dns-upstream a server list
 * made only of loopback stubs by the first readable upstream file's servers.
 * The policy applies even when the host has no file (present stays false).
 *
 * Return: 0 or -errno (resources only).
 */
int resolvconf_load(const struct view_policy *p, struct ns_resolv_part **ret)
{
	struct ns_resolv_part *part = ns_resolv_part_new();
	struct ns_resolv *r = &part->r;
	const char *path = p->resolv_path ? p->resolv_path : "/etc/resolv.conf";
	int e;

	e = resolv_parse_file(path, r);
	if (e < 0) {
		ns_resolv_part_unref(part);
		return e;
	}
	r->source = g_strdup(path);
	if (p->dns) {
		g_strfreev(r->servers);
		r->servers = resolv_valid_addrs(p->dns);
	} else if (p->dns_upstream && resolv_only_stubs(r->servers)) {
		char **up = NULL;

		e = resolv_upstream(p, &up);
		if (e < 0) {
			ns_resolv_part_unref(part);
			return e;
		}
		if (up) {
			g_strfreev(r->servers);
			r->servers = up;
		}
	}
	if (p->dns_search) {
		g_strfreev(r->search);
		r->search = g_strdupv(p->dns_search);
	}
	/* Never NULL vectors: renderers and comparisons stay simple. */
	if (!r->servers)
		r->servers = g_new0(char *, 1);
	if (!r->search)
		r->search = g_new0(char *, 1);
	if (!r->options)
		r->options = g_new0(char *, 1);
	if (!r->sortlist)
		r->sortlist = g_new0(char *, 1);
	*ret = part;
	return 0;
}
