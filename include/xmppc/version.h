/**
 * @file version.h
 * @brief Software version (XEP-0092): responder and query.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_VERSION_H
#define XMPPC_VERSION_H

#include <xmppc/module.h>

#endif /* XMPPC_VERSION_H */
