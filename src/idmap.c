// SPDX-License-Identifier: LGPL-2.1-or-later
/* idmap.c - id maps, subordinate id files and --uidmap specs, checked */
/*
 * Theory of operation
 *
 * A user namespace's uid_map (gid_map) is a list of lines "INSIDE OUTSIDE
 * COUNT". The kernel refuses the whole write when two lines overlap on
 * either side, when a range runs past 2^32 - 2 ((uid_t)-1 is no id), or
 * when an unprivileged writer maps anything but its own id; newuidmap
 * (setuid root) lets an ordinary user map the ranges /etc/subuid gives it
 * too. Everything here runs before a namespace exists, so that lxnet can
 * say in one line what is wrong with a map or a subordinate id file instead
 * of passing on the kernel's EINVAL or a helper's message.
 *
 * Subordinate id files (subuid(5), subgid(5)) hold lines
 * "OWNER:FIRST:COUNT", OWNER a user name or a numeric uid (for both files:
 * a subgid owner is a user too). A line of ours that is not three decimal
 * fields with COUNT >= 1 is an error, and so is a range of ours that
 * overlaps another valid line, ours or someone else's: both mean the file
 * is not what the administrator meant, and a shared range would let
 * another user's sandboxes reach this one's files. Other users' malformed
 * lines are not ours to judge (newuidmap ignores them too). Empty lines and
 * lines starting with '#' are skipped.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "idmap.h"
#include "util.h"

/* Parse a decimal id or count: digits only, at most 2^32 - 1. */
static int idmap_parse_u32(const char *s, size_t len, uint32_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

/* Does [first, first + count) stay below (uid_t)-1? */
static bool idmap_range_fits(uint32_t first, uint32_t count)
{
	return count >= 1 && (uint64_t)first + count <= IDMAP_ID_LIMIT;
}

static bool idmap_overlap(uint32_t a, uint32_t na, uint32_t b, uint32_t nb)
{
	return (uint64_t)a < (uint64_t)b + nb && (uint64_t)b < (uint64_t)a + na;
}

/**
 * idmap_add() - append a line to a map
 * @m: the map
 * @inside: first id inside
 * @outside: first id outside
 * @count: number of ids
 *
 * Return: 0, -ENOSPC when @m is full, -ERANGE when the range does not fit
 * (count 0, or past 2^32 - 2 on either side).
 */
int idmap_add(struct idmap *m, uint32_t inside, uint32_t outside,
	      uint32_t count)
{
	if (!idmap_range_fits(inside, count) || !idmap_range_fits(outside, count))
		return -ERANGE;
	if (m->n >= IDMAP_MAX_RANGES)
		return -ENOSPC;
	m->r[m->n++] = (struct idmap_range){ inside, outside, count };
	return 0;
}

/**
 * idmap_parse_spec() - parse one --uidmap/--gidmap value
 * @spec: "INSIDE:OUTSIDE:COUNT", decimal
 * @ret: the range, written only on success
 *
 * Return: 0 or -EINVAL (not three decimal fields, COUNT 0, or a range past
 * 2^32 - 2 on either side).
 */
int idmap_parse_spec(const char *spec, struct idmap_range *ret)
{
	const char *c1 = strchr(spec, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	struct idmap_range r;

	if (!c2 || strchr(c2 + 1, ':'))
		return -EINVAL;
	if (idmap_parse_u32(spec, (size_t)(c1 - spec), &r.inside) < 0 ||
	    idmap_parse_u32(c1 + 1, (size_t)(c2 - c1 - 1), &r.outside) < 0 ||
	    idmap_parse_u32(c2 + 1, strlen(c2 + 1), &r.count) < 0)
		return -EINVAL;
	if (!idmap_range_fits(r.inside, r.count) ||
	    !idmap_range_fits(r.outside, r.count))
		return -EINVAL;
	*ret = r;
	return 0;
}

/**
 * idmap_validate() - would the kernel take this map?
 * @m: the map
 * @error: why not
 *
 * Checks what the kernel checks for any writer: at least one line, every
 * range within 0..2^32-2, no two lines overlapping inside or outside.
 * Whether the writer may map the outside ids is the caller's question.
 * Return: 0 or -EINVAL with @error set.
 */
int idmap_validate(const struct idmap *m, GError **error)
{
	size_t i, j;

	if (m->n == 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "the map is empty");
		return -EINVAL;
	}
	for (i = 0; i < m->n; i++) {
		const struct idmap_range *a = &m->r[i];

		if (!idmap_range_fits(a->inside, a->count) ||
		    !idmap_range_fits(a->outside, a->count)) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%u:%u:%u does not fit below %llu",
				    a->inside, a->outside, a->count,
				    IDMAP_ID_LIMIT);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			const struct idmap_range *b = &m->r[j];
			bool in = idmap_overlap(a->inside, a->count, b->inside,
						b->count);

			if (!in && !idmap_overlap(a->outside, a->count,
						  b->outside, b->count))
				continue;
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%u:%u:%u and %u:%u:%u overlap %s",
				    b->inside, b->outside, b->count, a->inside,
				    a->outside, a->count,
				    in ? "inside the sandbox" : "outside it");
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * idmap_to_inside() - the id inside that an outside id maps to
 * @m: the map
 * @outside: an id of the parent namespace
 * @ret_inside: its id inside, written only when mapped
 *
 * Return: true when @outside is mapped.
 */
bool idmap_to_inside(const struct idmap *m, uint32_t outside,
		     uint32_t *ret_inside)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct idmap_range *r = &m->r[i];

		if (outside >= r->outside &&
		    (uint64_t)outside < (uint64_t)r->outside + r->count) {
			*ret_inside = r->inside + (outside - r->outside);
			return true;
		}
	}
	return false;
}

/**
 * idmap_within() - may an ordinary user map these outside ids?
 * @first: first outside id
 * @count: number of ids
 * @own: the user's own id (which it may always map)
 * @ranges: its subordinate ranges
 * @n: number of @ranges
 *
 * As newuidmap decides (shadow's verify_range()): the line is the user's own
 * id alone, or lies within its ranges, adjacent ranges counting as one; the
 * own id does not join a line of subordinate ids.
 * Return: true when newuidmap/newgidmap will write this line.
 */
bool idmap_within(uint32_t first, uint32_t count, uint32_t own,
		  const struct subid_range *ranges, size_t n)
{
	uint64_t cur = first, end = (uint64_t)first + count;
	size_t i;

	if (count == 1 && first == own)
		return true;
	while (cur < end) {
		bool moved = false;

		for (i = 0; i < n && !moved; i++) {
			uint64_t s = ranges[i].start, e = s + ranges[i].count;

			if (cur >= s && cur < e) {
				cur = e;
				moved = true;
			}
		}
		if (!moved)
			return false;
	}
	return true;
}

/**
 * idmap_format() - the map as the kernel's uid_map/gid_map text
 * @m: the map
 *
 * Return: "INSIDE OUTSIDE COUNT\n" per line (g_free).
 */
char *idmap_format(const struct idmap *m)
{
	GString *s = g_string_new(NULL);
	size_t i;

	for (i = 0; i < m->n; i++)
		g_string_append_printf(s, "%u %u %u\n", m->r[i].inside,
				       m->r[i].outside, m->r[i].count);
	return g_string_free(s, FALSE);
}

/**
 * idmap_describe() - the map for messages
 * @m: the map
 *
 * Return: "INSIDE:OUTSIDE:COUNT" lines joined by ", " (g_free).
 */
char *idmap_describe(const struct idmap *m)
{
	GString *s = g_string_new(NULL);
	size_t i;

	for (i = 0; i < m->n; i++)
		g_string_append_printf(s, "%s%u:%u:%u", i ? ", " : "",
				       m->r[i].inside, m->r[i].outside,
				       m->r[i].count);
	return g_string_free(s, FALSE);
}

/* Is @owner (a subid line's first field) @user or @uid? */
static bool subid_owner_is(const char *owner, size_t len, const char *user,
			   uint32_t uid)
{
	uint32_t v;

	if (user && strlen(user) == len && memcmp(owner, user, len) == 0)
		return true;
	return idmap_parse_u32(owner, len, &v) == 0 && v == uid;
}

/*
 * Parse "OWNER:FIRST:COUNT" (no newline) into @ret_owner_len and @ret.
 * Return: 0, or -EINVAL when the line is not that.
 */
static int subid_parse_line(const char *line, size_t len,
			    size_t *ret_owner_len, struct subid_range *ret)
{
	const char *end = line + len;
	const char *c1 = memchr(line, ':', len);
	const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;

	if (!c1)
		*ret_owner_len = len;
	else
		*ret_owner_len = (size_t)(c1 - line);
	if (!c2 || c1 == line || memchr(c2 + 1, ':', (size_t)(end - c2 - 1)))
		return -EINVAL;
	if (idmap_parse_u32(c1 + 1, (size_t)(c2 - c1 - 1), &ret->start) < 0 ||
	    idmap_parse_u32(c2 + 1, (size_t)(end - c2 - 1), &ret->count) < 0 ||
	    !idmap_range_fits(ret->start, ret->count))
		return -EINVAL;
	return 0;
}

/* Report the first range of @ours that overlaps another valid line. */
static int subid_check_overlaps(const char *what, const struct subid_range *ours,
				size_t n, const GArray *others, GError **error)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct subid_range *a = &ours[i];
		const struct subid_range *b = NULL;

		for (j = 0; j < i && !b; j++)
			if (idmap_overlap(a->start, a->count, ours[j].start,
					  ours[j].count))
				b = &ours[j];
		for (j = 0; j < others->len && !b; j++) {
			const struct subid_range *o =
				&g_array_index(others, struct subid_range, j);

			if (idmap_overlap(a->start, a->count, o->start, o->count))
				b = o;
		}
		if (!b)
			continue;
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: the ranges of lines %u and %u overlap (%u-%llu and %u-%llu)",
			    what, MIN(a->line, b->line), MAX(a->line, b->line),
			    a->start, (unsigned long long)a->start + a->count - 1,
			    b->start, (unsigned long long)b->start + b->count - 1);
		return -EINVAL;
	}
	return 0;
}

/**
 * subid_parse() - the ranges a subordinate id file gives a user
 * @text: the file's contents (NUL-terminated)
 * @what: its name, for messages ("/etc/subuid")
 * @user: the user's name, or NULL when it has none
 * @uid: the user's uid (a numeric owner field matches it)
 * @ret: where the user's ranges go, in file order
 * @max: size of @ret
 * @ret_n: number of ranges found (0 is not an error)
 * @error: what is wrong with the file
 *
 * See "Theory of operation" for what is an error.
 * Return: 0, or -EINVAL (a line of ours is malformed, or overlaps another
 * valid line), -E2BIG (more than @max ranges), with @error set. @ret may be
 * partly written on error; @ret_n only on success.
 */
int subid_parse(const char *text, const char *what, const char *user,
		uint32_t uid, struct subid_range *ret, size_t max,
		size_t *ret_n, GError **error)
{
	g_autoptr(GArray) others = g_array_new(FALSE, FALSE,
					       sizeof(struct subid_range));
	const char *p = text;
	unsigned int lineno = 0;
	size_t n = 0;
	int r;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct subid_range range = { 0 };
		size_t owner_len;
		bool mine;

		lineno++;
		r = len == 0 || p[0] == '#' ? 1 :
		    subid_parse_line(p, len, &owner_len, &range);
		mine = r <= 0 && subid_owner_is(p, owner_len, user, uid);
		if (r < 0 && mine) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s line %u: '%.*s' is not OWNER:FIRST:COUNT (decimal, COUNT at least 1, ending below %llu)",
				    what, lineno, (int)MIN(len, 80), p,
				    IDMAP_ID_LIMIT);
			return -EINVAL;
		}
		range.line = lineno;
		if (r == 0 && mine) {
			if (n == max) {
				g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
					    "%s gives %s more than %zu ranges",
					    what, user ? user : "this user", max);
				return -E2BIG;
			}
			ret[n++] = range;
		} else if (r == 0) {
			g_array_append_val(others, range);
		}
		p += len + (nl ? 1 : 0);
	}
	r = subid_check_overlaps(what, ret, n, others, error);
	if (r < 0)
		return r;
	*ret_n = n;
	return 0;
}
