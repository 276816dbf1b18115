/**
 * @file entity-time.h
 * @brief Entity time (XEP-0202): responder and query.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_ENTITY_TIME_H
#define XMPPC_ENTITY_TIME_H

#include <xmppc/module.h>

#endif /* XMPPC_ENTITY_TIME_H */
