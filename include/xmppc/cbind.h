/**
 * @file cbind.h
 * @brief TLS channel-binding types (RFC 5929, RFC 9266) for SCRAM -PLUS.
 */
#ifndef XMPPC_CBIND_H
#define XMPPC_CBIND_H

#include <xmppc/common.h>

XMPPC_BEGIN_DECLS

/** A TLS channel-binding type. */
typedef enum xmppc_cb_type {
	XMPPC_CB_NONE = 0,                 /**< no channel binding */
	XMPPC_CB_TLS_UNIQUE = 1,           /**< "tls-unique" (RFC 5929 §3; TLS 1.2 and earlier only) */
	XMPPC_CB_TLS_SERVER_END_POINT = 2, /**< "tls-server-end-point" (RFC 5929 §4) */
	XMPPC_CB_TLS_EXPORTER = 3          /**< "tls-exporter" (RFC 9266; TLS 1.3) */
} xmppc_cb_type;

/** Number of #xmppc_cb_type values, NONE included. */
#define XMPPC_CB_TYPE_COUNT 4

/** Wire name of a channel-binding type ("tls-exporter"), or NULL for NONE/unknown. */
XMPPC_API const char *xmppc_cb_type_name(xmppc_cb_type type);

/** The type named @p name (need not be NUL-terminated), or #XMPPC_CB_NONE if unknown. */
XMPPC_API xmppc_cb_type xmppc_cb_type_from_name(const char *name, size_t len);

XMPPC_END_DECLS

#endif /* XMPPC_CBIND_H */
