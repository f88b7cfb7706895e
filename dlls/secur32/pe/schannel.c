/* Schannel as a package: the three names Windows answers to, with the
 * values Windows reports for them (tests/conformance/packages.c), and its table of calls for the registry
 * (package.c).  Listed only when the Unix half answers. */
#include "schannel_private.h"

#define SCHANNEL_CAPS      0x000107b3
#define SCHANNEL_RPCID     14          /* UNISP_RPC_ID */

/* The calls it does not offer stay NULL: Windows' Schannel answers
 * SEC_E_UNSUPPORTED_FUNCTION to them as well. */
const struct package_ops schannel_package_ops = {
    .acquire_credentials = schannel_acquire_credentials,
    .free_credentials = schannel_free_credentials,
    .query_credentials = schannel_query_credentials,
    .set_credentials = schannel_set_credentials,
    .context_call = schannel_context_call,
    .delete_context = schannel_delete_context,
    .query_context = schannel_query_context,
    .set_context = schannel_set_context,
    .apply_control_token = schannel_apply_control_token,
    .encrypt = schannel_encrypt,
    .decrypt = schannel_decrypt,
};

static const struct package_desc packages[] = {
    { UNISP_NAME_W, L"Schannel Security Package",
      SCHANNEL_CAPS, 1, SCHANNEL_RPCID, SCHANNEL_MAX_TOKEN, &schannel_package_ops },
    { L"Schannel", L"Schannel Security Package",
      SCHANNEL_CAPS, 1, SCHANNEL_RPCID, SCHANNEL_MAX_TOKEN, &schannel_package_ops },
    { L"Default TLS SSP", L"Schannel Security Package",
      SCHANNEL_CAPS, 1, SCHANNEL_RPCID, SCHANNEL_MAX_TOKEN, &schannel_package_ops },
};

ULONG schannel_package_count(void)
{
    return bridge_available() ? ARRAY_SIZE(packages) : 0;
}

/* The first is Windows' own name for it (UNISP_NAME, SECPKG_ATTR_PACKAGE_INFO). */
const struct package_desc *schannel_package_at(ULONG index)
{
    return index < schannel_package_count() ? &packages[index] : NULL;
}
