/* The record layer through SSPI as callers use it: several records in one
 * DecryptMessage input (EXTRA), an incomplete record (MISSING), libgit2's
 * 3-buffer EncryptMessage, the fixed output indexes, and alerts queued with
 * ApplyControlToken; two threads decrypting on one context. */
#include <string.h>
#include "tlsutil.h"

static PCCERT_CONTEXT server_cert;

static ULONG encrypt_into(CtxtHandle *ctx, const char *text, BYTE *out)
{
    SecPkgContext_StreamSizes sizes;
    SecBuffer b[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    ULONG len = (ULONG)strlen(text);

    QueryContextAttributesW(ctx, SECPKG_ATTR_STREAM_SIZES, &sizes);
    b[0].BufferType = SECBUFFER_STREAM_HEADER; b[0].pvBuffer = out; b[0].cbBuffer = sizes.cbHeader;
    b[1].BufferType = SECBUFFER_DATA; b[1].pvBuffer = out + sizes.cbHeader; b[1].cbBuffer = len;
    b[2].BufferType = SECBUFFER_STREAM_TRAILER; b[2].pvBuffer = out + sizes.cbHeader + len; b[2].cbBuffer = sizes.cbTrailer;
    b[3].BufferType = SECBUFFER_EMPTY; b[3].pvBuffer = NULL; b[3].cbBuffer = 0;
    memcpy(out + sizes.cbHeader, text, len);
    if (EncryptMessage(ctx, 0, &desc, 0))
        return 0;
    return b[0].cbBuffer + b[1].cbBuffer + b[2].cbBuffer;
}

static SECURITY_STATUS decrypt(CtxtHandle *ctx, BYTE *data, ULONG size, SecBuffer *b)
{
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, b };
    int i;

    b[0].BufferType = SECBUFFER_DATA; b[0].pvBuffer = data; b[0].cbBuffer = size;
    for (i = 1; i < 4; i++) { b[i].BufferType = SECBUFFER_EMPTY; b[i].pvBuffer = NULL; b[i].cbBuffer = 0; }
    return DecryptMessage(ctx, &desc, 0, NULL);
}

static void test_coalesced_and_partial(CtxtHandle *from, CtxtHandle *to, const char *proto)
{
    static BYTE wire[4096];
    const char *msgs[] = { "first", "second record", "third and last" };
    ULONG lens[3], total = 0, pos = 0, i;
    SecBuffer b[4];

    for (i = 0; i < 3; i++)
    {
        lens[i] = encrypt_into(from, msgs[i], wire + total);
        total += lens[i];
    }
    ok(lens[0] && lens[1] && lens[2], "%s: three records encrypted (%lu bytes)", proto, total);
    for (i = 0; i < 3; i++)
    {
        SECURITY_STATUS status = decrypt(to, wire + pos, total - pos, b);
        ok_hex(status, SEC_E_OK, "%s: record %lu of a coalesced input decrypts", proto, i + 1);
        ok(b[0].BufferType == SECBUFFER_STREAM_HEADER && b[1].BufferType == SECBUFFER_DATA
           && b[2].BufferType == SECBUFFER_STREAM_TRAILER, "%s: buffers 0..2 are HEADER, DATA, TRAILER", proto);
        ok(b[1].cbBuffer == strlen(msgs[i]) && !memcmp(b[1].pvBuffer, msgs[i], b[1].cbBuffer),
           "%s: record %lu plaintext in place", proto, i + 1);
        ok((BYTE *)b[1].pvBuffer > wire + pos && (BYTE *)b[1].pvBuffer < wire + pos + lens[i],
           "%s: DATA points inside the input record", proto);
        if (i < 2)
            ok(b[3].BufferType == SECBUFFER_EXTRA && b[3].cbBuffer == total - pos - lens[i]
               && b[3].pvBuffer == wire + pos + lens[i], "%s: EXTRA holds the %lu bytes after record %lu", proto,
               total - pos - lens[i], i + 1);
        else
            ok(b[3].BufferType == SECBUFFER_EMPTY, "%s: no EXTRA after the last record", proto);
        pos += lens[i];
    }

    /* Incomplete: 0 bytes need a header (5), 4 bytes need 1, a header needs the body. */
    total = encrypt_into(from, "partial", wire);
    ok_hex(decrypt(to, wire, 4, b), SEC_E_INCOMPLETE_MESSAGE, "%s: 4 bytes: SEC_E_INCOMPLETE_MESSAGE", proto);
    /* As on Windows, the DATA buffer itself becomes SECBUFFER_MISSING. */
    ok(b[0].BufferType == SECBUFFER_MISSING && b[0].cbBuffer == 1, "%s: MISSING 1 after 4 header bytes (%lu)", proto,
       b[0].cbBuffer);
    ok_hex(decrypt(to, wire, 10, b), SEC_E_INCOMPLETE_MESSAGE, "%s: 10 bytes: incomplete", proto);
    ok(b[0].BufferType == SECBUFFER_MISSING && b[0].cbBuffer == total - 10, "%s: MISSING %lu (%lu)", proto,
       total - 10, b[0].cbBuffer);
    ok_hex(decrypt(to, wire, total, b), SEC_E_OK, "%s: the whole record then decrypts", proto);
    ok(b[1].cbBuffer == 7 && !memcmp(b[1].pvBuffer, "partial", 7), "%s: and nothing was lost", proto);
}

static void test_three_buffer_encrypt(CtxtHandle *from, CtxtHandle *to)
{
    SecPkgContext_StreamSizes sizes;
    static BYTE wire[4096];
    SecBuffer eb[3], db[4];
    SecBufferDesc edesc = { SECBUFFER_VERSION, 3, eb };
    const char *text = "three buffers, as libgit2 sends them";
    ULONG len = (ULONG)strlen(text);

    QueryContextAttributesW(from, SECPKG_ATTR_STREAM_SIZES, &sizes);
    eb[0].BufferType = SECBUFFER_STREAM_HEADER; eb[0].pvBuffer = wire; eb[0].cbBuffer = sizes.cbHeader;
    eb[1].BufferType = SECBUFFER_DATA; eb[1].pvBuffer = wire + sizes.cbHeader; eb[1].cbBuffer = len;
    eb[2].BufferType = SECBUFFER_STREAM_TRAILER; eb[2].pvBuffer = wire + sizes.cbHeader + len; eb[2].cbBuffer = sizes.cbTrailer;
    memcpy(wire + sizes.cbHeader, text, len);
    ok_hex(EncryptMessage(from, 0, &edesc, 0), SEC_E_OK, "3-buffer EncryptMessage");
    ok(eb[0].cbBuffer == sizes.cbHeader && eb[1].cbBuffer == len && eb[2].cbBuffer <= sizes.cbTrailer,
       "header and data sizes stay, the trailer may shrink (%lu/%lu/%lu)", eb[0].cbBuffer, eb[1].cbBuffer,
       eb[2].cbBuffer);
    ok_hex(decrypt(to, wire, eb[0].cbBuffer + eb[1].cbBuffer + eb[2].cbBuffer, db), SEC_E_OK, "and it decrypts");
    ok(db[1].cbBuffer == len && !memcmp(db[1].pvBuffer, text, len), "to the same text");
}

static void test_decrypt_buffer_rules(CtxtHandle *ctx)
{
    BYTE data[64] = { 0 };
    SecBuffer b[4];
    SecBufferDesc three = { SECBUFFER_VERSION, 3, b }, four = { SECBUFFER_VERSION, 4, b };
    int i;

    for (i = 0; i < 4; i++) { b[i].BufferType = SECBUFFER_EMPTY; b[i].pvBuffer = NULL; b[i].cbBuffer = 0; }
    b[0].BufferType = SECBUFFER_DATA; b[0].pvBuffer = data; b[0].cbBuffer = sizeof(data);
    ok_hex(DecryptMessage(ctx, &three, 0, NULL), SEC_E_INVALID_TOKEN, "DecryptMessage with 3 buffers: SEC_E_INVALID_TOKEN");
    b[1].BufferType = SECBUFFER_DATA;
    ok_hex(DecryptMessage(ctx, &four, 0, NULL), SEC_E_INVALID_TOKEN, "two DATA buffers: SEC_E_INVALID_TOKEN");
    b[1].BufferType = SECBUFFER_EMPTY;
    b[0].BufferType = SECBUFFER_EMPTY;
    ok_hex(DecryptMessage(ctx, &four, 0, NULL), SEC_E_INVALID_TOKEN, "no DATA buffer: SEC_E_INVALID_TOKEN");
}

static void test_alert_token(void)
{
    SCHANNEL_ALERT_TOKEN alert = { SCHANNEL_ALERT, TLS1_ALERT_FATAL, TLS1_ALERT_ACCESS_DENIED };
    SecBuffer tb = { sizeof(alert), SECBUFFER_TOKEN, &alert }, ob = { 0, SECBUFFER_TOKEN, NULL }, b[4];
    SecBufferDesc tdesc = { SECBUFFER_VERSION, 1, &tb }, odesc = { SECBUFFER_VERSION, 1, &ob };
    struct tls_pair p;
    ULONG attrs;
    DWORD renegotiate = SCHANNEL_RENEGOTIATE, tiny = 0;
    SecBuffer rb = { sizeof(renegotiate), SECBUFFER_TOKEN, &renegotiate };
    SecBufferDesc rdesc = { SECBUFFER_VERSION, 1, &rb };

    if (!pair_connect(&p, server_cert, FALSE, SP_PROT_TLS1_2_CLIENT, SP_PROT_TLS1_2_SERVER))
    {
        ok(0, "pair for alerts");
        return;
    }
    ok_hex(ApplyControlToken(&p.sctx, &rdesc), SEC_E_UNSUPPORTED_FUNCTION, "SCHANNEL_RENEGOTIATE: unsupported");
    rb.pvBuffer = &tiny;
    rb.cbBuffer = 2;
    ok_hex(ApplyControlToken(&p.sctx, &rdesc), SEC_E_UNSUPPORTED_FUNCTION, "token under 4 bytes: unsupported");
    rb.BufferType = SECBUFFER_DATA;
    ok_hex(ApplyControlToken(&p.sctx, &rdesc), SEC_E_INVALID_TOKEN, "wrong buffer type: SEC_E_INVALID_TOKEN");
    ok_hex(ApplyControlToken(&p.sctx, &tdesc), SEC_E_OK, "ApplyControlToken(SCHANNEL_ALERT)");
    ok_hex(AcceptSecurityContext(&p.scred, &p.sctx, NULL, p.sreq, 0, NULL, &odesc, &attrs, NULL), SEC_E_OK,
           "ASC emits the alert");
    ok(ob.cbBuffer == 7 || ob.cbBuffer > 7, "an alert record came out (%lu bytes)", ob.cbBuffer);
    ok_hex(decrypt(&p.cctx, ob.pvBuffer, ob.cbBuffer, b), SEC_E_ILLEGAL_MESSAGE,
           "the client reads access_denied as a fatal alert");
    FreeContextBuffer(ob.pvBuffer);
    pair_teardown(&p);
}

/* Two threads call DecryptMessage on one context at once, each with its own
 * copy of the same record.  The calls must take turns: the first decrypts
 * the record intact, the second finds it already consumed (a MAC failure,
 * the sequence number having moved on) - never both OK, never a crash.
 * Racing in the session, both could read the same sequence number or
 * corrupt each other's state. */
#define RACE_ROUNDS 24

struct race_thread {
    HANDLE start;
    CtxtHandle *ctx;
    BYTE wire[512];
    ULONG size;
    SECURITY_STATUS status;
    char text[64];
};

static DWORD WINAPI race_decrypt(void *arg)
{
    struct race_thread *t = arg;
    SecBuffer b[4];

    WaitForSingleObject(t->start, INFINITE);
    t->status = decrypt(t->ctx, t->wire, t->size, b);
    if (t->status == SEC_E_OK && b[1].cbBuffer < sizeof(t->text))
        memcpy(t->text, b[1].pvBuffer, b[1].cbBuffer);
    return 0;
}

/* One round: returns TRUE if exactly one thread got the record, intact. */
static BOOL race_round(int round, BOOL *hung)
{
    struct race_thread t[2];
    HANDLE threads[2], start = CreateEventW(NULL, TRUE, FALSE, NULL);
    char text[64];
    struct tls_pair p;
    BOOL v5 = round % 2, good = FALSE;
    int i;

    memset(t, 0, sizeof(t));
    if (!pair_connect(&p, server_cert, v5, v5 ? 0 : SP_PROT_TLS1_2_CLIENT, v5 ? 0 : SP_PROT_TLS1_2_SERVER))
    {
        pair_teardown(&p);
        CloseHandle(start);
        return FALSE;
    }
    snprintf(text, sizeof(text), "record of round %d", round);
    t[0].size = t[1].size = encrypt_into(&p.cctx, text, t[0].wire);
    memcpy(t[1].wire, t[0].wire, t[0].size);
    for (i = 0; i < 2; i++)
    {
        t[i].start = start;
        t[i].ctx = &p.sctx;
        threads[i] = CreateThread(NULL, 0, race_decrypt, &t[i], 0, NULL);
    }
    SetEvent(start);
    if (WaitForMultipleObjects(2, threads, TRUE, 30000) != WAIT_OBJECT_0)
        *hung = TRUE;
    else if (t[0].size)
        good = (t[0].status == SEC_E_OK) != (t[1].status == SEC_E_OK)
            && !strcmp(t[t[0].status == SEC_E_OK ? 0 : 1].text, text);
    if (!good)
        diag("round %d: statuses %#lx %#lx", round, (unsigned long)t[0].status, (unsigned long)t[1].status);
    for (i = 0; i < 2; i++)
        CloseHandle(threads[i]);
    CloseHandle(start);
    pair_teardown(&p);
    return good;
}

static void test_concurrent_decrypt(void)
{
    int round, good = 0;
    BOOL hung = FALSE;

    for (round = 0; round < RACE_ROUNDS && !hung; round++)
        good += race_round(round, &hung);
    ok(!hung, "two threads decrypting on one context both return");
    ok(good == RACE_ROUNDS, "%d of %d rounds (TLS 1.2 and 1.3): exactly one of two concurrent DecryptMessage calls "
       "gets the record, intact", good, RACE_ROUNDS);
}

int main(void)
{
    char product[64];
    struct tls_pair p;

    ok(secur32_is_ours(product, sizeof(product)), "testing secur32-gnutls, not Wine's secur32");
    if (!(server_cert = load_pfx("server-rsa")))
        return bail_out("cannot import tests/certs/server-rsa.pfx");
    if (pair_connect(&p, server_cert, FALSE, SP_PROT_TLS1_2_CLIENT, SP_PROT_TLS1_2_SERVER))
    {
        test_coalesced_and_partial(&p.cctx, &p.sctx, "TLS1.2 c->s");
        test_coalesced_and_partial(&p.sctx, &p.cctx, "TLS1.2 s->c");
        test_three_buffer_encrypt(&p.cctx, &p.sctx);
        test_decrypt_buffer_rules(&p.sctx);
    }
    else
        ok(0, "TLS 1.2 pair connects");
    pair_teardown(&p);
    if (pair_connect(&p, server_cert, TRUE, 0, 0))
        test_coalesced_and_partial(&p.cctx, &p.sctx, "TLS1.3 c->s");
    else
        ok(0, "TLS 1.3 pair connects");
    pair_teardown(&p);
    test_alert_token();
    test_concurrent_decrypt();
    CertFreeCertificateContext(server_cert);
    return tap_done();
}
