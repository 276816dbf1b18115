/**
 * @file ctx.h
 * @brief The library context: allocator, logging and clock hooks.
 *
 * Every xmppc object is created from an #xmppc_ctx and holds a reference to
 * it, so the context lives as long as anything made from it. A context may
 * be shared by objects used on different threads; its hooks must then be
 * thread-safe, and its setters must be called before it is shared.
 */
#ifndef XMPPC_CTX_H
#define XMPPC_CTX_H

#include <xmppc/common.h>

XMPPC_BEGIN_DECLS

/** Opaque, reference-counted library context. */
typedef struct xmppc_ctx xmppc_ctx;

/** Version of #xmppc_allocator understood by this library. */
#define XMPPC_ALLOCATOR_VERSION 1u

/**
 * Memory allocator hook. All three functions are required. They follow the
 * contracts of malloc, realloc and free (realloc with a NULL pointer
 * allocates; free with NULL does nothing).
 */
typedef struct xmppc_allocator {
	unsigned version; /**< set to #XMPPC_ALLOCATOR_VERSION */
	/** Allocate @p size bytes; NULL on failure. */
	void *(*malloc_fn)(void *user_data, size_t size);
	/** Resize @p ptr (NULL: allocate); NULL on failure, leaving @p ptr intact. */
	void *(*realloc_fn)(void *user_data, void *ptr, size_t size);
	/** Release @p ptr (NULL: nothing to do). */
	void (*free_fn)(void *user_data, void *ptr);
	void *user_data; /**< passed to each function; owned by the caller */
} xmppc_allocator;

/** Log levels, from most to least severe. */
typedef enum xmppc_log_level {
	XMPPC_LOG_NONE = 0,  /**< as a threshold: log nothing */
	XMPPC_LOG_ERROR = 1,
	XMPPC_LOG_WARN = 2,
	XMPPC_LOG_INFO = 3,
	XMPPC_LOG_DEBUG = 4,
	XMPPC_LOG_TRACE = 5
} xmppc_log_level;

/**
 * Log hook.
 *
 * @param user_data as given to xmppc_ctx_set_log().
 * @param level severity of the message.
 * @param area the module that logged, e.g. "xml", "jid", "session".
 * @param message the text, without a trailing newline; valid only during
 *        the call.
 */
typedef void (*xmppc_log_fn)(void *user_data, xmppc_log_level level, const char *area,
                             const char *message);

/**
 * Monotonic clock hook.
 *
 * @return milliseconds since an arbitrary fixed point; never decreasing.
 */
typedef uint64_t (*xmppc_clock_fn)(void *user_data);

/**
 * Create a context.
 *
 * @param[out] out receives the new context (reference count 1); the
 *        caller owns it and releases it with xmppc_ctx_unref().
 * @param alloc allocator to use for everything made from this context, or
 *        NULL for the C library's. Copied; its user_data must outlive the
 *        context.
 * @return 0, #XMPPC_EINVAL (out NULL, or alloc with a wrong version or a
 *         missing function), or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_ctx_new(xmppc_ctx **out, const xmppc_allocator *alloc);

/**
 * Take a reference. Thread-safe.
 *
 * @return @p ctx.
 */
XMPPC_API xmppc_ctx *xmppc_ctx_ref(xmppc_ctx *ctx);

/**
 * Drop a reference; the context is freed (and the destroy functions of its
 * hooks called) when the last one goes. Thread-safe.
 *
 * @return NULL if this call freed the context, otherwise @p ctx.
 */
XMPPC_API xmppc_ctx *xmppc_ctx_unref(xmppc_ctx *ctx);

/**
 * Set the log hook and threshold. Messages above @p max_level are not
 * formatted at all.
 *
 * @param ctx the context.
 * @param max_level the least severe level passed to @p fn.
 * @param fn the hook, or NULL to log nothing.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data when the hook is replaced or the
 *        context freed; may be NULL.
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_ctx_set_log(xmppc_ctx *ctx, xmppc_log_level max_level, xmppc_log_fn fn,
                                void *user_data, void (*destroy)(void *user_data));

/**
 * Set the monotonic clock. The default reads CLOCK_MONOTONIC. Tests set a
 * fake clock to drive timeouts deterministically.
 *
 * @param ctx the context.
 * @param fn the clock, or NULL to restore the default.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data when replaced or freed; may be NULL.
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_ctx_set_clock(xmppc_ctx *ctx, xmppc_clock_fn fn, void *user_data,
                                  void (*destroy)(void *user_data));

/** Direction of traced bytes. */
typedef enum xmppc_trace_dir {
	XMPPC_TRACE_IN = 0, /**< received from the server */
	XMPPC_TRACE_OUT = 1 /**< sent to the server */
} xmppc_trace_dir;

/**
 * Wire trace hook: sees the XML bytes in and out of every session made
 * from the context (plaintext, after TLS), for debug consoles. SASL
 * payloads are replaced by "[redacted]", so no password, proof or
 * signature reaches it.
 *
 * @param user_data as given to xmppc_ctx_set_trace().
 * @param dir direction.
 * @param data the bytes (not NUL-terminated); valid during the call.
 * @param len their number.
 */
typedef void (*xmppc_trace_fn)(void *user_data, xmppc_trace_dir dir, const char *data, size_t len);

/**
 * Set the wire trace hook.
 *
 * @param ctx the context.
 * @param fn the hook, or NULL for none.
 * @param user_data passed to @p fn.
 * @param destroy called with @p user_data when replaced or freed; may be NULL.
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_ctx_set_trace(xmppc_ctx *ctx, xmppc_trace_fn fn, void *user_data,
                                  void (*destroy)(void *user_data));

/**
 * Read the context's clock.
 *
 * @return milliseconds from the clock hook (0 if @p ctx is NULL).
 */
XMPPC_API uint64_t xmppc_ctx_now(const xmppc_ctx *ctx);

/**
 * Log through the context's log hook (for modules and applications that
 * share it). Nothing is formatted when @p level is above the threshold.
 *
 * @param ctx the context (NULL: nothing).
 * @param level the message's level.
 * @param area a short subsystem name, e.g. "carbons".
 * @param fmt printf format, then its arguments.
 */
XMPPC_API void xmppc_ctx_log(const xmppc_ctx *ctx, xmppc_log_level level, const char *area,
                             const char *fmt, ...) XMPPC_PRINTF(4, 5);

/**
 * A fresh unguessable identifier (stanza ids, origin-ids): URL-safe
 * base64 of random bytes from the library's CSPRNG.
 *
 * @param[out] out receives the id, NUL-terminated.
 * @param cap size of @p out; at least #XMPPC_ID_SIZE.
 * @return 0, #XMPPC_EINVAL (@p cap too small) or #XMPPC_ECRYPTO.
 */
XMPPC_API int xmppc_random_id(char *out, size_t cap);

/**
 * @name Allocation through the context's allocator
 * For modules and applications that want their memory counted and
 * limited with the library's (the allocator given to xmppc_ctx_new()).
 * Memory from these functions is freed with xmppc_free() on the same
 * context.
 */
/**@{*/
/** Allocate @p size bytes; NULL on failure (or @p ctx NULL). */
XMPPC_API void *xmppc_malloc(const xmppc_ctx *ctx, size_t size);
/** Allocate @p n zeroed elements of @p size bytes; NULL on failure or overflow. */
XMPPC_API void *xmppc_calloc(const xmppc_ctx *ctx, size_t n, size_t size);
/** Resize @p ptr (NULL: allocate); NULL on failure (@p ptr is then unchanged). */
XMPPC_API void *xmppc_realloc(const xmppc_ctx *ctx, void *ptr, size_t size);
/** Free memory from the functions above; NULL is allowed. */
XMPPC_API void xmppc_free(const xmppc_ctx *ctx, void *ptr);
/** A copy of the NUL-terminated @p s (NULL for NULL or on failure). */
XMPPC_API char *xmppc_strdup(const xmppc_ctx *ctx, const char *s);
/**@}*/

XMPPC_END_DECLS

#endif /* XMPPC_CTX_H */
