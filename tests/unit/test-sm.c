/* XEP-0198 stream management, liveness and CSI on the sans-I/O session:
 * the test plays the server, byte by byte where it matters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xmppc/xmppc.h>

#include "testutil.h"

#define SM "urn:xmpp:sm:3"
#define JID "juliet@example.com/balcony"
#define MAX_ACKS 64

typedef struct {
	xmppc_ctx *ctx;
	xmppc_session *s;
	uint64_t now;
	char *out;
	size_t out_len;
	/* acknowledgement callbacks, in order */
	int n_acks;
	xmppc_sm_status ack_status[MAX_ACKS];
	uint64_t ack_seq[MAX_ACKS];
	char ack_name[MAX_ACKS][16];
	/* session events */
	int bound, resumed, disconnected;
	int ends_state; /* xmppc_session_event_ends_state() of the last event */
	int iq_result; /* last IQ callback error (1: none yet) */
} t_t;

static uint64_t fake_now(void *ud)
{
	return ((t_t *)ud)->now;
}

static void on_ack(void *ud, xmppc_session *s, const xmppc_sm_item *it)
{
	t_t *t = ud;

	(void)s;
	assert_true(t->n_acks < MAX_ACKS);
	t->ack_status[t->n_acks] = it->status;
	t->ack_seq[t->n_acks] = it->seq;
	snprintf(t->ack_name[t->n_acks], sizeof(t->ack_name[0]), "%s", it->name);
	t->n_acks++;
}

static void on_event(void *ud, xmppc_session *s, const xmppc_session_event *ev)
{
	t_t *t = ud;

	t->ends_state = xmppc_session_event_ends_state(s, ev);
	if (ev->type == XMPPC_EVENT_BOUND)
		t->bound++;
	else if (ev->type == XMPPC_EVENT_RESUMED)
		t->resumed++;
	else if (ev->type == XMPPC_EVENT_DISCONNECTED)
		t->disconnected++;
}

static void collect(t_t *t)
{
	size_t len;
	const void *p = xmppc_session_output(t->s, &len);

	while (len > 0) {
		t->out = realloc(t->out, t->out_len + len + 1);
		assert_non_null(t->out);
		memcpy(t->out + t->out_len, p, len);
		t->out_len += len;
		t->out[t->out_len] = '\0';
		assert_int_equal(xmppc_session_output_consume(t->s, len), 0);
		p = xmppc_session_output(t->s, &len); /* consuming may queue an <r/> */
	}
}

/* Everything written since the last call (owned by the caller). */
static char *take(t_t *t)
{
	char *o;

	collect(t);
	o = t->out != NULL ? t->out : strdup("");
	t->out = NULL;
	t->out_len = 0;
	return o;
}

static void expect_out(t_t *t, const char *needle)
{
	char *o = take(t);

	if (strstr(o, needle) == NULL)
		fail_msg("expected output containing\n  %s\ngot\n  %s", needle, o);
	free(o);
}

static void expect_not(t_t *t, const char *needle)
{
	char *o = take(t);

	if (strstr(o, needle) != NULL)
		fail_msg("expected no\n  %s\nin\n  %s", needle, o);
	free(o);
}

static void in(t_t *t, const char *xml)
{
	int rc = xmppc_session_feed(NULL, t->s, xml, strlen(xml));

	if (rc != 0)
		fail_msg("feeding %s: %s", xml, xmppc_error_name(rc));
	collect(t);
}

/* Feed what must end the stream. */
static void in_fatal(t_t *t, const char *xml)
{
	(void)xmppc_session_feed(NULL, t->s, xml, strlen(xml));
	collect(t);
}

static void t_new_sm(t_t *t, const xmppc_sm_config *smc)
{
	static const char *const plain[] = {"PLAIN", NULL};
	xmppc_session_config c;
	xmppc_sm_config def;

	memset(t, 0, sizeof(*t));
	t->now = 1000000;
	t->iq_result = 1;
	assert_int_equal(xmppc_ctx_new(&t->ctx, NULL), 0);
	assert_int_equal(xmppc_ctx_set_clock(t->ctx, fake_now, t, NULL), 0);
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SESSION_CONFIG_VERSION;
	c.jid = JID;
	c.password = "pw";
	c.mechanisms = plain;
	c.flags = XMPPC_SESSION_ALLOW_PLAINTEXT | XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS;
	assert_int_equal(xmppc_session_new(&t->s, t->ctx, &c), 0);
	if (smc == NULL) {
		memset(&def, 0, sizeof(def));
		def.version = XMPPC_SM_CONFIG_VERSION;
		smc = &def;
	}
	{
		xmppc_sm_config x = *smc;
		x.ack_fn = on_ack;
		x.ack_user_data = t;
		assert_int_equal(xmppc_sm_configure(t->s, &x), 0);
	}
	assert_int_equal(xmppc_session_set_event_fn(t->s, on_event, t, NULL), 0);
}

static void t_new(t_t *t)
{
	t_new_sm(t, NULL);
}

static void t_free(t_t *t)
{
	xmppc_session_free(t->s);
	xmppc_ctx_unref(t->ctx);
	free(t->out);
}

/* Start and authenticate; the second stream's features hold bind plus
 * `features`. Returns what the client wrote after those features. */
static char *login(t_t *t, const char *features)
{
	char buf[1024];

	assert_int_equal(xmppc_session_start(t->s), 0);
	in(t, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
	      "xmlns:stream='http://etherx.jabber.org/streams' id='s1' version='1.0'>"
	      "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
	      "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
	in(t, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	free(take(t));
	snprintf(buf, sizeof(buf),
	         "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
	         "id='s2' version='1.0'><stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
	         "%s</stream:features>", features);
	in(t, buf);
	return take(t);
}

/* Answer the bind request found in `out`. */
static void bind_reply(t_t *t, const char *out)
{
	char buf[512];

	test_bind_result(buf, sizeof(buf), out, JID);
	in(t, buf);
}

/* Log in, bind, enable with resumption (stream id `previd`): READY. */
static void ready_sm(t_t *t, const char *previd)
{
	char buf[256], *o = login(t, "<sm xmlns='" SM "'/>");

	assert_non_null(strstr(o, "<bind"));
	bind_reply(t, o);
	free(o);
	expect_out(t, "<enable xmlns='" SM "' resume='true'/>");
	assert_int_equal(xmppc_session_get_state(t->s), XMPPC_SESSION_STATE_BINDING);
	assert_int_equal(t->bound, 0);
	snprintf(buf, sizeof(buf), "<enabled xmlns='" SM "' id='%s' resume='true'/>", previd);
	in(t, buf);
	assert_int_equal(xmppc_session_get_state(t->s), XMPPC_SESSION_STATE_READY);
	assert_int_equal(t->bound, 1);
	assert_true(xmppc_sm_enabled(t->s));
	assert_true(xmppc_sm_resumable(t->s));
}

static void send_msg(t_t *t, const char *body)
{
	xmppc_stanza *m;

	assert_int_equal(xmppc_message_new(&m, t->ctx, XMPPC_TYPE_CHAT, "romeo@example.net", body), 0);
	assert_int_equal(xmppc_session_send(t->s, m), 0);
	xmppc_stanza_unref(m);
}

static void send_presence(t_t *t)
{
	xmppc_stanza *p;

	assert_int_equal(xmppc_presence_new(&p, t->ctx, XMPPC_TYPE_AVAILABLE, NULL), 0);
	assert_int_equal(xmppc_session_send(t->s, p), 0);
	xmppc_stanza_unref(p);
}

/* The connection breaks; the session is made ready for the next one. */
static void drop(t_t *t)
{
	assert_int_equal(xmppc_session_transport_closed(t->s, XMPPC_ETCP_RESET), 0);
	free(take(t));
	assert_int_equal(xmppc_session_reset(t->s), 0);
}

static void on_iq(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	(void)s;
	(void)reply;
	((t_t *)ud)->iq_result = error;
}

/* ---- enable, ack, answer ------------------------------------------------- */

static void test_enable_and_ack(void **state)
{
	t_t t;
	char *o;

	(void)state;
	t_new(&t);
	ready_sm(&t, "abc");
	send_msg(&t, "one");
	o = take(&t);
	/* the output went idle: an ack is asked for at once */
	assert_non_null(strstr(o, "one"));
	assert_non_null(strstr(o, "<r xmlns='" SM "'/>"));
	free(o);
	send_msg(&t, "two");
	send_msg(&t, "three");
	expect_not(&t, "<r "); /* one request outstanding at a time */
	assert_int_equal(xmppc_sm_unacked(t.s), 3);
	in(&t, "<a xmlns='" SM "' h='2'/>");
	assert_int_equal(t.n_acks, 2);
	assert_int_equal(t.ack_status[0], XMPPC_SM_ACKED);
	assert_int_equal(t.ack_seq[0], 1);
	assert_int_equal(t.ack_seq[1], 2);
	assert_string_equal(t.ack_name[0], "message");
	assert_int_equal(xmppc_sm_unacked(t.s), 1);
	/* the third is still unrequested: asked for now that nothing is outstanding */
	expect_out(&t, "<r xmlns='" SM "'/>");
	/* an ack repeating the last h changes nothing */
	in(&t, "<a xmlns='" SM "' h='2'/>");
	assert_int_equal(t.n_acks, 2);
	in(&t, "<a xmlns='" SM "' h='3'/>");
	assert_int_equal(t.n_acks, 3);
	assert_int_equal(t.ack_seq[2], 3);
	assert_int_equal(xmppc_sm_last_seq(t.s), 3);
	t_free(&t);
}

static void test_ack_every_and_interval(void **state)
{
	t_t t;
	xmppc_sm_config c;
	int i;
	char *o;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SM_CONFIG_VERSION;
	c.ack_every = 3;
	c.ack_interval_ms = 2000;
	t_new_sm(&t, &c);
	ready_sm(&t, "abc");
	send_msg(&t, "m1");
	expect_out(&t, "<r "); /* idle output */
	in(&t, "<a xmlns='" SM "' h='1'/>");
	/* a burst without the output draining: every 3rd stanza asks */
	for (i = 0; i < 3; i++)
		send_msg(&t, "burst");
	{
		size_t len;
		const char *p = xmppc_session_output(t.s, &len);
		char *copy = strndup(p, len);
		assert_non_null(strstr(copy, "<r xmlns='" SM "'/>"));
		free(copy);
	}
	free(take(&t));
	/* unanswered for the interval: asked again */
	t.now += 1999;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), 0);
	expect_not(&t, "<r ");
	t.now += 1;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), 0);
	o = take(&t);
	assert_non_null(strstr(o, "<r xmlns='" SM "'/>"));
	free(o);
	in(&t, "<a xmlns='" SM "' h='4'/>");
	assert_int_equal(t.n_acks, 4);
	assert_int_equal(xmppc_session_next_deadline(t.s), 0);
	t_free(&t);
}

static void test_answer_r_counts_stanzas_only(void **state)
{
	t_t t;

	(void)state;
	t_new(&t);
	ready_sm(&t, "abc");
	in(&t, "<message from='romeo@example.net/x' type='chat'><body>hi</body></message>");
	/* dropped (invalid sender) but counted */
	in(&t, "<message from='@@bad' type='chat'><body>x</body></message>");
	in(&t, "<presence from='romeo@example.net/x'/>");
	/* nonzas and unknown elements are not */
	in(&t, "<a xmlns='" SM "' h='0'/>");
	in(&t, "<foo xmlns='urn:example'/>");
	in(&t, "<r xmlns='" SM "'/>");
	expect_out(&t, "<a xmlns='" SM "' h='3'/>");
	in(&t, "<iq type='get' id='q1' from='example.com'><ping xmlns='urn:xmpp:ping'/></iq>");
	in(&t, "<r xmlns='" SM "'/>");
	expect_out(&t, "<a xmlns='" SM "' h='4'/>");
	t_free(&t);
}

static void test_h_too_high(void **state)
{
	t_t t;
	xmppc_session_error_info ei = {XMPPC_SESSION_ERROR_INFO_VERSION, 0, NULL, 0, 0, NULL, NULL, NULL, NULL};
	char *o;

	(void)state;
	t_new(&t);
	ready_sm(&t, "abc");
	send_msg(&t, "one");
	free(take(&t));
	in_fatal(&t, "<a xmlns='" SM "' h='2'/>");
	o = take(&t);
	assert_non_null(strstr(o, "<undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"));
	assert_non_null(strstr(o, "<handled-count-too-high xmlns='" SM "' h='2' send-count='1'/>"));
	free(o);
	assert_int_equal(xmppc_session_get_state(t.s), XMPPC_SESSION_STATE_FAILED);
	assert_int_equal(xmppc_session_last_error(&ei, t.s), 0);
	assert_int_equal(ei.code, XMPPC_ESM_PROTOCOL);
	assert_int_equal(t.n_acks, 0);
	t_free(&t);
	/* the message was never acknowledged: the free reports it */
	assert_int_equal(t.n_acks, 1);
	assert_int_equal(t.ack_status[0], XMPPC_SM_DISCARDED);
}

/* ---- resumption ------------------------------------------------------------- */

static void test_resume_resends_exact_bytes(void **state)
{
	t_t t;
	char *o, *sent, *expect;
	const char *m2;
	xmppc_stanza *iq;

	(void)state;
	t_new(&t);
	ready_sm(&t, "abc");
	in(&t, "<message from='romeo@example.net/x'><body>in1</body></message>");
	send_msg(&t, "one");
	free(take(&t));
	send_msg(&t, "two <&> \xc3\xa9");
	send_msg(&t, "three");
	assert_int_equal(xmppc_iq_new(&iq, t.ctx, XMPPC_TYPE_GET, "example.com", "iq1"), 0);
	assert_int_equal(xmppc_stanza_new_child(NULL, iq, "ping", "urn:xmpp:ping"), 0);
	assert_int_equal(xmppc_session_send_iq(t.s, iq, on_iq, 0, &t, NULL), 0);
	xmppc_stanza_unref(iq);
	sent = take(&t);
	in(&t, "<a xmlns='" SM "' h='1'/>");
	assert_int_equal(t.n_acks, 1);
	drop(&t);
	assert_int_equal(t.iq_result, 1); /* kept for the resumption */
	assert_true(xmppc_sm_resumable(t.s));
	o = login(&t, "<sm xmlns='" SM "'/>");
	assert_non_null(strstr(o, "<resume xmlns='" SM "' h='1' previd='abc'/>"));
	assert_null(strstr(o, "<bind"));
	free(o);
	in(&t, "<resumed xmlns='" SM "' h='1' previd='abc'/>");
	assert_int_equal(t.resumed, 1);
	assert_int_equal(t.bound, 1);
	assert_int_equal(xmppc_session_get_state(t.s), XMPPC_SESSION_STATE_READY);
	assert_string_equal(xmppc_jid_full(xmppc_session_jid(t.s)), JID);
	o = take(&t);
	/* byte for byte what was sent after the first message, then <r/> */
	m2 = strstr(sent, "<message");
	assert_non_null(m2);
	expect = malloc(strlen(m2) + 64);
	sprintf(expect, "%s<r xmlns='" SM "'/>", m2);
	assert_string_equal(o, expect);
	free(expect);
	free(o);
	free(sent);
	/* the IQ's answer comes on the resumed stream */
	in(&t, "<iq type='result' id='iq1' from='example.com'/>");
	assert_int_equal(t.iq_result, 0);
	in(&t, "<a xmlns='" SM "' h='4'/>");
	assert_int_equal(t.n_acks, 3);
	/* inbound count carried over: 1 before, 1 now */
	in(&t, "<r xmlns='" SM "'/>");
	expect_out(&t, "h='2'/>");
	t_free(&t);
}

static void test_resume_failed_with_h(void **state)
{
	t_t t;
	char *o;
	xmppc_stanza *iq;

	(void)state;
	t_new(&t);
	ready_sm(&t, "abc");
	send_msg(&t, "one");
	send_presence(&t);
	send_msg(&t, "three");
	assert_int_equal(xmppc_iq_new(&iq, t.ctx, XMPPC_TYPE_GET, "example.com", "iq1"), 0);
	assert_int_equal(xmppc_stanza_new_child(NULL, iq, "ping", "urn:xmpp:ping"), 0);
	assert_int_equal(xmppc_session_send_iq(t.s, iq, on_iq, 0, &t, NULL), 0);
	xmppc_stanza_unref(iq);
	free(take(&t));
	drop(&t);
	o = login(&t, "<sm xmlns='" SM "'/>");
	assert_non_null(strstr(o, "<resume "));
	free(o);
	in(&t, "<failed xmlns='" SM "' h='1'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
	/* the first is confirmed; the IQ's stream is gone */
	assert_int_equal(t.n_acks, 1);
	assert_int_equal(t.ack_status[0], XMPPC_SM_ACKED);
	assert_int_equal(t.iq_result, XMPPC_EDISCONNECTED);
	assert_false(xmppc_sm_resumable(t.s));
	o = take(&t);
	assert_non_null(strstr(o, "<bind"));
	bind_reply(&t, o);
	free(o);
	expect_out(&t, "<enable ");
	in(&t, "<enabled xmlns='" SM "' id='def' resume='true'/>");
	assert_int_equal(t.bound, 2);
	o = take(&t);
	/* the message again, with a delay stamp; the presence handed back */
	assert_non_null(strstr(o, "three"));
	assert_non_null(strstr(o, "<delay xmlns='urn:xmpp:delay' stamp='"));
	assert_null(strstr(o, "<presence"));
	free(o);
	assert_int_equal(t.n_acks, 2);
	assert_int_equal(t.ack_status[1], XMPPC_SM_RETURNED);
	assert_string_equal(t.ack_name[1], "presence");
	assert_int_equal(t.ack_seq[1], 2);
	/* the resent message keeps its sequence number */
	in(&t, "<a xmlns='" SM "' h='1'/>");
	assert_int_equal(t.n_acks, 3);
	assert_int_equal(t.ack_seq[2], 3);
	assert_int_equal(t.ack_status[2], XMPPC_SM_ACKED);
	/* the next break resumes the new stream only */
	drop(&t);
	o = login(&t, "<sm xmlns='" SM "'/>");
	assert_non_null(strstr(o, "previd='def'"));
	free(o);
	t_free(&t);
}

/* The id of the first IQ in `o` (either quote style). */
static void iq_id(char *id, size_t cap, const char *o)
{
	const char *p = strstr(o, "<iq"), *e;

	assert_non_null(p);
	p = strstr(p, " id=");
	assert_non_null(p);
	p += 5;
	e = strchr(p, p[-1]);
	assert_non_null(e);
	snprintf(id, cap, "%.*s", (int)(e - p), p);
}

/* Per-stream module state (carbons, tracked presences, the roster) is the
 * server's session state: a resumption keeps it, a fresh bind clears it. */
static void test_module_state_across_resumption(void **state)
{
	t_t t;
	char id[64], xml[160], *o;

	(void)state;
	t_new(&t);
	assert_int_equal(xmppc_session_add_module(t.s, xmppc_carbons_module(), NULL), 0);
	assert_int_equal(xmppc_session_add_module(t.s, xmppc_presence_module(), NULL), 0);
	ready_sm(&t, "abc");
	assert_int_equal(t.ends_state, 1); /* BOUND: a fresh server-side session */
	assert_int_equal(xmppc_carbons_enable(t.s, NULL, NULL, NULL), 0);
	o = take(&t);
	iq_id(id, sizeof(id), o);
	free(o);
	snprintf(xml, sizeof(xml), "<iq type='result' id='%s'/>", id);
	in(&t, xml);
	in(&t, "<presence from='romeo@example.net/orchard'/>");
	assert_int_equal(xmppc_carbons_enabled(t.s), 1);
	assert_int_equal(xmppc_presence_resource_count(t.s, "romeo@example.net"), 1);

	/* a break that may be resumed, then the resumption: all kept */
	drop(&t);
	assert_int_equal(t.disconnected, 1);
	assert_int_equal(t.ends_state, 0);
	assert_int_equal(xmppc_carbons_enabled(t.s), 1);
	assert_int_equal(xmppc_presence_resource_count(t.s, "romeo@example.net"), 1);
	free(login(&t, "<sm xmlns='" SM "'/>"));
	in(&t, "<resumed xmlns='" SM "' h='1' previd='abc'/>");
	assert_int_equal(t.resumed, 1);
	assert_int_equal(t.ends_state, 0);
	assert_int_equal(xmppc_carbons_enabled(t.s), 1);
	assert_int_equal(xmppc_presence_resource_count(t.s, "romeo@example.net"), 1);

	/* a break whose resumption fails: the fresh bind clears it */
	drop(&t);
	assert_int_equal(t.ends_state, 0);
	free(login(&t, "<sm xmlns='" SM "'/>"));
	in(&t, "<failed xmlns='" SM "'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
	o = take(&t);
	bind_reply(&t, o);
	free(o);
	in(&t, "<enabled xmlns='" SM "' id='def' resume='true'/>");
	assert_int_equal(t.bound, 2);
	assert_int_equal(t.ends_state, 1);
	assert_int_equal(xmppc_carbons_enabled(t.s), 0);
	assert_int_equal(xmppc_presence_resource_count(t.s, "romeo@example.net"), 0);

	/* a stream that cannot be resumed ends it too */
	in(&t, "<presence from='romeo@example.net/orchard'/>");
	assert_int_equal(xmppc_presence_resource_count(t.s, "romeo@example.net"), 1);
	assert_int_equal(xmppc_sm_give_up(t.s), XMPPC_ESTATE); /* not while the stream is up */
	assert_int_equal(xmppc_session_close(t.s), 0);
	in_fatal(&t, "<a xmlns='" SM "' h='0'/></stream:stream>");
	assert_int_equal(t.disconnected, 3);
	assert_false(xmppc_sm_resumable(t.s));
	assert_int_equal(t.ends_state, 1);
	assert_int_equal(xmppc_presence_resource_count(t.s, "romeo@example.net"), 0);
	assert_int_equal(xmppc_session_event_ends_state(NULL, NULL), 0);
	t_free(&t);
}

/* Giving up a resumable stream forgets all of it: the next stream binds
 * and enables afresh, and nothing of the old one is left holding memory
 * (its JID, its location) once the session is freed. */
static void test_give_up_then_new_stream(void **state)
{
	t_t t;
	char *o;

	(void)state;
	t_new(&t);
	ready_sm(&t, "abc");
	send_msg(&t, "one");
	free(take(&t));
	drop(&t);
	assert_int_equal(xmppc_sm_give_up(t.s), 0);
	assert_int_equal(t.n_acks, 1);
	assert_int_equal(t.ack_status[0], XMPPC_SM_RETURNED);
	assert_false(xmppc_sm_resumable(t.s));
	o = login(&t, "<sm xmlns='" SM "'/>");
	assert_null(strstr(o, "<resume"));
	bind_reply(&t, o);
	free(o);
	expect_out(&t, "<enable ");
	in(&t, "<enabled xmlns='" SM "' id='def' resume='true' location='127.0.0.1:5222'/>");
	assert_int_equal(t.bound, 2);
	assert_true(xmppc_sm_resumable(t.s));
	xmppc_session_free(t.s);
	t.s = NULL;
	/* every JID the session kept held a reference to the context */
	assert_null(xmppc_ctx_unref(t.ctx));
	free(t.out);
}

static void test_resume_failed_without_h_return_policy(void **state)
{
	t_t t;
	xmppc_sm_config c;
	char *o;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SM_CONFIG_VERSION;
	c.flags = XMPPC_SM_RETURN_ON_FAILURE;
	t_new_sm(&t, &c);
	ready_sm(&t, "abc");
	send_msg(&t, "one");
	send_msg(&t, "two");
	free(take(&t));
	drop(&t);
	free(login(&t, "<sm xmlns='" SM "'/>"));
	in(&t, "<failed xmlns='" SM "'/>");
	assert_int_equal(t.n_acks, 0);
	o = take(&t);
	bind_reply(&t, o);
	free(o);
	in(&t, "<enabled xmlns='" SM "' id='def' resume='true'/>");
	expect_not(&t, "<message");
	assert_int_equal(t.n_acks, 2);
	assert_int_equal(t.ack_status[0], XMPPC_SM_RETURNED);
	assert_int_equal(t.ack_status[1], XMPPC_SM_RETURNED);
	assert_int_equal(xmppc_sm_unacked(t.s), 0);
	t_free(&t);
}

static void test_resumed_wrong_previd(void **state)
{
	t_t t;
	char *o;
	xmppc_session_error_info ei = {XMPPC_SESSION_ERROR_INFO_VERSION, 0, NULL, 0, 0, NULL, NULL, NULL, NULL};

	(void)state;
	t_new(&t);
	ready_sm(&t, "abc");
	send_msg(&t, "one");
	free(take(&t));
	drop(&t);
	free(login(&t, "<sm xmlns='" SM "'/>"));
	in_fatal(&t, "<resumed xmlns='" SM "' h='0' previd='zzz'/>");
	assert_int_equal(xmppc_session_get_state(t.s), XMPPC_SESSION_STATE_FAILED);
	assert_int_equal(xmppc_session_last_error(&ei, t.s), 0);
	assert_int_equal(ei.code, XMPPC_ESM_PROTOCOL);
	free(take(&t));
	assert_int_equal(xmppc_session_reset(t.s), 0);
	/* never that stream again: bind, and the message is resent after */
	o = login(&t, "<sm xmlns='" SM "'/>");
	assert_null(strstr(o, "<resume"));
	bind_reply(&t, o);
	free(o);
	in(&t, "<enabled xmlns='" SM "' id='x2' resume='true'/>");
	expect_out(&t, "one");
	t_free(&t);
}

static void test_enable_refused(void **state)
{
	t_t t;
	char *o;

	(void)state;
	t_new(&t);
	o = login(&t, "<sm xmlns='" SM "'/>");
	bind_reply(&t, o);
	free(o);
	expect_out(&t, "<enable ");
	in(&t, "<failed xmlns='" SM "'><unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
	assert_int_equal(xmppc_session_get_state(t.s), XMPPC_SESSION_STATE_READY);
	assert_int_equal(t.bound, 1);
	assert_false(xmppc_sm_enabled(t.s));
	assert_false(xmppc_sm_resumable(t.s));
	send_msg(&t, "one");
	expect_not(&t, "<r ");
	assert_int_equal(xmppc_sm_unacked(t.s), 0);
	/* an <r/> on a stream without SM is not answered */
	in(&t, "<r xmlns='" SM "'/>");
	expect_not(&t, "<a ");
	t_free(&t);
	assert_int_equal(t.n_acks, 0);
}

static void test_no_sm_offered(void **state)
{
	t_t t;
	char *o;

	(void)state;
	t_new(&t);
	o = login(&t, "");
	bind_reply(&t, o);
	free(o);
	expect_not(&t, "<enable");
	assert_int_equal(xmppc_session_get_state(t.s), XMPPC_SESSION_STATE_READY);
	t_free(&t);
}

static void test_poison_stanza_loop(void **state)
{
	t_t t;
	char *o;
	int i;

	(void)state;
	t_new(&t);
	ready_sm(&t, "abc");
	send_msg(&t, "poison");
	free(take(&t));
	drop(&t);
	for (i = 0; i < 2; i++) {
		o = login(&t, "<sm xmlns='" SM "'/>");
		assert_non_null(strstr(o, "<resume "));
		free(o);
		in(&t, "<resumed xmlns='" SM "' h='0' previd='abc'/>");
		expect_out(&t, "poison");
		in_fatal(&t, "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
		             "</stream:error>");
		assert_int_equal(xmppc_session_get_state(t.s), XMPPC_SESSION_STATE_FAILED);
		free(take(&t));
		assert_int_equal(xmppc_session_reset(t.s), 0);
	}
	/* twice is enough: no third resumption, and the stanza is handed back */
	o = login(&t, "<sm xmlns='" SM "'/>");
	assert_null(strstr(o, "<resume"));
	bind_reply(&t, o);
	free(o);
	in(&t, "<enabled xmlns='" SM "' id='new' resume='true'/>");
	expect_not(&t, "poison");
	assert_int_equal(t.n_acks, 1);
	assert_int_equal(t.ack_status[0], XMPPC_SM_RETURNED);
	t_free(&t);
}

/* A network cut (no stream error) after a resend is no sign of poison. */
static void test_cuts_are_not_poison(void **state)
{
	t_t t;
	char *o;
	int i;

	(void)state;
	t_new(&t);
	ready_sm(&t, "abc");
	send_msg(&t, "m");
	free(take(&t));
	for (i = 0; i < 4; i++) {
		drop(&t);
		o = login(&t, "<sm xmlns='" SM "'/>");
		assert_non_null(strstr(o, "<resume "));
		free(o);
		in(&t, "<resumed xmlns='" SM "' h='0' previd='abc'/>");
		expect_out(&t, ">m</body>");
	}
	t_free(&t);
}

/* ---- counters wrap at 2^32 (through an imported state) ------------------------ */

static void put_u32(unsigned char **p, uint32_t v)
{
	(*p)[0] = (unsigned char)v;
	(*p)[1] = (unsigned char)(v >> 8);
	(*p)[2] = (unsigned char)(v >> 16);
	(*p)[3] = (unsigned char)(v >> 24);
	*p += 4;
}

static void put_u64(unsigned char **p, uint64_t v)
{
	put_u32(p, (uint32_t)v);
	put_u32(p, (uint32_t)(v >> 32));
}

static void put_str(unsigned char **p, const char *s)
{
	put_u32(p, (uint32_t)strlen(s));
	memcpy(*p, s, strlen(s));
	*p += strlen(s);
}

static void test_counter_wrap(void **state)
{
	t_t t;
	unsigned char blob[2048], *p = blob;
	char *o;
	int i;

	(void)state;
	memcpy(p, "XMPPCSM\x01", 8);
	p += 8;
	put_u32(&p, 0xffffffffu); /* h_in */
	put_u32(&p, 0xfffffffeu); /* h_acked */
	put_u64(&p, 7);           /* next seq */
	put_str(&p, "wrap");
	put_u32(&p, 0xffffffffu); /* no location */
	put_str(&p, JID);
	put_u32(&p, 3);
	for (i = 0; i < 3; i++) {
		char xml[64];
		snprintf(xml, sizeof(xml), "<message to='a@b'><body>w%d</body></message>", i);
		put_u64(&p, (uint64_t)(5 + i));
		put_u64(&p, 0);
		*p++ = 'm';
		put_u32(&p, 0xffffffffu);
		put_str(&p, xml);
	}
	put_u32(&p, 0);
	t_new(&t);
	assert_int_equal(xmppc_sm_import(t.s, blob, (size_t)(p - blob)), 0);
	assert_int_equal(xmppc_sm_unacked(t.s), 3);
	o = login(&t, "<sm xmlns='" SM "'/>");
	assert_non_null(strstr(o, "<resume xmlns='" SM "' h='4294967295' previd='wrap'/>"));
	free(o);
	/* h=0 is 2 past 2^32-2 */
	in(&t, "<resumed xmlns='" SM "' h='0' previd='wrap'/>");
	assert_int_equal(t.n_acks, 2);
	assert_int_equal(t.ack_seq[0], 5);
	assert_int_equal(t.ack_seq[1], 6);
	o = take(&t);
	assert_non_null(strstr(o, "<message to='a@b'><body>w2</body></message><r "));
	assert_null(strstr(o, "w1"));
	free(o);
	in(&t, "<a xmlns='" SM "' h='1'/>");
	assert_int_equal(t.n_acks, 3);
	/* inbound: 2^32-1 + 1 wraps to 0 */
	in(&t, "<message from='romeo@example.net/x'><body>x</body></message>");
	in(&t, "<r xmlns='" SM "'/>");
	expect_out(&t, "<a xmlns='" SM "' h='0'/>");
	t_free(&t);
}

/* ---- export / import ---------------------------------------------------------- */

static void test_export_import(void **state)
{
	t_t a, b;
	xmppc_buf *blob;
	char *o, *sent;
	size_t i;

	(void)state;
	t_new(&a);
	ready_sm(&a, "exp");
	send_msg(&a, "one");
	free(take(&a));
	send_msg(&a, "two");
	send_msg(&a, "three");
	sent = take(&a);
	in(&a, "<a xmlns='" SM "' h='1'/>");
	in(&a, "<message from='romeo@example.net/x'><body>1</body></message>");
	in(&a, "<message from='romeo@example.net/x'><body>2</body></message>");
	assert_int_equal(xmppc_buf_new(&blob, a.ctx), 0);
	assert_int_equal(xmppc_sm_export(a.s, blob), 0);
	/* the old process ends without closing the stream */
	t_free(&a);

	t_new(&b);
	/* every truncation is refused, and leaves the session untouched */
	for (i = 0; i < xmppc_buf_len(blob); i++) {
		int rc = xmppc_sm_import(b.s, xmppc_buf_data(blob), i);
		if (rc != XMPPC_ESM_STATE)
			fail_msg("truncated at %zu: %s", i, xmppc_error_name(rc));
		assert_int_equal(xmppc_sm_unacked(b.s), 0);
	}
	assert_int_equal(xmppc_sm_import(b.s, xmppc_buf_data(blob), xmppc_buf_len(blob)), 0);
	assert_int_equal(xmppc_sm_import(b.s, xmppc_buf_data(blob), xmppc_buf_len(blob)), XMPPC_ESTATE);
	assert_int_equal(xmppc_sm_unacked(b.s), 2);
	o = login(&b, "<sm xmlns='" SM "'/>");
	assert_non_null(strstr(o, "<resume xmlns='" SM "' h='2' previd='exp'/>"));
	free(o);
	in(&b, "<resumed xmlns='" SM "' h='2' previd='exp'/>");
	assert_int_equal(b.n_acks, 1);
	assert_int_equal(b.ack_seq[0], 2);
	o = take(&b);
	{
		const char *m3 = strstr(strstr(sent, "two"), "<message");
		assert_non_null(strstr(m3, "three"));
		assert_true(strncmp(o, m3, strlen(m3)) == 0);
		assert_string_equal(o + strlen(m3), "<r xmlns='" SM "'/>");
	}
	free(o);
	assert_int_equal(xmppc_sm_last_seq(b.s), 3);
	free(sent);
	xmppc_buf_free(blob);
	t_free(&b);
}

static void test_import_other_account(void **state)
{
	t_t a, b;
	xmppc_buf *blob;
	static const char *const plain[] = {"PLAIN", NULL};
	xmppc_session_config c;
	xmppc_session *other;

	(void)state;
	t_new(&a);
	ready_sm(&a, "exp");
	assert_int_equal(xmppc_buf_new(&blob, a.ctx), 0);
	assert_int_equal(xmppc_sm_export(a.s, blob), 0);
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SESSION_CONFIG_VERSION;
	c.jid = "romeo@example.net";
	c.password = "pw";
	c.mechanisms = plain;
	c.flags = XMPPC_SESSION_ALLOW_PLAINTEXT | XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS;
	assert_int_equal(xmppc_session_new(&other, a.ctx, &c), 0);
	assert_int_equal(xmppc_sm_import(other, xmppc_buf_data(blob), xmppc_buf_len(blob)), XMPPC_ESM_STATE);
	assert_false(xmppc_sm_resumable(other));
	xmppc_session_free(other);
	/* and a started session takes none */
	assert_int_equal(xmppc_sm_import(a.s, xmppc_buf_data(blob), xmppc_buf_len(blob)), XMPPC_ESTATE);
	(void)b;
	xmppc_buf_free(blob);
	t_free(&a);
}

/* ---- offline queue, back-pressure, close ------------------------------------------ */

static void test_offline_queue(void **state)
{
	t_t t;
	char *o, *p1, *p2, *p3;
	xmppc_stanza *m;

	(void)state;
	t_new(&t);
	assert_int_equal(xmppc_message_new(&m, t.ctx, XMPPC_TYPE_CHAT, "romeo@example.net", "x"), 0);
	assert_int_equal(xmppc_session_send(t.s, m), XMPPC_ESTATE); /* off by default */
	assert_int_equal(xmppc_session_set_offline_queue(t.s, 2), 0);
	send_msg(&t, "early1");
	send_msg(&t, "early2");
	assert_int_equal(xmppc_session_send(t.s, m), XMPPC_EAGAIN);
	xmppc_stanza_unref(m);
	assert_int_equal(xmppc_sm_unacked(t.s), 2);
	ready_sm(&t, "abc");
	o = take(&t);
	p1 = strstr(o, "early1");
	p2 = strstr(o, "early2");
	assert_non_null(p1);
	assert_non_null(p2);
	assert_true(p1 < p2);
	free(o);
	send_msg(&t, "late");
	in(&t, "<a xmlns='" SM "' h='3'/>");
	assert_int_equal(t.n_acks, 3);
	assert_int_equal(t.ack_seq[0], 1);
	assert_int_equal(t.ack_seq[2], 3);
	/* while disconnected: queued, and after a resumption sent after the resent ones */
	send_msg(&t, "unacked");
	free(take(&t));
	drop(&t);
	send_msg(&t, "offline");
	free(login(&t, "<sm xmlns='" SM "'/>"));
	in(&t, "<resumed xmlns='" SM "' h='3' previd='abc'/>");
	o = take(&t);
	p1 = strstr(o, "unacked");
	p3 = strstr(o, "offline");
	assert_non_null(p1);
	assert_non_null(p3);
	assert_true(p1 < p3);
	free(o);
	/* giving up returns what waits */
	drop(&t);
	send_msg(&t, "never");
	assert_int_equal(xmppc_sm_give_up(t.s), 0);
	assert_int_equal(t.n_acks, 6);
	assert_int_equal(t.ack_status[3], XMPPC_SM_RETURNED);
	assert_int_equal(t.ack_status[5], XMPPC_SM_RETURNED);
	assert_int_equal(xmppc_sm_unacked(t.s), 0);
	assert_false(xmppc_sm_resumable(t.s));
	t_free(&t);
}

static int drained;
static void on_drain(void *ud, xmppc_session *s)
{
	(void)ud;
	(void)s;
	drained++;
}

static void test_max_unacked(void **state)
{
	t_t t;
	xmppc_sm_config c;
	xmppc_stanza *m;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SM_CONFIG_VERSION;
	c.max_unacked = 4;
	t_new_sm(&t, &c);
	ready_sm(&t, "abc");
	assert_int_equal(xmppc_session_set_drain_fn(t.s, on_drain, NULL, NULL), 0);
	drained = 0;
	send_msg(&t, "1");
	send_msg(&t, "2");
	send_msg(&t, "3");
	send_msg(&t, "4");
	assert_int_equal(xmppc_message_new(&m, t.ctx, XMPPC_TYPE_CHAT, "romeo@example.net", "5"), 0);
	assert_int_equal(xmppc_session_send(t.s, m), XMPPC_EAGAIN);
	xmppc_stanza_unref(m);
	free(take(&t));
	in(&t, "<a xmlns='" SM "' h='3'/>");
	assert_int_equal(drained, 1);
	send_msg(&t, "5");
	t_free(&t);
}

static void test_close_requests_ack_first(void **state)
{
	t_t t;
	char *o, *r, *end;

	(void)state;
	t_new(&t);
	ready_sm(&t, "abc");
	send_msg(&t, "bye");
	free(take(&t));
	in(&t, "<a xmlns='" SM "' h='0'/>");
	send_msg(&t, "bye2");
	assert_int_equal(xmppc_session_close(t.s), 0);
	o = take(&t);
	r = strstr(o, "<r xmlns='" SM "'/>");
	end = strstr(o, "</stream:stream>");
	assert_non_null(r);
	assert_non_null(end);
	assert_true(r < end);
	/* and what we handled, so the server does not store it again */
	assert_non_null(strstr(o, "<a xmlns='" SM "' h='0'/></stream:stream>"));
	free(o);
	/* what arrives after our closing tag is not handled, so not counted,
	 * and nothing is written after the closing tag: not even an <a/> */
	in(&t, "<message from='romeo@example.net/x' id='late'><body>late</body></message>");
	in(&t, "<r xmlns='" SM "'/>");
	expect_not(&t, "<");
	in_fatal(&t, "<a xmlns='" SM "' h='2'/></stream:stream>");
	assert_int_equal(xmppc_session_get_state(t.s), XMPPC_SESSION_STATE_CLOSED);
	assert_int_equal(t.n_acks, 2);
	/* a closed stream is not resumable */
	assert_false(xmppc_sm_resumable(t.s));
	t_free(&t);
}

/* ---- liveness, whitespace, CSI -------------------------------------------------------- */

static void set_live(t_t *t, uint32_t idle, uint32_t timeout, uint32_t ws)
{
	xmppc_liveness_config l = {XMPPC_LIVENESS_CONFIG_VERSION, idle, timeout, ws};
	assert_int_equal(xmppc_session_set_liveness(t->s, &l), 0);
}

static void test_liveness_sm_probe_and_dead(void **state)
{
	t_t t;
	char *o;
	xmppc_session_error_info ei = {XMPPC_SESSION_ERROR_INFO_VERSION, 0, NULL, 0, 0, NULL, NULL, NULL, NULL};

	(void)state;
	t_new(&t);
	set_live(&t, 1000, 500, 0);
	ready_sm(&t, "abc");
	assert_int_equal(xmppc_session_next_deadline(t.s), t.now + 1000);
	t.now += 1000;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), 0);
	expect_out(&t, "<r xmlns='" SM "'/>");
	/* an answer: alive */
	in(&t, "<a xmlns='" SM "' h='0'/>");
	t.now += 600;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), 0);
	assert_int_equal(xmppc_session_get_state(t.s), XMPPC_SESSION_STATE_READY);
	/* idle again, probe, silence */
	t.now += 400;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), 0);
	expect_out(&t, "<r ");
	t.now += 499;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), 0);
	assert_int_equal(xmppc_session_get_state(t.s), XMPPC_SESSION_STATE_READY);
	t.now += 1;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), XMPPC_ELINK_DEAD);
	assert_int_equal(xmppc_session_get_state(t.s), XMPPC_SESSION_STATE_FAILED);
	assert_int_equal(xmppc_session_last_error(&ei, t.s), 0);
	assert_int_equal(ei.code, XMPPC_ELINK_DEAD);
	/* nothing written: the stream stays resumable on the server */
	o = take(&t);
	assert_string_equal(o, "");
	free(o);
	assert_true(xmppc_sm_resumable(t.s));
	t_free(&t);
}

static void test_liveness_ping_without_sm(void **state)
{
	t_t t;
	char *o;

	(void)state;
	t_new(&t);
	set_live(&t, 1000, 0, 0);
	o = login(&t, "");
	bind_reply(&t, o);
	free(o);
	free(take(&t));
	t.now += 1000;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), 0);
	expect_out(&t, "<ping xmlns=\"urn:xmpp:ping\"/>");
	/* default timeout 10 s */
	t.now += 9999;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), 0);
	t.now += 1;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), XMPPC_ELINK_DEAD);
	t_free(&t);
}

static void test_whitespace_keepalive(void **state)
{
	t_t t;
	char *o;

	(void)state;
	t_new(&t);
	set_live(&t, 0, 0, 300);
	ready_sm(&t, "abc");
	t.now += 299;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), 0);
	expect_not(&t, " ");
	t.now += 1;
	assert_int_equal(xmppc_session_handle_deadlines(t.s), 0);
	o = take(&t);
	assert_string_equal(o, " ");
	free(o);
	t_free(&t);
}

static void test_csi(void **state)
{
	t_t t;
	char *o;

	(void)state;
	t_new(&t);
	o = login(&t, "<sm xmlns='" SM "'/><csi xmlns='urn:xmpp:csi:0'/>");
	bind_reply(&t, o);
	free(o);
	in(&t, "<enabled xmlns='" SM "' id='abc' resume='true'/>");
	free(take(&t));
	assert_int_equal(xmppc_session_set_csi(t.s, XMPPC_CSI_INACTIVE), 0);
	expect_out(&t, "<inactive xmlns='urn:xmpp:csi:0'/>");
	assert_int_equal(xmppc_session_set_csi(t.s, XMPPC_CSI_INACTIVE), 0);
	expect_not(&t, "active");
	/* nonzas are not counted */
	in(&t, "<r xmlns='" SM "'/>");
	expect_out(&t, "h='0'");
	drop(&t);
	free(login(&t, "<sm xmlns='" SM "'/><csi xmlns='urn:xmpp:csi:0'/>"));
	in(&t, "<resumed xmlns='" SM "' h='0' previd='abc'/>");
	expect_out(&t, "<inactive xmlns='urn:xmpp:csi:0'/>");
	assert_int_equal(xmppc_session_set_csi(t.s, XMPPC_CSI_ACTIVE), 0);
	expect_out(&t, "<active xmlns='urn:xmpp:csi:0'/>");
	assert_int_equal(xmppc_session_set_csi(t.s, 7), XMPPC_EINVAL);
	t_free(&t);

	/* not offered: nothing sent */
	t_new(&t);
	o = login(&t, "");
	bind_reply(&t, o);
	free(o);
	free(take(&t));
	assert_int_equal(xmppc_session_set_csi(t.s, XMPPC_CSI_INACTIVE), 0);
	expect_not(&t, "active");
	t_free(&t);
}

static void test_config_checks(void **state)
{
	t_t t;
	xmppc_sm_config c;
	xmppc_liveness_config l;

	(void)state;
	t_new(&t);
	memset(&c, 0, sizeof(c));
	assert_int_equal(xmppc_sm_configure(t.s, &c), XMPPC_EINVAL);
	c.version = XMPPC_SM_CONFIG_VERSION;
	c.flags = 0x100;
	assert_int_equal(xmppc_sm_configure(t.s, &c), XMPPC_EINVAL);
	memset(&l, 0, sizeof(l));
	assert_int_equal(xmppc_session_set_liveness(t.s, &l), XMPPC_EINVAL);
	assert_int_equal(xmppc_sm_request_ack(t.s), XMPPC_ESTATE);
	assert_int_equal(xmppc_sm_export(t.s, NULL), XMPPC_EINVAL);
	{
		xmppc_buf *b;
		assert_int_equal(xmppc_buf_new(&b, t.ctx), 0);
		assert_int_equal(xmppc_sm_export(t.s, b), XMPPC_ESTATE);
		assert_int_equal(xmppc_sm_import(t.s, "garbage!", 8), XMPPC_ESM_STATE);
		xmppc_buf_free(b);
	}
	t_free(&t);
}

static void test_disabled(void **state)
{
	t_t t;
	xmppc_sm_config c;
	char *o;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SM_CONFIG_VERSION;
	c.flags = XMPPC_SM_DISABLE;
	t_new_sm(&t, &c);
	o = login(&t, "<sm xmlns='" SM "'/>");
	bind_reply(&t, o);
	free(o);
	expect_not(&t, "<enable");
	assert_int_equal(xmppc_session_get_state(t.s), XMPPC_SESSION_STATE_READY);
	t_free(&t);

	c.flags = XMPPC_SM_NO_RESUME;
	t_new_sm(&t, &c);
	o = login(&t, "<sm xmlns='" SM "'/>");
	bind_reply(&t, o);
	free(o);
	o = take(&t);
	assert_non_null(strstr(o, "<enable xmlns='" SM "'/>"));
	free(o);
	in(&t, "<enabled xmlns='" SM "' id='x' resume='true'/>");
	assert_true(xmppc_sm_enabled(t.s));
	assert_false(xmppc_sm_resumable(t.s));
	t_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enable_and_ack),
		cmocka_unit_test(test_ack_every_and_interval),
		cmocka_unit_test(test_answer_r_counts_stanzas_only),
		cmocka_unit_test(test_h_too_high),
		cmocka_unit_test(test_resume_resends_exact_bytes),
		cmocka_unit_test(test_resume_failed_with_h),
		cmocka_unit_test(test_module_state_across_resumption),
		cmocka_unit_test(test_give_up_then_new_stream),
		cmocka_unit_test(test_resume_failed_without_h_return_policy),
		cmocka_unit_test(test_resumed_wrong_previd),
		cmocka_unit_test(test_enable_refused),
		cmocka_unit_test(test_no_sm_offered),
		cmocka_unit_test(test_poison_stanza_loop),
		cmocka_unit_test(test_cuts_are_not_poison),
		cmocka_unit_test(test_counter_wrap),
		cmocka_unit_test(test_export_import),
		cmocka_unit_test(test_import_other_account),
		cmocka_unit_test(test_offline_queue),
		cmocka_unit_test(test_max_unacked),
		cmocka_unit_test(test_close_requests_ack_first),
		cmocka_unit_test(test_liveness_sm_probe_and_dead),
		cmocka_unit_test(test_liveness_ping_without_sm),
		cmocka_unit_test(test_whitespace_keepalive),
		cmocka_unit_test(test_csi),
		cmocka_unit_test(test_config_checks),
		cmocka_unit_test(test_disabled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
