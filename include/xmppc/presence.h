/**
 * @file presence.h
 * @brief Presence and subscriptions (RFC 6121 §3-4): own presence, directed presence, subscription handshake, per-resource tracking.
 *
 * Attach #xmppc_presence_module() to track who is online: for every
 * contact (bare JID) the resources that sent available presence, with
 * their show, status and priority, and the "best" resource. It also
 * reports subscription requests and answers, and presence errors, through
 * the event callback. The tracking is cleared when a new resource is
 * bound or the stream ends without a resumption possible (see
 * xmppc_session_event_ends_state(); the server sends the current presences
 * again after our initial presence); a stream resumed with XEP-0198 keeps
 * it, since the server resends what changed meanwhile.
 *
 * Sending (own presence, directed presence, subscription management) does
 * not need the module, except xmppc_presence_preapprove() and the pending
 * request list.
 *
 * Presences without 'from', with a malformed 'from', or of type probe are
 * ignored. The module's observer lets every presence pass on to later
 * observers.
 */
#ifndef XMPPC_PRESENCE_H
#define XMPPC_PRESENCE_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** Name of the module. */
#define XMPPC_PRESENCE_MODULE_NAME "xmppc.presence"

/** The `<show/>` of an available presence (RFC 6121 §4.7.2.1). */
typedef enum xmppc_presence_show {
	XMPPC_SHOW_NONE = 0, /**< available, no `<show/>` */
	XMPPC_SHOW_CHAT = 1, /**< "chat": free to chat */
	XMPPC_SHOW_AWAY = 2, /**< "away" */
	XMPPC_SHOW_XA = 3,   /**< "xa": extended away */
	XMPPC_SHOW_DND = 4   /**< "dnd": do not disturb */
} xmppc_presence_show;

/** Version of #xmppc_presence_info understood by this library. */
#define XMPPC_PRESENCE_INFO_VERSION 1u

/**
 * One available resource of a contact. Borrowed from the module: valid
 * until the next call of the session that can fire callbacks.
 */
typedef struct xmppc_presence_info {
	unsigned version;          /**< #XMPPC_PRESENCE_INFO_VERSION */
	const char *jid;           /**< the full JID (the bare JID for a presence from a bare JID) */
	const char *resource;      /**< its resource ("" for a bare JID) */
	xmppc_presence_show show;  /**< the show (unknown values: NONE) */
	const char *status;        /**< the default-language `<status/>`, or NULL */
	int priority;              /**< -128..127 (absent or invalid: 0) */
	uint64_t since_ms;         /**< context clock of the last presence from it */
	const xmppc_stanza *stanza;/**< that presence, for its extensions (borrowed) */
} xmppc_presence_info;

/**
 * Config flag: allow xmppc_presence_preapprove() even if the stream
 * features do not show pre-approval. By default it is allowed when the
 * server advertises `<sub xmlns='urn:xmpp:features:pre-approval'/>`
 * (RFC 6121 §3.4).
 */
#define XMPPC_PRESENCE_PREAPPROVAL 0x1u

/** Version of #xmppc_presence_config understood by this library. */
#define XMPPC_PRESENCE_CONFIG_VERSION 1u

/** Configuration of the module (NULL: defaults). */
typedef struct xmppc_presence_config {
	unsigned version; /**< #XMPPC_PRESENCE_CONFIG_VERSION */
	unsigned flags;   /**< XMPPC_PRESENCE_* flags */
} xmppc_presence_config;

/** The module ("xmppc.presence"); config a #xmppc_presence_config or NULL. */
XMPPC_API const xmppc_module *xmppc_presence_module(void);

/** Presence event types. */
typedef enum xmppc_presence_event_type {
	/** A resource came online or changed its presence (@ref xmppc_presence_event.info). */
	XMPPC_PRESENCE_EVENT_AVAILABLE = 1,
	/** A resource went offline (info: its last state), or, for an
	 *  unavailable presence from a bare JID, the whole contact (info NULL). */
	XMPPC_PRESENCE_EVENT_UNAVAILABLE = 2,
	/** The contact (bare JID) asks to see our presence: answer with
	 *  xmppc_presence_approve() or xmppc_presence_deny(). */
	XMPPC_PRESENCE_EVENT_SUBSCRIBE = 3,
	/** The contact approved our request. */
	XMPPC_PRESENCE_EVENT_SUBSCRIBED = 4,
	/** The contact no longer wants our presence. */
	XMPPC_PRESENCE_EVENT_UNSUBSCRIBE = 5,
	/** The contact denied our request or cancelled our subscription. */
	XMPPC_PRESENCE_EVENT_UNSUBSCRIBED = 6,
	/** A presence error (@ref xmppc_presence_event.error); the sender's
	 *  resource (all resources, for a bare JID) is now considered offline. */
	XMPPC_PRESENCE_EVENT_ERROR = 7
} xmppc_presence_event_type;

/** Version of #xmppc_presence_event understood by this library. */
#define XMPPC_PRESENCE_EVENT_VERSION 1u

/** A presence event. Everything is borrowed for the duration of the callback. */
typedef struct xmppc_presence_event {
	unsigned version;                /**< #XMPPC_PRESENCE_EVENT_VERSION */
	xmppc_presence_event_type type;  /**< what happened */
	/** The sender (normalized): the full JID for AVAILABLE, UNAVAILABLE and
	 *  ERROR as sent; the bare JID for the subscription events. */
	const char *jid;
	const char *bare;                /**< the sender's bare JID */
	const xmppc_presence_info *info; /**< AVAILABLE, UNAVAILABLE: the resource; else NULL */
	const char *status;              /**< the `<status/>` text, or NULL */
	const xmppc_stanza_error_info *error; /**< ERROR: the error; else NULL */
	const xmppc_stanza *stanza;      /**< the presence */
} xmppc_presence_event;

/** Presence event callback. */
typedef void (*xmppc_presence_event_fn)(void *user_data, xmppc_session *session,
                                        const xmppc_presence_event *event);

/**
 * Set the event callback (replacing any previous one, whose destroy
 * function is then called).
 *
 * @param session the session.
 * @param fn the callback, or NULL for none.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data when replaced or on detach; may be NULL.
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOTFOUND (module not attached; @p
 *         destroy is not called).
 */
XMPPC_API int xmppc_presence_set_event_fn(xmppc_session *session, xmppc_presence_event_fn fn,
                                          void *user_data, void (*destroy)(void *user_data));

/**
 * Send available presence: to the server for broadcast (initial or
 * updated presence, RFC 6121 §4.2 and §4.4) or to one entity (directed
 * presence, §4.6).
 *
 * @param session the session (READY).
 * @param to the recipient, or NULL to broadcast.
 * @param show the show.
 * @param status status text, or NULL.
 * @param priority -128..127 (0 is not written).
 * @return 0; #XMPPC_EINVAL (bad show or priority); an `XMPPC_EJID_*` code
 *         for a bad @p to; an error of xmppc_session_send().
 */
XMPPC_API int xmppc_presence_send_available(xmppc_session *session, const char *to,
                                            xmppc_presence_show show, const char *status,
                                            int priority);

/**
 * Send unavailable presence: broadcast (going offline while keeping the
 * stream, RFC 6121 §4.5) or directed (§4.6).
 *
 * @param session the session (READY).
 * @param to the recipient, or NULL to broadcast.
 * @param status status text, or NULL.
 * @return as xmppc_presence_send_available().
 */
XMPPC_API int xmppc_presence_send_unavailable(xmppc_session *session, const char *to,
                                              const char *status);

/**
 * Ask to see a contact's presence (RFC 6121 §3.1.1): presence of type
 * subscribe to its bare JID. The server adds the contact to the roster.
 *
 * @param session the session (READY).
 * @param jid the contact (its bare JID is used).
 * @param status optional text shown with the request, or NULL.
 * @return 0; #XMPPC_EINVAL; an `XMPPC_EJID_*` code; an error of xmppc_session_send().
 */
XMPPC_API int xmppc_presence_subscribe(xmppc_session *session, const char *jid,
                                       const char *status);

/**
 * Approve a contact's subscription request (RFC 6121 §3.1.4): presence of
 * type subscribed. The request leaves the pending list.
 *
 * @return as xmppc_presence_subscribe().
 */
XMPPC_API int xmppc_presence_approve(xmppc_session *session, const char *jid);

/**
 * Deny a contact's subscription request (RFC 6121 §3.1.4): presence of
 * type unsubscribed. The request leaves the pending list.
 *
 * @return as xmppc_presence_subscribe().
 */
XMPPC_API int xmppc_presence_deny(xmppc_session *session, const char *jid);

/**
 * Cancel a contact's subscription to our presence (RFC 6121 §3.2):
 * presence of type unsubscribed.
 *
 * @return as xmppc_presence_subscribe().
 */
XMPPC_API int xmppc_presence_cancel(xmppc_session *session, const char *jid);

/**
 * Stop seeing a contact's presence (RFC 6121 §3.3): presence of type
 * unsubscribe.
 *
 * @return as xmppc_presence_subscribe().
 */
XMPPC_API int xmppc_presence_unsubscribe(xmppc_session *session, const char *jid);

/**
 * Pre-approve a contact (RFC 6121 §3.4): subscribed presence before any
 * request, so the server approves the contact's request itself.
 *
 * @return 0; #XMPPC_ENOTFOUND (module not attached); #XMPPC_EUNSUPPORTED
 *         (the config does not say the server offers pre-approval; nothing
 *         sent); as xmppc_presence_subscribe().
 */
XMPPC_API int xmppc_presence_preapprove(xmppc_session *session, const char *jid);

/** Number of subscription requests not answered yet (0 without the module). */
XMPPC_API size_t xmppc_presence_pending_count(const xmppc_session *session);

/** The bare JID of the @p index-th pending request (oldest first), or NULL. Borrowed. */
XMPPC_API const char *xmppc_presence_pending_at(const xmppc_session *session, size_t index);

/**
 * Number of available resources of a contact.
 *
 * @param session the session.
 * @param jid the contact (its bare JID is used).
 * @return the count (0: offline, unknown, bad JID, no module).
 */
XMPPC_API size_t xmppc_presence_resource_count(const xmppc_session *session, const char *jid);

/**
 * The @p index-th available resource of a contact, in order of arrival.
 *
 * @return the resource (borrowed, see #xmppc_presence_info), or NULL.
 */
XMPPC_API const xmppc_presence_info *xmppc_presence_resource_at(const xmppc_session *session,
                                                                const char *jid, size_t index);

/**
 * The contact's best resource: highest priority; then the most available
 * show (chat, none, away, xa, dnd); then the most recent presence.
 * Resources with a negative priority count too.
 *
 * @return the resource (borrowed), or NULL when the contact is offline.
 */
XMPPC_API const xmppc_presence_info *xmppc_presence_best(const xmppc_session *session,
                                                         const char *jid);

/** Wire name of a show ("away"), or NULL for #XMPPC_SHOW_NONE and unknown values. */
XMPPC_API const char *xmppc_presence_show_name(xmppc_presence_show show);

XMPPC_END_DECLS

#endif /* XMPPC_PRESENCE_H */
