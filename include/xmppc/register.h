/**
 * @file register.h
 * @brief In-band registration (XEP-0077): register, change password, cancel.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_REGISTER_H
#define XMPPC_REGISTER_H

#include <xmppc/module.h>

#endif /* XMPPC_REGISTER_H */
