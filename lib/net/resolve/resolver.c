/* The c-ares side of XMPP service resolution: one channel per resolver,
 * driven through the owner's event loop (sock_state_cb -> watch hook,
 * ares_timeout -> next_timeout, ares_process_fd <- process), the SRV
 * queries, the address lookups and delivery of results.
 *
 * Lifetime of a query: it lives on r->active while c-ares requests of it
 * are outstanding (q->pending counts them, plus one "launch guard" while
 * a phase starts them, so that a callback c-ares runs synchronously cannot
 * end the phase early). When pending reaches 0 the phase ends (advance()):
 * the SRV phase starts the address phase, the address phase builds the
 * result and moves the query to r->ready. Results are handed to the done
 * callback only from xmppc__resolver_process(), outside any c-ares call,
 * so a done callback may start, cancel, or free anything. A cancelled
 * query stays on r->active until c-ares returns its requests (at the
 * latest when ares_destroy() fails them with ARES_EDESTRUCTION). */
#include "net/resolve.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/ctx.h"
#include <xmppc/error.h>

#define AREA "dns"

typedef struct qlist {
	xmppc__resolve_query *head, *tail;
} qlist;

struct xmppc__resolver {
	xmppc_ctx *ctx;
	ares_channel channel;
	xmppc__resolver_watch_fn watch;
	void *watch_ud;
	qlist active;   /* c-ares requests outstanding */
	qlist ready;    /* finished, waiting for delivery */
	int in_ares;    /* inside a c-ares call (only the watch hook can run) */
	int delivering; /* inside done callbacks */
	int free_pending;
	int destroying;
};

enum query_state { Q_SRV, Q_ADDR, Q_READY, Q_CANCELLED };

typedef struct srv_slot {
	xmppc__resolve_query *q;
	int status; /* 0: recs valid; XMPPC_ENOTFOUND: no record; else error */
	struct ares_srv_reply *reply;
	xmppc__srv_rec *recs;
	size_t n;
} srv_slot;

typedef struct host_slot {
	xmppc__resolve_query *q;
	char *name;
	int status;
	xmppc__resolve_addr *addrs;
	size_t naddrs;
} host_slot;

struct xmppc__resolve_query {
	xmppc__resolver *r;
	xmppc__resolve_query *prev, *next;
	qlist *list;
	xmppc__resolve_done_fn done;
	void *ud;
	unsigned flags;
	enum query_state state;
	unsigned pending;
	char *domain; /* the domain (or the explicit host), no trailing dot */
	xmppc__resolve_source source;
	srv_slot srv[2]; /* 0: _xmpps-client, 1: _xmpp-client */
	xmppc__srv_rec targets[XMPPC__RESOLVE_MAX_TARGETS];
	unsigned char target_host[XMPPC__RESOLVE_MAX_TARGETS]; /* index into hosts */
	size_t ntargets;
	host_slot hosts[XMPPC__RESOLVE_MAX_TARGETS];
	size_t nhosts;
	int status;
	xmppc__resolve_result *res;
};

static void advance(xmppc__resolve_query *q);

/* ---- lists ---- */

static void list_push(qlist *l, xmppc__resolve_query *q)
{
	q->list = l;
	q->next = NULL;
	q->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = q;
	else
		l->head = q;
	l->tail = q;
}

static void list_unlink(xmppc__resolve_query *q)
{
	qlist *l = q->list;

	if (l == NULL)
		return;
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		l->head = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	else
		l->tail = q->prev;
	q->prev = q->next = NULL;
	q->list = NULL;
}

/* ---- error mapping ---- */

static int map_ares(int st)
{
	switch (st) {
	case ARES_SUCCESS:
		return 0;
	case ARES_ENOTFOUND:
		return XMPPC_EDNS_NXDOMAIN;
	case ARES_ENODATA:
		return XMPPC_EDNS_NO_ADDRESS;
	case ARES_ETIMEOUT:
		return XMPPC_EDNS_TIMEOUT;
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
	case ARES_ENOTIMP:
	case ARES_EFORMERR: /* the server could not parse our query */
		return XMPPC_EDNS_SERVER_FAILURE;
	case ARES_EBADRESP:
		return XMPPC_EDNS_BAD_RESPONSE;
	case ARES_ECONNREFUSED: /* also: every server answered SERVFAIL or REFUSED (c-ares 1.18) */
	case ARES_EOF:
		return XMPPC_EDNS_UNREACHABLE;
	case ARES_ENOMEM:
		return XMPPC_ENOMEM;
	case ARES_EBADNAME:
	case ARES_EBADSTR:
	case ARES_EBADFAMILY:
	case ARES_EBADFLAGS:
	case ARES_EBADHINTS:
	case ARES_ESERVICE:
		return XMPPC_EINVAL;
	case ARES_EFILE:
	case ARES_ENOTINITIALIZED:
		return XMPPC_EDNS_CONFIG;
	default:
		return XMPPC_EDNS_SERVER_FAILURE;
	}
}

/* ---- names ---- */

/* A host name as DNS carries it in ASCII (letters, digits, '-', '_'),
 * labels of 1-63 octets, at most 253 octets, no trailing dot. Stricter
 * than DNS itself on purpose: these names go into queries and logs. */
static int name_ok(const char *s, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0;
}

/* Without one trailing dot. */
static size_t name_len(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && s[len - 1] == '.' ? len - 1 : len;
}

/* An IP literal as a host: "192.0.2.1", "2001:db8::1" or "[2001:db8::1]".
 * Copies the address text (brackets removed) into buf. */
static int ip_literal(const char *s, char *buf, size_t cap)
{
	size_t len = strlen(s);
	unsigned char a[sizeof(struct in6_addr)];

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= cap)
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, a) == 1 || inet_pton(AF_INET6, buf, a) == 1;
}

/* ---- resolver ---- */

static pthread_once_t ares_once = PTHREAD_ONCE_INIT;
static int ares_init_status;

/* Process-wide and never undone: ares_library_init() is not thread-safe
 * and on POSIX systems does nothing that needs undoing. */
static void ares_once_init(void)
{
	ares_init_status = ares_library_init(ARES_LIB_INIT_ALL);
}

static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	xmppc__resolver *r = data;
	unsigned ev =
	    (readable ? XMPPC__RESOLVE_READ : 0u) | (writable ? XMPPC__RESOLVE_WRITE : 0u);

	XMPPC_LOG(r->ctx, XMPPC_LOG_TRACE, AREA, "watch fd %d events %u", (int)fd, ev);
	r->watch(r->watch_ud, (int)fd, ev);
}

int xmppc__resolver_new(xmppc__resolver **out, xmppc_ctx *ctx, const xmppc__resolver_options *o)
{
	struct ares_options ao;
	int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_DOMAINS | ARES_OPT_FLAGS;
	xmppc__resolver *r;
	int st;

	if (out == NULL)
		return XMPPC_EINVAL;
	*out = NULL;
	if (ctx == NULL || o == NULL || o->watch == NULL || o->timeout_ms > 0x7fffffffu ||
	    o->tries > 0x7fffffffu)
		return XMPPC_EINVAL;
	pthread_once(&ares_once, ares_once_init);
	if (ares_init_status != ARES_SUCCESS)
		return XMPPC_EDNS_CONFIG;
	r = xmppc__calloc(ctx, 1, sizeof(*r));
	if (r == NULL)
		return XMPPC_ENOMEM;
	r->ctx = ctx;
	r->watch = o->watch;
	r->watch_ud = o->watch_ud;

	memset(&ao, 0, sizeof(ao));
	ao.sock_state_cb = sock_state;
	ao.sock_state_cb_data = r;
	/* No search list: an XMPP domain and an SRV target are fully
	 * qualified, and trying "xmpp.example.org.corp.example" after an
	 * NXDOMAIN would only add queries and wrong answers. */
	ao.domains = NULL;
	ao.ndomains = 0;
	/* EDNS0 keeps answers with many SRV records on UDP. */
	ao.flags = ARES_FLAG_EDNS;
	if (o->timeout_ms != 0) {
		mask |= ARES_OPT_TIMEOUTMS;
		ao.timeout = (int)o->timeout_ms;
	}
	if (o->tries != 0) {
		mask |= ARES_OPT_TRIES;
		ao.tries = (int)o->tries;
	}
	st = ares_init_options(&r->channel, &ao, mask);
	if (st != ARES_SUCCESS) {
		XMPPC_LOG(ctx, XMPPC_LOG_ERROR, AREA, "c-ares init: %s", ares_strerror(st));
		xmppc__free(ctx, r);
		return st == ARES_ENOMEM ? XMPPC_ENOMEM : XMPPC_EDNS_CONFIG;
	}
	if (o->servers != NULL) {
		st = ares_set_servers_ports_csv(r->channel, o->servers);
		if (st != ARES_SUCCESS) {
			XMPPC_LOG(ctx, XMPPC_LOG_ERROR, AREA, "DNS servers \"%s\": %s", o->servers,
			          ares_strerror(st));
			ares_destroy(r->channel);
			xmppc__free(ctx, r);
			return st == ARES_ENOMEM ? XMPPC_ENOMEM : XMPPC_EINVAL;
		}
	}
	r->ctx = xmppc_ctx_ref(ctx);
	*out = r;
	return 0;
}

static void free_query(xmppc__resolve_query *q)
{
	const xmppc_ctx *ctx = q->r->ctx;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (q->srv[i].reply != NULL)
			ares_free_data(q->srv[i].reply);
		xmppc__free(ctx, q->srv[i].recs);
	}
	for (i = 0; i < q->nhosts; i++) {
		xmppc__free(ctx, q->hosts[i].name);
		xmppc__free(ctx, q->hosts[i].addrs);
	}
	xmppc__resolve_result_free(ctx, q->res);
	xmppc__free(ctx, q->domain);
	xmppc__free(ctx, q);
}

static void destroy(xmppc__resolver *r)
{
	xmppc_ctx *ctx = r->ctx;
	xmppc__resolve_query *q;

	r->destroying = 1;
	/* Fails every outstanding request with ARES_EDESTRUCTION: advance()
	 * frees their queries without a done callback. Closing the sockets
	 * tells the watch hook. */
	r->in_ares++;
	ares_destroy(r->channel);
	r->in_ares--;
	while ((q = r->active.head) != NULL) {
		list_unlink(q);
		free_query(q);
	}
	while ((q = r->ready.head) != NULL) {
		list_unlink(q);
		free_query(q);
	}
	xmppc__free(ctx, r);
	xmppc_ctx_unref(ctx);
}

void xmppc__resolver_free(xmppc__resolver *r)
{
	if (r == NULL)
		return;
	if (r->delivering) {
		r->free_pending = 1;
		return;
	}
	destroy(r);
}

uint64_t xmppc__resolver_next_timeout(xmppc__resolver *r)
{
	struct timeval tv, *tvp;
	uint64_t now, ms;

	if (r == NULL || r->destroying)
		return UINT64_MAX;
	now = r->ctx->clock_fn(r->ctx->clock_ud);
	if (r->ready.head != NULL)
		return now;
	tvp = ares_timeout(r->channel, NULL, &tv);
	if (tvp == NULL)
		return UINT64_MAX;
	/* Round up: a tick a little late is harmless, one early would find
	 * nothing expired and spin. */
	ms = (uint64_t)tvp->tv_sec * 1000u + ((uint64_t)tvp->tv_usec + 999u) / 1000u;
	return now + ms;
}

static void deliver(xmppc__resolver *r)
{
	qlist batch = r->ready;
	xmppc__resolve_query *q;

	/* Only what is ready now: a resolution a callback starts that ends at
	 * once (an IP literal) waits for the next process call, so a callback
	 * that always restarts cannot keep this loop going. */
	r->ready.head = r->ready.tail = NULL;
	for (q = batch.head; q != NULL; q = q->next)
		q->list = &batch;
	r->delivering = 1;
	while ((q = batch.head) != NULL) {
		xmppc__resolve_done_fn done = q->done;
		void *ud = q->ud;
		xmppc__resolve_result *res = q->res;
		int status = q->status;

		list_unlink(q);
		q->res = NULL;
		free_query(q);
		if (r->free_pending) {
			xmppc__resolve_result_free(r->ctx, res);
			continue;
		}
		done(ud, status, res);
	}
	r->delivering = 0;
}

int xmppc__resolver_process(xmppc__resolver *r, int fd, unsigned events)
{
	ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

	if (r == NULL)
		return XMPPC_EINVAL;
	if (r->in_ares || r->delivering)
		return XMPPC_ERECURSIVE;
	if (fd >= 0 && (events & XMPPC__RESOLVE_READ))
		rfd = fd;
	if (fd >= 0 && (events & XMPPC__RESOLVE_WRITE))
		wfd = fd;
	/* Also handles expired timeouts, whatever the fds. */
	r->in_ares++;
	ares_process_fd(r->channel, rfd, wfd);
	r->in_ares--;
	deliver(r);
	if (r->free_pending)
		destroy(r);
	return 0;
}

/* ---- phases ---- */

static void release(xmppc__resolve_query *q)
{
	if (--q->pending == 0)
		advance(q);
}

static void finish(xmppc__resolve_query *q, int status, xmppc__resolve_result *res)
{
	xmppc__resolver *r = q->r;

	if (status != 0)
		XMPPC_LOG(r->ctx, XMPPC_LOG_DEBUG, AREA, "%s: %s", q->domain,
		          xmppc_error_name(status));
	q->status = status;
	q->res = res;
	q->state = Q_READY;
	list_unlink(q);
	list_push(&r->ready, q);
}

static void srv_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	srv_slot *s = arg;
	xmppc__resolve_query *q = s->q;
	const xmppc_ctx *ctx = q->r->ctx;
	struct ares_srv_reply *rep = NULL, *p;
	size_t n = 0, bad = 0;

	(void)timeouts;
	if (q->state == Q_CANCELLED || q->r->destroying || status == ARES_EDESTRUCTION) {
		release(q);
		return;
	}
	if (status == ARES_SUCCESS)
		status = ares_parse_srv_reply(abuf, alen, &rep);
	if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
		s->status = XMPPC_ENOTFOUND;
	} else if (status != ARES_SUCCESS) {
		s->status = map_ares(status);
		if (s->status == XMPPC_EDNS_NXDOMAIN || s->status == XMPPC_EDNS_NO_ADDRESS)
			s->status = XMPPC_ENOTFOUND;
	} else {
		s->reply = rep;
		for (p = rep; p != NULL && n < XMPPC__RESOLVE_MAX_SRV; p = p->next)
			n++;
		s->recs = xmppc__calloc(ctx, n > 0 ? n : 1, sizeof(*s->recs));
		if (s->recs == NULL) {
			s->status = XMPPC_ENOMEM;
		} else {
			/* Keep "." (c-ares gives the root as ""); drop targets
			 * that are not host names: they cannot be looked up. */
			for (p = rep, n = 0; p != NULL && n < XMPPC__RESOLVE_MAX_SRV; p = p->next) {
				size_t len = name_len(p->host);

				if (len > 0 && !name_ok(p->host, len)) {
					bad++;
					continue;
				}
				s->recs[n].host = p->host;
				s->recs[n].port = p->port;
				s->recs[n].priority = p->priority;
				s->recs[n].weight = p->weight;
				s->recs[n].direct_tls = s == &q->srv[0];
				n++;
			}
			s->n = n;
			s->status = n == 0 && bad > 0 ? XMPPC_EDNS_BAD_RESPONSE : 0;
		}
	}
	XMPPC_LOG(ctx, XMPPC_LOG_DEBUG, AREA, "%s SRV for %s: %s, %zu record(s)%s",
	          s == &q->srv[0] ? "_xmpps-client" : "_xmpp-client", q->domain,
	          s->status == 0 ? "ok" : xmppc_error_name(s->status), s->n,
	          bad > 0 ? " (invalid targets dropped)" : "");
	release(q);
}

static void start_srv(xmppc__resolve_query *q, int i, const char *service)
{
	xmppc__resolver *r = q->r;
	char name[300];

	snprintf(name, sizeof(name), "%s._tcp.%s", service, q->domain);
	q->srv[i].q = q;
	q->pending++;
	r->in_ares++;
	ares_query(r->channel, name, ns_c_in, ns_t_srv, srv_cb, &q->srv[i]);
	r->in_ares--;
}

static void addr_cb(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	host_slot *h = arg;
	xmppc__resolve_query *q = h->q;
	const xmppc_ctx *ctx = q->r->ctx;
	struct ares_addrinfo_node *node;
	size_t n = 0;

	(void)timeouts;
	if (q->state == Q_CANCELLED || q->r->destroying || status == ARES_EDESTRUCTION) {
		if (ai != NULL)
			ares_freeaddrinfo(ai);
		release(q);
		return;
	}
	if (status == ARES_SUCCESS && ai != NULL) {
		for (node = ai->nodes; node != NULL; node = node->ai_next)
			n++;
		if (n > XMPPC__RESOLVE_MAX_ADDRS)
			n = XMPPC__RESOLVE_MAX_ADDRS;
		h->addrs = n > 0 ? xmppc__calloc(ctx, n, sizeof(*h->addrs)) : NULL;
		if (n > 0 && h->addrs == NULL) {
			h->status = XMPPC_ENOMEM;
		} else {
			for (node = ai->nodes, n = 0; node != NULL && n < XMPPC__RESOLVE_MAX_ADDRS;
			     node = node->ai_next) {
				xmppc__resolve_addr *a = &h->addrs[n];
				size_t len = node->ai_addrlen;

				if ((node->ai_family == AF_INET &&
				     len == sizeof(struct sockaddr_in)) ||
				    (node->ai_family == AF_INET6 &&
				     len == sizeof(struct sockaddr_in6))) {
					memcpy(&a->sa, node->ai_addr, len);
					a->len = (socklen_t)len;
					a->family = node->ai_family;
					n++;
				}
			}
			/* c-ares has sorted them by RFC 6724 (no ARES_AI_NOSORT). */
			h->naddrs = xmppc__addrs_interleave(h->addrs, n);
			h->status = h->naddrs > 0 ? 0 : XMPPC_EDNS_NO_ADDRESS;
		}
	} else {
		h->status = status == ARES_SUCCESS ? XMPPC_EDNS_NO_ADDRESS : map_ares(status);
	}
	if (ai != NULL)
		ares_freeaddrinfo(ai);
	XMPPC_LOG(ctx, XMPPC_LOG_DEBUG, AREA, "addresses of %s: %s, %zu", h->name,
	          h->status == 0 ? "ok" : xmppc_error_name(h->status), h->naddrs);
	release(q);
}

/* Look up every distinct target host at once. */
static void start_addr(xmppc__resolve_query *q)
{
	xmppc__resolver *r = q->r;
	struct ares_addrinfo_hints hints;
	size_t i, h;

	q->state = Q_ADDR;
	for (i = 0; i < q->ntargets; i++) {
		const char *host = q->targets[i].host;
		size_t len = name_len(host);

		for (h = 0; h < q->nhosts; h++)
			if (strlen(q->hosts[h].name) == len &&
			    strncasecmp(q->hosts[h].name, host, len) == 0)
				break;
		if (h == q->nhosts) {
			q->hosts[h].q = q;
			q->hosts[h].name = xmppc__strndup(r->ctx, host, len);
			if (q->hosts[h].name == NULL) {
				finish(q, XMPPC_ENOMEM, NULL);
				return;
			}
			q->nhosts++;
		}
		q->target_host[i] = (unsigned char)h;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = (q->flags & XMPPC__RESOLVE_IPV4_ONLY)   ? AF_INET
	                  : (q->flags & XMPPC__RESOLVE_IPV6_ONLY) ? AF_INET6
	                                                          : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	q->pending++; /* launch guard */
	for (h = 0; h < q->nhosts; h++) {
		struct ares_addrinfo_hints hh = hints;
		unsigned char bin[sizeof(struct in6_addr)];
		int fam = inet_pton(AF_INET, q->hosts[h].name, bin) == 1    ? AF_INET
		          : inet_pton(AF_INET6, q->hosts[h].name, bin) == 1 ? AF_INET6
		                                                            : 0;
		/* An IP literal must not reach DNS: c-ares 1.18 answers one
		 * locally only when asked for its own family (with AF_UNSPEC it
		 * sends A/AAAA queries for "127.0.0.1"). A literal of a family
		 * the flags exclude gets no address, as a name without one. */
		if (fam != 0) {
			if (hints.ai_family != AF_UNSPEC && hints.ai_family != fam) {
				q->hosts[h].status = XMPPC_EDNS_NO_ADDRESS;
				continue;
			}
			hh.ai_family = fam;
			hh.ai_flags |= ARES_AI_NUMERICHOST;
		}
		q->pending++;
		r->in_ares++;
		ares_getaddrinfo(r->channel, q->hosts[h].name, NULL, &hh, addr_cb, &q->hosts[h]);
		r->in_ares--;
	}
	release(q);
}

static void srv_done(xmppc__resolve_query *q)
{
	xmppc__srv_answer ax = {q->srv[0].status, q->srv[0].recs, q->srv[0].n};
	xmppc__srv_answer a = {q->srv[1].status, q->srv[1].recs, q->srv[1].n};
	xmppc__srv_rec merged[2 * XMPPC__RESOLVE_MAX_SRV];
	size_t n = 0, i;
	int rc;

	/* Out of memory is never hidden behind a partial answer. */
	if (q->srv[0].status == XMPPC_ENOMEM || q->srv[1].status == XMPPC_ENOMEM) {
		finish(q, XMPPC_ENOMEM, NULL);
		return;
	}
	if (q->flags & XMPPC__RESOLVE_DIRECT_TLS_ONLY) {
		/* Only _xmpps-client counts, with the RFC 6120 rules applied to
		 * it ("." = no service); every target is direct TLS. */
		xmppc__srv_answer none = {XMPPC_ENOTFOUND, NULL, 0};
		rc = xmppc__srv_plan(merged, sizeof(merged) / sizeof(merged[0]), &n, &none, &ax);
		for (i = 0; i < n; i++)
			merged[i].direct_tls = 1;
	} else {
		rc = xmppc__srv_plan(merged, sizeof(merged) / sizeof(merged[0]), &n, &ax, &a);
	}
	if (rc < 0) {
		finish(q, rc, NULL);
		return;
	}
	if (rc == XMPPC__RESOLVE_FALLBACK) {
		q->source = XMPPC__RESOLVE_FALLBACK;
		q->targets[0].host = q->domain;
		q->targets[0].direct_tls = (q->flags & XMPPC__RESOLVE_DIRECT_TLS_ONLY) != 0;
		q->targets[0].port = q->targets[0].direct_tls ? XMPPC__PORT_DIRECT_TLS
		                                              : XMPPC__PORT_STARTTLS;
		q->ntargets = 1;
		XMPPC_LOG(q->r->ctx, XMPPC_LOG_DEBUG, AREA, "%s: no SRV, falling back to port %u",
		          q->domain, (unsigned)q->targets[0].port);
	} else {
		q->source = XMPPC__RESOLVE_SRV;
		if (n > XMPPC__RESOLVE_MAX_TARGETS)
			n = XMPPC__RESOLVE_MAX_TARGETS;
		for (i = 0; i < n; i++)
			q->targets[i] = merged[i];
		q->ntargets = n;
	}
	start_addr(q);
}

/* A result fails only when no target has an address; its status is then
 * the first retryable target error (trying again may help), else the
 * first target's. */
static void addr_done(xmppc__resolve_query *q)
{
	const xmppc_ctx *ctx = q->r->ctx;
	xmppc__resolve_result *res;
	xmppc__resolve_target *t;
	int any = 0, status = 0;
	size_t i, j;

	for (i = 0; i < q->nhosts; i++) {
		if (q->hosts[i].status == XMPPC_ENOMEM) {
			finish(q, XMPPC_ENOMEM, NULL);
			return;
		}
	}
	for (i = 0; i < q->ntargets; i++) {
		const host_slot *h = &q->hosts[q->target_host[i]];

		if (h->naddrs > 0)
			any = 1;
		else if (status == 0 ||
		         (!xmppc_error_retryable(status) && xmppc_error_retryable(h->status)))
			status = h->status;
	}
	if (!any) {
		finish(q, status != 0 ? status : XMPPC_EDNS_NO_ADDRESS, NULL);
		return;
	}
	res = xmppc__calloc(ctx, 1, sizeof(*res));
	t = xmppc__calloc(ctx, q->ntargets, sizeof(*t));
	if (res == NULL || t == NULL) {
		xmppc__free(ctx, res);
		xmppc__free(ctx, t);
		finish(q, XMPPC_ENOMEM, NULL);
		return;
	}
	res->source = q->source;
	res->targets = t;
	res->ntargets = q->ntargets;
	for (i = 0; i < q->ntargets; i++) {
		const host_slot *h = &q->hosts[q->target_host[i]];
		xmppc__resolve_addr *addrs = NULL;
		uint16_t nport = htons(q->targets[i].port);

		t[i].host = xmppc__strndup(ctx, h->name, strlen(h->name));
		t[i].port = q->targets[i].port;
		t[i].priority = q->targets[i].priority;
		t[i].weight = q->targets[i].weight;
		t[i].direct_tls = q->targets[i].direct_tls;
		t[i].status = h->status;
		if (h->naddrs > 0)
			addrs = xmppc__malloc(ctx, h->naddrs * sizeof(*addrs));
		if (t[i].host == NULL || (h->naddrs > 0 && addrs == NULL)) {
			xmppc__free(ctx, addrs);
			xmppc__resolve_result_free(ctx, res);
			finish(q, XMPPC_ENOMEM, NULL);
			return;
		}
		for (j = 0; j < h->naddrs; j++) {
			addrs[j] = h->addrs[j];
			if (addrs[j].family == AF_INET)
				((struct sockaddr_in *)&addrs[j].sa)->sin_port = nport;
			else
				((struct sockaddr_in6 *)&addrs[j].sa)->sin6_port = nport;
		}
		t[i].addrs = addrs;
		t[i].naddrs = h->naddrs;
	}
	finish(q, 0, res);
}

static void advance(xmppc__resolve_query *q)
{
	if (q->state == Q_CANCELLED || q->r->destroying) {
		list_unlink(q);
		free_query(q);
	} else if (q->state == Q_SRV) {
		srv_done(q);
	} else if (q->state == Q_ADDR) {
		addr_done(q);
	}
}

void xmppc__resolve_result_free(const xmppc_ctx *ctx, xmppc__resolve_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->ntargets && res->targets != NULL; i++) {
		xmppc__free(ctx, (void *)res->targets[i].host);
		xmppc__free(ctx, (void *)res->targets[i].addrs);
	}
	xmppc__free(ctx, (void *)res->targets);
	xmppc__free(ctx, res);
}

/* ---- entry points ---- */

static int check_entry(const xmppc__resolver *r, unsigned flags, xmppc__resolve_done_fn done)
{
	if (r == NULL || done == NULL || (flags & ~15u) != 0 ||
	    (flags & (XMPPC__RESOLVE_IPV4_ONLY | XMPPC__RESOLVE_IPV6_ONLY)) ==
	        (XMPPC__RESOLVE_IPV4_ONLY | XMPPC__RESOLVE_IPV6_ONLY) ||
	    (flags & (XMPPC__RESOLVE_NO_DIRECT_TLS | XMPPC__RESOLVE_DIRECT_TLS_ONLY)) ==
	        (XMPPC__RESOLVE_NO_DIRECT_TLS | XMPPC__RESOLVE_DIRECT_TLS_ONLY))
		return XMPPC_EINVAL;
	if (r->in_ares)
		return XMPPC_ERECURSIVE;
	if (r->free_pending || r->destroying)
		return XMPPC_ESTATE;
	return 0;
}

static xmppc__resolve_query *new_query(xmppc__resolver *r, const char *name, size_t len,
                                       unsigned flags, xmppc__resolve_done_fn done, void *ud)
{
	xmppc__resolve_query *q = xmppc__calloc(r->ctx, 1, sizeof(*q));

	if (q == NULL)
		return NULL;
	q->domain = xmppc__strndup(r->ctx, name, len);
	if (q->domain == NULL) {
		xmppc__free(r->ctx, q);
		return NULL;
	}
	q->r = r;
	q->done = done;
	q->ud = ud;
	q->flags = flags;
	list_push(&r->active, q);
	return q;
}

static int start_host(xmppc__resolve_query **out, xmppc__resolver *r, const char *host, size_t len,
                      uint16_t port, int direct_tls, unsigned flags, xmppc__resolve_done_fn done,
                      void *ud)
{
	xmppc__resolve_query *q = new_query(r, host, len, flags, done, ud);

	if (q == NULL)
		return XMPPC_ENOMEM;
	q->source = XMPPC__RESOLVE_HOST;
	q->targets[0].host = q->domain;
	q->targets[0].port =
	    port != 0 ? port : (direct_tls ? XMPPC__PORT_DIRECT_TLS : XMPPC__PORT_STARTTLS);
	q->targets[0].direct_tls = direct_tls != 0;
	q->ntargets = 1;
	if (out != NULL)
		*out = q;
	/* Even an IP literal (answered locally by c-ares) is delivered
	 * only from process(): done never fires inside this call. */
	start_addr(q);
	return 0;
}

int xmppc__resolve_host(xmppc__resolve_query **out, xmppc__resolver *r, const char *host,
                        uint16_t port, int direct_tls, unsigned flags, xmppc__resolve_done_fn done,
                        void *user_data)
{
	char ip[64];
	size_t len;
	int rc;

	if (out != NULL)
		*out = NULL;
	rc = check_entry(r, flags, done);
	if (rc != 0)
		return rc;
	if (host == NULL)
		return XMPPC_EINVAL;
	if (ip_literal(host, ip, sizeof(ip)))
		return start_host(out, r, ip, strlen(ip), port, direct_tls, flags, done, user_data);
	len = name_len(host);
	if (!name_ok(host, len))
		return XMPPC_EINVAL;
	return start_host(out, r, host, len, port, direct_tls, flags, done, user_data);
}

int xmppc__resolve_xmpp(xmppc__resolve_query **out, xmppc__resolver *r, const char *domain,
                        unsigned flags, xmppc__resolve_done_fn done, void *user_data)
{
	xmppc__resolve_query *q;
	char ip[64];
	size_t len;
	int rc;

	if (out != NULL)
		*out = NULL;
	rc = check_entry(r, flags, done);
	if (rc != 0)
		return rc;
	if (domain == NULL)
		return XMPPC_EINVAL;
	/* RFC 6120 §3.2: SRV is for domain names; an IP-literal domainpart
	 * is connected to directly, on the default port. */
	if (ip_literal(domain, ip, sizeof(ip)))
		return start_host(out, r, ip, strlen(ip), 0, 0, flags, done, user_data);
	len = name_len(domain);
	if (!name_ok(domain, len))
		return XMPPC_EINVAL;
	q = new_query(r, domain, len, flags, done, user_data);
	if (q == NULL)
		return XMPPC_ENOMEM;
	q->state = Q_SRV;
	q->srv[0].status = XMPPC_ENOTFOUND;
	q->srv[1].status = XMPPC_ENOTFOUND;
	if (out != NULL)
		*out = q;
	q->pending++; /* launch guard */
	if (!(flags & XMPPC__RESOLVE_NO_DIRECT_TLS))
		start_srv(q, 0, "_xmpps-client");
	if (!(flags & XMPPC__RESOLVE_DIRECT_TLS_ONLY))
		start_srv(q, 1, "_xmpp-client");
	release(q);
	return 0;
}

void xmppc__resolve_cancel(xmppc__resolve_query *q)
{
	if (q == NULL)
		return;
	if (q->state == Q_READY) {
		list_unlink(q);
		free_query(q);
		return;
	}
	/* c-ares still holds pointers into q: free it when they come back. */
	q->state = Q_CANCELLED;
	q->done = NULL;
}
