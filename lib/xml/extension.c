/* Extension-element providers: a registry on the context keyed by
 * (namespace, element), and a per-tree cache of parsed objects so that a
 * payload is parsed at most once whoever asks for it. */
#include <string.h>

#include "util/ctx.h"
#include "util/hash.h"
#include "xml/tree.h"
#include <xmppc/error.h>
#include <xmppc/module.h>

struct xmppc__ext {
	xmppc__ext *next;
	const xmppc_stanza *node;
	const xmppc_provider *provider;
	void *object;
};

static size_t make_key(char *key, size_t cap, const char *ns, const char *element)
{
	size_t a = strlen(ns), b = strlen(element);

	if (a + b + 2 > cap)
		return 0;
	memcpy(key, ns, a);
	key[a] = '\x1f';
	memcpy(key + a + 1, element, b + 1);
	return a + b + 1;
}

static const xmppc_provider *find_provider(const xmppc_ctx *ctx, const char *ns, const char *element)
{
	char key[1024];
	size_t n;

	if (ctx->providers == NULL || (n = make_key(key, sizeof(key), ns, element)) == 0)
		return NULL;
	return xmppc__hash_get(ctx->providers, key, n);
}

XMPPC_API int xmppc_ctx_add_provider(xmppc_ctx *ctx, const xmppc_provider *p)
{
	char key[1024];
	size_t n;

	if (ctx == NULL || p == NULL || p->version != XMPPC_PROVIDER_VERSION || p->ns == NULL ||
	    p->element == NULL || p->parse == NULL || p->free_object == NULL ||
	    (n = make_key(key, sizeof(key), p->ns, p->element)) == 0)
		return XMPPC_EINVAL;
	if (ctx->providers == NULL) {
		ctx->providers = xmppc__malloc(ctx, sizeof(xmppc__hash));
		if (ctx->providers == NULL)
			return XMPPC_ENOMEM;
		xmppc__hash_init(ctx->providers, ctx);
	}
	return xmppc__hash_insert(ctx->providers, key, n, (void *)p);
}

void xmppc__providers_free(xmppc_ctx *ctx)
{
	xmppc__hash_fini(ctx->providers);
	xmppc__free(ctx, ctx->providers);
	ctx->providers = NULL;
}

void xmppc__doc_free_extensions(xmppc__doc *doc)
{
	xmppc__ext *e;

	for (e = doc->ext; e != NULL; e = e->next)
		e->provider->free_object(e->object, e->provider->user_data);
	doc->ext = NULL;
}

XMPPC_API int xmppc_stanza_get_extension(const void **object, const xmppc_stanza *stanza,
                                         const char *ns, const char *element)
{
	const xmppc_provider *p;
	const xmppc_stanza *child;
	xmppc__doc *doc;
	xmppc__ext *e;
	void *obj = NULL;
	int rc;

	if (object == NULL || stanza == NULL || ns == NULL || element == NULL)
		return XMPPC_EINVAL;
	child = xmppc_stanza_find_child(stanza, element, ns);
	if (child == NULL)
		return XMPPC_ENOTFOUND;
	doc = stanza->doc;
	for (e = doc->ext; e != NULL; e = e->next)
		if (e->node == child) {
			*object = e->object;
			return 0;
		}
	p = find_provider(doc->ctx, ns, element);
	if (p == NULL)
		return XMPPC_EUNSUPPORTED;
	e = xmppc__doc_alloc(doc, sizeof(*e));
	if (e == NULL)
		return XMPPC_ENOMEM;
	rc = p->parse(&obj, child, p->user_data);
	if (rc != 0)
		return rc;
	e->node = child;
	e->provider = p;
	e->object = obj;
	e->next = doc->ext;
	doc->ext = e;
	*object = obj;
	return 0;
}

XMPPC_API int xmppc_stanza_add_extension(xmppc_stanza *parent, const char *ns, const char *element,
                                         const void *object)
{
	const xmppc_provider *p;

	if (parent == NULL || ns == NULL || element == NULL || xmppc_stanza_is_text(parent))
		return XMPPC_EINVAL;
	p = find_provider(parent->doc->ctx, ns, element);
	if (p == NULL || p->serialize == NULL)
		return XMPPC_EUNSUPPORTED;
	return p->serialize(parent, object, p->user_data);
}
