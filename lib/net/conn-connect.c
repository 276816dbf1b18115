/* Getting a TCP connection: resolution (SRV, addresses) and connection
 * attempts in Happy Eyeballs order (RFC 8305): targets in the resolver's
 * order; within one target a new attempt every happy_eyeballs_delay ms
 * (or at once when the previous one fails) while earlier ones go on; the
 * first to connect wins and the others are closed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/conn-internal.h"
#include "util/ctx.h"

#define AREA "conn"

static void resolver_watch(void *ud, int fd, unsigned events)
{
	xmppc_conn *c = ud;
	unsigned e = ((events & XMPPC__RESOLVE_READ) ? XMPPC_IO_IN : 0) |
	             ((events & XMPPC__RESOLVE_WRITE) ? XMPPC_IO_OUT : 0);

	if (xmppc__conn_watch(c, fd, e, FD_RESOLVER) != 0)
		XMPPC_LOG(c->ctx, XMPPC_LOG_ERROR, AREA, "too many fds: DNS socket %d not watched", fd);
}

static int ensure_resolver(xmppc_conn *c)
{
	xmppc__resolver_options o;

	if (c->resolver != NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	o.servers = c->dns_servers;
	o.watch = resolver_watch;
	o.watch_ud = c;
	return xmppc__resolver_new(&c->resolver, c->ctx, &o);
}

/* A connected or idle connection keeps no resolver (its channel and UDP
 * sockets cost memory and fds); the next connect makes a new one. Allowed
 * from inside the resolver's done callback (the free is then deferred). */
static void drop_resolver(xmppc_conn *c)
{
	if (c->resolver != NULL) {
		xmppc__resolver_free(c->resolver);
		c->resolver = NULL;
	}
}

/* TCP keepalive: probes from the kernel when the stream is idle, so that
 * a peer that vanished (a NAT that forgot us) is noticed without traffic
 * of our own (RFC 1122 §4.2.3.6). Failures only cost the feature. */
void xmppc__conn_apply_keepalive(xmppc_conn *c, int fd)
{
	int on = c->ka_on, v;

	if (fd < 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) != 0)
		XMPPC_LOG(c->ctx, XMPPC_LOG_WARN, AREA, "SO_KEEPALIVE: %s", strerror(errno));
	if (!on)
		return;
	if (c->ka_idle != 0 && (v = (int)c->ka_idle, setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v))) != 0)
		XMPPC_LOG(c->ctx, XMPPC_LOG_WARN, AREA, "TCP_KEEPIDLE: %s", strerror(errno));
	if (c->ka_intvl != 0 &&
	    (v = (int)c->ka_intvl, setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof(v))) != 0)
		XMPPC_LOG(c->ctx, XMPPC_LOG_WARN, AREA, "TCP_KEEPINTVL: %s", strerror(errno));
	if (c->ka_cnt != 0 && (v = (int)c->ka_cnt, setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v))) != 0)
		XMPPC_LOG(c->ctx, XMPPC_LOG_WARN, AREA, "TCP_KEEPCNT: %s", strerror(errno));
}

XMPPC_API int xmppc_conn_set_tcp_keepalive(xmppc_conn *c, unsigned idle_s, unsigned interval_s,
                                           unsigned count)
{
	/* Linux's bounds (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT) */
	if (c == NULL || idle_s > 32767 || interval_s > 32767 || count > 127)
		return XMPPC_EINVAL;
	c->ka_on = idle_s != 0 || interval_s != 0 || count != 0;
	c->ka_idle = idle_s;
	c->ka_intvl = interval_s;
	c->ka_cnt = count;
	if (c->fd >= 0)
		xmppc__conn_apply_keepalive(c, c->fd);
	return 0;
}

static void close_attempt(xmppc_conn *c, size_t i)
{
	xmppc__conn_watch(c, c->attempts[i].fd, 0, FD_ATTEMPT);
	close(c->attempts[i].fd);
	c->attempts[i] = c->attempts[--c->nattempts];
}

void xmppc__conn_cancel_connect(xmppc_conn *c)
{
	if (c->query != NULL) {
		xmppc__resolve_cancel(c->query);
		c->query = NULL;
	}
	while (c->nattempts > 0)
		close_attempt(c, c->nattempts - 1);
	if (c->res != NULL) {
		xmppc__resolve_result_free(c->ctx, c->res);
		c->res = NULL;
	}
	c->next_attempt_at = 0;
	drop_resolver(c);
}

static int tcp_error(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return XMPPC_ETCP_REFUSED;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
		return XMPPC_ETCP_UNREACHABLE;
	case ETIMEDOUT:
		return XMPPC_ETCP_TIMEOUT;
	default:
		return XMPPC_ETCP_FAILED;
	}
}

static void addr_text(const xmppc__resolve_addr *a, char *buf, size_t cap)
{
	const void *p = a->family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)&a->sa)->sin6_addr
	                                       : (const void *)&((const struct sockaddr_in *)&a->sa)->sin_addr;
	if (inet_ntop(a->family, p, buf, (socklen_t)cap) == NULL)
		snprintf(buf, cap, "?");
}

static void set_target_info(xmppc_conn *c, const xmppc__resolve_target *t,
                            const xmppc__resolve_addr *a)
{
	snprintf(c->host, sizeof(c->host), "%s", t->host);
	c->port = t->port;
	addr_text(a, c->address, sizeof(c->address));
}

/* The attempt in slot i connected: it becomes the stream. */
static void won(xmppc_conn *c, size_t i)
{
	conn_attempt a = c->attempts[i];
	size_t j;

	/* hand the fd over from attempt to stream, losers closed */
	c->attempts[i] = c->attempts[--c->nattempts];
	for (j = c->nattempts; j-- > 0;)
		close_attempt(c, j);
	c->fd = a.fd;
	if (c->ka_on)
		xmppc__conn_apply_keepalive(c, c->fd);
	c->direct_tls = a.target->direct_tls;
	set_target_info(c, a.target, a.addr);
	{
		conn_fd *f = xmppc__conn_find_fd(c, a.fd);
		if (f != NULL)
			f->owner = FD_STREAM;
	}
	c->next_attempt_at = 0;
	c->stage_deadline = 0;
	xmppc__resolve_result_free(c->ctx, c->res);
	c->res = NULL;
	drop_resolver(c);
	xmppc__conn_emit_addr(c, XMPPC_CONN_EVENT_CONNECTED);
	if (c->stage == XMPPC_CONN_STAGE_TCP)
		xmppc__conn_stream_begin(c);
}

/* The next address to try, or NULL. Targets are tried in order: the next
 * target only once every attempt on this one has failed. */
static const xmppc__resolve_addr *next_addr(xmppc_conn *c, const xmppc__resolve_target **tp)
{
	while (c->res != NULL && c->target_idx < c->res->ntargets) {
		const xmppc__resolve_target *t = &c->res->targets[c->target_idx];
		if (t->naddrs == 0 && t->status != 0)
			c->last_dns_status = t->status;
		if (c->addr_idx < t->naddrs) {
			*tp = t;
			return &t->addrs[c->addr_idx++];
		}
		if (c->nattempts > 0)
			return NULL; /* wait for this target's attempts */
		c->target_idx++;
		c->addr_idx = 0;
	}
	return NULL;
}

static int more_addrs(const xmppc_conn *c)
{
	size_t i;

	if (c->res == NULL)
		return 0;
	for (i = c->target_idx; i < c->res->ntargets; i++)
		if (c->res->targets[i].naddrs > (i == c->target_idx ? c->addr_idx : 0))
			return 1;
	return 0;
}

/* Start attempts until one is in flight (failures at once move on). */
static void start_attempt(xmppc_conn *c)
{
	for (;;) {
		const xmppc__resolve_target *t = NULL;
		const xmppc__resolve_addr *a;
		int fd, one = 1;

		if (c->nattempts == CONN_MAX_ATTEMPTS)
			return;
		a = next_addr(c, &t);
		if (a == NULL) {
			if (c->nattempts == 0) {
				int code = c->last_errno != 0 ? tcp_error(c->last_errno)
				           : c->last_dns_status != 0 ? c->last_dns_status
				                                     : XMPPC_ETCP_FAILED;
				if (c->last_errno == 0 && c->last_dns_status != 0)
					c->stage = XMPPC_CONN_STAGE_DNS;
				xmppc__conn_fail(c, code, "could not connect to %s port %u: %s", c->host,
				                 c->port, c->last_errno ? strerror(c->last_errno)
				                                        : xmppc_strerror(code));
			}
			return;
		}
		set_target_info(c, t, a);
		fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			c->last_errno = errno;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				xmppc__conn_fail(c, XMPPC_ESYSTEM, "socket(): %s", strerror(errno));
				return;
			}
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		XMPPC_LOG(c->ctx, XMPPC_LOG_DEBUG, AREA, "connecting to %s (%s) port %u", c->host,
		          c->address, c->port);
		xmppc__conn_emit_addr(c, XMPPC_CONN_EVENT_CONNECTING);
		if (c->stage != XMPPC_CONN_STAGE_TCP) { /* the application closed */
			close(fd);
			return;
		}
		c->attempts[c->nattempts].fd = fd;
		c->attempts[c->nattempts].target = t;
		c->attempts[c->nattempts].addr = a;
		c->nattempts++;
		if (connect(fd, (const struct sockaddr *)&a->sa, a->len) == 0) {
			if (xmppc__conn_watch(c, fd, XMPPC_IO_IN, FD_ATTEMPT) != 0) {
				xmppc__conn_fail(c, XMPPC_ERANGE, "too many file descriptors");
				return;
			}
			won(c, c->nattempts - 1);
			return;
		}
		if (errno != EINPROGRESS) {
			c->last_errno = errno;
			XMPPC_LOG(c->ctx, XMPPC_LOG_INFO, AREA, "connect to %s: %s", c->address,
			          strerror(errno));
			close(fd);
			c->nattempts--;
			continue;
		}
		if (xmppc__conn_watch(c, fd, XMPPC_IO_OUT, FD_ATTEMPT) != 0) {
			close(fd);
			c->nattempts--;
			xmppc__conn_fail(c, XMPPC_ERANGE, "too many file descriptors");
			return;
		}
		c->attempts[c->nattempts - 1].deadline = xmppc_ctx_now(c->ctx) + c->connect_timeout;
		c->next_attempt_at = more_addrs(c) ? xmppc_ctx_now(c->ctx) + c->he_delay : 0;
		return;
	}
}

void xmppc__conn_attempt_ready(xmppc_conn *c, int fd, unsigned events)
{
	size_t i;
	int err = 0;
	socklen_t len = sizeof(err);
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);

	(void)events;
	for (i = 0; i < c->nattempts; i++)
		if (c->attempts[i].fd == fd)
			break;
	if (i == c->nattempts)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err == 0 && getpeername(fd, (struct sockaddr *)&peer, &plen) != 0) {
		if (errno == ENOTCONN)
			return; /* still connecting (a stale event) */
		err = errno;
	}
	if (err == 0) {
		won(c, i);
		return;
	}
	c->last_errno = err;
	{
		char a[64];
		addr_text(c->attempts[i].addr, a, sizeof(a));
		XMPPC_LOG(c->ctx, XMPPC_LOG_INFO, AREA, "connect to %s port %u: %s", a,
		          (unsigned)c->attempts[i].target->port, strerror(err));
	}
	close_attempt(c, i);
	start_attempt(c); /* the next address at once (RFC 8305 §5) */
}

static void resolved(void *ud, int status, xmppc__resolve_result *res)
{
	xmppc_conn *c = ud;

	c->query = NULL;
	if (status != 0) {
		xmppc__conn_fail(c, status, "could not resolve %s: %s",
		                 c->redirect_host ? c->redirect_host
		                 : c->server_host ? c->server_host : c->domain,
		                 xmppc_strerror(status));
		return;
	}
	c->res = res;
	c->target_idx = c->addr_idx = 0;
	c->last_errno = 0;
	c->last_dns_status = 0;
	c->stage = XMPPC_CONN_STAGE_TCP;
	c->stage_deadline = 0; /* each attempt has its own */
	start_attempt(c);
}

int xmppc__conn_start_resolve(xmppc_conn *c)
{
	unsigned flags = 0;
	int rc;

	if ((rc = ensure_resolver(c)) != 0)
		return rc;
	if (c->flags & XMPPC_CONN_IPV4_ONLY)
		flags |= XMPPC__RESOLVE_IPV4_ONLY;
	if (c->flags & XMPPC_CONN_IPV6_ONLY)
		flags |= XMPPC__RESOLVE_IPV6_ONLY;
	if (c->flags & XMPPC_CONN_NO_DIRECT_TLS)
		flags |= XMPPC__RESOLVE_NO_DIRECT_TLS;
	c->stage = XMPPC_CONN_STAGE_DNS;
	c->stage_deadline = xmppc_ctx_now(c->ctx) + c->connect_timeout;
	snprintf(c->host, sizeof(c->host), "%s", c->domain);
	c->port = 0;
	c->address[0] = '\0';
	if (c->redirect_host != NULL)
		return xmppc__resolve_host(&c->query, c->resolver, c->redirect_host, c->redirect_port,
		                           (c->flags & XMPPC_CONN_DIRECT_TLS) != 0, flags, resolved, c);
	if (c->server_host != NULL)
		return xmppc__resolve_host(&c->query, c->resolver, c->server_host, c->server_port,
		                           (c->flags & XMPPC_CONN_DIRECT_TLS) != 0, flags, resolved, c);
	if (c->flags & XMPPC_CONN_DIRECT_TLS)
		flags |= XMPPC__RESOLVE_DIRECT_TLS_ONLY; /* XEP-0368 records only */
	return xmppc__resolve_xmpp(&c->query, c->resolver, c->domain, flags, resolved, c);
}

void xmppc__conn_connect_timers(xmppc_conn *c, uint64_t now)
{
	if (c->resolver != NULL) {
		uint64_t t = xmppc__resolver_next_timeout(c->resolver);
		if (t != UINT64_MAX && t <= now)
			xmppc__resolver_process(c->resolver, -1, 0);
	}
	if (c->stage == XMPPC_CONN_STAGE_TCP) {
		size_t i = c->nattempts;
		int timed_out = 0;
		/* an attempt that timed out counts as failed: the next address (or
		 * target) is tried, as after a refusal */
		while (i-- > 0)
			if (c->attempts[i].deadline <= now) {
				XMPPC_LOG(c->ctx, XMPPC_LOG_INFO, AREA, "connect to %s port %u: timed out",
				          c->host, c->port);
				close_attempt(c, i);
				c->last_errno = ETIMEDOUT;
				timed_out = 1;
			}
		if (timed_out || (c->next_attempt_at != 0 && now >= c->next_attempt_at)) {
			c->next_attempt_at = 0;
			start_attempt(c);
		}
	}
	if (c->stage == XMPPC_CONN_STAGE_DNS && c->stage_deadline != 0 && now >= c->stage_deadline)
		xmppc__conn_fail(c, XMPPC_EDNS_TIMEOUT, "%s: no DNS answer within %u ms", c->domain,
		                 (unsigned)c->connect_timeout);
}

uint64_t xmppc__conn_attempts_deadline(const xmppc_conn *c)
{
	uint64_t d = c->next_attempt_at;
	size_t i;

	for (i = 0; i < c->nattempts; i++)
		if (d == 0 || c->attempts[i].deadline < d)
			d = c->attempts[i].deadline;
	return d;
}
