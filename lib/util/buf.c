/* Growable buffer with cheap consumption from the front (output queues). */
#include "util/buf.h"

#include "util/ctx.h"

void xmppc__buf_init(xmppc_buf *buf, const xmppc_ctx *ctx)
{
	memset(buf, 0, sizeof(*buf));
	buf->ctx = ctx;
}

void xmppc__buf_fini(xmppc_buf *buf)
{
	xmppc__free(buf->ctx, buf->data);
	buf->data = NULL;
	buf->off = buf->len = buf->cap = 0;
}

int xmppc__buf_grow(xmppc_buf *buf, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > SIZE_MAX / 2 - buf->len)
		return XMPPC_ENOMEM;
	need = buf->len + n + 1;
	/* Reclaim consumed space before asking for more memory. */
	if (buf->off > 0 && need <= buf->cap) {
		memmove(buf->data, buf->data + buf->off, buf->len + 1);
		buf->off = 0;
		return 0;
	}
	cap = buf->cap != 0 ? buf->cap : 64;
	while (cap < need)
		cap *= 2;
	if (buf->off > 0) {
		p = xmppc__malloc(buf->ctx, cap);
		if (p == NULL)
			return XMPPC_ENOMEM;
		memcpy(p, buf->data + buf->off, buf->len + 1);
		xmppc__free(buf->ctx, buf->data);
	} else {
		p = xmppc__realloc(buf->ctx, buf->data, cap);
		if (p == NULL)
			return XMPPC_ENOMEM;
		if (buf->data == NULL)
			p[0] = '\0';
	}
	buf->data = p;
	buf->off = 0;
	buf->cap = cap;
	return 0;
}

XMPPC_API int xmppc_buf_new(xmppc_buf **out, xmppc_ctx *ctx)
{
	xmppc_buf *buf;

	if (out == NULL || ctx == NULL)
		return XMPPC_EINVAL;
	buf = xmppc__malloc(ctx, sizeof(*buf));
	if (buf == NULL)
		return XMPPC_ENOMEM;
	xmppc__buf_init(buf, xmppc_ctx_ref(ctx));
	buf->holds_ref = 1;
	*out = buf;
	return 0;
}

XMPPC_API void xmppc_buf_free(xmppc_buf *buf)
{
	xmppc_ctx *ctx;

	if (buf == NULL)
		return;
	ctx = (xmppc_ctx *)buf->ctx;
	xmppc__buf_fini(buf);
	if (buf->holds_ref) {
		xmppc__free(ctx, buf);
		xmppc_ctx_unref(ctx);
	}
}

XMPPC_API const char *xmppc_buf_data(const xmppc_buf *buf)
{
	if (buf == NULL || buf->data == NULL)
		return "";
	return buf->data + buf->off;
}

XMPPC_API size_t xmppc_buf_len(const xmppc_buf *buf)
{
	return buf != NULL ? buf->len : 0;
}

XMPPC_API int xmppc_buf_append(xmppc_buf *buf, const void *data, size_t len)
{
	if (buf == NULL || (data == NULL && len > 0))
		return XMPPC_EINVAL;
	if (len == 0)
		return 0;
	return xmppc__buf_put(buf, data, len);
}

XMPPC_API int xmppc_buf_reserve(xmppc_buf *buf, size_t additional)
{
	if (buf == NULL)
		return XMPPC_EINVAL;
	if (buf->off + buf->len + additional < buf->cap)
		return 0;
	return xmppc__buf_grow(buf, additional);
}

XMPPC_API int xmppc_buf_consume(xmppc_buf *buf, size_t n)
{
	if (buf == NULL)
		return XMPPC_EINVAL;
	if (n >= buf->len) {
		xmppc_buf_clear(buf);
		return 0;
	}
	buf->off += n;
	buf->len -= n;
	return 0;
}

XMPPC_API void xmppc_buf_clear(xmppc_buf *buf)
{
	if (buf == NULL)
		return;
	buf->off = 0;
	buf->len = 0;
	if (buf->data != NULL)
		buf->data[0] = '\0';
}
