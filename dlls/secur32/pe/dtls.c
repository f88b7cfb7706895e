/*
 * DTLS on the PE side: what a datagram context takes from the first
 * ISC/ASC call's input (SECBUFFER_DTLS_MTU, SECBUFFER_SRTP_PROTECTION_PROFILES,
 * SECBUFFER_SRTP_MASTER_KEY_IDENTIFIER),
 * and the DTLS context attributes SECPKG_ATTR_DTLS_MTU (query and set) and
 * SECPKG_ATTR_SRTP_PARAMETERS.  The datagram handshake itself (one
 * datagram per call, SEC_I_MESSAGE_FRAGMENT, retransmission on a call
 * without input) is the Unix half's (unix_dtls.c).
 */
#include "schannel_private.h"

#define DTLS_MIN_MTU 200      /* SetContextAttributes(SECPKG_ATTR_DTLS_MTU): 200 bytes to 64 KB */

BOOL context_is_datagram(const struct schan_context *ctx)
{
    return (ctx->req_flags & ISC_REQ_DATAGRAM) != 0;   /* == ASC_REQ_DATAGRAM */
}

/* The datagram parts of SESSION_CREATE.  The SRTP profile list stays in the
 * caller's buffer: SESSION_CREATE copies it before the call returns. */
void dtls_session_params(PSecBufferDesc input, ULONG req, struct schan_session_create_params *params)
{
    SecBuffer *buf;

    if (!(req & ISC_REQ_DATAGRAM))
        return;
    params->flags |= SCHAN_SESSION_DATAGRAM;
    if ((buf = buffer_find(input, SECBUFFER_DTLS_MTU, 0)) && buf->pvBuffer && buf->cbBuffer >= sizeof(SEC_DTLS_MTU))
        params->mtu = ((const SEC_DTLS_MTU *)buf->pvBuffer)->PathMTU;
    if ((buf = buffer_find(input, SECBUFFER_SRTP_PROTECTION_PROFILES, 0)) && buf->pvBuffer
        && buf->cbBuffer >= sizeof(USHORT))
    {
        const SEC_SRTP_PROTECTION_PROFILES *profiles = buf->pvBuffer;
        /* ProfilesSize counts bytes, as the use_srtp extension does */
        ULONG bytes = min((ULONG)profiles->ProfilesSize, buf->cbBuffer - (ULONG)sizeof(USHORT));

        params->srtp_profiles = to_u64(profiles->ProfilesList);
        params->srtp_profile_count = bytes / sizeof(USHORT);
    }
    if ((buf = buffer_find(input, SECBUFFER_SRTP_MASTER_KEY_IDENTIFIER, 0)) && buf->pvBuffer && buf->cbBuffer > 1)
    {
        const SEC_SRTP_MASTER_KEY_IDENTIFIER *mki = buf->pvBuffer;

        params->srtp_mki = to_u64(mki->MasterKeyIdentifier);
        params->srtp_mki_size = min((ULONG)mki->MasterKeyIdentifierSize, buf->cbBuffer - 1);
    }
}

SECURITY_STATUS dtls_query_mtu(struct schan_context *ctx, SEC_DTLS_MTU *out)
{
    struct schan_dtls_mtu_params params = { .session = ctx->session };
    SECURITY_STATUS status;

    if ((status = unix_call_status(SCHAN_CALL_DTLS_MTU, &params, &params.status)))
        return status;
    out->PathMTU = (USHORT)params.mtu;
    return SEC_E_OK;
}

SECURITY_STATUS dtls_set_mtu(struct schan_context *ctx, const SEC_DTLS_MTU *in, ULONG size)
{
    struct schan_dtls_mtu_params params = { .session = ctx->session, .set = 1 };

    if (!context_is_datagram(ctx))
    {
        SCHAN_WARN("SECPKG_ATTR_DTLS_MTU on a stream (TLS) context; returning SEC_E_UNSUPPORTED_FUNCTION\n");
        return SEC_E_UNSUPPORTED_FUNCTION;
    }
    if (size < sizeof(*in) || in->PathMTU < DTLS_MIN_MTU)
    {
        SCHAN_WARN("SECPKG_ATTR_DTLS_MTU takes a SEC_DTLS_MTU of %u bytes or more; returning "
                   "SEC_E_INVALID_PARAMETER\n", DTLS_MIN_MTU);
        return SEC_E_INVALID_PARAMETER;
    }
    params.mtu = in->PathMTU;
    if (unix_call(SCHAN_CALL_DTLS_MTU, &params))
        return SEC_E_INTERNAL_ERROR;
    return params.status;
}

SECURITY_STATUS dtls_query_srtp(struct schan_context *ctx, SecPkgContext_SrtpParameters *out)
{
    struct schan_get_srtp_params params = { .session = ctx->session };
    SECURITY_STATUS status;

    if (!context_is_datagram(ctx))
        return SEC_E_UNSUPPORTED_FUNCTION;
    if ((status = unix_call_status(SCHAN_CALL_GET_SRTP, &params, &params.status)))
        return status;
    out->ProtectionProfile = (WORD)params.profile;
    out->MasterKeyIdentifierSize = (BYTE)params.mki_size;
    out->MasterKeyIdentifier = NULL;
    if (params.mki_size)
    {
        if (!(out->MasterKeyIdentifier = context_buffer_alloc(params.mki_size)))
            return SEC_E_INSUFFICIENT_MEMORY;
        memcpy(out->MasterKeyIdentifier, params.mki, params.mki_size);
    }
    return SEC_E_OK;
}
