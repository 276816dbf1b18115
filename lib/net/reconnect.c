/* The reconnection manager: after a connection fails, decide whether to
 * try again (xmppc__conn_should_retry(): the whole policy), wait with
 * exponential backoff and jitter on the connection's one timer (stage
 * WAITING, no fd in use), and start again with the session's handlers and
 * stream-management state kept, so that the next stream resumes. See
 * doc/conn.md "Reconnection". */
#include <stdio.h>
#include <string.h>

#include <xmppc/sm.h>

#include "net/conn-internal.h"
#include "util/ctx.h"
#include "util/random.h"

#define AREA "conn"

#define DEFAULT_BASE_MS 1000u
#define DEFAULT_MAX_MS 60000u
#define DEFAULT_STABLE_MS 60000u
#define DEFAULT_OFFLINE_QUEUE 1000u

/* A deadline is an absolute time on the context's clock; 0 means none,
 * so "now" on a clock that starts at 0 becomes 1. */
static uint64_t deadline_in(const xmppc_conn *c, uint64_t ms)
{
	uint64_t at = xmppc_ctx_now(c->ctx) + ms;
	return at != 0 ? at : 1;
}

/* ---- policy ------------------------------------------------------------------ */

int xmppc__conn_should_retry(const xmppc_conn *c, int code)
{
	xmppc_session_error_info e;

	if (!c->rc_on || c->app_close || code == 0)
		return 0;
	/* credentials, certificates, policy: the user must change something */
	if (!xmppc_error_retryable(code))
		return 0;
	/* The error table already says no to these; they are named here so the
	 * policy does not hang on it. temporary-auth-failure is the exception:
	 * RFC 6120 §6.5.12 advises trying again later. */
	if (code <= XMPPC_EAUTH_ABORTED && code >= XMPPC_EAUTH_FAILURE && code != XMPPC_EAUTH_TEMPORARY)
		return 0;
	switch (code) {
	case XMPPC_ETLS_CERT_UNTRUSTED:
	case XMPPC_ETLS_CERT_EXPIRED:
	case XMPPC_ETLS_CERT_NAME:
	case XMPPC_ETLS_PIN:
	case XMPPC_EBIND_CONFLICT:
		return 0;
	default:
		break;
	}
	if (code == XMPPC_ESTREAM_ERROR) {
		memset(&e, 0, sizeof(e));
		e.version = XMPPC_SESSION_ERROR_INFO_VERSION;
		if (xmppc_session_last_error(&e, c->session) == 0 && !e.sent) {
			switch (e.condition) {
			/* RFC 6120 §4.9.3.3: another session of ours took over;
			 * coming back would throw it out in turn (two clients
			 * fighting over one resource). */
			case XMPPC_STREAM_COND_CONFLICT:
			/* §4.9.3.6: the server does not serve this domain. */
			case XMPPC_STREAM_COND_HOST_UNKNOWN:
			/* §4.9.3.12: not authorized for the stream (a disabled
			 * account, data before authentication): no better next time. */
			case XMPPC_STREAM_COND_NOT_AUTHORIZED:
				return 0;
			/* Others are retried with backoff: system-shutdown and
			 * reset are the common ones; policy-violation is mostly rate
			 * limiting or an oversized stanza (stream management gives up a
			 * stanza that kills the stream each time it is resent). */
			default:
				break;
			}
		}
	}
	if (c->rc_max_attempts != 0 && c->rc_fails >= c->rc_max_attempts)
		return 0;
	return 1;
}

/* ---- backoff ------------------------------------------------------------------ */

/* Attempt n (consecutive failures before this one): d = min(max, base *
 * 2^n); the first wait uniformly random in [0, base], later ones in
 * [d/2, d] ("equal jitter"), so that many clients dropped by one server
 * restart do not come back in lockstep, while a client's own waits still
 * grow. */
static uint32_t backoff_ms(const xmppc_conn *c, unsigned n)
{
	uint64_t d = c->rc_base, lo, r = 0;
	unsigned i;

	for (i = 0; i < n && d < c->rc_max; i++)
		d *= 2;
	if (d > c->rc_max)
		d = c->rc_max;
	lo = n == 0 ? 0 : d / 2;
	if (xmppc__random(&r, sizeof(r)) != 0)
		return (uint32_t)d; /* no randomness: the longest wait */
	return (uint32_t)(lo + r % (d - lo + 1));
}

/* Enter WAITING for `delay` ms and say so. */
static void schedule(xmppc_conn *c, uint32_t delay)
{
	xmppc_conn_event ev;

	c->rc_fails++;
	c->stage = XMPPC_CONN_STAGE_WAITING;
	c->stage_deadline = 0;
	c->rc_retry_at = deadline_in(c, delay);
	XMPPC_LOG(c->ctx, XMPPC_LOG_INFO, AREA, "reconnecting in %u ms (attempt %u)", (unsigned)delay,
	          c->rc_fails);
	memset(&ev, 0, sizeof(ev));
	ev.type = XMPPC_CONN_EVENT_DISCONNECTED;
	ev.stage = c->err_stage;
	ev.error = c->err_code;
	ev.text = c->err_text;
	ev.retry_in_ms = delay;
	ev.attempt = c->rc_fails;
	xmppc__conn_emit_event(c, &ev);
}

int xmppc__reconnect_after_failure(xmppc_conn *c)
{
	/* a connection that had been up long enough was not part of a run of
	 * failures: the backoff starts again */
	if (c->rc_ready_at != 0 && xmppc_ctx_now(c->ctx) - c->rc_ready_at >= c->rc_stable)
		c->rc_fails = 0;
	c->rc_ready_at = 0;
	if (!xmppc__conn_should_retry(c, c->err_code))
		return 0;
	schedule(c, backoff_ms(c, c->rc_fails));
	return 1;
}

void xmppc__reconnect_up(xmppc_conn *c)
{
	uint64_t now = xmppc_ctx_now(c->ctx);

	c->rc_ready_at = now != 0 ? now : 1;
}

static void emit_closed(xmppc_conn *c)
{
	xmppc_conn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = XMPPC_CONN_EVENT_CLOSED;
	ev.stage = c->err_stage;
	ev.error = c->err_code;
	ev.text = c->err_text;
	xmppc__conn_emit_event(c, &ev);
}

/* No retry pending any more: the connection is IDLE. */
static void stop(xmppc_conn *c)
{
	c->stage = XMPPC_CONN_STAGE_IDLE;
	c->rc_retry_at = 0;
	c->rc_ready_at = 0;
	c->nc_pending = 0;
}

void xmppc__reconnect_final(xmppc_conn *c)
{
	stop(c);
	/* Nothing will resume this stream: what the session still holds
	 * (unacknowledged, offline) goes back to the application before the
	 * final event. Without the manager the application owns that choice
	 * (it may connect again and resume). */
	if (c->rc_on)
		xmppc_sm_give_up(c->session);
	emit_closed(c);
}

/* ---- waiting and starting again -------------------------------------------------- */

/* The backoff is over (or cut short): RECONNECTING, then a new connection. */
static void start_again(xmppc_conn *c)
{
	xmppc_conn_event ev;
	int rc;

	memset(&ev, 0, sizeof(ev));
	ev.type = XMPPC_CONN_EVENT_RECONNECTING;
	ev.stage = XMPPC_CONN_STAGE_WAITING;
	ev.attempt = c->rc_fails;
	xmppc__conn_emit_event(c, &ev);
	if (c->doomed || c->stage != XMPPC_CONN_STAGE_WAITING)
		return; /* freed or closed from the event */
	c->rc_retry_at = 0;
	c->nc_pending = 0; /* this is the fresh connection a change asks for */
	if ((rc = xmppc__conn_begin(c)) != 0) {
		/* could not even start (no memory, an unusable resolver
		 * configuration): a failure like any other, at the DNS stage */
		c->stage = XMPPC_CONN_STAGE_DNS;
		xmppc__conn_fail(c, rc, "cannot start connecting: %s", xmppc_strerror(rc));
	}
}

void xmppc__reconnect_timers(xmppc_conn *c, uint64_t now)
{
	if (c->stage == XMPPC_CONN_STAGE_WAITING && c->rc_retry_at != 0 && now >= c->rc_retry_at)
		start_again(c);
}

uint64_t xmppc__reconnect_deadline(const xmppc_conn *c)
{
	return c->stage == XMPPC_CONN_STAGE_WAITING ? c->rc_retry_at : 0;
}

void xmppc__reconnect_now(xmppc_conn *c)
{
	c->rc_retry_at = deadline_in(c, 0);
	/* from a callback, when the outermost call returns (a timer of 0 ms):
	 * starting inside the callback of a failure could nest without bound */
	if (c->depth == 1)
		start_again(c);
}

void xmppc__reconnect_cancel(xmppc_conn *c)
{
	c->err_code = 0;
	c->err_stage = XMPPC_CONN_STAGE_WAITING;
	snprintf(c->err_text, sizeof(c->err_text), "closed by the application");
	xmppc__reconnect_final(c);
}

/* Drop the transport of a connection in progress or up, without a word to
 * the server: no </stream:stream> (a closed stream cannot be resumed,
 * XEP-0198 §5) and no TLS close_notify. Then connect again at once. */
static void network_change_now(xmppc_conn *c)
{
	c->err_code = XMPPC_ETCP_RESET;
	c->err_stage = c->stage;
	snprintf(c->err_text, sizeof(c->err_text), "network changed");
	XMPPC_LOG(c->ctx, XMPPC_LOG_INFO, AREA, "network changed: reconnecting");
	xmppc__conn_teardown(c);
	c->see_other_host[0] = '\0';
	xmppc__free(c->ctx, c->redirect_host);
	c->redirect_host = NULL;
	c->rc_fails = 0;
	c->rc_ready_at = 0;
	schedule(c, 0);
	if (c->doomed || c->stage != XMPPC_CONN_STAGE_WAITING)
		return;
	start_again(c);
}

static void network_change(xmppc_conn *c)
{
	c->nc_pending = 0;
	switch (c->stage) {
	case XMPPC_CONN_STAGE_IDLE:
	case XMPPC_CONN_STAGE_CLOSING:
		return; /* ended or closing for good meanwhile */
	case XMPPC_CONN_STAGE_WAITING:
		/* a new run: the attempt that starts now is its first (its wait,
		 * 0, takes the place of the first step) */
		c->rc_fails = 1;
		c->rc_retry_at = deadline_in(c, 0);
		start_again(c);
		return;
	default:
		network_change_now(c);
	}
}

void xmppc__reconnect_pending(xmppc_conn *c)
{
	if (c->app_close) {
		c->nc_pending = 0;
		return;
	}
	network_change(c);
}

/* ---- public calls ------------------------------------------------------------------ */

XMPPC_API int xmppc_conn_set_reconnect(xmppc_conn *c, const xmppc_reconnect_config *cfg)
{
	int rc;

	if (c == NULL || (cfg != NULL && cfg->version != XMPPC_RECONNECT_CONFIG_VERSION))
		return XMPPC_EINVAL;
	if (cfg != NULL) {
		rc = xmppc_session_set_offline_queue(c->session, cfg->offline_queue != 0
		                                                     ? cfg->offline_queue
		                                                     : DEFAULT_OFFLINE_QUEUE);
		if (rc != 0)
			return rc;
		c->rc_on = 1;
		c->rc_base = cfg->base_ms != 0 ? cfg->base_ms : DEFAULT_BASE_MS;
		c->rc_max = cfg->max_ms != 0 ? cfg->max_ms : DEFAULT_MAX_MS;
		if (c->rc_base > c->rc_max)
			c->rc_base = c->rc_max; /* the cap holds for every wait */
		c->rc_stable = cfg->stable_ms != 0 ? cfg->stable_ms : DEFAULT_STABLE_MS;
		c->rc_max_attempts = cfg->max_attempts;
		return 0;
	}
	if (!c->rc_on)
		return xmppc_session_set_offline_queue(c->session, 0);
	if (c->stage != XMPPC_CONN_STAGE_WAITING) {
		c->rc_on = 0;
		return xmppc_session_set_offline_queue(c->session, 0);
	}
	/* waiting for a retry that will not come: give up now */
	if (c->in_hook)
		return XMPPC_ERECURSIVE;
	c->depth++;
	c->rc_on = 0;
	stop(c);
	xmppc_sm_give_up(c->session);
	xmppc_session_set_offline_queue(c->session, 0);
	emit_closed(c);
	return xmppc__conn_leave(c, 0);
}

XMPPC_API int xmppc_conn_network_changed(xmppc_conn *c)
{
	if (c == NULL)
		return XMPPC_EINVAL;
	if (c->in_hook || c->doomed)
		return XMPPC_ERECURSIVE;
	if (c->stage == XMPPC_CONN_STAGE_IDLE || c->stage == XMPPC_CONN_STAGE_CLOSING)
		return XMPPC_ESTATE;
	if (c->depth > 0) {
		/* from a callback: the connection may be in the middle of
		 * something (a read, a TLS record, an event of the session);
		 * act when the outermost call returns */
		c->nc_pending = 1;
		return 0;
	}
	c->depth++;
	network_change(c);
	return xmppc__conn_leave(c, 0);
}
