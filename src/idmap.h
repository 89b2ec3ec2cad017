/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * idmap.h - user namespace id maps as data: the lines of uid_map/gid_map,
 * the ranges /etc/subuid and /etc/subgid give a user, --uidmap specs, and
 * the checks the kernel would make, so that a bad map is refused with a
 * clear message before anything is started. Pure functions (no I/O).
 */
#ifndef LXNET_IDMAP_H
#define LXNET_IDMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

/* The kernel takes at most 340 lines per map (Linux >= 4.15); lxnet needs
 * one for the caller plus the subordinate ranges, and refuses more. */
#define IDMAP_MAX_RANGES 64
/* (uid_t)-1 is no id: the largest id a map may reach is 2^32 - 2. */
#define IDMAP_ID_LIMIT 4294967295ULL

/*
 * struct idmap_range - one line of a map
 * @inside: first id in the new namespace
 * @outside: first id in the parent namespace
 * @count: number of ids, >= 1
 */
struct idmap_range {
	uint32_t inside;
	uint32_t outside;
	uint32_t count;
};

/* struct idmap - the lines of one map (uid or gid), in order */
struct idmap {
	size_t n;
	struct idmap_range r[IDMAP_MAX_RANGES];
};

/*
 * struct subid_range - one range a subordinate id file gives
 * @start: first id
 * @count: number of ids
 * @line: its line number in the file (for messages)
 */
struct subid_range {
	uint32_t start;
	uint32_t count;
	unsigned int line;
};

int idmap_add(struct idmap *m, uint32_t inside, uint32_t outside,
	      uint32_t count);
int idmap_parse_spec(const char *spec, struct idmap_range *ret);
int idmap_validate(const struct idmap *m, GError **error);
bool idmap_to_inside(const struct idmap *m, uint32_t outside,
		     uint32_t *ret_inside);
bool idmap_within(uint32_t first, uint32_t count, uint32_t own,
		  const struct subid_range *ranges, size_t n);
char *idmap_format(const struct idmap *m);
char *idmap_describe(const struct idmap *m);

int subid_parse(const char *text, const char *what, const char *user,
		uint32_t uid, struct subid_range *ret, size_t max,
		size_t *ret_n, GError **error);

#endif
