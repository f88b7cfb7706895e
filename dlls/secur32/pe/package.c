/* The security packages this DLL registers: Schannel under the three names
 * Windows answers to, with Windows' values (SCHANNEL-CONTRACT.md). */
#include "secur32_private.h"

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

ULONG package_count(void)
{
    return bridge_available() ? ARRAY_SIZE(packages) : 0;
}

const struct package_desc *package_at(ULONG index)
{
    return index < package_count() ? &packages[index] : NULL;
}

const struct package_desc *package_find_w(const WCHAR *name)
{
    ULONG i;

    if (!name)
        return NULL;
    for (i = 0; i < package_count(); i++)
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
