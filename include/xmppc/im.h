/**
 * @file im.h
 * @brief Messaging helpers: types, threads, bodies per language, chat states (XEP-0085), receipts (XEP-0184), correction (XEP-0308), stanza and origin ids (XEP-0359), delay (XEP-0203), markers (XEP-0333), hints (XEP-0334), /me (XEP-0245).
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_IM_H
#define XMPPC_IM_H

#include <xmppc/module.h>

#endif /* XMPPC_IM_H */
