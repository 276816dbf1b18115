/* Interop: two xmppc_conn clients in one xmppc_loop. A sends COUNT numbered
 * chat messages to B's full JID as fast as the output queue allows: a small
 * high-water mark makes xmppc_session_send() refuse with XMPPC_EAGAIN, and
 * A goes on from the drain callback. B checks that every message arrives
 * once, from A's full JID, in order. Then both close cleanly. Messages carry
 * an XEP-0334 <no-store/> hint so the servers do not archive them (MAM):
 * ejabberd's Mnesia archive takes 10-50 ms a message (XMPPC_INTEROP_ARCHIVE=1
 * leaves the hint out).
 *
 * Public API only (xmppc/xmppc.h: conn.h, loop.h, session.h, stanza.h).
 *
 * usage: ordered SERVER CAFILE JID_A PASSWORD_A JID_B PASSWORD_B [COUNT [SECONDS]]
 *   SERVER is host:port (STARTTLS); COUNT defaults to 1000, SECONDS to 60.
 * Prints one line "result=OK|FAIL sent=... received=... in_order=... ..."
 * and exits 0 only when all COUNT messages arrived in order and both
 * connections closed without error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xmppc/xmppc.h>

#define PAD_LEN 160

typedef struct client {
	const char *name;
	xmppc_conn *conn;
	int ready;
	int closed;
	int error;              /* first CLOSED error */
	xmppc_conn_stage stage; /* its stage */
	char text[200];
} client;

static xmppc_ctx *ctx;
static xmppc_loop *loop;
static client A = {.name = "A"}, B = {.name = "B"};
static unsigned count = 1000;
static unsigned sent, received, expected, out_of_order, duplicates, wrong_sender, eagain, drains;
static int first_bad = -1;
static int sending, closing;
static int no_store = 1; /* XMPPC_INTEROP_ARCHIVE=1: let the server archive */
static char a_full[512], b_full[512];
static char pad[PAD_LEN + 1];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void close_both(void)
{
	if (closing)
		return;
	closing = 1;
	xmppc_conn_close(A.conn);
	xmppc_conn_close(B.conn);
}

/* XEP-0334 <no-store/>: keeps the server from archiving (MAM) every
 * message. ejabberd's Mnesia archive costs 10-50 ms a message, which would
 * make this a test of the server's disk rather than of the client. */
static int add_no_store(xmppc_stanza *m)
{
	return xmppc_stanza_new_child(NULL, m, "no-store", "urn:xmpp:hints");
}

/* Send until done or the queue is full (then wait for the drain callback). */
static void pump(void)
{
	char body[64 + PAD_LEN];

	while (sending && sent < count) {
		xmppc_stanza *m;
		int rc;

		snprintf(body, sizeof(body), "seq %06u %s", sent, pad);
		if ((rc = xmppc_message_new(&m, ctx, XMPPC_TYPE_CHAT, b_full, body)) != 0 ||
		    (no_store && (rc = add_no_store(m)) != 0)) {
			fprintf(stderr, "ordered: xmppc_message_new: %s\n", xmppc_error_name(rc));
			sending = 0;
			close_both();
			return;
		}
		rc = xmppc_conn_send(A.conn, m);
		xmppc_stanza_unref(m);
		if (rc == XMPPC_EAGAIN) {
			eagain++;
			return; /* the drain callback calls pump() again */
		}
		if (rc != 0) {
			fprintf(stderr, "ordered: send #%u: %s\n", sent, xmppc_error_name(rc));
			sending = 0;
			close_both();
			return;
		}
		sent++;
	}
}

static void on_drain(void *ud, xmppc_session *s)
{
	(void)ud;
	(void)s;
	drains++;
	pump();
}

static int on_message(void *ud, xmppc_session *s, const xmppc_stanza *st)
{
	const char *body, *from;
	char *end;
	unsigned long n;

	(void)ud;
	(void)s;
	if (xmppc_stanza_get_kind(st) != XMPPC_STANZA_MESSAGE)
		return XMPPC_CB_PASS;
	body = xmppc_message_body(st, NULL);
	if (body == NULL || strncmp(body, "seq ", 4) != 0)
		return XMPPC_CB_PASS;
	from = xmppc_stanza_from(st);
	if (from == NULL || strcmp(from, a_full) != 0)
		wrong_sender++;
	n = strtoul(body + 4, &end, 10);
	if (n < expected) {
		duplicates++;
	} else {
		if (n != expected) {
			out_of_order++;
			if (first_bad < 0)
				first_bad = (int)expected;
		}
		expected = (unsigned)n + 1;
		received++;
	}
	if (received >= count || expected >= count)
		close_both();
	return XMPPC_CB_OK;
}

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	client *c = ud;

	(void)conn;
	if (ev->type == XMPPC_CONN_EVENT_READY) {
		const xmppc_jid *j = xmppc_session_jid(xmppc_conn_session(c->conn));
		c->ready = 1;
		snprintf(c == &A ? a_full : b_full, sizeof(a_full), "%s", j ? xmppc_jid_full(j) : "");
		if (A.ready && B.ready && !sending && !closing) {
			sending = 1;
			pump();
		}
	} else if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		c->closed = 1;
		c->error = ev->error;
		c->stage = ev->stage;
		snprintf(c->text, sizeof(c->text), "%s", ev->text ? ev->text : "");
		sending = 0;
		if (ev->error != 0)
			close_both(); /* the other one too: the test is over */
		if (A.closed && B.closed)
			xmppc_loop_stop(loop);
	}
}

static int open_client(client *c, const char *server, const char *cafile, const char *jid, const char *pw,
                       const char *resource)
{
	xmppc_session_config sc;
	xmppc_conn_config cc;
	int rc;

	memset(&sc, 0, sizeof(sc));
	sc.version = XMPPC_SESSION_CONFIG_VERSION;
	sc.jid = jid;
	sc.password = pw;
	sc.resource = resource;
	sc.output_high_water = 4096; /* small: XMPPC_EAGAIN after ~20 messages */
	memset(&cc, 0, sizeof(cc));
	cc.version = XMPPC_CONN_CONFIG_VERSION;
	cc.session = &sc;
	cc.server = server;
	cc.ca_file = cafile;
	cc.flags = XMPPC_CONN_NO_SYSTEM_TRUST;
	if ((rc = xmppc_conn_new(&c->conn, ctx, &cc)) != 0)
		return rc;
	if ((rc = xmppc_conn_set_event_fn(c->conn, on_event, c, NULL)) != 0)
		return rc;
	if (c == &A && (rc = xmppc_session_set_drain_fn(xmppc_conn_session(c->conn), on_drain, NULL, NULL)) != 0)
		return rc;
	if (c == &B &&
	    (rc = xmppc_session_add_observer(xmppc_conn_session(c->conn), NULL, 0, on_message, NULL, NULL, NULL)) != 0)
		return rc;
	if ((rc = xmppc_loop_add(loop, c->conn)) != 0)
		return rc;
	return xmppc_conn_connect(c->conn);
}

static const char *closed_desc(const client *c, char *buf, size_t len)
{
	if (!c->closed)
		snprintf(buf, len, "%s:open", c->name);
	else
		snprintf(buf, len, "%s:%s%s%s", c->name, c->error ? xmppc_error_name(c->error) : "clean",
		         c->error && c->text[0] ? "(" : "", c->error && c->text[0] ? c->text : "");
	if (c->closed && c->error && c->text[0])
		strncat(buf, ")", len - strlen(buf) - 1);
	return buf;
}

int main(int argc, char **argv)
{
	double t0, t_ready = 0, deadline, limit = 60;
	char da[300], db[300];
	int rc, ok;

	if (argc < 7 || argc > 9) {
		fprintf(stderr, "usage: ordered SERVER CAFILE JID_A PASSWORD_A JID_B PASSWORD_B [COUNT [SECONDS]]\n");
		return 2;
	}
	if (argc > 7)
		count = (unsigned)strtoul(argv[7], NULL, 10);
	if (argc > 8)
		limit = strtod(argv[8], NULL);
	memset(pad, 'x', PAD_LEN);
	if (getenv("XMPPC_INTEROP_ARCHIVE") != NULL && strcmp(getenv("XMPPC_INTEROP_ARCHIVE"), "1") == 0)
		no_store = 0;
	if ((rc = xmppc_ctx_new(&ctx, NULL)) != 0 || (rc = xmppc_loop_new(&loop, ctx, 0)) != 0) {
		printf("result=FAIL setup: %s\n", xmppc_error_name(rc));
		return 1;
	}
	t0 = now_s();
	if ((rc = open_client(&B, argv[1], argv[2], argv[5], argv[6], "ordered-b")) != 0 ||
	    (rc = open_client(&A, argv[1], argv[2], argv[3], argv[4], "ordered-a")) != 0) {
		printf("result=FAIL connect: %s\n", xmppc_error_name(rc));
		return 1;
	}
	deadline = t0 + limit;
	while (!(A.closed && B.closed) && now_s() < deadline) {
		rc = xmppc_loop_run_once(loop, 200);
		if (rc < 0) {
			printf("result=FAIL xmppc_loop_run_once: %s\n", xmppc_error_name(rc));
			return 1;
		}
		if (t_ready == 0 && sending)
			t_ready = now_s();
	}
	ok = A.closed && B.closed && A.error == 0 && B.error == 0 && sent == count && received == count &&
	     out_of_order == 0 && duplicates == 0 && wrong_sender == 0;
	printf("result=%s sent=%u received=%u out_of_order=%u first_gap=%d duplicates=%u wrong_sender=%u "
	       "eagain=%u drains=%u login_s=%.2f transfer_s=%.2f closed=%s,%s%s\n",
	       ok ? "OK" : "FAIL", sent, received, out_of_order, first_bad, duplicates, wrong_sender, eagain, drains,
	       t_ready ? t_ready - t0 : -1.0, t_ready ? now_s() - t_ready : -1.0, closed_desc(&A, da, sizeof(da)),
	       closed_desc(&B, db, sizeof(db)), now_s() >= deadline ? " TIMEOUT" : "");
	xmppc_conn_free(A.conn);
	xmppc_conn_free(B.conn);
	xmppc_loop_free(loop);
	xmppc_ctx_unref(ctx);
	return ok ? 0 : 1;
}
