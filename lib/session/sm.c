/* XEP-0198 stream management (placeholder: being written). */
#include "session/session-internal.h"
#include <xmppc/liveness.h>
#include <xmppc/sm.h>

XMPPC_API int xmppc_sm_configure(xmppc_session *s, const xmppc_sm_config *c)
{
	return s != NULL && c != NULL && c->version == XMPPC_SM_CONFIG_VERSION ? 0 : XMPPC_EINVAL;
}
XMPPC_API int xmppc_sm_enabled(const xmppc_session *s) { (void)s; return 0; }
XMPPC_API int xmppc_sm_resumable(const xmppc_session *s) { (void)s; return 0; }
XMPPC_API size_t xmppc_sm_unacked(const xmppc_session *s) { (void)s; return 0; }
XMPPC_API uint64_t xmppc_sm_last_seq(const xmppc_session *s) { (void)s; return 0; }
XMPPC_API int xmppc_sm_request_ack(xmppc_session *s) { (void)s; return XMPPC_ESTATE; }
XMPPC_API int xmppc_session_set_offline_queue(xmppc_session *s, size_t max) { (void)max; return s ? 0 : XMPPC_EINVAL; }
XMPPC_API int xmppc_sm_give_up(xmppc_session *s) { return s ? 0 : XMPPC_EINVAL; }
XMPPC_API int xmppc_sm_export(const xmppc_session *s, xmppc_buf *out) { (void)s; (void)out; return XMPPC_ESTATE; }
XMPPC_API int xmppc_sm_import(xmppc_session *s, const void *d, size_t n) { (void)s; (void)d; (void)n; return XMPPC_ESTATE; }
XMPPC_API int xmppc_session_set_liveness(xmppc_session *s, const xmppc_liveness_config *c) { return s && c ? 0 : XMPPC_EINVAL; }
XMPPC_API int xmppc_session_set_csi(xmppc_session *s, xmppc_csi_state st) { (void)st; return s ? 0 : XMPPC_EINVAL; }
