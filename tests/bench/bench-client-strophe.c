/* libstrophe side of the network benchmarks (doc/benchmarks.md): the same
 * behaviour as bench-client-xmppc.c, on libstrophe's public API.
 *
 *   bench-client-strophe recv  --server H:P            pseudo-server --mode stream
 *   bench-client-strophe send  --server H:P --count N  pseudo-server --mode sink
 *   bench-client-strophe login --server H:P --jid J --password PW --cafile CA [--reps R]
 *   bench-client-strophe idle  --server H:P --jid J --password PW --cafile CA
 *                              [--conns K] [--parallel P]
 *
 * recv: count incoming messages until the one with id 'bench-end', then
 *   answer "bench-ack <count>" and wait for the server to close.
 * send: on the message with id 'bench-go', send N chat messages (a pool of
 *   generated ones: to, id, body, chat state, origin-id, receipt request).
 *   libstrophe has no back-pressure: xmpp_send() queues every one.
 * login: R times in a row: connect (STARTTLS, SCRAM, bind), time to the
 *   connect event, disconnect.
 * idle: K connections of one context, at most P negotiating at once; the
 *   growth of VmRSS from before the first to all of them bound, per
 *   connection.
 *
 * recv/send run over plaintext with PLAIN (XMPP_CONN_FLAG_DISABLE_TLS);
 * login/idle require TLS and verify the server against --cafile (and the
 * system store). Stream management is disabled (xmppc has none), so both
 * libraries do the same exchanges.
 *
 * Prints one "result ..." line. Exit 0, 1 on failure, 2 on usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <strophe.h>

#include "benchutil.h"
#include "gen.h"

#define POOL 1024

typedef struct {
	const char *mode;
	char host[256];
	unsigned port;
	const char *jid, *password, *cafile;
	long count, reps, conns, parallel;
	int verbose;

	xmpp_ctx_t *ctx;
	long received, sent;
	int failed, done;
	/* login / idle */
	long ready, closed, started, active;
	double t_start;
	double *times;
} state;

static gen_expect *pool;

static void make_pool(void)
{
	bench_buf scratch = {0};
	gen g;

	pool = calloc(POOL, sizeof(*pool));
	if (pool == NULL)
		bu_die("out of memory");
	gen_init(&g, GEN_SEED ^ 0x5e4d);
	for (int i = 0; i < POOL; i++) {
		scratch.len = 0;
		gen_message(&g, &scratch, &pool[i]);
	}
	bench_buf_free(&scratch);
}

/* ---- stanza helpers ------------------------------------------------------------ */

static void add_child_ns(xmpp_ctx_t *ctx, xmpp_stanza_t *parent, const char *name, const char *ns,
                         const char *id)
{
	xmpp_stanza_t *c = xmpp_stanza_new(ctx);

	xmpp_stanza_set_name(c, name);
	xmpp_stanza_set_ns(c, ns);
	if (id != NULL)
		xmpp_stanza_set_id(c, id);
	xmpp_stanza_add_child(parent, c);
	xmpp_stanza_release(c);
}

static void send_one(xmpp_conn_t *conn, xmpp_ctx_t *ctx, const gen_expect *e)
{
	xmpp_stanza_t *m = xmpp_message_new(ctx, "chat", e->from, e->id);

	xmpp_message_set_body(m, e->body);
	add_child_ns(ctx, m, "active", "http://jabber.org/protocol/chatstates", NULL);
	add_child_ns(ctx, m, "origin-id", "urn:xmpp:sid:0", e->origin_id);
	add_child_ns(ctx, m, "request", "urn:xmpp:receipts", NULL);
	xmpp_send(conn, m);
	xmpp_stanza_release(m);
}

/* ---- recv / send ----------------------------------------------------------------- */

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *user_data)
{
	state *st = user_data;
	const char *id = xmpp_stanza_get_id(stanza);

	if (id != NULL && id[0] == 'b' && strcmp(id, "bench-end") == 0) {
		xmpp_stanza_t *m = xmpp_message_new(st->ctx, "chat", "bench@example.net/ctl", "bench-ack");
		char body[64];
		snprintf(body, sizeof(body), "bench-ack %ld", st->received);
		xmpp_message_set_body(m, body);
		xmpp_send(conn, m);
		xmpp_stanza_release(m);
		st->done = 1;
		return 1;
	}
	if (id != NULL && id[0] == 'b' && strcmp(id, "bench-go") == 0 && strcmp(st->mode, "send") == 0) {
		for (long i = 0; i < st->count; i++)
			send_one(conn, st->ctx, &pool[i % POOL]);
		st->sent = st->count;
		st->done = 1;
		return 1;
	}
	st->received++;
	return 1;
}

static void on_conn(xmpp_conn_t *conn, xmpp_conn_event_t ev, int error,
                    xmpp_stream_error_t *stream_error, void *user_data)
{
	state *st = user_data;

	(void)conn, (void)stream_error;
	if (ev == XMPP_CONN_CONNECT)
		return;
	if (!st->done) {
		fprintf(stderr, "bench-client-strophe: disconnected early (event %d, error %d)\n", (int)ev,
		        error);
		st->failed = 1;
	}
	xmpp_stop(st->ctx);
}

static xmpp_conn_t *new_conn(state *st, int plaintext, const char *jid)
{
	xmpp_conn_t *conn = xmpp_conn_new(st->ctx);

	if (conn == NULL)
		bu_die("xmpp_conn_new failed");
	xmpp_conn_set_flags(conn, (plaintext ? XMPP_CONN_FLAG_DISABLE_TLS : XMPP_CONN_FLAG_MANDATORY_TLS) |
	                              XMPP_CONN_FLAG_DISABLE_SM);
	xmpp_conn_set_jid(conn, jid);
	xmpp_conn_set_pass(conn, st->password);
	if (st->cafile != NULL)
		xmpp_conn_set_cafile(conn, st->cafile);
	return conn;
}

static int run_stream(state *st)
{
	xmpp_conn_t *conn = new_conn(st, 1, st->jid);
	long rss0 = bu_proc_status_kib("VmRSS");

	xmpp_handler_add(conn, on_message, NULL, "message", NULL, st);
	if (xmpp_connect_client(conn, st->host, (unsigned short)st->port, on_conn, st) != XMPP_EOK)
		bu_die("xmpp_connect_client failed");
	xmpp_run(st->ctx);
	xmpp_conn_release(conn);
	if (st->failed)
		return 1;
	printf("result client=libstrophe mode=%s received=%ld sent=%ld rss_before_kib=%ld "
	       "peak_rss_kib=%ld\n",
	       st->mode, st->received, st->sent, rss0, bu_proc_status_kib("VmHWM"));
	return 0;
}

/* ---- login ------------------------------------------------------------------------ */

static void on_login_conn(xmpp_conn_t *conn, xmpp_conn_event_t ev, int error,
                          xmpp_stream_error_t *stream_error, void *user_data)
{
	state *st = user_data;

	(void)stream_error;
	if (ev == XMPP_CONN_CONNECT) {
		st->times[st->ready++] = bu_now() - st->t_start;
		xmpp_disconnect(conn);
		return;
	}
	if (st->ready <= st->closed) {
		fprintf(stderr, "bench-client-strophe: login failed (event %d, error %d)\n", (int)ev, error);
		st->failed = 1;
	}
	st->closed++;
	xmpp_stop(st->ctx);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int run_login(state *st)
{
	st->times = calloc((size_t)st->reps, sizeof(double));
	for (long i = 0; i < st->reps && !st->failed; i++) {
		xmpp_conn_t *conn;
		st->t_start = bu_now();
		conn = new_conn(st, 0, st->jid);
		if (xmpp_connect_client(conn, st->host, (unsigned short)st->port, on_login_conn, st) !=
		    XMPP_EOK)
			bu_die("xmpp_connect_client failed");
		xmpp_run(st->ctx);
		xmpp_conn_release(conn);
	}
	if (st->failed)
		return 1;
	qsort(st->times, (size_t)st->reps, sizeof(double), cmp_double);
	printf("result client=libstrophe mode=login reps=%ld median_ms=%.3f min_ms=%.3f max_ms=%.3f\n",
	       st->reps, 1000 * st->times[st->reps / 2], 1000 * st->times[0],
	       1000 * st->times[st->reps - 1]);
	return 0;
}

/* ---- idle ----------------------------------------------------------------------------- */

static xmpp_conn_t **conns;

static void on_idle_conn(xmpp_conn_t *conn, xmpp_conn_event_t ev, int error,
                         xmpp_stream_error_t *stream_error, void *user_data)
{
	state *st = user_data;

	(void)conn, (void)stream_error;
	if (ev == XMPP_CONN_CONNECT) {
		st->ready++;
		st->active--;
		return;
	}
	if (!st->done) {
		fprintf(stderr, "bench-client-strophe: connection failed (event %d, error %d)\n", (int)ev,
		        error);
		st->failed = 1;
	}
	st->closed++;
}

static void start_idle(state *st)
{
	char jid[512];

	snprintf(jid, sizeof(jid), "%s/idle-%ld", st->jid, st->started);
	conns[st->started] = new_conn(st, 0, jid);
	if (xmpp_connect_client(conns[st->started], st->host, (unsigned short)st->port, on_idle_conn,
	                        st) != XMPP_EOK)
		bu_die("xmpp_connect_client failed");
	st->started++;
	st->active++;
}

static int run_idle(state *st)
{
	long rss0, rss1;
	double t0;

	bu_raise_nofile(st->conns + 64);
	conns = calloc((size_t)st->conns, sizeof(*conns));
	rss0 = bu_proc_status_kib("VmRSS");
	t0 = bu_now();
	while (st->ready < st->conns && !st->failed) {
		while (st->started < st->conns && st->active < st->parallel)
			start_idle(st);
		xmpp_run_once(st->ctx, 10);
		if (bu_now() - t0 > 600)
			bu_die("bench-client-strophe: idle: %ld of %ld bound after 600 s", st->ready, st->conns);
	}
	/* let anything in flight settle */
	for (int i = 0; i < 20; i++)
		xmpp_run_once(st->ctx, 5);
	rss1 = bu_proc_status_kib("VmRSS");
	if (st->failed)
		return 1;
	printf("result client=libstrophe mode=idle conns=%ld rss_before_kib=%ld rss_after_kib=%ld "
	       "per_conn_kib=%.2f seconds=%.3f\n",
	       st->conns, rss0, rss1, (double)(rss1 - rss0) / (double)st->conns, bu_now() - t0);
	fflush(stdout);
	/* close them all */
	st->done = 1;
	for (long i = 0; i < st->conns; i++)
		xmpp_disconnect(conns[i]);
	t0 = bu_now();
	while (st->closed < st->conns && bu_now() - t0 < 20)
		xmpp_run_once(st->ctx, 10);
	for (long i = 0; i < st->conns; i++)
		xmpp_conn_release(conns[i]);
	free(conns);
	return 0;
}

/* ---- main ----------------------------------------------------------------------------- */

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: bench-client-strophe recv|send|login|idle --server HOST:PORT\n"
	                "       [--jid JID] [--password PW] [--cafile FILE] [--count N]\n"
	                "       [--reps R] [--conns K] [--parallel P] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	state st;
	const char *server = NULL;
	xmpp_log_t *log = NULL;
	int rc;

	memset(&st, 0, sizeof(st));
	st.jid = "bob@example.net";
	st.password = "pw";
	st.count = 200000;
	st.reps = 20;
	st.conns = 1000;
	st.parallel = 50;
	if (argc < 2)
		usage();
	st.mode = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-v") == 0) {
			st.verbose = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(a, "--server") == 0)
			server = argv[++i];
		else if (strcmp(a, "--jid") == 0)
			st.jid = argv[++i];
		else if (strcmp(a, "--password") == 0)
			st.password = argv[++i];
		else if (strcmp(a, "--cafile") == 0)
			st.cafile = argv[++i];
		else if (strcmp(a, "--count") == 0)
			st.count = atol(argv[++i]);
		else if (strcmp(a, "--reps") == 0)
			st.reps = atol(argv[++i]);
		else if (strcmp(a, "--conns") == 0)
			st.conns = atol(argv[++i]);
		else if (strcmp(a, "--parallel") == 0)
			st.parallel = atol(argv[++i]);
		else
			usage();
	}
	if (server == NULL || bu_split_hostport(server, st.host, sizeof(st.host), &st.port) != 0 ||
	    st.count < 1 || st.reps < 1 || st.conns < 1 || st.parallel < 1)
		usage();

	xmpp_initialize();
	if (st.verbose)
		log = xmpp_get_default_logger(XMPP_LEVEL_DEBUG);
	st.ctx = xmpp_ctx_new(NULL, log);
	if (st.ctx == NULL)
		bu_die("xmpp_ctx_new failed");

	if (strcmp(st.mode, "recv") == 0) {
		rc = run_stream(&st);
	} else if (strcmp(st.mode, "send") == 0) {
		make_pool();
		rc = run_stream(&st);
	} else if (strcmp(st.mode, "login") == 0) {
		rc = run_login(&st);
	} else if (strcmp(st.mode, "idle") == 0) {
		rc = run_idle(&st);
	} else {
		usage();
	}
	xmpp_ctx_free(st.ctx);
	xmpp_shutdown();
	free(pool);
	free(st.times);
	return rc;
}
