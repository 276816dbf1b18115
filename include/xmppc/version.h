/**
 * @file version.h
 * @brief Software version (XEP-0092): responder and query.
 *
 * Attach #xmppc_version_module() to answer `jabber:iq:version` requests
 * with the application's name and version; xmppc_version_query() asks
 * another entity. The operating system is not revealed unless configured
 * (XEP-0092 §4 privacy).
 */
#ifndef XMPPC_VERSION_H
#define XMPPC_VERSION_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** The XEP-0092 namespace (also the disco feature). */
#define XMPPC_NS_VERSION "jabber:iq:version"

/** Name of the module (for xmppc_session_module_state() and removal). */
#define XMPPC_VERSION_MODULE_NAME "xmppc.version"

/** Version of #xmppc_version_config understood by this library. */
#define XMPPC_VERSION_CONFIG_VERSION 1u

/** Configuration of the software-version module (copied at attach). */
typedef struct xmppc_version_config {
	unsigned version;     /**< #XMPPC_VERSION_CONFIG_VERSION */
	const char *name;     /**< application name; NULL: "xmppc" */
	const char *software_version; /**< its version; NULL: xmppc_version() */
	const char *os;       /**< operating system, or NULL to leave it out */
} xmppc_version_config;

/**
 * The module: answers `<query xmlns='jabber:iq:version'/>` gets with the
 * configured name, version and (optionally) os; a set gets `bad-request`.
 * Its config is an #xmppc_version_config, or NULL for the defaults.
 * xmppc_session_add_module() returns #XMPPC_EINVAL for a config with a
 * wrong version or invalid characters.
 */
XMPPC_API const xmppc_module *xmppc_version_module(void);

/**
 * Change what the attached module answers.
 *
 * @param session the session.
 * @param name application name (NULL: "xmppc"); copied.
 * @param software_version its version (NULL: xmppc_version()); copied.
 * @param os operating system, or NULL to leave it out; copied.
 * @return 0; #XMPPC_EINVAL; #XMPPC_ESTATE (the module is not attached);
 *         #XMPPC_ENOMEM (the old values stay).
 */
XMPPC_API int xmppc_version_set(xmppc_session *session, const char *name,
                                const char *software_version, const char *os);

/** Version of #xmppc_version_info understood by this library. */
#define XMPPC_VERSION_INFO_VERSION 1u

/** A software-version answer. Strings are borrowed for the callback's duration. */
typedef struct xmppc_version_info {
	unsigned version;             /**< #XMPPC_VERSION_INFO_VERSION */
	const char *name;             /**< `<name/>` (required by XEP-0092) */
	const char *software_version; /**< `<version/>` (required by XEP-0092) */
	const char *os;               /**< `<os/>`, or NULL */
} xmppc_version_info;

/**
 * Result of xmppc_version_query(); fires exactly once.
 *
 * @param user_data as given.
 * @param session the session.
 * @param info the answer when @p error is 0, else NULL.
 * @param reply the reply IQ (borrowed), or NULL on timeout/disconnection.
 * @param error 0; #XMPPC_IQ_ERROR_REPLY (read it from @p reply with
 *        xmppc_stanza_get_error()); #XMPPC_EPROTOCOL (a result without
 *        name and version); #XMPPC_ETIMEOUT; #XMPPC_EDISCONNECTED.
 */
typedef void (*xmppc_version_fn)(void *user_data, xmppc_session *session,
                                 const xmppc_version_info *info, const xmppc_stanza *reply,
                                 int error);

/**
 * Ask an entity for its software version. The module need not be attached.
 *
 * @param session the session (READY).
 * @param to the entity (a full JID for a client, or a server domain).
 * @param fn result callback.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired or when the
 *        session is freed; may be NULL.
 * @return 0 or an error of xmppc_session_send_iq() (then @p fn never
 *         fires and @p destroy is not called).
 */
XMPPC_API int xmppc_version_query(xmppc_session *session, const char *to, xmppc_version_fn fn,
                                  void *user_data, void (*destroy)(void *user_data));

XMPPC_END_DECLS

#endif /* XMPPC_VERSION_H */
