/* API misuse: NULL pointers, wrong buffer counts and types, undersized
 * buffers, invalid, stale, foreign and double-freed handles, credential
 * handles passed as contexts and the reverse, calls after delete.  Each
 * gives the code Windows gives; none crashes.
 *
 * Where the expected code comes from:
 *   [wine]  Wine's conformance tests, dlls/secur32/tests/schannel.c, which
 *           record what Windows 10/11 returns (they pass on Windows);
 *   [docs]  Microsoft's reference pages for the function (Schannel
 *           variants on learn.microsoft.com), "Return value" sections;
 *   [fails] Windows' exact code is not recorded anywhere we could check:
 *           the test only demands a failure (FAILED()) and no crash. */
#include "robustutil.h"

static PCCERT_CONTEXT server_cert;
static int cases;

#define EXPECT(got, want, ...) do { cases++; ok_hex((got), (want), __VA_ARGS__); } while (0)
#define EXPECT_FAIL(got, ...) do { SECURITY_STATUS s_ = (got); cases++; \
        if (!ok(FAILED(s_), __VA_ARGS__)) diag("  got 0x%08lx", s_); } while (0)

static void init_out(SecBuffer *b, SecBufferDesc *d, ULONG count)
{
    d->ulVersion = SECBUFFER_VERSION;
    d->cBuffers = count;
    d->pBuffers = b;
    for (ULONG i = 0; i < count; i++)
    {
        b[i].BufferType = SECBUFFER_EMPTY;
        b[i].cbBuffer = 0;
        b[i].pvBuffer = NULL;
    }
}

/* ---- credentials ---- */

static void test_acquire(void)
{
    SCHANNEL_CRED sc;
    CredHandle cred;
    SECURITY_STATUS s;
    TimeStamp exp;

    /* [wine] testAcquireSecurityContext */
    EXPECT(AcquireCredentialsHandleA(NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL), SEC_E_SECPKG_NOT_FOUND,
           "ACH: no package name -> SEC_E_SECPKG_NOT_FOUND");
    EXPECT(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, 0, NULL, NULL, NULL, NULL, NULL, NULL),
           SEC_E_NO_CREDENTIALS, "ACH: no use flags, no handle -> SEC_E_NO_CREDENTIALS");
    EXPECT(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, SECPKG_CRED_BOTH, NULL, NULL, NULL, NULL, NULL,
                                     NULL), SEC_E_NO_CREDENTIALS, "ACH: SECPKG_CRED_BOTH, no handle -> SEC_E_NO_CREDENTIALS");
    EXPECT(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL, NULL,
                                     NULL), SEC_E_NO_CREDENTIALS, "ACH: inbound, no handle -> SEC_E_NO_CREDENTIALS");
    EXPECT(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL,
                                     &cred, NULL), SEC_E_NO_CREDENTIALS,
           "ACH: inbound without a certificate -> SEC_E_NO_CREDENTIALS");
    memset(&sc, 0, sizeof(sc));
    EXPECT(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, SECPKG_CRED_OUTBOUND, NULL, &sc, NULL, NULL, NULL,
                                     NULL), SEC_E_UNKNOWN_CREDENTIALS, "ACH: SCHANNEL_CRED version 0 -> SEC_E_UNKNOWN_CREDENTIALS");
    EXPECT(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, SECPKG_CRED_INBOUND, NULL, &sc, NULL, NULL, NULL,
                                     NULL), SEC_E_UNKNOWN_CREDENTIALS,
           "ACH: SCHANNEL_CRED version 0, inbound -> SEC_E_UNKNOWN_CREDENTIALS");
    sc.dwVersion = SCHANNEL_CRED_VERSION;
    sc.grbitEnabledProtocols = SP_PROT_TLS1_X_SERVER;
    EXPECT(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, SECPKG_CRED_OUTBOUND, NULL, &sc, NULL, NULL,
                                     &cred, &exp), SEC_E_ALGORITHM_MISMATCH,
           "ACH: client with only server protocols -> SEC_E_ALGORITHM_MISMATCH");
    sc.grbitEnabledProtocols = SP_PROT_TLS1_X_CLIENT;
    EXPECT(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, SECPKG_CRED_INBOUND, NULL, &sc, NULL, NULL,
                                     &cred, &exp), SEC_E_ALGORITHM_MISMATCH,
           "ACH: server with only client protocols -> SEC_E_ALGORITHM_MISMATCH");
    /* [fails] an unknown package name */
    s = AcquireCredentialsHandleA(NULL, (SEC_CHAR *)"No Such Package", SECPKG_CRED_OUTBOUND, NULL, NULL, NULL, NULL,
                                  &cred, NULL);
    EXPECT(s, SEC_E_SECPKG_NOT_FOUND, "ACH: unknown package -> SEC_E_SECPKG_NOT_FOUND");   /* [docs] */
}

static void test_credential_handles(void)
{
    CredHandle cred, copy, forged = { 0xdeadbeef, 0xfeedface }, zero = { 0, 0 };
    SecPkgCred_SupportedProtocols protocols;
    SecPkgCredentials_NamesA names;

    ok_hex(acquire_cred(&cred, SECPKG_CRED_OUTBOUND, NULL, FALSE, 0, 0), SEC_E_OK, "client credential");
    /* [wine] test_cread_attrs / testAcquireSecurityContext */
    EXPECT(QueryCredentialsAttributesA(&cred, SECPKG_ATTR_SUPPORTED_PROTOCOLS, NULL), SEC_E_INTERNAL_ERROR,
           "QueryCredentialsAttributes with a NULL buffer -> SEC_E_INTERNAL_ERROR");
    EXPECT(QueryCredentialsAttributesA(&cred, SECPKG_CRED_ATTR_NAMES, &names), SEC_E_NO_CREDENTIALS,
           "QueryCredentialsAttributes(NAMES) without a certificate -> SEC_E_NO_CREDENTIALS");
    /* [docs] FreeCredentialsHandle / QueryCredentialsAttributes: SEC_E_INVALID_HANDLE */
    EXPECT(QueryCredentialsAttributesA(&forged, SECPKG_ATTR_SUPPORTED_PROTOCOLS, &protocols), SEC_E_INVALID_HANDLE,
           "QueryCredentialsAttributes on a forged handle -> SEC_E_INVALID_HANDLE");
    EXPECT(FreeCredentialsHandle(&forged), SEC_E_INVALID_HANDLE, "FreeCredentialsHandle(forged) -> SEC_E_INVALID_HANDLE");
    EXPECT(FreeCredentialsHandle(&zero), SEC_E_INVALID_HANDLE, "FreeCredentialsHandle({0,0}) -> SEC_E_INVALID_HANDLE");
    EXPECT(FreeCredentialsHandle(NULL), SEC_E_INVALID_HANDLE, "FreeCredentialsHandle(NULL) -> SEC_E_INVALID_HANDLE");
    copy = cred;
    EXPECT(FreeCredentialsHandle(&cred), SEC_E_OK, "FreeCredentialsHandle -> SEC_E_OK");
    EXPECT(FreeCredentialsHandle(&copy), SEC_E_INVALID_HANDLE, "FreeCredentialsHandle twice -> SEC_E_INVALID_HANDLE");
    EXPECT(QueryCredentialsAttributesA(&copy, SECPKG_ATTR_SUPPORTED_PROTOCOLS, &protocols), SEC_E_INVALID_HANDLE,
           "QueryCredentialsAttributes after free -> SEC_E_INVALID_HANDLE");
}

/* ---- contexts ---- */

/* A client context after its first call (ClientHello produced). */
static BOOL start_client(CredHandle *cred, CtxtHandle *ctx)
{
    SecBuffer out[1];
    SecBufferDesc od;
    ULONG attrs;
    SECURITY_STATUS s;

    init_out(out, &od, 1);
    out[0].BufferType = SECBUFFER_TOKEN;
    s = InitializeSecurityContextW(cred, NULL, (SEC_WCHAR *)L"localhost", CLIENT_REQ, 0, 0, NULL, 0, ctx, &od, &attrs,
                                   NULL);
    FreeContextBuffer(out[0].pvBuffer);
    return s == SEC_I_CONTINUE_NEEDED;
}

static void test_isc_arguments(CredHandle *ccred, CredHandle *scred)
{
    CtxtHandle ctx, ctx2, stale;
    CredHandle freed;
    SecBuffer in[2], out[2];
    SecBufferDesc id, od;
    BYTE token[64], outbuf[1];
    ULONG attrs;

    /* [wine] test_communication: no output description on the first call. */
    EXPECT(InitializeSecurityContextA(ccred, NULL, (SEC_CHAR *)"localhost", ISC_REQ_CONFIDENTIALITY | ISC_REQ_STREAM,
                                      0, 0, NULL, 0, &ctx, NULL, &attrs, NULL), SEC_E_INVALID_TOKEN,
           "ISC: NULL output description -> SEC_E_INVALID_TOKEN");
    if (!start_client(ccred, &ctx))
        return;
    /* [wine] test_communication: continuing without input, or with 0 and 4
     * bytes: SEC_E_INCOMPLETE_MESSAGE, the output untouched, no new handle
     * written; SECBUFFER_MISSING says 5 and 1 (Windows 10 and later). */
    init_out(out, &od, 1);
    out[0].BufferType = SECBUFFER_TOKEN;
    out[0].pvBuffer = outbuf;
    out[0].cbBuffer = sizeof(outbuf);
    ctx2.dwLower = ctx2.dwUpper = 0xdeadbeef;
    EXPECT(InitializeSecurityContextA(ccred, &ctx, (SEC_CHAR *)"localhost", ISC_REQ_CONFIDENTIALITY | ISC_REQ_STREAM,
                                      0, 0, NULL, 0, &ctx2, &od, &attrs, NULL), SEC_E_INCOMPLETE_MESSAGE,
           "ISC: no input on a started context -> SEC_E_INCOMPLETE_MESSAGE");
    cases++;
    ok(out[0].cbBuffer == sizeof(outbuf) && out[0].BufferType == SECBUFFER_TOKEN, "  ... output buffer untouched");
    cases++;
    ok(ctx2.dwLower == 0xdeadbeef && ctx2.dwUpper == 0xdeadbeef, "  ... no new context handle written");
    init_out(in, &id, 2);
    in[0].BufferType = SECBUFFER_TOKEN;
    in[0].pvBuffer = token;
    memcpy(token, "\x16\x03\x03\x00\x40", 5);
    EXPECT(InitializeSecurityContextA(ccred, &ctx, (SEC_CHAR *)"localhost", ISC_REQ_CONFIDENTIALITY | ISC_REQ_STREAM,
                                      0, 0, &id, 0, NULL, &od, &attrs, NULL), SEC_E_INCOMPLETE_MESSAGE,
           "ISC: empty input TOKEN -> SEC_E_INCOMPLETE_MESSAGE");
    cases++;
    ok(in[1].BufferType == SECBUFFER_MISSING && in[1].cbBuffer == 5, "  ... SECBUFFER_MISSING of 5 (got type %lu, %lu)",
       in[1].BufferType, in[1].cbBuffer);
    in[0].cbBuffer = 4;
    in[1].BufferType = SECBUFFER_EMPTY;
    in[1].cbBuffer = 0;
    EXPECT(InitializeSecurityContextA(ccred, &ctx, (SEC_CHAR *)"localhost", ISC_REQ_CONFIDENTIALITY | ISC_REQ_STREAM,
                                      0, 0, &id, 0, NULL, &od, &attrs, NULL), SEC_E_INCOMPLETE_MESSAGE,
           "ISC: 4 bytes of a record header -> SEC_E_INCOMPLETE_MESSAGE");
    cases++;
    ok(in[1].BufferType == SECBUFFER_MISSING && in[1].cbBuffer == 1, "  ... SECBUFFER_MISSING of 1 (got type %lu, %lu)",
       in[1].BufferType, in[1].cbBuffer);
    /* [wine] test_communication: zeros are not TLS; a 1-byte output buffer
     * comes back with cbBuffer 0. */
    memset(token, 0, sizeof(token));
    in[0].cbBuffer = sizeof(token);
    id.cBuffers = 1;
    out[0].cbBuffer = 1;
    EXPECT(InitializeSecurityContextA(ccred, &ctx, (SEC_CHAR *)"localhost", ISC_REQ_CONFIDENTIALITY | ISC_REQ_STREAM,
                                      0, 0, &id, 0, NULL, &od, &attrs, NULL), SEC_E_INVALID_TOKEN,
           "ISC: a TOKEN of zeros -> SEC_E_INVALID_TOKEN");
    cases++;
    ok(out[0].cbBuffer == 0, "  ... output cbBuffer set to 0 (%lu)", out[0].cbBuffer);
    /* [docs] InitializeSecurityContext (Schannel): SEC_E_INVALID_HANDLE for a
     * handle that is not valid: stale, forged, or of the wrong kind. */
    stale = ctx;
    EXPECT(DeleteSecurityContext(&ctx), SEC_E_OK, "DeleteSecurityContext on a failed context -> SEC_E_OK");
    init_out(out, &od, 1);
    out[0].BufferType = SECBUFFER_TOKEN;
    EXPECT(InitializeSecurityContextW(ccred, &stale, (SEC_WCHAR *)L"localhost", CLIENT_REQ, 0, 0, NULL, 0, NULL, &od,
                                      &attrs, NULL), SEC_E_INVALID_HANDLE, "ISC: deleted context -> SEC_E_INVALID_HANDLE");
    EXPECT(InitializeSecurityContextW((CredHandle *)&stale, NULL, (SEC_WCHAR *)L"localhost", CLIENT_REQ, 0, 0, NULL,
                                      0, &ctx2, &od, &attrs, NULL), SEC_E_INVALID_HANDLE,
           "ISC: a context handle as the credential -> SEC_E_INVALID_HANDLE");
    EXPECT(InitializeSecurityContextW(NULL, NULL, (SEC_WCHAR *)L"localhost", CLIENT_REQ, 0, 0, NULL, 0, &ctx2, &od,
                                      &attrs, NULL), SEC_E_INVALID_HANDLE, "ISC: no credential -> SEC_E_INVALID_HANDLE");
    ok_hex(acquire_cred(&freed, SECPKG_CRED_OUTBOUND, NULL, TRUE, 0, 0), SEC_E_OK, "a credential to free");
    FreeCredentialsHandle(&freed);
    EXPECT(InitializeSecurityContextW(&freed, NULL, (SEC_WCHAR *)L"localhost", CLIENT_REQ, 0, 0, NULL, 0, &ctx2, &od,
                                      &attrs, NULL), SEC_E_INVALID_HANDLE, "ISC: freed credential -> SEC_E_INVALID_HANDLE");
    /* [fails] the wrong side's credential (Windows' code unrecorded) */
    EXPECT_FAIL(InitializeSecurityContextW(scred, NULL, (SEC_WCHAR *)L"localhost", CLIENT_REQ, 0, 0, NULL, 0, &ctx2,
                                           &od, &attrs, NULL), "ISC with an inbound (server) credential fails");
    init_out(in, &id, 2);
    in[0].BufferType = SECBUFFER_TOKEN;
    in[0].pvBuffer = token;
    in[0].cbBuffer = 5;
    memcpy(token, "\x16\x03\x01\x00\x00", 5);
    EXPECT_FAIL(AcceptSecurityContext(ccred, NULL, &id, SERVER_REQ, 0, &ctx2, &od, &attrs, NULL),
                "ASC with an outbound (client) credential fails");
    FreeContextBuffer(out[0].pvBuffer);
}

static void test_delete_and_query(CredHandle *ccred, CredHandle *scred)
{
    struct rconn c;
    CtxtHandle stale, forged = { 0x12345678, 0x9abcdef0 };
    SecPkgContext_StreamSizes sizes;
    SecPkgContext_ConnectionInfo info;

    rc_init(&c, ccred, scred);
    if (!ok(rc_handshake(&c), "a connection to misuse"))
        return;
    /* [docs] QueryContextAttributes (Schannel): an attribute it does not
     * know -> SEC_E_UNSUPPORTED_FUNCTION. */
    EXPECT(QueryContextAttributesW(&c.cctx, 0x7ffffff0, &info), SEC_E_UNSUPPORTED_FUNCTION,
           "QueryContextAttributes(unknown attribute) -> SEC_E_UNSUPPORTED_FUNCTION");
    /* [fails] NULL output buffer */
    EXPECT_FAIL(QueryContextAttributesW(&c.cctx, SECPKG_ATTR_STREAM_SIZES, NULL),
                "QueryContextAttributes with a NULL buffer fails");
    /* [docs] DeleteSecurityContext / QueryContextAttributes: SEC_E_INVALID_HANDLE */
    EXPECT(QueryContextAttributesW((CtxtHandle *)c.ccred, SECPKG_ATTR_STREAM_SIZES, &sizes), SEC_E_INVALID_HANDLE,
           "QueryContextAttributes on a credential handle -> SEC_E_INVALID_HANDLE");
    EXPECT(QueryContextAttributesW(&forged, SECPKG_ATTR_STREAM_SIZES, &sizes), SEC_E_INVALID_HANDLE,
           "QueryContextAttributes on a forged handle -> SEC_E_INVALID_HANDLE");
    EXPECT(DeleteSecurityContext((CtxtHandle *)c.ccred), SEC_E_INVALID_HANDLE,
           "DeleteSecurityContext on a credential handle -> SEC_E_INVALID_HANDLE");
    EXPECT(FreeCredentialsHandle((CredHandle *)&c.cctx), SEC_E_INVALID_HANDLE,
           "FreeCredentialsHandle on a context handle -> SEC_E_INVALID_HANDLE");
    EXPECT(DeleteSecurityContext(&forged), SEC_E_INVALID_HANDLE, "DeleteSecurityContext(forged) -> SEC_E_INVALID_HANDLE");
    EXPECT(DeleteSecurityContext(NULL), SEC_E_INVALID_HANDLE, "DeleteSecurityContext(NULL) -> SEC_E_INVALID_HANDLE");
    stale = c.cctx;
    EXPECT(DeleteSecurityContext(&c.cctx), SEC_E_OK, "DeleteSecurityContext -> SEC_E_OK");
    c.have_cctx = FALSE;
    EXPECT(DeleteSecurityContext(&stale), SEC_E_INVALID_HANDLE, "DeleteSecurityContext twice -> SEC_E_INVALID_HANDLE");
    EXPECT(QueryContextAttributesW(&stale, SECPKG_ATTR_STREAM_SIZES, &sizes), SEC_E_INVALID_HANDLE,
           "QueryContextAttributes after delete -> SEC_E_INVALID_HANDLE");
    EXPECT(ApplyControlToken(&stale, NULL), SEC_E_INVALID_HANDLE, "ApplyControlToken after delete -> SEC_E_INVALID_HANDLE");
    /* The server side of the same connection lives on. */
    EXPECT(QueryContextAttributesW(&c.sctx, SECPKG_ATTR_STREAM_SIZES, &sizes), SEC_E_OK,
           "the peer context still answers");
    rc_free(&c);
}

/* One record from the server, for DecryptMessage misuse on the client. */
static ULONG server_record(struct rconn *c, BYTE *out, ULONG size)
{
    ULONG len;

    rc_recv(c, FALSE, NULL);   /* tickets */
    rc_send(c, TRUE, "hello, misuse", 13);
    len = c->s2c.len < size ? c->s2c.len : size;
    memcpy(out, c->s2c.data, len);
    c->s2c.len = 0;
    return len;
}

static void test_messages(CredHandle *ccred, CredHandle *scred)
{
    struct rconn c;
    BYTE rec[512], copy[512], msg[64];
    SecBuffer b[4];
    SecBufferDesc d;
    SecPkgContext_StreamSizes sizes;
    ULONG len;
    CtxtHandle stale;

    rc_init(&c, ccred, scred);
    if (!ok(rc_handshake(&c), "a connection for message misuse"))
        return;
    len = server_record(&c, rec, sizeof(rec));
    memcpy(copy, rec, len);

    /* [wine] test_communication, DecryptMessage: */
    init_out(b, &d, 3);
    b[0].BufferType = SECBUFFER_DATA; b[0].pvBuffer = copy; b[0].cbBuffer = len;
    EXPECT(DecryptMessage(&c.cctx, &d, 0, NULL), SEC_E_INVALID_TOKEN, "DecryptMessage: 3 buffers -> SEC_E_INVALID_TOKEN");
    init_out(b, &d, 4);
    EXPECT(DecryptMessage(&c.cctx, &d, 0, NULL), SEC_E_INVALID_TOKEN, "DecryptMessage: no DATA buffer -> SEC_E_INVALID_TOKEN");
    b[0].BufferType = SECBUFFER_DATA; b[0].pvBuffer = copy; b[0].cbBuffer = len;
    b[1].BufferType = SECBUFFER_DATA; b[1].pvBuffer = copy; b[1].cbBuffer = len;
    EXPECT(DecryptMessage(&c.cctx, &d, 0, NULL), SEC_E_INVALID_TOKEN, "DecryptMessage: two DATA buffers -> SEC_E_INVALID_TOKEN");
    b[1].BufferType = SECBUFFER_EXTRA;
    EXPECT(DecryptMessage(&c.cctx, &d, 0, NULL), SEC_E_INVALID_TOKEN,
           "DecryptMessage: too few EMPTY buffers -> SEC_E_INVALID_TOKEN");
    init_out(b, &d, 4);
    b[0].BufferType = SECBUFFER_DATA; b[0].pvBuffer = copy; b[0].cbBuffer = (copy[3] << 8) | copy[4];
    EXPECT(DecryptMessage(&c.cctx, &d, 0, NULL), SEC_E_INCOMPLETE_MESSAGE,
           "DecryptMessage: a record 5 bytes short -> SEC_E_INCOMPLETE_MESSAGE");
    /* Windows turns the DATA buffer itself into SECBUFFER_MISSING [wine]. */
    cases++;
    ok(b[0].BufferType == SECBUFFER_MISSING && b[0].cbBuffer == 5, "  ... the DATA buffer becomes a SECBUFFER_MISSING of 5");
    /* [docs] DecryptMessage: SEC_E_INVALID_HANDLE */
    init_out(b, &d, 4);
    b[0].BufferType = SECBUFFER_DATA; b[0].pvBuffer = copy; b[0].cbBuffer = len;
    EXPECT(DecryptMessage(NULL, &d, 0, NULL), SEC_E_INVALID_HANDLE, "DecryptMessage(NULL context) -> SEC_E_INVALID_HANDLE");
    EXPECT(DecryptMessage((CtxtHandle *)c.ccred, &d, 0, NULL), SEC_E_INVALID_HANDLE,
           "DecryptMessage on a credential handle -> SEC_E_INVALID_HANDLE");
    /* [fails] no buffer description at all */
    EXPECT_FAIL(DecryptMessage(&c.cctx, NULL, 0, NULL), "DecryptMessage(NULL description) fails");
    /* Still in step after all that: the untouched record decrypts. */
    memcpy(copy, rec, len);
    init_out(b, &d, 4);
    b[0].BufferType = SECBUFFER_DATA; b[0].pvBuffer = copy; b[0].cbBuffer = len;
    EXPECT(DecryptMessage(&c.cctx, &d, 0, NULL), SEC_E_OK, "the record still decrypts after the refused calls");

    /* [docs] EncryptMessage (Schannel): no SECBUFFER_DATA -> SEC_E_INVALID_TOKEN;
     * a header buffer that cannot hold the header -> SEC_E_BUFFER_TOO_SMALL. */
    QueryContextAttributesW(&c.cctx, SECPKG_ATTR_STREAM_SIZES, &sizes);
    init_out(b, &d, 4);
    b[0].BufferType = SECBUFFER_STREAM_HEADER; b[0].pvBuffer = rec; b[0].cbBuffer = sizes.cbHeader;
    b[2].BufferType = SECBUFFER_STREAM_TRAILER; b[2].pvBuffer = rec + 100; b[2].cbBuffer = sizes.cbTrailer;
    EXPECT(EncryptMessage(&c.cctx, 0, &d, 0), SEC_E_INVALID_TOKEN, "EncryptMessage: no DATA buffer -> SEC_E_INVALID_TOKEN");
    memset(msg, 'x', sizeof(msg));
    b[1].BufferType = SECBUFFER_DATA; b[1].pvBuffer = msg; b[1].cbBuffer = sizeof(msg);
    b[0].cbBuffer = 1;
    EXPECT(EncryptMessage(&c.cctx, 0, &d, 0), SEC_E_BUFFER_TOO_SMALL,
           "EncryptMessage: 1-byte header buffer -> SEC_E_BUFFER_TOO_SMALL");
    EXPECT(EncryptMessage(NULL, 0, &d, 0), SEC_E_INVALID_HANDLE, "EncryptMessage(NULL context) -> SEC_E_INVALID_HANDLE");
    /* [fails] */
    EXPECT_FAIL(EncryptMessage(&c.cctx, 0, NULL, 0), "EncryptMessage(NULL description) fails");
    /* [docs] ApplyControlToken: SEC_E_INVALID_HANDLE; [fails] garbage token */
    {
        DWORD junk = 0x12345;
        SecBuffer t = { sizeof(junk), SECBUFFER_TOKEN, &junk };
        SecBufferDesc td = { SECBUFFER_VERSION, 1, &t };
        EXPECT(ApplyControlToken(NULL, &td), SEC_E_INVALID_HANDLE, "ApplyControlToken(NULL context) -> SEC_E_INVALID_HANDLE");
        EXPECT_FAIL(ApplyControlToken(&c.cctx, &td), "ApplyControlToken with an unknown token fails");
        EXPECT_FAIL(ApplyControlToken(&c.cctx, NULL), "ApplyControlToken(NULL description) fails");
    }
    stale = c.cctx;
    DeleteSecurityContext(&c.cctx);
    c.have_cctx = FALSE;
    init_out(b, &d, 4);
    b[0].BufferType = SECBUFFER_STREAM_HEADER; b[0].pvBuffer = rec; b[0].cbBuffer = sizes.cbHeader;
    b[1].BufferType = SECBUFFER_DATA; b[1].pvBuffer = msg; b[1].cbBuffer = sizeof(msg);
    b[2].BufferType = SECBUFFER_STREAM_TRAILER; b[2].pvBuffer = rec + 100; b[2].cbBuffer = sizes.cbTrailer;
    EXPECT(EncryptMessage(&stale, 0, &d, 0), SEC_E_INVALID_HANDLE, "EncryptMessage after delete -> SEC_E_INVALID_HANDLE");
    rc_free(&c);
}

static void test_free_context_buffer(void)
{
    /* [docs] FreeContextBuffer: SEC_E_OK; NULL is accepted. */
    EXPECT(FreeContextBuffer(NULL), SEC_E_OK, "FreeContextBuffer(NULL) -> SEC_E_OK");
}

int main(void)
{
    char product[64];
    CredHandle ccred, scred;

    ok(secur32_is_ours(product, sizeof(product)), "testing secur32-gnutls, not Wine's secur32");
    if (!(server_cert = load_pfx("server-rsa")))
        return bail_out("cannot import tests/certs/server-rsa.pfx (run make-certs.sh)");
    ok_hex(acquire_cred(&ccred, SECPKG_CRED_OUTBOUND, NULL, TRUE, 0, SCH_CRED_MANUAL_CRED_VALIDATION), SEC_E_OK,
           "client credential");
    ok_hex(acquire_cred(&scred, SECPKG_CRED_INBOUND, server_cert, TRUE, 0, 0), SEC_E_OK, "server credential");
    test_acquire();
    test_credential_handles();
    test_isc_arguments(&ccred, &scred);
    test_delete_and_query(&ccred, &scred);
    test_messages(&ccred, &scred);
    test_free_context_buffer();
    diag("%d misuse cases checked", cases);
    FreeCredentialsHandle(&ccred);
    FreeCredentialsHandle(&scred);
    CertFreeCertificateContext(server_cert);
    return tap_done();
}
