/* Package enumeration, package information and the SSPI dispatch tables. */
#include <string.h>
#include "testutil.h"

static const char *names[] = {
    "Microsoft Unified Security Protocol Provider", "Schannel", "Default TLS SSP"
};
/* Before them, as on Windows: Negotiate, Kerberos, NTLM (lsa_packages.c
 * checks those); NTLM only where Samba's ntlm_auth is installed. */
static const char *lsa_names[] = { "Negotiate", "Kerberos", "NTLM" };

static void check_info_w(const SecPkgInfoW *info, const char *what)
{
    ok(info->fCapabilities == 0x107b3, "%s: capabilities 0x107b3 (got %#lx)", what, info->fCapabilities);
    ok(info->wVersion == 1, "%s: version 1 (got %u)", what, info->wVersion);
    ok(info->wRPCID == 14, "%s: RPC id 14 (got %u)", what, info->wRPCID);
    ok(info->cbMaxToken == 24576, "%s: max token 24576 (got %lu)", what, info->cbMaxToken);
    ok(info->Comment && !wcscmp(info->Comment, L"Schannel Security Package"), "%s: comment", what);
}

static void test_enumerate(void)
{
    PSecPkgInfoW w = NULL;
    PSecPkgInfoA a = NULL;
    ULONG count = 0, i, lsa = GetFileAttributesA("Z:\\usr\\bin\\ntlm_auth") != INVALID_FILE_ATTRIBUTES ? 3 : 2;

    ok_hex(EnumerateSecurityPackagesW(&count, &w), SEC_E_OK, "EnumerateSecurityPackagesW");
    ok(count == lsa + ARRAY_SIZE(names), "W: %lu packages (got %lu)", lsa + (ULONG)ARRAY_SIZE(names), count);
    for (i = 0; i < count && i < lsa; i++)
    {
        WCHAR wname[64];
        MultiByteToWideChar(CP_ACP, 0, lsa_names[i], -1, wname, 64);
        ok(!wcscmp(w[i].Name, wname), "W: package %lu is %s", i, lsa_names[i]);
    }
    for (i = lsa; i < count && i - lsa < ARRAY_SIZE(names); i++)
    {
        WCHAR wname[64];
        MultiByteToWideChar(CP_ACP, 0, names[i - lsa], -1, wname, 64);
        ok(!wcscmp(w[i].Name, wname), "W: package %lu is %s", i, names[i - lsa]);
        check_info_w(&w[i], names[i - lsa]);
    }
    ok_hex(FreeContextBuffer(w), SEC_E_OK, "FreeContextBuffer of the W list");

    ok_hex(EnumerateSecurityPackagesA(&count, &a), SEC_E_OK, "EnumerateSecurityPackagesA");
    ok(count == lsa + ARRAY_SIZE(names), "A: %lu packages", lsa + (ULONG)ARRAY_SIZE(names));
    for (i = 0; i < count && i < lsa; i++)
        ok(!strcmp(a[i].Name, lsa_names[i]), "A: package %lu is %s", i, lsa_names[i]);
    for (i = lsa; i < count && i - lsa < ARRAY_SIZE(names); i++)
        ok(!strcmp(a[i].Name, names[i - lsa]) && !strcmp(a[i].Comment, "Schannel Security Package")
           && a[i].cbMaxToken == 24576, "A: package %lu is %s with Windows' values", i, names[i - lsa]);
    FreeContextBuffer(a);
    ok_hex(EnumerateSecurityPackagesW(NULL, &w), SEC_E_INVALID_PARAMETER, "NULL count");
}

static void test_query_info(void)
{
    PSecPkgInfoW w;
    PSecPkgInfoA a;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        ok_hex(QuerySecurityPackageInfoA((SEC_CHAR *)names[i], &a), SEC_E_OK, "QuerySecurityPackageInfoA(%s)", names[i]);
        ok(!strcmp(a->Name, names[i]) && a->fCapabilities == 0x107b3, "A info of %s", names[i]);
        FreeContextBuffer(a);
    }
    ok_hex(QuerySecurityPackageInfoW((SEC_WCHAR *)L"schannel", &w), SEC_E_OK, "names are case-insensitive");
    check_info_w(w, "schannel (W)");
    FreeContextBuffer(w);
    w = (void *)1;
    ok_hex(QuerySecurityPackageInfoW((SEC_WCHAR *)L"NoSuchPackage", &w), SEC_E_SECPKG_NOT_FOUND, "unknown package");
    ok(w == NULL, "unknown package leaves the output NULL");
    ok_hex(QuerySecurityPackageInfoA(NULL, &a), SEC_E_SECPKG_NOT_FOUND, "NULL package name");
}

static void test_tables(void)
{
    HMODULE module = GetModuleHandleA("secur32.dll");
    SecurityFunctionTableW *w = InitSecurityInterfaceW();
    SecurityFunctionTableA *a = InitSecurityInterfaceA();

    ok(w && a, "InitSecurityInterfaceA/W return tables");
    if (!w || !a)
        return;
    /* Windows' record (Wine's secur32 tests): version 1, every entry filled,
     * Reserved3/Reserved4 holding EncryptMessage/DecryptMessage. */
    ok(w->dwVersion == SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION
       && a->dwVersion == SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION, "table version 1 (got %lu)", w->dwVersion);
    ok((void *)w->Reserved3 == (void *)w->EncryptMessage && (void *)w->Reserved4 == (void *)w->DecryptMessage
       && (void *)a->Reserved3 == (void *)a->EncryptMessage && (void *)a->Reserved4 == (void *)a->DecryptMessage,
       "Reserved3/Reserved4 are EncryptMessage/DecryptMessage");
#define CHECK_W(f) ok((void *)w->f == (void *)GetProcAddress(module, #f), "W table: " #f)
#define CHECK_A(f) ok((void *)a->f == (void *)GetProcAddress(module, #f), "A table: " #f)
    CHECK_W(EnumerateSecurityPackagesW); CHECK_W(QueryCredentialsAttributesW); CHECK_W(AcquireCredentialsHandleW);
    CHECK_W(FreeCredentialsHandle); CHECK_W(InitializeSecurityContextW); CHECK_W(AcceptSecurityContext);
    CHECK_W(CompleteAuthToken); CHECK_W(DeleteSecurityContext); CHECK_W(ApplyControlToken);
    CHECK_W(QueryContextAttributesW); CHECK_W(ImpersonateSecurityContext); CHECK_W(RevertSecurityContext);
    CHECK_W(MakeSignature); CHECK_W(VerifySignature); CHECK_W(FreeContextBuffer); CHECK_W(QuerySecurityPackageInfoW);
    CHECK_W(ExportSecurityContext); CHECK_W(ImportSecurityContextW); CHECK_W(AddCredentialsW);
    CHECK_W(QuerySecurityContextToken); CHECK_W(EncryptMessage); CHECK_W(DecryptMessage); CHECK_W(SetContextAttributesW);
    CHECK_A(EnumerateSecurityPackagesA); CHECK_A(QueryCredentialsAttributesA); CHECK_A(AcquireCredentialsHandleA);
    CHECK_A(FreeCredentialsHandle); CHECK_A(InitializeSecurityContextA); CHECK_A(AcceptSecurityContext);
    CHECK_A(CompleteAuthToken); CHECK_A(DeleteSecurityContext); CHECK_A(ApplyControlToken);
    CHECK_A(QueryContextAttributesA); CHECK_A(ImpersonateSecurityContext); CHECK_A(RevertSecurityContext);
    CHECK_A(MakeSignature); CHECK_A(VerifySignature); CHECK_A(FreeContextBuffer); CHECK_A(QuerySecurityPackageInfoA);
    CHECK_A(ExportSecurityContext); CHECK_A(ImportSecurityContextA); CHECK_A(AddCredentialsA);
    CHECK_A(QuerySecurityContextToken); CHECK_A(EncryptMessage); CHECK_A(DecryptMessage); CHECK_A(SetContextAttributesA);
    ok(w->SetCredentialsAttributesW != NULL && a->SetCredentialsAttributesA != NULL,
       "SetCredentialsAttributes present in both tables");
    ok(w->QueryContextAttributesExW != NULL && w->QueryCredentialsAttributesExW != NULL, "Ex entries present");
}

static void test_unsupported(void)
{
    CtxtHandle ctx = { 0, 0 };
    ULONG qop = 0;

    ok_hex(MakeSignature(&ctx, 0, NULL, 0), SEC_E_UNSUPPORTED_FUNCTION, "MakeSignature is unsupported");
    ok_hex(VerifySignature(&ctx, NULL, 0, &qop), SEC_E_UNSUPPORTED_FUNCTION, "VerifySignature is unsupported");
    ok_hex(CompleteAuthToken(&ctx, NULL), SEC_E_UNSUPPORTED_FUNCTION, "CompleteAuthToken is unsupported");
    ok_hex(AddSecurityPackageA((LPSTR)"x", NULL), SEC_E_UNSUPPORTED_FUNCTION, "AddSecurityPackageA is unsupported");
}

int main(void)
{
    char product[64];

    ok(secur32_is_ours(product, sizeof(product)), "testing secur32-gnutls, not Wine's secur32");
    test_enumerate();
    test_query_info();
    test_tables();
    test_unsupported();
    return tap_done();
}
