/*
 * libFuzzer target: DECRYPT on an established session.  GnuTLS sessions
 * cannot be copied, so two connections (TLS 1.3 and TLS 1.2) are kept and
 * set up again whenever an input leaves one unusable.
 *
 * Input: byte 0 picks the connection (bit 0: TLS 1.2), the receiving side
 * (bit 1: server) and the mode (bits 2-3):
 *   0  the rest is raw bytes for DECRYPT;
 *   1  the rest is plaintext, sent by the peer in records of byte 1 + 1 bytes;
 *   2  as 1, then bytes 2-4 flip bits at an offset and byte 5 cuts the tail;
 *   3  the peer sends alert (byte 1 level, byte 2 description), then raw bytes.
 * Bit 4: on TLS 1.3 the peer first sends KeyUpdate(update_requested).
 * Bit 5: the peer first sends 150 + 25 * (byte 0 >> 6) empty records (the
 * limit is 200 in a row).
 * When DECRYPT fails, the receiver then shuts down (the alert it owes).
 */
#include "../tests/unix_harness.h"
#include "../tests/forge.h"

static struct ux_cert server_cert;
static uint64_t client_cred, server_cred[2];
static struct ux_pair conns[2];
static int usable[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    ux_make_cert(&server_cert, 0, "fuzz.example");
    client_cred = ux_cred(0, SCHAN_PROT_TLS_ALL, NULL);
    server_cred[0] = ux_cred(1, SCHAN_PROT_TLS1_3, &server_cert);
    server_cred[1] = ux_cred(1, SCHAN_PROT_TLS1_2, &server_cert);
    return client_cred && server_cred[0] && server_cred[1] ? 0 : 1;
}

static struct ux_pair *connection(int which)
{
    struct ux_pair *p = &conns[which];

    if (usable[which])
        return p;
    ux_pair_free(p);
    if (!ux_pair_connect(p, client_cred, server_cred[which], "fuzz.example", NULL, 0))
        abort();
    /* TLS 1.3 tickets wait for the client. */
    if (p->c_in.len && ux_decrypt_all(p->client, p->c_in.data, p->c_in.len) != SCHAN_SEC_E_OK)
        abort();
    p->c_in.len = 0;
    usable[which] = 1;
    return p;
}

/* The sender's plaintext in records of `chunk` bytes, appended to wire. */
static void send_chunks(uint64_t from, const uint8_t *data, size_t size, size_t chunk, struct ux_buf *wire)
{
    static uint8_t record[SCHAN_MAX_PLAINTEXT + 1024];

    for (size_t pos = 0; pos < size; pos += chunk)
    {
        size_t n = size - pos < chunk ? size - pos : chunk;
        size_t len = ux_encrypt(from, data + pos, n, record);

        if (!len)
            abort();
        ux_append(wire, record, len);
    }
}

static void send_alert(uint64_t from, uint8_t level, uint8_t description, struct ux_buf *wire)
{
    struct schan_control_params c = { .session = from, .kind = SCHAN_CONTROL_ALERT, .alert_level = level, .alert_description = description };

    if (ux_call(SCHAN_CALL_CONTROL, &c) == 0 && c.status == SCHAN_SEC_E_OK)
        ux_step(from, NULL, 0, wire);
}

static void send_key_update(uint64_t from, struct ux_buf *wire)
{
    struct schan_session *s = SCHAN_PTR(from);

    if (gnutls_protocol_get_version(s->s) != GNUTLS_TLS1_3)
        return;
    if (gnutls_session_key_update(s->s, GNUTLS_KU_PEER) == 0)
        ux_append(wire, s->send.out.data, s->send.out.len);
    schan_output_reset(&s->send.out);
}

static void send_empty_records(uint64_t from, int count, struct ux_buf *wire)
{
    struct schan_session *s = SCHAN_PTR(from);
    uint8_t type = gnutls_protocol_get_version(s->s) == GNUTLS_TLS1_3 ? 23 : 22;
    uint8_t record[64];
    size_t len;

    for (int i = 0; i < count && (len = forge_empty_record(s->s, type, record)); i++)
        ux_append(wire, record, len);
}

/* After a failed DECRYPT: SCHANNEL_SHUTDOWN and the token it makes. */
static void shut_down(uint64_t session)
{
    struct schan_control_params c = { .session = session, .kind = SCHAN_CONTROL_SHUTDOWN };
    struct ux_buf out = { 0 };

    if (ux_call(SCHAN_CALL_CONTROL, &c) == 0)
        ux_step(session, NULL, 0, &out);
    ux_buf_free(&out);
}

static void build_wire(uint64_t from, uint8_t mode, const uint8_t *data, size_t size, struct ux_buf *wire)
{
    size_t chunk = size ? data[0] + 1u : 1;

    switch (mode)
    {
    case 0:
        ux_append(wire, data, size);
        break;
    case 1:
        if (size > 1)
            send_chunks(from, data + 1, size - 1, chunk, wire);
        break;
    case 2:
        if (size > 5)
        {
            send_chunks(from, data + 5, size - 5, chunk, wire);
            if (wire->len)
            {
                wire->data[((size_t)data[1] << 8 | data[2]) % wire->len] ^= data[3] ? data[3] : 1;
                wire->len -= data[4] % (wire->len + 1) < 16 ? data[4] % (wire->len + 1) : 0;
            }
        }
        break;
    default:
        if (size >= 2)
        {
            send_alert(from, data[0], data[1], wire);
            ux_append(wire, data + 2, size - 2);
        }
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ux_buf wire = { 0 };
    struct ux_pair *p;
    uint64_t from, to;
    uint32_t status;
    int which;

    if (!size)
        return 0;
    which = data[0] & 1;
    p = connection(which);
    from = (data[0] & 2) ? p->client : p->server;
    to = (data[0] & 2) ? p->server : p->client;
    if (data[0] & 16)
        send_key_update(from, &wire);
    if (data[0] & 32)
        send_empty_records(from, 150 + 25 * (data[0] >> 6), &wire);
    build_wire(from, (data[0] >> 2) & 3, data + 1, size - 1, &wire);
    if (wire.len)
    {
        uint8_t *exact = malloc(wire.len);   /* exact size: ASan sees over-reads */

        memcpy(exact, wire.data, wire.len);
        status = ux_decrypt_all(to, exact, wire.len);
        free(exact);
        if (status != SCHAN_SEC_E_OK && status != SCHAN_SEC_E_INCOMPLETE_MESSAGE)
            shut_down(to);
        /* Anything but a clean OK may leave the pair out of step. */
        if (status != SCHAN_SEC_E_OK || (data[0] & 0x3c))
            usable[which] = 0;
    }
    ux_buf_free(&wire);
    return 0;
}
