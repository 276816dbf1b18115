/* Loop core backend on poll(2): the fallback, and XMPPC_LOOP_POLL. The
 * pollfd array is kept up to date incrementally (each watch knows its
 * slot; removal moves the last slot into the hole), so only poll() itself
 * and the scan of its result are O(number of fds).
 *
 * The scan copies ready slots into c->ready before anything is
 * dispatched: callbacks may then add and remove watches (reshuffling the
 * pollfd array) without disturbing the batch being delivered. */
#include "loop/core-internal.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "util/ctx.h"
#include <xmppc/error.h>

typedef struct poll_state {
	struct pollfd *pfds;
	xmppc__loop_watch **ws; /* ws[i] owns pfds[i] */
	size_t n, cap;
} poll_state;

/* XMPPC_IO_IN/OUT to poll events. */
static short to_poll(unsigned events)
{
	return (short)(((events & XMPPC_IO_IN) ? POLLIN : 0) |
	               ((events & XMPPC_IO_OUT) ? POLLOUT : 0));
}

/* poll revents to XMPPC_IO_*. */
static unsigned from_poll(short rev)
{
	return ((rev & POLLIN) ? XMPPC_IO_IN : 0u) | ((rev & POLLOUT) ? XMPPC_IO_OUT : 0u) |
	       ((rev & (POLLERR | POLLHUP | POLLNVAL)) ? XMPPC_IO_ERR : 0u);
}

static int poll_init(xmppc__loop_core *c)
{
	poll_state *s = xmppc__calloc(c->ctx, 1, sizeof(*s));

	if (s == NULL)
		return XMPPC_ENOMEM;
	c->be_state = s;
	return 0;
}

static void poll_fini(xmppc__loop_core *c)
{
	poll_state *s = c->be_state;

	if (s == NULL)
		return;
	xmppc__free(c->ctx, s->pfds);
	xmppc__free(c->ctx, s->ws);
	xmppc__free(c->ctx, s);
	xmppc__free(c->ctx, c->ready);
	c->be_state = NULL;
	c->ready = NULL;
	c->ready_cap = 0;
}

/* Grow the pollfd and owner arrays to hold one more entry. */
static int grow(xmppc__loop_core *c, poll_state *s)
{
	size_t cap = s->cap != 0 ? s->cap * 2 : 64;
	struct pollfd *pfds;
	xmppc__loop_watch **ws;

	if (cap > SIZE_MAX / sizeof(*pfds) || cap > SIZE_MAX / sizeof(*ws))
		return XMPPC_ENOMEM;
	pfds = xmppc__realloc(c->ctx, s->pfds, cap * sizeof(*pfds));
	if (pfds == NULL)
		return XMPPC_ENOMEM;
	s->pfds = pfds;
	ws = xmppc__realloc(c->ctx, s->ws, cap * sizeof(*ws));
	if (ws == NULL)
		return XMPPC_ENOMEM;
	s->ws = ws;
	s->cap = cap;
	return 0;
}

static int poll_add(xmppc__loop_core *c, xmppc__loop_watch *w)
{
	poll_state *s = c->be_state;

	if (s->n == s->cap && grow(c, s) != 0)
		return XMPPC_ENOMEM;
	s->pfds[s->n].fd = w->fd;
	s->pfds[s->n].events = to_poll(w->events);
	s->pfds[s->n].revents = 0;
	s->ws[s->n] = w;
	w->index = s->n++;
	return 0;
}

static int poll_mod(xmppc__loop_core *c, xmppc__loop_watch *w, unsigned events)
{
	poll_state *s = c->be_state;

	s->pfds[w->index].events = to_poll(events);
	return 0;
}

static void poll_del(xmppc__loop_core *c, xmppc__loop_watch *w)
{
	poll_state *s = c->be_state;
	size_t i = w->index, last = --s->n;

	if (i != last) {
		s->pfds[i] = s->pfds[last];
		s->ws[i] = s->ws[last];
		s->ws[i]->index = i;
	}
	w->index = SIZE_MAX;
}

static int poll_wait_ready(xmppc__loop_core *c, int timeout_ms, size_t *n)
{
	poll_state *s = c->be_state;
	size_t i, k = 0;
	int r;

	*n = 0;
	/* c->ready is reallocated only here, between dispatches. When it cannot
	 * grow, the fds beyond its size are reported by the next poll (level
	 * triggered): a delay, not a loss. */
	if (c->ready_cap < s->n) {
		xmppc__loop_ready *ready = NULL;
		if (s->cap <= SIZE_MAX / sizeof(*ready))
			ready = xmppc__realloc(c->ctx, c->ready, s->cap * sizeof(*ready));
		if (ready != NULL) {
			c->ready = ready;
			c->ready_cap = s->cap;
		}
	}
	r = poll(s->pfds, (nfds_t)s->n, timeout_ms);
	if (r < 0) {
		if (errno == EINTR)
			return 0;
		XMPPC_LOG(c->ctx, XMPPC_LOG_ERROR, XMPPC__LOOP_AREA, "poll: %s", strerror(errno));
		return XMPPC_ESYSTEM;
	}
	for (i = 0; i < s->n && k < (size_t)r && k < c->ready_cap; i++) {
		if (s->pfds[i].revents == 0)
			continue;
		c->ready[k].w = s->ws[i];
		c->ready[k].events = from_poll(s->pfds[i].revents);
		k++;
	}
	*n = k;
	return 0;
}

const xmppc__loop_backend xmppc__loop_backend_poll = {
	.name = "poll",
	.init = poll_init,
	.fini = poll_fini,
	.add = poll_add,
	.mod = poll_mod,
	.del = poll_del,
	.wait = poll_wait_ready,
};
