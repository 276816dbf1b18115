/* One table describes every error code: name, text, whether it ends the
 * stream, and the RFC 6120 stream-error condition to send for it. */
#include <string.h>
#include <xmppc/error.h>

typedef struct {
	int code;
	const char *name;
	const char *text;
	int fatal;
	xmppc_stream_condition cond;
	int retry; /* worth retrying later */
} error_info;

#define E(code, text, fatal, cond) {code, #code, text, fatal, XMPPC_STREAM_COND_##cond, 0}
/* An error after which reconnecting later may succeed. */
#define R(code, text, fatal, cond) {code, #code, text, fatal, XMPPC_STREAM_COND_##cond, 1}

static const error_info errors[] = {
	E(XMPPC_OK, "success", 0, NONE),
	E(XMPPC_EINVAL, "invalid argument", 0, NONE),
	E(XMPPC_ENOMEM, "out of memory", 0, NONE),
	E(XMPPC_ERECURSIVE, "call not allowed from inside a callback of the same object", 0, NONE),
	E(XMPPC_ENOTFOUND, "not found", 0, NONE),
	E(XMPPC_EEXIST, "already exists", 0, NONE),
	E(XMPPC_ESTATE, "not allowed in the current state", 0, NONE),
	E(XMPPC_EAGAIN, "no progress possible now, try again", 0, NONE),
	E(XMPPC_ERANGE, "size or count out of range", 0, NONE),
	E(XMPPC_EUNSUPPORTED, "not supported", 0, NONE),
	E(XMPPC_EINTERNAL, "internal error", 1, INTERNAL_SERVER_ERROR),
	E(XMPPC_EBASE64, "malformed base64", 0, NONE),
	E(XMPPC_ECRYPTO, "crypto backend failure", 0, NONE),
	E(XMPPC_EINVALID_NAME, "not a valid XML name", 0, NONE),
	E(XMPPC_ESYSTEM, "an operating-system call failed", 0, NONE),

	E(XMPPC_EXML_NOT_WELL_FORMED, "XML is not well-formed", 1, NOT_WELL_FORMED),
	E(XMPPC_EXML_RESTRICTED, "restricted XML (DTD, comment, processing instruction or entity)", 1,
	  RESTRICTED_XML),
	E(XMPPC_EXML_INVALID_UTF8, "invalid UTF-8 in XML stream", 1, NOT_WELL_FORMED),
	E(XMPPC_EXML_INVALID_CHAR, "character not allowed in XML", 1, NOT_WELL_FORMED),
	E(XMPPC_EXML_UNSUPPORTED_ENCODING, "XML encoding other than UTF-8", 1, UNSUPPORTED_ENCODING),
	E(XMPPC_EXML_UNSUPPORTED_VERSION, "XML version other than 1.0", 1, NOT_WELL_FORMED),
	E(XMPPC_EXML_BAD_PREFIX, "unbound namespace prefix", 1, BAD_NAMESPACE_PREFIX),
	E(XMPPC_EXML_DUPLICATE_ATTR, "duplicate attribute", 1, NOT_WELL_FORMED),
	E(XMPPC_EXML_INVALID_NAMESPACE, "stream element has a wrong name or namespace", 1,
	  INVALID_NAMESPACE),
	E(XMPPC_EXML_DEPTH_LIMIT, "element nesting too deep", 1, POLICY_VIOLATION),
	E(XMPPC_EXML_SIZE_LIMIT, "stanza too large", 1, POLICY_VIOLATION),
	E(XMPPC_EXML_ATTR_LIMIT, "too many attributes on an element", 1, POLICY_VIOLATION),
	E(XMPPC_EXML_ELEMENT_LIMIT, "too many elements in a stanza", 1, POLICY_VIOLATION),
	E(XMPPC_EXML_TEXT_AT_TOP, "text directly inside the stream element", 1, BAD_FORMAT),
	E(XMPPC_EXML_NAME_LIMIT, "too many distinct XML names in the stream", 1, POLICY_VIOLATION),

	E(XMPPC_EJID_EMPTY, "empty JID", 0, NONE),
	E(XMPPC_EJID_EMPTY_LOCAL, "JID has an empty localpart", 0, NONE),
	E(XMPPC_EJID_EMPTY_DOMAIN, "JID has an empty domainpart", 0, NONE),
	E(XMPPC_EJID_EMPTY_RESOURCE, "JID has an empty resourcepart", 0, NONE),
	E(XMPPC_EJID_INVALID_LOCAL, "invalid JID localpart", 0, NONE),
	E(XMPPC_EJID_INVALID_DOMAIN, "invalid JID domainpart", 0, NONE),
	E(XMPPC_EJID_INVALID_RESOURCE, "invalid JID resourcepart", 0, NONE),
	E(XMPPC_EJID_LOCAL_TOO_LONG, "JID localpart longer than 1023 bytes", 0, NONE),
	E(XMPPC_EJID_DOMAIN_TOO_LONG, "JID domainpart longer than 1023 bytes", 0, NONE),
	E(XMPPC_EJID_RESOURCE_TOO_LONG, "JID resourcepart longer than 1023 bytes", 0, NONE),
	E(XMPPC_EJID_INVALID_UTF8, "JID is not valid UTF-8", 0, NONE),

	E(XMPPC_EPRECIS_DISALLOWED, "code point not allowed by the PRECIS profile", 0, NONE),
	E(XMPPC_EPRECIS_CONTEXT, "PRECIS contextual rule not satisfied", 0, NONE),
	E(XMPPC_EPRECIS_BIDI, "string fails the Bidi Rule", 0, NONE),
	E(XMPPC_EPRECIS_EMPTY, "string is empty after PRECIS enforcement", 0, NONE),
	E(XMPPC_EPRECIS_INVALID_UTF8, "string is not valid UTF-8", 0, NONE),

	R(XMPPC_ESTREAM_ERROR, "the server sent a stream error", 1, NONE),
	E(XMPPC_ETLS_REQUIRED, "TLS required but the server does not offer STARTTLS", 1, NONE),
	R(XMPPC_ETLS_FAILED, "the transport could not secure the stream", 1, NONE),
	R(XMPPC_EPROTOCOL, "the server broke the XMPP protocol", 1, UNSUPPORTED_STANZA_TYPE),
	E(XMPPC_ESTREAM_VERSION, "the server's stream version is not 1.x", 1, UNSUPPORTED_VERSION),
	R(XMPPC_EBIND, "resource binding failed", 1, NONE),
	E(XMPPC_EBIND_CONFLICT, "the resource is in use", 1, NONE),
	R(XMPPC_ESESSION, "session establishment failed", 1, NONE),
	R(XMPPC_ESEE_OTHER_HOST, "the server redirects to another host", 1, NONE),
	R(XMPPC_ELINK_DEAD, "the server stopped answering (dead link)", 1, CONNECTION_TIMEOUT),
	R(XMPPC_ESM_PROTOCOL, "the server broke the stream-management protocol", 1, UNDEFINED_CONDITION),
	E(XMPPC_ESM_STATE, "unusable stream-management state", 0, NONE),
	R(XMPPC_ECLOSED, "the stream was closed", 1, NONE),
	R(XMPPC_ETIMEOUT, "timed out", 1, CONNECTION_TIMEOUT),
	R(XMPPC_EDISCONNECTED, "disconnected before a reply came", 0, NONE),
	E(XMPPC_ENO_FEATURES, "the server offers nothing usable to go on", 1, UNSUPPORTED_FEATURE),
	E(XMPPC_EREGISTER, "in-band registration was refused or is not offered", 1, NONE),
	E(XMPPC_EREGISTER_CONFLICT, "the account exists already", 1, NONE),

	E(XMPPC_ESASL_NO_MECHANISM, "no acceptable SASL mechanism", 1, NONE),
	E(XMPPC_ESASL_MALFORMED, "malformed SASL message from the server", 1, NONE),
	E(XMPPC_ESASL_SERVER_SIGNATURE, "the server failed to prove it knows the credentials", 1, NONE),
	E(XMPPC_ESASL_NONCE, "SCRAM server nonce does not extend the client nonce", 1, NONE),
	E(XMPPC_ESASL_ITERATIONS, "SCRAM iteration count out of the allowed range", 1, NONE),
	E(XMPPC_ESASL_TOO_MANY_CHALLENGES, "too many SASL challenges", 1, NONE),
	E(XMPPC_ESASL_DOWNGRADE, "SASL downgrade detected (XEP-0474 hash mismatch)", 1, NONE),
	E(XMPPC_ESASL_CHANNEL_BINDING, "channel binding impossible", 1, NONE),
	E(XMPPC_ESASL_SERVER_ERROR, "SCRAM server reported an error", 1, NONE),
	E(XMPPC_ESASL_NO_CREDENTIALS, "no password given", 1, NONE),
	E(XMPPC_EAUTH_ABORTED, "authentication aborted", 1, NONE),
	E(XMPPC_EAUTH_ACCOUNT_DISABLED, "account disabled", 1, NONE),
	E(XMPPC_EAUTH_CREDENTIALS_EXPIRED, "credentials expired", 1, NONE),
	E(XMPPC_EAUTH_ENCRYPTION_REQUIRED, "the server requires encryption for this mechanism", 1, NONE),
	E(XMPPC_EAUTH_INCORRECT_ENCODING, "the server refused our SASL encoding", 1, NONE),
	E(XMPPC_EAUTH_INVALID_AUTHZID, "invalid authorization identity", 1, NONE),
	E(XMPPC_EAUTH_INVALID_MECHANISM, "the server refused the mechanism", 1, NONE),
	E(XMPPC_EAUTH_MALFORMED_REQUEST, "the server found our SASL request malformed", 1, NONE),
	E(XMPPC_EAUTH_MECHANISM_TOO_WEAK, "mechanism too weak for this account", 1, NONE),
	E(XMPPC_EAUTH_NOT_AUTHORIZED, "not authorized (wrong credentials)", 1, NONE),
	R(XMPPC_EAUTH_TEMPORARY, "temporary authentication failure", 1, NONE),
	E(XMPPC_EAUTH_FAILURE, "authentication failed", 1, NONE),

	R(XMPPC_ETLS_HANDSHAKE, "the TLS handshake failed", 1, NONE),
	E(XMPPC_ETLS_CERT_UNTRUSTED, "the server's certificate is not trusted", 1, NONE),
	E(XMPPC_ETLS_CERT_EXPIRED, "the server's certificate is expired or not yet valid", 1, NONE),
	E(XMPPC_ETLS_CERT_NAME, "the server's certificate is not valid for the domain", 1, NONE),
	E(XMPPC_ETLS_PIN, "the server's key matches no configured pin", 1, NONE),
	R(XMPPC_ETLS_CLOSED, "the connection ended without a TLS close_notify", 1, NONE),
	R(XMPPC_ETLS_RECORD, "bad TLS data or a fatal TLS alert", 1, NONE),
	E(XMPPC_ETLS_CONFIG, "TLS credentials or settings could not be loaded", 0, NONE),
	R(XMPPC_ETLS_TIMEOUT, "the TLS handshake did not finish in time", 1, NONE),

	E(XMPPC_EDNS_NXDOMAIN, "the domain does not exist in DNS", 1, NONE),
	E(XMPPC_EDNS_NO_ADDRESS, "the host has no IPv4 or IPv6 address", 1, NONE),
	E(XMPPC_EDNS_NO_SERVICE, "DNS says the domain offers no XMPP client service", 1, NONE),
	R(XMPPC_EDNS_TIMEOUT, "no answer from the DNS servers in time", 1, NONE),
	R(XMPPC_EDNS_SERVER_FAILURE, "the DNS server failed or refused the query", 1, NONE),
	R(XMPPC_EDNS_BAD_RESPONSE, "malformed DNS response", 1, NONE),
	R(XMPPC_EDNS_UNREACHABLE, "no DNS server could be reached or gave a usable answer", 1, NONE),
	E(XMPPC_EDNS_CONFIG, "the DNS resolver configuration is unusable", 0, NONE),

	R(XMPPC_ETCP_REFUSED, "the server refused the TCP connection", 1, NONE),
	R(XMPPC_ETCP_UNREACHABLE, "the server is unreachable", 1, NONE),
	R(XMPPC_ETCP_TIMEOUT, "no TCP connection could be made in time", 1, NONE),
	R(XMPPC_ETCP_FAILED, "the TCP connection could not be made", 1, NONE),
	R(XMPPC_ETCP_RESET, "the connection was reset", 1, NONE),
	R(XMPPC_ETCP_EOF, "the server closed the connection without closing the stream", 1, NONE),
};

static const error_info *find(int code)
{
	size_t i;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return &errors[i];
	return NULL;
}

XMPPC_API const char *xmppc_strerror(int err)
{
	const error_info *e = find(err);
	return e != NULL ? e->text : "unknown error";
}

XMPPC_API const char *xmppc_error_name(int err)
{
	const error_info *e = find(err);
	return e != NULL ? e->name : "XMPPC_E?";
}

XMPPC_API int xmppc_is_fatal(int err)
{
	const error_info *e = find(err);
	return e != NULL && e->fatal;
}

XMPPC_API int xmppc_error_retryable(int err)
{
	const error_info *e = find(err);
	return e != NULL && e->retry;
}

XMPPC_API xmppc_stream_condition xmppc_error_stream_condition(int err)
{
	const error_info *e = find(err);
	return e != NULL ? e->cond : XMPPC_STREAM_COND_NONE;
}

static const char *const condition_names[XMPPC_STREAM_COND_COUNT] = {
	[XMPPC_STREAM_COND_BAD_FORMAT] = "bad-format",
	[XMPPC_STREAM_COND_BAD_NAMESPACE_PREFIX] = "bad-namespace-prefix",
	[XMPPC_STREAM_COND_CONFLICT] = "conflict",
	[XMPPC_STREAM_COND_CONNECTION_TIMEOUT] = "connection-timeout",
	[XMPPC_STREAM_COND_HOST_GONE] = "host-gone",
	[XMPPC_STREAM_COND_HOST_UNKNOWN] = "host-unknown",
	[XMPPC_STREAM_COND_IMPROPER_ADDRESSING] = "improper-addressing",
	[XMPPC_STREAM_COND_INTERNAL_SERVER_ERROR] = "internal-server-error",
	[XMPPC_STREAM_COND_INVALID_FROM] = "invalid-from",
	[XMPPC_STREAM_COND_INVALID_NAMESPACE] = "invalid-namespace",
	[XMPPC_STREAM_COND_INVALID_XML] = "invalid-xml",
	[XMPPC_STREAM_COND_NOT_AUTHORIZED] = "not-authorized",
	[XMPPC_STREAM_COND_NOT_WELL_FORMED] = "not-well-formed",
	[XMPPC_STREAM_COND_POLICY_VIOLATION] = "policy-violation",
	[XMPPC_STREAM_COND_REMOTE_CONNECTION_FAILED] = "remote-connection-failed",
	[XMPPC_STREAM_COND_RESET] = "reset",
	[XMPPC_STREAM_COND_RESOURCE_CONSTRAINT] = "resource-constraint",
	[XMPPC_STREAM_COND_RESTRICTED_XML] = "restricted-xml",
	[XMPPC_STREAM_COND_SEE_OTHER_HOST] = "see-other-host",
	[XMPPC_STREAM_COND_SYSTEM_SHUTDOWN] = "system-shutdown",
	[XMPPC_STREAM_COND_UNDEFINED_CONDITION] = "undefined-condition",
	[XMPPC_STREAM_COND_UNSUPPORTED_ENCODING] = "unsupported-encoding",
	[XMPPC_STREAM_COND_UNSUPPORTED_FEATURE] = "unsupported-feature",
	[XMPPC_STREAM_COND_UNSUPPORTED_STANZA_TYPE] = "unsupported-stanza-type",
	[XMPPC_STREAM_COND_UNSUPPORTED_VERSION] = "unsupported-version",
};

XMPPC_API const char *xmppc_stream_condition_name(xmppc_stream_condition cond)
{
	if ((int)cond <= XMPPC_STREAM_COND_NONE || cond >= XMPPC_STREAM_COND_COUNT)
		return NULL;
	return condition_names[cond];
}

XMPPC_API xmppc_stream_condition xmppc_stream_condition_from_name(const char *name, size_t len)
{
	int i;

	if (name == NULL)
		return XMPPC_STREAM_COND_NONE;
	for (i = XMPPC_STREAM_COND_NONE + 1; i < XMPPC_STREAM_COND_COUNT; i++)
		if (strlen(condition_names[i]) == len && memcmp(condition_names[i], name, len) == 0)
			return (xmppc_stream_condition)i;
	return XMPPC_STREAM_COND_UNDEFINED_CONDITION;
}
