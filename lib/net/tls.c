/* The sans-I/O TLS client filter on GnuTLS (see tls.h and doc/tls.md).
 *
 * GnuTLS reads and writes through our pull/push functions over two byte
 * queues, so no socket is involved and nothing blocks: pull reports EAGAIN
 * when the input queue is empty, push appends to the output queue and
 * never refuses. Both queues are freed whenever they drain, so an idle
 * connection holds no buffer of ours (DESIGN.md §6). */
#include "net/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/crypto.h>

#include "util/base64.h"
#include "util/buf.h"
#include "util/ctx.h"
#include <xmppc/error.h>

#define AREA "tls"

/* RFC 9266 §2: label, empty context, 32 bytes. */
#define EXPORTER_LABEL "EXPORTER-Channel-Binding"
#define EXPORTER_LEN   32

/* Output room reserved per record before xmppc__tls_write() encrypts, so
 * that the push inside GnuTLS cannot fail for memory. Covers the header
 * (5), an explicit IV or nonce (<= 16), a MAC or tag (<= 64) and CBC
 * padding (<= 256). */
#define RECORD_SLACK 512

/* ---- credentials --------------------------------------------------------- */

struct xmppc__tls_creds {
	unsigned refs; /* atomic */
	xmppc_ctx *ctx;
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	unsigned trust_count;
	int has_client_cert;
};

static int load_failed(xmppc_ctx *ctx, const char *what, int grc)
{
	XMPPC_LOG(ctx, XMPPC_LOG_ERROR, AREA, "cannot load %s: %s", what, gnutls_strerror(grc));
	return grc == GNUTLS_E_MEMORY_ERROR ? XMPPC_ENOMEM : XMPPC_ETLS_CONFIG;
}

static void creds_destroy(xmppc__tls_creds *c)
{
	xmppc_ctx *ctx = c->ctx;

	if (c->prio != NULL)
		gnutls_priority_deinit(c->prio);
	if (c->cred != NULL)
		gnutls_certificate_free_credentials(c->cred);
	xmppc__free(ctx, c);
	xmppc_ctx_unref(ctx);
}

int xmppc__tls_creds_new(xmppc__tls_creds **out, xmppc_ctx *ctx, const xmppc__tls_creds_options *o)
{
	xmppc__tls_creds *c;
	const char *err_pos = NULL;
	int grc, rc;

	if (out == NULL || ctx == NULL || o == NULL)
		return XMPPC_EINVAL;
	*out = NULL;
	if ((o->cert_file != NULL) != (o->key_file != NULL) ||
	    (o->cert_pem != NULL) != (o->key_pem != NULL) ||
	    (o->cert_file != NULL && o->cert_pem != NULL))
		return XMPPC_EINVAL;
	c = xmppc__calloc(ctx, 1, sizeof(*c));
	if (c == NULL)
		return XMPPC_ENOMEM;
	c->refs = 1;
	c->ctx = xmppc_ctx_ref(ctx);

	grc = gnutls_certificate_allocate_credentials(&c->cred);
	if (grc < 0) {
		c->cred = NULL;
		rc = load_failed(ctx, "credentials", grc);
		goto fail;
	}
	if (o->system_trust) {
		grc = gnutls_certificate_set_x509_system_trust(c->cred);
		if (grc < 0) {
			rc = load_failed(ctx, "the system trust store", grc);
			goto fail;
		}
		c->trust_count += (unsigned)grc;
	}
	if (o->ca_file != NULL) {
		grc = gnutls_certificate_set_x509_trust_file(c->cred, o->ca_file,
		                                             GNUTLS_X509_FMT_PEM);
		if (grc <= 0) {
			/* A CA file with no certificate in it is a mistake, not an
			 * empty trust list. */
			rc = load_failed(ctx, o->ca_file,
			                 grc < 0 ? grc : GNUTLS_E_NO_CERTIFICATE_FOUND);
			goto fail;
		}
		c->trust_count += (unsigned)grc;
	}
	if (o->ca_pem != NULL) {
		gnutls_datum_t d = {(unsigned char *)o->ca_pem, (unsigned)o->ca_pem_len};

		if (o->ca_pem_len > 0xffffffffu) {
			rc = XMPPC_EINVAL;
			goto fail;
		}
		grc = gnutls_certificate_set_x509_trust_mem(c->cred, &d, GNUTLS_X509_FMT_PEM);
		if (grc <= 0) {
			rc = load_failed(ctx, "the CA certificates",
			                 grc < 0 ? grc : GNUTLS_E_NO_CERTIFICATE_FOUND);
			goto fail;
		}
		c->trust_count += (unsigned)grc;
	}
	if (o->cert_file != NULL) {
		grc = gnutls_certificate_set_x509_key_file2(c->cred, o->cert_file, o->key_file,
		                                            GNUTLS_X509_FMT_PEM, NULL, 0);
		if (grc < 0) {
			rc = load_failed(ctx, "the client certificate or key", grc);
			goto fail;
		}
		c->has_client_cert = 1;
	} else if (o->cert_pem != NULL) {
		gnutls_datum_t cd = {(unsigned char *)o->cert_pem, (unsigned)o->cert_pem_len};
		gnutls_datum_t kd = {(unsigned char *)o->key_pem, (unsigned)o->key_pem_len};

		if (o->cert_pem_len > 0xffffffffu || o->key_pem_len > 0xffffffffu) {
			rc = XMPPC_EINVAL;
			goto fail;
		}
		grc = gnutls_certificate_set_x509_key_mem2(c->cred, &cd, &kd, GNUTLS_X509_FMT_PEM,
		                                           NULL, 0);
		if (grc < 0) {
			rc = load_failed(ctx, "the client certificate or key", grc);
			goto fail;
		}
		c->has_client_cert = 1;
	}
	grc = gnutls_priority_init2(
	    &c->prio, o->priority != NULL ? o->priority : XMPPC__TLS_DEFAULT_PRIORITY, &err_pos, 0);
	if (grc < 0) {
		c->prio = NULL;
		XMPPC_LOG(ctx, XMPPC_LOG_ERROR, AREA, "bad priority string at \"%s\"",
		          err_pos != NULL ? err_pos : "");
		rc = grc == GNUTLS_E_MEMORY_ERROR ? XMPPC_ENOMEM : XMPPC_ETLS_CONFIG;
		goto fail;
	}
	*out = c;
	return 0;
fail:
	creds_destroy(c);
	return rc;
}

xmppc__tls_creds *xmppc__tls_creds_ref(xmppc__tls_creds *c)
{
	if (c != NULL)
		__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

xmppc__tls_creds *xmppc__tls_creds_unref(xmppc__tls_creds *c)
{
	if (c == NULL || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return c;
	creds_destroy(c);
	return NULL;
}

unsigned xmppc__tls_creds_trust_count(const xmppc__tls_creds *c)
{
	return c != NULL ? c->trust_count : 0;
}

int xmppc__tls_creds_has_client_cert(const xmppc__tls_creds *c)
{
	return c != NULL && c->has_client_cert;
}

/* ---- byte queues ---------------------------------------------------------- */

/* A FIFO of bytes; the storage is freed whenever it drains. */
typedef struct {
	unsigned char *p;
	size_t off, len, cap;
} queue;

static void queue_free(const xmppc_ctx *ctx, queue *q)
{
	xmppc__free(ctx, q->p);
	memset(q, 0, sizeof(*q));
}

/* Make room for n more bytes at the end. */
static int queue_reserve(const xmppc_ctx *ctx, queue *q, size_t n)
{
	size_t need, cap;
	unsigned char *p;

	if (n > SIZE_MAX / 2 - q->len)
		return XMPPC_ENOMEM;
	if (q->off + q->len + n <= q->cap)
		return 0;
	need = q->len + n;
	if (need <= q->cap) { /* enough room once the consumed front is reclaimed */
		memmove(q->p, q->p + q->off, q->len);
		q->off = 0;
		return 0;
	}
	/* Grow geometrically, in 4 KiB steps: a 64 KiB read is one block. */
	cap = q->cap + q->cap / 2;
	if (cap < need)
		cap = need;
	cap = (cap + 4095) & ~(size_t)4095;
	p = xmppc__malloc(ctx, cap);
	if (p == NULL)
		return XMPPC_ENOMEM;
	if (q->len > 0)
		memcpy(p, q->p + q->off, q->len);
	xmppc__free(ctx, q->p);
	q->p = p;
	q->off = 0;
	q->cap = cap;
	return 0;
}

static int queue_put(const xmppc_ctx *ctx, queue *q, const void *data, size_t n)
{
	int rc = queue_reserve(ctx, q, n);

	if (rc != 0)
		return rc;
	memcpy(q->p + q->off + q->len, data, n);
	q->len += n;
	return 0;
}

static void queue_drop(const xmppc_ctx *ctx, queue *q, size_t n)
{
	q->off += n;
	q->len -= n;
	if (q->len == 0)
		queue_free(ctx, q);
}

/* ---- the filter ------------------------------------------------------------ */

enum { ST_NEW, ST_HANDSHAKE, ST_OPEN, ST_FAILED };

struct xmppc__tls {
	xmppc_ctx *ctx;
	xmppc__tls_creds *creds;
	gnutls_session_t s;
	queue in;  /* ciphertext fed, not yet pulled by GnuTLS */
	queue out; /* ciphertext pushed by GnuTLS, not yet consumed */
	int state;
	int eof;         /* feed_eof() was called */
	int peer_closed; /* close_notify received */
	int we_closed;   /* close_notify queued */
	int push_nomem;  /* the push function could not queue */
	int err;         /* the sticky fatal error */
	int verify_err;  /* set by the verify callback when it refused */
	int verified_by;
	char *name;
	unsigned char (*pins)[32];
	size_t n_pins;
	int pins_required;
	xmppc__tls_verify_fail_fn verify_fail;
	void *verify_ud;
	void (*verify_destroy)(void *);
	/* Channel-binding data, computed when the handshake completes. */
	unsigned tls_version;
	unsigned char cb[XMPPC_CB_TYPE_COUNT][64];
	size_t cb_len[XMPPC_CB_TYPE_COUNT];
	char errtext[160];
};

static void set_errtext(xmppc__tls *t, const char *text)
{
	snprintf(t->errtext, sizeof(t->errtext), "%s", text);
}

static ssize_t push_fn(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	xmppc__tls *t = ptr;

	if (queue_put(t->ctx, &t->out, data, len) != 0) {
		t->push_nomem = 1;
		gnutls_transport_set_errno(t->s, ENOMEM);
		return -1;
	}
	return (ssize_t)len;
}

static ssize_t pull_fn(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	xmppc__tls *t = ptr;

	if (t->in.len == 0) {
		if (t->eof)
			return 0;
		gnutls_transport_set_errno(t->s, EAGAIN);
		return -1;
	}
	if (len > t->in.len)
		len = t->in.len;
	memcpy(data, t->in.p + t->in.off, len);
	queue_drop(t->ctx, &t->in, len);
	return (ssize_t)len;
}

/* GnuTLS asks this only when a timeout is set on the session (none is);
 * answer without waiting in any case: the default would poll() on the
 * transport pointer as if it were a file descriptor. */
static int pull_timeout_fn(gnutls_transport_ptr_t ptr, unsigned ms)
{
	const xmppc__tls *t = ptr;

	(void)ms;
	return t->in.len > 0 || t->eof ? 1 : 0;
}

/* ---- certificate verification ------------------------------------------------ */

static int ascii_caseeq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 0x80 || y >= 0x80)
			return 0;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/* RFC 6120 §13.7.2.1 (and RFC 6125 §6) let an XMPP client accept, besides
 * a DNS-ID (which GnuTLS checks), an SRV-ID "_xmpp-client.<domain>"
 * (id-on-dnsSRV, RFC 4985) or an XmppAddr (id-on-xmppAddr) equal to the
 * domain. Only ASCII (A-label) values are compared: the names are matched
 * byte for byte, case-insensitively, no wildcards. */
static int xmpp_name_matches(gnutls_x509_crt_t crt, const char *name)
{
	static const char srv_prefix[] = "_xmpp-client.";
	size_t nlen = strlen(name), plen = sizeof(srv_prefix) - 1;
	unsigned char buf[300];
	unsigned i;

	for (i = 0; i < 64; i++) {
		size_t size = sizeof(buf);
		unsigned critical;
		int type = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &size, &critical);

		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue; /* longer than any domain */
		if (type < 0)
			break;
		/* GnuTLS decodes both otherNames (UTF8String and
		 * IA5String) for us. */
		if (type == GNUTLS_SAN_OTHERNAME_XMPP &&
		    ascii_caseeq((const char *)buf, size, name, nlen))
			return 1;
		if (type == GNUTLS_SAN_OTHERNAME_SRV && size == plen + nlen &&
		    ascii_caseeq((const char *)buf, plen, srv_prefix, plen) &&
		    ascii_caseeq((const char *)buf + plen, nlen, name, nlen))
			return 1;
	}
	return 0;
}

/* SHA-256 of the certificate's DER SubjectPublicKeyInfo (RFC 7469 §2.4). */
static int spki_sha256(const gnutls_datum_t *der, unsigned char out[32])
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t key = NULL;
	gnutls_datum_t spki = {NULL, 0};
	int ok = 0;

	if (gnutls_x509_crt_init(&crt) < 0)
		return 0;
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_pubkey_init(&key) >= 0 && gnutls_pubkey_import_x509(key, crt, 0) >= 0 &&
	    gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &spki) >= 0 &&
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data, spki.size, out) >= 0)
		ok = 1;
	gnutls_free(spki.data);
	if (key != NULL)
		gnutls_pubkey_deinit(key);
	gnutls_x509_crt_deinit(crt);
	return ok;
}

static int pin_matches(const xmppc__tls *t, const gnutls_datum_t *leaf)
{
	unsigned char h[32];
	size_t i;

	if (!spki_sha256(leaf, h))
		return 0;
	for (i = 0; i < t->n_pins; i++)
		if (memcmp(h, t->pins[i], 32) == 0)
			return 1;
	return 0;
}

/* Classify a failed GnuTLS verification status. Trust problems come
 * first: a self-signed certificate for another name is "untrusted", and
 * the hook is told the most fundamental reason. */
static int status_error(unsigned status)
{
	unsigned rest = status & ~(unsigned)GNUTLS_CERT_INVALID;

	if (rest & ~(unsigned)(GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED |
	                       GNUTLS_CERT_UNEXPECTED_OWNER))
		return XMPPC_ETLS_CERT_UNTRUSTED;
	if (rest & (GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED))
		return XMPPC_ETLS_CERT_EXPIRED;
	if (rest & GNUTLS_CERT_UNEXPECTED_OWNER)
		return XMPPC_ETLS_CERT_NAME;
	return XMPPC_ETLS_CERT_UNTRUSTED; /* INVALID alone */
}

/* The name to check: an IPv6 literal loses its brackets (GnuTLS matches
 * IP literals against iPAddress SANs). */
static void check_name(const xmppc__tls *t, char *buf, size_t cap)
{
	size_t n = strlen(t->name);

	if (n >= 2 && t->name[0] == '[' && t->name[n - 1] == ']' && n - 2 < cap) {
		memcpy(buf, t->name + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		snprintf(buf, cap, "%s", t->name);
	}
}

/* Runs inside gnutls_handshake() once the server's Certificate (and, on
 * TLS 1.3, CertificateVerify) has arrived. 0 accepts. */
static int verify_cb(gnutls_session_t s)
{
	xmppc__tls *t = gnutls_session_get_ptr(s);
	const gnutls_datum_t *certs;
	unsigned n = 0, status = 0;
	char name[300];
	gnutls_typed_vdata_st data[2];
	gnutls_datum_t text = {NULL, 0};
	const char *reason;
	int err, grc;

	certs = gnutls_certificate_get_peers(s, &n);
	if (certs == NULL || n == 0) {
		t->verify_err = XMPPC_ETLS_CERT_UNTRUSTED;
		set_errtext(t, "the server sent no certificate");
		return -1;
	}
	/* A pin names the key itself: it needs no chain and no name (like a
	 * DANE-EE record). */
	if (t->n_pins > 0 && pin_matches(t, &certs[0])) {
		t->verified_by = XMPPC__TLS_VERIFIED_PIN;
		return 0;
	}
	check_name(t, name, sizeof(name));
	memset(data, 0, sizeof(data));
	data[0].type = GNUTLS_DT_DNS_HOSTNAME;
	data[0].data = (unsigned char *)name;
	data[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	data[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	grc = gnutls_certificate_verify_peers(s, data, 2, &status);
	if (grc < 0) {
		err = XMPPC_ETLS_CERT_UNTRUSTED;
		reason = gnutls_strerror(grc);
	} else {
		if (status == (GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER)) {
			/* Trusted chain, no DNS-ID for the domain: try the
			 * XMPP-specific identifiers. */
			gnutls_x509_crt_t crt;

			if (gnutls_x509_crt_init(&crt) >= 0) {
				grc = gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER);
				if (grc >= 0 && xmpp_name_matches(crt, name))
					status = 0;
				gnutls_x509_crt_deinit(crt);
			}
		}
		if (status == 0 && (t->n_pins == 0 || !t->pins_required)) {
			t->verified_by = XMPPC__TLS_VERIFIED_CHAIN;
			return 0;
		}
		if (status == 0) {
			err = XMPPC_ETLS_PIN;
			reason = "the key matches no configured pin";
		} else {
			err = status_error(status);
			if (t->n_pins > 0 && t->pins_required)
				err = XMPPC_ETLS_PIN;
			reason = "verification failed";
			if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509,
			                                                 &text, 0) >= 0)
				reason = (const char *)text.data;
		}
	}
	set_errtext(t, reason);
	gnutls_free(text.data);
	XMPPC_LOG(t->ctx, XMPPC_LOG_WARN, AREA, "certificate for %s: %s", t->name, t->errtext);
	if (t->verify_fail != NULL && t->verify_fail(t->verify_ud, err, t->errtext, certs[0].data,
	                                             certs[0].size) == XMPPC__TLS_ACCEPT) {
		XMPPC_LOG(t->ctx, XMPPC_LOG_INFO, AREA, "certificate accepted by the hook");
		t->verified_by = XMPPC__TLS_VERIFIED_HOOK;
		t->errtext[0] = '\0';
		return 0;
	}
	t->verify_err = err;
	return -1;
}

/* ---- construction -------------------------------------------------------- */

static int is_ip_literal(const char *name)
{
	unsigned char bin[16];
	char tmp[64];
	size_t n = strlen(name);

	if (n >= 2 && name[0] == '[' && name[n - 1] == ']' && n - 2 < sizeof(tmp)) {
		memcpy(tmp, name + 1, n - 2);
		tmp[n - 2] = '\0';
		return inet_pton(AF_INET6, tmp, bin) == 1;
	}
	return inet_pton(AF_INET, name, bin) == 1 || inet_pton(AF_INET6, name, bin) == 1;
}

static int decode_pins(xmppc__tls *t, const xmppc__tls_options *o)
{
	xmppc_buf b;
	size_t i;
	int rc = 0;

	if (o->n_pins == 0)
		return 0;
	if (o->pins == NULL || o->n_pins > SIZE_MAX / 32)
		return XMPPC_EINVAL;
	t->pins = xmppc__malloc(t->ctx, o->n_pins * 32);
	if (t->pins == NULL)
		return XMPPC_ENOMEM;
	xmppc__buf_init(&b, t->ctx);
	for (i = 0; i < o->n_pins && rc == 0; i++) {
		xmppc_buf_clear(&b);
		if (o->pins[i] == NULL) {
			rc = XMPPC_EINVAL;
			break;
		}
		rc = xmppc__base64_decode(&b, o->pins[i], strlen(o->pins[i]));
		if (rc == XMPPC_EBASE64 || (rc == 0 && b.len != 32))
			rc = XMPPC_EINVAL;
		if (rc == 0)
			memcpy(t->pins[i], b.data + b.off, 32);
	}
	xmppc__buf_fini(&b);
	t->n_pins = o->n_pins;
	return rc;
}

static int gnutls_setup_failed(xmppc__tls *t, const char *what, int grc)
{
	XMPPC_LOG(t->ctx, XMPPC_LOG_ERROR, AREA, "%s: %s", what, gnutls_strerror(grc));
	return grc == GNUTLS_E_MEMORY_ERROR ? XMPPC_ENOMEM : XMPPC_ETLS_CONFIG;
}

int xmppc__tls_new(xmppc__tls **out, xmppc_ctx *ctx, xmppc__tls_creds *creds,
                   const xmppc__tls_options *o)
{
	xmppc__tls *t;
	int rc, grc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || ctx == NULL || creds == NULL || o == NULL || o->name == NULL ||
	    o->name[0] == '\0' || strlen(o->name) > 255 ||
	    (o->alpn != NULL && (o->alpn[0] == '\0' || strlen(o->alpn) > 255))) {
		if (o != NULL && o->verify_destroy != NULL)
			o->verify_destroy(o->verify_ud);
		return XMPPC_EINVAL;
	}
	t = xmppc__calloc(ctx, 1, sizeof(*t));
	if (t == NULL) {
		if (o->verify_destroy != NULL)
			o->verify_destroy(o->verify_ud);
		return XMPPC_ENOMEM;
	}
	t->ctx = xmppc_ctx_ref(ctx);
	t->creds = xmppc__tls_creds_ref(creds);
	t->verify_fail = o->verify_fail;
	t->verify_ud = o->verify_ud;
	t->verify_destroy = o->verify_destroy;
	t->pins_required = o->pins_required;
	t->name = xmppc__strndup(ctx, o->name, strlen(o->name));
	if (t->name == NULL) {
		rc = XMPPC_ENOMEM;
		goto fail;
	}
	if ((rc = decode_pins(t, o)) != 0)
		goto fail;

	/* No session tickets: we never resume (so there is nothing to keep,
	 * and tls-unique stays safe from the triple handshake). */
	grc = gnutls_init(&t->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS);
	if (grc < 0) {
		t->s = NULL;
		rc = gnutls_setup_failed(t, "gnutls_init", grc);
		goto fail;
	}
	gnutls_session_set_ptr(t->s, t);
	gnutls_transport_set_ptr(t->s, t);
	gnutls_transport_set_push_function(t->s, push_fn);
	gnutls_transport_set_pull_function(t->s, pull_fn);
	gnutls_transport_set_pull_timeout_function(t->s, pull_timeout_fn);
	/* The connection driver owns the clock (negotiation timeout). */
	gnutls_handshake_set_timeout(t->s, 0);
	if ((grc = gnutls_priority_set(t->s, creds->prio)) < 0 ||
	    (grc = gnutls_credentials_set(t->s, GNUTLS_CRD_CERTIFICATE, creds->cred)) < 0) {
		rc = gnutls_setup_failed(t, "session setup", grc);
		goto fail;
	}
	gnutls_session_set_verify_function(t->s, verify_cb);
	if (!is_ip_literal(t->name)) {
		/* RFC 6066 §3: SNI carries DNS names only. */
		grc = gnutls_server_name_set(t->s, GNUTLS_NAME_DNS, t->name, strlen(t->name));
		if (grc < 0) {
			rc = gnutls_setup_failed(t, "SNI", grc);
			goto fail;
		}
	}
	if (o->alpn != NULL) {
		gnutls_datum_t p = {(unsigned char *)o->alpn, (unsigned)strlen(o->alpn)};

		grc = gnutls_alpn_set_protocols(t->s, &p, 1, 0);
		if (grc < 0) {
			rc = gnutls_setup_failed(t, "ALPN", grc);
			goto fail;
		}
	}
	t->state = ST_NEW;
	*out = t;
	return 0;
fail:
	xmppc__tls_free(t);
	return rc;
}

void xmppc__tls_free(xmppc__tls *t)
{
	xmppc_ctx *ctx;

	if (t == NULL)
		return;
	ctx = t->ctx;
	if (t->s != NULL)
		gnutls_deinit(t->s);
	if (t->verify_destroy != NULL)
		t->verify_destroy(t->verify_ud);
	queue_free(ctx, &t->in);
	queue_free(ctx, &t->out);
	xmppc__free(ctx, t->pins);
	xmppc__free(ctx, t->name);
	xmppc__tls_creds_unref(t->creds);
	xmppc__free(ctx, t);
	xmppc_ctx_unref(ctx);
}

/* ---- I/O ------------------------------------------------------------------ */

int xmppc__tls_feed(xmppc__tls *t, const void *data, size_t len)
{
	if (t == NULL || (data == NULL && len > 0))
		return XMPPC_EINVAL;
	if (t->state == ST_FAILED)
		return t->err;
	if (t->eof)
		return XMPPC_ESTATE;
	if (len == 0)
		return 0;
	return queue_put(t->ctx, &t->in, data, len);
}

int xmppc__tls_feed_eof(xmppc__tls *t)
{
	if (t == NULL)
		return XMPPC_EINVAL;
	t->eof = 1;
	return 0;
}

const void *xmppc__tls_output(const xmppc__tls *t, size_t *len)
{
	if (t == NULL || t->out.len == 0) {
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	if (len != NULL)
		*len = t->out.len;
	return t->out.p + t->out.off;
}

int xmppc__tls_consume(xmppc__tls *t, size_t n)
{
	if (t == NULL || n > t->out.len)
		return XMPPC_EINVAL;
	if (n > 0)
		queue_drop(t->ctx, &t->out, n);
	return 0;
}

/* Enter the failed state with err; text from GnuTLS unless set already. */
static int fail(xmppc__tls *t, int err, int grc)
{
	if (t->errtext[0] == '\0') {
		if (grc == GNUTLS_E_FATAL_ALERT_RECEIVED || grc == GNUTLS_E_WARNING_ALERT_RECEIVED)
			snprintf(t->errtext, sizeof(t->errtext), "the server sent the alert \"%s\"",
			         gnutls_alert_get_name(gnutls_alert_get(t->s)));
		else if (grc != 0)
			set_errtext(t, gnutls_strerror(grc));
	}
	t->state = ST_FAILED;
	t->err = err;
	XMPPC_LOG(t->ctx, XMPPC_LOG_WARN, AREA, "%s: %s", xmppc_error_name(err), t->errtext);
	return err;
}

/* Map a fatal GnuTLS error to ours. */
static int map_error(xmppc__tls *t, int grc, int handshake)
{
	if (t->push_nomem || grc == GNUTLS_E_MEMORY_ERROR)
		return XMPPC_ENOMEM;
	if (handshake && t->verify_err != 0)
		return t->verify_err;
	if (t->eof && (grc == GNUTLS_E_PREMATURE_TERMINATION || grc == GNUTLS_E_PULL_ERROR ||
	               grc == GNUTLS_E_UNEXPECTED_PACKET_LENGTH))
		return XMPPC_ETLS_CLOSED;
	if (handshake &&
	    (grc == GNUTLS_E_CERTIFICATE_ERROR || grc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR))
		return XMPPC_ETLS_CERT_UNTRUSTED;
	return handshake ? XMPPC_ETLS_HANDSHAKE : XMPPC_ETLS_RECORD;
}

/* Tell the server why we stop, when it makes sense: not after its own
 * fatal alert or the end of the connection. The alert lands in the output
 * queue; the driver may send it before closing. */
static void send_alert(xmppc__tls *t, int grc)
{
	if (grc == GNUTLS_E_FATAL_ALERT_RECEIVED || t->eof || t->push_nomem)
		return;
	(void)gnutls_alert_send_appropriate(t->s, grc);
}

static unsigned wire_version(gnutls_protocol_t v)
{
	switch (v) {
	case GNUTLS_TLS1_0:
		return 0x0301;
	case GNUTLS_TLS1_1:
		return 0x0302;
	case GNUTLS_TLS1_2:
		return 0x0303;
	case GNUTLS_TLS1_3:
		return 0x0304;
	default:
		return 0;
	}
}

/* RFC 5929 §4.1: the hash of the server's certificate, with the hash of
 * its signature algorithm, SHA-256 in place of MD5 or SHA-1. Undefined
 * (so not offered) when the signature uses no single hash (EdDSA). */
static void server_end_point(xmppc__tls *t)
{
	const gnutls_datum_t *certs;
	gnutls_x509_crt_t crt;
	gnutls_digest_algorithm_t dig = GNUTLS_DIG_UNKNOWN;
	unsigned n = 0;
	int sig;

	certs = gnutls_certificate_get_peers(t->s, &n);
	if (certs == NULL || n == 0 || gnutls_x509_crt_init(&crt) < 0)
		return;
	if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) >= 0 &&
	    (sig = gnutls_x509_crt_get_signature_algorithm(crt)) >= 0) {
		gnutls_pk_algorithm_t pk =
		    gnutls_sign_get_pk_algorithm((gnutls_sign_algorithm_t)sig);

		if (pk != GNUTLS_PK_EDDSA_ED25519 && pk != GNUTLS_PK_EDDSA_ED448)
			dig = gnutls_sign_get_hash_algorithm((gnutls_sign_algorithm_t)sig);
	}
	gnutls_x509_crt_deinit(crt);
	if (dig == GNUTLS_DIG_MD5 || dig == GNUTLS_DIG_SHA1)
		dig = GNUTLS_DIG_SHA256;
	if (dig == GNUTLS_DIG_UNKNOWN || gnutls_hash_get_len(dig) == 0 ||
	    gnutls_hash_get_len(dig) > sizeof(t->cb[0]))
		return;
	if (gnutls_hash_fast(dig, certs[0].data, certs[0].size,
	                     t->cb[XMPPC_CB_TLS_SERVER_END_POINT]) < 0)
		return;
	t->cb_len[XMPPC_CB_TLS_SERVER_END_POINT] = gnutls_hash_get_len(dig);
}

static void compute_bindings(xmppc__tls *t)
{
	gnutls_datum_t d = {NULL, 0};

	t->tls_version = wire_version(gnutls_protocol_get_version(t->s));
	/* tls-unique (RFC 5929 §3.1): the first Finished message; undefined
	 * on TLS 1.3 (RFC 8446 §C.5, RFC 9266 §3). */
	if (t->tls_version < 0x0304 &&
	    gnutls_session_channel_binding(t->s, GNUTLS_CB_TLS_UNIQUE, &d) >= 0) {
		if (d.size > 0 && d.size <= sizeof(t->cb[0])) {
			memcpy(t->cb[XMPPC_CB_TLS_UNIQUE], d.data, d.size);
			t->cb_len[XMPPC_CB_TLS_UNIQUE] = d.size;
		}
		gnutls_free(d.data);
	}
	/* tls-exporter (RFC 9266 §2): needs unique master secrets, i.e.
	 * TLS 1.3, or TLS 1.2 with the extended master secret (RFC 7627).
	 * The context is present and empty (RFC 5705 §4: on TLS 1.2 that
	 * adds a zero length to the seed; on TLS 1.3 it makes no difference). */
	if (t->tls_version >= 0x0304 || gnutls_session_ext_master_secret_status(t->s)) {
		if (gnutls_prf_rfc5705(t->s, sizeof(EXPORTER_LABEL) - 1, EXPORTER_LABEL, 0, "",
		                       EXPORTER_LEN, (char *)t->cb[XMPPC_CB_TLS_EXPORTER]) >= 0)
			t->cb_len[XMPPC_CB_TLS_EXPORTER] = EXPORTER_LEN;
	}
	server_end_point(t);
}

int xmppc__tls_handshake(xmppc__tls *t)
{
	size_t before;
	int grc, stall = 0, nonfatal = 0;

	if (t == NULL)
		return XMPPC_EINVAL;
	if (t->state == ST_FAILED)
		return t->err;
	if (t->state == ST_OPEN)
		return 0;
	t->state = ST_HANDSHAKE;
	for (;;) {
		before = t->in.len;
		grc = gnutls_handshake(t->s);
		if (grc == 0)
			break;
		if (grc == GNUTLS_E_AGAIN) {
			if (t->push_nomem)
				return fail(t, XMPPC_ENOMEM, 0);
			if (t->in.len > 0 && (t->in.len != before || ++stall < 4))
				continue;
			if (t->eof && t->in.len == 0)
				return fail(t, XMPPC_ETLS_CLOSED, 0);
			return XMPPC__TLS_WANT_READ;
		}
		/* A warning alert (e.g. unrecognized_name on TLS 1.2) does not
		 * stop the handshake; GnuTLS asks to be called again. */
		if ((grc == GNUTLS_E_INTERRUPTED || grc == GNUTLS_E_WARNING_ALERT_RECEIVED ||
		     grc == GNUTLS_E_GOT_APPLICATION_DATA) &&
		    ++nonfatal < 16)
			continue;
		{
			int err = map_error(t, grc, 1);

			send_alert(t, grc);
			if (t->eof && t->errtext[0] == '\0' && err == XMPPC_ETLS_CLOSED)
				set_errtext(t, "the connection ended during the TLS handshake");
			return fail(t, err, grc);
		}
	}
	compute_bindings(t);
	t->state = ST_OPEN;
	if (t->ctx->log_fn != NULL && t->ctx->log_level >= XMPPC_LOG_INFO) {
		char *desc = gnutls_session_get_desc(t->s);

		XMPPC_LOG(t->ctx, XMPPC_LOG_INFO, AREA, "established with %s: %s", t->name,
		          desc != NULL ? desc : "?");
		gnutls_free(desc);
	}
	return 0;
}

int xmppc__tls_handshake_done(const xmppc__tls *t)
{
	return t != NULL && t->state == ST_OPEN;
}

int xmppc__tls_read(size_t *n, xmppc__tls *t, void *buf, size_t cap)
{
	size_t before;
	ssize_t r;
	int stall = 0;

	if (n != NULL)
		*n = 0;
	if (n == NULL || t == NULL || (buf == NULL && cap > 0) || cap == 0)
		return XMPPC_EINVAL;
	if (t->state == ST_FAILED)
		return t->err;
	if (t->state != ST_OPEN)
		return XMPPC_ESTATE;
	if (t->peer_closed)
		return XMPPC__TLS_CLOSED;
	for (;;) {
		before = t->in.len;
		r = gnutls_record_recv(t->s, buf, cap);
		if (r > 0) {
			*n = (size_t)r;
			return 0;
		}
		if (r == 0) {
			t->peer_closed = 1;
			return XMPPC__TLS_CLOSED;
		}
		switch (r) {
		case GNUTLS_E_AGAIN:
			if (t->push_nomem) /* a KeyUpdate answer could not be queued */
				return fail(t, XMPPC_ENOMEM, 0);
			/* GnuTLS also says AGAIN right after a post-handshake
			 * message (KeyUpdate, NewSessionTicket) with input left:
			 * go on while it consumes. */
			if (t->in.len > 0 && (t->in.len != before || ++stall < 4))
				continue;
			if (t->eof && t->in.len == 0) {
				set_errtext(t, "the connection ended without close_notify");
				return fail(t, XMPPC_ETLS_CLOSED, 0);
			}
			return XMPPC__TLS_WANT_READ;
		case GNUTLS_E_INTERRUPTED:
			continue;
		case GNUTLS_E_REHANDSHAKE:
			/* TLS 1.2 HelloRequest: refuse renegotiation (it would
			 * change the peer and the channel bindings under the
			 * session's feet). RFC 5246 §7.2.2: a no_renegotiation
			 * warning; the connection goes on. */
			XMPPC_LOG(t->ctx, XMPPC_LOG_INFO, AREA, "renegotiation refused");
			(void)gnutls_alert_send(t->s, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
			if (t->push_nomem)
				return fail(t, XMPPC_ENOMEM, 0);
			continue;
		case GNUTLS_E_WARNING_ALERT_RECEIVED:
			XMPPC_LOG(t->ctx, XMPPC_LOG_INFO, AREA, "warning alert \"%s\" ignored",
			          gnutls_alert_get_name(gnutls_alert_get(t->s)));
			continue;
		default:
			/* Any other non-fatal code: retry, but not forever. */
			if (!gnutls_error_is_fatal((int)r) && ++stall < 16)
				continue;
			{
				int err = map_error(t, (int)r, 0);

				send_alert(t, (int)r);
				return fail(t, err, (int)r);
			}
		}
	}
}

int xmppc__tls_write(xmppc__tls *t, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t max, records;
	ssize_t r;
	int rc;

	if (t == NULL || (data == NULL && len > 0))
		return XMPPC_EINVAL;
	if (t->state == ST_FAILED)
		return t->err;
	if (t->state != ST_OPEN || t->we_closed)
		return XMPPC_ESTATE;
	if (len == 0)
		return 0;
	max = gnutls_record_get_max_size(t->s);
	if (max == 0 || max > 16384)
		max = 16384;
	/* Reserve the whole result first: then the pushes cannot fail, and
	 * a failure here leaves nothing half-written. */
	records = len / max + 1;
	if (records > (SIZE_MAX - len) / RECORD_SLACK)
		return XMPPC_ENOMEM;
	rc = queue_reserve(t->ctx, &t->out, len + records * RECORD_SLACK);
	if (rc != 0)
		return rc;
	while (len > 0) {
		r = gnutls_record_send(t->s, p, len < max ? len : max);
		if (r == GNUTLS_E_INTERRUPTED)
			continue;
		if (r < 0) {
			/* GNUTLS_E_AGAIN only if a push failed. */
			int err = map_error(t, (int)r, 0);

			return fail(t, err, (int)r);
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int xmppc__tls_close(xmppc__tls *t)
{
	int grc;

	if (t == NULL)
		return XMPPC_EINVAL;
	if (t->state == ST_FAILED)
		return t->err;
	if (t->state != ST_OPEN)
		return XMPPC_ESTATE;
	if (t->we_closed)
		return 0;
	/* SHUT_WR: queue our close_notify without waiting for the server's
	 * (which read() reports as XMPPC__TLS_CLOSED). */
	do
		grc = gnutls_bye(t->s, GNUTLS_SHUT_WR);
	while (grc == GNUTLS_E_INTERRUPTED);
	if (grc < 0)
		return fail(t, map_error(t, grc, 0), grc);
	t->we_closed = 1;
	return 0;
}

int xmppc__tls_info(const xmppc__tls *t, xmppc_tls_info *out)
{
	int i;

	if (t == NULL || out == NULL)
		return XMPPC_EINVAL;
	if (t->state != ST_OPEN)
		return XMPPC_ESTATE;
	memset(out, 0, sizeof(*out));
	out->version = XMPPC_TLS_INFO_VERSION;
	out->tls_version = t->tls_version;
	out->peer_verified = t->verified_by != XMPPC__TLS_VERIFIED_NONE;
	for (i = 1; i < XMPPC_CB_TYPE_COUNT; i++) {
		if (t->cb_len[i] == 0)
			continue;
		out->cb_data[i] = t->cb[i];
		out->cb_len[i] = t->cb_len[i];
	}
	return 0;
}

int xmppc__tls_verified_by(const xmppc__tls *t)
{
	return t != NULL ? t->verified_by : XMPPC__TLS_VERIFIED_NONE;
}

const char *xmppc__tls_alpn(const xmppc__tls *t, size_t *len)
{
	gnutls_datum_t p;

	if (len != NULL)
		*len = 0;
	if (t == NULL || t->state != ST_OPEN || gnutls_alpn_get_selected_protocol(t->s, &p) < 0)
		return NULL;
	if (len != NULL)
		*len = p.size;
	return (const char *)p.data;
}

int xmppc__tls_error(const xmppc__tls *t)
{
	return t != NULL ? t->err : XMPPC_EINVAL;
}

const char *xmppc__tls_error_text(const xmppc__tls *t)
{
	return t != NULL ? t->errtext : "";
}
