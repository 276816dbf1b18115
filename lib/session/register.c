/* XEP-0077 in-band registration before authentication
 * (XMPPC_SESSION_REGISTER): on the secured stream, before SASL, one
 * jabber:iq:register set with the JID's localpart and the configured
 * password; on success the negotiation goes on to SASL with the same
 * credentials. The request goes through the redacting trace. */
#include <stdio.h>
#include <string.h>

#include "session/session-internal.h"
#include "util/ctx.h"
#include "util/random.h"

#define NS_REGISTER "jabber:iq:register"
#define NS_REGISTER_FEATURE "http://jabber.org/features/iq-register"

int xmppc__register_begin(xmppc_session *s, const xmppc_stanza *feats, int *rc)
{
	xmppc_stanza *iq = NULL, *q, *c;

	*rc = 0;
	if (!(s->flags & XMPPC_SESSION_REGISTER) || s->registered || s->authenticated)
		return 0;
	if (xmppc_stanza_find_child(feats, "register", NS_REGISTER_FEATURE) == NULL) {
		*rc = xmppc__session_fail(s, XMPPC_EREGISTER,
		                          "the server does not offer in-band registration");
		return 1;
	}
	if (xmppc_jid_local(s->account) == NULL) {
		*rc = xmppc__session_fail(s, XMPPC_EREGISTER, "the JID has no localpart to register");
		return 1;
	}
	if ((*rc = xmppc__id_generate(s->reg_id)) != 0 ||
	    (*rc = xmppc_iq_new(&iq, s->ctx, XMPPC_TYPE_SET, NULL, s->reg_id)) != 0 ||
	    (*rc = xmppc_stanza_new_child(&q, iq, "query", NS_REGISTER)) != 0 ||
	    (*rc = xmppc_stanza_new_text_child(&c, q, "username", NULL,
	                                       xmppc_jid_local(s->account))) != 0 ||
	    (*rc = xmppc_stanza_new_text_child(&c, q, "password", NULL, s->password)) != 0 ||
	    (*rc = xmppc__session_write(s, iq)) != 0) {
		xmppc_stanza_unref(iq);
		*rc = xmppc__session_fail(s, *rc, "could not send the registration request");
		return 1;
	}
	xmppc_stanza_unref(iq);
	s->registering = 1;
	s->wipe_output = 1; /* the password is in the output queue */
	s->state = XMPPC_SESSION_STATE_AUTHENTICATING;
	return 1;
}

/* Before authentication the server answers for the account: no 'from',
 * or our domain or bare JID. */
static int from_server(const xmppc_session *s, const char *from)
{
	xmppc_jid *f;
	int ok;

	if (from == NULL)
		return 1;
	if (xmppc_jid_new(&f, s->ctx, from) != 0)
		return 0;
	ok = xmppc_jid_equal(f, s->account) ||
	     (xmppc_jid_local(f) == NULL && xmppc_jid_resource(f) == NULL &&
	      strcmp(xmppc_jid_domain(f), xmppc_jid_domain(s->account)) == 0);
	xmppc_jid_unref(f);
	return ok;
}

int xmppc__register_on_iq(xmppc_session *s, const xmppc_stanza *iq, int *rc)
{
	xmppc_stanza_type t = xmppc_stanza_get_type(iq);
	const char *id = xmppc_stanza_id(iq);

	*rc = 0;
	if (!s->registering || id == NULL || strcmp(id, s->reg_id) != 0 ||
	    (t != XMPPC_TYPE_RESULT && t != XMPPC_TYPE_ERROR) || !from_server(s, xmppc_stanza_from(iq)))
		return 0;
	s->registering = 0;
	if (t == XMPPC_TYPE_ERROR) {
		xmppc_stanza_error_info e = {XMPPC_STANZA_ERROR_INFO_VERSION, 0, 0, NULL, NULL, NULL};
		char text[200];
		xmppc_stanza_get_error(&e, iq);
		snprintf(text, sizeof(text), "registration refused: %s%s%s",
		         xmppc_stanza_condition_name(e.condition), e.text ? ": " : "",
		         e.text ? e.text : "");
		*rc = xmppc__session_fail(s, e.condition == XMPPC_COND_CONFLICT
		                                 ? XMPPC_EREGISTER_CONFLICT
		                                 : XMPPC_EREGISTER,
		                          text);
		return 1;
	}
	s->registered = 1;
	XMPPC_LOG(s->ctx, XMPPC_LOG_INFO, "session", "registered %s", xmppc_jid_bare(s->account));
	*rc = xmppc__auth_begin(s);
	if (*rc != 0)
		*rc = xmppc__session_fail(s, *rc, NULL);
	return 1;
}
