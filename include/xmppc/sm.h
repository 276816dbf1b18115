/**
 * @file sm.h
 * @brief Stream management (XEP-0198): acknowledgements, resumption, the
 *        offline queue, and export/import of the state.
 *
 * Stream management is on by default: once a resource is bound on a
 * stream whose features offer `<sm xmlns='urn:xmpp:sm:3'/>`, the session
 * sends an `enable` element asking for resumption and reports READY (#XMPPC_EVENT_BOUND)
 * when the server has answered. From then on:
 *
 * - every stanza sent is kept, serialized, in the unacknowledged queue
 *   until the server's `<a h=.../>` covers it; the acknowledgement
 *   callback (#xmppc_sm_config.ack_fn) then fires for it once with
 *   #XMPPC_SM_ACKED: the server has taken responsibility for it;
 * - acknowledgements are requested (`<r/>`) after every
 *   #xmppc_sm_config.ack_every stanzas, when stanzas have waited
 *   #xmppc_sm_config.ack_interval_ms, and when the output queue has been
 *   written out completely (at most one request outstanding for the last
 *   two);
 * - every `<r/>` from the server is answered with the number of stanzas
 *   received (counted even when dropped; nonzas are never counted;
 *   counters wrap at 2^32);
 * - an `<a/>` acknowledging more than was sent ends the stream with
 *   `undefined-condition` and `<handled-count-too-high/>`
 *   (#XMPPC_ESM_PROTOCOL).
 *
 * When the stream breaks and the session is started again (by the
 * connection driver's reconnection, or by the application after
 * xmppc_session_reset()), it resumes the stream (`<resume previd h/>`)
 * instead of binding, and on `<resumed/>` resends exactly the
 * unacknowledged stanzas, byte for byte, in order, then fires
 * #XMPPC_EVENT_RESUMED (no presence needs to be sent again). When the
 * server cannot resume (`<failed/>`), what its `h` confirms is marked
 * acknowledged, a fresh resource is bound, and the remaining stanzas are
 * resent with a XEP-0203 delay stamp (messages only; IQs and presences are
 * returned to the application) or all returned, by
 * #XMPPC_SM_RETURN_ON_FAILURE. Resumption is never requested again for a
 * stream the server could not resume. A stanza that kills the stream each
 * time it is resent cannot cause an endless loop: after
 * #xmppc_sm_config.max_failed_resends resumptions whose resent stanzas
 * drew a stream error before being acknowledged, the next connection binds
 * afresh and returns the queue to the application.
 *
 * Nothing handed to xmppc_session_send() is dropped silently: a tracked
 * stanza ends with exactly one acknowledgement callback (ACKED, RETURNED or
 * DISCARDED).
 */
#ifndef XMPPC_SM_H
#define XMPPC_SM_H

#include <xmppc/buf.h>
#include <xmppc/session.h>

XMPPC_BEGIN_DECLS

/** How a tracked stanza's life ended. */
typedef enum xmppc_sm_status {
	XMPPC_SM_ACKED = 1,    /**< the server acknowledged it */
	XMPPC_SM_RETURNED = 2, /**< not acknowledged and not resent: the application decides */
	XMPPC_SM_DISCARDED = 3 /**< the state was dropped (session freed, xmppc_sm_reset()) while unacknowledged */
} xmppc_sm_status;

/** Version of #xmppc_sm_item understood by this library. */
#define XMPPC_SM_ITEM_VERSION 1u

/** A tracked stanza, as passed to the acknowledgement callback. */
typedef struct xmppc_sm_item {
	unsigned version;       /**< #XMPPC_SM_ITEM_VERSION */
	xmppc_sm_status status; /**< how it ended */
	uint64_t seq;           /**< its sequence number (xmppc_sm_last_seq() after its send) */
	const char *id;         /**< its `id` attribute, or NULL */
	const char *name;       /**< "message", "presence" or "iq" */
	const char *xml;        /**< the stanza as first sent (not NUL-terminated) */
	size_t len;             /**< length of @ref xml */
	int64_t queued_at;      /**< wall-clock time it was sent, ms since the Unix epoch */
} xmppc_sm_item;

/**
 * Acknowledgement callback: fires exactly once per tracked stanza. May
 * send (a RETURNED stanza can be sent again as a new stanza).
 *
 * @param user_data as configured.
 * @param session the session.
 * @param item the stanza (borrowed for the call).
 */
typedef void (*xmppc_sm_ack_fn)(void *user_data, xmppc_session *session, const xmppc_sm_item *item);

/** Flag: do not use stream management at all. */
#define XMPPC_SM_DISABLE 0x1u
/** Flag: enable acknowledgements but never ask for resumption. */
#define XMPPC_SM_NO_RESUME 0x2u
/** Flag: when resumption fails, return every unacknowledged stanza
 *  (#XMPPC_SM_RETURNED) instead of resending messages with a delay stamp. */
#define XMPPC_SM_RETURN_ON_FAILURE 0x4u

/** Version of #xmppc_sm_config understood by this library. */
#define XMPPC_SM_CONFIG_VERSION 1u

/** Stream-management settings. Zero means the default. */
typedef struct xmppc_sm_config {
	unsigned version;         /**< #XMPPC_SM_CONFIG_VERSION */
	unsigned flags;           /**< XMPPC_SM_* flags */
	unsigned ack_every;       /**< request an ack after this many unacked stanzas (default 5) */
	uint32_t ack_interval_ms; /**< request an ack when stanzas have waited this long (default 5000) */
	uint32_t resume_max_s;    /**< `max` asked for in `<enable/>` (0: the server's default) */
	/** Most unacknowledged stanzas kept (default 10000): beyond that,
	 *  xmppc_session_send() refuses with #XMPPC_EAGAIN until acks come
	 *  (the drain callback fires then). */
	size_t max_unacked;
	/** Resumptions whose resent stanzas drew a stream error before
	 *  being acknowledged, in a row, before the queue is given up
	 *  (default 2). */
	unsigned max_failed_resends;
	xmppc_sm_ack_fn ack_fn;   /**< acknowledgement callback, or NULL */
	void *ack_user_data;      /**< passed to @ref ack_fn */
} xmppc_sm_config;

/**
 * Configure stream management (replaces the defaults). Allowed any time;
 * flags take effect at the next stream.
 *
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_sm_configure(xmppc_session *session, const xmppc_sm_config *config);

/** 1 if stream management is active on the current stream, else 0. */
XMPPC_API int xmppc_sm_enabled(const xmppc_session *session);

/** 1 if the session holds a stream the server said it can resume, else 0. */
XMPPC_API int xmppc_sm_resumable(const xmppc_session *session);

/** Number of stanzas sent and not yet acknowledged (plus those queued offline). */
XMPPC_API size_t xmppc_sm_unacked(const xmppc_session *session);

/** Sequence number given to the last stanza accepted by xmppc_session_send() (0: none yet). */
XMPPC_API uint64_t xmppc_sm_last_seq(const xmppc_session *session);

/**
 * Ask the server for an acknowledgement now.
 *
 * @return 0; #XMPPC_ESTATE when stream management is not active.
 */
XMPPC_API int xmppc_sm_request_ack(xmppc_session *session);

/**
 * Offline queue: while the session is not READY (connecting, or
 * disconnected and waiting to reconnect), xmppc_session_send() queues up
 * to @p max stanzas instead of refusing; they go out, in order, once the
 * next stream is READY or RESUMED (after what resumption resends). 0
 * (the default) turns it off: sends outside READY fail with
 * #XMPPC_ESTATE. The connection driver's reconnection manager sets it.
 *
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_session_set_offline_queue(xmppc_session *session, size_t max);

/**
 * Give up the stream-management state: every unacknowledged and offline
 * stanza is returned (#XMPPC_SM_RETURNED) and the next stream binds
 * afresh. The connection driver calls this when it stops reconnecting.
 *
 * @return 0; #XMPPC_EINVAL; #XMPPC_ESTATE while a stream is up (READY or
 *         closing): close it first.
 */
XMPPC_API int xmppc_sm_give_up(xmppc_session *session);

/**
 * Export the state needed to resume the stream from another process: the
 * stream id, counters, bound JID and unacknowledged stanzas (a versioned
 * binary blob, appended to @p out). Take it after the last stanza was
 * handled and before the process exits without closing the stream (a
 * closed stream cannot be resumed).
 *
 * @return 0; #XMPPC_ESTATE when there is nothing resumable; #XMPPC_EINVAL; #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_sm_export(const xmppc_session *session, xmppc_buf *out);

/**
 * Import a state from xmppc_sm_export() into a session that has not
 * started (same account): its next stream resumes the exported one.
 *
 * @return 0; #XMPPC_ESTATE (the session has started); #XMPPC_ESM_STATE
 *         (the blob is malformed, of another version or another account);
 *         #XMPPC_EINVAL; #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_sm_import(xmppc_session *session, const void *data, size_t len);

XMPPC_END_DECLS

#endif /* XMPPC_SM_H */
