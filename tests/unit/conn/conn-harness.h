/* Test harness of the connection driver tests (test-conn.c,
 * test-reconnect.c): scripted in-process XMPP servers on 127.0.0.1
 * (plaintext and GnuTLS, certificates made at test time), a client side
 * recording the connection's events, and three ways to drive both from
 * one thread: the pollfds API, xmppc_loop, and a fake loop on the io
 * hooks that checks their contract. */
#ifndef XMPPC_TEST_CONN_HARNESS_H
#define XMPPC_TEST_CONN_HARNESS_H

#include <poll.h>
#include <stdint.h>
#include <sys/types.h>

#include "testutil.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <xmppc/conn.h>
#include <xmppc/loop.h>

#define JID "user@example.com"
#define DOMAIN "example.com"
#define MAX_CLIENTS 6
#define STEP_MS 20

uint64_t now_ms(void);

/* ---- certificates ---------------------------------------------------------- */

typedef struct {
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_datum_t pem, key_pem;
	char pin[64]; /* base64(SHA-256(SPKI)) */
} keypair;

/* Made by group_setup(): a CA, a server certificate it signed for DOMAIN,
 * one for the wrong name, a self-signed one for DOMAIN; the CA in a file. */
extern keypair ca, srv_ok, srv_wrong, srv_self;
extern char ca_path[256];

int group_setup(void **state);
int group_teardown(void **state);

/* ---- the scripted server ------------------------------------------------------ */

typedef enum {
	MODE_NORMAL,          /* PLAIN, bind */
	MODE_CLOSE_AFTER_HEADER, /* TCP closed once the client's header came */
	MODE_REDIRECT,        /* see-other-host to redirect_port */
	MODE_STARTTLS,        /* STARTTLS required, then PLAIN, bind */
	MODE_DIRECT_TLS,      /* TLS from the first byte */
	MODE_SILENT,          /* accepts and reads, never answers */
	MODE_AUTH_FAIL,       /* SASL <failure><not-authorized/></failure> */
	MODE_HEADER_ERROR     /* the stream error header_error after our header */
} srv_mode;

enum { PH_HEADER, PH_STARTTLS, PH_AUTH, PH_BIND, PH_SM_ENABLE, PH_READY, PH_DONE };

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
	const char *header_error; /* MODE_HEADER_ERROR: the condition element name */
	/* XEP-0198: offer <sm/> after authentication, answer <enable/> with
	 * <enabled id='sm-1' resume='true'/> and <resume/> with
	 * resume_answer (default <resumed previd='sm-1' h='0'/>) */
	int sm;
	const char *resume_answer;
	int resumes;           /* <resume/> received */
	const keypair *cert;
	gnutls_certificate_credentials_t creds;
	sclient cl[MAX_CLIENTS];
	int accepted;
	int binds;             /* resources bound (logins) */
	int closes_seen;       /* </stream:stream> received */
	int tls_failures;      /* handshakes that failed */
	char *log;             /* every plaintext byte received, all clients */
	size_t log_len;
} srv;

void srv_start(srv *s, srv_mode mode);
void srv_use_cert(srv *s, const keypair *kp);
void srv_stop(srv *s);
/* One non-blocking step: accept, read, script, write. */
void srv_step(srv *s);
void srv_pollfds(srv *s, struct pollfd *p, size_t *n);
/* Drop every client connection without a word: a FIN, or with rst an RST
 * (SO_LINGER 0). */
void srv_drop(srv *s, int rst);
/* Clients connected now. */
int srv_clients(const srv *s);

/* ---- the client side ------------------------------------------------------------ */

typedef struct fake_loop fake_loop;

#define MAX_RECORDED 64

typedef struct T {
	test_alloc alloc;
	xmppc_ctx *ctx;
	xmppc_conn *conn;
	xmppc_loop *loop;
	fake_loop *fl;
	srv *servers[3];
	int nservers;
	char events[4096];
	int closed, close_error;
	xmppc_conn_stage close_stage;
	char close_text[256];
	int ready;
	int free_on;       /* event type that frees the conn from the callback */
	int close_on;      /* event type that closes the conn from the callback */
	int nc_on;         /* event type that calls xmppc_conn_network_changed() */
	int nc_rc;         /* what that call returned */
	int freed;
	int cert_calls, cert_error, cert_answer;
	size_t cert_der_len;
	int drains;
	int messages;
	/* reconnection */
	int disconnected, reconnecting, resumed;
	int disc_error;                 /* of the last DISCONNECTED */
	xmppc_conn_stage disc_stage;
	uint32_t retry_in[MAX_RECORDED]; /* each DISCONNECTED's retry_in_ms */
	unsigned disc_attempt[MAX_RECORDED];
	uint64_t disc_at[MAX_RECORDED];  /* when it came (now_ms()) */
	unsigned rec_attempt[MAX_RECORDED]; /* each RECONNECTING's attempt */
	uint64_t rec_at[MAX_RECORDED];
	xmppc_conn_stage rec_stage;     /* stage seen during RECONNECTING */
} T;

const char *ev_name(xmppc_conn_event_type t);
int on_cert_fail(void *ud, xmppc_conn *conn, int error, const char *reason,
                 const unsigned char *der, size_t len);
void setup_cfg(xmppc_conn_config *cc, xmppc_session_config *sc, const char *server, int plaintext);
void t_init(T *t);
/* xmppc_conn_new() with the event callback, a drain callback and a
 * message observer counting into t. */
void t_new_conn(T *t, const xmppc_conn_config *cc);
/* Free what is left and check that no allocation is alive. */
void t_fini(T *t);

/* Drive the client (by the pollfds API, t->loop or t->fl) and the servers
 * once, waiting at most max_ms. */
void step(T *t, int max_ms);
typedef int (*pred_fn)(T *t, void *arg);
int run_until(T *t, pred_fn pred, void *arg, int timeout_ms);
void run_for(T *t, int ms);

int is_ready(T *t, void *arg);
int is_closed(T *t, void *arg);
int log_has(T *t, void *arg);  /* servers[0]'s log has the string */
int nready(T *t, void *arg);   /* at least *(int *)arg READY events */
int nmessages(T *t, void *arg);

void send_msg(T *t, const char *body, int expect);

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

int fl_watch(void *ud, xmppc_conn *conn, int fd, unsigned events, void *fd_data);
void fl_timer(void *ud, xmppc_conn *conn, int64_t ms);

/* A connection to a scripted server in `mode`, its io hooks recorded by
 * the fake loop fl (installed by the caller). */
void fl_conn(T *t, srv *s, fake_loop *fl, srv_mode mode);

/* ---- a TCP black hole ------------------------------------------------------------ */

/* A listener with backlog 0 whose queue is full drops SYNs: a TCP
 * connection attempt that never completes. */
typedef struct {
	int lfd, filler;
	unsigned port;
} blackhole;

void blackhole_open(blackhole *b);
void blackhole_close(blackhole *b);

#endif
