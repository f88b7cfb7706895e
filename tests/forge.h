/*
 * Records GnuTLS will not send, forged with a live session's write keys:
 * zero-length records of any content type (GnuTLS refuses an empty send).
 * Used by the unit test and by the hostile peer (tests/peers/hostile_peer.c).
 * AES-GCM and ChaCha20-Poly1305 suites, TLS 1.2 (RFC 5288, RFC 7905) and
 * TLS 1.3 (RFC 8446 5.2-5.3).  The session's write sequence number moves on,
 * so GnuTLS's own later records stay valid.
 */
#ifndef SECUR32_TESTS_FORGE_H
#define SECUR32_TESTS_FORGE_H

#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

static inline void forge_put_seq(uint8_t *out, const uint8_t seq[8])
{
    memcpy(out, seq, 8);
}

static inline void forge_next_seq(uint8_t seq[8])
{
    for (int i = 7; i >= 0 && !++seq[i]; i--)
        ;
}

/* Writes one record of content type `type` whose plaintext is empty into
 * out (at least 64 bytes); returns its length, or 0 when the suite is not
 * an AEAD one this knows. */
static inline size_t forge_empty_record(gnutls_session_t s, uint8_t type, uint8_t *out)
{
    gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(s);
    int tls13 = gnutls_protocol_get_version(s) == GNUTLS_TLS1_3;
    gnutls_datum_t mac_key, iv, key;
    gnutls_aead_cipher_hd_t h;
    uint8_t seq[8], nonce[12], aad[13], inner = type, *body = out + 5;
    size_t aad_len, explicit_len = 0, ct_len = 64;
    int ok;

    if (cipher != GNUTLS_CIPHER_AES_128_GCM && cipher != GNUTLS_CIPHER_AES_256_GCM
        && cipher != GNUTLS_CIPHER_CHACHA20_POLY1305)
        return 0;
    if (gnutls_record_get_state(s, 0, &mac_key, &iv, &key, seq) < 0)
        return 0;
    if (tls13 || cipher == GNUTLS_CIPHER_CHACHA20_POLY1305)
    {
        /* The per-record nonce is the static IV XOR the sequence number. */
        memcpy(nonce, iv.data, 12);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= seq[i];
    }
    else
    {
        /* TLS 1.2 GCM: 4 implicit bytes, then 8 explicit ones sent in front. */
        memcpy(nonce, iv.data, 4);
        forge_put_seq(nonce + 4, seq);
        forge_put_seq(body, seq);
        explicit_len = 8;
    }
    out[0] = tls13 ? 23 : type;
    out[1] = 3;
    out[2] = 3;
    if (tls13)
    {
        /* The AAD is the record header; the plaintext is the content type alone. */
        out[3] = 0;
        out[4] = 1 + 16;
        memcpy(aad, out, 5);
        aad_len = 5;
    }
    else
    {
        forge_put_seq(aad, seq);
        aad[8] = type;
        aad[9] = 3;
        aad[10] = 3;
        aad[11] = aad[12] = 0;
        aad_len = 13;
    }
    if (gnutls_aead_cipher_init(&h, cipher, &key) < 0)
        return 0;
    ok = gnutls_aead_cipher_encrypt(h, nonce, 12, aad, aad_len, 16, &inner, tls13 ? 1 : 0,
                                    body + explicit_len, &ct_len) >= 0;
    gnutls_aead_cipher_deinit(h);
    if (!ok)
        return 0;
    out[3] = (uint8_t)((explicit_len + ct_len) >> 8);
    out[4] = (uint8_t)(explicit_len + ct_len);
    forge_next_seq(seq);
    gnutls_record_set_state(s, 0, seq);
    return 5 + explicit_len + ct_len;
}

#endif /* SECUR32_TESTS_FORGE_H */
