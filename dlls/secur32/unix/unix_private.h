/*
 * Internal types of the Unix half of the Schannel package (GnuTLS side).
 * Nothing here is seen by the PE half; the ABI is include/schan_unix_abi.h.
 */
#ifndef SCHAN_UNIX_PRIVATE_H
#define SCHAN_UNIX_PRIVATE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "schan_unix_abi.h"

/* Windows' NTSTATUS, as returned by every __wine_unix_call_funcs entry. */
typedef int32_t unix_status;

#define SCHAN_RECORD_HEADER_SIZE 5
#define SCHAN_CONTENT_CHANGE_CIPHER_SPEC 20   /* TLS ContentType */
/* Largest TLSCiphertext.length any TLS version allows (RFC 5246 6.2.3). */
#define SCHAN_RECORD_MAX_BODY    (16384 + 2048)
#define SCHAN_MAX_PLAINTEXT      16384

#define SCHAN_PTR(u64) ((void *)(uintptr_t)(u64))

/* ---- debug output on Wine's channel "schannel" (unix_debug.c) ---- */

enum schan_dbg_class { SCHAN_DBG_FIXME, SCHAN_DBG_ERR, SCHAN_DBG_WARN, SCHAN_DBG_TRACE };  /* Wine's */
int schan_dbg_enabled(enum schan_dbg_class cls);
void schan_dbg_printf(enum schan_dbg_class cls, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void schan_dbg_gnutls_log_init(void);
/* Around every entry from Wine's Unix call dispatcher: only such a thread may
 * call Wine's debug functions (see unix_debug.c). */
void schan_dbg_enter_wine_call(int *saved);
void schan_dbg_leave_wine_call(int saved);
/* "0a 1b ..." of at most buf_size - 1 characters; for headers, never secrets. */
const char *schan_dbg_hex(const void *data, size_t size, char *buf, size_t buf_size);
#define ERR(...)   schan_dbg_printf(SCHAN_DBG_ERR, __func__, __VA_ARGS__)
#define WARN(...)  schan_dbg_printf(SCHAN_DBG_WARN, __func__, __VA_ARGS__)
#define TRACE_ON() schan_dbg_enabled(SCHAN_DBG_TRACE)
#define TRACE(...) do { if (TRACE_ON()) schan_dbg_printf(SCHAN_DBG_TRACE, __func__, __VA_ARGS__); } while (0)

/* ---- NSS key log for SSLKEYLOGFILE (unix_keylog.c) ---- */

/* Makes the session's secrets go to $SSLKEYLOGFILE when that is set, and
 * nowhere otherwise (it also keeps GnuTLS's own writer from running). */
void schan_keylog_attach(gnutls_session_t s);

/* ---- credentials (unix_cred.c) ---- */

struct schan_cache_entry {
    struct schan_cache_entry *next;
    char *target;
    gnutls_datum_t data;
    time_t expires;
};

struct schan_cred {
    gnutls_certificate_credentials_t certs;
    gnutls_priority_t priority;      /* TLS sessions: the TLS versions only */
    gnutls_priority_t dtls_priority; /* DTLS sessions: the DTLS versions only */
    gnutls_datum_t ticket_key;      /* server, when resumption is allowed */
    /* Client certificate, handed out by the retrieve callback so it is sent
     * whatever CA names the server lists (as Windows does). */
    gnutls_pcert_st *client_pcerts;
    unsigned int client_pcert_count;
    gnutls_privkey_t client_key;
    int is_server;
    uint32_t protocols;             /* SCHAN_PROT_* allowed, for diagnostics */
    int has_cert;
    int resumable;
    uint32_t flags;
    time_t lifespan_s;
    pthread_mutex_t lock;           /* guards refs and cache */
    unsigned int refs;
    struct schan_cache_entry *cache;
};

void schan_cred_addref(struct schan_cred *cred);
void schan_cred_release(struct schan_cred *cred);
/* Session cache (client): a copy of the stored blob, or {NULL,0}. */
int schan_cache_lookup(struct schan_cred *cred, const char *target, gnutls_datum_t *data);
void schan_cache_store(struct schan_cred *cred, const char *target, const gnutls_datum_t *data);

/* ---- server session cache, resumption by session ID (unix_session_cache.c) ---- */

void schan_server_cache_attach(gnutls_session_t s, struct schan_cred *cred);
void schan_server_cache_forget(const struct schan_cred *cred);
unsigned int schan_server_cache_size(void);
void schan_server_cache_set_limit(unsigned int limit);   /* tests; 0 = the default */

/* ---- memory transport (unix_transport.c) ---- */

struct schan_recv_source {
    const uint8_t *data;
    size_t size;
    size_t pos;
};

/* Growable buffer for handshake flights, alerts and post-handshake replies. */
struct schan_output {
    uint8_t *data;
    size_t len;
    size_t cap;
    int failed;                     /* allocation failed while pushing */
};

/* ENCRYPT's destination: header, then data, then trailer. */
struct schan_scatter {
    uint8_t *seg[3];
    size_t cap[3];
    size_t used[3];
    int overflow;
};

struct schan_send_sink {
    struct schan_output out;
    struct schan_scatter *scatter;  /* non-NULL only inside ENCRYPT */
};

enum schan_frame_result { SCHAN_FRAME_WHOLE, SCHAN_FRAME_PARTIAL, SCHAN_FRAME_INVALID };

/* Looks at the first record in data: WHOLE (record_len = header + body),
 * PARTIAL (missing = bytes still needed) or INVALID (impossible header). */
enum schan_frame_result schan_frame_record(const uint8_t *data, size_t size,
                                           size_t *record_len, uint32_t *missing);
/* The same for a server's first record, which may be an SSL 2.0 ClientHello. */
enum schan_frame_result schan_frame_v2_hello(const uint8_t *data, size_t size,
                                             size_t *record_len, uint32_t *missing);
void schan_transport_attach(gnutls_session_t s, struct schan_recv_source *recv,
                            struct schan_send_sink *send);
void schan_recv_set(struct schan_recv_source *recv, const uint8_t *data, size_t size);
ssize_t schan_push_to_memory(gnutls_transport_ptr_t ptr, const void *buf, size_t len);
void schan_output_reset(struct schan_output *out);
void schan_output_free(struct schan_output *out);

/* ---- sessions (unix_handshake.c) ---- */

struct schan_session {
    gnutls_session_t s;
    struct schan_cred *cred;
    char *target;                   /* client: cache key, or NULL */
    struct schan_recv_source recv;
    struct schan_send_sink send;
    int is_server;
    /* enum schan_state: the connection state, which the PE half only
     * mirrors (each call that changes it returns it).  Two facts it cannot
     * hold stay beside it, because a shutdown may be queued (CONTROL) and
     * sent (SHUTDOWN) before or after the handshake completed and after the
     * peer closed: whether the session has its keys, and whether the
     * peer's close_notify came. */
    uint32_t state;
    int done;                       /* the (last) handshake completed: records have keys */
    int peer_closed;                /* close_notify received */
    int record_read;                /* a handshake record was fed to GnuTLS */
    uint32_t failure;               /* SEC_E_ the session failed with (handshake or record), else 0 */
    /* what the answer to SEC_I_RENEGOTIATE does, noted while decrypting */
    int post_hs_message;            /* hook saw a handshake message */
    int key_update_requested;
    int rehandshake_requested;      /* TLS <= 1.2: HelloRequest (client) or ClientHello (server) */
    int ticket_received;
    /* SCHAN_STATE_CONTROL: what to emit (SCHAN_CONTROL_SHUTDOWN or _ALERT) */
    uint32_t control_kind;
    uint8_t alert_level;
    uint8_t alert_description;
    uint32_t peer_protocols;        /* server: SCHAN_PROT_* the ClientHello offered */
    /* record limits and the alert owed after a record error (unix_record_guard.c) */
    unsigned int empty_records_in_row;
    unsigned int warnings_in_row;
    int owed_alert;
    uint8_t owed_alert_description;
    struct schan_certreq *certreq;  /* client: certificate requests (unix_certreq.c) */
    /* record sizes, fixed from the end of each handshake (unix_record.c) */
    size_t max_plaintext;
    size_t record_overhead;
    unsigned int explicit_nonce;
    struct schan_dtls *dtls;        /* DTLS sessions only (unix_dtls.c) */
};

/* unix_errors.c: the status and advice for each GnuTLS error and TLS alert. */
uint32_t schan_map_error(gnutls_session_t s, int err);
/* shared with unix_dtls.c */
uint32_t handshake_failed(struct schan_session *session, int err, struct schan_handshake_params *p);
uint32_t handshake_completed(struct schan_session *session);
int warning_to_skip(gnutls_session_t s, int ret);
uint32_t emit_control(struct schan_session *session, struct schan_handshake_params *p);
/* DECRYPT saw a post-handshake message (SCHAN_STATE_RENEGOTIATE) or the
 * peer's close_notify (SCHAN_STATE_CLOSED); a queued CONTROL stays. */
void schan_state_after_record(struct schan_session *session, uint32_t state);
void deliver_output(struct schan_session *session, struct schan_handshake_params *p);

/* ---- DTLS (unix_dtls.c) ---- */

unsigned int schan_dtls_init_flags(const struct schan_session_create_params *p);
uint32_t schan_dtls_session_init(struct schan_session *session, const struct schan_session_create_params *p);
void schan_dtls_session_free(struct schan_session *session);
void schan_dtls_handshake(struct schan_session *session, struct schan_handshake_params *p);
uint32_t schan_dtls_decrypt(struct schan_session *session, struct schan_decrypt_params *p);
void schan_dtls_sizes(struct schan_session *session, struct schan_connection_info *info);
size_t schan_dtls_max_message(struct schan_session *session);
/* DTLS sessions: ENCRYPT and DECRYPT take turns (no-ops for TLS). */
void schan_dtls_lock(struct schan_session *session);
void schan_dtls_unlock(struct schan_session *session);
uint32_t schan_map_alert(int description);
const char *schan_error_advice(const struct schan_session *session, int err);
const char *schan_alert_advice(const struct schan_session *session, int alert);
const char *schan_status_name(uint32_t status);

/* ---- limits kept across DECRYPT calls, alert owed after a record error (unix_record_guard.c) ---- */

void schan_guard_progress(struct schan_session *session);
/* A record (warning: a warning alert) gave nothing: 0, or the GnuTLS error past a limit. */
int schan_guard_nothing_received(struct schan_session *session, int warning);
/* A fatal record error: the session fails with status and owes the peer the alert for err. */
void schan_guard_record_failed(struct schan_session *session, int err, uint32_t status);
int schan_guard_send_owed_alert(struct schan_session *session);
int schan_guard_frame_error(const uint8_t *data, size_t size);
/* ---- a stack of our own on the caller's thread (unix_coroutine.c) ---- */

struct schan_coroutine;
/* A coroutine that will run fn(arg); NULL when out of memory. */
struct schan_coroutine *schan_coroutine_create(void (*fn)(void *), void *arg);
/* Runs it until fn returns (0) or calls schan_coroutine_pause (1). */
int schan_coroutine_run(struct schan_coroutine *co);
/* From inside fn: back to schan_coroutine_run's caller until the next run. */
void schan_coroutine_pause(void);
int schan_coroutine_inside(const struct schan_coroutine *co);
/* Also for a paused one: its frames are dropped, never resumed. */
void schan_coroutine_free(struct schan_coroutine *co);

/* ---- client certificate requests and SEC_I_INCOMPLETE_CREDENTIALS (unix_certreq.c) ---- */

#define SCHAN_HANDSHAKE_PAUSED 1     /* schan_certreq_handshake: waiting for the caller */
int schan_certreq_init(struct schan_session *session, uint32_t session_flags);
void schan_certreq_free(struct schan_session *session);
int schan_certreq_handshake(struct schan_session *session);
int schan_certreq_retrieve(gnutls_session_t s, const gnutls_datum_t *req_ca_dn, int nreqs,
                           gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey);
void schan_certreq_use_cred(struct schan_session *session, uint64_t client_cred);
uint32_t schan_certreq_hold(struct schan_session *session, const uint8_t *in, size_t size, size_t pos,
                            struct schan_handshake_params *p);
uint8_t *schan_certreq_resume(struct schan_session *session, const struct schan_handshake_params *p,
                              size_t *len, size_t *held, size_t *skip);

/* ---- diagnostics (unix_diag.c) ---- */

const char *schan_prot_names(uint32_t protocols, char *buf, size_t size);
void schan_diag_handshake_message(struct schan_session *session, unsigned int htype, unsigned int when,
                                  unsigned int incoming, const gnutls_datum_t *msg);
void schan_diag_negotiated(struct schan_session *session);
/* sent_alert: the alert description sent in reply, or -1. */
void schan_diag_handshake_failed(struct schan_session *session, int err, uint32_t status, int sent_alert);
void schan_diag_not_tls(struct schan_session *session, const uint8_t *data, size_t size);
void schan_diag_record_failed(struct schan_session *session, int err, uint32_t status);
void schan_diag_warning_alert(struct schan_session *session);

/* unix_list.c: answers a list call (GET_PEER_CERTS, GET_ISSUERS) with
 * these byte strings, in the ABI's list encoding; sets count, needed and
 * status.  items may be NULL when count is 0. */
void schan_list_put(struct schan_get_peer_certs_params *p, const gnutls_datum_t *items, unsigned int count);
/* The whole of a list call: its params' session (else
 * STATUS_INVALID_PARAMETER), whose strings items() returns (NULL or a
 * count of 0 for none), answered with schan_list_put. */
unix_status schan_list_call(void *args, const gnutls_datum_t *(*items)(struct schan_session *, unsigned int *));

/* ---- function table entries ---- */

unix_status schan_get_info(void *args);
unix_status schan_cred_create(void *args);
unix_status schan_cred_free(void *args);
unix_status schan_session_create(void *args);
unix_status schan_session_free(void *args);
unix_status schan_handshake(void *args);
unix_status schan_take_output(void *args);
unix_status schan_control(void *args);
unix_status schan_get_issuers(void *args);
unix_status schan_encrypt(void *args);
unix_status schan_decrypt(void *args);
unix_status schan_get_connection_info(void *args);
unix_status schan_get_peer_certs(void *args);
unix_status schan_get_channel_binding(void *args);
unix_status schan_export_keying_material(void *args);
unix_status schan_dtls_mtu(void *args);
unix_status schan_get_srtp(void *args);
unix_status schan_verify_signature(void *args);

int schan_global_init(void);
/* unix_info.c: GET_CONNECTION_INFO's answer (SCHAN_INFO_* flags), also for
 * the HANDSHAKE call that ends a handshake. */
uint32_t schan_fill_connection_info(struct schan_session *session, uint32_t flags,
                                    struct schan_connection_info *info);
/* unix_record_sizes.c: caches the record sizes ENCRYPT and DECRYPT need,
 * once per handshake, so no record asks GnuTLS again. */
void schan_record_sizes_update(struct schan_session *session);
/* Explicit nonce/IV bytes between the record header and the ciphertext
 * (also read by unix_dtls.c for a datagram's record). */
unsigned int schan_explicit_nonce_size(gnutls_session_t s);

#endif /* SCHAN_UNIX_PRIVATE_H */
