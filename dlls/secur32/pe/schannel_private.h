/* Internal declarations of the Schannel package's PE side. */
#ifndef SCHANNEL_PRIVATE_H
#define SCHANNEL_PRIVATE_H

#include "secur32_private.h"

struct schan_credential {
    struct handle_object hdr;
    ULONG use;                 /* SECPKG_CRED_INBOUND or SECPKG_CRED_OUTBOUND */
    DWORD protocols;           /* enabled SP_PROT_* bits, folded onto the client bits */
    DWORD flags;               /* SCH_CRED_* from the caller */
    DWORD version;             /* SCHANNEL_CRED_VERSION, SCH_CRED_V3 or SCH_CREDENTIALS_VERSION */
    DWORD min_bits, max_bits;  /* cipher strength limits (0 = none) */
    DWORD lifespan_ms;         /* session cache lifetime */
    BOOL client_cert_policy;   /* server: SetCredentialsAttributes(CLIENT_CERT_POLICY) was called */
    PCCERT_CONTEXT cert;       /* the local certificate, or NULL */
    UINT64 unix_cred;
};

struct schan_context {
    struct handle_object hdr;
    struct schan_credential *cred;
    UINT64 session;
    BOOL is_server;
    ULONG req_flags;           /* ISC_REQ_* / ASC_REQ_* of the first call */
    ULONG ret_flags;
    /* enum schan_state: the Unix session's, as the last call that can
     * change it returned it; the PE half derives no transitions of its own. */
    UINT32 state;
    /* Not 0 once the context failed: the error every later ISC/ASC call
     * answers without asking the Unix half.  It stays here because it is
     * also the PE half's own verdict (the peer's chain rejected, the
     * output buffer refused), which the Unix session knows nothing of; it
     * reads as SCHAN_STATE_FAILED (context_state). */
    SECURITY_STATUS failure;
    WCHAR *target;             /* client: pszTargetName */
    /* Handshake and attribute calls hold `lock` exclusively; records hold it
     * shared, so that one thread may send while another receives (as
     * GnuTLS allows), and each direction's own lock, so that two calls in
     * the same direction on one context take turns instead of racing in
     * the session.  DecryptMessage stores `state` with only `lock` shared
     * (EncryptMessage reads it meanwhile, and never stores it): it goes
     * through context_state/context_store_state, never plainly. */
    struct rw_lock lock;
    struct rw_lock send_lock;  /* EncryptMessage (exclusive only) */
    struct rw_lock recv_lock;  /* DecryptMessage (exclusive only) */
    HCERTSTORE peer_store;     /* the peer's chain as sent */
    PCCERT_CONTEXT peer_cert;  /* the peer's leaf, from peer_store */
    BOOL info_valid;           /* `info` holds GET_CONNECTION_INFO's answer (a cache, not state) */
    BOOL info_details;         /* info has the key details (SCHAN_INFO_KEY_DETAILS) */
    struct schan_connection_info info;
    char *km_label;            /* SetContextAttributes(KEYING_MATERIAL_INFO) */
    BYTE *km_context;
    UINT32 km_context_size;
    UINT32 km_size;
    UINT64 resume_cred;        /* for that call: the Unix credential whose certificate to send */
};

#define SCHANNEL_MAX_TOKEN 24576   /* cbMaxToken, as Windows' Schannel */

/* schannel.c: the package's names and table, for the registry (package.c). */
extern const struct package_ops schannel_package_ops;
ULONG schannel_package_count(void);
const struct package_desc *schannel_package_at(ULONG index);
/* Its entries, one per file below. */
SECURITY_STATUS schannel_acquire_credentials(const struct package_desc *pkg, const WCHAR *principal, ULONG use,
                                             void *logon_id, void *auth, SEC_GET_KEY_FN get_key,
                                             void *get_key_arg, PCredHandle handle, PTimeStamp expiry);
SECURITY_STATUS schannel_free_credentials(PCredHandle handle);
SECURITY_STATUS schannel_query_credentials(PCredHandle handle, ULONG attribute, void *buffer, BOOL wide);
SECURITY_STATUS schannel_set_credentials(PCredHandle handle, ULONG attribute, void *buffer, ULONG size);
SECURITY_STATUS schannel_context_call(const struct context_request *r);
SECURITY_STATUS schannel_delete_context(PCtxtHandle handle);
SECURITY_STATUS schannel_query_context(PCtxtHandle handle, ULONG attribute, void *buffer, BOOL wide);
SECURITY_STATUS schannel_set_context(PCtxtHandle handle, ULONG attribute, void *buffer, ULONG size);
SECURITY_STATUS schannel_apply_control_token(PCtxtHandle handle, PSecBufferDesc input);
SECURITY_STATUS schannel_encrypt(PCtxtHandle handle, ULONG qop, PSecBufferDesc msg, ULONG seq);
SECURITY_STATUS schannel_decrypt(PCtxtHandle handle, PSecBufferDesc msg, ULONG seq, ULONG *qop);

/* credentials.c */
struct schan_credential *credential_ref(const CredHandle *handle);

/* certkey.c: certificate chain and private key in the Unix half's form. */
struct cert_material {
    struct schan_blob *certs;      /* DER, leaf first */
    UINT32 cert_count;
    struct schan_private_key key;
    BYTE *key_storage;             /* owns the key parts */
    PCCERT_CONTEXT held[8];        /* intermediates kept alive for certs[] */
    UINT32 held_count;
};
SECURITY_STATUS cert_material_get(PCCERT_CONTEXT cert, struct cert_material *out);
void cert_material_free(struct cert_material *m);

/* validate.c: the verdict on the peer's chain. */
SECURITY_STATUS peer_chain_load(struct schan_context *ctx);
SECURITY_STATUS peer_chain_validate(struct schan_context *ctx);
/* SECPKG_ATTR_ISSUER_LIST_EX: the CA names of the server's CertificateRequest. */
SECURITY_STATUS issuer_list_query(struct schan_context *ctx, SecPkgContext_IssuerListInfoEx *out);

/* dtls.c */
BOOL context_is_datagram(const struct schan_context *ctx);
void dtls_session_params(PSecBufferDesc input, ULONG req, struct schan_session_create_params *params);
SECURITY_STATUS dtls_query_mtu(struct schan_context *ctx, SEC_DTLS_MTU *out);
SECURITY_STATUS dtls_set_mtu(struct schan_context *ctx, const SEC_DTLS_MTU *in, ULONG size);
SECURITY_STATUS dtls_query_srtp(struct schan_context *ctx, SecPkgContext_SrtpParameters *out);

/* contexts.c */
static inline enum schan_state context_state(struct schan_context *ctx)
{
    /* `failure` is written only with `lock` held exclusively */
    return ctx->failure ? SCHAN_STATE_FAILED : (enum schan_state)__atomic_load_n(&ctx->state, __ATOMIC_ACQUIRE);
}
/* What a Unix call that can change the state returned. */
static inline void context_store_state(struct schan_context *ctx, UINT32 state)
{
    __atomic_store_n(&ctx->state, state, __ATOMIC_RELEASE);
}
/* Past the handshake by the state's numbering (shut down or closed since
 * included; a shutdown queued before the end also counts, and then the Unix
 * half refuses what needs keys) and not failed. */
static inline BOOL context_established(struct schan_context *ctx)
{
    enum schan_state state = context_state(ctx);
    return state >= SCHAN_STATE_DONE && state != SCHAN_STATE_FAILED;
}
struct schan_context *context_ref(const CtxtHandle *handle);
BOOL context_info(struct schan_context *ctx);
BOOL context_info_details(struct schan_context *ctx);
void context_refresh_info(struct schan_context *ctx);

#endif
