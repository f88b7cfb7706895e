/*
 * The registry of the packages this DLL carries, and the one place that
 * says which package owns a call: Negotiate, Kerberos and NTLM
 * (lsa_packages.c, whichever of them loaded) and Schannel (schannel.c).
 * A package is found by name (AcquireCredentialsHandle,
 * QuerySecurityPackageInfo) or by the type bits of a handle it issued
 * (handles.c); the entry points (sspi.c) then call through its table.
 */
#include "schannel_private.h"
#include "lsa_packages.h"

/* Windows' order: Negotiate, Kerberos, NTLM, then Schannel. */
ULONG package_count(void)
{
    return lsa_package_count() + schannel_package_count();
}

const struct package_desc *package_at(ULONG index)
{
    ULONG lsa = lsa_package_count();

    return index < lsa ? lsa_package_at(index) : schannel_package_at(index - lsa);
}

static const struct package_desc *find_in(const struct package_desc *(*at)(ULONG), const WCHAR *name)
{
    const struct package_desc *pkg;
    ULONG i;

    for (i = 0; (pkg = at(i)); i++)
        if (!lstrcmpiW(name, pkg->name))
            return pkg;
    return NULL;
}

/* Schannel's names first: looking them up never loads the LSA packages. */
const struct package_desc *package_find_w(const WCHAR *name)
{
    const struct package_desc *pkg;

    if (!name)
        return NULL;
    return (pkg = find_in(schannel_package_at, name)) ? pkg : find_in(lsa_package_at, name);
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
        return &schannel_package_ops;
    }
}

/* ISC/ASC: the context's package once there is one, else the credential's. */
const struct package_ops *package_owner_of_call(const struct context_request *r)
{
    const struct package_ops *ops = package_owner(r->ctx);

    return ops != &schannel_package_ops ? ops : package_owner(r->cred);
}
