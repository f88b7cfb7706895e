/*
 * ENCRYPT and DECRYPT: one TLS record per call, in the caller's memory.
 */
#include <string.h>

#include "unix_private.h"

static int session_usable(const struct schan_session *session)
{
    return session->done && !session->failure;
}

/* ---- ENCRYPT ---- */

static size_t max_message(struct schan_session *session)
{
    return session->dtls ? schan_dtls_max_message(session) : session->max_plaintext;
}

static uint32_t check_encrypt_sizes(struct schan_session *session, const struct schan_encrypt_params *p)
{
    if (!p->data_size || p->data_size > max_message(session))
    {
        WARN("EncryptMessage: the DATA buffer holds %u bytes; a record takes 1 to %zu (cbMaximumMessage)\n",
             p->data_size, max_message(session));
        return SCHAN_SEC_E_INVALID_PARAMETER;
    }
    if (p->header_size < SCHAN_RECORD_HEADER_SIZE
        || (size_t)p->header_size + p->trailer_size < session->record_overhead)
    {
        WARN("EncryptMessage: header %u + trailer %u bytes cannot hold the record overhead of %zu bytes "
             "(use SECPKG_ATTR_STREAM_SIZES)\n", p->header_size, p->trailer_size, session->record_overhead);
        return SCHAN_SEC_E_BUFFER_TOO_SMALL;
    }
    return SCHAN_SEC_E_OK;
}

static uint32_t encrypt_record(struct schan_session *session, struct schan_encrypt_params *p)
{
    struct schan_scatter sc = {
        { SCHAN_PTR(p->header), SCHAN_PTR(p->data), SCHAN_PTR(p->trailer) },
        { p->header_size, p->data_size, p->trailer_size },
        { 0, 0, 0 }, 0
    };
    ssize_t ret;

    session->send.scatter = &sc;
    ret = gnutls_record_send(session->s, SCHAN_PTR(p->data), p->data_size);
    session->send.scatter = NULL;
    if (sc.overflow)
        return SCHAN_SEC_E_BUFFER_TOO_SMALL;
    if (ret < 0)
    {
        uint32_t status = schan_map_error(session->s, (int)ret);
        return status == SCHAN_SEC_E_INTERNAL_ERROR ? SCHAN_SEC_E_ENCRYPT_FAILURE : status;
    }
    if ((size_t)ret != p->data_size || sc.used[0] != p->header_size || sc.used[1] != p->data_size)
        return SCHAN_SEC_E_ENCRYPT_FAILURE;
    p->trailer_used = (uint32_t)sc.used[2];
    return SCHAN_SEC_E_OK;
}

unix_status schan_encrypt(void *args)
{
    struct schan_encrypt_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);

    if (!session || !p->header || !p->data || (p->trailer_size && !p->trailer))
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    p->trailer_used = 0;
    if (!session_usable(session))
        p->status = SCHAN_SEC_E_CONTEXT_EXPIRED;
    else if ((p->status = check_encrypt_sizes(session, p)) == SCHAN_SEC_E_OK)
    {
        schan_dtls_lock(session);   /* DTLS only: DECRYPT may be sending a flight again */
        p->status = encrypt_record(session, p);
        schan_dtls_unlock(session);
    }
    return (unix_status)SCHAN_STATUS_SUCCESS;
}

/* ---- DECRYPT ---- */

static uint32_t post_handshake_message(struct schan_session *session)
{
    schan_state_after_record(session, SCHAN_STATE_RENEGOTIATE);
    return SCHAN_SEC_I_RENEGOTIATE;
}

/* A record that gave no application data: a warning, an empty record or
 * part of a longer handshake message; limited in a row (unix_record_guard.c). */
static ssize_t nothing_received(struct schan_session *session, ssize_t ret)
{
    int err;

    if (ret == GNUTLS_E_WARNING_ALERT_RECEIVED)
        schan_diag_warning_alert(session);
    if (session->post_hs_message)
    {
        schan_guard_progress(session);
        return 0;
    }
    err = schan_guard_nothing_received(session, ret == GNUTLS_E_WARNING_ALERT_RECEIVED);
    return err ? err : GNUTLS_E_AGAIN;
}

static uint32_t decrypt_result(struct schan_session *session, ssize_t ret, struct schan_decrypt_params *p)
{
    uint32_t status;

    if (ret > 0)
    {
        schan_guard_progress(session);
        p->data_len = (uint32_t)ret;
        return SCHAN_SEC_E_OK;
    }
    if (ret == 0)
    {
        TRACE("session %p: the peer closed the connection (close_notify)\n", (void *)session);
        session->peer_closed = 1;
        schan_state_after_record(session, SCHAN_STATE_CLOSED);
        return SCHAN_SEC_I_CONTEXT_EXPIRED;
    }
    if (ret == GNUTLS_E_REHANDSHAKE)
    {
        schan_guard_progress(session);
        session->rehandshake_requested = 1;
        return post_handshake_message(session);
    }
    if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_WARNING_ALERT_RECEIVED)
    {
        /* A post-handshake message completed in this record, or nothing did. */
        if (!(ret = nothing_received(session, ret)))
            return post_handshake_message(session);
        if (ret == GNUTLS_E_AGAIN)
            return SCHAN_SEC_E_OK;
    }
    status = schan_map_error(session->s, (int)ret);
    schan_diag_record_failed(session, (int)ret, status);
    if (gnutls_error_is_fatal((int)ret))
        schan_guard_record_failed(session, (int)ret, status);
    return status;
}

static uint32_t decrypt_record(struct schan_session *session, struct schan_decrypt_params *p)
{
    uint8_t *buffer = SCHAN_PTR(p->buffer);
    size_t record_len;
    unsigned int offset;
    ssize_t ret;

    switch (schan_frame_record(buffer, p->size, &record_len, &p->missing))
    {
    case SCHAN_FRAME_INVALID:
        p->missing = 0;
        schan_diag_not_tls(session, buffer, p->size);
        schan_guard_record_failed(session, schan_guard_frame_error(buffer, p->size), SCHAN_SEC_E_ILLEGAL_MESSAGE);
        return SCHAN_SEC_E_ILLEGAL_MESSAGE;
    case SCHAN_FRAME_PARTIAL:
        return SCHAN_SEC_E_INCOMPLETE_MESSAGE;
    case SCHAN_FRAME_WHOLE:
        break;
    }
    offset = SCHAN_RECORD_HEADER_SIZE + session->explicit_nonce;
    /* Every protected record carries at least a MAC or tag: an empty one is
     * forged (GnuTLS would call an empty buffer an invalid request). */
    if (record_len <= offset)
    {
        schan_guard_record_failed(session, GNUTLS_E_DECRYPTION_FAILED, SCHAN_SEC_E_DECRYPT_FAILURE);
        return SCHAN_SEC_E_DECRYPT_FAILURE;
    }
    schan_recv_set(&session->recv, buffer, record_len);
    session->post_hs_message = 0;
    do
        ret = gnutls_record_recv(session->s, buffer + offset, record_len - offset);
    while (ret == GNUTLS_E_INTERRUPTED);
    p->consumed = (uint32_t)session->recv.pos;
    p->data_offset = offset;
    return decrypt_result(session, ret, p);
}

unix_status schan_decrypt(void *args)
{
    struct schan_decrypt_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);

    if (!session || (p->size && !p->buffer))
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    p->data_offset = p->data_len = p->consumed = p->missing = 0;
    if (!session_usable(session) || session->state == SCHAN_STATE_RENEGOTIATE)
        p->status = SCHAN_SEC_E_CONTEXT_EXPIRED;
    else if (session->peer_closed)
        p->status = SCHAN_SEC_I_CONTEXT_EXPIRED;
    else if (session->dtls)
        p->status = schan_dtls_decrypt(session, p);
    else
        p->status = decrypt_record(session, p);
    p->state = session->state;
    return (unix_status)SCHAN_STATUS_SUCCESS;
}
