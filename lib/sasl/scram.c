/* SCRAM (RFC 5802) with SHA-1, SHA-256 (RFC 7677) and SHA-512, with and
 * without channel binding (-PLUS), as one implementation parameterised by
 * the hash. Client side only.
 *
 *   start()   -> client-first-message    gs2-header client-first-message-bare
 *   step()    <- server-first-message    r=<cnonce+snonce>,s=<salt>,i=<n>[,ext]
 *             -> client-final-message    c=<cbind-input>,r=<nonce>,p=<proof>
 *   step() or success()
 *             <- server-final-message    v=<server signature> | e=<error>
 *
 * The server's signature is always verified: a success without a right v=
 * is refused (RFC 5802 §9: this is what proves the server knew the
 * credentials). XMPP carries v= in the <success/> additional data (RFC
 * 6120 §6.3.10), but some servers send it as a last challenge instead; both
 * are accepted, and after a challenge with v= the success must carry no
 * data.
 *
 * XEP-0474 (SASL SCRAM Downgrade Protection, version 0.5.0): when the
 * server-first-message carries h=, it must be the hash of the mechanism
 * (and XEP-0440 channel-binding type) lists the session saw advertised.
 *
 * Secrets (the prepared password, SaltedPassword and the keys) are wiped
 * before their memory is released; the state only keeps the prepared
 * password until the server-first-message arrives, and the expected
 * ServerSignature after it. */
#include <stdlib.h>
#include <string.h>

#include "sasl/crypto.h"
#include "sasl/sasl-internal.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/ctx.h"
#include "util/random.h"
#include <xmppc/error.h>

/* Random bytes in the client nonce; its base64 form (32 characters) has no
 * ',' and only printable characters, as RFC 5802 §7 asks of a nonce. */
#define NONCE_RANDOM_BYTES 24

/* XEP-0474 separators (ASCII record and unit separators). */
#define SSDP_VALUE_SEP '\x1e'
#define SSDP_LIST_SEP  '\x1f'

typedef struct scram_variant {
	xmppc__sasl_hash_alg alg;
	int plus;
} scram_variant;

typedef enum scram_phase {
	SCRAM_FIRST_SENT, /* waiting for server-first-message */
	SCRAM_FINAL_SENT, /* waiting for server-final-message */
	SCRAM_VERIFIED,   /* v= came in a challenge; waiting for an empty success */
	SCRAM_DONE,       /* success accepted */
	SCRAM_FAILED      /* an error ended the exchange */
} scram_phase;

typedef struct scram_state {
	const xmppc_ctx *ctx;
	const scram_variant *v;
	/* Shallow copy: the pointers stay borrowed until free_state (the
	 * contract of start()); the lists are only read for XEP-0474. */
	xmppc_sasl_params params;
	scram_phase phase;
	unsigned challenges;
	unsigned max_challenges;
	unsigned min_iterations;
	unsigned max_iterations;
	xmppc_buf password;          /* OpaqueString-prepared; secret */
	xmppc_buf gs2_header;        /* "n,,", "y,,a=...," or "p=tls-exporter,," */
	xmppc_buf client_first_bare; /* "n=user,r=nonce" */
	size_t nonce_len;            /* client nonce = client_first_bare tail */
	unsigned char server_signature[XMPPC__SASL_MAX_DIGEST];
} scram_state;

static size_t buf_len(const xmppc_buf *b)
{
	return b->len;
}

static const char *buf_ptr(const xmppc_buf *b)
{
	return b->data != NULL ? b->data + b->off : "";
}

/* RFC 5802 §5.1: in a saslname ',' and '=' are written "=2C" and "=3D". */
static int put_saslname(xmppc_buf *out, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		if (*s == ',')
			rc = xmppc__buf_puts(out, "=2C");
		else if (*s == '=')
			rc = xmppc__buf_puts(out, "=3D");
		else
			rc = xmppc__buf_putc(out, *s);
	}
	return rc;
}

/* printable = %x21-2B / %x2D-7E (RFC 5802 §7): what a nonce is made of. */
static int is_printable(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7E || c == ',')
			return 0;
	}
	return 1;
}

static void scram_free(void *state)
{
	scram_state *st = state;

	if (st == NULL)
		return;
	xmppc__sasl_buf_wipe_fini(&st->password);
	xmppc__buf_fini(&st->gs2_header);
	xmppc__buf_fini(&st->client_first_bare);
	xmppc__sasl_wipe(st->server_signature, sizeof(st->server_signature));
	xmppc__free(st->ctx, st);
}

/* Every error ends the exchange: secrets are dropped at once rather than
 * when the session gets round to free_state. */
static int scram_fail(scram_state *st, xmppc_buf *response, int rc)
{
	st->phase = SCRAM_FAILED;
	xmppc__sasl_buf_wipe(&st->password);
	xmppc__sasl_wipe(st->server_signature, sizeof(st->server_signature));
	if (response != NULL)
		xmppc_buf_clear(response);
	return rc;
}

/* ---- start: client-first-message ---------------------------------- */

static int build_client_first(scram_state *st, const char *nonce, size_t nonce_len,
                              xmppc_buf *response)
{
	const xmppc_sasl_params *p = &st->params;
	int rc;

	/* GS2 header (RFC 5802 §7): 'p=' binds the channel (-PLUS only);
	 * 'y' says "I could have, but you offered no -PLUS" so that a
	 * server which does offer one detects the stripped list; 'n' says
	 * the client does not support binding. */
	if (st->v->plus) {
		rc = xmppc__buf_puts(&st->gs2_header, "p=");
		if (rc == 0)
			rc = xmppc__buf_puts(&st->gs2_header, xmppc_cb_type_name(p->cb_type));
		if (rc == 0)
			rc = xmppc__buf_putc(&st->gs2_header, ',');
	} else {
		rc = xmppc__buf_puts(&st->gs2_header, p->cb_supported_not_offered ? "y," : "n,");
	}
	if (rc == 0 && p->authzid != NULL && p->authzid[0] != '\0') {
		rc = xmppc__buf_puts(&st->gs2_header, "a=");
		if (rc == 0)
			rc = put_saslname(&st->gs2_header, p->authzid);
	}
	if (rc == 0)
		rc = xmppc__buf_putc(&st->gs2_header, ',');

	/* client-first-message-bare: the username is the authcid as the
	 * session gives it (the JID localpart, already prepared with
	 * UsernameCaseMapped by the JID module). */
	if (rc == 0)
		rc = xmppc__buf_puts(&st->client_first_bare, "n=");
	if (rc == 0)
		rc = put_saslname(&st->client_first_bare, p->authcid);
	if (rc == 0)
		rc = xmppc__buf_puts(&st->client_first_bare, ",r=");
	if (rc == 0)
		rc = xmppc__buf_put(&st->client_first_bare, nonce, nonce_len);
	st->nonce_len = nonce_len;

	if (rc == 0)
		rc = xmppc__buf_put(response, buf_ptr(&st->gs2_header), buf_len(&st->gs2_header));
	if (rc == 0)
		rc = xmppc__buf_put(response, buf_ptr(&st->client_first_bare),
		                    buf_len(&st->client_first_bare));
	return rc;
}

static int scram_start_common(void **state, const xmppc_sasl_mechanism *mech,
                              const xmppc_sasl_params *params, const char *nonce,
                              xmppc_buf *response, int *has_response)
{
	const scram_variant *v;
	unsigned char rnd[NONCE_RANDOM_BYTES];
	xmppc_buf generated;
	scram_state *st;
	int rc;

	rc = xmppc__sasl_check_start(state, mech, params, response, has_response);
	if (rc != 0)
		return rc;
	*state = NULL;
	*has_response = 0;
	xmppc_buf_clear(response);
	v = mech->data;
	if (v == NULL || xmppc__sasl_digest_len(v->alg) == 0)
		return XMPPC_EINVAL;
	if (params->authcid == NULL || params->authcid[0] == '\0')
		return XMPPC_EINVAL;
	if (params->password == NULL)
		return XMPPC_ESASL_NO_CREDENTIALS;
	/* RFC 5802 §6: a -PLUS mechanism without binding data is useless,
	 * and 'p=' with a type we cannot name would be a lie. */
	if (v->plus && (params->cb_data == NULL || params->cb_data_len == 0 ||
	                xmppc_cb_type_name(params->cb_type) == NULL)) {
		XMPPC_LOG(params->ctx, XMPPC_LOG_DEBUG, XMPPC__SASL_AREA,
		          "%s: no channel-binding data", mech->name);
		return XMPPC_ESASL_CHANNEL_BINDING;
	}

	st = xmppc__calloc(params->ctx, 1, sizeof(*st));
	if (st == NULL)
		return XMPPC_ENOMEM;
	st->ctx = params->ctx;
	st->v = v;
	st->params = *params;
	st->phase = SCRAM_FIRST_SENT;
	st->max_challenges = xmppc__sasl_max_challenges(params);
	st->min_iterations = params->min_iterations != 0 ? params->min_iterations
	                                                 : XMPPC__SASL_DEFAULT_MIN_ITERATIONS;
	st->max_iterations = params->max_iterations != 0 ? params->max_iterations
	                                                 : XMPPC__SASL_DEFAULT_MAX_ITERATIONS;
	xmppc__buf_init(&st->password, st->ctx);
	xmppc__buf_init(&st->gs2_header, st->ctx);
	xmppc__buf_init(&st->client_first_bare, st->ctx);
	if (st->min_iterations > st->max_iterations) {
		rc = XMPPC_EINVAL;
		goto fail;
	}

	/* Prepared now, so a password the profile refuses fails before
	 * anything goes to the server (and retrying will not help). */
	rc = xmppc__sasl_prepare_password(&st->password, params);
	if (rc != 0) {
		XMPPC_LOG(st->ctx, XMPPC_LOG_DEBUG, XMPPC__SASL_AREA,
		          "%s: password refused by PRECIS OpaqueString (%s)", mech->name,
		          xmppc_error_name(rc));
		goto fail;
	}

	xmppc__buf_init(&generated, st->ctx);
	if (nonce == NULL) {
		rc = xmppc__random(rnd, sizeof(rnd));
		if (rc == 0)
			rc = xmppc__base64_encode(&generated, rnd, sizeof(rnd));
		xmppc__sasl_wipe(rnd, sizeof(rnd));
		if (rc == 0)
			rc = build_client_first(st, buf_ptr(&generated), buf_len(&generated),
			                        response);
	} else {
		rc = build_client_first(st, nonce, strlen(nonce), response);
	}
	xmppc__buf_fini(&generated);
	if (rc != 0)
		goto fail;
	*state = st;
	*has_response = 1;
	return 0;
fail:
	xmppc_buf_clear(response);
	scram_free(st);
	return rc;
}

static int scram_start(void **state, const xmppc_sasl_mechanism *mech,
                       const xmppc_sasl_params *params, xmppc_buf *response, int *has_response)
{
	return scram_start_common(state, mech, params, NULL, response, has_response);
}

int xmppc__sasl_scram_start_with_nonce(void **state, const xmppc_sasl_mechanism *mech,
                                       const xmppc_sasl_params *params, const char *nonce,
                                       xmppc_buf *response, int *has_response)
{
	if (nonce == NULL || !is_printable(nonce, strlen(nonce)))
		return XMPPC_EINVAL;
	return scram_start_common(state, mech, params, nonce, response, has_response);
}

/* ---- server-first-message --------------------------------------------- */

/* One "x=value" attribute of a SCRAM message. */
typedef struct scram_attr {
	char name;
	const char *value;
	size_t len;
} scram_attr;

/* Walks the comma-separated attributes of a message. */
typedef struct attr_iter {
	const char *p, *end;
	int done;
} attr_iter;

/* The next attribute: 1 (with *a set), 0 at the end, -1 if it is not of
 * the form ALPHA "=" value (RFC 5802 §7). An empty value is returned as
 * such, for the caller to judge; a trailing ',' yields an empty attribute,
 * hence -1. */
static int next_attr(attr_iter *it, scram_attr *a)
{
	const char *s = it->p, *comma;

	if (it->done)
		return 0;
	comma = s < it->end ? memchr(s, ',', (size_t)(it->end - s)) : NULL;
	if (comma == NULL) {
		comma = it->end;
		it->done = 1;
	} else {
		it->p = comma + 1;
	}
	if (comma - s < 2 || s[1] != '=' ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return -1;
	a->name = s[0];
	a->value = s + 2;
	a->len = (size_t)(comma - s) - 2;
	return 1;
}

/* iteration-count = posit-number = %x31-39 *DIGIT (RFC 5802 §7): no sign,
 * no leading zero, no blanks. The value saturates instead of wrapping, so
 * 2^64 is "too many" rather than 0. */
static int parse_iterations(const scram_state *st, const scram_attr *a, unsigned *out)
{
	unsigned long long n = 0;
	size_t i;

	if (a->len == 0 || a->value[0] < '1' || a->value[0] > '9')
		return XMPPC_ESASL_ITERATIONS;
	for (i = 0; i < a->len; i++) {
		char c = a->value[i];

		if (c < '0' || c > '9')
			return XMPPC_ESASL_ITERATIONS;
		if (n <= 0xFFFFFFFFull)
			n = n * 10 + (unsigned)(c - '0');
	}
	if (n < st->min_iterations || n > st->max_iterations)
		return XMPPC_ESASL_ITERATIONS;
	*out = (unsigned)n;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	/* strcmp compares as unsigned char: the i;octet collation of RFC
	 * 4790 §9.3 that XEP-0474 asks for. */
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Append the names sorted with i;octet and joined by 0x1E. */
static int put_sorted(const xmppc_ctx *ctx, xmppc_buf *out, const char *const *names, size_t n)
{
	const char **sorted;
	size_t i;
	int rc = 0;

	if (n == 0)
		return 0;
	if (names == NULL)
		return XMPPC_EINVAL;
	if (n > SIZE_MAX / sizeof(*sorted))
		return XMPPC_ENOMEM;
	sorted = xmppc__malloc(ctx, n * sizeof(*sorted));
	if (sorted == NULL)
		return XMPPC_ENOMEM;
	for (i = 0; i < n; i++) {
		if (names[i] == NULL) {
			rc = XMPPC_EINVAL;
			goto out;
		}
		sorted[i] = names[i];
	}
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0)
			rc = xmppc__buf_putc(out, SSDP_VALUE_SEP);
		if (rc == 0)
			rc = xmppc__buf_puts(out, sorted[i]);
	}
out:
	xmppc__free(ctx, sorted);
	return rc;
}

/* XEP-0474 §4.2: recompute the server's hash over what the session saw
 * advertised and compare it with h=. A mismatch means someone between us
 * and the server edited the lists (the hash itself is then covered by the
 * client proof, so a forged h= cannot pass either). */
static int check_ssdp(scram_state *st, const scram_attr *h)
{
	const xmppc_sasl_params *p = &st->params;
	unsigned char digest[XMPPC__SASL_MAX_DIGEST];
	xmppc_buf s, b64;
	int rc;

	xmppc__buf_init(&s, st->ctx);
	xmppc__buf_init(&b64, st->ctx);
	rc = put_sorted(st->ctx, &s, p->server_mechanisms, p->n_server_mechanisms);
	/* Without an XEP-0440 list nothing is appended, not even 0x1F; an
	 * advertised but empty list still appends the separator. */
	if (rc == 0 && p->server_cb_types != NULL) {
		rc = xmppc__buf_putc(&s, SSDP_LIST_SEP);
		if (rc == 0)
			rc = put_sorted(st->ctx, &s, p->server_cb_types, p->n_server_cb_types);
	}
	if (rc == 0)
		rc = xmppc__sasl_hash(st->v->alg, buf_ptr(&s), buf_len(&s), digest);
	if (rc == 0)
		rc = xmppc__base64_encode(&b64, digest, xmppc__sasl_digest_len(st->v->alg));
	if (rc == 0 && (buf_len(&b64) != h->len || memcmp(buf_ptr(&b64), h->value, h->len) != 0)) {
		XMPPC_LOG(st->ctx, XMPPC_LOG_WARN, XMPPC__SASL_AREA,
		          "XEP-0474 hash mismatch: the advertised mechanisms or channel-binding "
		          "types were altered");
		rc = XMPPC_ESASL_DOWNGRADE;
	}
	xmppc__buf_fini(&s);
	xmppc__buf_fini(&b64);
	return rc;
}

/* What the server-first-message says. */
typedef struct server_first {
	const char *nonce;
	size_t nonce_len;
	xmppc_buf salt;
	unsigned iterations;
} server_first;

static int parse_server_first(scram_state *st, const char *msg, size_t len, server_first *sf)
{
	attr_iter it = {msg, msg + len, 0};
	scram_attr a, h = {0, NULL, 0};
	const char *cnonce;
	int r, rc;

	if (len == 0 || memchr(msg, '\0', len) != NULL)
		return XMPPC_ESASL_MALFORMED;
	/* r= first; a leading m= is a mandatory extension we do not know,
	 * which RFC 5802 §5.1 says must fail the authentication. */
	if (next_attr(&it, &a) != 1)
		return XMPPC_ESASL_MALFORMED;
	if (a.name == 'm') {
		XMPPC_LOG(st->ctx, XMPPC_LOG_DEBUG, XMPPC__SASL_AREA,
		          "server-first-message has a mandatory extension (m=)");
		return XMPPC_ESASL_MALFORMED;
	}
	if (a.name != 'r' || !is_printable(a.value, a.len))
		return XMPPC_ESASL_MALFORMED;
	/* The server's nonce must extend ours: start with it and add at
	 * least one character of its own (RFC 5802 §5.1). */
	cnonce = buf_ptr(&st->client_first_bare) + buf_len(&st->client_first_bare) - st->nonce_len;
	if (a.len <= st->nonce_len || memcmp(a.value, cnonce, st->nonce_len) != 0) {
		XMPPC_LOG(st->ctx, XMPPC_LOG_DEBUG, XMPPC__SASL_AREA,
		          "server nonce does not extend the client nonce");
		return XMPPC_ESASL_NONCE;
	}
	sf->nonce = a.value;
	sf->nonce_len = a.len;

	if (next_attr(&it, &a) != 1 || a.name != 's')
		return XMPPC_ESASL_MALFORMED;
	rc = xmppc__base64_decode(&sf->salt, a.value, a.len);
	if (rc == XMPPC_EBASE64 || (rc == 0 && buf_len(&sf->salt) == 0))
		return XMPPC_ESASL_MALFORMED;
	if (rc != 0)
		return rc;

	if (next_attr(&it, &a) != 1 || a.name != 'i')
		return XMPPC_ESASL_MALFORMED;
	rc = parse_iterations(st, &a, &sf->iterations);
	if (rc != 0) {
		XMPPC_LOG(st->ctx, XMPPC_LOG_DEBUG, XMPPC__SASL_AREA,
		          "iteration count '%.*s' is not a number in [%u, %u]",
		          (int)(a.len > 24 ? 24 : a.len), a.value, st->min_iterations,
		          st->max_iterations);
		return rc;
	}

	/* Optional extensions: XEP-0474's h= is checked, others ignored. */
	while ((r = next_attr(&it, &a)) == 1) {
		if (a.len == 0)
			return XMPPC_ESASL_MALFORMED;
		if (a.name == 'h') {
			if (h.value != NULL)
				return XMPPC_ESASL_MALFORMED;
			h = a;
		}
	}
	if (r != 0)
		return XMPPC_ESASL_MALFORMED;
	if (h.value != NULL)
		return check_ssdp(st, &h);
	return 0;
}

/* RFC 5802 §3:
 *   SaltedPassword  := Hi(Normalize(password), salt, i)
 *   ClientKey       := HMAC(SaltedPassword, "Client Key")
 *   StoredKey       := H(ClientKey)
 *   AuthMessage     := client-first-message-bare + "," +
 *                      server-first-message + "," +
 *                      client-final-message-without-proof
 *   ClientSignature := HMAC(StoredKey, AuthMessage)
 *   ClientProof     := ClientKey XOR ClientSignature
 *   ServerKey       := HMAC(SaltedPassword, "Server Key")
 *   ServerSignature := HMAC(ServerKey, AuthMessage) */
static int compute_proof(scram_state *st, const server_first *sf, const xmppc_buf *auth_message,
                         unsigned char *proof)
{
	const size_t dlen = xmppc__sasl_digest_len(st->v->alg);
	unsigned char salted[XMPPC__SASL_MAX_DIGEST], client_key[XMPPC__SASL_MAX_DIGEST];
	unsigned char stored_key[XMPPC__SASL_MAX_DIGEST], server_key[XMPPC__SASL_MAX_DIGEST];
	unsigned char client_sig[XMPPC__SASL_MAX_DIGEST];
	size_t i;
	int rc;

	rc = xmppc__sasl_pbkdf2(st->v->alg, buf_ptr(&st->password), buf_len(&st->password),
	                        buf_ptr(&sf->salt), buf_len(&sf->salt), sf->iterations, salted);
	if (rc == 0)
		rc = xmppc__sasl_hmac(st->v->alg, salted, dlen, "Client Key", 10, client_key);
	if (rc == 0)
		rc = xmppc__sasl_hash(st->v->alg, client_key, dlen, stored_key);
	if (rc == 0)
		rc = xmppc__sasl_hmac(st->v->alg, stored_key, dlen, buf_ptr(auth_message),
		                      buf_len(auth_message), client_sig);
	if (rc == 0)
		rc = xmppc__sasl_hmac(st->v->alg, salted, dlen, "Server Key", 10, server_key);
	if (rc == 0)
		rc = xmppc__sasl_hmac(st->v->alg, server_key, dlen, buf_ptr(auth_message),
		                      buf_len(auth_message), st->server_signature);
	if (rc == 0)
		for (i = 0; i < dlen; i++)
			proof[i] = client_key[i] ^ client_sig[i];
	xmppc__sasl_wipe(salted, sizeof(salted));
	xmppc__sasl_wipe(client_key, sizeof(client_key));
	xmppc__sasl_wipe(stored_key, sizeof(stored_key));
	xmppc__sasl_wipe(server_key, sizeof(server_key));
	xmppc__sasl_wipe(client_sig, sizeof(client_sig));
	return rc;
}

static int answer_server_first(scram_state *st, const char *msg, size_t len, xmppc_buf *response)
{
	const xmppc_sasl_params *p = &st->params;
	unsigned char proof[XMPPC__SASL_MAX_DIGEST];
	xmppc_buf cbind, auth;
	server_first sf;
	int rc;

	memset(&sf, 0, sizeof(sf));
	xmppc__buf_init(&sf.salt, st->ctx);
	xmppc__buf_init(&cbind, st->ctx);
	xmppc__buf_init(&auth, st->ctx);
	rc = parse_server_first(st, msg, len, &sf);
	if (rc != 0)
		goto out;

	/* client-final-message-without-proof: c= is the GS2 header, plus the
	 * binding data for 'p=' (RFC 5802 §7, cbind-input). */
	rc = xmppc__buf_put(&cbind, buf_ptr(&st->gs2_header), buf_len(&st->gs2_header));
	if (rc == 0 && st->v->plus)
		rc = xmppc__buf_put(&cbind, p->cb_data, p->cb_data_len);
	if (rc == 0)
		rc = xmppc__buf_puts(response, "c=");
	if (rc == 0)
		rc = xmppc__base64_encode(response, buf_ptr(&cbind), buf_len(&cbind));
	if (rc == 0)
		rc = xmppc__buf_puts(response, ",r=");
	if (rc == 0)
		rc = xmppc__buf_put(response, sf.nonce, sf.nonce_len);

	if (rc == 0)
		rc = xmppc__buf_put(&auth, buf_ptr(&st->client_first_bare),
		                    buf_len(&st->client_first_bare));
	if (rc == 0)
		rc = xmppc__buf_putc(&auth, ',');
	if (rc == 0)
		rc = xmppc__buf_put(&auth, msg, len);
	if (rc == 0)
		rc = xmppc__buf_putc(&auth, ',');
	if (rc == 0)
		rc = xmppc__buf_put(&auth, buf_ptr(response), buf_len(response));

	if (rc == 0)
		rc = compute_proof(st, &sf, &auth, proof);
	if (rc == 0)
		rc = xmppc__buf_puts(response, ",p=");
	if (rc == 0)
		rc = xmppc__base64_encode(response, proof, xmppc__sasl_digest_len(st->v->alg));
	xmppc__sasl_wipe(proof, sizeof(proof));
out:
	xmppc__buf_fini(&sf.salt);
	xmppc__buf_fini(&cbind);
	xmppc__buf_fini(&auth);
	/* The password has served its purpose; only ServerSignature is kept. */
	xmppc__sasl_buf_wipe(&st->password);
	return rc;
}

/* ---- server-final-message --------------------------------------------- */

/* server-final-message = (server-error / verifier) ["," extensions]. */
static int verify_server_final(scram_state *st, const unsigned char *data, size_t len)
{
	const size_t dlen = xmppc__sasl_digest_len(st->v->alg);
	const char *msg = (const char *)data, *comma;
	size_t vlen;
	xmppc_buf sig;
	int rc;

	if (len >= 2 && msg[0] == 'e' && msg[1] == '=') {
		comma = memchr(msg, ',', len);
		vlen = (comma != NULL ? (size_t)(comma - msg) : len) - 2;
		/* The value is an RFC 5802 token (e.g. "invalid-proof"): logged
		 * only while it looks like one. */
		XMPPC_LOG(st->ctx, XMPPC_LOG_INFO, XMPPC__SASL_AREA, "SCRAM server error: %.*s",
		          (int)(vlen <= 64 && is_printable(msg + 2, vlen) ? vlen : 0), msg + 2);
		return XMPPC_ESASL_SERVER_ERROR;
	}
	if (len < 2 || msg[0] != 'v' || msg[1] != '=') {
		XMPPC_LOG(st->ctx, XMPPC_LOG_WARN, XMPPC__SASL_AREA,
		          "server-final-message without a server signature");
		return XMPPC_ESASL_SERVER_SIGNATURE;
	}
	comma = memchr(msg, ',', len);
	vlen = (comma != NULL ? (size_t)(comma - msg) : len) - 2;
	xmppc__buf_init(&sig, st->ctx);
	rc = xmppc__base64_decode(&sig, msg + 2, vlen);
	if (rc == XMPPC_EBASE64 ||
	    (rc == 0 && (buf_len(&sig) != dlen ||
	                 !xmppc__sasl_equal_ct(buf_ptr(&sig), st->server_signature, dlen)))) {
		XMPPC_LOG(st->ctx, XMPPC_LOG_WARN, XMPPC__SASL_AREA,
		          "wrong SCRAM server signature: the server does not know the credentials");
		rc = XMPPC_ESASL_SERVER_SIGNATURE;
	}
	xmppc__buf_fini(&sig);
	return rc;
}

/* ---- the mechanism interface ------------------------------------------ */

static int scram_step(void *state, const unsigned char *challenge, size_t len, xmppc_buf *response)
{
	scram_state *st = state;
	int rc;

	if (st == NULL || response == NULL || (challenge == NULL && len > 0))
		return XMPPC_EINVAL;
	xmppc_buf_clear(response);
	if (st->phase == SCRAM_FAILED)
		return XMPPC_ESTATE;
	if (++st->challenges > st->max_challenges)
		return scram_fail(st, response, XMPPC_ESASL_TOO_MANY_CHALLENGES);
	switch (st->phase) {
	case SCRAM_FIRST_SENT:
		rc = answer_server_first(st, (const char *)challenge, len, response);
		if (rc != 0)
			return scram_fail(st, response, rc);
		st->phase = SCRAM_FINAL_SENT;
		return 0;
	case SCRAM_FINAL_SENT:
		/* v= as a challenge: verified now, answered with an empty
		 * response, and the success that follows must be empty. */
		rc = verify_server_final(st, challenge, len);
		if (rc != 0)
			return scram_fail(st, response, rc);
		st->phase = SCRAM_VERIFIED;
		return 0;
	case SCRAM_VERIFIED:
	case SCRAM_DONE:
	case SCRAM_FAILED:
		break;
	}
	XMPPC_LOG(st->ctx, XMPPC_LOG_DEBUG, XMPPC__SASL_AREA,
	          "challenge after the SCRAM exchange completed");
	return scram_fail(st, response, XMPPC_ESASL_MALFORMED);
}

static int scram_success(void *state, const unsigned char *data, size_t len)
{
	scram_state *st = state;
	int rc;

	if (st == NULL || (data == NULL && len > 0))
		return XMPPC_EINVAL;
	switch (st->phase) {
	case SCRAM_FIRST_SENT:
		/* Success before the server even proved anything. */
		XMPPC_LOG(st->ctx, XMPPC_LOG_WARN, XMPPC__SASL_AREA,
		          "success before the SCRAM exchange completed");
		return scram_fail(st, NULL, XMPPC_ESASL_SERVER_SIGNATURE);
	case SCRAM_FINAL_SENT:
		if (len == 0) {
			XMPPC_LOG(st->ctx, XMPPC_LOG_WARN, XMPPC__SASL_AREA,
			          "success without the SCRAM server signature");
			return scram_fail(st, NULL, XMPPC_ESASL_SERVER_SIGNATURE);
		}
		rc = verify_server_final(st, data, len);
		if (rc != 0)
			return scram_fail(st, NULL, rc);
		break;
	case SCRAM_VERIFIED:
		if (len != 0)
			return scram_fail(st, NULL, XMPPC_ESASL_MALFORMED);
		break;
	case SCRAM_DONE:
		return scram_fail(st, NULL, XMPPC_ESASL_MALFORMED);
	case SCRAM_FAILED:
		return XMPPC_ESTATE;
	}
	st->phase = SCRAM_DONE;
	xmppc__sasl_wipe(st->server_signature, sizeof(st->server_signature));
	return 0;
}

static const scram_variant sha1 = {XMPPC__SASL_SHA1, 0};
static const scram_variant sha1_plus = {XMPPC__SASL_SHA1, 1};
static const scram_variant sha256 = {XMPPC__SASL_SHA256, 0};
static const scram_variant sha256_plus = {XMPPC__SASL_SHA256, 1};
static const scram_variant sha512 = {XMPPC__SASL_SHA512, 0};
static const scram_variant sha512_plus = {XMPPC__SASL_SHA512, 1};

#define SCRAM_FLAGS      (XMPPC_SASL_NEEDS_PASSWORD | XMPPC_SASL_MUTUAL)
#define SCRAM_PLUS_FLAGS (SCRAM_FLAGS | XMPPC_SASL_CHANNEL_BINDING)

#define SCRAM_TABLE(ident, name, flags, strength, variant)                                         \
	const xmppc_sasl_mechanism ident = {                                                       \
	    XMPPC_SASL_MECHANISM_VERSION,                                                          \
	    name,                                                                                  \
	    flags,                                                                                 \
	    strength,                                                                              \
	    &variant,                                                                              \
	    scram_start,                                                                           \
	    scram_step,                                                                            \
	    scram_success,                                                                         \
	    scram_free,                                                                            \
	}

SCRAM_TABLE(xmppc__sasl_scram_sha512_plus, "SCRAM-SHA-512-PLUS", SCRAM_PLUS_FLAGS, 100,
            sha512_plus);
SCRAM_TABLE(xmppc__sasl_scram_sha256_plus, "SCRAM-SHA-256-PLUS", SCRAM_PLUS_FLAGS, 95, sha256_plus);
SCRAM_TABLE(xmppc__sasl_scram_sha1_plus, "SCRAM-SHA-1-PLUS", SCRAM_PLUS_FLAGS, 90, sha1_plus);
SCRAM_TABLE(xmppc__sasl_scram_sha512, "SCRAM-SHA-512", SCRAM_FLAGS, 80, sha512);
SCRAM_TABLE(xmppc__sasl_scram_sha256, "SCRAM-SHA-256", SCRAM_FLAGS, 75, sha256);
SCRAM_TABLE(xmppc__sasl_scram_sha1, "SCRAM-SHA-1", SCRAM_FLAGS, 70, sha1);
