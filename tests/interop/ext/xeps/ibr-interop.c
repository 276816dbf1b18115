/* Interop of XEP-0077 in-band registration against a real server, one
 * connection at a time in one xmppc_loop:
 *
 *  a. register a fresh account newuserPID@DOMAIN (XMPPC_SESSION_REGISTER)
 *     and reach READY; the password must not appear in the wire trace
 *  b. registering it again fails with XMPPC_EREGISTER_CONFLICT (stage
 *     STREAM or AUTH), carried by the CLOSED event
 *  c. a normal login (no flag) with the new account reaches READY
 *  d. xmppc_register_cancel() on that connection: success, or
 *     XMPPC_EDISCONNECTED (the server may close the stream at once)
 *  e. logging in again fails with XMPPC_EAUTH_NOT_AUTHORIZED
 *
 * Public API only. usage: ibr-interop SERVER CAFILE DOMAIN [SECONDS]
 *   SERVER is host:port (STARTTLS). IBR_TRACE=1: wire trace on stderr.
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
	xmppc_conn_stage stage;
	char text[300];
	int cancel;       /* on READY: cancel the account instead of closing */
	int cancel_done;  /* the cancel reply callback fired */
	int cancel_error; /* its error */
	char cancel_text[200];
} client;

static xmppc_ctx *ctx;
static xmppc_loop *loop;
static const char *server, *cafile;
static char jid[300], password[100];
static int failures, show_trace;
static double deadline;
/* wire trace bookkeeping */
static int trace_register_out; /* a jabber:iq:register IQ went out */
static int trace_password_seen; /* 1: sent, 2: received (3: both) */
static char trace_password_where[200]; /* the first element that held it */

static void check(int ok, const char *name, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "ok" : "FAIL", name, ok ? " " : ": ", detail);
	fflush(stdout);
	if (!ok)
		failures++;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *stage_name(xmppc_conn_stage s)
{
	static const char *const names[] = {"IDLE", "DNS", "TCP", "TLS", "STREAM",
	                                    "AUTH", "BIND", "READY", "CLOSING"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static const char *err_text(int error, const xmppc_stanza *reply, char *buf, size_t len)
{
	xmppc_stanza_error_info ei;

	memset(&ei, 0, sizeof(ei));
	ei.version = XMPPC_STANZA_ERROR_INFO_VERSION;
	if (error == XMPPC_IQ_ERROR_REPLY && reply != NULL && xmppc_stanza_get_error(&ei, reply) == 0)
		snprintf(buf, len, "error reply %s", xmppc_stanza_condition_name(ei.condition));
	else
		snprintf(buf, len, "%s", error == 0 ? "result" : xmppc_error_name(error));
	return buf;
}

static int contains(const char *data, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n > 0 && i + n <= len; i++)
		if (memcmp(data + i, needle, n) == 0)
			return 1;
	return 0;
}

static void trace(void *ud, xmppc_trace_dir dir, const char *data, size_t len)
{
	(void)ud;
	if (dir == XMPPC_TRACE_OUT && contains(data, len, "jabber:iq:register"))
		trace_register_out = 1;
	if (contains(data, len, password)) {
		if (trace_password_seen == 0)
			snprintf(trace_password_where, sizeof(trace_password_where),
			         "the password is in the wire trace, %s %.*s", dir == XMPPC_TRACE_IN ? "received:" : "sent:",
			         (int)(len < 120 ? len : 120), data);
		trace_password_seen |= dir == XMPPC_TRACE_IN ? 2 : 1;
	}
	if (show_trace)
		fprintf(stderr, "%s %.*s\n", dir == XMPPC_TRACE_IN ? "<<" : ">>", (int)len, data);
}

static void on_cancel(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	client *c = ud;

	(void)s;
	c->cancel_done = 1;
	c->cancel_error = error;
	err_text(error, reply, c->cancel_text, sizeof(c->cancel_text));
	if (!c->closed)
		xmppc_conn_close(c->conn); /* may already be closing: the server ended the stream */
}

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	client *c = ud;
	int rc;

	if (ev->type == XMPPC_CONN_EVENT_READY) {
		c->ready = 1;
		if (!c->cancel) {
			xmppc_conn_close(conn);
			return;
		}
		if ((rc = xmppc_register_cancel(xmppc_conn_session(conn), on_cancel, c, NULL)) != 0) {
			c->cancel_done = 1;
			c->cancel_error = rc;
			snprintf(c->cancel_text, sizeof(c->cancel_text), "xmppc_register_cancel: %s",
			         xmppc_error_name(rc));
			xmppc_conn_close(conn);
		}
	} else if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		c->closed = 1;
		c->error = ev->error;
		c->stage = ev->stage;
		snprintf(c->text, sizeof(c->text), "%s", ev->text ? ev->text : "");
	}
}

/* One connection: connect, run the loop until CLOSED (or the deadline).
 * Returns 0, or a setup error (recorded as a failure of `name`). */
static int attempt(client *c, const char *name, unsigned flags, int cancel)
{
	xmppc_session_config sc;
	xmppc_conn_config cc;
	int rc;

	memset(&sc, 0, sizeof(sc));
	sc.version = XMPPC_SESSION_CONFIG_VERSION;
	sc.jid = jid;
	sc.password = password;
	sc.resource = c->name;
	sc.flags = flags;
	sc.iq_timeout_ms = 10000;
	sc.negotiation_timeout_ms = 20000;
	memset(&cc, 0, sizeof(cc));
	cc.version = XMPPC_CONN_CONFIG_VERSION;
	cc.session = &sc;
	cc.server = server;
	cc.ca_file = cafile;
	cc.flags = XMPPC_CONN_NO_SYSTEM_TRUST;
	c->cancel = cancel;
	if ((rc = xmppc_conn_new(&c->conn, ctx, &cc)) != 0 ||
	    (rc = xmppc_conn_set_event_fn(c->conn, on_event, c, NULL)) != 0 ||
	    (cancel && (rc = xmppc_session_add_module(xmppc_conn_session(c->conn), xmppc_register_module(),
	                                              NULL)) != 0) ||
	    (rc = xmppc_loop_add(loop, c->conn)) != 0 || (rc = xmppc_conn_connect(c->conn)) != 0) {
		char d[200];
		snprintf(d, sizeof(d), "setup: %s", xmppc_error_name(rc));
		check(0, name, d);
		return rc;
	}
	while (!c->closed && now_s() < deadline) {
		if ((rc = xmppc_loop_run_once(loop, 100)) < 0) {
			char d[200];
			snprintf(d, sizeof(d), "xmppc_loop_run_once: %s", xmppc_error_name(rc));
			check(0, name, d);
			return rc;
		}
	}
	if (!c->closed) {
		check(0, name, "timed out (no CLOSED event)");
		return XMPPC_ETIMEOUT;
	}
	return 0;
}

static void closed_desc(const client *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s at stage %s%s%s%s", c->error ? xmppc_error_name(c->error) : "clean close",
	         stage_name(c->stage), c->text[0] ? " (" : "", c->text, c->text[0] ? ")" : "");
}

static void finish(client *c)
{
	if (c->conn != NULL) {
		xmppc_loop_remove(loop, c->conn);
		xmppc_conn_free(c->conn);
		c->conn = NULL;
	}
}

int main(int argc, char **argv)
{
	client a = {.name = "ibr-a"}, b = {.name = "ibr-b"}, cd = {.name = "ibr-c"}, e = {.name = "ibr-e"};
	char d[512], why[1024];
	int rc, ok;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: ibr-interop SERVER CAFILE DOMAIN [SECONDS]\n");
		return 2;
	}
	server = argv[1];
	cafile = argv[2];
	deadline = now_s() + (argc > 4 ? strtod(argv[4], NULL) : 30);
	show_trace = getenv("IBR_TRACE") != NULL && strcmp(getenv("IBR_TRACE"), "1") == 0;
	snprintf(jid, sizeof(jid), "newuser%d@%s", (int)getpid(), argv[3]);
	snprintf(password, sizeof(password), "ibr-Secret-%d-%ld", (int)getpid(), (long)time(NULL));
	if ((rc = xmppc_ctx_new(&ctx, NULL)) != 0 || (rc = xmppc_loop_new(&loop, ctx, 0)) != 0 ||
	    (rc = xmppc_ctx_set_trace(ctx, trace, NULL, NULL)) != 0) {
		printf("result=FAIL setup: %s\n", xmppc_error_name(rc));
		return 1;
	}
	printf("# account %s\n", jid);

	/* a. register and log in */
	if (attempt(&a, "register-new", XMPPC_SESSION_REGISTER, 0) != 0)
		goto out;
	closed_desc(&a, d, sizeof(d));
	ok = a.ready && a.error == 0;
	snprintf(why, sizeof(why), "%s, then %s", a.ready ? "READY" : "never READY", d);
	check(ok, "register-new", why);
	check(trace_register_out && !trace_password_seen, "register-untraced",
	      !trace_register_out ? "no jabber:iq:register IQ in the trace" :
	      trace_password_seen ? trace_password_where : "register IQ traced, password absent");
	finish(&a);
	if (!ok)
		goto out;

	/* b. the same account again: conflict */
	if (attempt(&b, "register-conflict", XMPPC_SESSION_REGISTER, 0) != 0)
		goto out;
	closed_desc(&b, d, sizeof(d));
	{
		xmppc_conn_error le;
		memset(&le, 0, sizeof(le));
		le.version = XMPPC_CONN_ERROR_VERSION;
		ok = !b.ready && b.error == XMPPC_EREGISTER_CONFLICT &&
		     (b.stage == XMPPC_CONN_STAGE_STREAM || b.stage == XMPPC_CONN_STAGE_AUTH);
		if (xmppc_conn_last_error(&le, b.conn) != 0 || le.code != b.error) {
			snprintf(why, sizeof(why), "%s; xmppc_conn_last_error says %s", d, xmppc_error_name(le.code));
			ok = 0;
		} else {
			snprintf(why, sizeof(why), "%s%s", b.ready ? "READY (!), then " : "", d);
		}
		check(ok, "register-conflict", why);
	}
	check(!trace_password_seen, "register-conflict-untraced",
	      trace_password_seen ? trace_password_where : "password absent");
	finish(&b);

	/* c. normal login with the new account; d. cancel it there */
	if (attempt(&cd, "login-new", 0, 1) != 0)
		goto out;
	closed_desc(&cd, d, sizeof(d));
	snprintf(why, sizeof(why), "%s", cd.ready ? "READY" : d);
	check(cd.ready, "login-new", why);
	if (cd.ready) {
		ok = cd.cancel_done && (cd.cancel_error == 0 || cd.cancel_error == XMPPC_EDISCONNECTED);
		snprintf(why, sizeof(why), "%s; connection: %s", cd.cancel_done ? cd.cancel_text : "no reply", d);
		check(ok, "cancel", why);
	}
	finish(&cd);
	if (!cd.ready)
		goto out;

	/* e. the account is gone */
	if (attempt(&e, "login-after-cancel", 0, 0) != 0)
		goto out;
	closed_desc(&e, d, sizeof(d));
	snprintf(why, sizeof(why), "%s%s", e.ready ? "READY (!), then " : "", d);
	check(!e.ready && e.error == XMPPC_EAUTH_NOT_AUTHORIZED, "login-after-cancel", why);
	finish(&e);

out:
	finish(&a);
	finish(&b);
	finish(&cd);
	finish(&e);
	printf("result=%s failures=%d\n", failures == 0 ? "OK" : "FAIL", failures);
	xmppc_loop_free(loop);
	xmppc_ctx_unref(ctx);
	return failures == 0 ? 0 : 1;
}
