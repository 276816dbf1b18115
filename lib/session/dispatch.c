/* Incoming stanzas once the session is READY: IQ requests go to the one
 * handler registered for (type, payload namespace, payload element) by an
 * exact hash lookup, IQ replies to the tracker, messages and presences
 * down the ordered observer chain. Every IQ get/set gets exactly one
 * answer; results and errors never get one (RFC 6120 §8.2.3). */
#include <stdio.h>
#include <string.h>

#include "session/session-internal.h"
#include "util/ctx.h"

struct handler {
	handler *next_all; /* every handler, for tokens */
	handler *next_obs; /* observers in dispatch order */
	unsigned token;
	int is_observer;
	int is_listener; /* session-event listener */
	int is_filter;   /* send filter */
	int removed;
	char *key; /* IQ handlers: type \x1f ns \x1f element */
	xmppc_iq_handler_fn iq_fn;
	xmppc_stanza_fn obs_fn;
	xmppc_session_event_fn ev_fn;
	xmppc_send_filter_fn filter_fn;
	int priority;
	xmppc_stanza_kind kind;
	xmppc_stanza_type type;
	char *child_ns;
	xmppc_jid *from;
	void *ud;
	void (*destroy)(void *);
};

/* Write the handler key "G|S \x1f ns \x1f element" into buf; returns its
 * length, or 0 when it does not fit in cap bytes (with the NUL). */
static size_t write_key(char *buf, size_t cap, xmppc_stanza_type type, const char *ns,
                        const char *element)
{
	size_t a = strlen(ns), b = strlen(element);

	if (a + b + 4 > cap)
		return 0;
	buf[0] = type == XMPPC_TYPE_GET ? 'G' : 'S';
	buf[1] = '\x1f';
	memcpy(buf + 2, ns, a);
	buf[2 + a] = '\x1f';
	memcpy(buf + 3 + a, element, b + 1);
	return a + b + 3;
}

static char *make_key(xmppc_session *s, xmppc_stanza_type type, const char *ns, const char *element)
{
	size_t cap = strlen(ns) + strlen(element) + 4;
	char *k = xmppc__malloc(s->ctx, cap);

	if (k != NULL)
		write_key(k, cap, type, ns, element);
	return k;
}

static void free_handler(xmppc_session *s, handler *h)
{
	if (h->destroy != NULL)
		h->destroy(h->ud);
	xmppc_jid_unref(h->from);
	xmppc__free(s->ctx, h->child_ns);
	xmppc__free(s->ctx, h->key);
	xmppc__free(s->ctx, h);
}

static void link_all(xmppc_session *s, handler *h)
{
	h->token = s->next_token++;
	if (s->next_token == 0)
		s->next_token = 1;
	h->next_all = s->handlers;
	s->handlers = h;
}

XMPPC_API int xmppc_session_add_iq_handler(xmppc_session *s, const char *ns, const char *element,
                                           xmppc_stanza_type type, xmppc_iq_handler_fn fn,
                                           void *user_data, void (*destroy)(void *), unsigned *token)
{
	handler *h;
	int rc;

	if (s == NULL || ns == NULL || element == NULL || fn == NULL ||
	    (type != XMPPC_TYPE_GET && type != XMPPC_TYPE_SET))
		return XMPPC_EINVAL;
	h = xmppc__calloc(s->ctx, 1, sizeof(*h));
	if (h == NULL)
		return XMPPC_ENOMEM;
	h->key = make_key(s, type, ns, element);
	if (h->key == NULL) {
		xmppc__free(s->ctx, h);
		return XMPPC_ENOMEM;
	}
	rc = xmppc__hash_insert(&s->iq_handlers, h->key, strlen(h->key), h);
	if (rc != 0) {
		free_handler(s, h);
		return rc; /* XMPPC_EEXIST: duplicates are refused */
	}
	h->iq_fn = fn;
	h->ud = user_data;
	h->destroy = destroy;
	link_all(s, h);
	if (token != NULL)
		*token = h->token;
	return 0;
}

XMPPC_API int xmppc_session_add_observer(xmppc_session *s, const xmppc_stanza_filter *filter,
                                         int priority, xmppc_stanza_fn fn, void *user_data,
                                         void (*destroy)(void *), unsigned *token)
{
	handler *h, **pp;
	int rc;

	if (s == NULL || fn == NULL ||
	    (filter != NULL && (filter->version != XMPPC_STANZA_FILTER_VERSION ||
	                        filter->kind == XMPPC_STANZA_IQ)))
		return XMPPC_EINVAL;
	h = xmppc__calloc(s->ctx, 1, sizeof(*h));
	if (h == NULL)
		return XMPPC_ENOMEM;
	h->is_observer = 1;
	h->priority = priority;
	if (filter != NULL) {
		h->kind = filter->kind;
		h->type = filter->type;
		if (filter->child_ns != NULL &&
		    (h->child_ns = xmppc__strndup(s->ctx, filter->child_ns, strlen(filter->child_ns))) == NULL) {
			free_handler(s, h);
			return XMPPC_ENOMEM;
		}
		if (filter->from != NULL && (rc = xmppc_jid_new(&h->from, s->ctx, filter->from)) != 0) {
			free_handler(s, h);
			return rc == XMPPC_ENOMEM ? rc : XMPPC_EINVAL;
		}
	}
	h->obs_fn = fn;
	h->ud = user_data;
	h->destroy = destroy;
	/* higher priority first; equal priority keeps the order of addition */
	for (pp = &s->observers; *pp != NULL && (*pp)->priority >= priority; pp = &(*pp)->next_obs)
		;
	h->next_obs = *pp;
	*pp = h;
	link_all(s, h);
	if (token != NULL)
		*token = h->token;
	return 0;
}

/* A listener or a filter: no key, no filter, just a function. */
static int add_plain(xmppc_session *s, handler **out, void *user_data, void (*destroy)(void *),
                     unsigned *token)
{
	handler *h = xmppc__calloc(s->ctx, 1, sizeof(*h));

	if (h == NULL)
		return XMPPC_ENOMEM;
	h->ud = user_data;
	h->destroy = destroy;
	link_all(s, h);
	if (token != NULL)
		*token = h->token;
	*out = h;
	return 0;
}

XMPPC_API int xmppc_session_add_event_listener(xmppc_session *s, xmppc_session_event_fn fn,
                                               void *user_data, void (*destroy)(void *),
                                               unsigned *token)
{
	handler *h;
	int rc;

	if (s == NULL || fn == NULL)
		return XMPPC_EINVAL;
	if ((rc = add_plain(s, &h, user_data, destroy, token)) == 0) {
		h->is_listener = 1;
		h->ev_fn = fn;
	}
	return rc;
}

XMPPC_API int xmppc_session_add_send_filter(xmppc_session *s, xmppc_send_filter_fn fn,
                                            void *user_data, void (*destroy)(void *),
                                            unsigned *token)
{
	handler *h;
	int rc;

	if (s == NULL || fn == NULL)
		return XMPPC_EINVAL;
	if ((rc = add_plain(s, &h, user_data, destroy, token)) == 0) {
		h->is_filter = 1;
		h->filter_fn = fn;
	}
	return rc;
}

static void sweep(xmppc_session *s);

int xmppc__send_filters(xmppc_session *s, const xmppc_stanza *st, xmppc_stanza **out)
{
	int was = s->dispatching, rc = 0;
	xmppc_stanza *cur = NULL;
	handler *h;

	*out = NULL;
	s->dispatching = 1;
	s->depth++;
	for (h = s->handlers; h != NULL && rc == 0; h = h->next_all) {
		xmppc_stanza *rep = NULL;
		if (!h->is_filter || h->removed)
			continue;
		rc = h->filter_fn(h->ud, s, cur != NULL ? cur : st, &rep);
		if (rep != NULL) {
			xmppc_stanza_unref(cur);
			cur = rep;
		}
	}
	s->depth--;
	s->dispatching = was;
	sweep(s);
	if (rc < 0) {
		xmppc_stanza_unref(cur);
		return rc;
	}
	*out = cur;
	return 0;
}

void xmppc__listeners_event(xmppc_session *s, const xmppc_session_event *ev)
{
	int was = s->dispatching;
	handler *h;

	s->dispatching = 1;
	s->depth++;
	for (h = s->handlers; h != NULL && !s->doomed; h = h->next_all)
		if (h->is_listener && !h->removed)
			h->ev_fn(h->ud, s, ev);
	s->depth--;
	s->dispatching = was;
	sweep(s);
}

static void unlink_handler(xmppc_session *s, handler *h)
{
	handler **pp;

	for (pp = &s->handlers; *pp != NULL; pp = &(*pp)->next_all)
		if (*pp == h) {
			*pp = h->next_all;
			break;
		}
	if (h->is_observer) {
		for (pp = &s->observers; *pp != NULL; pp = &(*pp)->next_obs)
			if (*pp == h) {
				*pp = h->next_obs;
				break;
			}
	} else if (h->key != NULL) {
		xmppc__hash_remove(&s->iq_handlers, h->key, strlen(h->key));
	}
	free_handler(s, h);
}

static void remove_handler(xmppc_session *s, handler *h)
{
	if (h->removed)
		return;
	h->removed = 1;
	if (!h->is_observer && h->key != NULL)
		xmppc__hash_remove(&s->iq_handlers, h->key, strlen(h->key));
	if (s->dispatching)
		s->sweep_needed = 1; /* unlinked after the current dispatch */
	else
		unlink_handler(s, h);
}

static void sweep(xmppc_session *s)
{
	handler *h = s->handlers, *next;

	if (!s->sweep_needed || s->dispatching)
		return;
	s->sweep_needed = 0;
	for (; h != NULL; h = next) {
		next = h->next_all;
		if (h->removed)
			unlink_handler(s, h);
	}
}

XMPPC_API int xmppc_session_remove_handler(xmppc_session *s, unsigned token)
{
	handler *h;

	if (s == NULL)
		return XMPPC_EINVAL;
	for (h = s->handlers; h != NULL; h = h->next_all)
		if (h->token == token && !h->removed) {
			remove_handler(s, h);
			return 0;
		}
	return XMPPC_ENOTFOUND;
}

void xmppc__handlers_fini(xmppc_session *s)
{
	while (s->handlers != NULL) {
		handler *h = s->handlers;
		s->handlers = h->next_all;
		free_handler(s, h);
	}
	s->observers = NULL;
	xmppc__hash_fini(&s->iq_handlers);
}

/* ---- dispatch ---------------------------------------------------------------- */

/* An answer we owe must go out: if it cannot (no memory), the stream
 * fails rather than leave a request silently unanswered. */
static int answer_error(xmppc_session *s, const xmppc_stanza *iq, xmppc_error_type type,
                        xmppc_stanza_condition cond)
{
	xmppc_stanza *r;
	int rc = xmppc_stanza_new_error_reply(&r, iq, type, cond, NULL);

	if (rc == 0) {
		rc = xmppc__session_write(s, r);
		xmppc_stanza_unref(r);
	}
	return rc;
}

static int on_iq_request(xmppc_session *s, const xmppc_stanza *iq, xmppc_stanza_type t)
{
	const xmppc_stanza *payload = xmppc_stanza_find_child(iq, NULL, NULL);
	handler *h;
	char stack_key[256], *key = stack_key;
	size_t klen;
	int rc;

	/* RFC 6120 §8.2.3: a get or set has exactly one payload element. */
	if (payload == NULL || xmppc_stanza_child_count(iq) != 1 || xmppc_stanza_ns(payload) == NULL)
		return answer_error(s, iq, XMPPC_ERRTYPE_MODIFY, XMPPC_COND_BAD_REQUEST);
	/* The lookup key is built on the stack: no allocation per request
	 * unless the namespace is unusually long. */
	klen = write_key(stack_key, sizeof(stack_key), t, xmppc_stanza_ns(payload),
	                 xmppc_stanza_name(payload));
	if (klen == 0) {
		key = make_key(s, t, xmppc_stanza_ns(payload), xmppc_stanza_name(payload));
		if (key == NULL)
			return XMPPC_ENOMEM;
		klen = strlen(key);
	}
	h = xmppc__hash_get(&s->iq_handlers, key, klen);
	if (key != stack_key)
		xmppc__free(s->ctx, key);
	if (h == NULL)
		return answer_error(s, iq, XMPPC_ERRTYPE_CANCEL, XMPPC_COND_SERVICE_UNAVAILABLE);
	s->depth++;
	s->dispatching++;
	rc = h->iq_fn(h->ud, s, iq);
	s->dispatching--;
	s->depth--;
	if (s->doomed)
		return 0;
	if (rc == XMPPC_CB_REMOVE)
		remove_handler(s, h);
	sweep(s);
	if (rc == XMPPC_CB_PASS)
		return answer_error(s, iq, XMPPC_ERRTYPE_CANCEL, XMPPC_COND_SERVICE_UNAVAILABLE);
	if (rc < 0)
		return answer_error(s, iq, XMPPC_ERRTYPE_CANCEL, XMPPC_COND_INTERNAL_SERVER_ERROR);
	return 0;
}

static int observer_matches(xmppc_session *s, const handler *h, const xmppc_stanza *st,
                            xmppc_stanza_kind kind)
{
	if (h->removed || (h->kind != XMPPC_STANZA_OTHER && h->kind != kind))
		return 0;
	if (h->type != XMPPC_TYPE_NONE && xmppc_stanza_get_type(st) != h->type)
		return 0;
	if (h->child_ns != NULL && xmppc_stanza_find_child(st, NULL, h->child_ns) == NULL)
		return 0;
	if (h->from != NULL) {
		xmppc_jid *f;
		int ok, rc;
		if (xmppc_stanza_from(st) == NULL)
			return 0;
		if ((rc = xmppc_jid_new(&f, s->ctx, xmppc_stanza_from(st))) != 0)
			return rc == XMPPC_ENOMEM ? rc : 0;
		ok = xmppc_jid_is_bare(h->from) ? xmppc_jid_bare_equal(f, h->from) : xmppc_jid_equal(f, h->from);
		xmppc_jid_unref(f);
		return ok;
	}
	return 1;
}

int xmppc__dispatch(xmppc_session *s, const xmppc_stanza *st)
{
	xmppc_stanza_kind kind = xmppc_stanza_get_kind(st);
	xmppc_stanza_type t = xmppc_stanza_get_type(st);
	handler *h;

	if (kind == XMPPC_STANZA_IQ) {
		if (t == XMPPC_TYPE_RESULT || t == XMPPC_TYPE_ERROR)
			return xmppc__iq_on_reply(s, st);
		if (t == XMPPC_TYPE_GET || t == XMPPC_TYPE_SET)
			return on_iq_request(s, st, t);
		/* no valid type: a malformed request, answered once (never a
		 * reply to a reply: those have a valid type) */
		if (xmppc_stanza_id(st) != NULL)
			return answer_error(s, st, XMPPC_ERRTYPE_MODIFY, XMPPC_COND_BAD_REQUEST);
		return 0;
	}
	s->dispatching++;
	for (h = s->observers; h != NULL && !s->doomed; h = h->next_obs) {
		int rc = observer_matches(s, h, st, kind);
		if (rc < 0) {
			s->dispatching--;
			return rc;
		}
		if (rc == 0)
			continue;
		s->depth++;
		rc = h->obs_fn(h->ud, s, st);
		s->depth--;
		if (rc == XMPPC_CB_REMOVE)
			remove_handler(s, h);
		else if (rc == XMPPC_CB_OK)
			break;
	}
	s->dispatching--;
	if (!s->doomed)
		sweep(s);
	return 0;
}
