/* Helpers shared by the everyday-XEP modules of lib/ext/xeps. Built only
 * on the public API (these modules must be writable by an application);
 * the functions are hidden (xmppc__ prefix, not in the symbol map). */
#ifndef XMPPC_EXT_XEPS_H
#define XMPPC_EXT_XEPS_H

#include <xmppc/module.h>

/* The most handlers one module registers. */
#define XEPS_MAX_HANDLERS 4

/* Handler tokens of one module, removed together on detach. */
typedef struct xeps_handlers {
	unsigned token[XEPS_MAX_HANDLERS];
	size_t n;
} xeps_handlers;

/* Register an IQ request handler and remember its token. */
int xmppc__xeps_handle(xmppc_session *s, xeps_handlers *h, const char *ns, const char *element,
                       xmppc_stanza_type type, xmppc_iq_handler_fn fn, void *user_data);

/* A get-only protocol: also answer a 'set' of the same payload with
 * bad-request (RFC 6120 §8.3.3.1) instead of service-unavailable, so the
 * requester learns that the protocol is there but the request is wrong. */
int xmppc__xeps_handle_get(xmppc_session *s, xeps_handlers *h, const char *ns,
                           const char *element, xmppc_iq_handler_fn fn, void *user_data);

/* Remove every handler in @h. */
void xmppc__xeps_unhandle(xmppc_session *s, xeps_handlers *h);

/* Send an error reply to @req. */
int xmppc__xeps_error(xmppc_session *s, const xmppc_stanza *req, xmppc_error_type type,
                      xmppc_stanza_condition cond);

/* Build an IQ of @type to @to (NULL: our server) with an empty payload
 * element (@name, @ns); *payload is borrowed from *iq. */
int xmppc__xeps_iq(xmppc_stanza **iq, xmppc_stanza **payload, xmppc_session *s,
                   xmppc_stanza_type type, const char *to, const char *name, const char *ns);

/* 1 if @st comes from our own account: no 'from' (the server on our
 * behalf), or our bare JID (RFC 6121 §2.1.6 rule, used for pushes). */
int xmppc__xeps_from_account(xmppc_session *s, const xmppc_stanza *st);

/* A request in flight: the user's callback (any type) and its data. */
typedef struct xeps_call xeps_call;

/* Turns the raw reply into the user's callback (fired exactly once). */
typedef void (*xeps_deliver_fn)(const xeps_call *call, xmppc_session *s,
                                const xmppc_stanza *reply, int error);

struct xeps_call {
	xmppc_ctx *ctx;
	xeps_deliver_fn deliver;
	void (*fn)(void); /* the user's callback, cast back by deliver */
	void *user_data;
	void (*destroy)(void *user_data);
	uint64_t sent_ms; /* context clock when sent */
};

/* Send @iq (not consumed) and deliver its reply through @deliver. On error
 * nothing fires and @destroy is not called. */
int xmppc__xeps_call(xmppc_session *s, const xmppc_stanza *iq, uint32_t timeout_ms,
                     xeps_deliver_fn deliver, void (*fn)(void), void *user_data,
                     void (*destroy)(void *user_data));

/* A plain "done" delivery: fn is an xmppc_iq_reply_fn. */
void xmppc__xeps_deliver_done(const xeps_call *call, xmppc_session *s, const xmppc_stanza *reply,
                              int error);

/* Copy of @s on the context, or NULL (also for NULL). */
char *xmppc__xeps_strdup(xmppc_session *s, const char *str);

#endif /* XMPPC_EXT_XEPS_H */
