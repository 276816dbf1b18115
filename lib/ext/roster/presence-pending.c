/* Subscription requests not answered yet (RFC 6121 §3.1.3): the server
 * delivers them again at each login, so the list lives per stream. */
#include <string.h>

#include "presence-internal.h"

static long find(const presence_state *st, const char *bare)
{
	size_t i;

	for (i = 0; i < st->n_pending; i++)
		if (strcmp(st->pending[i], bare) == 0)
			return (long)i;
	return -1;
}

int xmppc__ps_pending_add(presence_state *st, const char *bare)
{
	char **v;

	if (find(st, bare) >= 0)
		return 0;
	if ((v = xmppc_realloc(st->ctx, st->pending, (st->n_pending + 1) * sizeof(*v))) == NULL)
		return XMPPC_ENOMEM;
	st->pending = v;
	if ((v[st->n_pending] = xmppc_strdup(st->ctx, bare)) == NULL)
		return XMPPC_ENOMEM;
	st->n_pending++;
	return 0;
}

void xmppc__ps_pending_remove(presence_state *st, const char *bare)
{
	long i = find(st, bare);

	if (i < 0)
		return;
	xmppc_free(st->ctx, st->pending[i]);
	memmove(st->pending + i, st->pending + i + 1,
	        (st->n_pending - (size_t)i - 1) * sizeof(*st->pending));
	st->n_pending--;
}

void xmppc__ps_pending_clear(presence_state *st)
{
	size_t i;

	for (i = 0; i < st->n_pending; i++)
		xmppc_free(st->ctx, st->pending[i]);
	xmppc_free(st->ctx, st->pending);
	st->pending = NULL;
	st->n_pending = 0;
}

XMPPC_API size_t xmppc_presence_pending_count(const xmppc_session *s)
{
	presence_state *st =
	    s != NULL ? xmppc_session_module_state(s, XMPPC_PRESENCE_MODULE_NAME) : NULL;

	return st != NULL ? st->n_pending : 0;
}

XMPPC_API const char *xmppc_presence_pending_at(const xmppc_session *s, size_t index)
{
	presence_state *st =
	    s != NULL ? xmppc_session_module_state(s, XMPPC_PRESENCE_MODULE_NAME) : NULL;

	return st != NULL && index < st->n_pending ? st->pending[index] : NULL;
}
