/* Threads: many threads each running many in-process client/server
 * connections with data, all at once through shared credentials, and
 * credential and context handles created and deleted concurrently across
 * threads.  No crash, no deadlock (every wait is bounded), no leak (memory
 * after a second identical round is compared with after the first). */
#define PSAPI_VERSION 2   /* GetProcessMemoryInfo from kernel32 */
#include "robustutil.h"
#include <psapi.h>

#define THREADS 8
#define CONNECTIONS 25
#define WAIT_MS 120000

static PCCERT_CONTEXT server_cert;
static CredHandle shared_ccred, shared_scred;
static LONG failures, connections, exchanges;

static DWORD WINAPI connection_worker(void *arg)
{
    int id = (int)(INT_PTR)arg;

    for (int i = 0; i < CONNECTIONS; i++)
    {
        struct rconn c;

        WCHAR target[32];

        rc_init(&c, &shared_ccred, &shared_scred);
        if (i % 5 == 4)   /* a name with no cached session: a full handshake */
        {
            swprintf(target, ARRAY_SIZE(target), L"t%d-%d.localhost", id, i);
            c.target = target;
        }
        if (!rc_handshake(&c))
        {
            InterlockedIncrement(&failures);
            diag("thread %d connection %d: 0x%08lx / 0x%08lx", id, i, c.cstatus, c.sstatus);
        }
        else
        {
            InterlockedIncrement(&connections);
            if (rc_exchange(&c, 100 + (ULONG)(id * 977 + i * 131) % 5000))
                InterlockedIncrement(&exchanges);
            else
                InterlockedIncrement(&failures);
        }
        rc_free(&c);
    }
    return 0;
}

/* Shared pool of handles: threads acquire, look up and delete handles that
 * other threads created, so the handle table sees concurrent churn. */
#define POOL 32
static CredHandle pool[POOL];
static LONG pool_used[POOL];
static LONG churn_ops, churn_errors;

static DWORD WINAPI churn_worker(void *arg)
{
    unsigned int r = 12345u + (unsigned int)(INT_PTR)arg * 7919u;

    for (int i = 0; i < 400; i++)
    {
        int slot;
        r = r * 1103515245u + 12345u;
        slot = (int)((r >> 16) % POOL);
        if (InterlockedCompareExchange(&pool_used[slot], 2, 0) == 0)
        {
            if (acquire_cred(&pool[slot], (r & 1) ? SECPKG_CRED_OUTBOUND : SECPKG_CRED_INBOUND,
                             (r & 1) ? NULL : server_cert, TRUE, 0, 0) != SEC_E_OK)
                InterlockedIncrement(&churn_errors);
            InterlockedExchange(&pool_used[slot], 1);
        }
        else if (InterlockedCompareExchange(&pool_used[slot], 2, 1) == 1)
        {
            SecPkgCredentials_NamesW names = { 0 };
            SECURITY_STATUS s = QueryCredentialsAttributesW(&pool[slot], SECPKG_CRED_ATTR_NAMES, &names);
            if (s == SEC_E_OK && names.sUserName)
                FreeContextBuffer(names.sUserName);
            if (FreeCredentialsHandle(&pool[slot]) != SEC_E_OK)
                InterlockedIncrement(&churn_errors);
            InterlockedExchange(&pool_used[slot], 0);
        }
        InterlockedIncrement(&churn_ops);
    }
    return 0;
}

static BOOL run_threads(LPTHREAD_START_ROUTINE fn, int count)
{
    HANDLE threads[THREADS * 2] = { 0 };
    DWORD wait;

    for (int i = 0; i < count; i++)
        threads[i] = CreateThread(NULL, 0, fn, (void *)(INT_PTR)i, 0, NULL);
    wait = WaitForMultipleObjects(count, threads, TRUE, WAIT_MS);
    for (int i = 0; i < count; i++)
        CloseHandle(threads[i]);
    return wait < WAIT_OBJECT_0 + count;
}

static SIZE_T memory_now(void)
{
    PROCESS_MEMORY_COUNTERS pmc;

    memset(&pmc, 0, sizeof(pmc));
    pmc.cb = sizeof(pmc);
    return GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof(pmc)) ? pmc.WorkingSetSize : 0;
}

static BOOL connection_round(int round)
{
    DWORD start = GetTickCount();
    BOOL finished;

    failures = connections = exchanges = 0;
    finished = run_threads(connection_worker, THREADS);
    ok(finished, "round %d: %d threads x %d connections finished within %d s", round, THREADS, CONNECTIONS,
       WAIT_MS / 1000);
    ok(connections == THREADS * CONNECTIONS && exchanges == connections && failures == 0,
       "round %d: %ld handshakes, %ld data exchanges both ways, %ld failures (%lu ms)", round, connections,
       exchanges, failures, GetTickCount() - start);
    return finished;
}

/* One established context shared by threads: half encrypt records (the
 * context lock shared, the send lock exclusive), half query an attribute
 * (the context lock exclusive), so readers, writers and the send lock all
 * contend. */
#define SHARED_OPS 3000
static struct rconn shared_conn;
static LONG shared_ok, shared_failed;

static DWORD WINAPI shared_context_worker(void *arg)
{
    SecPkgContext_ConnectionInfo info;
    struct wire record = { 0 };
    BYTE data[64] = { 0 };

    for (int i = 0; i < SHARED_OPS; i++)
    {
        SECURITY_STATUS status;

        if ((INT_PTR)arg & 1)
            status = QueryContextAttributesW(&shared_conn.cctx, SECPKG_ATTR_CONNECTION_INFO, &info);
        else
        {
            record.len = 0;
            status = encrypt_record(&shared_conn.cctx, data, sizeof(data), &record);
        }
        InterlockedIncrement(status == SEC_E_OK ? &shared_ok : &shared_failed);
    }
    wire_free(&record);
    return 0;
}

static void shared_context_round(void)
{
    rc_init(&shared_conn, &shared_ccred, &shared_scred);
    if (!rc_handshake(&shared_conn))
    {
        ok(FALSE, "shared context: handshake 0x%08lx / 0x%08lx", shared_conn.cstatus, shared_conn.sstatus);
        rc_free(&shared_conn);
        return;
    }
    ok(run_threads(shared_context_worker, THREADS), "%d threads on one context finished within %d s", THREADS,
       WAIT_MS / 1000);
    ok(shared_ok == THREADS * SHARED_OPS && !shared_failed,
       "one context, %d threads: %ld encryptions and attribute queries succeeded, %ld failed", THREADS, shared_ok,
       shared_failed);
    rc_free(&shared_conn);
}

int main(void)
{
    char product[64];
    SIZE_T after_first, after_second;
    DWORD handles_before = 0, handles_after = 0;

    ok(secur32_is_ours(product, sizeof(product)), "testing secur32-gnutls, not Wine's secur32");
    if (!(server_cert = load_pfx("server-rsa")))
        return bail_out("cannot import tests/certs/server-rsa.pfx (run make-certs.sh)");
    ok_hex(acquire_cred(&shared_ccred, SECPKG_CRED_OUTBOUND, NULL, TRUE, 0, SCH_CRED_MANUAL_CRED_VALIDATION),
           SEC_E_OK, "shared client credential");
    ok_hex(acquire_cred(&shared_scred, SECPKG_CRED_INBOUND, server_cert, TRUE, 0, 0), SEC_E_OK,
           "shared server credential");
    GetProcessHandleCount(GetCurrentProcess(), &handles_before);
    if (!connection_round(1))
        return bail_out("threads did not finish: deadlock?");
    after_first = memory_now();
    if (!connection_round(2))
        return bail_out("threads did not finish: deadlock?");
    after_second = memory_now();
    diag("working set after round 1: %lu KiB, after round 2: %lu KiB", (unsigned long)(after_first / 1024),
         (unsigned long)(after_second / 1024));
    ok(after_second < after_first + 8 * 1024 * 1024,
       "a second round of %d connections grows memory by less than 8 MiB (%ld KiB)", THREADS * CONNECTIONS,
       (long)((LONGLONG)after_second - (LONGLONG)after_first) / 1024);

    shared_context_round();
    ok(run_threads(churn_worker, THREADS * 2), "%d threads churned credential handles within %d s", THREADS * 2,
       WAIT_MS / 1000);
    for (int i = 0; i < POOL; i++)
        if (pool_used[i] == 1)
            FreeCredentialsHandle(&pool[i]);
    ok(churn_errors == 0, "%ld acquire/query/free operations across threads, %ld errors", churn_ops, churn_errors);
    GetProcessHandleCount(GetCurrentProcess(), &handles_after);
    diag("process handles before %lu, after %lu", handles_before, handles_after);
    if (handles_before)
        ok(handles_after <= handles_before + 4, "no Windows handles leaked (%lu -> %lu)", handles_before,
           handles_after);
    else
        skip("GetProcessHandleCount does not count handles here (Wine)");
    ok_hex(FreeCredentialsHandle(&shared_ccred), SEC_E_OK, "shared client credential freed");
    ok_hex(FreeCredentialsHandle(&shared_scred), SEC_E_OK, "shared server credential freed");
    CertFreeCertificateContext(server_cert);
    return tap_done();
}
