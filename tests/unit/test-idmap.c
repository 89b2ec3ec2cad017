// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-idmap.c - unit tests for id maps, --uidmap specs and subuid files */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "idmap.h"

#define MAX_R 8

/* Parse @text for alice (uid 1000); return subid_parse()'s result. */
static int parse_alice(const char *text, struct subid_range *r, size_t *n,
		       GError **err)
{
	return subid_parse(text, "/etc/subuid", "alice", 1000, r, MAX_R, n,
			   err);
}

static void test_spec(void)
{
	struct idmap_range r = { 7, 7, 7 };
	static const char *const bad[] = {
		"", "0", "0:1000", "0:1000:1:2", ":1000:1", "0::1", "0:1000:",
		"0:1000:0", "-1:1000:1", "0:-5:1", "0:1000:+1", " 0:1000:1",
		"0:1000:1 ", "0:10x0:1", "a:b:c", "0:4294967295:1",
		"4294967295:0:1", "0:4294967294:2", "1:0:4294967295",
		"0:0:4294967296", "00000000001:0:1",
	};
	size_t i;

	g_assert_cmpint(idmap_parse_spec("0:1000:1", &r), ==, 0);
	g_assert_cmpuint(r.inside, ==, 0);
	g_assert_cmpuint(r.outside, ==, 1000);
	g_assert_cmpuint(r.count, ==, 1);
	g_assert_cmpint(idmap_parse_spec("1:100000:65536", &r), ==, 0);
	g_assert_cmpuint(r.outside, ==, 100000);
	g_assert_cmpuint(r.count, ==, 65536);
	/* the whole id space: 2^32 - 1 ids */
	g_assert_cmpint(idmap_parse_spec("0:0:4294967295", &r), ==, 0);
	g_assert_cmpuint(r.count, ==, 4294967295u);
	g_assert_cmpint(idmap_parse_spec("0:4294967294:1", &r), ==, 0);
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		r = (struct idmap_range){ 7, 7, 7 };
		g_assert_cmpint(idmap_parse_spec(bad[i], &r), ==, -EINVAL);
		/* untouched on error */
		g_assert_cmpuint(r.inside, ==, 7);
		g_assert_cmpuint(r.count, ==, 7);
	}
}

static void test_validate(void)
{
	struct idmap m = { 0 };
	g_autoptr(GError) err = NULL;

	g_assert_cmpint(idmap_validate(&m, &err), ==, -EINVAL);
	g_assert_nonnull(strstr(err->message, "empty"));
	g_clear_error(&err);

	g_assert_cmpint(idmap_add(&m, 0, 1000, 1), ==, 0);
	g_assert_cmpint(idmap_add(&m, 1, 100000, 65536), ==, 0);
	g_assert_cmpint(idmap_validate(&m, &err), ==, 0);
	g_assert_no_error(err);

	/* adjacent is fine, overlapping is not: inside ... */
	g_assert_cmpint(idmap_add(&m, 65536, 300000, 10), ==, 0);
	g_assert_cmpint(idmap_validate(&m, &err), ==, -EINVAL);
	g_assert_nonnull(strstr(err->message, "inside"));
	g_clear_error(&err);
	/* ... and outside */
	m.n = 2;
	g_assert_cmpint(idmap_add(&m, 65537, 165535, 10), ==, 0);
	g_assert_cmpint(idmap_validate(&m, &err), ==, -EINVAL);
	g_assert_nonnull(strstr(err->message, "outside"));
	g_clear_error(&err);
	m.n = 2;
	g_assert_cmpint(idmap_add(&m, 65537, 165536, 10), ==, 0);
	g_assert_cmpint(idmap_validate(&m, &err), ==, 0);

	/* ranges that do not fit are refused when added */
	g_assert_cmpint(idmap_add(&m, 0, 0, 0), ==, -ERANGE);
	g_assert_cmpint(idmap_add(&m, 4294967290u, 0, 6), ==, -ERANGE);
	g_assert_cmpint(idmap_add(&m, 0, 4294967290u, 6), ==, -ERANGE);
	g_assert_cmpint(idmap_add(&m, 4294967290u, 0, 5), ==, 0);
	/* bounded */
	m.n = 0;
	for (unsigned int i = 0; i < IDMAP_MAX_RANGES; i++)
		g_assert_cmpint(idmap_add(&m, i, i, 1), ==, 0);
	g_assert_cmpint(idmap_add(&m, 1000, 1000, 1), ==, -ENOSPC);
	g_assert_cmpuint(m.n, ==, IDMAP_MAX_RANGES);
}

static void test_lookup_format(void)
{
	struct idmap m = { 0 };
	g_autofree char *text = NULL, *desc = NULL;
	uint32_t in = 7;

	g_assert_cmpint(idmap_add(&m, 0, 1000, 1), ==, 0);
	g_assert_cmpint(idmap_add(&m, 1, 100000, 65536), ==, 0);
	g_assert_true(idmap_to_inside(&m, 1000, &in));
	g_assert_cmpuint(in, ==, 0);
	g_assert_true(idmap_to_inside(&m, 100041, &in));
	g_assert_cmpuint(in, ==, 42);
	g_assert_true(idmap_to_inside(&m, 165535, &in));
	g_assert_cmpuint(in, ==, 65536);
	in = 7;
	g_assert_false(idmap_to_inside(&m, 165536, &in));
	g_assert_false(idmap_to_inside(&m, 0, &in));
	g_assert_false(idmap_to_inside(&m, 999, &in));
	g_assert_cmpuint(in, ==, 7);

	text = idmap_format(&m);
	g_assert_cmpstr(text, ==, "0 1000 1\n1 100000 65536\n");
	desc = idmap_describe(&m);
	g_assert_cmpstr(desc, ==, "0:1000:1, 1:100000:65536");
}

static void test_within(void)
{
	const struct subid_range r[] = {
		{ 100000, 65536, 1 }, { 165536, 100, 2 }, { 300000, 10, 3 },
	};

	g_assert_true(idmap_within(1000, 1, 1000, r, 3));
	g_assert_false(idmap_within(1000, 2, 1000, r, 3));
	g_assert_false(idmap_within(1001, 1, 1000, r, 3));
	g_assert_true(idmap_within(100000, 65536, 1000, r, 3));
	/* two adjacent lines make one range */
	g_assert_true(idmap_within(100000, 65636, 1000, r, 3));
	g_assert_false(idmap_within(100000, 65637, 1000, r, 3));
	g_assert_true(idmap_within(300005, 5, 1000, r, 3));
	g_assert_false(idmap_within(300005, 6, 1000, r, 3));
	g_assert_false(idmap_within(99999, 2, 1000, r, 3));
	/* own id right below a range: newuidmap takes it only alone */
	g_assert_false(idmap_within(99999, 10, 99999, r, 3));
	g_assert_true(idmap_within(99999, 1, 99999, r, 3));
	g_assert_false(idmap_within(99999, 2, 99999, r, 3));
	g_assert_false(idmap_within(5, 1, 1000, NULL, 0));
}

static void test_subid_names_and_uids(void)
{
	struct subid_range r[MAX_R];
	g_autoptr(GError) err = NULL;
	size_t n = 99;

	/* by name, by numeric uid (leading zeros too), in file order; prefixes
	 * and other users do not match */
	g_assert_cmpint(parse_alice("bob:100000:65536\n"
				    "alice:165536:65536\n"
				    "alice2:231072:65536\n"
				    "1000:300000:10\n"
				    "01000:400000:10\n"
				    "10000:500000:10\n"
				    "ALICE:600000:10",
				    r, &n, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpuint(n, ==, 3);
	g_assert_cmpuint(r[0].start, ==, 165536);
	g_assert_cmpuint(r[0].count, ==, 65536);
	g_assert_cmpuint(r[0].line, ==, 2);
	g_assert_cmpuint(r[1].start, ==, 300000);
	g_assert_cmpuint(r[1].line, ==, 4);
	g_assert_cmpuint(r[2].start, ==, 400000);

	/* a user without a name matches by uid only */
	g_assert_cmpint(subid_parse("alice:100000:10\n1000:200000:10\n",
				    "/etc/subuid", NULL, 1000, r, MAX_R, &n,
				    &err), ==, 0);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpuint(r[0].start, ==, 200000);

	/* nothing for us, an empty file, comments and blank lines */
	g_assert_cmpint(parse_alice("bob:100000:65536\n", r, &n, &err), ==, 0);
	g_assert_cmpuint(n, ==, 0);
	g_assert_cmpint(parse_alice("", r, &n, &err), ==, 0);
	g_assert_cmpuint(n, ==, 0);
	g_assert_cmpint(parse_alice("\n# alice:1:1\n\nalice:100000:5\n\n", r,
				    &n, &err), ==, 0);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpuint(r[0].line, ==, 4);
}

static void test_subid_garbage(void)
{
	static const char *const bad[] = {
		"alice:100000",
		"alice:100000:65536:1",
		"alice:x:65536",
		"alice:100000:",
		"alice::65536",
		"alice:100000:0",
		"alice:-1:10",
		"alice:100000:65536 ",
		"alice:100000:65536\r",
		"alice: 100000:65536",
		"alice:4294967290:10",
		"alice:99999999999:1",
		"alice",
		"1000:1:2:3",
	};
	struct subid_range r[MAX_R];
	size_t i, n = 99;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) err = NULL;
		g_autofree char *text = g_strdup_printf("bob:1:2\n%s\n", bad[i]);

		g_assert_cmpint(parse_alice(text, r, &n, &err), ==, -EINVAL);
		g_assert_nonnull(err);
		/* the message names the file and the line */
		g_assert_nonnull(strstr(err->message, "/etc/subuid line 2"));
		g_assert_cmpuint(n, ==, 99);
	}
	/* other users' garbage is not ours to judge */
	{
		g_autoptr(GError) err = NULL;

		g_assert_cmpint(parse_alice("bob:x:y\nbob\n:1:2\n::\n\x01\x02\n"
					    "carol:1:0\nalice:100000:10\n",
					    r, &n, &err), ==, 0);
		g_assert_no_error(err);
		g_assert_cmpuint(n, ==, 1);
	}
}

static void test_subid_overlaps(void)
{
	struct subid_range r[MAX_R];
	size_t n = 99;
	g_autoptr(GError) err = NULL;

	/* ours with ours */
	g_assert_cmpint(parse_alice("alice:100000:100\nalice:100050:100\n",
				    r, &n, &err), ==, -EINVAL);
	g_assert_nonnull(strstr(err->message, "lines 1 and 2 overlap"));
	g_clear_error(&err);
	/* the same range twice */
	g_assert_cmpint(parse_alice("alice:100000:100\n1000:100000:100\n",
				    r, &n, &err), ==, -EINVAL);
	g_clear_error(&err);
	/* ours with someone else's, in either order */
	g_assert_cmpint(parse_alice("bob:100000:65536\nalice:165535:10\n",
				    r, &n, &err), ==, -EINVAL);
	g_assert_nonnull(strstr(err->message, "lines 1 and 2 overlap"));
	g_clear_error(&err);
	g_assert_cmpint(parse_alice("alice:165535:10\nbob:100000:65536\n",
				    r, &n, &err), ==, -EINVAL);
	g_clear_error(&err);
	/* adjacent ranges, and others overlapping each other, are fine */
	g_assert_cmpint(parse_alice("bob:100000:65536\nalice:165536:10\n"
				    "carol:1:100\ndave:50:100\n",
				    r, &n, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpuint(n, ==, 1);
}

static void test_subid_bounds(void)
{
	GString *s = g_string_new(NULL);
	struct subid_range r[MAX_R];
	size_t n = 99;
	g_autoptr(GError) err = NULL;
	unsigned int i;

	for (i = 0; i < MAX_R; i++)
		g_string_append_printf(s, "alice:%u:10\n", 100000 + i * 10);
	g_assert_cmpint(parse_alice(s->str, r, &n, &err), ==, 0);
	g_assert_cmpuint(n, ==, MAX_R);
	g_string_append(s, "alice:900000:1\n");
	g_assert_cmpint(parse_alice(s->str, r, &n, &err), ==, -E2BIG);
	g_assert_nonnull(strstr(err->message, "more than 8 ranges"));
	g_string_free(s, TRUE);
	/* the last id a range may hold is 2^32 - 2 */
	g_clear_error(&err);
	g_assert_cmpint(parse_alice("alice:4294967290:5", r, &n, &err), ==, 0);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpint(parse_alice("alice:4294967290:6", r, &n, &err), ==,
			-EINVAL);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/idmap/spec", test_spec);
	g_test_add_func("/idmap/validate", test_validate);
	g_test_add_func("/idmap/lookup-format", test_lookup_format);
	g_test_add_func("/idmap/within", test_within);
	g_test_add_func("/subid/names-and-uids", test_subid_names_and_uids);
	g_test_add_func("/subid/garbage", test_subid_garbage);
	g_test_add_func("/subid/overlaps", test_subid_overlaps);
	g_test_add_func("/subid/bounds", test_subid_bounds);
	return g_test_run();
}
