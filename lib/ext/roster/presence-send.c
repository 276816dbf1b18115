/* Sending presence (RFC 6121 §3-4): own and directed presence, and the
 * subscription handshake. Subscription presences go to bare JIDs
 * (§3.1.1: the server would strip a resource anyway). */
#include <stdio.h>

#include "presence-internal.h"
#include "rp-util.h"

XMPPC_API int xmppc_presence_send_available(xmppc_session *s, const char *to,
                                            xmppc_presence_show show, const char *status,
                                            int priority)
{
	xmppc_stanza *p = NULL;
	char prio[8];
	const char *sn;
	int rc;

	if (s == NULL || (unsigned)show > XMPPC_SHOW_DND || priority < -128 || priority > 127)
		return XMPPC_EINVAL;
	if (to != NULL) {
		char *n;

		if ((rc = xmppc__rp_norm(&n, xmppc_session_ctx(s), to, 0)) != 0)
			return rc;
		xmppc_free(xmppc_session_ctx(s), n);
	}
	if ((rc = xmppc_presence_new(&p, xmppc_session_ctx(s), XMPPC_TYPE_AVAILABLE, to)) != 0)
		return rc;
	/* §4.7.2: order show, status, priority is customary, not required */
	if ((sn = xmppc_presence_show_name(show)) != NULL)
		rc = xmppc_stanza_new_text_child(NULL, p, "show", NULL, sn);
	if (rc == 0 && status != NULL)
		rc = xmppc_stanza_new_text_child(NULL, p, "status", NULL, status);
	if (rc == 0 && priority != 0) {
		snprintf(prio, sizeof(prio), "%d", priority);
		rc = xmppc_stanza_new_text_child(NULL, p, "priority", NULL, prio);
	}
	if (rc == 0)
		rc = xmppc_session_send(s, p);
	xmppc_stanza_unref(p);
	return rc;
}

XMPPC_API int xmppc_presence_send_unavailable(xmppc_session *s, const char *to, const char *status)
{
	int rc;

	if (s == NULL)
		return XMPPC_EINVAL;
	if (to != NULL) {
		char *n;

		if ((rc = xmppc__rp_norm(&n, xmppc_session_ctx(s), to, 0)) != 0)
			return rc;
		xmppc_free(xmppc_session_ctx(s), n);
	}
	return xmppc__rp_send_presence(s, XMPPC_TYPE_UNAVAILABLE, to, status);
}

static int send_sub(xmppc_session *s, xmppc_stanza_type type, const char *jid, const char *status)
{
	xmppc_ctx *ctx;
	presence_state *st;
	char *bare;
	int rc;

	if (s == NULL || jid == NULL)
		return XMPPC_EINVAL;
	ctx = xmppc_session_ctx(s);
	if ((rc = xmppc__rp_norm(&bare, ctx, jid, 1)) != 0)
		return rc;
	rc = xmppc__rp_send_presence(s, type, bare, status);
	/* an answer (either way) settles the pending request */
	st = xmppc_session_module_state(s, XMPPC_PRESENCE_MODULE_NAME);
	if (rc == 0 && st != NULL &&
	    (type == XMPPC_TYPE_SUBSCRIBED || type == XMPPC_TYPE_UNSUBSCRIBED))
		xmppc__ps_pending_remove(st, bare);
	xmppc_free(ctx, bare);
	return rc;
}

XMPPC_API int xmppc_presence_subscribe(xmppc_session *s, const char *jid, const char *status)
{
	return send_sub(s, XMPPC_TYPE_SUBSCRIBE, jid, status);
}

XMPPC_API int xmppc_presence_approve(xmppc_session *s, const char *jid)
{
	return send_sub(s, XMPPC_TYPE_SUBSCRIBED, jid, NULL);
}

XMPPC_API int xmppc_presence_deny(xmppc_session *s, const char *jid)
{
	return send_sub(s, XMPPC_TYPE_UNSUBSCRIBED, jid, NULL);
}

XMPPC_API int xmppc_presence_cancel(xmppc_session *s, const char *jid)
{
	return send_sub(s, XMPPC_TYPE_UNSUBSCRIBED, jid, NULL);
}

XMPPC_API int xmppc_presence_unsubscribe(xmppc_session *s, const char *jid)
{
	return send_sub(s, XMPPC_TYPE_UNSUBSCRIBE, jid, NULL);
}

XMPPC_API int xmppc_presence_preapprove(xmppc_session *s, const char *jid)
{
	presence_state *st;

	if (s == NULL || jid == NULL)
		return XMPPC_EINVAL;
	if ((st = xmppc_session_module_state(s, XMPPC_PRESENCE_MODULE_NAME)) == NULL)
		return XMPPC_ENOTFOUND;
	/* §3.4: without the stream feature the server would take a
	 * 'subscribed' with no pending request as nothing at all */
	if (!(st->flags & XMPPC_PRESENCE_PREAPPROVAL) &&
	    !xmppc_session_has_stream_feature(s, "sub", "urn:xmpp:features:pre-approval"))
		return XMPPC_EUNSUPPORTED;
	return send_sub(s, XMPPC_TYPE_SUBSCRIBED, jid, NULL);
}
