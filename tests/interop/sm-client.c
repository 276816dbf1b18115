/* Interop: one account's client for the stream-management fault tests
 * (tests/interop/sm-faults.py), driven line by line on stdin and
 * reporting line by line on stdout, so that the Python side (which owns
 * the fault proxy and the servers) is the judge of what arrived.
 *
 * Public API only. Reconnection with a short backoff, stream management
 * (on by default), liveness on.
 *
 * usage: sm-client --jid J --password P --server HOST:PORT --ca-file F
 *          [--peer JID] [--import FILE] [--idle-ms N] [--probe-ms N]
 *          [--base-ms N] [--max-ms N] [--return-on-failure]
 *
 * stdin commands:
 *   send FIRST COUNT PACE_MS  send messages FIRST..FIRST+COUNT-1 to the
 *                             peer, one every PACE_MS (0: as fast as the
 *                             output allows)
 *   export FILE               write the stream-management state to FILE,
 *                             print "exported", exit at once without
 *                             closing the stream (a process that dies)
 *   quit                      close cleanly and exit
 * stdout lines (t = ms since start):
 *   ready t JID (a fresh resource, once the server has processed our
 *   initial presence) | resumed t JID | disconnected t ERROR STAGE retry_ms
 *   reconnecting t attempt | closed t ERROR
 *   got N from=JID delayed=0|1   a message with body N arrived
 *   acked N | returned N | discarded N   the ack callback for message N
 *   sent-all t                   the last message of a send command was accepted
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xmppc/xmppc.h>

#define MAX_SEQ 200000

static xmppc_ctx *ctx;
static xmppc_loop *loop;
static xmppc_conn *conn;
static xmppc_session *sess;
static const char *peer;
static struct timespec t0;
static unsigned seq_num[MAX_SEQ]; /* session sequence number -> message number + 1 */

/* the send command in progress */
static unsigned next_num, last_num, pace_ms;
static int sending;
static pthread_mutex_t pace_mu = PTHREAD_MUTEX_INITIALIZER;

static long ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ---- sending --------------------------------------------------------- */

/* Send the next message; 0, or XMPPC_EAGAIN to wait for the drain. */
static int send_next(void)
{
	xmppc_stanza *m = NULL, *oid = NULL;
	char body[32], id[40];
	int rc;

	snprintf(body, sizeof(body), "%u", next_num);
	snprintf(id, sizeof(id), "m%u", next_num);
	if ((rc = xmppc_message_new(&m, ctx, XMPPC_TYPE_CHAT, peer, body)) != 0)
		return rc;
	xmppc_stanza_set_id(m, id);
	/* XEP-0359: what the receiver recognises a duplicate by */
	if ((rc = xmppc_stanza_new_child(&oid, m, "origin-id", "urn:xmpp:sid:0")) == 0)
		rc = xmppc_stanza_set_attr(oid, "id", id);
	if (rc == 0)
		rc = xmppc_session_send(sess, m);
	xmppc_stanza_unref(m);
	if (rc != 0)
		return rc;
	if (xmppc_sm_last_seq(sess) < MAX_SEQ)
		seq_num[xmppc_sm_last_seq(sess)] = next_num + 1;
	if (next_num == last_num) {
		sending = 0;
		out("sent-all %ld", ms());
	}
	next_num++;
	return 0;
}

static void pump(void)
{
	while (sending) {
		int rc = send_next();
		if (rc == XMPPC_EAGAIN)
			return; /* the drain callback goes on */
		if (rc != 0) {
			out("send-error %s", xmppc_error_name(rc));
			sending = 0;
			return;
		}
		if (pace_ms > 0)
			return; /* one per tick */
	}
}

static void on_drain(void *ud, xmppc_session *s)
{
	(void)ud;
	(void)s;
	if (pace_ms == 0)
		pump();
}

static void tick(void *data)
{
	(void)data;
	if (sending)
		pump();
}

/* posts a tick every pace_ms while a paced send runs */
static void *ticker(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned p;
		pthread_mutex_lock(&pace_mu);
		p = pace_ms;
		pthread_mutex_unlock(&pace_mu);
		usleep((p > 0 ? p : 50) * 1000u);
		if (p > 0)
			xmppc_loop_post(loop, tick, NULL);
	}
	return NULL;
}

/* ---- commands from stdin -------------------------------------------------- */

static void command(void *data)
{
	char *line = data, path[1024];
	unsigned first, count, pace;

	if (sscanf(line, "send %u %u %u", &first, &count, &pace) == 3 && count > 0) {
		next_num = first;
		last_num = first + count - 1;
		pthread_mutex_lock(&pace_mu);
		pace_ms = pace;
		pthread_mutex_unlock(&pace_mu);
		sending = 1;
		pump();
	} else if (sscanf(line, "export %1023s", path) == 1) {
		xmppc_buf *b = NULL;
		FILE *f;
		int rc = xmppc_buf_new(&b, ctx);
		if (rc == 0)
			rc = xmppc_sm_export(sess, b);
		if (rc != 0 || (f = fopen(path, "wb")) == NULL) {
			out("export-error %s", xmppc_error_name(rc));
		} else {
			fwrite(xmppc_buf_data(b), 1, xmppc_buf_len(b), f);
			fclose(f);
			out("exported %zu", xmppc_buf_len(b));
			_exit(0); /* the process dies: no closing tag */
		}
		xmppc_buf_free(b);
	} else if (strncmp(line, "quit", 4) == 0) {
		xmppc_conn_close(conn);
	} else {
		out("unknown-command %s", line);
	}
	free(line);
}

static void *reader(void *arg)
{
	char line[1200];
	(void)arg;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		xmppc_loop_post(loop, command, strdup(line));
	}
	return NULL;
}

/* ---- callbacks ---------------------------------------------------------------- */

static void on_ack(void *ud, xmppc_session *s, const xmppc_sm_item *it)
{
	static const char *const what[] = {"", "acked", "returned", "discarded"};
	unsigned n = it->seq < MAX_SEQ ? seq_num[it->seq] : 0;

	(void)ud;
	(void)s;
	if (n > 0)
		out("%s %u", what[it->status], n - 1);
}

static int on_message(void *ud, xmppc_session *s, const xmppc_stanza *st)
{
	const char *body = xmppc_message_body(st, NULL);
	(void)ud;
	(void)s;
	if (body != NULL && xmppc_stanza_get_type(st) != XMPPC_TYPE_ERROR)
		out("got %s from=%s delayed=%d", body, xmppc_stanza_from(st) ? xmppc_stanza_from(st) : "-",
		    xmppc_stanza_find_child(st, "delay", "urn:xmpp:delay") != NULL);
	else if (xmppc_stanza_get_type(st) == XMPPC_TYPE_ERROR)
		out("error-message id=%s", xmppc_stanza_id(st) ? xmppc_stanza_id(st) : "-");
	return XMPPC_CB_PASS;
}

static void send_presence(void)
{
	xmppc_stanza *p = NULL;
	if (xmppc_presence_new(&p, ctx, XMPPC_TYPE_AVAILABLE, NULL) == 0)
		xmppc_session_send(sess, p);
	xmppc_stanza_unref(p);
}

static const char *stage_name(xmppc_conn_stage st)
{
	static const char *const n[] = {"IDLE", "DNS", "TCP", "TLS", "STREAM", "AUTH", "BIND", "READY", "CLOSING", "WAITING"};
	return (unsigned)st < sizeof(n) / sizeof(n[0]) ? n[st] : "?";
}

/* The ping sent behind our initial presence was answered: the server has
 * processed the presence, so messages to our bare JID reach us (before
 * that they may go to offline storage). Only now is the client "ready". */
static void on_online(void *ud, xmppc_session *s, uint64_t rtt_ms, const xmppc_stanza *reply, int error)
{
	const xmppc_jid *j = xmppc_session_jid(s);

	(void)ud;
	(void)rtt_ms;
	(void)reply;
	if (error != XMPPC_EDISCONNECTED)
		out("ready %ld %s", ms(), j ? xmppc_jid_full(j) : "-");
}

static void on_event(void *ud, xmppc_conn *c, const xmppc_conn_event *ev)
{
	const xmppc_jid *j = xmppc_session_jid(sess);
	(void)ud;
	(void)c;
	switch (ev->type) {
	case XMPPC_CONN_EVENT_READY:
		send_presence(); /* a fresh resource: presence again (offline messages come after it) */
		if (xmppc_ping_send(sess, NULL, 10000, on_online, NULL, NULL) != 0)
			on_online(NULL, sess, 0, NULL, 0);
		if (sending)
			pump();
		break;
	case XMPPC_CONN_EVENT_RESUMED:
		out("resumed %ld %s", ms(), j ? xmppc_jid_full(j) : "-");
		if (sending)
			pump();
		break;
	case XMPPC_CONN_EVENT_DISCONNECTED:
		out("disconnected %ld %s %s %u", ms(), xmppc_error_name(ev->error), stage_name(ev->stage),
		    (unsigned)ev->retry_in_ms);
		break;
	case XMPPC_CONN_EVENT_RECONNECTING:
		out("reconnecting %ld %u", ms(), ev->attempt);
		break;
	case XMPPC_CONN_EVENT_CLOSED:
		out("closed %ld %s %s", ms(), xmppc_error_name(ev->error), ev->text ? ev->text : "");
		xmppc_loop_stop(loop);
		break;
	default:
		break;
	}
}

static void on_log(void *ud, xmppc_log_level level, const char *area, const char *msg)
{
	(void)ud;
	(void)level;
	fprintf(stderr, "%ld %s: %s\n", ms(), area, msg);
}

static void usage(void)
{
	fprintf(stderr, "usage: sm-client --jid J --password P --server HOST:PORT --ca-file F [--peer JID]\n"
	                "         [--import FILE] [--idle-ms N] [--probe-ms N] [--base-ms N] [--max-ms N]\n"
	                "         [--return-on-failure]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *jid = NULL, *password = NULL, *server = NULL, *ca = NULL, *import = NULL;
	unsigned idle = 3000, probe = 3000, base = 200, max = 2000, flags = 0;
	xmppc_session_config sc;
	xmppc_conn_config cc;
	xmppc_reconnect_config rc_cfg;
	xmppc_sm_config smc;
	xmppc_liveness_config lc;
	xmppc_stanza_filter mf;
	pthread_t th;
	int i, rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--return-on-failure") == 0) {
			flags |= XMPPC_SM_RETURN_ON_FAILURE;
			continue;
		}
		if (v == NULL)
			usage();
		i++;
		if (strcmp(a, "--jid") == 0) jid = v;
		else if (strcmp(a, "--password") == 0) password = v;
		else if (strcmp(a, "--server") == 0) server = v;
		else if (strcmp(a, "--ca-file") == 0) ca = v;
		else if (strcmp(a, "--peer") == 0) peer = v;
		else if (strcmp(a, "--import") == 0) import = v;
		else if (strcmp(a, "--idle-ms") == 0) idle = (unsigned)atoi(v);
		else if (strcmp(a, "--probe-ms") == 0) probe = (unsigned)atoi(v);
		else if (strcmp(a, "--base-ms") == 0) base = (unsigned)atoi(v);
		else if (strcmp(a, "--max-ms") == 0) max = (unsigned)atoi(v);
		else usage();
	}
	if (jid == NULL || password == NULL || server == NULL || ca == NULL)
		usage();
	memset(&sc, 0, sizeof(sc));
	sc.version = XMPPC_SESSION_CONFIG_VERSION;
	sc.jid = jid;
	sc.password = password;
	memset(&cc, 0, sizeof(cc));
	cc.version = XMPPC_CONN_CONFIG_VERSION;
	cc.session = &sc;
	cc.server = server;
	cc.ca_file = ca;
	cc.flags = XMPPC_CONN_NO_SYSTEM_TRUST;
	cc.connect_timeout_ms = 3000;
	if ((rc = xmppc_ctx_new(&ctx, NULL)) != 0 || (rc = xmppc_loop_new(&loop, ctx, 0)) != 0 ||
	    (rc = xmppc_conn_new(&conn, ctx, &cc)) != 0) {
		fprintf(stderr, "setup: %s\n", xmppc_error_name(rc));
		return 2;
	}
	sess = xmppc_conn_session(conn);
	if (getenv("SM_CLIENT_LOG") != NULL)
		xmppc_ctx_set_log(ctx, XMPPC_LOG_INFO, on_log, NULL, NULL);
	memset(&smc, 0, sizeof(smc));
	smc.version = XMPPC_SM_CONFIG_VERSION;
	smc.flags = flags;
	smc.ack_fn = on_ack;
	xmppc_sm_configure(sess, &smc);
	memset(&lc, 0, sizeof(lc));
	lc.version = XMPPC_LIVENESS_CONFIG_VERSION;
	lc.idle_ms = idle;
	lc.timeout_ms = probe;
	xmppc_session_set_liveness(sess, &lc);
	memset(&rc_cfg, 0, sizeof(rc_cfg));
	rc_cfg.version = XMPPC_RECONNECT_CONFIG_VERSION;
	rc_cfg.base_ms = base;
	rc_cfg.max_ms = max;
	rc_cfg.offline_queue = 100000;
	xmppc_conn_set_reconnect(conn, &rc_cfg);
	memset(&mf, 0, sizeof(mf));
	mf.version = XMPPC_STANZA_FILTER_VERSION;
	mf.kind = XMPPC_STANZA_MESSAGE;
	xmppc_session_add_observer(sess, &mf, 0, on_message, NULL, NULL, NULL);
	xmppc_session_set_drain_fn(sess, on_drain, NULL, NULL);
	xmppc_conn_set_event_fn(conn, on_event, NULL, NULL);
	if (import != NULL) {
		FILE *f = fopen(import, "rb");
		static char blob[1 << 24];
		size_t n = f ? fread(blob, 1, sizeof(blob), f) : 0;
		if (f)
			fclose(f);
		rc = xmppc_sm_import(sess, blob, n);
		out("imported %zu %s", n, xmppc_error_name(rc));
		if (rc != 0)
			return 1;
	}
	if ((rc = xmppc_loop_add(loop, conn)) != 0 || (rc = xmppc_conn_connect(conn)) != 0) {
		fprintf(stderr, "connect: %s\n", xmppc_error_name(rc));
		return 2;
	}
	pthread_create(&th, NULL, reader, NULL);
	pthread_detach(th);
	pthread_create(&th, NULL, ticker, NULL);
	pthread_detach(th);
	xmppc_loop_run(loop);
	_exit(0); /* the threads may still hold the loop */
}
