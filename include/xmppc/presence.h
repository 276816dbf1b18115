/**
 * @file presence.h
 * @brief Presence and subscriptions (RFC 6121 §3-4): own presence, directed presence, subscription handshake, per-resource tracking.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_PRESENCE_H
#define XMPPC_PRESENCE_H

#include <xmppc/module.h>

#endif /* XMPPC_PRESENCE_H */
