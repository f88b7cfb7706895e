/*
 * SESSION_CREATE / SESSION_FREE, HANDSHAKE, TAKE_OUTPUT and CONTROL (GnuTLS
 * errors and TLS alerts become SECURITY_STATUS values in unix_errors.c).
 *
 * The handshake is fed whole records only (a client all it has, a server one
 * at a time: feed_extent), so `consumed` always ends on a record boundary
 * and bytes after the record that completed the handshake (application
 * data, tickets) stay with the caller.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "unix_private.h"

#define MAX_ALPN_PROTOCOLS 16

/* ---- session setup ---- */

/* Accepts the bare protocol-name list ({len, name}...) and also the same
 * list behind its 2-byte total length: a name cannot start with a 0 byte. */
static unsigned int parse_alpn(const uint8_t *wire, size_t size, gnutls_datum_t *items)
{
    unsigned int count = 0;
    size_t pos = 0;

    if (size >= 2 && wire[0] == 0 && (((size_t)wire[0] << 8) | wire[1]) == size - 2)
        pos = 2;
    while (pos < size && count < MAX_ALPN_PROTOCOLS)
    {
        size_t len = wire[pos];

        if (!len || pos + 1 + len > size)
            return 0;
        items[count].data = (unsigned char *)wire + pos + 1;
        items[count].size = (unsigned int)len;
        count++;
        pos += 1 + len;
    }
    return count;
}

static int is_ip_literal(const char *name)
{
    unsigned char addr[16];

    return inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
}

/* Marks post-handshake handshake messages so DECRYPT can report
 * SEC_I_RENEGOTIATE; messages of the initial handshake are ignored. */
static int post_handshake_hook(gnutls_session_t s, unsigned int htype, unsigned int when,
                               unsigned int incoming, const gnutls_datum_t *msg)
{
    struct schan_session *session = gnutls_session_get_ptr(s);

    schan_diag_handshake_message(session, htype, when, incoming, msg);
    if (when != GNUTLS_HOOK_POST || !incoming || !session->done)
        return 0;
    switch (htype)
    {
    case GNUTLS_HANDSHAKE_NEW_SESSION_TICKET:
        session->ticket_received = 1;
        break;
    case GNUTLS_HANDSHAKE_KEY_UPDATE:
        if (msg && msg->size >= 1 && msg->data[0] == 1)
            session->key_update_requested = 1;
        break;
    case GNUTLS_HANDSHAKE_HELLO_REQUEST:
    case GNUTLS_HANDSHAKE_CLIENT_HELLO:
    case GNUTLS_HANDSHAKE_CERTIFICATE_REQUEST:
        break;
    default:
        return 0;
    }
    session->post_hs_message = 1;
    return 0;
}

static uint32_t setup_client(struct schan_session *session, const char *target)
{
    gnutls_datum_t cached;

    if (!target)
        return SCHAN_SEC_E_OK;
    if (!(session->target = strdup(target)))
        return SCHAN_SEC_E_INSUFFICIENT_MEMORY;
    if (*target && !is_ip_literal(target)
        && gnutls_server_name_set(session->s, GNUTLS_NAME_DNS, target, strlen(target)) < 0)
        return SCHAN_SEC_E_INSUFFICIENT_MEMORY;
    if (schan_cache_lookup(session->cred, target, &cached))
    {
        gnutls_session_set_data(session->s, cached.data, cached.size);
        gnutls_memset(cached.data, 0, cached.size);
        free(cached.data);
    }
    return SCHAN_SEC_E_OK;
}

static void setup_server(struct schan_session *session, uint32_t session_flags)
{
    struct schan_cred *cred = session->cred;

    if (cred->resumable)
    {
        gnutls_session_ticket_enable_server(session->s, &cred->ticket_key);
        schan_server_cache_attach(session->s, cred);
    }
    if ((session_flags & SCHAN_SESSION_REQUEST_CLIENT_CERT)
        || (cred->flags & SCHAN_CRED_REQUEST_CLIENT_CERT))
        gnutls_certificate_server_set_request(session->s, GNUTLS_CERT_REQUEST);
}

static uint32_t init_session(struct schan_session *session, const struct schan_session_create_params *p)
{
    struct schan_cred *cred = session->cred;
    /* No automatic TLS 1.3 rekey: it would put a KeyUpdate record in front
     * of an ENCRYPT's record, and ENCRYPT must yield exactly one record. */
    unsigned int flags = (cred->is_server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK
                         | GNUTLS_NO_AUTO_REKEY | schan_dtls_init_flags(p);
    gnutls_datum_t alpn[MAX_ALPN_PROTOCOLS];
    gnutls_priority_t priority;
    unsigned int alpn_count;
    uint32_t status;

    if (!cred->resumable)
        flags |= GNUTLS_NO_TICKETS;
    else if (cred->is_server)
        flags |= GNUTLS_NO_AUTO_SEND_TICKET;   /* one ticket, see send_ticket() */
    if (gnutls_init(&session->s, flags) < 0)
        return SCHAN_SEC_E_INSUFFICIENT_MEMORY;
    gnutls_session_set_ptr(session->s, session);
    schan_keylog_attach(session->s);
    priority = (flags & GNUTLS_DATAGRAM) ? cred->dtls_priority : cred->priority;
    if (!priority)
        return SCHAN_SEC_E_ALGORITHM_MISMATCH;   /* the PE half refuses this first */
    if (gnutls_priority_set(session->s, priority) < 0
        || gnutls_credentials_set(session->s, GNUTLS_CRD_CERTIFICATE, cred->certs) < 0)
        return SCHAN_SEC_E_INTERNAL_ERROR;
    schan_transport_attach(session->s, &session->recv, &session->send);
    gnutls_handshake_set_timeout(session->s, 0);
    gnutls_handshake_set_hook_function(session->s, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_BOTH,
                                       post_handshake_hook);
    if ((status = schan_dtls_session_init(session, p)) != SCHAN_SEC_E_OK)
        return status;
    if (p->alpn && p->alpn_size)
    {
        if (!(alpn_count = parse_alpn(SCHAN_PTR(p->alpn), p->alpn_size, alpn)))
            return SCHAN_SEC_E_INVALID_PARAMETER;
        /* A server picks its own most preferred protocol (RFC 7301 3.2). */
        if (gnutls_alpn_set_protocols(session->s, alpn, alpn_count,
                                      cred->is_server ? GNUTLS_ALPN_SERVER_PRECEDENCE : 0) < 0)
            return SCHAN_SEC_E_INTERNAL_ERROR;
    }
    if (cred->is_server)
    {
        setup_server(session, p->flags);
        return SCHAN_SEC_E_OK;
    }
    if (schan_certreq_init(session, session->dtls ? 0 : p->flags) < 0)
        return SCHAN_SEC_E_INSUFFICIENT_MEMORY;
    return setup_client(session, SCHAN_PTR(p->target));
}

static void free_session(struct schan_session *session)
{
    schan_certreq_free(session);
    schan_dtls_session_free(session);
    if (session->s)
        gnutls_deinit(session->s);
    schan_output_free(&session->send.out);
    free(session->target);
    schan_cred_release(session->cred);
    free(session);
}

unix_status schan_session_create(void *args)
{
    struct schan_session_create_params *p = args;
    struct schan_cred *cred = SCHAN_PTR(p->cred);
    struct schan_session *session;

    p->session = 0;
    if (!cred)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    if (!(session = calloc(1, sizeof(*session))))
        return (unix_status)SCHAN_STATUS_NO_MEMORY;
    schan_cred_addref(cred);
    session->cred = cred;
    session->is_server = cred->is_server;
    p->status = init_session(session, p);
    if (p->status != SCHAN_SEC_E_OK)
        free_session(session);
    else
        p->session = (uint64_t)(uintptr_t)session;
    return (unix_status)SCHAN_STATUS_SUCCESS;
}

unix_status schan_session_free(void *args)
{
    struct schan_session_free_params *p = args;

    if (!p->session)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    free_session(SCHAN_PTR(p->session));
    return (unix_status)SCHAN_STATUS_SUCCESS;
}

/* ---- handshake ---- */

static void store_session_data(struct schan_session *session)
{
    gnutls_datum_t data;

    if (session->is_server || !session->target || !session->cred->resumable)
        return;
    schan_recv_set(&session->recv, NULL, 0);
    if (gnutls_session_get_data2(session->s, &data) < 0)
        return;
    schan_cache_store(session->cred, session->target, &data);
    gnutls_free(data.data);
}

static int is_tls13(gnutls_session_t s)
{
    return gnutls_protocol_get_version(s) == GNUTLS_TLS1_3;
}

uint32_t handshake_failed(struct schan_session *session, int err,
                                 struct schan_handshake_params *p)
{
    uint32_t status = schan_map_error(session->s, err);
    int sent_alert = -1, level;

    schan_output_reset(&session->send.out);
    if (err != GNUTLS_E_FATAL_ALERT_RECEIVED && err != GNUTLS_E_WARNING_ALERT_RECEIVED
        && gnutls_alert_send_appropriate(session->s, err) >= 0 && session->send.out.len)
    {
        p->output_is_alert = 1;
        sent_alert = gnutls_error_to_alert(err, &level);
    }
    schan_diag_handshake_failed(session, err, status, sent_alert);
    session->failure = status;
    return status;
}

/* A TLS 1.3 server sends ONE NewSessionTicket, with the output of the call
 * that takes the client's Finished (the last AcceptSecurityContext step).
 * GnuTLS by itself sends two, early, behind its own Finished: a client that
 * completes the handshake and closes without reading them (gnutls-cli
 * --resume does) closes with unread data, so its kernel resets the
 * connection, and Wine 10 reports that reset to our recv before the client's
 * Finished that came first (WSAECONNRESET mid-handshake; Wine 8 delivers the
 * data first).  After the client's Finished, a client that wants to resume
 * waits for the ticket and reads it; one that does not has nothing else
 * unread. */
static void send_ticket(struct schan_session *session)
{
    int ret;

    if (!session->is_server || !session->cred->resumable || !is_tls13(session->s))
        return;
    ret = gnutls_session_ticket_send(session->s, 1, 0);
    if (ret < 0)
        WARN("no session ticket sent: %s\n", gnutls_strerror(ret));
}

uint32_t handshake_completed(struct schan_session *session)
{
    session->done = 1;
    schan_record_sizes_update(session);
    send_ticket(session);
    schan_diag_negotiated(session);
    /* A TLS 1.3 client only becomes resumable with the ticket that follows. */
    if (!is_tls13(session->s))
        store_session_data(session);
    return SCHAN_SEC_E_OK;
}

int warning_to_skip(gnutls_session_t s, int ret)
{
    return ret == GNUTLS_E_WARNING_ALERT_RECEIVED && gnutls_alert_get(s) != GNUTLS_A_CLOSE_NOTIFY;
}

/* Feeds one whole record; returns the gnutls_handshake result. */
static int feed_record(struct schan_session *session, const uint8_t *record, size_t len)
{
    int ret;

    schan_recv_set(&session->recv, record, len);
    ret = schan_certreq_handshake(session);
    return ret;
}

/* A server whose flight is ready while more input waits (the ClientHello
 * and something else came in one call): the flight goes out now and the
 * rest stays with the caller as SECBUFFER_EXTRA for the next call, as
 * Windows does.  Whatever follows is then handled on its own, and a bad
 * record there no longer costs the peer the flight it is owed.  (Only the
 * server: a TLS 1.3 client emits a ChangeCipherSpec in the middle of the
 * server's flight and must read on to its end.) */
static int flight_ready(const struct schan_session *session, size_t pos, size_t size)
{
    return session->is_server && session->send.out.len && pos < size;
}

static enum schan_frame_result frame_handshake_record(const struct schan_session *session, const uint8_t *data,
                                                      size_t size, size_t *record_len, uint32_t *missing)
{
    if (session->is_server && !session->record_read && size && (data[0] & 0x80))
        return schan_frame_v2_hello(data, size, record_len, missing);
    return schan_frame_record(data, size, record_len, missing);
}

/* How much of the input one gnutls_handshake call is given, from the whole
 * record of record_len bytes at its start.  GnuTLS computes the Finished it
 * expects each time it is entered while waiting for one (a hash and an HMAC
 * of the transcript), so a call per record costs that again for every
 * record of the flight that comes before the Finished (a TLS 1.3 client
 * sees ServerHello, ChangeCipherSpec, EncryptedExtensions... one record
 * each).  A client takes every whole record there is: GnuTLS reads exactly
 * the records it needs and leaves what follows its handshake unread.  A
 * server takes one record at a time so that flight_ready() can stop it,
 * but never stops after a ChangeCipherSpec: one is always followed by more
 * of the same flight. */
static size_t feed_extent(const struct schan_session *session, const uint8_t *in, size_t size,
                          size_t record_len)
{
    size_t len = record_len, last = 0, next;
    uint32_t missing;

    while (len < size && (!session->is_server || in[last] == SCHAN_CONTENT_CHANGE_CIPHER_SPEC)
           && schan_frame_record(in + len, size - len, &next, &missing) == SCHAN_FRAME_WHOLE)
    {
        last = len;
        len += next;
    }
    return len;
}

static uint32_t run_handshake(struct schan_session *session, struct schan_handshake_params *p)
{
    static const uint8_t none[1];
    const uint8_t *in = p->input ? SCHAN_PTR(p->input) : none;   /* never offset a NULL */
    size_t size = p->input ? p->input_size : 0, pos = 0, record_len;
    int ret;

    if (session->state == SCHAN_STATE_NEW)
    {
        session->state = SCHAN_STATE_HANDSHAKE;
        if (!session->is_server)
        {
            ret = feed_record(session, NULL, 0);
            return ret == GNUTLS_E_AGAIN ? SCHAN_SEC_I_CONTINUE_NEEDED : handshake_failed(session, ret, p);
        }
    }
    for (;;)
    {
        if (pos && pos == size)
            return SCHAN_SEC_I_CONTINUE_NEEDED;
        switch (frame_handshake_record(session, in + pos, size - pos, &record_len, &p->missing))
        {
        case SCHAN_FRAME_INVALID:
            p->missing = 0;
            schan_diag_not_tls(session, in + pos, size - pos);
            session->failure = SCHAN_SEC_E_INVALID_TOKEN;
            return SCHAN_SEC_E_INVALID_TOKEN;
        case SCHAN_FRAME_PARTIAL:
            if (!pos && !session->send.out.len)
                return SCHAN_SEC_E_INCOMPLETE_MESSAGE;
            p->missing = 0;
            return SCHAN_SEC_I_CONTINUE_NEEDED;
        case SCHAN_FRAME_WHOLE:
            break;
        }
        record_len = feed_extent(session, in + pos, size - pos, record_len);
        ret = feed_record(session, in + pos, record_len);
        session->record_read = 1;
        pos += session->recv.pos;
        p->consumed = (uint32_t)pos;
        if (ret == SCHAN_HANDSHAKE_PAUSED)
            return schan_certreq_hold(session, in, size, pos, p);
        if (ret == 0)
            return handshake_completed(session);
        if (ret != GNUTLS_E_AGAIN && !warning_to_skip(session->s, ret))
            return handshake_failed(session, ret, p);
        /* GnuTLS may stop at any record it was given (a handshake message
         * split over records: it returns after each part); never at none. */
        if (!session->recv.pos)
            return handshake_failed(session, GNUTLS_E_INTERNAL_ERROR, p);
        if (flight_ready(session, pos, size))
            return SCHAN_SEC_I_CONTINUE_NEEDED;
    }
}

/* The call after SEC_I_INCOMPLETE_CREDENTIALS (unix_certreq.c): the
 * handshake goes on from the retrieve callback, then takes the records held
 * back and the caller's new ones. */
static uint32_t resume_handshake(struct schan_session *session, struct schan_handshake_params *p)
{
    struct schan_handshake_params inner = *p;
    size_t len, held, skip;
    uint8_t *buf = schan_certreq_resume(session, p, &len, &held, &skip);
    uint32_t status;
    int ret;

    if (!buf)
        return SCHAN_SEC_E_INSUFFICIENT_MEMORY;
    schan_recv_set(&session->recv, NULL, 0);
    ret = schan_certreq_handshake(session);
    p->consumed = (uint32_t)skip;
    if (ret == 0)
        status = handshake_completed(session);
    else if (ret != GNUTLS_E_AGAIN)
        status = handshake_failed(session, ret, p);
    else if (!len)
        status = SCHAN_SEC_I_CONTINUE_NEEDED;
    else
    {
        inner.input = (uint64_t)(uintptr_t)buf;
        inner.input_size = (uint32_t)len;
        status = run_handshake(session, &inner);
        p->missing = inner.missing;
        p->output_is_alert = inner.output_is_alert;
        if (inner.consumed > held)
            p->consumed = (uint32_t)(skip + inner.consumed - held);
    }
    free(buf);
    return status;
}

/* TLS 1.3 KeyUpdate(update_requested): GnuTLS answers it in front of the
 * next record it sends.  An empty send makes it emit that KeyUpdate now
 * (into the handshake output) and then refuse the empty record itself, so
 * the next ENCRYPT again yields exactly one record. */
static void answer_key_update(struct schan_session *session)
{
    gnutls_record_send(session->s, "", 0);
}

/* TLS <= 1.2 renegotiation, as Windows does it after SEC_I_RENEGOTIATE: a
 * client answers the server's HelloRequest with a new ClientHello, a server
 * goes on from the client's ClientHello (GnuTLS holds it); later calls carry
 * the new handshake to SEC_E_OK like the first one (secure renegotiation
 * only: GnuTLS refuses peers without RFC 5746). */
static uint32_t start_renegotiation(struct schan_session *session, struct schan_handshake_params *p)
{
    int ret;

    TRACE("session %p: renegotiating as %s\n", (void *)session, session->is_server ? "server" : "client");
    session->done = 0;
    session->state = SCHAN_STATE_REHANDSHAKE;
    ret = feed_record(session, NULL, 0);
    if (ret == 0)
        return handshake_completed(session);
    if (ret != GNUTLS_E_AGAIN)
        return handshake_failed(session, ret, p);
    return p->input_size ? run_handshake(session, p) : SCHAN_SEC_I_CONTINUE_NEEDED;
}

/* After SEC_I_RENEGOTIATE everything was already read by DECRYPT; what is
 * left is answering it: a KeyUpdate of our own, the new ticket cached, or a
 * renegotiation started. */
static uint32_t answer_post_handshake(struct schan_session *session, struct schan_handshake_params *p)
{
    if (session->state != SCHAN_STATE_RENEGOTIATE)
        return SCHAN_SEC_E_OK;
    if (session->rehandshake_requested)
    {
        session->rehandshake_requested = 0;
        session->post_hs_message = 0;
        schan_certreq_use_cred(session, p->client_cred);
        return start_renegotiation(session, p);
    }
    if (session->key_update_requested)
        answer_key_update(session);
    if (session->ticket_received)
        store_session_data(session);
    session->post_hs_message = 0;
    session->key_update_requested = 0;
    session->ticket_received = 0;
    return SCHAN_SEC_E_OK;
}

static int send_control(struct schan_session *session)
{
    int ret;

    /* After a fatal record error the shutdown carries that error's alert. */
    if (session->control_kind == SCHAN_CONTROL_SHUTDOWN && session->owed_alert)
        return schan_guard_send_owed_alert(session);
    if (session->control_kind == SCHAN_CONTROL_SHUTDOWN)
        ret = gnutls_bye(session->s, GNUTLS_SHUT_WR);
    else
        ret = gnutls_alert_send(session->s, (gnutls_alert_level_t)session->alert_level,
                                (gnutls_alert_description_t)session->alert_description);
    TRACE("session %p: %s %s\n", (void *)session, ret < 0 ? "could not send" : "sent",
          session->control_kind == SCHAN_CONTROL_SHUTDOWN ? "close_notify"
          : gnutls_alert_get_name((gnutls_alert_description_t)session->alert_description)
          ? gnutls_alert_get_name((gnutls_alert_description_t)session->alert_description) : "an unknown alert");
    return ret;
}

uint32_t emit_control(struct schan_session *session, struct schan_handshake_params *p)
{
    int ret;

    schan_recv_set(&session->recv, NULL, 0);
    ret = send_control(session);
    session->state = SCHAN_STATE_SHUTDOWN;   /* a failure to send it fails the session (settle_state) */
    p->output_is_alert = session->send.out.len != 0;
    return ret < 0 ? schan_map_error(session->s, ret) : SCHAN_SEC_E_OK;
}

void deliver_output(struct schan_session *session, struct schan_handshake_params *p)
{
    struct schan_output *out = &session->send.out;

    p->output_len = (uint32_t)out->len;
    if (!out->len || !p->output || out->len > p->output_size)
        return;
    memcpy(SCHAN_PTR(p->output), out->data, out->len);
    p->output_copied = 1;
    schan_output_reset(out);
}

static void tls_handshake(struct schan_session *session, struct schan_handshake_params *p)
{
    schan_output_reset(&session->send.out);
    if (session->state == SCHAN_STATE_CONTROL)
        p->status = emit_control(session, p);
    else if (session->failure)
        p->status = session->failure;
    else if (session->done)
        p->status = answer_post_handshake(session, p);
    else if (session->state == SCHAN_STATE_NEED_CREDS)
        p->status = resume_handshake(session, p);
    else
        p->status = run_handshake(session, p);
    if (session->send.out.failed)
    {
        schan_output_reset(&session->send.out);
        p->status = SCHAN_SEC_E_INSUFFICIENT_MEMORY;
    }
    deliver_output(session, p);
}

static int is_error(uint32_t status)
{
    return (status & 0x80000000u) && status != SCHAN_SEC_E_INCOMPLETE_MESSAGE;
}

/* The state a HANDSHAKE call leaves: a failure is final (later calls answer
 * it), and SEC_E_OK with the keys in place ends a handshake, a
 * renegotiation or the answer to SEC_I_RENEGOTIATE.  (A DTLS flight's
 * earlier datagrams, SEC_I_MESSAGE_FRAGMENT, do not end it yet.)  A
 * shutdown sent, or the peer's close_notify, stays. */
static void settle_state(struct schan_session *session, uint32_t status)
{
    if (is_error(status))
    {
        session->state = SCHAN_STATE_FAILED;
        if (!session->failure)
            session->failure = status;
    }
    else if (status == SCHAN_SEC_E_OK && session->done && session->state != SCHAN_STATE_SHUTDOWN
             && session->state != SCHAN_STATE_CLOSED)
        session->state = SCHAN_STATE_DONE;
}

unix_status schan_handshake(void *args)
{
    struct schan_handshake_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);
    uint32_t before;

    if (!session || (p->input_size && !p->input))
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    p->consumed = p->missing = p->output_len = p->output_copied = p->output_is_alert = p->info_filled = 0;
    before = session->state;
    if (session->dtls)
        schan_dtls_handshake(session, p);
    else
        tls_handshake(session, p);
    settle_state(session, p->status);
    p->state = session->state;
    /* the end of a handshake: what the caller asks next, in the same crossing */
    if (p->info && before != SCHAN_STATE_DONE && session->state == SCHAN_STATE_DONE)
        p->info_filled = schan_fill_connection_info(session, 0, SCHAN_PTR(p->info)) == SCHAN_SEC_E_OK;
    return (unix_status)SCHAN_STATUS_SUCCESS;
}

void schan_state_after_record(struct schan_session *session, uint32_t state)
{
    if (session->state != SCHAN_STATE_CONTROL)
        session->state = state;
}

unix_status schan_take_output(void *args)
{
    struct schan_take_output_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);
    struct schan_output *out;

    if (!session)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    out = &session->send.out;
    p->output_len = (uint32_t)out->len;
    if (!out->len)
        return (unix_status)SCHAN_STATUS_SUCCESS;
    if (!p->output || p->output_size < out->len)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    memcpy(SCHAN_PTR(p->output), out->data, out->len);
    schan_output_reset(out);
    return (unix_status)SCHAN_STATUS_SUCCESS;
}

unix_status schan_control(void *args)
{
    struct schan_control_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);

    if (!session)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    p->status = SCHAN_SEC_E_OK;
    if (p->kind == SCHAN_CONTROL_ALERT && (p->alert_level == 1 || p->alert_level == 2)
        && p->alert_description <= 255)
    {
        session->alert_level = (uint8_t)p->alert_level;
        session->alert_description = (uint8_t)p->alert_description;
    }
    else if (p->kind != SCHAN_CONTROL_SHUTDOWN)
        p->status = SCHAN_SEC_E_UNSUPPORTED_FUNCTION;
    if (p->status == SCHAN_SEC_E_OK)
    {
        /* queued also after a failure or the peer's close_notify: the next HANDSHAKE sends it */
        session->control_kind = p->kind;
        session->state = SCHAN_STATE_CONTROL;
    }
    p->state = session->state;
    return (unix_status)SCHAN_STATUS_SUCCESS;
}
