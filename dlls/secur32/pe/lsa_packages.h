/* The LSA-mode packages Wine ships (kerberos.dll, msv1_0.dll) hosted in
 * process, and a Negotiate package over them (lsa_packages.c). */
#ifndef LSA_PACKAGES_H
#define LSA_PACKAGES_H

#include "secur32_private.h"

static inline BOOL lsa_is_cred(const SecHandle *h)
{
    return h && (h->dwUpper & 0xf) == HANDLE_TYPE_LSA_CRED;
}

static inline BOOL lsa_is_ctxt(const SecHandle *h)
{
    return h && (h->dwUpper & 0xf) == HANDLE_TYPE_LSA_CTXT;
}

ULONG lsa_package_count(void);
const struct package_desc *lsa_package_at(ULONG index);
const struct package_desc *lsa_package_find_w(const WCHAR *name);
const struct package_desc *lsa_package_find_a(const char *name);

SECURITY_STATUS lsa_acquire_credentials(const struct package_desc *pkg, const WCHAR *principal, ULONG use,
                                        void *logon_id, void *auth, SEC_GET_KEY_FN get_key,
                                        void *get_key_arg, PCredHandle handle, PTimeStamp expiry);
SECURITY_STATUS lsa_free_credentials(PCredHandle handle);
SECURITY_STATUS lsa_query_credentials(PCredHandle handle, ULONG attribute, void *buffer, BOOL wide);
SECURITY_STATUS lsa_context_call(PCredHandle cred, PCtxtHandle ctx, const WCHAR *target, ULONG req,
                                 ULONG datarep, PSecBufferDesc input, PCtxtHandle new_ctx, PSecBufferDesc output,
                                 ULONG *attrs, PTimeStamp expiry, BOOL server);
SECURITY_STATUS lsa_delete_context(PCtxtHandle handle);
SECURITY_STATUS lsa_query_context(PCtxtHandle handle, ULONG attribute, void *buffer, BOOL wide);
SECURITY_STATUS lsa_apply_control_token(PCtxtHandle handle, PSecBufferDesc input);
SECURITY_STATUS lsa_complete_auth_token(PCtxtHandle handle, PSecBufferDesc input);
SECURITY_STATUS lsa_make_signature(PCtxtHandle handle, ULONG qop, PSecBufferDesc msg, ULONG seq);
SECURITY_STATUS lsa_verify_signature(PCtxtHandle handle, PSecBufferDesc msg, ULONG seq, ULONG *qop);
SECURITY_STATUS lsa_encrypt(PCtxtHandle handle, ULONG qop, PSecBufferDesc msg, ULONG seq);
SECURITY_STATUS lsa_decrypt(PCtxtHandle handle, PSecBufferDesc msg, ULONG seq, ULONG *qop);
SECURITY_STATUS lsa_query_context_token(PCtxtHandle handle, HANDLE *token);

/* For the LSA client calls (lsa_client.c). */
BOOL lsa_package_id(const char *auth_name, ULONG len, ULONG *id);
NTSTATUS lsa_package_call(ULONG id, void *submit, ULONG submit_len, void **ret, ULONG *ret_len, NTSTATUS *status);

#endif
