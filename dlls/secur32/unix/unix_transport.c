/*
 * GnuTLS transport over memory, and TLS record framing.
 *
 * The receive side reads from a caller buffer that is set to exactly the
 * record(s) GnuTLS may consume; the send side appends to a session-owned
 * buffer, or during ENCRYPT scatters into header/data/trailer.  The two
 * sides share no state, so one thread may encrypt while another decrypts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unix_private.h"

enum schan_frame_result schan_frame_record(const uint8_t *data, size_t size,
                                           size_t *record_len, uint32_t *missing)
{
    size_t body;

    if (size >= 1 && (data[0] < 20 || data[0] > 24))
        return SCHAN_FRAME_INVALID;
    if (size >= 2 && data[1] != 3)
        return SCHAN_FRAME_INVALID;
    if (size < SCHAN_RECORD_HEADER_SIZE)
    {
        *missing = (uint32_t)(SCHAN_RECORD_HEADER_SIZE - size);
        return SCHAN_FRAME_PARTIAL;
    }
    body = ((size_t)data[3] << 8) | data[4];
    if (body > SCHAN_RECORD_MAX_BODY)
        return SCHAN_FRAME_INVALID;
    if (size < SCHAN_RECORD_HEADER_SIZE + body)
    {
        *missing = (uint32_t)(SCHAN_RECORD_HEADER_SIZE + body - size);
        return SCHAN_FRAME_PARTIAL;
    }
    *record_len = SCHAN_RECORD_HEADER_SIZE + body;
    return SCHAN_FRAME_WHOLE;
}

/* RFC 5246 E.2: an SSL 2.0 CLIENT-HELLO, which old clients and scanners
 * still send to negotiate TLS 1.0-1.2.  Its record has a two-byte header
 * (high bit set, 15-bit length) and holds msg_type 1 and a 3.x version;
 * GnuTLS parses the rest. */
enum schan_frame_result schan_frame_v2_hello(const uint8_t *data, size_t size,
                                             size_t *record_len, uint32_t *missing)
{
    size_t body;

    if (size >= 3 && data[2] != 1)
        return SCHAN_FRAME_INVALID;
    if (size >= 4 && data[3] != 3)
        return SCHAN_FRAME_INVALID;
    if (size < 2)
    {
        *missing = (uint32_t)(2 - size);
        return SCHAN_FRAME_PARTIAL;
    }
    body = ((size_t)(data[0] & 0x7f) << 8) | data[1];
    if (body < 9)   /* type, version and three lengths */
        return SCHAN_FRAME_INVALID;
    if (size < 2 + body)
    {
        *missing = (uint32_t)(2 + body - size);
        return SCHAN_FRAME_PARTIAL;
    }
    *record_len = 2 + body;
    return SCHAN_FRAME_WHOLE;
}

void schan_recv_set(struct schan_recv_source *recv, const uint8_t *data, size_t size)
{
    recv->data = data;
    recv->size = size;
    recv->pos = 0;
}

static ssize_t pull_from_memory(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
    struct schan_recv_source *recv = ptr;
    size_t avail = recv->size - recv->pos;

    if (!avail)
    {
        errno = EAGAIN;
        return -1;
    }
    if (len > avail)
        len = avail;
    memcpy(buf, recv->data + recv->pos, len);
    recv->pos += len;
    return (ssize_t)len;
}

/* GnuTLS only asks this with a timeout (e.g. while waiting for a TLS 1.3
 * ticket); memory never gets new bytes while a call runs, so "none" is final. */
static int pull_timeout_memory(gnutls_transport_ptr_t ptr, unsigned int ms)
{
    struct schan_recv_source *recv = ptr;

    (void)ms;
    return recv->pos < recv->size ? 1 : 0;
}

static int output_append(struct schan_output *out, const void *buf, size_t len)
{
    if (out->len + len > out->cap)
    {
        size_t cap = out->cap ? out->cap : 4096;
        uint8_t *grown;

        while (cap < out->len + len)
            cap *= 2;
        if (!(grown = realloc(out->data, cap)))
        {
            out->failed = 1;
            return -1;
        }
        out->data = grown;
        out->cap = cap;
    }
    memcpy(out->data + out->len, buf, len);
    out->len += len;
    return 0;
}

static int scatter_append(struct schan_scatter *sc, const uint8_t *buf, size_t len)
{
    for (int i = 0; i < 3 && len; i++)
    {
        size_t room = sc->cap[i] - sc->used[i];
        size_t n = len < room ? len : room;

        memcpy(sc->seg[i] + sc->used[i], buf, n);
        sc->used[i] += n;
        buf += n;
        len -= n;
    }
    if (len)
    {
        sc->overflow = 1;
        return -1;
    }
    return 0;
}

/* A push never reports EAGAIN: GnuTLS would keep the record queued and send
 * it again later, into the wrong place.  A failure is final for the call. */
ssize_t schan_push_to_memory(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
    struct schan_send_sink *send = ptr;
    int ret;

    if (send->scatter)
        ret = scatter_append(send->scatter, buf, len);
    else
        ret = output_append(&send->out, buf, len);
    if (ret < 0)
    {
        errno = ENOMEM;
        return -1;
    }
    return (ssize_t)len;
}

void schan_transport_attach(gnutls_session_t s, struct schan_recv_source *recv,
                            struct schan_send_sink *send)
{
    gnutls_transport_set_ptr2(s, recv, send);
    gnutls_transport_set_pull_function(s, pull_from_memory);
    gnutls_transport_set_pull_timeout_function(s, pull_timeout_memory);
    gnutls_transport_set_push_function(s, schan_push_to_memory);
}

void schan_output_reset(struct schan_output *out)
{
    out->len = 0;
    out->failed = 0;
}

void schan_output_free(struct schan_output *out)
{
    free(out->data);
    out->data = NULL;
    out->len = out->cap = 0;
}
