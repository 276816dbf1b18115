/* xmpp-roster: list the roster with each contact's presence, add a
 * contact (and ask for its presence), or remove one. Uses the roster and
 * presence modules (xmppc/roster.h, xmppc/presence.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "--jid JID [options] [list | add JID [NAME] | remove JID]\n"
    "\n"
    "list (the default): log in, fetch the roster, send presence, wait for the\n"
    "contacts' presence and print one line per contact: JID, name,\n"
    "subscription, groups, and its resources with show, priority and status\n"
    "(the best resource first), or 'offline'.\n"
    "add JID [NAME]: add the contact to the roster and ask to see its presence.\n"
    "remove JID: remove the contact (the subscriptions both ways end too).\n"
    "\n"
    "Account and connection options are those of xmpp-echo-bot:\n"
    "  --jid JID, --password PW, --password-file FILE (or XMPPC_PASSWORD),\n"
    "  --resource RES, --mechanism NAME, --server HOST[:PORT], --direct-tls,\n"
    "  --cafile FILE, --pin SHA256, --tls-priority STR, --dns-server IP[:PORT],\n"
    "  --insecure-plaintext (loopback tests only), -v, -h/--help.\n"
    "\n"
    "  --wait SECONDS  list: how long to collect presence (default 2)\n"
    "\n"
    "Exit status: 0 done; 1 the server refused or the connection was lost;\n"
    "2 bad command line; 3 authentication refused; 4 TLS or certificate\n"
    "failure; 5 the server could not be reached. Failures print one line to\n"
    "standard error.\n";

typedef struct app {
	cli_options opt;
	xmppc_ctx *ctx;
	xmppc_loop *loop;
	xmppc_conn *conn;
	const char *cmd;
	uint64_t deadline; /* list: print at this time */
	int status, done, finished;
} app;

static void print_contact(xmppc_session *s, const xmppc_roster_item *it)
{
	const xmppc_presence_info *best = xmppc_presence_best(s, it->jid), *r;
	size_t i, n = xmppc_presence_resource_count(s, it->jid);

	printf("%s", it->jid);
	printf("\tname=%s\tsubscription=%s%s", it->name != NULL ? it->name : "-",
	       xmppc_roster_subscription_name(it->subscription), it->ask ? "+ask" : "");
	printf("\tgroups=");
	for (i = 0; i < it->n_groups; i++)
		printf("%s%s", i > 0 ? "," : "", it->groups[i]);
	if (it->n_groups == 0)
		printf("-");
	if (best == NULL)
		printf("\toffline");
	for (i = 0; best != NULL && i <= n; i++) {
		/* the best resource first, then the others in order of arrival */
		r = i == 0 ? best : xmppc_presence_resource_at(s, it->jid, i - 1);
		if (i > 0 && r == best)
			continue;
		printf("\t%s:%s/%d%s%s", r->resource[0] != '\0' ? r->resource : "(bare)",
		       xmppc_presence_show_name(r->show) ? xmppc_presence_show_name(r->show)
		                                         : "online",
		       r->priority, r->status != NULL ? " " : "",
		       r->status != NULL ? r->status : "");
	}
	printf("\n");
}

static void print_roster(app *p)
{
	xmppc_session *s = xmppc_conn_session(p->conn);
	size_t i, n = xmppc_roster_count(s);

	for (i = 0; i < n; i++)
		print_contact(s, xmppc_roster_at(s, i));
	fflush(stdout);
	p->finished = 1;
	xmppc_conn_close(p->conn);
}

static void fail(app *p, const char *what, int error, const xmppc_stanza *reply)
{
	xmppc_stanza_error_info ei;

	memset(&ei, 0, sizeof(ei));
	ei.version = XMPPC_STANZA_ERROR_INFO_VERSION;
	if (error == XMPPC_IQ_ERROR_REPLY && xmppc_stanza_get_error(&ei, reply) == 0)
		fprintf(stderr, "%s: %s refused: %s\n", p->opt.prog, what,
		        xmppc_stanza_condition_name(ei.condition));
	else
		fprintf(stderr, "%s: %s failed: %s\n", p->opt.prog, what, xmppc_error_name(error));
	p->status = CLI_EXIT_FAILURE;
	xmppc_conn_close(p->conn);
}

static void on_set(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	app *p = ud;
	int rc;

	if (error != 0) {
		fail(p, p->cmd, error, reply);
		return;
	}
	if (strcmp(p->cmd, "add") == 0 &&
	    (rc = xmppc_presence_subscribe(s, p->opt.args[1], NULL)) != 0) {
		fail(p, "subscribe", rc, NULL);
		return;
	}
	p->finished = 1;
	xmppc_conn_close(p->conn);
}

static void on_roster(void *ud, xmppc_session *s, const xmppc_roster_event *ev)
{
	app *p = ud;
	int rc;

	if (strcmp(p->cmd, "list") != 0)
		return; /* add and remove do not need the roster */
	if (ev->type == XMPPC_ROSTER_EVENT_FETCH_FAILED) {
		if (!p->finished)
			fail(p, "roster fetch", ev->error, ev->stanza);
	} else if (ev->type == XMPPC_ROSTER_EVENT_LOADED) {
		/* RFC 6121 §2.2: presence after the roster; the server then
		 * sends the contacts' current presence */
		if ((rc = xmppc_presence_send_available(s, NULL, XMPPC_SHOW_NONE, NULL, 0)) != 0)
			fail(p, "presence", rc, NULL);
		p->deadline = xmppc_ctx_now(p->ctx) + (p->opt.max != 0 ? p->opt.max : 2) * 1000u;
	}
}

static void on_ready(app *p, xmppc_session *s)
{
	xmppc_roster_item it = {
	    XMPPC_ROSTER_ITEM_VERSION, NULL, NULL, XMPPC_SUBSCRIPTION_NONE, 0, 0, NULL, 0};
	int rc = 0;

	if (strcmp(p->cmd, "add") == 0) {
		it.jid = p->opt.args[1];
		it.name = p->opt.nargs > 2 ? p->opt.args[2] : NULL;
		rc = xmppc_roster_set_item(s, &it, on_set, p, NULL);
	} else if (strcmp(p->cmd, "remove") == 0) {
		rc = xmppc_roster_remove_item(s, p->opt.args[1], on_set, p, NULL);
	}
	if (rc != 0)
		fail(p, p->cmd, rc, NULL);
}

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	app *p = ud;

	if (ev->type == XMPPC_CONN_EVENT_READY) {
		on_ready(p, xmppc_conn_session(conn));
	} else if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		p->done = 1;
		if (ev->error != 0 && !p->finished && p->status == 0)
			p->status = cli_report_closed(&p->opt, ev);
		else if (!p->finished && p->status == 0) {
			fprintf(stderr, "%s: the connection closed early\n", p->opt.prog);
			p->status = CLI_EXIT_FAILURE;
		}
		xmppc_loop_stop(p->loop);
	}
}

static int check_args(app *p)
{
	p->cmd = p->opt.nargs > 0 ? p->opt.args[0] : "list";
	if (strcmp(p->cmd, "list") == 0 && p->opt.nargs <= 1)
		return 0;
	if (strcmp(p->cmd, "add") == 0 && (p->opt.nargs == 2 || p->opt.nargs == 3))
		return 0;
	if (strcmp(p->cmd, "remove") == 0 && p->opt.nargs == 2)
		return 0;
	fprintf(stderr, "%s: expected list, add JID [NAME] or remove JID (try --help)\n",
	        p->opt.prog);
	return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	xmppc_session *s;
	app p;
	int rc;

	memset(&p, 0, sizeof(p));
	cli_parse(&p.opt, argc, argv, usage, 3, "--wait");
	if ((rc = check_args(&p)) != 0)
		return rc;
	p.ctx = cli_ctx(&p.opt);
	if (xmppc_loop_new(&p.loop, p.ctx, 0) != 0) {
		fprintf(stderr, "%s: cannot create the event loop\n", p.opt.prog);
		return CLI_EXIT_FAILURE;
	}
	p.conn = cli_conn(&p.opt, p.ctx, p.loop);
	xmppc_conn_set_event_fn(p.conn, on_event, &p, NULL);
	s = xmppc_conn_session(p.conn);
	if ((rc = xmppc_session_add_module(s, xmppc_roster_module(), NULL)) != 0 ||
	    (rc = xmppc_roster_set_event_fn(s, on_roster, &p, NULL)) != 0 ||
	    (rc = xmppc_session_add_module(s, xmppc_presence_module(), NULL)) != 0) {
		fprintf(stderr, "%s: cannot attach the modules: %s\n", p.opt.prog,
		        xmppc_error_name(rc));
		return CLI_EXIT_FAILURE;
	}
	cli_handle_signals(p.loop);
	if ((rc = xmppc_conn_connect(p.conn)) != 0) {
		fprintf(stderr, "%s: cannot connect: %s: %s\n", p.opt.prog, xmppc_error_name(rc),
		        xmppc_strerror(rc));
		return CLI_EXIT_CONNECT;
	}
	while (!p.done && !cli_signalled()) {
		if (p.deadline != 0 && xmppc_ctx_now(p.ctx) >= p.deadline) {
			p.deadline = 0;
			print_roster(&p);
		}
		if (xmppc_loop_run_once(p.loop, p.deadline != 0 ? 100 : -1) < 0)
			break;
	}
	xmppc_loop_remove(p.loop, p.conn);
	xmppc_conn_free(p.conn);
	xmppc_loop_free(p.loop);
	xmppc_ctx_unref(p.ctx);
	cli_free(&p.opt);
	if (p.done && p.finished && p.status == 0)
		return CLI_EXIT_OK;
	return p.status != 0 ? p.status : CLI_EXIT_FAILURE;
}
