/**
 * @file common.h
 * @brief Export macros, C++ guards and library version of xmppc.
 *
 * Every public header includes this one; applications include
 * `<xmppc/xmppc.h>` and need not name it.
 */
#ifndef XMPPC_COMMON_H
#define XMPPC_COMMON_H

#include <stddef.h>
#include <stdint.h>

/** Marks a declaration as part of the exported ABI of libxmppc. */
#if defined(_WIN32)
#define XMPPC_API
#elif defined(__GNUC__) || defined(__clang__)
#define XMPPC_API __attribute__((visibility("default")))
#else
#define XMPPC_API
#endif

/** Lets the compiler check a printf-style format (argument positions). */
#if defined(__GNUC__) || defined(__clang__)
#define XMPPC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define XMPPC_PRINTF(fmt, args)
#endif

/** Size of a buffer for xmppc_random_id(), NUL included. */
#define XMPPC_ID_SIZE 17

#ifdef __cplusplus
/** Opens C linkage for the declarations that follow (in C++). */
#define XMPPC_BEGIN_DECLS extern "C" {
/** Closes #XMPPC_BEGIN_DECLS. */
#define XMPPC_END_DECLS }
#else
/** Opens C linkage for the declarations that follow (in C++). */
#define XMPPC_BEGIN_DECLS
/** Closes #XMPPC_BEGIN_DECLS. */
#define XMPPC_END_DECLS
#endif

XMPPC_BEGIN_DECLS

/** Major version of the headers in use. */
#define XMPPC_VERSION_MAJOR 0
/** Minor version of the headers in use. */
#define XMPPC_VERSION_MINOR 1
/** Patch version of the headers in use. */
#define XMPPC_VERSION_PATCH 0

/**
 * Version of the library actually loaded, as "MAJOR.MINOR.PATCH".
 *
 * @return a static string; never NULL.
 */
XMPPC_API const char *xmppc_version(void);

XMPPC_END_DECLS

#endif /* XMPPC_COMMON_H */
