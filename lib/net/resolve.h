/* Non-blocking XMPP service resolution on c-ares (internal to lib/net).
 *
 * One resolver owns one c-ares channel and can run any number of
 * resolutions at once (a whole loop's connections can share it). It never
 * blocks and owns no event loop: like curl's multi_socket API it tells its
 * owner which file descriptors to watch (the watch hook) and when it wants
 * a timer tick (xmppc__resolver_next_timeout()); the owner reports
 * readiness with xmppc__resolver_process().
 *
 * A resolution turns a JID domain into an ordered list of connection
 * targets {host, port, direct TLS or STARTTLS}, each with its addresses in
 * Happy Eyeballs order (RFC 8305 §4). See doc/resolve.md.
 *
 * Callbacks: the done callback fires only from inside
 * xmppc__resolver_process(), never from the call that started the
 * resolution, never after xmppc__resolve_cancel() or
 * xmppc__resolver_free(). The watch hook fires from inside
 * xmppc__resolve_xmpp()/_host(), xmppc__resolver_process() and
 * xmppc__resolver_free(); it must only update the owner's fd set and must
 * not call into the resolver.
 */
#ifndef XMPPC_NET_RESOLVE_H
#define XMPPC_NET_RESOLVE_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <xmppc/ctx.h>

/* Events for the watch hook and xmppc__resolver_process(). */
#define XMPPC__RESOLVE_READ  1u
#define XMPPC__RESOLVE_WRITE 2u

/* Ports used when DNS does not say (RFC 6120 §3.2.2; XEP-0368 has no
 * registered port, 5223 is the conventional one). */
#define XMPPC__PORT_STARTTLS   5222u
#define XMPPC__PORT_DIRECT_TLS 5223u

/* Hostile-DNS bounds: SRV records kept per answer, targets per
 * resolution, addresses per target. */
#define XMPPC__RESOLVE_MAX_SRV     64u
#define XMPPC__RESOLVE_MAX_TARGETS 32u
#define XMPPC__RESOLVE_MAX_ADDRS   32u

typedef struct xmppc__resolver xmppc__resolver;
typedef struct xmppc__resolve_query xmppc__resolve_query;

/* Start (events != 0: a mask of XMPPC__RESOLVE_READ/WRITE, replacing the
 * previous one) or stop (events == 0: the fd is about to be closed)
 * watching fd. */
typedef void (*xmppc__resolver_watch_fn)(void *user_data, int fd, unsigned events);

typedef struct xmppc__resolver_options {
	/* DNS servers as "ip[:port],[ipv6][:port],..." (c-ares CSV syntax);
	 * NULL: the system's (/etc/resolv.conf). Tests point this at dnsmasq. */
	const char *servers;
	/* Timeout of the first try of each query in ms (c-ares doubles it on
	 * each round over the servers); 0: system / c-ares default. */
	unsigned timeout_ms;
	/* Tries per query; 0: system / c-ares default. */
	unsigned tries;
	/* Required. */
	xmppc__resolver_watch_fn watch;
	void *watch_ud;
} xmppc__resolver_options;

/* 0, XMPPC_EINVAL (NULL argument, no watch hook, bad server list),
 * XMPPC_ENOMEM or XMPPC_EDNS_CONFIG (c-ares could not set up, e.g. an
 * unreadable resolver configuration). Holds a reference on ctx. */
int xmppc__resolver_new(xmppc__resolver **out, xmppc_ctx *ctx, const xmppc__resolver_options *o);

/* Cancel every resolution (no done callback fires), close the sockets
 * (the watch hook is told, events 0) and free. May be called from inside
 * a done callback (the free then happens when xmppc__resolver_process()
 * returns); not from inside the watch hook. NULL is a no-op. */
void xmppc__resolver_free(xmppc__resolver *r);

/* When the owner must call xmppc__resolver_process(r, -1, 0) next, in ms
 * on the ctx clock (xmppc_ctx_set_clock); UINT64_MAX when nothing is
 * pending. A value not after "now" means at once (a finished resolution
 * waits to be delivered). Ask again after every call into the resolver. */
uint64_t xmppc__resolver_next_timeout(xmppc__resolver *r);

/* Report that fd is ready (events: XMPPC__RESOLVE_READ/WRITE), or a timer
 * tick (fd -1). Handles timeouts in any case and delivers finished
 * resolutions (their done callbacks fire here). 0, XMPPC_EINVAL, or
 * XMPPC_ERECURSIVE when called from one of the resolver's callbacks. */
int xmppc__resolver_process(xmppc__resolver *r, int fd, unsigned events);

/* One address to connect to, port set. */
typedef struct xmppc__resolve_addr {
	struct sockaddr_storage sa;
	socklen_t len;
	int family; /* AF_INET6 or AF_INET */
} xmppc__resolve_addr;

/* Where a result's targets came from. */
typedef enum xmppc__resolve_source {
	XMPPC__RESOLVE_SRV = 0,  /* SRV records (RFC 6120 §3.2.1, XEP-0368) */
	XMPPC__RESOLVE_FALLBACK, /* no SRV: the domain itself, port 5222 (RFC 6120 §3.2.2) */
	XMPPC__RESOLVE_HOST      /* an explicit host (or an IP-literal domain): no SRV */
} xmppc__resolve_source;

typedef struct xmppc__resolve_target {
	const char *host; /* SRV target, the domain, or the given host; no trailing dot */
	uint16_t port;
	uint16_t priority; /* SRV priority and weight; 0 when not from SRV */
	uint16_t weight;
	int direct_tls; /* 1: TLS from the first byte (XEP-0368); 0: STARTTLS */
	int status;     /* 0, or why this target has no addresses (XMPPC_EDNS_*) */
	const xmppc__resolve_addr *addrs; /* Happy Eyeballs order (RFC 8305 §4) */
	size_t naddrs;
} xmppc__resolve_target;

/* Targets in the order to try them (RFC 6120 §3.2.1: in order; Happy
 * Eyeballs among the addresses of one target). Targets whose address
 * lookup failed stay in the list with naddrs 0 and their status. */
typedef struct xmppc__resolve_result {
	xmppc__resolve_source source;
	size_t ntargets;
	const xmppc__resolve_target *targets;
} xmppc__resolve_result;

void xmppc__resolve_result_free(const xmppc_ctx *ctx, xmppc__resolve_result *res);

/* status 0: res (owned by the callee: xmppc__resolve_result_free with the
 * resolver's ctx) has at least one address. Otherwise res is NULL and
 * status is an XMPPC_EDNS_* code, XMPPC_ENOMEM or XMPPC_ECRYPTO (random
 * source). The query handle is gone when this fires. */
typedef void (*xmppc__resolve_done_fn)(void *user_data, int status, xmppc__resolve_result *res);

/* Flags for xmppc__resolve_xmpp() and xmppc__resolve_host(). */
#define XMPPC__RESOLVE_NO_DIRECT_TLS 1u /* do not look up _xmpps-client (XEP-0368) */
#define XMPPC__RESOLVE_IPV4_ONLY     2u
#define XMPPC__RESOLVE_IPV6_ONLY     4u
/* only _xmpps-client (XEP-0368) records; no record: the domain on 5223,
 * direct TLS. Not with XMPPC__RESOLVE_NO_DIRECT_TLS. */
#define XMPPC__RESOLVE_DIRECT_TLS_ONLY 8u

/* Resolve the client service of domain (the JID domainpart in ASCII,
 * A-labels for IDNs). Looks up _xmpps-client._tcp.DOMAIN and
 * _xmpp-client._tcp.DOMAIN in parallel, orders the merged records, falls
 * back to DOMAIN:5222 when neither exists, then looks up A and AAAA of
 * every target in parallel. An IP-literal domain ("192.0.2.1", "[::1]")
 * skips SRV. *out (may be NULL) receives a handle for
 * xmppc__resolve_cancel(), valid until done fires. 0, XMPPC_EINVAL,
 * XMPPC_ENOMEM or XMPPC_ERECURSIVE; done never fires when this fails. */
int xmppc__resolve_xmpp(xmppc__resolve_query **out, xmppc__resolver *r, const char *domain,
                        unsigned flags, xmppc__resolve_done_fn done, void *user_data);

/* Resolve an explicitly configured host (a name or an IP literal, IPv6
 * with or without brackets), skipping SRV: one target {host, port,
 * direct_tls}. port 0 means 5222 (5223 with direct_tls). */
int xmppc__resolve_host(xmppc__resolve_query **out, xmppc__resolver *r, const char *host,
                        uint16_t port, int direct_tls, unsigned flags, xmppc__resolve_done_fn done,
                        void *user_data);

/* Stop a resolution: done will not fire. The handle is invalid after. */
void xmppc__resolve_cancel(xmppc__resolve_query *q);

/* ---- Pure helpers (lib/net/resolve/order.c), exposed for unit tests ---- */

/* One SRV record (or a candidate built from a fallback or override). */
typedef struct xmppc__srv_rec {
	const char *host; /* "" or "." for the root (service not available) */
	uint16_t port;
	uint16_t priority;
	uint16_t weight;
	int direct_tls;
} xmppc__srv_rec;

/* Order records in place for connection attempts: ascending priority,
 * and within one priority the weighted random order of RFC 2782 (page 3,
 * "Weight"), drawing from xmppc__random(). 0, XMPPC_ERANGE (more than
 * 2 * XMPPC__RESOLVE_MAX_SRV records) or XMPPC_ECRYPTO. */
int xmppc__srv_order(xmppc__srv_rec *recs, size_t n);

/* The outcome of one SRV query, for xmppc__srv_plan(). */
typedef struct xmppc__srv_answer {
	/* 0: recs holds the answer; XMPPC_ENOTFOUND: no such record
	 * (NXDOMAIN or NODATA) or not asked; else the error. */
	int status;
	const xmppc__srv_rec *recs;
	size_t n;
} xmppc__srv_answer;

/* Decide what to connect to from the _xmpps-client and _xmpp-client
 * answers (the RFC 6120 §3.2 / XEP-0368 rules, see doc/resolve.md).
 * Returns XMPPC__RESOLVE_SRV with the usable records of both merged into
 * out (at most cap, ordered by xmppc__srv_order), XMPPC__RESOLVE_FALLBACK
 * (no SRV: use the domain on port 5222), or a negative error:
 * XMPPC_EDNS_NO_SERVICE for a "." target, the _xmpp-client query's error,
 * XMPPC_ECRYPTO. The records in out point into the answers. */
int xmppc__srv_plan(xmppc__srv_rec *out, size_t cap, size_t *nout, const xmppc__srv_answer *xmpps,
                    const xmppc__srv_answer *xmpp);

/* Reorder addresses for Happy Eyeballs (RFC 8305 §4): keep the relative
 * order within each family, start with the family of the first address
 * (after RFC 6724 sorting: IPv6 where it is usable) and alternate
 * families while both remain. Duplicates are removed first; returns the
 * new count. */
size_t xmppc__addrs_interleave(xmppc__resolve_addr *addrs, size_t n);

/* Split "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 literal
 * into host (copied into host_out, NUL-terminated) and port (0 when not
 * given). 0 or XMPPC_EINVAL (empty host, bad port, too long). */
int xmppc__hostport_parse(const char *s, char *host_out, size_t host_cap, uint16_t *port);

#endif
