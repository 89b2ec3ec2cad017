// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * conffile.c - the configuration file: the options users repeat (the view
 * policy, the connection policy) as lines of a file, under the command line.
 *
 * A line is an option of the "view" or "policy" group without its dashes,
 * then its value: "hide-if veth*", "dns = 9.9.9.9", "no-host-loopback".
 * Each line is parsed by the same GOption tables as the command line, on
 * a scratch policy of its own, so that an error names the file and line;
 * the lines then add up in order (conffile_read()). Every program reads
 * the whole file and takes the groups it has: lxnetfs ignores the rules.
 *
 * Precedence (conffile_apply()): the command line, then the user's file,
 * then the system's. A single value or a list option set by a source
 * hides the lower ones' for that option; rules add up with the higher
 * source's first, so they win where both name the same traffic (the first
 * match decides); flags add up.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"
#include "log.h"
#include "util.h"

/*
 * @msg with "--@name" (a value check's words: "invalid --dns '1.2'")
 * said as the file's key ("invalid dns '1.2'"). Return: a new string.
 */
static char *conffile_unflag(const char *msg, const char *name)
{
	g_autofree char *flag = g_strdup_printf("--%s", name);
	GString *out = g_string_new(NULL);
	size_t n = strlen(flag);
	const char *p = msg, *hit;

	while ((hit = strstr(p, flag))) {
		/* the whole option only: not --dns of --dns-search */
		bool whole = !g_ascii_isalnum(hit[n]) && hit[n] != '-';

		g_string_append_len(out, p, hit - p);
		g_string_append(out, whole ? name : flag);
		p = hit + n;
	}
	g_string_append(out, p);
	return g_string_free(out, FALSE);
}

/*
 * What is wrong with the line "@name @value", said in the file's words:
 * GLib's parser speaks of options ("Unknown option --x", "Missing argument
 * for --x"), which the file has none of. @e is the parser's error, or NULL
 * when it accepted the line. Return: a new string.
 */
static char *conffile_line_fault(const char *name, const char *value,
				 const GError *e, int r)
{
	if (g_error_matches(e, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION))
		return g_strdup_printf("unknown key '%s'", name);
	/*
	 * No value given: GLib's only BAD_VALUE then is the missing argument
	 * (a value's own check needs a value; no option here has an optional
	 * one).
	 */
	if (!*value && g_error_matches(e, G_OPTION_ERROR,
				       G_OPTION_ERROR_BAD_VALUE))
		return g_strdup_printf("'%s' needs a value", name);
	if (e)
		return conffile_unflag(e->message, name);
	return g_strdup(r == -E2BIG ? "too many rules" :
			"expected an option and its value");
}

/* Parse one "NAME [=] VALUE" line into the options @view and @policy. */
static int conffile_line(const char *path, unsigned int lineno,
			 const char *name, const char *value,
			 struct view_policy *view, struct netpolicy *policy,
			 GError **error)
{
	g_autoptr(GOptionContext) oc = g_option_context_new(NULL);
	g_autoptr(GError) e = NULL;
	g_autofree char *opt = g_strdup_printf("--%s", name);
	g_autofree char *fault = NULL;
	/* two words: a flag given a value leaves it over */
	char *args[] = { (char *)"lxnet", opt, *value ? (char *)value : NULL,
			 NULL };
	char **argv = args;
	int argc = *value ? 3 : 2, r = 0;
	struct view_policy v;
	struct netpolicy p;

	view_policy_init(&v);
	netpolicy_init(&p);
	g_option_context_set_help_enabled(oc, FALSE);
	g_option_context_add_group(oc, view_policy_option_group(&v));
	g_option_context_add_group(oc, netpolicy_option_group(&p));
	if (!g_option_context_parse(oc, &argc, &argv, &e)) {
		r = -EINVAL;
	} else if (argc != 1) {
		g_set_error(&e, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "'%s' takes no value", name);
		r = -EINVAL;
	} else if (netpolicy_merge(policy, &p, true) < 0) {
		r = -E2BIG;
	}
	if (r == 0) {
		view_policy_merge(view, &v, true);
		/* after the merge: validation fills in defaults (paths) */
		if (view_policy_validate(&v, &e) < 0)
			r = -EINVAL;
	}
	if (r < 0) {
		fault = conffile_line_fault(name, value, e, r);
		/* a policy file it names keeps its domain and FILE:LINE */
		g_set_error(error, e && e->domain == NETPOLICY_FILE_ERROR ?
			    NETPOLICY_FILE_ERROR : CONFFILE_ERROR,
			    e && e->domain == NETPOLICY_FILE_ERROR ? e->code :
			    -r, "%s:%u: %s", path, lineno, fault);
	}
	view_policy_clear(&v);
	netpolicy_clear(&p);
	return r;
}

/**
 * conffile_read() - the options one file sets
 * @path: the file
 * @missing_ok: a file that does not exist, or in a directory this user
 *	cannot search, sets nothing (the default paths); otherwise it is an
 *	error (--config)
 * @view: where the view options land (initialised, empty)
 * @policy: where the connection policy options land (initialised, empty)
 * @error: the file, the line and what is wrong
 *
 * Return: 0 or -errno.
 */
static int conffile_read(const char *path, bool missing_ok,
			 struct view_policy *view, struct netpolicy *policy,
			 GString *warnings, GError **error)
{
	g_autofree char *data = NULL;
	g_auto(GStrv) lines = NULL;
	bool truncated = false;
	struct stat st;
	size_t len;
	guint i;
	int r;

	/* a --config FILE the user named may be a pipe (<(...)); a default
	 * path must be a file */
	r = missing_ok ? util_read_file_bounded(path, CONFFILE_MAX, &data, &len,
						&truncated) :
			 util_read_named_bounded(path, CONFFILE_MAX, &data, &len,
						 &truncated);
	if ((r == -ENOENT || r == -ENOTDIR) && missing_ok)
		return 0;
	/*
	 * A default path this user cannot look into (HOME=/root kept by
	 * setpriv or sudo) holds no file of theirs; a file they can see but
	 * not read is an error.
	 */
	if (r == -EACCES && missing_ok && stat(path, &st) < 0 && errno == EACCES)
		return 0;
	/*
	 * A default path is trusted only when this user or root owns the
	 * file and nobody else may write it: root with a HOME kept from a
	 * user (sudo -E) must not take rules, files to open or paths to
	 * follow from that user's file.
	 */
	if (r == 0 && missing_ok &&
	    (stat(path, &st) < 0 ||
	     (st.st_uid != geteuid() && st.st_uid != 0) ||
	     (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		/* told to the caller, which says it: its rules are not applied */
		log_debug("%s ignored: not owned by this user or root, or "
			  "writable by others", path);
		if (warnings)
			g_string_append_printf(warnings, "%s%s ignored: not owned "
					       "by this user or root, or writable "
					       "by its group or others (chmod go-w)",
					       warnings->len ? "\n" : "", path);
		return 0;
	}
	if (r == 0 && (truncated || memchr(data, '\0', len)))
		r = -EFBIG;
	if (r < 0) {
		g_set_error(error, CONFFILE_ERROR, -r,
			    "cannot read the configuration file %s: %s", path,
			    r == -EFBIG ? "not a text file of at most 1 MiB" :
			    g_strerror(-r));
		return r;
	}
	lines = g_strsplit(data, "\n", -1);
	for (i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]), *v;
		size_t n = strspn(l, "abcdefghijklmnopqrstuvwxyz0123456789-");
		g_autofree char *name = NULL;

		if (*l == '\0' || *l == '#')
			continue;
		v = l + n;
		if (!g_ascii_islower(*l) ||
		    (*v && !g_ascii_isspace(*v) && *v != '=')) {
			g_set_error(error, CONFFILE_ERROR, EINVAL,
				    "%s:%u: expected an option name (such as "
				    "'hide-if'), then its value", path, i + 1);
			return -EINVAL;
		}
		name = g_strndup(l, n);
		v = g_strchug(v);
		if (*v == '=')
			v = g_strchug(v + 1);
		r = conffile_line(path, i + 1, name, v, view, policy, error);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Read @path and add what it sets under what @view and @policy have. */
static int conffile_layer(const char *path, bool missing_ok,
			  struct view_policy *view, struct netpolicy *policy,
			  GString *warnings, GError **error)
{
	struct view_policy v;
	struct netpolicy p;
	int r;

	view_policy_init(&v);
	netpolicy_init(&p);
	r = conffile_read(path, missing_ok, &v, &p, warnings, error);
	if (r == 0 && view)
		view_policy_merge(view, &v, false);
	if (r == 0 && policy && netpolicy_merge(policy, &p, false) < 0) {
		g_set_error(error, CONFFILE_ERROR, E2BIG,
			    "%s: more than %d rules with the command line's",
			    path, NETPOLICY_MAX_RULES);
		r = -E2BIG;
	}
	view_policy_clear(&v);
	netpolicy_clear(&p);
	return r;
}

/**
 * conffile_apply() - add the configuration files' options under the
 * command line's
 * @path: --config FILE: that file only (it must exist), or NULL for the
 *	user's ($XDG_CONFIG_HOME, else ~/.config, /lxnet/lxnet.conf) then the
 *	system's (SYSCONFDIR/lxnet/lxnet.conf), each where it exists
 * @view: the command line's view options, or NULL (the program has none)
 * @policy: the command line's connection policy, or NULL
 * @warnings: gets a line per default-path file ignored for its owner or
 *	mode (the caller says them: their rules are not applied), or NULL
 * @error: which file and line, and what is wrong
 *
 * Return: 0 or -errno.
 */
int conffile_apply(const char *path, struct view_policy *view,
		   struct netpolicy *policy, GString *warnings, GError **error)
{
	g_autofree char *user = NULL;
	const char *xdg = g_getenv("XDG_CONFIG_HOME");
	const char *home = g_getenv("HOME");
	int r;

	if (path)
		return conffile_layer(path, false, view, policy, warnings,
				      error);
	/* as the XDG base directory spec says: only an absolute path counts */
	if (xdg && xdg[0] == '/')
		user = g_build_filename(xdg, CONFFILE_NAME, NULL);
	else if (home && home[0] == '/')
		user = g_build_filename(home, ".config", CONFFILE_NAME, NULL);
	if (user) {
		r = conffile_layer(user, true, view, policy, warnings, error);
		if (r < 0)
			return r;
	}
	return conffile_layer(SYSCONFDIR "/" CONFFILE_NAME, true, view, policy,
			      warnings, error);
}
