/* Stream negotiation (RFC 6120 §4-§7): our stream headers, the server's
 * header and features, STARTTLS hand-off, stream errors, resource binding
 * and the legacy session, and routing of every first-level element. */
#include <stdio.h>
#include <string.h>

#include "session/session-internal.h"
#include "util/ctx.h"
#include "xml/escape.h"

#define NS_SASL_CB "urn:xmpp:sasl-cb:0"

/* ---- our stream header --------------------------------------------- */

static int on_stream_start(void *ud, const xmppc_stanza *header, const char *content_ns);
static int on_parsed(void *ud, xmppc_stanza *el);

static const xmppc_parser_callbacks parser_cbs = {
	XMPPC_PARSER_CALLBACKS_VERSION, on_stream_start, on_parsed, NULL,
};

static int put_attr(xmppc_buf *b, const char *name, const char *value)
{
	int rc;

	if ((rc = xmppc__buf_putc(b, ' ')) != 0 || (rc = xmppc__buf_puts(b, name)) != 0 ||
	    (rc = xmppc__buf_put(b, "='", 2)) != 0 ||
	    (rc = xmppc__xml_escape_attr(b, value, strlen(value))) != 0)
		return rc;
	return xmppc__buf_putc(b, '\'');
}

/* A fresh parser and our stream header. 'from' only once the stream is
 * secured (RFC 6120 §4.7.1: it would leak the account name otherwise). */
int xmppc__session_open_stream(xmppc_session *s)
{
	xmppc_buf h;
	int rc;

	s->features_seen = 0;
	rc = xmppc_parser_new(&s->parser, s->ctx, &s->limits,
	                      s->authenticated ? XMPPC_PARSER_AUTHENTICATED : 0, &parser_cbs, s);
	if (rc != 0)
		return rc;
	xmppc__buf_init(&h, s->ctx);
	if ((rc = xmppc__buf_puts(&h, "<?xml version='1.0'?><stream:stream")) == 0 &&
	    (rc = put_attr(&h, "to", xmppc_jid_domain(s->account))) == 0 &&
	    (!s->secured || (rc = put_attr(&h, "from", xmppc_jid_bare(s->account))) == 0) &&
	    (rc = put_attr(&h, "version", "1.0")) == 0 && (rc = put_attr(&h, "xml:lang", s->lang)) == 0 &&
	    (rc = xmppc__buf_puts(&h, " xmlns='jabber:client' "
	                              "xmlns:stream='http://etherx.jabber.org/streams'>")) == 0)
		rc = xmppc__session_write_raw(s, h.data + h.off, h.len);
	xmppc__buf_fini(&h);
	if (rc == 0)
		s->stream_open = 1;
	return rc;
}

/* ---- the server's header ------------------------------------------------ */

static int on_stream_start(void *ud, const xmppc_stanza *header, const char *content_ns)
{
	xmppc_session *s = ud;
	const char *version = xmppc_stanza_attr(header, "version");
	const char *id = xmppc_stanza_attr(header, "id");

	/* RFC 6120 §4.7.5: no version means 0.9, which we do not speak; a
	 * major version other than 1 is not ours either. */
	if (version == NULL || strncmp(version, "1.", 2) != 0) {
		xmppc__session_fail(s, XMPPC_ESTREAM_VERSION, "the server does not speak XMPP 1.0");
		return XMPPC_ESTREAM_VERSION;
	}
	if (content_ns == NULL || strcmp(content_ns, XMPPC_NS_CLIENT) != 0) {
		xmppc__session_fail(s, XMPPC_EXML_INVALID_NAMESPACE, "the stream is not a jabber:client stream");
		return XMPPC_EXML_INVALID_NAMESPACE;
	}
	xmppc__free(s->ctx, s->stream_id);
	s->stream_id = id != NULL ? xmppc__strndup(s->ctx, id, strlen(id)) : NULL;
	if (id != NULL && s->stream_id == NULL) {
		xmppc__session_fail(s, XMPPC_ENOMEM, NULL);
		return XMPPC_ENOMEM;
	}
	return 0;
}

/* ---- features ------------------------------------------------------------- */

static void free_list(xmppc_session *s, char ***list, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		xmppc__free(s->ctx, (*list)[i]);
	xmppc__free(s->ctx, *list);
	*list = NULL;
	*n = 0;
}

void xmppc__features_clear(xmppc_session *s)
{
	free_list(s, &s->feat.mechanisms, &s->feat.n_mechanisms);
	free_list(s, &s->feat.cb_types, &s->feat.n_cb_types);
	xmppc_stanza_unref(s->feat.element);
	memset(&s->feat, 0, sizeof(s->feat));
}

static int push(xmppc_session *s, char ***list, size_t *n, const char *v)
{
	char **l = xmppc__realloc(s->ctx, *list, (*n + 1) * sizeof(char *));

	if (l == NULL)
		return XMPPC_ENOMEM;
	*list = l;
	l[*n] = xmppc__strndup(s->ctx, v, strlen(v));
	if (l[*n] == NULL)
		return XMPPC_ENOMEM;
	(*n)++;
	return 0;
}

static int read_features(xmppc_session *s, const xmppc_stanza *f)
{
	const xmppc_stanza *c, *m;
	int rc;

	xmppc__features_clear(s);
	/* kept whole for modules (roster versioning, pre-approval, ...) */
	if ((rc = xmppc_stanza_copy(&s->feat.element, f)) != 0)
		return rc;
	for (c = xmppc_stanza_first_child(f); c != NULL; c = xmppc_stanza_next_sibling(c)) {
		if (xmppc_stanza_is(c, "starttls", XMPPC_NS_TLS)) {
			s->feat.starttls = 1;
			s->feat.starttls_required = xmppc_stanza_find_child(c, "required", NULL) != NULL;
		} else if (xmppc_stanza_is(c, "mechanisms", XMPPC_NS_SASL)) {
			for (m = xmppc_stanza_find_child(c, "mechanism", XMPPC_NS_SASL); m != NULL;
			     m = xmppc_stanza_find_next(m, "mechanism", XMPPC_NS_SASL))
				if ((rc = push(s, &s->feat.mechanisms, &s->feat.n_mechanisms,
				               xmppc_stanza_text(m))) != 0)
					return rc;
		} else if (xmppc_stanza_is(c, "sasl-channel-binding", NS_SASL_CB)) {
			/* An empty list is not the same as no list: keep it non-NULL. */
			s->feat.has_cb_list = 1;
			if (s->feat.cb_types == NULL &&
			    (s->feat.cb_types = xmppc__calloc(s->ctx, 1, sizeof(char *))) == NULL)
				return XMPPC_ENOMEM;
			for (m = xmppc_stanza_find_child(c, "channel-binding", NS_SASL_CB); m != NULL;
			     m = xmppc_stanza_find_next(m, "channel-binding", NS_SASL_CB)) {
				const char *t = xmppc_stanza_attr(m, "type");
				if (t != NULL && (rc = push(s, &s->feat.cb_types, &s->feat.n_cb_types, t)) != 0)
					return rc;
			}
		} else if (xmppc_stanza_is(c, "bind", XMPPC_NS_BIND)) {
			s->feat.bind = 1;
		} else if (xmppc_stanza_is(c, "session", XMPPC_NS_SESSION)) {
			/* RFC 6121 dropped it; old servers may still need it. */
			s->feat.session_required = xmppc_stanza_find_child(c, "optional", NULL) == NULL;
		}
	}
	return 0;
}

static int send_bind(xmppc_session *s);

static int on_features(xmppc_session *s, const xmppc_stanza *f)
{
	int rc = read_features(s, f);

	if (rc != 0)
		return xmppc__session_fail(s, rc, NULL);
	if (!s->secured && !(s->flags & XMPPC_SESSION_ALLOW_PLAINTEXT)) {
		/* No credential byte before TLS: without STARTTLS we stop here. */
		if (!s->feat.starttls)
			return xmppc__session_fail(s, XMPPC_ETLS_REQUIRED,
			                           "the server does not offer STARTTLS");
		s->starttls_sent = 1;
		return xmppc__session_write_raw(s, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 51);
	}
	if (!s->authenticated) {
		int rrc;
		if (xmppc__register_begin(s, f, &rrc))
			return rrc; /* registration first (XMPPC_SESSION_REGISTER) */
		if (s->feat.n_mechanisms == 0)
			return xmppc__session_fail(s, XMPPC_ENO_FEATURES, "the server offers no SASL mechanism");
		s->state = XMPPC_SESSION_STATE_AUTHENTICATING;
		rc = xmppc__auth_begin(s);
		return rc != 0 ? xmppc__session_fail(s, rc, NULL) : 0;
	}
	if (!s->feat.bind)
		return xmppc__session_fail(s, XMPPC_EBIND, "the server offers no resource binding");
	if (xmppc__sm_try_resume(s))
		return 0; /* XEP-0198: the old stream comes back instead */
	return xmppc__session_bind(s);
}

/* ---- binding ---------------------------------------------------------------- */

void xmppc__session_ready(xmppc_session *s)
{
	s->state = XMPPC_SESSION_STATE_READY;
	XMPPC_LOG(s->ctx, XMPPC_LOG_INFO, "session", "bound as %s", xmppc_jid_full(s->bound));
	xmppc__session_emit(s, XMPPC_EVENT_BOUND, 0, XMPPC_STREAM_COND_NONE, NULL, NULL);
	xmppc__sm_after_ready(s);
}

/* Bound: enable stream management first when the server offers it. */
static void bound(xmppc_session *s)
{
	if (!xmppc__sm_after_bind(s))
		xmppc__session_ready(s);
}

static void iq_failure(xmppc_session *s, const xmppc_stanza *reply, int error, int code,
                       const char *what)
{
	xmppc_stanza_error_info info = {XMPPC_STANZA_ERROR_INFO_VERSION, 0, 0, NULL, NULL, NULL};
	char text[200];

	if (error != XMPPC_IQ_ERROR_REPLY) {
		xmppc__session_fail(s, error == XMPPC_EDISCONNECTED ? XMPPC_ECLOSED : error, what);
		return;
	}
	xmppc_stanza_get_error(&info, reply);
	if (info.condition == XMPPC_COND_CONFLICT && code == XMPPC_EBIND)
		code = XMPPC_EBIND_CONFLICT;
	snprintf(text, sizeof(text), "%s: %s%s%s", what, xmppc_stanza_condition_name(info.condition),
	         info.text != NULL ? ": " : "", info.text != NULL ? info.text : "");
	xmppc__session_fail(s, code, text);
}

static void on_session_reply(xmppc_session *s, const xmppc_stanza *reply, int error)
{
	if (error != 0) {
		iq_failure(s, reply, error, XMPPC_ESESSION, "session establishment failed");
		return;
	}
	bound(s);
}

static void on_bind_reply(xmppc_session *s, const xmppc_stanza *reply, int error)
{
	const xmppc_stanza *b, *j;
	xmppc_jid *jid;
	int rc;

	if (error != 0) {
		iq_failure(s, reply, error, XMPPC_EBIND, "resource binding failed");
		return;
	}
	b = xmppc_stanza_find_child(reply, "bind", XMPPC_NS_BIND);
	j = b != NULL ? xmppc_stanza_find_child(b, "jid", XMPPC_NS_BIND) : NULL;
	rc = j != NULL ? xmppc_jid_new(&jid, s->ctx, xmppc_stanza_text(j)) : XMPPC_EBIND;
	if (rc != 0) {
		xmppc__session_fail(s, rc == XMPPC_ENOMEM ? rc : XMPPC_EBIND, "the bind result has no valid JID");
		return;
	}
	if (xmppc_jid_resource(jid) == NULL) {
		xmppc_jid_unref(jid);
		xmppc__session_fail(s, XMPPC_EBIND, "the bound JID has no resource");
		return;
	}
	xmppc_jid_unref(s->bound);
	s->bound = jid;
	if (s->feat.session_required) {
		xmppc_stanza *iq = NULL;
		rc = xmppc_iq_new(&iq, s->ctx, XMPPC_TYPE_SET, NULL, NULL);
		if (rc == 0 && (rc = xmppc_stanza_new_child(NULL, iq, "session", XMPPC_NS_SESSION)) == 0)
			rc = xmppc__iq_send_internal(s, iq, on_session_reply);
		xmppc_stanza_unref(iq);
		if (rc != 0)
			xmppc__session_fail(s, rc, NULL);
		return;
	}
	bound(s);
}

static int send_bind(xmppc_session *s)
{
	xmppc_stanza *iq = NULL, *b;
	int rc = xmppc_iq_new(&iq, s->ctx, XMPPC_TYPE_SET, NULL, NULL);

	if (rc != 0)
		return rc;
	if ((rc = xmppc_stanza_new_child(&b, iq, "bind", XMPPC_NS_BIND)) == 0 && s->resource != NULL)
		rc = xmppc_stanza_new_text_child(NULL, b, "resource", NULL, s->resource);
	if (rc == 0)
		rc = xmppc__iq_send_internal(s, iq, on_bind_reply);
	xmppc_stanza_unref(iq);
	return rc;
}

int xmppc__session_bind(xmppc_session *s)
{
	int rc;

	s->state = XMPPC_SESSION_STATE_BINDING;
	rc = send_bind(s);
	return rc != 0 ? xmppc__session_fail(s, rc, NULL) : 0;
}

/* ---- stream errors --------------------------------------------------------- */

static void on_stream_error(xmppc_session *s, const xmppc_stanza *err)
{
	const xmppc_stanza *c, *cond_el = NULL, *text_el = NULL;
	xmppc_stream_condition cond = XMPPC_STREAM_COND_UNDEFINED_CONDITION;
	const char *host = NULL, *text = NULL;
	int code = XMPPC_ESTREAM_ERROR;

	for (c = xmppc_stanza_first_child(err); c != NULL; c = xmppc_stanza_next_sibling(c)) {
		if (xmppc_stanza_ns(c) == NULL || strcmp(xmppc_stanza_ns(c), XMPPC_NS_STREAM_ERRORS) != 0)
			continue;
		if (strcmp(xmppc_stanza_name(c), "text") == 0)
			text_el = text_el != NULL ? text_el : c;
		else if (cond_el == NULL)
			cond_el = c;
	}
	if (cond_el != NULL)
		cond = xmppc_stream_condition_from_name(xmppc_stanza_name(cond_el),
		                                        strlen(xmppc_stanza_name(cond_el)));
	if (text_el != NULL) {
		text = xmppc_stanza_text(text_el);
		s->err_condition_text = text ? xmppc__strndup(s->ctx, text, strlen(text)) : NULL;
	}
	s->err_condition = cond;
	s->err_sent = 0;
	if (cond == XMPPC_STREAM_COND_SEE_OTHER_HOST) {
		host = xmppc_stanza_text(cond_el);
		if (host != NULL && host[0] != '\0') {
			s->err_see_other_host = xmppc__strndup(s->ctx, host, strlen(host));
			code = XMPPC_ESEE_OTHER_HOST;
		}
	}
	XMPPC_LOG(s->ctx, XMPPC_LOG_WARN, "session", "stream error from the server: %s%s%s",
	          xmppc_stream_condition_name(cond), text ? ": " : "", text ? text : "");
	xmppc__session_emit(s, XMPPC_EVENT_STREAM_ERROR, code, cond, text, NULL);
	if (code == XMPPC_ESEE_OTHER_HOST && !s->doomed)
		xmppc__session_emit(s, XMPPC_EVENT_SEE_OTHER_HOST, code, cond, text, s->err_see_other_host);
	xmppc__session_fail(s, code, text != NULL ? text : xmppc_stream_condition_name(cond));
}

/* ---- routing of first-level elements ------------------------------------------ */

static int on_parsed(void *ud, xmppc_stanza *el)
{
	xmppc_session *s = ud;
	int rc;

	if (s->in_sasl)
		xmppc__trace_redacted(s, 0, el);
	else if (s->registering && !xmppc__trace_password_redacted(s, 0, el))
		xmppc__trace_redacted(s, 0, el); /* not SASL: traced as is */
	rc = xmppc__session_on_element(s, el);

	/* Pause the parser whenever the session must stop reading with it:
	 * failure, a stream restart, the TLS hand-off, or a free from a
	 * callback. */
	if (rc != 0 || s->doomed || s->restart_pending || s->state == XMPPC_SESSION_STATE_TLS ||
	    s->state == XMPPC_SESSION_STATE_FAILED || s->state == XMPPC_SESSION_STATE_CLOSED)
		return XMPPC_PARSER_PAUSE;
	return XMPPC_PARSER_CONTINUE;
}

int xmppc__session_on_element(xmppc_session *s, xmppc_stanza *el)
{
	const char *ns = xmppc_stanza_ns(el), *name = xmppc_stanza_name(el);
	xmppc_stanza_kind kind;

	if (ns == NULL)
		ns = "";
	if (strcmp(ns, XMPPC_NS_STREAMS) == 0) {
		if (strcmp(name, "error") == 0) {
			on_stream_error(s, el);
			return 0;
		}
		/* One <stream:features/> per stream (RFC 6120 §4.3.2): a second
		 * one would restart negotiation half-way. */
		if (strcmp(name, "features") == 0 && !s->features_seen) {
			s->features_seen = 1;
			return on_features(s, el);
		}
		return xmppc__session_fail(s, XMPPC_EPROTOCOL, "unexpected stream-level element");
	}
	if (strcmp(ns, XMPPC_NS_TLS) == 0) {
		if (!s->starttls_sent || s->secured)
			return xmppc__session_fail(s, XMPPC_EPROTOCOL, "unexpected STARTTLS element");
		if (strcmp(name, "proceed") == 0) {
			/* The plaintext stream is abandoned: no closing tag for it. */
			s->state = XMPPC_SESSION_STATE_TLS;
			s->stream_open = 0;
			xmppc__session_emit(s, XMPPC_EVENT_STARTTLS, 0, XMPPC_STREAM_COND_NONE, NULL, NULL);
			return 0;
		}
		return xmppc__session_fail(s, XMPPC_ETLS_FAILED, "the server refused STARTTLS");
	}
	if (strcmp(ns, XMPPC_NS_SASL) == 0)
		return xmppc__auth_on_element(s, el);
	if (strcmp(ns, "urn:xmpp:sm:3") == 0 && s->authenticated)
		return xmppc__sm_on_element(s, el);
	kind = xmppc_stanza_get_kind(el);
	if (strcmp(ns, XMPPC_NS_CLIENT) != 0 || kind == XMPPC_STANZA_OTHER) {
		/* Not a stanza: never dispatched as one. Extensions that use
		 * nonzas (stream management) hook in here later. */
		XMPPC_LOG(s->ctx, XMPPC_LOG_DEBUG, "session", "ignoring <%s xmlns='%s'/>", name, ns);
		return 0;
	}
	if (s->state == XMPPC_SESSION_STATE_CLOSING) {
		/* After our closing tag: not handled, so not counted (XEP-0198):
		 * the server treats it as unacknowledged and keeps it (offline
		 * storage) rather than it being lost here. */
		XMPPC_LOG(s->ctx, XMPPC_LOG_DEBUG, "session", "not handling a <%s/> after our closing tag", name);
		return 0;
	}
	xmppc__sm_count_in(s); /* XEP-0198: counted whatever becomes of it */
	if (s->registering && kind == XMPPC_STANZA_IQ) {
		int rc;
		if (xmppc__register_on_iq(s, el, &rc))
			return rc;
	}
	if (s->state == XMPPC_SESSION_STATE_READY) {
		int rc = xmppc__dispatch(s, el);
		return rc != 0 ? xmppc__session_fail(s, rc, NULL) : 0;
	}
	if (s->state == XMPPC_SESSION_STATE_BINDING && kind == XMPPC_STANZA_IQ) {
		int rc = xmppc__iq_on_reply(s, el);
		return rc != 0 ? xmppc__session_fail(s, rc, NULL) : 0;
	}
	XMPPC_LOG(s->ctx, XMPPC_LOG_DEBUG, "session", "ignoring a <%s/> before resource binding", name);
	return 0;
}
