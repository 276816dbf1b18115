/* Helpers shared by the everyday-XEP modules (see xeps.h). Public API only. */
#include <string.h>

#include "xeps.h"

int xmppc__xeps_handle(xmppc_session *s, xeps_handlers *h, const char *ns, const char *element,
                       xmppc_stanza_type type, xmppc_iq_handler_fn fn, void *user_data)
{
	int rc;

	if (h->n >= XEPS_MAX_HANDLERS)
		return XMPPC_EINTERNAL;
	rc = xmppc_session_add_iq_handler(s, ns, element, type, fn, user_data, NULL,
	                                  &h->token[h->n]);
	if (rc == 0)
		h->n++;
	return rc;
}

static int bad_request(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	(void)ud;
	return xmppc__xeps_error(s, iq, XMPPC_ERRTYPE_MODIFY, XMPPC_COND_BAD_REQUEST);
}

int xmppc__xeps_handle_get(xmppc_session *s, xeps_handlers *h, const char *ns,
                           const char *element, xmppc_iq_handler_fn fn, void *user_data)
{
	int rc = xmppc__xeps_handle(s, h, ns, element, XMPPC_TYPE_GET, fn, user_data);

	if (rc == 0)
		rc = xmppc__xeps_handle(s, h, ns, element, XMPPC_TYPE_SET, bad_request, NULL);
	return rc;
}

void xmppc__xeps_unhandle(xmppc_session *s, xeps_handlers *h)
{
	while (h->n > 0)
		xmppc_session_remove_handler(s, h->token[--h->n]);
}

int xmppc__xeps_error(xmppc_session *s, const xmppc_stanza *req, xmppc_error_type type,
                      xmppc_stanza_condition cond)
{
	xmppc_stanza *err;
	int rc = xmppc_stanza_new_error_reply(&err, req, type, cond, NULL);

	if (rc != 0)
		return rc;
	rc = xmppc_session_send(s, err);
	xmppc_stanza_unref(err);
	return rc;
}

int xmppc__xeps_iq(xmppc_stanza **iq, xmppc_stanza **payload, xmppc_session *s,
                   xmppc_stanza_type type, const char *to, const char *name, const char *ns)
{
	xmppc_stanza *q;
	int rc = xmppc_iq_new(&q, xmppc_session_ctx(s), type, to, NULL);

	if (rc != 0)
		return rc;
	rc = xmppc_stanza_new_child(payload, q, name, ns);
	if (rc != 0) {
		xmppc_stanza_unref(q);
		return rc;
	}
	*iq = q;
	return 0;
}

int xmppc__xeps_from_account(xmppc_session *s, const xmppc_stanza *st)
{
	const char *from = xmppc_stanza_from(st);
	const xmppc_jid *me = xmppc_session_jid(s);
	xmppc_jid *f;
	int ok;

	if (from == NULL)
		return 1;
	if (me == NULL || xmppc_jid_new(&f, xmppc_session_ctx(s), from) != 0)
		return 0;
	/* The bare JID exactly: a full JID of ours is another client. */
	ok = xmppc_jid_is_bare(f) && xmppc_jid_bare_equal(f, me);
	xmppc_jid_unref(f);
	return ok;
}

static void call_reply(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	const xeps_call *c = ud;

	c->deliver(c, s, reply, error);
}

static void call_free(void *ud)
{
	xeps_call *c = ud;
	xmppc_ctx *ctx = c->ctx;

	if (c->destroy != NULL)
		c->destroy(c->user_data);
	xmppc_free(ctx, c);
	xmppc_ctx_unref(ctx);
}

int xmppc__xeps_call(xmppc_session *s, const xmppc_stanza *iq, uint32_t timeout_ms,
                     xeps_deliver_fn deliver, void (*fn)(void), void *user_data,
                     void (*destroy)(void *user_data))
{
	xmppc_ctx *ctx = xmppc_session_ctx(s);
	xeps_call *c = xmppc_calloc(ctx, 1, sizeof(*c));
	int rc;

	if (c == NULL)
		return XMPPC_ENOMEM;
	c->ctx = xmppc_ctx_ref(ctx);
	c->deliver = deliver;
	c->fn = fn;
	c->user_data = user_data;
	c->sent_ms = xmppc_ctx_now(ctx);
	rc = xmppc_session_send_iq(s, iq, call_reply, timeout_ms, c, call_free);
	if (rc != 0) {
		call_free(c); /* destroy is still NULL: the user's is not called */
		return rc;
	}
	c->destroy = destroy;
	return 0;
}

void xmppc__xeps_deliver_done(const xeps_call *call, xmppc_session *s, const xmppc_stanza *reply,
                              int error)
{
	xmppc_iq_reply_fn fn = (xmppc_iq_reply_fn)call->fn;

	if (fn != NULL)
		fn(call->user_data, s, reply, error);
}

char *xmppc__xeps_strdup(xmppc_session *s, const char *str)
{
	return str == NULL ? NULL : xmppc_strdup(xmppc_session_ctx(s), str);
}
