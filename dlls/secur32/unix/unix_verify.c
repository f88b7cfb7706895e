/*
 * SCHAN_CALL_VERIFY_SIGNATURE: one certificate's signature checked against
 * its issuer's public key by GnuTLS, for the PE half's chain verdicts
 * (validate.c).  Wine 8's crypt32 calls some valid ECDSA signatures bad;
 * this is the second opinion, asked only about such a link.  Nothing but
 * the signature is judged here.
 */
#include <stdlib.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "unix_private.h"

/* One DER tag-length header at p: the content's offset and length. */
static int der_header(const uint8_t *p, size_t avail, uint8_t tag, size_t *header, size_t *length)
{
    size_t n, len = 0;

    if (avail < 2 || p[0] != tag)
        return 0;
    if (!(p[1] & 0x80))
    {
        *header = 2;
        *length = p[1];
    }
    else
    {
        n = p[1] & 0x7f;
        if (!n || n > 4 || avail < 2 + n)
            return 0;
        for (size_t i = 0; i < n; i++)
            len = (len << 8) | p[2 + i];
        *header = 2 + n;
        *length = len;
    }
    return *length <= avail - *header;
}

/* The signed part of a certificate: the first element (tbsCertificate) of
 * its outer SEQUENCE, header included. */
static int signed_part(const gnutls_datum_t *der, gnutls_datum_t *tbs)
{
    size_t outer_header, outer_len, header, len;

    if (!der_header(der->data, der->size, 0x30, &outer_header, &outer_len)
        || !der_header(der->data + outer_header, outer_len, 0x30, &header, &len))
        return 0;
    tbs->data = der->data + outer_header;
    tbs->size = (unsigned int)(header + len);
    return 1;
}

static int import_cert(gnutls_x509_crt_t *crt, const gnutls_datum_t *der)
{
    if (gnutls_x509_crt_init(crt) < 0)
    {
        *crt = NULL;
        return 0;
    }
    return gnutls_x509_crt_import(*crt, der, GNUTLS_X509_FMT_DER) >= 0;
}

static int read_signature(gnutls_x509_crt_t crt, gnutls_datum_t *sig)
{
    size_t size = 0;

    sig->data = NULL;
    if (gnutls_x509_crt_get_signature(crt, NULL, &size) != GNUTLS_E_SHORT_MEMORY_BUFFER || !size
        || !(sig->data = malloc(size)))
        return 0;
    if (gnutls_x509_crt_get_signature(crt, (char *)sig->data, &size) < 0)
        return 0;
    sig->size = (unsigned int)size;
    return 1;
}

/* 1 when issuer's key verifies subject's signature.  SHA-1 and other
 * algorithms GnuTLS refuses by default count as "not verified": crypt32's
 * verdict then stands. */
static int signature_verifies(const gnutls_datum_t *subject_der, const gnutls_datum_t *issuer_der)
{
    gnutls_x509_crt_t subject = NULL, issuer = NULL;
    gnutls_pubkey_t key = NULL;
    gnutls_datum_t tbs, sig = { NULL, 0 };
    int algo, ok = 0;

    if (!signed_part(subject_der, &tbs) || !import_cert(&subject, subject_der) || !import_cert(&issuer, issuer_der))
        goto done;
    if (gnutls_pubkey_init(&key) < 0)
    {
        key = NULL;
        goto done;
    }
    if (gnutls_pubkey_import_x509(key, issuer, 0) < 0 || (algo = gnutls_x509_crt_get_signature_algorithm(subject)) <= 0
        || !read_signature(subject, &sig))
        goto done;
    ok = gnutls_pubkey_verify_data2(key, (gnutls_sign_algorithm_t)algo, 0, &tbs, &sig) >= 0;
done:
    free(sig.data);
    if (key)
        gnutls_pubkey_deinit(key);
    if (issuer)
        gnutls_x509_crt_deinit(issuer);
    if (subject)
        gnutls_x509_crt_deinit(subject);
    return ok;
}

unix_status schan_verify_signature(void *args)
{
    struct schan_verify_signature_params *p = args;
    gnutls_datum_t subject = { SCHAN_PTR(p->subject.data), p->subject.size };
    gnutls_datum_t issuer = { SCHAN_PTR(p->issuer.data), p->issuer.size };

    if (!subject.data || !subject.size || !issuer.data || !issuer.size)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    p->status = signature_verifies(&subject, &issuer) ? SCHAN_SEC_E_OK : SCHAN_SEC_E_CERT_UNKNOWN;
    TRACE("signature of a %u-byte certificate by a %u-byte issuer: %s\n", subject.size, issuer.size,
          p->status ? "does not verify" : "verifies");
    return (unix_status)SCHAN_STATUS_SUCCESS;
}
