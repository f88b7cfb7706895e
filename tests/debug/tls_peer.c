/*
 * A small TLS peer for the debuggability tests (the scripts in tests/debug), run
 * under Wine with the built DLL:
 *   tls_peer pair tls12|tls13       in-process client and server, one record
 *   tls_peer untrusted              in-process pair, automatic validation of
 *                                   a server whose CA the prefix does not trust
 *   tls_peer mismatch               in-process pair, TLS 1.2-only client and
 *                                   TLS 1.3-only server
 *   tls_peer connect PORT tls12|tls13   client to 127.0.0.1:PORT
 *   tls_peer serve tls12|tls13      server on 127.0.0.1, an OS-chosen port
 *                                   printed as "PORT n"; one connection
 * Each mode exchanges one application record each way where it can and
 * exits 0 when the handshake (and, for pair, the record) worked.
 */
#include <winsock2.h>
#include <stdlib.h>
#include <string.h>
#include "tlsutil.h"

struct conn {
    SOCKET sock;
    CredHandle cred;
    CtxtHandle ctx;
    BOOL have_ctx, server;
    struct wire in;   /* received and not yet used (tlsutil.h's growable queue) */
};

static DWORD disabled_protocols(const char *name)
{
    return !strcmp(name, "tls13") ? SP_PROT_TLS1_2 : SP_PROT_TLS1_3;
}

static void fail(const char *what, SECURITY_STATUS status)
{
    printf("FAIL %s: %#lx\n", what, (unsigned long)status);
    fflush(stdout);
}

/* ---- in-process pair ---- */

static int run_pair(const char *cprot, const char *sprot, BOOL validate)
{
    static const BYTE ping[] = "ping through the pair";
    struct tls_pair p = { 0 };
    PCCERT_CONTEXT cert = load_pfx("server-rsa");
    BYTE out[256];
    ULONG out_len;
    SECURITY_STATUS status;

    if (!cert)
        return fail("load server-rsa.pfx", 0), 1;
    p.target = L"localhost";
    p.creq = CLIENT_REQ;
    p.sreq = SERVER_REQ;
    if ((status = acquire_cred(&p.ccred, SECPKG_CRED_OUTBOUND, NULL, TRUE, disabled_protocols(cprot),
                               validate ? 0 : SCH_CRED_MANUAL_CRED_VALIDATION))
        || (status = acquire_cred(&p.scred, SECPKG_CRED_INBOUND, cert, TRUE, disabled_protocols(sprot), 0)))
        return fail("AcquireCredentialsHandle", status), 1;
    if (!run_handshake(&p))
    {
        printf("handshake failed: client %#lx server %#lx\n", (unsigned long)p.cstatus, (unsigned long)p.sstatus);
        return 1;
    }
    status = send_record(&p.cctx, &p.sctx, ping, sizeof(ping), out, &out_len);
    if (status || out_len != sizeof(ping) || memcmp(out, ping, out_len))
        return fail("record", status), 1;
    printf("pair ok\n");
    free_pair(&p);
    FreeCredentialsHandle(&p.ccred);
    FreeCredentialsHandle(&p.scred);
    CertFreeCertificateContext(cert);
    return 0;
}

/* ---- sockets ---- */

static BOOL send_all(SOCKET s, const BYTE *data, ULONG len)
{
    while (len)
    {
        int n = send(s, (const char *)data, (int)len, 0);
        if (n <= 0)
            return FALSE;
        data += n;
        len -= (ULONG)n;
    }
    return TRUE;
}

static BOOL recv_more(struct conn *c)
{
    int n = recv(c->sock, (char *)wire_space(&c->in, 16384), 16384, 0);

    if (n <= 0)
        return FALSE;
    c->in.len += (ULONG)n;
    return TRUE;
}

static void send_to_socket(void *user, const BYTE *data, ULONG len)
{
    send_all(((struct conn *)user)->sock, data, len);
}

/* One ISC/ASC call (tlsutil's tls_call_once) on the buffered bytes; sends
 * what it produces. */
static SECURITY_STATUS context_step(struct conn *c)
{
    struct tls_call call = { .cred = &c->cred, .ctx = &c->ctx, .have_ctx = &c->have_ctx, .server = c->server,
                             .target = L"localhost", .req = c->server ? SERVER_REQ : CLIENT_REQ,
                             .sink = send_to_socket, .user = c };
    SECURITY_STATUS status;

    status = tls_call_once(&call, c->in.data, c->in.len);
    wire_consume(&c->in, call.used);
    return status;
}

static BOOL handshake(struct conn *c)
{
    SECURITY_STATUS status = SEC_I_CONTINUE_NEEDED;

    if (!c->server && context_step(c) != SEC_I_CONTINUE_NEEDED)
        return FALSE;
    for (;;)
    {
        if (!c->in.len || status == SEC_E_INCOMPLETE_MESSAGE)
            if (!recv_more(c))
                return fail("connection closed during the handshake", 0), FALSE;
        status = context_step(c);
        if (status == SEC_E_OK)
            return TRUE;
        if (status != SEC_I_CONTINUE_NEEDED && status != SEC_E_INCOMPLETE_MESSAGE)
            return fail("handshake", status), FALSE;
    }
}

static BOOL send_text(struct conn *c, const char *text)
{
    struct wire record = { 0 };
    SECURITY_STATUS status = encrypt_record(&c->ctx, text, (ULONG)strlen(text), &record);
    BOOL sent = status == SEC_E_OK && send_all(c->sock, record.data, record.len);

    wire_free(&record);
    if (status)
        fail("EncryptMessage", status);
    return sent;
}

/* Decrypts until one record with data arrives; FALSE at close or error. */
static BOOL receive_text(struct conn *c)
{
    SECURITY_STATUS status = SEC_E_OK;   /* bytes left by the handshake come first */
    SecBuffer b[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    int i;

    for (;;)
    {
        if ((!c->in.len || status == SEC_E_INCOMPLETE_MESSAGE) && !recv_more(c))
            return FALSE;
        b[0] = (SecBuffer){ c->in.len, SECBUFFER_DATA, c->in.data };
        for (i = 1; i < 4; i++)
            b[i] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
        status = DecryptMessage(&c->ctx, &desc, 0, NULL);
        if (status == SEC_E_INCOMPLETE_MESSAGE)
            continue;
        if (status == SEC_I_CONTEXT_EXPIRED)
            return FALSE;
        if (status != SEC_E_OK && status != SEC_I_RENEGOTIATE)
            return fail("DecryptMessage", status), FALSE;
        if (status == SEC_E_OK && b[1].cbBuffer)
            printf("received %.*s\n", (int)b[1].cbBuffer, (const char *)b[1].pvBuffer);
        if (b[3].BufferType == SECBUFFER_EXTRA)
            wire_consume(&c->in, c->in.len - b[3].cbBuffer);
        else
            c->in.len = 0;
        if (status == SEC_I_RENEGOTIATE)
            status = context_step(c);   /* answers tickets / key updates */
        else if (b[1].cbBuffer)
            return TRUE;
    }
}

static void shutdown_tls(struct conn *c)
{
    DWORD type = SCHANNEL_SHUTDOWN;
    SecBuffer b = { sizeof(type), SECBUFFER_TOKEN, &type };
    SecBufferDesc desc = { SECBUFFER_VERSION, 1, &b };

    c->in.len = 0;
    if (ApplyControlToken(&c->ctx, &desc) == SEC_E_OK)
        context_step(c);
}

/* FIN, then read until the peer closes too: closing with unread bytes
 * would send an RST, which can destroy data the peer has not read yet. */
static void close_gracefully(SOCKET s)
{
    DWORD timeout_ms = 3000;
    char scratch[4096];

    shutdown(s, SD_SEND);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout_ms, sizeof(timeout_ms));
    while (recv(s, scratch, sizeof(scratch), 0) > 0)
        ;
    closesocket(s);
}

static SOCKET listen_any_port(void)
{
    struct sockaddr_in addr = { .sin_family = AF_INET };
    int len = sizeof(addr);
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);

    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s == INVALID_SOCKET || bind(s, (struct sockaddr *)&addr, sizeof(addr)) || listen(s, 1)
        || getsockname(s, (struct sockaddr *)&addr, &len))
        return INVALID_SOCKET;
    printf("PORT %u\n", ntohs(addr.sin_port));
    fflush(stdout);
    return s;
}

static int run_socket(BOOL server, const char *prot, int port)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((u_short)port) };
    static struct conn c;
    PCCERT_CONTEXT cert = NULL;
    SECURITY_STATUS status;
    SOCKET listener;
    WSADATA wsa;
    int ok;

    c.server = server;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (WSAStartup(MAKEWORD(2, 2), &wsa))
        return fail("WSAStartup", 0), 1;
    if (server && !(cert = load_pfx("server-rsa")))
        return fail("load server-rsa.pfx", 0), 1;
    if ((status = acquire_cred(&c.cred, server ? SECPKG_CRED_INBOUND : SECPKG_CRED_OUTBOUND, cert, TRUE,
                               disabled_protocols(prot), server ? 0 : SCH_CRED_MANUAL_CRED_VALIDATION)))
        return fail("AcquireCredentialsHandle", status), 1;
    if (server)
    {
        if ((listener = listen_any_port()) == INVALID_SOCKET)
            return fail("listen", WSAGetLastError()), 1;
        c.sock = accept(listener, NULL, NULL);
        closesocket(listener);
    }
    else
    {
        c.sock = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        if (connect(c.sock, (struct sockaddr *)&addr, sizeof(addr)))
            return fail("connect", WSAGetLastError()), 1;
    }
    if (c.sock == INVALID_SOCKET || !handshake(&c))
        return 1;
    printf("handshake ok\n");
    fflush(stdout);
    if (server)
        ok = receive_text(&c) && send_text(&c, "hello from the Schannel server\n");
    else
        ok = send_text(&c, "hello from the Schannel client\n") && receive_text(&c);
    printf("exchange %s\n", ok ? "ok" : "incomplete");
    shutdown_tls(&c);
    close_gracefully(c.sock);
    DeleteSecurityContext(&c.ctx);
    FreeCredentialsHandle(&c.cred);
    wire_free(&c.in);
    if (cert)
        CertFreeCertificateContext(cert);
    WSACleanup();
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 3 && !strcmp(argv[1], "pair"))
        return run_pair(argv[2], argv[2], FALSE);
    if (argc == 2 && !strcmp(argv[1], "untrusted"))
        return run_pair("tls12", "tls12", TRUE);
    if (argc == 2 && !strcmp(argv[1], "mismatch"))
        return run_pair("tls12", "tls13", FALSE);
    if (argc == 4 && !strcmp(argv[1], "connect"))
        return run_socket(FALSE, argv[3], atoi(argv[2]));
    if (argc == 3 && !strcmp(argv[1], "serve"))
        return run_socket(TRUE, argv[2], 0);
    printf("usage: tls_peer pair|connect PORT|serve tls12|tls13, or tls_peer untrusted|mismatch\n");
    return 2;
}
