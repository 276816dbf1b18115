/* Fetching the roster (RFC 6121 §2.2) with versioning (§2.6, XEP-0237):
 * the stored version goes in 'ver'; a result without <query/> means the
 * copy is current and the changes, if any, follow as pushes. */
#include <string.h>

#include "roster-internal.h"

typedef struct id_box {
	xmppc_ctx *ctx;
	char id[XMPPC_ID_SIZE];
} id_box;

static void free_box(void *ud)
{
	id_box *b = ud;

	xmppc_free(b->ctx, b);
}

static void on_result(xmppc_session *s, roster_state *st, const xmppc_stanza *reply)
{
	const xmppc_stanza *q = xmppc_stanza_find_child(reply, "query", XMPPC_NS_ROSTER);
	rs_list l = {NULL, 0, 0};
	char *ver = NULL;
	int rc;

	if (q != NULL) {
		if ((rc = xmppc__rs_read_query(st, &l, &ver, q)) != 0) {
			xmppc__rs_clear(st->ctx, &l);
			xmppc_free(st->ctx, ver);
			xmppc__rs_emit(s, st, XMPPC_ROSTER_EVENT_FETCH_FAILED, NULL, rc, reply);
			return;
		}
		xmppc__rs_clear(st->ctx, &st->items);
		st->items = l;
		xmppc_free(st->ctx, st->ver);
		st->ver = ver;
		xmppc__rs_store_save(st);
	}
	st->loaded = 1;
	xmppc__rs_emit(s, st, XMPPC_ROSTER_EVENT_LOADED, NULL, 0, reply);
}

static void on_reply(void *ud, xmppc_session *s, const xmppc_stanza *reply, int error)
{
	roster_state *st = xmppc_session_module_state(s, XMPPC_ROSTER_MODULE_NAME);
	const id_box *box = ud;

	/* The module may have been detached (and attached again) meanwhile:
	 * only the state that sent this request takes its answer. */
	if (st == NULL || st->fetch_id == NULL || strcmp(st->fetch_id, box->id) != 0)
		return;
	xmppc_free(st->ctx, st->fetch_id);
	st->fetch_id = NULL;
	if (error == 0)
		on_result(s, st, reply);
	else
		xmppc__rs_emit(s, st, XMPPC_ROSTER_EVENT_FETCH_FAILED, NULL, error, reply);
}

XMPPC_API int xmppc_roster_fetch(xmppc_session *s)
{
	roster_state *st;
	xmppc_stanza *iq = NULL, *q;
	id_box *box;
	int rc;

	if (s == NULL)
		return XMPPC_EINVAL;
	if ((st = xmppc_session_module_state(s, XMPPC_ROSTER_MODULE_NAME)) == NULL)
		return XMPPC_ENOTFOUND;
	if (st->fetch_id != NULL)
		return 0;
	if ((box = xmppc_calloc(st->ctx, 1, sizeof(*box))) == NULL)
		return XMPPC_ENOMEM;
	box->ctx = st->ctx;
	if ((rc = xmppc_random_id(box->id, sizeof(box->id))) != 0 ||
	    (rc = xmppc_iq_new(&iq, st->ctx, XMPPC_TYPE_GET, NULL, box->id)) != 0 ||
	    (rc = xmppc_stanza_new_child(&q, iq, "query", XMPPC_NS_ROSTER)) != 0)
		goto fail;
	/* RFC 6121 §2.6.1: 'ver' only when the server advertised versioning;
	 * "" asks for the whole roster and says we can cache it. */
	if (((st->flags & XMPPC_ROSTER_VERSIONING) ||
	     xmppc_session_has_stream_feature(s, "ver", XMPPC_NS_ROSTER_VER_FEATURE)) &&
	    st->has_store &&
	    (rc = xmppc_stanza_set_attr(q, "ver", st->ver != NULL ? st->ver : "")) != 0)
		goto fail;
	if ((st->fetch_id = xmppc_strdup(st->ctx, box->id)) == NULL) {
		rc = XMPPC_ENOMEM;
		goto fail;
	}
	if ((rc = xmppc_session_send_iq(s, iq, on_reply, 0, box, free_box)) != 0) {
		xmppc_free(st->ctx, st->fetch_id);
		st->fetch_id = NULL;
		goto fail;
	}
	xmppc_stanza_unref(iq);
	return 0;
fail:
	xmppc_stanza_unref(iq);
	free_box(box);
	return rc;
}
