/*
 * Exports whose function Schannel does not provide, or that belong to
 * packages this DLL does not carry.  Each answers Windows' own "not
 * supported" in its return type and never pretends success.
 */
#include "secur32_private.h"
#include <ntsecapi.h>

/* Stubs name their parameters for documentation only. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#ifndef STATUS_NOT_IMPLEMENTED
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002L)
#endif

#define UNSUPPORTED_SSPI(name, ...) \
    SECURITY_STATUS WINAPI name(__VA_ARGS__) \
    { \
        TRACE("not supported by Schannel\n"); \
        return SEC_E_UNSUPPORTED_FUNCTION; \
    }

UNSUPPORTED_SSPI(ImpersonateSecurityContext, PCtxtHandle ctx)
UNSUPPORTED_SSPI(RevertSecurityContext, PCtxtHandle ctx)
UNSUPPORTED_SSPI(ExportSecurityContext, PCtxtHandle ctx, ULONG flags, PSecBuffer packed, void **token)
UNSUPPORTED_SSPI(ImportSecurityContextW, SEC_WCHAR *package, PSecBuffer packed, void *token, PCtxtHandle ctx)
UNSUPPORTED_SSPI(ImportSecurityContextA, SEC_CHAR *package, PSecBuffer packed, void *token, PCtxtHandle ctx)
UNSUPPORTED_SSPI(AddCredentialsW, PCredHandle cred, SEC_WCHAR *principal, SEC_WCHAR *package, ULONG use,
                 void *auth, SEC_GET_KEY_FN fn, void *arg, PTimeStamp expiry)
UNSUPPORTED_SSPI(AddCredentialsA, PCredHandle cred, SEC_CHAR *principal, SEC_CHAR *package, ULONG use,
                 void *auth, SEC_GET_KEY_FN fn, void *arg, PTimeStamp expiry)
UNSUPPORTED_SSPI(QueryContextAttributesExW, PCtxtHandle ctx, ULONG attr, void *buf, ULONG size)
UNSUPPORTED_SSPI(QueryContextAttributesExA, PCtxtHandle ctx, ULONG attr, void *buf, ULONG size)
UNSUPPORTED_SSPI(QueryCredentialsAttributesExW, PCredHandle cred, ULONG attr, void *buf, ULONG size)
UNSUPPORTED_SSPI(QueryCredentialsAttributesExA, PCredHandle cred, ULONG attr, void *buf, ULONG size)

/* Installing further packages at run time. */
UNSUPPORTED_SSPI(AddSecurityPackageW, LPWSTR name, PSECURITY_PACKAGE_OPTIONS options)
UNSUPPORTED_SSPI(AddSecurityPackageA, LPSTR name, PSECURITY_PACKAGE_OPTIONS options)
UNSUPPORTED_SSPI(DeleteSecurityPackageW, SEC_WCHAR *name)
UNSUPPORTED_SSPI(DeleteSecurityPackageA, SEC_CHAR *name)

/* SASL layers over Kerberos/NTLM: no such package here. */
UNSUPPORTED_SSPI(SaslEnumerateProfilesW, LPWSTR *list, ULONG *count)
UNSUPPORTED_SSPI(SaslEnumerateProfilesA, LPSTR *list, ULONG *count)
UNSUPPORTED_SSPI(SaslGetProfilePackageW, LPWSTR profile, PSecPkgInfoW *info)
UNSUPPORTED_SSPI(SaslGetProfilePackageA, LPSTR profile, PSecPkgInfoA *info)
UNSUPPORTED_SSPI(SaslIdentifyPackageW, PSecBufferDesc input, PSecPkgInfoW *info)
UNSUPPORTED_SSPI(SaslIdentifyPackageA, PSecBufferDesc input, PSecPkgInfoA *info)
UNSUPPORTED_SSPI(SaslInitializeSecurityContextW, PCredHandle cred, PCtxtHandle ctx, LPWSTR target, ULONG req,
                 ULONG r1, ULONG rep, PSecBufferDesc in, ULONG r2, PCtxtHandle new_ctx, PSecBufferDesc out,
                 ULONG *attr, PTimeStamp expiry)
UNSUPPORTED_SSPI(SaslInitializeSecurityContextA, PCredHandle cred, PCtxtHandle ctx, LPSTR target, ULONG req,
                 ULONG r1, ULONG rep, PSecBufferDesc in, ULONG r2, PCtxtHandle new_ctx, PSecBufferDesc out,
                 ULONG *attr, PTimeStamp expiry)
UNSUPPORTED_SSPI(SaslAcceptSecurityContext, PCredHandle cred, PCtxtHandle ctx, PSecBufferDesc in, ULONG req,
                 ULONG rep, PCtxtHandle new_ctx, PSecBufferDesc out, ULONG *attr, PTimeStamp expiry)

#define UNSUPPORTED_NT(name, ...) \
    NTSTATUS WINAPI name(__VA_ARGS__) \
    { \
        TRACE("not implemented\n"); \
        return STATUS_NOT_IMPLEMENTED; \
    }

/* Policy change notifications need a real LSA (the client calls are in
 * lsa_client.c). */
UNSUPPORTED_NT(LsaRegisterPolicyChangeNotification, POLICY_NOTIFICATION_INFORMATION_CLASS cls, HANDLE event)
UNSUPPORTED_NT(LsaUnregisterPolicyChangeNotification, POLICY_NOTIFICATION_INFORMATION_CLASS cls, HANDLE event)

/* Undocumented internals of Windows' secur32 (user-mode context import,
 * package cache, name translation): answered as not implemented. */
UNSUPPORTED_NT(SecInitUserModeContext, PCtxtHandle ctx, PSecBuffer packed)
UNSUPPORTED_NT(SecDeleteUserModeContext, PCtxtHandle ctx)
UNSUPPORTED_NT(SecCacheSspiPackages, void)
UNSUPPORTED_NT(GetSecurityUserInfo, PLUID id, ULONG flags, void **info)
UNSUPPORTED_NT(SecpTranslateName, void *a, void *b, void *c, void *d, void *e)
UNSUPPORTED_NT(SecpTranslateNameEx, void *a, void *b, void *c, void *d, void *e)

BOOLEAN WINAPI SecGetLocaleSpecificEncryptionRules(BOOLEAN *ptr)
{
    TRACE("not implemented\n");
    SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
    return FALSE;
}

void WINAPI SecpFreeMemory(void *ptr)
{
    TRACE("%p: not implemented\n", ptr);
    SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
}
