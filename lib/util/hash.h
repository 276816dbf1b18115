/* String-keyed hash table (open addressing, linear probing). Keys are
 * copied; values are opaque pointers owned by the caller. */
#ifndef XMPPC_UTIL_HASH_H
#define XMPPC_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <xmppc/ctx.h>

typedef struct xmppc__hash_slot xmppc__hash_slot;

typedef struct {
	const xmppc_ctx *ctx;
	xmppc__hash_slot *slots;
	size_t cap;   /* power of two, or 0 */
	size_t count; /* live entries */
	size_t used;  /* live + tombstones */
} xmppc__hash;

uint64_t xmppc__hash_bytes(const void *p, size_t len);

void xmppc__hash_init(xmppc__hash *h, const xmppc_ctx *ctx);
void xmppc__hash_fini(xmppc__hash *h);
/* 0, XMPPC_EEXIST (existing value left in place) or XMPPC_ENOMEM. */
int xmppc__hash_insert(xmppc__hash *h, const char *key, size_t klen, void *value);
/* The value, or NULL when absent. */
void *xmppc__hash_get(const xmppc__hash *h, const char *key, size_t klen);
/* The removed value, or NULL when absent. */
void *xmppc__hash_remove(xmppc__hash *h, const char *key, size_t klen);
/* Iterate: start with *pos = 0; returns 0 when done. */
int xmppc__hash_next(const xmppc__hash *h, size_t *pos, const char **key, size_t *klen,
                     void **value);

#endif
