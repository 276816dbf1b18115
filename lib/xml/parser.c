/* Hardened XML stream parser on libxml2's SAX2 push parser.
 *
 * libxml2 does the tokenising; everything XMPP needs beyond XML 1.0 is
 * enforced here:
 *  - RFC 6120 §11.1 restricted XML: the SAX hooks for DOCTYPE, comments and
 *    processing instructions stop the parse, and entity lookups only ever
 *    resolve the five predefined entities;
 *  - strict UTF-8 with XML's character rules, checked by our own scanner on
 *    every byte before libxml2 sees it (so no stanza is built from, or
 *    delivered after, a bad byte), plus UTF-16/32 detection on the first
 *    two bytes and the XML declaration's version and encoding;
 *  - namespace well-formedness: libxml2 2.9 only reports unbound prefixes
 *    and duplicate expanded attribute names; we make them fatal;
 *  - limits: nesting depth (libxml2's push path has none of its own below
 *    256), bytes per stanza (counted by us at feed time, so memory cannot
 *    run ahead of the limit while libxml2 waits for a '>'), attributes per
 *    element, elements per stanza, and libxml2's name dictionary.
 * Any violation stops libxml2 at once (xmlStopParser), records the first
 * error, frees the half-built stanza and makes every later call fail. */
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/ctx.h"
#include "util/utf8.h"
#include "xml/parser-internal.h"
#include "xml/tree.h"
#include <xmppc/parser.h>

#define NAME_CACHE 128
/* libxml2's name dictionary grows with every distinct element/attribute
 * name and namespace of the stream; bound it well below libxml2's 10 MB. */
#define DICT_LIMIT (1u << 20)

struct xmppc_parser {
	xmppc_ctx *ctx;
	xmlParserCtxtPtr xml;
	xmppc_xml_limits limits;
	size_t max_bytes;
	int fragment; /* parse one element (xmppc_stanza_from_xml) instead of a stream */
	unsigned base;  /* depth of stanza elements' parent: 1 in a stream, 0 for a fragment */
	xmppc_parser_callbacks cb;
	void *ud;

	int error;
	char errtext[256];
	int stopped; /* 0, XMPPC_PARSER_PAUSED or XMPPC_PARSER_ENDED */
	uint64_t stop_at;
	int busy;

	xmppc__utf8 utf8;
	uint64_t fed;      /* bytes handed to libxml2 */
	uint64_t boundary; /* stream offset just after the last stanza (or stream header) */

	unsigned depth;    /* open elements, stream root included */
	xmppc__doc *doc;   /* stanza being built */
	xmppc_stanza *cur; /* its innermost open element */
	unsigned elements;
	xmppc_buf text;    /* character data not yet attached */
	size_t arena_hint;
	xmppc__doc *spare; /* the last stanza's doc, emptied for the next one */
	size_t spare_size; /* its block size */

	xmppc_stanza *header;
	xmppc_stanza *result; /* fragment mode */

	struct {
		const xmlChar *key;
		const char *val;
	} names[NAME_CACHE];
};

static pthread_once_t libxml_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
	xmlInitParser();
}

XMPPC_API void xmppc_xml_limits_default(xmppc_xml_limits *out)
{
	if (out == NULL)
		return;
	out->version = XMPPC_XML_LIMITS_VERSION;
	out->max_depth = 64;
	out->max_stanza_bytes = 1u << 20;
	out->max_stanza_bytes_unauth = 64u << 10;
	out->max_attrs = 64;
	out->max_elements = 65536;
}

/* ---- failure and stop ---------------------------------------------- */

static void discard_stanza(xmppc_parser *p)
{
	if (p->doc != NULL)
		xmppc__doc_free(p->doc);
	p->doc = NULL;
	p->cur = NULL;
	xmppc_buf_clear(&p->text);
}

static void fail(xmppc_parser *p, int code, const char *text)
{
	if (p->error == 0 && p->stopped == 0) {
		size_t n;
		p->error = code;
		snprintf(p->errtext, sizeof(p->errtext), "%s", text != NULL ? text : xmppc_strerror(code));
		n = strlen(p->errtext);
		while (n > 0 && (p->errtext[n - 1] == '\n' || p->errtext[n - 1] == ' '))
			p->errtext[--n] = '\0';
		XMPPC_LOG(p->ctx, XMPPC_LOG_DEBUG, "xml", "stream refused at byte %llu: %s (%s)",
		          (unsigned long long)p->fed, xmppc_error_name(code), p->errtext);
	}
	xmlStopParser(p->xml);
}

static void stop(xmppc_parser *p, int how)
{
	p->stopped = how;
	p->stop_at = p->boundary;
	xmlStopParser(p->xml);
}

static int dead(const xmppc_parser *p)
{
	return p->error != 0 || p->stopped != 0;
}

/* ---- building ---------------------------------------------------------- */

/* libxml2 hands us names from its dictionary, so one string has one
 * address for the parser's life: cache address -> interned name. Up to
 * four slots are probed so that the twenty-odd names of common stanzas
 * do not evict each other. */
static size_t name_slot(const xmlChar *s)
{
	return (size_t)(((uint64_t)(uintptr_t)s * UINT64_C(0x9E3779B97F4A7C15)) >> 32) % NAME_CACHE;
}

static const char *name_for_slow(xmppc_parser *p, xmppc__doc *doc, const xmlChar *s)
{
	size_t h = name_slot(s), i, slot = h;

	for (i = 0; i < 4; i++) {
		size_t j = (h + i) % NAME_CACHE;
		if (p->names[j].key == s || p->names[j].key == NULL) {
			slot = j;
			break;
		}
	}
	if (p->names[slot].key != s) {
		p->names[slot].key = s;
		p->names[slot].val = xmppc__intern_lookup((const char *)s, strlen((const char *)s));
	}
	if (p->names[slot].val != NULL)
		return p->names[slot].val;
	return xmppc__doc_strndup(doc, (const char *)s, strlen((const char *)s));
}

static inline const char *name_for(xmppc_parser *p, xmppc__doc *doc, const xmlChar *s)
{
	size_t h = name_slot(s);

	if (p->names[h].key == s && p->names[h].val != NULL)
		return p->names[h].val;
	return name_for_slow(p, doc, s);
}

static int flush_text(xmppc_parser *p)
{
	if (p->text.len == 0)
		return 0;
	if (p->cur != NULL && xmppc__node_text(p->doc, p->cur, p->text.data + p->text.off,
	                                       p->text.len) == NULL)
		return XMPPC_ENOMEM;
	xmppc_buf_clear(&p->text);
	return 0;
}

/* Namespace checks libxml2 2.9 leaves as mere reports, and the attribute
 * limit, for one start tag. */
static int check_start_tag(xmppc_parser *p, const xmlChar *prefix, const xmlChar *uri,
                           int nb_namespaces, int nb_attributes, const xmlChar **attrs)
{
	int i, j;

	if (prefix != NULL && uri == NULL)
		return XMPPC_EXML_BAD_PREFIX;
	if ((unsigned)nb_attributes + (unsigned)nb_namespaces > p->limits.max_attrs)
		return XMPPC_EXML_ATTR_LIMIT;
	for (i = 0; i < nb_attributes; i++) {
		const xmlChar **a = attrs + 5 * i;
		if (a[1] != NULL && a[2] == NULL)
			return XMPPC_EXML_BAD_PREFIX;
		/* Local names and namespace names come from libxml2's
		 * dictionary: equal strings have equal addresses. */
		for (j = 0; j < i; j++) {
			const xmlChar **b = attrs + 5 * j;
			if (a[0] == b[0] && a[2] == b[2])
				return XMPPC_EXML_DUPLICATE_ATTR;
		}
	}
	return 0;
}

static int add_attrs(xmppc_parser *p, xmppc_stanza *el, int n, const xmlChar **attrs)
{
	int i;

	if (n == 0)
		return 0;
	if (xmppc__node_reserve_attrs(el, (uint32_t)n) != 0)
		return XMPPC_ENOMEM;
	for (i = 0; i < n; i++) {
		const xmlChar **a = attrs + 5 * i;
		xmppc__attr *t = &el->attrs[i];
		t->name = name_for(p, el->doc, a[0]);
		t->ns = a[2] != NULL ? name_for(p, el->doc, a[2]) : NULL;
		t->value = xmppc__doc_strndup(el->doc, (const char *)a[3], (size_t)(a[4] - a[3]));
		if (t->name == NULL || (a[2] != NULL && t->ns == NULL) || t->value == NULL)
			return XMPPC_ENOMEM;
	}
	el->nattrs = (uint32_t)n;
	return 0;
}

static void on_stream_header(xmppc_parser *p, const xmlChar *localname, const xmlChar *uri,
                             int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                             const xmlChar **attrs)
{
	const char *content_ns = NULL;
	xmppc__doc *doc;
	int i, rc;

	if (uri == NULL || strcmp((const char *)localname, "stream") != 0 ||
	    strcmp((const char *)uri, XMPPC_NS_STREAMS) != 0) {
		fail(p, XMPPC_EXML_INVALID_NAMESPACE, "the root element is not <stream:stream>");
		return;
	}
	doc = xmppc__doc_new(p->ctx, 512);
	if (doc == NULL) {
		fail(p, XMPPC_ENOMEM, NULL);
		return;
	}
	p->header = xmppc__node_element(doc, NULL, name_for(p, doc, localname), name_for(p, doc, uri));
	if (p->header == NULL) {
		xmppc__doc_free(doc);
		fail(p, XMPPC_ENOMEM, NULL);
		return;
	}
	for (i = 0; i < nb_namespaces; i++)
		if (namespaces[2 * i] == NULL && namespaces[2 * i + 1] != NULL)
			content_ns = name_for(p, doc, namespaces[2 * i + 1]);
	if (add_attrs(p, p->header, nb_attributes, attrs) != 0) {
		fail(p, XMPPC_ENOMEM, NULL);
		return;
	}
	/* libxml2 reports a start tag with its cursor still on the closing
	 * '>' (end tags are reported after it). */
	p->boundary = (uint64_t)xmlByteConsumed(p->xml);
	if (p->xml->input->cur != NULL && p->xml->input->cur < p->xml->input->end &&
	    *p->xml->input->cur == '>')
		p->boundary++;
	if (p->cb.stream_start != NULL) {
		p->busy = 2;
		rc = p->cb.stream_start(p->ud, p->header, content_ns);
		p->busy = 1;
		if (rc < 0)
			fail(p, rc, "stream_start callback refused the stream");
	}
}

static void on_start(void *ud, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attrs)
{
	xmppc_parser *p = ud;
	xmppc_stanza *el;
	int rc;

	(void)nb_defaulted; /* always 0: there is no DTD to default anything */
	if (dead(p))
		return;
	rc = check_start_tag(p, prefix, uri, nb_namespaces, nb_attributes, attrs);
	if (rc != 0) {
		fail(p, rc, NULL);
		return;
	}
	if (!p->fragment && p->depth == 0) {
		p->depth = 1;
		on_stream_header(p, localname, uri, nb_namespaces, namespaces, nb_attributes, attrs);
		return;
	}
	if (p->depth - p->base + 1 > p->limits.max_depth) {
		fail(p, XMPPC_EXML_DEPTH_LIMIT, NULL);
		return;
	}
	if (p->depth == p->base) {
		/* Reuse the last stanza's arena when its size still suits. */
		if (p->spare != NULL && (p->spare_size < p->arena_hint ||
		                         p->spare_size > 4 * p->arena_hint)) {
			xmppc__doc_free(p->spare);
			p->spare = NULL;
		}
		p->doc = p->spare != NULL ? p->spare : xmppc__doc_new(p->ctx, p->arena_hint);
		p->spare = NULL;
		if (p->doc == NULL) {
			fail(p, XMPPC_ENOMEM, NULL);
			return;
		}
		p->cur = NULL;
		p->elements = 0;
	}
	if (++p->elements > p->limits.max_elements) {
		fail(p, XMPPC_EXML_ELEMENT_LIMIT, NULL);
		return;
	}
	if (flush_text(p) != 0) {
		fail(p, XMPPC_ENOMEM, NULL);
		return;
	}
	el = xmppc__node_element(p->doc, p->cur, name_for(p, p->doc, localname),
	                         uri != NULL ? name_for(p, p->doc, uri) : NULL);
	if (el == NULL || el->name == NULL || (uri != NULL && el->ns == NULL) ||
	    add_attrs(p, el, nb_attributes, attrs) != 0) {
		fail(p, XMPPC_ENOMEM, NULL);
		return;
	}
	p->cur = el;
	p->depth++;
}

static void deliver(xmppc_parser *p)
{
	xmppc_stanza *root = p->cur;
	size_t used = p->doc->used;
	int rc = XMPPC_PARSER_CONTINUE;

	p->doc = NULL;
	p->cur = NULL;
	/* Size the next stanza's first arena block from what stanzas use. */
	p->arena_hint = (p->arena_hint * 7 + used + used / 4) / 8;
	if (p->fragment) {
		p->result = root;
		return;
	}
	if (p->cb.stanza != NULL) {
		p->busy = 2;
		rc = p->cb.stanza(p->ud, root);
		p->busy = 1;
	}
	/* Keep the doc for the next stanza unless the callback kept it. */
	if (p->spare == NULL && (p->spare_size = xmppc__doc_recycle(root->doc)) != 0)
		p->spare = root->doc;
	else
		xmppc_stanza_unref(root);
	if (rc == XMPPC_PARSER_PAUSE)
		stop(p, XMPPC_PARSER_PAUSED);
	else if (rc < 0)
		fail(p, rc, "stanza callback failed");
}

static void on_end(void *ud, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	xmppc_parser *p = ud;

	(void)localname;
	(void)prefix;
	(void)uri;
	if (dead(p))
		return;
	p->depth--;
	if (!p->fragment && p->depth == 0) {
		p->boundary = (uint64_t)xmlByteConsumed(p->xml);
		if (p->cb.stream_end != NULL) {
			int rc;
			p->busy = 2;
			rc = p->cb.stream_end(p->ud);
			p->busy = 1;
			if (rc < 0) {
				fail(p, rc, "stream_end callback failed");
				return;
			}
		}
		stop(p, XMPPC_PARSER_ENDED);
		return;
	}
	if (flush_text(p) != 0) {
		fail(p, XMPPC_ENOMEM, NULL);
		return;
	}
	if (p->depth == p->base) {
		p->boundary = (uint64_t)xmlByteConsumed(p->xml);
		deliver(p);
	} else {
		p->cur = p->cur->parent;
	}
}

static void on_text(void *ud, const xmlChar *ch, int len)
{
	xmppc_parser *p = ud;
	int i;

	if (dead(p))
		return;
	if (p->depth <= p->base) {
		/* Between stanzas only whitespace (keepalives) may appear. */
		for (i = 0; i < len; i++)
			if (ch[i] != ' ' && ch[i] != '\t' && ch[i] != '\n' && ch[i] != '\r') {
				fail(p, XMPPC_EXML_TEXT_AT_TOP, NULL);
				return;
			}
		return;
	}
	if (xmppc__buf_put(&p->text, ch, (size_t)len) != 0)
		fail(p, XMPPC_ENOMEM, NULL);
}

static void on_start_document(void *ud)
{
	xmppc_parser *p = ud;
	const xmlChar *enc = p->xml->encoding != NULL ? p->xml->encoding : p->xml->input->encoding;

	if (dead(p))
		return;
	if (p->xml->version != NULL && strcmp((const char *)p->xml->version, "1.0") != 0)
		fail(p, XMPPC_EXML_UNSUPPORTED_VERSION, "XML declaration with a version other than 1.0");
	else if (enc != NULL && strcasecmp((const char *)enc, "UTF-8") != 0)
		fail(p, XMPPC_EXML_UNSUPPORTED_ENCODING, "XML declaration names an encoding other than UTF-8");
}

static void on_restricted(xmppc_parser *p, const char *what)
{
	if (!dead(p))
		fail(p, XMPPC_EXML_RESTRICTED, what);
}

static void on_comment(void *ud, const xmlChar *value)
{
	(void)value;
	on_restricted(ud, "XML comment");
}

static void on_pi(void *ud, const xmlChar *target, const xmlChar *data)
{
	(void)target;
	(void)data;
	on_restricted(ud, "XML processing instruction");
}

static void on_internal_subset(void *ud, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	(void)name;
	(void)ext;
	(void)sys;
	on_restricted(ud, "document type declaration");
}

static xmlEntityPtr on_get_entity(void *ud, const xmlChar *name)
{
	xmlEntityPtr e = xmlGetPredefinedEntity(name);

	if (e == NULL)
		on_restricted(ud, "entity reference other than the predefined ones");
	return e;
}

static void on_reference(void *ud, const xmlChar *name)
{
	(void)name;
	on_restricted(ud, "entity reference");
}

static void on_error(void *ud, xmlErrorPtr e)
{
	xmppc_parser *p = ud;
	int code;

	if (e == NULL || e->level < XML_ERR_ERROR || dead(p))
		return;
	switch (e->code) {
	case XML_NS_ERR_UNDEFINED_NAMESPACE:
		code = XMPPC_EXML_BAD_PREFIX;
		break;
	case XML_NS_ERR_ATTRIBUTE_REDEFINED:
	case XML_ERR_ATTRIBUTE_REDEFINED:
		code = XMPPC_EXML_DUPLICATE_ATTR;
		break;
	case XML_ERR_UNDECLARED_ENTITY:
	case XML_WAR_UNDECLARED_ENTITY:
	case XML_ERR_ENTITY_PE_INTERNAL:
	case XML_ERR_ENTITY_LOOP:
		code = XMPPC_EXML_RESTRICTED; /* entity references are restricted XML */
		break;
	case XML_ERR_UNKNOWN_VERSION:
	case XML_WAR_UNKNOWN_VERSION:
		code = XMPPC_EXML_UNSUPPORTED_VERSION;
		break;
	case XML_ERR_UNSUPPORTED_ENCODING:
	case XML_ERR_INVALID_ENCODING:
		code = XMPPC_EXML_UNSUPPORTED_ENCODING;
		break;
	case XML_ERR_NO_MEMORY:
		code = xmlDictGetUsage(p->xml->dict) + 4096 >= DICT_LIMIT ? XMPPC_EXML_NAME_LIMIT
		                                                          : XMPPC_ENOMEM;
		break;
	default:
		code = XMPPC_EXML_NOT_WELL_FORMED;
		break;
	}
	fail(p, code, e->message);
}

static const xmlSAXHandler sax = {
	.internalSubset = on_internal_subset,
	.getEntity = on_get_entity,
	.getParameterEntity = on_get_entity,
	.reference = on_reference,
	.startDocument = on_start_document,
	.characters = on_text,
	.cdataBlock = on_text,
	.ignorableWhitespace = on_text,
	.processingInstruction = on_pi,
	.comment = on_comment,
	.initialized = XML_SAX2_MAGIC,
	.startElementNs = on_start,
	.endElementNs = on_end,
	.serror = on_error,
};

/* ---- life cycle ---------------------------------------------------------- */

int xmppc__parser_create(xmppc_parser **out, xmppc_ctx *ctx, const xmppc_xml_limits *limits,
                         unsigned flags, int fragment, const xmppc_parser_callbacks *cb, void *ud)
{
	xmppc_xml_limits def;
	xmppc_parser *p;
	int options = XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_NOCDATA;

	if (out == NULL || ctx == NULL || (cb != NULL && cb->version != XMPPC_PARSER_CALLBACKS_VERSION))
		return XMPPC_EINVAL;
	xmppc_xml_limits_default(&def);
	if (limits != NULL) {
		if (limits->version != XMPPC_XML_LIMITS_VERSION || limits->max_depth > 255)
			return XMPPC_EINVAL;
		if (limits->max_depth)
			def.max_depth = limits->max_depth;
		if (limits->max_stanza_bytes)
			def.max_stanza_bytes = limits->max_stanza_bytes;
		if (limits->max_stanza_bytes_unauth)
			def.max_stanza_bytes_unauth = limits->max_stanza_bytes_unauth;
		if (limits->max_attrs)
			def.max_attrs = limits->max_attrs;
		if (limits->max_elements)
			def.max_elements = limits->max_elements;
	}
	pthread_once(&libxml_once, init_libxml);
	p = xmppc__calloc(ctx, 1, sizeof(*p));
	if (p == NULL)
		return XMPPC_ENOMEM;
	p->ctx = xmppc_ctx_ref(ctx);
	p->limits = def;
	p->max_bytes = (flags & XMPPC_PARSER_AUTHENTICATED) ? def.max_stanza_bytes
	                                                    : def.max_stanza_bytes_unauth;
	p->fragment = fragment;
	p->base = fragment ? 0 : 1;
	if (cb != NULL)
		p->cb = *cb;
	p->ud = ud;
	p->arena_hint = 1024;
	xmppc__utf8_init(&p->utf8);
	xmppc__buf_init(&p->text, ctx);
	p->xml = xmlCreatePushParserCtxt((xmlSAXHandlerPtr)&sax, p, NULL, 0, NULL);
	if (p->xml == NULL) {
		xmppc_parser_free(p);
		return XMPPC_ENOMEM;
	}
	if (p->max_bytes > 10000000)
		options |= XML_PARSE_HUGE; /* let our limit, not libxml2's text cap, decide */
	xmlCtxtUseOptions(p->xml, options);
	xmlDictSetLimit(p->xml->dict, DICT_LIMIT);
	*out = p;
	return 0;
}

XMPPC_API int xmppc_parser_new(xmppc_parser **out, xmppc_ctx *ctx, const xmppc_xml_limits *limits,
                               unsigned flags, const xmppc_parser_callbacks *callbacks,
                               void *user_data)
{
	return xmppc__parser_create(out, ctx, limits, flags, 0, callbacks, user_data);
}

XMPPC_API void xmppc_parser_free(xmppc_parser *p)
{
	xmppc_ctx *ctx;

	if (p == NULL)
		return;
	ctx = p->ctx;
	discard_stanza(p);
	if (p->spare != NULL)
		xmppc__doc_free(p->spare);
	xmppc__buf_fini(&p->text);
	if (p->header != NULL)
		xmppc_stanza_unref(p->header);
	if (p->result != NULL)
		xmppc_stanza_unref(p->result);
	if (p->xml != NULL)
		xmlFreeParserCtxt(p->xml);
	xmppc__free(ctx, p);
	xmppc_ctx_unref(ctx);
}

/* ---- feeding ------------------------------------------------------------- */

/* The first two bytes of a stream tell UTF-16/32 (a BOM, or a NUL next to
 * '<') and a UTF-8 BOM apart from XML; RFC 6120 §11.6 forbids all of them.
 * Returns how many bytes are acceptable; *err set when fewer than len. */
static size_t check_prologue(const xmppc_parser *p, const unsigned char *d, size_t len, int *err)
{
	size_t i;

	for (i = 0; i < len && p->fed + i < 2; i++) {
		uint64_t pos = p->fed + i;
		if (d[i] == 0x00 || (pos == 0 && (d[i] == 0xFE || d[i] == 0xFF))) {
			*err = XMPPC_EXML_UNSUPPORTED_ENCODING;
			return i;
		}
		if (pos == 0 && d[i] == 0xEF) {
			*err = XMPPC_EXML_NOT_WELL_FORMED; /* a BOM, or text before the root */
			return i;
		}
	}
	return len;
}

static void feed_libxml(xmppc_parser *p, const unsigned char *d, size_t len, int terminate)
{
	size_t off = 0;

	do {
		uint64_t since = p->fed - p->boundary;
		size_t n = len - off;

		/* Hand libxml2 no more than the current stanza may still take, so
		 * a stanza that never ends is refused at the limit. */
		if (since >= p->max_bytes && n > 0) {
			fail(p, XMPPC_EXML_SIZE_LIMIT, NULL);
			return;
		}
		if (n > p->max_bytes - since)
			n = (size_t)(p->max_bytes - since);
		if (n > (1u << 30))
			n = 1u << 30;
		xmlParseChunk(p->xml, (const char *)d + off, (int)n,
		              terminate && off + n == len);
		p->fed += n;
		off += n;
		/* libxml2 2.9 looks at a pending start tag again only when a
		 * chunk brings a '>' (xmlParseCheckTransition), and then judges
		 * it complete by a quote-aware scan from the last '<' it holds
		 * (xmlParseGetLasts), so a malformed tag could be refused at
		 * once or only at the next '>', depending on the split. An empty
		 * chunk makes it look at all it holds, so that what it reports
		 * does not depend on how the stream was split. */
		if (!terminate && !dead(p))
			xmlParseChunk(p->xml, NULL, 0, 0);
	} while (off < len && !dead(p));
}

static int feed(size_t *consumed, xmppc_parser *p, const void *data, size_t len, int terminate)
{
	const unsigned char *d = data;
	uint64_t start;
	size_t ok;
	int bad = 0;

	*consumed = 0;
	if (p->busy)
		return XMPPC_ERECURSIVE;
	if (p->error != 0)
		return p->error;
	if (p->stopped != 0)
		return XMPPC_ESTATE;
	start = p->fed;
	ok = check_prologue(p, d, len, &bad);
	ok = xmppc__utf8_scan_xml(&p->utf8, d, ok, &bad);
	if (ok == len && terminate && p->utf8.need != 0)
		bad = XMPPC_EXML_INVALID_UTF8;
	p->busy = 1;
	feed_libxml(p, d, ok, terminate && bad == 0);
	p->busy = 0;
	if (bad != 0 && !dead(p))
		fail(p, bad, NULL);
	if (p->error != 0) {
		discard_stanza(p);
		return p->error;
	}
	if (p->stopped != 0) {
		if (p->stop_at < start || p->stop_at > start + len) {
			fail(p, XMPPC_EINTERNAL, "stanza boundary outside the fed data");
			return p->error;
		}
		*consumed = (size_t)(p->stop_at - start);
		return p->stopped;
	}
	*consumed = len;
	return 0;
}

XMPPC_API int xmppc_parser_feed(size_t *consumed, xmppc_parser *p, const void *data, size_t len)
{
	size_t dummy;

	if (consumed == NULL)
		consumed = &dummy;
	*consumed = 0;
	if (p == NULL || (data == NULL && len > 0))
		return XMPPC_EINVAL;
	if (len == 0)
		return p->busy ? XMPPC_ERECURSIVE : p->error != 0 ? p->error : p->stopped ? XMPPC_ESTATE : 0;
	return feed(consumed, p, data, len, 0);
}

XMPPC_API int xmppc_parser_error(const xmppc_parser *p)
{
	return p != NULL ? p->error : XMPPC_EINVAL;
}

XMPPC_API const char *xmppc_parser_error_text(const xmppc_parser *p)
{
	return p != NULL && p->error != 0 ? p->errtext : "";
}

XMPPC_API uint64_t xmppc_parser_offset(const xmppc_parser *p)
{
	if (p == NULL)
		return 0;
	return p->stopped != 0 ? p->stop_at : p->fed;
}

/* ---- fragments ------------------------------------------------------------ */

int xmppc__parser_fragment(xmppc_stanza **out, xmppc_parser *p, const char *xml, size_t len)
{
	size_t consumed;
	int rc;

	if (len > p->max_bytes)
		return XMPPC_EXML_SIZE_LIMIT;
	rc = feed(&consumed, p, xml, len, 1);
	if (rc < 0)
		return rc;
	if (p->result == NULL)
		return XMPPC_EXML_NOT_WELL_FORMED;
	*out = p->result;
	p->result = NULL;
	return 0;
}
