// SPDX-License-Identifier: LGPL-2.1-or-later
/* log.c - leveled logging to stderr, with the program's name */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "log.h"

static const char *log_prog = "lxnet";
static enum log_level log_max = LOG_LVL_WARN;

/**
 * log_init() - set the name messages carry and the most verbose level shown
 * @progname: program name, must outlive the process's logging
 * @max: most verbose level printed
 */
void log_init(const char *progname, enum log_level max)
{
	log_prog = progname;
	log_max = max;
}

void log_set_level(enum log_level max)
{
	log_max = max;
}

bool log_enabled(enum log_level lvl)
{
	return lvl <= log_max;
}

static void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *const tag[] = {
		[LOG_LVL_ERR] = "error", [LOG_LVL_WARN] = "warning",
		[LOG_LVL_INFO] = "info", [LOG_LVL_DEBUG] = "debug",
	};
	char line[1024];
	int saved = errno;

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s: %s%s%s\n", log_prog,
		lvl == LOG_LVL_INFO ? "" : tag[lvl],
		lvl == LOG_LVL_INFO ? "" : ": ", line);
	errno = saved;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(lvl))
		return;
	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

/**
 * die() - print an error and exit(1); only during start-up
 * @fmt: printf format
 */
void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
