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

static WCHAR *to_wide(UINT codepage, const char *str)
{
    int len;
    WCHAR *ret;

    if (!str)
        return NULL;
    len = MultiByteToWideChar(codepage, 0, str, -1, NULL, 0);
    if (len <= 0 || !(ret = heap_alloc_zero(len * sizeof(WCHAR))))
        return NULL;
    MultiByteToWideChar(codepage, 0, str, -1, ret, len);
    return ret;
}

WCHAR *utf8_to_utf16(const char *str)
{
    return to_wide(CP_UTF8, str);
}

WCHAR *ansi_to_wide(const char *str)
{
    return to_wide(CP_ACP, str);
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
