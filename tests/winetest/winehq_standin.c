/* winehq_standin: a loopback stand-in for https://test.winehq.org, the host
 * Wine's secur32 schannel tests talk to.  It serves what those tests expect
 * of the real host (read from the tests, not from the host):
 *   - TLS 1.0 to 1.3, preferring ECDHE-RSA with AES-256-CBC for TLS 1.0
 *     (the tests' credentials allow TLS 1.0 only and check that suite);
 *   - an RSA chain of three certificates (leaf, intermediate, root);
 *   - ALPN, answering "http/1.1";
 *   - GET /tests/clientcert/: a renegotiation (HelloRequest) that asks for
 *     a client certificate, and refuses an expired one with a fatal
 *     certificate_expired alert; any other request gets a short page.
 *
 * usage: winehq_standin CHAIN.pem KEY.pem PORT SECONDS
 * Listens on 127.0.0.1:PORT, prints "listening" when ready, serves each
 * connection in a child process, and exits after SECONDS (children too). */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char priority[] =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:"
    "-CIPHER-ALL:+AES-256-GCM:+AES-256-CBC:+AES-128-GCM:+AES-128-CBC:+CHACHA20-POLY1305:"
    "-KX-ALL:+ECDHE-RSA:+RSA:%SERVER_PRECEDENCE";
static const char page[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

static unsigned lifetime;

/* Set by the verify callback when the client's certificate has expired,
 * so the failed handshake ends with the alert a real server sends. */
static int peer_cert_expired;

static int verify_client(gnutls_session_t session)
{
    const gnutls_datum_t *certs;
    unsigned count = 0;
    gnutls_x509_crt_t crt;
    int expired = 0;

    certs = gnutls_certificate_get_peers(session, &count);
    if (!certs || !count) return -1;
    if (gnutls_x509_crt_init(&crt) < 0) return -1;
    if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0)
        expired = gnutls_x509_crt_get_expiration_time(crt) < time(NULL);
    gnutls_x509_crt_deinit(crt);
    if (expired) {
        peer_cert_expired = 1;
        return -1;
    }
    return 0;
}

static int handshake(gnutls_session_t session)
{
    int ret;

    do ret = gnutls_handshake(session);
    while (ret < 0 && !gnutls_error_is_fatal(ret));
    if (ret < 0) {
        fprintf(stderr, "handshake failed: %s\n", gnutls_strerror(ret));
        if (peer_cert_expired)
            gnutls_alert_send(session, GNUTLS_AL_FATAL, GNUTLS_A_CERTIFICATE_EXPIRED);
        else
            gnutls_alert_send_appropriate(session, ret);
    }
    return ret;
}

/* Reads one HTTP request head; returns its length, or -1. */
static int read_request(gnutls_session_t session, char *buf, size_t size)
{
    size_t len = 0;

    while (len < size - 1) {
        ssize_t n = gnutls_record_recv(session, buf + len, size - 1 - len);
        if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) continue;
        if (n <= 0) return -1;
        len += n;
        buf[len] = 0;
        if (strstr(buf, "\r\n\r\n")) return (int)len;
    }
    return -1;
}

/* The client-certificate page: renegotiate, asking for a certificate. */
static void client_cert_page(gnutls_session_t session)
{
    int ret;

    gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUIRE);
    ret = gnutls_rehandshake(session);
    if (ret < 0) {
        fprintf(stderr, "rehandshake: %s\n", gnutls_strerror(ret));
        return;
    }
    /* The client answers the HelloRequest with a ClientHello; any
     * application data before it is not expected here. */
    if (handshake(session) < 0) return;
    fprintf(stderr, "renegotiation completed with a valid client certificate\n");
    gnutls_record_send(session, page, sizeof(page) - 1);
}

static void serve(int fd, gnutls_certificate_credentials_t cred)
{
    static const gnutls_datum_t http11 = { (unsigned char *)"http/1.1", 8 };
    gnutls_session_t session;
    char request[4096];

    alarm(lifetime);
    if (gnutls_init(&session, GNUTLS_SERVER) < 0) return;
    gnutls_priority_set_direct(session, priority, NULL);
    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred);
    gnutls_alpn_set_protocols(session, &http11, 1, GNUTLS_ALPN_SERVER_PRECEDENCE);
    gnutls_transport_set_int(session, fd);
    if (handshake(session) == 0) {
        char *desc = gnutls_session_get_desc(session);
        fprintf(stderr, "handshake: %s\n", desc ? desc : "?");
        gnutls_free(desc);
        if (read_request(session, request, sizeof(request)) > 0) {
            fprintf(stderr, "request: %.*s\n", (int)strcspn(request, "\r\n"), request);
            if (!strncmp(request, "GET /tests/clientcert/ ", 23))
                client_cert_page(session);
            else
                gnutls_record_send(session, page, sizeof(page) - 1);
        }
        gnutls_bye(session, GNUTLS_SHUT_WR);
    }
    gnutls_deinit(session);
}

/* Closes without a reset: a peer whose last flight is still unread (the
 * client's Certificate..Finished after we refused its expired certificate)
 * would otherwise get an RST, and Wine 10 reports that reset to recv()
 * before the alert that came first.  Our side is shut down for writing and
 * what the client still sends is read, for at most two seconds. */
static void close_gracefully(int fd)
{
    struct timeval wait = { 2, 0 };
    char buf[4096];

    shutdown(fd, SHUT_WR);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    close(fd);
}

static int listen_on(int port)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 8) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    gnutls_certificate_credentials_t cred;
    int lfd, ret;

    if (argc != 5) {
        fprintf(stderr, "usage: %s CHAIN.pem KEY.pem PORT SECONDS\n", argv[0]);
        return 2;
    }
    lifetime = (unsigned)atoi(argv[4]);
    alarm(lifetime);
    signal(SIGCHLD, SIG_IGN);   /* children are reaped by the system */
    gnutls_global_init();
    gnutls_certificate_allocate_credentials(&cred);
    ret = gnutls_certificate_set_x509_key_file(cred, argv[1], argv[2], GNUTLS_X509_FMT_PEM);
    if (ret < 0) {
        fprintf(stderr, "cannot load %s / %s: %s\n", argv[1], argv[2], gnutls_strerror(ret));
        return 1;
    }
    gnutls_certificate_set_verify_function(cred, verify_client);
    if ((lfd = listen_on(atoi(argv[3]))) < 0) {
        perror("listen");
        return 1;
    }
    printf("listening\n");
    fflush(stdout);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        if (fork() == 0) {
            close(lfd);
            serve(fd, cred);
            close_gracefully(fd);
            _exit(0);
        }
        close(fd);
    }
}
