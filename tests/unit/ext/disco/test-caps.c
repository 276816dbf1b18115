/* The caps module (XEP-0115): our <c/> follows the module registry, the
 * NODE#VER node is answered, received caps are verified before they are
 * cached, the store hook saves and loads (and is not trusted either). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "disco-test.h"

#define INFO "http://jabber.org/protocol/disco#info"
#define ROMEO "romeo@example.net/orchard"
#define NURSE "nurse@example.com/garden"
/* Our ver with disco + caps (computed independently from the §5.1 string
 * "client/pc//xmppc<" + the three features) and with the test module too. */
#define OWN_VER "78Si+5Su1xaXVejwrFpYeSEY/Eo="
#define OWN_VER_MOD "wxksldetuBscA8RehSQ+pzIoVDs="
/* XEP-0115 §5.2 */
#define EXODUS_NODE "http://code.google.com/p/exodus"
#define EXODUS_VER "QgayPKawpkPSDYmwT/WM94uAlu0="
#define EXODUS_INFO_FEATURES                                                             \
	"<feature var='http://jabber.org/protocol/caps'/>"                               \
	"<feature var='http://jabber.org/protocol/disco#info'/>"                         \
	"<feature var='http://jabber.org/protocol/disco#items'/>"                        \
	"<feature var='http://jabber.org/protocol/muc'/>"
#define EXODUS_INFO                                                                      \
	"<query xmlns='" INFO "' node='" EXODUS_NODE "#" EXODUS_VER "'>"                 \
	"<identity category='client' name='Exodus 0.9.1' type='pc'/>" EXODUS_INFO_FEATURES \
	"</query>"
#define EXODUS_SAVED                                                                     \
	"<query xmlns=\"" INFO "\" node=\"" EXODUS_NODE "#" EXODUS_VER "\">"             \
	"<identity category=\"client\" name=\"Exodus 0.9.1\" type=\"pc\"/>"              \
	"<feature var=\"http://jabber.org/protocol/caps\"/>"                             \
	"<feature var=\"http://jabber.org/protocol/disco#info\"/>"                       \
	"<feature var=\"http://jabber.org/protocol/disco#items\"/>"                      \
	"<feature var=\"http://jabber.org/protocol/muc\"/></query>"

static const char *const test_features[] = {"urn:test:b", "urn:test:a", NULL};
static const xmppc_disco_identity test_ids[] = {
	{XMPPC_DISCO_IDENTITY_VERSION, "automation", "command-node", "Test", NULL},
};

static int attach_nothing(xmppc_session *s, void *config, void **state)
{
	(void)s;
	(void)config;
	*state = NULL;
	return 0;
}

static const xmppc_module test_module = {
	XMPPC_MODULE_VERSION, "test.mod", test_features, test_ids, 1, attach_nothing, NULL,
};

/* What the application saw: caps events, store calls. */
typedef struct app {
	int events;
	char last_jid[256];
	int has_muc;
	int saves;
	char saved_key[256];
	char saved_xml[4096];
	int loads;
	const char *stored_xml; /* what load returns, or NULL (ENOTFOUND) */
	int destroyed;
} app;

static void on_caps(void *ud, xmppc_session *s, const char *jid, const xmppc_stanza *q)
{
	app *a = ud;

	(void)s;
	a->events++;
	snprintf(a->last_jid, sizeof(a->last_jid), "%s", jid);
	a->has_muc = xmppc_disco_has_feature(q, "http://jabber.org/protocol/muc");
}

static int load(void *ud, const char *hash, const char *ver, xmppc_buf *out)
{
	app *a = ud;

	a->loads++;
	assert_string_equal(hash, "sha-1");
	if (a->stored_xml == NULL || strcmp(ver, EXODUS_VER) != 0)
		return XMPPC_ENOTFOUND;
	return xmppc_buf_append(out, a->stored_xml, strlen(a->stored_xml));
}

static int save(void *ud, const char *hash, const char *ver, const char *xml)
{
	app *a = ud;

	a->saves++;
	snprintf(a->saved_key, sizeof(a->saved_key), "%s %s", hash, ver);
	snprintf(a->saved_xml, sizeof(a->saved_xml), "%s", xml);
	return 0;
}

static void app_destroy(void *ud)
{
	((app *)ud)->destroyed++;
}

static void setup(xh *h, app *a, size_t pending_max)
{
	xmppc_caps_config c;

	memset(&c, 0, sizeof(c));
	c.version = XMPPC_CAPS_CONFIG_VERSION;
	c.on_caps = on_caps;
	c.load = load;
	c.save = save;
	c.user_data = a;
	c.destroy = app_destroy;
	c.pending_max = pending_max;
	xh_init(h, "juliet@example.com/balcony");
	/* caps needs disco */
	assert_int_equal(xmppc_session_add_module(h->s, xmppc_caps_module(), &c), XMPPC_ESTATE);
	assert_int_equal(a->destroyed, 0);
	assert_int_equal(xmppc_session_add_module(h->s, xmppc_disco_module(), NULL), 0);
	assert_int_equal(xmppc_session_add_module(h->s, xmppc_caps_module(), &c), 0);
}

static void presence_xml(xh *h, xmppc_stanza *p, const char *want)
{
	xmppc_buf *b;

	assert_int_equal(xmppc_buf_new(&b, xmppc_session_ctx(h->s)), 0);
	assert_int_equal(xmppc_stanza_to_xml(b, p, "jabber:client"), 0);
	assert_string_equal(xmppc_buf_data(b), want);
	xmppc_buf_free(b);
}

static void test_own_caps_follow_modules(void **state)
{
	app a = {0};
	xmppc_stanza *p;
	xh h;

	(void)state;
	setup(&h, &a, 0);
	assert_int_equal(xmppc_caps_presence_new(&p, h.s, XMPPC_TYPE_AVAILABLE, NULL), 0);
	presence_xml(&h, p, "<presence><c xmlns=\"http://jabber.org/protocol/caps\" hash=\"sha-1\" "
	                    "node=\"https://xmppc.invalid/\" ver=\"" OWN_VER "\"/></presence>");
	assert_int_equal(xmppc_session_add_module(h.s, &test_module, NULL), 0);
	/* adding to a presence replaces the <c/> it has */
	assert_int_equal(xmppc_caps_add_to_presence(h.s, p), 0);
	presence_xml(&h, p, "<presence><c xmlns=\"http://jabber.org/protocol/caps\" hash=\"sha-1\" "
	                    "node=\"https://xmppc.invalid/\" ver=\"" OWN_VER_MOD "\"/></presence>");
	assert_int_equal(xmppc_session_remove_module(h.s, "test.mod"), 0);
	assert_int_equal(xmppc_caps_add_to_presence(h.s, p), 0);
	presence_xml(&h, p, "<presence><c xmlns=\"http://jabber.org/protocol/caps\" hash=\"sha-1\" "
	                    "node=\"https://xmppc.invalid/\" ver=\"" OWN_VER "\"/></presence>");
	xmppc_stanza_unref(p);
	assert_int_equal(xmppc_caps_add_to_presence(h.s, NULL), XMPPC_EINVAL);
	xh_fini(&h);
	assert_int_equal(a.destroyed, 1);
}

static void test_caps_node_answered(void **state)
{
	app a = {0};
	xh h;

	(void)state;
	setup(&h, &a, 0);
	xh_in(&h, "<iq type='get' id='c1' from='" ROMEO "'><query xmlns='" INFO
	          "' node='https://xmppc.invalid/#" OWN_VER "'/></iq>");
	assert_string_equal(xh_out(&h),
	                    "<iq type=\"result\" id=\"c1\" to=\"" ROMEO "\"><query xmlns=\"" INFO
	                    "\" node=\"https://xmppc.invalid/#" OWN_VER "\">"
	                    "<identity category=\"client\" type=\"pc\" name=\"xmppc\"/>"
	                    "<feature var=\"http://jabber.org/protocol/caps\"/>"
	                    "<feature var=\"http://jabber.org/protocol/disco#info\"/>"
	                    "<feature var=\"http://jabber.org/protocol/disco#items\"/>"
	                    "</query></iq>");
	/* after a module is added the old ver is no node of ours */
	assert_int_equal(xmppc_session_add_module(h.s, &test_module, NULL), 0);
	xh_in(&h, "<iq type='get' id='c2' from='" ROMEO "'><query xmlns='" INFO
	          "' node='https://xmppc.invalid/#" OWN_VER "'/></iq>");
	xh_expect(&h, "<iq type=\"error\" id=\"c2\" to=\"" ROMEO "\"><error type=\"cancel\">"
	              "<item-not-found xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>");
	xh_in(&h, "<iq type='get' id='c3' from='" ROMEO "'><query xmlns='" INFO
	          "' node='https://xmppc.invalid/#" OWN_VER_MOD "'/></iq>");
	xh_expect(&h, "<iq type=\"result\" id=\"c3\"");
	xh_in(&h, "<iq type='get' id='c4' from='" ROMEO "'><query xmlns='" INFO
	          "' node='https://xmppc.invalid/'/></iq>");
	xh_expect(&h, "<item-not-found");
	xh_fini(&h);
}

static void caps_presence(xh *h, const char *from, const char *ver)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "<presence from='%s' to='juliet@example.com/balcony'>"
	         "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='" EXODUS_NODE
	         "' ver='%s'/></presence>", from, ver);
	xh_in(h, buf);
}

static void test_received_caps_verified_before_cached(void **state)
{
	app a = {0};
	char id[64];
	int loads;
	xh h;

	(void)state;
	setup(&h, &a, 0);
	caps_presence(&h, ROMEO, EXODUS_VER);
	assert_int_equal(a.loads, 1); /* the store is asked first */
	dt_out_equal(&h, "<iq type=\"get\" id=\"ID\" to=\"" ROMEO "\"><query xmlns=\"" INFO
	                 "\" node=\"" EXODUS_NODE "#" EXODUS_VER "\"/></iq>", id, sizeof(id));
	/* the same presence again while the question is out: nothing more */
	caps_presence(&h, NURSE, EXODUS_VER);
	xh_expect_none(&h);
	/* an answer that does not hash to the ver (one feature more) */
	dt_reply(&h, "result", ROMEO, id,
	         "<query xmlns='" INFO "' node='" EXODUS_NODE "#" EXODUS_VER "'>"
	         "<identity category='client' name='Exodus 0.9.1' type='pc'/>" EXODUS_INFO_FEATURES
	         "<feature var='urn:evil'/></query>");
	assert_int_equal(a.events, 0);
	assert_int_equal(a.saves, 0);
	assert_null(xmppc_caps_get_info(h.s, ROMEO));
	assert_null(xmppc_caps_lookup(h.s, "sha-1", EXODUS_VER));
	/* the next presence with that ver asks again; a right answer is cached */
	caps_presence(&h, "mercutio@example.org/x", EXODUS_VER);
	dt_out_equal(&h, "<iq type=\"get\" id=\"ID\" to=\"mercutio@example.org/x\"><query xmlns=\""
	                 INFO "\" node=\"" EXODUS_NODE "#" EXODUS_VER "\"/></iq>", id, sizeof(id));
	dt_reply(&h, "result", "mercutio@example.org/x", id, EXODUS_INFO);
	/* every JID that announced it is reported */
	assert_int_equal(a.events, 3);
	assert_int_equal(a.has_muc, 1);
	assert_int_equal(a.saves, 1);
	assert_string_equal(a.saved_key, "sha-1 " EXODUS_VER);
	assert_string_equal(a.saved_xml, EXODUS_SAVED);
	assert_non_null(xmppc_caps_get_info(h.s, ROMEO));
	assert_non_null(xmppc_caps_get_info(h.s, NURSE));
	/* known now: a new JID with it costs no query and no store access */
	loads = a.loads;
	caps_presence(&h, "tybalt@example.org/y", EXODUS_VER);
	xh_expect_none(&h);
	assert_int_equal(a.events, 4);
	assert_string_equal(a.last_jid, "tybalt@example.org/y");
	assert_int_equal(a.loads, loads);
	/* unavailable forgets the JID */
	xh_in(&h, "<presence type='unavailable' from='" ROMEO "'/>");
	assert_null(xmppc_caps_get_info(h.s, ROMEO));
	assert_non_null(xmppc_caps_get_info(h.s, NURSE));
	/* a presence without caps too */
	xh_in(&h, "<presence from='" NURSE "'/>");
	assert_null(xmppc_caps_get_info(h.s, NURSE));
	xh_fini(&h);
}

static void test_store_loaded_and_verified(void **state)
{
	app a = {0};
	xh h;

	(void)state;
	a.stored_xml = EXODUS_SAVED;
	setup(&h, &a, 0);
	caps_presence(&h, ROMEO, EXODUS_VER);
	xh_expect_none(&h); /* from the store: no query */
	assert_int_equal(a.loads, 1);
	assert_int_equal(a.events, 1);
	assert_int_equal(a.saves, 0); /* nothing new to save */
	assert_non_null(xmppc_caps_get_info(h.s, ROMEO));
	xh_fini(&h);

	/* a store entry that does not verify is not used */
	memset(&a, 0, sizeof(a));
	a.stored_xml = "<query xmlns='" INFO "'><feature var='urn:tampered'/></query>";
	setup(&h, &a, 0);
	caps_presence(&h, ROMEO, EXODUS_VER);
	assert_int_equal(a.loads, 1);
	assert_int_equal(a.events, 0);
	xh_expect(&h, "node=\"" EXODUS_NODE "#" EXODUS_VER "\"/></iq>");
	assert_null(xmppc_caps_get_info(h.s, ROMEO));
	/* and garbage from the store neither */
	a.stored_xml = "<query";
	caps_presence(&h, NURSE, "other");
	xh_expect(&h, "#other\"/></iq>");
	xh_fini(&h);
}

static void test_bounds_and_own_presence(void **state)
{
	app a = {0};
	xh h;

	(void)state;
	setup(&h, &a, 2);
	caps_presence(&h, "a@example.org/1", "v1");
	caps_presence(&h, "b@example.org/1", "v2");
	caps_presence(&h, "c@example.org/1", "v3"); /* over pending_max: not asked */
	{
		const char *out = xh_out(&h);
		assert_non_null(strstr(out, "#v1"));
		assert_non_null(strstr(out, "#v2"));
		assert_null(strstr(out, "#v3"));
	}
	/* presences without a from, of another type, or with legacy caps */
	xh_in(&h, "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' "
	          "ver='v9'/></presence>");
	xh_in(&h, "<presence type='subscribe' from='d@example.org'><c xmlns='"
	          "http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v9'/></presence>");
	xh_in(&h, "<presence from='d@example.org/1'><c xmlns='http://jabber.org/protocol/caps' "
	          "node='n' ver='v9' ext='a b'/></presence>");
	xh_expect_none(&h);
	/* our own presence coming back: known without asking */
	xh_in(&h, "<presence from='juliet@example.com/balcony'><c xmlns='"
	          "http://jabber.org/protocol/caps' hash='sha-1' node='https://xmppc.invalid/' ver='"
	          OWN_VER "'/></presence>");
	xh_expect_none(&h);
	assert_int_equal(a.events, 1);
	assert_string_equal(a.last_jid, "juliet@example.com/balcony");
	assert_non_null(xmppc_caps_get_info(h.s, "juliet@example.com/balcony"));
	assert_non_null(xmppc_caps_lookup(h.s, "sha-1", OWN_VER));
	xh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_own_caps_follow_modules),
	    cmocka_unit_test(test_caps_node_answered),
	    cmocka_unit_test(test_received_caps_verified_before_cached),
	    cmocka_unit_test(test_store_loaded_and_verified),
	    cmocka_unit_test(test_bounds_and_own_presence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
