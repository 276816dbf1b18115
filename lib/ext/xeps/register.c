/* XEP-0077 In-Band Registration, for an authenticated session: change
 * the password and cancel the registration. */
#include <xmppc/register.h>

#include "xeps.h"

static int attach(xmppc_session *s, void *config, void **state)
{
	(void)s;
	*state = NULL;
	return config == NULL ? 0 : XMPPC_EINVAL;
}

static const xmppc_module module = {
    .version = XMPPC_MODULE_VERSION,
    .name = XMPPC_REGISTER_MODULE_NAME,
    .attach = attach,
};

XMPPC_API const xmppc_module *xmppc_register_module(void)
{
	return &module;
}

XMPPC_API int xmppc_register_change_password(xmppc_session *s, const char *new_password,
                                             xmppc_iq_reply_fn fn, void *user_data,
                                             void (*destroy)(void *user_data))
{
	const xmppc_jid *me;
	xmppc_stanza *iq, *q;
	int rc;

	if (s == NULL || new_password == NULL || new_password[0] == '\0')
		return XMPPC_EINVAL;
	if ((me = xmppc_session_jid(s)) == NULL)
		return XMPPC_ESTATE;
	if (xmppc_jid_local(me) == NULL)
		return XMPPC_EINVAL;
	/* §3.3: addressed to the server, with the username (localpart). */
	rc = xmppc__xeps_iq(&iq, &q, s, XMPPC_TYPE_SET, xmppc_jid_domain(me), "query",
	                    XMPPC_NS_REGISTER);
	if (rc != 0)
		return rc;
	if ((rc = xmppc_stanza_new_text_child(NULL, q, "username", NULL, xmppc_jid_local(me))) == 0 &&
	    (rc = xmppc_stanza_new_text_child(NULL, q, "password", NULL, new_password)) == 0)
		rc = xmppc__xeps_call(s, iq, 0, xmppc__xeps_deliver_done, (void (*)(void))fn,
		                      user_data, destroy);
	xmppc_stanza_unref(iq);
	return rc;
}

XMPPC_API int xmppc_register_cancel(xmppc_session *s, xmppc_iq_reply_fn fn, void *user_data,
                                    void (*destroy)(void *user_data))
{
	xmppc_stanza *iq, *q;
	int rc;

	if (s == NULL)
		return XMPPC_EINVAL;
	/* §3.2: no 'to' (our server on our behalf) and a bare <remove/>. */
	rc = xmppc__xeps_iq(&iq, &q, s, XMPPC_TYPE_SET, NULL, "query", XMPPC_NS_REGISTER);
	if (rc != 0)
		return rc;
	if ((rc = xmppc_stanza_new_child(NULL, q, "remove", NULL)) == 0)
		rc = xmppc__xeps_call(s, iq, 0, xmppc__xeps_deliver_done, (void (*)(void))fn,
		                      user_data, destroy);
	xmppc_stanza_unref(iq);
	return rc;
}
