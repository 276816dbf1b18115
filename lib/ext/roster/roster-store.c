/* The roster's persistent copy (XEP-0237 / RFC 6121 §2.6): the store
 * keeps a <query/> with the version and every item, written by the module
 * and read back with the same parser as a server's result. */
#include <string.h>

#include "roster-internal.h"

int xmppc__rs_read_query(roster_state *st, rs_list *l, char **ver, const xmppc_stanza *query)
{
	const xmppc_stanza *el;
	const char *v = xmppc_stanza_attr(query, "ver");

	*ver = NULL;
	if (v != NULL && (*ver = xmppc_strdup(st->ctx, v)) == NULL)
		return XMPPC_ENOMEM;
	for (el = xmppc_stanza_find_child(query, "item", XMPPC_NS_ROSTER); el != NULL;
	     el = xmppc_stanza_find_next(el, "item", XMPPC_NS_ROSTER)) {
		rs_item *it;
		int rc = xmppc__rs_item_parse(&it, st->ctx, el);

		if (rc == XMPPC_ENOMEM)
			return rc;
		if (rc != 0 || it->pub.subscription == XMPPC_SUBSCRIPTION_REMOVE) {
			/* a bad item must not cost the rest of the roster */
			xmppc_ctx_log(st->ctx, XMPPC_LOG_WARN, "roster",
			              "skipping a bad roster item");
			xmppc__rs_item_free(st->ctx, it);
			continue;
		}
		if ((rc = xmppc__rs_put(st->ctx, l, it)) != 0)
			return rc;
	}
	return 0;
}

void xmppc__rs_store_load(roster_state *st)
{
	xmppc_stanza *q = NULL;
	xmppc_buf *b = NULL;
	rs_list l = {NULL, 0, 0};
	char *ver = NULL;
	int rc;

	if (!st->has_store || st->store.load == NULL)
		return;
	if ((rc = xmppc_buf_new(&b, st->ctx)) != 0)
		goto out;
	if ((rc = st->store.load(st->store.user_data, b)) != 0 || xmppc_buf_len(b) == 0)
		goto out;
	if ((rc = xmppc_stanza_from_xml(&q, st->ctx, xmppc_buf_data(b), xmppc_buf_len(b))) != 0)
		goto out;
	if (!xmppc_stanza_is(q, "query", XMPPC_NS_ROSTER)) {
		rc = XMPPC_EPROTOCOL;
		goto out;
	}
	if ((rc = xmppc__rs_read_query(st, &l, &ver, q)) != 0)
		goto out;
	xmppc__rs_clear(st->ctx, &st->items);
	st->items = l;
	memset(&l, 0, sizeof(l));
	xmppc_free(st->ctx, st->ver);
	st->ver = ver;
	ver = NULL;
out:
	if (rc != 0)
		xmppc_ctx_log(st->ctx, XMPPC_LOG_WARN, "roster", "stored roster not used: %s",
		              xmppc_error_name(rc));
	xmppc__rs_clear(st->ctx, &l);
	xmppc_free(st->ctx, ver);
	xmppc_stanza_unref(q);
	xmppc_buf_free(b);
}

static int snapshot(xmppc_buf *out, roster_state *st)
{
	xmppc_stanza *q;
	size_t i;
	int rc;

	if ((rc = xmppc_stanza_new(&q, st->ctx, "query", XMPPC_NS_ROSTER)) != 0)
		return rc;
	if (st->ver != NULL)
		rc = xmppc_stanza_set_attr(q, "ver", st->ver);
	for (i = 0; rc == 0 && i < st->items.n; i++)
		rc = xmppc__rs_item_write(q, &rs_at(&st->items, i)->pub, 1);
	if (rc == 0)
		rc = xmppc_stanza_to_xml(out, q, NULL);
	xmppc_stanza_unref(q);
	return rc;
}

void xmppc__rs_store_save(roster_state *st)
{
	xmppc_buf *b;
	int rc;

	if (!st->has_store || st->store.save == NULL)
		return;
	if ((rc = xmppc_buf_new(&b, st->ctx)) == 0) {
		if ((rc = snapshot(b, st)) == 0)
			rc = st->store.save(st->store.user_data, xmppc_buf_data(b),
			                    xmppc_buf_len(b));
		xmppc_buf_free(b);
	}
	if (rc != 0)
		xmppc_ctx_log(st->ctx, XMPPC_LOG_WARN, "roster", "saving the roster failed: %s",
		              xmppc_error_name(rc));
}
