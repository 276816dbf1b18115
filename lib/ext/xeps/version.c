/* XEP-0092 Software Version: answer jabber:iq:version gets with the
 * application's name and version, and ask others for theirs. */
#include <string.h>

#include <xmppc/version.h>

#include "xeps.h"

typedef struct version_state {
	xeps_handlers h;
	char *name;
	char *ver;
	char *os;
} version_state;

static int answer(void *ud, xmppc_session *s, const xmppc_stanza *iq)
{
	version_state *st = ud;
	xmppc_stanza *res, *q;
	int rc;

	if ((rc = xmppc_iq_new_result(&res, iq)) != 0)
		return rc;
	if ((rc = xmppc_stanza_new_child(&q, res, "query", XMPPC_NS_VERSION)) == 0 &&
	    (rc = xmppc_stanza_new_text_child(NULL, q, "name", NULL, st->name)) == 0 &&
	    (rc = xmppc_stanza_new_text_child(NULL, q, "version", NULL, st->ver)) == 0 &&
	    (st->os == NULL || (rc = xmppc_stanza_new_text_child(NULL, q, "os", NULL, st->os)) == 0))
		rc = xmppc_session_send(s, res);
	xmppc_stanza_unref(res);
	return rc;
}

/* Copy the three strings (defaults for NULL), checking they can go on the
 * wire, then swap them in. */
static int set_strings(xmppc_session *s, version_state *st, const char *name, const char *ver,
                       const char *os)
{
	xmppc_ctx *ctx = xmppc_session_ctx(s);
	xmppc_stanza *probe;
	char *n, *v, *o = NULL;
	int rc;

	name = name != NULL ? name : "xmppc";
	ver = ver != NULL ? ver : xmppc_version();
	if ((rc = xmppc_stanza_new(&probe, ctx, "probe", NULL)) != 0)
		return rc;
	if ((rc = xmppc_stanza_new_text_child(NULL, probe, "a", NULL, name)) == 0 &&
	    (rc = xmppc_stanza_new_text_child(NULL, probe, "b", NULL, ver)) == 0 && os != NULL)
		rc = xmppc_stanza_new_text_child(NULL, probe, "c", NULL, os);
	xmppc_stanza_unref(probe);
	if (rc != 0)
		return rc == XMPPC_ENOMEM ? rc : XMPPC_EINVAL;
	n = xmppc_strdup(ctx, name);
	v = xmppc_strdup(ctx, ver);
	if (os != NULL)
		o = xmppc_strdup(ctx, os);
	if (n == NULL || v == NULL || (os != NULL && o == NULL)) {
		xmppc_free(ctx, n);
		xmppc_free(ctx, v);
		xmppc_free(ctx, o);
		return XMPPC_ENOMEM;
	}
	xmppc_free(ctx, st->name);
	xmppc_free(ctx, st->ver);
	xmppc_free(ctx, st->os);
	st->name = n;
	st->ver = v;
	st->os = o;
	return 0;
}

static void detach(xmppc_session *s, void *state)
{
	version_state *st = state;
	xmppc_ctx *ctx = xmppc_session_ctx(s);

	xmppc__xeps_unhandle(s, &st->h);
	xmppc_free(ctx, st->name);
	xmppc_free(ctx, st->ver);
	xmppc_free(ctx, st->os);
	xmppc_free(ctx, st);
}

static int attach(xmppc_session *s, void *config, void **state)
{
	const xmppc_version_config *c = config;
	version_state *st;
	int rc;

	if (c != NULL && c->version != XMPPC_VERSION_CONFIG_VERSION)
		return XMPPC_EINVAL;
	st = xmppc_calloc(xmppc_session_ctx(s), 1, sizeof(*st));
	if (st == NULL)
		return XMPPC_ENOMEM;
	rc = set_strings(s, st, c ? c->name : NULL, c ? c->software_version : NULL,
	                 c ? c->os : NULL);
	if (rc == 0)
		rc = xmppc__xeps_handle_get(s, &st->h, XMPPC_NS_VERSION, "query", answer, st);
	if (rc != 0) {
		detach(s, st);
		return rc;
	}
	*state = st;
	return 0;
}

static const char *const features[] = {XMPPC_NS_VERSION, NULL};

static const xmppc_module module = {
    .version = XMPPC_MODULE_VERSION,
    .name = XMPPC_VERSION_MODULE_NAME,
    .features = features,
    .attach = attach,
    .detach = detach,
};

XMPPC_API const xmppc_module *xmppc_version_module(void)
{
	return &module;
}

XMPPC_API int xmppc_version_set(xmppc_session *s, const char *name, const char *ver, const char *os)
{
	version_state *st;

	if (s == NULL)
		return XMPPC_EINVAL;
	st = xmppc_session_module_state(s, XMPPC_VERSION_MODULE_NAME);
	if (st == NULL)
		return XMPPC_ESTATE;
	return set_strings(s, st, name, ver, os);
}

static void deliver(const xeps_call *c, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	xmppc_version_fn fn = (xmppc_version_fn)c->fn;
	xmppc_version_info info;
	const xmppc_stanza *q, *n, *v, *o;

	if (error != 0) {
		fn(c->user_data, s, NULL, reply, error);
		return;
	}
	q = xmppc_stanza_find_child(reply, "query", XMPPC_NS_VERSION);
	n = q ? xmppc_stanza_find_child(q, "name", XMPPC_NS_VERSION) : NULL;
	v = q ? xmppc_stanza_find_child(q, "version", XMPPC_NS_VERSION) : NULL;
	o = q ? xmppc_stanza_find_child(q, "os", XMPPC_NS_VERSION) : NULL;
	memset(&info, 0, sizeof(info));
	info.version = XMPPC_VERSION_INFO_VERSION;
	info.name = xmppc_stanza_text(n);
	info.software_version = xmppc_stanza_text(v);
	info.os = o ? xmppc_stanza_text(o) : NULL;
	if (n == NULL || v == NULL || info.name == NULL || info.software_version == NULL)
		fn(c->user_data, s, NULL, reply, XMPPC_EPROTOCOL);
	else
		fn(c->user_data, s, &info, reply, 0);
}

XMPPC_API int xmppc_version_query(xmppc_session *s, const char *to, xmppc_version_fn fn,
                                  void *user_data, void (*destroy)(void *user_data))
{
	xmppc_stanza *iq, *q;
	int rc;

	if (s == NULL || fn == NULL)
		return XMPPC_EINVAL;
	if ((rc = xmppc__xeps_iq(&iq, &q, s, XMPPC_TYPE_GET, to, "query", XMPPC_NS_VERSION)) != 0)
		return rc;
	rc = xmppc__xeps_call(s, iq, 0, deliver, (void (*)(void))fn, user_data, destroy);
	xmppc_stanza_unref(iq);
	return rc;
}
