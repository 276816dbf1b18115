/* The "xmppc.carbons" module (XEP-0280). The security of carbons rests on
 * one check (XEP-0280 §11): a <sent/> or <received/> wrapper is believed
 * only when it comes from our own bare JID, i.e. from our server. Anyone
 * else can send us a wrapper around a message "from" whoever they like;
 * unwrapping it would let them put words in that person's mouth (the
 * CVE-2017-5589 family of bugs). Such wrappers are dropped, never shown. */
#include <string.h>

#include <xmppc/carbons.h>

#define CARBONS_NAME "xmppc.carbons"

typedef struct carbons_state {
	xmppc_ctx *ctx;
	xmppc_carbon_fn on_carbon;
	xmppc_carbon_rejected_fn on_rejected;
	void *user_data;
	void (*destroy)(void *user_data);
	unsigned token;
	unsigned listener;
	int enabled;
} carbons_state;

static int reject(carbons_state *st, xmppc_session *s, const xmppc_stanza *wrapper,
                  const char *reason)
{
	if (st->on_rejected != NULL)
		st->on_rejected(st->user_data, s, wrapper, reason);
	return XMPPC_CB_OK; /* dropped: no later observer sees it */
}

/* 1 if the JID string is @p me's bare JID (exactly: no resource). */
static int is_own_bare(xmppc_ctx *ctx, const char *str, const xmppc_jid *me, int need_bare)
{
	xmppc_jid *j;
	int ok;

	if (str == NULL || me == NULL || xmppc_jid_new(&j, ctx, str) != 0)
		return 0;
	ok = xmppc_jid_bare_equal(j, me) && (!need_bare || xmppc_jid_is_bare(j));
	xmppc_jid_unref(j);
	return ok;
}

static int has_carbon_wrapper(const xmppc_stanza *m)
{
	return xmppc_stanza_find_child(m, "sent", XMPPC_NS_CARBONS) != NULL ||
	       xmppc_stanza_find_child(m, "received", XMPPC_NS_CARBONS) != NULL;
}

/* The single forwarded message inside a wrapper, or NULL. */
static const xmppc_stanza *forwarded_message(const xmppc_stanza *wrapper)
{
	const xmppc_stanza *fwd = xmppc_stanza_find_child(wrapper, "forwarded", XMPPC_NS_FORWARD);
	const xmppc_stanza *inner;

	if (fwd == NULL || xmppc_stanza_child_count(wrapper) != 1)
		return NULL;
	inner = xmppc_stanza_find_child(fwd, "message", XMPPC_NS_CLIENT);
	if (inner == NULL || xmppc_stanza_find_next(inner, "message", XMPPC_NS_CLIENT) != NULL ||
	    xmppc_stanza_get_kind(inner) != XMPPC_STANZA_MESSAGE)
		return NULL;
	return inner;
}

static int on_stanza(void *user_data, xmppc_session *s, const xmppc_stanza *st_in)
{
	carbons_state *st = user_data;
	const xmppc_stanza *sent = xmppc_stanza_find_child(st_in, "sent", XMPPC_NS_CARBONS);
	const xmppc_stanza *recv = xmppc_stanza_find_child(st_in, "received", XMPPC_NS_CARBONS);
	const xmppc_stanza *w = sent != NULL ? sent : recv, *inner;
	const xmppc_jid *me = xmppc_session_jid(s);
	xmppc_im_carbon dir = sent != NULL ? XMPPC_CARBON_SENT : XMPPC_CARBON_RECEIVED;
	int rc;

	if (w == NULL)
		return XMPPC_CB_PASS; /* e.g. only <private/>: not a copy */
	if (!is_own_bare(st->ctx, xmppc_stanza_from(st_in), me, 1))
		return reject(st, s, st_in, "carbon not from our bare JID");
	if (sent != NULL && recv != NULL)
		return reject(st, s, st_in, "both sent and received");
	if (xmppc_stanza_find_next(w, xmppc_stanza_name(w), XMPPC_NS_CARBONS) != NULL ||
	    (inner = forwarded_message(w)) == NULL)
		return reject(st, s, st_in, "not exactly one forwarded message");
	if (has_carbon_wrapper(inner))
		return reject(st, s, st_in, "nested carbon");
	/* What we sent is from our account; what we received was to it. */
	if (dir == XMPPC_CARBON_SENT && !is_own_bare(st->ctx, xmppc_stanza_from(inner), me, 0))
		return reject(st, s, st_in, "sent carbon not from our account");
	if (dir == XMPPC_CARBON_RECEIVED && xmppc_stanza_to(inner) != NULL &&
	    !is_own_bare(st->ctx, xmppc_stanza_to(inner), me, 0))
		return reject(st, s, st_in, "received carbon not to our account");
	/* XEP-0280 §7 / XEP-0334 §4.3: the sender asked for no copies. */
	if (xmppc_stanza_find_child(inner, "private", XMPPC_NS_CARBONS) != NULL ||
	    xmppc_stanza_find_child(inner, "no-copy", "urn:xmpp:hints") != NULL)
		return reject(st, s, st_in, "copy of a private message");
	if (st->on_carbon != NULL)
		st->on_carbon(st->user_data, s, dir, inner);
	rc = xmppc_im_deliver(s, inner, dir);
	(void)rc; /* ENOTFOUND: no im module; a parse failure loses only this copy */
	return XMPPC_CB_OK;
}

/* Carbons are a property of the server-side session: a resumed stream
 * keeps them, a fresh one starts without. */
static void on_session_event(void *user_data, xmppc_session *s, const xmppc_session_event *ev)
{
	carbons_state *st = user_data;

	if (xmppc_session_event_ends_state(s, ev))
		st->enabled = 0;
}

static int carbons_attach(xmppc_session *s, void *config, void **state)
{
	const xmppc_carbons_config *c = config;
	xmppc_stanza_filter f;
	carbons_state *st;
	int rc;

	if (c != NULL && c->version != XMPPC_CARBONS_CONFIG_VERSION)
		return XMPPC_EINVAL;
	if ((st = xmppc_calloc(xmppc_session_ctx(s), 1, sizeof(*st))) == NULL) {
		rc = XMPPC_ENOMEM;
		goto fail;
	}
	st->ctx = xmppc_session_ctx(s);
	if (c != NULL) {
		st->on_carbon = c->on_carbon;
		st->on_rejected = c->on_rejected;
		st->user_data = c->user_data;
		st->destroy = c->destroy;
	}
	memset(&f, 0, sizeof(f));
	f.version = XMPPC_STANZA_FILTER_VERSION;
	f.kind = XMPPC_STANZA_MESSAGE;
	f.child_ns = XMPPC_NS_CARBONS;
	rc = xmppc_session_add_observer(s, &f, XMPPC_CARBONS_PRIORITY, on_stanza, st, NULL,
	                                &st->token);
	if (rc == 0 && (rc = xmppc_session_add_event_listener(s, on_session_event, st, NULL,
	                                                      &st->listener)) != 0)
		xmppc_session_remove_handler(s, st->token);
	if (rc != 0) {
		xmppc_free(st->ctx, st);
		goto fail;
	}
	*state = st;
	return 0;
fail:
	if (c != NULL && c->destroy != NULL)
		c->destroy(c->user_data);
	return rc;
}

static void carbons_detach(xmppc_session *s, void *state)
{
	carbons_state *st = state;

	xmppc_session_remove_handler(s, st->token);
	xmppc_session_remove_handler(s, st->listener);
	if (st->destroy != NULL)
		st->destroy(st->user_data);
	xmppc_free(st->ctx, st);
}

static const char *const carbons_features[] = {XMPPC_NS_CARBONS, NULL};

static const xmppc_module carbons_module = {
    .version = XMPPC_MODULE_VERSION,
    .name = CARBONS_NAME,
    .features = carbons_features,
    .attach = carbons_attach,
    .detach = carbons_detach,
};

XMPPC_API const xmppc_module *xmppc_carbons_module(void)
{
	return &carbons_module;
}

/* ---- enable / disable ------------------------------------------------------ */

typedef struct toggle {
	xmppc_ctx *ctx;
	int enable;
	xmppc_iq_reply_fn fn;
	void *user_data;
	void (*destroy)(void *user_data);
} toggle;

static void toggle_reply(void *user_data, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	toggle *t = user_data;
	/* looked up now: the module may have been removed meanwhile */
	carbons_state *st = xmppc_session_module_state(s, CARBONS_NAME);

	if (error == 0 && st != NULL)
		st->enabled = t->enable;
	if (t->fn != NULL)
		t->fn(t->user_data, s, reply, error);
}

static void toggle_free(void *user_data)
{
	toggle *t = user_data;
	xmppc_ctx *ctx = t->ctx;

	if (t->destroy != NULL)
		t->destroy(t->user_data);
	xmppc_free(ctx, t);
	xmppc_ctx_unref(ctx);
}

static int toggle_send(xmppc_session *s, int enable, xmppc_iq_reply_fn fn, void *user_data,
                       void (*destroy)(void *user_data))
{
	xmppc_ctx *ctx;
	xmppc_stanza *iq;
	toggle *t;
	int rc;

	if (s == NULL)
		return XMPPC_EINVAL;
	if (xmppc_session_module_state(s, CARBONS_NAME) == NULL)
		return XMPPC_ENOTFOUND;
	ctx = xmppc_session_ctx(s);
	if ((rc = xmppc_iq_new(&iq, ctx, XMPPC_TYPE_SET, NULL, NULL)) != 0)
		return rc;
	if ((rc = xmppc_stanza_new_child(NULL, iq, enable ? "enable" : "disable",
	                                 XMPPC_NS_CARBONS)) != 0)
		goto out;
	if ((t = xmppc_calloc(ctx, 1, sizeof(*t))) == NULL) {
		rc = XMPPC_ENOMEM;
		goto out;
	}
	t->ctx = xmppc_ctx_ref(ctx);
	t->enable = enable;
	t->fn = fn;
	rc = xmppc_session_send_iq(s, iq, toggle_reply, 0, t, toggle_free);
	if (rc != 0) {
		toggle_free(t); /* destroy is still NULL: the caller's user_data is untouched */
		goto out;
	}
	t->user_data = user_data;
	t->destroy = destroy;
out:
	xmppc_stanza_unref(iq);
	return rc;
}

XMPPC_API int xmppc_carbons_enable(xmppc_session *session, xmppc_iq_reply_fn fn, void *user_data,
                                   void (*destroy)(void *user_data))
{
	return toggle_send(session, 1, fn, user_data, destroy);
}

XMPPC_API int xmppc_carbons_disable(xmppc_session *session, xmppc_iq_reply_fn fn, void *user_data,
                                    void (*destroy)(void *user_data))
{
	return toggle_send(session, 0, fn, user_data, destroy);
}

XMPPC_API int xmppc_carbons_enabled(const xmppc_session *session)
{
	const carbons_state *st =
	    session != NULL ? xmppc_session_module_state(session, CARBONS_NAME) : NULL;

	return st != NULL && st->enabled;
}

XMPPC_API int xmppc_carbons_set_private(xmppc_stanza *message)
{
	int rc;

	if (xmppc_stanza_get_kind(message) != XMPPC_STANZA_MESSAGE)
		return XMPPC_EINVAL;
	if (xmppc_stanza_find_child(message, "private", XMPPC_NS_CARBONS) == NULL &&
	    (rc = xmppc_stanza_new_child(NULL, message, "private", XMPPC_NS_CARBONS)) != 0)
		return rc;
	return xmppc_im_add_hints(message, XMPPC_HINT_NO_COPY);
}
