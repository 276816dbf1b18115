/* XEP-0012 Last Activity: our idle time on request, and queries. */
#include <stdio.h>
#include <string.h>

#include <xmppc/last.h>

#include "xeps.h"

typedef struct last_state {
	xeps_handlers h;
	uint64_t active_ms; /* context clock at the last activity */
	xmppc_last_allow_fn allow;
	void *user_data;
	void (*destroy)(void *);
} last_state;

static int answer(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	last_state *st = ud;
	uint64_t now = xmppc_ctx_now(xmppc_session_ctx(s));
	xmppc_stanza *res, *q;
	char secs[24];
	int rc;

	if (st->allow != NULL && st->allow(st->user_data, s, iq) != 1)
		return xmppc__xeps_error(s, iq, XMPPC_ERRTYPE_AUTH, XMPPC_COND_FORBIDDEN);
	snprintf(secs, sizeof(secs), "%llu",
	         (unsigned long long)(now > st->active_ms ? (now - st->active_ms) / 1000 : 0));
	if ((rc = xmppc_iq_new_result(&res, iq)) != 0)
		return rc;
	if ((rc = xmppc_stanza_new_child(&q, res, "query", XMPPC_NS_LAST)) == 0 &&
	    (rc = xmppc_stanza_set_attr(q, "seconds", secs)) == 0)
		rc = xmppc_session_send(s, res);
	xmppc_stanza_unref(res);
	return rc;
}

static void detach(xmppc_session *s, void *state)
{
	last_state *st = state;

	xmppc__xeps_unhandle(s, &st->h);
	if (st->destroy != NULL)
		st->destroy(st->user_data);
	xmppc_free(xmppc_session_ctx(s), st);
}

static int attach(xmppc_session *s, void *config, void **state)
{
	const xmppc_last_config *c = config;
	last_state *st;
	int rc;

	if (c != NULL && c->version != XMPPC_LAST_CONFIG_VERSION)
		return XMPPC_EINVAL;
	st = xmppc_calloc(xmppc_session_ctx(s), 1, sizeof(*st));
	if (st == NULL)
		return XMPPC_ENOMEM;
	st->active_ms = xmppc_ctx_now(xmppc_session_ctx(s));
	if ((rc = xmppc__xeps_handle_get(s, &st->h, XMPPC_NS_LAST, "query", answer, st)) != 0) {
		detach(s, st);
		return rc;
	}
	if (c != NULL) {
		st->allow = c->allow;
		st->user_data = c->user_data;
		st->destroy = c->destroy;
	}
	*state = st;
	return 0;
}

static const char *const features[] = {XMPPC_NS_LAST, NULL};

static const xmppc_module module = {
    .version = XMPPC_MODULE_VERSION,
    .name = XMPPC_LAST_MODULE_NAME,
    .features = features,
    .attach = attach,
    .detach = detach,
};

XMPPC_API const xmppc_module *xmppc_last_module(void)
{
	return &module;
}

XMPPC_API int xmppc_last_activity(xmppc_session *s)
{
	last_state *st;

	if (s == NULL)
		return XMPPC_EINVAL;
	if ((st = xmppc_session_module_state(s, XMPPC_LAST_MODULE_NAME)) == NULL)
		return XMPPC_ESTATE;
	st->active_ms = xmppc_ctx_now(xmppc_session_ctx(s));
	return 0;
}

/* A non-negative decimal integer that fits in 64 bits. */
static int parse_seconds(uint64_t *out, const char *s)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return XMPPC_EPROTOCOL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return XMPPC_EPROTOCOL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static void deliver(const xeps_call *c, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	xmppc_last_fn fn = (xmppc_last_fn)c->fn;
	const xmppc_stanza *q = NULL;
	const char *status = NULL;
	uint64_t secs = 0;

	if (error == 0) {
		q = xmppc_stanza_find_child(reply, "query", XMPPC_NS_LAST);
		if (q == NULL || parse_seconds(&secs, xmppc_stanza_attr(q, "seconds")) != 0)
			error = XMPPC_EPROTOCOL;
		else if ((status = xmppc_stanza_text(q)) != NULL && status[0] == '\0')
			status = NULL;
	}
	fn(c->user_data, s, secs, status, reply, error);
}

XMPPC_API int xmppc_last_query(xmppc_session *s, const char *to, xmppc_last_fn fn,
                               void *user_data, void (*destroy)(void *user_data))
{
	xmppc_stanza *iq, *q;
	int rc;

	if (s == NULL || fn == NULL)
		return XMPPC_EINVAL;
	if ((rc = xmppc__xeps_iq(&iq, &q, s, XMPPC_TYPE_GET, to, "query", XMPPC_NS_LAST)) != 0)
		return rc;
	rc = xmppc__xeps_call(s, iq, 0, deliver, (void (*)(void))fn, user_data, destroy);
	xmppc_stanza_unref(iq);
	return rc;
}
