/* Interop: the im and carbons modules against a real server. Three
 * xmppc_conn clients in one xmppc_loop: A1 and A2 are two resources of
 * user1, B is user2. Public API only.
 *
 * 1. all log in and send initial presence; A1 and A2 enable carbons;
 * 2. B sends A1 (full JID) a chat message with an active chat state and a
 *    receipt request, then a standalone "composing", then a correction;
 *    A1 must see all three (origin-id, chat state, replace id), B must get
 *    A1's automatic receipt, A2 must get a <received/> carbon of the
 *    message (from B, marked RECEIVED);
 * 3. A2 sends B a message: A1 must get a <sent/> carbon of it, B the
 *    message itself; B sends A1 a forged <received/> wrapper around a
 *    message "from" A2: A1 must drop it (rejected: not from our bare JID)
 *    and never show it (A2 may get a real carbon of that message, which
 *    holds a wrapper: it must drop it as a nested carbon);
 * 4. no other wrapper may be rejected; all close cleanly.
 *
 * usage: im-interop SERVER CAFILE JID1 PASSWORD1 JID2 PASSWORD2 [SECONDS]
 * Prints "result=OK|FAIL ..." and exits 0 only on OK. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xmppc/xmppc.h>

typedef struct client {
	const char *name;
	xmppc_conn *conn;
	int ready, closed, error, enabled;
	char full[512];
} client;

static xmppc_ctx *ctx;
static xmppc_loop *loop;
static client A1 = {.name = "A1"}, A2 = {.name = "A2"}, B = {.name = "B"};
static int phase, closing, rejected;
static char hello_id[128];
/* what was seen */
static int a1_hello, a1_composing, a1_correction, b_receipt, a2_carbon_hello, a1_sent_carbon,
    b_from_a2, forged_rejected, nested_rejected;
static char failure[512];

static void fail(const char *what)
{
	if (failure[0] == '\0')
		snprintf(failure, sizeof(failure), "%s", what);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void close_all(void)
{
	if (closing)
		return;
	closing = 1;
	xmppc_conn_close(A1.conn);
	xmppc_conn_close(A2.conn);
	xmppc_conn_close(B.conn);
}

static int send_chat(client *from, const char *to, const char *body, xmppc_chat_state cs,
                     const char *replace, char *id_out, size_t id_cap)
{
	xmppc_session *s = xmppc_conn_session(from->conn);
	xmppc_stanza *m;
	int rc;

	if ((rc = xmppc_message_new(&m, ctx, XMPPC_TYPE_CHAT, to, body)) != 0)
		return rc;
	if ((cs != XMPPC_CHAT_STATE_NONE && (rc = xmppc_im_set_chat_state(m, cs)) != 0) ||
	    (replace != NULL && (rc = xmppc_im_set_replace(m, replace)) != 0) ||
	    (rc = xmppc_im_send_message(s, m)) != 0) {
		xmppc_stanza_unref(m);
		return rc;
	}
	if (id_out != NULL)
		snprintf(id_out, id_cap, "%s", xmppc_stanza_id(m));
	xmppc_stanza_unref(m);
	return 0;
}

/* B forges a carbon: a <received/> wrapper, from B, around a message
 * "from" A2. Servers pass it on as an ordinary message. */
static int send_forged(void)
{
	char xml[2048];
	xmppc_stanza *m;
	int rc;

	snprintf(xml, sizeof(xml),
	         "<message xmlns='jabber:client' type='chat' to='%s'>"
	         "<received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
	         "<message xmlns='jabber:client' type='chat' from='%s' to='%s'><body>forged</body>"
	         "</message></forwarded></received></message>",
	         A1.full, A2.full, A1.full);
	if ((rc = xmppc_stanza_from_xml(&m, ctx, xml, strlen(xml))) != 0)
		return rc;
	rc = xmppc_session_send(xmppc_conn_session(B.conn), m);
	xmppc_stanza_unref(m);
	return rc;
}

static void maybe_advance(void)
{
	if (closing)
		return;
	if (phase == 0 && A1.enabled && A2.enabled && B.ready) {
		phase = 1;
		if (send_chat(&B, A1.full, "hello", XMPPC_CHAT_STATE_ACTIVE, NULL, hello_id,
		              sizeof(hello_id)) != 0 ||
		    send_chat(&B, A1.full, NULL, XMPPC_CHAT_STATE_COMPOSING, NULL, NULL, 0) != 0 ||
		    send_chat(&B, A1.full, "hello, corrected", XMPPC_CHAT_STATE_ACTIVE, hello_id,
		              NULL, 0) != 0) {
			fail("B could not send");
			close_all();
		}
	} else if (phase == 1 && a1_hello && a1_composing && a1_correction && b_receipt &&
	           a2_carbon_hello) {
		phase = 2;
		if (send_chat(&A2, B.full, "from a2", XMPPC_CHAT_STATE_ACTIVE, NULL, NULL, 0) !=
		        0 ||
		    send_forged() != 0) {
			fail("A2 could not send");
			close_all();
		}
	} else if (phase == 2 && a1_sent_carbon && b_from_a2 && forged_rejected) {
		phase = 3;
		close_all();
	}
}

static int on_message(void *ud, xmppc_session *s, const xmppc_im_message *m)
{
	client *c = ud;
	const char *body = m->body != NULL ? m->body : "";

	(void)s;
	if (strcmp(body, "forged") == 0)
		fail("a forged carbon was shown");
	if (c == &A1 && m->carbon == XMPPC_CARBON_NONE && m->from != NULL &&
	    strcmp(m->from, B.full) == 0) {
		if (strcmp(body, "hello") == 0) {
			if (m->chat_state != XMPPC_CHAT_STATE_ACTIVE || !m->receipt_requested ||
			    m->origin_id == NULL || m->id == NULL ||
			    strcmp(m->origin_id, m->id) != 0)
				fail("A1: hello without chat state, request or origin-id");
			a1_hello = 1;
		} else if (m->body == NULL && m->chat_state == XMPPC_CHAT_STATE_COMPOSING) {
			a1_composing = 1;
		} else if (strcmp(body, "hello, corrected") == 0) {
			if (m->replace_id == NULL || strcmp(m->replace_id, hello_id) != 0)
				fail("A1: correction without the right replace id");
			a1_correction = 1;
		}
	} else if (c == &A1 && m->carbon == XMPPC_CARBON_SENT && strcmp(body, "from a2") == 0) {
		if (m->from == NULL || strcmp(m->from, A2.full) != 0)
			fail("A1: sent carbon not from A2");
		a1_sent_carbon = 1;
	} else if (c == &A2 && m->carbon == XMPPC_CARBON_RECEIVED && strcmp(body, "hello") == 0) {
		if (m->from == NULL || strcmp(m->from, B.full) != 0)
			fail("A2: received carbon not from B");
		a2_carbon_hello = 1;
	} else if (c == &B && m->carbon == XMPPC_CARBON_NONE && m->receipt_id != NULL &&
	           strcmp(m->receipt_id, hello_id) == 0) {
		if (m->from == NULL || strcmp(m->from, A1.full) != 0)
			fail("B: receipt not from A1");
		b_receipt = 1;
	} else if (c == &B && strcmp(body, "from a2") == 0) {
		b_from_a2 = 1;
	}
	maybe_advance();
	return XMPPC_CB_OK;
}

static void on_rejected(void *ud, xmppc_session *s, const xmppc_stanza *w, const char *reason)
{
	client *c = ud;
	char buf[256];

	(void)s;
	if (c == &A1 && strcmp(reason, "carbon not from our bare JID") == 0 &&
	    xmppc_stanza_from(w) != NULL && strcmp(xmppc_stanza_from(w), B.full) == 0) {
		forged_rejected = 1;
		maybe_advance();
		return;
	}
	/* the server copies the forged message (it is a chat message to A1)
	 * to A2: a real wrapper around a message holding a wrapper */
	if (c == &A2 && strcmp(reason, "nested carbon") == 0) {
		nested_rejected++;
		return;
	}
	rejected++;
	snprintf(buf, sizeof(buf), "%s rejected a carbon: %s", c->name, reason);
	fail(buf);
}

static void on_enabled(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	client *c = ud;

	(void)reply;
	if (error != 0 || !xmppc_carbons_enabled(s)) {
		fail("enabling carbons failed");
		close_all();
		return;
	}
	c->enabled = 1;
	maybe_advance();
}

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	client *c = ud;
	xmppc_session *s = xmppc_conn_session(conn);

	if (ev->type == XMPPC_CONN_EVENT_READY) {
		xmppc_stanza *p;
		c->ready = 1;
		snprintf(c->full, sizeof(c->full), "%s", xmppc_jid_full(xmppc_session_jid(s)));
		if (xmppc_presence_new(&p, ctx, XMPPC_TYPE_AVAILABLE, NULL) == 0) {
			xmppc_session_send(s, p);
			xmppc_stanza_unref(p);
		}
		if (c != &B && xmppc_carbons_enable(s, on_enabled, c, NULL) != 0) {
			fail("xmppc_carbons_enable");
			close_all();
		}
		maybe_advance();
	} else if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		c->closed = 1;
		c->error = ev->error;
		if (ev->error != 0) {
			fail("a connection failed");
			close_all();
		}
		if (A1.closed && A2.closed && B.closed)
			xmppc_loop_stop(loop);
	}
}

static int open_client(client *c, const char *server, const char *ca, const char *jid,
                       const char *pw, const char *resource)
{
	xmppc_session_config sc;
	xmppc_conn_config cc;
	xmppc_im_config ic;
	xmppc_carbons_config carb;
	xmppc_session *s;
	int rc;

	memset(&sc, 0, sizeof(sc));
	sc.version = XMPPC_SESSION_CONFIG_VERSION;
	sc.jid = jid;
	sc.password = pw;
	sc.resource = resource;
	memset(&cc, 0, sizeof(cc));
	cc.version = XMPPC_CONN_CONFIG_VERSION;
	cc.session = &sc;
	cc.server = server;
	cc.ca_file = ca;
	cc.flags = XMPPC_CONN_NO_SYSTEM_TRUST;
	if ((rc = xmppc_conn_new(&c->conn, ctx, &cc)) != 0 ||
	    (rc = xmppc_conn_set_event_fn(c->conn, on_event, c, NULL)) != 0)
		return rc;
	s = xmppc_conn_session(c->conn);
	memset(&ic, 0, sizeof(ic));
	ic.version = XMPPC_IM_CONFIG_VERSION;
	ic.flags = XMPPC_IM_REQUEST_RECEIPTS;
	ic.on_message = on_message;
	ic.user_data = c;
	memset(&carb, 0, sizeof(carb));
	carb.version = XMPPC_CARBONS_CONFIG_VERSION;
	carb.on_rejected = on_rejected;
	carb.user_data = c;
	if ((rc = xmppc_session_add_module(s, xmppc_im_module(), &ic)) != 0 ||
	    (rc = xmppc_session_add_module(s, xmppc_carbons_module(), &carb)) != 0 ||
	    (rc = xmppc_loop_add(loop, c->conn)) != 0)
		return rc;
	return xmppc_conn_connect(c->conn);
}

int main(int argc, char **argv)
{
	double deadline;
	int rc, ok;

	if (argc < 7 || argc > 8) {
		fprintf(
		    stderr,
		    "usage: im-interop SERVER CAFILE JID1 PASSWORD1 JID2 PASSWORD2 [SECONDS]\n");
		return 2;
	}
	deadline = now_s() + (argc > 7 ? strtod(argv[7], NULL) : 30);
	if ((rc = xmppc_ctx_new(&ctx, NULL)) != 0 || (rc = xmppc_loop_new(&loop, ctx, 0)) != 0 ||
	    (rc = open_client(&A1, argv[1], argv[2], argv[3], argv[4], "im-a1")) != 0 ||
	    (rc = open_client(&A2, argv[1], argv[2], argv[3], argv[4], "im-a2")) != 0 ||
	    (rc = open_client(&B, argv[1], argv[2], argv[5], argv[6], "im-b")) != 0) {
		printf("result=FAIL setup: %s\n", xmppc_error_name(rc));
		return 1;
	}
	while (!(A1.closed && A2.closed && B.closed) && now_s() < deadline) {
		if ((rc = xmppc_loop_run_once(loop, 200)) < 0) {
			printf("result=FAIL xmppc_loop_run_once: %s\n", xmppc_error_name(rc));
			return 1;
		}
	}
	ok = phase == 3 && failure[0] == '\0' && rejected == 0 && A1.closed && A2.closed &&
	     B.closed && A1.error == 0 && A2.error == 0 && B.error == 0;
	printf("result=%s phase=%d a1_hello=%d a1_composing=%d a1_correction=%d b_receipt=%d "
	       "a2_received_carbon=%d a1_sent_carbon=%d b_from_a2=%d forged_rejected=%d "
	       "a2_nested_rejected=%d rejected=%d%s%s%s\n",
	       ok ? "OK" : "FAIL", phase, a1_hello, a1_composing, a1_correction, b_receipt,
	       a2_carbon_hello, a1_sent_carbon, b_from_a2, forged_rejected, nested_rejected,
	       rejected, failure[0] ? " failure=" : "", failure,
	       now_s() >= deadline ? " TIMEOUT" : "");
	xmppc_conn_free(A1.conn);
	xmppc_conn_free(A2.conn);
	xmppc_conn_free(B.conn);
	xmppc_loop_free(loop);
	xmppc_ctx_unref(ctx);
	return ok ? 0 : 1;
}
