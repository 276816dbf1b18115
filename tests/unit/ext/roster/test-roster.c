/* RFC 6121 §2 roster module: fetch, pushes and their provenance, edits,
 * versioning with the store hook. Exact stanzas in and out. */
#include "xh-id.h"

#define ME        "juliet@example.com/balcony"
#define STANZA_NS "urn:ietf:params:xml:ns:xmpp-stanzas"

typedef struct events {
	int loaded, item, removed, failed, error, destroyed;
	char last_jid[128];
	char last_name[128];
	size_t last_groups;
} events;

static void on_roster(void *ud, xmppc_session *s, const xmppc_roster_event *ev)
{
	events *e = ud;

	(void)s;
	assert_int_equal(ev->version, XMPPC_ROSTER_EVENT_VERSION);
	switch (ev->type) {
	case XMPPC_ROSTER_EVENT_LOADED:
		e->loaded++;
		break;
	case XMPPC_ROSTER_EVENT_ITEM:
	case XMPPC_ROSTER_EVENT_REMOVED:
		if (ev->type == XMPPC_ROSTER_EVENT_ITEM)
			e->item++;
		else
			e->removed++;
		snprintf(e->last_jid, sizeof(e->last_jid), "%s", ev->item->jid);
		snprintf(e->last_name, sizeof(e->last_name), "%s",
		         ev->item->name != NULL ? ev->item->name : "");
		e->last_groups = ev->item->n_groups;
		break;
	case XMPPC_ROSTER_EVENT_FETCH_FAILED:
		e->failed++;
		e->error = ev->error;
		break;
	}
}

static void on_destroy(void *ud)
{
	((events *)ud)->destroyed++;
}

static void setup(xh *h, events *e, const xmppc_roster_config *c)
{
	xh_init(h, ME);
	memset(e, 0, sizeof(*e));
	assert_int_equal(xmppc_session_add_module(h->s, xmppc_roster_module(), (void *)c), 0);
	assert_int_equal(xmppc_roster_set_event_fn(h->s, on_roster, e, on_destroy), 0);
}

static const char roster_result[] =
    "<iq type='result' id='%s'><query xmlns='jabber:iq:roster' ver='v1'>"
    "<item jid='romeo@example.net' name='Romeo' subscription='both'>"
    "<group>Friends</group><group>Lovers</group><group>Friends</group></item>"
    "<item jid='nurse@example.com' subscription='from' ask='subscribe'/>"
    "<item jid='@bad@' subscription='both'/>"
    "<item jid='mercutio@example.net' subscription='weird'/>"
    "<item jid='benvolio@example.net' subscription='remove'/>"
    "</query></iq>";

static void test_fetch(void **state)
{
	const xmppc_roster_item *it;
	char id[64];
	events e;
	xh h;

	(void)state;
	setup(&h, &e, NULL);
	assert_int_equal(xmppc_roster_is_loaded(h.s), 0);
	assert_int_equal(xmppc_roster_fetch(h.s), 0);
	xh_sent_exact(&h, "<iq type=\"get\" id=\"%s\"><query xmlns=\"jabber:iq:roster\"/></iq>", id,
	              sizeof(id));
	/* a second fetch while one is in flight sends nothing */
	assert_int_equal(xmppc_roster_fetch(h.s), 0);
	xh_expect_none(&h);
	/* a reply from a third party is not the server's (RFC 6120 §8.1.2.1) */
	xh_in_id(&h,
	      "<iq type='result' id='%s' from='romeo@example.net'>"
	      "<query xmlns='jabber:iq:roster'><item jid='evil@example.net'/></query></iq>",
	      id);
	assert_int_equal(e.loaded, 0);
	assert_int_equal(xmppc_roster_count(h.s), 0);
	xh_in_id(&h, roster_result, id);
	assert_int_equal(e.loaded, 1);
	assert_int_equal(xmppc_roster_is_loaded(h.s), 1);
	assert_string_equal(xmppc_roster_ver(h.s), "v1");
	/* the bad JID, the unknown subscription and the removal are skipped */
	assert_int_equal(xmppc_roster_count(h.s), 2);
	assert_string_equal(xmppc_roster_at(h.s, 0)->jid, "nurse@example.com");
	assert_string_equal(xmppc_roster_at(h.s, 1)->jid, "romeo@example.net");
	assert_null(xmppc_roster_at(h.s, 2));
	it = xmppc_roster_find(h.s, "Romeo@Example.NET");
	assert_non_null(it);
	assert_string_equal(it->name, "Romeo");
	assert_int_equal(it->subscription, XMPPC_SUBSCRIPTION_BOTH);
	assert_int_equal(it->n_groups, 2);
	assert_string_equal(it->groups[0], "Friends");
	assert_string_equal(it->groups[1], "Lovers");
	it = xmppc_roster_find(h.s, "nurse@example.com");
	assert_int_equal(it->subscription, XMPPC_SUBSCRIPTION_FROM);
	assert_int_equal(it->ask, 1);
	assert_null(it->name);
	assert_null(it->groups);
	assert_null(xmppc_roster_find(h.s, "tybalt@example.net"));
	assert_null(xmppc_roster_find(h.s, "@@"));
	xh_fini(&h);
	assert_int_equal(e.destroyed, 1);
}

static void test_fetch_failed(void **state)
{
	char id[64];
	events e;
	xh h;

	(void)state;
	setup(&h, &e, NULL);
	assert_int_equal(xmppc_roster_fetch(h.s), 0);
	xh_sent(&h, id, sizeof(id));
	xh_in_id(&h,
	      "<iq type='error' id='%s'><error type='wait'><resource-constraint "
	      "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
	      id);
	assert_int_equal(e.failed, 1);
	assert_int_equal(e.error, XMPPC_IQ_ERROR_REPLY);
	assert_int_equal(xmppc_roster_is_loaded(h.s), 0);
	/* and a timeout */
	assert_int_equal(xmppc_roster_fetch(h.s), 0);
	xh_sent(&h, id, sizeof(id));
	xh_clock(&h, 120000);
	assert_int_equal(e.failed, 2);
	assert_int_equal(e.error, XMPPC_ETIMEOUT);
	xh_fini(&h);
}

static void test_push(void **state)
{
	const xmppc_roster_item *it;
	events e;
	xh h;

	(void)state;
	setup(&h, &e, NULL);
	/* no 'from': from the server on the account's behalf */
	xh_in(&h, "<iq type='set' id='a1'><query xmlns='jabber:iq:roster'>"
	          "<item jid='romeo@example.net' name='Romeo'><group>Friends</group></item>"
	          "</query></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"a1\"/>");
	assert_int_equal(e.item, 1);
	assert_string_equal(e.last_jid, "romeo@example.net");
	assert_int_equal(e.last_groups, 1);
	it = xmppc_roster_find(h.s, "romeo@example.net");
	assert_int_equal(it->subscription, XMPPC_SUBSCRIPTION_NONE);
	/* from our bare JID: update (rename, groups dropped) */
	xh_in(&h,
	      "<iq type='set' id='a2' from='juliet@example.com'><query xmlns='jabber:iq:roster'>"
	      "<item jid='romeo@example.net' name='R' subscription='to'/></query></iq>");
	assert_string_equal(xh_out(&h),
	                    "<iq type=\"result\" id=\"a2\" to=\"juliet@example.com\"/>");
	assert_int_equal(e.item, 2);
	assert_string_equal(e.last_name, "R");
	it = xmppc_roster_find(h.s, "romeo@example.net");
	assert_string_equal(it->name, "R");
	assert_int_equal(it->n_groups, 0);
	assert_int_equal(it->subscription, XMPPC_SUBSCRIPTION_TO);
	assert_int_equal(xmppc_roster_count(h.s), 1);
	/* removal */
	xh_in(&h, "<iq type='set' id='a3'><query xmlns='jabber:iq:roster'>"
	          "<item jid='romeo@example.net' subscription='remove'/></query></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"a3\"/>");
	assert_int_equal(e.removed, 1);
	assert_string_equal(e.last_name, "R"); /* the removed item's last state */
	assert_int_equal(xmppc_roster_count(h.s), 0);
	/* removal of an unknown item: answered, no event */
	xh_in(&h, "<iq type='set' id='a4'><query xmlns='jabber:iq:roster'>"
	          "<item jid='tybalt@example.net' subscription='remove'/></query></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"a4\"/>");
	assert_int_equal(e.removed, 1);
	xh_fini(&h);
}

#define PUSH_FROM(from, id)                                                                        \
	"<iq type='set' id='" id "' from='" from "'><query xmlns='jabber:iq:roster'>"              \
	"<item jid='evil@example.net' name='Evil'/></query></iq>"

static void assert_untouched(xh *h, const events *e)
{
	assert_int_equal(e->item + e->removed, 0);
	assert_int_equal(xmppc_roster_count(h->s), 0);
}

static void test_push_provenance(void **state)
{
	events e;
	xh h;

	(void)state;
	setup(&h, &e, NULL);
	/* a third party */
	xh_in(&h, PUSH_FROM("romeo@example.net", "b1"));
	assert_string_equal(xh_out(&h),
	                    "<iq type=\"error\" id=\"b1\" to=\"romeo@example.net\">"
	                    "<error type=\"cancel\"><service-unavailable xmlns=\"" STANZA_NS
	                    "\"/></error></iq>");
	/* a third party's full JID */
	xh_in(&h, PUSH_FROM("romeo@example.net/orchard", "b2"));
	xh_expect(&h, "<service-unavailable");
	/* the server's domain is not the account */
	xh_in(&h, PUSH_FROM("example.com", "b3"));
	xh_expect(&h, "<iq type=\"error\" id=\"b3\" to=\"example.com\"><error type=\"cancel\">"
	              "<service-unavailable");
	/* our own full JID (another resource) is not the account either */
	xh_in(&h, PUSH_FROM("juliet@example.com/other", "b4"));
	xh_expect(&h, "<service-unavailable");
	/* same local part at another domain */
	xh_in(&h, PUSH_FROM("juliet@example.net", "b5"));
	xh_expect(&h, "<service-unavailable");
	assert_untouched(&h, &e);
	/* a malformed 'from': never a result, never a change */
	xh_in(&h, PUSH_FROM("juliet@@example.com", "b6"));
	assert_null(strstr(xh_out(&h), "type=\"result\""));
	xh_in(&h, PUSH_FROM("@example.com", "b7"));
	assert_null(strstr(xh_out(&h), "type=\"result\""));
	assert_untouched(&h, &e);
	xh_fini(&h);
}

static void test_push_silent_refusal(void **state)
{
	xmppc_roster_config c = {XMPPC_ROSTER_CONFIG_VERSION, XMPPC_ROSTER_SILENT_REFUSAL, NULL};
	events e;
	xh h;

	(void)state;
	setup(&h, &e, &c);
	xh_in(&h, PUSH_FROM("romeo@example.net", "c1"));
	xh_expect_none(&h);
	xh_in(&h, PUSH_FROM("example.com", "c2"));
	xh_expect_none(&h);
	assert_untouched(&h, &e);
	xh_in(&h, PUSH_FROM("juliet@example.com", "c3"));
	assert_string_equal(xh_out(&h),
	                    "<iq type=\"result\" id=\"c3\" to=\"juliet@example.com\"/>");
	assert_int_equal(e.item, 1);
	xh_fini(&h);
}

static void test_push_malformed(void **state)
{
	events e;
	xh h;

	(void)state;
	setup(&h, &e, NULL);
	/* RFC 6121 §2.1.6: exactly one item */
	xh_in(&h, "<iq type='set' id='d1'><query xmlns='jabber:iq:roster'>"
	          "<item jid='evil@example.net'/><item jid='romeo@example.net'/></query></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"error\" id=\"d1\"><error type=\"modify\">"
	                                "<bad-request xmlns=\"" STANZA_NS "\"/></error></iq>");
	xh_in(&h, "<iq type='set' id='d2'><query xmlns='jabber:iq:roster'/></iq>");
	xh_expect(&h, "<iq type=\"error\" id=\"d2\"><error type=\"modify\"><bad-request");
	/* bad item JID, missing JID, unknown subscription, empty group */
	xh_in(&h, "<iq type='set' id='d3'><query xmlns='jabber:iq:roster'>"
	          "<item jid='a@b@c'/></query></iq>");
	xh_expect(&h, "<iq type=\"error\" id=\"d3\"><error type=\"modify\"><bad-request");
	xh_in(&h, "<iq type='set' id='d4'><query xmlns='jabber:iq:roster'><item/></query></iq>");
	xh_expect(&h, "<bad-request");
	xh_in(&h, "<iq type='set' id='d5'><query xmlns='jabber:iq:roster'>"
	          "<item jid='x@example.net' subscription='all'/></query></iq>");
	xh_expect(&h, "<bad-request");
	xh_in(&h, "<iq type='set' id='d6'><query xmlns='jabber:iq:roster'>"
	          "<item jid='x@example.net'><group/></item></query></iq>");
	xh_expect(&h, "<bad-request");
	assert_untouched(&h, &e);
	/* a get of the roster is the server's business */
	xh_in(&h, "<iq type='get' id='d7' from='romeo@example.net/o'>"
	          "<query xmlns='jabber:iq:roster'/></iq>");
	xh_expect(&h, "<service-unavailable");
	xh_fini(&h);
}

static void on_reply(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	int *got = ud;

	(void)s;
	(void)reply;
	*got = error == 0 ? 1 : error;
}

static void test_edit(void **state)
{
	const char *const groups[] = {"Friends", "Verona"};
	xmppc_roster_item it = {XMPPC_ROSTER_ITEM_VERSION,
	                        "Romeo@Example.net",
	                        "Romeo",
	                        XMPPC_SUBSCRIPTION_BOTH,
	                        1,
	                        1,
	                        groups,
	                        2};
	const char *const bad_groups[] = {""};
	char id[64];
	int got = 0;
	events e;
	xh h;

	(void)state;
	setup(&h, &e, NULL);
	assert_int_equal(xmppc_roster_set_item(h.s, &it, on_reply, &got, NULL), 0);
	/* the JID normalized; subscription, ask and approved never sent */
	xh_sent_exact(&h,
	              "<iq type=\"set\" id=\"%s\"><query xmlns=\"jabber:iq:roster\">"
	              "<item jid=\"romeo@example.net\" name=\"Romeo\"><group>Friends</group>"
	              "<group>Verona</group></item></query></iq>",
	              id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s'/>", id);
	assert_int_equal(got, 1);
	/* the copy changes with the push, not with the result */
	assert_int_equal(xmppc_roster_count(h.s), 0);

	got = 0;
	assert_int_equal(xmppc_roster_remove_item(h.s, "romeo@example.net", on_reply, &got, NULL),
	                 0);
	xh_sent_exact(&h,
	              "<iq type=\"set\" id=\"%s\"><query xmlns=\"jabber:iq:roster\">"
	              "<item jid=\"romeo@example.net\" subscription=\"remove\"/></query></iq>",
	              id, sizeof(id));
	xh_in_id(&h,
	      "<iq type='error' id='%s'><error type='cancel'><item-not-found "
	      "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
	      id);
	assert_int_equal(got, XMPPC_IQ_ERROR_REPLY);

	it.groups = bad_groups;
	it.n_groups = 1;
	assert_int_equal(xmppc_roster_set_item(h.s, &it, NULL, NULL, NULL), XMPPC_EINVAL);
	it.n_groups = 0;
	it.jid = "a@b@c";
	assert_true(xmppc_roster_set_item(h.s, &it, NULL, NULL, NULL) < 0);
	it.jid = NULL;
	assert_int_equal(xmppc_roster_set_item(h.s, &it, NULL, NULL, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_roster_remove_item(h.s, NULL, NULL, NULL, NULL), XMPPC_EINVAL);
	xh_expect_none(&h);
	xh_fini(&h);
}

/* ---- versioning and the store ------------------------------------------ */

typedef struct store {
	char *saved; /* last text saved */
	int loads, saves, destroyed, fail_load;
} store;

static int st_load(void *ud, xmppc_buf *out)
{
	store *s = ud;

	s->loads++;
	if (s->fail_load)
		return XMPPC_EINTERNAL;
	return s->saved != NULL ? xmppc_buf_append(out, s->saved, strlen(s->saved)) : 0;
}

static int st_save(void *ud, const char *data, size_t len)
{
	store *s = ud;

	assert_int_equal(strlen(data), len);
	free(s->saved);
	s->saved = strdup(data);
	s->saves++;
	return 0;
}

static void st_destroy(void *ud)
{
	((store *)ud)->destroyed++;
}

static void test_versioning(void **state)
{
	xmppc_roster_store rs = {XMPPC_ROSTER_STORE_VERSION, st_load, st_save, NULL, st_destroy};
	xmppc_roster_config c = {XMPPC_ROSTER_CONFIG_VERSION, XMPPC_ROSTER_VERSIONING, &rs};
	store sto;
	char id[64];
	events e;
	xh h;

	(void)state;
	memset(&sto, 0, sizeof(sto));
	rs.user_data = &sto;

	/* first run: nothing stored; ver='' asks for the whole roster */
	setup(&h, &e, &c);
	assert_int_equal(sto.loads, 1);
	assert_int_equal(xmppc_roster_fetch(h.s), 0);
	xh_sent_exact(&h,
	              "<iq type=\"get\" id=\"%s\"><query xmlns=\"jabber:iq:roster\" ver=\"\"/>"
	              "</iq>",
	              id, sizeof(id));
	xh_in_id(&h, roster_result, id);
	assert_int_equal(sto.saves, 1);
	assert_non_null(strstr(sto.saved, "ver=\"v1\""));
	assert_non_null(strstr(sto.saved, "<item jid=\"romeo@example.net\" name=\"Romeo\" "
	                                  "subscription=\"both\"><group>Friends</group>"));
	assert_non_null(strstr(sto.saved, "ask=\"subscribe\""));
	xh_fini(&h);
	assert_int_equal(sto.destroyed, 1);

	/* restart: the stored copy is there at once, its version is sent, and
	 * an empty result means unchanged */
	setup(&h, &e, &c);
	assert_int_equal(sto.loads, 2);
	assert_int_equal(xmppc_roster_count(h.s), 2);
	assert_string_equal(xmppc_roster_ver(h.s), "v1");
	assert_int_equal(xmppc_roster_find(h.s, "romeo@example.net")->n_groups, 2);
	assert_int_equal(xmppc_roster_is_loaded(h.s), 0);
	assert_int_equal(xmppc_roster_fetch(h.s), 0);
	xh_sent_exact(&h,
	              "<iq type=\"get\" id=\"%s\"><query xmlns=\"jabber:iq:roster\" "
	              "ver=\"v1\"/></iq>",
	              id, sizeof(id));
	xh_in_id(&h, "<iq type='result' id='%s'/>", id);
	assert_int_equal(e.loaded, 1);
	assert_int_equal(xmppc_roster_is_loaded(h.s), 1);
	assert_int_equal(xmppc_roster_count(h.s), 2);
	assert_int_equal(sto.saves, 1);
	/* the changes come as pushes, each with its version */
	xh_in(&h, "<iq type='set' id='v2'><query xmlns='jabber:iq:roster' ver='v2'>"
	          "<item jid='nurse@example.com' subscription='remove'/></query></iq>");
	xh_expect(&h, "<iq type=\"result\" id=\"v2\"/>");
	xh_in(&h, "<iq type='set' id='v3'><query xmlns='jabber:iq:roster' ver='v3'>"
	          "<item jid='tybalt@example.net' name='T'/></query></iq>");
	xh_expect(&h, "<iq type=\"result\" id=\"v3\"/>");
	assert_string_equal(xmppc_roster_ver(h.s), "v3");
	assert_int_equal(sto.saves, 3);
	assert_non_null(strstr(sto.saved, "ver=\"v3\""));
	assert_null(strstr(sto.saved, "nurse"));
	assert_non_null(strstr(sto.saved, "tybalt@example.net"));
	/* a refused push saves nothing */
	xh_in(&h, PUSH_FROM("romeo@example.net", "v4"));
	xh_expect(&h, "<service-unavailable");
	assert_int_equal(sto.saves, 3);
	xh_fini(&h);

	/* a full result replaces the copy (the server may not keep versions) */
	setup(&h, &e, &c);
	assert_int_equal(xmppc_roster_count(h.s), 2);
	assert_int_equal(xmppc_roster_fetch(h.s), 0);
	xh_sent_exact(&h,
	              "<iq type=\"get\" id=\"%s\"><query xmlns=\"jabber:iq:roster\" "
	              "ver=\"v3\"/></iq>",
	              id, sizeof(id));
	xh_in_id(&h,
	      "<iq type='result' id='%s'><query xmlns='jabber:iq:roster'>"
	      "<item jid='mercutio@example.net'/></query></iq>",
	      id);
	assert_int_equal(xmppc_roster_count(h.s), 1);
	assert_null(xmppc_roster_ver(h.s));
	assert_null(strstr(sto.saved, "ver="));
	xh_fini(&h);

	/* a store that fails, or holds garbage: start empty */
	sto.fail_load = 1;
	setup(&h, &e, &c);
	assert_int_equal(xmppc_roster_count(h.s), 0);
	xh_fini(&h);
	sto.fail_load = 0;
	free(sto.saved);
	sto.saved = strdup("<query xmlns='jabber:iq:roster' ver='x'><item jid='a@b");
	setup(&h, &e, &c);
	assert_int_equal(xmppc_roster_count(h.s), 0);
	assert_null(xmppc_roster_ver(h.s));
	xh_fini(&h);
	free(sto.saved);
	sto.saved = strdup("<iq xmlns='jabber:client'/>");
	setup(&h, &e, &c);
	assert_int_equal(xmppc_roster_count(h.s), 0);
	xh_fini(&h);
	assert_int_equal(sto.destroyed, 6);
	free(sto.saved);
}

static void test_no_versioning(void **state)
{
	xmppc_roster_store rs = {XMPPC_ROSTER_STORE_VERSION, st_load, st_save, NULL, NULL};
	xmppc_roster_config c = {XMPPC_ROSTER_CONFIG_VERSION, 0, &rs};
	store sto;
	char id[64];
	events e;
	xh h;

	(void)state;
	memset(&sto, 0, sizeof(sto));
	sto.saved = strdup("<query xmlns='jabber:iq:roster' ver='v9'><item jid='a@example.net'/>"
	                   "</query>");
	rs.user_data = &sto;
	/* the server did not offer versioning: 'ver' is never sent (§2.6.1) */
	setup(&h, &e, &c);
	assert_int_equal(xmppc_roster_count(h.s), 1);
	assert_int_equal(xmppc_roster_fetch(h.s), 0);
	xh_sent_exact(&h, "<iq type=\"get\" id=\"%s\"><query xmlns=\"jabber:iq:roster\"/></iq>", id,
	              sizeof(id));
	xh_fini(&h);
	free(sto.saved);
}

static void test_config(void **state)
{
	xmppc_roster_store rs = {XMPPC_ROSTER_STORE_VERSION + 1, st_load, st_save, NULL,
	                         st_destroy};
	xmppc_roster_config c = {XMPPC_ROSTER_CONFIG_VERSION, 0, &rs};
	store sto;
	xh h;

	(void)state;
	memset(&sto, 0, sizeof(sto));
	rs.user_data = &sto;
	xh_init(&h, ME);
	assert_int_equal(xmppc_roster_fetch(h.s), XMPPC_ENOTFOUND);
	assert_int_equal(xmppc_roster_set_event_fn(h.s, NULL, NULL, NULL), XMPPC_ENOTFOUND);
	assert_int_equal(xmppc_roster_count(h.s), 0);
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_roster_module(), &c), XMPPC_EINVAL);
	assert_int_equal(sto.destroyed, 1);
	c.store = NULL;
	c.flags = 0x80;
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_roster_module(), &c), XMPPC_EINVAL);
	c.flags = 0;
	c.version = 7;
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_roster_module(), &c), XMPPC_EINVAL);
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_roster_module(), NULL), 0);
	assert_int_equal(xmppc_session_remove_module(h.s, XMPPC_ROSTER_MODULE_NAME), 0);
	/* after removal the push is nobody's */
	xh_in(&h, "<iq type='set' id='e1'><query xmlns='jabber:iq:roster'>"
	          "<item jid='romeo@example.net'/></query></iq>");
	xh_expect(&h, "<service-unavailable");
	assert_string_equal(xmppc_roster_subscription_name(XMPPC_SUBSCRIPTION_FROM), "from");
	assert_null(xmppc_roster_subscription_name((xmppc_roster_subscription)9));
	xh_fini(&h);
}

/* A fetch in flight when the module is removed: the late reply is dropped. */
static void test_detach_in_flight(void **state)
{
	char id[64];
	events e;
	xh h;

	(void)state;
	setup(&h, &e, NULL);
	assert_int_equal(xmppc_roster_fetch(h.s), 0);
	xh_sent(&h, id, sizeof(id));
	assert_int_equal(xmppc_session_remove_module(h.s, XMPPC_ROSTER_MODULE_NAME), 0);
	assert_int_equal(e.destroyed, 1);
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_roster_module(), NULL), 0);
	xh_in_id(&h, roster_result, id);
	assert_int_equal(xmppc_roster_count(h.s), 0);
	assert_int_equal(e.loaded, 0);
	xh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fetch),
	    cmocka_unit_test(test_fetch_failed),
	    cmocka_unit_test(test_push),
	    cmocka_unit_test(test_push_provenance),
	    cmocka_unit_test(test_push_silent_refusal),
	    cmocka_unit_test(test_push_malformed),
	    cmocka_unit_test(test_edit),
	    cmocka_unit_test(test_versioning),
	    cmocka_unit_test(test_no_versioning),
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_detach_in_flight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
