/* import_pfx FILE.pfx: puts the certificate of FILE.pfx (empty password)
 * that has a private key into CurrentUser\MY, its key persisted in the
 * user's key container, as a Windows user does with the certificate import
 * wizard; prints its SHA-1 thumbprint in hex, the form curl's
 * --cert "CurrentUser\MY\THUMBPRINT" takes. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>

static BYTE *read_file(const char *path, DWORD *size)
{
    FILE *f = fopen(path, "rb");
    BYTE *data = NULL;
    long len;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0
        && (data = malloc(len)) && fread(data, 1, len, f) == (size_t)len)
        *size = (DWORD)len;
    else
    {
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

int main(int argc, char **argv)
{
    CRYPT_DATA_BLOB blob;
    HCERTSTORE pfx, my;
    PCCERT_CONTEXT cert = NULL;
    BYTE hash[20];
    DWORD size = sizeof(hash), keyspec, i;
    HCRYPTPROV_OR_NCRYPT_KEY_HANDLE key;
    BOOL free_key;

    if (argc != 2 || !(blob.pbData = read_file(argv[1], &blob.cbData)))
        return 2;
    if (!(pfx = PFXImportCertStore(&blob, L"", CRYPT_USER_KEYSET)))
    {
        fprintf(stderr, "PFXImportCertStore failed: %lu\n", GetLastError());
        return 1;
    }
    /* The leaf: the certificate whose key the PFX carried. */
    while ((cert = CertEnumCertificatesInStore(pfx, cert)))
        if (CryptAcquireCertificatePrivateKey(cert, CRYPT_ACQUIRE_SILENT_FLAG | CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG,
                                              NULL, &key, &keyspec, &free_key))
            break;
    if (cert && free_key)
    {
        if (keyspec == CERT_NCRYPT_KEY_SPEC)
            NCryptFreeObject(key);
        else
            CryptReleaseContext(key, 0);
    }
    if (!cert)
    {
        fprintf(stderr, "no certificate with a private key in %s\n", argv[1]);
        return 1;
    }
    my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY");
    if (!my || !CertAddCertificateContextToStore(my, cert, CERT_STORE_ADD_REPLACE_EXISTING, NULL)
        || !CertGetCertificateContextProperty(cert, CERT_SHA1_HASH_PROP_ID, hash, &size))
    {
        fprintf(stderr, "adding to CurrentUser\\MY failed: %lu\n", GetLastError());
        return 1;
    }
    for (i = 0; i < size; i++)
        printf("%02x", hash[i]);
    printf("\n");
    CertFreeCertificateContext(cert);
    CertCloseStore(my, 0);
    CertCloseStore(pfx, 0);
    return 0;
}
