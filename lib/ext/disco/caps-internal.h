/* State of the caps module (lib/ext/disco). Nothing here is exported. */
#ifndef XMPPC_EXT_CAPS_INTERNAL_H
#define XMPPC_EXT_CAPS_INTERNAL_H

#include "disco-internal.h"

typedef struct caps_entry caps_entry;
typedef struct caps_jid caps_jid;
typedef struct caps_pending caps_pending;
typedef struct caps_state caps_state;

/* A verified hash/ver -> disco#info, most recently used first. */
struct caps_entry {
	caps_entry *next;
	char *hash;
	char *ver;
	xmppc_stanza *query;
};

/* What a JID's last available presence announced. */
struct caps_jid {
	caps_jid *next;
	char *jid;
	char *hash;
	char *ver;
};

/* A verification in flight (user data of a disco query; owned by it). */
struct caps_pending {
	caps_pending *next;
	caps_state *st; /* NULL once the module is detached */
	xmppc_ctx *ctx;
	char *hash;
	char *ver;
};

struct caps_state {
	xmppc_session *s;
	xmppc_ctx *ctx;
	char *node;
	char *hash;
	xmppc_caps_fn on_caps;
	xmppc_caps_load_fn load;
	xmppc_caps_save_fn save;
	void *ud;
	void (*destroy)(void *);
	size_t cache_max;
	size_t pending_max;
	size_t n_entries;
	size_t n_pending;
	caps_entry *entries;
	caps_jid *jids;
	caps_pending *pending;
	unsigned token;
};

caps_state *xmppc__caps_state(const xmppc_session *s);
int xmppc__caps_on_presence(void *ud, xmppc_session *s, const xmppc_stanza *presence);
void xmppc__caps_entries_free(caps_state *st);
void xmppc__caps_jids_free(caps_state *st);
/* Verify `query` against hash/ver and cache a copy (saved through the store
 * unless it came from there). The cached query, or NULL if it does not
 * verify (or memory ran out). */
const xmppc_stanza *xmppc__caps_verify_insert(caps_state *st, const char *hash, const char *ver,
                                              const xmppc_stanza *query, int from_store);
/* The verified query of hash/ver, from memory or the store; or NULL. */
const xmppc_stanza *xmppc__caps_find(caps_state *st, const char *hash, const char *ver);

#endif
