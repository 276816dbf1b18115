/* The im module: parsing of incoming extensions, automatic receipts and
 * their policy, the stanza-id trust rule, sending with origin-id, and the
 * builders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "imt.h"
#include "xh.h"

#define ME "juliet@example.com/balcony"

static imt_msg rec;
static int destroyed;

static void count_destroy(void *ud)
{
	(void)ud;
	destroyed++;
}

static void setup_im(xh *h, unsigned flags, xmppc_im_receipt_policy_fn policy)
{
	xmppc_im_config c;

	memset(&rec, 0, sizeof(rec));
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_IM_CONFIG_VERSION;
	c.flags = flags;
	c.on_message = imt_record;
	c.receipt_policy = policy;
	c.user_data = &rec;
	xh_init(h, ME);
	assert_int_equal(xmppc_session_add_module(h->s, xmppc_im_module(), &c), 0);
}

/* Serialize a stanza (the test owns the returned buffer's content until the next call). */
static const char *xml_of(xmppc_ctx *ctx, const xmppc_stanza *st)
{
	static char out[4096];
	xmppc_buf *b;

	assert_int_equal(xmppc_buf_new(&b, ctx), 0);
	assert_int_equal(xmppc_stanza_to_xml(b, st, "jabber:client"), 0);
	snprintf(out, sizeof(out), "%.*s", (int)xmppc_buf_len(b), xmppc_buf_data(b));
	xmppc_buf_free(b);
	return out;
}

static void test_parse_everything(void **state)
{
	xh h;

	(void)state;
	setup_im(&h, XMPPC_IM_NO_AUTO_RECEIPTS, NULL);
	xh_in(
	    &h,
	    "<message type='chat' id='m1' from='romeo@example.net/orchard' to='" ME "'>"
	    "<subject>s</subject><body xml:lang='de'>hallo</body><body>hi</body>"
	    "<thread parent='p0'>t1</thread>"
	    "<composing xmlns='http://jabber.org/protocol/chatstates'/>"
	    "<request xmlns='urn:xmpp:receipts'/>"
	    "<replace xmlns='urn:xmpp:message-correct:0' id='m0'/>"
	    "<stanza-id xmlns='urn:xmpp:sid:0' by='room@muc.example.com' id='evil'/>"
	    "<stanza-id xmlns='urn:xmpp:sid:0' by='Juliet@Example.com' id='good'/>"
	    "<origin-id xmlns='urn:xmpp:sid:0' id='o1'/>"
	    "<delay xmlns='urn:xmpp:delay' from='example.com' stamp='2002-09-10T23:08:25.5-01:00'/>"
	    "<markable xmlns='urn:xmpp:chat-markers:0'/>"
	    "<displayed xmlns='urn:xmpp:chat-markers:0' id='m-1'/>"
	    "<no-store xmlns='urn:xmpp:hints'/><no-copy xmlns='urn:xmpp:hints'/>"
	    "</message>");
	assert_int_equal(rec.count, 1);
	assert_int_equal(rec.m.type, XMPPC_TYPE_CHAT);
	assert_string_equal(rec.from, "romeo@example.net/orchard");
	assert_string_equal(rec.body, "hi");
	assert_string_equal(rec.subject, "s");
	assert_string_equal(rec.thread, "t1");
	assert_string_equal(rec.parent_thread, "p0");
	assert_int_equal(rec.m.carbon, XMPPC_CARBON_NONE);
	assert_int_equal(rec.m.chat_state, XMPPC_CHAT_STATE_COMPOSING);
	assert_int_equal(rec.m.receipt_requested, 1);
	assert_string_equal(rec.replace_id, "m0");
	assert_string_equal(rec.stanza_id, "good");
	assert_string_equal(rec.origin_id, "o1");
	assert_int_equal(rec.m.has_delay, 1);
	/* 2002-09-11T00:08:25.5Z */
	assert_true(rec.m.delay_ms == 1031702905500LL);
	assert_int_equal(rec.m.markable, 1);
	assert_int_equal(rec.m.marker, XMPPC_MARKER_DISPLAYED);
	assert_string_equal(rec.marker_id, "m-1");
	assert_int_equal(rec.m.hints, XMPPC_HINT_NO_STORE | XMPPC_HINT_NO_COPY);
	xh_expect_none(&h); /* NO_AUTO_RECEIPTS */
	xh_fini(&h);
}

/* XEP-0359 §3.1: a stanza-id by anyone but our bare JID is ignored. */
static void test_stanza_id_wrong_by(void **state)
{
	static const char *const bys[] = {"evil@example.net", ME, "example.com", "", NULL};
	char xml[512];
	xh h;
	int i;

	(void)state;
	setup_im(&h, 0, NULL);
	for (i = 0; bys[i] != NULL; i++) {
		snprintf(xml, sizeof(xml),
		         "<message from='romeo@example.net/o'><body>x</body>"
		         "<stanza-id xmlns='urn:xmpp:sid:0' by='%s' id='forged'/></message>",
		         bys[i]);
		xh_in(&h, xml);
		assert_int_equal(rec.count, i + 1);
		assert_string_equal(rec.stanza_id, "(null)");
	}
	/* no 'by' at all, and one without an id */
	xh_in(&h, "<message from='romeo@example.net/o'><stanza-id xmlns='urn:xmpp:sid:0' id='x'/>"
	          "<stanza-id xmlns='urn:xmpp:sid:0' by='juliet@example.com'/></message>");
	assert_string_equal(rec.stanza_id, "(null)");
	xh_fini(&h);
}

static void test_receipt_auto_reply(void **state)
{
	const char *o;
	xh h;

	(void)state;
	setup_im(&h, 0, NULL);
	xh_in(&h, "<message type='chat' id='r1' from='romeo@example.net/orchard'><body>hi</body>"
	          "<request xmlns='urn:xmpp:receipts'/></message>");
	assert_int_equal(rec.count, 1);
	o = xh_out(&h);
	assert_non_null(strstr(o, "<received xmlns=\"urn:xmpp:receipts\" id=\"r1\"/>"));
	assert_non_null(strstr(o, "to=\"romeo@example.net/orchard\""));
	assert_non_null(strstr(o, "type=\"chat\""));
	/* a normal message is answered too, without a type */
	xh_in(&h, "<message id='r2' from='romeo@example.net/orchard'><body>hi</body>"
	          "<request xmlns='urn:xmpp:receipts'/></message>");
	o = xh_out(&h);
	assert_non_null(strstr(o, "id=\"r2\"/>"));
	assert_null(strstr(o, "type="));
	xh_fini(&h);
}

static void test_receipt_not_due(void **state)
{
	static const char *const cases[] = {
	    /* error */
	    "<message type='error' id='e1' from='romeo@example.net/o'><body>x</body>"
	    "<request xmlns='urn:xmpp:receipts'/><error type='cancel'>"
	    "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
	    /* groupchat */
	    "<message type='groupchat' id='g1' from='room@muc.example.net/nick'><body>x</body>"
	    "<request xmlns='urn:xmpp:receipts'/></message>",
	    /* no id, empty id */
	    "<message type='chat' from='romeo@example.net/o'><body>x</body>"
	    "<request xmlns='urn:xmpp:receipts'/></message>",
	    "<message type='chat' id='' from='romeo@example.net/o'><body>x</body>"
	    "<request xmlns='urn:xmpp:receipts'/></message>",
	    /* no body (only a request and a chat state) */
	    "<message type='chat' id='n1' from='romeo@example.net/o'>"
	    "<active xmlns='http://jabber.org/protocol/chatstates'/>"
	    "<request xmlns='urn:xmpp:receipts'/></message>",
	    /* no from */
	    "<message type='chat' id='n2'><body>x</body><request "
	    "xmlns='urn:xmpp:receipts'/></message>",
	    /* a receipt that asks for a receipt */
	    "<message id='n3' from='romeo@example.net/o'><body>x</body>"
	    "<received xmlns='urn:xmpp:receipts' id='r0'/>"
	    "<request xmlns='urn:xmpp:receipts'/></message>",
	    /* no request */
	    "<message type='chat' id='n4' from='romeo@example.net/o'><body>x</body></message>",
	    NULL,
	};
	xh h;
	int i;

	(void)state;
	setup_im(&h, 0, NULL);
	for (i = 0; cases[i] != NULL; i++) {
		xh_in(&h, cases[i]);
		assert_int_equal(rec.count, i + 1);
		xh_expect_none(&h);
	}
	xh_fini(&h);

	/* XMPPC_IM_NO_AUTO_RECEIPTS */
	setup_im(&h, XMPPC_IM_NO_AUTO_RECEIPTS, NULL);
	xh_in(&h, "<message type='chat' id='r1' from='romeo@example.net/o'><body>hi</body>"
	          "<request xmlns='urn:xmpp:receipts'/></message>");
	assert_int_equal(rec.count, 1);
	xh_expect_none(&h);
	xh_fini(&h);
}

static int policy_romeo_only(void *ud, xmppc_session *s, const xmppc_im_message *m)
{
	(void)ud;
	(void)s;
	return strncmp(m->from, "romeo@example.net/", 18) == 0;
}

static void test_receipt_policy(void **state)
{
	xh h;

	(void)state;
	setup_im(&h, 0, policy_romeo_only);
	xh_in(&h, "<message type='chat' id='p1' from='mallory@example.org/x'><body>hi</body>"
	          "<request xmlns='urn:xmpp:receipts'/></message>");
	xh_expect_none(&h);
	xh_in(&h, "<message type='chat' id='p2' from='romeo@example.net/o'><body>hi</body>"
	          "<request xmlns='urn:xmpp:receipts'/></message>");
	xh_expect(&h, "<received xmlns=\"urn:xmpp:receipts\" id=\"p2\"/>");
	assert_int_equal(rec.count, 2);
	xh_fini(&h);
}

static void test_delay(void **state)
{
	xh h;

	(void)state;
	setup_im(&h, 0, NULL);
	xh_in(&h, "<message from='romeo@example.net/o'><body>x</body>"
	          "<delay xmlns='urn:xmpp:delay' stamp='1970-01-01T00:00:01Z'/></message>");
	assert_int_equal(rec.m.has_delay, 1);
	assert_true(rec.m.delay_ms == 1000);
	xh_in(&h, "<message from='romeo@example.net/o'><body>x</body>"
	          "<delay xmlns='urn:xmpp:delay' stamp='2002-02-30T00:00:00Z'/></message>");
	assert_int_equal(rec.m.has_delay, 0);
	xh_in(&h, "<message from='romeo@example.net/o'><body>x</body>"
	          "<delay xmlns='urn:xmpp:delay'/></message>");
	assert_int_equal(rec.m.has_delay, 0);
	xh_in(&h, "<message from='romeo@example.net/o'><body>x</body>"
	          "<delay xmlns='urn:xmpp:delay' stamp='yesterday'/></message>");
	assert_int_equal(rec.m.has_delay, 0);
	assert_int_equal(rec.count, 4);
	xh_fini(&h);
}

static void test_correction(void **state)
{
	xmppc_stanza *m;
	const char *x;
	xh h;

	(void)state;
	setup_im(&h, 0, NULL);
	xh_in(&h, "<message type='chat' id='c2' from='romeo@example.net/o'><body>fixed</body>"
	          "<replace xmlns='urn:xmpp:message-correct:0' id='c1'/></message>");
	assert_string_equal(rec.replace_id, "c1");
	assert_string_equal(rec.body, "fixed");
	/* an empty id is no correction */
	xh_in(&h, "<message type='chat' id='c3' from='romeo@example.net/o'><body>x</body>"
	          "<replace xmlns='urn:xmpp:message-correct:0'/></message>");
	assert_string_equal(rec.replace_id, "(null)");

	assert_int_equal(xmppc_message_new(&m, h.ctx, XMPPC_TYPE_CHAT, "romeo@example.net", "b"),
	                 0);
	assert_int_equal(xmppc_im_set_replace(m, "old1"), 0);
	assert_int_equal(xmppc_im_set_replace(m, "old2"), 0);
	assert_int_equal(xmppc_im_set_replace(m, ""), XMPPC_EINVAL);
	assert_int_equal(xmppc_im_set_replace(m, NULL), XMPPC_EINVAL);
	x = xml_of(h.ctx, m);
	assert_non_null(strstr(x, "<replace xmlns=\"urn:xmpp:message-correct:0\" id=\"old2\"/>"));
	assert_null(strstr(x, "old1"));
	xmppc_stanza_unref(m);
	xh_fini(&h);
}

static void test_send_message(void **state)
{
	xmppc_stanza *m;
	const char *o;
	char want[256];
	xh h;

	(void)state;
	setup_im(&h, XMPPC_IM_REQUEST_RECEIPTS, NULL);
	assert_int_equal(xmppc_message_new(&m, h.ctx, XMPPC_TYPE_CHAT, "romeo@example.net", "hi"),
	                 0);
	assert_int_equal(xmppc_im_send_message(h.s, m), 0);
	o = xh_out(&h);
	snprintf(want, sizeof(want), "<origin-id xmlns=\"urn:xmpp:sid:0\" id=\"%s\"/>",
	         xmppc_stanza_id(m));
	assert_non_null(strstr(o, want));
	assert_non_null(strstr(o, "<request xmlns=\"urn:xmpp:receipts\"/>"));
	/* sending again adds neither a second origin-id nor a second request */
	assert_int_equal(xmppc_im_send_message(h.s, m), 0);
	o = xh_out(&h);
	assert_null(strstr(strstr(o, "origin-id") + 1, "origin-id"));
	assert_null(strstr(strstr(o, "<request") + 1, "<request"));
	xmppc_stanza_unref(m);

	/* a chat state alone, and groupchat: no receipt request; no id: one is made */
	assert_int_equal(
	    xmppc_message_new(&m, h.ctx, XMPPC_TYPE_GROUPCHAT, "r@muc.example.com", "x"), 0);
	assert_int_equal(xmppc_stanza_set_id(m, NULL), 0);
	assert_int_equal(xmppc_im_send_message(h.s, m), 0);
	assert_non_null(xmppc_stanza_id(m));
	o = xh_out(&h);
	assert_null(strstr(o, "<request"));
	assert_non_null(strstr(o, "<origin-id"));
	xmppc_stanza_unref(m);
	assert_int_equal(xmppc_message_new(&m, h.ctx, XMPPC_TYPE_CHAT, "romeo@example.net", NULL),
	                 0);
	assert_int_equal(xmppc_im_set_chat_state(m, XMPPC_CHAT_STATE_COMPOSING), 0);
	assert_int_equal(xmppc_im_send_message(h.s, m), 0);
	o = xh_out(&h);
	assert_null(strstr(o, "<request"));
	assert_non_null(strstr(o, "<composing xmlns=\"http://jabber.org/protocol/chatstates\"/>"));
	xmppc_stanza_unref(m);
	xh_fini(&h);

	/* every message sent through the session gets an origin-id (send
	 * filter), on a copy: the application's stanza is left as it was */
	setup_im(&h, 0, NULL);
	assert_int_equal(xmppc_message_new(&m, h.ctx, XMPPC_TYPE_CHAT, "romeo@example.net", "hi"),
	                 0);
	assert_int_equal(xmppc_session_send(h.s, m), 0);
	o = xh_out(&h);
	snprintf(want, sizeof(want), "<origin-id xmlns=\"urn:xmpp:sid:0\" id=\"%s\"/>",
	         xmppc_stanza_id(m));
	assert_non_null(strstr(o, want));
	assert_null(xmppc_stanza_find_child(m, "origin-id", NULL));
	xmppc_stanza_unref(m);
	/* presences are not touched */
	assert_int_equal(xmppc_presence_new(&m, h.ctx, XMPPC_TYPE_AVAILABLE, NULL), 0);
	assert_int_equal(xmppc_session_send(h.s, m), 0);
	assert_null(strstr(xh_out(&h), "origin-id"));
	xmppc_stanza_unref(m);
	xh_fini(&h);

	/* NO_ORIGIN_ID, no receipts requested by default; no module: ENOTFOUND */
	setup_im(&h, XMPPC_IM_NO_ORIGIN_ID, NULL);
	assert_int_equal(xmppc_message_new(&m, h.ctx, XMPPC_TYPE_CHAT, "romeo@example.net", "hi"),
	                 0);
	assert_int_equal(xmppc_im_send_message(h.s, m), 0);
	o = xh_out(&h);
	assert_null(strstr(o, "origin-id"));
	assert_null(strstr(o, "<request"));
	assert_int_equal(xmppc_session_send(h.s, m), 0);
	assert_null(strstr(xh_out(&h), "origin-id"));
	assert_int_equal(xmppc_session_remove_module(h.s, "xmppc.im"), 0);
	assert_int_equal(xmppc_im_send_message(h.s, m), XMPPC_ENOTFOUND);
	assert_int_equal(xmppc_im_send_message(NULL, m), XMPPC_EINVAL);
	xmppc_stanza_unref(m);
	xh_fini(&h);
}

static void test_builders(void **state)
{
	xmppc_stanza *m;
	const char *x, *action = NULL;
	xh h;

	(void)state;
	xh_init(&h, ME);
	assert_int_equal(xmppc_message_new(&m, h.ctx, XMPPC_TYPE_CHAT, "romeo@example.net", "b"),
	                 0);
	assert_int_equal(xmppc_im_set_chat_state(m, XMPPC_CHAT_STATE_COMPOSING), 0);
	assert_int_equal(xmppc_im_set_chat_state(m, XMPPC_CHAT_STATE_PAUSED), 0);
	assert_int_equal(xmppc_im_set_chat_state(m, (xmppc_chat_state)99), XMPPC_EINVAL);
	assert_int_equal(xmppc_im_request_receipt(m), 0);
	assert_int_equal(xmppc_im_request_receipt(m), 0);
	assert_int_equal(xmppc_im_set_marker(m, XMPPC_MARKER_NONE, NULL), 0);
	assert_int_equal(xmppc_im_set_marker(m, XMPPC_MARKER_NONE, NULL), 0);
	assert_int_equal(xmppc_im_set_marker(m, XMPPC_MARKER_DISPLAYED, "d1"), 0);
	assert_int_equal(xmppc_im_set_marker(m, XMPPC_MARKER_RECEIVED, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_im_set_marker(m, XMPPC_MARKER_NONE, "x"), XMPPC_EINVAL);
	assert_int_equal(xmppc_im_add_hints(m, XMPPC_HINT_NO_STORE | XMPPC_HINT_STORE), 0);
	assert_int_equal(xmppc_im_add_hints(m, XMPPC_HINT_NO_STORE), 0);
	assert_int_equal(xmppc_im_add_hints(m, 0x10u), XMPPC_EINVAL);
	assert_int_equal(xmppc_im_set_origin_id(m, "o9"), 0);
	x = xml_of(h.ctx, m);
	assert_non_null(strstr(x, "<paused xmlns=\"http://jabber.org/protocol/chatstates\"/>"
	                          "<request xmlns=\"urn:xmpp:receipts\"/>"
	                          "<markable xmlns=\"urn:xmpp:chat-markers:0\"/>"
	                          "<displayed xmlns=\"urn:xmpp:chat-markers:0\" id=\"d1\"/>"
	                          "<no-store xmlns=\"urn:xmpp:hints\"/>"
	                          "<store xmlns=\"urn:xmpp:hints\"/>"
	                          "<origin-id xmlns=\"urn:xmpp:sid:0\" id=\"o9\"/>"));
	assert_null(strstr(x, "composing"));
	assert_int_equal(xmppc_im_set_chat_state(m, XMPPC_CHAT_STATE_NONE), 0);
	assert_null(strstr(xml_of(h.ctx, m), "chatstates"));
	assert_string_equal(xmppc_chat_state_name(XMPPC_CHAT_STATE_GONE), "gone");
	assert_null(xmppc_chat_state_name(XMPPC_CHAT_STATE_NONE));
	xmppc_stanza_unref(m);
	/* not a message */
	assert_int_equal(xmppc_iq_new(&m, h.ctx, XMPPC_TYPE_GET, NULL, NULL), 0);
	assert_int_equal(xmppc_im_request_receipt(m), XMPPC_EINVAL);
	assert_int_equal(xmppc_im_set_origin_id(m, "x"), XMPPC_EINVAL);
	xmppc_stanza_unref(m);
	assert_int_equal(xmppc_im_request_receipt(NULL), XMPPC_EINVAL);

	/* XEP-0245 */
	assert_int_equal(xmppc_im_is_me_command(&action, "/me shrugs"), 1);
	assert_string_equal(action, "shrugs");
	assert_int_equal(xmppc_im_is_me_command(NULL, "/me"), 0);
	assert_int_equal(xmppc_im_is_me_command(NULL, "/meow"), 0);
	assert_int_equal(xmppc_im_is_me_command(NULL, " /me x"), 0);
	assert_int_equal(xmppc_im_is_me_command(NULL, NULL), 0);
	xh_fini(&h);
}

static int later_seen;

static int later_observer(void *ud, xmppc_session *s, const xmppc_stanza *st)
{
	(void)ud;
	(void)s;
	(void)st;
	later_seen++;
	return XMPPC_CB_PASS;
}

static int pass_record(void *ud, xmppc_session *s, const xmppc_im_message *m)
{
	imt_record(ud, s, m);
	return XMPPC_CB_PASS;
}

static void test_chain_and_lifecycle(void **state)
{
	xmppc_im_config c;
	xh h;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	later_seen = 0;
	destroyed = 0;
	xh_init(&h, ME);
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_IM_CONFIG_VERSION;
	c.on_message = imt_record;
	c.user_data = &rec;
	c.destroy = count_destroy;
	c.priority = 5;
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_im_module(), &c), 0);
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_im_module(), NULL), XMPPC_EEXIST);
	assert_int_equal(xmppc_session_add_observer(h.s, NULL, 0, later_observer, NULL, NULL, NULL),
	                 0);
	xh_in(&h, "<message from='romeo@example.net/o'><body>x</body></message>");
	assert_int_equal(rec.count, 1);
	assert_int_equal(later_seen, 0); /* the callback returned OK: chain stopped */
	xh_in(&h, "<presence from='romeo@example.net/o'/>");
	assert_int_equal(rec.count, 1);
	assert_int_equal(later_seen, 1);
	assert_int_equal(xmppc_session_remove_module(h.s, "xmppc.im"), 0);
	assert_int_equal(destroyed, 1);

	c.on_message = pass_record;
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_im_module(), &c), 0);
	xh_in(&h, "<message from='romeo@example.net/o'><body>x</body></message>");
	assert_int_equal(rec.count, 2);
	assert_int_equal(later_seen, 2);
	/* a bad version is refused (its destroy not called) */
	assert_int_equal(xmppc_session_remove_module(h.s, "xmppc.im"), 0);
	assert_int_equal(destroyed, 2);
	c.version = 99;
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_im_module(), &c), XMPPC_EINVAL);
	assert_int_equal(destroyed, 2);
	/* features */
	assert_non_null(xmppc_im_module()->features);
	assert_string_equal(xmppc_im_module()->name, "xmppc.im");
	/* freed with the session: destroy runs */
	c.version = XMPPC_IM_CONFIG_VERSION;
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_im_module(), &c), 0);
	xh_fini(&h);
	assert_int_equal(destroyed, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_everything),   cmocka_unit_test(test_stanza_id_wrong_by),
	    cmocka_unit_test(test_receipt_auto_reply), cmocka_unit_test(test_receipt_not_due),
	    cmocka_unit_test(test_receipt_policy),     cmocka_unit_test(test_delay),
	    cmocka_unit_test(test_correction),         cmocka_unit_test(test_send_message),
	    cmocka_unit_test(test_builders),           cmocka_unit_test(test_chain_and_lifecycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
