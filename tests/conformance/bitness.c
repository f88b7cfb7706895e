/* The secur32.dll this process loaded is ours and built for this process's
 * machine: a 32-bit program gets the i386 pair, a 64-bit one the x86_64
 * pair, and in both the Unix half (which must then be of the same bitness
 * as the process) creates a GnuTLS credential. */
#include "testutil.h"

#ifdef __i386__
#define EXPECTED_MACHINE IMAGE_FILE_MACHINE_I386
#define EXPECTED_BITS 32
#else
#define EXPECTED_MACHINE IMAGE_FILE_MACHINE_AMD64
#define EXPECTED_BITS 64
#endif

static WORD module_machine(HMODULE module)
{
    const IMAGE_DOS_HEADER *dos = (const IMAGE_DOS_HEADER *)module;
    const IMAGE_NT_HEADERS *nt;

    if (!module || dos->e_magic != IMAGE_DOS_SIGNATURE)
        return 0;
    nt = (const IMAGE_NT_HEADERS *)((const BYTE *)module + dos->e_lfanew);
    return nt->Signature == IMAGE_NT_SIGNATURE ? nt->FileHeader.Machine : 0;
}

static void check_process_bitness(void)
{
    BOOL wow64 = FALSE;

    ok(sizeof(void *) * 8 == EXPECTED_BITS, "this program is %d-bit", EXPECTED_BITS);
    ok(IsWow64Process(GetCurrentProcess(), &wow64), "IsWow64Process answers");
    ok(wow64 == (EXPECTED_BITS == 32), "the process %s a 32-bit process in a 64-bit prefix",
       EXPECTED_BITS == 32 ? "is" : "is not");
}

static void check_unix_half_answers(void)
{
    SCHANNEL_CRED auth = { .dwVersion = SCHANNEL_CRED_VERSION };
    SecPkgCred_SupportedProtocols protos = { 0 };
    CredHandle cred;
    TimeStamp expiry;

    ok_hex(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, SECPKG_CRED_OUTBOUND, NULL, &auth, NULL, NULL,
                                     &cred, &expiry), SEC_E_OK, "the %d-bit Unix half creates a GnuTLS credential",
           EXPECTED_BITS);
    ok_hex(QueryCredentialsAttributesA(&cred, SECPKG_ATTR_SUPPORTED_PROTOCOLS, &protos), SEC_E_OK,
           "query its protocols");
    ok(protos.grbitProtocol == SP_PROT_TLS1_2_CLIENT, "SCHANNEL_CRED default is TLS 1.2 (got %#lx)",
       protos.grbitProtocol);
    ok_hex(FreeCredentialsHandle(&cred), SEC_E_OK, "the credential is freed");
}

int main(void)
{
    char product[64];
    HMODULE module;
    WORD machine;

    check_process_bitness();
    ok(secur32_is_ours(product, sizeof(product)), "loaded secur32.dll is secur32-gnutls (product \"%s\")", product);
    module = GetModuleHandleA("secur32.dll");
    ok(module != NULL, "secur32.dll is loaded");
    machine = module_machine(module);
    ok(machine == EXPECTED_MACHINE, "the loaded secur32.dll is built for this machine (%#x, want %#x)",
       machine, EXPECTED_MACHINE);
    check_unix_half_answers();
    return tap_done();
}
