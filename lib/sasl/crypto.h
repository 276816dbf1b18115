/* The SASL module's only contact with the crypto backend (GnuTLS): the
 * hash, HMAC and PBKDF2 (RFC 5802's Hi()) of the SCRAM variants, and
 * memory wiping. Everything else in lib/sasl/ is plain C over bytes. */
#ifndef XMPPC_SASL_CRYPTO_H
#define XMPPC_SASL_CRYPTO_H

#include <stddef.h>

/* Hash functions of the SCRAM family. */
typedef enum xmppc__sasl_hash_alg {
	XMPPC__SASL_SHA1 = 1,
	XMPPC__SASL_SHA256 = 2,
	XMPPC__SASL_SHA512 = 3
} xmppc__sasl_hash_alg;

/* Largest digest any of them produces (SHA-512). */
#define XMPPC__SASL_MAX_DIGEST 64

/* Digest length in bytes, or 0 for an unknown algorithm. */
size_t xmppc__sasl_digest_len(xmppc__sasl_hash_alg alg);

/* out receives digest_len(alg) bytes. Each returns 0, XMPPC_ENOMEM or
 * XMPPC_ECRYPTO. */
int xmppc__sasl_hash(xmppc__sasl_hash_alg alg, const void *data, size_t len, unsigned char *out);
int xmppc__sasl_hmac(xmppc__sasl_hash_alg alg, const void *key, size_t key_len, const void *data,
                     size_t len, unsigned char *out);
/* PBKDF2 with HMAC-alg and one output block: exactly RFC 5802's Hi(). */
int xmppc__sasl_pbkdf2(xmppc__sasl_hash_alg alg, const void *password, size_t password_len,
                       const void *salt, size_t salt_len, unsigned iterations, unsigned char *out);

/* Overwrite n bytes with zeros in a way the compiler may not elide. */
void xmppc__sasl_wipe(void *p, size_t n);

/* 1 if the n bytes at a and b are equal, in time independent of where
 * they differ (for comparing signatures). */
int xmppc__sasl_equal_ct(const void *a, const void *b, size_t n);

#endif
