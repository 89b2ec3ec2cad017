// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lxnet-shim.c - the static shim: `lxnet shim` as a program of its own,
 * linked with libc and libseccomp only (statically where the build can), so
 * that it runs in a rootfs holding nothing of the host's: a busybox root
 * made by bwrap --unshare-net, a container image. The options, messages and
 * exit statuses are those of `lxnet shim` (src/lxnet/shim_cli.c); getopt
 * replaces GLib's parser.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "shim.h"

#define PROG "lxnet-shim"
#define EXIT_USAGE 2 /* CLI_EXIT_USAGE of the other programs */

enum { OPT_TRUST_UID = 256, OPT_PRINT_FILTER };

static const struct option shim_longopts[] = {
	{ "proxy", required_argument, NULL, 'p' },
	{ "trust-uid", required_argument, NULL, OPT_TRUST_UID },
	{ "timeout", required_argument, NULL, 't' },
	{ "print-filter", no_argument, NULL, OPT_PRINT_FILTER },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "help-all", no_argument, NULL, 'h' }, /* as GLib's parser has it */
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	printf("Usage:\n  " PROG " [OPTION...] [--proxy PATH] -- CMD [ARG...]\n\n"
	       SHIM_SUMMARY "\nThe same as `lxnet shim`, "
#if LXNET_SHIM_STATIC
	       "linked statically: it needs nothing of the host's in the rootfs.\n\n"
#else
	       "linked dynamically in this build (configure found no libc.a or\n"
	       "libseccomp.a, or was given --disable-static-shim).\n\n"
#endif
	       "Options:\n"
	       "  -p, --proxy=PATH       " SHIM_HELP_PROXY "\n"
	       "  --trust-uid=UID        " SHIM_HELP_TRUST_UID "\n"
	       "  -t, --timeout=SECS     " SHIM_HELP_TIMEOUT "\n"
	       "  --print-filter         " SHIM_HELP_PRINT_FILTER "\n"
	       "  -v, --verbose          debug messages\n"
	       "  -h, --help             Show this help and exit\n"
	       "  -V, --version          Show the version and exit\n");
}

/* One line, as cli_usage_error() prints it; returns the usage status. */
static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROG ": error: %s (try '" PROG " --help')\n", msg);
	return EXIT_USAGE;
}


int main(int argc, char **argv)
{
	struct shim_conf c = { .timeout = SHIM_ACK_TIMEOUT_DEFAULT,
			       .trust_uid = -1 };
	bool print_filter = false, verbose = false;
	char optname[64];
	const char *bad;
	int64_t v;
	int opt;

	opterr = 0;
	/* '+': options end at CMD, which has options of its own */
	for (;;) {
		int at = optind, idx = -1;
		char msg[256];
		size_t n;

		opt = getopt_long(argc, argv, "+:p:t:vhV", shim_longopts, &idx);
		if (opt == -1)
			break;
		/* a long option spelt out whole, as GLib's parser wants it */
		if (idx >= 0 && at < argc && strncmp(argv[at], "--", 2) == 0) {
			n = strcspn(argv[at] + 2, "=");
			if (n != strlen(shim_longopts[idx].name) ||
			    strncmp(argv[at] + 2, shim_longopts[idx].name, n) != 0)
				return usage_error("Unknown option %s", argv[at]);
		}
		/* the option as typed, for a number's message */
		snprintf(optname, sizeof(optname), "%.*s",
			 (int)strcspn(argv[at < argc ? at : argc - 1], "="),
			 argv[at < argc ? at : argc - 1]);
		switch (opt) {
		case 'p':
			c.proxy = optarg;
			break;
		case OPT_TRUST_UID:
			if (shim_parse_number(optname, optarg, INT64_MIN,
					      INT64_MAX, &v, msg, sizeof(msg)) < 0)
				return usage_error("%s", msg);
			c.trust_uid = v;
			break;
		case 't':
			if (shim_parse_number(optname, optarg, INT32_MIN,
					      INT32_MAX, &v, msg, sizeof(msg)) < 0)
				return usage_error("%s", msg);
			c.timeout = (int)v;
			break;
		case OPT_PRINT_FILTER:
			print_filter = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage();
			return 0;
		case 'V':
			printf(PROG " %s\n", PACKAGE_VERSION);
			return 0;
		case ':':
			return usage_error("Missing argument for %s",
					   argv[optind - 1]);
		default:
			if (optopt == '?') { /* -?, as GLib's parser has it */
				usage();
				return 0;
			}
			if (at < argc && strncmp(argv[at], "--", 2) == 0)
				return usage_error("Unknown option %s", argv[at]);
			if (optopt > 0 && optopt < 256)
				return usage_error("Unknown option -%c", optopt);
			return usage_error("Unknown option %s", argv[optind - 1]);
		}
	}
	log_init(PROG, verbose ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	if (print_filter)
		return shim_print_filter();
	bad = shim_conf_check(&c, argv + optind);
	if (bad)
		return usage_error("%s", bad);
	return shim_exec(&c, argv + optind);
}
