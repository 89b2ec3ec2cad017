// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-jsonscan.c - unit tests for src/jsonscan.c: values found, documents refused, prefixes told apart */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib.h>

#include "jsonscan.h"

static const char *const top_pid[] = { "pid", NULL };
static const char *const state_pid[] = { "state", "pid", NULL };

static int scan(const char *doc, const char *const *path, int64_t *v)
{
	return jsonscan_int(doc, strlen(doc), path, v);
}

/* An OCI container process state, as crun sends it. */
static const char oci_state[] =
	"{\"ociVersion\":\"1.0.0\",\"fds\":[\"seccompFd\"],\"pid\":4242,"
	"\"metadata\":\"\",\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\"c1\","
	"\"status\":\"creating\",\"pid\":4243,\"bundle\":\"/run/b\","
	"\"annotations\":{\"run.oci.seccomp.receiver\":\"/run/x.sock\","
	"\"a\\\"b\":[1,2.5e3,{\"pid\":7}],\"u\":\"\\u00e9\\n\"}}}";

static void test_found(void)
{
	int64_t v = 0;

	g_assert_cmpint(scan(oci_state, top_pid, &v), ==, 0);
	g_assert_cmpint(v, ==, 4242);
	g_assert_cmpint(scan(oci_state, state_pid, &v), ==, 0);
	g_assert_cmpint(v, ==, 4243);
	g_assert_cmpint(scan(" \n{ \"pid\" : -17 } \r\n", top_pid, &v), ==, 0);
	g_assert_cmpint(v, ==, -17);
	g_assert_cmpint(scan("{\"pid\":9223372036854775807}", top_pid, &v), ==, 0);
	g_assert_cmpint(v, ==, G_MAXINT64);
	/* an escaped name is the same name */
	g_assert_cmpint(scan("{\"p\\u0069d\":5}", top_pid, &v), ==, 0);
	g_assert_cmpint(v, ==, 5);
	/* named twice: the last one */
	g_assert_cmpint(scan("{\"pid\":1,\"pid\":2}", top_pid, &v), ==, 0);
	g_assert_cmpint(v, ==, 2);
}

static void test_absent(void)
{
	int64_t v = 99;

	/* a pid deeper down or in an array is not the one asked for */
	g_assert_cmpint(scan("{\"a\":{\"pid\":1},\"b\":[{\"pid\":2}]}", top_pid, &v), ==, -ENOENT);
	g_assert_cmpint(scan("{}", top_pid, &v), ==, -ENOENT);
	g_assert_cmpint(scan("{\"state\":{}}", state_pid, &v), ==, -ENOENT);
	g_assert_cmpint(scan("{\"state\":7}", state_pid, &v), ==, -ENOENT);
	/* not integers */
	g_assert_cmpint(scan("{\"pid\":\"1\"}", top_pid, &v), ==, -ENOENT);
	g_assert_cmpint(scan("{\"pid\":1.5}", top_pid, &v), ==, -ENOENT);
	g_assert_cmpint(scan("{\"pid\":1e3}", top_pid, &v), ==, -ENOENT);
	g_assert_cmpint(scan("{\"pid\":null}", top_pid, &v), ==, -ENOENT);
	g_assert_cmpint(scan("{\"pid\":99999999999999999999}", top_pid, &v), ==, -ENOENT);
	/* the last one named is not a number */
	g_assert_cmpint(scan("{\"pid\":1,\"pid\":[]}", top_pid, &v), ==, -ENOENT);
	/* the parent named again without it */
	g_assert_cmpint(scan("{\"state\":{\"pid\":5},\"state\":{}}", state_pid, &v), ==, -ENOENT);
	g_assert_cmpint(v, ==, 99);
}

static void test_invalid(void)
{
	static const char *const bad[] = {
		"[]", "\"x\"", "12 ", "{\"pid\":1}}", "{\"pid\":1,}", "{,}",
		"{\"pid\" 1}", "{pid:1}", "{\"pid\":01}", "{\"pid\":-}",
		"{\"pid\":+1}", "{\"pid\":1.}", "{\"pid\":.5}", "{\"a\":tru}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\x01\"}",
		"{\"a\":[1 2]}", "{\"a\":[1,]}", "{\"pid\":1} x", "{\"a\":1e}",
	};
	int64_t v;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		int r = scan(bad[i], top_pid, &v);

		if (r != -EINVAL)
			g_error("'%s': %d, want -EINVAL", bad[i], r);
	}
}

/* Every proper prefix of a valid document is "more may come". */
static void test_prefixes(void)
{
	size_t n = strlen(oci_state), i;
	int64_t v;

	for (i = 0; i < n; i++) {
		int r = jsonscan_int(oci_state, i, top_pid, &v);

		if (r != -EAGAIN)
			g_error("prefix of %zu bytes: %d, want -EAGAIN", i, r);
	}
	g_assert_cmpint(jsonscan_int(oci_state, n, top_pid, &v), ==, 0);
}

static void test_depth(void)
{
	GString *deep = g_string_new("{\"a\":");
	int64_t v;
	int i;

	for (i = 0; i < JSONSCAN_MAX_DEPTH + 5; i++)
		g_string_append(deep, "[");
	for (i = 0; i < JSONSCAN_MAX_DEPTH + 5; i++)
		g_string_append(deep, "]");
	g_string_append(deep, "}");
	g_assert_cmpint(jsonscan_int(deep->str, deep->len, top_pid, &v), ==, -EINVAL);
	g_string_free(deep, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/jsonscan/found", test_found);
	g_test_add_func("/jsonscan/absent", test_absent);
	g_test_add_func("/jsonscan/invalid", test_invalid);
	g_test_add_func("/jsonscan/prefixes", test_prefixes);
	g_test_add_func("/jsonscan/depth", test_depth);
	return g_test_run();
}
