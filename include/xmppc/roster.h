/**
 * @file roster.h
 * @brief The roster (RFC 6121 §2): fetch with versioning (XEP-0237), store hook, edits, pushes, pre-approval.
 *
 * (Being written: the module is not available yet.)
 */
#ifndef XMPPC_ROSTER_H
#define XMPPC_ROSTER_H

#include <xmppc/module.h>

#endif /* XMPPC_ROSTER_H */
