/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsonscan.h - one integer out of a JSON document, checking the whole document, without a parser library */
#ifndef LXNET_JSONSCAN_H
#define LXNET_JSONSCAN_H

#include <stddef.h>
#include <stdint.h>

/* Nesting deeper than this is refused (-EINVAL): the scan recurses. */
#define JSONSCAN_MAX_DEPTH 64

int jsonscan_int(const char *text, size_t len, const char *const *path,
		 int64_t *ret);

#endif
