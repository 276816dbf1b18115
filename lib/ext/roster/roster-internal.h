/* The roster module's state and its parts (lib/ext/roster/roster-*.c).
 * Public API only; hidden functions. */
#ifndef XMPPC_EXT_ROSTER_INTERNAL_H
#define XMPPC_EXT_ROSTER_INTERNAL_H

#include <xmppc/roster.h>

/* An item with the strings it points to. pub.jid is first in memory so
 * the sorted array can be searched by it (see rp_search). */
typedef struct rs_item {
	xmppc_roster_item pub; /* strings below */
	char *jid;
	char *name;
	char **groups;
} rs_item;

/* Items sorted bytewise by JID. */
typedef struct rs_list {
	void **v; /* rs_item * */
	size_t n, cap;
} rs_list;

static inline rs_item *rs_at(const rs_list *l, size_t i)
{
	return (rs_item *)l->v[i];
}

typedef struct roster_state {
	xmppc_ctx *ctx;
	unsigned flags;
	xmppc_roster_store store;
	int has_store;
	rs_list items;
	char *ver;      /* version of the copy, or NULL */
	int loaded;     /* a fetch succeeded */
	char *fetch_id; /* id of the fetch in flight, or NULL */
	unsigned tok_push, tok_event;
	xmppc_roster_event_fn fn;
	void *user_data;
	void (*destroy)(void *user_data);
} roster_state;

/* roster-items.c: parse an <item/> (RFC 6121 §2.1.2). XMPPC_EPROTOCOL
 * for an item the spec does not allow (no or bad JID, unknown
 * subscription, empty group). */
int xmppc__rs_item_parse(rs_item **out, xmppc_ctx *ctx, const xmppc_stanza *el);
void xmppc__rs_item_free(xmppc_ctx *ctx, rs_item *it);
/* Append <item/> for @it to @query; @full adds subscription, ask and
 * approved (for the store; a roster set must not carry them). */
int xmppc__rs_item_write(xmppc_stanza *query, const xmppc_roster_item *it, int full);
rs_item *xmppc__rs_find(const rs_list *l, const char *jid, size_t *pos);
/* Insert or replace (the old item is freed); takes @it even on error. */
int xmppc__rs_put(xmppc_ctx *ctx, rs_list *l, rs_item *it);
void xmppc__rs_clear(xmppc_ctx *ctx, rs_list *l);

/* roster-store.c: load the store's snapshot into st (at attach); save the
 * current copy (logged on failure). */
void xmppc__rs_store_load(roster_state *st);
void xmppc__rs_store_save(roster_state *st);
/* Fill @l and the version from a <query/> (a result or a snapshot):
 * items that break the rules are skipped. */
int xmppc__rs_read_query(roster_state *st, rs_list *l, char **ver, const xmppc_stanza *query);

/* roster-module.c: fire the event callback. */
void xmppc__rs_emit(xmppc_session *s, roster_state *st, xmppc_roster_event_type type,
                    const xmppc_roster_item *item, int error, const xmppc_stanza *stanza);

/* roster-push.c: the push handler (IQ set jabber:iq:roster query). */
int xmppc__rs_on_push(void *user_data, xmppc_session *s, const xmppc_stanza *iq);

#endif
