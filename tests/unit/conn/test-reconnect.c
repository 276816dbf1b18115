/* The reconnection manager (lib/net/reconnect.c) against the scripted
 * servers of conn-harness.c: reconnection after the server drops the
 * connection (FIN and RST, under each way of driving a connection), the
 * give-up policy (credentials, certificates, conflict, host-unknown, the
 * application's close, max_attempts), the backoff bounds and their reset
 * after a stable connection, a network change while waiting and while
 * READY (the stream is not closed: it stays resumable), close and free
 * while waiting and from callbacks, resumption (XEP-0198) through the
 * manager, the offline queue (a message sent while waiting reaches the
 * server after the next login), TCP keepalive on the stream socket. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "conn-harness.h"
#include "util/random.h"

#include <xmppc/sm.h>

enum { DRV_POLLFDS, DRV_LOOP, DRV_FAKE };

/* ---- randomness under control ------------------------------------------------------ */

/* The backoff draws 8 bytes; with `forced_wait` set, that draw gives the
 * longest wait of the step (r % (d - lo + 1) == d - lo for r = d - lo on
 * the first step, where lo = 0), so a test can be sure of a long WAITING
 * stage. Other draws (stanza ids) stay distinct. */
static uint64_t forced_wait;
static uint64_t fill_counter;

static void forced_fill(void *ud, void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t i;

	(void)ud;
	if (n == sizeof(uint64_t)) {
		memcpy(buf, &forced_wait, sizeof(forced_wait));
		return;
	}
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(++fill_counter * 0x9e3779b1u >> 13);
}

static void force_first_wait(uint64_t ms)
{
	forced_wait = ms;
	xmppc__random_set_override(forced_fill, NULL);
}

static int restore_random(void **state)
{
	(void)state;
	xmppc__random_set_override(NULL, NULL);
	return 0;
}

/* ---- set-up ------------------------------------------------------------------------- */

static void rc_config(xmppc_reconnect_config *rc, uint32_t base, uint32_t max)
{
	memset(rc, 0, sizeof(*rc));
	rc->version = XMPPC_RECONNECT_CONFIG_VERSION;
	rc->base_ms = base;
	rc->max_ms = max;
}

/* A connection with reconnection `rc` (NULL: off) to the scripted server s
 * (started here in `mode`), driven by `drv` (fl for DRV_FAKE). */
static void rc_conn(T *t, srv *s, srv_mode mode, int drv, fake_loop *fl,
                    const xmppc_reconnect_config *rc)
{
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];

	t_init(t);
	srv_start(s, mode);
	t->servers[t->nservers++] = s;
	snprintf(server, sizeof(server), "127.0.0.1:%u", s->port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(t, &cc);
	if (rc != NULL)
		assert_int_equal(xmppc_conn_set_reconnect(t->conn, rc), 0);
	if (drv == DRV_LOOP) {
		assert_int_equal(xmppc_loop_new(&t->loop, t->ctx, 0), 0);
		assert_int_equal(xmppc_loop_add(t->loop, t->conn), 0);
	} else if (drv == DRV_FAKE) {
		xmppc_io_hooks h = {XMPPC_IO_HOOKS_VERSION, fl_watch, fl_timer, NULL};
		memset(fl, 0, sizeof(*fl));
		fl->timer = -1;
		t->fl = fl;
		assert_int_equal(xmppc_conn_set_io_hooks(t->conn, &h, fl), 0);
	}
}

/* A port on 127.0.0.1 that refuses connections (bound, not listening):
 * keep the returned fd open while it is used. */
static int refusing_port(unsigned *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static int is_disconnected(T *t, void *arg) { (void)arg; return t->disconnected > 0; }
static int ndisconnected(T *t, void *arg) { return t->disconnected >= *(int *)arg; }

#define LOGIN "CONNECTING,CONNECTED,AUTHENTICATED,READY"

/* ---- reconnection after a drop ---------------------------------------------------------- */

static void drop_case(int drv, int rst)
{
	T t;
	srv s;
	fake_loop fl;
	xmppc_reconnect_config rc;
	int two = 2;

	rc_config(&rc, 20, 100);
	rc_conn(&t, &s, MODE_NORMAL, drv, &fl, &rc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	srv_drop(&s, rst);
	assert_true(run_until(&t, nready, &two, 5000));
	assert_string_equal(t.events, LOGIN ",DISCONNECTED,RECONNECTING," LOGIN);
	assert_int_equal(t.disc_error, rst ? XMPPC_ETCP_RESET : XMPPC_ETCP_EOF);
	assert_int_equal(t.disc_stage, XMPPC_CONN_STAGE_READY);
	assert_true(t.retry_in[0] <= 20);
	assert_int_equal(t.disc_attempt[0], 1);
	assert_int_equal(t.rec_attempt[0], 1);
	assert_int_equal(t.rec_stage, XMPPC_CONN_STAGE_WAITING);
	/* the wait was kept (both clocks are CLOCK_MONOTONIC in ms) */
	assert_true(t.rec_at[0] + 1 >= t.disc_at[0] + t.retry_in[0]);
	/* a second login on a second TCP connection */
	assert_int_equal(s.accepted, 2);
	assert_int_equal(s.binds, 2);
	assert_int_equal(count(s.log, "<auth "), 2);
	assert_int_equal(t.closed, 0);
	send_msg(&t, "after the drop", 0);
	assert_true(run_until(&t, log_has, (void *)"after the drop</body>", 5000));
	/* the application's close is final */
	assert_int_equal(xmppc_conn_close(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.close_error, 0);
	assert_int_equal(s.closes_seen, 1);
	run_for(&t, 100);
	assert_int_equal(t.closed, 1);
	assert_int_equal(s.accepted, 2);
	if (drv == DRV_FAKE) {
		assert_int_equal(fl.n, 0);
		assert_int_equal(fl.timer, -1);
		assert_int_equal(fl.violations, 0);
	}
	t_fini(&t);
}

static void test_drop_eof_pollfds(void **state) { (void)state; drop_case(DRV_POLLFDS, 0); }
static void test_drop_rst_pollfds(void **state) { (void)state; drop_case(DRV_POLLFDS, 1); }
static void test_drop_eof_loop(void **state) { (void)state; drop_case(DRV_LOOP, 0); }
static void test_drop_rst_loop(void **state) { (void)state; drop_case(DRV_LOOP, 1); }
static void test_drop_eof_hooks(void **state) { (void)state; drop_case(DRV_FAKE, 0); }
static void test_drop_rst_hooks(void **state) { (void)state; drop_case(DRV_FAKE, 1); }

/* Reconnection also covers the first connection: a server that is not up
 * yet is tried again until it is. */
static void test_first_connect_retried(void **state)
{
	T t;
	srv s;
	xmppc_reconnect_config rc;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];
	unsigned port;
	int fd = refusing_port(&port), three = 3;

	(void)state;
	t_init(&t);
	snprintf(server, sizeof(server), "127.0.0.1:%u", port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	rc_config(&rc, 10, 40);
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, &rc), 0);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, ndisconnected, &three, 5000));
	assert_int_equal(t.disc_error, XMPPC_ETCP_REFUSED);
	assert_int_equal(t.disc_stage, XMPPC_CONN_STAGE_TCP);
	assert_int_equal(t.closed, 0);
	/* the server comes up on that port */
	close(fd);
	srv_start(&s, MODE_NORMAL);
	{
		/* srv_start took any port: move its listener to ours */
		struct sockaddr_in sa;
		int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sa.sin_port = htons((uint16_t)port);
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(listen(lfd, 8), 0);
		close(s.lfd);
		s.lfd = lfd;
		s.port = port;
	}
	t.servers[t.nservers++] = &s;
	assert_true(run_until(&t, is_ready, NULL, 5000));
	assert_int_equal(t.closed, 0);
	assert_int_equal(s.binds, 1);
	t_fini(&t);
}

/* ---- no reconnection ------------------------------------------------------------------- */

/* The connection must end for good with `error`: CLOSED, no DISCONNECTED,
 * and no further connection to the server. */
static void expect_final(T *t, srv *s, int error)
{
	assert_true(run_until(t, is_closed, NULL, 10000));
	assert_int_equal(t->close_error, error);
	assert_int_equal(t->disconnected, 0);
	assert_int_equal(t->reconnecting, 0);
	assert_int_equal(xmppc_conn_get_stage(t->conn), XMPPC_CONN_STAGE_IDLE);
	run_for(t, 150);
	assert_int_equal(t->closed, 1);
	assert_int_equal(s->accepted, 1);
	assert_null(strstr(t->events, "DISCONNECTED"));
}

static void test_no_retry_not_authorized(void **state)
{
	T t;
	srv s;
	xmppc_reconnect_config rc;

	(void)state;
	rc_config(&rc, 10, 20);
	rc_conn(&t, &s, MODE_AUTH_FAIL, DRV_POLLFDS, NULL, &rc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	expect_final(&t, &s, XMPPC_EAUTH_NOT_AUTHORIZED);
	assert_int_equal(t.close_stage, XMPPC_CONN_STAGE_AUTH);
	t_fini(&t);
}

static void test_no_retry_untrusted_cert(void **state)
{
	T t;
	srv s;
	xmppc_reconnect_config rc;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];

	(void)state;
	t_init(&t);
	srv_start(&s, MODE_STARTTLS);
	srv_use_cert(&s, &srv_self);
	t.servers[t.nservers++] = &s;
	snprintf(server, sizeof(server), "127.0.0.1:%u", s.port);
	setup_cfg(&cc, &sc, server, 0);
	cc.ca_file = ca_path;
	t_new_conn(&t, &cc);
	rc_config(&rc, 10, 20);
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, &rc), 0);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	expect_final(&t, &s, XMPPC_ETLS_CERT_UNTRUSTED);
	assert_int_equal(t.close_stage, XMPPC_CONN_STAGE_TLS);
	assert_null(strstr(s.log, "<auth"));
	t_fini(&t);
}

static void test_no_retry_conflict(void **state)
{
	T t;
	srv s;
	xmppc_reconnect_config rc;

	(void)state;
	rc_config(&rc, 10, 20);
	rc_conn(&t, &s, MODE_NORMAL, DRV_POLLFDS, NULL, &rc);
	/* another client took the resource over (RFC 6120 §4.9.3.3) */
	s.on_ready = "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
	             "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Replaced by new connection</text>"
	             "</stream:error></stream:stream>";
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	expect_final(&t, &s, XMPPC_ESTREAM_ERROR);
	assert_string_equal(t.events, LOGIN ",STREAM_ERROR,CLOSED");
	assert_non_null(strstr(t.close_text, "conflict"));
	t_fini(&t);
}

static void test_no_retry_host_unknown(void **state)
{
	T t;
	srv s;
	xmppc_reconnect_config rc;

	(void)state;
	rc_config(&rc, 10, 20);
	rc_conn(&t, &s, MODE_HEADER_ERROR, DRV_POLLFDS, NULL, &rc);
	s.header_error = "host-unknown";
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	expect_final(&t, &s, XMPPC_ESTREAM_ERROR);
	assert_string_equal(t.events, "CONNECTING,CONNECTED,STREAM_ERROR,CLOSED");
	assert_non_null(strstr(t.close_text, "host-unknown"));
	t_fini(&t);
}

/* Other stream errors are retried: system-shutdown (a server restart). */
static void test_retry_system_shutdown(void **state)
{
	T t;
	srv s;
	xmppc_reconnect_config rc;
	int two = 2;

	(void)state;
	rc_config(&rc, 10, 20);
	rc_conn(&t, &s, MODE_HEADER_ERROR, DRV_POLLFDS, NULL, &rc);
	s.header_error = "system-shutdown";
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, ndisconnected, &two, 5000));
	assert_int_equal(t.disc_error, XMPPC_ESTREAM_ERROR);
	/* the server is back to normal */
	s.mode = MODE_NORMAL;
	assert_true(run_until(&t, is_ready, NULL, 5000));
	assert_int_equal(t.closed, 0);
	t_fini(&t);
}

static void test_no_retry_app_close(void **state)
{
	T t;
	srv s;
	xmppc_reconnect_config rc;

	(void)state;
	rc_config(&rc, 10, 20);
	rc_conn(&t, &s, MODE_NORMAL, DRV_POLLFDS, NULL, &rc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	assert_int_equal(xmppc_conn_close(t.conn), 0);
	expect_final(&t, &s, 0);
	assert_int_equal(s.closes_seen, 1);
	assert_string_equal(t.events, LOGIN ",CLOSED");
	t_fini(&t);

	/* from a callback, before the stream is up */
	rc_conn(&t, &s, MODE_NORMAL, DRV_POLLFDS, NULL, &rc);
	t.close_on = XMPPC_CONN_EVENT_CONNECTED;
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	expect_final(&t, &s, 0);
	assert_string_equal(t.events, "CONNECTING,CONNECTED,CLOSED");
	t_fini(&t);

	/* and from READY: the closing handshake, then the end */
	rc_conn(&t, &s, MODE_NORMAL, DRV_POLLFDS, NULL, &rc);
	t.close_on = XMPPC_CONN_EVENT_READY;
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	expect_final(&t, &s, 0);
	assert_string_equal(t.events, LOGIN ",CLOSED");
	t_fini(&t);
}

/* Without reconnection (the default) a drop is CLOSED, as before. */
static void test_off_by_default(void **state)
{
	T t;
	srv s;

	(void)state;
	rc_conn(&t, &s, MODE_NORMAL, DRV_POLLFDS, NULL, NULL);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	srv_drop(&s, 0);
	expect_final(&t, &s, XMPPC_ETCP_EOF);
	t_fini(&t);
}

/* ---- backoff ----------------------------------------------------------------------- */

/* Refused connections, base 20 ms, cap 100 ms: the n-th wait within
 * [0, 20] (n = 0), then [d/2, d] with d = min(100, 20 * 2^n); and
 * max_attempts 8 gives up with CLOSED. */
static void test_backoff_bounds(void **state)
{
	T t;
	xmppc_reconnect_config rc;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];
	unsigned port, i;
	int fd = refusing_port(&port), below = 0;

	(void)state;
	t_init(&t);
	snprintf(server, sizeof(server), "127.0.0.1:%u", port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	rc_config(&rc, 20, 100);
	rc.max_attempts = 8;
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, &rc), 0);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 10000));
	assert_int_equal(t.close_error, XMPPC_ETCP_REFUSED);
	assert_int_equal(t.close_stage, XMPPC_CONN_STAGE_TCP);
	assert_int_equal(t.disconnected, 8);
	assert_int_equal(t.reconnecting, 8);
	for (i = 0; i < 8; i++) {
		uint32_t d = 20u << i, lo;
		if (d > 100)
			d = 100;
		lo = i == 0 ? 0 : d / 2;
		if (t.retry_in[i] < lo || t.retry_in[i] > d)
			fprintf(stderr, "wait %u: %u ms, expected [%u, %u]\n", i, t.retry_in[i], lo, d);
		assert_true(t.retry_in[i] >= lo && t.retry_in[i] <= d);
		below += t.retry_in[i] < d;
		assert_int_equal(t.disc_attempt[i], i + 1);
		assert_int_equal(t.rec_attempt[i], i + 1);
		/* and it was waited for */
		assert_true(t.rec_at[i] + 1 >= t.disc_at[i] + t.retry_in[i]);
	}
	assert_true(below > 0); /* jitter: not every wait is the longest */
	assert_int_equal(count(t.events, "CONNECTING,"), 9 + 8 /* RECONNECTING */);
	close(fd);
	t_fini(&t);
}

/* max_attempts 0 is forever, and 3 is three reconnection attempts. */
static void test_max_attempts(void **state)
{
	T t;
	xmppc_reconnect_config rc;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];
	unsigned port;
	int fd = refusing_port(&port), twelve = 12;

	(void)state;
	t_init(&t);
	snprintf(server, sizeof(server), "127.0.0.1:%u", port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	rc_config(&rc, 2, 4);
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, &rc), 0);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, ndisconnected, &twelve, 5000));
	assert_int_equal(t.closed, 0);
	/* a lower limit now: counted from the start of the run */
	rc.max_attempts = 3;
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, &rc), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.close_error, XMPPC_ETCP_REFUSED);
	t_fini(&t);

	t_init(&t);
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, &rc), 0);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_string_equal(t.events, "CONNECTING,DISCONNECTED,RECONNECTING,"
	                              "CONNECTING,DISCONNECTED,RECONNECTING,"
	                              "CONNECTING,DISCONNECTED,RECONNECTING,"
	                              "CONNECTING,CLOSED");
	/* connect again after the end: a new run */
	t.events[0] = '\0';
	t.closed = 0;
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(count(t.events, "RECONNECTING"), 3);
	close(fd);
	t_fini(&t);
}

/* A connection READY for stable_ms when it drops resets the count; one
 * that drops sooner does not. */
static void test_stable_reset(void **state)
{
	T t;
	srv s;
	xmppc_reconnect_config rc;
	int n;

	(void)state;
	rc_config(&rc, 20, 1000);
	rc.stable_ms = 150;
	rc_conn(&t, &s, MODE_NORMAL, DRV_POLLFDS, NULL, &rc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	for (n = 1; n <= 2; n++) {
		/* READY, dropped at once */
		assert_true(run_until(&t, nready, &n, 5000));
		srv_drop(&s, 0);
		assert_true(run_until(&t, ndisconnected, &n, 5000));
	}
	assert_int_equal(t.disc_attempt[0], 1);
	assert_true(t.retry_in[0] <= 20);
	assert_int_equal(t.disc_attempt[1], 2);
	assert_true(t.retry_in[1] >= 20 && t.retry_in[1] <= 40);
	/* READY again, long enough this time */
	assert_true(run_until(&t, nready, &n, 5000));
	run_for(&t, 250);
	srv_drop(&s, 1);
	assert_true(run_until(&t, ndisconnected, &n, 5000));
	assert_int_equal(t.disc_attempt[2], 1);
	assert_true(t.retry_in[2] <= 20);
	n = 4;
	assert_true(run_until(&t, nready, &n, 5000));
	t_fini(&t);
}

/* ---- network changes ------------------------------------------------------------------ */

/* While waiting (a wait of 10 s): the attempt starts at once. */
static void test_network_changed_waiting(void **state)
{
	T t;
	srv s;
	fake_loop fl;
	xmppc_reconnect_config rc;
	uint64_t t0;
	int two = 2;

	(void)state;
	force_first_wait(10000);
	rc_config(&rc, 10000, 60000);
	rc_conn(&t, &s, MODE_NORMAL, DRV_FAKE, &fl, &rc);
	assert_int_equal(xmppc_conn_network_changed(t.conn), XMPPC_ESTATE); /* idle */
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	srv_drop(&s, 0);
	assert_true(run_until(&t, is_disconnected, NULL, 5000));
	assert_int_equal(t.retry_in[0], 10000);
	assert_int_equal(xmppc_conn_get_stage(t.conn), XMPPC_CONN_STAGE_WAITING);
	/* waiting: no fd, one timer */
	assert_int_equal(fl.n, 0);
	assert_true(fl.timer > 9000 && fl.timer <= 10000);
	t0 = now_ms();
	assert_int_equal(xmppc_conn_network_changed(t.conn), 0);
	assert_int_equal(t.reconnecting, 1); /* from inside the call */
	assert_int_equal(t.rec_attempt[0], 1);
	assert_true(run_until(&t, nready, &two, 5000));
	assert_true(now_ms() - t0 < 3000);
	assert_int_equal(s.accepted, 2);
	assert_int_equal(fl.violations, 0);
	t_fini(&t);

	/* The backoff starts again from its first step: three failures in a
	 * row (waits of 1, 11 and 24 ms with this draw), then a change. */
	rc_config(&rc, 10, 60000);
	rc_conn(&t, &s, MODE_CLOSE_AFTER_HEADER, DRV_FAKE, &fl, &rc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	two = 3;
	assert_true(run_until(&t, ndisconnected, &two, 5000));
	assert_int_equal(t.disc_attempt[2], 3);
	assert_int_equal(xmppc_conn_get_stage(t.conn), XMPPC_CONN_STAGE_WAITING);
	s.mode = MODE_NORMAL;
	assert_int_equal(xmppc_conn_network_changed(t.conn), 0);
	assert_int_equal(t.reconnecting, 3);
	assert_int_equal(t.rec_attempt[2], 1);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	assert_int_equal(fl.violations, 0);
	t_fini(&t);
	restore_random(NULL);
}

/* While READY: the transport goes without a closing tag (the stream stays
 * resumable) and a new connection starts at once, also with reconnection
 * off and also when asked from a callback. */
static void nc_ready_case(int drv, const xmppc_reconnect_config *rc, int from_callback)
{
	T t;
	srv s;
	fake_loop fl;
	int two = 2;

	rc_conn(&t, &s, MODE_NORMAL, drv, &fl, rc);
	if (from_callback) {
		t.nc_on = XMPPC_CONN_EVENT_READY;
		t.nc_rc = 99;
	}
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	if (!from_callback)
		assert_int_equal(xmppc_conn_network_changed(t.conn), 0);
	else
		assert_int_equal(t.nc_rc, 0);
	assert_true(run_until(&t, nready, &two, 5000));
	assert_string_equal(t.events, LOGIN ",DISCONNECTED,RECONNECTING," LOGIN);
	assert_int_equal(t.disc_error, XMPPC_ETCP_RESET);
	assert_int_equal(t.disc_stage, XMPPC_CONN_STAGE_READY);
	assert_int_equal(t.retry_in[0], 0);
	assert_int_equal(t.disc_attempt[0], 1);
	run_for(&t, 50);
	/* nothing closed the stream */
	assert_int_equal(s.closes_seen, 0);
	assert_null(strstr(s.log, "</stream:stream>"));
	assert_int_equal(s.accepted, 2);
	assert_int_equal(s.binds, 2);
	assert_int_equal(t.closed, 0);
	if (drv == DRV_FAKE)
		assert_int_equal(fl.violations, 0);
	t_fini(&t);
}

static void test_network_changed_ready(void **state)
{
	xmppc_reconnect_config rc;

	(void)state;
	rc_config(&rc, 5000, 10000);
	nc_ready_case(DRV_POLLFDS, &rc, 0);
	nc_ready_case(DRV_FAKE, &rc, 0);
	nc_ready_case(DRV_LOOP, &rc, 1);
	nc_ready_case(DRV_POLLFDS, NULL, 0); /* reconnection off */
	nc_ready_case(DRV_FAKE, NULL, 1);
}

/* While a TCP attempt hangs: dropped and started again. */
static void test_network_changed_connecting(void **state)
{
	T t;
	fake_loop fl;
	blackhole b;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	xmppc_io_hooks h = {XMPPC_IO_HOOKS_VERSION, fl_watch, fl_timer, NULL};
	char server[64];

	(void)state;
	t_init(&t);
	memset(&fl, 0, sizeof(fl));
	fl.timer = -1;
	t.fl = &fl;
	blackhole_open(&b);
	snprintf(server, sizeof(server), "127.0.0.1:%u", b.port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	assert_int_equal(xmppc_conn_set_io_hooks(t.conn, &h, &fl), 0);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	run_for(&t, 50);
	assert_int_equal(xmppc_conn_get_stage(t.conn), XMPPC_CONN_STAGE_TCP);
	assert_int_equal(xmppc_conn_network_changed(t.conn), 0);
	run_for(&t, 50);
	assert_string_equal(t.events, "CONNECTING,DISCONNECTED,RECONNECTING,CONNECTING");
	assert_int_equal(t.disc_stage, XMPPC_CONN_STAGE_TCP);
	assert_int_equal(t.disc_error, XMPPC_ETCP_RESET);
	assert_int_equal(xmppc_conn_get_stage(t.conn), XMPPC_CONN_STAGE_TCP);
	assert_int_equal(fl.n, 1);
	assert_int_equal(fl.violations, 0);
	t_fini(&t);
	blackhole_close(&b);
}

/* ---- close, connect, free, turn off while waiting ------------------------------------------- */

/* A connection READY and then dropped, waiting 10 s for its retry. */
static void waiting_conn(T *t, srv *s, fake_loop *fl)
{
	xmppc_reconnect_config rc;

	force_first_wait(10000);
	rc_config(&rc, 10000, 60000);
	rc_conn(t, s, MODE_NORMAL, DRV_FAKE, fl, &rc);
	assert_int_equal(xmppc_conn_connect(t->conn), 0);
	assert_true(run_until(t, is_ready, NULL, 5000));
	srv_drop(s, 0);
	assert_true(run_until(t, is_disconnected, NULL, 5000));
	assert_int_equal(xmppc_conn_get_stage(t->conn), XMPPC_CONN_STAGE_WAITING);
	assert_int_equal(fl->n, 0);
	assert_true(fl->timer > 0);
}

static void test_close_while_waiting(void **state)
{
	T t;
	srv s;
	fake_loop fl;
	xmppc_conn_error e = {XMPPC_CONN_ERROR_VERSION, 0, 0, NULL};

	(void)state;
	waiting_conn(&t, &s, &fl);
	assert_int_equal(xmppc_conn_last_error(&e, t.conn), 0);
	assert_int_equal(e.code, XMPPC_ETCP_EOF);
	assert_int_equal(xmppc_conn_close(t.conn), 0);
	/* at once, from inside the call */
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.close_error, 0);
	assert_int_equal(t.close_stage, XMPPC_CONN_STAGE_WAITING);
	assert_int_equal(xmppc_conn_get_stage(t.conn), XMPPC_CONN_STAGE_IDLE);
	assert_int_equal(fl.timer, -1);
	assert_int_equal(xmppc_conn_last_error(&e, t.conn), 0);
	assert_int_equal(e.code, 0);
	assert_int_equal(xmppc_conn_network_changed(t.conn), XMPPC_ESTATE);
	assert_int_equal(xmppc_conn_close(t.conn), 0); /* idle: nothing */
	run_for(&t, 100);
	assert_string_equal(t.events, LOGIN ",DISCONNECTED,CLOSED");
	assert_int_equal(s.accepted, 1);
	t_fini(&t);
	restore_random(NULL);

	/* from the DISCONNECTED callback */
	force_first_wait(10000);
	{
		xmppc_reconnect_config rc;
		rc_config(&rc, 10000, 60000);
		rc_conn(&t, &s, MODE_NORMAL, DRV_FAKE, &fl, &rc);
	}
	t.close_on = XMPPC_CONN_EVENT_DISCONNECTED;
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	srv_drop(&s, 1);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.close_error, 0);
	assert_string_equal(t.events, LOGIN ",DISCONNECTED,CLOSED");
	assert_int_equal(fl.timer, -1);
	assert_int_equal(fl.n, 0);
	t_fini(&t);
	restore_random(NULL);
}

static void test_connect_while_waiting(void **state)
{
	T t;
	srv s;
	fake_loop fl;
	int two = 2;

	(void)state;
	waiting_conn(&t, &s, &fl);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_int_equal(t.reconnecting, 1);
	assert_int_equal(xmppc_conn_connect(t.conn), XMPPC_ESTATE); /* connecting now */
	assert_true(run_until(&t, nready, &two, 5000));
	assert_int_equal(fl.violations, 0);
	t_fini(&t);
	restore_random(NULL);
}

static void test_off_while_waiting(void **state)
{
	T t;
	srv s;
	fake_loop fl;

	(void)state;
	waiting_conn(&t, &s, &fl);
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, NULL), 0);
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.close_error, XMPPC_ETCP_EOF);
	assert_int_equal(t.close_stage, XMPPC_CONN_STAGE_READY);
	assert_int_equal(fl.timer, -1);
	t_fini(&t);
	restore_random(NULL);
}

static void test_free_while_waiting(void **state)
{
	T t;
	srv s;
	fake_loop fl;

	(void)state;
	waiting_conn(&t, &s, &fl);
	xmppc_conn_free(t.conn);
	t.freed = 1;
	assert_int_equal(fl.n, 0);
	assert_int_equal(fl.timer, -1);
	assert_int_equal(fl.violations, 0);
	t_fini(&t);
	restore_random(NULL);
}

/* Freed from the DISCONNECTED and RECONNECTING callbacks (deferred until
 * the call returns), and from CLOSED after giving up. */
static void free_on_case(int event, int rst)
{
	T t;
	srv s;
	fake_loop fl;
	xmppc_reconnect_config rc;

	rc_config(&rc, 5, 10);
	rc_conn(&t, &s, MODE_NORMAL, DRV_FAKE, &fl, &rc);
	t.free_on = event;
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	srv_drop(&s, rst);
	assert_true(run_until(&t, is_disconnected, NULL, 5000));
	if (event == XMPPC_CONN_EVENT_RECONNECTING) {
		uint64_t end = now_ms() + 5000;
		while (!t.freed && now_ms() < end)
			step(&t, STEP_MS);
	}
	assert_true(t.freed);
	assert_int_equal(fl.n, 0);
	assert_int_equal(fl.timer, -1);
	assert_int_equal(fl.violations, 0);
	run_for(&t, 50);
	t_fini(&t);
}

static void test_free_in_callbacks(void **state)
{
	T t;
	xmppc_reconnect_config rc;
	xmppc_conn_config cc;
	xmppc_session_config sc;
	char server[64];
	unsigned port;
	int fd;

	(void)state;
	free_on_case(XMPPC_CONN_EVENT_DISCONNECTED, 0);
	free_on_case(XMPPC_CONN_EVENT_DISCONNECTED, 1);
	free_on_case(XMPPC_CONN_EVENT_RECONNECTING, 0);
	/* from CLOSED after max_attempts */
	fd = refusing_port(&port);
	t_init(&t);
	snprintf(server, sizeof(server), "127.0.0.1:%u", port);
	setup_cfg(&cc, &sc, server, 1);
	t_new_conn(&t, &cc);
	rc_config(&rc, 2, 4);
	rc.max_attempts = 2;
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, &rc), 0);
	t.free_on = XMPPC_CONN_EVENT_CLOSED;
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_true(t.freed);
	t_fini(&t);
	close(fd);
}

/* ---- TCP keepalive ----------------------------------------------------------------- */

static int sockopt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	assert_int_equal(getsockopt(fd, level, name, &v, &len), 0);
	return v;
}

static void test_tcp_keepalive(void **state)
{
	T t;
	srv s;
	struct pollfd p[4];
	size_t n = 0;

	(void)state;
	rc_conn(&t, &s, MODE_NORMAL, DRV_POLLFDS, NULL, NULL);
	assert_int_equal(xmppc_conn_set_tcp_keepalive(NULL, 1, 1, 1), XMPPC_EINVAL);
	assert_int_equal(xmppc_conn_set_tcp_keepalive(t.conn, 40000, 1, 1), XMPPC_EINVAL);
	assert_int_equal(xmppc_conn_set_tcp_keepalive(t.conn, 1, 1, 200), XMPPC_EINVAL);
	assert_int_equal(xmppc_conn_set_tcp_keepalive(t.conn, 30, 5, 4), 0);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	assert_int_equal(xmppc_conn_get_pollfds(t.conn, p, 4, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_true(sockopt(p[0].fd, SOL_SOCKET, SO_KEEPALIVE) != 0);
	assert_int_equal(sockopt(p[0].fd, IPPROTO_TCP, TCP_KEEPIDLE), 30);
	assert_int_equal(sockopt(p[0].fd, IPPROTO_TCP, TCP_KEEPINTVL), 5);
	assert_int_equal(sockopt(p[0].fd, IPPROTO_TCP, TCP_KEEPCNT), 4);
	/* off, on the current socket too */
	assert_int_equal(xmppc_conn_set_tcp_keepalive(t.conn, 0, 0, 0), 0);
	assert_int_equal(sockopt(p[0].fd, SOL_SOCKET, SO_KEEPALIVE), 0);
	t_fini(&t);
}

/* ---- arguments ------------------------------------------------------------------------ */

static void test_bad_args(void **state)
{
	T t;
	srv s;
	xmppc_reconnect_config rc;

	(void)state;
	rc_conn(&t, &s, MODE_NORMAL, DRV_POLLFDS, NULL, NULL);
	rc_config(&rc, 0, 0);
	assert_int_equal(xmppc_conn_set_reconnect(NULL, &rc), XMPPC_EINVAL);
	rc.version = 99;
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, &rc), XMPPC_EINVAL);
	rc.version = XMPPC_RECONNECT_CONFIG_VERSION;
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, &rc), 0); /* all defaults */
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, NULL), 0);
	assert_int_equal(xmppc_conn_set_reconnect(t.conn, NULL), 0);
	assert_int_equal(xmppc_conn_network_changed(NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_conn_network_changed(t.conn), XMPPC_ESTATE);
	t_fini(&t);
}

/* ---- stream management -------------------------------------------------------------- */

static struct {
	int acked, returned, discarded;
	int returned_after_closed; /* RETURNED after the CLOSED event: too late */
} acks;

static void on_ack(void *ud, xmppc_session *s, const xmppc_sm_item *it)
{
	T *t = ud;

	(void)s;
	if (it->status == XMPPC_SM_ACKED)
		acks.acked++;
	else if (it->status == XMPPC_SM_RETURNED) {
		acks.returned++;
		acks.returned_after_closed += t->closed > 0;
	} else
		acks.discarded++;
}

static int is_resumed(T *t, void *arg) { (void)arg; return t->resumed > 0; }

/* A server that can resume: the drop is followed by RESUMED (not READY),
 * the unacknowledged message is resent, and the final close gives up the
 * queue (RETURNED) before CLOSED. */
static void test_resumed(void **state)
{
	T t;
	srv s;
	xmppc_reconnect_config rc;
	xmppc_sm_config smc;

	(void)state;
	memset(&acks, 0, sizeof(acks));
	rc_config(&rc, 10, 20);
	rc_conn(&t, &s, MODE_NORMAL, DRV_POLLFDS, NULL, &rc);
	s.sm = 1;
	memset(&smc, 0, sizeof(smc));
	smc.version = XMPPC_SM_CONFIG_VERSION;
	smc.ack_fn = on_ack;
	smc.ack_user_data = &t;
	assert_int_equal(xmppc_sm_configure(xmppc_conn_session(t.conn), &smc), 0);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	assert_true(xmppc_sm_enabled(xmppc_conn_session(t.conn)));
	send_msg(&t, "before the drop", 0);
	assert_true(run_until(&t, log_has, (void *)"before the drop</body>", 5000));
	srv_drop(&s, 0);
	assert_true(run_until(&t, is_resumed, NULL, 5000));
	assert_string_equal(t.events, LOGIN ",DISCONNECTED,RECONNECTING,CONNECTING,CONNECTED,"
	                              "AUTHENTICATED,RESUMED");
	assert_int_equal(xmppc_conn_get_stage(t.conn), XMPPC_CONN_STAGE_READY);
	assert_int_equal(t.ready, 1);
	assert_int_equal(s.resumes, 1);
	assert_int_equal(s.binds, 1);
	assert_non_null(strstr(s.log, "previd='sm-1'"));
	/* h='0': the message was resent on the resumed stream */
	assert_true(run_until(&t, log_has, (void *)"before the drop</body><", 5000));
	{
		const char *resume = strstr(s.log, "<resume ");
		assert_non_null(resume);
		assert_non_null(strstr(resume, "before the drop</body>"));
	}
	assert_int_equal(acks.returned, 0);
	/* the end: what was never acknowledged comes back first */
	assert_int_equal(xmppc_conn_close(t.conn), 0);
	assert_true(run_until(&t, is_closed, NULL, 5000));
	assert_int_equal(t.close_error, 0);
	assert_int_equal(acks.returned, 1);
	assert_int_equal(acks.returned_after_closed, 0);
	t_fini(&t);
}

/* The server cannot resume (<failed/>): a fresh bind and READY. */
static void test_resume_failed(void **state)
{
	T t;
	srv s;
	xmppc_reconnect_config rc;
	int two = 2;

	(void)state;
	rc_config(&rc, 10, 20);
	rc_conn(&t, &s, MODE_NORMAL, DRV_POLLFDS, NULL, &rc);
	s.sm = 1;
	s.resume_answer = "<failed xmlns='urn:xmpp:sm:3'><item-not-found "
	                  "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>";
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	srv_drop(&s, 1);
	assert_true(run_until(&t, nready, &two, 5000));
	assert_string_equal(t.events, LOGIN ",DISCONNECTED,RECONNECTING," LOGIN);
	assert_int_equal(t.resumed, 0);
	assert_int_equal(s.resumes, 1);
	assert_int_equal(s.binds, 2);
	t_fini(&t);
}

/* ---- the offline queue ------------------------------------------------------------------ */

static void test_offline_queue(void **state)
{
	T t;
	srv s;
	fake_loop fl;
	xmppc_reconnect_config rc;
	int two = 2;
	const char *second;

	(void)state;
	force_first_wait(300);
	rc_config(&rc, 300, 1000);
	rc_conn(&t, &s, MODE_NORMAL, DRV_FAKE, &fl, &rc);
	assert_int_equal(xmppc_conn_connect(t.conn), 0);
	assert_true(run_until(&t, is_ready, NULL, 5000));
	srv_drop(&s, 0);
	assert_true(run_until(&t, is_disconnected, NULL, 5000));
	assert_int_equal(xmppc_conn_get_stage(t.conn), XMPPC_CONN_STAGE_WAITING);
	/* sent while waiting: queued, not refused */
	send_msg(&t, "written while offline", 0);
	assert_true(run_until(&t, nready, &two, 5000));
	assert_true(run_until(&t, log_has, (void *)"written while offline</body>", 5000));
	/* on the second stream, after its login */
	second = strstr(strstr(s.log, "<auth ") + 1, "<auth ");
	assert_non_null(second);
	assert_non_null(strstr(second, "written while offline</body>"));
	assert_int_equal(count(s.log, "written while offline</body>"), 1);
	t_fini(&t);
	restore_random(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_eof_pollfds),
		cmocka_unit_test(test_drop_rst_pollfds),
		cmocka_unit_test(test_drop_eof_loop),
		cmocka_unit_test(test_drop_rst_loop),
		cmocka_unit_test(test_drop_eof_hooks),
		cmocka_unit_test(test_drop_rst_hooks),
		cmocka_unit_test(test_first_connect_retried),
		cmocka_unit_test(test_no_retry_not_authorized),
		cmocka_unit_test(test_no_retry_untrusted_cert),
		cmocka_unit_test(test_no_retry_conflict),
		cmocka_unit_test(test_no_retry_host_unknown),
		cmocka_unit_test(test_retry_system_shutdown),
		cmocka_unit_test(test_no_retry_app_close),
		cmocka_unit_test(test_off_by_default),
		cmocka_unit_test(test_backoff_bounds),
		cmocka_unit_test(test_max_attempts),
		cmocka_unit_test(test_stable_reset),
		cmocka_unit_test_teardown(test_network_changed_waiting, restore_random),
		cmocka_unit_test(test_network_changed_ready),
		cmocka_unit_test(test_network_changed_connecting),
		cmocka_unit_test_teardown(test_close_while_waiting, restore_random),
		cmocka_unit_test_teardown(test_connect_while_waiting, restore_random),
		cmocka_unit_test_teardown(test_off_while_waiting, restore_random),
		cmocka_unit_test_teardown(test_free_while_waiting, restore_random),
		cmocka_unit_test(test_free_in_callbacks),
		cmocka_unit_test(test_resumed),
		cmocka_unit_test(test_resume_failed),
		cmocka_unit_test(test_tcp_keepalive),
		cmocka_unit_test_teardown(test_offline_queue, restore_random),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests_name("reconnect", tests, group_setup, group_teardown);
}
