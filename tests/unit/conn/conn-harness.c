/* The connection tests' harness (see conn-harness.h). */
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

#include "conn-harness.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

static void step_fake(T *t, int max_ms);

uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- certificates ---------------------------------------------------------- */


keypair ca, srv_ok, srv_wrong, srv_self;
char ca_path[256];

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

int group_setup(void **state)
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

int group_teardown(void **state)
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





static void append(char **buf, size_t *len, const char *p, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	assert_non_null(*buf);
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

void srv_start(srv *s, srv_mode mode)
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

void srv_use_cert(srv *s, const keypair *kp)
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

void srv_stop(srv *s)
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
	if (s->mode == MODE_HEADER_ERROR) {
		char e[256];
		snprintf(e, sizeof(e),
		         "<stream:error><%s xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"
		         "</stream:stream>",
		         s->header_error);
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
		cl_queue(c, s->sm ? "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
		                    "<sm xmlns='urn:xmpp:sm:3'/></stream:features>"
		                  : "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
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
			if (s->mode == MODE_AUTH_FAIL) {
				cl_queue(c, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
				            "<not-authorized/></failure>");
				c->phase = PH_READY; /* answers the client's closing tag */
				break;
			}
			cl_queue(c, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
			c->authed = 1;
			c->phase = PH_HEADER;
			break;
		case PH_BIND: {
			const char *id;
			char reply[512];
			size_t idlen;
			if (s->sm && (e = strstr(c->in, "<resume ")) != NULL) {
				if ((e = strstr(e, "/>")) == NULL)
					return;
				consume(c, e + 2);
				s->resumes++;
				cl_queue(c, s->resume_answer != NULL
				                ? s->resume_answer
				                : "<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='0'/>");
				if (s->resume_answer == NULL) {
					if (s->on_ready != NULL)
						cl_queue(c, s->on_ready);
					c->phase = PH_READY;
				}
				break;
			}
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
			s->binds++;
			if (s->sm) {
				c->phase = PH_SM_ENABLE;
				break;
			}
			if (s->on_ready != NULL)
				cl_queue(c, s->on_ready);
			c->phase = PH_READY;
			break;
		}
		case PH_SM_ENABLE:
			if ((e = strstr(c->in, "<enable ")) == NULL || (e = strstr(e, "/>")) == NULL)
				return;
			consume(c, e + 2);
			cl_queue(c, "<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>");
			if (s->on_ready != NULL)
				cl_queue(c, s->on_ready);
			c->phase = PH_READY;
			break;
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
void srv_step(srv *s)
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

void srv_drop(srv *s, int rst)
{
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		sclient *c = &s->cl[i];
		if (c->fd < 0)
			continue;
		if (rst) {
			struct linger l = {1, 0};
			setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		}
		cl_close(c);
	}
}

int srv_clients(const srv *s)
{
	int i, n = 0;

	for (i = 0; i < MAX_CLIENTS; i++)
		n += s->cl[i].fd >= 0;
	return n;
}

void srv_pollfds(srv *s, struct pollfd *p, size_t *n)
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

const char *ev_name(xmppc_conn_event_type t)
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
	case XMPPC_CONN_EVENT_DISCONNECTED: return "DISCONNECTED";
	case XMPPC_CONN_EVENT_RESUMED: return "RESUMED";
	case XMPPC_CONN_EVENT_RECONNECTING: return "RECONNECTING";
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
	if (ev->type == XMPPC_CONN_EVENT_READY) {
		t->ready++;
		assert_int_equal(xmppc_conn_get_stage(conn), XMPPC_CONN_STAGE_READY);
	}
	if (ev->type == XMPPC_CONN_EVENT_RESUMED)
		t->resumed++;
	if (ev->type == XMPPC_CONN_EVENT_DISCONNECTED) {
		assert_int_equal(xmppc_conn_get_stage(conn), XMPPC_CONN_STAGE_WAITING);
		assert_true(ev->error != 0);
		assert_non_null(ev->text);
		assert_true(ev->attempt >= 1);
		t->disc_error = ev->error;
		t->disc_stage = ev->stage;
		if (t->disconnected < MAX_RECORDED) {
			t->retry_in[t->disconnected] = ev->retry_in_ms;
			t->disc_attempt[t->disconnected] = ev->attempt;
			t->disc_at[t->disconnected] = now_ms();
		}
		t->disconnected++;
	}
	if (ev->type == XMPPC_CONN_EVENT_RECONNECTING) {
		t->rec_stage = xmppc_conn_get_stage(conn);
		if (t->reconnecting < MAX_RECORDED) {
			t->rec_attempt[t->reconnecting] = ev->attempt;
			t->rec_at[t->reconnecting] = now_ms();
		}
		t->reconnecting++;
	}
	if (ev->type == XMPPC_CONN_EVENT_CLOSED) {
		t->closed++;
		t->close_error = ev->error;
		t->close_stage = ev->stage;
		snprintf(t->close_text, sizeof(t->close_text), "%s", ev->text ? ev->text : "");
		assert_int_equal(xmppc_conn_get_stage(conn), XMPPC_CONN_STAGE_IDLE);
	}
	if (t->close_on == (int)ev->type)
		assert_int_equal(xmppc_conn_close(conn), 0);
	if (t->nc_on == (int)ev->type) {
		t->nc_on = 0;
		t->nc_rc = xmppc_conn_network_changed(conn);
	}
	if (t->free_on == (int)ev->type) {
		xmppc_conn_free(conn);
		t->freed = 1;
	}
}

int on_cert_fail(void *ud, xmppc_conn *conn, int error, const char *reason,
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

void setup_cfg(xmppc_conn_config *cc, xmppc_session_config *sc, const char *server, int plaintext)
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

void t_init(T *t)
{
	memset(t, 0, sizeof(*t));
	t->ctx = test_ctx_new(&t->alloc);
}

void t_new_conn(T *t, const xmppc_conn_config *cc)
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

void t_fini(T *t)
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


void step(T *t, int max_ms)
{
	if (t->fl != NULL)
		step_fake(t, max_ms);
	else if (t->loop != NULL)
		step_loop(t, max_ms);
	else
		step_pollfds(t, max_ms);
}


int run_until(T *t, pred_fn pred, void *arg, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	while (!pred(t, arg)) {
		if (now_ms() >= end) {
			fprintf(stderr, "run_until: timed out; events so far: %s\n", t->events);
			return 0;
		}
		step(t, STEP_MS);
	}
	return 1;
}

void run_for(T *t, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	while (now_ms() < end)
		step(t, STEP_MS);
}

int is_ready(T *t, void *arg) { (void)arg; return t->ready > 0; }
int is_closed(T *t, void *arg) { (void)arg; return t->closed > 0; }
int log_has(T *t, void *arg)
{
	srv *s = t->servers[0];
	return strstr(s->log, (const char *)arg) != NULL;
}
int nready(T *t, void *arg) { return t->ready >= *(int *)arg; }
int nmessages(T *t, void *arg) { return t->messages > *(int *)arg; }

void send_msg(T *t, const char *body, int expect)
{
	xmppc_stanza *m;

	assert_int_equal(xmppc_message_new(&m, t->ctx, XMPPC_TYPE_CHAT, "friend@example.com", body), 0);
	assert_int_equal(xmppc_session_send(xmppc_conn_session(t->conn), m), expect);
	xmppc_stanza_unref(m);
}

/* ---- fake loop on the io hooks ------------------------------------------------------ */


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

int fl_watch(void *ud, xmppc_conn *conn, int fd, unsigned events, void *fd_data)
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

void fl_timer(void *ud, xmppc_conn *conn, int64_t ms)
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


void blackhole_open(blackhole *b)
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

void blackhole_close(blackhole *b)
{
	close(b->filler);
	close(b->lfd);
}

/* A connection to a scripted server in `mode`, its io hooks recorded by
 * the fake loop fl (installed by the caller). */
void fl_conn(T *t, srv *s, fake_loop *fl, srv_mode mode)
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
