/* Mutual TLS in one process: the server asks for a client certificate
 * (ASC_REQ_MUTUAL_AUTH, or SetCredentialsAttributes CLIENT_CERT_POLICY as
 * .NET does) and exposes it; a client without one gets
 * SEC_I_INCOMPLETE_CREDENTIALS and goes on in each caller style: curl (the
 * same bytes again with ISC_REQ_USE_SUPPLIED_CREDS), .NET (a new credential
 * with a certificate and empty input), Qt (a new credential, NULL input). */
#include <stdlib.h>
#include <string.h>
#include "tlsutil.h"

#define REQ_NO_SUPPLIED (CLIENT_REQ & ~ISC_REQ_USE_SUPPLIED_CREDS)

enum style { STYLE_CURL, STYLE_DOTNET, STYLE_QT };
static const char *style_names[] = { "curl", ".NET", "Qt" };

static PCCERT_CONTEXT server_cert, client_cert;

static struct wire c2s, s2c;   /* tlsutil.h's growable queue */

struct run {
    CredHandle ccred, scred, ccred2;
    CtxtHandle cctx, sctx;
    BOOL have_c, have_s, have_ccred2;
    ULONG creq, sreq;
    SECURITY_STATUS cstatus, sstatus;
    int incomplete_creds;
    SECURITY_STATUS issuers_status;   /* of ISSUER_LIST_EX at the pause */
    ULONG issuers;
    BOOL issuers_null;                /* aIssuers NULL (no names) */
    int threads_before, threads_paused;   /* of this process, from /proc */
};

/* Threads of this process as Linux sees them, to prove that a paused
 * handshake holds no thread of its own.  Wine opens files in wineserver, so
 * Z:\\proc\\self is the server: our Unix pid is found instead as the process
 * whose memory maps hold a file only we mapped. */
static char task_dir[64];

/* /proc files have no size: read until the end. */
static BOOL maps_contain(const char *pid, const char *needle)
{
    static char maps[1 << 20];
    char path[64];
    DWORD got, total = 0;
    HANDLE f;

    snprintf(path, sizeof(path), "Z:\\proc\\%s\\maps", pid);
    f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return FALSE;
    while (total < sizeof(maps) - 1 && ReadFile(f, maps + total, sizeof(maps) - 1 - total, &got, NULL) && got)
        total += got;
    CloseHandle(f);
    maps[total] = 0;
    return strstr(maps, needle) != NULL;
}

static void find_task_dir(void)
{
    char file[MAX_PATH], needle[MAX_PATH];
    WIN32_FIND_DATAA fd;
    HANDLE h, f, map;

    snprintf(needle, sizeof(needle), "/tmp/mutual_tls-%lu-%lu.map", GetCurrentProcessId(), GetTickCount());
    snprintf(file, sizeof(file), "Z:%s", needle);
    f = CreateFileA(file, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                    FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return;
    map = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 4096, NULL);
    void *view = map ? MapViewOfFile(map, FILE_MAP_WRITE, 0, 0, 4096) : NULL;
    if (view && (h = FindFirstFileA("Z:\\proc\\*", &fd)) != INVALID_HANDLE_VALUE)
    {
        do
            if (fd.cFileName[0] >= '1' && fd.cFileName[0] <= '9' && maps_contain(fd.cFileName, needle))
                snprintf(task_dir, sizeof(task_dir), "Z:\\proc\\%s\\task\\*", fd.cFileName);
        while (!task_dir[0] && FindNextFileA(h, &fd));
        FindClose(h);
    }
    if (view) UnmapViewOfFile(view);
    if (map) CloseHandle(map);
    CloseHandle(f);
}

static int count_threads(void)
{
    WIN32_FIND_DATAA fd;
    HANDLE h;
    int n = 0;

    if (!task_dir[0])
        find_task_dir();
    if (!task_dir[0] || (h = FindFirstFileA(task_dir, &fd)) == INVALID_HANDLE_VALUE)
        return -1;
    do
        n += fd.cFileName[0] != '.';
    while (FindNextFileA(h, &fd));
    FindClose(h);
    return n;
}

static void push(struct wire *w, const SecBuffer *b)
{
    if (b->pvBuffer)
        wire_push(w, b->pvBuffer, b->cbBuffer);
}

/* Its own ISC/ASC step, not tlsutil's pair: this test picks the credential
 * per call, passes a NULL pInput on purpose and answers
 * SEC_I_INCOMPLETE_CREDENTIALS.  One call with `in` (NULL: pInput NULL); output goes to `out`; returns
 * how many input bytes were used (all but EXTRA). */
static SECURITY_STATUS call(struct run *r, BOOL server, CredHandle *cred, const BYTE *in, ULONG in_len,
                            BOOL null_input, ULONG req, struct wire *out, ULONG *used)
{
    SecBuffer ib[2], ob[2];
    SecBufferDesc idesc = { SECBUFFER_VERSION, 2, ib }, odesc = { SECBUFFER_VERSION, 2, ob };
    BOOL *have = server ? &r->have_s : &r->have_c;
    CtxtHandle *ctx = server ? &r->sctx : &r->cctx;
    SECURITY_STATUS status;
    ULONG attrs;

    ib[0].BufferType = SECBUFFER_TOKEN; ib[0].pvBuffer = (void *)in; ib[0].cbBuffer = in_len;
    ib[1].BufferType = SECBUFFER_EMPTY; ib[1].pvBuffer = NULL; ib[1].cbBuffer = 0;
    ob[0].BufferType = SECBUFFER_TOKEN; ob[0].pvBuffer = NULL; ob[0].cbBuffer = 0;
    ob[1].BufferType = SECBUFFER_ALERT; ob[1].pvBuffer = NULL; ob[1].cbBuffer = 0;
    if (server)
        status = AcceptSecurityContext(cred, *have ? ctx : NULL, &idesc, req, 0, *have ? NULL : ctx, &odesc,
                                       &attrs, NULL);
    else
        status = InitializeSecurityContextW(cred, *have ? ctx : NULL, (SEC_WCHAR *)L"localhost", req, 0, 0,
                                            (null_input || !*have) ? NULL : &idesc, 0, *have ? NULL : ctx,
                                            &odesc, &attrs, NULL);
    *used = 0;
    if (status == SEC_E_INCOMPLETE_MESSAGE)
        return status;
    if (status == SEC_E_OK || status == SEC_I_CONTINUE_NEEDED || status == SEC_I_INCOMPLETE_CREDENTIALS)
        *have = TRUE;
    push(out, &ob[0]);
    push(out, &ob[1]);
    FreeContextBuffer(ob[0].pvBuffer);
    FreeContextBuffer(ob[1].pvBuffer);
    *used = in_len - (ib[1].BufferType == SECBUFFER_EXTRA ? ib[1].cbBuffer : 0);
    return status;
}


/* The client's answer to SEC_I_INCOMPLETE_CREDENTIALS in one caller style;
 * `bytes` are what the pausing call was given. */
static SECURITY_STATUS answer_incomplete(struct run *r, enum style style, const BYTE *bytes, ULONG len)
{
    SecPkgContext_IssuerListInfoEx issuers;
    ULONG used;

    memset(&issuers, 0xcc, sizeof(issuers));
    if (!(r->issuers_status = QueryContextAttributesW(&r->cctx, SECPKG_ATTR_ISSUER_LIST_EX, &issuers)))
    {
        r->issuers = issuers.cIssuers;
        r->issuers_null = !issuers.aIssuers;
        FreeContextBuffer(issuers.aIssuers);
    }
    if (style == STYLE_CURL)
    {
        r->creq |= ISC_REQ_USE_SUPPLIED_CREDS;
        return call(r, FALSE, &r->ccred, bytes, len, FALSE, r->creq, &c2s, &used);
    }
    if (acquire_cred(&r->ccred2, SECPKG_CRED_OUTBOUND, client_cert, TRUE, 0, SCH_CRED_MANUAL_CRED_VALIDATION))
        return SEC_E_INTERNAL_ERROR;
    r->have_ccred2 = TRUE;
    return call(r, FALSE, &r->ccred2, NULL, 0, style == STYLE_QT, r->creq, &c2s, &used);
}

/* Drives both sides to the end. */
static BOOL drive_pair(struct run *r, enum style style, struct wire *saved)
{
    ULONG used;
    int guard;

    c2s.len = s2c.len = 0;
    r->threads_before = count_threads();
    r->cstatus = call(r, FALSE, &r->ccred, NULL, 0, TRUE, r->creq, &c2s, &used);
    r->sstatus = SEC_I_CONTINUE_NEEDED;
    for (guard = 0; guard < 50 && (r->cstatus != SEC_E_OK || r->sstatus != SEC_E_OK); guard++)
    {
        if (FAILED(r->cstatus) || FAILED(r->sstatus))
            return FALSE;
        if (c2s.len && r->sstatus != SEC_E_OK)
        {
            r->sstatus = call(r, TRUE, &r->scred, c2s.data, c2s.len, FALSE, r->sreq, &s2c, &used);
            wire_consume(&c2s, used);
        }
        if (s2c.len && r->cstatus != SEC_E_OK)
        {
            saved->len = 0;
            wire_push(saved, s2c.data, s2c.len);
            r->cstatus = call(r, FALSE, r->have_ccred2 ? &r->ccred2 : &r->ccred, saved->data, saved->len, FALSE,
                              r->creq, &c2s, &used);
            wire_consume(&s2c, used);
            if (r->cstatus == SEC_I_INCOMPLETE_CREDENTIALS)
            {
                r->incomplete_creds++;
                r->threads_paused = count_threads();
                if (used != saved->len)
                    diag("INCOMPLETE_CREDENTIALS left %lu bytes as EXTRA", saved->len - used);
                r->cstatus = answer_incomplete(r, style, saved->data, saved->len);
            }
        }
        if (r->cstatus == SEC_E_OK && r->sstatus == SEC_E_OK)
            break;
    }
    return r->cstatus == SEC_E_OK && r->sstatus == SEC_E_OK;
}

/* `saved` keeps what the client was given, for answer_incomplete. */
static BOOL run_pair(struct run *r, enum style style)
{
    struct wire saved = { 0 };
    BOOL done = drive_pair(r, style, &saved);

    wire_free(&saved);
    return done;
}

/* PFX import with PKCS12_NO_PERSIST_KEY: Wine 8 puts every persisted PFX
 * key in one container named after the user, so a persisted import here
 * would replace the key of another test's certificate in the same prefix. */
static PCCERT_CONTEXT load_pfx_temp(const char *name)
{
    const char *build = getenv("SECUR32_BUILDDIR");
    char path[MAX_PATH];
    CRYPT_DATA_BLOB blob;
    HCERTSTORE store;
    PCCERT_CONTEXT cert = NULL, found = NULL;
    size_t size;
    DWORD len;

    snprintf(path, sizeof(path), "Z:%s/tests/certs/%s.pfx", build ? build : ".", name);
    if (!(blob.pbData = (BYTE *)read_file(path, &size)))
        return NULL;
    blob.cbData = (DWORD)size;
    store = PFXImportCertStore(&blob, L"", CRYPT_EXPORTABLE | PKCS12_NO_PERSIST_KEY);
    free(blob.pbData);
    while (store && (cert = CertEnumCertificatesInStore(store, cert)))
        if (CertGetCertificateContextProperty(cert, CERT_KEY_CONTEXT_PROP_ID, NULL, &len)
            || CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, NULL, &len))
        {
            found = CertDuplicateCertificateContext(cert);
            CertFreeCertificateContext(cert);
            break;
        }
    if (store)
        CertCloseStore(store, 0);
    return found;
}

static BOOL same_cert(PCCERT_CONTEXT a, PCCERT_CONTEXT b)
{
    return a && b && a->cbCertEncoded == b->cbCertEncoded && !memcmp(a->pbCertEncoded, b->pbCertEncoded, a->cbCertEncoded);
}

static void check_data(struct run *r, const char *name)
{
    BYTE out[64];
    ULONG len;

    ok(!send_record(&r->cctx, &r->sctx, (const BYTE *)"ping", 4, out, &len) && len == 4 && !memcmp(out, "ping", 4),
       "%s: data client -> server", name);
    ok(!send_record(&r->sctx, &r->cctx, (const BYTE *)"pong", 4, out, &len) && len == 4 && !memcmp(out, "pong", 4),
       "%s: data server -> client", name);
}

static void finish(struct run *r)
{
    if (r->have_c) DeleteSecurityContext(&r->cctx);
    if (r->have_s) DeleteSecurityContext(&r->sctx);
    if (r->have_ccred2) FreeCredentialsHandle(&r->ccred2);
    FreeCredentialsHandle(&r->ccred);
    FreeCredentialsHandle(&r->scred);
}

static BOOL setup(struct run *r, BOOL tls13, PCCERT_CONTEXT ccert, BOOL use_policy, DWORD sflags)
{
    SecPkgCred_ClientCertPolicy policy = { 0 };

    memset(r, 0, sizeof(*r));
    r->creq = REQ_NO_SUPPLIED;
    r->sreq = SERVER_REQ | (use_policy ? 0 : ASC_REQ_MUTUAL_AUTH);
    if (acquire_cred(&r->ccred, SECPKG_CRED_OUTBOUND, ccert, TRUE, tls13 ? 0 : SP_PROT_TLS1_3,
                     SCH_CRED_MANUAL_CRED_VALIDATION))
        return FALSE;
    /* No tickets: the data checks go straight from the handshake to records. */
    if (acquire_cred(&r->scred, SECPKG_CRED_INBOUND, server_cert, TRUE, 0, sflags | SCH_CRED_DISABLE_RECONNECTS))
    {
        FreeCredentialsHandle(&r->ccred);
        return FALSE;
    }
    if (use_policy)
    {
        /* secur32 does not export it (sspicli does): .NET reaches it through the table. */
        SecurityFunctionTableW *table = InitSecurityInterfaceW();
        ok_hex(table->SetCredentialsAttributesW(&r->scred, SECPKG_ATTR_CLIENT_CERT_POLICY, &policy, sizeof(policy)),
               SEC_E_OK, "SetCredentialsAttributes(CLIENT_CERT_POLICY) through the dispatch table");
    }
    return TRUE;
}

static void test_incomplete(BOOL tls13, enum style style, BOOL use_policy)
{
    char name[96];
    struct run r;
    PCCERT_CONTEXT peer = NULL, local = NULL;
    BOOL done;

    snprintf(name, sizeof(name), "%s, %s, %s", tls13 ? "TLS 1.3" : "TLS 1.2", style_names[style],
             use_policy ? "CLIENT_CERT_POLICY" : "MUTUAL_AUTH");
    if (!setup(&r, tls13, NULL, use_policy, 0))
    {
        ok(FALSE, "%s: credentials", name);
        return;
    }
    done = run_pair(&r, style);
    ok(done, "%s: handshake completes (client %#lx, server %#lx)", name, r.cstatus, r.sstatus);
    ok(r.incomplete_creds == 1, "%s: SEC_I_INCOMPLETE_CREDENTIALS once (%d)", name, r.incomplete_creds);
    /* This server (ours, no CA in its store) names no CA: the empty list. */
    ok(!r.issuers_status && !r.issuers && r.issuers_null, "%s: ISSUER_LIST_EX at the pause: SEC_E_OK, no names "
       "(%#lx, %lu)", name, r.issuers_status, r.issuers);
    ok(r.threads_before > 0 && r.threads_paused == r.threads_before,
       "%s: no thread holds the paused handshake (%d threads before, %d paused)", name, r.threads_before,
       r.threads_paused);
    if (done)
    {
        SECURITY_STATUS st = QueryContextAttributesW(&r.sctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &peer);
        if (style == STYLE_CURL)
            ok_hex(st, SEC_E_NO_CREDENTIALS, "%s: the server got no client certificate", name);
        else
        {
            ok(!st && same_cert(peer, client_cert), "%s: the server got the client certificate", name);
            ok(!QueryContextAttributesW(&r.cctx, SECPKG_ATTR_LOCAL_CERT_CONTEXT, &local) && same_cert(local, client_cert),
               "%s: LOCAL_CERT_CONTEXT is the certificate sent", name);
        }
        check_data(&r, name);
    }
    if (peer) CertFreeCertificateContext(peer);
    if (local) CertFreeCertificateContext(local);
    finish(&r);
}

static void test_no_pause(BOOL tls13, BOOL with_cert)
{
    const char *name = with_cert ? (tls13 ? "TLS 1.3, certificate given" : "TLS 1.2, certificate given")
                                 : (tls13 ? "TLS 1.3, USE_SUPPLIED_CREDS" : "TLS 1.2, USE_SUPPLIED_CREDS");
    PCCERT_CONTEXT peer = NULL;
    struct run r;

    if (!setup(&r, tls13, with_cert ? client_cert : NULL, FALSE, 0))
        return;
    if (!with_cert)
        r.creq = CLIENT_REQ;
    ok(run_pair(&r, STYLE_CURL), "%s: handshake completes (client %#lx, server %#lx)", name, r.cstatus, r.sstatus);
    ok(!r.incomplete_creds, "%s: no SEC_I_INCOMPLETE_CREDENTIALS", name);
    QueryContextAttributesW(&r.sctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &peer);
    ok(with_cert ? same_cert(peer, client_cert) : !peer, "%s: the server %s the client certificate", name,
       with_cert ? "got" : "did not get");
    if (peer) CertFreeCertificateContext(peer);
    finish(&r);
}

/* A server credential with SCH_CRED_AUTO_CRED_VALIDATION judges the client's
 * chain: the test CA is not trusted in the prefix. */
static void test_server_validates(void)
{
    struct run r;

    if (!setup(&r, TRUE, client_cert, FALSE, SCH_CRED_AUTO_CRED_VALIDATION))
        return;
    run_pair(&r, STYLE_CURL);
    ok_hex(r.sstatus, SEC_E_UNTRUSTED_ROOT, "server validation of an untrusted client certificate");
    finish(&r);
}

/* QueryCredentialsAttributes reflects the credential; LOCAL_CERT_CONTEXT
 * the certificate it carries. */
static void test_credential_attributes(void)
{
    SecPkgCredentials_NamesW names = { 0 };
    SecPkgCred_SupportedProtocols protocols = { 0 };
    CredHandle with, without;
    SECURITY_STATUS st;

    if (acquire_cred(&with, SECPKG_CRED_OUTBOUND, client_cert, TRUE, SP_PROT_TLS1_3, 0)
        || acquire_cred(&without, SECPKG_CRED_OUTBOUND, NULL, TRUE, 0, 0))
    {
        ok(FALSE, "credentials for the attribute checks");
        return;
    }
    st = QueryCredentialsAttributesW(&with, SECPKG_CRED_ATTR_NAMES, &names);
    ok(!st && names.sUserName && wcsstr(names.sUserName, L"secur32-gnutls test client"),
       "CRED_ATTR_NAMES names the certificate's subject (%ls)", names.sUserName ? names.sUserName : L"(none)");
    if (names.sUserName)
        FreeContextBuffer(names.sUserName);
    ok(QueryCredentialsAttributesW(&without, SECPKG_CRED_ATTR_NAMES, &names) != SEC_E_OK,
       "CRED_ATTR_NAMES of a credential without a certificate fails");
    st = QueryCredentialsAttributesW(&with, SECPKG_ATTR_SUPPORTED_PROTOCOLS, &protocols);
    ok(!st && (protocols.grbitProtocol & SP_PROT_TLS1_2_CLIENT) && !(protocols.grbitProtocol & SP_PROT_TLS1_3_CLIENT),
       "SUPPORTED_PROTOCOLS: TLS 1.2 without the disabled 1.3 (%#lx)", protocols.grbitProtocol);
    st = QueryCredentialsAttributesW(&without, SECPKG_ATTR_SUPPORTED_PROTOCOLS, &protocols);
    ok(!st && (protocols.grbitProtocol & SP_PROT_TLS1_3_CLIENT), "SUPPORTED_PROTOCOLS: TLS 1.3 when not disabled (%#lx)",
       protocols.grbitProtocol);
    FreeCredentialsHandle(&with);
    FreeCredentialsHandle(&without);
}

int main(void)
{
    int tls13, style;

    if (!(server_cert = load_pfx_temp("server-rsa")) || !(client_cert = load_pfx_temp("client-rsa")))
        return bail_out("cannot import tests/certs/server-rsa.pfx or client-rsa.pfx");
    for (tls13 = 0; tls13 < 2; tls13++)
    {
        for (style = STYLE_CURL; style <= STYLE_QT; style++)
            test_incomplete(tls13, style, FALSE);
        test_incomplete(tls13, STYLE_DOTNET, TRUE);
        test_no_pause(tls13, TRUE);
        test_no_pause(tls13, FALSE);
    }
    test_server_validates();
    test_credential_attributes();
    CertFreeCertificateContext(server_cert);
    CertFreeCertificateContext(client_cert);
    return tap_done();
}
