#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tlsutil.h"

static BYTE *read_build_file(const char *rel, size_t *size)
{
    const char *build = getenv("SECUR32_BUILDDIR");
    char path[MAX_PATH], *p;

    if (!build || snprintf(path, sizeof(path), "Z:%s/%s", build, rel) >= (int)sizeof(path))
        return NULL;
    for (p = path; *p; p++)
        if (*p == '/')
            *p = '\\';
    return (BYTE *)read_file(path, size);
}

PCCERT_CONTEXT load_pfx(const char *name)
{
    char rel[MAX_PATH];
    CRYPT_DATA_BLOB blob;
    HCERTSTORE store;
    PCCERT_CONTEXT cert = NULL, found = NULL;
    size_t size;
    BYTE *data;

    snprintf(rel, sizeof(rel), "tests/certs/%s.pfx", name);
    if (!(data = read_build_file(rel, &size)))
        return NULL;
    blob.cbData = (DWORD)size;
    blob.pbData = data;
    /* Not persisted: Wine 8 puts every persisted PFX key of a prefix in one
     * container, so tests running in parallel would swap each other's keys. */
    store = PFXImportCertStore(&blob, L"", CRYPT_EXPORTABLE | PKCS12_NO_PERSIST_KEY);
    free(data);
    if (!store)
        return NULL;
    while ((cert = CertEnumCertificatesInStore(store, cert)))
    {
        DWORD len = 0;
        if (CertGetCertificateContextProperty(cert, CERT_KEY_CONTEXT_PROP_ID, NULL, &len)
            || CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, NULL, &len))
        {
            found = CertDuplicateCertificateContext(cert);
            CertFreeCertificateContext(cert);
            break;
        }
    }
    CertCloseStore(store, 0);
    return found;
}

PCCERT_CONTEXT load_pem_cert(const char *name)
{
    char rel[MAX_PATH];
    BYTE der[8192];
    DWORD der_len = sizeof(der);
    size_t size;
    char *pem;
    PCCERT_CONTEXT cert = NULL;

    snprintf(rel, sizeof(rel), "tests/certs/%s.pem", name);
    if (!(pem = (char *)read_build_file(rel, &size)))
        return NULL;
    if (CryptStringToBinaryA(pem, 0, CRYPT_STRING_BASE64HEADER, der, &der_len, NULL, NULL))
        cert = CertCreateCertificateContext(X509_ASN_ENCODING, der, der_len);
    free(pem);
    return cert;
}

SECURITY_STATUS acquire_cred(CredHandle *cred, ULONG use, PCCERT_CONTEXT cert, BOOL v5, DWORD protocols, DWORD flags)
{
    SCHANNEL_CRED v4 = { .dwVersion = SCHANNEL_CRED_VERSION };
    SCH_CREDENTIALS v5cred = { .dwVersion = SCH_CREDENTIALS_VERSION };
    TLS_PARAMETERS params = { 0 };
    TimeStamp expiry;
    void *auth;

    if (v5)
    {
        v5cred.cCreds = cert ? 1 : 0;
        v5cred.paCred = cert ? &cert : NULL;
        v5cred.dwFlags = flags;
        params.grbitDisabledProtocols = protocols;
        v5cred.cTlsParameters = protocols ? 1 : 0;
        v5cred.pTlsParameters = protocols ? &params : NULL;
        auth = &v5cred;
    }
    else
    {
        v4.cCreds = cert ? 1 : 0;
        v4.paCred = cert ? &cert : NULL;
        v4.grbitEnabledProtocols = protocols;
        v4.dwFlags = flags;
        auth = &v4;
    }
    return AcquireCredentialsHandleW(NULL, (SEC_WCHAR *)UNISP_NAME_W, use, NULL, auth, NULL, NULL, cred, &expiry);
}

BYTE *wire_space(struct wire *w, ULONG want)
{
    ULONG cap = w->cap ? w->cap : 4096;
    BYTE *grown;

    if (want > ~(ULONG)0 - w->len)
    {
        fprintf(stderr, "wire: %lu + %lu bytes overflow a ULONG\n", (unsigned long)w->len, (unsigned long)want);
        abort();
    }
    if (w->len + want <= w->cap)
        return w->data + w->len;
    while (cap < w->len + want)
        cap = cap > ~(ULONG)0 / 2 ? w->len + want : cap * 2;
    if (!(grown = realloc(w->data, cap)))
    {
        fprintf(stderr, "wire: out of memory for %lu bytes\n", (unsigned long)cap);
        abort();
    }
    w->data = grown;
    w->cap = cap;
    return w->data + w->len;
}

void wire_push(struct wire *w, const void *data, ULONG len)
{
    if (!len)
        return;
    memcpy(wire_space(w, len), data, len);
    w->len += len;
}

void wire_consume(struct wire *w, ULONG len)
{
    if (len > w->len)
        len = w->len;
    memmove(w->data, w->data + len, w->len - len);
    w->len -= len;
}

void wire_free(struct wire *w)
{
    free(w->data);
    memset(w, 0, sizeof(*w));
}

/* The server's calls and the client's after its first take input. */
static BOOL server_or_later(const struct tls_call *c, BOOL first)
{
    return c->server || !first;
}

/* The input descriptor of one call: the TOKEN and an EMPTY buffer for
 * EXTRA, plus the ALPN list on the first call.  The client's first call
 * carries only the ALPN list, or no descriptor at all (returns FALSE). */
static BOOL call_input(const struct tls_call *c, BOOL first, const BYTE *in, ULONG in_len, SecBufferDesc *desc)
{
    SecBuffer *b = desc->pBuffers;

    desc->cBuffers = 0;
    if (server_or_later(c, first))
    {
        b[0] = (SecBuffer){ in_len, SECBUFFER_TOKEN, (void *)in };
        b[1] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
        desc->cBuffers = 2;
    }
    if (first && c->alpn)
        b[desc->cBuffers++] = (SecBuffer){ c->alpn_size, SECBUFFER_APPLICATION_PROTOCOLS, (void *)c->alpn };
    return desc->cBuffers != 0;
}

SECURITY_STATUS tls_call_once(struct tls_call *c, const BYTE *in, ULONG in_len)
{
    SecBuffer ibuf[3], obuf[2];
    SecBufferDesc idesc = { SECBUFFER_VERSION, 0, ibuf }, odesc = { SECBUFFER_VERSION, 2, obuf };
    BOOL first = !*c->have_ctx, has_input = call_input(c, first, in, in_len, &idesc);
    SECURITY_STATUS status;

    obuf[0] = (SecBuffer){ c->token_space ? c->token_size : 0, SECBUFFER_TOKEN, c->token_space };
    obuf[1] = (SecBuffer){ c->alert_space ? c->alert_size : 0, SECBUFFER_ALERT, c->alert_space };
    c->attrs = c->used = 0;
    if (c->server)
        status = AcceptSecurityContext(c->cred, first ? NULL : c->ctx, &idesc, c->req, 0, first ? c->ctx : NULL,
                                       &odesc, &c->attrs, NULL);
    else
        status = InitializeSecurityContextW(c->cred, first ? NULL : c->ctx, (SEC_WCHAR *)c->target, c->req, 0, 0,
                                            has_input ? &idesc : NULL, 0, first ? c->ctx : NULL, &odesc, &c->attrs,
                                            NULL);
    if (first && (status == SEC_E_OK || status == SEC_I_CONTINUE_NEEDED))
        *c->have_ctx = TRUE;
    if (status != SEC_E_INCOMPLETE_MESSAGE)
    {
        if (obuf[0].pvBuffer && obuf[0].cbBuffer)
            c->sink(c->user, obuf[0].pvBuffer, obuf[0].cbBuffer);
        if (obuf[1].pvBuffer && obuf[1].cbBuffer)
            c->sink(c->user, obuf[1].pvBuffer, obuf[1].cbBuffer);
        if (server_or_later(c, first))
        {
            ULONG extra = ibuf[1].BufferType == SECBUFFER_EXTRA ? ibuf[1].cbBuffer : 0;
            c->used = extra <= in_len ? in_len - extra : in_len;
        }
    }
    if (!c->token_space)
    {
        FreeContextBuffer(obuf[0].pvBuffer);
        FreeContextBuffer(obuf[1].pvBuffer);
    }
    return status;
}

void tls_sink_wire(void *wire, const BYTE *data, ULONG len)
{
    wire_push(wire, data, len);
}

/* One ISC or ASC call on what the wire holds (limited by split). */
static SECURITY_STATUS step(struct tls_pair *p, BOOL server, struct wire *in, struct wire *out, ULONG *avail)
{
    static BYTE token_space[32768], alert_space[512];
    struct tls_call c = { .cred = server ? &p->scred : &p->ccred, .ctx = server ? &p->sctx : &p->cctx,
                          .have_ctx = server ? &p->have_sctx : &p->have_cctx, .server = server, .target = p->target,
                          .req = server ? p->sreq : p->creq, .alpn = p->alpn, .alpn_size = p->alpn_size,
                          .sink = tls_sink_wire, .user = out };
    SECURITY_STATUS status;

    if (p->caller_buffers)
    {
        c.token_space = token_space;
        c.token_size = sizeof(token_space);
        c.alert_space = alert_space;
        c.alert_size = sizeof(alert_space);
    }
    p->calls++;
    if ((status = tls_call_once(&c, in->data, *avail)) == SEC_E_INCOMPLETE_MESSAGE)
    {
        p->incomplete++;
        return status;
    }
    *(server ? &p->sattrs : &p->cattrs) = c.attrs;
    wire_consume(in, c.used);
    *avail -= c.used;   /* what is left is the EXTRA */
    return status;
}

/* Bytes a side may see this call: all, or `split` more than last time. */
static ULONG window(struct tls_pair *p, struct wire *w, ULONG seen)
{
    ULONG n = p->split ? seen + p->split : w->len;
    return n > w->len ? w->len : n;
}

static BOOL drive_handshake(struct tls_pair *p, struct wire *c2s, struct wire *s2c);

BOOL run_handshake(struct tls_pair *p)
{
    struct wire c2s = { 0 }, s2c = { 0 };
    BOOL done;

    p->pending.len = 0;
    done = drive_handshake(p, &c2s, &s2c);
    wire_free(&c2s);
    wire_free(&s2c);
    return done;
}

/* Alternates the sides, one call each, until both said SEC_E_OK or one failed. */
static BOOL drive_handshake(struct tls_pair *p, struct wire *c2s, struct wire *s2c)
{
    ULONG cseen = 0, sseen = 0;
    BOOL cdone = FALSE, sdone = FALSE;
    int guard = 0;

    p->cstatus = step(p, FALSE, s2c, c2s, &cseen);
    if (p->cstatus != SEC_I_CONTINUE_NEEDED)
        return FALSE;
    while ((!cdone || !sdone) && guard++ < 200000)
    {
        if (!sdone && c2s->len)
        {
            sseen = window(p, c2s, sseen);
            p->sstatus = step(p, TRUE, c2s, s2c, &sseen);
            if (p->sstatus == SEC_E_OK)
                sdone = TRUE;
            else if (p->sstatus != SEC_I_CONTINUE_NEEDED && p->sstatus != SEC_E_INCOMPLETE_MESSAGE)
                return FALSE;
        }
        if (!cdone && s2c->len)
        {
            cseen = window(p, s2c, cseen);
            p->cstatus = step(p, FALSE, s2c, c2s, &cseen);
            if (p->cstatus == SEC_E_OK)
            {
                cdone = TRUE;
                wire_push(&p->pending, s2c->data, s2c->len);   /* tickets etc. follow as records */
                s2c->len = 0;
            }
            else if (p->cstatus != SEC_I_CONTINUE_NEEDED && p->cstatus != SEC_E_INCOMPLETE_MESSAGE)
                return FALSE;
        }
        if (cdone && sdone)
            break;
        if (!c2s->len && !s2c->len && !(cdone && !sdone))
            return FALSE;
    }
    /* Whatever the server's last call produced (TLS 1.3 tickets) waits for the client. */
    wire_push(&p->pending, s2c->data, s2c->len);
    return cdone && sdone;
}

BOOL pair_setup(struct tls_pair *p, PCCERT_CONTEXT server_cert, BOOL v5, DWORD cproto, DWORD sproto, DWORD cflags)
{
    memset(p, 0, sizeof(*p));
    p->target = L"localhost";
    p->creq = CLIENT_REQ;
    p->sreq = SERVER_REQ;
    if (acquire_cred(&p->ccred, SECPKG_CRED_OUTBOUND, NULL, v5, cproto, cflags))
        return FALSE;
    if (acquire_cred(&p->scred, SECPKG_CRED_INBOUND, server_cert, v5, sproto, 0))
    {
        FreeCredentialsHandle(&p->ccred);
        return FALSE;
    }
    return TRUE;
}

BOOL pair_connect(struct tls_pair *p, PCCERT_CONTEXT server_cert, BOOL v5, DWORD cproto, DWORD sproto)
{
    return pair_setup(p, server_cert, v5, cproto, sproto, SCH_CRED_MANUAL_CRED_VALIDATION) && run_handshake(p);
}

void pair_teardown(struct tls_pair *p)
{
    free_pair(p);
    FreeCredentialsHandle(&p->ccred);
    FreeCredentialsHandle(&p->scred);
}

void delete_contexts(CtxtHandle *cctx, BOOL *have_cctx, CtxtHandle *sctx, BOOL *have_sctx)
{
    if (*have_cctx)
        DeleteSecurityContext(cctx);
    if (*have_sctx)
        DeleteSecurityContext(sctx);
    *have_cctx = *have_sctx = FALSE;
}

void free_pair(struct tls_pair *p)
{
    delete_contexts(&p->cctx, &p->have_cctx, &p->sctx, &p->have_sctx);
    wire_free(&p->pending);
}

/* Drains tickets (TLS 1.3) waiting for the client: DecryptMessage says
 * SEC_I_RENEGOTIATE, then ISC with the EXTRA bytes returns SEC_E_OK. */
int pair_drain_tickets(struct tls_pair *p, int *renegotiations)
{
    BYTE *buf = p->pending.data, reply[1024];   /* drained in place */
    ULONG size = p->pending.len;
    SecBuffer db[4], ib[2], ob[1];
    SecBufferDesc ddesc = { SECBUFFER_VERSION, 4, db }, idesc = { SECBUFFER_VERSION, 2, ib };
    SecBufferDesc odesc = { SECBUFFER_VERSION, 1, ob };
    SECURITY_STATUS status;
    ULONG attrs;
    int i, failures = 0;

    *renegotiations = 0;
    while (size)
    {
        db[0].BufferType = SECBUFFER_DATA; db[0].pvBuffer = buf; db[0].cbBuffer = size;
        for (i = 1; i < 4; i++) { db[i].BufferType = SECBUFFER_EMPTY; db[i].pvBuffer = NULL; db[i].cbBuffer = 0; }
        status = DecryptMessage(&p->cctx, &ddesc, 0, NULL);
        if (status == SEC_I_RENEGOTIATE)
        {
            ULONG extra = db[3].BufferType == SECBUFFER_EXTRA ? db[3].cbBuffer : 0;
            (*renegotiations)++;
            memmove(buf, buf + size - extra, extra);
            size = extra;
            ib[0].BufferType = SECBUFFER_TOKEN; ib[0].pvBuffer = buf; ib[0].cbBuffer = size;
            ib[1].BufferType = SECBUFFER_EMPTY; ib[1].pvBuffer = NULL; ib[1].cbBuffer = 0;
            ob[0].BufferType = SECBUFFER_TOKEN;
            ob[0].pvBuffer = p->caller_buffers ? reply : NULL;
            ob[0].cbBuffer = p->caller_buffers ? sizeof(reply) : 0;
            status = InitializeSecurityContextW(&p->ccred, &p->cctx, (SEC_WCHAR *)p->target, p->creq, 0, 0,
                                                &idesc, 0, NULL, &odesc, &attrs, NULL);
            if (!p->caller_buffers)
                FreeContextBuffer(ob[0].pvBuffer);
            if (status != SEC_E_OK)
                failures++;
            extra = ib[1].BufferType == SECBUFFER_EXTRA ? ib[1].cbBuffer : 0;
            memmove(buf, buf + size - extra, extra);
            size = extra;
        }
        else if (status == SEC_E_OK)
        {
            ULONG extra = db[3].BufferType == SECBUFFER_EXTRA ? db[3].cbBuffer : 0;
            memmove(buf, buf + size - extra, extra);
            size = extra;
        }
        else
        {
            failures++;
            break;
        }
    }
    p->pending.len = size;
    return failures;
}

SECURITY_STATUS encrypt_record(CtxtHandle *ctx, const void *data, ULONG len, struct wire *out)
{
    SecPkgContext_StreamSizes sizes;
    SecBuffer b[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    SECURITY_STATUS status;
    BYTE *record;

    if ((status = QueryContextAttributesW(ctx, SECPKG_ATTR_STREAM_SIZES, &sizes)))
        return status;
    record = wire_space(out, sizes.cbHeader + len + sizes.cbTrailer);
    b[0] = (SecBuffer){ sizes.cbHeader, SECBUFFER_STREAM_HEADER, record };
    b[1] = (SecBuffer){ len, SECBUFFER_DATA, record + sizes.cbHeader };
    b[2] = (SecBuffer){ sizes.cbTrailer, SECBUFFER_STREAM_TRAILER, record + sizes.cbHeader + len };
    b[3] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
    memcpy(b[1].pvBuffer, data, len);
    if ((status = EncryptMessage(ctx, 0, &desc, 0)) == SEC_E_OK)
        out->len += b[0].cbBuffer + b[1].cbBuffer + b[2].cbBuffer;
    return status;
}

SECURITY_STATUS send_record(CtxtHandle *from, CtxtHandle *to, const BYTE *data, ULONG len, BYTE *out, ULONG *out_len)
{
    struct wire record = { 0 };
    SecBuffer db[4];
    SecBufferDesc ddesc = { SECBUFFER_VERSION, 4, db };
    SECURITY_STATUS status;
    int i;

    *out_len = 0;
    if ((status = encrypt_record(from, data, len, &record)) == SEC_E_OK)
    {
        db[0] = (SecBuffer){ record.len, SECBUFFER_DATA, record.data };
        for (i = 1; i < 4; i++)
            db[i] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
        status = DecryptMessage(to, &ddesc, 0, NULL);
        if (status == SEC_E_OK && db[1].BufferType == SECBUFFER_DATA)
        {
            memcpy(out, db[1].pvBuffer, db[1].cbBuffer);
            *out_len = db[1].cbBuffer;
        }
    }
    wire_free(&record);
    return status;
}
