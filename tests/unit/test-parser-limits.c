/* Parser limits, each exactly at the bound and one past it, and the
 * memory bound when a stanza never ends. */
#include <stdio.h>

#include "testutil.h"

#define OPEN "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"

static int stanzas;
static int count(void *ud, xmppc_stanza *s)
{
	(void)ud;
	(void)s;
	stanzas++;
	return 0;
}
static const xmppc_parser_callbacks cbs = {XMPPC_PARSER_CALLBACKS_VERSION, NULL, count, NULL};

/* Feed the whole text (in pieces of `chunk` bytes); return the result of
 * the first failing feed, or 0. */
static int feed_with(const xmppc_xml_limits *lim, unsigned flags, const char *data, size_t len,
                     size_t chunk)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc_parser *p;
	size_t off;
	int rc = 0;

	stanzas = 0;
	assert_int_equal(xmppc_parser_new(&p, ctx, lim, flags, &cbs, NULL), 0);
	for (off = 0; off < len && rc == 0; off += chunk)
		rc = xmppc_parser_feed(NULL, p, data + off, len - off < chunk ? len - off : chunk);
	xmppc_parser_free(p);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
	return rc;
}

static char *build(const char *head, const char *unit, int n, const char *tail)
{
	size_t len = strlen(head) + strlen(unit) * (size_t)n + strlen(tail) + 1;
	char *s = malloc(len), *p = s;
	int i;

	if (s == NULL)
		abort();
	p += sprintf(p, "%s", head);
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s", unit);
	sprintf(p, "%s", tail);
	return s;
}

static void both_chunkings(const xmppc_xml_limits *lim, unsigned flags, const char *s, int want)
{
	size_t len = strlen(s);
	int rc1 = feed_with(lim, flags, s, len, len), rc2 = feed_with(lim, flags, s, len, 7);
	if (rc1 != want || rc2 != want)
		fail_msg("want %s, got %s (whole) / %s (7-byte chunks)", xmppc_error_name(want),
		         xmppc_error_name(rc1), xmppc_error_name(rc2));
}

static void test_depth(void **state)
{
	xmppc_xml_limits lim;
	char *s;

	(void)state;
	xmppc_xml_limits_default(&lim);
	lim.max_depth = 5;
	/* the stanza element is depth 1: 5 nested elements are allowed */
	s = build(OPEN "<m>", "<d>", 4, "</d></d></d></d></m><ok/>");
	both_chunkings(&lim, 0, s, 0);
	assert_int_equal(stanzas, 2);
	free(s);
	s = build(OPEN "<m>", "<d>", 5, "");
	both_chunkings(&lim, 0, s, XMPPC_EXML_DEPTH_LIMIT);
	free(s);
	/* the default (64) and a depth bomb */
	s = build(OPEN "<m>", "<d>", 63, "");
	both_chunkings(NULL, 0, s, 0);
	free(s);
	s = build(OPEN "<m>", "<d>", 100000, "");
	both_chunkings(NULL, XMPPC_PARSER_AUTHENTICATED, s, XMPPC_EXML_DEPTH_LIMIT);
	free(s);
	lim.max_depth = 256; /* above what libxml2 itself allows */
	{
		test_alloc a;
		xmppc_ctx *ctx = test_ctx_new(&a);
		xmppc_parser *p;
		assert_int_equal(xmppc_parser_new(&p, ctx, &lim, 0, &cbs, NULL), XMPPC_EINVAL);
		lim.max_depth = 5;
		lim.version = 2;
		assert_int_equal(xmppc_parser_new(&p, ctx, &lim, 0, &cbs, NULL), XMPPC_EINVAL);
		assert_null(xmppc_ctx_unref(ctx));
	}
}

static void test_attrs(void **state)
{
	xmppc_xml_limits lim;
	char *s;

	(void)state;
	xmppc_xml_limits_default(&lim);
	lim.max_attrs = 4;
	s = strdup(OPEN "<m a='1' b='2' c='3' d='4'/>");
	both_chunkings(&lim, 0, s, 0);
	free(s);
	s = strdup(OPEN "<m a='1' b='2' c='3' d='4' e='5'/>");
	both_chunkings(&lim, 0, s, XMPPC_EXML_ATTR_LIMIT);
	free(s);
	/* namespace declarations count too */
	s = strdup(OPEN "<m xmlns:p='u' a='1' b='2' c='3'/>");
	both_chunkings(&lim, 0, s, 0);
	free(s);
	s = strdup(OPEN "<m xmlns:p='u' xmlns:q='v' a='1' b='2' c='3'/>");
	both_chunkings(&lim, 0, s, XMPPC_EXML_ATTR_LIMIT);
	free(s);
}

static void test_elements(void **state)
{
	xmppc_xml_limits lim;
	char *s;

	(void)state;
	xmppc_xml_limits_default(&lim);
	lim.max_elements = 10;
	s = build(OPEN "<m>", "<e/>", 9, "</m>");
	both_chunkings(&lim, 0, s, 0);
	free(s);
	/* the count restarts with every stanza */
	s = build(OPEN, "<m><e/><e/><e/><e/><e/><e/><e/><e/><e/></m>", 5, "");
	both_chunkings(&lim, 0, s, 0);
	assert_int_equal(stanzas, 5);
	free(s);
	s = build(OPEN "<m>", "<e/>", 10, "</m>");
	both_chunkings(&lim, 0, s, XMPPC_EXML_ELEMENT_LIMIT);
	free(s);
}

/* max_stanza_bytes counts the bytes since the last stanza boundary (the
 * end of the stream header or of the previous stanza). */
static void test_bytes(void **state)
{
	xmppc_xml_limits lim;
	char stanza[200], *s;
	int n;

	(void)state;
	xmppc_xml_limits_default(&lim);
	lim.max_stanza_bytes = 100;
	lim.max_stanza_bytes_unauth = 200; /* header is 87 bytes: below both */
	n = snprintf(stanza, sizeof(stanza), "<m>%*s</m>", 100 - 7, "");
	assert_int_equal(n, 100);
	s = build(OPEN, stanza, 50, "");
	both_chunkings(&lim, XMPPC_PARSER_AUTHENTICATED, s, 0);
	assert_int_equal(stanzas, 50);
	free(s);
	n = snprintf(stanza, sizeof(stanza), "<m>%*s</m>", 100 - 6, "");
	s = build(OPEN "<ok/>", stanza, 1, "");
	both_chunkings(&lim, XMPPC_PARSER_AUTHENTICATED, s, XMPPC_EXML_SIZE_LIMIT);
	assert_true(stanzas <= 1);
	free(s);
	/* whitespace between stanzas counts towards the next one */
	n = snprintf(stanza, sizeof(stanza), " <m>%*s</m>", 100 - 7, "");
	s = build(OPEN, stanza, 3, "");
	both_chunkings(&lim, XMPPC_PARSER_AUTHENTICATED, s, XMPPC_EXML_SIZE_LIMIT);
	free(s);
	/* before authentication the other limit applies */
	n = snprintf(stanza, sizeof(stanza), "<m>%*s</m>", 150 - 7, "");
	s = build(OPEN, stanza, 3, "");
	both_chunkings(&lim, 0, s, 0);
	both_chunkings(&lim, XMPPC_PARSER_AUTHENTICATED, s, XMPPC_EXML_SIZE_LIMIT);
	free(s);
	/* the stream header itself is bounded */
	lim.max_stanza_bytes_unauth = 50;
	both_chunkings(&lim, 0, OPEN, XMPPC_EXML_SIZE_LIMIT);
}

/* A stanza that never ends (a body of endless text, or an endless start
 * tag) is refused once the limit is reached: the parser never takes more
 * than the limit, and memory stays bounded by a small multiple of it. */
static void test_endless_stanza(void **state)
{
	static const char *const heads[] = {OPEN "<message><body>", OPEN "<message a='"};
	xmppc_xml_limits lim;
	size_t h;

	(void)state;
	xmppc_xml_limits_default(&lim);
	lim.max_stanza_bytes = 256 * 1024;
	for (h = 0; h < 2; h++) {
		test_alloc a;
		xmppc_ctx *ctx = test_ctx_new(&a);
		xmppc_parser *p;
		char chunk[16384];
		size_t fed = 0;
		int rc;

		memset(chunk, 'x', sizeof(chunk));
		assert_int_equal(xmppc_parser_new(&p, ctx, &lim, XMPPC_PARSER_AUTHENTICATED, &cbs, NULL), 0);
		assert_int_equal(xmppc_parser_feed(NULL, p, heads[h], strlen(heads[h])), 0);
		do {
			rc = xmppc_parser_feed(NULL, p, chunk, sizeof(chunk));
			fed += sizeof(chunk);
		} while (rc == 0 && fed < 64u * 1024 * 1024);
		assert_int_equal(rc, XMPPC_EXML_SIZE_LIMIT);
		/* refused within one read of the limit */
		assert_true(fed <= lim.max_stanza_bytes + sizeof(chunk));
		assert_true(xmppc_parser_offset(p) <= strlen(OPEN) + lim.max_stanza_bytes);
		/* our own allocations never held more than a few times the limit */
		assert_true(a.peak < 3 * lim.max_stanza_bytes);
		xmppc_parser_free(p);
		assert_null(xmppc_ctx_unref(ctx));
		assert_int_equal(a.live, 0);
	}
}

/* Many distinct element names must not grow libxml2's dictionary without
 * bound: the stream is refused with a policy error. */
static void test_name_flood(void **state)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc_parser *p;
	char buf[64];
	int i, rc = 0;

	(void)state;
	assert_int_equal(xmppc_parser_new(&p, ctx, NULL, XMPPC_PARSER_AUTHENTICATED, &cbs, NULL), 0);
	assert_int_equal(xmppc_parser_feed(NULL, p, OPEN, strlen(OPEN)), 0);
	for (i = 0; i < 200000 && rc == 0; i++) {
		int n = snprintf(buf, sizeof(buf), "<n%08d-abcdefghijklmnopqrstuvwxyz/>", i);
		rc = xmppc_parser_feed(NULL, p, buf, (size_t)n);
	}
	assert_int_equal(rc, XMPPC_EXML_NAME_LIMIT);
	assert_true(xmppc_is_fatal(rc));
	xmppc_parser_free(p);
	assert_null(xmppc_ctx_unref(ctx));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_attrs),
		cmocka_unit_test(test_elements),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_endless_stanza),
		cmocka_unit_test(test_name_flood),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
