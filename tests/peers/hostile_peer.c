/*
 * A misbehaving TLS peer on loopback, native GnuTLS, for tests/peers/hostile.sh.
 * It runs the same probe against our Schannel (sspicat under Wine) and
 * against gnutls-serv / gnutls-cli, so the script can compare the two.
 *
 *   hostile_peer hello-bad PORT        ClientHello and a bad record in one write
 *   hostile_peer sslv2 PORT            an SSL 2.0-format ClientHello (RFC 5246 E.2)
 *   hostile_peer bad-mac PORT 1.2|1.3  handshake, then a record with a flipped byte
 *   hostile_peer empty PORT N          TLS 1.2 handshake, N empty handshake records, then data
 *   hostile_peer warnings PORT N       TLS 1.2 handshake, N warning alerts, then data
 *   hostile_peer truncate PORT fin|rst server: handshake, a record, half a record, then FIN or RST
 *   hostile_peer resume PORT ems|no-ems  two TLS 1.2 connections without tickets; the second
 *                                      offers the first's session ID, with or without the
 *                                      extended master secret the first one used
 *
 * Client modes connect to 127.0.0.1:PORT; truncate listens there (one
 * connection, "listening" on stdout when ready).  What the other side sent
 * back is printed as "key: value" lines; the exit status is 0 unless the
 * probe itself could not run.  Everything is bounded by a 10 s alarm.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "forge.h"
#include "sslv2_hello.h"

static int sock = -1;
static int capturing;                 /* push into `captured` instead of the socket */
static uint8_t captured[65536];
static size_t captured_len;
static int timed_out;                 /* a read waited SO_RCVTIMEO for nothing */

static void die(const char *what)
{
    printf("error: %s\n", what);
    exit(2);
}

static ssize_t push(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
    (void)ptr;
    if (!capturing)
        return send(sock, buf, len, MSG_NOSIGNAL);
    if (len > sizeof(captured) - captured_len)
        die("capture buffer full (a flight over 64 KiB)");   /* never a silent short write */
    memcpy(captured + captured_len, buf, len);
    captured_len += len;
    return (ssize_t)len;
}

static ssize_t pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
    (void)ptr;
    if (capturing)   /* making a ClientHello only */
    {
        errno = EAGAIN;
        return -1;
    }
    ssize_t n = recv(sock, buf, len, 0);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        timed_out = 1;
    return n;
}

/* 0 once the other side has closed or reset the connection. */
static int send_all(const uint8_t *data, size_t len)
{
    while (len)
    {
        ssize_t n = send(sock, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return 0;
        data += n;
        len -= (size_t)n;
    }
    return 1;
}

static void connect_to(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((sock = socket(AF_INET, SOCK_STREAM, 0)) < 0 || connect(sock, (struct sockaddr *)&a, sizeof(a)) < 0)
        die("connect");
}

static void accept_one(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0)
        die("listen");
    printf("listening\n");
    fflush(stdout);
    if ((sock = accept(l, NULL, NULL)) < 0)
        die("accept");
    close(l);
}

static gnutls_certificate_credentials_t creds;

static gnutls_session_t new_session(unsigned int flags, const char *prio)
{
    gnutls_session_t s;

    if (gnutls_init(&s, flags) < 0 || gnutls_priority_set_direct(s, prio, NULL) < 0
        || gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, creds) < 0)
        die("session");
    gnutls_transport_set_push_function(s, push);
    gnutls_transport_set_pull_function(s, pull);
    gnutls_transport_set_ptr(s, NULL);
    if (!(flags & GNUTLS_SERVER))
        gnutls_server_name_set(s, GNUTLS_NAME_DNS, "localhost", 9);
    return s;
}

static void handshake(gnutls_session_t s)
{
    int ret;

    do
        ret = gnutls_handshake(s);
    while (ret < 0 && !gnutls_error_is_fatal(ret));
    if (ret < 0)
    {
        printf("handshake: %s\n", gnutls_strerror(ret));
        exit(2);
    }
    printf("handshake: ok %s\n", gnutls_protocol_get_name(gnutls_protocol_get_version(s)));
}

/* Reads until EOF or 3 s of silence; returns the byte count. */
static size_t read_raw(uint8_t *buf, size_t cap)
{
    struct timeval tv = { 3, 0 };
    size_t len = 0;
    ssize_t n;

    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while (len < cap && (n = recv(sock, buf + len, cap - len, 0)) > 0)
        len += (size_t)n;
    if (len == cap)
        die("the reply fills the whole read buffer, so it may be cut short");
    return len;
}

/* Prints the plaintext records of a server's reply: handshake message types
 * of the first records, and any alert. */
static void print_plain_reply(void)
{
    static uint8_t buf[65536];
    size_t len = read_raw(buf, sizeof(buf)), pos = 0;

    printf("reply bytes: %zu\n", len);
    printf("handshake messages:");
    while (pos + 5 <= len)
    {
        size_t body = (size_t)buf[pos + 3] << 8 | buf[pos + 4];

        if (pos + 5 + body > len)
            break;
        if (buf[pos] == 22 && pos == 0)
            printf(" version %02x%02x", buf[pos + 9], buf[pos + 10]);
        /* Plaintext handshake records: walk the messages inside. */
        for (size_t m = pos + 5; buf[pos] == 22 && m + 4 <= pos + 5 + body;)
        {
            printf(" %u", buf[m]);
            m += 4 + ((size_t)buf[m + 1] << 16 | (size_t)buf[m + 2] << 8 | buf[m + 3]);
        }
        if (buf[pos] == 21 && body == 2)
            printf("\nalert: level %u description %u", buf[pos + 5], buf[pos + 6]);
        pos += 5 + body;
    }
    printf("\n");
}

/* The ClientHello GnuTLS would send, without sending it. */
static size_t client_hello(uint8_t *out, size_t cap)
{
    gnutls_session_t s = new_session(GNUTLS_CLIENT | GNUTLS_NONBLOCK, "NORMAL:-VERS-ALL:+VERS-TLS1.2");

    capturing = 1;
    captured_len = 0;
    gnutls_handshake(s);
    capturing = 0;
    if (captured_len > cap)
        die("the ClientHello does not fit its buffer");
    memcpy(out, captured, captured_len);
    gnutls_deinit(s);
    return captured_len;
}

static void probe_hello_bad(void)
{
    static const uint8_t bad[] = { 23, 3, 3, 0, 5, 'h', 'e', 'l', 'l', 'o' };
    uint8_t msg[16384];
    size_t len = client_hello(msg, sizeof(msg) - sizeof(bad));

    memcpy(msg + len, bad, sizeof(bad));
    if (!send_all(msg, len + sizeof(bad)))
        die("send");
    print_plain_reply();
}

static void probe_sslv2(void)
{
    uint8_t msg[128];

    if (!send_all(msg, sslv2_client_hello(msg, 7)))
        die("send");
    print_plain_reply();
}

/* After the probe: what the other side says through TLS. */
static void print_tls_reply(gnutls_session_t s)
{
    struct timeval tv = { 3, 0 };
    char buf[4096];
    ssize_t n;

    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    /* GnuTLS also says AGAIN after a TLS 1.3 post-handshake message. */
    while ((n = gnutls_record_recv(s, buf, sizeof(buf))) > 0 || n == GNUTLS_E_INTERRUPTED
           || n == GNUTLS_E_WARNING_ALERT_RECEIVED || (n == GNUTLS_E_AGAIN && !timed_out))
        if (n > 0)
            printf("data: %.*s", (int)n, buf);
    if (n == GNUTLS_E_AGAIN)
        printf("reply: nothing more for 3 s\n");
    else if (n == 0)
        printf("reply: close_notify\n");
    else if (n == GNUTLS_E_FATAL_ALERT_RECEIVED)
        printf("reply: fatal alert %s (%d)\n", gnutls_alert_get_name(gnutls_alert_get(s)), (int)gnutls_alert_get(s));
    else
        printf("reply: %s\n", gnutls_strerror((int)n));
}

static gnutls_session_t client_session(const char *version)
{
    char prio[128];
    gnutls_session_t s;

    /* AES-GCM, which tests/forge.h can forge records for. */
    snprintf(prio, sizeof(prio), "NORMAL:-VERS-ALL:+VERS-TLS%s:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM", version);
    s = new_session(GNUTLS_CLIENT, prio);
    handshake(s);
    return s;
}

static void probe_bad_mac(const char *version)
{
    gnutls_session_t s = client_session(version);
    ssize_t ret;

    capturing = 1;
    captured_len = 0;
    ret = gnutls_record_send(s, "tampered\n", 9);
    capturing = 0;
    printf("tampered record: %zd, %zu bytes\n", ret, captured_len);
    if (ret <= 0 || !captured_len)
        die("record_send");
    captured[captured_len - 1] ^= 0x40;
    if (!send_all(captured, captured_len))
        die("send");
    print_tls_reply(s);
}

static void probe_flood(int count, int warnings)
{
    gnutls_session_t s = client_session("1.2");
    uint8_t rec[64];
    size_t len;
    int sent = 0;

    for (; sent < count; sent++)
    {
        if (warnings)
        {
            if (gnutls_alert_send(s, GNUTLS_AL_WARNING, GNUTLS_A_USER_CANCELED) < 0)
                break;
        }
        else if (!(len = forge_empty_record(s, 22, rec)))
            die("cannot forge a record for this suite");
        else if (!send_all(rec, len))
            break;
    }
    /* A peer that stopped reading may have closed before all were sent. */
    printf("sent: %d of %d %s\n", sent, count, warnings ? "warning alerts" : "empty records");
    gnutls_record_send(s, "after the flood\n", 16);
    print_tls_reply(s);
}

static void probe_truncate(const char *how)
{
    gnutls_session_t s = new_session(GNUTLS_SERVER, "NORMAL");
    struct linger lg = { 1, 0 };

    handshake(s);
    gnutls_record_send(s, "complete record\n", 16);
    capturing = 1;
    captured_len = 0;
    gnutls_record_send(s, "this record is cut in half\n", 27);
    capturing = 0;
    if (!send_all(captured, captured_len / 2))
        die("send");
    usleep(300000);
    if (!strcmp(how, "rst"))
        setsockopt(sock, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    else
        shutdown(sock, SHUT_WR);
    usleep(300000);
    close(sock);
    printf("sent: a record and %zu of %zu bytes of the next, then %s\n", captured_len / 2, captured_len, how);
}

/* RFC 7627 5.3: a session made with the extended master secret must not
 * be resumed by a ClientHello without it. */
static void probe_resume(int port, const char *ems)
{
    static const char prio[] = "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_TICKETS";
    char prio2[128];
    gnutls_session_t s = new_session(GNUTLS_CLIENT, prio);
    gnutls_datum_t data;
    int ret;

    handshake(s);
    printf("first: extended master secret %s\n", gnutls_session_ext_master_secret_status(s) ? "yes" : "no");
    if (gnutls_session_get_data2(s, &data) < 0)
        die("session data");
    gnutls_bye(s, GNUTLS_SHUT_RDWR);
    gnutls_deinit(s);
    close(sock);
    connect_to(port);
    snprintf(prio2, sizeof(prio2), "%s%s", prio, strcmp(ems, "no-ems") ? "" : ":%NO_SESSION_HASH");
    s = new_session(GNUTLS_CLIENT, prio2);
    gnutls_session_set_data(s, data.data, data.size);
    gnutls_free(data.data);
    do
        ret = gnutls_handshake(s);
    while (ret < 0 && !gnutls_error_is_fatal(ret));
    if (ret < 0)
        printf("second: %s\n", gnutls_strerror(ret));
    else
        printf("second: resumed %s\n", gnutls_session_is_resumed(s) ? "yes" : "no");
    gnutls_bye(s, GNUTLS_SHUT_RDWR);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 2 ? argv[1] : "";
    int port = argc > 2 ? atoi(argv[2]) : 0;
    const char *arg = argc > 3 ? argv[3] : "";

    alarm(10);
    setvbuf(stdout, NULL, _IOLBF, 0);
    gnutls_global_init();
    gnutls_certificate_allocate_credentials(&creds);
    if (!strcmp(mode, "truncate"))
    {
        if (argc < 6 || gnutls_certificate_set_x509_key_file(creds, argv[4], argv[5], GNUTLS_X509_FMT_PEM) < 0)
            die("usage: truncate PORT fin|rst CHAIN.pem KEY.pem");
        accept_one(port);
        probe_truncate(arg);
        return 0;
    }
    if (!port)
        die("usage: hostile_peer MODE PORT [ARG] (see the source)");
    connect_to(port);
    if (!strcmp(mode, "hello-bad"))
        probe_hello_bad();
    else if (!strcmp(mode, "sslv2"))
        probe_sslv2();
    else if (!strcmp(mode, "bad-mac"))
        probe_bad_mac(arg);
    else if (!strcmp(mode, "resume"))
        probe_resume(port, arg);
    else if (!strcmp(mode, "empty") || !strcmp(mode, "warnings"))
        probe_flood(atoi(arg), !strcmp(mode, "warnings"));
    else
        die("unknown mode");
    return 0;
}
