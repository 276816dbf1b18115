/* The disco responder (XEP-0030 §3, §4): our information comes from the
 * module registry at the moment of the request, so attaching or removing
 * a module changes the next answer (and the caps ver) with no bookkeeping. */
#include <string.h>

#include "disco-internal.h"

typedef struct fill {
	xmppc_stanza *query;
	int rc;
} fill;

/* Whether the query has this identity already: two equal identities would
 * make the answer ill-formed for caps (XEP-0115 §5.4). */
static int has_identity(const xmppc_stanza *query, const xmppc_disco_identity *id)
{
	const xmppc_stanza *i;

	for (i = xmppc_stanza_find_child(query, "identity", XMPPC_NS_DISCO_INFO); i != NULL;
	     i = xmppc_stanza_find_next(i, "identity", XMPPC_NS_DISCO_INFO))
		if (xmppc__disco_streq(xmppc_stanza_attr(i, "category"), id->category) &&
		    xmppc__disco_streq(xmppc_stanza_attr(i, "type"), id->type) &&
		    xmppc__disco_streq(xmppc_stanza_attr_ns(i, XMPPC_NS_XML, "lang"), id->lang) &&
		    xmppc__disco_streq(xmppc_stanza_attr(i, "name"), id->name))
			return 1;
	return 0;
}

static void add_identity(void *ud, const xmppc_disco_identity *id)
{
	fill *f = ud;
	xmppc_stanza *i;

	if (f->rc != 0 || id->category == NULL || id->type == NULL || has_identity(f->query, id))
		return;
	if ((f->rc = xmppc_stanza_new_child(&i, f->query, "identity", NULL)) == 0 &&
	    (f->rc = xmppc_stanza_set_attr(i, "category", id->category)) == 0 &&
	    (f->rc = xmppc_stanza_set_attr(i, "type", id->type)) == 0 &&
	    (f->rc = xmppc_stanza_set_attr(i, "name", id->name)) == 0)
		f->rc = xmppc_stanza_set_attr_ns(i, XMPPC_NS_XML, "lang", id->lang);
}

static void add_feature(void *ud, const char *feature)
{
	fill *f = ud;
	xmppc_stanza *e;

	if (f->rc == 0 && (f->rc = xmppc_stanza_new_child(&e, f->query, "feature", NULL)) == 0)
		f->rc = xmppc_stanza_set_attr(e, "var", feature);
}

int xmppc__disco_fill_info(disco_state *st, xmppc_stanza *query)
{
	const disco_form *form;
	fill f;
	size_t i;
	int rc;

	f.query = query;
	f.rc = 0;
	for (i = 0; i < st->n_ids; i++)
		add_identity(&f, &st->ids[i]);
	if ((rc = xmppc_session_foreach_identity(st->s, add_identity, &f)) != 0)
		return rc;
	if ((rc = xmppc_session_foreach_feature(st->s, add_feature, &f)) != 0)
		return rc;
	for (form = st->forms; f.rc == 0 && form != NULL; form = form->next)
		f.rc = xmppc_stanza_add_child(NULL, query, form->form);
	return f.rc;
}

XMPPC_API int xmppc_disco_own_info(xmppc_stanza **out, xmppc_session *session, const char *node)
{
	disco_state *st;
	xmppc_stanza *q;
	int rc;

	if (out == NULL || session == NULL)
		return XMPPC_EINVAL;
	*out = NULL;
	if ((st = xmppc__disco_state(session)) == NULL)
		return XMPPC_ESTATE;
	if ((rc = xmppc_stanza_new(&q, st->ctx, "query", XMPPC_NS_DISCO_INFO)) != 0)
		return rc;
	if ((node == NULL || (rc = xmppc_stanza_set_attr(q, "node", node)) == 0) &&
	    (rc = xmppc__disco_fill_info(st, q)) == 0) {
		*out = q;
		return 0;
	}
	xmppc_stanza_unref(q);
	return rc;
}

static const disco_node *lookup(const disco_state *st, const char *node)
{
	const disco_node *n;

	for (n = st->nodes; n != NULL; n = n->next)
		if (node == NULL ? n->node == NULL : n->node != NULL && strcmp(n->node, node) == 0)
			return n;
	return NULL;
}

/* Send an error reply; the session answers internal-server-error if even
 * that fails (negative return). */
static int send_error(xmppc_session *s, const xmppc_stanza *iq, xmppc_error_type type,
                      xmppc_stanza_condition cond)
{
	xmppc_stanza *err;
	int rc;

	if ((rc = xmppc_stanza_new_error_reply(&err, iq, type, cond, NULL)) != 0)
		return rc;
	rc = xmppc_session_send(s, err);
	xmppc_stanza_unref(err);
	return rc;
}

/* Answer one request: build the reply's <query/> (with the node echoed,
 * §3.2) and let `fill_fn` fill it. */
static int answer(disco_state *st, const xmppc_stanza *iq, int items)
{
	const char *ns = items ? XMPPC_NS_DISCO_ITEMS : XMPPC_NS_DISCO_INFO;
	const xmppc_stanza *req = xmppc_stanza_find_child(iq, "query", ns);
	const char *node = xmppc_stanza_attr(req, "node");
	const disco_node *n = lookup(st, node);
	xmppc_disco_node_fn fn = n == NULL ? NULL : items ? n->items : n->info;
	xmppc_stanza *reply = NULL, *q;
	int rc, own = 0;

	if (node == NULL)
		own = !items; /* our JID: info from the registry, items from the NULL node if any */
	else if (n == NULL && xmppc__caps_is_own_node(st->s, node))
		own = 1; /* XEP-0115 §6.2: the caps node answers as the JID does */
	else if (fn == NULL && !(items && n != NULL))
		return send_error(st->s, iq, XMPPC_ERRTYPE_CANCEL, XMPPC_COND_ITEM_NOT_FOUND);
	if ((rc = xmppc_iq_new_result(&reply, iq)) != 0 ||
	    (rc = xmppc_stanza_new_child(&q, reply, "query", ns)) != 0 ||
	    (node != NULL && (rc = xmppc_stanza_set_attr(q, "node", node)) != 0))
		goto out;
	if (own && !items)
		rc = xmppc__disco_fill_info(st, q);
	else if (fn != NULL && !(own && node != NULL))
		rc = fn(n->ud, st->s, iq, q);
	if (rc == XMPPC_ENOTFOUND)
		rc = send_error(st->s, iq, XMPPC_ERRTYPE_CANCEL, XMPPC_COND_ITEM_NOT_FOUND);
	else if (rc == 0)
		rc = xmppc_session_send(st->s, reply);
out:
	xmppc_stanza_unref(reply);
	return rc;
}

int xmppc__disco_on_info(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	(void)s;
	return answer(ud, iq, 0) < 0 ? -1 : XMPPC_CB_OK;
}

int xmppc__disco_on_items(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	(void)s;
	return answer(ud, iq, 1) < 0 ? -1 : XMPPC_CB_OK;
}
