/* Credential and context handles: stale, forged, double free, wrong type,
 * many at once, and many threads at once. */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define MANY 5000
#define THREADS 4
#define PER_THREAD 1500

static SECURITY_STATUS acquire_outbound(CredHandle *cred)
{
    SCHANNEL_CRED auth = { .dwVersion = SCHANNEL_CRED_VERSION };
    TimeStamp expiry;
    return AcquireCredentialsHandleA(NULL, (SEC_CHAR *)UNISP_NAME_A, SECPKG_CRED_OUTBOUND, NULL, &auth,
                                     NULL, NULL, cred, &expiry);
}

static void test_lifecycle(void)
{
    CredHandle cred, copy;
    CtxtHandle as_ctx;
    SecPkgCred_SupportedProtocols protos;

    ok_hex(acquire_outbound(&cred), SEC_E_OK, "acquire an outbound credential");
    ok(SecIsValidHandle(&cred), "the handle is valid-looking");
    ok_hex(QueryCredentialsAttributesA(&cred, SECPKG_ATTR_SUPPORTED_PROTOCOLS, &protos), SEC_E_OK,
           "a live handle answers queries");
    copy = cred;
    memcpy(&as_ctx, &cred, sizeof(as_ctx));
    ok_hex(DeleteSecurityContext(&as_ctx), SEC_E_INVALID_HANDLE, "a credential handle is no context handle");
    ok_hex(FreeCredentialsHandle(&cred), SEC_E_OK, "free it");
    ok_hex(FreeCredentialsHandle(&copy), SEC_E_INVALID_HANDLE, "double free is refused");
    ok_hex(QueryCredentialsAttributesA(&copy, SECPKG_ATTR_SUPPORTED_PROTOCOLS, &protos), SEC_E_INVALID_HANDLE,
           "a stale handle is refused");

    /* The slot is reused by the next credential, under a new generation. */
    ok_hex(acquire_outbound(&cred), SEC_E_OK, "acquire again");
    ok(cred.dwLower == copy.dwLower && cred.dwUpper != copy.dwUpper, "same slot, new generation");
    ok_hex(FreeCredentialsHandle(&copy), SEC_E_INVALID_HANDLE, "the old handle still does not name the new object");
    ok_hex(FreeCredentialsHandle(&cred), SEC_E_OK, "the new handle frees");
}

static void test_forged(void)
{
    CredHandle forged;
    ULONG_PTR values[] = { 0, 1, 2, 0x10, 0xffff, (ULONG_PTR)-1, (ULONG_PTR)0xdeadbeef, 0x7fffffff };
    unsigned i, j, refused = 0, total = 0;

    for (i = 0; i < ARRAY_SIZE(values); i++)
        for (j = 0; j < ARRAY_SIZE(values); j++)
        {
            forged.dwLower = values[i];
            forged.dwUpper = values[j];
            total++;
            if (FreeCredentialsHandle(&forged) == SEC_E_INVALID_HANDLE)
                refused++;
        }
    ok(refused == total, "all %u forged handles refused (%u)", total, refused);
    ok_hex(FreeCredentialsHandle(NULL), SEC_E_INVALID_HANDLE, "NULL handle refused");
    ok_hex(DeleteSecurityContext(NULL), SEC_E_INVALID_HANDLE, "NULL context refused");
}

static void test_many(void)
{
    CredHandle *creds = calloc(MANY, sizeof(*creds));
    int acquired = 0, freed = 0, distinct = 1, i;

    for (i = 0; i < MANY; i++)
        if (acquire_outbound(&creds[i]) == SEC_E_OK)
            acquired++;
    for (i = 1; i < MANY; i++)
        if (creds[i].dwLower == creds[i - 1].dwLower && creds[i].dwUpper == creds[i - 1].dwUpper)
            distinct = 0;
    for (i = MANY - 1; i >= 0; i -= 2)
        if (FreeCredentialsHandle(&creds[i]) == SEC_E_OK)
            freed++;
    for (i = MANY - 2; i >= 0; i -= 2)
        if (FreeCredentialsHandle(&creds[i]) == SEC_E_OK)
            freed++;
    ok(acquired == MANY, "%d credentials live at once (%d)", MANY, acquired);
    ok(distinct, "all handles distinct");
    ok(freed == MANY, "all freed in scattered order (%d)", freed);
    free(creds);
}

static LONG thread_errors;

static DWORD WINAPI churn(void *arg)
{
    CredHandle held[16];
    int i, n = 0;
    (void)arg;

    for (i = 0; i < PER_THREAD; i++)
    {
        if (acquire_outbound(&held[n]) != SEC_E_OK)
        {
            InterlockedIncrement(&thread_errors);
            continue;
        }
        if (++n == ARRAY_SIZE(held))
        {
            while (n)
            {
                CredHandle stale = held[--n];
                if (FreeCredentialsHandle(&held[n]) != SEC_E_OK)
                    InterlockedIncrement(&thread_errors);
                if (FreeCredentialsHandle(&stale) != SEC_E_INVALID_HANDLE)
                    InterlockedIncrement(&thread_errors);
            }
        }
    }
    while (n)
        if (FreeCredentialsHandle(&held[--n]) != SEC_E_OK)
            InterlockedIncrement(&thread_errors);
    return 0;
}

static void test_threads(void)
{
    HANDLE threads[THREADS];
    DWORD wait;
    int i;

    for (i = 0; i < THREADS; i++)
        threads[i] = CreateThread(NULL, 0, churn, NULL, 0, NULL);
    wait = WaitForMultipleObjects(THREADS, threads, TRUE, 120000);
    ok(wait == WAIT_OBJECT_0, "%d threads x %d acquire/free finish without deadlock", THREADS, PER_THREAD);
    ok(thread_errors == 0, "no failed acquire, free or stale-handle check across threads (%ld)", thread_errors);
    for (i = 0; i < THREADS; i++)
        CloseHandle(threads[i]);
}

int main(void)
{
    char product[64];

    ok(secur32_is_ours(product, sizeof(product)), "testing secur32-gnutls, not Wine's secur32");
    test_lifecycle();
    test_forged();
    test_many();
    test_threads();
    return tap_done();
}
