/**
 * @file caps.h
 * @brief Entity capabilities (XEP-0115): our verification string, caps in presence, verified cache of others.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_CAPS_H
#define XMPPC_CAPS_H

#include <xmppc/module.h>

#endif /* XMPPC_CAPS_H */
