/**
 * @file disco.h
 * @brief Service discovery (XEP-0030): responder from the module registry, client queries, nodes, a result cache.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_DISCO_H
#define XMPPC_DISCO_H

#include <xmppc/module.h>

#endif /* XMPPC_DISCO_H */
