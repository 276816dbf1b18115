#include "util/hash.h"

#include <string.h>

#include "util/ctx.h"
#include <xmppc/error.h>

struct xmppc__hash_slot {
	uint64_t hash;
	char *key; /* NULL: empty; TOMBSTONE: deleted */
	size_t klen;
	void *value;
};

static char tombstone_mark;
#define TOMBSTONE (&tombstone_mark)

/* FNV-1a with a final avalanche; keys here are short names and ids. */
uint64_t xmppc__hash_bytes(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

void xmppc__hash_init(xmppc__hash *h, const xmppc_ctx *ctx)
{
	memset(h, 0, sizeof(*h));
	h->ctx = ctx;
}

void xmppc__hash_fini(xmppc__hash *h)
{
	size_t i;

	for (i = 0; i < h->cap; i++)
		if (h->slots[i].key != NULL && h->slots[i].key != TOMBSTONE)
			xmppc__free(h->ctx, h->slots[i].key);
	xmppc__free(h->ctx, h->slots);
	h->slots = NULL;
	h->cap = h->count = h->used = 0;
}

static xmppc__hash_slot *lookup(const xmppc__hash *h, uint64_t hash, const char *key, size_t klen)
{
	size_t mask = h->cap - 1, i;

	if (h->cap == 0)
		return NULL;
	for (i = hash & mask;; i = (i + 1) & mask) {
		xmppc__hash_slot *s = &h->slots[i];
		if (s->key == NULL)
			return NULL;
		if (s->key != TOMBSTONE && s->hash == hash && s->klen == klen &&
		    memcmp(s->key, key, klen) == 0)
			return s;
	}
}

static int resize(xmppc__hash *h, size_t cap)
{
	xmppc__hash_slot *old = h->slots, *slots;
	size_t old_cap = h->cap, i;

	slots = xmppc__calloc(h->ctx, cap, sizeof(*slots));
	if (slots == NULL)
		return XMPPC_ENOMEM;
	h->slots = slots;
	h->cap = cap;
	h->used = h->count;
	for (i = 0; i < old_cap; i++) {
		size_t j;
		if (old[i].key == NULL || old[i].key == TOMBSTONE)
			continue;
		for (j = old[i].hash & (cap - 1); slots[j].key != NULL; j = (j + 1) & (cap - 1))
			;
		slots[j] = old[i];
	}
	xmppc__free(h->ctx, old);
	return 0;
}

int xmppc__hash_insert(xmppc__hash *h, const char *key, size_t klen, void *value)
{
	uint64_t hash = xmppc__hash_bytes(key, klen);
	size_t i, mask;
	char *copy;

	if (lookup(h, hash, key, klen) != NULL)
		return XMPPC_EEXIST;
	if ((h->used + 1) * 4 >= h->cap * 3) {
		size_t cap = h->cap ? h->cap : 8;
		while ((h->count + 1) * 2 >= cap)
			cap *= 2;
		if (resize(h, cap) != 0)
			return XMPPC_ENOMEM;
	}
	copy = xmppc__strndup(h->ctx, key, klen);
	if (copy == NULL)
		return XMPPC_ENOMEM;
	mask = h->cap - 1;
	for (i = hash & mask; h->slots[i].key != NULL && h->slots[i].key != TOMBSTONE;
	     i = (i + 1) & mask)
		;
	if (h->slots[i].key == NULL)
		h->used++;
	h->slots[i].hash = hash;
	h->slots[i].key = copy;
	h->slots[i].klen = klen;
	h->slots[i].value = value;
	h->count++;
	return 0;
}

void *xmppc__hash_get(const xmppc__hash *h, const char *key, size_t klen)
{
	xmppc__hash_slot *s = lookup(h, xmppc__hash_bytes(key, klen), key, klen);
	return s != NULL ? s->value : NULL;
}

void *xmppc__hash_remove(xmppc__hash *h, const char *key, size_t klen)
{
	xmppc__hash_slot *s = lookup(h, xmppc__hash_bytes(key, klen), key, klen);
	void *v;

	if (s == NULL)
		return NULL;
	v = s->value;
	xmppc__free(h->ctx, s->key);
	s->key = TOMBSTONE;
	s->value = NULL;
	h->count--;
	return v;
}

int xmppc__hash_next(const xmppc__hash *h, size_t *pos, const char **key, size_t *klen,
                     void **value)
{
	while (*pos < h->cap) {
		xmppc__hash_slot *s = &h->slots[(*pos)++];
		if (s->key != NULL && s->key != TOMBSTONE) {
			if (key != NULL)
				*key = s->key;
			if (klen != NULL)
				*klen = s->klen;
			if (value != NULL)
				*value = s->value;
			return 1;
		}
	}
	return 0;
}
