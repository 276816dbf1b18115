/* The one-message mechanisms: PLAIN (RFC 4616), EXTERNAL (RFC 4422
 * appendix A, XEP-0178) and ANONYMOUS (RFC 4505). Each sends its initial
 * response with the request and expects no challenge: a challenge is a
 * protocol error. Their success carries no data that means anything to the
 * client, so any additional data is ignored. */
#include <string.h>

#include "sasl/sasl-internal.h"
#include "util/buf.h"
#include "util/ctx.h"
#include <xmppc/error.h>

enum { SIMPLE_SENT, SIMPLE_DONE, SIMPLE_FAILED };

typedef struct simple_state {
	const xmppc_ctx *ctx;
	int phase;
} simple_state;

static int simple_new(void **state, const xmppc_sasl_params *params)
{
	simple_state *st = xmppc__calloc(params->ctx, 1, sizeof(*st));

	if (st == NULL)
		return XMPPC_ENOMEM;
	st->ctx = params->ctx;
	st->phase = SIMPLE_SENT;
	*state = st;
	return 0;
}

static void simple_free(void *state)
{
	simple_state *st = state;

	if (st != NULL)
		xmppc__free(st->ctx, st);
}

static int simple_step(void *state, const unsigned char *challenge, size_t len, xmppc_buf *response)
{
	simple_state *st = state;

	if (st == NULL || response == NULL || (challenge == NULL && len > 0))
		return XMPPC_EINVAL;
	xmppc_buf_clear(response);
	if (st->phase == SIMPLE_FAILED)
		return XMPPC_ESTATE;
	XMPPC_LOG(st->ctx, XMPPC_LOG_DEBUG, XMPPC__SASL_AREA,
	          "unexpected challenge for a mechanism that has none");
	st->phase = SIMPLE_FAILED;
	return XMPPC_ESASL_MALFORMED;
}

static int simple_success(void *state, const unsigned char *data, size_t len)
{
	simple_state *st = state;

	if (st == NULL || (data == NULL && len > 0))
		return XMPPC_EINVAL;
	if (st->phase == SIMPLE_FAILED)
		return XMPPC_ESTATE;
	if (st->phase == SIMPLE_DONE)
		return XMPPC_ESASL_MALFORMED;
	st->phase = SIMPLE_DONE;
	return 0;
}

/* RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd. The
 * password is prepared with OpaqueString as for SCRAM, so both send the
 * same password bytes (Prosody prepares PLAIN passwords the same way;
 * enforcement is idempotent, so a server that prepares again agrees). */
static int plain_start(void **state, const xmppc_sasl_mechanism *mech,
                       const xmppc_sasl_params *params, xmppc_buf *response, int *has_response)
{
	xmppc_buf pw;
	int rc;

	rc = xmppc__sasl_check_start(state, mech, params, response, has_response);
	if (rc != 0)
		return rc;
	*state = NULL;
	*has_response = 0;
	xmppc_buf_clear(response);
	if (params->authcid == NULL || params->authcid[0] == '\0')
		return XMPPC_EINVAL;
	xmppc__buf_init(&pw, params->ctx);
	rc = xmppc__sasl_prepare_password(&pw, params);
	if (rc != 0)
		goto out;
	if (params->authzid != NULL)
		rc = xmppc__buf_puts(response, params->authzid);
	if (rc == 0)
		rc = xmppc__buf_putc(response, '\0');
	if (rc == 0)
		rc = xmppc__buf_puts(response, params->authcid);
	if (rc == 0)
		rc = xmppc__buf_putc(response, '\0');
	if (rc == 0)
		rc = xmppc__buf_put(response, pw.data + pw.off, pw.len);
	if (rc == 0)
		rc = simple_new(state, params);
	if (rc == 0)
		*has_response = 1;
	else
		xmppc__sasl_buf_wipe(response);
out:
	xmppc__sasl_buf_wipe_fini(&pw);
	return rc;
}

/* A mechanism whose whole exchange is one initial response: `text`, or
 * empty when NULL. */
static int one_response_start(void **state, const xmppc_sasl_mechanism *mech,
                              const xmppc_sasl_params *params, xmppc_buf *response,
                              int *has_response, const char *text)
{
	int rc;

	rc = xmppc__sasl_check_start(state, mech, params, response, has_response);
	if (rc != 0)
		return rc;
	*state = NULL;
	*has_response = 0;
	xmppc_buf_clear(response);
	if (text != NULL)
		rc = xmppc__buf_puts(response, text);
	if (rc == 0)
		rc = simple_new(state, params);
	if (rc == 0)
		*has_response = 1;
	else
		xmppc_buf_clear(response);
	return rc;
}

/* RFC 4422 appendix A: the initial response is the authorization identity,
 * empty to derive it from the credentials (the client certificate); an
 * empty response is sent as "=" by the session (XEP-0178 §3). */
static int external_start(void **state, const xmppc_sasl_mechanism *mech,
                          const xmppc_sasl_params *params, xmppc_buf *response, int *has_response)
{
	return one_response_start(state, mech, params, response, has_response,
	                          params != NULL ? params->authzid : NULL);
}

/* RFC 4505 §2: the optional trace information is left out; the initial
 * response is empty. */
static int anonymous_start(void **state, const xmppc_sasl_mechanism *mech,
                           const xmppc_sasl_params *params, xmppc_buf *response, int *has_response)
{
	return one_response_start(state, mech, params, response, has_response, NULL);
}

const xmppc_sasl_mechanism xmppc__sasl_plain = {
    XMPPC_SASL_MECHANISM_VERSION,
    "PLAIN",
    XMPPC_SASL_CLEARTEXT | XMPPC_SASL_NEEDS_PASSWORD,
    10,
    NULL,
    plain_start,
    simple_step,
    simple_success,
    simple_free,
};

/* Only chosen when the application configured a client certificate: the
 * session asks for it by name; its strength only orders it among those. */
const xmppc_sasl_mechanism xmppc__sasl_external = {
    XMPPC_SASL_MECHANISM_VERSION,
    "EXTERNAL",
    0,
    60,
    NULL,
    external_start,
    simple_step,
    simple_success,
    simple_free,
};

const xmppc_sasl_mechanism xmppc__sasl_anonymous = {
    XMPPC_SASL_MECHANISM_VERSION,
    "ANONYMOUS",
    0,
    5,
    NULL,
    anonymous_start,
    simple_step,
    simple_success,
    simple_free,
};
