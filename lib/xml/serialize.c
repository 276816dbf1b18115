/* Serializer: writes a tree straight into the output buffer. Content was
 * validated when it entered the tree, so this only escapes.
 *
 * Escaping: '&', '<' and '>' everywhere ('>' always, which also covers
 * "]]>"); in attribute values also both quote characters, and TAB, LF and
 * CR as character references so that attribute-value normalisation on the
 * receiving side (XML 1.0 §3.3.3) gives back the same value; CR in text as
 * &#13; so that end-of-line handling (§2.11) does not turn it into LF.
 *
 * An element in the XML namespace (`<xml:foo/>` is namespace-well-formed)
 * is written with the predeclared xml: prefix: the XML namespace must not
 * be declared as the default namespace (Namespaces in XML 1.0 §3), and such
 * an element does not change the default namespace its children see. */
#include <string.h>

#include "util/buf.h"
#include "xml/escape.h"
#include "xml/tree.h"

/* 0: copy as is; otherwise index into replacements. */
static const unsigned char text_class[256] = {
	['&'] = 1, ['<'] = 2, ['>'] = 3, ['\r'] = 4,
};
static const unsigned char attr_class[256] = {
	['&'] = 1, ['<'] = 2, ['>'] = 3, ['\r'] = 4, ['"'] = 5, ['\''] = 6, ['\t'] = 7, ['\n'] = 8,
};
static const char *const replacement[] = {
	NULL, "&amp;", "&lt;", "&gt;", "&#13;", "&quot;", "&apos;", "&#9;", "&#10;",
};

static int put_escaped(xmppc_buf *out, const char *s, size_t len, const unsigned char *cls)
{
	size_t i, run = 0;
	int rc;

	for (i = 0; i < len; i++) {
		unsigned char k = cls[(unsigned char)s[i]];
		if (k == 0)
			continue;
		if ((rc = xmppc__buf_put(out, s + run, i - run)) != 0 ||
		    (rc = xmppc__buf_puts(out, replacement[k])) != 0)
			return rc;
		run = i + 1;
	}
	return xmppc__buf_put(out, s + run, len - run);
}

int xmppc__xml_escape_attr(xmppc_buf *out, const char *s, size_t len)
{
	return put_escaped(out, s, len, attr_class);
}

static int same_ns(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a == b || strcmp(a, b) == 0;
}

static int put_prefix(xmppc_buf *out, unsigned k)
{
	char digits[16];
	int n = (int)sizeof(digits);

	do {
		digits[--n] = (char)('0' + k % 10);
		k /= 10;
	} while (k != 0);
	digits[--n] = 's';
	digits[--n] = 'n';
	return xmppc__buf_put(out, digits + n, sizeof(digits) - (size_t)n);
}

/* Attributes in a namespace other than xml: get prefix nsK, K counting the
 * distinct such namespaces on the element in order of first use; the
 * declaration goes with the first attribute that uses it. */
static int foreign_ns(const char *ns)
{
	return ns != NULL && strcmp(ns, XMPPC_NS_XML) != 0;
}

static int first_occurrence(const xmppc_stanza *el, uint32_t j)
{
	uint32_t q;

	for (q = 0; q < j; q++)
		if (foreign_ns(el->attrs[q].ns) && strcmp(el->attrs[q].ns, el->attrs[j].ns) == 0)
			return 0;
	return 1;
}

static unsigned prefix_of(const xmppc_stanza *el, uint32_t i, int *first_use)
{
	unsigned k = 0;
	uint32_t j;

	for (j = 0; j < i; j++) {
		if (!foreign_ns(el->attrs[j].ns) || !first_occurrence(el, j))
			continue;
		if (strcmp(el->attrs[j].ns, el->attrs[i].ns) == 0) {
			*first_use = 0;
			return k;
		}
		k++;
	}
	*first_use = 1;
	return k;
}

static int xml_ns(const char *ns)
{
	return ns != NULL && strcmp(ns, XMPPC_NS_XML) == 0;
}

/* The default namespace in scope at node n (the nearest ancestor not in the
 * XML namespace; default_ns above root). */
static const char *scope_ns(const xmppc_stanza *n, const xmppc_stanza *root, const char *default_ns)
{
	while (n != root) {
		n = n->parent;
		if (!xml_ns(n->ns))
			return n->ns;
	}
	return default_ns;
}

static int put_start_tag(xmppc_buf *out, const xmppc_stanza *el, const char *inherited)
{
	uint32_t i;
	int rc;

	if ((rc = xmppc__buf_putc(out, '<')) != 0 ||
	    (xml_ns(el->ns) && (rc = xmppc__buf_puts(out, "xml:")) != 0) ||
	    (rc = xmppc__buf_puts(out, el->name)) != 0)
		return rc;
	if (!xml_ns(el->ns) && !same_ns(el->ns, inherited)) {
		if ((rc = xmppc__buf_puts(out, " xmlns=\"")) != 0 ||
		    (el->ns != NULL && (rc = put_escaped(out, el->ns, strlen(el->ns), attr_class)) != 0) ||
		    (rc = xmppc__buf_putc(out, '"')) != 0)
			return rc;
	}
	for (i = 0; i < el->nattrs; i++) {
		const xmppc__attr *a = &el->attrs[i];

		if ((rc = xmppc__buf_putc(out, ' ')) != 0)
			return rc;
		if (a->ns != NULL && strcmp(a->ns, XMPPC_NS_XML) == 0) {
			if ((rc = xmppc__buf_puts(out, "xml:")) != 0)
				return rc;
		} else if (a->ns != NULL) {
			int first_use;
			unsigned prefix = prefix_of(el, i, &first_use);
			if (first_use &&
			    ((rc = xmppc__buf_puts(out, "xmlns:")) != 0 ||
			     (rc = put_prefix(out, prefix)) != 0 ||
			     (rc = xmppc__buf_puts(out, "=\"")) != 0 ||
			     (rc = put_escaped(out, a->ns, strlen(a->ns), attr_class)) != 0 ||
			     (rc = xmppc__buf_puts(out, "\" ")) != 0))
				return rc;
			if ((rc = put_prefix(out, prefix)) != 0 || (rc = xmppc__buf_putc(out, ':')) != 0)
				return rc;
		}
		if ((rc = xmppc__buf_puts(out, a->name)) != 0 ||
		    (rc = xmppc__buf_put(out, "=\"", 2)) != 0 ||
		    (rc = put_escaped(out, a->value, strlen(a->value), attr_class)) != 0 ||
		    (rc = xmppc__buf_putc(out, '"')) != 0)
			return rc;
	}
	return 0;
}

static int put_end_tag(xmppc_buf *out, const xmppc_stanza *el)
{
	int rc;

	if ((rc = xmppc__buf_put(out, "</", 2)) != 0 ||
	    (xml_ns(el->ns) && (rc = xmppc__buf_puts(out, "xml:")) != 0) ||
	    (rc = xmppc__buf_puts(out, el->name)) != 0)
		return rc;
	return xmppc__buf_putc(out, '>');
}

/* Iterative walk: the depth of a built tree is not bounded, the stack is. */
static int serialize(xmppc_buf *out, const xmppc_stanza *root, const char *default_ns)
{
	const xmppc_stanza *n = root;
	int rc;

	for (;;) {
		if (n->name == NULL) {
			if ((rc = put_escaped(out, n->text, n->text_len, text_class)) != 0)
				return rc;
		} else {
			if ((rc = put_start_tag(out, n, scope_ns(n, root, default_ns))) != 0)
				return rc;
			if (n->first != NULL) {
				if ((rc = xmppc__buf_putc(out, '>')) != 0)
					return rc;
				n = n->first;
				continue;
			}
			if ((rc = xmppc__buf_put(out, "/>", 2)) != 0)
				return rc;
		}
		while (n != root && n->next == NULL) {
			n = n->parent;
			if ((rc = put_end_tag(out, n)) != 0)
				return rc;
		}
		if (n == root)
			return 0;
		n = n->next;
	}
}

XMPPC_API int xmppc_stanza_to_xml(xmppc_buf *out, const xmppc_stanza *node, const char *default_ns)
{
	size_t saved;
	int rc;

	if (out == NULL || node == NULL)
		return XMPPC_EINVAL;
	saved = out->len;
	rc = serialize(out, node, default_ns);
	if (rc != 0) {
		out->len = saved;
		if (out->data != NULL)
			out->data[out->off + saved] = '\0';
	}
	return rc;
}
