/* XEP-0054 vcard-temp and XEP-0049 private storage: exact request
 * stanzas, and what comes back reaches the callback (round trip). */
#include "xh-id.h"

typedef struct got {
	int fired, error, null_el;
	char xml[1024];
} got;

static xmppc_ctx *ctx;

static void keep(got *g, const xmppc_stanza *el, int error)
{
	xmppc_buf *b;

	g->fired++;
	g->error = error;
	g->null_el = el == NULL;
	g->xml[0] = '\0';
	if (el != NULL) {
		assert_int_equal(xmppc_buf_new(&b, ctx), 0);
		assert_int_equal(xmppc_stanza_to_xml(b, el, NULL), 0);
		snprintf(g->xml, sizeof(g->xml), "%.*s", (int)xmppc_buf_len(b), xmppc_buf_data(b));
		xmppc_buf_free(b);
	}
}

static void on_vcard(void *ud, xmppc_session *s, const xmppc_stanza *v, const xmppc_stanza *reply,
                     int error)
{
	(void)s;
	(void)reply;
	keep(ud, v, error);
}

static void on_private(void *ud, xmppc_session *s, const xmppc_stanza *el,
                       const xmppc_stanza *reply, int error)
{
	(void)s;
	(void)reply;
	keep(ud, el, error);
}

static void on_done(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	(void)s;
	keep(ud, NULL, error);
	(void)reply;
}

static void test_vcard(void **state)
{
	xmppc_stanza *v, *notv;
	char id[64], in[2048];
	got g;
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	ctx = h.ctx;
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_vcard_module(), NULL), 0);
	assert_int_equal(xmppc_vcard_new(&v, h.ctx), 0);
	assert_int_equal(xmppc_vcard_set_field(v, "FN", "Juliet Capulet"), 0);
	assert_int_equal(xmppc_vcard_set_field(v, "N/GIVEN", "Juliet"), 0);
	assert_int_equal(xmppc_vcard_set_field(v, "N/FAMILY", "Capulet & co"), 0);
	assert_int_equal(xmppc_vcard_set_field(v, "FN", "J. Capulet"), 0);
	assert_int_equal(xmppc_vcard_set_field(v, "", "x"), XMPPC_EINVAL);
	assert_int_equal(xmppc_vcard_set_field(v, "A/B/C/D/E", "x"), XMPPC_EINVAL);
	assert_int_equal(xmppc_vcard_set_field(v, "N/", "x"), XMPPC_EINVAL);
	assert_int_equal(xmppc_vcard_set_field(v, "a b", "x"), XMPPC_EINVALID_NAME);
	assert_string_equal(xmppc_vcard_field(v, "N/FAMILY"), "Capulet & co");
	assert_null(xmppc_vcard_field(v, "N/MIDDLE"));

	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_vcard_set(h.s, v, on_done, &g, NULL), 0);
	xh_sent_exact(&h, "<iq type=\"set\" id=\"%s\"><vCard xmlns=\"vcard-temp\">"
	              "<FN>J. Capulet</FN><N><GIVEN>Juliet</GIVEN><FAMILY>Capulet &amp; co</FAMILY>"
	              "</N></vCard></iq>", id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s'/>", id);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.error, 0);
	assert_int_equal(xmppc_stanza_new(&notv, h.ctx, "vcard", "vcard-temp"), 0);
	assert_int_equal(xmppc_vcard_set(h.s, notv, NULL, NULL, NULL), XMPPC_EINVAL);
	xmppc_stanza_unref(notv);

	/* read our own back: what the server returns reaches the callback */
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_vcard_get(h.s, NULL, on_vcard, &g, NULL), 0);
	xh_sent_exact(&h, "<iq type=\"get\" id=\"%s\"><vCard xmlns=\"vcard-temp\"/></iq>", id,
	              sizeof(id));
	snprintf(in, sizeof(in), "<iq type='result' id='%s'><vCard xmlns='vcard-temp'>"
	         "<FN>J. Capulet</FN><N><GIVEN>Juliet</GIVEN><FAMILY>Capulet &amp; co</FAMILY></N>"
	         "</vCard></iq>", id);
	xh_in(&h, in);
	assert_int_equal(g.error, 0);
	assert_string_equal(g.xml, "<vCard xmlns=\"vcard-temp\"><FN>J. Capulet</FN><N><GIVEN>Juliet"
	                           "</GIVEN><FAMILY>Capulet &amp; co</FAMILY></N></vCard>");
	/* someone else's; none stored */
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_vcard_get(h.s, "romeo@example.net", on_vcard, &g, NULL), 0);
	xh_sent_exact(&h, "<iq type=\"get\" id=\"%s\" to=\"romeo@example.net\">"
	              "<vCard xmlns=\"vcard-temp\"/></iq>", id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s' from='romeo@example.net'/>", id);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.error, 0);
	assert_true(g.null_el);
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_vcard_get(h.s, "romeo@example.net", on_vcard, &g, NULL), 0);
	xh_sent(&h, id, sizeof(id));
	xh_in_id(&h, "<iq type='error' id='%s' from='romeo@example.net'><error type='cancel'>"
	      "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", id);
	assert_int_equal(g.error, XMPPC_IQ_ERROR_REPLY);
	assert_true(g.null_el);
	xmppc_stanza_unref(v);
	xh_fini(&h);
}

static void test_private(void **state)
{
	xmppc_stanza *el, *bad;
	char id[64];
	got g;
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	ctx = h.ctx;
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_private_module(), NULL), 0);
	assert_int_equal(xmppc_stanza_from_xml(&el, h.ctx,
	                 "<exodus xmlns='exodus:prefs'><defaultnick>Hamlet</defaultnick></exodus>",
	                 71), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_private_set(h.s, el, on_done, &g, NULL), 0);
	xh_sent_exact(&h, "<iq type=\"set\" id=\"%s\"><query xmlns=\"jabber:iq:private\">"
	              "<exodus xmlns=\"exodus:prefs\"><defaultnick>Hamlet</defaultnick></exodus>"
	              "</query></iq>", id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s'/>", id);
	assert_int_equal(g.error, 0);
	xmppc_stanza_unref(el);

	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_private_get(h.s, "exodus", "exodus:prefs", on_private, &g, NULL), 0);
	xh_sent_exact(&h, "<iq type=\"get\" id=\"%s\"><query xmlns=\"jabber:iq:private\">"
	              "<exodus xmlns=\"exodus:prefs\"/></query></iq>", id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s'><query xmlns='jabber:iq:private'>"
	      "<exodus xmlns='exodus:prefs'><defaultnick>Hamlet</defaultnick></exodus></query></iq>",
	      id);
	assert_int_equal(g.error, 0);
	assert_string_equal(g.xml, "<exodus xmlns=\"exodus:prefs\"><defaultnick>Hamlet</defaultnick>"
	                           "</exodus>");
	/* a result holding something else */
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_private_get(h.s, "exodus", "exodus:prefs", on_private, &g, NULL), 0);
	xh_sent(&h, id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s'><query xmlns='jabber:iq:private'>"
	      "<other xmlns='exodus:prefs'/></query></iq>", id);
	assert_int_equal(g.error, XMPPC_EPROTOCOL);
	assert_true(g.null_el);
	/* forbidden namespaces */
	assert_int_equal(xmppc_private_get(h.s, "x", "jabber:client", on_private, &g, NULL),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc_private_get(h.s, "x", NULL, on_private, &g, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_stanza_new(&bad, h.ctx, "query", "jabber:iq:private"), 0);
	assert_int_equal(xmppc_private_set(h.s, bad, NULL, NULL, NULL), XMPPC_EINVAL);
	xmppc_stanza_unref(bad);
	xh_expect_none(&h);
	xh_fini(&h);
}

static void test_register(void **state)
{
	char id[64];
	got g;
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	ctx = h.ctx;
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_register_module(), NULL), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_register_change_password(h.s, "n3w<pw>", on_done, &g, NULL), 0);
	xh_sent_exact(&h, "<iq type=\"set\" id=\"%s\" to=\"example.com\">"
	              "<query xmlns=\"jabber:iq:register\"><username>juliet</username>"
	              "<password>n3w&lt;pw&gt;</password></query></iq>", id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s' from='example.com'/>", id);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.error, 0);
	assert_int_equal(xmppc_register_change_password(h.s, "", on_done, &g, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_register_change_password(h.s, "a\001", on_done, &g, NULL),
	                 XMPPC_EXML_INVALID_CHAR);
	xh_expect_none(&h);

	memset(&g, 0, sizeof(g));
	assert_int_equal(xmppc_register_cancel(h.s, on_done, &g, NULL), 0);
	xh_sent_exact(&h, "<iq type=\"set\" id=\"%s\"><query xmlns=\"jabber:iq:register\">"
	              "<remove/></query></iq>", id, sizeof(id));
	xh_in_id(&h, "<iq type='error' id='%s'><error type='cancel'><not-allowed "
	      "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", id);
	assert_int_equal(g.error, XMPPC_IQ_ERROR_REPLY);
	xh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vcard),
	    cmocka_unit_test(test_private),
	    cmocka_unit_test(test_register),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
