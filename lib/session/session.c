/* Session life cycle, the public I/O calls, failure and close. */
#include <stdio.h>
#include <string.h>

#include "session/session-internal.h"
#include "util/ctx.h"

#define DEFAULT_NEGOTIATION_TIMEOUT 60000u
#define DEFAULT_CLOSE_TIMEOUT 5000u
#define DEFAULT_IQ_TIMEOUT 60000u
#define DEFAULT_HIGH_WATER (1u << 20)

/* ---- configuration ------------------------------------------------- */

static int copy_str(xmppc_session *s, char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return 0;
	}
	*dst = xmppc__strndup(s->ctx, src, strlen(src));
	return *dst != NULL ? 0 : XMPPC_ENOMEM;
}

static int add_mech(xmppc_session *s, const xmppc_sasl_mechanism *m)
{
	const xmppc_sasl_mechanism **n;
	size_t i;

	for (i = 0; i < s->n_mechs; i++)
		if (strcmp(s->mechs[i]->name, m->name) == 0)
			return XMPPC_EEXIST;
	n = xmppc__realloc(s->ctx, s->mechs, (s->n_mechs + 1) * sizeof(*n));
	if (n == NULL)
		return XMPPC_ENOMEM;
	s->mechs = n;
	/* keep strongest first unless the application fixed the order */
	i = s->n_mechs;
	if (!s->explicit_order)
		while (i > 0 && s->mechs[i - 1]->strength < m->strength) {
			s->mechs[i] = s->mechs[i - 1];
			i--;
		}
	s->mechs[i] = m;
	s->n_mechs++;
	return 0;
}

static int configure_mechanisms(xmppc_session *s, const xmppc_session_config *c)
{
	size_t i, n;
	int rc;

	if (c->mechanisms != NULL) {
		s->explicit_order = 1;
		for (i = 0; c->mechanisms[i] != NULL; i++) {
			const xmppc_sasl_mechanism *m = xmppc_sasl_builtin(c->mechanisms[i]);
			if (m == NULL)
				return XMPPC_EINVAL;
			if ((rc = add_mech(s, m)) != 0 && rc != XMPPC_EEXIST)
				return rc;
		}
	} else {
		const xmppc_sasl_mechanism *const *all = xmppc_sasl_builtins(&n);
		for (i = 0; i < n; i++) {
			/* EXTERNAL needs a client certificate and ANONYMOUS does not log
			 * in as the account: both only when asked for by name. */
			if (strcmp(all[i]->name, "EXTERNAL") == 0 || strcmp(all[i]->name, "ANONYMOUS") == 0)
				continue;
			if ((rc = add_mech(s, all[i])) != 0)
				return rc;
		}
	}
	for (n = 0; c->mechanisms_denied != NULL && c->mechanisms_denied[n] != NULL; n++)
		;
	if (n > 0) {
		s->denied = xmppc__calloc(s->ctx, n, sizeof(char *));
		if (s->denied == NULL)
			return XMPPC_ENOMEM;
		for (i = 0; i < n; i++) {
			if ((rc = copy_str(s, &s->denied[i], c->mechanisms_denied[i])) != 0)
				return rc;
			s->n_denied++;
		}
	}
	return 0;
}

static int configure(xmppc_session *s, const xmppc_session_config *c)
{
	xmppc_jid *jid;
	int rc;

	if (c->jid == NULL)
		return XMPPC_EINVAL;
	if ((c->flags & XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS) && !(c->flags & XMPPC_SESSION_ALLOW_PLAINTEXT))
		return XMPPC_EINVAL;
	if (c->flags & ~(XMPPC_SESSION_ALLOW_PLAINTEXT | XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS |
	                 XMPPC_SESSION_NO_CHANNEL_BINDING | XMPPC_SESSION_REGISTER))
		return XMPPC_EINVAL;
	/* registration sends the configured password itself */
	if ((c->flags & XMPPC_SESSION_REGISTER) && (c->password == NULL || c->password[0] == '\0'))
		return XMPPC_EINVAL;
	if ((rc = xmppc_jid_new(&jid, s->ctx, c->jid)) != 0)
		return rc;
	rc = xmppc_jid_to_bare(&s->account, jid);
	if (rc == 0 && c->resource == NULL && xmppc_jid_resource(jid) != NULL)
		rc = copy_str(s, &s->resource, xmppc_jid_resource(jid));
	xmppc_jid_unref(jid);
	if (rc != 0)
		return rc;
	if (c->resource != NULL) {
		/* validate by building the full JID it would make */
		xmppc_jid *full;
		if ((rc = xmppc_jid_with_resource(&full, s->account, c->resource)) != 0)
			return rc;
		rc = copy_str(s, &s->resource, xmppc_jid_resource(full));
		xmppc_jid_unref(full);
		if (rc != 0)
			return rc;
	}
	if (c->password != NULL) {
		s->password_len = strlen(c->password);
		if ((rc = copy_str(s, &s->password, c->password)) != 0)
			return rc;
	}
	s->password_fn = c->password_fn;
	s->password_ud = c->password_user_data;
	if ((rc = copy_str(s, &s->authzid, c->authzid)) != 0 ||
	    (rc = copy_str(s, &s->lang, c->lang != NULL ? c->lang : "en")) != 0)
		return rc;
	s->flags = c->flags;
	xmppc_xml_limits_default(&s->limits);
	if (c->limits != NULL) {
		if (c->limits->version != XMPPC_XML_LIMITS_VERSION)
			return XMPPC_EINVAL;
		s->limits = *c->limits;
	}
	s->scram_min_iter = c->scram_min_iterations;
	s->scram_max_iter = c->scram_max_iterations;
	s->max_challenges = c->max_sasl_challenges;
	s->negotiation_timeout = c->negotiation_timeout_ms ? c->negotiation_timeout_ms
	                                                   : DEFAULT_NEGOTIATION_TIMEOUT;
	s->close_timeout = c->close_timeout_ms ? c->close_timeout_ms : DEFAULT_CLOSE_TIMEOUT;
	s->iq_timeout = c->iq_timeout_ms ? c->iq_timeout_ms : DEFAULT_IQ_TIMEOUT;
	s->high_water = c->output_high_water ? c->output_high_water : DEFAULT_HIGH_WATER;
	return configure_mechanisms(s, c);
}

/* ---- life cycle -------------------------------------------------------- */

static int is_over(const xmppc_session *s);

static void destroy(xmppc_session *s)
{
	xmppc_ctx *ctx = s->ctx;
	size_t i;

	xmppc__iq_fail_all(s, XMPPC_EDISCONNECTED);
	s->depth++; /* acknowledgement callbacks may fire: no nested free */
	xmppc__sm_fini(s);
	s->depth--;
	xmppc__modules_fini(s);
	xmppc__iq_fini(s);
	xmppc__handlers_fini(s);
	xmppc__auth_reset(s);
	xmppc__features_clear(s);
	if (s->event_destroy != NULL)
		s->event_destroy(s->event_ud);
	if (s->drain_destroy != NULL)
		s->drain_destroy(s->drain_ud);
	xmppc_parser_free(s->parser);
	xmppc_jid_unref(s->account);
	xmppc_jid_unref(s->bound);
	if (s->password != NULL) {
		memset(s->password, 0, s->password_len);
		xmppc__free(ctx, s->password);
	}
	for (i = 0; i < s->n_denied; i++)
		xmppc__free(ctx, s->denied[i]);
	xmppc__free(ctx, s->denied);
	xmppc__free(ctx, s->mechs);
	xmppc__free(ctx, s->resource);
	xmppc__free(ctx, s->authzid);
	xmppc__free(ctx, s->lang);
	xmppc__free(ctx, s->stream_id);
	xmppc__free(ctx, s->err_condition_text);
	xmppc__free(ctx, s->err_see_other_host);
	xmppc__free(ctx, s->err_sasl_condition);
	xmppc__free(ctx, s->err_sasl_text);
	for (i = 0; i < XMPPC_CB_TYPE_COUNT; i++) {
		if (s->cb[i].data != NULL)
			memset(s->cb[i].data, 0, s->cb[i].cap);
		xmppc__buf_fini(&s->cb[i]);
	}
	if (s->wipe_output && s->out.data != NULL)
		memset(s->out.data, 0, s->out.cap);
	xmppc__buf_fini(&s->out);
	xmppc__buf_fini(&s->pw_tmp);
	xmppc__free(ctx, s);
	xmppc_ctx_unref(ctx);
}

XMPPC_API int xmppc_session_new(xmppc_session **out, xmppc_ctx *ctx, const xmppc_session_config *config)
{
	xmppc_session *s;
	int rc, i;

	if (out == NULL || ctx == NULL || config == NULL || config->version != XMPPC_SESSION_CONFIG_VERSION)
		return XMPPC_EINVAL;
	s = xmppc__calloc(ctx, 1, sizeof(*s));
	if (s == NULL)
		return XMPPC_ENOMEM;
	s->ctx = xmppc_ctx_ref(ctx);
	xmppc__buf_init(&s->out, ctx);
	xmppc__buf_init(&s->pw_tmp, ctx);
	for (i = 0; i < XMPPC_CB_TYPE_COUNT; i++)
		xmppc__buf_init(&s->cb[i], ctx);
	xmppc__hash_init(&s->iq_handlers, ctx);
	xmppc__hash_init(&s->pending, ctx);
	xmppc__sm_init(s);
	s->next_token = 1;
	rc = configure(s, config);
	if (rc != 0) {
		destroy(s);
		return rc;
	}
	*out = s;
	return 0;
}

XMPPC_API void xmppc_session_free(xmppc_session *s)
{
	if (s == NULL)
		return;
	if (s->depth > 0) {
		s->doomed = 1; /* freed when the outermost call returns */
		return;
	}
	destroy(s);
}

XMPPC_API int xmppc_session_reset(xmppc_session *s)
{
	int i;

	if (s == NULL)
		return XMPPC_EINVAL;
	if (s->depth > 0)
		return XMPPC_ERECURSIVE;
	if (s->state != XMPPC_SESSION_STATE_NEW && !is_over(s))
		return XMPPC_ESTATE;
	xmppc__auth_reset(s);
	xmppc__features_clear(s);
	xmppc_parser_free(s->parser);
	s->parser = NULL;
	if (s->wipe_output && s->out.data != NULL)
		memset(s->out.data, 0, s->out.cap);
	s->wipe_output = 0;
	xmppc_buf_clear(&s->out);
	for (i = 0; i < XMPPC_CB_TYPE_COUNT; i++) {
		if (s->cb[i].data != NULL)
			memset(s->cb[i].data, 0, s->cb[i].cap);
		xmppc_buf_clear(&s->cb[i]);
		s->has_cb[i] = 0;
	}
	xmppc_jid_unref(s->bound);
	s->bound = NULL;
	xmppc__free(s->ctx, s->stream_id);
	s->stream_id = NULL;
	xmppc__free(s->ctx, s->err_condition_text);
	xmppc__free(s->ctx, s->err_see_other_host);
	xmppc__free(s->ctx, s->err_sasl_condition);
	xmppc__free(s->ctx, s->err_sasl_text);
	s->err_condition_text = s->err_see_other_host = NULL;
	s->err_sasl_condition = s->err_sasl_text = NULL;
	s->err_code = 0;
	s->err_text[0] = '\0';
	s->err_condition = XMPPC_STREAM_COND_NONE;
	s->err_sent = 0;
	s->state = XMPPC_SESSION_STATE_NEW;
	s->started = s->secured = s->peer_verified = 0;
	s->tls_version = 0;
	s->starttls_sent = s->authenticated = s->restart_pending = 0;
	s->stream_open = s->features_seen = s->peer_closed = 0;
	s->negotiation_deadline = s->close_deadline = 0;
	s->challenges = 0;
	s->in_sasl = 0;
	s->bind_iq_done = 0;
	s->registering = 0; /* (registered stays: the account exists now) */
	return 0;
}

XMPPC_API int xmppc_session_add_mechanism(xmppc_session *s, const xmppc_sasl_mechanism *mech)
{
	if (s == NULL || mech == NULL || mech->version != XMPPC_SASL_MECHANISM_VERSION ||
	    mech->name == NULL || mech->start == NULL || mech->step == NULL || mech->success == NULL)
		return XMPPC_EINVAL;
	if (s->started)
		return XMPPC_ESTATE;
	return add_mech(s, mech);
}

/* Calls that may fire callbacks are not re-entrant; leaving the outermost
 * one frees a session that a callback asked to free. */
static int enter(xmppc_session *s)
{
	if (s->depth > 0)
		return XMPPC_ERECURSIVE;
	s->depth++;
	return 0;
}

static void fire_drain(xmppc_session *s)
{
	s->drain_pending = 0;
	if (s->doomed)
		return;
	s->depth++;
	xmppc__sm_flush_offline(s); /* what waits offline goes first */
	s->depth--;
	if (s->drain_fn == NULL || s->doomed)
		return;
	s->depth++;
	s->drain_fn(s->drain_ud, s);
	s->depth--;
}

static int leave(xmppc_session *s, int rc)
{
	if (s->depth == 1 && s->drain_pending && !s->doomed)
		fire_drain(s);
	if (--s->depth == 0 && s->doomed)
		destroy(s);
	return rc;
}

int xmppc__session_output_room(xmppc_session *s)
{
	if (s->out.len < s->high_water)
		return 0;
	s->out_blocked = 1;
	return XMPPC_EAGAIN;
}

XMPPC_API int xmppc_session_set_drain_fn(xmppc_session *s, xmppc_drain_fn fn, void *user_data,
                                         void (*destroy_fn)(void *))
{
	if (s == NULL)
		return XMPPC_EINVAL;
	if (s->drain_destroy != NULL)
		s->drain_destroy(s->drain_ud);
	s->drain_fn = fn;
	s->drain_ud = user_data;
	s->drain_destroy = destroy_fn;
	return 0;
}

XMPPC_API int xmppc_session_start(xmppc_session *s)
{
	int rc;

	if (s == NULL)
		return XMPPC_EINVAL;
	if (s->started || s->state != XMPPC_SESSION_STATE_NEW)
		return XMPPC_ESTATE;
	s->started = 1;
	s->state = XMPPC_SESSION_STATE_NEGOTIATING;
	s->negotiation_deadline = xmppc_ctx_now(s->ctx) + s->negotiation_timeout;
	rc = xmppc__session_open_stream(s);
	if (rc != 0)
		xmppc__session_fail(s, rc, "could not open the stream");
	return rc;
}

/* ---- output ---------------------------------------------------------------- */

void xmppc__session_set_output_notify(xmppc_session *s, void (*fn)(void *), void *user_data)
{
	s->out_notify = fn;
	s->out_notify_ud = user_data;
}

void xmppc__session_output_grew(xmppc_session *s, size_t before)
{
	xmppc__live_tx(s);
	if (before == 0 && s->out.len > 0 && s->out_notify != NULL)
		s->out_notify(s->out_notify_ud);
}

int xmppc__session_write_raw(xmppc_session *s, const char *data, size_t len)
{
	/* SASL payloads never come through here (auth.c writes them itself
	 * and traces them redacted), so everything written here is traced. */
	size_t before = s->out.len;
	int rc = xmppc__buf_put(&s->out, data, len);
	if (rc == 0) {
		xmppc__trace(s, 1, data, len);
		xmppc__session_output_grew(s, before);
	}
	return rc;
}

int xmppc__session_write_seq(xmppc_session *s, const xmppc_stanza *st, uint64_t seq, int64_t wall_ms)
{
	size_t before = s->out.len;
	int rc = xmppc_stanza_to_xml(&s->out, st, XMPPC_NS_CLIENT);

	if (rc == 0 && (rc = xmppc__sm_track(s, st, before, seq, wall_ms)) != 0)
		s->out.len = before; /* not tracked: not sent either */
	if (rc == 0) {
		if (!xmppc__trace_password_redacted(s, 1, st))
			xmppc__trace(s, 1, s->out.data + s->out.off + before, s->out.len - before);
		xmppc__session_output_grew(s, before);
	}
	return rc;
}

int xmppc__session_write(xmppc_session *s, const xmppc_stanza *st)
{
	return xmppc__session_write_seq(s, st, 0, 0);
}

XMPPC_API const void *xmppc_session_output(const xmppc_session *s, size_t *len)
{
	if (s == NULL) {
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	if (len != NULL)
		*len = s->out.len;
	return s->out.len > 0 ? s->out.data + s->out.off : NULL;
}

XMPPC_API int xmppc_session_output_consume(xmppc_session *s, size_t n)
{
	if (s == NULL || n > s->out.len)
		return XMPPC_EINVAL;
	/* Written SASL responses (a PLAIN password, a SCRAM proof) do not
	 * linger in freed or reused buffer memory. */
	if (s->wipe_output) {
		memset(s->out.data + s->out.off, 0, n);
		if (n == s->out.len)
			s->wipe_output = 0;
	}
	xmppc_buf_consume(&s->out, n);
	if (s->out.len == 0 && n > 0)
		xmppc__sm_output_idle(s);
	/* Room again (below half the mark, so a sender is not woken for every
	 * few bytes): tell whoever was refused. */
	if (s->out_blocked && s->out.len < s->high_water / 2) {
		s->out_blocked = 0;
		if (s->depth > 0) {
			s->drain_pending = 1;
		} else {
			s->depth++;
			fire_drain(s);
			leave(s, 0);
		}
	}
	return 0;
}

XMPPC_API unsigned xmppc_session_wants(const xmppc_session *s)
{
	unsigned w = 0;

	if (s == NULL)
		return 0;
	if (s->out.len > 0 && s->state != XMPPC_SESSION_STATE_TLS)
		w |= XMPPC_WANT_WRITE;
	if (s->started && s->state != XMPPC_SESSION_STATE_CLOSED &&
	    s->state != XMPPC_SESSION_STATE_FAILED && s->state != XMPPC_SESSION_STATE_TLS)
		w |= XMPPC_WANT_READ;
	return w;
}

/* ---- events and errors ----------------------------------------------------- */

void xmppc__session_emit(xmppc_session *s, xmppc_session_event_type type, int error,
                         xmppc_stream_condition cond, const char *text, const char *host)
{
	xmppc_session_event ev;

	if (s->doomed)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.version = XMPPC_SESSION_EVENT_VERSION;
	ev.type = type;
	ev.error = error;
	ev.condition = cond;
	ev.text = text;
	ev.host = host;
	xmppc__listeners_event(s, &ev);
	if (s->event_fn == NULL || s->doomed)
		return;
	s->depth++;
	s->event_fn(s->event_ud, s, &ev);
	s->depth--;
}

XMPPC_API int xmppc_session_set_event_fn(xmppc_session *s, xmppc_session_event_fn fn,
                                         void *user_data, void (*destroy_fn)(void *))
{
	if (s == NULL)
		return XMPPC_EINVAL;
	if (s->event_destroy != NULL)
		s->event_destroy(s->event_ud);
	s->event_fn = fn;
	s->event_ud = user_data;
	s->event_destroy = destroy_fn;
	return 0;
}

static int is_over(const xmppc_session *s)
{
	return s->state == XMPPC_SESSION_STATE_FAILED || s->state == XMPPC_SESSION_STATE_CLOSED;
}

/* The stream is over: nothing more is parsed, pending IQs fail, the
 * DISCONNECTED event fires once. */
void xmppc__session_finish(xmppc_session *s, int code)
{
	if (is_over(s))
		return;
	s->state = code == 0 ? XMPPC_SESSION_STATE_CLOSED : XMPPC_SESSION_STATE_FAILED;
	if (code != 0 && s->err_code == 0) {
		s->err_code = code;
		snprintf(s->err_text, sizeof(s->err_text), "%s", xmppc_strerror(code));
	}
	xmppc__auth_reset(s);
	xmppc__sm_stream_ended(s, code);
	/* a resumption would bring their answers: kept until it is known */
	if (!xmppc__sm_keeps_iqs(s))
		xmppc__iq_fail_all(s, XMPPC_EDISCONNECTED);
	xmppc__session_emit(s, XMPPC_EVENT_DISCONNECTED, code, XMPPC_STREAM_COND_NONE, NULL, NULL);
}

/* Fail the stream with `code`: send the stream error it calls for (if the
 * stream is open and TLS is not half-way), close our side, finish. */
int xmppc__session_fail(xmppc_session *s, int code, const char *text)
{
	xmppc_stream_condition cond = xmppc_error_stream_condition(code);

	if (is_over(s))
		return code;
	if (s->err_code == 0) {
		s->err_code = code;
		snprintf(s->err_text, sizeof(s->err_text), "%s", text != NULL ? text : xmppc_strerror(code));
	}
	XMPPC_LOG(s->ctx, XMPPC_LOG_INFO, "session", "stream failed: %s (%s)", xmppc_error_name(code),
	          s->err_text);
	if (s->stream_open && s->state != XMPPC_SESSION_STATE_TLS) {
		if (cond != XMPPC_STREAM_COND_NONE && s->err_condition == XMPPC_STREAM_COND_NONE) {
			char buf[160];
			int n = snprintf(buf, sizeof(buf),
			                 "<stream:error><%s xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
			                 "</stream:error>",
			                 xmppc_stream_condition_name(cond));
			s->err_condition = cond;
			s->err_sent = 1;
			xmppc__session_write_raw(s, buf, (size_t)n);
		}
		xmppc__session_write_raw(s, "</stream:stream>", 16);
		s->stream_open = 0;
	}
	xmppc__session_finish(s, code);
	return code;
}

XMPPC_API int xmppc_session_last_error(xmppc_session_error_info *out, const xmppc_session *s)
{
	if (out == NULL || s == NULL || out->version != XMPPC_SESSION_ERROR_INFO_VERSION)
		return XMPPC_EINVAL;
	out->code = s->err_code;
	out->text = s->err_text;
	out->condition = s->err_condition;
	out->sent = s->err_sent;
	out->condition_text = s->err_condition_text;
	out->see_other_host = s->err_see_other_host;
	out->sasl_condition = s->err_sasl_condition;
	out->sasl_text = s->err_sasl_text;
	return 0;
}

XMPPC_API const xmppc_stanza *xmppc_session_stream_features(const xmppc_session *s)
{
	return s != NULL ? s->feat.element : NULL;
}

XMPPC_API int xmppc_session_has_stream_feature(const xmppc_session *s, const char *name,
                                               const char *ns)
{
	return s != NULL && s->feat.element != NULL && name != NULL &&
	       xmppc_stanza_find_child(s->feat.element, name, ns) != NULL;
}

XMPPC_API xmppc_ctx *xmppc_session_ctx(const xmppc_session *s)
{
	return s != NULL ? s->ctx : NULL;
}

XMPPC_API xmppc_session_state xmppc_session_get_state(const xmppc_session *s)
{
	return s != NULL ? s->state : XMPPC_SESSION_STATE_FAILED;
}

XMPPC_API const xmppc_jid *xmppc_session_jid(const xmppc_session *s)
{
	return s != NULL && s->state == XMPPC_SESSION_STATE_READY ? s->bound : NULL;
}

XMPPC_API const char *xmppc_session_mechanism(const xmppc_session *s)
{
	return s != NULL && s->authenticated && s->mech != NULL ? s->mech->name : NULL;
}

/* ---- input --------------------------------------------------------------------- */

static int restart_stream(xmppc_session *s)
{
	s->restart_pending = 0;
	xmppc_parser_free(s->parser);
	s->parser = NULL;
	xmppc__features_clear(s);
	return xmppc__session_open_stream(s);
}

static int feed(size_t *consumed, xmppc_session *s, const unsigned char *data, size_t len)
{
	size_t off = 0;

	/* During the SASL exchange the elements are traced one by one,
	 * redacted, as they are parsed. */
	if (!s->in_sasl && !s->registering)
		xmppc__trace(s, 0, (const char *)data, len);
	if (len > 0)
		xmppc__live_rx(s);
	while (off < len) {
		size_t used = 0;
		int rc = xmppc_parser_feed(&used, s->parser, data + off, len - off);

		off += used;
		if (s->doomed || is_over(s))
			break;
		if (rc == XMPPC_PARSER_PAUSED) {
			if (s->state == XMPPC_SESSION_STATE_TLS) {
				*consumed = off;
				return XMPPC_SESSION_STARTTLS;
			}
			/* after <success/>: the rest goes to a fresh parser */
			if (s->restart_pending && (rc = restart_stream(s)) != 0)
				return xmppc__session_fail(s, rc, NULL);
			continue;
		}
		if (rc == XMPPC_PARSER_ENDED) {
			/* The server closed its stream: close ours in turn. */
			s->peer_closed = 1;
			if (s->stream_open) {
				s->stream_open = 0;
				if ((rc = xmppc__session_write_raw(s, "</stream:stream>", 16)) != 0) {
					xmppc__session_finish(s, rc);
					return rc;
				}
			}
			if (s->state == XMPPC_SESSION_STATE_CLOSING) {
				xmppc__session_finish(s, 0);
			} else {
				if (s->err_code == 0)
					snprintf(s->err_text, sizeof(s->err_text), "the server closed the stream");
				xmppc__session_finish(s, XMPPC_ECLOSED);
			}
			*consumed = off;
			return XMPPC_SESSION_CLOSED;
		}
		if (rc < 0)
			return xmppc__session_fail(s, rc, xmppc_parser_error_text(s->parser));
		break;
	}
	*consumed = len;
	if (s->state == XMPPC_SESSION_STATE_FAILED)
		return s->err_code;
	if (s->state == XMPPC_SESSION_STATE_CLOSED)
		return XMPPC_SESSION_CLOSED;
	return 0;
}

XMPPC_API int xmppc_session_feed(size_t *consumed, xmppc_session *s, const void *data, size_t len)
{
	size_t dummy;
	int rc;

	if (consumed == NULL)
		consumed = &dummy;
	*consumed = 0;
	if (s == NULL || (data == NULL && len > 0))
		return XMPPC_EINVAL;
	if ((rc = enter(s)) != 0)
		return rc;
	if (!s->started || is_over(s) || s->state == XMPPC_SESSION_STATE_TLS || s->parser == NULL)
		return leave(s, XMPPC_ESTATE);
	return leave(s, feed(consumed, s, data, len));
}

/* ---- time ------------------------------------------------------------------------ */

XMPPC_API uint64_t xmppc_session_next_deadline(const xmppc_session *s)
{
	uint64_t d = 0;

	if (s == NULL || is_over(s))
		return 0;
	if (s->state == XMPPC_SESSION_STATE_CLOSING)
		d = s->close_deadline;
	else if (s->started && s->state != XMPPC_SESSION_STATE_READY)
		d = s->negotiation_deadline;
	d = xmppc__deadline_min(d, xmppc__iq_next_deadline(s));
	d = xmppc__deadline_min(d, xmppc__sm_next_deadline(s));
	return xmppc__deadline_min(d, xmppc__live_next_deadline(s));
}

XMPPC_API int xmppc_session_handle_deadlines(xmppc_session *s)
{
	uint64_t now;
	int rc;

	if (s == NULL)
		return XMPPC_EINVAL;
	if ((rc = enter(s)) != 0)
		return rc;
	if (is_over(s) || !s->started)
		return leave(s, 0);
	now = xmppc_ctx_now(s->ctx);
	xmppc__iq_expire(s, now);
	if (s->doomed || is_over(s))
		return leave(s, 0);
	if ((rc = xmppc__live_deadlines(s, now)) != 0 || s->doomed || is_over(s))
		return leave(s, rc == XMPPC_ELINK_DEAD ? rc : 0);
	if ((rc = xmppc__sm_deadlines(s, now)) != 0)
		return leave(s, xmppc__session_fail(s, rc, NULL));
	if (s->state == XMPPC_SESSION_STATE_CLOSING && now >= s->close_deadline) {
		snprintf(s->err_text, sizeof(s->err_text), "the server did not close its stream in time");
		s->err_code = XMPPC_ETIMEOUT;
		s->state = XMPPC_SESSION_STATE_CLOSED;
		xmppc__iq_fail_all(s, XMPPC_EDISCONNECTED);
		xmppc__session_emit(s, XMPPC_EVENT_DISCONNECTED, XMPPC_ETIMEOUT, XMPPC_STREAM_COND_NONE,
		                    NULL, NULL);
		return leave(s, XMPPC_ETIMEOUT);
	}
	if (s->state != XMPPC_SESSION_STATE_READY && s->state != XMPPC_SESSION_STATE_CLOSING &&
	    now >= s->negotiation_deadline)
		return leave(s, xmppc__session_fail(s, XMPPC_ETIMEOUT, "stream negotiation timed out"));
	return leave(s, 0);
}

/* ---- transport ------------------------------------------------------------------- */

XMPPC_API int xmppc_session_transport_secured(xmppc_session *s, const xmppc_tls_info *info)
{
	int rc, i;

	if (s == NULL || info == NULL || info->version != XMPPC_TLS_INFO_VERSION)
		return XMPPC_EINVAL;
	if ((rc = enter(s)) != 0)
		return rc;
	/* Expected after <proceed/>, or before start for direct TLS. */
	if (s->secured || (s->started && s->state != XMPPC_SESSION_STATE_TLS))
		return leave(s, xmppc__session_fail(s, XMPPC_ESTATE, "unexpected TLS hand-off"));
	s->secured = 1;
	s->tls_version = info->tls_version;
	s->peer_verified = info->peer_verified;
	for (i = 1; i < XMPPC_CB_TYPE_COUNT; i++) {
		xmppc_buf_clear(&s->cb[i]);
		s->has_cb[i] = 0;
		if (info->cb_data[i] == NULL || info->cb_len[i] == 0)
			continue;
		if (xmppc__buf_put(&s->cb[i], info->cb_data[i], info->cb_len[i]) != 0)
			return leave(s, xmppc__session_fail(s, XMPPC_ENOMEM, NULL));
		s->has_cb[i] = 1;
	}
	if (!s->started)
		return leave(s, 0);
	s->state = XMPPC_SESSION_STATE_NEGOTIATING;
	rc = restart_stream(s);
	if (rc != 0)
		rc = xmppc__session_fail(s, rc, NULL);
	return leave(s, rc);
}

XMPPC_API int xmppc_session_transport_closed(xmppc_session *s, int reason)
{
	int rc;

	if (s == NULL)
		return XMPPC_EINVAL;
	if ((rc = enter(s)) != 0)
		return rc;
	s->stream_open = 0;
	if (s->state == XMPPC_SESSION_STATE_CLOSING && reason == 0)
		xmppc__session_finish(s, 0);
	else
		xmppc__session_finish(s, reason != 0 ? reason : XMPPC_ECLOSED);
	return leave(s, 0);
}

XMPPC_API int xmppc_session_close(xmppc_session *s)
{
	int rc;

	if (s == NULL)
		return XMPPC_EINVAL;
	if (!s->started || is_over(s) || s->state == XMPPC_SESSION_STATE_CLOSING || !s->stream_open)
		return XMPPC_ESTATE;
	/* the server's <a/> comes before its closing tag: what it took is known */
	if (s->sm.active && s->sm.q_len > 0 && s->state == XMPPC_SESSION_STATE_READY)
		xmppc_sm_request_ack(s);
	/* and it learns what we handled: otherwise it treats those stanzas as
	 * undelivered when the stream ends (Prosody stores them offline again) */
	xmppc__sm_final_ack(s);
	rc = xmppc__session_write_raw(s, "</stream:stream>", 16);
	if (rc != 0)
		return rc;
	s->stream_open = 0;
	s->state = XMPPC_SESSION_STATE_CLOSING;
	s->close_deadline = xmppc_ctx_now(s->ctx) + s->close_timeout;
	return 0;
}

/* ---- sending --------------------------------------------------------------------- */

XMPPC_API int xmppc_session_send(xmppc_session *s, const xmppc_stanza *stanza)
{
	int qrc;

	if (s == NULL || stanza == NULL || xmppc_stanza_is_text(stanza))
		return XMPPC_EINVAL;
	/* offline queue: while no stream is READY, or behind what waits there */
	if (xmppc__sm_offline_send(s, stanza, &qrc))
		return qrc;
	if (s->state != XMPPC_SESSION_STATE_READY || s->doomed)
		return XMPPC_ESTATE;
	if (xmppc__session_output_room(s) != 0 || xmppc__sm_room(s) != 0)
		return XMPPC_EAGAIN;
	{
		xmppc_stanza *rep = NULL;
		int rc = xmppc__send_filters(s, stanza, &rep);
		if (rc != 0)
			return rc;
		if (s->state != XMPPC_SESSION_STATE_READY || s->doomed) {
			xmppc_stanza_unref(rep);
			return XMPPC_ESTATE;
		}
		rc = xmppc__session_write_seq(s, rep != NULL ? rep : stanza, xmppc__sm_next_seq(s), 0);
		xmppc_stanza_unref(rep);
		return rc;
	}
}
