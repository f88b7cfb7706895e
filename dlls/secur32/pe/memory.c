/* Allocation helpers: one allocator for what callers free with
 * FreeContextBuffer, and UTF-8/UTF-16 conversions for the Unix half. */
#include "secur32_private.h"

void *context_buffer_alloc(SIZE_T size)
{
    return HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, size ? size : 1);
}

void context_buffer_free(void *p)
{
    if (p)
        HeapFree(GetProcessHeap(), 0, p);
}

void *heap_alloc_zero(SIZE_T size)
{
    return HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, size ? size : 1);
}

void heap_free(void *p)
{
    if (p)
        HeapFree(GetProcessHeap(), 0, p);
}

char *utf16_to_utf8(const WCHAR *str)
{
    int len;
    char *ret;

    if (!str)
        return NULL;
    len = WideCharToMultiByte(CP_UTF8, 0, str, -1, NULL, 0, NULL, NULL);
    if (len <= 0 || !(ret = heap_alloc_zero(len)))
        return NULL;
    WideCharToMultiByte(CP_UTF8, 0, str, -1, ret, len, NULL, NULL);
    return ret;
}

WCHAR *ansi_to_wide_len(const char *str, int len, ULONG *chars)
{
    int n = str ? MultiByteToWideChar(CP_ACP, 0, str, len, NULL, 0) : 0;
    WCHAR *ret;

    if (chars)
        *chars = 0;
    if (!str || !(ret = heap_alloc_zero((n + 1) * sizeof(WCHAR))))
        return NULL;
    MultiByteToWideChar(CP_ACP, 0, str, len, ret, n);
    if (chars)
        *chars = len < 0 && n ? n - 1 : n;
    return ret;
}

WCHAR *ansi_to_wide(const char *str)
{
    return ansi_to_wide_len(str, -1, NULL);
}

/* A caller-owned copy of s, UTF-16 or (wide = FALSE) in the ANSI code page. */
SECURITY_STATUS context_string_alloc(const WCHAR *s, void **out, BOOL wide)
{
    int len;

    if (wide)
    {
        len = (lstrlenW(s) + 1) * sizeof(WCHAR);
        if (!(*out = context_buffer_alloc(len)))
            return SEC_E_INSUFFICIENT_MEMORY;
        memcpy(*out, s, len);
        return SEC_E_OK;
    }
    len = WideCharToMultiByte(CP_ACP, 0, s, -1, NULL, 0, NULL, NULL);
    if (!(*out = context_buffer_alloc(len)))
        return SEC_E_INSUFFICIENT_MEMORY;
    WideCharToMultiByte(CP_ACP, 0, s, -1, *out, len, NULL, NULL);
    return SEC_E_OK;
}
