/* Per-contact, per-resource presence (RFC 6121 §4): who is online, on
 * which resources, with which show, status and priority. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "presence-internal.h"
#include "rp-util.h"

static const char *const show_names[] = {NULL, "chat", "away", "xa", "dnd"};

XMPPC_API const char *xmppc_presence_show_name(xmppc_presence_show show)
{
	if ((unsigned)show >= sizeof(show_names) / sizeof(show_names[0]))
		return NULL;
	return show_names[show];
}

static xmppc_presence_show parse_show(const xmppc_stanza *p)
{
	const xmppc_stanza *el = xmppc_stanza_find_child(p, "show", XMPPC_NS_CLIENT);
	const char *t = el != NULL ? xmppc_stanza_text(el) : NULL;
	size_t i;

	for (i = 1; t != NULL && i < sizeof(show_names) / sizeof(show_names[0]); i++)
		if (strcmp(t, show_names[i]) == 0)
			return (xmppc_presence_show)i;
	return XMPPC_SHOW_NONE;
}

/* §4.7.2.3: an integer -128..127; anything else counts as 0 */
static int parse_priority(const xmppc_stanza *p)
{
	const xmppc_stanza *el = xmppc_stanza_find_child(p, "priority", XMPPC_NS_CLIENT);
	const char *t = el != NULL ? xmppc_stanza_text(el) : NULL;
	char *end;
	long v;

	if (t == NULL || *t == '\0')
		return 0;
	v = strtol(t, &end, 10);
	if (*end != '\0' || v < -128 || v > 127)
		return 0;
	return (int)v;
}

/* The default-language status: the first without xml:lang, else the first. */
static const char *parse_status(const xmppc_stanza *p)
{
	const xmppc_stanza *el, *first = xmppc_stanza_find_child(p, "status", XMPPC_NS_CLIENT);

	for (el = first; el != NULL; el = xmppc_stanza_find_next(el, "status", XMPPC_NS_CLIENT))
		if (xmppc_stanza_lang(el) == NULL)
			return xmppc_stanza_text(el);
	return first != NULL ? xmppc_stanza_text(first) : NULL;
}

static void res_free(xmppc_ctx *ctx, ps_res *r)
{
	xmppc_free(ctx, r->jid);
	xmppc_free(ctx, r->status);
	xmppc_stanza_unref(r->stanza);
	xmppc_free(ctx, r);
}

static void contact_free(xmppc_ctx *ctx, ps_contact *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		res_free(ctx, c->res[i]);
	xmppc_free(ctx, c->res);
	xmppc_free(ctx, c->bare);
	xmppc_free(ctx, c);
}

ps_contact *xmppc__ps_contact(const presence_state *st, const char *bare, size_t *pos)
{
	int found;
	size_t i = xmppc__rp_search(st->contacts, st->n, offsetof(ps_contact, bare), bare, &found);

	if (pos != NULL)
		*pos = i;
	return found ? st->contacts[i] : NULL;
}

static int get_contact(ps_contact **out, presence_state *st, const char *bare)
{
	size_t pos;
	ps_contact *c = xmppc__ps_contact(st, bare, &pos);
	int rc;

	if ((*out = c) != NULL)
		return 0;
	if ((c = xmppc_calloc(st->ctx, 1, sizeof(*c))) == NULL ||
	    (c->bare = xmppc_strdup(st->ctx, bare)) == NULL) {
		xmppc_free(st->ctx, c);
		return XMPPC_ENOMEM;
	}
	if ((rc = xmppc__rp_insert(st->ctx, &st->contacts, &st->n, &st->cap, pos, c)) != 0) {
		contact_free(st->ctx, c);
		return rc;
	}
	*out = c;
	return 0;
}

static ps_res *find_res(const ps_contact *c, const char *full, size_t *pos)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(((ps_res *)c->res[i])->jid, full) == 0) {
			*pos = i;
			return c->res[i];
		}
	return NULL;
}

/* Fill @r from @p; on failure @r keeps its old content. */
static int fill(presence_state *st, ps_res *r, const xmppc_stanza *p)
{
	const char *status = parse_status(p);
	char *ns = NULL;

	if (status != NULL && (ns = xmppc_strdup(st->ctx, status)) == NULL)
		return XMPPC_ENOMEM;
	xmppc_free(st->ctx, r->status);
	r->status = ns;
	xmppc_stanza_unref(r->stanza);
	r->stanza = xmppc_stanza_ref((xmppc_stanza *)p);
	r->seq = ++st->seq;
	r->pub.version = XMPPC_PRESENCE_INFO_VERSION;
	r->pub.jid = r->jid;
	r->pub.status = r->status;
	r->pub.show = parse_show(p);
	r->pub.priority = parse_priority(p);
	r->pub.since_ms = xmppc_ctx_now(st->ctx);
	r->pub.stanza = r->stanza;
	return 0;
}

int xmppc__ps_update(ps_res **out, presence_state *st, const char *bare, const char *full,
                     const xmppc_stanza *presence)
{
	ps_contact *c;
	ps_res *r;
	size_t pos;
	int rc;

	*out = NULL;
	if ((rc = get_contact(&c, st, bare)) != 0)
		return rc;
	if ((r = find_res(c, full, &pos)) == NULL) {
		if ((r = xmppc_calloc(st->ctx, 1, sizeof(*r))) == NULL ||
		    (r->jid = xmppc_strdup(st->ctx, full)) == NULL ||
		    (rc = fill(st, r, presence)) != 0 ||
		    (rc = xmppc__rp_insert(st->ctx, &c->res, &c->n, &c->cap, c->n, r)) != 0) {
			if (r != NULL)
				res_free(st->ctx, r);
			if (c->n == 0)
				xmppc__ps_remove(st, bare, NULL, NULL, NULL);
			return rc != 0 ? rc : XMPPC_ENOMEM;
		}
	} else if ((rc = fill(st, r, presence)) != 0) {
		return rc;
	}
	/* the resource is what follows the bare JID and its '/' */
	r->pub.resource = strlen(r->jid) > strlen(bare) ? r->jid + strlen(bare) + 1 : "";
	*out = r;
	return 0;
}

void xmppc__ps_remove(presence_state *st, const char *bare, const char *full,
                      void (*fn)(void *ud, const ps_res *r), void *ud)
{
	size_t cpos, rpos;
	ps_contact *c = xmppc__ps_contact(st, bare, &cpos);
	ps_res *r;

	if (c == NULL)
		return;
	if (full != NULL) {
		if ((r = find_res(c, full, &rpos)) == NULL)
			return;
		xmppc__rp_erase(c->res, &c->n, rpos);
		if (fn != NULL)
			fn(ud, r);
		res_free(st->ctx, r);
		if (c->n != 0)
			return;
	} else if (fn != NULL) {
		for (rpos = 0; rpos < c->n; rpos++)
			fn(ud, c->res[rpos]);
	}
	/* the callback may have changed the array: look the contact up again */
	if ((c = xmppc__ps_contact(st, bare, &cpos)) == NULL)
		return;
	xmppc__rp_erase(st->contacts, &st->n, cpos);
	contact_free(st->ctx, c);
}

void xmppc__ps_clear(presence_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		contact_free(st->ctx, st->contacts[i]);
	xmppc_free(st->ctx, st->contacts);
	st->contacts = NULL;
	st->n = st->cap = 0;
}

static int rank(xmppc_presence_show s)
{
	static const int r[] = {1, 0, 2, 3, 4}; /* none, chat, away, xa, dnd */

	return (unsigned)s < sizeof(r) / sizeof(r[0]) ? r[s] : 5;
}

static int better(const ps_res *a, const ps_res *b)
{
	if (a->pub.priority != b->pub.priority)
		return a->pub.priority > b->pub.priority;
	if (rank(a->pub.show) != rank(b->pub.show))
		return rank(a->pub.show) < rank(b->pub.show);
	return a->seq > b->seq;
}

static ps_contact *lookup(const xmppc_session *s, const char *jid, presence_state **stp)
{
	presence_state *st;
	ps_contact *c;
	char *bare;

	if (s == NULL || (st = xmppc_session_module_state(s, XMPPC_PRESENCE_MODULE_NAME)) == NULL)
		return NULL;
	if (xmppc__rp_norm(&bare, st->ctx, jid, 1) != 0)
		return NULL;
	c = xmppc__ps_contact(st, bare, NULL);
	xmppc_free(st->ctx, bare);
	if (stp != NULL)
		*stp = st;
	return c;
}

XMPPC_API size_t xmppc_presence_resource_count(const xmppc_session *s, const char *jid)
{
	ps_contact *c = lookup(s, jid, NULL);

	return c != NULL ? c->n : 0;
}

XMPPC_API const xmppc_presence_info *xmppc_presence_resource_at(const xmppc_session *s,
                                                                const char *jid, size_t index)
{
	ps_contact *c = lookup(s, jid, NULL);

	if (c == NULL || index >= c->n)
		return NULL;
	return &((ps_res *)c->res[index])->pub;
}

XMPPC_API const xmppc_presence_info *xmppc_presence_best(const xmppc_session *s, const char *jid)
{
	ps_contact *c = lookup(s, jid, NULL);
	ps_res *best = NULL;
	size_t i;

	for (i = 0; c != NULL && i < c->n; i++)
		if (best == NULL || better(c->res[i], best))
			best = c->res[i];
	return best != NULL ? &best->pub : NULL;
}
