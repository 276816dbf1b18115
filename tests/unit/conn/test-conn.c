/* The connection driver (lib/net/conn*.c) against scripted in-process
 * XMPP servers on 127.0.0.1 (conn-harness.c). The servers are
 * non-blocking and driven from the same poll() loop as the client
 * (xmppc_conn_get_pollfds(), a fake loop on the io hooks, or xmppc_loop
 * with a server step in between), so no threads are involved. TLS servers
 * use GnuTLS with certificates made at test time.
 *
 * Not covered here: Happy Eyeballs between several addresses (that needs a
 * name with two addresses; the interop suite does it with dnsmasq). The
 * reconnection manager: test-reconnect.c. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "conn-harness.h"

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
