/* XEP-0191 Blocking Command: get/block/unblock, and the server's pushes.
 * Pushes are IQ sets that change what the client believes is blocked; a
 * third party must not be able to forge one, so only our own account is
 * believed (the rule of RFC 6121 §2.1.6 for roster pushes, which XEP-0191
 * §3.3 pushes are modelled on). */
#include <string.h>

#include <xmppc/blocking.h>

#include "xeps.h"

typedef struct blocking_state {
	xeps_handlers h;
	xmppc_blocking_push_fn on_push;
	void *user_data;
	void (*destroy)(void *);
} blocking_state;

/* The 'jid' of every <item/> of @el; *jids is allocated on the context
 * (NULL when there are none). XMPPC_EPROTOCOL for an item without one. */
static int collect(const char ***jids, size_t *n, xmppc_session *s, const xmppc_stanza *el)
{
	const xmppc_stanza *it;
	const char **v;
	size_t k = 0, cap = xmppc_stanza_child_count(el);

	*jids = NULL;
	*n = 0;
	if (cap == 0)
		return 0;
	v = xmppc_calloc(xmppc_session_ctx(s), cap, sizeof(*v));
	if (v == NULL)
		return XMPPC_ENOMEM;
	for (it = xmppc_stanza_find_child(el, "item", XMPPC_NS_BLOCKING); it != NULL;
	     it = xmppc_stanza_find_next(it, "item", XMPPC_NS_BLOCKING)) {
		const char *j = xmppc_stanza_attr(it, "jid");
		if (j == NULL || j[0] == '\0') {
			xmppc_free(xmppc_session_ctx(s), v);
			return XMPPC_EPROTOCOL;
		}
		v[k++] = j;
	}
	*jids = v;
	*n = k;
	return 0;
}

static int push(xmppc_session *s, blocking_state *st, const xmppc_stanza *iq, int blocked)
{
	const xmppc_stanza *el;
	const char **jids;
	xmppc_stanza *res;
	size_t n;
	int rc;

	if (!xmppc__xeps_from_account(s, iq))
		return xmppc__xeps_error(s, iq, XMPPC_ERRTYPE_CANCEL, XMPPC_COND_SERVICE_UNAVAILABLE);
	el = xmppc_stanza_find_child(iq, blocked ? "block" : "unblock", XMPPC_NS_BLOCKING);
	rc = collect(&jids, &n, s, el);
	if (rc == XMPPC_EPROTOCOL || (rc == 0 && blocked && n == 0)) {
		xmppc_free(xmppc_session_ctx(s), jids);
		return xmppc__xeps_error(s, iq, XMPPC_ERRTYPE_MODIFY, XMPPC_COND_BAD_REQUEST);
	}
	if (rc != 0)
		return rc;
	if ((rc = xmppc_iq_new_result(&res, iq)) == 0) {
		rc = xmppc_session_send(s, res);
		xmppc_stanza_unref(res);
	}
	if (rc == 0 && st->on_push != NULL)
		st->on_push(st->user_data, s, blocked, jids, n);
	xmppc_free(xmppc_session_ctx(s), jids);
	return rc;
}

static int on_block(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	return push(s, ud, iq, 1);
}

static int on_unblock(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	return push(s, ud, iq, 0);
}

static void detach(xmppc_session *s, void *state)
{
	blocking_state *st = state;

	xmppc__xeps_unhandle(s, &st->h);
	if (st->destroy != NULL)
		st->destroy(st->user_data);
	xmppc_free(xmppc_session_ctx(s), st);
}

static int attach(xmppc_session *s, void *config, void **state)
{
	const xmppc_blocking_config *c = config;
	blocking_state *st;
	int rc;

	if (c != NULL && c->version != XMPPC_BLOCKING_CONFIG_VERSION)
		return XMPPC_EINVAL;
	st = xmppc_calloc(xmppc_session_ctx(s), 1, sizeof(*st));
	if (st == NULL)
		return XMPPC_ENOMEM;
	if ((rc = xmppc__xeps_handle(s, &st->h, XMPPC_NS_BLOCKING, "block", XMPPC_TYPE_SET, on_block,
	                             st)) != 0 ||
	    (rc = xmppc__xeps_handle(s, &st->h, XMPPC_NS_BLOCKING, "unblock", XMPPC_TYPE_SET,
	                             on_unblock, st)) != 0) {
		detach(s, st);
		return rc;
	}
	if (c != NULL) {
		st->on_push = c->on_push;
		st->user_data = c->user_data;
		st->destroy = c->destroy;
	}
	*state = st;
	return 0;
}

/* No disco feature: urn:xmpp:blocking is the server's. */
static const xmppc_module module = {
    .version = XMPPC_MODULE_VERSION,
    .name = XMPPC_BLOCKING_MODULE_NAME,
    .attach = attach,
    .detach = detach,
};

XMPPC_API const xmppc_module *xmppc_blocking_module(void)
{
	return &module;
}

static void deliver_list(const xeps_call *c, xmppc_session *s, const xmppc_stanza *reply,
                         int error)
{
	xmppc_blocklist_fn fn = (xmppc_blocklist_fn)c->fn;
	const char **jids = NULL;
	size_t n = 0;

	if (error == 0) {
		const xmppc_stanza *bl = xmppc_stanza_find_child(reply, "blocklist", XMPPC_NS_BLOCKING);
		error = bl == NULL ? XMPPC_EPROTOCOL : collect(&jids, &n, s, bl);
	}
	fn(c->user_data, s, error == 0 ? jids : NULL, error == 0 ? n : 0, reply, error);
	xmppc_free(c->ctx, jids);
}

XMPPC_API int xmppc_blocking_get(xmppc_session *s, xmppc_blocklist_fn fn, void *user_data,
                                 void (*destroy)(void *user_data))
{
	xmppc_stanza *iq, *q;
	int rc;

	if (s == NULL || fn == NULL)
		return XMPPC_EINVAL;
	rc = xmppc__xeps_iq(&iq, &q, s, XMPPC_TYPE_GET, NULL, "blocklist", XMPPC_NS_BLOCKING);
	if (rc != 0)
		return rc;
	rc = xmppc__xeps_call(s, iq, 0, deliver_list, (void (*)(void))fn, user_data, destroy);
	xmppc_stanza_unref(iq);
	return rc;
}

static int change(xmppc_session *s, const char *what, const char *const *jids, size_t n,
                  xmppc_iq_reply_fn fn, void *user_data, void (*destroy)(void *))
{
	xmppc_stanza *iq, *el, *it;
	xmppc_jid *j;
	size_t i;
	int rc;

	if (s == NULL || (n > 0 && jids == NULL))
		return XMPPC_EINVAL;
	if ((rc = xmppc__xeps_iq(&iq, &el, s, XMPPC_TYPE_SET, NULL, what, XMPPC_NS_BLOCKING)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		if (jids[i] == NULL) {
			rc = XMPPC_EINVAL;
			break;
		}
		if ((rc = xmppc_jid_new(&j, xmppc_session_ctx(s), jids[i])) != 0)
			break;
		if ((rc = xmppc_stanza_new_child(&it, el, "item", NULL)) == 0)
			rc = xmppc_stanza_set_attr(it, "jid", xmppc_jid_full(j));
		xmppc_jid_unref(j);
	}
	if (rc == 0)
		rc = xmppc__xeps_call(s, iq, 0, xmppc__xeps_deliver_done, (void (*)(void))fn,
		                      user_data, destroy);
	xmppc_stanza_unref(iq);
	return rc;
}

XMPPC_API int xmppc_blocking_block(xmppc_session *s, const char *const *jids, size_t n,
                                   xmppc_iq_reply_fn fn, void *user_data,
                                   void (*destroy)(void *user_data))
{
	if (n == 0)
		return XMPPC_EINVAL;
	return change(s, "block", jids, n, fn, user_data, destroy);
}

XMPPC_API int xmppc_blocking_unblock(xmppc_session *s, const char *const *jids, size_t n,
                                     xmppc_iq_reply_fn fn, void *user_data,
                                     void (*destroy)(void *user_data))
{
	return change(s, "unblock", jids, n, fn, user_data, destroy);
}
