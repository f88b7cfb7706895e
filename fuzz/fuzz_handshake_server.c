/*
 * libFuzzer target: the fuzz input arrives at a fresh server session as the
 * client's bytes (ClientHello and what follows).  The server holds an RSA
 * certificate, so RSA, DHE and ECDHE key exchanges are all reachable.
 */
#include "../tests/unix_harness.h"

static struct ux_cert server_cert;
static uint64_t server_cred;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    ux_make_cert(&server_cert, 1, "fuzz.example");
    server_cred = ux_cred(1, SCHAN_PROT_TLS_ALL, &server_cert);
    return server_cred ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t alpn[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1', 2, 'h', '2' };
    struct ux_buf out = { 0 };
    uint8_t *input = size ? malloc(size) : NULL;
    uint64_t session = ux_session(server_cred, NULL, alpn, sizeof(alpn));
    uint8_t buf[64] = { 0 };
    struct schan_decrypt_params d = { .session = session, .buffer = U64(buf), .size = sizeof(buf) };

    if (!session)
        abort();
    if (size)
        memcpy(input, data, size);
    ux_feed_handshake(session, input, size, &out);
    ux_info(session);
    ux_call(SCHAN_CALL_DECRYPT, &d);
    ux_free_session(session);
    ux_buf_free(&out);
    free(input);
    return 0;
}
