/* Generic event-loop core (internal): fd watches with a callback, one-shot
 * timers in a binary min-heap on the context clock, a thread-safe queue of
 * posted functions and a wakeup fd, over an epoll or poll backend. It
 * knows nothing about XMPP: lib/loop/loop.c adapts xmppc_conn's io hooks
 * to it, and the unit tests drive it directly.
 *
 * Everything here is for the loop thread only, except
 * xmppc__loop_core_wakeup() and xmppc__loop_core_post().
 *
 * Re-entrancy: any callback (fd, timer, posted function) may add, modify
 * or remove any watch, start, stop or free any timer, post, and stop the
 * loop. A watch removed while events are being dispatched is freed only
 * when the dispatch ends, so an event already collected for it (or for its
 * fd number, closed and reused by a new watch in the same batch) is never
 * delivered. Running the core from inside one of its callbacks is refused
 * with XMPPC_ERECURSIVE. */
#ifndef XMPPC_LOOP_CORE_H
#define XMPPC_LOOP_CORE_H

#include <stdint.h>
#include <xmppc/conn.h>
#include <xmppc/ctx.h>

typedef struct xmppc__loop_core xmppc__loop_core;
typedef struct xmppc__loop_watch xmppc__loop_watch;
typedef struct xmppc__loop_timer xmppc__loop_timer;

/* xmppc__loop_core_new() flags. */
#define XMPPC__LOOP_POLL 0x1u   /* the poll backend (same value as XMPPC_LOOP_POLL) */
#define XMPPC__LOOP_PIPE 0x100u /* wake through a pipe even where eventfd exists (tests) */

/* Fd callback: @p events is a mask of XMPPC_IO_IN, XMPPC_IO_OUT (only those
 * asked for) and XMPPC_IO_ERR (error or hang-up: always reported). */
typedef void (*xmppc__loop_io_fn)(void *user_data, xmppc__loop_watch *w, int fd, unsigned events);
/* Timer callback: the timer is disarmed when this is called (start it again
 * to repeat; freeing it here is allowed). */
typedef void (*xmppc__loop_timer_fn)(void *user_data, xmppc__loop_timer *t);

/* Create a core. flags: XMPPC__LOOP_*. Returns 0, XMPPC_EINVAL, XMPPC_ENOMEM
 * or XMPPC_ESYSTEM (epoll, eventfd/pipe). Holds a reference on @p ctx. */
int xmppc__loop_core_new(xmppc__loop_core **out, xmppc_ctx *ctx, unsigned flags);

/* Free a core: watches and timers still there are freed (their callbacks
 * never run again), posted functions not yet run are dropped. Not from
 * inside a callback of the core. NULL is allowed. */
void xmppc__loop_core_free(xmppc__loop_core *core);

/* 1 if the core uses epoll, 0 if poll. */
int xmppc__loop_core_uses_epoll(const xmppc__loop_core *core);

/* Watch @p fd for @p events (XMPPC_IO_IN | XMPPC_IO_OUT; 0 is allowed and
 * still reports errors). One watch per fd. *out is valid until
 * xmppc__loop_watch_remove(). Returns 0, XMPPC_EINVAL, XMPPC_ENOMEM or
 * XMPPC_ESYSTEM (epoll_ctl refused the fd; logged). */
int xmppc__loop_watch_add(xmppc__loop_watch **out, xmppc__loop_core *core, int fd, unsigned events,
                          xmppc__loop_io_fn fn, void *user_data);

/* Change what a watch waits for. Returns 0, XMPPC_EINVAL or XMPPC_ESYSTEM. */
int xmppc__loop_watch_modify(xmppc__loop_core *core, xmppc__loop_watch *w, unsigned events);

/* Stop watching (call it before closing the fd). @p w must not be used
 * afterwards. NULL is allowed. */
void xmppc__loop_watch_remove(xmppc__loop_core *core, xmppc__loop_watch *w);

/* The fd of a watch. */
int xmppc__loop_watch_fd(const xmppc__loop_watch *w);

/* Create a timer (not armed). Its heap slot is reserved now, so starting
 * it never fails. Returns 0, XMPPC_EINVAL or XMPPC_ENOMEM. */
int xmppc__loop_timer_new(xmppc__loop_timer **out, xmppc__loop_core *core, xmppc__loop_timer_fn fn,
                          void *user_data);

/* Arm (or re-arm) a timer to fire @p delay_ms after now (context clock).
 * 0 fires at the next timer dispatch that starts after this call: never
 * from inside this call, and not in the dispatch pass that is running. */
void xmppc__loop_timer_start(xmppc__loop_core *core, xmppc__loop_timer *t, uint64_t delay_ms);

/* Disarm a timer (no effect when not armed). */
void xmppc__loop_timer_stop(xmppc__loop_core *core, xmppc__loop_timer *t);

/* 1 if the timer is armed. */
int xmppc__loop_timer_armed(const xmppc__loop_timer *t);

/* Disarm and free a timer. NULL is allowed. */
void xmppc__loop_timer_free(xmppc__loop_core *core, xmppc__loop_timer *t);

/* Queue fn(data) to run on the loop thread (any thread). Functions run in
 * the order posted, after the fd events and timers of an iteration; one
 * posted from a posted function runs in the next iteration. Returns 0,
 * XMPPC_EINVAL or XMPPC_ENOMEM. */
int xmppc__loop_core_post(xmppc__loop_core *core, void (*fn)(void *data), void *data);

/* Interrupt the wait (any thread; only write(2) is called). Returns 0 or
 * XMPPC_ESYSTEM. */
int xmppc__loop_core_wakeup(xmppc__loop_core *core);

/* One iteration: wait at most @p timeout_ms (-1: no limit) for fd events,
 * the next timer or a post, then dispatch fd events, expired timers and
 * posted functions. Returns the number of fd events and timers dispatched,
 * XMPPC_ERECURSIVE or XMPPC_ESYSTEM. */
int xmppc__loop_core_run_once(xmppc__loop_core *core, int timeout_ms);

/* Iterate until xmppc__loop_core_stop() or until nothing is left (no
 * watch, no armed timer, no posted function). Returns 0, XMPPC_ERECURSIVE
 * or XMPPC_ESYSTEM. */
int xmppc__loop_core_run(xmppc__loop_core *core);

/* Make xmppc__loop_core_run() return once the current iteration is done.
 * Called when the core is not running, the next run returns at once. The
 * request is spent when run or run_once returns. */
void xmppc__loop_core_stop(xmppc__loop_core *core);

/* 1 if nothing is left to wait for (no watch, no armed timer, no post). */
int xmppc__loop_core_idle(xmppc__loop_core *core);

/* Number of watches (not counting the internal wakeup fd). */
size_t xmppc__loop_core_watch_count(const xmppc__loop_core *core);

/* 1 if the core is inside run/run_once (the loop thread asks). */
int xmppc__loop_core_running(const xmppc__loop_core *core);

#endif
