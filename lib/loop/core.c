/* Loop core: watches, the iteration (wait, dispatch fd events, timers,
 * posted functions) and run/stop. Timers are in timer.c, wakeup and posts
 * in wake.c, the kernel interfaces in backend-epoll.c and backend-poll.c.
 *
 * Why removed watches are freed late: a backend's wait collects a batch of
 * (watch, events) pairs, and a callback early in the batch may remove a
 * watch that has an entry later in it -- its own conn's other fd, another
 * conn's fd, possibly closing the fd and opening a new one that gets the
 * same number. A removed watch is marked dead and, while a dispatch is in
 * progress, parked on the graveyard instead of freed: its batch entry is
 * skipped, and since its memory is not reused until the batch is over, no
 * new watch can be mistaken for it. Registrations are keyed by watch
 * pointer, never by fd number, so fd reuse cannot misroute an event. */
#include "loop/core-internal.h"

#include <limits.h>
#include <string.h>

#include "util/ctx.h"
#include <xmppc/error.h>

int xmppc__loop_core_new(xmppc__loop_core **out, xmppc_ctx *ctx, unsigned flags)
{
	xmppc__loop_core *c;
	int r;

	if (out == NULL || ctx == NULL || (flags & ~(XMPPC__LOOP_POLL | XMPPC__LOOP_PIPE)) != 0)
		return XMPPC_EINVAL;
	c = xmppc__calloc(ctx, 1, sizeof(*c));
	if (c == NULL)
		return XMPPC_ENOMEM;
	c->ctx = xmppc_ctx_ref(ctx);
	c->wake_rfd = c->wake_wfd = -1;
	if (pthread_mutex_init(&c->post_lock, NULL) != 0) {
		XMPPC_LOG(ctx, XMPPC_LOG_ERROR, XMPPC__LOOP_AREA, "pthread_mutex_init failed");
		xmppc_ctx_unref(c->ctx);
		xmppc__free(ctx, c);
		return XMPPC_ESYSTEM;
	}
	c->be = &xmppc__loop_backend_poll;
#ifdef XMPPC__LOOP_HAVE_EPOLL
	if (!(flags & XMPPC__LOOP_POLL))
		c->be = &xmppc__loop_backend_epoll;
#endif
	r = c->be->init(c);
	if (r != 0) {
		c->be = NULL;
		goto fail;
	}
	r = xmppc__loop_wake_open(c, flags);
	if (r != 0)
		goto fail;
	c->wake_watch.fd = c->wake_rfd;
	c->wake_watch.events = XMPPC_IO_IN;
	r = c->be->add(c, &c->wake_watch);
	if (r != 0)
		goto fail;
	XMPPC_LOG(ctx, XMPPC_LOG_DEBUG, XMPPC__LOOP_AREA, "loop on %s, woken by %s", c->be->name,
	          c->wake_rfd == c->wake_wfd ? "eventfd" : "pipe");
	*out = c;
	return 0;

fail:
	xmppc__loop_core_free(c);
	return r;
}

void xmppc__loop_core_free(xmppc__loop_core *core)
{
	xmppc_ctx *ctx;

	if (core == NULL)
		return;
	ctx = core->ctx;
	while (core->watches != NULL)
		xmppc__loop_watch_remove(core, core->watches);
	while (core->graveyard != NULL) {
		xmppc__loop_watch *w = core->graveyard;
		core->graveyard = w->next;
		xmppc__free(ctx, w);
	}
	xmppc__loop_timer_free_all(core);
	xmppc__loop_posts_drop(core);
	if (core->be != NULL)
		core->be->fini(core);
	xmppc__loop_wake_close(core);
	pthread_mutex_destroy(&core->post_lock);
	xmppc__free(ctx, core);
	xmppc_ctx_unref(ctx);
}

int xmppc__loop_core_uses_epoll(const xmppc__loop_core *core)
{
#ifdef XMPPC__LOOP_HAVE_EPOLL
	return core != NULL && core->be == &xmppc__loop_backend_epoll;
#else
	(void)core;
	return 0;
#endif
}

int xmppc__loop_watch_add(xmppc__loop_watch **out, xmppc__loop_core *core, int fd, unsigned events,
                          xmppc__loop_io_fn fn, void *user_data)
{
	xmppc__loop_watch *w;
	int r;

	if (out == NULL || core == NULL || fd < 0 || fn == NULL ||
	    (events & ~(XMPPC_IO_IN | XMPPC_IO_OUT)) != 0)
		return XMPPC_EINVAL;
	w = xmppc__calloc(core->ctx, 1, sizeof(*w));
	if (w == NULL)
		return XMPPC_ENOMEM;
	w->fn = fn;
	w->ud = user_data;
	w->fd = fd;
	w->events = events;
	w->index = SIZE_MAX;
	r = core->be->add(core, w);
	if (r != 0) {
		xmppc__free(core->ctx, w);
		return r;
	}
	w->next = core->watches;
	if (core->watches != NULL)
		core->watches->prev = w;
	core->watches = w;
	core->nwatches++;
	XMPPC_LOG(core->ctx, XMPPC_LOG_TRACE, XMPPC__LOOP_AREA, "watch fd %d events %u", fd,
	          events);
	*out = w;
	return 0;
}

int xmppc__loop_watch_modify(xmppc__loop_core *core, xmppc__loop_watch *w, unsigned events)
{
	int r;

	if (core == NULL || w == NULL || w->dead || (events & ~(XMPPC_IO_IN | XMPPC_IO_OUT)) != 0)
		return XMPPC_EINVAL;
	if (events == w->events)
		return 0;
	r = core->be->mod(core, w, events);
	if (r != 0)
		return r;
	XMPPC_LOG(core->ctx, XMPPC_LOG_TRACE, XMPPC__LOOP_AREA, "watch fd %d events %u", w->fd,
	          events);
	w->events = events;
	return 0;
}

void xmppc__loop_watch_remove(xmppc__loop_core *core, xmppc__loop_watch *w)
{
	if (core == NULL || w == NULL || w->dead)
		return;
	XMPPC_LOG(core->ctx, XMPPC_LOG_TRACE, XMPPC__LOOP_AREA, "unwatch fd %d", w->fd);
	core->be->del(core, w);
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		core->watches = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	core->nwatches--;
	w->dead = 1;
	w->fn = NULL;
	w->prev = NULL;
	if (core->dispatching) {
		w->next = core->graveyard;
		core->graveyard = w;
	} else {
		xmppc__free(core->ctx, w);
	}
}

int xmppc__loop_watch_fd(const xmppc__loop_watch *w)
{
	return w != NULL ? w->fd : -1;
}

/* The wait for this iteration: 0 with posts queued, else the smaller of
 * @p timeout_ms (-1: none) and the time to the next timer. */
static int wait_timeout(xmppc__loop_core *c, int timeout_ms)
{
	uint64_t next, now, left;

	if (xmppc__loop_posts_pending(c))
		return 0;
	next = xmppc__loop_timer_next(c);
	if (next == UINT64_MAX)
		return timeout_ms;
	now = xmppc_ctx_now(c->ctx);
	left = next > now ? next - now : 0;
	if (left > INT_MAX)
		left = INT_MAX;
	if (timeout_ms < 0 || left < (uint64_t)timeout_ms)
		return (int)left;
	return timeout_ms;
}

/* Deliver the batch c->ready[0..n): dead watches skipped, each event
 * narrowed to what the watch asks for now (a callback earlier in the batch
 * may have changed it), errors always delivered. */
static int dispatch_fds(xmppc__loop_core *c, size_t n)
{
	int count = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		xmppc__loop_watch *w = c->ready[i].w;
		unsigned ev;

		if (w == &c->wake_watch) {
			xmppc__loop_wake_drain(c);
			continue;
		}
		if (w->dead)
			continue;
		ev = c->ready[i].events & (w->events | XMPPC_IO_ERR);
		if (ev == 0)
			continue;
		count++;
		w->fn(w->ud, w, w->fd, ev);
	}
	return count;
}

/* One iteration; the caller has checked and set c->running. */
static int iterate(xmppc__loop_core *c, int timeout_ms)
{
	size_t n = 0;
	int r, count;

	r = c->be->wait(c, wait_timeout(c, timeout_ms), &n);
	if (r != 0)
		return r;
	c->dispatching = 1;
	count = dispatch_fds(c, n);
	count += xmppc__loop_timer_dispatch(c, xmppc_ctx_now(c->ctx));
	xmppc__loop_posts_run(c);
	c->dispatching = 0;
	while (c->graveyard != NULL) {
		xmppc__loop_watch *w = c->graveyard;
		c->graveyard = w->next;
		xmppc__free(c->ctx, w);
	}
	return count;
}

int xmppc__loop_core_run_once(xmppc__loop_core *core, int timeout_ms)
{
	int r;

	if (core == NULL)
		return XMPPC_EINVAL;
	if (core->running)
		return XMPPC_ERECURSIVE;
	core->running = 1;
	r = iterate(core, timeout_ms < 0 ? -1 : timeout_ms);
	core->stop = 0; /* a stop asked for during this iteration is spent */
	core->running = 0;
	return r;
}

int xmppc__loop_core_idle(xmppc__loop_core *core)
{
	return core->nwatches == 0 && core->nheap == 0 && !xmppc__loop_posts_pending(core);
}

int xmppc__loop_core_run(xmppc__loop_core *core)
{
	int r = 0;

	if (core == NULL)
		return XMPPC_EINVAL;
	if (core->running)
		return XMPPC_ERECURSIVE;
	core->running = 1;
	while (!core->stop && !xmppc__loop_core_idle(core)) {
		r = iterate(core, -1);
		if (r < 0)
			break;
		r = 0;
	}
	core->stop = 0;
	core->running = 0;
	return r;
}

void xmppc__loop_core_stop(xmppc__loop_core *core)
{
	if (core != NULL)
		core->stop = 1;
}

size_t xmppc__loop_core_watch_count(const xmppc__loop_core *core)
{
	return core->nwatches;
}

int xmppc__loop_core_running(const xmppc__loop_core *core)
{
	return core->running;
}
