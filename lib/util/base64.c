#include "util/base64.h"

#include "util/buf.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int xmppc__base64_encode(xmppc_buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i, o;
	char *dst;
	int rc;

	if (len > (SIZE_MAX / 4) * 3 - 3)
		return XMPPC_ENOMEM;
	rc = xmppc_buf_reserve(out, (len + 2) / 3 * 4);
	if (rc != 0)
		return rc;
	dst = out->data + out->off + out->len;
	for (i = 0, o = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		dst[o++] = alphabet[v >> 18];
		dst[o++] = alphabet[(v >> 12) & 63];
		dst[o++] = alphabet[(v >> 6) & 63];
		dst[o++] = alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
		dst[o++] = alphabet[v >> 18];
		dst[o++] = alphabet[(v >> 12) & 63];
		dst[o++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		dst[o++] = '=';
	}
	out->len += o;
	dst[o] = '\0';
	return 0;
}

static int value_of(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int xmppc__base64_decode(xmppc_buf *out, const char *in, size_t len)
{
	size_t i, o, pad = 0;
	char *dst;
	int rc;

	if (len % 4 != 0)
		return XMPPC_EBASE64;
	if (len > 0 && in[len - 1] == '=')
		pad = (len > 1 && in[len - 2] == '=') ? 2 : 1;
	rc = xmppc_buf_reserve(out, len / 4 * 3);
	if (rc != 0)
		return rc;
	dst = out->data + out->off + out->len;
	for (i = 0, o = 0; i < len; i += 4) {
		int last = i + 4 == len;
		int v0 = value_of((unsigned char)in[i]), v1 = value_of((unsigned char)in[i + 1]);
		int v2 = (last && pad == 2) ? 0 : value_of((unsigned char)in[i + 2]);
		int v3 = (last && pad >= 1) ? 0 : value_of((unsigned char)in[i + 3]);
		uint32_t v;

		if (v0 < 0 || v1 < 0 || v2 < 0 || v3 < 0)
			return XMPPC_EBASE64;
		v = (uint32_t)v0 << 18 | (uint32_t)v1 << 12 | (uint32_t)v2 << 6 | (uint32_t)v3;
		/* Non-canonical encodings (bits set under the padding) are refused. */
		if (last && ((pad == 2 && (v & 0xFFFF)) || (pad == 1 && (v & 0xFF))))
			return XMPPC_EBASE64;
		dst[o++] = (char)(v >> 16);
		if (!(last && pad == 2))
			dst[o++] = (char)(v >> 8);
		if (!(last && pad >= 1))
			dst[o++] = (char)v;
	}
	out->len += o;
	dst[o] = '\0';
	return 0;
}
