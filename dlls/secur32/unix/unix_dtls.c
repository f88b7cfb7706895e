/*
 * DTLS 1.0 / 1.2 sessions: datagram handshake, one output datagram per
 * HANDSHAKE call (SEC_I_MESSAGE_FRAGMENT while more follow), caller-driven
 * retransmission, the server's cookie exchange, per-datagram records with
 * replay detection, the MTU and DTLS-SRTP (use_srtp).
 *
 * GnuTLS runs the session with GNUTLS_DATAGRAM | GNUTLS_NONBLOCK over the
 * same memory transport as TLS.  It pushes exactly one datagram per push
 * call, so the push wrapper here records where each datagram ends; the
 * flight is then kept whole so that it can be handed out one datagram at a
 * time and sent again when the caller's retransmission timer fires.
 * Windows has no timer of its own in Schannel: the caller calls ISC/ASC
 * again without input to retransmit.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/dtls.h>

#include "unix_private.h"

#define DTLS_HEADER_SIZE 13
#define DTLS_DEFAULT_MTU 1096      /* Windows' default SECPKG_ATTR_DTLS_MTU */
#define DTLS_MIN_MTU 200           /* Windows accepts 200 bytes to 64 KB */
#define DTLS_MAX_DATAGRAMS 64
#define REPLAY_WINDOW 64
/* GnuTLS' retransmission timer: 0 ms, so a call that brings no datagram
 * retransmits the flight at once (with fresh record numbers, as RFC 6347
 * 4.2.4 wants).  The caller's timer decides when that happens, as on
 * Windows; GnuTLS' doubling of 0 stays 0. */
#define RETRANS_TIMEOUT_MS 0
#define TOTAL_TIMEOUT_MS (24u * 60 * 60 * 1000)
/* The cookie binds the ClientHello to a transport address; SSPI never
 * sees one, so every client of a context is the same "address". */
static const char cookie_client_id[] = "schannel-dtls";

struct schan_dtls {
    /* ENCRYPT and DECRYPT may run on two threads at once (Windows allows
     * it); a DTLS DECRYPT may send our last flight again, which uses the
     * write side too, so the two take turns */
    pthread_mutex_t io_lock;
    unsigned int mtu;
    /* the last flight: datagrams back to back, where each ends, which is next */
    uint8_t *flight;
    size_t flight_len;
    size_t ends[DTLS_MAX_DATAGRAMS];
    unsigned int count, next;
    uint32_t final_status;          /* the flight's status, given with its last datagram */
    int final_is_alert;
    /* boundaries of the datagrams GnuTLS pushed into session->send.out */
    size_t pushed_ends[DTLS_MAX_DATAGRAMS];
    unsigned int pushed;
    int pushed_overflow;
    /* server: the stateless cookie exchange (RFC 6347 4.2.1) */
    gnutls_datum_t cookie_key;
    int cookie_ok;
    /* replay window of the current read epoch */
    unsigned int replay_epoch;
    uint64_t replay_max, replay_bits;
    int replay_any;
};


static struct schan_session *session_of_sink(gnutls_transport_ptr_t ptr)
{
    return (struct schan_session *)((char *)ptr - offsetof(struct schan_session, send));
}

/* Every push is one datagram: note where it ends (outside ENCRYPT). */
static ssize_t push_datagram(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
    struct schan_session *session = session_of_sink(ptr);
    struct schan_dtls *d = session->dtls;
    ssize_t ret = schan_push_to_memory(ptr, buf, len);

    if (ret < 0 || session->send.scatter)
        return ret;
    if (d->pushed < DTLS_MAX_DATAGRAMS)
        d->pushed_ends[d->pushed++] = session->send.out.len;
    else
        d->pushed_overflow = 1;
    return ret;
}

static void reset_pushed(struct schan_session *session)
{
    schan_output_reset(&session->send.out);
    session->dtls->pushed = 0;
    session->dtls->pushed_overflow = 0;
}

/* ---- session setup ---- */

static int set_srtp_profiles(gnutls_session_t s, const uint16_t *ids, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
    {
        /* GnuTLS' gnutls_srtp_profile_t values are the IANA ids. */
        if (!gnutls_srtp_get_profile_name((gnutls_srtp_profile_t)ids[i]))
        {
            WARN("SRTP protection profile %#x is not known to GnuTLS; skipped\n", ids[i]);
            continue;
        }
        if (gnutls_srtp_set_profile(s, (gnutls_srtp_profile_t)ids[i]) < 0)
            return -1;
    }
    return 0;
}

unsigned int schan_dtls_init_flags(const struct schan_session_create_params *p)
{
    return (p->flags & SCHAN_SESSION_DATAGRAM) ? GNUTLS_DATAGRAM : 0;
}

/* A stream context needs TLS versions in its credential, a datagram one DTLS. */
static uint32_t check_transport(const struct schan_session *session, uint32_t flags)
{
    uint32_t wanted = (flags & SCHAN_SESSION_DATAGRAM) ? SCHAN_PROT_DTLS_ALL : SCHAN_PROT_TLS_ALL;

    if (session->cred->protocols & wanted)
        return SCHAN_SEC_E_OK;
    WARN("a %s context on a credential with only %s versions: returning SEC_E_ALGORITHM_MISMATCH\n",
         (flags & SCHAN_SESSION_DATAGRAM) ? "datagram (DTLS)" : "stream (TLS)",
         (flags & SCHAN_SESSION_DATAGRAM) ? "TLS" : "DTLS");
    return SCHAN_SEC_E_ALGORITHM_MISMATCH;
}

uint32_t schan_dtls_session_init(struct schan_session *session, const struct schan_session_create_params *p)
{
    struct schan_dtls *d;
    uint32_t status;

    if ((status = check_transport(session, p->flags)) != SCHAN_SEC_E_OK || !(p->flags & SCHAN_SESSION_DATAGRAM))
        return status;
    if (!(d = calloc(1, sizeof(*d))))
        return SCHAN_SEC_E_INSUFFICIENT_MEMORY;
    pthread_mutex_init(&d->io_lock, NULL);
    session->dtls = d;
    gnutls_transport_set_push_function(session->s, push_datagram);
    gnutls_dtls_set_timeouts(session->s, RETRANS_TIMEOUT_MS, TOTAL_TIMEOUT_MS);
    d->mtu = p->mtu >= DTLS_MIN_MTU ? p->mtu : DTLS_DEFAULT_MTU;
    gnutls_dtls_set_mtu(session->s, d->mtu);
    if (p->srtp_profiles && p->srtp_profile_count
        && set_srtp_profiles(session->s, SCHAN_PTR(p->srtp_profiles), p->srtp_profile_count) < 0)
        return SCHAN_SEC_E_INVALID_PARAMETER;
    if (p->srtp_mki && p->srtp_mki_size)
    {
        gnutls_datum_t mki = { SCHAN_PTR(p->srtp_mki), p->srtp_mki_size };
        if (p->srtp_mki_size > 255 || gnutls_srtp_set_mki(session->s, &mki) < 0)
            return SCHAN_SEC_E_INVALID_PARAMETER;
    }
    if (session->is_server && gnutls_key_generate(&d->cookie_key, GNUTLS_COOKIE_KEY_SIZE) < 0)
        return SCHAN_SEC_E_INTERNAL_ERROR;
    return SCHAN_SEC_E_OK;
}

void schan_dtls_session_free(struct schan_session *session)
{
    struct schan_dtls *d = session->dtls;

    if (!d)
        return;
    free(d->flight);
    pthread_mutex_destroy(&d->io_lock);
    if (d->cookie_key.data)
    {
        gnutls_memset(d->cookie_key.data, 0, d->cookie_key.size);
        gnutls_free(d->cookie_key.data);
    }
    free(d);
    session->dtls = NULL;
}

/* ---- flights ---- */

/* What GnuTLS pushed becomes the flight to hand out (nothing pushed: the
 * previous flight stays, for a later retransmission). */
static int capture_flight(struct schan_session *session)
{
    struct schan_dtls *d = session->dtls;
    struct schan_output *out = &session->send.out;
    uint8_t *copy;

    if (!out->len)
        return 0;
    if (d->pushed_overflow || !d->pushed || d->pushed_ends[d->pushed - 1] != out->len
        || !(copy = malloc(out->len)))
    {
        reset_pushed(session);
        return -1;
    }
    memcpy(copy, out->data, out->len);
    free(d->flight);
    d->flight = copy;
    d->flight_len = out->len;
    memcpy(d->ends, d->pushed_ends, d->pushed * sizeof(d->ends[0]));
    d->count = d->pushed;
    d->next = 0;
    reset_pushed(session);
    return 1;
}

/* Puts the next datagram of the flight in session->send.out. */
static uint32_t hand_out_next(struct schan_session *session, struct schan_handshake_params *p)
{
    struct schan_dtls *d = session->dtls;
    size_t start = d->next ? d->ends[d->next - 1] : 0;

    reset_pushed(session);
    memcpy(session->send.out.data, d->flight + start, d->ends[d->next] - start);
    session->send.out.len = d->ends[d->next] - start;
    d->next++;
    if (d->next < d->count)
        return SCHAN_SEC_I_MESSAGE_FRAGMENT;
    p->output_is_alert = d->final_is_alert;
    return d->final_status;
}

/* Ends a HANDSHAKE call: a new flight (or none) and its first datagram. */
static uint32_t finish_call(struct schan_session *session, struct schan_handshake_params *p, uint32_t status)
{
    struct schan_dtls *d = session->dtls;
    int captured = capture_flight(session);

    if (captured < 0)
        return SCHAN_SEC_E_INSUFFICIENT_MEMORY;
    if (!captured)
        return status;
    d->final_status = status;
    d->final_is_alert = p->output_is_alert;
    p->output_is_alert = 0;
    /* send.out's buffer holds the whole flight, so any datagram fits it */
    return hand_out_next(session, p);
}

static int flight_pending(const struct schan_dtls *d)
{
    return d->next < d->count;
}

/* The caller's timer fired: GnuTLS retransmits the flight it waits an
 * answer to.  After the handshake (the side that sent the last flight) the
 * last flight goes out again as it was. */
static uint32_t retransmit(struct schan_session *session, struct schan_handshake_params *p)
{
    struct schan_dtls *d = session->dtls;
    int ret;

    schan_recv_set(&session->recv, NULL, 0);
    ret = session->done ? GNUTLS_E_AGAIN : gnutls_handshake(session->s);
    if (ret < 0 && ret != GNUTLS_E_AGAIN && ret != GNUTLS_E_INTERRUPTED)
        return finish_call(session, p, handshake_failed(session, ret, p));
    if (session->send.out.len)
        return finish_call(session, p, ret == 0 ? handshake_completed(session)
                                                  : SCHAN_SEC_I_CONTINUE_NEEDED);
    if (!d->count)
        return session->done ? SCHAN_SEC_E_OK : SCHAN_SEC_I_CONTINUE_NEEDED;
    TRACE("session %p: retransmitting the last flight (%u datagrams) as it was\n", (void *)session, d->count);
    d->next = 0;
    return hand_out_next(session, p);
}

/* ---- the handshake ---- */

static int looks_like_client_hello(const uint8_t *data, size_t size)
{
    return size > DTLS_HEADER_SIZE && data[0] == 22 && data[1] == 0xfe && data[DTLS_HEADER_SIZE] == 1;
}

/* Server, first datagrams: answer a ClientHello without a valid cookie with
 * a HelloVerifyRequest and keep no state; 1 when the handshake may go on. */
static int cookie_exchange(struct schan_session *session, const uint8_t *in, size_t size, uint32_t *status)
{
    struct schan_dtls *d = session->dtls;
    gnutls_dtls_prestate_st prestate;

    memset(&prestate, 0, sizeof(prestate));
    if (!looks_like_client_hello(in, size))
    {
        WARN("the first datagram is not a DTLS ClientHello (%zu bytes); returning SEC_E_INVALID_TOKEN\n", size);
        *status = SCHAN_SEC_E_INVALID_TOKEN;
        return 0;
    }
    if (gnutls_dtls_cookie_verify(&d->cookie_key, (void *)cookie_client_id, sizeof(cookie_client_id),
                                  (void *)in, size, &prestate) >= 0)
    {
        gnutls_dtls_prestate_set(session->s, &prestate);
        d->cookie_ok = 1;
        return 1;
    }
    TRACE("session %p: ClientHello without a valid cookie: sending HelloVerifyRequest\n", (void *)session);
    if (gnutls_dtls_cookie_send(&d->cookie_key, (void *)cookie_client_id, sizeof(cookie_client_id), &prestate,
                                &session->send, push_datagram) < 0)
        *status = SCHAN_SEC_E_INTERNAL_ERROR;
    else
        *status = SCHAN_SEC_I_CONTINUE_NEEDED;
    return 0;
}

static uint32_t feed_datagram(struct schan_session *session, struct schan_handshake_params *p)
{
    const uint8_t *in = SCHAN_PTR(p->input);
    size_t size = p->input_size;
    uint32_t status;
    int ret;

    if (session->is_server && !session->dtls->cookie_ok && !cookie_exchange(session, in, size, &status))
    {
        p->consumed = (uint32_t)size;
        return status;
    }
    if (session->state == SCHAN_STATE_NEW)
        session->state = SCHAN_STATE_HANDSHAKE;
    schan_recv_set(&session->recv, in, size);
    ret = gnutls_handshake(session->s);
    p->consumed = (uint32_t)size;   /* a datagram is taken whole, or dropped */
    if (ret == 0)
        return handshake_completed(session);
    if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED || warning_to_skip(session->s, ret))
        return SCHAN_SEC_I_CONTINUE_NEEDED;
    return handshake_failed(session, ret, p);
}

static uint32_t dtls_step(struct schan_session *session, struct schan_handshake_params *p)
{
    struct schan_dtls *d = session->dtls;
    int ret;

    if (!p->input_size && flight_pending(d))
        return hand_out_next(session, p);
    if (session->state == SCHAN_STATE_CONTROL)
        return finish_call(session, p, emit_control(session, p));
    if (session->failure)
        return session->failure;
    if (session->state == SCHAN_STATE_RENEGOTIATE)
    {
        /* DECRYPT saw the peer repeat its final flight and captured ours
         * (the state goes back to DONE with its last datagram) */
        if (!d->count)
            return SCHAN_SEC_E_OK;
        d->next = 0;
        return hand_out_next(session, p);
    }
    if (session->state == SCHAN_STATE_NEW && !session->is_server)
    {
        session->state = SCHAN_STATE_HANDSHAKE;
        schan_recv_set(&session->recv, NULL, 0);
        ret = gnutls_handshake(session->s);
        return finish_call(session, p, ret == GNUTLS_E_AGAIN ? SCHAN_SEC_I_CONTINUE_NEEDED
                                                             : handshake_failed(session, ret, p));
    }
    if (!p->input_size)
        return session->is_server && session->state == SCHAN_STATE_NEW ? SCHAN_SEC_I_CONTINUE_NEEDED
                                                                        : retransmit(session, p);
    if (session->done)
        return SCHAN_SEC_E_OK;   /* a late handshake datagram after completion: nothing to do */
    return finish_call(session, p, feed_datagram(session, p));
}

void schan_dtls_handshake(struct schan_session *session, struct schan_handshake_params *p)
{
    /* a datagram the caller never took (PE failed to place it) goes */
    reset_pushed(session);
    p->status = dtls_step(session, p);
    if (session->send.out.failed)
    {
        reset_pushed(session);
        p->status = SCHAN_SEC_E_INSUFFICIENT_MEMORY;
    }
    deliver_output(session, p);
}

/* ---- records ---- */

static uint64_t read_be(const uint8_t *p, unsigned int n)
{
    uint64_t v = 0;

    while (n--)
        v = (v << 8) | *p++;
    return v;
}

/* The read epoch, and the number of a record GnuTLS authenticated lately
 * in it (the last one, not always the highest). */
static unsigned int read_state(gnutls_session_t s, uint64_t *recent)
{
    unsigned char seq[8];

    *recent = 0;
    if (gnutls_record_get_state(s, 1, NULL, NULL, NULL, seq) < 0)
        return 0;
    *recent = read_be(seq + 2, 6);
    return (unsigned int)read_be(seq, 2);
}

/* 1 when seq was already accepted in this epoch or is older than the window. */
static int replayed(const struct schan_dtls *d, unsigned int epoch, uint64_t seq)
{
    if (!d->replay_any || epoch != d->replay_epoch || seq > d->replay_max)
        return 0;
    if (d->replay_max - seq >= REPLAY_WINDOW)
        return 1;
    return (d->replay_bits >> (d->replay_max - seq)) & 1;
}

static void replay_accept(struct schan_dtls *d, unsigned int epoch, uint64_t seq)
{
    if (!d->replay_any || epoch != d->replay_epoch)
    {
        d->replay_any = 1;
        d->replay_epoch = epoch;
        d->replay_max = seq;
        d->replay_bits = 1;
        return;
    }
    if (seq > d->replay_max)
    {
        uint64_t shift = seq - d->replay_max;
        d->replay_bits = shift >= REPLAY_WINDOW ? 0 : d->replay_bits << shift;
        d->replay_max = seq;
    }
    d->replay_bits |= (uint64_t)1 << (d->replay_max - seq);
}

/* The first record of a datagram, or 0 when it is no DTLS record. */
static size_t frame_dtls_record(const uint8_t *data, size_t size)
{
    size_t body;

    if (size < DTLS_HEADER_SIZE || data[0] < 20 || data[0] > 24 || data[1] != 0xfe)
        return 0;
    body = ((size_t)data[11] << 8) | data[12];
    if (body > SCHAN_RECORD_MAX_BODY || DTLS_HEADER_SIZE + body > size)
        return 0;
    return DTLS_HEADER_SIZE + body;
}

static uint32_t record_result(struct schan_session *session, ssize_t ret, unsigned int epoch, uint64_t seq,
                              struct schan_decrypt_params *p)
{
    struct schan_dtls *d = session->dtls;
    unsigned int read_epoch;
    uint64_t recent;
    uint32_t status;

    if (ret >= 0)
    {
        replay_accept(d, epoch, seq);
        p->data_len = (uint32_t)ret;
        if (ret > 0)
            return SCHAN_SEC_E_OK;
        session->peer_closed = 1;
        schan_state_after_record(session, SCHAN_STATE_CLOSED);
        return SCHAN_SEC_I_CONTEXT_EXPIRED;
    }
    if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
    {
        if (capture_flight(session) > 0)
        {
            /* the peer repeated its final flight: ours must go again */
            d->next = d->count;   /* handed out by the next HANDSHAKE call */
            schan_state_after_record(session, SCHAN_STATE_RENEGOTIATE);
            return SCHAN_SEC_I_RENEGOTIATE;
        }
        /* GnuTLS drops, without ending the session (RFC 6347 4.1.2.7), a
         * record of an old epoch (a repeated handshake message: no error),
         * one behind its replay window (newer records came, some of them
         * through the handshake, which our window does not see), and one
         * it cannot authenticate */
        read_epoch = read_state(session->s, &recent);
        if (epoch < read_epoch)
            return SCHAN_SEC_E_OK;
        if (epoch == read_epoch && seq + REPLAY_WINDOW < recent)
            return SCHAN_SEC_E_OUT_OF_SEQUENCE;
        return SCHAN_SEC_E_DECRYPT_FAILURE;
    }
    if (ret == GNUTLS_E_WARNING_ALERT_RECEIVED || ret == GNUTLS_E_REHANDSHAKE)
        return SCHAN_SEC_E_OK;
    status = schan_map_error(session->s, (int)ret);
    schan_diag_record_failed(session, (int)ret, status);
    return status;
}

/* What GnuTLS kept from the handshake (a ChangeCipherSpec that came early,
 * counted as pending) would be read in place of a datagram's record: it
 * goes first, as the network could have dropped it. */
static void drop_early_data(struct schan_session *session)
{
    uint8_t *early;
    int tries = 0;

    if (!gnutls_record_check_pending(session->s) || !(early = malloc(SCHAN_MAX_PLAINTEXT)))
        return;
    while (gnutls_record_check_pending(session->s) > 0 && tries++ < 16)
    {
        WARN("session %p: dropping %zu bytes kept from the handshake\n",
             (void *)session, gnutls_record_check_pending(session->s));
        if (gnutls_record_recv(session->s, early, SCHAN_MAX_PLAINTEXT) <= 0)
            break;
    }
    free(early);
}

/* GnuTLS may first discard a record it kept from the handshake (a
 * ChangeCipherSpec that came early) and return without reading ours: then
 * it is asked again, until it has read this datagram. */
static ssize_t recv_record(struct schan_session *session, uint8_t *out, size_t size)
{
    ssize_t ret;
    int tries = 0;

    drop_early_data(session);
    do
        ret = gnutls_record_recv(session->s, out, size);
    while ((ret == GNUTLS_E_INTERRUPTED || (ret == GNUTLS_E_AGAIN && !session->recv.pos && !session->send.out.len))
           && ++tries < 16);
    return ret;
}

uint32_t schan_dtls_decrypt(struct schan_session *session, struct schan_decrypt_params *p)
{
    uint8_t *buffer = SCHAN_PTR(p->buffer);
    size_t record_len = frame_dtls_record(buffer, p->size);
    unsigned int offset = DTLS_HEADER_SIZE + schan_explicit_nonce_size(session->s), epoch;
    uint32_t status;
    uint64_t seq;
    ssize_t ret;

    if (!record_len)
    {
        WARN("DecryptMessage: %u bytes that are no DTLS record; dropped\n", p->size);
        p->consumed = p->size;
        return SCHAN_SEC_E_DECRYPT_FAILURE;
    }
    p->consumed = (uint32_t)record_len;
    p->data_offset = offset < record_len ? offset : (uint32_t)record_len;
    epoch = (unsigned int)read_be(buffer + 3, 2);
    seq = read_be(buffer + 5, 6);
    if (replayed(session->dtls, epoch, seq))
    {
        TRACE("session %p: record %u/%llu replayed or too old\n", (void *)session, epoch, (unsigned long long)seq);
        return SCHAN_SEC_E_OUT_OF_SEQUENCE;
    }
    schan_dtls_lock(session);
    reset_pushed(session);
    schan_recv_set(&session->recv, buffer, record_len);
    if (record_len <= offset)
        ret = GNUTLS_E_AGAIN;
    else
        ret = recv_record(session, buffer + offset, record_len - offset);
    status = record_result(session, ret, epoch, seq, p);
    schan_dtls_unlock(session);
    return status;
}

void schan_dtls_lock(struct schan_session *session)
{
    if (session->dtls)
        pthread_mutex_lock(&session->dtls->io_lock);
}

void schan_dtls_unlock(struct schan_session *session)
{
    if (session->dtls)
        pthread_mutex_unlock(&session->dtls->io_lock);
}

/* ---- sizes, MTU and SRTP ---- */

void schan_dtls_sizes(struct schan_session *session, struct schan_connection_info *info)
{
    size_t overhead = gnutls_record_overhead_size(session->s);

    info->header_size = DTLS_HEADER_SIZE + schan_explicit_nonce_size(session->s);
    info->trailer_size = overhead > info->header_size ? (uint32_t)(overhead - info->header_size) : 0;
    info->max_message = gnutls_dtls_get_data_mtu(session->s);
}

size_t schan_dtls_max_message(struct schan_session *session)
{
    return gnutls_dtls_get_data_mtu(session->s);
}

unix_status schan_dtls_mtu(void *args)
{
    struct schan_dtls_mtu_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);

    if (!session)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    p->status = SCHAN_SEC_E_OK;
    if (!session->dtls)
        p->status = SCHAN_SEC_E_UNSUPPORTED_FUNCTION;
    else if (!p->set)
        p->mtu = session->dtls->mtu;
    else if (p->mtu < DTLS_MIN_MTU || p->mtu > 65535)
        p->status = SCHAN_SEC_E_INVALID_PARAMETER;
    else
    {
        session->dtls->mtu = p->mtu;
        gnutls_dtls_set_mtu(session->s, p->mtu);
    }
    return (unix_status)SCHAN_STATUS_SUCCESS;
}

unix_status schan_get_srtp(void *args)
{
    struct schan_get_srtp_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);
    gnutls_srtp_profile_t profile;
    gnutls_datum_t mki;

    if (!session)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    p->profile = p->mki_size = 0;
    p->status = session->done ? SCHAN_SEC_E_OK : SCHAN_SEC_E_CONTEXT_EXPIRED;
    if (!session->done || !session->dtls)
        return (unix_status)SCHAN_STATUS_SUCCESS;
    if (gnutls_srtp_get_selected_profile(session->s, &profile) >= 0)
        p->profile = (uint32_t)profile;
    if (p->profile && gnutls_srtp_get_mki(session->s, &mki) >= 0 && mki.size <= sizeof(p->mki))
    {
        memcpy(p->mki, mki.data, mki.size);
        p->mki_size = mki.size;
    }
    return (unix_status)SCHAN_STATUS_SUCCESS;
}
