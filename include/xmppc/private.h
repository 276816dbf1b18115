/**
 * @file private.h
 * @brief Private XML storage (XEP-0049): get and set.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_PRIVATE_H
#define XMPPC_PRIVATE_H

#include <xmppc/module.h>

#endif /* XMPPC_PRIVATE_H */
