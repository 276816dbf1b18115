/* The hash primitives SCRAM needs, on GnuTLS (which the library links for
 * TLS anyway). Kept in this one file so that the mechanisms stay free of
 * backend types and a different backend would touch nothing else. */
#include "sasl/crypto.h"

#include <limits.h>
#include <stdint.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <xmppc/error.h>

size_t xmppc__sasl_digest_len(xmppc__sasl_hash_alg alg)
{
	switch (alg) {
	case XMPPC__SASL_SHA1:
		return 20;
	case XMPPC__SASL_SHA256:
		return 32;
	case XMPPC__SASL_SHA512:
		return 64;
	}
	return 0;
}

static gnutls_digest_algorithm_t digest_of(xmppc__sasl_hash_alg alg)
{
	switch (alg) {
	case XMPPC__SASL_SHA1:
		return GNUTLS_DIG_SHA1;
	case XMPPC__SASL_SHA256:
		return GNUTLS_DIG_SHA256;
	case XMPPC__SASL_SHA512:
		return GNUTLS_DIG_SHA512;
	}
	return GNUTLS_DIG_UNKNOWN;
}

static gnutls_mac_algorithm_t mac_of(xmppc__sasl_hash_alg alg)
{
	switch (alg) {
	case XMPPC__SASL_SHA1:
		return GNUTLS_MAC_SHA1;
	case XMPPC__SASL_SHA256:
		return GNUTLS_MAC_SHA256;
	case XMPPC__SASL_SHA512:
		return GNUTLS_MAC_SHA512;
	}
	return GNUTLS_MAC_UNKNOWN;
}

static int map_error(int rc)
{
	if (rc == 0)
		return 0;
	return rc == GNUTLS_E_MEMORY_ERROR ? XMPPC_ENOMEM : XMPPC_ECRYPTO;
}

int xmppc__sasl_hash(xmppc__sasl_hash_alg alg, const void *data, size_t len, unsigned char *out)
{
	gnutls_digest_algorithm_t d = digest_of(alg);

	if (d == GNUTLS_DIG_UNKNOWN)
		return XMPPC_EINTERNAL;
	return map_error(gnutls_hash_fast(d, data, len, out));
}

int xmppc__sasl_hmac(xmppc__sasl_hash_alg alg, const void *key, size_t key_len, const void *data,
                     size_t len, unsigned char *out)
{
	gnutls_mac_algorithm_t m = mac_of(alg);

	if (m == GNUTLS_MAC_UNKNOWN)
		return XMPPC_EINTERNAL;
	return map_error(gnutls_hmac_fast(m, key, key_len, data, len, out));
}

int xmppc__sasl_pbkdf2(xmppc__sasl_hash_alg alg, const void *password, size_t password_len,
                       const void *salt, size_t salt_len, unsigned iterations, unsigned char *out)
{
	gnutls_mac_algorithm_t m = mac_of(alg);
	gnutls_datum_t key, s;

	if (m == GNUTLS_MAC_UNKNOWN || iterations == 0 || password_len > UINT_MAX ||
	    salt_len > UINT_MAX)
		return XMPPC_EINTERNAL;
	/* gnutls_datum_t has a non-const pointer; GnuTLS only reads them. */
	key.data = (unsigned char *)(uintptr_t)password;
	key.size = (unsigned)password_len;
	s.data = (unsigned char *)(uintptr_t)salt;
	s.size = (unsigned)salt_len;
	return map_error(gnutls_pbkdf2(m, &key, &s, iterations, out, xmppc__sasl_digest_len(alg)));
}

void xmppc__sasl_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		gnutls_memset(p, 0, n);
}

int xmppc__sasl_equal_ct(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= (unsigned char)(x[i] ^ y[i]);
	return diff == 0;
}
