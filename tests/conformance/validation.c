/* The certificate validation matrix against real TLS servers on loopback
 * (run by tests/validation.sh, which starts the servers and writes the
 * script this program follows).  Script lines:
 *   root add|del FILE.pem       CurrentUser\Root, FILE relative to the script
 *   case NAME PORT TARGET FLAGS EXPECT [chain=N]
 *   issuers NAME PORT COUNT     a server asking for a client certificate
 * FLAGS: "-" or names joined by '+': manual (SCH_CRED_MANUAL_CRED_VALIDATION),
 * iscmanual (ISC_REQ_MANUAL_CRED_VALIDATION), noname, revchain, revend,
 * revexroot, ignoffline, ignnocheck, auto.  EXPECT: a code name below.
 * chain=N: REMOTE_CERT_CONTEXT's store must hold N certificates, the leaf
 * among them as the same context, and REMOTE_CERT_CHAIN must have been
 * available during the handshake. */
#include <stdlib.h>
#include <string.h>
#include <winsock2.h>
#include "tlsutil.h"

struct name_value { const char *name; DWORD value; };

static const struct name_value codes[] = {
    { "OK", SEC_E_OK },
    { "UNTRUSTED_ROOT", SEC_E_UNTRUSTED_ROOT },
    { "WRONG_PRINCIPAL", SEC_E_WRONG_PRINCIPAL },
    { "CERT_EXPIRED", SEC_E_CERT_EXPIRED },
    { "CERT_UNKNOWN", SEC_E_CERT_UNKNOWN },
    { "REVOKED", CRYPT_E_REVOKED },
    { "REVOCATION_OFFLINE", CRYPT_E_REVOCATION_OFFLINE },
    { "NO_REVOCATION_CHECK", CRYPT_E_NO_REVOCATION_CHECK },
};

static const struct name_value cred_flags[] = {
    { "manual", SCH_CRED_MANUAL_CRED_VALIDATION },
    { "auto", SCH_CRED_AUTO_CRED_VALIDATION },
    { "noname", SCH_CRED_NO_SERVERNAME_CHECK },
    { "revchain", SCH_CRED_REVOCATION_CHECK_CHAIN },
    { "revend", SCH_CRED_REVOCATION_CHECK_END_CERT },
    { "revexroot", SCH_CRED_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT },
    { "ignoffline", SCH_CRED_IGNORE_REVOCATION_OFFLINE },
    { "ignnocheck", SCH_CRED_IGNORE_NO_REVOCATION_CHECK },
};

static char script_dir[MAX_PATH];

static BOOL lookup(const struct name_value *table, size_t count, const char *name, DWORD *out)
{
    size_t i;
    for (i = 0; i < count; i++)
        if (!strcmp(table[i].name, name))
        {
            *out = table[i].value;
            return TRUE;
        }
    return FALSE;
}

static BOOL parse_flags(char *text, DWORD *cred, ULONG *isc)
{
    char *tok, *save = NULL;
    DWORD v;

    *cred = 0;
    *isc = 0;
    if (!strcmp(text, "-"))
        return TRUE;
    for (tok = strtok_r(text, "+", &save); tok; tok = strtok_r(NULL, "+", &save))
    {
        if (!strcmp(tok, "iscmanual"))
            *isc |= ISC_REQ_MANUAL_CRED_VALIDATION;
        else if (lookup(cred_flags, ARRAY_SIZE(cred_flags), tok, &v))
            *cred |= v;
        else
            return FALSE;
    }
    return TRUE;
}

static PCCERT_CONTEXT load_pem_path(const char *file)
{
    char path[MAX_PATH];
    BYTE der[8192];
    DWORD der_len = sizeof(der);
    PCCERT_CONTEXT cert = NULL;
    size_t size;
    char *pem;

    snprintf(path, sizeof(path), "%s/%s", script_dir, file);
    if (!(pem = read_file(path, &size)))
        return NULL;
    if (CryptStringToBinaryA(pem, 0, CRYPT_STRING_BASE64HEADER, der, &der_len, NULL, NULL))
        cert = CertCreateCertificateContext(X509_ASN_ENCODING, der, der_len);
    free(pem);
    return cert;
}

static void root_store_op(const char *op, const char *file)
{
    /* The registry store itself: Wine 8 drops deletions made through the
     * system store collection. */
    HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_REGISTRY_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"Root");
    PCCERT_CONTEXT cert = load_pem_path(file), found;
    BOOL done = FALSE;

    if (store && cert && !strcmp(op, "add"))
        done = CertAddCertificateContextToStore(store, cert, CERT_STORE_ADD_REPLACE_EXISTING, NULL);
    else if (store && cert)
    {
        done = TRUE;
        while (done && (found = CertFindCertificateInStore(store, X509_ASN_ENCODING, 0, CERT_FIND_EXISTING, cert, NULL)))
            done = CertDeleteCertificateFromStore(found);
    }
    ok(done, "CurrentUser\\Root: %s %s (error %lu)", op, file, done ? 0 : GetLastError());
    if (store)
        CertCloseStore(store, 0);
    if (cert)
    {
        HCERTSTORE fresh = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"Root");
        found = fresh ? CertFindCertificateInStore(fresh, X509_ASN_ENCODING, 0, CERT_FIND_EXISTING, cert, NULL) : NULL;
        ok((found != NULL) == !strcmp(op, "add"), "CurrentUser\\Root: %s is %s after %s", file,
           found ? "present" : "absent", op);
        if (found)
            CertFreeCertificateContext(found);
        if (fresh)
            CertCloseStore(fresh, 0);
    }
    if (cert)
        CertFreeCertificateContext(cert);
}

static SOCKET connect_port(int port)
{
    struct sockaddr_in addr = { 0 };
    DWORD timeout = 20000;
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);

    addr.sin_family = AF_INET;
    addr.sin_port = htons((u_short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout, sizeof(timeout));
    if (s != INVALID_SOCKET && connect(s, (struct sockaddr *)&addr, sizeof(addr)))
    {
        closesocket(s);
        s = INVALID_SOCKET;
    }
    return s;
}

static void send_all(SOCKET s, const void *data, ULONG len)
{
    const char *p = data;
    int n;
    while (len && (n = send(s, p, (int)len, 0)) > 0)
    {
        p += n;
        len -= n;
    }
}

/* Appends what one recv() brings to `w` (tlsutil.h's growable queue);
 * returns recv()'s result. */
static int recv_into(SOCKET s, struct wire *w)
{
    int n = recv(s, (char *)wire_space(w, 16384), 16384, 0);

    if (n > 0)
        w->len += (ULONG)n;
    return n;
}

struct client_run {
    BOOL chain_during_handshake;
};

/* One ISC call on `in`; sends its output; keeps EXTRA bytes in `in`.
 * Its own step, not tlsutil's tls_call_once: it must see
 * SEC_I_INCOMPLETE_CREDENTIALS and give the same bytes again, curl's way. */
static SECURITY_STATUS isc_step(SOCKET s, CredHandle *cred, CtxtHandle *ctx, BOOL first, const WCHAR *target, ULONG req,
                                struct wire *in)
{
    SecBuffer ib[2], ob[2];
    SecBufferDesc idesc = { SECBUFFER_VERSION, 2, ib }, odesc = { SECBUFFER_VERSION, 2, ob };
    SECURITY_STATUS status;
    ULONG attrs;

    ib[0].BufferType = SECBUFFER_TOKEN; ib[0].pvBuffer = in->data; ib[0].cbBuffer = in->len;
    ib[1].BufferType = SECBUFFER_EMPTY; ib[1].pvBuffer = NULL; ib[1].cbBuffer = 0;
    ob[0].BufferType = SECBUFFER_TOKEN; ob[0].pvBuffer = NULL; ob[0].cbBuffer = 0;
    ob[1].BufferType = SECBUFFER_ALERT; ob[1].pvBuffer = NULL; ob[1].cbBuffer = 0;
    status = InitializeSecurityContextW(cred, first ? NULL : ctx, (SEC_WCHAR *)target, req, 0, 0,
                                        first ? NULL : &idesc, 0, first ? ctx : NULL, &odesc, &attrs, NULL);
    if (status == SEC_E_INCOMPLETE_MESSAGE)
        return status;
    if (ob[0].pvBuffer && ob[0].cbBuffer)
        send_all(s, ob[0].pvBuffer, ob[0].cbBuffer);
    if (ob[1].pvBuffer && ob[1].cbBuffer)
        send_all(s, ob[1].pvBuffer, ob[1].cbBuffer);
    FreeContextBuffer(ob[0].pvBuffer);
    FreeContextBuffer(ob[1].pvBuffer);
    if (!first && ib[1].BufferType == SECBUFFER_EXTRA && ib[1].cbBuffer)
        wire_consume(in, in->len - ib[1].cbBuffer);
    else if (!first)
        in->len = 0;
    return status;
}

static SECURITY_STATUS tls_connect(SOCKET s, CredHandle *cred, CtxtHandle *ctx, BOOL *have_ctx, const WCHAR *target,
                                   ULONG req, struct client_run *run)
{
    static struct wire in;
    SECURITY_STATUS status;
    PCCERT_CONTEXT chain;
    int n;

    in.len = 0;
    status = isc_step(s, cred, ctx, TRUE, target, req, &in);
    if (status != SEC_I_CONTINUE_NEEDED)
        return status;
    *have_ctx = TRUE;
    while (status == SEC_I_CONTINUE_NEEDED || status == SEC_E_INCOMPLETE_MESSAGE)
    {
        if ((status == SEC_E_INCOMPLETE_MESSAGE || !in.len) && (n = recv_into(s, &in)) <= 0)
        {
            diag("recv failed (%d, error %d) after status %#lx", n, WSAGetLastError(), status);
            return SEC_E_INTERNAL_ERROR;
        }
        status = isc_step(s, cred, ctx, FALSE, target, req, &in);
        if (status == SEC_I_CONTINUE_NEEDED && !run->chain_during_handshake
            && !QueryContextAttributesW(ctx, SECPKG_ATTR_REMOTE_CERT_CHAIN, &chain))
        {
            run->chain_during_handshake = TRUE;
            CertFreeCertificateContext(chain);
        }
    }
    return status;
}

/* The leaf must come from a store holding the chain as sent. */
static void check_chain(const char *name, CtxtHandle *ctx, int want, BOOL during)
{
    PCCERT_CONTEXT leaf = NULL, c = NULL;
    int count = 0, same = 0;

    ok(during, "%s: REMOTE_CERT_CHAIN available during the handshake", name);
    if (QueryContextAttributesW(ctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &leaf) || !leaf)
    {
        ok(FALSE, "%s: REMOTE_CERT_CONTEXT", name);
        return;
    }
    while ((c = CertEnumCertificatesInStore(leaf->hCertStore, c)))
    {
        count++;
        if (c == leaf)
            same++;
    }
    ok(count == want, "%s: the leaf's store holds the %d certificates sent (got %d)", name, want, count);
    ok(same == 1, "%s: the leaf context is the store's own (enumeration returns the same pointer)", name);
    CertFreeCertificateContext(leaf);
}

static void run_case(char *name, int port, const char *target_a, char *flags_text, const char *expect_text,
                     int chain_count)
{
    CredHandle cred;
    CtxtHandle ctx;
    BOOL have_ctx = FALSE;
    SCHANNEL_CRED sc = { .dwVersion = SCHANNEL_CRED_VERSION };
    struct client_run run = { 0 };
    WCHAR target[256];
    DWORD expect;
    ULONG isc;
    SECURITY_STATUS status;
    SOCKET s;

    if (!parse_flags(flags_text, &sc.dwFlags, &isc) || !lookup(codes, ARRAY_SIZE(codes), expect_text, &expect))
    {
        ok(FALSE, "%s: bad script line", name);
        return;
    }
    MultiByteToWideChar(CP_UTF8, 0, target_a, -1, target, ARRAY_SIZE(target));
    if ((status = AcquireCredentialsHandleW(NULL, (SEC_WCHAR *)UNISP_NAME_W, SECPKG_CRED_OUTBOUND, NULL, &sc, NULL,
                                            NULL, &cred, NULL)))
    {
        ok_hex(status, SEC_E_OK, "%s: AcquireCredentialsHandle", name);
        return;
    }
    if ((s = connect_port(port)) == INVALID_SOCKET)
        ok(FALSE, "%s: connect to 127.0.0.1:%d", name, port);
    else
    {
        status = tls_connect(s, &cred, &ctx, &have_ctx, target, CLIENT_REQ | isc, &run);
        ok_hex(status, expect, "%s: target %s flags %s -> %s", name, target_a, flags_text, expect_text);
        if (chain_count && status == SEC_E_OK)
            check_chain(name, &ctx, chain_count, run.chain_during_handshake);
        closesocket(s);
    }
    if (have_ctx)
        DeleteSecurityContext(&ctx);
    FreeCredentialsHandle(&cred);
}

/* A server that asks for a client certificate (the CA list names COUNT
 * authorities): SEC_I_INCOMPLETE_CREDENTIALS, ISSUER_LIST_EX, then curl's
 * way on: the same bytes again with ISC_REQ_USE_SUPPLIED_CREDS. */
static void run_issuers(const char *name, int port, int want_count)
{
    static struct wire in, saved;   /* saved: the bytes of the last call, given again after INCOMPLETE_CREDENTIALS */
    SCHANNEL_CRED sc = { .dwVersion = SCHANNEL_CRED_VERSION, .dwFlags = SCH_CRED_MANUAL_CRED_VALIDATION };
    SecPkgContext_IssuerListInfoEx issuers = { 0 };
    ULONG req = CLIENT_REQ & ~ISC_REQ_USE_SUPPLIED_CREDS;
    SECURITY_STATUS status;
    BOOL have_ctx = FALSE, asked = FALSE;
    CredHandle cred;
    CtxtHandle ctx;
    SOCKET s;

    in.len = 0;
    if (AcquireCredentialsHandleW(NULL, (SEC_WCHAR *)UNISP_NAME_W, SECPKG_CRED_OUTBOUND, NULL, &sc, NULL, NULL, &cred,
                                  NULL))
        return;
    if ((s = connect_port(port)) == INVALID_SOCKET)
    {
        ok(FALSE, "%s: connect", name);
        FreeCredentialsHandle(&cred);
        return;
    }
    status = isc_step(s, &cred, &ctx, TRUE, L"valid.test", req, &in);
    have_ctx = status == SEC_I_CONTINUE_NEEDED;
    while (status == SEC_I_CONTINUE_NEEDED || status == SEC_E_INCOMPLETE_MESSAGE || status == SEC_I_INCOMPLETE_CREDENTIALS)
    {
        if (status == SEC_I_INCOMPLETE_CREDENTIALS)
        {
            asked = TRUE;
            if (!QueryContextAttributesW(&ctx, SECPKG_ATTR_ISSUER_LIST_EX, &issuers))
            {
                ok(issuers.cIssuers == (ULONG)want_count, "%s: ISSUER_LIST_EX names %d CA(s) (got %lu)", name,
                   want_count, issuers.cIssuers);
                for (ULONG i = 0; i < issuers.cIssuers; i++)
                {
                    char dn[256] = "";
                    CertNameToStrA(X509_ASN_ENCODING, &issuers.aIssuers[i], CERT_X500_NAME_STR, dn, sizeof(dn));
                    ok(strstr(dn, "CN=") != NULL, "%s: CA name %lu decodes (%s)", name, i, dn);
                }
                FreeContextBuffer(issuers.aIssuers);
            }
            req |= ISC_REQ_USE_SUPPLIED_CREDS;
            in.len = 0;
            wire_push(&in, saved.data, saved.len);
        }
        else if ((status == SEC_E_INCOMPLETE_MESSAGE || !in.len) && recv_into(s, &in) <= 0)
            break;
        saved.len = 0;
        wire_push(&saved, in.data, in.len);
        status = isc_step(s, &cred, &ctx, FALSE, L"valid.test", req, &in);
    }
    ok(asked, "%s: SEC_I_INCOMPLETE_CREDENTIALS when the server asks", name);
    ok_hex(status, SEC_E_OK, "%s: the handshake goes on without a certificate", name);
    closesocket(s);
    if (have_ctx)
        DeleteSecurityContext(&ctx);
    FreeCredentialsHandle(&cred);
}

static void run_script(const char *path)
{
    char line[512], *argv[8], *save, *p;
    int argc, chain;
    FILE *f = fopen(path, "r");

    if (!ok(f != NULL, "script %s", path))
        return;
    while (fgets(line, sizeof(line), f))
    {
        argc = 0;
        for (p = strtok_r(line, " \t\r\n", &save); p && argc < 8; p = strtok_r(NULL, " \t\r\n", &save))
            argv[argc++] = p;
        if (argc == 3 && !strcmp(argv[0], "root"))
            root_store_op(argv[1], argv[2]);
        else if (argc == 4 && !strcmp(argv[0], "issuers"))
            run_issuers(argv[1], atoi(argv[2]), atoi(argv[3]));
        else if (argc >= 6 && !strcmp(argv[0], "case"))
        {
            chain = (argc >= 7 && !strncmp(argv[6], "chain=", 6)) ? atoi(argv[6] + 6) : 0;
            run_case(argv[1], atoi(argv[2]), argv[3], argv[4], argv[5], chain);
        }
        else if (argc && argv[0][0] != '#')
            ok(FALSE, "unknown script line starting with %s", argv[0]);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    WSADATA wsa;
    char *slash;

    if (argc < 2)
    {
        printf("1..0 # SKIP run by tests/validation.sh\n");
        return 0;
    }
    WSAStartup(MAKEWORD(2, 2), &wsa);
    snprintf(script_dir, sizeof(script_dir), "%s", argv[1]);
    if ((slash = strrchr(script_dir, '/')) || (slash = strrchr(script_dir, '\\')))
        *slash = 0;
    run_script(argv[1]);
    WSACleanup();
    return tap_done();
}
