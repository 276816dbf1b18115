/**
 * @file error.h
 * @brief Error codes, RFC 6120 stream-error conditions and their names.
 *
 * Every fallible xmppc function returns an `int`: 0 (#XMPPC_OK) or one of
 * the negative #xmppc_error codes below. Some functions return a positive
 * value to signal a documented non-error outcome (for example
 * #XMPPC_PARSER_PAUSED).
 *
 * Codes are grouped by area: general (-1 to -99), XML (-100 to -199),
 * JID and PRECIS (-200 to -299), stream and session (-300 to -399),
 * authentication (-400 to -499), TLS (-500 to -599), DNS resolution
 * (-600 to -699). Later areas follow the same pattern. xmppc_is_fatal()
 * tells whether an error ends the stream (or connection attempt) it
 * occurred on.
 */
#ifndef XMPPC_ERROR_H
#define XMPPC_ERROR_H

#include <xmppc/common.h>

XMPPC_BEGIN_DECLS

/** Error codes returned (negated) by xmppc functions. */
typedef enum xmppc_error {
	XMPPC_OK = 0, /**< success */

	/* general */
	XMPPC_EINVAL = -1,       /**< an argument is invalid (NULL, empty, out of range) */
	XMPPC_ENOMEM = -2,       /**< an allocation failed */
	XMPPC_ERECURSIVE = -3,   /**< called from inside a callback of the same object */
	XMPPC_ENOTFOUND = -4,    /**< the item asked for does not exist */
	XMPPC_EEXIST = -5,       /**< the item exists already */
	XMPPC_ESTATE = -6,       /**< the object is not in a state that allows this call */
	XMPPC_EAGAIN = -7,       /**< no progress possible now; try again later */
	XMPPC_ERANGE = -8,       /**< a size or count exceeds what is allowed */
	XMPPC_EUNSUPPORTED = -9, /**< not supported by this build or peer */
	XMPPC_EINTERNAL = -10,   /**< an internal invariant failed (a bug: please report) */
	XMPPC_EBASE64 = -11,     /**< malformed base64 input */
	XMPPC_ECRYPTO = -12,     /**< the crypto backend (GnuTLS) failed */
	XMPPC_EINVALID_NAME = -13, /**< not a valid XML name (element or attribute) */
	XMPPC_ESYSTEM = -14,     /**< an operating-system call failed (socket, epoll, eventfd, ...; see the log) */

	/* XML: malformed or hostile input; all end the stream (fatal) */
	XMPPC_EXML_NOT_WELL_FORMED = -100,  /**< XML well-formedness violated */
	XMPPC_EXML_RESTRICTED = -101,       /**< DTD, comment, processing instruction or non-predefined entity (RFC 6120 §11.1) */
	XMPPC_EXML_INVALID_UTF8 = -102,     /**< invalid, overlong or surrogate UTF-8 sequence */
	XMPPC_EXML_INVALID_CHAR = -103,     /**< a character not allowed in XML (NUL, C0 control, U+FFFE, U+FFFF) */
	XMPPC_EXML_UNSUPPORTED_ENCODING = -104, /**< encoding other than UTF-8 declared, or a UTF-16/32 byte order mark */
	XMPPC_EXML_UNSUPPORTED_VERSION = -105,  /**< XML declaration with a version other than 1.0 */
	XMPPC_EXML_BAD_PREFIX = -106,       /**< a namespace prefix that is not bound */
	XMPPC_EXML_DUPLICATE_ATTR = -107,   /**< two attributes with the same (namespace, name) */
	XMPPC_EXML_INVALID_NAMESPACE = -108,/**< stream root not `stream` in the streams namespace */
	XMPPC_EXML_DEPTH_LIMIT = -109,      /**< element nesting deeper than the configured limit */
	XMPPC_EXML_SIZE_LIMIT = -110,       /**< a stanza larger than the configured byte limit */
	XMPPC_EXML_ATTR_LIMIT = -111,       /**< more attributes on an element than allowed */
	XMPPC_EXML_ELEMENT_LIMIT = -112,    /**< more elements in one stanza than allowed */
	XMPPC_EXML_TEXT_AT_TOP = -113,      /**< non-whitespace text directly inside the stream element */
	XMPPC_EXML_NAME_LIMIT = -114,       /**< too many distinct names/namespaces in one stream */

	/* JID (RFC 7622) */
	XMPPC_EJID_EMPTY = -200,             /**< the JID is empty */
	XMPPC_EJID_EMPTY_LOCAL = -201,       /**< '@' with nothing before it */
	XMPPC_EJID_EMPTY_DOMAIN = -202,      /**< no domainpart */
	XMPPC_EJID_EMPTY_RESOURCE = -203,    /**< '/' with nothing after it */
	XMPPC_EJID_INVALID_LOCAL = -204,     /**< localpart fails PRECIS UsernameCaseMapped or RFC 7622 rules */
	XMPPC_EJID_INVALID_DOMAIN = -205,    /**< domainpart is not a valid IDNA2008 name or IP literal */
	XMPPC_EJID_INVALID_RESOURCE = -206,  /**< resourcepart fails PRECIS OpaqueString */
	XMPPC_EJID_LOCAL_TOO_LONG = -207,    /**< localpart longer than 1023 bytes */
	XMPPC_EJID_DOMAIN_TOO_LONG = -208,   /**< domainpart longer than 1023 bytes */
	XMPPC_EJID_RESOURCE_TOO_LONG = -209, /**< resourcepart longer than 1023 bytes */
	XMPPC_EJID_INVALID_UTF8 = -210,      /**< the input is not valid UTF-8 */

	/* PRECIS (RFC 8264, 8265, 8266) string preparation */
	XMPPC_EPRECIS_DISALLOWED = -220,     /**< a code point the profile does not allow (or unassigned) */
	XMPPC_EPRECIS_CONTEXT = -221,        /**< a CONTEXTJ/CONTEXTO code point in a context that forbids it */
	XMPPC_EPRECIS_BIDI = -222,           /**< the string fails the Bidi Rule (RFC 5893) */
	XMPPC_EPRECIS_EMPTY = -223,          /**< the string is empty after enforcement */
	XMPPC_EPRECIS_INVALID_UTF8 = -224,   /**< the input is not valid UTF-8 */

	/* Stream and session (RFC 6120): all end the stream (fatal) */
	XMPPC_ESTREAM_ERROR = -300,      /**< the server sent a stream error (see the session's last error for the condition) */
	XMPPC_ETLS_REQUIRED = -301,      /**< TLS is required but the server does not offer STARTTLS */
	XMPPC_ETLS_FAILED = -302,        /**< the transport could not secure the stream */
	XMPPC_EPROTOCOL = -303,          /**< the server broke the protocol (unexpected element, bad header, ...) */
	XMPPC_ESTREAM_VERSION = -304,    /**< the server's stream version is not 1.x */
	XMPPC_EBIND = -305,              /**< resource binding failed */
	XMPPC_EBIND_CONFLICT = -306,     /**< the requested resource is in use and the server refused another */
	XMPPC_ESESSION = -307,           /**< the legacy session establishment failed */
	XMPPC_ESEE_OTHER_HOST = -308,    /**< the server redirects to another host (see the session's last error) */
	XMPPC_ECLOSED = -309,            /**< the stream was closed */
	XMPPC_ETIMEOUT = -310,           /**< a deadline passed (negotiation, close handshake, or an IQ) */
	XMPPC_EDISCONNECTED = -311,      /**< the stream ended before a reply came (IQ callbacks) */
	XMPPC_ENO_FEATURES = -312,       /**< the server offered nothing the client can use to go on */
	XMPPC_EREGISTER = -313,          /**< in-band registration refused or not offered (XEP-0077) */
	XMPPC_EREGISTER_CONFLICT = -314, /**< in-band registration: the account exists already */
	XMPPC_ELINK_DEAD = -315,         /**< nothing came back from the server within the liveness timeout */
	XMPPC_ESM_PROTOCOL = -316,       /**< the server broke stream management (an ack beyond what was sent, a wrong previd) */
	XMPPC_ESM_STATE = -317,          /**< a stream-management state blob is malformed, of another version or account */

	/* Authentication: SASL (RFC 6120 §6) */
	XMPPC_ESASL_NO_MECHANISM = -400,    /**< no mechanism both sides support is allowed by the policy */
	XMPPC_ESASL_MALFORMED = -401,       /**< a malformed challenge or success message from the server */
	XMPPC_ESASL_SERVER_SIGNATURE = -402,/**< the SCRAM server signature is missing or wrong: the server is not who it claims */
	XMPPC_ESASL_NONCE = -403,           /**< the SCRAM server nonce does not extend the client nonce */
	XMPPC_ESASL_ITERATIONS = -404,      /**< the SCRAM iteration count is out of the allowed range */
	XMPPC_ESASL_TOO_MANY_CHALLENGES = -405, /**< more challenges than the mechanism allows */
	XMPPC_ESASL_DOWNGRADE = -406,       /**< the XEP-0474 hash does not match what the server advertised */
	XMPPC_ESASL_CHANNEL_BINDING = -407, /**< channel binding required but impossible (no data, no common type) */
	XMPPC_ESASL_SERVER_ERROR = -408,    /**< the SCRAM server-final-message carries an error (e=) */
	XMPPC_ESASL_NO_CREDENTIALS = -409,  /**< the mechanism needs a password and none was given */
	XMPPC_EAUTH_ABORTED = -420,         /**< failure: aborted */
	XMPPC_EAUTH_ACCOUNT_DISABLED = -421,/**< failure: account-disabled */
	XMPPC_EAUTH_CREDENTIALS_EXPIRED = -422, /**< failure: credentials-expired */
	XMPPC_EAUTH_ENCRYPTION_REQUIRED = -423, /**< failure: encryption-required */
	XMPPC_EAUTH_INCORRECT_ENCODING = -424,  /**< failure: incorrect-encoding */
	XMPPC_EAUTH_INVALID_AUTHZID = -425, /**< failure: invalid-authzid */
	XMPPC_EAUTH_INVALID_MECHANISM = -426, /**< failure: invalid-mechanism */
	XMPPC_EAUTH_MALFORMED_REQUEST = -427, /**< failure: malformed-request */
	XMPPC_EAUTH_MECHANISM_TOO_WEAK = -428, /**< failure: mechanism-too-weak */
	XMPPC_EAUTH_NOT_AUTHORIZED = -429,  /**< failure: not-authorized (wrong credentials) */
	XMPPC_EAUTH_TEMPORARY = -430,       /**< failure: temporary-auth-failure */
	XMPPC_EAUTH_FAILURE = -431,         /**< failure with no or an unknown condition */

	/* TLS: all but XMPPC_ETLS_CONFIG end the connection */
	XMPPC_ETLS_HANDSHAKE = -500,      /**< the TLS handshake failed (no common parameters, an alert from the server, a protocol error) */
	XMPPC_ETLS_CERT_UNTRUSTED = -501, /**< the server's certificate does not chain to a trust anchor (or is revoked, or uses an insecure algorithm) */
	XMPPC_ETLS_CERT_EXPIRED = -502,   /**< the server's certificate (or one in its chain) is expired or not yet valid */
	XMPPC_ETLS_CERT_NAME = -503,      /**< the server's certificate is not valid for the JID's domain */
	XMPPC_ETLS_PIN = -504,            /**< the server's key matches none of the required pins */
	XMPPC_ETLS_CLOSED = -505,         /**< the connection ended without a TLS close_notify (during the handshake, or truncated) */
	XMPPC_ETLS_RECORD = -506,         /**< malformed or undecryptable TLS data, or a fatal alert, after the handshake */
	XMPPC_ETLS_CONFIG = -507,         /**< TLS credentials or settings could not be loaded (CA file, client certificate, priority string) */
	XMPPC_ETLS_TIMEOUT = -508,        /**< the TLS handshake did not finish in time */

	/* DNS resolution (RFC 6120 §3.2, XEP-0368): the connection attempt ends */
	XMPPC_EDNS_NXDOMAIN = -600,       /**< the domain (or an SRV target) does not exist in DNS */
	XMPPC_EDNS_NO_ADDRESS = -601,     /**< the host exists but has no IPv4 or IPv6 address */
	XMPPC_EDNS_NO_SERVICE = -602,     /**< the SRV record says the domain offers no XMPP client service (target ".") */
	XMPPC_EDNS_TIMEOUT = -603,        /**< no answer from the DNS servers in time */
	XMPPC_EDNS_SERVER_FAILURE = -604, /**< the DNS server failed or refused the query (SERVFAIL, REFUSED) */
	XMPPC_EDNS_BAD_RESPONSE = -605,   /**< a malformed DNS response */
	XMPPC_EDNS_UNREACHABLE = -606,    /**< no DNS server could be reached or gave a usable answer */
	XMPPC_EDNS_CONFIG = -607,         /**< the resolver configuration is unusable */

	/* TCP: the connection attempt ends */
	XMPPC_ETCP_REFUSED = -700,        /**< every address refused the connection */
	XMPPC_ETCP_UNREACHABLE = -701,    /**< no address was reachable (network or host unreachable) */
	XMPPC_ETCP_TIMEOUT = -702,        /**< no TCP connection could be made in time */
	XMPPC_ETCP_FAILED = -703,         /**< a TCP connection could not be made (another reason; see the text) */
	XMPPC_ETCP_RESET = -704,          /**< the established connection was reset or broke */
	XMPPC_ETCP_EOF = -705             /**< the server closed the TCP connection without closing the stream */
} xmppc_error;

/**
 * Human-readable description of an error code.
 *
 * @param err an #xmppc_error value (0 or negative).
 * @return a static string; "unknown error" for codes this version does
 *         not know. Never NULL.
 */
XMPPC_API const char *xmppc_strerror(int err);

/**
 * Symbolic name of an error code, e.g. "XMPPC_EINVAL".
 *
 * @param err an #xmppc_error value.
 * @return a static string; "XMPPC_E?" for unknown codes. Never NULL.
 */
XMPPC_API const char *xmppc_error_name(int err);

/**
 * Whether an error ends the stream or connection it occurred on.
 *
 * Fatal errors (malformed XML, limits exceeded, and later stream, TLS and
 * authentication failures) leave the object that reported them unusable
 * except for freeing. Non-fatal errors (invalid argument, not found, ...)
 * leave it as it was before the call.
 *
 * @param err an #xmppc_error value.
 * @return 1 if fatal, 0 otherwise (also for 0 and unknown codes).
 */
XMPPC_API int xmppc_is_fatal(int err);

/**
 * Whether trying again later (reconnecting) may succeed after @p err.
 *
 * Credential and policy failures (not-authorized, account-disabled,
 * credentials-expired, a certificate or signature that does not verify, a
 * downgrade attack) are not worth retrying without a change by the user;
 * network trouble, timeouts and temporary failures are.
 *
 * @param err an #xmppc_error value.
 * @return 1 if worth retrying, 0 otherwise (also for 0 and unknown codes).
 */
XMPPC_API int xmppc_error_retryable(int err);

/** Stream-error conditions of RFC 6120 §4.9.3. */
typedef enum xmppc_stream_condition {
	XMPPC_STREAM_COND_NONE = 0, /**< no stream error */
	XMPPC_STREAM_COND_BAD_FORMAT, /**< "bad-format" */
	XMPPC_STREAM_COND_BAD_NAMESPACE_PREFIX, /**< "bad-namespace-prefix" */
	XMPPC_STREAM_COND_CONFLICT, /**< "conflict" */
	XMPPC_STREAM_COND_CONNECTION_TIMEOUT, /**< "connection-timeout" */
	XMPPC_STREAM_COND_HOST_GONE, /**< "host-gone" */
	XMPPC_STREAM_COND_HOST_UNKNOWN, /**< "host-unknown" */
	XMPPC_STREAM_COND_IMPROPER_ADDRESSING, /**< "improper-addressing" */
	XMPPC_STREAM_COND_INTERNAL_SERVER_ERROR, /**< "internal-server-error" */
	XMPPC_STREAM_COND_INVALID_FROM, /**< "invalid-from" */
	XMPPC_STREAM_COND_INVALID_NAMESPACE, /**< "invalid-namespace" */
	XMPPC_STREAM_COND_INVALID_XML, /**< "invalid-xml" */
	XMPPC_STREAM_COND_NOT_AUTHORIZED, /**< "not-authorized" */
	XMPPC_STREAM_COND_NOT_WELL_FORMED, /**< "not-well-formed" */
	XMPPC_STREAM_COND_POLICY_VIOLATION, /**< "policy-violation" */
	XMPPC_STREAM_COND_REMOTE_CONNECTION_FAILED, /**< "remote-connection-failed" */
	XMPPC_STREAM_COND_RESET, /**< "reset" */
	XMPPC_STREAM_COND_RESOURCE_CONSTRAINT, /**< "resource-constraint" */
	XMPPC_STREAM_COND_RESTRICTED_XML, /**< "restricted-xml" */
	XMPPC_STREAM_COND_SEE_OTHER_HOST, /**< "see-other-host" */
	XMPPC_STREAM_COND_SYSTEM_SHUTDOWN, /**< "system-shutdown" */
	XMPPC_STREAM_COND_UNDEFINED_CONDITION, /**< "undefined-condition" */
	XMPPC_STREAM_COND_UNSUPPORTED_ENCODING, /**< "unsupported-encoding" */
	XMPPC_STREAM_COND_UNSUPPORTED_FEATURE, /**< "unsupported-feature" */
	XMPPC_STREAM_COND_UNSUPPORTED_STANZA_TYPE, /**< "unsupported-stanza-type" */
	XMPPC_STREAM_COND_UNSUPPORTED_VERSION, /**< "unsupported-version" */
	XMPPC_STREAM_COND_COUNT /**< number of values; not a condition */
} xmppc_stream_condition;

/**
 * The stream-error condition a session should send when it stops a stream
 * because of @p err (for example #XMPPC_EXML_RESTRICTED gives
 * #XMPPC_STREAM_COND_RESTRICTED_XML).
 *
 * @return the condition, or #XMPPC_STREAM_COND_NONE when the error is not
 *         a reason to send a stream error.
 */
XMPPC_API xmppc_stream_condition xmppc_error_stream_condition(int err);

/**
 * The element name of a condition, e.g. "not-well-formed".
 *
 * @return a static string, or NULL for #XMPPC_STREAM_COND_NONE and values
 *         out of range.
 */
XMPPC_API const char *xmppc_stream_condition_name(xmppc_stream_condition cond);

/**
 * Look up a stream-error condition by its element name.
 *
 * @param name the element name (need not be NUL-terminated).
 * @param len its length in bytes.
 * @return the condition, or #XMPPC_STREAM_COND_UNDEFINED_CONDITION for a
 *         name RFC 6120 does not define (as §4.9.3.21 asks a receiver to
 *         treat it), or #XMPPC_STREAM_COND_NONE if @p name is NULL.
 */
XMPPC_API xmppc_stream_condition xmppc_stream_condition_from_name(const char *name, size_t len);

XMPPC_END_DECLS

#endif /* XMPPC_ERROR_H */
