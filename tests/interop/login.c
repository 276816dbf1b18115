/* A minimal blocking client for interop tests: TCP + the TLS filter + the
 * session, driven with poll(). Logs in, sends a message to its own bare
 * JID, waits for it to come back, closes the stream cleanly.
 *
 * usage: login HOST PORT DOMAIN CAFILE JID PASSWORD MECHS|- PRIORITY|- DIRECT(0|1) EXPECT
 * EXPECT is OK or an error name (XMPPC_EAUTH_NOT_AUTHORIZED, ...).
 * Prints one line: "result=... mechanism=... tls=... bound=..." */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <xmppc/xmppc.h>

#include "net/tls.h"

static xmppc_ctx *ctx;
static xmppc_session *sess;
static xmppc__tls_creds *creds;
static xmppc__tls *tls;
static int fd = -1, echoed, bound;
static const char *domain;
static char mech_used[64] = "-";
static unsigned tls_version;

static void die(const char *what, int rc)
{
	printf("result=%s detail=%s\n", xmppc_error_name(rc), what);
	exit(3);
}

static void on_event(void *ud, xmppc_session *s, const xmppc_session_event *ev)
{
	(void)ud;
	if (ev->type == XMPPC_EVENT_BOUND) {
		xmppc_stanza *m, *pres;
		const xmppc_jid *me = xmppc_session_jid(s);
		bound = 1;
		/* available presence first: a message to the bare JID is delivered
		 * only to available resources (RFC 6121 §8.5.2.1) */
		if (xmppc_presence_new(&pres, ctx, XMPPC_TYPE_AVAILABLE, NULL) != 0 ||
		    xmppc_session_send(s, pres) != 0)
			die("presence", XMPPC_EINTERNAL);
		xmppc_stanza_unref(pres);
		if (xmppc_message_new(&m, ctx, XMPPC_TYPE_CHAT, xmppc_jid_bare(me), "interop ping") != 0 ||
		    xmppc_session_send(s, m) != 0)
			die("send", XMPPC_EINTERNAL);
		xmppc_stanza_unref(m);
	}
	if (ev->type == XMPPC_EVENT_AUTHENTICATED)
		snprintf(mech_used, sizeof(mech_used), "%s", xmppc_session_mechanism(s));
}

static int on_message(void *ud, xmppc_session *s, const xmppc_stanza *st)
{
	const char *body = xmppc_message_body(st, NULL);
	(void)ud;
	if (body != NULL && strcmp(body, "interop ping") == 0 && !echoed) {
		echoed = 1;
		xmppc_session_close(s);
	}
	return XMPPC_CB_PASS;
}

static void trace(void *ud, xmppc_trace_dir dir, const char *data, size_t len)
{
	(void)ud;
	fprintf(stderr, "%s %.*s\n", dir == XMPPC_TRACE_IN ? "<<" : ">>", (int)len, data);
}

static void write_all(const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w <= 0)
			die("write", XMPPC_ECLOSED);
		c += w;
		n -= (size_t)w;
	}
}

/* Move the session's output to the socket (through TLS when active). */
static void flush(void)
{
	size_t len;
	const void *out = xmppc_session_output(sess, &len);
	int rc;

	if (len > 0) {
		if (tls != NULL) {
			if ((rc = xmppc__tls_write(tls, out, len)) != 0)
				die("tls write", rc);
		} else {
			write_all(out, len);
		}
		xmppc_session_output_consume(sess, len);
	}
	if (tls != NULL) {
		out = xmppc__tls_output(tls, &len);
		if (len > 0) {
			write_all(out, len);
			xmppc__tls_consume(tls, len);
		}
	}
}

static void start_tls(const char *alpn)
{
	xmppc__tls_options o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.name = domain;
	o.alpn = alpn;
	if ((rc = xmppc__tls_new(&tls, ctx, creds, &o)) != 0)
		die("tls new", rc);
	xmppc__tls_handshake(tls);
}

/* Drive the handshake to completion, then tell the session. */
static void finish_handshake(void)
{
	xmppc_tls_info info;
	unsigned char buf[16384];
	int rc;

	for (;;) {
		ssize_t n;
		rc = xmppc__tls_handshake(tls);
		flush();
		if (rc == 0)
			break;
		if (rc != XMPPC__TLS_WANT_READ)
			die("tls handshake", rc);
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			die("read during handshake", XMPPC_ECLOSED);
		if ((rc = xmppc__tls_feed(tls, buf, (size_t)n)) != 0)
			die("tls feed", rc);
	}
	if ((rc = xmppc__tls_info(tls, &info)) != 0)
		die("tls info", rc);
	tls_version = info.tls_version;
	if ((rc = xmppc_session_transport_secured(sess, &info)) != 0)
		die("secured", rc);
}

/* Feed plaintext to the session; handle the STARTTLS hand-off. */
static int feed_plain(const unsigned char *p, size_t n)
{
	size_t used = 0;
	int rc = xmppc_session_feed(&used, sess, p, n);

	if (rc == XMPPC_SESSION_STARTTLS) {
		flush();
		start_tls(NULL);
		if (used < n && (rc = xmppc__tls_feed(tls, p + used, n - used)) != 0)
			die("tls feed", rc);
		finish_handshake();
		return 0;
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const char *mechs[16];
	xmppc__tls_creds_options co;
	xmppc_session_config c;
	struct sockaddr_in sa;
	unsigned char buf[65536];
	time_t deadline;
	int rc = 0, direct;
	char *mlist;

	if (argc != 11) {
		fprintf(stderr, "usage: login HOST PORT DOMAIN CAFILE JID PASSWORD MECHS PRIORITY DIRECT EXPECT\n");
		return 2;
	}
	domain = argv[3];
	direct = atoi(argv[9]);
	xmppc_ctx_new(&ctx, NULL);
	if (getenv("XMPPC_TRACE") != NULL)
		xmppc_ctx_set_trace(ctx, trace, NULL, NULL);
	memset(&co, 0, sizeof(co));
	co.ca_file = argv[4];
	co.priority = strcmp(argv[8], "-") != 0 ? argv[8] : NULL;
	if ((rc = xmppc__tls_creds_new(&creds, ctx, &co)) != 0)
		die("creds", rc);
	memset(&c, 0, sizeof(c));
	c.version = XMPPC_SESSION_CONFIG_VERSION;
	c.jid = argv[5];
	c.password = argv[6];
	c.resource = "interop";
	if (strcmp(argv[7], "-") != 0) {
		int i = 0;
		mlist = strdup(argv[7]);
		for (char *t = strtok(mlist, ","); t != NULL && i < 15; t = strtok(NULL, ","))
			mechs[i++] = t;
		c.mechanisms = mechs;
	}
	if ((rc = xmppc_session_new(&sess, ctx, &c)) != 0)
		die("session", rc);
	xmppc_session_set_event_fn(sess, on_event, NULL, NULL);
	xmppc_session_add_observer(sess, NULL, 0, on_message, NULL, NULL, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		die("connect", XMPPC_ECLOSED);
	if (direct) {
		start_tls("xmpp-client");
		finish_handshake();
	}
	if ((rc = xmppc_session_start(sess)) != 0)
		die("start", rc);
	flush();
	deadline = time(NULL) + 20;
	while (rc >= 0 && rc != XMPPC_SESSION_CLOSED) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t n;
		if (time(NULL) > deadline)
			die("timeout", XMPPC_ETIMEOUT);
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			xmppc_session_transport_closed(sess, n == 0 ? 0 : XMPPC_ECLOSED);
			break;
		}
		if (tls == NULL) {
			rc = feed_plain(buf, (size_t)n);
		} else {
			size_t got;
			if ((rc = xmppc__tls_feed(tls, buf, (size_t)n)) != 0)
				die("tls feed", rc);
			while ((rc = xmppc__tls_read(&got, tls, buf, sizeof(buf))) == 0) {
				rc = xmppc_session_feed(NULL, sess, buf, got);
				if (rc < 0 || rc == XMPPC_SESSION_CLOSED)
					break;
			}
			if (rc == XMPPC__TLS_WANT_READ || rc == XMPPC__TLS_CLOSED)
				rc = rc == XMPPC__TLS_CLOSED ? XMPPC_SESSION_CLOSED : 0;
		}
		flush();
	}
	{
		xmppc_session_error_info e = {XMPPC_SESSION_ERROR_INFO_VERSION, 0, NULL, 0, 0, NULL, NULL, NULL, NULL};
		const char *want = argv[10];
		const char *got;
		xmppc_session_last_error(&e, sess);
		got = (bound && echoed && e.code == 0) ? "OK" : xmppc_error_name(e.code ? e.code : rc);
		printf("result=%s mechanism=%s tls=%s bound=%d echoed=%d%s%s\n", got, mech_used,
		       tls_version == 0x0304 ? "1.3" : tls_version == 0x0303 ? "1.2" : "-", bound, echoed,
		       e.text && e.text[0] ? " detail=" : "", e.text ? e.text : "");
		xmppc_session_free(sess);
		if (tls)
			xmppc__tls_free(tls);
		xmppc__tls_creds_unref(creds);
		close(fd);
		xmppc_ctx_unref(ctx);
		return strcmp(got, want) == 0 ? 0 : 1;
	}
}
