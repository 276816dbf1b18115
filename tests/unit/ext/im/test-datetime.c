/* XEP-0082 DateTime parsing (XEP-0203 stamps) and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <xmppc/xmppc.h>

static int64_t parse_ok(const char *s)
{
	int64_t t = -12345;

	if (xmppc_datetime_parse(&t, s) != 0)
		fail_msg("refused: %s", s);
	return t;
}

static void test_parse_valid(void **state)
{
	(void)state;
	assert_true(parse_ok("1970-01-01T00:00:00Z") == 0);
	assert_true(parse_ok("2002-09-10T23:08:25Z") == 1031699305000LL);
	assert_true(parse_ok("2002-09-10T23:08:25.5-01:00") == 1031702905500LL);
	assert_true(parse_ok("2002-09-11T05:38:25+05:30") == 1031702905000LL);
	assert_true(parse_ok("2000-02-29T12:00:00Z") == 951825600000LL);
	assert_true(parse_ok("1969-12-31T23:59:59Z") == -1000);
	assert_true(parse_ok("1970-01-01T00:00:00.123456789Z") == 123);
	assert_true(parse_ok("1970-01-01T00:00:00.1Z") == 100);
	assert_true(parse_ok("9999-12-31T23:59:59Z") == 253402300799000LL);
	assert_true(parse_ok("0001-01-01T00:00:00Z") == -62135596800000LL);
	/* a leap second reads as the last millisecond of the minute */
	assert_true(parse_ok("2016-12-31T23:59:60Z") == 1483228799999LL);
}

static void test_parse_invalid(void **state)
{
	static const char *const bad[] = {
	    "",
	    "yesterday",
	    "2002-09-10",
	    "2002-09-10T23:08:25", /* no zone */
	    "2002-09-10 23:08:25Z",
	    "2002-9-10T23:08:25Z",
	    "2002-09-10T23:08Z",
	    "2002-13-10T23:08:25Z",
	    "2002-00-10T23:08:25Z",
	    "2002-02-29T00:00:00Z",
	    "1900-02-29T00:00:00Z",
	    "2002-04-31T00:00:00Z",
	    "2002-09-00T00:00:00Z",
	    "2002-09-10T24:00:00Z",
	    "2002-09-10T23:60:00Z",
	    "2002-09-10T23:08:61Z",
	    "2002-09-10T23:08:25.Z",
	    "2002-09-10T23:08:25ZZ",
	    "2002-09-10T23:08:25+0100",
	    "2002-09-10T23:08:25+24:00",
	    "2002-09-10T23:08:25+01:60",
	    "2002-09-10T23:08:25 Z",
	    "-002-09-10T23:08:25Z",
	    "2002-09-10T23:08:25+01:00x",
	    "\xef\xbc\x92"
	    "002-09-10T23:08:25Z",
	    NULL,
	};
	int64_t t = 7;
	int i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		if (xmppc_datetime_parse(&t, bad[i]) != XMPPC_EINVAL)
			fail_msg("accepted: '%s'", bad[i]);
	assert_true(t == 7); /* untouched on error */
	assert_int_equal(xmppc_datetime_parse(NULL, "1970-01-01T00:00:00Z"), XMPPC_EINVAL);
	assert_int_equal(xmppc_datetime_parse(&t, NULL), XMPPC_EINVAL);
}

static void check_format(xmppc_ctx *ctx, int64_t ms, const char *want)
{
	xmppc_buf *b;

	assert_int_equal(xmppc_buf_new(&b, ctx), 0);
	assert_int_equal(xmppc_datetime_format(b, ms), 0);
	assert_int_equal(xmppc_buf_len(b), strlen(want));
	assert_memory_equal(xmppc_buf_data(b), want, strlen(want));
	xmppc_buf_free(b);
	assert_true(parse_ok(want) == ms);
}

static void test_format(void **state)
{
	xmppc_ctx *ctx;
	xmppc_buf *b;

	(void)state;
	assert_int_equal(xmppc_ctx_new(&ctx, NULL), 0);
	check_format(ctx, 0, "1970-01-01T00:00:00Z");
	check_format(ctx, 1031702905500LL, "2002-09-11T00:08:25.500Z");
	check_format(ctx, -1, "1969-12-31T23:59:59.999Z");
	check_format(ctx, 951825600000LL, "2000-02-29T12:00:00Z");
	check_format(ctx, 253402300799999LL, "9999-12-31T23:59:59.999Z");
	check_format(ctx, -62167219200000LL, "0000-01-01T00:00:00Z");
	assert_int_equal(xmppc_buf_new(&b, ctx), 0);
	assert_int_equal(xmppc_datetime_format(b, 253402300800000LL), XMPPC_EINVAL);
	assert_int_equal(xmppc_datetime_format(b, -62167219200001LL), XMPPC_EINVAL);
	assert_int_equal(xmppc_datetime_format(NULL, 0), XMPPC_EINVAL);
	assert_int_equal(xmppc_buf_len(b), 0);
	xmppc_buf_free(b);
	xmppc_ctx_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_valid),
	    cmocka_unit_test(test_parse_invalid),
	    cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
