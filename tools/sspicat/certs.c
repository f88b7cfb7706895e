/*
 * Certificates for sspicat: PFX import for our own certificate, a PEM CA
 * file as the only trusted root for --cafile validation, and printing the
 * peer's certificate.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "sspicat.h"

static HANDLE open_file(const char *path)
{
    HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    char alt[MAX_PATH];

    /* Under Wine a Unix absolute path lives on drive Z:. */
    if (h == INVALID_HANDLE_VALUE && path[0] == '/' && path[1] != '/'
        && snprintf(alt, sizeof(alt), "Z:%s", path) < (int)sizeof(alt))
        h = CreateFileA(alt, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    return h;
}

BYTE *read_whole_file(const char *path, DWORD *size)
{
    HANDLE h = open_file(path);
    DWORD got = 0;
    BYTE *data;

    if (h == INVALID_HANDLE_VALUE)
    {
        error("cannot open %s (error %lu)", path, GetLastError());
        return NULL;
    }
    *size = GetFileSize(h, NULL);
    if (*size == INVALID_FILE_SIZE || !(data = malloc(*size + 1))
        || !ReadFile(h, data, *size, &got, NULL) || got != *size)
    {
        error("cannot read %s", path);
        CloseHandle(h);
        return NULL;
    }
    data[*size] = 0;
    CloseHandle(h);
    return data;
}

static BOOL has_private_key(PCCERT_CONTEXT cert)
{
    DWORD len = 0;
    return CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, NULL, &len)
        || CertGetCertificateContextProperty(cert, CERT_NCRYPT_KEY_HANDLE_PROP_ID, NULL, &len);
}

static PCCERT_CONTEXT import_pfx(CRYPT_DATA_BLOB *blob, const WCHAR *password, DWORD flags)
{
    HCERTSTORE store = PFXImportCertStore(blob, password, flags);
    PCCERT_CONTEXT cert = NULL, found = NULL;

    if (!store)
        return NULL;
    while (!found && (cert = CertEnumCertificatesInStore(store, cert)))
        if (has_private_key(cert))
            found = CertDuplicateCertificateContext(cert);
    if (cert)
        CertFreeCertificateContext(cert);
    CertCloseStore(store, 0);
    return found;
}

PCCERT_CONTEXT load_pfx(const char *path, const char *password)
{
    CRYPT_DATA_BLOB blob;
    PCCERT_CONTEXT found;
    WCHAR wpass[256] = L"";
    DWORD size;
    BYTE *data;

    if (!(data = read_whole_file(path, &size)))
        return NULL;
    if (password)
        MultiByteToWideChar(CP_UTF8, 0, password, -1, wpass, ARRAY_SIZE(wpass));
    blob.cbData = size;
    blob.pbData = data;
    /* Keys not persisted where that is supported (Wine 8 leaves them out). */
    if (!(found = import_pfx(&blob, wpass, CRYPT_EXPORTABLE | PKCS12_NO_PERSIST_KEY)))
        found = import_pfx(&blob, wpass, CRYPT_EXPORTABLE);
    free(data);
    if (!found)
        error("no certificate with a private key could be imported from %s (error %#lx): wrong password "
              "(--pass), no key in the file, or a key type this crypt32 cannot import", path, GetLastError());
    return found;
}

/* Every "-----BEGIN CERTIFICATE-----" block of a PEM file, in a memory store. */
HCERTSTORE load_ca_file(const char *path)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----", end[] = "-----END CERTIFICATE-----";
    HCERTSTORE store;
    char *pem, *p, *q;
    DWORD size, count = 0;

    if (!(pem = (char *)read_whole_file(path, &size)))
        return NULL;
    store = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, CERT_STORE_CREATE_NEW_FLAG, NULL);
    for (p = pem; store && (p = strstr(p, begin)) && (q = strstr(p, end)); p = q)
    {
        BYTE der[16384];
        DWORD der_len = sizeof(der);

        q += sizeof(end) - 1;
        if (CryptStringToBinaryA(p, q - p, CRYPT_STRING_BASE64HEADER, der, &der_len, NULL, NULL)
            && CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING, der, der_len, CERT_STORE_ADD_ALWAYS, NULL))
            count++;
    }
    free(pem);
    if (!count)
    {
        error("%s holds no PEM certificate", path);
        if (store)
            CertCloseStore(store, 0);
        return NULL;
    }
    verbose("loaded %lu CA certificate(s) from %s", count, path);
    return store;
}

static SECURITY_STATUS status_from_trust(DWORD e)
{
    if (e & CERT_TRUST_IS_NOT_TIME_VALID)
        return SEC_E_CERT_EXPIRED;
    if (e & CERT_TRUST_IS_REVOKED)
        return CRYPT_E_REVOKED;
    if (e & (CERT_TRUST_IS_PARTIAL_CHAIN | CERT_TRUST_IS_UNTRUSTED_ROOT | CERT_TRUST_IS_NOT_SIGNATURE_VALID
             | CERT_TRUST_IS_CYCLIC))
        return SEC_E_UNTRUSTED_ROOT;
    if (e & (CERT_TRUST_IS_NOT_VALID_FOR_USAGE | CERT_TRUST_INVALID_BASIC_CONSTRAINTS))
        return SEC_E_CERT_WRONG_USAGE;
    return SEC_E_OK;
}

static SECURITY_STATUS status_from_policy(DWORD e)
{
    switch (e)
    {
    case 0: return SEC_E_OK;
    case CERT_E_CN_NO_MATCH: return SEC_E_WRONG_PRINCIPAL;
    case CERT_E_EXPIRED: return SEC_E_CERT_EXPIRED;
    case CERT_E_UNTRUSTEDROOT: case CERT_E_CHAINING: return SEC_E_UNTRUSTED_ROOT;
    case CERT_E_WRONG_USAGE: return SEC_E_CERT_WRONG_USAGE;
    default: return SEC_E_CERT_UNKNOWN;
    }
}

/* The top of the chain must be one of our roots, byte for byte (the
 * exclusive-root engine should see to that; this does not depend on it). */
static BOOL chain_ends_in(const CERT_CHAIN_CONTEXT *chain, HCERTSTORE roots)
{
    const CERT_SIMPLE_CHAIN *simple = chain->rgpChain[0];
    PCCERT_CONTEXT top = simple->rgpElement[simple->cElement - 1]->pCertContext, root = NULL;
    BOOL found = FALSE;

    while (!found && (root = CertEnumCertificatesInStore(roots, root)))
        found = root->cbCertEncoded == top->cbCertEncoded
            && !memcmp(root->pbCertEncoded, top->pbCertEncoded, top->cbCertEncoded);
    if (root)
        CertFreeCertificateContext(root);
    return found;
}

static SECURITY_STATUS check_chain(PCCERT_CONTEXT peer, HCERTSTORE roots, const WCHAR *name)
{
    static const char *server_auth[] = { szOID_PKIX_KP_SERVER_AUTH };
    CERT_CHAIN_ENGINE_CONFIG config = { .cbSize = sizeof(config), .hExclusiveRoot = roots };
    CERT_CHAIN_PARA para = { .cbSize = sizeof(para) };
    SSL_EXTRA_CERT_CHAIN_POLICY_PARA ssl = { .cbSize = sizeof(ssl), .dwAuthType = AUTHTYPE_SERVER };
    CERT_CHAIN_POLICY_PARA policy = { .cbSize = sizeof(policy), .pvExtraPolicyPara = &ssl };
    CERT_CHAIN_POLICY_STATUS result = { .cbSize = sizeof(result) };
    HCERTCHAINENGINE engine = NULL;
    PCCERT_CHAIN_CONTEXT chain = NULL;
    SECURITY_STATUS status;
    DWORD trust;

    /* Older crypt32s (Windows 7, Wine) know the layout without dwExclusiveFlags. */
    if (!CertCreateCertificateChainEngine(&config, &engine) && GetLastError() == (DWORD)E_INVALIDARG)
    {
        config.cbSize = offsetof(CERT_CHAIN_ENGINE_CONFIG, dwExclusiveFlags);
        CertCreateCertificateChainEngine(&config, &engine);
    }
    if (!engine)
    {
        error("CertCreateCertificateChainEngine with an exclusive root failed (error %#lx)", GetLastError());
        return SEC_E_CERT_UNKNOWN;
    }
    para.RequestedUsage.dwType = USAGE_MATCH_TYPE_OR;
    para.RequestedUsage.Usage.cUsageIdentifier = 1;
    para.RequestedUsage.Usage.rgpszUsageIdentifier = (char **)server_auth;
    if (!CertGetCertificateChain(engine, peer, NULL, peer->hCertStore, &para, 0, NULL, &chain))
    {
        error("CertGetCertificateChain failed (error %#lx)", GetLastError());
        CertFreeCertificateChainEngine(engine);
        return SEC_E_CERT_UNKNOWN;
    }
    trust = chain->TrustStatus.dwErrorStatus;
    verbose("chain: %lu element(s), trust error status %#lx", chain->rgpChain[0]->cElement, trust);
    status = status_from_trust(trust);
    if (!status && !chain_ends_in(chain, roots))
        status = SEC_E_UNTRUSTED_ROOT;
    if (!status)
    {
        ssl.pwszServerName = (WCHAR *)name;
        if (!CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL, chain, &policy, &result))
            result.dwError = CERT_E_CHAINING;
        status = status_from_policy(result.dwError);
        verbose("SSL policy for %ls: error %#lx", name ? name : L"(no name)", result.dwError);
    }
    CertFreeCertificateChain(chain);
    CertFreeCertificateChainEngine(engine);
    return status;
}

SECURITY_STATUS validate_server(PCtxtHandle ctx, HCERTSTORE roots, const WCHAR *name)
{
    PCCERT_CONTEXT peer = NULL;
    SECURITY_STATUS status;

    if ((status = QueryContextAttributesW(ctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &peer)))
    {
        sspi_error("QueryContextAttributes(REMOTE_CERT_CONTEXT)", status);
        return status;
    }
    status = check_chain(peer, roots, name);
    CertFreeCertificateContext(peer);
    return status;
}

static void print_name(const char *label, CERT_NAME_BLOB *name)
{
    char text[512];

    CertNameToStrA(X509_ASN_ENCODING, name, CERT_X500_NAME_STR, text, sizeof(text));
    info("  %-15s%s", label, text);
}

void print_peer(PCtxtHandle ctx)
{
    PCCERT_CONTEXT peer = NULL;

    if (QueryContextAttributesW(ctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &peer) || !peer)
    {
        info("  %-15s%s", "peer cert:", "(none)");
        return;
    }
    print_name("peer subject:", &peer->pCertInfo->Subject);
    print_name("peer issuer:", &peer->pCertInfo->Issuer);
    CertFreeCertificateContext(peer);
}
