/**
 * @file loop.h
 * @brief A ready-made event loop (tier 3) for #xmppc_conn connections.
 *
 * The loop uses epoll on Linux (poll elsewhere, or when asked) and is
 * built only on the public io hooks of conn.h: anything it does, an
 * application's own loop can do. One loop thread can drive thousands of
 * connections.
 *
 * Threading: a loop and its connections are used by the thread that runs
 * it. xmppc_loop_wakeup() and xmppc_loop_post() are the only calls that
 * may be made from other threads.
 */
#ifndef XMPPC_LOOP_H
#define XMPPC_LOOP_H

#include <xmppc/conn.h>

XMPPC_BEGIN_DECLS

/** Opaque event loop. */
typedef struct xmppc_loop xmppc_loop;

/** Flag for xmppc_loop_new(): use poll() even where epoll is available. */
#define XMPPC_LOOP_POLL 0x1u

/**
 * Create a loop.
 *
 * @param[out] out receives the loop; free it with xmppc_loop_free().
 * @param ctx context (a reference is held).
 * @param flags XMPPC_LOOP_* flags.
 * @return 0, #XMPPC_EINVAL, #XMPPC_ENOMEM, or #XMPPC_ESYSTEM (epoll or
 *         eventfd could not be created).
 */
XMPPC_API int xmppc_loop_new(xmppc_loop **out, xmppc_ctx *ctx, unsigned flags);

/**
 * Free a loop. Connections still added are removed (their io hooks
 * cleared), not freed; posted functions that have not run are dropped.
 * Not from inside the loop (run, run_once or any callback): refused and
 * logged. NULL is allowed.
 */
XMPPC_API void xmppc_loop_free(xmppc_loop *loop);

/** 1 if the loop uses epoll, 0 if poll. */
XMPPC_API int xmppc_loop_uses_epoll(const xmppc_loop *loop);

/**
 * Drive a connection from this loop (installs its io hooks). A connection
 * may be freed while added: xmppc_conn_free() removes it (through the
 * detach hook). Adding a connection that another loop drives moves it here.
 *
 * @return 0, #XMPPC_EINVAL, #XMPPC_EEXIST (added to this loop already),
 *         #XMPPC_ENOMEM, or what xmppc_conn_set_io_hooks() returns.
 */
XMPPC_API int xmppc_loop_add(xmppc_loop *loop, xmppc_conn *conn);

/**
 * Stop driving a connection (clears its io hooks). Allowed from callbacks.
 *
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOTFOUND.
 */
XMPPC_API int xmppc_loop_remove(xmppc_loop *loop, xmppc_conn *conn);

/**
 * Run until xmppc_loop_stop(), or until nothing is left to wait for (no
 * fd watched, no timer, no posted function).
 *
 * @return 0 (stopped or nothing left), #XMPPC_ERECURSIVE (already running),
 *         #XMPPC_ESYSTEM (epoll_wait/poll failed).
 */
XMPPC_API int xmppc_loop_run(xmppc_loop *loop);

/**
 * Wait at most @p timeout_ms (-1: no limit, 0: do not wait) for events,
 * and dispatch them, expired timers and posted functions.
 *
 * @return the number of fd events and timers dispatched (0 on timeout),
 *         #XMPPC_ERECURSIVE, or #XMPPC_ESYSTEM.
 */
XMPPC_API int xmppc_loop_run_once(xmppc_loop *loop, int timeout_ms);

/** Make xmppc_loop_run() return after the current iteration; a stop made
 *  while the loop is not running makes the next xmppc_loop_run() return at
 *  once. Loop thread only. */
XMPPC_API void xmppc_loop_stop(xmppc_loop *loop);

/**
 * Wake the loop from its wait (any thread; async-signal-safe).
 *
 * @return 0 or #XMPPC_ESYSTEM.
 */
XMPPC_API int xmppc_loop_wakeup(xmppc_loop *loop);

/**
 * Run @p fn(@p data) on the loop thread, soon (any thread). Functions run
 * in the order posted; one posted from a posted function runs in the next
 * iteration.
 *
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM (@p fn will not run).
 */
XMPPC_API int xmppc_loop_post(xmppc_loop *loop, void (*fn)(void *data), void *data);

XMPPC_END_DECLS

#endif /* XMPPC_LOOP_H */
