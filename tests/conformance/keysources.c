/* Private keys from every place Windows programs keep them, each used for a
 * server certificate and for a client certificate (mutual TLS), in one
 * process.  Certificates come from tests/make-key-certs.sh (BUILD/tests/keycerts).
 *   pfx-no-persist   PFXImportCertStore(PKCS12_NO_PERSIST_KEY): CERT_KEY_CONTEXT
 *   capi-container   a named rsaenh container, CERT_KEY_PROV_INFO (exportable or not)
 *   cng-container    a named MS_KEY_STORAGE_PROVIDER key, CERT_KEY_PROV_INFO
 *   ncrypt-handle    NCryptImportKey, CERT_NCRYPT_KEY_HANDLE_PROP_ID (exportable or not)
 *   key-blob-provider  this package's route for ECDSA on Wine 8 (see certkey.c)
 * Routes Wine 8 cannot provide are reported as TODO with the failing call. */
#include <stdlib.h>
#include <string.h>
#include "tlsutil.h"
#include <ncrypt.h>

static char keydir[MAX_PATH];
static BOOL ncrypt_prop_refused;
static WCHAR container_prefix[64];

static BYTE *read_key_file(const char *name, const char *ext, size_t *size)
{
    char path[MAX_PATH];
    snprintf(path, sizeof(path), "%s/%s.%s", keydir, name, ext);
    return (BYTE *)read_file(path, size);
}

static PCCERT_CONTEXT pem_cert(const char *name)
{
    BYTE der[8192];
    DWORD der_len = sizeof(der);
    PCCERT_CONTEXT cert = NULL;
    size_t size;
    char *pem = (char *)read_key_file(name, "pem", &size);

    if (pem && CryptStringToBinaryA(pem, 0, CRYPT_STRING_BASE64HEADER, der, &der_len, NULL, NULL))
        cert = CertCreateCertificateContext(X509_ASN_ENCODING, der, der_len);
    free(pem);
    return cert;
}

/* The RSA key of NAME.pfx as a CryptoAPI PRIVATEKEYBLOB. */
static BYTE *rsa_blob(const char *name, DWORD *blob_size, HCERTSTORE *keep)
{
    CRYPT_DATA_BLOB pfx;
    PCCERT_CONTEXT cert = NULL;
    CERT_KEY_CONTEXT kc;
    HCRYPTKEY key;
    DWORD size = sizeof(kc);
    size_t file_size;
    BYTE *blob = NULL;

    if (!(pfx.pbData = read_key_file(name, "pfx", &file_size)))
        return NULL;
    pfx.cbData = (DWORD)file_size;
    *keep = PFXImportCertStore(&pfx, L"", CRYPT_EXPORTABLE | PKCS12_NO_PERSIST_KEY);
    free(pfx.pbData);
    if (!*keep || !(cert = CertEnumCertificatesInStore(*keep, NULL))
        || !CertGetCertificateContextProperty(cert, CERT_KEY_CONTEXT_PROP_ID, &kc, &size)
        || !CryptGetUserKey(kc.hCryptProv, kc.dwKeySpec, &key))
        goto done;
    if (CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, NULL, blob_size) && (blob = malloc(*blob_size))
        && !CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, blob, blob_size))
    {
        free(blob);
        blob = NULL;
    }
    CryptDestroyKey(key);
done:
    if (cert)
        CertFreeCertificateContext(cert);
    return blob;
}

/* ---- routes ---- */

static PCCERT_CONTEXT route_pfx_no_persist(const char *name, HCERTSTORE *keep)
{
    CRYPT_DATA_BLOB pfx;
    PCCERT_CONTEXT cert;
    size_t size;

    if (!(pfx.pbData = read_key_file(name, "pfx", &size)))
        return NULL;
    pfx.cbData = (DWORD)size;
    *keep = PFXImportCertStore(&pfx, L"", CRYPT_EXPORTABLE | PKCS12_NO_PERSIST_KEY);
    free(pfx.pbData);
    if (!*keep || !(cert = CertEnumCertificatesInStore(*keep, NULL)))
        return NULL;
    return CertDuplicateCertificateContext(cert);
}

static PCCERT_CONTEXT route_capi_container(const char *name, BOOL exportable, WCHAR *container, HCERTSTORE *keep)
{
    CRYPT_KEY_PROV_INFO info = { 0 };
    PCCERT_CONTEXT cert;
    HCRYPTPROV prov;
    HCRYPTKEY key;
    DWORD size;
    BYTE *blob = rsa_blob(name, &size, keep);

    swprintf(container, 64, L"%ls-capi-%hs-%d", container_prefix, name, exportable);
    CryptAcquireContextW(&prov, container, MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES, CRYPT_DELETEKEYSET);
    if (!blob || !CryptAcquireContextW(&prov, container, MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES, CRYPT_NEWKEYSET))
    {
        free(blob);
        return NULL;
    }
    if (!CryptImportKey(prov, blob, size, 0, exportable ? CRYPT_EXPORTABLE : 0, &key))
    {
        diag("CryptImportKey into %ls failed: %#lx", container, GetLastError());
        free(blob);
        CryptReleaseContext(prov, 0);
        return NULL;
    }
    free(blob);
    CryptDestroyKey(key);
    CryptReleaseContext(prov, 0);
    if (!(cert = pem_cert(name)))
        return NULL;
    info.pwszContainerName = container;
    info.pwszProvName = (WCHAR *)MS_ENH_RSA_AES_PROV_W;
    info.dwProvType = PROV_RSA_AES;
    info.dwKeySpec = AT_KEYEXCHANGE;
    CertSetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, 0, &info);
    return cert;
}

static void reversed(BYTE *dst, const BYTE *src, DWORD len)
{
    DWORD i;
    for (i = 0; i < len; i++)
        dst[i] = src[len - 1 - i];
}

/* PRIVATEKEYBLOB (little-endian n, p, q, dp, dq, qinv, d) to
 * BCRYPT_RSAFULLPRIVATE_BLOB (big-endian e, n, p, q, dp, dq, qinv, d): Wine
 * 8's NCryptImportKey takes no LEGACY_RSAPRIVATE_BLOB.  Frees `capi`. */
static BYTE *full_private_blob(BYTE *capi, DWORD *size)
{
    const RSAPUBKEY *rsa = capi ? (const RSAPUBKEY *)(capi + sizeof(BLOBHEADER)) : NULL;
    const BYTE *src;
    BCRYPT_RSAKEY_BLOB *hdr;
    DWORD n, h, i;
    BYTE *out, *dst;

    if (!rsa)
        return NULL;
    n = rsa->bitlen / 8;
    h = n / 2;
    *size = sizeof(*hdr) + 4 + n * 2 + h * 5;
    if (!(out = calloc(1, *size)))
    {
        free(capi);
        return NULL;
    }
    hdr = (BCRYPT_RSAKEY_BLOB *)out;
    hdr->Magic = BCRYPT_RSAFULLPRIVATE_MAGIC;
    hdr->BitLength = rsa->bitlen;
    hdr->cbPublicExp = 4;
    hdr->cbModulus = n;
    hdr->cbPrime1 = hdr->cbPrime2 = h;
    dst = out + sizeof(*hdr);
    reversed(dst, (const BYTE *)&rsa->pubexp, 4);
    dst += 4;
    src = (const BYTE *)(rsa + 1);
    reversed(dst, src, n);
    dst += n;
    src += n;
    for (i = 0; i < 5; i++, dst += h, src += h)
        reversed(dst, src, h);
    reversed(dst, src, n);
    free(capi);
    return out;
}

/* The key as a CNG blob: BCRYPT_ECCPRIVATE_BLOB from NAME.eccblob, or the
 * RSA key as BCRYPT_RSAFULLPRIVATE_BLOB. */
static BYTE *cng_blob(const char *name, const WCHAR **type, DWORD *size, HCERTSTORE *keep)
{
    size_t file_size;
    BYTE *blob;

    if (name[0] == 'p')
    {
        blob = read_key_file(name, "eccblob", &file_size);
        *size = (DWORD)file_size;
        *type = BCRYPT_ECCPRIVATE_BLOB;
        return blob;
    }
    *type = BCRYPT_RSAFULLPRIVATE_BLOB;
    return full_private_blob(rsa_blob(name, size, keep), size);
}

static PCCERT_CONTEXT route_ncrypt_handle(const char *name, BOOL exportable, NCRYPT_KEY_HANDLE *key, HCERTSTORE *keep)
{
    NCRYPT_PROV_HANDLE prov = 0;
    const WCHAR *type;
    DWORD size, policy = 0;
    PCCERT_CONTEXT cert;
    SECURITY_STATUS st;
    BYTE *blob = cng_blob(name, &type, &size, keep);

    if (!blob || (st = NCryptOpenStorageProvider(&prov, MS_KEY_STORAGE_PROVIDER, 0)))
    {
        free(blob);
        return NULL;
    }
    /* Windows' way to a non-exportable key is DO_NOT_FINALIZE, the export
     * policy, then finalize; Wine 8 refuses DO_NOT_FINALIZE (NTE_BAD_FLAGS),
     * so the policy is set on the finished key there. */
    st = NCryptImportKey(prov, 0, type, NULL, key, blob, size, NCRYPT_DO_NOT_FINALIZE_FLAG);
    if (!st && !exportable)
        NCryptSetProperty(*key, NCRYPT_EXPORT_POLICY_PROPERTY, (BYTE *)&policy, sizeof(policy), 0);
    if (!st)
        st = NCryptFinalizeKey(*key, 0);
    else if (st == NTE_BAD_FLAGS && !(st = NCryptImportKey(prov, 0, type, NULL, key, blob, size, 0)) && !exportable)
    {
        SECURITY_STATUS policy_status = NCryptSetProperty(*key, NCRYPT_EXPORT_POLICY_PROPERTY, (BYTE *)&policy,
                                                          sizeof(policy), 0);
        if (policy_status)
            diag("%s: NCryptSetProperty(NCRYPT_EXPORT_POLICY_PROPERTY) on the imported key: %#lx", name,
                 (unsigned long)policy_status);
    }
    free(blob);
    NCryptFreeObject(prov);
    if (st)
    {
        diag("NCryptImportKey(%ls) for %s: %#lx", type, name, st);
        return NULL;
    }
    if (!(cert = pem_cert(name)))
        return NULL;
    if (!CertSetCertificateContextProperty(cert, CERT_NCRYPT_KEY_HANDLE_PROP_ID, 0, key))
    {
        /* Wine 8's crypt32 refuses this property (FALSE, last error 0); the
         * documented alternative is CERT_KEY_CONTEXT with CERT_NCRYPT_KEY_SPEC. */
        CERT_KEY_CONTEXT kc = { .cbSize = sizeof(kc) };
        ncrypt_prop_refused = TRUE;
        kc.hNCryptKey = *key;
        kc.dwKeySpec = CERT_NCRYPT_KEY_SPEC;
        if (!CertSetCertificateContextProperty(cert, CERT_KEY_CONTEXT_PROP_ID, 0, &kc))
        {
            diag("CERT_KEY_CONTEXT_PROP_ID with an NCrypt key: error %#lx", GetLastError());
            CertFreeCertificateContext(cert);
            return NULL;
        }
    }
    return cert;
}

static PCCERT_CONTEXT route_cng_container(const char *name, WCHAR *container, SECURITY_STATUS *why, HCERTSTORE *keep)
{
    CRYPT_KEY_PROV_INFO info = { 0 };
    NCRYPT_PROV_HANDLE prov = 0;
    NCRYPT_KEY_HANDLE key = 0;
    NCryptBuffer buf;
    NCryptBufferDesc params = { NCRYPTBUFFER_VERSION, 1, &buf };
    const WCHAR *type;
    DWORD size;
    PCCERT_CONTEXT cert;
    BYTE *blob = cng_blob(name, &type, &size, keep);

    swprintf(container, 64, L"%ls-cng-%hs", container_prefix, name);
    buf.BufferType = NCRYPTBUFFER_PKCS_KEY_NAME;
    buf.cbBuffer = (lstrlenW(container) + 1) * sizeof(WCHAR);
    buf.pvBuffer = container;
    *why = blob ? NCryptOpenStorageProvider(&prov, MS_KEY_STORAGE_PROVIDER, 0) : NTE_BAD_DATA;
    if (!*why)
        *why = NCryptImportKey(prov, 0, type, &params, &key, blob, size, NCRYPT_OVERWRITE_KEY_FLAG);
    free(blob);
    if (key)
        NCryptFreeObject(key);
    key = 0;
    if (!*why)   /* it must be found again by name, as CERT_KEY_PROV_INFO users do */
        *why = NCryptOpenKey(prov, &key, container, 0, 0);
    if (key)
        NCryptFreeObject(key);
    if (prov)
        NCryptFreeObject(prov);
    if (*why || !(cert = pem_cert(name)))
        return NULL;
    info.pwszContainerName = container;
    info.pwszProvName = (WCHAR *)MS_KEY_STORAGE_PROVIDER;
    CertSetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, 0, &info);
    return cert;
}

/* This package's own route for keys Wine 8 cannot attach (ECDSA): the CNG
 * private blob as the one parameter of a pseudo provider (see certkey.c). */
static PCCERT_CONTEXT route_key_blob_provider(const char *name)
{
    CRYPT_KEY_PROV_PARAM param = { .dwParam = 1 };
    CRYPT_KEY_PROV_INFO info = { 0 };
    PCCERT_CONTEXT cert = NULL;
    size_t size;
    BYTE *blob;

    if (!(blob = read_key_file(name, "eccblob", &size)) || !(cert = pem_cert(name)))
    {
        free(blob);
        return NULL;
    }
    param.pbData = blob;
    param.cbData = (DWORD)size;
    info.pwszContainerName = (WCHAR *)L"-";
    info.pwszProvName = (WCHAR *)L"Schannel GnuTLS key blob";
    info.cProvParam = 1;
    info.rgProvParam = &param;
    if (!CertSetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, 0, &info))
        diag("%s: CERT_KEY_PROV_INFO_PROP_ID: %#lx", name, GetLastError());
    SecureZeroMemory(blob, size);
    free(blob);
    return cert;
}

/* ---- the handshakes ---- */

static BOOL same_cert(PCCERT_CONTEXT a, PCCERT_CONTEXT b)
{
    return a && b && a->cbCertEncoded == b->cbCertEncoded && !memcmp(a->pbCertEncoded, b->pbCertEncoded, a->cbCertEncoded);
}

/* The certificate as the server's, then as the client's; TLS 1.2 and 1.3. */
static void use_both_sides(const char *what, PCCERT_CONTEXT cert, PCCERT_CONTEXT other_server)
{
    struct tls_pair p;
    PCCERT_CONTEXT peer;
    BOOL tls13, done;

    for (tls13 = FALSE; tls13 <= TRUE; tls13++)
    {
        DWORD disabled = tls13 ? 0 : SP_PROT_TLS1_3;
        memset(&p, 0, sizeof(p));
        p.target = L"localhost";
        p.creq = CLIENT_REQ;
        p.sreq = SERVER_REQ;
        ok_hex(acquire_cred(&p.scred, SECPKG_CRED_INBOUND, cert, TRUE, disabled, 0), SEC_E_OK,
               "%s, TLS 1.%d: server credential", what, tls13 ? 3 : 2);
        acquire_cred(&p.ccred, SECPKG_CRED_OUTBOUND, NULL, TRUE, disabled, SCH_CRED_MANUAL_CRED_VALIDATION);
        done = run_handshake(&p);
        peer = NULL;
        ok(done && !QueryContextAttributesW(&p.cctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &peer) && same_cert(peer, cert),
           "%s, TLS 1.%d: as the server's certificate (client %#lx, server %#lx)", what, tls13 ? 3 : 2, p.cstatus,
           p.sstatus);
        if (peer) CertFreeCertificateContext(peer);
        free_pair(&p);
        FreeCredentialsHandle(&p.ccred);
        FreeCredentialsHandle(&p.scred);

        memset(&p, 0, sizeof(p));
        p.target = L"localhost";
        p.creq = CLIENT_REQ;
        p.sreq = SERVER_REQ | ASC_REQ_MUTUAL_AUTH;
        ok_hex(acquire_cred(&p.ccred, SECPKG_CRED_OUTBOUND, cert, TRUE, disabled, SCH_CRED_MANUAL_CRED_VALIDATION),
               SEC_E_OK, "%s, TLS 1.%d: client credential", what, tls13 ? 3 : 2);
        acquire_cred(&p.scred, SECPKG_CRED_INBOUND, other_server, TRUE, disabled, SCH_CRED_DISABLE_RECONNECTS);
        done = run_handshake(&p);
        peer = NULL;
        ok(done && !QueryContextAttributesW(&p.sctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &peer) && same_cert(peer, cert),
           "%s, TLS 1.%d: as the client's certificate (client %#lx, server %#lx)", what, tls13 ? 3 : 2, p.cstatus,
           p.sstatus);
        if (peer) CertFreeCertificateContext(peer);
        free_pair(&p);
        FreeCredentialsHandle(&p.ccred);
        FreeCredentialsHandle(&p.scred);
    }
}

static void todo(const char *what, const char *why)
{
    printf("not ok %d - %s # TODO %s\n", ++tap_count, what, why);
    fflush(stdout);
}

static const char *const rsa_names[] = { "rsa2048", "rsa3072", "rsa4096" };
static const char *const all_names[] = { "rsa2048", "rsa3072", "rsa4096", "p256", "p384" };

int main(void)
{
    const char *build = getenv("SECUR32_BUILDDIR");
    PCCERT_CONTEXT cert, other_server;
    HCERTSTORE keep, other_keep = NULL;
    NCRYPT_KEY_HANDLE key;
    WCHAR container[64];
    SECURITY_STATUS why;
    char what[96], reason[160];
    HCRYPTPROV prov;
    size_t i;
    int exportable;

    snprintf(keydir, sizeof(keydir), "Z:%s/tests/keycerts", build ? build : ".");
    swprintf(container_prefix, ARRAY_SIZE(container_prefix), L"secur32-keysources-%lu", GetCurrentProcessId());
    if (!(other_server = route_pfx_no_persist("rsa2048", &other_keep)))
        return bail_out("cannot import tests/keycerts/rsa2048.pfx (run tests/make-key-certs.sh)");

    for (i = 0; i < ARRAY_SIZE(rsa_names); i++)
    {
        keep = NULL;
        snprintf(what, sizeof(what), "%s pfx-no-persist", rsa_names[i]);
        if (ok((cert = route_pfx_no_persist(rsa_names[i], &keep)) != NULL, "%s: imported", what))
        {
            use_both_sides(what, cert, other_server);
            CertFreeCertificateContext(cert);
        }
        if (keep) CertCloseStore(keep, 0);
        for (exportable = 1; exportable >= 0; exportable--)
        {
            keep = NULL;
            snprintf(what, sizeof(what), "%s capi-container %s", rsa_names[i], exportable ? "exportable" : "non-exportable");
            cert = route_capi_container(rsa_names[i], exportable, container, &keep);
            if (ok(cert != NULL, "%s: key in container", what))
            {
                use_both_sides(what, cert, other_server);
                CertFreeCertificateContext(cert);
            }
            CryptAcquireContextW(&prov, container, MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES, CRYPT_DELETEKEYSET);
            if (keep) CertCloseStore(keep, 0);
        }
    }
    for (i = 0; i < ARRAY_SIZE(all_names); i++)
    {
        for (exportable = 1; exportable >= 0; exportable--)
        {
            keep = NULL;
            key = 0;
            snprintf(what, sizeof(what), "%s ncrypt-handle %s", all_names[i], exportable ? "exportable" : "non-exportable");
            cert = route_ncrypt_handle(all_names[i], exportable, &key, &keep);
            if (!cert && all_names[i][0] == 'p')
                todo(what, "Wine 8's NCryptImportKey takes no BCRYPT_ECCPRIVATE_BLOB (NTE_INVALID_PARAMETER)");
            else if (ok(cert != NULL, "%s: NCryptImportKey and CERT_NCRYPT_KEY_HANDLE_PROP_ID", what))
            {
                use_both_sides(what, cert, other_server);
                CertFreeCertificateContext(cert);
            }
            if (key) NCryptFreeObject(key);
            if (keep) CertCloseStore(keep, 0);
        }
        if (all_names[i][0] == 'p')
        {
            snprintf(what, sizeof(what), "%s key-blob-provider", all_names[i]);
            if (ok((cert = route_key_blob_provider(all_names[i])) != NULL, "%s: CERT_KEY_PROV_INFO set", what))
            {
                use_both_sides(what, cert, other_server);
                CertFreeCertificateContext(cert);
            }
        }
        keep = NULL;
        snprintf(what, sizeof(what), "%s cng-container", all_names[i]);
        if ((cert = route_cng_container(all_names[i], container, &why, &keep)))
        {
            use_both_sides(what, cert, other_server);
            CertFreeCertificateContext(cert);
        }
        else
        {
            snprintf(reason, sizeof(reason), "Wine 8's key storage provider keeps no named keys (error %#lx)", (unsigned long)why);
            todo(what, reason);
        }
        if (keep) CertCloseStore(keep, 0);
    }
    if (ncrypt_prop_refused)
        todo("CERT_NCRYPT_KEY_HANDLE_PROP_ID", "Wine 8's CertSetCertificateContextProperty refuses it (FALSE, error 0); "
             "the ncrypt-handle cases above used CERT_KEY_CONTEXT_PROP_ID with CERT_NCRYPT_KEY_SPEC");
    CertFreeCertificateContext(other_server);
    CertCloseStore(other_keep, 0);
    return tap_done();
}
