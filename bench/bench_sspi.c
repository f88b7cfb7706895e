/*
 * bench_sspi: `make bench`'s measurements through SSPI, a Windows program run
 * under Wine with this project's secur32.dll (tools/wine-run).  The same work
 * as bench/raw_gnutls.c does with GnuTLS directly: client and server in one
 * process over memory, plus a socket client against gnutls-serv.
 *
 * usage: bench_sspi.exe [SECONDS [MEMORY_N]]          every in-process figure
 *        bench_sspi.exe sock PORT CONNECTIONS MIB      socket figures
 * Needs SECUR32_BUILDDIR (for tests/certs).  Prints "figure NAME VALUE" and
 * "note TEXT" lines.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <stdlib.h>
#include <string.h>
#include <ncrypt.h>
#include <psapi.h>
#include "tlsutil.h"

#define RECORD 16384
#define SMALL 64
#define MAX_CONNECTIONS 4096
#define MIN_CPU_WINDOW 0.5

static double seconds = 0.5;
static LARGE_INTEGER freq;

static double now(void)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart / (double)freq.QuadPart;
}

static void die(const char *what, SECURITY_STATUS status)
{
    fprintf(stderr, "bench_sspi: %s failed: %#lx\n", what, (unsigned long)status);
    exit(1);
}

/* BENCH_ONLY=NAME[,NAME...] runs only those figures (for profiling). */
static int want(const char *name)
{
    const char *only = getenv("BENCH_ONLY");
    return !only || strstr(only, name) != NULL;
}

/* CPU time of this process (user + kernel), seconds. */
#include "figures.h"

/* Measuring goes on for `seconds`, and past that until the process has
 * spent 30 ms of CPU (three of the 10 ms ticks of Wine's process times);
 * the CPU clock is only read once the wall-clock time is up. */
static BOOL keep_going(double start, double cpu0, double *elapsed)
{
    return (*elapsed = now() - start) < seconds || cpu_now() - cpu0 < 0.03;
}

/* The client's ISC flags: what programs pass (no ISC_REQ_USE_SUPPLIED_CREDS:
 * WinHTTP, WinINet, .NET), or with it when BENCH_SUPPLIED=1 (curl). */
static ULONG client_req(void)
{
    const char *supplied = getenv("BENCH_SUPPLIED");
    return supplied && *supplied == '1' ? CLIENT_REQ : CLIENT_REQ & ~ISC_REQ_USE_SUPPLIED_CREDS;
}

/* What the handshake's key exchange really was, for the table's label. */
/* CIPHER_INFO's dwKeyType is the TLS named group (RFC 8446 4.2.7). */
static const char *group_name(DWORD id)
{
    switch (id)
    {
    case 23: return "SECP256R1";
    case 24: return "SECP384R1";
    case 25: return "SECP521R1";
    case 29: return "X25519";
    case 30: return "X448";
    case 256: return "FFDHE2048";
    case 257: return "FFDHE3072";
    default: return "unknown group";
    }
}

/* The same program measures Wine's builtin secur32 (BENCH_BUILTIN=1, plain
 * wine) for the builtin column: a figure counts only where it negotiated
 * the protocol asked for (Wine's builtin never negotiates TLS 1.3). */
static BOOL builtin_mode;

static BOOL comparable(const char *name, CtxtHandle *ctx, DWORD disabled)
{
    SecPkgContext_ConnectionInfo info;

    if (QueryContextAttributesW(ctx, SECPKG_ATTR_CONNECTION_INFO, &info))
        die("SECPKG_ATTR_CONNECTION_INFO", 0);
    if (!(info.dwProtocol & disabled))
        return TRUE;
    printf("note %s: %s negotiated protocol 0x%lx, which the figure excludes: not measured\n", name,
           builtin_mode ? "Wine's builtin" : "SSPI", info.dwProtocol);
    return FALSE;
}

static void note_exchange(const char *name, CtxtHandle *ctx)
{
    SecPkgContext_CipherInfo info;

    if (!QueryContextAttributesW(ctx, SECPKG_ATTR_CIPHER_INFO, &info))
        printf("note %s: SSPI negotiated %ls, %ls, group %s (0x%lx)\n", name, info.szCipherSuite, info.szExchange,
               group_name(info.dwKeyType), info.dwKeyType);
}

/* ---- credentials ---- */

enum cipher_choice { ANY_CIPHER, ONLY_AES128, ONLY_AES256, ONLY_CHACHA };

static void set_unicode(UNICODE_STRING *s, const WCHAR *text)
{
    s->Buffer = (WCHAR *)text;
    s->Length = s->MaximumLength = (USHORT)(lstrlenW(text) * sizeof(WCHAR));
}

/* CRYPTO_SETTINGS that leave only the chosen bulk cipher. */
static DWORD disabled_crypto(enum cipher_choice choice, CRYPTO_SETTINGS *cs)
{
    DWORD n = 0;

    memset(cs, 0, 3 * sizeof(*cs));
    if (choice == ANY_CIPHER)
        return 0;
    if (choice != ONLY_CHACHA)
        set_unicode(&cs[n++].strCngAlgId, L"CHACHA20_POLY1305");
    set_unicode(&cs[n].strCngAlgId, L"AES");
    if (choice == ONLY_AES128)
        cs[n].dwMinBitLength = cs[n].dwMaxBitLength = 256;
    else if (choice == ONLY_AES256)
        cs[n].dwMinBitLength = cs[n].dwMaxBitLength = 128;
    return n + 1;
}

static void acquire(CredHandle *h, BOOL server, PCCERT_CONTEXT cert, DWORD disabled_protocols, BOOL resumable,
                    enum cipher_choice choice)
{
    SCH_CREDENTIALS cred = { .dwVersion = SCH_CREDENTIALS_VERSION };
    CRYPTO_SETTINGS cs[3];
    TLS_PARAMETERS params = { .grbitDisabledProtocols = disabled_protocols };
    TimeStamp expiry;
    SECURITY_STATUS status;

    params.cDisabledCrypto = disabled_crypto(choice, cs);
    params.pDisabledCrypto = params.cDisabledCrypto ? cs : NULL;
    cred.cCreds = cert ? 1 : 0;
    cred.paCred = cert ? &cert : NULL;
    cred.dwFlags = server ? 0 : SCH_CRED_MANUAL_CRED_VALIDATION | SCH_CRED_NO_DEFAULT_CREDS;
    if (!resumable)
        cred.dwFlags |= SCH_CRED_DISABLE_RECONNECTS;
    cred.cTlsParameters = 1;
    cred.pTlsParameters = &params;
    status = AcquireCredentialsHandleW(NULL, (SEC_WCHAR *)UNISP_NAME_W,
                                       server ? SECPKG_CRED_INBOUND : SECPKG_CRED_OUTBOUND, NULL, &cred, NULL,
                                       NULL, h, &expiry);
    if (status)
        die("AcquireCredentialsHandle", status);
}

/* ---- an ECDSA certificate: PFX import cannot carry its key on Wine 8, so
 * the key goes in through CNG (NCryptImportKey) and is attached to the
 * certificate context.  Wine 8's ncrypt cannot import ECC keys either
 * (NTE_INVALID_PARAMETER), so there the ECDSA figure is left out with a note. ---- */

static BYTE *read_cert_file(const char *name, size_t *size)
{
    const char *build = getenv("SECUR32_BUILDDIR");
    char path[MAX_PATH], *p;

    if (!build || snprintf(path, sizeof(path), "Z:%s/tests/certs/%s", build, name) >= (int)sizeof(path))
        return NULL;
    for (p = path; *p; p++)
        if (*p == '/')
            *p = '\\';
    return (BYTE *)read_file(path, size);
}

static const BYTE *find_bytes(const BYTE *hay, DWORD len, const BYTE *needle, DWORD nlen)
{
    for (DWORD i = 0; i + nlen <= len; i++)
        if (!memcmp(hay + i, needle, nlen))
            return hay + i;
    return NULL;
}

/* P-256 key from the PKCS#8 PEM: the SEC1 ECPrivateKey inside holds
 * "02 01 01 04 20" d[32] ... "03 42 00 04" X[32] Y[32]. */
static BOOL p256_key_blob(BYTE *blob, DWORD *blob_size)
{
    static const BYTE d_tag[] = { 0x02, 0x01, 0x01, 0x04, 0x20 }, q_tag[] = { 0x03, 0x42, 0x00, 0x04 };
    BCRYPT_ECCKEY_BLOB *hdr = (BCRYPT_ECCKEY_BLOB *)blob;
    BYTE der[1024];
    DWORD der_len = sizeof(der);
    const BYTE *d, *q;
    size_t size;
    char *pem = (char *)read_cert_file("server-ecdsa.key", &size);
    BOOL ok = pem && CryptStringToBinaryA(pem, 0, CRYPT_STRING_BASE64HEADER, der, &der_len, NULL, NULL);

    free(pem);
    if (!ok || !(d = find_bytes(der, der_len, d_tag, sizeof(d_tag))) || d + 5 + 32 > der + der_len
        || !(q = find_bytes(der, der_len, q_tag, sizeof(q_tag))) || q + 4 + 64 > der + der_len)
        return FALSE;
    hdr->dwMagic = BCRYPT_ECDSA_PRIVATE_P256_MAGIC;
    hdr->cbKey = 32;
    memcpy(blob + sizeof(*hdr), q + 4, 64);
    memcpy(blob + sizeof(*hdr) + 64, d + 5, 32);
    *blob_size = sizeof(*hdr) + 96;
    return TRUE;
}

static PCCERT_CONTEXT load_ecdsa_cert(void)
{
    BYTE blob[sizeof(BCRYPT_ECCKEY_BLOB) + 96];
    DWORD size, policy = NCRYPT_ALLOW_EXPORT_FLAG | NCRYPT_ALLOW_PLAINTEXT_EXPORT_FLAG;
    NCRYPT_PROV_HANDLE prov;
    NCRYPT_KEY_HANDLE key;
    PCCERT_CONTEXT cert = load_pem_cert("server-ecdsa");
    SECURITY_STATUS status;

    if (!cert || !p256_key_blob(blob, &size))
    {
        printf("note ECDSA: cannot read tests/certs/server-ecdsa.{pem,key}\n");
        return NULL;
    }
    if ((status = NCryptOpenStorageProvider(&prov, MS_KEY_STORAGE_PROVIDER, 0)))
    {
        printf("note ECDSA: NCryptOpenStorageProvider failed %#lx\n", (unsigned long)status);
        return NULL;
    }
    status = NCryptImportKey(prov, 0, BCRYPT_ECCPRIVATE_BLOB, NULL, &key, blob, size, NCRYPT_DO_NOT_FINALIZE_FLAG);
    if (!status)
    {
        NCryptSetProperty(key, NCRYPT_EXPORT_POLICY_PROPERTY, (BYTE *)&policy, sizeof(policy), 0);
        status = NCryptFinalizeKey(key, 0);
    }
    else   /* a provider without deferred finalisation */
        status = NCryptImportKey(prov, 0, BCRYPT_ECCPRIVATE_BLOB, NULL, &key, blob, size, 0);
    SecureZeroMemory(blob, sizeof(blob));
    NCryptFreeObject(prov);
    if (status)
    {
        printf("note ECDSA: NCryptImportKey(BCRYPT_ECCPRIVATE_BLOB) failed %#lx\n", (unsigned long)status);
        CertFreeCertificateContext(cert);
        return NULL;
    }
    if (!CertSetCertificateContextProperty(cert, CERT_NCRYPT_KEY_HANDLE_PROP_ID, 0, &key))
    {
        printf("note ECDSA: CERT_NCRYPT_KEY_HANDLE_PROP_ID not accepted (%lu)\n", GetLastError());
        CertFreeCertificateContext(cert);
        return NULL;
    }
    return cert;
}

/* ---- in-process pairs ---- */

struct bench_creds {
    CredHandle client, server;
};

static void creds_init(struct bench_creds *c, PCCERT_CONTEXT cert, DWORD disabled, BOOL resumable,
                       enum cipher_choice choice)
{
    acquire(&c->client, FALSE, NULL, disabled, resumable, choice);
    acquire(&c->server, TRUE, cert, disabled, resumable, ANY_CIPHER);
}

static void creds_free(struct bench_creds *c)
{
    FreeCredentialsHandle(&c->client);
    FreeCredentialsHandle(&c->server);
}

static void pair_init(struct tls_pair *p, struct bench_creds *c)
{
    memset(p, 0, sizeof(*p));
    p->ccred = c->client;
    p->scred = c->server;
    p->target = L"localhost";
    p->creq = client_req();
    p->sreq = SERVER_REQ;
}

static void handshake(struct tls_pair *p, struct bench_creds *c)
{
    pair_init(p, c);
    if (!run_handshake(p))
        die("handshake", p->cstatus ? p->cstatus : p->sstatus);
}

static void decrypt_buffers(SecBufferDesc *desc, SecBuffer *b, void *data, ULONG size)
{
    desc->ulVersion = SECBUFFER_VERSION;
    desc->cBuffers = 4;
    desc->pBuffers = b;
    b[0].BufferType = SECBUFFER_DATA; b[0].pvBuffer = data; b[0].cbBuffer = size;
    for (int i = 1; i < 4; i++)
    {
        b[i].BufferType = SECBUFFER_EMPTY;
        b[i].pvBuffer = NULL;
        b[i].cbBuffer = 0;
    }
}

/* TLS 1.3 tickets that followed the handshake (tlsutil's pair_drain_tickets). */
static void read_tickets(struct tls_pair *p)
{
    int renegotiations, failures = pair_drain_tickets(p, &renegotiations);

    if (failures)
        die("reading the tickets after the handshake", failures);
}

static void bench_full_handshakes(const char *name, PCCERT_CONTEXT cert, DWORD disabled)
{
    struct bench_creds c;
    struct tls_pair p;
    double start, cpu, elapsed;
    long n = 0;

    creds_init(&c, cert, disabled, FALSE, ANY_CIPHER);
    handshake(&p, &c);   /* warm-up, and the label */
    note_exchange(name, &p.cctx);
    if (!comparable(name, &p.cctx, disabled))
    {
        free_pair(&p);
        creds_free(&c);
        return;
    }
    free_pair(&p);
    start = now();
    cpu = cpu_now();
    do
    {
        handshake(&p, &c);
        free_pair(&p);
        n++;
    } while (keep_going(start, cpu, &elapsed));
    cpu = cpu_now() - cpu;
    creds_free(&c);
    rate_figures(name, n, elapsed, cpu);
}

static BOOL is_resumed(CtxtHandle *ctx)
{
    SecPkgContext_SessionInfo info;
    return !QueryContextAttributesW(ctx, SECPKG_ATTR_SESSION_INFO, &info) && (info.dwFlags & SSL_SESSION_RECONNECT);
}

static void bench_resumed_handshakes(PCCERT_CONTEXT cert)
{
    struct bench_creds c;
    struct tls_pair p;
    double start = 0, cpu = 0, elapsed;
    long n = -1;   /* the first, full handshake is not counted */

    creds_init(&c, cert, SP_PROT_TLS1_2, TRUE, ANY_CIPHER);
    do
    {
        handshake(&p, &c);
        if (n < 0 && !comparable("hs_resumed", &p.cctx, SP_PROT_TLS1_2))
        {
            free_pair(&p);
            creds_free(&c);
            return;
        }
        read_tickets(&p);
        if (n >= 0 && !is_resumed(&p.cctx))
            die("resumption", SEC_E_INTERNAL_ERROR);
        free_pair(&p);
        if (++n == 0)
        {
            start = now();
            cpu = cpu_now();
        }
    } while (keep_going(start, cpu, &elapsed) || n < 1);
    cpu = cpu_now() - cpu;
    creds_free(&c);
    rate_figures("hs_resumed", n, elapsed, cpu);
}

/* One record from client to server: EncryptMessage in place on the
 * plaintext in the message buffer, DecryptMessage in place, which leaves
 * the plaintext back where it was (bench_records relies on that). */
static void transfer(struct tls_pair *p, const SecPkgContext_StreamSizes *sizes, BYTE *record, ULONG len)
{
    SecBuffer eb[4], db[4];
    SecBufferDesc edesc = { SECBUFFER_VERSION, 4, eb }, ddesc;
    SECURITY_STATUS status;

    eb[0].BufferType = SECBUFFER_STREAM_HEADER; eb[0].pvBuffer = record; eb[0].cbBuffer = sizes->cbHeader;
    eb[1].BufferType = SECBUFFER_DATA; eb[1].pvBuffer = record + sizes->cbHeader; eb[1].cbBuffer = len;
    eb[2].BufferType = SECBUFFER_STREAM_TRAILER; eb[2].pvBuffer = record + sizes->cbHeader + len;
    eb[2].cbBuffer = sizes->cbTrailer;
    eb[3].BufferType = SECBUFFER_EMPTY; eb[3].pvBuffer = NULL; eb[3].cbBuffer = 0;
    if ((status = EncryptMessage(&p->cctx, 0, &edesc, 0)))
        die("EncryptMessage", status);
    decrypt_buffers(&ddesc, db, record, eb[0].cbBuffer + eb[1].cbBuffer + eb[2].cbBuffer);
    if ((status = DecryptMessage(&p->sctx, &ddesc, 0, NULL)) || db[1].cbBuffer != len
        || db[1].pvBuffer != record + sizes->cbHeader)
        die("DecryptMessage", status);
}

static void bench_records(const char *name, enum cipher_choice choice, ULONG len)
{
    static BYTE data[RECORD], record[RECORD + 1024];
    SecPkgContext_StreamSizes sizes;
    struct bench_creds c;
    struct tls_pair p;
    PCCERT_CONTEXT cert = load_pfx("server-rsa");
    double start, cpu, elapsed;
    long n = 0;

    if (!cert)
        die("load_pfx(server-rsa)", 0);
    memset(data, 'x', sizeof(data));
    creds_init(&c, cert, SP_PROT_TLS1_2, FALSE, choice);
    handshake(&p, &c);
    if (!comparable(name, &p.cctx, SP_PROT_TLS1_2))
    {
        free_pair(&p);
        creds_free(&c);
        CertFreeCertificateContext(cert);
        return;
    }
    if (QueryContextAttributesW(&p.cctx, SECPKG_ATTR_STREAM_SIZES, &sizes))
        die("SECPKG_ATTR_STREAM_SIZES", 0);
    /* DecryptMessage leaves the plaintext where EncryptMessage took it from,
     * so each round trip starts again from the same data, as raw GnuTLS's
     * sends do from its unchanging buffer; checked once at the end. */
    memcpy(record + sizes.cbHeader, data, len);
    start = now();
    cpu = cpu_now();
    do
    {
        for (int i = 0; i < 64; i++)
            transfer(&p, &sizes, record, len);
        n += 64;
    } while (keep_going(start, cpu, &elapsed));
    cpu = cpu_now() - cpu;
    if (memcmp(record + sizes.cbHeader, data, len))
        die("the data did not survive the round trips", 0);
    free_pair(&p);
    creds_free(&c);
    CertFreeCertificateContext(cert);
    rate_figures(name, len == RECORD ? n * (double)len / 1e6 : n, elapsed, cpu);
}

/* Everything the process holds, Windows heap and Unix half alike. */
static double rss_bytes(void)
{
    PROCESS_MEMORY_COUNTERS pmc = { .cb = sizeof(pmc) };
    return K32GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof(pmc)) ? (double)pmc.WorkingSetSize : 0;
}

static void bench_memory_contexts(PCCERT_CONTEXT cert, int count)
{
    struct tls_pair *pairs = calloc(count, sizeof(*pairs));
    struct bench_creds c;
    double before;

    if (!pairs)
        die("out of memory", 0);
    creds_init(&c, cert, SP_PROT_TLS1_2, FALSE, ANY_CIPHER);
    handshake(&pairs[0], &c);   /* warm-up: lazy library state */
    if (!comparable("mem_context", &pairs[0].cctx, SP_PROT_TLS1_2))
    {
        free_pair(&pairs[0]);
        free(pairs);
        creds_free(&c);
        return;
    }
    before = rss_bytes();
    for (int i = 1; i < count; i++)
        handshake(&pairs[i], &c);
    /* The pairs array is the bench's own bookkeeping, not context state. */
    figure("mem_context", (rss_bytes() - before - (double)(count - 1) * sizeof(*pairs)) / (2.0 * (count - 1)));
    for (int i = 0; i < count; i++)
        free_pair(&pairs[i]);
    free(pairs);
    creds_free(&c);
}

static void bench_memory_creds(PCCERT_CONTEXT cert, int count)
{
    CredHandle *h = calloc(count, sizeof(*h));
    double before;

    if (!h)
        die("out of memory", 0);
    acquire(&h[0], TRUE, cert, SP_PROT_TLS1_2, TRUE, ANY_CIPHER);
    before = rss_bytes();
    for (int i = 1; i < count; i++)
        acquire(&h[i], TRUE, cert, SP_PROT_TLS1_2, TRUE, ANY_CIPHER);
    figure("mem_cred", (rss_bytes() - before) / (count - 1));
    for (int i = 0; i < count; i++)
        FreeCredentialsHandle(&h[i]);
    free(h);
}

/* ---- socket client against gnutls-serv --echo ---- */

struct conn {
    SOCKET s;
    CtxtHandle ctx;
    SecPkgContext_StreamSizes sizes;
    struct wire in;   /* received, not yet used (tlsutil.h's growable queue) */
};

static void send_all(SOCKET s, const void *data, ULONG len)
{
    const char *p = data;
    while (len)
    {
        int n = send(s, p, (int)len, 0);
        if (n <= 0)
            die("send", WSAGetLastError());
        p += n;
        len -= n;
    }
}

static void recv_more(struct conn *c)
{
    int n = recv(c->s, (char *)wire_space(&c->in, 65536), 65536, 0);
    if (n <= 0)
        die("recv", WSAGetLastError());
    c->in.len += n;
}

static void consume(struct conn *c, ULONG keep_tail)
{
    wire_consume(&c->in, c->in.len - keep_tail);
}

static void sock_connect(struct conn *c, int port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((u_short)port) };
    BOOL one = TRUE;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->s = socket(AF_INET, SOCK_STREAM, 0);
    if (c->s == INVALID_SOCKET || connect(c->s, (struct sockaddr *)&sa, sizeof(sa)))
        die("connect to 127.0.0.1", WSAGetLastError());
    setsockopt(c->s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof(one));
    c->in.len = 0;
}

static void send_to_socket(void *user, const BYTE *data, ULONG len)
{
    send_all(((struct conn *)user)->s, data, len);
}

/* The client's handshake with tlsutil's tls_call_once, one call per flight. */
static void sock_handshake(struct conn *c, CredHandle *cred)
{
    BOOL have_ctx = FALSE;
    struct tls_call call = { .cred = cred, .ctx = &c->ctx, .have_ctx = &have_ctx, .target = L"localhost",
                             .req = client_req(), .sink = send_to_socket, .user = c };
    SECURITY_STATUS status;

    for (;;)
    {
        status = tls_call_once(&call, c->in.data, c->in.len);
        if (status == SEC_E_INCOMPLETE_MESSAGE)
        {
            recv_more(c);
            continue;
        }
        if (status != SEC_E_OK && status != SEC_I_CONTINUE_NEEDED)
            die("socket handshake", status);
        wire_consume(&c->in, call.used);
        if (status == SEC_E_OK)
            break;
        if (!c->in.len)
            recv_more(c);
    }
    QueryContextAttributesW(&c->ctx, SECPKG_ATTR_STREAM_SIZES, &c->sizes);
}

static void sock_close(struct conn *c)
{
    DeleteSecurityContext(&c->ctx);
    closesocket(c->s);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void sock_latency(CredHandle *cred, int port, int connections)
{
    static struct conn c;
    double *t = calloc(MAX_CONNECTIONS, sizeof(*t)), cpu = cpu_now(), begin = now();
    int i;

    /* At least MIN_CPU_WINDOW s: Wine's process times tick in 10 ms. */
    for (i = 0; i < MAX_CONNECTIONS && (i < connections || now() - begin < MIN_CPU_WINDOW); i++)
    {
        double start = now();
        sock_connect(&c, port);
        sock_handshake(&c, cred);
        t[i] = now() - start;
        sock_close(&c);
    }
    cpu = cpu_now() - cpu;
    qsort(t, i, sizeof(*t), cmp_double);
    figure("sock_hs_ms", t[i / 2] * 1e3);
    figure("sock_hs_cpu_ms", cpu / i * 1e3);
    free(t);
}

/* Decrypts whatever whole records arrived; returns the plaintext bytes. */
static ULONG sock_decrypt(struct conn *c)
{
    SecBuffer db[4];
    SecBufferDesc ddesc;
    SECURITY_STATUS status;
    ULONG got = 0;

    while (c->in.len)
    {
        decrypt_buffers(&ddesc, db, c->in.data, c->in.len);
        status = DecryptMessage(&c->ctx, &ddesc, 0, NULL);
        if (status == SEC_E_INCOMPLETE_MESSAGE)
            break;
        if (status)
            die("socket DecryptMessage", status);
        got += db[1].cbBuffer;
        consume(c, db[3].BufferType == SECBUFFER_EXTRA ? db[3].cbBuffer : 0);
    }
    return got;
}

/* gnutls-serv --echo echoes line by line: text lines, not one long run. */
static void fill_lines(unsigned char *data, size_t size)
{
    for (size_t i = 0; i < size; i++)
        data[i] = (i % 64 == 63) ? '\n' : 'a' + (char)(i % 26);
}

#define WINDOW (4 * RECORD)
static void sock_throughput(CredHandle *cred, int port, long mib)
{
    static struct conn c;
    static BYTE data[RECORD], record[RECORD + 1024];
    long long total = (long long)mib << 20, sent = 0, received = 0;
    double start, cpu;

    fill_lines(data, sizeof(data));
    sock_connect(&c, port);
    sock_handshake(&c, cred);
    start = now();
    cpu = cpu_now();
    while (received < total)
    {
        while (sent < total && sent - received < WINDOW)
        {
            SecBuffer eb[4];
            SecBufferDesc edesc = { SECBUFFER_VERSION, 4, eb };
            SECURITY_STATUS status;

            eb[0].BufferType = SECBUFFER_STREAM_HEADER; eb[0].pvBuffer = record; eb[0].cbBuffer = c.sizes.cbHeader;
            eb[1].BufferType = SECBUFFER_DATA; eb[1].pvBuffer = record + c.sizes.cbHeader; eb[1].cbBuffer = RECORD;
            eb[2].BufferType = SECBUFFER_STREAM_TRAILER; eb[2].pvBuffer = record + c.sizes.cbHeader + RECORD;
            eb[2].cbBuffer = c.sizes.cbTrailer;
            eb[3].BufferType = SECBUFFER_EMPTY; eb[3].pvBuffer = NULL; eb[3].cbBuffer = 0;
            memcpy(eb[1].pvBuffer, data, RECORD);
            if ((status = EncryptMessage(&c.ctx, 0, &edesc, 0)))
                die("socket EncryptMessage", status);
            send_all(c.s, record, eb[0].cbBuffer + eb[1].cbBuffer + eb[2].cbBuffer);
            sent += RECORD;
        }
        recv_more(&c);
        received += sock_decrypt(&c);
    }
    rate_figures("sock_mbps", (double)total / 1e6, now() - start, cpu_now() - cpu);
    sock_close(&c);
}

static int run_sockets(int port, int connections, long mib)
{
    WSADATA wsa;
    CredHandle cred;

    if (WSAStartup(MAKEWORD(2, 2), &wsa))
        die("WSAStartup", 0);
    acquire(&cred, FALSE, NULL, SP_PROT_TLS1_2, FALSE, ANY_CIPHER);
    sock_latency(&cred, port, connections);
    sock_throughput(&cred, port, mib);
    FreeCredentialsHandle(&cred);
    WSACleanup();
    return 0;
}

int main(int argc, char **argv)
{
    PCCERT_CONTEXT rsa, ecdsa;
    char product[64];
    int mem_n = 1000;

    QueryPerformanceFrequency(&freq);
    /* "sock PORT N MIB builtin": the socket figures through Wine's own
     * secur32, for comparison in the same run. */
    if (argc >= 6 && !strcmp(argv[1], "sock") && !strcmp(argv[5], "builtin"))
    {
        if (secur32_is_ours(product, sizeof(product)))
        {
            fprintf(stderr, "bench_sspi: builtin asked, but the loaded secur32.dll is secur32-gnutls\n");
            return 1;
        }
        return run_sockets(atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
    }
    builtin_mode = getenv("BENCH_BUILTIN") != NULL;
    if (builtin_mode && secur32_is_ours(product, sizeof(product)))
    {
        fprintf(stderr, "bench_sspi: BENCH_BUILTIN set, but the loaded secur32.dll is secur32-gnutls\n");
        return 1;
    }
    if (!builtin_mode && !secur32_is_ours(product, sizeof(product)))
    {
        fprintf(stderr, "bench_sspi: the loaded secur32.dll is not secur32-gnutls (%s): run it with tools/wine-run\n",
                product);
        return 1;
    }
    if (argc >= 5 && !strcmp(argv[1], "sock"))
        return run_sockets(atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
    if (argc >= 2)
        seconds = atof(argv[1]);
    if (argc >= 3)
        mem_n = atoi(argv[2]);
    if (!(rsa = load_pfx("server-rsa")))
        die("load_pfx(server-rsa)", 0);
    ecdsa = load_ecdsa_cert();
    /* Memory first, while the heap has no freed pages to reuse. */
    if (want("mem_cred"))
        bench_memory_creds(rsa, mem_n / 4 > 20 ? mem_n / 4 : 20);
    if (want("mem_context"))
        bench_memory_contexts(rsa, mem_n);
    if (ecdsa && want("hs_tls13_ecdsa"))
        bench_full_handshakes("hs_tls13_ecdsa", ecdsa, SP_PROT_TLS1_2);
    if (want("hs_tls13_rsa"))
        bench_full_handshakes("hs_tls13_rsa", rsa, SP_PROT_TLS1_2);
    if (want("hs_tls12_rsa"))
        bench_full_handshakes("hs_tls12_rsa", rsa, SP_PROT_TLS1_3);
    if (want("hs_resumed"))
        bench_resumed_handshakes(rsa);
    if (want("bulk_aes128gcm"))
        bench_records("bulk_aes128gcm", ONLY_AES128, RECORD);
    if (want("bulk_aes256gcm"))
        bench_records("bulk_aes256gcm", ONLY_AES256, RECORD);
    if (want("bulk_chacha20"))
        bench_records("bulk_chacha20", ONLY_CHACHA, RECORD);
    if (want("small_64"))
        bench_records("small_64", ONLY_AES128, SMALL);
    CertFreeCertificateContext(rsa);
    if (ecdsa)
        CertFreeCertificateContext(ecdsa);
    return 0;
}
