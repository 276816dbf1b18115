/* Deterministic generator of an XMPP client stream for the benchmarks:
 * a stream header, then realistic one-to-one chat messages (XEP-0085 chat
 * state, XEP-0359 origin-id and stanza-id, XEP-0184 receipt request), then
 * the stream's closing tag. The same seed always gives the same bytes. */
#ifndef XMPPC_BENCH_GEN_H
#define XMPPC_BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer of the benchmark itself (plain malloc, so it is
 * never counted as the parser's memory). Aborts when memory runs out. */
typedef struct {
	char *p;
	size_t len;
	size_t cap;
} bench_buf;

void bench_buf_put(bench_buf *b, const char *s, size_t n);
void bench_buf_puts(bench_buf *b, const char *s);
void bench_buf_free(bench_buf *b);

/* What a message carries once parsed, for checking the parser's output. */
typedef struct {
	char from[96];
	char to[96];
	char id[32];
	char body[1024]; /* unescaped, as the parser must deliver it */
	size_t body_len;
	char origin_id[40];
	char stanza_id[40];
	char by[64];
} gen_expect;

typedef struct {
	uint64_t state; /* PRNG (splitmix64) */
	unsigned long index;
} gen;

#define GEN_SEED UINT64_C(0x584d5050432d3031) /* "XMPPC-01" */

void gen_init(gen *g, uint64_t seed);
/* Append the stream header (XML declaration and <stream:stream>). */
void gen_header(bench_buf *out);
/* Append the stream's closing tag. */
void gen_footer(bench_buf *out);
/* Append the next message; fill *exp (if not NULL) with its content. */
void gen_message(gen *g, bench_buf *out, gen_expect *exp);

#endif
