/* XEP-0054 vcard-temp: get and set the <vCard/> element, and simple
 * field access. */
#include <string.h>

#include <xmppc/vcard.h>

#include "xeps.h"

#define MAX_DEPTH 4
#define MAX_NAME 64

static int attach(xmppc_session *s, void *config, void **state)
{
	(void)s;
	*state = NULL;
	return config == NULL ? 0 : XMPPC_EINVAL;
}

static const xmppc_module module = {
    .version = XMPPC_MODULE_VERSION,
    .name = XMPPC_VCARD_MODULE_NAME,
    .attach = attach,
};

XMPPC_API const xmppc_module *xmppc_vcard_module(void)
{
	return &module;
}

XMPPC_API int xmppc_vcard_new(xmppc_stanza **out, xmppc_ctx *ctx)
{
	if (out == NULL || ctx == NULL)
		return XMPPC_EINVAL;
	return xmppc_stanza_new(out, ctx, "vCard", XMPPC_NS_VCARD);
}

/* Split @path into at most MAX_DEPTH names of MAX_NAME-1 bytes. */
static int split(char names[MAX_DEPTH][MAX_NAME], const char *path)
{
	int n = 0;

	while (*path != '\0') {
		size_t len = strcspn(path, "/");
		if (len == 0 || len >= MAX_NAME || n == MAX_DEPTH)
			return -1;
		memcpy(names[n], path, len);
		names[n++][len] = '\0';
		path += len;
		if (*path == '/' && *++path == '\0')
			return -1;
	}
	return n;
}

XMPPC_API const char *xmppc_vcard_field(const xmppc_stanza *vcard, const char *path)
{
	char names[MAX_DEPTH][MAX_NAME];
	const xmppc_stanza *el = vcard;
	int n, i;

	if (vcard == NULL || path == NULL || (n = split(names, path)) <= 0)
		return NULL;
	for (i = 0; i < n && el != NULL; i++)
		el = xmppc_stanza_find_child(el, names[i], XMPPC_NS_VCARD);
	return el != NULL ? xmppc_stanza_text(el) : NULL;
}

XMPPC_API int xmppc_vcard_set_field(xmppc_stanza *vcard, const char *path, const char *text)
{
	char names[MAX_DEPTH][MAX_NAME];
	xmppc_stanza *el = vcard, *c;
	int n, i, rc;

	if (vcard == NULL || path == NULL || text == NULL ||
	    !xmppc_stanza_is(vcard, "vCard", XMPPC_NS_VCARD) || (n = split(names, path)) <= 0)
		return XMPPC_EINVAL;
	for (i = 0; i < n; i++) {
		c = xmppc_stanza_find_child(el, names[i], XMPPC_NS_VCARD);
		if (c == NULL && (rc = xmppc_stanza_new_child(&c, el, names[i], XMPPC_NS_VCARD)) != 0)
			return rc;
		el = c;
	}
	return xmppc_stanza_set_text(el, text);
}

static void deliver(const xeps_call *c, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	xmppc_vcard_fn fn = (xmppc_vcard_fn)c->fn;
	const xmppc_stanza *v = NULL;

	if (error == 0)
		v = xmppc_stanza_find_child(reply, "vCard", XMPPC_NS_VCARD);
	fn(c->user_data, s, v, reply, error);
}

XMPPC_API int xmppc_vcard_get(xmppc_session *s, const char *jid, xmppc_vcard_fn fn,
                              void *user_data, void (*destroy)(void *user_data))
{
	xmppc_stanza *iq, *v;
	int rc;

	if (s == NULL || fn == NULL)
		return XMPPC_EINVAL;
	if ((rc = xmppc__xeps_iq(&iq, &v, s, XMPPC_TYPE_GET, jid, "vCard", XMPPC_NS_VCARD)) != 0)
		return rc;
	rc = xmppc__xeps_call(s, iq, 0, deliver, (void (*)(void))fn, user_data, destroy);
	xmppc_stanza_unref(iq);
	return rc;
}

XMPPC_API int xmppc_vcard_set(xmppc_session *s, const xmppc_stanza *vcard, xmppc_iq_reply_fn fn,
                              void *user_data, void (*destroy)(void *user_data))
{
	xmppc_stanza *iq;
	int rc;

	if (s == NULL || !xmppc_stanza_is(vcard, "vCard", XMPPC_NS_VCARD))
		return XMPPC_EINVAL;
	if ((rc = xmppc_iq_new(&iq, xmppc_session_ctx(s), XMPPC_TYPE_SET, NULL, NULL)) != 0)
		return rc;
	if ((rc = xmppc_stanza_add_child(NULL, iq, vcard)) == 0)
		rc = xmppc__xeps_call(s, iq, 0, xmppc__xeps_deliver_done, (void (*)(void))fn,
		                      user_data, destroy);
	xmppc_stanza_unref(iq);
	return rc;
}
