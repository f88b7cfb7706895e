/*
 * CRED_CREATE / CRED_FREE: certificate credentials, priority string,
 * server ticket key and the client session cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unix_private.h"

#define DEFAULT_LIFESPAN_S (10 * 60 * 60)
#define NO_RESUMPTION_LIFESPAN 0xffffffffu

/* ---- priority string ---- */

struct prio_buf {
    char text[1024];
    size_t len;
};

static void prio_add(struct prio_buf *b, const char *item)
{
    int n = snprintf(b->text + b->len, sizeof(b->text) - b->len, "%s", item);

    if (n > 0 && (size_t)n < sizeof(b->text) - b->len)
        b->len += (size_t)n;
}

struct cipher_name {
    enum schan_cipher cipher;
    const char *remove;       /* priority items that remove it */
    unsigned int bits;
};

static const struct cipher_name cipher_names[] = {
    { SCHAN_CIPHER_AES_128_GCM, ":-AES-128-GCM", 128 },
    { SCHAN_CIPHER_AES_256_GCM, ":-AES-256-GCM", 256 },
    { SCHAN_CIPHER_CHACHA20_POLY1305, ":-CHACHA20-POLY1305", 256 },
    { SCHAN_CIPHER_AES_128_CCM, ":-AES-128-CCM:-AES-128-CCM-8", 128 },
    { SCHAN_CIPHER_AES_256_CCM, ":-AES-256-CCM:-AES-256-CCM-8", 256 },
    { SCHAN_CIPHER_AES_128_CBC, ":-AES-128-CBC", 128 },
    { SCHAN_CIPHER_AES_256_CBC, ":-AES-256-CBC", 256 },
    { SCHAN_CIPHER_3DES_CBC, ":-3DES-CBC", 168 },
    { SCHAN_CIPHER_RC4_128, ":-ARCFOUR-128", 128 },
};

static const char *const mac_removals[] = {
    [SCHAN_MAC_MD5] = ":-MD5",
    [SCHAN_MAC_SHA1] = ":-SHA1",
    [SCHAN_MAC_SHA256] = ":-SHA256",
    [SCHAN_MAC_SHA384] = ":-SHA384",
};

static const char *const kx_removals[] = {
    [SCHAN_KX_RSA] = ":-RSA",
    [SCHAN_KX_DHE] = ":-DHE-RSA:-DHE-DSS",
    [SCHAN_KX_ECDHE] = ":-ECDHE-RSA:-ECDHE-ECDSA",
};

static int cipher_excluded(const struct cipher_name *c, const struct schan_cred_create_params *p)
{
    if (p->disabled_algs & SCHAN_DISABLE_CIPHER(c->cipher))
        return 1;
    if (p->min_cipher_bits && c->bits < p->min_cipher_bits)
        return 1;
    return p->max_cipher_bits && c->bits > p->max_cipher_bits;
}

static void prio_add_versions(struct prio_buf *b, uint32_t protocols)
{
    prio_add(b, ":-VERS-ALL");
    if (protocols & SCHAN_PROT_TLS1_3) prio_add(b, ":+VERS-TLS1.3");
    if (protocols & SCHAN_PROT_TLS1_2) prio_add(b, ":+VERS-TLS1.2");
    if (protocols & SCHAN_PROT_TLS1_1) prio_add(b, ":+VERS-TLS1.1");
    if (protocols & SCHAN_PROT_TLS1_0) prio_add(b, ":+VERS-TLS1.0");
    if (protocols & SCHAN_PROT_DTLS1_2) prio_add(b, ":+VERS-DTLS1.2");
    if (protocols & SCHAN_PROT_DTLS1_0) prio_add(b, ":+VERS-DTLS1.0");
    /* Peers of old protocols often only sign with SHA-1; the system default
     * may have dropped it, so name it explicitly. */
    if (protocols & (SCHAN_PROT_TLS1_0 | SCHAN_PROT_TLS1_1))
        prio_add(b, ":+SIGN-RSA-SHA1:+SIGN-ECDSA-SHA1:+SHA1:+AES-128-CBC:+AES-256-CBC");
}

static void build_priority(const struct schan_cred_create_params *p, uint32_t protocols, struct prio_buf *b)
{
    b->len = 0;
    b->text[0] = 0;
    /* Schannel does not do Encrypt-then-MAC (RFC 7366): a CBC record is
     * MAC-then-encrypt, as Windows' record of it (Wine's schannel tests: a
     * TLS 1.0 HelloRequest's trailer is 32 bytes) and its sizes show. */
    prio_add(b, "NORMAL:%NO_ETM");
    prio_add_versions(b, protocols);
    if (p->flags & SCHAN_CRED_ALLOW_NULL)
        prio_add(b, ":+NULL");
    if (p->flags & SCHAN_CRED_STRONG_CRYPTO)
        prio_add(b, ":-3DES-CBC:-ARCFOUR-128:-MD5");
    for (size_t i = 0; i < sizeof(cipher_names) / sizeof(cipher_names[0]); i++)
        if (cipher_excluded(&cipher_names[i], p))
            prio_add(b, cipher_names[i].remove);
    for (unsigned int m = 0; m < sizeof(mac_removals) / sizeof(mac_removals[0]); m++)
        if (mac_removals[m] && (p->disabled_algs & SCHAN_DISABLE_MAC(m)))
            prio_add(b, mac_removals[m]);
    for (unsigned int k = 0; k < sizeof(kx_removals) / sizeof(kx_removals[0]); k++)
        if (kx_removals[k] && (p->disabled_algs & SCHAN_DISABLE_KX(k)))
            prio_add(b, kx_removals[k]);
}

/* ---- certificate and key ---- */

static gnutls_datum_t blob_datum(const struct schan_blob *blob)
{
    gnutls_datum_t d = { SCHAN_PTR(blob->data), blob->size };
    return d;
}

static const gnutls_datum_t *part_or_null(const struct schan_blob *blob, gnutls_datum_t *d)
{
    *d = blob_datum(blob);
    return (blob->data && blob->size) ? d : NULL;
}

static gnutls_ecc_curve_t gnutls_curve(uint32_t curve)
{
    switch (curve)
    {
    case SCHAN_CURVE_P256: return GNUTLS_ECC_CURVE_SECP256R1;
    case SCHAN_CURVE_P384: return GNUTLS_ECC_CURVE_SECP384R1;
    case SCHAN_CURVE_P521: return GNUTLS_ECC_CURVE_SECP521R1;
    default: return GNUTLS_ECC_CURVE_INVALID;
    }
}

/* GnuTLS dereferences every part it needs, so a missing one must not reach it. */
static int parts_present(const struct schan_private_key *k, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++)
        if (!k->parts[i].data || !k->parts[i].size)
            return 0;
    return 1;
}

static int import_private_key(const struct schan_private_key *k, gnutls_privkey_t *out)
{
    gnutls_datum_t d[5];
    int ret;

    *out = NULL;
    if (!parts_present(k, k->type == SCHAN_KEY_RSA ? 5 : 3))
        return GNUTLS_E_INVALID_REQUEST;
    if ((ret = gnutls_privkey_init(out)) < 0)
        return ret;
    /* The private exponent is derived from the primes rather than taken as
     * given: Wine 8's PFX import stores a wrong one for some keys. */
    if (k->type == SCHAN_KEY_RSA)
        ret = gnutls_privkey_import_rsa_raw(*out, part_or_null(&k->parts[0], &d[0]),
                                            part_or_null(&k->parts[1], &d[1]), NULL,
                                            part_or_null(&k->parts[3], &d[3]),
                                            part_or_null(&k->parts[4], &d[4]), NULL, NULL, NULL);
    else if (k->type == SCHAN_KEY_ECC)
        ret = gnutls_privkey_import_ecc_raw(*out, gnutls_curve(k->curve),
                                            part_or_null(&k->parts[0], &d[0]),
                                            part_or_null(&k->parts[1], &d[1]),
                                            part_or_null(&k->parts[2], &d[2]));
    else
        ret = GNUTLS_E_INVALID_REQUEST;
    if (ret >= 0)
        ret = gnutls_privkey_verify_params(*out);
    if (ret < 0)
    {
        gnutls_privkey_deinit(*out);
        *out = NULL;
    }
    return ret;
}

static void free_pcerts(gnutls_pcert_st *pcerts, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++)
        gnutls_pcert_deinit(&pcerts[i]);
    free(pcerts);
}

static int import_chain(const struct schan_cred_create_params *p, gnutls_pcert_st **out)
{
    const struct schan_blob *blobs = SCHAN_PTR(p->certs);
    gnutls_pcert_st *pcerts;
    unsigned int i;

    if (!blobs || !(pcerts = calloc(p->cert_count, sizeof(*pcerts))))
        return GNUTLS_E_MEMORY_ERROR;
    for (i = 0; i < p->cert_count; i++)
    {
        gnutls_datum_t der = blob_datum(&blobs[i]);
        int ret = gnutls_pcert_import_x509_raw(&pcerts[i], &der, GNUTLS_X509_FMT_DER, 0);

        if (ret < 0)
        {
            free_pcerts(pcerts, i);
            return ret;
        }
    }
    *out = pcerts;
    return 0;
}

/* gnutls_certificate_set_key takes ownership even when it fails, so check
 * the pairing first with the public key ids. */
static int key_matches_cert(gnutls_privkey_t key, gnutls_pcert_st *leaf)
{
    unsigned char id1[64], id2[64];
    size_t len1 = sizeof(id1), len2 = sizeof(id2);
    gnutls_pubkey_t pub;
    int ret;

    if (gnutls_pubkey_init(&pub) < 0)
        return 0;
    ret = gnutls_pubkey_import_privkey(pub, key, 0, 0);
    if (ret >= 0)
        ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, id1, &len1);
    if (ret >= 0)
        ret = gnutls_pubkey_get_key_id(leaf->pubkey, GNUTLS_KEYID_USE_SHA256, id2, &len2);
    gnutls_pubkey_deinit(pub);
    return ret >= 0 && len1 == len2 && !memcmp(id1, id2, len1);
}

static int retrieve_client_cert(gnutls_session_t s, const gnutls_datum_t *req_ca_dn, int nreqs,
                                const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                                gnutls_pcert_st **pcert, unsigned int *pcert_length,
                                gnutls_privkey_t *pkey)
{
    (void)pk_algos; (void)pk_algos_length;
    return schan_certreq_retrieve(s, req_ca_dn, nreqs, pcert, pcert_length, pkey);
}

static uint32_t load_certificate(struct schan_cred *cred, const struct schan_cred_create_params *p)
{
    gnutls_pcert_st *pcerts;
    gnutls_privkey_t key = NULL;
    int ret;

    if (!p->cert_count)
        return cred->is_server ? SCHAN_SEC_E_NO_CREDENTIALS : SCHAN_SEC_E_OK;
    if (p->key.type == SCHAN_KEY_NONE)
    {
        ERR("the certificate has no private key to go with it: returning SEC_E_NO_CREDENTIALS\n");
        return SCHAN_SEC_E_NO_CREDENTIALS;
    }
    if ((ret = import_chain(p, &pcerts)) < 0)
    {
        ERR("GnuTLS cannot use the certificate chain (%s): returning SEC_E_UNKNOWN_CREDENTIALS\n",
            gnutls_strerror(ret));
        return SCHAN_SEC_E_UNKNOWN_CREDENTIALS;
    }
    if ((ret = import_private_key(&p->key, &key)) < 0 || !key_matches_cert(key, &pcerts[0]))
    {
        if (ret < 0)
            ERR("GnuTLS cannot use the certificate's private key (%s): returning SEC_E_UNKNOWN_CREDENTIALS\n",
                gnutls_strerror(ret));
        else
            ERR("the private key does not belong to the certificate: returning SEC_E_UNKNOWN_CREDENTIALS\n");
        free_pcerts(pcerts, p->cert_count);
        gnutls_privkey_deinit(key);
        return SCHAN_SEC_E_UNKNOWN_CREDENTIALS;
    }
    cred->has_cert = 1;
    if (!cred->is_server)
    {
        cred->client_pcerts = pcerts;
        cred->client_pcert_count = p->cert_count;
        cred->client_key = key;
        gnutls_certificate_set_retrieve_function2(cred->certs, retrieve_client_cert);
        return SCHAN_SEC_E_OK;
    }
    /* The credential now owns the certificates and the key, not the array. */
    if (gnutls_certificate_set_key(cred->certs, NULL, 0, pcerts, (int)p->cert_count, key) < 0)
    {
        free(pcerts);
        return SCHAN_SEC_E_UNKNOWN_CREDENTIALS;
    }
    free(pcerts);
    return SCHAN_SEC_E_OK;
}

/* ---- lifetime ---- */

static void destroy_cred(struct schan_cred *cred)
{
    struct schan_cache_entry *e, *next;

    if (cred->is_server)
        schan_server_cache_forget(cred);
    for (e = cred->cache; e; e = next)
    {
        next = e->next;
        free(e->target);
        gnutls_memset(e->data.data, 0, e->data.size);
        free(e->data.data);
        free(e);
    }
    if (cred->certs)
        gnutls_certificate_free_credentials(cred->certs);
    if (cred->client_pcerts)
        free_pcerts(cred->client_pcerts, cred->client_pcert_count);
    if (cred->client_key)
        gnutls_privkey_deinit(cred->client_key);
    if (cred->priority)
        gnutls_priority_deinit(cred->priority);
    if (cred->dtls_priority)
        gnutls_priority_deinit(cred->dtls_priority);
    if (cred->ticket_key.data)
    {
        gnutls_memset(cred->ticket_key.data, 0, cred->ticket_key.size);
        gnutls_free(cred->ticket_key.data);
    }
    pthread_mutex_destroy(&cred->lock);
    free(cred);
}

void schan_cred_addref(struct schan_cred *cred)
{
    pthread_mutex_lock(&cred->lock);
    cred->refs++;
    pthread_mutex_unlock(&cred->lock);
}

void schan_cred_release(struct schan_cred *cred)
{
    unsigned int refs;

    pthread_mutex_lock(&cred->lock);
    refs = --cred->refs;
    pthread_mutex_unlock(&cred->lock);
    if (!refs)
        destroy_cred(cred);
}

static void set_lifespan(struct schan_cred *cred, const struct schan_cred_create_params *p)
{
    cred->resumable = !(p->flags & SCHAN_CRED_DISABLE_RECONNECTS)
                      && p->session_lifespan_ms != NO_RESUMPTION_LIFESPAN;
    if (!p->session_lifespan_ms)
        cred->lifespan_s = DEFAULT_LIFESPAN_S;
    else
        cred->lifespan_s = (time_t)((p->session_lifespan_ms + 999) / 1000);
}

/* The priority of the credential's sessions of one transport, with only
 * that transport's versions: GnuTLS must never see a DTLS version in a TLS
 * session (it then answered an SSLv2 hello with TLS 1.2 on a TLS 1.3-only
 * server) nor the reverse.  None when the credential has no such version. */
static uint32_t init_priority(const struct schan_cred *cred, const struct schan_cred_create_params *p,
                              uint32_t protocols, gnutls_priority_t *out)
{
    struct prio_buf prio;
    const char *err_pos = NULL;
    int ret;

    if (!protocols)
        return SCHAN_SEC_E_OK;
    build_priority(p, protocols, &prio);
    if ((ret = gnutls_priority_init2(out, prio.text, &err_pos, 0)) < 0)
    {
        ERR("GnuTLS rejects the credential's algorithm settings (%s at \"%s\" in \"%s\"): returning "
            "SEC_E_ALGORITHM_MISMATCH\n", gnutls_strerror(ret), err_pos ? err_pos : "?", prio.text);
        return SCHAN_SEC_E_ALGORITHM_MISMATCH;
    }
    TRACE("%s credential %p: priority \"%s\"\n", cred->is_server ? "server" : "client", (void *)cred, prio.text);
    return SCHAN_SEC_E_OK;
}

static uint32_t init_cred(struct schan_cred *cred, const struct schan_cred_create_params *p)
{
    uint32_t status;

    if (gnutls_certificate_allocate_credentials(&cred->certs) < 0)
        return SCHAN_SEC_E_INSUFFICIENT_MEMORY;
    if ((status = load_certificate(cred, p)) != SCHAN_SEC_E_OK)
        return status;
    if (!cred->is_server)   /* also without a certificate: requests are noted, maybe paused on */
        gnutls_certificate_set_retrieve_function2(cred->certs, retrieve_client_cert);
    if (cred->is_server)
        gnutls_certificate_set_known_dh_params(cred->certs, GNUTLS_SEC_PARAM_MEDIUM);
    if ((status = init_priority(cred, p, p->protocols & SCHAN_PROT_TLS_ALL, &cred->priority))
        || (status = init_priority(cred, p, p->protocols & SCHAN_PROT_DTLS_ALL, &cred->dtls_priority)))
        return status;
    if (cred->is_server && cred->resumable
        && gnutls_session_ticket_key_generate(&cred->ticket_key) < 0)
        return SCHAN_SEC_E_INTERNAL_ERROR;
    return SCHAN_SEC_E_OK;
}

unix_status schan_cred_create(void *args)
{
    struct schan_cred_create_params *p = args;
    struct schan_cred *cred;

    p->cred = 0;
    if (schan_global_init() < 0)
    {
        p->status = SCHAN_SEC_E_INTERNAL_ERROR;
        return (unix_status)SCHAN_STATUS_SUCCESS;
    }
    if (!(p->protocols & (SCHAN_PROT_TLS_ALL | SCHAN_PROT_DTLS_ALL)) || (p->cert_count && !p->certs))
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    if (!(cred = calloc(1, sizeof(*cred))))
        return (unix_status)SCHAN_STATUS_NO_MEMORY;
    pthread_mutex_init(&cred->lock, NULL);
    cred->refs = 1;
    cred->is_server = !!p->is_server;
    cred->protocols = p->protocols;
    cred->flags = p->flags;
    set_lifespan(cred, p);
    p->status = init_cred(cred, p);
    if (p->status != SCHAN_SEC_E_OK)
        destroy_cred(cred);
    else
        p->cred = (uint64_t)(uintptr_t)cred;
    return (unix_status)SCHAN_STATUS_SUCCESS;
}

unix_status schan_cred_free(void *args)
{
    struct schan_cred_free_params *p = args;

    if (!p->cred)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    schan_cred_release(SCHAN_PTR(p->cred));
    return (unix_status)SCHAN_STATUS_SUCCESS;
}

/* ---- client session cache ---- */

static void drop_expired(struct schan_cred *cred, time_t now)
{
    struct schan_cache_entry **link = &cred->cache;

    while (*link)
    {
        struct schan_cache_entry *e = *link;

        if (e->expires > now)
        {
            link = &e->next;
            continue;
        }
        *link = e->next;
        free(e->target);
        free(e->data.data);
        free(e);
    }
}

static struct schan_cache_entry *find_entry(struct schan_cred *cred, const char *target)
{
    for (struct schan_cache_entry *e = cred->cache; e; e = e->next)
        if (!strcmp(e->target, target))
            return e;
    return NULL;
}

int schan_cache_lookup(struct schan_cred *cred, const char *target, gnutls_datum_t *data)
{
    struct schan_cache_entry *e;

    data->data = NULL;
    data->size = 0;
    if (!cred->resumable || !target)
        return 0;
    pthread_mutex_lock(&cred->lock);
    drop_expired(cred, time(NULL));
    if ((e = find_entry(cred, target)) && (data->data = malloc(e->data.size)))
    {
        memcpy(data->data, e->data.data, e->data.size);
        data->size = e->data.size;
    }
    pthread_mutex_unlock(&cred->lock);
    return data->data != NULL;
}

static struct schan_cache_entry *new_entry(const char *target)
{
    struct schan_cache_entry *e = calloc(1, sizeof(*e));

    if (e && !(e->target = strdup(target)))
    {
        free(e);
        e = NULL;
    }
    return e;
}

void schan_cache_store(struct schan_cred *cred, const char *target, const gnutls_datum_t *data)
{
    struct schan_cache_entry *e;
    uint8_t *copy;

    if (!cred->resumable || !target || !data->size || !(copy = malloc(data->size)))
        return;
    memcpy(copy, data->data, data->size);
    pthread_mutex_lock(&cred->lock);
    if (!(e = find_entry(cred, target)) && (e = new_entry(target)))
    {
        e->next = cred->cache;
        cred->cache = e;
    }
    if (e)
    {
        free(e->data.data);
        e->data.data = copy;
        e->data.size = data->size;
        e->expires = time(NULL) + cred->lifespan_s;
        copy = NULL;
    }
    pthread_mutex_unlock(&cred->lock);
    free(copy);
}
