/* Secure randomness (GnuTLS's generator) and stanza id generation. */
#ifndef XMPPC_UTIL_RANDOM_H
#define XMPPC_UTIL_RANDOM_H

#include <stddef.h>

/* Length of an id from xmppc__id_generate(), without the NUL. */
#define XMPPC__ID_LEN 16

/* Fill buf with n unpredictable bytes. 0 or XMPPC_ECRYPTO. */
int xmppc__random(void *buf, size_t n);
/* A unique, unguessable id: 96 random bits as 16 base64url characters.
 * 0 or XMPPC_ECRYPTO. */
int xmppc__id_generate(char out[XMPPC__ID_LEN + 1]);

#endif
