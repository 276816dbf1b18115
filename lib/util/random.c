/* The only GnuTLS use in lib/util: its CSPRNG. Stanza ids come from it so
 * that they cannot be predicted by a third party (ids are used to match IQ
 * replies, and a guessable id invites spoofed replies). */
#include "util/random.h"

#include <gnutls/crypto.h>
#include <xmppc/error.h>

static xmppc__random_fn override_fn;
static void *override_ud;

void xmppc__random_set_override(xmppc__random_fn fn, void *ud)
{
	override_fn = fn;
	override_ud = ud;
}

int xmppc__random(void *buf, size_t n)
{
	if (override_fn != NULL) {
		override_fn(override_ud, buf, n);
		return 0;
	}
	return gnutls_rnd(GNUTLS_RND_NONCE, buf, n) == 0 ? 0 : XMPPC_ECRYPTO;
}

int xmppc__id_generate(char out[XMPPC__ID_LEN + 1])
{
	static const char url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char r[12];
	size_t i, o = 0;

	if (xmppc__random(r, sizeof(r)) != 0)
		return XMPPC_ECRYPTO;
	for (i = 0; i < sizeof(r); i += 3) {
		unsigned v = (unsigned)r[i] << 16 | (unsigned)r[i + 1] << 8 | r[i + 2];
		out[o++] = url[v >> 18];
		out[o++] = url[(v >> 12) & 63];
		out[o++] = url[(v >> 6) & 63];
		out[o++] = url[v & 63];
	}
	out[o] = '\0';
	return 0;
}
