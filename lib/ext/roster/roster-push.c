/* Roster pushes (RFC 6121 §2.1.6): accepted only from the account itself,
 * exactly one item each, answered with a result. */
#include "roster-internal.h"
#include "rp-util.h"

static int reply_error(xmppc_session *s, const xmppc_stanza *iq, xmppc_stanza_condition cond)
{
	xmppc_stanza *e;
	int rc;

	if ((rc = xmppc_stanza_new_error_reply(&e, iq, XMPPC_ERRTYPE_MODIFY, cond, NULL)) != 0)
		return rc;
	rc = xmppc_session_send(s, e);
	xmppc_stanza_unref(e);
	return rc;
}

static int reply_result(xmppc_session *s, const xmppc_stanza *iq)
{
	xmppc_stanza *r;
	int rc;

	if ((rc = xmppc_iq_new_result(&r, iq)) != 0)
		return rc;
	rc = xmppc_session_send(s, r);
	xmppc_stanza_unref(r);
	return rc;
}

/* Apply a valid push's item; *removed receives the removed item (to be
 * freed by the caller after the event). */
static int apply(roster_state *st, rs_item *it, rs_item **removed)
{
	size_t pos;

	*removed = NULL;
	if (it->pub.subscription != XMPPC_SUBSCRIPTION_REMOVE)
		return xmppc__rs_put(st->ctx, &st->items, it);
	if ((*removed = xmppc__rs_find(&st->items, it->jid, &pos)) != NULL)
		xmppc__rp_erase(st->items.v, &st->items.n, pos);
	xmppc__rs_item_free(st->ctx, it);
	return 0;
}

int xmppc__rs_on_push(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	roster_state *st = ud;
	const xmppc_stanza *q = xmppc_stanza_find_child(iq, "query", XMPPC_NS_ROSTER);
	const xmppc_stanza *el = xmppc_stanza_find_child(q, "item", XMPPC_NS_ROSTER);
	const char *ver = xmppc_stanza_attr(q, "ver");
	rs_item *it, *removed;
	char *nver = NULL;
	int rc, is_remove;

	if (!xmppc__rp_from_account(s, iq)) {
		/* Anyone else could rewrite the roster: the CVE class of
		 * spoofed pushes. Change nothing; answer as if we did not know
		 * the protocol, or not at all. */
		xmppc_ctx_log(st->ctx, XMPPC_LOG_WARN, "roster", "refused a roster push from %s",
		              xmppc_stanza_from(iq));
		return (st->flags & XMPPC_ROSTER_SILENT_REFUSAL) ? XMPPC_CB_OK : XMPPC_CB_PASS;
	}
	/* exactly one item (§2.1.6) */
	if (el == NULL || xmppc_stanza_find_next(el, "item", XMPPC_NS_ROSTER) != NULL)
		return reply_error(s, iq, XMPPC_COND_BAD_REQUEST);
	if ((rc = xmppc__rs_item_parse(&it, st->ctx, el)) != 0)
		return rc == XMPPC_ENOMEM ? rc : reply_error(s, iq, XMPPC_COND_BAD_REQUEST);
	if (ver != NULL && (nver = xmppc_strdup(st->ctx, ver)) == NULL) {
		xmppc__rs_item_free(st->ctx, it);
		return XMPPC_ENOMEM;
	}
	is_remove = it->pub.subscription == XMPPC_SUBSCRIPTION_REMOVE;
	if ((rc = apply(st, it, &removed)) != 0) {
		xmppc_free(st->ctx, nver);
		return rc;
	}
	if (nver != NULL) {
		xmppc_free(st->ctx, st->ver);
		st->ver = nver;
	}
	/* the reply first: whatever the application sends from the event
	 * goes after it */
	if ((rc = reply_result(s, iq)) != 0)
		xmppc_ctx_log(st->ctx, XMPPC_LOG_WARN, "roster", "roster push not answered: %s",
		              xmppc_error_name(rc));
	xmppc__rs_store_save(st);
	if (!is_remove) {
		xmppc__rs_emit(s, st, XMPPC_ROSTER_EVENT_ITEM, &it->pub, 0, iq);
	} else if (removed != NULL) {
		xmppc__rs_emit(s, st, XMPPC_ROSTER_EVENT_REMOVED, &removed->pub, 0, iq);
		xmppc__rs_item_free(st->ctx, removed);
	}
	return XMPPC_CB_OK;
}
