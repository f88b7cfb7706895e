/* Helpers for conformance tests that run TLS through SSPI: certificates,
 * credentials, and a client and a server driven in one process. */
#ifndef TLSUTIL_H
#define TLSUTIL_H

#include "testutil.h"

/* A certificate with its private key, imported from tests/certs/NAME.pfx of
 * the build tree (made by tests/make-certs.sh). NULL if unavailable. */
PCCERT_CONTEXT load_pfx(const char *name);
/* The DER of tests/certs/NAME.pem as a certificate context. */
PCCERT_CONTEXT load_pem_cert(const char *name);

/* Credentials: v5 = TRUE uses SCH_CREDENTIALS (disabled = grbitDisabledProtocols),
 * else SCHANNEL_CRED (protocols = grbitEnabledProtocols). */
SECURITY_STATUS acquire_cred(CredHandle *cred, ULONG use, PCCERT_CONTEXT cert, BOOL v5, DWORD protocols,
                             DWORD flags);

/* The one byte queue of the PE-side tests: it grows as needed, never drops
 * bytes, and aborts (with a message) when memory runs out. */
struct wire {
    BYTE *data;
    ULONG len, cap;
};
void wire_push(struct wire *w, const void *data, ULONG len);
/* Room for `want` more bytes after the queued ones (to recv() into): the
 * caller adds to `len` what it wrote there. */
BYTE *wire_space(struct wire *w, ULONG want);
/* Drops the first `len` bytes (all of them when len is larger). */
void wire_consume(struct wire *w, ULONG len);
void wire_free(struct wire *w);

#define CLIENT_REQ (ISC_REQ_SEQUENCE_DETECT | ISC_REQ_REPLAY_DETECT | ISC_REQ_CONFIDENTIALITY | \
                    ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_STREAM | ISC_REQ_USE_SUPPLIED_CREDS)
#define SERVER_REQ (ASC_REQ_SEQUENCE_DETECT | ASC_REQ_REPLAY_DETECT | ASC_REQ_CONFIDENTIALITY | \
                    ASC_REQ_ALLOCATE_MEMORY | ASC_REQ_STREAM)

/* One InitializeSecurityContextW (client) or AcceptSecurityContext (server)
 * call, the step every SSPI driver of the tests shares: the in-memory pairs
 * (run_handshake, robustutil.h) and the socket peers (tls_peer). */
struct tls_call {
    CredHandle *cred;
    CtxtHandle *ctx;
    BOOL *have_ctx;              /* FALSE: this call creates *ctx (set TRUE when it did) */
    BOOL server;
    const WCHAR *target;         /* the client's target name */
    ULONG req;                   /* ISC_REQ_* or ASC_REQ_* */
    const BYTE *alpn;            /* SEC_APPLICATION_PROTOCOLS for the first call, or NULL */
    ULONG alpn_size;
    BYTE *token_space, *alert_space;  /* the caller's output buffers, or NULL for ALLOCATE_MEMORY */
    ULONG token_size, alert_size;
    void (*sink)(void *user, const BYTE *data, ULONG len);  /* gets the TOKEN, then the ALERT bytes */
    void *user;
    ULONG attrs;                 /* out: the context attributes of this call */
    ULONG used;                  /* out: input bytes consumed (all but EXTRA); 0 for the client's
                                  * first call and for SEC_E_INCOMPLETE_MESSAGE */
};
/* Makes the call on `in_len` bytes at `in`; hands its output to the sink
 * (not after SEC_E_INCOMPLETE_MESSAGE) and frees what the package allocated. */
SECURITY_STATUS tls_call_once(struct tls_call *c, const BYTE *in, ULONG in_len);
/* A sink that appends to the struct wire `wire`. */
void tls_sink_wire(void *wire, const BYTE *data, ULONG len);

struct tls_pair {
    CredHandle ccred, scred;
    CtxtHandle cctx, sctx;
    BOOL have_cctx, have_sctx;
    const WCHAR *target;
    ULONG creq, sreq;
    const BYTE *alpn;            /* SEC_APPLICATION_PROTOCOLS blob for both sides, or NULL */
    ULONG alpn_size;
    ULONG split;                 /* deliver at most this many bytes per call (0 = all) */
    BOOL caller_buffers;         /* output into the caller's buffers (no ALLOCATE_MEMORY) */
    SECURITY_STATUS cstatus, sstatus;  /* last results */
    ULONG cattrs, sattrs;
    int calls;                   /* ISC+ASC calls made */
    int incomplete;              /* SEC_E_INCOMPLETE_MESSAGE results seen */
    struct wire pending;         /* bytes left for DecryptMessage after the handshake */
};

/* Credentials for both sides (client: manual validation unless cflags says
 * otherwise); the handshake is left to run_handshake. */
BOOL pair_setup(struct tls_pair *p, PCCERT_CONTEXT server_cert, BOOL v5, DWORD cproto, DWORD sproto, DWORD cflags);
/* pair_setup with SCH_CRED_MANUAL_CRED_VALIDATION, then run_handshake. */
BOOL pair_connect(struct tls_pair *p, PCCERT_CONTEXT server_cert, BOOL v5, DWORD cproto, DWORD sproto);
/* Deletes both contexts and frees both credentials. */
void pair_teardown(struct tls_pair *p);

/* Runs both sides to completion; returns FALSE if either failed. */
BOOL run_handshake(struct tls_pair *p);
/* Deletes the contexts that exist and clears their flags. */
void delete_contexts(CtxtHandle *cctx, BOOL *have_cctx, CtxtHandle *sctx, BOOL *have_sctx);
/* Deletes both contexts and drops the pending bytes. */
void free_pair(struct tls_pair *p);

/* Reads what followed the handshake (p->pending: TLS 1.3 tickets) as the
 * client: DecryptMessage says SEC_I_RENEGOTIATE, then ISC with the EXTRA
 * bytes returns SEC_E_OK.  Counts the renegotiations; returns the number
 * of calls that failed (0 when all went well). */
int pair_drain_tickets(struct tls_pair *p, int *renegotiations);

/* EncryptMessage of `len` bytes as one stream record (header, data,
 * trailer), appended to `out`. */
SECURITY_STATUS encrypt_record(CtxtHandle *ctx, const void *data, ULONG len, struct wire *out);

/* Encrypts `len` bytes with one side and decrypts them with the other.
 * Returns the SECURITY_STATUS of the decrypt and copies the plaintext out. */
SECURITY_STATUS send_record(CtxtHandle *from, CtxtHandle *to, const BYTE *data, ULONG len, BYTE *out,
                            ULONG *out_len);

#endif
