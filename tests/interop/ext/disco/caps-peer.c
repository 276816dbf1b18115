/* Interop: an xmppc client with the disco and caps modules (and an
 * extension form, so the ver covers XEP-0128 too). It asks the server's
 * disco#info and disco#items, announces its caps with a directed presence
 * to PEER (a slixmpp client) once PEER's presence arrives, and reports
 * PEER's caps when our caps module has verified them. It answers disco
 * (the caps node) until SIGTERM or SECONDS pass.
 *
 * usage: caps-peer SERVER CAFILE JID PASSWORD PEER_BARE_JID [SECONDS]
 * stdout lines:
 *   ready FULL_JID
 *   own-ver VER
 *   server-info identity=server/im features=N disco-info=0|1
 *   server-items N
 *   peer-caps JID features=N caps=0|1
 *   error WHAT
 * Public API only. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xmppc/xmppc.h>

static volatile sig_atomic_t stop;
static xmppc_conn *conn;
static const char *peer;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* XMPPC_TRACE=1: the wire on stderr. */
static void trace(void *ud, xmppc_trace_dir dir, const char *data, size_t len)
{
	(void)ud;
	fprintf(stderr, "%s %.*s\n", dir == XMPPC_TRACE_IN ? "<<" : ">>", (int)len, data);
}

static void on_caps(void *ud, xmppc_session *s, const char *jid, const xmppc_stanza *q)
{
	const xmppc_stanza *f;
	int n = 0;

	(void)ud;
	(void)s;
	for (f = xmppc_stanza_find_child(q, "feature", NULL); f;
	     f = xmppc_stanza_find_next(f, "feature", NULL))
		n++;
	printf("peer-caps %s features=%d caps=%d\n", jid, n,
	       xmppc_disco_has_feature(q, XMPPC_NS_CAPS));
	fflush(stdout);
}

static void on_info(void *ud, xmppc_session *s, const xmppc_stanza *q, const xmppc_stanza *r,
                    int error)
{
	const xmppc_stanza *f;
	int n = 0;

	(void)ud;
	(void)s;
	(void)r;
	if (error != 0) {
		printf("error server-info %s\n", xmppc_error_name(error));
	} else {
		for (f = xmppc_stanza_find_child(q, "feature", NULL); f;
		     f = xmppc_stanza_find_next(f, "feature", NULL))
			n++;
		printf("server-info identity=%s features=%d disco-info=%d\n",
		       xmppc_disco_has_identity(q, "server", "im") ? "server/im" : "none", n,
		       xmppc_disco_has_feature(q, XMPPC_NS_DISCO_INFO));
	}
	fflush(stdout);
}

static void on_items(void *ud, xmppc_session *s, const xmppc_stanza *q, const xmppc_stanza *r,
                     int error)
{
	(void)ud;
	(void)s;
	(void)r;
	if (error != 0)
		printf("error server-items %s\n", xmppc_error_name(error));
	else
		printf("server-items %zu\n", xmppc_stanza_child_count(q));
	fflush(stdout);
}

/* Answer PEER's presence with ours (directed: no subscription needed). */
static int on_presence(void *ud, xmppc_session *s, const xmppc_stanza *p)
{
	static int answered;
	xmppc_stanza *mine;
	int rc;

	(void)ud;
	if (answered || xmppc_stanza_get_type(p) != XMPPC_TYPE_AVAILABLE)
		return XMPPC_CB_PASS;
	answered = 1;
	if ((rc = xmppc_caps_presence_new(&mine, s, XMPPC_TYPE_AVAILABLE, xmppc_stanza_from(p))) != 0 ||
	    (rc = xmppc_session_send(s, mine)) != 0)
		printf("error presence %s\n", xmppc_error_name(rc));
	xmppc_stanza_unref(mine);
	fflush(stdout);
	return XMPPC_CB_PASS;
}

static void on_event(void *ud, xmppc_conn *c, const xmppc_conn_event *ev)
{
	xmppc_session *s = xmppc_conn_session(c);
	xmppc_buf *ver;
	const char *domain;

	(void)ud;
	if (ev->type == XMPPC_CONN_EVENT_READY) {
		domain = xmppc_jid_domain(xmppc_session_jid(s));
		printf("ready %s\n", xmppc_jid_full(xmppc_session_jid(s)));
		if (xmppc_buf_new(&ver, xmppc_session_ctx(s)) == 0 && xmppc_caps_own_ver(ver, s) == 0)
			printf("own-ver %s\n", xmppc_buf_data(ver));
		xmppc_buf_free(ver);
		fflush(stdout);
		if (xmppc_disco_get_info(s, domain, NULL, 0, on_info, NULL, NULL) != 0 ||
		    xmppc_disco_get_items(s, domain, NULL, 0, on_items, NULL, NULL) != 0)
			printf("error query\n");
	} else if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		if (ev->error != 0)
			printf("error closed %s\n", xmppc_error_name(ev->error));
		stop = 1;
	}
	fflush(stdout);
}

static const char form_xml[] =
	"<x xmlns='jabber:x:data' type='result'>"
	"<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>"
	"<field var='software'><value>xmppc</value></field>"
	"<field var='ip_version' type='text-multi'><value>ipv6</value><value>ipv4</value></field>"
	"</x>";

int main(int argc, char **argv)
{
	xmppc_ctx *ctx;
	xmppc_loop *loop;
	xmppc_session_config sc;
	xmppc_conn_config cc;
	xmppc_caps_config caps;
	xmppc_stanza_filter f;
	xmppc_stanza *form;
	xmppc_session *s;
	time_t end;
	int rc;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: caps-peer SERVER CAFILE JID PASSWORD PEER_BARE_JID [SECONDS]\n");
		return 2;
	}
	peer = argv[5];
	end = time(NULL) + (argc > 6 ? atoi(argv[6]) : 30);
	signal(SIGTERM, on_term);
	memset(&sc, 0, sizeof(sc));
	sc.version = XMPPC_SESSION_CONFIG_VERSION;
	sc.jid = argv[3];
	sc.password = argv[4];
	sc.resource = "caps-peer";
	memset(&cc, 0, sizeof(cc));
	cc.version = XMPPC_CONN_CONFIG_VERSION;
	cc.session = &sc;
	cc.server = argv[1];
	cc.ca_file = argv[2];
	cc.flags = XMPPC_CONN_NO_SYSTEM_TRUST;
	memset(&caps, 0, sizeof(caps));
	caps.version = XMPPC_CAPS_CONFIG_VERSION;
	caps.on_caps = on_caps;
	memset(&f, 0, sizeof(f));
	f.version = XMPPC_STANZA_FILTER_VERSION;
	f.kind = XMPPC_STANZA_PRESENCE;
	f.from = peer;
	if ((rc = xmppc_ctx_new(&ctx, NULL)) != 0 || (rc = xmppc_loop_new(&loop, ctx, 0)) != 0 ||
	    (rc = xmppc_conn_new(&conn, ctx, &cc)) != 0 ||
	    (rc = xmppc_conn_set_event_fn(conn, on_event, NULL, NULL)) != 0) {
		printf("error setup %s\n", xmppc_error_name(rc));
		return 1;
	}
	s = xmppc_conn_session(conn);
	if (getenv("XMPPC_TRACE") != NULL)
		xmppc_ctx_set_trace(ctx, trace, NULL, NULL);
	if ((rc = xmppc_session_add_module(s, xmppc_disco_module(), NULL)) != 0 ||
	    (rc = xmppc_session_add_module(s, xmppc_caps_module(), &caps)) != 0 ||
	    (rc = xmppc_stanza_from_xml(&form, ctx, form_xml, strlen(form_xml))) != 0 ||
	    (rc = xmppc_disco_add_form(s, form)) != 0 ||
	    (rc = xmppc_session_add_observer(s, &f, 0, on_presence, NULL, NULL, NULL)) != 0 ||
	    (rc = xmppc_loop_add(loop, conn)) != 0 || (rc = xmppc_conn_connect(conn)) != 0) {
		printf("error modules %s\n", xmppc_error_name(rc));
		return 1;
	}
	xmppc_stanza_unref(form);
	while (!stop && time(NULL) < end)
		if (xmppc_loop_run_once(loop, 200) < 0)
			break;
	xmppc_conn_free(conn);
	xmppc_loop_free(loop);
	xmppc_ctx_unref(ctx);
	return 0;
}
