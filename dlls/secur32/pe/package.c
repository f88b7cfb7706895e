/* The security packages this DLL registers: Schannel under the three names
 * Windows answers to, with Windows' values (SCHANNEL-CONTRACT.md). */
#include "lsa_packages.h"

#define SCHANNEL_CAPS      0x000107b3
#define SCHANNEL_RPCID     14          /* UNISP_RPC_ID */
#define SCHANNEL_MAX_TOKEN 24576

static const struct package_desc packages[] = {
    { L"Microsoft Unified Security Protocol Provider", L"Schannel Security Package",
      SCHANNEL_CAPS, 1, SCHANNEL_RPCID, SCHANNEL_MAX_TOKEN },
    { L"Schannel", L"Schannel Security Package",
      SCHANNEL_CAPS, 1, SCHANNEL_RPCID, SCHANNEL_MAX_TOKEN },
    { L"Default TLS SSP", L"Schannel Security Package",
      SCHANNEL_CAPS, 1, SCHANNEL_RPCID, SCHANNEL_MAX_TOKEN },
};

static ULONG schannel_count(void)
{
    return bridge_available() ? ARRAY_SIZE(packages) : 0;
}

/* Windows' order: Negotiate, Kerberos, NTLM (lsa_packages.c), then Schannel. */
ULONG package_count(void)
{
    return lsa_package_count() + schannel_count();
}

const struct package_desc *package_at(ULONG index)
{
    ULONG lsa = lsa_package_count();

    if (index < lsa)
        return lsa_package_at(index);
    index -= lsa;
    return index < schannel_count() ? &packages[index] : NULL;
}

/* Schannel's names only: looking them up never loads the LSA packages. */
const struct package_desc *package_find_w(const WCHAR *name)
{
    ULONG i;

    if (!name)
        return NULL;
    for (i = 0; i < schannel_count(); i++)
        if (!lstrcmpiW(name, packages[i].name))
            return &packages[i];
    return NULL;
}

const struct package_desc *package_find_a(const char *name)
{
    WCHAR wname[64];

    if (!name || !MultiByteToWideChar(CP_ACP, 0, name, -1, wname, ARRAY_SIZE(wname)))
        return NULL;
    return package_find_w(wname);
}
