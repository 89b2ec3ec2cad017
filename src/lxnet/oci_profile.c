// SPDX-License-Identifier: LGPL-2.1-or-later
/* oci_profile.c - `lxnet oci-profile`: the sandbox filter as an OCI seccomp profile for crun and podman */
/*
 * The rules come from the filter lxnet builds itself (seccomp_filter.c, from
 * the one list in trapped.h): it is built for the native architecture,
 * written as libseccomp's pseudo code, and each `action` line read back
 * with the conditions of the `if` lines enclosing it. Only the calls the
 * proxy serves are taken (TRAP_NETNS and TRAP_ENDPOINT rows): the calls
 * that move a task to another network namespace need no trap, because
 * lxnet-proxy reads every OCI caller's namespace (--oci-socket), and
 * clone3() stays the runtime's.
 *
 * Without --base the profile allows everything else (defaultAction
 * SCMP_ACT_ALLOW) and notifies exactly what the proxy serves. With --base
 * the base profile (OCI, or the containers/common format podman reads)
 * keeps every rule of its own, and for each served call S:
 *  - S left to a default action of ALLOW: the exact conditional rules;
 *  - S refused outright by an entry: left so (not served);
 *  - S allowed by entries: S leaves them, and is notified. libseccomp (as
 *    crun 1.8 uses it) drops a conditional rule beside an unconditional one
 *    for the same call and refuses a second rule on the same argument, so
 *    "notify these, allow the rest" is exact only when every condition
 *    lies above argument 0 (ioctl: the rest is allowed by a rule on
 *    argument 0, which libseccomp tests after the higher ones); otherwise
 *    S is notified whatever its arguments, and the proxy lets what it does
 *    not serve run in the container (a trapped call each).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <json-glib/json-glib.h>
#include <seccomp.h>

#include "cli.h"
#include "lxnet_int.h"
#include "seccomp_filter.h"
#include "trapped.h"
#include "util.h"

/* Bound on the pseudo code read back (the filter is ~2 KiB of it per arch). */
#define PROFILE_PFC_MAX (1024 * 1024)
#define PROFILE_MAX_RULES 512

/*
 * struct profile_cond - one argument condition: (arg & @mask) == @val
 */
struct profile_cond {
	unsigned int arg;
	uint64_t mask;
	uint64_t val;
};

/*
 * struct profile_rule - one rule of the native filter
 * @name: the system call
 * @n: conditions in @c
 * @c: the conditions (all must hold)
 * @notify: its action is SCMP_ACT_NOTIFY (else: not taken)
 */
struct profile_rule {
	char name[32];
	unsigned int n;
	struct profile_cond c[6];
	bool notify;
};

struct profile_rules {
	struct profile_rule r[PROFILE_MAX_RULES];
	unsigned int n;
};

/* profile_read_pfc() - the filter's pseudo code, NUL-terminated (g_free). */
static int profile_read_pfc(char **ret)
{
	_cleanup_close_ int fd = memfd_create("lxnet-pfc", MFD_CLOEXEC);
	g_autofree char *buf = NULL;
	off_t len;
	ssize_t n;
	int r;

	if (fd < 0)
		return -errno;
	r = seccomp_filter_export_pfc(0, fd); /* no connection policy */
	if (r < 0)
		return r;
	len = lseek(fd, 0, SEEK_END);
	if (len < 0)
		return -errno;
	if (len > PROFILE_PFC_MAX)
		return -E2BIG;
	buf = g_malloc((size_t)len + 1);
	n = pread(fd, buf, (size_t)len, 0);
	if (n != len)
		return n < 0 ? -errno : -EIO;
	buf[len] = '\0';
	*ret = g_steal_pointer(&buf);
	return 0;
}

/*
 * profile_parse_cond() - "if ($aN.hi32 & 0xM == V)" or ".lo32": into
 * @stack[depth], merged with the other half of the same argument.
 * Return: 1 for a condition, 0 for "if ($syscall == N)", -ENOTSUP else.
 */
static int profile_parse_cond(const char *s, struct profile_cond *c)
{
	unsigned int arg;
	char half[8];
	uint64_t mask, val;

	if (strncmp(s, "if ($syscall == ", 16) == 0)
		return 0;
	if (sscanf(s, "if ($a%u.%4s & 0x%" SCNx64 " == %" SCNu64 ")", &arg,
		   half, &mask, &val) != 4 || arg > 5)
		return -ENOTSUP;
	c->arg = arg;
	if (strcmp(half, "hi32") == 0) {
		c->mask = mask << 32;
		c->val = val << 32;
	} else if (strcmp(half, "lo32") == 0) {
		c->mask = mask;
		c->val = val;
	} else {
		return -ENOTSUP;
	}
	return 1;
}

/*
 * profile_emit() - one `action` line: a rule with the conditions above it
 * (a hi32 and a lo32 half of one argument become one condition; a zero
 * mask is no condition).
 */
static int profile_emit(struct profile_rules *rs, const char *name,
			const struct profile_cond *stack, const bool *set,
			unsigned int depth, const char *action)
{
	struct profile_rule *r;
	unsigned int i, j;

	if (rs->n >= PROFILE_MAX_RULES)
		return -E2BIG;
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	g_strlcpy(r->name, name, sizeof(r->name));
	r->notify = strcmp(action, "0x7fc00000;") == 0;
	for (i = 0; i < depth; i++) {
		if (!set[i] || stack[i].mask == 0)
			continue;
		for (j = 0; j < r->n && r->c[j].arg != stack[i].arg; j++)
			;
		if (j == r->n) {
			if (r->n == ELEMENTSOF(r->c))
				return -ENOTSUP;
			r->c[r->n++] = (struct profile_cond){ .arg = stack[i].arg };
		}
		r->c[j].mask |= stack[i].mask;
		r->c[j].val |= stack[i].val;
	}
	return 0;
}

/**
 * profile_rules_native() - the native architecture's rules of the filter
 * @rs: filled in
 *
 * Return: 0, or -ENOTSUP when the pseudo code holds something other than
 * masked equalities (what seccomp_filter.c writes today), or -errno.
 */
static int profile_rules_native(struct profile_rules *rs)
{
	g_autofree char *pfc = NULL;
	g_auto(GStrv) lines = NULL;
	struct profile_cond stack[16];
	bool set[16];
	char arch_line[64], name[32] = "";
	bool in = false, done = false;
	size_t i;
	int r;

	r = profile_read_pfc(&pfc);
	if (r < 0)
		return r;
	snprintf(arch_line, sizeof(arch_line), "if ($arch == %u)",
		 seccomp_arch_native());
	lines = g_strsplit(pfc, "\n", -1);
	rs->n = 0;
	for (i = 0; lines[i]; i++) {
		const char *l = lines[i];
		unsigned int ind = (unsigned int)strspn(l, " "), depth;
		const char *t = l + ind;

		if (ind == 0) {
			/* x32 shares x86_64's number: the first block is ours */
			if (in)
				done = true;
			in = !done && strcmp(l, arch_line) == 0;
			continue;
		}
		if (!in || *t == '\0')
			continue;
		if (sscanf(t, "# filter for syscall \"%31[^\"]\"", name) == 1)
			continue;
		if (*t == '#')
			continue;
		depth = ind / 2 - 1; /* 2 spaces: inside the arch block */
		if (depth >= ELEMENTSOF(stack))
			return -ENOTSUP;
		if (strncmp(t, "action ", 7) == 0) {
			if (depth == 0)
				continue; /* the arch's default action */
			r = profile_emit(rs, name, stack, set, depth, t + 7);
			if (r < 0)
				return r;
			continue;
		}
		r = profile_parse_cond(t, &stack[depth]);
		if (r < 0)
			return r;
		set[depth] = r == 1;
	}
	return rs->n ? 0 : -ENOTSUP;
}

/* Whether the proxy serves @name (a TRAP_NETNS or TRAP_ENDPOINT row). */
static bool profile_served(const char *name)
{
	size_t i;

	for (i = 0; i < TRAP_N; i++)
		if (strcmp(trap_rows[i].syscall, name) == 0)
			return trap_rows[i].scope == TRAP_NETNS ||
			       trap_rows[i].scope == TRAP_ENDPOINT;
	return false;
}

static JsonNode *profile_entry(const char *name, const char *action,
			       const struct profile_cond *c, unsigned int n,
			       const char *op)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	unsigned int i;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "names");
	json_builder_begin_array(b);
	json_builder_add_string_value(b, name);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "action");
	json_builder_add_string_value(b, action);
	if (n) {
		json_builder_set_member_name(b, "args");
		json_builder_begin_array(b);
		for (i = 0; i < n; i++) {
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "index");
			json_builder_add_int_value(b, c[i].arg);
			json_builder_set_member_name(b, "value");
			json_builder_add_int_value(b, (gint64)c[i].mask);
			json_builder_set_member_name(b, "valueTwo");
			json_builder_add_int_value(b, (gint64)c[i].val);
			json_builder_set_member_name(b, "op");
			json_builder_add_string_value(b, op);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

/*
 * profile_add_exact() - @name's rules as notifying entries of @sys; with
 * @allow_rest, an entry allowing the rest on argument 0.
 */
static void profile_add_exact(JsonArray *sys, const struct profile_rules *rs,
			      const char *name, bool allow_rest)
{
	static const struct profile_cond any = { .arg = 0, .mask = 0, .val = 0 };
	unsigned int i;

	for (i = 0; i < rs->n; i++)
		if (rs->r[i].notify && strcmp(rs->r[i].name, name) == 0)
			json_array_add_element(sys,
				profile_entry(name, "SCMP_ACT_NOTIFY", rs->r[i].c,
					      rs->r[i].n, "SCMP_CMP_MASKED_EQ"));
	if (allow_rest)
		json_array_add_element(sys, profile_entry(name, "SCMP_ACT_ALLOW",
							  &any, 1, "SCMP_CMP_GE"));
}

/* Whether the conditions of every rule of @name lie above argument 0. */
static bool profile_above_arg0(const struct profile_rules *rs, const char *name)
{
	unsigned int i, j;

	for (i = 0; i < rs->n; i++) {
		if (!rs->r[i].notify || strcmp(rs->r[i].name, name) != 0)
			continue;
		for (j = 0; j < rs->r[i].n; j++)
			if (rs->r[i].c[j].arg == 0)
				return false;
	}
	return true;
}

/*
 * Members and elements of a base profile, which may hold anything: NULL
 * where the type is not the one asked for (json-glib's own getters warn).
 */
static const char *obj_string(JsonObject *o, const char *member)
{
	return json_object_get_string_member_with_default(o, member, NULL);
}

static JsonArray *obj_array(JsonObject *o, const char *member)
{
	JsonNode *n = json_object_get_member(o, member);

	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

static const char *arr_string(JsonArray *a, guint i)
{
	JsonNode *n = json_array_get_element(a, i);

	return n && JSON_NODE_HOLDS_VALUE(n) &&
	       json_node_get_value_type(n) == G_TYPE_STRING ?
	       json_node_get_string(n) : NULL;
}

static JsonObject *arr_object(JsonArray *a, guint i)
{
	JsonNode *n = json_array_get_element(a, i);

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

/* The names of a profile entry ("names", or the old single "name"). */
static bool profile_entry_names(JsonObject *e, const char *name)
{
	JsonArray *a;
	guint i;

	if (g_strcmp0(obj_string(e, "name"), name) == 0)
		return true;
	a = obj_array(e, "names");
	for (i = 0; a && i < json_array_get_length(a); i++)
		if (g_strcmp0(arr_string(a, i), name) == 0)
			return true;
	return false;
}

static bool profile_entry_has_args(JsonObject *e)
{
	JsonArray *a = obj_array(e, "args");

	return a && json_array_get_length(a) > 0;
}

/* Remove @name from entry @e; whether it named nothing else. */
static bool profile_entry_drop(JsonObject *e, const char *name)
{
	JsonArray *a, *keep;
	guint i;

	a = obj_array(e, "names");
	if (!a)
		return true; /* the old single "name" */
	keep = json_array_new();
	for (i = 0; i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);

		if (g_strcmp0(arr_string(a, i), name) != 0)
			json_array_add_element(keep, json_node_copy(n));
	}
	json_object_set_array_member(e, "names", keep);
	return json_array_get_length(keep) == 0;
}

/**
 * profile_merge_one() - serve @name in @base (see the top of this file)
 * @base: the profile
 * @sys: its "syscalls"
 * @rs: the rules
 * @name: a served call
 */
static void profile_merge_one(JsonObject *base, JsonArray *sys,
			      const struct profile_rules *rs, const char *name)
{
	const char *def = obj_string(base, "defaultAction");
	bool named = false, allowed = false, by_args = false, cond_other = false;
	guint i;

	for (i = 0; i < json_array_get_length(sys); i++) {
		JsonObject *e = arr_object(sys, i);
		const char *act;

		if (!e || !profile_entry_names(e, name))
			continue;
		named = true;
		act = obj_string(e, "action");
		by_args |= profile_entry_has_args(e);
		if (g_strcmp0(act, "SCMP_ACT_ALLOW") == 0) {
			allowed = true;
		} else if (!profile_entry_has_args(e)) {
			fprintf(stderr, "lxnet oci-profile: %s: refused by the "
				"base profile, left so\n", name);
			return;
		} else {
			cond_other = true;
		}
	}
	if (!named) {
		if (g_strcmp0(def, "SCMP_ACT_ALLOW") == 0)
			profile_add_exact(sys, rs, name, false);
		else
			fprintf(stderr, "lxnet oci-profile: %s: refused by the "
				"base profile's default action, left so\n", name);
		return;
	}
	if (!allowed)
		return;
	if (cond_other && profile_above_arg0(rs, name)) {
		/* its rules and the base's would test one argument for two
		 * actions, which libseccomp refuses */
		fprintf(stderr, "lxnet oci-profile: %s: the base refuses some "
			"of it by its arguments, left to the base\n", name);
		return;
	}
	for (i = json_array_get_length(sys); i-- > 0;) {
		JsonObject *e = arr_object(sys, i);

		if (e && profile_entry_names(e, name) &&
		    g_strcmp0(obj_string(e, "action"), "SCMP_ACT_ALLOW") == 0 &&
		    profile_entry_drop(e, name))
			json_array_remove_element(sys, i);
	}
	if (by_args)
		fprintf(stderr, "lxnet oci-profile: %s: the base decides it by "
			"its arguments; those rules give way to lxnet's (what "
			"the proxy does not serve is allowed)\n", name);
	if (profile_above_arg0(rs, name)) {
		profile_add_exact(sys, rs, name, true);
		return;
	}
	json_array_add_element(sys, profile_entry(name, "SCMP_ACT_NOTIFY",
						  NULL, 0, NULL));
}

/* The standalone profile: everything allowed, the served calls notified. */
static JsonNode *profile_standalone(void)
{
	JsonObject *o = json_object_new();
	JsonArray *arches = json_array_new();
	JsonNode *root = json_node_new(JSON_NODE_OBJECT);

	json_object_set_string_member(o, "defaultAction", "SCMP_ACT_ALLOW");
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		json_array_add_string_element(arches, "SCMP_ARCH_X86_64");
		json_array_add_string_element(arches, "SCMP_ARCH_X86");
		json_array_add_string_element(arches, "SCMP_ARCH_X32");
		json_object_set_array_member(o, "architectures", arches);
	} else {
		json_array_unref(arches);
	}
	json_object_set_array_member(o, "syscalls", json_array_new());
	json_node_take_object(root, o);
	return root;
}

/**
 * oci_profile_build() - the profile, standalone or merged into @base_path
 * @base_path: a profile file, or NULL
 * @ret_root: the document (json_node_unref)
 *
 * Return: 0, -EINVAL (the base is not a JSON object; a line on stderr), or
 * -errno.
 */
static int oci_profile_build(const char *base_path, JsonNode **ret_root)
{
	g_autofree struct profile_rules *rs = g_new0(struct profile_rules, 1);
	g_autoptr(JsonNode) root = NULL;
	JsonObject *o;
	JsonArray *sys;
	unsigned int i, j;
	int r;

	r = profile_rules_native(rs);
	if (r < 0)
		return r;
	if (base_path) {
		g_autoptr(JsonParser) parser = json_parser_new();
		g_autoptr(GError) err = NULL;

		if (!json_parser_load_from_file(parser, base_path, &err)) {
			fprintf(stderr, "lxnet oci-profile: %s: %s\n", base_path,
				err->message);
			return -EINVAL;
		}
		root = json_node_copy(json_parser_get_root(parser));
		if (!JSON_NODE_HOLDS_OBJECT(root)) {
			fprintf(stderr, "lxnet oci-profile: %s: not a seccomp "
				"profile (a JSON object)\n", base_path);
			return -EINVAL;
		}
	} else {
		root = profile_standalone();
	}
	o = json_node_get_object(root);
	if (!obj_array(o, "syscalls"))
		json_object_set_array_member(o, "syscalls", json_array_new());
	sys = obj_array(o, "syscalls");
	for (i = 0; i < rs->n; i++) {
		const char *name = rs->r[i].name;

		if (!rs->r[i].notify || !profile_served(name))
			continue;
		for (j = 0; j < i && strcmp(rs->r[j].name, name) != 0; j++)
			;
		if (j < i)
			continue; /* done with its first rule */
		if (base_path)
			profile_merge_one(o, sys, rs, name);
		else
			profile_add_exact(sys, rs, name, false);
	}
	*ret_root = g_steal_pointer(&root);
	return 0;
}

/**
 * oci_profile_main() - `lxnet oci-profile [--base FILE]`
 * @argc: argument count (argv[0] is "oci-profile")
 * @argv: arguments
 *
 * Return: exit status (0; 1 when it cannot be made; 2 for usage).
 */
int oci_profile_main(int argc, char **argv)
{
	g_autofree char *base = NULL;
	const GOptionEntry entries[] = {
		{ "base", 'b', 0, G_OPTION_ARG_FILENAME, &base,
		  "merge into this profile (e.g. the runtime's default, "
		  "/usr/share/containers/seccomp.json) instead of allowing "
		  "everything else", "FILE" },
		{ NULL },
	};
	const struct cli_spec spec = {
		.prog = "lxnet oci-profile",
		.summary =
		"Print an OCI seccomp profile (for crun, runc, podman\n"
		"--security-opt seccomp=FILE) whose SCMP_ACT_NOTIFY rules hand\n"
		"lxnet-proxy --oci-socket what it serves. See lxnet(1).",
		.entries = entries,
	};
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(JsonGenerator) gen = NULL;
	g_autofree char *out = NULL;
	int r;

	r = cli_parse(&spec, &argc, &argv);
	if (r == 0 && argc > 1)
		r = cli_usage_error(spec.prog, "unexpected argument '%s'", argv[1]);
	if (r != 0)
		return cli_exit_status(r);
	r = oci_profile_build(base, &root);
	if (r == -EINVAL)
		return 1;
	if (r < 0) {
		fprintf(stderr, "lxnet oci-profile: cannot read the filter "
			"back: %s\n", g_strerror(-r));
		return 1;
	}
	gen = json_generator_new();
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, root);
	out = json_generator_to_data(gen, NULL);
	printf("%s\n", out);
	return fflush(stdout) == 0 ? 0 : 1;
}
