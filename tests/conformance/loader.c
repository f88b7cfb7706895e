/* The secur32.dll this process loaded is ours, and its Unix half answers.
 * With an argument "child" it only enumerates (tests/trace.sh runs it so). */
#include <string.h>
#include "testutil.h"

/* The Unix half answers: only it can create a GnuTLS credential. */
static void check_unix_half(void)
{
    SCHANNEL_CRED auth = { .dwVersion = SCHANNEL_CRED_VERSION };
    SecPkgCred_SupportedProtocols protos = { 0 };
    CredHandle cred;
    TimeStamp expiry;

    ok_hex(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, SECPKG_CRED_OUTBOUND, NULL, &auth, NULL, NULL,
                                     &cred, &expiry), SEC_E_OK, "the Unix half creates a GnuTLS credential");
    ok_hex(QueryCredentialsAttributesA(&cred, SECPKG_ATTR_SUPPORTED_PROTOCOLS, &protos), SEC_E_OK,
           "query its protocols");
    ok(protos.grbitProtocol == SP_PROT_TLS1_2_CLIENT, "SCHANNEL_CRED default is TLS 1.2 (got %#lx)",
       protos.grbitProtocol);
    FreeCredentialsHandle(&cred);
}

int main(int argc, char **argv)
{
    char product[64];
    ULONG count = 0;
    PSecPkgInfoA infos = NULL;
    SECURITY_STATUS status;

    status = EnumerateSecurityPackagesA(&count, &infos);
    if (argc > 1 && !strcmp(argv[1], "child"))
        return status == SEC_E_OK ? 0 : 1;

    ok(secur32_is_ours(product, sizeof(product)), "loaded secur32.dll is secur32-gnutls (product \"%s\")", product);
    ok(GetModuleHandleA("secur32.dll") != NULL, "secur32.dll is loaded");
    ok_hex(status, SEC_E_OK, "EnumerateSecurityPackagesA succeeds");
    /* Negotiate, Kerberos and NTLM (those Wine's package DLLs offer here)
     * come first, as on Windows; Schannel's three names close the list. */
    ok(count >= 3 && count <= 6 && !strcmp(infos[count - 3].Name, "Microsoft Unified Security Protocol Provider")
       && !strcmp(infos[count - 1].Name, "Default TLS SSP"),
       "Schannel's three names are registered last, so the Unix half answered (%lu packages)", count);
    FreeContextBuffer(infos);
    check_unix_half();
    return tap_done();
}
