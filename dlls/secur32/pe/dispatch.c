/* InitSecurityInterfaceA/W: the complete SSPI dispatch tables (curl and
 * others call everything through them). */
#include "secur32_private.h"

SECURITY_STATUS WINAPI SetCredentialsAttributesW(PCredHandle, ULONG, void *, ULONG);
SECURITY_STATUS WINAPI SetCredentialsAttributesA(PCredHandle, ULONG, void *, ULONG);
SECURITY_STATUS WINAPI QueryContextAttributesExW(PCtxtHandle, ULONG, void *, ULONG);
SECURITY_STATUS WINAPI QueryContextAttributesExA(PCtxtHandle, ULONG, void *, ULONG);
SECURITY_STATUS WINAPI QueryCredentialsAttributesExW(PCredHandle, ULONG, void *, ULONG);
SECURITY_STATUS WINAPI QueryCredentialsAttributesExA(PCredHandle, ULONG, void *, ULONG);

static SecurityFunctionTableW table_w = {
    SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION_4,
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
    NULL,
    NULL,
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
    SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION_4,
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
    NULL,
    NULL,
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
