/**
 * @file im.h
 * @brief Messaging: the "xmppc.im" module and helpers for chat states
 *        (XEP-0085), receipts (XEP-0184), last-message correction
 *        (XEP-0308), stanza and origin ids (XEP-0359), delay (XEP-0203),
 *        chat markers (XEP-0333), hints (XEP-0334) and /me (XEP-0245).
 *
 * Message types (chat, normal, headline, groupchat), threads, and bodies
 * and subjects per `xml:lang` are read and written with the accessors of
 * stanza.h (xmppc_message_new(), xmppc_message_body(),
 * xmppc_message_set_thread(), ...).
 *
 * The module, attached with
 * `xmppc_session_add_module(session, xmppc_im_module(), &config)`:
 * - parses every incoming message into an #xmppc_im_message and gives it
 *   to the application's message callback;
 * - answers receipt requests (XEP-0184 §5) according to its policy;
 * - prepares outgoing messages sent with xmppc_im_send_message(): an id,
 *   an origin-id (XEP-0359 §4) and, if configured, a receipt request.
 *   Messages sent with xmppc_session_send() directly are not touched.
 *
 * The helpers that read or build extension elements on a stanza work
 * without the module.
 */
#ifndef XMPPC_IM_H
#define XMPPC_IM_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** Namespace of XEP-0085 chat states. */
#define XMPPC_NS_CHATSTATES "http://jabber.org/protocol/chatstates"
/** Namespace of XEP-0184 message delivery receipts. */
#define XMPPC_NS_RECEIPTS "urn:xmpp:receipts"
/** Namespace of XEP-0308 last message correction. */
#define XMPPC_NS_CORRECT "urn:xmpp:message-correct:0"
/** Namespace of XEP-0359 unique and stable stanza ids. */
#define XMPPC_NS_SID "urn:xmpp:sid:0"
/** Namespace of XEP-0203 delayed delivery. */
#define XMPPC_NS_DELAY "urn:xmpp:delay"
/** Namespace of XEP-0333 chat markers. */
#define XMPPC_NS_CHAT_MARKERS "urn:xmpp:chat-markers:0"
/** Namespace of XEP-0334 message processing hints. */
#define XMPPC_NS_HINTS "urn:xmpp:hints"

/** Chat states (XEP-0085 §2). */
typedef enum xmppc_chat_state {
	XMPPC_CHAT_STATE_NONE = 0, /**< no chat state */
	XMPPC_CHAT_STATE_ACTIVE,    /**< "active" */
	XMPPC_CHAT_STATE_COMPOSING, /**< "composing" */
	XMPPC_CHAT_STATE_PAUSED,    /**< "paused" */
	XMPPC_CHAT_STATE_INACTIVE,  /**< "inactive" */
	XMPPC_CHAT_STATE_GONE       /**< "gone" */
} xmppc_chat_state;

/** Chat markers (XEP-0333 §3). */
typedef enum xmppc_chat_marker {
	XMPPC_MARKER_NONE = 0,     /**< no marker */
	XMPPC_MARKER_RECEIVED,     /**< "received" */
	XMPPC_MARKER_DISPLAYED,    /**< "displayed" */
	XMPPC_MARKER_ACKNOWLEDGED  /**< "acknowledged" */
} xmppc_chat_marker;

/** Hint bit (XEP-0334 §4.1): `<no-permanent-store/>`. */
#define XMPPC_HINT_NO_PERMANENT_STORE 0x1u
/** Hint bit (XEP-0334 §4.2): `<no-store/>`. */
#define XMPPC_HINT_NO_STORE 0x2u
/** Hint bit (XEP-0334 §4.3): `<no-copy/>`. */
#define XMPPC_HINT_NO_COPY 0x4u
/** Hint bit (XEP-0334 §4.4): `<store/>`. */
#define XMPPC_HINT_STORE 0x8u

/** Whether a message is a carbon copy (XEP-0280) and of which kind. */
typedef enum xmppc_im_carbon {
	XMPPC_CARBON_NONE = 0,     /**< received normally */
	XMPPC_CARBON_SENT = 1,     /**< a copy of a message another resource of ours sent */
	XMPPC_CARBON_RECEIVED = 2  /**< a copy of a message another resource of ours received */
} xmppc_im_carbon;

/** Version of #xmppc_im_message understood by this library. */
#define XMPPC_IM_MESSAGE_VERSION 1u

/**
 * A parsed message. Strings and the stanza are borrowed from the message
 * (valid during the callback, or while the caller keeps the stanza).
 */
typedef struct xmppc_im_message {
	unsigned version;             /**< #XMPPC_IM_MESSAGE_VERSION */
	const xmppc_stanza *stanza;   /**< the message (for carbons: the forwarded one) */
	xmppc_stanza_type type;       /**< NORMAL, CHAT, GROUPCHAT, HEADLINE, ERROR (or INVALID) */
	const char *from;             /**< 'from', or NULL */
	const char *to;               /**< 'to', or NULL */
	const char *id;               /**< 'id', or NULL */
	const char *body;             /**< the default body (see xmppc_message_body()), or NULL */
	const char *subject;          /**< the default subject, or NULL */
	const char *thread;           /**< `<thread/>` text, or NULL */
	const char *parent_thread;    /**< the thread's 'parent', or NULL */
	xmppc_im_carbon carbon;       /**< carbon copy or not */
	xmppc_chat_state chat_state;  /**< XEP-0085 state, or NONE */
	int receipt_requested;        /**< 1: XEP-0184 `<request/>` present */
	const char *receipt_id;       /**< XEP-0184 `<received id=.../>`, or NULL */
	const char *replace_id;       /**< XEP-0308 `<replace id=.../>`, or NULL */
	/** XEP-0359 `<stanza-id/>` whose 'by' is the trusted JID (see
	 *  xmppc_im_parse()), or NULL: ids by anyone else are ignored. */
	const char *stanza_id;
	const char *origin_id;        /**< XEP-0359 `<origin-id id=.../>`, or NULL */
	int has_delay;                /**< 1: a valid XEP-0203 `<delay/>` is present */
	/** XEP-0203 stamp in milliseconds since 1970-01-01T00:00:00Z (when @ref has_delay). */
	int64_t delay_ms;
	const char *delay_from;       /**< the delay's 'from', or NULL */
	xmppc_chat_marker marker;     /**< XEP-0333 marker, or NONE */
	const char *marker_id;        /**< the marker's 'id', or NULL */
	int markable;                 /**< 1: XEP-0333 `<markable/>` present */
	unsigned hints;               /**< XMPPC_HINT_* bits present */
} xmppc_im_message;

/**
 * Parse a message's extensions. Only the first element of each kind
 * counts; malformed ones (a `<delay/>` with a bad stamp, a `<replace/>`
 * without id...) are treated as absent.
 *
 * @param[out] out filled in; set its version first.
 * @param ctx context (for JID comparison).
 * @param message the message.
 * @param trusted_by the entity whose `<stanza-id/>` is trusted (XEP-0359
 *        §3.1: our own bare JID for one-to-one messages, the room's for
 *        groupchat), or NULL to trust none.
 * @return 0; #XMPPC_EINVAL (NULL arguments, wrong version, not a message);
 *         #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_im_parse(xmppc_im_message *out, xmppc_ctx *ctx, const xmppc_stanza *message,
                             const xmppc_jid *trusted_by);

/* ------------------------------------------------------------------ */
/** @name The module */
/**@{*/

/**
 * Message callback.
 *
 * @param user_data as configured.
 * @param session the session.
 * @param message the parsed message (borrowed for the call).
 * @return #XMPPC_CB_PASS to let later observers see the stanza, or
 *         #XMPPC_CB_OK to stop there (carbons: the value is ignored).
 */
typedef int (*xmppc_im_message_fn)(void *user_data, xmppc_session *session,
                                   const xmppc_im_message *message);

/**
 * Receipt policy callback: may a receipt be returned for this message
 * (one that XEP-0184 §5 allows answering)? Use it to answer only contacts
 * that may see our presence (XEP-0184 §8).
 *
 * @return 1 to answer, 0 not to.
 */
typedef int (*xmppc_im_receipt_policy_fn)(void *user_data, xmppc_session *session,
                                          const xmppc_im_message *message);

/** Config flag: do not add an origin-id to outgoing messages (by default
 *  the module adds one to every message sent through the session, with a
 *  send filter, and xmppc_im_send_message() adds it to the stanza itself). */
#define XMPPC_IM_NO_ORIGIN_ID 0x1u
/** Config flag: never answer receipt requests. */
#define XMPPC_IM_NO_AUTO_RECEIPTS 0x2u
/** Config flag: xmppc_im_send_message() requests a receipt on chat and
 *  normal messages with a body (XEP-0184 §5.1: only to peers known to
 *  support receipts). */
#define XMPPC_IM_REQUEST_RECEIPTS 0x4u

/** Version of #xmppc_im_config understood by this library. */
#define XMPPC_IM_CONFIG_VERSION 1u

/**
 * Configuration of the im module; a NULL config means all defaults. The
 * module takes over `user_data` (destroy is called on detach, and when
 * attaching fails for any reason but a wrong config version).
 */
typedef struct xmppc_im_config {
	unsigned version;                   /**< #XMPPC_IM_CONFIG_VERSION */
	unsigned flags;                     /**< XMPPC_IM_* flags */
	int priority;                       /**< observer priority (default 0) */
	xmppc_im_message_fn on_message;     /**< message callback, or NULL */
	/** Asked before each automatic receipt; NULL: answer every request
	 *  XEP-0184 allows answering. */
	xmppc_im_receipt_policy_fn receipt_policy;
	void *user_data;                    /**< passed to the callbacks */
	void (*destroy)(void *user_data);   /**< called with `user_data`; may be NULL */
} xmppc_im_config;

/**
 * The im module ("xmppc.im"). Its disco features: receipts, chat states,
 * correction, stanza ids, chat markers. Attach with
 * xmppc_session_add_module() and a #xmppc_im_config (or NULL); attaching
 * fails with #XMPPC_EINVAL on a wrong config version.
 *
 * @return a static table.
 */
XMPPC_API const xmppc_module *xmppc_im_module(void);

/**
 * Send a message through the im module: the message is completed first
 * (it is modified): an id when it has none; an `<origin-id/>` equal to the
 * id unless it has one or #XMPPC_IM_NO_ORIGIN_ID is set; a receipt
 * request when #XMPPC_IM_REQUEST_RECEIPTS is set, the message is chat or
 * normal, has a body and no request yet. No callback fires.
 *
 * @param session the session (with the im module attached).
 * @param message the message to send (modified, still owned by the caller).
 * @return 0; #XMPPC_EINVAL (NULL, not a message); #XMPPC_ENOTFOUND (the
 *         module is not attached); what xmppc_session_send() returns
 *         (#XMPPC_EAGAIN, #XMPPC_ESTATE...); #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_im_send_message(xmppc_session *session, xmppc_stanza *message);

/**
 * Give a message to the im module's callback as if received, marked as a
 * carbon copy: for modules that unwrap forwarded messages they have
 * verified (carbons). No receipt is answered for it. The callback fires
 * from inside.
 *
 * @param session the session.
 * @param message the (inner) message.
 * @param carbon the kind of copy.
 * @return 0; #XMPPC_EINVAL; #XMPPC_ENOTFOUND (the module is not attached);
 *         #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_im_deliver(xmppc_session *session, const xmppc_stanza *message,
                               xmppc_im_carbon carbon);
/**@}*/

/* ------------------------------------------------------------------ */
/** @name Building extension elements (no module needed) */
/**@{*/

/**
 * Add a chat state element (XEP-0085), replacing any present.
 *
 * @param message the message.
 * @param state the state; NONE only removes.
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_im_set_chat_state(xmppc_stanza *message, xmppc_chat_state state);

/** Element name of a chat state ("composing"), or NULL for NONE/unknown. */
XMPPC_API const char *xmppc_chat_state_name(xmppc_chat_state state);

/**
 * Add a receipt request `<request xmlns='urn:xmpp:receipts'/>` (once).
 * XEP-0184 §5.1: the message must have an id and content.
 *
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_im_request_receipt(xmppc_stanza *message);

/**
 * Make a message a correction of an earlier one (XEP-0308): adds
 * `<replace id='...'/>`, replacing any present.
 *
 * @param message the corrected message (with the full new body).
 * @param id the id of the message it corrects.
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_im_set_replace(xmppc_stanza *message, const char *id);

/**
 * Set the XEP-0359 `<origin-id/>`, replacing any present.
 *
 * @param message the message.
 * @param id the id; NULL uses the message's 'id' (#XMPPC_EINVAL when it has none).
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_im_set_origin_id(xmppc_stanza *message, const char *id);

/**
 * Add a chat marker (XEP-0333): `<markable/>` (pass NONE and NULL) or a
 * received/displayed/acknowledged marker for the message @p id.
 *
 * @return 0, #XMPPC_EINVAL (a marker without id, or an id with NONE) or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_im_set_marker(xmppc_stanza *message, xmppc_chat_marker marker,
                                  const char *id);

/**
 * Add processing hints (XEP-0334) not present yet.
 *
 * @param message the message.
 * @param hints XMPPC_HINT_* bits.
 * @return 0, #XMPPC_EINVAL (unknown bits) or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_im_add_hints(xmppc_stanza *message, unsigned hints);

/**
 * Is this body a /me command (XEP-0245 §2: it starts with "/me ")?
 *
 * @param[out] action receives the text after "/me " (borrowed from
 *        @p body); may be NULL.
 * @param body a message body, or NULL.
 * @return 1 or 0.
 */
XMPPC_API int xmppc_im_is_me_command(const char **action, const char *body);
/**@}*/

/* ------------------------------------------------------------------ */
/** @name Date and time (XEP-0082) */
/**@{*/

/**
 * Parse an XEP-0082 DateTime (`CCYY-MM-DDThh:mm:ss[.sss]TZD`, TZD `Z` or
 * `±hh:mm`), as in XEP-0203 stamps. Fractions beyond milliseconds are
 * truncated; a leap second 60 is read as 59.999.
 *
 * @param[out] ms receives milliseconds since 1970-01-01T00:00:00Z.
 * @param s the text.
 * @return 0 or #XMPPC_EINVAL (NULL, malformed, or a field out of range).
 */
XMPPC_API int xmppc_datetime_parse(int64_t *ms, const char *s);

/**
 * Append an XEP-0082 DateTime in UTC (`CCYY-MM-DDThh:mm:ss[.sss]Z`, the
 * fraction only when not zero).
 *
 * @param out the buffer.
 * @param ms milliseconds since 1970-01-01T00:00:00Z (years 0000-9999).
 * @return 0, #XMPPC_EINVAL (NULL or out of range) or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_datetime_format(xmppc_buf *out, int64_t ms);
/**@}*/

XMPPC_END_DECLS

#endif /* XMPPC_IM_H */
