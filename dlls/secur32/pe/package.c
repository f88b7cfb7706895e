/*
 * The registry of the packages this DLL carries, and the one place that
 * says which package owns a call.  Schannel answers to three names with
 * Windows' values (SCHANNEL-CONTRACT.md); Negotiate, Kerberos and NTLM are
 * hosted by lsa_packages.c, which lists whichever of them loaded.  A
 * package is found by name (AcquireCredentialsHandle,
 * QuerySecurityPackageInfo) or by the type bits of a handle it issued
 * (handles.c), and every call then goes through that package's table.
 */
#include "schannel_private.h"
#include "lsa_packages.h"

#define SCHANNEL_CAPS      0x000107b3
#define SCHANNEL_RPCID     14          /* UNISP_RPC_ID */

/* Schannel's table: the calls it does not offer stay NULL (Windows' Schannel
 * answers SEC_E_UNSUPPORTED_FUNCTION to them as well). */
static const struct package_ops schannel_ops = {
    .acquire_credentials = schannel_acquire_credentials,
    .free_credentials = schannel_free_credentials,
    .query_credentials = schannel_query_credentials,
    .context_call = schannel_context_call,
    .delete_context = schannel_delete_context,
    .query_context = schannel_query_context,
    .apply_control_token = schannel_apply_control_token,
    .encrypt = schannel_encrypt,
    .decrypt = schannel_decrypt,
};

static const struct package_desc packages[] = {
    { L"Microsoft Unified Security Protocol Provider", L"Schannel Security Package",
      SCHANNEL_CAPS, 1, SCHANNEL_RPCID, SCHANNEL_MAX_TOKEN, &schannel_ops },
    { L"Schannel", L"Schannel Security Package",
      SCHANNEL_CAPS, 1, SCHANNEL_RPCID, SCHANNEL_MAX_TOKEN, &schannel_ops },
    { L"Default TLS SSP", L"Schannel Security Package",
      SCHANNEL_CAPS, 1, SCHANNEL_RPCID, SCHANNEL_MAX_TOKEN, &schannel_ops },
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

/* Schannel's names first: looking them up never loads the LSA packages. */
const struct package_desc *package_find_w(const WCHAR *name)
{
    ULONG i;

    if (!name)
        return NULL;
    for (i = 0; i < schannel_count(); i++)
        if (!lstrcmpiW(name, packages[i].name))
            return &packages[i];
    return lsa_package_find_w(name);
}

/* The package that issued a handle, from its type bits.  Anything else
 * (NULL, forged, freed) goes to Schannel, whose calls answer
 * SEC_E_INVALID_HANDLE or SEC_E_UNSUPPORTED_FUNCTION as Windows does. */
const struct package_ops *package_owner(const SecHandle *handle)
{
    switch (handle ? handle->dwUpper & 0xf : 0)
    {
    case HANDLE_TYPE_LSA_CRED:
    case HANDLE_TYPE_LSA_CTXT:
        return &lsa_package_ops;
    default:
        return &schannel_ops;
    }
}

/* ISC/ASC: the context's package once there is one, else the credential's. */
const struct package_ops *package_owner_of_call(const SecHandle *cred, const SecHandle *ctx)
{
    const struct package_ops *ops = package_owner(ctx);

    return ops != &schannel_ops ? ops : package_owner(cred);
}
