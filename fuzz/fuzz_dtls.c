/*
 * libFuzzer target: DTLS datagrams into the Unix half (unix_dtls.c).
 *
 * Input: byte 0 picks the version (bit 0: DTLS 1.0), the side that
 * receives (bit 1: client) and the mode (bits 2-3); the rest is a list of
 * datagrams, each a length byte and that many bytes:
 *   0  the datagrams go to DECRYPT of an established session;
 *   1  the peer encrypts each datagram's bytes as a record, byte 1 of the
 *      input flips a bit of it, then DECRYPT;
 *   2  the datagrams go to a fresh server's HANDSHAKE (the cookie check);
 *   3  the datagrams go to HANDSHAKE of a side in the middle of a handshake
 *      (after the cookie exchange), with calls without input between them.
 */
#include "../tests/unix_harness.h"

#define FAILED_STATUS(st) (((st) & 0x80000000u) != 0)

static struct ux_cert server_cert;
static uint64_t client_cred[2], server_cred;   /* client: [0] DTLS 1.2, [1] DTLS 1.0 */
static uint64_t conns[2][2];   /* [version][0 client, 1 server] */
static int usable[2];

static uint64_t dtls_session(uint64_t cred)
{
    struct schan_session_create_params p = { .cred = cred, .flags = SCHAN_SESSION_DATAGRAM, .mtu = 512 };

    if (ux_call(SCHAN_CALL_SESSION_CREATE, &p) || p.status)
        return 0;
    return p.session;
}

/* One HANDSHAKE call and the rest of its flight, datagrams appended to out
 * each behind a 2-byte length. */
static uint32_t flight(uint64_t session, const uint8_t *in, size_t len, struct ux_buf *out)
{
    struct ux_buf one = { 0 };
    struct schan_handshake_params p;
    int guard = 0;

    do
    {
        one.len = 0;
        p = ux_step(session, in, len, &one);
        if (one.len)
        {
            uint8_t hdr[2] = { (uint8_t)(one.len >> 8), (uint8_t)one.len };
            if (one.len > 512)
                abort();   /* above the MTU */
            ux_append(out, hdr, 2);
            ux_append(out, one.data, one.len);
        }
        in = NULL;
        len = 0;
    } while (p.status == SCHAN_SEC_I_MESSAGE_FRAGMENT && ++guard < 64);
    ux_buf_free(&one);
    return p.status;
}

/* Delivers every datagram of `wire` to `to`; returns its last status. */
static uint32_t deliver(uint64_t to, struct ux_buf *wire, struct ux_buf *reply)
{
    uint32_t status = SCHAN_SEC_I_CONTINUE_NEEDED;
    size_t pos = 0;

    while (pos + 2 <= wire->len)
    {
        size_t n = (size_t)wire->data[pos] << 8 | wire->data[pos + 1];
        status = flight(to, wire->data + pos + 2, n, reply);
        pos += 2 + n;
    }
    wire->len = 0;
    return status;
}

/* Client and server up to `stop_after` rounds (0: to the end). */
static int connect_dtls(uint64_t *c, uint64_t *s, int version, int stop_after, struct ux_buf *c_in, struct ux_buf *s_in)
{
    uint32_t cs, ss = SCHAN_SEC_I_CONTINUE_NEEDED;

    if (!(*c = dtls_session(client_cred[version])) || !(*s = dtls_session(server_cred)))
        return 0;
    cs = flight(*c, NULL, 0, s_in);
    for (int round = 1; round < 40 && (cs != SCHAN_SEC_E_OK || ss != SCHAN_SEC_E_OK); round++)
    {
        if (stop_after && round > stop_after)
            return 1;
        if (s_in->len)
            ss = deliver(*s, s_in, c_in);
        if (c_in->len)
            cs = deliver(*c, c_in, s_in);
        if (FAILED_STATUS(cs) || FAILED_STATUS(ss))
            return 0;
    }
    return cs == SCHAN_SEC_E_OK && ss == SCHAN_SEC_E_OK;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    ux_make_cert(&server_cert, 0, "fuzz.example");
    client_cred[0] = ux_cred(0, SCHAN_PROT_DTLS1_2, NULL);
    client_cred[1] = ux_cred(0, SCHAN_PROT_DTLS1_0, NULL);
    server_cred = ux_cred(1, SCHAN_PROT_DTLS1_0 | SCHAN_PROT_DTLS1_2, &server_cert);
    return client_cred[0] && client_cred[1] && server_cred ? 0 : 1;
}

static void established(int version)
{
    struct ux_buf a = { 0 }, b = { 0 };

    if (usable[version])
        return;
    ux_free_session(conns[version][0]);
    ux_free_session(conns[version][1]);
    if (!connect_dtls(&conns[version][0], &conns[version][1], version, 0, &a, &b))
        abort();
    ux_buf_free(&a);
    ux_buf_free(&b);
    usable[version] = 1;
}

/* The input's datagrams (length byte + bytes) as `flight` writes them. */
static void split(const uint8_t *data, size_t size, struct ux_buf *out)
{
    size_t pos = 0;

    while (pos < size)
    {
        size_t n = data[pos++];
        uint8_t hdr[2];

        if (n > size - pos)
            n = size - pos;
        hdr[0] = 0;
        hdr[1] = (uint8_t)n;
        ux_append(out, hdr, 2);
        ux_append(out, data + pos, n);
        pos += n;
    }
}

static void to_records(uint64_t from, struct ux_buf *wire, uint8_t flip)
{
    static uint8_t record[1024];
    struct ux_buf out = { 0 };
    size_t pos = 0;

    while (pos + 2 <= wire->len)
    {
        size_t n = (size_t)wire->data[pos] << 8 | wire->data[pos + 1];
        size_t len = n ? ux_encrypt(from, wire->data + pos + 2, n, record) : 0;
        uint8_t hdr[2] = { (uint8_t)(len >> 8), (uint8_t)len };

        if (len && flip)
            record[flip % len] ^= (uint8_t)(1u << (flip & 7));
        ux_append(&out, hdr, 2);
        ux_append(&out, record, len);
        pos += 2 + n;
    }
    ux_buf_free(wire);
    *wire = out;
}

static uint32_t decrypt_each(uint64_t to, struct ux_buf *wire)
{
    uint32_t status = SCHAN_SEC_E_OK;
    size_t pos = 0;

    while (pos + 2 <= wire->len)
    {
        size_t n = (size_t)wire->data[pos] << 8 | wire->data[pos + 1];
        uint8_t *exact = malloc(n ? n : 1);   /* exact size: ASan sees over-reads */

        memcpy(exact, wire->data + pos + 2, n);
        status = ux_decrypt_all(to, exact, n);
        free(exact);
        pos += 2 + n;
    }
    return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ux_buf wire = { 0 }, a = { 0 }, b = { 0 };
    int version, side, mode;
    uint64_t c = 0, s = 0;
    uint32_t status;

    if (size < 2)
        return 0;
    version = data[0] & 1;
    side = (data[0] >> 1) & 1;
    mode = (data[0] >> 2) & 3;
    split(data + 2, size - 2, &wire);
    switch (mode)
    {
    case 0:
    case 1:
        established(version);
        if (mode == 1)
            to_records(conns[version][side ? 1 : 0], &wire, data[1]);
        status = decrypt_each(conns[version][side ? 0 : 1], &wire);
        if (status != SCHAN_SEC_E_OK && status != SCHAN_SEC_E_DECRYPT_FAILURE && status != SCHAN_SEC_E_OUT_OF_SEQUENCE)
            usable[version] = 0;
        if (mode == 1)
            usable[version] = 0;   /* sequence numbers were used up */
        break;
    case 2:
        if ((s = dtls_session(server_cred)))
            deliver(s, &wire, &a);
        break;
    default:
        /* stop after the cookie exchange (round 1), or later (byte 1) */
        if (connect_dtls(&c, &s, version, 1 + data[1] % 3, &a, &b))
        {
            deliver(side ? c : s, &wire, &a);
            flight(side ? c : s, NULL, 0, &a);   /* a retransmission request */
        }
        break;
    }
    ux_free_session(c);
    ux_free_session(s);
    ux_buf_free(&wire);
    ux_buf_free(&a);
    ux_buf_free(&b);
    return 0;
}
