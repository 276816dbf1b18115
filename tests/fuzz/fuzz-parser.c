/* Fuzz target: the XML stream parser (xmppc_parser).
 *
 * Input layout: four control bytes, then the stream bytes.
 *   byte 0  flags: bit 0 XMPPC_PARSER_AUTHENTICATED, bit 1 custom limits
 *           (from byte 1), bit 2 an extra run in which one allocation fails;
 *   byte 1  custom limits: bits 0-1 max_depth {1, 2, 4, 16}, bits 2-3
 *           stanza bytes {32, 256, 2048, 16384}, bits 4-5 max_attrs
 *           {1, 3, 8, 64}, bits 6-7 max_elements {1, 4, 32, 1024};
 *   byte 2  chunking: bits 0-1 piece sizes {1, 1..8, 1..64, 1..everything},
 *           the rest seeds the split points together with byte 3;
 *   byte 3  seed (also picks the failing allocation).
 * The seeds in corpus/parser/ use printable control bytes ("0000", "3a2x")
 * so that they stay readable.
 *
 * The stream is parsed twice, fed whole and fed in pieces, and the event
 * logs must be identical. A `<proceed/>` or `<success/>` stanza pauses the
 * parser; the rest of the bytes then go to a fresh parser, as after a
 * stream restart. A stanza named `x-callback-error` makes the stanza
 * callback fail, a stream header with an `x-refuse` attribute makes the
 * header callback fail. Checked on the way (abort on violation):
 *  - consumed <= len; all of it when the feed returns 0; on PAUSED/ENDED
 *    the consumed bytes end with '>' and xmppc_parser_offset() agrees;
 *  - no callback once the parser has an error, and every feed after an
 *    error returns that same error; feeds after PAUSED/ENDED give ESTATE;
 *  - feeding from inside a callback gives XMPPC_ERECURSIVE;
 *  - every stanza respects the configured limits, serializes, parses back
 *    with xmppc_stanza_from_xml() to the same serialization, copies to the
 *    same serialization, and survives all accessors;
 *  - the context is released and nothing xmppc allocated is left
 *    (LeakSanitizer covers libxml2 as well).
 * With XMPPC_FUZZ_DEBUG set in the environment the event log is printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONTROL_BYTES 4
#define CALLBACK_ERROR XMPPC_EUNSUPPORTED

/* ---- event log (plain malloc: not part of what is measured) ---------- */

typedef struct {
	char *data;
	size_t len, cap;
} evlog;

static void log_put(evlog *l, const char *s, size_t n)
{
	if (l->len + n + 1 > l->cap) {
		size_t cap = l->cap != 0 ? l->cap : 256;
		char *d;
		while (cap < l->len + n + 1)
			cap *= 2;
		d = realloc(l->data, cap);
		FUZZ_CHECK(d != NULL);
		l->data = d;
		l->cap = cap;
	}
	memcpy(l->data + l->len, s, n);
	l->len += n;
	l->data[l->len] = '\0';
}

static void log_str(evlog *l, const char *s)
{
	log_put(l, s != NULL ? s : "(null)", strlen(s != NULL ? s : "(null)"));
}

static void log_num(evlog *l, const char *tag, long long v)
{
	char tmp[48];
	int n = snprintf(tmp, sizeof(tmp), "%s%lld\n", tag, v);
	log_put(l, tmp, (size_t)n);
}

/* ---- chunking plan ---------------------------------------------------- */

typedef struct {
	int whole;
	unsigned mode;
	uint32_t rng;
} plan;

static uint32_t next_rand(plan *pl)
{
	/* xorshift32 */
	uint32_t x = pl->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	pl->rng = x;
	return x;
}

static size_t next_piece(plan *pl, size_t remaining)
{
	size_t n;

	if (pl->whole)
		return remaining;
	switch (pl->mode) {
	case 0:
		n = 1;
		break;
	case 1:
		n = 1 + next_rand(pl) % 8;
		break;
	case 2:
		n = 1 + next_rand(pl) % 64;
		break;
	default:
		n = 1 + next_rand(pl) % remaining;
		break;
	}
	return n < remaining ? n : remaining;
}

/* ---- one run ------------------------------------------------------------ */

typedef struct {
	xmppc_ctx *ctx;
	fuzz_alloc *alloc;
	int may_fail_alloc;
	unsigned flags;
	const xmppc_xml_limits *limits; /* NULL: defaults */
	xmppc_xml_limits effective;
	xmppc_parser *p;
	evlog log;
	int error; /* the error a feed returned; no callback may follow it */
	/* A stanza and a stream header the callbacks took a reference on,
	 * with their serializations then: they must not change while the
	 * parser goes on (it may recycle the memory of stanzas nobody kept),
	 * nor when it is freed. */
	struct kept {
		xmppc_stanza *node;
		char *xml;
		size_t len;
	} stanza, header;
} run_state;

static void keep(struct kept *k, xmppc_stanza *node, const xmppc_buf *xml)
{
	FUZZ_CHECK(k->node == NULL);
	k->xml = malloc(xmppc_buf_len(xml));
	FUZZ_CHECK(k->xml != NULL);
	memcpy(k->xml, xmppc_buf_data(xml), xmppc_buf_len(xml));
	k->len = xmppc_buf_len(xml);
	k->node = xmppc_stanza_ref(node);
}

/* Check that a kept node is unchanged; release it when asked. */
static void check_kept(run_state *st, struct kept *k, int release)
{
	xmppc_buf *b;
	int rc;

	if (k->node == NULL)
		return;
	rc = fuzz_serialize(&b, st->ctx, k->node);
	if (rc == 0) {
		if (xmppc_buf_len(b) != k->len || memcmp(xmppc_buf_data(b), k->xml, k->len) != 0) {
			fprintf(stderr, "kept:  %.*s\nlater: %s\n", (int)k->len, k->xml, xmppc_buf_data(b));
			fuzz_fail("a kept stanza changed", __FILE__, __LINE__);
		}
		xmppc_buf_free(b);
	} else {
		FUZZ_CHECK(rc == XMPPC_ENOMEM && st->may_fail_alloc);
	}
	if (release) {
		xmppc_stanza_unref(k->node);
		free(k->xml);
		memset(k, 0, sizeof(*k));
	}
}

static void free_parser(run_state *st)
{
	xmppc_parser_free(st->p);
	st->p = NULL;
	/* references outlive the parser */
	check_kept(st, &st->stanza, 0);
	check_kept(st, &st->header, 1);
}

static void check_in_callback(run_state *st)
{
	size_t c = 99;

	FUZZ_CHECK(st->error == 0);
	FUZZ_CHECK(xmppc_parser_error(st->p) == 0);
	FUZZ_CHECK(xmppc_parser_feed(&c, st->p, "<", 1) == XMPPC_ERECURSIVE);
	FUZZ_CHECK(c == 0);
}

static void log_stanza_xml(run_state *st, char tag, const xmppc_stanza *s, xmppc_buf **keep)
{
	xmppc_buf *b;
	int rc = fuzz_serialize(&b, st->ctx, s);
	char t[2] = {tag, '\0'};

	*keep = NULL;
	log_str(&st->log, t);
	if (rc == XMPPC_ENOMEM && st->may_fail_alloc) {
		log_str(&st->log, "(nomem)\n");
		return;
	}
	FUZZ_CHECK(rc == 0);
	log_put(&st->log, xmppc_buf_data(b), xmppc_buf_len(b));
	log_str(&st->log, "\n");
	*keep = b;
}

static int on_header(void *ud, const xmppc_stanza *h, const char *content_ns)
{
	run_state *st = ud;
	xmppc_buf *b;
	size_t i, n;
	int refuse = 0;

	check_in_callback(st);
	FUZZ_CHECK(xmppc_stanza_is(h, "stream", XMPPC_NS_STREAMS) == 1);
	FUZZ_CHECK(xmppc_stanza_first_child(h) == NULL);
	log_str(&st->log, "H ns=");
	log_str(&st->log, content_ns);
	log_str(&st->log, "\n");
	n = xmppc_stanza_attr_count(h);
	for (i = 0; i < n; i++) {
		const char *ns = NULL, *name = NULL, *value = NULL;
		FUZZ_CHECK(xmppc_stanza_attr_at(&ns, &name, &value, h, i) == 0);
		log_str(&st->log, " A{");
		log_str(&st->log, ns);
		log_str(&st->log, "}");
		log_str(&st->log, name);
		log_str(&st->log, "=");
		log_str(&st->log, value);
		log_str(&st->log, "\n");
		if (ns == NULL && strcmp(name, "x-refuse") == 0)
			refuse = 1;
	}
	log_stanza_xml(st, 'h', h, &b);
	if (b != NULL)
		keep(&st->header, (xmppc_stanza *)h, b); /* ref needs non-const */
	xmppc_buf_free(b);
	return refuse ? CALLBACK_ERROR : 0;
}

static int on_stanza(void *ud, xmppc_stanza *s)
{
	run_state *st = ud;
	const char *name = xmppc_stanza_name(s);
	xmppc_buf *b;
	unsigned depth;
	size_t attrs, elements;

	check_in_callback(st);
	FUZZ_CHECK(name != NULL);
	FUZZ_CHECK(xmppc_stanza_parent(s) == NULL);

	fuzz_tree_shape(s, &depth, &attrs, &elements);
	FUZZ_CHECK(depth >= 1 && depth <= st->effective.max_depth);
	FUZZ_CHECK(attrs <= st->effective.max_attrs);
	FUZZ_CHECK(elements >= 1 && elements <= st->effective.max_elements);

	/* Borrowed, but a reference may be taken and dropped. */
	FUZZ_CHECK(xmppc_stanza_ref(s) == s);
	FUZZ_CHECK(xmppc_stanza_unref(s) == s);

	check_kept(st, &st->header, 0);
	check_kept(st, &st->stanza, 0);
	log_stanza_xml(st, 'S', s, &b);
	if (b != NULL) {
		fuzz_check_roundtrip(st->ctx, s, xmppc_buf_data(b), xmppc_buf_len(b),
		                     st->may_fail_alloc);
		/* Keep every other stanza (by size, the same in both runs) so
		 * that both the kept and the not-kept paths are taken. */
		if (xmppc_buf_len(b) % 2 == 1) {
			check_kept(st, &st->stanza, 1);
			keep(&st->stanza, s, b);
		}
		xmppc_buf_free(b);
	}
	fuzz_exercise(st->ctx, s, st->may_fail_alloc);

	if (strcmp(name, "proceed") == 0 || strcmp(name, "success") == 0)
		return XMPPC_PARSER_PAUSE;
	if (strcmp(name, "x-callback-error") == 0)
		return CALLBACK_ERROR;
	return XMPPC_PARSER_CONTINUE;
}

static int on_end(void *ud)
{
	run_state *st = ud;

	check_in_callback(st);
	log_str(&st->log, "E\n");
	return 0;
}

static const xmppc_parser_callbacks callbacks = {
	XMPPC_PARSER_CALLBACKS_VERSION, on_header, on_stanza, on_end,
};

static int open_parser(run_state *st)
{
	int rc;

	st->p = NULL;
	rc = xmppc_parser_new(&st->p, st->ctx, st->limits, st->flags, &callbacks, st);
	if (rc == XMPPC_ENOMEM && st->may_fail_alloc)
		return rc;
	FUZZ_CHECK(rc == 0 && st->p != NULL);
	FUZZ_CHECK(xmppc_parser_error(st->p) == 0);
	FUZZ_CHECK(xmppc_parser_offset(st->p) == 0);
	return 0;
}

static void check_error(run_state *st, int rc)
{
	const char *text = xmppc_parser_error_text(st->p);

	FUZZ_CHECK(rc < 0);
	FUZZ_CHECK(xmppc_parser_error(st->p) == rc);
	FUZZ_CHECK(text != NULL && text[0] != '\0');
	if (rc <= XMPPC_EXML_NOT_WELL_FORMED && rc > -200) {
		FUZZ_CHECK(xmppc_is_fatal(rc) == 1);
		FUZZ_CHECK(xmppc_error_stream_condition(rc) != XMPPC_STREAM_COND_NONE);
	} else {
		FUZZ_CHECK(rc == CALLBACK_ERROR || rc == XMPPC_ENOMEM);
		FUZZ_CHECK(rc != XMPPC_ENOMEM || st->may_fail_alloc);
	}
}

/* Feed data[0..len) in the pieces the plan gives; log the events. */
static void run(run_state *st, plan *pl, const uint8_t *data, size_t len)
{
	size_t pos = 0, base = 0; /* base: where the current parser's stream began */
	int done = 0;

	if (open_parser(st) != 0)
		return;
	while (pos < len && !done) {
		size_t n = next_piece(pl, len - pos), off = 0;

		/* An empty feed changes nothing. */
		if (!pl->whole && (next_rand(pl) & 7) == 0) {
			size_t c = 99;
			FUZZ_CHECK(xmppc_parser_feed(&c, st->p, NULL, 0) == st->error && c == 0);
		}
		while (off < n) {
			size_t c = (size_t)-1;
			int rc = xmppc_parser_feed(&c, st->p, data + pos + off, n - off);

			FUZZ_CHECK(c <= n - off);
			if (st->error != 0) {
				/* sticky: the same error, no callback (checked there) */
				FUZZ_CHECK(rc == st->error);
				FUZZ_CHECK(xmppc_parser_error(st->p) == st->error);
				break;
			}
			if (rc == 0) {
				FUZZ_CHECK(c == n - off);
				FUZZ_CHECK(xmppc_parser_offset(st->p) == pos + n - base);
				break;
			}
			if (rc == XMPPC_PARSER_PAUSED || rc == XMPPC_PARSER_ENDED) {
				size_t at, c2 = 99;
				FUZZ_CHECK(c > 0 && data[pos + off + c - 1] == '>');
				off += c;
				at = pos + off;
				FUZZ_CHECK(xmppc_parser_offset(st->p) == at - base);
				FUZZ_CHECK(xmppc_parser_error(st->p) == 0);
				FUZZ_CHECK(xmppc_parser_feed(&c2, st->p, "<", 1) == XMPPC_ESTATE && c2 == 0);
				FUZZ_CHECK(xmppc_parser_feed(NULL, st->p, NULL, 0) == XMPPC_ESTATE);
				FUZZ_CHECK(xmppc_parser_offset(st->p) == at - base);
				log_num(&st->log, rc == XMPPC_PARSER_PAUSED ? "P@" : "E@", (long long)at);
				if (rc == XMPPC_PARSER_ENDED) {
					done = 1;
					break;
				}
				/* stream restart: the rest goes to a fresh parser */
				free_parser(st);
				base = at;
				if (open_parser(st) != 0) {
					check_kept(st, &st->stanza, 1);
					return;
				}
				continue;
			}
			check_error(st, rc);
			log_num(&st->log, "X", rc);
			st->error = rc;
			break;
		}
		pos += n;
	}
	if (st->error != 0) {
		size_t c = 99;
		FUZZ_CHECK(xmppc_parser_feed(&c, st->p, "<a/>", 4) == st->error && c == 0);
		FUZZ_CHECK(xmppc_parser_feed(&c, st->p, NULL, 0) == st->error);
	}
	log_str(&st->log, "EOF\n");
	free_parser(st);
	check_kept(st, &st->stanza, 1);
}

static void limits_from(xmppc_xml_limits *l, uint8_t b)
{
	static const unsigned depth[4] = {1, 2, 4, 16};
	static const size_t bytes[4] = {32, 256, 2048, 16384};
	static const unsigned attrs[4] = {1, 3, 8, 64};
	static const unsigned elements[4] = {1, 4, 32, 1024};

	xmppc_xml_limits_default(l);
	l->max_depth = depth[b & 3];
	l->max_stanza_bytes = bytes[(b >> 2) & 3];
	l->max_stanza_bytes_unauth = bytes[(b >> 2) & 3];
	l->max_attrs = attrs[(b >> 4) & 3];
	l->max_elements = elements[(b >> 6) & 3];
}

static void setup(run_state *st, xmppc_ctx *ctx, fuzz_alloc *a, const uint8_t *control,
                  xmppc_xml_limits *custom)
{
	memset(st, 0, sizeof(*st));
	st->ctx = ctx;
	st->alloc = a;
	st->flags = (control[0] & 1) ? XMPPC_PARSER_AUTHENTICATED : 0;
	if (control[0] & 2) {
		limits_from(custom, control[1]);
		st->limits = custom;
		st->effective = *custom;
	} else {
		xmppc_xml_limits_default(&st->effective);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t control[CONTROL_BYTES] = {0, 0, 0, 0};
	xmppc_xml_limits custom;
	run_state whole, pieces;
	fuzz_alloc alloc;
	xmppc_ctx *ctx;
	plan pl;

	if (size < CONTROL_BYTES)
		return 0;
	memcpy(control, data, CONTROL_BYTES);
	data += CONTROL_BYTES;
	size -= CONTROL_BYTES;

	ctx = fuzz_ctx_new(&alloc);

	setup(&whole, ctx, &alloc, control, &custom);
	memset(&pl, 0, sizeof(pl));
	pl.whole = 1;
	run(&whole, &pl, data, size);

	setup(&pieces, ctx, &alloc, control, &custom);
	pl.whole = 0;
	pl.mode = control[2] & 3;
	pl.rng = ((uint32_t)control[2] << 8 | control[3]) * 2654435761u + 1u;
	run(&pieces, &pl, data, size);

	if (whole.log.len != pieces.log.len || memcmp(whole.log.data, pieces.log.data, whole.log.len) != 0) {
		fprintf(stderr, "--- fed whole:\n%s--- fed in pieces (mode %u):\n%s", whole.log.data,
		        (unsigned)(control[2] & 3), pieces.log.data);
		fuzz_fail("event logs differ between whole and chunked feeding", __FILE__, __LINE__);
	}
	if (getenv("XMPPC_FUZZ_DEBUG") != NULL)
		fprintf(stderr, "%s", whole.log.data);
	free(whole.log.data);
	free(pieces.log.data);

	if (control[0] & 4) {
		/* Once more with one allocation failing: no crash, no leak, and
		 * the invariants that do not depend on memory still hold. */
		run_state st;
		setup(&st, ctx, &alloc, control, &custom);
		st.may_fail_alloc = 1;
		pl.whole = 0;
		pl.mode = control[2] & 3;
		pl.rng = (uint32_t)control[3] * 2246822519u + 7u;
		fuzz_alloc_fail_in(&alloc, 1 + (long)control[3] + 256L * ((control[1] >> 4) & 3));
		run(&st, &pl, data, size);
		free(st.log.data);
		alloc.fail_at = 0;
	}

	fuzz_ctx_done(ctx, &alloc);
	return 0;
}
