/**
 * @file parser.h
 * @brief Hardened, incremental XML stream parser (libxml2 SAX2 push parser
 *        underneath).
 *
 * Feed it the bytes of an XMPP stream in any split; it reports the stream
 * header, each complete depth-1 element as an #xmppc_stanza, and the end of
 * the stream. The events are the same whatever the chunking.
 *
 * It enforces RFC 6120 §11 restricted XML (no DTD, comment, processing
 * instruction or entity other than the five predefined ones), strict UTF-8
 * with XML's character rules, XML 1.0 and UTF-8 declarations only, bound
 * namespace prefixes and unique attributes, and the limits in
 * #xmppc_xml_limits. Any violation is fatal: the parser reports the error,
 * delivers nothing more, and each later feed returns the same error.
 *
 * A stream restart (after STARTTLS or SASL) needs a fresh parser. A
 * callback can pause the parser at a stanza boundary, and the feed call then
 * says how many bytes it consumed, so the bytes after `<proceed/>` or
 * `<success/>` are never parsed by the old parser.
 */
#ifndef XMPPC_PARSER_H
#define XMPPC_PARSER_H

#include <xmppc/stanza.h>

XMPPC_BEGIN_DECLS

/** Version of #xmppc_xml_limits understood by this library. */
#define XMPPC_XML_LIMITS_VERSION 1u

/**
 * Limits the parser enforces. A value of 0 in a field means "use the
 * default" (see xmppc_xml_limits_default()).
 */
typedef struct xmppc_xml_limits {
	unsigned version;      /**< set to #XMPPC_XML_LIMITS_VERSION */
	unsigned max_depth;    /**< element nesting inside a stanza; the stanza element is depth 1 (default 64) */
	size_t max_stanza_bytes;        /**< bytes between two stanza boundaries once authenticated (default 1 MiB) */
	size_t max_stanza_bytes_unauth; /**< the same before authentication (default 64 KiB) */
	unsigned max_attrs;    /**< attributes plus namespace declarations on one element (default 64) */
	unsigned max_elements; /**< elements in one stanza (default 65536) */
} xmppc_xml_limits;

/** Fill @p out with the default limits (and set its version). */
XMPPC_API void xmppc_xml_limits_default(xmppc_xml_limits *out);

/** Opaque stream parser. */
typedef struct xmppc_parser xmppc_parser;

/** Callback return: go on parsing. */
#define XMPPC_PARSER_CONTINUE 0
/** Callback return (stanza callback): stop right after this stanza. */
#define XMPPC_PARSER_PAUSE 1

/** xmppc_parser_feed() result: a callback paused the parser. */
#define XMPPC_PARSER_PAUSED 1
/** xmppc_parser_feed() result: the stream's closing tag was parsed. */
#define XMPPC_PARSER_ENDED 2

/** Version of #xmppc_parser_callbacks understood by this library. */
#define XMPPC_PARSER_CALLBACKS_VERSION 1u

/**
 * Parser events. Each callback may be NULL. A callback that returns a
 * negative value stops the parser with that error (it becomes fatal).
 * Callbacks must not call xmppc_parser_feed() on the same parser
 * (#XMPPC_ERECURSIVE).
 */
typedef struct xmppc_parser_callbacks {
	unsigned version; /**< set to #XMPPC_PARSER_CALLBACKS_VERSION */
	/**
	 * The stream's opening tag was parsed.
	 *
	 * @param header the `<stream:stream>` element with its attributes and
	 *        no children; borrowed, valid until the parser is freed
	 *        (ref it to keep it longer).
	 * @param content_ns the default namespace declared on it
	 *        ("jabber:client"), or NULL.
	 */
	int (*stream_start)(void *user_data, const xmppc_stanza *header, const char *content_ns);
	/**
	 * A complete depth-1 element. @p stanza is borrowed: it is released
	 * after the callback unless the callback takes a reference.
	 *
	 * @return #XMPPC_PARSER_CONTINUE, #XMPPC_PARSER_PAUSE, or a negative
	 *         error.
	 */
	int (*stanza)(void *user_data, xmppc_stanza *stanza);
	/** The stream's closing tag was parsed. */
	int (*stream_end)(void *user_data);
} xmppc_parser_callbacks;

/** Flag for xmppc_parser_new(): the stream is authenticated (use the larger byte limit). */
#define XMPPC_PARSER_AUTHENTICATED 1u

/**
 * Create a stream parser.
 *
 * @param[out] out receives the parser; free it with xmppc_parser_free().
 * @param ctx context (a reference is held).
 * @param limits limits to enforce, or NULL for the defaults; copied.
 * @param flags 0 or #XMPPC_PARSER_AUTHENTICATED.
 * @param callbacks event callbacks; copied; may be NULL.
 * @param user_data passed to the callbacks.
 * @return 0, #XMPPC_EINVAL (NULL out/ctx, wrong struct version) or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_parser_new(xmppc_parser **out, xmppc_ctx *ctx, const xmppc_xml_limits *limits,
                               unsigned flags, const xmppc_parser_callbacks *callbacks,
                               void *user_data);

/** Free a parser. NULL is allowed. Must not be called from its own callbacks. */
XMPPC_API void xmppc_parser_free(xmppc_parser *parser);

/**
 * Feed bytes of the stream. Callbacks fire from inside this call.
 *
 * @param[out] consumed receives how many bytes of @p data belong to this
 *        parser: all of them unless the result is #XMPPC_PARSER_PAUSED or
 *        #XMPPC_PARSER_ENDED, in which case the bytes after the boundary
 *        are not consumed and must go to whatever comes next (a new parser
 *        after a stream restart). May be NULL.
 * @param parser the parser.
 * @param data the bytes.
 * @param len their number.
 * @return 0 (all consumed, more expected); #XMPPC_PARSER_PAUSED;
 *         #XMPPC_PARSER_ENDED; #XMPPC_ESTATE if the parser was already
 *         paused or ended; #XMPPC_ERECURSIVE from a callback; a negative
 *         `XMPPC_EXML_*` (or callback) error, fatal: see
 *         xmppc_parser_error_text() for detail and
 *         xmppc_error_stream_condition() for the stream error to send.
 */
XMPPC_API int xmppc_parser_feed(size_t *consumed, xmppc_parser *parser, const void *data, size_t len);

/** The fatal error the parser stopped with, or 0. */
XMPPC_API int xmppc_parser_error(const xmppc_parser *parser);

/**
 * A human-readable description of the fatal error (libxml2's message or
 * xmppc's), or "" when there is none. Borrowed, valid until the parser is
 * freed.
 */
XMPPC_API const char *xmppc_parser_error_text(const xmppc_parser *parser);

/** Total bytes of the stream consumed so far. */
XMPPC_API uint64_t xmppc_parser_offset(const xmppc_parser *parser);

XMPPC_END_DECLS

#endif /* XMPPC_PARSER_H */
