/**
 * @file last.h
 * @brief Last activity (XEP-0012): responder and query.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_LAST_H
#define XMPPC_LAST_H

#include <xmppc/module.h>

#endif /* XMPPC_LAST_H */
