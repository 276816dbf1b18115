/* The public event loop (loop.h): the loop core (core.h) driving
 * connections through nothing but conn.h's public io hooks, as any
 * application's own loop would.
 *
 * Per connection the loop keeps an entry (the io hooks' user_data) with
 * one core timer (created with the entry, so the timer hook, which cannot
 * report errors, never allocates) and the list of the conn's watched fds.
 * Each watched fd has a loop_fd, attached to the fd with
 * xmppc_conn_assign() and handed back by the conn in later watch-hook
 * calls, so updating or dropping a watch is O(1) however many connections
 * share the loop.
 *
 * Lifetime: an entry lives exactly as long as its conn holds our hooks.
 * The conn's detach hook frees it, and the conn calls that when the hooks
 * are replaced or cleared (xmppc_loop_remove(), xmppc_loop_free(),
 * xmppc_loop_add() to another loop, xmppc_conn_set_io_hooks()) and when
 * the conn is freed. So every entry's conn is alive, the loop never keeps
 * a pointer to a freed conn, and xmppc_conn_free() without
 * xmppc_loop_remove() is fine.
 *
 * Re-entrancy: xmppc_conn_process() runs the conn's callbacks, which may
 * close fds (watch hook with events 0), remove or free this or any other
 * conn (the entry is then freed from inside that call), stop the loop, or
 * add connections. The core defers freeing removed watches to the end of
 * the dispatch, and the callbacks here touch nothing of the entry after
 * xmppc_conn_process() returns. */
#include <xmppc/loop.h>

#include <string.h>

#include "loop/core.h"
#include "util/ctx.h"
#include "util/hash.h"
#include <xmppc/error.h>

#define AREA "loop"

typedef struct loop_entry loop_entry;
typedef struct loop_fd loop_fd;

/* One watched fd of a connection (the fd_data of xmppc_conn_assign()). */
struct loop_fd {
	loop_entry *e;
	xmppc__loop_watch *w;
	int fd;
	loop_fd *prev, *next; /* e->fds */
};

/* One added connection (the io hooks' user_data). */
struct loop_entry {
	xmppc_loop *loop;
	xmppc_conn *conn;
	xmppc__loop_timer *timer;
	loop_fd *fds;
	int hooked;              /* a hook ran since xmppc_conn_set_io_hooks() installed ours */
	loop_entry *prev, *next; /* loop->entries */
};

struct xmppc_loop {
	xmppc_ctx *ctx;
	xmppc__loop_core *core;
	xmppc__hash by_conn; /* conn pointer bytes -> entry */
	loop_entry *entries;
	unsigned long detaches; /* detach hooks run: tells whether one ran */
};

/* ---- fd and timer callbacks from the core ---- */

/* A watched fd is ready: hand it to its connection. */
static void on_fd_ready(void *user_data, xmppc__loop_watch *w, int fd, unsigned events)
{
	loop_fd *lf = user_data;
	xmppc_ctx *ctx = lf->e->loop->ctx;
	xmppc_io_event ev;
	int r;

	(void)w;
	ev.fd = fd;
	ev.events = events;
	/* May free lf and its entry (the conn's callbacks can close the fd,
	 * remove or free the conn): nothing of theirs is used after the call. */
	r = xmppc_conn_process(lf->e->conn, &ev, 1);
	if (r < 0)
		XMPPC_LOG(ctx, XMPPC_LOG_ERROR, AREA, "xmppc_conn_process(fd %d): %s", fd,
		          xmppc_strerror(r));
}

/* A connection's timer expired. */
static void on_timer_expired(void *user_data, xmppc__loop_timer *t)
{
	loop_entry *e = user_data;
	xmppc_ctx *ctx = e->loop->ctx;
	int r;

	(void)t;
	/* May free the entry (xmppc_loop_remove() from a callback). */
	r = xmppc_conn_process(e->conn, NULL, 0);
	if (r < 0)
		XMPPC_LOG(ctx, XMPPC_LOG_ERROR, AREA, "xmppc_conn_process(timer): %s",
		          xmppc_strerror(r));
}

/* ---- per-fd registrations ---- */

/* Stop watching one fd and forget it. */
static void fd_drop(loop_entry *e, loop_fd *lf)
{
	xmppc__loop_watch_remove(e->loop->core, lf->w);
	if (lf->prev != NULL)
		lf->prev->next = lf->next;
	else
		e->fds = lf->next;
	if (lf->next != NULL)
		lf->next->prev = lf->prev;
	xmppc__free(e->loop->ctx, lf);
}

/* Start watching a new fd of the entry's conn and attach the registration
 * to it. */
static int fd_add(loop_entry *e, int fd, unsigned events)
{
	xmppc_loop *loop = e->loop;
	loop_fd *lf;
	int r;

	lf = xmppc__calloc(loop->ctx, 1, sizeof(*lf));
	if (lf == NULL)
		return XMPPC_ENOMEM;
	lf->e = e;
	lf->fd = fd;
	r = xmppc__loop_watch_add(&lf->w, loop->core, fd, events, on_fd_ready, lf);
	if (r != 0) {
		xmppc__free(loop->ctx, lf);
		return r;
	}
	lf->next = e->fds;
	if (e->fds != NULL)
		e->fds->prev = lf;
	e->fds = lf;
	r = xmppc_conn_assign(e->conn, fd, lf);
	if (r != 0) {
		XMPPC_LOG(loop->ctx, XMPPC_LOG_ERROR, AREA, "xmppc_conn_assign(fd %d): %s", fd,
		          xmppc_strerror(r));
		fd_drop(e, lf);
		return r;
	}
	return 0;
}

/* ---- the io hooks ---- */

/* Watch hook: add, change or drop the registration of @p fd. */
static int hook_watch(void *user_data, xmppc_conn *conn, int fd, unsigned events, void *fd_data)
{
	loop_entry *e = user_data;
	loop_fd *lf = fd_data;

	e->hooked = 1;
	if (lf != NULL && (lf->e != e || lf->fd != fd)) {
		/* Not ours: the conn handed back data that another loop (or an
		 * earlier hook owner) attached. Refuse rather than corrupt. */
		XMPPC_LOG(e->loop->ctx, XMPPC_LOG_ERROR, AREA,
		          "watch hook: fd %d comes with foreign fd_data", fd);
		return XMPPC_EINTERNAL;
	}
	events &= XMPPC_IO_IN | XMPPC_IO_OUT;
	if (events == 0) {
		if (lf != NULL) {
			fd_drop(e, lf);
			/* So that no later hook owner is handed a freed pointer; the
			 * conn may have let go of the fd already (ENOTFOUND). */
			(void)xmppc_conn_assign(conn, fd, NULL);
		}
		return 0;
	}
	if (lf != NULL)
		return xmppc__loop_watch_modify(e->loop->core, lf->w, events);
	return fd_add(e, fd, events);
}

/* Timer hook: (re)arm or disarm the entry's timer. Never fails: the timer
 * reserved its heap slot when the entry was made. 0 fires in the loop's
 * next timer pass, never from inside this call. */
static void hook_timer(void *user_data, xmppc_conn *conn, int64_t timeout_ms)
{
	loop_entry *e = user_data;

	(void)conn;
	e->hooked = 1;
	if (timeout_ms < 0)
		xmppc__loop_timer_stop(e->loop->core, e->timer);
	else
		xmppc__loop_timer_start(e->loop->core, e->timer, (uint64_t)timeout_ms);
}

static void hook_detach(void *user_data, xmppc_conn *conn);

static const xmppc_io_hooks loop_hooks = {XMPPC_IO_HOOKS_VERSION, hook_watch, hook_timer,
                                          hook_detach};

/* ---- entries ---- */

/* The entry of @p conn, or NULL. */
static loop_entry *entry_find(xmppc_loop *loop, xmppc_conn *conn)
{
	return xmppc__hash_get(&loop->by_conn, (const char *)&conn, sizeof(conn));
}

/* A new entry for @p conn, in the hash and the list. */
static int entry_new(loop_entry **out, xmppc_loop *loop, xmppc_conn *conn)
{
	loop_entry *e;
	int r;

	e = xmppc__calloc(loop->ctx, 1, sizeof(*e));
	if (e == NULL)
		return XMPPC_ENOMEM;
	e->loop = loop;
	e->conn = conn;
	r = xmppc__loop_timer_new(&e->timer, loop->core, on_timer_expired, e);
	if (r != 0) {
		xmppc__free(loop->ctx, e);
		return r;
	}
	r = xmppc__hash_insert(&loop->by_conn, (const char *)&e->conn, sizeof(e->conn), e);
	if (r != 0) {
		xmppc__loop_timer_free(loop->core, e->timer);
		xmppc__free(loop->ctx, e);
		return r;
	}
	e->next = loop->entries;
	if (loop->entries != NULL)
		loop->entries->prev = e;
	loop->entries = e;
	*out = e;
	return 0;
}

/* Free an entry whose conn no longer holds our hooks: any fd still
 * registered (the conn should have told us to forget them all) is dropped,
 * the timer freed. Never calls into the conn. */
static void entry_destroy(xmppc_loop *loop, loop_entry *e)
{
	if (e->fds != NULL)
		XMPPC_LOG(loop->ctx, XMPPC_LOG_WARN, AREA,
		          "connection %p let go of the hooks with fds still watched",
		          (void *)e->conn);
	while (e->fds != NULL)
		fd_drop(e, e->fds);
	xmppc__loop_timer_free(loop->core, e->timer);
	xmppc__hash_remove(&loop->by_conn, (const char *)&e->conn, sizeof(e->conn));
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		loop->entries = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	xmppc__free(loop->ctx, e);
}

/* Detach hook: the conn no longer uses our hooks (they were replaced or
 * cleared, or the conn is being freed); every fd and the timer have been
 * forgotten already. May run inside xmppc_conn_process() called from
 * on_fd_ready()/on_timer_expired() (a deferred xmppc_conn_free()). */
static void hook_detach(void *user_data, xmppc_conn *conn)
{
	loop_entry *e = user_data;
	xmppc_loop *loop = e->loop;

	(void)conn;
	loop->detaches++;
	entry_destroy(loop, e);
}

/* Take our hooks off a conn that holds them, which frees its entry (from
 * the detach hook; directly if no detach came). 0, or what
 * xmppc_conn_set_io_hooks() returns (the entry then stays). */
static int entry_unhook(xmppc_loop *loop, loop_entry *e)
{
	unsigned long before = loop->detaches;
	int r = xmppc_conn_set_io_hooks(e->conn, NULL, NULL);

	if (r != 0)
		return r;
	if (loop->detaches == before)
		entry_destroy(loop, e);
	return 0;
}

/* ---- public API ---- */

XMPPC_API int xmppc_loop_new(xmppc_loop **out, xmppc_ctx *ctx, unsigned flags)
{
	xmppc_loop *loop;
	int r;

	if (out == NULL || ctx == NULL || (flags & ~XMPPC_LOOP_POLL) != 0)
		return XMPPC_EINVAL;
	loop = xmppc__calloc(ctx, 1, sizeof(*loop));
	if (loop == NULL)
		return XMPPC_ENOMEM;
	r = xmppc__loop_core_new(&loop->core, ctx,
	                         (flags & XMPPC_LOOP_POLL) ? XMPPC__LOOP_POLL : 0u);
	if (r != 0) {
		xmppc__free(ctx, loop);
		return r;
	}
	loop->ctx = xmppc_ctx_ref(ctx);
	xmppc__hash_init(&loop->by_conn, ctx);
	*out = loop;
	return 0;
}

XMPPC_API void xmppc_loop_free(xmppc_loop *loop)
{
	xmppc_ctx *ctx;

	if (loop == NULL)
		return;
	ctx = loop->ctx;
	if (xmppc__loop_core_running(loop->core)) {
		/* Freeing now would pull the loop from under its own dispatch:
		 * leak it instead of crashing, and say so. */
		XMPPC_LOG(ctx, XMPPC_LOG_ERROR, AREA,
		          "xmppc_loop_free() from inside the loop: ignored");
		return;
	}
	while (loop->entries != NULL) {
		loop_entry *e = loop->entries;
		int r = entry_unhook(loop, e);
		if (r != 0) {
			/* Only from inside a hook of that conn, which a loop that
			 * is not running cannot be in; do not spin on it. */
			XMPPC_LOG(ctx, XMPPC_LOG_ERROR, AREA, "clearing the io hooks of %p: %s",
			          (void *)e->conn, xmppc_strerror(r));
			entry_destroy(loop, e);
		}
	}
	xmppc__hash_fini(&loop->by_conn);
	xmppc__loop_core_free(loop->core);
	xmppc__free(ctx, loop);
	xmppc_ctx_unref(ctx);
}

XMPPC_API int xmppc_loop_uses_epoll(const xmppc_loop *loop)
{
	return loop != NULL && xmppc__loop_core_uses_epoll(loop->core);
}

XMPPC_API int xmppc_loop_add(xmppc_loop *loop, xmppc_conn *conn)
{
	loop_entry *e;
	int r;

	if (loop == NULL || conn == NULL)
		return XMPPC_EINVAL;
	if (entry_find(loop, conn) != NULL)
		return XMPPC_EEXIST;
	r = entry_new(&e, loop, conn);
	if (r != 0)
		return r;
	/* Any previous hooks (another loop's) are told to forget the conn and
	 * detached; then ours are told at once about the fds and the timer in
	 * use, and an allocation failing there fails the install. */
	r = xmppc_conn_set_io_hooks(conn, &loop_hooks, e);
	if (r != 0) {
		/* If a hook ran, the conn kept our hooks: take them back (which
		 * frees the entry; should that fail, the conn still points at
		 * the entry, so it stays). Otherwise it was never handed out. */
		if (!e->hooked)
			entry_destroy(loop, e);
		else if (entry_unhook(loop, e) != 0)
			XMPPC_LOG(loop->ctx, XMPPC_LOG_ERROR, AREA,
			          "could not take back the io hooks of %p", (void *)conn);
		return r;
	}
	return 0;
}

XMPPC_API int xmppc_loop_remove(xmppc_loop *loop, xmppc_conn *conn)
{
	loop_entry *e;

	if (loop == NULL || conn == NULL)
		return XMPPC_EINVAL;
	e = entry_find(loop, conn);
	if (e == NULL)
		return XMPPC_ENOTFOUND;
	/* On failure (from inside one of the conn's hooks) the conn still
	 * holds pointers to the entry, so it stays. */
	return entry_unhook(loop, e);
}

XMPPC_API int xmppc_loop_run(xmppc_loop *loop)
{
	if (loop == NULL)
		return XMPPC_EINVAL;
	return xmppc__loop_core_run(loop->core);
}

XMPPC_API int xmppc_loop_run_once(xmppc_loop *loop, int timeout_ms)
{
	if (loop == NULL)
		return XMPPC_EINVAL;
	return xmppc__loop_core_run_once(loop->core, timeout_ms);
}

XMPPC_API void xmppc_loop_stop(xmppc_loop *loop)
{
	if (loop != NULL)
		xmppc__loop_core_stop(loop->core);
}

XMPPC_API int xmppc_loop_wakeup(xmppc_loop *loop)
{
	if (loop == NULL)
		return XMPPC_EINVAL;
	return xmppc__loop_core_wakeup(loop->core);
}

XMPPC_API int xmppc_loop_post(xmppc_loop *loop, void (*fn)(void *data), void *data)
{
	if (loop == NULL)
		return XMPPC_EINVAL;
	return xmppc__loop_core_post(loop->core, fn, data);
}
