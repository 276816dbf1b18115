/* Inside the loop core: the structures shared by core.c, timer.c, wake.c and
 * the backends (backend-epoll.c, backend-poll.c). */
#ifndef XMPPC_LOOP_CORE_INTERNAL_H
#define XMPPC_LOOP_CORE_INTERNAL_H

#include <pthread.h>

#include "loop/core.h"

#if defined(__linux__)
#define XMPPC__LOOP_HAVE_EPOLL   1
#define XMPPC__LOOP_HAVE_EVENTFD 1
#endif

#define XMPPC__LOOP_AREA "loop"

struct xmppc__loop_watch {
	xmppc__loop_io_fn fn; /* NULL for the internal wakeup watch */
	void *ud;
	int fd;
	unsigned events;                /* XMPPC_IO_IN | XMPPC_IO_OUT asked for */
	size_t index;                   /* poll backend: slot in its arrays */
	int dead;                       /* removed; memory kept until the dispatch ends */
	xmppc__loop_watch *prev, *next; /* core->watches, or next on core->graveyard */
};

struct xmppc__loop_timer {
	xmppc__loop_timer_fn fn;
	void *ud;
	uint64_t deadline; /* context clock, ms */
	uint64_t seq;      /* start order: ties on the deadline, and "not in this pass" */
	size_t index;      /* slot in the heap; SIZE_MAX: not armed */
	xmppc__loop_timer *prev, *next; /* core->timers */
};

/* One ready fd, collected by a backend's wait. */
typedef struct xmppc__loop_ready {
	xmppc__loop_watch *w;
	unsigned events; /* XMPPC_IO_* */
} xmppc__loop_ready;

/* A backend: how fds are registered and waited on. */
typedef struct xmppc__loop_backend {
	const char *name;
	/* Create the backend state (c->be_state) and c->ready. 0, XMPPC_ENOMEM or
	 * XMPPC_ESYSTEM. */
	int (*init)(xmppc__loop_core *c);
	/* Free the backend state and c->ready. */
	void (*fini)(xmppc__loop_core *c);
	/* Register w->fd for w->events. 0, XMPPC_ENOMEM or XMPPC_ESYSTEM. */
	int (*add)(xmppc__loop_core *c, xmppc__loop_watch *w);
	/* Change the registration to @p events (w->events is still the old
	 * mask). 0 or XMPPC_ESYSTEM. */
	int (*mod)(xmppc__loop_core *c, xmppc__loop_watch *w, unsigned events);
	/* Unregister (the fd may already be closed). Never fails. */
	void (*del)(xmppc__loop_core *c, xmppc__loop_watch *w);
	/* Wait, then fill c->ready[0..*n). EINTR is 0 events. 0 or
	 * XMPPC_ESYSTEM. Never called during a dispatch, so c->ready may be
	 * reallocated here and only here. */
	int (*wait)(xmppc__loop_core *c, int timeout_ms, size_t *n);
} xmppc__loop_backend;

extern const xmppc__loop_backend xmppc__loop_backend_poll;
#ifdef XMPPC__LOOP_HAVE_EPOLL
extern const xmppc__loop_backend xmppc__loop_backend_epoll;
#endif

/* A posted function. */
typedef struct xmppc__loop_post {
	void (*fn)(void *data);
	void *data;
	struct xmppc__loop_post *next;
} xmppc__loop_post;

struct xmppc__loop_core {
	xmppc_ctx *ctx;
	const xmppc__loop_backend *be;
	void *be_state;
	xmppc__loop_ready *ready; /* owned by the backend */
	size_t ready_cap;

	xmppc__loop_watch *watches; /* every live user watch */
	size_t nwatches;
	xmppc__loop_watch *graveyard; /* removed during a dispatch */
	xmppc__loop_watch wake_watch; /* the wakeup fd (fn NULL) */

	xmppc__loop_timer **heap; /* armed timers, min-heap on (deadline, seq) */
	size_t nheap, heap_cap;
	xmppc__loop_timer *timers; /* every timer (armed or not) */
	size_t ntimers;
	uint64_t timer_seq;

	int wake_rfd, wake_wfd; /* the same eventfd twice, or a pipe */
	pthread_mutex_t post_lock;
	xmppc__loop_post *post_head, *post_tail; /* under post_lock */

	int running;     /* inside run/run_once */
	int dispatching; /* inside the dispatch part of an iteration */
	int stop;
};

/* timer.c */
/* The earliest deadline, or UINT64_MAX when no timer is armed. */
uint64_t xmppc__loop_timer_next(const xmppc__loop_core *c);
/* Fire the timers due at @p now that were started before this call;
 * returns how many fired. */
int xmppc__loop_timer_dispatch(xmppc__loop_core *c, uint64_t now);
/* Free every timer (core teardown). */
void xmppc__loop_timer_free_all(xmppc__loop_core *c);

/* wake.c */
/* Open the wakeup fd(s): eventfd, or a pipe (XMPPC__LOOP_PIPE, or eventfd
 * unavailable). 0 or XMPPC_ESYSTEM. */
int xmppc__loop_wake_open(xmppc__loop_core *c, unsigned flags);
/* Close them. */
void xmppc__loop_wake_close(xmppc__loop_core *c);
/* Read the wakeup fd empty. */
void xmppc__loop_wake_drain(xmppc__loop_core *c);
/* 1 if a posted function is waiting. */
int xmppc__loop_posts_pending(xmppc__loop_core *c);
/* Run the functions posted so far, in order. */
void xmppc__loop_posts_run(xmppc__loop_core *c);
/* Drop the functions not run (core teardown). */
void xmppc__loop_posts_drop(xmppc__loop_core *c);

#endif
