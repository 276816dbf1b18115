/* Internal view of xmppc_ctx: allocation and logging helpers for all modules. */
#ifndef XMPPC_UTIL_CTX_H
#define XMPPC_UTIL_CTX_H

#include <stdarg.h>
#include <xmppc/ctx.h>

struct xmppc_ctx {
	unsigned refs; /* atomic */
	xmppc_allocator alloc;
	xmppc_log_level log_level;
	xmppc_log_fn log_fn;
	void *log_ud;
	void (*log_destroy)(void *);
	xmppc_clock_fn clock_fn;
	void *clock_ud;
	void (*clock_destroy)(void *);
	void *providers; /* xmppc__hash of extension providers (lib/xml/extension.c) */
	xmppc_trace_fn trace_fn;
	void *trace_ud;
	void (*trace_destroy)(void *);
};

/* Free the provider registry (lib/xml/extension.c). */
void xmppc__providers_free(xmppc_ctx *ctx);

void *xmppc__malloc(const xmppc_ctx *ctx, size_t size);
void *xmppc__calloc(const xmppc_ctx *ctx, size_t n, size_t size);
void *xmppc__realloc(const xmppc_ctx *ctx, void *ptr, size_t size);
void xmppc__free(const xmppc_ctx *ctx, void *ptr);
char *xmppc__strndup(const xmppc_ctx *ctx, const char *s, size_t len);

/* The earlier of two deadlines on the context's clock; 0 means none. */
static inline uint64_t xmppc__deadline_min(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

void xmppc__log_write(const xmppc_ctx *ctx, xmppc_log_level level, const char *area,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The level test comes first so that no argument is formatted (or even
 * evaluated) for a level that is off. */
#define XMPPC_LOG(ctx, level, area, ...)                                                      \
	do {                                                                                  \
		if ((ctx) != NULL && (ctx)->log_fn != NULL && (level) <= (ctx)->log_level)    \
			xmppc__log_write((ctx), (level), (area), __VA_ARGS__);                \
	} while (0)

#endif
