/*
 * QueryContextAttributesA/W and SetContextAttributesA/W for Schannel
 * contexts.  Negotiated parameters come from the Unix half once per
 * handshake (context_info); what is returned by pointer is allocated for
 * FreeContextBuffer, certificate contexts for CertFreeCertificateContext.
 */
#include "schannel_private.h"

struct alg_name { ALG_ID alg; const WCHAR *name; };

static struct alg_name cipher_alg(UINT32 cipher)
{
    switch (cipher)
    {
    case SCHAN_CIPHER_AES_128_GCM: case SCHAN_CIPHER_AES_128_CBC: case SCHAN_CIPHER_AES_128_CCM:
        return (struct alg_name){ CALG_AES_128, L"AES" };
    case SCHAN_CIPHER_AES_256_GCM: case SCHAN_CIPHER_AES_256_CBC: case SCHAN_CIPHER_AES_256_CCM:
        return (struct alg_name){ CALG_AES_256, L"AES" };
    case SCHAN_CIPHER_CHACHA20_POLY1305: return (struct alg_name){ 0, L"CHACHA20_POLY1305" };
    case SCHAN_CIPHER_3DES_CBC: return (struct alg_name){ CALG_3DES, L"3DES" };
    case SCHAN_CIPHER_RC4_128: return (struct alg_name){ CALG_RC4, L"RC4" };
    default: return (struct alg_name){ CALG_NULLCIPHER, L"" };
    }
}

/* AEAD suites carry no MAC: Windows then names the PRF hash. */
static struct alg_name hash_alg(const struct schan_connection_info *info, UINT32 *bits)
{
    UINT32 mac = info->mac;

    *bits = info->mac_bits;
    if (mac == SCHAN_MAC_NONE)
    {
        mac = info->prf_hash_bits == 384 ? SCHAN_MAC_SHA384 : SCHAN_MAC_SHA256;
        *bits = info->prf_hash_bits;
    }
    switch (mac)
    {
    case SCHAN_MAC_MD5: return (struct alg_name){ CALG_MD5, L"MD5" };
    case SCHAN_MAC_SHA1: return (struct alg_name){ CALG_SHA1, L"SHA1" };
    case SCHAN_MAC_SHA256: return (struct alg_name){ CALG_SHA_256, L"SHA256" };
    case SCHAN_MAC_SHA384: return (struct alg_name){ CALG_SHA_384, L"SHA384" };
    default: return (struct alg_name){ 0, L"" };
    }
}

static struct alg_name exchange_alg(const struct schan_connection_info *info)
{
    switch (info->kx)
    {
    case SCHAN_KX_RSA: return (struct alg_name){ CALG_RSA_KEYX, L"RSA" };
    case SCHAN_KX_DHE: return (struct alg_name){ CALG_DH_EPHEM, L"DH" };
    case SCHAN_KX_ECDHE: return (struct alg_name){ CALG_ECDH_EPHEM, L"ECDH" };
    default:   /* TLS 1.3: the group decides */
        if (!strncmp(info->group_name, "FFDHE", 5))
            return (struct alg_name){ CALG_DH_EPHEM, L"DH" };
        return (struct alg_name){ CALG_ECDH_EPHEM, L"ECDH" };
    }
}

/* SP_PROT_* bit as Windows reports it: server bits on the server side. */
static DWORD protocol_bit(const struct schan_context *ctx)
{
    return ctx->is_server ? ctx->info.protocol >> 1 : ctx->info.protocol;
}

static DWORD wire_version(UINT32 protocol)
{
    switch (protocol)
    {
    case SCHAN_PROT_TLS1_0: return 0x0301;
    case SCHAN_PROT_TLS1_1: return 0x0302;
    case SCHAN_PROT_TLS1_2: return 0x0303;
    case SCHAN_PROT_TLS1_3: return 0x0304;
    case SCHAN_PROT_DTLS1_0: return 0xfeff;
    case SCHAN_PROT_DTLS1_2: return 0xfefd;
    default: return 0;
    }
}

static SECURITY_STATUS query_stream_sizes(struct schan_context *ctx, SecPkgContext_StreamSizes *out)
{
    out->cbHeader = ctx->info.header_size;
    out->cbTrailer = ctx->info.trailer_size;
    out->cbMaximumMessage = ctx->info.max_message;
    out->cBuffers = 4;
    out->cbBlockSize = ctx->info.block_size;
    return SEC_E_OK;
}

static SECURITY_STATUS query_sizes(struct schan_context *ctx, SecPkgContext_Sizes *out)
{
    out->cbMaxToken = SCHANNEL_MAX_TOKEN;
    out->cbMaxSignature = 0;
    out->cbBlockSize = ctx->info.block_size;
    out->cbSecurityTrailer = ctx->info.trailer_size;
    return SEC_E_OK;
}

static SECURITY_STATUS query_connection_info(struct schan_context *ctx, SecPkgContext_ConnectionInfo *out)
{
    UINT32 hash_bits;

    out->dwProtocol = protocol_bit(ctx);
    out->aiCipher = cipher_alg(ctx->info.cipher).alg;
    out->dwCipherStrength = ctx->info.cipher_bits;
    out->aiHash = hash_alg(&ctx->info, &hash_bits).alg;
    out->dwHashStrength = hash_bits;
    out->aiExch = exchange_alg(&ctx->info).alg;
    out->dwExchStrength = ctx->info.kx_bits;
    return SEC_E_OK;
}

static SECURITY_STATUS query_connection_info_ex(struct schan_context *ctx, SecPkgContext_ConnectionInfoEx *out)
{
    UINT32 hash_bits;

    memset(out, 0, sizeof(*out));
    out->dwVersion = 1;
    out->dwProtocol = protocol_bit(ctx);
    lstrcpynW(out->szCipher, cipher_alg(ctx->info.cipher).name, SZ_ALG_MAX_SIZE);
    out->dwCipherStrength = ctx->info.cipher_bits;
    lstrcpynW(out->szHash, hash_alg(&ctx->info, &hash_bits).name, SZ_ALG_MAX_SIZE);
    out->dwHashStrength = hash_bits;
    lstrcpynW(out->szExchange, exchange_alg(&ctx->info).name, SZ_ALG_MAX_SIZE);
    out->dwExchStrength = ctx->info.kx_bits;
    return SEC_E_OK;
}

/* CIPHER_INFO's dwKeyType is the TLS NamedGroup of the key exchange
 * (Windows 10 in Wine's schannel tests: 0x1d for X25519, 0x17 for P-256),
 * for every protocol version. */
static DWORD named_group(const char *name)
{
    static const struct { const char *name; DWORD id; } groups[] = {
        { "SECP256R1", 0x17 }, { "SECP384R1", 0x18 }, { "SECP521R1", 0x19 }, { "X25519", 0x1d },
        { "X448", 0x1e }, { "FFDHE2048", 0x100 }, { "FFDHE3072", 0x101 }, { "FFDHE4096", 0x102 },
        { "FFDHE6144", 0x103 }, { "FFDHE8192", 0x104 },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(groups); i++)
        if (!strcmp(name, groups[i].name))
            return groups[i].id;
    return 0;
}

static SECURITY_STATUS query_cipher_info(struct schan_context *ctx, SecPkgContext_CipherInfo *out)
{
    UINT32 hash_bits;

    memset(out, 0, sizeof(*out));
    out->dwVersion = SECPKGCONTEXT_CIPHERINFO_V1;
    out->dwProtocol = wire_version(ctx->info.protocol);
    out->dwCipherSuite = out->dwBaseCipherSuite = ctx->info.suite_id;
    MultiByteToWideChar(CP_UTF8, 0, ctx->info.suite_name, -1, out->szCipherSuite, SZ_ALG_MAX_SIZE);
    lstrcpynW(out->szCipher, cipher_alg(ctx->info.cipher).name, SZ_ALG_MAX_SIZE);
    out->dwCipherLen = ctx->info.cipher_bits;
    out->dwCipherBlockLen = ctx->info.cipher_block_size;
    lstrcpynW(out->szHash, hash_alg(&ctx->info, &hash_bits).name, SZ_ALG_MAX_SIZE);
    out->dwHashLen = hash_bits;
    lstrcpynW(out->szExchange, exchange_alg(&ctx->info).name, SZ_ALG_MAX_SIZE);
    /* Windows 10 reports the range it allows, not the size used. */
    out->dwMinExchangeLen = 0;
    out->dwMaxExchangeLen = 65536;
    lstrcpynW(out->szCertificate, ctx->info.cert_type == SCHAN_KEY_ECC ? L"ECDSA" : L"RSA", SZ_ALG_MAX_SIZE);
    out->dwKeyType = named_group(ctx->info.group_name);
    return SEC_E_OK;
}

static SECURITY_STATUS query_application_protocol(struct schan_context *ctx, SecPkgContext_ApplicationProtocol *out)
{
    memset(out, 0, sizeof(*out));
    if (!ctx->info.alpn_len)
    {
        out->ProtoNegoStatus = SecApplicationProtocolNegotiationStatus_None;
        return SEC_E_OK;
    }
    out->ProtoNegoStatus = SecApplicationProtocolNegotiationStatus_Success;
    out->ProtoNegoExt = SecApplicationProtocolNegotiationExt_ALPN;
    out->ProtocolIdSize = (unsigned char)min(ctx->info.alpn_len, MAX_PROTOCOL_ID_SIZE);
    memcpy(out->ProtocolId, ctx->info.alpn, out->ProtocolIdSize);
    return SEC_E_OK;
}

static SECURITY_STATUS query_session_info(struct schan_context *ctx, SecPkgContext_SessionInfo *out)
{
    memset(out, 0, sizeof(*out));
    out->dwFlags = ctx->info.resumed ? SSL_SESSION_RECONNECT : 0;
    return SEC_E_OK;
}

static SECURITY_STATUS query_cert(PCCERT_CONTEXT cert, PCCERT_CONTEXT *out)
{
    if (!cert)
        return SEC_E_NO_CREDENTIALS;
    *out = CertDuplicateCertificateContext(cert);
    return SEC_E_OK;
}

/* SecPkgContext_Bindings: one allocation, SEC_CHANNEL_BINDINGS then
 * "tls-unique:" / "tls-server-end-point:" and the binding bytes. */
static SECURITY_STATUS query_bindings(struct schan_context *ctx, UINT32 kind, SecPkgContext_Bindings *out)
{
    struct schan_get_channel_binding_params params = { .session = ctx->session, .kind = kind };
    const char *prefix = kind == SCHAN_BINDING_UNIQUE ? "tls-unique:" : "tls-server-end-point:";
    SEC_CHANNEL_BINDINGS *cb;
    BYTE value[128];
    ULONG len = strlen(prefix);
    SECURITY_STATUS status;

    params.buffer = to_u64(value);
    params.size = sizeof(value);
    if ((status = unix_call_status(SCHAN_CALL_GET_CHANNEL_BINDING, &params, &params.status)))
        return status;
    out->BindingsLength = sizeof(*cb) + len + params.needed;
    if (!(cb = context_buffer_alloc(out->BindingsLength)))
        return SEC_E_INSUFFICIENT_MEMORY;
    cb->cbApplicationDataLength = len + params.needed;
    cb->dwApplicationDataOffset = sizeof(*cb);
    memcpy(cb + 1, prefix, len);
    memcpy((BYTE *)(cb + 1) + len, value, params.needed);
    out->Bindings = cb;
    return SEC_E_OK;
}

static SECURITY_STATUS query_keying_material(struct schan_context *ctx, SecPkgContext_KeyingMaterial *out)
{
    struct schan_export_keying_material_params params = { .session = ctx->session };

    if (!ctx->km_label)
        return SEC_E_INVALID_PARAMETER;   /* SetContextAttributes(KEYING_MATERIAL_INFO) comes first */
    if (!(out->pbKeyingMaterial = context_buffer_alloc(ctx->km_size)))
        return SEC_E_INSUFFICIENT_MEMORY;
    params.label = to_u64(ctx->km_label);
    params.label_size = strlen(ctx->km_label);
    params.context = to_u64(ctx->km_context);
    params.context_size = ctx->km_context_size;
    params.output = to_u64(out->pbKeyingMaterial);
    params.output_size = ctx->km_size;
    if (unix_call(SCHAN_CALL_EXPORT_KEYING_MATERIAL, &params) || params.status)
    {
        context_buffer_free(out->pbKeyingMaterial);
        out->pbKeyingMaterial = NULL;
        return params.status ? (SECURITY_STATUS)params.status : SEC_E_INTERNAL_ERROR;
    }
    out->cbKeyingMaterial = ctx->km_size;
    return SEC_E_OK;
}

static SECURITY_STATUS query_lifespan(struct schan_context *ctx, SecPkgContext_Lifespan *out)
{
    FILETIME now;

    GetSystemTimeAsFileTime(&now);
    out->tsStart.LowPart = now.dwLowDateTime;
    out->tsStart.HighPart = now.dwHighDateTime;
    peer_chain_load(ctx);
    if (ctx->peer_cert)
    {
        out->tsExpiry.LowPart = ctx->peer_cert->pCertInfo->NotAfter.dwLowDateTime;
        out->tsExpiry.HighPart = ctx->peer_cert->pCertInfo->NotAfter.dwHighDateTime;
    }
    else
        set_never_expires(&out->tsExpiry);
    return SEC_E_OK;
}

static SECURITY_STATUS query_package_info(void *buffer, BOOL wide)
{
    const struct package_desc *desc = schannel_package_at(0);
    void **out = buffer;

    return (*out = package_infos_alloc(&desc, 1, wide)) ? SEC_E_OK : SEC_E_INSUFFICIENT_MEMORY;
}

static SECURITY_STATUS query_names(struct schan_context *ctx, void *buffer, BOOL wide)
{
    WCHAR name[512] = L"";

    peer_chain_load(ctx);
    if (ctx->peer_cert)
        CertNameToStrW(X509_ASN_ENCODING, &ctx->peer_cert->pCertInfo->Subject, CERT_X500_NAME_STR, name,
                       ARRAY_SIZE(name));
    return context_string_alloc(name, (void **)buffer, wide);
}

static SECURITY_STATUS query_key_info(struct schan_context *ctx, void *buffer, BOOL wide)
{
    SecPkgContext_KeyInfoW *out = buffer;   /* the A layout differs only in the string types */
    SECURITY_STATUS status;

    out->KeySize = ctx->info.cipher_bits;
    out->EncryptAlgorithm = cipher_alg(ctx->info.cipher).alg;
    out->SignatureAlgorithm = ctx->info.cert_type == SCHAN_KEY_ECC ? CALG_ECDSA : CALG_RSA_SIGN;
    if ((status = context_string_alloc(ctx->info.cert_type == SCHAN_KEY_ECC ? L"ECDSA" : L"RSA",
                                  (void **)&out->sSignatureAlgorithmName, wide)))
        return status;
    if ((status = context_string_alloc(cipher_alg(ctx->info.cipher).name, (void **)&out->sEncryptAlgorithmName, wide)))
    {
        context_buffer_free(out->sSignatureAlgorithmName);
        out->sSignatureAlgorithmName = NULL;
    }
    return status;
}

/* Attributes that are answerable before the handshake completes. */
static BOOL needs_established(ULONG attribute)
{
    switch (attribute)
    {
    case SECPKG_ATTR_REMOTE_CERT_CONTEXT: case SECPKG_ATTR_REMOTE_CERT_CHAIN: case SECPKG_ATTR_LOCAL_CERT_CONTEXT:
    case SECPKG_ATTR_PACKAGE_INFO: case SECPKG_ATTR_FLAGS: case SECPKG_ATTR_ISSUER_LIST_EX:
    case SECPKG_ATTR_DTLS_MTU:
        return FALSE;
    default:
        return TRUE;
    }
}

/* Attributes that show the server key's type or the RSA modulus size, which
 * may need the certificate parsed (context_info_details); the others, such
 * as SESSION_INFO that a client asks after every resumption, do not. */
static BOOL needs_key_details(ULONG attribute)
{
    switch (attribute)
    {
    case SECPKG_ATTR_CONNECTION_INFO: case SECPKG_ATTR_CONNECTION_INFO_EX: case SECPKG_ATTR_CIPHER_INFO:
    case SECPKG_ATTR_KEY_INFO:
        return TRUE;
    default:
        return FALSE;
    }
}

static SECURITY_STATUS query_attribute(struct schan_context *ctx, ULONG attribute, void *buffer, BOOL wide)
{
    BOOL details = needs_key_details(attribute);

    if (needs_established(attribute) && (!context_established(ctx)
                                         || !(details ? context_info_details(ctx) : context_info(ctx))))
        return SEC_E_CONTEXT_EXPIRED;
    switch (attribute)
    {
    case SECPKG_ATTR_STREAM_SIZES: return query_stream_sizes(ctx, buffer);
    case SECPKG_ATTR_SIZES: return query_sizes(ctx, buffer);
    case SECPKG_ATTR_CONNECTION_INFO: return query_connection_info(ctx, buffer);
    case SECPKG_ATTR_CONNECTION_INFO_EX: return query_connection_info_ex(ctx, buffer);
    case SECPKG_ATTR_CIPHER_INFO: return query_cipher_info(ctx, buffer);
    case SECPKG_ATTR_APPLICATION_PROTOCOL: return query_application_protocol(ctx, buffer);
    case SECPKG_ATTR_SESSION_INFO: return query_session_info(ctx, buffer);
    case SECPKG_ATTR_KEY_INFO: return query_key_info(ctx, buffer, wide);
    case SECPKG_ATTR_NAMES: return query_names(ctx, buffer, wide);
    case SECPKG_ATTR_LIFESPAN: return query_lifespan(ctx, buffer);
    case SECPKG_ATTR_UNIQUE_BINDINGS: return query_bindings(ctx, SCHAN_BINDING_UNIQUE, buffer);
    case SECPKG_ATTR_ENDPOINT_BINDINGS: return query_bindings(ctx, SCHAN_BINDING_ENDPOINT, buffer);
    case SECPKG_ATTR_KEYING_MATERIAL: return query_keying_material(ctx, buffer);
    case SECPKG_ATTR_PACKAGE_INFO: return query_package_info(buffer, wide);
    case SECPKG_ATTR_FLAGS:
        ((SecPkgContext_Flags *)buffer)->Flags = ctx->ret_flags;
        return SEC_E_OK;
    case SECPKG_ATTR_REMOTE_CERT_CONTEXT:
    case SECPKG_ATTR_REMOTE_CERT_CHAIN:
        peer_chain_load(ctx);
        return query_cert(ctx->peer_cert, buffer);
    case SECPKG_ATTR_LOCAL_CERT_CONTEXT:
        return query_cert(ctx->cred->cert, buffer);
    case SECPKG_ATTR_ISSUER_LIST_EX:
        return issuer_list_query(ctx, buffer);
    case SECPKG_ATTR_DTLS_MTU: return dtls_query_mtu(ctx, buffer);
    case SECPKG_ATTR_SRTP_PARAMETERS: return dtls_query_srtp(ctx, buffer);
    default:
        SCHAN_WARN("context attribute %lu not supported\n", attribute);
        return SEC_E_UNSUPPORTED_FUNCTION;
    }
}

static SECURITY_STATUS set_keying_material_info(struct schan_context *ctx, const SecPkgContext_KeyingMaterialInfo *in,
                                                ULONG size)
{
    if (size < sizeof(*in) || !in->pszLabel || !in->cbKeyingMaterial || (in->cbContextValue && !in->pbContextValue))
        return SEC_E_INVALID_PARAMETER;
    heap_free(ctx->km_label);
    heap_free(ctx->km_context);
    ctx->km_context = NULL;
    if (!(ctx->km_label = heap_alloc_zero(strlen(in->pszLabel) + 1)))
        return SEC_E_INSUFFICIENT_MEMORY;
    strcpy(ctx->km_label, in->pszLabel);
    if (in->cbContextValue && (ctx->km_context = heap_alloc_zero(in->cbContextValue)))
        memcpy(ctx->km_context, in->pbContextValue, in->cbContextValue);
    ctx->km_context_size = ctx->km_context ? in->cbContextValue : 0;
    ctx->km_size = in->cbKeyingMaterial;
    return SEC_E_OK;
}

/* The record sizes depend on the MTU. */
static SECURITY_STATUS set_dtls_mtu(struct schan_context *ctx, void *buffer, ULONG size)
{
    SECURITY_STATUS status = dtls_set_mtu(ctx, buffer, size);

    if (status == SEC_E_OK)
        context_refresh_info(ctx);
    return status;
}

static SECURITY_STATUS set_attribute(struct schan_context *ctx, ULONG attribute, void *buffer, ULONG size)
{
    switch (attribute)
    {
    case SECPKG_ATTR_KEYING_MATERIAL_INFO: return set_keying_material_info(ctx, buffer, size);
    case SECPKG_ATTR_DTLS_MTU: return set_dtls_mtu(ctx, buffer, size);
    default:
        SCHAN_WARN("context attribute %lu cannot be set\n", attribute);
        return SEC_E_UNSUPPORTED_FUNCTION;
    }
}

/* Query and set alike: a buffer is required, and the context stays locked
 * while its attribute is read or written. */
struct attribute_call {
    ULONG attribute;
    void *buffer;
    ULONG size;     /* set */
    BOOL wide;      /* query */
    BOOL set;
};

static SECURITY_STATUS context_attribute(PCtxtHandle handle, const struct attribute_call *call)
{
    struct schan_context *ctx;
    SECURITY_STATUS status;

    if (!(ctx = context_ref(handle)))
        return SEC_E_INVALID_HANDLE;
    if (!call->buffer)
        status = SEC_E_INVALID_PARAMETER;
    else
    {
        rw_lock_exclusive(&ctx->lock);
        status = call->set ? set_attribute(ctx, call->attribute, call->buffer, call->size)
                           : query_attribute(ctx, call->attribute, call->buffer, call->wide);
        rw_unlock_exclusive(&ctx->lock);
    }
    handle_release(&ctx->hdr);
    return status;
}

SECURITY_STATUS schannel_query_context(PCtxtHandle handle, ULONG attribute, void *buffer, BOOL wide)
{
    return context_attribute(handle, &(struct attribute_call){ attribute, buffer, 0, wide, FALSE });
}

SECURITY_STATUS schannel_set_context(PCtxtHandle handle, ULONG attribute, void *buffer, ULONG size)
{
    return context_attribute(handle, &(struct attribute_call){ attribute, buffer, size, FALSE, TRUE });
}
