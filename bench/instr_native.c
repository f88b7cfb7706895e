/*
 * instr_native: the work whose instructions `make bench` counts with
 * valgrind --tool=callgrind (bench/instructions.sh), natively, because
 * callgrind cannot follow a Wine process.
 *
 *   ours: our Unix half (secur32.so's sources, linked in) driven through
 *         __wine_unix_call_funcs exactly as the PE half drives it: a client
 *         session with the flags of a program that does not pass
 *         ISC_REQ_USE_SUPPLIED_CREDS (SCHAN_SESSION_PAUSE_FOR_CLIENT_CERT),
 *         or with them (ours-supplied), HANDSHAKE calls until done, one per
 *         flight: each brings its output, and the last one the connection
 *         info (as the PE half passes its token space and &ctx->info); one
 *         ENCRYPT and one DECRYPT per record.
 *   raw:  GnuTLS called directly for the same handshake and records.
 * Both sides send the same certificate chain (tests/certs/server-rsa-chain.pem)
 * and use the same protocol limits; the group negotiated is printed.
 * What this does not count: the PE half and Wine's PE<->Unix crossing.
 *
 * res13 is a resumed TLS 1.3 handshake: tickets on both sides, the client
 * reads the ticket after each handshake (DECRYPT, then HANDSHAKE, as the PE
 * half does after SEC_I_RENEGOTIATE) and resumes with it the next time.
 *
 * usage: instr_native CERTDIR ours|ours-supplied|raw hs12|hs13|res13|rec16k|rec64 N
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "schan_unix_abi.h"

typedef int32_t unix_status;
extern unix_status (*const __wine_unix_call_funcs[SCHAN_CALL_COUNT])(void *);
#define U64(p) ((uint64_t)(uintptr_t)(p))

static void die(const char *what)
{
    fprintf(stderr, "instr_native: %s\n", what);
    exit(1);
}

static void call(enum schan_call code, void *p)
{
    if (__wine_unix_call_funcs[code](p))
        die("unix call failed");
}

/* ---- wires ---- */

struct wire { uint8_t data[65536]; size_t len, pos; };
static struct wire c2s, s2c;

static void wire_put(struct wire *w, const void *data, size_t len)
{
    if (w->len + len > sizeof(w->data))
        die("wire full");
    memcpy(w->data + w->len, data, len);
    w->len += len;
}

static void wire_take(struct wire *w, size_t n)
{
    memmove(w->data, w->data + n, w->len - n);
    w->len -= n;
}

/* ---- ours ---- */

static uint64_t scred, ccred;
static int paused_flags = SCHAN_SESSION_PAUSE_FOR_CLIENT_CERT;
static int resumable;   /* res13: session cache and tickets on both sides */

static void load_server(const char *dir, struct schan_cred_create_params *p, struct schan_blob *blobs,
                        gnutls_datum_t *ders, gnutls_datum_t *parts)
{
    char path[4096];
    gnutls_datum_t pem;
    gnutls_x509_crt_t *crts;
    gnutls_x509_privkey_t key;
    unsigned int n;

    snprintf(path, sizeof(path), "%s/server-rsa-chain.pem", dir);
    if (gnutls_load_file(path, &pem) < 0 || gnutls_x509_crt_list_import2(&crts, &n, &pem, GNUTLS_X509_FMT_PEM, 0) < 0)
        die("chain");
    gnutls_free(pem.data);
    for (unsigned int i = 0; i < n && i < 4; i++)
    {
        gnutls_x509_crt_export2(crts[i], GNUTLS_X509_FMT_DER, &ders[i]);
        blobs[i].data = U64(ders[i].data);
        blobs[i].size = ders[i].size;
        gnutls_x509_crt_deinit(crts[i]);
    }
    gnutls_free(crts);
    snprintf(path, sizeof(path), "%s/server-rsa.key", dir);
    if (gnutls_load_file(path, &pem) < 0 || gnutls_x509_privkey_init(&key) < 0
        || gnutls_x509_privkey_import(key, &pem, GNUTLS_X509_FMT_PEM) < 0
        || gnutls_x509_privkey_export_rsa_raw2(key, &parts[0], &parts[1], &parts[2], &parts[3], &parts[4],
                                               NULL, NULL, NULL) < 0)
        die("key");
    gnutls_free(pem.data);
    gnutls_x509_privkey_deinit(key);
    p->cert_count = n < 4 ? n : 4;
    p->certs = U64(blobs);
    p->key.type = SCHAN_KEY_RSA;
    for (int i = 0; i < 5; i++)
    {
        p->key.parts[i].data = U64(parts[i].data);
        p->key.parts[i].size = parts[i].size;
    }
}

static void ours_setup(const char *dir, uint32_t prot)
{
    struct schan_cred_create_params s = { 0 }, c = { 0 };
    struct schan_blob blobs[4];
    gnutls_datum_t ders[4] = { { 0 } }, parts[5];

    load_server(dir, &s, blobs, ders, parts);
    s.is_server = 1;
    s.protocols = c.protocols = prot;
    /* full handshakes: no session cache, no tickets (raw: the same) */
    if (!resumable)
        s.session_lifespan_ms = c.session_lifespan_ms = 0xffffffffu;
    call(SCHAN_CALL_CRED_CREATE, &s);
    call(SCHAN_CALL_CRED_CREATE, &c);
    if (s.status || c.status)
        die("cred");
    scred = s.cred;
    ccred = c.cred;
    for (int i = 0; i < 4; i++) gnutls_free(ders[i].data);
    for (int i = 0; i < 5; i++) gnutls_free(parts[i].data);
}

/* One HANDSHAKE call, as the PE half makes it: the flight and, at the end
 * of a handshake, the connection info come back in the same call. */
static uint32_t ours_step(uint64_t session, struct wire *in, struct wire *out, struct schan_connection_info *info)
{
    struct schan_handshake_params p = { 0 };
    uint8_t buf[16384];

    p.session = session;
    p.info = U64(info);
    p.input = U64(in->data);
    p.input_size = (uint32_t)in->len;
    p.output = U64(buf);
    p.output_size = sizeof(buf);
    call(SCHAN_CALL_HANDSHAKE, &p);
    wire_take(in, p.consumed);
    if (p.output_len && !p.output_copied)
        die("output did not fit");
    wire_put(out, buf, p.output_len);
    return p.status;
}

static uint64_t ours_session(uint64_t cred, uint32_t flags)
{
    struct schan_session_create_params p = { 0 };

    p.cred = cred;
    p.target = U64(cred == ccred ? "localhost" : NULL);
    p.flags = flags;
    call(SCHAN_CALL_SESSION_CREATE, &p);
    if (p.status)
        die("session");
    return p.session;
}

static void ours_handshake(uint64_t *client, uint64_t *server, struct schan_connection_info *info)
{
    uint32_t cs, ss = SCHAN_SEC_I_CONTINUE_NEEDED;
    struct schan_connection_info sinfo;

    c2s.len = s2c.len = 0;
    *client = ours_session(ccred, paused_flags);
    *server = ours_session(scred, 0);
    info->handshake_done = sinfo.handshake_done = 0;
    cs = ours_step(*client, &s2c, &c2s, info);
    for (int i = 0; i < 20 && (cs || ss); i++)
    {
        if (c2s.len && ss) ss = ours_step(*server, &c2s, &s2c, &sinfo);
        if (s2c.len && cs) cs = ours_step(*client, &s2c, &c2s, info);
        if ((cs && cs != SCHAN_SEC_I_CONTINUE_NEEDED) || (ss && ss != SCHAN_SEC_I_CONTINUE_NEEDED))
            die("handshake failed");
    }
    if (cs || ss)
        die("handshake did not finish");
    if (!info->handshake_done || !sinfo.handshake_done)
        die("no connection info from the last HANDSHAKE call");
}

/* The ticket that followed the handshake: DECRYPT says SEC_I_RENEGOTIATE,
 * the next HANDSHAKE keeps the session for resumption. */
static void ours_read_ticket(uint64_t client)
{
    struct schan_connection_info info;

    while (s2c.len)
    {
        struct schan_decrypt_params d = { 0 };

        d.session = client;
        d.buffer = U64(s2c.data);
        d.size = (uint32_t)s2c.len;
        call(SCHAN_CALL_DECRYPT, &d);
        if (d.status != SCHAN_SEC_I_RENEGOTIATE && d.status != SCHAN_SEC_E_OK)
            die("ticket");
        wire_take(&s2c, d.consumed);
        if (d.status == SCHAN_SEC_I_RENEGOTIATE && ours_step(client, &s2c, &c2s, &info))
            die("after the ticket");
    }
}

static void ours_free(uint64_t session)
{
    struct schan_session_free_params p = { session };
    call(SCHAN_CALL_SESSION_FREE, &p);
}

static void ours_record(uint64_t from, uint64_t to, const struct schan_connection_info *info, uint8_t *buf, size_t len)
{
    struct schan_encrypt_params e = { 0 };
    struct schan_decrypt_params d = { 0 };

    e.session = from;
    e.header = U64(buf);
    e.header_size = info->header_size;
    e.data = U64(buf + info->header_size);
    e.data_size = (uint32_t)len;
    e.trailer = U64(buf + info->header_size + len);
    e.trailer_size = info->trailer_size;
    call(SCHAN_CALL_ENCRYPT, &e);
    d.session = to;
    d.buffer = U64(buf);
    d.size = info->header_size + (uint32_t)len + e.trailer_used;
    call(SCHAN_CALL_DECRYPT, &d);
    if (e.status || d.status || d.data_len != len)
        die("record");
}

/* ---- raw GnuTLS ---- */

static gnutls_certificate_credentials_t raw_scred, raw_ccred;
static gnutls_priority_t raw_prio;
static gnutls_datum_t raw_ticket_key, raw_session_data;

static ssize_t raw_push(gnutls_transport_ptr_t t, const void *data, size_t len)
{
    wire_put(t, data, len);
    return (ssize_t)len;
}

static ssize_t raw_pull(gnutls_transport_ptr_t t, void *data, size_t len)
{
    struct wire *w = t;
    size_t n = w->len < len ? w->len : len;

    if (!n)
    {
        errno = EAGAIN;
        return -1;
    }
    memcpy(data, w->data, n);
    wire_take(w, n);
    return (ssize_t)n;
}

static void raw_setup(const char *dir, uint32_t prot)
{
    char chain[4096], key[4096];

    snprintf(chain, sizeof(chain), "%s/server-rsa-chain.pem", dir);
    snprintf(key, sizeof(key), "%s/server-rsa.key", dir);
    if (gnutls_certificate_allocate_credentials(&raw_scred) < 0
        || gnutls_certificate_set_x509_key_file(raw_scred, chain, key, GNUTLS_X509_FMT_PEM) < 0
        || gnutls_certificate_allocate_credentials(&raw_ccred) < 0
        || (resumable && gnutls_session_ticket_key_generate(&raw_ticket_key) < 0)
        || gnutls_priority_init(&raw_prio, prot == SCHAN_PROT_TLS1_3 ? "NORMAL:-VERS-ALL:+VERS-TLS1.3"
                                                                       : "NORMAL:-VERS-ALL:+VERS-TLS1.2", NULL) < 0)
        die("raw credentials");
}

static gnutls_session_t raw_session(int server)
{
    gnutls_session_t s;

    gnutls_init(&s, (server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK | GNUTLS_NO_AUTO_REKEY
                | (resumable ? 0 : GNUTLS_NO_TICKETS));
    gnutls_priority_set(s, raw_prio);
    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, server ? raw_scred : raw_ccred);
    gnutls_transport_set_ptr2(s, server ? &c2s : &s2c, server ? &s2c : &c2s);
    gnutls_transport_set_push_function(s, raw_push);
    gnutls_transport_set_pull_function(s, raw_pull);
    gnutls_handshake_set_timeout(s, 0);
    if (server && resumable)
        gnutls_session_ticket_enable_server(s, &raw_ticket_key);
    if (!server)
        gnutls_server_name_set(s, GNUTLS_NAME_DNS, "localhost", 9);
    if (!server && raw_session_data.size)
        gnutls_session_set_data(s, raw_session_data.data, raw_session_data.size);
    return s;
}

static void raw_handshake(gnutls_session_t *client, gnutls_session_t *server)
{
    int cr = GNUTLS_E_AGAIN, sr = GNUTLS_E_AGAIN;

    c2s.len = s2c.len = 0;
    *client = raw_session(0);
    *server = raw_session(1);
    for (int i = 0; i < 20 && (cr || sr); i++)
    {
        if (cr) cr = gnutls_handshake(*client);
        if (sr) sr = gnutls_handshake(*server);
        if ((cr && cr != GNUTLS_E_AGAIN) || (sr && sr != GNUTLS_E_AGAIN))
            die("raw handshake failed");
    }
    if (cr || sr)
        die("raw handshake did not finish");
}

/* The ticket, read as a client does, and the session kept for next time. */
static void raw_read_ticket(gnutls_session_t client)
{
    uint8_t buf[256];

    while (s2c.len && gnutls_record_recv(client, buf, sizeof(buf)) == GNUTLS_E_AGAIN)
        ;
    gnutls_free(raw_session_data.data);
    if (gnutls_session_get_data2(client, &raw_session_data) < 0)
        die("raw session data");
}

static void raw_record(gnutls_session_t from, gnutls_session_t to, uint8_t *buf, size_t len)
{
    if (gnutls_record_send(from, buf, len) != (ssize_t)len || gnutls_record_recv(to, buf, len) != (ssize_t)len)
        die("raw record");
}

int main(int argc, char **argv)
{
    static uint8_t buf[16384 + 512];
    const char *side, *op;
    uint32_t prot;
    long n;

    if (argc != 5)
        die("usage: instr_native CERTDIR ours|ours-supplied|raw hs12|hs13|rec16k|rec64 N");
    side = argv[2];
    op = argv[3];
    n = atol(argv[4]);
    prot = !strcmp(op, "hs12") ? SCHAN_PROT_TLS1_2 : SCHAN_PROT_TLS1_3;
    resumable = !strcmp(op, "res13");
    gnutls_global_init();
    if (!strcmp(side, "raw"))
    {
        gnutls_session_t c, s;

        raw_setup(argv[1], prot);
        if (!strncmp(op, "hs", 2) || resumable)
        {
            raw_handshake(&c, &s);   /* warm-up, and the label */
            printf("group %s\n", gnutls_group_get_name(gnutls_group_get(c)));
            if (resumable)
                raw_read_ticket(c);
            gnutls_deinit(c); gnutls_deinit(s);
            for (long i = 0; i < n; i++)
            {
                raw_handshake(&c, &s);
                if (resumable)
                {
                    if (!gnutls_session_is_resumed(c))
                        die("raw: not resumed");
                    raw_read_ticket(c);
                }
                gnutls_deinit(c);
                gnutls_deinit(s);
            }
            return 0;
        }
        raw_handshake(&c, &s);
        raw_record(c, s, buf, 64);
        for (long i = 0; i < n; i++)
            raw_record(c, s, buf, !strcmp(op, "rec64") ? 64 : 16384);
        return 0;
    }
    {
        struct schan_connection_info info;
        uint64_t c, s;

        if (!strcmp(side, "ours-supplied"))
            paused_flags = 0;
        ours_setup(argv[1], prot);
        if (!strncmp(op, "hs", 2) || resumable)
        {
            ours_handshake(&c, &s, &info);
            printf("group %s\n", info.group_name);
            if (resumable)
                ours_read_ticket(c);
            ours_free(c); ours_free(s);
            for (long i = 0; i < n; i++)
            {
                ours_handshake(&c, &s, &info);
                if (resumable)
                {
                    if (!info.resumed)
                        die("ours: not resumed");
                    ours_read_ticket(c);
                }
                ours_free(c);
                ours_free(s);
            }
            return 0;
        }
        ours_handshake(&c, &s, &info);
        ours_record(c, s, &info, buf, 64);
        for (long i = 0; i < n; i++)
            ours_record(c, s, &info, buf, !strcmp(op, "rec64") ? 64 : 16384);
    }
    return 0;
}
