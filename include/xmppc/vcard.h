/**
 * @file vcard.h
 * @brief vcard-temp (XEP-0054): get and set.
 *
 * A vCard is handled as its `<vCard xmlns='vcard-temp'/>` element (the
 * schema is large and mostly free-form): xmppc_vcard_get() delivers it,
 * xmppc_vcard_set() publishes one, and xmppc_vcard_field() /
 * xmppc_vcard_set_field() read and write simple fields such as "FN",
 * "NICKNAME" or "N/GIVEN".
 */
#ifndef XMPPC_VCARD_H
#define XMPPC_VCARD_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** The vcard-temp namespace. */
#define XMPPC_NS_VCARD "vcard-temp"

/** Name of the module. */
#define XMPPC_VCARD_MODULE_NAME "xmppc.vcard"

/**
 * The module. It registers nothing and adds no disco feature (vcard-temp
 * is served by the server); the functions below work without it. Its
 * config must be NULL.
 */
XMPPC_API const xmppc_module *xmppc_vcard_module(void);

/**
 * A new, empty `<vCard xmlns='vcard-temp'/>` to fill and pass to
 * xmppc_vcard_set().
 *
 * @param[out] out receives the element (reference count 1).
 * @param ctx context.
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_vcard_new(xmppc_stanza **out, xmppc_ctx *ctx);

/**
 * The text of a field.
 *
 * @param vcard a `<vCard/>` element.
 * @param path element names separated by '/', e.g. "FN" or "N/FAMILY"
 *        (at most 4 levels; the first element of each name is taken).
 * @return the text (borrowed from the tree), or NULL when absent.
 */
XMPPC_API const char *xmppc_vcard_field(const xmppc_stanza *vcard, const char *path);

/**
 * Set the text of a field, creating the elements of @p path as needed
 * (in the vcard-temp namespace).
 *
 * @param vcard a `<vCard/>` element.
 * @param path as in xmppc_vcard_field().
 * @param text the text; copied.
 * @return 0, #XMPPC_EINVAL (NULL, not a vCard, empty or too deep path),
 *         #XMPPC_EINVALID_NAME, #XMPPC_EXML_INVALID_UTF8,
 *         #XMPPC_EXML_INVALID_CHAR or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_vcard_set_field(xmppc_stanza *vcard, const char *path, const char *text);

/**
 * Result of xmppc_vcard_get(); fires exactly once.
 *
 * @param user_data as given.
 * @param session the session.
 * @param vcard the `<vCard/>` element (borrowed: xmppc_stanza_copy() it
 *        to keep it) when @p error is 0; NULL with @p error 0 when the
 *        result holds no vCard (no vCard stored).
 * @param reply the reply (borrowed), or NULL on timeout/disconnection.
 * @param error 0; #XMPPC_IQ_ERROR_REPLY (item-not-found is how some
 *        servers say "no vCard", XEP-0054 §3.1); #XMPPC_ETIMEOUT;
 *        #XMPPC_EDISCONNECTED.
 */
typedef void (*xmppc_vcard_fn)(void *user_data, xmppc_session *session,
                               const xmppc_stanza *vcard, const xmppc_stanza *reply, int error);

/**
 * Retrieve a vCard. The module need not be attached.
 *
 * @param session the session (READY).
 * @param jid whose (a bare JID), or NULL for our own.
 * @param fn result callback.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0 or an error of xmppc_session_send_iq() (then @p fn never
 *         fires and @p destroy is not called).
 */
XMPPC_API int xmppc_vcard_get(xmppc_session *session, const char *jid, xmppc_vcard_fn fn,
                              void *user_data, void (*destroy)(void *user_data));

/**
 * Publish our vCard (replacing the stored one).
 *
 * @param session the session (READY).
 * @param vcard a `<vCard xmlns='vcard-temp'/>` element; copied.
 * @param fn reply callback (error 0: stored), or NULL.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0; #XMPPC_EINVAL (not a vCard element); or an error of
 *         xmppc_session_send_iq(). On error @p fn never fires and
 *         @p destroy is not called.
 */
XMPPC_API int xmppc_vcard_set(xmppc_session *session, const xmppc_stanza *vcard,
                              xmppc_iq_reply_fn fn, void *user_data,
                              void (*destroy)(void *user_data));

XMPPC_END_DECLS

#endif /* XMPPC_VCARD_H */
