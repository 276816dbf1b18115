/**
 * @file caps.h
 * @brief Entity capabilities (XEP-0115): our verification string, caps in presence, verified cache of others.
 *
 * The caps module ("xmppc.caps") needs the disco module (disco.h) attached
 * first. Our verification string is computed (XEP-0115 §5.1) from exactly
 * the disco#info we answer (xmppc_disco_own_info()), so attaching or
 * removing a module, or changing an extension form, changes it; the disco
 * module answers the "NODE#VER" node with that information.
 *
 * Received presences with a `<c/>` element are watched: a hash/ver pair
 * not yet known is looked up in the application's store (if any) and
 * otherwise asked of the sender with disco#info on "NODE#VER". Only an
 * answer whose verification string matches (and that passes the checks
 * of §5.4) is cached, saved through the store, and reported; anything
 * else is dropped. Data loaded from the store is verified the same way.
 *
 * Callbacks (the caps event, the store functions) fire only inside calls
 * made on the session.
 */
#ifndef XMPPC_CAPS_H
#define XMPPC_CAPS_H

#include <xmppc/disco.h>

XMPPC_BEGIN_DECLS

/** XEP-0115 namespace. */
#define XMPPC_NS_CAPS "http://jabber.org/protocol/caps"

/** Name of the caps module. */
#define XMPPC_CAPS_MODULE_NAME "xmppc.caps"

/** Default caps node of xmppc (the 'node' of our `<c/>`). */
#define XMPPC_CAPS_DEFAULT_NODE "https://xmppc.invalid/"

/**
 * Caps event: the information of an entity is known (verified, or
 * cached from an earlier verification).
 *
 * @param user_data the config's user_data.
 * @param session the session.
 * @param jid the entity whose presence announced it.
 * @param query its disco#info `<query/>` (borrowed).
 */
typedef void (*xmppc_caps_fn)(void *user_data, xmppc_session *session, const char *jid,
                              const xmppc_stanza *query);

/**
 * Store: load the disco#info `<query/>` XML saved for (hash, ver).
 *
 * @param user_data the config's user_data.
 * @param hash the hash name, e.g. "sha-1".
 * @param ver the verification string.
 * @param out append the XML here.
 * @return 0, or #XMPPC_ENOTFOUND (or any negative error: not loaded).
 */
typedef int (*xmppc_caps_load_fn)(void *user_data, const char *hash, const char *ver,
                                  xmppc_buf *out);

/**
 * Store: save a verified disco#info `<query/>` for (hash, ver).
 *
 * @param user_data the config's user_data.
 * @param hash the hash name.
 * @param ver the verification string.
 * @param xml the query, serialized (NUL-terminated).
 * @return 0 or a negative error (logged, otherwise ignored).
 */
typedef int (*xmppc_caps_save_fn)(void *user_data, const char *hash, const char *ver,
                                  const char *xml);

/** Version of #xmppc_caps_config understood by this library. */
#define XMPPC_CAPS_CONFIG_VERSION 1u

/** Configuration of the caps module (NULL: all defaults). Copied at attach. */
typedef struct xmppc_caps_config {
	unsigned version;       /**< #XMPPC_CAPS_CONFIG_VERSION */
	const char *node;       /**< our caps node (default #XMPPC_CAPS_DEFAULT_NODE) */
	const char *hash;       /**< our hash: "sha-1" (default), "sha-256" or "sha-512" */
	xmppc_caps_fn on_caps;  /**< caps event, or NULL */
	xmppc_caps_load_fn load;/**< store: load, or NULL */
	xmppc_caps_save_fn save;/**< store: save, or NULL */
	void *user_data;        /**< passed to the three callbacks */
	/** Called with @ref user_data when the module is detached; may be NULL.
	 *  Not called when the attach fails. */
	void (*destroy)(void *user_data);
	size_t cache_max;       /**< most verified entries kept in memory (default 1024) */
	size_t pending_max;     /**< most verifications under way at once (default 32) */
} xmppc_caps_config;

/** The caps module (config: an #xmppc_caps_config or NULL). */
XMPPC_API const xmppc_module *xmppc_caps_module(void);

/**
 * Compute the verification string of a disco#info `<query/>` (XEP-0115
 * §5.1), checking it per §5.4 (no duplicate identity or feature, no two
 * forms of one FORM_TYPE, one FORM_TYPE value; forms without a hidden
 * FORM_TYPE are left out).
 *
 * @param out the base64 string is appended here.
 * @param ctx context (allocation).
 * @param query the `<query xmlns='http://jabber.org/protocol/disco#info'/>`.
 * @param hash "sha-1", "sha-256" or "sha-512".
 * @return 0; #XMPPC_EINVAL; #XMPPC_EUNSUPPORTED (unknown hash);
 *         #XMPPC_EPROTOCOL (the query fails §5.4: it must not be used for
 *         caps); #XMPPC_ECRYPTO; #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_caps_ver(xmppc_buf *out, xmppc_ctx *ctx, const xmppc_stanza *query,
                             const char *hash);

/**
 * Our own verification string (from xmppc_disco_own_info()).
 *
 * @param out appended to.
 * @param session the session (caps module attached).
 * @return 0, #XMPPC_EINVAL, #XMPPC_ESTATE (no caps or disco module), or
 *         as xmppc_caps_ver().
 */
XMPPC_API int xmppc_caps_own_ver(xmppc_buf *out, xmppc_session *session);

/**
 * Add our `<c xmlns='http://jabber.org/protocol/caps' hash node ver/>` to
 * a presence the application sends (replacing one already there).
 *
 * @return 0, #XMPPC_EINVAL (not a presence), #XMPPC_ESTATE, or as
 *         xmppc_caps_own_ver().
 */
XMPPC_API int xmppc_caps_add_to_presence(xmppc_session *session, xmppc_stanza *presence);

/**
 * Create a presence with our caps: xmppc_presence_new() then
 * xmppc_caps_add_to_presence().
 *
 * @param[out] out receives the presence (the caller unrefs it).
 * @param session the session.
 * @param type a presence type (AVAILABLE for none).
 * @param to recipient, or NULL (broadcast).
 * @return as the two functions.
 */
XMPPC_API int xmppc_caps_presence_new(xmppc_stanza **out, xmppc_session *session,
                                      xmppc_stanza_type type, const char *to);

/**
 * The verified information last announced by a JID's presence.
 *
 * @param session the session.
 * @param jid the full JID of the entity.
 * @return its disco#info `<query/>` (borrowed until the next call on the
 *         session), or NULL when not known (yet) or not verified.
 */
XMPPC_API const xmppc_stanza *xmppc_caps_get_info(xmppc_session *session, const char *jid);

/**
 * The verified information of a hash/ver pair, from memory or the store.
 *
 * @return the `<query/>` (borrowed until the next call on the session), or
 *         NULL.
 */
XMPPC_API const xmppc_stanza *xmppc_caps_lookup(xmppc_session *session, const char *hash,
                                                const char *ver);

XMPPC_END_DECLS

#endif /* XMPPC_CAPS_H */
