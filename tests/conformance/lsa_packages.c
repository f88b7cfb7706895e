/*
 * NTLM, Kerberos and Negotiate, hosted by our secur32 from Wine's LSA-mode
 * package DLLs (msv1_0.dll, kerberos.dll).  The expected package values are
 * those Wine 8's builtin secur32 reports on the same machine.  NTLM needs
 * Samba's ntlm_auth (package winbind); without it NTLM is not registered,
 * as with Wine's builtin, and the NTLM tests are skipped.
 */
#include <string.h>
#include "testutil.h"
#include <ntsecapi.h>

struct expected_pkg {
    const WCHAR *name, *comment;
    ULONG caps;
    USHORT rpcid;
    ULONG max_token;
};

static const struct expected_pkg negotiate = { L"Negotiate", L"Microsoft Package Negotiator", 0x00083bb3, 9, 12000 };
static const struct expected_pkg kerberos = { L"Kerberos", L"Microsoft Kerberos V1.0", 0x008f3bbf, 16, 12000 };
static const struct expected_pkg ntlm = { L"NTLM", L"NTLM Security Package", 0x00082b37, 10, 1904 };

static BOOL have_ntlm_auth(void)
{
    return GetFileAttributesA("Z:\\usr\\bin\\ntlm_auth") != INVALID_FILE_ATTRIBUTES;
}

static void check_pkg(const SecPkgInfoW *info, const struct expected_pkg *want)
{
    ok(!wcscmp(info->Name, want->name), "package %ls is listed (got %ls)", want->name, info->Name);
    ok(info->Comment && !wcscmp(info->Comment, want->comment), "%ls: comment \"%ls\"", want->name, want->comment);
    ok(info->fCapabilities == want->caps, "%ls: capabilities %#lx (got %#lx)", want->name, want->caps,
       info->fCapabilities);
    ok(info->wVersion == 1 && info->wRPCID == want->rpcid, "%ls: version 1, RPC id %u (got %u, %u)", want->name,
       want->rpcid, info->wVersion, info->wRPCID);
    ok(info->cbMaxToken == want->max_token, "%ls: max token %lu (got %lu)", want->name, want->max_token,
       info->cbMaxToken);
}

static void test_enumerate(BOOL with_ntlm)
{
    const struct expected_pkg *want[] = { &negotiate, &kerberos, &ntlm };
    ULONG count = 0, i, lsa = with_ntlm ? 3 : 2;
    PSecPkgInfoW w = NULL;
    PSecPkgInfoA a = NULL;

    ok_hex(EnumerateSecurityPackagesW(&count, &w), SEC_E_OK, "EnumerateSecurityPackagesW");
    ok(count == lsa + 3, "%lu packages: Negotiate, Kerberos%s, then Schannel's three names (got %lu)", lsa + 3,
       with_ntlm ? ", NTLM" : "", count);
    for (i = 0; i < lsa && i < count; i++)
        check_pkg(&w[i], want[i]);
    if (count == lsa + 3)
        ok(!wcscmp(w[lsa].Name, L"Microsoft Unified Security Protocol Provider") && !wcscmp(w[lsa + 1].Name, L"Schannel")
           && !wcscmp(w[lsa + 2].Name, L"Default TLS SSP"), "Schannel's names follow");
    FreeContextBuffer(w);

    ok_hex(EnumerateSecurityPackagesA(&count, &a), SEC_E_OK, "EnumerateSecurityPackagesA");
    ok(count == lsa + 3 && !strcmp(a[0].Name, "Negotiate") && !strcmp(a[1].Name, "Kerberos")
       && !strcmp(a[1].Comment, "Microsoft Kerberos V1.0"), "A list starts with Negotiate, Kerberos");
    FreeContextBuffer(a);

    ok_hex(QuerySecurityPackageInfoA((SEC_CHAR *)"kerberos", &a), SEC_E_OK, "QuerySecurityPackageInfoA(kerberos)");
    ok(a && !strcmp(a->Name, "Kerberos") && a->wRPCID == 16, "Kerberos info by a case-insensitive name");
    FreeContextBuffer(a);
    ok_hex(QuerySecurityPackageInfoW((SEC_WCHAR *)L"Negotiate", &w), SEC_E_OK, "QuerySecurityPackageInfoW(Negotiate)");
    check_pkg(w, &negotiate);
    FreeContextBuffer(w);
    if (with_ntlm)
    {
        ok_hex(QuerySecurityPackageInfoW((SEC_WCHAR *)L"ntlm", &w), SEC_E_OK, "QuerySecurityPackageInfoW(ntlm)");
        check_pkg(w, &ntlm);
        FreeContextBuffer(w);
    }
}

static SEC_WINNT_AUTH_IDENTITY_A test_identity = {
    (unsigned char *)"testuser", 8, (unsigned char *)"TESTDOMAIN", 10, (unsigned char *)"Passw0rd!", 9,
    SEC_WINNT_AUTH_IDENTITY_ANSI
};

static SECURITY_STATUS acquire(const char *package, ULONG use, CredHandle *cred)
{
    TimeStamp expiry;
    return AcquireCredentialsHandleA(NULL, (SEC_CHAR *)package, use, NULL,
                                     use == SECPKG_CRED_OUTBOUND ? &test_identity : NULL, NULL, NULL, cred, &expiry);
}

static void test_credentials(void)
{
    SecPkgCredentials_NamesW names;
    CredHandle cred, copy;
    CtxtHandle bogus;

    ok_hex(acquire("NTLM", SECPKG_CRED_OUTBOUND, &cred), SEC_E_OK, "NTLM outbound credentials with an identity");
    /* Wine's msv1_0 answers no credential attribute (its builtin secur32 says the same). */
    ok_hex(QueryCredentialsAttributesW(&cred, SECPKG_CRED_ATTR_NAMES, &names), SEC_E_UNSUPPORTED_FUNCTION,
           "credential names: the package's answer");
    ok_hex(QueryCredentialsAttributesW(&cred, SECPKG_CRED_ATTR_NAMES, NULL), SEC_E_INVALID_PARAMETER,
           "credential attribute without a buffer");
    /* Routed to NTLM, which sets no attribute (nor does Wine's builtin), not
     * to Schannel, which would not know the handle.  secur32 does not export
     * SetCredentialsAttributes: callers reach it through the tables. */
    ok_hex(InitSecurityInterfaceW()->SetCredentialsAttributesW(&cred, SECPKG_CRED_ATTR_NAMES, &names, sizeof(names)),
           SEC_E_UNSUPPORTED_FUNCTION, "SetCredentialsAttributesW on NTLM: unsupported");
    ok_hex(InitSecurityInterfaceA()->SetCredentialsAttributesA(&cred, SECPKG_CRED_ATTR_NAMES, &names, sizeof(names)),
           SEC_E_UNSUPPORTED_FUNCTION, "SetCredentialsAttributesA on NTLM: unsupported");
    copy = cred;
    bogus.dwLower = cred.dwLower;
    bogus.dwUpper = cred.dwUpper;
    ok_hex(DeleteSecurityContext(&bogus), SEC_E_INVALID_HANDLE, "a credential handle is not a context handle");
    ok_hex(FreeCredentialsHandle(&cred), SEC_E_OK, "FreeCredentialsHandle");
    ok_hex(FreeCredentialsHandle(&copy), SEC_E_INVALID_HANDLE, "a freed NTLM credential is invalid");
    ok_hex(acquire("NTLM", 0, &cred), SEC_E_UNKNOWN_CREDENTIALS, "no use flags");
    ok_hex(AcquireCredentialsHandleW(NULL, (SEC_WCHAR *)L"NTLM", SECPKG_CRED_OUTBOUND, NULL, &test_identity, NULL,
                                     NULL, &cred, NULL), SEC_E_OK, "AcquireCredentialsHandleW with an ANSI identity");
    ok_hex(FreeCredentialsHandle(&cred), SEC_E_OK, "and its FreeCredentialsHandle");
    ok_hex(acquire("Negotiate", SECPKG_CRED_OUTBOUND, &cred), SEC_E_OK, "Negotiate outbound credentials");
    ok_hex(FreeCredentialsHandle(&cred), SEC_E_OK, "Negotiate FreeCredentialsHandle");
}

static BOOL is_ntlm_message(const SecBuffer *buf, BYTE type)
{
    const BYTE *p = buf->pvBuffer;
    return p && buf->cbBuffer >= 12 && !memcmp(p, "NTLMSSP", 8) && p[8] == type && !p[9] && !p[10] && !p[11];
}

static void init_token(SecBufferDesc *desc, SecBuffer *buf, void *data, ULONG size)
{
    desc->ulVersion = SECBUFFER_VERSION;
    desc->cBuffers = 1;
    desc->pBuffers = buf;
    buf->BufferType = SECBUFFER_TOKEN;
    buf->cbBuffer = size;
    buf->pvBuffer = data;
}

/* The client side is complete after the AUTHENTICATE message: it signs and seals. */
static void test_client_messages(CtxtHandle *ctx, const char *package)
{
    SecPkgContext_Sizes sizes = { 0 };
    SecPkgContext_NamesA names = { NULL };
    BYTE data[32] = "attack at dawn", sig[64], trailer[64];
    SecBuffer bufs[2];
    SecBufferDesc desc = { SECBUFFER_VERSION, 2, bufs };

    ok_hex(QueryContextAttributesW(ctx, SECPKG_ATTR_SIZES, &sizes), SEC_E_OK, "%s: SECPKG_ATTR_SIZES", package);
    ok(sizes.cbMaxSignature == 16 && sizes.cbMaxToken == 1904, "%s: NTLM sizes (signature %lu, token %lu)", package,
       sizes.cbMaxSignature, sizes.cbMaxToken);
    /* Wine 8's msv1_0 does not answer SECPKG_ATTR_NAMES: A and W pass that on alike. */
    ok_hex(QueryContextAttributesA(ctx, SECPKG_ATTR_NAMES, &names), QueryContextAttributesW(ctx, SECPKG_ATTR_NAMES,
           &names), "%s: SECPKG_ATTR_NAMES, A and W answer alike", package);
    if (names.sUserName)
        FreeContextBuffer(names.sUserName);

    bufs[0].BufferType = SECBUFFER_DATA;
    bufs[0].cbBuffer = 14;
    bufs[0].pvBuffer = data;
    bufs[1].BufferType = SECBUFFER_TOKEN;
    bufs[1].cbBuffer = sizeof(sig);
    bufs[1].pvBuffer = sig;
    ok_hex(MakeSignature(ctx, 0, &desc, 0), SEC_E_OK, "%s: MakeSignature", package);
    ok(bufs[1].cbBuffer == 16 && !memcmp(data, "attack at dawn", 14), "%s: a 16-byte signature, data untouched",
       package);
    bufs[1].cbBuffer = sizeof(trailer);
    bufs[1].pvBuffer = trailer;
    ok_hex(EncryptMessage(ctx, 0, &desc, 1), SEC_E_OK, "%s: EncryptMessage", package);
    ok(memcmp(data, "attack at dawn", 14) != 0, "%s: the data is sealed in place", package);
}

/* ISC(type 1) -> ASC(type 2) -> ISC(type 3) -> ASC: as far as this machine allows. */
static void test_ntlm_handshake(const char *client_package, const char *server_package)
{
    static BYTE out1[4096], out2[4096], out3[4096], out4[4096];
    CredHandle client_cred, server_cred;
    CtxtHandle client_ctx, server_ctx;
    SecBufferDesc in_desc, out_desc;
    SecBuffer in_buf, out_buf;
    SECURITY_STATUS status;
    ULONG attrs;
    TimeStamp expiry;

    ok_hex(acquire(client_package, SECPKG_CRED_OUTBOUND, &client_cred), SEC_E_OK, "%s client credentials",
           client_package);
    ok_hex(acquire(server_package, SECPKG_CRED_INBOUND, &server_cred), SEC_E_OK, "%s server credentials",
           server_package);

    init_token(&out_desc, &out_buf, out1, sizeof(out1));
    status = InitializeSecurityContextA(&client_cred, NULL, (SEC_CHAR *)"localhost", ISC_REQ_CONNECTION, 0,
                                        SECURITY_NATIVE_DREP, NULL, 0, &client_ctx, &out_desc, &attrs, &expiry);
    ok_hex(status, SEC_I_CONTINUE_NEEDED, "%s ISC 1: continue", client_package);
    ok(is_ntlm_message(&out_buf, 1), "%s ISC 1: an NTLM NEGOTIATE message (%lu bytes)", client_package,
       out_buf.cbBuffer);

    init_token(&in_desc, &in_buf, out1, out_buf.cbBuffer);
    init_token(&out_desc, &out_buf, out2, sizeof(out2));
    status = AcceptSecurityContext(&server_cred, NULL, &in_desc, ASC_REQ_CONNECTION, SECURITY_NATIVE_DREP,
                                   &server_ctx, &out_desc, &attrs, &expiry);
    ok_hex(status, SEC_I_CONTINUE_NEEDED, "%s ASC 1: continue", server_package);
    ok(is_ntlm_message(&out_buf, 2), "%s ASC 1: an NTLM CHALLENGE message (%lu bytes)", server_package,
       out_buf.cbBuffer);

    if (status == SEC_I_CONTINUE_NEEDED)
    {
        init_token(&in_desc, &in_buf, out2, out_buf.cbBuffer);
        init_token(&out_desc, &out_buf, out3, sizeof(out3));
        status = InitializeSecurityContextA(&client_cred, &client_ctx, (SEC_CHAR *)"localhost", ISC_REQ_CONNECTION,
                                            0, SECURITY_NATIVE_DREP, &in_desc, 0, &client_ctx, &out_desc, &attrs,
                                            &expiry);
        ok_hex(status, SEC_E_OK, "%s ISC 2: done", client_package);
        ok(is_ntlm_message(&out_buf, 3), "%s ISC 2: an NTLM AUTHENTICATE message (%lu bytes)", client_package,
           out_buf.cbBuffer);

        test_client_messages(&client_ctx, client_package);

        /* Checking testuser's response needs a domain controller (winbindd):
         * the server refuses the logon, with Windows' code for it. */
        init_token(&in_desc, &in_buf, out3, out_buf.cbBuffer);
        init_token(&out_desc, &out_buf, out4, sizeof(out4));
        status = AcceptSecurityContext(&server_cred, &server_ctx, &in_desc, ASC_REQ_CONNECTION, SECURITY_NATIVE_DREP,
                                       &server_ctx, &out_desc, &attrs, &expiry);
        ok_hex(status, SEC_E_LOGON_DENIED, "ASC 2: an unknown user is denied");
        DeleteSecurityContext(&server_ctx);
    }
    ok_hex(DeleteSecurityContext(&client_ctx), SEC_E_OK, "DeleteSecurityContext of the client");
    ok_hex(DeleteSecurityContext(&client_ctx), SEC_E_INVALID_HANDLE, "a deleted context is invalid");
    FreeCredentialsHandle(&client_cred);
    FreeCredentialsHandle(&server_cred);
}

/* Nothing a caller passes crashes; errors are Windows' codes. */
static void test_misuse(void)
{
    CredHandle cred, stale;
    CtxtHandle ctx, forged;
    SecBufferDesc desc;
    SecBuffer buf;
    BYTE out[2048], junk[64];

    ok_hex(acquire("NTLM", SECPKG_CRED_OUTBOUND, &cred), SEC_E_OK, "NTLM credentials");
    init_token(&desc, &buf, out, sizeof(out));
    ok_hex(InitializeSecurityContextA(&cred, NULL, NULL, 0, 0, 0, NULL, 0, NULL, &desc, NULL, NULL),
           SEC_E_INVALID_PARAMETER, "ISC without a place for the new context");
    ok_hex(InitializeSecurityContextA(&cred, NULL, NULL, ISC_REQ_ALLOCATE_MEMORY, 0, 0, NULL, 0, &ctx, NULL, NULL,
                                      NULL), SEC_E_INVALID_TOKEN, "ISC_REQ_ALLOCATE_MEMORY without an output token");
    forged.dwLower = 77;
    forged.dwUpper = (123 << 4) | 4;   /* an LSA context's type bits, no such slot */
    ok_hex(InitializeSecurityContextA(&cred, &forged, NULL, 0, 0, 0, NULL, 0, &forged, &desc, NULL, NULL),
           SEC_E_INVALID_HANDLE, "a forged context handle");
    ok_hex(EncryptMessage(&forged, 0, NULL, 0), SEC_E_INVALID_HANDLE, "EncryptMessage with a forged handle");
    ok_hex(QueryContextAttributesA(&forged, SECPKG_ATTR_SIZES, junk), SEC_E_INVALID_HANDLE, "QCA, forged handle");

    init_token(&desc, &buf, out, sizeof(out));
    ok_hex(InitializeSecurityContextA(&cred, NULL, NULL, 0, 0, 0, NULL, 0, &ctx, &desc, NULL, NULL),
           SEC_I_CONTINUE_NEEDED, "ISC 1");
    ok_hex(QueryContextAttributesA(&ctx, SECPKG_ATTR_SIZES, NULL), SEC_E_INVALID_PARAMETER, "QCA without a buffer");
    memset(junk, 0x41, sizeof(junk));
    init_token(&desc, &buf, junk, sizeof(junk));
    ok(InitializeSecurityContextA(&cred, &ctx, NULL, 0, 0, 0, &desc, 0, &ctx, &desc, NULL, NULL) != SEC_E_OK,
       "a junk CHALLENGE is refused");
    ok_hex(DeleteSecurityContext(&ctx), SEC_E_OK, "DeleteSecurityContext after a refused step");
    stale = cred;
    ok_hex(FreeCredentialsHandle(&cred), SEC_E_OK, "FreeCredentialsHandle");
    init_token(&desc, &buf, out, sizeof(out));
    ok_hex(InitializeSecurityContextA(&stale, NULL, NULL, 0, 0, 0, NULL, 0, &ctx, &desc, NULL, NULL),
           SEC_E_INVALID_HANDLE, "ISC with a freed NTLM credential");
}

static void test_allocate_memory(void)
{
    CredHandle cred;
    CtxtHandle ctx;
    SecBufferDesc desc;
    SecBuffer buf;
    SecPkgContext_Sizes sizes;
    SecPkgContext_PackageInfoA pkg = { NULL };
    ULONG attrs = 0;

    ok_hex(acquire("NTLM", SECPKG_CRED_OUTBOUND, &cred), SEC_E_OK, "NTLM credentials");
    init_token(&desc, &buf, NULL, 0);
    ok_hex(InitializeSecurityContextW(&cred, NULL, (SEC_WCHAR *)L"localhost",
                                      ISC_REQ_CONNECTION | ISC_REQ_ALLOCATE_MEMORY, 0, SECURITY_NATIVE_DREP, NULL,
                                      0, &ctx, &desc, &attrs, NULL),
           SEC_I_CONTINUE_NEEDED, "ISC with ISC_REQ_ALLOCATE_MEMORY");
    ok(buf.pvBuffer && is_ntlm_message(&buf, 1), "the allocated token holds the NEGOTIATE message");
    ok(attrs & ISC_RET_ALLOCATED_MEMORY, "ISC_RET_ALLOCATED_MEMORY is returned (attrs %#lx)", attrs);
    ok_hex(FreeContextBuffer(buf.pvBuffer), SEC_E_OK, "FreeContextBuffer frees it");
    ok_hex(QueryContextAttributesA(&ctx, SECPKG_ATTR_PACKAGE_INFO, &pkg), SEC_E_OK, "SECPKG_ATTR_PACKAGE_INFO");
    ok(pkg.PackageInfo && !strcmp(pkg.PackageInfo->Name, "NTLM"), "the context's package is NTLM");
    if (pkg.PackageInfo)
        FreeContextBuffer(pkg.PackageInfo);
    sizes.cbMaxToken = 0;
    QueryContextAttributesW(&ctx, SECPKG_ATTR_SIZES, &sizes);   /* answered or not before completion: no crash */
    ok_hex(SetContextAttributesW(&ctx, SECPKG_ATTR_SIZES, &sizes, sizeof(sizes)), SEC_E_UNSUPPORTED_FUNCTION,
           "SetContextAttributesW on NTLM: unsupported");
    ok_hex(SetContextAttributesA(&ctx, SECPKG_ATTR_SIZES, &sizes, sizeof(sizes)), SEC_E_UNSUPPORTED_FUNCTION,
           "SetContextAttributesA on NTLM: unsupported");
    ok_hex(EncryptMessage(&ctx, 0, NULL, 0), EncryptMessage(&ctx, 0, NULL, 0), "EncryptMessage on an NTLM context "
           "is routed to NTLM and answers consistently");
    ok_hex(DeleteSecurityContext(&ctx), SEC_E_OK, "DeleteSecurityContext");
    ok_hex(MakeSignature(&ctx, 0, NULL, 0), SEC_E_INVALID_HANDLE, "MakeSignature on a deleted context");
    FreeCredentialsHandle(&cred);
}

static void test_schannel_unaffected(void)
{
    SCHANNEL_CRED sc;
    CredHandle cred, ntlm_cred;
    CtxtHandle ctx;
    TimeStamp expiry;
    SecBufferDesc desc;
    SecBuffer buf;
    BYTE *out;

    memset(&sc, 0, sizeof(sc));
    sc.dwVersion = SCHANNEL_CRED_VERSION;
    sc.dwFlags = SCH_CRED_NO_DEFAULT_CREDS | SCH_CRED_MANUAL_CRED_VALIDATION;
    ok_hex(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, SECPKG_CRED_OUTBOUND, NULL, &sc, NULL, NULL,
                                     &cred, &expiry), SEC_E_OK, "Schannel credentials still work");
    init_token(&desc, &buf, NULL, 0);
    ok_hex(InitializeSecurityContextA(&cred, NULL, (SEC_CHAR *)"localhost", ISC_REQ_CONNECTION | ISC_REQ_ALLOCATE_MEMORY,
                                      0, 0, NULL, 0, &ctx, &desc, NULL, NULL), SEC_I_CONTINUE_NEEDED,
           "Schannel ISC: a ClientHello");
    out = buf.pvBuffer;
    ok(out && buf.cbBuffer > 5 && out[0] == 0x16, "a TLS handshake record (%lu bytes)", buf.cbBuffer);
    FreeContextBuffer(out);
    ok_hex(MakeSignature(&ctx, 0, NULL, 0), SEC_E_UNSUPPORTED_FUNCTION, "MakeSignature on Schannel: unsupported");
    ok_hex(DeleteSecurityContext(&ctx), SEC_E_OK, "Schannel DeleteSecurityContext");
    ok_hex(SetContextAttributesA(&ctx, SECPKG_ATTR_DTLS_MTU, &buf, sizeof(buf)), SEC_E_INVALID_HANDLE,
           "SetContextAttributesA on a deleted Schannel context");
    ok_hex(FreeCredentialsHandle(&cred), SEC_E_OK, "Schannel FreeCredentialsHandle");
    if (acquire("NTLM", SECPKG_CRED_INBOUND, &ntlm_cred) == SEC_E_OK)
    {
        init_token(&desc, &buf, NULL, 0);
        ok_hex(InitializeSecurityContextA(&ntlm_cred, &ctx, NULL, ISC_REQ_ALLOCATE_MEMORY, 0, 0, NULL, 0, &ctx, &desc,
                                          NULL, NULL),
               SEC_E_INVALID_HANDLE, "a deleted Schannel context with an NTLM credential is invalid");
        ok_hex(FreeCredentialsHandle(&ntlm_cred), SEC_E_OK, "NTLM inbound FreeCredentialsHandle");
    }
    else
        skip("no inbound NTLM credentials here");
}

static BOOL have_kerberos(void)
{
    SecPkgInfoA *info = NULL;

    if (QuerySecurityPackageInfoA((SEC_CHAR *)"Kerberos", &info))
        return FALSE;
    FreeContextBuffer(info);
    return TRUE;
}

/* Windows (Wine 8.0's secur32.c test_kerberos) gives a client credential of
 * the logon session even without a Kerberos ticket; ISC then fails cleanly. */
static void test_kerberos_session_credential(void)
{
    SecBuffer out_buf = { 0, SECBUFFER_TOKEN, NULL };
    SecBufferDesc out = { SECBUFFER_VERSION, 1, &out_buf };
    CtxtHandle ctx = { 0xdead, 0xbeef };
    CredHandle cred;
    SECURITY_STATUS status;
    ULONG attrs;

    ok_hex(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)"Kerberos", SECPKG_CRED_OUTBOUND, NULL, NULL, NULL, NULL,
                                     &cred, NULL), SEC_E_OK, "Kerberos: the logon session's client credential");
    status = InitializeSecurityContextA(&cred, NULL, (SEC_CHAR *)"HTTP/nosuchhost.invalid",
                                        ISC_REQ_ALLOCATE_MEMORY, 0, SECURITY_NATIVE_DREP, NULL, 0, &ctx, &out,
                                        &attrs, NULL);
    ok(status == SEC_E_NO_CREDENTIALS && ctx.dwLower == 0xdead && ctx.dwUpper == 0xbeef,
       "Kerberos: ISC without a ticket is SEC_E_NO_CREDENTIALS, no context (got %#lx)", status);
    if (out_buf.pvBuffer)
        FreeContextBuffer(out_buf.pvBuffer);
    ok_hex(FreeCredentialsHandle(&cred), SEC_E_OK, "Kerberos: FreeCredentialsHandle");
}

/* The LSA client calls, for the packages hosted here: every output is set
 * on every path (Wine 8.0's secur32.c reads them after failures). */
static void test_lsa_client(void)
{
    LSA_STRING name = { 8, 9, (char *)"Kerberos" }, bogus = { 6, 7, (char *)"nosuch" };
    SECURITY_LOGON_SESSION_DATA *data = (void *)1;
    void *ret = (void *)1;
    ULONG package = 99, ret_len = 99, count = 0;
    NTSTATUS status, sub = 1;
    LUID *sessions = NULL, none = { 0x12345, 0x6789 };
    HANDLE lsa = NULL;

    ok_hex(LsaConnectUntrusted(&lsa), 0, "LsaConnectUntrusted");
    ok_hex(LsaLookupAuthenticationPackage(lsa, &name, &package), 0, "LsaLookupAuthenticationPackage(Kerberos)");
    ok(package != 0 && package != 99, "  ... a package id (got %lu)", package);
    package = 99;
    ok_hex(LsaLookupAuthenticationPackage(lsa, &bogus, &package), 0xc00000fe, "an unknown package name");
    ok(package == 0, "  ... sets the id to 0 (got %lu)", package);
    status = LsaCallAuthenticationPackage((HANDLE)0x1234, 1, &package, sizeof(package), &ret, &ret_len, &sub);
    ok(status == (NTSTATUS)0xc0000008 && !ret && !ret_len && !sub,
       "a call on a bogus handle fails with every output set (got %#lx, %p, %lu, %#lx)", status, ret, ret_len, sub);
    ok_hex(LsaEnumerateLogonSessions(&count, &sessions), 0, "LsaEnumerateLogonSessions");
    ok(count == 1 && sessions, "  ... one session, this process's (got %lu)", count);
    if (sessions)
    {
        ok_hex(LsaGetLogonSessionData(sessions, &data), 0, "LsaGetLogonSessionData of it");
        ok(data && data->Size >= sizeof(*data) && data->AuthenticationPackage.Length > 0
           && !memcmp(&data->LogonId, sessions, sizeof(LUID)), "  ... describes it");
        if (data)
            LsaFreeReturnBuffer(data);
        LsaFreeReturnBuffer(sessions);
    }
    data = (void *)1;
    ok_hex(LsaGetLogonSessionData(&none, &data), 0xc000005f, "an unknown session");
    ok(data == NULL, "  ... sets the output to NULL");
    ok_hex(LsaDeregisterLogonProcess(lsa), 0, "LsaDeregisterLogonProcess");
}

int main(void)
{
    BOOL with_ntlm = have_ntlm_auth();

    if (!with_ntlm)
        diag("no /usr/bin/ntlm_auth (package winbind): NTLM is not registered, as with Wine's builtin");
    test_enumerate(with_ntlm);
    if (with_ntlm)
    {
        test_credentials();
        test_ntlm_handshake("NTLM", "NTLM");
        test_ntlm_handshake("Negotiate", "Negotiate");
        test_misuse();
        test_allocate_memory();
    }
    else
        skip("NTLM tests need ntlm_auth");
    if (have_kerberos())
    {
        test_kerberos_session_credential();
        test_lsa_client();
    }
    else
        skip("Kerberos is not registered here (Wine's kerberos.so needs libkrb5)");
    test_schannel_unaffected();
    return tap_done();
}
