/**
 * @file blocking.h
 * @brief Blocking command (XEP-0191): list, block, unblock, pushes from our account only.
 *
 * xmppc_blocking_get() retrieves the block list, xmppc_blocking_block()
 * and xmppc_blocking_unblock() change it. The server tells every
 * resource about a change with a push (an IQ set); attach
 * #xmppc_blocking_module() to accept them: a push is taken only from our
 * own account (no 'from', or our bare JID); one from anyone else is
 * answered `service-unavailable` (as if nobody handled it) and never
 * reaches the application.
 */
#ifndef XMPPC_BLOCKING_H
#define XMPPC_BLOCKING_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** The XEP-0191 namespace. */
#define XMPPC_NS_BLOCKING "urn:xmpp:blocking"

/** Name of the module. */
#define XMPPC_BLOCKING_MODULE_NAME "xmppc.blocking"

/**
 * A block-list push from our server.
 *
 * @param user_data as configured.
 * @param session the session.
 * @param blocked 1 for `<block/>`, 0 for `<unblock/>`.
 * @param jids the JIDs (borrowed for the call), as the server sent them.
 * @param n their number; 0 only for an unblock: everything was unblocked.
 */
typedef void (*xmppc_blocking_push_fn)(void *user_data, xmppc_session *session, int blocked,
                                       const char *const *jids, size_t n);

/** Version of #xmppc_blocking_config understood by this library. */
#define XMPPC_BLOCKING_CONFIG_VERSION 1u

/** Configuration of the blocking module (copied at attach). */
typedef struct xmppc_blocking_config {
	unsigned version;               /**< #XMPPC_BLOCKING_CONFIG_VERSION */
	xmppc_blocking_push_fn on_push; /**< pushes; may be NULL (they are still acknowledged) */
	void *user_data;                /**< passed to @ref on_push */
	/** called with @ref user_data when the module is detached; may be NULL */
	void (*destroy)(void *user_data);
} xmppc_blocking_config;

/**
 * The module: answers block-list pushes (`<block/>`, `<unblock/>` sets in
 * #XMPPC_NS_BLOCKING) from our account with a result after validating
 * them (a push without a JID, or a `<block/>` without items, gets
 * `bad-request`), and then calls the config's on_push. Its config is an
 * #xmppc_blocking_config or NULL. A wrong config version fails the attach
 * with #XMPPC_EINVAL (the config's destroy is then not called).
 */
XMPPC_API const xmppc_module *xmppc_blocking_module(void);

/**
 * Result of xmppc_blocking_get(); fires exactly once.
 *
 * @param user_data as given.
 * @param session the session.
 * @param jids the blocked JIDs when @p error is 0 (borrowed for the call).
 * @param n their number.
 * @param reply the reply (borrowed), or NULL on timeout/disconnection.
 * @param error 0; #XMPPC_IQ_ERROR_REPLY; #XMPPC_EPROTOCOL (no
 *        `<blocklist/>`, or an item without a JID); #XMPPC_ENOMEM;
 *        #XMPPC_ETIMEOUT; #XMPPC_EDISCONNECTED.
 */
typedef void (*xmppc_blocklist_fn)(void *user_data, xmppc_session *session,
                                   const char *const *jids, size_t n, const xmppc_stanza *reply,
                                   int error);

/**
 * Retrieve the block list from our server. The module need not be attached.
 *
 * @param session the session (READY).
 * @param fn result callback.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0 or an error of xmppc_session_send_iq() (then @p fn never
 *         fires and @p destroy is not called).
 */
XMPPC_API int xmppc_blocking_get(xmppc_session *session, xmppc_blocklist_fn fn, void *user_data,
                                 void (*destroy)(void *user_data));

/**
 * Block JIDs (XEP-0191 §3.3). The server answers with a result (and pushes
 * the change to all our resources).
 *
 * @param session the session (READY).
 * @param jids the JIDs (any form: domain, bare or full), each validated
 *        and sent normalised.
 * @param n their number (at least 1).
 * @param fn reply callback (error 0 for success), or NULL.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0; #XMPPC_EINVAL (no JIDs); an `XMPPC_EJID_*` code for an
 *         invalid JID; or an error of xmppc_session_send_iq(). On error
 *         @p fn never fires and @p destroy is not called.
 */
XMPPC_API int xmppc_blocking_block(xmppc_session *session, const char *const *jids, size_t n,
                                   xmppc_iq_reply_fn fn, void *user_data,
                                   void (*destroy)(void *user_data));

/**
 * Unblock JIDs (XEP-0191 §3.4), or everything when @p n is 0 (§3.5).
 *
 * @return as xmppc_blocking_block() (no #XMPPC_EINVAL for @p n 0).
 */
XMPPC_API int xmppc_blocking_unblock(xmppc_session *session, const char *const *jids, size_t n,
                                     xmppc_iq_reply_fn fn, void *user_data,
                                     void (*destroy)(void *user_data));

XMPPC_END_DECLS

#endif /* XMPPC_BLOCKING_H */
