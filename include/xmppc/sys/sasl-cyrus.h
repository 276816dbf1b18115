/**
 * @file sys/sasl-cyrus.h
 * @brief Extension point: SASL mechanisms provided by Cyrus SASL (libsasl2).
 *
 * For mechanisms xmppc does not implement itself (GSSAPI, GS2-KRB5, ...),
 * the library can drive a Cyrus SASL client plugin through the ordinary
 * #xmppc_sasl_mechanism interface. The session still chooses the
 * mechanism and applies its policy: Cyrus is asked for exactly the one
 * mechanism named here, never to pick one itself.
 *
 * The bridge is built when the `cyrus-sasl` meson feature finds libsasl2;
 * otherwise xmppc_sasl_cyrus_mechanism() returns #XMPPC_EUNSUPPORTED.
 * Cyrus is initialised (sasl_client_init()) once per process, on the first
 * call, and never finalised by xmppc.
 *
 * Stability: like sys/sasl.h, this header may change between minor
 * versions before 1.0.
 */
#ifndef XMPPC_SYS_SASL_CYRUS_H
#define XMPPC_SYS_SASL_CYRUS_H

#include <xmppc/sys/sasl.h>

XMPPC_BEGIN_DECLS

/**
 * A mechanism table that runs the Cyrus SASL client plugin for @p name.
 *
 * Each exchange gets its own Cyrus connection (service "xmpp", server name
 * from #xmppc_sasl_params.domain) whose callbacks answer with the
 * authcid, authzid and password of the #xmppc_sasl_params given to
 * start() (the password prepared with PRECIS OpaqueString, as the built-in
 * mechanisms do). SASL security layers are disabled (XMPP relies on TLS).
 * For a name ending in "-PLUS" the channel-binding data of the params are
 * passed to Cyrus.
 *
 * The table's flags are derived from what the plugin declares
 * (#XMPPC_SASL_CLEARTEXT unless it protects the password,
 * #XMPPC_SASL_MUTUAL, #XMPPC_SASL_CHANNEL_BINDING for -PLUS,
 * #XMPPC_SASL_NEEDS_PASSWORD except for GSSAPI, GS2-*, GSS-SPNEGO,
 * EXTERNAL and ANONYMOUS). Its strength is below the built-in SCRAM
 * mechanisms and EXTERNAL: 50 for the Kerberos/GSS family, 40 for other
 * mutual mechanisms, 20 for other password-protecting ones, 8 for
 * cleartext ones (below the built-in PLAIN) and 4 for ANONYMOUS.
 *
 * Thread-safe. The same name always gives the same table.
 *
 * @param[out] out receives a table that stays valid until the process
 *        exits; NULL on error.
 * @param name the IANA mechanism name (1 to 20 characters of A-Z, 0-9,
 *        '-' and '_', RFC 4422 §3.1), e.g. "GSSAPI".
 * @return 0; #XMPPC_EINVAL (NULL argument, malformed name);
 *         #XMPPC_EUNSUPPORTED (built without Cyrus SASL, or Cyrus could
 *         not be initialised); #XMPPC_ENOTFOUND (no Cyrus client plugin
 *         for that mechanism); #XMPPC_ERANGE (more distinct mechanisms
 *         asked for than the bridge keeps tables for, which is 32).
 */
XMPPC_API int xmppc_sasl_cyrus_mechanism(const xmppc_sasl_mechanism **out, const char *name);

XMPPC_END_DECLS

#endif /* XMPPC_SYS_SASL_CYRUS_H */
