// SPDX-License-Identifier: LGPL-2.1-or-later
/* netpolicy.c - parse connection-policy rules and decide calls against them */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netpolicy.h"
#include "util.h"

/*
 * struct netpolicy_names - the host names of a policy's rules
 * @lock: readers (netpolicy_decide()) hold it shared while they decide;
 *	netpolicy_set_addrs() holds it only to swap a pointer
 * @names: each name once (char *), in the order first named
 * @sets: its current addresses (struct netpolicy_addrs *), or NULL while
 *	it has none; same index
 */
struct netpolicy_names {
	GRWLock lock;
	GPtrArray *names;
	GPtrArray *sets;
};

static void netpolicy_names_free(struct netpolicy_names *n)
{
	if (!n)
		return;
	g_ptr_array_unref(n->names);
	g_ptr_array_unref(n->sets);
	g_rw_lock_clear(&n->lock);
	g_free(n);
}

/* The index of @name in @p's names, added when new (start-up only). */
static int netpolicy_name_index(struct netpolicy *p, const char *name)
{
	struct netpolicy_names *n = p->names;
	guint i;

	if (!n) {
		n = p->names = g_new0(struct netpolicy_names, 1);
		g_rw_lock_init(&n->lock);
		n->names = g_ptr_array_new_with_free_func(g_free);
		n->sets = g_ptr_array_new_with_free_func(g_free);
	}
	for (i = 0; i < n->names->len; i++)
		if (g_ascii_strcasecmp(g_ptr_array_index(n->names, i), name) == 0)
			return (int)i;
	g_ptr_array_add(n->names, g_ascii_strdown(name, -1));
	g_ptr_array_add(n->sets, NULL);
	return (int)i;
}

/**
 * netpolicy_n_names() - how many host names the rules name
 * @p: the policy
 *
 * Return: the count (names are numbered 0..count-1).
 */
unsigned int netpolicy_n_names(const struct netpolicy *p)
{
	return p->names ? p->names->names->len : 0;
}

/**
 * netpolicy_name() - one of the host names, lower case
 * @p: the policy
 * @i: below netpolicy_n_names()
 *
 * Return: the name (owned by @p).
 */
const char *netpolicy_name(const struct netpolicy *p, unsigned int i)
{
	return g_ptr_array_index(p->names->names, i);
}

/**
 * netpolicy_addrs_new() - an address set of @n entries to fill in
 * @n: at most NETPOLICY_MAX_NAME_ADDRS
 *
 * Return: the set (g_free(), or hand it to netpolicy_set_addrs()).
 */
struct netpolicy_addrs *netpolicy_addrs_new(unsigned int n)
{
	struct netpolicy_addrs *s;

	s = g_malloc0(sizeof(*s) + n * sizeof(s->v[0]));
	s->n = n;
	return s;
}

/**
 * netpolicy_set_addrs() - replace a name's current addresses
 * @p: the policy
 * @i: the name, below netpolicy_n_names()
 * @set: its addresses (taken; not changed afterwards), or NULL for none
 *
 * Callable from any thread while others decide: the swap is made under
 * the write lock, so a decision sees the old set or the new, whole.
 */
void netpolicy_set_addrs(const struct netpolicy *p, unsigned int i,
			 struct netpolicy_addrs *set)
{
	struct netpolicy_names *n = p->names;
	struct netpolicy_addrs *old;

	g_rw_lock_writer_lock(&n->lock);
	old = g_ptr_array_index(n->sets, i);
	g_ptr_array_index(n->sets, i) = set;
	g_rw_lock_writer_unlock(&n->lock);
	g_free(old);
}

/**
 * netpolicy_n_addrs() - how many addresses a name has now
 * @p: the policy
 * @i: the name, below netpolicy_n_names()
 *
 * Return: the count (0 while it has not resolved).
 */
unsigned int netpolicy_n_addrs(const struct netpolicy *p, unsigned int i)
{
	struct netpolicy_names *n = p->names;
	const struct netpolicy_addrs *s;
	unsigned int c;

	g_rw_lock_reader_lock(&n->lock);
	s = g_ptr_array_index(n->sets, i);
	c = s ? s->n : 0;
	g_rw_lock_reader_unlock(&n->lock);
	return c;
}

static void netpolicy_rule_clear(void *data)
{
	struct netpolicy_rule *r = data;

	g_free(r->text);
}

static void netpolicy_publish_clear(void *data)
{
	struct netpolicy_publish *x = data;

	g_free(x->text);
}

void netpolicy_init(struct netpolicy *p)
{
	memset(p, 0, sizeof(*p));
	p->rules = g_array_new(FALSE, TRUE, sizeof(struct netpolicy_rule));
	g_array_set_clear_func(p->rules, netpolicy_rule_clear);
	p->publish = g_array_new(FALSE, TRUE, sizeof(struct netpolicy_publish));
	g_array_set_clear_func(p->publish, netpolicy_publish_clear);
}

void netpolicy_clear(struct netpolicy *p)
{
	if (p->rules)
		g_array_unref(p->rules);
	netpolicy_names_free(p->names);
	if (p->publish)
		g_array_unref(p->publish);
	g_free(p->log_path);
	memset(p, 0, sizeof(*p));
}

/*
 * Whether anything is to be enforced or logged: then the governed calls
 * are trapped.
 */
bool netpolicy_active(const struct netpolicy *p)
{
	return (p->rules && p->rules->len > 0) || p->no_host_loopback ||
	       p->log_path;
}

/* netpolicy_parse_addr()'s answer for 10.1.2.3/8 (netpolicy_add() names
 * the network in its message) */
static const char netpolicy_why_host_bits[] = "bits set past the prefix";

/* Whether @r->addr has bits set past its prefix length. */
static bool netpolicy_host_bits(const struct netpolicy_rule *r)
{
	unsigned int n = r->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < n; i++) {
		unsigned int bits = i * 8;
		uint8_t keep = bits >= r->prefixlen ? 0 :
			       bits + 8 > r->prefixlen ?
			       (uint8_t)(0xff << (8 - (r->prefixlen - bits))) :
			       0xff;

		if (r->addr[i] & (uint8_t)~keep)
			return true;
	}
	return false;
}

/* Parse "N" or "N-M" into a port range; NULL, or what is wrong. */
static const char *netpolicy_parse_ports(const char *s, uint16_t *lo,
					 uint16_t *hi)
{
	char *end;
	unsigned long a, b;

	if (!g_ascii_isdigit(*s))
		return "the port is not a number (PORT or PORT-PORT)";
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-') {
		if (!g_ascii_isdigit(end[1]))
			return "the port range has no end (PORT-PORT)";
		b = strtoul(end + 1, &end, 10);
	}
	if (*end != '\0')
		return "junk after the port (PORT or PORT-PORT)";
	if (a > 65535 || b > 65535)
		return "a port past 65535";
	if (a > b)
		return "the port range ends before it begins";
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return NULL;
}

/*
 * Parse ADDR[/LEN] (IPv6 without brackets here) or "*" into @r; NULL, or
 * what is wrong. An address with bits set past its prefix (10.1.2.3/8) is
 * refused rather than widened: whoever wrote it may have meant the host.
 */
static const char *netpolicy_parse_addr(char *s, struct netpolicy_rule *r)
{
	char *slash = strchr(s, '/');
	unsigned long len;
	int max;

	if (strcmp(s, "*") == 0) {
		r->family = 0;
		return NULL;
	}
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, s, r->addr) == 1)
		r->family = AF_INET;
	else if (inet_pton(AF_INET6, s, r->addr) == 1)
		r->family = AF_INET6;
	else
		return "not an IPv4 address, an IPv6 address in brackets, * "
		       "or a host name";
	max = r->family == AF_INET ? 32 : 128;
	r->prefixlen = (uint8_t)max;
	if (slash) {
		char *end;

		if (!g_ascii_isdigit(slash[1]))
			return "the prefix length is not a number";
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0')
			return "junk after the prefix length";
		if (len > (unsigned long)max)
			return r->family == AF_INET ?
				"an IPv4 prefix length past 32" :
				"an IPv6 prefix length past 128";
		r->prefixlen = (uint8_t)len;
		if (netpolicy_host_bits(r))
			return netpolicy_why_host_bits;
	}
	return NULL;
}

/* Split off a leading "WORD:" when WORD is @word; true when it was there. */
static bool netpolicy_eat(char **s, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*s, word, n) != 0 || (*s)[n] != ':')
		return false;
	*s += n + 1;
	return true;
}

/*
 * Whether @s is a host name: labels of letters, digits and '-' (not at a
 * label's ends), 1-63 bytes each, joined by '.', an optional final '.',
 * 253 bytes at most, with at least one letter (so never an IPv4 address,
 * whole or partial), and not a word of the rule syntax.
 */
static bool netpolicy_is_name(const char *s)
{
	static const char *const reserved[] = { "tcp", "udp", "icmp", "bind" };
	size_t len = strlen(s), label = 0, i;
	bool letter = false;

	if (len == 0 || len > 253 || s[0] == '.')
		return false;
	for (i = 0; i < G_N_ELEMENTS(reserved); i++)
		if (g_ascii_strcasecmp(s, reserved[i]) == 0)
			return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!g_ascii_isalnum(c) && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		letter = letter || g_ascii_isalpha(c);
		if (++label > 63)
			return false;
	}
	return letter && s[len - 1] != '-';
}

/* The body of a rule after its prefixes: ADDR[/LEN][:PORTS],
 * [ADDR6[/LEN]][:PORTS] or NAME[:PORTS]; NULL, or what is wrong. */
static const char *netpolicy_parse_body(char *s, struct netpolicy_rule *r)
{
	const char *why;
	char *ports = NULL;

	if (*s == '[') {
		char *close = strchr(s, ']');

		if (!close)
			return "'[' without ']'";
		*close = '\0';
		if (close[1] == ':')
			ports = close + 2;
		else if (close[1] == '/')
			return "the prefix length goes inside the brackets: "
			       "[2001:db8::/32]";
		else if (close[1] != '\0')
			return "junk after ']' (expected :PORT)";
		s++;
		if (strchr(s, '%'))
			return "a scope (%eth0) cannot be named in a rule";
		why = netpolicy_parse_addr(s, r);
		if (why)
			return why;
		if (r->family == AF_INET)
			return "brackets hold an IPv6 address";
	} else {
		char *colon = strchr(s, ':');

		if (colon && strchr(colon + 1, ':')) {
			bool word = colon > s;
			const char *c;

			for (c = s; c < colon; c++)
				word = word && g_ascii_isalpha(*c);
			/* "tpc:10.0.0.1:80": a protocol mistyped */
			return word ? "unknown protocol (tcp, udp or icmp, "
				      "after an optional bind:)" :
				      "an IPv6 address goes in brackets: "
				      "[2001:db8::/32]:443";
		}
		if (colon) {
			*colon = '\0';
			ports = colon + 1;
		}
		if (g_ascii_strcasecmp(s, "localhost") == 0 ||
		    g_ascii_strcasecmp(s, "localhost.") == 0)
			/* names are asked of DNS, which does not know it */
			return "localhost is not a name DNS answers: name "
			       "127.0.0.1 or [::1]";
		if (netpolicy_is_name(s)) {
			r->family = 0;
			r->name = 0; /* any; netpolicy_add() sets the index */
		} else if ((why = netpolicy_parse_addr(s, r))) {
			return why;
		} else if (r->family == AF_INET6) {
			return "an IPv6 address goes in brackets: "
			       "[2001:db8::/32]:443";
		}
	}
	r->port_lo = 0;
	r->port_hi = 65535;
	if (ports && (why = netpolicy_parse_ports(ports, &r->port_lo,
						  &r->port_hi)))
		return why;
	if (ports && r->proto == NETPOLICY_ICMP)
		return "icmp has no ports";
	if (ports && r->port_hi == 0)
		return "port 0 is no destination, and a bind to it takes any "
		       "free port (always allowed); a range may start at 0";
	return NULL;
}

/* Zero the bits of @r->addr past its prefix. */
static void netpolicy_mask(struct netpolicy_rule *r)
{
	unsigned int n = r->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < n; i++) {
		unsigned int bits = i * 8;

		if (bits >= r->prefixlen)
			r->addr[i] = 0;
		else if (bits + 8 > r->prefixlen)
			r->addr[i] &= (uint8_t)(0xff << (8 - (r->prefixlen - bits)));
	}
}

/*
 * unix:@GLOB: @s is what follows "unix:@". The glob must be a C string of
 * printable characters (a name with other bytes is matched by * or ?).
 */
static bool netpolicy_parse_unix(const char *s, struct netpolicy_rule *r)
{
	const char *c;

	if (*s == '\0' || strlen(s) > 107) /* sizeof(sun_path) - 1 */
		return false;
	for (c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	r->family = AF_UNIX;
	return true;
}

/**
 * netpolicy_add() - parse one rule and append it
 * @p: the policy
 * @allow: --allow (else --deny)
 * @text: the rule (see netpolicy.h)
 * @error: one line saying what is wrong, on -EINVAL
 *
 * Return: 0, -EINVAL for a rule that does not parse, -E2BIG past
 * NETPOLICY_MAX_RULES.
 */
int netpolicy_add(struct netpolicy *p, bool allow, const char *text,
		  GError **error)
{
	g_autofree char *copy = g_strdup(text);
	struct netpolicy_rule r = { .allow = allow, .name = -1 };
	const char *why;
	char *s = copy;

	if (p->rules->len >= NETPOLICY_MAX_RULES) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "more than %d rules", NETPOLICY_MAX_RULES);
		return -E2BIG;
	}
	r.bind = netpolicy_eat(&s, "bind");
	if (g_str_has_prefix(s, "unix:")) {
		if (!g_str_has_prefix(s, NETPOLICY_UNIX_PREFIX) ||
		    !netpolicy_parse_unix(s + strlen(NETPOLICY_UNIX_PREFIX), &r)) {
			g_set_error(error, G_OPTION_ERROR,
				    G_OPTION_ERROR_BAD_VALUE,
				    "invalid rule '%s' (expected [bind:]unix:@GLOB, "
				    "a glob of at most 107 printable characters)",
				    text);
			return -EINVAL;
		}
		r.text = g_strdup(text);
		g_array_append_val(p->rules, r);
		p->any_unix = true;
		return 0;
	}
	if (netpolicy_eat(&s, "tcp"))
		r.proto = NETPOLICY_TCP;
	else if (netpolicy_eat(&s, "udp"))
		r.proto = NETPOLICY_UDP;
	else if (netpolicy_eat(&s, "icmp"))
		r.proto = NETPOLICY_ICMP;
	why = *s == '\0' ? "no address" : netpolicy_parse_body(s, &r);
	if (why == netpolicy_why_host_bits) {
		char net[INET6_ADDRSTRLEN];

		netpolicy_mask(&r);
		inet_ntop(r.family, r.addr, net, sizeof(net));
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "invalid rule '%s': the address has bits set past "
			    "/%u (the network is %s%s%s/%u; a single address "
			    "needs no /LEN)", text, r.prefixlen,
			    r.family == AF_INET6 ? "[" : "", net,
			    r.family == AF_INET6 ? "]" : "", r.prefixlen);
		return -EINVAL;
	}
	if (why) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "invalid rule '%s': %s (a rule is [bind:][tcp|udp|"
			    "icmp:]ADDR[/LEN][:PORT[-PORT]])", text, why);
		return -EINVAL;
	}
	if (r.name >= 0 && r.bind) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "invalid rule '%s' (a bind: rule names local "
			    "addresses, not a host name)", text);
		return -EINVAL;
	}
	if (r.name >= 0) {
		char *colon = strchr(s, ':');

		if (colon)
			*colon = '\0';
		r.name = netpolicy_name_index(p, s);
	}
	r.text = g_strdup(text);
	g_array_append_val(p->rules, r);
	if (allow && r.bind)
		p->any_allow_bind = true;
	else if (allow)
		p->any_allow_dst = true;
	return 0;
}

/**
 * netpolicy_merge() - add @src's rules after @dst's, and what else it sets
 * @dst: the policy read so far (the command line, a file's earlier lines)
 * @src: rules from a source that comes after: a configuration file, a
 *	later line of one. The first rule that matches decides, so @dst's
 *	rules win where both name the same traffic.
 * @later: @src's --log-connections replaces @dst's (else fills it only
 *	when unset)
 *
 * A --publish of @src whose PORT or HOSTPORT @dst already publishes (for
 * that protocol) is left out: @dst's wins, as its rules do.
 *
 * Return: 0, or -E2BIG past NETPOLICY_MAX_RULES (nothing added then).
 */
int netpolicy_merge(struct netpolicy *dst, const struct netpolicy *src,
		    bool later)
{
	guint i;

	if (dst->rules->len + src->rules->len > NETPOLICY_MAX_RULES)
		return -E2BIG;
	for (i = 0; i < src->rules->len; i++) {
		struct netpolicy_rule r =
			g_array_index(src->rules, struct netpolicy_rule, i);

		r.text = g_strdup(r.text);
		if (r.name >= 0)
			r.name = netpolicy_name_index(dst,
						      netpolicy_name(src, (unsigned int)r.name));
		g_array_append_val(dst->rules, r);
	}
	for (i = 0; src->publish && i < src->publish->len; i++) {
		struct netpolicy_publish x =
			g_array_index(src->publish, struct netpolicy_publish, i);

		/* @dst's pair wins where both name the port */
		if (netpolicy_published_port(dst, x.proto, x.port) ||
		    netpolicy_published_host_port(dst, x.proto, x.host_port) ||
		    dst->publish->len >= NETPOLICY_MAX_PUBLISH)
			continue;
		x.text = g_strdup(x.text);
		g_array_append_val(dst->publish, x);
	}
	dst->no_host_loopback = dst->no_host_loopback || src->no_host_loopback;
	dst->any_allow_dst = dst->any_allow_dst || src->any_allow_dst;
	dst->any_allow_bind = dst->any_allow_bind || src->any_allow_bind;
	dst->any_unix = dst->any_unix || src->any_unix;
	if (src->log_path && (later || !dst->log_path)) {
		g_free(dst->log_path);
		dst->log_path = g_strdup(src->log_path);
	}
	return 0;
}

/* The RULE of a policy file's line "@key RULE" or "@key = RULE" (as
 * lxnet.conf writes it), or NULL when the line is not @key's. */
static char *netpolicy_file_rule(char *line, const char *key)
{
	size_t n = strlen(key);
	char *v = line + n;

	if (strncmp(line, key, n) != 0 || (*v != ' ' && *v != '\t' &&
					   *v != '='))
		return NULL;
	v = g_strchug(v);
	if (*v == '=')
		v = g_strchug(v + 1);
	return v;
}

/**
 * netpolicy_load() - append the rules of a policy file
 * @p: the policy
 * @path: the file: one rule per line, "allow RULE" or "deny RULE" (or
 *	"allow = RULE", as in lxnet.conf), or the line "no-host-loopback";
 *	blank lines and lines starting with '#' are skipped
 * @error: the file, line number and what is wrong (NETPOLICY_FILE_ERROR)
 *
 * Return: 0 or -errno (-EINVAL for a line that does not parse; nothing is
 * appended then).
 */
int netpolicy_load(struct netpolicy *p, const char *path, GError **error)
{
	g_autofree char *data = NULL;
	g_auto(GStrv) lines = NULL;
	struct netpolicy tmp;
	size_t len;
	guint i, n = p->rules->len;
	int r;

	r = util_read_named_bounded(path, NETPOLICY_FILE_MAX, &data, &len, NULL);
	if (r < 0) {
		g_set_error(error, NETPOLICY_FILE_ERROR, -r,
			    "cannot read policy file %s: %s", path,
			    g_strerror(-r));
		return r;
	}
	tmp = *p;
	lines = g_strsplit(data, "\n", -1);
	for (i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		g_autoptr(GError) e = NULL;
		g_autofree char *bad = NULL;
		char *rule;

		if (*l == '\0' || *l == '#')
			continue;
		if (strcmp(l, "no-host-loopback") == 0)
			r = (tmp.no_host_loopback = true, 0);
		else if ((rule = netpolicy_file_rule(l, "allow")))
			r = netpolicy_add(&tmp, true, rule, &e);
		else if ((rule = netpolicy_file_rule(l, "deny")))
			r = netpolicy_add(&tmp, false, rule, &e);
		else
			r = -EINVAL;
		if (r < 0 && !e)
			bad = g_strdup_printf("'%s': expected 'allow RULE', "
					      "'deny RULE' (or 'allow = RULE') "
					      "or 'no-host-loopback'", l);
		if (r < 0) {
			g_set_error(error, NETPOLICY_FILE_ERROR, -r,
				    "%s:%u: %s", path, i + 1,
				    e ? e->message : bad);
			g_array_set_size(p->rules, n);
			if (tmp.names != p->names)
				netpolicy_names_free(tmp.names);
			return r;
		}
	}
	*p = tmp;
	return 0;
}

/* Whether @addr (network order, @family) lies in @r's network. */
static bool netpolicy_in(const struct netpolicy_rule *r, int family,
			 const uint8_t *addr)
{
	unsigned int full, rest;

	if (r->family == 0)
		return true;
	if (r->family != family)
		return false;
	full = r->prefixlen / 8;
	rest = r->prefixlen % 8;
	if (memcmp(r->addr, addr, full) != 0)
		return false;
	return rest == 0 ||
	       (addr[full] & (uint8_t)(0xff << (8 - rest))) == r->addr[full];
}

/* Whether @q's address is one of name @i's current ones (lock held). */
static bool netpolicy_in_name(const struct netpolicy *p, int i,
			      const struct netpolicy_query *q)
{
	const struct netpolicy_addrs *s =
		g_ptr_array_index(p->names->sets, (guint)i);
	unsigned int k;

	for (k = 0; s && k < s->n; k++)
		if (s->v[k].family == q->family &&
		    memcmp(s->v[k].addr, q->addr,
			   q->family == AF_INET ? 4 : 16) == 0)
			return true;
	return false;
}

/* The glob of a [bind:]unix:@GLOB rule. */
static const char *netpolicy_unix_glob(const struct netpolicy_rule *r)
{
	return strstr(r->text, NETPOLICY_UNIX_PREFIX) +
	       strlen(NETPOLICY_UNIX_PREFIX);
}

static bool netpolicy_matches(const struct netpolicy *p,
			      const struct netpolicy_rule *r,
			      const struct netpolicy_query *q)
{
	if ((r->family == AF_UNIX) != (q->family == AF_UNIX))
		return false;
	if (r->bind != q->bind) /* bind: rules alone let a name be bound */
		return false;
	if (r->family == AF_UNIX) /* connect and sends alike */
		return fnmatch(netpolicy_unix_glob(r), q->name, 0) == 0;
	if (r->proto != NETPOLICY_ANY && r->proto != q->proto)
		return false;
	if (q->proto != NETPOLICY_ICMP &&
	    (q->port < r->port_lo || q->port > r->port_hi))
		return false;
	if (r->name >= 0)
		return netpolicy_in_name(p, r->name, q);
	return netpolicy_in(r, q->family, q->addr);
}

/* The first rule that matches @q, or NULL. */
static const struct netpolicy_rule *
netpolicy_first(const struct netpolicy *p, const struct netpolicy_query *q)
{
	const struct netpolicy_rule *found = NULL;
	guint i;

	if (p->names)
		g_rw_lock_reader_lock(&p->names->lock);
	for (i = 0; p->rules && i < p->rules->len && !found; i++) {
		const struct netpolicy_rule *r =
			&g_array_index(p->rules, struct netpolicy_rule, i);

		if (netpolicy_matches(p, r, q))
			found = r;
	}
	if (p->names)
		g_rw_lock_reader_unlock(&p->names->lock);
	return found;
}

/*
 * The host's loopback: 127.0.0.0/8 and ::1, and the unspecified addresses
 * 0.0.0.0 and ::, which a connect or send reaches the loopback through
 * (the kernel routes them to 127.0.0.1 and ::1).
 */
static bool netpolicy_loopback(int family, const uint8_t *a)
{
	static const uint8_t one[16] = { [15] = 1 };
	static const uint8_t any[16];

	if (family == AF_INET)
		return a[0] == 127 || memcmp(a, any, 4) == 0;
	return memcmp(a, one, 16) == 0 || memcmp(a, any, 16) == 0;
}

/**
 * netpolicy_decide() - whether a call is allowed
 * @p: the policy
 * @q: the call; an IPv4-mapped IPv6 address must have been turned into
 *	its IPv4 address by the caller (it reaches that address)
 * @nameservers: the view's nameservers (16 bytes each, 4 used for IPv4)
 * @ns_families: their families
 * @n_nameservers: how many
 * @ret_rule: the rule that decided, or a fixed text for the defaults
 *
 * Order: see netpolicy.h.
 *
 * Return: true to allow.
 */
bool netpolicy_decide(const struct netpolicy *p,
		      const struct netpolicy_query *q,
		      const uint8_t (*nameservers)[16],
		      const int *ns_families, unsigned int n_nameservers,
		      const char **ret_rule)
{
	const struct netpolicy_rule *r;
	guint i;

	if (q->bind && q->port == 0 && q->family != AF_UNIX) {
		*ret_rule = "ephemeral port";
		return true;
	}
	r = netpolicy_first(p, q);
	if (r) {
		*ret_rule = r->text;
		return r->allow;
	}
	if (q->family == AF_UNIX) { /* private unless a rule lets it cross */
		*ret_rule = "default";
		return false;
	}
	/* before --no-host-loopback: a stub resolver there (127.0.0.53)
	 * is the view's nameserver, which stays reachable unless a rule
	 * denies it */
	if (!q->bind && q->port == 53 && q->proto != NETPOLICY_ICMP)
		for (i = 0; i < n_nameservers; i++)
			if (ns_families[i] == q->family &&
			    memcmp(nameservers[i], q->addr,
				   q->family == AF_INET ? 4 : 16) == 0) {
				*ret_rule = "nameserver";
				return true;
			}
	if (!q->bind && p->no_host_loopback &&
	    netpolicy_loopback(q->family, q->addr)) {
		*ret_rule = "no-host-loopback";
		return false;
	}
	*ret_rule = "default";
	return !(q->bind ? p->any_allow_bind : p->any_allow_dst);
}

/* The pair of @p publishing @port (PORT, else HOSTPORT) for @proto. */
static const struct netpolicy_publish *
netpolicy_find_publish(const struct netpolicy *p, enum netpolicy_proto proto,
		       uint16_t port, bool host)
{
	guint i;

	for (i = 0; p->publish && i < p->publish->len; i++) {
		const struct netpolicy_publish *x =
			&g_array_index(p->publish, struct netpolicy_publish, i);

		if (x->proto == proto && (host ? x->host_port : x->port) == port)
			return x;
	}
	return NULL;
}

/**
 * netpolicy_published_port() - the host port a sandbox's port is published on
 * @p: the policy
 * @proto: NETPOLICY_TCP or NETPOLICY_UDP
 * @port: the port the sandbox names (host order)
 *
 * Return: HOSTPORT of the --publish naming @port, or 0 when none does.
 */
uint16_t netpolicy_published_port(const struct netpolicy *p,
				  enum netpolicy_proto proto, uint16_t port)
{
	const struct netpolicy_publish *x =
		netpolicy_find_publish(p, proto, port, false);

	return x ? x->host_port : 0;
}

/**
 * netpolicy_published_host_port() - the sandbox's port behind a host port
 * @p: the policy
 * @proto: NETPOLICY_TCP or NETPOLICY_UDP
 * @host_port: a port on the host (host order)
 *
 * Return: PORT of the --publish taking @host_port, or 0 when none does.
 */
uint16_t netpolicy_published_host_port(const struct netpolicy *p,
				       enum netpolicy_proto proto,
				       uint16_t host_port)
{
	const struct netpolicy_publish *x =
		netpolicy_find_publish(p, proto, host_port, true);

	return x ? x->port : 0;
}

/* Whether any port is published: then bind, connect, getsockname are trapped. */
bool netpolicy_publishing(const struct netpolicy *p)
{
	return p->publish && p->publish->len > 0;
}

/* Parse a port 1-65535 ending at @end ('\0' or @stop); false on anything else. */
static bool netpolicy_parse_port(const char *s, char stop, const char **end,
				 uint16_t *ret)
{
	char *e;
	unsigned long v;

	if (!g_ascii_isdigit(*s))
		return false;
	v = strtoul(s, &e, 10);
	if ((*e != '\0' && *e != stop) || v == 0 || v > 65535)
		return false;
	*end = e;
	*ret = (uint16_t)v;
	return true;
}

/**
 * netpolicy_add_publish() - parse one --publish=HOSTPORT:PORT[/tcp|/udp]
 * @p: the policy
 * @text: the value
 * @error: one line saying what is wrong
 *
 * Return: 0, -EINVAL for a value that does not parse, -EEXIST when PORT or
 * HOSTPORT is already published for that protocol, -E2BIG past
 * NETPOLICY_MAX_PUBLISH.
 */
int netpolicy_add_publish(struct netpolicy *p, const char *text,
			  GError **error)
{
	struct netpolicy_publish x = { .proto = NETPOLICY_TCP };
	const char *s = text, *end;
	const char *pname;

	if (!netpolicy_parse_port(s, ':', &end, &x.host_port) || *end != ':' ||
	    !netpolicy_parse_port(end + 1, '/', &end, &x.port) ||
	    (*end == '/' && strcmp(end, "/tcp") != 0 &&
	     strcmp(end, "/udp") != 0)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "invalid --publish '%s' (expected HOSTPORT:PORT, "
			    "ports 1-65535, then /tcp or /udp or nothing for tcp)",
			    text);
		return -EINVAL;
	}
	if (strcmp(end, "/udp") == 0)
		x.proto = NETPOLICY_UDP;
	pname = x.proto == NETPOLICY_UDP ? "udp" : "tcp";
	if (netpolicy_published_port(p, x.proto, x.port)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--publish '%s': port %u/%s is already published "
			    "(on host port %u)", text, x.port, pname,
			    netpolicy_published_port(p, x.proto, x.port));
		return -EEXIST;
	}
	if (netpolicy_published_host_port(p, x.proto, x.host_port)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--publish '%s': host port %u/%s is already taken "
			    "(by port %u)", text, x.host_port, pname,
			    netpolicy_published_host_port(p, x.proto,
							  x.host_port));
		return -EEXIST;
	}
	if (p->publish->len >= NETPOLICY_MAX_PUBLISH) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "more than %d --publish", NETPOLICY_MAX_PUBLISH);
		return -E2BIG;
	}
	x.text = g_strdup(text);
	g_array_append_val(p->publish, x);
	return 0;
}

/**
 * netpolicy_to_args() - the policy as lxnet-proxy options, in order
 * @p: the policy
 *
 * Return: a NULL-terminated vector (g_strfreev()).
 */
char **netpolicy_to_args(const struct netpolicy *p)
{
	GPtrArray *a = g_ptr_array_new();
	guint i;

	for (i = 0; p->rules && i < p->rules->len; i++) {
		const struct netpolicy_rule *r =
			&g_array_index(p->rules, struct netpolicy_rule, i);

		g_ptr_array_add(a, g_strdup_printf("--%s=%s",
						   r->allow ? "allow" : "deny",
						   r->text));
	}
	for (i = 0; p->publish && i < p->publish->len; i++)
		g_ptr_array_add(a, g_strdup_printf("--publish=%s",
			g_array_index(p->publish, struct netpolicy_publish,
				      i).text));
	if (p->no_host_loopback)
		g_ptr_array_add(a, g_strdup("--no-host-loopback"));
	if (p->log_path)
		g_ptr_array_add(a, g_strdup_printf("--log-connections=%s",
						   p->log_path));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static gboolean netpolicy_on_rule(const gchar *name, const gchar *value,
				  gpointer data, GError **error)
{
	return netpolicy_add(data, strcmp(name, "--allow") == 0, value,
			     error) == 0;
}

static gboolean netpolicy_on_log(const gchar *name, const gchar *value,
				 gpointer data, GError **error)
{
	struct netpolicy *p = data;

	(void)name;
	if (!*value) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--log-connections needs a file, or '-' for standard error");
		return FALSE;
	}
	g_free(p->log_path);
	p->log_path = g_strdup(value);
	return TRUE;
}

static gboolean netpolicy_on_publish(const gchar *name, const gchar *value,
				     gpointer data, GError **error)
{
	(void)name;
	return netpolicy_add_publish(data, value, error) == 0;
}

static gboolean netpolicy_on_file(const gchar *name, const gchar *value,
				  gpointer data, GError **error)
{
	(void)name;
	return netpolicy_load(data, value, error) == 0;
}

static gboolean netpolicy_on_loopback(const gchar *name, const gchar *value,
				      gpointer data, GError **error)
{
	struct netpolicy *p = data;

	(void)name;
	(void)value;
	(void)error;
	p->no_host_loopback = true;
	return TRUE;
}

/**
 * netpolicy_option_group() - --allow, --deny, --no-host-loopback, --policy,
 * --log-connections, --publish
 * @p: the policy the options are added to, in command-line order
 *
 * Return: a new GOptionGroup (owned by the GOptionContext it is added to).
 */
GOptionGroup *netpolicy_option_group(struct netpolicy *p)
{
	const GOptionEntry entries[] = {
		{ "allow", 0, 0, G_OPTION_ARG_CALLBACK, netpolicy_on_rule,
		  "Allow what RULE names (repeatable; with any, the rest of "
		  "its kind is denied)", "RULE" },
		{ "deny", 0, 0, G_OPTION_ARG_CALLBACK, netpolicy_on_rule,
		  "Deny what RULE names (repeatable; the first rule that "
		  "matches decides)", "RULE" },
		{ "no-host-loopback", 0, G_OPTION_FLAG_NO_ARG,
		  G_OPTION_ARG_CALLBACK, netpolicy_on_loopback,
		  "Deny the host's 127.0.0.0/8 and ::1 (and 0.0.0.0, ::)", NULL },
		{ "policy", 0, 0, G_OPTION_ARG_CALLBACK, netpolicy_on_file,
		  "Read rules from FILE ('allow RULE', 'deny RULE', "
		  "'no-host-loopback' lines)", "FILE" },
		{ "log-connections", 0, 0, G_OPTION_ARG_CALLBACK,
		  netpolicy_on_log,
		  "Write a JSON line per connect, bind and first send to a "
		  "destination to FILE ('-': standard error), with or "
		  "without rules", "FILE" },
		{ "publish", 0, 0, G_OPTION_ARG_CALLBACK, netpolicy_on_publish,
		  "A server inside binding PORT listens on HOSTPORT of the "
		  "host; getsockname() inside says PORT, a client inside "
		  "reaches it at a local address and PORT (repeatable)",
		  "HOSTPORT:PORT[/udp]" },
		{ NULL },
	};
	GOptionGroup *g = g_option_group_new("policy",
		"Connection policy options (RULE: [bind:][tcp|udp|icmp:]"
		"ADDR[/LEN][:PORT[-PORT]]; ADDR: IPv4, [IPv6], * or a host "
		"name, whose current addresses match; or [bind:]unix:@GLOB for "
		"abstract AF_UNIX names reached (bind: bound) in the host's "
		"namespace):",
		"Show connection policy options", p, NULL);

	g_option_group_add_entries(g, entries);
	return g;
}
