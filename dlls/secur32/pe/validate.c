/*
 * The peer's certificate chain: loaded from the Unix half into a memory
 * store (REMOTE_CERT_CONTEXT hands out the leaf from that store, so callers
 * can walk the chain as sent), and judged with crypt32 against the prefix's
 * root store the way Windows' Schannel does for automatic validation.
 */
#include "schannel_private.h"

SECURITY_STATUS peer_chain_load(struct schan_context *ctx)
{
    struct schan_list list;
    PCCERT_CONTEXT cert;
    const uint8_t *der;
    uint32_t len;

    if (ctx->peer_store)
        return SEC_E_OK;
    /* no peer certificate (e.g. a server that did not ask): no store */
    if (unix_call_list(SCHAN_CALL_GET_PEER_CERTS, ctx->session, &list) || !list.count)
        return SEC_E_OK;
    ctx->peer_store = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, CERT_STORE_CREATE_NEW_FLAG, NULL);
    while (ctx->peer_store && schan_list_next(&list, &der, &len))
    {
        cert = NULL;
        if (!CertAddEncodedCertificateToStore(ctx->peer_store, X509_ASN_ENCODING, der, len, CERT_STORE_ADD_ALWAYS,
                                              list.index == 1 ? &cert : NULL))
            SCHAN_WARN("peer certificate %u could not be parsed by crypt32 (error %#lx)\n", list.index - 1,
                       GetLastError());
        if (list.index == 1)
            ctx->peer_cert = cert;
    }
    heap_free(list.data);
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
    case CRYPT_E_REVOCATION_OFFLINE: return CRYPT_E_REVOCATION_OFFLINE;
    case CRYPT_E_NO_REVOCATION_CHECK: return CRYPT_E_NO_REVOCATION_CHECK;
    case CERT_E_WRONG_USAGE: case CERT_E_PURPOSE: return SEC_E_CERT_WRONG_USAGE;
    default: return SEC_E_CERT_UNKNOWN;
    }
}

static BOOL is_self_signed_element(const CERT_CHAIN_ELEMENT *el)
{
    return (el->TrustStatus.dwInfoStatus & CERT_TRUST_IS_SELF_SIGNED)
        || CertCompareCertificateName(X509_ASN_ENCODING, &el->pCertContext->pCertInfo->Issuer,
                                      &el->pCertContext->pCertInfo->Subject);
}

/* ---- revocation ----
 * Wine 8's cryptnet keeps a per-prefix cache of revocation verdicts that
 * records a revoked certificate as good (a second check of it passes), and
 * marks an element without any distribution point "offline".  So CRLs are
 * checked here: fetched through CryptRetrieveObjectByUrl (its URL cache is
 * sound), signature and freshness checked against the issuer.  Elements
 * with no CRL distribution point keep crypt32's verdict (OCSP). */

static BOOL crl_usable(PCCRL_CONTEXT crl, PCCERT_CONTEXT issuer)
{
    FILETIME now;

    GetSystemTimeAsFileTime(&now);
    if ((crl->pCrlInfo->NextUpdate.dwLowDateTime || crl->pCrlInfo->NextUpdate.dwHighDateTime)
        && CompareFileTime(&now, &crl->pCrlInfo->NextUpdate) > 0)
        return FALSE;
    return CryptVerifyCertificateSignatureEx(0, X509_ASN_ENCODING, CRYPT_VERIFY_CERT_SIGN_SUBJECT_CRL, (void *)crl,
                                             CRYPT_VERIFY_CERT_SIGN_ISSUER_CERT, (void *)issuer, 0, NULL);
}

/* cryptnet.dll (and wininet behind it) is loaded only when a revocation
 * check needs it, not by every program that loads secur32. */
typedef BOOL (WINAPI *retrieve_by_url_fn)(const WCHAR *, const char *, DWORD, DWORD, void **, HCRYPTASYNC,
                                          CRYPT_CREDENTIALS *, void *, CRYPT_RETRIEVE_AUX_INFO *);

static retrieve_by_url_fn retrieve_by_url;
static INIT_ONCE retrieve_by_url_once = INIT_ONCE_STATIC_INIT;

/* Once per process, whichever thread comes first: the module stays loaded
 * while the function is in use, and is let go if it lacks the export. */
static BOOL CALLBACK load_retrieve_by_url(INIT_ONCE *once, void *param, void **context)
{
    HMODULE module = LoadLibraryW(L"cryptnet.dll");

    (void)once; (void)param; (void)context;
    if (module && !(retrieve_by_url = (retrieve_by_url_fn)(void *)GetProcAddress(module, "CryptRetrieveObjectByUrlW")))
        FreeLibrary(module);
    return TRUE;
}

static retrieve_by_url_fn get_retrieve_by_url(void)
{
    InitOnceExecuteOnce(&retrieve_by_url_once, load_retrieve_by_url, NULL, NULL);
    return retrieve_by_url;
}

/* 0, CRYPT_E_REVOKED or CRYPT_E_REVOCATION_OFFLINE from one CRL URL. */
static HRESULT check_crl_url(const WCHAR *url, PCCERT_CONTEXT cert, PCCERT_CONTEXT issuer)
{
    static const DWORD attempts[] = { 0, CRYPT_WIRE_ONLY_RETRIEVAL };
    PCCRL_CONTEXT crl;
    PCRL_ENTRY entry;
    HRESULT result = CRYPT_E_REVOCATION_OFFLINE;
    DWORD i;

    retrieve_by_url_fn retrieve = get_retrieve_by_url();

    for (i = 0; retrieve && i < ARRAY_SIZE(attempts) && result == CRYPT_E_REVOCATION_OFFLINE; i++)
    {
        crl = NULL;
        if (!retrieve(url, CONTEXT_OID_CRL, attempts[i], 15000, (void **)&crl, NULL, NULL, NULL, NULL)
            || !crl)
            break;   /* nothing cached or fetched: the server is unreachable */
        if (crl_usable(crl, issuer))
        {
            entry = NULL;
            result = CertFindCertificateInCRL(cert, crl, 0, NULL, &entry) && entry ? CRYPT_E_REVOKED : 0;
        }
        CertFreeCRLContext(crl);
    }
    return result;
}

/* CRYPT_E_NO_REVOCATION_CHECK when the certificate names no CRL. */
static HRESULT check_crls(PCCERT_CONTEXT cert, PCCERT_CONTEXT issuer)
{
    CERT_EXTENSION *ext = CertFindExtension(szOID_CRL_DIST_POINTS, cert->pCertInfo->cExtension,
                                            cert->pCertInfo->rgExtension);
    CRL_DIST_POINTS_INFO *info = NULL;
    DWORD size = 0, i, j;
    HRESULT result = CRYPT_E_REVOCATION_OFFLINE;

    if (!ext)
        return CRYPT_E_NO_REVOCATION_CHECK;
    if (!CryptDecodeObjectEx(X509_ASN_ENCODING, X509_CRL_DIST_POINTS, ext->Value.pbData, ext->Value.cbData,
                             CRYPT_DECODE_ALLOC_FLAG, NULL, &info, &size))
        return CRYPT_E_REVOCATION_OFFLINE;
    for (i = 0; i < info->cDistPoint && result == CRYPT_E_REVOCATION_OFFLINE; i++)
    {
        const CRL_DIST_POINT_NAME *name = &info->rgDistPoint[i].DistPointName;
        if (name->dwDistPointNameChoice != CRL_DIST_POINT_FULL_NAME)
            continue;
        for (j = 0; j < name->FullName.cAltEntry && result == CRYPT_E_REVOCATION_OFFLINE; j++)
            if (name->FullName.rgAltEntry[j].dwAltNameChoice == CERT_ALT_NAME_URL)
                result = check_crl_url(name->FullName.rgAltEntry[j].pwszURL, cert, issuer);
    }
    LocalFree(info);
    return result;
}

/* crypt32's word on an element that has no CRL (OCSP, or nothing). */
static HRESULT element_revocation(const CERT_CHAIN_ELEMENT *el)
{
    DWORD e = el->TrustStatus.dwErrorStatus;

    if (e & CERT_TRUST_IS_REVOKED)
        return CRYPT_E_REVOKED;
    if (CertFindExtension(szOID_AUTHORITY_INFO_ACCESS, el->pCertContext->pCertInfo->cExtension,
                          el->pCertContext->pCertInfo->rgExtension)
        && (e & (CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION)))
        return CRYPT_E_REVOCATION_OFFLINE;
    if (e & (CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION))
        return CRYPT_E_NO_REVOCATION_CHECK;
    return 0;
}

static BOOL ignored(HRESULT error, DWORD cred_flags)
{
    return (error == CRYPT_E_REVOCATION_OFFLINE && (cred_flags & SCH_CRED_IGNORE_REVOCATION_OFFLINE))
        || (error == CRYPT_E_NO_REVOCATION_CHECK && (cred_flags & SCH_CRED_IGNORE_NO_REVOCATION_CHECK));
}

/* The verdict over the elements the flags name.  A trusted self-signed root
 * is not judged: nobody publishes its revocation (Windows does not fail on
 * it either). */
static HRESULT revocation_error(const CERT_SIMPLE_CHAIN *simple, DWORD cred_flags)
{
    DWORD i, count = simple->cElement;
    HRESULT error, first_unknown = 0;

    if (!revocation_flags(cred_flags))
        return 0;
    if (cred_flags & SCH_CRED_REVOCATION_CHECK_END_CERT)
        count = 1;
    for (i = 0; i < count; i++)
    {
        const CERT_CHAIN_ELEMENT *el = simple->rgpElement[i];
        if (i && i == simple->cElement - 1 && is_self_signed_element(el))
            break;
        error = i + 1 < simple->cElement ? check_crls(el->pCertContext, simple->rgpElement[i + 1]->pCertContext)
                                         : CRYPT_E_REVOCATION_OFFLINE;
        if (error == CRYPT_E_NO_REVOCATION_CHECK)
            error = element_revocation(el);
        if (error == CRYPT_E_REVOKED)
            return error;
        if (error && !ignored(error, cred_flags) && !first_unknown)
            first_unknown = error;
    }
    return first_unknown;
}

/* ---- signatures crypt32 wrongly calls bad ---- */

static BOOL link_verifies(PCCERT_CONTEXT subject, PCCERT_CONTEXT issuer)
{
    struct schan_verify_signature_params params = {
        .subject = { to_u64(subject->pbCertEncoded), subject->cbCertEncoded },
        .issuer = { to_u64(issuer->pbCertEncoded), issuer->cbCertEncoded },
    };

    return unix_call_status(SCHAN_CALL_VERIFY_SIGNATURE, &params, &params.status) == SEC_E_OK;
}

/* Wine 8's crypt32 rejects valid P-256 ECDSA signatures whose r or s is
 * shorter than 32 bytes (about 1 in 128), which would fail such a server
 * every time.  When the chain says "not signature valid", GnuTLS checks
 * every link of it again, and the root's own signature if crypt32 flagged
 * that; only if all of them verify is that one error taken back.  Windows
 * and Wine 10 never get here with a valid chain. */
static DWORD error_status(const CERT_CHAIN_CONTEXT *chain)
{
    DWORD e = chain->TrustStatus.dwErrorStatus;
    const CERT_SIMPLE_CHAIN *simple;
    DWORD n;

    if (!(e & CERT_TRUST_IS_NOT_SIGNATURE_VALID) || chain->cChain != 1 || !(n = chain->rgpChain[0]->cElement))
        return e;
    simple = chain->rgpChain[0];
    for (DWORD i = 0; i + 1 < n; i++)
        if (!link_verifies(simple->rgpElement[i]->pCertContext, simple->rgpElement[i + 1]->pCertContext))
            return e;
    if ((simple->rgpElement[n - 1]->TrustStatus.dwErrorStatus & CERT_TRUST_IS_NOT_SIGNATURE_VALID)
        && !link_verifies(simple->rgpElement[n - 1]->pCertContext, simple->rgpElement[n - 1]->pCertContext))
        return e;
    SCHAN_TRACE("crypt32 called a signature in the chain bad; GnuTLS verified every link\n");
    return e & ~CERT_TRUST_IS_NOT_SIGNATURE_VALID;
}

/* The chain's own verdict, read from its trust status rather than from
 * Wine 8's SSL policy, which passes partial chains and reports an offline
 * CRL server as CERT_E_REVOCATION_FAILURE. */
static DWORD chain_error(const CERT_CHAIN_CONTEXT *chain, DWORD cred_flags)
{
    DWORD e = error_status(chain), revocation;

    if (!chain->cChain || (e & (CERT_TRUST_IS_PARTIAL_CHAIN | CERT_TRUST_IS_CYCLIC)))
        return CERT_E_CHAINING;
    if (e & CERT_TRUST_IS_NOT_SIGNATURE_VALID)
        return TRUST_E_CERT_SIGNATURE;
    if (e & CERT_TRUST_IS_UNTRUSTED_ROOT)
        return CERT_E_UNTRUSTEDROOT;
    if (e & CERT_TRUST_IS_NOT_TIME_VALID)
        return CERT_E_EXPIRED;
    if ((revocation = revocation_error(chain->rgpChain[0], cred_flags)))
        return revocation;
    if (e & (CERT_TRUST_IS_NOT_VALID_FOR_USAGE | CERT_TRUST_INVALID_EXTENSION | CERT_TRUST_INVALID_BASIC_CONSTRAINTS
             | CERT_TRUST_INVALID_POLICY_CONSTRAINTS | CERT_TRUST_INVALID_NAME_CONSTRAINTS))
        return CERT_E_WRONG_USAGE;
    return 0;
}

/* ---- the server name (pszTargetName) against the certificate ---- */

/* A DNS name against a certificate's DNS name, as Windows compares them:
 * case-insensitive, a trailing dot ignored, '*' only as the whole left-most
 * label, matching exactly one label, and never directly above a TLD. */
static BOOL dns_name_matches(const WCHAR *pattern, const WCHAR *host, size_t host_len)
{
    const WCHAR *suffix, *dot, *p;
    size_t pattern_len = lstrlenW(pattern), dots = 0;

    if (pattern_len && pattern[pattern_len - 1] == '.')
        pattern_len--;
    if (pattern_len >= 2 && pattern[0] == '*' && pattern[1] == '.')
    {
        suffix = pattern + 1;
        for (p = suffix; p < pattern + pattern_len; p++)
            dots += *p == '.';
        if (dots < 2 || !(dot = wcschr(host, '.')) || dot == host || dot >= host + host_len)
            return FALSE;
        return (size_t)(host + host_len - dot) == pattern_len - 1
            && !_wcsnicmp(dot, suffix, pattern_len - 1);
    }
    if (wcschr(pattern, '*'))
        return FALSE;   /* partial-label wildcards are not honoured */
    return pattern_len == host_len && !_wcsnicmp(pattern, host, host_len);
}

/* ntdll's address parsers (ip2string.h would drag in the socket headers). */
LONG NTAPI RtlIpv4StringToAddressW(const WCHAR *text, BOOLEAN strict, const WCHAR **end, void *addr);
LONG NTAPI RtlIpv6StringToAddressW(const WCHAR *text, const WCHAR **end, void *addr);

/* 4 or 16 bytes when `host` is an IP literal, else 0. */
static DWORD parse_ip(const WCHAR *host, BYTE *addr)
{
    WCHAR copy[64];
    const WCHAR *end;
    size_t len = lstrlenW(host);

    if (len >= ARRAY_SIZE(copy))
        return 0;
    if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    {
        memcpy(copy, host + 1, (len - 2) * sizeof(WCHAR));
        copy[len - 2] = 0;
    }
    else
        lstrcpyW(copy, host);
    if (!RtlIpv4StringToAddressW(copy, TRUE, &end, addr) && !*end)
        return 4;
    if (!RtlIpv6StringToAddressW(copy, &end, addr) && !*end)
        return 16;
    return 0;
}

static CERT_ALT_NAME_INFO *decode_alt_names(PCCERT_CONTEXT cert)
{
    CERT_EXTENSION *ext = CertFindExtension(szOID_SUBJECT_ALT_NAME2, cert->pCertInfo->cExtension,
                                            cert->pCertInfo->rgExtension);
    CERT_ALT_NAME_INFO *info = NULL;
    DWORD size = 0;

    if (ext && !CryptDecodeObjectEx(X509_ASN_ENCODING, X509_ALTERNATE_NAME, ext->Value.pbData, ext->Value.cbData,
                                    CRYPT_DECODE_ALLOC_FLAG, NULL, &info, &size))
        info = NULL;
    return info;
}

/* subjectAltName DNS and IP entries first; the subject's CN only when the
 * certificate names no DNS host at all. */
static BOOL name_matches(PCCERT_CONTEXT cert, const WCHAR *target)
{
    CERT_ALT_NAME_INFO *alt = decode_alt_names(cert);
    WCHAR cn[256];
    BYTE ip[16];
    DWORD ip_len = parse_ip(target, ip), i, dns_names = 0;
    size_t len = lstrlenW(target);
    BOOL match = FALSE;

    if (len && target[len - 1] == '.')
        len--;
    for (i = 0; alt && i < alt->cAltEntry && !match; i++)
    {
        const CERT_ALT_NAME_ENTRY *e = &alt->rgAltEntry[i];
        if (e->dwAltNameChoice == CERT_ALT_NAME_DNS_NAME)
        {
            dns_names++;
            match = !ip_len && dns_name_matches(e->pwszDNSName, target, len);
        }
        else if (e->dwAltNameChoice == CERT_ALT_NAME_IP_ADDRESS && ip_len)
            match = e->IPAddress.cbData == ip_len && !memcmp(e->IPAddress.pbData, ip, ip_len);
    }
    LocalFree(alt);
    if (match || dns_names)
        return match;
    if (!CertGetNameStringW(cert, CERT_NAME_ATTR_TYPE, 0, (void *)szOID_COMMON_NAME, cn, ARRAY_SIZE(cn)) || !cn[0])
        return FALSE;
    return ip_len ? !_wcsicmp(cn, target) : dns_name_matches(cn, target, len);
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

/* The roots a verdict trusts, read as they are now: Wine's Root system store
 * (the host's CA bundle) and the CurrentUser and LocalMachine registry
 * stores, opened afresh.  Wine 8's chain engines keep a root store they
 * opened earlier, so a root added to or removed from the registry could go
 * unseen (intermittently) even by a new default engine. */
static HCERTSTORE open_roots(void)
{
    static const DWORD registry[] = { CERT_SYSTEM_STORE_CURRENT_USER, CERT_SYSTEM_STORE_LOCAL_MACHINE };
    HCERTSTORE roots = CertOpenStore(CERT_STORE_PROV_COLLECTION, 0, 0, 0, NULL), store;
    DWORD i;

    if (!roots)
        return NULL;
    for (i = 0; i < ARRAY_SIZE(registry); i++)
        if ((store = CertOpenStore(CERT_STORE_PROV_SYSTEM_REGISTRY_W, 0, 0,
                                   registry[i] | CERT_STORE_READONLY_FLAG | CERT_STORE_OPEN_EXISTING_FLAG, L"Root")))
        {
            CertAddStoreToCollection(roots, store, 0, 0);
            CertCloseStore(store, 0);
        }
    if ((store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
                               CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_READONLY_FLAG, L"Root")))
    {
        CertAddStoreToCollection(roots, store, 0, 0);
        CertCloseStore(store, 0);
    }
    return roots;
}

/* A chain engine per verdict, trusting exactly open_roots(); Wine 8 takes the
 * Windows 7 layout of the config (with hExclusiveRoot), not the newest one. */
static HCERTCHAINENGINE fresh_engine(HCERTSTORE *roots)
{
    CERT_CHAIN_ENGINE_CONFIG config = { .cbSize = FIELD_OFFSET(CERT_CHAIN_ENGINE_CONFIG, dwExclusiveFlags) };
    HCERTCHAINENGINE engine = NULL;

    config.hExclusiveRoot = *roots = open_roots();
    if (!CertCreateCertificateChainEngine(&config, &engine))
    {
        config.cbSize = FIELD_OFFSET(CERT_CHAIN_ENGINE_CONFIG, hExclusiveRoot);
        if (!CertCreateCertificateChainEngine(&config, &engine))
            engine = NULL;
    }
    return engine;
}

/* Client: the server's chain for server authentication and pszTargetName.
 * Server: the client's chain for client authentication (no name). */
SECURITY_STATUS peer_chain_validate(struct schan_context *ctx)
{
    static const char *server_auth[] = { szOID_PKIX_KP_SERVER_AUTH };
    static const char *client_auth[] = { szOID_PKIX_KP_CLIENT_AUTH };
    CERT_CHAIN_PARA para = { .cbSize = sizeof(para) };
    PCCERT_CHAIN_CONTEXT chain = NULL;
    DWORD flags = ctx->cred->flags, error;
    HCERTCHAINENGINE engine;
    HCERTSTORE roots;
    SECURITY_STATUS status;

    if (!ctx->peer_cert)
    {
        if (ctx->is_server)
            return SEC_E_OK;
        SCHAN_ERR("the server sent no certificate\n");
        return SEC_E_CERT_UNKNOWN;
    }
    para.RequestedUsage.dwType = USAGE_MATCH_TYPE_OR;
    para.RequestedUsage.Usage.cUsageIdentifier = 1;
    para.RequestedUsage.Usage.rgpszUsageIdentifier = (char **)(ctx->is_server ? client_auth : server_auth);
    engine = fresh_engine(&roots);
    if (!CertGetCertificateChain(engine, ctx->peer_cert, NULL, ctx->peer_store, &para, revocation_flags(flags),
                                 NULL, &chain))
        error = CERT_E_CHAINING;
    else
    {
        error = chain_error(chain, flags);
        if (!error && !ctx->is_server && ctx->target && ctx->target[0] && !(flags & SCH_CRED_NO_SERVERNAME_CHECK)
            && !name_matches(ctx->peer_cert, ctx->target))
            error = CERT_E_CN_NO_MATCH;
        SCHAN_TRACE("chain trust error %#lx info %#lx, verdict %#lx\n", chain->TrustStatus.dwErrorStatus,
                    chain->TrustStatus.dwInfoStatus, error);
        CertFreeCertificateChain(chain);
    }
    if (engine)
        CertFreeCertificateChainEngine(engine);
    if (roots)
        CertCloseStore(roots, 0);
    status = status_from_policy_error(error);
    if (status)
        explain_verdict(ctx, status);
    return status;
}

/* ---- SECPKG_ATTR_ISSUER_LIST_EX ---- */

/* One context buffer: the CERT_NAME_BLOB array, then the names it points to
 * (FreeContextBuffer on aIssuers frees it all). */
SECURITY_STATUS issuer_list_query(struct schan_context *ctx, SecPkgContext_IssuerListInfoEx *out)
{
    struct schan_list list;
    SECURITY_STATUS status;
    CERT_NAME_BLOB *names;
    const uint8_t *name;
    uint32_t len;
    BYTE *data;

    memset(out, 0, sizeof(*out));
    if ((status = unix_call_list(SCHAN_CALL_GET_ISSUERS, ctx->session, &list)) || !list.count)
        return status;
    if (!(names = context_buffer_alloc(list.count * sizeof(*names) + list.size)))
    {
        heap_free(list.data);
        return SEC_E_INSUFFICIENT_MEMORY;
    }
    data = (BYTE *)(names + list.count);
    while (schan_list_next(&list, &name, &len))
    {
        memcpy(data, name, len);
        names[out->cIssuers].pbData = data;
        names[out->cIssuers++].cbData = len;
        data += len;
    }
    heap_free(list.data);
    out->aIssuers = names;
    return SEC_E_OK;
}
