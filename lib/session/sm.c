/* XEP-0198 stream management: counters, the unacknowledged queue (kept
 * serialized, so a resumption resends the very bytes), <r/>/<a/>,
 * enable/resume/failed, and the offline queue. See include/xmppc/sm.h and
 * doc/sm.md. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "session/session-internal.h"
#include "util/ctx.h"
#include "util/datetime.h"
#include "xml/escape.h"

#define NS_SM "urn:xmpp:sm:3"
#define NS_DELAY "urn:xmpp:delay"

#define DEFAULT_ACK_EVERY 5u
#define DEFAULT_ACK_INTERVAL 5000u
#define DEFAULT_MAX_UNACKED 10000u
#define DEFAULT_MAX_FAILED_RESENDS 2u

static int64_t wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_defaults(xmppc_sm_config *c)
{
	if (c->ack_every == 0)
		c->ack_every = DEFAULT_ACK_EVERY;
	if (c->ack_interval_ms == 0)
		c->ack_interval_ms = DEFAULT_ACK_INTERVAL;
	if (c->max_unacked == 0)
		c->max_unacked = DEFAULT_MAX_UNACKED;
	if (c->max_failed_resends == 0)
		c->max_failed_resends = DEFAULT_MAX_FAILED_RESENDS;
}

void xmppc__sm_init(xmppc_session *s)
{
	memset(&s->sm, 0, sizeof(s->sm));
	s->sm.cfg.version = XMPPC_SM_CONFIG_VERSION;
	set_defaults(&s->sm.cfg);
	s->sm.live.version = XMPPC_LIVENESS_CONFIG_VERSION;
}

/* ---- items ---------------------------------------------------------- */

static void item_free(xmppc_session *s, sm_item *it)
{
	xmppc__free(s->ctx, it->id);
	xmppc__free(s->ctx, it->xml);
	memset(it, 0, sizeof(*it));
}

/* How a stanza's kind is kept in an item ('m' also for anything else the
 * offline queue may hold). */
static char kind_char(const xmppc_stanza *st)
{
	xmppc_stanza_kind k = xmppc_stanza_get_kind(st);

	return k == XMPPC_STANZA_PRESENCE ? 'p' : k == XMPPC_STANZA_IQ ? 'i' : 'm';
}

static const char *kind_name(char k)
{
	return k == 'm' ? "message" : k == 'p' ? "presence" : "iq";
}

/* Tell the application how a tracked stanza ended, and free it. */
static void item_done(xmppc_session *s, sm_item *it, xmppc_sm_status status)
{
	if (it->seq != 0 && s->sm.cfg.ack_fn != NULL) {
		xmppc_sm_item ev;
		memset(&ev, 0, sizeof(ev));
		ev.version = XMPPC_SM_ITEM_VERSION;
		ev.status = status;
		ev.seq = it->seq;
		ev.id = it->id;
		ev.name = kind_name(it->kind);
		ev.xml = it->xml;
		ev.len = it->len;
		ev.queued_at = it->wall_ms;
		s->depth++;
		s->sm.cfg.ack_fn(s->sm.cfg.ack_user_data, s, &ev);
		s->depth--;
	}
	item_free(s, it);
}

/* Room for one more element in a ring of `*cap` slots holding `len` from
 * `*head`: the same buffer, or a new one of twice the slots (16 at first)
 * with the elements oldest first; NULL without memory (nothing changed). */
static void *ring_reserve(xmppc_ctx *ctx, void *buf, size_t elem, size_t *cap, size_t *head, size_t len)
{
	size_t ncap = *cap ? *cap * 2 : 16, i;
	unsigned char *n;

	if (len < *cap)
		return buf;
	if ((n = xmppc__calloc(ctx, ncap, elem)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		memcpy(n + i * elem, (unsigned char *)buf + ((*head + i) % *cap) * elem, elem);
	xmppc__free(ctx, buf);
	*cap = ncap;
	*head = 0;
	return n;
}

static int q_push(xmppc_session *s, const sm_item *it)
{
	sm_state *m = &s->sm;
	sm_item *q = ring_reserve(s->ctx, m->q, sizeof(*q), &m->q_cap, &m->q_head, m->q_len);

	if (q == NULL)
		return XMPPC_ENOMEM;
	m->q = q;
	*xmppc__sm_q_at(m, m->q_len) = *it;
	m->q_len++;
	return 0;
}

static sm_item q_pop(xmppc_session *s)
{
	sm_state *m = &s->sm;
	sm_item it = m->q[m->q_head];

	memset(&m->q[m->q_head], 0, sizeof(it));
	m->q_head = (m->q_head + 1) % m->q_cap;
	m->q_len--;
	return it;
}

/* A copy of `st` at the end of the offline queue. */
static int off_push(xmppc_session *s, const xmppc_stanza *st, uint64_t seq, int64_t wall_ms)
{
	sm_state *m = &s->sm;
	sm_offline *off = ring_reserve(s->ctx, m->off, sizeof(*off), &m->off_cap, &m->off_head, m->off_len);
	sm_offline *o;
	int rc;

	if (off == NULL)
		return XMPPC_ENOMEM;
	m->off = off;
	o = xmppc__sm_off_at(m, m->off_len);
	if ((rc = xmppc_stanza_copy(&o->st, st)) != 0)
		return rc;
	o->seq = seq;
	o->wall_ms = wall_ms;
	m->off_len++;
	return 0;
}

static sm_offline off_pop(sm_state *m)
{
	sm_offline o = m->off[m->off_head];

	memset(&m->off[m->off_head], 0, sizeof(o));
	m->off_head = (m->off_head + 1) % m->off_cap;
	m->off_len--;
	return o;
}

int xmppc__sm_is_stanza(const xmppc_stanza *st)
{
	const char *ns = xmppc_stanza_ns(st);

	return xmppc_stanza_get_kind(st) != XMPPC_STANZA_OTHER &&
	       (ns == NULL || ns[0] == '\0' || strcmp(ns, XMPPC_NS_CLIENT) == 0);
}

/* ---- writing nonzas ----------------------------------------------------- */

static int write_fmt(xmppc_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int write_fmt(xmppc_session *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return XMPPC_ERANGE;
	return xmppc__session_write_raw(s, buf, (size_t)n);
}

static int send_r(xmppc_session *s)
{
	static const char r[] = "<r xmlns='" NS_SM "'/>";
	int rc = xmppc__session_write_raw(s, r, sizeof(r) - 1);

	if (rc == 0) {
		s->sm.r_outstanding = 1;
		s->sm.r_sent_at = xmppc_ctx_now(s->ctx);
		s->sm.since_r = 0;
	}
	return rc;
}

/* ---- tracking what we send ------------------------------------------------ */

/* Queue a copy of the bytes of a stanza just written. */
static int track_bytes(xmppc_session *s, const char *xml, size_t len, uint64_t seq, int64_t wall_ms,
                       char kind, const char *id)
{
	sm_state *m = &s->sm;
	sm_item it;

	memset(&it, 0, sizeof(it));
	it.seq = seq;
	it.wall_ms = wall_ms != 0 ? wall_ms : wall_now();
	it.kind = kind;
	it.len = len;
	it.xml = xmppc__malloc(s->ctx, len + 1);
	if (it.xml == NULL)
		return XMPPC_ENOMEM;
	memcpy(it.xml, xml, len);
	it.xml[len] = '\0';
	if (id != NULL && (it.id = xmppc__strndup(s->ctx, id, strlen(id))) == NULL) {
		item_free(s, &it);
		return XMPPC_ENOMEM;
	}
	if (q_push(s, &it) != 0) {
		item_free(s, &it);
		return XMPPC_ENOMEM;
	}
	if (m->since_r++ == 0)
		m->first_unrequested = xmppc_ctx_now(s->ctx);
	if (m->active && !m->r_outstanding && m->since_r >= m->cfg.ack_every)
		return send_r(s);
	return 0;
}

int xmppc__sm_track(xmppc_session *s, const xmppc_stanza *st, size_t start, uint64_t seq,
                    int64_t wall_ms)
{
	if (!s->sm.tracking || !xmppc__sm_is_stanza(st))
		return 0;
	return track_bytes(s, (const char *)s->out.data + s->out.off + start, s->out.len - start, seq,
	                   wall_ms, kind_char(st), xmppc_stanza_id(st));
}

int xmppc__sm_room(xmppc_session *s)
{
	if (!s->sm.tracking || s->sm.q_len < s->sm.cfg.max_unacked)
		return 0;
	s->sm.blocked = 1;
	return XMPPC_EAGAIN;
}

void xmppc__sm_output_idle(xmppc_session *s)
{
	sm_state *m = &s->sm;

	if (m->active && m->since_r > 0 && !m->r_outstanding && s->state == XMPPC_SESSION_STATE_READY)
		send_r(s);
}

/* ---- acknowledgements --------------------------------------------------------- */

/* The server says it handled h of our stanzas. */
static int on_ack(xmppc_session *s, uint32_t h, int strict)
{
	sm_state *m = &s->sm;
	uint32_t n = h - m->h_acked; /* wraps at 2^32 */

	if (n > m->q_len) {
		char buf[300];
		int len;
		if (!strict) {
			XMPPC_LOG(s->ctx, XMPPC_LOG_WARN, "sm", "<failed/> acknowledges %u, only %zu sent; ignored",
			          (unsigned)n, m->q_len);
			return 0;
		}
		/* XEP-0198 §4: handled-count-too-high, under undefined-condition */
		len = snprintf(buf, sizeof(buf),
		               "<stream:error><undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
		               "<handled-count-too-high xmlns='" NS_SM "' h='%u' send-count='%u'/></stream:error>",
		               (unsigned)h, (unsigned)(m->h_acked + (uint32_t)m->q_len));
		if (s->stream_open && s->state != XMPPC_SESSION_STATE_TLS) {
			s->err_condition = XMPPC_STREAM_COND_UNDEFINED_CONDITION;
			s->err_sent = 1;
			xmppc__session_write_raw(s, buf, (size_t)len);
		}
		return xmppc__session_fail(s, XMPPC_ESM_PROTOCOL, "the server acknowledged more stanzas than were sent");
	}
	m->h_acked = h;
	if (n > 0) {
		m->resent_pending = 0;
		m->failed_resends = 0;
	}
	while (n-- > 0 && !s->doomed) {
		sm_item it = q_pop(s);
		item_done(s, &it, XMPPC_SM_ACKED);
	}
	if (m->blocked && m->q_len < m->cfg.max_unacked / 2) {
		m->blocked = 0;
		s->drain_pending = 1;
	}
	/* stanzas sent since the request this answers: ask again, keeping one
	 * request in flight while there is traffic */
	if (m->active && m->since_r > 0 && !m->r_outstanding && s->state == XMPPC_SESSION_STATE_READY)
		return send_r(s);
	return 0;
}

static int parse_h(const xmppc_stanza *el, uint32_t *h)
{
	const char *v = xmppc_stanza_attr(el, "h");
	unsigned long long x = 0;
	size_t i;

	if (v == NULL || v[0] == '\0')
		return 0;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 10)
			return -1;
		x = x * 10 + (unsigned)(v[i] - '0');
	}
	if (x > 0xffffffffull)
		return -1;
	*h = (uint32_t)x;
	return 1;
}

/* ---- returning and resending what an old stream left ------------------------------ */

/* The old stream cannot be resumed: keep its unacknowledged stanzas for
 * the next stream (resent or returned once it is READY). */
static void move_queue_to_leftovers(xmppc_session *s)
{
	sm_state *m = &s->sm;
	size_t i, n = m->q_len;
	sm_item *l;

	if (n == 0)
		return;
	l = xmppc__realloc(s->ctx, m->left, (m->n_left + n) * sizeof(*l));
	if (l == NULL) {
		/* cannot keep them: the application gets them back now */
		while (m->q_len > 0) {
			sm_item it = q_pop(s);
			item_done(s, &it, XMPPC_SM_RETURNED);
		}
		return;
	}
	m->left = l;
	for (i = 0; i < n; i++)
		l[m->n_left++] = q_pop(s);
}

static void forget_stream(xmppc_session *s)
{
	sm_state *m = &s->sm;

	xmppc__free(s->ctx, m->previd);
	xmppc__free(s->ctx, m->location);
	m->previd = m->location = NULL;
	xmppc_jid_unref(m->jid);
	m->jid = NULL;
	move_queue_to_leftovers(s);
	m->h_acked = 0;
	m->h_in = 0;
	m->since_r = 0;
	m->resent_pending = 0;
	m->failed_resends = 0;
}

/* A message's bytes with a XEP-0203 delay stamp of its first send added
 * (its id and origin-id stay as they were). */
static int stamped(const sm_item *it, xmppc_buf *out)
{
	static const char close_tag[] = "</message>";
	char delay[128], stamp[XMPPC__DATETIME_MAX];
	size_t cl = sizeof(close_tag) - 1;
	int n, rc;

	if ((n = xmppc__datetime_print(stamp, sizeof(stamp), (int64_t)it->wall_ms)) < 0)
		return n;
	n = snprintf(delay, sizeof(delay), "<delay xmlns='" NS_DELAY "' stamp='%s'/>", stamp);
	if (n < 0 || (size_t)n >= sizeof(delay))
		return XMPPC_ERANGE;
	if (strstr(it->xml, "urn:xmpp:delay") != NULL)
		return xmppc__buf_put(out, it->xml, it->len); /* stamped already */
	if (it->len > cl && memcmp(it->xml + it->len - cl, close_tag, cl) == 0) {
		if ((rc = xmppc__buf_put(out, it->xml, it->len - cl)) != 0 ||
		    (rc = xmppc__buf_put(out, delay, (size_t)n)) != 0)
			return rc;
		return xmppc__buf_put(out, close_tag, cl);
	}
	if (it->len > 2 && memcmp(it->xml + it->len - 2, "/>", 2) == 0) {
		if ((rc = xmppc__buf_put(out, it->xml, it->len - 2)) != 0 || (rc = xmppc__buf_putc(out, '>')) != 0 ||
		    (rc = xmppc__buf_put(out, delay, (size_t)n)) != 0)
			return rc;
		return xmppc__buf_put(out, close_tag, cl);
	}
	return XMPPC_EINVAL;
}

/* After a fresh bind: resend the old stream's messages with a delay stamp
 * and their origin-id (when the new stream tracks them), return the rest. */
static void handle_leftovers(xmppc_session *s)
{
	sm_state *m = &s->sm;
	sm_item *l = m->left;
	size_t n = m->n_left, i;
	int resend = m->tracking && !(m->cfg.flags & XMPPC_SM_RETURN_ON_FAILURE) && !m->give_up_queue;

	m->left = NULL;
	m->n_left = 0;
	m->give_up_queue = 0;
	for (i = 0; i < n; i++) {
		xmppc_buf b;
		int rc = XMPPC_ESTATE;
		xmppc__buf_init(&b, s->ctx);
		if (resend && l[i].kind == 'm' && !s->doomed && s->state == XMPPC_SESSION_STATE_READY &&
		    (rc = stamped(&l[i], &b)) == 0 &&
		    (rc = xmppc__session_write_raw(s, (const char *)b.data + b.off, b.len)) == 0)
			rc = track_bytes(s, (const char *)b.data + b.off, b.len, l[i].seq, l[i].wall_ms, 'm', l[i].id);
		xmppc__buf_fini(&b);
		if (rc == 0)
			item_free(s, &l[i]); /* the new queue entry carries it on */
		else
			item_done(s, &l[i], XMPPC_SM_RETURNED);
	}
	xmppc__free(s->ctx, l);
}

/* ---- stream start: resume or enable ------------------------------------------------ */

static int offered(const xmppc_session *s)
{
	return !(s->sm.cfg.flags & XMPPC_SM_DISABLE) && xmppc_session_has_stream_feature(s, "sm", NS_SM);
}

int xmppc__sm_try_resume(xmppc_session *s)
{
	sm_state *m = &s->sm;

	m->tracking = m->active = m->enable_sent = m->resuming = 0;
	m->r_outstanding = 0;
	if (m->previd == NULL)
		return 0;
	if (!offered(s) || m->give_up_queue) {
		XMPPC_LOG(s->ctx, XMPPC_LOG_INFO, "sm", "not resuming %s: %s", m->previd,
		          m->give_up_queue ? "its resent stanzas kept killing the stream" : "not offered");
		forget_stream(s);
		return 0;
	}
	if (write_fmt(s, "<resume xmlns='" NS_SM "' h='%u' previd='", (unsigned)m->h_in) != 0 ||
	    xmppc__xml_escape_attr(&s->out, m->previd, strlen(m->previd)) != 0 ||
	    xmppc__session_write_raw(s, "'/>", 3) != 0)
		return 0;
	m->resuming = 1;
	s->state = XMPPC_SESSION_STATE_BINDING;
	XMPPC_LOG(s->ctx, XMPPC_LOG_INFO, "sm", "resuming %s: %u stanzas handled, %zu unacknowledged", m->previd,
	          (unsigned)m->h_in, m->q_len);
	return 1;
}

int xmppc__sm_after_bind(xmppc_session *s)
{
	sm_state *m = &s->sm;
	int rc;

	/* IQs of a stream that will not come back: they end now */
	xmppc__iq_fail_all(s, XMPPC_EDISCONNECTED);
	if (m->previd != NULL)
		forget_stream(s);
	if (!offered(s))
		return 0;
	if (m->cfg.flags & XMPPC_SM_NO_RESUME)
		rc = write_fmt(s, "<enable xmlns='" NS_SM "'/>");
	else if (m->cfg.resume_max_s != 0)
		rc = write_fmt(s, "<enable xmlns='" NS_SM "' resume='true' max='%u'/>",
		               (unsigned)m->cfg.resume_max_s);
	else
		rc = write_fmt(s, "<enable xmlns='" NS_SM "' resume='true'/>");
	if (rc != 0)
		return 0;
	m->enable_sent = 1;
	m->tracking = 1; /* the server counts from our <enable/> */
	m->h_acked = 0;
	m->since_r = 0;
	return 1;
}

void xmppc__sm_after_ready(xmppc_session *s)
{
	if (s->doomed || s->state != XMPPC_SESSION_STATE_READY)
		return;
	if (s->sm.n_left > 0)
		handle_leftovers(s);
	xmppc__live_stream_ready(s);
	xmppc__sm_flush_offline(s);
}

static int on_enabled(xmppc_session *s, const xmppc_stanza *el)
{
	sm_state *m = &s->sm;
	const char *id = xmppc_stanza_attr(el, "id"), *resume = xmppc_stanza_attr(el, "resume");
	const char *loc = xmppc_stanza_attr(el, "location");

	m->enable_sent = 0;
	m->active = 1;
	m->h_in = 0;
	if (id != NULL && resume != NULL && (strcmp(resume, "true") == 0 || strcmp(resume, "1") == 0) &&
	    !(m->cfg.flags & XMPPC_SM_NO_RESUME)) {
		if ((m->previd = xmppc__strndup(s->ctx, id, strlen(id))) == NULL ||
		    (loc != NULL && (m->location = xmppc__strndup(s->ctx, loc, strlen(loc))) == NULL))
			return xmppc__session_fail(s, XMPPC_ENOMEM, NULL);
		m->jid = xmppc_jid_ref(s->bound);
	}
	xmppc__session_ready(s);
	return 0;
}

static int on_resumed(xmppc_session *s, const xmppc_stanza *el)
{
	sm_state *m = &s->sm;
	const char *previd = xmppc_stanza_attr(el, "previd");
	uint32_t h = m->h_acked;
	size_t i;
	int rc;

	if (previd == NULL || strcmp(previd, m->previd) != 0) {
		/* not the stream we asked for: never try this one again */
		forget_stream(s);
		return xmppc__session_fail(s, XMPPC_ESM_PROTOCOL, "<resumed/> names another stream");
	}
	if (parse_h(el, &h) < 0)
		return xmppc__session_fail(s, XMPPC_ESM_PROTOCOL, "<resumed/> has an invalid h");
	m->resuming = 0;
	m->tracking = m->active = 1;
	if ((rc = on_ack(s, h, 1)) != 0 || s->doomed)
		return rc;
	xmppc_jid_unref(s->bound);
	s->bound = xmppc_jid_ref(m->jid);
	s->state = XMPPC_SESSION_STATE_READY;
	/* the very bytes, in order */
	for (i = 0; i < m->q_len; i++) {
		sm_item *it = xmppc__sm_q_at(m, i);
		if ((rc = xmppc__session_write_raw(s, it->xml, it->len)) != 0)
			return xmppc__session_fail(s, rc, NULL);
	}
	m->since_r = 0;
	if (m->q_len > 0) {
		m->resent_pending = 1;
		send_r(s);
	}
	XMPPC_LOG(s->ctx, XMPPC_LOG_INFO, "sm", "resumed as %s (h=%u), %zu stanzas resent", xmppc_jid_full(s->bound),
	          (unsigned)h, m->q_len);
	xmppc__session_emit(s, XMPPC_EVENT_RESUMED, 0, XMPPC_STREAM_COND_NONE, NULL, NULL);
	xmppc__sm_after_ready(s); /* no leftovers: a resumable stream was never forgotten */
	return 0;
}

static int on_failed(xmppc_session *s, const xmppc_stanza *el)
{
	sm_state *m = &s->sm;
	uint32_t h;

	if (m->resuming) {
		/* XEP-0198 §5: what h confirms was delivered; the rest is ours
		 * to handle, and this stream is never asked for again. */
		m->resuming = 0;
		XMPPC_LOG(s->ctx, XMPPC_LOG_INFO, "sm", "the server cannot resume %s", m->previd);
		if (parse_h(el, &h) > 0)
			on_ack(s, h, 0);
		if (s->doomed)
			return 0;
		forget_stream(s);
		s->depth++;
		xmppc__iq_fail_all(s, XMPPC_EDISCONNECTED); /* their stream is gone */
		s->depth--;
		if (s->doomed)
			return 0;
		return xmppc__session_bind(s);
	}
	if (m->enable_sent) {
		XMPPC_LOG(s->ctx, XMPPC_LOG_INFO, "sm", "the server refused to enable stream management");
		m->enable_sent = 0;
		m->tracking = 0;
		/* stanzas sent since <enable/> are not tracked after all */
		while (m->q_len > 0) {
			sm_item it = q_pop(s);
			item_free(s, &it);
		}
		xmppc__session_ready(s);
		return 0;
	}
	return xmppc__session_fail(s, XMPPC_EPROTOCOL, "unexpected stream-management <failed/>");
}

int xmppc__sm_on_element(xmppc_session *s, const xmppc_stanza *el)
{
	sm_state *m = &s->sm;
	const char *name = xmppc_stanza_name(el);
	uint32_t h;

	if (strcmp(name, "r") == 0) {
		/* nothing is written after our closing tag (RFC 6120 §4.4): the
		 * final <a/> went out before it */
		if (!m->active || s->state == XMPPC_SESSION_STATE_CLOSING)
			return 0;
		return write_fmt(s, "<a xmlns='" NS_SM "' h='%u'/>", (unsigned)m->h_in);
	}
	if (strcmp(name, "a") == 0) {
		if (!m->active)
			return 0;
		if (parse_h(el, &h) <= 0)
			return xmppc__session_fail(s, XMPPC_ESM_PROTOCOL, "<a/> without a valid h");
		m->r_outstanding = 0;
		return on_ack(s, h, 1);
	}
	if (strcmp(name, "enabled") == 0 && m->enable_sent)
		return on_enabled(s, el);
	if (strcmp(name, "resumed") == 0 && m->resuming)
		return on_resumed(s, el);
	if (strcmp(name, "failed") == 0)
		return on_failed(s, el);
	return xmppc__session_fail(s, XMPPC_EPROTOCOL, "unexpected stream-management element");
}

void xmppc__sm_final_ack(xmppc_session *s)
{
	if (s->sm.active)
		write_fmt(s, "<a xmlns='" NS_SM "' h='%u'/>", (unsigned)s->sm.h_in);
}

void xmppc__sm_count_in(xmppc_session *s)
{
	if (s->sm.active)
		s->sm.h_in++;
}

void xmppc__sm_stream_ended(xmppc_session *s, int code)
{
	sm_state *m = &s->sm;

	if (m->resent_pending && code == XMPPC_ESTREAM_ERROR) {
		/* the stanzas we resent may be what the server kills the stream for */
		if (++m->failed_resends >= m->cfg.max_failed_resends) {
			XMPPC_LOG(s->ctx, XMPPC_LOG_WARN, "sm",
			          "resent stanzas drew a stream error %u times: the queue will be returned",
			          m->failed_resends);
			m->give_up_queue = 1;
		}
	}
	if (code == 0)
		forget_stream(s); /* a closed stream cannot be resumed */
	m->tracking = m->active = m->enable_sent = m->resuming = 0;
	m->r_outstanding = 0;
	m->resent_pending = 0;
	m->probe_at = 0;
	m->csi_sent = 0;
}

int xmppc__sm_keeps_iqs(const xmppc_session *s)
{
	return s->sm.previd != NULL && !s->sm.give_up_queue;
}

/* ---- deadlines: the ack interval ------------------------------------------------------ */

uint64_t xmppc__sm_next_deadline(const xmppc_session *s)
{
	const sm_state *m = &s->sm;
	uint64_t d = 0;

	if (!m->active || s->state != XMPPC_SESSION_STATE_READY)
		return 0;
	if (m->since_r > 0)
		d = m->first_unrequested + m->cfg.ack_interval_ms;
	if (m->r_outstanding && m->q_len > 0)
		d = xmppc__deadline_min(d, m->r_sent_at + m->cfg.ack_interval_ms);
	return d;
}

int xmppc__sm_deadlines(xmppc_session *s, uint64_t now)
{
	uint64_t d = xmppc__sm_next_deadline(s);

	if (d != 0 && now >= d)
		return send_r(s);
	return 0;
}

/* ---- the offline queue ---------------------------------------------------------------- */

int xmppc__sm_offline_send(xmppc_session *s, const xmppc_stanza *st, int *rc)
{
	sm_state *m = &s->sm;

	if (m->off_len == 0 && (s->state == XMPPC_SESSION_STATE_READY || m->off_max == 0))
		return 0;
	if (s->state == XMPPC_SESSION_STATE_CLOSING || s->doomed || m->off_max == 0) {
		*rc = XMPPC_ESTATE;
		return 1;
	}
	if (m->off_len >= m->off_max) {
		s->out_blocked = 1;
		*rc = XMPPC_EAGAIN;
		return 1;
	}
	if ((*rc = off_push(s, st, m->next_seq + 1, wall_now())) == 0)
		m->next_seq++;
	return 1;
}

/* Tell the application how an offline stanza ended (it never went out). */
static void offline_done(xmppc_session *s, const sm_offline *o, xmppc_sm_status status)
{
	const char *id = xmppc_stanza_id(o->st);
	sm_item it;
	xmppc_buf b;

	if (o->seq == 0 || s->sm.cfg.ack_fn == NULL)
		return;
	memset(&it, 0, sizeof(it));
	xmppc__buf_init(&b, s->ctx);
	if (xmppc_stanza_to_xml(&b, o->st, XMPPC_NS_CLIENT) == 0 &&
	    (it.xml = xmppc__strndup(s->ctx, (const char *)b.data + b.off, b.len)) != NULL) {
		it.len = b.len;
		it.seq = o->seq;
		it.wall_ms = o->wall_ms;
		it.kind = kind_char(o->st);
		it.id = id != NULL ? xmppc__strndup(s->ctx, id, strlen(id)) : NULL;
		item_done(s, &it, status);
	}
	xmppc__buf_fini(&b);
}

void xmppc__sm_flush_offline(xmppc_session *s)
{
	sm_state *m = &s->sm;

	while (m->off_len > 0 && s->state == XMPPC_SESSION_STATE_READY && !s->doomed &&
	       s->out.len < s->high_water && xmppc__sm_room(s) == 0) {
		sm_offline o = off_pop(m);
		xmppc_stanza *rep = NULL;
		int rc;

		rc = xmppc__send_filters(s, o.st, &rep);
		if (rc == 0 && s->state == XMPPC_SESSION_STATE_READY)
			rc = xmppc__session_write_seq(s, rep != NULL ? rep : o.st, o.seq, o.wall_ms);
		xmppc_stanza_unref(rep);
		if (rc != 0) /* refused by a filter or unwritable: the application hears of it */
			offline_done(s, &o, XMPPC_SM_RETURNED);
		xmppc_stanza_unref(o.st);
	}
}

/* Offline stanzas end as RETURNED (give up) or DISCARDED (free). */
static void drop_offline(xmppc_session *s, xmppc_sm_status status)
{
	sm_state *m = &s->sm;

	while (m->off_len > 0) {
		sm_offline o = off_pop(m);

		offline_done(s, &o, status);
		xmppc_stanza_unref(o.st);
	}
}

static void drop_all(xmppc_session *s, xmppc_sm_status status)
{
	sm_state *m = &s->sm;
	sm_item *l = m->left;
	size_t n = m->n_left, i;

	m->left = NULL;
	m->n_left = 0;
	for (i = 0; i < n; i++)
		item_done(s, &l[i], status);
	xmppc__free(s->ctx, l);
	while (m->q_len > 0) {
		sm_item it = q_pop(s);
		item_done(s, &it, status);
	}
	drop_offline(s, status);
}

void xmppc__sm_fini(xmppc_session *s)
{
	sm_state *m = &s->sm;

	drop_all(s, XMPPC_SM_DISCARDED);
	xmppc__free(s->ctx, m->q);
	xmppc__free(s->ctx, m->off);
	xmppc__free(s->ctx, m->previd);
	xmppc__free(s->ctx, m->location);
	xmppc_jid_unref(m->jid);
	memset(m, 0, sizeof(*m));
}

/* ---- public API ------------------------------------------------------------------------ */

XMPPC_API int xmppc_sm_configure(xmppc_session *s, const xmppc_sm_config *c)
{
	if (s == NULL || c == NULL || c->version != XMPPC_SM_CONFIG_VERSION ||
	    (c->flags & ~(XMPPC_SM_DISABLE | XMPPC_SM_NO_RESUME | XMPPC_SM_RETURN_ON_FAILURE)))
		return XMPPC_EINVAL;
	s->sm.cfg = *c;
	set_defaults(&s->sm.cfg);
	return 0;
}

XMPPC_API int xmppc_sm_enabled(const xmppc_session *s)
{
	return s != NULL && s->sm.active;
}

XMPPC_API int xmppc_sm_resumable(const xmppc_session *s)
{
	return s != NULL && s->sm.previd != NULL;
}

XMPPC_API int xmppc_session_event_ends_state(const xmppc_session *s, const xmppc_session_event *ev)
{
	if (s == NULL || ev == NULL)
		return 0;
	return ev->type == XMPPC_EVENT_BOUND || (ev->type == XMPPC_EVENT_DISCONNECTED && s->sm.previd == NULL);
}

XMPPC_API size_t xmppc_sm_unacked(const xmppc_session *s)
{
	return s != NULL ? s->sm.q_len + s->sm.n_left + s->sm.off_len : 0;
}

XMPPC_API uint64_t xmppc_sm_last_seq(const xmppc_session *s)
{
	return s != NULL ? s->sm.next_seq : 0;
}

XMPPC_API int xmppc_sm_request_ack(xmppc_session *s)
{
	if (s == NULL)
		return XMPPC_EINVAL;
	if (!s->sm.active || s->state != XMPPC_SESSION_STATE_READY)
		return XMPPC_ESTATE;
	return send_r(s);
}

XMPPC_API int xmppc_session_set_offline_queue(xmppc_session *s, size_t max)
{
	if (s == NULL)
		return XMPPC_EINVAL;
	s->sm.off_max = max;
	return 0;
}

XMPPC_API int xmppc_sm_give_up(xmppc_session *s)
{
	if (s == NULL)
		return XMPPC_EINVAL;
	if (s->state == XMPPC_SESSION_STATE_READY || s->state == XMPPC_SESSION_STATE_CLOSING)
		return XMPPC_ESTATE;
	s->depth++;
	forget_stream(s); /* all of it: id, location, JID, counters */
	s->sm.give_up_queue = 0;
	drop_all(s, XMPPC_SM_RETURNED);
	xmppc__iq_fail_all(s, XMPPC_EDISCONNECTED);
	s->depth--;
	return 0;
}

/* ---- liveness configuration and CSI live in liveness.c; export/import in sm-export.c */

/* An unacknowledged stanza from an exported state: into the queue, or
 * (the stream is not resumable) with the leftovers. */
int xmppc__sm_import_item(xmppc_session *s, sm_item *it, int leftover)
{
	sm_state *m = &s->sm;

	if (leftover) {
		sm_item *l = xmppc__realloc(s->ctx, m->left, (m->n_left + 1) * sizeof(*l));
		if (l == NULL)
			return XMPPC_ENOMEM;
		m->left = l;
		l[m->n_left++] = *it;
		return 0;
	}
	return q_push(s, it);
}

/* Sequence numbers are given by xmppc_session_send(). */
uint64_t xmppc__sm_next_seq(xmppc_session *s)
{
	return ++s->sm.next_seq;
}

int xmppc__sm_import_offline(xmppc_session *s, const xmppc_stanza *st, uint64_t seq, int64_t wall_ms)
{
	return off_push(s, st, seq, wall_ms);
}
