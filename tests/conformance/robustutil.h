/*
 * A client/server pair driven through SSPI with no static state, so that
 * many can run at once on many threads, and with a hook on every token a
 * side sends, so that a test can mutate it in flight.  Used by hostile.c,
 * threads.c, longrun.c and misuse.c; everything is static (one test = one
 * file).  The queue, the ISC/ASC step, the record encrypter and the context
 * cleanup are tlsutil's; only the loop is its own, because it differs on
 * purpose from run_handshake's: it feeds one side until that side stops
 * asking (in chunks a test may choose per call) and hands every token to
 * the hook, where run_handshake alternates one call per side and counts
 * SEC_E_INCOMPLETE_MESSAGE for tls_inproc's split deliveries.
 */
#ifndef ROBUSTUTIL_H
#define ROBUSTUTIL_H

#include <stdlib.h>
#include <string.h>
#include "tlsutil.h"

/* The byte queues are tlsutil.h's struct wire. */

struct rconn;
/* Called with each token a side produced; it must wire_push what the peer
 * should receive (the default pushes the bytes unchanged). */
typedef void (*rc_output_hook)(struct rconn *c, BOOL from_server, const BYTE *data, ULONG len, struct wire *to);

struct rconn {
    CredHandle *ccred, *scred;
    CtxtHandle cctx, sctx;
    BOOL have_cctx, have_sctx;
    const WCHAR *target;
    ULONG creq;                     /* the client's ISC flags (CLIENT_REQ unless changed) */
    struct wire c2s, s2c;          /* unread bytes for each side */
    SECURITY_STATUS cstatus, sstatus;
    BOOL cdone, sdone, cfailed, sfailed;
    ULONG split;                    /* 0: deliver all; else at most this many more bytes per call */
    ULONG (*chunk)(struct rconn *c);/* if set, decides `split` for every call */
    rc_output_hook hook;
    void *user;
    int calls;
};

static inline void rc_init(struct rconn *c, CredHandle *ccred, CredHandle *scred)
{
    memset(c, 0, sizeof(*c));
    c->ccred = ccred;
    c->scred = scred;
    c->target = L"localhost";
    c->creq = CLIENT_REQ;
}

static inline void rc_output(struct rconn *c, BOOL from_server, const BYTE *data, ULONG len)
{
    struct wire *to = from_server ? &c->s2c : &c->c2s;

    if (!len || !data)
        return;
    if (c->hook)
        c->hook(c, from_server, data, len, to);
    else
        wire_push(to, data, len);
}

struct rc_sink {
    struct rconn *c;
    BOOL from_server;
};

static inline void rc_sink_output(void *user, const BYTE *data, ULONG len)
{
    struct rc_sink *sink = user;

    rc_output(sink->c, sink->from_server, data, len);
}

/* One ISC or ASC call (tlsutil's tls_call_once) on the first `deliver`
 * bytes of the side's wire; its output goes through the hook. */
static inline SECURITY_STATUS rc_step(struct rconn *c, BOOL server, ULONG deliver)
{
    struct wire *in = server ? &c->c2s : &c->s2c;
    struct rc_sink sink = { c, server };
    struct tls_call call = { .cred = server ? c->scred : c->ccred, .ctx = server ? &c->sctx : &c->cctx,
                             .have_ctx = server ? &c->have_sctx : &c->have_cctx, .server = server,
                             .target = c->target, .req = server ? SERVER_REQ : c->creq,
                             .sink = rc_sink_output, .user = &sink };
    SECURITY_STATUS status;

    c->calls++;
    status = tls_call_once(&call, in->data, deliver);
    wire_consume(in, call.used);
    return status;
}

static inline BOOL rc_running(SECURITY_STATUS s)
{
    return s == SEC_I_CONTINUE_NEEDED || s == SEC_E_INCOMPLETE_MESSAGE;
}

/* Gives a side its unread bytes (in pieces when split) until it stops
 * asking for more; records the status. */
static inline void rc_side(struct rconn *c, BOOL server)
{
    struct wire *in = server ? &c->c2s : &c->s2c;
    SECURITY_STATUS *status = server ? &c->sstatus : &c->cstatus;
    ULONG avail = 0, before;

    do
    {
        ULONG split = c->chunk ? c->chunk(c) : c->split;

        avail = split ? avail + split : in->len;
        if (avail > in->len)
            avail = in->len;
        before = in->len;
        *status = rc_step(c, server, avail);
        if (*status != SEC_E_INCOMPLETE_MESSAGE)
            avail = 0;
    } while (((*status == SEC_E_INCOMPLETE_MESSAGE && avail < in->len)
              || (*status == SEC_I_CONTINUE_NEEDED && in->len && in->len < before)));
    if (*status == SEC_E_OK)
        *(server ? &c->sdone : &c->cdone) = TRUE;
    else if (!rc_running(*status))
        *(server ? &c->sfailed : &c->cfailed) = TRUE;
}

/* Runs the handshake until both sides are done, one failed, or nothing
 * moves.  TRUE when both said SEC_E_OK.  s2c may keep post-handshake
 * records (TLS 1.3 tickets) for rc_recv. */
static inline BOOL rc_handshake(struct rconn *c)
{
    c->cstatus = rc_step(c, FALSE, 0);
    if (c->cstatus != SEC_I_CONTINUE_NEEDED)
    {
        c->cfailed = TRUE;
        return FALSE;
    }
    for (int guard = 0; guard < 64 && !(c->cdone && c->sdone); guard++)
    {
        BOOL moved = FALSE;

        if (!c->sdone && !c->sfailed && c->c2s.len)
        {
            rc_side(c, TRUE);
            moved = TRUE;
        }
        if (!c->cdone && !c->cfailed && c->s2c.len)
        {
            rc_side(c, FALSE);
            moved = TRUE;
        }
        if (!moved || (c->cfailed && c->sfailed))
            break;
    }
    return c->cdone && c->sdone;
}

static inline void rc_free(struct rconn *c)
{
    delete_contexts(&c->cctx, &c->have_cctx, &c->sctx, &c->have_sctx);
    wire_free(&c->c2s);
    wire_free(&c->s2c);
}

/* One record of `len` bytes from a side onto the other's wire. */
static inline SECURITY_STATUS rc_send(struct rconn *c, BOOL from_server, const void *data, ULONG len)
{
    struct wire record = { 0 };
    SECURITY_STATUS status = encrypt_record(from_server ? &c->sctx : &c->cctx, data, len, &record);

    if (status == SEC_E_OK)
        rc_output(c, from_server, record.data, record.len);
    wire_free(&record);
    return status;
}

/* Answers SEC_I_RENEGOTIATE (TLS 1.3 tickets, KeyUpdate) with the EXTRA bytes. */
static inline SECURITY_STATUS rc_renegotiate(struct rconn *c, BOOL server, struct wire *in)
{
    return rc_step(c, server, in->len);
}

/* Decrypts everything on a side's wire, appending plaintext to `plain`
 * (when not NULL).  Returns the first status that is not SEC_E_OK, or
 * SEC_E_OK.  SEC_E_INCOMPLETE_MESSAGE leaves the partial record queued. */
static inline SECURITY_STATUS rc_recv(struct rconn *c, BOOL server, struct wire *plain)
{
    struct wire *in = server ? &c->c2s : &c->s2c;
    CtxtHandle *ctx = server ? &c->sctx : &c->cctx;
    SECURITY_STATUS status = SEC_E_OK;

    for (int guard = 0; in->len && guard < 10000; guard++)
    {
        SecBuffer b[4];
        SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
        ULONG extra = 0;
        int i;

        b[0].BufferType = SECBUFFER_DATA; b[0].pvBuffer = in->data; b[0].cbBuffer = in->len;
        for (i = 1; i < 4; i++) { b[i].BufferType = SECBUFFER_EMPTY; b[i].pvBuffer = NULL; b[i].cbBuffer = 0; }
        status = DecryptMessage(ctx, &desc, 0, NULL);
        if (status != SEC_E_OK && status != SEC_I_RENEGOTIATE)
            return status;
        for (i = 1; i < 4; i++)
        {
            if (b[i].BufferType == SECBUFFER_DATA && plain && b[i].cbBuffer)
                wire_push(plain, b[i].pvBuffer, b[i].cbBuffer);
            if (b[i].BufferType == SECBUFFER_EXTRA)
                extra = b[i].cbBuffer;
        }
        wire_consume(in, in->len - (extra <= in->len ? extra : in->len));
        if (status == SEC_I_RENEGOTIATE && (status = rc_renegotiate(c, server, in)) != SEC_E_OK)
            return status;
    }
    return status;
}

/* `len` bytes each way; TRUE when both arrive intact. */
static inline BOOL rc_exchange(struct rconn *c, ULONG len)
{
    struct wire got = { 0 };
    BYTE *msg = malloc(len);
    BOOL good;
    ULONG i;

    for (i = 0; i < len; i++)
        msg[i] = (BYTE)(i * 7 + 3);
    good = rc_recv(c, FALSE, NULL) == SEC_E_OK        /* tickets first */
           && rc_send(c, FALSE, msg, len) == SEC_E_OK && rc_recv(c, TRUE, &got) == SEC_E_OK
           && got.len == len && !memcmp(got.data, msg, len);
    got.len = 0;
    good = good && rc_send(c, TRUE, msg, len) == SEC_E_OK && rc_recv(c, FALSE, &got) == SEC_E_OK
           && got.len == len && !memcmp(got.data, msg, len);
    wire_free(&got);
    free(msg);
    return good;
}

#endif /* ROBUSTUTIL_H */
