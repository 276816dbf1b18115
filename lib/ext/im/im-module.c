/* The "xmppc.im" module: incoming messages parsed for the application,
 * automatic delivery receipts (XEP-0184), and outgoing messages completed
 * with an id, an origin-id (XEP-0359) and receipt requests. */
#include <string.h>

#include <xmppc/im.h>

#define IM_NAME "xmppc.im"

typedef struct im_state {
	xmppc_ctx *ctx;
	unsigned flags;
	xmppc_im_message_fn on_message;
	xmppc_im_receipt_policy_fn receipt_policy;
	void *user_data;
	void (*destroy)(void *user_data);
	unsigned token;
	unsigned filter_token;
} im_state;

/* XEP-0184 §5.4: a receipt goes only to a message that asked for one, has
 * an id to acknowledge and content; never to an error (no answer to an
 * error, RFC 6120 §8.3.1) nor to groupchat (the room would reflect it to
 * everyone, §5.3). Copies (carbons) are acknowledged by the resource that
 * received the original, not by us. */
static int receipt_due(const im_state *st, xmppc_session *s, const xmppc_im_message *m)
{
	if (!m->receipt_requested || (st->flags & XMPPC_IM_NO_AUTO_RECEIPTS) ||
	    m->carbon != XMPPC_CARBON_NONE)
		return 0;
	if (m->type == XMPPC_TYPE_ERROR || m->type == XMPPC_TYPE_GROUPCHAT ||
	    m->type == XMPPC_TYPE_INVALID)
		return 0;
	if (m->id == NULL || *m->id == '\0' || m->from == NULL || m->body == NULL ||
	    m->receipt_id != NULL)
		return 0;
	return st->receipt_policy == NULL || st->receipt_policy(st->user_data, s, m) == 1;
}

static int send_receipt(im_state *st, xmppc_session *s, const xmppc_im_message *m)
{
	xmppc_stanza *r, *el;
	xmppc_stanza_type t = m->type == XMPPC_TYPE_CHAT ? XMPPC_TYPE_CHAT : XMPPC_TYPE_NORMAL;
	int rc;

	if ((rc = xmppc_message_new(&r, st->ctx, t, m->from, NULL)) != 0)
		return rc;
	if ((rc = xmppc_stanza_new_child(&el, r, "received", XMPPC_NS_RECEIPTS)) == 0 &&
	    (rc = xmppc_stanza_set_attr(el, "id", m->id)) == 0)
		rc = xmppc_session_send(s, r);
	xmppc_stanza_unref(r);
	return rc;
}

static int process(im_state *st, xmppc_session *s, const xmppc_stanza *stanza,
                   xmppc_im_carbon carbon)
{
	const xmppc_jid *me = xmppc_session_jid(s);
	xmppc_jid *bare = NULL;
	xmppc_im_message m;
	int rc;

	if (me != NULL && (rc = xmppc_jid_to_bare(&bare, me)) != 0)
		return rc;
	m.version = XMPPC_IM_MESSAGE_VERSION;
	rc = xmppc_im_parse(&m, st->ctx, stanza, bare);
	xmppc_jid_unref(bare);
	if (rc != 0)
		return rc;
	m.carbon = carbon;
	/* a receipt that cannot be queued (output full) is not worth failing
	 * the message over: the peer simply sees no receipt */
	if (receipt_due(st, s, &m))
		(void)send_receipt(st, s, &m);
	if (st->on_message == NULL)
		return XMPPC_CB_PASS;
	rc = st->on_message(st->user_data, s, &m);
	return rc == XMPPC_CB_PASS ? XMPPC_CB_PASS : XMPPC_CB_OK;
}

static int on_stanza(void *user_data, xmppc_session *s, const xmppc_stanza *stanza)
{
	int rc = process(user_data, s, stanza, XMPPC_CARBON_NONE);

	/* an error parsing one message must not hide it from later observers */
	return rc < 0 ? XMPPC_CB_PASS : rc;
}

static int add_origin_id(void *user_data, xmppc_session *s, const xmppc_stanza *stanza,
                         xmppc_stanza **replacement);

static int im_attach(xmppc_session *s, void *config, void **state)
{
	const xmppc_im_config *c = config;
	xmppc_stanza_filter f;
	im_state *st;
	int rc;

	if (c != NULL && c->version != XMPPC_IM_CONFIG_VERSION)
		return XMPPC_EINVAL; /* not a config we can read, its destroy included */
	if ((st = xmppc_calloc(xmppc_session_ctx(s), 1, sizeof(*st))) == NULL) {
		rc = XMPPC_ENOMEM;
		goto fail;
	}
	st->ctx = xmppc_session_ctx(s);
	if (c != NULL) {
		st->flags = c->flags;
		st->on_message = c->on_message;
		st->receipt_policy = c->receipt_policy;
		st->user_data = c->user_data;
		st->destroy = c->destroy;
	}
	memset(&f, 0, sizeof(f));
	f.version = XMPPC_STANZA_FILTER_VERSION;
	f.kind = XMPPC_STANZA_MESSAGE;
	rc = xmppc_session_add_observer(s, &f, c != NULL ? c->priority : 0, on_stanza, st, NULL,
	                                &st->token);
	if (rc == 0 && (rc = xmppc_session_add_send_filter(s, add_origin_id, st, NULL,
	                                                   &st->filter_token)) != 0)
		xmppc_session_remove_handler(s, st->token);
	if (rc != 0) {
		xmppc_free(st->ctx, st);
		goto fail;
	}
	*state = st;
	return 0;
fail:
	if (c != NULL && c->destroy != NULL)
		c->destroy(c->user_data);
	return rc;
}

static void im_detach(xmppc_session *s, void *state)
{
	im_state *st = state;

	xmppc_session_remove_handler(s, st->token);
	xmppc_session_remove_handler(s, st->filter_token);
	if (st->destroy != NULL)
		st->destroy(st->user_data);
	xmppc_free(st->ctx, st);
}

static const char *const im_features[] = {
    "http://jabber.org/protocol/chatstates",
    "urn:xmpp:chat-markers:0",
    "urn:xmpp:message-correct:0",
    "urn:xmpp:receipts",
    "urn:xmpp:sid:0",
    NULL,
};

static const xmppc_module im_module = {
    .version = XMPPC_MODULE_VERSION,
    .name = IM_NAME,
    .features = im_features,
    .attach = im_attach,
    .detach = im_detach,
};

XMPPC_API const xmppc_module *xmppc_im_module(void)
{
	return &im_module;
}

XMPPC_API int xmppc_im_deliver(xmppc_session *session, const xmppc_stanza *message,
                               xmppc_im_carbon carbon)
{
	im_state *st;
	int rc;

	if (session == NULL || xmppc_stanza_get_kind(message) != XMPPC_STANZA_MESSAGE ||
	    (carbon != XMPPC_CARBON_NONE && carbon != XMPPC_CARBON_SENT &&
	     carbon != XMPPC_CARBON_RECEIVED))
		return XMPPC_EINVAL;
	if ((st = xmppc_session_module_state(session, IM_NAME)) == NULL)
		return XMPPC_ENOTFOUND;
	rc = process(st, session, message, carbon);
	return rc < 0 ? rc : 0;
}

static int set_random_id(xmppc_stanza *message)
{
	char id[XMPPC_ID_SIZE];
	int rc = xmppc_random_id(id, sizeof(id));

	return rc != 0 ? rc : xmppc_stanza_set_id(message, id);
}

/* Send filter: every message sent through the session (not only through
 * xmppc_im_send_message()) gets an id and an origin-id (XEP-0359 §4), on
 * a copy: the application's stanza is not changed behind its back. */
static int add_origin_id(void *user_data, xmppc_session *s, const xmppc_stanza *stanza,
                         xmppc_stanza **replacement)
{
	im_state *st = user_data;
	xmppc_stanza *copy;
	int rc;

	(void)s;
	if ((st->flags & XMPPC_IM_NO_ORIGIN_ID) ||
	    xmppc_stanza_get_kind(stanza) != XMPPC_STANZA_MESSAGE ||
	    xmppc_stanza_get_type(stanza) == XMPPC_TYPE_ERROR ||
	    xmppc_stanza_find_child(stanza, "origin-id", XMPPC_NS_SID) != NULL)
		return 0;
	if ((rc = xmppc_stanza_copy(&copy, stanza)) != 0)
		return rc;
	if ((xmppc_stanza_id(copy) == NULL || *xmppc_stanza_id(copy) == '\0') &&
	    (rc = set_random_id(copy)) != 0) {
		xmppc_stanza_unref(copy);
		return rc;
	}
	if ((rc = xmppc_im_set_origin_id(copy, NULL)) != 0) {
		xmppc_stanza_unref(copy);
		return rc;
	}
	*replacement = copy;
	return 0;
}

XMPPC_API int xmppc_im_send_message(xmppc_session *session, xmppc_stanza *message)
{
	im_state *st;
	xmppc_stanza_type t;
	int rc;

	if (session == NULL || xmppc_stanza_get_kind(message) != XMPPC_STANZA_MESSAGE)
		return XMPPC_EINVAL;
	if ((st = xmppc_session_module_state(session, IM_NAME)) == NULL)
		return XMPPC_ENOTFOUND;
	if ((xmppc_stanza_id(message) == NULL || *xmppc_stanza_id(message) == '\0') &&
	    (rc = set_random_id(message)) != 0)
		return rc;
	/* XEP-0359 §4: the origin-id lets us recognise our own message when a
	 * room or archive reflects it with a different id. */
	if (!(st->flags & XMPPC_IM_NO_ORIGIN_ID) &&
	    xmppc_stanza_find_child(message, "origin-id", XMPPC_NS_SID) == NULL &&
	    (rc = xmppc_im_set_origin_id(message, NULL)) != 0)
		return rc;
	t = xmppc_stanza_get_type(message);
	if ((st->flags & XMPPC_IM_REQUEST_RECEIPTS) &&
	    (t == XMPPC_TYPE_CHAT || t == XMPPC_TYPE_NORMAL) &&
	    xmppc_message_body(message, NULL) != NULL &&
	    (rc = xmppc_im_request_receipt(message)) != 0)
		return rc;
	return xmppc_session_send(session, message);
}
