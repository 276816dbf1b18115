/* XEP-0049 Private XML Storage: one element per (name, namespace). */
#include <string.h>

#include <xmppc/private.h>

#include "xeps.h"

static int attach(xmppc_session *s, void *config, void **state)
{
	(void)s;
	*state = NULL;
	return config == NULL ? 0 : XMPPC_EINVAL;
}

static const xmppc_module module = {
    .version = XMPPC_MODULE_VERSION,
    .name = XMPPC_PRIVATE_MODULE_NAME,
    .attach = attach,
};

XMPPC_API const xmppc_module *xmppc_private_module(void)
{
	return &module;
}

/* XEP-0049 §3: the payload must be namespaced, and not in the jabber:
 * namespaces of the protocol itself (servers answer not-acceptable). */
static int ns_allowed(const char *ns)
{
	return ns != NULL && ns[0] != '\0' && strcmp(ns, XMPPC_NS_CLIENT) != 0 &&
	       strcmp(ns, XMPPC_NS_SERVER) != 0 && strcmp(ns, XMPPC_NS_PRIVATE) != 0;
}

/* What the reply must hold: the (name, ns) asked for, kept in the call. */
typedef struct want {
	xmppc_ctx *ctx;
	char *name;
	char *ns;
	void *user_data;
	void (*destroy)(void *);
} want;

static void want_free(void *ud)
{
	want *w = ud;
	xmppc_ctx *ctx = w->ctx;

	if (w->destroy != NULL)
		w->destroy(w->user_data);
	xmppc_free(ctx, w->name);
	xmppc_free(ctx, w->ns);
	xmppc_free(ctx, w);
}

static void deliver(const xeps_call *c, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	xmppc_private_fn fn = (xmppc_private_fn)c->fn;
	const want *w = c->user_data;
	const xmppc_stanza *q, *el = NULL;

	if (error == 0) {
		q = xmppc_stanza_find_child(reply, "query", XMPPC_NS_PRIVATE);
		el = q ? xmppc_stanza_find_child(q, w->name, w->ns) : NULL;
		if (el == NULL)
			error = XMPPC_EPROTOCOL;
	}
	fn(w->user_data, s, el, reply, error);
}

XMPPC_API int xmppc_private_get(xmppc_session *s, const char *name, const char *ns,
                                xmppc_private_fn fn, void *user_data,
                                void (*destroy)(void *user_data))
{
	xmppc_ctx *ctx;
	xmppc_stanza *iq, *q;
	want *w;
	int rc;

	if (s == NULL || fn == NULL || name == NULL || !ns_allowed(ns))
		return XMPPC_EINVAL;
	ctx = xmppc_session_ctx(s);
	if ((rc = xmppc__xeps_iq(&iq, &q, s, XMPPC_TYPE_GET, NULL, "query", XMPPC_NS_PRIVATE)) != 0)
		return rc;
	if ((rc = xmppc_stanza_new_child(NULL, q, name, ns)) != 0) {
		xmppc_stanza_unref(iq);
		return rc;
	}
	w = xmppc_calloc(ctx, 1, sizeof(*w));
	if (w == NULL || (w->name = xmppc_strdup(ctx, name)) == NULL ||
	    (w->ns = xmppc_strdup(ctx, ns)) == NULL) {
		if (w != NULL)
			xmppc_free(ctx, w->name);
		xmppc_free(ctx, w);
		xmppc_stanza_unref(iq);
		return XMPPC_ENOMEM;
	}
	w->ctx = ctx;
	w->user_data = user_data;
	rc = xmppc__xeps_call(s, iq, 0, deliver, (void (*)(void))fn, w, want_free);
	xmppc_stanza_unref(iq);
	if (rc != 0)
		want_free(w); /* destroy still NULL: the user's is not called */
	else
		w->destroy = destroy;
	return rc;
}

XMPPC_API int xmppc_private_set(xmppc_session *s, const xmppc_stanza *element,
                                xmppc_iq_reply_fn fn, void *user_data,
                                void (*destroy)(void *user_data))
{
	xmppc_stanza *iq, *q;
	int rc;

	if (s == NULL || element == NULL || xmppc_stanza_is_text(element) ||
	    !ns_allowed(xmppc_stanza_ns(element)))
		return XMPPC_EINVAL;
	if ((rc = xmppc__xeps_iq(&iq, &q, s, XMPPC_TYPE_SET, NULL, "query", XMPPC_NS_PRIVATE)) != 0)
		return rc;
	if ((rc = xmppc_stanza_add_child(NULL, q, element)) == 0)
		rc = xmppc__xeps_call(s, iq, 0, xmppc__xeps_deliver_done, (void (*)(void))fn,
		                      user_data, destroy);
	xmppc_stanza_unref(iq);
	return rc;
}
