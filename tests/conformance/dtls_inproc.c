/* DTLS 1.0 and 1.2 through SSPI with client and server in one process, over
 * a "network" of the test's own that loses, duplicates and reorders
 * datagrams: the cookie exchange, flights of several datagrams
 * (SEC_I_MESSAGE_FRAGMENT), retransmission on a call without input, MTUs
 * from 256 bytes up, records per datagram with replay detection,
 * DTLS-SRTP profiles and keying material, close_notify and misuse. */
#include <stdlib.h>
#include <string.h>
#include "tlsutil.h"

#define DTLS_CLIENT_REQ (ISC_REQ_SEQUENCE_DETECT | ISC_REQ_REPLAY_DETECT | ISC_REQ_CONFIDENTIALITY | \
                         ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_DATAGRAM | ISC_REQ_USE_SUPPLIED_CREDS)
#define DTLS_SERVER_REQ (ASC_REQ_SEQUENCE_DETECT | ASC_REQ_REPLAY_DETECT | ASC_REQ_CONFIDENTIALITY | \
                         ASC_REQ_ALLOCATE_MEMORY | ASC_REQ_DATAGRAM)
#define SRTP_AES128_CM_HMAC_SHA1_80 0x0001
#define SRTP_AES128_CM_HMAC_SHA1_32 0x0002
#define MAX_DGRAM 2048
#define QUEUE_LEN 256

static PCCERT_CONTEXT server_cert;
static int renegotiates;    /* SEC_I_RENEGOTIATE seen: a finished side's last flight asked for again */
static int loss_pct = 15;
static int garbage_pct;     /* noise datagrams per datagram sent, percent */   /* of handshake datagrams; argv[3] when one case is run by hand */

/* ---- the network: two queues of datagrams, with a deterministic PRNG ---- */

struct dgram { BYTE data[MAX_DGRAM]; ULONG len; };
struct net {
    struct dgram q[2][QUEUE_LEN];     /* [0] to the server, [1] to the client */
    int n[2];
    unsigned int seed;
    int drop_pct, dup_pct, reorder_pct, garbage_pct;
    ULONG mtu, largest;
    int sent, dropped, duplicated, reordered, garbage;
};

static unsigned int rnd(struct net *net)
{
    net->seed = net->seed * 1103515245u + 12345u;
    return (net->seed >> 16) & 0x7fff;
}

static void enqueue(struct net *net, int to, const BYTE *data, ULONG len, int pos)
{
    struct dgram *q = net->q[to];

    if (net->n[to] >= QUEUE_LEN || len > MAX_DGRAM)
    {
        /* Loss is the PRNG's to decide; a full queue is the harness's limit. */
        fprintf(stderr, "dtls_inproc: %lu-byte datagram with %d queued exceeds the simulated network\n",
                (unsigned long)len, net->n[to]);
        abort();
    }
    memmove(&q[pos + 1], &q[pos], (net->n[to] - pos) * sizeof(q[0]));
    memcpy(q[pos].data, data, len);
    q[pos].len = len;
    net->n[to]++;
}

/* Noise on the wire: random bytes, half of them behind a DTLS record header. */
static void add_garbage(struct net *net, int to)
{
    BYTE junk[256];
    ULONG len = 1 + rnd(net) % 200, i;

    for (i = 0; i < len; i++)
        junk[i] = (BYTE)rnd(net);
    if (len > 13 && rnd(net) % 2)
    {
        junk[0] = 22 + rnd(net) % 2;
        junk[1] = 0xfe;
        junk[2] = 0xfd;
        junk[11] = 0;
        junk[12] = (BYTE)(len - 13);
    }
    enqueue(net, to, junk, len, net->n[to] ? rnd(net) % (net->n[to] + 1) : 0);
    net->garbage++;
}

static void net_send(struct net *net, int to, const BYTE *data, ULONG len)
{
    int pos = net->n[to];

    net->sent++;
    if ((int)(rnd(net) % 100) < net->garbage_pct)
        add_garbage(net, to);
    if (len > net->largest)
        net->largest = len;
    if ((int)(rnd(net) % 100) < net->drop_pct)
    {
        net->dropped++;
        return;
    }
    if (pos && (int)(rnd(net) % 100) < net->reorder_pct)
    {
        pos = rnd(net) % (pos + 1);
        net->reordered++;
    }
    enqueue(net, to, data, len, pos);
    if ((int)(rnd(net) % 100) < net->dup_pct)
    {
        enqueue(net, to, data, len, net->n[to]);
        net->duplicated++;
    }
}

static BOOL net_recv(struct net *net, int to, struct dgram *out)
{
    if (!net->n[to])
        return FALSE;
    *out = net->q[to][0];
    memmove(&net->q[to][0], &net->q[to][1], (net->n[to] - 1) * sizeof(net->q[to][0]));
    net->n[to]--;
    return TRUE;
}

/* ---- the two sides ---- */

struct side {
    BOOL server;
    CredHandle cred;
    CtxtHandle ctx;
    BOOL have_ctx, done, failed;
    ULONG attrs;
    SECURITY_STATUS last;
    int fragments;                    /* SEC_I_MESSAGE_FRAGMENT results */
    USHORT mtu;                       /* SECBUFFER_DTLS_MTU on the first call (0 = none) */
    const USHORT *srtp;               /* SRTP profiles on the first call */
    ULONG srtp_count;
};

/* One ISC/ASC call: input = one datagram or none. */
static SECURITY_STATUS side_call(struct side *s, const BYTE *in, ULONG in_len, BYTE *out, ULONG *out_len)
{
    BYTE extra[64];
    SecBuffer ib[5], ob[1];
    SecBufferDesc idesc = { SECBUFFER_VERSION, 0, ib }, odesc = { SECBUFFER_VERSION, 1, ob };
    SECURITY_STATUS status;
    SEC_DTLS_MTU *mtu = (SEC_DTLS_MTU *)extra;
    SEC_SRTP_PROTECTION_PROFILES *prof = (SEC_SRTP_PROTECTION_PROFILES *)(extra + 8);
    BOOL first = !s->have_ctx;

    if (in)
    {
        ib[idesc.cBuffers].BufferType = SECBUFFER_TOKEN; ib[idesc.cBuffers].pvBuffer = (void *)in;
        ib[idesc.cBuffers++].cbBuffer = in_len;
        ib[idesc.cBuffers].BufferType = SECBUFFER_EMPTY; ib[idesc.cBuffers].pvBuffer = NULL;
        ib[idesc.cBuffers++].cbBuffer = 0;
    }
    if (first && s->mtu)
    {
        mtu->PathMTU = s->mtu;
        ib[idesc.cBuffers].BufferType = SECBUFFER_DTLS_MTU; ib[idesc.cBuffers].pvBuffer = mtu;
        ib[idesc.cBuffers++].cbBuffer = sizeof(*mtu);
    }
    if (first && s->srtp_count && !s->server)
    {
        /* our MKI: the server takes it and sends it back (RFC 5764 4.1.1) */
        static const BYTE mki[] = { 4, 0xde, 0xad, 0xbe, 0xef };
        ib[idesc.cBuffers].BufferType = SECBUFFER_SRTP_MASTER_KEY_IDENTIFIER; ib[idesc.cBuffers].pvBuffer = (void *)mki;
        ib[idesc.cBuffers++].cbBuffer = sizeof(mki);
    }
    if (first && s->srtp_count)
    {
        prof->ProfilesSize = (USHORT)(s->srtp_count * sizeof(USHORT));
        memcpy(prof->ProfilesList, s->srtp, s->srtp_count * sizeof(USHORT));
        ib[idesc.cBuffers].BufferType = SECBUFFER_SRTP_PROTECTION_PROFILES; ib[idesc.cBuffers].pvBuffer = prof;
        ib[idesc.cBuffers++].cbBuffer = sizeof(USHORT) * (1 + s->srtp_count);
    }
    ob[0].BufferType = SECBUFFER_TOKEN; ob[0].pvBuffer = NULL; ob[0].cbBuffer = 0;
    if (s->server)
        status = AcceptSecurityContext(&s->cred, first ? NULL : &s->ctx, idesc.cBuffers ? &idesc : NULL,
                                       DTLS_SERVER_REQ, 0, &s->ctx, &odesc, &s->attrs, NULL);
    else
        status = InitializeSecurityContextW(&s->cred, first ? NULL : &s->ctx, (SEC_WCHAR *)L"localhost",
                                            DTLS_CLIENT_REQ, 0, 0, idesc.cBuffers ? &idesc : NULL, 0, &s->ctx,
                                            &odesc, &s->attrs, NULL);
    if (first && (status == SEC_E_OK || status == SEC_I_CONTINUE_NEEDED || status == SEC_I_MESSAGE_FRAGMENT))
        s->have_ctx = TRUE;
    *out_len = 0;
    if (ob[0].pvBuffer && ob[0].cbBuffer > MAX_DGRAM)
    {
        fprintf(stderr, "dtls_inproc: a %lu-byte datagram exceeds MAX_DGRAM\n", (unsigned long)ob[0].cbBuffer);
        abort();
    }
    if (ob[0].pvBuffer)
    {
        memcpy(out, ob[0].pvBuffer, ob[0].cbBuffer);
        *out_len = ob[0].cbBuffer;
    }
    if (ob[0].pvBuffer)
        FreeContextBuffer(ob[0].pvBuffer);
    s->last = status;
    return status;
}

/* A call, then the rest of the flight (SEC_I_MESSAGE_FRAGMENT: call again
 * without input), every datagram onto the network. */
static void side_step(struct side *s, struct net *net, const BYTE *in, ULONG in_len)
{
    BYTE out[MAX_DGRAM];
    ULONG out_len;
    SECURITY_STATUS status = side_call(s, in, in_len, out, &out_len);
    int guard = 0;

    for (;;)
    {
        if (out_len)
            net_send(net, s->server ? 1 : 0, out, out_len);
        if (status != SEC_I_MESSAGE_FRAGMENT || ++guard > 64)
            break;
        s->fragments++;
        status = side_call(s, NULL, 0, out, &out_len);
    }
    if (status == SEC_E_OK)
        s->done = TRUE;
    else if (s->server && !s->have_ctx && status == SEC_E_INVALID_TOKEN)
        return;   /* a first datagram that is no ClientHello makes no context: dropped */
    else if (FAILED(status))
    {
        s->failed = TRUE;
        diag("%s failed with %#lx", s->server ? "ASC" : "ISC", status);
    }
}

/* Datagram to a side whose handshake is over: DecryptMessage; the peer
 * repeating its last flight gets ours again through SEC_I_RENEGOTIATE. */
static SECURITY_STATUS decrypt_datagram(struct side *s, struct net *net, BYTE *data, ULONG len, ULONG *plain_len)
{
    SecBuffer b[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    SECURITY_STATUS status;
    int i;

    b[0].BufferType = SECBUFFER_DATA; b[0].pvBuffer = data; b[0].cbBuffer = len;
    for (i = 1; i < 4; i++) { b[i].BufferType = SECBUFFER_EMPTY; b[i].pvBuffer = NULL; b[i].cbBuffer = 0; }
    status = DecryptMessage(&s->ctx, &desc, 0, NULL);
    *plain_len = 0;
    if (status == SEC_E_OK && b[1].BufferType == SECBUFFER_DATA)
    {
        memmove(data, b[1].pvBuffer, b[1].cbBuffer);
        *plain_len = b[1].cbBuffer;
    }
    if (status == SEC_I_RENEGOTIATE && net)
    {
        renegotiates++;
        side_step(s, net, NULL, 0);
        ok(s->last == SEC_E_OK, "DecryptMessage's SEC_I_RENEGOTIATE: %s sends its last flight again, SEC_E_OK (%#lx)",
           s->server ? "ASC" : "ISC", s->last);
    }
    return status;
}

struct run {
    int retransmits, calls;
};

static void deliver(struct side *s, struct net *net, struct run *run)
{
    struct dgram d;
    ULONG plain;

    while (net_recv(net, s->server ? 0 : 1, &d))
    {
        run->calls++;
        if (s->done)
            decrypt_datagram(s, net, d.data, d.len, &plain);
        else if (!s->failed)
            side_step(s, net, d.data, d.len);
    }
}

/* Runs the handshake; a quiet network is the callers' retransmission timer. */
static BOOL handshake(struct side *c, struct side *sv, struct net *net, struct run *run)
{
    int rounds;

    side_step(c, net, NULL, 0);
    for (rounds = 0; rounds < 400 && !c->failed && !sv->failed; rounds++)
    {
        if (!net->n[0] && !net->n[1])
        {
            if (c->done && sv->done)
                return TRUE;
            run->retransmits++;
            if (!c->done)
                side_step(c, net, NULL, 0);
            if (!sv->done && sv->have_ctx)
                side_step(sv, net, NULL, 0);
            continue;
        }
        deliver(sv, net, run);
        deliver(c, net, run);
    }
    return c->done && sv->done && !net->n[0] && !net->n[1];
}

static void side_free(struct side *s)
{
    if (s->have_ctx)
        DeleteSecurityContext(&s->ctx);
    s->have_ctx = FALSE;
}

/* Both sides' credentials (the client validates nothing: manual validation). */
static BOOL sides_acquire(struct side *c, struct side *sv, BOOL v5, DWORD cproto, DWORD sproto)
{
    sv->server = TRUE;
    if (acquire_cred(&c->cred, SECPKG_CRED_OUTBOUND, NULL, v5, cproto, SCH_CRED_MANUAL_CRED_VALIDATION))
        return FALSE;
    if (!acquire_cred(&sv->cred, SECPKG_CRED_INBOUND, server_cert, v5, sproto, 0))
        return TRUE;
    FreeCredentialsHandle(&c->cred);
    return FALSE;
}

static void sides_free(struct side *c, struct side *sv)
{
    side_free(c);
    side_free(sv);
    FreeCredentialsHandle(&c->cred);
    FreeCredentialsHandle(&sv->cred);
}

/* ---- checks after the handshake ---- */

static void export_keys(struct side *s, BYTE *out, ULONG size, SECURITY_STATUS *status)
{
    SecPkgContext_KeyingMaterialInfo info = { sizeof("EXTRACTOR-dtls_srtp"), (char *)"EXTRACTOR-dtls_srtp", 0, NULL, size };
    SecPkgContext_KeyingMaterial km = { 0 };

    *status = SetContextAttributesA(&s->ctx, SECPKG_ATTR_KEYING_MATERIAL_INFO, &info, sizeof(info));
    if (!*status)
        *status = QueryContextAttributesA(&s->ctx, SECPKG_ATTR_KEYING_MATERIAL, &km);
    if (!*status && km.cbKeyingMaterial == size)
        memcpy(out, km.pbKeyingMaterial, size);
    else if (!*status)
        *status = SEC_E_INTERNAL_ERROR;
    if (km.pbKeyingMaterial)
        FreeContextBuffer(km.pbKeyingMaterial);
}

static void check_srtp(struct side *c, struct side *sv, const char *what)
{
    SecPkgContext_SrtpParameters cp = { 0 }, sp = { 0 };
    BYTE ck[60], sk[60];
    SECURITY_STATUS cs, ss;

    ok_hex(QueryContextAttributesA(&c->ctx, SECPKG_ATTR_SRTP_PARAMETERS, &cp), SEC_E_OK, "%s: client SRTP_PARAMETERS", what);
    ok_hex(QueryContextAttributesA(&sv->ctx, SECPKG_ATTR_SRTP_PARAMETERS, &sp), SEC_E_OK, "%s: server SRTP_PARAMETERS", what);
    ok(cp.ProtectionProfile == SRTP_AES128_CM_HMAC_SHA1_80 && sp.ProtectionProfile == cp.ProtectionProfile,
       "%s: both sides use SRTP_AES128_CM_HMAC_SHA1_80 (client %#x, server %#x)", what, cp.ProtectionProfile,
       sp.ProtectionProfile);
    ok(cp.MasterKeyIdentifierSize == 4 && sp.MasterKeyIdentifierSize == 4 && cp.MasterKeyIdentifier
       && sp.MasterKeyIdentifier && !memcmp(cp.MasterKeyIdentifier, "\xde\xad\xbe\xef", 4)
       && !memcmp(sp.MasterKeyIdentifier, "\xde\xad\xbe\xef", 4), "%s: the client's MKI on both sides", what);
    if (cp.MasterKeyIdentifier)
        FreeContextBuffer(cp.MasterKeyIdentifier);
    if (sp.MasterKeyIdentifier)
        FreeContextBuffer(sp.MasterKeyIdentifier);
    export_keys(c, ck, sizeof(ck), &cs);
    export_keys(sv, sk, sizeof(sk), &ss);
    ok(!cs && !ss && !memcmp(ck, sk, sizeof(ck)), "%s: SRTP keying material (60 bytes) equal on both sides", what);
}

/* Records through the lossy network: every one that arrives decrypts to
 * what was sent, each duplicate is refused as a replay. */
static void check_records(struct side *from, struct side *to, struct net *net, const char *what)
{
    SecPkgContext_StreamSizes sizes;
    static BYTE buf[4][MAX_DGRAM];
    SecBuffer b[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    struct dgram d;
    int i, good = 0, replays = 0, bad = 0, sent = 0;
    ULONG plain;
    SECURITY_STATUS status;

    if (!ok(QueryContextAttributesA(&from->ctx, SECPKG_ATTR_STREAM_SIZES, &sizes) == SEC_E_OK, "%s: STREAM_SIZES", what))
        return;
    ok(sizes.cbHeader >= 13 && sizes.cbHeader + sizes.cbMaximumMessage < net->mtu,
       "%s: header %lu + max message %lu (trailer up to %lu) within the MTU %lu", what, sizes.cbHeader,
       sizes.cbMaximumMessage, sizes.cbTrailer, net->mtu);
    net->largest = 0;
    net->drop_pct = 10; net->dup_pct = 30; net->reorder_pct = 30;
    for (i = 0; i < 40; i++)
    {
        BYTE *rec = buf[0];
        ULONG len = sizes.cbMaximumMessage - (i % 7);
        memset(rec + sizes.cbHeader, 'a' + i % 26, len);
        rec[sizes.cbHeader] = (BYTE)i;
        b[0].BufferType = SECBUFFER_STREAM_HEADER; b[0].pvBuffer = rec; b[0].cbBuffer = sizes.cbHeader;
        b[1].BufferType = SECBUFFER_DATA; b[1].pvBuffer = rec + sizes.cbHeader; b[1].cbBuffer = len;
        b[2].BufferType = SECBUFFER_STREAM_TRAILER; b[2].pvBuffer = rec + sizes.cbHeader + len;
        b[2].cbBuffer = sizes.cbTrailer;
        b[3].BufferType = SECBUFFER_EMPTY; b[3].pvBuffer = NULL; b[3].cbBuffer = 0;
        if ((status = EncryptMessage(&from->ctx, 0, &desc, 0)))
        {
            bad++;
            diag("EncryptMessage: %#lx", status);
            continue;
        }
        sent++;
        net_send(net, to->server ? 0 : 1, rec, b[0].cbBuffer + b[1].cbBuffer + b[2].cbBuffer);
    }
    while (net_recv(net, to->server ? 0 : 1, &d))
    {
        BYTE first = d.data[sizes.cbHeader];   /* unused: ciphertext */
        (void)first;
        status = decrypt_datagram(to, NULL, d.data, d.len, &plain);
        if (status == SEC_E_OK && plain >= sizes.cbMaximumMessage - 6 && plain <= sizes.cbMaximumMessage
            && d.data[1] == (BYTE)('a' + d.data[0] % 26))
            good++;
        else if (status == SEC_E_OUT_OF_SEQUENCE)
            replays++;
        else
        {
            bad++;
            diag("DecryptMessage: %#lx, %lu bytes, record %u/%u", status, plain, d.data[4] | d.data[3] << 8,
                 d.data[10] | d.data[9] << 8);
        }
    }
    ok(!bad && sent == 40, "%s: 40 records encrypted, every arriving datagram decrypted or refused as a replay", what);
    ok(net->largest <= net->mtu, "%s: every record of cbMaximumMessage fits the MTU (largest %lu)", what, net->largest);
    ok(good + net->dropped >= 40 && good <= 40, "%s: %d records read, %d lost on the way", what, good, net->dropped);
    ok(replays > 0 && replays <= net->duplicated, "%s: %d duplicates refused with SEC_E_OUT_OF_SEQUENCE", what, replays);
    net->drop_pct = net->dup_pct = net->reorder_pct = 0;
    net->dropped = net->duplicated = 0;
}

static void check_misuse_records(struct side *from, struct side *to, const char *what)
{
    SecPkgContext_StreamSizes sizes;
    BYTE rec[MAX_DGRAM * 2], garbage[64];
    SecBuffer b[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    ULONG plain, len;

    QueryContextAttributesA(&from->ctx, SECPKG_ATTR_STREAM_SIZES, &sizes);
    b[0].BufferType = SECBUFFER_STREAM_HEADER; b[0].pvBuffer = rec; b[0].cbBuffer = sizes.cbHeader;
    b[1].BufferType = SECBUFFER_DATA; b[1].pvBuffer = rec + sizes.cbHeader; b[1].cbBuffer = sizes.cbMaximumMessage + 1;
    b[2].BufferType = SECBUFFER_STREAM_TRAILER; b[2].pvBuffer = rec + sizes.cbHeader + sizes.cbMaximumMessage + 1;
    b[2].cbBuffer = sizes.cbTrailer;
    b[3].BufferType = SECBUFFER_EMPTY; b[3].pvBuffer = NULL; b[3].cbBuffer = 0;
    memset(b[1].pvBuffer, 'x', b[1].cbBuffer);
    ok(FAILED(EncryptMessage(&from->ctx, 0, &desc, 0)), "%s: a message larger than the datagram MTU is refused", what);
    memset(garbage, 0x5a, sizeof(garbage));
    ok_hex(decrypt_datagram(to, NULL, garbage, sizeof(garbage), &plain), SEC_E_DECRYPT_FAILURE,
           "%s: a garbage datagram is dropped with SEC_E_DECRYPT_FAILURE", what);
    /* a record with a flipped byte: forged, dropped, the session lives on */
    b[1].cbBuffer = 10;
    b[2].pvBuffer = rec + sizes.cbHeader + 10;
    b[2].cbBuffer = sizes.cbTrailer;
    memcpy(b[1].pvBuffer, "0123456789", 10);
    ok_hex(EncryptMessage(&from->ctx, 0, &desc, 0), SEC_E_OK, "%s: encrypt a small record", what);
    len = b[0].cbBuffer + b[1].cbBuffer + b[2].cbBuffer;
    rec[len - 1] ^= 1;
    ok_hex(decrypt_datagram(to, NULL, rec, len, &plain), SEC_E_DECRYPT_FAILURE,
           "%s: a forged record is dropped with SEC_E_DECRYPT_FAILURE", what);
    b[0].pvBuffer = rec; b[0].cbBuffer = sizes.cbHeader;
    b[1].pvBuffer = rec + sizes.cbHeader; b[1].cbBuffer = 5;
    memcpy(b[1].pvBuffer, "after", 5);
    b[2].pvBuffer = rec + sizes.cbHeader + 5; b[2].cbBuffer = sizes.cbTrailer;
    b[3].BufferType = SECBUFFER_EMPTY;
    ok_hex(EncryptMessage(&from->ctx, 0, &desc, 0), SEC_E_OK, "%s: encrypt after the forgery", what);
    len = b[0].cbBuffer + b[1].cbBuffer + b[2].cbBuffer;
    ok(decrypt_datagram(to, NULL, rec, len, &plain) == SEC_E_OK && plain == 5 && !memcmp(rec, "after", 5),
       "%s: the session goes on after garbage and a forgery", what);
}

static void check_close(struct side *from, struct side *to, struct net *net, const char *what)
{
    DWORD type = SCHANNEL_SHUTDOWN;
    SecBuffer b = { sizeof(type), SECBUFFER_TOKEN, &type };
    SecBufferDesc desc = { SECBUFFER_VERSION, 1, &b };
    struct dgram d;
    ULONG plain;

    ok_hex(ApplyControlToken(&from->ctx, &desc), SEC_E_OK, "%s: ApplyControlToken(SCHANNEL_SHUTDOWN)", what);
    from->done = FALSE;
    side_step(from, net, NULL, 0);
    ok(from->last == SEC_E_OK && net->n[to->server ? 0 : 1] == 1, "%s: close_notify in one datagram", what);
    ok(net_recv(net, to->server ? 0 : 1, &d) && decrypt_datagram(to, NULL, d.data, d.len, &plain) == SEC_I_CONTEXT_EXPIRED,
       "%s: the peer's DecryptMessage says SEC_I_CONTEXT_EXPIRED", what);
}

static void run_case(const char *version, DWORD cproto, DWORD sproto, USHORT mtu, BOOL srtp, unsigned int seed)
{
    static const USHORT profiles[] = { SRTP_AES128_CM_HMAC_SHA1_80, SRTP_AES128_CM_HMAC_SHA1_32 };
    static struct net net;
    struct side c = { 0 }, sv = { 0 };
    struct run run = { 0 };
    char what[96];
    SEC_DTLS_MTU qmtu;
    SecPkgContext_ConnectionInfo info;
    SecPkgContext_CipherInfo cipher;
    SECURITY_STATUS st;
    BOOL done;

    snprintf(what, sizeof(what), "%s MTU %u seed %u", version, mtu ? mtu : 1096, seed);
    memset(&net, 0, sizeof(net));
    net.seed = seed;
    net.drop_pct = loss_pct; net.dup_pct = loss_pct; net.reorder_pct = loss_pct ? 25 : 0;
    net.garbage_pct = garbage_pct;
    net.mtu = mtu ? mtu : 1096;
    sv.server = TRUE;
    c.mtu = sv.mtu = mtu;
    if (srtp)
    {
        c.srtp = sv.srtp = profiles;
        c.srtp_count = sv.srtp_count = 2;
    }
    if (!sides_acquire(&c, &sv, FALSE, cproto, sproto))
    {
        ok(0, "%s: credentials", what);
        return;
    }
    done = handshake(&c, &sv, &net, &run);
    if (!done)
        diag("client %#lx%s, server %#lx%s, %d/%d datagrams queued", c.last, c.done ? " (done)" : "", sv.last,
             sv.done ? " (done)" : "", net.n[0], net.n[1]);
    ok(done, "%s: handshake over a lossy network (%d garbage datagrams, %d sent, %d lost, %d duplicated, "
       "%d reordered, %d retransmission rounds, %d fragments)", what, net.garbage, net.sent, net.dropped, net.duplicated,
       net.reordered, run.retransmits, c.fragments + sv.fragments);
    ok(net.largest <= net.mtu, "%s: no datagram above the MTU (largest %lu)", what, net.largest);
    if (!c.done || !sv.done)
        goto out;
    ok((c.attrs & ISC_RET_DATAGRAM) && (sv.attrs & ASC_RET_DATAGRAM), "%s: ISC/ASC_RET_DATAGRAM returned", what);
    ok_hex(QueryContextAttributesA(&c.ctx, SECPKG_ATTR_CONNECTION_INFO, &info), SEC_E_OK, "%s: CONNECTION_INFO", what);
    ok(info.dwProtocol == cproto, "%s: protocol %#lx", what, info.dwProtocol);
    st = QueryContextAttributesA(&sv.ctx, SECPKG_ATTR_CONNECTION_INFO, &info);
    ok(!st && info.dwProtocol == sproto, "%s: the server's CONNECTION_INFO says %#lx", what, info.dwProtocol);
    memset(&cipher, 0, sizeof(cipher));
    st = QueryContextAttributesA(&c.ctx, SECPKG_ATTR_CIPHER_INFO, &cipher);
    ok(!st && cipher.dwProtocol == (cproto == SP_PROT_DTLS1_2_CLIENT ? 0xfefd : 0xfeff) && cipher.dwCipherSuite,
       "%s: CIPHER_INFO has the DTLS wire version %#lx and suite %#lx", what, cipher.dwProtocol, cipher.dwCipherSuite);
    ok(!QueryContextAttributesA(&c.ctx, SECPKG_ATTR_DTLS_MTU, &qmtu) && qmtu.PathMTU == net.mtu,
       "%s: SECPKG_ATTR_DTLS_MTU is %u", what, qmtu.PathMTU);
    if (srtp)
        check_srtp(&c, &sv, what);
    net.drop_pct = net.dup_pct = net.reorder_pct = net.garbage_pct = 0;
    net.dropped = net.duplicated = 0;
    check_records(&c, &sv, &net, what);
    check_records(&sv, &c, &net, what);
    check_misuse_records(&c, &sv, what);
    check_close(&c, &sv, &net, what);
out:
    sides_free(&c, &sv);
}

/* SetContextAttributes(DTLS_MTU) before the handshake goes on, and the
 * limits Windows documents (200 bytes to 64 KB). */
static void test_set_mtu(void)
{
    static struct net net;
    struct side c = { 0 }, sv = { 0 };
    struct run run = { 0 };
    SEC_DTLS_MTU mtu = { 300 }, small = { 100 }, q = { 0 };

    memset(&net, 0, sizeof(net));
    net.mtu = 300;
    if (!sides_acquire(&c, &sv, FALSE, SP_PROT_DTLS1_2_CLIENT, SP_PROT_DTLS1_2_SERVER))
        return;
    c.mtu = 300;
    side_step(&c, &net, NULL, 0);
    deliver(&sv, &net, &run);   /* HelloVerifyRequest: the server context exists now */
    ok(sv.have_ctx && sv.last == SEC_I_CONTINUE_NEEDED, "set MTU: the server answers the first ClientHello (%#lx)", sv.last);
    ok(!QueryContextAttributesA(&sv.ctx, SECPKG_ATTR_DTLS_MTU, &q) && q.PathMTU == 1096,
       "set MTU: default DTLS_MTU is 1096 (%u)", q.PathMTU);
    ok_hex(SetContextAttributesA(&sv.ctx, SECPKG_ATTR_DTLS_MTU, &small, sizeof(small)), SEC_E_INVALID_PARAMETER,
           "set MTU: 100 bytes is refused");
    ok_hex(SetContextAttributesA(&sv.ctx, SECPKG_ATTR_DTLS_MTU, &mtu, sizeof(mtu)), SEC_E_OK, "set MTU: 300 bytes");
    ok(!QueryContextAttributesA(&sv.ctx, SECPKG_ATTR_DTLS_MTU, &q) && q.PathMTU == 300, "set MTU: reads back 300");
    ok(handshake(&c, &sv, &net, &run), "set MTU: handshake");
    ok(net.largest <= 300 && sv.fragments > 0, "set MTU: the server's flights split into datagrams of <= 300 bytes "
       "(largest %lu, %d fragments)", net.largest, sv.fragments);
    sides_free(&c, &sv);
}

static void test_misuse(void)
{
    CredHandle tls, dtls, mixed;
    CtxtHandle ctx;
    SecBuffer ob = { 0, SECBUFFER_TOKEN, NULL }, ib[2];
    SecBufferDesc odesc = { SECBUFFER_VERSION, 1, &ob }, idesc = { SECBUFFER_VERSION, 2, ib };
    ULONG attrs;
    BYTE garbage[100];
    SEC_DTLS_MTU q;
    SECURITY_STATUS status;

    ok_hex(acquire_cred(&mixed, SECPKG_CRED_OUTBOUND, NULL, FALSE, SP_PROT_TLS1_2_CLIENT | SP_PROT_DTLS1_2_CLIENT, 0),
           SEC_E_ALGORITHM_MISMATCH, "misuse: SCHANNEL_CRED mixing TLS and DTLS bits");
    ok_hex(acquire_cred(&mixed, SECPKG_CRED_OUTBOUND, NULL, FALSE, SP_PROT_DTLS1_2_SERVER, 0),
           SEC_E_ALGORITHM_MISMATCH, "misuse: DTLS server bits on an outbound credential");
    if (!ok(acquire_cred(&tls, SECPKG_CRED_OUTBOUND, NULL, FALSE, SP_PROT_TLS1_2_CLIENT, 0) == SEC_E_OK,
            "misuse: TLS 1.2 credential"))
        return;
    if (!ok(acquire_cred(&dtls, SECPKG_CRED_OUTBOUND, NULL, FALSE, SP_PROT_DTLS1_2_CLIENT, 0) == SEC_E_OK,
            "misuse: DTLS 1.2 credential"))
        return;
    status = InitializeSecurityContextW(&tls, NULL, (SEC_WCHAR *)L"localhost", DTLS_CLIENT_REQ, 0, 0, NULL, 0, &ctx,
                                        &odesc, &attrs, NULL);
    ok_hex(status, SEC_E_ALGORITHM_MISMATCH, "misuse: ISC_REQ_DATAGRAM on a TLS-only credential");
    status = InitializeSecurityContextW(&dtls, NULL, (SEC_WCHAR *)L"localhost", CLIENT_REQ, 0, 0, NULL, 0, &ctx,
                                        &odesc, &attrs, NULL);
    ok_hex(status, SEC_E_ALGORITHM_MISMATCH, "misuse: a stream context on a DTLS-only credential");
    status = InitializeSecurityContextW(&tls, NULL, (SEC_WCHAR *)L"localhost", CLIENT_REQ, 0, 0, NULL, 0, &ctx,
                                        &odesc, &attrs, NULL);
    ok_hex(status, SEC_I_CONTINUE_NEEDED, "misuse: a TLS context");
    if (ob.pvBuffer)
        FreeContextBuffer(ob.pvBuffer);
    if (status == SEC_I_CONTINUE_NEEDED)
    {
        ok_hex(QueryContextAttributesA(&ctx, SECPKG_ATTR_DTLS_MTU, &q), SEC_E_UNSUPPORTED_FUNCTION,
               "misuse: SECPKG_ATTR_DTLS_MTU on a TLS context");
        q.PathMTU = 500;
        ok_hex(SetContextAttributesA(&ctx, SECPKG_ATTR_DTLS_MTU, &q, sizeof(q)), SEC_E_UNSUPPORTED_FUNCTION,
               "misuse: setting the DTLS MTU of a TLS context");
        DeleteSecurityContext(&ctx);
    }
    FreeCredentialsHandle(&tls);
    FreeCredentialsHandle(&dtls);
    /* a server's first datagram that is no ClientHello */
    if (acquire_cred(&dtls, SECPKG_CRED_INBOUND, server_cert, FALSE, SP_PROT_DTLS1_2_SERVER, 0))
        return;
    memset(garbage, 0x16, sizeof(garbage));
    ib[0].BufferType = SECBUFFER_TOKEN; ib[0].pvBuffer = garbage; ib[0].cbBuffer = sizeof(garbage);
    ib[1].BufferType = SECBUFFER_EMPTY; ib[1].pvBuffer = NULL; ib[1].cbBuffer = 0;
    ob.pvBuffer = NULL; ob.cbBuffer = 0;
    memset(&ctx, 0, sizeof(ctx));
    status = AcceptSecurityContext(&dtls, NULL, &idesc, DTLS_SERVER_REQ, 0, &ctx, &odesc, &attrs, NULL);
    ok_hex(status, SEC_E_INVALID_TOKEN, "misuse: a garbage first datagram to ASC");
    ok(!ctx.dwLower && !ctx.dwUpper, "misuse: ... and no context handle");
    FreeCredentialsHandle(&dtls);
}

/* A second association on the same credentials resumes (abbreviated
 * handshake: the client sends the last flight), over a lossy network. */
static void test_resumption(const char *version, DWORD cproto, DWORD sproto, unsigned int seed)
{
    static struct net net;
    struct side c = { 0 }, sv = { 0 };
    struct run run = { 0 };
    SecPkgContext_SessionInfo info;
    BYTE out[MAX_DGRAM];
    ULONG out_len;
    int round;
    BOOL done;

    if (!sides_acquire(&c, &sv, FALSE, cproto, sproto))
        return;
    for (round = 0; round < 2; round++)
    {
        memset(&net, 0, sizeof(net));
        net.mtu = 1096;
        net.seed = seed + round;
        net.drop_pct = round ? 20 : 0; net.dup_pct = round ? 20 : 0; net.reorder_pct = round ? 25 : 0;
        c.done = sv.done = c.failed = sv.failed = FALSE;
        done = handshake(&c, &sv, &net, &run);
        ok(done, "%s resumption: handshake %d (%d datagrams, %d lost)", version, round + 1, net.sent, net.dropped);
        memset(&info, 0, sizeof(info));
        if (done)
            QueryContextAttributesA(&c.ctx, SECPKG_ATTR_SESSION_INFO, &info);
        ok(!!(info.dwFlags & SSL_SESSION_RECONNECT) == round, "%s resumption: handshake %d %s", version, round + 1,
           round ? "resumes the first session" : "is a full one");
        /* the server sent the last flight of a full handshake, the client of
         * an abbreviated one: a call without input on the finished side
         * sends it again and stays SEC_E_OK */
        if (done)
        {
            SECURITY_STATUS st;
            int datagrams = 0, guard = 0;

            do
            {
                st = side_call(round ? &c : &sv, NULL, 0, out, &out_len);
                datagrams += out_len != 0;
            } while (st == SEC_I_MESSAGE_FRAGMENT && ++guard < 16);
            ok(st == SEC_E_OK && datagrams > 0, "%s resumption: the side that finished first repeats its last "
               "flight on request (%d datagrams, %#lx)", version, datagrams, st);
        }
        side_free(&c);
        side_free(&sv);
    }
    sides_free(&c, &sv);
}

/* One thread encrypts while another decrypts the client's repeated flight
 * and answers it: the retransmission and the records stay apart. */
#define CONCURRENT_RECORDS 20000
struct encryptor { CtxtHandle *ctx; BYTE (*recs)[160]; ULONG *lens; int failures; volatile LONG done; };

/* A DTLS 1.2 pair driven until the server has finished: the server's final
 * flight is still queued for the client, for the tests to lose or reorder. */
static BOOL server_finishes_first(struct side *c, struct side *sv, struct net *net, struct run *run)
{
    int rounds = 0;

    memset(net, 0, sizeof(*net));
    net->mtu = 1096;
    if (!sides_acquire(c, sv, FALSE, SP_PROT_DTLS1_2_CLIENT, SP_PROT_DTLS1_2_SERVER))
        return FALSE;
    side_step(c, net, NULL, 0);
    while (!sv->done && rounds++ < 50)
    {
        deliver(sv, net, run);
        if (!sv->done)
            deliver(c, net, run);
    }
    return TRUE;
}

static DWORD WINAPI encrypt_many(void *arg)
{
    struct encryptor *e = arg;
    SecPkgContext_StreamSizes sz;
    SecBuffer b[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    int i;

    QueryContextAttributesA(e->ctx, SECPKG_ATTR_STREAM_SIZES, &sz);
    for (i = 0; i < CONCURRENT_RECORDS; i++)
    {
        BYTE *rec = e->recs[i];
        b[0].BufferType = SECBUFFER_STREAM_HEADER; b[0].pvBuffer = rec; b[0].cbBuffer = sz.cbHeader;
        b[1].BufferType = SECBUFFER_DATA; b[1].pvBuffer = rec + sz.cbHeader; b[1].cbBuffer = 100;
        b[2].BufferType = SECBUFFER_STREAM_TRAILER; b[2].pvBuffer = rec + sz.cbHeader + 100; b[2].cbBuffer = sz.cbTrailer;
        b[3].BufferType = SECBUFFER_EMPTY; b[3].pvBuffer = NULL; b[3].cbBuffer = 0;
        memset(b[1].pvBuffer, 'a' + i % 26, 100);
        if (EncryptMessage(e->ctx, 0, &desc, 0))
            e->failures++;
        e->lens[i] = b[0].cbBuffer + b[1].cbBuffer + b[2].cbBuffer;
        InterlockedIncrement(&e->done);
    }
    return 0;
}

static void test_concurrent_retransmit(void)
{
    static struct net net;
    static BYTE recs[CONCURRENT_RECORDS][160];   /* 3 MB */
    static ULONG lens[CONCURRENT_RECORDS];
    struct side c = { 0 }, sv = { 0 };
    struct run run = { 0 };
    struct encryptor e = { &sv.ctx, recs, lens, 0, 0 };
    struct dgram d;
    HANDLE thread;
    ULONG plain;
    int i, good = 0, old = 0, bad = 0;

    if (!server_finishes_first(&c, &sv, &net, &run))
        return;
    net.n[1] = 0;   /* the server's final flight is lost */
    side_step(&c, &net, NULL, 0);   /* the client's timer: its flight again */
    ok(sv.done && !c.done && net.n[0] > 0, "concurrent: the server is done, the client repeats its flight");
    thread = CreateThread(NULL, 0, encrypt_many, &e, 0, NULL);
    while (e.done < CONCURRENT_RECORDS / 10)
        Sleep(0);   /* the encrypting thread is well under way */
    deliver(&sv, &net, &run);       /* DecryptMessage, SEC_I_RENEGOTIATE, ASC: while the thread encrypts */
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    deliver(&c, &net, &run);
    ok(c.done && !e.failures, "concurrent: the client completes with the flight sent again while %d records "
       "were encrypted", CONCURRENT_RECORDS);
    /* The repeated Finished took a record number after the records encrypted
     * before it; those fell out of the client's replay window by the time it
     * could read them (SEC_E_OUT_OF_SEQUENCE, as DTLS wants). Every other
     * record must decrypt: none may have been mixed with the flight. */
    for (i = 0; c.done && i < CONCURRENT_RECORDS; i++)
    {
        SECURITY_STATUS st;

        memcpy(d.data, recs[i], lens[i]);
        st = decrypt_datagram(&c, NULL, d.data, lens[i], &plain);
        if (st == SEC_E_OK && plain == 100 && d.data[0] == 'a' + i % 26 && d.data[99] == 'a' + i % 26)
            good++;
        else if (st == SEC_E_OUT_OF_SEQUENCE)
            old++;
        else
            bad++;
    }
    ok(good > 0 && good + old == CONCURRENT_RECORDS && !bad, "concurrent: %d records decrypt, "
       "%d encrypted before the repeated flight are too old, %d damaged", good, old, bad);
    sides_free(&c, &sv);
}

/* Encrypts text with `from` and puts the record on the wire to the peer. */
static BOOL send_text(struct side *from, struct net *net, const char *text)
{
    SecPkgContext_StreamSizes sz;
    BYTE rec[512];
    ULONG len = (ULONG)strlen(text);
    SecBuffer b[4] = { { 0, SECBUFFER_STREAM_HEADER, rec }, { len, SECBUFFER_DATA, NULL },
                       { 0, SECBUFFER_STREAM_TRAILER, NULL }, { 0, SECBUFFER_EMPTY, NULL } };
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };

    if (QueryContextAttributesA(&from->ctx, SECPKG_ATTR_STREAM_SIZES, &sz))
        return FALSE;
    b[0].cbBuffer = sz.cbHeader;
    b[1].pvBuffer = rec + sz.cbHeader;
    b[2].pvBuffer = rec + sz.cbHeader + len;
    b[2].cbBuffer = sz.cbTrailer;
    memcpy(b[1].pvBuffer, text, len);
    if (EncryptMessage(&from->ctx, 0, &desc, 0))
        return FALSE;
    net_send(net, from->server ? 1 : 0, rec, b[0].cbBuffer + b[1].cbBuffer + b[2].cbBuffer);
    return TRUE;
}

/* The server's Finished is lost but its ChangeCipherSpec and a record of
 * data arrive: the client's handshake goes on (GnuTLS drops the early
 * record, as the network could have), completes after a retransmission, and
 * the next record reads. */
static void test_early_data(void)
{
    static struct net net;
    struct side c = { 0 }, sv = { 0 };
    struct run run = { 0 };
    struct dgram d;
    ULONG plain = 0;
    int i, lost = 0;

    if (!server_finishes_first(&c, &sv, &net, &run))
        return;
    /* the server's Finished (a handshake record of epoch 1) is lost */
    for (i = 0; i < net.n[1]; i++)
        if (net.q[1][i].data[0] == 22 && net.q[1][i].data[3] == 0 && net.q[1][i].data[4] == 1)
        {
            memmove(&net.q[1][i], &net.q[1][i + 1], (net.n[1] - i - 1) * sizeof(net.q[1][0]));
            net.n[1]--;
            lost++;
        }
    ok(sv.done && lost >= 1 && net.n[1] > 0 && send_text(&sv, &net, "early"),
       "early data: the server's Finished is lost (%d datagrams), its data record follows (%d queued)", lost, net.n[1]);
    deliver(&c, &net, &run);
    ok(!c.failed && !c.done && c.last == SEC_I_CONTINUE_NEEDED,
       "early data: the client's handshake goes on past the data record (%#lx)", c.last);
    side_step(&c, &net, NULL, 0);   /* the client's timer */
    deliver(&sv, &net, &run);
    deliver(&c, &net, &run);
    ok(c.done, "early data: the client completes with the Finished sent again");
    ok(send_text(&sv, &net, "after") && net_recv(&net, 1, &d)
       && decrypt_datagram(&c, NULL, d.data, d.len, &plain) == SEC_E_OK && plain == 5 && !memcmp(d.data, "after", 5),
       "early data: the next record reads (%lu bytes)", plain);
    sides_free(&c, &sv);
}

/* SCH_CREDENTIALS (no protocol bits) serves DTLS when the context asks. */
static void test_sch_credentials(void)
{
    static struct net net;
    struct side c = { 0 }, sv = { 0 };
    struct run run = { 0 };
    SecPkgContext_ConnectionInfo info;

    memset(&net, 0, sizeof(net));
    net.mtu = 1096;
    if (!sides_acquire(&c, &sv, TRUE, 0, 0))
    {
        ok(0, "SCH_CREDENTIALS: credentials");
        return;
    }
    ok(handshake(&c, &sv, &net, &run), "SCH_CREDENTIALS: DTLS handshake with the default protocols");
    memset(&info, 0, sizeof(info));
    if (c.done)
        QueryContextAttributesA(&c.ctx, SECPKG_ATTR_CONNECTION_INFO, &info);
    ok(info.dwProtocol == SP_PROT_DTLS1_2_CLIENT, "SCH_CREDENTIALS: DTLS 1.2 negotiated (%#lx)", info.dwProtocol);
    sides_free(&c, &sv);
}

/* By hand: dtls_inproc.exe VERSION(10|12) MTU SEED LOSS_PCT runs one case. */
int main(int argc, char **argv)
{
    static const USHORT mtus[] = { 256, 300, 512, 0, 1400 };
    char product[64];
    unsigned int i;

    ok(secur32_is_ours(product, sizeof(product)), "testing secur32-gnutls, not Wine's secur32");
    if (!(server_cert = load_pfx("server-rsa")))
        return bail_out("cannot import tests/certs/server-rsa.pfx (run make-certs.sh)");
    if (argc == 5)
    {
        BOOL v12 = atoi(argv[1]) == 12;
        loss_pct = atoi(argv[4]);
        run_case(v12 ? "DTLS1.2" : "DTLS1.0", v12 ? SP_PROT_DTLS1_2_CLIENT : SP_PROT_DTLS1_0_CLIENT,
                 v12 ? SP_PROT_DTLS1_2_SERVER : SP_PROT_DTLS1_0_SERVER, (USHORT)atoi(argv[2]), TRUE, atoi(argv[3]));
        return tap_done();
    }
    for (i = 0; i < ARRAY_SIZE(mtus); i++)
    {
        run_case("DTLS1.2", SP_PROT_DTLS1_2_CLIENT, SP_PROT_DTLS1_2_SERVER, mtus[i], i % 2 == 0, 1000 + i);
        run_case("DTLS1.0", SP_PROT_DTLS1_0_CLIENT, SP_PROT_DTLS1_0_SERVER, mtus[i], i % 2 == 1, 2000 + i);
    }
    test_resumption("DTLS1.2", SP_PROT_DTLS1_2_CLIENT, SP_PROT_DTLS1_2_SERVER, 3000);
    test_resumption("DTLS1.0", SP_PROT_DTLS1_0_CLIENT, SP_PROT_DTLS1_0_SERVER, 4000);
    /* garbage datagrams on the wire during the handshake and after */
    garbage_pct = 30;
    run_case("DTLS1.2 with garbage", SP_PROT_DTLS1_2_CLIENT, SP_PROT_DTLS1_2_SERVER, 512, TRUE, 5000);
    run_case("DTLS1.0 with garbage", SP_PROT_DTLS1_0_CLIENT, SP_PROT_DTLS1_0_SERVER, 0, FALSE, 6000);
    garbage_pct = 0;
    ok(renegotiates > 0, "lost final flights were sent again through SEC_I_RENEGOTIATE (%d times)", renegotiates);
    test_set_mtu();
    test_concurrent_retransmit();
    test_early_data();
    test_sch_credentials();
    test_misuse();
    CertFreeCertificateContext(server_cert);
    return tap_done();
}
