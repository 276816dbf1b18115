/* XEP-0012: the responder's idle time on the fake clock, the allow hook,
 * and the query's parsing. */
#include "xh-id.h"

static int allow_romeo(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	const char *from = xmppc_stanza_from(iq);

	(void)ud;
	(void)s;
	return from != NULL && strncmp(from, "romeo@example.net/", 18) == 0;
}

static void test_responder(void **state)
{
	xmppc_last_config c = {XMPPC_LAST_CONFIG_VERSION, allow_romeo, NULL, NULL};
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	assert_int_equal(xmppc_last_activity(h.s), XMPPC_ESTATE);
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_last_module(), &c), 0);
	xh_clock(&h, 123456);
	xh_in(&h, "<iq type='get' id='l1' from='romeo@example.net/o'><query xmlns='jabber:iq:last'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"l1\" to=\"romeo@example.net/o\">"
	                                "<query xmlns=\"jabber:iq:last\" seconds=\"123\"/></iq>");
	assert_int_equal(xmppc_last_activity(h.s), 0);
	xh_clock(&h, 999);
	xh_in(&h, "<iq type='get' id='l2' from='romeo@example.net/o'><query xmlns='jabber:iq:last'/></iq>");
	xh_expect(&h, "<query xmlns=\"jabber:iq:last\" seconds=\"0\"/>");
	xh_in(&h, "<iq type='get' id='l3' from='tybalt@example.net/x'><query xmlns='jabber:iq:last'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"error\" id=\"l3\" to=\"tybalt@example.net/x\">"
	                                "<error type=\"auth\"><forbidden "
	                                "xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/></error></iq>");
	xh_in(&h, "<iq type='set' id='l4' from='romeo@example.net/o'><query xmlns='jabber:iq:last'/></iq>");
	xh_expect(&h, "<bad-request ");
	xh_fini(&h);
}

typedef struct got {
	int fired, error;
	uint64_t secs;
	char status[64];
} got;

static void on_last(void *ud, xmppc_session *s, uint64_t secs, const char *status,
                    const xmppc_stanza *reply, int error)
{
	got *g = ud;

	(void)s;
	(void)reply;
	g->fired++;
	g->error = error;
	g->secs = secs;
	strcpy(g->status, status ? status : "(null)");
}

static void query(xh *h, got *g, const char *to, const char *payload)
{
	char id[64], in[1024];

	memset(g, 0, sizeof(*g));
	assert_int_equal(xmppc_last_query(h->s, to, on_last, g, NULL), 0);
	xh_sent(h, id, sizeof(id));
	snprintf(in, sizeof(in), "<iq type='result' id='%s' from='%s'>%s</iq>", id, to, payload);
	xh_in(h, in);
	assert_int_equal(g->fired, 1);
}

static void test_query(void **state)
{
	char id[64];
	got g;
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_last_query(h.s, "romeo@example.net", on_last, &g, NULL), 0);
	xh_sent_exact(&h, "<iq type=\"get\" id=\"%s\" to=\"romeo@example.net\">"
	              "<query xmlns=\"jabber:iq:last\"/></iq>", id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s' from='romeo@example.net'>"
	      "<query xmlns='jabber:iq:last' seconds='903'>Heading Home</query></iq>", id);
	assert_int_equal(g.error, 0);
	assert_int_equal(g.secs, 903);
	assert_string_equal(g.status, "Heading Home");
	query(&h, &g, "example.com", "<query xmlns='jabber:iq:last' seconds='0'/>");
	assert_int_equal(g.error, 0);
	assert_int_equal(g.secs, 0);
	assert_string_equal(g.status, "(null)");
	query(&h, &g, "example.com", "<query xmlns='jabber:iq:last' seconds='-1'/>");
	assert_int_equal(g.error, XMPPC_EPROTOCOL);
	query(&h, &g, "example.com", "<query xmlns='jabber:iq:last' seconds='99999999999999999999'/>");
	assert_int_equal(g.error, XMPPC_EPROTOCOL);
	query(&h, &g, "example.com", "<query xmlns='jabber:iq:last'/>");
	assert_int_equal(g.error, XMPPC_EPROTOCOL);
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_last_query(h.s, "romeo@example.net", on_last, &g, NULL), 0);
	xh_sent(&h, id, sizeof(id));
	xh_in_id(&h, "<iq type='error' id='%s' from='romeo@example.net'><error type='auth'>"
	      "<forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", id);
	assert_int_equal(g.error, XMPPC_IQ_ERROR_REPLY);
	xh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_responder),
	    cmocka_unit_test(test_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
