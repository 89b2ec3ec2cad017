// SPDX-License-Identifier: LGPL-2.1-or-later
/* fuzz-jsonscan.c - libFuzzer target for src/jsonscan.c: no read past the input, prefixes of a document are "more may come" */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const top[] = { "pid", NULL };
	static const char *const deep[] = { "state", "pid", NULL };
	/* a copy of exactly @size bytes: ASan sees any read past it */
	char *text = malloc(size ? size : 1);
	int64_t v;
	int r, p;
	size_t i;

	if (!text)
		return 0;
	memcpy(text, data, size);
	r = jsonscan_int(text, size, top, &v);
	if (r != 0 && r != -ENOENT && r != -EAGAIN && r != -EINVAL)
		abort();
	if (jsonscan_int(text, size, deep, &v) == -EAGAIN && r != -EAGAIN)
		abort(); /* completeness does not depend on the path */
	/* a complete document: each proper prefix is incomplete, not invalid */
	if ((r == 0 || r == -ENOENT) && size <= 512) {
		/* trailing whitespace aside: the document ends where it ends */
		size_t end = size;

		while (end > 0 && strchr(" \t\r\n", text[end - 1]))
			end--;
		for (i = 0; i < end; i++) {
			p = jsonscan_int(text, i, top, &v);
			if (p != -EAGAIN)
				abort();
		}
	}
	free(text);
	return 0;
}
