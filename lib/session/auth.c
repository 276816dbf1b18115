/* SASL (RFC 6120 §6): choosing the mechanism and channel binding, running
 * the exchange, and mapping failures. The mechanisms themselves
 * (lib/sasl) only turn challenges into responses. */
#include <stdio.h>
#include <string.h>

#include "session/session-internal.h"
#include "util/base64.h"
#include "util/ctx.h"

/* ---- choice ------------------------------------------------------------ */

static int offered(const xmppc_session *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->feat.n_mechanisms; i++)
		if (strcmp(s->feat.mechanisms[i], name) == 0)
			return 1;
	return 0;
}

static int denied(const xmppc_session *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_denied; i++)
		if (strcmp(s->denied[i], name) == 0)
			return 1;
	return 0;
}

static int server_lists(const xmppc_session *s, xmppc_cb_type t)
{
	size_t i;

	for (i = 0; i < s->feat.n_cb_types; i++)
		if (xmppc_cb_type_from_name(s->feat.cb_types[i], strlen(s->feat.cb_types[i])) == t)
			return 1;
	return 0;
}

/* Can this transport produce the binding at all? tls-unique is undefined
 * for TLS 1.3 (RFC 9266 §3). */
static int usable(const xmppc_session *s, xmppc_cb_type t)
{
	if (!s->has_cb[t])
		return 0;
	if (t == XMPPC_CB_TLS_UNIQUE && s->tls_version >= 0x0304)
		return 0;
	return 1;
}

/* The channel-binding type for a -PLUS mechanism, or NONE. With a
 * XEP-0440 list, the strongest type both sides have; without one, only
 * what RFC 6120 servers are known to do: tls-unique on TLS 1.2. On TLS 1.3
 * without a list nothing is safe to guess (servers that offer -PLUS there
 * may still expect an OpenSSL-style tls-unique no one else can compute). */
static xmppc_cb_type pick_binding(const xmppc_session *s)
{
	static const xmppc_cb_type order[] = {XMPPC_CB_TLS_EXPORTER, XMPPC_CB_TLS_UNIQUE,
	                                      XMPPC_CB_TLS_SERVER_END_POINT};
	size_t i;

	if (!s->secured || (s->flags & XMPPC_SESSION_NO_CHANNEL_BINDING))
		return XMPPC_CB_NONE;
	if (s->feat.has_cb_list) {
		for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
			if (server_lists(s, order[i]) && usable(s, order[i]))
				return order[i];
		return XMPPC_CB_NONE;
	}
	if (s->tls_version < 0x0304 && usable(s, XMPPC_CB_TLS_UNIQUE))
		return XMPPC_CB_TLS_UNIQUE;
	return XMPPC_CB_NONE;
}

static int client_can_bind(const xmppc_session *s)
{
	int t;

	if (!s->secured || (s->flags & XMPPC_SESSION_NO_CHANNEL_BINDING))
		return 0;
	for (t = 1; t < XMPPC_CB_TYPE_COUNT; t++)
		if (usable(s, (xmppc_cb_type)t))
			return 1;
	return 0;
}

static int server_offers_plus(const xmppc_session *s)
{
	size_t i, n;

	for (i = 0; i < s->feat.n_mechanisms; i++) {
		n = strlen(s->feat.mechanisms[i]);
		if (n > 5 && strcmp(s->feat.mechanisms[i] + n - 5, "-PLUS") == 0)
			return 1;
	}
	return 0;
}

static int have_password(const xmppc_session *s)
{
	return s->password != NULL || s->password_fn != NULL;
}

static const xmppc_sasl_mechanism *choose(const xmppc_session *s, xmppc_cb_type *cb)
{
	size_t i;

	for (i = 0; i < s->n_mechs; i++) {
		const xmppc_sasl_mechanism *m = s->mechs[i];

		*cb = XMPPC_CB_NONE;
		if (!offered(s, m->name) || denied(s, m->name))
			continue;
		/* PLAIN only over TLS, or when both plaintext flags say so. */
		if ((m->flags & XMPPC_SASL_CLEARTEXT) && !s->secured &&
		    !(s->flags & XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS))
			continue;
		if ((m->flags & XMPPC_SASL_NEEDS_PASSWORD) && !have_password(s))
			continue;
		/* Never -PLUS without binding data. */
		if ((m->flags & XMPPC_SASL_CHANNEL_BINDING) && (*cb = pick_binding(s)) == XMPPC_CB_NONE)
			continue;
		return m;
	}
	return NULL;
}

/* ---- exchange ---------------------------------------------------------------- */

void xmppc__auth_reset(xmppc_session *s)
{
	if (s->mech != NULL && s->mech_state != NULL && s->mech->free_state != NULL)
		s->mech->free_state(s->mech_state);
	s->mech_state = NULL;
	if (s->pw_tmp.data != NULL)
		memset(s->pw_tmp.data, 0, s->pw_tmp.cap);
	xmppc_buf_clear(&s->pw_tmp);
	s->in_sasl = 0;
}

/* Send <auth/> or <response/> with base64 of `data` (or "=" for an empty
 * initial response, RFC 6120 §6.4.2); the trace gets "[redacted]". */
static int send_sasl(xmppc_session *s, const char *element, const char *mechanism,
                     const xmppc_buf *data, int empty_as_equals)
{
	xmppc_buf b;
	int rc;

	xmppc__buf_init(&b, s->ctx);
	rc = xmppc__buf_puts(&b, "<");
	if (rc == 0 && (rc = xmppc__buf_puts(&b, element)) == 0)
		rc = xmppc__buf_puts(&b, " xmlns='urn:ietf:params:xml:ns:xmpp-sasl'");
	if (rc == 0 && mechanism != NULL) {
		/* mechanism names are [A-Z0-9-_] (RFC 4422 §3.1): no escaping */
		if ((rc = xmppc__buf_puts(&b, " mechanism='")) == 0 && (rc = xmppc__buf_puts(&b, mechanism)) == 0)
			rc = xmppc__buf_putc(&b, '\'');
	}
	if (rc == 0 && (rc = xmppc__buf_putc(&b, '>')) == 0) {
		if (data->len > 0)
			rc = xmppc__base64_encode(&b, data->data + data->off, data->len);
		else if (empty_as_equals)
			rc = xmppc__buf_putc(&b, '=');
	}
	if (rc == 0 && (rc = xmppc__buf_puts(&b, "</")) == 0 && (rc = xmppc__buf_puts(&b, element)) == 0)
		rc = xmppc__buf_putc(&b, '>');
	if (rc == 0) {
		char t[160];
		int n = snprintf(t, sizeof(t), "<%s xmlns='urn:ietf:params:xml:ns:xmpp-sasl'%s%s%s>%s</%s>",
		                 element, mechanism ? " mechanism='" : "", mechanism ? mechanism : "",
		                 mechanism ? "'" : "", data->len > 0 ? "[redacted]" : "", element);
		size_t before = s->out.len;
		rc = xmppc__buf_put(&s->out, b.data + b.off, b.len);
		if (rc == 0)
			s->wipe_output = 1; /* credentials: wipe them once written */
		if (rc == 0)
			xmppc__session_output_grew(s, before);
		if (rc == 0 && n > 0)
			xmppc__trace(s, 1, t, (size_t)n < sizeof(t) ? (size_t)n : sizeof(t) - 1);
	}
	if (b.data != NULL)
		memset(b.data, 0, b.cap);
	xmppc__buf_fini(&b);
	return rc;
}

static void wipe(xmppc_buf *b)
{
	if (b->data != NULL)
		memset(b->data, 0, b->cap);
	xmppc__buf_fini(b);
}

int xmppc__auth_begin(xmppc_session *s)
{
	xmppc_sasl_params *p = &s->sasl_params;
	xmppc_cb_type cb = XMPPC_CB_NONE;
	const xmppc_sasl_mechanism *m = choose(s, &cb);
	xmppc_buf resp;
	int has = 0, rc;

	if (m == NULL)
		return XMPPC_ESASL_NO_MECHANISM;
	xmppc__auth_reset(s); /* never two exchanges' state at once */
	s->mech = m;
	s->challenges = 0;
	memset(p, 0, sizeof(*p));
	p->version = XMPPC_SASL_PARAMS_VERSION;
	p->ctx = s->ctx;
	p->authcid = xmppc_jid_local(s->account);
	p->authzid = s->authzid;
	p->domain = xmppc_jid_domain(s->account);
	p->secure = s->secured;
	if (m->flags & XMPPC_SASL_NEEDS_PASSWORD) {
		if (s->password != NULL) {
			p->password = s->password;
			p->password_len = s->password_len;
		} else {
			s->depth++;
			rc = s->password_fn(s->password_ud, &s->pw_tmp);
			s->depth--;
			if (rc != 0)
				return rc;
			if (s->doomed)
				return XMPPC_ECLOSED;
			if ((rc = xmppc__buf_putc(&s->pw_tmp, '\0')) != 0)
				return rc;
			p->password = s->pw_tmp.data + s->pw_tmp.off;
			p->password_len = s->pw_tmp.len - 1;
		}
	}
	p->cb_type = cb;
	if (cb != XMPPC_CB_NONE) {
		p->cb_data = (const unsigned char *)s->cb[cb].data + s->cb[cb].off;
		p->cb_data_len = s->cb[cb].len;
	}
	/* GS2 'y': we could bind, but the server shows no sign of binding
	 * (RFC 5802 §6). A man in the middle who strips -PLUS is caught by
	 * the real server when it sees 'y'. With a XEP-0440 list the server
	 * did show a sign, so 'n' (XEP-0474 business rule 6). */
	p->cb_supported_not_offered = cb == XMPPC_CB_NONE && client_can_bind(s) &&
	                              !server_offers_plus(s) && !s->feat.has_cb_list;
	p->server_mechanisms = (const char *const *)s->feat.mechanisms;
	p->n_server_mechanisms = s->feat.n_mechanisms;
	p->server_cb_types = s->feat.has_cb_list ? (const char *const *)s->feat.cb_types : NULL;
	p->n_server_cb_types = s->feat.n_cb_types;
	p->min_iterations = s->scram_min_iter;
	p->max_iterations = s->scram_max_iter;
	p->max_challenges = s->max_challenges;
	XMPPC_LOG(s->ctx, XMPPC_LOG_INFO, "session", "authenticating with %s%s%s", m->name,
	          cb != XMPPC_CB_NONE ? " over " : "", cb != XMPPC_CB_NONE ? xmppc_cb_type_name(cb) : "");
	xmppc__buf_init(&resp, s->ctx);
	rc = m->start(&s->mech_state, m, p, &resp, &has);
	if (rc == 0) {
		s->in_sasl = 1;
		rc = send_sasl(s, "auth", m->name, &resp, has);
	}
	wipe(&resp);
	return rc;
}

static const struct {
	const char *name;
	int code;
} failures[] = {
	{"aborted", XMPPC_EAUTH_ABORTED},
	{"account-disabled", XMPPC_EAUTH_ACCOUNT_DISABLED},
	{"credentials-expired", XMPPC_EAUTH_CREDENTIALS_EXPIRED},
	{"encryption-required", XMPPC_EAUTH_ENCRYPTION_REQUIRED},
	{"incorrect-encoding", XMPPC_EAUTH_INCORRECT_ENCODING},
	{"invalid-authzid", XMPPC_EAUTH_INVALID_AUTHZID},
	{"invalid-mechanism", XMPPC_EAUTH_INVALID_MECHANISM},
	{"malformed-request", XMPPC_EAUTH_MALFORMED_REQUEST},
	{"mechanism-too-weak", XMPPC_EAUTH_MECHANISM_TOO_WEAK},
	{"not-authorized", XMPPC_EAUTH_NOT_AUTHORIZED},
	{"temporary-auth-failure", XMPPC_EAUTH_TEMPORARY},
};

static int on_failure(xmppc_session *s, const xmppc_stanza *el)
{
	const xmppc_stanza *c;
	const char *text = NULL, *cond = NULL;
	int code = XMPPC_EAUTH_FAILURE;
	char msg[200];
	size_t i;

	for (c = xmppc_stanza_first_child(el); c != NULL; c = xmppc_stanza_next_sibling(c)) {
		if (xmppc_stanza_is_text(c) || xmppc_stanza_ns(c) == NULL ||
		    strcmp(xmppc_stanza_ns(c), XMPPC_NS_SASL) != 0)
			continue;
		if (strcmp(xmppc_stanza_name(c), "text") == 0)
			text = xmppc_stanza_text(c);
		else if (cond == NULL)
			cond = xmppc_stanza_name(c);
	}
	for (i = 0; cond != NULL && i < sizeof(failures) / sizeof(failures[0]); i++)
		if (strcmp(failures[i].name, cond) == 0)
			code = failures[i].code;
	if (cond != NULL)
		s->err_sasl_condition = xmppc__strndup(s->ctx, cond, strlen(cond));
	if (text != NULL)
		s->err_sasl_text = xmppc__strndup(s->ctx, text, strlen(text));
	snprintf(msg, sizeof(msg), "authentication failed (%s)%s%s", cond ? cond : "no condition",
	         text ? ": " : "", text ? text : "");
	/* No other mechanism is tried: a fallback after a failure is how a
	 * downgrade to a weaker mechanism would work. */
	xmppc__auth_reset(s);
	return xmppc__session_fail(s, code, msg);
}

static int decode_payload(const xmppc_stanza *el, xmppc_buf *out)
{
	const char *t = xmppc_stanza_text(el);
	size_t n = t != NULL ? strlen(t) : 0;
	int rc;

	if (t == NULL)
		return XMPPC_ENOMEM;
	if (n == 1 && t[0] == '=')
		return 0;
	rc = xmppc__base64_decode(out, t, n);
	return rc == XMPPC_EBASE64 ? XMPPC_ESASL_MALFORMED : rc;
}

int xmppc__auth_on_element(xmppc_session *s, xmppc_stanza *el)
{
	const char *name = xmppc_stanza_name(el);
	xmppc_buf in, out;
	int rc;

	if (s->mech == NULL || s->authenticated || s->mech_state == NULL)
		return xmppc__session_fail(s, XMPPC_EPROTOCOL, "unexpected SASL element");
	if (strcmp(name, "failure") == 0)
		return on_failure(s, el);
	if (strcmp(name, "challenge") != 0 && strcmp(name, "success") != 0)
		return xmppc__session_fail(s, XMPPC_EPROTOCOL, "unexpected SASL element");
	xmppc__buf_init(&in, s->ctx);
	xmppc__buf_init(&out, s->ctx);
	rc = decode_payload(el, &in);
	if (rc == 0 && strcmp(name, "challenge") == 0) {
		unsigned cap = s->max_challenges ? s->max_challenges : 8;
		if (++s->challenges > cap)
			rc = XMPPC_ESASL_TOO_MANY_CHALLENGES;
		else if ((rc = s->mech->step(s->mech_state, (const unsigned char *)in.data + in.off, in.len,
		                             &out)) == 0)
			rc = send_sasl(s, "response", NULL, &out, 0);
		if (rc != 0) {
			/* Tell the server we give up, then end the stream. */
			s->in_sasl = 0;
			xmppc__session_write_raw(s, "<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", 49);
		}
	} else if (rc == 0) {
		/* <success/>: a mutual mechanism must verify the server here; if
		 * it cannot, the session ends without binding anything. */
		rc = s->mech->success(s->mech_state, (const unsigned char *)in.data + in.off, in.len);
		if (rc == 0) {
			xmppc__auth_reset(s);
			s->authenticated = 1;
			s->restart_pending = 1;
			XMPPC_LOG(s->ctx, XMPPC_LOG_INFO, "session", "authenticated with %s", s->mech->name);
			xmppc__session_emit(s, XMPPC_EVENT_AUTHENTICATED, 0, XMPPC_STREAM_COND_NONE, NULL, NULL);
		}
	}
	wipe(&in);
	wipe(&out);
	if (rc != 0) {
		xmppc__auth_reset(s);
		return xmppc__session_fail(s, rc, NULL);
	}
	return 0;
}
