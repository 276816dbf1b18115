/* Internal layout of the stanza tree.
 *
 * A tree ("doc") is one reference count plus one bump-pointer arena: every
 * node, attribute array and string of the tree lives in the arena and is
 * freed at once with the doc. The parser sizes a doc's first arena block
 * from the stanzas it has seen, so a typical stanza costs one malloc. */
#ifndef XMPPC_XML_TREE_H
#define XMPPC_XML_TREE_H

#include <stddef.h>
#include <stdint.h>
#include <xmppc/stanza.h>

typedef struct xmppc__block xmppc__block;
typedef struct xmppc__ext xmppc__ext;

typedef struct xmppc__doc {
	unsigned refs; /* atomic */
	xmppc_ctx *ctx;
	char *cur;           /* bump pointer in the current block */
	size_t avail;        /* bytes left after cur */
	size_t used;         /* bytes handed out (statistics, block sizing) */
	xmppc__block *extra; /* blocks allocated after the first */
	size_t next_block;   /* size of the next block */
	xmppc__ext *ext;     /* extension objects parsed from this tree (extension.c) */
} xmppc__doc;

typedef struct xmppc__attr {
	const char *ns; /* NULL: no namespace */
	const char *name;
	const char *value;
} xmppc__attr;

struct xmppc_stanza {
	xmppc__doc *doc;
	xmppc_stanza *parent;
	xmppc_stanza *prev, *next;
	xmppc_stanza *first, *last;
	const char *name; /* NULL for a text node */
	const char *ns;
	/* Text node: its content. Element: cached concatenation of its text
	 * children (NULL until asked for, reset by any change of children). */
	const char *text;
	size_t text_len;
	xmppc__attr *attrs;
	uint32_t nattrs, attr_cap;
};

/* A new doc whose first block has room for at least first_block bytes. */
xmppc__doc *xmppc__doc_new(xmppc_ctx *ctx, size_t first_block);
void xmppc__doc_free(xmppc__doc *doc);
/* If doc is unshared and never grew past its first block, empty it for
 * reuse (reference count 1) and return the size of that block; else 0. */
size_t xmppc__doc_recycle(xmppc__doc *doc);
void *xmppc__doc_alloc(xmppc__doc *doc, size_t size);
/* Copy of s[0..len) with a NUL, in the doc. */
char *xmppc__doc_strndup(xmppc__doc *doc, const char *s, size_t len);

/* Raw node constructors: no validation (the parser has validated). name
 * and ns must already live in the doc or be static (interned). Appended to
 * parent when it is not NULL. */
xmppc_stanza *xmppc__node_element(xmppc__doc *doc, xmppc_stanza *parent, const char *name,
                                  const char *ns);
xmppc_stanza *xmppc__node_text(xmppc__doc *doc, xmppc_stanza *parent, const char *text,
                               size_t len);
/* Reserve room for n attributes on an element (raw, for the parser). */
int xmppc__node_reserve_attrs(xmppc_stanza *el, uint32_t n);

/* Static interned names: returns the static copy of s[0..len) if it is one
 * of the common XMPP element/attribute names or namespaces, else NULL. */
const char *xmppc__intern_lookup(const char *s, size_t len);
/* Name or namespace string for a doc: the interned static copy, or a copy
 * in the doc's arena. */
const char *xmppc__doc_name(xmppc__doc *doc, const char *s, size_t len);

/* 1 if s[0..len) is an XML NCName (XML Namespaces 1.0 §3). */
int xmppc__is_ncname(const char *s, size_t len);

/* Free the cached extension objects of a doc (extension.c). */
void xmppc__doc_free_extensions(xmppc__doc *doc);

/* Text content of an element (see xmppc_stanza_text()). */
const char *xmppc__element_text(xmppc_stanza *el);

#endif
