/* Typed view of message, presence and iq stanzas (RFC 6120 §8, RFC 6121),
 * their constructors, and stanza errors. */
#include <string.h>
#include <strings.h>

#include "util/random.h"
#include "util/utf8.h"
#include "xml/tree.h"
#include <xmppc/error.h>

static const struct {
	xmppc_stanza_type type;
	xmppc_stanza_kind kind; /* OTHER: valid for every kind */
	const char *name;
} type_names[] = {
	{XMPPC_TYPE_ERROR, XMPPC_STANZA_OTHER, "error"},
	{XMPPC_TYPE_NORMAL, XMPPC_STANZA_MESSAGE, "normal"},
	{XMPPC_TYPE_CHAT, XMPPC_STANZA_MESSAGE, "chat"},
	{XMPPC_TYPE_GROUPCHAT, XMPPC_STANZA_MESSAGE, "groupchat"},
	{XMPPC_TYPE_HEADLINE, XMPPC_STANZA_MESSAGE, "headline"},
	{XMPPC_TYPE_UNAVAILABLE, XMPPC_STANZA_PRESENCE, "unavailable"},
	{XMPPC_TYPE_SUBSCRIBE, XMPPC_STANZA_PRESENCE, "subscribe"},
	{XMPPC_TYPE_SUBSCRIBED, XMPPC_STANZA_PRESENCE, "subscribed"},
	{XMPPC_TYPE_UNSUBSCRIBE, XMPPC_STANZA_PRESENCE, "unsubscribe"},
	{XMPPC_TYPE_UNSUBSCRIBED, XMPPC_STANZA_PRESENCE, "unsubscribed"},
	{XMPPC_TYPE_PROBE, XMPPC_STANZA_PRESENCE, "probe"},
	{XMPPC_TYPE_GET, XMPPC_STANZA_IQ, "get"},
	{XMPPC_TYPE_SET, XMPPC_STANZA_IQ, "set"},
	{XMPPC_TYPE_RESULT, XMPPC_STANZA_IQ, "result"},
};
#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

static const char *const condition_names[XMPPC_COND_COUNT] = {
	[XMPPC_COND_BAD_REQUEST] = "bad-request",
	[XMPPC_COND_CONFLICT] = "conflict",
	[XMPPC_COND_FEATURE_NOT_IMPLEMENTED] = "feature-not-implemented",
	[XMPPC_COND_FORBIDDEN] = "forbidden",
	[XMPPC_COND_GONE] = "gone",
	[XMPPC_COND_INTERNAL_SERVER_ERROR] = "internal-server-error",
	[XMPPC_COND_ITEM_NOT_FOUND] = "item-not-found",
	[XMPPC_COND_JID_MALFORMED] = "jid-malformed",
	[XMPPC_COND_NOT_ACCEPTABLE] = "not-acceptable",
	[XMPPC_COND_NOT_ALLOWED] = "not-allowed",
	[XMPPC_COND_NOT_AUTHORIZED] = "not-authorized",
	[XMPPC_COND_POLICY_VIOLATION] = "policy-violation",
	[XMPPC_COND_RECIPIENT_UNAVAILABLE] = "recipient-unavailable",
	[XMPPC_COND_REDIRECT] = "redirect",
	[XMPPC_COND_REGISTRATION_REQUIRED] = "registration-required",
	[XMPPC_COND_REMOTE_SERVER_NOT_FOUND] = "remote-server-not-found",
	[XMPPC_COND_REMOTE_SERVER_TIMEOUT] = "remote-server-timeout",
	[XMPPC_COND_RESOURCE_CONSTRAINT] = "resource-constraint",
	[XMPPC_COND_SERVICE_UNAVAILABLE] = "service-unavailable",
	[XMPPC_COND_SUBSCRIPTION_REQUIRED] = "subscription-required",
	[XMPPC_COND_UNDEFINED_CONDITION] = "undefined-condition",
	[XMPPC_COND_UNEXPECTED_REQUEST] = "unexpected-request",
};

static const char *const error_type_names[] = {
	NULL, "auth", "cancel", "continue", "modify", "wait",
};

/* ---- kind and type ------------------------------------------------ */

XMPPC_API xmppc_stanza_kind xmppc_stanza_get_kind(const xmppc_stanza *node)
{
	if (node == NULL || node->name == NULL || node->ns == NULL ||
	    (strcmp(node->ns, XMPPC_NS_CLIENT) != 0 && strcmp(node->ns, XMPPC_NS_SERVER) != 0))
		return XMPPC_STANZA_OTHER;
	if (strcmp(node->name, "message") == 0)
		return XMPPC_STANZA_MESSAGE;
	if (strcmp(node->name, "presence") == 0)
		return XMPPC_STANZA_PRESENCE;
	if (strcmp(node->name, "iq") == 0)
		return XMPPC_STANZA_IQ;
	return XMPPC_STANZA_OTHER;
}

XMPPC_API xmppc_stanza_type xmppc_stanza_get_type(const xmppc_stanza *node)
{
	xmppc_stanza_kind kind = xmppc_stanza_get_kind(node);
	const char *t;
	size_t i;

	if (kind == XMPPC_STANZA_OTHER)
		return XMPPC_TYPE_NONE;
	t = xmppc_stanza_attr(node, "type");
	if (t == NULL) {
		if (kind == XMPPC_STANZA_MESSAGE)
			return XMPPC_TYPE_NORMAL;
		if (kind == XMPPC_STANZA_PRESENCE)
			return XMPPC_TYPE_AVAILABLE;
		return XMPPC_TYPE_NONE;
	}
	for (i = 0; i < N_TYPES; i++)
		if ((type_names[i].kind == kind || type_names[i].kind == XMPPC_STANZA_OTHER) &&
		    strcmp(type_names[i].name, t) == 0)
			return type_names[i].type;
	return XMPPC_TYPE_INVALID;
}

static int type_valid_for(xmppc_stanza_type type, xmppc_stanza_kind kind)
{
	size_t i;

	if (type == XMPPC_TYPE_AVAILABLE)
		return kind == XMPPC_STANZA_PRESENCE;
	for (i = 0; i < N_TYPES; i++)
		if (type_names[i].type == type)
			return type_names[i].kind == kind || type_names[i].kind == XMPPC_STANZA_OTHER;
	return 0;
}

XMPPC_API const char *xmppc_stanza_type_name(xmppc_stanza_type type)
{
	size_t i;

	for (i = 0; i < N_TYPES; i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return NULL;
}

XMPPC_API int xmppc_stanza_set_type(xmppc_stanza *stanza, xmppc_stanza_type type)
{
	xmppc_stanza_kind kind = xmppc_stanza_get_kind(stanza);

	if (kind == XMPPC_STANZA_OTHER || !type_valid_for(type, kind))
		return XMPPC_EINVAL;
	if (type == XMPPC_TYPE_NORMAL || type == XMPPC_TYPE_AVAILABLE)
		return xmppc_stanza_set_attr(stanza, "type", NULL);
	return xmppc_stanza_set_attr(stanza, "type", xmppc_stanza_type_name(type));
}

/* ---- common attributes ----------------------------------------------- */

XMPPC_API const char *xmppc_stanza_id(const xmppc_stanza *node)
{
	return xmppc_stanza_attr(node, "id");
}

XMPPC_API const char *xmppc_stanza_to(const xmppc_stanza *node)
{
	return xmppc_stanza_attr(node, "to");
}

XMPPC_API const char *xmppc_stanza_from(const xmppc_stanza *node)
{
	return xmppc_stanza_attr(node, "from");
}

XMPPC_API const char *xmppc_stanza_lang(const xmppc_stanza *node)
{
	return xmppc_stanza_attr_ns(node, XMPPC_NS_XML, "lang");
}

XMPPC_API int xmppc_stanza_set_id(xmppc_stanza *stanza, const char *id)
{
	return xmppc_stanza_set_attr(stanza, "id", id);
}

XMPPC_API int xmppc_stanza_set_to(xmppc_stanza *stanza, const char *to)
{
	return xmppc_stanza_set_attr(stanza, "to", to);
}

XMPPC_API int xmppc_stanza_set_from(xmppc_stanza *stanza, const char *from)
{
	return xmppc_stanza_set_attr(stanza, "from", from);
}

/* ---- message content -------------------------------------------------- */

/* The child `name` (in the message's namespace) for a language: lang NULL
 * picks the one without xml:lang, else the first one. */
static xmppc_stanza *lang_child(const xmppc_stanza *msg, const char *name, const char *lang)
{
	xmppc_stanza *c, *first = NULL;

	if (msg == NULL || msg->name == NULL)
		return NULL;
	for (c = xmppc_stanza_find_child(msg, name, msg->ns); c != NULL;
	     c = xmppc_stanza_find_next(c, name, msg->ns)) {
		const char *l = xmppc_stanza_lang(c);
		if (lang == NULL) {
			if (l == NULL)
				return c;
			if (first == NULL)
				first = c;
		} else if (l != NULL && strcasecmp(l, lang) == 0) {
			return c;
		}
	}
	return lang == NULL ? first : NULL;
}

XMPPC_API const char *xmppc_message_body(const xmppc_stanza *message, const char *lang)
{
	xmppc_stanza *b = lang_child(message, "body", lang);
	return b != NULL ? xmppc__element_text(b) : NULL;
}

XMPPC_API const char *xmppc_message_subject(const xmppc_stanza *message, const char *lang)
{
	xmppc_stanza *b = lang_child(message, "subject", lang);
	return b != NULL ? xmppc__element_text(b) : NULL;
}

XMPPC_API const char *xmppc_message_thread(const xmppc_stanza *message)
{
	xmppc_stanza *t;

	if (message == NULL || message->name == NULL)
		return NULL;
	t = xmppc_stanza_find_child(message, "thread", message->ns);
	return t != NULL ? xmppc__element_text(t) : NULL;
}

/* Replace (or add, or with text NULL remove) the child for a language. For
 * lang NULL only a child without xml:lang is replaced. */
static int set_lang_child(xmppc_stanza *msg, const char *name, const char *lang, const char *text)
{
	xmppc_stanza *c;
	int rc;

	if (msg == NULL || msg->name == NULL)
		return XMPPC_EINVAL;
	c = lang_child(msg, name, lang);
	if (c != NULL && lang == NULL && xmppc_stanza_lang(c) != NULL)
		c = NULL;
	if (text == NULL)
		return c != NULL ? xmppc_stanza_remove_child(msg, c) : 0;
	if (c != NULL)
		return xmppc_stanza_set_text(c, text);
	rc = xmppc_stanza_new_text_child(&c, msg, name, NULL, text);
	if (rc == 0 && lang != NULL) {
		rc = xmppc_stanza_set_attr_ns(c, XMPPC_NS_XML, "lang", lang);
		if (rc != 0)
			xmppc_stanza_remove_child(msg, c);
	}
	return rc;
}

XMPPC_API int xmppc_message_set_body(xmppc_stanza *message, const char *lang, const char *text)
{
	return set_lang_child(message, "body", lang, text);
}

XMPPC_API int xmppc_message_set_subject(xmppc_stanza *message, const char *lang, const char *text)
{
	return set_lang_child(message, "subject", lang, text);
}

XMPPC_API int xmppc_message_set_thread(xmppc_stanza *message, const char *thread,
                                       const char *parent)
{
	xmppc_stanza *t;
	int rc;

	if (message == NULL || message->name == NULL || (thread == NULL && parent != NULL))
		return XMPPC_EINVAL;
	t = xmppc_stanza_find_child(message, "thread", message->ns);
	if (thread == NULL)
		return t != NULL ? xmppc_stanza_remove_child(message, t) : 0;
	if (parent != NULL && (rc = xmppc__utf8_check_xml(parent, strlen(parent))) != 0)
		return rc;
	if (t == NULL) {
		rc = xmppc_stanza_new_text_child(&t, message, "thread", NULL, thread);
	} else {
		rc = xmppc_stanza_set_text(t, thread);
	}
	if (rc != 0)
		return rc;
	return xmppc_stanza_set_attr(t, "parent", parent);
}

/* ---- errors ------------------------------------------------------------ */

XMPPC_API const char *xmppc_stanza_condition_name(xmppc_stanza_condition cond)
{
	if ((int)cond <= XMPPC_COND_NONE || cond >= XMPPC_COND_COUNT)
		return NULL;
	return condition_names[cond];
}

XMPPC_API xmppc_stanza_condition xmppc_stanza_condition_from_name(const char *name)
{
	int i;

	if (name == NULL)
		return XMPPC_COND_NONE;
	for (i = XMPPC_COND_NONE + 1; i < XMPPC_COND_COUNT; i++)
		if (strcmp(condition_names[i], name) == 0)
			return (xmppc_stanza_condition)i;
	return XMPPC_COND_UNDEFINED_CONDITION;
}

XMPPC_API const char *xmppc_error_type_name(xmppc_error_type type)
{
	if ((int)type <= XMPPC_ERRTYPE_NONE || type > XMPPC_ERRTYPE_WAIT)
		return NULL;
	return error_type_names[type];
}

XMPPC_API int xmppc_stanza_get_error(xmppc_stanza_error_info *out, const xmppc_stanza *stanza)
{
	const xmppc_stanza *err, *c;
	const char *type;
	int i;

	if (out == NULL || stanza == NULL || out->version != XMPPC_STANZA_ERROR_INFO_VERSION)
		return XMPPC_EINVAL;
	err = xmppc_stanza_find_child(stanza, "error", stanza->ns);
	if (err == NULL)
		return XMPPC_ENOTFOUND;
	out->type = XMPPC_ERRTYPE_NONE;
	type = xmppc_stanza_attr(err, "type");
	for (i = XMPPC_ERRTYPE_AUTH; type != NULL && i <= XMPPC_ERRTYPE_WAIT; i++)
		if (strcmp(type, error_type_names[i]) == 0)
			out->type = (xmppc_error_type)i;
	out->condition = XMPPC_COND_NONE;
	out->text = NULL;
	out->by = xmppc_stanza_attr(err, "by");
	out->app_condition = NULL;
	for (c = err->first; c != NULL; c = c->next) {
		if (c->name == NULL)
			continue;
		if (c->ns != NULL && strcmp(c->ns, XMPPC_NS_STANZA_ERRORS) == 0) {
			if (strcmp(c->name, "text") == 0) {
				if (out->text == NULL)
					out->text = xmppc__element_text((xmppc_stanza *)c);
			} else if (out->condition == XMPPC_COND_NONE) {
				out->condition = xmppc_stanza_condition_from_name(c->name);
			}
		} else if (out->app_condition == NULL) {
			out->app_condition = c;
		}
	}
	/* RFC 6120 §8.3.2: a defined condition is required; treat its absence
	 * like an unknown one rather than as "no error". */
	if (out->condition == XMPPC_COND_NONE)
		out->condition = XMPPC_COND_UNDEFINED_CONDITION;
	return 0;
}

/* ---- constructors -------------------------------------------------------- */

static int new_stanza(xmppc_stanza **out, xmppc_ctx *ctx, const char *name, xmppc_stanza_type type,
                      const char *to, int with_id, const char *id)
{
	xmppc_stanza *s;
	char idbuf[XMPPC__ID_LEN + 1];
	int rc;

	rc = xmppc_stanza_new(&s, ctx, name, XMPPC_NS_CLIENT);
	if (rc != 0)
		return rc;
	if (!type_valid_for(type, xmppc_stanza_get_kind(s))) {
		rc = XMPPC_EINVAL;
		goto fail;
	}
	if (with_id && id == NULL) {
		if ((rc = xmppc__id_generate(idbuf)) != 0)
			goto fail;
		id = idbuf;
	}
	if ((rc = xmppc_stanza_set_type(s, type)) != 0 ||
	    (id != NULL && (rc = xmppc_stanza_set_id(s, id)) != 0) ||
	    (to != NULL && (rc = xmppc_stanza_set_to(s, to)) != 0))
		goto fail;
	*out = s;
	return 0;
fail:
	xmppc_stanza_unref(s);
	return rc;
}

XMPPC_API int xmppc_message_new(xmppc_stanza **out, xmppc_ctx *ctx, xmppc_stanza_type type,
                                const char *to, const char *body)
{
	xmppc_stanza *s;
	int rc;

	if (out == NULL)
		return XMPPC_EINVAL;
	rc = new_stanza(&s, ctx, "message", type, to, 1, NULL);
	if (rc == 0 && body != NULL && (rc = xmppc_message_set_body(s, NULL, body)) != 0)
		xmppc_stanza_unref(s);
	else if (rc == 0)
		*out = s;
	return rc;
}

XMPPC_API int xmppc_presence_new(xmppc_stanza **out, xmppc_ctx *ctx, xmppc_stanza_type type,
                                 const char *to)
{
	if (out == NULL)
		return XMPPC_EINVAL;
	return new_stanza(out, ctx, "presence", type, to, 0, NULL);
}

XMPPC_API int xmppc_iq_new(xmppc_stanza **out, xmppc_ctx *ctx, xmppc_stanza_type type,
                           const char *to, const char *id)
{
	if (out == NULL)
		return XMPPC_EINVAL;
	return new_stanza(out, ctx, "iq", type, to, 1, id);
}

/* A reply of the same kind: same id, addressed to the request's sender. */
static int new_reply(xmppc_stanza **out, const xmppc_stanza *req, xmppc_stanza_type type)
{
	const char *id = xmppc_stanza_id(req);

	if (out == NULL)
		return XMPPC_EINVAL;
	return new_stanza(out, req->doc->ctx, req->name, type, xmppc_stanza_from(req), id != NULL, id);
}

XMPPC_API int xmppc_iq_new_result(xmppc_stanza **out, const xmppc_stanza *request)
{
	xmppc_stanza_type t = xmppc_stanza_get_type(request);

	if (xmppc_stanza_get_kind(request) != XMPPC_STANZA_IQ ||
	    (t != XMPPC_TYPE_GET && t != XMPPC_TYPE_SET) || xmppc_stanza_id(request) == NULL)
		return XMPPC_EINVAL;
	return new_reply(out, request, XMPPC_TYPE_RESULT);
}

XMPPC_API int xmppc_stanza_new_error_reply(xmppc_stanza **out, const xmppc_stanza *request,
                                           xmppc_error_type type, xmppc_stanza_condition cond,
                                           const char *text)
{
	xmppc_stanza_kind kind = xmppc_stanza_get_kind(request);
	xmppc_stanza_type t = xmppc_stanza_get_type(request);
	xmppc_stanza *reply, *err, *c;
	int rc;

	/* Never answer an error with an error (RFC 6120 §8.3.1), nor an IQ
	 * result. An IQ whose type is missing or unknown may be answered
	 * (bad-request): it is neither a result nor an error. */
	if (kind == XMPPC_STANZA_OTHER || t == XMPPC_TYPE_ERROR ||
	    (kind == XMPPC_STANZA_IQ && t == XMPPC_TYPE_RESULT) ||
	    xmppc_error_type_name(type) == NULL || xmppc_stanza_condition_name(cond) == NULL)
		return XMPPC_EINVAL;
	if (text != NULL && (rc = xmppc__utf8_check_xml(text, strlen(text))) != 0)
		return rc;
	rc = new_reply(&reply, request, XMPPC_TYPE_ERROR);
	if (rc != 0)
		return rc;
	if ((rc = xmppc_stanza_new_child(&err, reply, "error", NULL)) != 0 ||
	    (rc = xmppc_stanza_set_attr(err, "type", xmppc_error_type_name(type))) != 0 ||
	    (rc = xmppc_stanza_new_child(&c, err, xmppc_stanza_condition_name(cond),
	                                 XMPPC_NS_STANZA_ERRORS)) != 0 ||
	    (text != NULL &&
	     (rc = xmppc_stanza_new_text_child(NULL, err, "text", XMPPC_NS_STANZA_ERRORS, text)) != 0)) {
		xmppc_stanza_unref(reply);
		return rc;
	}
	*out = reply;
	return 0;
}
