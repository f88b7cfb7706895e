/* Context attributes after a handshake, on both sides: what was negotiated,
 * sizes, certificates, channel bindings, keying material, and the handle
 * rules after DeleteSecurityContext. */
#include <string.h>
#include "tlsutil.h"

static PCCERT_CONTEXT server_cert;

static void test_tls13_info(void)
{
    SecPkgContext_ConnectionInfo info;
    SecPkgContext_ConnectionInfoEx infoex;
    SecPkgContext_CipherInfo cipher;
    SecPkgContext_StreamSizes sizes;
    SecPkgContext_Sizes gsizes;
    SecPkgContext_KeyInfoW key;
    SecPkgContext_KeyInfoA keya;
    SecPkgContext_Flags flags;
    SecPkgContext_Lifespan life;
    SecPkgContext_PackageInfoW pkg;
    struct tls_pair p;

    ok(pair_connect(&p, server_cert, TRUE, 0, 0), "TLS 1.3 pair connects");
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_CONNECTION_INFO, &info), SEC_E_OK, "CONNECTION_INFO");
    ok(info.dwProtocol == SP_PROT_TLS1_3_CLIENT, "protocol TLS 1.3 client bit (%#lx)", info.dwProtocol);
    ok(info.aiCipher == CALG_AES_256 && info.dwCipherStrength == 256, "AES-256 (%#x/%lu)", info.aiCipher,
       info.dwCipherStrength);
    ok(info.aiHash == CALG_SHA_384 && info.dwHashStrength == 384, "SHA-384 (%#x/%lu)", info.aiHash,
       info.dwHashStrength);
    ok(info.aiExch == CALG_ECDH_EPHEM && info.dwExchStrength >= 253, "ephemeral ECDH (%#x/%lu)", info.aiExch,
       info.dwExchStrength);
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_CONNECTION_INFO_EX, &infoex), SEC_E_OK, "CONNECTION_INFO_EX");
    ok(infoex.dwVersion == 1 && !wcscmp(infoex.szCipher, L"AES") && !wcscmp(infoex.szHash, L"SHA384")
       && !wcscmp(infoex.szExchange, L"ECDH"), "CONNECTION_INFO_EX names AES/SHA384/ECDH (%ls/%ls/%ls)",
       infoex.szCipher, infoex.szHash, infoex.szExchange);
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_CIPHER_INFO, &cipher), SEC_E_OK, "CIPHER_INFO");
    ok(cipher.dwCipherSuite == 0x1302, "IANA suite 0x1302 (%#lx)", cipher.dwCipherSuite);
    ok(!wcscmp(cipher.szCipherSuite, L"TLS_AES_256_GCM_SHA384"), "suite name %ls", cipher.szCipherSuite);
    ok(cipher.dwProtocol == 0x0304 && cipher.dwCipherLen == 256, "CIPHER_INFO protocol %#lx, %lu bits",
       cipher.dwProtocol, cipher.dwCipherLen);
    ok(!wcscmp(cipher.szCertificate, L"RSA"), "certificate key RSA (%ls)", cipher.szCertificate);
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_STREAM_SIZES, &sizes), SEC_E_OK, "STREAM_SIZES");
    ok(sizes.cbHeader == 5 && sizes.cbTrailer == 17 && sizes.cbMaximumMessage == 16384 && sizes.cBuffers == 4,
       "TLS 1.3 sizes 5/17/16384/4 (%lu/%lu/%lu/%lu)", sizes.cbHeader, sizes.cbTrailer, sizes.cbMaximumMessage,
       sizes.cBuffers);
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_SIZES, &gsizes), SEC_E_OK, "SIZES");
    ok(gsizes.cbMaxToken == 24576 && gsizes.cbSecurityTrailer == 17, "SIZES max token 24576, trailer 17");
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_KEY_INFO, &key), SEC_E_OK, "KEY_INFO (W)");
    ok(key.KeySize == 256 && key.EncryptAlgorithm == CALG_AES_256 && !wcscmp(key.sEncryptAlgorithmName, L"AES")
       && !wcscmp(key.sSignatureAlgorithmName, L"RSA"), "KEY_INFO values");
    FreeContextBuffer(key.sEncryptAlgorithmName);
    FreeContextBuffer(key.sSignatureAlgorithmName);
    ok_hex(QueryContextAttributesA(&p.cctx, SECPKG_ATTR_KEY_INFO, &keya), SEC_E_OK, "KEY_INFO (A)");
    ok(!strcmp(keya.sEncryptAlgorithmName, "AES"), "KEY_INFO (A) names are narrow strings");
    FreeContextBuffer(keya.sEncryptAlgorithmName);
    FreeContextBuffer(keya.sSignatureAlgorithmName);
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_FLAGS, &flags), SEC_E_OK, "FLAGS");
    ok(flags.Flags == p.cattrs, "FLAGS are the returned ISC flags (%#lx)", flags.Flags);
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_LIFESPAN, &life), SEC_E_OK, "LIFESPAN");
    ok(life.tsExpiry.QuadPart > life.tsStart.QuadPart, "LIFESPAN ends after it starts");
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_PACKAGE_INFO, &pkg), SEC_E_OK, "PACKAGE_INFO");
    ok(pkg.PackageInfo && pkg.PackageInfo->cbMaxToken == 24576, "PACKAGE_INFO is Schannel's");
    FreeContextBuffer(pkg.PackageInfo);
    ok_hex(QueryContextAttributesW(&p.sctx, SECPKG_ATTR_CONNECTION_INFO, &info), SEC_E_OK, "server CONNECTION_INFO");
    ok(info.dwProtocol == SP_PROT_TLS1_3_SERVER, "server reports the server bit (%#lx)", info.dwProtocol);
    ok_hex(QueryContextAttributesW(&p.cctx, 0xdead, &info), SEC_E_UNSUPPORTED_FUNCTION, "unknown attribute");
    pair_teardown(&p);
}

static void test_tls12_info(void)
{
    SecPkgContext_CipherInfo cipher;
    SecPkgContext_StreamSizes sizes;
    struct tls_pair p;

    ok(pair_connect(&p, server_cert, FALSE, SP_PROT_TLS1_2_CLIENT, SP_PROT_TLS1_2_SERVER), "TLS 1.2 pair connects");
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_CIPHER_INFO, &cipher), SEC_E_OK, "TLS 1.2 CIPHER_INFO");
    ok(cipher.dwCipherSuite == 0xc030 && !wcscmp(cipher.szCipherSuite, L"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
       "TLS 1.2 suite %#lx %ls", cipher.dwCipherSuite, cipher.szCipherSuite);
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_STREAM_SIZES, &sizes), SEC_E_OK, "TLS 1.2 STREAM_SIZES");
    ok(sizes.cbHeader == 13 && sizes.cbTrailer == 16, "GCM sizes 13/16 (%lu/%lu)", sizes.cbHeader, sizes.cbTrailer);
    pair_teardown(&p);
}

static BOOL bindings_equal(CtxtHandle *a, CtxtHandle *b, ULONG attr, const char *prefix, ULONG value_len)
{
    SecPkgContext_Bindings ba = { 0 }, bb = { 0 };
    BOOL same;
    const char *data;

    if (QueryContextAttributesW(a, attr, &ba) || QueryContextAttributesW(b, attr, &bb))
        return FALSE;
    data = (const char *)ba.Bindings + ba.Bindings->dwApplicationDataOffset;
    same = ba.BindingsLength == bb.BindingsLength && !memcmp(ba.Bindings, bb.Bindings, ba.BindingsLength)
        && ba.Bindings->cbApplicationDataLength == strlen(prefix) + value_len
        && !memcmp(data, prefix, strlen(prefix));
    FreeContextBuffer(ba.Bindings);
    FreeContextBuffer(bb.Bindings);
    return same;
}

static void test_bindings_and_certs(void)
{
    SecPkgContext_KeyingMaterialInfo kmi = { 0 };
    SecPkgContext_KeyingMaterial kc = { 0 }, ks = { 0 };
    PCCERT_CONTEXT remote = NULL, local = NULL, in_store = NULL;
    struct tls_pair p;
    char name[256] = "";
    int count = 0;

    ok(pair_connect(&p, server_cert, FALSE, SP_PROT_TLS1_2_CLIENT, SP_PROT_TLS1_2_SERVER), "TLS 1.2 pair for bindings");
    ok(bindings_equal(&p.cctx, &p.sctx, SECPKG_ATTR_ENDPOINT_BINDINGS, "tls-server-end-point:", 32),
       "endpoint bindings equal on both sides, SHA-256 of the server certificate");
    ok(bindings_equal(&p.cctx, &p.sctx, SECPKG_ATTR_UNIQUE_BINDINGS, "tls-unique:", 12),
       "tls-unique bindings equal on both sides (12-byte Finished)");
    kmi.cbLabel = sizeof("EXPORTER-test");
    kmi.pszLabel = (char *)"EXPORTER-test";
    kmi.cbKeyingMaterial = 32;
    ok_hex(SetContextAttributesW(&p.cctx, SECPKG_ATTR_KEYING_MATERIAL_INFO, &kmi, sizeof(kmi)), SEC_E_OK,
           "client KEYING_MATERIAL_INFO");
    ok_hex(SetContextAttributesW(&p.sctx, SECPKG_ATTR_KEYING_MATERIAL_INFO, &kmi, sizeof(kmi)), SEC_E_OK,
           "server KEYING_MATERIAL_INFO");
    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_KEYING_MATERIAL, &kc), SEC_E_OK, "client keying material");
    ok_hex(QueryContextAttributesW(&p.sctx, SECPKG_ATTR_KEYING_MATERIAL, &ks), SEC_E_OK, "server keying material");
    ok(kc.cbKeyingMaterial == 32 && ks.cbKeyingMaterial == 32
       && !memcmp(kc.pbKeyingMaterial, ks.pbKeyingMaterial, 32), "exported keying material equal on both sides");
    FreeContextBuffer(kc.pbKeyingMaterial);
    FreeContextBuffer(ks.pbKeyingMaterial);

    ok_hex(QueryContextAttributesW(&p.cctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &remote), SEC_E_OK, "REMOTE_CERT_CONTEXT");
    if (remote)
    {
        CertGetNameStringA(remote, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, NULL, name, sizeof(name));
        ok(!strcmp(name, "localhost"), "the peer certificate is the server's (%s)", name);
        ok(CertCompareCertificate(X509_ASN_ENCODING, remote->pCertInfo, server_cert->pCertInfo),
           "and equals the certificate the server used");
        while ((in_store = CertEnumCertificatesInStore(remote->hCertStore, in_store)))
            count++;
        ok(count >= 1, "its store holds the chain as sent (%d certificates)", count);
        CertFreeCertificateContext(remote);
    }
    ok_hex(QueryContextAttributesW(&p.sctx, SECPKG_ATTR_LOCAL_CERT_CONTEXT, &local), SEC_E_OK, "server LOCAL_CERT_CONTEXT");
    ok(local && CertCompareCertificate(X509_ASN_ENCODING, local->pCertInfo, server_cert->pCertInfo),
       "LOCAL_CERT_CONTEXT is the server certificate");
    if (local)
        CertFreeCertificateContext(local);

    /* After DeleteSecurityContext every query is refused. */
    {
        CtxtHandle old = p.cctx;
        SecPkgContext_StreamSizes sizes;
        ok_hex(DeleteSecurityContext(&p.cctx), SEC_E_OK, "delete the client context");
        p.have_cctx = FALSE;
        ok_hex(QueryContextAttributesW(&old, SECPKG_ATTR_STREAM_SIZES, &sizes), SEC_E_INVALID_HANDLE,
               "queries after delete: SEC_E_INVALID_HANDLE");
        ok_hex(DeleteSecurityContext(&old), SEC_E_INVALID_HANDLE, "second delete: SEC_E_INVALID_HANDLE");
    }
    pair_teardown(&p);
}

int main(void)
{
    char product[64];

    ok(secur32_is_ours(product, sizeof(product)), "testing secur32-gnutls, not Wine's secur32");
    if (!(server_cert = load_pfx("server-rsa")))
        return bail_out("cannot import tests/certs/server-rsa.pfx");
    test_tls13_info();
    test_tls12_info();
    test_bindings_and_certs();
    CertFreeCertificateContext(server_cert);
    return tap_done();
}
