/* Parser entry points shared inside lib/xml. */
#ifndef XMPPC_XML_PARSER_INTERNAL_H
#define XMPPC_XML_PARSER_INTERNAL_H

#include <xmppc/parser.h>

int xmppc__parser_create(xmppc_parser **out, xmppc_ctx *ctx, const xmppc_xml_limits *limits,
                         unsigned flags, int fragment, const xmppc_parser_callbacks *cb, void *ud);
/* Parse all of xml as one element; p must be a fragment parser. */
int xmppc__parser_fragment(xmppc_stanza **out, xmppc_parser *p, const char *xml, size_t len);

#endif
