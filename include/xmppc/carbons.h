/**
 * @file carbons.h
 * @brief Message carbons (XEP-0280): enable/disable, unwrapping only from
 *        our own bare JID.
 *
 * The "xmppc.carbons" module watches incoming messages with a `<sent/>` or
 * `<received/>` wrapper (urn:xmpp:carbons:2) ahead of every other observer
 * (priority #XMPPC_CARBONS_PRIORITY) and stops the chain for them. A
 * wrapper is unwrapped only when its 'from' is exactly our own bare JID
 * (XEP-0280 §11): a wrapper from anyone else (a contact, our own full JID,
 * no 'from') could make a forged message look as if the forwarded sender
 * wrote it, so it is dropped, reported to the rejected callback, and never
 * shown as a message. Also dropped: a wrapper without exactly one
 * forwarded message, a copy nested in a copy, a sent copy not from our
 * account, a received copy not to it, and copies of messages marked
 * `<private/>` or `<no-copy/>` (the sender asked for none).
 *
 * A verified copy goes to the im module (xmppc_im_deliver(): the message
 * callback sees it with its carbon field set) when that is attached, and
 * to the config's carbon callback when one is set.
 */
#ifndef XMPPC_CARBONS_H
#define XMPPC_CARBONS_H

#include <xmppc/im.h>
#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** Namespace of XEP-0280 message carbons. */
#define XMPPC_NS_CARBONS "urn:xmpp:carbons:2"
/** Namespace of XEP-0297 stanza forwarding. */
#define XMPPC_NS_FORWARD "urn:xmpp:forward:0"
/** Priority of the module's message observer. */
#define XMPPC_CARBONS_PRIORITY 10000

/**
 * Carbon callback.
 *
 * @param user_data as configured.
 * @param session the session.
 * @param carbon SENT or RECEIVED.
 * @param message the forwarded message (borrowed for the call).
 */
typedef void (*xmppc_carbon_fn)(void *user_data, xmppc_session *session, xmppc_im_carbon carbon,
                                const xmppc_stanza *message);

/**
 * Rejected-wrapper callback: a carbon wrapper was dropped.
 *
 * @param user_data as configured.
 * @param session the session.
 * @param wrapper the whole message that was dropped (borrowed).
 * @param reason a short static description ("not from our bare JID", ...).
 */
typedef void (*xmppc_carbon_rejected_fn)(void *user_data, xmppc_session *session,
                                         const xmppc_stanza *wrapper, const char *reason);

/** Version of #xmppc_carbons_config understood by this library. */
#define XMPPC_CARBONS_CONFIG_VERSION 1u

/**
 * Configuration of the carbons module; NULL means none of the callbacks.
 * The module takes over `user_data` (destroy is called on detach, and
 * when attaching fails for any reason but a wrong config version).
 */
typedef struct xmppc_carbons_config {
	unsigned version;                   /**< #XMPPC_CARBONS_CONFIG_VERSION */
	xmppc_carbon_fn on_carbon;          /**< verified copies, or NULL */
	xmppc_carbon_rejected_fn on_rejected; /**< dropped wrappers, or NULL */
	void *user_data;                    /**< passed to the callbacks */
	void (*destroy)(void *user_data);   /**< called with `user_data`; may be NULL */
} xmppc_carbons_config;

/**
 * The carbons module ("xmppc.carbons", disco feature urn:xmpp:carbons:2).
 * Attaching fails with #XMPPC_EINVAL on a wrong config version.
 *
 * @return a static table.
 */
XMPPC_API const xmppc_module *xmppc_carbons_module(void);

/**
 * Ask the server to enable carbons for this resource (XEP-0280 §4).
 *
 * @param session the session (READY, module attached).
 * @param fn called once with the server's answer (as for
 *        xmppc_session_send_iq(): error 0 means enabled); may be NULL.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired; may be NULL.
 * @return 0; #XMPPC_EINVAL; #XMPPC_ENOTFOUND (module not attached); what
 *         xmppc_session_send_iq() returns. On error @p fn never fires and
 *         @p destroy is not called.
 */
XMPPC_API int xmppc_carbons_enable(xmppc_session *session, xmppc_iq_reply_fn fn, void *user_data,
                                   void (*destroy)(void *user_data));

/** Ask the server to disable carbons (XEP-0280 §5); as xmppc_carbons_enable(). */
XMPPC_API int xmppc_carbons_disable(xmppc_session *session, xmppc_iq_reply_fn fn, void *user_data,
                                    void (*destroy)(void *user_data));

/**
 * Whether the server confirmed carbons enabled (its last successful
 * answer to xmppc_carbons_enable() or xmppc_carbons_disable()) on the
 * current server-side session. A stream resumed with XEP-0198 keeps it;
 * it is 0 again when a fresh resource is bound or the stream ends without
 * a resumption possible (xmppc_session_event_ends_state()): enable carbons
 * again on #XMPPC_EVENT_BOUND.
 *
 * @return 1 enabled, 0 not (or the module is not attached).
 */
XMPPC_API int xmppc_carbons_enabled(const xmppc_session *session);

/**
 * Mark an outgoing message as private (XEP-0280 §7): adds `<private/>`
 * and the XEP-0334 `<no-copy/>` hint so the server makes no copies.
 *
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_carbons_set_private(xmppc_stanza *message);

XMPPC_END_DECLS

#endif /* XMPPC_CARBONS_H */
