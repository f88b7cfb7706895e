/*
 * sspicat: a command-line TLS client and server on SSPI/Schannel, in the
 * manner of openssl s_client / s_server.  It uses only the public Windows
 * API (secur32, crypt32, ws2_32), so it exercises a Schannel the way any
 * Windows program does.
 */
#ifndef SSPICAT_H
#define SSPICAT_H

#define SECURITY_WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <winternl.h>
#include <wincrypt.h>
#include <sspi.h>
#define SCHANNEL_USE_BLACKLISTS
#include <schannel.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum validation { VALIDATE_AUTO, VALIDATE_NONE, VALIDATE_CAFILE };

struct options {
    BOOL listen;
    int count;                 /* -l: connections to accept */
    const char *host, *port;
    int min_ver, max_ver;      /* 0..3 = TLS 1.0..1.3, -1 = unset */
    BOOL schannel_cred;
    const char *alpn;          /* "h2,http/1.1" */
    const char *sni;           /* target name; NULL = host; "" = none */
    const char *cert, *cert_pass;
    BOOL request_cert;
    enum validation validation;
    const char *cafile;
    const char *send;
    BOOL echo;
    BOOL reconnect;
    int verbosity;             /* 0 quiet, 1 normal, 2 verbose */
    DWORD wait_ms;             /* idle time before closing */
    DWORD accept_secs;
    BOOL dtls;                 /* --dtls: DTLS over UDP (dtls.c) */
    DWORD dtls_bits;           /* SP_PROT_DTLS* client bits, 0 = both */
    const char *srtp;          /* --srtp PROFILE:PROFILE */
    DWORD mtu;                 /* --mtu: SECBUFFER_DTLS_MTU */
    DWORD keymat;              /* --keymat N: print N bytes of EXTRACTOR-dtls_srtp */
};

extern const struct options *opt;

/* messages */
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *status_name(SECURITY_STATUS status);
const char *status_text(SECURITY_STATUS status);
void sspi_error(const char *call, SECURITY_STATUS status);

/* certs.c */
PCCERT_CONTEXT load_pfx(const char *path, const char *password);
HCERTSTORE load_ca_file(const char *path);
SECURITY_STATUS validate_server(PCtxtHandle ctx, HCERTSTORE roots, const WCHAR *name);
void print_peer(PCtxtHandle ctx);
BYTE *read_whole_file(const char *path, DWORD *size);

/* tls.c */
struct conn {
    SOCKET sock;
    BOOL server;
    CredHandle *cred;
    CtxtHandle ctx;
    BOOL have_ctx;
    const WCHAR *target;
    BYTE *alpn;                /* SEC_APPLICATION_PROTOCOLS, or NULL */
    DWORD alpn_size;
    BYTE *buf;                 /* received bytes not consumed yet */
    DWORD len, cap;
    SecPkgContext_StreamSizes sizes;
    BOOL close_notify_received;
    BOOL eof;
    char client_sni[256];      /* server: SNI read from the ClientHello */
    BOOL sni_parsed;
};

SECURITY_STATUS tls_handshake(struct conn *c);
int tls_session(struct conn *c);
void tls_close(struct conn *c);
BYTE *build_alpn(const char *list, DWORD *size);
void print_negotiated(struct conn *c, const char *peer);
BOOL parse_client_hello_sni(const BYTE *data, DWORD len, char *name, DWORD size);

/* sspicat.c: sockets (type SOCK_STREAM or SOCK_DGRAM) */
SOCKET connect_to(const char *host, const char *port, int type);
SOCKET listen_on(const char *port, int type);

/* dtls.c */
BOOL dtls_check_options(void);
int dtls_run(CredHandle *cred, const WCHAR *target, HCERTSTORE roots);

#endif
