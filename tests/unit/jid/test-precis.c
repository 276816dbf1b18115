/* Unit tests of xmppc_precis_enforce(): the four profiles, every error
 * code, contextual rules, the Bidi Rule, buffer semantics, idempotence and
 * allocation failure. (precis-diff.py compares against precis_i18n on a
 * large generated corpus; these are the hand-checked cases.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <xmppc/buf.h>
#include <xmppc/ctx.h>
#include <xmppc/error.h>
#include <xmppc/precis.h>

#include "failalloc.h"

#define UCM  XMPPC_PRECIS_USERNAME_CASE_MAPPED
#define UCP  XMPPC_PRECIS_USERNAME_CASE_PRESERVED
#define OPQ  XMPPC_PRECIS_OPAQUE_STRING
#define NICK XMPPC_PRECIS_NICKNAME

static const xmppc_precis_profile all_profiles[] = {UCM, UCP, OPQ, NICK};

typedef struct fixture {
	xmppc_ctx *ctx;
	xmppc_buf *out;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(xmppc_ctx_new(&f->ctx, NULL), 0);
	assert_int_equal(xmppc_buf_new(&f->out, f->ctx), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	xmppc_buf_free(f->out);
	assert_null(xmppc_ctx_unref(f->ctx));
	free(f);
	return 0;
}

/* Enforce a NUL-terminated string and check the result: expected output
 * for success (rc 0), or the error code. */
static void check_len(fixture *f, xmppc_precis_profile p, const char *in, size_t len, int rc,
                      const char *expect)
{
	int got = xmppc_precis_enforce(f->out, p, in, len);

	if (got != rc)
		fail_msg("profile %d input \"%s\": got %s, want %s", (int)p, in,
		         xmppc_error_name(got), xmppc_error_name(rc));
	if (rc == 0) {
		assert_string_equal(xmppc_buf_data(f->out), expect);
		assert_int_equal(xmppc_buf_len(f->out), strlen(expect));
	}
}

static void ok(fixture *f, xmppc_precis_profile p, const char *in, const char *expect)
{
	check_len(f, p, in, strlen(in), 0, expect);
}

static void err(fixture *f, xmppc_precis_profile p, const char *in, int rc)
{
	check_len(f, p, in, strlen(in), rc, NULL);
}

/* RFC 8265 §3.5 (examples for the Username profiles) and more. */
static void test_username_case_mapped(void **state)
{
	fixture *f = *state;

	ok(f, UCM, "juliet@example.com", "juliet@example.com");
	ok(f, UCM, "fussball", "fussball");
	ok(f, UCM, "fu\303\237ball", "fu\303\237ball"); /* ß is PVALID (exception) */
	ok(f, UCM, "\317\200", "\317\200");             /* π */
	ok(f, UCM, "\316\243", "\317\203");             /* Σ -> σ */
	ok(f, UCM, "\317\203", "\317\203");             /* σ */
	ok(f, UCM, "\317\202", "\317\202");             /* ς */
	ok(f, UCM, "\316\220", "\316\220");             /* ΐ, NFC keeps it */
	ok(f, UCM, "Juliet", "juliet");
	ok(f, UCM, "JULIET", "juliet");
	/* final sigma: toLowerCase() is context-sensitive */
	ok(f, UCM, "\316\237\316\224\316\237\316\243", "\316\277\316\264\316\277\317\202");
	/* İ lowercases to i + COMBINING DOT ABOVE (full mapping) */
	ok(f, UCM, "\304\260", "i\314\207");
	/* width mapping: fullwidth to ASCII, halfwidth katakana to wide,
	 * then NFC composes KA + voiced mark into GA */
	ok(f, UCM, "\357\274\252\357\275\225\357\275\214", "jul");
	ok(f, UCM, "\357\275\266\357\276\236", "\343\202\254");
	/* NFC */
	ok(f, UCM, "e\314\201", "\303\251");
	ok(f, UCM, "a\314\201\314\243", "\341\272\241\314\201");
	/* KELVIN SIGN: not IdentifierClass itself, but the string class is
	 * checked on the mapped result ("k") */
	ok(f, UCM, "\342\204\252", "k");
	/* Hangul jamo compose into a syllable before the class check */
	ok(f, UCM, "\341\204\200\341\205\241", "\352\260\200");

	err(f, UCM, "foo bar", XMPPC_EPRECIS_DISALLOWED);
	err(f, UCM, "", XMPPC_EPRECIS_EMPTY);
	err(f, UCM, "henry\342\205\243", XMPPC_EPRECIS_DISALLOWED); /* henryⅣ */
	err(f, UCM, "\342\231\232", XMPPC_EPRECIS_DISALLOWED);      /* ♚ */
	err(f, UCM, "\343\200\200", XMPPC_EPRECIS_DISALLOWED);      /* IDEOGRAPHIC SPACE */
	err(f, UCM, "\357\276\241", XMPPC_EPRECIS_DISALLOWED);      /* halfwidth Hangul */
}

static void test_username_case_preserved(void **state)
{
	fixture *f = *state;

	ok(f, UCP, "Juliet", "Juliet");
	ok(f, UCP, "\316\243", "\316\243");
	ok(f, UCP, "\357\274\241\357\274\242", "AB");
	ok(f, UCP, "\342\204\252", "K"); /* NFC maps KELVIN SIGN to K */
	ok(f, UCP, "\304\260", "\304\260");
	err(f, UCP, "foo bar", XMPPC_EPRECIS_DISALLOWED);
	err(f, UCP, "", XMPPC_EPRECIS_EMPTY);
	err(f, UCP, "\342\205\243", XMPPC_EPRECIS_DISALLOWED);
}

/* RFC 8265 §4.3 examples. */
static void test_opaque_string(void **state)
{
	fixture *f = *state;

	ok(f, OPQ, "correct horse battery staple", "correct horse battery staple");
	ok(f, OPQ, "Correct Horse Battery Staple", "Correct Horse Battery Staple");
	ok(f, OPQ, "\317\200\303\237\303\245", "\317\200\303\237\303\245");
	ok(f, OPQ, "Jack of \342\231\246s", "Jack of \342\231\246s");
	ok(f, OPQ, "foo\341\232\200bar", "foo bar"); /* OGHAM SPACE MARK -> SPACE */
	ok(f, OPQ, "\302\240", " ");
	ok(f, OPQ, "  ", "  ");
	ok(f, OPQ, "\342\205\243", "\342\205\243"); /* FREE_PVAL, kept */
	ok(f, OPQ, "\357\274\241", "\357\274\241"); /* no width mapping */
	ok(f, OPQ, "e\314\201", "\303\251");
	ok(f, OPQ, "1\327\220", "1\327\220"); /* no Bidi Rule */
	ok(f, OPQ, "\360\237\230\200", "\360\237\230\200");
	err(f, OPQ, "", XMPPC_EPRECIS_EMPTY);
	err(f, OPQ, "my cat is a \tby", XMPPC_EPRECIS_DISALLOWED);
	err(f, OPQ, "a\342\200\213b", XMPPC_EPRECIS_DISALLOWED); /* ZWSP is ignorable */
	/* emoji ZWJ sequences: ZWJ is CONTEXTJ and only allowed after a virama */
	err(f, OPQ, "\360\237\221\250\342\200\215\360\237\221\251", XMPPC_EPRECIS_CONTEXT);
	/* VARIATION SELECTOR-16 is default ignorable */
	err(f, OPQ, "\342\235\244\357\270\217", XMPPC_EPRECIS_DISALLOWED);
}

/* RFC 8266 §4 examples, enforcement form (case preserved). */
static void test_nickname(void **state)
{
	fixture *f = *state;

	ok(f, NICK, "Foo", "Foo");
	ok(f, NICK, "foo", "foo");
	ok(f, NICK, "Foo Bar", "Foo Bar");
	ok(f, NICK, "foo bar", "foo bar");
	ok(f, NICK, "\316\243", "\316\243");
	ok(f, NICK, "\317\202", "\317\202");
	ok(f, NICK, "\317\224", "\316\253");               /* ϔ -> Ϋ by NFKC */
	ok(f, NICK, "\342\231\232", "\342\231\232");       /* ♚ */
	ok(f, NICK, "Richard \342\205\243", "Richard IV"); /* NFKC */
	ok(f, NICK, "stpeter ", "stpeter");
	ok(f, NICK, "  St  \302\240Peter \343\200\200", "St Peter");
	ok(f, NICK, "\357\274\241", "A");
	/* NFKC turns U+00A8 into SPACE + COMBINING DIAERESIS, and the next
	 * pass strips that space: applied until stable (RFC 8266 §5) */
	ok(f, NICK, "\302\250", "\314\210");
	err(f, NICK, "", XMPPC_EPRECIS_EMPTY);
	err(f, NICK, "   ", XMPPC_EPRECIS_EMPTY);
	err(f, NICK, "\302\240\343\200\200", XMPPC_EPRECIS_EMPTY);
	err(f, NICK, "a\tb", XMPPC_EPRECIS_DISALLOWED);
	err(f, NICK, "\tfoo", XMPPC_EPRECIS_DISALLOWED); /* only U+0020 is trimmed */
}

/* RFC 5892 Appendix A rules. */
static void test_context(void **state)
{
	fixture *f = *state;

	/* A.1 ZWNJ: after a virama, or between joining letters */
	ok(f, UCM, "\340\244\225\340\245\215\342\200\214\340\244\267",
	   "\340\244\225\340\245\215\342\200\214\340\244\267");
	err(f, UCM, "\340\244\225\342\200\214\340\244\267", XMPPC_EPRECIS_CONTEXT);
	ok(f, UCM, "\330\250\342\200\214\331\206", "\330\250\342\200\214\331\206");
	/* transparent marks between are skipped */
	ok(f, UCM, "\330\250\331\216\342\200\214\331\216\331\206",
	   "\330\250\331\216\342\200\214\331\216\331\206");
	/* ALEF is right-joining only: cannot join to what follows */
	err(f, UCM, "\330\247\342\200\214\330\250", XMPPC_EPRECIS_CONTEXT);
	err(f, UCM, "\342\200\214", XMPPC_EPRECIS_CONTEXT);
	err(f, UCM, "a\342\200\214b", XMPPC_EPRECIS_CONTEXT);
	/* A.2 ZWJ: only after a virama */
	ok(f, UCM, "\340\244\225\340\245\215\342\200\215\340\244\267",
	   "\340\244\225\340\245\215\342\200\215\340\244\267");
	err(f, UCM, "\340\244\225\342\200\215\340\244\267", XMPPC_EPRECIS_CONTEXT);
	err(f, UCM, "\342\200\215", XMPPC_EPRECIS_CONTEXT);
	/* A.3 MIDDLE DOT between two l */
	ok(f, UCM, "col\302\267legi", "col\302\267legi");
	ok(f, UCM, "L\302\267L", "l\302\267l"); /* after case mapping */
	err(f, UCP, "L\302\267L", XMPPC_EPRECIS_CONTEXT);
	err(f, UCM, "a\302\267l", XMPPC_EPRECIS_CONTEXT);
	err(f, UCM, "l\302\267", XMPPC_EPRECIS_CONTEXT);
	err(f, UCM, "\302\267l", XMPPC_EPRECIS_CONTEXT);
	/* A.4 GREEK KERAIA followed by Greek */
	ok(f, UCM, "\315\265\316\261", "\315\265\316\261");
	err(f, UCM, "\315\265a", XMPPC_EPRECIS_CONTEXT);
	err(f, UCM, "\316\261\315\265", XMPPC_EPRECIS_CONTEXT);
	/* A.5/A.6 GERESH and GERSHAYIM after Hebrew */
	ok(f, UCM, "\327\220\327\263", "\327\220\327\263");
	ok(f, OPQ, "\327\220\327\264", "\327\220\327\264");
	err(f, OPQ, "a\327\263", XMPPC_EPRECIS_CONTEXT);
	err(f, OPQ, "\327\263", XMPPC_EPRECIS_CONTEXT);
	/* A.7 KATAKANA MIDDLE DOT with some Hiragana, Katakana or Han */
	ok(f, UCM, "\343\202\242\343\203\273\343\202\244", "\343\202\242\343\203\273\343\202\244");
	ok(f, UCM, "\343\203\273\346\274\242", "\343\203\273\346\274\242");
	err(f, UCM, "a\343\203\273b", XMPPC_EPRECIS_CONTEXT);
	err(f, UCM, "\343\203\273", XMPPC_EPRECIS_CONTEXT);
	/* A.8/A.9 the two kinds of Arabic-Indic digits are not mixed */
	ok(f, OPQ, "\331\240\331\241", "\331\240\331\241");
	ok(f, OPQ, "\333\260\333\261", "\333\260\333\261");
	err(f, OPQ, "\331\240\333\260", XMPPC_EPRECIS_CONTEXT);
	ok(f, UCM, "\330\247\331\240\331\241", "\330\247\331\240\331\241");
}

/* RFC 5893 through the Username profiles (the others have no Bidi Rule). */
static void test_bidi(void **state)
{
	fixture *f = *state;

	ok(f, UCM, "\327\220\327\221", "\327\220\327\221");
	ok(f, UCM, "\327\2201", "\327\2201");                 /* RTL may end in EN */
	ok(f, UCM, "\327\220\326\260", "\327\220\326\260");   /* trailing NSM */
	ok(f, UCM, "abc1", "abc1");                           /* no RTL: not applied */
	err(f, UCM, "1\327\220", XMPPC_EPRECIS_BIDI);         /* condition 1 */
	err(f, UCM, "\327\220a", XMPPC_EPRECIS_BIDI);         /* condition 2 */
	err(f, UCM, "\327\220-", XMPPC_EPRECIS_BIDI);         /* condition 3 */
	err(f, UCM, "\330\247\331\2411", XMPPC_EPRECIS_BIDI); /* condition 4 */
	err(f, UCM, "a\327\220", XMPPC_EPRECIS_BIDI);         /* condition 5 */
	err(f, UCM, "ab\331\241", XMPPC_EPRECIS_BIDI);        /* AN in an LTR label */
	err(f, UCP, "1\327\220", XMPPC_EPRECIS_BIDI);
	ok(f, OPQ, "a\327\220", "a\327\220");
	ok(f, NICK, "1\327\220", "1\327\220");
}

static void test_disallowed(void **state)
{
	fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(all_profiles) / sizeof(all_profiles[0]); i++) {
		xmppc_precis_profile p = all_profiles[i];

		err(f, p, "a\001b", XMPPC_EPRECIS_DISALLOWED);         /* control */
		err(f, p, "a\177b", XMPPC_EPRECIS_DISALLOWED);         /* DEL */
		err(f, p, "a\302\205b", XMPPC_EPRECIS_DISALLOWED);     /* NEL */
		err(f, p, "a\302\255b", XMPPC_EPRECIS_DISALLOWED);     /* soft hyphen */
		err(f, p, "a\357\273\277b", XMPPC_EPRECIS_DISALLOWED); /* BOM */
		err(f, p, "a\357\277\276b", XMPPC_EPRECIS_DISALLOWED); /* noncharacter */
		err(f, p, "a\364\217\277\277b", XMPPC_EPRECIS_DISALLOWED);
		err(f, p, "a\356\200\200b", XMPPC_EPRECIS_DISALLOWED);    /* private use */
		err(f, p, "a\315\270b", XMPPC_EPRECIS_DISALLOWED);        /* unassigned */
		err(f, p, "a\360\236\200\260", XMPPC_EPRECIS_DISALLOWED); /* Unicode 15 */
		err(f, p, "\341\204\200", XMPPC_EPRECIS_DISALLOWED);      /* old Hangul jamo */
		err(f, p, "a\342\200\250b", XMPPC_EPRECIS_DISALLOWED);    /* LINE SEPARATOR */
		err(f, p, "\331\200", XMPPC_EPRECIS_DISALLOWED);          /* TATWEEL */
		err(f, p, "\363\240\200\201", XMPPC_EPRECIS_DISALLOWED);  /* LANGUAGE TAG */
		/* an embedded NUL is a control, not the end of the string */
		check_len(f, p, "a\0b", 3, XMPPC_EPRECIS_DISALLOWED, NULL);
	}
	/* ID_DIS in IdentifierClass, FREE_PVAL in FreeformClass */
	err(f, UCM, "a!b c", XMPPC_EPRECIS_DISALLOWED);
	ok(f, UCM, "a!b", "a!b");
	err(f, UCM, "\342\202\254", XMPPC_EPRECIS_DISALLOWED); /* € */
	ok(f, OPQ, "\342\202\254", "\342\202\254");
	/* titlecase: Lt is FREE_PVAL, but case mapping comes first; Dž maps
	 * to dž, which has a compatibility decomposition, ᾈ to ᾀ, which has
	 * only a canonical one */
	err(f, UCM, "\307\205", XMPPC_EPRECIS_DISALLOWED);
	err(f, UCP, "\341\276\210", XMPPC_EPRECIS_DISALLOWED);
	ok(f, UCM, "\341\276\210", "\341\276\200");
}

static void test_invalid_utf8(void **state)
{
	static const char *const bad[] = {
	    "\377",             /* never valid */
	    "\300\257",         /* overlong '/' */
	    "\340\200\257",     /* overlong */
	    "\355\240\200",     /* surrogate */
	    "\342\202",         /* truncated */
	    "a\200",            /* lone continuation */
	    "\364\220\200\200", /* beyond U+10FFFF */
	    "\370\210\200\200\200",
	};
	fixture *f = *state;
	size_t i, k;

	for (i = 0; i < sizeof(all_profiles) / sizeof(all_profiles[0]); i++)
		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
			err(f, all_profiles[i], bad[k], XMPPC_EPRECIS_INVALID_UTF8);
}

static void test_arguments(void **state)
{
	fixture *f = *state;

	assert_int_equal(xmppc_precis_enforce(NULL, UCM, "a", 1), XMPPC_EINVAL);
	assert_int_equal(xmppc_precis_enforce(f->out, UCM, NULL, 1), XMPPC_EINVAL);
	assert_int_equal(xmppc_precis_enforce(f->out, UCM, NULL, 0), XMPPC_EPRECIS_EMPTY);
	assert_int_equal(xmppc_precis_enforce(f->out, (xmppc_precis_profile)0, "a", 1),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc_precis_enforce(f->out, (xmppc_precis_profile)5, "a", 1),
	                 XMPPC_EINVAL);
	/* need not be NUL-terminated */
	check_len(f, UCM, "ABCDEF", 3, 0, "abc");
}

static void test_buffer_semantics(void **state)
{
	fixture *f = *state;

	assert_int_equal(xmppc_buf_append(f->out, "previous", 8), 0);
	/* error: unchanged */
	assert_int_equal(xmppc_precis_enforce(f->out, UCM, "a b", 3), XMPPC_EPRECIS_DISALLOWED);
	assert_string_equal(xmppc_buf_data(f->out), "previous");
	assert_int_equal(xmppc_precis_enforce(f->out, UCM, "\377", 1), XMPPC_EPRECIS_INVALID_UTF8);
	assert_string_equal(xmppc_buf_data(f->out), "previous");
	/* success: replaced, also after a partial consume */
	assert_int_equal(xmppc_buf_consume(f->out, 3), 0);
	assert_int_equal(xmppc_precis_enforce(f->out, UCM, "X", 1), 0);
	assert_string_equal(xmppc_buf_data(f->out), "x");
	assert_int_equal(xmppc_buf_len(f->out), 1);
}

static const char *const samples[] = {
    "Juliet",
    "\316\237\316\224\316\237\316\243",
    "\304\260stanbul",
    "\357\274\252",
    "  St  \302\240Peter ",
    "\317\224",
    "\302\250",
    "Richard \342\205\243",
    "e\314\201\314\243",
    "\341\204\200\341\205\241\341\206\250",
    "\357\275\266\357\276\236",
    "\342\204\252\342\204\246\342\204\253",
    "\357\254\254",
    "\340\245\230",
    "\307\204",
    "\341\276\210",
    "\315\205",
    "\341\272\236",
    "\357\267\272",
};

/* Enforcement is idempotent: the output enforces to itself. */
static void test_idempotent(void **state)
{
	fixture *f = *state;
	xmppc_buf *again;
	size_t i, k;

	assert_int_equal(xmppc_buf_new(&again, f->ctx), 0);
	for (i = 0; i < sizeof(all_profiles) / sizeof(all_profiles[0]); i++) {
		for (k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
			if (xmppc_precis_enforce(f->out, all_profiles[i], samples[k],
			                         strlen(samples[k])) != 0)
				continue;
			assert_int_equal(xmppc_precis_enforce(again, all_profiles[i],
			                                      xmppc_buf_data(f->out),
			                                      xmppc_buf_len(f->out)),
			                 0);
			assert_string_equal(xmppc_buf_data(again), xmppc_buf_data(f->out));
		}
	}
	xmppc_buf_free(again);
}

static void test_long_strings(void **state)
{
	fixture *f = *state;
	char *s = malloc(30001);
	size_t i;

	assert_non_null(s);
	/* PRECIS itself has no length limit. */
	for (i = 0; i < 10000; i++)
		memcpy(s + 3 * i, "\357\274\241", 3); /* FULLWIDTH A */
	s[30000] = '\0';
	assert_int_equal(xmppc_precis_enforce(f->out, UCM, s, 30000), 0);
	assert_int_equal(xmppc_buf_len(f->out), 10000);
	assert_int_equal(xmppc_buf_data(f->out)[9999], 'a');
	/* NFKC expands U+FDFA to 18 code points: more than the buffer
	 * offered to libunistring, which then allocates itself */
	for (i = 0; i < 100; i++)
		memcpy(s + 3 * i, "\357\267\272", 3);
	assert_int_equal(xmppc_precis_enforce(f->out, NICK, s, 300), 0);
	assert_int_equal(xmppc_precis_enforce(f->out, NICK, s, 3), 0);
	assert_true(xmppc_buf_len(f->out) > 18);
	free(s);
}

/* Every allocation in turn fails: each failure is XMPPC_ENOMEM, leaves the
 * buffer alone and leaks nothing; eventually the call succeeds. */
static void test_alloc_failure(void **state)
{
	failalloc fa = {0, 0, 0, 0};
	xmppc_allocator a = failalloc_allocator(&fa);
	xmppc_ctx *ctx;
	size_t i, k;

	(void)state;
	assert_int_equal(xmppc_ctx_new(&ctx, &a), 0);
	for (i = 0; i < sizeof(all_profiles) / sizeof(all_profiles[0]); i++) {
		for (k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
			long n, live;
			int rc = XMPPC_ENOMEM;

			for (n = 1; rc == XMPPC_ENOMEM; n++) {
				xmppc_buf *out;

				failalloc_arm(&fa, 0);
				live = fa.live;
				assert_int_equal(xmppc_buf_new(&out, ctx), 0);
				assert_int_equal(xmppc_buf_append(out, "keep", 4), 0);
				failalloc_arm(&fa, n);
				rc = xmppc_precis_enforce(out, all_profiles[i], samples[k],
				                          strlen(samples[k]));
				if (rc == XMPPC_ENOMEM) {
					assert_int_equal(fa.failed, 1);
					assert_string_equal(xmppc_buf_data(out), "keep");
				} else {
					/* no allocation was left to fail: a refused
					 * allocation must never be swallowed */
					assert_int_equal(fa.failed, 0);
				}
				failalloc_arm(&fa, 0);
				xmppc_buf_free(out);
				assert_int_equal(fa.live, live);
				assert_true(n < 100);
			}
		}
	}
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(fa.live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_username_case_mapped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_username_case_preserved, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_opaque_string, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nickname, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_context, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bidi, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disallowed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_buffer_semantics, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idempotent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_strings, setup, teardown),
	    cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
