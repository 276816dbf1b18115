/* Internal layout of the connection driver (include/xmppc/conn.h), shared
 * by the files of lib/net:
 *   conn.c          life cycle, public calls, events, finishing
 *   conn-io.c       the fd table, io hooks, timer, poll() convenience
 *   conn-connect.c  resolution and Happy Eyeballs TCP attempts
 *   conn-stream.c   reading, writing, TLS and the session on one socket
 *   reconnect.c     the reconnection manager: policy, backoff, WAITING
 *   creds-cache.c   TLS credentials shared between connections
 * See doc/conn.md. */
#ifndef XMPPC_NET_CONN_INTERNAL_H
#define XMPPC_NET_CONN_INTERNAL_H

#include <stdint.h>
#include <xmppc/conn.h>

#include "net/resolve.h"
#include "net/tls.h"

/* Who an fd belongs to. */
typedef enum { FD_RESOLVER = 1, FD_ATTEMPT, FD_STREAM } fd_owner;

typedef struct conn_fd {
	int fd;
	unsigned events; /* XMPPC_IO_IN/OUT as last told to the hooks */
	fd_owner owner;
	void *fd_data;   /* xmppc_conn_assign() */
} conn_fd;

/* A TCP connection attempt in flight. */
typedef struct conn_attempt {
	int fd;
	const xmppc__resolve_target *target;
	const xmppc__resolve_addr *addr;
	uint64_t deadline; /* this attempt's connect timeout */
} conn_attempt;

/* Happy Eyeballs: at most this many attempts at once (RFC 8305 §5 only
 * staggers; a bound keeps a black-holed address list from eating fds). */
#define CONN_MAX_ATTEMPTS 4
/* fds: the resolver's few sockets, the attempts, the stream. */
#define CONN_MAX_FDS 24

struct xmppc_conn {
	xmppc_ctx *ctx;
	xmppc_session *session;

	/* configuration */
	unsigned flags;
	char *domain;        /* the JID's domain, A-label: what the certificate must match */
	char *server_host;   /* configured host or NULL */
	uint16_t server_port;
	char **pins;         /* NULL-terminated, or NULL */
	size_t n_pins;
	xmppc_cert_fail_fn cert_fail;
	void *cert_fail_ud;
	char *dns_servers;
	uint32_t connect_timeout, tls_timeout, he_delay;
	unsigned max_redirects;
	xmppc__tls_creds *creds; /* NULL until needed when plaintext is allowed */
	char *ca_file, *cert_file, *key_file, *priority; /* to load creds later */
	int system_trust;

	/* io hooks and fds */
	xmppc_io_hooks hooks;
	void *hooks_ud;
	int has_hooks;
	int in_hook;
	conn_fd fds[CONN_MAX_FDS];
	size_t nfds;
	int64_t timer_told; /* what the timer hook last heard (-1: none) */
	uint64_t timer_at;  /* its absolute time (0: none) */

	/* where we are */
	xmppc_conn_stage stage;
	uint64_t stage_deadline; /* DNS or TLS timeout, 0: none (TCP: per attempt) */
	int depth;               /* inside a call that may fire callbacks */
	int doomed;              /* freed from a callback: free on leaving */
	int flush_wanted;        /* output appeared during a call */
	int finishing;           /* writing the last words of an ended session */

	/* resolution */
	xmppc__resolver *resolver;
	xmppc__resolve_query *query;
	xmppc__resolve_result *res;
	size_t target_idx, addr_idx;
	char *redirect_host; /* see-other-host target being followed */
	uint16_t redirect_port;
	unsigned redirects;

	/* TCP attempts */
	conn_attempt attempts[CONN_MAX_ATTEMPTS];
	size_t nattempts;
	uint64_t next_attempt_at; /* Happy Eyeballs stagger, 0: none */
	int last_errno;           /* of the last failed attempt */
	int last_dns_status;      /* of the last target without addresses */

	/* the stream */
	int fd;
	int direct_tls;
	xmppc__tls *tls;
	int eof;
	char host[256]; /* target host name of the connection (events) */
	unsigned port;
	char address[64];

	/* events */
	xmppc_conn_event_fn event_fn;
	void *event_ud;
	void (*event_destroy)(void *);
	char see_other_host[300]; /* pending redirect from the session */

	/* last error */
	int err_code;
	xmppc_conn_stage err_stage;
	char err_text[256];

	/* reconnection manager (reconnect.c) */
	int rc_on;                 /* xmppc_conn_set_reconnect() turned it on */
	uint32_t rc_base, rc_max, rc_stable;
	unsigned rc_max_attempts;  /* 0: forever */
	unsigned rc_fails;         /* consecutive failures since the last stable connection */
	uint64_t rc_retry_at;      /* WAITING: when the next attempt starts */
	uint64_t rc_ready_at;      /* when this connection became READY/RESUMED (0: not) */
	int app_close;             /* the application closed: never retry */
	int nc_pending;            /* network_changed() from a callback: act on leaving */

	/* TCP keepalive (0, 0, 0: off) */
	int ka_on;
	unsigned ka_idle, ka_intvl, ka_cnt;
};

/* conn.c */
/* Fire an event (version filled in; nothing after a deferred free). */
void xmppc__conn_emit_event(xmppc_conn *c, xmppc_conn_event *ev);
void xmppc__conn_emit(xmppc_conn *c, xmppc_conn_event_type type);
void xmppc__conn_emit_addr(xmppc_conn *c, xmppc_conn_event_type type);
/* The connection attempt failed at the current stage: tear down, fire
 * CLOSED (unless a redirect is followed). */
void xmppc__conn_fail(xmppc_conn *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Tear down sockets, TLS, resolution; back to IDLE (no event). */
void xmppc__conn_teardown(xmppc_conn *c);
/* End a public call entered with c->depth++: pending network change,
 * flush, deferred free (c is gone then), the timer. Returns rc. */
int xmppc__conn_leave(xmppc_conn *c, int rc);

/* Start a connection from IDLE or WAITING: reset a finished session,
 * resolve. 0 or an error (nothing started then, stage unchanged). */
int xmppc__conn_begin(xmppc_conn *c);

/* Load (or share) the TLS credentials: 0, XMPPC_ETLS_CONFIG, XMPPC_ENOMEM. */
int xmppc__conn_load_creds(xmppc_conn *c);

/* conn-io.c */
/* Set the events wanted on fd (adding it to the table first if needed);
 * events 0 forgets it. 0 or XMPPC_ERANGE (table full). */
int xmppc__conn_watch(xmppc_conn *c, int fd, unsigned events, fd_owner owner);
conn_fd *xmppc__conn_find_fd(xmppc_conn *c, int fd);
/* Recompute the next deadline and tell the timer hook if it changed. */
void xmppc__conn_update_timer(xmppc_conn *c);
uint64_t xmppc__conn_next_deadline(xmppc_conn *c);

/* conn-connect.c */
int xmppc__conn_start_resolve(xmppc_conn *c);
void xmppc__conn_attempt_ready(xmppc_conn *c, int fd, unsigned events);
/* Timer work for DNS and TCP: resolver timeouts, the stagger, the
 * connect timeout. */
void xmppc__conn_connect_timers(xmppc_conn *c, uint64_t now);
void xmppc__conn_cancel_connect(xmppc_conn *c);
/* The earliest attempt timeout or Happy Eyeballs stagger (0: none). */
uint64_t xmppc__conn_attempts_deadline(const xmppc_conn *c);

/* conn-stream.c */
/* TCP is up on c->fd: start TLS (direct) or the stream. */
void xmppc__conn_stream_begin(xmppc_conn *c);
void xmppc__conn_stream_ready(xmppc_conn *c, unsigned events);
/* Move the session's output (through TLS) to the socket; watch for
 * writability when the socket is full. */
void xmppc__conn_flush(xmppc_conn *c);
/* Timer work for the stream: TLS timeout, session deadlines. */
void xmppc__conn_stream_timers(xmppc_conn *c, uint64_t now);
/* After a call into the session: act on its end. */
void xmppc__conn_check_session(xmppc_conn *c);
void xmppc__conn_stream_close(xmppc_conn *c);

/* Set SO_KEEPALIVE and its parameters on a stream socket, as configured. */
void xmppc__conn_apply_keepalive(xmppc_conn *c, int fd);

/* reconnect.c */
/* The connection failed (torn down, err_* set, not a followed redirect):
 * 1 if a retry was scheduled (stage WAITING, DISCONNECTED fired), else 0:
 * the caller ends it for good with xmppc__reconnect_final(). */
int xmppc__reconnect_after_failure(xmppc_conn *c);
/* Whether to try again after failing with `code` (the policy, in one
 * place: doc/conn.md "Reconnection"). */
int xmppc__conn_should_retry(const xmppc_conn *c, int code);
/* Ending for good: stage IDLE, give up the stream-management state when
 * reconnection is on, CLOSED with err_code/err_stage/err_text. */
void xmppc__reconnect_final(xmppc_conn *c);
/* The READY or RESUMED event: a connection is up (stability clock). */
void xmppc__reconnect_up(xmppc_conn *c);
/* Timer work: the backoff timer of a WAITING connection. */
void xmppc__reconnect_timers(xmppc_conn *c, uint64_t now);
/* The deadline of the backoff timer (0: none). */
uint64_t xmppc__reconnect_deadline(const xmppc_conn *c);
/* xmppc_conn_connect() while WAITING: the next attempt now. */
void xmppc__reconnect_now(xmppc_conn *c);
/* xmppc_conn_close() while WAITING: stop, give up, CLOSED (error 0). */
void xmppc__reconnect_cancel(xmppc_conn *c);
/* A network change noted from a callback: act on it (depth 1). */
void xmppc__reconnect_pending(xmppc_conn *c);

/* creds-cache.c: one credentials object per distinct option set and
 * context, shared by every connection that uses it. */
int xmppc__creds_cache_get(xmppc__tls_creds **out, xmppc_ctx *ctx,
                           const xmppc__tls_creds_options *o);
void xmppc__creds_cache_put(xmppc__tls_creds *creds);

#endif
