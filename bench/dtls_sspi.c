/*
 * dtls_sspi.exe [SECONDS]: the DTLS figures of `make bench` through our
 * SSPI under Wine, the same work as bench/dtls_raw.c: full DTLS 1.2
 * handshakes per second (client and server in one process, one datagram per
 * ISC/ASC call, the server's cookie exchange included, RSA 2048) and 1 KiB
 * records per second (EncryptMessage by the client, DecryptMessage by the
 * server).  Prints "figure NAME VALUE" lines.
 */
#include <stdlib.h>
#include <string.h>
#include "tlsutil.h"
#include "figures.h"

#define MAX_DGRAM 2048
#define QLEN 64
#define RECORD 1024

struct queue { BYTE d[QLEN][MAX_DGRAM]; ULONG len[QLEN]; int n; };
struct end { CredHandle cred; CtxtHandle ctx; BOOL have, server, done; struct queue *in, *out; };

static double seconds = 0.5;
static struct queue to_server, to_client;

static double now(void)
{
    LARGE_INTEGER c, f;
    QueryPerformanceCounter(&c);
    QueryPerformanceFrequency(&f);
    return (double)c.QuadPart / f.QuadPart;
}

/* One ISC/ASC call with one datagram or none; its output onto e->out. */
static SECURITY_STATUS call(struct end *e, BYTE *in, ULONG in_len)
{
    SecBuffer ib[2] = { { in_len, SECBUFFER_TOKEN, in }, { 0, SECBUFFER_EMPTY, NULL } }, ob = { 0, SECBUFFER_TOKEN, NULL };
    SecBufferDesc idesc = { SECBUFFER_VERSION, 2, ib }, odesc = { SECBUFFER_VERSION, 1, &ob };
    ULONG attrs;
    SECURITY_STATUS st;

    if (e->server)
        st = AcceptSecurityContext(&e->cred, e->have ? &e->ctx : NULL, in ? &idesc : NULL,
                                   ASC_REQ_ALLOCATE_MEMORY | ASC_REQ_DATAGRAM, 0, &e->ctx, &odesc, &attrs, NULL);
    else
        st = InitializeSecurityContextW(&e->cred, e->have ? &e->ctx : NULL, NULL,
                                        ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_DATAGRAM | ISC_REQ_MANUAL_CRED_VALIDATION,
                                        0, 0, in ? &idesc : NULL, 0, &e->ctx, &odesc, &attrs, NULL);
    if (!FAILED(st))
        e->have = TRUE;
    if (ob.pvBuffer && ob.cbBuffer && (ob.cbBuffer > MAX_DGRAM || e->out->n >= QLEN))
    {
        fprintf(stderr, "dtls_sspi: a %lu-byte datagram does not fit the queue\n", (unsigned long)ob.cbBuffer);
        exit(1);
    }
    if (ob.pvBuffer && ob.cbBuffer)
    {
        memcpy(e->out->d[e->out->n], ob.pvBuffer, ob.cbBuffer);
        e->out->len[e->out->n++] = ob.cbBuffer;
    }
    if (ob.pvBuffer)
        FreeContextBuffer(ob.pvBuffer);
    return st;
}

static SECURITY_STATUS step(struct end *e, BYTE *in, ULONG in_len)
{
    SECURITY_STATUS st = call(e, in, in_len);

    while (st == SEC_I_MESSAGE_FRAGMENT)
        st = call(e, NULL, 0);
    if (st == SEC_E_OK)
        e->done = TRUE;
    return st;
}

static void deliver(struct end *e)
{
    static BYTE d[QLEN][MAX_DGRAM];
    ULONG len[QLEN];
    int i, n = e->in->n;

    memcpy(d, e->in->d, sizeof(d[0]) * n);
    memcpy(len, e->in->len, sizeof(len[0]) * n);
    e->in->n = 0;
    for (i = 0; i < n; i++)
        if (FAILED(step(e, d[i], len[i])))
        {
            fprintf(stderr, "dtls_sspi: handshake failed\n");
            exit(1);
        }
}

static void pair(struct end *c, struct end *s)
{
    int rounds = 0;

    to_server.n = to_client.n = 0;
    c->have = s->have = c->done = s->done = FALSE;
    c->in = s->out = &to_client;
    s->in = c->out = &to_server;
    step(c, NULL, 0);
    while ((!c->done || !s->done) && rounds++ < 50)
    {
        deliver(s);
        deliver(c);
    }
    if (!c->done || !s->done)
    {
        fprintf(stderr, "dtls_sspi: the handshake did not finish\n");
        exit(1);
    }
}

static void unpair(struct end *c, struct end *s)
{
    DeleteSecurityContext(&c->ctx);
    DeleteSecurityContext(&s->ctx);
}

static void bench_handshakes(struct end *c, struct end *s)
{
    double start = now(), cpu0 = cpu_now(), t;
    int n = 0;

    do
    {
        pair(c, s);
        unpair(c, s);
        n++;
    } while ((t = now() - start) < seconds || cpu_now() - cpu0 < 0.03);
    rate_figures("dtls12_hs", n, t, cpu_now() - cpu0);
}

static void bench_records(struct end *c, struct end *s)
{
    static BYTE rec[RECORD + 256], data[RECORD];
    SecPkgContext_StreamSizes sz;
    SecBuffer b[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    double start, cpu0, t;
    int n = 0, i;

    pair(c, s);
    QueryContextAttributesW(&c->ctx, SECPKG_ATTR_STREAM_SIZES, &sz);
    memset(data, 'r', sizeof(data));
    start = now();
    cpu0 = cpu_now();
    do
    {
        /* the application copies its data into the message buffer */
        memcpy(rec + sz.cbHeader, data, RECORD);
        b[0].BufferType = SECBUFFER_STREAM_HEADER; b[0].pvBuffer = rec; b[0].cbBuffer = sz.cbHeader;
        b[1].BufferType = SECBUFFER_DATA; b[1].pvBuffer = rec + sz.cbHeader; b[1].cbBuffer = RECORD;
        b[2].BufferType = SECBUFFER_STREAM_TRAILER; b[2].pvBuffer = rec + sz.cbHeader + RECORD; b[2].cbBuffer = sz.cbTrailer;
        b[3].BufferType = SECBUFFER_EMPTY; b[3].pvBuffer = NULL; b[3].cbBuffer = 0;
        if (EncryptMessage(&c->ctx, 0, &desc, 0))
            exit(1);
        b[0].BufferType = SECBUFFER_DATA; b[0].cbBuffer += b[1].cbBuffer + b[2].cbBuffer;
        for (i = 1; i < 4; i++) { b[i].BufferType = SECBUFFER_EMPTY; b[i].pvBuffer = NULL; b[i].cbBuffer = 0; }
        if (DecryptMessage(&s->ctx, &desc, 0, NULL) || b[1].cbBuffer != RECORD)
            exit(1);
        n++;
    } while ((t = now() - start) < seconds || cpu_now() - cpu0 < 0.03);
    rate_figures("dtls12_rec_1k", n, t, cpu_now() - cpu0);
    unpair(c, s);
}

int main(int argc, char **argv)
{
    PCCERT_CONTEXT cert;
    static struct end c, s;

    if (argc >= 2)
        seconds = atof(argv[1]);
    if (!(cert = load_pfx("server-rsa")))
        return 1;
    s.server = TRUE;
    if (acquire_cred(&c.cred, SECPKG_CRED_OUTBOUND, NULL, FALSE, SP_PROT_DTLS1_2_CLIENT, SCH_CRED_MANUAL_CRED_VALIDATION)
        || acquire_cred(&s.cred, SECPKG_CRED_INBOUND, cert, FALSE, SP_PROT_DTLS1_2_SERVER, 0))
        return 1;
    bench_handshakes(&c, &s);
    bench_records(&c, &s);
    FreeCredentialsHandle(&c.cred);
    FreeCredentialsHandle(&s.cred);
    CertFreeCertificateContext(cert);
    return 0;
}
