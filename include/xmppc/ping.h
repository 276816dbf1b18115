/**
 * @file ping.h
 * @brief XMPP ping (XEP-0199): responder and client.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_PING_H
#define XMPPC_PING_H

#include <xmppc/module.h>

#endif /* XMPPC_PING_H */
