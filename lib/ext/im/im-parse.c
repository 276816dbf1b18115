/* Reading the IM extensions of a message into an xmppc_im_message. Only
 * the first element of each kind counts; malformed ones count as absent. */
#include <string.h>

#include <xmppc/im.h>

static const char *const chat_states[] = {NULL,     "active",   "composing",
                                          "paused", "inactive", "gone"};
static const char *const markers[] = {NULL, "received", "displayed", "acknowledged"};
static const char *const hints[] = {"no-permanent-store", "no-store", "no-copy", "store"};

XMPPC_API const char *xmppc_chat_state_name(xmppc_chat_state state)
{
	if ((int)state <= 0 || (size_t)state >= sizeof(chat_states) / sizeof(chat_states[0]))
		return NULL;
	return chat_states[state];
}

/* A non-empty attribute, or NULL. */
static const char *nonempty_attr(const xmppc_stanza *el, const char *name)
{
	const char *v = el != NULL ? xmppc_stanza_attr(el, name) : NULL;

	return v != NULL && *v != '\0' ? v : NULL;
}

static void parse_chat_state(xmppc_im_message *m, const xmppc_stanza *msg)
{
	size_t i;

	for (i = 1; i < sizeof(chat_states) / sizeof(chat_states[0]); i++)
		if (xmppc_stanza_find_child(msg, chat_states[i], XMPPC_NS_CHATSTATES) != NULL) {
			m->chat_state = (xmppc_chat_state)i;
			return;
		}
}

static void parse_markers(xmppc_im_message *m, const xmppc_stanza *msg)
{
	size_t i;

	m->markable = xmppc_stanza_find_child(msg, "markable", XMPPC_NS_CHAT_MARKERS) != NULL;
	for (i = 1; i < sizeof(markers) / sizeof(markers[0]); i++) {
		const xmppc_stanza *el =
		    xmppc_stanza_find_child(msg, markers[i], XMPPC_NS_CHAT_MARKERS);
		if (el != NULL && nonempty_attr(el, "id") != NULL) {
			m->marker = (xmppc_chat_marker)i;
			m->marker_id = nonempty_attr(el, "id");
			return;
		}
	}
}

static void parse_hints(xmppc_im_message *m, const xmppc_stanza *msg)
{
	size_t i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (xmppc_stanza_find_child(msg, hints[i], XMPPC_NS_HINTS) != NULL)
			m->hints |= 1u << i;
}

static void parse_delay(xmppc_im_message *m, const xmppc_stanza *msg)
{
	const xmppc_stanza *el = xmppc_stanza_find_child(msg, "delay", XMPPC_NS_DELAY);
	int64_t t;

	if (el != NULL && xmppc_datetime_parse(&t, xmppc_stanza_attr(el, "stamp")) == 0) {
		m->has_delay = 1;
		m->delay_ms = t;
		m->delay_from = nonempty_attr(el, "from");
	}
}

/* XEP-0359 §3.1: a stanza-id is only meaningful from the entity that
 * assigned it; anyone can put one in a message, so only the one whose
 * 'by' is the trusted entity counts (there may be several: the room's and
 * our server's). */
static int parse_stanza_id(xmppc_im_message *m, xmppc_ctx *ctx, const xmppc_stanza *msg,
                           const xmppc_jid *trusted_by)
{
	const xmppc_stanza *el;

	if (trusted_by == NULL)
		return 0;
	for (el = xmppc_stanza_find_child(msg, "stanza-id", XMPPC_NS_SID); el != NULL;
	     el = xmppc_stanza_find_next(el, "stanza-id", XMPPC_NS_SID)) {
		const char *by = nonempty_attr(el, "by"), *id = nonempty_attr(el, "id");
		xmppc_jid *j;
		int rc, eq;

		if (by == NULL || id == NULL)
			continue;
		if ((rc = xmppc_jid_new(&j, ctx, by)) != 0) {
			if (rc == XMPPC_ENOMEM)
				return rc;
			continue;
		}
		eq = xmppc_jid_equal(j, trusted_by);
		xmppc_jid_unref(j);
		if (eq) {
			m->stanza_id = id;
			return 0;
		}
	}
	return 0;
}

XMPPC_API int xmppc_im_parse(xmppc_im_message *out, xmppc_ctx *ctx, const xmppc_stanza *msg,
                             const xmppc_jid *trusted_by)
{
	const xmppc_stanza *el;

	if (out == NULL || ctx == NULL || out->version != XMPPC_IM_MESSAGE_VERSION ||
	    xmppc_stanza_get_kind(msg) != XMPPC_STANZA_MESSAGE)
		return XMPPC_EINVAL;
	memset(out, 0, sizeof(*out));
	out->version = XMPPC_IM_MESSAGE_VERSION;
	out->stanza = msg;
	out->type = xmppc_stanza_get_type(msg);
	out->from = xmppc_stanza_from(msg);
	out->to = xmppc_stanza_to(msg);
	out->id = xmppc_stanza_id(msg);
	out->body = xmppc_message_body(msg, NULL);
	out->subject = xmppc_message_subject(msg, NULL);
	out->thread = xmppc_message_thread(msg);
	el = xmppc_stanza_find_child(msg, "thread", xmppc_stanza_ns(msg));
	if (out->thread != NULL && el != NULL)
		out->parent_thread = nonempty_attr(el, "parent");
	parse_chat_state(out, msg);
	out->receipt_requested = xmppc_stanza_find_child(msg, "request", XMPPC_NS_RECEIPTS) != NULL;
	out->receipt_id =
	    nonempty_attr(xmppc_stanza_find_child(msg, "received", XMPPC_NS_RECEIPTS), "id");
	out->replace_id =
	    nonempty_attr(xmppc_stanza_find_child(msg, "replace", XMPPC_NS_CORRECT), "id");
	out->origin_id =
	    nonempty_attr(xmppc_stanza_find_child(msg, "origin-id", XMPPC_NS_SID), "id");
	parse_delay(out, msg);
	parse_markers(out, msg);
	parse_hints(out, msg);
	return parse_stanza_id(out, ctx, msg, trusted_by);
}

XMPPC_API int xmppc_im_is_me_command(const char **action, const char *body)
{
	if (body == NULL || strncmp(body, "/me ", 4) != 0)
		return 0;
	if (action != NULL)
		*action = body + 4;
	return 1;
}
