/* The resolver against real DNS: a dnsmasq started by this test on
 * 127.0.0.1 on a free port (stopped by its PID at the end), serving test
 * SRV/A/AAAA records, and the resolver driven by a small poll() loop the
 * way an application's event loop would. Exits 77 (skipped) when dnsmasq
 * is not installed (Debian: dnsmasq-base). No query leaves the machine:
 * every resolver here is pointed at 127.0.0.1. */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net/resolve.h"

extern char **environ;

/* ---- dnsmasq ---- */

static pid_t dnsmasq_pid = -1;
static char dns_servers[64]; /* "127.0.0.1:PORT" */

static const char *const records[] = {
    /* both services, different hosts and priorities */
    "--srv-host=_xmpps-client._tcp.both.example.test,tls.example.test,5223,5,0",
    "--srv-host=_xmpp-client._tcp.both.example.test,plain.example.test,5222,10,0",
    "--host-record=tls.example.test,127.0.0.2",
    "--host-record=plain.example.test,127.0.0.3,::1",
    /* both services on one host: one address lookup, ports per target */
    "--srv-host=_xmpps-client._tcp.same.example.test,host1.example.test,443,0,0",
    "--srv-host=_xmpp-client._tcp.same.example.test,host1.example.test,5222,1,0",
    "--host-record=host1.example.test,127.0.0.1,::1",
    /* only _xmpp-client */
    "--srv-host=_xmpp-client._tcp.only.example.test,host1.example.test,5333,0,0",
    /* "." target for _xmpp-client: decidedly no service */
    "--srv-host=_xmpp-client._tcp.dot.example.test",
    /* "." for _xmpps-client only */
    "--srv-host=_xmpps-client._tcp.dotx.example.test",
    "--srv-host=_xmpp-client._tcp.dotx.example.test,host1.example.test,5222,0,0",
    /* no SRV: fallback to the domain */
    "--host-record=fallback.example.test,127.0.0.4,::1",
    "--host-record=v4only.example.test,127.0.0.5",
    "--txt-record=txtonly.example.test,hello",
    /* SRV targets that do not exist */
    "--srv-host=_xmpp-client._tcp.deadtarget.example.test,missing.example.test,5222,0,0",
    "--srv-host=_xmpp-client._tcp.partial.example.test,missing.example.test,5222,0,0",
    "--srv-host=_xmpp-client._tcp.partial.example.test,host1.example.test,5222,1,0",
    /* several targets: order by priority */
    "--srv-host=_xmpp-client._tcp.multi.example.test,m1.example.test,5222,10,10",
    "--srv-host=_xmpp-client._tcp.multi.example.test,m2.example.test,5222,10,90",
    "--srv-host=_xmpp-client._tcp.multi.example.test,m3.example.test,5222,20,0",
    "--host-record=m1.example.test,127.0.1.1",
    "--host-record=m2.example.test,127.0.1.2",
    "--host-record=m3.example.test,127.0.1.3",
};

static const char *find_dnsmasq(void)
{
	static const char *const paths[] = {"/usr/sbin/dnsmasq", "/sbin/dnsmasq",
	                                    "/usr/local/sbin/dnsmasq", "/usr/bin/dnsmasq"};
	const char *env = getenv("XMPPC_DNSMASQ");
	size_t i;

	if (env != NULL && access(env, X_OK) == 0)
		return env;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* A socket of the given type bound to 127.0.0.1:port (0: any free port). */
static int bind_loopback(int type, uint16_t port, uint16_t *bound)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
		close(fd);
		return -1;
	}
	if (bound != NULL)
		*bound = ntohs(sin.sin_port);
	return fd;
}

/* A port free for both UDP and TCP on 127.0.0.1 (dnsmasq needs both). */
static uint16_t free_port(void)
{
	int tries;

	for (tries = 0; tries < 20; tries++) {
		uint16_t port = 0;
		int u = bind_loopback(SOCK_DGRAM, 0, &port), t;

		if (u < 0)
			continue;
		t = bind_loopback(SOCK_STREAM, port, NULL);
		close(u);
		if (t >= 0) {
			close(t);
			return port;
		}
	}
	return 0;
}

static void stop_dnsmasq(void)
{
	if (dnsmasq_pid > 0) {
		kill(dnsmasq_pid, SIGTERM);
		waitpid(dnsmasq_pid, NULL, 0);
		dnsmasq_pid = -1;
	}
}

static int start_dnsmasq_on(const char *exe, uint16_t port)
{
	const size_t nrec = sizeof(records) / sizeof(records[0]);
	char portarg[32];
	const char *argv[16 + sizeof(records) / sizeof(records[0])];
	const int verbose = getenv("XMPPC_TEST_VERBOSE") != NULL;
	posix_spawn_file_actions_t fa;
	size_t a = 0, i;
	int waited;

	snprintf(portarg, sizeof(portarg), "--port=%u", port);
	argv[a++] = exe;
	argv[a++] = "--keep-in-foreground";
	argv[a++] = portarg;
	argv[a++] = "--listen-address=127.0.0.1";
	argv[a++] = "--bind-interfaces";
	argv[a++] = "--no-resolv"; /* no upstream: nothing is forwarded */
	argv[a++] = "--no-hosts";
	argv[a++] = "--conf-file=/dev/null";
	argv[a++] = "--pid-file";             /* none */
	argv[a++] = "--local=/example.test/"; /* NXDOMAIN for unknown names */
	argv[a++] = "--log-facility=-";
	if (verbose)
		argv[a++] = "--log-queries";
	for (i = 0; i < nrec; i++)
		argv[a++] = records[i];
	argv[a] = NULL;

	posix_spawn_file_actions_init(&fa);
	if (!verbose) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	}
	if (posix_spawn(&dnsmasq_pid, exe, &fa, NULL, (char *const *)argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		dnsmasq_pid = -1;
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);

	/* Ready when the port is taken (dnsmasq binds before serving). */
	for (waited = 0; waited < 5000; waited += 10) {
		struct timespec ts = {0, 10 * 1000000L};
		int fd;

		if (waitpid(dnsmasq_pid, NULL, WNOHANG) == dnsmasq_pid) {
			dnsmasq_pid = -1;
			return -1; /* exited: probably lost the port to someone */
		}
		fd = bind_loopback(SOCK_DGRAM, port, NULL);
		if (fd < 0 && errno == EADDRINUSE)
			return 0;
		if (fd >= 0)
			close(fd);
		nanosleep(&ts, NULL);
	}
	stop_dnsmasq();
	return -1;
}

static int start_dnsmasq(const char *exe)
{
	int attempt;

	for (attempt = 0; attempt < 5; attempt++) {
		uint16_t port = free_port();

		if (port == 0)
			return -1;
		if (start_dnsmasq_on(exe, port) == 0) {
			snprintf(dns_servers, sizeof(dns_servers), "127.0.0.1:%u", port);
			return 0;
		}
	}
	return -1;
}

/* ---- a tiny event loop over the resolver's hooks ---- */

#define MAX_FDS 32

typedef struct loop {
	struct {
		int fd;
		unsigned events;
	} w[MAX_FDS];
	size_t n;
	long watch_calls;
} loop;

static void watch_cb(void *ud, int fd, unsigned events)
{
	loop *l = ud;
	size_t i;

	l->watch_calls++;
	for (i = 0; i < l->n && l->w[i].fd != fd; i++)
		;
	if (events == 0) {
		assert_true(i < l->n); /* only fds it asked for are dropped */
		l->w[i] = l->w[--l->n];
		return;
	}
	if (i == l->n) {
		assert_true(l->n < MAX_FDS);
		l->n++;
	}
	l->w[i].fd = fd;
	l->w[i].events = events;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Run until *stop is set or max_ms pass. */
static void run_loop(loop *l, xmppc__resolver *r, const int *stop, unsigned max_ms)
{
	uint64_t end = now_ms() + max_ms;

	while (!*stop && now_ms() < end) {
		struct pollfd p[MAX_FDS];
		uint64_t next = xmppc__resolver_next_timeout(r), now = now_ms();
		int timeout = 50, n;
		size_t i, np = l->n;

		if (next != UINT64_MAX)
			timeout = next <= now ? 0 : (int)(next - now < 50 ? next - now : 50);
		for (i = 0; i < np; i++) {
			p[i].fd = l->w[i].fd;
			p[i].events =
			    (short)(((l->w[i].events & XMPPC__RESOLVE_READ) ? POLLIN : 0) |
			            ((l->w[i].events & XMPPC__RESOLVE_WRITE) ? POLLOUT : 0));
			p[i].revents = 0;
		}
		n = poll(p, (nfds_t)np, timeout);
		assert_true(n >= 0 || errno == EINTR);
		for (i = 0; i < np && n > 0; i++) {
			unsigned ev = 0;

			if (p[i].revents & (POLLIN | POLLERR | POLLHUP))
				ev |= XMPPC__RESOLVE_READ;
			if (p[i].revents & POLLOUT)
				ev |= XMPPC__RESOLVE_WRITE;
			if (ev != 0)
				assert_int_equal(xmppc__resolver_process(r, p[i].fd, ev), 0);
			if (*stop)
				return;
		}
		if (n == 0)
			assert_int_equal(xmppc__resolver_process(r, -1, 0), 0);
	}
}

/* ---- fixtures ---- */

typedef struct fixture {
	test_alloc alloc;
	xmppc_ctx *ctx;
	loop l;
	xmppc__resolver *r;
} fixture;

typedef struct outcome {
	int done;
	int calls;
	int status;
	xmppc__resolve_result *res;
} outcome;

static void on_done(void *ud, int status, xmppc__resolve_result *res)
{
	outcome *o = ud;

	o->calls++;
	o->done = 1;
	o->status = status;
	o->res = res;
	if (status == 0)
		assert_non_null(res);
	else
		assert_null(res);
}

static void on_done_forbidden(void *ud, int status, xmppc__resolve_result *res)
{
	(void)ud;
	(void)status;
	(void)res;
	fail_msg("done callback fired for a cancelled or freed resolution");
}

static xmppc__resolver *new_resolver(fixture *f, const char *servers, unsigned timeout_ms,
                                     unsigned tries)
{
	xmppc__resolver_options o;
	xmppc__resolver *r = NULL;

	memset(&o, 0, sizeof(o));
	o.servers = servers;
	o.timeout_ms = timeout_ms;
	o.tries = tries;
	o.watch = watch_cb;
	o.watch_ud = &f->l;
	assert_int_equal(xmppc__resolver_new(&r, f->ctx, &o), 0);
	return r;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ctx = test_ctx_new(&f->alloc);
	f->r = new_resolver(f, dns_servers, 1000, 2);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	xmppc__resolver_free(f->r);
	/* every fd the resolver asked to watch was released */
	assert_int_equal(f->l.n, 0);
	xmppc_ctx_unref(f->ctx);
	assert_int_equal(f->alloc.live, 0);
	free(f);
	return 0;
}

static void resolve(fixture *f, const char *domain, unsigned flags, outcome *o)
{
	memset(o, 0, sizeof(*o));
	assert_int_equal(xmppc__resolve_xmpp(NULL, f->r, domain, flags, on_done, o), 0);
	assert_int_equal(o->calls, 0); /* never from inside the call */
	run_loop(&f->l, f->r, &o->done, 5000);
	assert_int_equal(o->calls, 1);
}

static void addr_text(const xmppc__resolve_addr *a, char *buf, size_t cap, uint16_t *port)
{
	if (a->family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&a->sa;
		inet_ntop(AF_INET, &s->sin_addr, buf, (socklen_t)cap);
		*port = ntohs(s->sin_port);
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->sa;
		inet_ntop(AF_INET6, &s->sin6_addr, buf, (socklen_t)cap);
		*port = ntohs(s->sin6_port);
	}
}

/* "host:port:tls=a1,a2" for each target, ';'-separated; addresses must
 * carry the target's port. */
static void describe(const xmppc__resolve_result *res, char *out, size_t cap)
{
	size_t i, j, o = 0;

	out[0] = '\0';
	for (i = 0; i < res->ntargets; i++) {
		const xmppc__resolve_target *t = &res->targets[i];

		o += (size_t)snprintf(out + o, cap - o, "%s%s:%u:%s=", i > 0 ? ";" : "", t->host,
		                      t->port, t->direct_tls ? "tls" : "starttls");
		if (t->naddrs == 0)
			o += (size_t)snprintf(out + o, cap - o, "%s", xmppc_error_name(t->status));
		for (j = 0; j < t->naddrs; j++) {
			char buf[INET6_ADDRSTRLEN];
			uint16_t port;

			addr_text(&t->addrs[j], buf, sizeof(buf), &port);
			assert_int_equal(port, t->port);
			assert_int_equal(t->addrs[j].family, t->addrs[j].sa.ss_family);
			o += (size_t)snprintf(out + o, cap - o, "%s%s", j > 0 ? "," : "", buf);
		}
	}
}

/* Whether ::1 is usable here. c-ares sorts addresses by RFC 6724, whose
 * first rule puts unusable destinations last: without IPv6 the expected
 * "::1,127.0.0.x" lists come out IPv4 first (and are then interleaved
 * from IPv4). */
static int have_ipv6;

static int ipv6_loopback_usable(void)
{
	struct sockaddr_in6 sin6;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	sin6.sin6_port = htons(9);
	ok = connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
	close(fd);
	return ok;
}

/* "=::1,A" -> "=A,::1" for each address list (A: up to the next ';'). */
static void ipv4_first(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	while (*in != '\0' && o + 1 < cap) {
		if (strncmp(in, "=::1,", 5) == 0) {
			const char *start = in + 5, *end = strchr(start, ';');

			if (end == NULL)
				end = start + strlen(start);
			o += (size_t)snprintf(out + o, cap - o, "=%.*s,::1", (int)(end - start),
			                      start);
			in = end;
		} else {
			out[o++] = *in++;
		}
	}
	out[o < cap ? o : cap - 1] = '\0';
}

static void expect(fixture *f, const char *domain, unsigned flags, int source, const char *want)
{
	outcome o;
	char got[1024], want4[1024];

	resolve(f, domain, flags, &o);
	if (o.status != 0)
		fail_msg("%s: %s", domain, xmppc_error_name(o.status));
	assert_int_equal(o.res->source, source);
	describe(o.res, got, sizeof(got));
	if (!have_ipv6) {
		ipv4_first(want, want4, sizeof(want4));
		want = want4;
	}
	if (strcmp(got, want) != 0)
		fail_msg("%s:\n got  %s\n want %s", domain, got, want);
	xmppc__resolve_result_free(f->ctx, o.res);
}

static void expect_error(fixture *f, const char *domain, int err)
{
	outcome o;

	resolve(f, domain, 0, &o);
	if (o.status != err)
		fail_msg("%s: got %s, want %s", domain, xmppc_error_name(o.status),
		         xmppc_error_name(err));
}

/* ---- cases ---- */

static void test_srv_both(void **state)
{
	fixture *f = *state;

	/* priority 5 (direct TLS) before 10; ::1 before 127.0.0.3 (RFC 6724
	 * prefers ::1, then RFC 8305 interleaving) */
	expect(f, "both.example.test", 0, XMPPC__RESOLVE_SRV,
	       "tls.example.test:5223:tls=127.0.0.2;"
	       "plain.example.test:5222:starttls=::1,127.0.0.3");
	/* XEP-0368 lookup turned off */
	expect(f, "both.example.test", XMPPC__RESOLVE_NO_DIRECT_TLS, XMPPC__RESOLVE_SRV,
	       "plain.example.test:5222:starttls=::1,127.0.0.3");
	/* one family only; a trailing dot is accepted */
	expect(f, "both.example.test.", XMPPC__RESOLVE_IPV4_ONLY, XMPPC__RESOLVE_SRV,
	       "tls.example.test:5223:tls=127.0.0.2;plain.example.test:5222:starttls=127.0.0.3");
	expect(f, "same.example.test", XMPPC__RESOLVE_IPV6_ONLY, XMPPC__RESOLVE_SRV,
	       "host1.example.test:443:tls=::1;host1.example.test:5222:starttls=::1");
}

static void test_srv_same_host(void **state)
{
	fixture *f = *state;

	expect(f, "same.example.test", 0, XMPPC__RESOLVE_SRV,
	       "host1.example.test:443:tls=::1,127.0.0.1;"
	       "host1.example.test:5222:starttls=::1,127.0.0.1");
}

static void test_srv_only_xmpp_client(void **state)
{
	fixture *f = *state;

	expect(f, "only.example.test", 0, XMPPC__RESOLVE_SRV,
	       "host1.example.test:5333:starttls=::1,127.0.0.1");
}

static void test_srv_dot(void **state)
{
	fixture *f = *state;

	expect_error(f, "dot.example.test", XMPPC_EDNS_NO_SERVICE);
	expect(f, "dotx.example.test", 0, XMPPC__RESOLVE_SRV,
	       "host1.example.test:5222:starttls=::1,127.0.0.1");
}

static void test_fallback(void **state)
{
	fixture *f = *state;

	expect(f, "fallback.example.test", 0, XMPPC__RESOLVE_FALLBACK,
	       "fallback.example.test:5222:starttls=::1,127.0.0.4");
	/* AAAA: NODATA is no error while A has an answer */
	expect(f, "v4only.example.test", 0, XMPPC__RESOLVE_FALLBACK,
	       "v4only.example.test:5222:starttls=127.0.0.5");
	expect_error(f, "txtonly.example.test", XMPPC_EDNS_NO_ADDRESS);
	expect_error(f, "nxdomain.example.test", XMPPC_EDNS_NXDOMAIN);
}

static void test_dead_targets(void **state)
{
	fixture *f = *state;

	expect_error(f, "deadtarget.example.test", XMPPC_EDNS_NXDOMAIN);
	/* a target without addresses stays in the list, with its reason */
	expect(f, "partial.example.test", 0, XMPPC__RESOLVE_SRV,
	       "missing.example.test:5222:starttls=XMPPC_EDNS_NXDOMAIN;"
	       "host1.example.test:5222:starttls=::1,127.0.0.1");
}

static void test_multi_priority(void **state)
{
	fixture *f = *state;
	int run, m2_first = 0;

	for (run = 0; run < 20; run++) {
		outcome o;

		resolve(f, "multi.example.test", 0, &o);
		assert_int_equal(o.status, 0);
		assert_int_equal(o.res->ntargets, 3);
		assert_int_equal(o.res->targets[0].priority, 10);
		assert_int_equal(o.res->targets[1].priority, 10);
		assert_string_equal(o.res->targets[2].host, "m3.example.test");
		if (strcmp(o.res->targets[0].host, "m2.example.test") == 0)
			m2_first++;
		xmppc__resolve_result_free(f->ctx, o.res);
	}
	/* weight 90 of 100: first in ~91% of runs; P(<= 10 of 20) ~ 1e-7 */
	assert_true(m2_first > 10);
}

static void test_server_failure(void **state)
{
	fixture *f = *state;
	outcome o;

	/* Outside the local zone and no upstream: dnsmasq answers REFUSED.
	 * c-ares 1.18 then tries the next server and, when none is left,
	 * reports ARES_ECONNREFUSED (no server gave a usable answer); later
	 * versions may say ARES_EREFUSED. Both are worth a retry. */
	resolve(f, "elsewhere.invalid", 0, &o);
	if (o.status != XMPPC_EDNS_UNREACHABLE && o.status != XMPPC_EDNS_SERVER_FAILURE)
		fail_msg("got %s", xmppc_error_name(o.status));
	assert_true(xmppc_error_retryable(o.status));
}

static void test_host_override(void **state)
{
	fixture *f = *state;
	xmppc__resolve_query *q = NULL;
	outcome o;
	char got[512];

	memset(&o, 0, sizeof(o));
	assert_int_equal(
	    xmppc__resolve_host(&q, f->r, "host1.example.test", 5999, 1, 0, on_done, &o), 0);
	assert_non_null(q);
	run_loop(&f->l, f->r, &o.done, 5000);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.res->source, XMPPC__RESOLVE_HOST);
	describe(o.res, got, sizeof(got));
	assert_string_equal(got, have_ipv6 ? "host1.example.test:5999:tls=::1,127.0.0.1"
	                                   : "host1.example.test:5999:tls=127.0.0.1,::1");
	xmppc__resolve_result_free(f->ctx, o.res);

	/* IP literals: no DNS at all, still delivered only from process() */
	memset(&o, 0, sizeof(o));
	assert_int_equal(xmppc__resolve_host(NULL, f->r, "[::1]", 0, 1, 0, on_done, &o), 0);
	assert_int_equal(o.calls, 0);
	assert_true(xmppc__resolver_next_timeout(f->r) <= now_ms());
	run_loop(&f->l, f->r, &o.done, 1000);
	assert_int_equal(o.status, 0);
	describe(o.res, got, sizeof(got));
	assert_string_equal(got, "::1:5223:tls=::1");
	xmppc__resolve_result_free(f->ctx, o.res);

	memset(&o, 0, sizeof(o));
	assert_int_equal(xmppc__resolve_host(NULL, f->r, "192.0.2.7", 0, 0, 0, on_done, &o), 0);
	run_loop(&f->l, f->r, &o.done, 1000);
	assert_int_equal(o.status, 0);
	describe(o.res, got, sizeof(got));
	assert_string_equal(got, "192.0.2.7:5222:starttls=192.0.2.7");
	xmppc__resolve_result_free(f->ctx, o.res);

	/* an IP-literal JID domain skips SRV (RFC 6120 §3.2) */
	expect(f, "[::1]", 0, XMPPC__RESOLVE_HOST, "::1:5222:starttls=::1");
	expect(f, "127.0.0.1", 0, XMPPC__RESOLVE_HOST, "127.0.0.1:5222:starttls=127.0.0.1");
}

/* XMPPC__RESOLVE_DIRECT_TLS_ONLY: _xmpps-client records only; none: the
 * domain on 5223 with direct TLS. */
static void test_direct_tls_only(void **state)
{
	fixture *f = *state;
	outcome o;

	expect(f, "both.example.test", XMPPC__RESOLVE_DIRECT_TLS_ONLY, XMPPC__RESOLVE_SRV,
	       "tls.example.test:5223:tls=127.0.0.2");
	expect(f, "fallback.example.test", XMPPC__RESOLVE_DIRECT_TLS_ONLY, XMPPC__RESOLVE_FALLBACK,
	       "fallback.example.test:5223:tls=::1,127.0.0.4");
	memset(&o, 0, sizeof(o));
	assert_int_equal(xmppc__resolve_xmpp(NULL, f->r, "both.example.test",
	                                     XMPPC__RESOLVE_DIRECT_TLS_ONLY |
	                                         XMPPC__RESOLVE_NO_DIRECT_TLS,
	                                     on_done, &o),
	                 XMPPC_EINVAL);
}

/* An IP literal never reaches DNS: with a server that never answers it
 * still resolves at once (c-ares 1.18 queried "127.0.0.1" as a name when
 * asked for AF_UNSPEC). A literal of an excluded family has no address. */
static void test_literal_no_dns(void **state)
{
	fixture *f = *state;
	uint16_t port = 0;
	int sink = bind_loopback(SOCK_DGRAM, 0, &port);
	char servers[64], got[256];
	xmppc__resolver *r;
	outcome o;
	uint64_t start = now_ms();

	assert_true(sink >= 0);
	snprintf(servers, sizeof(servers), "127.0.0.1:%u", port);
	r = new_resolver(f, servers, 2000, 1);
	memset(&o, 0, sizeof(o));
	assert_int_equal(xmppc__resolve_host(NULL, r, "127.0.0.1", 5999, 0, 0, on_done, &o), 0);
	run_loop(&f->l, r, &o.done, 5000);
	assert_int_equal(o.status, 0);
	describe(o.res, got, sizeof(got));
	assert_string_equal(got, "127.0.0.1:5999:starttls=127.0.0.1");
	xmppc__resolve_result_free(f->ctx, o.res);
	memset(&o, 0, sizeof(o));
	assert_int_equal(xmppc__resolve_host(NULL, r, "[::1]", 0, 0, 0, on_done, &o), 0);
	run_loop(&f->l, r, &o.done, 5000);
	assert_int_equal(o.status, 0);
	xmppc__resolve_result_free(f->ctx, o.res);
	assert_true(now_ms() - start < 1000); /* no 2 s DNS timeout */
	memset(&o, 0, sizeof(o));
	assert_int_equal(xmppc__resolve_host(NULL, r, "[::1]", 0, 0, XMPPC__RESOLVE_IPV4_ONLY,
	                                     on_done, &o),
	                 0);
	run_loop(&f->l, r, &o.done, 5000);
	assert_int_equal(o.status, XMPPC_EDNS_NO_ADDRESS);
	xmppc__resolver_free(r);
	close(sink);
}

static void test_invalid_arguments(void **state)
{
	fixture *f = *state;
	outcome o;
	xmppc__resolver_options opt;
	xmppc__resolver *r = NULL;

	memset(&o, 0, sizeof(o));
	assert_int_equal(xmppc__resolve_xmpp(NULL, f->r, NULL, 0, on_done, &o), XMPPC_EINVAL);
	assert_int_equal(xmppc__resolve_xmpp(NULL, f->r, "", 0, on_done, &o), XMPPC_EINVAL);
	assert_int_equal(xmppc__resolve_xmpp(NULL, f->r, "a..b", 0, on_done, &o), XMPPC_EINVAL);
	assert_int_equal(xmppc__resolve_xmpp(NULL, f->r, "bad domain", 0, on_done, &o),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc__resolve_xmpp(NULL, f->r, "caf\xc3\xa9.example", 0, on_done, &o),
	                 XMPPC_EINVAL); /* U-labels must be converted to A-labels first */
	assert_int_equal(xmppc__resolve_xmpp(NULL, f->r, "ok.example.test", 0, NULL, &o),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc__resolve_xmpp(NULL, f->r, "ok.example.test",
	                                     XMPPC__RESOLVE_IPV4_ONLY | XMPPC__RESOLVE_IPV6_ONLY,
	                                     on_done, &o),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc__resolve_xmpp(NULL, f->r, "ok.example.test", 64u, on_done, &o),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc__resolve_host(NULL, f->r, "-x- y", 1, 0, 0, on_done, &o),
	                 XMPPC_EINVAL);
	assert_int_equal(xmppc__resolve_xmpp(NULL, NULL, "ok.example.test", 0, on_done, &o),
	                 XMPPC_EINVAL);
	assert_int_equal(o.calls, 0);
	assert_int_equal(xmppc__resolver_process(NULL, -1, 0), XMPPC_EINVAL);
	assert_int_equal(xmppc__resolver_next_timeout(NULL), UINT64_MAX);

	memset(&opt, 0, sizeof(opt));
	opt.watch = watch_cb;
	opt.watch_ud = &f->l;
	opt.servers = "not-an-address";
	assert_int_equal(xmppc__resolver_new(&r, f->ctx, &opt), XMPPC_EINVAL);
	assert_null(r);
	opt.servers = NULL;
	opt.watch = NULL;
	assert_int_equal(xmppc__resolver_new(&r, f->ctx, &opt), XMPPC_EINVAL);
	assert_int_equal(xmppc__resolver_new(&r, NULL, &opt), XMPPC_EINVAL);
	assert_int_equal(xmppc__resolver_new(NULL, f->ctx, &opt), XMPPC_EINVAL);
	/* the system configuration (nothing is sent: no query is made) */
	opt.watch = watch_cb;
	assert_int_equal(xmppc__resolver_new(&r, f->ctx, &opt), 0);
	assert_int_equal(xmppc__resolver_next_timeout(r), UINT64_MAX);
	xmppc__resolver_free(r);
	xmppc__resolver_free(NULL);
	xmppc__resolve_cancel(NULL);
}

/* A server that never answers: a UDP socket of ours nobody reads. */
static void test_timeout(void **state)
{
	fixture *f = *state;
	uint16_t port = 0;
	int sink = bind_loopback(SOCK_DGRAM, 0, &port);
	char servers[64];
	xmppc__resolver *r;
	outcome o;
	uint64_t start, next;

	assert_true(sink >= 0);
	snprintf(servers, sizeof(servers), "127.0.0.1:%u", port);
	r = new_resolver(f, servers, 150, 1);
	memset(&o, 0, sizeof(o));
	start = now_ms();
	assert_int_equal(xmppc__resolve_xmpp(NULL, r, "both.example.test", 0, on_done, &o), 0);
	next = xmppc__resolver_next_timeout(r);
	assert_true(next != UINT64_MAX && next >= start && next <= start + 1000);
	assert_true(f->l.n > 0); /* a socket to watch */
	run_loop(&f->l, r, &o.done, 5000);
	assert_int_equal(o.calls, 1);
	assert_int_equal(o.status, XMPPC_EDNS_TIMEOUT);
	assert_true(xmppc_error_retryable(o.status));
	assert_true(now_ms() - start < 3000);
	xmppc__resolver_free(r);
	close(sink);
}

/* Nothing listens on the port: ICMP port unreachable. */
static void test_unreachable(void **state)
{
	fixture *f = *state;
	uint16_t port = 0;
	int fd = bind_loopback(SOCK_DGRAM, 0, &port);
	char servers[64];
	xmppc__resolver *r;
	outcome o;

	assert_true(fd >= 0);
	close(fd); /* the port is now (very likely) closed */
	snprintf(servers, sizeof(servers), "127.0.0.1:%u", port);
	r = new_resolver(f, servers, 150, 1);
	memset(&o, 0, sizeof(o));
	assert_int_equal(xmppc__resolve_xmpp(NULL, r, "both.example.test", 0, on_done, &o), 0);
	run_loop(&f->l, r, &o.done, 5000);
	assert_int_equal(o.calls, 1);
	if (o.status != XMPPC_EDNS_UNREACHABLE && o.status != XMPPC_EDNS_TIMEOUT)
		fail_msg("got %s", xmppc_error_name(o.status));
	xmppc__resolver_free(r);
}

static void test_cancel(void **state)
{
	fixture *f = *state;
	xmppc__resolve_query *q1 = NULL, *q2 = NULL, *q3 = NULL;
	outcome o;

	/* cancelled while its queries are out */
	assert_int_equal(
	    xmppc__resolve_xmpp(&q1, f->r, "both.example.test", 0, on_done_forbidden, NULL), 0);
	xmppc__resolve_cancel(q1);
	/* cancelled when finished but not yet delivered */
	assert_int_equal(
	    xmppc__resolve_host(&q2, f->r, "127.0.0.1", 0, 0, 0, on_done_forbidden, NULL), 0);
	xmppc__resolve_cancel(q2);
	/* one that is not cancelled still completes */
	memset(&o, 0, sizeof(o));
	assert_int_equal(xmppc__resolve_xmpp(&q3, f->r, "only.example.test", 0, on_done, &o), 0);
	run_loop(&f->l, f->r, &o.done, 5000);
	assert_int_equal(o.status, 0);
	xmppc__resolve_result_free(f->ctx, o.res);
	/* let the cancelled one's answers come back and be dropped */
	{
		int never = 0;
		run_loop(&f->l, f->r, &never, 200);
	}
	assert_int_equal(xmppc__resolver_next_timeout(f->r), UINT64_MAX);
}

static void test_free_pending(void **state)
{
	fixture *f = *state;
	xmppc__resolver *r = new_resolver(f, dns_servers, 1000, 2);
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(
		    xmppc__resolve_xmpp(NULL, r, "both.example.test", 0, on_done_forbidden, NULL),
		    0);
	/* one step so some answers are in flight or half processed */
	assert_int_equal(xmppc__resolver_process(r, -1, 0), 0);
	/* and one finished but not delivered */
	assert_int_equal(xmppc__resolve_host(NULL, r, "::1", 0, 0, 0, on_done_forbidden, NULL), 0);
	xmppc__resolver_free(r);
	/* teardown checks every fd was released and nothing leaked */
}

typedef struct free_in_cb {
	xmppc_ctx *ctx;
	xmppc__resolver *r;
	int calls;
	int recursive_rc;
	int done;
} free_in_cb;

static void on_done_free(void *ud, int status, xmppc__resolve_result *res)
{
	free_in_cb *c = ud;

	(void)status;
	c->calls++;
	c->done = 1;
	c->recursive_rc = xmppc__resolver_process(c->r, -1, 0);
	xmppc__resolve_result_free(c->ctx, res);
	xmppc__resolver_free(c->r);
}

static void test_free_in_callback(void **state)
{
	fixture *f = *state;
	free_in_cb c;

	memset(&c, 0, sizeof(c));
	c.ctx = f->ctx;
	c.r = new_resolver(f, dns_servers, 1000, 2);
	/* two IP literals: both ready in the same process() call; the first
	 * callback frees the resolver, so the second must never fire */
	assert_int_equal(xmppc__resolve_host(NULL, c.r, "127.0.0.1", 0, 0, 0, on_done_free, &c), 0);
	assert_int_equal(xmppc__resolve_host(NULL, c.r, "::1", 0, 0, 0, on_done_free, &c), 0);
	/* and one still in DNS */
	assert_int_equal(
	    xmppc__resolve_xmpp(NULL, c.r, "both.example.test", 0, on_done_forbidden, NULL), 0);
	assert_int_equal(xmppc__resolver_process(c.r, -1, 0), 0);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.recursive_rc, XMPPC_ERECURSIVE);
}

/* Fail each allocation of a whole resolution in turn (the resolver, the
 * query, SRV records, host names, addresses, the result): the outcome is
 * XMPPC_ENOMEM, returned or delivered, or success when the failed
 * allocation was not needed; never a crash or a leak (teardown counts). */
static void test_allocation_failures(void **state)
{
	fixture *f = *state;
	long fail_at;

	for (fail_at = 1; fail_at < 200; fail_at++) {
		xmppc__resolver_options opt;
		xmppc__resolver *r = NULL;
		outcome o;
		int rc;

		f->alloc.calls = 0;
		f->alloc.fail_at = fail_at;
		memset(&opt, 0, sizeof(opt));
		opt.servers = dns_servers;
		opt.watch = watch_cb;
		opt.watch_ud = &f->l;
		rc = xmppc__resolver_new(&r, f->ctx, &opt);
		if (rc != 0) {
			assert_int_equal(rc, XMPPC_ENOMEM);
			continue;
		}
		memset(&o, 0, sizeof(o));
		rc = xmppc__resolve_xmpp(NULL, r, "partial.example.test", 0, on_done, &o);
		if (rc == 0) {
			run_loop(&f->l, r, &o.done, 5000);
			assert_int_equal(o.calls, 1);
			if (o.status == 0)
				xmppc__resolve_result_free(f->ctx, o.res);
			else
				assert_int_equal(o.status, XMPPC_ENOMEM);
		} else {
			assert_int_equal(rc, XMPPC_ENOMEM);
		}
		xmppc__resolver_free(r);
		if (f->alloc.calls < fail_at) {
			assert_int_equal(rc, 0);
			assert_int_equal(o.status, 0);
			break; /* every allocation has been failed once */
		}
	}
	assert_true(fail_at > 5 && fail_at < 200);
	f->alloc.fail_at = 0;
}

int main(void)
{
	const char *exe = find_dnsmasq();
	int rc;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_srv_both, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_srv_same_host, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_srv_only_xmpp_client, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_srv_dot, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fallback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dead_targets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_multi_priority, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_override, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_direct_tls_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_literal_no_dns, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invalid_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unreachable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_free_pending, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_free_in_callback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_allocation_failures, setup, teardown),
	};

	if (exe == NULL) {
		fprintf(stderr, "SKIP: dnsmasq not found (Debian package dnsmasq-base; or set "
		                "XMPPC_DNSMASQ)\n");
		return 77;
	}
	if (start_dnsmasq(exe) != 0) {
		fprintf(stderr, "could not start %s on a free loopback port\n", exe);
		return 1;
	}
	atexit(stop_dnsmasq);
	have_ipv6 = ipv6_loopback_usable();
	if (!have_ipv6)
		fprintf(stderr, "note: no usable IPv6 loopback, expecting IPv4 first\n");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	stop_dnsmasq();
	return rc;
}
