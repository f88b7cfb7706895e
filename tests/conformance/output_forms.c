/* Every shape of ISC/ASC output descriptor Windows accepts, on the first call
 * and on every later one, through a whole handshake and a close_notify:
 *
 *  token-alloc   one TOKEN {0, NULL} with ALLOCATE_MEMORY (most callers)
 *  empty-alloc   one EMPTY {0, NULL} with ALLOCATE_MEMORY (curl's first ISC
 *                and its shutdown ISC: the token comes back in that buffer)
 *  curl-later    TOKEN, ALERT, EMPTY, all {0, NULL}, with ALLOCATE_MEMORY
 *                (curl's later ISC calls)
 *  token-null    one TOKEN {0, NULL} without ALLOCATE_MEMORY: the package
 *                allocates anyway (there is nowhere else for the token)
 *  empty-null    one EMPTY {0, NULL} without ALLOCATE_MEMORY: the same
 *  token-caller  one TOKEN with the caller's memory, no ALLOCATE_MEMORY
 *  empty-caller  one EMPTY with the caller's memory, no ALLOCATE_MEMORY
 *  many          EMPTY, ALERT, EMPTY, TOKEN with ALLOCATE_MEMORY: the TOKEN
 *                is used even when it is not first, the rest stay empty
 *
 * Each call is checked for its status, where the token went, that it holds
 * whole TLS records, that the other buffers stay empty, and that
 * ISC/ASC_RET_ALLOCATED_MEMORY says exactly when the caller must free. */
#include <string.h>
#include "tlsutil.h"

static PCCERT_CONTEXT server_cert;

enum form { TOKEN_ALLOC, EMPTY_ALLOC, CURL_LATER, TOKEN_NULL, EMPTY_NULL, TOKEN_CALLER, EMPTY_CALLER, MANY, FORMS };

static const char *form_name[FORMS] = { "token-alloc", "empty-alloc", "curl-later", "token-null", "empty-null",
                                        "token-caller", "empty-caller", "many" };

struct out {
    SecBuffer b[4];
    SecBufferDesc desc;
    ULONG token;          /* index of the buffer the token must land in */
    BOOL allocates;       /* the package allocates the token */
    BOOL req_alloc;       /* ALLOCATE_MEMORY is in the request */
    BYTE space[32768];
};

static void set(SecBuffer *b, ULONG type, void *p, ULONG size)
{
    b->BufferType = type;
    b->pvBuffer = p;
    b->cbBuffer = size;
}

static void out_init(struct out *o, enum form f)
{
    memset(o->b, 0, sizeof(o->b));
    o->desc.ulVersion = SECBUFFER_VERSION;
    o->desc.pBuffers = o->b;
    o->desc.cBuffers = 1;
    o->token = 0;
    o->req_alloc = f == TOKEN_ALLOC || f == EMPTY_ALLOC || f == CURL_LATER || f == MANY;
    o->allocates = f != TOKEN_CALLER && f != EMPTY_CALLER;
    switch (f)
    {
    case TOKEN_ALLOC: case TOKEN_NULL: set(&o->b[0], SECBUFFER_TOKEN, NULL, 0); break;
    case EMPTY_ALLOC: case EMPTY_NULL: set(&o->b[0], SECBUFFER_EMPTY, NULL, 0); break;
    case TOKEN_CALLER: set(&o->b[0], SECBUFFER_TOKEN, o->space, sizeof(o->space)); break;
    case EMPTY_CALLER: set(&o->b[0], SECBUFFER_EMPTY, o->space, sizeof(o->space)); break;
    case CURL_LATER:
        set(&o->b[0], SECBUFFER_TOKEN, NULL, 0);
        set(&o->b[1], SECBUFFER_ALERT, NULL, 0);
        set(&o->b[2], SECBUFFER_EMPTY, NULL, 0);
        o->desc.cBuffers = 3;
        break;
    case MANY:
        set(&o->b[0], SECBUFFER_EMPTY, NULL, 0);
        set(&o->b[1], SECBUFFER_ALERT, NULL, 0);
        set(&o->b[2], SECBUFFER_EMPTY, NULL, 0);
        set(&o->b[3], SECBUFFER_TOKEN, NULL, 0);
        o->desc.cBuffers = 4;
        o->token = 3;
        break;
    default: break;
    }
}

/* TRUE when the bytes are one or more whole TLS records and nothing else,
 * the first of `content_type` (21 alert, 23 protected), or for 0 a
 * handshake flight (22 handshake, 20 ChangeCipherSpec, 23 protected TLS 1.3
 * handshake messages and tickets). */
static BOOL whole_records(const BYTE *p, ULONG size, BYTE content_type)
{
    ULONG at = 0;

    if (!p || size < 5)
        return FALSE;
    if (content_type ? p[0] != content_type : (p[0] != 22 && p[0] != 20 && p[0] != 23))
        return FALSE;
    while (at + 5 <= size)
    {
        if (p[at + 1] != 3)
            return FALSE;
        at += 5 + ((ULONG)p[at + 3] << 8 | p[at + 4]);
    }
    return at == size;
}

/* Checks one call's output and appends the token to `to`.  `label` names
 * the form and the call. */
static void check_out(struct out *o, const char *label, ULONG attrs, BOOL server, BYTE content_type,
                      struct wire *to)
{
    SecBuffer *t = &o->b[o->token];
    ULONG allocated = server ? ASC_RET_ALLOCATED_MEMORY : ISC_RET_ALLOCATED_MEMORY;
    BOOL others_empty = TRUE;
    ULONG i;

    if (!ok(whole_records(t->pvBuffer, t->cbBuffer, content_type), "%s: the token buffer holds whole records "
            "(%lu bytes, content type %d)", label, t->cbBuffer, content_type))
        return;
    ok(o->allocates ? t->pvBuffer != o->space : t->pvBuffer == o->space,
       "%s: the token is %s", label, o->allocates ? "in memory the package allocated" : "in the caller's memory");
    ok(!!(attrs & allocated) == o->allocates, "%s: %s_RET_ALLOCATED_MEMORY is %s (attrs %#lx)", label,
       server ? "ASC" : "ISC", o->allocates ? "set" : "clear", attrs);
    /* The token goes where the caller put the buffer; an EMPTY buffer used
     * as the token is reported as the TOKEN it now is or left EMPTY. */
    ok(t->BufferType == SECBUFFER_TOKEN || t->BufferType == SECBUFFER_EMPTY, "%s: token buffer type %lu", label,
       t->BufferType);
    for (i = 0; i < o->desc.cBuffers; i++)
        if (i != o->token && o->b[i].cbBuffer)
            others_empty = FALSE;
    ok(others_empty, "%s: the other %lu output buffers stay empty", label, o->desc.cBuffers - 1);
    if (t->pvBuffer)
        wire_push(to, t->pvBuffer, t->cbBuffer);
    if (o->allocates)
        ok_hex(FreeContextBuffer(t->pvBuffer), SEC_E_OK, "%s: FreeContextBuffer on the token", label);
}

struct side {
    CredHandle cred;
    CtxtHandle ctx;
    BOOL have;
    BOOL server;
    SECURITY_STATUS status;
    int calls;
};

static struct wire c2s, s2c;   /* tlsutil.h's growable queue */

/* One call of one side on everything the peer sent; output into `to`.
 * Its own step, not tlsutil's tls_call_once: the output descriptor is the
 * odd shape under test (form `f`), checked call by call. */
static void step(struct side *s, enum form f, struct wire *from, struct wire *to, const char *proto)
{
    SecBuffer in[2];
    SecBufferDesc idesc = { SECBUFFER_VERSION, 2, in };
    ULONG req, attrs = 0, extra;
    struct out o;
    char label[96];

    out_init(&o, f);
    s->calls++;
    snprintf(label, sizeof(label), "%s %s %s call %d", proto, form_name[f], s->server ? "ASC" : "ISC", s->calls);
    set(&in[0], SECBUFFER_TOKEN, from->data, from->len);
    set(&in[1], SECBUFFER_EMPTY, NULL, 0);
    if (s->server)
    {
        req = (SERVER_REQ & ~ASC_REQ_ALLOCATE_MEMORY) | (o.req_alloc ? ASC_REQ_ALLOCATE_MEMORY : 0);
        s->status = AcceptSecurityContext(&s->cred, s->have ? &s->ctx : NULL, &idesc, req, 0,
                                          s->have ? NULL : &s->ctx, &o.desc, &attrs, NULL);
    }
    else
    {
        req = (CLIENT_REQ & ~ISC_REQ_ALLOCATE_MEMORY) | (o.req_alloc ? ISC_REQ_ALLOCATE_MEMORY : 0);
        s->status = InitializeSecurityContextW(&s->cred, s->have ? &s->ctx : NULL, (SEC_WCHAR *)L"localhost", req,
                                               0, 0, s->have ? &idesc : NULL, 0, s->have ? NULL : &s->ctx,
                                               &o.desc, &attrs, NULL);
    }
    if (s->status != SEC_I_CONTINUE_NEEDED && s->status != SEC_E_OK)
    {
        ok(0, "%s: status %#lx", label, (unsigned long)s->status);
        return;
    }
    s->have = TRUE;
    if (s->calls > 1 || s->server)
    {
        extra = in[1].BufferType == SECBUFFER_EXTRA ? in[1].cbBuffer : 0;
        wire_consume(from, from->len - extra);
    }
    if (o.b[o.token].cbBuffer)
        check_out(&o, label, attrs, s->server, 0, to);
    else if (s->status == SEC_I_CONTINUE_NEEDED)
        ok(0, "%s: SEC_I_CONTINUE_NEEDED without a token", label);
}

/* The client's close_notify through ApplyControlToken and one more ISC in
 * the form, then the server sees SEC_I_CONTEXT_EXPIRED. */
static void close_notify(struct side *c, struct side *s, enum form f, const char *proto, BYTE record_type)
{
    DWORD shut = SCHANNEL_SHUTDOWN;
    SecBuffer tb = { sizeof(shut), SECBUFFER_TOKEN, &shut }, db[4];
    SecBufferDesc tdesc = { SECBUFFER_VERSION, 1, &tb }, ddesc = { SECBUFFER_VERSION, 4, db };
    ULONG req = (CLIENT_REQ & ~ISC_REQ_ALLOCATE_MEMORY), attrs = 0, i;
    struct out o;
    char label[96];

    out_init(&o, f);
    if (o.req_alloc)
        req |= ISC_REQ_ALLOCATE_MEMORY;
    snprintf(label, sizeof(label), "%s %s shutdown ISC", proto, form_name[f]);
    ok_hex(ApplyControlToken(&c->ctx, &tdesc), SEC_E_OK, "%s: ApplyControlToken(SCHANNEL_SHUTDOWN)", label);
    ok_hex(InitializeSecurityContextW(&c->cred, &c->ctx, (SEC_WCHAR *)L"localhost", req, 0, 0, NULL, 0, &c->ctx,
                                      &o.desc, &attrs, NULL), SEC_E_OK, "%s: returns SEC_E_OK", label);
    c2s.len = 0;
    check_out(&o, label, attrs, FALSE, record_type, &c2s);
    set(&db[0], SECBUFFER_DATA, c2s.data, c2s.len);
    for (i = 1; i < 4; i++)
        set(&db[i], SECBUFFER_EMPTY, NULL, 0);
    ok_hex(DecryptMessage(&s->ctx, &ddesc, 0, NULL), SEC_I_CONTEXT_EXPIRED,
           "%s: the server reads it as close_notify (SEC_I_CONTEXT_EXPIRED)", label);
}

/* A whole handshake with both sides passing output in form `f`. */
static void handshake(enum form f, BOOL v5, DWORD protocols, const char *proto)
{
    struct side c = { .server = FALSE, .status = SEC_I_CONTINUE_NEEDED }, s = { .server = TRUE, .status = SEC_I_CONTINUE_NEEDED };
    int guard = 0;

    if (acquire_cred(&c.cred, SECPKG_CRED_OUTBOUND, NULL, v5, protocols, SCH_CRED_MANUAL_CRED_VALIDATION)
        || acquire_cred(&s.cred, SECPKG_CRED_INBOUND, server_cert, v5, 0, 0))
    {
        ok(0, "%s %s: credentials", proto, form_name[f]);
        return;
    }
    c2s.len = s2c.len = 0;
    step(&c, f, &s2c, &c2s, proto);
    while (guard++ < 8 && c.status == SEC_I_CONTINUE_NEEDED && (c2s.len || s2c.len))
    {
        if (c2s.len && s.status != SEC_E_OK)
            step(&s, f, &c2s, &s2c, proto);
        if (s2c.len && c.status == SEC_I_CONTINUE_NEEDED)
            step(&c, f, &s2c, &c2s, proto);
    }
    if (c2s.len && s.status == SEC_I_CONTINUE_NEEDED)   /* TLS 1.3: the client's Finished */
        step(&s, f, &c2s, &s2c, proto);
    ok(c.status == SEC_E_OK && s.status == SEC_E_OK, "%s %s: handshake completes (client %#lx after %d calls, "
       "server %#lx after %d)", proto, form_name[f], (unsigned long)c.status, c.calls, (unsigned long)s.status,
       s.calls);
    if (c.status == SEC_E_OK && s.status == SEC_E_OK)
        close_notify(&c, &s, f, proto, v5 ? 23 : 21);   /* TLS 1.3 hides the alert's type */
    if (c.have)
        DeleteSecurityContext(&c.ctx);
    if (s.have)
        DeleteSecurityContext(&s.ctx);
    FreeCredentialsHandle(&c.cred);
    FreeCredentialsHandle(&s.cred);
}

/* Descriptors with nowhere for a token are refused before anything is sent. */
static void refusals(void)
{
    SecBuffer b[2];
    SecBufferDesc desc = { SECBUFFER_VERSION, 1, b };
    CredHandle cred;
    CtxtHandle ctx;
    ULONG attrs;

    if (acquire_cred(&cred, SECPKG_CRED_OUTBOUND, NULL, TRUE, 0, SCH_CRED_MANUAL_CRED_VALIDATION))
        return;
    set(&b[0], SECBUFFER_ALERT, NULL, 0);
    ok_hex(InitializeSecurityContextW(&cred, NULL, (SEC_WCHAR *)L"localhost", CLIENT_REQ, 0, 0, NULL, 0, &ctx, &desc,
                                      &attrs, NULL), SEC_E_INVALID_TOKEN, "only an ALERT buffer: SEC_E_INVALID_TOKEN");
    desc.cBuffers = 0;
    ok_hex(InitializeSecurityContextW(&cred, NULL, (SEC_WCHAR *)L"localhost", CLIENT_REQ, 0, 0, NULL, 0, &ctx, &desc,
                                      &attrs, NULL), SEC_E_INVALID_TOKEN, "no output buffers: SEC_E_INVALID_TOKEN");
    desc.cBuffers = 1;
    set(&b[0], SECBUFFER_TOKEN, b, 0);   /* memory, but no room, and no ALLOCATE_MEMORY */
    ok_hex(InitializeSecurityContextW(&cred, NULL, (SEC_WCHAR *)L"localhost", CLIENT_REQ & ~ISC_REQ_ALLOCATE_MEMORY,
                                      0, 0, NULL, 0, &ctx, &desc, &attrs, NULL), SEC_E_INSUFFICIENT_MEMORY,
           "a TOKEN with memory but no room and no ALLOCATE_MEMORY: SEC_E_INSUFFICIENT_MEMORY");
    FreeCredentialsHandle(&cred);
}

int main(void)
{
    int f;

    if (!(server_cert = load_pfx("server-rsa")))
    {
        printf("1..0 # SKIP no server certificate (tests/certs)\n");
        return 0;
    }
    for (f = 0; f < FORMS; f++)
    {
        handshake(f, FALSE, SP_PROT_TLS1_2_CLIENT, "TLS1.2");
        handshake(f, TRUE, 0, "TLS1.3");
    }
    refusals();
    CertFreeCertificateContext(server_cert);
    return tap_done();
}
