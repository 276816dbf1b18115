/* The Cyrus SASL bridge (lib/sasl/cyrus.c), and the built-in SCRAM client
 * against Cyrus's SCRAM server plugin (an independent implementation).
 *
 * Needs libsasl2 and its plugins (Debian: libsasl2-modules for PLAIN,
 * CRAM-MD5, SCRAM; libsasl2-modules-db for the sasldb the server side
 * keeps its test user in). Without a usable client plugin the whole test
 * is skipped (exit status 77); without a usable server side only the
 * interop cases are. */
#include "config.h"
#include "exchange.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sasl/sasl-internal.h"
#include <xmppc/sys/sasl-cyrus.h>

#if XMPPC_HAVE_CYRUS_SASL
#include <sasl/sasl.h>
#endif

#define exch_init exch_init_mech

static const xmppc_sasl_mechanism *cyrus(const char *name)
{
	const xmppc_sasl_mechanism *m = NULL;

	if (xmppc_sasl_cyrus_mechanism(&m, name) != 0)
		return NULL;
	return m;
}

/* ---- the bridge ---------------------------------------------------------- */

static void test_names(void **unused)
{
	const xmppc_sasl_mechanism *m = (const void *)1, *again = NULL;

	(void)unused;
	assert_int_equal(xmppc_sasl_cyrus_mechanism(NULL, "PLAIN"), XMPPC_EINVAL);
	assert_int_equal(xmppc_sasl_cyrus_mechanism(&m, NULL), XMPPC_EINVAL);
	assert_null(m);
	assert_int_equal(xmppc_sasl_cyrus_mechanism(&m, ""), XMPPC_EINVAL);
	assert_int_equal(xmppc_sasl_cyrus_mechanism(&m, "plain"), XMPPC_EINVAL);
	assert_int_equal(xmppc_sasl_cyrus_mechanism(&m, "PLAIN "), XMPPC_EINVAL);
	assert_int_equal(xmppc_sasl_cyrus_mechanism(&m, "ABCDEFGHIJKLMNOPQRSTU"), XMPPC_EINVAL);
	assert_int_equal(xmppc_sasl_cyrus_mechanism(&m, "NO-SUCH-MECHANISM"), XMPPC_ENOTFOUND);
	assert_null(m);
	/* PLAIN has no channel-binding form */
	assert_int_equal(xmppc_sasl_cyrus_mechanism(&m, "PLAIN-PLUS"), XMPPC_ENOTFOUND);

	assert_int_equal(xmppc_sasl_cyrus_mechanism(&m, "PLAIN"), 0);
	assert_int_equal(xmppc_sasl_cyrus_mechanism(&again, "PLAIN"), 0);
	assert_ptr_equal(m, again);
	assert_string_equal(m->name, "PLAIN");
	assert_int_equal(m->version, XMPPC_SASL_MECHANISM_VERSION);
	assert_int_equal(m->flags, XMPPC_SASL_CLEARTEXT | XMPPC_SASL_NEEDS_PASSWORD);
	assert_int_equal(m->strength, 8);
	/* never confused with the built-in of the same name */
	assert_ptr_not_equal(m, xmppc_sasl_builtin("PLAIN"));

	m = cyrus("CRAM-MD5");
	if (m != NULL) {
		assert_int_equal(m->flags, XMPPC_SASL_NEEDS_PASSWORD);
		assert_int_equal(m->strength, 20);
	}
	m = cyrus("SCRAM-SHA-256");
	if (m != NULL) {
		assert_int_equal(m->flags, XMPPC_SASL_NEEDS_PASSWORD | XMPPC_SASL_MUTUAL);
		assert_int_equal(m->strength, 40);
	}
	m = cyrus("SCRAM-SHA-256-PLUS");
	if (m != NULL)
		assert_int_equal(m->flags, XMPPC_SASL_NEEDS_PASSWORD | XMPPC_SASL_MUTUAL |
		                               XMPPC_SASL_CHANNEL_BINDING);
	m = cyrus("ANONYMOUS");
	if (m != NULL) {
		assert_int_equal(m->flags, 0);
		assert_int_equal(m->strength, 4);
	}
}

/* Cyrus's PLAIN and ours send the same bytes. */
static void plain_compare(const char *authzid, const char *password)
{
	xmppc_buf *ours = NULL;
	exch e;

	exch_init(&e, xmppc_sasl_builtin("PLAIN"));
	e.p.authzid = authzid;
	e.p.password = password;
	e.p.password_len = strlen(password);
	assert_int_equal(e.m->start(&e.st, e.m, &e.p, e.out, &e.has), 0);
	assert_int_equal(xmppc_buf_new(&ours, e.ctx), 0);
	assert_int_equal(xmppc_buf_append(ours, xmppc_buf_data(e.out), xmppc_buf_len(e.out)), 0);
	e.m->free_state(e.st);
	e.st = NULL;

	e.m = cyrus("PLAIN");
	assert_non_null(e.m);
	assert_int_equal(e.m->start(&e.st, e.m, &e.p, e.out, &e.has), 0);
	assert_int_equal(e.has, 1);
	assert_int_equal(xmppc_buf_len(e.out), xmppc_buf_len(ours));
	assert_memory_equal(xmppc_buf_data(e.out), xmppc_buf_data(ours), xmppc_buf_len(ours));
	assert_int_equal(e.m->success(e.st, NULL, 0), 0);
	assert_int_equal(e.m->success(e.st, NULL, 0), XMPPC_ESASL_MALFORMED);
	xmppc_buf_free(ours);
	exch_done(&e);
}

static void test_plain(void **unused)
{
	exch e;

	(void)unused;
	plain_compare(NULL, "pencil");
	plain_compare("admin@example.org", "pencil");
	/* the bridge prepares the password like the built-ins */
	plain_compare(NULL, "pe\xc2\xa0nce\xcc\x81il");

	/* a password the profile refuses is reported as such */
	exch_init(&e, cyrus("PLAIN"));
	e.p.password = "bell\a";
	e.p.password_len = 5;
	assert_int_equal(e.m->start(&e.st, e.m, &e.p, e.out, &e.has), XMPPC_EPRECIS_DISALLOWED);
	assert_null(e.st);
	e.p.password = NULL;
	assert_int_equal(e.m->start(&e.st, e.m, &e.p, e.out, &e.has), XMPPC_ESASL_NO_CREDENTIALS);
	exch_done(&e);
}

/* RFC 2195 §2 example. */
static void test_cram_md5(void **unused)
{
	static const char challenge[] = "<1896.697170952@postoffice.reston.mci.net>";
	static const char expect[] = "tim b913a602c7eda7a495b4e6e7334d3890";
	const xmppc_sasl_mechanism *m = cyrus("CRAM-MD5");
	exch e;

	(void)unused;
	if (m == NULL)
		skip();
	exch_init(&e, m);
	e.p.authcid = "tim";
	e.p.password = "tanstaaftanstaaf";
	e.p.password_len = strlen(e.p.password);
	assert_int_equal(m->start(&e.st, m, &e.p, e.out, &e.has), 0);
	assert_int_equal(e.has, 0); /* server first */
	assert_int_equal(m->step(e.st, (const unsigned char *)challenge, strlen(challenge), e.out),
	                 0);
	assert_int_equal(xmppc_buf_len(e.out), strlen(expect));
	assert_string_equal(xmppc_buf_data(e.out), expect);
	/* done: another challenge, or data with the success, is refused */
	assert_int_equal(m->success(e.st, NULL, 0), 0);
	exch_done(&e);

	exch_init(&e, m);
	e.p.authcid = "tim";
	e.p.password = "tanstaaftanstaaf";
	e.p.password_len = strlen(e.p.password);
	e.p.max_challenges = 1;
	assert_int_equal(m->start(&e.st, m, &e.p, e.out, &e.has), 0);
	assert_int_equal(m->step(e.st, (const unsigned char *)challenge, strlen(challenge), e.out),
	                 0);
	assert_int_equal(m->step(e.st, (const unsigned char *)"x", 1, e.out),
	                 XMPPC_ESASL_TOO_MANY_CHALLENGES);
	assert_int_equal(m->step(e.st, (const unsigned char *)"x", 1, e.out), XMPPC_ESTATE);
	exch_done(&e);

	exch_init(&e, m);
	e.p.authcid = "tim";
	e.p.password = "tanstaaftanstaaf";
	e.p.password_len = strlen(e.p.password);
	assert_int_equal(m->start(&e.st, m, &e.p, e.out, &e.has), 0);
	assert_int_equal(m->step(e.st, (const unsigned char *)challenge, strlen(challenge), e.out),
	                 0);
	assert_int_equal(m->success(e.st, (const unsigned char *)"x", 1), XMPPC_ESASL_MALFORMED);
	exch_done(&e);
}

static void test_alloc_failures(void **unused)
{
	const xmppc_sasl_mechanism *m = cyrus("PLAIN");
	long n;
	int rc;
	exch e;

	(void)unused;
	for (n = 1;; n++) {
		exch_init(&e, m);
		e.a.fail_at = e.a.calls + n;
		rc = m->start(&e.st, m, &e.p, e.out, &e.has);
		e.a.fail_at = 0;
		if (rc == 0) {
			assert_int_equal(m->success(e.st, NULL, 0), 0);
			exch_done(&e);
			break;
		}
		assert_int_equal(rc, XMPPC_ENOMEM);
		assert_null(e.st);
		exch_done(&e);
		assert_true(n < 100);
	}
	assert_true(n > 1);
}

/* ---- built-in SCRAM against Cyrus's SCRAM server ------------------------- */

#if XMPPC_HAVE_CYRUS_SASL

static char db_dir[64];
static char db_path[128];
static int server_ready;

static int server_getopt(void *context, const char *plugin, const char *option, const char **result,
                         unsigned *len)
{
	const char *v = NULL;

	(void)context;
	(void)plugin;
	if (strcmp(option, "sasldb_path") == 0)
		v = db_path;
	else if (strcmp(option, "auxprop_plugin") == 0)
		v = "sasldb";
	else if (strcmp(option, "pwcheck_method") == 0)
		v = "auxprop";
	if (v == NULL)
		return SASL_FAIL;
	*result = v;
	if (len != NULL)
		*len = (unsigned)strlen(v);
	return SASL_OK;
}

static int server_log(void *context, int level, const char *message)
{
	(void)context;
	if (level <= SASL_LOG_WARN)
		print_message("cyrus server: %s\n", message);
	return SASL_OK;
}

static const sasl_callback_t server_callbacks[] = {
    {SASL_CB_GETOPT, (int (*)(void))(uintptr_t)server_getopt, NULL},
    {SASL_CB_LOG, (int (*)(void))(uintptr_t)server_log, NULL},
    {SASL_CB_LIST_END, NULL, NULL},
};

static sasl_conn_t *server_new(unsigned flags, const unsigned char *cb, size_t cb_len,
                               const char *cb_name)
{
	static sasl_channel_binding_t binding;
	sasl_conn_t *s = NULL;

	if (sasl_server_new("xmpp", "example.org", "example.org", NULL, NULL, server_callbacks,
	                    flags, &s) != SASL_OK)
		return NULL;
	if (cb != NULL) {
		binding.name = cb_name;
		binding.critical = 0;
		binding.len = cb_len;
		binding.data = cb;
		assert_int_equal(sasl_setprop(s, SASL_CHANNEL_BINDING, &binding), SASL_OK);
	}
	return s;
}

static int server_setup(void **state)
{
	sasl_conn_t *s;
	int rc;

	(void)state;
	snprintf(db_dir, sizeof(db_dir), "/tmp/xmppc-sasldb.XXXXXX");
	if (mkdtemp(db_dir) == NULL)
		return 0;
	snprintf(db_path, sizeof(db_path), "%s/sasldb2", db_dir);
	if (sasl_server_init(server_callbacks, "xmppc-test") != SASL_OK)
		return 0;
	s = server_new(0, NULL, 0, NULL);
	if (s == NULL)
		return 0;
	rc = sasl_setpass(s, "user", "pencil", 6, NULL, 0, SASL_SET_CREATE);
	sasl_dispose(&s);
	server_ready = rc == SASL_OK;
	return 0;
}

static int server_teardown(void **state)
{
	(void)state;
	if (db_dir[0] != '\0') {
		unlink(db_path);
		rmdir(db_dir);
	}
	return 0;
}

/* One exchange of our client (mech) against the Cyrus server. With
 * success_data the server sends v= with its outcome (the XMPP way);
 * without, as a last challenge answered by an empty response. Returns
 * the client's error, or 1 if the server refused the client. */
static int interop(const xmppc_sasl_mechanism *m, const char *password, int success_data,
                   const char *tamper)
{
	static const unsigned char cb[] = "fake tls-exporter data, 32 bytes";
	const char *sout = NULL;
	unsigned slen = 0;
	sasl_conn_t *s;
	int rc, src;
	exch e;

	exch_init(&e, m);
	e.p.password = password;
	e.p.password_len = strlen(password);
	if (m->flags & XMPPC_SASL_CHANNEL_BINDING) {
		e.p.cb_type = XMPPC_CB_TLS_EXPORTER;
		e.p.cb_data = cb;
		e.p.cb_data_len = sizeof(cb) - 1;
	}
	s = server_new(success_data ? SASL_SUCCESS_DATA : 0, e.p.cb_data, e.p.cb_data_len,
	               "tls-exporter");
	assert_non_null(s);

	rc = m->start(&e.st, m, &e.p, e.out, &e.has);
	assert_int_equal(rc, 0);
	src = sasl_server_start(s, m->name, xmppc_buf_data(e.out), (unsigned)xmppc_buf_len(e.out),
	                        &sout, &slen);
	assert_int_equal(src, SASL_CONTINUE);
	rc = m->step(e.st, (const unsigned char *)sout, slen, e.out);
	assert_int_equal(rc, 0);
	src = sasl_server_step(s, xmppc_buf_data(e.out), (unsigned)xmppc_buf_len(e.out), &sout,
	                       &slen);
	if (src != SASL_OK && src != SASL_CONTINUE) {
		rc = 1;
		goto out;
	}
	if (tamper != NULL) {
		sout = tamper;
		slen = (unsigned)strlen(tamper);
	}
	if (success_data) {
		assert_int_equal(src, SASL_OK);
		rc = m->success(e.st, (const unsigned char *)sout, slen);
	} else {
		assert_int_equal(src, SASL_CONTINUE);
		rc = m->step(e.st, (const unsigned char *)sout, slen, e.out);
		if (rc == 0) {
			assert_int_equal(xmppc_buf_len(e.out), 0);
			src = sasl_server_step(s, "", 0, &sout, &slen);
			assert_int_equal(src, SASL_OK);
			rc = m->success(e.st, NULL, 0);
		}
	}
out:
	sasl_dispose(&s);
	exch_done(&e);
	return rc;
}

/* A well-formed server signature of the right length, but wrong. */
static const char *const wrong_sig[] = {
    "v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
};

static void test_scram_interop(void **unused)
{
	static const char *const names[] = {
	    "SCRAM-SHA-1",      "SCRAM-SHA-256",      "SCRAM-SHA-512",
	    "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-512-PLUS",
	};
	size_t i;

	(void)unused;
	if (!server_ready) {
		print_message("Cyrus server side (sasldb) unusable: interop skipped\n");
		skip();
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const xmppc_sasl_mechanism *ours = xmppc_sasl_builtin(names[i]);

		print_message("%s\n", names[i]);
		assert_int_equal(interop(ours, "pencil", 1, NULL), 0);
		assert_int_equal(interop(ours, "pencil", 0, NULL), 0);
		/* the server refuses a wrong password */
		assert_int_equal(interop(ours, "pencil2", 1, NULL), 1);
		/* and we refuse a server that does not know ours */
		assert_int_equal(interop(ours, "pencil", 1, "v=AAAA"),
		                 XMPPC_ESASL_SERVER_SIGNATURE);
		assert_int_equal(interop(ours, "pencil", 1, wrong_sig[i % 3]),
		                 XMPPC_ESASL_SERVER_SIGNATURE);
		assert_int_equal(interop(ours, "pencil", 0, wrong_sig[i % 3]),
		                 XMPPC_ESASL_SERVER_SIGNATURE);
	}
	/* the bridge drives Cyrus's own SCRAM client against it too */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const xmppc_sasl_mechanism *m = cyrus(names[i]);

		if (m == NULL)
			continue;
		print_message("Cyrus client %s\n", names[i]);
		assert_int_equal(interop(m, "pencil", 1, NULL), 0);
		assert_int_equal(interop(m, "pencil", 0, NULL), 0);
		assert_int_equal(interop(m, "pencil", 1, wrong_sig[i % 3]),
		                 XMPPC_ESASL_SERVER_SIGNATURE);
		/* Cyrus calls a signature of the wrong length a protocol error */
		assert_int_equal(interop(m, "pencil", 1, "v=AAAA"), XMPPC_ESASL_MALFORMED);
	}
}

#else

static int server_setup(void **state)
{
	(void)state;
	return 0;
}

static int server_teardown(void **state)
{
	(void)state;
	return 0;
}

static void test_scram_interop(void **unused)
{
	(void)unused;
	skip();
}

#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),         cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_cram_md5),      cmocka_unit_test(test_alloc_failures),
	    cmocka_unit_test(test_scram_interop),
	};
	const xmppc_sasl_mechanism *m = NULL;
	int rc;

	rc = xmppc_sasl_cyrus_mechanism(&m, "PLAIN");
	if (rc == XMPPC_EUNSUPPORTED) {
		printf("SKIP: xmppc was built without Cyrus SASL (-Dcyrus-sasl=disabled or no "
		       "libsasl2)\n");
		return 77;
	}
	if (rc != 0) {
		printf("SKIP: Cyrus SASL has no usable PLAIN client plugin here (%s); install "
		       "libsasl2-modules\n",
		       xmppc_error_name(rc));
		return 77;
	}
	return cmocka_run_group_tests(tests, server_setup, server_teardown);
}
