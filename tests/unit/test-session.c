/* Session API beyond the transcripts: modules, extension providers,
 * re-entry rules, deferred free, and a full negotiation with every
 * allocation failing in turn. */
#include <stdio.h>

#include "testutil.h"
#include "util/random.h"

#define NS_ "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
#define SRV(id) "<stream:stream " NS_ " id='" id "' from='example.com' version='1.0'>"

static void fixed_random(void *ud, void *buf, size_t n)
{
	(void)ud;
	memset(buf, 1, n);
}

static xmppc_session *new_session(xmppc_ctx *ctx)
{
	static const char *const plain[] = {"PLAIN", NULL};
	xmppc_session_config c;
	xmppc_session *s = NULL;

	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SESSION_CONFIG_VERSION;
	c.jid = "juliet@example.com";
	c.password = "pencil";
	c.mechanisms = plain;
	assert_int_equal(xmppc_session_new(&s, ctx, &c), 0);
	return s;
}

/* The server side of a STARTTLS + PLAIN + bind negotiation, step by step;
 * NULL marks "call transport_secured here". */
static const char *const server_steps[] = {
	SRV("s1") "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>",
	"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
	NULL,
	SRV("s2") "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
	          "<mechanism>PLAIN</mechanism></mechanisms></stream:features>",
	"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
	SRV("s3") "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
	"<iq type='result' id='AQEBAQEBAQEBAQEB'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
	"<jid>juliet@example.com/r</jid></bind></iq>",
	"<message from='romeo@example.net/o' id='m1'><body>hi</body></message>",
	"<iq type='get' id='v1' from='romeo@example.net/o'><query xmlns='jabber:iq:version'/></iq>",
	"<iq type='result' id='q1' from='example.com'/>",
	"</stream:stream>",
};

static int observed;
static int count_observer(void *ud, xmppc_session *s, const xmppc_stanza *st)
{
	(void)ud;
	(void)s;
	(void)st;
	observed++;
	return XMPPC_CB_PASS;
}

static int replies;
static void count_reply(void *ud, xmppc_session *s, const xmppc_stanza *r, int err)
{
	(void)ud;
	(void)s;
	(void)r;
	(void)err;
	replies++;
}

static char last_output[16384];

/* Run the negotiation; returns 0 or the first error any call returned. */
static int negotiate(xmppc_ctx *ctx, xmppc_session **out)
{
	xmppc_session_config c;
	static const char *const plain[] = {"PLAIN", NULL};
	xmppc_tls_info tls;
	xmppc_session *s = NULL;
	size_t i, len;
	int rc;

	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SESSION_CONFIG_VERSION;
	c.jid = "juliet@example.com";
	c.password = "pencil";
	c.mechanisms = plain;
	memset(&tls, 0, sizeof(tls));
	tls.version = XMPPC_TLS_INFO_VERSION;
	tls.tls_version = 0x0304;
	*out = NULL;
	last_output[0] = '\0';
	if ((rc = xmppc_session_new(&s, ctx, &c)) != 0)
		return rc;
	*out = s;
	if ((rc = xmppc_session_add_observer(s, NULL, 0, count_observer, NULL, NULL, NULL)) != 0 ||
	    (rc = xmppc_session_start(s)) != 0)
		return rc;
	for (i = 0; i < sizeof(server_steps) / sizeof(server_steps[0]); i++) {
		const char *o = xmppc_session_output(s, &len);
		size_t have = strlen(last_output);
		snprintf(last_output + have, sizeof(last_output) - have, "%.*s", (int)len, o ? o : "");
		xmppc_session_output_consume(s, len);
		if (server_steps[i] == NULL) {
			if ((rc = xmppc_session_transport_secured(s, &tls)) != 0)
				return rc;
			continue;
		}
		if (i == 8) {
			xmppc_stanza *iq;
			if ((rc = xmppc_iq_new(&iq, ctx, XMPPC_TYPE_GET, NULL, "q1")) != 0)
				return rc;
			rc = xmppc_stanza_new_child(NULL, iq, "ping", "urn:xmpp:ping");
			if (rc == 0)
				rc = xmppc_session_send_iq(s, iq, count_reply, 0, NULL, NULL);
			xmppc_stanza_unref(iq);
			if (rc != 0)
				return rc;
		}
		rc = xmppc_session_feed(NULL, s, server_steps[i], strlen(server_steps[i]));
		if (rc < 0)
			return rc;
	}
	/* The server closed the stream at the end: that is the normal outcome. */
	{
		xmppc_session_error_info e = {XMPPC_SESSION_ERROR_INFO_VERSION, 0, NULL, 0, 0,
		                              NULL, NULL, NULL, NULL};
		xmppc_session_last_error(&e, s);
		return e.code == XMPPC_ECLOSED ? 0 : e.code != 0 ? e.code : XMPPC_EINTERNAL;
	}
}

static void test_full_negotiation(void **state)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc_session *s;

	(void)state;
	xmppc__random_set_override(fixed_random, NULL);
	observed = replies = 0;
	assert_int_equal(negotiate(ctx, &s), 0);
	assert_int_equal(observed, 1);
	assert_int_equal(replies, 1);
	assert_int_equal(xmppc_session_get_state(s), XMPPC_SESSION_STATE_FAILED); /* server closed: ECLOSED */
	assert_non_null(strstr(last_output, "<iq type=\"error\" id=\"v1\""));
	xmppc_session_free(s);
	xmppc__random_set_override(NULL, NULL);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

/* Every allocation of the negotiation fails in turn: each run stops with
 * XMPPC_ENOMEM (from a call, or as the reason the stream failed), nothing
 * leaks, nothing crashes (the run is also done under ASan and valgrind). */
static void test_allocation_failures(void **state)
{
	long n;
	int completed = 0;

	(void)state;
	xmppc__random_set_override(fixed_random, NULL);
	for (n = 1; n < 5000 && !completed; n++) {
		test_alloc a;
		xmppc_ctx *ctx = test_ctx_new(&a);
		xmppc_session *s = NULL;
		int rc;

		a.fail_at = a.calls + n;
		rc = negotiate(ctx, &s);
		if (rc != 0 && rc != XMPPC_ENOMEM)
			fail_msg("allocation %ld failing gave %s", n, xmppc_error_name(rc));
		/* success is only right when the failing allocation never came */
		if (rc == 0 && a.calls >= a.fail_at)
			fail_msg("allocation %ld failed and nobody was told", n);
		if (rc == 0)
			completed = 1;
		a.fail_at = 0;
		xmppc_session_free(s);
		assert_null(xmppc_ctx_unref(ctx));
		if (a.live != 0)
			fail_msg("allocation %ld failing leaked %ld blocks", n, a.live);
	}
	assert_true(completed);
	xmppc__random_set_override(NULL, NULL);
}

/* ---- modules --------------------------------------------------------------- */

typedef struct {
	int attached, detached;
	unsigned token;
} mod_state;

static int ping_handler(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	(void)ud;
	(void)s;
	(void)iq;
	return XMPPC_CB_OK;
}

static int mod_attach(xmppc_session *s, void *config, void **state)
{
	mod_state *m = config;
	m->attached++;
	*state = m;
	return xmppc_session_add_iq_handler(s, "urn:xmpp:ping", "ping", XMPPC_TYPE_GET, ping_handler, NULL,
	                                    NULL, &m->token);
}

static void mod_detach(xmppc_session *s, void *state)
{
	mod_state *m = state;
	m->detached++;
	xmppc_session_remove_handler(s, m->token);
}

static int failing_attach(xmppc_session *s, void *config, void **state)
{
	(void)s;
	(void)config;
	(void)state;
	return XMPPC_EUNSUPPORTED;
}

static char features_seen[512];
static void collect_feature(void *ud, const char *f)
{
	(void)ud;
	strcat(features_seen, f);
	strcat(features_seen, "|");
}

static int identities_seen;
static void count_identity(void *ud, const xmppc_disco_identity *id)
{
	(void)ud;
	assert_string_equal(id->category, "client");
	identities_seen++;
}

static void test_modules(void **state)
{
	static const char *const f1[] = {"urn:xmpp:ping", "jabber:iq:version", NULL};
	static const char *const f2[] = {"urn:xmpp:ping", "http://jabber.org/protocol/disco#info", NULL};
	static const xmppc_disco_identity ids[] = {{XMPPC_DISCO_IDENTITY_VERSION, "client", "bot", "Echo", NULL}};
	xmppc_module m1 = {XMPPC_MODULE_VERSION, "test.one", f1, ids, 1, mod_attach, mod_detach};
	xmppc_module m2 = {XMPPC_MODULE_VERSION, "test.two", f2, NULL, 0, mod_attach, mod_detach};
	xmppc_module bad = {XMPPC_MODULE_VERSION, "test.bad", NULL, NULL, 0, failing_attach, NULL};
	mod_state st1 = {0, 0, 0}, st2 = {0, 0, 0};
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc_session *s = new_session(ctx);

	(void)state;
	assert_int_equal(xmppc_session_add_module(s, &m1, &st1), 0);
	assert_int_equal(st1.attached, 1);
	assert_int_equal(xmppc_session_add_module(s, &m1, &st1), XMPPC_EEXIST);
	/* the second module's ping handler collides with the first's: attach fails */
	assert_int_equal(xmppc_session_add_module(s, &m2, &st2), XMPPC_EEXIST);
	assert_null(xmppc_session_module_state(s, "test.two"));
	assert_int_equal(xmppc_session_add_module(s, &bad, NULL), XMPPC_EUNSUPPORTED);
	assert_ptr_equal(xmppc_session_module_state(s, "test.one"), &st1);
	features_seen[0] = '\0';
	assert_int_equal(xmppc_session_foreach_feature(s, collect_feature, NULL), 0);
	assert_string_equal(features_seen, "jabber:iq:version|urn:xmpp:ping|");
	assert_int_equal(xmppc_session_remove_module(s, "test.one"), 0);
	assert_int_equal(st1.detached, 1);
	assert_int_equal(xmppc_session_remove_module(s, "test.one"), XMPPC_ENOTFOUND);
	/* now the second attaches; features are merged, sorted, unique */
	assert_int_equal(xmppc_session_add_module(s, &m2, &st2), 0);
	assert_int_equal(xmppc_session_add_module(s, &m1, &st1), XMPPC_EEXIST); /* handler taken */
	m1.name = "test.one-again";
	m1.attach = failing_attach;
	features_seen[0] = '\0';
	assert_int_equal(xmppc_session_foreach_feature(s, collect_feature, NULL), 0);
	assert_string_equal(features_seen, "http://jabber.org/protocol/disco#info|urn:xmpp:ping|");
	identities_seen = 0;
	assert_int_equal(xmppc_session_foreach_identity(s, count_identity, NULL), 0);
	assert_int_equal(identities_seen, 0);
	/* detach runs when the session is freed */
	xmppc_session_free(s);
	assert_int_equal(st2.detached, 1);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
	(void)ids;
}

/* ---- providers ---------------------------------------------------------------- */

typedef struct {
	int parses, frees;
} prov_stats;

typedef struct {
	char value[64];
} delay_obj;

static int delay_parse(void **out, const xmppc_stanza *el, void *ud)
{
	prov_stats *st = ud;
	delay_obj *d;
	const char *stamp = xmppc_stanza_attr(el, "stamp");

	if (stamp == NULL)
		return XMPPC_EINVAL;
	d = malloc(sizeof(*d));
	if (d == NULL)
		return XMPPC_ENOMEM;
	snprintf(d->value, sizeof(d->value), "%s", stamp);
	st->parses++;
	*out = d;
	return 0;
}

static void delay_free(void *obj, void *ud)
{
	((prov_stats *)ud)->frees++;
	free(obj);
}

static int delay_serialize(xmppc_stanza *parent, const void *obj, void *ud)
{
	xmppc_stanza *el;
	int rc;

	(void)ud;
	if ((rc = xmppc_stanza_new_child(&el, parent, "delay", "urn:xmpp:delay")) != 0)
		return rc;
	return xmppc_stanza_set_attr(el, "stamp", ((const delay_obj *)obj)->value);
}

static void test_providers(void **state)
{
	prov_stats st = {0, 0};
	xmppc_provider p = {XMPPC_PROVIDER_VERSION, "urn:xmpp:delay", "delay", delay_parse, delay_free,
	                    delay_serialize, &st};
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	static const char xml[] = "<message xmlns='jabber:client'><delay xmlns='urn:xmpp:delay' "
	                          "stamp='2002-09-10T23:08:25Z'/><x xmlns='urn:other'/></message>";
	xmppc_stanza *m, *out;
	const void *o1, *o2;
	xmppc_buf *b;

	(void)state;
	assert_int_equal(xmppc_ctx_add_provider(ctx, &p), 0);
	assert_int_equal(xmppc_ctx_add_provider(ctx, &p), XMPPC_EEXIST);
	assert_int_equal(xmppc_stanza_from_xml(&m, ctx, xml, sizeof(xml) - 1), 0);
	assert_int_equal(xmppc_stanza_get_extension(&o1, m, "urn:xmpp:delay", "delay"), 0);
	assert_int_equal(xmppc_stanza_get_extension(&o2, m, "urn:xmpp:delay", "delay"), 0);
	assert_ptr_equal(o1, o2); /* parsed once, cached */
	assert_int_equal(st.parses, 1);
	assert_string_equal(((const delay_obj *)o1)->value, "2002-09-10T23:08:25Z");
	assert_int_equal(xmppc_stanza_get_extension(&o1, m, "urn:other", "x"), XMPPC_EUNSUPPORTED);
	assert_int_equal(xmppc_stanza_get_extension(&o1, m, "urn:xmpp:delay", "nope"), XMPPC_ENOTFOUND);
	/* serialize through the provider */
	assert_int_equal(xmppc_stanza_new(&out, ctx, "message", XMPPC_NS_CLIENT), 0);
	assert_int_equal(xmppc_stanza_add_extension(out, "urn:xmpp:delay", "delay", o2), 0);
	assert_int_equal(xmppc_stanza_add_extension(out, "urn:other", "x", o2), XMPPC_EUNSUPPORTED);
	assert_int_equal(xmppc_buf_new(&b, ctx), 0);
	assert_int_equal(xmppc_stanza_to_xml(b, out, XMPPC_NS_CLIENT), 0);
	assert_string_equal(xmppc_buf_data(b),
	                    "<message><delay xmlns=\"urn:xmpp:delay\" stamp=\"2002-09-10T23:08:25Z\"/></message>");
	xmppc_buf_free(b);
	assert_null(xmppc_stanza_unref(out));
	/* the object is freed with the tree */
	assert_int_equal(st.frees, 0);
	assert_null(xmppc_stanza_unref(m));
	assert_int_equal(st.frees, 1);
	/* a parse error leaves the element generic and caches nothing */
	assert_int_equal(xmppc_stanza_from_xml(&m, ctx, "<m><delay xmlns='urn:xmpp:delay'/></m>", 38), 0);
	assert_int_equal(xmppc_stanza_get_extension(&o1, m, "urn:xmpp:delay", "delay"), XMPPC_EINVAL);
	assert_null(xmppc_stanza_unref(m));
	assert_int_equal(st.frees, 1);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

/* ---- re-entry and deferred free ------------------------------------------------ */

static int reentry_rc, feed_in_cb_rc;
static int free_in_observer(void *ud, xmppc_session *s, const xmppc_stanza *st)
{
	xmppc_stanza *reply;
	(void)ud;
	/* sending queues; feeding re-enters: refused; free is deferred */
	assert_int_equal(xmppc_message_new(&reply, xmppc_session_get_state(s) ? NULL : NULL, XMPPC_TYPE_CHAT,
	                                   "a@b", "x"), XMPPC_EINVAL);
	feed_in_cb_rc = xmppc_session_feed(NULL, s, "<a/>", 4);
	reentry_rc = xmppc_session_handle_deadlines(s);
	(void)st;
	xmppc_session_free(s);
	return XMPPC_CB_PASS;
}

static void test_reentry_and_deferred_free(void **state)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc_session *s;
	size_t i, len;
	xmppc_tls_info tls;
	int rc = 0;

	(void)state;
	memset(&tls, 0, sizeof(tls));
	tls.version = XMPPC_TLS_INFO_VERSION;
	xmppc__random_set_override(fixed_random, NULL);
	s = new_session(ctx);
	assert_int_equal(xmppc_session_add_observer(s, NULL, 0, free_in_observer, NULL, NULL, NULL), 0);
	assert_int_equal(xmppc_session_start(s), 0);
	for (i = 0; i < 8 && rc >= 0; i++) {
		xmppc_session_output(s, &len);
		xmppc_session_output_consume(s, len);
		if (server_steps[i] == NULL) {
			assert_int_equal(xmppc_session_transport_secured(s, &tls), 0);
			continue;
		}
		/* step 7 is the message: the observer frees the session inside
		 * this feed, which must return normally */
		rc = xmppc_session_feed(NULL, s, server_steps[i], strlen(server_steps[i]));
	}
	assert_int_equal(feed_in_cb_rc, XMPPC_ERECURSIVE);
	assert_int_equal(reentry_rc, XMPPC_ERECURSIVE);
	xmppc__random_set_override(NULL, NULL);
	assert_null(xmppc_ctx_unref(ctx)); /* the deferred free released everything */
	assert_int_equal(a.live, 0);
}

static void test_config_errors(void **state)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc_session_config c;
	xmppc_session *s = NULL;
	static const char *const unknown[] = {"X-NOPE", NULL};

	(void)state;
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SESSION_CONFIG_VERSION;
	assert_int_equal(xmppc_session_new(&s, ctx, &c), XMPPC_EINVAL); /* no JID */
	c.jid = "not a jid@";
	assert_true(xmppc_session_new(&s, ctx, &c) < 0);
	c.jid = "juliet@example.com";
	c.resource = "";
	assert_int_equal(xmppc_session_new(&s, ctx, &c), XMPPC_EJID_EMPTY_RESOURCE);
	c.resource = NULL;
	c.mechanisms = unknown;
	assert_int_equal(xmppc_session_new(&s, ctx, &c), XMPPC_EINVAL);
	c.mechanisms = NULL;
	c.flags = 0x80;
	assert_int_equal(xmppc_session_new(&s, ctx, &c), XMPPC_EINVAL);
	c.flags = 0;
	c.version = 99;
	assert_int_equal(xmppc_session_new(&s, ctx, &c), XMPPC_EINVAL);
	c.version = XMPPC_SESSION_CONFIG_VERSION;
	c.jid = "juliet@example.com/balcony";
	assert_int_equal(xmppc_session_new(&s, ctx, &c), 0);
	assert_int_equal(xmppc_session_feed(NULL, s, "x", 1), XMPPC_ESTATE); /* not started */
	assert_int_equal(xmppc_session_close(s), XMPPC_ESTATE);
	assert_int_equal(xmppc_session_start(s), 0);
	assert_int_equal(xmppc_session_start(s), XMPPC_ESTATE);
	assert_int_equal(xmppc_session_add_mechanism(s, xmppc_sasl_builtin("PLAIN")), XMPPC_ESTATE);
	assert_null(xmppc_session_jid(s));
	assert_int_equal(xmppc_session_wants(s), XMPPC_WANT_READ | XMPPC_WANT_WRITE);
	xmppc_session_free(s);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

/* ---- password callback and an application's own mechanism --------------------- */

static int pw_calls;
static int password_fn(void *ud, xmppc_buf *out)
{
	pw_calls++;
	if (ud != NULL)
		return XMPPC_EAUTH_CREDENTIALS_EXPIRED; /* the app gives up */
	return xmppc_buf_append(out, "pencil", 6);
}

static int xtest_start(void **state, const xmppc_sasl_mechanism *m, const xmppc_sasl_params *p,
                       xmppc_buf *resp, int *has)
{
	(void)m;
	*state = (void *)1;
	*has = 1;
	assert_int_equal(p->password_len, 6);
	assert_memory_equal(p->password, "pencil", 6);
	return xmppc_buf_append(resp, "hello", 5);
}
static int xtest_step(void *st, const unsigned char *c, size_t n, xmppc_buf *resp)
{
	(void)st;
	assert_int_equal(n, 3);
	assert_memory_equal(c, "abc", 3);
	return xmppc_buf_append(resp, "xyz", 3);
}
static int xtest_success(void *st, const unsigned char *d, size_t n)
{
	(void)st;
	(void)d;
	return n == 0 ? 0 : XMPPC_ESASL_SERVER_SIGNATURE;
}
static void xtest_free(void *st)
{
	assert_ptr_equal(st, (void *)1);
}

static const xmppc_sasl_mechanism xtest = {
	XMPPC_SASL_MECHANISM_VERSION, "X-TEST", XMPPC_SASL_NEEDS_PASSWORD, 200, NULL,
	xtest_start, xtest_step, xtest_success, xtest_free,
};

static int last_feed;
static struct {
	const char *data;
	size_t len;
} wiped_probe;
static const char *feed_all(xmppc_session *s, const char *in, char *out, size_t cap)
{
	size_t len;
	const char *o;

	if (in != NULL)
		last_feed = xmppc_session_feed(NULL, s, in, strlen(in));
	o = xmppc_session_output(s, &len);
	snprintf(out, cap, "%.*s", (int)len, o ? o : "");
	xmppc_session_output_consume(s, len);
	/* look at the memory the consumed bytes occupied */
	wiped_probe.data = o;
	wiped_probe.len = len;
	return out;
}

static void test_password_fn_and_custom_mechanism(void **state)
{
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc_session_config c;
	xmppc_session *s;
	xmppc_tls_info tls;
	char out[2048];
	int round;

	(void)state;
	memset(&tls, 0, sizeof(tls));
	tls.version = XMPPC_TLS_INFO_VERSION;
	tls.tls_version = 0x0304;
	for (round = 0; round < 2; round++) {
		memset(&c, 0, sizeof(c));
		c.version = XMPPC_SESSION_CONFIG_VERSION;
		c.jid = "juliet@example.com";
		c.password_fn = password_fn;
		c.password_user_data = round == 1 ? (void *)1 : NULL;
		pw_calls = 0;
		assert_int_equal(xmppc_session_new(&s, ctx, &c), 0);
		assert_int_equal(xmppc_session_add_mechanism(s, &xtest), 0);
		assert_int_equal(xmppc_session_add_mechanism(s, &xtest), XMPPC_EEXIST);
		assert_int_equal(xmppc_session_transport_secured(s, &tls), 0); /* direct TLS */
		assert_int_equal(xmppc_session_start(s), 0);
		assert_int_equal(pw_calls, 0); /* asked only when needed */
		feed_all(s, NULL, out, sizeof(out));
		feed_all(s, SRV("s") "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
		                     "<mechanism>SCRAM-SHA-1</mechanism><mechanism>X-TEST</mechanism>"
		                     "</mechanisms></stream:features>", out, sizeof(out));
		assert_int_equal(pw_calls, 1);
		if (round == 1) {
			/* the callback's error ends the attempt, nothing is sent */
			assert_int_equal(last_feed, XMPPC_EAUTH_CREDENTIALS_EXPIRED);
			assert_int_equal(xmppc_session_get_state(s), XMPPC_SESSION_STATE_FAILED);
			assert_null(strstr(out, "<auth"));
			xmppc_session_free(s);
			continue;
		}
		assert_int_equal(last_feed, 0);
		/* the strongest (ours, 200) is chosen; base64 of hello */
		assert_non_null(strstr(out, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='X-TEST'>"
		                            "aGVsbG8=</auth>"));
		/* the written response does not linger in the output buffer */
		assert_null(memmem(wiped_probe.data, wiped_probe.len, "aGVsbG8=", 8));
		feed_all(s, "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>YWJj</challenge>", out,
		         sizeof(out));
		assert_string_equal(out, "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>eHl6</response>");
		feed_all(s, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", out, sizeof(out));
		assert_string_equal(xmppc_session_mechanism(s), "X-TEST");
		assert_int_equal(pw_calls, 1);
		xmppc_session_free(s);
	}
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_negotiation),
		cmocka_unit_test(test_allocation_failures),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_providers),
		cmocka_unit_test(test_reentry_and_deferred_free),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_password_fn_and_custom_mechanism),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
