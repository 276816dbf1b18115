/**
 * @file disco.h
 * @brief Service discovery (XEP-0030): responder from the module registry, client queries, nodes, a result cache.
 *
 * The disco module ("xmppc.disco") answers disco#info requests from what
 * the session's modules contribute (xmppc_session_foreach_feature() and
 * xmppc_session_foreach_identity()) plus the identities of its
 * configuration and the extension forms (XEP-0128) added with
 * xmppc_disco_add_form(); attaching or removing a module changes the
 * answer at once. Named nodes are served by the application's callbacks
 * (xmppc_disco_add_node()); the entity-capabilities node
 * ("NODE#VER", see caps.h) is answered when the caps module is attached.
 *
 * The client side sends disco#info and disco#items requests and keeps a
 * cache of the results (per JID and node, with a lifetime and a size
 * bound).
 *
 * Callbacks fire only inside calls made on the session (a reply being fed,
 * deadlines, the session being freed), except that a query answered from
 * the cache fires its callback from inside xmppc_disco_get_info() /
 * xmppc_disco_get_items().
 */
#ifndef XMPPC_DISCO_H
#define XMPPC_DISCO_H

#include <xmppc/module.h>

XMPPC_BEGIN_DECLS

/** XEP-0030 information namespace. */
#define XMPPC_NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
/** XEP-0030 items namespace. */
#define XMPPC_NS_DISCO_ITEMS "http://jabber.org/protocol/disco#items"
/** XEP-0004 data forms (the extension forms of XEP-0128). */
#define XMPPC_NS_DATA_FORMS "jabber:x:data"

/** Name of the disco module (for xmppc_session_module_state() and removal). */
#define XMPPC_DISCO_MODULE_NAME "xmppc.disco"

/** Version of #xmppc_disco_config understood by this library. */
#define XMPPC_DISCO_CONFIG_VERSION 1u

/**
 * Configuration of the disco module, given to xmppc_session_add_module()
 * (NULL: all defaults). Copied at attach.
 */
typedef struct xmppc_disco_config {
	unsigned version; /**< #XMPPC_DISCO_CONFIG_VERSION */
	/** Our own identities (besides those modules contribute), or NULL for
	 *  one: category "client", type "pc", name "xmppc". */
	const xmppc_disco_identity *identities;
	size_t n_identities;     /**< number of @ref identities */
	uint32_t cache_ttl_ms;   /**< lifetime of a cached result (default 300000; 0: default) */
	size_t cache_max;        /**< most results cached (default 256; 0: default) */
	uint32_t timeout_ms;     /**< query timeout (0: the session's IQ timeout) */
} xmppc_disco_config;

/** The disco module, for xmppc_session_add_module() (config: an #xmppc_disco_config or NULL). */
XMPPC_API const xmppc_module *xmppc_disco_module(void);

/* ------------------------------------------------------------------ */
/** @name Our own information (responder) */
/**@{*/

/**
 * Build the disco#info `<query/>` this session answers for its own JID:
 * the configured identities then the modules' (duplicates removed), the
 * modules' features sorted, and the extension forms.
 *
 * @param[out] out receives a new tree (the caller unrefs it).
 * @param session a session with the disco module attached.
 * @param node the 'node' attribute to put on the query, or NULL.
 * @return 0, #XMPPC_EINVAL, #XMPPC_ESTATE (the disco module is not
 *         attached) or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_disco_own_info(xmppc_stanza **out, xmppc_session *session, const char *node);

/**
 * Add (or replace: same FORM_TYPE) an extension form (XEP-0128) to our
 * disco#info. It changes the caps verification string.
 *
 * @param session the session (disco module attached).
 * @param form a `<x xmlns='jabber:x:data' type='result'/>` with a hidden
 *        FORM_TYPE field holding one value; copied.
 * @return 0, #XMPPC_EINVAL (not such a form), #XMPPC_ESTATE (no disco
 *         module) or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_disco_add_form(xmppc_session *session, const xmppc_stanza *form);

/**
 * Remove the extension form of a FORM_TYPE.
 *
 * @return 0, #XMPPC_EINVAL, #XMPPC_ESTATE (no disco module) or #XMPPC_ENOTFOUND.
 */
XMPPC_API int xmppc_disco_remove_form(xmppc_session *session, const char *form_type);

/**
 * Node callback: fill the reply for a disco request to one of our nodes.
 *
 * @param user_data as given to xmppc_disco_add_node().
 * @param session the session.
 * @param request the IQ get (borrowed): its 'from' is the asker.
 * @param query the `<query/>` of the reply (with the 'node' attribute):
 *        append `<identity/>`, `<feature/>` (info) or `<item/>` (items)
 *        children to it.
 * @return 0 (the reply is sent); #XMPPC_ENOTFOUND (item-not-found is
 *         sent); another negative error (internal-server-error is sent).
 */
typedef int (*xmppc_disco_node_fn)(void *user_data, xmppc_session *session,
                                   const xmppc_stanza *request, xmppc_stanza *query);

/**
 * Serve a node of ours (XEP-0030 §3.2, §4.2).
 *
 * @param session the session (disco module attached).
 * @param node the node name; NULL means our own JID without node, where
 *        only @p items may be given (the info comes from the modules).
 * @param info fills disco#info replies for the node; NULL: item-not-found.
 * @param items fills disco#items replies for the node; NULL: an empty list.
 * @param user_data passed to the callbacks.
 * @param destroy called with @p user_data when the node is removed (also
 *        when the module is detached); may be NULL. Not called on error.
 * @return 0, #XMPPC_EINVAL, #XMPPC_EEXIST (the node is served already),
 *         #XMPPC_ESTATE (no disco module) or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_disco_add_node(xmppc_session *session, const char *node,
                                   xmppc_disco_node_fn info, xmppc_disco_node_fn items,
                                   void *user_data, void (*destroy)(void *user_data));

/**
 * Stop serving a node (its destroy function runs).
 *
 * @param session the session.
 * @param node the node, or NULL for the items of our JID.
 * @return 0, #XMPPC_EINVAL, #XMPPC_ESTATE or #XMPPC_ENOTFOUND.
 */
XMPPC_API int xmppc_disco_remove_node(xmppc_session *session, const char *node);

/**@}*/
/* ------------------------------------------------------------------ */
/** @name Queries (client) */
/**@{*/

/** Flag of xmppc_disco_get_info() / xmppc_disco_get_items(): ask even if a result is cached. */
#define XMPPC_DISCO_FRESH 0x1u

/**
 * Result of a disco query.
 *
 * @param user_data as given.
 * @param session the session.
 * @param query the `<query/>` of the result (borrowed; ref its tree to
 *        keep it), or NULL when @p error is not 0.
 * @param reply the whole reply IQ (borrowed), or NULL when the result came
 *        from the cache, on timeout or disconnection.
 * @param error 0; #XMPPC_IQ_ERROR_REPLY (read the error from @p reply
 *        with xmppc_stanza_get_error()); #XMPPC_EPROTOCOL (a result without
 *        a `<query/>` of the right namespace); #XMPPC_ETIMEOUT;
 *        #XMPPC_EDISCONNECTED.
 */
typedef void (*xmppc_disco_result_fn)(void *user_data, xmppc_session *session,
                                      const xmppc_stanza *query, const xmppc_stanza *reply,
                                      int error);

/**
 * Ask an entity for its information (disco#info).
 *
 * A result for the same JID and node that is in the cache and not older
 * than the configured lifetime answers at once: @p fn fires from inside
 * this call (unless #XMPPC_DISCO_FRESH). Otherwise the request is sent and
 * @p fn fires exactly once, when the reply comes (results are cached), on
 * timeout, or on disconnection.
 *
 * @param session the session (disco module attached, READY).
 * @param jid the entity (e.g. the server's domain).
 * @param node a node, or NULL.
 * @param flags 0 or #XMPPC_DISCO_FRESH.
 * @param fn the result callback (required).
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data after @p fn fired; may be NULL.
 *        Not called when this function fails.
 * @return 0; #XMPPC_EINVAL; #XMPPC_ESTATE (no disco module, or the
 *         session is not READY); an `XMPPC_EJID_*` code for a bad @p jid;
 *         #XMPPC_EAGAIN; #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_disco_get_info(xmppc_session *session, const char *jid, const char *node,
                                   unsigned flags, xmppc_disco_result_fn fn, void *user_data,
                                   void (*destroy)(void *user_data));

/**
 * Ask an entity for its items (disco#items); as xmppc_disco_get_info().
 */
XMPPC_API int xmppc_disco_get_items(xmppc_session *session, const char *jid, const char *node,
                                    unsigned flags, xmppc_disco_result_fn fn, void *user_data,
                                    void (*destroy)(void *user_data));

/**
 * A cached disco#info result.
 *
 * @param session the session.
 * @param jid the entity.
 * @param node a node, or NULL.
 * @return the `<query/>` (borrowed until the cache changes: the next call
 *         on the session), or NULL when nothing fresh is cached.
 */
XMPPC_API const xmppc_stanza *xmppc_disco_cached_info(xmppc_session *session, const char *jid,
                                                      const char *node);

/**
 * Empty the result cache.
 *
 * @return 0, #XMPPC_EINVAL or #XMPPC_ESTATE (no disco module).
 */
XMPPC_API int xmppc_disco_cache_clear(xmppc_session *session);

/**@}*/
/* ------------------------------------------------------------------ */
/** @name Reading results */
/**@{*/

/**
 * Whether a disco#info `<query/>` lists a feature.
 *
 * @return 1 if it does, 0 if not (or NULL arguments).
 */
XMPPC_API int xmppc_disco_has_feature(const xmppc_stanza *query, const char *feature);

/**
 * Whether a disco#info `<query/>` has an identity.
 *
 * @param query the query.
 * @param category the category.
 * @param type the type, or NULL for any.
 * @return 1 if it does, 0 if not (or NULL arguments).
 */
XMPPC_API int xmppc_disco_has_identity(const xmppc_stanza *query, const char *category,
                                       const char *type);

/**@}*/

XMPPC_END_DECLS

#endif /* XMPPC_DISCO_H */
