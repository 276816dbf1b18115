/* XEP-0198 stream management, liveness and CSI state of a session (sm.c,
 * liveness.c), and the hooks the rest of lib/session calls. */
#ifndef XMPPC_SM_INTERNAL_H
#define XMPPC_SM_INTERNAL_H

#include <stdint.h>
#include <xmppc/liveness.h>
#include <xmppc/sm.h>

/* A stanza sent and not yet acknowledged, as serialized. */
typedef struct sm_item {
	uint64_t seq;    /* the application's sequence number (0: sent by the library) */
	int64_t wall_ms; /* when first sent (delay stamps) */
	char kind;       /* 'm', 'p', 'i' */
	char *id;        /* id attribute or NULL */
	char *xml;
	size_t len;
} sm_item;

/* A stanza the application sent while no stream was READY. */
typedef struct sm_offline {
	xmppc_stanza *st;
	uint64_t seq;
	int64_t wall_ms;
} sm_offline;

typedef struct sm_state {
	/* configuration */
	xmppc_sm_config cfg;

	/* this stream */
	int tracking;          /* <enable/> sent or stream resumed: our stanzas are counted */
	int active;            /* <enabled/> or <resumed/> received */
	int enable_sent;       /* waiting for <enabled/> or <failed/> */
	int resuming;          /* waiting for <resumed/> or <failed/> */
	uint32_t h_in;         /* stanzas received since <enabled/> */
	uint32_t h_acked;      /* our stanzas the server acknowledged (mod 2^32) */
	unsigned since_r;      /* tracked stanzas sent since our last <r/> */
	uint64_t first_unrequested; /* when the first of them was sent */
	int r_outstanding;
	uint64_t r_sent_at;

	/* the resumable stream */
	char *previd;
	char *location;
	xmppc_jid *jid;        /* the full JID it is bound to */
	unsigned failed_resends; /* resumptions in a row whose resend drew a stream error */
	int resent_pending;    /* stanzas were resent and none acknowledged yet */
	int give_up_queue;     /* the next stream binds afresh and returns the queue */

	/* unacknowledged stanzas: a ring */
	sm_item *q;
	size_t q_head, q_len, q_cap;
	/* from a stream that could not be resumed, waiting for the next one */
	sm_item *left;
	size_t n_left;

	/* offline queue */
	sm_offline *off;
	size_t off_head, off_len, off_cap, off_max;

	uint64_t next_seq;
	int blocked; /* a send was refused for max_unacked: drain when below half */

	/* liveness */
	xmppc_liveness_config live;
	uint64_t last_rx, last_tx;
	uint64_t probe_at; /* a probe is out since then (0: none) */

	/* XEP-0352 */
	xmppc_csi_state csi;
	int csi_sent; /* the current stream has our state */
} sm_state;

/* sm.c */
void xmppc__sm_init(xmppc_session *s);
void xmppc__sm_fini(xmppc_session *s);
/* The stream is secured and authenticated and offers binding: 1 if a
 * <resume/> went out (the caller waits), 0 to bind. */
int xmppc__sm_try_resume(xmppc_session *s);
/* The resource is bound: 1 if <enable/> went out (READY comes with the
 * answer), 0 to be READY now. */
int xmppc__sm_after_bind(xmppc_session *s);
/* The session became READY after a fresh bind (BOUND is emitted by the
 * caller first): resend or return what the old stream left, flush the
 * offline queue. */
void xmppc__sm_after_ready(xmppc_session *s);
/* An element of the SM namespace: 0 or the failure. */
int xmppc__sm_on_element(xmppc_session *s, const xmppc_stanza *el);
/* Before our closing tag: tell the server what we handled. */
void xmppc__sm_final_ack(xmppc_session *s);
/* A stanza arrived (counted whatever becomes of it). */
void xmppc__sm_count_in(xmppc_session *s);
/* A stanza was serialized into the output from byte `start`. */
int xmppc__sm_track(xmppc_session *s, const xmppc_stanza *st, size_t start, uint64_t seq,
                    int64_t wall_ms);
/* The stream ended with `code`. */
void xmppc__sm_stream_ended(xmppc_session *s, int code);
/* xmppc_session_send() outside READY or behind queued stanzas: 1 if the
 * offline queue took it (*rc set), 0 if not handled. */
int xmppc__sm_offline_send(xmppc_session *s, const xmppc_stanza *st, int *rc);
/* The output was written out completely. */
void xmppc__sm_output_idle(xmppc_session *s);
/* 0 or XMPPC_EAGAIN when the unacknowledged queue is full. */
int xmppc__sm_room(xmppc_session *s);
/* Before the application's drain callback: send what waits offline. */
void xmppc__sm_flush_offline(xmppc_session *s);
uint64_t xmppc__sm_next_deadline(const xmppc_session *s);
int xmppc__sm_deadlines(xmppc_session *s, uint64_t now);
/* IQs pending at the end of a stream are kept for a resumption. */
int xmppc__sm_keeps_iqs(const xmppc_session *s);
/* Whether the stanza must be counted / tracked. */
int xmppc__sm_is_stanza(const xmppc_stanza *st);

uint64_t xmppc__sm_next_seq(xmppc_session *s);
int xmppc__sm_import_item(xmppc_session *s, sm_item *it, int leftover);
/* An offline stanza from an exported state (copied), as it was queued. */
int xmppc__sm_import_offline(xmppc_session *s, const xmppc_stanza *st, uint64_t seq, int64_t wall_ms);

/* The i-th element, oldest first, of the unacknowledged and offline rings. */
static inline sm_item *xmppc__sm_q_at(const sm_state *m, size_t i)
{
	return &m->q[(m->q_head + i) % m->q_cap];
}

static inline sm_offline *xmppc__sm_off_at(const sm_state *m, size_t i)
{
	return &m->off[(m->off_head + i) % m->off_cap];
}

/* liveness.c */
void xmppc__live_rx(xmppc_session *s);
void xmppc__live_tx(xmppc_session *s);
uint64_t xmppc__live_next_deadline(const xmppc_session *s);
int xmppc__live_deadlines(xmppc_session *s, uint64_t now);
/* A stream is READY (fresh or resumed): restart timers, resend CSI. */
void xmppc__live_stream_ready(xmppc_session *s);

#endif
