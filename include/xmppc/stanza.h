/**
 * @file stanza.h
 * @brief The stanza object model: XML elements, builders, typed accessors
 *        for message/presence/iq, and the serializer.
 *
 * An #xmppc_stanza is an element (or a text node) in a tree. A whole tree
 * shares one reference count and one memory arena: xmppc_stanza_ref() and
 * xmppc_stanza_unref() on *any* node of a tree keep or release the whole
 * tree, and a pointer to any node stays valid while the tree is alive.
 * Children are created inside their parent's tree (xmppc_stanza_new_child())
 * or copied into it (xmppc_stanza_add_child()).
 *
 * Memory of content that is replaced or removed (set_attr over an old
 * value, remove_child) is reclaimed only when the tree is freed; trees are
 * meant to be built once and sent, not edited in long loops.
 *
 * Every string passed in is copied. Names must be XML NCNames (no colon);
 * namespaces are non-empty and never the reserved xmlns namespace;
 * text and attribute values must be UTF-8 made of characters XML allows,
 * otherwise the call fails with #XMPPC_EXML_INVALID_UTF8 or
 * #XMPPC_EXML_INVALID_CHAR and the tree is unchanged. Hence a tree can
 * always be serialized to well-formed XML.
 *
 * A tree is not thread-safe: use it from one thread at a time. References
 * may be taken and dropped from any thread.
 */
#ifndef XMPPC_STANZA_H
#define XMPPC_STANZA_H

#include <xmppc/buf.h>
#include <xmppc/ctx.h>
#include <xmppc/ns.h>

XMPPC_BEGIN_DECLS

/** An element or text node; see the file description for ownership. */
typedef struct xmppc_stanza xmppc_stanza;

/** Which top-level stanza an element is. */
typedef enum xmppc_stanza_kind {
	XMPPC_STANZA_OTHER = 0,  /**< not message/presence/iq in jabber:client or jabber:server */
	XMPPC_STANZA_MESSAGE = 1,
	XMPPC_STANZA_PRESENCE = 2,
	XMPPC_STANZA_IQ = 3
} xmppc_stanza_kind;

/** The 'type' attribute of a stanza (RFC 6120 §8.2.3, RFC 6121 §4.7.1, §5.2.2). */
typedef enum xmppc_stanza_type {
	XMPPC_TYPE_NONE = 0,      /**< not a stanza, or an IQ without type */
	XMPPC_TYPE_INVALID = 1,   /**< a value not defined for this kind of stanza */
	XMPPC_TYPE_ERROR = 2,     /**< any kind */
	XMPPC_TYPE_NORMAL = 10,   /**< message (also when 'type' is absent) */
	XMPPC_TYPE_CHAT = 11,     /**< message */
	XMPPC_TYPE_GROUPCHAT = 12,/**< message */
	XMPPC_TYPE_HEADLINE = 13, /**< message */
	XMPPC_TYPE_AVAILABLE = 20,    /**< presence without 'type' */
	XMPPC_TYPE_UNAVAILABLE = 21,  /**< presence */
	XMPPC_TYPE_SUBSCRIBE = 22,    /**< presence */
	XMPPC_TYPE_SUBSCRIBED = 23,   /**< presence */
	XMPPC_TYPE_UNSUBSCRIBE = 24,  /**< presence */
	XMPPC_TYPE_UNSUBSCRIBED = 25, /**< presence */
	XMPPC_TYPE_PROBE = 26,        /**< presence */
	XMPPC_TYPE_GET = 30,      /**< iq */
	XMPPC_TYPE_SET = 31,      /**< iq */
	XMPPC_TYPE_RESULT = 32    /**< iq */
} xmppc_stanza_type;

/** Stanza error types (RFC 6120 §8.3.2). */
typedef enum xmppc_error_type {
	XMPPC_ERRTYPE_NONE = 0, /**< absent or unknown */
	XMPPC_ERRTYPE_AUTH, /**< "auth" */
	XMPPC_ERRTYPE_CANCEL, /**< "cancel" */
	XMPPC_ERRTYPE_CONTINUE, /**< "continue" */
	XMPPC_ERRTYPE_MODIFY, /**< "modify" */
	XMPPC_ERRTYPE_WAIT
} xmppc_error_type;

/** Stanza error conditions (RFC 6120 §8.3.3). */
typedef enum xmppc_stanza_condition {
	XMPPC_COND_NONE = 0, /**< no condition */
	XMPPC_COND_BAD_REQUEST, /**< "bad-request" */
	XMPPC_COND_CONFLICT, /**< "conflict" */
	XMPPC_COND_FEATURE_NOT_IMPLEMENTED, /**< "feature-not-implemented" */
	XMPPC_COND_FORBIDDEN, /**< "forbidden" */
	XMPPC_COND_GONE, /**< "gone" */
	XMPPC_COND_INTERNAL_SERVER_ERROR, /**< "internal-server-error" */
	XMPPC_COND_ITEM_NOT_FOUND, /**< "item-not-found" */
	XMPPC_COND_JID_MALFORMED, /**< "jid-malformed" */
	XMPPC_COND_NOT_ACCEPTABLE, /**< "not-acceptable" */
	XMPPC_COND_NOT_ALLOWED, /**< "not-allowed" */
	XMPPC_COND_NOT_AUTHORIZED, /**< "not-authorized" */
	XMPPC_COND_POLICY_VIOLATION, /**< "policy-violation" */
	XMPPC_COND_RECIPIENT_UNAVAILABLE, /**< "recipient-unavailable" */
	XMPPC_COND_REDIRECT, /**< "redirect" */
	XMPPC_COND_REGISTRATION_REQUIRED, /**< "registration-required" */
	XMPPC_COND_REMOTE_SERVER_NOT_FOUND, /**< "remote-server-not-found" */
	XMPPC_COND_REMOTE_SERVER_TIMEOUT, /**< "remote-server-timeout" */
	XMPPC_COND_RESOURCE_CONSTRAINT, /**< "resource-constraint" */
	XMPPC_COND_SERVICE_UNAVAILABLE, /**< "service-unavailable" */
	XMPPC_COND_SUBSCRIPTION_REQUIRED, /**< "subscription-required" */
	XMPPC_COND_UNDEFINED_CONDITION, /**< "undefined-condition" */
	XMPPC_COND_UNEXPECTED_REQUEST, /**< "unexpected-request" */
	XMPPC_COND_COUNT /**< number of values; not a condition */
} xmppc_stanza_condition;

/* ------------------------------------------------------------------ */
/** @name Life cycle */
/**@{*/

/**
 * Create a new element as the root of a new tree.
 *
 * @param[out] out receives the element (reference count 1); the caller owns it.
 * @param ctx context (a reference is held by the tree).
 * @param name element name (NCName).
 * @param ns namespace URI, or NULL for none.
 * @return 0, #XMPPC_EINVAL, #XMPPC_EINVALID_NAME, #XMPPC_EXML_INVALID_UTF8,
 *         #XMPPC_EXML_INVALID_CHAR or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_stanza_new(xmppc_stanza **out, xmppc_ctx *ctx, const char *name, const char *ns);

/** Take a reference on the whole tree containing @p node; returns @p node. */
XMPPC_API xmppc_stanza *xmppc_stanza_ref(xmppc_stanza *node);

/**
 * Drop a reference on the tree containing @p node.
 *
 * @return NULL if this freed the tree, otherwise @p node.
 */
XMPPC_API xmppc_stanza *xmppc_stanza_unref(xmppc_stanza *node);

/**
 * Deep copy of @p node and its descendants as the root of a new tree.
 *
 * @param[out] out receives the copy (reference count 1).
 * @param node the node to copy (with its subtree).
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_stanza_copy(xmppc_stanza **out, const xmppc_stanza *node);

/**
 * Parse one XML element (a standalone fragment such as
 * @verbatim <message to='a@b'><body>hi</body></message> @endverbatim) with the same hardened
 * parser and default limits as streams use (see parser.h).
 *
 * @param[out] out receives the root element of a new tree.
 * @param ctx context.
 * @param xml the bytes (UTF-8; need not be NUL-terminated).
 * @param len their length.
 * @return 0; #XMPPC_EINVAL; an `XMPPC_EXML_*` code describing why the
 *         input was refused (#XMPPC_EXML_NOT_WELL_FORMED also for trailing
 *         content or a missing element); #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_stanza_from_xml(xmppc_stanza **out, xmppc_ctx *ctx, const char *xml, size_t len);

/**
 * Serialize @p node and its descendants, appending to @p out.
 *
 * Namespaces are declared minimally: an element gets an `xmlns` only when
 * its namespace differs from its parent's (for the node itself: from
 * @p default_ns). Namespaced attributes other than `xml:` ones get
 * generated prefixes declared on their element.
 *
 * @param out buffer to append to; on error it is left as it was.
 * @param node element (or text node) to serialize.
 * @param default_ns the namespace in scope where the output will be placed
 *        (e.g. "jabber:client" inside a client stream), or NULL to always
 *        declare the node's namespace.
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_stanza_to_xml(xmppc_buf *out, const xmppc_stanza *node, const char *default_ns);
/**@}*/

/* ------------------------------------------------------------------ */
/** @name Tree navigation (all returned pointers are borrowed) */
/**@{*/

/** Element name, or NULL for a text node. */
XMPPC_API const char *xmppc_stanza_name(const xmppc_stanza *node);
/** Namespace URI of an element, or NULL for none (and for text nodes). */
XMPPC_API const char *xmppc_stanza_ns(const xmppc_stanza *node);
/** 1 if @p node is a text node, 0 if an element (or NULL). */
XMPPC_API int xmppc_stanza_is_text(const xmppc_stanza *node);
/** 1 if @p node is an element called @p name in namespace @p ns (ns NULL: any). */
XMPPC_API int xmppc_stanza_is(const xmppc_stanza *node, const char *name, const char *ns);
/** Parent element, or NULL for the root. */
XMPPC_API xmppc_stanza *xmppc_stanza_parent(const xmppc_stanza *node);
/** First child node (element or text) in document order, or NULL. */
XMPPC_API xmppc_stanza *xmppc_stanza_first_child(const xmppc_stanza *node);
/** Next sibling node (element or text), or NULL. */
XMPPC_API xmppc_stanza *xmppc_stanza_next_sibling(const xmppc_stanza *node);
/**
 * First child element with the given name and namespace.
 *
 * @param parent the element to search.
 * @param name element name, or NULL for any.
 * @param ns namespace, or NULL for any.
 * @return the child, or NULL.
 */
XMPPC_API xmppc_stanza *xmppc_stanza_find_child(const xmppc_stanza *parent, const char *name,
                                                const char *ns);
/** Next sibling element after @p prev with the given name and namespace (NULL: any); or NULL. */
XMPPC_API xmppc_stanza *xmppc_stanza_find_next(const xmppc_stanza *prev, const char *name,
                                               const char *ns);
/** Number of child elements (text nodes not counted). */
XMPPC_API size_t xmppc_stanza_child_count(const xmppc_stanza *node);
/**@}*/

/* ------------------------------------------------------------------ */
/** @name Building and editing */
/**@{*/

/**
 * Create a child element appended to @p parent, in the same tree.
 *
 * @param[out] out receives the child (borrowed: owned by the tree); may be NULL.
 * @param parent the parent element.
 * @param name element name (NCName).
 * @param ns namespace URI; NULL means the parent's namespace.
 * @return 0, #XMPPC_EINVAL, #XMPPC_EINVALID_NAME, #XMPPC_EXML_INVALID_UTF8,
 *         #XMPPC_EXML_INVALID_CHAR or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_stanza_new_child(xmppc_stanza **out, xmppc_stanza *parent, const char *name,
                                     const char *ns);

/**
 * Create a child element holding text, e.g. a message body.
 *
 * @param[out] out receives the child (borrowed); may be NULL.
 * @param parent the parent element.
 * @param name element name (NCName).
 * @param ns namespace URI; NULL means the parent's namespace.
 * @param text the text (may be empty: then the element has no text node).
 * @return as xmppc_stanza_new_child(); on error nothing is added.
 */
XMPPC_API int xmppc_stanza_new_text_child(xmppc_stanza **out, xmppc_stanza *parent,
                                          const char *name, const char *ns, const char *text);

/**
 * Append a deep copy of @p child (from any tree) to @p parent.
 *
 * @param[out] out receives the copy inside @p parent's tree (borrowed); may be NULL.
 * @param parent the element to append to.
 * @param child the node to copy (with its subtree).
 * @return 0, #XMPPC_EINVAL (also if @p child is an ancestor of, or is,
 *         @p parent) or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_stanza_add_child(xmppc_stanza **out, xmppc_stanza *parent,
                                     const xmppc_stanza *child);

/**
 * Append text after the last child (merged into a preceding text node).
 *
 * @return 0, #XMPPC_EINVAL, #XMPPC_EXML_INVALID_UTF8,
 *         #XMPPC_EXML_INVALID_CHAR or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_stanza_add_text(xmppc_stanza *parent, const char *text, size_t len);

/**
 * Replace all children of @p element with a single text node (no text
 * node at all when @p text is empty).
 *
 * @return as xmppc_stanza_add_text(); on error the children are unchanged.
 */
XMPPC_API int xmppc_stanza_set_text(xmppc_stanza *element, const char *text);

/**
 * The text of a node: for a text node its content; for an element the
 * concatenation of its direct text children ("" when it has none).
 *
 * @return a borrowed string valid until the tree is changed or freed, or
 *         NULL if @p node is NULL or memory ran out while concatenating.
 */
XMPPC_API const char *xmppc_stanza_text(const xmppc_stanza *node);

/**
 * Unlink @p child from its parent. The node stays valid (and belongs to the
 * same tree) until the tree is freed.
 *
 * @return 0, or #XMPPC_EINVAL if @p child is not a child of @p parent.
 */
XMPPC_API int xmppc_stanza_remove_child(xmppc_stanza *parent, xmppc_stanza *child);
/**@}*/

/* ------------------------------------------------------------------ */
/** @name Attributes */
/**@{*/

/** Value of the attribute @p name in no namespace, or NULL. Borrowed. */
XMPPC_API const char *xmppc_stanza_attr(const xmppc_stanza *element, const char *name);
/** Value of the attribute (@p ns, @p name) (ns NULL: no namespace), or NULL. Borrowed. */
XMPPC_API const char *xmppc_stanza_attr_ns(const xmppc_stanza *element, const char *ns,
                                           const char *name);
/**
 * Set (add or replace) an attribute in no namespace.
 *
 * @param element the element.
 * @param name attribute name (NCName; not "xmlns").
 * @param value the value; NULL removes the attribute.
 * @return 0, #XMPPC_EINVAL, #XMPPC_EINVALID_NAME, #XMPPC_EXML_INVALID_UTF8,
 *         #XMPPC_EXML_INVALID_CHAR or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_stanza_set_attr(xmppc_stanza *element, const char *name, const char *value);
/**
 * Set (add or replace) a namespaced attribute; ns #XMPPC_NS_XML gives
 * `xml:name`. NULL @p value removes it.
 *
 * @return as xmppc_stanza_set_attr().
 */
XMPPC_API int xmppc_stanza_set_attr_ns(xmppc_stanza *element, const char *ns, const char *name,
                                       const char *value);
/** Number of attributes of an element (namespace declarations are not attributes). */
XMPPC_API size_t xmppc_stanza_attr_count(const xmppc_stanza *element);
/**
 * The @p index-th attribute in document order.
 *
 * @param[out] ns receives its namespace (NULL for none); may be NULL.
 * @param[out] name receives its name; may be NULL.
 * @param[out] value receives its value; may be NULL.
 * @param element the element.
 * @param index 0-based position.
 * @return 0 or #XMPPC_EINVAL (index out of range). Strings are borrowed.
 */
XMPPC_API int xmppc_stanza_attr_at(const char **ns, const char **name, const char **value,
                                   const xmppc_stanza *element, size_t index);
/**@}*/

/* ------------------------------------------------------------------ */
/** @name Stanza accessors (message, presence, iq) */
/**@{*/

/** Kind of stanza: message/presence/iq in jabber:client or jabber:server, else OTHER. */
XMPPC_API xmppc_stanza_kind xmppc_stanza_get_kind(const xmppc_stanza *node);
/**
 * The 'type' of a stanza with RFC defaults applied (message: NORMAL,
 * presence: AVAILABLE when absent); #XMPPC_TYPE_INVALID for a value not
 * defined for its kind; #XMPPC_TYPE_NONE for non-stanzas and IQs without type.
 */
XMPPC_API xmppc_stanza_type xmppc_stanza_get_type(const xmppc_stanza *node);
/**
 * Set the 'type' attribute. NORMAL on a message and AVAILABLE on a
 * presence remove the attribute (they are the defaults).
 *
 * @return 0, #XMPPC_EINVAL (not a stanza, or a type not valid for its
 *         kind) or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_stanza_set_type(xmppc_stanza *stanza, xmppc_stanza_type type);
/** Wire name of a type ("chat", "get", ...); NULL for NONE/INVALID/unknown. NORMAL gives "normal", AVAILABLE gives NULL. */
XMPPC_API const char *xmppc_stanza_type_name(xmppc_stanza_type type);
/** The 'id' attribute or NULL. Borrowed. */
XMPPC_API const char *xmppc_stanza_id(const xmppc_stanza *node);
/** The 'to' attribute or NULL. Borrowed. */
XMPPC_API const char *xmppc_stanza_to(const xmppc_stanza *node);
/** The 'from' attribute or NULL. Borrowed. */
XMPPC_API const char *xmppc_stanza_from(const xmppc_stanza *node);
/** The `xml:lang` attribute or NULL. Borrowed. */
XMPPC_API const char *xmppc_stanza_lang(const xmppc_stanza *node);
/** Set 'id' (NULL removes). @return as xmppc_stanza_set_attr(). */
XMPPC_API int xmppc_stanza_set_id(xmppc_stanza *stanza, const char *id);
/** Set 'to' (NULL removes). @return as xmppc_stanza_set_attr(). */
XMPPC_API int xmppc_stanza_set_to(xmppc_stanza *stanza, const char *to);
/** Set 'from' (NULL removes). @return as xmppc_stanza_set_attr(). */
XMPPC_API int xmppc_stanza_set_from(xmppc_stanza *stanza, const char *from);

/**
 * Body of a message in a language.
 *
 * @param message the message.
 * @param lang NULL for the default body (the first `<body/>` without
 *        `xml:lang`, or else the first `<body/>`); otherwise the body whose
 *        `xml:lang` matches @p lang case-insensitively.
 * @return the text ("" for an empty body), or NULL if there is no such body.
 */
XMPPC_API const char *xmppc_message_body(const xmppc_stanza *message, const char *lang);
/** Subject of a message in a language; as xmppc_message_body(). */
XMPPC_API const char *xmppc_message_subject(const xmppc_stanza *message, const char *lang);
/** The message's `<thread/>` text, or NULL. */
XMPPC_API const char *xmppc_message_thread(const xmppc_stanza *message);
/**
 * Set (replace or add) the body for a language (NULL: the default body).
 * NULL @p text removes that body.
 *
 * @return 0, #XMPPC_EINVAL, #XMPPC_EXML_INVALID_UTF8,
 *         #XMPPC_EXML_INVALID_CHAR or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_message_set_body(xmppc_stanza *message, const char *lang, const char *text);
/** Set the subject for a language; as xmppc_message_set_body(). */
XMPPC_API int xmppc_message_set_subject(xmppc_stanza *message, const char *lang, const char *text);
/**
 * Set the thread (NULL removes it) and optionally its parent thread
 * (RFC 6121 §5.2.5).
 *
 * @return as xmppc_message_set_body().
 */
XMPPC_API int xmppc_message_set_thread(xmppc_stanza *message, const char *thread,
                                       const char *parent);

/** Version of #xmppc_stanza_error_info understood by this library. */
#define XMPPC_STANZA_ERROR_INFO_VERSION 1u

/** The parts of a stanza's `<error/>` (RFC 6120 §8.3). Strings are borrowed from the stanza. */
typedef struct xmppc_stanza_error_info {
	unsigned version;                 /**< set to #XMPPC_STANZA_ERROR_INFO_VERSION */
	xmppc_error_type type;            /**< error type */
	xmppc_stanza_condition condition; /**< defined condition; UNDEFINED_CONDITION for unknown ones */
	const char *text;                 /**< `<text/>` content or NULL */
	const char *by;                   /**< 'by' attribute or NULL */
	const xmppc_stanza *app_condition;/**< application-specific condition element or NULL */
} xmppc_stanza_error_info;

/**
 * Read the `<error/>` child of a stanza.
 *
 * @param[out] out filled in; its version must be set by the caller.
 * @param stanza the stanza.
 * @return 0; #XMPPC_ENOTFOUND when there is no `<error/>` child;
 *         #XMPPC_EINVAL (NULL arguments or unknown version).
 */
XMPPC_API int xmppc_stanza_get_error(xmppc_stanza_error_info *out, const xmppc_stanza *stanza);
/** Element name of a condition ("item-not-found"), or NULL. */
XMPPC_API const char *xmppc_stanza_condition_name(xmppc_stanza_condition cond);
/** Condition for an element name; #XMPPC_COND_UNDEFINED_CONDITION for unknown names, NONE for NULL. */
XMPPC_API xmppc_stanza_condition xmppc_stanza_condition_from_name(const char *name);
/** Wire name of an error type ("cancel"), or NULL. */
XMPPC_API const char *xmppc_error_type_name(xmppc_error_type type);
/**@}*/

/* ------------------------------------------------------------------ */
/** @name Constructors */
/**@{*/

/**
 * Create a `<message/>` in jabber:client with a fresh random id.
 *
 * @param[out] out receives the stanza (reference count 1).
 * @param ctx context.
 * @param type a message type (NORMAL, CHAT, GROUPCHAT, HEADLINE, ERROR).
 * @param to recipient JID or NULL.
 * @param body body text or NULL for none.
 * @return 0, #XMPPC_EINVAL, #XMPPC_EXML_INVALID_UTF8,
 *         #XMPPC_EXML_INVALID_CHAR, #XMPPC_ECRYPTO or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_message_new(xmppc_stanza **out, xmppc_ctx *ctx, xmppc_stanza_type type,
                                const char *to, const char *body);
/**
 * Create a presence stanza in jabber:client (no id; set one if wanted).
 *
 * @param[out] out receives the stanza (reference count 1).
 * @param ctx context.
 * @param type a presence type (AVAILABLE for none).
 * @param to recipient or NULL (broadcast).
 * @return as xmppc_message_new().
 */
XMPPC_API int xmppc_presence_new(xmppc_stanza **out, xmppc_ctx *ctx, xmppc_stanza_type type,
                                 const char *to);
/**
 * Create an IQ stanza in jabber:client.
 *
 * @param[out] out receives the stanza (reference count 1).
 * @param ctx context.
 * @param type GET, SET, RESULT or ERROR.
 * @param to addressee or NULL (the account's server).
 * @param id the id, or NULL for a fresh random one.
 * @return as xmppc_message_new().
 */
XMPPC_API int xmppc_iq_new(xmppc_stanza **out, xmppc_ctx *ctx, xmppc_stanza_type type,
                           const char *to, const char *id);
/**
 * Create the empty `result` reply to an IQ get/set: same id, 'to' set to
 * the request's 'from' (omitted when the request had none).
 *
 * @return 0, #XMPPC_EINVAL (not an IQ get/set, or no id) or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_iq_new_result(xmppc_stanza **out, const xmppc_stanza *request);
/**
 * Create an error reply (RFC 6120 §8.3) to a message, presence or IQ
 * (get, set, or one with a missing or unknown type): same kind, id and
 * (swapped) address, type 'error', and an
 * `<error/>` with the given type, condition and optional text. The
 * original payload is not echoed.
 *
 * @return 0, #XMPPC_EINVAL (not a stanza, an error or IQ result, or a bad
 *         type/condition), #XMPPC_EXML_INVALID_CHAR, or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_stanza_new_error_reply(xmppc_stanza **out, const xmppc_stanza *request,
                                           xmppc_error_type type, xmppc_stanza_condition cond,
                                           const char *text);
/**@}*/

XMPPC_END_DECLS

#endif /* XMPPC_STANZA_H */
