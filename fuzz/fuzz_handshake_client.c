/*
 * libFuzzer target: a fresh client session sends its ClientHello, then the
 * fuzz input arrives as the server's bytes.  Whatever they are, HANDSHAKE
 * must report a status, consume within bounds, and leave a session that
 * still answers every other call and frees cleanly.  Inputs of odd length
 * get a session that may pause for a client certificate (what programs
 * without ISC_REQ_USE_SUPPLIED_CREDS get): its handshake runs on the
 * coroutine stack, and a CertificateRequest leaves it paused when freed.
 */
#include "../tests/unix_harness.h"

static uint64_t client_cred;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    client_cred = ux_cred(0, SCHAN_PROT_TLS_ALL, NULL);
    return client_cred ? 0 : 1;
}

/* Calls a failed or finished session must still answer. */
static void poke(uint64_t session)
{
    uint8_t buf[64] = { 0 };
    struct schan_get_peer_certs_params pc = { session, U64(buf), sizeof(buf), 0, 0, 0 };
    struct schan_decrypt_params d = { .session = session, .buffer = U64(buf), .size = sizeof(buf) };
    struct ux_buf out = { 0 };

    ux_info(session);
    ux_call(SCHAN_CALL_GET_PEER_CERTS, &pc);
    ux_call(SCHAN_CALL_DECRYPT, &d);
    ux_step(session, NULL, 0, &out);
    ux_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t alpn[] = { 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
    struct ux_buf out = { 0 };
    uint8_t *input = size ? malloc(size) : NULL;   /* exact size: ASan sees over-reads */
    uint64_t session = ux_session_flags(client_cred, "fuzz.example", alpn, sizeof(alpn),
                                        (size & 1) ? SCHAN_SESSION_PAUSE_FOR_CLIENT_CERT : 0);

    if (!session)
        abort();
    if (size)
        memcpy(input, data, size);
    if (ux_step(session, NULL, 0, &out).status != SCHAN_SEC_I_CONTINUE_NEEDED)
        abort();
    ux_feed_handshake(session, input, size, &out);
    poke(session);
    ux_free_session(session);
    ux_buf_free(&out);
    free(input);
    return 0;
}
