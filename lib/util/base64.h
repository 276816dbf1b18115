/* Base64 (RFC 4648 §4). Decoding is strict, as RFC 6120 §6.4.2 asks for
 * SASL data: no whitespace, correct padding, zero trailing bits. */
#ifndef XMPPC_UTIL_BASE64_H
#define XMPPC_UTIL_BASE64_H

#include <xmppc/buf.h>

/* Append the encoding of data to out. 0 or XMPPC_ENOMEM. */
int xmppc__base64_encode(xmppc_buf *out, const void *data, size_t len);
/* Append the decoded bytes to out. 0, XMPPC_EBASE64 (out unchanged) or
 * XMPPC_ENOMEM. */
int xmppc__base64_decode(xmppc_buf *out, const char *in, size_t len);

#endif
