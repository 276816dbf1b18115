/* The disco module (XEP-0030): the responder answers from the module
 * registry and the application's nodes; queries, their cache, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "disco-test.h"

#define INFO "http://jabber.org/protocol/disco#info"
#define ITEMS "http://jabber.org/protocol/disco#items"
#define ROMEO "romeo@example.net/orchard"

static const char *const test_features[] = {"urn:test:b", "urn:test:a", INFO, NULL};
static const xmppc_disco_identity test_ids[] = {
	{XMPPC_DISCO_IDENTITY_VERSION, "automation", "command-node", "Test", NULL},
};
static const xmppc_module test_module = {
	XMPPC_MODULE_VERSION, "test.mod", test_features, test_ids, 1, NULL, NULL,
};

static int attach_nothing(xmppc_session *s, void *config, void **state)
{
	(void)s;
	(void)config;
	*state = NULL;
	return 0;
}

static xmppc_module mod;

static void setup_disco(xh *h)
{
	xh_init(h, "juliet@example.com/balcony");
	assert_int_equal(xmppc_session_add_module(h->s, xmppc_disco_module(), NULL), 0);
	mod = test_module;
	mod.attach = attach_nothing;
}

#define DEFAULT_INFO                                                                     \
	"<identity category=\"client\" type=\"pc\" name=\"xmppc\"/>"                     \
	"<feature var=\"http://jabber.org/protocol/disco#info\"/>"                       \
	"<feature var=\"http://jabber.org/protocol/disco#items\"/>"

static void test_info_from_registry(void **state)
{
	xh h;

	(void)state;
	setup_disco(&h);
	xh_in(&h, "<iq type='get' id='i1' from='" ROMEO "'><query xmlns='" INFO "'/></iq>");
	assert_string_equal(xh_out(&h),
	                    "<iq type=\"result\" id=\"i1\" to=\"" ROMEO "\"><query xmlns=\"" INFO
	                    "\">" DEFAULT_INFO "</query></iq>");
	/* a module adds its identity and features (sorted, without duplicates) */
	assert_int_equal(xmppc_session_add_module(h.s, &mod, NULL), 0);
	xh_in(&h, "<iq type='get' id='i2' from='" ROMEO "'><query xmlns='" INFO "'/></iq>");
	assert_string_equal(
	    xh_out(&h),
	    "<iq type=\"result\" id=\"i2\" to=\"" ROMEO "\"><query xmlns=\"" INFO "\">"
	    "<identity category=\"client\" type=\"pc\" name=\"xmppc\"/>"
	    "<identity category=\"automation\" type=\"command-node\" name=\"Test\"/>"
	    "<feature var=\"http://jabber.org/protocol/disco#info\"/>"
	    "<feature var=\"http://jabber.org/protocol/disco#items\"/>"
	    "<feature var=\"urn:test:a\"/><feature var=\"urn:test:b\"/></query></iq>");
	/* and removing it takes them away */
	assert_int_equal(xmppc_session_remove_module(h.s, "test.mod"), 0);
	xh_in(&h, "<iq type='get' id='i3' from='" ROMEO "'><query xmlns='" INFO "'/></iq>");
	assert_string_equal(xh_out(&h),
	                    "<iq type=\"result\" id=\"i3\" to=\"" ROMEO "\"><query xmlns=\"" INFO
	                    "\">" DEFAULT_INFO "</query></iq>");
	/* a set is not ours: service-unavailable from the session */
	xh_in(&h, "<iq type='set' id='i4' from='" ROMEO "'><query xmlns='" INFO "'/></iq>");
	xh_expect(&h, "<service-unavailable");
	/* our root items: an empty list */
	xh_in(&h, "<iq type='get' id='i5' from='" ROMEO "'><query xmlns='" ITEMS "'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"i5\" to=\"" ROMEO
	                                "\"><query xmlns=\"" ITEMS "\"/></iq>");
	xh_fini(&h);
}

static void test_configured_identities_and_forms(void **state)
{
	static const xmppc_disco_identity ids[] = {
		{XMPPC_DISCO_IDENTITY_VERSION, "client", "bot", "Bot", "en"},
	};
	xmppc_disco_config c = {XMPPC_DISCO_CONFIG_VERSION, ids, 1, 0, 0, 0};
	xmppc_stanza *form;
	static const char fx[] = "<x xmlns='jabber:x:data' type='result'>"
	                         "<field var='FORM_TYPE' type='hidden'><value>urn:f</value></field>"
	                         "<field var='k'><value>v</value></field></x>";
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_disco_module(), &c), 0);
	assert_int_equal(xmppc_stanza_from_xml(&form, xmppc_session_ctx(h.s), fx, strlen(fx)), 0);
	assert_int_equal(xmppc_disco_add_form(h.s, form), 0);
	xh_in(&h, "<iq type='get' id='i1' from='" ROMEO "'><query xmlns='" INFO "'/></iq>");
	assert_string_equal(
	    xh_out(&h),
	    "<iq type=\"result\" id=\"i1\" to=\"" ROMEO "\"><query xmlns=\"" INFO "\">"
	    "<identity category=\"client\" type=\"bot\" name=\"Bot\" xml:lang=\"en\"/>"
	    "<feature var=\"http://jabber.org/protocol/disco#info\"/>"
	    "<feature var=\"http://jabber.org/protocol/disco#items\"/>"
	    "<x xmlns=\"jabber:x:data\" type=\"result\">"
	    "<field var=\"FORM_TYPE\" type=\"hidden\"><value>urn:f</value></field>"
	    "<field var=\"k\"><value>v</value></field></x></query></iq>");
	assert_int_equal(xmppc_disco_remove_form(h.s, "urn:f"), 0);
	assert_int_equal(xmppc_disco_remove_form(h.s, "urn:f"), XMPPC_ENOTFOUND);
	/* not a result form with a hidden FORM_TYPE */
	assert_int_equal(xmppc_disco_add_form(h.s, xmppc_stanza_find_child(form, "field", NULL)),
	                 XMPPC_EINVAL);
	xmppc_stanza_unref(form);
	xh_fini(&h);
}

static int node_info(void *ud, xmppc_session *s, const xmppc_stanza *req, xmppc_stanza *q)
{
	xmppc_stanza *f;

	(void)s;
	assert_string_equal(xmppc_stanza_from(req), ROMEO);
	(*(int *)ud)++;
	assert_int_equal(xmppc_stanza_new_child(&f, q, "feature", NULL), 0);
	return xmppc_stanza_set_attr(f, "var", "urn:node:feature");
}

static int node_items(void *ud, xmppc_session *s, const xmppc_stanza *req, xmppc_stanza *q)
{
	xmppc_stanza *i;

	(void)s;
	(void)req;
	(*(int *)ud)++;
	assert_int_equal(xmppc_stanza_new_child(&i, q, "item", NULL), 0);
	return xmppc_stanza_set_attr(i, "jid", "juliet@example.com/balcony");
}

static int node_missing(void *ud, xmppc_session *s, const xmppc_stanza *req, xmppc_stanza *q)
{
	(void)ud;
	(void)s;
	(void)req;
	(void)q;
	return XMPPC_ENOTFOUND;
}

static int destroyed;
static void count_destroy(void *ud)
{
	(void)ud;
	destroyed++;
}

static void test_nodes(void **state)
{
	int calls = 0;
	xh h;

	(void)state;
	destroyed = 0;
	setup_disco(&h);
	xh_in(&h, "<iq type='get' id='n1' from='" ROMEO "'><query xmlns='" INFO
	          "' node='urn:none'/></iq>");
	assert_string_equal(xh_out(&h),
	                    "<iq type=\"error\" id=\"n1\" to=\"" ROMEO "\"><error type=\"cancel\">"
	                    "<item-not-found xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
	                    "</error></iq>");
	assert_int_equal(xmppc_disco_add_node(h.s, "urn:n", node_info, node_items, &calls,
	                                      count_destroy), 0);
	assert_int_equal(xmppc_disco_add_node(h.s, "urn:n", node_info, NULL, NULL, NULL),
	                 XMPPC_EEXIST);
	assert_int_equal(xmppc_disco_add_node(h.s, NULL, node_info, NULL, NULL, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_disco_add_node(h.s, "urn:gone", node_missing, NULL, NULL, NULL), 0);
	xh_in(&h, "<iq type='get' id='n2' from='" ROMEO "'><query xmlns='" INFO
	          "' node='urn:n'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"n2\" to=\"" ROMEO
	                                "\"><query xmlns=\"" INFO "\" node=\"urn:n\">"
	                                "<feature var=\"urn:node:feature\"/></query></iq>");
	xh_in(&h, "<iq type='get' id='n3' from='" ROMEO "'><query xmlns='" ITEMS
	          "' node='urn:n'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"n3\" to=\"" ROMEO
	                                "\"><query xmlns=\"" ITEMS "\" node=\"urn:n\">"
	                                "<item jid=\"juliet@example.com/balcony\"/></query></iq>");
	assert_int_equal(calls, 2);
	xh_in(&h, "<iq type='get' id='n4' from='" ROMEO "'><query xmlns='" INFO
	          "' node='urn:gone'/></iq>");
	xh_expect(&h, "<iq type=\"error\" id=\"n4\" to=\"" ROMEO "\"><error type=\"cancel\">"
	              "<item-not-found");
	/* items of our JID from the NULL node */
	assert_int_equal(xmppc_disco_add_node(h.s, NULL, NULL, node_items, &calls, count_destroy), 0);
	xh_in(&h, "<iq type='get' id='n5' from='" ROMEO "'><query xmlns='" ITEMS "'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"n5\" to=\"" ROMEO
	                                "\"><query xmlns=\"" ITEMS "\">"
	                                "<item jid=\"juliet@example.com/balcony\"/></query></iq>");
	assert_int_equal(xmppc_disco_remove_node(h.s, "urn:n"), 0);
	assert_int_equal(destroyed, 1);
	assert_int_equal(xmppc_disco_remove_node(h.s, "urn:n"), XMPPC_ENOTFOUND);
	xh_in(&h, "<iq type='get' id='n6' from='" ROMEO "'><query xmlns='" INFO
	          "' node='urn:n'/></iq>");
	xh_expect(&h, "<item-not-found");
	xh_fini(&h); /* the NULL node's destroy runs */
	assert_int_equal(destroyed, 2);
}

typedef struct result {
	int calls;
	int error;
	int had_reply;
	int features;
	int destroyed;
	char first_item[128];
} result;

static void on_result(void *ud, xmppc_session *s, const xmppc_stanza *q, const xmppc_stanza *r,
                      int error)
{
	result *res = ud;
	const xmppc_stanza *c;

	(void)s;
	res->calls++;
	res->error = error;
	res->had_reply = r != NULL;
	res->features = 0;
	res->first_item[0] = '\0';
	if (q == NULL)
		return;
	assert_int_equal(xmppc_disco_has_identity(q, "server", "im"),
	                 xmppc_disco_has_feature(q, INFO));
	for (c = xmppc_stanza_find_child(q, "feature", NULL); c;
	     c = xmppc_stanza_find_next(c, "feature", NULL))
		res->features++;
	if ((c = xmppc_stanza_find_child(q, "item", ITEMS)) != NULL)
		snprintf(res->first_item, sizeof(res->first_item), "%s", xmppc_stanza_attr(c, "jid"));
}

static void result_destroy(void *ud)
{
	((result *)ud)->destroyed++;
}

#define SERVER_INFO                                                                      \
	"<query xmlns='" INFO "'><identity category='server' type='im'/>"                \
	"<feature var='" INFO "'/><feature var='urn:xmpp:ping'/></query>"

static void test_query_and_cache(void **state)
{
	result r = {0};
	char id[64];
	xh h;

	(void)state;
	setup_disco(&h);
	assert_int_equal(xmppc_disco_get_info(h.s, "Example.COM", NULL, 0, on_result, &r,
	                                      result_destroy), 0);
	dt_out_equal(&h, "<iq type=\"get\" id=\"ID\" to=\"example.com\"><query xmlns=\"" INFO
	                 "\"/></iq>", id, sizeof(id));
	/* someone else answering with that id is ignored */
	dt_reply(&h, "result", "evil@example.net/x", id, SERVER_INFO);
	assert_int_equal(r.calls, 0);
	dt_reply(&h, "result", "example.com", id, SERVER_INFO);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.had_reply, 1);
	assert_int_equal(r.features, 2);
	assert_int_equal(r.destroyed, 1);
	assert_non_null(xmppc_disco_cached_info(h.s, "example.com", NULL));
	assert_null(xmppc_disco_cached_info(h.s, "example.com", "n"));
	/* again: from the cache, at once, nothing sent */
	assert_int_equal(xmppc_disco_get_info(h.s, "example.com", NULL, 0, on_result, &r,
	                                      result_destroy), 0);
	xh_expect_none(&h);
	assert_int_equal(r.calls, 2);
	assert_int_equal(r.had_reply, 0);
	assert_int_equal(r.features, 2);
	assert_int_equal(r.destroyed, 2);
	/* FRESH asks */
	assert_int_equal(xmppc_disco_get_info(h.s, "example.com", NULL, XMPPC_DISCO_FRESH,
	                                      on_result, &r, NULL), 0);
	dt_out_equal(&h, "<iq type=\"get\" id=\"ID\" to=\"example.com\"><query xmlns=\"" INFO
	                 "\"/></iq>", id, sizeof(id));
	dt_reply(&h, "result", "example.com", id, SERVER_INFO);
	assert_int_equal(r.calls, 3);
	/* after the lifetime (300 s) it asks again */
	xh_clock(&h, 300001);
	assert_null(xmppc_disco_cached_info(h.s, "example.com", NULL));
	assert_int_equal(xmppc_disco_get_info(h.s, "example.com", NULL, 0, on_result, &r, NULL), 0);
	xh_expect(&h, "<query xmlns=\"" INFO "\"/>");
	xh_fini(&h);
	assert_int_equal(r.calls, 4);
	assert_int_equal(r.error, XMPPC_EDISCONNECTED);
}

static void test_items_errors_timeout(void **state)
{
	result r = {0};
	char id[64];
	xh h;

	(void)state;
	setup_disco(&h);
	assert_int_equal(xmppc_disco_get_items(h.s, "example.com", "urn:n", 0, on_result, &r,
	                                       NULL), 0);
	dt_out_equal(&h, "<iq type=\"get\" id=\"ID\" to=\"example.com\"><query xmlns=\"" ITEMS
	                 "\" node=\"urn:n\"/></iq>", id, sizeof(id));
	dt_reply(&h, "result", "example.com", id, "<query xmlns='" ITEMS "' node='urn:n'>"
	         "<item jid='conference.example.com'/><item jid='upload.example.com'/></query>");
	assert_int_equal(r.calls, 1);
	assert_string_equal(r.first_item, "conference.example.com");
	/* an error reply */
	assert_int_equal(xmppc_disco_get_info(h.s, ROMEO, NULL, 0, on_result, &r, NULL), 0);
	dt_id(id, sizeof(id), xh_out(&h));
	dt_reply(&h, "error", ROMEO, id, "<error type='cancel'><service-unavailable "
	         "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>");
	assert_int_equal(r.calls, 2);
	assert_int_equal(r.error, XMPPC_IQ_ERROR_REPLY);
	assert_int_equal(r.had_reply, 1);
	assert_null(xmppc_disco_cached_info(h.s, ROMEO, NULL));
	/* a result without the query */
	assert_int_equal(xmppc_disco_get_info(h.s, ROMEO, NULL, 0, on_result, &r, NULL), 0);
	dt_id(id, sizeof(id), xh_out(&h));
	dt_reply(&h, "result", ROMEO, id, "");
	assert_int_equal(r.calls, 3);
	assert_int_equal(r.error, XMPPC_EPROTOCOL);
	/* a timeout */
	assert_int_equal(xmppc_disco_get_info(h.s, ROMEO, NULL, 0, on_result, &r, NULL), 0);
	xh_clock(&h, 61000);
	assert_int_equal(r.calls, 4);
	assert_int_equal(r.error, XMPPC_ETIMEOUT);
	/* bad arguments */
	assert_int_equal(xmppc_disco_get_info(h.s, "@bad", NULL, 0, on_result, &r, NULL),
	                 XMPPC_EJID_EMPTY_LOCAL);
	assert_int_equal(xmppc_disco_get_info(h.s, ROMEO, NULL, 0, NULL, &r, NULL), XMPPC_EINVAL);
	xh_fini(&h);
}

static void test_detach_with_query_in_flight(void **state)
{
	result r = {0};
	char id[64];
	xh h;

	(void)state;
	setup_disco(&h);
	assert_int_equal(xmppc_disco_get_info(h.s, "example.com", NULL, 0, on_result, &r,
	                                      result_destroy), 0);
	dt_id(id, sizeof(id), xh_out(&h));
	assert_int_equal(xmppc_session_remove_module(h.s, XMPPC_DISCO_MODULE_NAME), 0);
	assert_int_equal(xmppc_disco_get_info(h.s, "example.com", NULL, 0, on_result, &r, NULL),
	                 XMPPC_ESTATE);
	dt_reply(&h, "result", "example.com", id, SERVER_INFO);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.destroyed, 1);
	/* without the module nobody answers disco */
	xh_in(&h, "<iq type='get' id='i1' from='" ROMEO "'><query xmlns='" INFO "'/></iq>");
	xh_expect(&h, "<service-unavailable");
	xh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_info_from_registry),
	    cmocka_unit_test(test_configured_identities_and_forms),
	    cmocka_unit_test(test_nodes),
	    cmocka_unit_test(test_query_and_cache),
	    cmocka_unit_test(test_items_errors_timeout),
	    cmocka_unit_test(test_detach_with_query_in_flight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
