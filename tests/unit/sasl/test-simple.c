/* PLAIN, EXTERNAL, ANONYMOUS (lib/sasl/simple.c), the built-in registry
 * and the channel-binding type names. */
#include "exchange.h"

#include "sasl/sasl-internal.h"
#include <xmppc/sys/sasl.h>

static void exch_init(exch *e, const char *mech)
{
	exch_init_mech(e, xmppc_sasl_builtin(mech));
	assert_non_null(e->m);
}

static int start(exch *e)
{
	int rc = e->m->start(&e->st, e->m, &e->p, e->out, &e->has);

	if (rc != 0) {
		assert_null(e->st);
		assert_int_equal(e->has, 0);
		assert_int_equal(xmppc_buf_len(e->out), 0);
	}
	return rc;
}

static void assert_out(exch *e, const char *expect, size_t len)
{
	assert_int_equal(e->has, 1);
	assert_int_equal(xmppc_buf_len(e->out), len);
	assert_memory_equal(xmppc_buf_data(e->out), expect, len);
}

#define ASSERT_OUT(e, lit) assert_out((e), (lit), sizeof(lit) - 1)

static void test_plain(void **unused)
{
	exch e;

	(void)unused;
	exch_init(&e, "PLAIN");
	assert_int_equal(e.m->flags, XMPPC_SASL_CLEARTEXT | XMPPC_SASL_NEEDS_PASSWORD);
	assert_int_equal(start(&e), 0);
	ASSERT_OUT(&e, "\0user\0pencil");
	assert_int_equal(e.m->success(e.st, NULL, 0), 0);
	/* a second success is the server's confusion */
	assert_int_equal(e.m->success(e.st, NULL, 0), XMPPC_ESASL_MALFORMED);
	exch_done(&e);

	/* RFC 4616 §4 example: authzid Ursel, authcid Kurt, password xipj3plmq */
	exch_init(&e, "PLAIN");
	e.p.authzid = "Ursel";
	e.p.authcid = "Kurt";
	e.p.password = "xipj3plmq";
	e.p.password_len = 9;
	assert_int_equal(start(&e), 0);
	ASSERT_OUT(&e, "Ursel\0Kurt\0xipj3plmq");
	/* additional data with success means nothing to PLAIN */
	assert_int_equal(e.m->success(e.st, (const unsigned char *)"x", 1), 0);
	exch_done(&e);

	/* the password goes through OpaqueString: NBSP -> SP, NFC */
	exch_init(&e, "PLAIN");
	e.p.password = "pe\xc2\xa0nce\xcc\x81il";
	e.p.password_len = strlen(e.p.password);
	assert_int_equal(start(&e), 0);
	ASSERT_OUT(&e, "\0user\0pe nc\xc3\xa9il");
	/* a challenge is a protocol error */
	assert_int_equal(e.m->step(e.st, (const unsigned char *)"", 0, e.out),
	                 XMPPC_ESASL_MALFORMED);
	assert_int_equal(xmppc_buf_len(e.out), 0);
	assert_int_equal(e.m->step(e.st, (const unsigned char *)"", 0, e.out), XMPPC_ESTATE);
	assert_int_equal(e.m->success(e.st, NULL, 0), XMPPC_ESTATE);
	exch_done(&e);

	/* refusals */
	exch_init(&e, "PLAIN");
	e.p.password = NULL;
	assert_int_equal(start(&e), XMPPC_ESASL_NO_CREDENTIALS);
	e.p.password = "a\0b";
	e.p.password_len = 3;
	assert_int_equal(start(&e), XMPPC_EPRECIS_DISALLOWED);
	e.p.password = "";
	e.p.password_len = 0;
	assert_int_equal(start(&e), XMPPC_EPRECIS_EMPTY);
	e.p.password = "pencil";
	e.p.password_len = 6;
	e.p.authcid = NULL;
	assert_int_equal(start(&e), XMPPC_EINVAL);
	e.p.authcid = "";
	assert_int_equal(start(&e), XMPPC_EINVAL);
	exch_done(&e);
}

static void test_external(void **unused)
{
	exch e;

	(void)unused;
	exch_init(&e, "EXTERNAL");
	assert_int_equal(e.m->flags, 0);
	e.p.password = NULL;
	assert_int_equal(start(&e), 0);
	assert_out(&e, "", 0);
	assert_int_equal(e.m->success(e.st, NULL, 0), 0);
	exch_done(&e);

	exch_init(&e, "EXTERNAL");
	e.p.authzid = "juliet@example.com";
	assert_int_equal(start(&e), 0);
	ASSERT_OUT(&e, "juliet@example.com");
	assert_int_equal(e.m->step(e.st, (const unsigned char *)"?", 1, e.out),
	                 XMPPC_ESASL_MALFORMED);
	exch_done(&e);
}

static void test_anonymous(void **unused)
{
	exch e;

	(void)unused;
	exch_init(&e, "ANONYMOUS");
	assert_int_equal(e.m->flags, 0);
	e.p.authcid = NULL;
	e.p.password = NULL;
	assert_int_equal(start(&e), 0);
	assert_out(&e, "", 0);
	assert_int_equal(e.m->success(e.st, NULL, 0), 0);
	exch_done(&e);
}

static void test_bad_arguments(void **unused)
{
	static const char *const names[] = {"PLAIN", "EXTERNAL", "ANONYMOUS"};
	size_t i;
	exch e;

	(void)unused;
	for (i = 0; i < 3; i++) {
		exch_init(&e, names[i]);
		assert_int_equal(e.m->start(NULL, e.m, &e.p, e.out, &e.has), XMPPC_EINVAL);
		assert_int_equal(e.m->start(&e.st, e.m, NULL, e.out, &e.has), XMPPC_EINVAL);
		assert_int_equal(e.m->start(&e.st, e.m, &e.p, NULL, &e.has), XMPPC_EINVAL);
		assert_int_equal(e.m->start(&e.st, e.m, &e.p, e.out, NULL), XMPPC_EINVAL);
		e.p.version = 0;
		assert_int_equal(e.m->start(&e.st, e.m, &e.p, e.out, &e.has), XMPPC_EINVAL);
		e.p.version = XMPPC_SASL_PARAMS_VERSION;
		e.p.ctx = NULL;
		assert_int_equal(e.m->start(&e.st, e.m, &e.p, e.out, &e.has), XMPPC_EINVAL);
		assert_int_equal(e.m->step(NULL, NULL, 0, e.out), XMPPC_EINVAL);
		assert_int_equal(e.m->success(NULL, NULL, 0), XMPPC_EINVAL);
		e.m->free_state(NULL);
		exch_done(&e);
	}
}

static void test_alloc_failures(void **unused)
{
	static const char *const names[] = {"PLAIN", "EXTERNAL", "ANONYMOUS"};
	size_t i;
	long n;
	int rc;
	exch e;

	(void)unused;
	for (i = 0; i < 3; i++) {
		for (n = 1;; n++) {
			exch_init(&e, names[i]);
			e.p.authzid = "admin";
			e.a.fail_at = e.a.calls + n;
			rc = start(&e);
			e.a.fail_at = 0;
			if (rc == 0) {
				assert_int_equal(e.m->success(e.st, NULL, 0), 0);
				exch_done(&e);
				break;
			}
			assert_int_equal(rc, XMPPC_ENOMEM);
			exch_done(&e);
			assert_true(n < 100);
		}
		assert_true(n > 1);
	}
}

static void test_builtins(void **unused)
{
	static const struct {
		const char *name;
		int strength;
		unsigned flags;
	} expect[] = {
	    {"SCRAM-SHA-512-PLUS", 100,
	     XMPPC_SASL_CHANNEL_BINDING | XMPPC_SASL_NEEDS_PASSWORD | XMPPC_SASL_MUTUAL},
	    {"SCRAM-SHA-256-PLUS", 95,
	     XMPPC_SASL_CHANNEL_BINDING | XMPPC_SASL_NEEDS_PASSWORD | XMPPC_SASL_MUTUAL},
	    {"SCRAM-SHA-1-PLUS", 90,
	     XMPPC_SASL_CHANNEL_BINDING | XMPPC_SASL_NEEDS_PASSWORD | XMPPC_SASL_MUTUAL},
	    {"SCRAM-SHA-512", 80, XMPPC_SASL_NEEDS_PASSWORD | XMPPC_SASL_MUTUAL},
	    {"SCRAM-SHA-256", 75, XMPPC_SASL_NEEDS_PASSWORD | XMPPC_SASL_MUTUAL},
	    {"SCRAM-SHA-1", 70, XMPPC_SASL_NEEDS_PASSWORD | XMPPC_SASL_MUTUAL},
	    {"EXTERNAL", 60, 0},
	    {"PLAIN", 10, XMPPC_SASL_CLEARTEXT | XMPPC_SASL_NEEDS_PASSWORD},
	    {"ANONYMOUS", 5, 0},
	};
	const xmppc_sasl_mechanism *const *list;
	size_t n, i;

	(void)unused;
	list = xmppc_sasl_builtins(&n);
	assert_int_equal(n, sizeof(expect) / sizeof(expect[0]));
	for (i = 0; i < n; i++) {
		assert_string_equal(list[i]->name, expect[i].name);
		assert_int_equal(list[i]->strength, expect[i].strength);
		assert_int_equal(list[i]->flags, expect[i].flags);
		assert_int_equal(list[i]->version, XMPPC_SASL_MECHANISM_VERSION);
		assert_non_null(list[i]->start);
		assert_non_null(list[i]->step);
		assert_non_null(list[i]->success);
		assert_non_null(list[i]->free_state);
		assert_ptr_equal(xmppc_sasl_builtin(expect[i].name), list[i]);
		if (i > 0)
			assert_true(list[i - 1]->strength > list[i]->strength);
	}
	assert_null(xmppc_sasl_builtin(NULL));
	assert_null(xmppc_sasl_builtin(""));
	assert_null(xmppc_sasl_builtin("scram-sha-1"));
	assert_null(xmppc_sasl_builtin("SCRAM-SHA-1 "));
	assert_null(xmppc_sasl_builtin("DIGEST-MD5"));
	assert_ptr_equal(xmppc_sasl_builtins(NULL), list);
}

static void test_cb_names(void **unused)
{
	(void)unused;
	assert_null(xmppc_cb_type_name(XMPPC_CB_NONE));
	assert_string_equal(xmppc_cb_type_name(XMPPC_CB_TLS_UNIQUE), "tls-unique");
	assert_string_equal(xmppc_cb_type_name(XMPPC_CB_TLS_SERVER_END_POINT),
	                    "tls-server-end-point");
	assert_string_equal(xmppc_cb_type_name(XMPPC_CB_TLS_EXPORTER), "tls-exporter");
	assert_null(xmppc_cb_type_name((xmppc_cb_type)XMPPC_CB_TYPE_COUNT));
	assert_null(xmppc_cb_type_name((xmppc_cb_type)-1));

	assert_int_equal(xmppc_cb_type_from_name("tls-exporter", 12), XMPPC_CB_TLS_EXPORTER);
	assert_int_equal(xmppc_cb_type_from_name("tls-unique", 10), XMPPC_CB_TLS_UNIQUE);
	assert_int_equal(xmppc_cb_type_from_name("tls-server-end-point", 20),
	                 XMPPC_CB_TLS_SERVER_END_POINT);
	/* not NUL-terminated: only len bytes count */
	assert_int_equal(xmppc_cb_type_from_name("tls-uniquex", 10), XMPPC_CB_TLS_UNIQUE);
	assert_int_equal(xmppc_cb_type_from_name("tls-unique", 9), XMPPC_CB_NONE);
	assert_int_equal(xmppc_cb_type_from_name("TLS-UNIQUE", 10), XMPPC_CB_NONE);
	assert_int_equal(xmppc_cb_type_from_name("", 0), XMPPC_CB_NONE);
	assert_int_equal(xmppc_cb_type_from_name(NULL, 3), XMPPC_CB_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),          cmocka_unit_test(test_external),
	    cmocka_unit_test(test_anonymous),      cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_alloc_failures), cmocka_unit_test(test_builtins),
	    cmocka_unit_test(test_cb_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
