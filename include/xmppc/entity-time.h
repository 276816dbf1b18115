/**
 * @file entity-time.h
 * @brief Entity time (XEP-0202): responder and query.
 *
 * Attach #xmppc_entity_time_module() to answer `urn:xmpp:time` requests
 * with the current UTC time and the local offset (XEP-0082 formats);
 * xmppc_entity_time_query() asks another entity.
 */
#ifndef XMPPC_ENTITY_TIME_H
#define XMPPC_ENTITY_TIME_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** The XEP-0202 namespace (also the disco feature). */
#define XMPPC_NS_TIME "urn:xmpp:time"

/** Name of the module. */
#define XMPPC_ENTITY_TIME_MODULE_NAME "xmppc.time"

/**
 * Wall clock for the responder.
 *
 * @param user_data as configured.
 * @param[out] unix_seconds seconds since 1970-01-01T00:00:00Z.
 * @param[out] tzo_minutes the local offset from UTC in minutes (east positive).
 * @return 0, or negative (the request is answered internal-server-error).
 */
typedef int (*xmppc_wall_clock_fn)(void *user_data, int64_t *unix_seconds, int *tzo_minutes);

/** Version of #xmppc_entity_time_config understood by this library. */
#define XMPPC_ENTITY_TIME_CONFIG_VERSION 1u

/** Configuration of the entity-time module (copied at attach). */
typedef struct xmppc_entity_time_config {
	unsigned version;          /**< #XMPPC_ENTITY_TIME_CONFIG_VERSION */
	xmppc_wall_clock_fn clock; /**< NULL: the system clock and time zone */
	void *user_data;           /**< passed to @ref clock */
	/** called with @ref user_data when the module is detached; may be NULL */
	void (*destroy)(void *user_data);
	int utc_only;              /**< 1: always answer offset +00:00 (hides the time zone) */
} xmppc_entity_time_config;

/**
 * The module: answers `<time xmlns='urn:xmpp:time'/>` gets with the
 * offset and the UTC time (seconds precision), from anyone; a set gets
 * `bad-request`. Its config is an #xmppc_entity_time_config or NULL
 * (system clock). With a wrong config version attach fails with
 * #XMPPC_EINVAL (and the config's destroy is not called).
 */
XMPPC_API const xmppc_module *xmppc_entity_time_module(void);

/** Version of #xmppc_entity_time understood by this library. */
#define XMPPC_ENTITY_TIME_VERSION 1u

/** An entity-time answer. Strings are borrowed for the callback's duration. */
typedef struct xmppc_entity_time {
	unsigned version;    /**< #XMPPC_ENTITY_TIME_VERSION */
	int64_t unix_ms;     /**< the entity's UTC time, milliseconds since the epoch */
	int tzo_minutes;     /**< its offset from UTC, minutes (east positive) */
	const char *utc;     /**< `<utc/>` as received */
	const char *tzo;     /**< `<tzo/>` as received */
} xmppc_entity_time;

/**
 * Result of xmppc_entity_time_query(); fires exactly once.
 *
 * @param user_data as given.
 * @param session the session.
 * @param time the answer when @p error is 0, else NULL.
 * @param reply the reply (borrowed), or NULL on timeout/disconnection.
 * @param error 0; #XMPPC_IQ_ERROR_REPLY; #XMPPC_EPROTOCOL (a result
 *        without `<time/>`, or `<utc/>`/`<tzo/>` missing or not in
 *        XEP-0082 format); #XMPPC_ETIMEOUT; #XMPPC_EDISCONNECTED.
 */
typedef void (*xmppc_entity_time_fn)(void *user_data, xmppc_session *session,
                                     const xmppc_entity_time *time, const xmppc_stanza *reply,
                                     int error);

/**
 * Ask an entity for its time. The module need not be attached.
 *
 * @param session the session (READY).
 * @param to the entity (a full JID, or a server), or NULL for our server.
 * @param fn result callback.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0 or an error of xmppc_session_send_iq() (then @p fn never
 *         fires and @p destroy is not called).
 */
XMPPC_API int xmppc_entity_time_query(xmppc_session *session, const char *to,
                                      xmppc_entity_time_fn fn, void *user_data,
                                      void (*destroy)(void *user_data));

XMPPC_END_DECLS

#endif /* XMPPC_ENTITY_TIME_H */
