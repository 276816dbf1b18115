/* The TLS filter (lib/net/tls.c) against a real GnuTLS server session run
 * in-process over memory queues. Every certificate is made at test time
 * with GnuTLS's x509 API: a test CA, server certificates for example.com
 * and wrong.example, a self-signed one, an expired one, XMPP-specific
 * identities, a client certificate. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "net/tls.h"
#include "util/base64.h"
#include "util/buf.h"

/* ---- certificates --------------------------------------------------------- */

typedef struct {
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_datum_t der;     /* certificate, DER */
	gnutls_datum_t pem;     /* certificate, PEM */
	gnutls_datum_t key_pem; /* private key, PEM */
} keypair;

typedef struct {
	gnutls_pk_algorithm_t pk;
	unsigned bits;
	const char *cn;
	const char *dns;       /* DNS SAN, or NULL */
	const char *xmpp_addr; /* id-on-xmppAddr SAN, or NULL */
	const char *srv_name;  /* id-on-dnsSRV SAN, or NULL */
	const char *ip4;       /* iPAddress SAN (dotted quad), or NULL */
	int ca;
	const char *purpose; /* extended key usage, or NULL */
	gnutls_digest_algorithm_t dig;
	long not_before, not_after; /* relative to now, seconds */
} cert_spec;

static keypair ca, srv_ok, srv_wrong, srv_self, srv_expired, srv_xmppaddr, srv_srvid, srv_ip,
    srv_ed25519, client_kp;
static char tmpdir[64];

static void make_cert(keypair *kp, const cert_spec *sp, const keypair *issuer)
{
	time_t now = time(NULL);
	unsigned char serial[8];

	memset(kp, 0, sizeof(*kp));
	assert_int_equal(gnutls_x509_privkey_init(&kp->key), 0);
	assert_int_equal(gnutls_x509_privkey_generate(kp->key, sp->pk, sp->bits, 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&kp->crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(kp->crt, 3), 0);
	assert_int_equal(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)), 0);
	serial[0] &= 0x7f;
	assert_int_equal(gnutls_x509_crt_set_serial(kp->crt, serial, sizeof(serial)), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(kp->crt, now + sp->not_before), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(kp->crt, now + sp->not_after), 0);
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(kp->crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	                                               sp->cn, (unsigned)strlen(sp->cn)),
	                 0);
	assert_int_equal(gnutls_x509_crt_set_key(kp->crt, kp->key), 0);
	if (sp->dns != NULL)
		assert_int_equal(gnutls_x509_crt_set_subject_alt_name(
		                     kp->crt, GNUTLS_SAN_DNSNAME, sp->dns,
		                     (unsigned)strlen(sp->dns), GNUTLS_FSAN_APPEND),
		                 0);
	if (sp->xmpp_addr != NULL)
		assert_int_equal(gnutls_x509_crt_set_subject_alt_othername(
		                     kp->crt, "1.3.6.1.5.5.7.8.5", sp->xmpp_addr,
		                     (unsigned)strlen(sp->xmpp_addr),
		                     GNUTLS_FSAN_APPEND | GNUTLS_FSAN_ENCODE_UTF8_STRING),
		                 0);
	if (sp->srv_name != NULL) {
		unsigned char der[128];
		size_t n = strlen(sp->srv_name);

		der[0] = 22; /* IA5String */
		der[1] = (unsigned char)n;
		memcpy(der + 2, sp->srv_name, n);
		assert_int_equal(
		    gnutls_x509_crt_set_subject_alt_othername(kp->crt, "1.3.6.1.5.5.7.8.7", der,
		                                              (unsigned)n + 2, GNUTLS_FSAN_APPEND),
		    0);
	}
	if (sp->ip4 != NULL) {
		unsigned a, b, c, d;
		unsigned char ip[4];

		assert_int_equal(sscanf(sp->ip4, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
		ip[0] = (unsigned char)a, ip[1] = (unsigned char)b, ip[2] = (unsigned char)c,
		ip[3] = (unsigned char)d;
		assert_int_equal(gnutls_x509_crt_set_subject_alt_name(kp->crt, GNUTLS_SAN_IPADDRESS,
		                                                      ip, 4, GNUTLS_FSAN_APPEND),
		                 0);
	}
	assert_int_equal(gnutls_x509_crt_set_basic_constraints(kp->crt, sp->ca, -1), 0);
	if (sp->ca)
		assert_int_equal(gnutls_x509_crt_set_key_usage(kp->crt, GNUTLS_KEY_KEY_CERT_SIGN |
		                                                            GNUTLS_KEY_CRL_SIGN),
		                 0);
	else
		assert_int_equal(
		    gnutls_x509_crt_set_key_usage(kp->crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
		                                               GNUTLS_KEY_KEY_ENCIPHERMENT),
		    0);
	if (sp->purpose != NULL)
		assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(kp->crt, sp->purpose, 0), 0);
	{
		unsigned char id[64];
		size_t idlen = sizeof(id);

		assert_int_equal(gnutls_x509_crt_get_key_id(kp->crt, 0, id, &idlen), 0);
		assert_int_equal(gnutls_x509_crt_set_subject_key_id(kp->crt, id, idlen), 0);
		if (issuer != NULL) {
			idlen = sizeof(id);
			assert_int_equal(
			    gnutls_x509_crt_get_subject_key_id(issuer->crt, id, &idlen, NULL), 0);
			assert_int_equal(gnutls_x509_crt_set_authority_key_id(kp->crt, id, idlen),
			                 0);
		}
	}
	if (issuer != NULL)
		assert_int_equal(
		    gnutls_x509_crt_sign2(kp->crt, issuer->crt, issuer->key, sp->dig, 0), 0);
	else
		assert_int_equal(gnutls_x509_crt_sign2(kp->crt, kp->crt, kp->key, sp->dig, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(kp->crt, GNUTLS_X509_FMT_DER, &kp->der), 0);
	assert_int_equal(gnutls_x509_crt_export2(kp->crt, GNUTLS_X509_FMT_PEM, &kp->pem), 0);
	/* PKCS #8: the legacy export has no PEM form for EdDSA keys. */
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(kp->key, GNUTLS_X509_FMT_PEM, NULL,
	                                                   GNUTLS_PKCS_PLAIN, &kp->key_pem),
	                 0);
}

static void free_cert(keypair *kp)
{
	gnutls_free(kp->der.data);
	gnutls_free(kp->pem.data);
	gnutls_free(kp->key_pem.data);
	gnutls_x509_crt_deinit(kp->crt);
	gnutls_x509_privkey_deinit(kp->key);
}

#define P256    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1)
#define P384    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1)
#define ED25519 GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519)
#define DAY     86400L

static int group_setup(void **state)
{
	const char *server = GNUTLS_KP_TLS_WWW_SERVER;
	cert_spec s;

	(void)state;
	s = (cert_spec){GNUTLS_PK_ECDSA,   P256, "xmppc test CA", NULL, NULL, NULL, NULL, 1, NULL,
	                GNUTLS_DIG_SHA256, -DAY, 30 * DAY};
	make_cert(&ca, &s, NULL);
	s = (cert_spec){
	    GNUTLS_PK_ECDSA,   P256, "example.com", "example.com", NULL, NULL, NULL, 0, server,
	    GNUTLS_DIG_SHA256, -DAY, 30 * DAY};
	make_cert(&srv_ok, &s, &ca);
	s.cn = s.dns = "wrong.example";
	make_cert(&srv_wrong, &s, &ca);
	/* Self-signed, P-384 with ECDSA-SHA384: tls-server-end-point must use
	 * SHA-384. */
	s = (cert_spec){
	    GNUTLS_PK_ECDSA,   P384, "example.com", "example.com", NULL, NULL, NULL, 0, server,
	    GNUTLS_DIG_SHA384, -DAY, 30 * DAY};
	make_cert(&srv_self, &s, NULL);
	s = (cert_spec){
	    GNUTLS_PK_ECDSA,   P256,      "example.com", "example.com", NULL, NULL, NULL, 0, server,
	    GNUTLS_DIG_SHA256, -30 * DAY, -DAY};
	make_cert(&srv_expired, &s, &ca);
	/* No DNS-ID for example.com: an XmppAddr, then an SRV-ID. */
	s = (cert_spec){
	    GNUTLS_PK_ECDSA,   P256, "xmpp",  "other.example", "example.com", NULL, NULL, 0, server,
	    GNUTLS_DIG_SHA256, -DAY, 30 * DAY};
	make_cert(&srv_xmppaddr, &s, &ca);
	s.xmpp_addr = NULL;
	s.srv_name = "_xmpp-client.example.com";
	make_cert(&srv_srvid, &s, &ca);
	s = (cert_spec){
	    GNUTLS_PK_ECDSA,   P256, "127.0.0.1", NULL, NULL, NULL, "127.0.0.1", 0, server,
	    GNUTLS_DIG_SHA256, -DAY, 30 * DAY};
	make_cert(&srv_ip, &s, &ca);
	s = (cert_spec){GNUTLS_PK_EDDSA_ED25519,
	                ED25519,
	                "example.com",
	                "example.com",
	                NULL,
	                NULL,
	                NULL,
	                0,
	                server,
	                GNUTLS_DIG_UNKNOWN,
	                -DAY,
	                30 * DAY};
	make_cert(&srv_ed25519, &s, NULL);
	s = (cert_spec){GNUTLS_PK_ECDSA,
	                P256,
	                "juliet",
	                NULL,
	                "juliet@example.com",
	                NULL,
	                NULL,
	                0,
	                GNUTLS_KP_TLS_WWW_CLIENT,
	                GNUTLS_DIG_SHA256,
	                -DAY,
	                30 * DAY};
	make_cert(&client_kp, &s, &ca);

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/xmppc-tls-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static void write_file(const char *path, const gnutls_datum_t *d)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(d->data, 1, d->size, f), d->size);
	assert_int_equal(fclose(f), 0);
}

static int group_teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/ca.pem", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/client.pem", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/client.key", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	free_cert(&ca);
	free_cert(&srv_ok);
	free_cert(&srv_wrong);
	free_cert(&srv_self);
	free_cert(&srv_expired);
	free_cert(&srv_xmppaddr);
	free_cert(&srv_srvid);
	free_cert(&srv_ip);
	free_cert(&srv_ed25519);
	free_cert(&client_kp);
	return 0;
}

/* ---- the in-process server ------------------------------------------------ */

typedef struct {
	unsigned char *p;
	size_t len, cap;
} tq;

static void tq_put(tq *q, const void *d, size_t n)
{
	if (q->len + n > q->cap) {
		q->cap = (q->len + n) * 2;
		q->p = realloc(q->p, q->cap);
		assert_non_null(q->p);
	}
	memcpy(q->p + q->len, d, n);
	q->len += n;
}

static void tq_drop(tq *q, size_t n)
{
	memmove(q->p, q->p + n, q->len - n);
	q->len -= n;
}

enum { SRV_REQUEST_CERT = 1, SRV_REQUIRE_CERT = 2, SRV_ALPN = 4 };

typedef struct {
	gnutls_session_t s;
	gnutls_certificate_credentials_t cred;
	tq in, out;
	int done, err;
} srv;

static ssize_t srv_push(gnutls_transport_ptr_t p, const void *d, size_t n)
{
	srv *sv = p;

	tq_put(&sv->out, d, n);
	return (ssize_t)n;
}

static ssize_t srv_pull(gnutls_transport_ptr_t p, void *d, size_t n)
{
	srv *sv = p;

	if (sv->in.len == 0) {
		gnutls_transport_set_errno(sv->s, EAGAIN);
		return -1;
	}
	if (n > sv->in.len)
		n = sv->in.len;
	memcpy(d, sv->in.p, n);
	tq_drop(&sv->in, n);
	return (ssize_t)n;
}

static void srv_init(srv *sv, const keypair *kp, const char *prio, unsigned flags)
{
	memset(sv, 0, sizeof(*sv));
	assert_int_equal(gnutls_certificate_allocate_credentials(&sv->cred), 0);
	assert_int_equal(gnutls_certificate_set_x509_key_mem2(sv->cred, &kp->pem, &kp->key_pem,
	                                                      GNUTLS_X509_FMT_PEM, NULL, 0),
	                 0);
	assert_true(gnutls_certificate_set_x509_trust_mem(sv->cred, &ca.pem, GNUTLS_X509_FMT_PEM) >
	            0);
	assert_int_equal(gnutls_init(&sv->s, GNUTLS_SERVER | GNUTLS_NONBLOCK), 0);
	assert_int_equal(gnutls_priority_set_direct(sv->s, prio != NULL ? prio : "NORMAL", NULL),
	                 0);
	assert_int_equal(gnutls_credentials_set(sv->s, GNUTLS_CRD_CERTIFICATE, sv->cred), 0);
	if (flags & SRV_REQUIRE_CERT)
		gnutls_certificate_server_set_request(sv->s, GNUTLS_CERT_REQUIRE);
	else if (flags & SRV_REQUEST_CERT)
		gnutls_certificate_server_set_request(sv->s, GNUTLS_CERT_REQUEST);
	if (flags & SRV_ALPN) {
		gnutls_datum_t p = {(unsigned char *)"xmpp-client", 11};
		assert_int_equal(gnutls_alpn_set_protocols(sv->s, &p, 1, 0), 0);
	}
	gnutls_transport_set_ptr(sv->s, sv);
	gnutls_transport_set_push_function(sv->s, srv_push);
	gnutls_transport_set_pull_function(sv->s, srv_pull);
	gnutls_handshake_set_timeout(sv->s, 0);
}

static void srv_fini(srv *sv)
{
	gnutls_deinit(sv->s);
	gnutls_certificate_free_credentials(sv->cred);
	free(sv->in.p);
	free(sv->out.p);
}

static void srv_step(srv *sv)
{
	int r;

	while (!sv->done && !sv->err) {
		r = gnutls_handshake(sv->s);
		if (r == 0)
			sv->done = 1;
		else if (r == GNUTLS_E_AGAIN)
			break;
		else if (gnutls_error_is_fatal(r)) {
			/* Like a real server: tell the client why. */
			sv->err = r;
			if (r != GNUTLS_E_FATAL_ALERT_RECEIVED)
				gnutls_alert_send_appropriate(sv->s, r);
		}
	}
}

/* Server reads everything available into q; returns the last status. */
static ssize_t srv_read_all(srv *sv, tq *q)
{
	char buf[20000];
	ssize_t r;

	for (;;) {
		r = gnutls_record_recv(sv->s, buf, sizeof(buf));
		if (r > 0)
			tq_put(q, buf, (size_t)r);
		else if (r == GNUTLS_E_INTERRUPTED || (r == GNUTLS_E_AGAIN && sv->in.len > 0))
			continue; /* AGAIN also follows a post-handshake message */
		else
			return r;
	}
}

static void srv_write(srv *sv, const void *d, size_t n)
{
	const char *p = d;

	while (n > 0) {
		ssize_t r = gnutls_record_send(sv->s, p, n);
		assert_true(r > 0);
		p += r;
		n -= (size_t)r;
	}
}

/* ---- pumping ---------------------------------------------------------------- */

static void pump_c2s(xmppc__tls *c, srv *sv)
{
	size_t n;
	const void *p = xmppc__tls_output(c, &n);

	if (n == 0)
		return;
	tq_put(&sv->in, p, n);
	assert_int_equal(xmppc__tls_consume(c, n), 0);
}

/* Run both handshakes, delivering the server's bytes to the client in
 * chunks of `chunk` bytes (1: byte by byte). Returns the client's result. */
static int handshake(xmppc__tls *c, srv *sv, size_t chunk)
{
	int crc = xmppc__tls_handshake(c);
	int i;

	for (i = 0; i < 10000; i++) {
		pump_c2s(c, sv);
		srv_step(sv);
		if (sv->out.len == 0)
			break;
		while (sv->out.len > 0) {
			size_t n = sv->out.len < chunk ? sv->out.len : chunk;

			int frc = xmppc__tls_feed(c, sv->out.p, n);

			if (frc != 0)
				return frc; /* XMPPC_ENOMEM in the allocation-failure runs */
			tq_drop(&sv->out, n);
			if (crc == XMPPC__TLS_WANT_READ) {
				crc = xmppc__tls_handshake(c);
				pump_c2s(c, sv);
			}
		}
		if (crc < 0)
			break;
	}
	pump_c2s(c, sv);
	srv_step(sv);
	return crc;
}

/* Deliver all server output to the client. */
static void pump_s2c(srv *sv, xmppc__tls *c)
{
	if (sv->out.len == 0)
		return;
	assert_int_equal(xmppc__tls_feed(c, sv->out.p, sv->out.len), 0);
	sv->out.len = 0;
}

/* Client reads everything decryptable into q; returns the last status. */
static int client_read_all(xmppc__tls *c, tq *q)
{
	char buf[4096];
	size_t n;
	int rc;

	while ((rc = xmppc__tls_read(&n, c, buf, sizeof(buf))) == 0) {
		assert_true(n > 0);
		tq_put(q, buf, n);
	}
	return rc;
}

/* ---- fixtures ------------------------------------------------------------------ */

typedef struct {
	test_alloc a;
	xmppc_ctx *ctx;
	xmppc__tls_creds *creds;
	xmppc__tls *c;
	srv sv;
	int have_srv;
} fx;

static void fx_creds(fx *f, const xmppc__tls_creds_options *o)
{
	xmppc__tls_creds_options def = {0};

	f->ctx = test_ctx_new(&f->a);
	if (o == NULL) {
		def.ca_pem = (const char *)ca.pem.data;
		def.ca_pem_len = ca.pem.size;
		o = &def;
	}
	assert_int_equal(xmppc__tls_creds_new(&f->creds, f->ctx, o), 0);
}

static void fx_client(fx *f, const xmppc__tls_options *o)
{
	xmppc__tls_options def = {0};

	if (o == NULL) {
		def.name = "example.com";
		o = &def;
	}
	assert_int_equal(xmppc__tls_new(&f->c, f->ctx, f->creds, o), 0);
}

static void fx_server(fx *f, const keypair *kp, const char *prio, unsigned flags)
{
	srv_init(&f->sv, kp, prio, flags);
	f->have_srv = 1;
}

/* The usual setup: CA-trusting creds, a client for example.com, a server. */
static void fx_std(fx *f, const keypair *kp, const char *prio)
{
	fx_creds(f, NULL);
	fx_client(f, NULL);
	fx_server(f, kp, prio, 0);
}

static void fx_done(fx *f)
{
	xmppc__tls_free(f->c);
	assert_null(xmppc__tls_creds_unref(f->creds));
	if (f->have_srv)
		srv_fini(&f->sv);
	assert_null(xmppc_ctx_unref(f->ctx));
	assert_int_equal(f->a.live, 0);
}

#define TLS12 "NORMAL:-VERS-ALL:+VERS-TLS1.2"
#define TLS13 "NORMAL:-VERS-ALL:+VERS-TLS1.3"

/* ---- handshakes and channel binding ---------------------------------------------- */

static void check_server_end_point(const xmppc_tls_info *info, const keypair *kp,
                                   gnutls_digest_algorithm_t dig)
{
	unsigned char h[64];
	unsigned len = gnutls_hash_get_len(dig);

	assert_int_equal(gnutls_hash_fast(dig, kp->der.data, kp->der.size, h), 0);
	assert_non_null(info->cb_data[XMPPC_CB_TLS_SERVER_END_POINT]);
	assert_int_equal(info->cb_len[XMPPC_CB_TLS_SERVER_END_POINT], len);
	assert_memory_equal(info->cb_data[XMPPC_CB_TLS_SERVER_END_POINT], h, len);
}

/* What the server computes for a binding type must be what we report. */
static void check_same_as_server(const xmppc_tls_info *info, srv *sv, gnutls_channel_binding_t t,
                                 xmppc_cb_type ours)
{
	gnutls_datum_t d;

	assert_int_equal(gnutls_session_channel_binding(sv->s, t, &d), 0);
	assert_non_null(info->cb_data[ours]);
	assert_int_equal(info->cb_len[ours], d.size);
	assert_memory_equal(info->cb_data[ours], d.data, d.size);
	gnutls_free(d.data);
}

static void check_exporter(const xmppc_tls_info *info, srv *sv)
{
	unsigned char ekm[32];

	/* The server's own RFC 5705 exporter, independently of
	 * gnutls_session_channel_binding(). */
	assert_int_equal(
	    gnutls_prf_rfc5705(sv->s, 24, "EXPORTER-Channel-Binding", 0, "", 32, (char *)ekm), 0);
	assert_int_equal(info->cb_len[XMPPC_CB_TLS_EXPORTER], 32);
	assert_memory_equal(info->cb_data[XMPPC_CB_TLS_EXPORTER], ekm, 32);
	check_same_as_server(info, sv, GNUTLS_CB_TLS_EXPORTER, XMPPC_CB_TLS_EXPORTER);
}

static void check_sni(srv *sv, const char *want)
{
	char name[256];
	size_t len = sizeof(name);
	unsigned type;
	int r = gnutls_server_name_get(sv->s, name, &len, &type, 0);

	if (want == NULL) {
		assert_int_equal(r, GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
		return;
	}
	assert_int_equal(r, 0);
	assert_int_equal(type, GNUTLS_NAME_DNS);
	assert_string_equal(name, want);
}

static void test_handshake_tls13(void **state)
{
	fx f = {0};
	xmppc_tls_info info;
	size_t alen;

	(void)state;
	fx_std(&f, &srv_ok, TLS13);
	assert_int_equal(xmppc__tls_handshake_done(f.c), 0);
	assert_int_equal(xmppc__tls_info(f.c, &info), XMPPC_ESTATE);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	assert_true(f.sv.done);
	assert_int_equal(xmppc__tls_handshake_done(f.c), 1);
	assert_int_equal(xmppc__tls_handshake(f.c), 0); /* idempotent */
	assert_int_equal(xmppc__tls_info(f.c, &info), 0);
	assert_int_equal(info.version, XMPPC_TLS_INFO_VERSION);
	assert_int_equal(info.tls_version, 0x0304);
	assert_int_equal(info.peer_verified, 1);
	assert_int_equal(xmppc__tls_verified_by(f.c), XMPPC__TLS_VERIFIED_CHAIN);
	/* tls-unique is undefined on TLS 1.3. */
	assert_null(info.cb_data[XMPPC_CB_TLS_UNIQUE]);
	assert_int_equal(info.cb_len[XMPPC_CB_TLS_UNIQUE], 0);
	check_exporter(&info, &f.sv);
	check_server_end_point(&info, &srv_ok, GNUTLS_DIG_SHA256);
	check_same_as_server(&info, &f.sv, GNUTLS_CB_TLS_SERVER_END_POINT,
	                     XMPPC_CB_TLS_SERVER_END_POINT);
	check_sni(&f.sv, "example.com");
	/* STARTTLS: no ALPN. */
	assert_null(xmppc__tls_alpn(f.c, &alen));
	assert_int_equal(xmppc__tls_error(f.c), 0);
	assert_string_equal(xmppc__tls_error_text(f.c), "");
	fx_done(&f);
}

static void test_handshake_tls12(void **state)
{
	fx f = {0};
	xmppc_tls_info info;

	(void)state;
	fx_std(&f, &srv_ok, TLS12);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	assert_true(f.sv.done);
	assert_int_equal(xmppc__tls_info(f.c, &info), 0);
	assert_int_equal(info.tls_version, 0x0303);
	assert_int_equal(info.peer_verified, 1);
	/* tls-unique: the client's Finished (12 bytes) as the server has it. */
	assert_int_equal(info.cb_len[XMPPC_CB_TLS_UNIQUE], 12);
	check_same_as_server(&info, &f.sv, GNUTLS_CB_TLS_UNIQUE, XMPPC_CB_TLS_UNIQUE);
	/* GnuTLS negotiates the extended master secret by default. */
	assert_true(gnutls_session_ext_master_secret_status(f.sv.s));
	check_exporter(&info, &f.sv);
	check_server_end_point(&info, &srv_ok, GNUTLS_DIG_SHA256);
	check_sni(&f.sv, "example.com");
	fx_done(&f);
}

/* TLS 1.2 without the extended master secret: no tls-exporter (RFC 9266
 * needs unique master secrets); tls-unique still. */
static void test_tls12_without_ems(void **state)
{
	fx f = {0};
	xmppc_tls_info info;

	(void)state;
	fx_std(&f, &srv_ok, TLS12 ":%NO_SESSION_HASH");
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	assert_false(gnutls_session_ext_master_secret_status(f.sv.s));
	{
		/* GnuTLS refuses the same. */
		gnutls_datum_t d;
		assert_true(gnutls_session_channel_binding(f.sv.s, GNUTLS_CB_TLS_EXPORTER, &d) < 0);
	}
	assert_int_equal(xmppc__tls_info(f.c, &info), 0);
	assert_int_equal(info.tls_version, 0x0303);
	assert_null(info.cb_data[XMPPC_CB_TLS_EXPORTER]);
	check_same_as_server(&info, &f.sv, GNUTLS_CB_TLS_UNIQUE, XMPPC_CB_TLS_UNIQUE);
	check_server_end_point(&info, &srv_ok, GNUTLS_DIG_SHA256);
	fx_done(&f);
}

/* The server's flights reach the client one byte at a time. */
static void test_handshake_byte_by_byte(void **state)
{
	static const char *const prios[] = {TLS12, TLS13};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		fx f = {0};
		xmppc_tls_info info;

		fx_std(&f, &srv_ok, prios[i]);
		assert_int_equal(handshake(f.c, &f.sv, 1), 0);
		assert_true(f.sv.done);
		assert_int_equal(xmppc__tls_info(f.c, &info), 0);
		assert_int_equal(info.tls_version, i == 0 ? 0x0303u : 0x0304u);
		check_exporter(&info, &f.sv);
		fx_done(&f);
	}
}

/* Direct TLS (XEP-0368): ALPN "xmpp-client", seen and selected by the
 * server. */
static void test_alpn_direct_tls(void **state)
{
	fx f = {0};
	xmppc__tls_options o = {0};
	gnutls_datum_t sel;
	const char *p;
	size_t len;

	(void)state;
	fx_creds(&f, NULL);
	o.name = "example.com";
	o.alpn = "xmpp-client";
	fx_client(&f, &o);
	fx_server(&f, &srv_ok, NULL, SRV_ALPN);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	assert_int_equal(gnutls_alpn_get_selected_protocol(f.sv.s, &sel), 0);
	assert_int_equal(sel.size, 11);
	assert_memory_equal(sel.data, "xmpp-client", 11);
	p = xmppc__tls_alpn(f.c, &len);
	assert_non_null(p);
	assert_int_equal(len, 11);
	assert_memory_equal(p, "xmpp-client", 11);
	fx_done(&f);
}

/* ---- data ------------------------------------------------------------------------- */

static const char stanza[] = "<message to='juliet@example.com' type='chat'><body>Wherefore art "
                             "thou?</body></message>";

/* Server -> client: each record split at every byte, and byte by byte;
 * client -> server: our output split at every byte. */
static void exchange_split(const char *prio)
{
	fx f = {0};
	size_t len = sizeof(stanza) - 1, k, step = test_split_step();
	char buf[256];
	size_t n;
	tq got = {0};

	fx_std(&f, &srv_ok, prio);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	pump_s2c(&f.sv, f.c); /* TLS 1.3: session tickets */
	assert_int_equal(client_read_all(f.c, &got), XMPPC__TLS_WANT_READ);
	assert_int_equal(got.len, 0);

	/* One record from the server, fed in two parts at every split point. */
	srv_write(&f.sv, stanza, len);
	{
		size_t rec = f.sv.out.len;

		/* Whole, to learn the record's length. */
		pump_s2c(&f.sv, f.c);
		assert_int_equal(xmppc__tls_read(&n, f.c, buf, sizeof(buf)), 0);
		assert_int_equal(n, len);
		for (k = 1; k < rec; k += step) {
			srv_write(&f.sv, stanza, len);
			assert_int_equal(f.sv.out.len, rec);
			assert_int_equal(xmppc__tls_feed(f.c, f.sv.out.p, k), 0);
			assert_int_equal(xmppc__tls_read(&n, f.c, buf, sizeof(buf)),
			                 XMPPC__TLS_WANT_READ);
			assert_int_equal(n, 0);
			assert_int_equal(xmppc__tls_feed(f.c, f.sv.out.p + k, rec - k), 0);
			f.sv.out.len = 0;
			assert_int_equal(xmppc__tls_read(&n, f.c, buf, sizeof(buf)), 0);
			assert_int_equal(n, len);
			assert_memory_equal(buf, stanza, len);
			assert_int_equal(xmppc__tls_read(&n, f.c, buf, sizeof(buf)),
			                 XMPPC__TLS_WANT_READ);
		}
		/* Byte by byte: nothing until the last byte. */
		srv_write(&f.sv, stanza, len);
		for (k = 0; k < rec; k++) {
			int rc;

			assert_int_equal(xmppc__tls_feed(f.c, f.sv.out.p + k, 1), 0);
			rc = xmppc__tls_read(&n, f.c, buf, sizeof(buf));
			if (k + 1 < rec) {
				assert_int_equal(rc, XMPPC__TLS_WANT_READ);
			} else {
				assert_int_equal(rc, 0);
				assert_int_equal(n, len);
				assert_memory_equal(buf, stanza, len);
			}
		}
		f.sv.out.len = 0;
	}
	/* Several records in one feed, read through a small buffer. */
	srv_write(&f.sv, stanza, len);
	srv_write(&f.sv, stanza, len);
	srv_write(&f.sv, stanza, len);
	pump_s2c(&f.sv, f.c);
	got.len = 0;
	{
		char small[7];
		int rc;

		while ((rc = xmppc__tls_read(&n, f.c, small, sizeof(small))) == 0)
			tq_put(&got, small, n);
		assert_int_equal(rc, XMPPC__TLS_WANT_READ);
	}
	assert_int_equal(got.len, 3 * len);
	for (k = 0; k < 3; k++)
		assert_memory_equal(got.p + k * len, stanza, len);

	/* Client -> server, our record split at every byte. */
	{
		tq sgot = {0};
		const unsigned char *p;
		size_t rec;

		assert_int_equal(xmppc__tls_write(f.c, stanza, len), 0);
		p = xmppc__tls_output(f.c, &rec);
		assert_non_null(p);
		for (k = 0; k < rec; k++) {
			tq_put(&f.sv.in, p + k, 1);
			if (k + 1 < rec)
				assert_int_equal(srv_read_all(&f.sv, &sgot), GNUTLS_E_AGAIN);
		}
		assert_int_equal(xmppc__tls_consume(f.c, rec), 0);
		assert_int_equal(srv_read_all(&f.sv, &sgot), GNUTLS_E_AGAIN);
		assert_int_equal(sgot.len, len);
		assert_memory_equal(sgot.p, stanza, len);
		free(sgot.p);
	}
	free(got.p);
	fx_done(&f);
}

static void test_data_split_tls12(void **state)
{
	(void)state;
	exchange_split(TLS12);
}

static void test_data_split_tls13(void **state)
{
	(void)state;
	exchange_split(TLS13);
}

/* A large write becomes full-size records in one output block. */
static void test_large_write(void **state)
{
	fx f = {0};
	size_t big = 200000, i, out;
	unsigned char *data = malloc(big);
	tq sgot = {0}, cgot = {0};

	(void)state;
	assert_non_null(data);
	for (i = 0; i < big; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	fx_std(&f, &srv_ok, TLS13);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	assert_int_equal(xmppc__tls_write(f.c, data, big), 0);
	assert_non_null(xmppc__tls_output(f.c, &out));
	/* 13 records of at most 16 KiB, each with a small overhead. */
	assert_true(out > big && out < big + 13 * 64);
	pump_c2s(f.c, &f.sv);
	assert_null(xmppc__tls_output(f.c, &out));
	assert_int_equal(out, 0);
	assert_int_equal(srv_read_all(&f.sv, &sgot), GNUTLS_E_AGAIN);
	assert_int_equal(sgot.len, big);
	assert_memory_equal(sgot.p, data, big);
	/* And back, fed in odd-sized pieces. */
	srv_write(&f.sv, data, big);
	for (i = 0; i < f.sv.out.len; i += 9999) {
		size_t n = f.sv.out.len - i < 9999 ? f.sv.out.len - i : 9999;

		assert_int_equal(xmppc__tls_feed(f.c, f.sv.out.p + i, n), 0);
		assert_int_equal(client_read_all(f.c, &cgot), XMPPC__TLS_WANT_READ);
	}
	f.sv.out.len = 0;
	assert_int_equal(cgot.len, big);
	assert_memory_equal(cgot.p, data, big);
	free(sgot.p);
	free(cgot.p);
	free(data);
	fx_done(&f);
}

/* ---- certificate verification ---------------------------------------------------- */

static void expect_failure(const keypair *kp, const xmppc__tls_options *o, int err)
{
	fx f = {0};

	fx_creds(&f, NULL);
	fx_client(&f, o);
	fx_server(&f, kp, NULL, 0);
	assert_int_equal(handshake(f.c, &f.sv, 65536), err);
	assert_int_equal(xmppc__tls_error(f.c), err);
	assert_true(xmppc__tls_error_text(f.c)[0] != '\0');
	/* Sticky. */
	assert_int_equal(xmppc__tls_handshake(f.c), err);
	assert_int_equal(xmppc__tls_write(f.c, "x", 1), err);
	assert_int_equal(xmppc__tls_handshake_done(f.c), 0);
	assert_int_equal(xmppc__tls_verified_by(f.c), XMPPC__TLS_VERIFIED_NONE);
	/* We told the server (a fatal alert in our output, now delivered). */
	assert_true(f.sv.err != 0);
	assert_int_equal(f.sv.err, GNUTLS_E_FATAL_ALERT_RECEIVED);
	fx_done(&f);
}

static void test_name_mismatch(void **state)
{
	(void)state;
	expect_failure(&srv_wrong, NULL, XMPPC_ETLS_CERT_NAME);
	assert_true(xmppc_is_fatal(XMPPC_ETLS_CERT_NAME));
	assert_false(xmppc_error_retryable(XMPPC_ETLS_CERT_NAME));
}

static void test_untrusted(void **state)
{
	(void)state;
	expect_failure(&srv_self, NULL, XMPPC_ETLS_CERT_UNTRUSTED);
	assert_true(xmppc_is_fatal(XMPPC_ETLS_CERT_UNTRUSTED));
	assert_false(xmppc_error_retryable(XMPPC_ETLS_CERT_UNTRUSTED));
}

static void test_expired(void **state)
{
	(void)state;
	expect_failure(&srv_expired, NULL, XMPPC_ETLS_CERT_EXPIRED);
	assert_false(xmppc_error_retryable(XMPPC_ETLS_CERT_EXPIRED));
}

/* No DNS-ID, but an XmppAddr or SRV-ID for the domain (RFC 6120
 * §13.7.2.1); either is enough with a trusted chain, and neither helps
 * for another domain. */
static void test_xmpp_identities(void **state)
{
	const keypair *kps[] = {&srv_xmppaddr, &srv_srvid};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		fx f = {0};
		xmppc__tls_options o = {0};

		fx_std(&f, kps[i], NULL);
		assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
		assert_int_equal(xmppc__tls_verified_by(f.c), XMPPC__TLS_VERIFIED_CHAIN);
		fx_done(&f);
		o.name = "example.net";
		expect_failure(kps[i], &o, XMPPC_ETLS_CERT_NAME);
		o.name = "other.example"; /* the DNS-ID still works */
		memset(&f, 0, sizeof(f));
		fx_creds(&f, NULL);
		fx_client(&f, &o);
		fx_server(&f, kps[i], NULL, 0);
		assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
		fx_done(&f);
	}
}

/* An IP literal is checked against iPAddress SANs and never sent as SNI. */
static void test_ip_literal(void **state)
{
	fx f = {0};
	xmppc__tls_options o = {0};

	(void)state;
	fx_creds(&f, NULL);
	o.name = "127.0.0.1";
	fx_client(&f, &o);
	fx_server(&f, &srv_ip, NULL, 0);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	check_sni(&f.sv, NULL);
	fx_done(&f);
	o.name = "127.0.0.2";
	expect_failure(&srv_ip, &o, XMPPC_ETLS_CERT_NAME);
}

static void pin_of(const keypair *kp, char out[64])
{
	unsigned char id[32];
	size_t idlen = sizeof(id);
	xmppc_buf b;
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);

	/* GnuTLS's key id with SHA-256 is the hash of the SPKI (RFC 7469): an
	 * independent way to the same pin. */
	assert_int_equal(gnutls_x509_crt_get_key_id(kp->crt, GNUTLS_KEYID_USE_SHA256, id, &idlen),
	                 0);
	assert_int_equal(idlen, 32);
	xmppc__buf_init(&b, ctx);
	assert_int_equal(xmppc__base64_encode(&b, id, 32), 0);
	assert_int_equal(b.len, 44);
	memcpy(out, b.data + b.off, 44);
	out[44] = '\0';
	xmppc__buf_fini(&b);
	xmppc_ctx_unref(ctx);
}

static void test_pins(void **state)
{
	char pin_self[64], pin_ok[64];
	const char *pins[2];
	xmppc__tls_options o = {0};
	fx f = {0};
	xmppc_tls_info info;

	(void)state;
	pin_of(&srv_self, pin_self);
	pin_of(&srv_ok, pin_ok);

	/* A pin makes the self-signed certificate acceptable. */
	pins[0] = pin_ok;
	pins[1] = pin_self;
	o.name = "example.com";
	o.pins = pins;
	o.n_pins = 2;
	fx_creds(&f, NULL);
	fx_client(&f, &o);
	fx_server(&f, &srv_self, NULL, 0);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	assert_int_equal(xmppc__tls_verified_by(f.c), XMPPC__TLS_VERIFIED_PIN);
	assert_int_equal(xmppc__tls_info(f.c, &info), 0);
	assert_int_equal(info.peer_verified, 1);
	/* ECDSA-SHA384 signature: tls-server-end-point uses SHA-384. */
	check_server_end_point(&info, &srv_self, GNUTLS_DIG_SHA384);
	check_same_as_server(&info, &f.sv, GNUTLS_CB_TLS_SERVER_END_POINT,
	                     XMPPC_CB_TLS_SERVER_END_POINT);
	fx_done(&f);

	/* Pins that do not match, not required: the chain decides. */
	o.n_pins = 1;
	pins[0] = pin_self;
	memset(&f, 0, sizeof(f));
	fx_creds(&f, NULL);
	fx_client(&f, &o);
	fx_server(&f, &srv_ok, NULL, 0);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	assert_int_equal(xmppc__tls_verified_by(f.c), XMPPC__TLS_VERIFIED_CHAIN);
	fx_done(&f);
	expect_failure(&srv_wrong, &o, XMPPC_ETLS_CERT_NAME);

	/* Required: a trusted chain without the pin is refused. */
	o.pins_required = 1;
	expect_failure(&srv_ok, &o, XMPPC_ETLS_PIN);
	expect_failure(&srv_wrong, &o, XMPPC_ETLS_PIN);
	assert_false(xmppc_error_retryable(XMPPC_ETLS_PIN));
	pins[0] = pin_ok;
	memset(&f, 0, sizeof(f));
	fx_creds(&f, NULL);
	fx_client(&f, &o);
	fx_server(&f, &srv_ok, NULL, 0);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	assert_int_equal(xmppc__tls_verified_by(f.c), XMPPC__TLS_VERIFIED_PIN);
	fx_done(&f);
}

/* Ed25519 signatures hash nothing on their own: RFC 5929 leaves
 * tls-server-end-point undefined, so it is not offered. */
static void test_ed25519_no_end_point(void **state)
{
	char pin[64];
	const char *pins[1] = {pin};
	xmppc__tls_options o = {0};
	fx f = {0};
	xmppc_tls_info info;

	(void)state;
	pin_of(&srv_ed25519, pin);
	o.name = "example.com";
	o.pins = pins;
	o.n_pins = 1;
	fx_creds(&f, NULL);
	fx_client(&f, &o);
	fx_server(&f, &srv_ed25519, TLS13, 0);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	assert_int_equal(xmppc__tls_info(f.c, &info), 0);
	assert_null(info.cb_data[XMPPC_CB_TLS_SERVER_END_POINT]);
	assert_int_equal(info.cb_len[XMPPC_CB_TLS_SERVER_END_POINT], 0);
	assert_non_null(info.cb_data[XMPPC_CB_TLS_EXPORTER]);
	fx_done(&f);
}

typedef struct {
	int calls;
	int last_err;
	int answer;
	int destroyed;
	size_t der_len;
	int der_ok;
} hook_state;

static const keypair *hook_expect;

static int hook(void *ud, int err, const char *reason, const unsigned char *der, size_t len)
{
	hook_state *h = ud;

	h->calls++;
	h->last_err = err;
	h->der_len = len;
	h->der_ok = hook_expect != NULL && len == hook_expect->der.size &&
	            memcmp(der, hook_expect->der.data, len) == 0;
	assert_non_null(reason);
	assert_true(reason[0] != '\0');
	return h->answer;
}

static void hook_destroy(void *ud)
{
	((hook_state *)ud)->destroyed++;
}

static void test_hook(void **state)
{
	static const int answers[] = {XMPPC__TLS_ACCEPT, XMPPC__TLS_REJECT, -1, 7};
	size_t i;

	(void)state;
	hook_expect = &srv_self;
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		hook_state h = {0};
		xmppc__tls_options o = {0};
		fx f = {0};
		int rc;

		h.answer = answers[i];
		o.name = "example.com";
		o.verify_fail = hook;
		o.verify_ud = &h;
		o.verify_destroy = hook_destroy;
		fx_creds(&f, NULL);
		fx_client(&f, &o);
		fx_server(&f, &srv_self, NULL, 0);
		rc = handshake(f.c, &f.sv, 65536);
		assert_int_equal(h.calls, 1);
		assert_int_equal(h.last_err, XMPPC_ETLS_CERT_UNTRUSTED);
		assert_true(h.der_ok);
		if (i == 0) {
			xmppc_tls_info info;

			assert_int_equal(rc, 0);
			assert_int_equal(xmppc__tls_verified_by(f.c), XMPPC__TLS_VERIFIED_HOOK);
			assert_int_equal(xmppc__tls_info(f.c, &info), 0);
			assert_int_equal(info.peer_verified, 1);
		} else {
			/* Only XMPPC__TLS_ACCEPT accepts. */
			assert_int_equal(rc, XMPPC_ETLS_CERT_UNTRUSTED);
		}
		assert_int_equal(h.destroyed, 0);
		fx_done(&f);
		assert_int_equal(h.destroyed, 1);
	}
	/* Not called when verification succeeds. */
	{
		hook_state h = {0};
		xmppc__tls_options o = {0};
		fx f = {0};

		o.name = "example.com";
		o.verify_fail = hook;
		o.verify_ud = &h;
		fx_creds(&f, NULL);
		fx_client(&f, &o);
		fx_server(&f, &srv_ok, NULL, 0);
		assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
		assert_int_equal(h.calls, 0);
		fx_done(&f);
	}
	/* The hook sees the name mismatch as such. */
	{
		hook_state h = {0};
		xmppc__tls_options o = {0};
		fx f = {0};

		hook_expect = &srv_wrong;
		o.name = "example.com";
		o.verify_fail = hook;
		o.verify_ud = &h;
		fx_creds(&f, NULL);
		fx_client(&f, &o);
		fx_server(&f, &srv_wrong, NULL, 0);
		assert_int_equal(handshake(f.c, &f.sv, 65536), XMPPC_ETLS_CERT_NAME);
		assert_int_equal(h.last_err, XMPPC_ETLS_CERT_NAME);
		assert_true(h.der_ok);
		fx_done(&f);
	}
}

/* A client certificate is presented when the server asks, and verifies
 * there; none is sent when none is configured. */
static void test_client_cert(void **state)
{
	static const char *const prios[] = {TLS12, TLS13};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		fx f = {0};
		xmppc__tls_creds_options co = {0};
		const gnutls_datum_t *peers;
		unsigned n = 0, status = 1;

		co.ca_pem = (const char *)ca.pem.data;
		co.ca_pem_len = ca.pem.size;
		co.cert_pem = (const char *)client_kp.pem.data;
		co.cert_pem_len = client_kp.pem.size;
		co.key_pem = (const char *)client_kp.key_pem.data;
		co.key_pem_len = client_kp.key_pem.size;
		fx_creds(&f, &co);
		assert_int_equal(xmppc__tls_creds_has_client_cert(f.creds), 1);
		fx_client(&f, NULL);
		fx_server(&f, &srv_ok, prios[i], SRV_REQUIRE_CERT);
		assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
		assert_true(f.sv.done);
		peers = gnutls_certificate_get_peers(f.sv.s, &n);
		assert_non_null(peers);
		assert_int_equal(n, 1);
		assert_int_equal(peers[0].size, client_kp.der.size);
		assert_memory_equal(peers[0].data, client_kp.der.data, client_kp.der.size);
		assert_int_equal(gnutls_certificate_verify_peers2(f.sv.s, &status), 0);
		assert_int_equal(status, 0);
		fx_done(&f);

		/* Without one, a server that requests (not requires) sees none. */
		memset(&f, 0, sizeof(f));
		fx_creds(&f, NULL);
		assert_int_equal(xmppc__tls_creds_has_client_cert(f.creds), 0);
		fx_client(&f, NULL);
		fx_server(&f, &srv_ok, prios[i], SRV_REQUEST_CERT);
		assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
		assert_null(gnutls_certificate_get_peers(f.sv.s, &n));
		fx_done(&f);
	}
}

/* Credentials from files; a missing file, a bad priority string, a
 * certificate without its key, bad pins. */
static void test_creds_files_and_errors(void **state)
{
	char ca_path[128], cert_path[128], key_path[128];
	xmppc__tls_creds_options co = {0};
	xmppc__tls_creds *creds = NULL;
	xmppc__tls *t = NULL;
	xmppc__tls_options o = {0};
	const char *bad_pins[1];
	test_alloc a;
	xmppc_ctx *ctx;
	fx f = {0};

	(void)state;
	snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", tmpdir);
	snprintf(cert_path, sizeof(cert_path), "%s/client.pem", tmpdir);
	snprintf(key_path, sizeof(key_path), "%s/client.key", tmpdir);
	write_file(ca_path, &ca.pem);
	write_file(cert_path, &client_kp.pem);
	write_file(key_path, &client_kp.key_pem);

	co.ca_file = ca_path;
	co.cert_file = cert_path;
	co.key_file = key_path;
	fx_creds(&f, &co);
	assert_int_equal(xmppc__tls_creds_trust_count(f.creds), 1);
	assert_int_equal(xmppc__tls_creds_has_client_cert(f.creds), 1);
	fx_client(&f, NULL);
	fx_server(&f, &srv_ok, NULL, SRV_REQUIRE_CERT);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	fx_done(&f);

	ctx = test_ctx_new(&a);
	memset(&co, 0, sizeof(co));
	co.ca_file = "/nonexistent/ca.pem";
	assert_int_equal(xmppc__tls_creds_new(&creds, ctx, &co), XMPPC_ETLS_CONFIG);
	assert_null(creds);
	assert_false(xmppc_is_fatal(XMPPC_ETLS_CONFIG));
	co.ca_file = key_path; /* a file with no certificate */
	assert_int_equal(xmppc__tls_creds_new(&creds, ctx, &co), XMPPC_ETLS_CONFIG);
	memset(&co, 0, sizeof(co));
	co.priority = "NORMAL:+NONSENSE";
	assert_int_equal(xmppc__tls_creds_new(&creds, ctx, &co), XMPPC_ETLS_CONFIG);
	memset(&co, 0, sizeof(co));
	co.cert_file = cert_path;
	assert_int_equal(xmppc__tls_creds_new(&creds, ctx, &co), XMPPC_EINVAL);
	co.key_file = ca_path; /* not the key */
	assert_int_equal(xmppc__tls_creds_new(&creds, ctx, &co), XMPPC_ETLS_CONFIG);
	assert_int_equal(xmppc__tls_creds_new(&creds, NULL, &co), XMPPC_EINVAL);
	assert_int_equal(xmppc__tls_creds_new(&creds, ctx, NULL), XMPPC_EINVAL);

	/* System trust: loads something on a normal system; refcounting. */
	memset(&co, 0, sizeof(co));
	co.system_trust = 1;
	assert_int_equal(xmppc__tls_creds_new(&creds, ctx, &co), 0);
	assert_ptr_equal(xmppc__tls_creds_ref(creds), creds);
	assert_ptr_equal(xmppc__tls_creds_unref(creds), creds);

	/* Options. */
	assert_int_equal(xmppc__tls_new(&t, ctx, creds, &o), XMPPC_EINVAL); /* no name */
	o.name = "";
	assert_int_equal(xmppc__tls_new(&t, ctx, creds, &o), XMPPC_EINVAL);
	o.name = "example.com";
	o.pins = bad_pins;
	o.n_pins = 1;
	bad_pins[0] = "not base64!";
	assert_int_equal(xmppc__tls_new(&t, ctx, creds, &o), XMPPC_EINVAL);
	bad_pins[0] = "AAAA"; /* 3 bytes, not 32 */
	{
		hook_state h = {0};

		/* The hook's data is released when creation fails too. */
		o.verify_fail = hook;
		o.verify_ud = &h;
		o.verify_destroy = hook_destroy;
		assert_int_equal(xmppc__tls_new(&t, ctx, creds, &o), XMPPC_EINVAL);
		assert_int_equal(h.destroyed, 1);
		o.verify_fail = NULL;
		o.verify_ud = NULL;
		o.verify_destroy = NULL;
	}
	assert_null(t);
	o.n_pins = 0;
	o.alpn = "";
	assert_int_equal(xmppc__tls_new(&t, ctx, creds, &o), XMPPC_EINVAL);
	o.alpn = NULL;
	assert_int_equal(xmppc__tls_new(&t, NULL, creds, &o), XMPPC_EINVAL);
	assert_int_equal(xmppc__tls_new(&t, ctx, NULL, &o), XMPPC_EINVAL);
	assert_int_equal(xmppc__tls_new(&t, ctx, creds, &o), 0);
	/* Before the handshake. */
	{
		char buf[8];
		size_t n;
		xmppc_tls_info info;

		assert_int_equal(xmppc__tls_read(&n, t, buf, sizeof(buf)), XMPPC_ESTATE);
		assert_int_equal(xmppc__tls_write(t, "x", 1), XMPPC_ESTATE);
		assert_int_equal(xmppc__tls_close(t), XMPPC_ESTATE);
		assert_int_equal(xmppc__tls_info(t, &info), XMPPC_ESTATE);
		assert_int_equal(xmppc__tls_consume(t, 1), XMPPC_EINVAL);
		assert_int_equal(xmppc__tls_feed(t, NULL, 1), XMPPC_EINVAL);
		assert_int_equal(xmppc__tls_feed(t, NULL, 0), 0);
		assert_null(xmppc__tls_alpn(t, NULL));
	}
	xmppc__tls_free(t);
	xmppc__tls_free(NULL);
	assert_null(xmppc__tls_creds_unref(creds));
	assert_null(xmppc__tls_creds_unref(NULL));
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

/* ---- closing ---------------------------------------------------------------------- */

static void test_close_notify(void **state)
{
	static const char *const prios[] = {TLS12, TLS13};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		fx f = {0};
		tq got = {0};
		char buf[64];
		size_t n;

		fx_std(&f, &srv_ok, prios[i]);
		assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
		/* Ours: the server reads our data then EOF (0). */
		assert_int_equal(xmppc__tls_write(f.c, "bye", 3), 0);
		assert_int_equal(xmppc__tls_close(f.c), 0);
		assert_int_equal(xmppc__tls_close(f.c), 0);
		assert_int_equal(xmppc__tls_write(f.c, "more", 4), XMPPC_ESTATE);
		pump_c2s(f.c, &f.sv);
		assert_int_equal(srv_read_all(&f.sv, &got), 0);
		assert_int_equal(got.len, 3);
		/* The server's, after its last data: we read it, then CLOSED. */
		srv_write(&f.sv, "</stream:stream>", 16);
		assert_int_equal(gnutls_bye(f.sv.s, GNUTLS_SHUT_WR), 0);
		pump_s2c(&f.sv, f.c);
		got.len = 0;
		assert_int_equal(client_read_all(f.c, &got), XMPPC__TLS_CLOSED);
		assert_int_equal(got.len, 16);
		assert_int_equal(xmppc__tls_read(&n, f.c, buf, sizeof(buf)), XMPPC__TLS_CLOSED);
		/* The end of the connection after close_notify is no error. */
		assert_int_equal(xmppc__tls_feed_eof(f.c), 0);
		assert_int_equal(xmppc__tls_read(&n, f.c, buf, sizeof(buf)), XMPPC__TLS_CLOSED);
		assert_int_equal(xmppc__tls_feed(f.c, "x", 1), XMPPC_ESTATE);
		free(got.p);
		fx_done(&f);
	}
}

/* The connection ends without close_notify: after the data, or during the
 * handshake. */
static void test_truncation(void **state)
{
	fx f = {0};
	tq got = {0};

	(void)state;
	fx_std(&f, &srv_ok, TLS13);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	srv_write(&f.sv, "data", 4);
	pump_s2c(&f.sv, f.c);
	assert_int_equal(xmppc__tls_feed_eof(f.c), 0);
	assert_int_equal(client_read_all(f.c, &got), XMPPC_ETLS_CLOSED);
	assert_int_equal(got.len, 4);
	assert_true(xmppc_error_retryable(XMPPC_ETLS_CLOSED));
	free(got.p);
	fx_done(&f);

	/* Half a record, then EOF. */
	memset(&f, 0, sizeof(f));
	got = (tq){0};
	fx_std(&f, &srv_ok, TLS13);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	pump_s2c(&f.sv, f.c);
	srv_write(&f.sv, "data", 4);
	assert_int_equal(xmppc__tls_feed(f.c, f.sv.out.p, 10), 0);
	assert_int_equal(xmppc__tls_feed_eof(f.c), 0);
	assert_int_equal(client_read_all(f.c, &got), XMPPC_ETLS_CLOSED);
	assert_int_equal(got.len, 0);
	fx_done(&f);

	/* During the handshake. */
	memset(&f, 0, sizeof(f));
	fx_std(&f, &srv_ok, TLS13);
	assert_int_equal(xmppc__tls_handshake(f.c), XMPPC__TLS_WANT_READ);
	pump_c2s(f.c, &f.sv);
	srv_step(&f.sv);
	assert_int_equal(xmppc__tls_feed(f.c, f.sv.out.p, f.sv.out.len / 2), 0);
	assert_int_equal(xmppc__tls_handshake(f.c), XMPPC__TLS_WANT_READ);
	assert_int_equal(xmppc__tls_feed_eof(f.c), 0);
	assert_int_equal(xmppc__tls_handshake(f.c), XMPPC_ETLS_CLOSED);
	fx_done(&f);
}

/* ---- hostile input ---------------------------------------------------------------- */

static void test_garbage(void **state)
{
	static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	static const char xml[] = "<?xml version='1.0'?><stream:stream xmlns='jabber:client'>";
	unsigned char noise[512];
	size_t i;
	fx f = {0};
	tq got = {0};

	(void)state;
	/* Instead of a ServerHello. */
	{
		const char *g[] = {http, xml};

		for (i = 0; i < 2; i++) {
			memset(&f, 0, sizeof(f));
			fx_std(&f, &srv_ok, NULL);
			assert_int_equal(xmppc__tls_handshake(f.c), XMPPC__TLS_WANT_READ);
			assert_int_equal(xmppc__tls_feed(f.c, g[i], strlen(g[i])), 0);
			assert_int_equal(xmppc__tls_handshake(f.c), XMPPC_ETLS_HANDSHAKE);
			assert_true(xmppc__tls_error_text(f.c)[0] != '\0');
			fx_done(&f);
		}
	}
	/* Random bytes after the handshake. */
	for (i = 0; i < sizeof(noise); i++)
		noise[i] = (unsigned char)(i * 131 + 17);
	memset(&f, 0, sizeof(f));
	fx_std(&f, &srv_ok, TLS13);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	pump_s2c(&f.sv, f.c);
	assert_int_equal(xmppc__tls_feed(f.c, noise, sizeof(noise)), 0);
	assert_int_equal(client_read_all(f.c, &got), XMPPC_ETLS_RECORD);
	assert_int_equal(xmppc__tls_write(f.c, "x", 1), XMPPC_ETLS_RECORD);
	fx_done(&f);

	/* A record with one bit flipped: authentication fails. */
	{
		static const char *const prios[] = {TLS12, TLS13};
		size_t p;

		for (p = 0; p < 2; p++) {
			memset(&f, 0, sizeof(f));
			fx_std(&f, &srv_ok, prios[p]);
			assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
			pump_s2c(&f.sv, f.c);
			srv_write(&f.sv, stanza, sizeof(stanza) - 1);
			f.sv.out.p[f.sv.out.len - 3] ^= 0x10;
			pump_s2c(&f.sv, f.c);
			got.len = 0;
			assert_int_equal(client_read_all(f.c, &got), XMPPC_ETLS_RECORD);
			assert_int_equal(got.len, 0);
			/* We sent bad_record_mac. */
			{
				size_t n;
				assert_non_null(xmppc__tls_output(f.c, &n));
			}
			fx_done(&f);
		}
	}
	free(got.p);
}

/* A fatal alert from the server during the handshake: no common
 * protocol version. */
static void test_server_alert(void **state)
{
	fx f = {0};
	xmppc__tls_creds_options co = {0};

	(void)state;
	co.ca_pem = (const char *)ca.pem.data;
	co.ca_pem_len = ca.pem.size;
	co.priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
	fx_creds(&f, &co);
	fx_client(&f, NULL);
	fx_server(&f, &srv_ok, TLS12, 0);
	assert_int_equal(handshake(f.c, &f.sv, 65536), XMPPC_ETLS_HANDSHAKE);
	assert_non_null(strstr(xmppc__tls_error_text(f.c), "alert"));
	assert_true(xmppc_error_retryable(XMPPC_ETLS_HANDSHAKE));
	fx_done(&f);
}

/* ---- renegotiation and key update ------------------------------------------------- */

static void roundtrip(fx *f)
{
	tq got = {0};

	srv_write(&f->sv, "ping", 4);
	pump_s2c(&f->sv, f->c);
	assert_int_equal(client_read_all(f->c, &got), XMPPC__TLS_WANT_READ);
	assert_int_equal(got.len, 4);
	assert_memory_equal(got.p, "ping", 4);
	got.len = 0;
	assert_int_equal(xmppc__tls_write(f->c, "pong", 4), 0);
	pump_c2s(f->c, &f->sv);
	assert_int_equal(srv_read_all(&f->sv, &got), GNUTLS_E_AGAIN);
	assert_int_equal(got.len, 4);
	assert_memory_equal(got.p, "pong", 4);
	free(got.p);
}

static void test_renegotiation_refused(void **state)
{
	fx f = {0};
	tq got = {0};
	int r;

	(void)state;
	fx_std(&f, &srv_ok, TLS12);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	roundtrip(&f);
	assert_int_equal(gnutls_rehandshake(f.sv.s), 0);
	pump_s2c(&f.sv, f.c);
	assert_int_equal(client_read_all(f.c, &got), XMPPC__TLS_WANT_READ);
	assert_int_equal(got.len, 0);
	/* The server hears no_renegotiation and goes on. */
	pump_c2s(f.c, &f.sv);
	r = gnutls_handshake(f.sv.s);
	assert_int_equal(r, GNUTLS_E_WARNING_ALERT_RECEIVED);
	assert_int_equal(gnutls_alert_get(f.sv.s), GNUTLS_A_NO_RENEGOTIATION);
	roundtrip(&f);
	free(got.p);
	fx_done(&f);
}

static void test_key_update(void **state)
{
	fx f = {0};
	tq got = {0};

	(void)state;
	fx_std(&f, &srv_ok, TLS13);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	roundtrip(&f);
	/* The server updates its keys and asks us to update ours. */
	assert_int_equal(gnutls_session_key_update(f.sv.s, GNUTLS_KU_PEER), 0);
	pump_s2c(&f.sv, f.c);
	assert_int_equal(client_read_all(f.c, &got), XMPPC__TLS_WANT_READ);
	assert_int_equal(got.len, 0);
	/* GnuTLS answers with its own KeyUpdate in front of our next
	 * record: that write is bigger than the same write later. */
	{
		size_t n1, n2;

		assert_null(xmppc__tls_output(f.c, &n1));
		assert_int_equal(xmppc__tls_write(f.c, "pong", 4), 0);
		assert_non_null(xmppc__tls_output(f.c, &n1));
		pump_c2s(f.c, &f.sv);
		assert_int_equal(xmppc__tls_write(f.c, "pong", 4), 0);
		assert_non_null(xmppc__tls_output(f.c, &n2));
		pump_c2s(f.c, &f.sv);
		assert_true(n1 > n2);
		assert_int_equal(srv_read_all(&f.sv, &got), GNUTLS_E_AGAIN);
		assert_int_equal(got.len, 8);
	}
	roundtrip(&f);
	roundtrip(&f);
	free(got.p);
	fx_done(&f);
}

/* ---- allocation failures ---------------------------------------------------------- */

/* Fail each xmppc allocation in turn through a whole connection: creds,
 * filter, handshake, data both ways, close. (GnuTLS allocates with the C
 * library's malloc, outside the xmppc allocator: those are not failed
 * here.) Every failure is XMPPC_ENOMEM and nothing leaks. */
static int one_run(test_alloc *a, long fail_at, int *failed)
{
	xmppc__tls_creds_options co = {0};
	xmppc__tls_options o = {0};
	xmppc__tls_creds *creds = NULL;
	xmppc__tls *t = NULL;
	xmppc_ctx *ctx = test_ctx_new(a);
	char pin[64];
	const char *pins[1] = {pin};
	srv sv;
	int rc;
	tq got = {0};

	pin_of(&srv_self, pin);
	a->fail_at = a->calls + fail_at; /* the context's own allocation is not failed */
	srv_init(&sv, &srv_ok, TLS13, 0);
	co.ca_pem = (const char *)ca.pem.data;
	co.ca_pem_len = ca.pem.size;
	o.name = "example.com";
	o.pins = pins;
	o.n_pins = 1;
	rc = xmppc__tls_creds_new(&creds, ctx, &co);
	if (rc == 0)
		rc = xmppc__tls_new(&t, ctx, creds, &o);
	if (rc == 0) {
		rc = handshake(t, &sv, 100);
		if (rc == 0)
			assert_true(sv.done);
	}
	if (rc == 0) {
		pump_s2c(&sv, t);
		rc = xmppc__tls_write(t, stanza, sizeof(stanza) - 1);
	}
	if (rc == 0) {
		pump_c2s(t, &sv);
		assert_int_equal(srv_read_all(&sv, &got), GNUTLS_E_AGAIN);
		assert_int_equal(got.len, sizeof(stanza) - 1);
		srv_write(&sv, stanza, sizeof(stanza) - 1);
		{
			size_t half = sv.out.len / 2;

			rc = xmppc__tls_feed(t, sv.out.p, half);
			if (rc == 0)
				rc = xmppc__tls_feed(t, sv.out.p + half, sv.out.len - half);
		}
	}
	if (rc == 0) {
		got.len = 0;
		rc = client_read_all(t, &got);
		if (rc == XMPPC__TLS_WANT_READ) {
			assert_int_equal(got.len, sizeof(stanza) - 1);
			rc = xmppc__tls_close(t);
		}
	}
	if (rc != 0)
		assert_int_equal(rc, XMPPC_ENOMEM);
	*failed = rc != 0;
	xmppc__tls_free(t);
	xmppc__tls_creds_unref(creds);
	srv_fini(&sv);
	free(got.p);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a->live, 0);
	return rc;
}

static void test_alloc_failures(void **state)
{
	test_alloc a;
	long i;
	int failed = 1, n_failed = 0;

	(void)state;
	for (i = 1; failed && i < 500; i++) {
		one_run(&a, i, &failed);
		n_failed += failed;
	}
	assert_false(failed);
	print_message("allocation-failure runs: %d failed, run %ld passed\n", n_failed, i - 1);
	assert_true(n_failed >= 5);
}

/* A failed write leaves nothing half-done: repeat it and the server gets
 * the data once. */
static void test_write_enomem_retry(void **state)
{
	fx f = {0};
	tq got = {0};
	size_t n;

	(void)state;
	fx_std(&f, &srv_ok, TLS13);
	assert_int_equal(handshake(f.c, &f.sv, 65536), 0);
	f.a.fail_at = f.a.calls + 1;
	assert_int_equal(xmppc__tls_write(f.c, stanza, sizeof(stanza) - 1), XMPPC_ENOMEM);
	assert_null(xmppc__tls_output(f.c, &n));
	assert_int_equal(xmppc__tls_write(f.c, stanza, sizeof(stanza) - 1), 0);
	f.a.fail_at = 0;
	pump_c2s(f.c, &f.sv);
	assert_int_equal(srv_read_all(&f.sv, &got), GNUTLS_E_AGAIN);
	assert_int_equal(got.len, sizeof(stanza) - 1);
	/* A failed feed queues nothing. */
	srv_write(&f.sv, "abc", 3);
	f.a.fail_at = f.a.calls + 1;
	assert_int_equal(xmppc__tls_feed(f.c, f.sv.out.p, f.sv.out.len), XMPPC_ENOMEM);
	f.a.fail_at = 0;
	pump_s2c(&f.sv, f.c);
	got.len = 0;
	assert_int_equal(client_read_all(f.c, &got), XMPPC__TLS_WANT_READ);
	assert_int_equal(got.len, 3);
	free(got.p);
	fx_done(&f);
}

/* ---- memory ------------------------------------------------------------------------ */

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

/* Heap cost of established idle connections sharing one credentials
 * object: printed (DESIGN.md §6 wants tens of KiB per connection), with
 * only loose bounds checked since sanitizers and valgrind replace malloc. */
static void test_idle_memory(void **state)
{
	enum { N = 16 };
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc__tls_creds_options co = {0};
	xmppc__tls_creds *creds = NULL, *sys = NULL;
	xmppc__tls *t[N];
	srv sv[N];
	size_t before, after, sys_before, sys_after, ours;
	int i;

	(void)state;
	sys_before = heap_in_use();
	co.system_trust = 1;
	assert_int_equal(xmppc__tls_creds_new(&sys, ctx, &co), 0);
	sys_after = heap_in_use();
	memset(&co, 0, sizeof(co));
	co.ca_pem = (const char *)ca.pem.data;
	co.ca_pem_len = ca.pem.size;
	assert_int_equal(xmppc__tls_creds_new(&creds, ctx, &co), 0);
	/* Warm up GnuTLS's lazily built tables with one connection first. */
	{
		xmppc__tls_options o = {0};
		xmppc__tls *w;
		srv ws;

		o.name = "example.com";
		srv_init(&ws, &srv_ok, NULL, 0);
		assert_int_equal(xmppc__tls_new(&w, ctx, creds, &o), 0);
		assert_int_equal(handshake(w, &ws, 65536), 0);
		xmppc__tls_free(w);
		srv_fini(&ws);
	}
	before = heap_in_use();
	ours = a.bytes;
	for (i = 0; i < N; i++)
		srv_init(&sv[i], &srv_ok, i % 2 ? TLS12 : TLS13, 0);
	for (i = 0; i < N; i++) {
		xmppc__tls_options o = {0};
		tq got = {0};

		o.name = "example.com";
		assert_int_equal(xmppc__tls_new(&t[i], ctx, creds, &o), 0);
		assert_int_equal(handshake(t[i], &sv[i], 65536), 0);
		/* Some traffic both ways, then idle. */
		srv_write(&sv[i], stanza, sizeof(stanza) - 1);
		pump_s2c(&sv[i], t[i]);
		assert_int_equal(client_read_all(t[i], &got), XMPPC__TLS_WANT_READ);
		assert_int_equal(xmppc__tls_write(t[i], stanza, sizeof(stanza) - 1), 0);
		pump_c2s(t[i], &sv[i]);
		free(got.p);
	}
	/* The servers came after `before`: freeing them all leaves the
	 * clients' share. */
	for (i = 0; i < N; i++)
		srv_fini(&sv[i]);
	after = heap_in_use();
	ours = a.bytes - ours;
	ours /= N;
	if (sys_after > sys_before && after > before)
		print_message(
		    "TLS memory: system trust store %zu KiB (%u anchors, shared); per idle "
		    "connection %zu bytes of heap (GnuTLS + xmppc), of which xmppc %zu\n",
		    (sys_after - sys_before) / 1024, xmppc__tls_creds_trust_count(sys),
		    (after - before) / N, ours);
	else /* ASan and valgrind replace malloc: mallinfo2() sees nothing */
		print_message("TLS memory: xmppc %zu bytes per idle connection (heap total not "
		              "measurable with this malloc)\n",
		              ours);
	/* Our part: the filter struct, the name; the queues are empty. */
	assert_true(ours < 1024);
	for (i = 0; i < N; i++)
		xmppc__tls_free(t[i]);
	assert_null(xmppc__tls_creds_unref(creds));
	assert_null(xmppc__tls_creds_unref(sys));
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake_tls13),
	    cmocka_unit_test(test_handshake_tls12),
	    cmocka_unit_test(test_tls12_without_ems),
	    cmocka_unit_test(test_handshake_byte_by_byte),
	    cmocka_unit_test(test_alpn_direct_tls),
	    cmocka_unit_test(test_data_split_tls12),
	    cmocka_unit_test(test_data_split_tls13),
	    cmocka_unit_test(test_large_write),
	    cmocka_unit_test(test_name_mismatch),
	    cmocka_unit_test(test_untrusted),
	    cmocka_unit_test(test_expired),
	    cmocka_unit_test(test_xmpp_identities),
	    cmocka_unit_test(test_ip_literal),
	    cmocka_unit_test(test_pins),
	    cmocka_unit_test(test_ed25519_no_end_point),
	    cmocka_unit_test(test_hook),
	    cmocka_unit_test(test_client_cert),
	    cmocka_unit_test(test_creds_files_and_errors),
	    cmocka_unit_test(test_close_notify),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_server_alert),
	    cmocka_unit_test(test_renegotiation_refused),
	    cmocka_unit_test(test_key_update),
	    cmocka_unit_test(test_alloc_failures),
	    cmocka_unit_test(test_write_enomem_retry),
	    cmocka_unit_test(test_idle_memory),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
