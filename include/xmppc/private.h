/**
 * @file private.h
 * @brief Private XML storage (XEP-0049): get and set.
 *
 * The server stores one XML element per (name, namespace) for our account,
 * visible only to us. xmppc_private_set() stores an element,
 * xmppc_private_get() retrieves it.
 */
#ifndef XMPPC_PRIVATE_H
#define XMPPC_PRIVATE_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** The XEP-0049 namespace. */
#define XMPPC_NS_PRIVATE "jabber:iq:private"

/** Name of the module. */
#define XMPPC_PRIVATE_MODULE_NAME "xmppc.private"

/**
 * The module. It registers nothing and adds no disco feature; the
 * functions below work without it. Its config must be NULL.
 */
XMPPC_API const xmppc_module *xmppc_private_module(void);

/**
 * Result of xmppc_private_get(); fires exactly once.
 *
 * @param user_data as given.
 * @param session the session.
 * @param element the stored element (borrowed: xmppc_stanza_copy() it to
 *        keep it) when @p error is 0; it is empty when nothing is stored.
 * @param reply the reply (borrowed), or NULL on timeout/disconnection.
 * @param error 0; #XMPPC_IQ_ERROR_REPLY; #XMPPC_EPROTOCOL (the result does
 *        not hold the element asked for); #XMPPC_ETIMEOUT;
 *        #XMPPC_EDISCONNECTED.
 */
typedef void (*xmppc_private_fn)(void *user_data, xmppc_session *session,
                                 const xmppc_stanza *element, const xmppc_stanza *reply,
                                 int error);

/**
 * Retrieve the element stored under (@p name, @p ns). The module need not
 * be attached.
 *
 * @param session the session (READY).
 * @param name the element's name.
 * @param ns its namespace (not jabber:client, jabber:server or
 *        jabber:iq:private, XEP-0049 §3).
 * @param fn result callback.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0; #XMPPC_EINVAL; #XMPPC_EINVALID_NAME; or an error of
 *         xmppc_session_send_iq(). On error @p fn never fires and
 *         @p destroy is not called.
 */
XMPPC_API int xmppc_private_get(xmppc_session *session, const char *name, const char *ns,
                                xmppc_private_fn fn, void *user_data,
                                void (*destroy)(void *user_data));

/**
 * Store @p element (replacing what was stored under its name and
 * namespace).
 *
 * @param session the session (READY).
 * @param element the element; copied. Its namespace must be allowed as
 *        for xmppc_private_get().
 * @param fn reply callback (error 0: stored), or NULL.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0; #XMPPC_EINVAL; or an error of xmppc_session_send_iq(). On
 *         error @p fn never fires and @p destroy is not called.
 */
XMPPC_API int xmppc_private_set(xmppc_session *session, const xmppc_stanza *element,
                                xmppc_iq_reply_fn fn, void *user_data,
                                void (*destroy)(void *user_data));

XMPPC_END_DECLS

#endif /* XMPPC_PRIVATE_H */
