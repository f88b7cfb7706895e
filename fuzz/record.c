/*
 * Seed recorder: runs real in-memory connections through the Unix half and
 * writes what crossed the wire (and well-formed inputs for the other
 * targets) as seed files under DIR/<target>/.
 *     record DIR
 */
#include <errno.h>
#include <sys/stat.h>

#include "../tests/unix_harness.h"

static const char *outdir;
static int written;

static void save(const char *target, const char *name, const void *data, size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", outdir, target);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return;
    snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
    if (!(f = fopen(path, "wb")))
        return;
    fwrite(data, 1, len, f);
    fclose(f);
    written++;
}

static const uint8_t alpn_wire[] = { 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

struct variant {
    const char *name;
    uint32_t protocols;
};

static const struct variant versions[] = {
    { "tls13", SCHAN_PROT_TLS1_3 },
    { "tls12", SCHAN_PROT_TLS1_2 },
    { "tls11", SCHAN_PROT_TLS1_1 },
};

/* Handshake transcripts, both directions, and real application records. */
static void record_handshakes(struct ux_cert *certs[2])
{
    static const char *const key_names[2] = { "rsa", "ecdsa" };
    uint64_t ccred = ux_cred(0, SCHAN_PROT_TLS_ALL, NULL);

    for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++)
        for (int k = 0; k < 2; k++)
            for (int alpn = 0; alpn < 2; alpn++)
            {
                uint64_t scred = ux_cred(1, versions[v].protocols, certs[k]);
                struct ux_pair p = { 0 };   /* freed below even when scred failed */
                char name[64];
                uint8_t record[256];
                size_t len;

                snprintf(name, sizeof(name), "%s-%s%s", versions[v].name, key_names[k], alpn ? "-alpn" : "");
                if (scred && ux_pair_connect(&p, ccred, scred, "fuzz.example", alpn ? alpn_wire : NULL,
                                             alpn ? sizeof(alpn_wire) : 0))
                {
                    save("handshake_client", name, p.s2c.data, p.s2c.len);
                    save("handshake_server", name, p.c2s.data, p.c2s.len);
                    if ((len = ux_encrypt(p.server, "GET / HTTP/1.1\r\n\r\n", 18, record)))
                    {
                        uint8_t seed[sizeof(record) + 1] = { 0 };   /* mode 0, raw to the client */
                        memcpy(seed + 1, record, len);
                        save("decrypt", name, seed, len + 1);
                    }
                }
                else
                    fprintf(stderr, "record: %s failed\n", name);
                ux_pair_free(&p);
                ux_free_cred(scred);
            }
    ux_free_cred(ccred);
}

static void record_decrypt_modes(void)
{
    static const uint8_t plain13[] = { 0x04, 15, 'h', 'e', 'l', 'l', 'o', ',', ' ', 'w', 'o', 'r', 'l', 'd' };
    static const uint8_t plain12[] = { 0x05, 3, 'h', 'e', 'l', 'l', 'o', ',', ' ', 'w', 'o', 'r', 'l', 'd' };
    static const uint8_t to_server[] = { 0x06, 0, 'x', 'y', 'z' };
    static const uint8_t flipped[] = { 0x08, 0, 0, 9, 0x80, 0, 'a', 'b', 'c', 'd', 'e' };
    static const uint8_t close13[] = { 0x0c, 1, 0 };
    static const uint8_t fatal12[] = { 0x0d, 2, 40, 0x17, 0x03, 0x03, 0x00, 0x00 };
    static const uint8_t keyupdate[] = { 0x14, 7, 'a', 'f', 't', 'e', 'r', ' ', 'K', 'U' };

    save("decrypt", "plain-tls13", plain13, sizeof(plain13));
    save("decrypt", "plain-tls12", plain12, sizeof(plain12));
    save("decrypt", "plain-to-server", to_server, sizeof(to_server));
    save("decrypt", "bitflip", flipped, sizeof(flipped));
    save("decrypt", "close-notify", close13, sizeof(close13));
    save("decrypt", "fatal-alert", fatal12, sizeof(fatal12));
    save("decrypt", "key-update", keyupdate, sizeof(keyupdate));
}

static void save_session(const char *name, const uint8_t *calpn, uint8_t clen, const uint8_t *salpn,
                         uint8_t slen, const char *target)
{
    uint8_t seed[512];
    size_t tlen = target ? strlen(target) : 0, len = 3;

    seed[0] = clen;
    seed[1] = slen;
    seed[2] = target ? 0 : 1;
    if (clen)
        memcpy(seed + len, calpn, clen);
    len += clen;
    if (slen)
        memcpy(seed + len, salpn, slen);
    len += slen;
    if (tlen)
        memcpy(seed + len, target, tlen);
    len += tlen;
    save("session", name, seed, len);
}

static void record_sessions(void)
{
    static const uint8_t h2[] = { 2, 'h', '2' };
    static const uint8_t prefixed[] = { 0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

    save_session("alpn-both", alpn_wire, sizeof(alpn_wire), alpn_wire, sizeof(alpn_wire), "fuzz.example");
    save_session("alpn-h2", alpn_wire, sizeof(alpn_wire), h2, sizeof(h2), "www.fuzz.example");
    save_session("alpn-mismatch", h2, sizeof(h2), alpn_wire + 3, sizeof(alpn_wire) - 3, "fuzz.example");
    save_session("alpn-prefixed", prefixed, sizeof(prefixed), alpn_wire, sizeof(alpn_wire), "fuzz.example");
    save_session("ipv4", NULL, 0, NULL, 0, "127.0.0.1");
    save_session("ipv6", NULL, 0, NULL, 0, "::1");
    save_session("empty-target", NULL, 0, NULL, 0, "");
    save_session("no-target", h2, sizeof(h2), h2, sizeof(h2), NULL);
}

static size_t put_item(uint8_t *out, const void *data, size_t len)
{
    out[0] = (uint8_t)(len >> 8);
    out[1] = (uint8_t)len;
    if (len)
        memcpy(out + 2, data, len);
    return 2 + len;
}

static void save_cred(const char *name, const struct ux_cert *c, int server, uint32_t protocols)
{
    static uint8_t seed[8192];
    size_t len = 16;

    memset(seed, 0, 16);
    seed[0] = (uint8_t)(server | c->key.type << 1 | c->key.curve << 3 | 1 << 5);
    seed[1] = (uint8_t)(protocols >> 24); seed[2] = (uint8_t)(protocols >> 16);
    seed[3] = (uint8_t)(protocols >> 8); seed[4] = (uint8_t)protocols;
    len += put_item(seed + len, c->der.data, c->der.size);
    for (unsigned int i = 0; i < 5; i++)
        len += put_item(seed + len, i < c->nparts ? c->parts[i].data : NULL, i < c->nparts ? c->parts[i].size : 0);
    save("cred", name, seed, len);
}

int main(int argc, char **argv)
{
    struct ux_cert rsa, ecdsa;
    struct ux_cert *certs[2] = { &rsa, &ecdsa };

    if (argc != 2)
    {
        fprintf(stderr, "usage: record DIR\n");
        return 2;
    }
    outdir = argv[1];
    mkdir(outdir, 0755);
    ux_make_cert(&rsa, 1, "fuzz.example");
    ux_make_cert(&ecdsa, 0, "fuzz.example");
    record_handshakes(certs);
    record_decrypt_modes();
    record_sessions();
    save_cred("rsa-server", &rsa, 1, SCHAN_PROT_TLS_ALL);
    save_cred("ecdsa-server", &ecdsa, 1, SCHAN_PROT_TLS1_2 | SCHAN_PROT_TLS1_3);
    save_cred("rsa-client", &rsa, 0, SCHAN_PROT_TLS1_3);
    save_cred("ecdsa-client", &ecdsa, 0, SCHAN_PROT_TLS1_2);
    ux_free_cert(&rsa);
    ux_free_cert(&ecdsa);
    printf("record: %d seed files in %s\n", written, outdir);
    return written ? 0 : 1;
}
