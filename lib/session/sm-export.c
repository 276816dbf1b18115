/* Export and import of the stream-management state (xmppc_sm_export(),
 * xmppc_sm_import()), so that another process can resume the stream.
 *
 * Format, version 1, integers little-endian:
 *   "XMPPCSM" 0x01
 *   u32 h_in, u32 h_acked, u64 next_seq
 *   str previd, str location, str full JID
 *   u32 n, then n times: u64 seq, i64 wall_ms, u8 kind, str id, str xml
 *   u32 n offline, then n times: u64 seq, i64 wall_ms, str xml
 * where str is u32 length + bytes (length 0xffffffff: absent). Stanzas
 * left by a stream that could not be resumed are exported with the
 * unacknowledged ones after them, in order: the importing session resumes
 * nothing then and resends or returns them after binding. */
#include <string.h>

#include "session/session-internal.h"
#include "util/ctx.h"

#define MAGIC "XMPPCSM\x01"
#define ABSENT 0xffffffffu

static int put_u32(xmppc_buf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
	                      (unsigned char)(v >> 24)};
	return xmppc__buf_put(b, x, 4);
}

static int put_u64(xmppc_buf *b, uint64_t v)
{
	int rc = put_u32(b, (uint32_t)v);
	return rc != 0 ? rc : put_u32(b, (uint32_t)(v >> 32));
}

static int put_str(xmppc_buf *b, const char *s, size_t len)
{
	int rc;

	if (s == NULL)
		return put_u32(b, ABSENT);
	if ((rc = put_u32(b, (uint32_t)len)) != 0)
		return rc;
	return xmppc__buf_put(b, s, len);
}

static int put_cstr(xmppc_buf *b, const char *s)
{
	return put_str(b, s, s != NULL ? strlen(s) : 0);
}

static int put_item(xmppc_buf *b, const sm_item *it)
{
	int rc;
	unsigned char k = (unsigned char)it->kind;

	if ((rc = put_u64(b, it->seq)) != 0 || (rc = put_u64(b, (uint64_t)it->wall_ms)) != 0 ||
	    (rc = xmppc__buf_put(b, &k, 1)) != 0 || (rc = put_cstr(b, it->id)) != 0)
		return rc;
	return put_str(b, it->xml, it->len);
}

XMPPC_API int xmppc_sm_export(const xmppc_session *s, xmppc_buf *out)
{
	const sm_state *m;
	size_t i, start;
	xmppc_buf x;
	int rc;

	if (s == NULL || out == NULL)
		return XMPPC_EINVAL;
	m = &s->sm;
	if (m->jid == NULL && m->n_left == 0 && m->off_len == 0)
		return XMPPC_ESTATE;
	start = out->len;
	if ((rc = xmppc__buf_put(out, MAGIC, 8)) != 0 || (rc = put_u32(out, m->h_in)) != 0 ||
	    (rc = put_u32(out, m->h_acked)) != 0 || (rc = put_u64(out, m->next_seq)) != 0 ||
	    (rc = put_cstr(out, m->previd)) != 0 || (rc = put_cstr(out, m->location)) != 0 ||
	    (rc = put_cstr(out, m->jid != NULL ? xmppc_jid_full(m->jid) : NULL)) != 0 ||
	    (rc = put_u32(out, (uint32_t)(m->n_left + m->q_len))) != 0)
		goto fail;
	for (i = 0; i < m->n_left; i++)
		if ((rc = put_item(out, &m->left[i])) != 0)
			goto fail;
	for (i = 0; i < m->q_len; i++)
		if ((rc = put_item(out, xmppc__sm_q_at(m, i))) != 0)
			goto fail;
	if ((rc = put_u32(out, (uint32_t)m->off_len)) != 0)
		goto fail;
	xmppc__buf_init(&x, s->ctx);
	for (i = 0; i < m->off_len && rc == 0; i++) {
		const sm_offline *o = xmppc__sm_off_at(m, i);
		xmppc_buf_clear(&x);
		if ((rc = put_u64(out, o->seq)) == 0 && (rc = put_u64(out, (uint64_t)o->wall_ms)) == 0 &&
		    (rc = xmppc_stanza_to_xml(&x, o->st, XMPPC_NS_CLIENT)) == 0)
			rc = put_str(out, (const char *)x.data + x.off, x.len);
	}
	xmppc__buf_fini(&x);
	if (rc == 0)
		return 0;
fail:
	out->len = start;
	return rc;
}

/* ---- reading -------------------------------------------------------------- */

typedef struct {
	const unsigned char *p;
	size_t left;
	int bad;
} reader;

static uint32_t get_u32(reader *r)
{
	uint32_t v;

	if (r->left < 4) {
		r->bad = 1;
		return 0;
	}
	v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	r->left -= 4;
	return v;
}

static uint64_t get_u64(reader *r)
{
	uint64_t lo = get_u32(r);
	return lo | (uint64_t)get_u32(r) << 32;
}

/* A string copied (NUL-terminated) into *out; absent: NULL. */
static int get_str(xmppc_session *s, reader *r, char **out, size_t *len)
{
	uint32_t n = get_u32(r);

	*out = NULL;
	if (len != NULL)
		*len = 0;
	if (r->bad || n == ABSENT)
		return 0;
	if (n > r->left) {
		r->bad = 1;
		return 0;
	}
	if ((*out = xmppc__strndup(s->ctx, (const char *)r->p, n)) == NULL)
		return XMPPC_ENOMEM;
	if (len != NULL)
		*len = n;
	r->p += n;
	r->left -= n;
	return 0;
}

static void free_items(xmppc_session *s, sm_item *items, size_t n)
{
	size_t i;

	for (i = 0; items != NULL && i < n; i++) {
		xmppc__free(s->ctx, items[i].id);
		xmppc__free(s->ctx, items[i].xml);
	}
	xmppc__free(s->ctx, items);
}

XMPPC_API int xmppc_sm_import(xmppc_session *s, const void *data, size_t len)
{
	reader r = {data, len, 0};
	char *previd = NULL, *location = NULL, *jid_text = NULL;
	xmppc_jid *jid = NULL, *bare = NULL;
	sm_item *items = NULL;
	uint32_t h_in, h_acked, n = 0, n_off, i;
	uint64_t next_seq;
	int rc = 0;

	if (s == NULL || (data == NULL && len > 0))
		return XMPPC_EINVAL;
	if (s->started || s->state != XMPPC_SESSION_STATE_NEW || s->sm.previd != NULL || s->sm.q_len > 0 ||
	    s->sm.n_left > 0)
		return XMPPC_ESTATE;
	if (len < 8 || memcmp(data, MAGIC, 8) != 0)
		return XMPPC_ESM_STATE;
	r.p += 8;
	r.left -= 8;
	h_in = get_u32(&r);
	h_acked = get_u32(&r);
	next_seq = get_u64(&r);
	if ((rc = get_str(s, &r, &previd, NULL)) != 0 || (rc = get_str(s, &r, &location, NULL)) != 0 ||
	    (rc = get_str(s, &r, &jid_text, NULL)) != 0)
		goto out;
	n = get_u32(&r);
	/* each item takes at least 25 bytes: a count beyond that is a lie */
	if (r.bad || n > r.left / 25) {
		rc = XMPPC_ESM_STATE;
		goto out;
	}
	if (n > 0 && (items = xmppc__calloc(s->ctx, n, sizeof(*items))) == NULL) {
		rc = XMPPC_ENOMEM;
		goto out;
	}
	for (i = 0; i < n && !r.bad && rc == 0; i++) {
		items[i].seq = get_u64(&r);
		items[i].wall_ms = (int64_t)get_u64(&r);
		if (r.left < 1) {
			r.bad = 1;
			break;
		}
		items[i].kind = (char)r.p[0];
		r.p++;
		r.left--;
		if (items[i].kind != 'm' && items[i].kind != 'p' && items[i].kind != 'i')
			r.bad = 1;
		if (rc == 0)
			rc = get_str(s, &r, &items[i].id, NULL);
		if (rc == 0)
			rc = get_str(s, &r, &items[i].xml, &items[i].len);
		if (!r.bad && items[i].xml == NULL)
			r.bad = 1;
	}
	if (rc != 0)
		goto out;
	if (r.bad || (jid_text == NULL) != (previd == NULL)) {
		rc = XMPPC_ESM_STATE;
		goto out;
	}
	/* the same account, and a full JID */
	if (jid_text != NULL) {
		if (xmppc_jid_new(&jid, s->ctx, jid_text) != 0 || xmppc_jid_resource(jid) == NULL ||
		    xmppc_jid_to_bare(&bare, jid) != 0 || !xmppc_jid_equal(bare, s->account)) {
			rc = XMPPC_ESM_STATE;
			goto out;
		}
	}
	/* offline stanzas go through the normal offline path */
	n_off = get_u32(&r);
	if (r.bad) {
		rc = XMPPC_ESM_STATE;
		goto out;
	}
	{
		sm_state *m = &s->sm;
		for (i = 0; i < n_off && rc == 0; i++) {
			uint64_t seq = get_u64(&r);
			int64_t wall = (int64_t)get_u64(&r);
			char *xml = NULL;
			size_t xlen = 0;
			xmppc_stanza *st = NULL;
			if ((rc = get_str(s, &r, &xml, &xlen)) != 0)
				break;
			if (r.bad || xml == NULL || xmppc_stanza_from_xml(&st, s->ctx, xml, xlen) != 0) {
				xmppc__free(s->ctx, xml);
				rc = XMPPC_ESM_STATE;
				break;
			}
			xmppc__free(s->ctx, xml);
			rc = xmppc__sm_import_offline(s, st, seq, wall);
			xmppc_stanza_unref(st);
		}
		if (rc != 0)
			goto out;
		/* the unacknowledged queue, as the old process had it */
		for (i = 0; i < n; i++) {
			/* without a stream to resume they wait as leftovers */
			if ((rc = xmppc__sm_import_item(s, &items[i], previd == NULL)) != 0)
				goto out;
			memset(&items[i], 0, sizeof(items[i]));
		}
		m->h_in = h_in;
		m->h_acked = h_acked;
		if (next_seq > m->next_seq)
			m->next_seq = next_seq;
		m->previd = previd;
		m->location = location;
		m->jid = jid;
		previd = location = NULL;
		jid = NULL;
	}
out:
	free_items(s, items, n);
	xmppc__free(s->ctx, previd);
	xmppc__free(s->ctx, location);
	xmppc__free(s->ctx, jid_text);
	xmppc_jid_unref(jid);
	xmppc_jid_unref(bare);
	return rc;
}
