/* Roster sets (RFC 6121 §2.3-2.5): add, update and remove items. The copy
 * changes when the server's push comes back, so every resource of the
 * account sees the same sequence. */
#include "roster-internal.h"
#include "rp-util.h"

static int send_set(xmppc_session *s, const xmppc_roster_item *it, int remove, xmppc_iq_reply_fn fn,
                    void *user_data, void (*destroy)(void *user_data))
{
	xmppc_ctx *ctx = xmppc_session_ctx(s);
	xmppc_roster_item copy = *it;
	xmppc_stanza *iq, *q, *el;
	char *jid;
	int rc;

	if ((rc = xmppc__rp_norm(&jid, ctx, it->jid, 0)) != 0)
		return rc;
	copy.jid = jid;
	if ((rc = xmppc_iq_new(&iq, ctx, XMPPC_TYPE_SET, NULL, NULL)) != 0)
		goto out;
	if ((rc = xmppc_stanza_new_child(&q, iq, "query", XMPPC_NS_ROSTER)) == 0)
		rc = xmppc__rs_item_write(q, &copy, 0);
	if (rc == 0 && remove) {
		el = xmppc_stanza_find_child(q, "item", XMPPC_NS_ROSTER);
		rc = xmppc_stanza_set_attr(el, "subscription", "remove");
	}
	if (rc == 0)
		rc = xmppc_session_send_iq(s, iq, fn, 0, user_data, destroy);
	xmppc_stanza_unref(iq);
out:
	xmppc_free(ctx, jid);
	return rc;
}

XMPPC_API int xmppc_roster_set_item(xmppc_session *s, const xmppc_roster_item *item,
                                    xmppc_iq_reply_fn fn, void *user_data,
                                    void (*destroy)(void *user_data))
{
	if (s == NULL || item == NULL || item->version != XMPPC_ROSTER_ITEM_VERSION ||
	    item->jid == NULL || (item->n_groups != 0 && item->groups == NULL))
		return XMPPC_EINVAL;
	return send_set(s, item, 0, fn, user_data, destroy);
}

XMPPC_API int xmppc_roster_remove_item(xmppc_session *s, const char *jid, xmppc_iq_reply_fn fn,
                                       void *user_data, void (*destroy)(void *user_data))
{
	xmppc_roster_item it = {
	    XMPPC_ROSTER_ITEM_VERSION, NULL, NULL, XMPPC_SUBSCRIPTION_NONE, 0, 0, NULL, 0};

	if (s == NULL || jid == NULL)
		return XMPPC_EINVAL;
	it.jid = jid;
	return send_set(s, &it, 1, fn, user_data, destroy);
}
