/* Tree structure: creation, reference counting, navigation, editing and
 * attributes of stanza nodes. */
#include <string.h>

#include "util/utf8.h"
#include "xml/tree.h"
#include <xmppc/error.h>

/* ---- raw constructors (no validation) ---------------------------- */

static void append_child(xmppc_stanza *parent, xmppc_stanza *node)
{
	node->parent = parent;
	node->prev = parent->last;
	if (parent->last != NULL)
		parent->last->next = node;
	else
		parent->first = node;
	parent->last = node;
	parent->text = NULL; /* children changed: drop cached text */
}

xmppc_stanza *xmppc__node_element(xmppc__doc *doc, xmppc_stanza *parent, const char *name,
                                  const char *ns)
{
	xmppc_stanza *n = xmppc__doc_alloc(doc, sizeof(*n));

	if (n == NULL)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->doc = doc;
	n->name = name;
	n->ns = ns;
	if (parent != NULL)
		append_child(parent, n);
	return n;
}

xmppc_stanza *xmppc__node_text(xmppc__doc *doc, xmppc_stanza *parent, const char *text, size_t len)
{
	xmppc_stanza *n = xmppc__doc_alloc(doc, sizeof(*n));
	char *copy;

	if (n == NULL)
		return NULL;
	copy = xmppc__doc_strndup(doc, text, len);
	if (copy == NULL)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->doc = doc;
	n->text = copy;
	n->text_len = len;
	if (parent != NULL)
		append_child(parent, n);
	return n;
}

int xmppc__node_reserve_attrs(xmppc_stanza *el, uint32_t n)
{
	xmppc__attr *a;

	if (n <= el->attr_cap)
		return 0;
	a = xmppc__doc_alloc(el->doc, (size_t)n * sizeof(*a));
	if (a == NULL)
		return XMPPC_ENOMEM;
	if (el->nattrs > 0)
		memcpy(a, el->attrs, el->nattrs * sizeof(*a));
	el->attrs = a;
	el->attr_cap = n;
	return 0;
}

/* ---- checks on caller input -------------------------------------- */

static int check_name(const char *name)
{
	size_t len;
	int rc;

	if (name == NULL)
		return XMPPC_EINVAL;
	len = strlen(name);
	rc = xmppc__utf8_check_xml(name, len);
	if (rc != 0)
		return rc;
	return xmppc__is_ncname(name, len) ? 0 : XMPPC_EINVALID_NAME;
}

/* Namespace names are URIs; empty means "no namespace" and is refused so
 * that there is one spelling (NULL) for it. */
static int check_ns(const char *ns)
{
	if (ns == NULL)
		return 0;
	/* The xmlns namespace is reserved for declarations (Namespaces in XML
	 * 1.0 §3): nothing may be put in it, or the output would not parse. */
	if (ns[0] == '\0' || strcmp(ns, "http://www.w3.org/2000/xmlns/") == 0)
		return XMPPC_EINVAL;
	return xmppc__utf8_check_xml(ns, strlen(ns));
}

/* ---- life cycle ----------------------------------------------------- */

XMPPC_API int xmppc_stanza_new(xmppc_stanza **out, xmppc_ctx *ctx, const char *name, const char *ns)
{
	xmppc__doc *doc;
	xmppc_stanza *el;
	int rc;

	if (out == NULL || ctx == NULL)
		return XMPPC_EINVAL;
	if ((rc = check_name(name)) != 0 || (rc = check_ns(ns)) != 0)
		return rc;
	doc = xmppc__doc_new(ctx, 512);
	if (doc == NULL)
		return XMPPC_ENOMEM;
	el = xmppc__node_element(doc, NULL, xmppc__doc_name(doc, name, strlen(name)),
	                         ns != NULL ? xmppc__doc_name(doc, ns, strlen(ns)) : NULL);
	if (el == NULL || el->name == NULL || (ns != NULL && el->ns == NULL)) {
		xmppc__doc_free(doc);
		return XMPPC_ENOMEM;
	}
	*out = el;
	return 0;
}

XMPPC_API xmppc_stanza *xmppc_stanza_ref(xmppc_stanza *node)
{
	if (node != NULL)
		__atomic_add_fetch(&node->doc->refs, 1, __ATOMIC_RELAXED);
	return node;
}

XMPPC_API xmppc_stanza *xmppc_stanza_unref(xmppc_stanza *node)
{
	if (node == NULL)
		return NULL;
	if (__atomic_sub_fetch(&node->doc->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return node;
	xmppc__doc_free(node->doc);
	return NULL;
}

/* Copy src (and its subtree) into doc under parent, iteratively so that a
 * deep tree cannot exhaust the stack. Strings already in static storage
 * (interned names) are shared. */
static xmppc_stanza *copy_into(xmppc__doc *doc, xmppc_stanza *parent, const xmppc_stanza *src)
{
	const xmppc_stanza *s = src;
	xmppc_stanza *top = NULL, *dst_parent = parent;

	for (;;) {
		xmppc_stanza *d;

		if (s->name == NULL) {
			d = xmppc__node_text(doc, dst_parent, s->text, s->text_len);
		} else {
			uint32_t i;
			const char *name = xmppc__doc_name(doc, s->name, strlen(s->name));
			const char *ns = s->ns ? xmppc__doc_name(doc, s->ns, strlen(s->ns)) : NULL;
			if (name == NULL || (s->ns != NULL && ns == NULL))
				return NULL;
			d = xmppc__node_element(doc, dst_parent, name, ns);
			if (d != NULL && s->nattrs > 0) {
				if (xmppc__node_reserve_attrs(d, s->nattrs) != 0)
					return NULL;
				for (i = 0; i < s->nattrs; i++) {
					const xmppc__attr *a = &s->attrs[i];
					xmppc__attr *b = &d->attrs[i];
					b->name = xmppc__doc_name(doc, a->name, strlen(a->name));
					b->ns = a->ns ? xmppc__doc_name(doc, a->ns, strlen(a->ns)) : NULL;
					b->value = xmppc__doc_strndup(doc, a->value, strlen(a->value));
					if (b->name == NULL || (a->ns && b->ns == NULL) || b->value == NULL)
						return NULL;
				}
				d->nattrs = s->nattrs;
			}
		}
		if (d == NULL)
			return NULL;
		if (top == NULL)
			top = d;
		if (s->name != NULL && s->first != NULL) {
			s = s->first;
			dst_parent = d;
			continue;
		}
		/* climb until a next sibling exists (not leaving src's subtree) */
		while (s != src && s->next == NULL) {
			s = s->parent;
			dst_parent = dst_parent->parent;
		}
		if (s == src)
			return top;
		s = s->next;
	}
}

XMPPC_API int xmppc_stanza_copy(xmppc_stanza **out, const xmppc_stanza *node)
{
	xmppc__doc *doc;
	xmppc_stanza *root;

	if (out == NULL || node == NULL)
		return XMPPC_EINVAL;
	doc = xmppc__doc_new(node->doc->ctx, node->doc->used + 64);
	if (doc == NULL)
		return XMPPC_ENOMEM;
	root = copy_into(doc, NULL, node);
	if (root == NULL) {
		xmppc__doc_free(doc);
		return XMPPC_ENOMEM;
	}
	*out = root;
	return 0;
}

/* ---- navigation ------------------------------------------------------ */

XMPPC_API const char *xmppc_stanza_name(const xmppc_stanza *node)
{
	return node != NULL ? node->name : NULL;
}

XMPPC_API const char *xmppc_stanza_ns(const xmppc_stanza *node)
{
	return node != NULL && node->name != NULL ? node->ns : NULL;
}

XMPPC_API int xmppc_stanza_is_text(const xmppc_stanza *node)
{
	return node != NULL && node->name == NULL;
}

static int matches(const xmppc_stanza *n, const char *name, const char *ns)
{
	if (n->name == NULL)
		return 0;
	if (name != NULL && n->name != name && strcmp(n->name, name) != 0)
		return 0;
	if (ns != NULL && (n->ns == NULL || (n->ns != ns && strcmp(n->ns, ns) != 0)))
		return 0;
	return 1;
}

XMPPC_API int xmppc_stanza_is(const xmppc_stanza *node, const char *name, const char *ns)
{
	return node != NULL && name != NULL && matches(node, name, ns);
}

XMPPC_API xmppc_stanza *xmppc_stanza_parent(const xmppc_stanza *node)
{
	return node != NULL ? node->parent : NULL;
}

XMPPC_API xmppc_stanza *xmppc_stanza_first_child(const xmppc_stanza *node)
{
	return node != NULL ? node->first : NULL;
}

XMPPC_API xmppc_stanza *xmppc_stanza_next_sibling(const xmppc_stanza *node)
{
	return node != NULL ? node->next : NULL;
}

static xmppc_stanza *find_from(xmppc_stanza *n, const char *name, const char *ns)
{
	for (; n != NULL; n = n->next)
		if (matches(n, name, ns))
			return n;
	return NULL;
}

XMPPC_API xmppc_stanza *xmppc_stanza_find_child(const xmppc_stanza *parent, const char *name,
                                                const char *ns)
{
	return parent != NULL ? find_from(parent->first, name, ns) : NULL;
}

XMPPC_API xmppc_stanza *xmppc_stanza_find_next(const xmppc_stanza *prev, const char *name,
                                               const char *ns)
{
	return prev != NULL ? find_from(prev->next, name, ns) : NULL;
}

XMPPC_API size_t xmppc_stanza_child_count(const xmppc_stanza *node)
{
	size_t n = 0;
	const xmppc_stanza *c;

	if (node == NULL)
		return 0;
	for (c = node->first; c != NULL; c = c->next)
		n += c->name != NULL;
	return n;
}

/* ---- editing ----------------------------------------------------------- */

XMPPC_API int xmppc_stanza_new_child(xmppc_stanza **out, xmppc_stanza *parent, const char *name,
                                     const char *ns)
{
	xmppc__doc *doc;
	const char *n, *s;
	xmppc_stanza *el;
	int rc;

	if (parent == NULL || parent->name == NULL)
		return XMPPC_EINVAL;
	if ((rc = check_name(name)) != 0 || (rc = check_ns(ns)) != 0)
		return rc;
	doc = parent->doc;
	n = xmppc__doc_name(doc, name, strlen(name));
	s = ns != NULL ? xmppc__doc_name(doc, ns, strlen(ns)) : parent->ns;
	if (n == NULL || (ns != NULL && s == NULL))
		return XMPPC_ENOMEM;
	el = xmppc__node_element(doc, parent, n, s);
	if (el == NULL)
		return XMPPC_ENOMEM;
	if (out != NULL)
		*out = el;
	return 0;
}

XMPPC_API int xmppc_stanza_new_text_child(xmppc_stanza **out, xmppc_stanza *parent,
                                          const char *name, const char *ns, const char *text)
{
	xmppc_stanza *el;
	int rc;

	if (text == NULL)
		return XMPPC_EINVAL;
	rc = xmppc__utf8_check_xml(text, strlen(text));
	if (rc != 0)
		return rc;
	rc = xmppc_stanza_new_child(&el, parent, name, ns);
	if (rc != 0)
		return rc;
	if (text[0] != '\0' && xmppc__node_text(parent->doc, el, text, strlen(text)) == NULL) {
		xmppc_stanza_remove_child(parent, el);
		return XMPPC_ENOMEM;
	}
	if (out != NULL)
		*out = el;
	return 0;
}

static int is_ancestor_or_self(const xmppc_stanza *a, const xmppc_stanza *n)
{
	for (; n != NULL; n = n->parent)
		if (n == a)
			return 1;
	return 0;
}

XMPPC_API int xmppc_stanza_add_child(xmppc_stanza **out, xmppc_stanza *parent,
                                     const xmppc_stanza *child)
{
	xmppc_stanza *copy;
	xmppc_stanza *saved_last;

	if (parent == NULL || parent->name == NULL || child == NULL ||
	    is_ancestor_or_self(child, parent))
		return XMPPC_EINVAL;
	saved_last = parent->last;
	copy = copy_into(parent->doc, parent, child);
	if (copy == NULL) {
		/* Undo a partial copy: cut everything appended after saved_last. */
		if (saved_last != NULL)
			saved_last->next = NULL;
		else
			parent->first = NULL;
		parent->last = saved_last;
		return XMPPC_ENOMEM;
	}
	if (out != NULL)
		*out = copy;
	return 0;
}

XMPPC_API int xmppc_stanza_add_text(xmppc_stanza *parent, const char *text, size_t len)
{
	xmppc_stanza *last;
	int rc;

	if (parent == NULL || parent->name == NULL || (text == NULL && len > 0))
		return XMPPC_EINVAL;
	if (len == 0)
		return 0;
	rc = xmppc__utf8_check_xml(text, len);
	if (rc != 0)
		return rc;
	last = parent->last;
	if (last != NULL && last->name == NULL) {
		/* Keep one text node per run of text. */
		char *merged = xmppc__doc_alloc(parent->doc, last->text_len + len + 1);
		if (merged == NULL)
			return XMPPC_ENOMEM;
		memcpy(merged, last->text, last->text_len);
		memcpy(merged + last->text_len, text, len);
		merged[last->text_len + len] = '\0';
		last->text = merged;
		last->text_len += len;
		parent->text = NULL;
		return 0;
	}
	return xmppc__node_text(parent->doc, parent, text, len) != NULL ? 0 : XMPPC_ENOMEM;
}

XMPPC_API int xmppc_stanza_set_text(xmppc_stanza *element, const char *text)
{
	size_t len;
	xmppc_stanza *n;
	int rc;

	if (element == NULL || element->name == NULL || text == NULL)
		return XMPPC_EINVAL;
	len = strlen(text);
	rc = xmppc__utf8_check_xml(text, len);
	if (rc != 0)
		return rc;
	if (len > 0) {
		n = xmppc__node_text(element->doc, NULL, text, len);
		if (n == NULL)
			return XMPPC_ENOMEM;
		element->first = element->last = NULL;
		append_child(element, n);
	} else {
		element->first = element->last = NULL;
		element->text = NULL;
	}
	return 0;
}

const char *xmppc__element_text(xmppc_stanza *el)
{
	xmppc_stanza *c, *only = NULL;
	size_t total = 0, count = 0;
	char *p;

	if (el->text != NULL)
		return el->text;
	for (c = el->first; c != NULL; c = c->next)
		if (c->name == NULL) {
			only = c;
			total += c->text_len;
			count++;
		}
	if (count == 0)
		return "";
	if (count == 1)
		return only->text;
	p = xmppc__doc_alloc(el->doc, total + 1);
	if (p == NULL)
		return NULL;
	el->text = p;
	el->text_len = total;
	for (c = el->first; c != NULL; c = c->next)
		if (c->name == NULL) {
			memcpy(p, c->text, c->text_len);
			p += c->text_len;
		}
	*p = '\0';
	return el->text;
}

XMPPC_API const char *xmppc_stanza_text(const xmppc_stanza *node)
{
	if (node == NULL)
		return NULL;
	if (node->name == NULL)
		return node->text;
	/* The cache is an invisible change: the tree's content stays the same. */
	return xmppc__element_text((xmppc_stanza *)node);
}

XMPPC_API int xmppc_stanza_remove_child(xmppc_stanza *parent, xmppc_stanza *child)
{
	if (parent == NULL || child == NULL || child->parent != parent)
		return XMPPC_EINVAL;
	if (child->prev != NULL)
		child->prev->next = child->next;
	else
		parent->first = child->next;
	if (child->next != NULL)
		child->next->prev = child->prev;
	else
		parent->last = child->prev;
	child->parent = child->prev = child->next = NULL;
	parent->text = NULL;
	return 0;
}

/* ---- attributes ------------------------------------------------------- */

static int ns_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a == b || strcmp(a, b) == 0;
}

static xmppc__attr *find_attr(const xmppc_stanza *el, const char *ns, const char *name)
{
	uint32_t i;

	for (i = 0; i < el->nattrs; i++) {
		xmppc__attr *a = &el->attrs[i];
		if ((a->name == name || strcmp(a->name, name) == 0) && ns_equal(a->ns, ns))
			return a;
	}
	return NULL;
}

XMPPC_API const char *xmppc_stanza_attr_ns(const xmppc_stanza *element, const char *ns,
                                           const char *name)
{
	const xmppc__attr *a;

	if (element == NULL || element->name == NULL || name == NULL)
		return NULL;
	a = find_attr(element, ns, name);
	return a != NULL ? a->value : NULL;
}

XMPPC_API const char *xmppc_stanza_attr(const xmppc_stanza *element, const char *name)
{
	return xmppc_stanza_attr_ns(element, NULL, name);
}

XMPPC_API int xmppc_stanza_set_attr_ns(xmppc_stanza *element, const char *ns, const char *name,
                                       const char *value)
{
	xmppc__doc *doc;
	xmppc__attr *a;
	const char *v;
	int rc;

	if (element == NULL || element->name == NULL)
		return XMPPC_EINVAL;
	if ((rc = check_name(name)) != 0 || (rc = check_ns(ns)) != 0)
		return rc;
	/* xmlns is a namespace declaration, not an attribute: the serializer
	 * writes declarations itself. */
	if (ns == NULL && strcmp(name, "xmlns") == 0)
		return XMPPC_EINVALID_NAME;
	doc = element->doc;
	a = find_attr(element, ns, name);
	if (value == NULL) {
		if (a != NULL) {
			size_t i = (size_t)(a - element->attrs);
			memmove(a, a + 1, (element->nattrs - i - 1) * sizeof(*a));
			element->nattrs--;
		}
		return 0;
	}
	rc = xmppc__utf8_check_xml(value, strlen(value));
	if (rc != 0)
		return rc;
	v = xmppc__doc_strndup(doc, value, strlen(value));
	if (v == NULL)
		return XMPPC_ENOMEM;
	if (a != NULL) {
		a->value = v;
		return 0;
	}
	if (element->nattrs == element->attr_cap &&
	    xmppc__node_reserve_attrs(element, element->attr_cap ? element->attr_cap * 2 : 4) != 0)
		return XMPPC_ENOMEM;
	a = &element->attrs[element->nattrs];
	a->name = xmppc__doc_name(doc, name, strlen(name));
	a->ns = ns != NULL ? xmppc__doc_name(doc, ns, strlen(ns)) : NULL;
	a->value = v;
	if (a->name == NULL || (ns != NULL && a->ns == NULL))
		return XMPPC_ENOMEM;
	element->nattrs++;
	return 0;
}

XMPPC_API int xmppc_stanza_set_attr(xmppc_stanza *element, const char *name, const char *value)
{
	return xmppc_stanza_set_attr_ns(element, NULL, name, value);
}

XMPPC_API size_t xmppc_stanza_attr_count(const xmppc_stanza *element)
{
	return element != NULL ? element->nattrs : 0;
}

XMPPC_API int xmppc_stanza_attr_at(const char **ns, const char **name, const char **value,
                                   const xmppc_stanza *element, size_t index)
{
	const xmppc__attr *a;

	if (element == NULL || index >= element->nattrs)
		return XMPPC_EINVAL;
	a = &element->attrs[index];
	if (ns != NULL)
		*ns = a->ns;
	if (name != NULL)
		*name = a->name;
	if (value != NULL)
		*value = a->value;
	return 0;
}
