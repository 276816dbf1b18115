/* RFC 6121 §3-4 presence module: tracking across resources (available,
 * unavailable, priority, show, best resource), subscription requests
 * with approve/deny, errors, and what the client sends. */
#include "xh-id.h"

#define ME "juliet@example.com/balcony"

typedef struct events {
	int n[8];
	int destroyed;
	char jid[128];
	char status[128];
	int had_info;
	xmppc_stanza_condition cond;
} events;

static void on_presence(void *ud, xmppc_session *s, const xmppc_presence_event *ev)
{
	events *e = ud;

	(void)s;
	assert_true(ev->type >= 1 && ev->type <= 7);
	e->n[ev->type]++;
	snprintf(e->jid, sizeof(e->jid), "%s", ev->jid);
	snprintf(e->status, sizeof(e->status), "%s", ev->status != NULL ? ev->status : "");
	e->had_info = ev->info != NULL;
	assert_non_null(ev->stanza);
	assert_non_null(ev->bare);
	e->cond = ev->error != NULL ? ev->error->condition : XMPPC_COND_NONE;
}

static void on_destroy(void *ud)
{
	((events *)ud)->destroyed++;
}

static void setup(xh *h, events *e, const xmppc_presence_config *c)
{
	xh_init(h, ME);
	memset(e, 0, sizeof(*e));
	assert_int_equal(xmppc_session_add_module(h->s, xmppc_presence_module(), (void *)c), 0);
	assert_int_equal(xmppc_presence_set_event_fn(h->s, on_presence, e, on_destroy), 0);
}

static void test_tracking(void **state)
{
	const xmppc_presence_info *i;
	events e;
	xh h;

	(void)state;
	setup(&h, &e, NULL);
	assert_null(xmppc_presence_best(h.s, "romeo@example.net"));
	xh_in(&h, "<presence from='romeo@example.net/orchard'><priority>1</priority>"
	          "<status>In the orchard</status></presence>");
	assert_int_equal(e.n[XMPPC_PRESENCE_EVENT_AVAILABLE], 1);
	assert_string_equal(e.jid, "romeo@example.net/orchard");
	assert_string_equal(e.status, "In the orchard");
	h.now += 10;
	xh_in(&h, "<presence from='Romeo@example.net/garden'><show>away</show>"
	          "<priority>5</priority></presence>");
	assert_int_equal(xmppc_presence_resource_count(h.s, "romeo@example.net/any"), 2);
	i = xmppc_presence_resource_at(h.s, "romeo@example.net", 0);
	assert_string_equal(i->jid, "romeo@example.net/orchard");
	assert_string_equal(i->resource, "orchard");
	assert_int_equal(i->priority, 1);
	assert_int_equal(i->show, XMPPC_SHOW_NONE);
	assert_string_equal(i->status, "In the orchard");
	assert_non_null(i->stanza);
	i = xmppc_presence_resource_at(h.s, "romeo@example.net", 1);
	assert_string_equal(i->jid, "romeo@example.net/garden");
	assert_int_equal(i->show, XMPPC_SHOW_AWAY);
	assert_null(i->status);
	assert_int_equal(i->since_ms, h.now);
	assert_null(xmppc_presence_resource_at(h.s, "romeo@example.net", 2));
	/* the highest priority wins, whatever the show */
	assert_string_equal(xmppc_presence_best(h.s, "romeo@example.net")->resource, "garden");
	/* an update of the same resource: no new resource */
	xh_in(&h, "<presence from='romeo@example.net/garden'><show>away</show>"
	          "<priority>0</priority></presence>");
	assert_int_equal(xmppc_presence_resource_count(h.s, "romeo@example.net"), 2);
	assert_string_equal(xmppc_presence_best(h.s, "romeo@example.net")->resource, "orchard");
	/* equal priority: the more available show wins */
	xh_in(&h, "<presence from='romeo@example.net/garden'><show>chat</show>"
	          "<priority>1</priority></presence>");
	assert_string_equal(xmppc_presence_best(h.s, "romeo@example.net")->resource, "garden");
	/* equal priority and show: the most recent */
	xh_in(&h, "<presence from='romeo@example.net/garden'><priority>1</priority></presence>");
	xh_in(&h, "<presence from='romeo@example.net/orchard'><priority>1</priority></presence>");
	assert_string_equal(xmppc_presence_best(h.s, "romeo@example.net")->resource, "orchard");
	/* invalid priority and show count as 0 and none */
	xh_in(&h, "<presence from='romeo@example.net/orchard'><show>sleeping</show>"
	          "<priority>300</priority></presence>");
	i = xmppc_presence_resource_at(h.s, "romeo@example.net", 0);
	assert_int_equal(i->priority, 0);
	assert_int_equal(i->show, XMPPC_SHOW_NONE);
	assert_string_equal(xmppc_presence_best(h.s, "romeo@example.net")->resource, "garden");
	/* one resource goes: an event with its last state */
	xh_in(&h, "<presence type='unavailable' from='romeo@example.net/garden'>"
	          "<status>bye</status></presence>");
	assert_int_equal(e.n[XMPPC_PRESENCE_EVENT_UNAVAILABLE], 1);
	assert_true(e.had_info);
	assert_string_equal(e.jid, "romeo@example.net/garden");
	assert_string_equal(e.status, "bye");
	assert_int_equal(xmppc_presence_resource_count(h.s, "romeo@example.net"), 1);
	assert_string_equal(xmppc_presence_best(h.s, "romeo@example.net")->resource, "orchard");
	/* an unknown resource going: an event without info */
	xh_in(&h, "<presence type='unavailable' from='romeo@example.net/attic'/>");
	assert_int_equal(e.n[XMPPC_PRESENCE_EVENT_UNAVAILABLE], 2);
	assert_false(e.had_info);
	/* a second contact, and our own other resource */
	xh_in(&h, "<presence from='nurse@example.com/kitchen'/>");
	xh_in(&h, "<presence from='juliet@example.com/chamber'><priority>-1</priority></presence>");
	assert_int_equal(xmppc_presence_best(h.s, "juliet@example.com")->priority, -1);
	/* unavailable from the bare JID: the contact as a whole */
	xh_in(&h, "<presence type='unavailable' from='romeo@example.net'/>");
	assert_int_equal(e.n[XMPPC_PRESENCE_EVENT_UNAVAILABLE], 3);
	assert_false(e.had_info);
	assert_int_equal(xmppc_presence_resource_count(h.s, "romeo@example.net"), 0);
	assert_null(xmppc_presence_best(h.s, "romeo@example.net"));
	assert_int_equal(xmppc_presence_resource_count(h.s, "nurse@example.com"), 1);
	/* available from a bare JID: resource "" */
	xh_in(&h, "<presence from='example.org'/>");
	assert_string_equal(xmppc_presence_best(h.s, "example.org")->resource, "");
	/* the module never writes anything itself */
	xh_expect_none(&h);
	xh_fini(&h);
	assert_int_equal(e.destroyed, 1);
}

static void test_ignored(void **state)
{
	events e;
	xh h;
	int i, total = 0;

	(void)state;
	setup(&h, &e, NULL);
	/* no 'from', a malformed 'from', a probe, an invalid type */
	xh_in(&h, "<presence><priority>5</priority></presence>");
	xh_in(&h, "<presence from='romeo@@example.net/x'/>");
	xh_in(&h, "<presence from='@example.net'/>");
	xh_in(&h, "<presence type='probe' from='romeo@example.net/x'/>");
	xh_in(&h, "<presence type='bogus' from='romeo@example.net/x'/>");
	for (i = 0; i < 8; i++)
		total += e.n[i];
	assert_int_equal(total, 0);
	assert_int_equal(xmppc_presence_resource_count(h.s, "romeo@example.net"), 0);
	assert_int_equal(xmppc_presence_resource_count(h.s, "@@"), 0);
	xh_fini(&h);
}

static void test_subscriptions(void **state)
{
	events e;
	xh h;

	(void)state;
	setup(&h, &e, NULL);
	xh_in(&h, "<presence type='subscribe' from='romeo@example.net/orchard'>"
	          "<status>It is I</status></presence>");
	assert_int_equal(e.n[XMPPC_PRESENCE_EVENT_SUBSCRIBE], 1);
	assert_string_equal(e.jid, "romeo@example.net"); /* bare */
	assert_string_equal(e.status, "It is I");
	xh_in(&h, "<presence type='subscribe' from='tybalt@example.net'/>");
	xh_in(&h, "<presence type='subscribe' from='romeo@example.net'/>"); /* again: once */
	assert_int_equal(xmppc_presence_pending_count(h.s), 2);
	assert_string_equal(xmppc_presence_pending_at(h.s, 0), "romeo@example.net");
	assert_string_equal(xmppc_presence_pending_at(h.s, 1), "tybalt@example.net");
	assert_null(xmppc_presence_pending_at(h.s, 2));
	/* our own account cannot subscribe to us */
	xh_in(&h, "<presence type='subscribe' from='juliet@example.com/other'/>");
	assert_int_equal(e.n[XMPPC_PRESENCE_EVENT_SUBSCRIBE], 3);
	assert_int_equal(xmppc_presence_pending_count(h.s), 2);

	assert_int_equal(xmppc_presence_approve(h.s, "Romeo@example.net/orchard"), 0);
	assert_string_equal(xh_out(&h), "<presence type=\"subscribed\" to=\"romeo@example.net\"/>");
	assert_int_equal(xmppc_presence_deny(h.s, "tybalt@example.net"), 0);
	assert_string_equal(xh_out(&h),
	                    "<presence type=\"unsubscribed\" to=\"tybalt@example.net\"/>");
	assert_int_equal(xmppc_presence_pending_count(h.s), 0);
	/* a request withdrawn by the contact */
	xh_in(&h, "<presence type='subscribe' from='nurse@example.com'/>");
	xh_in(&h, "<presence type='unsubscribe' from='nurse@example.com'/>");
	assert_int_equal(e.n[XMPPC_PRESENCE_EVENT_UNSUBSCRIBE], 1);
	assert_int_equal(xmppc_presence_pending_count(h.s), 0);

	/* our own requests and their answers */
	assert_int_equal(xmppc_presence_subscribe(h.s, "romeo@example.net/x", "Me"), 0);
	assert_string_equal(xh_out(&h), "<presence type=\"subscribe\" to=\"romeo@example.net\">"
	                                "<status>Me</status></presence>");
	xh_in(&h, "<presence type='subscribed' from='romeo@example.net'/>");
	assert_int_equal(e.n[XMPPC_PRESENCE_EVENT_SUBSCRIBED], 1);
	xh_in(&h, "<presence type='unsubscribed' from='romeo@example.net'/>");
	assert_int_equal(e.n[XMPPC_PRESENCE_EVENT_UNSUBSCRIBED], 1);
	assert_string_equal(e.jid, "romeo@example.net");
	assert_int_equal(xmppc_presence_unsubscribe(h.s, "romeo@example.net"), 0);
	assert_string_equal(xh_out(&h),
	                    "<presence type=\"unsubscribe\" to=\"romeo@example.net\"/>");
	assert_int_equal(xmppc_presence_cancel(h.s, "romeo@example.net"), 0);
	assert_string_equal(xh_out(&h),
	                    "<presence type=\"unsubscribed\" to=\"romeo@example.net\"/>");
	assert_true(xmppc_presence_subscribe(h.s, "a@@b", NULL) < 0);
	assert_int_equal(xmppc_presence_subscribe(h.s, NULL, NULL), XMPPC_EINVAL);
	/* pre-approval needs the server's feature */
	assert_int_equal(xmppc_presence_preapprove(h.s, "benvolio@example.net"),
	                 XMPPC_EUNSUPPORTED);
	xh_expect_none(&h);
	xh_fini(&h);
}

static void test_preapproval(void **state)
{
	xmppc_presence_config c = {XMPPC_PRESENCE_CONFIG_VERSION, XMPPC_PRESENCE_PREAPPROVAL};
	events e;
	xh h;

	(void)state;
	setup(&h, &e, &c);
	assert_int_equal(xmppc_presence_preapprove(h.s, "benvolio@example.net"), 0);
	assert_string_equal(xh_out(&h),
	                    "<presence type=\"subscribed\" to=\"benvolio@example.net\"/>");
	xh_fini(&h);
	xh_init(&h, ME);
	assert_int_equal(xmppc_presence_preapprove(h.s, "benvolio@example.net"), XMPPC_ENOTFOUND);
	c.flags = 0x10;
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_presence_module(), &c), XMPPC_EINVAL);
	xh_fini(&h);
}

static void test_errors(void **state)
{
	events e;
	xh h;

	(void)state;
	setup(&h, &e, NULL);
	xh_in(&h, "<presence from='romeo@example.net/orchard'/>");
	xh_in(&h, "<presence from='romeo@example.net/garden'/>");
	xh_in(&h, "<presence type='error' from='romeo@example.net/orchard'><error type='cancel'>"
	          "<remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
	          "</error></presence>");
	assert_int_equal(e.n[XMPPC_PRESENCE_EVENT_ERROR], 1);
	assert_int_equal(e.cond, XMPPC_COND_REMOTE_SERVER_NOT_FOUND);
	assert_string_equal(e.jid, "romeo@example.net/orchard");
	assert_int_equal(xmppc_presence_resource_count(h.s, "romeo@example.net"), 1);
	/* from the bare JID (e.g. to a directed presence): the whole contact;
	 * without <error/> still an event */
	xh_in(&h, "<presence type='error' from='romeo@example.net'/>");
	assert_int_equal(e.n[XMPPC_PRESENCE_EVENT_ERROR], 2);
	assert_int_equal(e.cond, XMPPC_COND_UNDEFINED_CONDITION);
	assert_int_equal(xmppc_presence_resource_count(h.s, "romeo@example.net"), 0);
	xh_expect_none(&h);
	xh_fini(&h);
}

static void test_send(void **state)
{
	xh h;

	(void)state;
	xh_init(&h, ME); /* sending needs no module */
	assert_int_equal(xmppc_presence_send_available(h.s, NULL, XMPPC_SHOW_NONE, NULL, 0), 0);
	assert_string_equal(xh_out(&h), "<presence/>");
	assert_int_equal(xmppc_presence_send_available(h.s, NULL, XMPPC_SHOW_DND, "busy", -5), 0);
	assert_string_equal(xh_out(&h), "<presence><show>dnd</show><status>busy</status>"
	                                "<priority>-5</priority></presence>");
	assert_int_equal(xmppc_presence_send_available(h.s, "Romeo@example.net/orchard",
	                                               XMPPC_SHOW_CHAT, NULL, 127),
	                 0);
	assert_string_equal(xh_out(&h),
	                    "<presence to=\"Romeo@example.net/orchard\"><show>chat</show>"
	                    "<priority>127</priority></presence>");
	assert_int_equal(xmppc_presence_send_unavailable(h.s, NULL, "gone"), 0);
	assert_string_equal(xh_out(&h), "<presence type=\"unavailable\"><status>gone</status>"
	                                "</presence>");
	assert_int_equal(xmppc_presence_send_unavailable(h.s, "romeo@example.net", NULL), 0);
	assert_string_equal(xh_out(&h),
	                    "<presence type=\"unavailable\" to=\"romeo@example.net\"/>");
	assert_int_equal(xmppc_presence_send_available(h.s, NULL, XMPPC_SHOW_NONE, NULL, 128),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc_presence_send_available(h.s, NULL, XMPPC_SHOW_NONE, NULL, -129),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc_presence_send_available(h.s, NULL, (xmppc_presence_show)9, NULL, 0),
	                 XMPPC_EINVAL);
	assert_true(xmppc_presence_send_available(h.s, "a@@b", XMPPC_SHOW_NONE, NULL, 0) < 0);
	assert_true(xmppc_presence_send_unavailable(h.s, "a@@b", NULL) < 0);
	xh_expect_none(&h);
	assert_string_equal(xmppc_presence_show_name(XMPPC_SHOW_XA), "xa");
	assert_null(xmppc_presence_show_name(XMPPC_SHOW_NONE));
	xh_fini(&h);
}

static void test_disconnect_clears(void **state)
{
	events e;
	xh h;

	(void)state;
	setup(&h, &e, NULL);
	xh_in(&h, "<presence from='romeo@example.net/orchard'/>");
	xh_in(&h, "<presence type='subscribe' from='tybalt@example.net'/>");
	assert_int_equal(xmppc_session_transport_closed(h.s, XMPPC_ETCP_RESET), 0);
	assert_int_equal(xmppc_presence_resource_count(h.s, "romeo@example.net"), 0);
	assert_int_equal(xmppc_presence_pending_count(h.s), 0);
	xh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tracking),
	    cmocka_unit_test(test_ignored),
	    cmocka_unit_test(test_subscriptions),
	    cmocka_unit_test(test_preapproval),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_send),
	    cmocka_unit_test(test_disconnect_clears),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
