/* Dead-link detection (an <r/> or a XEP-0199 ping after an idle
 * interval), whitespace keepalive, and XEP-0352 client state indication.
 * See include/xmppc/liveness.h. */
#include <string.h>

#include "session/session-internal.h"
#include "util/ctx.h"

#define NS_CSI "urn:xmpp:csi:0"
#define DEFAULT_PROBE_TIMEOUT 10000u

/* Both run for every read and write: the clock is read only when the
 * timestamp is used (set_liveness starts them afresh). */
void xmppc__live_rx(xmppc_session *s)
{
	if (s->sm.live.idle_ms == 0)
		return;
	s->sm.last_rx = xmppc_ctx_now(s->ctx);
	s->sm.probe_at = 0; /* anything at all proves the link alive */
}

void xmppc__live_tx(xmppc_session *s)
{
	if (s->sm.live.whitespace_ms != 0)
		s->sm.last_tx = xmppc_ctx_now(s->ctx);
}

static int send_csi(xmppc_session *s)
{
	int rc;
	static const char inactive[] = "<inactive xmlns='" NS_CSI "'/>", active[] = "<active xmlns='" NS_CSI "'/>";

	if (s->sm.csi == 0 || !xmppc_session_has_stream_feature(s, "csi", NS_CSI))
		return 0;
	rc = s->sm.csi == XMPPC_CSI_INACTIVE ? xmppc__session_write_raw(s, inactive, sizeof(inactive) - 1)
	                                     : xmppc__session_write_raw(s, active, sizeof(active) - 1);
	if (rc == 0)
		s->sm.csi_sent = 1;
	return rc;
}

void xmppc__live_stream_ready(xmppc_session *s)
{
	uint64_t now = xmppc_ctx_now(s->ctx);

	s->sm.last_rx = s->sm.last_tx = now;
	s->sm.probe_at = 0;
	/* a new stream starts active (XEP-0352 §3): only inactive is news */
	if (s->sm.csi == XMPPC_CSI_INACTIVE)
		send_csi(s);
}

uint64_t xmppc__live_next_deadline(const xmppc_session *s)
{
	const sm_state *m = &s->sm;
	uint64_t d = 0;

	if (s->state != XMPPC_SESSION_STATE_READY)
		return 0;
	if (m->live.idle_ms != 0)
		d = m->probe_at != 0 ? m->probe_at + m->live.timeout_ms : m->last_rx + m->live.idle_ms;
	if (m->live.whitespace_ms != 0)
		d = xmppc__deadline_min(d, m->last_tx + m->live.whitespace_ms);
	return d;
}

static void on_ping_reply(xmppc_session *s, const xmppc_stanza *reply, int error)
{
	(void)s;
	(void)reply;
	(void)error; /* any input already counted as a sign of life */
}

static int probe(xmppc_session *s, uint64_t now)
{
	int rc;

	s->sm.probe_at = now;
	if (s->sm.active)
		return xmppc_sm_request_ack(s);
	{
		xmppc_stanza *iq = NULL;
		rc = xmppc_iq_new(&iq, s->ctx, XMPPC_TYPE_GET, xmppc_jid_domain(s->account), NULL);
		if (rc == 0 && (rc = xmppc_stanza_new_child(NULL, iq, "ping", "urn:xmpp:ping")) == 0)
			rc = xmppc__iq_send_internal(s, iq, on_ping_reply);
		xmppc_stanza_unref(iq);
	}
	return rc;
}

int xmppc__live_deadlines(xmppc_session *s, uint64_t now)
{
	sm_state *m = &s->sm;

	if (s->state != XMPPC_SESSION_STATE_READY)
		return 0;
	if (m->live.idle_ms != 0) {
		if (m->probe_at != 0 && now >= m->probe_at + m->live.timeout_ms) {
			XMPPC_LOG(s->ctx, XMPPC_LOG_INFO, "liveness", "no answer %u ms after a probe: dead link",
			          (unsigned)(now - m->probe_at));
			/* Nothing more is written: if the server still hears us, a
			 * stream error would end the stream it keeps for resumption. */
			s->stream_open = 0;
			return xmppc__session_fail(s, XMPPC_ELINK_DEAD, "no answer from the server (dead link)");
		}
		if (m->probe_at == 0 && now >= m->last_rx + m->live.idle_ms) {
			int rc = probe(s, now);
			if (rc != 0)
				return rc;
		}
	}
	if (m->live.whitespace_ms != 0 && now >= m->last_tx + m->live.whitespace_ms)
		return xmppc__session_write_raw(s, " ", 1);
	return 0;
}

XMPPC_API int xmppc_session_set_liveness(xmppc_session *s, const xmppc_liveness_config *c)
{
	if (s == NULL || c == NULL || c->version != XMPPC_LIVENESS_CONFIG_VERSION)
		return XMPPC_EINVAL;
	s->sm.live = *c;
	if (c->idle_ms != 0 && c->timeout_ms == 0)
		s->sm.live.timeout_ms = DEFAULT_PROBE_TIMEOUT;
	s->sm.probe_at = 0;
	s->sm.last_rx = s->sm.last_tx = xmppc_ctx_now(s->ctx); /* not tracked while off */
	return 0;
}

XMPPC_API int xmppc_session_set_csi(xmppc_session *s, xmppc_csi_state state)
{
	if (s == NULL || (state != XMPPC_CSI_ACTIVE && state != XMPPC_CSI_INACTIVE))
		return XMPPC_EINVAL;
	if (s->sm.csi == state && (s->sm.csi_sent || s->state != XMPPC_SESSION_STATE_READY))
		return 0;
	s->sm.csi = state;
	s->sm.csi_sent = 0;
	if (s->state != XMPPC_SESSION_STATE_READY || s->doomed)
		return 0;
	return send_csi(s);
}
