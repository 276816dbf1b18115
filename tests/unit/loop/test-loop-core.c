/* Loop core (lib/loop/core.h): fd watches on pipes, re-entrant removal and
 * fd reuse within one batch, timer order and cancellation, many fds,
 * posting from threads, wakeup, stop, run ending when nothing is left,
 * and allocation failures. Every test runs on each backend (epoll and
 * poll); the wakeup and post tests also with the pipe wakeup. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "loop/core.h"
#include <xmppc/conn.h>

static const unsigned flags_epoll = 0;
static const unsigned flags_poll = XMPPC__LOOP_POLL;
static const unsigned flags_epoll_pipe = XMPPC__LOOP_PIPE;
static const unsigned flags_poll_pipe = XMPPC__LOOP_POLL | XMPPC__LOOP_PIPE;

/* ---- fixtures ---- */

/* The counting test allocator behind a lock: other threads post, and a
 * context's allocator must then be thread-safe. */
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

typedef struct fixture {
	test_alloc alloc;
	xmppc_ctx *ctx;
	xmppc__loop_core *core;
	uint64_t fake_now; /* used when the fake clock is installed */
} fixture;

static uint64_t fake_clock(void *ud)
{
	return *(const uint64_t *)ud;
}

static fixture *fixture_new(void **state)
{
	unsigned flags = *(const unsigned *)*state;
	fixture *f = calloc(1, sizeof(*f));
	xmppc_allocator al = {XMPPC_ALLOCATOR_VERSION, locked_malloc, locked_realloc, locked_free,
	                      NULL};

	assert_non_null(f);
	al.user_data = &f->alloc;
	assert_int_equal(xmppc_ctx_new(&f->ctx, &al), 0);
	assert_int_equal(xmppc__loop_core_new(&f->core, f->ctx, flags), 0);
#if defined(__linux__)
	assert_int_equal(xmppc__loop_core_uses_epoll(f->core), !(flags & XMPPC__LOOP_POLL));
#endif
	return f;
}

static void fixture_fake_clock(fixture *f, uint64_t start)
{
	f->fake_now = start;
	assert_int_equal(xmppc_ctx_set_clock(f->ctx, fake_clock, &f->fake_now, NULL), 0);
}

static void fixture_free(fixture *f)
{
	xmppc__loop_core_free(f->core);
	assert_null(xmppc_ctx_unref(f->ctx));
	assert_int_equal(f->alloc.live, 0);
	free(f);
}

static void make_pipe(int p[2])
{
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
}

static void put_byte(int fd)
{
	assert_int_equal(write(fd, "x", 1), 1);
}

static uint64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- a recording fd callback ---- */

typedef struct rec {
	int calls;
	unsigned last_events;
	int last_fd;
	/* optional action on the first call */
	void (*action)(struct rec *r);
	xmppc__loop_core *core;
	void *arg;
} rec;

static void on_io(void *ud, xmppc__loop_watch *w, int fd, unsigned events)
{
	rec *r = ud;

	(void)w;
	r->calls++;
	r->last_events = events;
	r->last_fd = fd;
	if (r->calls == 1 && r->action != NULL)
		r->action(r);
}

/* ---- fd readiness ---- */

static void test_readable_writable(void **state)
{
	fixture *f = fixture_new(state);
	xmppc__loop_watch *rw, *ww;
	rec rr = {0}, wr = {0};
	char b;
	int p[2];

	make_pipe(p);
	assert_int_equal(xmppc__loop_watch_add(&rw, f->core, p[0], XMPPC_IO_IN, on_io, &rr), 0);
	assert_int_equal(xmppc__loop_watch_add(&ww, f->core, p[1], XMPPC_IO_OUT, on_io, &wr), 0);
	assert_int_equal(xmppc__loop_watch_fd(rw), p[0]);
	assert_int_equal(xmppc__loop_core_watch_count(f->core), 2);

	/* Only the write end is ready. */
	assert_int_equal(xmppc__loop_core_run_once(f->core, 0), 1);
	assert_int_equal(rr.calls, 0);
	assert_int_equal(wr.calls, 1);
	assert_int_equal(wr.last_events, XMPPC_IO_OUT);
	assert_int_equal(wr.last_fd, p[1]);

	/* Stop asking for OUT; write: only the read end fires. */
	assert_int_equal(xmppc__loop_watch_modify(f->core, ww, 0), 0);
	put_byte(p[1]);
	assert_int_equal(xmppc__loop_core_run_once(f->core, 1000), 1);
	assert_int_equal(rr.calls, 1);
	assert_int_equal(rr.last_events, XMPPC_IO_IN);
	assert_int_equal(wr.calls, 1);

	/* Level-triggered: still readable until read. */
	assert_int_equal(xmppc__loop_core_run_once(f->core, 0), 1);
	assert_int_equal(rr.calls, 2);
	assert_int_equal(read(p[0], &b, 1), 1);
	assert_int_equal(xmppc__loop_core_run_once(f->core, 0), 0);

	/* Hang-up: the reader sees an error/hang-up. */
	xmppc__loop_watch_remove(f->core, ww);
	close(p[1]);
	assert_int_equal(xmppc__loop_core_run_once(f->core, 1000), 1);
	assert_true(rr.last_events & XMPPC_IO_ERR);
	xmppc__loop_watch_remove(f->core, rw);
	close(p[0]);
	assert_int_equal(xmppc__loop_core_watch_count(f->core), 0);
	fixture_free(f);
}

static void test_bad_args(void **state)
{
	fixture *f = fixture_new(state);
	xmppc__loop_watch *w = NULL;
	xmppc__loop_timer *t = NULL;
	rec r = {0};
	int p[2];

	make_pipe(p);
	assert_int_equal(xmppc__loop_core_new(NULL, f->ctx, 0), XMPPC_EINVAL);
	assert_int_equal(xmppc__loop_core_new(&f->core, NULL, 0), XMPPC_EINVAL);
	assert_int_equal(xmppc__loop_core_new(&f->core, f->ctx, 0x8000u), XMPPC_EINVAL);
	assert_int_equal(xmppc__loop_watch_add(&w, f->core, -1, XMPPC_IO_IN, on_io, &r),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc__loop_watch_add(&w, f->core, p[0], XMPPC_IO_IN, NULL, &r),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc__loop_watch_add(&w, f->core, p[0], XMPPC_IO_ERR, on_io, &r),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc__loop_watch_add(&w, f->core, p[0], XMPPC_IO_IN, on_io, &r), 0);
	assert_int_equal(xmppc__loop_watch_modify(f->core, w, 0x40u), XMPPC_EINVAL);
	assert_int_equal(xmppc__loop_timer_new(&t, f->core, NULL, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc__loop_core_post(f->core, NULL, NULL), XMPPC_EINVAL);
	assert_int_equal(xmppc__loop_core_run_once(NULL, 0), XMPPC_EINVAL);
	assert_int_equal(xmppc__loop_core_run(NULL), XMPPC_EINVAL);
	xmppc__loop_watch_remove(f->core, NULL);
	xmppc__loop_timer_free(f->core, NULL);
	xmppc__loop_core_free(NULL);
	/* A watch left in place is freed with the core. */
	fixture_free(f);
	close(p[0]);
	close(p[1]);
}

/* epoll refuses regular files; the error is reported, not hidden. */
static void test_epoll_refuses_file(void **state)
{
	fixture *f = fixture_new(state);
	xmppc__loop_watch *w = NULL;
	rec r = {0};
	int fd = open("/dev/null", O_RDONLY);

	assert_true(fd >= 0);
	if (xmppc__loop_core_uses_epoll(f->core)) {
		assert_int_equal(xmppc__loop_watch_add(&w, f->core, fd, XMPPC_IO_IN, on_io, &r),
		                 XMPPC_ESYSTEM);
	} else {
		assert_int_equal(xmppc__loop_watch_add(&w, f->core, fd, XMPPC_IO_IN, on_io, &r), 0);
		assert_int_equal(xmppc__loop_core_run_once(f->core, 0), 1);
		xmppc__loop_watch_remove(f->core, w);
	}
	close(fd);
	fixture_free(f);
}

/* ---- re-entrancy within one batch ---- */

typedef struct pair {
	fixture *f;
	int p[2][2];
	xmppc__loop_watch *w[2];
	rec r[2];
	/* fd reuse */
	int q[2];
	xmppc__loop_watch *reused;
	rec rq;
} pair;

/* Remove and close the other pipe of the pair. */
static void remove_other(rec *r)
{
	pair *pr = r->arg;
	int other = r == &pr->r[0] ? 1 : 0;

	xmppc__loop_watch_remove(pr->f->core, pr->w[other]);
	pr->w[other] = NULL;
	close(pr->p[other][0]);
	close(pr->p[other][1]);
}

static void pair_setup(pair *pr, fixture *f, void (*action)(rec *r))
{
	int i;

	memset(pr, 0, sizeof(*pr));
	pr->f = f;
	for (i = 0; i < 2; i++) {
		make_pipe(pr->p[i]);
		put_byte(pr->p[i][1]);
		pr->r[i].action = action;
		pr->r[i].arg = pr;
		assert_int_equal(xmppc__loop_watch_add(&pr->w[i], f->core, pr->p[i][0], XMPPC_IO_IN,
		                                       on_io, &pr->r[i]),
		                 0);
	}
}

static void test_remove_other_in_batch(void **state)
{
	fixture *f = fixture_new(state);
	pair pr;
	int first;

	pair_setup(&pr, f, remove_other);
	/* Both are ready in the same wait; whichever comes first removes the
	 * other, whose event is already collected and must not be delivered. */
	assert_int_equal(xmppc__loop_core_run_once(f->core, 1000), 1);
	assert_int_equal(pr.r[0].calls + pr.r[1].calls, 1);
	first = pr.r[0].calls == 1 ? 0 : 1;
	assert_null(pr.w[!first]);
	assert_int_equal(xmppc__loop_core_watch_count(f->core), 1);
	xmppc__loop_watch_remove(f->core, pr.w[first]);
	close(pr.p[first][0]);
	close(pr.p[first][1]);
	fixture_free(f);
}

/* Remove and close the other pipe, then open a new pipe whose read end
 * gets the other's fd number (dup2 makes sure), make it readable and watch
 * it: the stale event for the number must not reach the new watch. */
static void remove_other_and_reuse(rec *r)
{
	pair *pr = r->arg;
	int other = r == &pr->r[0] ? 1 : 0;
	int fd = pr->p[other][0];

	remove_other(r);
	make_pipe(pr->q);
	if (pr->q[0] != fd) {
		if (pr->q[1] == fd) {
			int moved = dup(pr->q[1]);
			assert_true(moved >= 0);
			close(pr->q[1]);
			pr->q[1] = moved;
		}
		assert_int_equal(dup2(pr->q[0], fd), fd);
		close(pr->q[0]);
		pr->q[0] = fd;
	}
	put_byte(pr->q[1]);
	assert_int_equal(
	    xmppc__loop_watch_add(&pr->reused, pr->f->core, fd, XMPPC_IO_IN, on_io, &pr->rq), 0);
}

static void test_fd_reuse_in_batch(void **state)
{
	fixture *f = fixture_new(state);
	pair pr;
	int first;

	pair_setup(&pr, f, remove_other_and_reuse);
	assert_int_equal(xmppc__loop_core_run_once(f->core, 1000), 1);
	assert_int_equal(pr.r[0].calls + pr.r[1].calls, 1);
	assert_int_equal(pr.rq.calls, 0);
	first = pr.r[0].calls == 1 ? 0 : 1;
	/* Next iteration: the new watch gets its own event. */
	xmppc__loop_watch_modify(f->core, pr.w[first], 0);
	assert_int_equal(xmppc__loop_core_run_once(f->core, 1000), 1);
	assert_int_equal(pr.rq.calls, 1);
	assert_int_equal(pr.rq.last_fd, pr.q[0]);
	xmppc__loop_watch_remove(f->core, pr.reused);
	xmppc__loop_watch_remove(f->core, pr.w[first]);
	close(pr.q[0]);
	close(pr.q[1]);
	close(pr.p[first][0]);
	close(pr.p[first][1]);
	fixture_free(f);
}

/* Stop asking the other watch for IN: its collected IN is not delivered. */
static void narrow_other(rec *r)
{
	pair *pr = r->arg;
	int other = r == &pr->r[0] ? 1 : 0;

	assert_int_equal(xmppc__loop_watch_modify(pr->f->core, pr->w[other], XMPPC_IO_OUT), 0);
}

static void test_modify_other_in_batch(void **state)
{
	fixture *f = fixture_new(state);
	pair pr;
	int i;

	pair_setup(&pr, f, narrow_other);
	assert_int_equal(xmppc__loop_core_run_once(f->core, 1000), 1);
	assert_int_equal(pr.r[0].calls + pr.r[1].calls, 1);
	for (i = 0; i < 2; i++) {
		xmppc__loop_watch_remove(f->core, pr.w[i]);
		close(pr.p[i][0]);
		close(pr.p[i][1]);
	}
	fixture_free(f);
}

typedef struct self_remove {
	xmppc__loop_core *core;
	xmppc__loop_watch *w;
	int fd;
	int calls;
} self_remove;

static void on_io_remove_self(void *ud, xmppc__loop_watch *w, int fd, unsigned events)
{
	self_remove *s = ud;

	(void)events;
	assert_ptr_equal(w, s->w);
	s->calls++;
	xmppc__loop_watch_remove(s->core, w);
	close(fd);
}

/* Callbacks that remove their own watch and close the fd, for many fds
 * at once: run() ends when the last one is gone. No per-event O(n) work
 * shows up as time here (5000 fds take milliseconds). */
static void test_many_fds(void **state)
{
	fixture *f = fixture_new(state);
	struct rlimit rl;
	self_remove *s;
	size_t n = 5000, i, total = 0;

	/* One fd per pipe stays open (the write ends are closed at once). */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < n + 64) {
		rl.rlim_cur = rl.rlim_max < n + 64 ? rl.rlim_max : n + 64;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
		if (rl.rlim_cur < n + 64)
			n = rl.rlim_cur > 128 ? (size_t)rl.rlim_cur - 64 : 64;
	}
	s = calloc(n, sizeof(*s));
	assert_non_null(s);
	for (i = 0; i < n; i++) {
		int p[2];
		make_pipe(p);
		put_byte(p[1]);
		close(p[1]);
		s[i].core = f->core;
		s[i].fd = p[0];
		assert_int_equal(xmppc__loop_watch_add(&s[i].w, f->core, p[0], XMPPC_IO_IN,
		                                       on_io_remove_self, &s[i]),
		                 0);
	}
	assert_int_equal(xmppc__loop_core_watch_count(f->core), n);
	assert_int_equal(xmppc__loop_core_run(f->core), 0);
	assert_int_equal(xmppc__loop_core_watch_count(f->core), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(s[i].calls, 1);
		total += (size_t)s[i].calls;
	}
	assert_int_equal(total, n);
	free(s);
	fixture_free(f);
}

/* ---- timers ---- */

typedef struct tlog {
	int order[16];
	int n;
	xmppc__loop_core *core;
	xmppc__loop_timer *victim; /* stopped by the first to fire */
	xmppc__loop_timer *t[8];
} tlog;

typedef struct tid {
	tlog *log;
	int id;
} tid;

static void on_timer(void *ud, xmppc__loop_timer *t)
{
	tid *id = ud;

	assert_false(xmppc__loop_timer_armed(t));
	id->log->order[id->log->n++] = id->id;
	if (id->log->victim != NULL) {
		xmppc__loop_timer_free(id->log->core, id->log->victim);
		id->log->victim = NULL;
	}
}

static void test_timer_order(void **state)
{
	fixture *f = fixture_new(state);
	static const uint64_t delays[5] = {30, 10, 20, 10, 0};
	tlog log = {{0}, 0, NULL, NULL, {NULL}};
	tid ids[5];
	int i;

	fixture_fake_clock(f, 1000);
	log.core = f->core;
	for (i = 0; i < 5; i++) {
		ids[i].log = &log;
		ids[i].id = i;
		assert_int_equal(xmppc__loop_timer_new(&log.t[i], f->core, on_timer, &ids[i]), 0);
		xmppc__loop_timer_start(f->core, log.t[i], delays[i]);
		assert_true(xmppc__loop_timer_armed(log.t[i]));
	}
	/* Re-arming moves a timer: 4 goes from 0 to 25. */
	xmppc__loop_timer_start(f->core, log.t[4], 25);
	assert_int_equal(xmppc__loop_core_run_once(f->core, 0), 0);
	f->fake_now = 1015;
	assert_int_equal(xmppc__loop_core_run_once(f->core, 0), 2);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.order[0], 1); /* equal deadlines: first started first */
	assert_int_equal(log.order[1], 3);
	f->fake_now = 5000;
	assert_int_equal(xmppc__loop_core_run_once(f->core, 0), 3);
	assert_int_equal(log.n, 5);
	assert_int_equal(log.order[2], 2);
	assert_int_equal(log.order[3], 4);
	assert_int_equal(log.order[4], 0);
	for (i = 0; i < 5; i++)
		xmppc__loop_timer_free(f->core, log.t[i]);
	fixture_free(f);
}

static void test_timer_cancel(void **state)
{
	fixture *f = fixture_new(state);
	tlog log = {{0}, 0, NULL, NULL, {NULL}};
	tid ids[4];
	int i;

	fixture_fake_clock(f, 0);
	log.core = f->core;
	for (i = 0; i < 4; i++) {
		ids[i].log = &log;
		ids[i].id = i;
		assert_int_equal(xmppc__loop_timer_new(&log.t[i], f->core, on_timer, &ids[i]), 0);
		xmppc__loop_timer_start(f->core, log.t[i], 10 + (uint64_t)i);
	}
	xmppc__loop_timer_stop(f->core, log.t[1]);
	assert_false(xmppc__loop_timer_armed(log.t[1]));
	xmppc__loop_timer_stop(f->core, log.t[1]); /* twice: no effect */
	xmppc__loop_timer_free(f->core, log.t[2]);
	log.t[2] = NULL;
	/* Timer 0 fires first and frees timer 3, due in the same pass. */
	log.victim = log.t[3];
	log.t[3] = NULL;
	f->fake_now = 100;
	assert_int_equal(xmppc__loop_core_run_once(f->core, 0), 1);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.order[0], 0);
	assert_true(xmppc__loop_core_idle(f->core));
	for (i = 0; i < 4; i++)
		xmppc__loop_timer_free(f->core, log.t[i]);
	fixture_free(f);
}

typedef struct rearm {
	xmppc__loop_core *core;
	int fired;
} rearm;

static void on_timer_rearm0(void *ud, xmppc__loop_timer *t)
{
	rearm *r = ud;

	r->fired++;
	xmppc__loop_timer_start(r->core, t, 0);
}

/* A timer that re-arms itself with 0 fires once per iteration. */
static void test_timer_zero_rearm(void **state)
{
	fixture *f = fixture_new(state);
	xmppc__loop_timer *t;
	rearm r = {f->core, 0};

	assert_int_equal(xmppc__loop_timer_new(&t, f->core, on_timer_rearm0, &r), 0);
	xmppc__loop_timer_start(f->core, t, 0);
	assert_int_equal(r.fired, 0); /* never from inside start */
	assert_int_equal(xmppc__loop_core_run_once(f->core, -1), 1);
	assert_int_equal(r.fired, 1);
	assert_int_equal(xmppc__loop_core_run_once(f->core, -1), 1);
	assert_int_equal(r.fired, 2);
	xmppc__loop_timer_free(f->core, t);
	fixture_free(f);
}

/* On the real clock, a blocking iteration waits for the timer. */
static void test_timer_wait(void **state)
{
	fixture *f = fixture_new(state);
	tlog log = {{0}, 0, NULL, NULL, {NULL}};
	tid id = {&log, 7};
	uint64_t t0 = real_ms(), dt;

	log.core = f->core;
	assert_int_equal(xmppc__loop_timer_new(&log.t[0], f->core, on_timer, &id), 0);
	xmppc__loop_timer_start(f->core, log.t[0], 30);
	assert_int_equal(xmppc__loop_core_run(f->core), 0); /* returns: nothing left */
	dt = real_ms() - t0;
	assert_int_equal(log.n, 1);
	assert_true(dt >= 25);
	assert_true(dt < 5000);
	xmppc__loop_timer_free(f->core, log.t[0]);
	fixture_free(f);
}

/* ---- run, stop, recursion ---- */

static void test_run_nothing_left(void **state)
{
	fixture *f = fixture_new(state);
	xmppc__loop_timer *t;
	rearm r = {NULL, 0};

	assert_true(xmppc__loop_core_idle(f->core));
	assert_int_equal(xmppc__loop_core_run(f->core), 0);
	/* An unarmed timer is nothing to wait for. */
	r.core = f->core;
	assert_int_equal(xmppc__loop_timer_new(&t, f->core, on_timer_rearm0, &r), 0);
	assert_int_equal(xmppc__loop_core_run(f->core), 0);
	assert_int_equal(r.fired, 0);
	xmppc__loop_timer_free(f->core, t);
	fixture_free(f);
}

typedef struct stopper {
	xmppc__loop_core *core;
	int calls;
	int stop_at;
	int recursive_once, recursive_run;
} stopper;

static void on_io_stop(void *ud, xmppc__loop_watch *w, int fd, unsigned events)
{
	stopper *s = ud;

	(void)w;
	(void)fd;
	(void)events;
	s->calls++;
	s->recursive_once = xmppc__loop_core_run_once(s->core, 0);
	s->recursive_run = xmppc__loop_core_run(s->core);
	if (s->calls == s->stop_at)
		xmppc__loop_core_stop(s->core);
}

static void test_stop_and_recursion(void **state)
{
	fixture *f = fixture_new(state);
	xmppc__loop_watch *w;
	stopper s = {f->core, 0, 3, 0, 0};
	int p[2];

	make_pipe(p);
	/* Always writable: only stop() ends run(). */
	assert_int_equal(xmppc__loop_watch_add(&w, f->core, p[1], XMPPC_IO_OUT, on_io_stop, &s), 0);
	assert_int_equal(xmppc__loop_core_run(f->core), 0);
	assert_int_equal(s.calls, 3);
	assert_int_equal(s.recursive_once, XMPPC_ERECURSIVE);
	assert_int_equal(s.recursive_run, XMPPC_ERECURSIVE);
	/* The stop was spent: run again until the 6th call. */
	s.stop_at = 6;
	assert_int_equal(xmppc__loop_core_run(f->core), 0);
	assert_int_equal(s.calls, 6);
	/* A stop before run makes it return at once. */
	xmppc__loop_core_stop(f->core);
	assert_int_equal(xmppc__loop_core_run(f->core), 0);
	assert_int_equal(s.calls, 6);
	xmppc__loop_watch_remove(f->core, w);
	close(p[0]);
	close(p[1]);
	fixture_free(f);
}

/* ---- posting and wakeup ---- */

#define POST_THREADS     4
#define POSTS_PER_THREAD 2000

typedef struct post_rec {
	pthread_mutex_t lock; /* only for the checker's peace of mind (TSan) */
	int last[POST_THREADS];
	int ran;
	int bad_order;
} post_rec;

typedef struct post_item {
	post_rec *pr;
	int thread;
	int seq;
} post_item;

typedef struct post_thread {
	xmppc__loop_core *core;
	post_rec *pr;
	post_item *items;
	int thread;
} post_thread;

static void posted(void *data)
{
	post_item *it = data;
	post_rec *pr = it->pr;

	pthread_mutex_lock(&pr->lock);
	if (it->seq != pr->last[it->thread] + 1)
		pr->bad_order++;
	pr->last[it->thread] = it->seq;
	pr->ran++;
	pthread_mutex_unlock(&pr->lock);
}

static void *post_main(void *arg)
{
	post_thread *pt = arg;
	int i;

	for (i = 0; i < POSTS_PER_THREAD; i++) {
		pt->items[i].pr = pt->pr;
		pt->items[i].thread = pt->thread;
		pt->items[i].seq = i + 1;
		if (xmppc__loop_core_post(pt->core, posted, &pt->items[i]) != 0)
			abort();
	}
	return NULL;
}

static int post_ran(post_rec *pr)
{
	int n;

	pthread_mutex_lock(&pr->lock);
	n = pr->ran;
	pthread_mutex_unlock(&pr->lock);
	return n;
}

static void test_post_threads(void **state)
{
	fixture *f = fixture_new(state);
	post_thread pt[POST_THREADS];
	pthread_t th[POST_THREADS];
	post_rec pr;
	int i;

	memset(&pr, 0, sizeof(pr));
	pthread_mutex_init(&pr.lock, NULL);
	for (i = 0; i < POST_THREADS; i++) {
		pt[i].core = f->core;
		pt[i].pr = &pr;
		pt[i].thread = i;
		pt[i].items = calloc(POSTS_PER_THREAD, sizeof(post_item));
		assert_non_null(pt[i].items);
		assert_int_equal(pthread_create(&th[i], NULL, post_main, &pt[i]), 0);
	}
	/* Nothing but posts: a blocking iteration is woken by them. */
	while (post_ran(&pr) < POST_THREADS * POSTS_PER_THREAD)
		assert_int_equal(xmppc__loop_core_run_once(f->core, 10000), 0);
	for (i = 0; i < POST_THREADS; i++) {
		pthread_join(th[i], NULL);
		free(pt[i].items);
	}
	assert_int_equal(pr.bad_order, 0);
	for (i = 0; i < POST_THREADS; i++)
		assert_int_equal(pr.last[i], POSTS_PER_THREAD);
	assert_true(xmppc__loop_core_idle(f->core));
	pthread_mutex_destroy(&pr.lock);
	fixture_free(f);
}

typedef struct chain {
	xmppc__loop_core *core;
	int order[8];
	int n;
} chain;

static void posted_a(void *data);
static void posted_b(void *data);

static void posted_b(void *data)
{
	chain *c = data;

	c->order[c->n++] = 2;
}

static void posted_a(void *data)
{
	chain *c = data;

	c->order[c->n++] = 1;
	/* Posted from a posted function: the next iteration. */
	assert_int_equal(xmppc__loop_core_post(c->core, posted_b, c), 0);
}

static void test_post_order_and_run(void **state)
{
	fixture *f = fixture_new(state);
	chain c;

	memset(&c, 0, sizeof(c));
	c.core = f->core;
	assert_int_equal(xmppc__loop_core_post(f->core, posted_a, &c), 0);
	assert_int_equal(xmppc__loop_core_post(f->core, posted_b, &c), 0);
	assert_false(xmppc__loop_core_idle(f->core));
	/* Posts alone keep run() going; it returns when they are done. */
	assert_int_equal(xmppc__loop_core_run_once(f->core, -1), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.order[0], 1);
	assert_int_equal(c.order[1], 2);
	assert_int_equal(xmppc__loop_core_run(f->core), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.order[2], 2);
	/* Posted and never run: dropped (and freed) with the core. */
	assert_int_equal(xmppc__loop_core_post(f->core, posted_b, &c), 0);
	fixture_free(f);
	assert_int_equal(c.n, 3);
}

typedef struct waker {
	xmppc__loop_core *core;
	int delay_ms;
	int rc;
} waker;

static void *waker_main(void *arg)
{
	waker *w = arg;
	struct timespec ts = {0, (long)w->delay_ms * 1000000L};

	nanosleep(&ts, NULL);
	w->rc = xmppc__loop_core_wakeup(w->core);
	return NULL;
}

static void test_wakeup_thread(void **state)
{
	fixture *f = fixture_new(state);
	waker w = {f->core, 50, -1};
	pthread_t th;
	uint64_t t0 = real_ms(), dt;

	assert_int_equal(pthread_create(&th, NULL, waker_main, &w), 0);
	/* Nothing to wait for but the wakeup: blocks until it comes. */
	assert_int_equal(xmppc__loop_core_run_once(f->core, -1), 0);
	dt = real_ms() - t0;
	pthread_join(th, NULL);
	assert_int_equal(w.rc, 0);
	assert_true(dt >= 40);
	/* Many wakeups are drained in one go. */
	for (int i = 0; i < 10000; i++)
		assert_int_equal(xmppc__loop_core_wakeup(f->core), 0);
	assert_int_equal(xmppc__loop_core_run_once(f->core, 1000), 0);
	t0 = real_ms();
	assert_int_equal(xmppc__loop_core_run_once(f->core, 30), 0);
	assert_true(real_ms() - t0 >= 20); /* drained: this one timed out */
	fixture_free(f);
}

/* ---- allocation failures ---- */

static void test_alloc_failures(void **state)
{
	unsigned flags = *(const unsigned *)*state;
	test_alloc a;
	xmppc_ctx *ctx = test_ctx_new(&a);
	xmppc__loop_core *core = NULL;
	xmppc__loop_watch *w;
	xmppc__loop_timer *t;
	rec r = {0};
	long k;
	int rc, p[2];

	/* Creation: fail each allocation in turn, leak nothing. */
	for (k = 1;; k++) {
		long live = a.live;
		a.fail_at = a.calls + k;
		rc = xmppc__loop_core_new(&core, ctx, flags);
		a.fail_at = 0;
		if (rc == 0)
			break;
		assert_int_equal(rc, XMPPC_ENOMEM);
		assert_int_equal(a.live, live);
		assert_true(k < 100);
	}
	assert_true(k > 1);

	make_pipe(p);
	a.fail_at = a.calls + 1;
	assert_int_equal(xmppc__loop_watch_add(&w, core, p[0], XMPPC_IO_IN, on_io, &r),
	                 XMPPC_ENOMEM);
	a.fail_at = 0;
	a.fail_at = a.calls + 1;
	assert_int_equal(xmppc__loop_timer_new(&t, core, on_timer_rearm0, &r), XMPPC_ENOMEM);
	a.fail_at = 0;
	a.fail_at = a.calls + 1;
	assert_int_equal(xmppc__loop_core_post(core, posted_b, NULL), XMPPC_ENOMEM);
	a.fail_at = 0;
	/* Nothing was queued or registered by the failures. */
	assert_true(xmppc__loop_core_idle(core));

	/* The poll backend grows its arrays: make the growth fail. */
	if (!xmppc__loop_core_uses_epoll(core)) {
		int fds[80][2], i, failed = 0;
		xmppc__loop_watch *ws[80];
		for (i = 0; i < 80; i++) {
			make_pipe(fds[i]);
			a.fail_at = a.calls + 2; /* the watch succeeds, the growth fails */
			rc = xmppc__loop_watch_add(&ws[i], core, fds[i][0], XMPPC_IO_IN, on_io, &r);
			a.fail_at = 0;
			if (rc != 0) {
				assert_int_equal(rc, XMPPC_ENOMEM);
				failed++;
				assert_int_equal(xmppc__loop_watch_add(&ws[i], core, fds[i][0],
				                                       XMPPC_IO_IN, on_io, &r),
				                 0);
			}
		}
		assert_true(failed >= 1);
		/* The result array cannot grow either: events come, later. */
		for (i = 0; i < 80; i++)
			put_byte(fds[i][1]);
		a.fail_at = a.calls + 1;
		rc = xmppc__loop_core_run_once(core, 0);
		a.fail_at = 0;
		assert_int_equal(rc, 0);
		assert_int_equal(xmppc__loop_core_run_once(core, 0), 80);
		for (i = 0; i < 80; i++) {
			xmppc__loop_watch_remove(core, ws[i]);
			close(fds[i][0]);
			close(fds[i][1]);
		}
	}
	close(p[0]);
	close(p[1]);
	xmppc__loop_core_free(core);
	assert_null(xmppc_ctx_unref(ctx));
	assert_int_equal(a.live, 0);
}

#define BOTH(fn)                                                                                   \
	cmocka_unit_test_prestate(fn, (void *)&flags_epoll),                                       \
	    cmocka_unit_test_prestate(fn, (void *)&flags_poll)
#define ALL4(fn)                                                                                   \
	BOTH(fn), cmocka_unit_test_prestate(fn, (void *)&flags_epoll_pipe),                        \
	    cmocka_unit_test_prestate(fn, (void *)&flags_poll_pipe)

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		BOTH(test_readable_writable),
		BOTH(test_bad_args),
		BOTH(test_epoll_refuses_file),
		BOTH(test_remove_other_in_batch),
		BOTH(test_fd_reuse_in_batch),
		BOTH(test_modify_other_in_batch),
		BOTH(test_many_fds),
		BOTH(test_timer_order),
		BOTH(test_timer_cancel),
		BOTH(test_timer_zero_rearm),
		BOTH(test_timer_wait),
		BOTH(test_run_nothing_left),
		BOTH(test_stop_and_recursion),
		ALL4(test_post_threads),
		ALL4(test_post_order_and_run),
		ALL4(test_wakeup_thread),
		ALL4(test_alloc_failures),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
