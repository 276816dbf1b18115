/* The TLS filter (internal): a sans-I/O client TLS layer on GnuTLS.
 *
 * Ciphertext read from the network goes in with xmppc__tls_feed(); the
 * handshake advances with xmppc__tls_handshake(); plaintext comes out of
 * xmppc__tls_read() and goes in through xmppc__tls_write(); ciphertext to
 * send is queued inside the filter and taken with xmppc__tls_output() /
 * xmppc__tls_consume(). There are no sockets here and nothing blocks: a
 * call that needs more input returns XMPPC__TLS_WANT_READ; output is never
 * refused (the filter buffers it), so "want write" is simply "output
 * non-empty". After every call, write out whatever xmppc__tls_output()
 * holds.
 *
 * Credentials (trust store, CA file, client certificate, priority string)
 * live in a reference-counted xmppc__tls_creds, loaded once per context
 * and shared by every connection (DESIGN.md §6): the system trust store is
 * hundreds of KiB, a connection should cost tens.
 *
 * See doc/tls.md for what is verified and how, and for the channel-binding
 * details. */
#ifndef XMPPC_NET_TLS_H
#define XMPPC_NET_TLS_H

#include <stddef.h>
#include <xmppc/ctx.h>
#include <xmppc/session.h>

/* ---- shared credentials ------------------------------------------------ */

/* The priority string used when none is configured: GnuTLS's NORMAL set
 * (which also honours the system-wide policy in /etc/gnutls/config),
 * restricted to TLS 1.2 and 1.3 (RFC 9325 §3.1.1: TLS 1.0/1.1 MUST NOT be
 * negotiated; Debian's NORMAL still enables them), with the MEDIUM
 * verification profile (112-bit security: RSA/DH >= 2048 bits in the
 * peer's chain and key exchange). */
#define XMPPC__TLS_DEFAULT_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%PROFILE_MEDIUM"

typedef struct xmppc__tls_creds xmppc__tls_creds;

typedef struct xmppc__tls_creds_options {
	int system_trust; /* 1: add the system trust store */
	/* Extra trust anchors (PEM), from a file and/or from memory. */
	const char *ca_file;
	const char *ca_pem;
	size_t ca_pem_len;
	/* Client certificate chain and its private key (PEM, unencrypted),
	 * from files or from memory: presented when the server asks (SASL
	 * EXTERNAL, XEP-0178). Both or neither. */
	const char *cert_file;
	const char *key_file;
	const char *cert_pem;
	size_t cert_pem_len;
	const char *key_pem;
	size_t key_pem_len;
	/* GnuTLS priority string, or NULL for XMPPC__TLS_DEFAULT_PRIORITY. */
	const char *priority;
} xmppc__tls_creds_options;

/* Load credentials once. 0, XMPPC_EINVAL (NULL out/ctx/opts, a cert
 * without a key or the reverse), XMPPC_ETLS_CONFIG (a file or PEM that
 * does not load, a bad priority string; see the log for which) or
 * XMPPC_ENOMEM. The result is immutable and may be shared by connections
 * on several threads. */
int xmppc__tls_creds_new(xmppc__tls_creds **out, xmppc_ctx *ctx,
                         const xmppc__tls_creds_options *opts);
/* Atomic reference counting; unref returns NULL when it freed. */
xmppc__tls_creds *xmppc__tls_creds_ref(xmppc__tls_creds *creds);
xmppc__tls_creds *xmppc__tls_creds_unref(xmppc__tls_creds *creds);
/* Number of trust anchors loaded (system store + CA file + PEM). */
unsigned xmppc__tls_creds_trust_count(const xmppc__tls_creds *creds);
/* 1 if a client certificate is configured. */
int xmppc__tls_creds_has_client_cert(const xmppc__tls_creds *creds);

/* ---- one connection ----------------------------------------------------- */

typedef struct xmppc__tls xmppc__tls;

/* verify_fail hook results. Anything but ACCEPT rejects, so that a hook
 * that fails (negative) or forgets to decide refuses the certificate. */
#define XMPPC__TLS_REJECT 0
#define XMPPC__TLS_ACCEPT 1

/* Called (once, during xmppc__tls_handshake()) when the server's
 * certificate fails verification, before the handshake is aborted.
 * err: XMPPC_ETLS_CERT_UNTRUSTED, _CERT_EXPIRED, _CERT_NAME or _PIN;
 * reason: GnuTLS's description of what failed; der/len: the server's
 * end-entity certificate (DER), e.g. to show it or to remember its pin
 * (trust on first use). Valid during the call only. The hook must decide
 * now; it must not call back into this filter. */
typedef int (*xmppc__tls_verify_fail_fn)(void *user_data, int err, const char *reason,
                                         const unsigned char *der, size_t len);

typedef struct xmppc__tls_options {
	/* The name the certificate must be valid for: the JID's domain, in
	 * A-label form (never an SRV target: RFC 6120 §13.7.2.1, RFC 7590
	 * §3.2). Also sent as SNI unless it is an IP literal ("[::1]" or
	 * "127.0.0.1"). Required. */
	const char *name;
	/* ALPN protocol to offer ("xmpp-client" for direct TLS, XEP-0368),
	 * or NULL (STARTTLS: none). */
	const char *alpn;
	/* SHA-256 hashes of the end-entity certificate's SubjectPublicKeyInfo
	 * (RFC 7469 §2.4 pin-sha256 values), base64; n_pins of them. A
	 * matching pin accepts the certificate whatever its chain and names
	 * say. pins_required: 1 refuses a certificate that matches no pin even
	 * when its chain and name verify (XMPPC_ETLS_PIN). */
	const char *const *pins;
	size_t n_pins;
	int pins_required;
	/* Certificate-failure hook (NULL: failures are final) and its data;
	 * verify_destroy (may be NULL) is called with verify_ud when the
	 * filter is freed (or when xmppc__tls_new() fails). */
	xmppc__tls_verify_fail_fn verify_fail;
	void *verify_ud;
	void (*verify_destroy)(void *user_data);
} xmppc__tls_options;

/* Positive results ("not an error"). */
#define XMPPC__TLS_WANT_READ 1 /* feed more ciphertext, then call again */
#define XMPPC__TLS_CLOSED    2 /* read: the server sent close_notify; no more data */

/* How the server's certificate was accepted (xmppc__tls_verified_by()). */
#define XMPPC__TLS_VERIFIED_NONE  0 /* not (yet) */
#define XMPPC__TLS_VERIFIED_CHAIN 1 /* chain to a trust anchor + name */
#define XMPPC__TLS_VERIFIED_PIN   2 /* a configured SPKI pin matched */
#define XMPPC__TLS_VERIFIED_HOOK  3 /* the verify_fail hook accepted it */

/* A client filter. ctx and creds are referenced; every option is copied.
 * 0, XMPPC_EINVAL (NULL arguments, no name, a pin that is not base64 of 32
 * bytes), XMPPC_ETLS_CONFIG (GnuTLS refused a setting) or XMPPC_ENOMEM. */
int xmppc__tls_new(xmppc__tls **out, xmppc_ctx *ctx, xmppc__tls_creds *creds,
                   const xmppc__tls_options *opts);
void xmppc__tls_free(xmppc__tls *tls);

/* Queue ciphertext read from the network (copied). 0, XMPPC_EINVAL,
 * XMPPC_ESTATE (after feed_eof) or XMPPC_ENOMEM (nothing queued). */
int xmppc__tls_feed(xmppc__tls *tls, const void *data, size_t len);
/* The network reached end of file: once the queued bytes are used, the
 * filter reports XMPPC__TLS_CLOSED if a close_notify came first, else
 * XMPPC_ETLS_CLOSED (truncated). 0 or XMPPC_EINVAL. */
int xmppc__tls_feed_eof(xmppc__tls *tls);

/* Advance the handshake: 0 once established, XMPPC__TLS_WANT_READ, or a
 * fatal error (below). The first call queues the ClientHello. */
int xmppc__tls_handshake(xmppc__tls *tls);
/* 1 once the handshake has completed. */
int xmppc__tls_handshake_done(const xmppc__tls *tls);

/* Decrypt up to cap bytes of plaintext into buf. 0 with *n > 0,
 * XMPPC__TLS_WANT_READ (*n == 0), XMPPC__TLS_CLOSED, or a fatal error.
 * Call until it returns something other than 0 after each feed. A TLS 1.2
 * renegotiation request is refused with a no_renegotiation warning (the
 * connection goes on); TLS 1.3 key updates are answered. XMPPC_ESTATE
 * before the handshake is done. */
int xmppc__tls_read(size_t *n, xmppc__tls *tls, void *buf, size_t cap);

/* Encrypt all of data into the output queue, in records of the maximum
 * size. 0; XMPPC_ENOMEM (nothing was encrypted: the call may be repeated);
 * XMPPC_ESTATE (handshake not done, or closed); or the stored fatal
 * error. */
int xmppc__tls_write(xmppc__tls *tls, const void *data, size_t len);

/* Ciphertext waiting to be sent (NULL and 0 when none); valid until the
 * next call on the filter. */
const void *xmppc__tls_output(const xmppc__tls *tls, size_t *len);
/* Drop n sent bytes from the front of the output. 0 or XMPPC_EINVAL (n
 * more than is queued). */
int xmppc__tls_consume(xmppc__tls *tls, size_t n);

/* Queue our close_notify. Writing is refused afterwards; reading goes on
 * (the server's remaining data and its close_notify). 0, XMPPC_ESTATE
 * (handshake not done) or the stored fatal error. Closing twice is 0. */
int xmppc__tls_close(xmppc__tls *tls);

/* What the session needs (xmppc_session_transport_secured()): version,
 * peer_verified, and the channel-binding data this connection can give:
 * tls-unique on TLS <= 1.2; tls-exporter on TLS 1.3 and on TLS 1.2 with
 * the extended master secret; tls-server-end-point when the certificate's
 * signature names a single hash. The data pointers are borrowed from the
 * filter (valid until it is freed; the session copies them). 0 or
 * XMPPC_ESTATE (handshake not done). */
int xmppc__tls_info(const xmppc__tls *tls, xmppc_tls_info *out);

/* XMPPC__TLS_VERIFIED_*: how the certificate was accepted. */
int xmppc__tls_verified_by(const xmppc__tls *tls);
/* The negotiated ALPN protocol, or NULL (none, or handshake not done).
 * Borrowed from GnuTLS; valid while the filter lives. */
const char *xmppc__tls_alpn(const xmppc__tls *tls, size_t *len);
/* The stored fatal error (0 if none) and a description of it (alert name,
 * verification reason, GnuTLS message; "" if none). */
int xmppc__tls_error(const xmppc__tls *tls);
const char *xmppc__tls_error_text(const xmppc__tls *tls);

#endif
