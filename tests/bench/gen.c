/* Deterministic XMPP chat stream generator (see gen.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

/* ---- buffer ---------------------------------------------------------------- */

void bench_buf_put(bench_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL) {
			fprintf(stderr, "bench: out of memory\n");
			abort();
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void bench_buf_puts(bench_buf *b, const char *s)
{
	bench_buf_put(b, s, strlen(s));
}

void bench_buf_free(bench_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---- PRNG (splitmix64) ----------------------------------------------------- */

static uint64_t next(gen *g)
{
	uint64_t z = (g->state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Uniform in [0, n) (n small; the modulo bias is irrelevant here). */
static unsigned below(gen *g, unsigned n)
{
	return (unsigned)((next(g) >> 11) % n);
}

#define PICK(g, arr) ((arr)[below((g), (unsigned)(sizeof(arr) / sizeof((arr)[0])))])

void gen_init(gen *g, uint64_t seed)
{
	g->state = seed;
	g->index = 0;
}

/* ---- vocabulary ------------------------------------------------------------ */

static const char *const localparts[] = {
	"alice", "juliet", "romeo", "mercutio", "benvolio", "nurse", "tybalt", "rosaline",
	"paris", "capulet", "montague", "escalus", "balthasar", "sampson", "gregory",
	"abraham", "peter", "friar.laurence", "friar.john", "apothecary", "lady.capulet",
	"lady.montague", "chorus", "page", "watchman", "musician", "citizen", "zoe",
	"hugo.b", "marta", "igor", "mei",
};
static const char *const domains[] = {
	"example.com", "example.org", "shakespeare.lit", "verona.example", "chat.example.net",
};
static const char *const resources[] = {
	"phone", "laptop", "desktop", "balcony", "orchard", "gajim", "conversations", "dino",
	"tablet", "work",
};

/* Our account: every message is addressed to it. */
#define ME_BARE "bob@example.net"
#define ME_FULL ME_BARE "/laptop-7f3a"

static const char *const words_en[] = {
	"hi", "hello", "hey", "yes", "no", "ok", "sure", "thanks", "the", "a", "and", "to",
	"of", "in", "is", "it", "you", "that", "we", "meet", "tomorrow", "tonight", "at",
	"lunch", "dinner", "call", "me", "later", "see", "you", "soon", "what", "about",
	"the", "meeting", "project", "deadline", "release", "build", "test", "failed",
	"passed", "again", "please", "review", "patch", "sounds", "good", "great", "fine",
	"sorry", "late", "train", "traffic", "weather", "coffee", "tea", "office", "home",
	"weekend", "plans", "maybe", "definitely", "link", "file", "photo", "here", "there",
	"running", "five", "minutes", "now", "really", "funny", "lol", "haha", "ok,", "well,",
	"so", "why", "how", "when", "where", "today", "yesterday", "Monday", "Friday",
};
static const char *const words_latin[] = {
	"café", "naïve", "déjà", "vu", "crème", "brûlée", "señor", "mañana", "Grüße",
	"schön", "Straße", "façade", "ça", "va?", "très", "bien", "Ærøskøbing", "smørrebrød",
	"Łódź", "Kraków", "žluťoučký", "kůň", "İstanbul", "ğüşöç", "São", "Paulo", "ação",
	"Ångström", "über", "jalapeño",
};
static const char *const words_cyrillic[] = {
	"привет", "как", "дела", "спасибо", "хорошо", "до", "завтра", "встреча", "сегодня",
	"пожалуйста", "да", "нет", "отлично", "Москва", "Київ", "дякую",
};
static const char *const words_cjk[] = {
	"你好", "谢谢", "明天见", "没问题", "今日は", "ありがとう", "また明日", "会議", "東京",
	"北京", "안녕하세요", "감사합니다", "좋아요", "午後三時",
};
static const char *const emoji[] = {
	"😀", "😂", "👍", "🎉", "❤️", "🙏", "😅", "🚀", "☕", "🍕", "🤔", "👋", "😉", "🔥",
	"✅", "🇫🇷",
};
/* Escaped form (as on the wire) and the text the parser must deliver. */
static const char *const escapes[][2] = {
	{"&amp;", "&"},
	{"R&amp;D", "R&D"},
	{"&lt;3", "<3"},
	{"a &gt; b", "a > b"},
	{"x&lt;y", "x<y"},
	{"-&gt;", "->"},
	{"&quot;quoted&quot;", "\"quoted\""},
	{"it&apos;s", "it's"},
	{"don&apos;t", "don't"},
	{"&lt;b&gt;bold&lt;/b&gt;", "<b>bold</b>"},
	{"Tom &amp; Jerry", "Tom & Jerry"},
	{"&apos;single&apos;", "'single'"},
};

/* ---- pieces ------------------------------------------------------------------ */

static void random_chars(gen *g, char *out, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet), i;

	for (i = 0; i < n; i++)
		out[i] = alphabet[below(g, (unsigned)k)];
	out[n] = '\0';
}

/* RFC 4122-shaped random id (36 characters). */
static void uuid(gen *g, char out[40])
{
	uint64_t a = next(g), b = next(g);

	snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
	         (unsigned)((a >> 16) & 0xFFFF), (unsigned)(a & 0xFFF),
	         (unsigned)(0x8000 | ((b >> 48) & 0x3FFF)),
	         (unsigned long long)(b & UINT64_C(0xFFFFFFFFFFFF)));
}

/* Append a token to the escaped (wire) body and the expected text. */
static void body_token(bench_buf *wire, char *text, size_t *tlen, size_t tcap, const char *w,
                       const char *t)
{
	size_t n = strlen(t);

	bench_buf_puts(wire, w);
	if (*tlen + n < tcap) {
		memcpy(text + *tlen, t, n);
		*tlen += n;
		text[*tlen] = '\0';
	}
}

/* Message body: mostly English words with accented Latin, Cyrillic, CJK,
 * emoji and the five escaped characters mixed in. Lengths are skewed to
 * short messages with a tail of longer ones. */
static void body(gen *g, bench_buf *wire, char *text, size_t *tlen, size_t tcap)
{
	unsigned target = 2 + below(g, 24) + (below(g, 5) == 0 ? below(g, 90) : 0);
	size_t start = wire->len;
	int first = 1;

	*tlen = 0;
	text[0] = '\0';
	while (wire->len - start < target) {
		unsigned r = below(g, 100);
		const char *w;

		if (!first)
			body_token(wire, text, tlen, tcap, " ", " ");
		first = 0;
		if (r < 58) {
			w = PICK(g, words_en);
		} else if (r < 70) {
			w = PICK(g, words_latin);
		} else if (r < 78) {
			w = PICK(g, words_cyrillic);
		} else if (r < 85) {
			w = PICK(g, words_cjk);
		} else if (r < 92) {
			w = PICK(g, emoji);
		} else {
			unsigned e = below(g, (unsigned)(sizeof(escapes) / sizeof(escapes[0])));
			body_token(wire, text, tlen, tcap, escapes[e][0], escapes[e][1]);
			continue;
		}
		body_token(wire, text, tlen, tcap, w, w);
	}
	if (below(g, 3) == 0) {
		static const char *const ends[] = {".", "!", "?", "!!", "...", " :)", " ;-)"};
		const char *e = PICK(g, ends);
		body_token(wire, text, tlen, tcap, e, e);
	}
}

/* ---- stream ------------------------------------------------------------------ */

void gen_header(bench_buf *out)
{
	bench_buf_puts(out, "<?xml version='1.0'?>"
	                    "<stream:stream xmlns='jabber:client' "
	                    "xmlns:stream='http://etherx.jabber.org/streams' "
	                    "from='example.net' to='" ME_BARE "' id='c2s-4a9e1b7d0f' "
	                    "version='1.0' xml:lang='en'>");
}

void gen_footer(bench_buf *out)
{
	bench_buf_puts(out, "</stream:stream>");
}

void gen_message(gen *g, bench_buf *out, gen_expect *exp)
{
	gen_expect local;
	gen_expect *e = exp != NULL ? exp : &local;
	char suffix[8];
	unsigned idlen = 6 + below(g, 11);

	random_chars(g, suffix, 4, "0123456789abcdef");
	snprintf(e->from, sizeof(e->from), "%s@%s/%s-%s", PICK(g, localparts), PICK(g, domains),
	         PICK(g, resources), suffix);
	snprintf(e->to, sizeof(e->to), "%s", ME_FULL);
	random_chars(g, e->id, idlen, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	uuid(g, e->origin_id);
	uuid(g, e->stanza_id);
	snprintf(e->by, sizeof(e->by), "%s", ME_BARE);

	bench_buf_puts(out, "<message from='");
	bench_buf_puts(out, e->from);
	bench_buf_puts(out, "' to='");
	bench_buf_puts(out, e->to);
	bench_buf_puts(out, "' type='chat' id='");
	bench_buf_puts(out, e->id);
	bench_buf_puts(out, "' xml:lang='en'><body>");
	body(g, out, e->body, &e->body_len, sizeof(e->body));
	bench_buf_puts(out, "</body><active xmlns='http://jabber.org/protocol/chatstates'/>"
	                    "<origin-id xmlns='urn:xmpp:sid:0' id='");
	bench_buf_puts(out, e->origin_id);
	bench_buf_puts(out, "'/><stanza-id xmlns='urn:xmpp:sid:0' by='");
	bench_buf_puts(out, e->by);
	bench_buf_puts(out, "' id='");
	bench_buf_puts(out, e->stanza_id);
	bench_buf_puts(out, "'/><request xmlns='urn:xmpp:receipts'/></message>");
	g->index++;
}
