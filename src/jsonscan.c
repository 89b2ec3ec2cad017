// SPDX-License-Identifier: LGPL-2.1-or-later
/* jsonscan.c - one integer out of a JSON document, checking the whole document, without a parser library */
/*
 * lxnet-proxy reads one number, the container's pid, out of the JSON an
 * OCI runtime sends (proxy/oci.c). A JSON library would bring GIO and its
 * libraries into every proxy's start-up for that, so the document is
 * walked here instead: strictly in its grammar (RFC 8259: strings,
 * escapes, numbers, literals, nesting; the bytes of strings are not
 * checked as UTF-8), all of it, with no allocation, so that a stream's
 * bytes can be tried again as more arrive and "not complete yet" is told
 * apart from "not JSON".
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jsonscan.h"

/* Longest member name compared with a path element; longer ones never match. */
#define JSONSCAN_KEY_MAX 64

struct jscan {
	const char *p, *end;
	const char *const *path;
	size_t path_len;
	bool found;
	int64_t value;
};

static void js_ws(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int js_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A string at s->p (the opening quote). Its value, when @key is not NULL,
 * goes there while it fits (ASCII escapes decoded; anything else makes it
 * unmatchable: @key gets a NUL first). Return 0, -EAGAIN or -EINVAL.
 */
static int js_string(struct jscan *s, char key[JSONSCAN_KEY_MAX])
{
	size_t n = 0;
	bool usable = key != NULL;

	s->p++; /* '"' */
	for (;;) {
		unsigned char c;

		if (s->p >= s->end)
			return -EAGAIN;
		c = (unsigned char)*s->p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return -EINVAL;
		if (c == '\\') {
			if (s->p >= s->end)
				return -EAGAIN;
			c = (unsigned char)*s->p++;
			if (c == 'u') {
				int i, v = 0;

				for (i = 0; i < 4; i++) {
					int h;

					if (s->p >= s->end)
						return -EAGAIN;
					h = js_hex(*s->p++);
					if (h < 0)
						return -EINVAL;
					v = v * 16 + h;
				}
				if (v == 0 || v > 0x7e)
					usable = false;
				c = (unsigned char)v;
			} else if (c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
				   c == 't') {
				usable = false;
			} else if (c != '"' && c != '\\' && c != '/') {
				return -EINVAL;
			}
		}
		if (usable && n + 1 < JSONSCAN_KEY_MAX)
			key[n++] = (char)c;
		else
			usable = false;
	}
	if (key)
		key[usable ? n : 0] = '\0';
	return 0;
}

/* One or more digits (a fraction's, an exponent's). */
static int js_digits(struct jscan *s)
{
	if (s->p >= s->end)
		return -EAGAIN;
	if (*s->p < '0' || *s->p > '9')
		return -EINVAL;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return 0;
}

/*
 * A number; when @want, its value is the result if it is an integer that
 * fits. At the end of the input the number may go on: -EAGAIN.
 */
static int js_number(struct jscan *s, bool want)
{
	const char *start = s->p;
	bool integer = true;
	int r;

	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p >= s->end)
		return -EAGAIN;
	if (*s->p == '0') {
		s->p++;
	} else if (*s->p >= '1' && *s->p <= '9') {
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	} else {
		return -EINVAL;
	}
	if (s->p < s->end && *s->p == '.') {
		integer = false;
		s->p++;
		r = js_digits(s);
		if (r < 0)
			return r;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		integer = false;
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		r = js_digits(s);
		if (r < 0)
			return r;
	}
	if (s->p >= s->end)
		return -EAGAIN; /* "12" may be "123" once more arrives */
	if (want) {
		char buf[24];
		long long v = 0;
		char *e = buf;

		s->found = false;
		if (integer && s->p - start < (ptrdiff_t)sizeof(buf)) {
			memcpy(buf, start, (size_t)(s->p - start));
			buf[s->p - start] = '\0';
			errno = 0;
			v = strtoll(buf, &e, 10);
			s->found = errno == 0 && *e == '\0';
			s->value = v;
		}
	}
	return 0;
}

static int js_literal(struct jscan *s, const char *word)
{
	size_t n = strlen(word), have = (size_t)(s->end - s->p);

	if (memcmp(s->p, word, n < have ? n : have) != 0)
		return -EINVAL;
	if (have < n)
		return -EAGAIN;
	s->p += n;
	return 0;
}

/* At an object's or array's opening: 1 when @close follows (empty), else 0. */
static int js_open(struct jscan *s, char close)
{
	s->p++;
	js_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 1;
	}
	return 0;
}

/*
 * After a member or an element: 1 at @close (the end), 0 after a comma
 * (another follows), -EAGAIN or -EINVAL.
 */
static int js_next(struct jscan *s, char close)
{
	js_ws(s);
	if (s->p >= s->end)
		return -EAGAIN;
	if (*s->p == close) {
		s->p++;
		return 1;
	}
	return *s->p++ == ',' ? 0 : -EINVAL;
}

/*
 * A value at depth @depth; @matched: the members on the way here are
 * path[0..depth-1] (else the path cannot be below).
 */
static int js_value(struct jscan *s, size_t depth, bool matched)
{
	bool here = matched && depth == s->path_len;
	bool below = matched && depth < s->path_len;
	int r;

	js_ws(s);
	if (s->p >= s->end)
		return -EAGAIN;
	if (depth > JSONSCAN_MAX_DEPTH)
		return -EINVAL;
	if (here && *s->p != '-' && (*s->p < '0' || *s->p > '9'))
		s->found = false; /* the last one named is not a number */
	switch (*s->p) {
	case '{':
		for (r = js_open(s, '}'); r == 0; r = js_next(s, '}')) {
			char key[JSONSCAN_KEY_MAX];
			bool into;

			js_ws(s);
			if (s->p >= s->end)
				return -EAGAIN;
			if (*s->p != '"')
				return -EINVAL;
			r = js_string(s, key);
			if (r < 0)
				return r;
			js_ws(s);
			if (s->p >= s->end)
				return -EAGAIN;
			if (*s->p++ != ':')
				return -EINVAL;
			into = below && strcmp(key, s->path[depth]) == 0;
			/* a member named again replaces what was found in it */
			if (into)
				s->found = false;
			r = js_value(s, depth + 1, into);
			if (r < 0)
				return r;
		}
		return r < 0 ? r : 0;
	case '[':
		for (r = js_open(s, ']'); r == 0; r = js_next(s, ']')) {
			r = js_value(s, depth + 1, false);
			if (r < 0)
				return r;
		}
		return r < 0 ? r : 0;
	case '"':
		return js_string(s, NULL);
	case 't':
		return js_literal(s, "true");
	case 'f':
		return js_literal(s, "false");
	case 'n':
		return js_literal(s, "null");
	default:
		return js_number(s, here);
	}
}

/**
 * jsonscan_int() - an integer member of a JSON object
 * @text: the document (need not end with a NUL)
 * @len: its length
 * @path: member names from the top-level object down, NULL-terminated
 *	(e.g. { "state", "pid", NULL })
 * @ret: the value, when found
 *
 * The whole document is checked; a member named twice gives its last
 * value, as most parsers do. A number with a fraction or an exponent, one
 * out of range, or a value of another type is not an integer: -ENOENT.
 *
 * Return: 0 (found), -ENOENT (a valid document without it), -EAGAIN (the
 * text so far is the start of a valid document: more may come) or
 * -EINVAL (not JSON, its top level is not an object, or it nests deeper
 * than JSONSCAN_MAX_DEPTH).
 */
int jsonscan_int(const char *text, size_t len, const char *const *path,
		 int64_t *ret)
{
	struct jscan s = { .p = text, .end = text + len, .path = path };
	int r;

	while (path[s.path_len])
		s.path_len++;
	js_ws(&s);
	if (s.p < s.end && *s.p != '{')
		return -EINVAL;
	r = js_value(&s, 0, true);
	if (r < 0)
		return r;
	js_ws(&s);
	if (s.p != s.end)
		return -EINVAL;
	if (!s.found)
		return -ENOENT;
	*ret = s.value;
	return 0;
}
