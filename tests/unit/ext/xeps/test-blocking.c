/* XEP-0191: get/block/unblock stanzas and parsing; pushes accepted only
 * from our account, third-party pushes answered with an error and never
 * seen by the application, malformed pushes refused. */
#include "xh-id.h"

typedef struct got {
	int pushes, blocked, fired, error, destroyed;
	size_t n;
	char jids[4][64];
} got;

static void on_push(void *ud, xmppc_session *s, int blocked, const char *const *jids, size_t n)
{
	got *g = ud;
	size_t i;

	(void)s;
	g->pushes++;
	g->blocked = blocked;
	g->n = n;
	for (i = 0; i < n && i < 4; i++)
		strcpy(g->jids[i], jids[i]);
}

static void on_destroy(void *ud)
{
	((got *)ud)->destroyed++;
}

static void on_list(void *ud, xmppc_session *s, const char *const *jids, size_t n,
                    const xmppc_stanza *reply, int error)
{
	on_push(ud, s, -1, jids, n);
	((got *)ud)->pushes--;
	((got *)ud)->fired++;
	((got *)ud)->error = error;
	(void)reply;
}

static void on_done(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	(void)s;
	(void)reply;
	((got *)ud)->fired++;
	((got *)ud)->error = error;
}

static void test_pushes(void **state)
{
	got g;
	xmppc_blocking_config c = {XMPPC_BLOCKING_CONFIG_VERSION, on_push, &g, on_destroy};
	xh h;

	(void)state;
	memset(&g, 0, sizeof(g));
	xh_init(&h, "juliet@example.com/balcony");
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_blocking_module(), &c), 0);

	/* from a third party: refused, not seen */
	xh_in(&h, "<iq type='set' id='b1' from='romeo@example.net/o'><block xmlns='urn:xmpp:blocking'>"
	          "<item jid='nurse@example.com'/></block></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"error\" id=\"b1\" to=\"romeo@example.net/o\">"
	                                "<error type=\"cancel\"><service-unavailable "
	                                "xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/></error></iq>");
	/* from another resource of ours, or our server's domain: not the account either */
	xh_in(&h, "<iq type='set' id='b2' from='juliet@example.com/other'>"
	          "<block xmlns='urn:xmpp:blocking'><item jid='nurse@example.com'/></block></iq>");
	xh_expect(&h, "<service-unavailable ");
	xh_in(&h, "<iq type='set' id='b3' from='example.com'>"
	          "<block xmlns='urn:xmpp:blocking'><item jid='nurse@example.com'/></block></iq>");
	xh_expect(&h, "<service-unavailable ");
	assert_int_equal(g.pushes, 0);

	/* from our bare JID: accepted and acknowledged */
	xh_in(&h, "<iq type='set' id='b4' from='juliet@example.com'><block xmlns='urn:xmpp:blocking'>"
	          "<item jid='nurse@example.com'/><item jid='tybalt@example.com/x'/></block></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"b4\" to=\"juliet@example.com\"/>");
	assert_int_equal(g.pushes, 1);
	assert_int_equal(g.blocked, 1);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.jids[0], "nurse@example.com");
	assert_string_equal(g.jids[1], "tybalt@example.com/x");
	/* without 'from' (the server on our behalf): accepted */
	xh_in(&h, "<iq type='set' id='b5'><unblock xmlns='urn:xmpp:blocking'>"
	          "<item jid='nurse@example.com'/></unblock></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"b5\"/>");
	assert_int_equal(g.pushes, 2);
	assert_int_equal(g.blocked, 0);
	assert_int_equal(g.n, 1);
	/* unblock all */
	xh_in(&h, "<iq type='set' id='b6'><unblock xmlns='urn:xmpp:blocking'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"b6\"/>");
	assert_int_equal(g.pushes, 3);
	assert_int_equal(g.n, 0);
	/* malformed: a block without items, an item without a jid */
	xh_in(&h, "<iq type='set' id='b7'><block xmlns='urn:xmpp:blocking'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"error\" id=\"b7\"><error type=\"modify\">"
	                                "<bad-request xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
	                                "</error></iq>");
	xh_in(&h, "<iq type='set' id='b8'><unblock xmlns='urn:xmpp:blocking'><item/></unblock></iq>");
	xh_expect(&h, "<bad-request ");
	assert_int_equal(g.pushes, 3);
	xh_fini(&h);
	assert_int_equal(g.destroyed, 1);
}

static void test_requests(void **state)
{
	static const char *const two[] = {"Nurse@Example.com", "example.org"};
	static const char *const bad[] = {"a@@b"};
	char id[64];
	got g;
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_blocking_get(h.s, on_list, &g, on_destroy), 0);
	xh_sent_exact(&h, "<iq type=\"get\" id=\"%s\"><blocklist xmlns=\"urn:xmpp:blocking\"/></iq>",
	              id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s'><blocklist xmlns='urn:xmpp:blocking'>"
	      "<item jid='romeo@montague.net'/><item jid='iago@shakespeare.lit'/></blocklist></iq>", id);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.error, 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.jids[1], "iago@shakespeare.lit");
	assert_int_equal(g.destroyed, 1);
	/* an empty list; a result without a list */
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_blocking_get(h.s, on_list, &g, NULL), 0);
	xh_sent(&h, id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s' from='juliet@example.com'>"
	      "<blocklist xmlns='urn:xmpp:blocking'/></iq>", id);
	assert_int_equal(g.error, 0);
	assert_int_equal(g.n, 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_blocking_get(h.s, on_list, &g, NULL), 0);
	xh_sent(&h, id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s'/>", id);
	assert_int_equal(g.error, XMPPC_EPROTOCOL);

	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_blocking_block(h.s, two, 2, on_done, &g, NULL), 0);
	xh_sent_exact(&h, "<iq type=\"set\" id=\"%s\"><block xmlns=\"urn:xmpp:blocking\">"
	              "<item jid=\"nurse@example.com\"/><item jid=\"example.org\"/></block></iq>",
	              id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s'/>", id);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.error, 0);
	assert_int_equal(xmppc_blocking_block(h.s, two, 0, on_done, &g, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_blocking_block(h.s, bad, 1, on_done, &g, NULL), XMPPC_EJID_INVALID_DOMAIN);
	xh_expect_none(&h);

	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_blocking_unblock(h.s, NULL, 0, on_done, &g, NULL), 0);
	xh_sent_exact(&h, "<iq type=\"set\" id=\"%s\"><unblock xmlns=\"urn:xmpp:blocking\"/></iq>",
	              id, sizeof(id));
	xh_in_id(&h, "<iq type='error' id='%s'><error type='cancel'><not-acceptable "
	      "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", id);
	assert_int_equal(g.error, XMPPC_IQ_ERROR_REPLY);
	/* fire and forget */
	assert_int_equal(xmppc_blocking_unblock(h.s, two + 1, 1, NULL, NULL, NULL), 0);
	xh_sent(&h, id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s'/>", id);
	xh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pushes),
	    cmocka_unit_test(test_requests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
