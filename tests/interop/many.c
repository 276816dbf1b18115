/* Interop: N concurrent xmppc_conn connections (default 200) in one
 * xmppc_loop, on one thread. Connection i logs in as account i % K with
 * resource "many-i"; once all are bound, each sends one chat message to the
 * full JID of connection (i + 1) % N and waits for the one from connection
 * (i - 1) % N. When every message has arrived, all close cleanly.
 *
 * Public API only (xmppc/xmppc.h: conn.h, loop.h, session.h, stanza.h).
 *
 * usage: many SERVER CAFILE N SECONDS JID PASSWORD [JID PASSWORD ...]
 *   SERVER is host:port (STARTTLS).
 * Prints one line "result=OK|FAIL connections=N ready=... received=..."
 * (and the first failures) and exits 0 only when all N logged in, each got
 * its message from the right sender, and all closed without error.
 * Debugging: XMPPC_INTEROP_DEBUG=1 logs events and the library's debug log
 * to stderr; XMPPC_INTEROP_DNS=ip:port sets the connections' DNS servers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xmppc/xmppc.h>

#define MAX_CONNS 2000
#define MAX_ACCOUNTS 64
#define MAX_REPORTED 5

typedef struct slot {
	int idx;
	xmppc_conn *conn;
	int ready, got, closed, error;
	xmppc_conn_stage stage;
	char full[256];
	char text[160];
} slot;

static xmppc_ctx *ctx;
static xmppc_loop *loop;
static slot *slots;
static int n_conns;
static int n_ready, n_got, n_closed, n_failed, n_bad, n_send_err;
static int exchanging, closing;
static double t_all_ready, t_all_got;

static int debug; /* XMPPC_INTEROP_DEBUG=1: library log and events on stderr */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void log_fn(void *ud, xmppc_log_level level, const char *area, const char *msg)
{
	(void)ud;
	fprintf(stderr, "%.3f log %d %s: %s\n", now_s(), (int)level, area, msg);
}

static void close_all(void)
{
	if (closing)
		return;
	closing = 1;
	for (int i = 0; i < n_conns; i++)
		if (!slots[i].closed)
			xmppc_conn_close(slots[i].conn);
}

/* All are bound: each sends to the next one's full JID. */
static void exchange(void)
{
	char body[64];

	exchanging = 1;
	t_all_ready = now_s();
	for (int i = 0; i < n_conns; i++) {
		const slot *to = &slots[(i + 1) % n_conns];
		xmppc_stanza *m;
		int rc;

		snprintf(body, sizeof(body), "many %d->%d", i, to->idx);
		rc = xmppc_message_new(&m, ctx, XMPPC_TYPE_CHAT, to->full, body);
		if (rc == 0) {
			rc = xmppc_conn_send(slots[i].conn, m);
			xmppc_stanza_unref(m);
		}
		if (rc != 0) {
			if (n_send_err++ < MAX_REPORTED)
				fprintf(stderr, "many: send %d->%d: %s\n", i, to->idx, xmppc_error_name(rc));
		}
	}
	if (n_send_err > 0)
		close_all();
}

static int on_message(void *ud, xmppc_session *s, const xmppc_stanza *st)
{
	slot *me = ud;
	const slot *prev = &slots[(me->idx + n_conns - 1) % n_conns];
	const char *body, *from;
	char want[64];

	(void)s;
	if (xmppc_stanza_get_kind(st) != XMPPC_STANZA_MESSAGE)
		return XMPPC_CB_PASS;
	body = xmppc_message_body(st, NULL);
	if (body == NULL || strncmp(body, "many ", 5) != 0)
		return XMPPC_CB_PASS;
	from = xmppc_stanza_from(st);
	snprintf(want, sizeof(want), "many %d->%d", prev->idx, me->idx);
	if (strcmp(body, want) != 0 || from == NULL || strcmp(from, prev->full) != 0 || me->got) {
		if (n_bad++ < MAX_REPORTED)
			fprintf(stderr, "many: #%d got %s from %s (want %s from %s)%s\n", me->idx, body,
			        from ? from : "(none)", want, prev->full, me->got ? " again" : "");
		return XMPPC_CB_OK;
	}
	me->got = 1;
	if (++n_got == n_conns) {
		t_all_got = now_s();
		close_all();
	}
	return XMPPC_CB_OK;
}

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	slot *me = ud;

	(void)conn;
	if (debug)
		fprintf(stderr, "%.3f #%d event %d stage %d error %s\n", now_s(), me->idx, (int)ev->type,
		        (int)ev->stage, xmppc_error_name(ev->error));
	if (ev->type == XMPPC_CONN_EVENT_READY) {
		const xmppc_jid *j = xmppc_session_jid(xmppc_conn_session(me->conn));
		snprintf(me->full, sizeof(me->full), "%s", j ? xmppc_jid_full(j) : "");
		me->ready = 1;
		if (++n_ready == n_conns && !closing)
			exchange();
	} else if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		me->closed = 1;
		me->error = ev->error;
		me->stage = ev->stage;
		snprintf(me->text, sizeof(me->text), "%s", ev->text ? ev->text : "");
		n_closed++;
		if (ev->error != 0) {
			if (n_failed++ < MAX_REPORTED)
				fprintf(stderr, "many: #%d closed with %s in stage %d: %s\n", me->idx,
				        xmppc_error_name(ev->error), (int)ev->stage, me->text);
			close_all(); /* the test has failed: end it */
		}
		if (n_closed == n_conns)
			xmppc_loop_stop(loop);
	}
}

int main(int argc, char **argv)
{
	static char resource[MAX_CONNS][32];
	double t0, limit;
	int n_accounts, rc, ok, ready_max = 0;

	if (argc < 7 || (argc - 5) % 2 != 0) {
		fprintf(stderr, "usage: many SERVER CAFILE N SECONDS JID PASSWORD [JID PASSWORD ...]\n");
		return 2;
	}
	n_conns = atoi(argv[3]);
	limit = strtod(argv[4], NULL);
	n_accounts = (argc - 5) / 2;
	if (n_conns < 2 || n_conns > MAX_CONNS || n_accounts > MAX_ACCOUNTS) {
		fprintf(stderr, "many: N must be 2..%d, at most %d accounts\n", MAX_CONNS, MAX_ACCOUNTS);
		return 2;
	}
	slots = calloc((size_t)n_conns, sizeof(*slots));
	if (slots == NULL)
		return 1;
	if ((rc = xmppc_ctx_new(&ctx, NULL)) != 0 || (rc = xmppc_loop_new(&loop, ctx, 0)) != 0) {
		printf("result=FAIL setup: %s\n", xmppc_error_name(rc));
		return 1;
	}
	debug = getenv("XMPPC_INTEROP_DEBUG") != NULL && strcmp(getenv("XMPPC_INTEROP_DEBUG"), "1") == 0;
	if (debug)
		xmppc_ctx_set_log(ctx, XMPPC_LOG_DEBUG, log_fn, NULL, NULL);
	t0 = now_s();
	for (int i = 0; i < n_conns; i++) {
		xmppc_session_config c;
		xmppc_conn_config cc;
		slot *s = &slots[i];
		int a = i % n_accounts;

		memset(&c, 0, sizeof(c));
		c.version = XMPPC_SESSION_CONFIG_VERSION;
		c.jid = argv[5 + 2 * a];
		c.password = argv[6 + 2 * a];
		snprintf(resource[i], sizeof(resource[i]), "many-%d", i);
		c.resource = resource[i];
		memset(&cc, 0, sizeof(cc));
		cc.version = XMPPC_CONN_CONFIG_VERSION;
		cc.session = &c;
		cc.server = argv[1];
		cc.ca_file = argv[2];
		cc.flags = XMPPC_CONN_NO_SYSTEM_TRUST;
		cc.dns_servers = getenv("XMPPC_INTEROP_DNS"); /* NULL: the system's */
		s->idx = i;
		if ((rc = xmppc_conn_new(&s->conn, ctx, &cc)) != 0 ||
		    (rc = xmppc_conn_set_event_fn(s->conn, on_event, s, NULL)) != 0 ||
		    (rc = xmppc_session_add_observer(xmppc_conn_session(s->conn), NULL, 0, on_message, s, NULL, NULL)) !=
		        0 ||
		    (rc = xmppc_loop_add(loop, s->conn)) != 0 || (rc = xmppc_conn_connect(s->conn)) != 0) {
			printf("result=FAIL connection %d: %s\n", i, xmppc_error_name(rc));
			return 1;
		}
	}
	while (n_closed < n_conns && now_s() < t0 + limit) {
		rc = xmppc_loop_run_once(loop, 200);
		if (rc < 0) {
			printf("result=FAIL xmppc_loop_run_once: %s\n", xmppc_error_name(rc));
			return 1;
		}
		if (n_ready > ready_max)
			ready_max = n_ready;
	}
	ok = n_ready == n_conns && n_got == n_conns && n_closed == n_conns && n_failed == 0 && n_bad == 0 &&
	     n_send_err == 0;
	printf("result=%s connections=%d accounts=%d ready=%d received=%d closed=%d failed=%d wrong=%d send_errors=%d "
	       "login_s=%.2f exchange_s=%.2f total_s=%.2f%s\n",
	       ok ? "OK" : "FAIL", n_conns, n_accounts, ready_max, n_got, n_closed, n_failed, n_bad, n_send_err,
	       t_all_ready ? t_all_ready - t0 : -1.0, t_all_got ? t_all_got - t_all_ready : -1.0, now_s() - t0,
	       n_closed < n_conns ? " TIMEOUT" : "");
	if (!ok) {
		static const char *const stage_names[] = {"idle", "dns", "tcp", "tls", "stream", "auth", "bind",
		                                          "ready", "closing"};
		int per_stage[9] = {0}, shown = 0;
		for (int i = 0; i < n_conns; i++) {
			unsigned st = (unsigned)xmppc_conn_get_stage(slots[i].conn);
			if (!slots[i].ready && st < 9)
				per_stage[st]++;
		}
		printf("  never ready, by current stage:");
		for (int k = 0; k < 9; k++)
			if (per_stage[k])
				printf(" %s=%d", stage_names[k], per_stage[k]);
		printf("\n");
		for (int i = 0; i < n_conns && shown < MAX_REPORTED; i++) {
			const slot *s = &slots[i];
			if (s->ready && (s->got || !exchanging) && (!s->closed || s->error == 0))
				continue;
			printf("  #%d ready=%d got=%d closed=%d error=%s stage=%d %s\n", i, s->ready, s->got, s->closed,
			       s->closed ? xmppc_error_name(s->error) : "-", (int)s->stage, s->text);
			shown++;
		}
	}
	for (int i = 0; i < n_conns; i++)
		xmppc_conn_free(slots[i].conn);
	xmppc_loop_free(loop);
	xmppc_ctx_unref(ctx);
	free(slots);
	return ok ? 0 : 1;
}
