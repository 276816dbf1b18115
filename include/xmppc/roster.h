/**
 * @file roster.h
 * @brief The roster (RFC 6121 §2): fetch with versioning (XEP-0237), store hook, edits, pushes, pre-approval.
 *
 * Attach #xmppc_roster_module() to keep a copy of the account's roster:
 * it fetches the roster when a resource is bound (or when asked with
 * xmppc_roster_fetch()), applies the server's roster pushes and reports
 * every change through the event callback.
 *
 * Versioning: with a store (#xmppc_roster_store) the module loads the
 * roster saved last time before the first fetch and sends its version, so
 * a server that supports roster versioning answers with only the changes
 * (as pushes) or an empty result (unchanged). The store is told of every
 * change, and is read when the module is attached (so the copy is there
 * before connecting).
 *
 * Pushes are accepted only without a 'from' or from the account's bare
 * JID (RFC 6121 §2.1.6); a push from anyone else changes nothing, raises
 * no event, and is answered with `service-unavailable` (as if the module
 * were not there) or, with #XMPPC_ROSTER_SILENT_REFUSAL, not at all. A
 * valid push must carry exactly one item; one with none, several, or a bad
 * JID is refused with `bad-request` and changes nothing.
 *
 * The callbacks fire from inside the session's calls (xmppc_session_feed()
 * and friends), never from the functions of this header.
 */
#ifndef XMPPC_ROSTER_H
#define XMPPC_ROSTER_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** The roster namespace (RFC 6121 §2). */
#define XMPPC_NS_ROSTER "jabber:iq:roster"
/** Stream feature of roster versioning (RFC 6121 §2.6, XEP-0237). */
#define XMPPC_NS_ROSTER_VER_FEATURE "urn:xmpp:features:rosterver"
/** Stream feature of subscription pre-approval (RFC 6121 §3.4). */
#define XMPPC_NS_PREAPPROVAL_FEATURE "urn:xmpp:features:pre-approval"

/** Name of the module. */
#define XMPPC_ROSTER_MODULE_NAME "xmppc.roster"

/** The 'subscription' of a roster item (RFC 6121 §2.1.2.5). */
typedef enum xmppc_roster_subscription {
	XMPPC_SUBSCRIPTION_NONE = 0, /**< no subscription either way */
	XMPPC_SUBSCRIPTION_TO = 1,   /**< we receive the contact's presence */
	XMPPC_SUBSCRIPTION_FROM = 2, /**< the contact receives ours */
	XMPPC_SUBSCRIPTION_BOTH = 3, /**< both */
	XMPPC_SUBSCRIPTION_REMOVE = 4 /**< the item was removed (pushes only) */
} xmppc_roster_subscription;

/** Version of #xmppc_roster_item understood by this library. */
#define XMPPC_ROSTER_ITEM_VERSION 1u

/**
 * A roster item. Items the module returns are borrowed: valid until the
 * roster next changes (the next call of the session that can fire
 * callbacks, or the next fetch). As input (xmppc_roster_set_item()) only
 * `jid`, `name` and the groups are read.
 */
typedef struct xmppc_roster_item {
	unsigned version;      /**< #XMPPC_ROSTER_ITEM_VERSION */
	const char *jid;       /**< the contact's JID (normalized, normally bare) */
	const char *name;      /**< handle chosen by the user, or NULL */
	xmppc_roster_subscription subscription; /**< the subscription state */
	int ask;               /**< 1: our subscription request is pending (ask='subscribe') */
	int approved;          /**< 1: the contact is pre-approved (RFC 6121 §3.4) */
	const char *const *groups; /**< group names (no duplicates), or NULL when none */
	size_t n_groups;       /**< number of @ref groups */
} xmppc_roster_item;

/** Version of #xmppc_roster_store understood by this library. */
#define XMPPC_ROSTER_STORE_VERSION 1u

/**
 * Persistent storage of the roster between runs (per account). The
 * module stores one opaque UTF-8 text (the items and the version); the
 * store only keeps it.
 */
typedef struct xmppc_roster_store {
	unsigned version; /**< #XMPPC_ROSTER_STORE_VERSION */
	/**
	 * Append to @p out the text last given to @ref save (nothing when
	 * there is none). Called once, when the module is attached.
	 *
	 * @return 0, or a negative error: the module then starts empty. A
	 *         text it cannot read is ignored the same way.
	 */
	int (*load)(void *user_data, xmppc_buf *out);
	/**
	 * Keep @p data (@p len bytes, NUL-terminated) in place of the last.
	 * Called after a fetch and after each accepted push.
	 *
	 * @return 0 or a negative error (logged; the module goes on).
	 */
	int (*save)(void *user_data, const char *data, size_t len);
	void *user_data;                  /**< passed to @ref load and @ref save */
	void (*destroy)(void *user_data); /**< called on detach; may be NULL */
} xmppc_roster_store;

/** Config flag: do not fetch when a resource is bound (call xmppc_roster_fetch()). */
#define XMPPC_ROSTER_NO_AUTO_FETCH 0x1u
/**
 * Config flag: use roster versioning even if the stream features do not
 * show it. By default the stored version is sent when the server
 * advertises the feature (#XMPPC_NS_ROSTER_VER_FEATURE, seen with
 * xmppc_session_has_stream_feature()); otherwise the 'ver' attribute is
 * never sent (RFC 6121 §2.6.1) and every fetch gets the whole roster.
 */
#define XMPPC_ROSTER_VERSIONING 0x2u
/** Config flag: do not answer a roster push from a forbidden sender (default: service-unavailable). */
#define XMPPC_ROSTER_SILENT_REFUSAL 0x4u

/** Version of #xmppc_roster_config understood by this library. */
#define XMPPC_ROSTER_CONFIG_VERSION 1u

/** Configuration of the module (the config of xmppc_session_add_module(); NULL: defaults). */
typedef struct xmppc_roster_config {
	unsigned version;                /**< #XMPPC_ROSTER_CONFIG_VERSION */
	unsigned flags;                  /**< XMPPC_ROSTER_* flags */
	/** Persistent store, or NULL. Copied; its destroy runs when the module
	 *  is detached (also when attaching fails). */
	const xmppc_roster_store *store;
} xmppc_roster_config;

/**
 * The module ("xmppc.roster"). Its config is a #xmppc_roster_config or
 * NULL. Attaching fails with #XMPPC_EINVAL for a bad config.
 */
XMPPC_API const xmppc_module *xmppc_roster_module(void);

/** Roster event types. */
typedef enum xmppc_roster_event_type {
	/** A fetch finished: the roster is complete (full, or unchanged since the stored version). */
	XMPPC_ROSTER_EVENT_LOADED = 1,
	/** A push added or changed @ref xmppc_roster_event.item. */
	XMPPC_ROSTER_EVENT_ITEM = 2,
	/** A push removed @ref xmppc_roster_event.item (its last state). */
	XMPPC_ROSTER_EVENT_REMOVED = 3,
	/** A fetch failed (@ref xmppc_roster_event.error); the roster is as before. */
	XMPPC_ROSTER_EVENT_FETCH_FAILED = 4
} xmppc_roster_event_type;

/** Version of #xmppc_roster_event understood by this library. */
#define XMPPC_ROSTER_EVENT_VERSION 1u

/** A roster event. Everything is borrowed for the duration of the callback. */
typedef struct xmppc_roster_event {
	unsigned version;                /**< #XMPPC_ROSTER_EVENT_VERSION */
	xmppc_roster_event_type type;    /**< what happened */
	const xmppc_roster_item *item;   /**< ITEM, REMOVED: the item; else NULL */
	/** FETCH_FAILED: #XMPPC_IQ_ERROR_REPLY, #XMPPC_ETIMEOUT, #XMPPC_EDISCONNECTED,
	 *  #XMPPC_EPROTOCOL (an unreadable result) or #XMPPC_ENOMEM; else 0. */
	int error;
	const xmppc_stanza *stanza;      /**< the IQ (push, result or error), or NULL */
} xmppc_roster_event;

/** Roster event callback. */
typedef void (*xmppc_roster_event_fn)(void *user_data, xmppc_session *session,
                                      const xmppc_roster_event *event);

/**
 * Set the event callback (replacing any previous one, whose destroy
 * function is then called).
 *
 * @param session the session.
 * @param fn the callback, or NULL for none.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data when replaced or on detach; may be NULL.
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOTFOUND (the module is not attached;
 *         @p destroy is not called).
 */
XMPPC_API int xmppc_roster_set_event_fn(xmppc_session *session, xmppc_roster_event_fn fn,
                                        void *user_data, void (*destroy)(void *user_data));

/**
 * Fetch the roster (RFC 6121 §2.2), with the stored version if there is
 * one (see #XMPPC_ROSTER_VERSIONING). When the fetch ends, the LOADED or
 * FETCH_FAILED event fires (later, from the session). A fetch already in
 * flight is not repeated (0 is returned).
 *
 * @return 0; #XMPPC_ENOTFOUND (module not attached); an error of
 *         xmppc_session_send_iq() (#XMPPC_ESTATE when not READY).
 */
XMPPC_API int xmppc_roster_fetch(xmppc_session *session);

/** 1 once a fetch succeeded on the current server-side session, else 0: kept
 *  across a XEP-0198 resumption, 0 again when xmppc_session_event_ends_state(). */
XMPPC_API int xmppc_roster_is_loaded(const xmppc_session *session);

/** The roster version (XEP-0237) the copy corresponds to, or NULL. Borrowed. */
XMPPC_API const char *xmppc_roster_ver(const xmppc_session *session);

/** Number of items (0 when the module is not attached). */
XMPPC_API size_t xmppc_roster_count(const xmppc_session *session);

/**
 * The @p index-th item, in bytewise order of JID.
 *
 * @return the item (borrowed, see #xmppc_roster_item), or NULL when out of range.
 */
XMPPC_API const xmppc_roster_item *xmppc_roster_at(const xmppc_session *session, size_t index);

/**
 * The item of a JID (compared after normalization).
 *
 * @return the item (borrowed), or NULL (none, bad JID, no module).
 */
XMPPC_API const xmppc_roster_item *xmppc_roster_find(const xmppc_session *session,
                                                     const char *jid);

/**
 * Add or update an item (a roster set, RFC 6121 §2.3 and §2.4): its JID,
 * name and groups replace those on the server. The local copy changes when
 * the server's push arrives, not here.
 *
 * @param session the session (READY).
 * @param item the item (jid required; name and groups optional); copied.
 * @param fn called once with the server's answer (0 or
 *        #XMPPC_IQ_ERROR_REPLY, e.g. `not-acceptable` for a too long name),
 *        #XMPPC_ETIMEOUT or #XMPPC_EDISCONNECTED; may be NULL.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0; #XMPPC_EINVAL (NULL, bad version, empty group); an
 *         `XMPPC_EJID_*` code; an error of xmppc_session_send_iq(). On
 *         error @p fn never fires and @p destroy is not called.
 */
XMPPC_API int xmppc_roster_set_item(xmppc_session *session, const xmppc_roster_item *item,
                                    xmppc_iq_reply_fn fn, void *user_data,
                                    void (*destroy)(void *user_data));

/**
 * Remove an item (RFC 6121 §2.5): the server also cancels the
 * subscriptions both ways.
 *
 * @param session the session (READY).
 * @param jid the contact.
 * @param fn as for xmppc_roster_set_item() (`item-not-found` when absent).
 * @param user_data passed to @p fn.
 * @param destroy as for xmppc_roster_set_item().
 * @return as xmppc_roster_set_item().
 */
XMPPC_API int xmppc_roster_remove_item(xmppc_session *session, const char *jid,
                                       xmppc_iq_reply_fn fn, void *user_data,
                                       void (*destroy)(void *user_data));

/** Wire name of a subscription state ("both"), or NULL for an unknown value. */
XMPPC_API const char *xmppc_roster_subscription_name(xmppc_roster_subscription subscription);

XMPPC_END_DECLS

#endif /* XMPPC_ROSTER_H */
