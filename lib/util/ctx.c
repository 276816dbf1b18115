/* Library context: allocator, log and clock hooks shared by every object. */
#include "util/ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/random.h"
#include <time.h>

#include "config.h"
#include <xmppc/error.h>

static void *libc_malloc(void *ud, size_t size)
{
	(void)ud;
	return malloc(size);
}

static void *libc_realloc(void *ud, void *ptr, size_t size)
{
	(void)ud;
	return realloc(ptr, size);
}

static void libc_free(void *ud, void *ptr)
{
	(void)ud;
	free(ptr);
}

static uint64_t default_clock(void *ud)
{
	struct timespec ts;
	(void)ud;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

XMPPC_API const char *xmppc_version(void)
{
	return XMPPC_VERSION_STRING;
}

XMPPC_API int xmppc_ctx_new(xmppc_ctx **out, const xmppc_allocator *alloc)
{
	xmppc_allocator a = {XMPPC_ALLOCATOR_VERSION, libc_malloc, libc_realloc, libc_free, NULL};
	xmppc_ctx *ctx;

	if (out == NULL)
		return XMPPC_EINVAL;
	if (alloc != NULL) {
		if (alloc->version != XMPPC_ALLOCATOR_VERSION || alloc->malloc_fn == NULL ||
		    alloc->realloc_fn == NULL || alloc->free_fn == NULL)
			return XMPPC_EINVAL;
		a = *alloc;
	}
	ctx = a.malloc_fn(a.user_data, sizeof(*ctx));
	if (ctx == NULL)
		return XMPPC_ENOMEM;
	memset(ctx, 0, sizeof(*ctx));
	ctx->refs = 1;
	ctx->alloc = a;
	ctx->clock_fn = default_clock;
	*out = ctx;
	return 0;
}

XMPPC_API xmppc_ctx *xmppc_ctx_ref(xmppc_ctx *ctx)
{
	if (ctx != NULL)
		__atomic_add_fetch(&ctx->refs, 1, __ATOMIC_RELAXED);
	return ctx;
}

XMPPC_API xmppc_ctx *xmppc_ctx_unref(xmppc_ctx *ctx)
{
	if (ctx == NULL || __atomic_sub_fetch(&ctx->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return ctx;
	if (ctx->log_destroy != NULL)
		ctx->log_destroy(ctx->log_ud);
	if (ctx->clock_destroy != NULL)
		ctx->clock_destroy(ctx->clock_ud);
	if (ctx->trace_destroy != NULL)
		ctx->trace_destroy(ctx->trace_ud);
	if (ctx->providers != NULL)
		xmppc__providers_free(ctx);
	ctx->alloc.free_fn(ctx->alloc.user_data, ctx);
	return NULL;
}

XMPPC_API int xmppc_ctx_set_log(xmppc_ctx *ctx, xmppc_log_level max_level, xmppc_log_fn fn,
                                void *user_data, void (*destroy)(void *))
{
	if (ctx == NULL || (int)max_level < XMPPC_LOG_NONE || max_level > XMPPC_LOG_TRACE)
		return XMPPC_EINVAL;
	if (ctx->log_destroy != NULL)
		ctx->log_destroy(ctx->log_ud);
	ctx->log_level = fn != NULL ? max_level : XMPPC_LOG_NONE;
	ctx->log_fn = fn;
	ctx->log_ud = user_data;
	ctx->log_destroy = destroy;
	return 0;
}

XMPPC_API int xmppc_ctx_set_clock(xmppc_ctx *ctx, xmppc_clock_fn fn, void *user_data,
                                  void (*destroy)(void *))
{
	if (ctx == NULL)
		return XMPPC_EINVAL;
	if (ctx->clock_destroy != NULL)
		ctx->clock_destroy(ctx->clock_ud);
	ctx->clock_fn = fn != NULL ? fn : default_clock;
	ctx->clock_ud = fn != NULL ? user_data : NULL;
	ctx->clock_destroy = fn != NULL ? destroy : NULL;
	return 0;
}

XMPPC_API int xmppc_ctx_set_trace(xmppc_ctx *ctx, xmppc_trace_fn fn, void *user_data,
                                  void (*destroy)(void *))
{
	if (ctx == NULL)
		return XMPPC_EINVAL;
	if (ctx->trace_destroy != NULL)
		ctx->trace_destroy(ctx->trace_ud);
	ctx->trace_fn = fn;
	ctx->trace_ud = fn != NULL ? user_data : NULL;
	ctx->trace_destroy = fn != NULL ? destroy : NULL;
	return 0;
}

XMPPC_API uint64_t xmppc_ctx_now(const xmppc_ctx *ctx)
{
	return ctx != NULL ? ctx->clock_fn(ctx->clock_ud) : 0;
}

void *xmppc__malloc(const xmppc_ctx *ctx, size_t size)
{
	return ctx->alloc.malloc_fn(ctx->alloc.user_data, size);
}

void *xmppc__calloc(const xmppc_ctx *ctx, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	p = ctx->alloc.malloc_fn(ctx->alloc.user_data, n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

void *xmppc__realloc(const xmppc_ctx *ctx, void *ptr, size_t size)
{
	return ctx->alloc.realloc_fn(ctx->alloc.user_data, ptr, size);
}

void xmppc__free(const xmppc_ctx *ctx, void *ptr)
{
	if (ptr != NULL)
		ctx->alloc.free_fn(ctx->alloc.user_data, ptr);
}

char *xmppc__strndup(const xmppc_ctx *ctx, const char *s, size_t len)
{
	char *p = xmppc__malloc(ctx, len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

void xmppc__log_write(const xmppc_ctx *ctx, xmppc_log_level level, const char *area,
                      const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_ud, level, area, msg);
}

/* ---- the public allocation functions (ctx.h) ---- */

XMPPC_API void *xmppc_malloc(const xmppc_ctx *ctx, size_t size)
{
	return ctx != NULL ? xmppc__malloc(ctx, size) : NULL;
}

XMPPC_API void *xmppc_calloc(const xmppc_ctx *ctx, size_t n, size_t size)
{
	return ctx != NULL ? xmppc__calloc(ctx, n, size) : NULL;
}

XMPPC_API void *xmppc_realloc(const xmppc_ctx *ctx, void *ptr, size_t size)
{
	return ctx != NULL ? xmppc__realloc(ctx, ptr, size) : NULL;
}

XMPPC_API void xmppc_free(const xmppc_ctx *ctx, void *ptr)
{
	if (ctx != NULL)
		xmppc__free(ctx, ptr);
}

XMPPC_API char *xmppc_strdup(const xmppc_ctx *ctx, const char *s)
{
	return ctx != NULL && s != NULL ? xmppc__strndup(ctx, s, strlen(s)) : NULL;
}

XMPPC_API void xmppc_ctx_log(const xmppc_ctx *ctx, xmppc_log_level level, const char *area,
                             const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (ctx == NULL || ctx->log_fn == NULL || level > ctx->log_level || fmt == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_ud, level, area != NULL ? area : "app", msg);
}

XMPPC_API int xmppc_random_id(char *out, size_t cap)
{
	if (out == NULL || cap < XMPPC__ID_LEN + 1)
		return XMPPC_EINVAL;
	return xmppc__id_generate(out);
}
