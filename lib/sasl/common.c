/* Helpers shared by the built-in mechanisms: argument checks, password
 * preparation and wiping of buffers that held secrets. */
#include <stdint.h>

#include "sasl/crypto.h"
#include "sasl/sasl-internal.h"
#include "util/buf.h"
#include <xmppc/error.h>
#include <xmppc/precis.h>

int xmppc__sasl_check_start(void *const *state, const xmppc_sasl_mechanism *mech,
                            const xmppc_sasl_params *params, const xmppc_buf *response,
                            const int *has_response)
{
	if (state == NULL || mech == NULL || params == NULL || response == NULL ||
	    has_response == NULL)
		return XMPPC_EINVAL;
	/* A newer params layout could carry fields whose meaning we would
	 * silently ignore; an older one does not exist. */
	if (params->version != XMPPC_SASL_PARAMS_VERSION || params->ctx == NULL)
		return XMPPC_EINVAL;
	return 0;
}

unsigned xmppc__sasl_max_challenges(const xmppc_sasl_params *params)
{
	return params->max_challenges != 0 ? params->max_challenges
	                                   : XMPPC__SASL_DEFAULT_MAX_CHALLENGES;
}

void xmppc__sasl_buf_wipe(xmppc_buf *buf)
{
	if (buf->data != NULL)
		xmppc__sasl_wipe(buf->data, buf->cap);
	buf->off = 0;
	buf->len = 0;
}

void xmppc__sasl_buf_wipe_fini(xmppc_buf *buf)
{
	xmppc__sasl_buf_wipe(buf);
	xmppc__buf_fini(buf);
}

int xmppc__sasl_prepare_password(xmppc_buf *out, const xmppc_sasl_params *params)
{
	size_t room;
	int rc;

	if (params->password == NULL)
		return XMPPC_ESASL_NO_CREDENTIALS;
	/* Normalisation (NFC) grows UTF-8 by at most a factor of three; the
	 * other OpaqueString mappings shrink it. Reserving that much means
	 * the enforced password is written once, in place. */
	if (params->password_len > (SIZE_MAX - 64) / 4)
		return XMPPC_ENOMEM;
	room = params->password_len * 4 + 64;
	xmppc__sasl_buf_wipe(out);
	rc = xmppc_buf_reserve(out, room);
	if (rc != 0)
		return rc;
	rc = xmppc_precis_enforce(out, XMPPC_PRECIS_OPAQUE_STRING, params->password,
	                          params->password_len);
	if (rc != 0)
		xmppc__sasl_buf_wipe(out);
	return rc;
}
