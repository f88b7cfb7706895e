/*
 * sspicat --dtls: DTLS over UDP through SSPI, as a Windows program does it.
 * One datagram per ISC/ASC call in and out (SEC_I_MESSAGE_FRAGMENT: call
 * again for the next datagram of the flight), a retransmission timer of our
 * own (a call without input retransmits), records with EncryptMessage /
 * DecryptMessage one datagram each, DTLS-SRTP profiles and keying material.
 */
#include <stdlib.h>
#include <string.h>
#include "sspicat.h"

#define MAX_DATAGRAM 65536
#define FIRST_TIMEOUT_MS 500
#define LAST_TIMEOUT_MS 4000
#define HANDSHAKE_SECS 30

static const struct { USHORT id; const char *name; } srtp_profiles[] = {
    { 0x0001, "SRTP_AES128_CM_HMAC_SHA1_80" },
    { 0x0002, "SRTP_AES128_CM_HMAC_SHA1_32" },
    { 0x0005, "SRTP_NULL_HMAC_SHA1_80" },
    { 0x0006, "SRTP_NULL_HMAC_SHA1_32" },
    { 0x0007, "SRTP_AEAD_AES_128_GCM" },
    { 0x0008, "SRTP_AEAD_AES_256_GCM" },
};

struct dtls {
    struct conn c;             /* socket, side, credential, context, target */
    BYTE first_input[256];     /* SRTP profiles and the MTU for the first call */
    SecBuffer extra[2];
    ULONG extra_count;
    BYTE *buf;
};

static const char *srtp_name(USHORT id)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(srtp_profiles); i++)
        if (srtp_profiles[i].id == id)
            return srtp_profiles[i].name;
    return "unknown";
}

/* "A:B" (the names gnutls and openssl use) into SEC_SRTP_PROTECTION_PROFILES. */
static BOOL parse_srtp(const char *list, SEC_SRTP_PROTECTION_PROFILES *out, ULONG max_count)
{
    char copy[512], *name, *next;
    ULONG n = 0;
    size_t i;

    snprintf(copy, sizeof(copy), "%s", list);
    for (name = copy; name && *name; name = next)
    {
        if ((next = strpbrk(name, ":,")))
            *next++ = 0;
        for (i = 0; i < ARRAY_SIZE(srtp_profiles) && strcmp(srtp_profiles[i].name, name); i++)
            ;
        if (i == ARRAY_SIZE(srtp_profiles) || n == max_count)
            return FALSE;
        out->ProfilesList[n++] = srtp_profiles[i].id;
    }
    out->ProfilesSize = (USHORT)(n * sizeof(USHORT));
    return n > 0;
}

BOOL dtls_check_options(void)
{
    BYTE buf[64];
    return !opt->srtp || parse_srtp(opt->srtp, (SEC_SRTP_PROTECTION_PROFILES *)buf, 16);
}

static void prepare_first_input(struct dtls *d)
{
    SEC_SRTP_PROTECTION_PROFILES *prof = (SEC_SRTP_PROTECTION_PROFILES *)d->first_input;
    SEC_DTLS_MTU *mtu = (SEC_DTLS_MTU *)(d->first_input + 128);

    d->extra_count = 0;
    if (opt->srtp && parse_srtp(opt->srtp, prof, 32))
    {
        d->extra[d->extra_count].BufferType = SECBUFFER_SRTP_PROTECTION_PROFILES;
        d->extra[d->extra_count].pvBuffer = prof;
        d->extra[d->extra_count++].cbBuffer = sizeof(USHORT) + prof->ProfilesSize;
    }
    if (opt->mtu)
    {
        mtu->PathMTU = (USHORT)opt->mtu;
        d->extra[d->extra_count].BufferType = SECBUFFER_DTLS_MTU;
        d->extra[d->extra_count].pvBuffer = mtu;
        d->extra[d->extra_count++].cbBuffer = sizeof(*mtu);
    }
}

/* One ISC/ASC call with one datagram (or none); the output datagram is sent. */
static SECURITY_STATUS call_sspi(struct dtls *d, const BYTE *in, ULONG in_len)
{
    SecBuffer ib[4], ob[1];
    SecBufferDesc idesc = { SECBUFFER_VERSION, 0, ib }, odesc = { SECBUFFER_VERSION, 1, ob };
    ULONG req, attrs, i;
    BOOL first = !d->c.have_ctx;
    SECURITY_STATUS status;

    if (in)
    {
        ib[idesc.cBuffers].BufferType = SECBUFFER_TOKEN; ib[idesc.cBuffers].pvBuffer = (void *)in;
        ib[idesc.cBuffers++].cbBuffer = in_len;
        ib[idesc.cBuffers].BufferType = SECBUFFER_EMPTY; ib[idesc.cBuffers].pvBuffer = NULL;
        ib[idesc.cBuffers++].cbBuffer = 0;
    }
    for (i = 0; first && i < d->extra_count; i++)
        ib[idesc.cBuffers++] = d->extra[i];
    ob[0].BufferType = SECBUFFER_TOKEN; ob[0].pvBuffer = NULL; ob[0].cbBuffer = 0;
    if (d->c.server)
    {
        req = ASC_REQ_SEQUENCE_DETECT | ASC_REQ_REPLAY_DETECT | ASC_REQ_CONFIDENTIALITY | ASC_REQ_ALLOCATE_MEMORY
              | ASC_REQ_DATAGRAM | ASC_REQ_EXTENDED_ERROR;
        status = AcceptSecurityContext(d->c.cred, first ? NULL : &d->c.ctx, idesc.cBuffers ? &idesc : NULL, req, 0,
                                       &d->c.ctx, &odesc, &attrs, NULL);
    }
    else
    {
        req = ISC_REQ_SEQUENCE_DETECT | ISC_REQ_REPLAY_DETECT | ISC_REQ_CONFIDENTIALITY | ISC_REQ_ALLOCATE_MEMORY
              | ISC_REQ_DATAGRAM | ISC_REQ_EXTENDED_ERROR | ISC_REQ_USE_SUPPLIED_CREDS;
        status = InitializeSecurityContextW(d->c.cred, first ? NULL : &d->c.ctx, (SEC_WCHAR *)d->c.target, req, 0, 0,
                                            idesc.cBuffers ? &idesc : NULL, 0, &d->c.ctx, &odesc, &attrs, NULL);
    }
    if (first && !FAILED(status))
        d->c.have_ctx = TRUE;
    verbose("%s: %lu bytes in, %lu out: %s", d->c.server ? "AcceptSecurityContext" : "InitializeSecurityContext",
            in ? in_len : 0, ob[0].cbBuffer, status_name(status));
    if (ob[0].pvBuffer && ob[0].cbBuffer && send(d->c.sock, ob[0].pvBuffer, (int)ob[0].cbBuffer, 0) < 0)
        verbose("send failed (WSA error %d)", WSAGetLastError());
    if (ob[0].pvBuffer)
        FreeContextBuffer(ob[0].pvBuffer);
    return status;
}

/* A call and the rest of its flight. */
static SECURITY_STATUS step(struct dtls *d, const BYTE *in, ULONG in_len)
{
    SECURITY_STATUS status = call_sspi(d, in, in_len);

    while (status == SEC_I_MESSAGE_FRAGMENT)
        status = call_sspi(d, NULL, 0);
    return status;
}

/* Waits up to ms for a datagram: its length, 0 on timeout, -1 on error. */
static int recv_datagram(struct dtls *d, DWORD ms)
{
    struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
    fd_set readable;
    int n;

    FD_ZERO(&readable);
    FD_SET(d->c.sock, &readable);
    if ((n = select(0, &readable, NULL, NULL, &tv)) <= 0)
        return n < 0 ? -1 : 0;
    n = recv(d->c.sock, (char *)d->buf, MAX_DATAGRAM, 0);
    if (n < 0 && WSAGetLastError() == WSAECONNRESET)
        return 0;   /* ICMP port unreachable from an earlier datagram: keep waiting */
    return n;
}

static SECURITY_STATUS handshake(struct dtls *d, const BYTE *first, ULONG first_len)
{
    DWORD timeout = FIRST_TIMEOUT_MS, start = GetTickCount();
    SECURITY_STATUS status = step(d, first, first_len);
    int n;

    while (status == SEC_I_CONTINUE_NEEDED)
    {
        if (GetTickCount() - start > HANDSHAKE_SECS * 1000)
        {
            error("no DTLS handshake within %u seconds", HANDSHAKE_SECS);
            return SEC_E_INTERNAL_ERROR;
        }
        if ((n = recv_datagram(d, timeout)) < 0)
        {
            error("recv failed (WSA error %d)", WSAGetLastError());
            return SEC_E_INTERNAL_ERROR;
        }
        if (!n)
        {
            verbose("no datagram for %lu ms: retransmitting", timeout);
            timeout = min(timeout * 2, LAST_TIMEOUT_MS);
            status = step(d, NULL, 0);
            continue;
        }
        timeout = FIRST_TIMEOUT_MS;
        status = step(d, d->buf, (ULONG)n);
    }
    if (status != SEC_E_OK)
        sspi_error(d->c.server ? "AcceptSecurityContext" : "InitializeSecurityContext", status);
    return status;
}

static void print_hex(const char *label, const BYTE *data, ULONG len)
{
    char hex[1024];
    ULONG i;

    for (i = 0; i < len && i * 2 + 2 < sizeof(hex); i++)
        sprintf(hex + i * 2, "%02X", data[i]);
    hex[i * 2] = 0;
    info("  %-15s%s", label, hex);
}

static void print_dtls(struct dtls *d)
{
    SecPkgContext_SrtpParameters srtp = { 0 };
    SecPkgContext_KeyingMaterialInfo kmi = { sizeof("EXTRACTOR-dtls_srtp"), (char *)"EXTRACTOR-dtls_srtp", 0, NULL,
                                             opt->keymat };
    SecPkgContext_KeyingMaterial km = { 0 };
    SecPkgContext_StreamSizes sizes;
    SEC_DTLS_MTU mtu;

    if (!QueryContextAttributesW(&d->c.ctx, SECPKG_ATTR_DTLS_MTU, &mtu)
        && !QueryContextAttributesW(&d->c.ctx, SECPKG_ATTR_STREAM_SIZES, &sizes))
        info("  %-15s%u bytes (records: header %lu, up to %lu data, trailer %lu)", "MTU:", mtu.PathMTU,
             sizes.cbHeader, sizes.cbMaximumMessage, sizes.cbTrailer);
    if (opt->srtp && !QueryContextAttributesW(&d->c.ctx, SECPKG_ATTR_SRTP_PARAMETERS, &srtp))
    {
        info("  %-15s%s (0x%04x)", "SRTP profile:", srtp.ProtectionProfile ? srtp_name(srtp.ProtectionProfile)
                                                                            : "(none)", srtp.ProtectionProfile);
        if (srtp.MasterKeyIdentifier)
            FreeContextBuffer(srtp.MasterKeyIdentifier);
    }
    if (opt->keymat && !SetContextAttributesW(&d->c.ctx, SECPKG_ATTR_KEYING_MATERIAL_INFO, &kmi, sizeof(kmi))
        && !QueryContextAttributesW(&d->c.ctx, SECPKG_ATTR_KEYING_MATERIAL, &km))
    {
        print_hex("keying material:", km.pbKeyingMaterial, km.cbKeyingMaterial);
        FreeContextBuffer(km.pbKeyingMaterial);
    }
}

static BOOL send_record(struct dtls *d, const char *text, size_t len)
{
    SecPkgContext_StreamSizes sizes;
    SecBuffer b[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    BYTE *rec;
    SECURITY_STATUS status;

    if (QueryContextAttributesW(&d->c.ctx, SECPKG_ATTR_STREAM_SIZES, &sizes) || len > sizes.cbMaximumMessage
        || !(rec = malloc(sizes.cbHeader + len + sizes.cbTrailer)))
        return FALSE;
    memcpy(rec + sizes.cbHeader, text, len);
    b[0].BufferType = SECBUFFER_STREAM_HEADER; b[0].pvBuffer = rec; b[0].cbBuffer = sizes.cbHeader;
    b[1].BufferType = SECBUFFER_DATA; b[1].pvBuffer = rec + sizes.cbHeader; b[1].cbBuffer = (ULONG)len;
    b[2].BufferType = SECBUFFER_STREAM_TRAILER; b[2].pvBuffer = rec + sizes.cbHeader + len;
    b[2].cbBuffer = sizes.cbTrailer;
    b[3].BufferType = SECBUFFER_EMPTY; b[3].pvBuffer = NULL; b[3].cbBuffer = 0;
    if ((status = EncryptMessage(&d->c.ctx, 0, &desc, 0)))
        sspi_error("EncryptMessage", status);
    else
        send(d->c.sock, (const char *)rec, (int)(b[0].cbBuffer + b[1].cbBuffer + b[2].cbBuffer), 0);
    free(rec);
    return !status;
}

/* Each record of a datagram: data to stdout (and back with --echo).
 * Returns FALSE when the peer closed or the session failed. */
static BOOL read_datagram(struct dtls *d, BYTE *data, ULONG len)
{
    SecBuffer b[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    SECURITY_STATUS status;
    int i;

    while (len)
    {
        b[0].BufferType = SECBUFFER_DATA; b[0].pvBuffer = data; b[0].cbBuffer = len;
        for (i = 1; i < 4; i++) { b[i].BufferType = SECBUFFER_EMPTY; b[i].pvBuffer = NULL; b[i].cbBuffer = 0; }
        status = DecryptMessage(&d->c.ctx, &desc, 0, NULL);
        if (status == SEC_I_CONTEXT_EXPIRED)
        {
            info("sspicat: the peer closed the connection (close_notify received)");
            return FALSE;
        }
        if (status == SEC_I_RENEGOTIATE)
        {
            verbose("the peer repeated its last flight: sending ours again");
            step(d, NULL, 0);
        }
        else if (status == SEC_E_OUT_OF_SEQUENCE || status == SEC_E_DECRYPT_FAILURE)
            verbose("datagram dropped: %s", status_name(status));
        else if (status != SEC_E_OK)
        {
            sspi_error("DecryptMessage", status);
            return FALSE;
        }
        else if (b[1].cbBuffer)
        {
            fwrite(b[1].pvBuffer, 1, b[1].cbBuffer, stdout);
            fflush(stdout);
            if (opt->echo)
                send_record(d, b[1].pvBuffer, b[1].cbBuffer);
        }
        if (b[3].BufferType != SECBUFFER_EXTRA)
            break;
        data = b[3].pvBuffer;
        len = b[3].cbBuffer;
    }
    return TRUE;
}

static void send_close_notify(struct dtls *d)
{
    DWORD type = SCHANNEL_SHUTDOWN;
    SecBuffer b = { sizeof(type), SECBUFFER_TOKEN, &type };
    SecBufferDesc desc = { SECBUFFER_VERSION, 1, &b };

    if (!ApplyControlToken(&d->c.ctx, &desc))
        step(d, NULL, 0);
}

/* --cafile: the chain against that CA only (the credential asked for
 * manual validation); otherwise Schannel's verdict came with SEC_E_OK. */
static BOOL validated(struct dtls *d, HCERTSTORE roots)
{
    SECURITY_STATUS status;

    if (d->c.server)
        return TRUE;
    if (opt->validation != VALIDATE_CAFILE)
    {
        info("  %-15s%s", "validation:", opt->validation == VALIDATE_NONE ? "skipped (--insecure)"
                                                                         : "ok (Schannel automatic)");
        return TRUE;
    }
    if (!(status = validate_server(&d->c.ctx, roots, d->c.target)))
    {
        info("  %-15s%s", "validation:", "ok (chain to --cafile root, name matches)");
        return TRUE;
    }
    error("certificate validation against %s failed: %s (0x%08lx): %s", opt->cafile, status_name(status),
          (unsigned long)status, status_text(status));
    return FALSE;
}

static int session(struct dtls *d, const char *peer, HCERTSTORE roots)
{
    BOOL open = TRUE;
    char line[1024];
    int n;

    print_negotiated(&d->c, peer);
    if (!validated(d, roots))
        return 1;
    print_dtls(d);
    if (opt->send)
    {
        snprintf(line, sizeof(line), "%s\n", opt->send);
        if (!send_record(d, line, strlen(line)))
            return 1;
    }
    while (open && (n = recv_datagram(d, opt->wait_ms)) > 0)
        open = read_datagram(d, d->buf, (ULONG)n);
    if (open)
        send_close_notify(d);
    return 0;
}

/* The first datagram of a client, and the socket connected back to it. */
static int first_datagram(struct dtls *d)
{
    struct sockaddr_in from;
    int from_len = sizeof(from), n;
    struct timeval tv = { .tv_sec = opt->accept_secs };
    fd_set readable;

    FD_ZERO(&readable);
    FD_SET(d->c.sock, &readable);
    if (select(0, &readable, NULL, NULL, &tv) <= 0)
    {
        error("no datagram within %lu seconds", opt->accept_secs);
        return -1;
    }
    n = recvfrom(d->c.sock, (char *)d->buf, MAX_DATAGRAM, 0, (struct sockaddr *)&from, &from_len);
    if (n <= 0 || connect(d->c.sock, (struct sockaddr *)&from, from_len))
    {
        error("recvfrom failed (WSA error %d)", WSAGetLastError());
        return -1;
    }
    return n;
}

int dtls_run(CredHandle *cred, const WCHAR *target, HCERTSTORE roots)
{
    struct dtls d = { .c = { .server = opt->listen, .cred = cred, .target = target } };
    char peer[300];
    int rc = 1, n = 0;

    if (!(d.buf = malloc(MAX_DATAGRAM)))
        return 3;
    prepare_first_input(&d);
    d.c.sock = d.c.server ? listen_on(opt->port, SOCK_DGRAM) : connect_to(opt->host, opt->port, SOCK_DGRAM);
    if (d.c.sock == INVALID_SOCKET || (d.c.server && (n = first_datagram(&d)) < 0))
        rc = 3;
    else
    {
        snprintf(peer, sizeof(peer), "%s", d.c.server ? "the client" : opt->host);
        if (!handshake(&d, d.c.server ? d.buf : NULL, (ULONG)n))
            rc = session(&d, peer, roots);
    }
    if (d.c.have_ctx)
        DeleteSecurityContext(&d.c.ctx);
    if (d.c.sock != INVALID_SOCKET)
        closesocket(d.c.sock);
    free(d.buf);
    return rc;
}
