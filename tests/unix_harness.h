/*
 * The native harness of the Unix half, shared by the unit tests
 * (tests/unit), the libFuzzer targets and the seed recorder (fuzz/), and the
 * native stress program: certificates in the ABI's raw form, credentials,
 * sessions, a growable byte queue and a client/server pair, all driven
 * through the Unix half's function table directly, as the PE half does
 * under Wine.  Everything here is static so each program is one
 * translation unit.
 */
#ifndef UNIX_HARNESS_H
#define UNIX_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "schan_unix_abi.h"
#include "../dlls/secur32/unix/unix_private.h"

extern unix_status (*const __wine_unix_call_funcs[SCHAN_CALL_COUNT])(void *);

#define U64(p) ((uint64_t)(uintptr_t)(p))

static inline int ux_call(enum schan_call code, void *params)
{
    return __wine_unix_call_funcs[code](params);
}

/* ---- a self-signed certificate with its key in the ABI's raw form ---- */

struct ux_cert {
    gnutls_datum_t der;
    gnutls_datum_t parts[5];
    unsigned int nparts;
    struct schan_blob blob;
    struct schan_private_key key;
};

static inline void ux_strip_zeros(gnutls_datum_t *d)
{
    unsigned int skip = 0;

    while (skip + 1 < d->size && !d->data[skip])
        skip++;
    memmove(d->data, d->data + skip, d->size - skip);
    d->size -= skip;
}

static inline void ux_export_key(gnutls_x509_privkey_t key, int rsa, struct ux_cert *c)
{
    gnutls_datum_t unused[3];
    gnutls_ecc_curve_t curve;

    if (rsa)
    {
        gnutls_x509_privkey_export_rsa_raw2(key, &c->parts[0], &c->parts[1], &c->parts[2], &c->parts[3],
                                            &c->parts[4], &unused[0], &unused[1], &unused[2]);
        for (int i = 0; i < 3; i++)
            gnutls_free(unused[i].data);
        c->nparts = 5;
        c->key.type = SCHAN_KEY_RSA;
    }
    else
    {
        gnutls_x509_privkey_export_ecc_raw(key, &curve, &c->parts[0], &c->parts[1], &c->parts[2]);
        c->nparts = 3;
        c->key.type = SCHAN_KEY_ECC;
        c->key.curve = SCHAN_CURVE_P256;
    }
    for (unsigned int i = 0; i < c->nparts; i++)
    {
        ux_strip_zeros(&c->parts[i]);
        c->key.parts[i].data = U64(c->parts[i].data);
        c->key.parts[i].size = c->parts[i].size;
    }
}

static inline void ux_make_cert(struct ux_cert *c, int rsa, const char *cn)
{
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
    unsigned char serial[4] = { 1, 2, 3, 4 };
    time_t now = time(NULL);

    memset(c, 0, sizeof(*c));
    gnutls_x509_privkey_init(&key);
    gnutls_x509_privkey_generate(key, rsa ? GNUTLS_PK_RSA : GNUTLS_PK_ECDSA,
                                 rsa ? 2048 : GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
    gnutls_x509_crt_init(&crt);
    gnutls_x509_crt_set_version(crt, 3);
    gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
    gnutls_x509_crt_set_activation_time(crt, now - 3600);
    gnutls_x509_crt_set_expiration_time(crt, now + 86400);
    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn));
    gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, cn, strlen(cn), GNUTLS_FSAN_SET);
    gnutls_x509_crt_set_key(crt, key);
    gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_ENCIPHERMENT);
    gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &c->der);
    c->blob.data = U64(c->der.data);
    c->blob.size = c->der.size;
    ux_export_key(key, rsa, c);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
}

static inline void ux_free_cert(struct ux_cert *c)
{
    gnutls_free(c->der.data);
    for (unsigned int i = 0; i < c->nparts; i++)
        gnutls_free(c->parts[i].data);
    memset(c, 0, sizeof(*c));
}

/* ---- credentials and sessions ---- */

struct ux_cred_opts {
    int is_server;
    uint32_t protocols;          /* 0: every TLS version */
    uint32_t flags;
    uint32_t disabled;           /* disabled_algs */
    uint32_t lifespan_ms;
    const struct ux_cert *cert;  /* NULL: none */
};

/* CRED_CREATE with every option; *status (when not NULL) gets the call's
 * SEC_ status.  Returns the credential, 0 when the call itself failed. */
static inline uint64_t ux_cred_create(const struct ux_cred_opts *o, uint32_t *status)
{
    struct schan_cred_create_params p = { 0 };

    p.is_server = o->is_server;
    p.protocols = o->protocols ? o->protocols : SCHAN_PROT_TLS_ALL;
    p.flags = o->flags;
    p.disabled_algs = o->disabled;
    p.session_lifespan_ms = o->lifespan_ms;
    if (o->cert)
    {
        p.cert_count = 1;
        p.certs = U64(&o->cert->blob);
        p.key = o->cert->key;
    }
    if (ux_call(SCHAN_CALL_CRED_CREATE, &p))
        return 0;
    if (status)
        *status = p.status;
    return p.cred;
}

/* A credential for TLS 1.2 and 1.3 unless `protocols` says otherwise; 0 on failure. */
static inline uint64_t ux_cred(int server, uint32_t protocols, const struct ux_cert *cert)
{
    struct ux_cred_opts o = { server, protocols ? protocols : SCHAN_PROT_TLS1_2 | SCHAN_PROT_TLS1_3, 0, 0, 0, cert };
    uint32_t status = SCHAN_SEC_E_INTERNAL_ERROR;
    uint64_t cred = ux_cred_create(&o, &status);

    return status == SCHAN_SEC_E_OK ? cred : 0;
}

static inline void ux_free_cred(uint64_t cred)
{
    struct schan_cred_free_params p = { cred };

    if (cred)
        ux_call(SCHAN_CALL_CRED_FREE, &p);
}

static inline uint64_t ux_session_flags(uint64_t cred, const char *target, const void *alpn, uint32_t alpn_size,
                                        uint32_t flags)
{
    struct schan_session_create_params p = { 0 };

    p.cred = cred;
    p.flags = flags;
    p.target = U64(target);
    p.alpn = U64(alpn);
    p.alpn_size = alpn_size;
    if (ux_call(SCHAN_CALL_SESSION_CREATE, &p) || p.status != SCHAN_SEC_E_OK)
        return 0;
    return p.session;
}

static inline uint64_t ux_session(uint64_t cred, const char *target, const void *alpn, uint32_t alpn_size)
{
    return ux_session_flags(cred, target, alpn, alpn_size, 0);
}

static inline void ux_free_session(uint64_t session)
{
    struct schan_session_free_params p = { session };

    if (session)
        ux_call(SCHAN_CALL_SESSION_FREE, &p);
}

/* ---- the byte queue: grows as needed, never drops, aborts when memory runs out ---- */

struct ux_buf {
    uint8_t *data;
    size_t len;
};

static inline void ux_append(struct ux_buf *b, const void *data, size_t len)
{
    uint8_t *grown;

    if (!len)
        return;
    if (!(grown = realloc(b->data, b->len + len)))
        abort();
    b->data = grown;
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

static inline void ux_consume(struct ux_buf *b, size_t n)
{
    if (n > b->len)
        abort();
    if (!n)
        return;
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

static inline void ux_buf_free(struct ux_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

/* One HANDSHAKE call with `in` (NULL for none); output is appended to `out`
 * (through TAKE_OUTPUT when it did not fit).  Checks the ABI's promises. */
/* ux_step that also lets the call which ends the handshake fill `info`. */
static inline struct schan_handshake_params ux_step_info(uint64_t session, const uint8_t *in, size_t in_len,
                                                  struct ux_buf *out, struct schan_connection_info *info)
{
    struct schan_handshake_params p = { 0 };
    uint8_t small[512];

    p.session = session;
    p.input = U64(in);
    p.input_size = (uint32_t)in_len;
    p.output = U64(small);
    p.output_size = sizeof(small);
    p.info = U64(info);
    if (ux_call(SCHAN_CALL_HANDSHAKE, &p))
        abort();
    if (p.consumed > in_len)
        abort();
    if (p.output_len && p.output_copied)
        ux_append(out, small, p.output_len);
    else if (p.output_len)
    {
        struct schan_take_output_params t = { session, 0, p.output_len, 0 };
        uint8_t *big = malloc(p.output_len);

        t.output = U64(big);
        if (!big || ux_call(SCHAN_CALL_TAKE_OUTPUT, &t) || t.output_len != p.output_len)
            abort();
        ux_append(out, big, t.output_len);
        free(big);
    }
    return p;
}

static inline struct schan_handshake_params ux_step(uint64_t session, const uint8_t *in, size_t in_len,
                                             struct ux_buf *out)
{
    return ux_step_info(session, in, in_len, out, NULL);
}

static inline int ux_running(uint32_t status)
{
    return status == SCHAN_SEC_I_CONTINUE_NEEDED || status == SCHAN_SEC_E_INCOMPLETE_MESSAGE;
}

/* Feeds `in` to a session's handshake until it stops consuming. */
static inline uint32_t ux_feed_handshake(uint64_t session, const uint8_t *in, size_t len, struct ux_buf *out)
{
    struct schan_handshake_params p;

    do
    {
        p = ux_step(session, in, len, out);
        if (p.consumed)
            in += p.consumed;
        len -= p.consumed;
    } while (p.status == SCHAN_SEC_I_CONTINUE_NEEDED && p.consumed && len);
    return p.status;
}

/* A client and a server session in memory.  `c2s`/`s2c` keep every byte
 * that crossed, for the seed recorder; `c_in`/`s_in` are what is unread. */
struct ux_pair {
    uint64_t client, server;
    struct ux_buf c_in, s_in;
    struct ux_buf c2s, s2c;
};

static inline void ux_pair_free(struct ux_pair *p)
{
    ux_free_session(p->client);
    ux_free_session(p->server);
    ux_buf_free(&p->c_in);
    ux_buf_free(&p->s_in);
    ux_buf_free(&p->c2s);
    ux_buf_free(&p->s2c);
    memset(p, 0, sizeof(*p));
}

static inline uint32_t ux_pair_side(uint64_t self, struct ux_buf *in, struct ux_buf *to_peer, struct ux_buf *log)
{
    struct ux_buf out = { 0 };
    struct schan_handshake_params r = ux_step(self, in->data, in->len, &out);

    ux_consume(in, r.consumed);
    ux_append(to_peer, out.data, out.len);
    ux_append(log, out.data, out.len);
    ux_buf_free(&out);
    return r.status;
}

/* Runs a full handshake; returns 1 when both sides reached SEC_E_OK. */
static inline int ux_pair_connect(struct ux_pair *p, uint64_t ccred, uint64_t scred, const char *target,
                           const void *alpn, uint32_t alpn_size)
{
    uint32_t cs = SCHAN_SEC_I_CONTINUE_NEEDED, ss = SCHAN_SEC_I_CONTINUE_NEEDED;

    memset(p, 0, sizeof(*p));
    if (!(p->client = ux_session(ccred, target, alpn, alpn_size))
        || !(p->server = ux_session(scred, NULL, alpn, alpn_size)))
        return 0;
    cs = ux_pair_side(p->client, &p->c_in, &p->s_in, &p->c2s);
    for (int round = 0; round < 50 && (cs != SCHAN_SEC_E_OK || ss != SCHAN_SEC_E_OK); round++)
    {
        if (ss != SCHAN_SEC_E_OK && p->s_in.len)
            ss = ux_pair_side(p->server, &p->s_in, &p->c_in, &p->s2c);
        if (cs != SCHAN_SEC_E_OK && p->c_in.len)
            cs = ux_pair_side(p->client, &p->c_in, &p->s_in, &p->c2s);
        if ((!ux_running(cs) && cs != SCHAN_SEC_E_OK) || (!ux_running(ss) && ss != SCHAN_SEC_E_OK))
            return 0;
    }
    return cs == SCHAN_SEC_E_OK && ss == SCHAN_SEC_E_OK;
}

/* GET_CONNECTION_INFO into *info, which keeps what the caller filled it
 * with where the call writes nothing. */
static inline void ux_info_into(uint64_t session, uint32_t flags, struct schan_connection_info *info)
{
    struct schan_get_connection_info_params p = { session, U64(info), 0, flags };

    ux_call(SCHAN_CALL_GET_CONNECTION_INFO, &p);
}

static inline struct schan_connection_info ux_info(uint64_t session)
{
    struct schan_connection_info info;

    memset(&info, 0, sizeof(info));
    ux_info_into(session, 0, &info);
    return info;
}

/* Encrypts len bytes into out (header || data || trailer) as they are,
 * whatever their length; *status gets ENCRYPT's status.  Returns the
 * record length (0 on failure). */
static inline size_t ux_encrypt_status(uint64_t session, const void *msg, size_t len, uint8_t *out,
                                       uint32_t *status)
{
    struct schan_connection_info info = ux_info(session);
    struct schan_encrypt_params p = { 0 };

    memcpy(out + info.header_size, msg, len);
    p.session = session;
    p.header = U64(out);
    p.data = U64(out + info.header_size);
    p.trailer = U64(out + info.header_size + len);
    p.header_size = info.header_size;
    p.data_size = (uint32_t)len;
    p.trailer_size = info.trailer_size;
    p.status = SCHAN_SEC_E_INTERNAL_ERROR;
    ux_call(SCHAN_CALL_ENCRYPT, &p);
    *status = p.status;
    return p.status == SCHAN_SEC_E_OK ? info.header_size + len + p.trailer_used : 0;
}

/* Encrypts 1..max_message bytes into out; returns the record length (0 on failure). */
static inline size_t ux_encrypt(uint64_t session, const void *msg, size_t len, uint8_t *out)
{
    uint32_t status;

    if (!len || len > ux_info(session).max_message)
        return 0;
    return ux_encrypt_status(session, msg, len, out, &status);
}

/* DECRYPTs record after record out of buf, as a caller loops over EXTRA;
 * answers SEC_I_RENEGOTIATE with HANDSHAKE.  Returns the last status. */
static inline uint32_t ux_decrypt_all(uint64_t session, uint8_t *buf, size_t len)
{
    struct schan_decrypt_params p;
    struct ux_buf reply = { 0 };
    uint32_t status = SCHAN_SEC_E_OK;

    for (int guard = 0; len && guard < 4096; guard++)
    {
        memset(&p, 0, sizeof(p));
        p.session = session;
        p.buffer = U64(buf);
        p.size = (uint32_t)len;
        if (ux_call(SCHAN_CALL_DECRYPT, &p))
            abort();
        if (p.consumed > len || (p.data_len && (size_t)p.data_offset + p.data_len > p.consumed))
            abort();
        status = p.status;
        if (status == SCHAN_SEC_I_RENEGOTIATE)
            status = ux_step(session, NULL, 0, &reply).status;
        if (status != SCHAN_SEC_E_OK || !p.consumed)
            break;
        buf += p.consumed;
        len -= p.consumed;
    }
    ux_buf_free(&reply);
    return status;
}

#endif /* UNIX_HARNESS_H */
