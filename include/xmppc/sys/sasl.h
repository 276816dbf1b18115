/**
 * @file sys/sasl.h
 * @brief Extension point: SASL mechanisms as small sans-I/O state machines.
 *
 * Every built-in mechanism (SCRAM-SHA-1/256/512 and their -PLUS forms,
 * PLAIN, EXTERNAL, ANONYMOUS, the Cyrus SASL bridge) implements this
 * interface, and an application can register its own with the session.
 * The session chooses the mechanism, handles base64 and the XML
 * elements, and enforces the policy (TLS, allow/deny lists, never falling
 * back after a failure); a mechanism only turns challenges into responses.
 *
 * Stability: this header may change between minor versions before 1.0;
 * the #xmppc_sasl_mechanism version field guards against mismatches.
 */
#ifndef XMPPC_SYS_SASL_H
#define XMPPC_SYS_SASL_H

#include <xmppc/buf.h>
#include <xmppc/cbind.h>
#include <xmppc/ctx.h>

XMPPC_BEGIN_DECLS

/** Version of #xmppc_sasl_params understood by this library. */
#define XMPPC_SASL_PARAMS_VERSION 1u

/** What a mechanism is given to authenticate with. All pointers are borrowed for the exchange. */
typedef struct xmppc_sasl_params {
	unsigned version;         /**< #XMPPC_SASL_PARAMS_VERSION */
	xmppc_ctx *ctx;           /**< allocator and log */
	const char *authcid;      /**< authentication identity (the JID localpart), UTF-8; NULL for ANONYMOUS */
	const char *authzid;      /**< authorization identity, or NULL (the usual case) */
	const char *password;     /**< the password as given (mechanisms apply their own preparation), or NULL */
	size_t password_len;      /**< its length in bytes */
	const char *domain;       /**< the server's domain (service host for GSSAPI) */
	int secure;               /**< 1 when the stream is protected by TLS */
	/** For a -PLUS mechanism: the binding type chosen by the session; NONE otherwise. */
	xmppc_cb_type cb_type;
	const unsigned char *cb_data; /**< binding data for @ref cb_type, or NULL */
	size_t cb_data_len;       /**< its length */
	/** 1 if the client could have bound the channel but the server offered no -PLUS
	 *  mechanism: SCRAM then sends the GS2 'y' flag (RFC 5802 §6). */
	int cb_supported_not_offered;
	/** XEP-0474: the mechanisms the server advertised (all of them, in any order). */
	const char *const *server_mechanisms;
	size_t n_server_mechanisms; /**< number of entries in @ref server_mechanisms */
	/** XEP-0474: the XEP-0440 channel-binding types the server advertised, or NULL when it
	 *  sent no XEP-0440 list (which is different from an empty list). */
	const char *const *server_cb_types;
	size_t n_server_cb_types;   /**< number of entries in @ref server_cb_types */
	unsigned min_iterations;    /**< SCRAM: refuse fewer iterations (default 4096) */
	unsigned max_iterations;    /**< SCRAM: refuse more iterations (default 1,000,000) */
	unsigned max_challenges;    /**< refuse more challenges than this (default 8) */
} xmppc_sasl_params;

/** Mechanism flag: sends the password in the clear (PLAIN): only over TLS or in the explicit plaintext mode. */
#define XMPPC_SASL_CLEARTEXT 0x1u
/** Mechanism flag: binds the TLS channel (-PLUS): needs channel-binding data. */
#define XMPPC_SASL_CHANNEL_BINDING 0x2u
/** Mechanism flag: needs a password. */
#define XMPPC_SASL_NEEDS_PASSWORD 0x4u
/** Mechanism flag: proves the server's identity too (SCRAM's server signature). */
#define XMPPC_SASL_MUTUAL 0x8u

/** Version of #xmppc_sasl_mechanism understood by this library. */
#define XMPPC_SASL_MECHANISM_VERSION 1u

/** A SASL mechanism (a static table: the session keeps a pointer to it). */
typedef struct xmppc_sasl_mechanism {
	unsigned version;   /**< #XMPPC_SASL_MECHANISM_VERSION */
	const char *name;   /**< IANA name, e.g. "SCRAM-SHA-256-PLUS" */
	unsigned flags;     /**< XMPPC_SASL_* flags */
	/** Preference: higher is tried first (built-ins: SCRAM-SHA-512-PLUS 100 ... PLAIN 10). */
	int strength;
	const void *data;   /**< mechanism-specific constant data (e.g. the hash of a SCRAM variant) */
	/**
	 * Begin an exchange.
	 *
	 * @param[out] state receives the mechanism's per-exchange state.
	 * @param mech this table.
	 * @param params credentials and context (valid until free_state).
	 * @param response receives the initial response (raw bytes); emptied
	 *        first, and left empty when @p has_response is set to 0 or on
	 *        error.
	 * @param[out] has_response 1 if an initial response is to be sent
	 *        (possibly empty), 0 for none.
	 * @return 0 or a negative error (then *@p state is NULL and there is
	 *         nothing to free).
	 */
	int (*start)(void **state, const struct xmppc_sasl_mechanism *mech,
	             const xmppc_sasl_params *params, xmppc_buf *response, int *has_response);
	/**
	 * Answer a challenge.
	 *
	 * @param state per-exchange state.
	 * @param challenge decoded challenge bytes.
	 * @param len their length.
	 * @param response receives the response (raw bytes); emptied first,
	 *        and left empty on error.
	 * @return 0 or a negative error (the session then aborts the exchange;
	 *         the state only accepts free_state afterwards).
	 */
	int (*step)(void *state, const unsigned char *challenge, size_t len, xmppc_buf *response);
	/**
	 * The server said success, with optional additional data. Mutual
	 * mechanisms verify it here (SCRAM: the server signature must be
	 * present and right).
	 *
	 * @return 0 to accept, or a negative error (the session then refuses
	 *         the success and ends the stream).
	 */
	int (*success)(void *state, const unsigned char *data, size_t len);
	/** Free the state (wiping secrets). NULL is allowed. */
	void (*free_state)(void *state);
} xmppc_sasl_mechanism;

/**
 * A built-in mechanism by name ("SCRAM-SHA-256", "PLAIN", ...).
 *
 * @return the static table, or NULL if there is no built-in of that name.
 */
XMPPC_API const xmppc_sasl_mechanism *xmppc_sasl_builtin(const char *name);

/**
 * The built-in mechanisms, strongest first.
 *
 * @param[out] count receives the number of entries.
 * @return a static array of pointers.
 */
XMPPC_API const xmppc_sasl_mechanism *const *xmppc_sasl_builtins(size_t *count);

XMPPC_END_DECLS

#endif /* XMPPC_SYS_SASL_H */
