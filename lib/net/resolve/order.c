/* Pure parts of XMPP service resolution: which SRV records to use and in
 * what order (RFC 2782, RFC 6120 §3.2, XEP-0368), Happy Eyeballs address
 * order (RFC 8305 §4), and host[:port] parsing. No c-ares, no I/O: the
 * unit tests drive these directly. */
#include "net/resolve.h"

#include <arpa/inet.h>
#include <string.h>

#include "util/random.h"
#include <xmppc/error.h>

static int is_root(const char *host)
{
	return host == NULL || host[0] == '\0' || (host[0] == '.' && host[1] == '\0');
}

/* Uniform in [0, bound], without modulo bias (rejection sampling). */
static int random_upto(uint32_t bound, uint32_t *out)
{
	uint32_t range, limit, v;
	int rc;

	if (bound == 0) {
		*out = 0;
		return 0;
	}
	range = bound + 1; /* bound < 2^32 - 1: weights are 16-bit, at most 2^7 of them */
	limit = UINT32_MAX - UINT32_MAX % range;
	do {
		rc = xmppc__random(&v, sizeof(v));
		if (rc != 0)
			return rc;
	} while (v >= limit);
	*out = v % range;
	return 0;
}

/* Move recs[from] to recs[to] (to <= from), shifting the records between
 * one place on: the others keep their relative order. */
static void move_to(xmppc__srv_rec *recs, size_t to, size_t from)
{
	xmppc__srv_rec tmp;

	if (from == to)
		return;
	tmp = recs[from];
	memmove(&recs[to + 1], &recs[to], (from - to) * sizeof(*recs));
	recs[to] = tmp;
}

/* RFC 2782, "Weight": to select a target among the records of one
 * priority, put the weight-0 records first, compute the running sum of
 * the weights in that order, draw a uniform random number in [0, sum]
 * and take the first record whose running sum is >= it. Repeat with the
 * records not yet taken. A weight-0 record is therefore only picked
 * first when the draw is exactly 0 (or when all remaining weights are 0),
 * as the RFC intends ("a very small chance of being selected"). */
static int order_group(xmppc__srv_rec *recs, size_t n)
{
	size_t i, j, zeros = 0;
	int rc;

	for (i = 0; i < n; i++)
		if (recs[i].weight == 0)
			move_to(recs, zeros++, i);
	for (i = 0; i + 1 < n; i++) {
		uint32_t sum = 0, pick, running = 0;

		for (j = i; j < n; j++)
			sum += recs[j].weight;
		rc = random_upto(sum, &pick);
		if (rc != 0)
			return rc;
		for (j = i; j < n; j++) {
			running += recs[j].weight;
			if (running >= pick)
				break;
		}
		move_to(recs, i, j < n ? j : n - 1);
	}
	return 0;
}

int xmppc__srv_order(xmppc__srv_rec *recs, size_t n)
{
	size_t i, start, end;
	int rc;

	if (n > 2 * XMPPC__RESOLVE_MAX_SRV)
		return XMPPC_ERANGE;
	/* Stable insertion sort by priority: lowest first (RFC 2782,
	 * "Priority"); equal priorities keep the order they came in. */
	for (i = 1; i < n; i++) {
		size_t k = i;

		while (k > 0 && recs[k - 1].priority > recs[i].priority)
			k--;
		move_to(recs, k, i);
	}
	for (start = 0; start < n; start = end) {
		for (end = start + 1; end < n && recs[end].priority == recs[start].priority; end++)
			;
		rc = order_group(recs + start, end - start);
		if (rc != 0)
			return rc;
	}
	return 0;
}

enum answer_kind {
	ANSWER_ABSENT,  /* no record (NXDOMAIN, NODATA, not asked) */
	ANSWER_REFUSED, /* RFC 2782: only a "." target: decidedly not available */
	ANSWER_FAILED,  /* the query failed: nothing known */
	ANSWER_USABLE   /* at least one target to connect to */
};

static int usable(const xmppc__srv_rec *rec)
{
	return !is_root(rec->host) && rec->port != 0;
}

static enum answer_kind classify(const xmppc__srv_answer *a)
{
	size_t i;

	if (a == NULL || a->status == XMPPC_ENOTFOUND)
		return ANSWER_ABSENT;
	if (a->status != 0)
		return ANSWER_FAILED;
	if (a->n == 0)
		return ANSWER_ABSENT;
	for (i = 0; i < a->n; i++)
		if (usable(&a->recs[i]))
			return ANSWER_USABLE;
	/* RFC 2782 names the case of precisely one "." record; records that
	 * are all "." or port 0 leave nothing to connect to either, so they
	 * say the same. */
	return ANSWER_REFUSED;
}

static size_t copy_usable(xmppc__srv_rec *out, size_t n, size_t cap, const xmppc__srv_answer *a,
                          int direct_tls)
{
	size_t i;

	for (i = 0; a != NULL && a->status == 0 && i < a->n && n < cap; i++) {
		if (!usable(&a->recs[i]))
			continue; /* a "." among real targets: skip it (RFC 2782 has no rule) */
		out[n] = a->recs[i];
		out[n].direct_tls = direct_tls;
		n++;
	}
	return n;
}

/* RFC 6120 §3.2.1 makes _xmpp-client the lookup; XEP-0368 §3 adds
 * _xmpps-client and says both record sets are treated as one for the
 * RFC 2782 order ("all priorities and weights are mixed"). The rules for
 * the combinations:
 *   - any usable record in either answer: connect by SRV, both merged;
 *   - else the _xmpp-client query failed (timeout, SERVFAIL, ...): that
 *     error, because nothing says whether the fallback is right;
 *   - else _xmpp-client says "." (RFC 2782: abort): no service, and no
 *     fallback;
 *   - else (no _xmpp-client record): fall back to the domain on 5222
 *     (RFC 6120 §3.2.2), whatever the _xmpps-client answer was: a "."
 *     there only rules out direct TLS, and a failed optional XEP-0368
 *     lookup should not stop a connection RFC 6120 allows. */
int xmppc__srv_plan(xmppc__srv_rec *out, size_t cap, size_t *nout, const xmppc__srv_answer *xmpps,
                    const xmppc__srv_answer *xmpp)
{
	enum answer_kind kx = classify(xmpps), k = classify(xmpp);
	size_t n = 0;
	int rc;

	if (nout == NULL || (out == NULL && cap != 0))
		return XMPPC_EINVAL;
	*nout = 0;
	if (kx == ANSWER_USABLE || k == ANSWER_USABLE) {
		n = copy_usable(out, n, cap, xmpps, 1);
		n = copy_usable(out, n, cap, xmpp, 0);
		rc = xmppc__srv_order(out, n);
		if (rc != 0)
			return rc;
		*nout = n;
		return XMPPC__RESOLVE_SRV;
	}
	if (k == ANSWER_FAILED)
		return xmpp->status;
	if (k == ANSWER_REFUSED)
		return XMPPC_EDNS_NO_SERVICE;
	return XMPPC__RESOLVE_FALLBACK;
}

static int same_addr(const xmppc__resolve_addr *a, const xmppc__resolve_addr *b)
{
	if (a->family != b->family)
		return 0;
	if (a->family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)&a->sa;
		const struct sockaddr_in *y = (const struct sockaddr_in *)&b->sa;
		return x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->family == AF_INET6) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->sa;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->sa;
		return memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0 &&
		       x->sin6_scope_id == y->sin6_scope_id;
	}
	return 0;
}

static void move_addr(xmppc__resolve_addr *addrs, size_t to, size_t from)
{
	xmppc__resolve_addr tmp = addrs[from];

	memmove(&addrs[to + 1], &addrs[to], (from - to) * sizeof(*addrs));
	addrs[to] = tmp;
}

/* RFC 8305 §4: after RFC 6724 sorting, "the client SHOULD modify the
 * ordered list to interleave address families", starting with the most
 * preferred family (the first address's), one address of each in turn
 * ("First Address Family Count" 1). */
size_t xmppc__addrs_interleave(xmppc__resolve_addr *addrs, size_t n)
{
	size_t i, j, m = 0;

	if (addrs == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < m && !same_addr(&addrs[j], &addrs[i]); j++)
			;
		if (j == m)
			addrs[m++] = addrs[i];
	}
	for (i = 1; i < m; i++) {
		int want = addrs[i - 1].family == AF_INET6 ? AF_INET : AF_INET6;

		if (addrs[i].family == want)
			continue;
		for (j = i + 1; j < m && addrs[j].family != want; j++)
			;
		if (j == m)
			break; /* one family left: the rest keeps its order */
		move_addr(addrs, i, j);
	}
	return m;
}

static int parse_port(const char *p, uint16_t *port)
{
	unsigned long v = 0;

	if (*p == '\0')
		return XMPPC_EINVAL;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return XMPPC_EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			return XMPPC_EINVAL;
	}
	if (v == 0)
		return XMPPC_EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int xmppc__hostport_parse(const char *s, char *host_out, size_t host_cap, uint16_t *port)
{
	const char *host = s, *ps = NULL, *colon;
	size_t hlen;
	int bracket = 0;

	if (s == NULL || host_out == NULL || host_cap == 0 || port == NULL)
		return XMPPC_EINVAL;
	*port = 0;
	host_out[0] = '\0';
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			return XMPPC_EINVAL;
		host = s + 1;
		hlen = (size_t)(close - host);
		if (close[1] == ':')
			ps = close + 2;
		else if (close[1] != '\0')
			return XMPPC_EINVAL;
		bracket = 1;
	} else if ((colon = strchr(s, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
		hlen = (size_t)(colon - s);
		ps = colon + 1;
	} else {
		hlen = strlen(s); /* a name, or a bare IPv6 literal (two or more colons) */
	}
	if (hlen == 0 || hlen >= host_cap)
		return XMPPC_EINVAL;
	memcpy(host_out, host, hlen);
	host_out[hlen] = '\0';
	if (bracket) {
		struct in6_addr a6;

		if (inet_pton(AF_INET6, host_out, &a6) != 1) {
			host_out[0] = '\0';
			return XMPPC_EINVAL;
		}
	}
	if (ps != NULL && parse_port(ps, port) != 0) {
		host_out[0] = '\0';
		return XMPPC_EINVAL;
	}
	return 0;
}
