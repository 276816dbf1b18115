/* The public loop (loop.h) driving real connections (conn.h) over
 * loopback TCP: a server thread that accepts and hangs up at once, or a
 * port with no listener. Checks the io-hook adapter end to end: the
 * CLOSED event arrives, run() returns when the connection has nothing
 * left to wait for, a connection removed from its own callback, many
 * connections on one loop, and xmppc_loop_free() with connections still
 * in flight. Every test runs on both backends. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"

#include <xmppc/conn.h>
#include <xmppc/loop.h>

static const unsigned flags_epoll = 0;
static const unsigned flags_poll = XMPPC_LOOP_POLL;

/* ---- a server that hangs up ---- */

typedef struct hangup_server {
	int fd;
	unsigned port;
	int to_accept;
	int accepted;
	pthread_t th;
} hangup_server;

/* A loopback listener; its port in s->port. */
static int listen_loopback(unsigned *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 128), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void *hangup_main(void *arg)
{
	hangup_server *s = arg;

	while (s->accepted < s->to_accept) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			break;
		s->accepted++;
		close(c);
	}
	return NULL;
}

static void hangup_start(hangup_server *s, int n)
{
	memset(s, 0, sizeof(*s));
	s->fd = listen_loopback(&s->port);
	s->to_accept = n;
	assert_int_equal(pthread_create(&s->th, NULL, hangup_main, s), 0);
}

static void hangup_join(hangup_server *s)
{
	pthread_join(s->th, NULL);
	close(s->fd);
}

/* A port nothing listens on (bound, then closed). */
static unsigned dead_port(void)
{
	unsigned port;
	int fd = listen_loopback(&port);

	close(fd);
	return port;
}

/* ---- connections ---- */

typedef struct client {
	xmppc_conn *conn;
	xmppc_loop *loop;
	int closed;
	int error;
	xmppc_conn_stage stage;
	int remove_on_close; /* xmppc_loop_remove() from the CLOSED callback */
	int remove_rc;
	struct client *victim; /* removed (and its conn closed) by this one's CLOSED */
} client;

static void on_event(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	client *c = ud;

	assert_ptr_equal(conn, c->conn);
	if (ev->type != XMPPC_CONN_EVENT_CLOSED)
		return;
	c->closed++;
	c->error = ev->error;
	c->stage = ev->stage;
	if (c->remove_on_close)
		c->remove_rc = xmppc_loop_remove(c->loop, conn);
	if (c->victim != NULL && c->victim->conn != NULL) {
		assert_int_equal(xmppc_loop_remove(c->loop, c->victim->conn), 0);
		assert_int_equal(xmppc_conn_close(c->victim->conn), 0);
	}
}

static void client_new(client *c, xmppc_ctx *ctx, xmppc_loop *loop, unsigned port)
{
	xmppc_session_config sc;
	xmppc_conn_config cc;
	char server[64];

	memset(c, 0, sizeof(*c));
	memset(&sc, 0, sizeof(sc));
	memset(&cc, 0, sizeof(cc));
	sc.version = XMPPC_SESSION_CONFIG_VERSION;
	sc.jid = "user@example.org";
	sc.password = "secret";
	snprintf(server, sizeof(server), "127.0.0.1:%u", port);
	cc.version = XMPPC_CONN_CONFIG_VERSION;
	cc.session = &sc;
	cc.server = server;
	cc.flags = XMPPC_CONN_IPV4_ONLY;
	cc.connect_timeout_ms = 10000;
	assert_int_equal(xmppc_conn_new(&c->conn, ctx, &cc), 0);
	assert_int_equal(xmppc_conn_set_event_fn(c->conn, on_event, c, NULL), 0);
	c->loop = loop;
}

typedef struct fixture {
	xmppc_ctx *ctx;
	xmppc_loop *loop;
} fixture;

static fixture *fixture_new(void **state)
{
	unsigned flags = *(const unsigned *)*state;
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	/* The libc allocator: the server thread does not allocate through the
	 * context, but c-ares may run threads of its own. */
	assert_int_equal(xmppc_ctx_new(&f->ctx, NULL), 0);
	assert_int_equal(xmppc_loop_new(&f->loop, f->ctx, flags), 0);
#if defined(__linux__)
	assert_int_equal(xmppc_loop_uses_epoll(f->loop), !(flags & XMPPC_LOOP_POLL));
#endif
	return f;
}

static void fixture_free(fixture *f)
{
	xmppc_loop_free(f->loop);
	assert_null(xmppc_ctx_unref(f->ctx));
	free(f);
}

/* ---- tests ---- */

static void test_api_args(void **state)
{
	fixture *f = fixture_new(state);
	xmppc_loop *l = NULL;
	client c;

	client_new(&c, f->ctx, f->loop, dead_port());
	assert_int_equal(xmppc_loop_new(NULL, f->ctx, 0), XMPPC_EINVAL);
	assert_int_equal(xmppc_loop_new(&l, NULL, 0), XMPPC_EINVAL);
	assert_int_equal(xmppc_loop_new(&l, f->ctx, 0x80u), XMPPC_EINVAL);
	assert_null(l);
	assert_int_equal(xmppc_loop_add(NULL, c.conn), XMPPC_EINVAL);
	assert_int_equal(xmppc_loop_add(f->loop, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_loop_remove(f->loop, c.conn), XMPPC_ENOTFOUND);
	assert_int_equal(xmppc_loop_remove(NULL, c.conn), XMPPC_EINVAL);
	assert_int_equal(xmppc_loop_run(NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_loop_run_once(NULL, 0), XMPPC_EINVAL);
	assert_int_equal(xmppc_loop_wakeup(NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_loop_post(NULL, free, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_loop_post(f->loop, NULL, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc_loop_uses_epoll(NULL), 0);
	xmppc_loop_stop(NULL);
	xmppc_loop_free(NULL);

	/* Added twice: XMPPC_EEXIST, idle or not; an idle connection gives
	 * run() nothing to do. */
	assert_int_equal(xmppc_loop_add(f->loop, c.conn), 0);
	assert_int_equal(xmppc_loop_add(f->loop, c.conn), XMPPC_EEXIST);
	assert_int_equal(xmppc_loop_run(f->loop), 0);
	assert_int_equal(xmppc_conn_connect(c.conn), 0);
	assert_int_equal(xmppc_loop_add(f->loop, c.conn), XMPPC_EEXIST);
	assert_int_equal(xmppc_loop_run(f->loop), 0);
	assert_int_equal(c.closed, 1);
	assert_int_equal(xmppc_loop_add(f->loop, c.conn), XMPPC_EEXIST);
	assert_int_equal(xmppc_loop_run_once(f->loop, 0), 0);
	assert_int_equal(xmppc_loop_wakeup(f->loop), 0);
	assert_int_equal(xmppc_loop_remove(f->loop, c.conn), 0);
	assert_int_equal(xmppc_loop_remove(f->loop, c.conn), XMPPC_ENOTFOUND);
	/* Added again after removal. */
	assert_int_equal(xmppc_loop_add(f->loop, c.conn), 0);
	assert_int_equal(xmppc_loop_remove(f->loop, c.conn), 0);
	xmppc_conn_free(c.conn);
	fixture_free(f);
}

static void count_post(void *data)
{
	(*(int *)data)++;
}

static void test_post_public(void **state)
{
	fixture *f = fixture_new(state);
	int n = 0;

	assert_int_equal(xmppc_loop_post(f->loop, count_post, &n), 0);
	assert_int_equal(xmppc_loop_post(f->loop, count_post, &n), 0);
	assert_int_equal(xmppc_loop_run(f->loop), 0);
	assert_int_equal(n, 2);
	/* Dropped with the loop. */
	assert_int_equal(xmppc_loop_post(f->loop, count_post, &n), 0);
	fixture_free(f);
	assert_int_equal(n, 2);
}

/* The server hangs up: CLOSED comes, and run() returns by itself because
 * the closed connection watches no fd and wants no timer. */
static void test_conn_hangup(void **state)
{
	fixture *f = fixture_new(state);
	hangup_server s;
	client c;

	hangup_start(&s, 1);
	client_new(&c, f->ctx, f->loop, s.port);
	assert_int_equal(xmppc_loop_add(f->loop, c.conn), 0);
	assert_int_equal(xmppc_conn_connect(c.conn), 0);
	assert_int_equal(xmppc_loop_run(f->loop), 0);
	assert_int_equal(c.closed, 1);
	assert_true(c.error < 0);
	assert_true(c.stage >= XMPPC_CONN_STAGE_TCP);
	hangup_join(&s);
	assert_int_equal(xmppc_loop_remove(f->loop, c.conn), 0);
	xmppc_conn_free(c.conn);
	fixture_free(f);
}

/* Connection refused; the CLOSED callback removes its own connection from
 * the loop (from inside xmppc_conn_process()). */
static void test_conn_remove_self_in_callback(void **state)
{
	fixture *f = fixture_new(state);
	client c;

	client_new(&c, f->ctx, f->loop, dead_port());
	c.remove_on_close = 1;
	assert_int_equal(xmppc_loop_add(f->loop, c.conn), 0);
	assert_int_equal(xmppc_conn_connect(c.conn), 0);
	assert_int_equal(xmppc_loop_run(f->loop), 0);
	assert_int_equal(c.closed, 1);
	assert_int_equal(c.error, XMPPC_ETCP_REFUSED);
	assert_int_equal(c.remove_rc, 0);
	assert_int_equal(xmppc_loop_remove(f->loop, c.conn), XMPPC_ENOTFOUND);
	xmppc_conn_free(c.conn);
	fixture_free(f);
}

#define MANY 64

/* Many connections on one loop; each odd one's CLOSED removes the next
 * even one from the loop (whose events may be in the same batch). */
static void test_conn_many(void **state)
{
	fixture *f = fixture_new(state);
	client *c = calloc(MANY, sizeof(*c));
	unsigned port = dead_port();
	int i, closed = 0;

	assert_non_null(c);
	for (i = 0; i < MANY; i++) {
		client_new(&c[i], f->ctx, f->loop, port);
		assert_int_equal(xmppc_loop_add(f->loop, c[i].conn), 0);
	}
	for (i = 0; i + 1 < MANY; i += 2)
		c[i + 1].victim = &c[i];
	for (i = 0; i < MANY; i++)
		assert_int_equal(xmppc_conn_connect(c[i].conn), 0);
	assert_int_equal(xmppc_loop_run(f->loop), 0);
	for (i = 0; i < MANY; i++) {
		closed += c[i].closed;
		if (i % 2 == 1)
			assert_int_equal(c[i].closed, 1);
	}
	assert_true(closed >= MANY / 2);
	for (i = 0; i < MANY; i++) {
		int rc = xmppc_loop_remove(f->loop, c[i].conn);
		/* The victims were removed already. */
		if (i % 2 == 0 && c[i + 1].closed)
			assert_int_equal(rc, XMPPC_ENOTFOUND);
		else
			assert_int_equal(rc, 0);
		xmppc_conn_free(c[i].conn);
	}
	free(c);
	fixture_free(f);
}

/* xmppc_loop_free() with connections mid-connect clears their hooks: the
 * connections are freed afterwards without touching the freed loop
 * (ASan/valgrind would see it), and one can move to a new loop. */
static void test_loop_free_with_conns(void **state)
{
	fixture *f = fixture_new(state);
	unsigned flags = *(const unsigned *)*state;
	hangup_server s;
	client c[2];
	xmppc_loop *loop2;

	hangup_start(&s, 1);
	client_new(&c[0], f->ctx, f->loop, s.port);
	client_new(&c[1], f->ctx, f->loop, dead_port());
	assert_int_equal(xmppc_loop_add(f->loop, c[0].conn), 0);
	assert_int_equal(xmppc_loop_add(f->loop, c[1].conn), 0);
	assert_int_equal(xmppc_conn_connect(c[0].conn), 0);
	assert_int_equal(xmppc_conn_connect(c[1].conn), 0);
	xmppc_loop_free(f->loop);
	f->loop = NULL;

	/* The first moves to a new loop and finishes there. */
	assert_int_equal(xmppc_loop_new(&loop2, f->ctx, flags), 0);
	c[0].loop = loop2;
	assert_int_equal(xmppc_loop_add(loop2, c[0].conn), 0);
	assert_int_equal(xmppc_loop_run(loop2), 0);
	assert_int_equal(c[0].closed, 1);
	hangup_join(&s);
	/* Freed while still added: xmppc_loop_free() clears the hooks. */
	xmppc_loop_free(loop2);
	xmppc_conn_free(c[0].conn);
	xmppc_conn_free(c[1].conn); /* mid-connect, no loop */
	fixture_free(f);
}

/* xmppc_conn_free() without xmppc_loop_remove() (the conn detaches the
 * hooks): mid-connect, after the close, and from another connection's
 * callback while the loop runs. The loop must not touch the freed
 * connections afterwards (ASan and valgrind watch), and a new connection,
 * perhaps at the same address, can be added. */
static void free_victim_in_callback(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	client *c = ud;

	(void)conn;
	if (ev->type != XMPPC_CONN_EVENT_CLOSED)
		return;
	c->closed++;
	if (c->victim != NULL && c->victim->conn != NULL) {
		xmppc_conn_free(c->victim->conn);
		c->victim->conn = NULL;
	}
}

/* CLOSED frees the connection itself (conn.h defers the free to the end
 * of the outermost call: the detach then runs inside the loop's
 * xmppc_conn_process() call). */
static void free_self_in_callback(void *ud, xmppc_conn *conn, const xmppc_conn_event *ev)
{
	client *c = ud;

	if (ev->type != XMPPC_CONN_EVENT_CLOSED)
		return;
	c->closed++;
	xmppc_conn_free(conn);
	c->conn = NULL;
}

static void test_conn_free_without_remove(void **state)
{
	fixture *f = fixture_new(state);
	unsigned port = dead_port();
	client a, b, d;
	int i;

	/* Mid-connect. */
	client_new(&a, f->ctx, f->loop, port);
	assert_int_equal(xmppc_loop_add(f->loop, a.conn), 0);
	assert_int_equal(xmppc_conn_connect(a.conn), 0);
	assert_true(xmppc_loop_run_once(f->loop, 0) >= 0);
	xmppc_conn_free(a.conn);
	assert_int_equal(xmppc_loop_run(f->loop), 0); /* nothing left */

	/* After the close. */
	client_new(&a, f->ctx, f->loop, port);
	assert_int_equal(xmppc_loop_add(f->loop, a.conn), 0);
	assert_int_equal(xmppc_conn_connect(a.conn), 0);
	assert_int_equal(xmppc_loop_run(f->loop), 0);
	assert_int_equal(a.closed, 1);
	xmppc_conn_free(a.conn);

	/* From another connection's callback, while the victim is active
	 * (watched fds, a timer) and may have events in the same batch. */
	for (i = 0; i < 8; i++) {
		client_new(&b, f->ctx, f->loop, port);
		client_new(&d, f->ctx, f->loop, port);
		assert_int_equal(xmppc_conn_set_event_fn(d.conn, free_victim_in_callback, &d, NULL),
		                 0);
		d.victim = &b;
		assert_int_equal(xmppc_loop_add(f->loop, b.conn), 0);
		assert_int_equal(xmppc_loop_add(f->loop, d.conn), 0);
		assert_int_equal(xmppc_conn_connect(d.conn), 0);
		assert_int_equal(xmppc_conn_connect(b.conn), 0);
		assert_int_equal(xmppc_loop_run(f->loop), 0);
		assert_int_equal(d.closed, 1);
		if (b.conn != NULL) { /* b closed first */
			assert_int_equal(b.closed, 1);
			xmppc_conn_free(b.conn);
		}
		xmppc_conn_free(d.conn);
	}
	/* Freed by itself from its CLOSED callback, inside the dispatch. */
	for (i = 0; i < 4; i++) {
		client_new(&a, f->ctx, f->loop, port);
		assert_int_equal(xmppc_conn_set_event_fn(a.conn, free_self_in_callback, &a, NULL),
		                 0);
		assert_int_equal(xmppc_loop_add(f->loop, a.conn), 0);
		assert_int_equal(xmppc_conn_connect(a.conn), 0);
		assert_int_equal(xmppc_loop_run(f->loop), 0);
		assert_int_equal(a.closed, 1);
		assert_null(a.conn);
	}
	fixture_free(f);
}

/* Added to a second loop without removal from the first: the connection
 * moves (the first loop's hooks are told to forget it and detached), and
 * freeing the first loop later does not touch it. */
static void test_conn_move_between_loops(void **state)
{
	fixture *f = fixture_new(state);
	unsigned flags = *(const unsigned *)*state;
	xmppc_loop *loop2;
	client c;

	assert_int_equal(xmppc_loop_new(&loop2, f->ctx, flags), 0);
	client_new(&c, f->ctx, f->loop, dead_port());
	assert_int_equal(xmppc_loop_add(f->loop, c.conn), 0);
	assert_int_equal(xmppc_conn_connect(c.conn), 0);
	assert_int_equal(xmppc_loop_add(loop2, c.conn), 0);
	assert_int_equal(xmppc_loop_run(f->loop), 0); /* nothing left here */
	assert_int_equal(c.closed, 0);
	assert_int_equal(xmppc_loop_run(loop2), 0);
	assert_int_equal(c.closed, 1);
	/* The first loop let go of it when it moved. */
	assert_int_equal(xmppc_loop_remove(f->loop, c.conn), XMPPC_ENOTFOUND);
	xmppc_loop_free(f->loop);
	f->loop = NULL;
	assert_int_equal(xmppc_loop_remove(loop2, c.conn), 0);
	xmppc_loop_free(loop2);
	xmppc_conn_free(c.conn);
	fixture_free(f);
}

/* Freeing a loop clears the hooks of idle connections too: freeing them
 * afterwards must not call into the freed loop (ASan and valgrind watch). */
static void test_loop_free_idle_conn(void **state)
{
	fixture *f = fixture_new(state);
	client c;

	client_new(&c, f->ctx, f->loop, dead_port());
	assert_int_equal(xmppc_loop_add(f->loop, c.conn), 0);
	xmppc_loop_free(f->loop);
	f->loop = NULL;
	xmppc_conn_free(c.conn);
	fixture_free(f);
}

/* The counting test allocator behind a lock (c-ares or GnuTLS may call
 * it from elsewhere). */
static pthread_mutex_t alloc_lock = PTHREAD_MUTEX_INITIALIZER;

static void *locked_malloc(void *ud, size_t size)
{
	void *p;

	pthread_mutex_lock(&alloc_lock);
	p = test_malloc_fn(ud, size);
	pthread_mutex_unlock(&alloc_lock);
	return p;
}

static void *locked_realloc(void *ud, void *ptr, size_t size)
{
	void *p;

	pthread_mutex_lock(&alloc_lock);
	p = test_realloc_fn(ud, ptr, size);
	pthread_mutex_unlock(&alloc_lock);
	return p;
}

static void locked_free(void *ud, void *ptr)
{
	pthread_mutex_lock(&alloc_lock);
	test_free_fn(ud, ptr);
	pthread_mutex_unlock(&alloc_lock);
}

/* xmppc_loop_add() of a connection that already has an fd in use, with
 * each allocation failing in turn: the ones of the entry, and the ones in
 * the watch hook that xmppc_conn_set_io_hooks() calls at once (the conn
 * then holds the hooks, and the loop must take them back). Nothing leaks,
 * and the connection is fine for the next try. */
static void test_add_alloc_failure(void **state)
{
	unsigned flags = *(const unsigned *)*state;
	xmppc_allocator al = {XMPPC_ALLOCATOR_VERSION, locked_malloc, locked_realloc, locked_free,
	                      NULL};
	test_alloc a;
	xmppc_ctx *ctx;
	xmppc_loop *loop;
	struct pollfd pfd[4];
	unsigned port;
	int lfd, i, rc, failures = 0;
	size_t n = 0;
	long k;
	client c, warm;

	memset(&a, 0, sizeof(a));
	al.user_data = &a;
	assert_int_equal(xmppc_ctx_new(&ctx, &al), 0);
	assert_int_equal(xmppc_loop_new(&loop, ctx, flags), 0);
	/* A listener that never accepts: the kernel completes the handshake
	 * and the connection sits there with its socket watched. */
	lfd = listen_loopback(&port);
	client_new(&c, ctx, loop, port);
	assert_int_equal(xmppc_conn_connect(c.conn), 0);
	for (i = 0; i < 1000 && n == 0; i++) {
		int timeout;
		assert_int_equal(xmppc_conn_get_pollfds(c.conn, pfd, 4, &n, &timeout), 0);
		if (n == 0) {
			usleep(1000);
			assert_int_equal(xmppc_conn_process(c.conn, NULL, 0), 0);
		}
	}
	assert_true(n > 0);
	/* Warm up: the loop's tables (timer heap, hash) keep the capacity they
	 * grow to, which is not a leak; let them grow before counting. */
	client_new(&warm, ctx, loop, port);
	assert_int_equal(xmppc_loop_add(loop, warm.conn), 0);
	assert_int_equal(xmppc_loop_remove(loop, warm.conn), 0);
	xmppc_conn_free(warm.conn);

	for (k = 1;; k++) {
		long live;
		pthread_mutex_lock(&alloc_lock);
		live = a.live;
		a.fail_at = a.calls + k;
		pthread_mutex_unlock(&alloc_lock);
		rc = xmppc_loop_add(loop, c.conn);
		pthread_mutex_lock(&alloc_lock);
		a.fail_at = 0;
		pthread_mutex_unlock(&alloc_lock);
		if (rc == 0)
			break;
		assert_int_equal(rc, XMPPC_ENOMEM);
		assert_int_equal(a.live, live);
		assert_int_equal(xmppc_loop_remove(loop, c.conn), XMPPC_ENOTFOUND);
		failures++;
		assert_true(k < 100);
	}
	/* Three in the entry (itself, its timer, its hash key), then at least
	 * one in the watch hook (the registration, the core watch). */
	assert_true(failures >= 4);
	/* The listener goes: the pending connection is reset. */
	close(lfd);
	assert_int_equal(xmppc_loop_run(loop), 0);
	assert_int_equal(c.closed, 1);
	assert_int_equal(xmppc_loop_remove(loop, c.conn), 0);
	xmppc_conn_free(c.conn);
	xmppc_loop_free(loop);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

#define BOTH(fn)                                                                                   \
	cmocka_unit_test_prestate(fn, (void *)&flags_epoll),                                       \
	    cmocka_unit_test_prestate(fn, (void *)&flags_poll)

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		BOTH(test_api_args),
		BOTH(test_post_public),
		BOTH(test_conn_hangup),
		BOTH(test_conn_remove_self_in_callback),
		BOTH(test_conn_many),
		BOTH(test_loop_free_with_conns),
		BOTH(test_conn_free_without_remove),
		BOTH(test_conn_move_between_loops),
		BOTH(test_loop_free_idle_conn),
		BOTH(test_add_alloc_failure),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
