/* XEP-0199: the responder's exact reply; the client's pong, error reply,
 * timeout (fake clock) and spoofed reply. */
#include "xh-id.h"

typedef struct got {
	int fired, destroyed, error, had_reply;
	uint64_t rtt;
} got;

static void on_ping(void *ud, xmppc_session *s, uint64_t rtt, const xmppc_stanza *reply, int error)
{
	got *g = ud;

	(void)s;
	g->fired++;
	g->rtt = rtt;
	g->error = error;
	g->had_reply = reply != NULL;
}

static void on_destroy(void *ud)
{
	((got *)ud)->destroyed++;
}

static void test_responder(void **state)
{
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_ping_module(), NULL), 0);
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_ping_module(), NULL), XMPPC_EEXIST);
	xh_in(&h, "<iq type='get' id='p1' from='example.com'><ping xmlns='urn:xmpp:ping'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"p1\" to=\"example.com\"/>");
	xh_in(&h, "<iq type='get' id='p2'><ping xmlns='urn:xmpp:ping'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"p2\"/>");
	xh_in(&h, "<iq type='set' id='p3' from='romeo@example.net/o'><ping xmlns='urn:xmpp:ping'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"error\" id=\"p3\" to=\"romeo@example.net/o\">"
	                                "<error type=\"modify\"><bad-request "
	                                "xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/></error></iq>");
	/* results and errors are never answered */
	xh_in(&h, "<iq type='result' id='p4' from='example.com'><ping xmlns='urn:xmpp:ping'/></iq>");
	xh_expect_none(&h);
	xh_fini(&h);
}

static void test_client(void **state)
{
	char id[64];
	got g;
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_ping_send(h.s, NULL, 0, on_ping, &g, on_destroy), 0);
	xh_sent_exact(&h, "<iq type=\"get\" id=\"%s\"><ping xmlns=\"urn:xmpp:ping\"/></iq>", id,
	              sizeof(id));
	xh_clock(&h, 250);
	xh_in_id(&h, "<iq type='result' id='%s'/>", id);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.error, 0);
	assert_int_equal(g.rtt, 250);
	assert_int_equal(g.destroyed, 1);

	/* an error reply: reachable, no ping support */
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_ping_send(h.s, "romeo@example.net/o", 0, on_ping, &g, NULL), 0);
	xh_sent_exact(&h, "<iq type=\"get\" id=\"%s\" to=\"romeo@example.net/o\">"
	              "<ping xmlns=\"urn:xmpp:ping\"/></iq>", id, sizeof(id));
	xh_in_id(&h, "<iq type='error' id='%s' from='romeo@example.net/o'><error type='cancel'>"
	      "<feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
	      id);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.error, XMPPC_IQ_ERROR_REPLY);
	assert_true(g.had_reply);
	xh_fini(&h);
}

static void test_timeout(void **state)
{
	char id[64];
	got g;
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_ping_send(h.s, "romeo@example.net/o", 5000, on_ping, &g, on_destroy),
	                 0);
	xh_sent(&h, id, sizeof(id));
	/* a pong from someone else does not count */
	xh_in_id(&h, "<iq type='result' id='%s' from='evil@example.net/x'/>", id);
	xh_clock(&h, 4999);
	assert_int_equal(g.fired, 0);
	xh_clock(&h, 1);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.error, XMPPC_ETIMEOUT);
	assert_int_equal(g.rtt, 5000);
	assert_false(g.had_reply);
	assert_int_equal(g.destroyed, 1);
	/* a late pong is ignored */
	xh_in_id(&h, "<iq type='result' id='%s' from='romeo@example.net/o'/>", id);
	assert_int_equal(g.fired, 1);
	xh_expect_none(&h);
	xh_fini(&h);
	assert_int_equal(g.destroyed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_responder),
	    cmocka_unit_test(test_client),
	    cmocka_unit_test(test_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
