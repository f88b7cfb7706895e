/*
 * The error vocabulary of the Unix half, in one place: for each GnuTLS
 * error and each TLS alert, the SECURITY_STATUS the caller gets (as
 * Windows' Schannel answers the same failure) and the advice the err: line
 * gives (unix_diag.c); and the names of those statuses.  A new error is one
 * row here.  Rows without advice get the table's default sentence.
 */
#include "unix_private.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct vocabulary_row {
    int code;                  /* GNUTLS_E_* or GNUTLS_A_* */
    uint32_t status;           /* SCHAN_SEC_* */
    const char *advice;        /* NULL: the default; for a client, or both sides */
    const char *server_advice; /* NULL: as advice */
};

/* Advice several rows share. */
#define ADV_VERSION "no protocol version in common"
#define ADV_ALPN "no ALPN protocol in common"
#define ADV_NO_COMMON "no cipher suite, key exchange group or signature algorithm in common; check the " \
    "credential's algorithm and strength limits"
#define ADV_PEER_NO_COMMON "no cipher suite, key exchange group or signature algorithm in common (or the peer " \
    "wants a certificate this side did not send)"
#define ADV_NO_CLIENT_CERT "the client sent no certificate but this server requires one"
#define ADV_NOT_VERIFIED "the peer's handshake did not verify (wrong key, or data altered or cut in transit)"
#define ADV_UNSAFE_RENEG "the peer tried an unsafe renegotiation"
#define ADV_SERVER_CERT_REFUSED "the client does not accept this server's certificate: use one issued by a CA " \
    "the client trusts, valid now, for the name the client asks for"
#define ADV_CLIENT_CANNOT_PROVIDE "the server asked for something this credential cannot provide"
#define ADV_SERVER_KEY_UNFIT "this server's certificate key does not fit any cipher suite the client offered"
#define ADV_PEER_NOT_VERIFIED "the peer could not verify this side's messages (wrong key, or data altered in transit)"
#define ADV_PEER_NOT_UNDERSTOOD "the peer did not understand this side's messages; a TRACE of both sides shows where"
#define ADV_CLIENT_CERT_REFUSED "the server does not accept this client's certificate: use one issued by a CA " \
    "the server trusts"

/* Errors GnuTLS reports on this side. */
static const struct vocabulary_row error_table[] = {
    { GNUTLS_E_UNSUPPORTED_VERSION_PACKET, SCHAN_SEC_E_ALGORITHM_MISMATCH, ADV_VERSION, NULL },
    { GNUTLS_E_NO_CIPHER_SUITES, SCHAN_SEC_E_ALGORITHM_MISMATCH, ADV_NO_COMMON, NULL },
    { GNUTLS_E_UNKNOWN_CIPHER_SUITE, SCHAN_SEC_E_ALGORITHM_MISMATCH, ADV_NO_COMMON, NULL },
    { GNUTLS_E_NO_PRIORITIES_WERE_SET, SCHAN_SEC_E_ALGORITHM_MISMATCH, NULL, NULL },
    { GNUTLS_E_INSUFFICIENT_CREDENTIALS,    SCHAN_SEC_E_ALGORITHM_MISMATCH,
      ADV_CLIENT_CANNOT_PROVIDE, ADV_SERVER_KEY_UNFIT },
    { GNUTLS_E_NO_COMMON_KEY_SHARE, SCHAN_SEC_E_ALGORITHM_MISMATCH, ADV_NO_COMMON, NULL },
    { GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM, SCHAN_SEC_E_ALGORITHM_MISMATCH, ADV_NO_COMMON, NULL },
    { GNUTLS_E_ECC_UNSUPPORTED_CURVE, SCHAN_SEC_E_ALGORITHM_MISMATCH, NULL, NULL },
    { GNUTLS_E_ECC_NO_SUPPORTED_CURVES, SCHAN_SEC_E_ALGORITHM_MISMATCH, ADV_NO_COMMON, NULL },
    { GNUTLS_E_UNKNOWN_PK_ALGORITHM, SCHAN_SEC_E_ALGORITHM_MISMATCH, NULL, NULL },
    { GNUTLS_E_INSUFFICIENT_SECURITY, SCHAN_SEC_E_ALGORITHM_MISMATCH, ADV_NO_COMMON, NULL },
    { GNUTLS_E_DH_PRIME_UNACCEPTABLE, SCHAN_SEC_E_ALGORITHM_MISMATCH, ADV_NO_COMMON, NULL },
    { GNUTLS_E_NO_APPLICATION_PROTOCOL, SCHAN_SEC_E_APPLICATION_PROTOCOL_MISMATCH, ADV_ALPN, NULL },
    { GNUTLS_E_DECRYPTION_FAILED, SCHAN_SEC_E_DECRYPT_FAILURE, ADV_NOT_VERIFIED, NULL },
    { GNUTLS_E_ERROR_IN_FINISHED_PACKET, SCHAN_SEC_E_DECRYPT_FAILURE, ADV_NOT_VERIFIED, NULL },
    { GNUTLS_E_PK_SIG_VERIFY_FAILED, SCHAN_SEC_E_DECRYPT_FAILURE, ADV_NOT_VERIFIED, NULL },
    { GNUTLS_E_UNEXPECTED_PACKET, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_UNEXPECTED_HANDSHAKE_PACKET, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_UNEXPECTED_PACKET_LENGTH, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_UNEXPECTED_EXTENSIONS_LENGTH, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_RECORD_OVERFLOW, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_RECEIVED_ILLEGAL_PARAMETER, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_ILLEGAL_PARAMETER, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_RECEIVED_DISALLOWED_NAME, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_HANDSHAKE_TOO_LARGE, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_TOO_MANY_EMPTY_PACKETS, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_TOO_MANY_HANDSHAKE_PACKETS, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_SAFE_RENEGOTIATION_FAILED, SCHAN_SEC_E_ILLEGAL_MESSAGE, ADV_UNSAFE_RENEG, NULL },
    { GNUTLS_E_UNSAFE_RENEGOTIATION_DENIED, SCHAN_SEC_E_ILLEGAL_MESSAGE, ADV_UNSAFE_RENEG, NULL },
    { GNUTLS_E_X509_UNSUPPORTED_EXTENSION, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_MISSING_EXTENSION, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_BASE64_DECODING_ERROR, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_CERTIFICATE_ERROR, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_UNSUPPORTED_CERTIFICATE_TYPE, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_DER_ERROR, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    /* Found by tests/conformance/hostile.c and the fuzz targets: what a
     * corrupted peer message can make GnuTLS report. */
    { GNUTLS_E_ASN1_ELEMENT_NOT_FOUND, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_IDENTIFIER_NOT_FOUND, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_VALUE_NOT_FOUND, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_GENERIC_ERROR, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_VALUE_NOT_VALID, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_TAG_ERROR, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_TAG_IMPLICIT, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_TYPE_ANY_ERROR, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_SYNTAX_ERROR, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_DER_OVERFLOW, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_EMBEDDED_NULL_IN_STRING, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_ASN1_TIME_ERROR, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_X509_UNSUPPORTED_CRITICAL_EXTENSION, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_X509_DUPLICATE_EXTENSION, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_X509_UNSUPPORTED_OID, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_PK_INVALID_PUBKEY, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_PK_INVALID_PUBKEY_PARAMS, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_RECEIVED_ILLEGAL_EXTENSION, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_PARSING_ERROR, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_SESSION_EOF, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_PREMATURE_TERMINATION, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_E_PK_DECRYPTION_FAILED, SCHAN_SEC_E_DECRYPT_FAILURE, NULL, NULL },
    { GNUTLS_E_KEY_USAGE_VIOLATION, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_E_CERTIFICATE_REQUIRED, SCHAN_SEC_E_CERT_UNKNOWN, ADV_NO_CLIENT_CERT, NULL },
    { GNUTLS_E_NO_CERTIFICATE_FOUND, SCHAN_SEC_E_NO_CREDENTIALS, ADV_NO_CLIENT_CERT, NULL },
    { GNUTLS_E_MEMORY_ERROR, SCHAN_SEC_E_INSUFFICIENT_MEMORY, "out of memory", NULL },
    { GNUTLS_E_INVALID_SESSION, SCHAN_SEC_E_CONTEXT_EXPIRED, NULL, NULL },
    { GNUTLS_E_ENCRYPTION_FAILED, SCHAN_SEC_E_ENCRYPT_FAILURE, NULL, NULL },
};

/* Alerts the peer sends. */
static const struct vocabulary_row alert_table[] = {
    { GNUTLS_A_CLOSE_NOTIFY, SCHAN_SEC_I_CONTEXT_EXPIRED, NULL, NULL },
    { GNUTLS_A_UNEXPECTED_MESSAGE, SCHAN_SEC_E_ILLEGAL_MESSAGE, ADV_PEER_NOT_UNDERSTOOD, NULL },
    { GNUTLS_A_BAD_RECORD_MAC, SCHAN_SEC_E_DECRYPT_FAILURE, ADV_PEER_NOT_VERIFIED, NULL },
    { GNUTLS_A_DECRYPTION_FAILED, SCHAN_SEC_E_DECRYPT_FAILURE, NULL, NULL },
    { GNUTLS_A_RECORD_OVERFLOW, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_A_DECOMPRESSION_FAILURE, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_A_HANDSHAKE_FAILURE, SCHAN_SEC_E_ALGORITHM_MISMATCH, ADV_PEER_NO_COMMON, NULL },
    { GNUTLS_A_SSL3_NO_CERTIFICATE, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_A_BAD_CERTIFICATE, SCHAN_SEC_E_CERT_UNKNOWN, ADV_CLIENT_CERT_REFUSED, ADV_SERVER_CERT_REFUSED },
    { GNUTLS_A_UNSUPPORTED_CERTIFICATE, SCHAN_SEC_E_CERT_UNKNOWN, ADV_CLIENT_CERT_REFUSED, ADV_SERVER_CERT_REFUSED },
    { GNUTLS_A_CERTIFICATE_REVOKED, SCHAN_CRYPT_E_REVOKED, ADV_CLIENT_CERT_REFUSED, ADV_SERVER_CERT_REFUSED },
    { GNUTLS_A_CERTIFICATE_EXPIRED, SCHAN_SEC_E_CERT_EXPIRED, ADV_CLIENT_CERT_REFUSED, ADV_SERVER_CERT_REFUSED },
    { GNUTLS_A_CERTIFICATE_UNKNOWN, SCHAN_SEC_E_CERT_UNKNOWN, ADV_CLIENT_CERT_REFUSED, ADV_SERVER_CERT_REFUSED },
    { GNUTLS_A_ILLEGAL_PARAMETER, SCHAN_SEC_E_ILLEGAL_MESSAGE, ADV_PEER_NOT_UNDERSTOOD, NULL },
    { GNUTLS_A_UNKNOWN_CA, SCHAN_SEC_E_UNTRUSTED_ROOT, ADV_CLIENT_CERT_REFUSED, ADV_SERVER_CERT_REFUSED },
    { GNUTLS_A_ACCESS_DENIED, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_A_DECODE_ERROR, SCHAN_SEC_E_ILLEGAL_MESSAGE, ADV_PEER_NOT_UNDERSTOOD, NULL },
    { GNUTLS_A_DECRYPT_ERROR, SCHAN_SEC_E_DECRYPT_FAILURE, ADV_PEER_NOT_VERIFIED, NULL },
    { GNUTLS_A_EXPORT_RESTRICTION, SCHAN_SEC_E_ALGORITHM_MISMATCH, NULL, NULL },
    { GNUTLS_A_PROTOCOL_VERSION, SCHAN_SEC_E_ALGORITHM_MISMATCH, ADV_VERSION, NULL },
    { GNUTLS_A_INSUFFICIENT_SECURITY, SCHAN_SEC_E_ALGORITHM_MISMATCH, ADV_PEER_NO_COMMON, NULL },
    { GNUTLS_A_INTERNAL_ERROR, SCHAN_SEC_E_INTERNAL_ERROR, "the peer failed internally", NULL },
    { GNUTLS_A_INAPPROPRIATE_FALLBACK, SCHAN_SEC_E_ALGORITHM_MISMATCH, NULL, NULL },
    { GNUTLS_A_USER_CANCELED, SCHAN_SEC_E_CONTEXT_EXPIRED, "the peer gave up the handshake", NULL },
    { GNUTLS_A_NO_RENEGOTIATION, SCHAN_SEC_E_ALGORITHM_MISMATCH, NULL, NULL },
    { GNUTLS_A_MISSING_EXTENSION, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_A_UNSUPPORTED_EXTENSION, SCHAN_SEC_E_ILLEGAL_MESSAGE, NULL, NULL },
    { GNUTLS_A_CERTIFICATE_UNOBTAINABLE, SCHAN_SEC_E_CERT_UNKNOWN, NULL, NULL },
    { GNUTLS_A_UNRECOGNIZED_NAME, SCHAN_SEC_E_WRONG_PRINCIPAL,
      "the server does not serve the requested name (SNI): check the target name", NULL },
    { GNUTLS_A_UNKNOWN_PSK_IDENTITY, SCHAN_SEC_E_UNKNOWN_CREDENTIALS, NULL, NULL },
    { GNUTLS_A_CERTIFICATE_REQUIRED, SCHAN_SEC_E_CERT_UNKNOWN,
      "the server requires a client certificate: give one in the credential (paCred)", NULL },
    { GNUTLS_A_NO_APPLICATION_PROTOCOL, SCHAN_SEC_E_APPLICATION_PROTOCOL_MISMATCH, ADV_ALPN, NULL },
};

static const struct vocabulary_row *find_row(const struct vocabulary_row *table, size_t count, int code)
{
    for (size_t i = 0; i < count; i++)
        if (table[i].code == code)
            return &table[i];
    return NULL;
}

static const char *row_advice(const struct vocabulary_row *row, const struct schan_session *session,
                              const char *fallback)
{
    if (row && session->is_server && row->server_advice)
        return row->server_advice;
    return row && row->advice ? row->advice : fallback;
}

uint32_t schan_map_alert(int description)
{
    const struct vocabulary_row *row = find_row(alert_table, ARRAY_LEN(alert_table), description);
    return row ? row->status : SCHAN_SEC_E_ILLEGAL_MESSAGE;
}

uint32_t schan_map_error(gnutls_session_t s, int err)
{
    const struct vocabulary_row *row;

    if (err == GNUTLS_E_FATAL_ALERT_RECEIVED || err == GNUTLS_E_WARNING_ALERT_RECEIVED)
        return schan_map_alert((int)gnutls_alert_get(s));
    row = find_row(error_table, ARRAY_LEN(error_table), err);
    return row ? row->status : SCHAN_SEC_E_INTERNAL_ERROR;
}

/* What to do about an error GnuTLS found on this side. */
const char *schan_error_advice(const struct schan_session *session, int err)
{
    return row_advice(find_row(error_table, ARRAY_LEN(error_table), err), session,
                      "the peer sent something this side cannot accept; a TRACE of both sides shows where");
}

/* What to do about a fatal alert the peer sent. */
const char *schan_alert_advice(const struct schan_session *session, int alert)
{
    return row_advice(find_row(alert_table, ARRAY_LEN(alert_table), alert), session,
                      "see the peer's logs for the reason");
}

const char *schan_status_name(uint32_t status)
{
#define STATUS(name) { SCHAN_##name, #name }
    static const struct { uint32_t status; const char *name; } names[] = {
        STATUS(SEC_E_ALGORITHM_MISMATCH),
        STATUS(SEC_E_APPLICATION_PROTOCOL_MISMATCH),
        STATUS(SEC_E_DECRYPT_FAILURE),
        STATUS(SEC_E_ILLEGAL_MESSAGE),
        STATUS(SEC_E_CERT_UNKNOWN),
        STATUS(SEC_E_CERT_EXPIRED),
        STATUS(SEC_E_UNTRUSTED_ROOT),
        STATUS(SEC_E_WRONG_PRINCIPAL),
        STATUS(SEC_E_NO_CREDENTIALS),
        STATUS(SEC_E_UNKNOWN_CREDENTIALS),
        STATUS(SEC_E_INSUFFICIENT_MEMORY),
        STATUS(SEC_E_CONTEXT_EXPIRED),
        STATUS(SEC_E_INVALID_TOKEN),
        STATUS(SEC_E_INTERNAL_ERROR),
        STATUS(SEC_E_ENCRYPT_FAILURE),
        STATUS(SEC_E_BUFFER_TOO_SMALL),
        STATUS(SEC_E_INVALID_PARAMETER),
        STATUS(SEC_I_CONTEXT_EXPIRED),
        STATUS(CRYPT_E_REVOKED),
    };
#undef STATUS

    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (names[i].status == status)
            return names[i].name;
    return "error";
}
