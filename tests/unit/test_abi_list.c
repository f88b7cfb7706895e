/*
 * The list encoding of GET_PEER_CERTS and GET_ISSUERS, both ends: the Unix
 * half's one writer (unix/unix_list.c) and the PE half's one reader
 * (pe/abi_list.c, plain C compiled natively here).  What the two calls put
 * in their lists is tested in test_unix_tls.c and the conformance tests.
 */
#include <stdlib.h>
#include <string.h>

#include "schan_unix_abi.h"
#include "../../dlls/secur32/unix/unix_private.h"
#include "../../dlls/secur32/pe/abi_list.h"
#include "tap.h"

#define U64(p) ((uint64_t)(uintptr_t)(p))

static uint8_t canary[64];

static int untouched(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] != 0xcc)
            return 0;
    return 1;
}

static void test_empty(void)
{
    struct schan_get_peer_certs_params p = { .count = 7, .needed = 7, .status = 7 };

    schan_list_put(&p, NULL, 0);
    ok(p.status == SCHAN_SEC_E_OK && !p.count && !p.needed, "empty, no buffer: SEC_E_OK, count 0, needed 0");
    memset(canary, 0xcc, sizeof(canary));
    p.buffer = U64(canary);
    p.size = sizeof(canary);
    schan_list_put(&p, NULL, 0);
    ok(p.status == SCHAN_SEC_E_OK && !p.count && !p.needed && untouched(canary, sizeof(canary)),
       "empty, with a buffer: the same, nothing written");
    p.size = 0;
    schan_list_put(&p, NULL, 0);
    ok(p.status == SCHAN_SEC_E_OK && !p.needed, "empty, with a buffer of size 0: SEC_E_OK");
}

/* Three strings: 300 bytes (a length above 255), none, and 3 bytes. */
static uint8_t big[300];
static gnutls_datum_t three[3] = { { big, sizeof(big) }, { NULL, 0 }, { (unsigned char *)"abc", 3 } };
#define THREE_SIZE (4 + 300 + 4 + 0 + 4 + 3)

static void test_too_small(void)
{
    struct schan_get_peer_certs_params p = { 0 };
    uint8_t buf[THREE_SIZE + 8];

    schan_list_put(&p, three, 3);
    ok(p.status == SCHAN_SEC_E_BUFFER_TOO_SMALL && p.needed == THREE_SIZE && p.count == 3,
       "size query: SEC_E_BUFFER_TOO_SMALL, needed %u (got %u), count 3 (got %u)", THREE_SIZE, p.needed, p.count);
    memset(buf, 0xcc, sizeof(buf));
    p.buffer = U64(buf);
    p.size = THREE_SIZE - 1;
    schan_list_put(&p, three, 3);
    ok(p.status == SCHAN_SEC_E_BUFFER_TOO_SMALL && p.needed == THREE_SIZE && untouched(buf, sizeof(buf)),
       "one byte short: SEC_E_BUFFER_TOO_SMALL and nothing written");
}

static void test_round_trip(void)
{
    struct schan_get_peer_certs_params p = { 0 };
    uint8_t buf[THREE_SIZE + 8];
    struct schan_list list = { 0 };
    const uint8_t *item;
    uint32_t len, i = 0, same = 1;

    for (size_t k = 0; k < sizeof(big); k++)
        big[k] = (uint8_t)k;
    memset(buf, 0xcc, sizeof(buf));
    p.buffer = U64(buf);
    p.size = THREE_SIZE;
    schan_list_put(&p, three, 3);
    ok(p.status == SCHAN_SEC_E_OK && p.needed == THREE_SIZE && p.count == 3, "exact size: SEC_E_OK, count 3");
    ok(buf[0] == 0x2c && buf[1] == 0x01 && !buf[2] && !buf[3], "lengths are little-endian (300 = 2c 01 00 00)");
    ok(untouched(buf + THREE_SIZE, sizeof(buf) - THREE_SIZE), "nothing written past needed");

    list.data = buf;
    list.size = p.needed;
    list.count = p.count;
    while (schan_list_next(&list, &item, &len))
    {
        if (i >= 3 || len != three[i].size || (len && memcmp(item, three[i].data, len)))
            same = 0;
        i++;
    }
    ok(i == 3 && same, "the reader gets the three strings back, in order (%u read)", i);
    ok(!schan_list_next(&list, &item, &len), "and nothing after the end");
}

/* What the reader does with a list it cannot trust: never reads past it. */
static uint32_t read_all(uint8_t *data, uint32_t size, uint32_t count)
{
    struct schan_list list = { data, size, count, 0, 0 };
    const uint8_t *item;
    uint32_t len, n = 0;

    while (schan_list_next(&list, &item, &len))
    {
        if (item < data || item + len > data + size)
            return 0xdead;
        n++;
    }
    return n;
}

static void test_reader_bounds(void)
{
    /* exact-size copies, so ASan sees any read past the end */
    static const uint8_t two[] = { 2, 0, 0, 0, 'h', 'i', 1, 0, 0, 0, '!' };
    static const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 'x' };
    uint8_t *d = malloc(sizeof(two)), *h = malloc(sizeof(huge));

    memcpy(d, two, sizeof(two));
    memcpy(h, huge, sizeof(huge));
    ok(read_all(d, sizeof(two), 2) == 2, "a well-formed list of two: 2");
    ok(read_all(d, sizeof(two), 1) == 1, "count 1 over two strings: stops at 1");
    ok(read_all(d, sizeof(two), 5) == 2, "count 5 over two strings: stops at the data's end");
    ok(read_all(d, sizeof(two) - 1, 2) == 1, "second string cut short: only the first");
    ok(read_all(d, 8, 2) == 1, "second length cut short: only the first");
    ok(read_all(d, 3, 2) == 0, "first length cut short: nothing");
    ok(read_all(d, 0, 2) == 0, "no data: nothing");
    ok(read_all(h, sizeof(huge), 1) == 0, "a length of 4 GiB - 1: nothing, no wrap-around");
    free(d);
    free(h);
}

static void test_over_4gib(void)
{
    /* Never written: the sizes alone exceed what needed can say. */
    gnutls_datum_t two_gib[2] = { { NULL, 0x80000000u }, { NULL, 0x80000000u } };
    struct schan_get_peer_certs_params p = { 0 };

    schan_list_put(&p, two_gib, 2);
    ok(p.status == SCHAN_SEC_E_INTERNAL_ERROR && !p.count && !p.needed,
       "a list over 4 GiB: SEC_E_INTERNAL_ERROR, count 0, needed 0");
}

/* schan_list_call: the body both calls share. */
static struct schan_session *seen;

static const gnutls_datum_t *two_strings(struct schan_session *session, unsigned int *count)
{
    static gnutls_datum_t two[2] = { { (unsigned char *)"ab", 2 }, { (unsigned char *)"c", 1 } };

    seen = session;
    *count = 2;
    return two;
}

static const gnutls_datum_t *nothing(struct schan_session *session, unsigned int *count)
{
    seen = session;
    *count = 5;   /* a count without strings is no list */
    return NULL;
}

static void test_list_call(void)
{
    struct schan_get_peer_certs_params p = { 0 };
    struct schan_session session;
    uint8_t buf[16];

    ok(schan_list_call(&p, two_strings) == (unix_status)SCHAN_STATUS_INVALID_PARAMETER && !seen,
       "no session: STATUS_INVALID_PARAMETER, the call's list not asked for");
    p.session = U64(&session);
    p.buffer = U64(buf);
    p.size = sizeof(buf);
    ok(schan_list_call(&p, two_strings) == (unix_status)SCHAN_STATUS_SUCCESS && seen == &session
       && p.status == SCHAN_SEC_E_OK && p.count == 2 && p.needed == 11
       && buf[0] == 2 && !memcmp(buf + 4, "ab", 2) && buf[6] == 1 && buf[10] == 'c', "a session: its strings, encoded");
    ok(schan_list_call(&p, nothing) == (unix_status)SCHAN_STATUS_SUCCESS && p.status == SCHAN_SEC_E_OK
       && !p.count && !p.needed, "no strings (NULL): the empty list");
}

int main(void)
{
    test_empty();
    test_too_small();
    test_round_trip();
    test_reader_bounds();
    test_over_4gib();
    test_list_call();
    return tap_done();
}
