/* GetUserNameEx, GetComputerObjectName and TranslateName.  A Wine prefix is
 * a workgroup machine: the SAM-compatible and display names exist, the
 * directory-service formats do not (Windows answers ERROR_NONE_MAPPED /
 * ERROR_CANT_ACCESS_DOMAIN_INFO there). */
#include "secur32_private.h"
#include <lmcons.h>
#include <secext.h>

/* Copies src (with its NUL) to buf when it fits; Windows' size protocol. */
static BOOLEAN copy_name_w(const WCHAR *src, WCHAR *buf, ULONG *size)
{
    ULONG len = lstrlenW(src);

    if (!buf || *size <= len)
    {
        *size = len + 1;
        SetLastError(ERROR_MORE_DATA);
        return FALSE;
    }
    memcpy(buf, src, (len + 1) * sizeof(WCHAR));
    *size = len;
    return TRUE;
}

static BOOLEAN user_name_w(EXTENDED_NAME_FORMAT format, WCHAR *name, DWORD name_size)
{
    WCHAR user[UNLEN + 1], computer[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD user_len = ARRAY_SIZE(user), computer_len = ARRAY_SIZE(computer);

    if (!GetUserNameW(user, &user_len))
        return FALSE;
    switch (format)
    {
    case NameSamCompatible:
        if (!GetComputerNameW(computer, &computer_len))
            return FALSE;
        return _snwprintf(name, name_size, L"%s\\%s", computer, user) > 0;
    case NameDisplay:
        lstrcpynW(name, user, name_size);
        return TRUE;
    default:
        SetLastError(ERROR_NONE_MAPPED);
        return FALSE;
    }
}

/* GetUserNameExA/W's name, once the caller gave a place for its size. */
static BOOLEAN user_name_for(EXTENDED_NAME_FORMAT format, const ULONG *size, WCHAR *name, DWORD name_size)
{
    if (!size)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return user_name_w(format, name, name_size);
}

BOOLEAN WINAPI GetUserNameExW(EXTENDED_NAME_FORMAT format, LPWSTR buf, PULONG size)
{
    WCHAR name[UNLEN + MAX_COMPUTERNAME_LENGTH + 2];

    TRACE("%d %p %p\n", format, buf, size);
    if (!user_name_for(format, size, name, ARRAY_SIZE(name)))
        return FALSE;
    return copy_name_w(name, buf, size);
}

BOOLEAN WINAPI GetUserNameExA(EXTENDED_NAME_FORMAT format, LPSTR buf, PULONG size)
{
    WCHAR name[UNLEN + MAX_COMPUTERNAME_LENGTH + 2];
    int len;

    TRACE("%d %p %p\n", format, buf, size);
    if (!user_name_for(format, size, name, ARRAY_SIZE(name)))
        return FALSE;
    len = WideCharToMultiByte(CP_ACP, 0, name, -1, NULL, 0, NULL, NULL);
    if (!buf || *size < (ULONG)len)
    {
        *size = len;
        SetLastError(ERROR_MORE_DATA);
        return FALSE;
    }
    WideCharToMultiByte(CP_ACP, 0, name, -1, buf, len, NULL, NULL);
    *size = len - 1;
    return TRUE;
}

/* A prefix belongs to no domain, so no format names the computer object;
 * NameUnknown is not a format at all (Windows: ERROR_INVALID_PARAMETER). */
static DWORD computer_object_name_error(EXTENDED_NAME_FORMAT format)
{
    return format == NameUnknown ? ERROR_INVALID_PARAMETER : ERROR_CANT_ACCESS_DOMAIN_INFO;
}

BOOLEAN WINAPI GetComputerObjectNameW(EXTENDED_NAME_FORMAT format, LPWSTR buf, PULONG size)
{
    TRACE("%d %p %p: no domain\n", format, buf, size);
    SetLastError(computer_object_name_error(format));
    return FALSE;
}

BOOLEAN WINAPI GetComputerObjectNameA(EXTENDED_NAME_FORMAT format, LPSTR buf, PULONG size)
{
    TRACE("%d %p %p: no domain\n", format, buf, size);
    SetLastError(computer_object_name_error(format));
    return FALSE;
}

BOOLEAN WINAPI TranslateNameW(LPCWSTR account, EXTENDED_NAME_FORMAT from, EXTENDED_NAME_FORMAT to,
                              LPWSTR buf, PULONG size)
{
    TRACE("%ls %d %d %p %p: no domain\n", account ? account : L"(null)", from, to, buf, size);
    SetLastError(ERROR_NO_SUCH_DOMAIN);
    return FALSE;
}

BOOLEAN WINAPI TranslateNameA(LPCSTR account, EXTENDED_NAME_FORMAT from, EXTENDED_NAME_FORMAT to,
                              LPSTR buf, PULONG size)
{
    TRACE("%s %d %d %p %p: no domain\n", account ? account : "(null)", from, to, buf, size);
    SetLastError(ERROR_NO_SUCH_DOMAIN);
    return FALSE;
}
