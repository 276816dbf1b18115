/* Secure randomness (GnuTLS's generator) and stanza id generation. */
#ifndef XMPPC_UTIL_RANDOM_H
#define XMPPC_UTIL_RANDOM_H

#include <stddef.h>

/* Length of an id from xmppc__id_generate(), without the NUL. */
#define XMPPC__ID_LEN 16

/* Fill buf with n unpredictable bytes. 0 or XMPPC_ECRYPTO. */
int xmppc__random(void *buf, size_t n);

/* Tests only (not exported from the shared library): replace the random
 * source process-wide so that SCRAM nonces and stanza ids are
 * reproducible in test vectors and replay transcripts. NULL restores
 * GnuTLS. Not thread-safe; never used by the library itself. */
typedef void (*xmppc__random_fn)(void *ud, void *buf, size_t n);
void xmppc__random_set_override(xmppc__random_fn fn, void *ud);
/* A unique, unguessable id: 96 random bits as 16 base64url characters.
 * 0 or XMPPC_ECRYPTO. */
int xmppc__id_generate(char out[XMPPC__ID_LEN + 1]);

#endif
