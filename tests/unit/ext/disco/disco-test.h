/* Helpers shared by the disco and caps unit tests. */
#ifndef XMPPC_TESTS_DISCO_TEST_H
#define XMPPC_TESTS_DISCO_TEST_H

#include <stdio.h>
#include <string.h>

#include "xh.h"

/* The id="..." of the first element in `out` (copied into `id`). */
static inline void dt_id(char *id, size_t size, const char *out)
{
	const char *p = strstr(out, " id=\""), *e;

	assert_non_null(p);
	p += 5;
	e = strchr(p, '"');
	assert_non_null(e);
	assert_true((size_t)(e - p) < size);
	memcpy(id, p, (size_t)(e - p));
	id[e - p] = '\0';
}

/* The client's output, with the random id replaced by "ID", equals `want`. */
static inline void dt_out_equal(xh *h, const char *want, char *id, size_t size)
{
	char buf[8192];
	const char *out = xh_out(h), *p;
	size_t n;

	dt_id(id, size, out);
	p = strstr(out, id);
	n = (size_t)(p - out);
	snprintf(buf, sizeof(buf), "%.*sID%s", (int)n, out, p + strlen(id));
	assert_string_equal(buf, want);
}

/* Feed a reply (type, from, id, payload). */
static inline void dt_reply(xh *h, const char *type, const char *from, const char *id,
                            const char *payload)
{
	char buf[8192];

	snprintf(buf, sizeof(buf),
	         "<iq type='%s' from='%s' to='juliet@example.com/balcony' id='%s'>%s</iq>",
	         type, from, id, payload);
	xh_in(h, buf);
}

#endif
