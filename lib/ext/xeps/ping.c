/* XEP-0199 XMPP Ping: answer pings, send pings and time them. */
#include <xmppc/ping.h>

#include "xeps.h"

typedef struct ping_state {
	xeps_handlers h;
} ping_state;

static int pong(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	xmppc_stanza *res;
	int rc;

	(void)ud;
	if ((rc = xmppc_iq_new_result(&res, iq)) != 0)
		return rc;
	rc = xmppc_session_send(s, res);
	xmppc_stanza_unref(res);
	return rc;
}

static void detach(xmppc_session *s, void *state)
{
	ping_state *st = state;

	xmppc__xeps_unhandle(s, &st->h);
	xmppc_free(xmppc_session_ctx(s), st);
}

static int attach(xmppc_session *s, void *config, void **state)
{
	ping_state *st;
	int rc;

	if (config != NULL)
		return XMPPC_EINVAL;
	st = xmppc_calloc(xmppc_session_ctx(s), 1, sizeof(*st));
	if (st == NULL)
		return XMPPC_ENOMEM;
	if ((rc = xmppc__xeps_handle_get(s, &st->h, XMPPC_NS_PING, "ping", pong, st)) != 0) {
		detach(s, st);
		return rc;
	}
	*state = st;
	return 0;
}

static const char *const features[] = {XMPPC_NS_PING, NULL};

static const xmppc_module module = {
    .version = XMPPC_MODULE_VERSION,
    .name = XMPPC_PING_MODULE_NAME,
    .features = features,
    .attach = attach,
    .detach = detach,
};

XMPPC_API const xmppc_module *xmppc_ping_module(void)
{
	return &module;
}

static void deliver(const xeps_call *c, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	xmppc_ping_fn fn = (xmppc_ping_fn)c->fn;
	uint64_t now = xmppc_ctx_now(c->ctx);

	fn(c->user_data, s, now >= c->sent_ms ? now - c->sent_ms : 0, reply, error);
}

XMPPC_API int xmppc_ping_send(xmppc_session *s, const char *to, uint32_t timeout_ms,
                              xmppc_ping_fn fn, void *user_data, void (*destroy)(void *user_data))
{
	xmppc_stanza *iq, *p;
	int rc;

	if (s == NULL || fn == NULL)
		return XMPPC_EINVAL;
	if ((rc = xmppc__xeps_iq(&iq, &p, s, XMPPC_TYPE_GET, to, "ping", XMPPC_NS_PING)) != 0)
		return rc;
	rc = xmppc__xeps_call(s, iq, timeout_ms, deliver, (void (*)(void))fn, user_data, destroy);
	xmppc_stanza_unref(iq);
	return rc;
}
