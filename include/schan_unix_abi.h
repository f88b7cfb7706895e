/*
 * The call ABI between the PE half (secur32.dll, MinGW) and the Unix half
 * (secur32.so, GnuTLS) of the Schannel package.
 *
 * Both halves include this header, and schan_abi_layout.h which checks its
 * layouts, and nothing else in common.  Every parameter struct uses
 * fixed-width types only: pointers travel as uint64_t and sizes are
 * explicit, so one Unix half serves a 64-bit and a 32-bit PE half alike.
 * The PE half calls
 *     dispatcher(unix_handle, SCHAN_CALL_xxx, &params)
 * and the Unix half answers through __wine_unix_call_funcs[SCHAN_CALL_xxx].
 * The NTSTATUS a call returns only says whether the call itself worked
 * (0 = yes, else a STATUS_ value such as STATUS_INVALID_PARAMETER); the TLS
 * outcome is in the params' `status` field as a Windows SECURITY_STATUS.
 *
 * Bump SCHAN_UNIX_ABI_VERSION on any incompatible change; the PE half refuses
 * a Unix half whose version differs.
 */
#ifndef SCHAN_UNIX_ABI_H
#define SCHAN_UNIX_ABI_H

#include <stdint.h>

#define SCHAN_UNIX_ABI_VERSION 4

/* NTSTATUS values a call may return. */
#define SCHAN_STATUS_SUCCESS            0x00000000u
#define SCHAN_STATUS_INVALID_PARAMETER  0xC000000Du
#define SCHAN_STATUS_NO_MEMORY          0xC0000017u
#define SCHAN_STATUS_NOT_IMPLEMENTED    0xC0000002u

/* SECURITY_STATUS values the Unix half reports in `status` fields.  They are
 * Windows' own numbers; the PE half checks each against winerror.h
 * (dlls/secur32/pe/abi_checks.c, as the NTSTATUS and SCHAN_PROT_ values). */
#define SCHAN_SEC_E_OK                      0x00000000u
#define SCHAN_SEC_I_CONTINUE_NEEDED         0x00090312u
#define SCHAN_SEC_I_CONTEXT_EXPIRED         0x00090317u
#define SCHAN_SEC_I_INCOMPLETE_CREDENTIALS  0x00090320u
#define SCHAN_SEC_I_RENEGOTIATE             0x00090321u
#define SCHAN_SEC_I_MESSAGE_FRAGMENT        0x00090364u
#define SCHAN_SEC_E_INSUFFICIENT_MEMORY     0x80090300u
#define SCHAN_SEC_E_INVALID_HANDLE          0x80090301u
#define SCHAN_SEC_E_UNSUPPORTED_FUNCTION    0x80090302u
#define SCHAN_SEC_E_INTERNAL_ERROR          0x80090304u
#define SCHAN_SEC_E_INVALID_TOKEN           0x80090308u
#define SCHAN_SEC_E_UNKNOWN_CREDENTIALS     0x8009030Du
#define SCHAN_SEC_E_NO_CREDENTIALS          0x8009030Eu
#define SCHAN_SEC_E_MESSAGE_ALTERED         0x8009030Fu
#define SCHAN_SEC_E_OUT_OF_SEQUENCE         0x80090310u
#define SCHAN_SEC_E_CONTEXT_EXPIRED         0x80090317u
#define SCHAN_SEC_E_INCOMPLETE_MESSAGE      0x80090318u
#define SCHAN_SEC_E_BUFFER_TOO_SMALL        0x80090321u
#define SCHAN_SEC_E_WRONG_PRINCIPAL         0x80090322u
#define SCHAN_SEC_E_UNTRUSTED_ROOT          0x80090325u
#define SCHAN_SEC_E_ILLEGAL_MESSAGE         0x80090326u
#define SCHAN_SEC_E_CERT_UNKNOWN            0x80090327u
#define SCHAN_SEC_E_CERT_EXPIRED            0x80090328u
#define SCHAN_SEC_E_ENCRYPT_FAILURE         0x80090329u
#define SCHAN_SEC_E_DECRYPT_FAILURE         0x80090330u
#define SCHAN_SEC_E_ALGORITHM_MISMATCH      0x80090331u
#define SCHAN_SEC_E_INVALID_PARAMETER       0x8009035Du
#define SCHAN_SEC_E_APPLICATION_PROTOCOL_MISMATCH 0x80090367u
#define SCHAN_CRYPT_E_REVOKED               0x80092010u

/* Protocols, as Windows' SP_PROT_*_CLIENT bits (the PE half folds the server
 * bits onto these). */
#define SCHAN_PROT_TLS1_0   0x00000080u
#define SCHAN_PROT_TLS1_1   0x00000200u
#define SCHAN_PROT_TLS1_2   0x00000800u
#define SCHAN_PROT_TLS1_3   0x00002000u
#define SCHAN_PROT_TLS_ALL  (SCHAN_PROT_TLS1_0 | SCHAN_PROT_TLS1_1 | \
                             SCHAN_PROT_TLS1_2 | SCHAN_PROT_TLS1_3)
/* DTLS: a credential may hold both; SCHAN_SESSION_DATAGRAM picks DTLS. */
#define SCHAN_PROT_DTLS1_0  0x00020000u
#define SCHAN_PROT_DTLS1_2  0x00080000u
#define SCHAN_PROT_DTLS_ALL (SCHAN_PROT_DTLS1_0 | SCHAN_PROT_DTLS1_2)

/* Bulk ciphers, MACs and key exchanges: the Unix half's vocabulary for the
 * negotiated suite and for algorithm restrictions.  The PE half maps them to
 * ALG_IDs and CNG names. */
enum schan_cipher {
    SCHAN_CIPHER_NULL = 0,
    SCHAN_CIPHER_AES_128_GCM,
    SCHAN_CIPHER_AES_256_GCM,
    SCHAN_CIPHER_CHACHA20_POLY1305,
    SCHAN_CIPHER_AES_128_CCM,
    SCHAN_CIPHER_AES_256_CCM,
    SCHAN_CIPHER_AES_128_CBC,
    SCHAN_CIPHER_AES_256_CBC,
    SCHAN_CIPHER_3DES_CBC,
    SCHAN_CIPHER_RC4_128,
    SCHAN_CIPHER_UNKNOWN
};
enum schan_mac {
    SCHAN_MAC_NONE = 0,   /* AEAD suites carry no separate MAC */
    SCHAN_MAC_MD5,
    SCHAN_MAC_SHA1,
    SCHAN_MAC_SHA256,
    SCHAN_MAC_SHA384,
    SCHAN_MAC_UNKNOWN
};
enum schan_kx {
    SCHAN_KX_NONE = 0,    /* TLS 1.3: the group says it all */
    SCHAN_KX_RSA,
    SCHAN_KX_DHE,
    SCHAN_KX_ECDHE,
    SCHAN_KX_UNKNOWN
};
/* Bits of schan_cred_create_params.disabled_algs. */
#define SCHAN_DISABLE_CIPHER(c)   (1u << (c))          /* enum schan_cipher, < 16 */
#define SCHAN_DISABLE_MAC(m)      (1u << (16 + (m)))   /* enum schan_mac, < 8 */
#define SCHAN_DISABLE_KX(k)       (1u << (24 + (k)))   /* enum schan_kx, < 8 */

/* A byte string in the caller's memory. */
struct schan_blob {
    uint64_t data;
    uint32_t size;
    uint32_t reserved;
};

/* A private key in raw form; all integers big-endian, no leading sign byte
 * needed.  RSA: parts = modulus, public exponent, private exponent, prime1,
 * prime2.  ECC: parts = x, y, private scalar d (curve in `curve`). */
enum schan_key_type { SCHAN_KEY_NONE = 0, SCHAN_KEY_RSA, SCHAN_KEY_ECC };
enum schan_curve { SCHAN_CURVE_NONE = 0, SCHAN_CURVE_P256, SCHAN_CURVE_P384, SCHAN_CURVE_P521 };
struct schan_private_key {
    uint32_t type;      /* enum schan_key_type */
    uint32_t curve;     /* enum schan_curve, ECC only */
    struct schan_blob parts[5];
};

/* schan_cred_create_params.flags */
#define SCHAN_CRED_DISABLE_RECONNECTS  0x0001u  /* no session cache, no tickets */
#define SCHAN_CRED_STRONG_CRYPTO       0x0002u  /* no RC4/3DES/MD5/SHA1-only suites */
#define SCHAN_CRED_ALLOW_NULL          0x0004u  /* NULL-cipher suites allowed */
#define SCHAN_CRED_REQUEST_CLIENT_CERT 0x0008u  /* server: ask for a client certificate */

/* schan_session_create_params.flags */
#define SCHAN_SESSION_REQUEST_CLIENT_CERT 0x0001u /* server: ask for a certificate */
/* client without a certificate: when the server asks for one, stop with
 * SEC_I_INCOMPLETE_CREDENTIALS; the next HANDSHAKE call resumes (see there). */
#define SCHAN_SESSION_PAUSE_FOR_CLIENT_CERT 0x0002u
/* ISC/ASC_REQ_DATAGRAM: a DTLS session (the credential needs DTLS versions;
 * without this flag it needs TLS ones, else SEC_E_ALGORITHM_MISMATCH). */
#define SCHAN_SESSION_DATAGRAM          0x0004u

/* schan_control_params.kind */
enum schan_control_kind {
    SCHAN_CONTROL_SHUTDOWN = 1,  /* next handshake call emits close_notify */
    SCHAN_CONTROL_ALERT    = 2,  /* next handshake call emits alert (level, description) */
};

/* The connection state.  The Unix session is its one owner: every call
 * that can change it (HANDSHAKE on TLS and DTLS sessions, DECRYPT, CONTROL)
 * returns it in its params' `state` (a uint32_t), and the PE half keeps
 * that value instead of deriving transitions of its own.  ENCRYPT never
 * changes it.  The states before the handshake completes are numbered below
 * SCHAN_STATE_DONE (schan_abi_layout.h checks it). */
enum schan_state {
    SCHAN_STATE_NEW = 0,          /* no HANDSHAKE call yet (a client's first one sends the ClientHello;
                                     a DTLS server stays here until a ClientHello has a valid cookie) */
    SCHAN_STATE_HANDSHAKE = 1,    /* the first handshake runs */
    SCHAN_STATE_NEED_CREDS = 2,   /* SEC_I_INCOMPLETE_CREDENTIALS: the next HANDSHAKE resumes */
    SCHAN_STATE_DONE = 3,         /* established: records flow */
    SCHAN_STATE_RENEGOTIATE = 4,  /* DECRYPT said SEC_I_RENEGOTIATE: HANDSHAKE answers it */
    SCHAN_STATE_REHANDSHAKE = 5,  /* TLS <= 1.2: the renegotiation that answer started runs */
    SCHAN_STATE_CONTROL = 6,      /* CONTROL queued close_notify or an alert: HANDSHAKE emits it */
    SCHAN_STATE_SHUTDOWN = 7,     /* it went out: nothing more is sent */
    SCHAN_STATE_CLOSED = 8,       /* the peer's close_notify arrived */
    SCHAN_STATE_FAILED = 9,       /* a HANDSHAKE call failed: later ones answer the same */
};

enum schan_call {
    SCHAN_CALL_GET_INFO = 0,
    SCHAN_CALL_CRED_CREATE,
    SCHAN_CALL_CRED_FREE,
    SCHAN_CALL_SESSION_CREATE,
    SCHAN_CALL_SESSION_FREE,
    SCHAN_CALL_HANDSHAKE,
    SCHAN_CALL_TAKE_OUTPUT,
    SCHAN_CALL_ENCRYPT,
    SCHAN_CALL_DECRYPT,
    SCHAN_CALL_GET_CONNECTION_INFO,
    SCHAN_CALL_GET_PEER_CERTS,
    SCHAN_CALL_GET_CHANNEL_BINDING,
    SCHAN_CALL_EXPORT_KEYING_MATERIAL,
    SCHAN_CALL_CONTROL,
    SCHAN_CALL_GET_ISSUERS,
    SCHAN_CALL_DTLS_MTU,
    SCHAN_CALL_GET_SRTP,
    SCHAN_CALL_VERIFY_SIGNATURE,
    SCHAN_CALL_COUNT
};

/* SCHAN_CALL_GET_INFO: library facts, no state. */
struct schan_get_info_params {
    uint32_t abi_version;          /* out: SCHAN_UNIX_ABI_VERSION */
    uint32_t supported_protocols;  /* out: SCHAN_PROT_* GnuTLS can speak here */
    char gnutls_version[32];       /* out: NUL-terminated, e.g. "3.7.9" */
};

/* SCHAN_CALL_CRED_CREATE: a GnuTLS credential with its priority and cache.
 * The certificate chain and key are copied; the caller's memory may go. */
struct schan_cred_create_params {
    uint32_t is_server;
    uint32_t protocols;        /* SCHAN_PROT_* allowed (already resolved, nonzero) */
    uint32_t flags;            /* SCHAN_CRED_* */
    uint32_t disabled_algs;    /* SCHAN_DISABLE_* bits */
    uint32_t min_cipher_bits;  /* 0 = no limit */
    uint32_t max_cipher_bits;  /* 0 = no limit */
    uint32_t session_lifespan_ms; /* 0 = default (10 h); 0xffffffff = no resumption */
    uint32_t cert_count;       /* 0 = no certificate */
    uint64_t certs;            /* struct schan_blob[cert_count], DER, leaf first */
    struct schan_private_key key;
    uint64_t cred;             /* out: opaque credential */
    uint32_t status;           /* out: SEC_E_OK, SEC_E_UNKNOWN_CREDENTIALS, ... */
    uint32_t reserved;
};

/* SCHAN_CALL_CRED_FREE: the credential goes when its last session does. */
struct schan_cred_free_params {
    uint64_t cred;
};

/* SCHAN_CALL_SESSION_CREATE: one TLS connection, client or server per cred. */
struct schan_session_create_params {
    uint64_t cred;
    uint64_t target;           /* client: NUL-terminated UTF-8 target name, or 0.
                                  Used for SNI (not for IP literals) and as the
                                  session-cache key. */
    uint64_t alpn;             /* ALPN protocol list in TLS wire form, or 0 */
    uint32_t alpn_size;
    uint32_t flags;            /* SCHAN_SESSION_* */
    uint64_t session;          /* out: opaque session */
    uint32_t status;           /* out */
    uint32_t reserved;
    /* DTLS credentials only (ignored otherwise): */
    uint64_t srtp_profiles;    /* uint16_t[srtp_profile_count], IANA SRTP
                                  protection profile ids to offer/accept, or 0 */
    uint32_t srtp_profile_count;
    uint32_t mtu;              /* largest datagram in bytes; 0 = default (1096) */
    uint64_t srtp_mki;         /* our SRTP master key identifier, or 0 */
    uint32_t srtp_mki_size;    /* 1 to 255 bytes */
    uint32_t reserved2;
};

/* SCHAN_CALL_SESSION_FREE */
struct schan_session_free_params {
    uint64_t session;
};

/* SCHAN_CALL_HANDSHAKE: feed peer bytes, run the handshake as far as it goes.
 * Only whole TLS records are consumed.  When no whole record is present and
 * more input is needed, status is SEC_E_INCOMPLETE_MESSAGE, consumed is 0
 * and missing says how many more bytes the next record needs (5 for an empty
 * input, 1 for 4 header bytes, else the rest of the record).
 * Output bytes (the next flight, or an alert after a failure) are copied to
 * `output` when they fit in output_size; otherwise output_len says how many
 * are pending and SCHAN_CALL_TAKE_OUTPUT fetches them.
 * status: SEC_I_CONTINUE_NEEDED, SEC_E_OK (done), SEC_E_INCOMPLETE_MESSAGE,
 * SEC_I_INCOMPLETE_CREDENTIALS, or an error code.  After SEC_E_OK, input
 * bytes past `consumed` are application data for DECRYPT.
 * Also used after SEC_I_RENEGOTIATE (to process the pending post-handshake
 * message and answer it) and after SCHAN_CALL_CONTROL (to emit the alert).
 * After SEC_I_INCOMPLETE_CREDENTIALS (all input was taken), the next call
 * resumes: with client_cred set, that credential's certificate is sent,
 * else none.  Its input may repeat the bytes of the pausing call (curl does)
 * or be empty (.NET, Qt): both continue where the handshake stopped. */
struct schan_handshake_params {
    uint64_t session;
    uint64_t input;
    uint32_t input_size;
    uint32_t output_size;      /* capacity of output */
    uint64_t output;
    uint32_t status;           /* out */
    uint32_t consumed;         /* out: input bytes used */
    uint32_t missing;          /* out: for SEC_E_INCOMPLETE_MESSAGE */
    uint32_t output_len;       /* out: bytes of output produced */
    uint32_t output_copied;    /* out: 1 when copied to `output`, 0 when pending */
    uint32_t output_is_alert;  /* out: 1 when the output is an alert record */
    uint32_t state;            /* out: enum schan_state after the call */
    uint32_t info_filled;      /* out: 1 when `info` was filled (see there) */
    uint64_t client_cred;      /* in: see above; 0 = none */
    uint64_t info;             /* in: struct schan_connection_info *, or 0.  The call
                                  that ends a handshake (the state becomes DONE) fills
                                  it as GET_CONNECTION_INFO without flags would, so the
                                  last flight is one crossing too */
};

/* SCHAN_CALL_TAKE_OUTPUT: fetch pending handshake output (all of it). */
struct schan_take_output_params {
    uint64_t session;
    uint64_t output;
    uint32_t output_size;      /* in: capacity; must be >= the pending length */
    uint32_t output_len;       /* out */
};

/* SCHAN_CALL_ENCRYPT: one record, in place.  The record is written as
 * header (exactly header_size bytes) || data (data_size bytes, overwritten
 * with ciphertext) || trailer (trailer_used bytes).  data_size must not
 * exceed max_message.  status: SEC_E_OK, SEC_E_CONTEXT_EXPIRED (no
 * established session), SEC_E_BUFFER_TOO_SMALL, SEC_E_ENCRYPT_FAILURE... */
struct schan_encrypt_params {
    uint64_t session;
    uint64_t header;
    uint64_t data;
    uint64_t trailer;
    uint32_t header_size;
    uint32_t data_size;
    uint32_t trailer_size;     /* in: capacity */
    uint32_t trailer_used;     /* out */
    uint32_t status;           /* out */
    uint32_t reserved;
};

/* SCHAN_CALL_DECRYPT: one record, in place.  The plaintext ends up at
 * buffer + data_offset (data_len bytes, possibly 0); the record occupies
 * `consumed` bytes; bytes after it are the caller's EXTRA.
 * status: SEC_E_OK, SEC_E_INCOMPLETE_MESSAGE (missing set, nothing changed),
 * SEC_I_RENEGOTIATE (a post-handshake message arrived; call HANDSHAKE next),
 * SEC_I_CONTEXT_EXPIRED (close_notify), SEC_E_DECRYPT_FAILURE, ... */
struct schan_decrypt_params {
    uint64_t session;
    uint64_t buffer;
    uint32_t size;
    uint32_t status;           /* out */
    uint32_t data_offset;      /* out */
    uint32_t data_len;         /* out */
    uint32_t consumed;         /* out */
    uint32_t missing;          /* out */
    uint32_t state;            /* out: enum schan_state after the call */
    uint32_t reserved;
};

/* SCHAN_CALL_GET_CONNECTION_INFO: what was negotiated. */
struct schan_connection_info {
    uint32_t protocol;         /* SCHAN_PROT_* (one bit) */
    uint32_t cipher;           /* enum schan_cipher */
    uint32_t cipher_bits;
    uint32_t cipher_block_size;/* 1 for stream/AEAD */
    uint32_t mac;              /* enum schan_mac */
    uint32_t mac_bits;
    uint32_t prf_hash_bits;    /* PRF / HKDF hash size in bits */
    uint32_t kx;               /* enum schan_kx */
    uint32_t kx_bits;          /* group or DH modulus size */
    uint32_t suite_id;         /* IANA cipher suite number, e.g. 0x1301 */
    uint32_t header_size;      /* SECPKG_ATTR_STREAM_SIZES */
    uint32_t trailer_size;
    uint32_t max_message;
    uint32_t block_size;
    uint32_t resumed;          /* 1 when the session was resumed */
    uint32_t handshake_done;   /* 1 once the handshake is complete */
    uint32_t cert_type;        /* peer/own certificate key: enum schan_key_type */
    uint32_t alpn_len;
    char suite_name[64];       /* RFC name, "TLS_AES_128_GCM_SHA256" */
    char group_name[32];       /* "X25519", "SECP256R1", "" */
    char alpn[256];            /* negotiated ALPN protocol (not NUL-terminated) */
    char server_name[256];     /* server side: SNI the client sent, NUL-terminated */
};
/* GET_CONNECTION_INFO flags: without SCHAN_INFO_KEY_DETAILS, cert_type
 * comes only from the handshake's signature (SCHAN_KEY_NONE after a
 * resumption) and kx_bits is 0 for RSA key exchange: the certificate is not
 * parsed, which keeps the call at the end of every handshake cheap. */
#define SCHAN_INFO_KEY_DETAILS 0x0001u
struct schan_get_connection_info_params {
    uint64_t session;
    uint64_t info;             /* struct schan_connection_info * */
    uint32_t status;           /* out */
    uint32_t flags;            /* SCHAN_INFO_* */
};

/* The two calls that answer with a list of byte strings, GET_PEER_CERTS and
 * GET_ISSUERS, share this parameter struct and one encoding (written by
 * unix/unix_list.c, read by pe/abi_list.c): the `count` strings back to
 * back in `buffer`, each as { uint32_t length (little-endian); bytes }, in
 * `needed` bytes in all.
 *   - An empty list is status SEC_E_OK, count 0, needed 0: nothing to write,
 *     whatever buffer and size say.
 *   - When size < needed (buffer 0 to ask), status is SEC_E_BUFFER_TOO_SMALL,
 *     nothing is written, and needed and count say what a call with that
 *     much room gets.
 *   - Otherwise status is SEC_E_OK and the list is written.
 * (SEC_E_INTERNAL_ERROR, count 0 and needed 0 if it would exceed 4 GiB.) */
struct schan_get_peer_certs_params {
    uint64_t session;
    uint64_t buffer;
    uint32_t size;
    uint32_t needed;           /* out */
    uint32_t count;            /* out */
    uint32_t status;           /* out: SEC_E_OK or SEC_E_BUFFER_TOO_SMALL */
};

/* SCHAN_CALL_GET_PEER_CERTS: the peer's chain as sent (DER), leaf first;
 * empty when the peer sent none (a client that was not asked, or had none)
 * or before the handshake got that far. */

/* SCHAN_CALL_GET_ISSUERS: the certificate authorities (DER Names) listed in
 * the server's CertificateRequest; empty when none were listed or none was
 * asked.  Parameters: struct schan_get_peer_certs_params. */

/* SCHAN_CALL_GET_CHANNEL_BINDING (RFC 5929). */
enum schan_binding_kind { SCHAN_BINDING_UNIQUE = 1, SCHAN_BINDING_ENDPOINT = 2 };
struct schan_get_channel_binding_params {
    uint64_t session;
    uint64_t buffer;
    uint32_t kind;             /* enum schan_binding_kind */
    uint32_t size;
    uint32_t needed;           /* out */
    uint32_t status;           /* out */
};

/* SCHAN_CALL_EXPORT_KEYING_MATERIAL (RFC 5705 / RFC 8446 exporter). */
struct schan_export_keying_material_params {
    uint64_t session;
    uint64_t label;            /* not NUL-terminated */
    uint64_t context;          /* 0 = no context */
    uint64_t output;
    uint32_t label_size;
    uint32_t context_size;
    uint32_t output_size;
    uint32_t status;           /* out */
};

/* SCHAN_CALL_CONTROL: ApplyControlToken. */
struct schan_control_params {
    uint64_t session;
    uint32_t kind;             /* enum schan_control_kind */
    uint32_t alert_level;      /* TLS alert level (1 warning, 2 fatal) */
    uint32_t alert_description;/* TLS alert description */
    uint32_t status;           /* out */
    uint32_t state;            /* out: enum schan_state after the call */
    uint32_t reserved;
};

/* DTLS sessions (SCHAN_SESSION_DATAGRAM).
 * SCHAN_CALL_HANDSHAKE then takes one datagram as input (all of it is
 * consumed; there is no MISSING or EXTRA) and hands out one datagram per
 * call.  When more datagrams of the flight follow, status is
 * SEC_I_MESSAGE_FRAGMENT and the next call without input returns the next
 * one; the last one carries the flight's real status.  A call without
 * input when nothing is pending retransmits the last flight (the caller's
 * retransmission timer expired); a server's first datagram is answered
 * with a HelloVerifyRequest (cookie) before any state is kept.
 * ENCRYPT yields one DTLS record (header 13 bytes + explicit nonce) whose
 * data is at most the data MTU; DECRYPT takes the first record of a datagram
 * (the rest is EXTRA), reports SEC_E_OUT_OF_SEQUENCE for a replayed or
 * too old record and SEC_E_DECRYPT_FAILURE for a forged one, neither of
 * which ends the session, and SEC_I_RENEGOTIATE when the peer's repeated
 * final flight needs ours sent again (HANDSHAKE then returns it). */

/* SCHAN_CALL_DTLS_MTU: SECPKG_ATTR_DTLS_MTU, query or set. */
struct schan_dtls_mtu_params {
    uint64_t session;
    uint32_t set;              /* 1: set mtu, 0: query it */
    uint32_t mtu;              /* in (set) or out (query) */
    uint32_t status;           /* out: SEC_E_OK, SEC_E_UNSUPPORTED_FUNCTION (not DTLS),
                                  SEC_E_INVALID_PARAMETER (MTU too small) */
    uint32_t reserved;
};

/* SCHAN_CALL_GET_SRTP: the use_srtp outcome (RFC 5764). */
struct schan_get_srtp_params {
    uint64_t session;
    uint32_t profile;          /* out: IANA SRTP protection profile id, 0 = none */
    uint32_t mki_size;         /* out */
    uint8_t mki[256];          /* out: master key identifier */
    uint32_t status;           /* out: SEC_E_OK, SEC_E_CONTEXT_EXPIRED (no handshake yet) */
    uint32_t reserved;
};

/* SCHAN_CALL_VERIFY_SIGNATURE: whether `issuer`'s public key verifies the
 * signature on `subject` (both DER certificates); nothing else is judged
 * (names, dates, constraints stay crypt32's).  The PE half asks only about
 * a link crypt32 called badly signed: Wine 8's crypt32 rejects valid P-256
 * ECDSA signatures whose r or s is shorter than 32 bytes. */
struct schan_verify_signature_params {
    struct schan_blob subject;
    struct schan_blob issuer;
    uint32_t status;           /* out: SEC_E_OK when the signature verifies,
                                  SEC_E_CERT_UNKNOWN when it does not or cannot be read */
    uint32_t reserved;
};

#endif /* SCHAN_UNIX_ABI_H */
