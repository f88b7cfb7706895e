/*
 * An SSL 2.0-format CLIENT-HELLO asking for TLS 1.2 (RFC 5246 E.2), as old
 * clients and scanners send it.  Shared by the unit test, the hostile peer
 * and the hostile conformance test; plain C, no Windows or GnuTLS headers.
 */
#ifndef SECUR32_TESTS_SSLV2_HELLO_H
#define SECUR32_TESTS_SSLV2_HELLO_H

#include <stddef.h>
#include <string.h>

/* Writes it to out (at least 128 bytes) with the 32-byte challenge taken
 * from `seed`; returns its length. */
static inline size_t sslv2_client_hello(unsigned char *out, unsigned int seed)
{
    /* AES-CBC, AES-GCM with RSA and ECDHE, and the renegotiation SCSV. */
    static const unsigned char suites[] = { 0, 0, 0x2f, 0, 0, 0x35, 0, 0, 0x9c, 0, 0xc0, 0x2f,
                                            0, 0xc0, 0x30, 0, 0, 0xff };
    size_t body = 9 + sizeof(suites) + 32;

    out[0] = (unsigned char)(0x80 | (body >> 8));
    out[1] = (unsigned char)body;
    /* msg_type 1, version 3.3, cipher_spec_length, session_id_length 0, challenge_length 32 */
    memcpy(out + 2, "\x01\x03\x03\x00\x12\x00\x00\x00\x20", 9);
    memcpy(out + 11, suites, sizeof(suites));
    for (size_t i = 0; i < 32; i++)
        out[11 + sizeof(suites) + i] = (unsigned char)(seed + i * 41);
    return 2 + body;
}

#endif /* SECUR32_TESTS_SSLV2_HELLO_H */
