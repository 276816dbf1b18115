/**
 * @file carbons.h
 * @brief Message carbons (XEP-0280): enable/disable, unwrapping only from our own bare JID.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_CARBONS_H
#define XMPPC_CARBONS_H

#include <xmppc/module.h>

#endif /* XMPPC_CARBONS_H */
