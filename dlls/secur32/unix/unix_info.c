/*
 * Queries on an established session: GET_CONNECTION_INFO, GET_PEER_CERTS,
 * GET_CHANNEL_BINDING and EXPORT_KEYING_MATERIAL.
 */
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "unix_private.h"

/* ---- algorithm vocabulary ---- */

static uint32_t protocol_bit(gnutls_protocol_t version)
{
    switch (version)
    {
    case GNUTLS_TLS1_0: return SCHAN_PROT_TLS1_0;
    case GNUTLS_TLS1_1: return SCHAN_PROT_TLS1_1;
    case GNUTLS_TLS1_2: return SCHAN_PROT_TLS1_2;
    case GNUTLS_TLS1_3: return SCHAN_PROT_TLS1_3;
    case GNUTLS_DTLS1_0: return SCHAN_PROT_DTLS1_0;
    case GNUTLS_DTLS1_2: return SCHAN_PROT_DTLS1_2;
    default: return 0;
    }
}

static uint32_t cipher_enum(gnutls_cipher_algorithm_t cipher)
{
    switch (cipher)
    {
    case GNUTLS_CIPHER_NULL: return SCHAN_CIPHER_NULL;
    case GNUTLS_CIPHER_AES_128_GCM: return SCHAN_CIPHER_AES_128_GCM;
    case GNUTLS_CIPHER_AES_256_GCM: return SCHAN_CIPHER_AES_256_GCM;
    case GNUTLS_CIPHER_CHACHA20_POLY1305: return SCHAN_CIPHER_CHACHA20_POLY1305;
    case GNUTLS_CIPHER_AES_128_CCM:
    case GNUTLS_CIPHER_AES_128_CCM_8: return SCHAN_CIPHER_AES_128_CCM;
    case GNUTLS_CIPHER_AES_256_CCM:
    case GNUTLS_CIPHER_AES_256_CCM_8: return SCHAN_CIPHER_AES_256_CCM;
    case GNUTLS_CIPHER_AES_128_CBC: return SCHAN_CIPHER_AES_128_CBC;
    case GNUTLS_CIPHER_AES_256_CBC: return SCHAN_CIPHER_AES_256_CBC;
    case GNUTLS_CIPHER_3DES_CBC: return SCHAN_CIPHER_3DES_CBC;
    case GNUTLS_CIPHER_ARCFOUR_128: return SCHAN_CIPHER_RC4_128;
    default: return SCHAN_CIPHER_UNKNOWN;
    }
}

static uint32_t cipher_bits(gnutls_cipher_algorithm_t cipher)
{
    if (cipher == GNUTLS_CIPHER_3DES_CBC)
        return 168;   /* what Windows reports, not the 192-bit key size */
    return (uint32_t)gnutls_cipher_get_key_size(cipher) * 8;
}

static int is_block_cipher(gnutls_cipher_algorithm_t cipher)
{
    switch (cipher)
    {
    case GNUTLS_CIPHER_AES_128_CBC:
    case GNUTLS_CIPHER_AES_256_CBC:
    case GNUTLS_CIPHER_3DES_CBC:
    case GNUTLS_CIPHER_CAMELLIA_128_CBC:
    case GNUTLS_CIPHER_CAMELLIA_256_CBC:
        return 1;
    default:
        return 0;
    }
}

static uint32_t mac_enum(gnutls_mac_algorithm_t mac)
{
    switch (mac)
    {
    case GNUTLS_MAC_AEAD: return SCHAN_MAC_NONE;
    case GNUTLS_MAC_MD5: return SCHAN_MAC_MD5;
    case GNUTLS_MAC_SHA1: return SCHAN_MAC_SHA1;
    case GNUTLS_MAC_SHA256: return SCHAN_MAC_SHA256;
    case GNUTLS_MAC_SHA384: return SCHAN_MAC_SHA384;
    default: return SCHAN_MAC_UNKNOWN;
    }
}

static uint32_t kx_enum(gnutls_kx_algorithm_t kx, gnutls_protocol_t version)
{
    if (version == GNUTLS_TLS1_3)
        return SCHAN_KX_NONE;
    switch (kx)
    {
    case GNUTLS_KX_RSA: return SCHAN_KX_RSA;
    case GNUTLS_KX_DHE_RSA:
    case GNUTLS_KX_DHE_DSS: return SCHAN_KX_DHE;
    case GNUTLS_KX_ECDHE_RSA:
    case GNUTLS_KX_ECDHE_ECDSA: return SCHAN_KX_ECDHE;
    default: return SCHAN_KX_UNKNOWN;
    }
}

static uint32_t group_bits(gnutls_group_t group)
{
    switch (group)
    {
    case GNUTLS_GROUP_SECP256R1: return 256;
    case GNUTLS_GROUP_SECP384R1: return 384;
    case GNUTLS_GROUP_SECP521R1: return 521;
    case GNUTLS_GROUP_X25519: return 255;
    case GNUTLS_GROUP_X448: return 448;
    case GNUTLS_GROUP_FFDHE2048: return 2048;
    case GNUTLS_GROUP_FFDHE3072: return 3072;
    case GNUTLS_GROUP_FFDHE4096: return 4096;
    case GNUTLS_GROUP_FFDHE6144: return 6144;
    case GNUTLS_GROUP_FFDHE8192: return 8192;
    default: return 0;
    }
}

/* ---- certificates ---- */

/* The certificate that authenticates the server: the peer's on a client,
 * our own on a server. */
static const gnutls_datum_t *server_leaf(struct schan_session *session)
{
    unsigned int count = 0;
    const gnutls_datum_t *list;

    if (session->is_server)
        return gnutls_certificate_get_ours(session->s);
    list = gnutls_certificate_get_peers(session->s, &count);
    return count ? list : NULL;
}

static int leaf_pk(struct schan_session *session, unsigned int *bits)
{
    const gnutls_datum_t *der = server_leaf(session);
    gnutls_x509_crt_t crt;
    int pk = GNUTLS_PK_UNKNOWN;

    *bits = 0;
    if (!der || gnutls_x509_crt_init(&crt) < 0)
        return pk;
    if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) >= 0)
        pk = gnutls_x509_crt_get_pk_algorithm(crt, bits);
    gnutls_x509_crt_deinit(crt);
    return pk;
}

/* The server's key type without parsing its certificate where the suite
 * (TLS <= 1.2) or the handshake's signature (TLS 1.3) says it: a certificate
 * import is libtasn1 work of about 227k instructions, after every
 * handshake.  The RSA modulus size of RSA key exchange, and the key of a
 * resumed TLS 1.3 session (nothing signed), need the leaf parsed: only when
 * the caller asks (`details`). */
static int server_pk(struct schan_session *session, gnutls_kx_algorithm_t kx, int details, unsigned int *bits)
{
    gnutls_sign_algorithm_t sign = gnutls_sign_algorithm_get(session->s);
    int tls13 = gnutls_protocol_get_version(session->s) == GNUTLS_TLS1_3, pk;

    *bits = 0;
    if (details && (kx == GNUTLS_KX_RSA || tls13))
        if ((pk = leaf_pk(session, bits)) != GNUTLS_PK_UNKNOWN)
            return pk;
    /* TLS 1.3's "kx" names the group's kind only, never the certificate. */
    switch (tls13 ? GNUTLS_KX_UNKNOWN : kx)
    {
    case GNUTLS_KX_RSA:
    case GNUTLS_KX_DHE_RSA:
    case GNUTLS_KX_ECDHE_RSA: return GNUTLS_PK_RSA;
    case GNUTLS_KX_ECDHE_ECDSA: return GNUTLS_PK_ECDSA;
    default: break;
    }
    if (sign != GNUTLS_SIGN_UNKNOWN && (pk = (int)gnutls_sign_get_pk_algorithm(sign)) != GNUTLS_PK_UNKNOWN)
        return pk;
    return details ? leaf_pk(session, bits) : GNUTLS_PK_UNKNOWN;
}

static uint32_t key_type_enum(int pk)
{
    switch (pk)
    {
    case GNUTLS_PK_RSA:
    case GNUTLS_PK_RSA_PSS: return SCHAN_KEY_RSA;
    case GNUTLS_PK_ECDSA: return SCHAN_KEY_ECC;
    default: return SCHAN_KEY_NONE;
    }
}

/* ---- suite ---- */

static uint32_t find_suite_id(gnutls_session_t s)
{
    gnutls_protocol_t version = gnutls_protocol_get_version(s), min_version;
    gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(s), c;
    gnutls_kx_algorithm_t kx = gnutls_kx_get(s), k;
    gnutls_mac_algorithm_t mac = gnutls_mac_get(s), m;
    int tls13 = version == GNUTLS_TLS1_3;
    unsigned char id[2];

    /* TLS 1.3 suites are told apart by their AEAD alone (one hash each). */
    for (size_t i = 0; gnutls_cipher_suite_info(i, id, &k, &c, &m, &min_version); i++)
    {
        if (c != cipher || (min_version == GNUTLS_TLS1_3) != tls13)
            continue;
        if (tls13 || (k == kx && m == mac))
            return ((uint32_t)id[0] << 8) | id[1];
    }
    return 0;
}

static void copy_string(char *dst, size_t size, const char *src)
{
    size_t len = src ? strlen(src) : 0;

    if (len >= size)
        len = size - 1;
    memcpy(dst, src ? src : "", len);
    dst[len] = 0;
}

/* ---- GET_CONNECTION_INFO ---- */

static void fill_algorithms(struct schan_session *session, int details, struct schan_connection_info *info)
{
    gnutls_session_t s = session->s;
    gnutls_protocol_t version = gnutls_protocol_get_version(s);
    gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(s);
    gnutls_mac_algorithm_t mac = gnutls_mac_get(s);
    gnutls_group_t group = gnutls_group_get(s);
    gnutls_kx_algorithm_t kx = gnutls_kx_get(s);
    unsigned int pk_bits;
    int pk = server_pk(session, kx, details, &pk_bits);

    info->protocol = protocol_bit(version);
    info->cipher = cipher_enum(cipher);
    info->cipher_bits = cipher_bits(cipher);
    info->cipher_block_size = is_block_cipher(cipher) ? (uint32_t)gnutls_cipher_get_block_size(cipher) : 1;
    info->mac = version == GNUTLS_TLS1_3 ? SCHAN_MAC_NONE : mac_enum(mac);
    info->mac_bits = info->mac == SCHAN_MAC_NONE ? 0 : (uint32_t)gnutls_mac_get_key_size(mac) * 8;
    info->prf_hash_bits = (uint32_t)gnutls_hash_get_len((gnutls_digest_algorithm_t)gnutls_prf_hash_get(s)) * 8;
    info->kx = kx_enum(kx, version);
    info->kx_bits = group_bits(group);
    if (!info->kx_bits && info->kx == SCHAN_KX_DHE)
        info->kx_bits = (uint32_t)gnutls_dh_get_prime_bits(s);
    if (!info->kx_bits && info->kx == SCHAN_KX_RSA)
        info->kx_bits = pk_bits;
    info->cert_type = key_type_enum(pk);
    info->suite_id = find_suite_id(s);
    copy_string(info->suite_name, sizeof(info->suite_name), gnutls_ciphersuite_get(s));
    copy_string(info->group_name, sizeof(info->group_name), group ? gnutls_group_get_name(group) : "");
}

static void fill_stream_sizes(struct schan_session *session, struct schan_connection_info *info)
{
    size_t overhead = session->record_overhead;

    info->header_size = SCHAN_RECORD_HEADER_SIZE + session->explicit_nonce;
    info->trailer_size = overhead > info->header_size ? (uint32_t)(overhead - info->header_size) : 0;
    info->max_message = (uint32_t)session->max_plaintext;
    if (session->dtls)
        schan_dtls_sizes(session, info);
    info->block_size = info->cipher_block_size;
}

static void fill_names(struct schan_session *session, struct schan_connection_info *info)
{
    gnutls_datum_t alpn;
    size_t len = sizeof(info->server_name) - 1;
    unsigned int type;

    if (gnutls_alpn_get_selected_protocol(session->s, &alpn) >= 0 && alpn.size <= sizeof(info->alpn))
    {
        memcpy(info->alpn, alpn.data, alpn.size);
        info->alpn_len = alpn.size;
    }
    if (session->is_server
        && gnutls_server_name_get(session->s, info->server_name, &len, &type, 0) >= 0
        && type == GNUTLS_NAME_DNS)
        info->server_name[len < sizeof(info->server_name) ? len : sizeof(info->server_name) - 1] = 0;
    else
        info->server_name[0] = 0;
}

uint32_t schan_fill_connection_info(struct schan_session *session, uint32_t flags, struct schan_connection_info *info)
{
    memset(info, 0, sizeof(*info));
    info->handshake_done = (uint32_t)session->done;
    if (!session->done)
        return SCHAN_SEC_E_CONTEXT_EXPIRED;
    fill_algorithms(session, (flags & SCHAN_INFO_KEY_DETAILS) != 0, info);
    fill_stream_sizes(session, info);
    fill_names(session, info);
    info->resumed = gnutls_session_is_resumed(session->s) ? 1 : 0;
    return SCHAN_SEC_E_OK;
}

unix_status schan_get_connection_info(void *args)
{
    struct schan_get_connection_info_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);
    struct schan_connection_info *info = SCHAN_PTR(p->info);

    if (!session || !info)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    p->status = schan_fill_connection_info(session, p->flags, info);
    return (unix_status)SCHAN_STATUS_SUCCESS;
}

/* ---- GET_PEER_CERTS ---- */

static const gnutls_datum_t *peer_certs(struct schan_session *session, unsigned int *count)
{
    return gnutls_certificate_get_peers(session->s, count);
}

unix_status schan_get_peer_certs(void *args)
{
    return schan_list_call(args, peer_certs);
}

/* ---- GET_CHANNEL_BINDING ---- */

/* RFC 5929 4.1: hash of the server certificate with its signature's hash,
 * SHA-256 when that is MD5 or SHA-1.  Used where GnuTLS declines. */
static int endpoint_hash(struct schan_session *session, gnutls_datum_t *out)
{
    const gnutls_datum_t *der = server_leaf(session);
    gnutls_digest_algorithm_t hash = GNUTLS_DIG_SHA256;
    gnutls_x509_crt_t crt;
    int sign, ret;

    if (!der || gnutls_x509_crt_init(&crt) < 0)
        return GNUTLS_E_INVALID_REQUEST;
    ret = gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER);
    sign = ret < 0 ? ret : gnutls_x509_crt_get_signature_algorithm(crt);
    gnutls_x509_crt_deinit(crt);
    if (sign < 0)
        return sign;
    if (sign > 0)
        hash = gnutls_sign_get_hash_algorithm((gnutls_sign_algorithm_t)sign);
    if (hash == GNUTLS_DIG_MD5 || hash == GNUTLS_DIG_SHA1 || hash == GNUTLS_DIG_UNKNOWN)
        hash = GNUTLS_DIG_SHA256;
    out->size = gnutls_hash_get_len(hash);
    if (!(out->data = gnutls_malloc(out->size)))
        return GNUTLS_E_MEMORY_ERROR;
    return gnutls_hash_fast(hash, der->data, der->size, out->data);
}

static int get_binding(struct schan_session *session, uint32_t kind, gnutls_datum_t *cb)
{
    cb->data = NULL;
    cb->size = 0;
    if (kind == SCHAN_BINDING_UNIQUE)
        return gnutls_session_channel_binding(session->s, GNUTLS_CB_TLS_UNIQUE, cb);
    if (gnutls_session_channel_binding(session->s, GNUTLS_CB_TLS_SERVER_END_POINT, cb) >= 0)
        return 0;
    return endpoint_hash(session, cb);
}

unix_status schan_get_channel_binding(void *args)
{
    struct schan_get_channel_binding_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);
    gnutls_datum_t cb = { NULL, 0 };

    if (!session || (p->kind != SCHAN_BINDING_UNIQUE && p->kind != SCHAN_BINDING_ENDPOINT))
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    p->needed = 0;
    if (!session->done)
        p->status = SCHAN_SEC_E_CONTEXT_EXPIRED;
    else if (get_binding(session, p->kind, &cb) < 0)
        p->status = SCHAN_SEC_E_UNSUPPORTED_FUNCTION;
    else
    {
        p->needed = cb.size;
        if (!p->buffer || p->size < cb.size)
            p->status = SCHAN_SEC_E_BUFFER_TOO_SMALL;
        else
        {
            memcpy(SCHAN_PTR(p->buffer), cb.data, cb.size);
            p->status = SCHAN_SEC_E_OK;
        }
    }
    gnutls_free(cb.data);
    return (unix_status)SCHAN_STATUS_SUCCESS;
}

/* ---- EXPORT_KEYING_MATERIAL ---- */

unix_status schan_export_keying_material(void *args)
{
    struct schan_export_keying_material_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);
    int ret;

    if (!session || !p->label || !p->output || (p->context_size && !p->context))
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    if (!session->done)
    {
        p->status = SCHAN_SEC_E_CONTEXT_EXPIRED;
        return (unix_status)SCHAN_STATUS_SUCCESS;
    }
    ret = gnutls_prf_rfc5705(session->s, p->label_size, SCHAN_PTR(p->label),
                             p->context ? p->context_size : 0, SCHAN_PTR(p->context),
                             p->output_size, SCHAN_PTR(p->output));
    p->status = ret < 0 ? schan_map_error(session->s, ret) : SCHAN_SEC_E_OK;
    return (unix_status)SCHAN_STATUS_SUCCESS;
}
