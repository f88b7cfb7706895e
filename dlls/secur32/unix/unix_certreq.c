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
 * runs gnutls_handshake on a worker thread of its own: the callback blocks
 * that thread, the HANDSHAKE call returns SEC_I_INCOMPLETE_CREDENTIALS, and
 * the next HANDSHAKE call lets the callback return with the certificate the
 * caller chose.  The caller's thread waits whenever the worker runs, so
 * GnuTLS never sees two threads at once.  The worker exists only during the
 * handshake of such a session, blocks all signals (Wine's handlers expect
 * Wine threads) and ends with the handshake.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "unix_private.h"

enum worker_state { WORKER_WAITING, WORKER_RUNNING, WORKER_PAUSED, WORKER_FINISHED };

struct schan_certreq {
    int may_pause;
    /* worker; commands are numbered, and the worker acknowledges each one
     * once it waits again (for input, in the callback, or finished) */
    pthread_t thread;
    int thread_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned int command, acknowledged;
    int quit;
    enum worker_state state;
    int result;
    /* while paused: the input of the pausing call, up to its last whole
     * record, and where the records GnuTLS has not seen begin */
    int paused;
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
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
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

static void stop_worker(struct schan_certreq *c)
{
    if (!c->thread_started)
        return;
    pthread_mutex_lock(&c->lock);
    c->quit = 1;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    c->thread_started = 0;
}

void schan_certreq_free(struct schan_session *session)
{
    struct schan_certreq *c = session->certreq;

    if (!c)
        return;
    stop_worker(c);
    free_issuers(c);
    free(c->input);
    if (c->cert_cred)
        schan_cred_release(c->cert_cred);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
    free(c);
    session->certreq = NULL;
}

/* ---- the worker ---- */

static int direct_handshake(gnutls_session_t s)
{
    int ret;

    do
        ret = gnutls_handshake(s);
    while (ret == GNUTLS_E_INTERRUPTED);
    return ret;
}

/* Called with the lock held: the worker waits again, for whatever reason. */
static void acknowledge(struct schan_certreq *c, enum worker_state state)
{
    c->state = state;
    c->acknowledged = c->command;
    pthread_cond_broadcast(&c->cond);
}

static void *worker_main(void *arg)
{
    struct schan_session *session = arg;
    struct schan_certreq *c = session->certreq;
    int ret;

    pthread_mutex_lock(&c->lock);
    for (;;)
    {
        while (c->command == c->acknowledged && !c->quit)
            pthread_cond_wait(&c->cond, &c->lock);
        if (c->quit)
            break;
        c->state = WORKER_RUNNING;
        pthread_mutex_unlock(&c->lock);
        ret = direct_handshake(session->s);
        pthread_mutex_lock(&c->lock);
        c->result = ret;
        acknowledge(c, ret == GNUTLS_E_AGAIN ? WORKER_WAITING : WORKER_FINISHED);
        if (ret != GNUTLS_E_AGAIN)
            break;
    }
    c->state = WORKER_FINISHED;
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

static int start_worker(struct schan_session *session)
{
    struct schan_certreq *c = session->certreq;
    sigset_t all, old;
    int err;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    err = pthread_create(&c->thread, NULL, worker_main, session);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err)
        return -1;
    c->thread_started = 1;
    return 0;
}

static int on_worker(const struct schan_certreq *c)
{
    return c && c->thread_started && pthread_equal(pthread_self(), c->thread);
}

/* gnutls_handshake, on the worker when the session may pause: returns its
 * result, or SCHAN_HANDSHAKE_PAUSED when the callback waits for the caller. */
int schan_certreq_handshake(struct schan_session *session)
{
    struct schan_certreq *c = session->certreq;
    enum worker_state state;
    int ret;

    if (!c || !c->may_pause || (c->state == WORKER_FINISHED && !c->thread_started))
        return direct_handshake(session->s);
    if (!c->thread_started && (c->state == WORKER_FINISHED || start_worker(session) < 0))
    {
        c->may_pause = 0;
        return direct_handshake(session->s);
    }
    pthread_mutex_lock(&c->lock);
    c->command++;
    pthread_cond_broadcast(&c->cond);
    while (c->acknowledged != c->command)
        pthread_cond_wait(&c->cond, &c->lock);
    state = c->state;
    ret = c->result;
    pthread_mutex_unlock(&c->lock);
    if (state == WORKER_PAUSED)
        return SCHAN_HANDSHAKE_PAUSED;
    if (state == WORKER_FINISHED)
    {
        pthread_join(c->thread, NULL);
        c->thread_started = 0;
        c->may_pause = 0;
    }
    return ret;
}

/* On the worker, inside the retrieve callback: wait for the caller's
 * decision.  Returns -1 when the session is being freed instead. */
static int pause_for_caller(struct schan_certreq *c)
{
    int quit;

    pthread_mutex_lock(&c->lock);
    acknowledge(c, WORKER_PAUSED);
    while (c->command == c->acknowledged && !c->quit)
        pthread_cond_wait(&c->cond, &c->lock);
    c->state = WORKER_RUNNING;
    quit = c->quit;
    pthread_mutex_unlock(&c->lock);
    return quit ? -1 : 0;
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
        if (!cred->has_cert && !c->cert_cred && c->may_pause && on_worker(c) && pause_for_caller(c) < 0)
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

int schan_certreq_is_paused(const struct schan_session *session)
{
    return session->certreq && session->certreq->paused;
}

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
    c->paused = 1;
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

    c->paused = 0;
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

unix_status schan_get_issuers(void *args)
{
    struct schan_get_peer_certs_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);
    struct schan_certreq *c;
    size_t needed = 0;
    uint8_t *out;

    if (!session)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    c = session->certreq;
    p->count = c ? c->issuer_count : 0;
    for (unsigned int i = 0; i < p->count; i++)
        needed += 4 + (size_t)c->issuers[i].size;
    p->needed = (uint32_t)needed;
    p->status = SCHAN_SEC_E_OK;
    if (!needed)
        return (unix_status)SCHAN_STATUS_SUCCESS;
    if (!p->buffer || p->size < needed)
    {
        p->status = SCHAN_SEC_E_BUFFER_TOO_SMALL;
        return (unix_status)SCHAN_STATUS_SUCCESS;
    }
    out = SCHAN_PTR(p->buffer);
    for (unsigned int i = 0; i < p->count; i++)
    {
        uint32_t len = c->issuers[i].size;
        uint8_t le[4] = { len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, len >> 24 };

        memcpy(out, le, 4);
        memcpy(out + 4, c->issuers[i].data, len);
        out += 4 + len;
    }
    return (unix_status)SCHAN_STATUS_SUCCESS;
}
