/*
 * EncryptMessage / DecryptMessage: one TLS record in place, one PE->Unix
 * transition each, no allocation.  Buffer layouts as Windows' Schannel:
 * encrypt {STREAM_HEADER, DATA, STREAM_TRAILER[, EMPTY]}; decrypt returns
 * [0] STREAM_HEADER, [1] DATA, [2] STREAM_TRAILER, [3] EXTRA or EMPTY.
 */
#include "schannel_private.h"

static SECURITY_STATUS encrypt_record(struct schan_context *ctx, PSecBufferDesc msg)
{
    struct schan_encrypt_params params = { .session = ctx->session };
    SecBuffer *header = buffer_find(msg, SECBUFFER_STREAM_HEADER, 0);
    SecBuffer *data = buffer_find(msg, SECBUFFER_DATA, 0);
    SecBuffer *trailer = buffer_find(msg, SECBUFFER_STREAM_TRAILER, 0);
    enum schan_state state = context_state(ctx);
    SECURITY_STATUS status;

    if (state != SCHAN_STATE_DONE && !(state == SCHAN_STATE_RENEGOTIATE && context_is_datagram(ctx)))
    {   /* DTLS: a flight to send again (SEC_I_RENEGOTIATE) does not stop the records */
        SCHAN_WARN("EncryptMessage on a context whose handshake is not complete or that was shut down; returning "
                   "SEC_E_CONTEXT_EXPIRED\n");
        return SEC_E_CONTEXT_EXPIRED;
    }
    if (!header || !data || !trailer || !header->pvBuffer || !data->pvBuffer || !trailer->pvBuffer)
    {
        SCHAN_WARN("EncryptMessage needs STREAM_HEADER, DATA and STREAM_TRAILER buffers with memory; returning "
                   "SEC_E_INVALID_TOKEN\n");
        return SEC_E_INVALID_TOKEN;
    }
    if (!ctx->info_valid)   /* fetched when the handshake completed */
        return SEC_E_CONTEXT_EXPIRED;
    if (header->cbBuffer < ctx->info.header_size)
    {
        SCHAN_WARN("the STREAM_HEADER buffer holds %lu bytes, the record header needs %u (SECPKG_ATTR_STREAM_SIZES); "
                   "returning SEC_E_BUFFER_TOO_SMALL\n", header->cbBuffer, ctx->info.header_size);
        return SEC_E_BUFFER_TOO_SMALL;
    }
    params.header = to_u64(header->pvBuffer);
    params.header_size = ctx->info.header_size;
    params.data = to_u64(data->pvBuffer);
    params.data_size = data->cbBuffer;
    params.trailer = to_u64(trailer->pvBuffer);
    params.trailer_size = trailer->cbBuffer;
    if ((status = unix_call_status(SCHAN_CALL_ENCRYPT, &params, &params.status)))
        return status;
    header->cbBuffer = ctx->info.header_size;
    trailer->cbBuffer = params.trailer_used;
    return SEC_E_OK;
}

SECURITY_STATUS schannel_encrypt(PCtxtHandle handle, ULONG qop, PSecBufferDesc msg, ULONG seq)
{
    struct schan_context *ctx;
    SECURITY_STATUS status;

    (void)qop; (void)seq;   /* TLS numbers its records itself and has no quality of protection */
    if (!(ctx = context_ref(handle)))
        return SEC_E_INVALID_HANDLE;
    if (!msg || !msg->pBuffers)
    {
        SCHAN_WARN("EncryptMessage got no SecBufferDesc or no buffers in it; returning SEC_E_INVALID_TOKEN\n");
        status = SEC_E_INVALID_TOKEN;
    }
    else
    {
        rw_lock_shared(&ctx->lock);
        rw_lock_exclusive(&ctx->send_lock);
        status = encrypt_record(ctx, msg);
        rw_unlock_exclusive(&ctx->send_lock);
        rw_unlock_shared(&ctx->lock);
    }
    handle_release(&ctx->hdr);
    TRACE("returning %#lx\n", status);
    return status;
}

/* Windows wants at least 4 buffers: one DATA, the rest EMPTY (>= 3). */
static SecBuffer *check_decrypt_buffers(PSecBufferDesc msg)
{
    SecBuffer *found;

    if (!msg || !msg->pBuffers || msg->cBuffers < 4 || buffer_count(msg, SECBUFFER_DATA) != 1
        || buffer_count(msg, SECBUFFER_EMPTY) < 3)
        return NULL;
    found = buffer_find(msg, SECBUFFER_DATA, 0);
    return found->cbBuffer && !found->pvBuffer ? NULL : found;
}

static void set_buffer(SecBuffer *b, ULONG type, BYTE *ptr, ULONG size)
{
    b->BufferType = type;
    b->pvBuffer = ptr;
    b->cbBuffer = size;
}

/* The decrypted record as Windows lays it out in the first four buffers. */
static void lay_out_record(PSecBufferDesc msg, BYTE *base, ULONG size, const struct schan_decrypt_params *p)
{
    BYTE *data_end = base + p->data_offset + p->data_len;

    set_buffer(&msg->pBuffers[0], SECBUFFER_STREAM_HEADER, base, p->data_offset);
    set_buffer(&msg->pBuffers[1], SECBUFFER_DATA, base + p->data_offset, p->data_len);
    set_buffer(&msg->pBuffers[2], SECBUFFER_STREAM_TRAILER, data_end, p->consumed - p->data_offset - p->data_len);
    if (size > p->consumed)
        set_buffer(&msg->pBuffers[3], SECBUFFER_EXTRA, base + p->consumed, size - p->consumed);
    else
        set_buffer(&msg->pBuffers[3], SECBUFFER_EMPTY, NULL, 0);
}

static SECURITY_STATUS decrypt_record(struct schan_context *ctx, PSecBufferDesc msg, SecBuffer *data)
{
    struct schan_decrypt_params params = { .session = ctx->session, .state = context_state(ctx) };
    BYTE *base = data->pvBuffer;
    ULONG size = data->cbBuffer;
    SECURITY_STATUS status;

    switch (params.state)
    {
    case SCHAN_STATE_CLOSED:
        return SEC_I_CONTEXT_EXPIRED;
    case SCHAN_STATE_DONE:
    case SCHAN_STATE_CONTROL:
    case SCHAN_STATE_SHUTDOWN:
        break;
    default:
        return SEC_E_CONTEXT_EXPIRED;
    }
    params.buffer = to_u64(base);
    params.size = size;
    status = unix_call_status(SCHAN_CALL_DECRYPT, &params, &params.status);
    context_store_state(ctx, params.state);   /* SEC_I_RENEGOTIATE, close_notify */
    if (status == SEC_E_INCOMPLETE_MESSAGE)
    {
        /* Windows turns the DATA buffer itself into the MISSING count, and
         * leaves its pvBuffer alone: callers (Wine's schannel tests among
         * them) retype it and call again with the same memory. */
        set_buffer(data, SECBUFFER_MISSING, data->pvBuffer, params.missing);
        return status;
    }
    if (status != SEC_E_OK && status != SEC_I_RENEGOTIATE && status != SEC_I_CONTEXT_EXPIRED)
        return status;
    lay_out_record(msg, base, size, &params);
    return status;
}

SECURITY_STATUS schannel_decrypt(PCtxtHandle handle, PSecBufferDesc msg, ULONG seq, ULONG *qop)
{
    struct schan_context *ctx;
    SECURITY_STATUS status;
    SecBuffer *data;

    (void)seq;
    if (!(ctx = context_ref(handle)))
        return SEC_E_INVALID_HANDLE;
    if (!(data = check_decrypt_buffers(msg)))
    {
        SCHAN_WARN("DecryptMessage needs 4 or more buffers: one DATA with the received bytes and 3 EMPTY; "
                   "returning SEC_E_INVALID_TOKEN\n");
        status = SEC_E_INVALID_TOKEN;
    }
    else
    {
        rw_lock_shared(&ctx->lock);
        rw_lock_exclusive(&ctx->recv_lock);
        status = decrypt_record(ctx, msg, data);
        rw_unlock_exclusive(&ctx->recv_lock);
        rw_unlock_shared(&ctx->lock);
    }
    if (qop)
        *qop = 0;
    handle_release(&ctx->hdr);
    return status;
}
