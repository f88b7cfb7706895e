/*
 * raw_gnutls: the baseline of `make bench`.  The same work bench_sspi.exe
 * does through SSPI under Wine, done by a native program calling GnuTLS
 * directly: client and server in one process over memory buffers, plus a
 * socket client against gnutls-serv.
 *
 * usage: raw_gnutls CERTDIR [SECONDS] [MEMORY_N]     every in-process figure
 *        raw_gnutls CERTDIR sock PORT CONNECTIONS MIB  socket figures
 * Prints one "figure NAME VALUE" line per figure (see bench/README.md).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "../tests/proc_rss.h"

#define RECORD 16384
#define SMALL 64
#define MAX_CONNECTIONS 4096
#define MIN_CPU_WINDOW 0.5

static const char *certdir;
static double seconds = 0.5;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int ret)
{
    fprintf(stderr, "raw_gnutls: %s: %s\n", what, ret < 0 ? gnutls_strerror(ret) : "failed");
    exit(1);
}

/* BENCH_ONLY=NAME[,NAME...] runs only those figures (for profiling). */
static int want(const char *name)
{
    const char *only = getenv("BENCH_ONLY");
    return !only || strstr(only, name) != NULL;
}

/* CPU time of this process, seconds. */
#include "figures.h"

static char *cert_path(const char *file)
{
    static char path[4][4096];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof(path[0]), "%s/%s", certdir, file);
    return p;
}

/* ---- memory transport: one byte queue per direction ---- */

struct pipe {
    unsigned char data[1 << 17];
    size_t len, pos;
};

struct endpoint {
    gnutls_session_t s;
    struct pipe *in, *out;
};

static ssize_t push(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
    struct endpoint *e = ptr;
    struct pipe *p = e->out;

    if (p->pos == p->len)
        p->pos = p->len = 0;
    if (p->len + len > sizeof(p->data))
    {
        errno = ENOBUFS;
        return -1;
    }
    memcpy(p->data + p->len, buf, len);
    p->len += len;
    return (ssize_t)len;
}

static ssize_t pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
    struct endpoint *e = ptr;
    struct pipe *p = e->in;
    size_t avail = p->len - p->pos;

    if (!avail)
    {
        errno = EAGAIN;
        return -1;
    }
    if (len > avail)
        len = avail;
    memcpy(buf, p->data + p->pos, len);
    p->pos += len;
    return (ssize_t)len;
}

static int pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
    struct endpoint *e = ptr;
    (void)ms;
    return e->in->pos < e->in->len;
}

/* ---- credentials and sessions ---- */

struct creds {
    gnutls_certificate_credentials_t server, client;
    gnutls_priority_t prio;
    gnutls_datum_t ticket_key;
    int tickets;
};

static void creds_init(struct creds *c, const char *name, const char *prio, int tickets)
{
    char chain[256], key[256];
    int ret;

    snprintf(chain, sizeof(chain), "%s-chain.pem", name);
    snprintf(key, sizeof(key), "%s.key", name);
    memset(c, 0, sizeof(*c));
    if ((ret = gnutls_certificate_allocate_credentials(&c->server)) < 0
        || (ret = gnutls_certificate_set_x509_key_file(c->server, cert_path(chain), cert_path(key),
                                                       GNUTLS_X509_FMT_PEM)) < 0
        || (ret = gnutls_certificate_allocate_credentials(&c->client)) < 0
        || (ret = gnutls_priority_init2(&c->prio, prio, NULL, 0)) < 0)
        die("credentials", ret);
    c->tickets = tickets;
    if (tickets && (ret = gnutls_session_ticket_key_generate(&c->ticket_key)) < 0)
        die("ticket key", ret);
}

static void creds_free(struct creds *c)
{
    gnutls_certificate_free_credentials(c->server);
    gnutls_certificate_free_credentials(c->client);
    gnutls_priority_deinit(c->prio);
    if (c->tickets)
        gnutls_free(c->ticket_key.data);
}

static void endpoint_init(struct endpoint *e, struct creds *c, int server, struct pipe *in, struct pipe *out)
{
    unsigned int flags = (server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK | GNUTLS_NO_AUTO_REKEY;
    int ret;

    if (!c->tickets)
        flags |= GNUTLS_NO_TICKETS;
    if ((ret = gnutls_init(&e->s, flags)) < 0
        || (ret = gnutls_priority_set(e->s, c->prio)) < 0
        || (ret = gnutls_credentials_set(e->s, GNUTLS_CRD_CERTIFICATE, server ? c->server : c->client)) < 0)
        die("session", ret);
    e->in = in;
    e->out = out;
    gnutls_transport_set_ptr(e->s, e);
    gnutls_transport_set_push_function(e->s, push);
    gnutls_transport_set_pull_function(e->s, pull);
    gnutls_transport_set_pull_timeout_function(e->s, pull_timeout);
    gnutls_handshake_set_timeout(e->s, 0);
    if (server && c->tickets)
        gnutls_session_ticket_enable_server(e->s, &c->ticket_key);
    if (!server)
        gnutls_server_name_set(e->s, GNUTLS_NAME_DNS, "localhost", 9);
}

/* Every pair shares the two wires: only one pair talks at a time, and an
 * idle pair leaves them empty. */
static struct pipe c2s, s2c;

struct pair {
    struct endpoint client, server;
};

static void pair_init(struct pair *p, struct creds *c, const gnutls_datum_t *resume)
{
    c2s.len = c2s.pos = s2c.len = s2c.pos = 0;
    endpoint_init(&p->client, c, 0, &s2c, &c2s);
    endpoint_init(&p->server, c, 1, &c2s, &s2c);
    if (resume && resume->size)
        gnutls_session_set_data(p->client.s, resume->data, resume->size);
}

static void pair_free(struct pair *p)
{
    gnutls_deinit(p->client.s);
    gnutls_deinit(p->server.s);
}

static void handshake(struct pair *p)
{
    int cdone = 0, sdone = 0, ret, guard = 0;

    while (!cdone || !sdone)
    {
        if (!cdone && (ret = gnutls_handshake(p->client.s)) != GNUTLS_E_AGAIN)
        {
            if (ret < 0)
                die("client handshake", ret);
            cdone = 1;
        }
        if (!sdone && (ret = gnutls_handshake(p->server.s)) != GNUTLS_E_AGAIN)
        {
            if (ret < 0)
                die("server handshake", ret);
            sdone = 1;
        }
        if (++guard > 100)
            die("handshake does not finish", 0);
    }
}

/* The client reads what followed the handshake (TLS 1.3 tickets). */
static void read_tickets(struct pair *p)
{
    char buf[64];
    ssize_t ret;

    while ((ret = gnutls_record_recv(p->client.s, buf, sizeof(buf))) > 0)
        ;
    if (ret != GNUTLS_E_AGAIN)
        die("reading tickets", (int)ret);
}

/* ---- figures ---- */

static const char *PRIO_TLS13 = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
static const char *PRIO_TLS12 = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

static void bench_full_handshakes(const char *name, const char *cert, const char *prio)
{
    static struct pair p;
    struct creds c;
    double start, cpu, elapsed;
    long n = 0;

    creds_init(&c, cert, prio, 0);
    pair_init(&p, &c, NULL);   /* warm-up, and the label */
    handshake(&p);
    printf("note %s: raw GnuTLS negotiated %s, group %s\n", name, gnutls_ciphersuite_get(p.client.s),
           gnutls_group_get_name(gnutls_group_get(p.client.s)));
    pair_free(&p);
    start = now();
    cpu = cpu_now();
    do
    {
        pair_init(&p, &c, NULL);
        handshake(&p);
        pair_free(&p);
        n++;
    } while ((elapsed = now() - start) < seconds);
    cpu = cpu_now() - cpu;
    creds_free(&c);
    rate_figures(name, n, elapsed, cpu);
}

static void bench_resumed_handshakes(void)
{
    static struct pair p;
    gnutls_datum_t data = { NULL, 0 };
    struct creds c;
    double start = 0, cpu = 0, elapsed;
    long n = -1;   /* the first, full handshake is not counted */

    creds_init(&c, "server-rsa", PRIO_TLS13, 1);
    do
    {
        pair_init(&p, &c, &data);
        handshake(&p);
        read_tickets(&p);
        if (n >= 0 && !gnutls_session_is_resumed(p.client.s))
            die("session not resumed", 0);
        gnutls_free(data.data);
        if (gnutls_session_get_data2(p.client.s, &data) < 0)
            die("session data", 0);
        pair_free(&p);
        if (++n == 0)
        {
            start = now();
            cpu = cpu_now();
        }
    } while ((elapsed = now() - start) < seconds || n < 1);
    cpu = cpu_now() - cpu;
    gnutls_free(data.data);
    creds_free(&c);
    rate_figures("hs_resumed", n, elapsed, cpu);
}

/* One record from client to server, decrypted into `out`. */
static void transfer(struct pair *p, const unsigned char *data, size_t len, unsigned char *out)
{
    ssize_t ret = gnutls_record_send(p->client.s, data, len);

    if (ret != (ssize_t)len)
        die("record send", (int)ret);
    ret = gnutls_record_recv(p->server.s, out, RECORD);
    if (ret != (ssize_t)len)
        die("record recv", (int)ret);
}

static long records_for(struct pair *p, size_t len, double *elapsed, double *cpu)
{
    static unsigned char data[RECORD], out[RECORD];
    double start = now();
    long n = 0;

    memset(data, 'x', sizeof(data));
    *cpu = cpu_now();
    do
    {
        for (int i = 0; i < 64; i++)
            transfer(p, data, len, out);
        n += 64;
    } while ((*elapsed = now() - start) < seconds);
    *cpu = cpu_now() - *cpu;
    return n;
}

static void bench_records(const char *name, const char *cipher, size_t len)
{
    static struct pair p;
    char prio[256];
    struct creds c;
    double elapsed, cpu;
    long n;

    snprintf(prio, sizeof(prio), "%s:-CIPHER-ALL:+%s", PRIO_TLS13, cipher);
    creds_init(&c, "server-rsa", prio, 0);
    pair_init(&p, &c, NULL);
    handshake(&p);
    n = records_for(&p, len, &elapsed, &cpu);
    pair_free(&p);
    creds_free(&c);
    rate_figures(name, len == RECORD ? n * (double)len / 1e6 : n, elapsed, cpu);
}

/* Resident memory, the metric of our side too (bench_sspi.c): measured
 * first in the run, before the heap has freed pages to reuse. */
static long heap_bytes(void)
{
    return proc_rss_bytes();
}

/* Idle established sessions (client and server each count as one). */
static void bench_memory_contexts(const char *cert, int count)
{
    struct pair *pairs = calloc(count, sizeof(*pairs));
    struct creds c;
    long before;

    if (!pairs)
        die("out of memory", 0);
    creds_init(&c, cert, PRIO_TLS13, 0);
    pair_init(&pairs[0], &c, NULL);   /* warm-up: lazy library state */
    handshake(&pairs[0]);
    before = heap_bytes();
    for (int i = 1; i < count; i++)
    {
        pair_init(&pairs[i], &c, NULL);
        handshake(&pairs[i]);
    }
    figure("mem_context", (double)(heap_bytes() - before) / (2.0 * (count - 1)));
    for (int i = 0; i < count; i++)
        pair_free(&pairs[i]);
    free(pairs);
    creds_free(&c);
}

static void bench_memory_creds(int count)
{
    struct creds *c = calloc(count, sizeof(*c));
    long before;

    if (!c)
        die("out of memory", 0);
    creds_init(&c[0], "server-rsa", PRIO_TLS13, 1);
    before = heap_bytes();
    for (int i = 1; i < count; i++)
        creds_init(&c[i], "server-rsa", PRIO_TLS13, 1);
    figure("mem_cred", (double)(heap_bytes() - before) / (count - 1));
    for (int i = 0; i < count; i++)
        creds_free(&c[i]);
    free(c);
}

/* ---- socket client against gnutls-serv --echo ---- */

static int connect_local(int port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        die("connect to 127.0.0.1", 0);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static gnutls_session_t sock_session(struct creds *c, int fd)
{
    gnutls_session_t s;
    int ret;

    if ((ret = gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NO_TICKETS)) < 0
        || (ret = gnutls_priority_set(s, c->prio)) < 0
        || (ret = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, c->client)) < 0)
        die("socket session", ret);
    gnutls_server_name_set(s, GNUTLS_NAME_DNS, "localhost", 9);
    gnutls_transport_set_int(s, fd);
    do
        ret = gnutls_handshake(s);
    while (ret < 0 && !gnutls_error_is_fatal(ret));
    if (ret < 0)
        die("socket handshake", ret);
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void sock_latency(struct creds *c, int port, int connections)
{
    double *t = calloc(MAX_CONNECTIONS, sizeof(*t)), cpu = cpu_now(), begin = now();
    int i;

    /* At least MIN_CPU_WINDOW s, as bench_sspi (Wine's process times tick in 10 ms). */
    for (i = 0; i < MAX_CONNECTIONS && (i < connections || now() - begin < MIN_CPU_WINDOW); i++)
    {
        double start = now();
        int fd = connect_local(port);
        gnutls_session_t s = sock_session(c, fd);

        t[i] = now() - start;
        gnutls_bye(s, GNUTLS_SHUT_WR);
        gnutls_deinit(s);
        close(fd);
    }
    cpu = cpu_now() - cpu;
    qsort(t, i, sizeof(*t), cmp_double);
    figure("sock_hs_ms", t[i / 2] * 1e3);
    figure("sock_hs_cpu_ms", cpu / i * 1e3);
    free(t);
}

/* gnutls-serv --echo echoes line by line: text lines, not one long run. */
static void fill_lines(unsigned char *data, size_t size)
{
    for (size_t i = 0; i < size; i++)
        data[i] = (i % 64 == 63) ? '\n' : 'a' + (char)(i % 26);
}

/* Echo round trips with up to WINDOW bytes in flight. */
#define WINDOW (4 * RECORD)
static void sock_throughput(struct creds *c, int port, long mib)
{
    static unsigned char data[RECORD], in[RECORD];
    long total = mib << 20, sent = 0, received = 0;
    int fd = connect_local(port);
    gnutls_session_t s = sock_session(c, fd);
    double start = now(), cpu = cpu_now();
    ssize_t ret;

    fill_lines(data, sizeof(data));
    while (received < total)
    {
        while (sent < total && sent - received < WINDOW)
        {
            if ((ret = gnutls_record_send(s, data, RECORD)) < 0)
                die("socket send", (int)ret);
            sent += ret;
        }
        if ((ret = gnutls_record_recv(s, in, sizeof(in))) <= 0)
            die("socket recv", (int)ret);
        received += ret;
    }
    rate_figures("sock_mbps", total / 1e6, now() - start, cpu_now() - cpu);
    gnutls_bye(s, GNUTLS_SHUT_WR);
    gnutls_deinit(s);
    close(fd);
}

int main(int argc, char **argv)
{
    int mem_n = 1000;

    if (argc < 2)
    {
        fprintf(stderr, "usage: raw_gnutls CERTDIR [SECONDS [MEMORY_N]] | CERTDIR sock PORT CONNECTIONS MIB\n");
        return 2;
    }
    certdir = argv[1];
    gnutls_global_init();
    if (argc >= 6 && !strcmp(argv[2], "sock"))
    {
        struct creds c;
        creds_init(&c, "server-rsa", PRIO_TLS13, 0);
        sock_latency(&c, atoi(argv[3]), atoi(argv[4]));
        sock_throughput(&c, atoi(argv[3]), atol(argv[5]));
        creds_free(&c);
        return 0;
    }
    if (argc >= 3)
        seconds = atof(argv[2]);
    if (argc >= 4)
        mem_n = atoi(argv[3]);
    /* Memory first, while the heap has no freed pages to reuse. */
    if (want("mem_cred"))
        bench_memory_creds(mem_n / 4 > 20 ? mem_n / 4 : 20);
    if (want("mem_context"))
        bench_memory_contexts("server-rsa", mem_n);
    if (want("hs_tls13_ecdsa"))
        bench_full_handshakes("hs_tls13_ecdsa", "server-ecdsa", PRIO_TLS13);
    if (want("hs_tls13_rsa"))
        bench_full_handshakes("hs_tls13_rsa", "server-rsa", PRIO_TLS13);
    if (want("hs_tls12_rsa"))
        bench_full_handshakes("hs_tls12_rsa", "server-rsa", PRIO_TLS12);
    if (want("hs_resumed"))
        bench_resumed_handshakes();
    if (want("bulk_aes128gcm"))
        bench_records("bulk_aes128gcm", "AES-128-GCM", RECORD);
    if (want("bulk_aes256gcm"))
        bench_records("bulk_aes256gcm", "AES-256-GCM", RECORD);
    if (want("bulk_chacha20"))
        bench_records("bulk_chacha20", "CHACHA20-POLY1305", RECORD);
    if (want("small_64"))
        bench_records("small_64", "AES-128-GCM", SMALL);
    gnutls_global_deinit();
    return 0;
}
