/* Received caps (XEP-0115 §6.3): each available presence with a <c/>
 * maps its sender to a hash/ver; an unknown pair is verified by asking
 * the sender for disco#info on NODE#VER, once per pair at a time and with
 * a bound on verifications in flight, so a flood of made-up ver values
 * costs at most pending_max queries. */
#include <stdio.h>
#include <string.h>

#include "caps-internal.h"

static void jid_free(caps_state *st, caps_jid *j)
{
	xmppc_free(st->ctx, j->jid);
	xmppc_free(st->ctx, j->hash);
	xmppc_free(st->ctx, j->ver);
	xmppc_free(st->ctx, j);
}

void xmppc__caps_jids_free(caps_state *st)
{
	while (st->jids != NULL) {
		caps_jid *j = st->jids;
		st->jids = j->next;
		jid_free(st, j);
	}
}

static caps_jid **jid_find(caps_state *st, const char *jid)
{
	caps_jid **pp;

	for (pp = &st->jids; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->jid, jid) == 0)
			break;
	return pp;
}

static void jid_forget(caps_state *st, const char *jid)
{
	caps_jid **pp = jid_find(st, jid), *j = *pp;

	if (j != NULL) {
		*pp = j->next;
		jid_free(st, j);
	}
}

/* 1 if the JID now maps to hash/ver and did not before, 0 if unchanged,
 * negative on error. */
static int jid_set(caps_state *st, const char *jid, const char *hash, const char *ver)
{
	caps_jid **pp = jid_find(st, jid), *j = *pp;

	if (j != NULL && strcmp(j->hash, hash) == 0 && strcmp(j->ver, ver) == 0)
		return 0;
	if (j != NULL) {
		*pp = j->next;
		jid_free(st, j);
	}
	if ((j = xmppc_calloc(st->ctx, 1, sizeof(*j))) == NULL)
		return XMPPC_ENOMEM;
	if ((j->jid = xmppc_strdup(st->ctx, jid)) == NULL ||
	    (j->hash = xmppc_strdup(st->ctx, hash)) == NULL ||
	    (j->ver = xmppc_strdup(st->ctx, ver)) == NULL) {
		jid_free(st, j);
		return XMPPC_ENOMEM;
	}
	j->next = st->jids;
	st->jids = j;
	return 1;
}

/* Tell the application about every JID that announced hash/ver. */
static void announce(caps_state *st, const char *hash, const char *ver, const xmppc_stanza *q)
{
	const caps_jid *j;

	if (st->on_caps == NULL)
		return;
	for (j = st->jids; j != NULL; j = j->next)
		if (strcmp(j->hash, hash) == 0 && strcmp(j->ver, ver) == 0)
			st->on_caps(st->ud, st->s, j->jid, q);
}

static void pending_destroy(void *ud)
{
	caps_pending *p = ud;
	xmppc_ctx *ctx = p->ctx;

	if (p->st != NULL) {
		caps_pending **pp;
		for (pp = &p->st->pending; *pp != NULL; pp = &(*pp)->next)
			if (*pp == p) {
				*pp = p->next;
				p->st->n_pending--;
				break;
			}
	}
	xmppc_free(ctx, p->hash);
	xmppc_free(ctx, p->ver);
	xmppc_free(ctx, p);
	xmppc_ctx_unref(ctx);
}

static void on_info(void *ud, xmppc_session *s, const xmppc_stanza *query,
                    const xmppc_stanza *reply, int error)
{
	caps_pending *p = ud;
	const xmppc_stanza *q;

	(void)s;
	(void)reply;
	if (p->st == NULL || error != 0)
		return;
	q = xmppc__caps_verify_insert(p->st, p->hash, p->ver, query, 0);
	if (q != NULL)
		announce(p->st, p->hash, p->ver, q);
}

static void verify(caps_state *st, const char *jid, const char *node, const char *hash,
                   const char *ver)
{
	caps_pending *p;
	char *qnode;
	size_t len;
	int rc;

	for (p = st->pending; p != NULL; p = p->next)
		if (strcmp(p->hash, hash) == 0 && strcmp(p->ver, ver) == 0)
			return; /* asked already: the answer will announce this JID too */
	if (st->n_pending >= st->pending_max)
		return;
	len = strlen(node) + strlen(ver) + 2;
	if ((qnode = xmppc_malloc(st->ctx, len)) == NULL)
		return;
	snprintf(qnode, len, "%s#%s", node, ver);
	if ((p = xmppc_calloc(st->ctx, 1, sizeof(*p))) == NULL) {
		xmppc_free(st->ctx, qnode);
		return;
	}
	p->ctx = xmppc_ctx_ref(st->ctx);
	p->hash = xmppc_strdup(st->ctx, hash);
	p->ver = xmppc_strdup(st->ctx, ver);
	rc = p->hash == NULL || p->ver == NULL
	         ? XMPPC_ENOMEM
	         : xmppc_disco_get_info(st->s, jid, qnode, XMPPC_DISCO_FRESH, on_info, p,
	                                pending_destroy);
	xmppc_free(st->ctx, qnode);
	if (rc != 0) {
		pending_destroy(p);
		return;
	}
	p->st = st;
	p->next = st->pending;
	st->pending = p;
	st->n_pending++;
}

/* Our own presence comes back from the server: no need to ask ourselves. */
static const xmppc_stanza *own(caps_state *st, const char *hash, const char *ver)
{
	const xmppc_stanza *q = NULL;
	xmppc_stanza *info;

	if (strcmp(hash, st->hash) != 0 || xmppc_disco_own_info(&info, st->s, NULL) != 0)
		return NULL;
	q = xmppc__caps_verify_insert(st, hash, ver, info, 0);
	xmppc_stanza_unref(info);
	return q;
}

int xmppc__caps_on_presence(void *ud, xmppc_session *s, const xmppc_stanza *presence)
{
	caps_state *st = ud;
	const char *from = xmppc_stanza_from(presence), *hash, *ver, *node, *jid;
	xmppc_stanza_type type = xmppc_stanza_get_type(presence);
	const xmppc_stanza *c, *q;
	xmppc_jid *j;

	(void)s;
	if (from == NULL || xmppc_jid_new(&j, st->ctx, from) != 0)
		return XMPPC_CB_PASS;
	jid = xmppc_jid_full(j);
	c = xmppc_stanza_find_child(presence, "c", XMPPC_NS_CAPS);
	hash = xmppc_stanza_attr(c, "hash");
	ver = xmppc_stanza_attr(c, "ver");
	node = xmppc_stanza_attr(c, "node");
	if (type != XMPPC_TYPE_AVAILABLE) {
		if (type == XMPPC_TYPE_UNAVAILABLE)
			jid_forget(st, jid);
	} else if (hash == NULL || ver == NULL || node == NULL || ver[0] == '\0') {
		jid_forget(st, jid); /* no caps, or legacy caps without 'hash' (§1.3) */
	} else if (jid_set(st, jid, hash, ver) == 1) {
		if ((q = xmppc__caps_find(st, hash, ver)) != NULL || (q = own(st, hash, ver)) != NULL) {
			if (st->on_caps != NULL)
				st->on_caps(st->ud, st->s, jid, q);
		} else
			verify(st, jid, node, hash, ver);
	}
	xmppc_jid_unref(j);
	return XMPPC_CB_PASS;
}

XMPPC_API const xmppc_stanza *xmppc_caps_get_info(xmppc_session *session, const char *jid)
{
	caps_state *st;
	const caps_jid *m;
	const xmppc_stanza *q = NULL;
	xmppc_jid *j;

	if (session == NULL || jid == NULL || (st = xmppc__caps_state(session)) == NULL ||
	    xmppc_jid_new(&j, st->ctx, jid) != 0)
		return NULL;
	m = *jid_find(st, xmppc_jid_full(j));
	if (m != NULL)
		q = xmppc__caps_find(st, m->hash, m->ver);
	xmppc_jid_unref(j);
	return q;
}
