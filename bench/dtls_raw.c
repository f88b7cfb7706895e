/*
 * dtls_raw CERTDIR [SECONDS]: the DTLS figures of `make bench` with GnuTLS
 * called directly: full DTLS 1.2 handshakes per second (client and server in
 * one process over in-memory datagram queues, with the server's cookie
 * exchange, RSA 2048, no resumption) and 1 KiB records per second
 * (encrypted by the client, decrypted by the server).  bench/dtls_sspi.c
 * does the same work through our SSPI.  Prints "figure NAME VALUE" lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>
#include "figures.h"

#define MAX_DGRAM 2048
#define QLEN 64
#define RECORD 1024

struct queue { unsigned char d[QLEN][MAX_DGRAM]; size_t len[QLEN]; int head, n; };
struct end { gnutls_session_t s; struct queue *in, *out; };

static const char *certdir;
static double seconds = 0.5;
static gnutls_certificate_credentials_t server_cred, client_cred;
static gnutls_priority_t prio;
static gnutls_datum_t cookie_key;
static struct queue to_server, to_client;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int ret)
{
    fprintf(stderr, "dtls_raw: %s: %s\n", what, gnutls_strerror(ret));
    exit(1);
}

static ssize_t push(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
    struct queue *q = ((struct end *)ptr)->out;
    int slot = (q->head + q->n) % QLEN;

    if (q->n == QLEN || len > MAX_DGRAM)
    {
        errno = ENOBUFS;
        return -1;
    }
    memcpy(q->d[slot], buf, len);
    q->len[slot] = len;
    q->n++;
    return (ssize_t)len;
}

/* For gnutls_dtls_cookie_send, whose transport pointer is the queue itself. */
static ssize_t push_queue(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
    struct end e = { NULL, NULL, ptr };
    return push(&e, buf, len);
}

static ssize_t pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
    struct queue *q = ((struct end *)ptr)->in;

    if (!q->n)
    {
        errno = EAGAIN;
        return -1;
    }
    if (len > q->len[q->head])
        len = q->len[q->head];
    memcpy(buf, q->d[q->head], len);
    q->head = (q->head + 1) % QLEN;
    q->n--;
    return (ssize_t)len;
}

static int pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
    (void)ms;
    return ((struct end *)ptr)->in->n > 0;
}

static void end_init(struct end *e, int server, struct queue *in, struct queue *out)
{
    int ret;

    e->in = in;
    e->out = out;
    if ((ret = gnutls_init(&e->s, (server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK
                           | GNUTLS_NO_TICKETS)) < 0)
        die("gnutls_init", ret);
    gnutls_priority_set(e->s, prio);
    gnutls_credentials_set(e->s, GNUTLS_CRD_CERTIFICATE, server ? server_cred : client_cred);
    gnutls_transport_set_ptr(e->s, e);
    gnutls_transport_set_push_function(e->s, push);
    gnutls_transport_set_pull_function(e->s, pull);
    gnutls_transport_set_pull_timeout_function(e->s, pull_timeout);
    gnutls_dtls_set_timeouts(e->s, 0, 60000);
    gnutls_dtls_set_mtu(e->s, 1096);
}

/* The server's stateless cookie round, then the handshake to the end. */
static void handshake(struct end *c, struct end *s)
{
    gnutls_dtls_prestate_st prestate;
    int cret = GNUTLS_E_AGAIN, sret = GNUTLS_E_AGAIN, rounds = 0;

    memset(&prestate, 0, sizeof(prestate));
    gnutls_handshake(c->s);   /* ClientHello */
    while (to_server.n)
    {
        struct queue *q = &to_server;
        int ok = gnutls_dtls_cookie_verify(&cookie_key, "c", 1, q->d[q->head], q->len[q->head], &prestate);
        if (ok >= 0)
            break;
        q->head = (q->head + 1) % QLEN;
        q->n--;
        gnutls_dtls_cookie_send(&cookie_key, "c", 1, &prestate, &to_client, push_queue);
        gnutls_handshake(c->s);   /* ClientHello with the cookie */
    }
    gnutls_dtls_prestate_set(s->s, &prestate);
    while ((cret || sret) && rounds++ < 100)
    {
        if (sret)
            sret = gnutls_handshake(s->s);
        if (cret)
            cret = gnutls_handshake(c->s);
        if ((cret && cret != GNUTLS_E_AGAIN) || (sret && sret != GNUTLS_E_AGAIN))
            die("handshake", cret ? cret : sret);
    }
    if (cret || sret)
        die("handshake did not finish", GNUTLS_E_INTERNAL_ERROR);
}

static void pair(struct end *c, struct end *s)
{
    memset(&to_server, 0, sizeof(to_server));
    memset(&to_client, 0, sizeof(to_client));
    end_init(c, 0, &to_client, &to_server);
    end_init(s, 1, &to_server, &to_client);
    handshake(c, s);
}

static void bench_handshakes(void)
{
    double start = now(), cpu0 = cpu_now(), t;
    int n = 0;
    struct end c, s;

    do
    {
        pair(&c, &s);
        gnutls_deinit(c.s);
        gnutls_deinit(s.s);
        n++;
    } while ((t = now() - start) < seconds || cpu_now() - cpu0 < 0.03);
    rate_figures("dtls12_hs", n, t, cpu_now() - cpu0);
}

static void bench_records(void)
{
    static unsigned char data[RECORD], out[RECORD + 64];
    double start, cpu0, t;
    struct end c, s;
    int n = 0;

    pair(&c, &s);
    memset(data, 'r', sizeof(data));
    start = now();
    cpu0 = cpu_now();
    do
    {
        if (gnutls_record_send(c.s, data, sizeof(data)) != RECORD || gnutls_record_recv(s.s, out, sizeof(out)) != RECORD)
            die("record", GNUTLS_E_INTERNAL_ERROR);
        n++;
    } while ((t = now() - start) < seconds || cpu_now() - cpu0 < 0.03);
    rate_figures("dtls12_rec_1k", n, t, cpu_now() - cpu0);
    gnutls_deinit(c.s);
    gnutls_deinit(s.s);
}

int main(int argc, char **argv)
{
    char cert[4096], key[4096];
    int ret;

    if (argc < 2)
    {
        fprintf(stderr, "usage: dtls_raw CERTDIR [SECONDS]\n");
        return 2;
    }
    certdir = argv[1];
    if (argc >= 3)
        seconds = atof(argv[2]);
    gnutls_global_init();
    snprintf(cert, sizeof(cert), "%s/server-rsa-chain.pem", certdir);
    snprintf(key, sizeof(key), "%s/server-rsa.key", certdir);
    gnutls_certificate_allocate_credentials(&server_cred);
    gnutls_certificate_allocate_credentials(&client_cred);
    if ((ret = gnutls_certificate_set_x509_key_file(server_cred, cert, key, GNUTLS_X509_FMT_PEM)) < 0)
        die("server certificate", ret);
    /* as our credential: DTLS 1.2 from NORMAL, client without validation */
    if ((ret = gnutls_priority_init(&prio, "NORMAL:-VERS-ALL:+VERS-DTLS1.2", NULL)) < 0)
        die("priority", ret);
    gnutls_key_generate(&cookie_key, GNUTLS_COOKIE_KEY_SIZE);
    bench_handshakes();
    bench_records();
    gnutls_free(cookie_key.data);
    gnutls_priority_deinit(prio);
    gnutls_certificate_free_credentials(server_cred);
    gnutls_certificate_free_credentials(client_cred);
    gnutls_global_deinit();
    return 0;
}
