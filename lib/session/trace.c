/* The context's wire trace, fed by the session; SASL payloads never reach
 * it (they carry passwords or password-derived proofs). */
#include <stdio.h>
#include <string.h>

#include "session/session-internal.h"
#include "util/ctx.h"

void xmppc__trace(xmppc_session *s, int outgoing, const char *data, size_t len)
{
	if (s->ctx->trace_fn != NULL && len > 0)
		s->ctx->trace_fn(s->ctx->trace_ud, outgoing ? XMPPC_TRACE_OUT : XMPPC_TRACE_IN, data, len);
}

void xmppc__trace_redacted(xmppc_session *s, int outgoing, const xmppc_stanza *el)
{
	const char *ns = xmppc_stanza_ns(el);
	char line[256];
	int n;

	if (s->ctx->trace_fn == NULL)
		return;
	if (ns != NULL && strcmp(ns, XMPPC_NS_SASL) == 0) {
		const char *t = xmppc_stanza_text(el);
		n = snprintf(line, sizeof(line), "<%s xmlns='%s'>%s</%s>", xmppc_stanza_name(el), ns,
		             t != NULL && t[0] != '\0' && xmppc_stanza_child_count(el) == 0 ? "[redacted]" : "",
		             xmppc_stanza_name(el));
		if (strcmp(xmppc_stanza_name(el), "failure") != 0) {
			xmppc__trace(s, outgoing, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
			return;
		}
	}
	{
		/* not a SASL payload (a failure's condition, a stream error): as is */
		xmppc_buf b;
		xmppc__buf_init(&b, s->ctx);
		if (xmppc_stanza_to_xml(&b, el, XMPPC_NS_CLIENT) == 0)
			xmppc__trace(s, outgoing, b.data + b.off, b.len);
		xmppc__buf_fini(&b);
	}
}

int xmppc__trace_password_redacted(xmppc_session *s, int outgoing, const xmppc_stanza *st)
{
	const xmppc_stanza *q;
	xmppc_stanza *copy, *cq, *pw;
	xmppc_buf b;

	if (s->ctx->trace_fn == NULL || xmppc_stanza_get_kind(st) != XMPPC_STANZA_IQ ||
	    (q = xmppc_stanza_find_child(st, "query", "jabber:iq:register")) == NULL ||
	    xmppc_stanza_find_child(q, "password", NULL) == NULL)
		return 0;
	if (xmppc_stanza_copy(&copy, st) != 0) {
		xmppc__trace(s, outgoing, "<iq>[redacted: holds a password]</iq>", 37);
		return 1;
	}
	cq = xmppc_stanza_find_child(copy, "query", "jabber:iq:register");
	while ((pw = xmppc_stanza_find_child(cq, "password", NULL)) != NULL)
		xmppc_stanza_remove_child(cq, pw);
	xmppc_stanza_new_text_child(&pw, cq, "password", NULL, "[redacted]");
	xmppc__buf_init(&b, s->ctx);
	if (xmppc_stanza_to_xml(&b, copy, XMPPC_NS_CLIENT) == 0)
		xmppc__trace(s, outgoing, b.data + b.off, b.len);
	else
		xmppc__trace(s, outgoing, "<iq>[redacted: holds a password]</iq>", 37);
	xmppc__buf_fini(&b);
	xmppc_stanza_unref(copy);
	return 1;
}
