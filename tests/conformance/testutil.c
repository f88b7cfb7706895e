#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* TAP wants bare \n line ends; msvcrt's text mode would add \r. */
__attribute__((constructor)) static void binary_stdout(void)
{
    _setmode(_fileno(stdout), _O_BINARY);
}

BOOL secur32_is_ours(char *product, size_t size)
{
    HMODULE module = GetModuleHandleA("secur32.dll");
    HRSRC res;
    void *data, *copy, *value;
    UINT len;
    BOOL ours = FALSE;

    product[0] = 0;
    if (!module || !(res = FindResourceW(module, MAKEINTRESOURCEW(VS_VERSION_INFO), (LPCWSTR)RT_VERSION)))
        return FALSE;
    if (!(data = LockResource(LoadResource(module, res))))
        return FALSE;
    /* VerQueryValue wants a writable copy of the block. */
    copy = malloc(SizeofResource(module, res) * 2);
    memcpy(copy, data, SizeofResource(module, res));
    if (VerQueryValueA(copy, "\\StringFileInfo\\040904b0\\ProductName", &value, &len) && len)
    {
        snprintf(product, size, "%s", (const char *)value);
        ours = !strcmp(product, "secur32-gnutls");
    }
    free(copy);
    return ours;
}

BOOL source_path(const char *relative, char *out, size_t size)
{
    const char *src = getenv("SECUR32_SRCDIR");
    char *p;

    if (!src || snprintf(out, size, "Z:%s/%s", src, relative) >= (int)size)
        return FALSE;
    for (p = out; *p; p++)
        if (*p == '/')
            *p = '\\';
    return TRUE;
}

char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(len + 1);
    if (buf && fread(buf, 1, len, f) != (size_t)len)
    {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
    {
        buf[len] = 0;
        if (size)
            *size = len;
    }
    return buf;
}
