/* The verified caps cache: hash/ver -> disco#info, in memory (bounded,
 * least recently used dropped) and through the application's store.
 * Whatever enters it, from the network or from the store, is verified
 * first: its verification string is recomputed and must match. */
#include <string.h>

#include "caps-internal.h"

static void entry_free(caps_state *st, caps_entry *e)
{
	xmppc_stanza_unref(e->query);
	xmppc_free(st->ctx, e->hash);
	xmppc_free(st->ctx, e->ver);
	xmppc_free(st->ctx, e);
}

void xmppc__caps_entries_free(caps_state *st)
{
	while (st->entries != NULL) {
		caps_entry *e = st->entries;
		st->entries = e->next;
		entry_free(st, e);
	}
	st->n_entries = 0;
}

/* The entry, moved to the front; or NULL. */
static caps_entry *find(caps_state *st, const char *hash, const char *ver)
{
	caps_entry **pp, *e;

	for (pp = &st->entries; (e = *pp) != NULL; pp = &e->next)
		if (strcmp(e->hash, hash) == 0 && strcmp(e->ver, ver) == 0) {
			*pp = e->next;
			e->next = st->entries;
			st->entries = e;
			return e;
		}
	return NULL;
}

static void trim(caps_state *st)
{
	caps_entry **pp = &st->entries;
	size_t n = 0;

	while (*pp != NULL && ++n <= st->cache_max)
		pp = &(*pp)->next;
	while (*pp != NULL) {
		caps_entry *e = *pp;
		*pp = e->next;
		st->n_entries--;
		entry_free(st, e);
	}
}

static void save(caps_state *st, const caps_entry *e)
{
	xmppc_buf *xml;

	if (st->save == NULL || xmppc_buf_new(&xml, st->ctx) != 0)
		return;
	if (xmppc_stanza_to_xml(xml, e->query, NULL) == 0)
		(void)st->save(st->ud, e->hash, e->ver, xmppc_buf_data(xml));
	xmppc_buf_free(xml);
}

const xmppc_stanza *xmppc__caps_verify_insert(caps_state *st, const char *hash, const char *ver,
                                              const xmppc_stanza *query, int from_store)
{
	caps_entry *e;
	xmppc_buf *computed;
	int rc;

	if ((e = find(st, hash, ver)) != NULL)
		return e->query;
	if (xmppc_buf_new(&computed, st->ctx) != 0)
		return NULL;
	rc = xmppc_caps_ver(computed, st->ctx, query, hash);
	if (rc == 0 && strcmp(xmppc_buf_data(computed), ver) != 0)
		rc = XMPPC_EPROTOCOL; /* does not verify: never cached (§5.4 3.7) */
	xmppc_buf_free(computed);
	if (rc != 0 || (e = xmppc_calloc(st->ctx, 1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->hash = xmppc_strdup(st->ctx, hash)) == NULL ||
	    (e->ver = xmppc_strdup(st->ctx, ver)) == NULL || xmppc_stanza_copy(&e->query, query) != 0) {
		entry_free(st, e);
		return NULL;
	}
	e->next = st->entries;
	st->entries = e;
	st->n_entries++;
	if (!from_store)
		save(st, e);
	trim(st);
	return e->query;
}

/* From memory, else from the store (verified). */
const xmppc_stanza *xmppc__caps_find(caps_state *st, const char *hash, const char *ver)
{
	const xmppc_stanza *q = NULL;
	caps_entry *e = find(st, hash, ver);
	xmppc_stanza *loaded;
	xmppc_buf *xml;

	if (e != NULL)
		return e->query;
	if (st->load == NULL || xmppc_buf_new(&xml, st->ctx) != 0)
		return NULL;
	if (st->load(st->ud, hash, ver, xml) == 0 &&
	    xmppc_stanza_from_xml(&loaded, st->ctx, xmppc_buf_data(xml), xmppc_buf_len(xml)) == 0) {
		if (xmppc_stanza_is(loaded, "query", XMPPC_NS_DISCO_INFO))
			q = xmppc__caps_verify_insert(st, hash, ver, loaded, 1);
		xmppc_stanza_unref(loaded);
	}
	xmppc_buf_free(xml);
	return q;
}

XMPPC_API const xmppc_stanza *xmppc_caps_lookup(xmppc_session *session, const char *hash,
                                                const char *ver)
{
	caps_state *st;

	if (session == NULL || hash == NULL || ver == NULL ||
	    (st = xmppc__caps_state(session)) == NULL)
		return NULL;
	return xmppc__caps_find(st, hash, ver);
}
