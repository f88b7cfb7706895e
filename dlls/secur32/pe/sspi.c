/*
 * The SSPI front door: every entry point that a package answers.  Each one
 * finds the owning package once, by name (package_find_w) or by the type
 * bits of the handle passed (package_owner), and calls through that
 * package's table (package.c); ANSI entry points convert their strings
 * here and share the wide path.  Also package enumeration and information
 * and FreeContextBuffer.  The tables InitSecurityInterfaceA/W hand out are
 * in dispatch.c, the calls no package offers in unsupported.c.
 */
#include "secur32_private.h"

/* The calls a package may leave out of its table. */
#define OPTIONAL_CALL(ops, fn, ...) ((ops)->fn ? (ops)->fn(__VA_ARGS__) : SEC_E_UNSUPPORTED_FUNCTION)

static SECURITY_STATUS enumerate_packages(ULONG *count, void **infos, BOOL wide)
{
    const struct package_desc *pkgs[16];
    ULONG i, n = package_count();

    if (!count || !infos)
        return SEC_E_INVALID_PARAMETER;
    for (i = 0; i < n && i < ARRAY_SIZE(pkgs); i++)
        pkgs[i] = package_at(i);
    *count = 0;
    *infos = NULL;
    if (!n)
        return SEC_E_OK;
    if (!(*infos = package_infos_alloc(pkgs, n, wide)))
        return SEC_E_INSUFFICIENT_MEMORY;
    *count = n;
    return SEC_E_OK;
}

SECURITY_STATUS WINAPI EnumerateSecurityPackagesW(ULONG *count, PSecPkgInfoW *infos)
{
    TRACE("%p %p\n", count, infos);
    return enumerate_packages(count, (void **)infos, TRUE);
}

SECURITY_STATUS WINAPI EnumerateSecurityPackagesA(ULONG *count, PSecPkgInfoA *infos)
{
    TRACE("%p %p\n", count, infos);
    return enumerate_packages(count, (void **)infos, FALSE);
}

static SECURITY_STATUS query_package(const struct package_desc *pkg, void **info, BOOL wide)
{
    if (!info)
        return SEC_E_INVALID_PARAMETER;
    *info = NULL;
    if (!pkg)
        return SEC_E_SECPKG_NOT_FOUND;
    if (!(*info = package_infos_alloc(&pkg, 1, wide)))
        return SEC_E_INSUFFICIENT_MEMORY;
    return SEC_E_OK;
}

SECURITY_STATUS WINAPI QuerySecurityPackageInfoW(SEC_WCHAR *name, PSecPkgInfoW *info)
{
    TRACE("%ls %p\n", name ? name : L"(null)", info);
    return query_package(package_find_w(name), (void **)info, TRUE);
}

/* The ANSI entry leaves *info as the caller set it when the package is
 * unknown (Windows' record, Wine's secur32 main.c); the wide one clears it. */
SECURITY_STATUS WINAPI QuerySecurityPackageInfoA(SEC_CHAR *name, PSecPkgInfoA *info)
{
    WCHAR *wname = ansi_to_wide(name);
    const struct package_desc *pkg = package_find_w(wname);

    TRACE("%s %p\n", name ? name : "(null)", info);
    heap_free(wname);
    if (!pkg && info)
        return SEC_E_SECPKG_NOT_FOUND;
    return query_package(pkg, (void **)info, FALSE);
}

SECURITY_STATUS WINAPI FreeContextBuffer(void *buffer)
{
    TRACE("%p\n", buffer);
    context_buffer_free(buffer);
    return SEC_E_OK;
}

/* ------------------------------------------------------------------ credentials */

SECURITY_STATUS WINAPI AcquireCredentialsHandleW(SEC_WCHAR *principal, SEC_WCHAR *package, ULONG use,
                                                 void *logon_id, void *auth, SEC_GET_KEY_FN get_key,
                                                 void *get_key_arg, PCredHandle handle, PTimeStamp expiry)
{
    const struct package_desc *pkg = package_find_w(package);

    TRACE("%ls %ls %#lx %p %p %p %p %p %p\n", principal ? principal : L"(null)", package ? package : L"(null)",
          use, logon_id, auth, get_key, get_key_arg, handle, expiry);
    if (!pkg)
        return SEC_E_SECPKG_NOT_FOUND;
    return pkg->ops->acquire_credentials(pkg, principal, use, logon_id, auth, get_key, get_key_arg, handle, expiry);
}

SECURITY_STATUS WINAPI AcquireCredentialsHandleA(SEC_CHAR *principal, SEC_CHAR *package, ULONG use,
                                                 void *logon_id, void *auth, SEC_GET_KEY_FN get_key,
                                                 void *get_key_arg, PCredHandle handle, PTimeStamp expiry)
{
    WCHAR *wpackage = ansi_to_wide(package);
    WCHAR *wprincipal = ansi_to_wide(principal);
    const struct package_desc *pkg = package_find_w(wpackage);
    SECURITY_STATUS status = SEC_E_SECPKG_NOT_FOUND;

    TRACE("%s %s %#lx %p %p %p %p %p %p\n", principal ? principal : "(null)", package ? package : "(null)",
          use, logon_id, auth, get_key, get_key_arg, handle, expiry);
    if (pkg)
        status = pkg->ops->acquire_credentials(pkg, wprincipal, use, logon_id, auth, get_key, get_key_arg,
                                               handle, expiry);
    heap_free(wprincipal);
    heap_free(wpackage);
    return status;
}

SECURITY_STATUS WINAPI FreeCredentialsHandle(PCredHandle handle)
{
    TRACE("%p\n", handle);
    return package_owner(handle)->free_credentials(handle);
}

SECURITY_STATUS WINAPI QueryCredentialsAttributesW(PCredHandle handle, ULONG attribute, void *buffer)
{
    TRACE("%p %lu %p\n", handle, attribute, buffer);
    return package_owner(handle)->query_credentials(handle, attribute, buffer, TRUE);
}

SECURITY_STATUS WINAPI QueryCredentialsAttributesA(PCredHandle handle, ULONG attribute, void *buffer)
{
    TRACE("%p %lu %p\n", handle, attribute, buffer);
    return package_owner(handle)->query_credentials(handle, attribute, buffer, FALSE);
}

/* SetCredentialsAttributesA/W take the same structures (none holds a string). */
SECURITY_STATUS WINAPI SetCredentialsAttributesW(PCredHandle handle, ULONG attribute, void *buffer, ULONG size)
{
    TRACE("%p %lu %p %lu\n", handle, attribute, buffer, size);
    return OPTIONAL_CALL(package_owner(handle), set_credentials, handle, attribute, buffer, size);
}

SECURITY_STATUS WINAPI SetCredentialsAttributesA(PCredHandle handle, ULONG attribute, void *buffer, ULONG size)
{
    return SetCredentialsAttributesW(handle, attribute, buffer, size);
}

/* ------------------------------------------------------------------ contexts */

static SECURITY_STATUS context_call(const struct context_request *r)
{
    return package_owner_of_call(r)->context_call(r);
}

SECURITY_STATUS WINAPI InitializeSecurityContextW(PCredHandle cred, PCtxtHandle ctx, SEC_WCHAR *target, ULONG req,
                                                  ULONG reserved1, ULONG rep, PSecBufferDesc input, ULONG reserved2,
                                                  PCtxtHandle new_ctx, PSecBufferDesc output, ULONG *attrs,
                                                  PTimeStamp expiry)
{
    char bufs[256];
    SECURITY_STATUS status;

    TRACE("%p %p %ls %#lx %lu %lu %p %lu %p %p %p %p\n", cred, ctx, target ? target : L"(null)", req, reserved1,
          rep, input, reserved2, new_ctx, output, attrs, expiry);
    TRACE("input %s\n", dbg_secbuffers(input, bufs, sizeof(bufs)));
    status = context_call(&(struct context_request){ cred, ctx, target, req, rep, input, new_ctx, output, attrs,
                                                     expiry, FALSE });
    TRACE("returning %#lx, output %s\n", status, dbg_secbuffers(output, bufs, sizeof(bufs)));
    return status;
}

SECURITY_STATUS WINAPI InitializeSecurityContextA(PCredHandle cred, PCtxtHandle ctx, SEC_CHAR *target, ULONG req,
                                                  ULONG reserved1, ULONG rep, PSecBufferDesc input, ULONG reserved2,
                                                  PCtxtHandle new_ctx, PSecBufferDesc output, ULONG *attrs,
                                                  PTimeStamp expiry)
{
    WCHAR *wtarget = ansi_to_wide(target);
    SECURITY_STATUS status;

    TRACE("%p %p %s %#lx %lu %lu %p %lu %p %p %p %p\n", cred, ctx, target ? target : "(null)", req, reserved1,
          rep, input, reserved2, new_ctx, output, attrs, expiry);
    status = context_call(&(struct context_request){ cred, ctx, wtarget, req, rep, input, new_ctx, output, attrs,
                                                     expiry, FALSE });
    heap_free(wtarget);
    TRACE("returning %#lx\n", status);
    return status;
}

SECURITY_STATUS WINAPI AcceptSecurityContext(PCredHandle cred, PCtxtHandle ctx, PSecBufferDesc input, ULONG req,
                                             ULONG rep, PCtxtHandle new_ctx, PSecBufferDesc output, ULONG *attrs,
                                             PTimeStamp expiry)
{
    char bufs[256];
    SECURITY_STATUS status;

    TRACE("%p %p %p %#lx %lu %p %p %p %p\n", cred, ctx, input, req, rep, new_ctx, output, attrs, expiry);
    TRACE("input %s\n", dbg_secbuffers(input, bufs, sizeof(bufs)));
    status = context_call(&(struct context_request){ cred, ctx, NULL, req, rep, input, new_ctx, output, attrs,
                                                     expiry, TRUE });
    TRACE("returning %#lx, output %s\n", status, dbg_secbuffers(output, bufs, sizeof(bufs)));
    return status;
}

SECURITY_STATUS WINAPI DeleteSecurityContext(PCtxtHandle handle)
{
    TRACE("%p\n", handle);
    return package_owner(handle)->delete_context(handle);
}

SECURITY_STATUS WINAPI ApplyControlToken(PCtxtHandle handle, PSecBufferDesc input)
{
    TRACE("%p %p\n", handle, input);
    return package_owner(handle)->apply_control_token(handle, input);
}

SECURITY_STATUS WINAPI QueryContextAttributesW(PCtxtHandle handle, ULONG attribute, void *buffer)
{
    TRACE("%p %lu %p\n", handle, attribute, buffer);
    return package_owner(handle)->query_context(handle, attribute, buffer, TRUE);
}

SECURITY_STATUS WINAPI QueryContextAttributesA(PCtxtHandle handle, ULONG attribute, void *buffer)
{
    TRACE("%p %lu %p\n", handle, attribute, buffer);
    return package_owner(handle)->query_context(handle, attribute, buffer, FALSE);
}

/* SetContextAttributesA/W as well: the attributes that can be set hold no
 * strings (KEYING_MATERIAL_INFO's label is ANSI in both). */
SECURITY_STATUS WINAPI SetContextAttributesW(PCtxtHandle handle, ULONG attribute, void *buffer, ULONG size)
{
    TRACE("%p %lu %p %lu\n", handle, attribute, buffer, size);
    return OPTIONAL_CALL(package_owner(handle), set_context, handle, attribute, buffer, size);
}

SECURITY_STATUS WINAPI SetContextAttributesA(PCtxtHandle handle, ULONG attribute, void *buffer, ULONG size)
{
    return SetContextAttributesW(handle, attribute, buffer, size);
}

/* ------------------------------------------------------------------ messages */

SECURITY_STATUS WINAPI EncryptMessage(PCtxtHandle handle, ULONG qop, PSecBufferDesc msg, ULONG seq)
{
    TRACE("%p %#lx %p %lu\n", handle, qop, msg, seq);
    return package_owner(handle)->encrypt(handle, qop, msg, seq);
}

SECURITY_STATUS WINAPI DecryptMessage(PCtxtHandle handle, PSecBufferDesc msg, ULONG seq, ULONG *qop)
{
    SECURITY_STATUS status;
    char bufs[256];

    TRACE("%p %p %lu %p\n", handle, msg, seq, qop);
    status = package_owner(handle)->decrypt(handle, msg, seq, qop);
    TRACE("returning %#lx, buffers %s\n", status, dbg_secbuffers(msg, bufs, sizeof(bufs)));
    return status;
}

SECURITY_STATUS WINAPI MakeSignature(PCtxtHandle handle, ULONG qop, PSecBufferDesc msg, ULONG seq)
{
    TRACE("%p %#lx %p %lu\n", handle, qop, msg, seq);
    return OPTIONAL_CALL(package_owner(handle), make_signature, handle, qop, msg, seq);
}

SECURITY_STATUS WINAPI VerifySignature(PCtxtHandle handle, PSecBufferDesc msg, ULONG seq, ULONG *qop)
{
    TRACE("%p %p %lu %p\n", handle, msg, seq, qop);
    return OPTIONAL_CALL(package_owner(handle), verify_signature, handle, msg, seq, qop);
}

SECURITY_STATUS WINAPI CompleteAuthToken(PCtxtHandle handle, PSecBufferDesc token)
{
    TRACE("%p %p\n", handle, token);
    return OPTIONAL_CALL(package_owner(handle), complete_auth_token, handle, token);
}

SECURITY_STATUS WINAPI QuerySecurityContextToken(PCtxtHandle handle, HANDLE *token)
{
    TRACE("%p %p\n", handle, token);
    return OPTIONAL_CALL(package_owner(handle), query_context_token, handle, token);
}
