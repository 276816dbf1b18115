/* Shared helpers of the fuzz targets; see fuzz-common.h. */
#include "fuzz-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", what, file, line);
	fflush(stderr);
	abort();
}

/* ---- counting allocator ---------------------------------------------- */

/* Blocks go straight to the C library (no header in front), so that
 * AddressSanitizer still sees the exact bounds of every block. */
static void *count_malloc(void *ud, size_t size)
{
	fuzz_alloc *a = ud;
	void *p;

	if (++a->calls == a->fail_at)
		return NULL;
	p = malloc(size != 0 ? size : 1);
	if (p != NULL)
		a->live++;
	return p;
}

static void *count_realloc(void *ud, void *ptr, size_t size)
{
	fuzz_alloc *a = ud;

	if (ptr == NULL)
		return count_malloc(ud, size);
	if (++a->calls == a->fail_at)
		return NULL;
	return realloc(ptr, size != 0 ? size : 1);
}

static void count_free(void *ud, void *ptr)
{
	fuzz_alloc *a = ud;

	if (ptr == NULL)
		return;
	FUZZ_CHECK(a->live > 0);
	a->live--;
	free(ptr);
}

xmppc_ctx *fuzz_ctx_new(fuzz_alloc *a)
{
	xmppc_allocator al;
	xmppc_ctx *ctx = NULL;

	memset(a, 0, sizeof(*a));
	al.version = XMPPC_ALLOCATOR_VERSION;
	al.malloc_fn = count_malloc;
	al.realloc_fn = count_realloc;
	al.free_fn = count_free;
	al.user_data = a;
	FUZZ_CHECK(xmppc_ctx_new(&ctx, &al) == 0 && ctx != NULL);
	return ctx;
}

void fuzz_alloc_fail_in(fuzz_alloc *a, long n)
{
	a->fail_at = a->calls + (n > 0 ? n : 1);
}

void fuzz_ctx_done(xmppc_ctx *ctx, fuzz_alloc *a)
{
	/* The last reference: every object made from ctx has let go of it. */
	FUZZ_CHECK(xmppc_ctx_unref(ctx) == NULL);
	FUZZ_CHECK(a->live == 0);
}

/* ---- tree walking ------------------------------------------------------- */

/* Next node after n in document order inside the tree rooted at root. */
static const xmppc_stanza *next_node(const xmppc_stanza *root, const xmppc_stanza *n)
{
	const xmppc_stanza *c = xmppc_stanza_first_child(n);

	if (c != NULL)
		return c;
	while (n != root) {
		const xmppc_stanza *s = xmppc_stanza_next_sibling(n);
		if (s != NULL)
			return s;
		n = xmppc_stanza_parent(n);
		FUZZ_CHECK(n != NULL);
	}
	return NULL;
}

static unsigned depth_below(const xmppc_stanza *root, const xmppc_stanza *n)
{
	unsigned d = 1;

	while (n != root) {
		n = xmppc_stanza_parent(n);
		FUZZ_CHECK(n != NULL);
		d++;
	}
	return d;
}

void fuzz_tree_shape(const xmppc_stanza *root, unsigned *depth, size_t *max_attrs,
                     size_t *elements)
{
	const xmppc_stanza *n;

	*depth = 0;
	*max_attrs = 0;
	*elements = 0;
	for (n = root; n != NULL; n = next_node(root, n)) {
		unsigned d;
		size_t k;
		if (xmppc_stanza_is_text(n))
			continue;
		(*elements)++;
		d = depth_below(root, n);
		if (d > *depth)
			*depth = d;
		k = xmppc_stanza_attr_count(n);
		if (k > *max_attrs)
			*max_attrs = k;
	}
}

static int same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int is_xml_ns(const char *ns)
{
	return ns != NULL && strcmp(ns, XMPPC_NS_XML) == 0;
}

/* Attributes plus namespace declarations the serializer writes on element
 * n (see lib/xml/serialize.c): its attributes, an xmlns when its namespace
 * differs from the default namespace in scope (elements in the XML
 * namespace get the xml: prefix instead, and do not change the scope), and
 * one xmlns:nsK per distinct attribute namespace other than xml:. */
static size_t declared_on(const xmppc_stanza *root, const xmppc_stanza *n)
{
	size_t count = xmppc_stanza_attr_count(n), i, j, total = count;
	const xmppc_stanza *up = n;
	const char *scope = NULL;

	while (up != root) {
		up = xmppc_stanza_parent(up);
		if (!is_xml_ns(xmppc_stanza_ns(up))) {
			scope = xmppc_stanza_ns(up);
			break;
		}
	}
	if (!is_xml_ns(xmppc_stanza_ns(n)) && !same_str(xmppc_stanza_ns(n), scope))
		total++;
	for (i = 0; i < count; i++) {
		const char *ns_i = NULL;
		int first = 1;
		FUZZ_CHECK(xmppc_stanza_attr_at(&ns_i, NULL, NULL, n, i) == 0);
		if (ns_i == NULL || strcmp(ns_i, XMPPC_NS_XML) == 0)
			continue;
		for (j = 0; j < i && first; j++) {
			const char *ns_j = NULL;
			FUZZ_CHECK(xmppc_stanza_attr_at(&ns_j, NULL, NULL, n, j) == 0);
			if (ns_j != NULL && strcmp(ns_i, ns_j) == 0)
				first = 0;
		}
		total += (size_t)first;
	}
	return total;
}

static size_t most_declared(const xmppc_stanza *root)
{
	const xmppc_stanza *n;
	size_t most = 0;

	for (n = root; n != NULL; n = next_node(root, n)) {
		size_t k;
		if (xmppc_stanza_is_text(n))
			continue;
		k = declared_on(root, n);
		if (k > most)
			most = k;
	}
	return most;
}

/* ---- serialization round trip --------------------------------------------- */

int fuzz_serialize(xmppc_buf **out, xmppc_ctx *ctx, const xmppc_stanza *node)
{
	xmppc_buf *b = NULL;
	int rc;

	*out = NULL;
	rc = xmppc_buf_new(&b, ctx);
	if (rc != 0)
		return rc;
	rc = xmppc_stanza_to_xml(b, node, NULL);
	if (rc != 0) {
		/* on error the buffer is left as it was: empty */
		FUZZ_CHECK(xmppc_buf_len(b) == 0);
		xmppc_buf_free(b);
		return rc;
	}
	FUZZ_CHECK(xmppc_buf_len(b) > 0);
	FUZZ_CHECK(strlen(xmppc_buf_data(b)) == xmppc_buf_len(b)); /* no NUL inside */
	*out = b;
	return 0;
}

#define ALLOC_OK(rc) ((rc) == XMPPC_ENOMEM && may_fail_alloc)

static void expect_same_serialization(xmppc_ctx *ctx, const xmppc_stanza *node, const char *xml,
                                      size_t len, int may_fail_alloc)
{
	xmppc_buf *b;
	int rc = fuzz_serialize(&b, ctx, node);

	if (ALLOC_OK(rc))
		return;
	FUZZ_CHECK(rc == 0);
	if (xmppc_buf_len(b) != len || memcmp(xmppc_buf_data(b), xml, len) != 0) {
		fprintf(stderr, "first:  %.*s\nsecond: %s\n", (int)len, xml, xmppc_buf_data(b));
		fuzz_fail("serialization differs after a round trip", __FILE__, __LINE__);
	}
	xmppc_buf_free(b);
}

void fuzz_check_roundtrip(xmppc_ctx *ctx, const xmppc_stanza *node, const char *xml, size_t len,
                          int may_fail_alloc)
{
	xmppc_xml_limits lim;
	xmppc_stanza *back = NULL, *copy = NULL;
	int rc, expect = 0;

	xmppc_xml_limits_default(&lim);
	if (len > lim.max_stanza_bytes)
		expect = XMPPC_EXML_SIZE_LIMIT;
	else if (most_declared(node) > lim.max_attrs)
		expect = XMPPC_EXML_ATTR_LIMIT;

	rc = xmppc_stanza_from_xml(&back, ctx, xml, len);
	if (ALLOC_OK(rc))
		goto copy;
	if (rc != expect) {
		fprintf(stderr, "re-parse of %.*s\ngave %s, expected %s\n", (int)len, xml,
		        xmppc_error_name(rc), xmppc_error_name(expect));
		fuzz_fail("serialized stanza does not parse back", __FILE__, __LINE__);
	}
	if (rc == 0) {
		FUZZ_CHECK(back != NULL);
		expect_same_serialization(ctx, back, xml, len, may_fail_alloc);
		FUZZ_CHECK(xmppc_stanza_unref(back) == NULL);
	}
copy:
	rc = xmppc_stanza_copy(&copy, node);
	if (ALLOC_OK(rc))
		return;
	FUZZ_CHECK(rc == 0 && copy != NULL);
	FUZZ_CHECK(xmppc_stanza_parent(copy) == NULL);
	expect_same_serialization(ctx, copy, xml, len, may_fail_alloc);
	FUZZ_CHECK(xmppc_stanza_unref(copy) == NULL);
}

/* ---- accessors ---------------------------------------------------------------- */

static void exercise_node(const xmppc_stanza *n, int may_fail_alloc)
{
	const char *name = xmppc_stanza_name(n), *ns = xmppc_stanza_ns(n), *text;
	const xmppc_stanza *c, *e;
	size_t count, i, elements = 0;

	FUZZ_CHECK((name == NULL) == (xmppc_stanza_is_text(n) == 1));
	text = xmppc_stanza_text(n);
	FUZZ_CHECK(text != NULL || may_fail_alloc);
	if (name == NULL) {
		FUZZ_CHECK(ns == NULL);
		FUZZ_CHECK(xmppc_stanza_attr_count(n) == 0);
		FUZZ_CHECK(xmppc_stanza_first_child(n) == NULL);
		return;
	}
	FUZZ_CHECK(name[0] != '\0');
	FUZZ_CHECK(strchr(name, ':') == NULL);
	FUZZ_CHECK(xmppc_stanza_is(n, name, ns) == 1);
	FUZZ_CHECK(xmppc_stanza_is(n, name, NULL) == 1);

	count = xmppc_stanza_attr_count(n);
	for (i = 0; i < count; i++) {
		const char *ans = NULL, *aname = NULL, *aval = NULL;
		FUZZ_CHECK(xmppc_stanza_attr_at(&ans, &aname, &aval, n, i) == 0);
		FUZZ_CHECK(aname != NULL && aval != NULL && aname[0] != '\0');
		FUZZ_CHECK(same_str(xmppc_stanza_attr_ns(n, ans, aname), aval));
		if (ans == NULL)
			FUZZ_CHECK(same_str(xmppc_stanza_attr(n, aname), aval));
	}
	FUZZ_CHECK(xmppc_stanza_attr_at(NULL, NULL, NULL, n, count) == XMPPC_EINVAL);

	e = xmppc_stanza_find_child(n, NULL, NULL);
	for (c = xmppc_stanza_first_child(n); c != NULL; c = xmppc_stanza_next_sibling(c)) {
		FUZZ_CHECK(xmppc_stanza_parent(c) == n);
		if (xmppc_stanza_is_text(c))
			continue;
		/* find_child / find_next with wildcards visit the same elements */
		FUZZ_CHECK(e == c);
		e = xmppc_stanza_find_next(e, NULL, NULL);
		FUZZ_CHECK(xmppc_stanza_find_child(n, xmppc_stanza_name(c), xmppc_stanza_ns(c)) != NULL);
		elements++;
	}
	FUZZ_CHECK(e == NULL);
	FUZZ_CHECK(xmppc_stanza_child_count(n) == elements);
}

static void exercise_top(xmppc_ctx *ctx, const xmppc_stanza *s, int may_fail_alloc)
{
	xmppc_stanza_kind kind = xmppc_stanza_get_kind(s);
	xmppc_stanza_type type = xmppc_stanza_get_type(s);
	xmppc_stanza_error_info info;
	xmppc_stanza *reply = NULL;
	xmppc_buf *b;
	const char *id = xmppc_stanza_id(s), *from = xmppc_stanza_from(s);
	int rc, reply_ok;

	FUZZ_CHECK(kind >= XMPPC_STANZA_OTHER && kind <= XMPPC_STANZA_IQ);
	if (kind == XMPPC_STANZA_OTHER)
		FUZZ_CHECK(type == XMPPC_TYPE_NONE);
	(void)xmppc_stanza_type_name(type);
	FUZZ_CHECK(same_str(id, xmppc_stanza_attr(s, "id")));
	FUZZ_CHECK(same_str(from, xmppc_stanza_attr(s, "from")));
	FUZZ_CHECK(same_str(xmppc_stanza_to(s), xmppc_stanza_attr(s, "to")));
	FUZZ_CHECK(same_str(xmppc_stanza_lang(s), xmppc_stanza_attr_ns(s, XMPPC_NS_XML, "lang")));
	(void)xmppc_message_body(s, NULL);
	(void)xmppc_message_body(s, "en");
	(void)xmppc_message_subject(s, NULL);
	(void)xmppc_message_subject(s, "EN");
	(void)xmppc_message_thread(s);

	memset(&info, 0, sizeof(info));
	info.version = XMPPC_STANZA_ERROR_INFO_VERSION;
	rc = xmppc_stanza_get_error(&info, s);
	FUZZ_CHECK(rc == 0 || rc == XMPPC_ENOTFOUND);
	if (rc == 0) {
		(void)xmppc_stanza_condition_name(info.condition);
		(void)xmppc_error_type_name(info.type);
		FUZZ_CHECK(info.condition < XMPPC_COND_COUNT);
		if (info.text != NULL)
			(void)strlen(info.text);
		if (info.by != NULL)
			(void)strlen(info.by);
		if (info.app_condition != NULL)
			FUZZ_CHECK(xmppc_stanza_name(info.app_condition) != NULL);
	}

	/* IQ result reply: only to an IQ get/set with an id */
	reply_ok = kind == XMPPC_STANZA_IQ && (type == XMPPC_TYPE_GET || type == XMPPC_TYPE_SET) &&
	           id != NULL;
	rc = xmppc_iq_new_result(&reply, s);
	if (!ALLOC_OK(rc)) {
		FUZZ_CHECK(rc == (reply_ok ? 0 : XMPPC_EINVAL));
		if (rc == 0) {
			FUZZ_CHECK(xmppc_stanza_get_type(reply) == XMPPC_TYPE_RESULT);
			FUZZ_CHECK(same_str(xmppc_stanza_id(reply), id));
			FUZZ_CHECK(same_str(xmppc_stanza_to(reply), from));
			rc = fuzz_serialize(&b, ctx, reply);
			FUZZ_CHECK(rc == 0 || ALLOC_OK(rc));
			xmppc_buf_free(b);
			FUZZ_CHECK(xmppc_stanza_unref(reply) == NULL);
		}
	}

	/* Error reply: to any stanza but an error or an IQ result (an IQ with a
	 * missing or unknown type gets one too) */
	reply_ok = kind != XMPPC_STANZA_OTHER && type != XMPPC_TYPE_ERROR &&
	           !(kind == XMPPC_STANZA_IQ && type == XMPPC_TYPE_RESULT);
	reply = NULL;
	rc = xmppc_stanza_new_error_reply(&reply, s, XMPPC_ERRTYPE_CANCEL,
	                                  XMPPC_COND_SERVICE_UNAVAILABLE, "fuzz");
	if (!ALLOC_OK(rc)) {
		if (rc != (reply_ok ? 0 : XMPPC_EINVAL)) {
			fprintf(stderr, "error reply: kind %d type %d: %s\n", (int)kind, (int)type,
			        xmppc_error_name(rc));
			fuzz_fail("xmppc_stanza_new_error_reply result", __FILE__, __LINE__);
		}
		if (rc == 0) {
			FUZZ_CHECK(xmppc_stanza_get_kind(reply) == kind);
			FUZZ_CHECK(xmppc_stanza_get_type(reply) == XMPPC_TYPE_ERROR);
			FUZZ_CHECK(same_str(xmppc_stanza_id(reply), id));
			FUZZ_CHECK(same_str(xmppc_stanza_to(reply), from));
			memset(&info, 0, sizeof(info));
			info.version = XMPPC_STANZA_ERROR_INFO_VERSION;
			FUZZ_CHECK(xmppc_stanza_get_error(&info, reply) == 0);
			FUZZ_CHECK(info.condition == XMPPC_COND_SERVICE_UNAVAILABLE);
			FUZZ_CHECK(info.type == XMPPC_ERRTYPE_CANCEL);
			rc = fuzz_serialize(&b, ctx, reply);
			FUZZ_CHECK(rc == 0 || ALLOC_OK(rc));
			xmppc_buf_free(b);
			FUZZ_CHECK(xmppc_stanza_unref(reply) == NULL);
		}
	}
}

void fuzz_exercise(xmppc_ctx *ctx, const xmppc_stanza *root, int may_fail_alloc)
{
	const xmppc_stanza *n;

	for (n = root; n != NULL; n = next_node(root, n))
		exercise_node(n, may_fail_alloc);
	if (!xmppc_stanza_is_text(root))
		exercise_top(ctx, root, may_fail_alloc);
}
