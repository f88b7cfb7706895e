/*
 * The SSPI loop of sspicat: handshake (CONTINUE_NEEDED, INCOMPLETE_MESSAGE,
 * EXTRA), records (EncryptMessage / DecryptMessage, SEC_I_RENEGOTIATE for
 * post-handshake messages, SEC_I_CONTEXT_EXPIRED for close_notify) and the
 * shutdown (ApplyControlToken SCHANNEL_SHUTDOWN, then ISC/ASC).
 */
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include "sspicat.h"

#define ISC_FLAGS (ISC_REQ_SEQUENCE_DETECT | ISC_REQ_REPLAY_DETECT | ISC_REQ_CONFIDENTIALITY \
                   | ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_STREAM | ISC_REQ_USE_SUPPLIED_CREDS)
#define ASC_FLAGS (ASC_REQ_SEQUENCE_DETECT | ASC_REQ_REPLAY_DETECT | ASC_REQ_CONFIDENTIALITY \
                   | ASC_REQ_ALLOCATE_MEMORY | ASC_REQ_STREAM | ASC_REQ_EXTENDED_ERROR)
#define HANDSHAKE_TIMEOUT_MS 10000
#define MAX_BUFFERED (1u << 20)

enum recv_result { RECV_DATA, RECV_EOF, RECV_ERROR, RECV_TIMEOUT };

/* ---------------------------------------------------------------- socket */

static BOOL send_all(struct conn *c, const void *data, DWORD len)
{
    const char *p = data;

    while (len)
    {
        int n = send(c->sock, p, len > 0x10000 ? 0x10000 : (int)len, 0);
        if (n <= 0)
        {
            error("send failed (WSA error %d)", WSAGetLastError());
            return FALSE;
        }
        p += n;
        len -= n;
    }
    return TRUE;
}

static enum recv_result recv_more(struct conn *c, DWORD timeout_ms)
{
    struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
    fd_set readable;
    int n;

    if (c->cap - c->len < 4096)
    {
        DWORD cap = c->cap ? c->cap * 2 : 32768;
        BYTE *buf;
        if (cap > MAX_BUFFERED || !(buf = realloc(c->buf, cap)))
        {
            error("more than %u bytes of input pending: giving up", MAX_BUFFERED);
            return RECV_ERROR;
        }
        c->buf = buf;
        c->cap = cap;
    }
    FD_ZERO(&readable);
    FD_SET(c->sock, &readable);
    if ((n = select(0, &readable, NULL, NULL, &tv)) == 0)
        return RECV_TIMEOUT;
    if (n < 0)
        return RECV_ERROR;
    n = recv(c->sock, (char *)c->buf + c->len, c->cap - c->len, 0);
    if (n == 0)
        return RECV_EOF;
    if (n < 0)
    {
        error("recv failed (WSA error %d)", WSAGetLastError());
        return RECV_ERROR;
    }
    c->len += n;
    return RECV_DATA;
}

/* Keeps the last `extra` bytes of the buffer (SECBUFFER_EXTRA). */
static void keep_tail(struct conn *c, DWORD extra)
{
    if (extra > c->len)
        extra = c->len;
    memmove(c->buf, c->buf + c->len - extra, extra);
    c->len = extra;
}

/* ---------------------------------------------------------------- handshake */

static SECURITY_STATUS call_sspi(struct conn *c, SecBufferDesc *in, SecBufferDesc *out)
{
    ULONG attrs = 0;
    PCtxtHandle ctx = c->have_ctx ? &c->ctx : NULL;
    PCtxtHandle new_ctx = c->have_ctx ? NULL : &c->ctx;
    SECURITY_STATUS status;

    if (c->server)
        status = AcceptSecurityContext(c->cred, ctx, in, ASC_FLAGS | (opt->request_cert ? ASC_REQ_MUTUAL_AUTH : 0),
                                       0, new_ctx, out, &attrs, NULL);
    else
        status = InitializeSecurityContextW(c->cred, ctx, (SEC_WCHAR *)c->target, ISC_FLAGS, 0, 0, in, 0,
                                            new_ctx, out, &attrs, NULL);
    if (!c->have_ctx && (status == SEC_E_OK || status == SEC_I_CONTINUE_NEEDED
                         || status == SEC_I_INCOMPLETE_CREDENTIALS))
        c->have_ctx = TRUE;
    return status;
}

/* Sends and frees what an ISC/ASC call put in its output buffers. */
static BOOL send_outputs(struct conn *c, SecBuffer *out, ULONG count, const char *what)
{
    BOOL ok = TRUE;
    ULONG i;

    for (i = 0; i < count; i++)
    {
        if (out[i].pvBuffer && out[i].cbBuffer && ok)
        {
            verbose("sending %lu %s bytes", out[i].cbBuffer,
                    out[i].BufferType == SECBUFFER_ALERT ? "alert" : what);
            ok = send_all(c, out[i].pvBuffer, out[i].cbBuffer);
        }
        if (out[i].pvBuffer)
            FreeContextBuffer(out[i].pvBuffer);
        out[i].pvBuffer = NULL;
    }
    return ok;
}

/* One ISC/ASC call on the buffered input: sends the output, keeps EXTRA. */
static SECURITY_STATUS handshake_step(struct conn *c, BOOL no_input)
{
    SecBuffer in[3], out[3];
    SecBufferDesc in_desc = { SECBUFFER_VERSION, 2, in }, out_desc = { SECBUFFER_VERSION, 3, out };
    SECURITY_STATUS status;

    in[0] = (SecBuffer){ c->len, SECBUFFER_TOKEN, c->buf };
    in[1] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
    if (c->alpn && (c->server || no_input))
    {
        in[c->server ? 2 : 0] = (SecBuffer){ c->alpn_size, SECBUFFER_APPLICATION_PROTOCOLS, c->alpn };
        in_desc.cBuffers = c->server ? 3 : 1;
    }
    out[0] = (SecBuffer){ 0, SECBUFFER_TOKEN, NULL };
    out[1] = (SecBuffer){ 0, SECBUFFER_ALERT, NULL };
    out[2] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
    status = call_sspi(c, no_input && !(c->alpn && !c->server) ? NULL : &in_desc, &out_desc);
    verbose("%s: %s, %lu bytes in%s", c->server ? "AcceptSecurityContext" : "InitializeSecurityContext",
            status_name(status), no_input ? 0 : c->len,
            !no_input && in[1].BufferType == SECBUFFER_EXTRA ? ", some left over (EXTRA)" : "");
    if (status == SEC_E_INCOMPLETE_MESSAGE)
        return status;
    if (!send_outputs(c, out, 3, "handshake") && !FAILED(status))
        return SEC_E_INTERNAL_ERROR;
    if (!no_input)
        keep_tail(c, in[1].BufferType == SECBUFFER_EXTRA ? in[1].cbBuffer : 0);
    return status;
}

static SECURITY_STATUS handshake_fail(const char *what, SECURITY_STATUS status)
{
    error("%s", what);
    return status;
}

SECURITY_STATUS tls_handshake(struct conn *c)
{
    SECURITY_STATUS status = SEC_I_CONTINUE_NEEDED;

    if (!c->server)
        status = handshake_step(c, TRUE);
    while (status == SEC_I_CONTINUE_NEEDED || status == SEC_E_INCOMPLETE_MESSAGE
           || status == SEC_I_INCOMPLETE_CREDENTIALS)
    {
        if (status == SEC_I_INCOMPLETE_CREDENTIALS)
            verbose("the server asked for a client certificate; continuing without one");
        else if (!c->len || status == SEC_E_INCOMPLETE_MESSAGE)
        {
            switch (recv_more(c, HANDSHAKE_TIMEOUT_MS))
            {
            case RECV_DATA: break;
            case RECV_EOF: return handshake_fail("the peer closed the connection during the handshake",
                                                 SEC_E_INTERNAL_ERROR);
            case RECV_TIMEOUT: return handshake_fail("timed out waiting for the peer during the handshake",
                                                     SEC_E_INTERNAL_ERROR);
            default: return SEC_E_INTERNAL_ERROR;
            }
        }
        if (c->server && !c->sni_parsed)
            c->sni_parsed = parse_client_hello_sni(c->buf, c->len, c->client_sni, sizeof(c->client_sni));
        status = handshake_step(c, FALSE);
    }
    if (status != SEC_E_OK)
        sspi_error(c->server ? "AcceptSecurityContext" : "InitializeSecurityContext", status);
    return status;
}

/* ---------------------------------------------------------------- records */

static BOOL send_data(struct conn *c, const BYTE *data, DWORD len)
{
    DWORD max = c->sizes.cbMaximumMessage;
    BYTE *record = malloc(c->sizes.cbHeader + max + c->sizes.cbTrailer);
    BOOL ok = record != NULL;

    while (ok && len)
    {
        DWORD n = len < max ? len : max;
        SecBuffer b[4];
        SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
        SECURITY_STATUS status;

        b[0] = (SecBuffer){ c->sizes.cbHeader, SECBUFFER_STREAM_HEADER, record };
        b[1] = (SecBuffer){ n, SECBUFFER_DATA, record + c->sizes.cbHeader };
        b[2] = (SecBuffer){ c->sizes.cbTrailer, SECBUFFER_STREAM_TRAILER, record + c->sizes.cbHeader + n };
        b[3] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
        memcpy(b[1].pvBuffer, data, n);
        if ((status = EncryptMessage(&c->ctx, 0, &desc, 0)))
        {
            sspi_error("EncryptMessage", status);
            ok = FALSE;
            break;
        }
        ok = send_all(c, record, b[0].cbBuffer + b[1].cbBuffer + b[2].cbBuffer);
        data += n;
        len -= n;
    }
    free(record);
    return ok;
}

/* After SEC_I_RENEGOTIATE: ISC/ASC with the bytes that followed, until OK. */
static SECURITY_STATUS renegotiate(struct conn *c)
{
    SECURITY_STATUS status;

    verbose("SEC_I_RENEGOTIATE: post-handshake message; calling %s with %lu extra bytes",
            c->server ? "AcceptSecurityContext" : "InitializeSecurityContext", c->len);
    for (;;)
    {
        status = handshake_step(c, FALSE);
        if (status != SEC_E_INCOMPLETE_MESSAGE && status != SEC_I_CONTINUE_NEEDED)
            break;
        if (status == SEC_I_CONTINUE_NEEDED && c->len)
            continue;
        if (recv_more(c, HANDSHAKE_TIMEOUT_MS) != RECV_DATA)
            return handshake_fail("the connection ended during a post-handshake exchange", SEC_E_INTERNAL_ERROR);
    }
    if (status != SEC_E_OK)
        sspi_error("post-handshake call", status);
    else
        verbose("post-handshake message processed (SEC_E_OK), %lu bytes left for DecryptMessage", c->len);
    return status;
}

static BOOL deliver(struct conn *c, const BYTE *data, DWORD len)
{
    if (!len)
        return TRUE;
    fwrite(data, 1, len, stdout);
    fflush(stdout);
    return !opt->echo || send_data(c, data, len);
}

/* One DecryptMessage call on the buffer.  Returns FALSE on failure;
 * *need_more says the record is incomplete. */
static BOOL decrypt_one(struct conn *c, BOOL *need_more)
{
    SecBuffer b[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    SECURITY_STATUS status;
    DWORD extra;
    BYTE *data;

    b[0] = (SecBuffer){ c->len, SECBUFFER_DATA, c->buf };
    b[1] = b[2] = b[3] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
    status = DecryptMessage(&c->ctx, &desc, 0, NULL);
    *need_more = status == SEC_E_INCOMPLETE_MESSAGE;
    if (*need_more)
        return TRUE;
    if (status != SEC_E_OK && status != SEC_I_RENEGOTIATE && status != SEC_I_CONTEXT_EXPIRED)
    {
        sspi_error("DecryptMessage", status);
        return FALSE;
    }
    extra = b[3].BufferType == SECBUFFER_EXTRA ? b[3].cbBuffer : 0;
    data = b[1].BufferType == SECBUFFER_DATA ? b[1].pvBuffer : NULL;
    if (data && !deliver(c, data, b[1].cbBuffer))
        return FALSE;
    keep_tail(c, extra);
    if (status == SEC_I_CONTEXT_EXPIRED)
    {
        verbose("DecryptMessage: SEC_I_CONTEXT_EXPIRED: the peer sent close_notify");
        c->close_notify_received = TRUE;
    }
    else if (status == SEC_I_RENEGOTIATE)
        return renegotiate(c) == SEC_E_OK;
    return TRUE;
}

/* Standard input for a client without --send: read by a thread, sent by the
 * main loop. */
static struct {
    CRITICAL_SECTION lock;
    BYTE data[65536];
    DWORD len;
    BOOL eof;
    HANDLE space;
} input;

static DWORD WINAPI stdin_reader(void *arg)
{
    HANDLE h = GetStdHandle(STD_INPUT_HANDLE);
    BYTE chunk[4096];
    DWORD got;

    (void)arg;
    while (h && h != INVALID_HANDLE_VALUE && ReadFile(h, chunk, sizeof(chunk), &got, NULL) && got)
    {
        DWORD done = 0;
        while (done < got)
        {
            DWORD n;
            EnterCriticalSection(&input.lock);
            n = min(got - done, (DWORD)sizeof(input.data) - input.len);
            memcpy(input.data + input.len, chunk + done, n);
            input.len += n;
            LeaveCriticalSection(&input.lock);
            done += n;
            if (done < got)
                WaitForSingleObject(input.space, 100);
        }
    }
    EnterCriticalSection(&input.lock);
    input.eof = TRUE;
    LeaveCriticalSection(&input.lock);
    return 0;
}

static BOOL stdin_start(void)
{
    static BOOL started;
    HANDLE thread;

    if (started)
        return TRUE;
    started = TRUE;
    InitializeCriticalSection(&input.lock);
    input.space = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!(thread = CreateThread(NULL, 0, stdin_reader, NULL, 0, NULL)))
        input.eof = TRUE;
    else
        CloseHandle(thread);
    return TRUE;
}

/* Sends what stdin produced; TRUE when stdin is finished and drained. */
static BOOL stdin_flush(struct conn *c, BOOL *failed, BOOL *sent)
{
    BYTE chunk[sizeof(input.data)];
    DWORD n;
    BOOL eof;

    EnterCriticalSection(&input.lock);
    n = input.len;
    memcpy(chunk, input.data, n);
    input.len = 0;
    eof = input.eof;
    LeaveCriticalSection(&input.lock);
    SetEvent(input.space);
    *sent = n != 0;
    if (n && !send_data(c, chunk, n))
        *failed = TRUE;
    return eof && !n;
}

/* The TCP connection ended (FIN, or an error such as a reset) without
 * close_notify.  Bytes left over are an incomplete record (DecryptMessage
 * said SEC_E_INCOMPLETE_MESSAGE): the data was cut short, which a reader
 * must not take for the end of it, so that is a TLS failure, as in
 * gnutls-cli.  At a record boundary a FIN is only warned about (many
 * servers close that way); an error there is a network failure. */
static int connection_ended(struct conn *c, BOOL failed)
{
    if (c->len)
    {
        error("the connection was truncated: the peer %s the TCP connection in the middle of a record "
              "(%lu bytes of it arrived, no close_notify)", failed ? "broke off" : "closed", c->len);
        return 1;
    }
    if (failed)
        return 3;
    info("sspicat: warning: the peer closed the TCP connection without close_notify");
    return 0;
}

/* Data phase: send --send / stdin, print what arrives, until the peer
 * closes or nothing happened for wait_ms after our input was done.
 * Returns 0 or an exit code. */
int tls_session(struct conn *c)
{
    BOOL use_stdin = !c->server && !opt->send, need_more = c->len == 0, failed = FALSE;
    DWORD last = GetTickCount();
    SECURITY_STATUS status;

    if ((status = QueryContextAttributesW(&c->ctx, SECPKG_ATTR_STREAM_SIZES, &c->sizes)))
    {
        sspi_error("QueryContextAttributes(STREAM_SIZES)", status);
        return 1;
    }
    if (opt->send)
    {
        DWORD len = strlen(opt->send);
        char *line = malloc(len + 2);
        BOOL ok = line != NULL;
        if (ok)
        {
            memcpy(line, opt->send, len);
            line[len] = '\n';
            ok = send_data(c, (BYTE *)line, len + 1);
            free(line);
        }
        if (!ok)
            return 1;
        verbose("sent %lu bytes of application data", len + 1);
    }
    if (use_stdin)
        stdin_start();
    while (!c->close_notify_received)
    {
        BOOL input_done = TRUE, sent = FALSE;

        if (use_stdin)
        {
            input_done = stdin_flush(c, &failed, &sent);
            if (failed)
                return 1;
            if (sent)
                last = GetTickCount();
        }
        if (!need_more && c->len)
        {
            if (!decrypt_one(c, &need_more))
                return 1;
            last = GetTickCount();
            continue;
        }
        if (input_done && GetTickCount() - last >= opt->wait_ms)
        {
            verbose("nothing more for %lu ms: closing", opt->wait_ms);
            break;
        }
        switch (recv_more(c, use_stdin ? 50 : 100))
        {
        case RECV_DATA: need_more = FALSE; last = GetTickCount(); break;
        case RECV_TIMEOUT: break;
        case RECV_EOF:
            c->eof = TRUE;
            return connection_ended(c, FALSE);
        default:
            return connection_ended(c, TRUE);
        }
    }
    return 0;
}

/* close_notify (ApplyControlToken SCHANNEL_SHUTDOWN, then ISC/ASC), then a
 * graceful TCP close. */
void tls_close(struct conn *c)
{
    DWORD type = SCHANNEL_SHUTDOWN;
    SecBuffer token = { sizeof(type), SECBUFFER_TOKEN, &type }, out[3];
    SecBufferDesc desc = { SECBUFFER_VERSION, 1, &token }, out_desc = { SECBUFFER_VERSION, 3, out };
    SecBuffer in[2] = { { 0, SECBUFFER_TOKEN, NULL }, { 0, SECBUFFER_EMPTY, NULL } };
    SecBufferDesc in_desc = { SECBUFFER_VERSION, 2, in };
    SECURITY_STATUS status;
    DWORD deadline;

    if (c->have_ctx && !c->eof)
    {
        if ((status = ApplyControlToken(&c->ctx, &desc)))
            sspi_error("ApplyControlToken(SCHANNEL_SHUTDOWN)", status);
        else
        {
            out[0] = (SecBuffer){ 0, SECBUFFER_TOKEN, NULL };
            out[1] = (SecBuffer){ 0, SECBUFFER_ALERT, NULL };
            out[2] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
            status = call_sspi(c, c->server ? &in_desc : NULL, &out_desc);
            if (status)
                sspi_error("shutdown call", status);
            send_outputs(c, out, 3, "close_notify");
        }
    }
    /* Read what is left so that the close is a FIN, not a reset. */
    shutdown(c->sock, SD_SEND);
    c->len = 0;
    deadline = GetTickCount() + 500;
    while (GetTickCount() < deadline && recv_more(c, 100) == RECV_DATA)
        c->len = 0;
    closesocket(c->sock);
    c->sock = INVALID_SOCKET;
    if (c->have_ctx)
        DeleteSecurityContext(&c->ctx);
    c->have_ctx = FALSE;
}

/* ---------------------------------------------------------------- info */

/* "h2,http/1.1" as a SEC_APPLICATION_PROTOCOLS buffer with one ALPN list. */
BYTE *build_alpn(const char *list, DWORD *size)
{
    size_t len = strlen(list), head = offsetof(SEC_APPLICATION_PROTOCOLS, ProtocolLists)
        + offsetof(SEC_APPLICATION_PROTOCOL_LIST, ProtocolList);
    BYTE *buf = calloc(1, head + len + 1), *p;
    SEC_APPLICATION_PROTOCOLS *protos = (SEC_APPLICATION_PROTOCOLS *)buf;
    const char *s = list;

    if (!buf)
        return NULL;
    p = buf + head;
    while (*s)
    {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        if (!n || n > 255)
        {
            free(buf);
            return NULL;
        }
        *p++ = (BYTE)n;
        memcpy(p, s, n);
        p += n;
        s += n + (comma ? 1 : 0);
    }
    protos->ProtocolLists[0].ProtoNegoExt = SecApplicationProtocolNegotiationExt_ALPN;
    protos->ProtocolLists[0].ProtocolListSize = (unsigned short)(p - buf - head);
    protos->ProtocolListsSize = (ULONG)(p - buf - offsetof(SEC_APPLICATION_PROTOCOLS, ProtocolLists));
    *size = (DWORD)(p - buf);
    return buf;
}

static const char *protocol_name(DWORD proto)
{
    if (proto & SP_PROT_DTLS1_2) return "DTLS 1.2";
    if (proto & SP_PROT_DTLS1_0) return "DTLS 1.0";
    if (proto & SP_PROT_TLS1_3) return "TLS 1.3";
    if (proto & SP_PROT_TLS1_2) return "TLS 1.2";
    if (proto & SP_PROT_TLS1_1) return "TLS 1.1";
    if (proto & SP_PROT_TLS1_0) return "TLS 1.0";
    if (proto & SP_PROT_SSL3) return "SSL 3.0";
    return "unknown";
}

/* Which secur32.dll answered: its version resource's product and version. */
static void describe_provider(char *text, size_t size)
{
    HMODULE module = GetModuleHandleW(L"secur32.dll");
    HRSRC res = module ? FindResourceW(module, MAKEINTRESOURCEW(VS_VERSION_INFO), (LPCWSTR)RT_VERSION) : NULL;
    DWORD res_size = res ? SizeofResource(module, res) : 0;
    void *data = res ? LockResource(LoadResource(module, res)) : NULL, *copy;
    char *product = NULL, *version = NULL;
    WORD *lang;
    UINT len;
    char key[64];

    snprintf(text, size, "secur32.dll without a version resource");
    if (!data || !(copy = malloc(res_size * 2)))
        return;
    memcpy(copy, data, res_size);   /* VerQueryValue wants a writable block */
    if (VerQueryValueA(copy, "\\VarFileInfo\\Translation", (void **)&lang, &len) && len >= 4)
    {
        snprintf(key, sizeof(key), "\\StringFileInfo\\%04x%04x\\ProductName", lang[0], lang[1]);
        VerQueryValueA(copy, key, (void **)&product, &len);
        snprintf(key, sizeof(key), "\\StringFileInfo\\%04x%04x\\ProductVersion", lang[0], lang[1]);
        VerQueryValueA(copy, key, (void **)&version, &len);
        snprintf(text, size, "%s %s", product ? product : "?", version ? version : "");
    }
    free(copy);
}

void print_negotiated(struct conn *c, const char *peer)
{
    char provider[128];

    SecPkgContext_ConnectionInfo conn;
    SecPkgContext_CipherInfo cipher;
    SecPkgContext_ApplicationProtocol alpn;
    SecPkgContext_SessionInfo session;
    char suite[128] = "?";

    if (opt->verbosity < 1)
        return;
    info("sspicat: TLS handshake with %s done", peer);
    describe_provider(provider, sizeof(provider));
    info("  %-15s%s", "provider:", provider);
    if (!QueryContextAttributesW(&c->ctx, SECPKG_ATTR_CONNECTION_INFO, &conn))
        info("  %-15s%s", "protocol:", protocol_name(conn.dwProtocol));
    memset(&cipher, 0, sizeof(cipher));
    if (!QueryContextAttributesW(&c->ctx, SECPKG_ATTR_CIPHER_INFO, &cipher))
    {
        WideCharToMultiByte(CP_UTF8, 0, cipher.szCipherSuite, -1, suite, sizeof(suite), NULL, NULL);
        info("  %-15s%s (0x%04lx)", "cipher suite:", suite, cipher.dwCipherSuite);
        if (opt->verbosity > 1)
            info("  %-15s%ls %lu bits, %ls, %ls %lu bits", "algorithms:", cipher.szCipher, cipher.dwCipherLen,
                 cipher.szHash, cipher.szExchange, cipher.dwMinExchangeLen);
    }
    if (!QueryContextAttributesW(&c->ctx, SECPKG_ATTR_APPLICATION_PROTOCOL, &alpn))
    {
        if (alpn.ProtoNegoStatus == SecApplicationProtocolNegotiationStatus_Success)
            info("  %-15s%.*s", "ALPN:", (int)alpn.ProtocolIdSize, (const char *)alpn.ProtocolId);
        else
            info("  %-15s%s", "ALPN:", "(none)");
    }
    if (!QueryContextAttributesW(&c->ctx, SECPKG_ATTR_SESSION_INFO, &session))
        info("  %-15s%s", "resumed:", session.dwFlags & SSL_SESSION_RECONNECT ? "yes" : "no");
    if (c->server)
        info("  %-15s%s", "client SNI:", c->client_sni[0] ? c->client_sni : "(none)");
    print_peer(&c->ctx);
}

/* ---------------------------------------------------------------- SNI */

static DWORD be16(const BYTE *p) { return (p[0] << 8) | p[1]; }

/* Schannel gives a server no attribute for the client's SNI (Windows servers
 * such as .NET's SslStream read it from the ClientHello themselves), so
 * sspicat does the same.  Returns TRUE once the first record was complete
 * enough to decide. */
BOOL parse_client_hello_sni(const BYTE *data, DWORD len, char *name, DWORD size)
{
    DWORD rec_len, pos, end, n;

    name[0] = 0;
    if (len < 5)
        return FALSE;
    rec_len = be16(data + 3);
    if (data[0] != 22 || len < 5 + rec_len)
        return data[0] != 22;
    end = 5 + rec_len;
    pos = 5;
    if (end - pos < 4 || data[pos] != 1)
        return TRUE;
    pos += 4 + 2 + 32;                                      /* header, version, random */
    if (pos >= end) return TRUE;
    pos += 1 + data[pos];                                   /* session id */
    if (pos + 2 > end) return TRUE;
    pos += 2 + be16(data + pos);                            /* cipher suites */
    if (pos >= end) return TRUE;
    pos += 1 + data[pos];                                   /* compression */
    if (pos + 2 > end) return TRUE;
    end = min(end, pos + 2 + be16(data + pos));
    pos += 2;
    while (pos + 4 <= end)
    {
        DWORD type = be16(data + pos), ext_len = be16(data + pos + 2), p = pos + 4;
        pos += 4 + ext_len;
        if (type != 0 || pos > end || ext_len < 5)
            continue;
        if (data[p + 2] != 0)                               /* host_name */
            return TRUE;
        n = be16(data + p + 3);
        if (p + 5 + n <= pos && n < size)
        {
            memcpy(name, data + p + 5, n);
            name[n] = 0;
        }
        return TRUE;
    }
    return TRUE;
}
