/* An echo bot on libstrophe with the behaviour and the options of xmppc's
 * examples/xmpp-echo-bot, for the echo benchmark (doc/benchmarks.md):
 * send initial presence once bound; answer every message that has a body
 * (and is not of type error) with a message to its sender carrying the
 * same body, the same type and the same thread (and thread parent), and a
 * fresh id; messages of type error or groupchat and our own are not
 * answered; with --max N, leave after N echoes (exit 0). Prints
 * "ready FULL-JID" once bound.
 *
 *   bench-strophe-echo --jid JID --password PW [--server HOST[:PORT]]
 *                      [--direct-tls] [--cafile FILE] [--insecure-plaintext]
 *                      [--max N] [-v]
 *
 * Stream management is disabled, as xmppc has none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <strophe.h>

#include "benchutil.h"

typedef struct {
	xmpp_ctx_t *ctx;
	long echoes, max;
	unsigned long salt;
	int failed, leaving;
} bot;

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *user_data)
{
	bot *b = user_data;
	xmpp_stanza_t *body, *thread, *reply;
	const char *type = xmpp_stanza_get_type(stanza), *from = xmpp_stanza_get_from(stanza);
	const char *me = xmpp_conn_get_bound_jid(conn);
	char *text, id[48];

	if (b->leaving || from == NULL)
		return 1;
	if (type != NULL && (strcmp(type, "error") == 0 || strcmp(type, "groupchat") == 0))
		return 1;
	if (me != NULL && strcmp(from, me) == 0)
		return 1; /* our own message: no loop */
	body = xmpp_stanza_get_child_by_name(stanza, "body");
	if (body == NULL)
		return 1;
	text = xmpp_stanza_get_text(body);
	/* A fresh id, as xmppc_message_new() gives; from a counter rather than
	 * xmpp_uuid_gen(), which costs a getrandom() system call per id. */
	snprintf(id, sizeof(id), "echo-%lx-%ld", b->salt, b->echoes);
	reply = xmpp_message_new(b->ctx, type, from, id);
	xmpp_message_set_body(reply, text != NULL ? text : "");
	xmpp_free(b->ctx, text);
	thread = xmpp_stanza_get_child_by_name(stanza, "thread");
	if (thread != NULL) {
		char *t = xmpp_stanza_get_text(thread);
		const char *parent = xmpp_stanza_get_attribute(thread, "parent");
		xmpp_stanza_t *th = xmpp_stanza_new(b->ctx), *tt = xmpp_stanza_new(b->ctx);
		xmpp_stanza_set_name(th, "thread");
		if (parent != NULL)
			xmpp_stanza_set_attribute(th, "parent", parent);
		xmpp_stanza_set_text(tt, t != NULL ? t : "");
		xmpp_stanza_add_child(th, tt);
		xmpp_stanza_add_child(reply, th);
		xmpp_stanza_release(tt);
		xmpp_stanza_release(th);
		xmpp_free(b->ctx, t);
	}
	xmpp_send(conn, reply);
	xmpp_stanza_release(reply);
	b->echoes++;
	if (b->max > 0 && b->echoes >= b->max) {
		b->leaving = 1;
		xmpp_disconnect(conn);
	}
	return 1;
}

static void on_conn(xmpp_conn_t *conn, xmpp_conn_event_t ev, int error,
                    xmpp_stream_error_t *stream_error, void *user_data)
{
	bot *b = user_data;

	(void)stream_error;
	if (ev == XMPP_CONN_CONNECT) {
		xmpp_stanza_t *pres = xmpp_presence_new(b->ctx);
		xmpp_send(conn, pres);
		xmpp_stanza_release(pres);
		printf("ready %s\n", xmpp_conn_get_bound_jid(conn));
		fflush(stdout);
		return;
	}
	if (!b->leaving) {
		fprintf(stderr, "bench-strophe-echo: disconnected (event %d, error %d) after %ld echoes\n",
		        (int)ev, error, b->echoes);
		b->failed = 1;
	}
	xmpp_stop(b->ctx);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-strophe-echo --jid JID --password PW [--server HOST[:PORT]]\n"
	                "       [--direct-tls] [--cafile FILE] [--insecure-plaintext] [--max N] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *jid = NULL, *password = NULL, *server = NULL, *cafile = NULL;
	int direct_tls = 0, plaintext = 0, verbose = 0;
	char host[256] = "";
	unsigned port = 0;
	long flags = XMPP_CONN_FLAG_DISABLE_SM;
	xmpp_conn_t *conn;
	bot b;

	memset(&b, 0, sizeof(b));
	b.salt = (unsigned long)getpid() * 2654435761u;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--direct-tls") == 0)
			direct_tls = 1;
		else if (strcmp(a, "--insecure-plaintext") == 0)
			plaintext = 1;
		else if (strcmp(a, "-v") == 0)
			verbose = 1;
		else if (i + 1 >= argc)
			usage();
		else if (strcmp(a, "--jid") == 0)
			jid = argv[++i];
		else if (strcmp(a, "--password") == 0)
			password = argv[++i];
		else if (strcmp(a, "--server") == 0)
			server = argv[++i];
		else if (strcmp(a, "--cafile") == 0)
			cafile = argv[++i];
		else if (strcmp(a, "--max") == 0)
			b.max = atol(argv[++i]);
		else
			usage();
	}
	if (jid == NULL || password == NULL || (direct_tls && plaintext))
		usage();
	if (server != NULL && bu_split_hostport(server, host, sizeof(host), &port) != 0) {
		snprintf(host, sizeof(host), "%s", server);
		port = 0;
	}
	if (plaintext)
		flags |= XMPP_CONN_FLAG_DISABLE_TLS;
	else if (direct_tls)
		flags |= XMPP_CONN_FLAG_LEGACY_SSL;
	else
		flags |= XMPP_CONN_FLAG_MANDATORY_TLS;

	xmpp_initialize();
	b.ctx = xmpp_ctx_new(NULL, verbose ? xmpp_get_default_logger(XMPP_LEVEL_DEBUG) : NULL);
	conn = xmpp_conn_new(b.ctx);
	xmpp_conn_set_flags(conn, flags);
	xmpp_conn_set_jid(conn, jid);
	xmpp_conn_set_pass(conn, password);
	if (cafile != NULL)
		xmpp_conn_set_cafile(conn, cafile);
	xmpp_handler_add(conn, on_message, NULL, "message", NULL, &b);
	if (xmpp_connect_client(conn, host[0] ? host : NULL, (unsigned short)port, on_conn, &b) !=
	    XMPP_EOK)
		bu_die("bench-strophe-echo: cannot connect");
	xmpp_run(b.ctx);
	xmpp_conn_release(conn);
	xmpp_ctx_free(b.ctx);
	xmpp_shutdown();
	if (verbose)
		fprintf(stderr, "bench-strophe-echo: %ld echoes\n", b.echoes);
	return b.failed ? 1 : 0;
}
