/* Internal layout of xmppc_buf so other modules can embed one and append
 * without a function call per byte. */
#ifndef XMPPC_UTIL_BUF_H
#define XMPPC_UTIL_BUF_H

#include <string.h>
#include <xmppc/buf.h>
#include <xmppc/error.h>

struct xmppc_buf {
	const xmppc_ctx *ctx;
	char *data; /* data[off .. off+len) is the content; data[off+len] == '\0' */
	size_t off;
	size_t len;
	size_t cap; /* allocated bytes, including room for the NUL */
	int holds_ref; /* made by xmppc_buf_new(): holds a ctx reference */
};

/* An embedded buffer borrows ctx (its owner keeps the ctx alive). */
void xmppc__buf_init(xmppc_buf *buf, const xmppc_ctx *ctx);
void xmppc__buf_fini(xmppc_buf *buf);
/* Slow path: make room for n more bytes (plus the NUL). */
int xmppc__buf_grow(xmppc_buf *buf, size_t n);

static inline int xmppc__buf_put(xmppc_buf *buf, const void *p, size_t n)
{
	if (buf->off + buf->len + n >= buf->cap) {
		int rc = xmppc__buf_grow(buf, n);
		if (rc != 0)
			return rc;
	}
	memcpy(buf->data + buf->off + buf->len, p, n);
	buf->len += n;
	buf->data[buf->off + buf->len] = '\0';
	return 0;
}

static inline int xmppc__buf_putc(xmppc_buf *buf, char c)
{
	return xmppc__buf_put(buf, &c, 1);
}

static inline int xmppc__buf_puts(xmppc_buf *buf, const char *s)
{
	return xmppc__buf_put(buf, s, strlen(s));
}

#endif
