/**
 * @file ping.h
 * @brief XMPP ping (XEP-0199): responder and client.
 *
 * Attach #xmppc_ping_module() to answer pings (servers ping idle clients);
 * xmppc_ping_send() pings an entity (the server, a full JID) and reports
 * the round-trip time or the timeout.
 */
#ifndef XMPPC_PING_H
#define XMPPC_PING_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** The XEP-0199 namespace (also the disco feature). */
#define XMPPC_NS_PING "urn:xmpp:ping"

/** Name of the module. */
#define XMPPC_PING_MODULE_NAME "xmppc.ping"

/**
 * The module: answers `<ping xmlns='urn:xmpp:ping'/>` gets with an empty
 * result, from anyone; a set gets `bad-request`. Its config must be NULL.
 */
XMPPC_API const xmppc_module *xmppc_ping_module(void);

/**
 * Result of xmppc_ping_send(); fires exactly once.
 *
 * @param user_data as given.
 * @param session the session.
 * @param rtt_ms milliseconds from sending to the reply (on the context's
 *        clock); for a timeout, the time waited.
 * @param reply the reply (borrowed), or NULL on timeout/disconnection.
 * @param error 0 (pong); #XMPPC_IQ_ERROR_REPLY (an error reply: the entity
 *        is reachable but may not support ping, XEP-0199 §4.2; read it
 *        with xmppc_stanza_get_error()); #XMPPC_ETIMEOUT;
 *        #XMPPC_EDISCONNECTED.
 */
typedef void (*xmppc_ping_fn)(void *user_data, xmppc_session *session, uint64_t rtt_ms,
                              const xmppc_stanza *reply, int error);

/**
 * Ping an entity. The module need not be attached.
 *
 * @param session the session (READY).
 * @param to the entity, or NULL for our server.
 * @param timeout_ms 0 for the session's IQ timeout.
 * @param fn result callback.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0 or an error of xmppc_session_send_iq() (then @p fn never
 *         fires and @p destroy is not called).
 */
XMPPC_API int xmppc_ping_send(xmppc_session *session, const char *to, uint32_t timeout_ms,
                              xmppc_ping_fn fn, void *user_data, void (*destroy)(void *user_data));

XMPPC_END_DECLS

#endif /* XMPPC_PING_H */
