/* XEP-0202: the responder's exact reply with a fixed clock; the query's
 * parsing of good and bad answers. */
#include "xh-id.h"

static int fixed_clock(void *ud, int64_t *secs, int *tzo)
{
	(void)ud;
	*secs = 1166550915; /* 2006-12-19T17:55:15Z */
	*tzo = -360;
	return 0;
}

static int destroyed;

static void on_destroy(void *ud)
{
	(void)ud;
	destroyed++;
}

static void test_responder(void **state)
{
	xmppc_entity_time_config c = {XMPPC_ENTITY_TIME_CONFIG_VERSION, fixed_clock, NULL,
	                              on_destroy, 0};
	xh h;

	(void)state;
	destroyed = 0;
	xh_init(&h, "juliet@example.com/balcony");
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_entity_time_module(), &c), 0);
	xh_in(&h, "<iq type='get' id='t1' from='romeo@example.net/o'><time xmlns='urn:xmpp:time'/></iq>");
	assert_string_equal(xh_out(&h), "<iq type=\"result\" id=\"t1\" to=\"romeo@example.net/o\">"
	                                "<time xmlns=\"urn:xmpp:time\"><tzo>-06:00</tzo>"
	                                "<utc>2006-12-19T17:55:15Z</utc></time></iq>");
	xh_in(&h, "<iq type='set' id='t2' from='romeo@example.net/o'><time xmlns='urn:xmpp:time'/></iq>");
	xh_expect(&h, "<error type=\"modify\"><bad-request ");
	assert_int_equal(xmppc_session_remove_module(h.s, XMPPC_ENTITY_TIME_MODULE_NAME), 0);
	assert_int_equal(destroyed, 1);
	/* utc_only hides the zone */
	c.utc_only = 1;
	c.destroy = NULL;
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_entity_time_module(), &c), 0);
	xh_in(&h, "<iq type='get' id='t3' from='romeo@example.net/o'><time xmlns='urn:xmpp:time'/></iq>");
	xh_expect(&h, "<tzo>+00:00</tzo><utc>2006-12-19T17:55:15Z</utc>");
	xh_fini(&h);
}

static void test_system_clock(void **state)
{
	const char *o;
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_entity_time_module(), NULL), 0);
	xh_in(&h, "<iq type='get' id='t1' from='romeo@example.net/o'><time xmlns='urn:xmpp:time'/></iq>");
	o = xh_out(&h);
	assert_non_null(strstr(o, "<tzo>"));
	assert_non_null(strstr(o, "Z</utc>"));
	xh_fini(&h);
}

typedef struct got {
	int fired, error;
	int64_t ms;
	int tzo;
} got;

static void on_time(void *ud, xmppc_session *s, const xmppc_entity_time *t,
                    const xmppc_stanza *reply, int error)
{
	got *g = ud;

	(void)s;
	(void)reply;
	g->fired++;
	g->error = error;
	if (t != NULL) {
		g->ms = t->unix_ms;
		g->tzo = t->tzo_minutes;
	}
}

static void query(xh *h, got *g, const char *payload)
{
	char id[64], in[1024];

	memset(g, 0, sizeof(*g));
	assert_int_equal(xmppc_entity_time_query(h->s, "romeo@example.net/o", on_time, g, NULL), 0);
	xh_sent_exact(h, "<iq type=\"get\" id=\"%s\" to=\"romeo@example.net/o\">"
	              "<time xmlns=\"urn:xmpp:time\"/></iq>", id, sizeof(id));
	snprintf(in, sizeof(in), "<iq type='result' id='%s' from='romeo@example.net/o'>%s</iq>", id,
	         payload);
	xh_in(h, in);
	assert_int_equal(g->fired, 1);
}

static void test_query(void **state)
{
	got g;
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	query(&h, &g, "<time xmlns='urn:xmpp:time'><tzo>-06:00</tzo>"
	              "<utc>2006-12-19T17:58:35Z</utc></time>");
	assert_int_equal(g.error, 0);
	assert_int_equal(g.ms, 1166551115000LL);
	assert_int_equal(g.tzo, -360);
	/* fractions, Z as tzo, an offset on utc (lenient) */
	query(&h, &g, "<time xmlns='urn:xmpp:time'><tzo>Z</tzo>"
	              "<utc>2000-02-29T00:00:00.25+01:00</utc></time>");
	assert_int_equal(g.error, 0);
	assert_int_equal(g.ms, 951778800250LL);
	assert_int_equal(g.tzo, 0);
	/* malformed answers */
	query(&h, &g, "<time xmlns='urn:xmpp:time'><tzo>+01:00</tzo></time>");
	assert_int_equal(g.error, XMPPC_EPROTOCOL);
	query(&h, &g, "<time xmlns='urn:xmpp:time'><tzo>+1</tzo><utc>2006-12-19T17:58:35Z</utc></time>");
	assert_int_equal(g.error, XMPPC_EPROTOCOL);
	query(&h, &g, "<time xmlns='urn:xmpp:time'><tzo>Z</tzo><utc>2001-02-29T17:58:35Z</utc></time>");
	assert_int_equal(g.error, XMPPC_EPROTOCOL);
	query(&h, &g, "<time xmlns='urn:xmpp:time'><tzo>Z</tzo><utc>2006-12-19 17:58:35Z</utc></time>");
	assert_int_equal(g.error, XMPPC_EPROTOCOL);
	query(&h, &g, "<time xmlns='urn:example'><tzo>Z</tzo><utc>2006-12-19T17:58:35Z</utc></time>");
	assert_int_equal(g.error, XMPPC_EPROTOCOL);
	xh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_responder),
	    cmocka_unit_test(test_system_clock),
	    cmocka_unit_test(test_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
