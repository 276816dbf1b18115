/**
 * @file last.h
 * @brief Last activity (XEP-0012): responder and query.
 *
 * Attach #xmppc_last_module() to answer `jabber:iq:last` requests sent to
 * our full JID with the idle time: the seconds since the application last
 * called xmppc_last_activity() (or since the module was attached).
 * xmppc_last_query() asks an entity: a full JID gives its idle time, a bare
 * JID the time since that account was last online (answered by its server),
 * a server its uptime.
 */
#ifndef XMPPC_LAST_H
#define XMPPC_LAST_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** The XEP-0012 namespace (also the disco feature). */
#define XMPPC_NS_LAST "jabber:iq:last"

/** Name of the module. */
#define XMPPC_LAST_MODULE_NAME "xmppc.last"

/**
 * Whether to reveal our idle time to the requester (XEP-0012 §8: idle
 * time is presence information).
 *
 * @param user_data as configured.
 * @param session the session.
 * @param iq the request (borrowed; its 'from' is the requester, NULL for
 *        our server).
 * @return 1 to answer, 0 to refuse with `forbidden`.
 */
typedef int (*xmppc_last_allow_fn)(void *user_data, xmppc_session *session,
                                   const xmppc_stanza *iq);

/** Version of #xmppc_last_config understood by this library. */
#define XMPPC_LAST_CONFIG_VERSION 1u

/** Configuration of the last-activity module (copied at attach). */
typedef struct xmppc_last_config {
	unsigned version;          /**< #XMPPC_LAST_CONFIG_VERSION */
	/** who may learn our idle time; NULL: everyone who can address our full JID */
	xmppc_last_allow_fn allow;
	void *user_data;           /**< passed to @ref allow */
	/** called with @ref user_data when the module is detached; may be NULL */
	void (*destroy)(void *user_data);
} xmppc_last_config;

/**
 * The module: answers `<query xmlns='jabber:iq:last'/>` gets with
 * `seconds` = idle time (or `forbidden` when the allow hook says no); a
 * set gets `bad-request`. Its config is an #xmppc_last_config or NULL.
 * A wrong config version fails the attach with #XMPPC_EINVAL (the
 * config's destroy is then not called).
 */
XMPPC_API const xmppc_module *xmppc_last_module(void);

/**
 * Record user activity now (the idle time restarts from 0).
 *
 * @return 0, #XMPPC_EINVAL or #XMPPC_ESTATE (the module is not attached).
 */
XMPPC_API int xmppc_last_activity(xmppc_session *session);

/**
 * Result of xmppc_last_query(); fires exactly once.
 *
 * @param user_data as given.
 * @param session the session.
 * @param seconds the `seconds` attribute when @p error is 0.
 * @param status the query's text (a status message), or NULL; borrowed.
 * @param reply the reply (borrowed), or NULL on timeout/disconnection.
 * @param error 0; #XMPPC_IQ_ERROR_REPLY; #XMPPC_EPROTOCOL (no `<query/>`
 *        or no valid `seconds`); #XMPPC_ETIMEOUT; #XMPPC_EDISCONNECTED.
 */
typedef void (*xmppc_last_fn)(void *user_data, xmppc_session *session, uint64_t seconds,
                              const char *status, const xmppc_stanza *reply, int error);

/**
 * Ask an entity for its last activity. The module need not be attached.
 *
 * @param session the session (READY).
 * @param to the entity, or NULL for our server (its uptime).
 * @param fn result callback.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0 or an error of xmppc_session_send_iq() (then @p fn never
 *         fires and @p destroy is not called).
 */
XMPPC_API int xmppc_last_query(xmppc_session *session, const char *to, xmppc_last_fn fn,
                               void *user_data, void (*destroy)(void *user_data));

XMPPC_END_DECLS

#endif /* XMPPC_LAST_H */
