/* xmpp-im: the IM core in a page. Logs in, lists the roster with each
 * contact's best online resource, follows presence, prints incoming chat
 * (delivery receipts are answered by the im module), and browses the
 * server's features. Only the public headers are used.
 * usage: xmpp-im JID PASSWORD [CAFILE [HOST:PORT]] */
#include <stdio.h>
#include <xmppc/xmppc.h>

static void on_roster(void *ud, xmppc_session *s, const xmppc_roster_event *ev)
{
	size_t i;

	(void)ud;
	if (ev->type != XMPPC_ROSTER_EVENT_LOADED)
		return;
	for (i = 0; i < xmppc_roster_count(s); i++) {
		const xmppc_roster_item *it = xmppc_roster_at(s, i);
		const xmppc_presence_info *p = xmppc_presence_best(s, it->jid);
		printf("contact %s (%s) %s\n", it->jid, xmppc_roster_subscription_name(it->subscription),
		       p == NULL ? "offline" : p->show == XMPPC_SHOW_NONE ? "online"
		                                                       : xmppc_presence_show_name(p->show));
	}
	fflush(stdout);
}

static void on_presence(void *ud, xmppc_session *s, const xmppc_presence_event *ev)
{
	(void)ud;
	if (ev->type == XMPPC_PRESENCE_EVENT_AVAILABLE)
		printf("online %s%s%s\n", ev->jid, ev->info->show != XMPPC_SHOW_NONE ? " " : "",
		       ev->info->show != XMPPC_SHOW_NONE ? xmppc_presence_show_name(ev->info->show) : "");
	else if (ev->type == XMPPC_PRESENCE_EVENT_UNAVAILABLE)
		printf("offline %s\n", ev->jid);
	else if (ev->type == XMPPC_PRESENCE_EVENT_SUBSCRIBE)
		xmppc_presence_approve(s, ev->bare); /* a friendly client */
	fflush(stdout);
}

static int on_message(void *ud, xmppc_session *s, const xmppc_im_message *m)
{
	(void)ud;
	(void)s;
	if (m->body != NULL)
		printf("message from %s: %s%s\n", m->from, m->body,
		       m->receipt_requested ? " (receipt sent)" : "");
	fflush(stdout);
	return XMPPC_CB_OK;
}

static void on_disco(void *ud, xmppc_session *s, const xmppc_stanza *query,
                     const xmppc_stanza *reply, int error)
{
	(void)ud;
	(void)s;
	(void)reply;
	printf("server: %s, carbons %s\n", error != 0 ? xmppc_error_name(error) : "ok",
	       query != NULL && xmppc_disco_has_feature(query, "urn:xmpp:carbons:2") ? "yes" : "no");
	fflush(stdout);
}

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	xmppc_session *s = xmppc_conn_session(conn);

	if (ev->type == XMPPC_CONN_EVENT_READY) {
		/* the roster module has asked for the roster already (RFC 6121:
		 * before presence); now go online and look at the server */
		xmppc_presence_send_available(s, NULL, XMPPC_SHOW_NONE, "here", 0);
		xmppc_disco_get_info(s, xmppc_jid_domain(xmppc_session_jid(s)), NULL, 0, on_disco,
		                     NULL, NULL);
	} else if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		if (ev->error != 0)
			fprintf(stderr, "%s: %s\n", xmppc_error_name(ev->error), ev->text);
		xmppc_loop_stop(ud); /* ends xmppc_loop_run() */
	}
}

int main(int argc, char **argv)
{
	xmppc_session_config sc = {.version = XMPPC_SESSION_CONFIG_VERSION};
	xmppc_conn_config cc = {.version = XMPPC_CONN_CONFIG_VERSION, .session = &sc};
	xmppc_im_config ic = {.version = XMPPC_IM_CONFIG_VERSION, .on_message = on_message};
	xmppc_ctx *ctx;
	xmppc_loop *loop;
	xmppc_conn *conn;
	xmppc_session *s;
	int status = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: xmpp-im JID PASSWORD [CAFILE [HOST:PORT]]\n");
		return 2;
	}
	sc.jid = argv[1];
	sc.password = argv[2];
	cc.ca_file = argc > 3 ? argv[3] : NULL;
	cc.server = argc > 4 ? argv[4] : NULL;
	if (xmppc_ctx_new(&ctx, NULL) != 0 || xmppc_loop_new(&loop, ctx, 0) != 0 ||
	    xmppc_conn_new(&conn, ctx, &cc) != 0)
		return 1;
	s = xmppc_conn_session(conn);
	if (xmppc_session_add_module(s, xmppc_disco_module(), NULL) != 0 ||
	    xmppc_session_add_module(s, xmppc_roster_module(), NULL) != 0 ||
	    xmppc_session_add_module(s, xmppc_presence_module(), NULL) != 0 ||
	    xmppc_session_add_module(s, xmppc_im_module(), &ic) != 0)
		return 1;
	xmppc_roster_set_event_fn(s, on_roster, NULL, NULL);
	xmppc_presence_set_event_fn(s, on_presence, NULL, NULL);
	xmppc_conn_set_event_fn(conn, on_event, loop, NULL);
	xmppc_loop_add(loop, conn);
	if (xmppc_conn_connect(conn) == 0)
		xmppc_loop_run(loop);
	{
		xmppc_conn_error e = {.version = XMPPC_CONN_ERROR_VERSION};
		xmppc_conn_last_error(&e, conn);
		status = e.code != 0;
	}
	xmppc_conn_free(conn);
	xmppc_loop_free(loop);
	xmppc_ctx_unref(ctx);
	return status;
}
