/**
 * @file conn.h
 * @brief The connection driver (tier 2): DNS, TCP, TLS and a session,
 *        driven from any event loop.
 *
 * An #xmppc_conn owns one #xmppc_session and everything that moves its
 * bytes: the resolver (c-ares: XEP-0368 and RFC 6120 SRV records, then A
 * and AAAA), TCP connection attempts in Happy Eyeballs order (RFC 8305),
 * and the TLS layer (GnuTLS, STARTTLS or direct TLS). It never blocks and
 * owns no event loop. In the style of curl's multi_socket API it tells the
 * application which file descriptors to watch and when it wants a timer
 * tick (#xmppc_io_hooks); the application reports readiness and timer
 * expiry with xmppc_conn_process(). An application without a loop of its
 * own can use #xmppc_loop (loop.h), which is built on these hooks only, or
 * the poll()-style pair xmppc_conn_get_pollfds() / xmppc_conn_process_pollfds().
 *
 * Typical use:
 * 1. xmppc_conn_new(); register handlers on xmppc_conn_session();
 *    xmppc_conn_set_event_fn(); for a long-lived client,
 *    xmppc_conn_set_reconnect() (a lost connection is tried again with
 *    backoff and the stream resumed, XEP-0198);
 * 2. xmppc_loop_add() (or xmppc_conn_set_io_hooks());
 * 3. xmppc_conn_connect(); run the loop;
 * 4. send with xmppc_session_send() (or xmppc_conn_send()) at any time:
 *    output is written as soon as the socket takes it;
 * 5. xmppc_conn_close() for a clean close; #XMPPC_CONN_EVENT_CLOSED tells
 *    when the connection is over, with the error and the stage it failed in.
 *
 * Security: the server certificate is verified against the JID's domain
 * (its A-label), never against an SRV target or a configured server host;
 * no credential is sent before the certificate is accepted.
 *
 * Threading: a connection is used by one thread at a time; callbacks fire
 * only inside calls made on it (xmppc_conn_process(),
 * xmppc_conn_process_pollfds(), xmppc_conn_connect(), xmppc_conn_close(),
 * xmppc_conn_network_changed(), xmppc_conn_set_reconnect(),
 * xmppc_conn_free() for the io hooks), on the calling thread.
 */
#ifndef XMPPC_CONN_H
#define XMPPC_CONN_H

#include <poll.h>
#include <xmppc/session.h>

XMPPC_BEGIN_DECLS

/** Opaque connection. */
typedef struct xmppc_conn xmppc_conn;

/* ------------------------------------------------------------------ */
/** @name Configuration */
/**@{*/

/** Flag: TLS from the first byte (XEP-0368) only. With @ref xmppc_conn_config.server
 *  that server is contacted with direct TLS (default port 5223); without it
 *  only `_xmpps-client._tcp` SRV records are used (none: the domain on
 *  port 5223). Without this flag, SRV records of both kinds are used,
 *  each target with its own method. */
#define XMPPC_CONN_DIRECT_TLS 0x1u
/** Flag: do not look up `_xmpps-client._tcp` records (STARTTLS only). */
#define XMPPC_CONN_NO_DIRECT_TLS 0x2u
/** Flag: do not add the system trust store (trust only the CA file / pins). */
#define XMPPC_CONN_NO_SYSTEM_TRUST 0x4u
/** Flag: connect over IPv4 only. */
#define XMPPC_CONN_IPV4_ONLY 0x8u
/** Flag: connect over IPv6 only. */
#define XMPPC_CONN_IPV6_ONLY 0x10u
/** Flag: do not follow see-other-host redirects (fail with #XMPPC_ESEE_OTHER_HOST). */
#define XMPPC_CONN_NO_REDIRECT 0x20u

/** Certificate-failure hook result: refuse the certificate (the default). */
#define XMPPC_CERT_REJECT 0
/** Certificate-failure hook result: accept the certificate for this connection. */
#define XMPPC_CERT_ACCEPT 1

/**
 * Certificate-failure hook: the server's certificate failed verification.
 * Called during the TLS handshake, before anything is sent over TLS. For
 * trust-on-first-use applications: show @p der or remember its pin, and
 * accept.
 *
 * @param user_data as given in the config.
 * @param conn the connection.
 * @param error #XMPPC_ETLS_CERT_UNTRUSTED, #XMPPC_ETLS_CERT_EXPIRED,
 *        #XMPPC_ETLS_CERT_NAME or #XMPPC_ETLS_PIN.
 * @param reason a description of what failed.
 * @param der the server's end-entity certificate (DER), valid during the call.
 * @param len its length.
 * @return #XMPPC_CERT_ACCEPT to go on; anything else refuses (the
 *         connection fails with @p error).
 */
typedef int (*xmppc_cert_fail_fn)(void *user_data, xmppc_conn *conn, int error, const char *reason,
                                  const unsigned char *der, size_t len);

/** Version of #xmppc_conn_config understood by this library. */
#define XMPPC_CONN_CONFIG_VERSION 1u

/**
 * Connection configuration. Zero and NULL mean "default". Everything is
 * copied by xmppc_conn_new().
 */
typedef struct xmppc_conn_config {
	unsigned version;                      /**< #XMPPC_CONN_CONFIG_VERSION */
	const xmppc_session_config *session;   /**< the session's configuration (required) */
	unsigned flags;                        /**< XMPPC_CONN_* flags */
	/** `host`, `host:port`, `[v6]:port`: connect there and skip SRV (port
	 *  default 5222, or 5223 with #XMPPC_CONN_DIRECT_TLS). The certificate
	 *  is still verified against the JID's domain. */
	const char *server;
	const char *ca_file;                   /**< extra trust anchors (PEM file) */
	/** SHA-256 SPKI pins, NULL-terminated: RFC 7469 `pin-sha256` values
	 *  (base64 of the 32-byte hash, optionally prefixed `sha256//` or
	 *  `pin-sha256:`) or the hash as 64 hex digits (colons allowed). When
	 *  given, the certificate's key must match one of them; a match
	 *  accepts the certificate whatever its chain and names. */
	const char *const *pins;
	const char *tls_priority;              /**< GnuTLS priority string (default: TLS 1.2+, NORMAL, 112-bit) */
	const char *client_cert_file;          /**< client certificate chain (PEM), for SASL EXTERNAL */
	const char *client_key_file;           /**< its private key (PEM, unencrypted) */
	xmppc_cert_fail_fn cert_fail;          /**< certificate-failure hook, or NULL */
	void *cert_fail_user_data;             /**< passed to @ref cert_fail */
	/** DNS servers, `ip[:port],[ipv6]:port,...`; NULL: the system's. */
	const char *dns_servers;
	/** DNS resolution, and each TCP connection attempt (default 10000): an
	 *  attempt that times out counts as failed and the next address or
	 *  target is tried. */
	uint32_t connect_timeout_ms;
	uint32_t tls_timeout_ms;      /**< TLS handshake (default 30000) */
	uint32_t happy_eyeballs_delay_ms; /**< delay before the next address is tried (default 250, RFC 8305 §5) */
	unsigned max_redirects;       /**< see-other-host redirects followed per connect (default 3) */
} xmppc_conn_config;

/**@}*/
/* ------------------------------------------------------------------ */
/** @name Life cycle */
/**@{*/

/**
 * Create a connection (idle: nothing happens before xmppc_conn_connect()).
 * The session is created now, so handlers can be registered on it.
 *
 * @param[out] out receives the connection; free it with xmppc_conn_free().
 * @param ctx context (a reference is held).
 * @param config configuration; copied.
 * @return 0; #XMPPC_EINVAL (NULL, wrong version, a bad server string or
 *         pin, conflicting flags); #XMPPC_ETLS_CONFIG (CA file, client
 *         certificate or priority string does not load; when the session
 *         config allows plaintext, credentials are loaded at the first TLS
 *         handshake instead and this error ends that connection, stage
 *         TLS); what xmppc_session_new() returns; #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_conn_new(xmppc_conn **out, xmppc_ctx *ctx, const xmppc_conn_config *config);

/**
 * Free a connection: sockets closed at once (no closing handshake: use
 * xmppc_conn_close() first for that), the io hooks told to forget every
 * fd and the timer and then detached (#xmppc_io_hooks.detach), the
 * session freed. No connection event fires. From inside one of the
 * connection's callbacks the free is deferred until the outermost call
 * returns. NULL is allowed.
 */
XMPPC_API void xmppc_conn_free(xmppc_conn *conn);

/**
 * The connection's session (borrowed; lives as long as the connection):
 * register handlers and observers on it and send through it. Its event
 * callback belongs to the driver: use xmppc_conn_set_event_fn() instead of
 * xmppc_session_set_event_fn().
 */
XMPPC_API xmppc_session *xmppc_conn_session(xmppc_conn *conn);

/**
 * Start connecting: resolve, connect, secure, authenticate, bind. Events
 * report progress; #XMPPC_CONN_EVENT_CLOSED reports the end. A connection
 * that has closed may be connected again (the session keeps its handlers).
 *
 * While the reconnection manager waits for its backoff timer
 * (#XMPPC_CONN_STAGE_WAITING) this starts the next attempt at once
 * (#XMPPC_CONN_EVENT_RECONNECTING first; from inside a callback, when that
 * call returns).
 *
 * @return 0; #XMPPC_ESTATE (already connecting or connected);
 *         #XMPPC_ERECURSIVE; #XMPPC_EDNS_CONFIG; #XMPPC_ENOMEM. Failures
 *         after this point come as #XMPPC_CONN_EVENT_CLOSED (or, with
 *         reconnection on, #XMPPC_CONN_EVENT_DISCONNECTED).
 */
XMPPC_API int xmppc_conn_connect(xmppc_conn *conn);

/**
 * Close: when the stream is open, send our closing tag and wait for the
 * server's (the session's close timeout); otherwise stop at once.
 * #XMPPC_CONN_EVENT_CLOSED fires (error 0) when done. Allowed from
 * callbacks. Closing an idle connection is 0 and does nothing. The
 * reconnection manager never reconnects after this: while it waits for a
 * retry, the wait is cancelled and CLOSED (error 0) fires at once. With
 * reconnection on, the session's stream-management state is given up
 * (xmppc_sm_give_up(): unacknowledged and offline stanzas are returned)
 * just before CLOSED.
 */
XMPPC_API int xmppc_conn_close(xmppc_conn *conn);

/**
 * Queue a stanza: xmppc_session_send() on the connection's session (which
 * may be called directly as well: output is written as soon as possible
 * either way).
 *
 * @return what xmppc_session_send() returns.
 */
XMPPC_API int xmppc_conn_send(xmppc_conn *conn, const xmppc_stanza *stanza);

/**@}*/
/* ------------------------------------------------------------------ */
/** @name Events */
/**@{*/

/** Where a connection is (and, in a CLOSED event, where it failed). */
typedef enum xmppc_conn_stage {
	XMPPC_CONN_STAGE_IDLE = 0,    /**< not connecting */
	XMPPC_CONN_STAGE_DNS,         /**< resolving SRV and addresses */
	XMPPC_CONN_STAGE_TCP,         /**< TCP connection attempts */
	XMPPC_CONN_STAGE_TLS,         /**< TLS handshake and certificate verification */
	XMPPC_CONN_STAGE_STREAM,      /**< stream negotiation before authentication */
	XMPPC_CONN_STAGE_AUTH,        /**< SASL */
	XMPPC_CONN_STAGE_BIND,        /**< resource binding */
	XMPPC_CONN_STAGE_READY,       /**< bound: stanzas flow */
	XMPPC_CONN_STAGE_CLOSING,     /**< closing handshake */
	/** The connection was lost and the reconnection manager waits for its
	 *  backoff timer (xmppc_conn_set_reconnect()); no fd is in use. */
	XMPPC_CONN_STAGE_WAITING
} xmppc_conn_stage;

/** Event types. */
typedef enum xmppc_conn_event_type {
	XMPPC_CONN_EVENT_CONNECTING = 1,  /**< a TCP attempt starts (host, port, address) */
	XMPPC_CONN_EVENT_CONNECTED = 2,   /**< TCP is up (host, port, address) */
	XMPPC_CONN_EVENT_SECURED = 3,     /**< TLS is up and the certificate accepted */
	XMPPC_CONN_EVENT_AUTHENTICATED = 4, /**< SASL succeeded */
	XMPPC_CONN_EVENT_READY = 5,       /**< a resource is bound: send initial presence now */
	XMPPC_CONN_EVENT_REDIRECT = 6,    /**< following see-other-host (host, port) */
	XMPPC_CONN_EVENT_STREAM_ERROR = 7,/**< the server sent a stream error (condition, text) */
	/** The connection is over (error 0: clean close). With reconnection on
	 *  (xmppc_conn_set_reconnect()) it fires only when the manager gives up
	 *  for good or the application closed: it is always final. */
	XMPPC_CONN_EVENT_CLOSED = 8,
	/** The connection was lost and a reconnection is scheduled (stage where
	 *  it failed, error, text, retry_in_ms, attempt). The session keeps its
	 *  stream-management state: the next stream resumes when it can. */
	XMPPC_CONN_EVENT_DISCONNECTED = 9,
	/** The previous stream was resumed (XEP-0198, stage READY): stanzas
	 *  flow again with the same full JID; presence need not be sent again. */
	XMPPC_CONN_EVENT_RESUMED = 10,
	/** The backoff timer fired (or the network changed, or
	 *  xmppc_conn_connect() was called while waiting): a new connection
	 *  starts now (attempt). */
	XMPPC_CONN_EVENT_RECONNECTING = 11
} xmppc_conn_event_type;

/** Version of #xmppc_conn_event understood by this library. */
#define XMPPC_CONN_EVENT_VERSION 1u

/** An event. Strings are borrowed for the duration of the callback. */
typedef struct xmppc_conn_event {
	unsigned version;              /**< #XMPPC_CONN_EVENT_VERSION */
	xmppc_conn_event_type type;    /**< what happened */
	xmppc_conn_stage stage;        /**< CLOSED, DISCONNECTED: the stage the connection ended in; others: the current stage */
	int error;                     /**< CLOSED, DISCONNECTED: 0 or the error */
	const char *text;              /**< CLOSED, DISCONNECTED: a one-line description; STREAM_ERROR: the server's text (or NULL) */
	const char *host;              /**< CONNECTING, CONNECTED, REDIRECT: host name */
	unsigned port;                 /**< CONNECTING, CONNECTED, REDIRECT: port */
	const char *address;           /**< CONNECTING, CONNECTED: the IP address as text */
	xmppc_stream_condition condition; /**< STREAM_ERROR: the condition */
	/** DISCONNECTED: milliseconds until the next attempt (0: at once). */
	uint32_t retry_in_ms;
	/** DISCONNECTED: the number of the attempt that is scheduled;
	 *  RECONNECTING: of the attempt that starts. Counted from 1 since the
	 *  last stable connection (see #xmppc_reconnect_config.stable_ms). */
	unsigned attempt;
} xmppc_conn_event;

/** Event callback. May send, call xmppc_conn_close(), xmppc_conn_connect()
 *  (after CLOSED, or after DISCONNECTED: at once instead of after the
 *  backoff), xmppc_conn_network_changed(), xmppc_conn_set_reconnect() and
 *  xmppc_conn_free() (deferred). */
typedef void (*xmppc_conn_event_fn)(void *user_data, xmppc_conn *conn,
                                    const xmppc_conn_event *event);

/**
 * Set the event callback (replacing any previous one, whose destroy
 * function is then called).
 *
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_conn_set_event_fn(xmppc_conn *conn, xmppc_conn_event_fn fn, void *user_data,
                                      void (*destroy)(void *user_data));

/** The current stage. */
XMPPC_API xmppc_conn_stage xmppc_conn_get_stage(const xmppc_conn *conn);

/** Version of #xmppc_conn_error understood by this library. */
#define XMPPC_CONN_ERROR_VERSION 1u

/** Why the last connection ended. */
typedef struct xmppc_conn_error {
	unsigned version;          /**< #XMPPC_CONN_ERROR_VERSION */
	int code;                  /**< 0 or the error */
	xmppc_conn_stage stage;    /**< where it happened */
	const char *text;          /**< a one-line description (borrowed, "" if none) */
} xmppc_conn_error;

/**
 * Read why the last connection ended (or fails now).
 *
 * @param[out] out filled in; set its version first.
 * @param conn the connection.
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_conn_last_error(xmppc_conn_error *out, const xmppc_conn *conn);

/**@}*/
/* ------------------------------------------------------------------ */
/** @name Reconnection and keepalive */
/**@{*/

/** Version of #xmppc_reconnect_config understood by this library. */
#define XMPPC_RECONNECT_CONFIG_VERSION 1u

/**
 * Reconnection manager settings. Zero means the default. After a lost
 * connection the next attempt waits, for the n-th consecutive failure
 * (n = 0, 1, ...): d = min(max_ms, base_ms * 2^n); the first wait (n = 0)
 * is uniformly random in [0, base_ms], later ones in [d/2, d].
 */
typedef struct xmppc_reconnect_config {
	unsigned version;     /**< #XMPPC_RECONNECT_CONFIG_VERSION */
	uint32_t base_ms;     /**< first backoff step (default 1000) */
	uint32_t max_ms;      /**< cap of every wait (default 60000; a larger @ref base_ms is lowered to it) */
	/** A connection READY (or RESUMED) for at least this long when it
	 *  drops counts as stable: the failure count starts again at 0
	 *  (default 60000). */
	uint32_t stable_ms;
	/** Give up (CLOSED) after this many reconnection attempts in a row
	 *  have failed; 0 (the default): never. */
	unsigned max_attempts;
	/** Stanzas xmppc_session_send() queues while the connection is not
	 *  READY (xmppc_session_set_offline_queue(), default 1000). */
	size_t offline_queue;
} xmppc_reconnect_config;

/**
 * Turn the reconnection manager on (with @p cfg, copied) or off (NULL,
 * the default). When on, a connection that fails or is lost after
 * xmppc_conn_connect() is tried again after a backoff
 * (#XMPPC_CONN_EVENT_DISCONNECTED, #XMPPC_CONN_STAGE_WAITING,
 * #XMPPC_CONN_EVENT_RECONNECTING) unless
 * - the application closed it (xmppc_conn_close()),
 * - the error is not worth retrying: xmppc_error_retryable() is 0, an
 *   authentication failure (`XMPPC_EAUTH_*` but temporary-auth-failure),
 *   a certificate failure (`XMPPC_ETLS_CERT_*`, #XMPPC_ETLS_PIN),
 *   #XMPPC_EBIND_CONFLICT, or a stream error `conflict`, `host-unknown`
 *   or `not-authorized` from the server,
 * - or #xmppc_reconnect_config.max_attempts attempts in a row failed;
 *
 * then xmppc_sm_give_up() returns what the session still holds and
 * #XMPPC_CONN_EVENT_CLOSED fires, for good. Turning it on also sets the
 * session's offline queue (xmppc_session_set_offline_queue()); turning it
 * off sets that to 0 and, while waiting for a retry, gives up at once
 * (CLOSED with the last error). Allowed from callbacks.
 *
 * @param conn the connection.
 * @param cfg the settings, or NULL to turn reconnection off.
 * @return 0 or #XMPPC_EINVAL (NULL @p conn, wrong version).
 */
XMPPC_API int xmppc_conn_set_reconnect(xmppc_conn *conn, const xmppc_reconnect_config *cfg);

/**
 * The network changed (another interface, a new address, back from
 * sleep): reconnect now. While waiting for a retry, the next attempt
 * starts at once and the backoff starts again from its first step. While
 * connecting or connected, the transport is dropped without closing the
 * stream (no `</stream:stream>`, no TLS close_notify: the stream stays
 * resumable), #XMPPC_CONN_EVENT_DISCONNECTED fires (#XMPPC_ETCP_RESET,
 * retry in 0 ms) and a new connection starts at once, whether
 * reconnection is on or not. From inside a callback it happens when the
 * outermost call on the connection returns.
 *
 * @return 0; #XMPPC_ESTATE (idle, or closing for good); #XMPPC_EINVAL;
 *         #XMPPC_ERECURSIVE (from an io hook).
 */
XMPPC_API int xmppc_conn_network_changed(xmppc_conn *conn);

/**
 * TCP keepalive on the stream socket: `SO_KEEPALIVE` with
 * `TCP_KEEPIDLE` @p idle_s, `TCP_KEEPINTVL` @p interval_s and
 * `TCP_KEEPCNT` @p count, on every later stream socket and on the current
 * one. A zero value keeps the system's default for that one; all three
 * zero turns keepalive off (the default). It detects a dead peer at the
 * TCP level only; see liveness.h for probes at the XMPP level.
 *
 * @return 0 or #XMPPC_EINVAL (NULL; @p idle_s or @p interval_s above
 *         32767, @p count above 127).
 */
XMPPC_API int xmppc_conn_set_tcp_keepalive(xmppc_conn *conn, unsigned idle_s, unsigned interval_s,
                                           unsigned count);

/**@}*/
/* ------------------------------------------------------------------ */
/** @name Event-loop integration */
/**@{*/

/** Watch for readability. */
#define XMPPC_IO_IN 0x1u
/** Watch for writability. */
#define XMPPC_IO_OUT 0x2u
/** In xmppc_conn_process(): an error or hang-up on the fd (treated as both). */
#define XMPPC_IO_ERR 0x4u

/**
 * Watch hook: start watching @p fd for @p events (a mask of #XMPPC_IO_IN
 * and #XMPPC_IO_OUT, replacing the previous mask), or stop (@p events 0:
 * the fd is about to be closed or is not needed any more).
 *
 * @param user_data as given to xmppc_conn_set_io_hooks().
 * @param conn the connection.
 * @param fd the file descriptor.
 * @param events the new mask.
 * @param fd_data what xmppc_conn_assign() attached to @p fd (NULL at first).
 * @return 0, or a negative error (the connection then fails with it).
 */
typedef int (*xmppc_watch_fn)(void *user_data, xmppc_conn *conn, int fd, unsigned events,
                              void *fd_data);

/**
 * Timer hook: call xmppc_conn_process() (with no events) after
 * @p timeout_ms milliseconds, replacing the previous timer; -1 removes it.
 * 0 means at once (but after the current call returns).
 */
typedef void (*xmppc_timer_fn)(void *user_data, xmppc_conn *conn, int64_t timeout_ms);

/** Version of #xmppc_io_hooks understood by this library. */
#define XMPPC_IO_HOOKS_VERSION 1u

/**
 * Detach hook: the hooks are no longer used by @p conn (they were
 * replaced, or the connection is being freed); every fd has been
 * forgotten and the timer removed already. A loop drops its record of the
 * connection here.
 */
typedef void (*xmppc_detach_fn)(void *user_data, xmppc_conn *conn);

/** How a connection asks its event loop for fds and a timer. */
typedef struct xmppc_io_hooks {
	unsigned version;        /**< #XMPPC_IO_HOOKS_VERSION */
	xmppc_watch_fn watch;    /**< required */
	xmppc_timer_fn timer;    /**< required */
	xmppc_detach_fn detach;  /**< optional (NULL) */
} xmppc_io_hooks;

/**
 * Install io hooks (copied). The hooks are told at once about every fd
 * and the timer already in use; the previous hooks are first told to
 * forget them all and then detached. Installing NULL hooks only does the
 * latter (for xmppc_conn_get_pollfds() use, or before moving the
 * connection to another loop).
 *
 * @return 0, #XMPPC_EINVAL (a missing hook, wrong version) or
 *         #XMPPC_ERECURSIVE (from inside a hook).
 */
XMPPC_API int xmppc_conn_set_io_hooks(xmppc_conn *conn, const xmppc_io_hooks *hooks,
                                      void *user_data);

/**
 * Attach a pointer to one of the connection's fds: it is passed back in
 * every later watch-hook call for that fd (curl's socketp). Typically
 * called from the watch hook.
 *
 * @return 0 or #XMPPC_ENOTFOUND (not an fd the connection uses).
 */
XMPPC_API int xmppc_conn_assign(xmppc_conn *conn, int fd, void *fd_data);

/** One fd event for xmppc_conn_process(). */
typedef struct xmppc_io_event {
	int fd;          /**< the fd */
	unsigned events; /**< #XMPPC_IO_IN, #XMPPC_IO_OUT, #XMPPC_IO_ERR */
} xmppc_io_event;

/**
 * Act on fd readiness and on every deadline that has passed (timer hook
 * expiry: call with @p n 0). Events for fds the connection does not use
 * (any more) are ignored. Callbacks fire from inside.
 *
 * @param conn the connection.
 * @param events the ready fds (may be NULL when @p n is 0).
 * @param n their number.
 * @return 0 or #XMPPC_ERECURSIVE; connection failures are reported with
 *         #XMPPC_CONN_EVENT_CLOSED, not here.
 */
XMPPC_API int xmppc_conn_process(xmppc_conn *conn, const xmppc_io_event *events, size_t n);

/**
 * Fill a poll() array with the fds the connection wants watched.
 *
 * @param conn the connection.
 * @param fds the array.
 * @param cap its capacity.
 * @param[out] n receives the number of entries needed (and filled, when
 *        they fit).
 * @param[out] timeout_ms receives the poll() timeout: -1 for none. May be NULL.
 * @return 0 or #XMPPC_ERANGE (@p cap is less than @p *n: nothing filled).
 */
XMPPC_API int xmppc_conn_get_pollfds(xmppc_conn *conn, struct pollfd *fds, size_t cap, size_t *n,
                                     int *timeout_ms);

/**
 * Act on the result of poll() over an array from xmppc_conn_get_pollfds()
 * (and on expired deadlines).
 *
 * @return as xmppc_conn_process().
 */
XMPPC_API int xmppc_conn_process_pollfds(xmppc_conn *conn, const struct pollfd *fds, size_t n);

/**@}*/

XMPPC_END_DECLS

#endif /* XMPPC_CONN_H */
