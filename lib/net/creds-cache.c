/* TLS credentials shared between connections (DESIGN.md §6): loading the
 * system trust store costs hundreds of KiB and milliseconds, so every
 * connection of a context with the same TLS options uses one
 * xmppc__tls_creds. Entries count the connections using them and go away
 * with the last; the filters of live TLS sessions hold their own
 * references, so an entry's removal never frees credentials in use. */
#include <pthread.h>
#include <string.h>

#include "net/conn-internal.h"
#include "util/ctx.h"

typedef struct entry {
	struct entry *next;
	const xmppc_ctx *ctx;
	char *key; /* the options, serialized */
	size_t key_len;
	unsigned users;
	xmppc__tls_creds *creds;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry *entries;

static size_t put_field(char *out, size_t off, const char *s)
{
	size_t n = s != NULL ? strlen(s) + 1 : 1;

	if (out != NULL) {
		if (s != NULL)
			memcpy(out + off, s, n);
		else
			out[off] = '\1'; /* NULL differs from "" */
	}
	return off + n;
}

/* The options as one byte string (NULL-terminated fields). Options given
 * as memory are not cached (xmppc_conn only uses files). */
static size_t serialize(char *out, const xmppc__tls_creds_options *o)
{
	size_t off = 0;

	if (out != NULL)
		out[0] = o->system_trust ? 'S' : 's';
	off = 1;
	off = put_field(out, off, o->ca_file);
	off = put_field(out, off, o->cert_file);
	off = put_field(out, off, o->key_file);
	off = put_field(out, off, o->priority);
	return off;
}

int xmppc__creds_cache_get(xmppc__tls_creds **out, xmppc_ctx *ctx, const xmppc__tls_creds_options *o)
{
	size_t len = serialize(NULL, o);
	char *key = xmppc__malloc(ctx, len);
	entry *e;
	int rc;

	if (key == NULL)
		return XMPPC_ENOMEM;
	serialize(key, o);
	pthread_mutex_lock(&lock);
	for (e = entries; e != NULL; e = e->next)
		if (e->ctx == ctx && e->key_len == len && memcmp(e->key, key, len) == 0)
			break;
	if (e != NULL) {
		e->users++;
		*out = e->creds;
		pthread_mutex_unlock(&lock);
		xmppc__free(ctx, key);
		return 0;
	}
	e = xmppc__calloc(ctx, 1, sizeof(*e));
	if (e == NULL) {
		pthread_mutex_unlock(&lock);
		xmppc__free(ctx, key);
		return XMPPC_ENOMEM;
	}
	/* Loading under the lock keeps two threads from loading the same
	 * store twice; loads are rare (once per option set). */
	rc = xmppc__tls_creds_new(&e->creds, ctx, o);
	if (rc != 0) {
		pthread_mutex_unlock(&lock);
		xmppc__free(ctx, e);
		xmppc__free(ctx, key);
		return rc;
	}
	e->ctx = ctx;
	e->key = key;
	e->key_len = len;
	e->users = 1;
	e->next = entries;
	entries = e;
	*out = e->creds;
	pthread_mutex_unlock(&lock);
	return 0;
}

void xmppc__creds_cache_put(xmppc__tls_creds *creds)
{
	entry **pp, *e = NULL;

	if (creds == NULL)
		return;
	pthread_mutex_lock(&lock);
	for (pp = &entries; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->creds == creds) {
			e = *pp;
			if (--e->users == 0)
				*pp = e->next;
			else
				e = NULL;
			break;
		}
	pthread_mutex_unlock(&lock);
	if (e != NULL) {
		const xmppc_ctx *ctx = e->ctx;
		xmppc__tls_creds_unref(e->creds);
		xmppc__free(ctx, e->key);
		xmppc__free(ctx, e);
	}
}
