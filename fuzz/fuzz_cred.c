/*
 * libFuzzer target: CRED_CREATE with arbitrary certificates, keys and
 * options.  A credential that is accepted must also work, or fail cleanly,
 * in a handshake.
 *
 * Input: 16 bytes of options, then up to 3 certificates and 5 key parts,
 * each as a 2-byte big-endian length and its bytes:
 *   0: bit 0 server, bits 1-2 key type, bits 3-4 curve, bits 5-6 cert count
 *   1-4 protocols, 5-8 disabled_algs, 9 flags, 10 min bits/8, 11 max bits/8,
 *   12-15 session lifespan (ms).
 */
#include "../tests/unix_harness.h"

#define OPTIONS 16

static struct ux_cert peer_cert;
static uint64_t peer_client_cred, peer_server_cred;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    ux_make_cert(&peer_cert, 0, "fuzz.example");
    peer_client_cred = ux_cred(0, SCHAN_PROT_TLS_ALL, NULL);
    peer_server_cred = ux_cred(1, SCHAN_PROT_TLS_ALL, &peer_cert);
    return peer_client_cred && peer_server_cred ? 0 : 1;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Next length-prefixed item, copied to its own exact-size allocation. */
static uint8_t *next_item(const uint8_t **data, size_t *size, uint32_t *len)
{
    size_t n;
    uint8_t *copy;

    *len = 0;
    if (*size < 2)
        return NULL;
    n = (size_t)(*data)[0] << 8 | (*data)[1];
    if (n > *size - 2)
        n = *size - 2;
    copy = malloc(n ? n : 1);
    memcpy(copy, *data + 2, n);
    *data += 2 + n;
    *size -= 2 + n;
    *len = (uint32_t)n;
    return copy;
}

static void try_use(uint64_t cred, int server)
{
    struct ux_pair p;

    if (server)
        ux_pair_connect(&p, peer_client_cred, cred, "fuzz.example", NULL, 0);
    else
        ux_pair_connect(&p, cred, peer_server_cred, "fuzz.example", NULL, 0);
    ux_pair_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct schan_cred_create_params p = { 0 };
    struct schan_blob certs[3];
    uint8_t *items[8] = { 0 };
    unsigned int n = 0;

    if (size < OPTIONS)
        return 0;
    p.is_server = data[0] & 1;
    p.key.type = (data[0] >> 1) & 3;
    p.key.curve = (data[0] >> 3) & 3;
    p.cert_count = (data[0] >> 5) & 3;
    p.protocols = be32(data + 1);
    p.disabled_algs = be32(data + 5);
    p.flags = data[9];
    p.min_cipher_bits = data[10] * 8u;
    p.max_cipher_bits = data[11] * 8u;
    p.session_lifespan_ms = be32(data + 12);
    data += OPTIONS;
    size -= OPTIONS;
    for (unsigned int i = 0; i < p.cert_count; i++, n++)
    {
        items[n] = next_item(&data, &size, &certs[i].size);
        certs[i].data = U64(items[n]);
        certs[i].reserved = 0;
    }
    p.certs = p.cert_count ? U64(certs) : 0;
    for (unsigned int i = 0; i < 5; i++, n++)
    {
        items[n] = next_item(&data, &size, &p.key.parts[i].size);
        p.key.parts[i].data = U64(items[n]);
    }
    if (ux_call(SCHAN_CALL_CRED_CREATE, &p) == 0 && p.cred)
    {
        try_use(p.cred, p.is_server);
        ux_free_cred(p.cred);
    }
    for (unsigned int i = 0; i < n; i++)
        free(items[i]);
    return 0;
}
