/* SecPkgInfoA/W as callers receive them (EnumerateSecurityPackages,
 * QuerySecurityPackageInfo, SECPKG_ATTR_PACKAGE_INFO): one block from the
 * FreeContextBuffer allocator, the strings after the structures.  Used by
 * the entry points and by the packages alike, so that no package calls the
 * public API back. */
#include "secur32_private.h"

static SIZE_T package_strings_size(const struct package_desc *pkg, BOOL wide)
{
    if (wide)
        return (lstrlenW(pkg->name) + lstrlenW(pkg->comment) + 2) * sizeof(WCHAR);
    return WideCharToMultiByte(CP_ACP, 0, pkg->name, -1, NULL, 0, NULL, NULL) +
           WideCharToMultiByte(CP_ACP, 0, pkg->comment, -1, NULL, 0, NULL, NULL);
}

/* Writes one SecPkgInfoA/W with its strings placed at *strings. */
static void fill_package_info(const struct package_desc *pkg, void *info, char **strings, BOOL wide)
{
    SecPkgInfoW *w = info;   /* A and W differ only in the string pointer types */
    const WCHAR *src[2] = { pkg->name, pkg->comment };
    void *dst[2];
    int i, len;

    w->fCapabilities = pkg->capabilities;
    w->wVersion = pkg->version;
    w->wRPCID = pkg->rpcid;
    w->cbMaxToken = pkg->max_token;
    for (i = 0; i < 2; i++)
    {
        dst[i] = *strings;
        if (wide)
        {
            len = (lstrlenW(src[i]) + 1) * sizeof(WCHAR);
            memcpy(*strings, src[i], len);
        }
        else
            len = WideCharToMultiByte(CP_ACP, 0, src[i], -1, *strings, 256, NULL, NULL);
        *strings += len;
    }
    w->Name = dst[0];
    w->Comment = dst[1];
}

/* One allocation holding `count` package infos and their strings. */
void *package_infos_alloc(const struct package_desc **pkgs, ULONG count, BOOL wide)
{
    SIZE_T info_size = wide ? sizeof(SecPkgInfoW) : sizeof(SecPkgInfoA), total = count * info_size;
    char *block, *strings;
    ULONG i;

    for (i = 0; i < count; i++)
        total += package_strings_size(pkgs[i], wide);
    if (!(block = context_buffer_alloc(total)))
        return NULL;
    strings = block + count * info_size;
    for (i = 0; i < count; i++)
        fill_package_info(pkgs[i], block + i * info_size, &strings, wide);
    return block;
}
