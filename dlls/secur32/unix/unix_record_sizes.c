/*
 * The sizes of a record on this connection, fixed at the end of each
 * handshake (unix_handshake.c) and read by ENCRYPT/DECRYPT
 * (unix_record.c) and by the stream sizes callers query (unix_info.c).
 */
#include <gnutls/crypto.h>

#include "unix_private.h"

unsigned int schan_explicit_nonce_size(gnutls_session_t s)
{
    gnutls_protocol_t version = gnutls_protocol_get_version(s);
    gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(s);

    if (version == GNUTLS_TLS1_3)
        return 0;
    switch (cipher)
    {
    case GNUTLS_CIPHER_AES_128_GCM:
    case GNUTLS_CIPHER_AES_256_GCM:
    case GNUTLS_CIPHER_AES_128_CCM:
    case GNUTLS_CIPHER_AES_256_CCM:
    case GNUTLS_CIPHER_AES_128_CCM_8:
    case GNUTLS_CIPHER_AES_256_CCM_8:
        return 8;
    case GNUTLS_CIPHER_CHACHA20_POLY1305:
    case GNUTLS_CIPHER_NULL:
        return 0;
    default:
        /* CBC: TLS 1.1 and later send the IV in front of each record. */
        if (version == GNUTLS_TLS1_0 || gnutls_cipher_get_block_size(cipher) <= 1)
            return 0;
        return (unsigned int)gnutls_cipher_get_block_size(cipher);
    }
}

void schan_record_sizes_update(struct schan_session *session)
{
    session->max_plaintext = gnutls_record_get_max_size(session->s);
    session->record_overhead = gnutls_record_overhead_size(session->s);
    session->explicit_nonce = schan_explicit_nonce_size(session->s);
}
