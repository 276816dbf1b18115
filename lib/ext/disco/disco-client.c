/* Disco queries (XEP-0030 §3.1, §4.1). Replies are matched by the session
 * on id and sender, so a cached result always came from the JID asked. */
#include <string.h>

#include "disco-internal.h"

static void query_destroy(void *ud)
{
	disco_query *q = ud;
	xmppc_ctx *ctx = q->ctx;

	if (q->st != NULL) {
		disco_query **pp;
		for (pp = &q->st->queries; *pp != NULL; pp = &(*pp)->next)
			if (*pp == q) {
				*pp = q->next;
				break;
			}
	}
	if (q->destroy != NULL)
		q->destroy(q->ud);
	xmppc_free(ctx, q->jid);
	xmppc_free(ctx, q->node);
	xmppc_free(ctx, q);
	xmppc_ctx_unref(ctx);
}

static void on_reply(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	disco_query *q = ud;
	const xmppc_stanza *query = NULL;

	if (error == 0) {
		query = xmppc_stanza_find_child(reply, "query",
		                                q->items ? XMPPC_NS_DISCO_ITEMS : XMPPC_NS_DISCO_INFO);
		if (query == NULL)
			error = XMPPC_EPROTOCOL;
		else if (q->st != NULL)
			(void)xmppc__disco_cache_put(q->st, q->items, q->jid, q->node, query);
	}
	q->fn(q->ud, s, query, reply, error);
}

static int get(xmppc_session *s, int items, const char *jid, const char *node, unsigned flags,
               xmppc_disco_result_fn fn, void *ud, void (*destroy)(void *))
{
	disco_state *st;
	disco_query *q;
	xmppc_jid *j = NULL;
	xmppc_stanza *iq = NULL, *child;
	const xmppc_stanza *cached;
	int rc;

	if (s == NULL || jid == NULL || fn == NULL || (flags & ~XMPPC_DISCO_FRESH) != 0)
		return XMPPC_EINVAL;
	if ((st = xmppc__disco_state(s)) == NULL ||
	    xmppc_session_get_state(s) != XMPPC_SESSION_STATE_READY)
		return XMPPC_ESTATE;
	if ((rc = xmppc_jid_new(&j, st->ctx, jid)) != 0)
		return rc;
	jid = xmppc_jid_full(j); /* the normalized form keys the cache */
	if (!(flags & XMPPC_DISCO_FRESH) && (cached = xmppc__disco_cache_get(st, items, jid, node))) {
		xmppc_jid_unref(j);
		fn(ud, s, cached, NULL, 0);
		if (destroy != NULL)
			destroy(ud);
		return 0;
	}
	q = xmppc_calloc(st->ctx, 1, sizeof(*q));
	if (q == NULL) {
		xmppc_jid_unref(j);
		return XMPPC_ENOMEM;
	}
	q->ctx = xmppc_ctx_ref(st->ctx);
	q->items = items;
	q->fn = fn;
	rc = XMPPC_ENOMEM;
	if ((q->jid = xmppc_strdup(st->ctx, jid)) == NULL ||
	    (node != NULL && (q->node = xmppc_strdup(st->ctx, node)) == NULL))
		goto fail;
	if ((rc = xmppc_iq_new(&iq, st->ctx, XMPPC_TYPE_GET, jid, NULL)) != 0 ||
	    (rc = xmppc_stanza_new_child(&child, iq, "query",
	                                 items ? XMPPC_NS_DISCO_ITEMS : XMPPC_NS_DISCO_INFO)) != 0 ||
	    (node != NULL && (rc = xmppc_stanza_set_attr(child, "node", node)) != 0))
		goto fail;
	if ((rc = xmppc_session_send_iq(s, iq, on_reply, st->timeout, q, query_destroy)) != 0)
		goto fail;
	/* from here the session owns q: query_destroy frees it */
	q->ud = ud;
	q->destroy = destroy;
	q->st = st;
	q->next = st->queries;
	st->queries = q;
	xmppc_stanza_unref(iq);
	xmppc_jid_unref(j);
	return 0;
fail:
	xmppc_stanza_unref(iq);
	xmppc_jid_unref(j);
	query_destroy(q); /* ud/destroy not set yet: the caller's data is untouched */
	return rc;
}

XMPPC_API int xmppc_disco_get_info(xmppc_session *session, const char *jid, const char *node,
                                   unsigned flags, xmppc_disco_result_fn fn, void *user_data,
                                   void (*destroy)(void *user_data))
{
	return get(session, 0, jid, node, flags, fn, user_data, destroy);
}

XMPPC_API int xmppc_disco_get_items(xmppc_session *session, const char *jid, const char *node,
                                    unsigned flags, xmppc_disco_result_fn fn, void *user_data,
                                    void (*destroy)(void *user_data))
{
	return get(session, 1, jid, node, flags, fn, user_data, destroy);
}

XMPPC_API const xmppc_stanza *xmppc_disco_cached_info(xmppc_session *session, const char *jid,
                                                      const char *node)
{
	disco_state *st;
	xmppc_jid *j;
	const xmppc_stanza *q;

	if (session == NULL || jid == NULL || (st = xmppc__disco_state(session)) == NULL ||
	    xmppc_jid_new(&j, st->ctx, jid) != 0)
		return NULL;
	q = xmppc__disco_cache_get(st, 0, xmppc_jid_full(j), node);
	xmppc_jid_unref(j);
	return q;
}
