/**
 * @file blocking.h
 * @brief Blocking command (XEP-0191): list, block, unblock, pushes from our account only.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_BLOCKING_H
#define XMPPC_BLOCKING_H

#include <xmppc/module.h>

#endif /* XMPPC_BLOCKING_H */
