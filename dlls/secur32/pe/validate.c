/*
 * The peer's certificate chain: loaded from the Unix half into a memory
 * store (REMOTE_CERT_CONTEXT hands out the leaf from that store, so callers
 * can walk the chain as sent), and judged with crypt32 against the prefix's
 * root store the way Windows' Schannel does for automatic validation.
 */
#include "schannel_private.h"

/* fdwChecks bits of SSL_EXTRA_CERT_CHAIN_POLICY_PARA (wininet.h values). */
#define CHECK_IGNORE_REVOCATION  0x00000080
#define CHECK_IGNORE_CN_INVALID  0x00001000

static BYTE *fetch_peer_certs(struct schan_context *ctx, UINT32 *size, UINT32 *count)
{
    struct schan_get_peer_certs_params params = { .session = ctx->session };
    BYTE *buf;

    unix_call(SCHAN_CALL_GET_PEER_CERTS, &params);
    if (!params.needed || !(buf = heap_alloc_zero(params.needed)))
        return NULL;
    params.buffer = to_u64(buf);
    params.size = params.needed;
    if (unix_call(SCHAN_CALL_GET_PEER_CERTS, &params) || params.status)
    {
        heap_free(buf);
        return NULL;
    }
    *size = params.needed;
    *count = params.count;
    return buf;
}

SECURITY_STATUS peer_chain_load(struct schan_context *ctx)
{
    UINT32 size = 0, count = 0, i, pos = 0, len;
    PCCERT_CONTEXT cert;
    BYTE *buf;

    if (ctx->peer_store)
        return SEC_E_OK;
    if (!(buf = fetch_peer_certs(ctx, &size, &count)))
        return SEC_E_OK;   /* no peer certificate (e.g. a server that did not ask) */
    ctx->peer_store = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, CERT_STORE_CREATE_NEW_FLAG, NULL);
    for (i = 0; ctx->peer_store && i < count && pos + 4 <= size; i++)
    {
        memcpy(&len, buf + pos, 4);
        pos += 4;
        if (len > size - pos)
            break;
        cert = NULL;
        if (!CertAddEncodedCertificateToStore(ctx->peer_store, X509_ASN_ENCODING, buf + pos, len,
                                              CERT_STORE_ADD_ALWAYS, i == 0 ? &cert : NULL))
            SCHAN_WARN("peer certificate %u could not be parsed by crypt32 (error %#lx)\n", i, GetLastError());
        if (i == 0)
            ctx->peer_cert = cert;
        pos += len;
    }
    heap_free(buf);
    return SEC_E_OK;
}

static DWORD revocation_flags(DWORD cred_flags)
{
    if (cred_flags & SCH_CRED_REVOCATION_CHECK_END_CERT)
        return CERT_CHAIN_REVOCATION_CHECK_END_CERT;
    if (cred_flags & SCH_CRED_REVOCATION_CHECK_CHAIN)
        return CERT_CHAIN_REVOCATION_CHECK_CHAIN;
    if (cred_flags & SCH_CRED_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT)
        return CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT;
    return 0;
}

static DWORD ignore_flags(DWORD cred_flags)
{
    DWORD flags = 0;

    if (cred_flags & SCH_CRED_NO_SERVERNAME_CHECK)
        flags |= CHECK_IGNORE_CN_INVALID;
    if (cred_flags & SCH_CRED_IGNORE_NO_REVOCATION_CHECK)
        flags |= CHECK_IGNORE_REVOCATION;   /* unknown revocation status */
    if (cred_flags & SCH_CRED_IGNORE_REVOCATION_OFFLINE)
        flags |= CHECK_IGNORE_REVOCATION;
    return flags;
}

static SECURITY_STATUS status_from_policy_error(DWORD error)
{
    switch (error)
    {
    case 0: return SEC_E_OK;
    case CERT_E_UNTRUSTEDROOT: case CERT_E_CHAINING: case CERT_E_UNTRUSTEDCA: case TRUST_E_CERT_SIGNATURE:
        return SEC_E_UNTRUSTED_ROOT;
    case CERT_E_CN_NO_MATCH: return SEC_E_WRONG_PRINCIPAL;
    case CERT_E_EXPIRED: return SEC_E_CERT_EXPIRED;
    case CRYPT_E_REVOKED: return CRYPT_E_REVOKED;
    case CRYPT_E_NO_REVOCATION_CHECK: case CRYPT_E_REVOCATION_OFFLINE: return CRYPT_E_REVOCATION_OFFLINE;
    case CERT_E_WRONG_USAGE: case CERT_E_PURPOSE: return SEC_E_CERT_WRONG_USAGE;
    default: return SEC_E_CERT_UNKNOWN;
    }
}

/* The chain's own trust errors, as the SSL policy on Windows reports them.
 * Checked here rather than trusted to the policy alone: Wine 8's SSL policy
 * passes a partial chain (a server whose CA is unknown). */
static DWORD chain_error(const CERT_CHAIN_CONTEXT *chain, DWORD cred_flags)
{
    DWORD e = chain->TrustStatus.dwErrorStatus;

    if (e & (CERT_TRUST_IS_PARTIAL_CHAIN | CERT_TRUST_IS_CYCLIC))
        return CERT_E_CHAINING;
    if (e & CERT_TRUST_IS_NOT_SIGNATURE_VALID)
        return TRUST_E_CERT_SIGNATURE;
    if (e & CERT_TRUST_IS_UNTRUSTED_ROOT)
        return CERT_E_UNTRUSTEDROOT;
    if (e & CERT_TRUST_IS_NOT_TIME_VALID)
        return CERT_E_EXPIRED;
    if (e & CERT_TRUST_IS_REVOKED)
        return CRYPT_E_REVOKED;
    if ((e & CERT_TRUST_IS_OFFLINE_REVOCATION) && !(cred_flags & SCH_CRED_IGNORE_REVOCATION_OFFLINE))
        return CRYPT_E_REVOCATION_OFFLINE;
    if ((e & CERT_TRUST_REVOCATION_STATUS_UNKNOWN) && !(cred_flags & SCH_CRED_IGNORE_NO_REVOCATION_CHECK)
        && revocation_flags(cred_flags))
        return CRYPT_E_NO_REVOCATION_CHECK;
    if (e & (CERT_TRUST_IS_NOT_VALID_FOR_USAGE | CERT_TRUST_INVALID_EXTENSION | CERT_TRUST_INVALID_BASIC_CONSTRAINTS))
        return CERT_E_WRONG_USAGE;
    return 0;
}

static void explain_verdict(struct schan_context *ctx, SECURITY_STATUS status)
{
    switch (status)
    {
    case SEC_E_UNTRUSTED_ROOT:
        SCHAN_ERR("the server's certificate for %ls does not chain to a trusted root; the prefix's root store "
                  "comes from the host's CA bundle (Wine's crypt32) and the registry\n",
                  ctx->target ? ctx->target : L"(no target)");
        break;
    case SEC_E_WRONG_PRINCIPAL:
        SCHAN_ERR("the server's certificate does not name %ls\n", ctx->target ? ctx->target : L"(no target)");
        break;
    case SEC_E_CERT_EXPIRED:
        SCHAN_ERR("the server's certificate has expired or is not yet valid (check the clock)\n");
        break;
    default:
        SCHAN_ERR("the server's certificate was rejected (%#lx)\n", (unsigned long)status);
    }
}

SECURITY_STATUS peer_chain_validate(struct schan_context *ctx)
{
    static const char *server_auth[] = { szOID_PKIX_KP_SERVER_AUTH };
    CERT_CHAIN_PARA para = { .cbSize = sizeof(para) };
    SSL_EXTRA_CERT_CHAIN_POLICY_PARA ssl = { .cbSize = sizeof(ssl) };
    CERT_CHAIN_POLICY_PARA policy = { .cbSize = sizeof(policy) };
    CERT_CHAIN_POLICY_STATUS result = { .cbSize = sizeof(result) };
    PCCERT_CHAIN_CONTEXT chain = NULL;
    SECURITY_STATUS status;
    DWORD chain_err;

    if (!ctx->peer_cert)
    {
        SCHAN_ERR("the server sent no certificate\n");
        return SEC_E_CERT_UNKNOWN;
    }
    para.RequestedUsage.dwType = USAGE_MATCH_TYPE_OR;
    para.RequestedUsage.Usage.cUsageIdentifier = 1;
    para.RequestedUsage.Usage.rgpszUsageIdentifier = (char **)server_auth;
    if (!CertGetCertificateChain(NULL, ctx->peer_cert, NULL, ctx->peer_store, &para,
                                 revocation_flags(ctx->cred->flags), NULL, &chain))
        return SEC_E_CERT_UNKNOWN;
    ssl.dwAuthType = AUTHTYPE_SERVER;
    ssl.pwszServerName = ctx->target;
    ssl.fdwChecks = ignore_flags(ctx->cred->flags);
    policy.pvExtraPolicyPara = &ssl;
    if (!CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL, chain, &policy, &result))
        result.dwError = CERT_E_CHAINING;
    chain_err = chain_error(chain, ctx->cred->flags);
    if (chain_err && (!result.dwError || result.dwError == (DWORD)CERT_E_CN_NO_MATCH))
        result.dwError = chain_err;
    SCHAN_TRACE("chain trust error %#lx info %#lx, SSL policy error %#lx\n", chain->TrustStatus.dwErrorStatus,
                chain->TrustStatus.dwInfoStatus, result.dwError);
    CertFreeCertificateChain(chain);
    status = status_from_policy_error(result.dwError);
    if (status)
        explain_verdict(ctx, status);
    return status;
}
