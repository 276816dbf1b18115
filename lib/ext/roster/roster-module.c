/* The roster module (RFC 6121 §2): attach/detach, the application's
 * event callback, the automatic fetch when a resource is bound, getters. */
#include <string.h>

#include "roster-internal.h"
#include "rp-util.h"

static roster_state *get(const xmppc_session *s)
{
	return s != NULL ? xmppc_session_module_state(s, XMPPC_ROSTER_MODULE_NAME) : NULL;
}

void xmppc__rs_emit(xmppc_session *s, roster_state *st, xmppc_roster_event_type type,
                    const xmppc_roster_item *item, int error, const xmppc_stanza *stanza)
{
	xmppc_roster_event ev;

	if (st->fn == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.version = XMPPC_ROSTER_EVENT_VERSION;
	ev.type = type;
	ev.item = item;
	ev.error = error;
	ev.stanza = stanza;
	st->fn(st->user_data, s, &ev);
}

static void on_event(void *ud, xmppc_session *s, const xmppc_session_event *ev)
{
	roster_state *st = ud;

	/* a fetch in flight fails with EDISCONNECTED on its own; a fresh
	 * server-side session needs a new fetch, a resumed one kept ours */
	if (xmppc_session_event_ends_state(s, ev))
		st->loaded = 0;
	if (ev->type == XMPPC_EVENT_BOUND && !(st->flags & XMPPC_ROSTER_NO_AUTO_FETCH)) {
		/* RFC 6121 §2.2: before initial presence, which the application
		 * sends from its own (later) event callback */
		int rc = xmppc_roster_fetch(s);

		if (rc != 0)
			xmppc__rs_emit(s, st, XMPPC_ROSTER_EVENT_FETCH_FAILED, NULL, rc, NULL);
	}
}

static void free_state(xmppc_session *s, roster_state *st)
{
	(void)s;
	if (st->destroy != NULL)
		st->destroy(st->user_data);
	if (st->has_store && st->store.destroy != NULL)
		st->store.destroy(st->store.user_data);
	xmppc__rs_clear(st->ctx, &st->items);
	xmppc_free(st->ctx, st->ver);
	xmppc_free(st->ctx, st->fetch_id);
	xmppc_free(st->ctx, st);
}

static void detach(xmppc_session *s, void *state)
{
	roster_state *st = state;

	if (st->tok_push != 0)
		xmppc_session_remove_handler(s, st->tok_push);
	if (st->tok_event != 0)
		xmppc_session_remove_handler(s, st->tok_event);
	free_state(s, st);
}

static int check_config(const xmppc_roster_config *c)
{
	if (c == NULL)
		return 0;
	if (c->version != XMPPC_ROSTER_CONFIG_VERSION ||
	    (c->flags & ~(XMPPC_ROSTER_NO_AUTO_FETCH | XMPPC_ROSTER_VERSIONING |
	                  XMPPC_ROSTER_SILENT_REFUSAL)) != 0)
		return XMPPC_EINVAL;
	if (c->store != NULL && c->store->version != XMPPC_ROSTER_STORE_VERSION)
		return XMPPC_EINVAL;
	return 0;
}

static int attach(xmppc_session *s, void *config, void **state)
{
	const xmppc_roster_config *c = config;
	xmppc_ctx *ctx = xmppc_session_ctx(s);
	roster_state *st;
	int rc;

	if ((rc = check_config(c)) != 0) {
		if (c != NULL && c->store != NULL && c->store->destroy != NULL)
			c->store->destroy(c->store->user_data);
		return rc;
	}
	if ((st = xmppc_calloc(ctx, 1, sizeof(*st))) == NULL) {
		if (c != NULL && c->store != NULL && c->store->destroy != NULL)
			c->store->destroy(c->store->user_data);
		return XMPPC_ENOMEM;
	}
	st->ctx = ctx;
	if (c != NULL) {
		st->flags = c->flags;
		if (c->store != NULL) {
			st->store = *c->store;
			st->has_store = 1;
		}
	}
	rc = xmppc_session_add_iq_handler(s, XMPPC_NS_ROSTER, "query", XMPPC_TYPE_SET,
	                                  xmppc__rs_on_push, st, NULL, &st->tok_push);
	if (rc == 0)
		rc = xmppc_session_add_event_listener(s, on_event, st, NULL, &st->tok_event);
	if (rc != 0) {
		detach(s, st);
		return rc;
	}
	/* the stored copy is there at once, for display before connecting */
	xmppc__rs_store_load(st);
	*state = st;
	return 0;
}

static const xmppc_module module = {
    .version = XMPPC_MODULE_VERSION,
    .name = XMPPC_ROSTER_MODULE_NAME,
    .attach = attach,
    .detach = detach,
};

XMPPC_API const xmppc_module *xmppc_roster_module(void)
{
	return &module;
}

XMPPC_API int xmppc_roster_set_event_fn(xmppc_session *s, xmppc_roster_event_fn fn, void *user_data,
                                        void (*destroy)(void *user_data))
{
	roster_state *st;

	if (s == NULL)
		return XMPPC_EINVAL;
	if ((st = get(s)) == NULL)
		return XMPPC_ENOTFOUND;
	if (st->destroy != NULL)
		st->destroy(st->user_data);
	st->fn = fn;
	st->user_data = user_data;
	st->destroy = destroy;
	return 0;
}

XMPPC_API int xmppc_roster_is_loaded(const xmppc_session *s)
{
	roster_state *st = get(s);

	return st != NULL && st->loaded;
}

XMPPC_API const char *xmppc_roster_ver(const xmppc_session *s)
{
	roster_state *st = get(s);

	return st != NULL ? st->ver : NULL;
}

XMPPC_API size_t xmppc_roster_count(const xmppc_session *s)
{
	roster_state *st = get(s);

	return st != NULL ? st->items.n : 0;
}

XMPPC_API const xmppc_roster_item *xmppc_roster_at(const xmppc_session *s, size_t index)
{
	roster_state *st = get(s);

	if (st == NULL || index >= st->items.n)
		return NULL;
	return &rs_at(&st->items, index)->pub;
}

XMPPC_API const xmppc_roster_item *xmppc_roster_find(const xmppc_session *s, const char *jid)
{
	roster_state *st = get(s);
	rs_item *it;
	char *n;

	if (st == NULL || xmppc__rp_norm(&n, st->ctx, jid, 0) != 0)
		return NULL;
	it = xmppc__rs_find(&st->items, n, NULL);
	xmppc_free(st->ctx, n);
	return it != NULL ? &it->pub : NULL;
}
