/* xmpp-send: send one message and exit once the server has it (a ping
 * round trip after the message: the server handles a stream's stanzas in
 * order, so its answer to the ping means it has taken the message). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"--jid JID [options] TO [BODY]\n"
	"\n"
	"Log in, send one chat message to TO and exit once the server has it.\n"
	"Without BODY the message body is read from standard input (one trailing\n"
	"newline removed).\n"
	"\n"
	"Account and connection options are those of xmpp-echo-bot:\n"
	"  --jid JID, --password PW, --password-file FILE (or XMPPC_PASSWORD),\n"
	"  --resource RES, --mechanism NAME, --server HOST[:PORT], --direct-tls,\n"
	"  --cafile FILE, --pin SHA256, --tls-priority STR, --dns-server IP[:PORT],\n"
	"  --insecure-plaintext (loopback tests only), -v, -h/--help.\n"
	"\n"
	"  --wait-reply SECONDS  then wait up to SECONDS for a message from TO and\n"
	"                        print its body on standard output (exit 1 if none)\n"
	"\n"
	"Exit status: 0 the server has the message; 1 it was refused or the\n"
	"connection was lost before the server confirmed it; 2 bad command line;\n"
	"3 authentication refused; 4 TLS or certificate failure; 5 the server could\n"
	"not be reached. Failures print one line to standard error.\n";

typedef struct sender {
	cli_options opt;
	xmppc_ctx *ctx;
	xmppc_loop *loop;
	xmppc_conn *conn;
	char *body;
	int confirmed;
	int replied;
	uint64_t deadline; /* --wait-reply */
	int status;
	int done;
} sender;

static void on_ping(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	sender *p = ud;

	(void)s;
	(void)reply;
	/* a result or an error reply both prove the server read the stream up
	 * to here; a timeout or disconnection proves nothing */
	if (error == 0 || error == XMPPC_IQ_ERROR_REPLY) {
		p->confirmed = 1;
		if (p->opt.max == 0 || p->replied)
			xmppc_conn_close(p->conn);
	} else {
		fprintf(stderr, "%s: no confirmation from the server: %s\n", p->opt.prog,
		        xmppc_error_name(error));
		p->status = CLI_EXIT_FAILURE;
		xmppc_conn_close(p->conn);
	}
}

/* --wait-reply: the first message from the recipient (any resource of it). */
static int on_reply(void *ud, xmppc_session *s, const xmppc_stanza *msg)
{
	sender *p = ud;
	const char *body = xmppc_message_body(msg, NULL);

	(void)s;
	if (p->opt.max == 0 || p->replied || body == NULL)
		return XMPPC_CB_PASS;
	p->replied = 1;
	printf("%s\n", body);
	fflush(stdout);
	if (p->confirmed)
		xmppc_conn_close(p->conn);
	return XMPPC_CB_OK;
}

static void send_message(sender *p, xmppc_session *s)
{
	xmppc_stanza *msg = NULL, *ping = NULL, *child;
	int rc;

	rc = xmppc_message_new(&msg, p->ctx, XMPPC_TYPE_CHAT, p->opt.args[0], p->body);
	if (rc == 0)
		rc = xmppc_session_send(s, msg);
	if (rc == 0)
		rc = xmppc_iq_new(&ping, p->ctx, XMPPC_TYPE_GET, NULL, NULL);
	if (rc == 0)
		rc = xmppc_stanza_new_child(&child, ping, "ping", "urn:xmpp:ping");
	if (rc == 0)
		rc = xmppc_session_send_iq(s, ping, on_ping, 30000, p, NULL);
	xmppc_stanza_unref(msg);
	xmppc_stanza_unref(ping);
	if (rc != 0) {
		fprintf(stderr, "%s: cannot send to %s: %s: %s\n", p->opt.prog, p->opt.args[0],
		        xmppc_error_name(rc), xmppc_strerror(rc));
		p->status = CLI_EXIT_FAILURE;
		xmppc_conn_close(p->conn);
	}
}

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	sender *p = ud;

	if (ev->type == XMPPC_CONN_EVENT_READY) {
		send_message(p, xmppc_conn_session(conn));
		if (p->opt.max > 0)
			p->deadline = xmppc_ctx_now(p->ctx) + p->opt.max * 1000u;
	} else if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		p->done = 1;
		if (ev->error != 0 && !p->confirmed)
			p->status = cli_report_closed(&p->opt, ev);
		else if (!p->confirmed && p->status == 0) {
			fprintf(stderr, "%s: the connection closed before the server confirmed\n",
			        p->opt.prog);
			p->status = CLI_EXIT_FAILURE;
		}
		xmppc_loop_stop(p->loop);
	}
}

static char *read_stdin(void)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	size_t n;

	while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			char *nb = cap < (1u << 24) ? realloc(buf, cap * 2) : NULL;
			if (nb == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf == NULL)
		return NULL;
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	sender p;
	int rc;

	memset(&p, 0, sizeof(p));
	cli_parse(&p.opt, argc, argv, usage, 2, "--wait-reply");
	if (p.opt.nargs < 1) {
		fprintf(stderr, "%s: the recipient TO is required (try --help)\n", p.opt.prog);
		return CLI_EXIT_USAGE;
	}
	p.body = p.opt.nargs == 2 ? strdup(p.opt.args[1]) : read_stdin();
	if (p.body == NULL) {
		fprintf(stderr, "%s: cannot read the message body\n", p.opt.prog);
		return CLI_EXIT_FAILURE;
	}
	p.ctx = cli_ctx(&p.opt);
	if (xmppc_loop_new(&p.loop, p.ctx, 0) != 0) {
		fprintf(stderr, "%s: cannot create the event loop\n", p.opt.prog);
		return CLI_EXIT_FAILURE;
	}
	p.conn = cli_conn(&p.opt, p.ctx, p.loop);
	xmppc_conn_set_event_fn(p.conn, on_event, &p, NULL);
	if (p.opt.max > 0) {
		xmppc_stanza_filter f;
		memset(&f, 0, sizeof(f));
		f.version = XMPPC_STANZA_FILTER_VERSION;
		f.kind = XMPPC_STANZA_MESSAGE;
		f.from = p.opt.args[0];
		if (xmppc_session_add_observer(xmppc_conn_session(p.conn), &f, 0, on_reply, &p, NULL,
		                               NULL) != 0) {
			fprintf(stderr, "%s: bad recipient address %s\n", p.opt.prog, p.opt.args[0]);
			return CLI_EXIT_USAGE;
		}
	}
	cli_handle_signals(p.loop);
	if ((rc = xmppc_conn_connect(p.conn)) != 0) {
		fprintf(stderr, "%s: cannot connect: %s: %s\n", p.opt.prog, xmppc_error_name(rc),
		        xmppc_strerror(rc));
		return CLI_EXIT_CONNECT;
	}
	while (!p.done && !cli_signalled()) {
		if (p.deadline != 0 && xmppc_ctx_now(p.ctx) >= p.deadline && !p.replied) {
			fprintf(stderr, "%s: no reply from %s within %lu s\n", p.opt.prog, p.opt.args[0],
			        p.opt.max);
			p.status = CLI_EXIT_FAILURE;
			p.deadline = 0;
			xmppc_conn_close(p.conn);
		}
		if (xmppc_loop_run_once(p.loop, p.deadline != 0 ? 200 : -1) < 0)
			break;
	}
	xmppc_loop_remove(p.loop, p.conn);
	xmppc_conn_free(p.conn);
	xmppc_loop_free(p.loop);
	xmppc_ctx_unref(p.ctx);
	cli_free(&p.opt);
	free(p.body);
	if (p.done && p.confirmed && (p.opt.max == 0 || p.replied))
		return CLI_EXIT_OK;
	return p.status != 0 ? p.status : CLI_EXIT_FAILURE;
}
