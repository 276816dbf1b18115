/**
 * @file session.h
 * @brief The XMPP client session (tier 1): the whole client state machine,
 *        sans I/O.
 *
 * A session is fed the bytes received from the server (plaintext: after
 * TLS) and produces the bytes to send; time comes from the context's
 * clock. It runs stream negotiation (RFC 6120): stream headers, STARTTLS
 * hand-off, SASL, stream restarts, resource binding, the legacy session
 * when a server requires it; then stanza dispatch, IQ tracking and the
 * close handshake. Anything that moves bytes (a TCP/TLS connection, a
 * WebSocket, a test transcript) drives it:
 *
 * 1. xmppc_session_new(), register handlers, xmppc_session_start();
 * 2. write what xmppc_session_output() returns and
 *    xmppc_session_output_consume() what was written;
 * 3. xmppc_session_feed() what was read; when it returns
 *    #XMPPC_SESSION_STARTTLS, start TLS, call
 *    xmppc_session_transport_secured(), and feed the bytes it did not
 *    consume to the TLS layer;
 * 4. at xmppc_session_next_deadline(), call xmppc_session_handle_deadlines();
 * 5. when the transport closes, xmppc_session_transport_closed().
 *
 * Threading and re-entry: callbacks fire only inside calls made on the
 * session, on the calling thread. A session is used by one thread at a
 * time. From inside a callback, xmppc_session_feed(),
 * xmppc_session_handle_deadlines(), xmppc_session_transport_secured() and
 * xmppc_session_transport_closed() return #XMPPC_ERECURSIVE; sending
 * (xmppc_session_send(), xmppc_session_send_iq()) only queues and is
 * allowed; xmppc_session_free() from a callback is deferred until the
 * outermost call returns.
 *
 * Security defaults: TLS is required (no credential byte is sent before
 * the stream is secured), PLAIN is used only over TLS and never as a
 * fallback after another mechanism failed, SCRAM's server signature is
 * always verified. Plaintext needs #XMPPC_SESSION_ALLOW_PLAINTEXT, and
 * PLAIN over plaintext needs #XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS too.
 */
#ifndef XMPPC_SESSION_H
#define XMPPC_SESSION_H

#include <xmppc/cbind.h>
#include <xmppc/error.h>
#include <xmppc/jid.h>
#include <xmppc/parser.h>
#include <xmppc/stanza.h>
#include <xmppc/sys/sasl.h>

XMPPC_BEGIN_DECLS

/** Opaque client session. */
typedef struct xmppc_session xmppc_session;

/* ------------------------------------------------------------------ */
/** @name Configuration */
/**@{*/

/** Flag: allow a stream without TLS (loopback tests and benchmarks only). */
#define XMPPC_SESSION_ALLOW_PLAINTEXT 0x1u
/** Flag: allow PLAIN without TLS (needs #XMPPC_SESSION_ALLOW_PLAINTEXT too). */
#define XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS 0x2u
/** Flag: never use channel binding (-PLUS mechanisms, GS2 'y' flag). */
#define XMPPC_SESSION_NO_CHANNEL_BINDING 0x4u
/**
 * Flag: create the account first (XEP-0077 in-band registration): once the
 * stream is secured and before authenticating, register the JID's
 * localpart with the configured password, then log in with them. Fails
 * with #XMPPC_EREGISTER_CONFLICT when the account exists,
 * #XMPPC_EREGISTER when the server refuses or does not offer registration.
 * The password never reaches the wire trace.
 */
#define XMPPC_SESSION_REGISTER 0x8u

/**
 * Password callback: write the password into @p out (which is wiped and
 * freed by the library after use).
 *
 * @return 0, or a negative error (authentication then fails with it).
 */
typedef int (*xmppc_password_fn)(void *user_data, xmppc_buf *out);

/** Version of #xmppc_session_config understood by this library. */
#define XMPPC_SESSION_CONFIG_VERSION 1u

/**
 * Session configuration. Zero means "default" for every numeric field and
 * NULL for every pointer unless said otherwise. Everything is copied by
 * xmppc_session_new().
 */
typedef struct xmppc_session_config {
	unsigned version;        /**< #XMPPC_SESSION_CONFIG_VERSION */
	const char *jid;         /**< account JID (required); a resource part is the requested resource */
	const char *password;    /**< password, or NULL to use @ref password_fn (or no password) */
	xmppc_password_fn password_fn; /**< asked for the password when one is needed */
	void *password_user_data;      /**< passed to @ref password_fn */
	/** Requested resource; overrides the JID's. NULL and no JID resource: the server assigns one. */
	const char *resource;
	const char *authzid;     /**< SASL authorization identity, normally NULL */
	unsigned flags;          /**< XMPPC_SESSION_* flags */
	/** Allowed mechanisms in order of preference (NULL-terminated), or NULL for all
	 *  built-ins strongest first. */
	const char *const *mechanisms;
	/** Mechanisms never to use (NULL-terminated), or NULL. */
	const char *const *mechanisms_denied;
	const char *lang;        /**< xml:lang of our stream (default "en") */
	const xmppc_xml_limits *limits; /**< parser limits, or NULL for the defaults */
	unsigned scram_min_iterations;  /**< default 4096 */
	unsigned scram_max_iterations;  /**< default 1,000,000 */
	unsigned max_sasl_challenges;   /**< default 8 */
	uint32_t negotiation_timeout_ms; /**< from start until bound (default 60000) */
	uint32_t close_timeout_ms;       /**< wait for the server's closing tag (default 5000) */
	uint32_t iq_timeout_ms;          /**< default timeout of xmppc_session_send_iq() (default 60000) */
	/** High-water mark of the output queue in bytes (default 1 MiB): while
	 *  this much is pending, xmppc_session_send() and xmppc_session_send_iq()
	 *  refuse with #XMPPC_EAGAIN; the drain callback fires once the queue
	 *  is below half of it. Protocol replies the session owes are never
	 *  refused. */
	size_t output_high_water;
} xmppc_session_config;

/**@}*/
/* ------------------------------------------------------------------ */
/** @name Life cycle and I/O */
/**@{*/

/**
 * Create a session.
 *
 * @param[out] out receives the session; free it with xmppc_session_free().
 * @param ctx context (a reference is held).
 * @param config configuration; copied.
 * @return 0; #XMPPC_EINVAL (NULL arguments, wrong version, bad flag
 *         combination, unknown mechanism name); an `XMPPC_EJID_*` code for
 *         an invalid JID or resource; #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_session_new(xmppc_session **out, xmppc_ctx *ctx,
                                const xmppc_session_config *config);

/**
 * Free a session. Pending IQ callbacks fire with #XMPPC_EDISCONNECTED and
 * every registered destroy function is called. From inside one of the
 * session's callbacks the free is deferred until that call returns.
 * NULL is allowed.
 */
XMPPC_API void xmppc_session_free(xmppc_session *session);

/**
 * Return a finished session (CLOSED or FAILED; or NEW) to NEW, for a new
 * connection: configuration, handlers, observers, modules and the event
 * and drain callbacks are kept; everything of the old stream (output,
 * parser, bound JID, last error, channel-binding data) is dropped. Pending
 * IQs have already failed when the stream finished.
 *
 * @return 0, #XMPPC_EINVAL, #XMPPC_ERECURSIVE (from a callback) or
 *         #XMPPC_ESTATE (the stream is not over).
 */
XMPPC_API int xmppc_session_reset(xmppc_session *session);

/**
 * Add a SASL mechanism (an application's own) to those the session may
 * use. It is considered by its strength unless the config's mechanism
 * list orders them.
 *
 * @param session the session (before xmppc_session_start()).
 * @param mech a table that stays valid for the session's life.
 * @return 0, #XMPPC_EINVAL, #XMPPC_EEXIST (same name), #XMPPC_ESTATE or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_session_add_mechanism(xmppc_session *session, const xmppc_sasl_mechanism *mech);

/**
 * Start: queue our stream header. The transport must be connected (and,
 * for direct TLS, already secured with xmppc_session_transport_secured()).
 *
 * @return 0, #XMPPC_ESTATE (already started), #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_session_start(xmppc_session *session);

/** xmppc_session_feed() result: start TLS now (the server said `<proceed/>`). */
#define XMPPC_SESSION_STARTTLS 1
/** xmppc_session_feed() result: the stream is closed; stop reading. */
#define XMPPC_SESSION_CLOSED 2

/**
 * Feed bytes received from the server. Callbacks fire from inside.
 *
 * @param[out] consumed receives how many bytes were used; fewer than @p len
 *        only with #XMPPC_SESSION_STARTTLS (the rest is the start of the TLS
 *        handshake and belongs to the TLS layer) or #XMPPC_SESSION_CLOSED.
 *        May be NULL.
 * @param session the session.
 * @param data the bytes.
 * @param len their number.
 * @return 0; #XMPPC_SESSION_STARTTLS; #XMPPC_SESSION_CLOSED; #XMPPC_ESTATE
 *         (not started, or already failed/closed); #XMPPC_ERECURSIVE; or a
 *         fatal error that ended the stream (details in
 *         xmppc_session_last_error(); the session has queued a stream
 *         error and closing tag to send when one is due).
 */
XMPPC_API int xmppc_session_feed(size_t *consumed, xmppc_session *session, const void *data,
                                 size_t len);

/**
 * Bytes waiting to be sent.
 *
 * @param session the session.
 * @param[out] len receives their number (0 when nothing is pending).
 * @return a pointer to them, valid until the next call on the session.
 */
XMPPC_API const void *xmppc_session_output(const xmppc_session *session, size_t *len);

/**
 * Mark @p n bytes of the output as written. May fire the drain callback
 * (see xmppc_session_set_drain_fn()).
 *
 * @return 0 or #XMPPC_EINVAL (more than pending).
 */
XMPPC_API int xmppc_session_output_consume(xmppc_session *session, size_t n);

/** Bit of xmppc_session_wants(): the session expects input. */
#define XMPPC_WANT_READ 0x1u
/** Bit of xmppc_session_wants(): output is pending. */
#define XMPPC_WANT_WRITE 0x2u

/** What the session wants from the transport now: XMPPC_WANT_* bits (0 when finished). */
XMPPC_API unsigned xmppc_session_wants(const xmppc_session *session);

/**
 * The earliest deadline (negotiation, close handshake, IQ timeouts), in
 * milliseconds on the context's clock, or 0 when there is none.
 */
XMPPC_API uint64_t xmppc_session_next_deadline(const xmppc_session *session);

/**
 * Act on deadlines that have passed: IQ reply callbacks fire with
 * #XMPPC_ETIMEOUT; a negotiation or close that took too long ends the
 * stream with #XMPPC_ETIMEOUT.
 *
 * @return 0, #XMPPC_ERECURSIVE, or #XMPPC_ETIMEOUT when the stream ended.
 */
XMPPC_API int xmppc_session_handle_deadlines(xmppc_session *session);

/** Version of #xmppc_tls_info understood by this library. */
#define XMPPC_TLS_INFO_VERSION 1u

/** What the transport tells the session once TLS is established. */
typedef struct xmppc_tls_info {
	unsigned version;       /**< #XMPPC_TLS_INFO_VERSION */
	unsigned tls_version;   /**< protocol version as on the wire: 0x0303 TLS 1.2, 0x0304 TLS 1.3 */
	int peer_verified;      /**< 1 if the certificate was verified for the JID's domain (or accepted by pin/hook) */
	/** Channel-binding data indexed by #xmppc_cb_type (index 0 unused); NULL where
	 *  the transport cannot provide that type. Copied by the session. */
	const unsigned char *cb_data[XMPPC_CB_TYPE_COUNT];
	size_t cb_len[XMPPC_CB_TYPE_COUNT]; /**< lengths of @ref cb_data */
} xmppc_tls_info;

/**
 * The transport secured the stream (after #XMPPC_SESSION_STARTTLS, or
 * before xmppc_session_start() for direct TLS). The session restarts the
 * stream with a fresh parser.
 *
 * @return 0, #XMPPC_EINVAL, #XMPPC_ESTATE (not expected now: the session
 *         then fails), #XMPPC_ERECURSIVE or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_session_transport_secured(xmppc_session *session, const xmppc_tls_info *info);

/**
 * The transport is gone (read EOF, error, TLS failure). Pending IQs fail
 * with #XMPPC_EDISCONNECTED and the DISCONNECTED event fires.
 *
 * @param session the session.
 * @param reason 0 for an orderly close, or the error that broke the transport.
 * @return 0 or #XMPPC_ERECURSIVE.
 */
XMPPC_API int xmppc_session_transport_closed(xmppc_session *session, int reason);

/**
 * Close the stream cleanly: send `</stream:stream>` and wait (see
 * close_timeout_ms) for the server's. The transport should keep reading;
 * the session reports #XMPPC_SESSION_CLOSED from feed (or fails with
 * #XMPPC_ETIMEOUT from handle_deadlines) when done.
 *
 * @return 0, #XMPPC_ESTATE (not open) or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_session_close(xmppc_session *session);

/** Where the session is. */
typedef enum xmppc_session_state {
	XMPPC_SESSION_STATE_NEW = 0,       /**< not started */
	XMPPC_SESSION_STATE_NEGOTIATING,   /**< stream open, before TLS/auth/bind complete */
	XMPPC_SESSION_STATE_TLS,           /**< waiting for the transport to finish TLS */
	XMPPC_SESSION_STATE_AUTHENTICATING,/**< SASL exchange */
	XMPPC_SESSION_STATE_BINDING,       /**< resource binding / legacy session */
	XMPPC_SESSION_STATE_READY,         /**< bound: stanzas flow */
	XMPPC_SESSION_STATE_CLOSING,       /**< our closing tag is sent */
	XMPPC_SESSION_STATE_CLOSED,        /**< finished cleanly */
	XMPPC_SESSION_STATE_FAILED         /**< finished with an error (see xmppc_session_last_error()) */
} xmppc_session_state;

/**
 * The `<stream:features/>` of the current stream (after binding: those of
 * the authenticated stream), or NULL before the first. Borrowed until the
 * stream restarts or the session is reset or freed.
 */
XMPPC_API const xmppc_stanza *xmppc_session_stream_features(const xmppc_session *session);

/**
 * 1 if the current stream's features hold a child @p name in namespace
 * @p ns (NULL: any), e.g. ("ver", "urn:xmpp:features:rosterver"); else 0.
 */
XMPPC_API int xmppc_session_has_stream_feature(const xmppc_session *session, const char *name,
                                               const char *ns);

/** The session's context (borrowed; take a reference to keep it). */
XMPPC_API xmppc_ctx *xmppc_session_ctx(const xmppc_session *session);

/** The session's state. */
XMPPC_API xmppc_session_state xmppc_session_get_state(const xmppc_session *session);

/** The bound full JID once READY, else NULL. Borrowed. */
XMPPC_API const xmppc_jid *xmppc_session_jid(const xmppc_session *session);

/** The mechanism that authenticated the session, or NULL. Borrowed static string. */
XMPPC_API const char *xmppc_session_mechanism(const xmppc_session *session);

/** Version of #xmppc_session_error_info understood by this library. */
#define XMPPC_SESSION_ERROR_INFO_VERSION 1u

/** Detail of why a session failed or closed. Strings are borrowed from the session. */
typedef struct xmppc_session_error_info {
	unsigned version;  /**< #XMPPC_SESSION_ERROR_INFO_VERSION */
	int code;          /**< the #xmppc_error (0 if none) */
	const char *text;  /**< a description ("" if none) */
	/** Stream error received from (or sent to, see @ref sent) the server, or NONE. */
	xmppc_stream_condition condition;
	int sent;          /**< 1 if @ref condition is the error we sent, 0 if received */
	const char *condition_text; /**< the stream error's `<text/>`, or NULL */
	const char *see_other_host; /**< the redirect target of see-other-host, or NULL */
	const char *sasl_condition; /**< the SASL `<failure/>` condition name, or NULL */
	const char *sasl_text;      /**< the SASL `<failure/>` text, or NULL */
} xmppc_session_error_info;

/**
 * Read the last error.
 *
 * @param[out] out filled in; set its version first.
 * @param session the session.
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_session_last_error(xmppc_session_error_info *out, const xmppc_session *session);

/**@}*/
/* ------------------------------------------------------------------ */
/** @name Connection events */
/**@{*/

/** Event types. */
typedef enum xmppc_session_event_type {
	XMPPC_EVENT_STARTTLS = 1,      /**< the transport must start TLS now */
	XMPPC_EVENT_AUTHENTICATED = 2, /**< SASL succeeded (mechanism in xmppc_session_mechanism()) */
	XMPPC_EVENT_BOUND = 3,         /**< a resource is bound: the session is READY */
	XMPPC_EVENT_STREAM_ERROR = 4,  /**< the server sent a stream error (condition, text) */
	XMPPC_EVENT_SEE_OTHER_HOST = 5,/**< the server redirects (host); reconnect there */
	XMPPC_EVENT_DISCONNECTED = 6,  /**< the stream is over (error 0: clean close) */
	/** The previous stream was resumed (XEP-0198, see sm.h): the session is
	 *  READY with the same full JID, presence and subscriptions as before;
	 *  unacknowledged stanzas were resent. */
	XMPPC_EVENT_RESUMED = 7
} xmppc_session_event_type;

/** Version of #xmppc_session_event understood by this library. */
#define XMPPC_SESSION_EVENT_VERSION 1u

/** An event. Strings are borrowed for the duration of the callback. */
typedef struct xmppc_session_event {
	unsigned version;               /**< #XMPPC_SESSION_EVENT_VERSION */
	xmppc_session_event_type type;  /**< what happened */
	int error;                      /**< DISCONNECTED: 0 or the error */
	xmppc_stream_condition condition; /**< STREAM_ERROR: the condition */
	const char *text;               /**< STREAM_ERROR: its text, or NULL */
	const char *host;               /**< SEE_OTHER_HOST: the target `host[:port]` */
} xmppc_session_event;

/**
 * Whether an event means the server no longer holds the session state of
 * the previous stream (roster, presences received, carbons, subscriptions
 * in progress): a fresh resource was bound (#XMPPC_EVENT_BOUND), or the
 * stream ended and cannot be resumed (#XMPPC_EVENT_DISCONNECTED while
 * xmppc_sm_resumable() is 0). A DISCONNECTED that may still be resumed,
 * and #XMPPC_EVENT_RESUMED, keep that state: the server kept the session
 * and resends what it queued meanwhile. Modules and applications clear
 * per-stream state on this, not on every disconnection.
 *
 * @param session the session the event belongs to.
 * @param event the event (as passed to the event callback).
 * @return 1 or 0 (also 0 when either argument is NULL).
 */
XMPPC_API int xmppc_session_event_ends_state(const xmppc_session *session, const xmppc_session_event *event);

/** Event callback. */
typedef void (*xmppc_session_event_fn)(void *user_data, xmppc_session *session,
                                       const xmppc_session_event *event);

/**
 * Set the event callback (replacing any previous one, whose destroy
 * function is then called).
 *
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_session_set_event_fn(xmppc_session *session, xmppc_session_event_fn fn,
                                         void *user_data, void (*destroy)(void *user_data));

/**@}*/
/* ------------------------------------------------------------------ */
/** @name Sending */
/**@{*/

/**
 * Queue a stanza (or any element) for sending. Allowed from callbacks.
 *
 * @return 0; #XMPPC_EAGAIN when the output queue is at its high-water mark
 *         (nothing is queued: send again after the drain callback);
 *         #XMPPC_ESTATE before the session is READY or after it ended;
 *         #XMPPC_EINVAL; #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_session_send(xmppc_session *session, const xmppc_stanza *stanza);

/**
 * IQ reply callback: fires exactly once per xmppc_session_send_iq().
 *
 * @param user_data as given.
 * @param session the session.
 * @param reply the result or error IQ (borrowed), or NULL on timeout or
 *        disconnection.
 * @param error 0 for a result; #XMPPC_IQ_ERROR_REPLY for a reply of type
 *        error (read it with xmppc_stanza_get_error()); #XMPPC_ETIMEOUT;
 *        #XMPPC_EDISCONNECTED (the stream ended or the session was freed).
 */
typedef void (*xmppc_iq_reply_fn)(void *user_data, xmppc_session *session,
                                  const xmppc_stanza *reply, int error);

/** The @p error value of an #xmppc_iq_reply_fn for a reply of type error. */
#define XMPPC_IQ_ERROR_REPLY 1

/**
 * Send an IQ get/set and track its reply. Only a reply from the address
 * the request went to is accepted (RFC 6120 §8.1.2.1; for a request
 * without 'to': no 'from', our bare JID, or our domain); a reply with the
 * right id from anyone else is ignored and logged.
 *
 * @param session the session.
 * @param iq the request (type get or set, with an id).
 * @param fn reply callback (may be NULL: fire and forget, reply dropped).
 * @param timeout_ms 0 for the configured default.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after the callback fired or when
 *        the session is freed; may be NULL.
 * @return 0; #XMPPC_EINVAL (not a get/set, no id); #XMPPC_EEXIST (an IQ
 *         with that id is already pending); #XMPPC_EAGAIN (output queue
 *         full, see xmppc_session_send()); #XMPPC_ESTATE; #XMPPC_ENOMEM.
 *         On error @p destroy is not called and @p fn never fires.
 */
XMPPC_API int xmppc_session_send_iq(xmppc_session *session, const xmppc_stanza *iq,
                                    xmppc_iq_reply_fn fn, uint32_t timeout_ms, void *user_data,
                                    void (*destroy)(void *user_data));

/**
 * Drain callback: the output queue, full a moment ago, has room again.
 * Fires from xmppc_session_output_consume() (or, when that is called from
 * a callback, when the outermost call returns).
 */
typedef void (*xmppc_drain_fn)(void *user_data, xmppc_session *session);

/**
 * Set the drain callback (replacing any previous one, whose destroy
 * function is then called).
 *
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_session_set_drain_fn(xmppc_session *session, xmppc_drain_fn fn,
                                         void *user_data, void (*destroy)(void *user_data));

/**@}*/
/* ------------------------------------------------------------------ */
/** @name Handlers */
/**@{*/

/** Callback result: handled; stop here. */
#define XMPPC_CB_OK 0
/** Callback result: not handled; go on to the next handler. */
#define XMPPC_CB_PASS 1
/** Callback result: handled, and remove this handler. */
#define XMPPC_CB_REMOVE 2

/**
 * IQ request handler, for one (namespace, element, get|set).
 *
 * Reply with xmppc_iq_new_result() / xmppc_stanza_new_error_reply() and
 * xmppc_session_send(), now or later (take a reference on @p iq to reply
 * later).
 *
 * @return #XMPPC_CB_OK (answered or will answer); #XMPPC_CB_PASS (the
 *         session answers service-unavailable); #XMPPC_CB_REMOVE (answered;
 *         remove the handler); negative (the session answers
 *         internal-server-error).
 */
typedef int (*xmppc_iq_handler_fn)(void *user_data, xmppc_session *session, const xmppc_stanza *iq);

/**
 * Register an IQ request handler. Lookup is by exact key: one handler per
 * (namespace, element, type).
 *
 * @param session the session.
 * @param ns payload namespace.
 * @param element payload element name.
 * @param type #XMPPC_TYPE_GET or #XMPPC_TYPE_SET.
 * @param fn the handler.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data when removed; may be NULL.
 * @param[out] token receives a token for xmppc_session_remove_handler(); may be NULL.
 * @return 0, #XMPPC_EINVAL, #XMPPC_EEXIST (that key has a handler), #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_session_add_iq_handler(xmppc_session *session, const char *ns,
                                           const char *element, xmppc_stanza_type type,
                                           xmppc_iq_handler_fn fn, void *user_data,
                                           void (*destroy)(void *user_data), unsigned *token);

/** Version of #xmppc_stanza_filter understood by this library. */
#define XMPPC_STANZA_FILTER_VERSION 1u

/** Which stanzas an observer sees; a zero/NULL field matches anything. */
typedef struct xmppc_stanza_filter {
	unsigned version;            /**< #XMPPC_STANZA_FILTER_VERSION */
	xmppc_stanza_kind kind;      /**< MESSAGE or PRESENCE (OTHER: both) */
	xmppc_stanza_type type;      /**< a type (NONE: any) */
	const char *child_ns;        /**< a child element in this namespace is present */
	/** Sender: a bare JID matches every resource of it; a full JID only itself. */
	const char *from;
} xmppc_stanza_filter;

/**
 * Message/presence observer.
 *
 * @return #XMPPC_CB_PASS to let later observers see the stanza too,
 *         #XMPPC_CB_OK to stop the chain, #XMPPC_CB_REMOVE to remove this
 *         observer (the chain goes on).
 */
typedef int (*xmppc_stanza_fn)(void *user_data, xmppc_session *session, const xmppc_stanza *stanza);

/**
 * Add an observer of incoming messages and presences. Observers run in
 * order of @p priority (higher first; equal: in order of addition).
 *
 * @param session the session.
 * @param filter which stanzas (copied), or NULL for all messages and presences.
 * @param priority ordering.
 * @param fn the observer.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data when removed; may be NULL.
 * @param[out] token receives a token for xmppc_session_remove_handler(); may be NULL.
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_session_add_observer(xmppc_session *session, const xmppc_stanza_filter *filter,
                                         int priority, xmppc_stanza_fn fn, void *user_data,
                                         void (*destroy)(void *user_data), unsigned *token);

/**
 * Send filter: sees every stanza given to xmppc_session_send() before it is
 * written (e.g. to add an origin-id to each message). Filters run most
 * recently added first; each sees the result of the previous one.
 *
 * @param user_data as given.
 * @param session the session.
 * @param stanza the stanza to be sent (borrowed; do not modify it).
 * @param[out] replacement set it to a new stanza (the session takes the
 *        reference) to send that instead; leave it NULL to send @p stanza.
 * @return 0 to go on, or a negative error: nothing is sent and
 *         xmppc_session_send() returns it.
 */
typedef int (*xmppc_send_filter_fn)(void *user_data, xmppc_session *session,
                                    const xmppc_stanza *stanza, xmppc_stanza **replacement);

/**
 * Add a send filter (see #xmppc_send_filter_fn).
 *
 * @param session the session.
 * @param fn the filter.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data when removed; may be NULL.
 * @param[out] token receives a token for xmppc_session_remove_handler(); may be NULL.
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_session_add_send_filter(xmppc_session *session, xmppc_send_filter_fn fn,
                                            void *user_data, void (*destroy)(void *user_data),
                                            unsigned *token);

/**
 * Add a listener of session events (for modules: reset per-stream state on
 * BOUND or DISCONNECTED). Listeners run before the event callback set with
 * xmppc_session_set_event_fn(), most recently added first.
 *
 * @param session the session.
 * @param fn the listener.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data when removed; may be NULL.
 * @param[out] token receives a token for xmppc_session_remove_handler(); may be NULL.
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_session_add_event_listener(xmppc_session *session, xmppc_session_event_fn fn,
                                               void *user_data, void (*destroy)(void *user_data),
                                               unsigned *token);

/**
 * Remove a handler, observer or event listener by its token. Allowed from callbacks
 * (removal then takes effect after the current dispatch).
 *
 * @return 0 or #XMPPC_ENOTFOUND.
 */
XMPPC_API int xmppc_session_remove_handler(xmppc_session *session, unsigned token);

/**@}*/

XMPPC_END_DECLS

#endif /* XMPPC_SESSION_H */
