/* Internal interface of lib/sasl/: the built-in mechanism tables and the
 * helpers they share. */
#ifndef XMPPC_SASL_INTERNAL_H
#define XMPPC_SASL_INTERNAL_H

#include <xmppc/sys/sasl.h>

/* Log area of every message from this module. */
#define XMPPC__SASL_AREA "sasl"

/* Defaults for the 0 ("use the default") values of xmppc_sasl_params. */
#define XMPPC__SASL_DEFAULT_MIN_ITERATIONS 4096u
#define XMPPC__SASL_DEFAULT_MAX_ITERATIONS 1000000u
#define XMPPC__SASL_DEFAULT_MAX_CHALLENGES 8u

/* The built-in tables (scram.c, simple.c). */
extern const xmppc_sasl_mechanism xmppc__sasl_scram_sha1;
extern const xmppc_sasl_mechanism xmppc__sasl_scram_sha1_plus;
extern const xmppc_sasl_mechanism xmppc__sasl_scram_sha256;
extern const xmppc_sasl_mechanism xmppc__sasl_scram_sha256_plus;
extern const xmppc_sasl_mechanism xmppc__sasl_scram_sha512;
extern const xmppc_sasl_mechanism xmppc__sasl_scram_sha512_plus;
extern const xmppc_sasl_mechanism xmppc__sasl_plain;
extern const xmppc_sasl_mechanism xmppc__sasl_external;
extern const xmppc_sasl_mechanism xmppc__sasl_anonymous;

/* Checks shared by every start(): the pointers are there, the params
 * version is one we understand and there is a context. 0 or XMPPC_EINVAL. */
int xmppc__sasl_check_start(void *const *state, const xmppc_sasl_mechanism *mech,
                            const xmppc_sasl_params *params, const xmppc_buf *response,
                            const int *has_response);

/* The challenge cap of params (its default when 0). */
unsigned xmppc__sasl_max_challenges(const xmppc_sasl_params *params);

/* Prepare params->password with PRECIS OpaqueString (RFC 8265 §4.2) into
 * out (an embedded buffer on params->ctx, emptied first). Room is reserved
 * beforehand so the buffer is not reallocated (which would leave a copy of
 * the password in freed memory). 0, XMPPC_ESASL_NO_CREDENTIALS (no
 * password), the XMPPC_EPRECIS_* refusal, or XMPPC_ENOMEM. */
int xmppc__sasl_prepare_password(xmppc_buf *out, const xmppc_sasl_params *params);

/* Zero every byte the buffer holds (the whole allocation) and empty it. */
void xmppc__sasl_buf_wipe(xmppc_buf *buf);
/* Wipe, then release the memory of an embedded buffer. */
void xmppc__sasl_buf_wipe_fini(xmppc_buf *buf);

/* Tests only: SCRAM's start() with a fixed client nonce (printable ASCII
 * without ','), so that the RFC 5802 and RFC 7677 vectors can be replayed
 * byte for byte. The library itself always uses a random nonce. */
int xmppc__sasl_scram_start_with_nonce(void **state, const xmppc_sasl_mechanism *mech,
                                       const xmppc_sasl_params *params, const char *nonce,
                                       xmppc_buf *response, int *has_response);

#endif
