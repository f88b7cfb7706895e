/* The Sspi* helpers that pack user, domain and password into an opaque
 * authentication identity (a SEC_WINNT_AUTH_IDENTITY_W in one LocalAlloc
 * block) and back. */
#include "secur32_private.h"
#include <wincred.h>

static ULONG wlen(const WCHAR *s)
{
    return s ? lstrlenW(s) : 0;
}

static WCHAR *place_string(WCHAR **pos, const WCHAR *src, ULONG len)
{
    WCHAR *dst;

    if (!src)
        return NULL;
    dst = *pos;
    memcpy(dst, src, len * sizeof(WCHAR));
    dst[len] = 0;
    *pos += len + 1;
    return dst;
}

SECURITY_STATUS WINAPI SspiEncodeStringsAsAuthIdentity(PCWSTR user, PCWSTR domain, PCWSTR password,
                                                       PSEC_WINNT_AUTH_IDENTITY_OPAQUE *out)
{
    ULONG ulen = wlen(user), dlen = wlen(domain), plen = wlen(password);
    SEC_WINNT_AUTH_IDENTITY_W *id;
    WCHAR *pos;

    TRACE("%p %p %p %p\n", user, domain, password, out);
    if (!out || (!user && !domain && !password))
        return SEC_E_INVALID_TOKEN;
    id = LocalAlloc(LPTR, sizeof(*id) + (ulen + dlen + plen + 3) * sizeof(WCHAR));
    if (!id)
        return SEC_E_INSUFFICIENT_MEMORY;
    pos = (WCHAR *)(id + 1);
    id->User = (unsigned short *)place_string(&pos, user, ulen);
    id->UserLength = ulen;
    id->Domain = (unsigned short *)place_string(&pos, domain, dlen);
    id->DomainLength = dlen;
    id->Password = (unsigned short *)place_string(&pos, password, plen);
    id->PasswordLength = plen;
    id->Flags = SEC_WINNT_AUTH_IDENTITY_UNICODE;
    *out = id;
    return SEC_E_OK;
}

static WCHAR *dup_counted(const unsigned short *s, ULONG len)
{
    WCHAR *ret;

    if (!s)
        return NULL;
    if ((ret = LocalAlloc(LPTR, (len + 1) * sizeof(WCHAR))))
        memcpy(ret, s, len * sizeof(WCHAR));
    return ret;
}

SECURITY_STATUS WINAPI SspiEncodeAuthIdentityAsStrings(PSEC_WINNT_AUTH_IDENTITY_OPAQUE opaque, PCWSTR *user,
                                                       PCWSTR *domain, PCWSTR *password)
{
    SEC_WINNT_AUTH_IDENTITY_W *id = opaque;

    TRACE("%p %p %p %p\n", opaque, user, domain, password);
    if (!id || !user || !domain || !password)
        return SEC_E_INVALID_TOKEN;
    if (!(id->Flags & SEC_WINNT_AUTH_IDENTITY_UNICODE))
        return SEC_E_UNSUPPORTED_FUNCTION;
    *user = dup_counted(id->User, id->UserLength);
    *domain = dup_counted(id->Domain, id->DomainLength);
    *password = dup_counted(id->Password, id->PasswordLength);
    return SEC_E_OK;
}

void WINAPI SspiZeroAuthIdentity(PSEC_WINNT_AUTH_IDENTITY_OPAQUE opaque)
{
    SEC_WINNT_AUTH_IDENTITY_W *id = opaque;

    TRACE("%p\n", opaque);
    if (id && id->Password)
        SecureZeroMemory(id->Password, id->PasswordLength * sizeof(WCHAR));
}

void WINAPI SspiFreeAuthIdentity(PSEC_WINNT_AUTH_IDENTITY_OPAQUE opaque)
{
    TRACE("%p\n", opaque);
    SspiZeroAuthIdentity(opaque);
    LocalFree(opaque);
}

void WINAPI SspiLocalFree(PVOID buffer)
{
    TRACE("%p\n", buffer);
    LocalFree(buffer);
}

/* Credential Manager form of an identity: a domain-password credential whose
 * user name is "domain\user" and whose blob is the password.  Without a
 * target the credential is filed under that same "domain\user" (Windows'
 * record, Wine's secur32 tests). */
SECURITY_STATUS WINAPI SspiPrepareForCredWrite(PSEC_WINNT_AUTH_IDENTITY_OPAQUE opaque, PCWSTR target,
                                               PULONG type, PCWSTR *target_out, PCWSTR *user_out,
                                               PUCHAR *blob, PULONG blob_size)
{
    SEC_WINNT_AUTH_IDENTITY_W *id = opaque;
    ULONG user_len, target_len;
    WCHAR *user, *target_copy;
    UCHAR *password;

    TRACE("%p %ls\n", opaque, target ? target : L"(null)");
    if (!id || !type || !target_out || !user_out || !blob || !blob_size)
        return SEC_E_INVALID_TOKEN;
    user_len = id->DomainLength + 1 + id->UserLength;
    target_len = target ? (ULONG)lstrlenW(target) : user_len;
    target_copy = LocalAlloc(LPTR, (target_len + 1) * sizeof(WCHAR));
    user = LocalAlloc(LPTR, (user_len + 1) * sizeof(WCHAR));
    password = LocalAlloc(LPTR, id->PasswordLength * sizeof(WCHAR) + 1);
    if (!target_copy || !user || !password)
    {
        LocalFree(target_copy);
        LocalFree(user);
        LocalFree(password);
        return SEC_E_INSUFFICIENT_MEMORY;
    }
    if (id->DomainLength)
        _snwprintf(user, user_len + 1, L"%.*s\\%.*s", (int)id->DomainLength, (WCHAR *)id->Domain,
                   (int)id->UserLength, (WCHAR *)id->User);
    else if (id->User)
        memcpy(user, id->User, id->UserLength * sizeof(WCHAR));
    if (id->Password)
        memcpy(password, id->Password, id->PasswordLength * sizeof(WCHAR));
    lstrcpynW(target_copy, target ? target : user, target_len + 1);
    *type = CRED_TYPE_DOMAIN_PASSWORD;
    *target_out = target_copy;
    *user_out = user;
    *blob = password;
    *blob_size = id->PasswordLength * sizeof(WCHAR);
    return SEC_E_OK;
}
