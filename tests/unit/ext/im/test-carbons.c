/* The carbons module (XEP-0280): copies unwrapped only from our own bare
 * JID; forged wrappers (a third party, our full JID, no 'from', the
 * domain), nested copies, private copies and malformed wrappers dropped;
 * enable/disable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "imt.h"
#include "xh.h"

#define ME "juliet@example.com/balcony"

static imt_msg rec;
static int carbons_seen, rejected, later_seen, replies, last_error, destroyed;
static xmppc_im_carbon last_dir;
static char last_reason[128];

static void on_carbon(void *ud, xmppc_session *s, xmppc_im_carbon dir, const xmppc_stanza *m)
{
	(void)ud;
	(void)s;
	(void)m;
	carbons_seen++;
	last_dir = dir;
}

static void on_rejected(void *ud, xmppc_session *s, const xmppc_stanza *w, const char *reason)
{
	(void)ud;
	(void)s;
	(void)w;
	rejected++;
	snprintf(last_reason, sizeof(last_reason), "%s", reason);
}

static int later_observer(void *ud, xmppc_session *s, const xmppc_stanza *st)
{
	(void)ud;
	(void)s;
	(void)st;
	later_seen++;
	return XMPPC_CB_PASS;
}

static void count_destroy(void *ud)
{
	(void)ud;
	destroyed++;
}

static void setup(xh *h, int with_im)
{
	xmppc_im_config ic;
	xmppc_carbons_config cc;

	memset(&rec, 0, sizeof(rec));
	carbons_seen = rejected = later_seen = replies = destroyed = 0;
	last_error = 12345;
	last_dir = XMPPC_CARBON_NONE;
	last_reason[0] = '\0';
	xh_init(h, ME);
	memset(&cc, 0, sizeof(cc));
	cc.version = XMPPC_CARBONS_CONFIG_VERSION;
	cc.on_carbon = on_carbon;
	cc.on_rejected = on_rejected;
	cc.destroy = count_destroy;
	assert_int_equal(xmppc_session_add_module(h->s, xmppc_carbons_module(), &cc), 0);
	if (with_im) {
		memset(&ic, 0, sizeof(ic));
		ic.version = XMPPC_IM_CONFIG_VERSION;
		ic.on_message = imt_record;
		ic.user_data = &rec;
		assert_int_equal(xmppc_session_add_module(h->s, xmppc_im_module(), &ic), 0);
	}
	/* lowest priority: sees whatever the modules let through */
	assert_int_equal(
	    xmppc_session_add_observer(h->s, NULL, -100, later_observer, NULL, NULL, NULL), 0);
}

#define INNER_RECEIVED                                                                             \
	"<message xmlns='jabber:client' from='romeo@example.net/orchard' "                         \
	"to='juliet@example.com/chamber' type='chat' id='x1'><body>hi</body>"                      \
	"<request xmlns='urn:xmpp:receipts'/></message>"

#define WRAP(from, kind, inner)                                                                    \
	"<message " from " to='" ME "' type='chat'><" kind " xmlns='urn:xmpp:carbons:2'>"          \
	"<forwarded xmlns='urn:xmpp:forward:0'>" inner "</forwarded></" kind "></message>"

static void test_valid_received(void **state)
{
	xh h;

	(void)state;
	setup(&h, 1);
	xh_in(&h, WRAP("from='juliet@example.com'", "received", INNER_RECEIVED));
	assert_int_equal(rejected, 0);
	assert_int_equal(carbons_seen, 1);
	assert_int_equal(last_dir, XMPPC_CARBON_RECEIVED);
	assert_int_equal(rec.count, 1);
	assert_int_equal(rec.m.carbon, XMPPC_CARBON_RECEIVED);
	assert_string_equal(rec.from, "romeo@example.net/orchard");
	assert_string_equal(rec.body, "hi");
	assert_int_equal(rec.m.receipt_requested, 1);
	assert_int_equal(later_seen, 0); /* the chain stopped */
	xh_expect_none(&h);              /* no receipt for a copy */
	/* JIDs compare normalized */
	xh_in(&h, WRAP("from='Juliet@EXAMPLE.com'", "received", INNER_RECEIVED));
	assert_int_equal(rec.count, 2);
	xh_fini(&h);
	assert_int_equal(destroyed, 1);
}

static void test_valid_sent(void **state)
{
	xh h;

	(void)state;
	setup(&h, 1);
	xh_in(&h, WRAP("from='juliet@example.com'", "sent",
	               "<message xmlns='jabber:client' from='juliet@example.com/chamber' "
	               "to='romeo@example.net' type='chat' id='s1'><body>out</body></message>"));
	assert_int_equal(rejected, 0);
	assert_int_equal(rec.count, 1);
	assert_int_equal(rec.m.carbon, XMPPC_CARBON_SENT);
	assert_string_equal(rec.from, "juliet@example.com/chamber");
	assert_string_equal(rec.body, "out");
	assert_int_equal(later_seen, 0);
	xh_fini(&h);
}

/* Each of these must be dropped: nothing shown, nothing passed on. */
static void test_forged_and_malformed(void **state)
{
	static const char *const cases[] = {
	    /* a third party */
	    WRAP("from='romeo@example.net/orchard'", "received",
	         "<message xmlns='jabber:client' from='nurse@example.com/x' to='" ME "'>"
	         "<body>forged</body></message>"),
	    WRAP("from='romeo@example.net'", "sent", INNER_RECEIVED),
	    /* our own full JID, another resource, the domain, no from */
	    WRAP("from='" ME "'", "received", INNER_RECEIVED),
	    WRAP("from='juliet@example.com/chamber'", "received", INNER_RECEIVED),
	    WRAP("from='example.com'", "received", INNER_RECEIVED),
	    WRAP("", "received", INNER_RECEIVED),
	    WRAP("from='not a jid@@'", "received", INNER_RECEIVED),
	    /* nested */
	    WRAP("from='juliet@example.com'", "received",
	         WRAP("from='juliet@example.com'", "received", INNER_RECEIVED)),
	    /* a sent copy not from us; a received copy not to us */
	    WRAP("from='juliet@example.com'", "sent", INNER_RECEIVED),
	    WRAP("from='juliet@example.com'", "received",
	         "<message xmlns='jabber:client' from='romeo@example.net/o' to='nurse@example.com'>"
	         "<body>x</body></message>"),
	    /* private / no-copy */
	    WRAP("from='juliet@example.com'", "received",
	         "<message xmlns='jabber:client' from='romeo@example.net/o'><body>x</body>"
	         "<private xmlns='urn:xmpp:carbons:2'/></message>"),
	    WRAP("from='juliet@example.com'", "received",
	         "<message xmlns='jabber:client' from='romeo@example.net/o'><body>x</body>"
	         "<no-copy xmlns='urn:xmpp:hints'/></message>"),
	    /* malformed: nothing forwarded, two messages, an iq, sent and received */
	    WRAP("from='juliet@example.com'", "received", ""),
	    WRAP("from='juliet@example.com'", "received", INNER_RECEIVED INNER_RECEIVED),
	    WRAP("from='juliet@example.com'", "received",
	         "<iq xmlns='jabber:client' type='get' id='q'/>"),
	    "<message from='juliet@example.com'><received xmlns='urn:xmpp:carbons:2'/></message>",
	    "<message from='juliet@example.com'><sent xmlns='urn:xmpp:carbons:2'>"
	    "<forwarded xmlns='urn:xmpp:forward:0'>" INNER_RECEIVED "</forwarded></sent>"
	    "<received xmlns='urn:xmpp:carbons:2'><forwarded "
	    "xmlns='urn:xmpp:forward:0'>" INNER_RECEIVED "</forwarded></received></message>",
	    NULL,
	};
	xh h;
	int i;

	(void)state;
	setup(&h, 1);
	for (i = 0; cases[i] != NULL; i++) {
		xh_in(&h, cases[i]);
		if (rejected != i + 1 || rec.count != 0 || carbons_seen != 0 || later_seen != 0)
			fail_msg("case %d not dropped: %s", i, cases[i]);
		xh_expect_none(&h);
	}
	xh_fini(&h);
}

static void test_not_a_carbon(void **state)
{
	xh h;

	(void)state;
	setup(&h, 1);
	/* a message with only <private/> is an ordinary message */
	xh_in(&h, "<message from='romeo@example.net/o' type='chat'><body>x</body>"
	          "<private xmlns='urn:xmpp:carbons:2'/></message>");
	assert_int_equal(rejected, 0);
	assert_int_equal(rec.count, 1);
	assert_int_equal(rec.m.carbon, XMPPC_CARBON_NONE);
	xh_fini(&h);
}

static void test_without_im(void **state)
{
	xh h;

	(void)state;
	setup(&h, 0);
	xh_in(&h, WRAP("from='juliet@example.com'", "received", INNER_RECEIVED));
	assert_int_equal(carbons_seen, 1);
	assert_int_equal(later_seen, 0);
	xh_in(&h, WRAP("from='romeo@example.net'", "received", INNER_RECEIVED));
	assert_int_equal(carbons_seen, 1);
	assert_int_equal(rejected, 1);
	assert_int_equal(later_seen, 0);
	xh_fini(&h);
}

static void on_reply(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	(void)ud;
	(void)s;
	(void)reply;
	replies++;
	last_error = error;
}

/* The id of the IQ in the client's output. */
static void out_id(char *id, size_t cap, const char *out)
{
	const char *p = strstr(out, " id=\"");
	const char *e;

	assert_non_null(p);
	p += 5;
	e = strchr(p, '"');
	assert_non_null(e);
	snprintf(id, cap, "%.*s", (int)(e - p), p);
}

static void test_enable_disable(void **state)
{
	char id[128], xml[512];
	const char *o;
	xh h;

	(void)state;
	setup(&h, 1);
	assert_int_equal(xmppc_carbons_enabled(h.s), 0);
	assert_int_equal(xmppc_carbons_enable(h.s, on_reply, NULL, count_destroy), 0);
	o = xh_out(&h);
	assert_non_null(strstr(o, "type=\"set\""));
	assert_non_null(strstr(o, "<enable xmlns=\"urn:xmpp:carbons:2\"/></iq>"));
	assert_null(strstr(o, " to="));
	out_id(id, sizeof(id), o);
	/* a result from a third party is not the answer */
	snprintf(xml, sizeof(xml), "<iq type='result' id='%s' from='romeo@example.net/o'/>", id);
	xh_in(&h, xml);
	assert_int_equal(replies, 0);
	assert_int_equal(xmppc_carbons_enabled(h.s), 0);
	snprintf(xml, sizeof(xml), "<iq type='result' id='%s'/>", id);
	xh_in(&h, xml);
	assert_int_equal(replies, 1);
	assert_int_equal(last_error, 0);
	assert_int_equal(destroyed, 1);
	assert_int_equal(xmppc_carbons_enabled(h.s), 1);

	/* a refused disable leaves it enabled */
	assert_int_equal(xmppc_carbons_disable(h.s, on_reply, NULL, NULL), 0);
	o = xh_out(&h);
	assert_non_null(strstr(o, "<disable xmlns=\"urn:xmpp:carbons:2\"/>"));
	out_id(id, sizeof(id), o);
	snprintf(xml, sizeof(xml),
	         "<iq type='error' id='%s' from='juliet@example.com'><error type='cancel'>"
	         "<not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
	         id);
	xh_in(&h, xml);
	assert_int_equal(replies, 2);
	assert_int_equal(last_error, XMPPC_IQ_ERROR_REPLY);
	assert_int_equal(xmppc_carbons_enabled(h.s), 1);
	/* a new stream starts without carbons: the flag goes when the stream ends */
	{
		xh h2;
		char eid[64], exml[256];
		xh_init(&h2, "juliet@example.com/balcony");
		assert_int_equal(xmppc_session_add_module(h2.s, xmppc_carbons_module(), NULL), 0);
		assert_int_equal(xmppc_carbons_enable(h2.s, NULL, NULL, NULL), 0);
		out_id(eid, sizeof(eid), xh_out(&h2));
		snprintf(exml, sizeof(exml), "<iq type='result' id='%s'/>", eid);
		xh_in(&h2, exml);
		assert_int_equal(xmppc_carbons_enabled(h2.s), 1);
		assert_int_equal(xmppc_session_transport_closed(h2.s, XMPPC_ETCP_RESET), 0);
		assert_int_equal(xmppc_carbons_enabled(h2.s), 0);
		xh_fini(&h2);
	}
	assert_int_equal(xmppc_carbons_disable(h.s, NULL, NULL, NULL), 0);
	out_id(id, sizeof(id), xh_out(&h));
	snprintf(xml, sizeof(xml), "<iq type='result' id='%s' from='juliet@example.com'/>", id);
	xh_in(&h, xml);
	assert_int_equal(xmppc_carbons_enabled(h.s), 0);

	/* pending at free: the callback fires with EDISCONNECTED, destroy runs */
	assert_int_equal(xmppc_carbons_enable(h.s, on_reply, NULL, count_destroy), 0);
	xh_fini(&h);
	assert_int_equal(last_error, XMPPC_EDISCONNECTED);
	assert_int_equal(destroyed, 3); /* the module's config + two requests */
}

static void test_errors(void **state)
{
	xmppc_stanza *m;
	const char *x;
	xmppc_buf *b;
	xh h;

	(void)state;
	xh_init(&h, ME);
	assert_int_equal(xmppc_carbons_enable(h.s, NULL, NULL, NULL), XMPPC_ENOTFOUND);
	assert_int_equal(xmppc_carbons_enable(NULL, NULL, NULL, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_carbons_enabled(h.s), 0);
	assert_int_equal(xmppc_carbons_enabled(NULL), 0);
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_carbons_module(), NULL), 0);
	xh_in(&h, WRAP("from='romeo@example.net'", "received", INNER_RECEIVED));
	xh_expect_none(&h);
	/* private marking */
	assert_int_equal(xmppc_message_new(&m, h.ctx, XMPPC_TYPE_CHAT, "romeo@example.net", "b"),
	                 0);
	assert_int_equal(xmppc_carbons_set_private(m), 0);
	assert_int_equal(xmppc_carbons_set_private(m), 0);
	assert_int_equal(xmppc_buf_new(&b, h.ctx), 0);
	assert_int_equal(xmppc_stanza_to_xml(b, m, "jabber:client"), 0);
	assert_int_equal(xmppc_buf_append(b, "", 1), 0);
	x = xmppc_buf_data(b);
	assert_non_null(strstr(x, "<private xmlns=\"urn:xmpp:carbons:2\"/>"
	                          "<no-copy xmlns=\"urn:xmpp:hints\"/></message>"));
	xmppc_buf_free(b);
	xmppc_stanza_unref(m);
	assert_int_equal(xmppc_carbons_set_private(NULL), XMPPC_EINVAL);
	xh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_received),
	    cmocka_unit_test(test_valid_sent),
	    cmocka_unit_test(test_forged_and_malformed),
	    cmocka_unit_test(test_not_a_carbon),
	    cmocka_unit_test(test_without_im),
	    cmocka_unit_test(test_enable_disable),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
