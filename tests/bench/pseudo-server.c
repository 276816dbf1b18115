/* Loopback pseudo XMPP server for the network benchmarks (doc/benchmarks.md).
 *
 * Accepts one client on 127.0.0.1 and negotiates the minimum: stream
 * header, SASL PLAIN (any credentials; no STARTTLS offered), stream
 * restart, resource binding (the client is bound as
 * bob@example.net/laptop-7f3a, the address of every generated message).
 * With --tls the whole connection is direct TLS (XEP-0368 style), with a
 * CA and a certificate for example.net generated at start-up; the CA is
 * written to --ca-out for the client to trust.
 *
 * Then, by --mode:
 *   stream  write N generated chat messages (tests/bench/gen.c) as fast as
 *           the socket takes them, then a marker message (id 'bench-end');
 *           the client answers with a message whose body is
 *           "bench-ack <messages received>". Timed from the first byte
 *           written to the ack.
 *   echo    the peer of an echo bot: keep --window messages in flight,
 *           sending one more per echo (a '</body>' counted in what the
 *           client writes) until N echoes came back. Timed from the first
 *           message to the last echo.
 *   sink    write one trigger message (id 'bench-go'), then count N
 *           message bodies written by the client. Timed from the trigger
 *           to the Nth body.
 * and then closes the stream and waits for the client to close.
 *
 * The server must never be the bottleneck: messages are generated before
 * the client connects, written with large write()s, and what the client
 * sends is only scanned for '</body>' (or the ack), never parsed.
 *
 * Output on stdout: "port P" once listening (and the CA written), then
 * "result mode=... count=N seconds=S bytes=B [acked=K]". Exit status 0,
 * 1 on failure (protocol error, timeout, short count), 2 on usage error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "benchutil.h"
#include "gen.h"

#define DOMAIN "example.net"
#define BOUND_JID "bob@example.net/laptop-7f3a"
#define CTL_JID "bench@example.net/ctl"

/* ---- transport ------------------------------------------------------------ */

static int sock = -1;
static gnutls_session_t tls;

static ssize_t tx_read(void *buf, size_t cap)
{
	for (;;) {
		ssize_t n;
		if (tls != NULL) {
			n = gnutls_record_recv(tls, buf, cap);
			if (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN)
				continue;
			if (n == GNUTLS_E_PREMATURE_TERMINATION || n == GNUTLS_E_INVALID_SESSION)
				return 0;
			if (n < 0) {
				fprintf(stderr, "pseudo-server: TLS read: %s\n", gnutls_strerror((int)n));
				return -1;
			}
			return n;
		}
		n = read(sock, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET)
			return 0;
		return n;
	}
}

static void tx_write(const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n;
		if (tls != NULL) {
			n = gnutls_record_send(tls, p, len);
			if (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN)
				continue;
			if (n < 0)
				bu_die("pseudo-server: TLS write: %s", gnutls_strerror((int)n));
		} else {
			n = write(sock, p, len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				bu_die("pseudo-server: write: %s", strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
}

static void tx_puts(const char *s)
{
	tx_write(s, strlen(s));
}

/* ---- input ------------------------------------------------------------------ */

/* Has the client sent its closing tag? Only the end of each read is looked
 * at (the tag is the last thing a client sends), with the end of the
 * previous read kept for a tag split between two reads. */
#define CLOSE_TAG "</stream:stream>"
static char last_in[64];
static size_t last_in_len;
static int peer_closed;

static void note_input(const char *data, size_t len)
{
	char w[128];
	size_t take = len < 64 ? len : 64, n;

	memcpy(w, last_in, last_in_len);
	memcpy(w + last_in_len, data + len - take, take);
	n = last_in_len + take;
	if (bu_memmem(w, n, CLOSE_TAG, sizeof(CLOSE_TAG) - 1) != NULL)
		peer_closed = 1;
	last_in_len = n < 32 ? n : 32;
	memmove(last_in, w + n - last_in_len, last_in_len);
}

/* Negotiation input: everything read so far; 'pos' is how far it has been
 * consumed. */
static bench_buf in;
static size_t pos;

static void read_more(void)
{
	char buf[65536];
	ssize_t n = tx_read(buf, sizeof(buf));

	if (n <= 0)
		bu_die("pseudo-server: client closed during negotiation");
	bench_buf_put(&in, buf, (size_t)n);
}

/* Wait until @marker appears after pos; return its offset in 'in'. */
static size_t wait_for(const char *marker)
{
	size_t ml = strlen(marker);

	for (;;) {
		const char *p = bu_memmem(in.p + pos, in.len - pos, marker, ml);
		if (p != NULL)
			return (size_t)(p - in.p);
		read_more();
	}
}

/* Wait for a complete stream header from the client and consume it. */
static void read_stream_header(void)
{
	size_t at = wait_for("<stream:stream");

	for (;;) {
		const char *gt = memchr(in.p + at, '>', in.len - at);
		if (gt != NULL) {
			pos = (size_t)(gt - in.p) + 1;
			return;
		}
		read_more();
	}
}

/* Counts '</body>' across reads. */
typedef struct {
	char tail[8];
	size_t tl;
} body_counter;

#define END_BODY "</body>"
#define END_BODY_LEN 7

static size_t count_bodies(body_counter *c, const char *data, size_t len)
{
	size_t n = 0;

	if (c->tl > 0) {
		char edge[16];
		size_t take = len < END_BODY_LEN - 1 ? len : END_BODY_LEN - 1;
		memcpy(edge, c->tail, c->tl);
		memcpy(edge + c->tl, data, take);
		/* occurrences starting in the tail (the rest are counted below) */
		for (size_t i = 0; i < c->tl; i++)
			if (c->tl + take - i >= END_BODY_LEN && memcmp(edge + i, END_BODY, END_BODY_LEN) == 0)
				n++;
	}
	n += bu_count(data, len, END_BODY, END_BODY_LEN);
	/* new tail: the last END_BODY_LEN-1 bytes of tail+data */
	if (len >= END_BODY_LEN - 1) {
		memcpy(c->tail, data + len - (END_BODY_LEN - 1), END_BODY_LEN - 1);
		c->tl = END_BODY_LEN - 1;
	} else {
		char tmp[16];
		size_t tot = c->tl + len, keep = tot < END_BODY_LEN - 1 ? tot : END_BODY_LEN - 1;
		memcpy(tmp, c->tail, c->tl);
		memcpy(tmp + c->tl, data, len);
		memcpy(c->tail, tmp + tot - keep, keep);
		c->tl = keep;
	}
	return n;
}

/* ---- TLS credentials ---------------------------------------------------------- */

static void gtcheck(int rc, const char *what)
{
	if (rc < 0)
		bu_die("pseudo-server: %s: %s", what, gnutls_strerror(rc));
}

static void make_key(gnutls_x509_privkey_t *key)
{
	gtcheck(gnutls_x509_privkey_init(key), "privkey_init");
	gtcheck(gnutls_x509_privkey_generate(*key, GNUTLS_PK_ECDSA,
	                                     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
	        "privkey_generate");
}

static void sign_with(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, gnutls_x509_privkey_t ikey)
{
	gnutls_privkey_t pk;

	gtcheck(gnutls_privkey_init(&pk), "privkey_init");
	gtcheck(gnutls_privkey_import_x509(pk, ikey, 0), "privkey_import");
	gtcheck(gnutls_x509_crt_privkey_sign(crt, issuer, pk, GNUTLS_DIG_SHA256, 0), "crt_sign");
	gnutls_privkey_deinit(pk);
}

static void base_crt(gnutls_x509_crt_t *crt, gnutls_x509_privkey_t key, unsigned char serial,
                     const char *dn)
{
	const char *err = NULL;
	time_t now = time(NULL);

	gtcheck(gnutls_x509_crt_init(crt), "crt_init");
	gtcheck(gnutls_x509_crt_set_version(*crt, 3), "crt_set_version");
	gtcheck(gnutls_x509_crt_set_serial(*crt, &serial, 1), "crt_set_serial");
	gtcheck(gnutls_x509_crt_set_activation_time(*crt, now - 3600), "crt_set_activation");
	gtcheck(gnutls_x509_crt_set_expiration_time(*crt, now + 30 * 86400), "crt_set_expiration");
	gtcheck(gnutls_x509_crt_set_dn(*crt, dn, &err), "crt_set_dn");
	gtcheck(gnutls_x509_crt_set_key(*crt, key), "crt_set_key");
}

static gnutls_certificate_credentials_t make_credentials(const char *ca_out)
{
	gnutls_x509_privkey_t cakey, key;
	gnutls_x509_crt_t ca, crt;
	gnutls_certificate_credentials_t cred;
	unsigned char kid[64];
	size_t kidlen = sizeof(kid);
	gnutls_datum_t pem;
	FILE *f;

	make_key(&cakey);
	base_crt(&ca, cakey, 1, "CN=xmppc benchmark CA");
	gtcheck(gnutls_x509_crt_set_basic_constraints(ca, 1, -1), "ca constraints");
	gtcheck(gnutls_x509_crt_set_key_usage(ca, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN),
	        "ca key usage");
	gtcheck(gnutls_x509_crt_get_key_id(ca, 0, kid, &kidlen), "ca key id");
	gtcheck(gnutls_x509_crt_set_subject_key_id(ca, kid, kidlen), "ca subject key id");
	sign_with(ca, ca, cakey);

	make_key(&key);
	base_crt(&crt, key, 2, "CN=" DOMAIN);
	gtcheck(gnutls_x509_crt_set_basic_constraints(crt, 0, -1), "constraints");
	gtcheck(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE), "key usage");
	gtcheck(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0), "purpose");
	gtcheck(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, DOMAIN, strlen(DOMAIN),
	                                             GNUTLS_FSAN_SET),
	        "san");
	gtcheck(gnutls_x509_crt_set_authority_key_id(crt, kid, kidlen), "authority key id");
	sign_with(crt, ca, cakey);

	gtcheck(gnutls_certificate_allocate_credentials(&cred), "credentials");
	gtcheck(gnutls_certificate_set_x509_key(cred, &crt, 1, key), "set_x509_key");

	gtcheck(gnutls_x509_crt_export2(ca, GNUTLS_X509_FMT_PEM, &pem), "export CA");
	f = fopen(ca_out, "w");
	if (f == NULL || fwrite(pem.data, 1, pem.size, f) != pem.size || fclose(f) != 0)
		bu_die("pseudo-server: cannot write %s: %s", ca_out, strerror(errno));
	gnutls_free(pem.data);
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(cakey);
	gnutls_x509_privkey_deinit(key);
	return cred;
}

/* ---- negotiation --------------------------------------------------------------- */

static void send_header(int n)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
	         "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
	         "xmlns:stream='http://etherx.jabber.org/streams' from='" DOMAIN "' "
	         "id='bench-%d-%ld' version='1.0' xml:lang='en'>",
	         n, (long)getpid());
	tx_puts(buf);
}

static void negotiate(void)
{
	size_t at, iq_end;
	char id[128] = "", reply[512];
	const char *p;

	read_stream_header();
	send_header(1);
	tx_puts("<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
	        "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
	at = wait_for("</auth>");
	pos = at + strlen("</auth>");
	tx_puts("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");

	read_stream_header();
	send_header(2);
	tx_puts("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>");
	iq_end = wait_for("</iq>");
	/* the bind request's id */
	p = bu_memmem(in.p + pos, iq_end - pos, "<iq", 3);
	if (p != NULL) {
		const char *tag_end = memchr(p, '>', (size_t)(in.p + iq_end - p));
		const char *q = p;
		while (tag_end != NULL && (q = bu_memmem(q, (size_t)(tag_end - q), "id=", 3)) != NULL) {
			if (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n') {
				char quote = q[3];
				const char *v = q + 4, *e = memchr(v, quote, (size_t)(tag_end - v));
				if (e != NULL && (size_t)(e - v) < sizeof(id)) {
					memcpy(id, v, (size_t)(e - v));
					id[e - v] = '\0';
				}
				break;
			}
			q += 3;
		}
	}
	if (id[0] == '\0')
		bu_die("pseudo-server: no id in the bind request");
	pos = iq_end + strlen("</iq>");
	snprintf(reply, sizeof(reply),
	         "<iq type='result' id='%s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
	         "<jid>" BOUND_JID "</jid></bind></iq>",
	         id);
	tx_puts(reply);
	if (in.len > pos)
		note_input(in.p + pos, in.len - pos);
}

/* ---- after the scenario: close ------------------------------------------------- */

static void close_stream(void)
{
	char buf[65536];

	tx_puts("</stream:stream>");
	/* Wait for the client to close (its closing tag, or EOF). */
	while (!peer_closed) {
		ssize_t n = tx_read(buf, sizeof(buf));
		if (n <= 0)
			break;
		note_input(buf, (size_t)n);
	}
	if (tls != NULL)
		gnutls_bye(tls, GNUTLS_SHUT_WR);
	close(sock);
}

/* ---- main --------------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
	        "usage: pseudo-server --mode stream|echo|sink [--count N] [--window W]\n"
	        "                     [--tls --ca-out FILE] [--port P] [--timeout S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode = NULL, *ca_out = NULL;
	long count = 200000, window = 64, timeout = 300;
	int use_tls = 0, port = 0, lfd, one = 1;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	gnutls_certificate_credentials_t cred = NULL;
	bench_buf msgs = {0};
	size_t *off = NULL;
	gen g;
	double t0, t1;
	size_t bytes = 0;
	long acked = -1;
	char rbuf[262144];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--tls") == 0) {
			use_tls = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(a, "--mode") == 0)
			mode = argv[++i];
		else if (strcmp(a, "--count") == 0)
			count = atol(argv[++i]);
		else if (strcmp(a, "--window") == 0)
			window = atol(argv[++i]);
		else if (strcmp(a, "--ca-out") == 0)
			ca_out = argv[++i];
		else if (strcmp(a, "--port") == 0)
			port = atoi(argv[++i]);
		else if (strcmp(a, "--timeout") == 0)
			timeout = atol(argv[++i]);
		else
			usage();
	}
	if (mode == NULL || count < 1 || window < 1 || (use_tls && ca_out == NULL))
		usage();
	if (strcmp(mode, "stream") != 0 && strcmp(mode, "echo") != 0 && strcmp(mode, "sink") != 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)timeout); /* a hung run fails instead of hanging the benchmark */

	/* Generate the messages before the client connects. */
	if (strcmp(mode, "sink") != 0) {
		off = malloc(((size_t)count + 1) * sizeof(*off));
		if (off == NULL)
			bu_die("pseudo-server: out of memory");
		gen_init(&g, GEN_SEED);
		for (long i = 0; i < count; i++) {
			off[i] = msgs.len;
			gen_message(&g, &msgs, NULL);
		}
		off[count] = msgs.len;
	}
	if (use_tls)
		cred = make_credentials(ca_out);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		bu_die("pseudo-server: socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 4) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0)
		bu_die("pseudo-server: bind/listen: %s", strerror(errno));
	printf("port %u\n", (unsigned)ntohs(sa.sin_port));
	fflush(stdout);

	sock = accept(lfd, NULL, NULL);
	if (sock < 0)
		bu_die("pseudo-server: accept: %s", strerror(errno));
	close(lfd);
	setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	if (use_tls) {
		int rc;
		gtcheck(gnutls_init(&tls, GNUTLS_SERVER), "gnutls_init");
		gtcheck(gnutls_set_default_priority(tls), "priority");
		gtcheck(gnutls_credentials_set(tls, GNUTLS_CRD_CERTIFICATE, cred), "credentials_set");
		gnutls_transport_set_int(tls, sock);
		do
			rc = gnutls_handshake(tls);
		while (rc < 0 && !gnutls_error_is_fatal(rc));
		gtcheck(rc, "handshake");
	}

	negotiate();

	if (strcmp(mode, "stream") == 0) {
		static const char end_msg[] =
			"<message from='" CTL_JID "' to='" BOUND_JID "' type='chat' id='bench-end'>"
			"<body>END</body></message>";
		const size_t chunk = 1 << 20;
		bench_buf tail = {0};

		t0 = bu_now();
		for (size_t o = 0; o < msgs.len; o += chunk)
			tx_write(msgs.p + o, msgs.len - o < chunk ? msgs.len - o : chunk);
		tx_write(end_msg, sizeof(end_msg) - 1);
		bytes = msgs.len;
		/* the ack: "bench-ack <count>" (what came before is in 'in') */
		bench_buf_put(&tail, in.p + pos, in.len - pos);
		for (;;) {
			const char *a = bu_memmem(tail.p, tail.len, "bench-ack ", 10);
			if (a != NULL) {
				const char *d = a + 10, *e = d;
				while (e < tail.p + tail.len && *e >= '0' && *e <= '9')
					e++;
				if (e < tail.p + tail.len && e > d) {
					acked = strtol(d, NULL, 10);
					break;
				}
			}
			ssize_t n = tx_read(rbuf, sizeof(rbuf));
			if (n <= 0)
				bu_die("pseudo-server: client closed before its ack");
			note_input(rbuf, (size_t)n);
			bench_buf_put(&tail, rbuf, (size_t)n);
		}
		t1 = bu_now();
		bench_buf_free(&tail);
	} else if (strcmp(mode, "echo") == 0) {
		body_counter bc = {{0}, 0};
		long sent = window < count ? window : count, got;

		t0 = bu_now();
		tx_write(msgs.p, off[sent]);
		got = (long)count_bodies(&bc, in.p + pos, in.len - pos);
		while (got < count) {
			ssize_t n = tx_read(rbuf, sizeof(rbuf));
			long k, m;
			if (n <= 0)
				bu_die("pseudo-server: client closed after %ld of %ld echoes", got, count);
			bytes += (size_t)n;
			note_input(rbuf, (size_t)n);
			k = (long)count_bodies(&bc, rbuf, (size_t)n);
			got += k;
			m = k < count - sent ? k : count - sent;
			if (m > 0) {
				tx_write(msgs.p + off[sent], off[sent + m] - off[sent]);
				sent += m;
			}
		}
		t1 = bu_now();
		acked = got;
	} else { /* sink */
		static const char go[] = "<message from='" CTL_JID "' to='" BOUND_JID
		                         "' type='chat' id='bench-go'><body>go</body></message>";
		body_counter bc = {{0}, 0};
		long got;

		t0 = bu_now();
		tx_write(go, sizeof(go) - 1);
		got = (long)count_bodies(&bc, in.p + pos, in.len - pos);
		while (got < count) {
			ssize_t n = tx_read(rbuf, sizeof(rbuf));
			if (n <= 0)
				bu_die("pseudo-server: client closed after %ld of %ld messages", got, count);
			bytes += (size_t)n;
			note_input(rbuf, (size_t)n);
			got += (long)count_bodies(&bc, rbuf, (size_t)n);
		}
		t1 = bu_now();
		acked = got;
	}

	printf("result mode=%s count=%ld seconds=%.6f bytes=%zu acked=%ld tls=%d\n", mode, count,
	       t1 - t0, bytes, acked, use_tls);
	fflush(stdout);
	close_stream();
	if (tls != NULL)
		gnutls_deinit(tls);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	bench_buf_free(&msgs);
	bench_buf_free(&in);
	free(off);
	return 0;
}
