/* The module-test harness itself: READY without I/O, output capture, an
 * unhandled IQ answered with service-unavailable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "xh.h"

static void test_ready_and_unhandled_iq(void **state)
{
	xh h;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	assert_string_equal(xmppc_jid_full(xmppc_session_jid(h.s)), "juliet@example.com/balcony");
	xh_expect_none(&h);
	xh_in(&h, "<iq type='get' id='q1' from='romeo@example.net/orchard'>"
	          "<query xmlns='urn:example:unknown'/></iq>");
	xh_expect(&h, "<service-unavailable xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>");
	xh_fini(&h);
}

static char order[64];

static void listener(void *ud, xmppc_session *s, const xmppc_session_event *ev)
{
	(void)s;
	if (ev->type == XMPPC_EVENT_DISCONNECTED)
		strcat(order, (const char *)ud);
}

static void app_event(void *ud, xmppc_session *s, const xmppc_session_event *ev)
{
	listener(ud, s, ev);
}

static void logged(void *ud, xmppc_log_level level, const char *area, const char *msg)
{
	(void)level;
	snprintf((char *)ud, 128, "%s|%s", area, msg);
}

static int add_mark(void *ud, xmppc_session *s, const xmppc_stanza *st, xmppc_stanza **rep)
{
	xmppc_stanza *c, *child;

	(void)s;
	if (ud != NULL)
		return XMPPC_EUNSUPPORTED; /* refuse */
	if (xmppc_stanza_get_kind(st) != XMPPC_STANZA_MESSAGE)
		return 0;
	assert_int_equal(xmppc_stanza_copy(&c, st), 0);
	assert_int_equal(xmppc_stanza_new_child(&child, c, "mark", "urn:example:mark"), 0);
	*rep = c;
	return 0;
}

/* Send filters: a replacement is sent instead; a refusal stops the send. */
static void test_send_filter(void **state)
{
	xh h;
	xmppc_stanza *m;
	unsigned tok;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	assert_int_equal(xmppc_session_add_send_filter(h.s, add_mark, NULL, NULL, &tok), 0);
	assert_int_equal(xmppc_message_new(&m, h.ctx, XMPPC_TYPE_CHAT, "romeo@example.net", "hi"), 0);
	assert_int_equal(xmppc_session_send(h.s, m), 0);
	xh_expect(&h, "<mark xmlns=\"urn:example:mark\"/></message>");
	assert_null(xmppc_stanza_find_child(m, "mark", NULL)); /* the original is untouched */
	assert_int_equal(xmppc_session_add_send_filter(h.s, add_mark, "refuse", NULL, NULL), 0);
	assert_int_equal(xmppc_session_send(h.s, m), XMPPC_EUNSUPPORTED);
	xh_expect_none(&h);
	xmppc_stanza_unref(m);
	xh_fini(&h);
}

/* Module-facing API: event listeners (before the app's callback, removable
 * by token), xmppc_ctx_log, xmppc_random_id, xmppc_session_ctx. */
static void test_module_api(void **state)
{
	xh h;
	unsigned t1, t2;
	char id1[XMPPC_ID_SIZE], id2[XMPPC_ID_SIZE], logbuf[128] = "";

	(void)state;
	order[0] = '\0';
	xh_init(&h, "juliet@example.com/balcony");
	assert_ptr_equal(xmppc_session_ctx(h.s), h.ctx);
	assert_int_equal(xmppc_session_add_event_listener(h.s, listener, "A", NULL, &t1), 0);
	assert_int_equal(xmppc_session_add_event_listener(h.s, listener, "B", NULL, &t2), 0);
	assert_int_equal(xmppc_session_add_event_listener(h.s, NULL, NULL, NULL, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_session_set_event_fn(h.s, app_event, "Z", NULL), 0);
	assert_int_equal(xmppc_session_remove_handler(h.s, t1), 0);
	assert_int_equal(xmppc_session_remove_handler(h.s, t1), XMPPC_ENOTFOUND);
	assert_int_equal(xmppc_session_transport_closed(h.s, 0), 0);
	assert_string_equal(order, "BZ");

	assert_int_equal(xmppc_random_id(id1, sizeof(id1)), 0);
	assert_int_equal(xmppc_random_id(id2, sizeof(id2)), 0);
	assert_int_equal(strlen(id1), XMPPC_ID_SIZE - 1);
	assert_string_not_equal(id1, id2);
	assert_int_equal(xmppc_random_id(id1, 4), XMPPC_EINVAL);

	xmppc_ctx_set_log(h.ctx, XMPPC_LOG_INFO, logged, logbuf, NULL);
	xmppc_ctx_log(h.ctx, XMPPC_LOG_DEBUG, "mod", "hidden %d", 1);
	assert_string_equal(logbuf, "");
	xmppc_ctx_log(h.ctx, XMPPC_LOG_WARN, "mod", "shown %d", 2);
	assert_string_equal(logbuf, "mod|shown 2");
	xh_fini(&h);
}

static char traced[2048];

static void trace_cb(void *ud, xmppc_trace_dir dir, const char *data, size_t len)
{
	(void)ud;
	if (dir == XMPPC_TRACE_OUT)
		snprintf(traced + strlen(traced), sizeof(traced) - strlen(traced), "%.*s", (int)len,
		         data);
}

/* A password in an XEP-0077 request goes on the wire but not in the trace. */
static void test_trace_redacts_register_password(void **state)
{
	xh h;
	xmppc_stanza *iq, *q, *c;

	(void)state;
	xh_init(&h, "juliet@example.com/balcony");
	traced[0] = '\0';
	assert_int_equal(xmppc_ctx_set_trace(h.ctx, trace_cb, NULL, NULL), 0);
	assert_int_equal(xmppc_iq_new(&iq, h.ctx, XMPPC_TYPE_SET, NULL, "r1"), 0);
	assert_int_equal(xmppc_stanza_new_child(&q, iq, "query", "jabber:iq:register"), 0);
	assert_int_equal(xmppc_stanza_new_text_child(&c, q, "username", NULL, "juliet"), 0);
	assert_int_equal(xmppc_stanza_new_text_child(&c, q, "password", NULL, "n3w-s3cret"), 0);
	assert_int_equal(xmppc_session_send(h.s, iq), 0);
	xh_expect(&h, "<password>n3w-s3cret</password>");
	assert_null(strstr(traced, "n3w-s3cret"));
	assert_non_null(strstr(traced, "<password>[redacted]</password>"));
	assert_non_null(strstr(traced, "<username>juliet</username>"));
	xmppc_stanza_unref(iq);
	xh_fini(&h);
}

static int store_load(void *ud, xmppc_buf *out)
{
	(void)ud;
	(void)out;
	return 0; /* nothing stored yet */
}

static int store_save(void *ud, const char *data, size_t len)
{
	(void)ud;
	(void)data;
	(void)len;
	return 0;
}

/* Roster versioning follows the stream feature: the first fetch of an
 * account with a store asks with ver="" only when the server offers it. */
static void check_roster_ver(const char *features, int expect_ver)
{
	xmppc_roster_store store = {XMPPC_ROSTER_STORE_VERSION, store_load, store_save, NULL, NULL};
	xmppc_roster_config rc = {XMPPC_ROSTER_CONFIG_VERSION, XMPPC_ROSTER_NO_AUTO_FETCH, &store};
	const char *o;
	xh h;

	xh_init_features(&h, "juliet@example.com/balcony", features);
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_roster_module(), &rc), 0);
	assert_int_equal(xmppc_roster_fetch(h.s), 0);
	o = xh_out(&h);
	assert_non_null(strstr(o, "jabber:iq:roster"));
	assert_int_equal(strstr(o, "ver=\"\"") != NULL, expect_ver);
	xh_fini(&h);
}

/* The authenticated stream's features are there for modules. */
static void test_stream_features(void **state)
{
	xh h;

	(void)state;
	xh_init_features(&h, "juliet@example.com/balcony",
	                 "<ver xmlns='urn:xmpp:features:rosterver'/>"
	                 "<sub xmlns='urn:xmpp:features:pre-approval'/>");
	assert_non_null(xmppc_session_stream_features(h.s));
	assert_int_equal(xmppc_session_has_stream_feature(h.s, "ver", "urn:xmpp:features:rosterver"), 1);
	assert_int_equal(xmppc_session_has_stream_feature(h.s, "sub", NULL), 1);
	assert_int_equal(xmppc_session_has_stream_feature(h.s, "ver", "urn:other"), 0);
	assert_int_equal(xmppc_session_has_stream_feature(h.s, "csi", NULL), 0);
	assert_int_equal(xmppc_session_has_stream_feature(NULL, "ver", NULL), 0);
	/* presence pre-approval follows the feature without any config flag */
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_presence_module(), NULL), 0);
	assert_int_equal(xmppc_presence_preapprove(h.s, "romeo@example.net"), 0);
	xh_expect(&h, "type=\"subscribed\"");
	xh_fini(&h);

	xh_init(&h, "juliet@example.com/balcony");
	assert_int_equal(xmppc_session_has_stream_feature(h.s, "ver", NULL), 0);
	assert_int_equal(xmppc_session_add_module(h.s, xmppc_presence_module(), NULL), 0);
	assert_int_equal(xmppc_presence_preapprove(h.s, "romeo@example.net"), XMPPC_EUNSUPPORTED);
	xh_fini(&h);

	check_roster_ver("<ver xmlns='urn:xmpp:features:rosterver'/>", 1);
	check_roster_ver("", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ready_and_unhandled_iq),
	    cmocka_unit_test(test_module_api),
	    cmocka_unit_test(test_send_filter),
	    cmocka_unit_test(test_trace_redacts_register_password),
	    cmocka_unit_test(test_stream_features),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
