/* Parse benchmark: xmppc's stream parser against its floor, libxml2's own
 * SAX2 push parse of the same bytes with empty callbacks.
 *
 * The workload is a generated client stream of realistic chat messages
 * (gen.c), fed in 64 KiB chunks. Each parser is timed best-of-R with
 * CLOCK_MONOTONIC. The peak heap of an xmppc parse (xmppc's allocator hook
 * plus libxml2's allocations) is measured for N/10 and N messages to show
 * that memory does not grow with the length of the stream.
 *
 * Exit status: 0, or 1 on a correctness failure (wrong stanza count, a
 * parse error, a stanza with the wrong content), 2 on a usage error.
 * Timing never fails the run. */
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xmlversion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <xmppc/xmppc.h>

#include "gen.h"
#include "memcount.h"

#define CHUNK ((size_t)64 * 1024)
#define VERIFY_MAX 2000ul  /* messages checked field by field */
#define VERIFY_CHUNK 4093u /* an odd split for the check, unlike the timed runs */
#define DEFAULT_COUNT 200000ul
#define QUICK_COUNT 2000ul
#define DEFAULT_REPS 5u
#define QUICK_REPS 1u
#define TARGET_RATIO 0.5

/* A consumer of stream bytes; last is set on the final piece. */
typedef int (*feed_fn)(void *sink, const char *data, size_t len, int last);

/* ---- helpers -------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long maxrss_kib(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return ru.ru_maxrss; /* KiB on Linux */
}

/* Peak resident set of this program image (Linux VmHWM), or -1. Unlike
 * ru_maxrss it does not include what the process held before execve
 * (ru_maxrss under meson shows the Python test runner's ~30 MB). */
static long vmhwm_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Feed a buffer in pieces of at most chunk bytes. */
static int feed_buffer(const char *data, size_t len, size_t chunk, feed_fn f, void *sink)
{
	size_t off = 0;

	do {
		size_t n = len - off < chunk ? len - off : chunk;
		int rc = f(sink, data + off, n, off + n == len);
		if (rc != 0)
			return rc;
		off += n;
	} while (off < len);
	return 0;
}

/* Generate an n-message stream and feed it in CHUNK pieces as it is made,
 * so the whole stream never sits in memory. */
static int feed_generated(unsigned long n, feed_fn f, void *sink)
{
	bench_buf b = {0};
	gen g;
	unsigned long i;
	int rc = 0;

	gen_init(&g, GEN_SEED);
	gen_header(&b);
	for (i = 0; i < n && rc == 0; i++) {
		gen_message(&g, &b, NULL);
		if (b.len >= CHUNK) {
			rc = f(sink, b.p, CHUNK, 0);
			memmove(b.p, b.p + CHUNK, b.len - CHUNK);
			b.len -= CHUNK;
		}
	}
	if (rc == 0) {
		gen_footer(&b);
		rc = feed_buffer(b.p, b.len, CHUNK, f, sink);
	}
	bench_buf_free(&b);
	return rc;
}

/* ---- floor: libxml2's SAX2 push parser, empty callbacks ---------------------- */

static void floor_start(void *ud, const xmlChar *localname, const xmlChar *prefix,
                        const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                        int nb_attributes, int nb_defaulted, const xmlChar **attrs)
{
	(void)ud, (void)localname, (void)prefix, (void)uri, (void)nb_namespaces;
	(void)namespaces, (void)nb_attributes, (void)nb_defaulted, (void)attrs;
}

static void floor_end(void *ud, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	(void)ud, (void)localname, (void)prefix, (void)uri;
}

static void floor_chars(void *ud, const xmlChar *ch, int len)
{
	(void)ud, (void)ch, (void)len;
}

typedef struct {
	xmlParserCtxtPtr xml;
} floor_sink;

static int floor_feed(void *sink, const char *data, size_t len, int last)
{
	floor_sink *s = sink;

	if (xmlParseChunk(s->xml, data, (int)len, last) != 0 || !s->xml->wellFormed) {
		fprintf(stderr, "FAIL: libxml2 refused the stream\n");
		return -1;
	}
	return 0;
}

/* One floor parse of a buffer, or of a generated stream when data is NULL. */
static int floor_run(const char *data, size_t len, unsigned long n)
{
	xmlSAXHandler h;
	floor_sink s;
	int rc;

	memset(&h, 0, sizeof(h));
	h.initialized = XML_SAX2_MAGIC;
	h.startElementNs = floor_start;
	h.endElementNs = floor_end;
	h.characters = floor_chars;
	s.xml = xmlCreatePushParserCtxt(&h, NULL, NULL, 0, NULL);
	if (s.xml == NULL) {
		fprintf(stderr, "FAIL: xmlCreatePushParserCtxt\n");
		return -1;
	}
	xmlCtxtUseOptions(s.xml, XML_PARSE_NONET | XML_PARSE_NOENT);
	rc = data != NULL ? feed_buffer(data, len, CHUNK, floor_feed, &s)
	                  : feed_generated(n, floor_feed, &s);
	xmlFreeParserCtxt(s.xml);
	return rc;
}

/* ---- xmppc ------------------------------------------------------------------ */

typedef struct {
	xmppc_parser *parser;
	unsigned long headers, stanzas, ends;
	unsigned long sink; /* folds in each stanza's name so the reads are kept */
	/* field-by-field check (NULL check: count only) */
	gen *check;
	unsigned long bad;
} xmppc_sink;

static int x_stream_start(void *ud, const xmppc_stanza *header, const char *content_ns)
{
	xmppc_sink *s = ud;

	(void)header;
	if (content_ns == NULL || strcmp(content_ns, "jabber:client") != 0)
		s->bad++;
	s->headers++;
	return XMPPC_PARSER_CONTINUE;
}

static int x_stream_end(void *ud)
{
	xmppc_sink *s = ud;

	s->ends++;
	return XMPPC_PARSER_CONTINUE;
}

static int x_stanza(void *ud, xmppc_stanza *stanza)
{
	xmppc_sink *s = ud;
	const char *name = xmppc_stanza_name(stanza);

	s->sink += (unsigned char)name[0];
	s->stanzas++;
	return XMPPC_PARSER_CONTINUE;
}

static int same(const char *got, const char *want)
{
	return got != NULL && strcmp(got, want) == 0;
}

/* Check one delivered message against what the generator put in it. */
static int check_message(const xmppc_stanza *m, const gen_expect *e)
{
	const xmppc_stanza *body, *c;

	if (!xmppc_stanza_is(m, "message", "jabber:client") || !same(xmppc_stanza_attr(m, "from"), e->from) ||
	    !same(xmppc_stanza_attr(m, "to"), e->to) || !same(xmppc_stanza_attr(m, "type"), "chat") ||
	    !same(xmppc_stanza_attr(m, "id"), e->id) ||
	    !same(xmppc_stanza_attr_ns(m, XMPPC_NS_XML, "lang"), "en") ||
	    xmppc_stanza_attr_count(m) != 5 || xmppc_stanza_child_count(m) != 5)
		return 0;
	body = xmppc_stanza_find_child(m, "body", "jabber:client");
	if (body == NULL || !same(xmppc_stanza_text(body), e->body))
		return 0;
	c = xmppc_stanza_find_next(body, NULL, NULL);
	if (!xmppc_stanza_is(c, "active", "http://jabber.org/protocol/chatstates"))
		return 0;
	c = xmppc_stanza_find_next(c, NULL, NULL);
	if (!xmppc_stanza_is(c, "origin-id", "urn:xmpp:sid:0") ||
	    !same(xmppc_stanza_attr(c, "id"), e->origin_id))
		return 0;
	c = xmppc_stanza_find_next(c, NULL, NULL);
	if (!xmppc_stanza_is(c, "stanza-id", "urn:xmpp:sid:0") ||
	    !same(xmppc_stanza_attr(c, "id"), e->stanza_id) || !same(xmppc_stanza_attr(c, "by"), e->by))
		return 0;
	c = xmppc_stanza_find_next(c, NULL, NULL);
	return xmppc_stanza_is(c, "request", "urn:xmpp:receipts");
}

static int x_stanza_check(void *ud, xmppc_stanza *stanza)
{
	xmppc_sink *s = ud;
	bench_buf scratch = {0};
	gen_expect e;

	gen_message(s->check, &scratch, &e);
	bench_buf_free(&scratch);
	if (!check_message(stanza, &e)) {
		if (s->bad == 0)
			fprintf(stderr, "FAIL: message %lu differs from what was generated\n", s->stanzas);
		s->bad++;
	}
	s->stanzas++;
	return XMPPC_PARSER_CONTINUE;
}

static int xmppc_feed(void *sink, const char *data, size_t len, int last)
{
	xmppc_sink *s = sink;
	size_t consumed = 0;
	int rc = xmppc_parser_feed(&consumed, s->parser, data, len);

	if (rc < 0) {
		fprintf(stderr, "FAIL: xmppc_parser_feed: %s (%s) at byte %llu\n", xmppc_error_name(rc),
		        xmppc_parser_error_text(s->parser),
		        (unsigned long long)xmppc_parser_offset(s->parser));
		return -1;
	}
	if (last ? (rc != XMPPC_PARSER_ENDED || consumed != len) : (rc != 0 || consumed != len)) {
		fprintf(stderr, "FAIL: xmppc_parser_feed returned %d, consumed %zu of %zu%s\n", rc,
		        consumed, len, last ? " (last piece: the stream end was expected)" : "");
		return -1;
	}
	return 0;
}

/* One xmppc parse of a buffer (in pieces of chunk bytes), or of a
 * generated stream when data is NULL. Checks the counts. */
static int xmppc_run(xmppc_ctx *ctx, const char *data, size_t len, size_t chunk, unsigned long n,
                     gen *check, unsigned long *sink_out)
{
	xmppc_parser_callbacks cb = {XMPPC_PARSER_CALLBACKS_VERSION, x_stream_start,
	                             check != NULL ? x_stanza_check : x_stanza, x_stream_end};
	xmppc_sink s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.check = check;
	rc = xmppc_parser_new(&s.parser, ctx, NULL, XMPPC_PARSER_AUTHENTICATED, &cb, &s);
	if (rc != 0) {
		fprintf(stderr, "FAIL: xmppc_parser_new: %s\n", xmppc_error_name(rc));
		return -1;
	}
	rc = data != NULL ? feed_buffer(data, len, chunk, xmppc_feed, &s)
	                  : feed_generated(n, xmppc_feed, &s);
	xmppc_parser_free(s.parser);
	if (rc != 0)
		return rc;
	if (s.stanzas != n || s.headers != 1 || s.ends != 1 || s.bad != 0) {
		fprintf(stderr,
		        "FAIL: xmppc delivered %lu stanzas (expected %lu), %lu stream headers, "
		        "%lu stream ends, %lu bad\n",
		        s.stanzas, n, s.headers, s.ends, s.bad);
		return -1;
	}
	if (sink_out != NULL)
		*sink_out += s.sink;
	return 0;
}

/* ---- measurements ------------------------------------------------------------- */

typedef struct {
	size_t total, xmppc, libxml;
} peak_info;

/* Peak heap above what was alive before, for an xmppc parse (streamed) of
 * n messages, or of the floor parse when floor is set. */
static int measure_peak(unsigned long n, int floor, peak_info *out)
{
	size_t base_total, base_x, base_l;
	int rc;

	mem_reset();
	base_total = mem_total.live;
	base_x = mem_xmppc.live;
	base_l = mem_libxml.live;
	if (floor) {
		rc = floor_run(NULL, 0, n);
	} else {
		xmppc_allocator al;
		xmppc_ctx *ctx = NULL;

		mem_xmppc_allocator(&al);
		if (xmppc_ctx_new(&ctx, &al) != 0) {
			fprintf(stderr, "FAIL: xmppc_ctx_new\n");
			return -1;
		}
		rc = xmppc_run(ctx, NULL, 0, CHUNK, n, NULL, NULL);
		xmppc_ctx_unref(ctx);
	}
	out->total = mem_total.peak - base_total;
	out->xmppc = mem_xmppc.peak - base_x;
	out->libxml = mem_libxml.peak - base_l;
	if (rc == 0 && mem_xmppc.live != base_x) {
		fprintf(stderr, "FAIL: %zu bytes of xmppc memory still alive after the parse\n",
		        mem_xmppc.live - base_x);
		rc = -1;
	}
	return rc;
}

/* Time one parse; 0 on failure. Kept out of line so that a profiler can
 * collect just the timed parses (callgrind --toggle-collect=time_one). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static double time_one(int floor, xmppc_ctx *ctx, const char *data, size_t len, unsigned long n,
                       unsigned long *sink)
{
	double t0 = now_s();
	int rc = floor ? floor_run(data, len, n) : xmppc_run(ctx, data, len, CHUNK, n, NULL, sink);

	return rc == 0 ? now_s() - t0 : 0;
}

/* Best of reps runs of the floor (want[0]) and of xmppc (want[1]),
 * interleaved so that both see the same conditions. Returns 0 or -1. */
static int time_parsers(const int want[2], double best[2], xmppc_ctx *ctx, const char *data,
                        size_t len, unsigned long n, unsigned long reps, unsigned long *sink)
{
	unsigned long r;
	int k;

	best[0] = best[1] = 0;
	for (r = 0; r < reps; r++) {
		for (k = 0; k < 2; k++) {
			double t;

			if (!want[k])
				continue;
			t = time_one(k == 0, ctx, data, len, n, sink);
			if (t == 0)
				return -1;
			if (r == 0 || t < best[k])
				best[k] = t;
		}
	}
	return 0;
}

/* ---- main ---------------------------------------------------------------------- */

typedef struct {
	unsigned long count, reps;
	int only; /* 0: everything; 1: time the floor only; 2: time xmppc only */
} options;

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
	        "usage: %s [--count N] [--reps R] [--quick] [--only floor|xmppc] [--help]\n"
	        "  --count N     messages in the stream (default %lu); the memory check\n"
	        "                parses N/10 (at least 1000) and N messages\n"
	        "  --reps R      timed repetitions, the best one kept (default %u)\n"
	        "  --quick       smoke run: %lu messages, %u repetition (options after it win)\n"
	        "  --only WHICH  time one parser only, without the check and the memory\n"
	        "                runs (for profilers)\n"
	        "Exits 1 on a correctness failure, never because of timing.\n",
	        argv0, DEFAULT_COUNT, DEFAULT_REPS, QUICK_COUNT, QUICK_REPS);
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* 0, 1 (--help given) or -1 (bad usage). */
static int parse_args(int argc, char **argv, options *o)
{
	int i;

	o->count = DEFAULT_COUNT;
	o->reps = DEFAULT_REPS;
	o->only = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return 1;
		if (strcmp(a, "--quick") == 0) {
			o->count = QUICK_COUNT;
			o->reps = QUICK_REPS;
			continue;
		}
		if (v == NULL)
			return -1;
		i++;
		if (strcmp(a, "--count") == 0) {
			if (parse_ulong(v, 100000000ul, &o->count) != 0)
				return -1;
		} else if (strcmp(a, "--reps") == 0) {
			if (parse_ulong(v, 1000ul, &o->reps) != 0)
				return -1;
		} else if (strcmp(a, "--only") == 0 && strcmp(v, "floor") == 0) {
			o->only = 1;
		} else if (strcmp(a, "--only") == 0 && strcmp(v, "xmppc") == 0) {
			o->only = 2;
		} else {
			return -1;
		}
	}
	return 0;
}

/* Check every field of the first messages, fed in odd pieces; both
 * parsers must accept the stream. */
static int run_check(xmppc_ctx *ctx, unsigned long count)
{
	unsigned long n = count < VERIFY_MAX ? count : VERIFY_MAX, i;
	bench_buf b = {0};
	gen g, check;
	int rc;

	gen_init(&g, GEN_SEED);
	gen_init(&check, GEN_SEED);
	gen_header(&b);
	for (i = 0; i < n; i++)
		gen_message(&g, &b, NULL);
	gen_footer(&b);
	rc = xmppc_run(ctx, b.p, b.len, VERIFY_CHUNK, n, &check, NULL);
	if (rc == 0)
		rc = floor_run(b.p, b.len, n);
	bench_buf_free(&b);
	if (rc == 0)
		printf("check: first %lu messages parsed field by field, fed in %u-byte pieces: ok\n", n,
		       VERIFY_CHUNK);
	return rc;
}

/* The whole stream of count messages, for the timed runs. */
static void make_stream(bench_buf *out, unsigned long count)
{
	size_t hdr, msg, min = (size_t)-1, max = 0;
	unsigned long i;
	gen g;

	gen_init(&g, GEN_SEED);
	gen_header(out);
	hdr = out->len;
	for (i = 0; i < count; i++) {
		size_t before = out->len, n;
		gen_message(&g, out, NULL);
		n = out->len - before;
		if (n < min)
			min = n;
		if (n > max)
			max = n;
	}
	msg = out->len - hdr;
	gen_footer(out);
	printf("stream: %lu chat messages, %zu bytes in all (with the stream header and end);\n"
	       "        message size mean %.2f, min %zu, max %zu bytes\n",
	       count, out->len, (double)msg / (double)count, min, max);
}

static void print_speed(const char *who, const char *what, unsigned long count, size_t bytes,
                        double t)
{
	printf("%-6s %-28s %12.0f %10.1f %10.4f\n", who, what, (double)count / t,
	       (double)bytes / t / 1e6, t);
}

int main(int argc, char **argv)
{
	options o;
	unsigned long n_small, sink = 0;
	bench_buf stream = {0};
	peak_info pk_small, pk_big, fl_small, fl_big;
	long rss_mem = 0, hwm_mem = 0;
	double best[2], t_floor, t_xmppc, ratio;
	xmppc_ctx *ctx = NULL;
	int want[2], failed = 0, rc;

	/* Before anything else touches libxml2. */
	if (mem_install_libxml() != 0) {
		fprintf(stderr, "FAIL: xmlMemSetup\n");
		return 1;
	}
	rc = parse_args(argc, argv, &o);
	if (rc != 0) {
		usage(rc > 0 ? stdout : stderr, argv[0]);
		return rc > 0 ? 0 : 2;
	}
	/* libxml2's input buffer reaches its steady size after ~200 KB of
	 * stream, so the smaller memory run must be longer than that. */
	n_small = o.count / 10;
	if (n_small < 1000)
		n_small = o.count < 2000 ? (o.count + 1) / 2 : 1000;
	LIBXML_TEST_VERSION

	printf("xmppc parse benchmark (xmppc %s, libxml2 %s)%s\n", xmppc_version(),
	       LIBXML_DOTTED_VERSION,
#ifdef __OPTIMIZE__
	       ""
#else
	       "  [WARNING: built without optimisation]"
#endif
	);
	if (xmppc_ctx_new(&ctx, NULL) != 0) {
		fprintf(stderr, "FAIL: xmppc_ctx_new\n");
		return 1;
	}

	if (o.only == 0) {
		/* 1. Correctness. 2. Peak memory, streaming the input so that it
		 * is not held in memory. */
		if (run_check(ctx, o.count) != 0 || measure_peak(n_small, 0, &pk_small) != 0 ||
		    measure_peak(o.count, 0, &pk_big) != 0 || measure_peak(n_small, 1, &fl_small) != 0 ||
		    measure_peak(o.count, 1, &fl_big) != 0) {
			failed = 1;
			goto out;
		}
		rss_mem = maxrss_kib();
		hwm_mem = vmhwm_kib();
	}

	/* 3. Speed, on the whole stream held in memory. */
	make_stream(&stream, o.count);
	printf("fed in %zu-byte chunks, best of %lu run(s), interleaved (CLOCK_MONOTONIC); MB = 10^6 bytes\n\n",
	       CHUNK, o.reps);
	want[0] = o.only != 2;
	want[1] = o.only != 1;
	if (time_parsers(want, best, ctx, stream.p, stream.len, o.count, o.reps, &sink) != 0) {
		failed = 1;
		goto out;
	}
	t_floor = best[0];
	t_xmppc = best[1];
	printf("%-6s %-28s %12s %10s %10s\n", "", "", "stanzas/s", "MB/s", "best s");
	if (o.only != 2)
		print_speed("floor", "libxml2 SAX2 push, no-op", o.count, stream.len, t_floor);
	if (o.only != 1)
		print_speed("xmppc", "parser + stanza trees", o.count, stream.len, t_xmppc);
	if (o.only != 0)
		goto out;
	ratio = t_floor / t_xmppc;
	printf("ratio xmppc/floor %.2f (target >= %.1f)%s\n\n", ratio, TARGET_RATIO,
	       ratio >= TARGET_RATIO ? "" : "  ** below target **");

	printf("peak heap during a parse (xmppc allocator hook + libxml2 xmlMemSetup), bytes:\n");
	printf("  %-22s %10s %10s %10s\n", "", "total", "xmppc", "libxml2");
	printf("  xmppc N=%-13lu %10zu %10zu %10zu\n", n_small, pk_small.total, pk_small.xmppc,
	       pk_small.libxml);
	printf("  xmppc N=%-13lu %10zu %10zu %10zu\n", o.count, pk_big.total, pk_big.xmppc,
	       pk_big.libxml);
	printf("  floor N=%-13lu %10zu %10s %10zu\n", n_small, fl_small.total, "-", fl_small.libxml);
	printf("  floor N=%-13lu %10zu %10s %10zu\n", o.count, fl_big.total, "-", fl_big.libxml);
	printf("peak ratio xmppc N=%lu / N=%lu: %.3f (should be ~1: memory independent of N)\n",
	       o.count, n_small, (double)pk_big.total / (double)pk_small.total);
	printf("peak RSS, KiB: after the streamed memory runs ru_maxrss %ld (VmHWM %ld);\n"
	       "               at the end, with the %zu-byte input held for timing,\n"
	       "               ru_maxrss %ld (VmHWM %ld)\n",
	       rss_mem, hwm_mem, stream.len, maxrss_kib(), vmhwm_kib());

out:
	bench_buf_free(&stream);
	xmppc_ctx_unref(ctx);
	xmlCleanupParser();
	if (failed)
		fprintf(stderr, "bench-parse: FAILED\n");
	return failed ? 1 : 0;
}
