/* XMPPC_SESSION_REGISTER: XEP-0077 registration before authentication. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <xmppc/xmppc.h>

#define HEADER                                                                                   \
	"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "                             \
	"xmlns:stream='http://etherx.jabber.org/streams' id='s1' version='1.0'>"
#define MECHS "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"
#define REG_FEATURE "<register xmlns='http://jabber.org/features/iq-register'/>"

static char traced[8192];

static void trace_all(void *ud, xmppc_trace_dir dir, const char *data, size_t len)
{
	(void)ud;
	(void)dir;
	snprintf(traced + strlen(traced), sizeof(traced) - strlen(traced), "%.*s|", (int)len, data);
}

typedef struct {
	xmppc_ctx *ctx;
	xmppc_session *s;
	char out[4096];
	char id[64];
} reg;

static void take(reg *r)
{
	size_t len;
	const void *p = xmppc_session_output(r->s, &len);

	snprintf(r->out, sizeof(r->out), "%.*s", (int)len, (const char *)p);
	xmppc_session_output_consume(r->s, len);
}

static int feed(reg *r, const char *xml)
{
	int rc = xmppc_session_feed(NULL, r->s, xml, strlen(xml));
	take(r);
	return rc;
}

static void start(reg *r, const char *features)
{
	static const char *const plain[] = {"PLAIN", NULL};
	xmppc_session_config c;
	char buf[1024];
	const char *p;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SESSION_CONFIG_VERSION;
	c.jid = "newbie@example.com";
	c.password = "n3w<pw>";
	c.mechanisms = plain;
	c.flags = XMPPC_SESSION_ALLOW_PLAINTEXT | XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS |
	          XMPPC_SESSION_REGISTER;
	assert_int_equal(xmppc_ctx_new(&r->ctx, NULL), 0);
	traced[0] = '\0';
	assert_int_equal(xmppc_ctx_set_trace(r->ctx, trace_all, NULL, NULL), 0);
	assert_int_equal(xmppc_session_new(&r->s, r->ctx, &c), 0);
	assert_int_equal(xmppc_session_start(r->s), 0);
	take(r);
	snprintf(buf, sizeof(buf), HEADER "<stream:features>%s</stream:features>", features);
	feed(r, buf);
	if ((p = strstr(r->out, " id=\"")) != NULL)
		snprintf(r->id, sizeof(r->id), "%.*s", (int)strcspn(p + 5, "\""), p + 5);
}

static void stop(reg *r)
{
	xmppc_session_free(r->s);
	xmppc_ctx_unref(r->ctx);
}

static void test_register_then_login(void **state)
{
	reg r;
	char buf[1024];

	(void)state;
	start(&r, MECHS REG_FEATURE);
	assert_non_null(strstr(r.out, "<iq type=\"set\" id=\""));
	assert_non_null(strstr(r.out, "<query xmlns=\"jabber:iq:register\"><username>newbie</username>"
	                              "<password>n3w&lt;pw&gt;</password></query></iq>"));
	assert_null(strstr(r.out, "<auth"));
	assert_null(strstr(traced, "n3w"));
	/* an answer from a third party is not the server's */
	snprintf(buf, sizeof(buf), "<iq type='result' id='%s' from='evil@example.net/x'/>", r.id);
	assert_int_equal(feed(&r, buf), 0);
	assert_null(strstr(r.out, "<auth"));
	snprintf(buf, sizeof(buf), "<iq type='result' id='%s'/>", r.id);
	assert_int_equal(feed(&r, buf), 0);
	assert_non_null(strstr(r.out, "mechanism='PLAIN'"));
	stop(&r);
}

static void test_register_conflict(void **state)
{
	reg r;
	char buf[1024];
	xmppc_session_error_info e = {XMPPC_SESSION_ERROR_INFO_VERSION, 0, NULL, 0, 0, NULL, NULL, NULL, NULL};

	(void)state;
	start(&r, MECHS REG_FEATURE);
	/* the server echoes our request, password included (ejabberd does) */
	snprintf(buf, sizeof(buf), "<iq type='error' id='%s'><query xmlns='jabber:iq:register'>"
	                           "<username>newbie</username><password>n3w&lt;pw&gt;</password>"
	                           "</query><error type='cancel'><conflict "
	                           "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", r.id);
	assert_int_equal(feed(&r, buf), XMPPC_EREGISTER_CONFLICT);
	assert_null(strstr(traced, "n3w"));
	assert_non_null(strstr(traced, "<password>[redacted]</password>"));
	assert_int_equal(xmppc_session_get_state(r.s), XMPPC_SESSION_STATE_FAILED);
	assert_int_equal(xmppc_session_last_error(&e, r.s), 0);
	assert_int_equal(e.code, XMPPC_EREGISTER_CONFLICT);
	assert_null(strstr(r.out, "<auth"));
	stop(&r);

	start(&r, MECHS REG_FEATURE);
	snprintf(buf, sizeof(buf), "<iq type='error' id='%s'><error type='cancel'><not-allowed "
	                           "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", r.id);
	assert_int_equal(feed(&r, buf), XMPPC_EREGISTER);
	stop(&r);
}

static void test_register_not_offered(void **state)
{
	reg r;
	xmppc_session_config c;

	(void)state;
	start(&r, MECHS);
	assert_int_equal(xmppc_session_get_state(r.s), XMPPC_SESSION_STATE_FAILED);
	assert_null(strstr(r.out, "<auth"));
	assert_null(strstr(r.out, "jabber:iq:register"));
	stop(&r);
	/* a password is required */
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SESSION_CONFIG_VERSION;
	c.jid = "newbie@example.com";
	c.flags = XMPPC_SESSION_REGISTER;
	assert_int_equal(xmppc_ctx_new(&r.ctx, NULL), 0);
	assert_int_equal(xmppc_session_new(&r.s, r.ctx, &c), XMPPC_EINVAL);
	xmppc_ctx_unref(r.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_register_then_login),
	    cmocka_unit_test(test_register_conflict),
	    cmocka_unit_test(test_register_not_offered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
