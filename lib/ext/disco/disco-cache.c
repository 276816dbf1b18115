/* The disco result cache: (info|items, JID, node) -> a copy of the
 * result's <query/>, most recent first, bounded in age and number. */
#include <string.h>

#include "disco-internal.h"

static void entry_free(disco_state *st, disco_entry *e)
{
	xmppc_stanza_unref(e->query);
	xmppc_free(st->ctx, e->jid);
	xmppc_free(st->ctx, e->node);
	xmppc_free(st->ctx, e);
}

void xmppc__disco_cache_free(disco_state *st)
{
	while (st->cache != NULL) {
		disco_entry *e = st->cache;
		st->cache = e->next;
		entry_free(st, e);
	}
	st->cache_n = 0;
}

/* Unlink and return the entry for the key (expired ones are dropped). */
static disco_entry *take(disco_state *st, int items, const char *jid, const char *node)
{
	uint64_t now = xmppc_ctx_now(st->ctx);
	disco_entry **pp = &st->cache, *e;

	while ((e = *pp) != NULL) {
		if (now - e->at >= st->ttl) {
			*pp = e->next;
			st->cache_n--;
			entry_free(st, e);
			continue;
		}
		if (e->items == items && strcmp(e->jid, jid) == 0 && xmppc__disco_streq(e->node, node) &&
		    (e->node == NULL) == (node == NULL)) {
			*pp = e->next;
			st->cache_n--;
			return e;
		}
		pp = &e->next;
	}
	return NULL;
}

const xmppc_stanza *xmppc__disco_cache_get(disco_state *st, int items, const char *jid,
                                           const char *node)
{
	disco_entry *e = take(st, items, jid, node);

	if (e == NULL)
		return NULL;
	e->next = st->cache; /* most recently used first */
	st->cache = e;
	st->cache_n++;
	return e->query;
}

int xmppc__disco_cache_put(disco_state *st, int items, const char *jid, const char *node,
                           const xmppc_stanza *query)
{
	disco_entry *e = take(st, items, jid, node), **pp;
	size_t n;

	if (e != NULL)
		entry_free(st, e);
	e = xmppc_calloc(st->ctx, 1, sizeof(*e));
	if (e == NULL)
		return XMPPC_ENOMEM;
	e->items = items;
	e->at = xmppc_ctx_now(st->ctx);
	if ((e->jid = xmppc_strdup(st->ctx, jid)) == NULL ||
	    (node != NULL && (e->node = xmppc_strdup(st->ctx, node)) == NULL) ||
	    xmppc_stanza_copy(&e->query, query) != 0) {
		entry_free(st, e);
		return XMPPC_ENOMEM;
	}
	e->next = st->cache;
	st->cache = e;
	st->cache_n++;
	/* over the bound: drop the least recently used */
	for (n = 1, pp = &st->cache; *pp != NULL; n++, pp = &(*pp)->next)
		if (n > st->cache_max) {
			while (*pp != NULL) {
				disco_entry *x = *pp;
				*pp = x->next;
				st->cache_n--;
				entry_free(st, x);
			}
			break;
		}
	return 0;
}

XMPPC_API int xmppc_disco_cache_clear(xmppc_session *session)
{
	disco_state *st;

	if (session == NULL)
		return XMPPC_EINVAL;
	if ((st = xmppc__disco_state(session)) == NULL)
		return XMPPC_ESTATE;
	xmppc__disco_cache_free(st);
	return 0;
}
