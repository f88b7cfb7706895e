/*
 * Many sequential connections through one client credential, natively on
 * the Unix half: handshake, one record each way, tickets absorbed, sessions
 * freed.  The server side cycles through three credentials: TLS 1.3 with
 * resumption, TLS 1.3 without (a full handshake every time), and TLS 1.2.  Built without sanitizers so that
 * valgrind can watch it (tests/stress/valgrind-short.sh, make stress).
 *     stress_native CONNECTIONS
 * Prints TAP; the resident set size is sampled every tenth of the run.
 */
#include <stdio.h>
#include <unistd.h>

#include "../unix_harness.h"
#include "../tap.h"
#include "../proc_rss.h"

static long rss_kib(void)
{
    return proc_rss_bytes() / 1024;
}

/* One record each way; 1 when both arrive intact. */
static int exchange(struct ux_pair *p)
{
    static const char msg[] = "ping through the stress harness";
    uint8_t record[1024];
    size_t len;

    if (p->c_in.len && ux_decrypt_all(p->client, p->c_in.data, p->c_in.len) != SCHAN_SEC_E_OK)
        return 0;
    if (!(len = ux_encrypt(p->client, msg, sizeof(msg), record))
        || ux_decrypt_all(p->server, record, len) != SCHAN_SEC_E_OK)
        return 0;
    if (!(len = ux_encrypt(p->server, msg, sizeof(msg), record))
        || ux_decrypt_all(p->client, record, len) != SCHAN_SEC_E_OK)
        return 0;
    return 1;
}

static uint64_t server_without_resumption(const struct ux_cert *cert)
{
    struct schan_cred_create_params p = { 0 };

    p.is_server = 1;
    p.protocols = SCHAN_PROT_TLS1_2 | SCHAN_PROT_TLS1_3;
    p.flags = SCHAN_CRED_DISABLE_RECONNECTS;
    p.cert_count = 1;
    p.certs = U64(&cert->blob);
    p.key = cert->key;
    return ux_call(SCHAN_CALL_CRED_CREATE, &p) || p.status ? 0 : p.cred;
}

int main(int argc, char **argv)
{
    int total = argc > 1 ? atoi(argv[1]) : 100, failures = 0, resumed = 0;
    long first = 0, last = 0;
    struct ux_cert cert;
    uint64_t ccred, scred[3];

    ux_make_cert(&cert, 0, "stress.example");
    ccred = ux_cred(0, 0, NULL);
    scred[0] = ux_cred(1, 0, &cert);
    scred[1] = server_without_resumption(&cert);
    scred[2] = ux_cred(1, SCHAN_PROT_TLS1_2, &cert);
    if (!ok(ccred && scred[0] && scred[1] && scred[2], "credentials"))
        return tap_done();
    for (int i = 0; i < total; i++)
    {
        static const char *const targets[3] = { "a.stress.example", "b.stress.example", "c.stress.example" };
        struct ux_pair p;

        if (!ux_pair_connect(&p, ccred, scred[i % 3], targets[i % 3], NULL, 0) || !exchange(&p))
            failures++;
        else
            resumed += ux_info(p.client).resumed != 0;
        ux_pair_free(&p);
        if (i == total / 10)
            first = rss_kib();
        if (total >= 10 && (i + 1) % (total / 10) == 0)
            diag("%d connections, RSS %ld KiB", i + 1, rss_kib());
    }
    last = rss_kib();
    ok(failures == 0, "%d connections with one record each way, %d failed", total, failures);
    ok(resumed >= (total - failures) / 2 && resumed < total, "%d of them resumed (a third never can)", resumed);
    diag("RSS after %d connections: %ld KiB; growth after the first tenth: %ld KiB", total, last, last - first);
    ux_free_cred(ccred);
    for (int i = 0; i < 3; i++)
        ux_free_cred(scred[i]);
    ux_free_cert(&cert);
    gnutls_global_deinit();
    return tap_done();
}
