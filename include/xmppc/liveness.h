/**
 * @file liveness.h
 * @brief Dead-link detection, whitespace keepalive and client state
 *        indication (XEP-0352).
 *
 * A TCP connection can die without either end noticing (a NAT forgets it,
 * a laptop sleeps, a link is black-holed). With liveness on, once nothing
 * has been received for #xmppc_liveness_config.idle_ms the session probes
 * the server: an `<r/>` when stream management is active, else a XEP-0199
 * ping to the server. If nothing at all is received within
 * #xmppc_liveness_config.timeout_ms after the probe, the stream fails with
 * #XMPPC_ELINK_DEAD (retryable: the connection driver's reconnection
 * manager then reconnects and resumes). Whitespace keepalive sends a
 * single space after #xmppc_liveness_config.whitespace_ms without output,
 * which keeps NAT bindings alive cheaply.
 */
#ifndef XMPPC_LIVENESS_H
#define XMPPC_LIVENESS_H

#include <xmppc/session.h>

XMPPC_BEGIN_DECLS

/** Version of #xmppc_liveness_config understood by this library. */
#define XMPPC_LIVENESS_CONFIG_VERSION 1u

/** Liveness settings; 0 turns each part off (the default: all off). */
typedef struct xmppc_liveness_config {
	unsigned version;       /**< #XMPPC_LIVENESS_CONFIG_VERSION */
	uint32_t idle_ms;       /**< probe after this long without input */
	uint32_t timeout_ms;    /**< declare the link dead this long after a probe (default 10000 when idle_ms is set) */
	uint32_t whitespace_ms; /**< send a space after this long without output */
} xmppc_liveness_config;

/**
 * Configure liveness (takes effect at once, and holds for later streams).
 *
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_session_set_liveness(xmppc_session *session, const xmppc_liveness_config *config);

/** Client state (XEP-0352). */
typedef enum xmppc_csi_state {
	XMPPC_CSI_ACTIVE = 1,  /**< the user is looking: send everything at once */
	XMPPC_CSI_INACTIVE = 2 /**< in the background: the server may hold back unimportant traffic */
} xmppc_csi_state;

/**
 * Set the client state. It is sent now if the stream is READY and the
 * server offers `<csi xmlns='urn:xmpp:csi:0'/>`, and again on every later
 * stream (after a fresh bind or a resumption) when it is INACTIVE.
 *
 * @return 0 (also when the server does not support CSI: nothing is sent);
 *         #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_session_set_csi(xmppc_session *session, xmppc_csi_state state);

XMPPC_END_DECLS

#endif /* XMPPC_LIVENESS_H */
