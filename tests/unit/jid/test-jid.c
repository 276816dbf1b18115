/* Unit tests of xmppc_jid: parsing, accessors, normalisation of each part,
 * comparison, every XMPPC_EJID_* code, the RFC 7622 §3.5 examples,
 * reference counting and allocation failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <xmppc/ctx.h>
#include <xmppc/error.h>
#include <xmppc/jid.h>

#include "failalloc.h"

static xmppc_ctx *ctx;

static int setup(void **state)
{
	(void)state;
	return xmppc_ctx_new(&ctx, NULL);
}

static int teardown(void **state)
{
	(void)state;
	assert_null(xmppc_ctx_unref(ctx));
	return 0;
}

static void assert_opt_string(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got != NULL ? got : "(null)", want);
}

/* Parse and check the parts; NULL for an absent part. ascii NULL means
 * "same as domain". Also checks that the full form parses back to an equal
 * JID. */
static void jid_ok(const char *in, const char *local, const char *domain, const char *ascii,
                   const char *resource)
{
	xmppc_jid *j = NULL, *again = NULL;
	int rc = xmppc_jid_new(&j, ctx, in);

	if (rc != 0)
		fail_msg("\"%s\": got %s, want success", in, xmppc_error_name(rc));
	assert_opt_string(xmppc_jid_local(j), local);
	assert_opt_string(xmppc_jid_domain(j), domain);
	assert_opt_string(xmppc_jid_domain_ascii(j), ascii != NULL ? ascii : domain);
	assert_opt_string(xmppc_jid_resource(j), resource);
	assert_int_equal(xmppc_jid_is_bare(j), resource == NULL);
	assert_int_equal(xmppc_jid_new(&again, ctx, xmppc_jid_full(j)), 0);
	assert_true(xmppc_jid_equal(j, again));
	assert_string_equal(xmppc_jid_full(again), xmppc_jid_full(j));
	xmppc_jid_unref(again);
	assert_null(xmppc_jid_unref(j));
}

static void jid_err(const char *in, int want)
{
	xmppc_jid *j = (xmppc_jid *)&j; /* must stay untouched on error */
	int rc = xmppc_jid_new(&j, ctx, in);

	if (rc != want)
		fail_msg("\"%s\": got %s, want %s", in, xmppc_error_name(rc),
		         xmppc_error_name(want));
	assert_ptr_equal(j, (xmppc_jid *)&j);
}

static void test_parse_accessors(void **state)
{
	xmppc_jid *j;

	(void)state;
	assert_int_equal(xmppc_jid_new(&j, ctx, "juliet@example.com/balcony"), 0);
	assert_string_equal(xmppc_jid_local(j), "juliet");
	assert_string_equal(xmppc_jid_domain(j), "example.com");
	assert_string_equal(xmppc_jid_domain_ascii(j), "example.com");
	assert_string_equal(xmppc_jid_resource(j), "balcony");
	assert_string_equal(xmppc_jid_bare(j), "juliet@example.com");
	assert_string_equal(xmppc_jid_full(j), "juliet@example.com/balcony");
	assert_int_equal(xmppc_jid_is_bare(j), 0);
	xmppc_jid_unref(j);

	jid_ok("example.com", NULL, "example.com", NULL, NULL);
	jid_ok("example.com/r", NULL, "example.com", NULL, "r");
	jid_ok("a@example.com", "a", "example.com", NULL, NULL);
	/* the first '/' starts the resource, which may hold '@' and '/' */
	jid_ok("a@b/c@d/e", "a", "b", NULL, "c@d/e");
	jid_ok("b/c@d", NULL, "b", NULL, "c@d");
	jid_ok("a@b//", "a", "b", NULL, "/");
	/* a second '@' before the '/' is part of the domain: invalid */
	jid_err("a@b@c", XMPPC_EJID_INVALID_DOMAIN);

	assert_int_equal(xmppc_jid_new(&j, ctx, "example.com"), 0);
	assert_string_equal(xmppc_jid_bare(j), "example.com");
	assert_string_equal(xmppc_jid_full(j), "example.com");
	assert_int_equal(xmppc_jid_is_bare(j), 1);
	xmppc_jid_unref(j);

	/* NULL tolerance of the getters */
	assert_null(xmppc_jid_local(NULL));
	assert_null(xmppc_jid_domain(NULL));
	assert_null(xmppc_jid_domain_ascii(NULL));
	assert_null(xmppc_jid_resource(NULL));
	assert_null(xmppc_jid_full(NULL));
	assert_null(xmppc_jid_bare(NULL));
	assert_int_equal(xmppc_jid_is_bare(NULL), 0);
	assert_null(xmppc_jid_ref(NULL));
	assert_null(xmppc_jid_unref(NULL));
}

static void test_normalisation(void **state)
{
	(void)state;
	/* case: localpart and domainpart lowercased, resource kept */
	jid_ok("JULIET@EXAMPLE.COM/Balcony", "juliet", "example.com", NULL, "Balcony");
	/* width mapping of the localpart; the domain's UTS #46 mapping */
	jid_ok("\357\274\252\357\275\225\357\275\214@\357\275\205\357\275\230.com", "jul", "ex.com",
	       NULL, NULL);
	/* NFC in all three parts */
	jid_ok("e\314\201@caf\145\314\201.fr/e\314\201", "\303\251", "caf\303\251.fr",
	       "xn--caf-dma.fr", "\303\251");
	/* IDNA: U-label in, A-label in (any case), both give both forms */
	jid_ok("user@M\303\234NCHEN.de", "user", "m\303\274nchen.de", "xn--mnchen-3ya.de", NULL);
	jid_ok("user@xn--mnchen-3ya.de", "user", "m\303\274nchen.de", "xn--mnchen-3ya.de", NULL);
	jid_ok("user@XN--MNCHEN-3YA.DE", "user", "m\303\274nchen.de", "xn--mnchen-3ya.de", NULL);
	/* IDNA2008 non-transitional keeps ß */
	jid_ok("fa\303\237.de", NULL, "fa\303\237.de", "xn--fa-hia.de", NULL);
	/* ideographic full stop as label separator */
	jid_ok("a\343\200\202example", NULL, "a.example", NULL, NULL);
	/* one trailing dot removed, before anything else */
	jid_ok("user@example.com.", "user", "example.com", NULL, NULL);
	jid_ok("user@example.com./r", "user", "example.com", NULL, "r");
	jid_ok("user@M\303\234NCHEN.de.", "user", "m\303\274nchen.de", "xn--mnchen-3ya.de", NULL);
	jid_ok("example.com\343\200\202", NULL, "example.com", NULL, NULL);
	jid_err("example.com..", XMPPC_EJID_INVALID_DOMAIN);
	/* IP literals */
	jid_ok("u@192.0.2.1/r", "u", "192.0.2.1", NULL, "r");
	jid_ok("u@192.0.2.1.", "u", "192.0.2.1", NULL, NULL);
	jid_ok("u@[::1]", "u", "[::1]", NULL, NULL);
	jid_ok("[0:0:0:0:0:0:0:1]", NULL, "[::1]", NULL, NULL);
	jid_ok("[2001:DB8::0:1]/x", NULL, "[2001:db8::1]", NULL, "x");
	jid_ok("[::ffff:192.0.2.1]", NULL, "[::ffff:192.0.2.1]", NULL, NULL);
	jid_err("[::1", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("[::g]", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("[192.0.2.1]", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("[fe80::1%eth0]", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("[]", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("256.0.0.1", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("010.0.0.1", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("1.2.3", XMPPC_EJID_INVALID_DOMAIN);
	/* digits and dots made by the IDNA mapping obey the same rule */
	jid_ok("\357\274\221\357\274\231\357\274\222\343\200\2020.2.1", NULL, "192.0.2.1", NULL,
	       NULL);
	jid_err("\342\202\202", XMPPC_EJID_INVALID_DOMAIN); /* SUBSCRIPT TWO -> "2" */
	/* resourcepart: OpaqueString maps non-ASCII spaces */
	jid_ok("a@b/x\302\240y", "a", "b", NULL, "x y");
	/* localpart: UsernameCaseMapped */
	jid_ok("\316\243@example.com", "\317\203", "example.com", NULL, NULL);
	jid_ok("\342\204\252@example.com", "k", "example.com", NULL, NULL);
}

static void test_compare(void **state)
{
	xmppc_jid *a, *b, *c, *d, *e, *f;

	(void)state;
	assert_int_equal(xmppc_jid_new(&a, ctx, "Juliet@Example.COM/Balcony"), 0);
	assert_int_equal(xmppc_jid_new(&b, ctx, "juliet@example.com./Balcony"), 0);
	assert_int_equal(xmppc_jid_new(&c, ctx, "juliet@example.com/balcony"), 0);
	assert_int_equal(xmppc_jid_new(&d, ctx, "juliet@example.com"), 0);
	assert_int_equal(xmppc_jid_new(&e, ctx, "example.com"), 0);
	assert_int_equal(xmppc_jid_new(&f, ctx, "romeo@example.net"), 0);

	assert_true(xmppc_jid_equal(a, b));
	assert_true(xmppc_jid_equal(a, a));
	assert_false(xmppc_jid_equal(a, c)); /* resources are case-sensitive */
	assert_false(xmppc_jid_equal(a, d));
	assert_false(xmppc_jid_equal(a, NULL));
	assert_false(xmppc_jid_equal(NULL, NULL));
	assert_true(xmppc_jid_bare_equal(a, c));
	assert_true(xmppc_jid_bare_equal(a, d));
	assert_false(xmppc_jid_bare_equal(d, e));
	assert_false(xmppc_jid_bare_equal(NULL, d));

	assert_int_equal(xmppc_jid_compare(a, b), 0);
	assert_true(xmppc_jid_compare(a, c) < 0); /* "B" < "b" */
	assert_true(xmppc_jid_compare(c, a) > 0);
	assert_true(xmppc_jid_compare(d, a) < 0); /* no resource first */
	assert_true(xmppc_jid_compare(e, d) < 0); /* no localpart first */
	assert_true(xmppc_jid_compare(d, f) < 0); /* domain decides first */
	assert_true(xmppc_jid_compare(f, e) > 0);
	assert_true(xmppc_jid_compare(NULL, e) < 0);
	assert_true(xmppc_jid_compare(e, NULL) > 0);
	assert_int_equal(xmppc_jid_compare(NULL, NULL), 0);

	xmppc_jid_unref(a);
	xmppc_jid_unref(b);
	xmppc_jid_unref(c);
	xmppc_jid_unref(d);
	xmppc_jid_unref(e);
	xmppc_jid_unref(f);
}

static void test_bare_and_with_resource(void **state)
{
	xmppc_jid *full, *bare, *bare2, *with;

	(void)state;
	assert_int_equal(xmppc_jid_new(&full, ctx, "Juliet@Example.com/Balcony"), 0);
	assert_int_equal(xmppc_jid_to_bare(&bare, full), 0);
	assert_string_equal(xmppc_jid_full(bare), "juliet@example.com");
	assert_null(xmppc_jid_resource(bare));
	assert_true(xmppc_jid_is_bare(bare));
	assert_true(xmppc_jid_bare_equal(bare, full));
	/* already bare: the same object, one more reference */
	assert_int_equal(xmppc_jid_to_bare(&bare2, bare), 0);
	assert_ptr_equal(bare2, bare);
	assert_non_null(xmppc_jid_unref(bare2));

	assert_int_equal(xmppc_jid_with_resource(&with, bare, "Garden\302\2402"), 0);
	assert_string_equal(xmppc_jid_full(with), "juliet@example.com/Garden 2");
	assert_string_equal(xmppc_jid_bare(with), "juliet@example.com");
	xmppc_jid_unref(with);
	assert_int_equal(xmppc_jid_with_resource(&with, full, "a/b@c"), 0);
	assert_string_equal(xmppc_jid_resource(with), "a/b@c");
	xmppc_jid_unref(with);

	with = NULL;
	assert_int_equal(xmppc_jid_with_resource(&with, full, ""), XMPPC_EJID_EMPTY_RESOURCE);
	assert_int_equal(xmppc_jid_with_resource(&with, full, "a\001"),
	                 XMPPC_EJID_INVALID_RESOURCE);
	assert_int_equal(xmppc_jid_with_resource(&with, full, "\377"), XMPPC_EJID_INVALID_UTF8);
	assert_int_equal(xmppc_jid_with_resource(&with, full, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_jid_with_resource(NULL, full, "r"), XMPPC_EINVAL);
	assert_int_equal(xmppc_jid_with_resource(&with, NULL, "r"), XMPPC_EINVAL);
	assert_int_equal(xmppc_jid_to_bare(&with, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_jid_to_bare(NULL, full), XMPPC_EINVAL);
	assert_null(with);

	assert_null(xmppc_jid_unref(bare));
	assert_null(xmppc_jid_unref(full));
}

static void test_from_parts(void **state)
{
	xmppc_jid *j = NULL;

	(void)state;
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, "Romeo", "Example.NET", "Orchard"), 0);
	assert_string_equal(xmppc_jid_full(j), "romeo@example.net/Orchard");
	xmppc_jid_unref(j);
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, NULL, "example.net", NULL), 0);
	assert_string_equal(xmppc_jid_full(j), "example.net");
	xmppc_jid_unref(j);
	/* the resource may hold what a parser would split on */
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, "r", "example.net", "x@y/z"), 0);
	assert_string_equal(xmppc_jid_full(j), "r@example.net/x@y/z");
	xmppc_jid_unref(j);

	j = NULL;
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, "a@b", "example.net", NULL),
	                 XMPPC_EJID_INVALID_LOCAL);
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, "a/b", "example.net", NULL),
	                 XMPPC_EJID_INVALID_LOCAL);
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, "a", "example.net/x", NULL),
	                 XMPPC_EJID_INVALID_DOMAIN);
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, "a", "b@example.net", NULL),
	                 XMPPC_EJID_INVALID_DOMAIN);
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, "", "example.net", NULL),
	                 XMPPC_EJID_EMPTY_LOCAL);
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, NULL, "", NULL),
	                 XMPPC_EJID_EMPTY_DOMAIN);
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, NULL, "example.net", ""),
	                 XMPPC_EJID_EMPTY_RESOURCE);
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, "\377", "example.net", NULL),
	                 XMPPC_EJID_INVALID_UTF8);
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, NULL, "\377", NULL),
	                 XMPPC_EJID_INVALID_UTF8);
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, NULL, "example.net", "\303"),
	                 XMPPC_EJID_INVALID_UTF8);
	assert_int_equal(xmppc_jid_new_from_parts(&j, ctx, NULL, NULL, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_jid_new_from_parts(NULL, ctx, NULL, "a", NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_jid_new_from_parts(&j, NULL, NULL, "a", NULL), XMPPC_EINVAL);
	assert_null(j);
}

static void test_errors(void **state)
{
	xmppc_jid *j = NULL;

	(void)state;
	assert_int_equal(xmppc_jid_new(NULL, ctx, "a"), XMPPC_EINVAL);
	assert_int_equal(xmppc_jid_new(&j, NULL, "a"), XMPPC_EINVAL);
	assert_int_equal(xmppc_jid_new(&j, ctx, NULL), XMPPC_EINVAL);

	jid_err("", XMPPC_EJID_EMPTY);
	jid_err("@example.com", XMPPC_EJID_EMPTY_LOCAL);
	jid_err("@example.com/r", XMPPC_EJID_EMPTY_LOCAL);
	jid_err("user@", XMPPC_EJID_EMPTY_DOMAIN);
	jid_err("user@/r", XMPPC_EJID_EMPTY_DOMAIN);
	jid_err("/r", XMPPC_EJID_EMPTY_DOMAIN);
	jid_err(".", XMPPC_EJID_EMPTY_DOMAIN);
	jid_err("user@.", XMPPC_EJID_EMPTY_DOMAIN);
	jid_err("example.com/", XMPPC_EJID_EMPTY_RESOURCE);
	jid_err("u@example.com/", XMPPC_EJID_EMPTY_RESOURCE);

	jid_err("a b@example.com", XMPPC_EJID_INVALID_LOCAL);
	jid_err("a\342\200\213b@example.com", XMPPC_EJID_INVALID_LOCAL); /* ZWSP */
	jid_err("\327\220a@example.com", XMPPC_EJID_INVALID_LOCAL);      /* Bidi */
	jid_err("a\302\267b@example.com", XMPPC_EJID_INVALID_LOCAL);     /* context */
	/* RFC 7622 §3.3.1 exclusions, also when width mapping makes them */
	jid_err("a\"b@example.com", XMPPC_EJID_INVALID_LOCAL);
	jid_err("a&b@example.com", XMPPC_EJID_INVALID_LOCAL);
	jid_err("a'b@example.com", XMPPC_EJID_INVALID_LOCAL);
	jid_err("a:b@example.com", XMPPC_EJID_INVALID_LOCAL);
	jid_err("a<b@example.com", XMPPC_EJID_INVALID_LOCAL);
	jid_err("a>b@example.com", XMPPC_EJID_INVALID_LOCAL);
	jid_err("a\357\274\240b@example.com", XMPPC_EJID_INVALID_LOCAL); /* ＠ */
	jid_err("a\357\274\217b@example.com", XMPPC_EJID_INVALID_LOCAL); /* ／ */

	jid_err("exa mple.com", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("a_b.example", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("a..b", XMPPC_EJID_INVALID_DOMAIN);
	jid_err(".example.com", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("-a.example", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("a-.example", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("ab--cd.example", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("xn--abc.example", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("xn--.example", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("\360\237\222\251.la", XMPPC_EJID_INVALID_DOMAIN); /* emoji */
	jid_err("xn--ls8h.la", XMPPC_EJID_INVALID_DOMAIN);
	jid_err("xn--hnkhn", XMPPC_EJID_INVALID_DOMAIN); /* decodes to mapped code points */
	jid_err("a\342\200\215.example", XMPPC_EJID_INVALID_DOMAIN);

	jid_err("example.com/a\001", XMPPC_EJID_INVALID_RESOURCE);
	jid_err("example.com/a\342\200\213b", XMPPC_EJID_INVALID_RESOURCE);
	jid_err("example.com/\357\277\276", XMPPC_EJID_INVALID_RESOURCE);

	jid_err("\377@example.com", XMPPC_EJID_INVALID_UTF8);
	jid_err("u@example.com/\303", XMPPC_EJID_INVALID_UTF8);
	jid_err("u@\300\257", XMPPC_EJID_INVALID_UTF8);
	jid_err("\355\240\200@example.com", XMPPC_EJID_INVALID_UTF8);
	jid_err("u@example.com/\364\220\200\200", XMPPC_EJID_INVALID_UTF8);
}

/* Repeat s n times into a fresh string. */
static char *repeat(const char *s, size_t n, const char *prefix, const char *suffix)
{
	size_t l = strlen(s), pl = strlen(prefix), sl = strlen(suffix), i;
	char *out = malloc(pl + l * n + sl + 1);

	assert_non_null(out);
	memcpy(out, prefix, pl);
	for (i = 0; i < n; i++)
		memcpy(out + pl + i * l, s, l);
	memcpy(out + pl + l * n, suffix, sl + 1);
	return out;
}

static void test_lengths(void **state)
{
	char *s, *t;
	xmppc_jid *j;

	(void)state;
	/* localpart: 1023 bytes after enforcement */
	s = repeat("a", 1023, "", "@example.com");
	s[1023] = '\0';
	t = repeat("a", 1023, "", "@example.com");
	jid_ok(t, s, "example.com", NULL, NULL);
	free(t);
	free(s);
	s = repeat("a", 1024, "", "@example.com");
	jid_err(s, XMPPC_EJID_LOCAL_TOO_LONG);
	free(s);
	/* ... counted after width mapping: 3069 bytes in, 1023 out */
	s = repeat("\357\274\241", 1023, "", "@example.com");
	assert_int_equal(xmppc_jid_new(&j, ctx, s), 0);
	assert_int_equal(strlen(xmppc_jid_local(j)), 1023);
	xmppc_jid_unref(j);
	free(s);
	s = repeat("\357\274\241", 1024, "", "@example.com");
	jid_err(s, XMPPC_EJID_LOCAL_TOO_LONG);
	free(s);
	s = repeat("a", 100000, "", "@example.com");
	jid_err(s, XMPPC_EJID_LOCAL_TOO_LONG);
	free(s);

	/* resourcepart */
	s = repeat("r", 1023, "example.com/", "");
	assert_int_equal(xmppc_jid_new(&j, ctx, s), 0);
	assert_int_equal(strlen(xmppc_jid_resource(j)), 1023);
	xmppc_jid_unref(j);
	free(s);
	s = repeat("r", 1024, "example.com/", "");
	jid_err(s, XMPPC_EJID_RESOURCE_TOO_LONG);
	free(s);
	s = repeat("\303\251", 512, "example.com/", ""); /* 1024 bytes */
	jid_err(s, XMPPC_EJID_RESOURCE_TOO_LONG);
	free(s);
	s = repeat("e\314\201", 511, "example.com/", "a"); /* NFC: 1023 bytes */
	assert_int_equal(xmppc_jid_new(&j, ctx, s), 0);
	assert_int_equal(strlen(xmppc_jid_resource(j)), 1023);
	xmppc_jid_unref(j);
	free(s);

	/* domainpart: the DNS limits apply first (RFC 7622 §3.2), so the
	 * longest domain is 253 octets in A-label form, of 63-octet labels */
	s = repeat("a", 63, "", "");
	jid_ok(s, NULL, s, NULL, NULL);
	free(s);
	s = repeat("a", 64, "", "");
	jid_err(s, XMPPC_EJID_INVALID_DOMAIN);
	free(s);
	s = repeat("abcdefghi.", 25, "", "abc"); /* 253 */
	assert_int_equal(strlen(s), 253);
	assert_int_equal(xmppc_jid_new(&j, ctx, s), 0);
	xmppc_jid_unref(j);
	free(s);
	s = repeat("abcdefghi.", 25, "", "abc."); /* 253 + trailing dot */
	assert_int_equal(xmppc_jid_new(&j, ctx, s), 0);
	assert_int_equal(strlen(xmppc_jid_domain(j)), 253);
	xmppc_jid_unref(j);
	free(s);
	s = repeat("abcdefghi.", 25, "", "abcd"); /* 254 */
	jid_err(s, XMPPC_EJID_INVALID_DOMAIN);
	free(s);
	s = repeat("\303\274", 28, "", ".example"); /* IDN label within 63 */
	assert_int_equal(xmppc_jid_new(&j, ctx, s), 0);
	xmppc_jid_unref(j);
	free(s);
	s = repeat("\303\274", 70, "", ".example"); /* A-label over 63 */
	jid_err(s, XMPPC_EJID_INVALID_DOMAIN);
	free(s);
	/* 1023 bytes: refused by the DNS limit; 1024: by RFC 7622's */
	s = repeat("abcdefghi.", 102, "", "abc");
	assert_int_equal(strlen(s), 1023);
	jid_err(s, XMPPC_EJID_INVALID_DOMAIN);
	free(s);
	s = repeat("abcdefghi.", 102, "", "abcd");
	jid_err(s, XMPPC_EJID_DOMAIN_TOO_LONG);
	free(s);
	s = repeat("\303\274", 2000, "", "");
	jid_err(s, XMPPC_EJID_DOMAIN_TOO_LONG);
	free(s);
}

/* RFC 7622 §3.5. */
static void test_rfc7622_examples(void **state)
{
	(void)state;
	jid_ok("juliet@example.com", "juliet", "example.com", NULL, NULL);
	jid_ok("juliet@example.com/foo", "juliet", "example.com", NULL, "foo");
	jid_ok("juliet@example.com/foo bar", "juliet", "example.com", NULL, "foo bar");
	jid_ok("juliet@example.com/foo@bar", "juliet", "example.com", NULL, "foo@bar");
	jid_ok("foo\\20bar@example.com", "foo\\20bar", "example.com", NULL, NULL);
	jid_ok("fussball@example.com", "fussball", "example.com", NULL, NULL);
	jid_ok("fu\303\237ball@example.com", "fu\303\237ball", "example.com", NULL, NULL);
	jid_ok("\317\200@example.com", "\317\200", "example.com", NULL, NULL);
	jid_ok("\316\243@example.com/foo", "\317\203", "example.com", NULL, "foo");
	jid_ok("\317\203@example.com/foo", "\317\203", "example.com", NULL, "foo");
	jid_ok("\317\202@example.com/foo", "\317\202", "example.com", NULL, "foo");
	jid_ok("king@example.com/\342\231\232", "king", "example.com", NULL, "\342\231\232");
	jid_ok("example.com", NULL, "example.com", NULL, NULL);
	jid_ok("example.com/foobar", NULL, "example.com", NULL, "foobar");
	jid_ok("a.example.com/b@example.net", NULL, "a.example.com", NULL, "b@example.net");

	jid_err("\"juliet\"@example.com", XMPPC_EJID_INVALID_LOCAL);
	jid_err("foo bar@example.com", XMPPC_EJID_INVALID_LOCAL);
	/* Listed as invalid by RFC 7622 (example 18), but no rule forbids a
	 * leading space in a resourcepart: OpaqueString allows spaces. This
	 * implementation accepts it (see doc/jid.md). */
	jid_ok("juliet@example.com/ foo", "juliet", "example.com", NULL, " foo");
	jid_err("@example.com/", XMPPC_EJID_EMPTY_LOCAL);
	jid_err("henry\342\205\243@example.com", XMPPC_EJID_INVALID_LOCAL);
	jid_err("\342\231\232@example.com", XMPPC_EJID_INVALID_LOCAL);
	jid_err("juliet@", XMPPC_EJID_EMPTY_DOMAIN);
	jid_err("/foobar", XMPPC_EJID_EMPTY_DOMAIN);
}

static void test_refcount(void **state)
{
	xmppc_ctx *c;
	xmppc_jid *j;

	(void)state;
	assert_int_equal(xmppc_ctx_new(&c, NULL), 0);
	assert_int_equal(xmppc_jid_new(&j, c, "a@b/c"), 0);
	/* the JID holds the context */
	assert_non_null(xmppc_ctx_unref(c));
	assert_ptr_equal(xmppc_jid_ref(j), j);
	assert_ptr_equal(xmppc_jid_ref(j), j);
	assert_ptr_equal(xmppc_jid_unref(j), j);
	assert_ptr_equal(xmppc_jid_unref(j), j);
	assert_string_equal(xmppc_jid_full(j), "a@b/c");
	/* last reference: frees the JID and then the context */
	assert_null(xmppc_jid_unref(j));
}

/* Fail each allocation in turn: every failure is XMPPC_ENOMEM, leaves the
 * out-parameter alone and leaks nothing. */
static void test_alloc_failure(void **state)
{
	static const char *const inputs[] = {
	    "juliet@example.com/balcony",
	    "Juliet@EXAMPLE.com./Balcony",
	    "\357\274\252\357\275\225@m\303\274nchen.de/r\303\251",
	    "u@xn--mnchen-3ya.de",
	    "[::1]/r",
	    "192.0.2.1",
	    "example.com",
	    "a b@example.com",
	};
	failalloc fa = {0, 0, 0, 0};
	xmppc_allocator a = failalloc_allocator(&fa);
	xmppc_ctx *c;
	xmppc_jid *base;
	size_t k;
	long n, live;
	int rc;

	(void)state;
	assert_int_equal(xmppc_ctx_new(&c, &a), 0);
	for (k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++) {
		rc = XMPPC_ENOMEM;
		for (n = 1; rc == XMPPC_ENOMEM; n++) {
			xmppc_jid *j = NULL;

			live = fa.live;
			failalloc_arm(&fa, n);
			rc = xmppc_jid_new(&j, c, inputs[k]);
			failalloc_arm(&fa, 0);
			if (rc == XMPPC_ENOMEM) {
				assert_null(j);
			} else {
				assert_int_equal(fa.failed, 0);
				xmppc_jid_unref(j);
			}
			assert_int_equal(fa.live, live);
			assert_true(n < 200);
		}
		/* the last input is invalid: the loop ends with its error */
		assert_int_equal(
		    rc, k + 1 < sizeof(inputs) / sizeof(inputs[0]) ? 0 : XMPPC_EJID_INVALID_LOCAL);
	}

	/* to_bare, with_resource and new_from_parts */
	assert_int_equal(xmppc_jid_new(&base, c, "juliet@example.com/balcony"), 0);
	for (k = 0; k < 3; k++) {
		rc = XMPPC_ENOMEM;
		for (n = 1; rc == XMPPC_ENOMEM; n++) {
			xmppc_jid *j = NULL;

			live = fa.live;
			failalloc_arm(&fa, n);
			if (k == 0)
				rc = xmppc_jid_to_bare(&j, base);
			else if (k == 1)
				rc = xmppc_jid_with_resource(&j, base, "Garden\302\2402");
			else
				rc = xmppc_jid_new_from_parts(&j, c, "R\303\251", "Example.org",
				                              "x");
			failalloc_arm(&fa, 0);
			if (rc == XMPPC_ENOMEM) {
				assert_null(j);
			} else {
				assert_int_equal(rc, 0);
				assert_int_equal(fa.failed, 0);
				xmppc_jid_unref(j);
			}
			assert_int_equal(fa.live, live);
			assert_true(n < 200);
		}
	}
	xmppc_jid_unref(base);
	assert_null(xmppc_ctx_unref(c));
	assert_int_equal(fa.live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_accessors), cmocka_unit_test(test_normalisation),
	    cmocka_unit_test(test_compare),         cmocka_unit_test(test_bare_and_with_resource),
	    cmocka_unit_test(test_from_parts),      cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_lengths),         cmocka_unit_test(test_rfc7622_examples),
	    cmocka_unit_test(test_refcount),        cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
