/**
 * @file vcard.h
 * @brief vcard-temp (XEP-0054): get and set.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_VCARD_H
#define XMPPC_VCARD_H

#include <xmppc/module.h>

#endif /* XMPPC_VCARD_H */
