/* Small helpers of the lib/ext/xeps tests (on top of tests/common/xh.h). */
#ifndef XMPPC_TESTS_XT_H
#define XMPPC_TESTS_XT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "xh.h"

/* The output since the last call, whose first 'id' is copied to @id. */
static inline const char *xt_sent(xh *h, char *id, size_t cap)
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
static inline void xt_subst(char *out, size_t cap, const char *fmt, const char *id)
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

/* Check the output is exactly @fmt with every "%s" replaced by @id. */
static inline void xt_sent_exact(xh *h, const char *fmt, char *id, size_t cap)
{
	char want[2048];
	const char *o = xt_sent(h, id, cap);

	xt_subst(want, sizeof(want), fmt, id);
	assert_string_equal(o, want);
}

/* Feed @fmt with "%s" replaced by @id. */
static inline void xt_in(xh *h, const char *fmt, const char *id)
{
	char in[4096];

	xt_subst(in, sizeof(in), fmt, id);
	xh_in(h, in);
}

#endif
