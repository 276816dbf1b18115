/* The presence module (RFC 6121 §3-4): an observer of every presence that
 * keeps the tracking and the pending requests and tells the application. */
#include <string.h>

#include "presence-internal.h"

typedef struct emit_ctx {
	xmppc_session *s;
	presence_state *st;
	xmppc_presence_event ev;
} emit_ctx;

static void emit(emit_ctx *e)
{
	if (e->st->fn != NULL)
		e->st->fn(e->st->user_data, e->s, &e->ev);
}

static void emit_gone(void *ud, const ps_res *r)
{
	emit_ctx *e = ud;

	e->ev.info = &r->pub;
	e->ev.jid = r->jid;
	emit(e);
}

/* An unavailable presence or an error: the resource (all of them, for a
 * bare JID) is offline. An unavailable presence from a full JID that was
 * online gives an event with its last state; everything else one event
 * without info. */
static void gone(emit_ctx *e, const xmppc_jid *j)
{
	const char *full = xmppc_jid_is_bare(j) ? NULL : xmppc_jid_full(j);

	if (e->ev.type == XMPPC_PRESENCE_EVENT_UNAVAILABLE && full != NULL) {
		xmppc__ps_remove(e->st, xmppc_jid_bare(j), full, emit_gone, e);
		if (e->ev.info != NULL)
			return;
	} else {
		xmppc__ps_remove(e->st, xmppc_jid_bare(j), full, NULL, NULL);
	}
	emit(e);
}

static void on_available(emit_ctx *e, const xmppc_jid *j, const xmppc_stanza *p)
{
	ps_res *r;
	int rc;

	if ((rc = xmppc__ps_update(&r, e->st, xmppc_jid_bare(j), xmppc_jid_full(j), p)) != 0) {
		xmppc_ctx_log(e->st->ctx, XMPPC_LOG_WARN, "presence", "presence not tracked: %s",
		              xmppc_error_name(rc));
		return;
	}
	e->ev.info = &r->pub;
	e->ev.status = r->pub.status;
	emit(e);
}

static void on_subscription(emit_ctx *e, const xmppc_jid *j, xmppc_stanza_type type)
{
	const xmppc_jid *me = xmppc_session_jid(e->s);
	const char *bare = xmppc_jid_bare(j);

	/* subscription state is between accounts: our own makes no sense */
	if (me != NULL && xmppc_jid_bare_equal(j, me))
		return;
	e->ev.jid = bare;
	if (type == XMPPC_TYPE_SUBSCRIBE) {
		e->ev.type = XMPPC_PRESENCE_EVENT_SUBSCRIBE;
		if (xmppc__ps_pending_add(e->st, bare) != 0)
			return;
	} else if (type == XMPPC_TYPE_SUBSCRIBED) {
		e->ev.type = XMPPC_PRESENCE_EVENT_SUBSCRIBED;
	} else if (type == XMPPC_TYPE_UNSUBSCRIBE) {
		/* also withdraws a request not answered yet (§3.1.4) */
		e->ev.type = XMPPC_PRESENCE_EVENT_UNSUBSCRIBE;
		xmppc__ps_pending_remove(e->st, bare);
	} else {
		e->ev.type = XMPPC_PRESENCE_EVENT_UNSUBSCRIBED;
	}
	emit(e);
}

static const char *status_text(const xmppc_stanza *p)
{
	const xmppc_stanza *el = xmppc_stanza_find_child(p, "status", XMPPC_NS_CLIENT);

	return el != NULL ? xmppc_stanza_text(el) : NULL;
}

int xmppc__ps_on_presence(void *ud, xmppc_session *s, const xmppc_stanza *p)
{
	presence_state *st = ud;
	xmppc_stanza_type type = xmppc_stanza_get_type(p);
	xmppc_stanza_error_info err;
	const char *from = xmppc_stanza_from(p);
	emit_ctx e;
	xmppc_jid *j;

	/* no 'from': nothing to attribute it to; a bad one: not trusted */
	if (from == NULL || xmppc_jid_new(&j, st->ctx, from) != 0)
		return XMPPC_CB_PASS;
	memset(&e, 0, sizeof(e));
	e.s = s;
	e.st = st;
	e.ev.version = XMPPC_PRESENCE_EVENT_VERSION;
	e.ev.jid = xmppc_jid_full(j);
	e.ev.bare = xmppc_jid_bare(j);
	e.ev.stanza = p;
	e.ev.status = status_text(p);
	switch (type) {
	case XMPPC_TYPE_AVAILABLE:
		e.ev.type = XMPPC_PRESENCE_EVENT_AVAILABLE;
		on_available(&e, j, p);
		break;
	case XMPPC_TYPE_UNAVAILABLE:
		e.ev.type = XMPPC_PRESENCE_EVENT_UNAVAILABLE;
		gone(&e, j);
		break;
	case XMPPC_TYPE_ERROR:
		memset(&err, 0, sizeof(err));
		err.version = XMPPC_STANZA_ERROR_INFO_VERSION;
		if (xmppc_stanza_get_error(&err, p) != 0)
			err.condition = XMPPC_COND_UNDEFINED_CONDITION;
		e.ev.type = XMPPC_PRESENCE_EVENT_ERROR;
		e.ev.error = &err;
		e.ev.status = NULL;
		gone(&e, j);
		break;
	case XMPPC_TYPE_SUBSCRIBE:
	case XMPPC_TYPE_SUBSCRIBED:
	case XMPPC_TYPE_UNSUBSCRIBE:
	case XMPPC_TYPE_UNSUBSCRIBED:
		on_subscription(&e, j, type);
		break;
	default:
		break; /* probe (the server's business), invalid types */
	}
	xmppc_jid_unref(j);
	return XMPPC_CB_PASS;
}

static void on_event(void *ud, xmppc_session *s, const xmppc_session_event *ev)
{
	presence_state *st = ud;

	/* what we knew belongs to the old server-side session; a fresh one
	 * sends it again after our initial presence, a resumed one kept it */
	if (xmppc_session_event_ends_state(s, ev)) {
		xmppc__ps_clear(st);
		xmppc__ps_pending_clear(st);
	}
}

static void detach(xmppc_session *s, void *state)
{
	presence_state *st = state;

	if (st->tok_obs != 0)
		xmppc_session_remove_handler(s, st->tok_obs);
	if (st->tok_event != 0)
		xmppc_session_remove_handler(s, st->tok_event);
	if (st->destroy != NULL)
		st->destroy(st->user_data);
	xmppc__ps_clear(st);
	xmppc__ps_pending_clear(st);
	xmppc_free(st->ctx, st);
}

static int attach(xmppc_session *s, void *config, void **state)
{
	const xmppc_presence_config *c = config;
	xmppc_stanza_filter f;
	presence_state *st;
	int rc;

	if (c != NULL && (c->version != XMPPC_PRESENCE_CONFIG_VERSION ||
	                  (c->flags & ~XMPPC_PRESENCE_PREAPPROVAL) != 0))
		return XMPPC_EINVAL;
	if ((st = xmppc_calloc(xmppc_session_ctx(s), 1, sizeof(*st))) == NULL)
		return XMPPC_ENOMEM;
	st->ctx = xmppc_session_ctx(s);
	st->flags = c != NULL ? c->flags : 0;
	memset(&f, 0, sizeof(f));
	f.version = XMPPC_STANZA_FILTER_VERSION;
	f.kind = XMPPC_STANZA_PRESENCE;
	/* ahead of the application's observers (priority 0), so they see
	 * the tracking already updated */
	rc = xmppc_session_add_observer(s, &f, 100, xmppc__ps_on_presence, st, NULL, &st->tok_obs);
	if (rc == 0)
		rc = xmppc_session_add_event_listener(s, on_event, st, NULL, &st->tok_event);
	if (rc != 0) {
		detach(s, st);
		return rc;
	}
	*state = st;
	return 0;
}

static const xmppc_module module = {
    .version = XMPPC_MODULE_VERSION,
    .name = XMPPC_PRESENCE_MODULE_NAME,
    .attach = attach,
    .detach = detach,
};

XMPPC_API const xmppc_module *xmppc_presence_module(void)
{
	return &module;
}

XMPPC_API int xmppc_presence_set_event_fn(xmppc_session *s, xmppc_presence_event_fn fn,
                                          void *user_data, void (*destroy)(void *user_data))
{
	presence_state *st;

	if (s == NULL)
		return XMPPC_EINVAL;
	if ((st = xmppc_session_module_state(s, XMPPC_PRESENCE_MODULE_NAME)) == NULL)
		return XMPPC_ENOTFOUND;
	if (st->destroy != NULL)
		st->destroy(st->user_data);
	st->fn = fn;
	st->user_data = user_data;
	st->destroy = destroy;
	return 0;
}
