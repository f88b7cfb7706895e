/* TLS through SSPI with client and server in one process: every protocol
 * version, byte-by-byte delivery, data both ways, tickets through
 * SEC_I_RENEGOTIATE, resumption, ALPN, close_notify, protocol limits, and
 * validation of an untrusted server by default. */
#include <string.h>
#include "tlsutil.h"

static PCCERT_CONTEXT server_cert;

#define CLIENT_RET (ISC_RET_REPLAY_DETECT | ISC_RET_SEQUENCE_DETECT | ISC_RET_CONFIDENTIALITY | \
                    ISC_RET_ALLOCATED_MEMORY | ISC_RET_STREAM | ISC_RET_USED_SUPPLIED_CREDS)
#define SERVER_RET (ASC_RET_REPLAY_DETECT | ASC_RET_SEQUENCE_DETECT | ASC_RET_CONFIDENTIALITY | \
                    ASC_RET_ALLOCATED_MEMORY | ASC_RET_STREAM)

static void check_data_both_ways(struct tls_pair *p, const char *what)
{
    static BYTE big[16384], out[16384];
    const char *hello = "hello from the client", *reply = "hello from the server";
    ULONG out_len, i;

    ok_hex(send_record(&p->cctx, &p->sctx, (const BYTE *)hello, (ULONG)strlen(hello), out, &out_len), SEC_E_OK,
           "%s: client -> server record", what);
    ok(out_len == strlen(hello) && !memcmp(out, hello, out_len), "%s: server reads what the client wrote", what);
    ok_hex(send_record(&p->sctx, &p->cctx, (const BYTE *)reply, (ULONG)strlen(reply), out, &out_len), SEC_E_OK,
           "%s: server -> client record", what);
    ok(out_len == strlen(reply) && !memcmp(out, reply, out_len), "%s: client reads what the server wrote", what);
    for (i = 0; i < sizeof(big); i++)
        big[i] = (BYTE)(i * 7);
    ok_hex(send_record(&p->cctx, &p->sctx, big, sizeof(big), out, &out_len), SEC_E_OK, "%s: 16384-byte record",
           what);
    ok(out_len == sizeof(big) && !memcmp(out, big, sizeof(big)), "%s: 16384 bytes arrive intact", what);
}

static void test_version(const char *name, BOOL v5, DWORD cproto, DWORD sproto, DWORD want_bit)
{
    SecPkgContext_ConnectionInfo info;
    SecPkgContext_StreamSizes sizes;
    struct tls_pair p;
    int renegs = 0;
    BOOL done;

    if (!pair_setup(&p, server_cert, v5, cproto, sproto, SCH_CRED_MANUAL_CRED_VALIDATION))
    {
        ok(0, "%s: credentials", name);
        return;
    }
    done = run_handshake(&p);
    ok(done, "%s: handshake completes (client %#lx, server %#lx)", name, p.cstatus, p.sstatus);
    ok(p.cattrs == CLIENT_RET, "%s: client flags %#lx (want %#x)", name, p.cattrs, CLIENT_RET);
    ok(p.sattrs == SERVER_RET, "%s: server flags %#lx (want %#x)", name, p.sattrs, SERVER_RET);
    ok(!pair_drain_tickets(&p, &renegs), "%s: post-handshake records handled", name);
    if (want_bit == SP_PROT_TLS1_3_CLIENT)
        ok(renegs == 1, "%s: one ticket, arriving as SEC_I_RENEGOTIATE (%d)", name, renegs);
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_CONNECTION_INFO, &info), SEC_E_OK, "%s: connection info", name);
    ok(info.dwProtocol == want_bit, "%s: client protocol %#lx", name, info.dwProtocol);
    ok_hex(QueryContextAttributesW(&p.sctx, SECPKG_ATTR_CONNECTION_INFO, &info), SEC_E_OK, "%s: server info", name);
    ok(info.dwProtocol == want_bit >> 1, "%s: server protocol %#lx", name, info.dwProtocol);
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_STREAM_SIZES, &sizes), SEC_E_OK, "%s: stream sizes", name);
    ok(sizes.cbMaximumMessage == 16384 && sizes.cBuffers == 4 && sizes.cbHeader >= 5 && sizes.cbTrailer >= 16,
       "%s: sizes %lu/%lu/%lu", name, sizes.cbHeader, sizes.cbTrailer, sizes.cbMaximumMessage);
    check_data_both_ways(&p, name);
    pair_teardown(&p);
}

static void test_split(ULONG split, BOOL v5)
{
    struct tls_pair p;
    int renegs;
    char what[64];

    snprintf(what, sizeof(what), "%s split %lu", v5 ? "TLS1.3" : "TLS1.2", split);
    if (!pair_setup(&p, server_cert, v5, v5 ? 0 : SP_PROT_TLS1_2_CLIENT, v5 ? 0 : SP_PROT_TLS1_2_SERVER,
                    SCH_CRED_MANUAL_CRED_VALIDATION))
        return;
    p.split = split;
    ok(run_handshake(&p), "%s: handshake completes", what);
    ok(p.incomplete > 0, "%s: partial input gave SEC_E_INCOMPLETE_MESSAGE (%d times)", what, p.incomplete);
    ok(!pair_drain_tickets(&p, &renegs), "%s: tickets", what);
    check_data_both_ways(&p, what);
    pair_teardown(&p);
}

static void test_default_validation(void)
{
    struct tls_pair p;

    if (!pair_setup(&p, server_cert, TRUE, 0, 0, 0))
        return;
    ok(!run_handshake(&p), "default validation: a server from an untrusted CA is refused");
    ok_hex(p.cstatus, SEC_E_UNTRUSTED_ROOT, "default validation: SEC_E_UNTRUSTED_ROOT");
    pair_teardown(&p);
}

static void test_alpn(void)
{
    /* SEC_APPLICATION_PROTOCOLS: total size, one ALPN list of "h2", "http/1.1" */
    static const BYTE alpn[] = {
        18, 0, 0, 0,                /* ProtocolListsSize */
        2, 0, 0, 0,                 /* SecApplicationProtocolNegotiationExt_ALPN */
        12, 0,                      /* ProtocolListSize */
        2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'
    };
    SecPkgContext_ApplicationProtocol proto;
    struct tls_pair p;
    int renegs;

    if (!pair_setup(&p, server_cert, TRUE, 0, 0, SCH_CRED_MANUAL_CRED_VALIDATION))
        return;
    p.alpn = alpn;
    p.alpn_size = sizeof(alpn);
    ok(run_handshake(&p), "ALPN: handshake completes");
    pair_drain_tickets(&p, &renegs);
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_APPLICATION_PROTOCOL, &proto), SEC_E_OK, "ALPN: client query");
    ok(proto.ProtoNegoStatus == SecApplicationProtocolNegotiationStatus_Success && proto.ProtocolIdSize == 2
       && !memcmp(proto.ProtocolId, "h2", 2), "ALPN: client got h2");
    ok_hex(QueryContextAttributesW(&p.sctx, SECPKG_ATTR_APPLICATION_PROTOCOL, &proto), SEC_E_OK, "ALPN: server query");
    ok(proto.ProtoNegoStatus == SecApplicationProtocolNegotiationStatus_Success && proto.ProtocolIdSize == 2
       && !memcmp(proto.ProtocolId, "h2", 2), "ALPN: server chose h2");
    pair_teardown(&p);
}

static void test_resumption(BOOL v5)
{
    SecPkgContext_SessionInfo info;
    struct tls_pair p;
    int renegs, i;
    const char *name = v5 ? "TLS1.3" : "TLS1.2";

    if (!pair_setup(&p, server_cert, v5, v5 ? 0 : SP_PROT_TLS1_2_CLIENT, v5 ? 0 : SP_PROT_TLS1_2_SERVER,
                    SCH_CRED_MANUAL_CRED_VALIDATION))
        return;
    for (i = 0; i < 2; i++)
    {
        ok(run_handshake(&p), "%s resumption: handshake %d", name, i + 1);
        pair_drain_tickets(&p, &renegs);
        ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_SESSION_INFO, &info), SEC_E_OK, "%s: session info", name);
        ok((info.dwFlags & SSL_SESSION_RECONNECT) == (i ? SSL_SESSION_RECONNECT : 0),
           "%s: connection %d %s", name, i + 1, i ? "resumed" : "full");
        free_pair(&p);
    }
    pair_teardown(&p);
}

static void test_close_notify(void)
{
    DWORD shutdown = SCHANNEL_SHUTDOWN;
    SecBuffer tb = { sizeof(shutdown), SECBUFFER_TOKEN, &shutdown }, ob = { 0, SECBUFFER_TOKEN, NULL };
    SecBufferDesc tdesc = { SECBUFFER_VERSION, 1, &tb }, odesc = { SECBUFFER_VERSION, 1, &ob };
    SecBuffer db[4];
    SecBufferDesc ddesc = { SECBUFFER_VERSION, 4, db };
    struct tls_pair p;
    ULONG attrs;
    int renegs, i;

    if (!pair_setup(&p, server_cert, TRUE, 0, 0, SCH_CRED_MANUAL_CRED_VALIDATION))
        return;
    ok(run_handshake(&p), "close_notify: handshake");
    pair_drain_tickets(&p, &renegs);
    ok_hex(ApplyControlToken(&p.cctx, &tdesc), SEC_E_OK, "ApplyControlToken(SCHANNEL_SHUTDOWN)");
    ok_hex(InitializeSecurityContextW(&p.ccred, &p.cctx, (SEC_WCHAR *)p.target, p.creq, 0, 0, NULL, 0, NULL, &odesc,
                                      &attrs, NULL), SEC_E_OK, "ISC after shutdown returns SEC_E_OK");
    ok(ob.cbBuffer > 0 && ob.pvBuffer, "the close_notify record is in the token (%lu bytes)", ob.cbBuffer);
    db[0].BufferType = SECBUFFER_DATA; db[0].pvBuffer = ob.pvBuffer; db[0].cbBuffer = ob.cbBuffer;
    for (i = 1; i < 4; i++) { db[i].BufferType = SECBUFFER_EMPTY; db[i].pvBuffer = NULL; db[i].cbBuffer = 0; }
    ok_hex(DecryptMessage(&p.sctx, &ddesc, 0, NULL), SEC_I_CONTEXT_EXPIRED, "server sees close_notify as SEC_I_CONTEXT_EXPIRED");
    FreeContextBuffer(ob.pvBuffer);
    pair_teardown(&p);
}

static void test_protocol_limits(void)
{
    struct tls_pair p;

    /* A client capped at TLS 1.2 against a TLS 1.3-only server. */
    memset(&p, 0, sizeof(p));
    p.target = L"localhost";
    p.creq = CLIENT_REQ;
    p.sreq = SERVER_REQ;
    ok_hex(acquire_cred(&p.ccred, SECPKG_CRED_OUTBOUND, NULL, FALSE, SP_PROT_TLS1_2_CLIENT,
                        SCH_CRED_MANUAL_CRED_VALIDATION), SEC_E_OK, "limits: TLS 1.2-only client");
    ok_hex(acquire_cred(&p.scred, SECPKG_CRED_INBOUND, server_cert, TRUE,
                        SP_PROT_TLS1_0_SERVER | SP_PROT_TLS1_1_SERVER | SP_PROT_TLS1_2_SERVER, 0), SEC_E_OK,
           "limits: TLS 1.3-only server");
    ok(!run_handshake(&p), "limits: no common protocol, no connection");
    ok_hex(p.sstatus, SEC_E_ALGORITHM_MISMATCH, "limits: the server says SEC_E_ALGORITHM_MISMATCH");
    pair_teardown(&p);
}

/* Outputs into the caller's own buffers, without ISC/ASC_REQ_ALLOCATE_MEMORY. */
static void test_caller_buffers(void)
{
    BYTE small[16];
    SecBuffer ob = { sizeof(small), SECBUFFER_TOKEN, small };
    SecBufferDesc odesc = { SECBUFFER_VERSION, 1, &ob };
    struct tls_pair p;
    CtxtHandle ctx;
    ULONG attrs;
    int renegs;

    if (!pair_setup(&p, server_cert, TRUE, 0, 0, SCH_CRED_MANUAL_CRED_VALIDATION))
        return;
    p.creq = CLIENT_REQ & ~ISC_REQ_ALLOCATE_MEMORY;
    p.sreq = SERVER_REQ & ~ASC_REQ_ALLOCATE_MEMORY;
    p.caller_buffers = TRUE;
    ok(run_handshake(&p), "caller buffers: handshake completes (client %#lx, server %#lx)", p.cstatus, p.sstatus);
    ok(!(p.cattrs & ISC_RET_ALLOCATED_MEMORY) && (p.cattrs & ISC_RET_STREAM), "caller buffers: flags %#lx", p.cattrs);
    ok(!(p.sattrs & ASC_RET_ALLOCATED_MEMORY), "caller buffers: server flags %#lx", p.sattrs);
    ok(!pair_drain_tickets(&p, &renegs), "caller buffers: tickets");
    check_data_both_ways(&p, "caller buffers");
    free_pair(&p);
    ok_hex(InitializeSecurityContextW(&p.ccred, NULL, (SEC_WCHAR *)L"localhost", p.creq, 0, 0, NULL, 0, &ctx, &odesc,
                                      &attrs, NULL), SEC_E_INSUFFICIENT_MEMORY,
           "a 16-byte output buffer for a ClientHello: SEC_E_INSUFFICIENT_MEMORY");
    pair_teardown(&p);
}

int main(void)
{
    char product[64];

    ok(secur32_is_ours(product, sizeof(product)), "testing secur32-gnutls, not Wine's secur32");
    if (!(server_cert = load_pfx("server-rsa")))
        return bail_out("cannot import tests/certs/server-rsa.pfx (run make-certs.sh)");
    test_version("TLS1.0", FALSE, SP_PROT_TLS1_0_CLIENT, SP_PROT_TLS1_0_SERVER, SP_PROT_TLS1_0_CLIENT);
    test_version("TLS1.1", FALSE, SP_PROT_TLS1_1_CLIENT, SP_PROT_TLS1_1_SERVER, SP_PROT_TLS1_1_CLIENT);
    test_version("TLS1.2", FALSE, SP_PROT_TLS1_2_CLIENT, SP_PROT_TLS1_2_SERVER, SP_PROT_TLS1_2_CLIENT);
    test_version("TLS1.3", TRUE, 0, 0, SP_PROT_TLS1_3_CLIENT);
    test_split(1, TRUE);
    test_split(1, FALSE);
    test_split(37, TRUE);
    test_default_validation();
    test_alpn();
    test_resumption(FALSE);
    test_resumption(TRUE);
    test_close_notify();
    test_caller_buffers();
    test_protocol_limits();
    CertFreeCertificateContext(server_cert);
    return tap_done();
}
