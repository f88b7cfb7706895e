/*
 * A local certificate in the Unix half's form: the DER chain to send (leaf
 * first, up to but not including a self-signed root) and the private key as
 * raw big-endian integers, taken from CryptoAPI (PRIVATEKEYBLOB) or CNG
 * (BCRYPT_RSAFULLPRIVATE_BLOB / BCRYPT_ECCPRIVATE_BLOB).
 */
#include "schannel_private.h"
#include <ncrypt.h>

#define MAX_CHAIN 8   /* leaf + up to 7 intermediates (held[] has 8 slots) */

static void reverse_copy(BYTE *dst, const BYTE *src, DWORD len)
{
    DWORD i;
    for (i = 0; i < len; i++)
        dst[i] = src[len - 1 - i];
}

/* Copies `len` bytes into the key storage as a part (reversed for CryptoAPI's
 * little-endian integers) and advances *pos. */
static void add_part(struct cert_material *m, int index, BYTE **pos, const BYTE *src, DWORD len, BOOL little_endian)
{
    if (little_endian)
        reverse_copy(*pos, src, len);
    else
        memcpy(*pos, src, len);
    m->key.parts[index].data = to_u64(*pos);
    m->key.parts[index].size = len;
    *pos += len;
}

/* CryptoAPI PRIVATEKEYBLOB: BLOBHEADER, RSAPUBKEY, modulus, prime1, prime2,
 * exponent1, exponent2, coefficient, private exponent (little-endian). */
static SECURITY_STATUS parse_capi_rsa(struct cert_material *m, const BYTE *blob, DWORD size)
{
    const RSAPUBKEY *rsa = (const RSAPUBKEY *)(blob + sizeof(BLOBHEADER));
    DWORD n, h;
    const BYTE *p;
    BYTE *pos, exponent[4];

    if (size < sizeof(BLOBHEADER) + sizeof(RSAPUBKEY) || rsa->magic != 0x32415352 /* RSA2 */)
        return SEC_E_UNKNOWN_CREDENTIALS;
    n = rsa->bitlen / 8;
    h = n / 2;
    if (size < sizeof(BLOBHEADER) + sizeof(RSAPUBKEY) + n * 2 + h * 5)
        return SEC_E_UNKNOWN_CREDENTIALS;
    if (!(m->key_storage = heap_alloc_zero(n * 2 + h * 2 + 4)))
        return SEC_E_INSUFFICIENT_MEMORY;
    p = (const BYTE *)(rsa + 1);
    pos = m->key_storage;
    m->key.type = SCHAN_KEY_RSA;
    add_part(m, 0, &pos, p, n, TRUE);
    memcpy(exponent, &rsa->pubexp, 4);
    add_part(m, 1, &pos, exponent, 4, TRUE);
    add_part(m, 3, &pos, p + n, h, TRUE);
    add_part(m, 4, &pos, p + n + h, h, TRUE);
    add_part(m, 2, &pos, p + n + h * 5, n, TRUE);
    return SEC_E_OK;
}

/* A key rsaenh will not export (no CRYPT_EXPORTABLE): Schannel on Windows
 * signs through the CSP instead.  Wine 8's rsaenh keeps a persisted key pair
 * as a CryptProtectData blob of the PRIVATEKEYBLOB under
 * HKCU (or HKLM)\Software\Wine\Crypto\RSA\<container>, readable by the
 * same user, so that is where the key is taken from on Wine. */
static SECURITY_STATUS read_wine_rsaenh_key(struct cert_material *m, HCRYPTPROV prov, DWORD spec)
{
    static const HKEY roots[] = { HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE };
    char container[260], path[400];
    DATA_BLOB in = { 0 }, out = { 0 };
    DWORD size = sizeof(container), i, type;
    SECURITY_STATUS status = SEC_E_NO_CREDENTIALS;
    HKEY key;

    if (!CryptGetProvParam(prov, PP_CONTAINER, (BYTE *)container, &size, 0))
        return SEC_E_NO_CREDENTIALS;
    snprintf(path, sizeof(path), "Software\\Wine\\Crypto\\RSA\\%s", container);
    for (i = 0; i < ARRAY_SIZE(roots) && status; i++)
    {
        if (RegOpenKeyExA(roots[i], path, 0, KEY_READ, &key))
            continue;
        size = 0;
        if (!RegQueryValueExA(key, spec == AT_SIGNATURE ? "SignatureKeyPair" : "KeyExchangeKeyPair", NULL, &type,
                              NULL, &size) && size && (in.pbData = heap_alloc_zero(size)))
        {
            in.cbData = size;
            if (!RegQueryValueExA(key, spec == AT_SIGNATURE ? "SignatureKeyPair" : "KeyExchangeKeyPair", NULL, &type,
                                  in.pbData, &size)
                && CryptUnprotectData(&in, NULL, NULL, NULL, NULL, 0, &out))
            {
                status = parse_capi_rsa(m, out.pbData, out.cbData);
                SecureZeroMemory(out.pbData, out.cbData);
                LocalFree(out.pbData);
            }
            heap_free(in.pbData);
        }
        RegCloseKey(key);
    }
    return status;
}

static SECURITY_STATUS export_capi_key(struct cert_material *m, HCRYPTPROV prov, DWORD spec)
{
    HCRYPTKEY key;
    DWORD size = 0, err;
    BYTE *blob;
    SECURITY_STATUS status = SEC_E_NO_CREDENTIALS;

    /* Wine reports an unusual key spec for PFX imports: try both. */
    if (CryptGetUserKey(prov, spec, &key))
        ;
    else if (CryptGetUserKey(prov, AT_KEYEXCHANGE, &key))
        spec = AT_KEYEXCHANGE;
    else if (CryptGetUserKey(prov, AT_SIGNATURE, &key))
        spec = AT_SIGNATURE;
    else
        return SEC_E_NO_CREDENTIALS;
    if (CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, NULL, &size) && (blob = heap_alloc_zero(size)))
    {
        if (CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, blob, &size))
            status = parse_capi_rsa(m, blob, size);
        SecureZeroMemory(blob, size);
        heap_free(blob);
    }
    else
    {
        err = GetLastError();
        if ((status = read_wine_rsaenh_key(m, prov, spec)))
            SCHAN_ERR("the certificate's private key cannot be exported (error %#lx) nor read from Wine's key "
                      "store; import the PFX with CRYPT_EXPORTABLE\n", err);
    }
    CryptDestroyKey(key);
    return status;
}

/* BCRYPT_RSAFULLPRIVATE_BLOB: header, e, n, p, q, ... d (big-endian). */
static SECURITY_STATUS parse_cng_rsa(struct cert_material *m, const BYTE *blob, DWORD size)
{
    const BCRYPT_RSAKEY_BLOB *hdr = (const BCRYPT_RSAKEY_BLOB *)blob;
    const BYTE *p = blob + sizeof(*hdr);
    BYTE *pos;

    if (size < sizeof(*hdr) || size < sizeof(*hdr) + hdr->cbPublicExp + hdr->cbModulus * 2 + hdr->cbPrime1 * 3 + hdr->cbPrime2 * 2)
        return SEC_E_UNKNOWN_CREDENTIALS;
    if (!(m->key_storage = heap_alloc_zero(size)))
        return SEC_E_INSUFFICIENT_MEMORY;
    pos = m->key_storage;
    m->key.type = SCHAN_KEY_RSA;
    add_part(m, 1, &pos, p, hdr->cbPublicExp, FALSE);
    p += hdr->cbPublicExp;
    add_part(m, 0, &pos, p, hdr->cbModulus, FALSE);
    p += hdr->cbModulus;
    add_part(m, 3, &pos, p, hdr->cbPrime1, FALSE);
    p += hdr->cbPrime1;
    add_part(m, 4, &pos, p, hdr->cbPrime2, FALSE);
    p += hdr->cbPrime2 + hdr->cbPrime1 + hdr->cbPrime2 + hdr->cbPrime1;
    add_part(m, 2, &pos, p, hdr->cbModulus, FALSE);
    return SEC_E_OK;
}

static enum schan_curve curve_from_magic(ULONG magic)
{
    switch (magic)
    {
    case BCRYPT_ECDSA_PRIVATE_P256_MAGIC: case BCRYPT_ECDH_PRIVATE_P256_MAGIC: return SCHAN_CURVE_P256;
    case BCRYPT_ECDSA_PRIVATE_P384_MAGIC: case BCRYPT_ECDH_PRIVATE_P384_MAGIC: return SCHAN_CURVE_P384;
    case BCRYPT_ECDSA_PRIVATE_P521_MAGIC: case BCRYPT_ECDH_PRIVATE_P521_MAGIC: return SCHAN_CURVE_P521;
    default: return SCHAN_CURVE_NONE;
    }
}

/* BCRYPT_ECCPRIVATE_BLOB: header, X, Y, d (big-endian, cbKey each). */
static SECURITY_STATUS parse_cng_ecc(struct cert_material *m, const BYTE *blob, DWORD size)
{
    const BCRYPT_ECCKEY_BLOB *hdr = (const BCRYPT_ECCKEY_BLOB *)blob;
    const BYTE *p = blob + sizeof(*hdr);
    BYTE *pos;

    if (size < sizeof(*hdr) || size < sizeof(*hdr) + hdr->cbKey * 3 || !curve_from_magic(hdr->dwMagic))
        return SEC_E_UNKNOWN_CREDENTIALS;
    if (!(m->key_storage = heap_alloc_zero(hdr->cbKey * 3)))
        return SEC_E_INSUFFICIENT_MEMORY;
    pos = m->key_storage;
    m->key.type = SCHAN_KEY_ECC;
    m->key.curve = curve_from_magic(hdr->dwMagic);
    add_part(m, 0, &pos, p, hdr->cbKey, FALSE);
    add_part(m, 1, &pos, p + hdr->cbKey, hdr->cbKey, FALSE);
    add_part(m, 2, &pos, p + hdr->cbKey * 2, hdr->cbKey, FALSE);
    return SEC_E_OK;
}

static SECURITY_STATUS export_cng_key(struct cert_material *m, NCRYPT_KEY_HANDLE key)
{
    static const WCHAR *types[] = { BCRYPT_RSAFULLPRIVATE_BLOB, BCRYPT_ECCPRIVATE_BLOB };
    SECURITY_STATUS status = SEC_E_NO_CREDENTIALS;
    DWORD size, i;
    BYTE *blob;

    for (i = 0; i < ARRAY_SIZE(types) && status == SEC_E_NO_CREDENTIALS; i++)
    {
        if (NCryptExportKey(key, 0, types[i], NULL, NULL, 0, &size, 0) || !(blob = heap_alloc_zero(size)))
            continue;
        if (!NCryptExportKey(key, 0, types[i], NULL, blob, size, &size, 0))
            status = i == 0 ? parse_cng_rsa(m, blob, size) : parse_cng_ecc(m, blob, size);
        SecureZeroMemory(blob, size);
        heap_free(blob);
    }
    if (status == SEC_E_NO_CREDENTIALS)
        SCHAN_ERR("the certificate's CNG private key cannot be exported; import it as exportable\n");
    return status;
}

/* Keys CryptAcquireCertificatePrivateKey does not find in Wine 8: a CNG key
 * handle attached with CERT_NCRYPT_KEY_HANDLE_PROP_ID, and the temporary key
 * of a PFX imported with PKCS12_NO_PERSIST_KEY (CERT_KEY_CONTEXT_PROP_ID). */
static BOOL key_from_properties(PCCERT_CONTEXT cert, HCRYPTPROV_OR_NCRYPT_KEY_HANDLE *handle, DWORD *spec)
{
    NCRYPT_KEY_HANDLE key;
    CERT_KEY_CONTEXT kc;
    DWORD size = sizeof(key);

    if (CertGetCertificateContextProperty(cert, CERT_NCRYPT_KEY_HANDLE_PROP_ID, &key, &size) && key)
    {
        *handle = key;
        *spec = CERT_NCRYPT_KEY_SPEC;
        return TRUE;
    }
    size = sizeof(kc);
    if (CertGetCertificateContextProperty(cert, CERT_KEY_CONTEXT_PROP_ID, &kc, &size) && kc.hCryptProv)
    {
        *handle = kc.hCryptProv;
        *spec = kc.dwKeySpec;
        return TRUE;
    }
    return FALSE;
}

/* Wine 8 has no documented way to give a certificate context an ECDSA key:
 * PFXImportCertStore drops it, NCryptImportKey(BCRYPT_ECCPRIVATE_BLOB) says
 * NTE_INVALID_PARAMETER, NCryptCreatePersistedKey(ECDSA) NTE_NOT_SUPPORTED,
 * NCryptOpenKey is a stub, and crypt32 refuses CERT_NCRYPT_KEY_HANDLE_PROP_ID
 * and user property ids.  So a caller may name this pseudo provider in
 * CERT_KEY_PROV_INFO and pass the key itself as its one CRYPT_KEY_PROV_PARAM
 * (dwParam 1): a BCRYPT_ECCPRIVATE_BLOB or BCRYPT_RSAFULLPRIVATE_BLOB. */
#define SCHAN_KEY_BLOB_PROVIDER L"Schannel GnuTLS key blob"

static SECURITY_STATUS key_from_blob_provider(PCCERT_CONTEXT cert, struct cert_material *m)
{
    CRYPT_KEY_PROV_INFO *info;
    SECURITY_STATUS status = SEC_E_NO_CREDENTIALS;
    DWORD size = 0, magic;

    if (!CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, NULL, &size)
        || !(info = heap_alloc_zero(size)))
        return SEC_E_NO_CREDENTIALS;
    if (CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, info, &size) && info->pwszProvName
        && !lstrcmpW(info->pwszProvName, SCHAN_KEY_BLOB_PROVIDER) && info->cProvParam == 1
        && info->rgProvParam[0].dwParam == 1 && info->rgProvParam[0].cbData >= sizeof(magic))
    {
        memcpy(&magic, info->rgProvParam[0].pbData, sizeof(magic));
        if (magic == BCRYPT_RSAFULLPRIVATE_MAGIC)
            status = parse_cng_rsa(m, info->rgProvParam[0].pbData, info->rgProvParam[0].cbData);
        else if (curve_from_magic(magic))
            status = parse_cng_ecc(m, info->rgProvParam[0].pbData, info->rgProvParam[0].cbData);
        else
            status = SEC_E_UNKNOWN_CREDENTIALS;
    }
    SecureZeroMemory(info, size);
    heap_free(info);
    return status;
}

static SECURITY_STATUS get_private_key(PCCERT_CONTEXT cert, struct cert_material *m)
{
    HCRYPTPROV_OR_NCRYPT_KEY_HANDLE handle;
    DWORD spec = 0;
    BOOL must_free = FALSE;
    SECURITY_STATUS status;

    if (!(status = key_from_blob_provider(cert, m)) || status != SEC_E_NO_CREDENTIALS)
        return status;
    if (!CryptAcquireCertificatePrivateKey(cert, CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG | CRYPT_ACQUIRE_SILENT_FLAG,
                                           NULL, &handle, &spec, &must_free)
        && !key_from_properties(cert, &handle, &spec))
    {
        DWORD size = 0;

        SCHAN_WARN("the certificate has no usable private key (error %#lx)\n", GetLastError());
        /* A key provider named but not there (a missing container) is a bad
         * credential on Windows; no provider at all is no credential. */
        return CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, NULL, &size)
            ? SEC_E_UNKNOWN_CREDENTIALS : SEC_E_NO_CREDENTIALS;
    }
    if (spec == CERT_NCRYPT_KEY_SPEC)
        status = export_cng_key(m, handle);
    else
        status = export_capi_key(m, handle, spec);
    if (must_free)
    {
        if (spec == CERT_NCRYPT_KEY_SPEC)
            NCryptFreeObject(handle);
        else
            CryptReleaseContext(handle, 0);
    }
    return status;
}

static BOOL is_self_signed(PCCERT_CONTEXT cert)
{
    return CertCompareCertificateName(X509_ASN_ENCODING, &cert->pCertInfo->Issuer, &cert->pCertInfo->Subject);
}

/* The leaf and the intermediates crypt32 finds for it. */
static SECURITY_STATUS get_chain(PCCERT_CONTEXT cert, struct cert_material *m)
{
    CERT_CHAIN_PARA para = { .cbSize = sizeof(para) };
    PCCERT_CHAIN_CONTEXT chain = NULL;
    DWORD i, count = 1;

    if (!(m->certs = heap_alloc_zero(MAX_CHAIN * sizeof(*m->certs))))
        return SEC_E_INSUFFICIENT_MEMORY;
    m->certs[0].data = to_u64(cert->pbCertEncoded);
    m->certs[0].size = cert->cbCertEncoded;
    if (CertGetCertificateChain(NULL, cert, NULL, cert->hCertStore, &para, CERT_CHAIN_CACHE_END_CERT, NULL, &chain)
        && chain->cChain)
    {
        const CERT_SIMPLE_CHAIN *simple = chain->rgpChain[0];
        for (i = 1; i < simple->cElement && count < MAX_CHAIN; i++)
        {
            PCCERT_CONTEXT c = simple->rgpElement[i]->pCertContext;
            if (is_self_signed(c))
                break;
            /* The chain context owns c; keep a duplicate alive with the material. */
            c = m->held[m->held_count++] = CertDuplicateCertificateContext(c);
            m->certs[count].data = to_u64(c->pbCertEncoded);
            m->certs[count].size = c->cbCertEncoded;
            count++;
        }
    }
    if (chain)
        CertFreeCertificateChain(chain);
    m->cert_count = count;
    return SEC_E_OK;
}

SECURITY_STATUS cert_material_get(PCCERT_CONTEXT cert, struct cert_material *out)
{
    SECURITY_STATUS status;

    memset(out, 0, sizeof(*out));
    if (!cert || !cert->pbCertEncoded)
        return SEC_E_UNKNOWN_CREDENTIALS;
    if ((status = get_private_key(cert, out)) || (status = get_chain(cert, out)))
        cert_material_free(out);
    return status;
}

void cert_material_free(struct cert_material *m)
{
    UINT32 i;

    for (i = 0; i < m->held_count; i++)
        CertFreeCertificateContext(m->held[i]);
    heap_free(m->certs);
    if (m->key_storage)
    {
        SecureZeroMemory(m->key_storage, HeapSize(GetProcessHeap(), 0, m->key_storage));
        heap_free(m->key_storage);
    }
    memset(m, 0, sizeof(*m));
}
