/*
 * The LSA client interface (LsaConnectUntrusted, LsaLookupAuthenticationPackage,
 * LsaCallAuthenticationPackage, LsaFreeReturnBuffer, LsaGetLogonSessionData,
 * ...) for the packages hosted in this process (lsa_packages.c).  Windows
 * talks to lsass; here the "LSA" is this DLL, so a connection is a token
 * with nothing behind it and a call goes straight to the package's
 * CallPackageUntrusted.  Every output is set on every path: callers (Wine's
 * secur32 tests among them) read them after a failure too.
 */
#include "lsa_packages.h"
#include <ntsecapi.h>
#include <lmcons.h>

#ifndef STATUS_SUCCESS
#define STATUS_SUCCESS ((NTSTATUS)0)
#endif
#ifndef STATUS_INVALID_HANDLE
#define STATUS_INVALID_HANDLE ((NTSTATUS)0xC0000008L)
#endif
#ifndef STATUS_NO_MEMORY
#define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017L)
#endif
#ifndef STATUS_NO_SUCH_PACKAGE
#define STATUS_NO_SUCH_PACKAGE ((NTSTATUS)0xC00000FEL)
#endif
#ifndef STATUS_NO_SUCH_LOGON_SESSION
#define STATUS_NO_SUCH_LOGON_SESSION ((NTSTATUS)0xC000005FL)
#endif
#ifndef STATUS_NOT_IMPLEMENTED
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002L)
#endif

/* The one connection there is: its address is the handle. */
static const char lsa_connection = 'L';

static BOOL is_connection(HANDLE lsa)
{
    return lsa == (HANDLE)&lsa_connection;
}

NTSTATUS WINAPI LsaConnectUntrusted(PHANDLE lsa)
{
    TRACE("%p\n", lsa);
    if (!lsa)
        return STATUS_INVALID_PARAMETER;
    *lsa = (HANDLE)&lsa_connection;
    return STATUS_SUCCESS;
}

NTSTATUS WINAPI LsaRegisterLogonProcess(PLSA_STRING name, PHANDLE lsa, PLSA_OPERATIONAL_MODE mode)
{
    TRACE("%p %p %p\n", name, lsa, mode);
    if (mode)
        *mode = 0;
    return LsaConnectUntrusted(lsa);
}

NTSTATUS WINAPI LsaDeregisterLogonProcess(HANDLE lsa)
{
    TRACE("%p\n", lsa);
    return is_connection(lsa) ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

NTSTATUS WINAPI LsaLookupAuthenticationPackage(HANDLE lsa, PLSA_STRING name, PULONG package)
{
    TRACE("%p %.*s %p\n", lsa, name && name->Buffer ? (int)name->Length : 0, name && name->Buffer ? name->Buffer : "",
          package);
    if (!package)
        return STATUS_INVALID_PARAMETER;
    *package = 0;
    if (!is_connection(lsa))
        return STATUS_INVALID_HANDLE;
    if (!name || !name->Buffer)
        return STATUS_INVALID_PARAMETER;
    return lsa_package_id(name->Buffer, name->Length, package) ? STATUS_SUCCESS : STATUS_NO_SUCH_PACKAGE;
}

NTSTATUS WINAPI LsaCallAuthenticationPackage(HANDLE lsa, ULONG package, PVOID submit, ULONG submit_len,
                                             PVOID *ret, PULONG ret_len, PNTSTATUS status)
{
    void *buffer = NULL;
    ULONG len = 0;
    NTSTATUS sub = STATUS_SUCCESS, result;

    TRACE("%p %lu %p %lu %p %p %p\n", lsa, package, submit, submit_len, ret, ret_len, status);
    if (ret)
        *ret = NULL;
    if (ret_len)
        *ret_len = 0;
    if (status)
        *status = STATUS_SUCCESS;
    if (!is_connection(lsa))
        return STATUS_INVALID_HANDLE;
    if (!submit || !submit_len)
        return STATUS_INVALID_PARAMETER;
    result = lsa_package_call(package, submit, submit_len, &buffer, &len, &sub);
    if (ret)
        *ret = buffer;
    else
        LsaFreeReturnBuffer(buffer);
    if (ret_len)
        *ret_len = len;
    if (status)
        *status = sub;
    return result;
}

/* Package buffers come from the hosted LSA's client heap (lsa_packages.c),
 * which is this process heap. */
NTSTATUS WINAPI LsaFreeReturnBuffer(PVOID buffer)
{
    TRACE("%p\n", buffer);
    heap_free(buffer);
    return STATUS_SUCCESS;
}

/* ---- logon sessions: the one this process runs in ---- */

static BOOL current_logon(LUID *id, PSID *sid, BYTE *user_buf, DWORD user_size)
{
    TOKEN_STATISTICS stats;
    HANDLE token;
    DWORD len;
    BOOL ok;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return FALSE;
    ok = GetTokenInformation(token, TokenStatistics, &stats, sizeof(stats), &len)
        && GetTokenInformation(token, TokenUser, user_buf, user_size, &len);
    CloseHandle(token);
    if (ok)
    {
        *id = stats.AuthenticationId;
        *sid = ((TOKEN_USER *)user_buf)->User.Sid;
    }
    return ok;
}

NTSTATUS WINAPI LsaEnumerateLogonSessions(PULONG count, PLUID *list)
{
    BYTE user[256];
    PSID sid;
    LUID id;

    TRACE("%p %p\n", count, list);
    if (count)
        *count = 0;
    if (list)
        *list = NULL;
    if (!count || !list)
        return STATUS_INVALID_PARAMETER;
    if (!current_logon(&id, &sid, user, sizeof(user)))
        return STATUS_NO_SUCH_LOGON_SESSION;
    if (!(*list = heap_alloc_zero(sizeof(LUID))))
        return STATUS_NO_MEMORY;
    **list = id;
    *count = 1;
    return STATUS_SUCCESS;
}

/* Appends `text` after the structure, as the LSA returns it: one block. */
static void put_string(LSA_UNICODE_STRING *dst, WCHAR **pos, const WCHAR *text)
{
    size_t len = wcslen(text);

    memcpy(*pos, text, (len + 1) * sizeof(WCHAR));
    dst->Buffer = *pos;
    dst->Length = (USHORT)(len * sizeof(WCHAR));
    dst->MaximumLength = dst->Length + sizeof(WCHAR);
    *pos += len + 1;
}

/* The session of this process: an interactive logon of the prefix's user on
 * this computer, through NTLM (there is no domain). */
NTSTATUS WINAPI LsaGetLogonSessionData(PLUID id, PSECURITY_LOGON_SESSION_DATA *data)
{
    WCHAR user[UNLEN + 1], computer[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD user_len = ARRAY_SIZE(user), computer_len = ARRAY_SIZE(computer), sid_len;
    SECURITY_LOGON_SESSION_DATA *out;
    BYTE token_user[256];
    WCHAR *pos;
    PSID sid;
    LUID current;
    size_t size;

    TRACE("%p %p\n", id, data);
    if (!data)
        return STATUS_INVALID_PARAMETER;
    *data = NULL;
    if (!id)
        return STATUS_INVALID_PARAMETER;
    if (!current_logon(&current, &sid, token_user, sizeof(token_user))
        || id->LowPart != current.LowPart || id->HighPart != current.HighPart)
        return STATUS_NO_SUCH_LOGON_SESSION;
    if (!GetUserNameW(user, &user_len))
        user[0] = 0;
    if (!GetComputerNameW(computer, &computer_len))
        computer[0] = 0;
    sid_len = GetLengthSid(sid);
    size = sizeof(*out) + sid_len + (wcslen(user) + 2 * wcslen(computer) + 8) * sizeof(WCHAR);
    if (!(out = heap_alloc_zero(size)))
        return STATUS_NO_MEMORY;
    out->Size = sizeof(*out);
    out->LogonId = current;
    out->LogonType = Interactive;
    out->Sid = (PSID)(out + 1);
    CopySid(sid_len, out->Sid, sid);
    pos = (WCHAR *)((BYTE *)out->Sid + ((sid_len + 1) & ~1u));
    put_string(&out->UserName, &pos, user);
    put_string(&out->LogonDomain, &pos, computer);
    put_string(&out->AuthenticationPackage, &pos, L"NTLM");
    put_string(&out->LogonServer, &pos, computer);
    GetSystemTimeAsFileTime((FILETIME *)&out->LogonTime);
    *data = out;
    return STATUS_SUCCESS;
}

/* Logging a user on needs a real LSA. */
NTSTATUS WINAPI LsaLogonUser(HANDLE lsa, PLSA_STRING origin, SECURITY_LOGON_TYPE type, ULONG package, PVOID auth,
                             ULONG auth_len, PTOKEN_GROUPS groups, PTOKEN_SOURCE source, PVOID *profile,
                             PULONG profile_len, PLUID id, PHANDLE token, PQUOTA_LIMITS quotas, PNTSTATUS sub)
{
    TRACE("%p %p %d %lu %p %lu %p %p\n", lsa, origin, type, package, auth, auth_len, groups, source);
    if (profile)
        *profile = NULL;
    if (profile_len)
        *profile_len = 0;
    if (token)
        *token = NULL;
    if (id)
        memset(id, 0, sizeof(*id));
    if (quotas)
        memset(quotas, 0, sizeof(*quotas));
    if (sub)
        *sub = STATUS_NOT_IMPLEMENTED;
    return STATUS_NOT_IMPLEMENTED;
}
