/* xmppc side of the network benchmarks (doc/benchmarks.md), on the public
 * API only: an #xmppc_conn driven by an #xmppc_loop, a message observer,
 * and the drain callback for back-pressure. Same behaviour and options as
 * bench-client-strophe.c:
 *
 *   bench-client-xmppc recv  --server H:P            pseudo-server --mode stream
 *   bench-client-xmppc send  --server H:P --count N  pseudo-server --mode sink
 *   bench-client-xmppc login --server H:P --jid J --password PW --cafile CA [--reps R]
 *   bench-client-xmppc idle  --server H:P --jid J --password PW --cafile CA
 *                            [--conns K] [--parallel P]
 *
 * recv: count incoming messages until the one with id 'bench-end', then
 *   answer "bench-ack <count>" and wait for the server to close.
 * send: on the message with id 'bench-go', send N chat messages (a pool of
 *   generated ones: to, id, body, chat state, origin-id, receipt request)
 *   as fast as the output queue takes them: on #XMPPC_EAGAIN, wait for the
 *   drain callback (the queue is bounded: output_high_water, default 1 MiB).
 * login: R times in a row: connect (STARTTLS, SCRAM, bind), time to the
 *   READY event, close.
 * idle: K connections in one loop and one context, at most P negotiating
 *   at once; the growth of VmRSS from before the first to all of them
 *   bound, per connection.
 *
 * recv/send run over plaintext with PLAIN (XMPPC_SESSION_ALLOW_PLAINTEXT |
 * XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS); login/idle require TLS and verify
 * the server against --cafile (and the system store).
 *
 * Prints one "result ..." line. Exit 0, 1 on failure, 2 on usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xmppc/conn.h>
#include <xmppc/ctx.h>
#include <xmppc/loop.h>

#include "benchutil.h"
#include "gen.h"

#define POOL 1024

typedef struct state state;

/* One connection of the idle/login runs (or the single one of recv/send). */
typedef struct {
	state *st;
	xmppc_conn *conn;
	int ready, closed;
} client;

struct state {
	const char *mode;
	char server[300];
	const char *jid, *password, *cafile;
	long count, reps, conns, parallel;
	size_t high_water;
	int verbose;

	xmppc_ctx *ctx;
	xmppc_loop *loop;
	client *main;
	long received, sent;
	int failed, done, sending;
	xmppc_stanza *pending; /* built, refused with EAGAIN: sent on drain */
	long eagain, drains;
	/* login / idle */
	long ready, closed, started, active;
	double t_start;
	double *times;
};

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

static void check(int rc, const char *what)
{
	if (rc < 0)
		bu_die("bench-client-xmppc: %s: %s", what, xmppc_strerror(rc));
}

static void log_stderr(void *user_data, xmppc_log_level level, const char *area,
                       const char *message)
{
	(void)user_data;
	fprintf(stderr, "[%d] %s: %s\n", (int)level, area, message);
}

/* ---- connections -------------------------------------------------------------- */

static void on_event(void *user_data, xmppc_conn *conn, const xmppc_conn_event *ev);
static int on_message(void *user_data, xmppc_session *session, const xmppc_stanza *stanza);
static void on_drain(void *user_data, xmppc_session *session);

static client *new_client(state *st, int plaintext, const char *resource)
{
	client *c = calloc(1, sizeof(*c));
	xmppc_session_config sc;
	xmppc_conn_config cc;

	if (c == NULL)
		bu_die("out of memory");
	c->st = st;
	memset(&sc, 0, sizeof(sc));
	sc.version = XMPPC_SESSION_CONFIG_VERSION;
	sc.jid = st->jid;
	sc.password = st->password;
	sc.resource = resource;
	sc.output_high_water = st->high_water;
	if (plaintext)
		sc.flags = XMPPC_SESSION_ALLOW_PLAINTEXT | XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS;
	memset(&cc, 0, sizeof(cc));
	cc.version = XMPPC_CONN_CONFIG_VERSION;
	cc.session = &sc;
	cc.server = st->server;
	cc.ca_file = st->cafile;
	check(xmppc_conn_new(&c->conn, st->ctx, &cc), "xmppc_conn_new");
	check(xmppc_conn_set_event_fn(c->conn, on_event, c, NULL), "set_event_fn");
	check(xmppc_loop_add(st->loop, c->conn), "xmppc_loop_add");
	return c;
}

static void free_client(client *c)
{
	if (c != NULL) {
		xmppc_loop_remove(c->st->loop, c->conn);
		xmppc_conn_free(c->conn);
		free(c);
	}
}

static void on_event(void *user_data, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	client *c = user_data;
	state *st = c->st;

	if (st->verbose)
		fprintf(stderr, "event %d stage %d error %d %s\n", (int)ev->type, (int)ev->stage, ev->error,
		        ev->text != NULL ? ev->text : "");
	if (ev->type == XMPPC_CONN_EVENT_READY) {
		c->ready = 1;
		st->ready++;
		if (strcmp(st->mode, "login") == 0) {
			st->times[st->ready - 1] = bu_now() - st->t_start;
			xmppc_conn_close(conn);
		} else if (strcmp(st->mode, "idle") == 0) {
			st->active--;
		}
		return;
	}
	if (ev->type != XMPPC_CONN_EVENT_CLOSED)
		return;
	c->closed = 1;
	st->closed++;
	if (!st->done && !c->ready) {
		fprintf(stderr, "bench-client-xmppc: connection failed in stage %d: %s (%s)\n",
		        (int)ev->stage, xmppc_strerror(ev->error), ev->text != NULL ? ev->text : "");
		st->failed = 1;
	} else if (!st->done && strcmp(st->mode, "login") != 0) {
		fprintf(stderr, "bench-client-xmppc: closed early: %s (%s)\n", xmppc_strerror(ev->error),
		        ev->text != NULL ? ev->text : "");
		st->failed = 1;
	}
	if (strcmp(st->mode, "idle") != 0)
		xmppc_loop_stop(st->loop);
}

/* ---- recv / send ---------------------------------------------------------------- */

static xmppc_stanza *build(state *st, const gen_expect *e)
{
	xmppc_stanza *m, *c;

	check(xmppc_message_new(&m, st->ctx, XMPPC_TYPE_CHAT, e->from, e->body), "message_new");
	check(xmppc_stanza_set_id(m, e->id), "set_id");
	check(xmppc_stanza_new_child(NULL, m, "active", "http://jabber.org/protocol/chatstates"),
	      "new_child");
	check(xmppc_stanza_new_child(&c, m, "origin-id", "urn:xmpp:sid:0"), "new_child");
	check(xmppc_stanza_set_attr(c, "id", e->origin_id), "set_attr");
	check(xmppc_stanza_new_child(NULL, m, "request", "urn:xmpp:receipts"), "new_child");
	return m;
}

/* Send until done or the queue is full. */
static void pump(state *st)
{
	xmppc_session *s = xmppc_conn_session(st->main->conn);

	while (st->sent < st->count) {
		int rc;
		if (st->pending == NULL)
			st->pending = build(st, &pool[st->sent % POOL]);
		rc = xmppc_session_send(s, st->pending);
		if (rc == XMPPC_EAGAIN) {
			st->eagain++;
			return; /* the drain callback calls us again */
		}
		check(rc, "xmppc_session_send");
		xmppc_stanza_unref(st->pending);
		st->pending = NULL;
		st->sent++;
	}
	st->done = 1;
}

static void on_drain(void *user_data, xmppc_session *session)
{
	state *st = user_data;

	(void)session;
	st->drains++;
	if (st->sending && !st->done)
		pump(st);
}

static int on_message(void *user_data, xmppc_session *session, const xmppc_stanza *stanza)
{
	state *st = user_data;
	const char *id = xmppc_stanza_id(stanza);

	if (id != NULL && id[0] == 'b' && strcmp(id, "bench-end") == 0) {
		xmppc_stanza *m;
		char body[64];
		snprintf(body, sizeof(body), "bench-ack %ld", st->received);
		check(xmppc_message_new(&m, st->ctx, XMPPC_TYPE_CHAT, "bench@example.net/ctl", body),
		      "message_new");
		check(xmppc_stanza_set_id(m, "bench-ack"), "set_id");
		check(xmppc_session_send(session, m), "send ack");
		xmppc_stanza_unref(m);
		st->done = 1;
		return XMPPC_CB_OK;
	}
	if (id != NULL && id[0] == 'b' && strcmp(id, "bench-go") == 0 && strcmp(st->mode, "send") == 0) {
		st->sending = 1;
		pump(st);
		return XMPPC_CB_OK;
	}
	st->received++;
	return XMPPC_CB_OK;
}

static int run_stream(state *st)
{
	xmppc_stanza_filter f;
	xmppc_session *s;
	long rss0;

	st->main = new_client(st, 1, NULL);
	s = xmppc_conn_session(st->main->conn);
	memset(&f, 0, sizeof(f));
	f.version = XMPPC_STANZA_FILTER_VERSION;
	f.kind = XMPPC_STANZA_MESSAGE;
	check(xmppc_session_add_observer(s, &f, 0, on_message, st, NULL, NULL), "add_observer");
	check(xmppc_session_set_drain_fn(s, on_drain, st, NULL), "set_drain_fn");
	rss0 = bu_proc_status_kib("VmRSS");
	check(xmppc_conn_connect(st->main->conn), "xmppc_conn_connect");
	check(xmppc_loop_run(st->loop), "xmppc_loop_run");
	if (!st->main->closed)
		st->failed = 1, fprintf(stderr, "bench-client-xmppc: loop ended before the close\n");
	free_client(st->main);
	if (st->failed)
		return 1;
	printf("result client=xmppc mode=%s received=%ld sent=%ld rss_before_kib=%ld "
	       "peak_rss_kib=%ld eagain=%ld drains=%ld\n",
	       st->mode, st->received, st->sent, rss0, bu_proc_status_kib("VmHWM"), st->eagain,
	       st->drains);
	return 0;
}

/* ---- login ------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int run_login(state *st)
{
	st->times = calloc((size_t)st->reps, sizeof(double));
	for (long i = 0; i < st->reps && !st->failed; i++) {
		client *c;
		long before = st->ready;
		st->t_start = bu_now();
		c = new_client(st, 0, NULL);
		check(xmppc_conn_connect(c->conn), "xmppc_conn_connect");
		check(xmppc_loop_run(st->loop), "xmppc_loop_run");
		if (st->ready == before)
			st->failed = 1;
		free_client(c);
	}
	if (st->failed)
		return 1;
	qsort(st->times, (size_t)st->reps, sizeof(double), cmp_double);
	printf("result client=xmppc mode=login reps=%ld median_ms=%.3f min_ms=%.3f max_ms=%.3f\n",
	       st->reps, 1000 * st->times[st->reps / 2], 1000 * st->times[0],
	       1000 * st->times[st->reps - 1]);
	return 0;
}

/* ---- idle ---------------------------------------------------------------------------- */

static int run_idle(state *st)
{
	client **cs;
	long rss0, rss1;
	double t0;

	bu_raise_nofile(st->conns + 64);
	cs = calloc((size_t)st->conns, sizeof(*cs));
	rss0 = bu_proc_status_kib("VmRSS");
	t0 = bu_now();
	while (st->ready < st->conns && !st->failed) {
		while (st->started < st->conns && st->active < st->parallel) {
			char res[32];
			snprintf(res, sizeof(res), "idle-%ld", st->started);
			cs[st->started] = new_client(st, 0, res);
			check(xmppc_conn_connect(cs[st->started]->conn), "xmppc_conn_connect");
			st->started++;
			st->active++;
		}
		check(xmppc_loop_run_once(st->loop, 10), "xmppc_loop_run_once");
		if (bu_now() - t0 > 600)
			bu_die("bench-client-xmppc: idle: %ld of %ld bound after 600 s", st->ready, st->conns);
	}
	for (int i = 0; i < 20; i++)
		xmppc_loop_run_once(st->loop, 5);
	rss1 = bu_proc_status_kib("VmRSS");
	if (st->failed)
		return 1;
	printf("result client=xmppc mode=idle conns=%ld rss_before_kib=%ld rss_after_kib=%ld "
	       "per_conn_kib=%.2f seconds=%.3f\n",
	       st->conns, rss0, rss1, (double)(rss1 - rss0) / (double)st->conns, bu_now() - t0);
	fflush(stdout);
	st->done = 1;
	for (long i = 0; i < st->conns; i++)
		xmppc_conn_close(cs[i]->conn);
	t0 = bu_now();
	while (st->closed < st->conns && bu_now() - t0 < 20)
		xmppc_loop_run_once(st->loop, 10);
	for (long i = 0; i < st->conns; i++)
		free_client(cs[i]);
	free(cs);
	return 0;
}

/* ---- main ----------------------------------------------------------------------------- */

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: bench-client-xmppc recv|send|login|idle --server HOST:PORT\n"
	                "       [--jid JID] [--password PW] [--cafile FILE] [--count N]\n"
	                "       [--reps R] [--conns K] [--parallel P] [--high-water BYTES] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	state st;
	const char *server = NULL;
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
		else if (strcmp(a, "--high-water") == 0)
			st.high_water = (size_t)atol(argv[++i]);
		else
			usage();
	}
	if (server == NULL || strlen(server) >= sizeof(st.server) || st.count < 1 || st.reps < 1 ||
	    st.conns < 1 || st.parallel < 1)
		usage();
	snprintf(st.server, sizeof(st.server), "%s", server);

	check(xmppc_ctx_new(&st.ctx, NULL), "xmppc_ctx_new");
	if (st.verbose)
		xmppc_ctx_set_log(st.ctx, XMPPC_LOG_DEBUG, log_stderr, NULL, NULL);
	check(xmppc_loop_new(&st.loop, st.ctx, 0), "xmppc_loop_new");

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
	if (st.pending != NULL)
		xmppc_stanza_unref(st.pending);
	xmppc_loop_free(st.loop);
	xmppc_ctx_unref(st.ctx);
	free(pool);
	free(st.times);
	return rc;
}
