/*
 * Schannel credentials: AcquireCredentialsHandleA/W, FreeCredentialsHandle,
 * QueryCredentialsAttributes and SetCredentialsAttributes.  SCHANNEL_CRED
 * (v3, v4) and SCH_CREDENTIALS (v5) are resolved here into the Unix half's
 * terms: protocols, disabled algorithms, strength limits, certificate + key.
 */
#include "schannel_private.h"

#define DEFAULT_LIFESPAN_MS (10 * 60 * 60 * 1000)
#define SP_PROT_TLS_CLIENTS (SP_PROT_TLS1_0_CLIENT | SP_PROT_TLS1_1_CLIENT | SP_PROT_TLS1_2_CLIENT | SP_PROT_TLS1_3_CLIENT)
#define SP_PROT_TLS_SERVERS (SP_PROT_TLS_CLIENTS >> 1)
#define SP_PROT_DTLS_ANY (SP_PROT_DTLS1_0 | SP_PROT_DTLS1_2)
#define SP_PROT_DTLS_CLIENTS (SP_PROT_DTLS1_0_CLIENT | SP_PROT_DTLS1_2_CLIENT)
#define SP_PROT_DTLS_SERVERS (SP_PROT_DTLS_CLIENTS >> 1)
#define SP_PROT_SSL_ANY (SP_PROT_SSL2 | SP_PROT_SSL3 | SP_PROT_PCT1)

/* The caller's choices, whichever struct carried them. */
struct cred_request {
    DWORD version;
    DWORD cert_count;
    PCCERT_CONTEXT *certs;
    DWORD enabled;             /* SP_PROT_* as given (0 = default) */
    DWORD disabled;            /* SCH_CREDENTIALS: grbitDisabledProtocols */
    DWORD flags;
    DWORD lifespan;
    DWORD min_bits, max_bits;
    DWORD alg_count;
    const ALG_ID *algs;
    DWORD crypto_count;
    const CRYPTO_SETTINGS *crypto;
};

static void credential_destroy(struct handle_object *obj)
{
    struct schan_credential *cred = CONTAINING_RECORD(obj, struct schan_credential, hdr);
    struct schan_cred_free_params params = { .cred = cred->unix_cred };

    if (cred->unix_cred)
        unix_call(SCHAN_CALL_CRED_FREE, &params);
    if (cred->cert)
        CertFreeCertificateContext(cred->cert);
    heap_free(cred);
}

struct schan_credential *credential_ref(const CredHandle *handle)
{
    struct handle_object *obj = handle_ref(handle, HANDLE_TYPE_CRED);
    return obj ? CONTAINING_RECORD(obj, struct schan_credential, hdr) : NULL;
}

static SECURITY_STATUS read_request(const void *auth, struct cred_request *req)
{
    const SCHANNEL_CRED *v4 = auth;
    const SCH_CREDENTIALS *v5 = auth;
    DWORD i;

    memset(req, 0, sizeof(*req));
    if (!auth)
        return SEC_E_OK;
    req->version = v4->dwVersion;
    switch (v4->dwVersion)
    {
    case SCH_CRED_V3:
    case SCHANNEL_CRED_VERSION:
        req->cert_count = v4->cCreds;
        req->certs = v4->paCred;
        req->enabled = v4->grbitEnabledProtocols;
        req->flags = v4->dwFlags;
        req->lifespan = v4->dwSessionLifespan;
        req->min_bits = v4->dwMinimumCipherStrength;
        req->max_bits = v4->dwMaximumCipherStrength;
        req->alg_count = v4->cSupportedAlgs;
        req->algs = v4->palgSupportedAlgs;
        return SEC_E_OK;
    case SCH_CREDENTIALS_VERSION:
        req->cert_count = v5->cCreds;
        req->certs = v5->paCred;
        req->flags = v5->dwFlags;
        req->lifespan = v5->dwSessionLifespan;
        if (v5->cTlsParameters && !v5->pTlsParameters)
            return SEC_E_INVALID_TOKEN;
        for (i = 0; i < v5->cTlsParameters; i++)
        {
            const TLS_PARAMETERS *tp = &v5->pTlsParameters[i];
            if (tp->cAlpnIds)
            {
                SCHAN_WARN("TLS_PARAMETERS restricted to ALPN ids are not applied\n");
                continue;
            }
            req->disabled |= tp->grbitDisabledProtocols;
            if (tp->cDisabledCrypto)
            {
                req->crypto_count = tp->cDisabledCrypto;
                req->crypto = tp->pDisabledCrypto;
            }
        }
        return SEC_E_OK;
    default:
        SCHAN_WARN("unknown credential version %lu: Schannel takes SCHANNEL_CRED (3, 4) or SCH_CREDENTIALS (5)\n",
                   v4->dwVersion);
        return SEC_E_UNKNOWN_CREDENTIALS;
    }
}

/* The enabled protocols folded onto the client bits, or 0 on mismatch.
 * A credential may hold TLS and DTLS versions at once (the system default,
 * and SCH_CREDENTIALS): ISC/ASC_REQ_DATAGRAM picks DTLS per context.  Only
 * SCHANNEL_CRED naming both TLS and DTLS bits is refused, as on Windows. */
static DWORD resolve_protocols(const struct cred_request *req, ULONG use, DWORD *out)
{
    BOOL server = use == SECPKG_CRED_INBOUND;
    DWORD mine = server ? SP_PROT_TLS_SERVERS | SP_PROT_DTLS_SERVERS : SP_PROT_TLS_CLIENTS | SP_PROT_DTLS_CLIENTS;
    DWORD enabled = req->enabled, result;

    if (req->version == SCH_CREDENTIALS_VERSION || !enabled)
    {
        enabled = SP_PROT_TLS1_2 | SP_PROT_DTLS_ANY | ((req->version == SCH_CREDENTIALS_VERSION) ? SP_PROT_TLS1_3 : 0);
        enabled &= ~req->disabled;
    }
    else if ((enabled & SP_PROT_DTLS_ANY) && (enabled & (SP_PROT_TLS_CLIENTS | SP_PROT_TLS_SERVERS)))
    {
        SCHAN_WARN("grbitEnabledProtocols %#lx mixes TLS and DTLS; returning SEC_E_ALGORITHM_MISMATCH\n", enabled);
        return SEC_E_ALGORITHM_MISMATCH;
    }
    enabled &= mine;
    if (req->version != SCH_CREDENTIALS_VERSION)
        enabled &= ~SP_PROT_TLS1_3;      /* TLS 1.3 only through SCH_CREDENTIALS, as on Windows */
    result = server ? enabled << 1 : enabled;
    result &= bridge_protocols();
    if (!result)
    {
        SCHAN_WARN("no usable protocol in %#lx for %s use\n", req->enabled ? req->enabled : ~req->disabled,
                   server ? "inbound" : "outbound");
        return SEC_E_ALGORITHM_MISMATCH;
    }
    *out = result;
    return SEC_E_OK;
}

static DWORD alg_disable_bits(ALG_ID alg)
{
    switch (alg)
    {
    case CALG_AES_128: return SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_128_GCM) | SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_128_CBC)
                              | SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_128_CCM);
    case CALG_AES_256: return SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_256_GCM) | SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_256_CBC)
                              | SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_256_CCM);
    case CALG_AES: return alg_disable_bits(CALG_AES_128) | alg_disable_bits(CALG_AES_256);
    case CALG_3DES: return SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_3DES_CBC);
    case CALG_RC4: return SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_RC4_128);
    case CALG_RSA_KEYX: return SCHAN_DISABLE_KX(SCHAN_KX_RSA);
    case CALG_DH_EPHEM: return SCHAN_DISABLE_KX(SCHAN_KX_DHE);
    case CALG_ECDH: case CALG_ECDH_EPHEM: return SCHAN_DISABLE_KX(SCHAN_KX_ECDHE);
    case CALG_MD5: return SCHAN_DISABLE_MAC(SCHAN_MAC_MD5);
    case CALG_SHA1: return SCHAN_DISABLE_MAC(SCHAN_MAC_SHA1);
    case CALG_SHA_256: return SCHAN_DISABLE_MAC(SCHAN_MAC_SHA256);
    case CALG_SHA_384: return SCHAN_DISABLE_MAC(SCHAN_MAC_SHA384);
    default: return 0;
    }
}

#define ALL_CIPHER_BITS 0x0000ffffu
#define ALL_MAC_BITS    0x00ff0000u
#define ALL_KX_BITS     0xff000000u

/* palgSupportedAlgs is an allow list per category it mentions. */
static DWORD disabled_from_alg_list(const ALG_ID *algs, DWORD count)
{
    DWORD allowed = 0, mentioned = 0, i, bits;

    for (i = 0; i < count; i++)
    {
        if (!(bits = alg_disable_bits(algs[i])))
            continue;
        allowed |= bits;
        mentioned |= (bits & ALL_CIPHER_BITS) ? ALL_CIPHER_BITS : (bits & ALL_MAC_BITS) ? ALL_MAC_BITS : ALL_KX_BITS;
    }
    return mentioned & ~allowed;
}

static BOOL unicode_equals(const UNICODE_STRING *s, const WCHAR *text)
{
    size_t len = lstrlenW(text);
    return s->Buffer && s->Length == len * sizeof(WCHAR) && !_wcsnicmp(s->Buffer, text, len);
}

static BOOL chaining_listed(const CRYPTO_SETTINGS *cs, const WCHAR *mode)
{
    DWORD i;

    if (!cs->cChainingModes)
        return TRUE;
    for (i = 0; i < cs->cChainingModes; i++)
        if (unicode_equals(&cs->rgstrChainingModes[i], mode))
            return TRUE;
    return FALSE;
}

/* One CRYPTO_SETTINGS entry (a CNG algorithm id, optionally narrowed to
 * chaining modes and bit lengths) as disabled bits. */
static DWORD disabled_from_crypto_setting(const CRYPTO_SETTINGS *cs)
{
    DWORD bits = 0;
    BOOL len128 = (!cs->dwMinBitLength || cs->dwMinBitLength <= 128) && (!cs->dwMaxBitLength || cs->dwMaxBitLength >= 128);
    BOOL len256 = (!cs->dwMinBitLength || cs->dwMinBitLength <= 256) && (!cs->dwMaxBitLength || cs->dwMaxBitLength >= 256);

    if (unicode_equals(&cs->strCngAlgId, L"AES"))
    {
        if (chaining_listed(cs, L"ChainingModeGCM"))
            bits |= (len128 ? SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_128_GCM) : 0) | (len256 ? SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_256_GCM) : 0);
        if (chaining_listed(cs, L"ChainingModeCBC"))
            bits |= (len128 ? SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_128_CBC) : 0) | (len256 ? SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_256_CBC) : 0);
        if (chaining_listed(cs, L"ChainingModeCCM"))
            bits |= (len128 ? SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_128_CCM) : 0) | (len256 ? SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_AES_256_CCM) : 0);
    }
    else if (unicode_equals(&cs->strCngAlgId, L"CHACHA20_POLY1305"))
        bits = SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_CHACHA20_POLY1305);
    else if (unicode_equals(&cs->strCngAlgId, L"3DES"))
        bits = SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_3DES_CBC);
    else if (unicode_equals(&cs->strCngAlgId, L"RC4"))
        bits = SCHAN_DISABLE_CIPHER(SCHAN_CIPHER_RC4_128);
    else if (unicode_equals(&cs->strCngAlgId, L"RSA") && cs->eAlgorithmUsage == TlsParametersCngAlgUsageKeyExchange)
        bits = SCHAN_DISABLE_KX(SCHAN_KX_RSA);
    else if (unicode_equals(&cs->strCngAlgId, L"DH"))
        bits = SCHAN_DISABLE_KX(SCHAN_KX_DHE);
    else if (unicode_equals(&cs->strCngAlgId, L"ECDH"))
        bits = SCHAN_DISABLE_KX(SCHAN_KX_ECDHE);
    else if (unicode_equals(&cs->strCngAlgId, L"MD5"))
        bits = SCHAN_DISABLE_MAC(SCHAN_MAC_MD5);
    else if (unicode_equals(&cs->strCngAlgId, L"SHA1") && cs->eAlgorithmUsage == TlsParametersCngAlgUsageDigest)
        bits = SCHAN_DISABLE_MAC(SCHAN_MAC_SHA1);
    else if (unicode_equals(&cs->strCngAlgId, L"SHA256") && cs->eAlgorithmUsage == TlsParametersCngAlgUsageDigest)
        bits = SCHAN_DISABLE_MAC(SCHAN_MAC_SHA256);
    else if (unicode_equals(&cs->strCngAlgId, L"SHA384") && cs->eAlgorithmUsage == TlsParametersCngAlgUsageDigest)
        bits = SCHAN_DISABLE_MAC(SCHAN_MAC_SHA384);
    else
        SCHAN_WARN("CRYPTO_SETTINGS for %.*ls (usage %d) not applied\n", cs->strCngAlgId.Length / 2,
                   cs->strCngAlgId.Buffer ? cs->strCngAlgId.Buffer : L"", cs->eAlgorithmUsage);
    return bits;
}

static DWORD disabled_algorithms(const struct cred_request *req)
{
    DWORD bits = disabled_from_alg_list(req->algs, req->alg_count), i;

    for (i = 0; i < req->crypto_count; i++)
        bits |= disabled_from_crypto_setting(&req->crypto[i]);
    return bits;
}

static DWORD unix_cred_flags(const struct cred_request *req)
{
    DWORD flags = 0;

    if ((req->flags & SCH_CRED_DISABLE_RECONNECTS) || req->lifespan == 0xffffffff)
        flags |= SCHAN_CRED_DISABLE_RECONNECTS;
    if (req->flags & SCH_USE_STRONG_CRYPTO)
        flags |= SCHAN_CRED_STRONG_CRYPTO;
    if (req->flags & SCH_ALLOW_NULL_ENCRYPTION)
        flags |= SCHAN_CRED_ALLOW_NULL;
    return flags;
}

static SECURITY_STATUS create_unix_cred(struct schan_credential *cred, const struct cred_request *req)
{
    struct schan_cred_create_params params = { 0 };
    struct cert_material material = { 0 };
    SECURITY_STATUS status;

    if (cred->cert && (status = cert_material_get(cred->cert, &material)))
        return status;
    params.is_server = cred->use == SECPKG_CRED_INBOUND;
    params.protocols = cred->protocols;
    params.flags = unix_cred_flags(req);
    params.disabled_algs = disabled_algorithms(req);
    params.min_cipher_bits = cred->min_bits;
    params.max_cipher_bits = cred->max_bits;
    params.session_lifespan_ms = (params.flags & SCHAN_CRED_DISABLE_RECONNECTS) ? 0xffffffff : cred->lifespan_ms;
    params.cert_count = material.cert_count;
    params.certs = to_u64(material.certs);
    params.key = material.key;
    status = unix_call_status(SCHAN_CALL_CRED_CREATE, &params, &params.status);
    cert_material_free(&material);
    cred->unix_cred = params.cred;
    return status;
}

static SECURITY_STATUS check_certificates(const struct cred_request *req, ULONG use)
{
    if (req->cert_count > 1)
    {
        SCHAN_WARN("%lu certificates given; Schannel takes one\n", req->cert_count);
        return SEC_E_UNKNOWN_CREDENTIALS;
    }
    if (req->cert_count && (!req->certs || !req->certs[0]))
        return SEC_E_UNKNOWN_CREDENTIALS;
    if (use == SECPKG_CRED_INBOUND && !req->cert_count)
    {
        SCHAN_WARN("a server credential needs a certificate with a private key\n");
        return SEC_E_NO_CREDENTIALS;
    }
    return SEC_E_OK;
}

/* Without an output handle Windows still judges the certificate and its
 * key first, and answers their error rather than SEC_E_INVALID_HANDLE
 * (Wine's schannel tests record it). */
static SECURITY_STATUS check_without_handle(const struct cred_request *req)
{
    struct cert_material material = { 0 };
    SECURITY_STATUS status;

    if (req->cert_count && (status = cert_material_get(req->certs[0], &material)))
        return status;
    cert_material_free(&material);
    return SEC_E_INVALID_HANDLE;
}

static SECURITY_STATUS acquire_credentials(ULONG use, const void *auth, CredHandle *handle, TimeStamp *expiry)
{
    struct schan_credential *cred;
    struct cred_request req;
    SECURITY_STATUS status;
    DWORD protocols;

    if (!bridge_available())
        return SEC_E_SECPKG_NOT_FOUND;
    if (use != SECPKG_CRED_INBOUND && use != SECPKG_CRED_OUTBOUND)
        return SEC_E_NO_CREDENTIALS;
    /* Windows judges the request before the output handle, and the
     * protocols before the certificate (Wine's schannel tests record it). */
    if ((status = read_request(auth, &req)) || (status = resolve_protocols(&req, use, &protocols))
        || (status = check_certificates(&req, use)))
        return status;
    if (!handle)
        return check_without_handle(&req);
    if (!(cred = heap_alloc_zero(sizeof(*cred))))
        return SEC_E_INSUFFICIENT_MEMORY;
    handle_object_init(&cred->hdr, HANDLE_TYPE_CRED, credential_destroy);
    cred->use = use;
    cred->protocols = protocols;
    cred->flags = req.flags;
    cred->version = req.version ? req.version : SCHANNEL_CRED_VERSION;
    cred->min_bits = req.min_bits;
    cred->max_bits = req.max_bits;
    cred->lifespan_ms = req.lifespan ? req.lifespan : DEFAULT_LIFESPAN_MS;
    if (req.cert_count)
        cred->cert = CertDuplicateCertificateContext(req.certs[0]);
    if (!(status = create_unix_cred(cred, &req)) && !handle_insert(&cred->hdr, handle))
        status = SEC_E_INSUFFICIENT_MEMORY;
    handle_release(&cred->hdr);
    if (status)
        return status;
    set_never_expires(expiry);
    SCHAN_TRACE("credential %Ix:%Ix %s protocols %#lx flags %#lx\n", handle->dwLower, handle->dwUpper,
                use == SECPKG_CRED_INBOUND ? "inbound" : "outbound", protocols, req.flags);
    return SEC_E_OK;
}

/* Schannel ignores the principal, logon ID and key callback (Windows does too). */
SECURITY_STATUS schannel_acquire_credentials(const struct package_desc *pkg, const WCHAR *principal, ULONG use,
                                             void *logon_id, void *auth, SEC_GET_KEY_FN get_key,
                                             void *get_key_arg, PCredHandle handle, PTimeStamp expiry)
{
    (void)pkg; (void)principal; (void)logon_id; (void)get_key; (void)get_key_arg;
    return acquire_credentials(use, auth, handle, expiry);
}

SECURITY_STATUS schannel_free_credentials(PCredHandle handle)
{
    return handle_remove(handle, HANDLE_TYPE_CRED) ? SEC_E_OK : SEC_E_INVALID_HANDLE;
}

/* TLS and DTLS together come only from the defaults (a caller cannot ask
 * for both): such a credential reports its TLS versions, as before DTLS. */
static SECURITY_STATUS query_supported_protocols(struct schan_credential *cred, void *buffer)
{
    SecPkgCred_SupportedProtocols *out = buffer;
    DWORD protocols = cred->protocols;

    if (protocols & SP_PROT_TLS_CLIENTS)
        protocols &= ~SP_PROT_DTLS_CLIENTS;
    out->grbitProtocol = cred->use == SECPKG_CRED_INBOUND ? protocols >> 1 : protocols;
    return SEC_E_OK;
}

static SECURITY_STATUS query_cipher_strengths(struct schan_credential *cred, void *buffer)
{
    SecPkgCred_CipherStrengths *out = buffer;
    out->dwMinimumCipherStrength = cred->min_bits ? cred->min_bits : 128;
    out->dwMaximumCipherStrength = cred->max_bits ? cred->max_bits : 256;
    return SEC_E_OK;
}

static SECURITY_STATUS query_supported_algs(void *buffer)
{
    static const ALG_ID algs[] = { CALG_AES_128, CALG_AES_256, CALG_RSA_KEYX, CALG_DH_EPHEM, CALG_ECDH_EPHEM,
                                   CALG_ECDSA, CALG_RSA_SIGN, CALG_SHA1, CALG_SHA_256, CALG_SHA_384 };
    SecPkgCred_SupportedAlgs *out = buffer;

    if (!(out->palgSupportedAlgs = context_buffer_alloc(sizeof(algs))))
        return SEC_E_INSUFFICIENT_MEMORY;
    memcpy(out->palgSupportedAlgs, algs, sizeof(algs));
    out->cSupportedAlgs = ARRAY_SIZE(algs);
    return SEC_E_OK;
}

static SECURITY_STATUS query_names(struct schan_credential *cred, void *buffer, BOOL wide)
{
    WCHAR name[512] = L"";

    if (!cred->cert)
        return SEC_E_NO_CREDENTIALS;   /* as Windows: no certificate, no name */
    CertGetNameStringW(cred->cert, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, NULL, name, ARRAY_SIZE(name));
    return context_string_alloc(name, (void **)&((SecPkgCredentials_NamesW *)buffer)->sUserName, wide);
}

SECURITY_STATUS schannel_query_credentials(PCredHandle handle, ULONG attribute, void *buffer, BOOL wide)
{
    struct schan_credential *cred = credential_ref(handle);
    SECURITY_STATUS status;

    if (!cred)
        return SEC_E_INVALID_HANDLE;
    if (!buffer)
    {
        handle_release(&cred->hdr);
        return SEC_E_INTERNAL_ERROR;   /* what Windows returns for a NULL buffer */
    }
    switch (attribute)
    {
    case SECPKG_ATTR_SUPPORTED_PROTOCOLS: status = query_supported_protocols(cred, buffer); break;
    case SECPKG_ATTR_CIPHER_STRENGTHS: status = query_cipher_strengths(cred, buffer); break;
    case SECPKG_ATTR_SUPPORTED_ALGS: status = query_supported_algs(buffer); break;
    case SECPKG_CRED_ATTR_NAMES: status = query_names(cred, buffer, wide); break;
    default:
        SCHAN_WARN("credential attribute %lu not supported\n", attribute);
        status = SEC_E_UNSUPPORTED_FUNCTION;
    }
    handle_release(&cred->hdr);
    return status;
}

SECURITY_STATUS schannel_set_credentials(PCredHandle handle, ULONG attribute, void *buffer, ULONG size)
{
    struct schan_credential *cred = credential_ref(handle);
    SECURITY_STATUS status = SEC_E_OK;

    if (!cred)
        return SEC_E_INVALID_HANDLE;
    switch (attribute)
    {
    case SECPKG_ATTR_CLIENT_CERT_POLICY:
        if (!buffer || size < sizeof(SecPkgCred_ClientCertPolicy))
            status = SEC_E_INVALID_PARAMETER;
        else
            cred->client_cert_policy = TRUE;
        break;
    default:
        SCHAN_WARN("credential attribute %lu cannot be set\n", attribute);
        status = SEC_E_UNSUPPORTED_FUNCTION;
    }
    handle_release(&cred->hdr);
    return status;
}
