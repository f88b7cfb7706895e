/*
 * Native tests of the Unix half: client and server in one process, talking
 * through memory, driven only through __wine_unix_call_funcs (except the
 * KeyUpdate test, which reaches into the server's GnuTLS session to make
 * the peer send one).
 */
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "unix_harness.h"
#include "tap.h"
#include "forge.h"
#include "sslv2_hello.h"

/* Certificates, credentials, sessions and the byte queue are the native
 * harness's (tests/unix_harness.h); this file adds a pair that counts
 * records per call, feeds bytes one at a time and notes alerts. */

static struct ux_cert rsa_cert, ecc_cert, client_cert;

/* ------------------------------------------------------------- sessions -- */

struct peer {
    uint64_t session;
    struct ux_buf inbox;         /* bytes from the other side */
    uint32_t status;
    uint32_t state;           /* enum schan_state after the last HANDSHAKE */
    uint32_t info_filled;     /* ... and whether it filled `info` */
    struct schan_connection_info info;
    int max_records_per_call;
    int alert_sent;
};

struct conn {
    struct peer client, server;
};

static void free_conn(struct conn *c)
{
    ux_free_session(c->client.session);
    ux_free_session(c->server.session);
    ux_buf_free(&c->client.inbox);
    ux_buf_free(&c->server.inbox);
}

static int count_records(const uint8_t *data, size_t len)
{
    int n = 0;

    for (size_t pos = 0; pos + 5 <= len; n++)
        pos += 5 + ((size_t)data[pos + 3] << 8 | data[pos + 4]);
    return n;
}

/* One HANDSHAKE call on `self` with the first `limit` inbox bytes; output
 * goes to `other` (ux_step's small output buffer exercises TAKE_OUTPUT). */
static struct schan_handshake_params step(struct peer *self, struct peer *other, size_t limit)
{
    size_t given = limit < self->inbox.len ? limit : self->inbox.len;
    struct schan_handshake_params p = ux_step_info(self->session, self->inbox.data, given, &other->inbox,
                                                   &self->info);

    if (count_records(self->inbox.data, p.consumed) > self->max_records_per_call)
        self->max_records_per_call = count_records(self->inbox.data, p.consumed);
    ux_consume(&self->inbox, p.consumed);
    if (p.output_is_alert)
        self->alert_sent = 1;
    self->status = p.status;
    self->state = p.state;
    self->info_filled = p.info_filled;
    return p;
}

static int byte_split_ok = 1;

/* Feeds the inbox one byte more each call while the record is incomplete,
 * checking `missing` and `consumed` on the way. */
static struct schan_handshake_params step_bytewise(struct peer *self, struct peer *other)
{
    struct schan_handshake_params p;
    size_t n = 0;

    for (;;)
    {
        const uint8_t *d = self->inbox.data;
        uint32_t want = n < 5 ? (uint32_t)(5 - n)
                              : (uint32_t)(5 + ((size_t)d[3] << 8 | d[4]) - n);

        p = step(self, other, n);
        if (p.status != SCHAN_SEC_E_INCOMPLETE_MESSAGE)
            return p;
        if (p.consumed != 0 || p.missing != want || p.output_len)
        {
            diag("byte %zu: consumed %u missing %u want %u", n, p.consumed, p.missing, want);
            byte_split_ok = 0;
        }
        if (n == self->inbox.len)
            return p;
        n++;
    }
}

/* Runs both sides until each says SEC_E_OK or one fails. */
static int drive_handshake(struct conn *c, int bytewise)
{
    int client_done = 0, server_done = 0;

    step(&c->client, &c->server, 0);
    for (int rounds = 0; rounds < 200; rounds++)
    {
        int progressed = 0;

        if (!server_done && c->server.inbox.len)
        {
            if (bytewise) step_bytewise(&c->server, &c->client);
            else step(&c->server, &c->client, SIZE_MAX);
            if (!ux_running(c->server.status) && c->server.status != SCHAN_SEC_E_OK)
                return 0;
            server_done = c->server.status == SCHAN_SEC_E_OK;
            progressed = 1;
        }
        if (!client_done && c->client.inbox.len)
        {
            if (bytewise) step_bytewise(&c->client, &c->server);
            else step(&c->client, &c->server, SIZE_MAX);
            if (!ux_running(c->client.status) && c->client.status != SCHAN_SEC_E_OK)
                return 0;
            client_done = c->client.status == SCHAN_SEC_E_OK;
            progressed = 1;
        }
        if (client_done && server_done)
            return 1;
        if (!progressed)
            return 0;
    }
    return 0;
}

static int connect_pair(struct conn *c, uint64_t ccred, uint64_t scred, const char *target, int bytewise)
{
    memset(c, 0, sizeof(*c));
    c->client.session = ux_session_flags(ccred, target, NULL, 0, 0);
    c->server.session = ux_session_flags(scred, NULL, NULL, 0, 0);
    return c->client.session && c->server.session && drive_handshake(c, bytewise);
}

/* A client and a server credential for `prot` (the server with rsa_cert). */
static void pair_creds(uint32_t prot, uint64_t *ccred, uint64_t *scred)
{
    struct ux_cred_opts co = { 0, prot, 0, 0, 0, NULL }, so = { 1, prot, 0, 0, 0, &rsa_cert };

    *ccred = ux_cred_create(&co, NULL);
    *scred = ux_cred_create(&so, NULL);
}

static struct conn established(uint32_t prot, uint64_t *ccred, uint64_t *scred)
{
    struct conn c;

    pair_creds(prot, ccred, scred);
    connect_pair(&c, *ccred, *scred, "server.test", 0);
    return c;
}

/* A pair whose server has answered the ClientHello: its first flight waits
 * in the client's inbox. */
static struct conn first_flight(uint32_t prot, uint64_t *ccred, uint64_t *scred)
{
    struct conn c = { 0 };

    pair_creds(prot, ccred, scred);
    c.client.session = ux_session_flags(*ccred, "server.test", NULL, 0, 0);
    c.server.session = ux_session_flags(*scred, NULL, NULL, 0, 0);
    step(&c.client, &c.server, 0);
    step(&c.server, &c.client, SIZE_MAX);
    return c;
}

static void release(struct conn *c, uint64_t ccred, uint64_t scred)
{
    free_conn(c);
    ux_free_cred(ccred);
    ux_free_cred(scred);
}

/* Poisoned first, so that a field the call leaves alone shows. */
static struct schan_connection_info get_info_flags(uint64_t session, uint32_t flags)
{
    struct schan_connection_info info;

    memset(&info, 0xcc, sizeof(info));
    ux_info_into(session, flags, &info);
    return info;
}

static struct schan_connection_info get_info(uint64_t session)
{
    return get_info_flags(session, 0);
}

/* ---------------------------------------------------------------- records -- */

static struct schan_decrypt_params decrypt_buf(uint64_t session, uint8_t *data, size_t len)
{
    struct schan_decrypt_params p = { 0 };

    p.session = session;
    p.buffer = U64(data);
    p.size = (uint32_t)len;
    ux_call(SCHAN_CALL_DECRYPT, &p);
    return p;
}

/* Drains `self`'s inbox of post-handshake records (TLS 1.3 tickets):
 * RENEGOTIATE, then HANDSHAKE -> OK.  Returns the number of renegotiations. */
static int absorb_post_handshake(struct peer *self, struct peer *other)
{
    int count = 0;

    while (self->inbox.len)
    {
        struct schan_decrypt_params d = decrypt_buf(self->session, self->inbox.data, self->inbox.len);

        if (d.status == SCHAN_SEC_I_RENEGOTIATE)
        {
            ux_consume(&self->inbox, d.consumed);
            count++;
            if (step(self, other, SIZE_MAX).status != SCHAN_SEC_E_OK)
                return -1;
            continue;
        }
        if (d.status != SCHAN_SEC_E_OK || d.data_len)
            return -1;
        ux_consume(&self->inbox, d.consumed);
    }
    return count;
}

static int send_and_check(uint64_t from, uint64_t to, size_t len)
{
    uint8_t *msg = malloc(len), *rec = malloc(len + 512);
    uint32_t status;
    size_t rec_len;
    int good = 0;

    for (size_t i = 0; i < len; i++)
        msg[i] = (uint8_t)(i * 7 + len);
    rec_len = ux_encrypt_status(from, msg, len, rec, &status);
    if (rec_len && count_records(rec, rec_len) == 1)
    {
        struct schan_decrypt_params d = decrypt_buf(to, rec, rec_len);
        good = d.status == SCHAN_SEC_E_OK && d.consumed == rec_len && d.data_len == len
               && !memcmp(rec + d.data_offset, msg, len);
        if (!good)
            diag("decrypt status %08x consumed %u/%zu len %u", d.status, d.consumed, rec_len, d.data_len);
    }
    else
        diag("encrypt status %08x", status);
    free(msg);
    free(rec);
    return good;
}

/* ------------------------------------------------------------------ tests -- */

static const char *prot_name(uint32_t prot)
{
    switch (prot)
    {
    case SCHAN_PROT_TLS1_0: return "TLS1.0";
    case SCHAN_PROT_TLS1_1: return "TLS1.1";
    case SCHAN_PROT_TLS1_2: return "TLS1.2";
    default: return "TLS1.3";
    }
}

static void test_get_info(void)
{
    struct schan_get_info_params p;

    memset(&p, 0xff, sizeof(p));
    ok(ux_call(SCHAN_CALL_GET_INFO, &p) == 0, "GET_INFO succeeds");
    ok_hex(p.abi_version, SCHAN_UNIX_ABI_VERSION, "ABI version");
    ok(p.supported_protocols == (SCHAN_PROT_TLS_ALL | SCHAN_PROT_DTLS_ALL), "all TLS and DTLS versions supported");
    ok(!strcmp(p.gnutls_version, gnutls_check_version(NULL)), "GnuTLS version %s", p.gnutls_version);
}

/* schan_unix_abi.h: every SCHAN_CALL_xxx is answered through
 * __wine_unix_call_funcs[SCHAN_CALL_xxx]; a hole would be a NULL call. */
static void test_call_table(void)
{
    int missing = -1;

    for (int i = SCHAN_CALL_COUNT - 1; i >= 0; i--)
        if (!__wine_unix_call_funcs[i])
            missing = i;
    ok(missing < 0, "every one of the %d calls has an entry (first missing: %d)", SCHAN_CALL_COUNT, missing);
}

static void test_protocol(uint32_t prot, const struct ux_cert *cert, const char *kind)
{
    struct ux_cred_opts co = { 0, prot, 0, 0, 0, NULL }, so = { 1, prot, 0, 0, 0, cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL);
    struct conn c;
    struct schan_connection_info ci, si;

    ok(connect_pair(&c, ccred, scred, "server.test", 0), "%s %s: handshake completes", prot_name(prot), kind);
    ci = get_info(c.client.session);
    si = get_info(c.server.session);
    ok(ci.protocol == prot && si.protocol == prot, "%s %s: protocol %x/%x", prot_name(prot), kind,
       ci.protocol, si.protocol);
    ok(ci.suite_id && ci.suite_id == si.suite_id, "%s %s: suite %04x %s", prot_name(prot), kind,
       ci.suite_id, ci.suite_name);
    ok(ci.cert_type == cert->key.type, "%s %s: cert type", prot_name(prot), kind);
    ok(absorb_post_handshake(&c.client, &c.server) == (prot == SCHAN_PROT_TLS1_3 ? 1 : 0),
       "%s %s: tickets as expected (TLS 1.3: one)", prot_name(prot), kind);
    ok(send_and_check(c.client.session, c.server.session, 1000), "%s %s: client -> server", prot_name(prot), kind);
    ok(send_and_check(c.server.session, c.client.session, 16384), "%s %s: server -> client 16384",
       prot_name(prot), kind);
    ok(send_and_check(c.server.session, c.client.session, 1), "%s %s: server -> client 1 byte",
       prot_name(prot), kind);
    free_conn(&c);
    ux_free_cred(ccred);
    ux_free_cred(scred);
}

static void test_byte_split(uint32_t prot)
{
    struct ux_cred_opts co = { 0, prot, 0, 0, 0, NULL }, so = { 1, prot, 0, 0, 0, &rsa_cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL);
    struct conn c;

    byte_split_ok = 1;
    ok(connect_pair(&c, ccred, scred, "server.test", 1), "%s: byte-at-a-time handshake completes",
       prot_name(prot));
    ok(byte_split_ok, "%s: INCOMPLETE with exact missing and nothing consumed", prot_name(prot));
    ok(send_and_check(c.client.session, c.server.session, 100), "%s: data after byte-split handshake",
       prot_name(prot));
    free_conn(&c);

    ok(connect_pair(&c, ccred, scred, "other.test", 0), "%s: coalesced handshake", prot_name(prot));
    ok(c.client.max_records_per_call >= 2, "%s: client consumed %d records in one call", prot_name(prot),
       c.client.max_records_per_call);
    free_conn(&c);
    ux_free_cred(ccred);
    ux_free_cred(scred);
}

static void test_trailing_app_data(void)
{
    uint64_t ccred, scred;
    struct conn c = first_flight(SCHAN_PROT_TLS1_2, &ccred, &scred);   /* ServerHello .. Done */
    uint8_t rec[256];
    uint32_t status;
    size_t flight, rec_len;
    struct schan_handshake_params p;
    struct schan_decrypt_params d;

    step(&c.client, &c.server, SIZE_MAX);          /* key exchange .. Finished */
    p = step(&c.server, &c.client, SIZE_MAX);      /* CCS, Finished */
    ok(p.status == SCHAN_SEC_E_OK, "TLS1.2 server done: %08x", p.status);
    flight = c.client.inbox.len;
    rec_len = ux_encrypt_status(c.server.session, "hello", 5, rec, &status);
    ux_append(&c.client.inbox, rec, rec_len);
    p = step(&c.client, &c.server, SIZE_MAX);
    ok(p.status == SCHAN_SEC_E_OK, "client done with app data behind Finished");
    ok(p.consumed == flight, "consumed %u stops at the end of the handshake (%zu)", p.consumed, flight);
    d = decrypt_buf(c.client.session, c.client.inbox.data, c.client.inbox.len);
    ok(d.status == SCHAN_SEC_E_OK && d.data_len == 5 && !memcmp(c.client.inbox.data + d.data_offset, "hello", 5),
       "trailing app data decrypts");
    release(&c, ccred, scred);
}

/* A TLS 1.3 client is given the server's whole flight (ServerHello,
 * ChangeCipherSpec, EncryptedExtensions... one record each) and a record
 * behind it in one input: it takes the flight in one call, all of it, and
 * leaves the record behind the handshake to the caller. */
static void test_client_flight_then_more(void)
{
    static const uint8_t more[] = { 23, 3, 3, 0, 5, 'h', 'e', 'l', 'l', 'o' };
    uint64_t ccred, scred;
    struct conn c = first_flight(SCHAN_PROT_TLS1_3, &ccred, &scred);
    size_t flight = c.client.inbox.len;
    int records = count_records(c.client.inbox.data, flight);
    struct schan_handshake_params p;

    ux_append(&c.client.inbox, more, sizeof(more));
    p = step(&c.client, &c.server, SIZE_MAX);
    ok_hex(p.status, SCHAN_SEC_E_OK, "TLS1.3 client: the flight of %d records and one more: SEC_E_OK", records);
    ok(records >= 4 && p.consumed == flight && c.client.inbox.len == sizeof(more),
       "TLS1.3 client: consumed the flight (%u of %zu), the record behind it is left", p.consumed, flight);
    ok_hex(step(&c.server, &c.client, SIZE_MAX).status, SCHAN_SEC_E_OK, "TLS1.3 server: the client's Finished");
    release(&c, ccred, scred);
}

/* The same TLS 1.2 server flight with its handshake messages cut into
 * records of at most 64 bytes (valid TLS, RFC 5246 6.2.1): GnuTLS returns
 * after each part of a message, and the client goes on with the rest. */
static void test_client_flight_refragmented(void)
{
    uint64_t ccred, scred;
    struct conn c = first_flight(SCHAN_PROT_TLS1_2, &ccred, &scred);
    struct ux_buf body = { 0 }, cut = { 0 };
    struct schan_handshake_params p;
    size_t pos, len;

    for (pos = 0; pos + 5 <= c.client.inbox.len; pos += 5 + len)
    {
        len = (size_t)c.client.inbox.data[pos + 3] << 8 | c.client.inbox.data[pos + 4];
        ux_append(&body, c.client.inbox.data + pos + 5, len);
    }
    for (pos = 0; pos < body.len; pos += len)
    {
        uint8_t header[5] = { 22, 3, 3, 0, 0 };

        len = body.len - pos < 64 ? body.len - pos : 64;
        header[4] = (uint8_t)len;
        ux_append(&cut, header, 5);
        ux_append(&cut, body.data + pos, len);
    }
    ux_consume(&c.client.inbox, c.client.inbox.len);
    ux_append(&c.client.inbox, cut.data, cut.len);
    p = step(&c.client, &c.server, SIZE_MAX);
    ok(p.status == SCHAN_SEC_I_CONTINUE_NEEDED && p.consumed == cut.len,
       "TLS1.2 client: the flight in %d records of <= 64 bytes, all taken in one call (%08x, %u of %zu)",
       count_records(cut.data, cut.len), p.status, p.consumed, cut.len);
    ok(step(&c.server, &c.client, SIZE_MAX).status == SCHAN_SEC_E_OK
       && step(&c.client, &c.server, SIZE_MAX).status == SCHAN_SEC_E_OK
       && send_and_check(c.client.session, c.server.session, 100),
       "TLS1.2: the re-fragmented handshake completes and carries data");
    ux_buf_free(&body);
    ux_buf_free(&cut);
    release(&c, ccred, scred);
}

static void test_partial_handshake_continue(void)
{
    struct ux_cred_opts co = { 0, SCHAN_PROT_TLS1_2, 0, 0, 0, NULL }, so = { 1, SCHAN_PROT_TLS1_2, 0, 0, 0, &rsa_cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL);
    struct conn c = { 0 };
    struct schan_handshake_params p;
    size_t first;

    c.client.session = ux_session_flags(ccred, "server.test", NULL, 0, 0);
    c.server.session = ux_session_flags(scred, NULL, NULL, 0, 0);
    p = step(&c.server, &c.client, SIZE_MAX);
    ok(p.status == SCHAN_SEC_E_INCOMPLETE_MESSAGE && p.missing == 5 && !p.consumed,
       "server with no input: INCOMPLETE, missing 5");
    step(&c.client, &c.server, 0);
    step(&c.server, &c.client, SIZE_MAX);
    first = 5 + ((size_t)c.client.inbox.data[3] << 8 | c.client.inbox.data[4]);
    p = step(&c.client, &c.server, first + 3);
    ok(p.status == SCHAN_SEC_I_CONTINUE_NEEDED && p.consumed == first,
       "whole record + partial: CONTINUE, consumed %u of %zu", p.consumed, first + 3);
    p = step(&c.client, &c.server, 4);
    ok(p.status == SCHAN_SEC_E_INCOMPLETE_MESSAGE && p.missing == 1, "4 header bytes: missing 1");
    free_conn(&c);
    ux_free_cred(ccred);
    ux_free_cred(scred);
}

static void test_decrypt_framing(void)
{
    uint64_t ccred, scred;
    struct conn c = established(SCHAN_PROT_TLS1_2, &ccred, &scred);
    uint8_t recs[3][256], all[768];
    size_t lens[3], total = 0;
    uint32_t status;
    struct schan_decrypt_params d;
    int good = 1;

    for (int i = 0; i < 3; i++)
    {
        char msg[16];
        int n = snprintf(msg, sizeof(msg), "message %d", i);
        lens[i] = ux_encrypt_status(c.client.session, msg, (size_t)n, recs[i], &status);
        memcpy(all + total, recs[i], lens[i]);
        total += lens[i];
    }
    d = decrypt_buf(c.server.session, all, 4);
    ok(d.status == SCHAN_SEC_E_INCOMPLETE_MESSAGE && d.missing == 1 && !d.consumed, "DECRYPT 4 bytes: missing 1");
    d = decrypt_buf(c.server.session, all, 0);
    ok(d.status == SCHAN_SEC_E_INCOMPLETE_MESSAGE && d.missing == 5, "DECRYPT 0 bytes: missing 5");
    d = decrypt_buf(c.server.session, all, lens[0] - 7);
    ok(d.status == SCHAN_SEC_E_INCOMPLETE_MESSAGE && d.missing == 7, "DECRYPT short record: missing %u", d.missing);
    for (size_t pos = 0, i = 0; i < 3; i++)
    {
        char want[16];
        int n = snprintf(want, sizeof(want), "message %zu", i);

        d = decrypt_buf(c.server.session, all + pos, total - pos);
        good &= d.status == SCHAN_SEC_E_OK && d.consumed == lens[i] && d.data_len == (uint32_t)n
                && !memcmp(all + pos + d.data_offset, want, (size_t)n);
        pos += d.consumed;
    }
    ok(good, "three records in one input: one per DECRYPT, consumed < size");
    ok(d.data_offset == 13, "TLS1.2 AES-GCM data offset 13 (%u)", d.data_offset);

    lens[0] = ux_encrypt_status(c.client.session, "tamper", 6, recs[0], &status);
    recs[0][lens[0] - 3] ^= 0x40;
    d = decrypt_buf(c.server.session, recs[0], lens[0]);
    ok_hex(d.status, SCHAN_SEC_E_DECRYPT_FAILURE, "tampered record: SEC_E_DECRYPT_FAILURE");
    memcpy(all, "\x99\x03\x03\x00\x10", 5);
    d = decrypt_buf(c.client.session, all, 30);
    ok_hex(d.status, SCHAN_SEC_E_ILLEGAL_MESSAGE, "impossible record header: SEC_E_ILLEGAL_MESSAGE");
    release(&c, ccred, scred);
}

static void test_tls13_ticket(void)
{
    uint64_t ccred, scred;
    struct conn c = established(SCHAN_PROT_TLS1_3, &ccred, &scred);
    struct schan_decrypt_params d;
    struct schan_handshake_params p;
    size_t before = c.client.inbox.len;
    uint8_t rec[256];
    uint32_t status;
    size_t len;

    ok(before > 0, "TLS1.3 client has ticket records pending (%zu bytes)", before);
    len = ux_encrypt_status(c.server.session, "after-ticket", 12, rec, &status);
    ux_append(&c.client.inbox, rec, len);
    d = decrypt_buf(c.client.session, c.client.inbox.data, c.client.inbox.len);
    ok_hex(d.status, SCHAN_SEC_I_RENEGOTIATE, "NewSessionTicket: SEC_I_RENEGOTIATE");
    ok(d.consumed > 0 && d.consumed < c.client.inbox.len, "ticket record consumed alone");
    ux_consume(&c.client.inbox, d.consumed);
    d = decrypt_buf(c.client.session, c.client.inbox.data, c.client.inbox.len);
    ok_hex(d.status, SCHAN_SEC_E_CONTEXT_EXPIRED, "DECRYPT before answering: SEC_E_CONTEXT_EXPIRED");
    p = step(&c.client, &c.server, SIZE_MAX);
    ok_hex(p.status, SCHAN_SEC_E_OK, "HANDSHAKE after RENEGOTIATE: SEC_E_OK");
    ok(p.consumed == 0 && p.output_len == 0, "nothing consumed, nothing to send");
    /* One ticket only (unix_handshake.c, send_ticket): the data comes next. */
    d = decrypt_buf(c.client.session, c.client.inbox.data, c.client.inbox.len);
    ok(d.status == SCHAN_SEC_E_OK && d.data_len == 12 && d.consumed == c.client.inbox.len
       && !memcmp(c.client.inbox.data + d.data_offset, "after-ticket", 12), "application data after the one ticket");
    release(&c, ccred, scred);
}

static void test_tls13_ticket_then_data(void)
{
    uint64_t ccred, scred;
    struct conn c = established(SCHAN_PROT_TLS1_3, &ccred, &scred);

    ok(absorb_post_handshake(&c.client, &c.server) == 1, "one ticket, one renegotiation");
    ok(send_and_check(c.server.session, c.client.session, 50), "DECRYPT works after tickets");
    ok(get_info(c.client.session).handshake_done == 1, "still established");
    release(&c, ccred, scred);
}

static void test_key_update(void)
{
    uint64_t ccred, scred;
    struct conn c = established(SCHAN_PROT_TLS1_3, &ccred, &scred);
    struct schan_session *server = (struct schan_session *)(uintptr_t)c.server.session;
    struct schan_decrypt_params d;
    struct schan_handshake_params p;

    absorb_post_handshake(&c.client, &c.server);
    ok(gnutls_session_key_update(server->s, GNUTLS_KU_PEER) == 0, "server sends KeyUpdate(request)");
    ux_append(&c.client.inbox, server->send.out.data, server->send.out.len);
    schan_output_reset(&server->send.out);
    d = decrypt_buf(c.client.session, c.client.inbox.data, c.client.inbox.len);
    ok_hex(d.status, SCHAN_SEC_I_RENEGOTIATE, "KeyUpdate: SEC_I_RENEGOTIATE");
    ux_consume(&c.client.inbox, d.consumed);
    p = step(&c.client, &c.server, SIZE_MAX);
    ok(p.status == SCHAN_SEC_E_OK && p.output_len > 0, "client answers with its own KeyUpdate (%u bytes)",
       p.output_len);
    d = decrypt_buf(c.server.session, c.server.inbox.data, c.server.inbox.len);
    ok(d.status == SCHAN_SEC_I_RENEGOTIATE, "server sees the answer");
    ux_consume(&c.server.inbox, d.consumed);
    ok(step(&c.server, &c.client, SIZE_MAX).status == SCHAN_SEC_E_OK, "server acknowledges");
    ok(send_and_check(c.client.session, c.server.session, 300), "client -> server after KeyUpdate, one record");
    ok(send_and_check(c.server.session, c.client.session, 300), "server -> client after KeyUpdate");
    release(&c, ccred, scred);
}

static void test_hello_request(void)
{
    uint64_t ccred, scred;
    struct conn c = established(SCHAN_PROT_TLS1_2, &ccred, &scred);
    struct schan_session *server = (struct schan_session *)(uintptr_t)c.server.session;
    struct schan_decrypt_params d;
    struct schan_handshake_params p;

    ok(gnutls_rehandshake(server->s) == 0, "server sends HelloRequest");
    ux_append(&c.client.inbox, server->send.out.data, server->send.out.len);
    schan_output_reset(&server->send.out);
    d = decrypt_buf(c.client.session, c.client.inbox.data, c.client.inbox.len);
    ok_hex(d.status, SCHAN_SEC_I_RENEGOTIATE, "HelloRequest: SEC_I_RENEGOTIATE");
    ok_hex(d.state, SCHAN_STATE_RENEGOTIATE, "HelloRequest: state RENEGOTIATE");
    ux_consume(&c.client.inbox, d.consumed);
    p = step(&c.client, &c.server, SIZE_MAX);
    ok(p.status == SCHAN_SEC_I_CONTINUE_NEEDED && p.output_len > 0,
       "HelloRequest answered with a new ClientHello: SEC_I_CONTINUE_NEEDED, %u bytes", p.output_len);
    ok_hex(p.state, SCHAN_STATE_REHANDSHAKE, "the renegotiation runs: state REHANDSHAKE");
    ok_hex(decrypt_buf(c.client.session, NULL, 0).status, SCHAN_SEC_E_CONTEXT_EXPIRED,
           "no records while it runs");
    d = decrypt_buf(c.server.session, c.server.inbox.data, c.server.inbox.len);
    ok_hex(d.status, SCHAN_SEC_I_RENEGOTIATE, "the server sees the ClientHello as SEC_I_RENEGOTIATE");
    ux_consume(&c.server.inbox, d.consumed);
    p = step(&c.server, &c.client, SIZE_MAX);
    ok(p.status == SCHAN_SEC_I_CONTINUE_NEEDED && p.output_len > 0, "the server answers with its flight");
    ok(drive_handshake(&c, 0), "the renegotiation handshake completes on both sides");
    ok(c.client.status == SCHAN_SEC_E_OK && c.server.status == SCHAN_SEC_E_OK, "both report SEC_E_OK");
    ok(c.client.state == SCHAN_STATE_DONE && c.server.state == SCHAN_STATE_DONE, "both back in state DONE");
    ok(c.client.info_filled && c.server.info_filled, "the renegotiation's last calls bring the connection info");
    ok(send_and_check(c.server.session, c.client.session, 20), "server -> client after renegotiation");
    ok(send_and_check(c.client.session, c.server.session, 20), "client -> server after renegotiation");
    release(&c, ccred, scred);
}

static void test_resumption(uint32_t prot)
{
    struct ux_cred_opts co = { 0, prot, 0, 0, 0, NULL }, so = { 1, prot, 0, 0, 0, &ecc_cert };
    struct ux_cred_opts nco = { 0, prot, SCHAN_CRED_DISABLE_RECONNECTS, 0, 0, NULL };
    struct ux_cred_opts lco = { 0, prot, 0, 0, 0xffffffffu, NULL };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL);
    uint64_t nocache = ux_cred_create(&nco, NULL), nolife = ux_cred_create(&lco, NULL);
    struct conn c;

    connect_pair(&c, ccred, scred, "resume.test", 0);
    ok(!get_info(c.client.session).resumed, "%s: first connection not resumed", prot_name(prot));
    absorb_post_handshake(&c.client, &c.server);
    free_conn(&c);
    ok(connect_pair(&c, ccred, scred, "resume.test", 0), "%s: second connection", prot_name(prot));
    ok(get_info(c.client.session).resumed == 1 && get_info(c.server.session).resumed == 1,
       "%s: same cred + target resumes", prot_name(prot));
    /* TLS 1.2 names the key in the suite; a TLS 1.3 resumption signs
     * nothing, so only the stored peer certificate, parsed, says it. */
    if (prot == SCHAN_PROT_TLS1_2)
        ok(get_info(c.client.session).cert_type == SCHAN_KEY_ECC
           && get_info_flags(c.client.session, SCHAN_INFO_KEY_DETAILS).cert_type == SCHAN_KEY_ECC
           && get_info(c.server.session).cert_type == SCHAN_KEY_ECC,
           "%s: resumed: key type from the suite", prot_name(prot));
    else
        ok(get_info(c.client.session).cert_type == SCHAN_KEY_NONE
           && get_info_flags(c.client.session, SCHAN_INFO_KEY_DETAILS).cert_type == SCHAN_KEY_ECC,
           "%s: resumed: key type only with SCHAN_INFO_KEY_DETAILS (the leaf is parsed)", prot_name(prot));
    absorb_post_handshake(&c.client, &c.server);
    ok(send_and_check(c.client.session, c.server.session, 64), "%s: data on resumed session", prot_name(prot));
    free_conn(&c);
    connect_pair(&c, ccred, scred, "elsewhere.test", 0);
    ok(!get_info(c.client.session).resumed, "%s: other target not resumed", prot_name(prot));
    free_conn(&c);
    for (int i = 0; i < 2; i++)
    {
        connect_pair(&c, nocache, scred, "resume.test", 0);
        absorb_post_handshake(&c.client, &c.server);
        ok(!get_info(c.client.session).resumed, "%s: DISABLE_RECONNECTS #%d not resumed", prot_name(prot), i);
        free_conn(&c);
        connect_pair(&c, nolife, scred, "resume.test", 0);
        absorb_post_handshake(&c.client, &c.server);
        ok(!get_info(c.client.session).resumed, "%s: lifespan -1 #%d not resumed", prot_name(prot), i);
        free_conn(&c);
    }
    ux_free_cred(ccred);
    ux_free_cred(scred);
    ux_free_cred(nocache);
    ux_free_cred(nolife);
}

static void test_alpn_sni(void)
{
    static const uint8_t client_alpn[] = "\x02h2\x08http/1.1";
    static const uint8_t server_alpn[] = "\x00\x09\x08http/1.1";
    struct ux_cred_opts co = { 0, 0, 0, 0, 0, NULL }, so = { 1, 0, 0, 0, 0, &rsa_cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL);
    struct schan_connection_info ci, si;
    struct conn c = { 0 };

    c.client.session = ux_session_flags(ccred, "www.example.test", client_alpn, sizeof(client_alpn) - 1, 0);
    c.server.session = ux_session_flags(scred, NULL, server_alpn, sizeof(server_alpn) - 1, 0);
    ok(drive_handshake(&c, 0), "ALPN handshake");
    ci = get_info(c.client.session);
    si = get_info(c.server.session);
    ok(ci.alpn_len == 8 && !memcmp(ci.alpn, "http/1.1", 8), "client ALPN http/1.1");
    ok(si.alpn_len == 8 && !memcmp(si.alpn, "http/1.1", 8), "server ALPN http/1.1");
    ok(!strcmp(si.server_name, "www.example.test"), "server sees SNI '%s'", si.server_name);
    ok(ci.server_name[0] == 0, "client reports no server name");
    free_conn(&c);

    ok(connect_pair(&c, ccred, scred, "192.0.2.7", 0), "IP literal target");
    ok(get_info(c.server.session).server_name[0] == 0, "no SNI for an IPv4 literal");
    ok(get_info(c.client.session).alpn_len == 0, "no ALPN when not asked");
    free_conn(&c);
    ok(connect_pair(&c, ccred, scred, "2001:db8::1", 0), "IPv6 literal target");
    ok(get_info(c.server.session).server_name[0] == 0, "no SNI for an IPv6 literal");
    free_conn(&c);
    ux_free_cred(ccred);
    ux_free_cred(scred);
}

static void test_shutdown(int from_client)
{
    uint64_t ccred, scred;
    struct conn c = established(SCHAN_PROT_TLS1_3, &ccred, &scred);
    struct peer *self = from_client ? &c.client : &c.server, *other = from_client ? &c.server : &c.client;
    struct schan_control_params ctl = { .session = self->session, .kind = SCHAN_CONTROL_SHUTDOWN };
    struct schan_handshake_params p;
    struct schan_decrypt_params d;

    absorb_post_handshake(&c.client, &c.server);
    ux_call(SCHAN_CALL_CONTROL, &ctl);
    ok(ctl.status == SCHAN_SEC_E_OK, "%s: CONTROL(SHUTDOWN)", from_client ? "client" : "server");
    ok_hex(ctl.state, SCHAN_STATE_CONTROL, "%s: state CONTROL", from_client ? "client" : "server");
    p = step(self, other, SIZE_MAX);
    ok(p.status == SCHAN_SEC_E_OK && p.output_len > 0 && p.output_is_alert, "%s: HANDSHAKE emits close_notify",
       from_client ? "client" : "server");
    ok_hex(p.state, SCHAN_STATE_SHUTDOWN, "%s: state SHUTDOWN once it went out", from_client ? "client" : "server");
    d = decrypt_buf(other->session, other->inbox.data, other->inbox.len);
    ok_hex(d.status, SCHAN_SEC_I_CONTEXT_EXPIRED, "%s: peer DECRYPT gets SEC_I_CONTEXT_EXPIRED",
           from_client ? "client" : "server");
    ok_hex(d.state, SCHAN_STATE_CLOSED, "%s: the peer's state CLOSED", from_client ? "client" : "server");
    release(&c, ccred, scred);
}

static void test_alert_control(void)
{
    uint64_t ccred, scred;
    struct conn c = established(SCHAN_PROT_TLS1_2, &ccred, &scred);
    struct schan_control_params ctl = { .session = c.server.session, .kind = SCHAN_CONTROL_ALERT, .alert_level = 2, .alert_description = 40 };
    struct schan_control_params bad = { .session = c.server.session, .kind = 99 };
    struct schan_decrypt_params d;

    ux_call(SCHAN_CALL_CONTROL, &bad);
    ok_hex(bad.status, SCHAN_SEC_E_UNSUPPORTED_FUNCTION, "unknown control kind: SEC_E_UNSUPPORTED_FUNCTION");
    ux_call(SCHAN_CALL_CONTROL, &ctl);
    ok(step(&c.server, &c.client, SIZE_MAX).status == SCHAN_SEC_E_OK, "CONTROL(ALERT) then HANDSHAKE: SEC_E_OK");
    d = decrypt_buf(c.client.session, c.client.inbox.data, c.client.inbox.len);
    ok_hex(d.status, SCHAN_SEC_E_ALGORITHM_MISMATCH, "peer gets handshake_failure as ALGORITHM_MISMATCH");
    release(&c, ccred, scred);
}

/* The states one full handshake goes through, as HANDSHAKE returns them. */
static void test_handshake_states(uint32_t prot)
{
    struct ux_cred_opts co = { 0, prot, 0, 0, 0, NULL }, so = { 1, prot, 0, 0, 0, &rsa_cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL);
    struct schan_handshake_params p;
    struct conn c;

    memset(&c, 0, sizeof(c));
    c.client.session = ux_session(ccred, "server.test", NULL, 0);
    c.server.session = ux_session(scred, NULL, NULL, 0);
    p = step(&c.server, &c.client, 0);
    ok(p.status == SCHAN_SEC_E_INCOMPLETE_MESSAGE && p.state == SCHAN_STATE_HANDSHAKE,
       "%s: a server's call without input: SEC_E_INCOMPLETE_MESSAGE, HANDSHAKE (%u)", prot_name(prot), p.state);
    p = step(&c.client, &c.server, 0);
    ok(p.status == SCHAN_SEC_I_CONTINUE_NEEDED && p.state == SCHAN_STATE_HANDSHAKE && !p.info_filled,
       "%s: the ClientHello call leaves HANDSHAKE, no info yet (%u)", prot_name(prot), p.state);
    ok(drive_handshake(&c, 0), "%s: the handshake completes", prot_name(prot));
    ok(c.client.state == SCHAN_STATE_DONE && c.server.state == SCHAN_STATE_DONE, "%s: both DONE (%u, %u)",
       prot_name(prot), c.client.state, c.server.state);
    ok(c.client.info_filled && c.server.info_filled && c.client.info.protocol == prot
       && c.server.info.protocol == prot && c.client.info.header_size >= 5 && c.client.info.max_message,
       "%s: the last HANDSHAKE call of each side brings the connection info", prot_name(prot));
    p = step(&c.client, &c.server, 0);
    ok(p.status == SCHAN_SEC_E_OK && p.state == SCHAN_STATE_DONE && !p.info_filled,
       "%s: a later call with nothing to do brings none", prot_name(prot));
    free_conn(&c);
    ux_free_cred(ccred);
    ux_free_cred(scred);
}

static void test_protocol_mismatch(void)
{
    struct ux_cred_opts co = { 0, SCHAN_PROT_TLS1_2, 0, 0, 0, NULL }, so = { 1, SCHAN_PROT_TLS1_3, 0, 0, 0, &rsa_cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL);
    struct conn c;

    ok(!connect_pair(&c, ccred, scred, "server.test", 0), "TLS1.2 client vs TLS1.3 server fails");
    ok_hex(c.server.status, SCHAN_SEC_E_ALGORITHM_MISMATCH, "server: SEC_E_ALGORITHM_MISMATCH");
    ok_hex(c.server.state, SCHAN_STATE_FAILED, "server: state FAILED");
    ok(c.server.alert_sent && c.client.inbox.len >= 7 && c.client.inbox.data[0] == 21, "server produced an alert");
    step(&c.client, &c.server, SIZE_MAX);
    ok_hex(c.client.status, SCHAN_SEC_E_ALGORITHM_MISMATCH, "client receiving protocol_version: ALGORITHM_MISMATCH");
    ok_hex(step(&c.client, &c.server, SIZE_MAX).status, SCHAN_SEC_E_ALGORITHM_MISMATCH, "failure is sticky");
    free_conn(&c);
    ux_free_cred(ccred);
    ux_free_cred(scred);
}

static void test_garbage(void)
{
    struct ux_cred_opts so = { 1, 0, 0, 0, 0, &rsa_cert };
    uint64_t scred = ux_cred_create(&so, NULL);
    struct peer server = { 0 }, sink = { 0 };
    struct schan_handshake_params p;

    server.session = ux_session_flags(scred, NULL, NULL, 0, 0);
    ux_append(&server.inbox, "GET / HTTP/1.1\r\n\r\n", 18);
    p = step(&server, &sink, SIZE_MAX);
    ok_hex(p.status, SCHAN_SEC_E_INVALID_TOKEN, "garbage: SEC_E_INVALID_TOKEN");
    ok(p.output_len == 0 && p.consumed == 0, "garbage: no output, nothing consumed");
    ux_free_session(server.session);
    ux_buf_free(&server.inbox);
    ux_buf_free(&sink.inbox);
    ux_free_cred(scred);
}

static void test_bindings_and_ekm(uint32_t prot)
{
    uint64_t ccred, scred;
    struct conn c = established(prot, &ccred, &scred);
    uint8_t cb1[128], cb2[128], k1[48], k2[48], k3[48];
    struct schan_get_channel_binding_params b1 = { c.client.session, U64(cb1), SCHAN_BINDING_ENDPOINT, sizeof(cb1), 0, 0 };
    struct schan_get_channel_binding_params b2 = { c.server.session, U64(cb2), SCHAN_BINDING_ENDPOINT, sizeof(cb2), 0, 0 };
    struct schan_export_keying_material_params e1 = { c.client.session, U64("EXPORTER-test"), U64("ctx"), U64(k1), 13, 3, 48, 0 };
    struct schan_export_keying_material_params e2 = { c.server.session, U64("EXPORTER-test"), U64("ctx"), U64(k2), 13, 3, 48, 0 };
    struct schan_export_keying_material_params e3 = { c.server.session, U64("EXPORTER-other"), 0, U64(k3), 14, 0, 48, 0 };
    uint8_t digest[32];

    ux_call(SCHAN_CALL_GET_CHANNEL_BINDING, &b1);
    ux_call(SCHAN_CALL_GET_CHANNEL_BINDING, &b2);
    gnutls_hash_fast(GNUTLS_DIG_SHA256, rsa_cert.der.data, rsa_cert.der.size, digest);
    ok(b1.status == SCHAN_SEC_E_OK && b2.status == SCHAN_SEC_E_OK && b1.needed == 32 && b2.needed == 32,
       "%s: endpoint binding on both sides (%08x %08x)", prot_name(prot), b1.status, b2.status);
    ok(!memcmp(cb1, cb2, 32) && !memcmp(cb1, digest, 32), "%s: endpoint = SHA-256 of server cert", prot_name(prot));
    b1.size = 10;
    ux_call(SCHAN_CALL_GET_CHANNEL_BINDING, &b1);
    ok(b1.status == SCHAN_SEC_E_BUFFER_TOO_SMALL && b1.needed == 32, "%s: small buffer reports needed", prot_name(prot));
    if (prot != SCHAN_PROT_TLS1_3)
    {
        b1.kind = b2.kind = SCHAN_BINDING_UNIQUE;
        b1.size = sizeof(cb1);
        ux_call(SCHAN_CALL_GET_CHANNEL_BINDING, &b1);
        ux_call(SCHAN_CALL_GET_CHANNEL_BINDING, &b2);
        ok(b1.status == SCHAN_SEC_E_OK && b1.needed == b2.needed && b1.needed >= 12 && !memcmp(cb1, cb2, b1.needed),
           "%s: tls-unique equal on both sides", prot_name(prot));
    }
    ux_call(SCHAN_CALL_EXPORT_KEYING_MATERIAL, &e1);
    ux_call(SCHAN_CALL_EXPORT_KEYING_MATERIAL, &e2);
    ux_call(SCHAN_CALL_EXPORT_KEYING_MATERIAL, &e3);
    ok(e1.status == SCHAN_SEC_E_OK && e2.status == SCHAN_SEC_E_OK && !memcmp(k1, k2, 48),
       "%s: exported keying material equal", prot_name(prot));
    ok(e3.status == SCHAN_SEC_E_OK && memcmp(k1, k3, 48), "%s: other label differs", prot_name(prot));
    release(&c, ccred, scred);
}

static void test_connection_info(void)
{
    uint64_t ccred, scred;
    struct conn c = established(SCHAN_PROT_TLS1_3, &ccred, &scred);
    struct schan_connection_info i = get_info(c.client.session);
    struct ux_cred_opts co = { 0, SCHAN_PROT_TLS1_2, 0, 0, 0, NULL }, so = { 1, SCHAN_PROT_TLS1_2, 0, 0, 0, &rsa_cert };
    uint64_t c2, s2;

    ok(!strcmp(i.suite_name, "TLS_AES_256_GCM_SHA384") && i.suite_id == 0x1302, "TLS1.3 suite %s %04x",
       i.suite_name, i.suite_id);
    ok(i.cipher == SCHAN_CIPHER_AES_256_GCM && i.cipher_bits == 256 && i.mac == SCHAN_MAC_NONE
       && i.kx == SCHAN_KX_NONE && i.prf_hash_bits == 384, "TLS1.3 algorithms");
    ok(i.header_size == 5 && i.trailer_size == 17 && i.max_message == 16384 && i.block_size == 1,
       "TLS1.3 stream sizes %u/%u/%u/%u", i.header_size, i.trailer_size, i.max_message, i.block_size);
    ok(i.group_name[0] && i.kx_bits > 0, "group %s (%u bits)", i.group_name, i.kx_bits);
    ok(i.handshake_done == 1 && i.resumed == 0, "done, not resumed");
    release(&c, ccred, scred);

    c2 = ux_cred_create(&co, NULL);
    s2 = ux_cred_create(&so, NULL);
    connect_pair(&c, c2, s2, "x.test", 0);
    i = get_info(c.client.session);
    ok(!strcmp(i.suite_name, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384") && i.suite_id == 0xC030,
       "TLS1.2 suite %s %04x", i.suite_name, i.suite_id);
    ok(i.kx == SCHAN_KX_ECDHE && i.header_size == 13 && i.trailer_size == 16, "TLS1.2 GCM sizes %u/%u",
       i.header_size, i.trailer_size);
    release(&c, c2, s2);

    co.protocols = so.protocols = SCHAN_PROT_TLS1_1;
    c2 = ux_cred_create(&co, NULL);
    s2 = ux_cred_create(&so, NULL);
    connect_pair(&c, c2, s2, "x.test", 0);
    i = get_info(c.client.session);
    ok(i.cipher_block_size == 16 && i.mac == SCHAN_MAC_SHA1 && i.mac_bits == 160 && i.header_size == 21,
       "TLS1.1 CBC: %s header %u trailer %u", i.suite_name, i.header_size, i.trailer_size);
    release(&c, c2, s2);
}

static void test_peer_certs(void)
{
    struct ux_cred_opts co = { 0, 0, 0, 0, 0, &client_cert }, so = { 1, 0, SCHAN_CRED_REQUEST_CLIENT_CERT, 0, 0, &ecc_cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL);
    uint8_t buf[4096];
    struct conn c;
    struct schan_get_peer_certs_params p = { 0 };

    ok(connect_pair(&c, ccred, scred, "server.test", 0), "handshake with client certificate");
    p.session = c.client.session;
    ux_call(SCHAN_CALL_GET_PEER_CERTS, &p);
    ok(p.status == SCHAN_SEC_E_BUFFER_TOO_SMALL && p.needed == 4 + ecc_cert.der.size && p.count == 1,
       "peer certs: size query");
    p.buffer = U64(buf);
    p.size = sizeof(buf);
    ux_call(SCHAN_CALL_GET_PEER_CERTS, &p);
    ok(p.status == SCHAN_SEC_E_OK && buf[0] == (ecc_cert.der.size & 0xff) && buf[1] == (ecc_cert.der.size >> 8)
       && !memcmp(buf + 4, ecc_cert.der.data, ecc_cert.der.size), "client sees the server's certificate");
    p.session = c.server.session;
    ux_call(SCHAN_CALL_GET_PEER_CERTS, &p);
    ok(p.status == SCHAN_SEC_E_OK && !memcmp(buf + 4, client_cert.der.data, client_cert.der.size),
       "server sees the client's certificate");
    free_conn(&c);
    ux_free_cred(ccred);

    co.cert = NULL;
    ccred = ux_cred_create(&co, NULL);
    connect_pair(&c, ccred, scred, "server.test", 0);
    p.session = c.server.session;
    ux_call(SCHAN_CALL_GET_PEER_CERTS, &p);
    ok(p.status == SCHAN_SEC_E_OK && p.count == 0 && p.needed == 0, "no client certificate: an empty list");
    free_conn(&c);
    ux_free_cred(ccred);
    ux_free_cred(scred);
}

/* GET_ISSUERS: the CA names of the server's CertificateRequest, in the list
 * encoding of GET_PEER_CERTS, and the same empty list when there are none. */
static void test_issuers(void)
{
    struct ux_cred_opts co = { 0, SCHAN_PROT_TLS1_2, 0, 0, 0, &client_cert };
    struct ux_cred_opts so = { 1, 0, SCHAN_CRED_REQUEST_CLIENT_CERT, 0, 0, &ecc_cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL), fresh;
    struct schan_get_peer_certs_params p = { 0 };
    gnutls_datum_t dn = { NULL, 0 };
    gnutls_x509_crt_t crt;
    uint8_t buf[4096];
    struct conn c;

    fresh = ux_session(ccred, "server.test", NULL, 0);
    p.session = fresh;
    ux_call(SCHAN_CALL_GET_ISSUERS, &p);
    ok(p.status == SCHAN_SEC_E_OK && !p.count && !p.needed, "issuers before the handshake: an empty list");
    ux_call(SCHAN_CALL_GET_PEER_CERTS, &p);
    ok(p.status == SCHAN_SEC_E_OK && !p.count && !p.needed, "peer certs before the handshake: an empty list");
    ux_free_session(fresh);

    ok(connect_pair(&c, ccred, scred, "server.test", 0), "a server that names no CA");
    p.session = c.client.session;
    ux_call(SCHAN_CALL_GET_ISSUERS, &p);
    ok(p.status == SCHAN_SEC_E_OK && !p.count && !p.needed, "no CA named: an empty list");
    p.session = c.server.session;
    ux_call(SCHAN_CALL_GET_ISSUERS, &p);
    ok(p.status == SCHAN_SEC_E_OK && !p.count && !p.needed, "a server's session: an empty list");
    free_conn(&c);

    /* A server that trusts the client's certificate names its subject. */
    gnutls_x509_crt_init(&crt);
    gnutls_x509_crt_import(crt, &client_cert.der, GNUTLS_X509_FMT_DER);
    gnutls_x509_crt_get_raw_dn(crt, &dn);
    ok(gnutls_certificate_set_x509_trust_mem(((struct schan_cred *)(uintptr_t)scred)->certs, &client_cert.der,
                                             GNUTLS_X509_FMT_DER) == 1, "the server trusts one CA");
    /* another name: the first connection's session would be resumed, without a CertificateRequest */
    ok(connect_pair(&c, ccred, scred, "other.test", 0), "a server that names one CA");
    p.session = c.client.session;
    p.buffer = 0;
    p.size = 0;
    ux_call(SCHAN_CALL_GET_ISSUERS, &p);
    ok(p.status == SCHAN_SEC_E_BUFFER_TOO_SMALL && p.count == 1 && p.needed == 4 + dn.size,
       "one CA: size query says %u bytes (got %u)", 4 + dn.size, p.needed);
    p.buffer = U64(buf);
    p.size = sizeof(buf);
    ux_call(SCHAN_CALL_GET_ISSUERS, &p);
    ok(p.status == SCHAN_SEC_E_OK && p.count == 1 && buf[0] == (dn.size & 0xff) && buf[1] == (dn.size >> 8)
       && !memcmp(buf + 4, dn.data, dn.size), "the client gets the CA's DER name");
    free_conn(&c);
    gnutls_free(dn.data);
    gnutls_x509_crt_deinit(crt);
    ux_free_cred(ccred);
    ux_free_cred(scred);
}

/* Threads of this process now (/proc/self/task), to prove no handshake step
 * runs on a thread of its own. */
static int count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A client without a certificate that may pause (what Windows programs get
 * without ISC_REQ_USE_SUPPLIED_CREDS): SEC_I_INCOMPLETE_CREDENTIALS when
 * the server asks, no thread while paused, then the .NET style resume (a
 * new credential, empty input) sends that credential's certificate.  With
 * free_paused the session is freed while paused instead; with other_thread
 * the resuming call comes from another thread. */
static void *handshake_thread(void *params)
{
    ux_call(SCHAN_CALL_HANDSHAKE, params);
    return NULL;
}

static void test_pause_without_thread(uint32_t prot, int free_paused, int other_thread)
{
    struct ux_cred_opts co = { 0, prot, 0, 0, 0, NULL }, so = { 1, 0, SCHAN_CRED_REQUEST_CLIENT_CERT, 0, 0, &ecc_cert };
    struct ux_cred_opts cert_o = { 0, prot, 0, 0, 0, &client_cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL), cert_cred = ux_cred_create(&cert_o, NULL);
    const char *v = prot == SCHAN_PROT_TLS1_3 ? "TLS 1.3" : "TLS 1.2";
    int threads = count_threads(), paused_threads = -2, rounds;
    struct schan_get_peer_certs_params pc = { 0 };
    struct schan_handshake_params p = { 0 };
    uint8_t out[4096], certs[4096];
    struct conn c;

    memset(&c, 0, sizeof(c));
    c.client.session = ux_session_flags(ccred, "server.test", NULL, 0, SCHAN_SESSION_PAUSE_FOR_CLIENT_CERT);
    c.server.session = ux_session_flags(scred, NULL, NULL, 0, 0);
    step(&c.client, &c.server, 0);
    for (rounds = 0; rounds < 8 && c.client.status != SCHAN_SEC_I_INCOMPLETE_CREDENTIALS; rounds++)
    {
        if (c.server.inbox.len)
            step(&c.server, &c.client, SIZE_MAX);
        if (c.client.inbox.len)
            step(&c.client, &c.server, SIZE_MAX);
    }
    paused_threads = count_threads();
    ok(c.client.status == SCHAN_SEC_I_INCOMPLETE_CREDENTIALS, "%s pause: SEC_I_INCOMPLETE_CREDENTIALS (%#x)",
       v, c.client.status);
    ok_hex(c.client.state, SCHAN_STATE_NEED_CREDS, "%s pause: state NEED_CREDS", v);
    ok(threads > 0 && paused_threads == threads, "%s pause: no thread while paused (%d before, %d paused)",
       v, threads, paused_threads);
    if (free_paused)
    {
        free_conn(&c);   /* ASan/LSan: the paused stack and GnuTLS's state go */
        ok(count_threads() == threads, "%s pause: session freed while paused", v);
        goto done;
    }
    p.session = c.client.session;
    p.output = U64(out);
    p.output_size = sizeof(out);
    p.client_cred = cert_cred;
    if (other_thread)
    {
        /* .NET may go on from another thread of its pool than the one
         * that got SEC_I_INCOMPLETE_CREDENTIALS. */
        pthread_t t;
        ok(!pthread_create(&t, NULL, handshake_thread, &p) && !pthread_join(t, NULL),
           "%s resume: from another thread", v);
    }
    else
        ux_call(SCHAN_CALL_HANDSHAKE, &p);
    if (p.output_len && p.output_copied)
        ux_append(&c.server.inbox, out, p.output_len);
    c.client.status = p.status;
    ok(p.status == SCHAN_SEC_I_CONTINUE_NEEDED || p.status == SCHAN_SEC_E_OK, "%s resume: %#x", v, p.status);
    for (rounds = 0; rounds < 8 && (c.server.status != SCHAN_SEC_E_OK || c.client.status != SCHAN_SEC_E_OK); rounds++)
    {
        if (c.server.inbox.len)
            step(&c.server, &c.client, SIZE_MAX);
        if (c.client.inbox.len)
            step(&c.client, &c.server, SIZE_MAX);
        if (!c.server.inbox.len && !c.client.inbox.len)
            break;
    }
    ok(c.server.status == SCHAN_SEC_E_OK && c.client.status == SCHAN_SEC_E_OK,
       "%s resume: handshake completes (client %#x, server %#x)", v, c.client.status, c.server.status);
    pc.session = c.server.session;
    pc.buffer = U64(certs);
    pc.size = sizeof(certs);
    ux_call(SCHAN_CALL_GET_PEER_CERTS, &pc);
    ok(pc.status == SCHAN_SEC_E_OK && pc.count == 1 && !memcmp(certs + 4, client_cert.der.data, client_cert.der.size),
       "%s resume: the server got the certificate chosen after the pause", v);
    ok(count_threads() == threads, "%s resume: still no extra thread", v);
    free_conn(&c);
done:
    ux_free_cred(ccred);
    ux_free_cred(scred);
    ux_free_cred(cert_cred);
}

static void test_cred_errors(void)
{
    struct ux_cred_opts so = { 1, 0, 0, 0, 0, NULL };
    struct ux_cert bogus = rsa_cert, mismatched = rsa_cert;
    uint8_t junk[64];
    uint32_t status = 0;
    uint64_t cred;

    cred = ux_cred_create(&so, &status);
    ok(!cred && status == SCHAN_SEC_E_NO_CREDENTIALS, "server without certificate: SEC_E_NO_CREDENTIALS");
    memset(junk, 0x30, sizeof(junk));
    bogus.blob.data = U64(junk);
    bogus.blob.size = sizeof(junk);
    so.cert = &bogus;
    cred = ux_cred_create(&so, &status);
    ok(!cred && status == SCHAN_SEC_E_UNKNOWN_CREDENTIALS, "bogus certificate: SEC_E_UNKNOWN_CREDENTIALS");
    mismatched.key = ecc_cert.key;
    so.cert = &mismatched;
    cred = ux_cred_create(&so, &status);
    ok(!cred && status == SCHAN_SEC_E_UNKNOWN_CREDENTIALS, "key of another certificate: SEC_E_UNKNOWN_CREDENTIALS");
}

static void test_cred_outlives_free(void)
{
    struct ux_cred_opts co = { 0, 0, 0, 0, 0, NULL }, so = { 1, 0, 0, 0, 0, &rsa_cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL);
    struct conn c = { 0 };

    c.client.session = ux_session_flags(ccred, "late.test", NULL, 0, 0);
    c.server.session = ux_session_flags(scred, NULL, NULL, 0, 0);
    ux_free_cred(ccred);
    ux_free_cred(scred);
    ok(drive_handshake(&c, 0), "credentials freed early stay alive for their sessions");
    absorb_post_handshake(&c.client, &c.server);
    ok(send_and_check(c.client.session, c.server.session, 10), "data still flows");
    free_conn(&c);
}

static void test_encrypt_limits(void)
{
    uint64_t ccred, scred;
    struct conn c = established(SCHAN_PROT_TLS1_2, &ccred, &scred);
    uint8_t *big = calloc(1, 20000);
    struct schan_encrypt_params p = { 0 };
    struct schan_decrypt_params d;
    struct peer fresh = { 0 };

    p.session = c.client.session;
    p.header = U64(big);
    p.data = U64(big + 13);
    p.trailer = U64(big + 13 + 16385);
    p.header_size = 13;
    p.data_size = 16385;
    p.trailer_size = 64;
    ux_call(SCHAN_CALL_ENCRYPT, &p);
    ok_hex(p.status, SCHAN_SEC_E_INVALID_PARAMETER, "ENCRYPT of 16385 bytes refused");
    p.data_size = 100;
    p.trailer = U64(big + 13 + 100);
    p.trailer_size = 4;
    ux_call(SCHAN_CALL_ENCRYPT, &p);
    ok_hex(p.status, SCHAN_SEC_E_BUFFER_TOO_SMALL, "ENCRYPT with short trailer: SEC_E_BUFFER_TOO_SMALL");
    ok(send_and_check(c.client.session, c.server.session, 100), "session unharmed by refused calls");
    fresh.session = ux_session_flags(ccred, "x", NULL, 0, 0);
    p.session = fresh.session;
    p.trailer_size = 64;
    ux_call(SCHAN_CALL_ENCRYPT, &p);
    ok_hex(p.status, SCHAN_SEC_E_CONTEXT_EXPIRED, "ENCRYPT before handshake: SEC_E_CONTEXT_EXPIRED");
    d = decrypt_buf(fresh.session, big, 100);
    ok_hex(d.status, SCHAN_SEC_E_CONTEXT_EXPIRED, "DECRYPT before handshake: SEC_E_CONTEXT_EXPIRED");
    ux_free_session(fresh.session);
    free(big);
    release(&c, ccred, scred);
}


/* ------------------------------------------- server hardening (issue 15) -- */

static gnutls_session_t gnutls_of(uint64_t session)
{
    return ((struct schan_session *)(uintptr_t)session)->s;
}

/* A TLS 1.2 client without tickets, as gnutls-cli %NO_TICKETS or
 * openssl -no_ticket: it can only resume by session ID. */
static int connect_no_tickets(struct conn *c, uint64_t ccred, uint64_t scred, const char *client_prio)
{
    memset(c, 0, sizeof(*c));
    c->client.session = ux_session_flags(ccred, "id.test", NULL, 0, 0);
    c->server.session = ux_session_flags(scred, NULL, NULL, 0, 0);
    if (!c->client.session || !c->server.session
        || gnutls_priority_set_direct(gnutls_of(c->client.session), client_prio, NULL) < 0)
        return 0;
    return drive_handshake(c, 0);
}

static void test_session_id_resumption(void)
{
    static const char prio[] = "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_TICKETS";
    struct ux_cred_opts co = { 0, SCHAN_PROT_TLS1_2, 0, 0, 0, NULL }, so = { 1, SCHAN_PROT_TLS1_2, 0, 0, 0, &rsa_cert };
    struct ux_cred_opts short_life = { 1, SCHAN_PROT_TLS1_2, 0, 0, 1000, &rsa_cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL), scred2 = ux_cred_create(&so, NULL);
    uint64_t sshort = ux_cred_create(&short_life, NULL);
    unsigned int before = schan_server_cache_size();
    struct conn c;

    ok(connect_no_tickets(&c, ccred, scred, prio) && !get_info(c.server.session).resumed,
       "session ID: first connection, full handshake");
    ok(schan_server_cache_size() == before + 1, "session ID: the server cached the session (%u entries)",
       schan_server_cache_size());
    free_conn(&c);
    ok(connect_no_tickets(&c, ccred, scred, prio), "session ID: second connection");
    ok(get_info(c.server.session).resumed == 1 && get_info(c.client.session).resumed == 1,
       "session ID: resumed without a ticket");
    ok(send_and_check(c.client.session, c.server.session, 100), "session ID: data on the resumed session");
    free_conn(&c);
    /* Another credential (another certificate, maybe) never resumes it. */
    ok(connect_no_tickets(&c, ccred, scred2, prio) && !get_info(c.server.session).resumed,
       "session ID: another server credential does not resume it");
    free_conn(&c);
    /* RFC 7627 5.3: the session had the extended master secret; a
     * ClientHello without it must not resume it.  GnuTLS decides. */
    ok(connect_no_tickets(&c, ccred, scred, "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_TICKETS:%NO_SESSION_HASH") == 0
       || !get_info(c.server.session).resumed, "session ID: no resumption of an EMS session without EMS (%08x)",
       c.server.status);
    free_conn(&c);
    ux_free_cred(scred);
    ux_free_cred(scred2);
    ok(schan_server_cache_size() == before, "session ID: freed credentials take their entries along");
    /* Entries expire with the credential's lifespan (1 s here). */
    connect_no_tickets(&c, ccred, sshort, prio);
    free_conn(&c);
    sleep(2);
    ok(connect_no_tickets(&c, ccred, sshort, prio) && !get_info(c.server.session).resumed,
       "session ID: an entry past the credential's lifespan is not resumed");
    free_conn(&c);
    ux_free_cred(sshort);
    ux_free_cred(ccred);
}

/* Takes what a GnuTLS call on this session pushed (alerts sent directly). */
static void move_output(struct peer *self, struct peer *other)
{
    struct schan_output *out = &((struct schan_session *)(uintptr_t)self->session)->send.out;

    ux_append(&other->inbox, out->data, out->len);
    schan_output_reset(out);
}

/* A fatal record error, then CONTROL(SHUTDOWN): the token carries the
 * error's fatal alert, which the peer reports, not close_notify. */
static void test_alert_after_record_error(uint32_t prot)
{
    uint64_t ccred, scred;
    struct conn c = established(prot, &ccred, &scred);
    struct schan_control_params ctl = { .session = c.server.session, .kind = SCHAN_CONTROL_SHUTDOWN };
    struct schan_handshake_params p;
    struct schan_decrypt_params d;
    uint8_t rec[256];
    uint32_t status;
    size_t len;

    absorb_post_handshake(&c.client, &c.server);
    len = ux_encrypt_status(c.client.session, "tampered", 8, rec, &status);
    rec[len - 1] ^= 1;
    d = decrypt_buf(c.server.session, rec, len);
    ok_hex(d.status, SCHAN_SEC_E_DECRYPT_FAILURE, "%s: altered record: SEC_E_DECRYPT_FAILURE", prot_name(prot));
    ux_call(SCHAN_CALL_CONTROL, &ctl);
    p = step(&c.server, &c.client, SIZE_MAX);
    ok(p.status == SCHAN_SEC_E_OK && p.output_is_alert && p.output_len, "%s: shutdown token after the error",
       prot_name(prot));
    d = decrypt_buf(c.client.session, c.client.inbox.data, c.client.inbox.len);
    ok_hex(d.status, SCHAN_SEC_E_DECRYPT_FAILURE, "%s: the peer gets bad_record_mac, not close_notify",
           prot_name(prot));
    ok_hex(decrypt_buf(c.server.session, rec, len).status, SCHAN_SEC_E_CONTEXT_EXPIRED,
           "%s: DECRYPT after the fatal error: SEC_E_CONTEXT_EXPIRED", prot_name(prot));
    release(&c, ccred, scred);

    /* A record header no TLS version has: unexpected_message. */
    c = established(prot, &ccred, &scred);
    absorb_post_handshake(&c.client, &c.server);
    memcpy(rec, "\x63\x03\x03\x00\x10", 5);
    memset(rec + 5, 0, 16);
    ok_hex(decrypt_buf(c.server.session, rec, 21).status, SCHAN_SEC_E_ILLEGAL_MESSAGE,
           "%s: bad content type: SEC_E_ILLEGAL_MESSAGE", prot_name(prot));
    ctl.session = c.server.session;
    ux_call(SCHAN_CALL_CONTROL, &ctl);
    step(&c.server, &c.client, SIZE_MAX);
    ok_hex(decrypt_buf(c.client.session, c.client.inbox.data, c.client.inbox.len).status,
           SCHAN_SEC_E_ILLEGAL_MESSAGE, "%s: the peer gets unexpected_message", prot_name(prot));
    release(&c, ccred, scred);
}

/* count records of `type` with empty plaintext from the client: the
 * server's DECRYPT status for the last one. */
static uint32_t empty_flood(struct conn *c, uint8_t type, int count)
{
    struct schan_decrypt_params d = { 0 };
    uint8_t rec[64];

    for (int i = 0; i < count; i++)
    {
        size_t len = forge_empty_record(gnutls_of(c->client.session), type, rec);

        if (!len)
            return 0xdeadbeef;
        d = decrypt_buf(c->server.session, rec, len);
        if (d.status != SCHAN_SEC_E_OK || d.data_len)
            break;
    }
    return d.status;
}

static void test_empty_record_flood(uint32_t prot)
{
    uint64_t ccred, scred;
    struct conn c = established(prot, &ccred, &scred);
    uint8_t type = prot == SCHAN_PROT_TLS1_3 ? 23 : 22;

    absorb_post_handshake(&c.client, &c.server);
    ok_hex(empty_flood(&c, type, 200), SCHAN_SEC_E_OK, "%s: 200 empty records in a row pass, as in GnuTLS",
           prot_name(prot));
    ok(send_and_check(c.client.session, c.server.session, 10), "%s: data after them", prot_name(prot));
    ok_hex(empty_flood(&c, type, 200), SCHAN_SEC_E_OK, "%s: data ends the run", prot_name(prot));
    ok_hex(empty_flood(&c, type, 1), SCHAN_SEC_E_ILLEGAL_MESSAGE,
           "%s: the 201st in a row: SEC_E_ILLEGAL_MESSAGE (GnuTLS: too many empty records)", prot_name(prot));
    release(&c, ccred, scred);
}

static void test_warning_flood(void)
{
    uint64_t ccred, scred;
    struct conn c = established(SCHAN_PROT_TLS1_2, &ccred, &scred);
    struct schan_decrypt_params d = { 0 };
    int n = 0;

    for (; n < 100; n++)
    {
        gnutls_alert_send(gnutls_of(c.client.session), GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
        move_output(&c.client, &c.server);
        d = decrypt_buf(c.server.session, c.server.inbox.data, c.server.inbox.len);
        ux_consume(&c.server.inbox, d.consumed);
        if (d.status != SCHAN_SEC_E_OK)
            break;
    }
    ok(n == 5 && d.status == SCHAN_SEC_E_ILLEGAL_MESSAGE, "warning alerts: the 6th in a row fails (%d, %08x)",
       n, d.status);
    release(&c, ccred, scred);
}

/* The ClientHello and a bad record in one input: the server's flight comes
 * out with the bad record left over (EXTRA), which fails the next call. */
static void test_flight_before_bad_record(uint32_t prot)
{
    static const uint8_t bad[] = { 23, 3, 3, 0, 5, 'h', 'e', 'l', 'l', 'o' };   /* data before any keys */
    struct ux_cred_opts co = { 0, prot, 0, 0, 0, NULL }, so = { 1, prot, 0, 0, 0, &rsa_cert };
    uint64_t ccred = ux_cred_create(&co, NULL), scred = ux_cred_create(&so, NULL);
    struct conn c = { .client.session = ux_session_flags(ccred, "server.test", NULL, 0, 0),
                      .server.session = ux_session_flags(scred, NULL, NULL, 0, 0) };
    struct schan_handshake_params p;
    size_t hello_len;

    step(&c.client, &c.server, 0);
    hello_len = c.server.inbox.len;
    ux_append(&c.server.inbox, bad, sizeof(bad));
    p = step(&c.server, &c.client, SIZE_MAX);
    ok_hex(p.status, SCHAN_SEC_I_CONTINUE_NEEDED, "%s: ClientHello + bad record: SEC_I_CONTINUE_NEEDED",
           prot_name(prot));
    ok(p.consumed == hello_len && c.server.inbox.len == sizeof(bad), "%s: the bad record is left over (%u of %zu)",
       prot_name(prot), p.consumed, hello_len + sizeof(bad));
    ok(!p.output_is_alert && c.client.inbox.len > 100 && c.client.inbox.data[0] == 22,
       "%s: the whole server flight comes out (%zu bytes)", prot_name(prot), c.client.inbox.len);
    p = step(&c.server, &c.client, SIZE_MAX);
    /* TLS 1.3 reads it as a record under the handshake keys: bad_record_mac. */
    ok((p.status == SCHAN_SEC_E_ILLEGAL_MESSAGE || (prot == SCHAN_PROT_TLS1_3 && p.status == SCHAN_SEC_E_DECRYPT_FAILURE))
       && p.output_is_alert, "%s: the next call fails with an alert (%08x)",
       prot_name(prot), p.status);
    free_conn(&c);
    ux_free_cred(ccred);
    ux_free_cred(scred);
}

static void test_sslv2_client_hello(void)
{
    struct ux_cred_opts so = { 1, 0, 0, 0, 0, &rsa_cert }, so13 = { 1, SCHAN_PROT_TLS1_3, 0, 0, 0, &rsa_cert };
    uint64_t scred = ux_cred_create(&so, NULL), scred13 = ux_cred_create(&so13, NULL);
    struct peer server = { 0 }, sink = { 0 };
    struct schan_handshake_params p;
    uint8_t hello[128];
    size_t len = sslv2_client_hello(hello, 1);

    server.session = ux_session_flags(scred, NULL, NULL, 0, 0);
    ux_append(&server.inbox, hello, len);
    p = step(&server, &sink, 1);
    ok(p.status == SCHAN_SEC_E_INCOMPLETE_MESSAGE && p.missing == 1, "SSLv2 hello, 1 byte: missing 1 (%u)", p.missing);
    p = step(&server, &sink, 20);
    ok(p.status == SCHAN_SEC_E_INCOMPLETE_MESSAGE && p.missing == len - 20, "SSLv2 hello, 20 bytes: missing %u",
       p.missing);
    p = step(&server, &sink, SIZE_MAX);
    ok_hex(p.status, SCHAN_SEC_I_CONTINUE_NEEDED, "SSLv2 hello: accepted");
    ok(p.consumed == len && sink.inbox.len > 11 && !memcmp(sink.inbox.data, "\x16\x03\x03", 3) && sink.inbox.data[5] == 2
       && !memcmp(sink.inbox.data + 9, "\x03\x03", 2), "SSLv2 hello: answered with a TLS 1.2 ServerHello");
    ux_append(&server.inbox, hello, len);
    ok_hex(step(&server, &sink, SIZE_MAX).status, SCHAN_SEC_E_INVALID_TOKEN, "SSLv2 framing only for the first record");
    ux_free_session(server.session);
    ux_buf_free(&sink.inbox);

    server.session = ux_session_flags(scred13, NULL, NULL, 0, 0);
    ux_append(&server.inbox, hello, len);
    p = step(&server, &sink, SIZE_MAX);
    ok(p.status == SCHAN_SEC_E_ALGORITHM_MISMATCH && p.output_is_alert,
       "SSLv2 hello to a TLS 1.3-only server: SEC_E_ALGORITHM_MISMATCH and an alert (%08x)", p.status);
    ux_free_session(server.session);
    ux_buf_free(&server.inbox);
    ux_buf_free(&sink.inbox);
    ux_free_cred(scred);
    ux_free_cred(scred13);
}

/* Half a record stays incomplete; close_notify is a clean end: a caller
 * whose connection ends with bytes of an incomplete record knows the data
 * was truncated (sspicat reports it). */
static void test_truncation_vs_close(void)
{
    uint64_t ccred, scred;
    struct conn c = established(SCHAN_PROT_TLS1_2, &ccred, &scred);
    struct schan_control_params ctl = { .session = c.client.session, .kind = SCHAN_CONTROL_SHUTDOWN };
    struct schan_decrypt_params d;
    uint8_t rec[256];
    uint32_t status;
    size_t len = ux_encrypt_status(c.client.session, "cut in half", 11, rec, &status);

    d = decrypt_buf(c.server.session, rec, len / 2);
    ok(d.status == SCHAN_SEC_E_INCOMPLETE_MESSAGE && d.missing == len - len / 2 && !d.consumed,
       "half a record: SEC_E_INCOMPLETE_MESSAGE, missing %u", d.missing);
    d = decrypt_buf(c.server.session, rec, len);
    ok(d.status == SCHAN_SEC_E_OK && d.data_len == 11, "the whole record then decrypts");
    ux_call(SCHAN_CALL_CONTROL, &ctl);
    step(&c.client, &c.server, SIZE_MAX);
    d = decrypt_buf(c.server.session, c.server.inbox.data, c.server.inbox.len / 2);
    ok_hex(d.status, SCHAN_SEC_E_INCOMPLETE_MESSAGE, "half of close_notify: still incomplete, not a close");
    d = decrypt_buf(c.server.session, c.server.inbox.data, c.server.inbox.len);
    ok_hex(d.status, SCHAN_SEC_I_CONTEXT_EXPIRED, "the whole close_notify: SEC_I_CONTEXT_EXPIRED");
    release(&c, ccred, scred);
}

struct cache_thread {
    uint64_t scred;
    int resumed;
    pthread_t thread;
};

static void *cache_thread_main(void *arg)
{
    static const char prio[] = "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_TICKETS";
    struct cache_thread *t = arg;
    struct ux_cred_opts co = { 0, SCHAN_PROT_TLS1_2, 0, 0, 0, NULL };
    uint64_t ccred = ux_cred_create(&co, NULL);
    struct conn c;

    for (int i = 0; i < 8; i++)
    {
        if (connect_no_tickets(&c, ccred, t->scred, prio) && get_info(c.server.session).resumed)
            t->resumed++;
        free_conn(&c);
    }
    ux_free_cred(ccred);
    return NULL;
}

/* One process-wide cache, used by sessions on several threads at once. */
static void test_session_cache_threads(void)
{
    struct ux_cred_opts so = { 1, SCHAN_PROT_TLS1_2, 0, 0, 0, &rsa_cert };
    struct cache_thread t[4];
    int resumed = 0;

    for (int i = 0; i < 4; i++)
    {
        t[i].scred = ux_cred_create(&so, NULL);
        t[i].resumed = 0;
        pthread_create(&t[i].thread, NULL, cache_thread_main, &t[i]);
    }
    for (int i = 0; i < 4; i++)
    {
        pthread_join(t[i].thread, NULL);
        resumed += t[i].resumed;
        ux_free_cred(t[i].scred);
    }
    ok(resumed == 4 * 7, "session cache on 4 threads: %d of 28 connections resumed", resumed);
}

/* The cache is bounded: past the limit the oldest session goes first. */
static void test_session_cache_bound(void)
{
    static const char prio[] = "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_TICKETS";
    struct ux_cred_opts co = { 0, SCHAN_PROT_TLS1_2, 0, 0, 0, NULL }, so = { 1, SCHAN_PROT_TLS1_2, 0, 0, 0, &rsa_cert };
    uint64_t scred = ux_cred_create(&so, NULL), ccred[5];
    unsigned int before = schan_server_cache_size();
    struct conn c;

    schan_server_cache_set_limit(before + 3);
    for (int i = 0; i < 5; i++)
    {
        ccred[i] = ux_cred_create(&co, NULL);
        connect_no_tickets(&c, ccred[i], scred, prio);
        free_conn(&c);
    }
    ok(schan_server_cache_size() == before + 3, "session cache bounded: 5 sessions, limit 3, %u kept",
       schan_server_cache_size() - before);
    ok(connect_no_tickets(&c, ccred[0], scred, prio) && !get_info(c.server.session).resumed,
       "session cache bounded: the oldest session was dropped");
    free_conn(&c);
    ok(connect_no_tickets(&c, ccred[4], scred, prio) && get_info(c.server.session).resumed,
       "session cache bounded: the newest still resumes");
    free_conn(&c);
    schan_server_cache_set_limit(0);
    for (int i = 0; i < 5; i++)
        ux_free_cred(ccred[i]);
    ux_free_cred(scred);
}

/* VERIFY_SIGNATURE: the issuer's key against the subject's signature, and
 * nothing a caller passes (truncated, altered, mismatched DER) accepted or
 * crashing. */
static uint32_t verify_signature(const uint8_t *subject, size_t subject_size, const uint8_t *issuer,
                                 size_t issuer_size, uint32_t *status)
{
    struct schan_verify_signature_params p = { { U64(subject), (uint32_t)subject_size, 0 },
                                               { U64(issuer), (uint32_t)issuer_size, 0 }, 0xdeadbeef, 0 };
    uint32_t ret = (uint32_t)ux_call(SCHAN_CALL_VERIFY_SIGNATURE, &p);

    *status = p.status;
    return ret;
}

static void test_verify_signature(void)
{
    const gnutls_datum_t *rsa = &rsa_cert.der, *ecc = &ecc_cert.der, *client = &client_cert.der;
    uint8_t *altered = malloc(ecc->size);
    uint32_t status, ret;
    int accepted = 0, failed = 0;

    ok(!verify_signature(rsa->data, rsa->size, rsa->data, rsa->size, &status) && status == SCHAN_SEC_E_OK,
       "a self-signed RSA certificate verifies against itself");
    ok(!verify_signature(ecc->data, ecc->size, ecc->data, ecc->size, &status) && status == SCHAN_SEC_E_OK,
       "a self-signed ECDSA certificate verifies against itself");
    ok(!verify_signature(ecc->data, ecc->size, rsa->data, rsa->size, &status) && status == SCHAN_SEC_E_CERT_UNKNOWN,
       "an ECDSA signature against an RSA key: SEC_E_CERT_UNKNOWN");
    ok(!verify_signature(client->data, client->size, ecc->data, ecc->size, &status)
       && status == SCHAN_SEC_E_CERT_UNKNOWN, "another ECDSA key: SEC_E_CERT_UNKNOWN");
    memcpy(altered, ecc->data, ecc->size);
    altered[ecc->size - 1] ^= 1;   /* the signature's last byte */
    ok(!verify_signature(altered, ecc->size, ecc->data, ecc->size, &status) && status == SCHAN_SEC_E_CERT_UNKNOWN,
       "a changed signature: SEC_E_CERT_UNKNOWN");
    memcpy(altered, ecc->data, ecc->size);
    altered[40] ^= 1;              /* inside the signed part */
    ok(!verify_signature(altered, ecc->size, ecc->data, ecc->size, &status) && status == SCHAN_SEC_E_CERT_UNKNOWN,
       "a changed signed part: SEC_E_CERT_UNKNOWN");
    for (size_t len = 1; len < ecc->size; len++)
    {
        ret = verify_signature(ecc->data, len, ecc->data, ecc->size, &status);
        accepted += !ret && status == SCHAN_SEC_E_OK;
        failed += ret || status != SCHAN_SEC_E_CERT_UNKNOWN;
        ret = verify_signature(ecc->data, ecc->size, ecc->data, len, &status);
        accepted += !ret && status == SCHAN_SEC_E_OK;
        failed += ret || status != SCHAN_SEC_E_CERT_UNKNOWN;
    }
    ok(!accepted && !failed, "every truncation of subject or issuer: SEC_E_CERT_UNKNOWN (%d accepted, %d other)",
       accepted, failed);
    ok(verify_signature(NULL, 10, ecc->data, ecc->size, &status) == SCHAN_STATUS_INVALID_PARAMETER
       && verify_signature(ecc->data, ecc->size, ecc->data, 0, &status) == SCHAN_STATUS_INVALID_PARAMETER,
       "no subject or an empty issuer: STATUS_INVALID_PARAMETER");
    free(altered);
}

int main(void)
{
    static const uint32_t prots[] = { SCHAN_PROT_TLS1_0, SCHAN_PROT_TLS1_1, SCHAN_PROT_TLS1_2, SCHAN_PROT_TLS1_3 };

    gnutls_global_init();
    ux_make_cert(&rsa_cert, 1, "rsa.server.test");
    ux_make_cert(&ecc_cert, 0, "ecc.server.test");
    ux_make_cert(&client_cert, 0, "client.test");

    test_get_info();
    test_call_table();
    test_verify_signature();
    for (size_t i = 0; i < 4; i++)
    {
        test_protocol(prots[i], &rsa_cert, "RSA");
        test_protocol(prots[i], &ecc_cert, "ECDSA");
    }
    test_byte_split(SCHAN_PROT_TLS1_2);
    test_byte_split(SCHAN_PROT_TLS1_3);
    test_trailing_app_data();
    test_client_flight_then_more();
    test_client_flight_refragmented();
    test_partial_handshake_continue();
    test_decrypt_framing();
    test_tls13_ticket();
    test_tls13_ticket_then_data();
    test_key_update();
    test_hello_request();
    test_resumption(SCHAN_PROT_TLS1_2);
    test_resumption(SCHAN_PROT_TLS1_3);
    test_alpn_sni();
    test_shutdown(1);
    test_shutdown(0);
    test_alert_control();
    test_handshake_states(SCHAN_PROT_TLS1_2);
    test_handshake_states(SCHAN_PROT_TLS1_3);
    test_protocol_mismatch();
    test_garbage();
    test_bindings_and_ekm(SCHAN_PROT_TLS1_2);
    test_bindings_and_ekm(SCHAN_PROT_TLS1_3);
    test_connection_info();
    test_peer_certs();
    test_issuers();
    test_pause_without_thread(SCHAN_PROT_TLS1_2, 0, 0);
    test_pause_without_thread(SCHAN_PROT_TLS1_3, 0, 0);
    test_pause_without_thread(SCHAN_PROT_TLS1_3, 1, 0);
    test_pause_without_thread(SCHAN_PROT_TLS1_2, 0, 1);
    test_pause_without_thread(SCHAN_PROT_TLS1_3, 0, 1);
    test_cred_errors();
    test_cred_outlives_free();
    test_encrypt_limits();
    test_session_id_resumption();
    test_alert_after_record_error(SCHAN_PROT_TLS1_2);
    test_alert_after_record_error(SCHAN_PROT_TLS1_3);
    test_empty_record_flood(SCHAN_PROT_TLS1_2);
    test_empty_record_flood(SCHAN_PROT_TLS1_3);
    test_warning_flood();
    test_flight_before_bad_record(SCHAN_PROT_TLS1_2);
    test_flight_before_bad_record(SCHAN_PROT_TLS1_3);
    test_sslv2_client_hello();
    test_truncation_vs_close();
    test_session_cache_threads();
    test_session_cache_bound();

    ux_free_cert(&rsa_cert);
    ux_free_cert(&ecc_cert);
    ux_free_cert(&client_cert);
    gnutls_global_deinit();
    return tap_done();
}
