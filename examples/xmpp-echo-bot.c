/* xmpp-echo-bot: log in and echo every message body back to its sender.
 * An example of the whole public API at work: a connection (conn.h) on the
 * ready-made loop (loop.h), an observer on the session for messages, the
 * reconnection manager with stream management (a lost connection is
 * resumed), liveness probes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"--jid JID [options]\n"
	"\n"
	"Log in to an XMPP server and echo each message body back to its sender,\n"
	"with the same message type and thread. Sends initial presence (with entity\n"
	"capabilities, XEP-0115) once the resource is bound, and prints \"ready\n"
	"FULL-JID\" on standard output once the server has processed it (a ping\n"
	"sent behind it was answered): from then on, messages to the bare JID\n"
	"reach the bot rather than offline storage. Answers service discovery,\n"
	"software version (XEP-0092) and ping (XEP-0199) requests.\n"
	"\n"
	"A lost connection is reconnected, with exponential backoff, and the\n"
	"stream resumed (XEP-0198) where the server allows: standard error shows\n"
	"\"disconnected: STAGE ERROR: detail; retry in N ms\" and \"reconnecting\n"
	"(attempt N)\"; standard output \"resumed FULL-JID\" (no presence is sent\n"
	"again) or, after a fresh login, \"ready FULL-JID\" again.\n"
	"\n"
	"Account:\n"
	"  --jid JID             the account (a resource part requests that resource)\n"
	"  --password PW         the password (visible to other local users: prefer\n"
	"                        --password-file or the XMPPC_PASSWORD variable)\n"
	"  --password-file FILE  read the password from the first line of FILE\n"
	"                        (default: the XMPPC_PASSWORD environment variable)\n"
	"  --resource RES        request this resource\n"
	"  --mechanism NAME      allow this SASL mechanism (repeat, in order of\n"
	"                        preference; default: every built-in, strongest first)\n"
	"\n"
	"Connection:\n"
	"  --server HOST[:PORT]  connect to HOST (default port 5222, 5223 with\n"
	"                        --direct-tls) instead of looking up DNS SRV records;\n"
	"                        the certificate must still be valid for the JID's domain\n"
	"  --direct-tls          TLS from the first byte (XEP-0368) instead of STARTTLS\n"
	"  --cafile FILE         also trust the CA certificates in FILE (PEM)\n"
	"  --pin SHA256          accept only a server key with this SPKI pin: the SHA-256\n"
	"                        of its SubjectPublicKeyInfo, in base64 as RFC 7469\n"
	"                        pin-sha256 (a 'sha256//' or 'pin-sha256:' prefix is\n"
	"                        fine) or as 64 hex digits; repeatable. A matching key\n"
	"                        is accepted even when its certificate is not otherwise\n"
	"                        trusted (certtool -i shows a certificate's pin)\n"
	"  --tls-priority STR    GnuTLS priority string (default: TLS 1.2 and 1.3)\n"
	"  --dns-server IP[:PORT] resolve with this DNS server\n"
	"  --insecure-plaintext  no TLS, PLAIN allowed: the password crosses the\n"
	"                        network in the clear. For loopback tests and\n"
	"                        benchmarks only\n"
	"\n"
	"Reconnection:\n"
	"  --no-reconnect        exit on the first failure or loss of the connection\n"
	"  --reconnect-max MS    longest wait between two attempts (default 15000: a\n"
	"                        restarted server sees the bot back within 15 s)\n"
	"  --keepalive SECONDS   probe the server after SECONDS without input and\n"
	"                        count the link as dead (and reconnect) when the\n"
	"                        answer takes longer than SECONDS (at most 10 s);\n"
	"                        0: never (default 15)\n"
	"  --tcp-keepalive       TCP keepalive on the socket as well (first probe\n"
	"                        after 60 s of silence)\n"
	"\n"
	"Behaviour:\n"
	"  --max N               exit (status 0) after N echoes; 0 (default): never\n"
	"  -v, --verbose         log details and the XML wire trace to standard error\n"
	"                        (SASL data redacted)\n"
	"  -h, --help            show this text\n"
	"\n"
	"Exit status: 0 after --max echoes or on SIGINT/SIGTERM (the stream is closed\n"
	"cleanly); 1 the connection was lost or closed by the server (with\n"
	"--no-reconnect), or another failure; 2 bad command\n"
	"line; 3 authentication or binding refused; 4 TLS or certificate failure;\n"
	"5 the server could not be reached (DNS, TCP). Without --no-reconnect the\n"
	"bot exits on failure only when trying again cannot help (credentials, the\n"
	"certificate, a conflict with another session of the account, an unknown\n"
	"domain): the status is that of the last failure. Failures print one line\n"
	"to standard error: \"PROGRAM: STAGE failed: ERROR-NAME: detail\".\n";

/* Echoes the session could not take yet (its output queue was full): sent,
 * in order, from the drain callback. Nothing the bot owes is dropped. */
typedef struct pending {
	xmppc_stanza *reply;
	struct pending *next;
} pending;

/* The last messages echoed, by sender and id, to recognise a server's
 * second delivery of one (after a stream that could not be resumed, the
 * server redelivers what it had not seen us acknowledge, delay-stamped). */
#define RECENT 512

/* How long "ready" may wait for the server to confirm our presence. */
#define ONLINE_TIMEOUT_MS 10000u

typedef struct bot {
	cli_options opt;
	xmppc_ctx *ctx;
	xmppc_loop *loop;
	xmppc_conn *conn;
	unsigned long echoes;
	pending *head, **tail;
	char *recent[RECENT];
	size_t recent_next;
	int closing;
	int status;
	int done;
} bot;

/* Key of a message: bare sender, then its origin-id (XEP-0359) or id. */
static char *message_key(const xmppc_jid *sender, const xmppc_stanza *msg)
{
	const char *id = xmppc_stanza_attr(xmppc_stanza_find_child(msg, "origin-id", "urn:xmpp:sid:0"), "id");
	const char *bare = xmppc_jid_bare(sender);
	char *key;

	if (id == NULL)
		id = xmppc_stanza_attr(msg, "id");
	if (id == NULL || bare == NULL || (key = malloc(strlen(bare) + strlen(id) + 2)) == NULL)
		return NULL;
	sprintf(key, "%s %s", bare, id);
	return key;
}

/* 1 if `key` was echoed already; otherwise remember it (takes ownership). */
static int seen_before(bot *b, char *key, int delayed)
{
	size_t i;

	if (key == NULL)
		return 0;
	for (i = 0; delayed && i < RECENT; i++)
		if (b->recent[i] != NULL && strcmp(b->recent[i], key) == 0) {
			free(key);
			return 1;
		}
	free(b->recent[b->recent_next]);
	b->recent[b->recent_next] = key;
	b->recent_next = (b->recent_next + 1) % RECENT;
	return 0;
}

/* Hand the session what waits, in order, until it is full again. */
static void flush_pending(bot *b, xmppc_session *s)
{
	pending *p;
	int rc;

	while ((p = b->head) != NULL) {
		rc = xmppc_session_send(s, p->reply);
		if (rc == XMPPC_EAGAIN)
			return; /* the next drain callback goes on */
		if (rc != 0)
			fprintf(stderr, "%s: echo to %s dropped: %s\n", b->opt.prog,
			        xmppc_stanza_attr(p->reply, "to"), xmppc_error_name(rc));
		else
			b->echoes++;
		b->head = p->next;
		if (b->head == NULL)
			b->tail = &b->head;
		xmppc_stanza_unref(p->reply);
		free(p);
		if (b->opt.max > 0 && b->echoes >= b->opt.max && !b->closing) {
			b->closing = 1; /* after what was handed over: the stream ends behind it */
			xmppc_conn_close(b->conn);
			return;
		}
	}
}

static void on_drain(void *ud, xmppc_session *s)
{
	flush_pending(ud, s);
}

/* Send `reply` behind whatever waits (takes the reference). */
static int echo(bot *b, xmppc_session *s, xmppc_stanza *reply)
{
	pending *p = malloc(sizeof(*p));

	if (p == NULL) {
		xmppc_stanza_unref(reply);
		return XMPPC_ENOMEM;
	}
	p->reply = reply;
	p->next = NULL;
	*b->tail = p;
	b->tail = &p->next;
	flush_pending(b, s);
	return 0;
}

static int on_message(void *ud, xmppc_session *s, const xmppc_stanza *msg)
{
	bot *b = ud;
	const char *body = xmppc_message_body(msg, NULL);
	const char *from = xmppc_stanza_from(msg);
	const char *thread = xmppc_message_thread(msg);
	xmppc_stanza_type type = xmppc_stanza_get_type(msg);
	const xmppc_jid *me = xmppc_session_jid(s);
	xmppc_jid *sender;
	xmppc_stanza *reply;
	int rc;

	/* nothing to echo, nobody to echo to, an error, or a room (an echo
	 * there would come back to us) */
	if (body == NULL || from == NULL || b->closing || type == XMPPC_TYPE_ERROR ||
	    type == XMPPC_TYPE_GROUPCHAT)
		return XMPPC_CB_PASS;
	/* a sender address that is not a valid JID (a broken or hostile
	 * server) gets nothing; a valid one is answered in its canonical form */
	if (xmppc_jid_new(&sender, b->ctx, from) != 0) {
		fprintf(stderr, "%s: ignoring a message from an invalid address\n", b->opt.prog);
		return XMPPC_CB_PASS;
	}
	if (me != NULL && xmppc_jid_equal(sender, me)) {
		xmppc_jid_unref(sender);
		return XMPPC_CB_PASS; /* our own message: no loop */
	}
	/* a delay-stamped copy of a message echoed already: the server's
	 * second delivery, answered once */
	if (seen_before(b, message_key(sender, msg), xmppc_stanza_find_child(msg, "delay", "urn:xmpp:delay") != NULL)) {
		fprintf(stderr, "%s: a second delivery of message %s from %s: echoed once already\n", b->opt.prog,
		        xmppc_stanza_attr(msg, "id") ? xmppc_stanza_attr(msg, "id") : "-", xmppc_jid_bare(sender));
		xmppc_jid_unref(sender);
		return XMPPC_CB_OK;
	}
	rc = xmppc_message_new(&reply, b->ctx, type, xmppc_jid_full(sender), body);
	xmppc_jid_unref(sender);
	if (rc != 0)
		return XMPPC_CB_PASS;
	if (thread != NULL)
		xmppc_message_set_thread(reply, thread, xmppc_stanza_attr(
		                                            xmppc_stanza_find_child(msg, "thread", NULL),
		                                            "parent"));
	if (echo(b, s, reply) != 0)
		fprintf(stderr, "%s: echo to %s dropped: out of memory\n", b->opt.prog, from);
	return XMPPC_CB_OK;
}

/* The answer to the ping sent behind our initial presence: the server has
 * processed the presence (a server handles a client's stanzas in order), so
 * we are available and messages to our bare JID reach us from now on. */
static void on_online(void *ud, xmppc_session *s, uint64_t rtt_ms, const xmppc_stanza *reply, int error)
{
	(void)ud;
	(void)rtt_ms;
	(void)reply;
	if (error == XMPPC_EDISCONNECTED)
		return; /* the next READY or RESUMED tells */
	printf("ready %s\n", xmppc_jid_full(xmppc_session_jid(s)));
	fflush(stdout);
}

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	bot *b = ud;
	xmppc_stanza *pres;

	switch (ev->type) {
	case XMPPC_CONN_EVENT_READY:
		/* initial presence, with our entity capabilities (XEP-0115);
		 * "ready" once the server has processed it (on_online) */
		if (xmppc_caps_presence_new(&pres, xmppc_conn_session(conn), XMPPC_TYPE_AVAILABLE,
		                            NULL) == 0) {
			xmppc_session_send(xmppc_conn_session(conn), pres);
			xmppc_stanza_unref(pres);
		}
		if (xmppc_ping_send(xmppc_conn_session(conn), NULL, ONLINE_TIMEOUT_MS, on_online, b, NULL) != 0)
			on_online(b, xmppc_conn_session(conn), 0, NULL, 0);
		flush_pending(b, xmppc_conn_session(conn));
		break;
	case XMPPC_CONN_EVENT_RESUMED:
		/* the old stream goes on: presence and subscriptions are as
		 * they were, nothing to send */
		printf("resumed %s\n", xmppc_jid_full(xmppc_session_jid(xmppc_conn_session(conn))));
		fflush(stdout);
		flush_pending(b, xmppc_conn_session(conn));
		break;
	case XMPPC_CONN_EVENT_DISCONNECTED:
		fprintf(stderr, "%s: disconnected: %s %s: %s; retry in %u ms\n", b->opt.prog,
		        cli_stage_name(ev->stage), xmppc_error_name(ev->error),
		        ev->text != NULL && ev->text[0] ? ev->text : xmppc_strerror(ev->error),
		        (unsigned)ev->retry_in_ms);
		break;
	case XMPPC_CONN_EVENT_RECONNECTING:
		fprintf(stderr, "%s: reconnecting (attempt %u)\n", b->opt.prog, ev->attempt);
		break;
	case XMPPC_CONN_EVENT_CLOSED:
		b->done = 1;
		if (b->closing && ev->error == 0)
			b->status = CLI_EXIT_OK;
		else if (ev->error == 0) { /* (a server's close is XMPPC_ECLOSED: below) */
			fprintf(stderr, "%s: the server closed the stream\n", b->opt.prog);
			b->status = CLI_EXIT_FAILURE;
		} else
			b->status = cli_report_closed(&b->opt, ev);
		xmppc_loop_stop(b->loop);
		break;
	default:
		break;
	}
}

/* What the bot tells others about itself: disco identity client/bot, entity
 * caps in its presence, and answers to software version and ping. */
static int add_modules(bot *b, xmppc_session *s)
{
	static const xmppc_disco_identity me = {XMPPC_DISCO_IDENTITY_VERSION, "client", "bot",
	                                        "xmpp-echo-bot", NULL};
	xmppc_disco_config dc;
	xmppc_version_config vc;
	int rc;

	(void)b;
	memset(&dc, 0, sizeof(dc));
	dc.version = XMPPC_DISCO_CONFIG_VERSION;
	dc.identities = &me;
	dc.n_identities = 1;
	memset(&vc, 0, sizeof(vc));
	vc.version = XMPPC_VERSION_CONFIG_VERSION;
	vc.name = "xmpp-echo-bot";
	if ((rc = xmppc_session_add_module(s, xmppc_disco_module(), &dc)) != 0 ||
	    (rc = xmppc_session_add_module(s, xmppc_caps_module(), NULL)) != 0 ||
	    (rc = xmppc_session_add_module(s, xmppc_version_module(), &vc)) != 0 ||
	    (rc = xmppc_session_add_module(s, xmppc_ping_module(), NULL)) != 0)
		return rc;
	return 0;
}

int main(int argc, char **argv)
{
	xmppc_stanza_filter f;
	bot b;
	int rc;

	memset(&b, 0, sizeof(b));
	b.tail = &b.head;
	cli_parse_flags(&b.opt, argc, argv, usage, 0, "--max", CLI_RECONNECT_OPTIONS);
	b.ctx = cli_ctx(&b.opt);
	if (xmppc_loop_new(&b.loop, b.ctx, 0) != 0) {
		fprintf(stderr, "%s: cannot create the event loop\n", b.opt.prog);
		return CLI_EXIT_FAILURE;
	}
	b.conn = cli_conn(&b.opt, b.ctx, b.loop);
	memset(&f, 0, sizeof(f));
	f.version = XMPPC_STANZA_FILTER_VERSION;
	f.kind = XMPPC_STANZA_MESSAGE;
	xmppc_session_add_observer(xmppc_conn_session(b.conn), &f, 0, on_message, &b, NULL, NULL);
	xmppc_session_set_drain_fn(xmppc_conn_session(b.conn), on_drain, &b, NULL);
	if (add_modules(&b, xmppc_conn_session(b.conn)) != 0) {
		fprintf(stderr, "%s: cannot set up the modules\n", b.opt.prog);
		return CLI_EXIT_FAILURE;
	}
	xmppc_conn_set_event_fn(b.conn, on_event, &b, NULL);
	cli_setup_reconnect(&b.opt, b.conn);
	cli_handle_signals(b.loop);
	if ((rc = xmppc_conn_connect(b.conn)) != 0) {
		fprintf(stderr, "%s: cannot connect: %s: %s\n", b.opt.prog, xmppc_error_name(rc),
		        xmppc_strerror(rc));
		return CLI_EXIT_CONNECT;
	}
	while (!b.done) {
		if (cli_signalled() && !b.closing) {
			b.closing = 1;
			xmppc_conn_close(b.conn);
		}
		if (xmppc_loop_run_once(b.loop, -1) < 0)
			break;
	}
	xmppc_loop_remove(b.loop, b.conn);
	xmppc_conn_free(b.conn);
	while (b.head != NULL) {
		pending *p = b.head;

		fprintf(stderr, "%s: echo to %s not sent: exiting\n", b.opt.prog, xmppc_stanza_attr(p->reply, "to"));
		b.head = p->next;
		xmppc_stanza_unref(p->reply);
		free(p);
	}
	for (size_t i = 0; i < RECENT; i++)
		free(b.recent[i]);
	xmppc_loop_free(b.loop);
	xmppc_ctx_unref(b.ctx);
	cli_free(&b.opt);
	return b.done ? b.status : CLI_EXIT_FAILURE;
}
