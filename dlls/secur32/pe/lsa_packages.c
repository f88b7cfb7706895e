/*
 * NTLM, Kerberos and Negotiate.  Wine ships NTLM (msv1_0.dll) and Kerberos
 * (kerberos.dll) as LSA-mode security packages: DLLs exporting
 * SpLsaModeInitialize and SpUserModeInitialize, which hand out a
 * SECPKG_FUNCTION_TABLE (credentials, context establishment, attributes) and
 * a SECPKG_USER_FUNCTION_TABLE (signing, sealing).  Windows runs the first
 * table inside lsass; we host both in the caller's process, as an LSA of our
 * own with a minimal LSA_SECPKG_FUNCTION_TABLE (heap, "client" buffers that
 * are plain memory here, caller information).  Callbacks we do not provide
 * answer STATUS_NOT_IMPLEMENTED and leave a trace naming their slot.
 *
 * Negotiate is ours: its credential holds one credential of each package
 * available; a client context tries Kerberos first and falls back to NTLM,
 * a server context follows the first token it receives.  Tokens are the
 * chosen package's own (no SPNEGO wrapping), as Wine's builtin does.
 *
 * Handles carry their own types (HANDLE_TYPE_LSA_CRED/CTXT): the registry
 * (package.c) routes them to lsa_package_ops, at the end of this file.
 */
#include "lsa_packages.h"
#include <ntsecapi.h>
#include <ntsecpkg.h>

#ifndef STATUS_SUCCESS
#define STATUS_SUCCESS ((NTSTATUS)0)
#endif
#ifndef STATUS_NO_MEMORY
#define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017L)
#endif
#ifndef STATUS_NOT_IMPLEMENTED
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002L)
#endif
#ifndef STATUS_NO_SUCH_PACKAGE
#define STATUS_NO_SUCH_PACKAGE ((NTSTATUS)0xC00000FEL)
#endif

#define NEGOTIATE_CAPS      0x00083bb3   /* what Wine's builtin Negotiate reports */
#define NEGOTIATE_RPCID     RPC_C_AUTHN_GSS_NEGOTIATE
#define NEGOTIATE_MAX_TOKEN 12000
#define MAX_SUBS 2

struct lsa_package {
    const WCHAR *dll;
    SECPKG_FUNCTION_TABLE *lsa;
    SECPKG_USER_FUNCTION_TABLE *user;
    struct package_desc desc;
    WCHAR name[64], comment[128];
    char auth_name[64];        /* its LSA name (LsaLookupAuthenticationPackage) */
};

static struct lsa_package loaded[MAX_SUBS];    /* Kerberos, NTLM: whichever loaded */
static ULONG loaded_count;
static struct package_desc negotiate_desc = {
    L"Negotiate", L"Microsoft Package Negotiator", NEGOTIATE_CAPS, 1, NEGOTIATE_RPCID, NEGOTIATE_MAX_TOKEN,
    &lsa_package_ops
};
static const struct package_desc *listed[MAX_SUBS + 1];   /* Windows' order: Negotiate, Kerberos, NTLM */
static ULONG listed_count;
static INIT_ONCE load_once = INIT_ONCE_STATIC_INIT;

struct lsa_sub {
    struct lsa_package *pkg;
    LSA_SEC_HANDLE handle;
};

struct lsa_cred {
    struct handle_object hdr;
    BOOL negotiate;
    ULONG count;
    struct lsa_sub subs[MAX_SUBS];  /* none: the logon session's, without a ticket (see below) */
};

struct lsa_ctx {
    struct handle_object hdr;
    SRWLOCK lock;
    struct lsa_sub sub;        /* sub.pkg NULL until Negotiate has chosen */
    BOOL negotiate;
    BOOL established;
};

/* ------------------------------------------------------------------ the LSA we offer */

static PVOID NTAPI lsa_alloc_heap(ULONG size)
{
    return heap_alloc_zero(size);
}

static VOID NTAPI lsa_free_heap(PVOID p)
{
    heap_free(p);
}

static PVOID NTAPI lsa_alloc_private_heap(SIZE_T size)
{
    return heap_alloc_zero(size);
}

/* The "client" is this process: client buffers are ordinary memory. */
static NTSTATUS NTAPI lsa_alloc_client_buffer(PLSA_CLIENT_REQUEST req, ULONG size, PVOID *out)
{
    (void)req;
    if (!out)
        return STATUS_INVALID_PARAMETER;
    return (*out = heap_alloc_zero(size)) ? STATUS_SUCCESS : STATUS_NO_MEMORY;
}

static NTSTATUS NTAPI lsa_free_client_buffer(PLSA_CLIENT_REQUEST req, PVOID p)
{
    (void)req;
    heap_free(p);
    return STATUS_SUCCESS;
}

/* CopyToClientBuffer and CopyFromClientBuffer alike: the client lives in
 * this process, so either way is one memcpy(dst, src) (the two take their
 * buffers in that order). */
static NTSTATUS NTAPI lsa_copy_client(PLSA_CLIENT_REQUEST req, ULONG size, PVOID dst, PVOID src)
{
    (void)req;
    if (size && (!dst || !src))
        return STATUS_ACCESS_VIOLATION;
    memcpy(dst, src, size);
    return STATUS_SUCCESS;
}

static void current_logon_id(LUID *luid)
{
    TOKEN_STATISTICS stats;
    HANDLE token;
    DWORD size;

    memset(luid, 0, sizeof(*luid));
    if (!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token)
        && !OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return;
    if (GetTokenInformation(token, TokenStatistics, &stats, sizeof(stats), &size))
        *luid = stats.AuthenticationId;
    CloseHandle(token);
}

static NTSTATUS NTAPI lsa_get_client_info(PSECPKG_CLIENT_INFO info)
{
    if (!info)
        return STATUS_INVALID_PARAMETER;
    memset(info, 0, sizeof(*info));
    current_logon_id(&info->LogonId);
    info->ProcessID = GetCurrentProcessId();
    info->ThreadID = GetCurrentThreadId();
    info->ImpersonationLevel = SecurityImpersonation;
    return STATUS_SUCCESS;
}

static BOOLEAN NTAPI lsa_get_call_info(PSECPKG_CALL_INFO info)
{
    if (!info)
        return FALSE;
    memset(info, 0, sizeof(*info));
    info->ProcessId = GetCurrentProcessId();
    info->ThreadId = GetCurrentThreadId();
    info->CallCount = 1;
    return TRUE;
}

static NTSTATUS NTAPI lsa_register_callback(ULONG id, PLSA_CALLBACK_FUNCTION fn)
{
    TRACE("callback %lu %p ignored\n", id, fn);
    return STATUS_SUCCESS;
}

/* One stub per slot, so a trace names the callback a package wanted. */
#define LSA_STUB(n) static NTSTATUS NTAPI lsa_stub_##n(void) \
    { WARN("LSA callback slot %d is not provided\n", n); return STATUS_NOT_IMPLEMENTED; }
#define LSA_STUB8(a) LSA_STUB(a##0) LSA_STUB(a##1) LSA_STUB(a##2) LSA_STUB(a##3) \
                     LSA_STUB(a##4) LSA_STUB(a##5) LSA_STUB(a##6) LSA_STUB(a##7)
LSA_STUB8(0) LSA_STUB8(1) LSA_STUB8(2) LSA_STUB8(3) LSA_STUB8(4) LSA_STUB8(5) LSA_STUB8(6) LSA_STUB8(7)
#define LSA_STUB_REF8(a) lsa_stub_##a##0, lsa_stub_##a##1, lsa_stub_##a##2, lsa_stub_##a##3, \
                         lsa_stub_##a##4, lsa_stub_##a##5, lsa_stub_##a##6, lsa_stub_##a##7
static NTSTATUS (NTAPI *const lsa_stubs[64])(void) = {
    LSA_STUB_REF8(0), LSA_STUB_REF8(1), LSA_STUB_REF8(2), LSA_STUB_REF8(3),
    LSA_STUB_REF8(4), LSA_STUB_REF8(5), LSA_STUB_REF8(6), LSA_STUB_REF8(7),
};

/* Room beyond MinGW's declaration, for packages built against a longer one. */
static union {
    LSA_SECPKG_FUNCTION_TABLE table;
    void *slots[64];
} lsa_table;

/* Designated: newer MinGW headers (gcc 14's) add fields after these three. */
static SECPKG_DLL_FUNCTIONS dll_functions = {
    .AllocateHeap = lsa_alloc_heap,
    .FreeHeap = lsa_free_heap,
    .RegisterCallback = lsa_register_callback,
};

static void build_lsa_table(void)
{
    LSA_SECPKG_FUNCTION_TABLE *t = &lsa_table.table;
    ULONG i;

    for (i = 0; i < ARRAY_SIZE(lsa_table.slots); i++)
        lsa_table.slots[i] = (void *)lsa_stubs[i];
    t->AllocateLsaHeap = lsa_alloc_heap;
    t->FreeLsaHeap = lsa_free_heap;
    t->AllocateClientBuffer = lsa_alloc_client_buffer;
    t->FreeClientBuffer = lsa_free_client_buffer;
    t->CopyToClientBuffer = lsa_copy_client;
    t->CopyFromClientBuffer = lsa_copy_client;
    t->GetClientInfo = lsa_get_client_info;
    t->GetCallInfo = lsa_get_call_info;
    t->FreeReturnBuffer = lsa_free_heap;
    t->AllocatePrivateHeap = lsa_alloc_private_heap;
    t->FreePrivateHeap = lsa_free_heap;
}

/* ------------------------------------------------------------------ loading */

static BOOL init_user_mode(struct lsa_package *pkg, HMODULE module)
{
    SpUserModeInitializeFn user_init = (void *)GetProcAddress(module, SECPKG_USERMODEINIT_NAME);
    SECPKG_USER_FUNCTION_TABLE *tables;
    ULONG version, count = 0;
    void *user_functions = NULL;

    if (!user_init || user_init(SECPKG_INTERFACE_VERSION, &version, &tables, &count) || !count)
        return FALSE;
    pkg->user = tables;
    if (pkg->user->InstanceInit && pkg->user->InstanceInit(SECPKG_INTERFACE_VERSION, &dll_functions,
                                                           &user_functions))
        return FALSE;
    return TRUE;
}

static BOOL fill_desc(struct lsa_package *pkg)
{
    SecPkgInfoW info;

    memset(&info, 0, sizeof(info));
    if (!pkg->lsa->GetInfo || pkg->lsa->GetInfo((void *)&info) || !info.Name)
        return FALSE;
    lstrcpynW(pkg->name, info.Name, ARRAY_SIZE(pkg->name));
    lstrcpynW(pkg->comment, info.Comment ? info.Comment : L"", ARRAY_SIZE(pkg->comment));
    pkg->desc.name = pkg->name;
    pkg->desc.comment = pkg->comment;
    pkg->desc.capabilities = info.fCapabilities;
    pkg->desc.version = info.wVersion;
    pkg->desc.rpcid = info.wRPCID;
    pkg->desc.max_token = info.cbMaxToken;
    pkg->desc.ops = &lsa_package_ops;
    return TRUE;
}

static BOOL load_package(struct lsa_package *pkg, ULONG_PTR id)
{
    SpLsaModeInitializeFn lsa_init;
    SECPKG_FUNCTION_TABLE *tables;
    SECPKG_PARAMETERS params;
    ULONG version, count = 0;
    HMODULE module;
    NTSTATUS status;

    if (!(module = LoadLibraryW(pkg->dll)))
    {
        TRACE("%ls not loaded: error %lu\n", pkg->dll, GetLastError());
        return FALSE;
    }
    lsa_init = (void *)GetProcAddress(module, SECPKG_LSAMODEINIT_NAME);
    if (!lsa_init || (status = lsa_init(SECPKG_INTERFACE_VERSION, &version, &tables, &count)) || !count)
        goto fail;
    pkg->lsa = tables;
    memset(&params, 0, sizeof(params));
    params.Version = SECPKG_INTERFACE_VERSION;
    params.MachineState = SECPKG_STATE_STANDALONE;
    if (pkg->lsa->InitializePackage)
    {
        LSA_STRING *auth_name = NULL;
        /* LSA_DISPATCH_TABLE is the first members of our table. */
        pkg->lsa->InitializePackage(id, (void *)&lsa_table.table, NULL, NULL, &auth_name);
        if (auth_name)
        {
            if (auth_name->Buffer)
                snprintf(pkg->auth_name, sizeof(pkg->auth_name), "%.*s", (int)auth_name->Length, auth_name->Buffer);
            lsa_free_heap(auth_name->Buffer);
            lsa_free_heap(auth_name);
        }
    }
    if (pkg->lsa->Initialize && (status = pkg->lsa->Initialize(id, &params, &lsa_table.table)))
    {
        TRACE("%ls: SpInitialize failed with %#lx\n", pkg->dll, status);
        goto fail;
    }
    if (!init_user_mode(pkg, module) || !fill_desc(pkg))
        goto fail;
    TRACE("%ls: package %ls, capabilities %#lx\n", pkg->dll, pkg->name, pkg->desc.capabilities);
    return TRUE;
fail:
    TRACE("%ls offers no usable package\n", pkg->dll);
    pkg->auth_name[0] = 0;
    pkg->lsa = NULL;
    pkg->user = NULL;
    FreeLibrary(module);
    return FALSE;
}

static BOOL CALLBACK load_packages(INIT_ONCE *once, void *param, void **context)
{
    static const WCHAR *dlls[MAX_SUBS] = { L"kerberos.dll", L"msv1_0.dll" };
    ULONG i;

    (void)once; (void)param; (void)context;
    build_lsa_table();
    for (i = 0; i < ARRAY_SIZE(dlls); i++)
    {
        loaded[loaded_count].dll = dlls[i];
        if (load_package(&loaded[loaded_count], loaded_count + 1))
            loaded_count++;
    }
    if (loaded_count)
        listed[listed_count++] = &negotiate_desc;
    for (i = 0; i < loaded_count; i++)
        listed[listed_count++] = &loaded[i].desc;
    return TRUE;
}

static void ensure_loaded(void)
{
    InitOnceExecuteOnce(&load_once, load_packages, NULL, NULL);
}

ULONG lsa_package_count(void)
{
    ensure_loaded();
    return listed_count;
}

const struct package_desc *lsa_package_at(ULONG index)
{
    ensure_loaded();
    return index < listed_count ? listed[index] : NULL;
}

static struct lsa_package *package_of(const struct package_desc *desc)
{
    ULONG i;

    for (i = 0; i < loaded_count; i++)
        if (desc == &loaded[i].desc)
            return &loaded[i];
    return NULL;
}

static struct lsa_package *package_named(const WCHAR *name)
{
    ULONG i;

    for (i = 0; i < loaded_count; i++)
        if (!lstrcmpiW(name, loaded[i].name))
            return &loaded[i];
    return NULL;
}

/* The LSA client calls (lsa_client.c): a package is found by its LSA name
 * and numbered as InitializePackage numbered it (from 1). */
BOOL lsa_package_id(const char *auth_name, ULONG len, ULONG *id)
{
    ULONG i;

    ensure_loaded();
    for (i = 0; i < loaded_count; i++)
        if (strlen(loaded[i].auth_name) == len && !_strnicmp(loaded[i].auth_name, auth_name, len))
        {
            *id = i + 1;
            return TRUE;
        }
    return FALSE;
}

NTSTATUS lsa_package_call(ULONG id, void *submit, ULONG submit_len, void **ret, ULONG *ret_len, NTSTATUS *status)
{
    SECPKG_FUNCTION_TABLE *lsa;

    ensure_loaded();
    if (!id || id > loaded_count)
        return STATUS_NO_SUCH_PACKAGE;
    lsa = loaded[id - 1].lsa;
    if (lsa->CallPackageUntrusted)
        return lsa->CallPackageUntrusted(NULL, submit, submit, submit_len, ret, ret_len, status);
    if (lsa->CallPackage)
        return lsa->CallPackage(NULL, submit, submit, submit_len, ret, ret_len, status);
    return STATUS_NOT_IMPLEMENTED;
}

/* ------------------------------------------------------------------ credentials */

static void cred_destroy(struct handle_object *obj)
{
    struct lsa_cred *cred = CONTAINING_RECORD(obj, struct lsa_cred, hdr);
    ULONG i;

    for (i = 0; i < cred->count; i++)
        if (cred->subs[i].pkg->lsa->FreeCredentialsHandle)
            cred->subs[i].pkg->lsa->FreeCredentialsHandle(cred->subs[i].handle);
    heap_free(cred);
}

static struct lsa_cred *cred_ref(const SecHandle *handle)
{
    struct handle_object *obj = handle_ref(handle, HANDLE_TYPE_LSA_CRED);
    return obj ? CONTAINING_RECORD(obj, struct lsa_cred, hdr) : NULL;
}

/* Packages read identities in Unicode: convert an ANSI one. */
static SEC_WINNT_AUTH_IDENTITY_W *identity_to_unicode(const SEC_WINNT_AUTH_IDENTITY_A *a)
{
    SEC_WINNT_AUTH_IDENTITY_W *w = heap_alloc_zero(sizeof(*w));

    if (!w)
        return NULL;
    w->User = ansi_to_wide_len((const char *)a->User, a->UserLength, &w->UserLength);
    w->Domain = ansi_to_wide_len((const char *)a->Domain, a->DomainLength, &w->DomainLength);
    w->Password = ansi_to_wide_len((const char *)a->Password, a->PasswordLength, &w->PasswordLength);
    w->Flags = SEC_WINNT_AUTH_IDENTITY_UNICODE;
    return w;
}

/* A plain SEC_WINNT_AUTH_IDENTITY_A, from either entry point (an _EX one
 * starts with its version and size instead of a pointer). */
static BOOL is_ansi_identity(const void *auth)
{
    const ULONG *ex = auth;

    if (!auth || (ex[0] == SEC_WINNT_AUTH_IDENTITY_VERSION
                  && (ex[1] == sizeof(SEC_WINNT_AUTH_IDENTITY_EXA) || ex[1] == sizeof(SEC_WINNT_AUTH_IDENTITY_EXW))))
        return FALSE;
    return ((const SEC_WINNT_AUTH_IDENTITY_A *)auth)->Flags == SEC_WINNT_AUTH_IDENTITY_ANSI;
}

static void identity_free(SEC_WINNT_AUTH_IDENTITY_W *w)
{
    if (!w)
        return;
    heap_free(w->User);
    heap_free(w->Domain);
    if (w->Password)
        SecureZeroMemory(w->Password, w->PasswordLength * sizeof(WCHAR));
    heap_free(w->Password);
    heap_free(w);
}

static void init_unicode_string(UNICODE_STRING *us, const WCHAR *s)
{
    us->Length = s ? lstrlenW(s) * sizeof(WCHAR) : 0;
    us->MaximumLength = s ? us->Length + sizeof(WCHAR) : 0;
    us->Buffer = (WCHAR *)s;
}

static SECURITY_STATUS acquire_sub(struct lsa_package *pkg, UNICODE_STRING *principal, ULONG use, void *logon_id,
                                   void *auth, SEC_GET_KEY_FN get_key, void *get_key_arg, struct lsa_sub *sub,
                                   PTimeStamp expiry)
{
    if (!pkg->lsa->AcquireCredentialsHandle)
        return SEC_E_UNSUPPORTED_FUNCTION;
    sub->pkg = pkg;
    return pkg->lsa->AcquireCredentialsHandle(principal->Buffer ? principal : NULL, use, logon_id, auth,
                                              (void *)get_key, get_key_arg, &sub->handle, expiry);
}

static SECURITY_STATUS lsa_acquire_credentials(const struct package_desc *desc, const WCHAR *principal, ULONG use,
                                        void *logon_id, void *auth, SEC_GET_KEY_FN get_key,
                                        void *get_key_arg, PCredHandle handle, PTimeStamp expiry)
{
    SEC_WINNT_AUTH_IDENTITY_W *converted = NULL;
    SECURITY_STATUS status = SEC_E_SECPKG_NOT_FOUND, first = SEC_E_OK;
    struct lsa_package *only = package_of(desc);
    UNICODE_STRING uprincipal;
    struct lsa_cred *cred;
    ULONG i;

    if (!handle)
        return SEC_E_INVALID_PARAMETER;
    if (!(use & (SECPKG_CRED_INBOUND | SECPKG_CRED_OUTBOUND)))
        return SEC_E_UNKNOWN_CREDENTIALS;
    if (is_ansi_identity(auth))
    {
        if (!(converted = identity_to_unicode(auth)))
            return SEC_E_INSUFFICIENT_MEMORY;
        auth = converted;
    }
    if (!(cred = heap_alloc_zero(sizeof(*cred))))
    {
        identity_free(converted);
        return SEC_E_INSUFFICIENT_MEMORY;
    }
    handle_object_init(&cred->hdr, HANDLE_TYPE_LSA_CRED, cred_destroy);
    cred->negotiate = !only;
    init_unicode_string(&uprincipal, principal);
    for (i = 0; i < loaded_count; i++)
    {
        if (only && &loaded[i] != only)
            continue;
        status = acquire_sub(&loaded[i], &uprincipal, use, logon_id, auth, get_key, get_key_arg,
                             &cred->subs[cred->count], expiry);
        TRACE("%ls: AcquireCredentialsHandle returned %#lx\n", loaded[i].name, status);
        if (status == SEC_E_OK)
            cred->count++;
        else if (first == SEC_E_OK)
            first = status;
    }
    identity_free(converted);
    /* Windows hands out a client credential of the logon session even when
     * that session holds no Kerberos ticket yet (Wine's secur32 tests:
     * SEC_E_OK); whether there is one is for ISC to find out. */
    if (!cred->count && !(only && first == SEC_E_NO_CREDENTIALS && use == SECPKG_CRED_OUTBOUND && !auth
                          && !principal))
    {
        heap_free(cred);
        return first != SEC_E_OK ? first : status;
    }
    if (!handle_insert(&cred->hdr, handle))
        status = SEC_E_INSUFFICIENT_MEMORY;
    else
        status = SEC_E_OK;
    handle_release(&cred->hdr);
    return status;
}

static SECURITY_STATUS lsa_free_credentials(PCredHandle handle)
{
    return handle_remove(handle, HANDLE_TYPE_LSA_CRED) ? SEC_E_OK : SEC_E_INVALID_HANDLE;
}

static SECURITY_STATUS lsa_query_credentials(PCredHandle handle, ULONG attribute, void *buffer, BOOL wide)
{
    struct lsa_cred *cred;
    struct lsa_package *pkg;
    SECURITY_STATUS status;

    if (!(cred = cred_ref(handle)))
        return SEC_E_INVALID_HANDLE;
    pkg = cred->subs[0].pkg;
    if (!buffer)
        status = SEC_E_INVALID_PARAMETER;
    else if (!wide && attribute == SECPKG_CRED_ATTR_NAMES)
        status = SEC_E_UNSUPPORTED_FUNCTION;
    else if (!pkg->lsa->QueryCredentialsAttributes)
        status = SEC_E_UNSUPPORTED_FUNCTION;
    else
        status = pkg->lsa->QueryCredentialsAttributes(cred->subs[0].handle, attribute, buffer);
    handle_release(&cred->hdr);
    return status;
}

/* ------------------------------------------------------------------ contexts */

static void ctx_destroy(struct handle_object *obj)
{
    struct lsa_ctx *ctx = CONTAINING_RECORD(obj, struct lsa_ctx, hdr);
    struct lsa_package *pkg = ctx->sub.pkg;

    if (pkg && ctx->sub.handle)
    {
        if (pkg->user && pkg->user->DeleteUserModeContext)
            pkg->user->DeleteUserModeContext(ctx->sub.handle);
        if (pkg->lsa->DeleteContext)
            pkg->lsa->DeleteContext(ctx->sub.handle);
    }
    heap_free(ctx);
}

static struct lsa_ctx *ctx_ref(const SecHandle *handle)
{
    struct handle_object *obj = handle_ref(handle, HANDLE_TYPE_LSA_CTXT);
    return obj ? CONTAINING_RECORD(obj, struct lsa_ctx, hdr) : NULL;
}

/* ISC_REQ_ALLOCATE_MEMORY (== ASC_REQ_ALLOCATE_MEMORY) is handled here, so
 * that every token a caller receives is freed by our FreeContextBuffer. */
static SECURITY_STATUS alloc_output_token(SecBuffer *token, ULONG max_token)
{
    if (!token)
        return SEC_E_INVALID_TOKEN;
    if (!(token->pvBuffer = context_buffer_alloc(max_token)))
        return SEC_E_INSUFFICIENT_MEMORY;
    token->cbBuffer = max_token;
    return SEC_E_OK;
}

static void finish_output_token(SecBuffer *token, SECURITY_STATUS status)
{
    if (!token || (status != SEC_E_OK && status != SEC_I_CONTINUE_NEEDED && status != SEC_I_COMPLETE_NEEDED
                   && status != SEC_I_COMPLETE_AND_CONTINUE) || !token->cbBuffer)
    {
        if (token)
        {
            context_buffer_free(token->pvBuffer);
            token->pvBuffer = NULL;
            token->cbBuffer = 0;
        }
    }
}

/* One step as a hosted package takes it: the caller's request with the
 * target as a UNICODE_STRING and ISC_REQ_ALLOCATE_MEMORY taken off (we
 * allocate, context_step); the flags the package returns collect here. */
struct lsa_step {
    const struct context_request *r;
    UNICODE_STRING *target;
    ULONG req;
    ULONG attrs;
};

static SECURITY_STATUS call_sub(struct lsa_sub *sub, LSA_SEC_HANDLE cred, struct lsa_step *s)
{
    const struct context_request *r = s->r;
    LSA_SEC_HANDLE new_handle = sub->handle;
    SecBuffer context_data = { 0, SECBUFFER_EMPTY, NULL };
    BOOLEAN mapped = FALSE;
    SECURITY_STATUS status;
    struct lsa_package *pkg = sub->pkg;

    if (r->server)
        status = pkg->lsa->AcceptLsaModeContext ? pkg->lsa->AcceptLsaModeContext(cred, sub->handle, r->input,
                     s->req, r->datarep, &new_handle, r->output, &s->attrs, r->expiry, &mapped, &context_data)
                                                : SEC_E_UNSUPPORTED_FUNCTION;
    else
        status = pkg->lsa->InitLsaModeContext ? pkg->lsa->InitLsaModeContext(cred, sub->handle, s->target, s->req,
                     r->datarep, r->input, &new_handle, r->output, &s->attrs, r->expiry, &mapped, &context_data)
                                              : SEC_E_UNSUPPORTED_FUNCTION;
    if (new_handle)
        sub->handle = new_handle;
    if (mapped && context_data.pvBuffer)
    {
        if (pkg->user && pkg->user->InitUserModeContext)
            pkg->user->InitUserModeContext(sub->handle, &context_data);
        lsa_free_heap(context_data.pvBuffer);
    }
    return status;
}

static BOOL is_ntlm_token(PSecBufferDesc input)
{
    SecBuffer *token = buffer_find(input, SECBUFFER_TOKEN, 0);
    return token && token->pvBuffer && token->cbBuffer >= 8 && !memcmp(token->pvBuffer, "NTLMSSP", 8);
}

static struct lsa_sub *cred_sub_for(struct lsa_cred *cred, const WCHAR *name)
{
    struct lsa_package *pkg = package_named(name);
    ULONG i;

    for (i = 0; i < cred->count; i++)
        if (cred->subs[i].pkg == pkg)
            return &cred->subs[i];
    return NULL;
}

/* Negotiate's first step: the package the token names, or each in turn. */
static SECURITY_STATUS negotiate_first(struct lsa_ctx *ctx, struct lsa_cred *cred, struct lsa_step *s)
{
    SECURITY_STATUS status = SEC_E_NO_CREDENTIALS;
    SecBuffer *token = buffer_find(s->r->output, SECBUFFER_TOKEN, 0);
    ULONG i, size = token ? token->cbBuffer : 0;
    struct lsa_sub *sub;

    if (s->r->server)
    {
        if (!(sub = cred_sub_for(cred, is_ntlm_token(s->r->input) ? L"NTLM" : L"Kerberos")))
            return SEC_E_LOGON_DENIED;
        ctx->sub.pkg = sub->pkg;
        return call_sub(&ctx->sub, sub->handle, s);
    }
    for (i = 0; i < cred->count; i++)
    {
        ctx->sub.pkg = cred->subs[i].pkg;
        ctx->sub.handle = 0;
        if (token)
            token->cbBuffer = size;
        status = call_sub(&ctx->sub, cred->subs[i].handle, s);
        TRACE("Negotiate: %ls answered %#lx\n", ctx->sub.pkg->name, status);
        if (status == SEC_E_OK || status == SEC_I_CONTINUE_NEEDED || status == SEC_I_COMPLETE_NEEDED
            || status == SEC_I_COMPLETE_AND_CONTINUE)
            return status;
        if (ctx->sub.handle && ctx->sub.pkg->lsa->DeleteContext)
            ctx->sub.pkg->lsa->DeleteContext(ctx->sub.handle);
    }
    ctx->sub.pkg = NULL;
    ctx->sub.handle = 0;
    return status;
}

static LSA_SEC_HANDLE cred_handle_for(struct lsa_cred *cred, struct lsa_package *pkg)
{
    ULONG i;

    for (i = 0; cred && i < cred->count; i++)
        if (cred->subs[i].pkg == pkg)
            return cred->subs[i].handle;
    return 0;
}

static SECURITY_STATUS step_context(struct lsa_ctx *ctx, struct lsa_cred *cred, struct lsa_step *s)
{
    if (!ctx->sub.pkg)
    {
        if (!cred)
            return SEC_E_INVALID_HANDLE;
        if (ctx->negotiate)
            return negotiate_first(ctx, cred, s);
        /* The session credential found no ticket when it was acquired. */
        if (!cred->count)
            return SEC_E_NO_CREDENTIALS;
        ctx->sub.pkg = cred->subs[0].pkg;
    }
    return call_sub(&ctx->sub, cred_handle_for(cred, ctx->sub.pkg), s);
}

static struct lsa_ctx *new_context(struct lsa_cred *cred)
{
    struct lsa_ctx *ctx = heap_alloc_zero(sizeof(*ctx));

    if (!ctx)
        return NULL;
    handle_object_init(&ctx->hdr, HANDLE_TYPE_LSA_CTXT, ctx_destroy);
    InitializeSRWLock(&ctx->lock);
    ctx->negotiate = cred->negotiate;
    return ctx;
}

static SECURITY_STATUS context_step(struct lsa_ctx *ctx, struct lsa_cred *cred, const struct context_request *r)
{
    SecBuffer *token = (r->req & ISC_REQ_ALLOCATE_MEMORY) ? buffer_find(r->output, SECBUFFER_TOKEN, 0) : NULL;
    ULONG max_token = ctx->sub.pkg ? ctx->sub.pkg->desc.max_token : NEGOTIATE_MAX_TOKEN;
    UNICODE_STRING utarget;
    struct lsa_step step = { r, r->target ? &utarget : NULL, r->req & ~ISC_REQ_ALLOCATE_MEMORY, 0 };
    SECURITY_STATUS status;

    if ((r->req & ISC_REQ_ALLOCATE_MEMORY) && (status = alloc_output_token(token, max_token)))
        return status;
    init_unicode_string(&utarget, r->target);
    AcquireSRWLockExclusive(&ctx->lock);
    status = step_context(ctx, cred, &step);
    if (status == SEC_E_OK)
        ctx->established = TRUE;
    ReleaseSRWLockExclusive(&ctx->lock);
    if (r->req & ISC_REQ_ALLOCATE_MEMORY)
    {
        finish_output_token(token, status);
        if (token && token->pvBuffer)
            step.attrs |= ISC_RET_ALLOCATED_MEMORY;   /* same bit as ASC_RET_ALLOCATED_MEMORY */
    }
    if (r->attrs)
        *r->attrs = step.attrs;
    return status;
}

static BOOL is_progress(SECURITY_STATUS status)
{
    return status == SEC_E_OK || status == SEC_I_CONTINUE_NEEDED || status == SEC_I_COMPLETE_NEEDED
        || status == SEC_I_COMPLETE_AND_CONTINUE;
}

static SECURITY_STATUS lsa_context_call(const struct context_request *r)
{
    PCredHandle cred_handle = r->cred;
    PCtxtHandle ctx_handle = r->ctx, new_ctx = r->new_ctx;
    struct lsa_cred *cred = NULL;
    struct lsa_ctx *ctx = NULL;
    SECURITY_STATUS status;
    BOOL created = FALSE;

    if (ctx_handle && !(ctx = ctx_ref(ctx_handle)))
        return SEC_E_INVALID_HANDLE;
    if (cred_handle && (cred_handle->dwLower || cred_handle->dwUpper) && !(cred = cred_ref(cred_handle)) && !ctx)
        return SEC_E_INVALID_HANDLE;
    if (!ctx)
    {
        if (!cred)
            return SEC_E_INVALID_HANDLE;
        if (!new_ctx)
            status = SEC_E_INVALID_PARAMETER;
        else if (!(ctx = new_context(cred)))
            status = SEC_E_INSUFFICIENT_MEMORY;
        else
            status = SEC_E_OK;
        if (status)
        {
            handle_release(&cred->hdr);
            return status;
        }
        created = TRUE;
    }
    status = context_step(ctx, cred, r);
    if (created && is_progress(status) && !handle_insert(&ctx->hdr, new_ctx))
        status = SEC_E_INSUFFICIENT_MEMORY;
    else if (!created && new_ctx && new_ctx != ctx_handle && is_progress(status))
        *new_ctx = *ctx_handle;
    handle_release(&ctx->hdr);
    if (cred)
        handle_release(&cred->hdr);
    return status;
}

static SECURITY_STATUS lsa_delete_context(PCtxtHandle handle)
{
    return handle_remove(handle, HANDLE_TYPE_LSA_CTXT) ? SEC_E_OK : SEC_E_INVALID_HANDLE;
}

/* ------------------------------------------------------------------ established contexts */

/* The package of a context, with the context referenced; NULL if invalid. */
static struct lsa_ctx *established_ref(const SecHandle *handle, SECURITY_STATUS *status)
{
    struct lsa_ctx *ctx = ctx_ref(handle);

    *status = SEC_E_INVALID_HANDLE;
    if (!ctx)
        return NULL;
    if (!ctx->sub.pkg || !ctx->sub.handle)
    {
        handle_release(&ctx->hdr);
        return NULL;
    }
    *status = SEC_E_OK;
    return ctx;
}

/* The hosted packages answer in wide strings only; an ANSI caller gets each
 * of the attribute's leading `count` string pointers converted (NAMES has
 * one, KEY_INFO two), as Windows' ANSI entry point does. */
static SECURITY_STATUS query_strings_a(struct lsa_ctx *ctx, ULONG attribute, void *buffer, unsigned count)
{
    SpQueryContextAttributesFn *query = ctx->sub.pkg->user && ctx->sub.pkg->user->QueryContextAttributes
        ? ctx->sub.pkg->user->QueryContextAttributes : ctx->sub.pkg->lsa->QueryContextAttributes;
    void **fields = buffer;
    SECURITY_STATUS status;
    unsigned i;

    if (!query)
        return SEC_E_UNSUPPORTED_FUNCTION;
    if ((status = query(ctx->sub.handle, attribute, buffer)))
        return status;
    for (i = 0; i < count; i++)
    {
        WCHAR *wide = fields[i];
        int len = wide ? WideCharToMultiByte(CP_ACP, 0, wide, -1, NULL, 0, NULL, NULL) : 0;

        fields[i] = len > 0 ? context_buffer_alloc(len) : NULL;
        if (fields[i])
            WideCharToMultiByte(CP_ACP, 0, wide, -1, fields[i], len, NULL, NULL);
        else if (wide)
            status = SEC_E_INSUFFICIENT_MEMORY;
        context_buffer_free(wide);
    }
    return status;
}

static SECURITY_STATUS query_package_info(struct lsa_ctx *ctx, ULONG attribute, void *buffer, BOOL wide)
{
    const struct package_desc *desc = ctx->sub.pkg ? &ctx->sub.pkg->desc : &negotiate_desc;
    SecPkgContext_NegotiationInfoW *nego = buffer;
    void *info = package_infos_alloc(&desc, 1, wide);

    if (!info)
        return SEC_E_INSUFFICIENT_MEMORY;
    nego->PackageInfo = info;   /* PackageInfo is the first member of both structures */
    if (attribute == SECPKG_ATTR_NEGOTIATION_INFO)
        nego->NegotiationState = ctx->established ? SECPKG_NEGOTIATION_COMPLETE : SECPKG_NEGOTIATION_IN_PROGRESS;
    return SEC_E_OK;
}

static SECURITY_STATUS lsa_query_context(PCtxtHandle handle, ULONG attribute, void *buffer, BOOL wide)
{
    SpQueryContextAttributesFn *query;
    SECURITY_STATUS status;
    struct lsa_ctx *ctx;

    if (!(ctx = ctx_ref(handle)))
        return SEC_E_INVALID_HANDLE;
    if (!buffer)
        status = SEC_E_INVALID_PARAMETER;
    else if (attribute == SECPKG_ATTR_PACKAGE_INFO || attribute == SECPKG_ATTR_NEGOTIATION_INFO)
        status = query_package_info(ctx, attribute, buffer, wide);
    else if (!ctx->sub.pkg || !ctx->sub.handle)
        status = SEC_E_INVALID_HANDLE;
    else if (!wide && attribute == SECPKG_ATTR_NAMES)
        status = query_strings_a(ctx, attribute, buffer, 1);
    else if (!wide && attribute == SECPKG_ATTR_KEY_INFO)
        status = query_strings_a(ctx, attribute, buffer, 2);
    else
    {
        query = ctx->sub.pkg->user && ctx->sub.pkg->user->QueryContextAttributes
            ? ctx->sub.pkg->user->QueryContextAttributes : ctx->sub.pkg->lsa->QueryContextAttributes;
        status = query ? query(ctx->sub.handle, attribute, buffer) : SEC_E_UNSUPPORTED_FUNCTION;
    }
    handle_release(&ctx->hdr);
    return status;
}

/* A call on an established context, into the hosted package's LSA-mode
 * (`lsa`) or user-mode (`user`) table; `missing` when it has no such entry. */
#define ESTABLISHED_CALL(table, fn, missing, ...) \
    SECURITY_STATUS status; \
    struct lsa_ctx *ctx = established_ref(handle, &status); \
    if (!ctx) \
        return status; \
    status = ctx->sub.pkg->table && ctx->sub.pkg->table->fn \
        ? ctx->sub.pkg->table->fn(ctx->sub.handle, __VA_ARGS__) : (missing); \
    handle_release(&ctx->hdr); \
    return status;

/* Signing and sealing go to the user-mode table, as on Windows. */
#define USER_CALL(fn, ...) ESTABLISHED_CALL(user, fn, SEC_E_UNSUPPORTED_FUNCTION, __VA_ARGS__)

static SECURITY_STATUS lsa_apply_control_token(PCtxtHandle handle, PSecBufferDesc input)
{
    ESTABLISHED_CALL(lsa, ApplyControlToken, SEC_E_UNSUPPORTED_FUNCTION, input)
}

/* A package without the user-mode entry has nothing to complete. */
static SECURITY_STATUS lsa_complete_auth_token(PCtxtHandle handle, PSecBufferDesc input)
{
    ESTABLISHED_CALL(user, CompleteAuthToken, SEC_E_OK, input)
}

static SECURITY_STATUS lsa_make_signature(PCtxtHandle handle, ULONG qop, PSecBufferDesc msg, ULONG seq)
{
    USER_CALL(MakeSignature, qop, msg, seq)
}

static SECURITY_STATUS lsa_verify_signature(PCtxtHandle handle, PSecBufferDesc msg, ULONG seq, ULONG *qop)
{
    USER_CALL(VerifySignature, msg, seq, qop)
}

static SECURITY_STATUS lsa_encrypt(PCtxtHandle handle, ULONG qop, PSecBufferDesc msg, ULONG seq)
{
    USER_CALL(SealMessage, qop, msg, seq)
}

static SECURITY_STATUS lsa_decrypt(PCtxtHandle handle, PSecBufferDesc msg, ULONG seq, ULONG *qop)
{
    USER_CALL(UnsealMessage, msg, seq, qop)
}

static SECURITY_STATUS lsa_query_context_token(PCtxtHandle handle, HANDLE *token)
{
    if (!token)
        return SEC_E_INVALID_PARAMETER;
    {
        USER_CALL(GetContextToken, token)
    }
}

/* One table for the three packages: which of them a handle belongs to is
 * recorded in the handle's object.  SetContextAttributes and
 * SetCredentialsAttributes stay NULL (SEC_E_UNSUPPORTED_FUNCTION): Wine's
 * kerberos.dll and msv1_0.dll leave both out of their tables too. */
const struct package_ops lsa_package_ops = {
    .acquire_credentials = lsa_acquire_credentials,
    .free_credentials = lsa_free_credentials,
    .query_credentials = lsa_query_credentials,
    .context_call = lsa_context_call,
    .delete_context = lsa_delete_context,
    .query_context = lsa_query_context,
    .apply_control_token = lsa_apply_control_token,
    .complete_auth_token = lsa_complete_auth_token,
    .make_signature = lsa_make_signature,
    .verify_signature = lsa_verify_signature,
    .encrypt = lsa_encrypt,
    .decrypt = lsa_decrypt,
    .query_context_token = lsa_query_context_token,
};
