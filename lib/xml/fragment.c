/* xmppc_stanza_from_xml(): one element parsed by the hardened stream
 * parser in fragment mode, with the authenticated-stream limits. */
#include "xml/parser-internal.h"
#include <xmppc/error.h>

XMPPC_API int xmppc_stanza_from_xml(xmppc_stanza **out, xmppc_ctx *ctx, const char *xml, size_t len)
{
	xmppc_parser *p;
	int rc;

	if (out == NULL || ctx == NULL || (xml == NULL && len > 0))
		return XMPPC_EINVAL;
	rc = xmppc__parser_create(&p, ctx, NULL, XMPPC_PARSER_AUTHENTICATED, 1, NULL, NULL);
	if (rc != 0)
		return rc;
	rc = len > 0 ? xmppc__parser_fragment(out, p, xml, len) : XMPPC_EXML_NOT_WELL_FORMED;
	xmppc_parser_free(p);
	return rc;
}
