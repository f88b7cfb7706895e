/*
 * libFuzzer target: ALPN lists and target names (SNI, session-cache key).
 *
 * Input: byte 0 = length of the client's ALPN bytes, byte 1 = length of the
 * server's, byte 2 bit 0 = no target at all; then the client's ALPN, the
 * server's ALPN, and the rest is the target name (NUL added; it may hold
 * NULs of its own).  Both sessions are created and, when both exist, run a
 * whole handshake, so the ClientHello's SNI and ALPN reach the server.
 */
#include "../tests/unix_harness.h"

static struct ux_cert server_cert;
static uint64_t client_cred, server_cred;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    ux_make_cert(&server_cert, 0, "fuzz.example");
    client_cred = ux_cred(0, SCHAN_PROT_TLS_ALL, NULL);
    server_cred = ux_cred(1, SCHAN_PROT_TLS_ALL, &server_cert);
    return client_cred && server_cred ? 0 : 1;
}

static uint8_t *copy_exact(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);

    if (size)
        memcpy(copy, data, size);
    return copy;
}

static void handshake(uint64_t client, uint64_t server)
{
    struct ux_buf to_server = { 0 }, to_client = { 0 };
    uint32_t cs = SCHAN_SEC_I_CONTINUE_NEEDED, ss = SCHAN_SEC_I_CONTINUE_NEEDED;

    cs = ux_step(client, NULL, 0, &to_server).status;
    for (int round = 0; round < 20 && ux_running(cs) && (ux_running(ss) || ss == SCHAN_SEC_E_OK); round++)
    {
        struct ux_buf in = to_server;

        memset(&to_server, 0, sizeof(to_server));
        if (in.len)
            ss = ux_feed_handshake(server, in.data, in.len, &to_client);
        ux_buf_free(&in);
        in = to_client;
        memset(&to_client, 0, sizeof(to_client));
        if (!in.len)
            break;
        cs = ux_feed_handshake(client, in.data, in.len, &to_server);
        ux_buf_free(&in);
    }
    ux_info(client);
    ux_info(server);
    ux_buf_free(&to_server);
    ux_buf_free(&to_client);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t calpn_len, salpn_len;
    uint8_t *calpn, *salpn;
    char *target = NULL;
    uint64_t client, server;

    if (size < 3)
        return 0;
    calpn_len = data[0] < size - 3 ? data[0] : size - 3;
    salpn_len = data[1] < size - 3 - calpn_len ? data[1] : size - 3 - calpn_len;
    calpn = copy_exact(data + 3, calpn_len);
    salpn = copy_exact(data + 3 + calpn_len, salpn_len);
    if (!(data[2] & 1))
    {
        size_t tlen = size - 3 - calpn_len - salpn_len;

        target = malloc(tlen + 1);
        memcpy(target, data + 3 + calpn_len + salpn_len, tlen);
        target[tlen] = 0;
    }
    client = ux_session(client_cred, target, calpn_len ? calpn : NULL, (uint32_t)calpn_len);
    server = ux_session(server_cred, NULL, salpn_len ? salpn : NULL, (uint32_t)salpn_len);
    if (client && server)
        handshake(client, server);
    ux_free_session(client);
    ux_free_session(server);
    free(calpn);
    free(salpn);
    free(target);
    return 0;
}
