/* The connection driver: life cycle, public calls, events and how a
 * connection ends (see conn-internal.h for the other parts). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "net/conn-internal.h"
#include "session/session-internal.h"
#include "util/base64.h"
#include "util/ctx.h"

#define AREA "conn"

#define DEFAULT_CONNECT_TIMEOUT 10000u
#define DEFAULT_TLS_TIMEOUT 30000u
#define DEFAULT_HE_DELAY 250u /* RFC 8305 §5: "Connection Attempt Delay" */
#define DEFAULT_MAX_REDIRECTS 3u

#define KNOWN_FLAGS                                                                           \
	(XMPPC_CONN_DIRECT_TLS | XMPPC_CONN_NO_DIRECT_TLS | XMPPC_CONN_NO_SYSTEM_TRUST |      \
	 XMPPC_CONN_IPV4_ONLY | XMPPC_CONN_IPV6_ONLY | XMPPC_CONN_NO_REDIRECT)

/* ---- events ------------------------------------------------------------ */

void xmppc__conn_emit_event(xmppc_conn *c, xmppc_conn_event *ev)
{
	if (c->event_fn == NULL || c->doomed)
		return;
	ev->version = XMPPC_CONN_EVENT_VERSION;
	c->depth++;
	c->event_fn(c->event_ud, c, ev);
	c->depth--;
}

void xmppc__conn_emit(xmppc_conn *c, xmppc_conn_event_type type)
{
	xmppc_conn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.stage = c->stage;
	xmppc__conn_emit_event(c, &ev);
}

void xmppc__conn_emit_addr(xmppc_conn *c, xmppc_conn_event_type type)
{
	xmppc_conn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.stage = c->stage;
	ev.host = c->host;
	ev.port = c->port;
	ev.address = c->address;
	xmppc__conn_emit_event(c, &ev);
}

/* The session's events, turned into the connection's. */
static void on_session_event(void *ud, xmppc_session *s, const xmppc_session_event *sev)
{
	xmppc_conn *c = ud;
	xmppc_conn_event ev;

	(void)s;
	memset(&ev, 0, sizeof(ev));
	switch (sev->type) {
	case XMPPC_EVENT_AUTHENTICATED:
		c->stage = XMPPC_CONN_STAGE_BIND;
		ev.type = XMPPC_CONN_EVENT_AUTHENTICATED;
		break;
	case XMPPC_EVENT_BOUND:
		c->stage = XMPPC_CONN_STAGE_READY;
		ev.type = XMPPC_CONN_EVENT_READY;
		xmppc__reconnect_up(c);
		break;
	case XMPPC_EVENT_RESUMED:
		c->stage = XMPPC_CONN_STAGE_READY;
		ev.type = XMPPC_CONN_EVENT_RESUMED;
		xmppc__reconnect_up(c);
		break;
	case XMPPC_EVENT_STREAM_ERROR:
		ev.type = XMPPC_CONN_EVENT_STREAM_ERROR;
		ev.condition = sev->condition;
		ev.text = sev->text;
		break;
	case XMPPC_EVENT_SEE_OTHER_HOST:
		if (sev->host != NULL)
			snprintf(c->see_other_host, sizeof(c->see_other_host), "%s", sev->host);
		return;
	default:
		return; /* STARTTLS and DISCONNECTED: handled by the driver */
	}
	ev.stage = c->stage;
	xmppc__conn_emit_event(c, &ev);
}

/* Output queued from outside our calls (an application's send): ask the
 * loop for writability rather than writing from inside the sender's call,
 * so a broken socket is noticed (and reported) from xmppc_conn_process(),
 * and a burst of sends becomes one write. */
static void on_output(void *ud)
{
	xmppc_conn *c = ud;

	if (c->depth > 0 || c->fd < 0) {
		c->flush_wanted = 1;
		return;
	}
	if (!c->has_hooks) {
		c->flush_wanted = 1;
		xmppc__conn_watch(c, c->fd, XMPPC_IO_IN | XMPPC_IO_OUT, FD_STREAM);
		return;
	}
	c->depth++;
	xmppc__conn_watch(c, c->fd, XMPPC_IO_IN | XMPPC_IO_OUT, FD_STREAM);
	c->depth--;
}

/* ---- ending ------------------------------------------------------------ */

void xmppc__conn_teardown(xmppc_conn *c)
{
	xmppc_session_state st = xmppc_session_get_state(c->session);

	xmppc__conn_cancel_connect(c);
	xmppc__conn_stream_close(c);
	if (st != XMPPC_SESSION_STATE_NEW && st != XMPPC_SESSION_STATE_CLOSED &&
	    st != XMPPC_SESSION_STATE_FAILED)
		xmppc_session_transport_closed(c->session, c->err_code != 0 ? c->err_code : XMPPC_ECLOSED);
	c->stage_deadline = 0;
	c->flush_wanted = 0;
	c->finishing = 0;
}

/* Follow a see-other-host redirect: 1 if it is being followed. */
static int follow_redirect(xmppc_conn *c)
{
	char host[256];
	uint16_t port = 0;

	if (c->see_other_host[0] == '\0' || (c->flags & XMPPC_CONN_NO_REDIRECT) ||
	    c->redirects >= c->max_redirects)
		return 0;
	if (xmppc__hostport_parse(c->see_other_host, host, sizeof(host), &port) != 0) {
		XMPPC_LOG(c->ctx, XMPPC_LOG_WARN, AREA, "unusable see-other-host '%s'", c->see_other_host);
		return 0;
	}
	xmppc__free(c->ctx, c->redirect_host);
	if ((c->redirect_host = xmppc__strndup(c->ctx, host, strlen(host))) == NULL)
		return 0;
	c->redirect_port = port;
	c->redirects++;
	c->see_other_host[0] = '\0';
	{
		xmppc_conn_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.type = XMPPC_CONN_EVENT_REDIRECT;
		ev.stage = c->stage;
		ev.host = c->redirect_host;
		ev.port = port;
		xmppc__conn_emit_event(c, &ev);
	}
	if (c->doomed || c->stage == XMPPC_CONN_STAGE_IDLE || c->stage == XMPPC_CONN_STAGE_WAITING)
		return 1;
	if (xmppc_session_reset(c->session) != 0 || xmppc__conn_start_resolve(c) != 0)
		return 0;
	return 1;
}

void xmppc__conn_fail(xmppc_conn *c, int code, const char *fmt, ...)
{
	va_list ap;

	if (c->stage == XMPPC_CONN_STAGE_IDLE || c->stage == XMPPC_CONN_STAGE_WAITING)
		return;
	c->err_code = code;
	c->err_stage = c->stage;
	va_start(ap, fmt);
	vsnprintf(c->err_text, sizeof(c->err_text), fmt, ap);
	va_end(ap);
	if (code != 0)
		XMPPC_LOG(c->ctx, XMPPC_LOG_INFO, AREA, "connection failed: %s: %s",
		          xmppc_error_name(code), c->err_text);
	xmppc__conn_teardown(c);
	if (code == XMPPC_ESEE_OTHER_HOST && follow_redirect(c))
		return;
	c->see_other_host[0] = '\0';
	xmppc__free(c->ctx, c->redirect_host);
	c->redirect_host = NULL;
	/* the reconnection manager decides: a retry later, or the end */
	if (xmppc__reconnect_after_failure(c))
		return;
	xmppc__reconnect_final(c);
}

/* ---- life cycle ---------------------------------------------------------- */

static int copy_str(xmppc_conn *c, char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = xmppc__strndup(c->ctx, src, strlen(src));
	return *dst != NULL ? 0 : XMPPC_ENOMEM;
}

/* A pin as given: base64 of the 32-byte SHA-256 (RFC 7469 pin-sha256),
 * optionally prefixed "sha256//" (curl) or "pin-sha256:" (certtool), or the
 * same hash as 64 hex digits (colons allowed). Decoded into out[32]. */
static int parse_pin(xmppc_conn *c, const char *p, unsigned char out[32])
{
	size_t n = 0, i;
	xmppc_buf b;
	int rc = XMPPC_EINVAL;

	if (strncmp(p, "sha256//", 8) == 0)
		p += 8;
	else if (strncmp(p, "pin-sha256:", 11) == 0)
		p += 11;
	for (i = 0; p[i] != '\0' && n <= 64; i++) {
		if (p[i] == ':')
			continue;
		if (!((p[i] >= '0' && p[i] <= '9') || ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')))
			break;
		n++;
	}
	if (p[i] == '\0' && n == 64) {
		for (i = 0, n = 0; p[i] != '\0'; i++) {
			int v = (p[i] >= '0' && p[i] <= '9') ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10;
			if (p[i] == ':')
				continue;
			if (n % 2 == 0)
				out[n / 2] = (unsigned char)(v << 4);
			else
				out[n / 2] |= (unsigned char)v;
			n++;
		}
		return 0;
	}
	xmppc__buf_init(&b, c->ctx);
	if (xmppc__base64_decode(&b, p, strlen(p)) == 0 && b.len == 32) {
		memcpy(out, b.data + b.off, 32);
		rc = 0;
	}
	xmppc__buf_fini(&b);
	return rc;
}

/* Pins are kept as the canonical base64 the TLS filter takes. */
static int copy_pins(xmppc_conn *c, const char *const *pins)
{
	size_t i, n;
	xmppc_buf b;
	int rc = 0;

	for (n = 0; pins != NULL && pins[n] != NULL; n++)
		;
	if (n == 0)
		return 0;
	if ((c->pins = xmppc__calloc(c->ctx, n + 1, sizeof(char *))) == NULL)
		return XMPPC_ENOMEM;
	xmppc__buf_init(&b, c->ctx);
	for (i = 0; i < n && rc == 0; i++) {
		unsigned char hash[32];
		xmppc_buf_clear(&b);
		if ((rc = parse_pin(c, pins[i], hash)) == 0 &&
		    (rc = xmppc__base64_encode(&b, hash, sizeof(hash))) == 0 &&
		    (c->pins[i] = xmppc__strndup(c->ctx, (const char *)b.data + b.off, b.len)) == NULL)
			rc = XMPPC_ENOMEM;
		if (rc == 0)
			c->n_pins++;
	}
	xmppc__buf_fini(&b);
	return rc;
}

static void destroy(xmppc_conn *c)
{
	xmppc_ctx *ctx = c->ctx;
	size_t i;

	c->stage = XMPPC_CONN_STAGE_IDLE;
	c->doomed = 1;
	xmppc__conn_teardown(c);
	xmppc__resolver_free(c->resolver); /* its sockets leave the table */
	c->resolver = NULL;
	xmppc_conn_set_io_hooks(c, NULL, NULL);
	if (c->session != NULL) {
		xmppc__session_set_output_notify(c->session, NULL, NULL);
		xmppc_session_free(c->session);
	}
	if (c->event_destroy != NULL)
		c->event_destroy(c->event_ud);
	xmppc__creds_cache_put(c->creds);
	for (i = 0; i < c->n_pins; i++)
		xmppc__free(ctx, c->pins[i]);
	xmppc__free(ctx, c->pins);
	xmppc__free(ctx, c->domain);
	xmppc__free(ctx, c->server_host);
	xmppc__free(ctx, c->dns_servers);
	xmppc__free(ctx, c->ca_file);
	xmppc__free(ctx, c->cert_file);
	xmppc__free(ctx, c->key_file);
	xmppc__free(ctx, c->priority);
	xmppc__free(ctx, c->redirect_host);
	xmppc__free(ctx, c);
	xmppc_ctx_unref(ctx);
}

int xmppc__conn_load_creds(xmppc_conn *c)
{
	xmppc__tls_creds_options co;

	if (c->creds != NULL)
		return 0;
	memset(&co, 0, sizeof(co));
	co.system_trust = c->system_trust;
	co.ca_file = c->ca_file;
	co.cert_file = c->cert_file;
	co.key_file = c->key_file;
	co.priority = c->priority;
	return xmppc__creds_cache_get(&c->creds, c->ctx, &co);
}

static int configure(xmppc_conn *c, const xmppc_conn_config *cfg)
{
	xmppc_jid *jid;
	int rc;

	if (cfg->session == NULL || cfg->session->jid == NULL || (cfg->flags & ~KNOWN_FLAGS) ||
	    ((cfg->flags & XMPPC_CONN_DIRECT_TLS) && (cfg->flags & XMPPC_CONN_NO_DIRECT_TLS)) ||
	    ((cfg->flags & XMPPC_CONN_IPV4_ONLY) && (cfg->flags & XMPPC_CONN_IPV6_ONLY)) ||
	    ((cfg->client_cert_file == NULL) != (cfg->client_key_file == NULL)))
		return XMPPC_EINVAL;
	c->flags = cfg->flags;
	if ((rc = xmppc_jid_new(&jid, c->ctx, cfg->session->jid)) != 0)
		return rc;
	rc = copy_str(c, &c->domain, xmppc_jid_domain_ascii(jid));
	xmppc_jid_unref(jid);
	if (rc != 0)
		return rc;
	if (cfg->server != NULL) {
		char host[256];
		if (xmppc__hostport_parse(cfg->server, host, sizeof(host), &c->server_port) != 0)
			return XMPPC_EINVAL;
		if ((rc = copy_str(c, &c->server_host, host)) != 0)
			return rc;
	}
	if ((rc = copy_pins(c, cfg->pins)) != 0 || (rc = copy_str(c, &c->dns_servers, cfg->dns_servers)) != 0)
		return rc;
	c->cert_fail = cfg->cert_fail;
	c->cert_fail_ud = cfg->cert_fail_user_data;
	c->connect_timeout = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT;
	c->tls_timeout = cfg->tls_timeout_ms ? cfg->tls_timeout_ms : DEFAULT_TLS_TIMEOUT;
	c->he_delay = cfg->happy_eyeballs_delay_ms ? cfg->happy_eyeballs_delay_ms : DEFAULT_HE_DELAY;
	c->max_redirects = cfg->max_redirects ? cfg->max_redirects : DEFAULT_MAX_REDIRECTS;
	c->system_trust = !(cfg->flags & XMPPC_CONN_NO_SYSTEM_TRUST);
	if ((rc = copy_str(c, &c->ca_file, cfg->ca_file)) != 0 ||
	    (rc = copy_str(c, &c->cert_file, cfg->client_cert_file)) != 0 ||
	    (rc = copy_str(c, &c->key_file, cfg->client_key_file)) != 0 ||
	    (rc = copy_str(c, &c->priority, cfg->tls_priority)) != 0)
		return rc;
	/* Credentials (the system trust store is megabytes) are loaded now,
	 * so that a bad CA file fails here, unless the session may go without
	 * TLS: then at the first handshake, if there is one. */
	if (!(cfg->session->flags & XMPPC_SESSION_ALLOW_PLAINTEXT) &&
	    (rc = xmppc__conn_load_creds(c)) != 0)
		return rc;
	if ((rc = xmppc_session_new(&c->session, c->ctx, cfg->session)) != 0)
		return rc;
	xmppc_session_set_event_fn(c->session, on_session_event, c, NULL);
	xmppc__session_set_output_notify(c->session, on_output, c);
	return 0;
}

XMPPC_API int xmppc_conn_new(xmppc_conn **out, xmppc_ctx *ctx, const xmppc_conn_config *cfg)
{
	xmppc_conn *c;
	int rc;

	if (out == NULL || ctx == NULL || cfg == NULL || cfg->version != XMPPC_CONN_CONFIG_VERSION)
		return XMPPC_EINVAL;
	if ((c = xmppc__calloc(ctx, 1, sizeof(*c))) == NULL)
		return XMPPC_ENOMEM;
	c->ctx = xmppc_ctx_ref(ctx);
	c->fd = -1;
	c->timer_told = -1;
	if ((rc = configure(c, cfg)) != 0) {
		destroy(c);
		return rc;
	}
	*out = c;
	return 0;
}

XMPPC_API void xmppc_conn_free(xmppc_conn *c)
{
	if (c == NULL)
		return;
	if (c->depth > 0 || c->in_hook) {
		c->doomed = 1; /* freed when the outermost call returns */
		return;
	}
	destroy(c);
}

XMPPC_API xmppc_session *xmppc_conn_session(xmppc_conn *c)
{
	return c != NULL ? c->session : NULL;
}

/* Leave a call that may have fired callbacks: act on a network change
 * noted from a callback, write what is pending, free a doomed connection,
 * tell the loop about the next deadline. */
int xmppc__conn_leave(xmppc_conn *c, int rc)
{
	if (c->depth == 1 && !c->doomed && c->nc_pending)
		xmppc__reconnect_pending(c);
	if (c->depth == 1 && !c->doomed && c->fd >= 0 && c->flush_wanted)
		xmppc__conn_flush(c);
	if (--c->depth == 0) {
		if (c->doomed) {
			destroy(c);
			return rc;
		}
		xmppc__conn_update_timer(c);
	}
	return rc;
}

int xmppc__conn_begin(xmppc_conn *c)
{
	int rc;

	if (xmppc_session_get_state(c->session) != XMPPC_SESSION_STATE_NEW &&
	    (rc = xmppc_session_reset(c->session)) != 0)
		return rc;
	c->err_code = 0;
	c->err_text[0] = '\0';
	c->err_stage = XMPPC_CONN_STAGE_IDLE;
	c->redirects = 0;
	c->see_other_host[0] = '\0';
	rc = xmppc__conn_start_resolve(c);
	if (rc != 0) {
		xmppc__conn_cancel_connect(c);
		c->stage_deadline = 0;
	}
	return rc;
}

XMPPC_API int xmppc_conn_connect(xmppc_conn *c)
{
	int rc;

	if (c == NULL)
		return XMPPC_EINVAL;
	if (c->in_hook || c->doomed)
		return XMPPC_ERECURSIVE;
	if (c->stage == XMPPC_CONN_STAGE_WAITING) {
		c->depth++;
		xmppc__reconnect_now(c);
		return xmppc__conn_leave(c, 0);
	}
	if (c->stage != XMPPC_CONN_STAGE_IDLE)
		return XMPPC_ESTATE;
	c->app_close = 0;
	c->nc_pending = 0;
	c->rc_fails = 0;
	c->rc_ready_at = 0;
	c->depth++;
	rc = xmppc__conn_begin(c);
	if (rc != 0)
		c->stage = XMPPC_CONN_STAGE_IDLE;
	return xmppc__conn_leave(c, rc);
}

XMPPC_API int xmppc_conn_close(xmppc_conn *c)
{
	xmppc_session_state st;

	if (c == NULL)
		return XMPPC_EINVAL;
	if (c->stage == XMPPC_CONN_STAGE_IDLE || c->stage == XMPPC_CONN_STAGE_CLOSING)
		return 0;
	c->app_close = 1; /* whatever happens next, no retry */
	c->depth++;
	if (c->stage == XMPPC_CONN_STAGE_WAITING) {
		xmppc__reconnect_cancel(c);
		return xmppc__conn_leave(c, 0);
	}
	st = xmppc_session_get_state(c->session);
	if (c->fd >= 0 && st != XMPPC_SESSION_STATE_NEW && st != XMPPC_SESSION_STATE_TLS &&
	    xmppc_session_close(c->session) == 0) {
		c->stage = XMPPC_CONN_STAGE_CLOSING;
		c->flush_wanted = 1;
	} else {
		xmppc__conn_fail(c, 0, "closed by the application");
	}
	return xmppc__conn_leave(c, 0);
}

XMPPC_API int xmppc_conn_send(xmppc_conn *c, const xmppc_stanza *stanza)
{
	if (c == NULL)
		return XMPPC_EINVAL;
	return xmppc_session_send(c->session, stanza);
}

XMPPC_API int xmppc_conn_set_event_fn(xmppc_conn *c, xmppc_conn_event_fn fn, void *user_data,
                                      void (*destroy_fn)(void *))
{
	if (c == NULL)
		return XMPPC_EINVAL;
	if (c->event_destroy != NULL)
		c->event_destroy(c->event_ud);
	c->event_fn = fn;
	c->event_ud = user_data;
	c->event_destroy = destroy_fn;
	return 0;
}

XMPPC_API xmppc_conn_stage xmppc_conn_get_stage(const xmppc_conn *c)
{
	return c != NULL ? c->stage : XMPPC_CONN_STAGE_IDLE;
}

XMPPC_API int xmppc_conn_last_error(xmppc_conn_error *out, const xmppc_conn *c)
{
	if (out == NULL || c == NULL || out->version != XMPPC_CONN_ERROR_VERSION)
		return XMPPC_EINVAL;
	out->code = c->err_code;
	out->stage = c->err_stage;
	out->text = c->err_text;
	return 0;
}

/* ---- processing ------------------------------------------------------------ */

XMPPC_API int xmppc_conn_process(xmppc_conn *c, const xmppc_io_event *events, size_t n)
{
	size_t i;
	uint64_t now;

	if (c == NULL || (events == NULL && n > 0))
		return XMPPC_EINVAL;
	if (c->depth > 0 || c->in_hook)
		return XMPPC_ERECURSIVE;
	c->depth++;
	for (i = 0; i < n && !c->doomed; i++) {
		conn_fd *f = xmppc__conn_find_fd(c, events[i].fd);
		unsigned ev = events[i].events;
		if (f == NULL)
			continue;
		switch (f->owner) {
		case FD_RESOLVER: {
			unsigned r = 0;
			if (ev & (XMPPC_IO_IN | XMPPC_IO_ERR))
				r |= XMPPC__RESOLVE_READ;
			if (ev & (XMPPC_IO_OUT | XMPPC_IO_ERR))
				r |= XMPPC__RESOLVE_WRITE;
			if (c->resolver != NULL)
				xmppc__resolver_process(c->resolver, events[i].fd, r);
			break;
		}
		case FD_ATTEMPT:
			xmppc__conn_attempt_ready(c, events[i].fd, ev);
			break;
		case FD_STREAM:
			xmppc__conn_stream_ready(c, ev);
			break;
		}
	}
	if (!c->doomed) {
		now = xmppc_ctx_now(c->ctx);
		xmppc__conn_connect_timers(c, now);
		if (!c->doomed)
			xmppc__conn_stream_timers(c, now);
		if (!c->doomed)
			xmppc__reconnect_timers(c, now);
		if (!c->doomed && c->fd >= 0)
			c->flush_wanted = 1;
	}
	return xmppc__conn_leave(c, 0);
}
