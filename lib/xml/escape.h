/* Attribute-value escaping of the serializer, for XML the library writes
 * by hand (the stream header, which is never closed in the same write). */
#ifndef XMPPC_XML_ESCAPE_H
#define XMPPC_XML_ESCAPE_H

#include <xmppc/buf.h>

/* Append s[0..len) escaped for use inside a quoted attribute value. */
int xmppc__xml_escape_attr(xmppc_buf *out, const char *s, size_t len);

#endif
