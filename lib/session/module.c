/* Modules attached to a session, and the disco features and identities
 * they contribute (what the disco and caps modules publish). */
#include <stdlib.h>
#include <string.h>

#include "session/session-internal.h"
#include "util/ctx.h"
#include <xmppc/module.h>

struct attached {
	attached *next;
	const xmppc_module *module;
	void *state;
};

XMPPC_API int xmppc_session_add_module(xmppc_session *s, const xmppc_module *m, void *config)
{
	attached *a, **pp;
	int rc;

	if (s == NULL || m == NULL || m->version != XMPPC_MODULE_VERSION || m->name == NULL ||
	    m->attach == NULL || (m->n_identities > 0 && m->identities == NULL))
		return XMPPC_EINVAL;
	for (a = s->modules; a != NULL; a = a->next)
		if (strcmp(a->module->name, m->name) == 0)
			return XMPPC_EEXIST;
	a = xmppc__calloc(s->ctx, 1, sizeof(*a));
	if (a == NULL)
		return XMPPC_ENOMEM;
	a->module = m;
	s->depth++;
	rc = m->attach(s, config, &a->state);
	s->depth--;
	if (rc != 0) {
		xmppc__free(s->ctx, a);
		return rc;
	}
	for (pp = &s->modules; *pp != NULL; pp = &(*pp)->next)
		; /* keep the order of attachment */
	*pp = a;
	return 0;
}

static void detach(xmppc_session *s, attached *a)
{
	if (a->module->detach != NULL) {
		s->depth++;
		a->module->detach(s, a->state);
		s->depth--;
	}
	xmppc__free(s->ctx, a);
}

XMPPC_API int xmppc_session_remove_module(xmppc_session *s, const char *name)
{
	attached **pp;

	if (s == NULL || name == NULL)
		return XMPPC_EINVAL;
	for (pp = &s->modules; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->module->name, name) == 0) {
			attached *a = *pp;
			*pp = a->next;
			detach(s, a);
			return 0;
		}
	return XMPPC_ENOTFOUND;
}

void xmppc__modules_fini(xmppc_session *s)
{
	while (s->modules != NULL) {
		attached *a = s->modules;
		s->modules = a->next;
		detach(s, a);
	}
}

XMPPC_API void *xmppc_session_module_state(const xmppc_session *s, const char *name)
{
	const attached *a;

	if (s == NULL || name == NULL)
		return NULL;
	for (a = s->modules; a != NULL; a = a->next)
		if (strcmp(a->module->name, name) == 0)
			return a->state;
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

XMPPC_API int xmppc_session_foreach_feature(const xmppc_session *s,
                                            void (*fn)(void *, const char *), void *ud)
{
	const attached *a;
	const char **all;
	size_t n = 0, i, k;

	if (s == NULL || fn == NULL)
		return XMPPC_EINVAL;
	for (a = s->modules; a != NULL; a = a->next)
		for (i = 0; a->module->features != NULL && a->module->features[i] != NULL; i++)
			n++;
	if (n == 0)
		return 0;
	all = xmppc__malloc(s->ctx, n * sizeof(*all));
	if (all == NULL)
		return XMPPC_ENOMEM;
	k = 0;
	for (a = s->modules; a != NULL; a = a->next)
		for (i = 0; a->module->features != NULL && a->module->features[i] != NULL; i++)
			all[k++] = a->module->features[i];
	qsort(all, n, sizeof(*all), cmp_str);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(all[i], all[i - 1]) != 0)
			fn(ud, all[i]);
	xmppc__free(s->ctx, all);
	return 0;
}

XMPPC_API int xmppc_session_foreach_identity(const xmppc_session *s,
                                             void (*fn)(void *, const xmppc_disco_identity *), void *ud)
{
	const attached *a;
	size_t i;

	if (s == NULL || fn == NULL)
		return XMPPC_EINVAL;
	for (a = s->modules; a != NULL; a = a->next)
		for (i = 0; i < a->module->n_identities; i++)
			fn(ud, &a->module->identities[i]);
	return 0;
}

