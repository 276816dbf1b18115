/**
 * @file module.h
 * @brief Modules (plugins) and extension-element providers.
 *
 * A module is a versioned table of callbacks plus what it contributes to
 * service discovery (features, identities). Every built-in XEP of xmppc is
 * a module written only against the public API, so an application's own
 * module is a first-class citizen.
 *
 * A provider knows how to turn one extension element (namespace, name)
 * into an application object and back. Providers are registered on the
 * context; xmppc_stanza_get_extension() parses lazily and caches the object
 * on the stanza's tree, so every consumer of a stanza shares one parse.
 */
#ifndef XMPPC_MODULE_H
#define XMPPC_MODULE_H

#include <xmppc/session.h>

XMPPC_BEGIN_DECLS

/** Version of #xmppc_disco_identity understood by this library. */
#define XMPPC_DISCO_IDENTITY_VERSION 1u

/** A service-discovery identity (XEP-0030 §3.1). */
typedef struct xmppc_disco_identity {
	unsigned version;     /**< #XMPPC_DISCO_IDENTITY_VERSION */
	const char *category; /**< e.g. "client" */
	const char *type;     /**< e.g. "pc", "bot" */
	const char *name;     /**< human-readable name, or NULL */
	const char *lang;     /**< xml:lang of @ref xmppc_disco_identity::name, or NULL */
} xmppc_disco_identity;

/** Version of #xmppc_module understood by this library. */
#define XMPPC_MODULE_VERSION 1u

/** A module. The table must stay valid while the module is attached. */
typedef struct xmppc_module {
	unsigned version;                /**< #XMPPC_MODULE_VERSION */
	const char *name;                /**< unique name, e.g. "xmppc.ping" */
	const char *const *features;     /**< disco features it adds (NULL-terminated), or NULL */
	const xmppc_disco_identity *identities; /**< identities it adds, or NULL */
	size_t n_identities;             /**< number of @ref identities */
	/**
	 * Called by xmppc_session_add_module(): register handlers, allocate
	 * state. A failure (negative return) leaves the module out.
	 *
	 * @param session the session.
	 * @param config the pointer given to xmppc_session_add_module().
	 * @param[out] state receives the module's state for later calls.
	 */
	int (*attach)(xmppc_session *session, void *config, void **state);
	/**
	 * Called when the module is removed or the session freed: remove the
	 * handlers it registered, free its state. May be NULL.
	 */
	void (*detach)(xmppc_session *session, void *state);
} xmppc_module;

/**
 * Attach a module to a session.
 *
 * @param session the session.
 * @param module the module table.
 * @param config passed to its attach function.
 * @return 0; #XMPPC_EINVAL; #XMPPC_EEXIST (a module of that name is
 *         attached); #XMPPC_ENOMEM; or what attach returned.
 */
XMPPC_API int xmppc_session_add_module(xmppc_session *session, const xmppc_module *module,
                                       void *config);

/**
 * Detach a module by name (its detach function runs).
 *
 * @return 0 or #XMPPC_ENOTFOUND.
 */
XMPPC_API int xmppc_session_remove_module(xmppc_session *session, const char *name);

/** The state an attached module's attach function produced, or NULL. */
XMPPC_API void *xmppc_session_module_state(const xmppc_session *session, const char *name);

/**
 * Call @p fn for every disco feature of the attached modules, sorted
 * bytewise and without duplicates (the order XEP-0115 hashes them in).
 *
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_session_foreach_feature(const xmppc_session *session,
                                            void (*fn)(void *user_data, const char *feature),
                                            void *user_data);

/**
 * Call @p fn for every identity of the attached modules, in order of
 * attachment.
 *
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_session_foreach_identity(const xmppc_session *session,
                                             void (*fn)(void *user_data,
                                                        const xmppc_disco_identity *identity),
                                             void *user_data);

/** Version of #xmppc_provider understood by this library. */
#define XMPPC_PROVIDER_VERSION 1u

/** An extension-element provider. The table must outlive the context. */
typedef struct xmppc_provider {
	unsigned version;    /**< #XMPPC_PROVIDER_VERSION */
	const char *ns;      /**< the element's namespace */
	const char *element; /**< the element's name */
	/**
	 * Parse @p element into a new object.
	 *
	 * @return 0 or a negative error (the element stays a generic one).
	 */
	int (*parse)(void **object, const xmppc_stanza *element, void *user_data);
	/** Free an object made by @ref parse. */
	void (*free_object)(void *object, void *user_data);
	/**
	 * Append the element for @p object to @p parent. May be NULL (then
	 * xmppc_stanza_add_extension() returns #XMPPC_EUNSUPPORTED).
	 */
	int (*serialize)(xmppc_stanza *parent, const void *object, void *user_data);
	void *user_data; /**< passed to the functions */
} xmppc_provider;

/**
 * Register a provider on a context (before the context is shared between
 * threads).
 *
 * @return 0, #XMPPC_EINVAL, #XMPPC_EEXIST (that namespace and element have
 *         one), #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_ctx_add_provider(xmppc_ctx *ctx, const xmppc_provider *provider);

/**
 * The parsed object of a stanza's extension element: the first child
 * (@p ns, @p element) of @p stanza, parsed by its provider on first use
 * and cached on the tree (freed with it).
 *
 * @param[out] object receives the object (borrowed from the tree).
 * @param stanza the stanza.
 * @param ns the extension's namespace.
 * @param element the extension's element name.
 * @return 0; #XMPPC_ENOTFOUND (no such child); #XMPPC_EUNSUPPORTED (no
 *         provider registered); the provider's parse error; #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_stanza_get_extension(const void **object, const xmppc_stanza *stanza,
                                         const char *ns, const char *element);

/**
 * Append an extension element built by its provider from @p object.
 *
 * @return 0, #XMPPC_EINVAL, #XMPPC_EUNSUPPORTED (no provider or no
 *         serializer), or the provider's error.
 */
XMPPC_API int xmppc_stanza_add_extension(xmppc_stanza *parent, const char *ns, const char *element,
                                         const void *object);

XMPPC_END_DECLS

#endif /* XMPPC_MODULE_H */
