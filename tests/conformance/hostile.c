/* Hostile peers: a live in-process client/server pair whose handshake tokens
 * and records are mutated in flight (bit flips, truncation, oversized and
 * zero record lengths, wrong content types, garbage, replays, records split
 * and coalesced).  Every ISC/ASC/DecryptMessage call must return a
 * documented status; mutations that keep the stream valid TLS (re-framing
 * handshake messages, delivery in pieces, coalesced records) must succeed
 * with the data intact; a context must always delete cleanly.
 *
 * The seed is printed; HOSTILE_SEED=<n> replays a run, HOSTILE_TRIALS=<n>
 * sets the number of connections (each feeds several mutated inputs). */
#include <stdio.h>
#include "robustutil.h"
#include "../sslv2_hello.h"

static PCCERT_CONTEXT server_cert;
static CredHandle ccred, scred_any, scred_tls12;

/* ---- deterministic randomness ---- */

static unsigned long long rng_state;

static unsigned int rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (unsigned int)((rng_state * 2685821657736338717ULL) >> 32);
}

static unsigned int rnd_below(unsigned int n)
{
    return n ? rnd() % n : 0;
}

/* ---- what is allowed ---- */

/* Documented results of InitializeSecurityContext / AcceptSecurityContext for
 * Schannel (learn.microsoft.com: "InitializeSecurityContext (Schannel)",
 * "AcceptSecurityContext (Schannel)", and the SEC_E_ codes Windows maps TLS
 * alerts to). */
static BOOL handshake_status_ok(SECURITY_STATUS s)
{
    switch (s)
    {
    case SEC_E_OK: case SEC_I_CONTINUE_NEEDED: case SEC_E_INCOMPLETE_MESSAGE: case SEC_I_INCOMPLETE_CREDENTIALS:
    case SEC_E_INVALID_TOKEN: case SEC_E_ILLEGAL_MESSAGE: case SEC_E_DECRYPT_FAILURE: case SEC_E_MESSAGE_ALTERED:
    case SEC_E_ALGORITHM_MISMATCH: case SEC_E_UNSUPPORTED_FUNCTION: case SEC_E_CERT_UNKNOWN: case SEC_E_CERT_EXPIRED:
    case SEC_E_UNTRUSTED_ROOT: case SEC_E_WRONG_PRINCIPAL: case SEC_E_APPLICATION_PROTOCOL_MISMATCH:
    case SEC_E_NO_CREDENTIALS: case SEC_I_CONTEXT_EXPIRED: case SEC_E_CONTEXT_EXPIRED: case CRYPT_E_REVOKED:
        return TRUE;
    default:
        return FALSE;
    }
}

/* SEC_E_INTERNAL_ERROR is what Windows reports when the peer sends the
 * internal_error alert (GnuTLS sends it for some malformed input): allowed
 * only as the reaction to the other side's documented failure. */
static BOOL pair_statuses_ok(SECURITY_STATUS client, SECURITY_STATUS server)
{
    if (client == SEC_E_INTERNAL_ERROR)
        return FAILED(server) && server != SEC_E_INCOMPLETE_MESSAGE && handshake_status_ok(server);
    if (server == SEC_E_INTERNAL_ERROR)
        return FAILED(client) && client != SEC_E_INCOMPLETE_MESSAGE && handshake_status_ok(client);
    return handshake_status_ok(client) && handshake_status_ok(server);
}

/* DecryptMessage (Schannel): learn.microsoft.com "DecryptMessage (Schannel)". */
static BOOL decrypt_status_ok(SECURITY_STATUS s)
{
    switch (s)
    {
    case SEC_E_OK: case SEC_E_INCOMPLETE_MESSAGE: case SEC_E_DECRYPT_FAILURE: case SEC_E_MESSAGE_ALTERED:
    case SEC_E_ILLEGAL_MESSAGE: case SEC_E_INVALID_TOKEN: case SEC_E_OUT_OF_SEQUENCE: case SEC_I_CONTEXT_EXPIRED:
    case SEC_E_CONTEXT_EXPIRED: case SEC_I_RENEGOTIATE: case SEC_E_ALGORITHM_MISMATCH: case SEC_E_UNSUPPORTED_FUNCTION:
        return TRUE;
    default:
        return FALSE;
    }
}

/* ---- mutations ---- */

enum mutation {
    M_BITFLIP, M_TRUNCATE, M_OVERSIZE_LEN, M_ZERO_LEN, M_CONTENT_TYPE, M_GARBAGE, M_DUPLICATE, M_DROP_TAIL,
    M_DESTRUCTIVE,                                  /* the ones above break the stream */
    M_REFRAGMENT = M_DESTRUCTIVE, M_COALESCE, M_SPLIT_DELIVERY,
    M_COUNT
};
static const char *const mutation_names[M_COUNT] = {
    "bit flips", "truncation", "oversized length", "zero length", "wrong content type", "garbage appended",
    "record replayed", "last record dropped", "handshake re-fragmented", "records coalesced",
    "delivery in pieces",
};

struct stats {
    int inputs, trials, handshakes_ok, handshakes_failed, bad_status, must_succeed_failed, delete_failed;
    int alerts_owed, closed_politely;           /* shutdown after a fatal record error */
    int flight_probes, flights_lost;            /* ClientHello + garbage in one input */
    int by_mutation[M_COUNT];
    SECURITY_STATUS seen[32];
    int seen_count[32];
};
static struct stats st;

static void count_status(SECURITY_STATUS s)
{
    for (int i = 0; i < 32; i++)
    {
        if (st.seen_count[i] && st.seen[i] == s) { st.seen_count[i]++; return; }
        if (!st.seen_count[i]) { st.seen[i] = s; st.seen_count[i] = 1; return; }
    }
}

static ULONG record_len_at(const BYTE *d, ULONG avail)
{
    return avail >= 5 ? 5 + ((ULONG)d[3] << 8 | d[4]) : avail;
}

/* The offset of a random record header inside data (0 if none parse). */
static ULONG random_record(const BYTE *d, ULONG len)
{
    ULONG offs[64], n = 0, pos = 0;

    while (pos + 5 <= len && n < 64)
    {
        offs[n++] = pos;
        pos += record_len_at(d + pos, len - pos);
    }
    return n ? offs[rnd_below(n)] : 0;
}

/* Plaintext handshake records (before ChangeCipherSpec / TLS 1.3 keys) cut
 * into fragments of random size, or merged into one record: both legal. */
static void reframe(const BYTE *d, ULONG len, BOOL merge, struct wire *out)
{
    ULONG pos = 0;
    BYTE hdr[5];
    struct wire body = { 0 };

    while (pos + 5 <= len && d[pos] == 22 && record_len_at(d + pos, len - pos) <= len - pos)
    {
        ULONG rl = record_len_at(d + pos, len - pos);

        /* In TLS 1.3 only the first (ServerHello / ClientHello) record is plaintext. */
        memcpy(hdr, d + pos, 5);
        wire_push(&body, d + pos + 5, rl - 5);
        pos += rl;
        if (!merge || (pos < len && d[pos] != 22) || hdr[1] != 3)
            break;
        if (pos + 5 <= len && d[pos] == 22 && (d[pos + 3] << 8 | d[pos + 4]) + body.len > 16384)
            break;
        if (pos + 5 <= len && d[pos] == 22 && d[pos + 5] == 0x02)   /* ServerHello never merges past */
            break;
    }
    for (ULONG at = 0; at < body.len;)
    {
        ULONG n = merge ? body.len : 1 + rnd_below(body.len < 200 ? body.len : 200);

        if (n > body.len - at)
            n = body.len - at;
        hdr[3] = (BYTE)(n >> 8);
        hdr[4] = (BYTE)n;
        wire_push(out, hdr, 5);
        wire_push(out, body.data + at, n);
        at += n;
    }
    wire_push(out, d + pos, len - pos);
    wire_free(&body);
}

static void destroy(enum mutation m, const BYTE *d, ULONG len, struct wire *out)
{
    BYTE *copy = malloc(len + 1);
    ULONG at = random_record(d, len), n, i;
    BYTE garbage[64];

    memcpy(copy, d, len);
    switch (m)
    {
    case M_BITFLIP:
        for (i = 1 + rnd_below(8); i; i--)
            copy[rnd_below(len)] ^= (BYTE)(1u << rnd_below(8));
        wire_push(out, copy, len);
        break;
    case M_TRUNCATE:
        wire_push(out, copy, rnd_below(len));
        break;
    case M_OVERSIZE_LEN:
        if (at + 5 <= len)
        {
            static const unsigned int sizes[] = { 0xffff, 16384 + 2048 + 1, 16384 + 256 + 1, 16385 };
            unsigned int sz = rnd_below(2) ? sizes[rnd_below(4)] : ((copy[at + 3] << 8 | copy[at + 4]) + 1 + rnd_below(64));
            copy[at + 3] = (BYTE)(sz >> 8);
            copy[at + 4] = (BYTE)sz;
        }
        wire_push(out, copy, len);
        break;
    case M_ZERO_LEN:
        if (at + 5 <= len)
        {
            ULONG rl = record_len_at(copy + at, len - at);
            copy[at + 3] = copy[at + 4] = 0;
            wire_push(out, copy, at + 5);
            if (rl <= len - at)
                wire_push(out, copy + at + rl, len - at - rl);
        }
        else
            wire_push(out, copy, len);
        break;
    case M_CONTENT_TYPE:
        if (at < len)
            copy[at] = rnd_below(2) ? (BYTE)(20 + rnd_below(5)) : (BYTE)rnd();
        wire_push(out, copy, len);
        break;
    case M_GARBAGE:
        n = 1 + rnd_below(sizeof(garbage));
        for (i = 0; i < n; i++)
            garbage[i] = (BYTE)rnd();
        if (rnd_below(2))   /* something that looks like a record header */
        {
            garbage[0] = (BYTE)(20 + rnd_below(5));
            if (n > 1) garbage[1] = 3;
        }
        wire_push(out, copy, len);
        wire_push(out, garbage, n);
        break;
    case M_DUPLICATE:
        wire_push(out, copy, len);
        if (at < len)
            wire_push(out, copy + at, record_len_at(copy + at, len - at) <= len - at
                                    ? record_len_at(copy + at, len - at) : len - at);
        break;
    default:   /* M_DROP_TAIL: the last record goes missing */
    {
        ULONG pos = 0, last = 0;
        while (pos + 5 <= len)
        {
            last = pos;
            pos += record_len_at(d + pos, len - pos);
        }
        wire_push(out, copy, last);
        break;
    }
    }
    free(copy);
}

/* ---- handshake trials ---- */

struct plan {
    int target;          /* which token to mutate (counted over both sides) */
    enum mutation m;
    int delivered;
    BOOL applied;
    char log[256];       /* tokens as they went: c123 = client sent 123 bytes; * = mutated */
    int log_len;
};

static void plan_log(struct plan *p, BOOL from_server, ULONG len, BOOL mutated)
{
    if (p->log_len < (int)sizeof(p->log) - 16)
        p->log_len += snprintf(p->log + p->log_len, sizeof(p->log) - p->log_len, " %c%lu%s",
                               from_server ? 's' : 'c', len, mutated ? "*" : "");
}

static void hostile_hook(struct rconn *c, BOOL from_server, const BYTE *data, ULONG len, struct wire *to)
{
    struct plan *p = c->user;
    BOOL mutate = !p->applied && p->delivered++ == p->target;

    plan_log(p, from_server, len, mutate);
    if (!mutate)
    {
        wire_push(to, data, len);
        return;
    }
    p->applied = TRUE;
    st.inputs++;
    if (p->m == M_REFRAGMENT || p->m == M_COALESCE)
        reframe(data, len, p->m == M_COALESCE, to);
    else if (p->m == M_SPLIT_DELIVERY)
        wire_push(to, data, len);
    else
        destroy(p->m, data, len, to);
}

static ULONG random_chunk(struct rconn *c)
{
    (void)c;
    st.inputs++;
    return 1 + rnd_below(rnd_below(4) ? 16 : 700);
}

static BOOL check_calls_after_failure(CtxtHandle *ctx)
{
    SecPkgContext_StreamSizes sizes;
    BYTE buf[64] = { 0x17, 3, 3, 0, 20 };
    SecBuffer b[4] = { { sizeof(buf), SECBUFFER_DATA, buf } };
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    SECURITY_STATUS s;

    QueryContextAttributesW(ctx, SECPKG_ATTR_STREAM_SIZES, &sizes);
    s = DecryptMessage(ctx, &desc, 0, NULL);
    return s != SEC_E_OK;
}

static void delete_both(struct rconn *c, int trial)
{
    SECURITY_STATUS s;

    if (c->have_cctx && (s = DeleteSecurityContext(&c->cctx)) != SEC_E_OK)
    {
        st.delete_failed++;
        diag("trial %d: DeleteSecurityContext(client) = 0x%08lx", trial, s);
    }
    if (c->have_sctx && (s = DeleteSecurityContext(&c->sctx)) != SEC_E_OK)
    {
        st.delete_failed++;
        diag("trial %d: DeleteSecurityContext(server) = 0x%08lx", trial, s);
    }
    c->have_cctx = c->have_sctx = FALSE;
}

/* After a completed handshake, data must cross intact, unless a mutation
 * left debris in the stream: then each side may only fail with a documented
 * status, and never hand out bytes that were not sent. */
static void check_data_after_handshake(struct rconn *c, int trial, BOOL tls12, struct plan *plan)
{
    BOOL must_work;
    struct wire got = { 0 };
    BYTE msg[3000];
    ULONG len = 1 + rnd_below(sizeof(msg));
    SECURITY_STATUS s[3] = { SEC_E_OK, SEC_E_OK, SEC_E_OK };
    BOOL bad_bytes = FALSE;

    for (ULONG i = 0; i < len; i++)
        msg[i] = (BYTE)rnd();
    s[0] = rc_recv(c, FALSE, &got);                       /* tickets, or debris */
    bad_bytes |= got.len != 0;
    got.len = 0;
    if ((s[1] = rc_send(c, FALSE, msg, len)) == SEC_E_OK)
    {
        s[2] = rc_recv(c, TRUE, &got);
        bad_bytes |= got.len > len || memcmp(got.data, msg, got.len);
    }
    must_work = !plan->applied || plan->m >= M_DESTRUCTIVE;   /* the data record may have been the target */
    for (int i = 0; i < 3; i++)
    {
        count_status(s[i]);
        if (!decrypt_status_ok(s[i]))
        {
            st.bad_status++;
            diag("trial %d (%s, %s on token %d): undocumented status 0x%08lx after the handshake;%s", trial,
                 tls12 ? "TLS 1.2" : "TLS 1.3", mutation_names[plan->m], plan->target, s[i], plan->log);
        }
    }
    if (bad_bytes || (must_work && (s[0] || s[1] || s[2] || got.len != len)))
    {
        st.must_succeed_failed++;
        diag("trial %d (%s, %s on token %d): %s (0x%08lx 0x%08lx 0x%08lx);%s", trial, tls12 ? "TLS 1.2" : "TLS 1.3",
             mutation_names[plan->m], plan->target, bad_bytes ? "bytes that were never sent came out"
             : "data did not cross intact", s[0], s[1], s[2], plan->log);
    }
    wire_free(&got);
}

static void handshake_trial(int trial, BOOL tls12)
{
    struct rconn c;
    struct plan plan = { 0 };
    BOOL done;

    plan.m = (enum mutation)rnd_below(M_COUNT);
    plan.target = (int)rnd_below(tls12 ? 4 : 3);
    st.by_mutation[plan.m]++;
    rc_init(&c, &ccred, tls12 ? &scred_tls12 : &scred_any);
    c.hook = hostile_hook;
    c.user = &plan;
    if (plan.m == M_SPLIT_DELIVERY)
        c.chunk = random_chunk;
    done = rc_handshake(&c);
    count_status(c.cstatus);
    count_status(c.sstatus);
    if (!pair_statuses_ok(c.cstatus, c.sstatus))
    {
        st.bad_status++;
        diag("trial %d (%s, %s on token %d): undocumented status client 0x%08lx server 0x%08lx;%s", trial,
             tls12 ? "TLS 1.2" : "TLS 1.3", mutation_names[plan.m], plan.target, c.cstatus, c.sstatus, plan.log);
    }
    if (done)
    {
        st.handshakes_ok++;
        check_data_after_handshake(&c, trial, tls12, &plan);
    }
    else
    {
        st.handshakes_failed++;
        if (plan.m >= M_DESTRUCTIVE && plan.applied)
        {
            st.must_succeed_failed++;
            diag("trial %d (%s, %s on token %d): a valid stream failed: client 0x%08lx server 0x%08lx;%s", trial,
                 tls12 ? "TLS 1.2" : "TLS 1.3", mutation_names[plan.m], plan.target, c.cstatus, c.sstatus, plan.log);
        }
        if (c.have_cctx)
            check_calls_after_failure(&c.cctx);
        if (c.have_sctx)
            check_calls_after_failure(&c.sctx);
    }
    delete_both(&c, trial);
    rc_free(&c);
}

/* ---- record trials ---- */

/* After DecryptMessage failed on a record (a fatal error), the shutdown
 * token must carry that error's fatal alert (RFC 5246 7.2.2, RFC 8446 5.2):
 * the sender, reading it, must fail, not see close_notify. */
static void check_alert_after_failure(struct rconn *c, BOOL receiver_is_server, SECURITY_STATUS failed, int trial)
{
    DWORD type = SCHANNEL_SHUTDOWN;
    SecBuffer token = { sizeof(type), SECBUFFER_TOKEN, &type };
    SecBufferDesc desc = { SECBUFFER_VERSION, 1, &token };
    struct wire *back = receiver_is_server ? &c->s2c : &c->c2s;
    SECURITY_STATUS s;

    if (!FAILED(failed) || failed == SEC_E_INCOMPLETE_MESSAGE
        || ApplyControlToken(receiver_is_server ? &c->sctx : &c->cctx, &desc) != SEC_E_OK)
        return;
    back->len = 0;
    rc_step(c, receiver_is_server, 0);
    st.alerts_owed++;
    s = rc_recv(c, !receiver_is_server, NULL);
    if (!FAILED(s) || s == SEC_E_INCOMPLETE_MESSAGE)
    {
        st.closed_politely++;
        diag("trial %d: after DecryptMessage failed with 0x%08lx the shutdown token read as 0x%08lx, not a fatal alert",
             trial, failed, s);
    }
}

static void record_trial(int trial, BOOL tls12)
{
    struct rconn c;
    struct wire plain = { 0 }, sent = { 0 }, wire = { 0 };
    enum mutation m = (enum mutation)rnd_below(M_COUNT);
    BOOL from_server = rnd_below(2), destructive = m < M_DESTRUCTIVE;
    SECURITY_STATUS s = SEC_E_OK;
    int records = 1 + (int)rnd_below(3);

    st.by_mutation[m]++;
    rc_init(&c, &ccred, tls12 ? &scred_tls12 : &scred_any);
    if (!rc_handshake(&c) || rc_recv(&c, FALSE, NULL) != SEC_E_OK)
    {
        st.must_succeed_failed++;
        diag("trial %d: plain handshake failed (0x%08lx / 0x%08lx)", trial, c.cstatus, c.sstatus);
        delete_both(&c, trial);
        rc_free(&c);
        return;
    }
    st.handshakes_ok++;
    for (int i = 0; i < records; i++)
    {
        BYTE msg[2000];
        ULONG n = 1 + rnd_below(sizeof(msg));
        for (ULONG j = 0; j < n; j++)
            msg[j] = (BYTE)rnd();
        wire_push(&sent, msg, n);
        rc_send(&c, from_server, msg, n);
    }
    /* Take the records off the peer's wire and put them back mutated. */
    wire_push(&wire, (from_server ? &c.s2c : &c.c2s)->data, (from_server ? &c.s2c : &c.c2s)->len);
    (from_server ? &c.s2c : &c.c2s)->len = 0;
    st.inputs++;
    if (m == M_SPLIT_DELIVERY || m == M_REFRAGMENT)
    {
        /* Bytes arrive a few at a time; each call sees what has arrived. */
        for (ULONG at = 0; at < wire.len;)
        {
            ULONG n = 1 + rnd_below(m == M_SPLIT_DELIVERY ? 40 : 700);
            if (n > wire.len - at)
                n = wire.len - at;
            wire_push(from_server ? &c.s2c : &c.c2s, wire.data + at, n);
            at += n;
            s = rc_recv(&c, !from_server, &plain);
            count_status(s);
            if (s != SEC_E_OK && s != SEC_E_INCOMPLETE_MESSAGE)
                break;
            st.inputs++;
        }
    }
    else
    {
        if (destructive)
            destroy(m, wire.data, wire.len, from_server ? &c.s2c : &c.c2s);
        else   /* coalesced: every record at once, as one buffer */
            wire_push(from_server ? &c.s2c : &c.c2s, wire.data, wire.len);
        s = rc_recv(&c, !from_server, &plain);
        count_status(s);
    }
    if (!decrypt_status_ok(s))
    {
        st.bad_status++;
        diag("trial %d (%s, records, %s): undocumented DecryptMessage status 0x%08lx", trial,
             tls12 ? "TLS 1.2" : "TLS 1.3", mutation_names[m], s);
    }
    check_alert_after_failure(&c, !from_server, s, trial);
    if (plain.len > sent.len || (plain.len && memcmp(plain.data, sent.data, plain.len)))
    {
        st.must_succeed_failed++;
        diag("trial %d (%s, records, %s): DecryptMessage returned bytes that were not sent", trial,
             tls12 ? "TLS 1.2" : "TLS 1.3", mutation_names[m]);
    }
    else if (!destructive && (s != SEC_E_OK || plain.len != sent.len))
    {
        st.must_succeed_failed++;
        diag("trial %d (%s, records, %s): valid records failed: 0x%08lx, %lu of %lu bytes", trial,
             tls12 ? "TLS 1.2" : "TLS 1.3", mutation_names[m], s, plain.len, sent.len);
    }
    delete_both(&c, trial);
    wire_free(&plain);
    wire_free(&sent);
    wire_free(&wire);
    rc_free(&c);
}

/* ---- the server's flight before a bad record ---- */

/* The ClientHello and garbage in one AcceptSecurityContext input: the
 * server's whole flight comes out with the garbage left as EXTRA, and only
 * the next call may fail on it. */
static void flight_probe(int trial)
{
    struct rconn c;
    BYTE garbage[64];
    ULONG n = 1 + rnd_below(sizeof(garbage));
    SECURITY_STATUS s, next;

    rc_init(&c, &ccred, rnd_below(2) ? &scred_tls12 : &scred_any);
    for (ULONG i = 0; i < n; i++)
        garbage[i] = (BYTE)rnd();
    if (rnd_below(2))   /* a record header, of a record not allowed here */
        memcpy(garbage, "\x17\x03\x03\x00", n < 4 ? n : 4);
    st.flight_probes++;
    rc_step(&c, FALSE, 0);
    wire_push(&c.c2s, garbage, n);
    s = rc_step(&c, TRUE, c.c2s.len);
    next = rc_step(&c, TRUE, c.c2s.len);
    count_status(next);
    if (s != SEC_I_CONTINUE_NEEDED || c.c2s.len > n || c.s2c.len < 100 || c.s2c.data[0] != 22
        || !handshake_status_ok(next))
    {
        st.flights_lost++;
        diag("trial %d: ClientHello + %lu bytes of garbage: 0x%08lx with %lu bytes out, then 0x%08lx", trial, n, s,
             c.s2c.len, next);
    }
    delete_both(&c, trial);
    rc_free(&c);
}

/* An SSL 2.0 ClientHello (RFC 5246 E.2) asking for TLS 1.2. */
static BOOL sslv2_hello_accepted(void)
{
    struct rconn c;
    BYTE hello[128];
    ULONG len = (ULONG)sslv2_client_hello(hello, rnd());
    SECURITY_STATUS s;
    BOOL good;

    rc_init(&c, &ccred, &scred_any);
    wire_push(&c.c2s, hello, len);
    s = rc_step(&c, TRUE, c.c2s.len);
    good = s == SEC_I_CONTINUE_NEEDED && c.s2c.len > 11 && !memcmp(c.s2c.data, "\x16\x03\x03", 3)
           && !memcmp(c.s2c.data + 9, "\x03\x03", 2);
    if (!good)
        diag("SSLv2 ClientHello: 0x%08lx, %lu bytes out", s, c.s2c.len);
    delete_both(&c, -1);
    rc_free(&c);
    return good;
}

static unsigned long long env_number(const char *name, unsigned long long fallback)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : fallback;
}

int main(void)
{
    char product[64];
    unsigned long long seed = env_number("HOSTILE_SEED", 0x5eed0006ULL);
    int trials = (int)env_number("HOSTILE_TRIALS", 4000);
    DWORD start = GetTickCount();

    ok(secur32_is_ours(product, sizeof(product)), "testing secur32-gnutls, not Wine's secur32");
    if (!(server_cert = load_pfx("server-rsa")))
        return bail_out("cannot import tests/certs/server-rsa.pfx (run make-certs.sh)");
    diag("seed %llu (replay with HOSTILE_SEED=%llu HOSTILE_TRIALS=%d)", seed, seed, trials);
    rng_state = seed ? seed : 1;
    ok_hex(acquire_cred(&ccred, SECPKG_CRED_OUTBOUND, NULL, TRUE, 0, SCH_CRED_MANUAL_CRED_VALIDATION), SEC_E_OK,
           "client credential");
    ok_hex(acquire_cred(&scred_any, SECPKG_CRED_INBOUND, server_cert, TRUE, 0, 0), SEC_E_OK, "server credential");
    ok_hex(acquire_cred(&scred_tls12, SECPKG_CRED_INBOUND, server_cert, FALSE, SP_PROT_TLS1_2_SERVER, 0), SEC_E_OK,
           "TLS 1.2 server credential");
    for (int i = 0; i < trials; i++)
    {
        BOOL tls12 = rnd_below(2);
        st.trials++;
        if (rnd_below(3))
            handshake_trial(i, tls12);
        else
            record_trial(i, tls12);
    }
    for (int i = 0; i < trials / 40; i++)
        flight_probe(trials + i);
    diag("%d trials, %d mutated inputs in %lu ms; %d handshakes completed, %d refused", st.trials, st.inputs,
         GetTickCount() - start, st.handshakes_ok, st.handshakes_failed);
    for (int m = 0; m < M_COUNT; m++)
        diag("  %-24s %d trials", mutation_names[m], st.by_mutation[m]);
    for (int i = 0; i < 32 && st.seen_count[i]; i++)
        diag("  status 0x%08lx seen %d times", st.seen[i], st.seen_count[i]);
    ok(st.inputs >= trials, "%d mutated inputs fed to live contexts", st.inputs);
    ok(st.bad_status == 0, "every call returned a documented status (%d did not)", st.bad_status);
    ok(st.must_succeed_failed == 0, "valid streams succeeded with the data intact (%d did not)",
       st.must_succeed_failed);
    ok(st.alerts_owed > trials / 20 && st.closed_politely == 0,
       "after a fatal record error the shutdown sends its alert, not close_notify (%d of %d did not)",
       st.closed_politely, st.alerts_owed);
    ok(st.flight_probes > 0 && st.flights_lost == 0,
       "ClientHello + garbage: the server's flight comes out, the garbage waits (%d of %d did not)",
       st.flights_lost, st.flight_probes);
    ok(sslv2_hello_accepted(), "an SSL 2.0 ClientHello is answered with a TLS 1.2 ServerHello");
    ok(st.delete_failed == 0, "DeleteSecurityContext succeeded on every context (%d failed)", st.delete_failed);
    ok(st.handshakes_ok > trials / 4 && st.handshakes_failed > trials / 10, "both outcomes were exercised");
    ok_hex(FreeCredentialsHandle(&ccred), SEC_E_OK, "client credential freed");
    ok_hex(FreeCredentialsHandle(&scred_any), SEC_E_OK, "server credential freed");
    ok_hex(FreeCredentialsHandle(&scred_tls12), SEC_E_OK, "TLS 1.2 server credential freed");
    CertFreeCertificateContext(server_cert);
    return tap_done();
}
