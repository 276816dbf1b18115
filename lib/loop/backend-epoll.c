/* Loop core backend on epoll (Linux), level-triggered. Each registration
 * carries its watch pointer in epoll_event.data, so a ready fd costs
 * O(1) whatever the number of fds. A watch removed during a dispatch
 * stays allocated (and marked dead) until the dispatch ends, which is
 * what makes a stale pointer in the already-collected batch harmless. */
#include "loop/core-internal.h"

#ifdef XMPPC__LOOP_HAVE_EPOLL

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "util/ctx.h"
#include <xmppc/error.h>

/* Events taken from the kernel per wait; more stay ready for the next. */
#define EPOLL_BATCH 256

typedef struct epoll_state {
	int epfd;
	struct epoll_event events[EPOLL_BATCH];
} epoll_state;

/* XMPPC_IO_IN/OUT to epoll events (errors and hang-ups are always on). */
static uint32_t to_epoll(unsigned events)
{
	return ((events & XMPPC_IO_IN) ? (uint32_t)EPOLLIN : 0u) |
	       ((events & XMPPC_IO_OUT) ? (uint32_t)EPOLLOUT : 0u);
}

/* Epoll events to XMPPC_IO_*. */
static unsigned from_epoll(uint32_t ev)
{
	return ((ev & EPOLLIN) ? XMPPC_IO_IN : 0u) | ((ev & EPOLLOUT) ? XMPPC_IO_OUT : 0u) |
	       ((ev & (EPOLLERR | EPOLLHUP)) ? XMPPC_IO_ERR : 0u);
}

static int epoll_init(xmppc__loop_core *c)
{
	epoll_state *s = xmppc__malloc(c->ctx, sizeof(*s));

	if (s == NULL)
		return XMPPC_ENOMEM;
	c->ready = xmppc__calloc(c->ctx, EPOLL_BATCH, sizeof(*c->ready));
	if (c->ready == NULL) {
		xmppc__free(c->ctx, s);
		return XMPPC_ENOMEM;
	}
	c->ready_cap = EPOLL_BATCH;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0) {
		XMPPC_LOG(c->ctx, XMPPC_LOG_ERROR, XMPPC__LOOP_AREA, "epoll_create1: %s",
		          strerror(errno));
		xmppc__free(c->ctx, c->ready);
		c->ready = NULL;
		c->ready_cap = 0;
		xmppc__free(c->ctx, s);
		return XMPPC_ESYSTEM;
	}
	c->be_state = s;
	return 0;
}

static void epoll_fini(xmppc__loop_core *c)
{
	epoll_state *s = c->be_state;

	if (s == NULL)
		return;
	close(s->epfd);
	xmppc__free(c->ctx, s);
	xmppc__free(c->ctx, c->ready);
	c->be_state = NULL;
	c->ready = NULL;
	c->ready_cap = 0;
}

/* epoll_ctl with the watch as data; logs failures. */
static int ctl(xmppc__loop_core *c, int op, xmppc__loop_watch *w, unsigned events)
{
	epoll_state *s = c->be_state;
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = to_epoll(events);
	ev.data.ptr = w;
	if (epoll_ctl(s->epfd, op, w->fd, &ev) == 0)
		return 0;
	XMPPC_LOG(c->ctx, XMPPC_LOG_ERROR, XMPPC__LOOP_AREA, "epoll_ctl(%s, fd %d): %s",
	          op == EPOLL_CTL_ADD ? "ADD" : "MOD", w->fd, strerror(errno));
	return XMPPC_ESYSTEM;
}

static int epoll_add(xmppc__loop_core *c, xmppc__loop_watch *w)
{
	return ctl(c, EPOLL_CTL_ADD, w, w->events);
}

static int epoll_mod(xmppc__loop_core *c, xmppc__loop_watch *w, unsigned events)
{
	return ctl(c, EPOLL_CTL_MOD, w, events);
}

static void epoll_del(xmppc__loop_core *c, xmppc__loop_watch *w)
{
	epoll_state *s = c->be_state;
	struct epoll_event ev;

	/* EBADF/ENOENT: the fd was closed first (the kernel dropped the
	 * registration with the last reference to the file). Nothing to do. */
	memset(&ev, 0, sizeof(ev));
	if (epoll_ctl(s->epfd, EPOLL_CTL_DEL, w->fd, &ev) < 0 && errno != EBADF && errno != ENOENT)
		XMPPC_LOG(c->ctx, XMPPC_LOG_WARN, XMPPC__LOOP_AREA, "epoll_ctl(DEL, fd %d): %s",
		          w->fd, strerror(errno));
}

static int epoll_wait_ready(xmppc__loop_core *c, int timeout_ms, size_t *n)
{
	epoll_state *s = c->be_state;
	int r, i;

	*n = 0;
	r = epoll_wait(s->epfd, s->events, EPOLL_BATCH, timeout_ms);
	if (r < 0) {
		if (errno == EINTR)
			return 0;
		XMPPC_LOG(c->ctx, XMPPC_LOG_ERROR, XMPPC__LOOP_AREA, "epoll_wait: %s",
		          strerror(errno));
		return XMPPC_ESYSTEM;
	}
	for (i = 0; i < r; i++) {
		c->ready[i].w = s->events[i].data.ptr;
		c->ready[i].events = from_epoll(s->events[i].events);
	}
	*n = (size_t)r;
	return 0;
}

const xmppc__loop_backend xmppc__loop_backend_epoll = {
	.name = "epoll",
	.init = epoll_init,
	.fini = epoll_fini,
	.add = epoll_add,
	.mod = epoll_mod,
	.del = epoll_del,
	.wait = epoll_wait_ready,
};

#else

/* No epoll on this system: only the poll backend is built. */
typedef int xmppc__loop_no_epoll;

#endif
