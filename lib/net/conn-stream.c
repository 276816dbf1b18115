/* One connected socket: bytes in (through TLS when active) to the
 * session, the session's output out (through TLS), the STARTTLS hand-off,
 * direct TLS, and the end of the stream. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/conn-internal.h"
#include "session/session-internal.h"
#include "util/ctx.h"

#define AREA "conn"

/* Plaintext/ciphertext read per call, on the stack: no per-connection
 * buffer (DESIGN.md §6: an idle connection costs tens of KiB). */
#define READ_CHUNK 65536
/* Reads per readiness event before others get a turn. */
#define READS_PER_EVENT 8
/* Session output is moved into TLS only while less than this much
 * ciphertext waits for the socket: the session's bounded queue then is
 * the only place output piles up, and back-pressure reaches the
 * application (xmppc_session_send() returns XMPPC_EAGAIN). */
#define TLS_OUT_LOW 65536

static int verify_fail(void *ud, int err, const char *reason, const unsigned char *der, size_t len)
{
	xmppc_conn *c = ud;
	int rc;

	if (c->cert_fail == NULL)
		return XMPPC__TLS_REJECT;
	c->depth++;
	rc = c->cert_fail(c->cert_fail_ud, c, err, reason, der, len);
	c->depth--;
	return rc == XMPPC_CERT_ACCEPT ? XMPPC__TLS_ACCEPT : XMPPC__TLS_REJECT;
}

static int start_tls(xmppc_conn *c, const char *alpn)
{
	xmppc__tls_options o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.name = c->domain;
	o.alpn = alpn;
	o.pins = (const char *const *)c->pins;
	o.n_pins = c->n_pins;
	o.pins_required = c->n_pins > 0;
	o.verify_fail = verify_fail;
	o.verify_ud = c;
	if ((rc = xmppc__conn_load_creds(c)) != 0 ||
	    (rc = xmppc__tls_new(&c->tls, c->ctx, c->creds, &o)) != 0)
		return rc;
	c->stage = XMPPC_CONN_STAGE_TLS;
	c->stage_deadline = xmppc_ctx_now(c->ctx) + c->tls_timeout;
	return 0;
}

static void tls_failed(xmppc_conn *c, int rc)
{
	const char *why = c->tls != NULL ? xmppc__tls_error_text(c->tls) : "";

	c->stage = XMPPC_CONN_STAGE_TLS;
	xmppc__conn_fail(c, rc, "TLS with %s (%s port %u): %s", c->domain, c->host, c->port,
	                 why[0] ? why : xmppc_strerror(rc));
}

/* The handshake completed: tell the session. */
static void secured(xmppc_conn *c)
{
	xmppc_tls_info info;
	int rc;

	c->stage_deadline = 0;
	if ((rc = xmppc__tls_info(c->tls, &info)) != 0) {
		tls_failed(c, rc);
		return;
	}
	xmppc__conn_emit(c, XMPPC_CONN_EVENT_SECURED);
	if (c->stage != XMPPC_CONN_STAGE_TLS)
		return; /* closed from the event */
	c->stage = XMPPC_CONN_STAGE_STREAM;
	if ((rc = xmppc_session_transport_secured(c->session, &info)) != 0) {
		xmppc__conn_check_session(c);
		return;
	}
	if (c->direct_tls && (rc = xmppc_session_start(c->session)) != 0)
		xmppc__conn_check_session(c);
}

static int handshake(xmppc_conn *c)
{
	int rc = xmppc__tls_handshake(c->tls);

	if (rc == XMPPC__TLS_WANT_READ)
		return 0;
	if (rc != 0) {
		xmppc__conn_flush(c); /* the alert */
		tls_failed(c, rc);
		return rc;
	}
	secured(c);
	return 0;
}

void xmppc__conn_stream_begin(xmppc_conn *c)
{
	int rc;

	if (xmppc__conn_watch(c, c->fd, XMPPC_IO_IN, FD_STREAM) != 0) {
		xmppc__conn_fail(c, XMPPC_ERANGE, "too many file descriptors");
		return;
	}
	if (c->direct_tls) {
		if ((rc = start_tls(c, "xmpp-client")) != 0) {
			tls_failed(c, rc);
			return;
		}
		if (handshake(c) == 0)
			xmppc__conn_flush(c);
		return;
	}
	c->stage = XMPPC_CONN_STAGE_STREAM;
	if ((rc = xmppc_session_start(c->session)) != 0) {
		xmppc__conn_check_session(c);
		return;
	}
	xmppc__conn_flush(c);
}

/* Map the session's state to a stage (for errors and the public getter). */
static void track_session_stage(xmppc_conn *c)
{
	switch (xmppc_session_get_state(c->session)) {
	case XMPPC_SESSION_STATE_NEGOTIATING:
		c->stage = xmppc_session_mechanism(c->session) != NULL ? XMPPC_CONN_STAGE_BIND
		                                                        : XMPPC_CONN_STAGE_STREAM;
		break;
	case XMPPC_SESSION_STATE_TLS:
		c->stage = XMPPC_CONN_STAGE_TLS;
		break;
	case XMPPC_SESSION_STATE_AUTHENTICATING:
		c->stage = XMPPC_CONN_STAGE_AUTH;
		break;
	case XMPPC_SESSION_STATE_BINDING:
		c->stage = XMPPC_CONN_STAGE_BIND;
		break;
	case XMPPC_SESSION_STATE_READY:
		c->stage = XMPPC_CONN_STAGE_READY;
		break;
	case XMPPC_SESSION_STATE_CLOSING:
		c->stage = XMPPC_CONN_STAGE_CLOSING;
		break;
	default:
		break;
	}
}

/* The stage an error belongs to, by its code where that says it. */
static xmppc_conn_stage stage_of(xmppc_conn *c, int code)
{
	if (code <= -400 && code > -500)
		return XMPPC_CONN_STAGE_AUTH;
	if (code == XMPPC_EBIND || code == XMPPC_EBIND_CONFLICT || code == XMPPC_ESESSION)
		return XMPPC_CONN_STAGE_BIND;
	if (code == XMPPC_ETLS_REQUIRED || (code <= -500 && code > -600))
		return XMPPC_CONN_STAGE_TLS;
	return c->stage;
}

void xmppc__conn_check_session(xmppc_conn *c)
{
	xmppc_session_state st = xmppc_session_get_state(c->session);
	xmppc_session_error_info e;

	if (st != XMPPC_SESSION_STATE_FAILED && st != XMPPC_SESSION_STATE_CLOSED) {
		track_session_stage(c);
		return;
	}
	/* finishing: a write of the last words failed and came back here
	 * through transport_gone(); the outer call ends the connection */
	if (c->fd < 0 || c->finishing)
		return;
	c->finishing = 1;
	memset(&e, 0, sizeof(e));
	e.version = XMPPC_SESSION_ERROR_INFO_VERSION;
	xmppc_session_last_error(&e, c->session);
	/* last words: a stream error and our closing tag, a close_notify */
	xmppc__conn_flush(c);
	if (c->fd >= 0 && c->tls != NULL && xmppc__tls_handshake_done(c->tls) &&
	    xmppc__tls_close(c->tls) == 0)
		xmppc__conn_flush(c);
	if (c->stage == XMPPC_CONN_STAGE_IDLE || c->stage == XMPPC_CONN_STAGE_WAITING) {
		c->finishing = 0; /* a failure on the way ended it already */
		return;
	}
	c->finishing = 0; /* xmppc__conn_fail() tears down next */
	if (st == XMPPC_SESSION_STATE_CLOSED && e.code == 0) {
		c->stage = XMPPC_CONN_STAGE_CLOSING;
		xmppc__conn_fail(c, 0, "closed");
		return;
	}
	if (e.code == XMPPC_ESEE_OTHER_HOST && e.see_other_host != NULL)
		snprintf(c->see_other_host, sizeof(c->see_other_host), "%s", e.see_other_host);
	c->stage = stage_of(c, e.code);
	xmppc__conn_fail(c, e.code != 0 ? e.code : XMPPC_ECLOSED, "%s%s%s%s",
	                 e.text != NULL && e.text[0] ? e.text : xmppc_strerror(e.code),
	                 e.condition != XMPPC_STREAM_COND_NONE ? " (" : "",
	                 e.condition != XMPPC_STREAM_COND_NONE ? xmppc_stream_condition_name(e.condition)
	                                                       : "",
	                 e.condition != XMPPC_STREAM_COND_NONE ? ")" : "");
}

/* The transport broke or ended: tell the session, which finishes. */
static void transport_gone(xmppc_conn *c, int reason)
{
	if (c->tls != NULL && !xmppc__tls_handshake_done(c->tls)) {
		tls_failed(c, reason == 0 ? XMPPC_ETLS_CLOSED : reason);
		return;
	}
	xmppc_session_transport_closed(c->session, reason);
	xmppc__conn_check_session(c);
}

/* Plaintext for the session. */
static void feed_session(xmppc_conn *c, const unsigned char *p, size_t n)
{
	size_t used = 0;
	int rc = xmppc_session_feed(&used, c->session, p, n);

	if (rc == XMPPC_SESSION_STARTTLS && c->tls == NULL) {
		xmppc__conn_flush(c);
		if ((rc = start_tls(c, NULL)) != 0) {
			xmppc_session_transport_closed(c->session, XMPPC_ETLS_FAILED);
			tls_failed(c, rc);
			return;
		}
		/* the server's first handshake bytes may have come along */
		if (used < n && (rc = xmppc__tls_feed(c->tls, p + used, n - used)) != 0) {
			tls_failed(c, rc);
			return;
		}
		handshake(c);
		return;
	}
	xmppc__conn_check_session(c);
}

/* Ciphertext arrived (or EOF): run TLS and feed what it yields. */
static void tls_input(xmppc_conn *c, unsigned char *buf)
{
	int rc;
	size_t n;

	if (!xmppc__tls_handshake_done(c->tls)) {
		if (handshake(c) != 0 || c->fd < 0 || !xmppc__tls_handshake_done(c->tls))
			return;
	}
	while (c->fd >= 0 && (rc = xmppc__tls_read(&n, c->tls, buf, READ_CHUNK)) == 0) {
		feed_session(c, buf, n); /* a session that ended tears down: fd -1 */
		if (c->fd < 0)
			return;
	}
	if (c->fd < 0 || rc == XMPPC__TLS_WANT_READ)
		return;
	if (rc == XMPPC__TLS_CLOSED) {
		transport_gone(c, 0);
		return;
	}
	c->stage = stage_of(c, rc);
	xmppc__conn_fail(c, rc, "TLS: %s", xmppc__tls_error_text(c->tls)[0]
	                                       ? xmppc__tls_error_text(c->tls)
	                                       : xmppc_strerror(rc));
}

static void read_ready(xmppc_conn *c)
{
	unsigned char buf[READ_CHUNK];
	int i;

	for (i = 0; i < READS_PER_EVENT && c->fd >= 0 && !c->eof; i++) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			XMPPC_LOG(c->ctx, XMPPC_LOG_INFO, AREA, "recv: %s", strerror(errno));
			transport_gone(c, XMPPC_ETCP_RESET);
			return;
		}
		if (n == 0) {
			c->eof = 1;
			if (c->tls != NULL) {
				xmppc__tls_feed_eof(c->tls);
				tls_input(c, buf);
				return;
			}
			transport_gone(c, xmppc_session_get_state(c->session) == XMPPC_SESSION_STATE_CLOSING
			                      ? 0 : XMPPC_ETCP_EOF);
			return;
		}
		if (c->tls != NULL) {
			int rc = xmppc__tls_feed(c->tls, buf, (size_t)n);
			if (rc != 0) {
				tls_failed(c, rc);
				return;
			}
			tls_input(c, buf);
		} else {
			feed_session(c, buf, (size_t)n);
		}
		if ((size_t)n < sizeof(buf))
			return; /* drained */
		/* More is waiting: send what this slice produced (replies, echoes)
		 * first, so the peer works while we parse the next one instead of
		 * both sides taking turns. */
		if (c->fd >= 0)
			xmppc__conn_flush(c);
	}
}

void xmppc__conn_stream_ready(xmppc_conn *c, unsigned events)
{
	if (events & (XMPPC_IO_IN | XMPPC_IO_ERR))
		read_ready(c);
	if (c->fd >= 0 && (events & (XMPPC_IO_OUT | XMPPC_IO_ERR)))
		xmppc__conn_flush(c);
}

/* Write as much of p as the socket takes. Returns bytes written, or -1
 * when the connection broke (after failing it). */
static ssize_t send_some(xmppc_conn *c, const void *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = send(c->fd, (const char *)p + done, n - done, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			XMPPC_LOG(c->ctx, XMPPC_LOG_INFO, AREA, "send: %s", strerror(errno));
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)done;
}

void xmppc__conn_flush(xmppc_conn *c)
{
	int blocked = 0, guard;

	if (c->fd < 0)
		return;
	c->flush_wanted = 0;
	for (guard = 0; guard < 64 && !blocked; guard++) {
		size_t len, tlen = 0;
		const void *out = xmppc_session_output(c->session, &len);
		int tls_up = c->tls != NULL && xmppc__tls_handshake_done(c->tls);
		ssize_t w;

		if (c->tls != NULL)
			xmppc__tls_output(c->tls, &tlen);
		if (tls_up && len > 0 && tlen < TLS_OUT_LOW) {
			int rc = xmppc__tls_write(c->tls, out, len);
			if (rc != 0) {
				c->stage = stage_of(c, rc);
				xmppc_session_transport_closed(c->session, rc);
				xmppc__conn_fail(c, rc, "TLS write: %s", xmppc_strerror(rc));
				return;
			}
			xmppc_session_output_consume(c->session, len); /* may fire drain */
			continue;
		}
		if (c->tls != NULL) {
			const void *tout = xmppc__tls_output(c->tls, &tlen);
			if (tlen == 0)
				break;
			if ((w = send_some(c, tout, tlen)) < 0)
				goto broken;
			xmppc__tls_consume(c->tls, (size_t)w);
			blocked = (size_t)w < tlen;
			continue;
		}
		if (len == 0)
			break;
		if ((w = send_some(c, out, len)) < 0)
			goto broken;
		blocked = (size_t)w < len;
		xmppc_session_output_consume(c->session, (size_t)w);
	}
	if (c->fd >= 0)
		xmppc__conn_watch(c, c->fd, XMPPC_IO_IN | (blocked || guard == 64 ? XMPPC_IO_OUT : 0),
		                  FD_STREAM);
	return;
broken:
	transport_gone(c, XMPPC_ETCP_RESET);
}

void xmppc__conn_stream_timers(xmppc_conn *c, uint64_t now)
{
	if (c->stage == XMPPC_CONN_STAGE_TLS && c->stage_deadline != 0 && now >= c->stage_deadline) {
		tls_failed(c, XMPPC_ETLS_TIMEOUT);
		return;
	}
	if (c->fd >= 0 && xmppc_session_get_state(c->session) != XMPPC_SESSION_STATE_NEW) {
		uint64_t d = xmppc_session_next_deadline(c->session);
		if (d != 0 && d <= now) {
			xmppc_session_handle_deadlines(c->session);
			xmppc__conn_check_session(c);
		}
	}
}

void xmppc__conn_stream_close(xmppc_conn *c)
{
	if (c->tls != NULL) {
		xmppc__tls_free(c->tls);
		c->tls = NULL;
	}
	if (c->fd >= 0) {
		xmppc__conn_watch(c, c->fd, 0, FD_STREAM);
		close(c->fd);
		c->fd = -1;
	}
	c->eof = 0;
}
