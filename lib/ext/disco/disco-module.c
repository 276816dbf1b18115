/* The disco module (XEP-0030): its table, its state, and what the
 * application registers on it (nodes, extension forms). */
#include <string.h>

#include "disco-internal.h"

static const char *const disco_features[] = {
	XMPPC_NS_DISCO_INFO,
	XMPPC_NS_DISCO_ITEMS,
	NULL,
};

/* Used when the configuration gives no identity: XEP-0030 §3.1 wants at
 * least one. */
static const xmppc_disco_identity default_identity = {
	XMPPC_DISCO_IDENTITY_VERSION, "client", "pc", "xmppc", NULL,
};

int xmppc__disco_streq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

disco_state *xmppc__disco_state(const xmppc_session *s)
{
	return xmppc_session_module_state(s, XMPPC_DISCO_MODULE_NAME);
}

static void free_ids(disco_state *st)
{
	size_t i;

	for (i = 0; i < st->n_ids; i++) {
		xmppc_free(st->ctx, (char *)st->ids[i].category);
		xmppc_free(st->ctx, (char *)st->ids[i].type);
		xmppc_free(st->ctx, (char *)st->ids[i].name);
		xmppc_free(st->ctx, (char *)st->ids[i].lang);
	}
	xmppc_free(st->ctx, st->ids);
}

/* Copy one string that may be NULL; 0 or ENOMEM. */
static int dup_opt(xmppc_ctx *ctx, const char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = xmppc_strdup(ctx, src);
	return *dst != NULL ? 0 : XMPPC_ENOMEM;
}

static int copy_ids(disco_state *st, const xmppc_disco_identity *ids, size_t n)
{
	size_t i;

	st->ids = xmppc_calloc(st->ctx, n, sizeof(*st->ids));
	if (st->ids == NULL)
		return XMPPC_ENOMEM;
	st->n_ids = n;
	for (i = 0; i < n; i++) {
		if (ids[i].version != XMPPC_DISCO_IDENTITY_VERSION || ids[i].category == NULL ||
		    ids[i].type == NULL)
			return XMPPC_EINVAL;
		st->ids[i].version = XMPPC_DISCO_IDENTITY_VERSION;
		if (dup_opt(st->ctx, &st->ids[i].category, ids[i].category) != 0 ||
		    dup_opt(st->ctx, &st->ids[i].type, ids[i].type) != 0 ||
		    dup_opt(st->ctx, &st->ids[i].name, ids[i].name) != 0 ||
		    dup_opt(st->ctx, &st->ids[i].lang, ids[i].lang) != 0)
			return XMPPC_ENOMEM;
	}
	return 0;
}

static void state_free(disco_state *st)
{
	disco_query *q;

	/* queries still in flight belong to the session: cut them loose */
	for (q = st->queries; q != NULL; q = q->next)
		q->st = NULL;
	if (st->tok_info != 0)
		xmppc_session_remove_handler(st->s, st->tok_info);
	if (st->tok_items != 0)
		xmppc_session_remove_handler(st->s, st->tok_items);
	xmppc__disco_nodes_free(st);
	xmppc__disco_forms_free(st);
	xmppc__disco_cache_free(st);
	free_ids(st);
	xmppc_free(st->ctx, st);
}

static int disco_attach(xmppc_session *s, void *config, void **state)
{
	const xmppc_disco_config *c = config;
	xmppc_ctx *ctx = xmppc_session_ctx(s);
	disco_state *st;
	int rc;

	if (c != NULL && (c->version != XMPPC_DISCO_CONFIG_VERSION ||
	                  (c->n_identities > 0 && c->identities == NULL)))
		return XMPPC_EINVAL;
	st = xmppc_calloc(ctx, 1, sizeof(*st));
	if (st == NULL)
		return XMPPC_ENOMEM;
	st->s = s;
	st->ctx = ctx;
	st->ttl = c != NULL && c->cache_ttl_ms != 0 ? c->cache_ttl_ms : 300000u;
	st->cache_max = c != NULL && c->cache_max != 0 ? c->cache_max : 256u;
	st->timeout = c != NULL ? c->timeout_ms : 0;
	if (c != NULL && c->n_identities > 0)
		rc = copy_ids(st, c->identities, c->n_identities);
	else
		rc = copy_ids(st, &default_identity, 1);
	if (rc == 0)
		rc = xmppc_session_add_iq_handler(s, XMPPC_NS_DISCO_INFO, "query", XMPPC_TYPE_GET,
		                                  xmppc__disco_on_info, st, NULL, &st->tok_info);
	if (rc == 0)
		rc = xmppc_session_add_iq_handler(s, XMPPC_NS_DISCO_ITEMS, "query", XMPPC_TYPE_GET,
		                                  xmppc__disco_on_items, st, NULL, &st->tok_items);
	if (rc != 0) {
		state_free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static void disco_detach(xmppc_session *s, void *state)
{
	(void)s;
	state_free(state);
}

static const xmppc_module disco_module = {
	XMPPC_MODULE_VERSION,
	XMPPC_DISCO_MODULE_NAME,
	disco_features,
	NULL,
	0,
	disco_attach,
	disco_detach,
};

XMPPC_API const xmppc_module *xmppc_disco_module(void)
{
	return &disco_module;
}

/* ------------------------------------------------------------------ nodes */

static disco_node **find_node(disco_state *st, const char *node)
{
	disco_node **pp;

	for (pp = &st->nodes; *pp != NULL; pp = &(*pp)->next)
		if (node == NULL ? (*pp)->node == NULL
		                 : (*pp)->node != NULL && strcmp((*pp)->node, node) == 0)
			return pp;
	return pp;
}

static void node_free(disco_state *st, disco_node *n)
{
	if (n->destroy != NULL)
		n->destroy(n->ud);
	xmppc_free(st->ctx, n->node);
	xmppc_free(st->ctx, n);
}

void xmppc__disco_nodes_free(disco_state *st)
{
	while (st->nodes != NULL) {
		disco_node *n = st->nodes;
		st->nodes = n->next;
		node_free(st, n);
	}
}

XMPPC_API int xmppc_disco_add_node(xmppc_session *session, const char *node,
                                   xmppc_disco_node_fn info, xmppc_disco_node_fn items,
                                   void *user_data, void (*destroy)(void *user_data))
{
	disco_state *st;
	disco_node *n, **pp;

	if (session == NULL || (node == NULL && info != NULL) || (info == NULL && items == NULL))
		return XMPPC_EINVAL;
	if ((st = xmppc__disco_state(session)) == NULL)
		return XMPPC_ESTATE;
	pp = find_node(st, node);
	if (*pp != NULL)
		return XMPPC_EEXIST;
	n = xmppc_calloc(st->ctx, 1, sizeof(*n));
	if (n == NULL)
		return XMPPC_ENOMEM;
	if (node != NULL && (n->node = xmppc_strdup(st->ctx, node)) == NULL) {
		xmppc_free(st->ctx, n);
		return XMPPC_ENOMEM;
	}
	n->info = info;
	n->items = items;
	n->ud = user_data;
	n->destroy = destroy;
	*pp = n;
	return 0;
}

XMPPC_API int xmppc_disco_remove_node(xmppc_session *session, const char *node)
{
	disco_state *st;
	disco_node *n, **pp;

	if (session == NULL)
		return XMPPC_EINVAL;
	if ((st = xmppc__disco_state(session)) == NULL)
		return XMPPC_ESTATE;
	pp = find_node(st, node);
	if (*pp == NULL)
		return XMPPC_ENOTFOUND;
	n = *pp;
	*pp = n->next;
	node_free(st, n);
	return 0;
}

/* ------------------------------------------------------------------ forms */

/* The single FORM_TYPE value of a hidden FORM_TYPE field, or NULL. */
static const char *form_type_of(const xmppc_stanza *form)
{
	const xmppc_stanza *f, *v;

	for (f = xmppc_stanza_find_child(form, "field", XMPPC_NS_DATA_FORMS); f != NULL;
	     f = xmppc_stanza_find_next(f, "field", XMPPC_NS_DATA_FORMS))
		if (xmppc__disco_streq(xmppc_stanza_attr(f, "var"), "FORM_TYPE")) {
			if (!xmppc__disco_streq(xmppc_stanza_attr(f, "type"), "hidden"))
				return NULL;
			v = xmppc_stanza_find_child(f, "value", XMPPC_NS_DATA_FORMS);
			if (v == NULL || xmppc_stanza_find_next(v, "value", XMPPC_NS_DATA_FORMS) != NULL)
				return NULL;
			return xmppc_stanza_text(v);
		}
	return NULL;
}

static disco_form **find_form(disco_state *st, const char *form_type)
{
	disco_form **pp;

	for (pp = &st->forms; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->form_type, form_type) == 0)
			break;
	return pp;
}

static void form_free(disco_state *st, disco_form *f)
{
	xmppc_stanza_unref(f->form);
	xmppc_free(st->ctx, f->form_type);
	xmppc_free(st->ctx, f);
}

void xmppc__disco_forms_free(disco_state *st)
{
	while (st->forms != NULL) {
		disco_form *f = st->forms;
		st->forms = f->next;
		form_free(st, f);
	}
}

XMPPC_API int xmppc_disco_add_form(xmppc_session *session, const xmppc_stanza *form)
{
	disco_state *st;
	disco_form *f, **pp;
	const char *type;

	if (session == NULL || !xmppc_stanza_is(form, "x", XMPPC_NS_DATA_FORMS) ||
	    !xmppc__disco_streq(xmppc_stanza_attr(form, "type"), "result") ||
	    (type = form_type_of(form)) == NULL)
		return XMPPC_EINVAL;
	if ((st = xmppc__disco_state(session)) == NULL)
		return XMPPC_ESTATE;
	f = xmppc_calloc(st->ctx, 1, sizeof(*f));
	if (f == NULL)
		return XMPPC_ENOMEM;
	if ((f->form_type = xmppc_strdup(st->ctx, type)) == NULL ||
	    xmppc_stanza_copy(&f->form, form) != 0) {
		form_free(st, f);
		return XMPPC_ENOMEM;
	}
	pp = find_form(st, type);
	if (*pp != NULL) {
		disco_form *old = *pp;
		f->next = old->next;
		form_free(st, old);
	}
	*pp = f;
	return 0;
}

XMPPC_API int xmppc_disco_remove_form(xmppc_session *session, const char *form_type)
{
	disco_state *st;
	disco_form *f, **pp;

	if (session == NULL || form_type == NULL)
		return XMPPC_EINVAL;
	if ((st = xmppc__disco_state(session)) == NULL)
		return XMPPC_ESTATE;
	pp = find_form(st, form_type);
	if (*pp == NULL)
		return XMPPC_ENOTFOUND;
	f = *pp;
	*pp = f->next;
	form_free(st, f);
	return 0;
}

/* ------------------------------------------------------------------ reading */

XMPPC_API int xmppc_disco_has_feature(const xmppc_stanza *query, const char *feature)
{
	const xmppc_stanza *f;

	if (query == NULL || feature == NULL)
		return 0;
	for (f = xmppc_stanza_find_child(query, "feature", XMPPC_NS_DISCO_INFO); f != NULL;
	     f = xmppc_stanza_find_next(f, "feature", XMPPC_NS_DISCO_INFO))
		if (xmppc__disco_streq(xmppc_stanza_attr(f, "var"), feature))
			return 1;
	return 0;
}

XMPPC_API int xmppc_disco_has_identity(const xmppc_stanza *query, const char *category,
                                       const char *type)
{
	const xmppc_stanza *i;

	if (query == NULL || category == NULL)
		return 0;
	for (i = xmppc_stanza_find_child(query, "identity", XMPPC_NS_DISCO_INFO); i != NULL;
	     i = xmppc_stanza_find_next(i, "identity", XMPPC_NS_DISCO_INFO))
		if (xmppc__disco_streq(xmppc_stanza_attr(i, "category"), category) &&
		    (type == NULL || xmppc__disco_streq(xmppc_stanza_attr(i, "type"), type)))
			return 1;
	return 0;
}
