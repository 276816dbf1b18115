/* The presence module's state (lib/ext/roster/presence-*.c). Public API
 * only; hidden functions. */
#ifndef XMPPC_EXT_PRESENCE_INTERNAL_H
#define XMPPC_EXT_PRESENCE_INTERNAL_H

#include <xmppc/presence.h>

/* One available resource, with the strings and stanza it points to. */
typedef struct ps_res {
	xmppc_presence_info pub;
	char *jid;
	char *status;
	xmppc_stanza *stanza;
	uint64_t seq; /* arrival order, for "most recent" */
} ps_res;

/* A contact (bare JID) with at least one available resource. */
typedef struct ps_contact {
	char *bare; /* first: searched by it */
	void **res; /* ps_res *, in order of arrival */
	size_t n, cap;
} ps_contact;

typedef struct presence_state {
	xmppc_ctx *ctx;
	unsigned flags;
	void **contacts; /* ps_contact *, sorted by bare JID */
	size_t n, cap;
	char **pending; /* bare JIDs of unanswered subscription requests */
	size_t n_pending;
	uint64_t seq;
	unsigned tok_obs, tok_event;
	xmppc_presence_event_fn fn;
	void *user_data;
	void (*destroy)(void *user_data);
} presence_state;

/* presence-track.c */
ps_contact *xmppc__ps_contact(const presence_state *st, const char *bare, size_t *pos);
/* Insert or update the resource @full of @bare from an available
 * presence; *out receives it. */
int xmppc__ps_update(ps_res **out, presence_state *st, const char *bare, const char *full,
                     const xmppc_stanza *presence);
/* Unlink the resource @full of @bare (NULL @full: all of them); the
 * removed resources are handed to @fn one by one, then freed. */
void xmppc__ps_remove(presence_state *st, const char *bare, const char *full,
                      void (*fn)(void *ud, const ps_res *r), void *ud);
void xmppc__ps_clear(presence_state *st);

/* presence-pending.c */
int xmppc__ps_pending_add(presence_state *st, const char *bare);
void xmppc__ps_pending_remove(presence_state *st, const char *bare);
void xmppc__ps_pending_clear(presence_state *st);

/* presence-module.c: the observer */
int xmppc__ps_on_presence(void *user_data, xmppc_session *s, const xmppc_stanza *p);

#endif
