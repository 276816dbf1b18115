/* The caps module (XEP-0115): our <c/> in presence, and the verified
 * cache of what others announce. Nothing enters the cache before its
 * verification string has been recomputed from the disco#info answer
 * (§5.4, §8.4 cache poisoning): a presence only names a hash/ver pair. */
#include <string.h>

#include "caps-internal.h"

static const char *const caps_features[] = {XMPPC_NS_CAPS, NULL};

caps_state *xmppc__caps_state(const xmppc_session *s)
{
	return xmppc_session_module_state(s, XMPPC_CAPS_MODULE_NAME);
}

static void state_free(caps_state *st)
{
	caps_pending *p;

	for (p = st->pending; p != NULL; p = p->next)
		p->st = NULL; /* the session owns them until their reply */
	if (st->token != 0)
		xmppc_session_remove_handler(st->s, st->token);
	xmppc__caps_entries_free(st);
	xmppc__caps_jids_free(st);
	if (st->destroy != NULL)
		st->destroy(st->ud);
	xmppc_free(st->ctx, st->node);
	xmppc_free(st->ctx, st->hash);
	xmppc_free(st->ctx, st);
}

static int caps_attach(xmppc_session *s, void *config, void **state)
{
	const xmppc_caps_config *c = config;
	xmppc_ctx *ctx = xmppc_session_ctx(s);
	const char *hash = c != NULL && c->hash != NULL ? c->hash : "sha-1";
	xmppc_stanza_filter f;
	caps_state *st;
	int rc;

	if (c != NULL && c->version != XMPPC_CAPS_CONFIG_VERSION)
		return XMPPC_EINVAL;
	if (strcmp(hash, "sha-1") != 0 && strcmp(hash, "sha-256") != 0 &&
	    strcmp(hash, "sha-512") != 0)
		return XMPPC_EUNSUPPORTED;
	if (xmppc__disco_state(s) == NULL)
		return XMPPC_ESTATE; /* our ver is computed from the disco answer */
	if ((st = xmppc_calloc(ctx, 1, sizeof(*st))) == NULL)
		return XMPPC_ENOMEM;
	st->s = s;
	st->ctx = ctx;
	st->cache_max = c != NULL && c->cache_max != 0 ? c->cache_max : 1024u;
	st->pending_max = c != NULL && c->pending_max != 0 ? c->pending_max : 32u;
	st->node = xmppc_strdup(ctx, c != NULL && c->node != NULL ? c->node : XMPPC_CAPS_DEFAULT_NODE);
	st->hash = xmppc_strdup(ctx, hash);
	if (st->node == NULL || st->hash == NULL) {
		state_free(st);
		return XMPPC_ENOMEM;
	}
	memset(&f, 0, sizeof(f));
	f.version = XMPPC_STANZA_FILTER_VERSION;
	f.kind = XMPPC_STANZA_PRESENCE;
	/* before the application's observers, which may ask xmppc_caps_get_info() */
	rc = xmppc_session_add_observer(s, &f, 1000, xmppc__caps_on_presence, st, NULL, &st->token);
	if (rc != 0) {
		state_free(st);
		return rc;
	}
	if (c != NULL) { /* from here state_free() owns the user data */
		st->on_caps = c->on_caps;
		st->load = c->load;
		st->save = c->save;
		st->ud = c->user_data;
		st->destroy = c->destroy;
	}
	*state = st;
	return 0;
}

static void caps_detach(xmppc_session *s, void *state)
{
	(void)s;
	state_free(state);
}

static const xmppc_module caps_module = {
	XMPPC_MODULE_VERSION, XMPPC_CAPS_MODULE_NAME, caps_features, NULL, 0, caps_attach, caps_detach,
};

XMPPC_API const xmppc_module *xmppc_caps_module(void)
{
	return &caps_module;
}

XMPPC_API int xmppc_caps_own_ver(xmppc_buf *out, xmppc_session *session)
{
	caps_state *st;
	xmppc_stanza *q;
	int rc;

	if (out == NULL || session == NULL)
		return XMPPC_EINVAL;
	if ((st = xmppc__caps_state(session)) == NULL)
		return XMPPC_ESTATE;
	if ((rc = xmppc_disco_own_info(&q, session, NULL)) != 0)
		return rc;
	rc = xmppc_caps_ver(out, st->ctx, q, st->hash);
	xmppc_stanza_unref(q);
	return rc;
}

int xmppc__caps_is_own_node(xmppc_session *s, const char *node)
{
	caps_state *st = xmppc__caps_state(s);
	size_t n;
	xmppc_buf *ver;
	int same = 0;

	if (st == NULL || node == NULL)
		return 0;
	n = strlen(st->node);
	if (strncmp(node, st->node, n) != 0 || node[n] != '#' || xmppc_buf_new(&ver, st->ctx) != 0)
		return 0;
	if (xmppc_caps_own_ver(ver, s) == 0)
		same = strcmp(node + n + 1, xmppc_buf_data(ver)) == 0;
	xmppc_buf_free(ver);
	return same;
}

XMPPC_API int xmppc_caps_add_to_presence(xmppc_session *session, xmppc_stanza *presence)
{
	caps_state *st;
	xmppc_stanza *c;
	xmppc_buf *ver;
	int rc;

	if (session == NULL || xmppc_stanza_get_kind(presence) != XMPPC_STANZA_PRESENCE)
		return XMPPC_EINVAL;
	if ((st = xmppc__caps_state(session)) == NULL)
		return XMPPC_ESTATE;
	if ((rc = xmppc_buf_new(&ver, st->ctx)) != 0)
		return rc;
	if ((rc = xmppc_caps_own_ver(ver, session)) == 0) {
		if ((c = xmppc_stanza_find_child(presence, "c", XMPPC_NS_CAPS)) != NULL)
			xmppc_stanza_remove_child(presence, c);
		if ((rc = xmppc_stanza_new_child(&c, presence, "c", XMPPC_NS_CAPS)) == 0 &&
		    (rc = xmppc_stanza_set_attr(c, "hash", st->hash)) == 0 &&
		    (rc = xmppc_stanza_set_attr(c, "node", st->node)) == 0)
			rc = xmppc_stanza_set_attr(c, "ver", xmppc_buf_data(ver));
	}
	xmppc_buf_free(ver);
	return rc;
}

XMPPC_API int xmppc_caps_presence_new(xmppc_stanza **out, xmppc_session *session,
                                      xmppc_stanza_type type, const char *to)
{
	xmppc_stanza *p;
	int rc;

	if (out == NULL || session == NULL)
		return XMPPC_EINVAL;
	*out = NULL;
	if ((rc = xmppc_presence_new(&p, xmppc_session_ctx(session), type, to)) != 0)
		return rc;
	if ((rc = xmppc_caps_add_to_presence(session, p)) != 0) {
		xmppc_stanza_unref(p);
		return rc;
	}
	*out = p;
	return 0;
}
