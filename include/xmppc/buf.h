/**
 * @file buf.h
 * @brief Growable byte buffer; strings the library makes come back in one.
 */
#ifndef XMPPC_BUF_H
#define XMPPC_BUF_H

#include <xmppc/ctx.h>

XMPPC_BEGIN_DECLS

/** Opaque growable buffer. Its contents are always NUL-terminated. */
typedef struct xmppc_buf xmppc_buf;

/**
 * Create an empty buffer.
 *
 * @param[out] out receives the buffer; free it with xmppc_buf_free().
 * @param ctx context whose allocator is used (a reference is held).
 * @return 0, #XMPPC_EINVAL or #XMPPC_ENOMEM.
 */
XMPPC_API int xmppc_buf_new(xmppc_buf **out, xmppc_ctx *ctx);

/** Free a buffer and its contents. NULL is allowed. */
XMPPC_API void xmppc_buf_free(xmppc_buf *buf);

/**
 * The contents. Always NUL-terminated (the NUL is not counted in the
 * length), so text can be used as a C string.
 *
 * @return a pointer owned by the buffer, valid until the next call that
 *         changes it; "" for an empty buffer or NULL @p buf.
 */
XMPPC_API const char *xmppc_buf_data(const xmppc_buf *buf);

/** Length of the contents in bytes (0 for NULL). */
XMPPC_API size_t xmppc_buf_len(const xmppc_buf *buf);

/**
 * Append bytes.
 *
 * @return 0, #XMPPC_EINVAL (buf NULL, or data NULL with len > 0) or
 *         #XMPPC_ENOMEM (the buffer is then unchanged).
 */
XMPPC_API int xmppc_buf_append(xmppc_buf *buf, const void *data, size_t len);

/**
 * Ensure room for @p additional more bytes without reallocation.
 *
 * @return 0, #XMPPC_EINVAL, or #XMPPC_ENOMEM (buffer unchanged).
 */
XMPPC_API int xmppc_buf_reserve(xmppc_buf *buf, size_t additional);

/**
 * Remove the first @p n bytes (all of them if @p n exceeds the length).
 *
 * @return 0 or #XMPPC_EINVAL.
 */
XMPPC_API int xmppc_buf_consume(xmppc_buf *buf, size_t n);

/** Empty the buffer, keeping its memory. NULL is allowed. */
XMPPC_API void xmppc_buf_clear(xmppc_buf *buf);

XMPPC_END_DECLS

#endif /* XMPPC_BUF_H */
