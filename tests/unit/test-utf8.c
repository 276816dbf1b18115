/* UTF-8 validation: exhaustive over all code points and all 1-2 byte
 * sequences, incremental across every split. */
#include "testutil.h"
#include "util/utf8.h"

static size_t encode(uint32_t cp, unsigned char *o)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

static int xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Every code point: accepted exactly when XML allows it, whole and split
 * at every byte. Surrogates must be refused as invalid UTF-8. */
static void test_all_code_points(void **state)
{
	uint32_t cp;

	(void)state;
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		unsigned char b[4];
		size_t n = encode(cp, b), k;
		int rc = xmppc__utf8_check_xml((const char *)b, n);
		int expect = xml_char(cp) ? 0
		             : (cp >= 0xD800 && cp <= 0xDFFF) ? XMPPC_EXML_INVALID_UTF8
		                                              : XMPPC_EXML_INVALID_CHAR;
		if (rc != expect)
			fail_msg("U+%04X: got %d, want %d", cp, rc, expect);
		for (k = 1; k < n; k++) {
			xmppc__utf8 st;
			int err = 0;
			size_t a, c;
			xmppc__utf8_init(&st);
			a = xmppc__utf8_scan_xml(&st, b, k, &err);
			c = a == k ? xmppc__utf8_scan_xml(&st, b + k, n - k, &err) : 0;
			if ((expect == 0) != (a == k && c == n - k))
				fail_msg("U+%04X split at %zu disagrees", cp, k);
		}
	}
	/* above U+10FFFF */
	assert_int_equal(xmppc__utf8_check_xml("\xf4\x90\x80\x80", 4), XMPPC_EXML_INVALID_UTF8);
}

/* Every 1- and 2-byte sequence, compared with a straightforward decoder. */
static int reference_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t c = s[i], min;
		size_t len, k;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			len = 2, c &= 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			len = 3, c &= 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			len = 4, c &= 0x07, min = 0x10000;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			c = c << 6 | (s[i + k] & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

static void test_byte_pairs(void **state)
{
	unsigned x, y;

	(void)state;
	for (x = 1; x < 256; x++)
		for (y = 1; y < 256; y++) {
			unsigned char s[2] = {(unsigned char)x, (unsigned char)y};
			int ours = xmppc__utf8_valid((const char *)s, 2);
			if (ours != reference_valid(s, 2))
				fail_msg("bytes %02x %02x: ours %d", x, y, ours);
		}
	assert_false(xmppc__utf8_valid("a\0b", 3));
	assert_true(xmppc__utf8_valid("\x01\x7f", 2)); /* valid UTF-8, though not XML */
	assert_false(xmppc__utf8_valid("\xe2\x82", 2));
}

/* The ASCII fast path must still stop at controls inside 8-byte words. */
static void test_fast_path(void **state)
{
	char s[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(s) - 1; i++) {
		memset(s, 'a', sizeof(s));
		s[i] = 0x01;
		assert_int_equal(xmppc__utf8_check_xml(s, sizeof(s)), XMPPC_EXML_INVALID_CHAR);
		s[i] = '\x80';
		assert_int_equal(xmppc__utf8_check_xml(s, sizeof(s)), XMPPC_EXML_INVALID_UTF8);
		s[i] = '\n';
		assert_int_equal(xmppc__utf8_check_xml(s, sizeof(s)), 0);
	}
	{
		xmppc__utf8 st;
		int err = 0;
		memset(s, 'a', sizeof(s));
		s[37] = 0;
		xmppc__utf8_init(&st);
		assert_int_equal(xmppc__utf8_scan_xml(&st, (unsigned char *)s, sizeof(s), &err), 37);
		assert_int_equal(err, XMPPC_EXML_INVALID_CHAR);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_code_points),
		cmocka_unit_test(test_byte_pairs),
		cmocka_unit_test(test_fast_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
