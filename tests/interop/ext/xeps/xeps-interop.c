/* Interop of the everyday-XEP modules (lib/ext/xeps) against a real
 * server. Clients in one loop: A and A2 (two resources of user1), B
 * (user2), then C (user3) for the password change.
 *
 *  1. version, ping, time, last between A and B both ways, and to the server
 *  2. blocking: A2 retrieves its list (so the server pushes to it), A
 *     blocks a JID; A2 must see the push; A unblocks; A2 sees that too
 *  3. vCard: A publishes one, reads it back, B reads it by A's bare JID
 *  4. private storage: A stores an element and reads it back
 *  5. C changes its password, logs in again with the new one, restores it
 *
 * Public API only. usage: xeps-interop SERVER CAFILE JID1 PW1 JID2 PW2 JID3 PW3 [SECONDS]
 * Prints "ok NAME detail" / "FAIL NAME: why" lines, then "result=OK|FAIL". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xmppc/xmppc.h>

typedef struct client {
	const char *name;
	xmppc_conn *conn;
	int ready, closed, error;
	char full[512];
} client;

static xmppc_ctx *ctx;
static xmppc_loop *loop;
static client A = {.name = "A"}, A2 = {.name = "A2"}, B = {.name = "B"}, C = {.name = "C"},
              C2 = {.name = "C2"};
static const char *server, *cafile, *jid[3], *pw[3];
static char domain[256], newpw[128], token[64], blocked_jid[128];
static int step, pending, failures, done;
static int push_block, push_unblock;
static int ejabberd; /* XMPPC_INTEROP_SERVER=ejabberd */
static int *wait_counter;  /* the main loop waits (3 s at most) for it to become 1 */
static double wait_until;

static double now_s(void);

static void check(int ok, const char *name, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "ok" : "FAIL", name, ok ? " " : ": ", detail);
	fflush(stdout);
	if (!ok)
		failures++;
}

static void advance(void);

static void settle(void)
{
	if (--pending == 0)
		advance();
}

static const char *err_text(int error, const xmppc_stanza *reply)
{
	static char buf[200];
	xmppc_stanza_error_info ei;

	memset(&ei, 0, sizeof(ei));
	ei.version = XMPPC_STANZA_ERROR_INFO_VERSION;

	if (error == XMPPC_IQ_ERROR_REPLY && xmppc_stanza_get_error(&ei, reply) == 0)
		snprintf(buf, sizeof(buf), "error reply %s", xmppc_stanza_condition_name(ei.condition));
	else
		snprintf(buf, sizeof(buf), "%s", xmppc_error_name(error));
	return buf;
}

static xmppc_session *S(client *c)
{
	return xmppc_conn_session(c->conn);
}

/* ---- step 1 callbacks: user_data is the check's name */

static void on_version(void *ud, xmppc_session *s, const xmppc_version_info *v,
                       const xmppc_stanza *reply, int error)
{
	char d[300];
	const char *want = strchr(ud, '>') ? strchr(ud, '>') + 1 : NULL; /* "x->B": name interop-B */

	(void)s;
	if (error != 0) {
		check(0, ud, err_text(error, reply));
	} else {
		snprintf(d, sizeof(d), "name=%s version=%s os=%s", v->name, v->software_version,
		         v->os ? v->os : "-");
		check(v->name[0] != '\0' && (want == NULL || strcmp(want, "server") == 0 ||
		                             (strncmp(v->name, "interop-", 8) == 0 &&
		                              strcmp(v->name + 8, want) == 0)),
		      ud, d);
	}
	settle();
}

static void on_ping(void *ud, xmppc_session *s, uint64_t rtt, const xmppc_stanza *reply, int error)
{
	char d[100];

	(void)s;
	snprintf(d, sizeof(d), "rtt=%llums", (unsigned long long)rtt);
	check(error == 0, ud, error == 0 ? d : err_text(error, reply));
	settle();
}

static void on_time(void *ud, xmppc_session *s, const xmppc_entity_time *t,
                    const xmppc_stanza *reply, int error)
{
	char d[200];
	long long skew;

	(void)s;
	if (error != 0) {
		check(0, ud, err_text(error, reply));
	} else {
		skew = t->unix_ms / 1000 - (long long)time(NULL);
		snprintf(d, sizeof(d), "utc=%s tzo=%s skew=%llds", t->utc, t->tzo, skew);
		check(skew > -60 && skew < 60, ud, d);
	}
	settle();
}

static void on_last(void *ud, xmppc_session *s, uint64_t secs, const char *status,
                    const xmppc_stanza *reply, int error)
{
	char d[200];
	int peer = strstr(ud, "server") == NULL;

	(void)s;
	(void)status;
	snprintf(d, sizeof(d), "seconds=%llu", (unsigned long long)secs);
	/* a peer's idle time: we attached the module a few seconds ago. ejabberd
	 * answers jabber:iq:last itself for full JIDs (mod_last) and refuses
	 * entities without a presence subscription (XEP-0012 §8 privacy). */
	if (error == XMPPC_IQ_ERROR_REPLY && peer && ejabberd) {
		check(1, ud, "refused by ejabberd's policy (no subscription)");
		settle();
		return;
	}
	check(error == 0 && (!peer || secs < 60), ud, error == 0 ? d : err_text(error, reply));
	settle();
}

/* ---- step 2: blocking */

static void on_push(void *ud, xmppc_session *s, int blocked, const char *const *jids, size_t n)
{
	(void)s;
	if (ud == &A2 && n == 1 && strcmp(jids[0], blocked_jid) == 0) {
		if (blocked)
			push_block++;
		else
			push_unblock++;
	}
}

static void on_list(void *ud, xmppc_session *s, const char *const *jids, size_t n,
                    const xmppc_stanza *reply, int error)
{
	size_t i;
	int has = 0, want = strstr(ud, "(listed)") != NULL;
	char d[300];

	(void)s;
	for (i = 0; error == 0 && i < n; i++)
		has |= strcmp(jids[i], blocked_jid) == 0;
	snprintf(d, sizeof(d), "%zu item(s), %s %s", n, blocked_jid, has ? "listed" : "not listed");
	check(error == 0 && has == want, ud,
	      error == 0 ? d : err_text(error, reply));
	settle();
}

static void on_done(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	(void)s;
	check(error == 0, ud, error == 0 ? "result" : err_text(error, reply));
	settle();
}

/* ---- steps 3-4: vCard and private storage */

static void on_vcard(void *ud, xmppc_session *s, const xmppc_stanza *v, const xmppc_stanza *reply,
                     int error)
{
	const char *fn = v ? xmppc_vcard_field(v, "FN") : NULL;
	char d[200];

	(void)s;
	snprintf(d, sizeof(d), "FN=%s", fn ? fn : "(none)");
	check(error == 0 && fn != NULL && strstr(fn, token) != NULL, ud,
	      error == 0 ? d : err_text(error, reply));
	settle();
}

static void on_private(void *ud, xmppc_session *s, const xmppc_stanza *el,
                       const xmppc_stanza *reply, int error)
{
	const xmppc_stanza *v = el ? xmppc_stanza_find_child(el, "v", NULL) : NULL;
	const char *t = v ? xmppc_stanza_text(v) : NULL;
	char d[200];

	(void)s;
	snprintf(d, sizeof(d), "v=%s", t ? t : "(none)");
	check(error == 0 && t != NULL && strcmp(t, token) == 0, ud,
	      error == 0 ? d : err_text(error, reply));
	settle();
}

/* ---- connections */

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev);

static int open_client(client *c, int account, const char *password, const char *resource)
{
	xmppc_session_config sc;
	xmppc_conn_config cc;
	xmppc_version_config vc = {XMPPC_VERSION_CONFIG_VERSION, NULL, "0.0-interop", NULL};
	xmppc_blocking_config bc = {XMPPC_BLOCKING_CONFIG_VERSION, on_push, c, NULL};
	char name[32];
	int rc;

	memset(&sc, 0, sizeof(sc));
	sc.version = XMPPC_SESSION_CONFIG_VERSION;
	sc.jid = jid[account];
	sc.password = password;
	sc.resource = resource;
	sc.iq_timeout_ms = 10000;
	memset(&cc, 0, sizeof(cc));
	cc.version = XMPPC_CONN_CONFIG_VERSION;
	cc.session = &sc;
	cc.server = server;
	cc.ca_file = cafile;
	cc.flags = XMPPC_CONN_NO_SYSTEM_TRUST;
	c->ready = c->closed = c->error = 0;
	if ((rc = xmppc_conn_new(&c->conn, ctx, &cc)) != 0 ||
	    (rc = xmppc_conn_set_event_fn(c->conn, on_event, c, NULL)) != 0)
		return rc;
	snprintf(name, sizeof(name), "interop-%s", c->name);
	vc.name = name;
	if ((rc = xmppc_session_add_module(S(c), xmppc_version_module(), &vc)) != 0 ||
	    (rc = xmppc_session_add_module(S(c), xmppc_ping_module(), NULL)) != 0 ||
	    (rc = xmppc_session_add_module(S(c), xmppc_entity_time_module(), NULL)) != 0 ||
	    (rc = xmppc_session_add_module(S(c), xmppc_last_module(), NULL)) != 0 ||
	    ((c == &A || c == &A2) &&
	     (rc = xmppc_session_add_module(S(c), xmppc_blocking_module(), &bc)) != 0))
		return rc;
	if ((rc = xmppc_loop_add(loop, c->conn)) != 0)
		return rc;
	return xmppc_conn_connect(c->conn);
}

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	client *c = ud;
	const xmppc_jid *j;

	(void)conn;
	if (ev->type == XMPPC_CONN_EVENT_READY) {
		j = xmppc_session_jid(S(c));
		snprintf(c->full, sizeof(c->full), "%s", j ? xmppc_jid_full(j) : "");
		snprintf(domain, sizeof(domain), "%s", j ? xmppc_jid_domain(j) : "");
		c->ready = 1;
		settle();
	} else if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		if (!c->ready || ev->error != 0) {
			char d[300];
			snprintf(d, sizeof(d), "%s: %s", xmppc_error_name(ev->error),
			         ev->text ? ev->text : "");
			check(ev->error == 0, c->name, d);
		}
		c->closed = 1;
		c->error = ev->error;
		settle();
	}
}

static void close_conn(client *c)
{
	if (c->conn != NULL && !c->closed) {
		pending++;
		if (xmppc_conn_close(c->conn) != 0)
			pending--;
	}
}

/* Issue a request; count it when it was sent, record a failure if not. */
#define REQ(name, call)                                                                            \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
		if (rc_ == 0)                                                                      \
			pending++;                                                                 \
		else                                                                               \
			check(0, name, xmppc_error_name(rc_));                                     \
	} while (0)

static void step_queries(void)
{
	REQ("version A->B", xmppc_version_query(S(&A), B.full, on_version, "version A->B", NULL));
	REQ("version B->A", xmppc_version_query(S(&B), A.full, on_version, "version B->A", NULL));
	REQ("version A->server", xmppc_version_query(S(&A), domain, on_version, "version A->server", NULL));
	REQ("ping A->B", xmppc_ping_send(S(&A), B.full, 0, on_ping, "ping A->B", NULL));
	REQ("ping B->A", xmppc_ping_send(S(&B), A.full, 0, on_ping, "ping B->A", NULL));
	REQ("ping A->server", xmppc_ping_send(S(&A), NULL, 0, on_ping, "ping A->server", NULL));
	REQ("time A->B", xmppc_entity_time_query(S(&A), B.full, on_time, "time A->B", NULL));
	REQ("time B->A", xmppc_entity_time_query(S(&B), A.full, on_time, "time B->A", NULL));
	REQ("time A->server", xmppc_entity_time_query(S(&A), domain, on_time, "time A->server", NULL));
	REQ("last A->B", xmppc_last_query(S(&A), B.full, on_last, "last A->B", NULL));
	REQ("last B->A", xmppc_last_query(S(&B), A.full, on_last, "last B->A", NULL));
	REQ("last A->A2", xmppc_last_query(S(&A), A2.full, on_last, "last A->A2", NULL));
	REQ("last A->server", xmppc_last_query(S(&A), domain, on_last, "last A->server", NULL));
}

static void advance(void)
{
	static const char *jids[1];
	xmppc_stanza *v, *el;
	char fn[128];
	int rc;

	pending = 0;
	switch (step++) {
	case 0: /* all three connected */
		if (!A.ready || !A2.ready || !B.ready) {
			check(0, "login", "A, A2 and B did not all log in");
			step = 100;
			advance();
			return;
		}
		step_queries();
		break;
	case 1:
		jids[0] = blocked_jid;
		REQ("blocking A2 list", xmppc_blocking_get(S(&A2), on_list, "blocking A2 get (not listed)", NULL));
		break;
	case 2:
		REQ("blocking A block", xmppc_blocking_block(S(&A), jids, 1, on_done, "blocking A block", NULL));
		break;
	case 3:
		REQ("blocking A get", xmppc_blocking_get(S(&A), on_list, "blocking A get (listed)", NULL));
		break;
	case 4:
		if (push_block == 0 && wait_counter == NULL) { /* the push may be on its way */
			wait_counter = &push_block;
			wait_until = now_s() + 3;
			step--;
			return;
		}
		wait_counter = NULL;
		check(push_block == 1, "blocking push to A2", push_block == 1 ? "block push seen" : "no push");
		REQ("blocking A unblock", xmppc_blocking_unblock(S(&A), jids, 1, on_done, "blocking A unblock", NULL));
		break;
	case 5:
		REQ("blocking A get", xmppc_blocking_get(S(&A), on_list, "blocking A get (not listed)", NULL));
		break;
	case 6:
		if (push_unblock == 0 && wait_counter == NULL) {
			wait_counter = &push_unblock;
			wait_until = now_s() + 3;
			step--;
			return;
		}
		wait_counter = NULL;
		check(push_unblock == 1, "blocking unblock push to A2",
		      push_unblock == 1 ? "unblock push seen" : "no push");
		snprintf(fn, sizeof(fn), "Interop User1 %s", token);
		if ((rc = xmppc_vcard_new(&v, ctx)) == 0 && (rc = xmppc_vcard_set_field(v, "FN", fn)) == 0 &&
		    (rc = xmppc_vcard_set_field(v, "N/GIVEN", "Interop")) == 0)
			REQ("vcard A set", xmppc_vcard_set(S(&A), v, on_done, "vcard A set", NULL));
		else
			check(0, "vcard build", xmppc_error_name(rc));
		xmppc_stanza_unref(v);
		break;
	case 7:
		REQ("vcard A get own", xmppc_vcard_get(S(&A), NULL, on_vcard, "vcard A get own", NULL));
		REQ("vcard B get A", xmppc_vcard_get(S(&B), jid[0], on_vcard, "vcard B get A", NULL));
		break;
	case 8:
		if ((rc = xmppc_stanza_new(&el, ctx, "prefs", "urn:xmppc:interop")) == 0 &&
		    (rc = xmppc_stanza_new_text_child(NULL, el, "v", NULL, token)) == 0)
			REQ("private A set", xmppc_private_set(S(&A), el, on_done, "private A set", NULL));
		else
			check(0, "private build", xmppc_error_name(rc));
		xmppc_stanza_unref(el);
		break;
	case 9:
		REQ("private A get", xmppc_private_get(S(&A), "prefs", "urn:xmppc:interop", on_private,
		                                       "private A get", NULL));
		break;
	case 10:
		close_conn(&A);
		close_conn(&A2);
		close_conn(&B);
		break;
	case 11: /* C logs in with its password */
		pending = 1;
		if ((rc = open_client(&C, 2, pw[2], "pwchange")) != 0) {
			check(0, "C connect", xmppc_error_name(rc));
			step = 100;
			advance();
		}
		break;
	case 12:
		if (!C.ready) {
			check(0, "password C login", "first login failed");
			step = 100;
			advance();
			break;
		}
		REQ("password change", xmppc_register_change_password(S(&C), newpw, on_done,
		                                                      "password change", NULL));
		break;
	case 13:
		close_conn(&C);
		break;
	case 14: /* log in with the new password */
		pending = 1;
		if ((rc = open_client(&C2, 2, newpw, "pwchange2")) != 0) {
			check(0, "C reconnect", xmppc_error_name(rc));
			step = 100;
			advance();
		}
		break;
	case 15:
		check(C2.ready, "password login with the new one", C2.ready ? "READY" : "failed");
		if (!C2.ready) {
			step = 100;
			advance();
			break;
		}
		REQ("password restore", xmppc_register_change_password(S(&C2), pw[2], on_done,
		                                                       "password restore", NULL));
		break;
	case 16:
		close_conn(&C2);
		break;
	default:
		done = 1;
		xmppc_loop_stop(loop);
		return;
	}
	if (pending == 0 && !done)
		advance();
}

/* XEPS_TRACE=1: the wire trace of every client on stderr. */
static void trace(void *ud, xmppc_trace_dir dir, const char *data, size_t len)
{
	(void)ud;
	fprintf(stderr, "%s %.*s\n", dir == XMPPC_TRACE_IN ? "<<" : ">>", (int)len, data);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double deadline;
	int rc;

	if (argc < 9) {
		fprintf(stderr, "usage: xeps-interop SERVER CAFILE JID1 PW1 JID2 PW2 JID3 PW3 [SECONDS]\n");
		return 2;
	}
	ejabberd = getenv("XMPPC_INTEROP_SERVER") != NULL && strcmp(getenv("XMPPC_INTEROP_SERVER"), "ejabberd") == 0;
	server = argv[1];
	cafile = argv[2];
	jid[0] = argv[3];
	pw[0] = argv[4];
	jid[1] = argv[5];
	pw[1] = argv[6];
	jid[2] = argv[7];
	pw[2] = argv[8];
	deadline = now_s() + (argc > 9 ? strtod(argv[9], NULL) : 40);
	snprintf(token, sizeof(token), "t%ld-%d", (long)time(NULL), (int)getpid());
	snprintf(newpw, sizeof(newpw), "%s-new-%s", pw[2], token);
	if ((rc = xmppc_ctx_new(&ctx, NULL)) != 0 || (rc = xmppc_loop_new(&loop, ctx, 0)) != 0 ||
	    (getenv("XEPS_TRACE") != NULL && (rc = xmppc_ctx_set_trace(ctx, trace, NULL, NULL)) != 0)) {
		printf("result=FAIL setup: %s\n", xmppc_error_name(rc));
		return 1;
	}
	if ((rc = open_client(&A, 0, pw[0], "xa1")) != 0 || (rc = open_client(&A2, 0, pw[0], "xa2")) != 0 ||
	    (rc = open_client(&B, 1, pw[1], "xb")) != 0) {
		printf("result=FAIL connect: %s\n", xmppc_error_name(rc));
		return 1;
	}
	{
		const char *at = strchr(jid[0], '@');
		snprintf(blocked_jid, sizeof(blocked_jid), "blocked-%s@%s", token, at ? at + 1 : "x");
	}
	pending = 3;
	while (!done && now_s() < deadline) {
		if (wait_counter != NULL && (*wait_counter > 0 || now_s() > wait_until))
			advance();
		if ((rc = xmppc_loop_run_once(loop, 50)) < 0) {
			check(0, "loop", xmppc_error_name(rc));
			break;
		}
	}
	if (!done)
		check(0, "timeout", "the steps did not finish in time");
	printf("result=%s failures=%d step=%d\n", failures == 0 && done ? "OK" : "FAIL", failures, step);
	xmppc_conn_free(A.conn);
	xmppc_conn_free(A2.conn);
	xmppc_conn_free(B.conn);
	xmppc_conn_free(C.conn);
	xmppc_conn_free(C2.conn);
	xmppc_loop_free(loop);
	xmppc_ctx_unref(ctx);
	return failures == 0 && done ? 0 : 1;
}
