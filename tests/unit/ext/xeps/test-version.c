/* XEP-0092: the responder's exact reply, set refused, the query's parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "xh.h"

typedef struct got {
	int fired, destroyed, error;
	char name[64], ver[64], os[64];
} got;

static void on_version(void *ud, xmppc_session *s, const xmppc_version_info *info,
                       const xmppc_stanza *reply, int error)
{
	got *g = ud;

	(void)s;
	(void)reply;
	g->fired++;
	g->error = error;
	if (info != NULL) {
		strcpy(g->name, info->name);
		strcpy(g->ver, info->software_version);
		strcpy(g->os, info->os ? info->os : "(none)");
	}
}

static void on_destroy(void *ud)
{
	((got *)ud)->destroyed++;
}

static void test_responder(void **state)
{
	xmppc_version_config c = {XMPPC_VERSION_CONFIG_VERSION, "Bot", "1.2 <beta>", NULL};
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_version_module(), &c), 0);
	xh_in(&h, "<iq type='get' id='v1' from='romeo@example.net/orchard'>"
	          "<query xmlns='jabber:iq:version'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"v1\" to=\"romeo@example.net/orchard\">"
	                                "<query xmlns=\"jabber:iq:version\"><name>Bot</name>"
	                                "<version>1.2 &lt;beta&gt;</version></query></iq>");
	/* the os only when configured; xmppc_version_set() changes the answer */
	assert_int_equal(xmppc_version_set(h.s, "Bot", "2", "Linux"), 0);
	xh_in(&h, "<iq type='get' id='v2' from='romeo@example.net/orchard'>"
	          "<query xmlns='jabber:iq:version'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"v2\" to=\"romeo@example.net/orchard\">"
	                                "<query xmlns=\"jabber:iq:version\"><name>Bot</name>"
	                                "<version>2</version><os>Linux</os></query></iq>");
	/* a set is a bad request */
	xh_in(&h, "<iq type='set' id='v3' from='romeo@example.net/orchard'>"
	          "<query xmlns='jabber:iq:version'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"error\" id=\"v3\" to=\"romeo@example.net/orchard\">"
	                                "<error type=\"modify\"><bad-request "
	                                "xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/></error></iq>");
	/* removed: the session answers service-unavailable */
	assert_int_equal(xmppc_session_remove_module(h.s, XMPPC_VERSION_MODULE_NAME), 0);
	assert_int_equal(xmppc_version_set(h.s, "x", "y", NULL), XMPPC_ESTATE);
	xh_in(&h, "<iq type='get' id='v4' from='romeo@example.net/orchard'>"
	          "<query xmlns='jabber:iq:version'/></iq>");
	xh_expect(&h, "<service-unavailable");
	xh_fini(&h);
}

static void test_defaults_and_bad_config(void **state)
{
	xmppc_version_config bad = {99, NULL, NULL, NULL};
	xmppc_version_config ctl = {XMPPC_VERSION_CONFIG_VERSION, "a\001", NULL, NULL};
	char want[256];
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_version_module(), &bad), XMPPC_EINVAL);
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_version_module(), &ctl), XMPPC_EINVAL);
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_version_module(), NULL), 0);
	xh_in(&h, "<iq type='get' id='d1' from='example.com'><query xmlns='jabber:iq:version'/></iq>");
	snprintf(want, sizeof(want), "<iq type=\"result\" id=\"d1\" to=\"example.com\">"
	         "<query xmlns=\"jabber:iq:version\"><name>xmppc</name><version>%s</version>"
	         "</query></iq>", xmppc_version());
	assert_string_equal(xh_out(&h), want);
	xh_fini(&h);
}

static const char *sent_id(xh *h, char *id, size_t cap)
{
	const char *o = xh_out(h), *p = strstr(o, " id=\"");
	size_t n;

	assert_non_null(p);
	p += 5;
	n = strcspn(p, "\"");
	assert_true(n < cap);
	memcpy(id, p, n);
	id[n] = '\0';
	return o;
}

static void test_query(void **state)
{
	got g;
	char id[64], in[512];
	const char *o;
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_version_query(h.s, "romeo@example.net/orchard", on_version, &g,
	                                     on_destroy), 0);
	o = sent_id(&h, id, sizeof(id));
	snprintf(in, sizeof(in), "<iq type=\"get\" id=\"%s\" to=\"romeo@example.net/orchard\">"
	         "<query xmlns=\"jabber:iq:version\"/></iq>", id);
	assert_string_equal(o, in);
	/* a reply from someone else is ignored */
	snprintf(in, sizeof(in), "<iq type='result' id='%s' from='evil@example.net/x'>"
	         "<query xmlns='jabber:iq:version'><name>Evil</name><version>6</version></query>"
	         "</iq>", id);
	xh_in(&h, in);
	assert_int_equal(g.fired, 0);
	snprintf(in, sizeof(in), "<iq type='result' id='%s' from='romeo@example.net/orchard'>"
	         "<query xmlns='jabber:iq:version'><name>Psi</name><version>1.5</version>"
	         "<os>Plan 9</os></query></iq>", id);
	xh_in(&h, in);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.destroyed, 1);
	assert_int_equal(g.error, 0);
	assert_string_equal(g.name, "Psi");
	assert_string_equal(g.ver, "1.5");
	assert_string_equal(g.os, "Plan 9");

	/* a result without the required children */
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_version_query(h.s, "example.com", on_version, &g, NULL), 0);
	sent_id(&h, id, sizeof(id));
	snprintf(in, sizeof(in), "<iq type='result' id='%s' from='example.com'>"
	         "<query xmlns='jabber:iq:version'><name>S</name></query></iq>", id);
	xh_in(&h, in);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.error, XMPPC_EPROTOCOL);

	/* an error reply */
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_version_query(h.s, "example.com", on_version, &g, NULL), 0);
	sent_id(&h, id, sizeof(id));
	snprintf(in, sizeof(in), "<iq type='error' id='%s' from='example.com'><error type='cancel'>"
	         "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
	         id);
	xh_in(&h, in);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.error, XMPPC_IQ_ERROR_REPLY);

	/* disconnection fires it too, once; destroy runs */
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_version_query(h.s, "example.com", on_version, &g, on_destroy), 0);
	assert_int_equal(xmppc_version_query(NULL, "example.com", on_version, &g, NULL),
	                 XMPPC_EINVAL);
	xh_fini(&h);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.error, XMPPC_EDISCONNECTED);
	assert_int_equal(g.destroyed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_responder),
	    cmocka_unit_test(test_defaults_and_bad_config),
	    cmocka_unit_test(test_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
