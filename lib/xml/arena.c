/* The per-tree arena: one allocation for the doc header and its first
 * block, further blocks doubling in size, all freed together. */
#include <stdalign.h>
#include <string.h>

#include "util/ctx.h"
#include "xml/tree.h"

struct xmppc__block {
	xmppc__block *next;
	alignas(max_align_t) char data[];
};

#define ALIGN 8u
#define ROUND(n) (((n) + (ALIGN - 1)) & ~(size_t)(ALIGN - 1))
#define HEADER ROUND(sizeof(xmppc__doc))

xmppc__doc *xmppc__doc_new(xmppc_ctx *ctx, size_t first_block)
{
	xmppc__doc *doc;

	first_block = ROUND(first_block < 256 ? 256 : first_block);
	doc = xmppc__malloc(ctx, HEADER + first_block);
	if (doc == NULL)
		return NULL;
	doc->refs = 1;
	doc->ctx = xmppc_ctx_ref(ctx);
	doc->cur = (char *)doc + HEADER;
	doc->avail = first_block;
	doc->used = 0;
	doc->extra = NULL;
	doc->next_block = first_block * 2;
	doc->ext = NULL;
	return doc;
}

void xmppc__doc_free(xmppc__doc *doc)
{
	xmppc_ctx *ctx = doc->ctx;
	xmppc__block *b = doc->extra;

	if (doc->ext != NULL)
		xmppc__doc_free_extensions(doc);
	while (b != NULL) {
		xmppc__block *next = b->next;
		xmppc__free(ctx, b);
		b = next;
	}
	xmppc__free(ctx, doc);
	xmppc_ctx_unref(ctx);
}

/* Under AddressSanitizer a recycled arena would hide a caller that keeps a
 * borrowed stanza without a reference (it would read the next stanza, not
 * freed memory): sanitizer builds never recycle, so such bugs still show. */
#if defined(__SANITIZE_ADDRESS__)
#define XMPPC_NO_RECYCLE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XMPPC_NO_RECYCLE 1
#endif
#endif

size_t xmppc__doc_recycle(xmppc__doc *doc)
{
#ifdef XMPPC_NO_RECYCLE
	(void)doc;
	return 0;
#else
	char *base = (char *)doc + HEADER;
	size_t first;

	if (doc->extra != NULL || doc->ext != NULL || __atomic_load_n(&doc->refs, __ATOMIC_ACQUIRE) != 1)
		return 0;
	first = (size_t)(doc->cur - base) + doc->avail;
	doc->cur = base;
	doc->avail = first;
	doc->used = 0;
	doc->next_block = first * 2;
	return first;
#endif
}

void *xmppc__doc_alloc(xmppc__doc *doc, size_t size)
{
	void *p;

	size = ROUND(size);
	if (size > doc->avail) {
		size_t bsize = doc->next_block > size ? doc->next_block : size;
		xmppc__block *b;

		if (bsize > SIZE_MAX - sizeof(*b))
			return NULL;
		b = xmppc__malloc(doc->ctx, sizeof(*b) + bsize);
		if (b == NULL)
			return NULL;
		b->next = doc->extra;
		doc->extra = b;
		doc->cur = b->data;
		doc->avail = bsize;
		if (doc->next_block < SIZE_MAX / 4)
			doc->next_block *= 2;
	}
	p = doc->cur;
	doc->cur += size;
	doc->avail -= size;
	doc->used += size;
	return p;
}

char *xmppc__doc_strndup(xmppc__doc *doc, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return NULL;
	p = xmppc__doc_alloc(doc, len + 1);
	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}
