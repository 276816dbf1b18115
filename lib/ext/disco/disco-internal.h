/* Shared state of the disco and caps modules (lib/ext/disco). Written
 * against the public API only; nothing here is exported. */
#ifndef XMPPC_EXT_DISCO_INTERNAL_H
#define XMPPC_EXT_DISCO_INTERNAL_H

#include <xmppc/caps.h>
#include <xmppc/disco.h>

typedef struct disco_node disco_node;
typedef struct disco_form disco_form;
typedef struct disco_entry disco_entry;
typedef struct disco_query disco_query;

/* A node we serve (node NULL: the items of our own JID). */
struct disco_node {
	disco_node *next;
	char *node;
	xmppc_disco_node_fn info;
	xmppc_disco_node_fn items;
	void *ud;
	void (*destroy)(void *);
};

/* An extension form (XEP-0128) of our info. */
struct disco_form {
	disco_form *next;
	char *form_type;
	xmppc_stanza *form;
};

/* A cached result, most recently stored first. */
struct disco_entry {
	disco_entry *next;
	int items;        /* 1: disco#items, 0: disco#info */
	char *jid;        /* normalized full or bare JID */
	char *node;       /* or NULL */
	xmppc_stanza *query; /* its own tree */
	uint64_t at;
};

typedef struct disco_state {
	xmppc_session *s;
	xmppc_ctx *ctx;
	xmppc_disco_identity *ids; /* our identities; strings owned */
	size_t n_ids;
	uint32_t ttl;
	uint32_t timeout;
	size_t cache_max;
	size_t cache_n;
	disco_node *nodes;
	disco_form *forms;
	disco_entry *cache;
	disco_query *queries; /* pending queries (unlinked from us on detach) */
	unsigned tok_info;
	unsigned tok_items;
} disco_state;

/* A query in flight; the session owns it (user data of the IQ). */
struct disco_query {
	disco_query *next;
	disco_state *st; /* NULL once the module is detached */
	xmppc_ctx *ctx;
	int items;
	char *jid;
	char *node;
	xmppc_disco_result_fn fn;
	void *ud;
	void (*destroy)(void *);
};

/* The disco state of a session, or NULL. */
disco_state *xmppc__disco_state(const xmppc_session *s);

/* Append our identities, features and forms to `query`. */
int xmppc__disco_fill_info(disco_state *st, xmppc_stanza *query);

/* IQ handlers for disco#info and disco#items gets (disco-responder.c). */
int xmppc__disco_on_info(void *ud, xmppc_session *s, const xmppc_stanza *iq);
int xmppc__disco_on_items(void *ud, xmppc_session *s, const xmppc_stanza *iq);

void xmppc__disco_nodes_free(disco_state *st);
void xmppc__disco_forms_free(disco_state *st);

/* Result cache (disco-cache.c). */
const xmppc_stanza *xmppc__disco_cache_get(disco_state *st, int items, const char *jid,
                                           const char *node);
int xmppc__disco_cache_put(disco_state *st, int items, const char *jid, const char *node,
                           const xmppc_stanza *query);
void xmppc__disco_cache_free(disco_state *st);

/* Whether `node` is our caps node "NODE#VER" for our current ver (caps
 * attached); 0 otherwise. */
int xmppc__caps_is_own_node(xmppc_session *s, const char *node);

/* "a" and "b" equal, NULL counting as "". */
int xmppc__disco_streq(const char *a, const char *b);

#endif
