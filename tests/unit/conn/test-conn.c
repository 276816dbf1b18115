/* The connection driver (lib/net/conn*.c) against scripted in-process
 * XMPP servers on 127.0.0.1. The servers are non-blocking and driven from
 * the same poll() loop as the client (xmppc_conn_get_pollfds(), a fake
 * loop on the io hooks, or xmppc_loop with a server step in between), so
 * no threads are involved. TLS servers use GnuTLS with certificates made
 * at test time.
 *
 * Not covered here: Happy Eyeballs between several addresses (that needs a
 * name with two addresses; the interop suite does it with dnsmasq). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "testutil.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <xmppc/conn.h>
#include <xmppc/loop.h>

#define JID "user@example.com"
#define DOMAIN "example.com"
#define MAX_CLIENTS 6
#define STEP_MS 20

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- certificates ---------------------------------------------------------- */

typedef struct {
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_datum_t pem, key_pem;
	char pin[64]; /* base64(SHA-256(SPKI)) */
} keypair;

static keypair ca, srv_ok, srv_wrong, srv_self;
static char ca_path[256];

static void b64(const unsigned char *in, size_t n, char *out)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		out[o++] = t[v >> 18], out[o++] = t[(v >> 12) & 63], out[o++] = t[(v >> 6) & 63],
		out[o++] = t[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)in[i] << 16;
		out[o++] = t[v >> 18], out[o++] = t[(v >> 12) & 63], out[o++] = '=', out[o++] = '=';
	} else if (n - i == 2) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		out[o++] = t[v >> 18], out[o++] = t[(v >> 12) & 63], out[o++] = t[(v >> 6) & 63],
		out[o++] = '=';
	}
	out[o] = '\0';
}

static void make_cert(keypair *kp, const char *name, int is_ca, const keypair *issuer)
{
	time_t now = time(NULL);
	unsigned char serial[8], id[64], h[32];
	size_t idlen;
	gnutls_pubkey_t pub;
	gnutls_datum_t spki;

	memset(kp, 0, sizeof(*kp));
	assert_int_equal(gnutls_x509_privkey_init(&kp->key), 0);
	assert_int_equal(gnutls_x509_privkey_generate(kp->key, GNUTLS_PK_ECDSA,
	                                              GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
	                 0);
	assert_int_equal(gnutls_x509_crt_init(&kp->crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(kp->crt, 3), 0);
	assert_int_equal(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)), 0);
	serial[0] &= 0x7f;
	assert_int_equal(gnutls_x509_crt_set_serial(kp->crt, serial, sizeof(serial)), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(kp->crt, now - 86400), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(kp->crt, now + 30 * 86400), 0);
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(kp->crt, GNUTLS_OID_X520_COMMON_NAME, 0, name,
	                                               (unsigned)strlen(name)),
	                 0);
	assert_int_equal(gnutls_x509_crt_set_key(kp->crt, kp->key), 0);
	if (!is_ca) {
		assert_int_equal(gnutls_x509_crt_set_subject_alt_name(kp->crt, GNUTLS_SAN_DNSNAME, name,
		                                                      (unsigned)strlen(name),
		                                                      GNUTLS_FSAN_APPEND),
		                 0);
		assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(kp->crt, GNUTLS_KP_TLS_WWW_SERVER, 0), 0);
		assert_int_equal(gnutls_x509_crt_set_key_usage(kp->crt, GNUTLS_KEY_DIGITAL_SIGNATURE), 0);
	} else {
		assert_int_equal(gnutls_x509_crt_set_key_usage(kp->crt, GNUTLS_KEY_KEY_CERT_SIGN |
		                                                            GNUTLS_KEY_CRL_SIGN),
		                 0);
	}
	assert_int_equal(gnutls_x509_crt_set_basic_constraints(kp->crt, is_ca, -1), 0);
	idlen = sizeof(id);
	assert_int_equal(gnutls_x509_crt_get_key_id(kp->crt, 0, id, &idlen), 0);
	assert_int_equal(gnutls_x509_crt_set_subject_key_id(kp->crt, id, idlen), 0);
	if (issuer != NULL) {
		idlen = sizeof(id);
		assert_int_equal(gnutls_x509_crt_get_subject_key_id(issuer->crt, id, &idlen, NULL), 0);
		assert_int_equal(gnutls_x509_crt_set_authority_key_id(kp->crt, id, idlen), 0);
		assert_int_equal(gnutls_x509_crt_sign2(kp->crt, issuer->crt, issuer->key, GNUTLS_DIG_SHA256, 0), 0);
	} else {
		assert_int_equal(gnutls_x509_crt_sign2(kp->crt, kp->crt, kp->key, GNUTLS_DIG_SHA256, 0), 0);
	}
	assert_int_equal(gnutls_x509_crt_export2(kp->crt, GNUTLS_X509_FMT_PEM, &kp->pem), 0);
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(kp->key, GNUTLS_X509_FMT_PEM, NULL,
	                                                   GNUTLS_PKCS_PLAIN, &kp->key_pem),
	                 0);
	/* the pin: SHA-256 of the DER SubjectPublicKeyInfo, base64 */
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_x509(pub, kp->crt, 0), 0);
	assert_int_equal(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki), 0);
	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data, spki.size, h), 0);
	b64(h, 32, kp->pin);
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(pub);
}

static void free_cert(keypair *kp)
{
	gnutls_free(kp->pem.data);
	gnutls_free(kp->key_pem.data);
	gnutls_x509_crt_deinit(kp->crt);
	gnutls_x509_privkey_deinit(kp->key);
}

static int group_setup(void **state)
{
	int fd;
	(void)state;

	make_cert(&ca, "xmppc conn test CA", 1, NULL);
	make_cert(&srv_ok, DOMAIN, 0, &ca);
	make_cert(&srv_wrong, "wrong.example", 0, &ca);
	make_cert(&srv_self, DOMAIN, 0, NULL);
	snprintf(ca_path, sizeof(ca_path), "/tmp/xmppc-conn-ca-XXXXXX");
	fd = mkstemp(ca_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, ca.pem.data, ca.pem.size), (ssize_t)ca.pem.size);
	close(fd);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(ca_path);
	free_cert(&ca);
	free_cert(&srv_ok);
	free_cert(&srv_wrong);
	free_cert(&srv_self);
	return 0;
}

/* ---- the scripted server ------------------------------------------------------ */

typedef enum {
	MODE_NORMAL,          /* PLAIN, bind */
	MODE_CLOSE_AFTER_HEADER, /* TCP closed once the client's header came */
	MODE_REDIRECT,        /* see-other-host to redirect_port */
	MODE_STARTTLS,        /* STARTTLS required, then PLAIN, bind */
	MODE_DIRECT_TLS,      /* TLS from the first byte */
	MODE_SILENT           /* accepts and reads, never answers */
} srv_mode;

enum { PH_HEADER, PH_STARTTLS, PH_AUTH, PH_BIND, PH_READY, PH_DONE };

typedef struct {
	int fd;
	int phase;
	int secured, authed;
	gnutls_session_t tls;
	int handshaking;
	char *in;
	size_t in_len;
	char *out;
	size_t out_len;
	int close_after_flush;
} sclient;

typedef struct {
	int lfd;
	unsigned port;
	srv_mode mode;
	unsigned redirect_port;
	int no_read;           /* back-pressure: leave the socket alone */
	const char *on_ready;  /* sent right after the bind result */
	const keypair *cert;
	gnutls_certificate_credentials_t creds;
	sclient cl[MAX_CLIENTS];
	int accepted;
	int closes_seen;       /* </stream:stream> received */
	int tls_failures;      /* handshakes that failed */
	char *log;             /* every plaintext byte received, all clients */
	size_t log_len;
} srv;

static void append(char **buf, size_t *len, const char *p, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	assert_non_null(*buf);
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static void srv_start(srv *s, srv_mode mode)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < MAX_CLIENTS; i++)
		s->cl[i].fd = -1;
	s->mode = mode;
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->lfd, 8), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sa, &len), 0);
	s->port = ntohs(sa.sin_port);
	s->log = calloc(1, 1);
}

static void srv_use_cert(srv *s, const keypair *kp)
{
	s->cert = kp;
	assert_int_equal(gnutls_certificate_allocate_credentials(&s->creds), 0);
	assert_int_equal(gnutls_certificate_set_x509_key_mem(s->creds, &kp->pem, &kp->key_pem,
	                                                     GNUTLS_X509_FMT_PEM),
	                 0);
}

static void cl_close(sclient *c)
{
	if (c->tls != NULL) {
		gnutls_deinit(c->tls);
		c->tls = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->in);
	free(c->out);
	c->in = c->out = NULL;
	c->in_len = c->out_len = 0;
}

static void srv_stop(srv *s)
{
	int i;

	for (i = 0; i < MAX_CLIENTS; i++)
		cl_close(&s->cl[i]);
	if (s->lfd >= 0)
		close(s->lfd);
	s->lfd = -1;
	if (s->creds != NULL)
		gnutls_certificate_free_credentials(s->creds);
	s->creds = NULL;
	free(s->log);
	s->log = NULL;
}

static void cl_queue(sclient *c, const char *text)
{
	append(&c->out, &c->out_len, text, strlen(text));
}

/* Write what is queued (TLS writes are retried until done: they are small). */
static void cl_flush(srv *s, sclient *c)
{
	(void)s;
	while (c->fd >= 0 && c->out_len > 0) {
		ssize_t w;
		if (c->tls != NULL && !c->handshaking) {
			w = gnutls_record_send(c->tls, c->out, c->out_len);
			if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED) {
				struct pollfd p = {c->fd, POLLOUT, 0};
				poll(&p, 1, 10);
				continue;
			}
		} else {
			w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
			if (w < 0 && (errno == EAGAIN || errno == EINTR))
				return;
		}
		if (w < 0) {
			cl_close(c);
			return;
		}
		memmove(c->out, c->out + w, c->out_len - (size_t)w);
		c->out_len -= (size_t)w;
	}
	if (c->fd >= 0 && c->out_len == 0 && c->close_after_flush)
		cl_close(c);
}

static void cl_start_tls(srv *s, sclient *c)
{
	assert_int_equal(gnutls_init(&c->tls, GNUTLS_SERVER | GNUTLS_NONBLOCK), 0);
	assert_int_equal(gnutls_set_default_priority(c->tls), 0);
	assert_int_equal(gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, s->creds), 0);
	gnutls_transport_set_int(c->tls, c->fd);
	c->handshaking = 1;
}

static const char *find_after(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);
	return p != NULL ? p + strlen(needle) : NULL;
}

static void consume(sclient *c, const char *end)
{
	size_t n = (size_t)(end - c->in);
	memmove(c->in, end, c->in_len - n + 1);
	c->in_len -= n;
}

static void send_header(srv *s, sclient *c)
{
	cl_queue(c, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
	            "xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='" DOMAIN
	            "' version='1.0'>");
	if (s->mode == MODE_REDIRECT) {
		char e[256];
		snprintf(e, sizeof(e),
		         "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>"
		         "127.0.0.1:%u</see-other-host></stream:error></stream:stream>",
		         s->redirect_port);
		cl_queue(c, e);
		c->close_after_flush = 1;
		c->phase = PH_DONE;
		return;
	}
	if (s->mode == MODE_STARTTLS && !c->secured) {
		cl_queue(c, "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
		            "<required/></starttls></stream:features>");
		c->phase = PH_STARTTLS;
	} else if (!c->authed) {
		cl_queue(c, "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
		            "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
		c->phase = PH_AUTH;
	} else {
		cl_queue(c, "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
		            "</stream:features>");
		c->phase = PH_BIND;
	}
}

/* Act on the input buffered so far. */
static void cl_script(srv *s, sclient *c)
{
	const char *e;

	for (;;) {
		if (c->fd < 0)
			return;
		switch (c->phase) {
		case PH_HEADER: {
			const char *h = strstr(c->in, "<stream:stream");
			if (h == NULL || (e = strchr(h, '>')) == NULL)
				return;
			consume(c, e + 1);
			if (s->mode == MODE_SILENT) {
				c->phase = PH_DONE;
				return;
			}
			if (s->mode == MODE_CLOSE_AFTER_HEADER) {
				cl_close(c);
				return;
			}
			send_header(s, c);
			break;
		}
		case PH_STARTTLS:
			if ((e = find_after(c->in, "<starttls")) == NULL || (e = strchr(e, '>')) == NULL)
				return;
			consume(c, e + 1);
			cl_queue(c, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
			while (c->fd >= 0 && c->out_len > 0) {
				struct pollfd p = {c->fd, POLLOUT, 0};
				cl_flush(s, c);
				if (c->out_len > 0)
					poll(&p, 1, 10);
			}
			cl_start_tls(s, c);
			c->secured = 1;
			c->phase = PH_HEADER;
			return;
		case PH_AUTH:
			if ((e = find_after(c->in, "</auth>")) == NULL)
				return;
			consume(c, e);
			cl_queue(c, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
			c->authed = 1;
			c->phase = PH_HEADER;
			break;
		case PH_BIND: {
			const char *id;
			char reply[512];
			size_t idlen;
			if ((e = find_after(c->in, "</iq>")) == NULL)
				return;
			id = find_after(c->in, " id=");
			assert_non_null(id);
			idlen = strcspn(id + 1, "'\"");
			id++;
			snprintf(reply, sizeof(reply),
			         "<iq type='result' id='%.*s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
			         "<jid>" JID "/res</jid></bind></iq>",
			         (int)idlen, id);
			consume(c, e);
			cl_queue(c, reply);
			if (s->on_ready != NULL)
				cl_queue(c, s->on_ready);
			c->phase = PH_READY;
			break;
		}
		case PH_READY:
			if ((e = find_after(c->in, "</stream:stream>")) == NULL)
				return;
			consume(c, e);
			s->closes_seen++;
			cl_queue(c, "</stream:stream>");
			c->close_after_flush = 1;
			c->phase = PH_DONE;
			return;
		default:
			c->in_len = 0;
			c->in[0] = '\0';
			return;
		}
	}
}

static void cl_read(srv *s, sclient *c)
{
	char buf[16384];
	int i;

	for (i = 0; i < 64 && c->fd >= 0; i++) {
		ssize_t n;
		if (c->tls != NULL && c->handshaking) {
			int rc = gnutls_handshake(c->tls);
			if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
				return;
			if (rc < 0) {
				s->tls_failures++;
				cl_close(c);
				return;
			}
			c->handshaking = 0;
			continue;
		}
		if (c->tls != NULL) {
			n = gnutls_record_recv(c->tls, buf, sizeof(buf));
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
				return;
			if (n < 0)
				n = 0;
		} else {
			n = recv(c->fd, buf, sizeof(buf), 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
		}
		if (n <= 0) {
			cl_close(c);
			return;
		}
		append(&s->log, &s->log_len, buf, (size_t)n);
		if (c->phase != PH_DONE) {
			append(&c->in, &c->in_len, buf, (size_t)n);
			cl_script(s, c);
		}
		cl_flush(s, c);
	}
}

/* One non-blocking step: accept, read, script, write. */
static void srv_step(srv *s)
{
	int i;

	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			break;
		for (i = 0; i < MAX_CLIENTS && s->cl[i].fd >= 0; i++)
			;
		assert_true(i < MAX_CLIENTS);
		cl_close(&s->cl[i]);
		memset(&s->cl[i], 0, sizeof(s->cl[i]));
		s->cl[i].fd = fd;
		s->cl[i].in = calloc(1, 1);
		s->accepted++;
		if (s->mode == MODE_DIRECT_TLS) {
			cl_start_tls(s, &s->cl[i]);
			s->cl[i].secured = 1;
		}
	}
	for (i = 0; i < MAX_CLIENTS; i++) {
		sclient *c = &s->cl[i];
		if (c->fd < 0)
			continue;
		if (!s->no_read)
			cl_read(s, c);
		cl_flush(s, c);
	}
}

static void srv_pollfds(srv *s, struct pollfd *p, size_t *n)
{
	int i;

	p[*n].fd = s->lfd, p[*n].events = POLLIN, p[*n].revents = 0, (*n)++;
	for (i = 0; i < MAX_CLIENTS; i++) {
		sclient *c = &s->cl[i];
		if (c->fd < 0)
			continue;
		p[*n].fd = c->fd;
		p[*n].events = (short)((s->no_read ? 0 : POLLIN) | (c->out_len > 0 ? POLLOUT : 0));
		p[*n].revents = 0;
		(*n)++;
	}
}

/* ---- the client side ------------------------------------------------------------ */

typedef struct fake_loop fake_loop;

typedef struct T {
	test_alloc alloc;
	xmppc_ctx *ctx;
	xmppc_conn *conn;
	xmppc_loop *loop;
	fake_loop *fl;
	srv *servers[3];
	int nservers;
	char events[2048];
	int closed, close_error;
	xmppc_conn_stage close_stage;
	char close_text[256];
	int ready;
	int free_on;       /* event type that frees the conn from the callback */
	int close_on;      /* event type that closes the conn from the callback */
	int freed;
	int cert_calls, cert_error, cert_answer;
	size_t cert_der_len;
	int drains;
	int messages;
} T;

static const char *ev_name(xmppc_conn_event_type t)
{
	switch (t) {
	case XMPPC_CONN_EVENT_CONNECTING: return "CONNECTING";
	case XMPPC_CONN_EVENT_CONNECTED: return "CONNECTED";
	case XMPPC_CONN_EVENT_SECURED: return "SECURED";
	case XMPPC_CONN_EVENT_AUTHENTICATED: return "AUTHENTICATED";
	case XMPPC_CONN_EVENT_READY: return "READY";
	case XMPPC_CONN_EVENT_REDIRECT: return "REDIRECT";
	case XMPPC_CONN_EVENT_STREAM_ERROR: return "STREAM_ERROR";
	case XMPPC_CONN_EVENT_CLOSED: return "CLOSED";
	}
	return "?";
}

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	T *t = ud;
	size_t l = strlen(t->events);

	assert_int_equal(ev->version, XMPPC_CONN_EVENT_VERSION);
	snprintf(t->events + l, sizeof(t->events) - l, "%s%s", l ? "," : "", ev_name(ev->type));
	if (ev->type == XMPPC_CONN_EVENT_REDIRECT) {
		l = strlen(t->events);
		snprintf(t->events + l, sizeof(t->events) - l, "(%s:%u)", ev->host, ev->port);
	}
	if (ev->type == XMPPC_CONN_EVENT_CONNECTED || ev->type == XMPPC_CONN_EVENT_CONNECTING) {
		assert_string_equal(ev->address, "127.0.0.1");
		assert_string_equal(ev->host, "127.0.0.1");
	}
	if (ev->type == XMPPC_CONN_EVENT_READY)
		t->ready++;
	if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		t->closed++;
		t->close_error = ev->error;
		t->close_stage = ev->stage;
		snprintf(t->close_text, sizeof(t->close_text), "%s", ev->text ? ev->text : "");
		assert_int_equal(xmppc_conn_get_stage(conn), XMPPC_CONN_STAGE_IDLE);
	}
	if (t->close_on == (int)ev->type)
		assert_int_equal(xmppc_conn_close(conn), 0);
	if (t->free_on == (int)ev->type) {
		xmppc_conn_free(conn);
		t->freed = 1;
	}
}

static int on_cert_fail(void *ud, xmppc_conn *conn, int error, const char *reason,
                        const unsigned char *der, size_t len)
{
	T *t = ud;

	assert_non_null(conn);
	assert_non_null(reason);
	assert_non_null(der);
	t->cert_calls++;
	t->cert_error = error;
	t->cert_der_len = len;
	return t->cert_answer;
}

static void on_drain(void *ud, xmppc_session *s)
{
	T *t = ud;
	(void)s;
	t->drains++;
}

static int on_message(void *ud, xmppc_session *s, const xmppc_stanza *st)
{
	T *t = ud;
	(void)s;
	(void)st;
	t->messages++;
	return XMPPC_CB_OK;
}

static void setup_cfg(xmppc_conn_config *cc, xmppc_session_config *sc, const char *server, int plaintext)
{
	memset(sc, 0, sizeof(*sc));
	sc->version = XMPPC_SESSION_CONFIG_VERSION;
	sc->jid = JID;
	sc->password = "secret";
	if (plaintext)
		sc->flags = XMPPC_SESSION_ALLOW_PLAINTEXT | XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS;
	memset(cc, 0, sizeof(*cc));
	cc->version = XMPPC_CONN_CONFIG_VERSION;
	cc->session = sc;
	cc->server = server;
	cc->flags = XMPPC_CONN_NO_SYSTEM_TRUST;
}

static void t_init(T *t)
{
	memset(t, 0, sizeof(*t));
	t->ctx = test_ctx_new(&t->alloc);
}

static void t_new_conn(T *t, const xmppc_conn_config *cc)
{
	xmppc_stanza_filter f;

	assert_int_equal(xmppc_conn_new(&t->conn, t->ctx, cc), 0);
	assert_int_equal(xmppc_conn_set_event_fn(t->conn, on_event, t, NULL), 0);
	assert_int_equal(xmppc_session_set_drain_fn(xmppc_conn_session(t->conn), on_drain, t, NULL), 0);
	memset(&f, 0, sizeof(f));
	f.version = XMPPC_STANZA_FILTER_VERSION;
	f.kind = XMPPC_STANZA_MESSAGE;
	assert_int_equal(xmppc_session_add_observer(xmppc_conn_session(t->conn), &f, 0, on_message,
	                                            t, NULL, NULL),
	                 0);
	assert_int_equal(xmppc_conn_get_stage(t->conn), XMPPC_CONN_STAGE_IDLE);
}

static void t_fini(T *t)
{
	int i;

	if (!t->freed)
		xmppc_conn_free(t->conn);
	if (t->loop != NULL)
		xmppc_loop_free(t->loop);
	for (i = 0; i < t->nservers; i++)
		srv_stop(t->servers[i]);
	xmppc_ctx_unref(t->ctx);
	assert_int_equal(t->alloc.live, 0);
}

/* ---- driving: pollfds API ---------------------------------------------------------- */

static void step_pollfds(T *t, int max_ms)
{
	struct pollfd p[64];
	size_t n = 0, base;
	int i, to = -1;

	if (!t->freed)
		assert_int_equal(xmppc_conn_get_pollfds(t->conn, p, 32, &n, &to), 0);
	base = n;
	for (i = 0; i < t->nservers; i++)
		srv_pollfds(t->servers[i], p, &n);
	if (to < 0 || to > max_ms)
		to = max_ms;
	assert_true(poll(p, n, to) >= 0);
	if (!t->freed)
		assert_int_equal(xmppc_conn_process_pollfds(t->conn, p, base), 0);
	for (i = 0; i < t->nservers; i++)
		srv_step(t->servers[i]);
}

static void step_loop(T *t, int max_ms)
{
	struct pollfd p[64];
	size_t n = 0;
	int i;

	assert_true(xmppc_loop_run_once(t->loop, max_ms / 2) >= 0);
	for (i = 0; i < t->nservers; i++)
		srv_pollfds(t->servers[i], p, &n);
	assert_true(poll(p, n, max_ms / 2) >= 0);
	for (i = 0; i < t->nservers; i++)
		srv_step(t->servers[i]);
}

static void step_fake(T *t, int max_ms);

static void step(T *t, int max_ms)
{
	if (t->fl != NULL)
		step_fake(t, max_ms);
	else if (t->loop != NULL)
		step_loop(t, max_ms);
	else
		step_pollfds(t, max_ms);
}

typedef int (*pred_fn)(T *t, void *arg);

static int run_until(T *t, pred_fn pred, void *arg, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	while (!pred(t, arg)) {
		if (now_ms() >= end)
			return 0;
		step(t, STEP_MS);
	}
	return 1;
}

static void run_for(T *t, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	while (now_ms() < end)
		step(t, STEP_MS);
}

static int is_ready(T *t, void *arg) { (void)arg; return t->ready > 0; }
static int is_closed(T *t, void *arg) { (void)arg; return t->closed > 0; }
static int log_has(T *t, void *arg)
{
	srv *s = t->servers[0];
	return strstr(s->log, (const char *)arg) != NULL;
}
static int nready(T *t, void *arg) { return t->ready >= *(int *)arg; }
static int nmessages(T *t, void *arg) { return t->messages > *(int *)arg; }

static void send_msg(T *t, const char *body, int expect)
{
	xmppc_stanza *m;

	assert_int_equal(xmppc_message_new(&m, t->ctx, XMPPC_TYPE_CHAT, "friend@example.com", body), 0);
	assert_int_equal(xmppc_session_send(xmppc_conn_session(t->conn), m), expect);
	xmppc_stanza_unref(m);
}

/* ---- fake loop on the io hooks ------------------------------------------------------ */

struct fake_loop {
	struct {
		int fd;
		unsigned events;
		dev_t dev;
		ino_t ino;
	} w[32];
	size_t n;
	int64_t timer;       /* last told (-1: none) */
	uint64_t timer_at;   /* absolute, 0: none */
	int timer_calls, watch_calls, violations;
	int ever_timer;
};

/* Every fd still watched must be the same open file as when first watched:
 * an fd closed (or closed and reused) while watched is a contract breach. */
static void fl_check(fake_loop *fl)
{
	size_t i;
	struct stat st;

	for (i = 0; i < fl->n; i++) {
		if (fstat(fl->w[i].fd, &st) != 0 || st.st_dev != fl->w[i].dev || st.st_ino != fl->w[i].ino) {
			fprintf(stderr, "fd %d closed while watched\n", fl->w[i].fd);
			fl->violations++;
		}
	}
}

static int fl_watch(void *ud, xmppc_conn *conn, int fd, unsigned events, void *fd_data)
{
	fake_loop *fl = ud;
	size_t i;
	struct stat st;

	fl->watch_calls++;
	fl_check(fl);
	for (i = 0; i < fl->n && fl->w[i].fd != fd; i++)
		;
	if (events == 0) {
		if (i == fl->n) {
			fprintf(stderr, "unwatch of unknown fd %d\n", fd);
			fl->violations++;
			return 0;
		}
		if (fd_data != &fl->w[0]) { /* fd_data as assigned */
			fprintf(stderr, "fd %d: fd_data lost\n", fd);
			fl->violations++;
		}
		fl->w[i] = fl->w[--fl->n];
		return 0;
	}
	if (i == fl->n) {
		assert_true(fl->n < 32);
		assert_int_equal(fstat(fd, &st), 0);
		fl->w[i].fd = fd;
		fl->w[i].dev = st.st_dev;
		fl->w[i].ino = st.st_ino;
		fl->n++;
		if (fd_data != NULL) {
			fprintf(stderr, "new fd %d with fd_data\n", fd);
			fl->violations++;
		}
		assert_int_equal(xmppc_conn_assign(conn, fd, &fl->w[0]), 0);
	} else if (fd_data != &fl->w[0]) {
		fprintf(stderr, "fd %d: fd_data lost\n", fd);
		fl->violations++;
	}
	fl->w[i].events = events;
	return 0;
}

static void fl_timer(void *ud, xmppc_conn *conn, int64_t ms)
{
	fake_loop *fl = ud;

	(void)conn;
	fl->timer_calls++;
	fl->timer = ms;
	if (ms >= 0)
		fl->ever_timer = 1;
	fl->timer_at = ms < 0 ? 0 : now_ms() + (uint64_t)ms;
}

static void step_fake(T *t, int max_ms)
{
	fake_loop *fl = t->fl;
	struct pollfd p[64];
	xmppc_io_event ev[32];
	size_t n = 0, base, i, k = 0;
	int to = max_ms, j;
	uint64_t now = now_ms();

	fl_check(fl);
	for (i = 0; i < fl->n; i++) {
		p[n].fd = fl->w[i].fd;
		p[n].events = (short)(((fl->w[i].events & XMPPC_IO_IN) ? POLLIN : 0) |
		                      ((fl->w[i].events & XMPPC_IO_OUT) ? POLLOUT : 0));
		p[n].revents = 0;
		n++;
	}
	base = n;
	for (j = 0; j < t->nservers; j++)
		srv_pollfds(t->servers[j], p, &n);
	if (fl->timer_at != 0)
		to = fl->timer_at <= now ? 0 : (int)(fl->timer_at - now) < to ? (int)(fl->timer_at - now) : to;
	assert_true(poll(p, n, to) >= 0);
	for (i = 0; i < base; i++) {
		unsigned e = 0;
		if (p[i].revents & POLLNVAL) {
			fprintf(stderr, "POLLNVAL on watched fd %d\n", p[i].fd);
			fl->violations++;
		}
		if (p[i].revents & POLLIN)
			e |= XMPPC_IO_IN;
		if (p[i].revents & POLLOUT)
			e |= XMPPC_IO_OUT;
		if (p[i].revents & (POLLERR | POLLHUP))
			e |= XMPPC_IO_ERR;
		if (e != 0) {
			ev[k].fd = p[i].fd;
			ev[k].events = e;
			k++;
		}
	}
	if (!t->freed && k > 0)
		assert_int_equal(xmppc_conn_process(t->conn, ev, k), 0);
	if (!t->freed && fl->timer_at != 0 && now_ms() >= fl->timer_at) {
		fl->timer_at = 0; /* one-shot */
		fl->timer = -1;
		assert_int_equal(xmppc_conn_process(t->conn, NULL, 0), 0);
	}
	for (j = 0; j < t->nservers; j++)
		srv_step(t->servers[j]);
}

/* ---- test cases -------------------------------------------------------------------- */

static void login_and_send(T *t)
{
	srv *s = t->servers[0];

	assert_int_equal(xmppc_conn_connect(t->conn), 0);
	assert_int_equal(xmppc_conn_connect(t->conn), XMPPC_ESTATE);
	assert_true(run_until(t, is_ready, NULL, 5000));
	assert_string_equal(t->events, "CONNECTING,CONNECTED,AUTHENTICATED,READY");
	assert_int_equal(xmppc_conn_get_stage(t->conn), XMPPC_CONN_STAGE_READY);
	assert_string_equal(xmppc_jid_full(xmppc_session_jid(xmppc_conn_session(t->conn))), JID "/res");
	assert_non_null(strstr(s->log, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"));
	/* a send from outside any callback: written by the loop alone */
	send_msg(t, "hello from outside", 0);
	assert_true(run_until(t, log_has, (void *)"hello from outside</body>", 5000));
	assert_int_equal(t->closed, 0);
}

static void test_login_pollfds(void **state)
{
	T t;
	srv s;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];

	(void)state;
	t_init(&t);
	srv_start(&s, MODE_NORMAL);
	t.servers[t.nservers++] = &s;
	snprintf(server, sizeof(server), "127.0.0.1:%u", s.port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	login_and_send(&t);
	/* clean close: our closing tag, the server's answer, CLOSED 0 */
	assert_int_equal(xmppc_conn_close(t.conn), 0);
	assert_int_equal(xmppc_conn_get_stage(t.conn), XMPPC_CONN_STAGE_CLOSING);
	assert_int_equal(xmppc_conn_close(t.conn), 0); /* again: nothing */
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(s.closes_seen, 1);
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.close_error, 0);
	assert_string_equal(t.events, "CONNECTING,CONNECTED,AUTHENTICATED,READY,CLOSED");
	{
		xmppc_conn_error e = {XMPPC_CONN_ERROR_VERSION, 0, 0, NULL};
		assert_int_equal(xmppc_conn_last_error(&e, t.conn), 0);
		assert_int_equal(e.code, 0);
	}
	/* nothing left to watch */
	{
		size_t n = 99;
		int to = 0;
		struct pollfd p[4];
		assert_int_equal(xmppc_conn_get_pollfds(t.conn, p, 4, &n, &to), 0);
		assert_int_equal(n, 0);
		assert_int_equal(to, -1);
	}
	t_fini(&t);
}

static void test_login_loop(void **state)
{
	T t;
	srv s;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];

	(void)state;
	t_init(&t);
	srv_start(&s, MODE_NORMAL);
	t.servers[t.nservers++] = &s;
	snprintf(server, sizeof(server), "127.0.0.1:%u", s.port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_loop_new(&t.loop, t.ctx, 0), 0);
	assert_int_equal(xmppc_loop_add(t.loop, t.conn), 0);
	login_and_send(&t);
	assert_int_equal(xmppc_conn_close(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.close_error, 0);
	assert_int_equal(s.closes_seen, 1);
	assert_int_equal(xmppc_loop_remove(t.loop, t.conn), 0);
	assert_int_equal(xmppc_loop_remove(t.loop, t.conn), XMPPC_ENOTFOUND);
	t_fini(&t);
}

/* xmppc_conn_free() of a connection still added removes it from the loop
 * (detach hook): xmppc_loop_free() must not touch it afterwards (a use
 * after free once, caught by ASan/valgrind). */
static void test_conn_free_while_added(void **state)
{
	T t;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	(void)state;
	t_init(&t);
	setup_cfg(&cc, &sc, "127.0.0.1:1", 1);
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_loop_new(&t.loop, t.ctx, 0), 0);
	assert_int_equal(xmppc_loop_add(t.loop, t.conn), 0);
	xmppc_conn_free(t.conn); /* documented to remove it from the loop */
	t.freed = 1;
	t_fini(&t); /* xmppc_loop_free() */
}

static void test_refused(void **state)
{
	T t;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd;

	(void)state;
	t_init(&t);
	/* a bound port nobody listens on */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(server, sizeof(server), "127.0.0.1:%u", ntohs(sa.sin_port));
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.close_error, XMPPC_ETCP_REFUSED);
	assert_int_equal(t.close_stage, XMPPC_CONN_STAGE_TCP);
	assert_string_equal(t.events, "CONNECTING,CLOSED");
	close(fd);
	t_fini(&t);
}

/* A listener with backlog 0 whose queue is full drops SYNs: a TCP
 * connection attempt that never completes. */
typedef struct {
	int lfd, filler;
	unsigned port;
} blackhole;

static void blackhole_open(blackhole *b)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct pollfd p;

	b->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(b->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(b->lfd, 0), 0);
	assert_int_equal(getsockname(b->lfd, (struct sockaddr *)&sa, &len), 0);
	b->port = ntohs(sa.sin_port);
	b->filler = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	connect(b->filler, (struct sockaddr *)&sa, sizeof(sa));
	p.fd = b->filler, p.events = POLLOUT;
	assert_int_equal(poll(&p, 1, 2000), 1);
	/* the queue is full now: check that another attempt hangs */
	{
		int probe = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		connect(probe, (struct sockaddr *)&sa, sizeof(sa));
		p.fd = probe, p.events = POLLOUT;
		assert_int_equal(poll(&p, 1, 200), 0);
		close(probe);
	}
}

static void blackhole_close(blackhole *b)
{
	close(b->filler);
	close(b->lfd);
}

static void test_connect_timeout(void **state)
{
	T t;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];
	blackhole b;
	uint64_t t0;

	(void)state;
	t_init(&t);
	blackhole_open(&b);
	snprintf(server, sizeof(server), "127.0.0.1:%u", b.port);
	setup_cfg(&cc, &sc, server, 1);
	cc.connect_timeout_ms = 300;
	t_new_conn(&t, &cc);
	t0 = now_ms();
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_true(now_ms() - t0 >= 290);
	assert_int_equal(t.close_error, XMPPC_ETCP_TIMEOUT);
	assert_int_equal(t.close_stage, XMPPC_CONN_STAGE_TCP);
	assert_string_equal(t.events, "CONNECTING,CLOSED");
	t_fini(&t);
	blackhole_close(&b);
}

static void test_close_while_connecting(void **state)
{
	T t;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];
	blackhole b;

	(void)state;
	t_init(&t);
	blackhole_open(&b);
	snprintf(server, sizeof(server), "127.0.0.1:%u", b.port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	run_for(&t, 100);
	assert_int_equal(xmppc_conn_get_stage(t.conn), XMPPC_CONN_STAGE_TCP);
	assert_int_equal(xmppc_conn_close(t.conn), 0);
	/* at once, from inside the call */
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.close_error, 0);
	assert_string_equal(t.events, "CONNECTING,CLOSED");
	assert_int_equal(xmppc_conn_get_stage(t.conn), XMPPC_CONN_STAGE_IDLE);
	{
		size_t n = 99;
		assert_int_equal(xmppc_conn_get_pollfds(t.conn, NULL, 0, &n, NULL), 0);
		assert_int_equal(n, 0);
	}
	t_fini(&t);
	blackhole_close(&b);
}

static void test_server_closes_mid_negotiation(void **state)
{
	T t;
	srv s;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];

	(void)state;
	t_init(&t);
	srv_start(&s, MODE_CLOSE_AFTER_HEADER);
	t.servers[t.nservers++] = &s;
	snprintf(server, sizeof(server), "127.0.0.1:%u", s.port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.close_error, XMPPC_ETCP_EOF);
	assert_int_equal(t.close_stage, XMPPC_CONN_STAGE_STREAM);
	assert_string_equal(t.events, "CONNECTING,CONNECTED,CLOSED");
	t_fini(&t);
}

static void test_redirect(void **state)
{
	T t;
	srv a, b;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64], expect[256];

	(void)state;
	t_init(&t);
	srv_start(&a, MODE_REDIRECT);
	srv_start(&b, MODE_NORMAL);
	a.redirect_port = b.port;
	t.servers[t.nservers++] = &b; /* log_has looks at servers[0] */
	t.servers[t.nservers++] = &a;
	snprintf(server, sizeof(server), "127.0.0.1:%u", a.port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	snprintf(expect, sizeof(expect),
	         "CONNECTING,CONNECTED,STREAM_ERROR,REDIRECT(127.0.0.1:%u),CONNECTING,CONNECTED,"
	         "AUTHENTICATED,READY",
	         b.port);
	assert_string_equal(t.events, expect);
	assert_int_equal(a.accepted, 1);
	assert_int_equal(b.accepted, 1);
	assert_null(strstr(a.log, "<auth"));
	send_msg(&t, "after redirect", 0);
	assert_true(run_until(&t, log_has, (void *)"after redirect</body>", 5000));
	t_fini(&t);
}

static void test_redirect_loop(void **state)
{
	T t;
	srv a;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];

	(void)state;
	t_init(&t);
	srv_start(&a, MODE_REDIRECT);
	a.redirect_port = a.port; /* to itself */
	t.servers[t.nservers++] = &a;
	snprintf(server, sizeof(server), "127.0.0.1:%u", a.port);
	setup_cfg(&cc, &sc, server, 1);
	cc.max_redirects = 2;
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.close_error, XMPPC_ESEE_OTHER_HOST);
	assert_int_equal(t.close_stage, XMPPC_CONN_STAGE_STREAM);
	assert_int_equal(a.accepted, 3); /* the first connection and two redirects */
	{
		char expect[512], hop[128];
		snprintf(hop, sizeof(hop), "CONNECTING,CONNECTED,STREAM_ERROR,REDIRECT(127.0.0.1:%u),",
		         a.port);
		snprintf(expect, sizeof(expect), "%s%sCONNECTING,CONNECTED,STREAM_ERROR,CLOSED", hop, hop);
		assert_string_equal(t.events, expect);
	}
	t_fini(&t);

	/* XMPPC_CONN_NO_REDIRECT: not followed at all */
	t_init(&t);
	srv_start(&a, MODE_REDIRECT);
	a.redirect_port = a.port;
	t.servers[t.nservers++] = &a;
	snprintf(server, sizeof(server), "127.0.0.1:%u", a.port);
	setup_cfg(&cc, &sc, server, 1);
	cc.flags |= XMPPC_CONN_NO_REDIRECT;
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.close_error, XMPPC_ESEE_OTHER_HOST);
	assert_string_equal(t.events, "CONNECTING,CONNECTED,STREAM_ERROR,CLOSED");
	assert_int_equal(a.accepted, 1);
	t_fini(&t);
}

/* Reconnect after CLOSED: handlers on the session survive. */
static void test_reconnect(void **state)
{
	T t;
	srv s;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];
	int two = 2, before;

	(void)state;
	t_init(&t);
	srv_start(&s, MODE_NORMAL);
	s.on_ready = "<message from='friend@example.com/x' to='" JID "/res' type='chat'>"
	             "<body>hi</body></message>";
	t.servers[t.nservers++] = &s;
	snprintf(server, sizeof(server), "127.0.0.1:%u", s.port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	t.close_on = XMPPC_CONN_EVENT_READY; /* close from the callback */
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.close_error, 0);
	assert_int_equal(s.closes_seen, 1);
	t.close_on = 0;
	before = t.messages;
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, nready, &two, 5000));
	/* the message pushed on the second connection reaches the observer
	 * registered before the first */
	assert_true(run_until(&t, nmessages, &before, 5000));
	assert_int_equal(t.messages, before + 1);
	assert_string_equal(t.events, "CONNECTING,CONNECTED,AUTHENTICATED,READY,CLOSED,"
	                              "CONNECTING,CONNECTED,AUTHENTICATED,READY");
	assert_int_equal(s.accepted, 2);
	t_fini(&t);
}

/* A connection to a scripted server in `mode`, its io hooks recorded by
 * the fake loop fl (installed by the caller). */
static void fl_conn(T *t, srv *s, fake_loop *fl, srv_mode mode)
{
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];

	t_init(t);
	memset(fl, 0, sizeof(*fl));
	fl->timer = -1;
	t->fl = fl;
	srv_start(s, mode);
	t->servers[t->nservers++] = s;
	snprintf(server, sizeof(server), "127.0.0.1:%u", s->port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(t, &cc);
}

/* Free from inside an event callback: deferred until the call returns. */
static void test_free_in_callback(void **state)
{
	T t;
	srv s;
	fake_loop fl;
	xmppc_io_hooks h = {XMPPC_IO_HOOKS_VERSION, fl_watch, fl_timer, NULL};

	(void)state;
	fl_conn(&t, &s, &fl, MODE_NORMAL);
	assert_int_equal(xmppc_conn_set_io_hooks(t.conn, &h, &fl), 0);
	t.free_on = XMPPC_CONN_EVENT_READY;
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	assert_true(t.freed);
	/* freed on leaving: no CLOSED event, every fd and the timer forgotten */
	assert_string_equal(t.events, "CONNECTING,CONNECTED,AUTHENTICATED,READY");
	assert_int_equal(fl.n, 0);
	assert_int_equal(fl.timer, -1);
	assert_int_equal(fl.violations, 0);
	t_fini(&t);
}

/* Free from the CLOSED event of a failed connection (the common case). */
static void test_free_in_closed(void **state)
{
	T t;
	srv s;
	fake_loop fl;
	xmppc_io_hooks h = {XMPPC_IO_HOOKS_VERSION, fl_watch, fl_timer, NULL};

	(void)state;
	fl_conn(&t, &s, &fl, MODE_CLOSE_AFTER_HEADER);
	assert_int_equal(xmppc_conn_set_io_hooks(t.conn, &h, &fl), 0);
	t.free_on = XMPPC_CONN_EVENT_CLOSED;
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_true(t.freed);
	assert_int_equal(t.close_error, XMPPC_ETCP_EOF);
	assert_int_equal(fl.n, 0);
	assert_int_equal(fl.timer, -1);
	assert_int_equal(fl.violations, 0);
	t_fini(&t);
}

/* io hooks contract over a whole life: connect, READY, send, close,
 * reconnect, free while connecting. */
static void test_io_hooks_contract(void **state)
{
	T t;
	srv s;
	fake_loop fl;
	blackhole b;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];
	xmppc_io_hooks h = {XMPPC_IO_HOOKS_VERSION, fl_watch, fl_timer, NULL};
	int two = 2;

	(void)state;
	fl_conn(&t, &s, &fl, MODE_NORMAL);
	h.version = 99;
	assert_int_equal(xmppc_conn_set_io_hooks(t.conn, &h, &fl), XMPPC_EINVAL);
	h.version = XMPPC_IO_HOOKS_VERSION;
	assert_int_equal(xmppc_conn_set_io_hooks(t.conn, &h, &fl), 0);
	assert_int_equal(xmppc_conn_assign(t.conn, 12345, NULL), XMPPC_ENOTFOUND);
	login_and_send(&t);
	assert_true(fl.n >= 1);
	assert_true(fl.ever_timer); /* the negotiation deadline at least */
	assert_int_equal(xmppc_conn_close(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.close_error, 0);
	assert_int_equal(fl.n, 0);
	assert_int_equal(fl.violations, 0);
	/* again, and move it to other hooks and back in the middle */
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_int_equal(xmppc_conn_set_io_hooks(t.conn, NULL, NULL), 0);
	assert_int_equal(fl.n, 0);
	assert_int_equal(fl.timer, -1);
	assert_int_equal(xmppc_conn_set_io_hooks(t.conn, &h, &fl), 0);
	assert_true(run_until(&t, nready, &two, 5000));
	assert_int_equal(fl.violations, 0);
	xmppc_conn_free(t.conn);
	t.freed = 1;
	assert_int_equal(fl.n, 0);
	assert_int_equal(fl.timer, -1);
	assert_int_equal(fl.violations, 0);
	t_fini(&t);

	/* a failed attempt and a free while a TCP attempt is in flight */
	t_init(&t);
	memset(&fl, 0, sizeof(fl));
	fl.timer = -1;
	t.fl = &fl;
	blackhole_open(&b);
	snprintf(server, sizeof(server), "127.0.0.1:%u", b.port);
	setup_cfg(&cc, &sc, server, 1);
	cc.connect_timeout_ms = 200;
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_set_io_hooks(t.conn, &h, &fl), 0);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.close_error, XMPPC_ETCP_TIMEOUT);
	assert_int_equal(fl.n, 0);
	assert_int_equal(fl.timer, -1);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	run_for(&t, 50);
	assert_int_equal(fl.n, 1);
	assert_true(fl.timer >= 0);
	xmppc_conn_free(t.conn);
	t.freed = 1;
	assert_int_equal(fl.n, 0);
	assert_int_equal(fl.timer, -1);
	assert_int_equal(fl.violations, 0);
	t_fini(&t);
	blackhole_close(&b);
}

/* Back-pressure: a server that stops reading. */
static void test_backpressure(void **state)
{
	T t;
	srv s;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64], body[1100], id[32];
	int sent = 0, eagain = 0, i, stalled = 0;
	uint64_t end;

	(void)state;
	t_init(&t);
	srv_start(&s, MODE_NORMAL);
	{
		int small = 4096;
		setsockopt(s.lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	}
	t.servers[t.nservers++] = &s;
	snprintf(server, sizeof(server), "127.0.0.1:%u", s.port);
	setup_cfg(&cc, &sc, server, 1);
	sc.output_high_water = 8192;
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	s.no_read = 1;
	memset(body, 'x', 1000);
	body[1000] = '\0';
	/* send until the socket and the queue are full: EAGAIN, and no drain
	 * comes while the server does not read */
	end = now_ms() + 20000;
	while (!stalled && now_ms() < end && sent < 200000) {
		xmppc_stanza *m;
		int rc;
		snprintf(id, sizeof(id), "m%d", sent);
		assert_int_equal(xmppc_message_new(&m, t.ctx, XMPPC_TYPE_CHAT, "friend@example.com", body), 0);
		assert_int_equal(xmppc_stanza_set_id(m, id), 0);
		rc = xmppc_session_send(xmppc_conn_session(t.conn), m);
		xmppc_stanza_unref(m);
		if (rc == 0) {
			sent++;
			continue;
		}
		assert_int_equal(rc, XMPPC_EAGAIN);
		eagain++;
		{
			int d = t.drains;
			uint64_t w = now_ms() + 300;
			while (t.drains == d && now_ms() < w)
				step(&t, STEP_MS);
			if (t.drains == d)
				stalled = 1;
		}
	}
	assert_true(eagain > 0);
	assert_true(stalled);
	assert_int_equal(t.closed, 0);
	/* the server reads again: a drain, and the rest goes out */
	s.no_read = 0;
	{
		int d = t.drains;
		end = now_ms() + 10000;
		while (t.drains == d && now_ms() < end)
			step(&t, STEP_MS);
		assert_true(t.drains > d);
	}
	for (i = 0; i < 20; i++) {
		snprintf(body, sizeof(body), "tail %d", i);
		send_msg(&t, body, 0);
		sent++;
	}
	assert_true(run_until(&t, log_has, (void *)"tail 19</body>", 20000));
	/* in order, each once */
	{
		const char *p = s.log;
		for (i = 0; i < sent - 20; i++) {
			char needle[40];
			snprintf(needle, sizeof(needle), "id=\"m%d\"", i);
			p = strstr(p, needle);
			if (p == NULL)
				fprintf(stderr, "message %d of %d missing; log %zu bytes: %.300s\n", i,
				        sent - 20, s.log_len, s.log + s.log_len - 300);
			assert_non_null(p);
		}
		for (i = 0; i < 20; i++) {
			char needle[40];
			snprintf(needle, sizeof(needle), ">tail %d<", i);
			p = strstr(p, needle);
			assert_non_null(p);
		}
	}
	assert_int_equal(t.closed, 0);
	t_fini(&t);
}

/* ---- TLS ------------------------------------------------------------------------------ */

static void tls_case(srv_mode mode, const keypair *cert, const char *ca_file, const char *pin,
                     int hook_answer, int expect_error, const char *expect_events, int expect_cert_calls,
                     int expect_cert_error)
{
	T t;
	srv s;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];
	const char *pins[2] = {pin, NULL};

	t_init(&t);
	srv_start(&s, mode);
	srv_use_cert(&s, cert);
	t.servers[t.nservers++] = &s;
	snprintf(server, sizeof(server), "127.0.0.1:%u", s.port);
	setup_cfg(&cc, &sc, server, 0);
	cc.ca_file = ca_file;
	cc.pins = pin != NULL ? pins : NULL;
	if (mode == MODE_DIRECT_TLS)
		cc.flags |= XMPPC_CONN_DIRECT_TLS;
	if (hook_answer >= 0) {
		cc.cert_fail = on_cert_fail;
		cc.cert_fail_user_data = &t;
		t.cert_answer = hook_answer;
	}
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	if (expect_error == 0) {
		assert_true(run_until(&t, is_ready, NULL, 10000));
		assert_non_null(strstr(s.log, "<auth"));
		send_msg(&t, "secret message", 0);
		assert_true(run_until(&t, log_has, (void *)"secret message</body>", 5000));
		assert_int_equal(xmppc_conn_close(t.conn), 0);
		assert_true(run_until(&t, is_closed, NULL, 5000));
		assert_int_equal(t.close_error, 0);
		assert_int_equal(s.closes_seen, 1);
	} else {
		assert_true(run_until(&t, is_closed, NULL, 10000));
		assert_int_equal(t.close_error, expect_error);
		assert_int_equal(t.close_stage, XMPPC_CONN_STAGE_TLS);
		assert_null(strstr(s.log, "<auth"));
		run_for(&t, 50); /* the server sees the alert */
		assert_int_equal(s.tls_failures, 1);
	}
	assert_string_equal(t.events, expect_events);
	assert_int_equal(t.cert_calls, expect_cert_calls);
	if (expect_cert_calls > 0) {
		assert_int_equal(t.cert_error, expect_cert_error);
		assert_true(t.cert_der_len > 100);
	}
	t_fini(&t);
}

/* Plaintext allowed (where the session never asks for STARTTLS): the
 * credentials load at the first handshake (here direct TLS), and a CA file
 * that does not load ends that connection (stage TLS) before any
 * credential is sent. */
static void test_tls_lazy_creds(void **state)
{
	T t;
	srv s;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];

	(void)state;
	t_init(&t);
	srv_start(&s, MODE_DIRECT_TLS);
	srv_use_cert(&s, &srv_ok);
	t.servers[t.nservers++] = &s;
	snprintf(server, sizeof(server), "127.0.0.1:%u", s.port);
	setup_cfg(&cc, &sc, server, 1);
	cc.flags |= XMPPC_CONN_DIRECT_TLS;
	cc.ca_file = "/nonexistent/ca.pem";
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 10000));
	assert_int_equal(t.close_error, XMPPC_ETLS_CONFIG);
	assert_int_equal(t.close_stage, XMPPC_CONN_STAGE_TLS);
	assert_null(strstr(s.log, "<auth"));
	t_fini(&t);
}

#define OK_EVENTS "CONNECTING,CONNECTED,SECURED,AUTHENTICATED,READY,CLOSED"
#define FAIL_EVENTS "CONNECTING,CONNECTED,CLOSED"

static void test_tls_starttls_ok(void **state)
{
	(void)state;
	tls_case(MODE_STARTTLS, &srv_ok, ca_path, NULL, -1, 0, OK_EVENTS, 0, 0);
}

static void test_tls_direct_ok(void **state)
{
	(void)state;
	tls_case(MODE_DIRECT_TLS, &srv_ok, ca_path, NULL, -1, 0, OK_EVENTS, 0, 0);
}

static void test_tls_wrong_name(void **state)
{
	(void)state;
	tls_case(MODE_STARTTLS, &srv_wrong, ca_path, NULL, -1, XMPPC_ETLS_CERT_NAME, FAIL_EVENTS, 0, 0);
	tls_case(MODE_DIRECT_TLS, &srv_wrong, ca_path, NULL, -1, XMPPC_ETLS_CERT_NAME, FAIL_EVENTS, 0, 0);
	/* the hook hears of it and refuses */
	tls_case(MODE_STARTTLS, &srv_wrong, ca_path, NULL, XMPPC_CERT_REJECT, XMPPC_ETLS_CERT_NAME,
	         FAIL_EVENTS, 1, XMPPC_ETLS_CERT_NAME);
}

static void test_tls_untrusted(void **state)
{
	(void)state;
	/* no trust anchor for it */
	tls_case(MODE_STARTTLS, &srv_self, ca_path, NULL, -1, XMPPC_ETLS_CERT_UNTRUSTED, FAIL_EVENTS, 0, 0);
	/* the hook accepts it */
	tls_case(MODE_STARTTLS, &srv_self, ca_path, NULL, XMPPC_CERT_ACCEPT, 0, OK_EVENTS, 1,
	         XMPPC_ETLS_CERT_UNTRUSTED);
	tls_case(MODE_DIRECT_TLS, &srv_self, NULL, NULL, XMPPC_CERT_ACCEPT, 0, OK_EVENTS, 1,
	         XMPPC_ETLS_CERT_UNTRUSTED);
}

static void test_tls_pins(void **state)
{
	(void)state;
	/* a pin makes the untrusted certificate acceptable */
	tls_case(MODE_STARTTLS, &srv_self, NULL, srv_self.pin, -1, 0, OK_EVENTS, 0, 0);
	{
		char pfx[80];
		char hex[100];
		unsigned char raw[64];
		size_t n = sizeof(raw), i;
		snprintf(pfx, sizeof(pfx), "sha256//%s", srv_self.pin);
		tls_case(MODE_DIRECT_TLS, &srv_self, NULL, pfx, -1, 0, OK_EVENTS, 0, 0);
		snprintf(pfx, sizeof(pfx), "pin-sha256:%s", srv_self.pin);
		tls_case(MODE_STARTTLS, &srv_self, NULL, pfx, -1, 0, OK_EVENTS, 0, 0);
		/* the same hash in hex, with colons as certtool prints fingerprints */
		{
			gnutls_datum_t in = {(unsigned char *)srv_self.pin, (unsigned)strlen(srv_self.pin)};
			gnutls_datum_t out;
			assert_int_equal(gnutls_base64_decode2(&in, &out), 0);
			assert_int_equal(out.size, 32);
			memcpy(raw, out.data, 32);
			gnutls_free(out.data);
			n = 32;
		}
		for (i = 0; i < n; i++)
			snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02X%s", raw[i], i + 1 < n ? ":" : "");
		tls_case(MODE_STARTTLS, &srv_self, NULL, hex, -1, 0, OK_EVENTS, 0, 0);
		hex[3] = 'Z'; /* not hex, not base64 */
		{
			T t;
			xmppc_conn_config cc;
			xmppc_session_config sc;
			const char *bad[2] = {hex, NULL};
			t_init(&t);
			setup_cfg(&cc, &sc, "127.0.0.1:1", 1);
			cc.pins = bad;
			assert_int_equal(xmppc_conn_new(&t.conn, t.ctx, &cc), XMPPC_EINVAL);
			t.freed = 1;
			t_fini(&t);
		}
	}
	/* a wrong pin fails, even with a trusted chain */
	tls_case(MODE_STARTTLS, &srv_self, NULL, srv_ok.pin, -1, XMPPC_ETLS_PIN, FAIL_EVENTS, 0, 0);
	tls_case(MODE_STARTTLS, &srv_ok, ca_path, srv_wrong.pin, -1, XMPPC_ETLS_PIN, FAIL_EVENTS, 0, 0);
}

static void test_bad_config(void **state)
{
	T t;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	const char *bad_pins[2] = {"not-base64!", NULL};

	(void)state;
	t_init(&t);
	setup_cfg(&cc, &sc, "127.0.0.1:1", 1);
	cc.pins = bad_pins;
	assert_int_equal(xmppc_conn_new(&t.conn, t.ctx, &cc), XMPPC_EINVAL);
	cc.pins = NULL;
	cc.server = "[::1";
	assert_int_equal(xmppc_conn_new(&t.conn, t.ctx, &cc), XMPPC_EINVAL);
	cc.server = NULL;
	/* TLS credentials load at once, so a bad CA file fails here... */
	cc.ca_file = "/nonexistent/ca.pem";
	sc.flags = 0;
	assert_int_equal(xmppc_conn_new(&t.conn, t.ctx, &cc), XMPPC_ETLS_CONFIG);
	/* ...unless plaintext is allowed: then at the first TLS handshake */
	sc.flags = XMPPC_SESSION_ALLOW_PLAINTEXT | XMPPC_SESSION_ALLOW_PLAIN_WITHOUT_TLS;
	assert_int_equal(xmppc_conn_new(&t.conn, t.ctx, &cc), 0);
	xmppc_conn_free(t.conn);
	t.conn = NULL;
	cc.ca_file = NULL;
	cc.flags = XMPPC_CONN_DIRECT_TLS | XMPPC_CONN_NO_DIRECT_TLS;
	assert_int_equal(xmppc_conn_new(&t.conn, t.ctx, &cc), XMPPC_EINVAL);
	t.freed = 1;
	t_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_pollfds),
		cmocka_unit_test(test_login_loop),
		cmocka_unit_test(test_conn_free_while_added),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_connect_timeout),
		cmocka_unit_test(test_close_while_connecting),
		cmocka_unit_test(test_server_closes_mid_negotiation),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_redirect_loop),
		cmocka_unit_test(test_reconnect),
		cmocka_unit_test(test_free_in_callback),
		cmocka_unit_test(test_free_in_closed),
		cmocka_unit_test(test_io_hooks_contract),
		cmocka_unit_test(test_backpressure),
		cmocka_unit_test(test_tls_starttls_ok),
		cmocka_unit_test(test_tls_direct_ok),
		cmocka_unit_test(test_tls_wrong_name),
		cmocka_unit_test(test_tls_untrusted),
		cmocka_unit_test(test_tls_pins),
		cmocka_unit_test(test_tls_lazy_creds),
		cmocka_unit_test(test_bad_config),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
