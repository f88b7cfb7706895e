/* InitSecurityInterfaceA/W: the complete SSPI dispatch tables (curl and
 * others call everything through them).  Windows labels them version 1
 * (SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION) yet fills every entry, and
 * puts EncryptMessage/DecryptMessage in Reserved3/Reserved4 too, where
 * version 1 callers look for them (Wine's secur32 tests record both). */
#include "secur32_private.h"

SECURITY_STATUS WINAPI SetCredentialsAttributesW(PCredHandle, ULONG, void *, ULONG);
SECURITY_STATUS WINAPI SetCredentialsAttributesA(PCredHandle, ULONG, void *, ULONG);
SECURITY_STATUS WINAPI QueryContextAttributesExW(PCtxtHandle, ULONG, void *, ULONG);
SECURITY_STATUS WINAPI QueryContextAttributesExA(PCtxtHandle, ULONG, void *, ULONG);
SECURITY_STATUS WINAPI QueryCredentialsAttributesExW(PCredHandle, ULONG, void *, ULONG);
SECURITY_STATUS WINAPI QueryCredentialsAttributesExA(PCredHandle, ULONG, void *, ULONG);

static SecurityFunctionTableW table_w = {
    SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION,
    EnumerateSecurityPackagesW,
    QueryCredentialsAttributesW,
    AcquireCredentialsHandleW,
    FreeCredentialsHandle,
    NULL,
    InitializeSecurityContextW,
    AcceptSecurityContext,
    CompleteAuthToken,
    DeleteSecurityContext,
    ApplyControlToken,
    QueryContextAttributesW,
    ImpersonateSecurityContext,
    RevertSecurityContext,
    MakeSignature,
    VerifySignature,
    FreeContextBuffer,
    QuerySecurityPackageInfoW,
    EncryptMessage,
    DecryptMessage,
    ExportSecurityContext,
    ImportSecurityContextW,
    AddCredentialsW,
    NULL,
    QuerySecurityContextToken,
    EncryptMessage,
    DecryptMessage,
    SetContextAttributesW,
    SetCredentialsAttributesW,
    NULL,
    QueryContextAttributesExW,
    QueryCredentialsAttributesExW,
};

static SecurityFunctionTableA table_a = {
    SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION,
    EnumerateSecurityPackagesA,
    QueryCredentialsAttributesA,
    AcquireCredentialsHandleA,
    FreeCredentialsHandle,
    NULL,
    InitializeSecurityContextA,
    AcceptSecurityContext,
    CompleteAuthToken,
    DeleteSecurityContext,
    ApplyControlToken,
    QueryContextAttributesA,
    ImpersonateSecurityContext,
    RevertSecurityContext,
    MakeSignature,
    VerifySignature,
    FreeContextBuffer,
    QuerySecurityPackageInfoA,
    EncryptMessage,
    DecryptMessage,
    ExportSecurityContext,
    ImportSecurityContextA,
    AddCredentialsA,
    NULL,
    QuerySecurityContextToken,
    EncryptMessage,
    DecryptMessage,
    SetContextAttributesA,
    SetCredentialsAttributesA,
    NULL,
    QueryContextAttributesExA,
    QueryCredentialsAttributesExA,
};

PSecurityFunctionTableW WINAPI InitSecurityInterfaceW(void)
{
    TRACE("\n");
    return &table_w;
}

PSecurityFunctionTableA WINAPI InitSecurityInterfaceA(void)
{
    TRACE("\n");
    return &table_a;
}
