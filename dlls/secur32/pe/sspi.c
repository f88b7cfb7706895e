/*
 * The SSPI front door: package enumeration and information, the buffer
 * allocator callers free through FreeContextBuffer, and the dispatch tables
 * InitSecurityInterfaceA/W hand out.
 */
#include "lsa_packages.h"

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
static void *package_infos_alloc(const struct package_desc **pkgs, ULONG count, BOOL wide)
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
    const struct package_desc *pkg = package_find_w(name);

    TRACE("%ls %p\n", name ? name : L"(null)", info);
    return query_package(pkg ? pkg : lsa_package_find_w(name), (void **)info, TRUE);
}

/* The ANSI entry leaves *info as the caller set it when the package is
 * unknown (Windows' record, Wine's secur32 main.c); the wide one clears it. */
SECURITY_STATUS WINAPI QuerySecurityPackageInfoA(SEC_CHAR *name, PSecPkgInfoA *info)
{
    const struct package_desc *pkg = package_find_a(name);

    TRACE("%s %p\n", name ? name : "(null)", info);
    if (!pkg && !(pkg = lsa_package_find_a(name)) && info)
        return SEC_E_SECPKG_NOT_FOUND;
    return query_package(pkg, (void **)info, FALSE);
}

SECURITY_STATUS WINAPI FreeContextBuffer(void *buffer)
{
    TRACE("%p\n", buffer);
    context_buffer_free(buffer);
    return SEC_E_OK;
}
