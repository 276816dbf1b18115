/* Roster items: parse and write <item/> (RFC 6121 §2.1.2), and the sorted
 * list the module keeps them in. */
#include <stddef.h>
#include <string.h>

#include "roster-internal.h"
#include "rp-util.h"

static const char *const sub_names[] = {"none", "to", "from", "both", "remove"};

XMPPC_API const char *xmppc_roster_subscription_name(xmppc_roster_subscription sub)
{
	if ((unsigned)sub >= sizeof(sub_names) / sizeof(sub_names[0]))
		return NULL;
	return sub_names[sub];
}

static int parse_sub(xmppc_roster_subscription *out, const char *v)
{
	size_t i;

	*out = XMPPC_SUBSCRIPTION_NONE;
	if (v == NULL)
		return 0; /* absent means none (§2.1.2.5) */
	for (i = 0; i < sizeof(sub_names) / sizeof(sub_names[0]); i++)
		if (strcmp(v, sub_names[i]) == 0) {
			*out = (xmppc_roster_subscription)i;
			return 0;
		}
	return XMPPC_EPROTOCOL;
}

void xmppc__rs_item_free(xmppc_ctx *ctx, rs_item *it)
{
	size_t i;

	if (it == NULL)
		return;
	for (i = 0; i < it->pub.n_groups; i++)
		xmppc_free(ctx, it->groups[i]);
	xmppc_free(ctx, it->groups);
	xmppc_free(ctx, it->jid);
	xmppc_free(ctx, it->name);
	xmppc_free(ctx, it);
}

static int has_group(const rs_item *it, const char *g)
{
	size_t i;

	for (i = 0; i < it->pub.n_groups; i++)
		if (strcmp(it->groups[i], g) == 0)
			return 1;
	return 0;
}

static int read_groups(rs_item *it, xmppc_ctx *ctx, const xmppc_stanza *el)
{
	const xmppc_stanza *g;
	size_t n = xmppc_stanza_child_count(el);

	if (n == 0)
		return 0;
	if ((it->groups = xmppc_calloc(ctx, n, sizeof(char *))) == NULL)
		return XMPPC_ENOMEM;
	for (g = xmppc_stanza_find_child(el, "group", XMPPC_NS_ROSTER); g != NULL;
	     g = xmppc_stanza_find_next(g, "group", XMPPC_NS_ROSTER)) {
		const char *t = xmppc_stanza_text(g);

		if (t == NULL)
			return XMPPC_ENOMEM;
		if (*t == '\0')
			return XMPPC_EPROTOCOL; /* §2.1.2.4: a group name is never empty */
		if (has_group(it, t))
			continue; /* §2.3.3: duplicates mean nothing more */
		if ((it->groups[it->pub.n_groups] = xmppc_strdup(ctx, t)) == NULL)
			return XMPPC_ENOMEM;
		it->pub.n_groups++;
	}
	return 0;
}

int xmppc__rs_item_parse(rs_item **out, xmppc_ctx *ctx, const xmppc_stanza *el)
{
	const char *approved = xmppc_stanza_attr(el, "approved");
	const char *ask = xmppc_stanza_attr(el, "ask");
	const char *name = xmppc_stanza_attr(el, "name");
	rs_item *it;
	int rc;

	*out = NULL;
	if ((it = xmppc_calloc(ctx, 1, sizeof(*it))) == NULL)
		return XMPPC_ENOMEM;
	it->pub.version = XMPPC_ROSTER_ITEM_VERSION;
	rc = xmppc__rp_norm(&it->jid, ctx, xmppc_stanza_attr(el, "jid"), 0);
	if (rc == XMPPC_EINVAL || (rc < 0 && rc != XMPPC_ENOMEM))
		rc = XMPPC_EPROTOCOL;
	if (rc == 0)
		rc = parse_sub(&it->pub.subscription, xmppc_stanza_attr(el, "subscription"));
	if (rc == 0 && name != NULL && (it->name = xmppc_strdup(ctx, name)) == NULL)
		rc = XMPPC_ENOMEM;
	if (rc == 0)
		rc = read_groups(it, ctx, el);
	if (rc != 0) {
		xmppc__rs_item_free(ctx, it);
		return rc;
	}
	it->pub.jid = it->jid;
	it->pub.name = it->name;
	it->pub.groups = it->pub.n_groups != 0 ? (const char *const *)it->groups : NULL;
	it->pub.ask = ask != NULL && strcmp(ask, "subscribe") == 0;
	it->pub.approved =
	    approved != NULL && (strcmp(approved, "true") == 0 || strcmp(approved, "1") == 0);
	*out = it;
	return 0;
}

int xmppc__rs_item_write(xmppc_stanza *query, const xmppc_roster_item *it, int full)
{
	xmppc_stanza *el;
	size_t i;
	int rc;

	if ((rc = xmppc_stanza_new_child(&el, query, "item", NULL)) != 0 ||
	    (rc = xmppc_stanza_set_attr(el, "jid", it->jid)) != 0)
		return rc;
	if (it->name != NULL && (rc = xmppc_stanza_set_attr(el, "name", it->name)) != 0)
		return rc;
	if (full) {
		if (it->subscription != XMPPC_SUBSCRIPTION_NONE &&
		    (rc = xmppc_stanza_set_attr(
		         el, "subscription", xmppc_roster_subscription_name(it->subscription))) !=
		        0)
			return rc;
		if (it->ask && (rc = xmppc_stanza_set_attr(el, "ask", "subscribe")) != 0)
			return rc;
		if (it->approved && (rc = xmppc_stanza_set_attr(el, "approved", "true")) != 0)
			return rc;
	}
	for (i = 0; i < it->n_groups; i++) {
		if (it->groups[i] == NULL || it->groups[i][0] == '\0')
			return XMPPC_EINVAL;
		if ((rc = xmppc_stanza_new_text_child(NULL, el, "group", NULL, it->groups[i])) != 0)
			return rc;
	}
	return 0;
}

rs_item *xmppc__rs_find(const rs_list *l, const char *jid, size_t *pos)
{
	int found;
	size_t i = xmppc__rp_search(l->v, l->n, offsetof(rs_item, pub.jid), jid, &found);

	if (pos != NULL)
		*pos = i;
	return found ? rs_at(l, i) : NULL;
}

int xmppc__rs_put(xmppc_ctx *ctx, rs_list *l, rs_item *it)
{
	size_t pos;
	rs_item *old = xmppc__rs_find(l, it->jid, &pos);
	int rc;

	if (old != NULL) {
		l->v[pos] = it;
		xmppc__rs_item_free(ctx, old);
		return 0;
	}
	rc = xmppc__rp_insert(ctx, &l->v, &l->n, &l->cap, pos, it);
	if (rc != 0)
		xmppc__rs_item_free(ctx, it);
	return rc;
}

void xmppc__rs_clear(xmppc_ctx *ctx, rs_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		xmppc__rs_item_free(ctx, rs_at(l, i));
	xmppc_free(ctx, l->v);
	memset(l, 0, sizeof(*l));
}
