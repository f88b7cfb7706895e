/*
 * Native tests of the Unix half's DTLS sessions (unix_dtls.c), driven only
 * through __wine_unix_call_funcs: the cookie exchange, one datagram per
 * HANDSHAKE call with SEC_I_MESSAGE_FRAGMENT, retransmission on a call
 * without input, records per datagram with replay detection, the MTU,
 * SRTP, and the transport checks.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "unix_harness.h"
#include "tap.h"

#define MAX_DGRAM 4096
#define MAX_QUEUE 64

/* A self-signed P-256 certificate and the credentials are the native
 * harness's (tests/unix_harness.h); sessions here carry an MTU and SRTP. */
static struct ux_cert cert;

static uint64_t make_cred(int server, uint32_t protocols)
{
    return ux_cred(server, protocols, server ? &cert : NULL);
}

static uint32_t make_session(uint64_t cred, uint32_t flags, uint32_t mtu, const uint16_t *srtp, uint32_t n,
                             uint64_t *session)
{
    struct schan_session_create_params p = { .cred = cred, .flags = flags, .mtu = mtu,
                                             .srtp_profiles = U64(srtp), .srtp_profile_count = n };

    *session = 0;
    if (ux_call(SCHAN_CALL_SESSION_CREATE, &p))
        return SCHAN_SEC_E_INTERNAL_ERROR;
    *session = p.session;
    return p.status;
}

/* ---- datagram queues ---- */

struct queue {
    uint8_t data[MAX_QUEUE][MAX_DGRAM];
    size_t len[MAX_QUEUE];
    int n;
};

static void push(struct queue *q, const uint8_t *data, size_t len)
{
    if (q->n >= MAX_QUEUE || len > MAX_DGRAM)
    {
        /* Never a silent loss: tests that lose datagrams do so on purpose. */
        fprintf(stderr, "a %zu-byte datagram with %d queued does not fit the queue\n", len, q->n);
        abort();
    }
    memcpy(q->data[q->n], data, len);
    q->len[q->n++] = len;
}

static int pop(struct queue *q, uint8_t *out, size_t *len)
{
    if (!q->n)
        return 0;
    *len = q->len[0];
    memcpy(out, q->data[0], *len);
    memmove(q->data[0], q->data[1], (size_t)(q->n - 1) * MAX_DGRAM);
    memmove(&q->len[0], &q->len[1], (size_t)(q->n - 1) * sizeof(q->len[0]));
    q->n--;
    return 1;
}

struct side {
    uint64_t session;
    uint32_t status;
    uint32_t state;             /* enum schan_state after the last call */
    int fragments, calls;
    int done_mid_flight;        /* calls that said DONE before the flight's last datagram */
    size_t largest;
};

/* One HANDSHAKE call (input: one datagram or none) and the rest of the
 * flight; every output datagram goes to `out`. */
static uint32_t hs_step(struct side *s, const uint8_t *in, size_t in_len, struct queue *out)
{
    static uint8_t buf[MAX_DGRAM];
    struct schan_handshake_params p = { .session = s->session, .input = U64(in), .input_size = (uint32_t)in_len,
                                        .output = U64(buf), .output_size = sizeof(buf) };

    for (;;)
    {
        s->calls++;
        ux_call(SCHAN_CALL_HANDSHAKE, &p);
        if (p.output_len && p.output_copied)
        {
            push(out, buf, p.output_len);
            if (p.output_len > s->largest)
                s->largest = p.output_len;
        }
        s->state = p.state;
        if (p.status != SCHAN_SEC_I_MESSAGE_FRAGMENT)
            break;
        s->done_mid_flight += p.state == SCHAN_STATE_DONE;
        s->fragments++;
        p.input = 0;
        p.input_size = 0;
    }
    return s->status = p.status;
}

/* Runs the handshake without loss; returns 1 when both sides are done. */
static int run(struct side *c, struct side *sv, struct queue *to_s, struct queue *to_c)
{
    static uint8_t d[MAX_DGRAM];
    size_t len;
    int rounds = 0;

    hs_step(c, NULL, 0, to_s);
    while ((to_s->n || to_c->n) && rounds++ < 100)
    {
        while (pop(to_s, d, &len))
            hs_step(sv, d, len, to_c);
        while (pop(to_c, d, &len))
            hs_step(c, d, len, to_s);
    }
    return c->status == SCHAN_SEC_E_OK && sv->status == SCHAN_SEC_E_OK;
}

static size_t encrypt_record(uint64_t session, const char *text, uint8_t *out)
{
    struct schan_connection_info info;
    struct schan_get_connection_info_params ip = { .session = session, .info = U64(&info) };
    size_t len = strlen(text);
    struct schan_encrypt_params p = { .session = session };

    ux_call(SCHAN_CALL_GET_CONNECTION_INFO, &ip);
    memcpy(out + info.header_size, text, len);
    p.header = U64(out);
    p.header_size = info.header_size;
    p.data = U64(out + info.header_size);
    p.data_size = (uint32_t)len;
    p.trailer = U64(out + info.header_size + len);
    p.trailer_size = info.trailer_size;
    ux_call(SCHAN_CALL_ENCRYPT, &p);
    return p.status ? 0 : info.header_size + len + p.trailer_used;
}

static struct schan_decrypt_params decrypt(uint64_t session, uint8_t *data, size_t len)
{
    struct schan_decrypt_params p = { .session = session, .buffer = U64(data), .size = (uint32_t)len };
    ux_call(SCHAN_CALL_DECRYPT, &p);
    return p;
}

/* ---- tests ---- */

static void test_version(uint32_t cprot, uint32_t sprot, const char *name, uint32_t mtu)
{
    static const uint16_t srtp[] = { 0x0007, 0x0001 };
    static struct queue to_s, to_c;
    struct side c = { 0 }, sv = { 0 };
    uint64_t ccred = make_cred(0, cprot), scred = make_cred(1, sprot);
    static uint8_t rec[2 * MAX_DGRAM], copy[MAX_DGRAM];
    struct schan_decrypt_params d;
    struct schan_connection_info info;
    struct schan_get_connection_info_params ip = { .info = U64(&info) };
    struct schan_get_srtp_params sp = { 0 };
    struct schan_dtls_mtu_params mp = { 0 };
    size_t len, len2;

    memset(&to_s, 0, sizeof(to_s));
    memset(&to_c, 0, sizeof(to_c));
    ok(ccred && scred, "%s: credentials", name);
    ok_hex(make_session(ccred, SCHAN_SESSION_DATAGRAM, mtu, srtp, 2, &c.session), SCHAN_SEC_E_OK, "%s: client session", name);
    ok_hex(make_session(scred, SCHAN_SESSION_DATAGRAM, mtu, srtp + 1, 1, &sv.session), SCHAN_SEC_E_OK,
           "%s: server session", name);
    hs_step(&c, NULL, 0, &to_s);
    ok(c.status == SCHAN_SEC_I_CONTINUE_NEEDED && to_s.n == 1, "%s: ClientHello in one datagram", name);
    /* a retransmission request repeats it (a fresh record number) */
    hs_step(&c, NULL, 0, &to_s);
    ok(to_s.n == 2 && to_s.len[0] == to_s.len[1] && to_s.data[1][0] == 22
       && memcmp(to_s.data[0] + 5, to_s.data[1] + 5, 6), "%s: a call without input retransmits the ClientHello", name);
    pop(&to_s, copy, &len);
    hs_step(&sv, copy, len, &to_c);
    ok(sv.status == SCHAN_SEC_I_CONTINUE_NEEDED && to_c.n == 1 && to_c.data[0][13] == 3,
       "%s: the server answers with a HelloVerifyRequest", name);
    ok(run(&c, &sv, &to_s, &to_c), "%s: handshake completes (%d+%d calls)", name, c.calls, sv.calls);
    ok(!mtu || (c.largest <= mtu && sv.largest <= mtu && sv.fragments > 0),
       "%s: datagrams within MTU %u (largest %zu/%zu, %d server fragments)", name, mtu, c.largest, sv.largest,
       sv.fragments);
    ok(c.state == SCHAN_STATE_DONE && sv.state == SCHAN_STATE_DONE && !c.done_mid_flight && !sv.done_mid_flight,
       "%s: state DONE with each side's last datagram, not before (%u/%u, %d/%d early)", name, c.state, sv.state,
       c.done_mid_flight, sv.done_mid_flight);
    ip.session = c.session;
    ux_call(SCHAN_CALL_GET_CONNECTION_INFO, &ip);
    ok(info.protocol == cprot && info.header_size >= 13, "%s: protocol %#x, header %u", name, info.protocol,
       info.header_size);
    sp.session = sv.session;
    ux_call(SCHAN_CALL_GET_SRTP, &sp);
    ok(!sp.status && sp.profile == 0x0001 && !sp.mki_size, "%s: SRTP profile 0x0001 (%#x)", name, sp.profile);
    mp.session = c.session;
    ux_call(SCHAN_CALL_DTLS_MTU, &mp);
    ok(!mp.status && mp.mtu == (mtu ? mtu : 1096), "%s: MTU reads %u", name, mp.mtu);

    len = encrypt_record(c.session, "first", rec);
    memcpy(copy, rec, len);
    d = decrypt(sv.session, rec, len);
    ok(!d.status && d.data_len == 5 && !memcmp(rec + d.data_offset, "first", 5) && d.consumed == len,
       "%s: a record decrypts in place", name);
    d = decrypt(sv.session, copy, len);
    ok_hex(d.status, SCHAN_SEC_E_OUT_OF_SEQUENCE, "%s: its replay is refused", name);
    /* two records in one datagram: the first, then the second as EXTRA */
    len = encrypt_record(c.session, "one", rec);
    len2 = encrypt_record(c.session, "two", rec + len);
    d = decrypt(sv.session, rec, len + len2);
    ok(!d.status && d.consumed == len && d.data_len == 3, "%s: first of two records, the rest is EXTRA", name);
    d = decrypt(sv.session, rec + len, len2);
    ok(!d.status && d.data_len == 3 && !memcmp(rec + len + d.data_offset, "two", 3), "%s: then the second", name);
    len = encrypt_record(c.session, "forged", rec);
    rec[len - 1] ^= 0x80;
    ok_hex(decrypt(sv.session, rec, len).status, SCHAN_SEC_E_DECRYPT_FAILURE, "%s: a forged record is dropped", name);
    memset(rec, 0xee, 40);
    ok_hex(decrypt(sv.session, rec, 40).status, SCHAN_SEC_E_DECRYPT_FAILURE, "%s: garbage is dropped", name);
    len = encrypt_record(c.session, "still", rec);
    d = decrypt(sv.session, rec, len);
    ok(!d.status && d.data_len == 5, "%s: the session goes on", name);

    ux_free_session(c.session);
    ux_free_session(sv.session);
    ux_free_cred(ccred);
    ux_free_cred(scred);
}

static void test_transport_checks(void)
{
    uint64_t tls = make_cred(0, SCHAN_PROT_TLS1_2), dtls = make_cred(0, SCHAN_PROT_DTLS1_2);
    uint64_t both = make_cred(0, SCHAN_PROT_TLS1_2 | SCHAN_PROT_DTLS1_2), s1;
    uint64_t server = make_cred(1, SCHAN_PROT_DTLS1_2);
    struct schan_dtls_mtu_params mp = { 0 };
    struct schan_handshake_params hp = { 0 };
    uint8_t garbage[64], out[256];

    ok_hex(make_session(tls, SCHAN_SESSION_DATAGRAM, 0, NULL, 0, &s1), SCHAN_SEC_E_ALGORITHM_MISMATCH,
           "a datagram session on a TLS-only credential");
    ux_free_session(s1);
    ok_hex(make_session(dtls, 0, 0, NULL, 0, &s1), SCHAN_SEC_E_ALGORITHM_MISMATCH,
           "a stream session on a DTLS-only credential");
    ux_free_session(s1);
    ok_hex(make_session(both, 0, 0, NULL, 0, &s1), SCHAN_SEC_E_OK, "a stream session on a TLS+DTLS credential");
    mp.session = s1;
    ux_call(SCHAN_CALL_DTLS_MTU, &mp);
    ok_hex(mp.status, SCHAN_SEC_E_UNSUPPORTED_FUNCTION, "DTLS_MTU on a stream session");
    ux_free_session(s1);
    ok_hex(make_session(both, SCHAN_SESSION_DATAGRAM, 0, NULL, 0, &s1), SCHAN_SEC_E_OK,
           "a datagram session on a TLS+DTLS credential");
    mp.session = s1;
    mp.set = 1;
    mp.mtu = 100;
    ux_call(SCHAN_CALL_DTLS_MTU, &mp);
    ok_hex(mp.status, SCHAN_SEC_E_INVALID_PARAMETER, "an MTU of 100 bytes is refused");
    mp.mtu = 400;
    ux_call(SCHAN_CALL_DTLS_MTU, &mp);
    mp.set = 0;
    ux_call(SCHAN_CALL_DTLS_MTU, &mp);
    ok(!mp.status && mp.mtu == 400, "the MTU is set to 400");
    ux_free_session(s1);
    ok_hex(make_session(server, SCHAN_SESSION_DATAGRAM, 0, NULL, 0, &s1), SCHAN_SEC_E_OK, "a server session");
    memset(garbage, 0x16, sizeof(garbage));
    hp.session = s1;
    hp.input = U64(garbage);
    hp.input_size = sizeof(garbage);
    hp.output = U64(out);
    hp.output_size = sizeof(out);
    ux_call(SCHAN_CALL_HANDSHAKE, &hp);
    ok(hp.status == SCHAN_SEC_E_INVALID_TOKEN && !hp.output_len, "a server's first datagram that is no ClientHello");
    ux_free_session(s1);
    ux_free_cred(tls);
    ux_free_cred(dtls);
    ux_free_cred(both);
    ux_free_cred(server);
}

int main(void)
{
    gnutls_global_init();
    ux_make_cert(&cert, 0, "dtls.test");
    test_version(SCHAN_PROT_DTLS1_2, SCHAN_PROT_DTLS1_2, "DTLS1.2", 0);
    test_version(SCHAN_PROT_DTLS1_0, SCHAN_PROT_DTLS1_0, "DTLS1.0", 0);
    test_version(SCHAN_PROT_DTLS1_2, SCHAN_PROT_DTLS1_2, "DTLS1.2 MTU 256", 256);
    test_version(SCHAN_PROT_DTLS1_0, SCHAN_PROT_DTLS1_0 | SCHAN_PROT_DTLS1_2, "DTLS1.0 MTU 300", 300);
    test_transport_checks();
    ux_free_cert(&cert);
    gnutls_global_deinit();
    return tap_done();
}
