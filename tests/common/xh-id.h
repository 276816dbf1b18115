/* Id-aware helpers for module tests (on top of xh.h): take the id of the
 * request a module just sent, and answer it with XML in which "%s" stands
 * for that id. */
#ifndef XMPPC_TESTS_XH_ID_H
#define XMPPC_TESTS_XH_ID_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xh.h"

/* The output since the last call, whose first 'id' is copied to @id. */
static inline const char *xh_sent(xh *h, char *id, size_t cap)
{
	const char *o = xh_out(h), *p = strstr(o, " id=\"");
	size_t n;

	if (p == NULL)
		fail_msg("no id in the output: %s", o);
	p += 5;
	n = strcspn(p, "\"");
	assert_true(n < cap);
	memcpy(id, p, n);
	id[n] = '\0';
	return o;
}

/* @fmt with every "%s" replaced by @id (no printf: -Wformat-nonliteral). */
static inline void xh_subst(char *out, size_t cap, const char *fmt, const char *id)
{
	size_t n = 0, k = strlen(id);

	for (; *fmt != '\0'; fmt++) {
		if (fmt[0] == '%' && fmt[1] == 's') {
			assert_true(n + k < cap);
			memcpy(out + n, id, k);
			n += k;
			fmt++;
			continue;
		}
		assert_true(n + 1 < cap);
		out[n++] = *fmt;
	}
	out[n] = '\0';
}

/* The output is exactly @fmt with "%s" replaced by its id (copied to @id). */
static inline void xh_sent_exact(xh *h, const char *fmt, char *id, size_t cap)
{
	char want[4096];
	const char *o = xh_sent(h, id, cap);

	xh_subst(want, sizeof(want), fmt, id);
	assert_string_equal(o, want);
}

/* Feed @fmt with "%s" replaced by @id. */
static inline void xh_in_id(xh *h, const char *fmt, const char *id)
{
	char in[8192];

	xh_subst(in, sizeof(in), fmt, id);
	xh_in(h, in);
}

#endif
