/*
 * Client certificates asked for by the server: the retrieve callback, the
 * CA names of the CertificateRequest (GET_ISSUERS), and the pause behind
 * SEC_I_INCOMPLETE_CREDENTIALS.
 *
 * GnuTLS wants the client certificate from inside its retrieve callback,
 * while processing the CertificateRequest, and cannot leave that callback
 * and come back (an error there ends the handshake; TLS 1.3 has already
 * hashed the message).  Windows instead returns to the caller, who picks a
 * certificate and calls again.  So a client session that may have to ask
 * runs gnutls_handshake on a stack of its own (unix_coroutine.c), on the
 * caller's thread: the callback switches back to the HANDSHAKE call, which
 * returns SEC_I_INCOMPLETE_CREDENTIALS, and the next HANDSHAKE call switches
 * into the callback again with the certificate the caller chose.  No thread
 * is ever created, so Wine's per-thread state is there for everything the
 * handshake does, tracing included.
 */
#include <stdlib.h>
#include <string.h>

#include "unix_private.h"

struct schan_certreq {
    int may_pause;
    struct schan_coroutine *co;     /* while a handshake step runs on it, or is paused */
    int result;                     /* gnutls_handshake's result on the coroutine */
    int quit;                       /* the session is being freed: fail the callback */
    /* while paused (SCHAN_STATE_NEED_CREDS): the input of the pausing call, up to its last whole
     * record, and where the records GnuTLS has not seen begin */
    uint8_t *input;
    size_t input_len, held_from;
    struct schan_cred *cert_cred;   /* the caller's choice, or NULL */
    /* the CA names of the last CertificateRequest */
    gnutls_datum_t *issuers;
    unsigned int issuer_count;
};

int schan_certreq_init(struct schan_session *session, uint32_t session_flags)
{
    struct schan_certreq *c;

    if (session->is_server)
        return 0;
    if (!(c = calloc(1, sizeof(*c))))
        return -1;
    c->may_pause = (session_flags & SCHAN_SESSION_PAUSE_FOR_CLIENT_CERT) && !session->cred->has_cert;
    session->certreq = c;
    return 0;
}

static void free_issuers(struct schan_certreq *c)
{
    for (unsigned int i = 0; i < c->issuer_count; i++)
        free(c->issuers[i].data);
    free(c->issuers);
    c->issuers = NULL;
    c->issuer_count = 0;
}

/* A session freed while paused: the callback fails, gnutls_handshake
 * returns, and the coroutine's stack is free again. */
static void abandon_pause(struct schan_certreq *c)
{
    if (!c->co)
        return;
    c->quit = 1;
    schan_coroutine_run(c->co);
    schan_coroutine_free(c->co);
    c->co = NULL;
}

void schan_certreq_free(struct schan_session *session)
{
    struct schan_certreq *c = session->certreq;

    if (!c)
        return;
    abandon_pause(c);
    free_issuers(c);
    free(c->input);
    if (c->cert_cred)
        schan_cred_release(c->cert_cred);
    free(c);
    session->certreq = NULL;
}

/* ---- gnutls_handshake, on the coroutine when it may pause ---- */

static int direct_handshake(gnutls_session_t s)
{
    int ret;

    do
        ret = gnutls_handshake(s);
    while (ret == GNUTLS_E_INTERRUPTED);
    return ret;
}

static void handshake_step(void *arg)
{
    struct schan_session *session = arg;

    session->certreq->result = direct_handshake(session->s);
}

/* gnutls_handshake, on the coroutine when the session may pause: returns
 * its result, or SCHAN_HANDSHAKE_PAUSED when the callback waits for the
 * caller.  The coroutine is only entered with peer bytes to read: without
 * them no CertificateRequest can arrive (the ClientHello goes out directly),
 * except when going on from a pause. */
int schan_certreq_handshake(struct schan_session *session)
{
    struct schan_certreq *c = session->certreq;

    if (!c)
        return direct_handshake(session->s);
    if (!c->co)
    {
        if (!c->may_pause || session->recv.pos >= session->recv.size)
            return direct_handshake(session->s);
        if (!(c->co = schan_coroutine_create(handshake_step, session)))
        {
            c->may_pause = 0;   /* no memory for a stack: go on as with USE_SUPPLIED_CREDS */
            return direct_handshake(session->s);
        }
    }
    if (schan_coroutine_run(c->co))
        return SCHAN_HANDSHAKE_PAUSED;
    schan_coroutine_free(c->co);
    c->co = NULL;
    if (c->result != GNUTLS_E_AGAIN)
        c->may_pause = 0;
    return c->result;
}

/* Inside the retrieve callback, on the coroutine: back to the caller until
 * the next HANDSHAKE call.  Returns -1 when the session is being freed. */
static int pause_for_caller(struct schan_certreq *c)
{
    schan_coroutine_pause();
    return c->quit ? -1 : 0;
}

/* ---- the retrieve callback ---- */

static void keep_issuers(struct schan_certreq *c, const gnutls_datum_t *names, int count)
{
    free_issuers(c);
    if (count <= 0 || !(c->issuers = calloc((size_t)count, sizeof(*c->issuers))))
        return;
    for (int i = 0; i < count; i++)
    {
        if (!(c->issuers[c->issuer_count].data = malloc(names[i].size ? names[i].size : 1)))
            break;
        memcpy(c->issuers[c->issuer_count].data, names[i].data, names[i].size);
        c->issuers[c->issuer_count++].size = names[i].size;
    }
}

/* Windows sends the credential's certificate whatever CA names the server
 * lists; without one it asks the caller first (see above). */
int schan_certreq_retrieve(gnutls_session_t s, const gnutls_datum_t *req_ca_dn, int nreqs,
                           gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
    struct schan_session *session = gnutls_session_get_ptr(s);
    struct schan_certreq *c = session->certreq;
    struct schan_cred *cred = session->cred;

    if (c)
    {
        keep_issuers(c, req_ca_dn, nreqs);
        if (!cred->has_cert && !c->cert_cred && c->may_pause && c->co
            && schan_coroutine_inside(c->co) && pause_for_caller(c) < 0)
            return -1;
        if (c->cert_cred)
            cred = c->cert_cred;
    }
    *pcert = cred->client_pcerts;
    *pcert_length = cred->client_pcert_count;
    *pkey = cred->client_key;
    return 0;
}

/* A renegotiation started with the caller's credential (the client's ISC
 * after SEC_I_RENEGOTIATE passes one): its certificate answers the new
 * handshake's CertificateRequest.  0 keeps the current choice. */
void schan_certreq_use_cred(struct schan_session *session, uint64_t client_cred)
{
    struct schan_certreq *c = session->certreq;

    if (!c || !client_cred || SCHAN_PTR(client_cred) == c->cert_cred)
        return;
    if (c->cert_cred)
        schan_cred_release(c->cert_cred);
    c->cert_cred = SCHAN_PTR(client_cred);
    schan_cred_addref(c->cert_cred);
}

/* ---- pausing and resuming HANDSHAKE calls ---- */

/* The pausing call: GnuTLS stopped inside the record ending at `pos`.  The
 * whole records after it are kept for the resume; a partial record at the
 * end stays with the caller (consumed stops before it). */
uint32_t schan_certreq_hold(struct schan_session *session, const uint8_t *in, size_t size, size_t pos,
                            struct schan_handshake_params *p)
{
    struct schan_certreq *c = session->certreq;
    size_t end = pos, record_len;
    uint32_t missing;

    while (end < size && schan_frame_record(in + end, size - end, &record_len, &missing) == SCHAN_FRAME_WHOLE)
        end += record_len;
    free(c->input);
    if (!(c->input = malloc(end ? end : 1)))
        return SCHAN_SEC_E_INSUFFICIENT_MEMORY;
    memcpy(c->input, in, end);
    c->input_len = end;
    c->held_from = pos;
    session->state = SCHAN_STATE_NEED_CREDS;
    p->consumed = (uint32_t)end;
    p->missing = 0;
    return SCHAN_SEC_I_INCOMPLETE_CREDENTIALS;
}

/* The resuming call: takes the caller's choice and builds the input GnuTLS
 * sees next: the held records, then the caller's bytes, minus a repeat of
 * the pausing call's bytes.  *skip says how many caller bytes that repeat
 * took.  The buffer is the caller's to free. */
uint8_t *schan_certreq_resume(struct schan_session *session, const struct schan_handshake_params *p,
                              size_t *len, size_t *held, size_t *skip)
{
    struct schan_certreq *c = session->certreq;
    const uint8_t *in = SCHAN_PTR(p->input);
    size_t in_len = in ? p->input_size : 0;
    uint8_t *buf;

    session->state = SCHAN_STATE_HANDSHAKE;
    if (p->client_cred && !c->cert_cred)
    {
        c->cert_cred = SCHAN_PTR(p->client_cred);
        schan_cred_addref(c->cert_cred);
    }
    *skip = (in_len >= c->input_len && c->input_len && !memcmp(in, c->input, c->input_len)) ? c->input_len : 0;
    *held = c->input_len - c->held_from;
    *len = *held + in_len - *skip;
    if ((buf = malloc(*len ? *len : 1)))
    {
        memcpy(buf, c->input + c->held_from, *held);
        if (in_len > *skip)
            memcpy(buf + *held, in + *skip, in_len - *skip);
    }
    free(c->input);
    c->input = NULL;
    c->input_len = c->held_from = 0;
    return buf;
}

/* ---- GET_ISSUERS ---- */

static const gnutls_datum_t *listed_issuers(struct schan_session *session, unsigned int *count)
{
    struct schan_certreq *c = session->certreq;

    *count = c ? c->issuer_count : 0;
    return c ? c->issuers : NULL;
}

unix_status schan_get_issuers(void *args)
{
    return schan_list_call(args, listed_issuers);
}
