/*
 * Schannel contexts: InitializeSecurityContextA/W, AcceptSecurityContext,
 * ApplyControlToken and DeleteSecurityContext.  The TLS state machine lives
 * in the Unix half; this file maps SecBuffers onto it the way Windows does
 * (TOKEN/EMPTY input, MISSING and EXTRA, ALLOCATE_MEMORY, ALERT output).
 */
#include "schannel_private.h"

static void context_destroy(struct handle_object *obj)
{
    struct schan_context *ctx = CONTAINING_RECORD(obj, struct schan_context, hdr);
    struct schan_session_free_params params = { .session = ctx->session };

    if (ctx->session)
        unix_call(SCHAN_CALL_SESSION_FREE, &params);
    if (ctx->peer_cert)
        CertFreeCertificateContext(ctx->peer_cert);
    if (ctx->peer_store)
        CertCloseStore(ctx->peer_store, 0);
    handle_release(&ctx->cred->hdr);
    heap_free(ctx->target);
    heap_free(ctx->km_label);
    heap_free(ctx->km_context);
    heap_free(ctx);
}

struct schan_context *context_ref(const CtxtHandle *handle)
{
    struct handle_object *obj = handle_ref(handle, HANDLE_TYPE_CTXT);
    return obj ? CONTAINING_RECORD(obj, struct schan_context, hdr) : NULL;
}

/* The ALPN protocol list (TLS wire form) of a SECBUFFER_APPLICATION_PROTOCOLS
 * buffer, or NULL when there is none. */
static const BYTE *alpn_from_input(PSecBufferDesc input, UINT32 *size)
{
    SecBuffer *buf = buffer_find(input, SECBUFFER_APPLICATION_PROTOCOLS, 0);
    const BYTE *p, *end;

    *size = 0;
    if (!buf || !buf->pvBuffer || buf->cbBuffer < sizeof(ULONG))
        return NULL;
    p = (const BYTE *)buf->pvBuffer + sizeof(ULONG);
    end = p + min(*(const ULONG *)buf->pvBuffer, buf->cbBuffer - sizeof(ULONG));
    while (p + sizeof(SEC_APPLICATION_PROTOCOL_NEGOTIATION_EXT) + sizeof(USHORT) <= end)
    {
        const SEC_APPLICATION_PROTOCOL_LIST *list = (const SEC_APPLICATION_PROTOCOL_LIST *)p;
        const BYTE *next = list->ProtocolList + list->ProtocolListSize;
        if (next > end)
            break;
        if (list->ProtoNegoExt == SecApplicationProtocolNegotiationExt_ALPN && list->ProtocolListSize)
        {
            *size = list->ProtocolListSize;
            return list->ProtocolList;
        }
        p = next;
    }
    return NULL;
}

static BOOL wants_client_cert(const struct schan_credential *cred, ULONG req)
{
    return (req & ASC_REQ_MUTUAL_AUTH) || cred->client_cert_policy;
}

static SECURITY_STATUS context_create(struct schan_credential *cred, const WCHAR *target, ULONG req,
                                      PSecBufferDesc input, struct schan_context **out)
{
    struct schan_session_create_params params = { 0 };
    struct schan_context *ctx;
    SECURITY_STATUS status;
    char *target_utf8 = utf16_to_utf8(target);

    if (!(ctx = heap_alloc_zero(sizeof(*ctx))))
        return SEC_E_INSUFFICIENT_MEMORY;
    handle_object_init(&ctx->hdr, HANDLE_TYPE_CTXT, context_destroy);
    InterlockedIncrement(&cred->hdr.refs);
    ctx->cred = cred;
    ctx->is_server = cred->use == SECPKG_CRED_INBOUND;
    ctx->req_flags = req;
    if (target && (ctx->target = heap_alloc_zero((lstrlenW(target) + 1) * sizeof(WCHAR))))
        lstrcpyW(ctx->target, target);
    params.cred = cred->unix_cred;
    params.target = to_u64(target_utf8);
    params.alpn = to_u64(alpn_from_input(input, &params.alpn_size));
    params.flags = ctx->is_server && wants_client_cert(cred, req) ? SCHAN_SESSION_REQUEST_CLIENT_CERT : 0;
    if (!ctx->is_server && !cred->cert && !(req & ISC_REQ_USE_SUPPLIED_CREDS))
        params.flags |= SCHAN_SESSION_PAUSE_FOR_CLIENT_CERT;   /* SEC_I_INCOMPLETE_CREDENTIALS if asked */
    dtls_session_params(input, req, &params);
    status = unix_call_status(SCHAN_CALL_SESSION_CREATE, &params, &params.status);
    heap_free(target_utf8);
    ctx->session = params.session;
    if (status)
    {
        handle_release(&ctx->hdr);
        return status;
    }
    *out = ctx;
    return SEC_E_OK;
}

static BOOL fetch_info(struct schan_context *ctx, UINT32 flags)
{
    struct schan_get_connection_info_params params = { .session = ctx->session, .flags = flags };

    params.info = to_u64(&ctx->info);
    if (unix_call(SCHAN_CALL_GET_CONNECTION_INFO, &params) || params.status)
        return FALSE;
    ctx->info_valid = TRUE;
    ctx->info_details = (flags & SCHAN_INFO_KEY_DETAILS) != 0;
    return TRUE;
}

/* Stream sizes are fixed once the handshake is done; fetch them once. */
BOOL context_info(struct schan_context *ctx)
{
    return ctx->info_valid || fetch_info(ctx, 0);
}

/* The same with the certificate's key type and RSA modulus size, which may
 * need the certificate parsed: only for the attributes that show them. */
BOOL context_info_details(struct schan_context *ctx)
{
    return ctx->info_details || fetch_info(ctx, SCHAN_INFO_KEY_DETAILS);
}

/* The record sizes changed (a handshake or renegotiation ended, a new DTLS
 * MTU): the cached info, key details included, is dropped, and an
 * established context fetches it again at once, since records read it
 * without asking. */
void context_refresh_info(struct schan_context *ctx)
{
    ctx->info_valid = ctx->info_details = FALSE;
    if (context_state(ctx) == SCHAN_STATE_DONE)
        context_info(ctx);
}

/* The buffer a handshake token goes in: the TOKEN buffer, or else the first
 * EMPTY one (curl passes a single SECBUFFER_EMPTY with ALLOCATE_MEMORY, and
 * Windows returns the token there). */
static SecBuffer *output_token(PSecBufferDesc output)
{
    SecBuffer *token = buffer_find(output, SECBUFFER_TOKEN, 0);
    return token ? token : buffer_find(output, SECBUFFER_EMPTY, 0);
}

/* Where the Unix side's output goes: the TOKEN, or the ALERT buffer for an
 * alert after a failure (the TOKEN with EXTENDED_ERROR when there is none). */
static SecBuffer *output_target(struct schan_context *ctx, PSecBufferDesc output,
                                const struct schan_handshake_params *hs, ULONG req)
{
    ULONG extended = ctx->is_server ? ASC_REQ_EXTENDED_ERROR : ISC_REQ_EXTENDED_ERROR;
    SecBuffer *alert;

    if (!hs->output_is_alert || (SECURITY_STATUS)hs->status == SEC_E_OK)
        return output_token(output);
    if ((alert = buffer_find(output, SECBUFFER_ALERT, 0)))
        return alert;
    return (req & extended) ? output_token(output) : NULL;
}

/* Where HANDSHAKE writes its output, so that a flight comes back in the
 * same crossing: the caller's token memory when the caller gave some, else
 * (the package allocates) a scratch buffer that holds any usual flight. */
struct output_space {
    BYTE *data;
    ULONG size;
    BYTE scratch[SCHANNEL_MAX_TOKEN];
};

static void output_space_init(struct output_space *space, PSecBufferDesc output, BOOL allocate,
                              struct schan_handshake_params *hs)
{
    SecBuffer *token = output_token(output);

    /* check_output made sure of the token; without ALLOCATE_MEMORY it has memory */
    space->data = allocate ? space->scratch : token->pvBuffer;
    space->size = allocate ? sizeof(space->scratch) : token->cbBuffer;
    hs->output = to_u64(space->data);
    hs->output_size = space->size;
}

/* The output did not fit the output space (a large certificate chain):
 * the second crossing fetches it into `dest`, or drops it when dest is NULL. */
static SECURITY_STATUS take_output(struct schan_context *ctx, BYTE *dest, UINT32 len)
{
    struct schan_take_output_params take = { .session = ctx->session, .output_size = len };
    BYTE *scratch = dest ? NULL : heap_alloc_zero(len);

    take.output = to_u64(dest ? dest : scratch);
    if (!take.output)
        return SEC_E_OK;   /* dropped all the same: the next HANDSHAKE call discards it */
    if (unix_call(SCHAN_CALL_TAKE_OUTPUT, &take) && dest)
        return SEC_E_INTERNAL_ERROR;
    heap_free(scratch);
    return SEC_E_OK;
}

/* Puts the call's output_len output bytes into `buf` (allocating with
 * ALLOCATE_MEMORY); they are in the output space when output_copied. */
static SECURITY_STATUS deliver_output(struct schan_context *ctx, SecBuffer *buf, BOOL allocate, ULONG capacity,
                                      const struct schan_handshake_params *hs, const struct output_space *space)
{
    if (!buf)   /* nowhere to put it (an alert without an ALERT buffer) */
        return hs->output_copied ? SEC_E_OK : take_output(ctx, NULL, hs->output_len);
    if (allocate)
    {
        if (!(buf->pvBuffer = context_buffer_alloc(hs->output_len)))
            return SEC_E_INSUFFICIENT_MEMORY;
    }
    else if (capacity < hs->output_len)
    {
        SCHAN_WARN("the output buffer holds %lu bytes but %u are to be sent: pass a bigger one or "
                   "ISC/ASC_REQ_ALLOCATE_MEMORY; returning SEC_E_INSUFFICIENT_MEMORY\n", capacity, hs->output_len);
        return SEC_E_INSUFFICIENT_MEMORY;
    }
    buf->cbBuffer = hs->output_len;
    if (!hs->output_copied)
        return take_output(ctx, buf->pvBuffer, hs->output_len);
    /* an alert may have landed in the token's memory on its way to the ALERT buffer */
    if (buf->pvBuffer != space->data)
        memmove(buf->pvBuffer, space->data, hs->output_len);
    return SEC_E_OK;
}

/* Empties the output buffers a call may write, including an EMPTY buffer
 * standing in for the TOKEN (so a call with nothing to send says 0 bytes). */
static void reset_buffer(SecBuffer *b, BOOL allocate)
{
    if (allocate)
        b->pvBuffer = NULL;
    b->cbBuffer = 0;
}

static void reset_outputs(PSecBufferDesc output, BOOL allocate)
{
    SecBuffer *token = output_token(output), *b = NULL;

    while ((b = buffer_next(output, SECBUFFER_TOKEN, b)))
        reset_buffer(b, allocate);
    while ((b = buffer_next(output, SECBUFFER_ALERT, b)))
        reset_buffer(b, allocate);
    if (token)
        reset_buffer(token, allocate);
}

/* Checks the output descriptor before anything is consumed, and says whether
 * the package allocates the token: with ALLOCATE_MEMORY, and also (as
 * Windows does) when the caller's token buffer has no memory at all. */
static SECURITY_STATUS check_output(PSecBufferDesc output, ULONG req, BOOL *allocate)
{
    SecBuffer *token, *alert;

    if (!output || !output->pBuffers || !(token = output_token(output)))
    {
        SCHAN_WARN("the output SecBufferDesc has no SECBUFFER_TOKEN or SECBUFFER_EMPTY buffer: returning "
                   "SEC_E_INVALID_TOKEN\n");
        return SEC_E_INVALID_TOKEN;
    }
    /* ISC_REQ_ALLOCATE_MEMORY == ASC_REQ_ALLOCATE_MEMORY */
    *allocate = (req & ISC_REQ_ALLOCATE_MEMORY) || !token->pvBuffer;
    if (!*allocate && !token->cbBuffer)
    {
        SCHAN_WARN("the output TOKEN buffer has no room and ISC/ASC_REQ_ALLOCATE_MEMORY is not set: give it memory "
                   "or set the flag; returning SEC_E_INSUFFICIENT_MEMORY\n");
        return SEC_E_INSUFFICIENT_MEMORY;
    }
    /* An ALERT buffer the package may not fill is refused up front too
     * (Windows, in Wine's schannel tests), unless the package allocates. */
    if (!(req & ISC_REQ_ALLOCATE_MEMORY) && (alert = buffer_find(output, SECBUFFER_ALERT, 0)) && !alert->cbBuffer)
    {
        SCHAN_WARN("the output ALERT buffer has no room: returning SEC_E_INSUFFICIENT_MEMORY\n");
        return SEC_E_INSUFFICIENT_MEMORY;
    }
    return SEC_E_OK;
}

/* An EMPTY input buffer (where MISSING or EXTRA is reported) that claims a
 * size but has no memory is malformed: Windows refuses the call without
 * consuming the token or spoiling the context (Wine's schannel tests pass
 * cbBuffer 0xdeadbeef and then repeat the call with one buffer). */
static SECURITY_STATUS check_input(PSecBufferDesc input)
{
    const SecBuffer *buf = NULL;

    while ((buf = buffer_next(input, SECBUFFER_EMPTY, buf)))
        if (buf->cbBuffer && !buf->pvBuffer)
        {
            SCHAN_WARN("input buffer %u is EMPTY with %lu bytes and no memory: returning SEC_E_INVALID_TOKEN\n",
                       (unsigned)(buf - input->pBuffers), buf->cbBuffer);
            return SEC_E_INVALID_TOKEN;
        }
    return SEC_E_OK;
}

/* The TOKEN input buffer (NULL input means no bytes). */
static SECURITY_STATUS input_token(PSecBufferDesc input, const BYTE **data, ULONG *size)
{
    SecBuffer *token;

    *data = NULL;
    *size = 0;
    if (!input)
        return SEC_E_OK;
    if (!input->pBuffers || !(token = buffer_find(input, SECBUFFER_TOKEN, 0))
        || (token->cbBuffer && !token->pvBuffer))
    {
        SCHAN_WARN("the input SecBufferDesc needs a SECBUFFER_TOKEN buffer with the peer's bytes: returning "
                   "SEC_E_INVALID_TOKEN\n");
        return SEC_E_INVALID_TOKEN;
    }
    *data = token->pvBuffer;
    *size = token->cbBuffer;
    return SEC_E_OK;
}

static void report_missing(PSecBufferDesc input, ULONG missing)
{
    SecBuffer *empty = buffer_find(input, SECBUFFER_EMPTY, 0);
    if (empty)
    {
        empty->BufferType = SECBUFFER_MISSING;
        empty->cbBuffer = missing;
    }
}

static void report_extra(PSecBufferDesc input, const BYTE *data, ULONG size, ULONG consumed)
{
    SecBuffer *empty;

    if (!input || consumed >= size || !(empty = buffer_find(input, SECBUFFER_EMPTY, 1)))
        return;
    empty->BufferType = SECBUFFER_EXTRA;
    empty->pvBuffer = (BYTE *)data + consumed;
    empty->cbBuffer = size - consumed;
}

/* Client side, at the end of the handshake: the peer chain, and the verdict
 * on it unless the caller validates by hand. */
static SECURITY_STATUS finish_handshake(struct schan_context *ctx)
{
    SECURITY_STATUS status;

    /* A server judges the client's chain only when its credential asks.
     * Without a verdict to give, the chain is parsed only when a caller asks
     * for it (attributes.c), which keeps resumed handshakes cheap. */
    if ((ctx->is_server && !(ctx->cred->flags & SCH_CRED_AUTO_CRED_VALIDATION))
        || (ctx->cred->flags & SCH_CRED_MANUAL_CRED_VALIDATION)
        || (ctx->req_flags & ISC_REQ_MANUAL_CRED_VALIDATION))
        return SEC_E_OK;
    if ((status = peer_chain_load(ctx)))
        return status;
    return peer_chain_validate(ctx);
}

/* One handshake step: feed input, place output, report MISSING/EXTRA;
 * *info_filled says whether it also brought the connection info. */
static SECURITY_STATUS handshake_step(struct schan_context *ctx, const struct context_request *r, BOOL allocate,
                                      BOOL *info_filled)
{
    struct schan_handshake_params hs = { .session = ctx->session };
    PSecBufferDesc input = r->input, output = r->output;
    struct output_space space;
    SecBuffer *target;
    const BYTE *data;
    ULONG size, capacity;
    SECURITY_STATUS status;

    /* A client's first call carries no peer bytes (at most an ALPN buffer). */
    if (!ctx->is_server && context_state(ctx) == SCHAN_STATE_NEW)
        data = NULL, size = 0;
    else if ((status = input_token(input, &data, &size)))
        return status;
    hs.input = to_u64(data);
    hs.input_size = size;
    output_space_init(&space, output, allocate, &hs);
    hs.client_cred = ctx->resume_cred;
    hs.info = to_u64(&ctx->info);   /* filled by the call that ends a handshake */
    ctx->resume_cred = 0;
    if (unix_call(SCHAN_CALL_HANDSHAKE, &hs))
        return SEC_E_INTERNAL_ERROR;
    context_store_state(ctx, hs.state);
    if ((*info_filled = hs.info_filled != 0))
    {
        ctx->info_valid = TRUE;
        ctx->info_details = FALSE;
    }
    if ((SECURITY_STATUS)hs.status == SEC_E_INCOMPLETE_MESSAGE)
    {
        report_missing(input, hs.missing);
        return SEC_E_INCOMPLETE_MESSAGE;
    }
    /* The caller's buffer size is its capacity; read it before the sizes of
     * unused outputs are cleared. */
    target = hs.output_len ? output_target(ctx, output, &hs, r->req) : NULL;
    capacity = target ? target->cbBuffer : 0;
    reset_outputs(output, allocate);
    if (hs.output_len && (status = deliver_output(ctx, target, allocate, capacity, &hs, &space)))
        return status;
    status = (SECURITY_STATUS)hs.status;
    if (status == SEC_E_OK || status == SEC_I_CONTINUE_NEEDED || status == SEC_I_INCOMPLETE_CREDENTIALS)
        report_extra(input, data, size, hs.consumed);
    SCHAN_TRACE("%s: %lu bytes in, %u consumed, %u out, status %#lx\n", ctx->is_server ? "server" : "client",
                size, hs.consumed, hs.output_len, (unsigned long)status);
    return status;
}

/* The flags Windows returns: TLS always gives replay and sequence detection
 * and confidentiality, and a client stream mode too, even on a call that
 * did not ask (Wine's schannel tests end the handshake with a request of
 * ISC_REQ_USE_SUPPLIED_CREDS alone and get ISC_RET_STREAM); the rest only
 * when asked (the REQ and RET bits match within each of ISC and ASC, but
 * differ between them). */
static ULONG returned_flags(ULONG req, BOOL server)
{
    static const ULONG isc_echoed = ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_STREAM | ISC_REQ_EXTENDED_ERROR
        | ISC_REQ_CONNECTION | ISC_REQ_MUTUAL_AUTH | ISC_REQ_MANUAL_CRED_VALIDATION | ISC_REQ_INTEGRITY
        | ISC_REQ_DATAGRAM;
    static const ULONG asc_echoed = ASC_REQ_ALLOCATE_MEMORY | ASC_REQ_STREAM | ASC_REQ_EXTENDED_ERROR
        | ASC_REQ_CONNECTION | ASC_REQ_MUTUAL_AUTH | ASC_REQ_INTEGRITY | ASC_REQ_DATAGRAM;
    ULONG ret = ISC_RET_REPLAY_DETECT | ISC_RET_SEQUENCE_DETECT | ISC_RET_CONFIDENTIALITY;

    if (server)
        return ret | (req & asc_echoed);
    ret |= (req & isc_echoed) | ISC_RET_STREAM;
    if (req & ISC_REQ_USE_SUPPLIED_CREDS)
        ret |= ISC_RET_USED_SUPPLIED_CREDS;
    return ret;
}

/* Windows' record (Wine's DTLS tests): a context's first call answers a zero
 * expiry, later calls "never expires", and a call refused for its output
 * buffers on an existing context answers zero too. */
static void set_expiry(TimeStamp *expiry, BOOL known)
{
    if (known)
        set_never_expires(expiry);
    else if (expiry)
        expiry->LowPart = expiry->HighPart = 0;
}

/* A call on an existing context refused before any step: Windows still
 * reports the flags every TLS context has, and a zero expiry. */
static void report_refused_call(const struct context_request *r)
{
    if (!r->ctx)
        return;
    if (r->attrs)
        *r->attrs = ISC_RET_REPLAY_DETECT | ISC_RET_SEQUENCE_DETECT | ISC_RET_CONFIDENTIALITY;
    set_expiry(r->expiry, FALSE);
}

/* A step took the Unix session to SCHAN_STATE_DONE from `before`: the end
 * of the handshake (the peer's chain judged), or of a renegotiation or of
 * the answer to SEC_I_RENEGOTIATE.  The same HANDSHAKE call brought the
 * new record sizes (info_filled); they are asked again only if it did not. */
static SECURITY_STATUS handshake_ended(struct schan_context *ctx, enum schan_state before, BOOL info_filled)
{
    if (!info_filled)
        context_refresh_info(ctx);
    return before < SCHAN_STATE_DONE ? finish_handshake(ctx) : SEC_E_OK;
}

/* A step on an existing context, whatever state it is in. */
static SECURITY_STATUS continue_context(struct schan_context *ctx, const struct context_request *r, BOOL allocate)
{
    enum schan_state before = context_state(ctx);
    BOOL info_filled = FALSE;
    SECURITY_STATUS status;

    /* Windows keeps answering a failed handshake's own error, with no
     * output (Wine's schannel tests record SEC_E_INVALID_TOKEN twice). */
    if (before == SCHAN_STATE_FAILED)
    {
        SCHAN_WARN("this context's handshake already failed (%#lx): delete it and start a new one\n",
                   (unsigned long)ctx->failure);
        reset_outputs(r->output, FALSE);
        return ctx->failure;
    }
    status = handshake_step(ctx, r, allocate, &info_filled);
    if (status == SEC_E_OK && before != SCHAN_STATE_DONE && context_state(ctx) == SCHAN_STATE_DONE)
        status = handshake_ended(ctx, before, info_filled);
    if (FAILED(status) && status != SEC_E_INCOMPLETE_MESSAGE)
        ctx->failure = status;
    return status;
}

/* After SEC_I_INCOMPLETE_CREDENTIALS a caller that acquired a credential
 * with a certificate (.NET, Qt) passes it now: the context takes it over
 * and the Unix half sends its certificate.  Any other call (curl repeats
 * its bytes with ISC_REQ_USE_SUPPLIED_CREDS) goes on without one.  The
 * call that answers SEC_I_RENEGOTIATE may pass a new credential too, and
 * the new handshake uses it (Wine's schannel tests renegotiate with a
 * client certificate the server then judges). */
static void take_resume_credential(struct schan_context *ctx, PCredHandle cred_handle)
{
    struct schan_credential *cred = cred_handle ? credential_ref(cred_handle) : NULL;

    if (cred && cred != ctx->cred && cred->cert && cred->use == SECPKG_CRED_OUTBOUND)
    {
        handle_release(&ctx->cred->hdr);
        ctx->cred = cred;
        ctx->resume_cred = cred->unix_cred;
        return;
    }
    if (cred)
        handle_release(&cred->hdr);
}

/* Whether the call may bring a credential the context takes over (see above). */
static BOOL wants_credential(enum schan_state state, BOOL server)
{
    return state == SCHAN_STATE_NEED_CREDS
           || (!server && (state == SCHAN_STATE_RENEGOTIATE || state == SCHAN_STATE_REHANDSHAKE));
}

static const char *call_name(BOOL server)
{
    return server ? "AcceptSecurityContext" : "InitializeSecurityContext";
}

/* A later ISC/ASC call on an existing context; *out holds a reference
 * unless the handle was refused. */
static SECURITY_STATUS continue_call(const struct context_request *r, BOOL allocate, struct schan_context **out)
{
    struct schan_context *ctx;
    SECURITY_STATUS status;

    if (!(ctx = context_ref(r->ctx)) || ctx->is_server != r->server)
    {
        SCHAN_WARN("%s: the context handle is %s; returning SEC_E_INVALID_HANDLE\n", call_name(r->server),
                   ctx ? "the other side's (client vs server)" : "stale or not a context");
        if (ctx)
            handle_release(&ctx->hdr);
        return SEC_E_INVALID_HANDLE;
    }
    rw_lock_exclusive(&ctx->lock);
    if (wants_credential(context_state(ctx), r->server))
        take_resume_credential(ctx, r->cred);
    status = continue_context(ctx, r, allocate);
    rw_unlock_exclusive(&ctx->lock);
    if (r->new_ctx && r->new_ctx != r->ctx && status != SEC_E_INCOMPLETE_MESSAGE)
        *r->new_ctx = *r->ctx;
    *out = ctx;
    return status;
}

/* The credential a first call needs, or the reason it is refused. */
static SECURITY_STATUS first_call_credential(const struct context_request *r, struct schan_credential **out)
{
    struct schan_credential *cred;
    BOOL server = r->server;

    if (!r->new_ctx || !(cred = credential_ref(r->cred)))
    {
        SCHAN_WARN("%s: %s; returning SEC_E_INVALID_HANDLE\n", call_name(server), r->new_ctx
                   ? "the credential handle is stale or not a credential" : "no handle to return the new context in");
        return SEC_E_INVALID_HANDLE;
    }
    if ((cred->use == SECPKG_CRED_INBOUND) != server)
    {
        SCHAN_WARN("%s needs an %s credential (SECPKG_CRED_%s); returning SEC_E_NO_CREDENTIALS\n", call_name(server),
                   server ? "inbound" : "outbound", server ? "INBOUND" : "OUTBOUND");
        handle_release(&cred->hdr);
        return SEC_E_NO_CREDENTIALS;
    }
    if (server && !r->input)
    {
        SCHAN_WARN("AcceptSecurityContext needs the client's bytes in an input TOKEN; returning "
                   "SEC_E_INVALID_TOKEN\n");
        handle_release(&cred->hdr);
        return SEC_E_INVALID_TOKEN;
    }
    *out = cred;
    return SEC_E_OK;
}

/* The first ISC/ASC call: a new context, which gets a handle only if the
 * call did not fail; *out holds a reference when it did not. */
static SECURITY_STATUS first_call(const struct context_request *r, BOOL allocate, struct schan_context **out)
{
    struct schan_credential *cred;
    struct schan_context *ctx = NULL;
    SECURITY_STATUS status;

    if ((status = first_call_credential(r, &cred)))
        return status;
    status = context_create(cred, r->target, r->req, r->input, &ctx);
    handle_release(&cred->hdr);
    if (status)
        return status;
    status = continue_context(ctx, r, allocate);
    if (status != SEC_I_CONTINUE_NEEDED && status != SEC_E_OK && status != SEC_I_INCOMPLETE_CREDENTIALS
        && status != SEC_I_MESSAGE_FRAGMENT)
    {
        handle_release(&ctx->hdr);   /* a failed first call leaves no handle */
        return status;
    }
    if (!handle_insert(&ctx->hdr, r->new_ctx))
    {
        handle_release(&ctx->hdr);
        return SEC_E_INSUFFICIENT_MEMORY;
    }
    *out = ctx;
    return status;
}

/* ISC and ASC share everything but the first call.  TLS has no data
 * representation: datarep is ignored, as Windows' Schannel does. */
SECURITY_STATUS schannel_context_call(const struct context_request *r)
{
    struct schan_context *ctx = NULL;
    SECURITY_STATUS status;
    BOOL allocate;

    if ((status = check_output(r->output, r->req, &allocate)))
    {
        report_refused_call(r);
        return status;
    }
    if ((status = check_input(r->input)))
        return status;
    if (r->ctx)
        status = continue_call(r, allocate, &ctx);
    else
        status = first_call(r, allocate, &ctx);
    if (!ctx)
        return status;
    /* The package allocated the token (also without ALLOCATE_MEMORY, for a
     * buffer with no memory): ALLOCATED_MEMORY tells the caller to free it. */
    if (r->attrs && status != SEC_E_INCOMPLETE_MESSAGE)
        *r->attrs = ctx->ret_flags = returned_flags(allocate ? r->req | ISC_REQ_ALLOCATE_MEMORY : r->req, r->server);
    if (status != SEC_E_INCOMPLETE_MESSAGE)
        set_expiry(r->expiry, r->ctx != NULL);
    handle_release(&ctx->hdr);
    return status;
}

SECURITY_STATUS schannel_delete_context(PCtxtHandle handle)
{
    return handle_remove(handle, HANDLE_TYPE_CTXT) ? SEC_E_OK : SEC_E_INVALID_HANDLE;
}

static SECURITY_STATUS control_token(struct schan_context *ctx, const BYTE *data, ULONG size)
{
    struct schan_control_params params = { .session = ctx->session, .state = ctx->state };
    DWORD type = *(const DWORD *)data;
    SECURITY_STATUS status;

    switch (type)
    {
    case SCHANNEL_SHUTDOWN:
        params.kind = SCHAN_CONTROL_SHUTDOWN;
        break;
    case SCHANNEL_ALERT:
        if (size < sizeof(SCHANNEL_ALERT_TOKEN))
            return SEC_E_INVALID_TOKEN;
        params.kind = SCHAN_CONTROL_ALERT;
        params.alert_level = ((const SCHANNEL_ALERT_TOKEN *)data)->dwAlertType;
        params.alert_description = ((const SCHANNEL_ALERT_TOKEN *)data)->dwAlertNumber;
        break;
    case SCHANNEL_SESSION:
        return SEC_E_OK;   /* session cache hints: the credential's settings already apply */
    default:
        SCHAN_WARN("control token %lu not supported\n", type);
        return SEC_E_UNSUPPORTED_FUNCTION;
    }
    if ((status = unix_call_status(SCHAN_CALL_CONTROL, &params, &params.status)) == SEC_E_OK)
    {
        context_store_state(ctx, params.state);
        /* as Windows does, a failed context still sends the shutdown or
         * alert: the next ISC/ASC call goes to the Unix half again */
        ctx->failure = SEC_E_OK;
    }
    return status;
}

SECURITY_STATUS schannel_apply_control_token(PCtxtHandle handle, PSecBufferDesc input)
{
    struct schan_context *ctx;
    SECURITY_STATUS status;
    SecBuffer *token;

    if (!(ctx = context_ref(handle)))
        return SEC_E_INVALID_HANDLE;
    if (!input)
        status = SEC_E_INTERNAL_ERROR;   /* what Windows answers (Wine's schannel tests) */
    else if (input->cBuffers != 1 || !input->pBuffers
        || (input->pBuffers[0].BufferType & ~SECBUFFER_ATTRMASK) != SECBUFFER_TOKEN)
        status = SEC_E_INVALID_TOKEN;
    else if ((token = &input->pBuffers[0])->cbBuffer < sizeof(DWORD) || !token->pvBuffer)
        status = SEC_E_UNSUPPORTED_FUNCTION;
    else
    {
        rw_lock_exclusive(&ctx->lock);
        status = control_token(ctx, token->pvBuffer, token->cbBuffer);
        rw_unlock_exclusive(&ctx->lock);
    }
    handle_release(&ctx->hdr);
    return status;
}
