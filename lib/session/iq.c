/* Outgoing IQs: each get/set is tracked by id until exactly one of its
 * reply, its timeout or the end of the stream reaches the callback.
 * Replies are matched on id *and* sender (RFC 6120 §8.1.2.1): a reply with
 * the right id from anyone else is ignored, so a third party cannot answer
 * for the server (the lesson of Smack's CVE-2014-0364). */
#include <string.h>

#include "session/session-internal.h"
#include "util/ctx.h"

struct pending_iq {
	pending_iq *next; /* ordered by deadline */
	char *id;
	xmppc_jid *to;
	uint64_t deadline;
	xmppc_iq_reply_fn fn;
	xmppc__iq_internal_fn internal;
	void *ud;
	void (*destroy)(void *);
};

static void free_pending(xmppc_session *s, pending_iq *p)
{
	if (p->destroy != NULL)
		p->destroy(p->ud);
	xmppc_jid_unref(p->to);
	xmppc__free(s->ctx, p->id);
	xmppc__free(s->ctx, p);
}

static void unlink_pending(xmppc_session *s, pending_iq *p)
{
	pending_iq **pp;

	for (pp = &s->pending_list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	xmppc__hash_remove(&s->pending, p->id, strlen(p->id));
}

static void fire(xmppc_session *s, pending_iq *p, const xmppc_stanza *reply, int error)
{
	unlink_pending(s, p);
	s->depth++;
	if (p->internal != NULL)
		p->internal(s, reply, error);
	else if (p->fn != NULL)
		p->fn(p->ud, s, reply, error);
	s->depth--;
	free_pending(s, p);
}

static int track(xmppc_session *s, const xmppc_stanza *iq, xmppc_iq_reply_fn fn,
                 xmppc__iq_internal_fn internal, uint32_t timeout, void *ud, void (*destroy)(void *))
{
	xmppc_stanza_type t = xmppc_stanza_get_type(iq);
	const char *id = xmppc_stanza_id(iq), *to = xmppc_stanza_to(iq);
	pending_iq *p, **pp;
	int rc;

	if (xmppc_stanza_get_kind(iq) != XMPPC_STANZA_IQ || (t != XMPPC_TYPE_GET && t != XMPPC_TYPE_SET) ||
	    id == NULL || id[0] == '\0')
		return XMPPC_EINVAL;
	if (xmppc__hash_get(&s->pending, id, strlen(id)) != NULL)
		return XMPPC_EEXIST;
	p = xmppc__calloc(s->ctx, 1, sizeof(*p));
	if (p == NULL)
		return XMPPC_ENOMEM;
	p->id = xmppc__strndup(s->ctx, id, strlen(id));
	if (p->id == NULL) {
		xmppc__free(s->ctx, p);
		return XMPPC_ENOMEM;
	}
	if (to != NULL && (rc = xmppc_jid_new(&p->to, s->ctx, to)) != 0) {
		xmppc__free(s->ctx, p->id);
		xmppc__free(s->ctx, p);
		return rc == XMPPC_ENOMEM ? rc : XMPPC_EINVAL;
	}
	if ((rc = xmppc__hash_insert(&s->pending, p->id, strlen(p->id), p)) != 0 ||
	    (rc = xmppc__session_write(s, iq)) != 0) {
		xmppc__hash_remove(&s->pending, p->id, strlen(p->id));
		free_pending(s, p); /* fn/ud/destroy are not set yet: nothing of the caller's is touched */
		return rc;
	}
	p->fn = fn;
	p->internal = internal;
	p->ud = ud;
	p->destroy = destroy;
	p->deadline = xmppc_ctx_now(s->ctx) + (timeout ? timeout : s->iq_timeout);
	for (pp = &s->pending_list; *pp != NULL && (*pp)->deadline <= p->deadline; pp = &(*pp)->next)
		;
	p->next = *pp;
	*pp = p;
	return 0;
}

XMPPC_API int xmppc_session_send_iq(xmppc_session *s, const xmppc_stanza *iq, xmppc_iq_reply_fn fn,
                                    uint32_t timeout_ms, void *user_data, void (*destroy)(void *))
{
	if (s == NULL || iq == NULL)
		return XMPPC_EINVAL;
	if (s->state != XMPPC_SESSION_STATE_READY || s->doomed)
		return XMPPC_ESTATE;
	if (xmppc__session_output_room(s) != 0)
		return XMPPC_EAGAIN;
	return track(s, iq, fn, NULL, timeout_ms, user_data, destroy);
}

int xmppc__iq_send_internal(xmppc_session *s, xmppc_stanza *iq, xmppc__iq_internal_fn fn)
{
	return track(s, iq, NULL, fn, 0, NULL, NULL);
}

/* RFC 6120 §8.1.2.1: a request to X is answered by X; a request with no
 * 'to' is handled by the server for the account, so the answer comes with
 * no 'from', from the account's bare JID, or from its server. */
static int sender_ok(const xmppc_session *s, const pending_iq *p, const char *from)
{
	xmppc_jid *f;
	int ok, rc;

	if (p->to == NULL || (xmppc_jid_is_bare(p->to) && xmppc_jid_equal(p->to, s->account))) {
		if (from == NULL)
			return 1;
		if ((rc = xmppc_jid_new(&f, s->ctx, from)) != 0)
			return rc == XMPPC_ENOMEM ? rc : 0;
		ok = xmppc_jid_equal(f, s->account) ||
		     (s->bound != NULL && xmppc_jid_equal(f, s->bound)) ||
		     (p->to == NULL && xmppc_jid_local(f) == NULL && xmppc_jid_is_bare(f) &&
		      strcmp(xmppc_jid_domain(f), xmppc_jid_domain(s->account)) == 0);
		xmppc_jid_unref(f);
		return ok;
	}
	if (from == NULL)
		return 0;
	if ((rc = xmppc_jid_new(&f, s->ctx, from)) != 0)
		return rc == XMPPC_ENOMEM ? rc : 0;
	ok = xmppc_jid_equal(f, p->to);
	xmppc_jid_unref(f);
	return ok;
}

int xmppc__iq_on_reply(xmppc_session *s, const xmppc_stanza *iq)
{
	xmppc_stanza_type t = xmppc_stanza_get_type(iq);
	const char *id = xmppc_stanza_id(iq);
	pending_iq *p;
	int ok;

	if (t != XMPPC_TYPE_RESULT && t != XMPPC_TYPE_ERROR)
		return 0;
	p = id != NULL ? xmppc__hash_get(&s->pending, id, strlen(id)) : NULL;
	if (p == NULL) {
		XMPPC_LOG(s->ctx, XMPPC_LOG_DEBUG, "iq", "reply with unknown id '%s' ignored", id ? id : "");
		return 0;
	}
	ok = sender_ok(s, p, xmppc_stanza_from(iq));
	if (ok < 0)
		return ok;
	if (!ok) {
		XMPPC_LOG(s->ctx, XMPPC_LOG_WARN, "iq", "reply to '%s' from '%s' ignored: not the addressee",
		          id, xmppc_stanza_from(iq) ? xmppc_stanza_from(iq) : "(none)");
		return 0;
	}
	fire(s, p, iq, t == XMPPC_TYPE_ERROR ? XMPPC_IQ_ERROR_REPLY : 0);
	return 0;
}

uint64_t xmppc__iq_next_deadline(const xmppc_session *s)
{
	return s->pending_list != NULL ? s->pending_list->deadline : 0;
}

void xmppc__iq_expire(xmppc_session *s, uint64_t now)
{
	while (s->pending_list != NULL && s->pending_list->deadline <= now && !s->doomed)
		fire(s, s->pending_list, NULL, XMPPC_ETIMEOUT);
}

void xmppc__iq_fail_all(xmppc_session *s, int error)
{
	while (s->pending_list != NULL)
		fire(s, s->pending_list, NULL, error);
}

void xmppc__iq_fini(xmppc_session *s)
{
	while (s->pending_list != NULL) {
		pending_iq *p = s->pending_list;
		unlink_pending(s, p);
		free_pending(s, p);
	}
	xmppc__hash_fini(&s->pending);
}
