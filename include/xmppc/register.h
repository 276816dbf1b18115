/**
 * @file register.h
 * @brief In-band registration (XEP-0077): register, change password, cancel.
 *
 * For a logged-in session: xmppc_register_change_password() (§3.3) and
 * xmppc_register_cancel() (§3.2). Registering a new account (§3.1) happens
 * before authentication: set #XMPPC_SESSION_REGISTER in the session
 * config and the session registers the JID's localpart with the
 * configured password, then logs in with them.
 *
 * Passwords in these requests are replaced by "[redacted]" in the wire
 * trace (xmppc_ctx_set_trace()). The session keeps the password it was
 * configured with: give a changed one to the next session.
 */
#ifndef XMPPC_REGISTER_H
#define XMPPC_REGISTER_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** The XEP-0077 namespace. */
#define XMPPC_NS_REGISTER "jabber:iq:register"

/** Name of the module. */
#define XMPPC_REGISTER_MODULE_NAME "xmppc.register"

/**
 * The module. It registers nothing and adds no disco feature; the
 * functions below work without it. Its config must be NULL.
 */
XMPPC_API const xmppc_module *xmppc_register_module(void);

/**
 * Change our account's password (XEP-0077 §3.3): a set to our server with
 * our username and the new password.
 *
 * @param session the session (READY).
 * @param new_password the new password (non-empty); copied.
 * @param fn reply callback: error 0 when changed; #XMPPC_IQ_ERROR_REPLY
 *        (e.g. not-authorized with a data form when the server wants more,
 *        not-allowed); #XMPPC_ETIMEOUT; #XMPPC_EDISCONNECTED. May be NULL.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0; #XMPPC_EINVAL; #XMPPC_EXML_INVALID_UTF8 / #XMPPC_EXML_INVALID_CHAR
 *         (a password XML cannot carry); or an error of
 *         xmppc_session_send_iq(). On error @p fn never fires and
 *         @p destroy is not called.
 */
XMPPC_API int xmppc_register_change_password(xmppc_session *session, const char *new_password,
                                             xmppc_iq_reply_fn fn, void *user_data,
                                             void (*destroy)(void *user_data));

/**
 * Delete our account on the server (XEP-0077 §3.2). The server may close
 * the stream right after (or instead of) answering, so @p fn can see
 * #XMPPC_EDISCONNECTED for a cancellation that succeeded.
 *
 * @param session the session (READY).
 * @param fn reply callback (error 0: removed), or NULL.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0 or an error of xmppc_session_send_iq() (then @p fn never
 *         fires and @p destroy is not called).
 */
XMPPC_API int xmppc_register_cancel(xmppc_session *session, xmppc_iq_reply_fn fn,
                                    void *user_data, void (*destroy)(void *user_data));

XMPPC_END_DECLS

#endif /* XMPPC_REGISTER_H */
