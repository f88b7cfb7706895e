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

/* One ISC or ASC call on what the wire holds (limited by split). */
static SECURITY_STATUS step(struct tls_pair *p, BOOL server, struct wire *in, struct wire *out, ULONG *avail)
{
    SecBuffer ibuf[3], obuf[2];
    SecBufferDesc idesc = { SECBUFFER_VERSION, 2, ibuf }, odesc = { SECBUFFER_VERSION, 2, obuf };
    ULONG deliver = *avail, attrs = 0;
    SECURITY_STATUS status;
    BOOL first = server ? !p->have_sctx : !p->have_cctx;

    ibuf[0].BufferType = SECBUFFER_TOKEN;
    ibuf[0].pvBuffer = in->data;
    ibuf[0].cbBuffer = deliver;
    ibuf[1].BufferType = SECBUFFER_EMPTY;
    ibuf[1].pvBuffer = NULL;
    ibuf[1].cbBuffer = 0;
    if (first && p->alpn)
    {
        ibuf[2].BufferType = SECBUFFER_APPLICATION_PROTOCOLS;
        ibuf[2].pvBuffer = (void *)p->alpn;
        ibuf[2].cbBuffer = p->alpn_size;
        idesc.cBuffers = 3;
    }
    static BYTE token_space[32768], alert_space[512];

    obuf[0].BufferType = SECBUFFER_TOKEN;
    obuf[0].pvBuffer = p->caller_buffers ? token_space : NULL;
    obuf[0].cbBuffer = p->caller_buffers ? sizeof(token_space) : 0;
    obuf[1].BufferType = SECBUFFER_ALERT;
    obuf[1].pvBuffer = p->caller_buffers ? alert_space : NULL;
    obuf[1].cbBuffer = p->caller_buffers ? sizeof(alert_space) : 0;
    p->calls++;
    if (server)
        status = AcceptSecurityContext(&p->scred, first ? NULL : &p->sctx, &idesc, p->sreq, 0,
                                       first ? &p->sctx : NULL, &odesc, &attrs, NULL);
    else if (first && !p->alpn)
        status = InitializeSecurityContextW(&p->ccred, NULL, (SEC_WCHAR *)p->target, p->creq, 0, 0, NULL, 0,
                                            &p->cctx, &odesc, &attrs, NULL);
    else
    {
        if (first)   /* the first client call carries only the ALPN buffer */
        {
            ibuf[0] = ibuf[2];
            idesc.cBuffers = 1;
        }
        status = InitializeSecurityContextW(&p->ccred, first ? NULL : &p->cctx, (SEC_WCHAR *)p->target, p->creq,
                                            0, 0, &idesc, 0, first ? &p->cctx : NULL, &odesc, &attrs, NULL);
    }
    if (status == SEC_E_INCOMPLETE_MESSAGE)
    {
        p->incomplete++;
        return status;
    }
    if (server ? !p->have_sctx : !p->have_cctx)
    {
        if (status == SEC_E_OK || status == SEC_I_CONTINUE_NEEDED)
            *(server ? &p->have_sctx : &p->have_cctx) = TRUE;
    }
    if (server)
        p->sattrs = attrs;
    else
        p->cattrs = attrs;
    if (obuf[0].cbBuffer && obuf[0].pvBuffer)
        wire_push(out, obuf[0].pvBuffer, obuf[0].cbBuffer);
    if (obuf[1].cbBuffer && obuf[1].pvBuffer)
        wire_push(out, obuf[1].pvBuffer, obuf[1].cbBuffer);
    if (!p->caller_buffers)
    {
        FreeContextBuffer(obuf[0].pvBuffer);
        FreeContextBuffer(obuf[1].pvBuffer);
    }
    if (!first || server)
    {
        ULONG extra = (ibuf[1].BufferType == SECBUFFER_EXTRA) ? ibuf[1].cbBuffer : 0;
        wire_consume(in, deliver - extra);
        *avail = extra;
    }
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

void free_pair(struct tls_pair *p)
{
    if (p->have_cctx)
        DeleteSecurityContext(&p->cctx);
    if (p->have_sctx)
        DeleteSecurityContext(&p->sctx);
    p->have_cctx = p->have_sctx = FALSE;
    wire_free(&p->pending);
}

SECURITY_STATUS send_record(CtxtHandle *from, CtxtHandle *to, const BYTE *data, ULONG len, BYTE *out, ULONG *out_len)
{
    SecPkgContext_StreamSizes sizes;
    SecBuffer eb[4], db[4];
    SecBufferDesc edesc = { SECBUFFER_VERSION, 4, eb }, ddesc = { SECBUFFER_VERSION, 4, db };
    static BYTE record[20000 + 256];
    SECURITY_STATUS status;
    ULONG total;
    int i;

    *out_len = 0;
    if ((status = QueryContextAttributesW(from, SECPKG_ATTR_STREAM_SIZES, &sizes)))
        return status;
    eb[0].BufferType = SECBUFFER_STREAM_HEADER; eb[0].pvBuffer = record; eb[0].cbBuffer = sizes.cbHeader;
    eb[1].BufferType = SECBUFFER_DATA; eb[1].pvBuffer = record + sizes.cbHeader; eb[1].cbBuffer = len;
    eb[2].BufferType = SECBUFFER_STREAM_TRAILER; eb[2].pvBuffer = record + sizes.cbHeader + len;
    eb[2].cbBuffer = sizes.cbTrailer;
    eb[3].BufferType = SECBUFFER_EMPTY; eb[3].pvBuffer = NULL; eb[3].cbBuffer = 0;
    memcpy(record + sizes.cbHeader, data, len);
    if ((status = EncryptMessage(from, 0, &edesc, 0)))
        return status;
    total = eb[0].cbBuffer + eb[1].cbBuffer + eb[2].cbBuffer;
    db[0].BufferType = SECBUFFER_DATA; db[0].pvBuffer = record; db[0].cbBuffer = total;
    for (i = 1; i < 4; i++)
    {
        db[i].BufferType = SECBUFFER_EMPTY;
        db[i].pvBuffer = NULL;
        db[i].cbBuffer = 0;
    }
    status = DecryptMessage(to, &ddesc, 0, NULL);
    if (status == SEC_E_OK && db[1].BufferType == SECBUFFER_DATA)
    {
        memcpy(out, db[1].pvBuffer, db[1].cbBuffer);
        *out_len = db[1].cbBuffer;
    }
    return status;
}
